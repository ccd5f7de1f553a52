/* circles.c -- two concentric circles, as scikit-learn's make_circles: the
 * outer circle (radius 1) is class 0, the inner one (radius factor) class 1. */
#include <math.h>
#include <stddef.h>

#include "mlplab/plugin.h"
#include "mlplab_dataset.h"

enum { P_NOISE, P_FACTOR, P_SHUFFLE, P_OFFSET };

#define TWO_PI 6.283185307179586

/* count points evenly spaced on a circle of radius r, at angles (i + u) 2 pi
 * / count, into rows of x.  u = 0 is numpy's linspace(0, 2 pi, count,
 * endpoint=False), scikit-learn's points; a u drawn per ring turns the ring by
 * a random fraction of the spacing, so two streams give disjoint points. */
static void ring(double *x, double *y, size_t count, double r, double u, double label)
{
    const double step = count ? TWO_PI / (double)count : 0.0;

    for (size_t i = 0; i < count; i++) {
        double t = ((double)i + u) * step;
        mlplab_put_point(x, y, i, r * cos(t), r * sin(t), label);
    }
}

/* x: (n, 2), y: (n).  With offset, two draws first: the outer ring's u, then
 * the inner ring's.  n / 2 points outside, the rest inside; then an optional
 * Fisher-Yates shuffle of the rows; then Gaussian noise on each coordinate. */
static int circles_generate(const mlp_rng_api *rng, size_t n, double *x, double *y,
                            const mlp_param_value *p, const char **why)
{
    const double noise = p[P_NOISE].num, factor = p[P_FACTOR].num;
    const size_t n_out = n / 2, n_in = n - n_out;
    double u_out = 0.0, u_in = 0.0;

    (void)why;
    if (p[P_OFFSET].num != 0.0) {
        u_out = mlplab_rng_uniform(rng, 0.0, 1.0);
        u_in = mlplab_rng_uniform(rng, 0.0, 1.0);
    }
    ring(x, y, n_out, 1.0, u_out, 0.0);
    ring(x + 2 * n_out, y + n_out, n_in, factor, u_in, 1.0);
    if (p[P_SHUFFLE].num != 0.0)
        mlplab_shuffle_rows(rng, n, 2, x, y);
    mlplab_add_noise(rng, x, 2 * n, noise);
    return 0;
}

static const mlp_param_decl circles_params[] = {
    [P_NOISE] = {
        .name = "noise",
        .type = MLP_PARAM_REAL,
        .def = 0.0,
        .min = 0.0,
        .max = 100.0,
        .help = "standard deviation of Gaussian noise added to each coordinate",
    },
    [P_FACTOR] = {
        .name = "factor",
        .type = MLP_PARAM_REAL,
        .def = 0.8,
        .min = 0.0,
        .max = 0x1.fffffffffffffp-1, /* the largest double below 1: factor < 1 */
        .help = "radius of the inner circle (the outer one has radius 1), in [0, 1)",
    },
    [P_SHUFFLE] = {
        .name = "shuffle",
        .type = MLP_PARAM_BOOL,
        .def = 1.0,
        .help = "shuffle the points (else outer circle first, then inner)",
    },
    [P_OFFSET] = {
        .name = "offset",
        .type = MLP_PARAM_BOOL,
        .def = 1.0,
        .help = "turn each ring by a random fraction of the point spacing, so training "
                "and test points differ even without noise (false: scikit-learn's points, "
                "the same in every stream)",
    },
};

static const mlp_dataset_desc circles_desc = {
    .h = {
        .size = sizeof(mlp_dataset_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_DATASET,
        .name = "circles",
        .version = "1.1.0",
        .help = "a circle inside a circle (scikit-learn's make_circles)",
        .n_params = sizeof(circles_params) / sizeof(circles_params[0]),
        .params = circles_params,
    },
    .dim = 2,
    .classes = 2,
    .extent = {-1.5, 1.5, -1.5, 1.5},
    .generate = circles_generate,
};

MLP_DEFINE_PLUGIN(circles_desc);
