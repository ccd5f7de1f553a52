/* elu.c -- the exponential linear unit, as torch.nn.ELU: z for z > 0,
 * alpha (exp(z) - 1) otherwise.  Derivative alpha exp(z) for z <= 0, as
 * PyTorch's (so alpha at z = 0). */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"

enum { P_ALPHA };

/* a: (n); expm1 keeps small negative z accurate, and exp(z) -> 0 for z -> -inf. */
static void elu_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    const double alpha = p[P_ALPHA].num;

    for (size_t i = 0; i < n; i++)
        a[i] = z[i] > 0.0 ? z[i] : alpha * expm1(z[i]);
}

/* dz: (n) = (z > 0 ? 1 : alpha exp(z)) da, from the input (a + alpha would
 * cancel for large negative z). */
static void elu_backward(const double *z, const double *a, const double *da, double *dz,
                         size_t n, const mlp_param_value *p)
{
    const double alpha = p[P_ALPHA].num;

    (void)a;
    for (size_t i = 0; i < n; i++)
        dz[i] = (z[i] > 0.0 ? 1.0 : alpha * exp(z[i])) * da[i];
}

static const mlp_param_decl elu_params[] = {
    [P_ALPHA] = {
        .name = "alpha",
        .type = MLP_PARAM_REAL,
        .def = 1.0,
        .min = 0.0,
        .max = 1e3,
        .help = "value the function tends to for z -> -inf is -alpha",
    },
};

static const mlp_activation_desc elu_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "elu",
        .version = "1.0.0",
        .help = "exponential linear unit: z for z > 0, alpha (exp(z) - 1) otherwise",
        .n_params = sizeof(elu_params) / sizeof(elu_params[0]),
        .params = elu_params,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = elu_forward,
    .backward = elu_backward,
};

MLP_DEFINE_PLUGIN(elu_desc);
