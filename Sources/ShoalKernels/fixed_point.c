#include "shoal_kernels.h"

#include <string.h>

#include "vector_math.h"

// AVX-512 is the fastest clone where it exists (benchmarks/RESULTS.md, issue 6). All clones
// compute the same bits: only exact integer operations and correctly rounded conversions.

// 1.5 · 2^52: adding it to a double below 2^51 in magnitude leaves round-to-nearest-even of that
// double as an integer in the low bits; subtracting it turns such an integer back into a double.
// Unlike conversions between double and int64 (AVX-512 only), both vectorise.
static const double magic = 6755399441055744.0;

// One loop per width and mode, with both as constants: a loop that tested `first` per element
// was compiled to masked loads and stores, which are slow on AMD.
static inline __attribute__((always_inline))
uint32_t accumulate(float *restrict g, size_t n, double scale, void *restrict sum, uint32_t *special,
                    const int wide, const int convert, const int first, const int keep) {
    int64_t magic_bits;
    memcpy(&magic_bits, &magic, sizeof magic_bits);
    int64_t *restrict sum64 = sum;
    int32_t *restrict sum32 = sum;
    uint32_t largest = 0, odd = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, g + i, sizeof bits);
        const uint32_t magnitude = bits & 0x7fffffffu;
        largest = magnitude > largest ? magnitude : largest;
        odd |= (bits & 0x7f800000u) == 0x7f800000u;
        if (convert) {
            const double x = (double)g[i] * scale + magic;
            uint64_t bits64;
            memcpy(&bits64, &x, sizeof bits64);
            // Unsigned arithmetic wraps instead of being undefined when a step outgrows its
            // exponents (that step is redone, its sums never used). The first leaf writes: no
            // zeroing pass.
            const int64_t q = (int64_t)(bits64 - (uint64_t)magic_bits);
            if (wide) sum64[i] = first ? q : (int64_t)((uint64_t)sum64[i] + (uint64_t)q);
            else sum32[i] = first ? (int32_t)q : (int32_t)((uint32_t)sum32[i] + (uint32_t)q);
        }
        if (!keep) g[i] = 0;
    }
    *special = odd;
    return largest;
}

// Every mode as its own loop, all flags constants (see above).
static inline __attribute__((always_inline))
uint32_t dispatch(float *g, size_t n, double scale, int mode, void *sum, uint32_t *special, const int wide) {
    const int convert = mode & SHOAL_FIXED_POINT_CONVERT, first = mode & SHOAL_FIXED_POINT_FIRST;
    if (mode & SHOAL_FIXED_POINT_KEEP) {
        if (!convert) return accumulate(g, n, scale, sum, special, wide, 0, 0, 1);
        return first ? accumulate(g, n, scale, sum, special, wide, 1, 1, 1) : accumulate(g, n, scale, sum, special, wide, 1, 0, 1);
    }
    if (!convert) return accumulate(g, n, scale, sum, special, wide, 0, 0, 0);
    return first ? accumulate(g, n, scale, sum, special, wide, 1, 1, 0) : accumulate(g, n, scale, sum, special, wide, 1, 0, 0);
}

SHOAL_CLONES
uint32_t shoal_fixed_point_accumulate64(float *g, size_t n, double scale, int mode, int64_t *sum, uint32_t *special) {
    return dispatch(g, n, scale, mode, sum, special, 1);
}

SHOAL_CLONES
uint32_t shoal_fixed_point_accumulate32(float *g, size_t n, double scale, int mode, int32_t *sum, uint32_t *special) {
    return dispatch(g, n, scale, mode, sum, special, 0);
}

SHOAL_CLONES
void shoal_fixed_point_decode64(const int64_t *sum, size_t n, double inverse_scale, float *out) {
    int64_t magic_bits;
    memcpy(&magic_bits, &magic, sizeof magic_bits);
    for (size_t i = 0; i < n; i++) {
        const int64_t shifted = sum[i] + magic_bits;
        double x;
        memcpy(&x, &shifted, sizeof x);
        out[i] = (float)((x - magic) * inverse_scale);
    }
}

SHOAL_CLONES
void shoal_fixed_point_decode32(const int32_t *sum, size_t n, double inverse_scale, float *out) {
    for (size_t i = 0; i < n; i++) out[i] = (float)((double)sum[i] * inverse_scale);  // both steps exact but the last
}
