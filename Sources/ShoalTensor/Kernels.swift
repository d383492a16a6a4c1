/// Elementwise and reduction kernels over raw pointers: the small loops between the GEMMs.
/// Each takes a count `n` and pointers to `n` elements; none allocates.
///
/// ```swift
/// let x: [Float] = [1, 2, 3]
/// var y: [Float] = [10, 20, 30]
/// add(x, into: &y, count: 3)         // y == [11, 22, 33]
/// let s = sum(x, count: 3)           // 6.0: Σ x, accumulated in Double
/// ```

/// `y[i] += x[i]`.
@inlinable
public func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int) {
    for i in 0..<n { y[i] += x[i] }
}

/// `y[i] += a * x[i]`.
@inlinable
public func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
    for i in 0..<n { y[i] += a * x[i] }
}

/// `x[i] *= a`.
@inlinable
public func scale(_ x: UnsafeMutablePointer<Float>, by a: Float, count n: Int) {
    for i in 0..<n { x[i] *= a }
}

/// `x[i] = 0`.
@inlinable
public func zero(_ x: UnsafeMutablePointer<Float>, count n: Int) {
    x.update(repeating: 0, count: n)
}

/// Copies `n` elements from `x` to `y`.
@inlinable
public func copy(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, count n: Int) {
    y.update(from: x, count: n)
}

/// Copies the row vector `row` (length `cols`) into each of `rows` rows of `matrix` (rows, cols).
@inlinable
public func broadcastRows(_ row: UnsafePointer<Float>, into matrix: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    for r in 0..<rows { (matrix + r * cols).update(from: row, count: cols) }
}

/// `out[c] += Σ_r matrix[r, c]` for a (rows, cols) matrix: the bias gradient of a batched layer.
@inlinable
public func addColumnSums(_ matrix: UnsafePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let m = matrix + r * cols
        for c in 0..<cols { out[c] += m[c] }
    }
}

/// `Σ x[i]`, accumulated in Double.
@inlinable
public func sum(_ x: UnsafePointer<Float>, count n: Int) -> Double {
    var s = 0.0
    for i in 0..<n { s += Double(x[i]) }
    return s
}

/// `max x[i]` (−∞ for an empty range).
@inlinable
public func maximum(_ x: UnsafePointer<Float>, count n: Int) -> Float {
    var m = -Float.infinity
    for i in 0..<n where x[i] > m { m = x[i] }
    return m
}

/// Index of the first maximum of `x[0..<n]` (0 if empty).
@inlinable
public func argmax(_ x: UnsafePointer<Float>, count n: Int) -> Int {
    var best = 0
    for i in 1..<max(n, 1) where x[i] > x[best] { best = i }
    return best
}

/// `Σ x[i] * y[i]`, accumulated in Double.
@inlinable
public func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) -> Double {
    var s = 0.0
    for i in 0..<n { s += Double(x[i]) * Double(y[i]) }
    return s
}

/// ReLU backward, `dx[i] = x[i] > 0 ? dy[i] : 0`, eight lanes at a time (a scalar loop branches
/// on the sign and mispredicts half the time).
@inlinable
public func reluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                         slope: Float = 0, count n: Int) {
    var i = 0
    let zero = SIMD8<Float>(repeating: 0), a = SIMD8<Float>(repeating: slope)
    while i + 8 <= n {
        let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        let g = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(dx + i).storeBytes(of: (a * g).replacing(with: g, where: xv .> zero), as: SIMD8<Float>.self)
        i += 8
    }
    while i < n { dx[i] = x[i] > 0 ? dy[i] : slope * dy[i]; i += 1 }
}
