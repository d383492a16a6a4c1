// Elementwise math that vectorises: inline, branch-free, only +, −, ×, ÷ and exact bit
// operations. Files that include it turn contraction to FMA off, so every clone of a kernel
// computes the same bits on every CPU.
#pragma once
#include <stdint.h>
#include <string.h>

// Each kernel is compiled for AVX-512 (x86-64-v4), AVX2 and baseline x86-64; the loader picks one.
#if defined(__x86_64__)
#define SHOAL_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define SHOAL_CLONES
#endif

// The sum of eight lanes in a fixed order: sums over lanes vectorise, and every clone adds alike.
static inline __attribute__((always_inline)) float shoal_combine8(const float lanes[8]) {
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

static inline __attribute__((always_inline)) double shoal_combine8_double(const double lanes[8]) {
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

static inline __attribute__((always_inline)) float shoal_from_bits(uint32_t b) {
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

static inline __attribute__((always_inline)) uint32_t shoal_to_bits(float f) {
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

// e^w for w ≤ 0 (NaN stays NaN), within 2 ulp: w = n ln 2 + r, |r| ≤ ½ ln 2, e^r by its Taylor
// series to r⁷ (truncation below 2e-8 relative), 2^n from its exponent bits.
static inline __attribute__((always_inline)) float shoal_exp_nonpositive(float w) {
#pragma clang fp contract(off)
    w = w < -87.0f ? -87.0f : w;  // e^−87 is still a normal float
    const float magic = 12582912.0f;  // 1.5 · 2^23: adding it rounds to an integer in the low bits
    const float k = w * 1.44269504f + magic;
    const float n = k - magic;
    const float r = (w - n * 0.693145751953125f) - n * 1.428606765330187e-6f;  // ln 2 in two parts
    float p = 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const uint32_t exponent = (shoal_to_bits(k) - shoal_to_bits(magic) + 127u) << 23;  // n + 127 in [1, 127]
    return p * shoal_from_bits(exponent);
}
