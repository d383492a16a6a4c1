#include "shoal_kernels.h"

#include <string.h>

// 1.5 · 2^52: adding it to a double below 2^51 in magnitude leaves round-to-nearest-even of that
// double as an integer in the low bits; subtracting it turns such an integer back into a double.
// Unlike conversions between double and int64 (AVX-512 only), both vectorise.
static const double magic = 6755399441055744.0;

__attribute__((target_clones("avx2", "default")))
uint32_t shoal_fixed_point_accumulate(float *g, size_t n, double scale, int mode, int64_t *sum, uint32_t *special) {
    const int convert = mode & SHOAL_FIXED_POINT_CONVERT, first = mode & SHOAL_FIXED_POINT_FIRST;
    int64_t magic_bits;
    memcpy(&magic_bits, &magic, sizeof magic_bits);
    uint32_t largest = 0, odd = 0;
    for (size_t i = 0; i < n; i++) {  // the compiler moves the tests of `mode` out of the loop
        uint32_t bits;
        memcpy(&bits, g + i, sizeof bits);
        const uint32_t magnitude = bits & 0x7fffffffu;
        largest = magnitude > largest ? magnitude : largest;
        odd |= (bits & 0x7f800000u) == 0x7f800000u;
        if (convert) {
            const double x = (double)g[i] * scale + magic;
            int64_t q;
            memcpy(&q, &x, sizeof q);
            sum[i] = (first ? 0 : sum[i]) + (q - magic_bits);  // the first leaf writes: no zeroing pass
        }
        g[i] = 0;
    }
    *special = odd;
    return largest;
}

__attribute__((target_clones("avx2", "default")))
void shoal_fixed_point_decode(const int64_t *sum, size_t n, double inverse_scale, float *out) {
    int64_t magic_bits;
    memcpy(&magic_bits, &magic, sizeof magic_bits);
    for (size_t i = 0; i < n; i++) {
        const int64_t shifted = sum[i] + magic_bits;
        double x;
        memcpy(&x, &shifted, sizeof x);
        out[i] = (float)((x - magic) * inverse_scale);
    }
}
