// The update loops of plain SGD, heavy-ball momentum and Nesterov momentum, in PyTorch's form
// (torch.optim.SGD with dampening 0). One pass over a contiguous range of the arena; nothing
// is allocated, nothing is captured, no bounds are checked. Shapes: w, g, v are (count,).

/// `sign(w)` with sign(0) = 0, the subgradient PyTorch uses for |w|. Branch-free after
/// compilation (two selects), so the loops around it still vectorise.
@inline(__always)
func signum(_ w: Float) -> Float {
    w > 0 ? 1 : (w < 0 ? -1 : 0)
}

/// Plain SGD on `count` parameters.
///
///     g' = g + wd·w + l1·sign(w)
///     w  = w − lr·g'
@inline(__always)
func sgdUpdate(
    parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int,
    learningRate lr: Float, weightDecay wd: Float, l1: Float
) {
    for i in 0..<count {
        let wi = w[i]
        let gi = g[i] + wd * wi + l1 * signum(wi)
        w[i] = wi - lr * gi
    }
}

/// SGD with momentum μ, PyTorch form (the velocity sums raw gradients; lr scales the step).
///
///     g' = g + wd·w + l1·sign(w)
///     v  = μ·v + g'                       (v starts at 0, so the first v is g', as in PyTorch)
///     w  = w − lr·v                       heavy ball
///     w  = w − lr·(g' + μ·v)              Nesterov
@inline(__always)
func momentumUpdate(
    parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    velocity v: UnsafeMutablePointer<Float>, count: Int,
    learningRate lr: Float, momentum mu: Float, nesterov: Bool, weightDecay wd: Float, l1: Float
) {
    if nesterov {
        for i in 0..<count {
            let wi = w[i]
            let gi = g[i] + wd * wi + l1 * signum(wi)
            let vi = mu * v[i] + gi
            v[i] = vi
            w[i] = wi - lr * (gi + mu * vi)
        }
    } else {
        for i in 0..<count {
            let wi = w[i]
            let gi = g[i] + wd * wi + l1 * signum(wi)
            let vi = mu * v[i] + gi
            v[i] = vi
            w[i] = wi - lr * vi
        }
    }
}
