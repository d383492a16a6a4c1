import ShoalTensor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One LSTM layer over a sequence, in PyTorch `nn.LSTM`'s layout and gate order (i, f, g, o),
/// trained by backpropagation through time.
///
/// Shapes (B samples, T steps, I inputs, H units):
/// - x: (B, T, I); y: (B, T, H) with `return_sequences`, else (B, H), the last hidden state
/// - `weight_ih` (4H, I), `weight_hh` (4H, H), `bias_ih` (4H), `bias_hh` (4H)
/// - gates: (B, T, 4H), the activated i, f, g, o of every step; cells: (B, T + 1, H) and
///   hidden: (B, T + 1, H), step 0 being the zero initial state; dgates (B, T, 4H), dh and dc
///   (B, H) carried backwards through time
///
/// The input projection of all steps is one GEMM; each step then adds h(t−1) · W_hhᵀ with one
/// GEMM over the batch, reading h(t−1) in place (leading dimension (T + 1)·H).
final class LSTM: Layer {
    static let syntax = LayerSyntax(
        name: "lstm", summary: "one LSTM layer over a (T, inputs) sequence, PyTorch's layout and gate order (i, f, g, o)",
        arguments: [.init("units", .int(minimum: 1), doc: "hidden units H"),
                    .init("return_sequences", .bool, default: .bool(false),
                          doc: "true: the hidden state of every step, (T, H); false: the last one, (H)")],
        example: "lstm: {units: 64, return_sequences: true}"
    ) { context throws(ModelError) in
        [try LSTM(place: context.place, units: try context.int("units"), returnSequences: try context.bool("return_sequences"),
                  inputShape: context.inputShape, maxBatch: context.maxBatch, memory: context.memory)]
    }

    let typeName = "LSTM"
    let place: LayerPlace
    let T: Int, inputs: Int, units: Int
    let returnSequences: Bool
    var outputShape: [Int] { returnSequences ? [T, units] : [units] }
    var multiplyAddsPerSample: Int { T * 4 * units * (inputs + units) }
    private var weightIH: BoundParameter!, weightHH: BoundParameter!, biasIH: BoundParameter!, biasHH: BoundParameter!
    private let gates: UnsafeMutableBufferPointer<Float>   // (maxBatch, T, 4H)
    private let cells: UnsafeMutableBufferPointer<Float>   // (maxBatch, T + 1, H)
    private let hidden: UnsafeMutableBufferPointer<Float>  // (maxBatch, T + 1, H)
    private let dgates: UnsafeMutableBufferPointer<Float>  // (maxBatch, T, 4H)
    private let dh: UnsafeMutableBufferPointer<Float>      // (maxBatch, H)
    private let dc: UnsafeMutableBufferPointer<Float>      // (maxBatch, H)

    init(place: LayerPlace, units: Int, returnSequences: Bool, inputShape: [Int], maxBatch: Int, memory: ModelMemory) throws(ModelError) {
        guard inputShape.count == 2 else {
            throw place.fail("LSTM", "needs a sequence (T, inputs) input, got \(formatShape(inputShape))")
        }
        self.place = place
        T = inputShape[0]
        inputs = inputShape[1]
        self.units = units
        self.returnSequences = returnSequences
        let buffers = try memory.floats([[maxBatch, T, 4, units], [maxBatch, T + 1, units], [maxBatch, T + 1, units],
                                         [maxBatch, T, 4, units], [maxBatch, units], [maxBatch, units]], for: place, "LSTM")
        (gates, cells, hidden, dgates, dh, dc) = (buffers[0], buffers[1], buffers[2], buffers[3], buffers[4], buffers[5])
    }

    deinit {
        for buffer in [gates, cells, hidden, dgates, dh, dc] { buffer.baseAddress?.deallocate() }
    }

    var scratchBytes: Int { [gates, cells, hidden, dgates, dh, dc].reduce(0) { $0 + $1.count } * 4 }

    var parameterShapes: [ParameterShape] {
        let H4 = 4 * units
        return [.weight(place.tensor("weight_ih"), [H4, inputs], fanIn: inputs, fanOut: H4),
                .weight(place.tensor("weight_hh"), [H4, units], fanIn: units, fanOut: H4),
                .bias(place.tensor("bias_ih"), [H4]), .bias(place.tensor("bias_hh"), [H4])]
    }

    func bind(_ arena: ParameterArena) {
        weightIH = BoundParameter(arena, place.tensor("weight_ih"))
        weightHH = BoundParameter(arena, place.tensor("weight_hh"))
        biasIH = BoundParameter(arena, place.tensor("bias_ih"))
        biasHH = BoundParameter(arena, place.tensor("bias_hh"))
    }

    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch B: Int, context: ForwardContext) {
        let H = units, H4 = 4 * H, a = gates.baseAddress!, c = cells.baseAddress!, h = hidden.baseAddress!
        // a = x · W_ihᵀ + b_ih + b_hh, for every (b, t) at once   (B·T, 4H)
        for r in 0..<B * T {
            for j in 0..<H4 { a[r * H4 + j] = biasIH.value[j] + biasHH.value[j] }
        }
        context.multiplyTransposed(m: B * T, n: H4, k: inputs, a: x, lda: inputs, b: weightIH.value, ldb: inputs,
                                   accumulate: true, c: a, ldc: H4)
        for b in 0..<B {
            zero(c + b * (T + 1) * H, count: H)
            zero(h + b * (T + 1) * H, count: H)
        }
        for t in 0..<T {
            // a(t) += h(t−1) · W_hhᵀ   (B, 4H), rows b at stride T·4H, h(t−1) rows at stride (T+1)·H
            context.multiplyTransposed(m: B, n: H4, k: H, a: h + t * H, lda: (T + 1) * H, b: weightHH.value, ldb: H,
                                       accumulate: true, c: a + t * H4, ldc: T * H4)
            for b in 0..<B {
                let g = a + (b * T + t) * H4
                let cPrev = c + (b * (T + 1) + t) * H, cNow = cPrev + H, hNow = h + (b * (T + 1) + t + 1) * H
                for k in 0..<H {
                    // i, f, o = σ(·), g = tanh(·); c(t) = f c(t−1) + i g; h(t) = o tanh(c(t))
                    let i = sigmoid(g[k]), f = sigmoid(g[H + k]), gg = tanhf(g[2 * H + k]), o = sigmoid(g[3 * H + k])
                    g[k] = i; g[H + k] = f; g[2 * H + k] = gg; g[3 * H + k] = o
                    cNow[k] = f * cPrev[k] + i * gg
                    hNow[k] = o * tanhf(cNow[k])
                }
            }
        }
        for b in 0..<B {
            if returnSequences {
                copy(h + (b * (T + 1) + 1) * H, to: y + b * T * H, count: T * H)
            } else {
                copy(h + (b * (T + 1) + T) * H, to: y + b * H, count: H)
            }
        }
    }

    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch B: Int) {
        let H = units, H4 = 4 * H, a = gates.baseAddress!, c = cells.baseAddress!, h = hidden.baseAddress!
        let da = dgates.baseAddress!, dh = self.dh.baseAddress!, dc = self.dc.baseAddress!
        zero(dh, count: B * H)
        zero(dc, count: B * H)
        for t in stride(from: T - 1, through: 0, by: -1) {
            for b in 0..<B {
                let g = a + (b * T + t) * H4, dg = da + (b * T + t) * H4
                let cPrev = c + (b * (T + 1) + t) * H, cNow = cPrev + H
                let dhb = dh + b * H, dcb = dc + b * H
                // dL/dh(t): from the output at t (every step, or the last one) and from step t + 1
                let out: UnsafePointer<Float>? = returnSequences ? dy + (b * T + t) * H : (t == T - 1 ? dy + b * H : nil)
                for k in 0..<H {
                    let i = g[k], f = g[H + k], gg = g[2 * H + k], o = g[3 * H + k]
                    let dhk = dhb[k] + (out?[k] ?? 0)
                    // forward: h = o tanh(c), c = f c(t−1) + i g
                    let tc = tanhf(cNow[k])
                    let dck = dcb[k] + dhk * o * (1 - tc * tc)
                    // back through the activations: σ' = s (1 − s), tanh' = 1 − t²
                    dg[k] = dck * gg * i * (1 - i)
                    dg[H + k] = dck * cPrev[k] * f * (1 - f)
                    dg[2 * H + k] = dck * i * (1 - gg * gg)
                    dg[3 * H + k] = dhk * tc * o * (1 - o)
                    dcb[k] = dck * f  // dL/dc(t−1)
                }
            }
            // forward: a(t) += h(t−1) · W_hhᵀ, so dL/dh(t−1) = da(t) · W_hh   (B, H)
            sgemm(transA: false, transB: false, m: B, n: H, k: H4, a: da + t * H4, lda: T * H4, b: weightHH.value, ldb: H,
                  beta: 0, c: dh, ldc: H)
        }
        // dW_hh += Σ_t da(t)ᵀ h(t−1): one GEMM per sample over its steps   (4H, H)
        for b in 0..<B {
            sgemm(transA: true, transB: false, m: H4, n: H, k: T, a: da + b * T * H4, lda: H4, b: h + b * (T + 1) * H, ldb: H,
                  beta: 1, c: weightHH.gradient, ldc: H)
        }
        // forward: a = x · W_ihᵀ + b_ih + b_hh
        addColumnSums(da, rows: B * T, cols: H4, into: biasIH.gradient)
        addColumnSums(da, rows: B * T, cols: H4, into: biasHH.gradient)
        sgemm(transA: true, transB: false, m: H4, n: inputs, k: B * T, a: da, lda: H4, b: x, ldb: inputs, beta: 1,
              c: weightIH.gradient, ldc: inputs)
        if let dx {
            sgemm(transA: false, transB: false, m: B * T, n: inputs, k: H4, a: da, lda: H4, b: weightIH.value, ldb: inputs,
                  beta: 0, c: dx, ldc: inputs)
        }
    }
}

extension LayerSpec {
    /// One LSTM layer; `returnSequences` gives every step's hidden state, else the last one.
    public static func lstm(units: Int, returnSequences: Bool = false) -> LayerSpec {
        LayerSpec(kind: "lstm", arguments: ["units": .int(units), "return_sequences": .bool(returnSequences)])
    }
}
