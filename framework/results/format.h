/* results/format.h -- how the builder writes a sweep file: a format is one
 * writer behind this table (format 1: format1_sweep.c; format 2: format2.c).  The builder calls
 * open, add_run and finish with the module lock held, from one thread at a
 * time, and close (under the lock too) whatever happened.  Private to
 * framework/results/. */
#ifndef MLPLAB_RESULTS_FORMAT_H
#define MLPLAB_RESULTS_FORMAT_H

#include <stddef.h>

#include "results/results.h"

/* Memory a run's record lies in that a writer may go on pointing into after
 * add_run returns: keep(owner) once for each pointer it keeps, release(owner)
 * once for each when it is done with it (at the latest in close). */
typedef struct mlp_record_mem {
    void (*keep)(void *owner);
    void (*release)(void *owner);
    void *owner;
} mlp_record_mem;

typedef struct mlp_results_format {
    /* The writer's state for n_runs runs of n_swept swept parameters, in
     * memory only; NULL when memory ran out. */
    void *(*create)(size_t n_runs, size_t n_swept);
    /* Create the file at tmp (kept for messages until close). */
    mlp_status (*open)(void *state, const char *tmp, mlp_error *err);
    /* Add a run; runs come in order 0, 1, 2, ..., or in the builder's
     * order when the writer has group_done.  mem: what the writer may keep
     * of the record's memory, or NULL (it is reused at once: copy). */
    mlp_status (*add_run)(void *state, const mlp_run_record *rec, const mlp_record_mem *mem,
                          mlp_error *err);
    /* The run just added ended its group: every run of the shapes added
     * since the last call is in (format 2 writes their stacks now).  NULL
     * for a writer that takes runs in run order only (format 1). */
    mlp_status (*group_done)(void *state, mlp_error *err);
    /* Write what only the end knows and close the file. */
    mlp_status (*finish)(void *state, const mlp_sweep_meta *meta, mlp_error *err);
    /* Close what is still open and free the state.  Accepts NULL. */
    void (*close)(void *state);
} mlp_results_format;

/* The format-1 sweep file: /runs/run_<k>, /dataset, /summary, /summary_table. */
extern const mlp_results_format mlp_results_format1;

/* The format-2 sweep file: /stacks/s<i>/ (arrays with a leading run axis,
 * one stack per shape), /index, /summary, /summary_table and /cube. */
extern const mlp_results_format mlp_results_format2;

/* The writer of format_version v (0: MLP_RESULTS_FORMAT_DEFAULT), or NULL. */
const mlp_results_format *mlp_results_format_get(int v);

#endif
