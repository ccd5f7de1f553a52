/* blobs.c -- k isotropic Gaussian clusters in dim dimensions, one class
 * each, as scikit-learn's make_blobs with an integer number of centers. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "mlplab/plugin.h"
#include "mlplab_dataset.h"

enum { P_CENTERS, P_CLUSTER_STD, P_BOX_MIN, P_BOX_MAX, P_DIM, P_SHUFFLE, P_CENTER_SEED };

#define MAX_CENTERS 20
#define MAX_DIM 64

/* splitmix64: the centers' own generator, seeded by center_seed alone, so the
 * host's training and test streams (which differ) see the same centers. */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* centers: (k, dim) out, row-major, box_min + (box_max - box_min) u per
 * coordinate with u uniform in [0, 1) from center_seed: numpy's uniform(low,
 * high), which also takes box_min >= box_max (centers in (box_max, box_min]). */
static void draw_centers(const mlp_param_value *p, size_t k, size_t dim, double *centers)
{
    const double lo = p[P_BOX_MIN].num, hi = p[P_BOX_MAX].num;
    uint64_t s = (uint64_t)p[P_CENTER_SEED].num;

    for (size_t i = 0; i < k * dim; i++) {
        double u = (double)(splitmix64(&s) >> 11) * 0x1.0p-53;
        centers[i] = lo + (hi - lo) * u;
    }
}

/* x: (n, dim), y: (n).  Center j gets n / k points, the first n % k centers
 * one more (make_blobs' split); each point is its center plus cluster_std
 * times dim standard normals from the stream, in row order.  Then, unless
 * shuffle is false, a Fisher-Yates shuffle of the rows from the same stream. */
static int blobs_generate(const mlp_rng_api *rng, size_t n, double *x, double *y,
                          const mlp_param_value *p, const char **why)
{
    const size_t k = (size_t)p[P_CENTERS].num, dim = (size_t)p[P_DIM].num;
    const double sd = p[P_CLUSTER_STD].num;
    double centers[MAX_CENTERS * MAX_DIM];
    size_t row = 0;

    if (k < 1 || k > MAX_CENTERS || dim < 1 || dim > MAX_DIM) {
        *why = "centers or dim out of range";
        return -1;
    }
    draw_centers(p, k, dim, centers);
    for (size_t j = 0; j < k; j++) {
        const size_t m = n / k + (j < n % k);
        for (size_t i = 0; i < m; i++, row++) {
            for (size_t c = 0; c < dim; c++)
                x[row * dim + c] = mlplab_rng_normal(rng, centers[j * dim + c], sd);
            y[row] = (double)j;
        }
    }
    if (p[P_SHUFFLE].num != 0.0)
        mlplab_shuffle_rows(rng, n, dim, x, y);
    return 0;
}

/* The shape for these parameters: dim inputs, one class per center (rows:
 * the host's choice, n of generate). */
static int blobs_describe(const mlp_param_value *p, size_t *rows, uint32_t *dim,
                          uint32_t *classes, char *why, size_t why_len)
{
    (void)why;
    (void)why_len;
    *rows = 0;
    *dim = (uint32_t)p[P_DIM].num;
    *classes = (uint32_t)p[P_CENTERS].num;
    return 0;
}

static const mlp_param_decl blobs_params[] = {
    [P_CENTERS] = {
        .name = "centers",
        .type = MLP_PARAM_INT,
        .def = 3.0,
        .min = 2.0,
        .max = MAX_CENTERS,
        .help = "number of clusters, one class each",
    },
    [P_CLUSTER_STD] = {
        .name = "cluster_std",
        .type = MLP_PARAM_REAL,
        .def = 1.0,
        .min = 0.0,
        .max = 1e6,
        .help = "standard deviation of every coordinate around its center",
    },
    [P_BOX_MIN] = {
        .name = "box_min",
        .type = MLP_PARAM_REAL,
        .def = -10.0,
        .min = -1e6,
        .max = 1e6,
        .help = "centers are drawn uniformly between box_min and box_max per coordinate",
    },
    [P_BOX_MAX] = {
        .name = "box_max",
        .type = MLP_PARAM_REAL,
        .def = 10.0,
        .min = -1e6,
        .max = 1e6,
        .help = "other end of the box the centers are drawn in",
    },
    [P_DIM] = {
        .name = "dim",
        .type = MLP_PARAM_INT,
        .def = 2.0,
        .min = 1.0,
        .max = MAX_DIM,
        .help = "input dimension (make_blobs' n_features)",
    },
    [P_SHUFFLE] = {
        .name = "shuffle",
        .type = MLP_PARAM_BOOL,
        .def = 1.0,
        .help = "shuffle the points (else cluster 0 first, then 1, ...)",
    },
    [P_CENTER_SEED] = {
        .name = "center_seed",
        .type = MLP_PARAM_INT,
        .def = 0.0,
        .min = 0.0,
        .max = 4294967295.0,
        .help = "seed of the centers (shared by training and test points)",
    },
};

/* dim and classes are the defaults; describe gives them for the parameters.
 * The extent covers the default box plus three standard deviations. */
static const mlp_dataset_desc blobs_desc = {
    .h = {
        .size = sizeof(mlp_dataset_desc),
        .abi_major = MLP_ABI_MAJOR,
        .abi_minor = MLP_ABI_MINOR,
        .kind = MLP_KIND_DATASET,
        .name = "blobs",
        .version = "1.0.0",
        .help = "Gaussian clusters, one class each (scikit-learn's make_blobs)",
        .n_params = sizeof(blobs_params) / sizeof(blobs_params[0]),
        .params = blobs_params,
    },
    .dim = 2,
    .classes = 3,
    .extent = {-13.0, 13.0, -13.0, 13.0},
    .generate = blobs_generate,
    .describe = blobs_describe,
    .load = NULL,
};

MLP_DEFINE_PLUGIN(blobs_desc);
