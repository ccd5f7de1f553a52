/* disc.c -- the TensorFlow Playground's "circle" data: a filled disc of
 * radius 2.5 (class 1) inside a ring from 3.5 to 5 (class 0).  Each label is
 * decided by the distance to the centre of the point shifted by the label
 * noise, so with noise some points near the gap change class. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"
#include "mlplab_dataset.h"

enum { P_NOISE };

#define RADIUS 5.0
#define TWO_PI 6.283185307179586

/* count points with radius uniform in [r0, r1) and a uniform angle, into
 * rows of x; four draws per point, in this order: radius, angle, then the
 * label noise of x and of y (drawn whatever the noise, so the points do not
 * move when only the noise changes). */
static void annulus(const mlp_rng_api *rng, double *x, double *y, size_t count, double r0,
                    double r1, double noise)
{
    for (size_t i = 0; i < count; i++) {
        double r = mlplab_rng_uniform(rng, r0, r1);
        double t = mlplab_rng_uniform(rng, 0.0, TWO_PI);
        double px = r * sin(t), py = r * cos(t);
        double nx = mlplab_rng_uniform(rng, -RADIUS, RADIUS) * noise;
        double ny = mlplab_rng_uniform(rng, -RADIUS, RADIUS) * noise;

        mlplab_put_point(x, y, i, px, py, hypot(px + nx, py + ny) < 0.5 * RADIUS ? 1.0 : 0.0);
    }
}

/* x: (n, 2), y: (n).  n - n/2 points in the disc first, then n/2 in the ring
 * (the Playground draws n/2 of each and shuffles later; so may the host). */
static int disc_generate(const mlp_rng_api *rng, size_t n, double *x, double *y,
                         const mlp_param_value *p, const char **why)
{
    const double noise = p[P_NOISE].num;
    const size_t n_in = n - n / 2;

    (void)why;
    annulus(rng, x, y, n_in, 0.0, 0.5 * RADIUS, noise);
    annulus(rng, x + 2 * n_in, y + n_in, n - n_in, 0.7 * RADIUS, RADIUS, noise);
    return 0;
}

static const mlp_param_decl disc_params[] = {
    [P_NOISE] = {
        .name = "noise",
        .type = MLP_PARAM_REAL,
        .def = 0.0,
        .min = 0.0,
        .max = 0.5,
        .help = "label noise: labels come from points shifted by up to 5 * noise",
    },
};

static const mlp_dataset_desc disc_desc = {
    .h = {
        .size = sizeof(mlp_dataset_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_DATASET,
        .name = "disc",
        .version = "1.0.0",
        .help = "a disc inside a ring (TensorFlow Playground's circle): class 1 inside",
        .n_params = sizeof(disc_params) / sizeof(disc_params[0]),
        .params = disc_params,
    },
    .dim = 2,
    .classes = 2,
    .extent = {-6.0, 6.0, -6.0, 6.0},
    .generate = disc_generate,
};

MLP_DEFINE_PLUGIN(disc_desc);
