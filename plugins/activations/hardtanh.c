/* hardtanh.c -- z clipped to [min_val, max_val], as torch.nn.Hardtanh.
 * Derivative 1 strictly inside, 0 outside and at both ends (PyTorch's
 * choice at the kinks). */
#include <stddef.h>

#include "mlplab/plugin.h"

enum { P_MIN, P_MAX };

/* a: (n); a NaN input stays NaN. */
static void hardtanh_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    const double lo = p[P_MIN].num, hi = p[P_MAX].num;

    for (size_t i = 0; i < n; i++)
        a[i] = z[i] < lo ? lo : z[i] > hi ? hi : z[i];
}

/* dz: (n) = [lo < z < hi] da. */
static void hardtanh_backward(const double *z, const double *a, const double *da, double *dz,
                              size_t n, const mlp_param_value *p)
{
    const double lo = p[P_MIN].num, hi = p[P_MAX].num;

    (void)a;
    for (size_t i = 0; i < n; i++)
        dz[i] = (z[i] > lo && z[i] < hi ? 1.0 : 0.0) * da[i];
}

/* min_val <= 0 <= max_val keeps min_val <= max_val (PyTorch refuses
 * min_val > max_val) with bounds the host checks one at a time. */
static const mlp_param_decl hardtanh_params[] = {
    [P_MIN] = {
        .name = "min_val",
        .type = MLP_PARAM_REAL,
        .def = -1.0,
        .min = -1e6,
        .max = 0.0,
        .help = "lower end of the linear region (<= 0)",
    },
    [P_MAX] = {
        .name = "max_val",
        .type = MLP_PARAM_REAL,
        .def = 1.0,
        .min = 0.0,
        .max = 1e6,
        .help = "upper end of the linear region (>= 0)",
    },
};

static const mlp_activation_desc hardtanh_desc = {
    .h = {
        .size = sizeof(mlp_activation_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_ACTIVATION,
        .name = "hardtanh",
        .version = "1.0.0",
        .help = "z clipped to [min_val, max_val]",
        .n_params = sizeof(hardtanh_params) / sizeof(hardtanh_params[0]),
        .params = hardtanh_params,
    },
    .flags = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE,
    .forward = hardtanh_forward,
    .backward = hardtanh_backward,
};

MLP_DEFINE_PLUGIN(hardtanh_desc);
