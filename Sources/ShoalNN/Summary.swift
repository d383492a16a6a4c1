extension Model {
    /// One row per `LayerSpec`: its name, type, per-sample output shape and parameter count.
    public struct LayerSummary: Sendable, Equatable {
        public let index: Int
        public let type: String
        public let outputShape: [Int]
        public let parameterCount: Int
    }

    /// The rows of `summary()`, in spec order (a folded output activation is not listed).
    public var layerSummaries: [LayerSummary] {
        var rows: [LayerSummary] = []
        for (layer, i) in zip(layers, specIndex) {
            let params = layer.parameterShapes.reduce(0) { $0 + $1.shape.reduce(1, *) }
            if let last = rows.last, last.index == i {
                // a fused activation: same row, its output shape
                rows[rows.count - 1] = LayerSummary(index: i, type: last.type, outputShape: layer.outputShape,
                                                    parameterCount: last.parameterCount + params)
            } else {
                rows.append(LayerSummary(index: i, type: blockTypes[i] ?? layer.typeName, outputShape: layer.outputShape, parameterCount: params))
            }
        }
        return rows
    }

    /// A Keras-`model.summary()`-like table.
    ///
    /// ```text
    /// Layer (type)                 Output Shape              Param #
    /// =================================================================
    /// layers.0 (Conv2D)            (None, 26, 26, 32)        320
    /// ...
    /// =================================================================
    /// Total params: 693,962
    /// ```
    public func summary() -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
        let rule = String(repeating: "=", count: 65), thin = String(repeating: "_", count: 65)
        var out = "Model (input \(formatShape(inputShape)), loss \(lossSpec.rawValue))\n\(thin)\n"
        out += pad("Layer (type)", 29) + pad("Output Shape", 26) + "Param #\n" + rule + "\n"
        for (k, row) in layerSummaries.enumerated() {
            out += pad("layers.\(row.index) (\(row.type))", 29) + pad("(None, " + row.outputShape.map(String.init).joined(separator: ", ") + ")", 26)
                + grouped(row.parameterCount) + "\n"
            if k + 1 < layerSummaries.count { out += thin + "\n" }
        }
        out += rule + "\n"
        out += "Total params: \(grouped(parameterCount))\nTrainable params: \(grouped(trainableCount))\n"
            + "Non-trainable params: \(grouped(parameterCount - trainableCount))\n"
        if let f = foldedOutputActivation { out += "Output activation \(f) folded into the loss: outputs are logits\n" }
        out += thin + "\n"
        return out
    }
}

/// 693962 → "693,962".
func grouped(_ n: Int) -> String {
    let s = String(n)
    var out = ""
    for (i, c) in s.enumerated() {
        if i > 0 && (s.count - i) % 3 == 0 { out += "," }
        out.append(c)
    }
    return out
}
