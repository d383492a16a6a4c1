import Foundation
// libyaml, which Yams builds as its module CYaml: its event stream is the only view of a YAML
// text in which aliases are still references, so their expansion can be counted without doing it.
import CYaml

/// The bounds a config text must keep, so that no file makes `shoal` hang or run out of memory.
///
/// - A config file holds at most ``maximumFileBytes`` (1 MiB); the largest shipped config is a
///   few kilobytes. Larger files are refused before they are read whole.
/// - A YAML document, with every alias (`*name`) expanded, holds at most ``maximumNodes``
///   (100,000) scalars, lists and mappings. Aliases may share structure, but nine levels of ten
///   aliases (a "billion laughs" file) would expand to 10⁹ nodes.
/// - Mapping keys are plain scalars (an alias of a list or mapping cannot be a key).
/// - libyaml itself refuses nesting deeper than 1,000 levels.
///
/// ```swift
/// let text = String(repeating: "# padding\n", count: 200_000)   // 2 MB
/// try ConfigLimits.check(yaml: text, file: "configs/x.yaml")   // throws ConfigError(kind: .tooLarge)
/// ```
enum ConfigLimits {
    /// The largest config text accepted, in bytes.
    static let maximumFileBytes = 1 << 20
    /// The most nodes a document may hold once its aliases are expanded.
    static let maximumNodes = 100_000

    /// Refuses a text above ``maximumFileBytes`` or whose alias expansion exceeds
    /// ``maximumNodes``, in time linear in its length. A text that libyaml cannot parse passes:
    /// Yams reports the syntax error itself.
    static func check(yaml: String, file: String) throws(ConfigError) {
        let bytes = Array(yaml.utf8)
        guard bytes.count <= maximumFileBytes else { throw tooLargeFile(file) }
        guard bytes.contains(UInt8(ascii: "*")) else { return }  // no alias: nothing expands
        var counter = ExpansionCounter(file: file)
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        try bytes.withUnsafeBufferPointer { (input) throws(ConfigError) in
            yaml_parser_set_input_string(&parser, input.baseAddress, input.count)
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return }
                try counter.take(event)
            }
        }
    }

    static func tooLargeFile(_ file: String) -> ConfigError {
        ConfigError(
            kind: .tooLarge, file: file, line: nil, keyPath: "",
            reason: "the config is larger than \(maximumFileBytes) bytes (1 MiB), the most a config may hold: is this the right file?")
    }
}

/// Walks libyaml's events keeping, for each anchor, the size of its node once expanded, so an
/// alias costs one lookup: the count is exact and the walk linear in the text.
private struct ExpansionCounter {
    struct Open {
        var anchor: String?
        var isMapping: Bool
        var nodes = 1
        var children = 0
    }

    let file: String
    var open: [Open] = []
    var anchors: [String: (nodes: Int, isScalar: Bool)] = [:]
    var total = 0

    init(file: String) { self.file = file }

    mutating func take(_ event: yaml_event_t) throws(ConfigError) {
        let line = Int(event.start_mark.line) + 1
        switch event.type {
        case YAML_SCALAR_EVENT:
            try close(nodes: 1, isScalar: true, anchor: Self.text(event.data.scalar.anchor), line: line)
        case YAML_ALIAS_EVENT:
            // An undefined alias counts one; Yams then reports it.
            let target = Self.text(event.data.alias.anchor).flatMap { anchors[$0] } ?? (1, true)
            try close(nodes: target.nodes, isScalar: target.isScalar, anchor: nil, line: line)
        case YAML_SEQUENCE_START_EVENT:
            open.append(Open(anchor: Self.text(event.data.sequence_start.anchor), isMapping: false))
        case YAML_MAPPING_START_EVENT:
            open.append(Open(anchor: Self.text(event.data.mapping_start.anchor), isMapping: true))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let done = open.popLast() else { return }
            try close(nodes: done.nodes, isScalar: false, anchor: done.anchor, line: line)
        default:
            break
        }
    }

    /// A complete node of `nodes` expanded nodes: added to its parent (or the document total).
    private mutating func close(nodes: Int, isScalar: Bool, anchor: String?, line: Int) throws(ConfigError) {
        if let anchor { anchors[anchor] = (nodes, isScalar) }
        guard var parent = open.popLast() else {
            total += nodes
            if total > ConfigLimits.maximumNodes { throw tooMany(line) }
            return
        }
        // Yams hashes mapping keys to find duplicates: an aliased list as a key would be hashed
        // expanded. A config's keys are plain names anyway.
        if parent.isMapping, parent.children % 2 == 0, !isScalar {
            throw ConfigError(kind: .syntax, file: file, line: line, keyPath: "", reason: "keys must be plain names")
        }
        parent.nodes += nodes
        parent.children += 1
        open.append(parent)
        if parent.nodes > ConfigLimits.maximumNodes { throw tooMany(line) }
    }

    private func tooMany(_ line: Int) -> ConfigError {
        ConfigError(
            kind: .tooLarge, file: file, line: line, keyPath: "",
            reason: "with its aliases (*name) expanded the document holds more than \(ConfigLimits.maximumNodes) nodes, "
                + "the most a config may hold; write the repeated values out or use fewer aliases")
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
