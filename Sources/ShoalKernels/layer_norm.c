#include "shoal_kernels.h"

#include "vector_math.h"

// LayerNorm over rows of C, vectorised: every sum over a row runs over eight lanes combined in
// a fixed order (a serial Float sum does not vectorise), with contraction to FMA off, so every
// clone computes the same bits. The row mean is summed in Double, for a stable sum.
#pragma clang fp contract(off)

SHOAL_CLONES
void shoal_layer_norm_forward(const float *x, float *y, const float *gain, const float *bias, float eps,
                              size_t rows, size_t C, float *mean, float *rstd) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * C;
        float *yr = y + r * C;
        double lanes[8] = {0};
        size_t c = 0;
        for (; c + 8 <= C; c += 8)
            for (int l = 0; l < 8; l++) lanes[l] += (double)xr[c + l];
        double sum = shoal_combine8_double(lanes);
        for (; c < C; c++) sum += (double)xr[c];
        const float m = (float)(sum / (double)C);
        float squares[8] = {0};
        c = 0;
        for (; c + 8 <= C; c += 8)
            for (int l = 0; l < 8; l++) {
                const float d = xr[c + l] - m;
                squares[l] += d * d;
            }
        float variance = shoal_combine8(squares);
        for (; c < C; c++) {
            const float d = xr[c] - m;
            variance += d * d;
        }
        const float s = 1.0f / __builtin_sqrtf(variance / (float)C + eps);
        mean[r] = m;
        rstd[r] = s;
        if (bias)
            for (c = 0; c < C; c++) yr[c] = (xr[c] - m) * s * gain[c] + bias[c];
        else
            for (c = 0; c < C; c++) yr[c] = (xr[c] - m) * s * gain[c];
    }
}

SHOAL_CLONES
void shoal_layer_norm_backward(const float *x, const float *dy, const float *gain, const float *mean, const float *rstd,
                               float *dgain, float *dbias, float *dx, size_t rows, size_t C) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * C, *dyr = dy + r * C;
        const float m = mean[r], s = rstd[r];
        float lanes_dn[8] = {0}, lanes_dnn[8] = {0};
        size_t c = 0;
        for (; c + 8 <= C; c += 8)
            for (int l = 0; l < 8; l++) {
                const float n = (xr[c + l] - m) * s, dn = dyr[c + l] * gain[c + l];
                lanes_dn[l] += dn;
                lanes_dnn[l] += dn * n;
            }
        float sum_dn = shoal_combine8(lanes_dn);
        float sum_dnn = shoal_combine8(lanes_dnn);
        for (; c < C; c++) {
            const float n = (xr[c] - m) * s, dn = dyr[c] * gain[c];
            sum_dn += dn;
            sum_dnn += dn * n;
        }
        for (c = 0; c < C; c++) dgain[c] += dyr[c] * ((xr[c] - m) * s);
        if (dbias)
            for (c = 0; c < C; c++) dbias[c] += dyr[c];
        if (!dx) continue;
        const float mean_dn = sum_dn / (float)C, mean_dnn = sum_dnn / (float)C;
        float *dxr = dx + r * C;
        for (c = 0; c < C; c++) dxr[c] = s * (dyr[c] * gain[c] - mean_dn - ((xr[c] - m) * s) * mean_dnn);
    }
}
