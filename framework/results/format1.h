/* results/format1.h -- the format-1 sweep file (format_version 1): its run
 * group (format1_run.c) and the file around it (format1_sweep.c, which
 * exposes the writer to the builder through results/format.h).  Private to
 * framework/results/.  Call with the module lock held. */
#ifndef MLPLAB_RESULTS_FORMAT1_H
#define MLPLAB_RESULTS_FORMAT1_H

#include <stdbool.h>
#include <stdint.h>

#include "results/h5.h"
#include "results/results.h"

/* A dataset: x (sample, feature) float64, y (sample) int64 labels, as group
 * `name` of parent. */
mlp_status mlp_format1_write_data(mlp_h5w *w, hid_t parent, const char *name,
                                  const mlp_data *data);
/* Everything a run leaves, into group g: the content of /runs/run_<k>/. */
mlp_status mlp_format1_write_run(mlp_h5w *w, hid_t g, const mlp_run_record *r);

/* ---- shared with format 2 ---- */

/* The predicted class of each of n points from its k probabilities at
 * prob (n, k): the first most probable, -1 when one is NaN (format1_run.c). */
void mlp_format1_argmax(const double *prob, size_t n, size_t k, int64_t *out);

/* (format1_sweep.c) */

/* The summary columns, one value per run (all that build keeps in memory). */
typedef struct mlp_summary {
    size_t n, n_swept;
    uint64_t *seed;
    int64_t *first100, *iters, *repeat;
    unsigned char *diverged;
    char (*stop)[16];        /* stop reasons, NUL-padded */
    double *final_loss, *train_acc, *test_acc, *wall;
    double *num;   /* (n_swept, n): numeric parameters */
    char **text;   /* (n_swept, n): text of every parameter */
    bool *integer; /* (n_swept): a numeric parameter whose every value is an integer
                      as written (set by summary_integers, at the end) */
    int64_t *inum; /* (n_swept, n): those values, as integers */
    bool halving;  /* a run used successive halving: format 2 writes the two
                      columns below (format 1 has them as run attributes) */
    int64_t *bracket, *rungs; /* (n): halving_bracket, halving_rungs (else 0) */
} mlp_summary;

bool mlp_summary_alloc(mlp_summary *s, size_t n, size_t n_swept);
void mlp_summary_free(mlp_summary *s);
/* Run r's row (k = r->index); false: out of memory. */
bool mlp_summary_add(mlp_summary *s, size_t k, const mlp_run_record *r);
/* Which numeric columns are integers in every run (sets integer, inum). */
bool mlp_summary_integers(mlp_summary *s, const mlp_sweep_meta *meta);
/* /summary (one column per dataset over `run`; from version 2 in the root
 * group, with halving_bracket and halving_rungs when s->halving), and
 * /summary_table (the same columns in both versions): in
 * format 1 over the root coordinate /run; from version 2 of a committed
 * type, its own dimension, columns named as Python identifiers with the
 * /summary names in its attribute column_names. */
mlp_status mlp_summary_write(mlp_h5w *w, hid_t f, const mlp_sweep_meta *meta,
                             const mlp_summary *s, int version);
mlp_status mlp_summary_write_table(mlp_h5w *w, hid_t f, const mlp_sweep_meta *meta,
                                   const mlp_summary *s, int version);
/* The root attributes, format_version `version`. */
mlp_status mlp_sweep_write_root_attrs(mlp_h5w *w, hid_t f, const mlp_sweep_meta *m, int version);
/* File access properties of a sweep file (a small metadata cache), or < 0. */
hid_t mlp_sweep_fapl(void);

#endif
