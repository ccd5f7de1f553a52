/* tanh.c -- the hyperbolic tangent activation, as torch.nn.Tanh. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"

/* a: (n) = tanh(z). */
static void tanh_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = tanh(z[i]);
}

/* dz: (n) = (1 - a^2) da, from the output. */
static void tanh_backward(const double *z, const double *a, const double *da, double *dz,
                          size_t n, const mlp_param_value *p)
{
    (void)z;
    (void)p;
    for (size_t i = 0; i < n; i++)
        dz[i] = (1.0 - a[i] * a[i]) * da[i];
}

static const mlp_activation_desc tanh_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "tanh",
        .version = "1.0.0",
        .help = "hyperbolic tangent, output in (-1, 1)",
        .n_params = 0,
        .params = NULL,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = tanh_forward,
    .backward = tanh_backward,
};

MLP_DEFINE_PLUGIN(tanh_desc);
