/* relu6.c -- min(max(0, z), 6), as torch.nn.ReLU6.  Derivative 1 for
 * 0 < z < 6 and 0 elsewhere, including at z = 0 and z = 6, as PyTorch's. */
#include <stddef.h>

#include "mlplab/plugin.h"

/* a: (n); a NaN input stays NaN. */
static void relu6_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = z[i] < 0.0 ? 0.0 : z[i] > 6.0 ? 6.0 : z[i];
}

/* dz: (n) = [0 < z < 6] da. */
static void relu6_backward(const double *z, const double *a, const double *da, double *dz,
                           size_t n, const mlp_param_value *p)
{
    (void)a;
    (void)p;
    for (size_t i = 0; i < n; i++)
        dz[i] = (z[i] > 0.0 && z[i] < 6.0 ? 1.0 : 0.0) * da[i];
}

static const mlp_activation_desc relu6_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "relu6",
        .version = "1.0.0",
        .help = "rectifier capped at 6: min(max(0, z), 6)",
        .n_params = 0,
        .params = NULL,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = relu6_forward,
    .backward = relu6_backward,
};

MLP_DEFINE_PLUGIN(relu6_desc);
