import Foundation
import Yams

/// The YAML tree the config is read from and rendered to: scalars keep their text (typing is
/// the schema's job, so errors can say what was expected), every node keeps its line, and
/// nodes put there by a `--set` override remember it.
struct ConfigNode: Equatable {
    struct Entry: Equatable {
        var key: String
        var keyLine: Int?
        var value: ConfigNode
    }

    enum Value: Equatable {
        /// Text and whether it was quoted (a quoted "null" or "12" is a string).
        case scalar(String, quoted: Bool)
        case mapping([Entry])
        case sequence([ConfigNode])
    }

    var value: Value
    var line: Int? = nil
    var origin: String? = nil

    init(_ value: Value, line: Int? = nil, origin: String? = nil) {
        self.value = value
        self.line = line
        self.origin = origin
    }

    /// Converts Yams' composed tree, rejecting what a config has no use for (non-scalar keys).
    init(yams node: Yams.Node, file: String, path: String = "") throws {
        switch node {
        case .scalar(let s):
            self.init(.scalar(s.string, quoted: s.style != .plain && s.style != .any), line: s.mark?.line)
        case .mapping(let m):
            var entries: [Entry] = []
            for (k, v) in m {
                guard case .scalar(let key) = k else {
                    throw ConfigError(
                        kind: .syntax, file: file, line: k.mark?.line, keyPath: path, reason: "keys must be plain names")
                }
                let childPath = path.isEmpty ? key.string : path + "." + key.string
                entries.append(Entry(key: key.string, keyLine: key.mark?.line, value: try ConfigNode(yams: v, file: file, path: childPath)))
            }
            self.init(.mapping(entries), line: m.mark?.line)
        case .sequence(let s):
            var items: [ConfigNode] = []
            for (i, v) in s.enumerated() { items.append(try ConfigNode(yams: v, file: file, path: "\(path)[\(i)]")) }
            self.init(.sequence(items), line: s.mark?.line)
        case .alias:
            throw ConfigError(kind: .syntax, file: file, line: node.mark?.line, keyPath: path, reason: "aliases are not supported")
        }
    }

    /// Parses YAML text; an empty document is an empty mapping.
    ///
    /// - Throws: ``ConfigError`` for a syntax error, or a text beyond ``ConfigLimits``.
    static func parse(yaml: String, file: String) throws -> ConfigNode {
        // Before Yams: composing is linear, but hashing an aliased key and converting are not.
        try ConfigLimits.check(yaml: yaml, file: file)
        let root: Yams.Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(kind: .syntax, file: file, line: ConfigNode.line(of: error), keyPath: "", reason: ConfigNode.reason(of: error))
        }
        guard let root else { return ConfigNode(.mapping([])) }
        return try ConfigNode(yams: root, file: file)
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        case .duplicatedKeysInMapping(_, let context): return context.mark.line
        default: return nil
        }
    }

    static func reason(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
            .composer(let context, let problem, _, _):
            let c = context.map { "\($0.text) " } ?? ""
            return "YAML syntax error: \(c)\(problem)"
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate key \(duplicates.joined(separator: ", "))"
        default:
            return "YAML syntax error: \(error)"
        }
    }

    // MARK: Building

    static func string(_ s: String) -> ConfigNode { ConfigNode(.scalar(s, quoted: needsQuotes(s))) }
    static func int(_ i: Int) -> ConfigNode { ConfigNode(.scalar(String(i), quoted: false)) }
    static func uint(_ i: UInt64) -> ConfigNode { ConfigNode(.scalar(String(i), quoted: false)) }
    static func bool(_ b: Bool) -> ConfigNode { ConfigNode(.scalar(b ? "true" : "false", quoted: false)) }
    static let null = ConfigNode(.scalar("null", quoted: false))
    static func double(_ d: Double) -> ConfigNode { ConfigNode(.scalar(canonical(d.description), quoted: false)) }
    static func float(_ f: Float) -> ConfigNode { ConfigNode(.scalar(canonical(f.description), quoted: false)) }
    static func optional<T>(_ v: T?, _ make: (T) -> ConfigNode) -> ConfigNode { v.map(make) ?? .null }
    static func mapping(_ pairs: [(String, ConfigNode)]) -> ConfigNode {
        ConfigNode(.mapping(pairs.map { Entry(key: $0.0, keyLine: nil, value: $0.1) }))
    }
    static func sequence(_ items: [ConfigNode]) -> ConfigNode { ConfigNode(.sequence(items)) }

    /// `1e-08` → `1.0e-08`: YAML 1.1 readers (PyYAML) want a dot in a float.
    static func canonical(_ number: String) -> String {
        guard let e = number.firstIndex(where: { $0 == "e" || $0 == "E" }), !number[..<e].contains(".") else { return number }
        return number[..<e] + ".0" + number[e...]
    }

    /// Plain only for identifier- and path-like text that no YAML reader would take for a
    /// number, boolean or null.
    static func needsQuotes(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.properties.isAlphabetic || first == "_" || first == "/" else {
            return true
        }
        let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"]
        if reserved.contains(s.lowercased()) { return true }
        return !s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-./".unicodeScalars.contains($0) }
    }

    // MARK: Reading

    var isNull: Bool {
        guard case .scalar(let text, quoted: false) = value else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(text)
    }

    /// A short description for "expected X, got Y" messages.
    var shown: String {
        switch value {
        case .scalar(let text, _): return "\"\(text)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    // MARK: Rendering

    /// Block-style YAML with two-space indentation, in the entries' order.
    func yaml() -> String {
        guard case .mapping(let entries) = value else { return flow() + "\n" }
        var out = ""
        ConfigNode.emit(entries, indent: "", into: &out)
        return out
    }

    private static func emit(_ entries: [Entry], indent: String, into out: inout String) {
        for e in entries {
            switch e.value.value {
            case .mapping(let inner) where !inner.isEmpty:
                out += "\(indent)\(e.key):\n"
                emit(inner, indent: indent + "  ", into: &out)
            case .sequence(let items) where items.contains(where: { if case .scalar = $0.value { false } else { true } }):
                out += "\(indent)\(e.key):\n"
                for item in items { out += "\(indent)  - \(item.itemText())\n" }
            default:
                out += "\(indent)\(e.key): \(e.value.flow())\n"
            }
        }
    }

    /// A list item: a one-key mapping reads as `key: {…}`, anything else in flow style.
    private func itemText() -> String {
        if case .mapping(let entries) = value, entries.count == 1 {
            return "\(entries[0].key): \(entries[0].value.flow())"
        }
        return flow()
    }

    func flow() -> String {
        switch value {
        case .scalar(let text, let quoted):
            guard quoted else { return text }
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        case .mapping(let entries):
            return "{" + entries.map { "\($0.key): \($0.value.flow())" }.joined(separator: ", ") + "}"
        case .sequence(let items):
            return "[" + items.map { $0.flow() }.joined(separator: ", ") + "]"
        }
    }

    /// Every scalar with its key path, for differences between two configs.
    func flattened(path: String = "") -> [(path: String, text: String)] {
        switch value {
        case .scalar: return [(path, flow())]
        case .mapping(let entries):
            if entries.isEmpty { return [(path, "{}")] }
            return entries.flatMap { $0.value.flattened(path: path.isEmpty ? $0.key : path + "." + $0.key) }
        case .sequence(let items):
            if items.isEmpty { return [(path, "[]")] }
            return items.enumerated().flatMap { $0.element.flattened(path: "\(path)[\($0.offset)]") }
        }
    }
}

