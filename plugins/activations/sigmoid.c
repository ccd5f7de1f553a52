/* sigmoid.c -- the logistic activation 1 / (1 + exp(-z)), as torch.nn.Sigmoid. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"
#include "mlplab_vexp.h"

/* a: (n) = sigmoid(z), computed from exp(-|z|) so no exp ever overflows
 * (mlplab_vsigmoid).  Branch-free, so the loop vectorizes: mlplab_vexp is
 * plain arithmetic, and the select is a blend (the sign of z is close to
 * random in training, so a branch on it would mispredict).  On AVX-512 the
 * intrinsic twin runs instead: the same bits, about 1.5x faster. */
MLPLAB_VEXP_CLONES
static void sigmoid_forward_c(const double *z, double *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = mlplab_vsigmoid(z[i]);
}

#ifdef MLPLAB_HAVE_AVX512_PATH
MLPLAB_AVX512
static void sigmoid_forward_avx512(const double *z, double *a, size_t n)
{
    size_t i = 0;

    for (; i + 8 <= n; i += 8)
        _mm512_storeu_pd(a + i, mlplab_vsigmoid8(_mm512_loadu_pd(z + i)));
    if (i < n) {
        const __mmask8 m = mlplab_tail_mask(n - i);
        _mm512_mask_storeu_pd(a + i, m, mlplab_vsigmoid8(_mm512_maskz_loadu_pd(m, z + i)));
    }
}
#endif

static void sigmoid_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
#ifdef MLPLAB_HAVE_AVX512_PATH
    if (mlplab_have_avx512()) {
        sigmoid_forward_avx512(z, a, n);
        return;
    }
#endif
    sigmoid_forward_c(z, a, n);
}

/* dz: (n) = a (1 - a) da, from the output. */
MLPLAB_VEXP_CLONES
static void sigmoid_backward(const double *z, const double *a, const double *da, double *dz,
                             size_t n, const mlp_param_value *p)
{
    (void)z;
    (void)p;
    for (size_t i = 0; i < n; i++)
        dz[i] = a[i] * (1.0 - a[i]) * da[i];
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
