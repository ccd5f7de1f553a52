/* moons.c -- two interleaving half circles, as scikit-learn's make_moons:
 * n/2 points on the upper moon (class 0), the rest on the lower one
 * (class 1), then an optional shuffle, then Gaussian noise. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"
#include "mlplab_dataset.h"

enum { P_NOISE, P_SHUFFLE };

#define PI 3.141592653589793

/* numpy's linspace(0, pi, count)[i]: endpoint included, the last value pi
 * exactly, a single point at 0. */
static double angle(size_t i, size_t count)
{
    if (count < 2)
        return 0.0;
    return i == count - 1 ? PI : (double)i * (PI / (double)(count - 1));
}

/* x: (n, 2), y: (n).  Upper moon (cos t, sin t), lower moon
 * (1 - cos t, 1/2 - sin t), t evenly spaced over [0, pi] on each. */
static int moons_generate(const mlp_rng_api *rng, size_t n, double *x, double *y,
                          const mlp_param_value *p, const char **why)
{
    const double noise = p[P_NOISE].num;
    const size_t n_out = n / 2, n_in = n - n_out;

    (void)why;
    for (size_t i = 0; i < n_out; i++) {
        double t = angle(i, n_out);
        mlplab_put_point(x, y, i, cos(t), sin(t), 0.0);
    }
    for (size_t i = 0; i < n_in; i++) {
        double t = angle(i, n_in);
        mlplab_put_point(x, y, n_out + i, 1.0 - cos(t), 1.0 - sin(t) - 0.5, 1.0);
    }
    if (p[P_SHUFFLE].num != 0.0)
        mlplab_shuffle_rows(rng, n, 2, x, y);
    mlplab_add_noise(rng, x, 2 * n, noise);
    return 0;
}

static const mlp_param_decl moons_params[] = {
    [P_NOISE] = {
        .name = "noise",
        .type = MLP_PARAM_REAL,
        .def = 0.0,
        .min = 0.0,
        .max = 100.0,
        .help = "standard deviation of Gaussian noise added to each coordinate",
    },
    [P_SHUFFLE] = {
        .name = "shuffle",
        .type = MLP_PARAM_BOOL,
        .def = 1.0,
        .help = "shuffle the points (else upper moon first, then lower)",
    },
};

static const mlp_dataset_desc moons_desc = {
    .h = {
        .size = sizeof(mlp_dataset_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_DATASET,
        .name = "moons",
        .version = "1.0.0",
        .help = "two interleaving half circles (scikit-learn's make_moons)",
        .n_params = sizeof(moons_params) / sizeof(moons_params[0]),
        .params = moons_params,
    },
    .dim = 2,
    .classes = 2,
    .extent = {-1.5, 2.5, -1.0, 1.5},
    .generate = moons_generate,
};

MLP_DEFINE_PLUGIN(moons_desc);
