/* softplus.c -- log(1 + exp(beta z)) / beta, linear where beta z > threshold,
 * as torch.nn.Softplus. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"
#include "mlplab_vexp.h"

enum { P_BETA, P_THRESHOLD };

/* a: (n).  log(1 + e^t) is written max(t, 0) + log1p(e^-|t|), which never
 * overflows, whatever the threshold; exp and log1p are mlplab_vexp.h's, so
 * the loop vectorizes.  a may be z: each a[i] is written after z[i] is read. */
static inline __attribute__((always_inline)) void softplus_forward_body(
    const double *z, double *a, size_t n, double beta, double thr)
{
    for (size_t i = 0; i < n; i++) {
        const double zi = z[i], t = beta * zi;
        const double sp = (t > 0.0 ? t : 0.0) + mlplab_vlog1p01(mlplab_vexp(-fabs(t)));
        a[i] = t > thr ? zi : sp / beta;
    }
}

MLP_ISA_AVX512_FN
static void softplus_forward_avx512(const double *z, double *a, size_t n, double beta, double thr)
{
    softplus_forward_body(z, a, n, beta, thr);
}

MLP_ISA_AVX2_FN
static void softplus_forward_avx2(const double *z, double *a, size_t n, double beta, double thr)
{
    softplus_forward_body(z, a, n, beta, thr);
}

static void softplus_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    const double beta = p[P_BETA].num, thr = p[P_THRESHOLD].num;

    if (mlp_isa() >= MLP_ISA_AVX512)
        softplus_forward_avx512(z, a, n, beta, thr);
    else if (mlp_isa() >= MLP_ISA_AVX2)
        softplus_forward_avx2(z, a, n, beta, thr);
    else
        softplus_forward_body(z, a, n, beta, thr);
}

/* dz: (n) = sigmoid(beta z) da, or da where the function is linear.
 * Branch-free (the selects are blends), so the loop vectorizes. */
static inline __attribute__((always_inline)) void softplus_backward_body(
    const double *z, const double *da, double *dz, size_t n, double beta, double thr)
{
    for (size_t i = 0; i < n; i++) {
        const double t = beta * z[i];
        dz[i] = (t > thr ? 1.0 : mlplab_vsigmoid(t)) * da[i];
    }
}

MLP_ISA_AVX512_FN
static void softplus_backward_avx512(const double *z, const double *da, double *dz, size_t n,
                                     double beta, double thr)
{
    softplus_backward_body(z, da, dz, n, beta, thr);
}

MLP_ISA_AVX2_FN
static void softplus_backward_avx2(const double *z, const double *da, double *dz, size_t n,
                                   double beta, double thr)
{
    softplus_backward_body(z, da, dz, n, beta, thr);
}

static void softplus_backward(const double *z, const double *a, const double *da, double *dz,
                              size_t n, const mlp_param_value *p)
{
    const double beta = p[P_BETA].num, thr = p[P_THRESHOLD].num;

    (void)a;
    if (mlp_isa() >= MLP_ISA_AVX512)
        softplus_backward_avx512(z, da, dz, n, beta, thr);
    else if (mlp_isa() >= MLP_ISA_AVX2)
        softplus_backward_avx2(z, da, dz, n, beta, thr);
    else
        softplus_backward_body(z, da, dz, n, beta, thr);
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
