import ShoalNN
import ShoalTensor

/// Checks a model's backward against central finite differences computed in Float64.
///
/// The checked scalar is f(θ, x) = loss sum (when `loss` is given) or Σ r·y for a random
/// projection r of the output. For every named parameter tensor and for the input, one random
/// direction v, uniform in [−1, 1] per element, is drawn and the analytic directional derivative ⟨∇f, v⟩ (from `backward`) is
/// compared with a Richardson-extrapolated central difference of the Float32 forward,
/// (4·D(ε/2) − D(ε)) / 3 with D(ε) = (f(θ+εv) − f(θ−εv)) / 2ε, summed in Double. The analytic
/// side is taken along the displacement actually stored (θ+εv rounded to Float32).
/// A directional check per tensor keeps Float32 round-off small against the signal, while still
/// catching a wrong gradient in any single tensor. The relative error is taken against
/// max(|analytic|, |numeric|, ‖g‖‖v‖ / (10 √n)): a direction that happens to be almost orthogonal
/// to g would otherwise turn the rounding of θ + εv in Float32 into a large relative error.
struct GradientCheck {
    struct Result: CustomStringConvertible {
        let tensor: String, analytic: Double, numeric: Double
        /// A tenth of the typical size of ⟨g, v⟩ for a random v: ‖g‖·‖v‖ / (10 √n).
        let typical: Double
        var relativeError: Double { abs(analytic - numeric) / max(abs(analytic), abs(numeric), typical, 1e-12) }
        var description: String { "\(tensor): analytic \(analytic), numeric \(numeric), rel. error \(relativeError)" }
    }

    let model: Model
    let batch: Int
    let seed: UInt64
    let x: Tensor
    let targets: Tensor
    let projection: Tensor
    let useLoss: Bool
    let ids: [Int32]

    /// `input(i, rng)` gives element i of the input (default uniform in [−1, 1)). With `tokens`,
    /// the input is token ids below it, and has no gradient to check.
    let tokens: Int?

    init(inputShape: [Int], layers: [LayerSpec], loss: LossSpec? = nil, batch: Int, seed: UInt64,
         input: ((Int, Philox) -> Float)? = nil, tokens: Int? = nil) throws {
        self.tokens = tokens
        model = try Model(inputShape: inputShape, layers: layers, loss: loss ?? .meanSquaredError, seed: seed,
                          maxBatch: batch, computeInputGradient: true)
        self.batch = batch; self.seed = seed; useLoss = loss != nil
        let rng = Philox(seed: seed, stream: 99)
        x = Tensor(shape: [batch] + inputShape)
        for i in 0..<x.count {
            x.storage[i] = tokens.map { Float(rng.uniformInt(below: UInt64($0), at: UInt64(i))) } ?? input?(i, rng) ?? 2 * rng.uniform(at: UInt64(i)) - 1
        }
        let outs = model.outputShape.reduce(1, *)
        projection = Tensor(shape: [batch, outs])
        for i in 0..<projection.count { projection.storage[i] = 2 * rng.uniform(at: UInt64(1 << 30 + i)) - 1 }
        targets = Tensor(shape: [batch * outs])
        for i in 0..<targets.count {
            let u = rng.uniform(at: UInt64(1 << 31 + i))
            switch loss {
            case .softmaxCrossEntropy: targets.storage[i] = Float(Int(u * Float(model.outputShape.last!)))
            case .binaryCrossEntropy: targets.storage[i] = u < 0.5 ? 0 : 1
            default: targets.storage[i] = 2 * u - 1
            }
        }
        ids = (0..<batch).map { Int32(1000 + 7 * $0) }
        // non-zero biases, so that their gradients flow through a non-trivial point
        for e in model.arena.entries where e.name.hasSuffix("bias") {
            for j in 0..<e.count { model.arena.parameters[e.offset + j] = 0.2 * (rng.uniform(at: UInt64(1 << 32 + e.offset + j)) - 0.5) }
        }
    }

    /// f at the current parameters and input.
    func f() -> Double {
        ids.withUnsafeBufferPointer { ids in
            let y = model.forward(UnsafeBufferPointer(x.storage), batch: batch, context: ForwardContext(training: true, step: 3, sampleIndices: ids))
            if useLoss { return model.loss(targets: UnsafeBufferPointer(targets.storage), gradientScale: 1) }
            return dot(y.baseAddress!, projection.storage.baseAddress!, count: y.count)
        }
    }

    /// Runs the check; `epsilon` is the step along a ±1 direction (keep it below any kink margin).
    func run(epsilon: Double = 1e-2) -> [Result] {
        // analytic
        model.arena.zeroGradients()
        _ = f()
        if useLoss { model.backward() } else { model.backward(outputGradient: UnsafeBufferPointer(projection.storage)) }
        let paramGrad = Array(model.arena.gradients)
        let inputGrad = Array(model.inputGradient!)

        var slices: [(String, UnsafeMutableBufferPointer<Float>, [Float])] = model.arena.entries.map { e in
            (e.name, model.arena.parameters(of: e), Array(paramGrad[e.offset..<e.offset + e.count]))
        }
        if tokens == nil { slices.append(("input", x.storage, inputGrad)) }
        var results: [Result] = []
        for (k, (name, values, grad)) in slices.enumerated() {
            let rng = Philox(seed: seed, stream: UInt64(500 + k))
            let v: [Float] = (0..<values.count).map { 2 * rng.uniform(at: UInt64($0)) - 1 }
            let saved = Array(values)
            // f at θ + h·v as Float32 stores it; returns f and the realized ⟨g, (θ + h·v) − θ⟩
            func shifted(_ h: Double) -> (f: Double, move: Double) {
                var move = 0.0
                for i in 0..<values.count {
                    values[i] = saved[i] + Float(h) * v[i]
                    move += Double(grad[i]) * (Double(values[i]) - Double(saved[i]))
                }
                defer { for i in 0..<values.count { values[i] = saved[i] } }
                return (f(), move)
            }
            // central difference D(h), and the analytic directional derivative along the same
            // realized (rounded) displacement, so that rounding θ + h·v to Float32 is not an error
            func central(_ h: Double) -> (numeric: Double, analytic: Double) {
                let (up, down) = (shifted(h), shifted(-h))
                return ((up.f - down.f) / (2 * h), (up.move - down.move) / (2 * h))
            }
            let (n1, a1) = central(epsilon), (n2, a2) = central(epsilon / 2)
            let numeric = (4 * n2 - n1) / 3, analytic = (4 * a2 - a1) / 3
            let gNorm = grad.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let vNorm = v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let typical = gNorm * vNorm / (10 * Double(values.count).squareRoot())
            results.append(Result(tensor: name, analytic: analytic, numeric: numeric, typical: typical))
        }
        return results
    }
}

/// A fresh seed per run; failures print it so that a run can be repeated.
func freshSeed() -> UInt64 { UInt64.random(in: 1...UInt64.max) }
