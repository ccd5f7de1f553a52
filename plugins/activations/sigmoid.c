/* sigmoid.c -- the logistic activation 1 / (1 + exp(-z)), as torch.nn.Sigmoid. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"
#include "mlplab_vexp.h"

/* a: (n) = sigmoid(z), computed from exp(-|z|) so no exp ever overflows
 * (mlplab_vsigmoid).  Branch-free, so the loop vectorizes: mlplab_vexp is
 * plain arithmetic, and the select is a blend (the sign of z is close to
 * random in training, so a branch on it would mispredict).  The AVX-512 and
 * AVX2 copies run the intrinsic twins instead: the same bits, faster (the
 * C loop's table lookups would be gathers). */
static void sigmoid_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    mlplab_vsigmoid_array(z, a, n);
}

/* dz: (n) = a (1 - a) da, from the output. */
static inline __attribute__((always_inline)) void sigmoid_backward_body(const double *a,
                                                                       const double *da,
                                                                       double *dz, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dz[i] = a[i] * (1.0 - a[i]) * da[i];
}

MLP_ISA_AVX512_FN
static void sigmoid_backward_avx512(const double *a, const double *da, double *dz, size_t n)
{
    sigmoid_backward_body(a, da, dz, n);
}

MLP_ISA_AVX2_FN
static void sigmoid_backward_avx2(const double *a, const double *da, double *dz, size_t n)
{
    sigmoid_backward_body(a, da, dz, n);
}

static void sigmoid_backward(const double *z, const double *a, const double *da, double *dz,
                             size_t n, const mlp_param_value *p)
{
    (void)z;
    (void)p;
    if (mlp_isa() >= MLP_ISA_AVX512)
        sigmoid_backward_avx512(a, da, dz, n);
    else if (mlp_isa() >= MLP_ISA_AVX2)
        sigmoid_backward_avx2(a, da, dz, n);
    else
        sigmoid_backward_body(a, da, dz, n);
}

static const mlp_activation_desc sigmoid_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "sigmoid",
        .version = "1.0.0",
        .help = "logistic sigmoid 1/(1+exp(-z)), output in (0, 1)",
        .n_params = 0,
        .params = NULL,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = sigmoid_forward,
    .backward = sigmoid_backward,
};

MLP_DEFINE_PLUGIN(sigmoid_desc);
