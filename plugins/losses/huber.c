/* huber.c -- the Huber loss with the identity link, as torch.nn.HuberLoss:
 * (z - y)^2 / 2 where |z - y| < delta, delta (|z - y| - delta / 2) beyond. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"
#include "mlplab_loss.h"

enum { P_REDUCTION, P_DELTA };

/* logits, dlogits: (n, k); y: (n), each sample's label used for its k
 * outputs.  The gradient is z - y clipped to [-delta, delta] (continuous:
 * both pieces agree at |z - y| = delta). */
static double huber_loss(const double *z, const double *y, double *dz, size_t n, size_t k,
                         const mlp_param_value *p)
{
    const size_t m = n * k;
    const int mean = mlplab_reduction_is_mean(&p[P_REDUCTION]);
    const double delta = p[P_DELTA].num;
    const double g = mlplab_reduce(1.0, m, mean);
    double sum = 0.0;

    for (size_t s = 0; s < n; s++) {
        for (size_t j = 0; j < k; j++) {
            double d = z[s * k + j] - y[s], ad = fabs(d);
            sum += ad < delta ? 0.5 * d * d : delta * (ad - 0.5 * delta);
            if (dz)
                dz[s * k + j] = (d < -delta ? -delta : d > delta ? delta : d) * g;
        }
    }
    return mlplab_reduce(sum, m, mean);
}

static const mlp_param_decl huber_params[] = {
    [P_REDUCTION] = MLPLAB_REDUCTION_PARAM,
    [P_DELTA] = {
        .name = "delta",
        .type = MLP_PARAM_REAL,
        .def = 1.0,
        .min = 1e-9,
        .max = 1e6,
        .help = "where the loss turns from quadratic to linear (> 0)",
    },
};

static const mlp_loss_desc huber_desc = {
    .h = {
        .size = sizeof(mlp_loss_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_LOSS,
        .name = "huber",
        .version = "1.0.0",
        .help = "Huber loss on z - y, identity link (HuberLoss)",
        .n_params = sizeof(huber_params) / sizeof(huber_params[0]),
        .params = huber_params,
    },
    .flags = 0,
    .loss = huber_loss,
    .predict = mlplab_predict_identity, /* prob = logits: class 1 where z >= 1/2 */
};

MLP_DEFINE_PLUGIN(huber_desc);
