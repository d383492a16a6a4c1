/// One `--set key.path=value` argument: a key path into the YAML tree (`optimizer.lr`,
/// `model.layers[1].dense.units`) and a value read as YAML (`0.01`, `[784]`, `null`).
///
/// It is applied to the tree before validation, so the value is checked like any other; keys
/// it creates carry the override text, and an unknown key is reported as coming from it.
struct ConfigOverride {
    enum Component: Equatable {
        case key(String)
        case index(Int)
    }

    let text: String
    let path: [Component]
    let value: ConfigNode
    let file: String

    init(_ text: String, file: String) throws {
        self.text = text
        self.file = file
        func bad(_ reason: String) -> ConfigError {
            ConfigError(kind: .badOverride, file: file, line: nil, keyPath: "", reason: reason, override: text)
        }
        guard let eq = text.firstIndex(of: "=") else { throw bad("expected key.path=value") }
        let keyText = String(text[..<eq]).trimmingWhitespace
        let valueText = String(text[text.index(after: eq)...])
        var components: [Component] = []
        for part in keyText.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            let name = rest.prefix { $0 != "[" }
            rest = rest.dropFirst(name.count)
            guard !name.isEmpty else { throw bad("empty key in '\(keyText)'") }
            components.append(.key(String(name)))
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]"), let i = Int(rest[rest.index(after: rest.startIndex)..<close]) else {
                    throw bad("malformed list index in '\(keyText)'; write e.g. model.layers[1].dense.units")
                }
                components.append(.index(i))
                rest = rest[rest.index(after: close)...]
            }
        }
        path = components
        var parsed: ConfigNode
        do {
            parsed = valueText.trimmingWhitespace.isEmpty ? ConfigNode.null : try ConfigNode.parse(yaml: valueText, file: file)
        } catch let error as ConfigError where error.kind == .tooLarge {
            throw ConfigError(kind: .tooLarge, file: "", line: nil, keyPath: keyText, reason: error.reason, override: text)
        } catch let error as ConfigError {
            // The value's own text is at fault, not the config file.
            throw ConfigError(kind: .badOverride, file: "", line: nil, keyPath: keyText, reason: "the value is not valid YAML: \(error.reason)",
                              override: text)
        }
        parsed.markOrigin(text)
        value = parsed
    }

    func apply(to root: inout ConfigNode) throws {
        try set(at: path[...], in: &root, walked: "")
    }

    private func set(at components: ArraySlice<Component>, in node: inout ConfigNode, walked: String) throws {
        guard let first = components.first else {
            node = value
            return
        }
        let rest = components.dropFirst()
        switch first {
        case .key(let key):
            var entries: [ConfigNode.Entry]
            if node.isNull {
                entries = []
                node.origin = node.origin ?? text
            } else if case .mapping(let e) = node.value {
                entries = e
            } else {
                throw error(walked, "is not a mapping, so it has no key '\(key)'")
            }
            let childPath = walked.isEmpty ? key : walked + "." + key
            if let i = entries.lastIndex(where: { $0.key == key }) {
                try set(at: rest, in: &entries[i].value, walked: childPath)
            } else {
                var child = ConfigNode.null
                child.origin = text
                try set(at: rest, in: &child, walked: childPath)
                entries.append(ConfigNode.Entry(key: key, keyLine: nil, value: child))
            }
            node.value = .mapping(entries)
        case .index(let index):
            guard case .sequence(var items) = node.value else { throw error(walked, "is not a list, so it has no item [\(index)]") }
            guard index >= 0 && index < items.count else {
                throw error(walked, "has \(items.count) items; index [\(index)] is out of range")
            }
            try set(at: rest, in: &items[index], walked: "\(walked)[\(index)]")
            node.value = .sequence(items)
        }
    }

    private func error(_ path: String, _ reason: String) -> ConfigError {
        ConfigError(kind: .badOverride, file: file, line: nil, keyPath: path, reason: reason, override: text)
    }
}

extension ConfigNode {
    /// Marks this node and everything under it as coming from override `text`, without lines.
    mutating func markOrigin(_ text: String) {
        origin = text
        line = nil
        switch value {
        case .scalar: break
        case .mapping(var entries):
            for i in entries.indices {
                entries[i].keyLine = nil
                entries[i].value.markOrigin(text)
            }
            value = .mapping(entries)
        case .sequence(var items):
            for i in items.indices { items[i].markOrigin(text) }
            value = .sequence(items)
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
