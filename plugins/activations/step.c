/* step.c -- the Heaviside step, the tutorial's first decision function:
 * 1 where z > 0, else 0 (so 0 at z = 0, as torch.heaviside(z, 0)).  Its
 * derivative is 0 almost everywhere, and this plugin returns 0 everywhere:
 * no gradient flows through it, which is the tutorial's point. */
#include <stddef.h>

#include "mlplab/plugin.h"

/* a: (n) = [z > 0]; a NaN input stays NaN, so divergence is seen
 * (torch.heaviside would give 0). */
static void step_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = z[i] > 0.0 ? 1.0 : z[i] <= 0.0 ? 0.0 : z[i];
}

/* dz: (n) = 0. */
static void step_backward(const double *z, const double *a, const double *da, double *dz,
                          size_t n, const mlp_param_value *p)
{
    (void)z;
    (void)a;
    (void)da;
    (void)p;
    for (size_t i = 0; i < n; i++)
        dz[i] = 0.0;
}

static const mlp_activation_desc step_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "step",
        .version = "1.0.0",
        .help = "Heaviside step: 1 where z > 0, else 0; its gradient is 0",
        .n_params = 0,
        .params = NULL,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = step_forward,
    .backward = step_backward,
};

MLP_DEFINE_PLUGIN(step_desc);
