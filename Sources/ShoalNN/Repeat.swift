/// A block of layers repeated `count` times, each copy with its own parameters (GPT's stack of
/// transformer blocks): copy k's layer j has tensors `layers.<i>.<k>.<j>.…`. It adds no layer of
/// its own: the copies are built one after another into the model.
enum Repeat {
    static let syntax = LayerSyntax(
        name: "repeat", summary: "the listed layers repeated count times, each copy with its own parameters",
        arguments: [.init("count", .int(minimum: 1), doc: "number of copies"),
                    .init("layers", .layers, doc: "the layers of one copy, in order")],
        example: "repeat: {count: 4, layers: [{residual: [layer_norm, {attention: {heads: 4}}]}]}",
        // Its layers are the copies' own, so the summary names the block from its count.
        summaryType: { arguments in
            guard case .int(let count)? = arguments["count"] else { return nil }
            return "Repeat ×\(count)"
        }
    ) { context throws(ModelError) in
        let body = try context.layers("layers")
        var layers: [any Layer] = [], shape = context.inputShape
        for k in 0..<(try context.int("count")) {
            let copy = try context.buildBlock(body, context.place.child(k), shape)
            layers += copy
            shape = copy.last?.outputShape ?? shape
        }
        return layers
    }
}

extension LayerSpec {
    /// `layers` repeated `count` times with separate parameters.
    public static func `repeat`(_ count: Int, _ layers: [LayerSpec]) -> LayerSpec {
        LayerSpec(kind: "repeat", arguments: ["count": .int(count), "layers": .layers(layers)])
    }
}
