/* gelu.c -- the Gaussian error linear unit z Phi(z), as torch.nn.GELU:
 * exact (with erf) or, with approximate: tanh, PyTorch's tanh approximation
 * 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))). */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"

enum { P_APPROXIMATE };
enum { APPROX_NONE, APPROX_TANH };

#define SQRT1_2 0.70710678118654752440     /* 1/sqrt(2) */
#define INV_SQRT_2PI 0.39894228040143267794 /* 1/sqrt(2 pi) */
#define SQRT_2_PI 0.79788456080286535588   /* sqrt(2/pi) */
#define KAPPA 0.044715

/* 1 + tanh(u) = 2 / (1 + exp(-2u)), without the cancellation for u << 0. */
static double one_plus_tanh(double u)
{
    double e = exp(-2.0 * fabs(u));

    return u >= 0.0 ? 2.0 / (1.0 + e) : 2.0 * e / (1.0 + e);
}

/* a: (n).  Phi(z) = erfc(-z / sqrt 2) / 2 stays accurate for z << 0, where
 * 1 + erf would cancel. */
static void gelu_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    if (p[P_APPROXIMATE].num == APPROX_TANH) {
        for (size_t i = 0; i < n; i++) {
            double x = z[i];
            a[i] = 0.5 * x * one_plus_tanh(SQRT_2_PI * (x + KAPPA * x * x * x));
        }
    } else {
        for (size_t i = 0; i < n; i++)
            a[i] = 0.5 * z[i] * erfc(-z[i] * SQRT1_2);
    }
}

/* dz: (n) = (Phi(z) + z phi(z)) da, or the derivative of the tanh form:
 * (1 + t) / 2 + z (1 - t^2) sqrt(2/pi) (1 + 3 kappa z^2) / 2. */
static void gelu_backward(const double *z, const double *a, const double *da, double *dz,
                          size_t n, const mlp_param_value *p)
{
    (void)a;
    if (p[P_APPROXIMATE].num == APPROX_TANH) {
        for (size_t i = 0; i < n; i++) {
            double x = z[i], u = SQRT_2_PI * (x + KAPPA * x * x * x);
            double opt = one_plus_tanh(u);      /* 1 + t */
            double sech2 = opt * (2.0 - opt);   /* 1 - t^2 = (1 + t)(1 - t) */
            /* where sech2 underflows, z^2 may overflow: the term is 0 */
            double r = sech2 > 0.0 ? 0.5 * x * sech2 * SQRT_2_PI * (1.0 + 3.0 * KAPPA * x * x)
                                   : 0.0;
            dz[i] = (0.5 * opt + r) * da[i];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            double x = z[i];
            double pdf = INV_SQRT_2PI * exp(-0.5 * x * x);
            dz[i] = (0.5 * erfc(-x * SQRT1_2) + x * pdf) * da[i];
        }
    }
}

static const mlp_param_decl gelu_params[] = {
    [P_APPROXIMATE] = {
        .name = "approximate",
        .type = MLP_PARAM_ENUM,
        .def = APPROX_NONE,
        .help = "none: exact z Phi(z) with erf; tanh: PyTorch's tanh approximation",
        .choices = "none|tanh",
    },
};

static const mlp_activation_desc gelu_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "gelu",
        .version = "1.0.0",
        .help = "Gaussian error linear unit z Phi(z), exact or tanh approximation",
        .n_params = sizeof(gelu_params) / sizeof(gelu_params[0]),
        .params = gelu_params,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = gelu_forward,
    .backward = gelu_backward,
};

MLP_DEFINE_PLUGIN(gelu_desc);
