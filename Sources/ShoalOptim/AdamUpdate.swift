// The update loop of Adam and AdamW, in PyTorch's form (torch.optim.Adam / AdamW, amsgrad off).
// One pass over a contiguous range of the arena: reads w, g, m, v and writes w, m, v
// (28 bytes per parameter). Nothing is allocated, nothing is captured, no bounds are checked.
// Shapes: w, g, m, v are (count,).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Constants of one Adam step, computed once per step in Double and rounded to Float.
struct AdamStepConstants {
    var beta1: Float
    var beta2: Float
    var eps: Float
    /// lr / (1 − β1^t)
    var stepSize: Float
    /// 1 / √(1 − β2^t); PyTorch divides by √(1 − β2^t), which can differ in the last bit
    /// (a division per element costs as much as the rest of the loop).
    var inverseBiasCorrection2Sqrt: Float

    /// `t` is the 1-based step number (bias correction of step 1 uses β^1).
    init(learningRate lr: Double, beta1: Float, beta2: Float, eps: Float, step t: Int) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        let biasCorrection1 = 1 - pow(Double(beta1), Double(t))
        let biasCorrection2 = 1 - pow(Double(beta2), Double(t))
        stepSize = Float(lr / biasCorrection1)
        inverseBiasCorrection2Sqrt = Float(1 / biasCorrection2.squareRoot())
    }
}

/// Adam (coupled L2: `coupledDecay` = wd, `decoupledDecayFactor` = 1) or AdamW
/// (`coupledDecay` = 0, `decoupledDecayFactor` = 1 − lr·wd).
///
///     g' = g + wd_coupled·w + l1·sign(w)
///     m  = β1·m + (1−β1)·g'
///     v  = β2·v + (1−β2)·g'²
///     w  = w·(1 − lr·wd_decoupled) − (lr / (1−β1^t)) · m / (√v · (1/√(1−β2^t)) + ε)
@inline(__always)
func adamUpdate(
    parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
    count: Int, constants c: AdamStepConstants,
    coupledDecay: Float, decoupledDecayFactor: Float, l1: Float
) {
    // Two copies of the loop, so the common case (no L1) does not compute sign(w).
    if l1 == 0 {
        adamLoop(parameters: w, gradients: g, firstMoment: m, secondMoment: v, count: count,
                 constants: c, coupledDecay: coupledDecay, decoupledDecayFactor: decoupledDecayFactor,
                 l1: 0, hasL1: false)
    } else {
        adamLoop(parameters: w, gradients: g, firstMoment: m, secondMoment: v, count: count,
                 constants: c, coupledDecay: coupledDecay, decoupledDecayFactor: decoupledDecayFactor,
                 l1: l1, hasL1: true)
    }
}

@inline(__always)
private func adamLoop(
    parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
    count: Int, constants c: AdamStepConstants,
    coupledDecay: Float, decoupledDecayFactor: Float, l1: Float, hasL1: Bool
) {
    let beta1 = c.beta1, beta2 = c.beta2, eps = c.eps
    let oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2
    let stepSize = c.stepSize, inverseBc2Sqrt = c.inverseBiasCorrection2Sqrt
    // Four lanes at a time (see VectorMath.swift for why this is spelled out), then the tail.
    // Both loops compute the same formula in the same order, so each element gets the same
    // bits wherever it falls.
    var i = 0
    while i &+ 4 <= count {
        let wi = load4(w, i)
        var gi = load4(g, i) + coupledDecay * wi
        if hasL1 { gi += l1 * signum(wi) }
        let mi = beta1 * load4(m, i) + oneMinusBeta1 * gi
        let vi = beta2 * load4(v, i) + oneMinusBeta2 * gi * gi
        store4(mi, m, i)
        store4(vi, v, i)
        let denominator = squareRoot(vi) * inverseBc2Sqrt + eps
        store4(wi * decoupledDecayFactor - stepSize * (mi / denominator), w, i)
        i &+= 4
    }
    while i < count {
        let wi = w[i]
        var gi = g[i] + coupledDecay * wi
        if hasL1 { gi += l1 * signum(wi) }
        let mi = beta1 * m[i] + oneMinusBeta1 * gi
        let vi = beta2 * v[i] + oneMinusBeta2 * gi * gi
        m[i] = mi
        v[i] = vi
        let denominator = vi.squareRoot() * inverseBc2Sqrt + eps
        w[i] = wi * decoupledDecayFactor - stepSize * (mi / denominator)
        i += 1
    }
}
