/* softmax_ce.c -- cross-entropy over the softmax of k logits, as
 * torch.nn.CrossEntropyLoss with class-index targets (and its
 * label_smoothing): fused through log-sum-exp, finite for every finite
 * logit whose loss is representable. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"
#include "mlplab_loss.h"

enum { P_REDUCTION, P_LABEL_SMOOTHING };

/* Largest logit of one sample, z: (k). */
static double row_max(const double *z, size_t k)
{
    double m = z[0];

    for (size_t c = 1; c < k; c++)
        if (z[c] > m)
            m = z[c];
    return m;
}

/* Cross-entropy of one sample against the target distribution
 * q = (1 - eps) onehot(t) + eps / k; z: (k), dz: (k) out (softmax - q) or NULL.
 * With m = max z and s = sum exp(z - m), log p_c = (z_c - m) - log s, so
 *   loss = (1 - eps) ((m - z_t) + log s) + eps (log s + mean_c (m - z_c)),
 * every term a sum of non-negative parts: no cancellation, no overflow
 * before the loss itself exceeds DBL_MAX.  A label outside 0 .. k-1 gives NaN. */
static double ce_row(const double *z, double label, double *dz, size_t k, double eps)
{
    const double m = row_max(z, k);
    double s = 0.0, logs, loss;
    size_t t;

    if (!(label >= 0.0 && label < (double)k)) {
        if (dz)
            for (size_t c = 0; c < k; c++)
                dz[c] = NAN;
        return NAN;
    }
    t = (size_t)label;
    if (dz) {
        for (size_t c = 0; c < k; c++) {
            dz[c] = exp(z[c] - m);
            s += dz[c];
        }
    } else {
        for (size_t c = 0; c < k; c++)
            s += exp(z[c] - m);
    }
    logs = log(s); /* s >= 1: the largest logit adds exp(0) */
    loss = (m - z[t]) + logs;
    if (eps > 0.0) {
        double gap = 0.0;
        for (size_t c = 0; c < k; c++)
            gap += m - z[c];
        loss = (1.0 - eps) * loss + eps * (logs + gap / (double)k);
    }
    if (dz) {
        const double off = eps / (double)k;
        for (size_t c = 0; c < k; c++)
            dz[c] = dz[c] / s - off;
        dz[t] -= 1.0 - eps;
    }
    return loss;
}

/* logits, dlogits: (n, k); y: (n) class indices 0 .. k-1.  The mean over the
 * n samples (not the n k outputs, unlike bce) unless reduction is sum. */
static double ce_loss(const double *z, const double *y, double *dz, size_t n, size_t k,
                      const mlp_param_value *p)
{
    const int mean = mlplab_reduction_is_mean(&p[P_REDUCTION]);
    const double eps = p[P_LABEL_SMOOTHING].num;
    double sum = 0.0;

    for (size_t i = 0; i < n; i++)
        sum += ce_row(z + i * k, y[i], dz ? dz + i * k : NULL, k, eps);
    return mlplab_reduce_with_grad(sum, dz, n * k, n, mean);
}

/* prob: (n, k) = softmax of each row of logits, from the largest logit down
 * so nothing overflows; each row sums to 1 up to rounding. */
static void ce_predict(const double *z, double *prob, size_t n, size_t k,
                       const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++) {
        const double *zi = z + i * k;
        double *pi = prob + i * k;
        const double m = row_max(zi, k);
        double s = 0.0;

        for (size_t c = 0; c < k; c++) {
            pi[c] = exp(zi[c] - m);
            s += pi[c];
        }
        for (size_t c = 0; c < k; c++)
            pi[c] /= s;
    }
}

static const mlp_param_decl ce_params[] = {
    [P_REDUCTION] = MLPLAB_REDUCTION_PARAM,
    [P_LABEL_SMOOTHING] = {
        .name = "label_smoothing",
        .type = MLP_PARAM_REAL,
        .def = 0.0,
        .min = 0.0,
        .max = 0x1.fffffffffffffp-1, /* the largest double below 1 */
        .help = "target (1 - e) on the label plus e / k on every class, in [0, 1) (PyTorch's)",
    },
};

static const mlp_loss_desc ce_desc = {
    .h = {
        .size = sizeof(mlp_loss_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_LOSS,
        .name = "softmax_ce",
        .version = "1.0.0",
        .help = "cross-entropy over the softmax of one logit per class (CrossEntropyLoss)",
        .n_params = sizeof(ce_params) / sizeof(ce_params[0]),
        .params = ce_params,
    },
    .flags = MLP_LOSS_MULTICLASS,
    .loss = ce_loss,
    .predict = ce_predict,
};

MLP_DEFINE_PLUGIN(ce_desc);
