import ShoalTensor

/// Token embedding: each position's token id picks a row of the table, `y[t] = W[x[t]]`.
///
/// Shapes: x is (B, T) token ids stored as Float (exact up to 2^24), weight is (vocab, width) as in
/// PyTorch `nn.Embedding`, y is (B, T, width). There is no input gradient (tokens are not
/// differentiable); backward adds each position's dy row into the row of its token. An id outside
/// `0..<vocab` (which the data readers refuse) reads and receives zeros rather than memory it
/// does not own.
final class Embedding: Layer {
    static let syntax = LayerSyntax(
        name: "embedding", summary: "token ids (T) to vectors (T, width): rows of a (vocab, width) table, as PyTorch nn.Embedding",
        arguments: [.init("vocab", .int(minimum: 1), doc: "number of distinct tokens (ids 0..<vocab)"),
                    .init("width", .int(minimum: 1), doc: "length of each vector")],
        example: "embedding: {vocab: 113, width: 128}"
    ) { context throws(ModelError) in
        [try Embedding(place: context.place, vocab: try context.int("vocab"), width: try context.int("width"), inputShape: context.inputShape)]
    }

    let typeName = "Embedding"
    let place: LayerPlace
    let vocab: Int, width: Int, positions: Int
    var outputShape: [Int] { [positions, width] }
    private var table: BoundParameter!

    init(place: LayerPlace, vocab: Int, width: Int, inputShape: [Int]) throws(ModelError) {
        guard inputShape.count == 1 else {
            throw place.fail("Embedding", "needs a (positions) input of token ids, got \(formatShape(inputShape))")
        }
        self.place = place
        self.vocab = vocab
        self.width = width
        positions = inputShape[0]
    }

    var parameterShapes: [ParameterShape] { [.weight(place.tensor("weight"), [vocab, width], fanIn: width, fanOut: vocab)] }

    func bind(_ arena: ParameterArena) { table = BoundParameter(arena, place.tensor("weight")) }

    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch B: Int, context: ForwardContext) {
        let C = width
        for i in 0..<B * positions {
            // y[i, :] = W[x[i], :]
            let row = y + i * C
            if let token = tokenIndex(x[i]) { copy(table.value + token * C, to: row, count: C) } else { zero(row, count: C) }
        }
    }

    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch B: Int) {
        let C = width
        for i in 0..<B * positions {
            // forward: y[i, :] = W[x[i], :], so dW[x[i], :] += dy[i, :]
            if let token = tokenIndex(x[i]) { add(dy + i * C, into: table.gradient + token * C, count: C) }
        }
        if let dx { zero(dx, count: B * positions) }
    }

    @inline(__always)
    private func tokenIndex(_ value: Float) -> Int? {
        value >= 0 && value < Float(vocab) ? Int(value) : nil
    }
}

extension LayerSpec {
    /// Token ids (T) to vectors (T, width).
    public static func embedding(vocab: Int, width: Int) -> LayerSpec {
        LayerSpec(kind: "embedding", arguments: ["vocab": .int(vocab), "width": .int(width)])
    }
}
