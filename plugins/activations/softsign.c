/* softsign.c -- z / (1 + |z|), as torch.nn.Softsign. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"

/* a: (n) = z / (1 + |z|); finite for every finite z (the quotient is
 * at most 1 in magnitude). */
static void softsign_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = z[i] / (1.0 + fabs(z[i]));
}

/* dz: (n) = da / (1 + |z|)^2, written as two divisions so that no square
 * overflows for huge |z| (it tends to 0). */
static void softsign_backward(const double *z, const double *a, const double *da, double *dz,
                              size_t n, const mlp_param_value *p)
{
    (void)a;
    (void)p;
    for (size_t i = 0; i < n; i++) {
        double d = 1.0 + fabs(z[i]);
        dz[i] = da[i] / d / d;
    }
}

static const mlp_activation_desc softsign_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "softsign",
        .version = "1.0.0",
        .help = "softsign z / (1 + |z|), output in (-1, 1)",
        .n_params = 0,
        .params = NULL,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = softsign_forward,
    .backward = softsign_backward,
};

MLP_DEFINE_PLUGIN(softsign_desc);
