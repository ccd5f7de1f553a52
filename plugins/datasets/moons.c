/* moons.c -- two interleaving half circles, as scikit-learn's make_moons:
 * n/2 points on the upper moon (class 0), the rest on the lower one
 * (class 1), then an optional shuffle, then Gaussian noise. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "mlplab/plugin.h"

enum { P_NOISE, P_SHUFFLE };

#define PI 3.141592653589793

/* Uniform integer in [0, bound), bound > 0, without modulo bias. */
static uint64_t below(const mlp_rng_api *rng, uint64_t bound)
{
    const uint64_t lim = (0 - bound) % bound; /* 2^64 mod bound */

    for (;;) {
        uint64_t v = rng->next_u64(rng->state);
        if (v >= lim)
            return v % bound;
    }
}

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
        x[2 * i] = cos(t);
        x[2 * i + 1] = sin(t);
        y[i] = 0.0;
    }
    for (size_t i = 0; i < n_in; i++) {
        double t = angle(i, n_in);
        x[2 * (n_out + i)] = 1.0 - cos(t);
        x[2 * (n_out + i) + 1] = 1.0 - sin(t) - 0.5;
        y[n_out + i] = 1.0;
    }
    if (p[P_SHUFFLE].num != 0.0) {
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)below(rng, i), last = i - 1;
            double t0 = x[2 * last], t1 = x[2 * last + 1], ty = y[last];
            x[2 * last] = x[2 * j];
            x[2 * last + 1] = x[2 * j + 1];
            y[last] = y[j];
            x[2 * j] = t0;
            x[2 * j + 1] = t1;
            y[j] = ty;
        }
    }
    if (noise > 0.0) {
        for (size_t i = 0; i < 2 * n; i++)
            x[i] += noise * rng->normal(rng->state);
    }
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
