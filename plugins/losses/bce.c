/* bce.c -- binary cross-entropy fused with the sigmoid link, as
 * torch.nn.BCEWithLogitsLoss: finite for every finite logit. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"
#include "mlplab_loss.h"
#include "mlplab_vexp.h"

enum { P_REDUCTION };

/* The loss terms are softplus(z) - y z = max(z, 0) - y z + log1p(exp(-|z|)):
 * no overflow, and no cancellation beyond the y z term.  They are computed a
 * block at a time in a loop that vectorizes (mlplab_vexp, mlplab_vlog1p01),
 * with dlogits = sigmoid(z) - y from the same exp, and summed in eight lanes
 * (mlplab_lanes_add), so the sum has the same bits at any vector width. */
enum { BCE_BLOCK = 256 };

/* The terms and dlogits of one sample-block with one label per logit (k = 1),
 * into t (c) and db (c, or NULL); in the AVX-512 and AVX2 copies the
 * intrinsic twins, the same bits. */
typedef void bce_terms_fn(const double *zb, const double *yb, double *t, double *db, size_t c);

static void bce_terms_c(const double *zb, const double *yb, double *t, double *db, size_t c)
{
    if (db) {
        for (size_t j = 0; j < c; j++) {
            const double zj = zb[j], e = mlplab_vexp(-fabs(zj));
            t[j] = ((zj > 0.0 ? zj : 0.0) - yb[j] * zj) + mlplab_vlog1p01(e);
            db[j] = (zj >= 0.0 ? 1.0 : e) / (1.0 + e) - yb[j];
        }
    } else {
        for (size_t j = 0; j < c; j++) {
            const double zj = zb[j], e = mlplab_vexp(-fabs(zj));
            t[j] = ((zj > 0.0 ? zj : 0.0) - yb[j] * zj) + mlplab_vlog1p01(e);
        }
    }
}

#ifdef MLPLAB_HAVE_AVX512_PATH
MLPLAB_AVX512_INLINE void bce_terms8(const double *zb, const double *yb, double *t, double *db,
                                     __mmask8 m)
{
    const __m512d z = _mm512_maskz_loadu_pd(m, zb), y = _mm512_maskz_loadu_pd(m, yb);
    const __m512d e = mlplab_vexp8(mlplab_negabs8(z));
    const __m512d lin = _mm512_sub_pd(_mm512_max_pd(z, _mm512_setzero_pd()), _mm512_mul_pd(y, z));
    _mm512_mask_storeu_pd(t, m, _mm512_add_pd(lin, mlplab_vlog1p01_8(e)));
    if (db)
        _mm512_mask_storeu_pd(db, m, _mm512_sub_pd(mlplab_vsigmoid8_from(z, e), y));
}

MLP_ISA_AVX512_FN
static void bce_terms_avx512(const double *zb, const double *yb, double *t, double *db, size_t c)
{
    size_t j = 0;

    for (; j + 8 <= c; j += 8)
        bce_terms8(zb + j, yb + j, t + j, db ? db + j : NULL, (__mmask8)0xff);
    if (j < c)
        bce_terms8(zb + j, yb + j, t + j, db ? db + j : NULL, mlplab_tail_mask(c - j));
}

/* (max(z, 0) with z = NaN: vmaxpd returns its second operand, 0, where the
 * C select z > 0 ? z : 0 also gives 0.) */
MLPLAB_AVX2_INLINE void bce_terms4(const double *zb, const double *yb, double *t, double *db,
                                   __m256i m)
{
    const __m256d z = _mm256_maskload_pd(zb, m), y = _mm256_maskload_pd(yb, m);
    const __m256d e = mlplab_vexp4(mlplab_negabs4(z));
    const __m256d lin = _mm256_sub_pd(_mm256_max_pd(z, _mm256_setzero_pd()), _mm256_mul_pd(y, z));
    _mm256_maskstore_pd(t, m, _mm256_add_pd(lin, mlplab_vlog1p01_4(e)));
    if (db)
        _mm256_maskstore_pd(db, m, _mm256_sub_pd(mlplab_vsigmoid4_from(z, e), y));
}

MLP_ISA_AVX2_FN
static void bce_terms_avx2(const double *zb, const double *yb, double *t, double *db, size_t c)
{
    const __m256i all = _mm256_set1_epi64x(-1);
    size_t j = 0;

    for (; j + 4 <= c; j += 4)
        bce_terms4(zb + j, yb + j, t + j, db ? db + j : NULL, all);
    if (j < c)
        bce_terms4(zb + j, yb + j, t + j, db ? db + j : NULL, mlplab_tail_mask4(c - j));
}
#endif

/* logits, dlogits: (n, k); y: (n), each sample's label used for its k outputs.
 * Mean over the n k terms unless reduction is sum.  terms does the k = 1
 * blocks. */
static inline __attribute__((always_inline)) double bce_loss_body(bce_terms_fn *terms,
                                                                  const double *z, const double *y,
                                                                  double *dz, size_t n, size_t k,
                                                                  const mlp_param_value *p)
{
    const size_t m = n * k;
    const int mean = mlplab_reduction_is_mean(&p[P_REDUCTION]);
    mlplab_v8d acc = {0};
    double t[BCE_BLOCK];

    for (size_t i0 = 0; i0 < m; i0 += BCE_BLOCK) {
        const size_t c = m - i0 < BCE_BLOCK ? m - i0 : BCE_BLOCK;
        const double *zb = z + i0;

        if (k == 1) {
            terms(zb, y + i0, t, dz ? dz + i0 : NULL, c);
        } else {
            for (size_t j = 0; j < c; j++) {
                const double zj = zb[j], yj = y[(i0 + j) / k], e = mlplab_vexp(-fabs(zj));
                t[j] = ((zj > 0.0 ? zj : 0.0) - yj * zj) + mlplab_vlog1p01(e);
                if (dz)
                    dz[i0 + j] = (zj >= 0.0 ? 1.0 : e) / (1.0 + e) - yj;
            }
        }
        mlplab_lanes_add(&acc, t, c);
    }
    return mlplab_reduce_with_grad(mlplab_lanes_fold(&acc), dz, m, m, mean);
}

#ifdef MLPLAB_HAVE_AVX512_PATH
MLP_ISA_AVX512_FN
static double bce_loss_avx512(const double *z, const double *y, double *dz, size_t n, size_t k,
                              const mlp_param_value *p)
{
    return bce_loss_body(bce_terms_avx512, z, y, dz, n, k, p);
}

MLP_ISA_AVX2_FN
static double bce_loss_avx2(const double *z, const double *y, double *dz, size_t n, size_t k,
                            const mlp_param_value *p)
{
    return bce_loss_body(bce_terms_avx2, z, y, dz, n, k, p);
}
#endif

static double bce_loss(const double *z, const double *y, double *dz, size_t n, size_t k,
                       const mlp_param_value *p)
{
#ifdef MLPLAB_HAVE_AVX512_PATH
    if (mlplab_have_avx512())
        return bce_loss_avx512(z, y, dz, n, k, p);
    if (mlplab_have_avx2())
        return bce_loss_avx2(z, y, dz, n, k, p);
#endif
    return bce_loss_body(bce_terms_c, z, y, dz, n, k, p);
}

/* prob: (n, k) = sigmoid(logits). */
static void bce_predict(const double *z, double *prob, size_t n, size_t k,
                        const mlp_param_value *p)
{
    (void)p;
    mlplab_vsigmoid_array(z, prob, n * k);
}

static const mlp_param_decl bce_params[] = {
    [P_REDUCTION] = MLPLAB_REDUCTION_PARAM,
};

static const mlp_loss_desc bce_desc = {
    .h = {
        .size = sizeof(mlp_loss_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_LOSS,
        .name = "bce",
        .version = "1.0.0",
        .help = "binary cross-entropy on logits, sigmoid link (BCEWithLogitsLoss)",
        .n_params = sizeof(bce_params) / sizeof(bce_params[0]),
        .params = bce_params,
    },
    .flags = 0,
    .loss = bce_loss,
    .predict = bce_predict,
};

MLP_DEFINE_PLUGIN(bce_desc);
