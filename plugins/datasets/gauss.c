/* gauss.c -- the TensorFlow Playground's two Gaussians: class 1 around
 * (2, 2), class 0 around (-2, -2), each coordinate with variance
 * 0.5 + 7 noise (the Playground maps noise 0 .. 0.5 to variance 0.5 .. 4). */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"
#include "mlplab_dataset.h"

enum { P_NOISE };

/* count points around (c, c) with standard deviation sd, into rows of x. */
static void blob(const mlp_rng_api *rng, double *x, double *y, size_t count, double c, double sd,
                 double label)
{
    for (size_t i = 0; i < count; i++) {
        double px = mlplab_rng_normal(rng, c, sd);
        double py = mlplab_rng_normal(rng, c, sd); /* drawn after px */

        mlplab_put_point(x, y, i, px, py, label);
    }
}

/* x: (n, 2), y: (n).  n - n/2 points of class 1 first, then n/2 of class 0. */
static int gauss_generate(const mlp_rng_api *rng, size_t n, double *x, double *y,
                          const mlp_param_value *p, const char **why)
{
    const double sd = sqrt(0.5 + 7.0 * p[P_NOISE].num);
    const size_t n1 = n - n / 2;

    (void)why;
    blob(rng, x, y, n1, 2.0, sd, 1.0);
    blob(rng, x + 2 * n1, y + n1, n - n1, -2.0, sd, 0.0);
    return 0;
}

static const mlp_param_decl gauss_params[] = {
    [P_NOISE] = {
        .name = "noise",
        .type = MLP_PARAM_REAL,
        .def = 0.0,
        .min = 0.0,
        .max = 0.5,
        .help = "spread: variance 0.5 + 7 noise per coordinate (0.5 .. 4)",
    },
};

static const mlp_dataset_desc gauss_desc = {
    .h = {
        .size = sizeof(mlp_dataset_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_DATASET,
        .name = "gauss",
        .version = "1.0.0",
        .help = "two Gaussian blobs (TensorFlow Playground): class 1 around (2, 2)",
        .n_params = sizeof(gauss_params) / sizeof(gauss_params[0]),
        .params = gauss_params,
    },
    .dim = 2,
    .classes = 2,
    .extent = {-6.0, 6.0, -6.0, 6.0},
    .generate = gauss_generate,
};

MLP_DEFINE_PLUGIN(gauss_desc);
