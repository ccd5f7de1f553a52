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

/* File-system helpers (fsutil.c). */
/* printf into a malloc'd string, or NULL. */
char *mlp_str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool mlp_str_ends_with(const char *s, const char *suffix);
/* Whether s is an integer as YAML writes one: an optional sign and decimal
 * digits ("5", "-12"; not "5.0", "1e3"), that fits in int64. */
bool mlp_results_integer_text(const char *s);
/* The folder of a path ("." when it has none), malloc'd. */
char *mlp_path_parent(const char *path);
/* fsync a file or folder by name: 0, or -1 with errno set. */
int mlp_path_sync(const char *path, bool dir);
/* Publish tmp as path: fsync the file, rename, fsync the folder. */
mlp_status mlp_path_publish(const char *tmp, const char *path, mlp_error *err);

#endif
