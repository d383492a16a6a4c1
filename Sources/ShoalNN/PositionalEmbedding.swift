import ShoalTensor

/// Learned positional embedding: adds a trained vector per position, `y[t] = x[t] + P[t]`.
///
/// Shapes: x and y are (B, T, C), weight P is (T, C) (GPT-2's `wpe`). Backward: dP[t] += Σ_b dy[b, t]
/// and dx = dy.
final class PositionalEmbedding: Layer {
    static let syntax = LayerSyntax(
        name: "positional_embedding", summary: "adds a learned vector per position to a (T, C) input: the table is (T, C)",
        example: "positional_embedding"
    ) { context throws(ModelError) in
        [try PositionalEmbedding(place: context.place, inputShape: context.inputShape)]
    }

    let typeName = "PositionalEmbedding"
    let place: LayerPlace
    let positions: Int, width: Int
    var outputShape: [Int] { [positions, width] }
    private var table: BoundParameter!

    init(place: LayerPlace, inputShape: [Int]) throws(ModelError) {
        guard inputShape.count == 2 else {
            throw place.fail("PositionalEmbedding", "needs a sequence (T, C) input, got \(formatShape(inputShape)); put it after embedding")
        }
        self.place = place
        positions = inputShape[0]
        width = inputShape[1]
    }

    var parameterShapes: [ParameterShape] {
        [.weight(place.tensor("weight"), [positions, width], fanIn: width, fanOut: positions)]
    }

    func bind(_ arena: ParameterArena) { table = BoundParameter(arena, place.tensor("weight")) }

    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch B: Int, context: ForwardContext) {
        let n = positions * width
        for b in 0..<B {
            // y[b, t, c] = x[b, t, c] + P[t, c]
            let xb = x + b * n, yb = y + b * n
            for i in 0..<n { yb[i] = xb[i] + table.value[i] }
        }
    }

    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch B: Int) {
        let n = positions * width
        // forward: y = x + P[t], so dP[t] += Σ_b dy[b, t] and dx = dy
        for b in 0..<B { add(dy + b * n, into: table.gradient, count: n) }
        if let dx { copy(dy, to: dx, count: B * n) }
    }
}

extension LayerSpec {
    /// A learned vector per position added to a (T, C) input.
    public static var positionalEmbedding: LayerSpec { LayerSpec(kind: "positional_embedding") }
}
