/* relu.c -- the rectifier max(0, z), as torch.nn.ReLU (derivative 0 at z <= 0). */
#include <stddef.h>

#include "mlplab/plugin.h"

/* a: (n) = max(0, z); a NaN input stays NaN so divergence is seen. */
static void relu_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = z[i] < 0.0 ? 0.0 : z[i];
}

/* dz: (n) = [z > 0] da. */
static void relu_backward(const double *z, const double *a, const double *da, double *dz,
                          size_t n, const mlp_param_value *p)
{
    (void)a;
    (void)p;
    for (size_t i = 0; i < n; i++)
        dz[i] = (z[i] > 0.0 ? 1.0 : 0.0) * da[i];
}

static const mlp_activation_desc relu_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "relu",
        .version = "1.0.0",
        .help = "rectified linear unit max(0, z)",
        .n_params = 0,
        .params = NULL,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = relu_forward,
    .backward = relu_backward,
};

MLP_DEFINE_PLUGIN(relu_desc);
