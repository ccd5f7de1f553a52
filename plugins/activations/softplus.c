/* softplus.c -- log(1 + exp(beta z)) / beta, linear where beta z > threshold,
 * as torch.nn.Softplus. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"
#include "mlplab_vexp.h"

enum { P_BETA, P_THRESHOLD };

/* a: (n).  log(1 + e^t) is written max(t, 0) + log1p(e^-|t|), which never
 * overflows, whatever the threshold.  A block at a time: exp in a loop that
 * vectorizes (mlplab_vexp), then log1p (libm, scalar) and the rest; a may be
 * z, and each a[i] is written after z[i] is read. */
enum { SOFTPLUS_BLOCK = 256 };

MLPLAB_VEXP_CLONES
static void softplus_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    const double beta = p[P_BETA].num, thr = p[P_THRESHOLD].num;
    double e[SOFTPLUS_BLOCK];

    for (size_t i0 = 0; i0 < n; i0 += SOFTPLUS_BLOCK) {
        const size_t c = n - i0 < SOFTPLUS_BLOCK ? n - i0 : SOFTPLUS_BLOCK;

        for (size_t j = 0; j < c; j++)
            e[j] = mlplab_vexp(-fabs(beta * z[i0 + j]));
        for (size_t j = 0; j < c; j++) {
            double t = beta * z[i0 + j];
            double sp = (t > 0.0 ? t : 0.0) + log1p(e[j]);
            a[i0 + j] = t > thr ? z[i0 + j] : sp / beta;
        }
    }
}

/* dz: (n) = sigmoid(beta z) da, or da where the function is linear.
 * Branch-free (the selects are blends), so the loop vectorizes. */
MLPLAB_VEXP_CLONES
static void softplus_backward(const double *z, const double *a, const double *da, double *dz,
                              size_t n, const mlp_param_value *p)
{
    const double beta = p[P_BETA].num, thr = p[P_THRESHOLD].num;

    (void)a;
    for (size_t i = 0; i < n; i++) {
        double t = beta * z[i];
        double e = mlplab_vexp(-fabs(t));
        double r = 1.0 / (1.0 + e);
        double er = e * r;
        double s = t >= 0.0 ? r : er;
        dz[i] = (t > thr ? 1.0 : s) * da[i];
    }
}

static const mlp_param_decl softplus_params[] = {
    [P_BETA] = {
        .name = "beta",
        .type = MLP_PARAM_REAL,
        .def = 1.0,
        .min = 1e-6,
        .max = 1e6,
        .help = "sharpness: log(1 + exp(beta z)) / beta",
    },
    [P_THRESHOLD] = {
        .name = "threshold",
        .type = MLP_PARAM_REAL,
        .def = 20.0,
        .min = 0.0,
        .max = 1e6,
        .help = "linear (a = z) where beta z > threshold",
    },
};

static const mlp_activation_desc softplus_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "softplus",
        .version = "1.0.0",
        .help = "smooth rectifier log(1 + exp(beta z)) / beta",
        .n_params = sizeof(softplus_params) / sizeof(softplus_params[0]),
        .params = softplus_params,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = softplus_forward,
    .backward = softplus_backward,
};

MLP_DEFINE_PLUGIN(softplus_desc);
