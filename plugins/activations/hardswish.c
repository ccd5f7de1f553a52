/* hardswish.c -- z min(max(z + 3, 0), 6) / 6, as torch.nn.Hardswish.
 * Derivative 0 for z < -3, z/3 + 1/2 for -3 <= z <= 3, 1 for z > 3: at the
 * kinks PyTorch takes the middle piece, so -1/2 at z = -3 and 3/2 at z = 3. */
#include <stddef.h>

#include "mlplab/plugin.h"

/* a: (n); a NaN input stays NaN. */
static void hardswish_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++) {
        double t = z[i] + 3.0;
        /* z itself above 3, where z * 6 / 6 could overflow */
        a[i] = t >= 6.0 ? z[i] : z[i] * (t < 0.0 ? 0.0 : t) / 6.0;
    }
}

/* dz: (n). */
static void hardswish_backward(const double *z, const double *a, const double *da, double *dz,
                               size_t n, const mlp_param_value *p)
{
    (void)a;
    (void)p;
    for (size_t i = 0; i < n; i++) {
        double x = z[i];
        dz[i] = (x < -3.0 ? 0.0 : x <= 3.0 ? x / 3.0 + 0.5 : 1.0) * da[i];
    }
}

static const mlp_activation_desc hardswish_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "hardswish",
        .version = "1.0.0",
        .help = "piecewise swish z hardsigmoid(z)",
        .n_params = 0,
        .params = NULL,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = hardswish_forward,
    .backward = hardswish_backward,
};

MLP_DEFINE_PLUGIN(hardswish_desc);
