/* sigmoid.c -- the logistic activation 1 / (1 + exp(-z)), as torch.nn.Sigmoid. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"
#include "mlplab_vexp.h"

/* a: (n) = sigmoid(z), computed from exp(-|z|) so no exp ever overflows
 * (mlplab_vsigmoid).  Branch-free, so the loop vectorizes: mlplab_vexp is
 * plain arithmetic, and the select is a blend (the sign of z is close to
 * random in training, so a branch on it would mispredict). */
MLPLAB_VEXP_CLONES
static void sigmoid_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = mlplab_vsigmoid(z[i]);
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
