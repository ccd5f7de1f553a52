/* buildorder.h -- the order in which a sweep file takes its runs in: the
 * runs grouped by layer widths and iterations (a format-2 stack holds runs
 * of one shape, and a shape fixes both), the groups largest first, each
 * group's runs in run order.  The sweep computes it from the runs' settings,
 * `runner convert` from a file's runs: both get the same order, so a sweep
 * file and its conversion from format 1 have the same layout.
 * May use: nothing. */
#ifndef MLPLAB_BUILDORDER_H
#define MLPLAB_BUILDORDER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mlp_grouper mlp_grouper;

/* A grouper for runs 0 .. n_runs-1; NULL when memory ran out. */
mlp_grouper *mlp_grouper_new(size_t n_runs);
void mlp_grouper_free(mlp_grouper *g);

/* The group of run k (runs given in increasing order, each once), named by
 * its first run, and the group's size: the sum of the layers' weights
 * (width[l] x width[l+1]) times the iterations.  width: n_width layer widths
 * (input, hidden..., output).  Runs are matched by a 64-bit hash of the
 * widths and iterations; two that collide share a group, which is allowed
 * (a group may hold several shapes: all of them are complete when its last
 * run is in). */
size_t mlp_grouper_add(mlp_grouper *g, size_t k, const size_t *width, size_t n_width,
                       size_t iterations, double *size);

/* idx[0 .. n-1] (any permutation on entry) sorted by size[idx[i]], largest
 * first, the smaller index first among equal sizes.  O(n log n), no
 * allocation (a heap sort: C11 has no qsort_r).  plan/ orders runs by cost
 * with it. */
void mlp_order_by_size(size_t *idx, size_t n, const double *size);

/* order[0 .. n-1]: the runs grouped by group[k] (from mlp_grouper_add), the
 * groups by size[k] largest first (the smaller first run on a tie), each
 * group's runs in run order; last[k]: run k is its group's last there.
 * False only when memory ran out. */
bool mlp_build_order(size_t n, const size_t *group, const double *size, size_t *order,
                     bool *last);

#endif
