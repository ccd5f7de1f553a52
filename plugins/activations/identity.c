/* identity.c -- the linear activation a = z, as torch.nn.Identity. */
#include <stddef.h>

#include "mlplab/plugin.h"

/* a: (n) = z. */
static void identity_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    if (a == z)
        return;
    for (size_t i = 0; i < n; i++)
        a[i] = z[i];
}

/* dz: (n) = da. */
static void identity_backward(const double *z, const double *a, const double *da, double *dz,
                              size_t n, const mlp_param_value *p)
{
    (void)z;
    (void)a;
    (void)p;
    if (dz == da)
        return;
    for (size_t i = 0; i < n; i++)
        dz[i] = da[i];
}

static const mlp_activation_desc identity_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "identity",
        .version = "1.0.0",
        .help = "linear activation a = z",
        .n_params = 0,
        .params = NULL,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = identity_forward,
    .backward = identity_backward,
};

MLP_DEFINE_PLUGIN(identity_desc);
