/* results/format1.h -- the format-1 sweep file (format_version 1): its run
 * group (format1_run.c) and the file around it (format1_sweep.c, which
 * exposes the writer to the builder through results/format.h).  Private to
 * framework/results/.  Call with the module lock held. */
#ifndef MLPLAB_RESULTS_FORMAT1_H
#define MLPLAB_RESULTS_FORMAT1_H

#include "results/h5.h"
#include "results/results.h"

/* A dataset: x (sample, feature) float64, y (sample) int64 labels, as group
 * `name` of parent. */
mlp_status mlp_format1_write_data(mlp_h5w *w, hid_t parent, const char *name,
                                  const mlp_data *data);
/* Everything a run leaves, into group g: the content of /runs/run_<k>/. */
mlp_status mlp_format1_write_run(mlp_h5w *w, hid_t g, const mlp_run_record *r);

#endif
