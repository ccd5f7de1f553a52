/* halving.h -- successive halving and Hyperband as numbers: the rungs
 * (budgets in iterations), which bracket each run belongs to, and which runs
 * a complete rung promotes.  Nothing here depends on timing or on the order
 * runs finish in: a decision is a function of the rung's metrics and the
 * runs' indices alone.  Part of the plan layer: may use base/ only. */
#ifndef MLPLAB_PLAN_HALVING_H
#define MLPLAB_PLAN_HALVING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define MLP_HALVING_MAX_RUNGS 32

/* What ranks the runs at a rung (the words of mlp_halving_metrics). */
typedef enum mlp_halving_metric {
    MLP_METRIC_TEST_ACCURACY = 0,
    MLP_METRIC_TEST_LOSS,
    MLP_METRIC_VALIDATION_ACCURACY,
    MLP_METRIC_TRAIN_ACCURACY,
    MLP_METRIC_TRAIN_LOSS
} mlp_halving_metric;

extern const char *const mlp_halving_metrics[]; /* NULL-terminated */

typedef struct mlp_halving {
    bool on;
    size_t min_iterations;   /* budget of rung 0 */
    size_t eta;              /* >= 2: a rung keeps the best 1/eta */
    size_t brackets;         /* >= 1; 1 is successive halving, more is Hyperband */
    mlp_halving_metric metric;
    size_t n_rungs;          /* rungs, the last at max_iterations */
    size_t budget[MLP_HALVING_MAX_RUNGS]; /* min_iterations * eta^r, then max_iterations */
    uint64_t weight[MLP_HALVING_MAX_RUNGS]; /* bracket b's share of the runs: Hyperband's n_s */
    uint64_t period;         /* the sum of the weights: the bracket pattern's period */
} mlp_halving;

/* Rungs at min_iterations * eta^r for every r with min_iterations *
 * eta^(r+1) <= max_iterations, and a last rung at max_iterations (so every
 * rung's budget is at least eta times the one before).  Bracket b starts
 * at rung b; its weight is Hyperband's number of configurations for it,
 * n_s = ceil((S + 1) / (s + 1) * eta^s) with S = n_rungs - 1 and s = S - b
 * (eta^s capped at 2^30).  Fails (MLP_ERR_USAGE) when min_iterations is 0
 * or min_iterations * eta exceeds max_iterations, eta < 2, brackets is 0 or
 * more than the rungs. */
mlp_status mlp_halving_init(mlp_halving *h, size_t min_iterations, size_t eta,
                            size_t max_iterations, size_t brackets, mlp_halving_metric metric,
                            mlp_error *err);

/* The brackets of runs 0 .. n-1 into bracket[0..n): the runs are dealt to
 * the brackets in proportion to their weights by a smooth weighted round
 * robin (each step every bracket gains its weight, the bracket with the
 * most, the smaller on a tie, takes the run and gives back the period), a
 * pattern that repeats every `period` runs: run k's bracket depends on k
 * and the settings alone, and any first runs are split in about Hyperband's
 * proportions.  One bracket: every run in bracket 0. */
void mlp_halving_assign(const mlp_halving *h, size_t n, size_t *bracket);

/* How many of runs 0 .. n-1 mlp_halving_assign deals to each bracket, into
 * count[0 .. brackets), without a per-run array (the dry run of a huge
 * sweep): whole periods give each bracket its weight. */
void mlp_halving_counts(const mlp_halving *h, size_t n, size_t count[MLP_HALVING_MAX_RUNGS]);

/* Runs a rung of n entrants promotes: floor(n / eta), at least 1. */
size_t mlp_halving_keep(const mlp_halving *h, size_t n);

/* True when the metric is better when larger (accuracies). */
bool mlp_halving_maximize(mlp_halving_metric m);

/* The promotion of a complete rung: idx[0..n) (run indices) and their
 * metrics value[0..n) are reordered best first (larger or smaller as
 * maximize says; NaN last; equal values: the smaller run index first), so
 * that the first `keep` are promoted.  Insertion sort: n is small. */
void mlp_halving_rank(size_t *idx, double *value, size_t n, bool maximize);

/* Bracket b's plan for its n runs when no run stops on its own: runs[r]
 * entering each of its rungs (0 before its first rung) and the iterations
 * it trains, continuing promoted runs.  Returns that total. */
double mlp_halving_plan(const mlp_halving *h, size_t b, size_t n,
                        size_t runs[MLP_HALVING_MAX_RUNGS]);

#endif
