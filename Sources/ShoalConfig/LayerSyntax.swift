import ShoalNN

/// The YAML spelling of layers and activations, both ways:
///
/// ```yaml
/// layers:
///   - flatten
///   - dense: {units: 256, activation: relu}
///   - conv2d: {filters: 32, kernel: 3, stride: 1, padding: valid, activation: relu}
///   - max_pool2d: {size: 2}          # stride: null = size
///   - dropout: {rate: 0.25}
///   - relu                           # also tanh, sigmoid, gelu, softmax, leaky_relu
///   - leaky_relu: {alpha: 0.01}
/// ```
enum LayerSyntax {
    static let activationNames = ["relu", "tanh", "sigmoid", "gelu", "softmax", "leaky_relu"]
    static let layerNames = ["dense", "conv2d", "max_pool2d", "dropout", "flatten"] + activationNames
    static let defaultLeakyAlpha: Float = 0.01

    // MARK: Reading

    static func layer(_ f: ConfigField) throws -> LayerSpec {
        if case .scalar = f.node.value {
            let name = try f.string()
            switch name {
            case "flatten": return .flatten
            case "dense", "conv2d", "max_pool2d", "dropout":
                throw f.error(.missingKey, "layer '\(name)' needs parameters, e.g. \(example(name))")
            default:
                guard let a = try activation(named: name, f) else {
                    throw f.error(.invalidValue, "'none' is not a layer")
                }
                return .activation(a)
            }
        }
        guard case .mapping(let entries) = f.node.value, entries.count == 1 else {
            throw f.error(
                .wrongType, "expected a layer: a name such as flatten, or one key such as dense: {units: 64}; got \(f.node.shown)")
        }
        let kind = entries[0].key
        let argsField = ConfigField(node: entries[0].value, path: f.path + "." + kind, file: f.file)
        var args = try ConfigMapping(argsField)
        let spec: LayerSpec
        switch kind {
        case "dense":
            let units = try args.required("units")
            spec = .dense(
                units: try units.check(try units.int(), .positive),
                activation: try optionalActivation(&args))
        case "conv2d":
            let filters = try args.required("filters")
            let kernel = try args.required("kernel")
            spec = .conv2D(
                filters: try filters.check(try filters.int(), .positive),
                kernel: try kernel.check(try kernel.int(), .positive),
                stride: try args.int("stride", 1, .positive),
                padding: try args.choice("padding", Padding.valid),
                activation: try optionalActivation(&args))
        case "max_pool2d":
            let size = try args.required("size")
            spec = .maxPool2D(size: try size.check(try size.int(), .positive), stride: try args.optionalInt("stride", nil, .positive))
        case "dropout":
            let rate = try args.required("rate")
            spec = .dropout(rate: try rate.check(try rate.double(), .unitInterval))
        case "flatten":
            spec = .flatten
        case "leaky_relu":
            spec = .activation(.leakyReLU(alpha: try leakyAlpha(&args)))
        default:
            guard activationNames.contains(kind) else {
                let hint = closest(to: kind, among: layerNames).map { " (did you mean '\($0)'?)" } ?? ""
                throw f.error(.invalidValue, "unknown layer '\(kind)'; expected one of: \(layerNames.joined(separator: ", "))\(hint)")
            }
            spec = .activation(try activation(named: kind, f)!)
        }
        try args.finish()
        return spec
    }

    /// The `activation` key of dense and conv2d: a name, `none`/null, or `{leaky_relu: {alpha: …}}`.
    static func optionalActivation(_ args: inout ConfigMapping) throws -> Activation? {
        guard let f = args.field("activation"), !f.node.isNull else { return nil }
        if case .mapping(let entries) = f.node.value, entries.count == 1, entries[0].key == "leaky_relu" {
            var inner = try ConfigMapping(ConfigField(node: entries[0].value, path: f.path + ".leaky_relu", file: f.file))
            let alpha = try leakyAlpha(&inner)
            try inner.finish()
            return .leakyReLU(alpha: alpha)
        }
        return try activation(named: try f.string(), f)
    }

    static func leakyAlpha(_ args: inout ConfigMapping) throws -> Float {
        Float(try args.double("alpha", Double(defaultLeakyAlpha), .nonNegative))
    }

    static func activation(named name: String, _ f: ConfigField) throws -> Activation? {
        switch name {
        case "relu": return .relu
        case "tanh": return .tanh
        case "sigmoid": return .sigmoid
        case "gelu": return .gelu
        case "softmax": return .softmax
        case "leaky_relu": return .leakyReLU(alpha: defaultLeakyAlpha)
        case "none": return nil
        default:
            let allowed = f.path.hasSuffix("activation") ? activationNames + ["none"] : layerNames
            let hint = closest(to: name, among: allowed).map { " (did you mean '\($0)'?)" } ?? ""
            throw f.error(.invalidValue, "unknown \(f.path.hasSuffix("activation") ? "activation" : "layer") '\(name)'; "
                + "expected one of: \(allowed.joined(separator: ", "))\(hint)")
        }
    }

    static func example(_ kind: String) -> String {
        switch kind {
        case "dense": return "dense: {units: 64, activation: relu}"
        case "conv2d": return "conv2d: {filters: 32, kernel: 3}"
        case "max_pool2d": return "max_pool2d: {size: 2}"
        default: return "dropout: {rate: 0.25}"
        }
    }

    // MARK: Writing

    static func node(_ layer: LayerSpec) -> ConfigNode {
        switch layer {
        case .flatten:
            return .string("flatten")
        case .activation(let a):
            return node(a)
        case let .dense(units, activation):
            return .mapping([("dense", .mapping([("units", .int(units)), ("activation", .optional(activation, node))]))])
        case let .conv2D(filters, kernel, stride, padding, activation):
            return .mapping([
                (
                    "conv2d",
                    .mapping([
                        ("filters", .int(filters)), ("kernel", .int(kernel)), ("stride", .int(stride)),
                        ("padding", .string(padding.rawValue)), ("activation", .optional(activation, node)),
                    ])
                )
            ])
        case let .maxPool2D(size, stride):
            return .mapping([("max_pool2d", .mapping([("size", .int(size)), ("stride", .optional(stride, ConfigNode.int))]))])
        case .dropout(let rate):
            return .mapping([("dropout", .mapping([("rate", .double(rate))]))])
        }
    }

    static func node(_ activation: Activation) -> ConfigNode {
        switch activation {
        case .relu: return .string("relu")
        case .tanh: return .string("tanh")
        case .sigmoid: return .string("sigmoid")
        case .gelu: return .string("gelu")
        case .softmax: return .string("softmax")
        case .leakyReLU(let alpha): return .mapping([("leaky_relu", .mapping([("alpha", .float(alpha))]))])
        }
    }
}
