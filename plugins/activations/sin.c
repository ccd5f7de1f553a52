/* sin.c -- the periodic activation sin(z) (torch.sin; the Playground's "sine"). */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"

/* a: (n) = sin(z). */
static void sin_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = sin(z[i]);
}

/* dz: (n) = cos(z) da. */
static void sin_backward(const double *z, const double *a, const double *da, double *dz,
                         size_t n, const mlp_param_value *p)
{
    (void)a;
    (void)p;
    for (size_t i = 0; i < n; i++)
        dz[i] = cos(z[i]) * da[i];
}

static const mlp_activation_desc sin_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "sin",
        .version = "1.0.0",
        .help = "sine, sin(z)",
        .n_params = 0,
        .params = NULL,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = sin_forward,
    .backward = sin_backward,
};

MLP_DEFINE_PLUGIN(sin_desc);
