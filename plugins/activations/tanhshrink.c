/* tanhshrink.c -- z - tanh(z), as torch.nn.Tanhshrink. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"

/* a: (n) = z - tanh(z). */
static void tanhshrink_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = z[i] - tanh(z[i]);
}

/* dz: (n) = tanh(z)^2 da, from the input (1 - (1 - t^2) would cancel). */
static void tanhshrink_backward(const double *z, const double *a, const double *da, double *dz,
                                size_t n, const mlp_param_value *p)
{
    (void)a;
    (void)p;
    for (size_t i = 0; i < n; i++) {
        double t = tanh(z[i]);
        dz[i] = t * t * da[i];
    }
}

static const mlp_activation_desc tanhshrink_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "tanhshrink",
        .version = "1.0.0",
        .help = "z - tanh(z)",
        .n_params = 0,
        .params = NULL,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = tanhshrink_forward,
    .backward = tanhshrink_backward,
};

MLP_DEFINE_PLUGIN(tanhshrink_desc);
