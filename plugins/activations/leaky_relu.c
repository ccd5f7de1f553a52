/* leaky_relu.c -- z for z > 0, slope * z otherwise, as torch.nn.LeakyReLU
 * (whose derivative at z = 0 is the slope). */
#include <stddef.h>

#include "mlplab/plugin.h"

enum { P_SLOPE };

/* a: (n) = z > 0 ? z : slope z. */
static void leaky_relu_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    const double s = p[P_SLOPE].num;

    /* a multiplier rather than a branch, so the loop vectorizes; 1 * z == z */
    for (size_t i = 0; i < n; i++)
        a[i] = (z[i] > 0.0 ? 1.0 : s) * z[i];
}

/* dz: (n) = (z > 0 ? 1 : slope) da. */
static void leaky_relu_backward(const double *z, const double *a, const double *da, double *dz,
                                size_t n, const mlp_param_value *p)
{
    const double s = p[P_SLOPE].num;

    (void)a;
    for (size_t i = 0; i < n; i++)
        dz[i] = (z[i] > 0.0 ? 1.0 : s) * da[i];
}

static const mlp_param_decl leaky_relu_params[] = {
    [P_SLOPE] = {
        .name = "slope",
        .type = MLP_PARAM_REAL,
        .def = 0.01,
        .min = 0.0,
        .max = 1.0,
        .help = "slope for z <= 0 (PyTorch's negative_slope)",
    },
};

static const mlp_activation_desc leaky_relu_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "leaky_relu",
        .version = "1.0.0",
        .help = "leaky rectifier: z for z > 0, slope * z otherwise",
        .n_params = sizeof(leaky_relu_params) / sizeof(leaky_relu_params[0]),
        .params = leaky_relu_params,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = leaky_relu_forward,
    .backward = leaky_relu_backward,
};

MLP_DEFINE_PLUGIN(leaky_relu_desc);
