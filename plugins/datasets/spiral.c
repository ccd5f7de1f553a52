/* spiral.c -- the TensorFlow Playground's spiral, generalised to `arms`
 * interleaved arms, one class each.  Arm j starts at angle pi + 2 pi j / arms
 * and winds 1.75 turns out to radius 5; with two arms this is the
 * Playground's data (its negative arm, from angle pi, is class 0). */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "mlplab/plugin.h"
#include "mlplab_dataset.h"

enum { P_ARMS, P_NOISE, P_OFFSET };

#define PI 3.141592653589793
#define TURNS 1.75
#define RADIUS 5.0

/* x: (n, 2), y: (n).  Arm j gets n / arms points (the first n % arms arms
 * one more), point i of m at radius 5 (i + u) / m, where u is 0 without
 * offset (the Playground's points) or, with it, one draw at the start of each
 * arm, uniform in [0, 1) (so two streams give disjoint points); then two
 * draws per point, the noise of x and of y, each uniform in [-noise, noise]
 * (drawn whatever the noise).  Labels 0 .. arms - 1. */
static int spiral_generate(const mlp_rng_api *rng, size_t n, double *x, double *y,
                           const mlp_param_value *p, const char **why)
{
    const size_t arms = (size_t)p[P_ARMS].num;
    const double noise = p[P_NOISE].num;
    size_t row = 0;

    (void)why;
    for (size_t j = 0; j < arms; j++) {
        const size_t m = n / arms + (j < n % arms);
        const double start = PI + 2.0 * PI * (double)j / (double)arms;
        const double u = p[P_OFFSET].num != 0.0 ? mlplab_rng_uniform(rng, 0.0, 1.0) : 0.0;
        for (size_t i = 0; i < m; i++, row++) {
            double f = ((double)i + u) / (double)m;
            double r = RADIUS * f, t = TURNS * 2.0 * PI * f + start;
            double nx = mlplab_rng_uniform(rng, -1.0, 1.0) * noise;
            double ny = mlplab_rng_uniform(rng, -1.0, 1.0) * noise;
            /* no noise: not even the sign of a zero changes with the stream */
            double px = noise > 0.0 ? r * sin(t) + nx : r * sin(t);
            double py = noise > 0.0 ? r * cos(t) + ny : r * cos(t);

            mlplab_put_point(x, y, row, px, py, (double)j);
        }
    }
    return 0;
}

/* The shape for these parameters: 2 inputs, one class per arm (rows: the
 * host's choice, n of generate). */
static int spiral_describe(const mlp_param_value *p, size_t *rows, uint32_t *dim,
                           uint32_t *classes, char *why, size_t why_len)
{
    (void)why;
    (void)why_len;
    *rows = 0;
    *dim = 2;
    *classes = (uint32_t)p[P_ARMS].num;
    return 0;
}

static const mlp_param_decl spiral_params[] = {
    [P_ARMS] = {
        .name = "arms",
        .type = MLP_PARAM_INT,
        .def = 2.0,
        .min = 2.0,
        .max = 10.0,
        .help = "number of arms, one class each (more than 2 needs a multi-class loss)",
    },
    [P_NOISE] = {
        .name = "noise",
        .type = MLP_PARAM_REAL,
        .def = 0.0,
        .min = 0.0,
        .max = 0.5,
        .help = "each coordinate moved by up to noise, uniformly",
    },
    [P_OFFSET] = {
        .name = "offset",
        .type = MLP_PARAM_BOOL,
        .def = 1.0,
        .help = "move each arm's points along it by a random fraction of their spacing, "
                "so training and test points differ even without noise (false: the "
                "Playground's points, the same in every stream)",
    },
};

/* classes is the default arms; describe gives the count for the parameters
 * (hosts of ABI 1.1 before generating datasets could describe use 2). */
static const mlp_dataset_desc spiral_desc = {
    .h = {
        .size = sizeof(mlp_dataset_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_DATASET,
        .name = "spiral",
        .version = "1.1.0",
        .help = "interleaved spiral arms (TensorFlow Playground), one class per arm",
        .n_params = sizeof(spiral_params) / sizeof(spiral_params[0]),
        .params = spiral_params,
    },
    .dim = 2,
    .classes = 2,
    .extent = {-6.0, 6.0, -6.0, 6.0},
    .generate = spiral_generate,
    .describe = spiral_describe,
    .load = NULL,
};

MLP_DEFINE_PLUGIN(spiral_desc);
