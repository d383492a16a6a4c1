import CBLAS

/// Row-major single-precision matrix multiply through OpenBLAS:
/// `C = alpha * op(A) * op(B) + beta * C`, where op(A) is (m, k), op(B) is (k, n), C is (m, n).
///
/// `transA` means A is stored as (k, m) and used transposed; likewise `transB` (B stored (n, k)).
/// Leading dimensions are the stored row lengths.
///
/// ```swift
/// // out(B, O) = x(B, I) · W(O, I)ᵀ — a Dense forward
/// sgemm(transA: false, transB: true, m: B, n: O, k: I,
///       a: x, lda: I, b: w, ldb: I, beta: 0, c: out, ldc: O)
/// ```
@inlinable
public func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    if m == 0 || n == 0 { return }
    cblas_sgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Single-core (or whatever `OPENBLAS_NUM_THREADS` allows) sgemm throughput in GFLOP/s for
/// square `size`×`size` matrices, the median of `repeats` timed runs. Used for roofline numbers.
///
/// ```swift
/// let gflops = measureSgemmGFLOPS(size: 512, repeats: 5)
/// ```
public func measureSgemmGFLOPS(size: Int = 512, repeats: Int = 5) -> Double {
    let a = Tensor(shape: [size, size]), b = Tensor(shape: [size, size]), c = Tensor(shape: [size, size])
    let rng = Philox(seed: 1)
    for i in 0..<a.count { a.storage[i] = rng.uniform(at: UInt64(i)) - 0.5; b.storage[i] = rng.uniform(at: UInt64(i + a.count)) - 0.5 }
    let run = {
        sgemm(transA: false, transB: false, m: size, n: size, k: size, a: a.storage.baseAddress!, lda: size,
              b: b.storage.baseAddress!, ldb: size, beta: 0, c: c.storage.baseAddress!, ldc: size)
    }
    run()  // warm-up
    var times: [Double] = []
    for _ in 0..<max(repeats, 1) {
        let clock = ContinuousClock()
        let t = clock.measure { run() }
        times.append(Double(t.components.seconds) + Double(t.components.attoseconds) * 1e-18)
    }
    times.sort()
    return 2 * Double(size) * Double(size) * Double(size) / times[times.count / 2] / 1e9
}
