/* moons.c -- two interleaving half circles, as scikit-learn's make_moons:
 * n/2 points on the upper moon (class 0), the rest on the lower one
 * (class 1), then an optional shuffle, then Gaussian noise. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"
#include "mlplab_dataset.h"

enum { P_NOISE, P_SHUFFLE, P_OFFSET };

#define PI 3.141592653589793

/* Angle of point i of count on a moon.  u < 0 (no offset): numpy's
 * linspace(0, pi, count)[i], endpoint included, the last value pi exactly, a
 * single point at 0 (scikit-learn's points).  u in [0, 1): (i + u) pi /
 * count, the moon cut into count equal arcs and one point at the same
 * random place in each, so two streams give disjoint points. */
static double angle(size_t i, size_t count, double u)
{
    if (u >= 0.0)
        return ((double)i + u) * (PI / (double)count);
    if (count < 2)
        return 0.0;
    return i == count - 1 ? PI : (double)i * (PI / (double)(count - 1));
}

/* x: (n, 2), y: (n).  Upper moon (cos t, sin t), lower moon
 * (1 - cos t, 1/2 - sin t), t evenly spaced over [0, pi] on each.  With
 * offset, two draws first: the upper moon's u, then the lower one's. */
static int moons_generate(const mlp_rng_api *rng, size_t n, double *x, double *y,
                          const mlp_param_value *p, const char **why)
{
    const double noise = p[P_NOISE].num;
    const size_t n_out = n / 2, n_in = n - n_out;
    double u_out = -1.0, u_in = -1.0;

    (void)why;
    if (p[P_OFFSET].num != 0.0) {
        u_out = mlplab_rng_uniform(rng, 0.0, 1.0);
        u_in = mlplab_rng_uniform(rng, 0.0, 1.0);
    }
    for (size_t i = 0; i < n_out; i++) {
        double t = angle(i, n_out, u_out);
        mlplab_put_point(x, y, i, cos(t), sin(t), 0.0);
    }
    for (size_t i = 0; i < n_in; i++) {
        double t = angle(i, n_in, u_in);
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
    [P_OFFSET] = {
        .name = "offset",
        .type = MLP_PARAM_BOOL,
        .def = 1.0,
        .help = "put each point at a random place in its arc of the moon, the same in "
                "every arc, so training and test points differ even without noise "
                "(false: scikit-learn's points, the same in every stream)",
    },
};

static const mlp_dataset_desc moons_desc = {
    .h = {
        .size = sizeof(mlp_dataset_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_DATASET,
        .name = "moons",
        .version = "1.1.0",
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
