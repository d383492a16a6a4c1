import ShoalNN

/// The YAML spelling of layers, read and written from each layer kind's ``LayerSyntax``:
///
/// ```yaml
/// layers:
///   - flatten                        # a kind whose arguments all have defaults: its bare name
///   - dense: {units: 256, activation: relu}
///   - conv2d: {filters: 32, kernel: 3, stride: 1, padding: valid, activation: relu}
///   - max_pool2d: {size: 2}          # stride: null = size
///   - dropout: {rate: 0.25}
///   - leaky_relu: {alpha: 0.01}
/// ```
///
/// An `activation:` argument is a name, `none`/null, or `{leaky_relu: {alpha: 0.01}}`.
enum LayerYAML {
    // MARK: Reading

    /// `topLevel`: a layer of `model.layers` itself, which may say `trainable: false`; a block's
    /// layers may not (the key is then unknown).
    static func layer(_ f: ConfigField, topLevel: Bool = false) throws -> LayerSpec {
        if case .scalar = f.node.value {
            let name = try f.string()
            let syntax = try syntax(named: name, f)
            guard syntax.takesBareName else {
                throw f.error(.missingKey, "layer '\(name)' needs parameters, e.g. \(syntax.example)")
            }
            return LayerSpec(kind: name, arguments: syntax.filled(defaults: [:]))
        }
        guard case .mapping(let entries) = f.node.value, entries.count == 1 else {
            throw f.error(
                .wrongType, "expected a layer: a name such as flatten, or one key such as dense: {units: 64}; got \(f.node.shown)")
        }
        let kind = entries[0].key
        let syntax = try syntax(named: kind, ConfigField(node: .string(kind), path: f.path, file: f.file))
        // `residual: [a, b]` is short for `residual: {layers: [a, b]}`.
        var body = entries[0].value
        if case .sequence = body.value, syntax.arguments.contains(where: { $0.name == "layers" }) {
            body = ConfigNode(.mapping([ConfigNode.Entry(key: "layers", keyLine: body.line, value: body)]), line: body.line, origin: body.origin)
        }
        var args = try ConfigMapping(ConfigField(node: body, path: f.path + "." + kind, file: f.file))
        var values: [String: LayerValue] = [:]
        for argument in syntax.arguments {
            let field = argument.defaultValue == nil ? try args.required(argument.name) : args.field(argument.name)
            guard let field else { continue }
            values[argument.name] = try value(field, argument)
        }
        let trainable = topLevel ? try args.bool("trainable", true, doc: "false freezes the layer's tensors") : true
        try args.finish()
        return LayerSpec(kind: kind, arguments: syntax.filled(defaults: values), trainable: trainable)
    }

    private static func syntax(named name: String, _ f: ConfigField) throws -> LayerSyntax {
        if let syntax = LayerRegistry.syntax(named: name) { return syntax }
        if name == "none" { throw f.error(.invalidValue, "'none' is not a layer") }
        let hint = closest(to: name, among: LayerRegistry.names).map { " (did you mean '\($0)'?)" } ?? ""
        throw f.error(.invalidValue, "unknown layer '\(name)'; expected one of: \(LayerRegistry.names.joined(separator: ", "))\(hint)")
    }

    private static func value(_ f: ConfigField, _ argument: ArgumentSyntax) throws -> LayerValue {
        if f.node.isNull {
            guard argument.nullable || argument.type == .activation else { throw f.error(.wrongType, "expected a value, got null") }
            return .null
        }
        switch argument.type {
        case .int(let minimum):
            return .int(try f.check(try f.int(), Rule(minimum == 1 ? "must be > 0" : "must be ≥ \(minimum)") { $0 >= minimum }))
        case .double(let rule):
            return .double(try f.check(try f.double(), Rule(rule.message, rule.allows)))
        case .choice(let allowed):
            let text = try f.string()
            guard allowed.contains(text) else {
                let hint = closest(to: text, among: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                throw f.error(.invalidValue, "unknown value \"\(text)\"; expected one of: \(allowed.joined(separator: ", "))\(hint)")
            }
            return .string(text)
        case .bool:
            return .bool(try f.bool())
        case .string:
            return .string(try f.string())
        case .layers:
            return .layers(try f.items().map { try layer($0) })
        case .activation:
            return try activation(f).map(LayerValue.activation) ?? .null
        }
    }

    /// An `activation:` value: a name, `none`/null, or `{leaky_relu: {alpha: …}}`.
    static func activation(_ f: ConfigField) throws -> Activation? {
        if f.node.isNull { return nil }
        if case .mapping(let entries) = f.node.value, entries.count == 1, entries[0].key == "leaky_relu" {
            var inner = try ConfigMapping(ConfigField(node: entries[0].value, path: f.path + ".leaky_relu", file: f.file))
            let alpha = try inner.double("alpha", Double(Activation.defaultLeakyAlpha), .nonNegative, doc: "slope for x < 0")
            try inner.finish()
            return .leakyReLU(alpha: Float(alpha))
        }
        if case .mapping(let entries) = f.node.value, entries.count == 1, entries[0].key == "gelu" {
            var inner = try ConfigMapping(ConfigField(node: entries[0].value, path: f.path + ".gelu", file: f.file))
            let form = try inner.string("approximate", "none", doc: "none (erf) or tanh")
            try inner.finish()
            guard ["none", "tanh"].contains(form) else {
                throw inner.error("approximate", .invalidValue, "unknown value \"\(form)\"; expected one of: none, tanh")
            }
            return form == "tanh" ? .geluTanh : .gelu
        }
        let name = try f.string()
        if name == "none" { return nil }
        guard let activation = Activation(name: name) else {
            let allowed = Activation.names + ["none"]
            let hint = closest(to: name, among: allowed).map { " (did you mean '\($0)'?)" } ?? ""
            throw f.error(.invalidValue, "unknown activation '\(name)'; expected one of: \(allowed.joined(separator: ", "))\(hint)")
        }
        return activation
    }

    // MARK: Writing

    static func node(_ layer: LayerSpec) -> ConfigNode {
        guard let syntax = LayerRegistry.syntax(named: layer.kind), !syntax.arguments.isEmpty else { return .string(layer.kind) }
        if syntax.arguments.count == 1, syntax.arguments[0].type == .layers, let value = layer.arguments[syntax.arguments[0].name] {
            return .mapping([(layer.kind, node(value))])  // residual: [a, b]
        }
        let arguments = syntax.arguments.map { ($0.name, node(layer.arguments[$0.name] ?? .null)) }
        return .mapping([(layer.kind, .mapping(arguments + (layer.trainable ? [] : [("trainable", ConfigNode.bool(false))])))])
    }

    static func node(_ value: LayerValue) -> ConfigNode {
        switch value {
        case .int(let i): .int(i)
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        case .bool(let b): .bool(b)
        case .null: .null
        case .activation(.leakyReLU(let alpha)): .mapping([("leaky_relu", .mapping([("alpha", .float(alpha))]))])
        case .activation(.geluTanh): .mapping([("gelu", .mapping([("approximate", .string("tanh"))]))])
        case .layers(let layers): .sequence(layers.map(node))
        case .activation(let a): .string(a.name)
        }
    }
}

extension LayerSyntax {
    /// `values` with every argument the config left out set to its default (the reader has
    /// already required the arguments without one).
    func filled(defaults values: [String: LayerValue]) -> [String: LayerValue] {
        var all = values
        for argument in arguments where all[argument.name] == nil { all[argument.name] = argument.defaultValue ?? .null }
        return all
    }
}
