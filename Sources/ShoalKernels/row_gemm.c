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

enum { SHORT_K = 16, SHORT_K_MAX_N = 512, SHORT_K_STRIPE = 32 };

// One row's columns n ..< n + width (width ≤ SHORT_K_STRIPE) over bᵀ from column n: the sums
// stay in registers over k where width is the constant SHORT_K_STRIPE.
static inline __attribute__((always_inline)) void short_k_columns(size_t width, size_t K, const float *a, const float *bt,
                                                                  size_t ldbt, int accumulate, float *c) {
    float s[SHORT_K_STRIPE] = {0};
    for (size_t k = 0; k < K; k++)
        for (size_t j = 0; j < width; j++) s[j] += a[k] * bt[k * ldbt + j];
    for (size_t j = 0; j < width; j++) c[j] = accumulate ? c[j] + s[j] : s[j];
}

// c[m, n] (+)= Σ_k a[m, k] b[n, k] with k in order, over bᵀ (K, N) so the loop over n vectorises;
// columns go 32 at a time (a convolution's filters: N = 32), then the rest.
static inline __attribute__((always_inline)) void short_k(size_t M, size_t N, size_t K, const float *a, size_t lda,
                                                          const float *b, size_t ldb, int accumulate, float *c, size_t ldc) {
    float bt[SHORT_K * SHORT_K_MAX_N];
    for (size_t n = 0; n < N; n++)
        for (size_t k = 0; k < K; k++) bt[k * N + n] = b[n * ldb + k];
    for (size_t m = 0; m < M; m++) {
        size_t n = 0;
        for (; n + SHORT_K_STRIPE <= N; n += SHORT_K_STRIPE)
            short_k_columns(SHORT_K_STRIPE, K, a + m * lda, bt + n, N, accumulate, c + m * ldc + n);
        if (n < N) short_k_columns(N - n, K, a + m * lda, bt + n, N, accumulate, c + m * ldc + n);
    }
}

// Rows `rows` of a against the `cols` columns of b at hand: pairs of rows, then the odd one.
static inline __attribute__((always_inline)) void stripe(size_t rows, size_t cols, size_t K, const float *a, size_t lda,
                                                         const float *b, size_t ldb, int accumulate, float *c, size_t ldc) {
    size_t m = 0;
    for (; m + 2 <= rows; m += 2) tile(2, cols, K, a + m * lda, lda, b, ldb, accumulate, c + m * ldc, ldc);
    if (m < rows) tile(1, cols, K, a + m * lda, lda, b, ldb, accumulate, c + m * ldc, ldc);
}

// Rows go in blocks whose part of a takes ROW_BLOCK_BYTES, and within a block each four columns
// of b serve every row of the block while they are in cache: b (the CNN's 5408 → 128 dense is
// 2.8 MB, more than an L2) then comes from memory once per block, not once per pair of rows.
enum { ROW_BLOCK_BYTES = 256 * 1024 };

SHOAL_CLONES
void shoal_gemm_rows(size_t M, size_t N, size_t K, const float *a, size_t lda, const float *b, size_t ldb,
                     int accumulate, float *c, size_t ldc) {
    if (K < SHORT_K && N <= SHORT_K_MAX_N) {
        short_k(M, N, K, a, lda, b, ldb, accumulate, c, ldc);
        return;
    }
    size_t block = ROW_BLOCK_BYTES / (K * sizeof *a);
    block = block < 2 ? 2 : block & ~(size_t)1;
    for (size_t m = 0; m < M; m += block) {
        const size_t rows = M - m < block ? M - m : block;
        size_t n = 0;
        for (; n + 4 <= N; n += 4) stripe(rows, 4, K, a + m * lda, lda, b + n * ldb, ldb, accumulate, c + m * ldc + n, ldc);
        for (; n < N; n++) stripe(rows, 1, K, a + m * lda, lda, b + n * ldb, ldb, accumulate, c + m * ldc + n, ldc);
    }
}
