/* selu.c -- the scaled ELU, as torch.nn.SELU: scale z for z > 0,
 * scale alpha (exp(z) - 1) otherwise, with the constants of Klambauer et al.
 * that PyTorch uses.  Derivative scale alpha at z = 0 (the left side), as
 * PyTorch's. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"

#define SELU_ALPHA 1.6732632423543772848170429916717
#define SELU_SCALE 1.0507009873554804934193349852946

/* a: (n). */
static void selu_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = z[i] > 0.0 ? SELU_SCALE * z[i] : SELU_SCALE * SELU_ALPHA * expm1(z[i]);
}

/* dz: (n) = (z > 0 ? scale : scale alpha exp(z)) da. */
static void selu_backward(const double *z, const double *a, const double *da, double *dz,
                          size_t n, const mlp_param_value *p)
{
    (void)a;
    (void)p;
    for (size_t i = 0; i < n; i++)
        dz[i] = (z[i] > 0.0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * exp(z[i])) * da[i];
}

static const mlp_activation_desc selu_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "selu",
        .version = "1.0.0",
        .help = "scaled exponential linear unit (self-normalizing networks)",
        .n_params = 0,
        .params = NULL,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = selu_forward,
    .backward = selu_backward,
};

MLP_DEFINE_PLUGIN(selu_desc);
