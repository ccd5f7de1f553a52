/* mse.c -- squared error with the identity link, as torch.nn.MSELoss:
 * mean of (z - y)^2, no factor 1/2. */
#include <stddef.h>

#include "mlplab/plugin.h"
#include "mlplab_loss.h"

enum { P_REDUCTION };

/* logits, dlogits: (n, k); y: (n), each sample's label used for its k outputs. */
static double mse_loss(const double *z, const double *y, double *dz, size_t n, size_t k,
                       const mlp_param_value *p)
{
    const size_t m = n * k;
    const int mean = mlplab_reduction_is_mean(&p[P_REDUCTION]);
    const double g = mlplab_reduce(2.0, m, mean);
    double sum = 0.0;

    if (k == 1) {
        for (size_t i = 0; i < n; i++)
            sum += (z[i] - y[i]) * (z[i] - y[i]);
        if (dz) {
            for (size_t i = 0; i < n; i++)
                dz[i] = g * (z[i] - y[i]);
        }
    } else {
        for (size_t s = 0; s < n; s++)
            for (size_t j = 0; j < k; j++)
                sum += (z[s * k + j] - y[s]) * (z[s * k + j] - y[s]);
        if (dz) {
            for (size_t s = 0; s < n; s++)
                for (size_t j = 0; j < k; j++)
                    dz[s * k + j] = g * (z[s * k + j] - y[s]);
        }
    }
    return mlplab_reduce(sum, m, mean);
}

static const mlp_param_decl mse_params[] = {
    [P_REDUCTION] = MLPLAB_REDUCTION_PARAM,
};

static const mlp_loss_desc mse_desc = {
    .h = {
        .size = sizeof(mlp_loss_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_LOSS,
        .name = "mse",
        .version = "1.0.0",
        .help = "mean squared error (z - y)^2, identity link (MSELoss)",
        .n_params = sizeof(mse_params) / sizeof(mse_params[0]),
        .params = mse_params,
    },
    .flags = 0,
    .loss = mse_loss,
    .predict = mlplab_predict_identity,
};

MLP_DEFINE_PLUGIN(mse_desc);
