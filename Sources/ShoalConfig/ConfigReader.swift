/// One node of the config with its key path: typed reads that fail with a ``ConfigError``
/// naming the file, the line, the path and what was expected.
struct ConfigField {
    let node: ConfigNode
    let path: String
    let file: String

    func error(_ kind: ConfigError.Kind, _ reason: String) -> ConfigError {
        ConfigError(kind: kind, file: file, line: node.line, keyPath: path, reason: reason, override: node.origin)
    }

    private func plain(_ expected: String) throws -> String {
        guard case .scalar(let text, quoted: false) = node.value else {
            throw error(.wrongType, "expected \(expected), got \(node.shown)")
        }
        return text
    }

    func int() throws -> Int {
        let text = try plain("an integer")
        guard let v = Int(text) else { throw error(.wrongType, "expected an integer, got \(node.shown)") }
        return v
    }

    func uint64() throws -> UInt64 {
        let text = try plain("a non-negative integer")
        guard let v = UInt64(text) else { throw error(.wrongType, "expected a non-negative integer, got \(node.shown)") }
        return v
    }

    func double() throws -> Double {
        let text = try plain("a number")
        guard let v = Double(text), v.isFinite else { throw error(.wrongType, "expected a number, got \(node.shown)") }
        return v
    }

    func bool() throws -> Bool {
        let text = try plain("true or false")
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw error(.wrongType, "expected true or false, got \(node.shown)")
        }
    }

    func string() throws -> String {
        guard case .scalar(let text, _) = node.value, !node.isNull else {
            throw error(.wrongType, "expected a string, got \(node.isNull ? "null" : node.shown)")
        }
        return text
    }

    /// A value of a string enum; the message lists the allowed values and suggests the closest.
    func choice<T: RawRepresentable & CaseIterable>(_: T.Type = T.self) throws -> T where T.RawValue == String {
        let text = try string()
        if let v = T(rawValue: text) { return v }
        let allowed = T.allCases.map(\.rawValue)
        let hint = closest(to: text, among: allowed).map { " (did you mean '\($0)'?)" } ?? ""
        throw error(.invalidValue, "unknown value \"\(text)\"; expected one of: \(allowed.joined(separator: ", "))\(hint)")
    }

    func items() throws -> [ConfigField] {
        guard case .sequence(let nodes) = node.value else { throw error(.wrongType, "expected a list, got \(node.shown)") }
        return nodes.enumerated().map { ConfigField(node: $0.element, path: "\(path)[\($0.offset)]", file: file) }
    }

    func check<T>(_ value: T, _ rule: Rule<T>) throws -> T {
        guard rule.test(value) else { throw error(.invalidValue, "\(rule.message), got \(value)") }
        return value
    }
}

/// A condition on a value and how to say it is broken ("must be > 0").
struct Rule<T> {
    let test: (T) -> Bool
    let message: String

    init(_ message: String, _ test: @escaping (T) -> Bool) {
        self.message = message
        self.test = test
    }
}

extension Rule where T == Int {
    static var positive: Rule { Rule("must be > 0") { $0 > 0 } }
    static var nonNegative: Rule { Rule("must be ≥ 0") { $0 >= 0 } }
}

extension Rule where T == Double {
    static var positive: Rule { Rule("must be > 0") { $0 > 0 } }
    static var nonNegative: Rule { Rule("must be ≥ 0") { $0 >= 0 } }
    static var unitInterval: Rule { Rule("must be in [0, 1)") { $0 >= 0 && $0 < 1 } }
}

/// A mapping of the config being read section by section. Each read names a key the schema
/// knows; ``finish()`` then rejects every key of the file that no read asked for.
struct ConfigMapping {
    let field: ConfigField
    let entries: [ConfigNode.Entry]
    private(set) var known: [String] = []

    init(_ field: ConfigField) throws {
        self.field = field
        if field.node.isNull {
            entries = []
        } else if case .mapping(let e) = field.node.value {
            entries = e
        } else {
            throw field.error(.wrongType, "expected a mapping, got \(field.node.shown)")
        }
    }

    var path: String { field.path }

    func childPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// The field under `key`, or nil if the file does not give it (null counts as given).
    mutating func field(_ key: String) -> ConfigField? {
        known.append(key)
        ConfigRecorder.current?.ask(path: childPath(key))
        guard let entry = entries.last(where: { $0.key == key }) else { return nil }
        return ConfigField(node: entry.value, path: childPath(key), file: field.file)
    }

    /// The field under `key`, null treated as absent.
    mutating func present(_ key: String) -> ConfigField? {
        guard let f = field(key), !f.node.isNull else { return nil }
        return f
    }

    /// Tells `shoal config reference` about `key` (the typed reads call it themselves).
    func document(_ key: String, type: String, default value: String, rule: String? = nil, doc: String) {
        ConfigRecorder.current?.record(path: childPath(key), type: type, defaultValue: value, rule: rule, doc: doc)
    }

    mutating func required(_ key: String) throws -> ConfigField {
        guard let f = present(key) else {
            throw ConfigError(
                kind: .missingKey, file: field.file, line: field.node.line, keyPath: childPath(key),
                reason: "missing required key '\(key)'", override: field.node.origin)
        }
        return f
    }

    /// An error about `key` (at its line if given, else at this mapping's line).
    func error(_ key: String, _ kind: ConfigError.Kind, _ reason: String) -> ConfigError {
        let node = entries.last(where: { $0.key == key })?.value ?? field.node
        return ConfigField(node: node, path: childPath(key), file: field.file).error(kind, reason)
    }

    // Typed reads with the current (default) value for an absent key.

    mutating func int(_ key: String, _ current: Int, _ rule: Rule<Int>? = nil, doc: String) throws -> Int {
        document(key, type: "integer", default: String(current), rule: rule?.message, doc: doc)
        guard let f = field(key) else { return current }
        let v = try f.int()
        return try rule.map { try f.check(v, $0) } ?? v
    }

    mutating func optionalInt(_ key: String, _ current: Int?, _ rule: Rule<Int>? = nil, doc: String) throws -> Int? {
        document(key, type: "integer or null", default: current.map(String.init) ?? "null", rule: rule?.message, doc: doc)
        guard let f = field(key) else { return current }
        if f.node.isNull { return nil }
        let v = try f.int()
        return try rule.map { try f.check(v, $0) } ?? v
    }

    mutating func double(_ key: String, _ current: Double, _ rule: Rule<Double>? = nil, doc: String) throws -> Double {
        document(key, type: "number", default: ConfigNode.double(current).flow(), rule: rule?.message, doc: doc)
        guard let f = field(key) else { return current }
        let v = try f.double()
        return try rule.map { try f.check(v, $0) } ?? v
    }

    mutating func optionalDouble(_ key: String, _ current: Double?, _ rule: Rule<Double>? = nil, doc: String) throws -> Double? {
        document(key, type: "number or null", default: current.map { ConfigNode.double($0).flow() } ?? "null", rule: rule?.message, doc: doc)
        guard let f = field(key) else { return current }
        if f.node.isNull { return nil }
        let v = try f.double()
        return try rule.map { try f.check(v, $0) } ?? v
    }

    mutating func bool(_ key: String, _ current: Bool, doc: String) throws -> Bool {
        document(key, type: "boolean", default: String(current), doc: doc)
        guard let f = field(key) else { return current }
        return try f.bool()
    }

    mutating func string(_ key: String, _ current: String, doc: String) throws -> String {
        document(key, type: "string", default: ConfigNode.string(current).flow(), doc: doc)
        guard let f = field(key) else { return current }
        return try f.string()
    }

    mutating func optionalString(_ key: String, _ current: String?, doc: String) throws -> String? {
        document(key, type: "string or null", default: current.map { ConfigNode.string($0).flow() } ?? "null", doc: doc)
        guard let f = field(key) else { return current }
        return f.node.isNull ? nil : try f.string()
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ current: T, doc: String) throws -> T
    where T.RawValue == String {
        document(key, type: "one of: " + T.allCases.map(\.rawValue).joined(separator: ", "), default: current.rawValue, doc: doc)
        guard let f = field(key) else { return current }
        return try f.choice(T.self)
    }

    /// Rejects keys that no read asked for, suggesting the closest known key.
    func finish() throws {
        for entry in entries where !known.contains(entry.key) {
            throw ConfigError(
                kind: .unknownKey, file: field.file, line: entry.keyLine ?? entry.value.line, keyPath: childPath(entry.key),
                reason: closest(to: entry.key, among: known).map { "unknown key '\(entry.key)'; did you mean '\($0)'?" }
                    ?? "unknown key '\(entry.key)'; known keys here: \(known.joined(separator: ", "))",
                override: entry.value.origin)
        }
    }
}

/// The candidate within a few edits of `word`, if any: the "did you mean" of a message.
func closest(to word: String, among candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
    return best.0
}

/// Levenshtein distance.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in stride(from: 1, through: b.count, by: 1) {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
