/// Matches parameter names against shell-style glob patterns: `*` matches any run of
/// characters (dots included), `?` matches one character, everything else matches itself.
///
/// ```swift
/// globMatches("*.bias", "layers.0.bias")        // true
/// globMatches("layers.?.weight", "layers.3.weight")  // true
/// globMatches("*norm*", "layers.2.layernorm.weight") // true
/// ```
///
/// Used when a model or an optimizer is built (initializer rules, parameter groups), never in a step.
public func globMatches(_ pattern: String, _ name: String) -> Bool {
    let p = Array(pattern.unicodeScalars)
    let s = Array(name.unicodeScalars)
    // Greedy matching with one backtrack point (the last `*`): linear in practice and never
    // exponential, because a later `*` makes the earlier backtrack point unnecessary.
    var pi = 0, si = 0
    var starPattern = -1, starName = 0
    while si < s.count {
        if pi < p.count, p[pi] == "?" || (p[pi] != "*" && p[pi] == s[si]) {
            pi += 1; si += 1
        } else if pi < p.count, p[pi] == "*" {
            starPattern = pi; starName = si; pi += 1
        } else if starPattern >= 0 {
            pi = starPattern + 1; starName += 1; si = starName
        } else {
            return false
        }
    }
    while pi < p.count, p[pi] == "*" { pi += 1 }
    return pi == p.count
}
