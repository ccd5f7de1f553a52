/* silu.c -- the sigmoid-weighted linear unit z sigmoid(z) (swish), as
 * torch.nn.SiLU. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"

/* sigmoid from exp(-|z|): no overflow for any z. */
static double sigmoid(double z)
{
    double e = exp(-fabs(z));
    double r = 1.0 / (1.0 + e);

    return z >= 0.0 ? r : e * r;
}

/* a: (n) = z sigmoid(z). */
static void silu_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = z[i] * sigmoid(z[i]);
}

/* dz: (n) = s (1 + z (1 - s)) da with s = sigmoid(z). */
static void silu_backward(const double *z, const double *a, const double *da, double *dz,
                          size_t n, const mlp_param_value *p)
{
    (void)a;
    (void)p;
    for (size_t i = 0; i < n; i++) {
        double s = sigmoid(z[i]);
        dz[i] = s * (1.0 + z[i] * (1.0 - s)) * da[i];
    }
}

static const mlp_activation_desc silu_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "silu",
        .version = "1.0.0",
        .help = "sigmoid linear unit (swish) z sigmoid(z)",
        .n_params = 0,
        .params = NULL,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = silu_forward,
    .backward = silu_backward,
};

MLP_DEFINE_PLUGIN(silu_desc);
