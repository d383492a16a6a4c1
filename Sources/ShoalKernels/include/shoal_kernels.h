// Hot loops that need CPU features Swift cannot ask for per function without unsafe build
// flags: each is compiled for AVX-512, AVX2 and baseline x86-64, and the loader picks one at
// start (target_clones). All versions compute the same bits: only exact integer operations and
// correctly rounded IEEE operations are used.
#pragma once
#include <stddef.h>
#include <stdint.h>

enum {
    /// Convert and add to the sum (else only measure).
    SHOAL_FIXED_POINT_CONVERT = 1,
    /// The step's first leaf: write the sum instead of adding to it.
    SHOAL_FIXED_POINT_FIRST = 2,
    /// Leave g as it is (else it is zeroed for the next leaf).
    SHOAL_FIXED_POINT_KEEP = 4,
};

/// One pass over a leaf's gradient g[0..<n] for exact reduction:
///   returns the largest |g| as its IEEE bit pattern (for finite values this orders as |g| does),
///   sets *special to 1 if some g is NaN or infinite,
///   with SHOAL_FIXED_POINT_CONVERT adds round_to_nearest_even(g · scale) to sum (|g · scale| < 2^51,
///   and every sum within the integer type), with SHOAL_FIXED_POINT_FIRST too stores it instead,
///   and, unless SHOAL_FIXED_POINT_KEEP, sets g to 0 for the next leaf.
uint32_t shoal_fixed_point_accumulate64(float *g, size_t n, double scale, int mode, int64_t *sum, uint32_t *special);
/// The same for 32-bit sums.
uint32_t shoal_fixed_point_accumulate32(float *g, size_t n, double scale, int mode, int32_t *sum, uint32_t *special);

/// out[i] = (float)(sum[i] · inverse_scale) for |sum[i]| < 2^51.
void shoal_fixed_point_decode64(const int64_t *sum, size_t n, double inverse_scale, float *out);
/// The same for 32-bit sums.
void shoal_fixed_point_decode32(const int32_t *sum, size_t n, double inverse_scale, float *out);

/// y[i] = x[i] Φ(x[i]), GELU's exact form, Φ the standard normal CDF to within 1e-7.
void shoal_gelu_forward(const float *x, float *y, size_t n);
/// dx[i] = dy[i] (Φ(x[i]) + x[i] φ(x[i])), the derivative of shoal_gelu_forward's function.
void shoal_gelu_backward(const float *x, const float *dy, float *dx, size_t n);

/// y = softmax(x) over n elements, max-shifted (y may be x).
void shoal_softmax(const float *x, float *y, size_t n);
/// dx[j] = scale · p[j] (dp[j] − Σ_k p[k] dp[k]), softmax's backward for p = softmax(s) (dx may be dp).
void shoal_softmax_backward(const float *p, const float *dp, float *dx, size_t n, float scale);

/// LayerNorm of each row of x (rows, C): mean[r], rstd[r] = 1/√(population variance + eps) and
/// y = (x − mean) · rstd · gain + bias (bias may be NULL).
void shoal_layer_norm_forward(const float *x, float *y, const float *gain, const float *bias, float eps,
                              size_t rows, size_t C, float *mean, float *rstd);
/// shoal_layer_norm_forward's backward from dy, with n = (x − mean) · rstd and dn = dy · gain:
/// dgain += Σ_rows dy · n, dbias += Σ_rows dy (dbias may be NULL), and unless dx is NULL
/// dx = rstd · (dn − mean(dn) − n · mean(dn · n)) (dx may be dy).
void shoal_layer_norm_backward(const float *x, const float *dy, const float *gain, const float *mean, const float *rstd,
                               float *dgain, float *dbias, float *dx, size_t rows, size_t C);

/// c = a · bᵀ (accumulate: c += a · bᵀ) for a (M, K), b (N, K), c (M, N), row-major with the
/// given row strides. Each c[m, n] is computed the same way wherever it falls, so a row of c
/// depends on its row of a alone: not on M, nor on the row's position (BLAS's results do).
void shoal_gemm_rows(size_t M, size_t N, size_t K, const float *a, size_t lda, const float *b, size_t ldb,
                     int accumulate, float *c, size_t ldc);
