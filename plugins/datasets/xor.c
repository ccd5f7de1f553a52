/* xor.c -- the exclusive-or quadrants, as the TensorFlow Playground's XOR
 * data: class 1 where x y >= 0 (first and third quadrants), else class 0. */
#include <stddef.h>

#include "mlplab/plugin.h"
#include "mlplab_dataset.h"

enum { P_NOISE };

#define PADDING 0.3 /* keeps points off the axes */

/* x: (n, 2), y: (n).  Four draws per point, in this order: x, y, and the
 * label noise of x and of y (drawn whatever the noise, so the points do not
 * move when only the noise changes). */
static int xor_generate(const mlp_rng_api *rng, size_t n, double *x, double *y,
                        const mlp_param_value *p, const char **why)
{
    const double noise = p[P_NOISE].num;

    (void)why;
    for (size_t i = 0; i < n; i++) {
        double px = mlplab_rng_uniform(rng, -5.0, 5.0);
        double py, nx, ny;

        px += px > 0.0 ? PADDING : -PADDING;
        py = mlplab_rng_uniform(rng, -5.0, 5.0);
        py += py > 0.0 ? PADDING : -PADDING;
        nx = mlplab_rng_uniform(rng, -5.0, 5.0) * noise;
        ny = mlplab_rng_uniform(rng, -5.0, 5.0) * noise;
        mlplab_put_point(x, y, i, px, py, (px + nx) * (py + ny) >= 0.0 ? 1.0 : 0.0);
    }
    return 0;
}

static const mlp_param_decl xor_params[] = {
    [P_NOISE] = {
        .name = "noise",
        .type = MLP_PARAM_REAL,
        .def = 0.0,
        .min = 0.0,
        .max = 0.5,
        .help = "label noise: labels come from points shifted by up to 5 * noise",
    },
};

static const mlp_dataset_desc xor_desc = {
    .h = {
        .size = sizeof(mlp_dataset_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_DATASET,
        .name = "xor",
        .version = "1.0.0",
        .help = "XOR quadrants (TensorFlow Playground): class 1 where x y >= 0",
        .n_params = sizeof(xor_params) / sizeof(xor_params[0]),
        .params = xor_params,
    },
    .dim = 2,
    .classes = 2,
    .extent = {-6.0, 6.0, -6.0, 6.0},
    .generate = xor_generate,
};

MLP_DEFINE_PLUGIN(xor_desc);
