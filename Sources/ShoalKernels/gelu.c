#include "shoal_kernels.h"

#include "vector_math.h"

// GELU's exact (erf) form, vectorised. glibc's erff and expf are calls per element and were a
// sixth of a Transformer block's time (benchmarks/RESULTS.md, issue 12). Φ comes from
// Abramowitz & Stegun 7.1.26 (|error in erf| ≤ 1.5e-7), whose exp(−z²) is also the e^{−x²/2} of
// φ that the backward needs. Only +, −, ×, ÷ and exact bit operations, with contraction to FMA
// off: every clone, on every CPU, computes the same bits.
#pragma clang fp contract(off)

// Φ(x) and, through *density_exp, e^{−x²/2}: with z = |x|/√2, erfc(z) ≈ t P(t) e^{−z²},
// t = 1/(1 + 0.3275911 z), and Φ(x) = 1 − erfc(z)/2 for x ≥ 0, erfc(z)/2 for x < 0.
static inline __attribute__((always_inline)) float normal_cdf(float x, float *density_exp) {
    const float z = (x < 0 ? -x : x) * 0.70710678f;
    const float t = 1.0f / (1.0f + 0.3275911f * z);
    float p = 1.061405429f;
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    const float e = shoal_exp_nonpositive(-(z * z));
    *density_exp = e;
    const float half_erfc = 0.5f * (p * t * e);
    return x < 0 ? half_erfc : 1.0f - half_erfc;
}

SHOAL_CLONES
void shoal_gelu_forward(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float e;
        y[i] = x[i] * normal_cdf(x[i], &e);
    }
}

SHOAL_CLONES
void shoal_gelu_backward(const float *restrict x, const float *restrict dy, float *restrict dx, size_t n) {
    const float inverse_sqrt_2pi = 0.39894228f;
    for (size_t i = 0; i < n; i++) {
        float e;
        const float cdf = normal_cdf(x[i], &e);
        dx[i] = dy[i] * (cdf + x[i] * (inverse_sqrt_2pi * e));
    }
}
