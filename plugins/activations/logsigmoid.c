/* logsigmoid.c -- log(sigmoid(z)) = -softplus(-z), as torch.nn.LogSigmoid. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"

/* a: (n) = min(z, 0) - log1p(exp(-|z|)): no overflow for any z, and exact
 * z for z << 0. */
static void logsigmoid_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = (z[i] < 0.0 ? z[i] : 0.0) - log1p(exp(-fabs(z[i])));
}

/* dz: (n) = sigmoid(-z) da. */
static void logsigmoid_backward(const double *z, const double *a, const double *da, double *dz,
                                size_t n, const mlp_param_value *p)
{
    (void)a;
    (void)p;
    for (size_t i = 0; i < n; i++) {
        double e = exp(-fabs(z[i]));
        double r = 1.0 / (1.0 + e);
        dz[i] = (z[i] > 0.0 ? e * r : r) * da[i];
    }
}

static const mlp_activation_desc logsigmoid_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "logsigmoid",
        .version = "1.0.0",
        .help = "log of the logistic sigmoid, log(1 / (1 + exp(-z)))",
        .n_params = 0,
        .params = NULL,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = logsigmoid_forward,
    .backward = logsigmoid_backward,
};

MLP_DEFINE_PLUGIN(logsigmoid_desc);
