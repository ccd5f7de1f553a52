/* mish.c -- z tanh(softplus(z)), as torch.nn.Mish. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"

/* tanh(log(1 + e^z)) = ((1 + e^z)^2 - 1) / ((1 + e^z)^2 + 1), written with
 * e = exp(-|z|) so nothing overflows or cancels:
 *   z >= 0: (1 + 2e) / (1 + 2e + 2e^2)      z < 0: e (e + 2) / (e (e + 2) + 2)
 * and 1 - t^2 likewise without cancellation (*sech2). */
static double tanh_softplus(double z, double *sech2)
{
    double e = exp(-fabs(z)), num, den, s;

    if (z >= 0.0) {
        num = 1.0 + 2.0 * e;
        den = num + 2.0 * e * e;
        s = 2.0 * e * (1.0 + e); /* den - num = 2e^2, den + num = 2 (1 + e)^2 */
    } else {
        num = e * (e + 2.0);
        den = num + 2.0;
        s = 2.0 * (1.0 + e); /* den - num = 2, den + num = 2 (1 + e)^2 */
    }
    if (sech2)
        *sech2 = s / den * (s / den);
    return num / den;
}

static double sigmoid(double z)
{
    double e = exp(-fabs(z));
    double r = 1.0 / (1.0 + e);

    return z >= 0.0 ? r : e * r;
}

/* a: (n) = z tanh(softplus(z)). */
static void mish_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = z[i] * tanh_softplus(z[i], NULL);
}

/* dz: (n) = (t + z sigmoid(z) (1 - t^2)) da, t = tanh(softplus(z)). */
static void mish_backward(const double *z, const double *a, const double *da, double *dz,
                          size_t n, const mlp_param_value *p)
{
    (void)a;
    (void)p;
    for (size_t i = 0; i < n; i++) {
        double sech2, t = tanh_softplus(z[i], &sech2);
        dz[i] = (t + z[i] * sigmoid(z[i]) * sech2) * da[i];
    }
}

static const mlp_activation_desc mish_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "mish",
        .version = "1.0.0",
        .help = "mish z tanh(softplus(z))",
        .n_params = 0,
        .params = NULL,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = mish_forward,
    .backward = mish_backward,
};

MLP_DEFINE_PLUGIN(mish_desc);
