/// The L2 norm of the whole gradient arena, √(Σ g²), accumulated in Double.
///
/// Four independent Double accumulators in a fixed order: the result depends only on the
/// values (never on threads or timing), and Double keeps full Float precision for arenas
/// of any size.
///
/// ```swift
/// let gradients: [Float] = [3, 4]
/// let norm = gradients.withUnsafeBufferPointer { globalNorm($0) }   // 5.0, a Double
/// ```
public func globalNorm(_ values: UnsafeMutableBufferPointer<Float>) -> Double {
    globalNorm(UnsafeBufferPointer(values))
}

/// The L2 norm of `values`, accumulated in Double; see the mutable overload.
public func globalNorm(_ values: UnsafeBufferPointer<Float>) -> Double {
    guard let x = values.baseAddress else { return 0 }
    let n = values.count
    // sum = Σ x[i]², lanes i mod 4 summed separately, then (s0 + s1) + (s2 + s3).
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var i = 0
    while i + 4 <= n {
        let a = Double(x[i]), b = Double(x[i + 1]), c = Double(x[i + 2]), d = Double(x[i + 3])
        s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d
        i += 4
    }
    while i < n {
        let a = Double(x[i])
        s0 += a * a
        i += 1
    }
    return ((s0 + s1) + (s2 + s3)).squareRoot()
}

/// Scales the whole gradient arena so its global L2 norm is at most `maxNorm`, and returns
/// the norm before clipping.
///
/// The norm is computed once over the arena (see `globalNorm`);
/// if it exceeds `maxNorm`, every gradient is multiplied by `maxNorm / norm`. Unlike PyTorch's
/// `clip_grad_norm_` there is no `+1e-6` in the denominator, so the clipped norm equals the
/// bound up to Float rounding. A non-finite norm (NaN or ∞ in the gradients) is returned and
/// the gradients are left alone: the trainer must stop rather than step on them.
///
/// ```swift
/// var gradients: [Float] = [3, 4]
/// let normBefore = gradients.withUnsafeMutableBufferPointer { clipGlobalNorm($0, maxNorm: 1.0) }  // 5; gradients ≈ [0.6, 0.8]
/// if !normBefore.isFinite { /* stop: non-finite gradients */ }
/// ```
///
/// - Precondition: `maxNorm > 0` (the config's `optimizer.clip_norm` is checked to be).
@discardableResult
public func clipGlobalNorm(_ gradients: UnsafeMutableBufferPointer<Float>, maxNorm: Float) -> Float {
    precondition(maxNorm > 0, "clipGlobalNorm: maxNorm must be > 0")
    let norm = globalNorm(UnsafeBufferPointer(gradients))
    guard norm.isFinite, norm > Double(maxNorm), let g = gradients.baseAddress else {
        return Float(norm)
    }
    // g = g · (maxNorm / ‖g‖)
    let scale = Float(Double(maxNorm) / norm)
    for i in 0..<gradients.count {
        g[i] *= scale
    }
    return Float(norm)
}
