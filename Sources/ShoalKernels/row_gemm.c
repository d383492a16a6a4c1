#include "shoal_kernels.h"

#include "vector_math.h"

// Every c[m, n] is one dot product computed the same way wherever its row and column fall:
// eight lanes over k in steps of 8, combined in a fixed order, then the last k % 8 in order
// (for K below SHORT_K, which eight lanes would leave idle: all k in order, vectorised over n).
// Tiles of rows and columns only share loads, so a row's result never depends on the rows
// around it, nor on how many there are.
#pragma clang fp contract(off)

// The tile rows × cols at (m, n): c[i][j] (+)= Σ_k a[i, k] b[j, k].
static inline __attribute__((always_inline)) void tile(size_t rows, size_t cols, size_t K, const float *a, size_t lda,
                                                       const float *b, size_t ldb, int accumulate, float *c, size_t ldc) {
    float lanes[2][4][8] = {{{0}}};
    size_t k = 0;
    for (; k + 8 <= K; k += 8)
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < cols; j++)
                for (int l = 0; l < 8; l++) lanes[i][j][l] += a[i * lda + k + l] * b[j * ldb + k + l];
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            float s = shoal_combine8(lanes[i][j]);
            for (size_t t = k; t < K; t++) s += a[i * lda + t] * b[j * ldb + t];
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + s : s;
        }
}

enum { SHORT_K = 16, SHORT_K_MAX_N = 512 };

// c[m, n] (+)= Σ_k a[m, k] b[n, k] with k in order, over bᵀ (K, N) so the loop over n vectorises.
static inline __attribute__((always_inline)) void short_k(size_t M, size_t N, size_t K, const float *a, size_t lda,
                                                          const float *b, size_t ldb, int accumulate, float *c, size_t ldc) {
    float bt[SHORT_K * SHORT_K_MAX_N];
    for (size_t n = 0; n < N; n++)
        for (size_t k = 0; k < K; k++) bt[k * N + n] = b[n * ldb + k];
    float s[SHORT_K_MAX_N];
    for (size_t m = 0; m < M; m++) {
        for (size_t n = 0; n < N; n++) s[n] = 0;
        for (size_t k = 0; k < K; k++) {
            const float x = a[m * lda + k];
            for (size_t n = 0; n < N; n++) s[n] += x * bt[k * N + n];
        }
        float *row = c + m * ldc;
        if (accumulate)
            for (size_t n = 0; n < N; n++) row[n] += s[n];
        else
            memcpy(row, s, N * sizeof *row);
    }
}

SHOAL_CLONES
void shoal_gemm_rows(size_t M, size_t N, size_t K, const float *a, size_t lda, const float *b, size_t ldb,
                     int accumulate, float *c, size_t ldc) {
    if (K < SHORT_K && N <= SHORT_K_MAX_N) {
        short_k(M, N, K, a, lda, b, ldb, accumulate, c, ldc);
        return;
    }
    size_t m = 0;
    for (; m + 2 <= M; m += 2) {
        size_t n = 0;
        for (; n + 4 <= N; n += 4) tile(2, 4, K, a + m * lda, lda, b + n * ldb, ldb, accumulate, c + m * ldc + n, ldc);
        for (; n < N; n++) tile(2, 1, K, a + m * lda, lda, b + n * ldb, ldb, accumulate, c + m * ldc + n, ldc);
    }
    for (; m < M; m++) {
        size_t n = 0;
        for (; n + 4 <= N; n += 4) tile(1, 4, K, a + m * lda, lda, b + n * ldb, ldb, accumulate, c + m * ldc + n, ldc);
        for (; n < N; n++) tile(1, 1, K, a + m * lda, lda, b + n * ldb, ldb, accumulate, c + m * ldc + n, ldc);
    }
}
