/* hardsigmoid.c -- min(max(z + 3, 0), 6) / 6, as torch.nn.Hardsigmoid.
 * Derivative 1/6 for -3 < z < 3 and 0 elsewhere, including at z = +-3, as
 * PyTorch's.  (PyTorch 1.13's CPU kernel multiplies by 1/6 rounded to single
 * precision, 0.1666666716...; this plugin uses the double 1/6.) */
#include <stddef.h>

#include "mlplab/plugin.h"

/* a: (n); a NaN input stays NaN. */
static void hardsigmoid_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++) {
        double t = z[i] + 3.0;
        a[i] = (t < 0.0 ? 0.0 : t > 6.0 ? 6.0 : t) / 6.0;
    }
}

/* dz: (n) = [-3 < z < 3] da / 6. */
static void hardsigmoid_backward(const double *z, const double *a, const double *da, double *dz,
                                 size_t n, const mlp_param_value *p)
{
    (void)a;
    (void)p;
    for (size_t i = 0; i < n; i++)
        dz[i] = (z[i] > -3.0 && z[i] < 3.0 ? 1.0 / 6.0 : 0.0) * da[i];
}

static const mlp_activation_desc hardsigmoid_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "hardsigmoid",
        .version = "1.0.0",
        .help = "piecewise-linear sigmoid: 0 below -3, 1 above 3, z/6 + 1/2 between",
        .n_params = 0,
        .params = NULL,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = hardsigmoid_forward,
    .backward = hardsigmoid_backward,
};

MLP_DEFINE_PLUGIN(hardsigmoid_desc);
