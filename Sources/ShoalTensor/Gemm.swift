import CBLAS

/// Row-major single-precision matrix multiply through OpenBLAS:
/// `C = alpha * op(A) * op(B) + beta * C`, where op(A) is (m, k), op(B) is (k, n), C is (m, n).
///
/// `transA` means A is stored as (k, m) and used transposed; likewise `transB` (B stored (n, k)).
/// Leading dimensions are the stored row lengths.
///
/// ```swift
/// // out(B, O) = x(B, I) · W(O, I)ᵀ — a Dense forward
/// let (B, I, O) = (2, 3, 4)
/// let x = allocateFloats(B * I), w = allocateFloats(O * I), out = allocateFloats(B * O)
/// sgemm(transA: false, transB: true, m: B, n: O, k: I,
///       a: x.baseAddress!, lda: I, b: w.baseAddress!, ldb: I, beta: 0, c: out.baseAddress!, ldc: O)
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
