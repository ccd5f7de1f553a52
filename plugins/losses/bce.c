/* bce.c -- binary cross-entropy fused with the sigmoid link, as
 * torch.nn.BCEWithLogitsLoss: finite for every finite logit. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"

enum { P_REDUCTION };
enum { RED_MEAN, RED_SUM };

/* softplus(z) - y z = max(z, 0) - y z + log1p(exp(-|z|)): no overflow, and
 * no cancellation beyond the y z term. */
static double bce_term(double z, double y)
{
    return (z > 0.0 ? z : 0.0) - y * z + log1p(exp(-fabs(z)));
}

static double sigmoid(double z)
{
    double e = exp(-fabs(z));
    double r = 1.0 / (1.0 + e);

    return z >= 0.0 ? r : e * r;
}

/* logits, dlogits: (n, k); y: (n), each sample's label used for its k outputs.
 * Mean over the n k terms unless reduction is sum. */
static double bce_loss(const double *z, const double *y, double *dz, size_t n, size_t k,
                       const mlp_param_value *p)
{
    const size_t m = n * k;
    const int mean = p[P_REDUCTION].num == RED_MEAN;
    double sum = 0.0;

    if (k == 1) {
        for (size_t i = 0; i < n; i++)
            sum += bce_term(z[i], y[i]);
        if (dz) {
            for (size_t i = 0; i < n; i++)
                dz[i] = sigmoid(z[i]) - y[i];
        }
    } else {
        for (size_t s = 0; s < n; s++)
            for (size_t j = 0; j < k; j++)
                sum += bce_term(z[s * k + j], y[s]);
        if (dz) {
            for (size_t s = 0; s < n; s++)
                for (size_t j = 0; j < k; j++)
                    dz[s * k + j] = sigmoid(z[s * k + j]) - y[s];
        }
    }
    if (!mean || m == 0)
        return sum;
    if (dz) {
        for (size_t i = 0; i < m; i++)
            dz[i] /= (double)m;
    }
    return sum / (double)m;
}

/* prob: (n, k) = sigmoid(logits). */
static void bce_predict(const double *z, double *prob, size_t n, size_t k,
                        const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n * k; i++)
        prob[i] = sigmoid(z[i]);
}

static const mlp_param_decl bce_params[] = {
    [P_REDUCTION] = {
        .name = "reduction",
        .type = MLP_PARAM_ENUM,
        .def = RED_MEAN,
        .help = "mean or sum of the per-sample losses",
        .choices = "mean|sum",
    },
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
