/* plan.h -- sweep expansion: axes of values, the cartesian product in
 * row-major order of the axes as written, repeats innermost, an optional
 * samples dimension outermost (random and Sobol search), and run seeds.
 * Knows nothing about YAML: an axis is just a count of values; the spec
 * module keeps the values themselves.  Ranges are expanded here too; the
 * sampled values themselves come from plan/sample.h. */
#ifndef MLPLAB_PLAN_H
#define MLPLAB_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define MLP_PLAN_MAX_AXES 32

/* How the runs are enumerated: a grid (the product of the axes), or that
 * product repeated for each of `samples` points drawn at random or from a
 * scrambled Sobol sequence. */
typedef enum mlp_plan_kind {
    MLP_PLAN_GRID = 0,
    MLP_PLAN_RANDOM = 1,
    MLP_PLAN_SOBOL = 2
} mlp_plan_kind;

typedef struct mlp_plan {
    mlp_plan_kind kind;
    size_t n_axes;
    size_t axis_len[MLP_PLAN_MAX_AXES]; /* values on each axis, >= 1 */
    size_t samples;                     /* points drawn (>= 1; 1 for a grid) */
    size_t repeats;                     /* >= 1 */
    uint64_t seed;                      /* base seed */
    size_t n_runs;                      /* samples times product of axis_len times repeats */
} mlp_plan;

/* One run of the plan. */
typedef struct mlp_plan_run {
    size_t index;                       /* 0 .. n_runs-1 */
    size_t value[MLP_PLAN_MAX_AXES];    /* index of the value on each axis */
    size_t sample;                      /* 0 .. samples-1 (0 for a grid) */
    size_t repeat;                      /* 0 .. repeats-1 */
    uint64_t seed;                      /* mlp_run_seed(seed, index) */
} mlp_plan_run;

/* Fails (MLP_ERR_USAGE) when an axis is empty, repeats is 0, there are too
 * many axes, or the product overflows or exceeds max_runs (0 = no limit). */
mlp_status mlp_plan_init(mlp_plan *plan, const size_t *axis_len, size_t n_axes, size_t repeats,
                         uint64_t seed, size_t max_runs, mlp_error *err);

/* Make the plan a random or Sobol search of `samples` points, each point
 * crossed with every grid point and repeat.  The samples dimension is the
 * outermost (slowest), so that runs 0 .. n-1 of a plan with more samples are
 * exactly the runs of the plan with fewer: run k never depends on samples.
 * Fails (MLP_ERR_USAGE) when samples is 0, the kind is MLP_PLAN_GRID, or the
 * runs overflow or exceed max_runs (0 = no limit); the plan is then
 * unchanged. */
mlp_status mlp_plan_sample(mlp_plan *plan, mlp_plan_kind kind, size_t samples, size_t max_runs,
                           mlp_error *err);

/* Decode run k (k < n_runs). */
void mlp_plan_get(const mlp_plan *plan, size_t k, mlp_plan_run *run);

/* Range expansion.  Linear: from, from+step, ... up to and including `to`
 * when it lands on it (within 1e-9 of a step); step must be non-zero and
 * point from `from` towards `to` (from == to gives one value).  Values are
 * from + i*step (no drift); the last snaps to `to` within the tolerance.
 * Count: num >= 1 evenly spaced values from..to inclusive, linearly or
 * geometrically (log: from, to > 0); num == 1 gives from; the ends are
 * exactly from and to.  With out == NULL nothing is written (mlp_range_step
 * still sets *n).  More than max_n values, or a non-finite bound, is an
 * error (MLP_ERR_USAGE). */
mlp_status mlp_range_step(double from, double to, double step, double *out, size_t *n,
                          size_t max_n, mlp_error *err);
mlp_status mlp_range_num(double from, double to, size_t num, int log_scale, double *out,
                         size_t max_n, mlp_error *err);

#endif
