#include "shoal_kernels.h"

#include "vector_math.h"

// Sums and maxima run over eight lanes in a fixed order, so they vectorise and every clone
// adds in the same order: the same bits everywhere.
#pragma clang fp contract(off)

// Σ x[i]
static inline __attribute__((always_inline)) float lane_sum(const float *x, size_t n) {
    float lanes[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) lanes[l] += x[i + l];
    float s = shoal_combine8(lanes);
    for (; i < n; i++) s += x[i];
    return s;
}

// Σ x[i] w[i]
static inline __attribute__((always_inline)) float lane_dot(const float *x, const float *w, size_t n) {
    float lanes[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) lanes[l] += x[i + l] * w[i + l];
    float s = shoal_combine8(lanes);
    for (; i < n; i++) s += x[i] * w[i];
    return s;
}

SHOAL_CLONES
void shoal_softmax(const float *x, float *y, size_t n) {
    if (n == 0) return;
    // In place from here on: a loop that reads x and writes y runs scalar when they are the same
    // row (the vectoriser's overlap check fails), and attention's rows are.
    if (x != y) memcpy(y, x, n * sizeof *y);
    float lanes[8];
    for (int l = 0; l < 8; l++) lanes[l] = y[0];
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) lanes[l] = y[i + l] > lanes[l] ? y[i + l] : lanes[l];
    float m = lanes[0];
    for (int l = 1; l < 8; l++) m = lanes[l] > m ? lanes[l] : m;
    for (; i < n; i++) m = y[i] > m ? y[i] : m;
    for (size_t j = 0; j < n; j++) y[j] = shoal_exp_nonpositive(y[j] - m);
    const float inverse = 1.0f / lane_sum(y, n);
    for (size_t j = 0; j < n; j++) y[j] *= inverse;
}

SHOAL_CLONES
void shoal_softmax_backward(const float *p, const float *dp, float *dx, size_t n, float scale) {
    const float dot = lane_dot(p, dp, n);
    if (dx != dp) memcpy(dx, dp, n * sizeof *dx);  // in place, as above
    for (size_t j = 0; j < n; j++) dx[j] = scale * (p[j] * (dx[j] - dot));
}
