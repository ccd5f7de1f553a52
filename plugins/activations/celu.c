/* celu.c -- the continuously differentiable ELU, as torch.nn.CELU:
 * max(0, z) + min(0, alpha (exp(z / alpha) - 1)).  Its derivative is 1 at
 * z = 0 whatever alpha. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"

enum { P_ALPHA };

/* a: (n). */
static void celu_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    const double alpha = p[P_ALPHA].num;

    for (size_t i = 0; i < n; i++)
        a[i] = z[i] > 0.0 ? z[i] : alpha * expm1(z[i] / alpha);
}

/* dz: (n) = (z > 0 ? 1 : exp(z / alpha)) da. */
static void celu_backward(const double *z, const double *a, const double *da, double *dz,
                          size_t n, const mlp_param_value *p)
{
    const double alpha = p[P_ALPHA].num;

    (void)a;
    for (size_t i = 0; i < n; i++)
        dz[i] = (z[i] > 0.0 ? 1.0 : exp(z[i] / alpha)) * da[i];
}

static const mlp_param_decl celu_params[] = {
    [P_ALPHA] = {
        .name = "alpha",
        .type = MLP_PARAM_REAL,
        .def = 1.0,
        .min = 1e-6,
        .max = 1e3,
        .help = "scale of the negative part: alpha (exp(z / alpha) - 1), alpha > 0",
    },
};

static const mlp_activation_desc celu_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "celu",
        .version = "1.0.0",
        .help = "continuously differentiable ELU: z for z > 0, alpha (exp(z/alpha) - 1) otherwise",
        .n_params = sizeof(celu_params) / sizeof(celu_params[0]),
        .params = celu_params,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = celu_forward,
    .backward = celu_backward,
};

MLP_DEFINE_PLUGIN(celu_desc);
