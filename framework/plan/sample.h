/* sample.h -- the points of a random or Sobol search as numbers: a unit
 * point per sample (u in (0, 1) per sampled key), from the seed and the
 * sample's index alone, and the distributions that map a unit coordinate to
 * a value.  Part of the plan layer: may use base/ only. */
#ifndef MLPLAB_PLAN_SAMPLE_H
#define MLPLAB_PLAN_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "plan/plan.h"

/* Dimensions of a Sobol design (one per sampled key): the first is the van
 * der Corput sequence, the others use the Joe-Kuo direction numbers
 * (new-joe-kuo-6.21201, dimensions 2 .. MLP_SOBOL_MAX_DIMS). */
#define MLP_SOBOL_MAX_DIMS 32
#define MLP_SOBOL_BITS 32

/* A Sobol generator, possibly scrambled.  Plain data, no allocation. */
typedef struct mlp_sobol {
    size_t n_dims;
    uint32_t v[MLP_SOBOL_MAX_DIMS][MLP_SOBOL_BITS]; /* direction numbers, top bit first */
    uint32_t shift[MLP_SOBOL_MAX_DIMS];              /* digital shift (0 unscrambled) */
} mlp_sobol;

/* Unscrambled when scramble is 0; otherwise every dimension's direction
 * numbers are multiplied by a random lower-triangular binary matrix with a
 * unit diagonal (a linear matrix scramble) and the points get a random
 * digital shift, both drawn from the stream (seed, 0, MLP_STREAM_SCRAMBLE).
 * Fails (MLP_ERR_USAGE) for n_dims over MLP_SOBOL_MAX_DIMS. */
mlp_status mlp_sobol_init(mlp_sobol *s, size_t n_dims, int scramble, uint64_t seed,
                          mlp_error *err);

/* Point i of the sequence, in Gray-code order (as Joe and Kuo's and SciPy's
 * generators give them): x[j] = k / 2^32 with k the XOR of the direction
 * numbers of the bits set in i ^ (i >> 1), and the shift.  x[0..n_dims);
 * i < 2^32. */
void mlp_sobol_point(const mlp_sobol *s, uint64_t i, double *x);

/* The unit point of sample i of plan (kind random or Sobol): u[0..n_dims),
 * each in the open interval (0, 1).  Random: the j-th draw of the stream
 * (seed, i, MLP_STREAM_SAMPLE), (bits + 1/2) / 2^53.  Sobol: the Sobol point i
 * of sobol (initialised scrambled with the plan's seed), moved by half of its
 * last bit, (k + 1/2) / 2^32.  Depends on (seed, i) only. */
void mlp_plan_unit_point(const mlp_plan *plan, const mlp_sobol *sobol, size_t i, size_t n_dims,
                         double *u);

/* ---- distributions ------------------------------------------------------ */

typedef enum mlp_dist_kind {
    MLP_DIST_UNIFORM = 0,    /* lo + u (hi - lo) */
    MLP_DIST_LOG_UNIFORM,    /* exp(log lo + u (log hi - log lo)), 0 < lo */
    MLP_DIST_INT_UNIFORM,    /* an integer of lo .. hi, both included, equally likely */
    MLP_DIST_NORMAL,         /* mean + std * Phi^-1(u) */
    MLP_DIST_CHOICE,         /* an index 0 .. n_choices-1, with weights */
    MLP_DIST_CONSTANT        /* always 0 (the caller keeps the constant) */
} mlp_dist_kind;

typedef struct mlp_dist {
    mlp_dist_kind kind;
    double lo, hi;           /* uniform, log-uniform, int-uniform (integers) */
    double mean, std;        /* normal */
    size_t n_choices;        /* choice: >= 1 */
    const double *weights;   /* choice: n_choices weights >= 0, not all 0, or NULL for
                              * equal; the caller's, read while the dist is used */
} mlp_dist;

/* Fails (MLP_ERR_USAGE, message without a place) for lo >= hi, a log-uniform
 * with lo <= 0, int bounds that are not integers, a std that is not > 0,
 * negative or all-zero weights, non-finite numbers. */
mlp_status mlp_dist_check(const mlp_dist *d, mlp_error *err);

/* The value at unit coordinate u in (0, 1): the quantile function, so that a
 * uniform u gives the distribution.  Integer uniform and choice give an
 * integer (the value, the index) as a double. */
double mlp_dist_quantile(const mlp_dist *d, double u);

/* Phi^-1(p) for p in (0, 1): the standard normal quantile, to the last few
 * bits of a double (bisection on erfc, then Newton steps). */
double mlp_normal_quantile(double p);

#endif
