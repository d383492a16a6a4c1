extension Model {
    /// One row of `summary()`: a spec as built, its type, per-sample output shape and parameter
    /// count. A block's row counts every tensor inside it; with `expandNested` its inner specs
    /// follow it, one level deeper.
    public struct LayerSummary: Sendable, Equatable {
        /// The spec's index in the model's layer list (for a nested spec, its block's).
        public let index: Int
        /// The prefix of the spec's tensors: `layers.2`, or `layers.2.0.1` inside a block.
        public let name: String
        /// 0 for a spec of the model's list, 1 for one in its block, and so on.
        public let depth: Int
        public let type: String
        public let outputShape: [Int]
        public let parameterCount: Int
    }

    /// The rows of `summary()`, in spec order (a folded output activation is not listed).
    public var layerSummaries: [LayerSummary] { layerSummaries(expandNested: false) }

    /// The rows of `summary(expandNested:)`: the model's specs, and with `expandNested` the specs
    /// inside its blocks, each after its block. The rows one level inside a block sum to its count.
    ///
    /// ```swift
    /// let m = try Model(inputShape: [4, 8], layers: [.repeat(2, [.residual([.layerNorm(), .dense(units: 8)])])],
    ///                   loss: .meanSquaredError, seed: 1, maxBatch: 2)
    /// m.layerSummaries(expandNested: true).map(\.name)
    /// // ["layers.0", "layers.0.0.0", "layers.0.0.0.0", "layers.0.0.0.1", "layers.0.1.0", "layers.0.1.0.0", "layers.0.1.0.1"]
    /// ```
    public func layerSummaries(expandNested: Bool) -> [LayerSummary] {
        outline.compactMap { spec in
            // A spec whose only layer was a folded output activation has no row.
            guard expandNested || spec.depth == 0, let first = spec.layers.first, let last = spec.layers.last else { return nil }
            return LayerSummary(index: spec.place.index, name: spec.place.name, depth: spec.depth, type: spec.type ?? first.typeName,
                                outputShape: last.outputShape,
                                parameterCount: spec.layers.reduce(0) { $0 + $1.parameterShapes.reduce(0) { $0 + $1.shape.reduce(1, *) } })
        }
    }

    /// A Keras-`model.summary()`-like table; `expandNested` also lists the layers inside blocks,
    /// indented under their block, as Keras' `summary(expand_nested=True)`.
    ///
    /// ```text
    /// Layer (type)                 Output Shape              Param #
    /// =================================================================
    /// layers.0 (Conv2D)            (None, 26, 26, 32)        320
    /// ...
    /// =================================================================
    /// Total params: 693,962
    /// ```
    public func summary(expandNested: Bool = false) -> String {
        let rows = layerSummaries(expandNested: expandNested)
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
        func label(_ row: LayerSummary) -> String { String(repeating: "  ", count: row.depth) + "\(row.name) (\(row.type))" }
        // Nested names are long: the first column grows to fit them. The collapsed table keeps Keras' widths.
        let width = expandNested ? max(29, (rows.map { label($0).count + 1 }.max() ?? 0)) : 29
        let rule = String(repeating: "=", count: width + 36), thin = String(repeating: "_", count: width + 36)
        var out = "Model (input \(formatShape(inputShape)), loss \(lossSpec.rawValue))\n\(thin)\n"
        out += pad("Layer (type)", width) + pad("Output Shape", 26) + "Param #\n" + rule + "\n"
        for (k, row) in rows.enumerated() {
            out += pad(label(row), width) + pad("(None, " + row.outputShape.map(String.init).joined(separator: ", ") + ")", 26)
                + grouped(row.parameterCount) + "\n"
            // A block and the rows inside it form one group.
            if k + 1 < rows.count && rows[k + 1].depth == 0 { out += thin + "\n" }
        }
        out += rule + "\n"
        out += "Total params: \(grouped(parameterCount))\nTrainable params: \(grouped(trainableCount))\n"
            + "Non-trainable params: \(grouped(parameterCount - trainableCount))\n"
        if let f = foldedOutputActivation { out += "Output activation \(f) folded into the loss: outputs are logits\n" }
        out += thin + "\n"
        return out
    }
}

/// A spec as `Model.build` built it, at any depth: a row of the summary.
struct BuiltSpec {
    let place: LayerPlace
    /// 0 for a spec of the model's list, 1 for one in its block, and so on.
    let depth: Int
    /// The syntax's own name for a block (`Repeat ×4`); nil: the first layer's type.
    var type: String?
    /// The layers the spec built; a block's include those of its inner specs.
    var layers: [any Layer]
}

/// Records the specs as `Model.build` builds them, a block before its inner specs: opened before
/// a spec's build function runs, closed with the layers it returned. Depth is the number of
/// specs open at once.
final class BuildOutline {
    private(set) var entries: [BuiltSpec] = []
    private var openCount = 0

    /// Starts the entry of the spec at `place`; returns its position for `close`.
    func open(_ place: LayerPlace) -> Int {
        entries.append(BuiltSpec(place: place, depth: openCount, type: nil, layers: []))
        openCount += 1
        return entries.count - 1
    }

    func close(_ entry: Int, type: String?, layers: [any Layer]) {
        entries[entry].type = type
        entries[entry].layers = layers
        openCount -= 1
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
