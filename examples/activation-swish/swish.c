/* swish.c -- swish, f(z) = z * sigmoid(beta z), an mlplab activation plugin.
 * beta = 1 is SiLU (torch.nn.SiLU); beta -> 0 tends to z / 2, large beta to
 * relu.  Only mlplab/plugin.h, libc and libm are used. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"

/* Parameters, in declaration order: p[P_BETA] is the value of `beta`. */
enum { P_BETA };

/* sigmoid(t) and 1 - sigmoid(t), both from e = exp(-|t|) <= 1: no exp ever
 * overflows, and the smaller of the two is never 1 - (something near 1). */
static void sigmoid_pair(double t, double *s, double *one_minus_s)
{
    double e = exp(-fabs(t));
    double r = 1.0 / (1.0 + e);

    *s = t >= 0.0 ? r : e * r;
    *one_minus_s = t >= 0.0 ? e * r : r;
}

/* a: (n) = z sigmoid(beta z).  a may be z (declared: MLP_ACT_FORWARD_INPLACE):
 * a[i] is written only after z[i] has been read. */
static void swish_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    const double beta = p[P_BETA].num;

    for (size_t i = 0; i < n; i++) {
        double s, q;
        sigmoid_pair(beta * z[i], &s, &q);
        a[i] = z[i] * s;
    }
}

/* dz: (n) = f'(z) da, with f'(z) = s + beta z s (1 - s), s = sigmoid(beta z).
 * Worked from z, not a: s cannot be had from a alone.  dz may be da
 * (declared: MLP_ACT_BACKWARD_INPLACE).  For large |beta z| the second term
 * is about |beta z| exp(-|beta z|): it goes to 0, and is taken as 0 once
 * s (1 - s) underflows, so that even an infinite beta z gives no NaN. */
static void swish_backward(const double *z, const double *a, const double *da, double *dz,
                           size_t n, const mlp_param_value *p)
{
    const double beta = p[P_BETA].num;

    (void)a;
    for (size_t i = 0; i < n; i++) {
        double t = beta * z[i], s, q;
        sigmoid_pair(t, &s, &q);
        /* s q is 0 once |t| is large (or beta z overflowed): then so is the term */
        dz[i] = (s + (s * q > 0.0 ? t * (s * q) : 0.0)) * da[i];
    }
}

/* What YAML may set: `activation: {plugin: swish, beta: 2}`.  The host checks
 * the type and bounds before any call, so the kernels need not. */
static const mlp_param_decl swish_params[] = {
    [P_BETA] = {
        .name = "beta",
        .type = MLP_PARAM_REAL,
        .def = 1.0,
        .min = 0.0,
        .max = 100.0,
        .help = "slope inside the sigmoid: 1 is SiLU, 0 gives z/2, large values approach relu",
    },
};

/* The descriptor: static const, returned by the entry point below. */
static const mlp_activation_desc swish_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "swish",
        .version = "1.0.0",
        .help = "swish z * sigmoid(beta z) (SiLU when beta = 1)",
        .n_params = sizeof(swish_params) / sizeof(swish_params[0]),
        .params = swish_params,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = swish_forward,
    .backward = swish_backward,
};

/* The one exported symbol, mlplab_plugin_entry. */
MLP_DEFINE_PLUGIN(swish_desc);
