/* shard.h -- who computes which run, decided from the runs' expected costs
 * alone, so that every shard (a Slurm array task, an MPI rank, a machine)
 * computes the same answer with no communication.  Part of the plan layer:
 * may use base/ only. */
#ifndef MLPLAB_PLAN_SHARD_H
#define MLPLAB_PLAN_SHARD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

#define MLP_MAX_SHARDS 1000000u

/* idx[0..n-1] (any permutation on entry) sorted by cost[idx[i]], largest
 * first, the smaller run index first among equal costs.  O(n log n), no
 * allocation. */
void mlp_plan_order_by_cost(size_t *idx, size_t n, const double *cost);

/* owner[k] (n entries) = the shard, 0 .. n_shards-1, that computes run k:
 * the runs in mlp_plan_order_by_cost order, each given to the shard whose
 * runs cost least so far (the lower shard on a tie): the longest-processing-
 * time-first rule, whose largest shard is within 4/3 of the best possible.
 * Costs must be finite and >= 0.  Fails only for n_shards of 0 or over
 * MLP_MAX_SHARDS (MLP_ERR_USAGE) or out of memory. */
mlp_status mlp_plan_shard(const double *cost, size_t n, unsigned n_shards, unsigned *owner,
                          mlp_error *err);

/* "i/n" with 0 <= i < n <= MLP_MAX_SHARDS, plain decimal digits, nothing else. */
bool mlp_shard_parse(const char *text, unsigned *i, unsigned *n);

#endif
