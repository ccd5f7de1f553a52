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
 * block at a time: first everything but log1p, in a loop that vectorizes
 * (mlplab_vexp), then log1p (libm, scalar) and the sum, in index order, so
 * the sum is rounded exactly as a plain loop over the terms would. */
enum { BCE_BLOCK = 256 };

/* sum + the terms of z[0..len), in order, with labels y[0..len) (per_y) or
 * y[0] for all of them.  Inlined, so that each of bce_loss's ISA copies gets
 * its own vector code. */
static inline __attribute__((always_inline)) double bce_accumulate(double sum, const double *z, const double *y, int per_y, size_t len)
{
    double lin[BCE_BLOCK], e[BCE_BLOCK];

    for (size_t i0 = 0; i0 < len; i0 += BCE_BLOCK) {
        const size_t c = len - i0 < BCE_BLOCK ? len - i0 : BCE_BLOCK;
        const double *zb = z + i0;

        if (per_y) {
            const double *yb = y + i0;
            for (size_t j = 0; j < c; j++) {
                double zj = zb[j];
                lin[j] = (zj > 0.0 ? zj : 0.0) - yb[j] * zj;
                e[j] = mlplab_vexp(-fabs(zj));
            }
        } else {
            const double y0 = y[0];
            for (size_t j = 0; j < c; j++) {
                double zj = zb[j];
                lin[j] = (zj > 0.0 ? zj : 0.0) - y0 * zj;
                e[j] = mlplab_vexp(-fabs(zj));
            }
        }
        for (size_t j = 0; j < c; j++)
            sum += lin[j] + log1p(e[j]);
    }
    return sum;
}

/* Branch-free (the select is a blend), so the loops calling it vectorize. */
static inline double sigmoid(double z)
{
    double e = mlplab_vexp(-fabs(z));
    double r = 1.0 / (1.0 + e);
    double er = e * r;

    return z >= 0.0 ? r : er;
}

/* logits, dlogits: (n, k); y: (n), each sample's label used for its k outputs.
 * Mean over the n k terms unless reduction is sum. */
MLPLAB_VEXP_CLONES
static double bce_loss(const double *z, const double *y, double *dz, size_t n, size_t k,
                       const mlp_param_value *p)
{
    const size_t m = n * k;
    const int mean = mlplab_reduction_is_mean(&p[P_REDUCTION]);
    double sum = 0.0;

    if (k == 1) {
        sum = bce_accumulate(sum, z, y, 1, n);
        if (dz) {
            for (size_t i = 0; i < n; i++)
                dz[i] = sigmoid(z[i]) - y[i];
        }
    } else {
        for (size_t s = 0; s < n; s++)
            sum = bce_accumulate(sum, z + s * k, y + s, 0, k);
        if (dz) {
            for (size_t s = 0; s < n; s++) {
                const double ys = y[s];
                for (size_t j = 0; j < k; j++)
                    dz[s * k + j] = sigmoid(z[s * k + j]) - ys;
            }
        }
    }
    return mlplab_reduce_with_grad(sum, dz, m, m, mean);
}

/* prob: (n, k) = sigmoid(logits). */
MLPLAB_VEXP_CLONES
static void bce_predict(const double *z, double *prob, size_t n, size_t k,
                        const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n * k; i++)
        prob[i] = sigmoid(z[i]);
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
