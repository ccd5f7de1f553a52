/* results/internal.h -- what the files of the results module share that is
 * not HDF5: the module lock, file-system helpers, limits.  Private to
 * framework/results/; other modules include results/results.h only. */
#ifndef MLPLAB_RESULTS_INTERNAL_H
#define MLPLAB_RESULTS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "results/results.h"

#define MLP_RESULTS_MAX_LAYERS (MLP_MAX_HIDDEN + 1)

/* The process-wide lock behind which every HDF5 call is made (DESIGN
 * invariant 3); lock also silences HDF5's error printing for the thread. */
void mlp_results_lock(void);
void mlp_results_unlock(void);

#endif
