/* sweep/internal.h -- what the sweep's files share: the sweep's state, the
 * dataset cache's entries, and the functions each file gives the others.
 * Private to sweep/. */
#ifndef MLPLAB_SWEEP_INTERNAL_H
#define MLPLAB_SWEEP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sweep/sweep.h"
#include "results/results.h"
#include "train/config.h"
#include "train/train.h"

/* The settings of one point of the sweep, shared by the runs that train it
 * at the same time or one after another: its repeats differ only in their
 * seed, so resolving them once each (10 us a run, in a critical section)
 * was waste (run.c). */
typedef struct shared_config {
    bool used;                   /* the slot holds a point's settings */
    size_t point;                /* run k's point is k / plan.repeats */
    size_t refs;                 /* runs holding it now */
    uint64_t last;               /* when a run last took it (for reuse of slots) */
    mlp_config cfg;
} shared_config;
#define MLP_SWEEP_CONFIGS 8

/* One distinct dataset, shared read-only by every run that uses it. */
typedef struct dataset_entry {
    char *key;
    uint64_t hash;
    size_t dim, classes;         /* the points' shape */
    size_t rows;                 /* a file's rows (datasets that load) */
    size_t n_train, n_test;      /* points of each split */
    bool ready;                  /* generated (lazily, by the first run that needs it) */
    size_t users;                /* runs still to come that use it; freed at 0 */
    mlp_data train;
    mlp_data test;               /* test.n == 0 without a test set */
    char overlap[200];           /* a warning when test points are training points, or "" */
    bool told;                   /* a run's note has carried the warning (guarded by
                                    the critical section mlplab_data) */
} dataset_entry;

typedef struct sweep_state {
    const mlp_spec *spec;
    mlp_registry *reg;
    const mlp_sweep_opts *o;
    char *runs_dir;
    mlp_results_builder *builder; /* the sweep file, written while the runs run */
    char run_hash[65];           /* identifies this spec's runs, for --resume */
    char *identity;              /* the text behind run_hash (see run_identity) */

    dataset_entry *data;
    size_t n_data, cap_data;
    size_t *table;               /* open addressing: dataset index + 1, 0 = empty */
    size_t table_cap;

    size_t *run_data;            /* (n_runs) dataset of each run */
    double *cost;                /* (n_runs) estimated work of each run */
    size_t *build_order;         /* (n_runs) the order the sweep file takes the runs in
                                    (base/buildorder.h) */
    bool *build_last;            /* (n_runs) run k ends its group in that order */
    const mlp_plugin *plugins[64]; /* distinct plugins used, for provenance */
    const char *files[64];       /* data and warm-start files the runs read (in their
                                    configs' strings: copies below) */
    char *file_copy[64];
    size_t n_files;
    double record_bytes;         /* estimated bytes the sweep records */
    int inner_threads;           /* threads inside each run's kernels (1 unless the
                                    sweep has fewer runs than threads) */
    uint64_t budget;             /* record.budget */
    size_t n_plugins;
    unsigned *owner;             /* (n_runs) the shard of each run, when sharded */
    char tag[48];                /* the writer's mark on part files ("" unsharded) */
    struct mlp_lock *lock;       /* this writer's lock in the run folder */
    char *halving_table;         /* sweep.halving: the bracket table, for the file */
    size_t iterations_trained;   /* updates made by this process's runs (atomic) */
    shared_config configs[MLP_SWEEP_CONFIGS]; /* recent points' settings (guarded by the
                                    critical section mlplab_spec) */
    uint64_t config_clock;
} sweep_state;

/* ---- datasets.c: each distinct dataset generated once ------------------ */

/* Index of cfg's dataset in st->data, adding an entry the first time it is
 * seen.  The points themselves are generated later, by mlp_sweep_data_acquire. */
mlp_status mlp_sweep_data_find(sweep_state *st, const mlp_config *cfg, size_t *idx,
                               mlp_error *err);
/* Make dataset di's points exist (one thread at a time). */
mlp_status mlp_sweep_data_acquire(sweep_state *st, size_t di, const mlp_config *cfg,
                                  mlp_error *err);
/* A run that will use dataset di was handed to this process (MPI: the
 * runs arrive while the sweep goes), so its points stay until it is done. */
void mlp_sweep_data_use(sweep_state *st, size_t di);
/* A run is done with dataset di: its points go once no run needs them. */
void mlp_sweep_data_release(sweep_state *st, size_t di);
/* Free every entry, st->data and st->table. */
void mlp_sweep_data_free_all(sweep_state *st);
/* The model's outputs for cfg's loss on dataset e: its classes, or 1. */
size_t mlp_sweep_output_width(const mlp_config *cfg, const dataset_entry *e);

/* ---- prepare.c: every run resolved before training --------------------- */

/* Resolve every run once: datasets, costs, plugins, and the checks that need
 * both the loss and the dataset.  Nothing is trained yet.  Obeys st->o->stop
 * (MLP_ERR_INTERRUPTED) and tells st->o->preparing how far it is. */
mlp_status mlp_sweep_prepare(sweep_state *st, mlp_error *err);

/* ---- run.c: one run ---------------------------------------------------- */

/* What the progress callback is told about a finished run. */
typedef struct run_outcome {
    int status;
    double train_accuracy, final_loss, wall_seconds;
    char note[256];
} run_outcome;

/* Train, probe and record run k into the worker's journal; out is filled on
 * success.  MLP_ERR_INTERRUPTED when the stop flag became non-zero. */
mlp_status mlp_sweep_run_one(sweep_state *st, size_t k, mlp_results_journal *journal,
                             run_outcome *out, mlp_error *err);

/* ---- fault.c: what each worker is doing (mlp_sweep_fault_note) --------- */

/* The sweep under way loads its plugins through reg (NULL at its end). */
void mlp_sweep_fault_begin(const mlp_registry *reg);
void mlp_sweep_fault_end(void);
/* This thread trains run k with the settings cfg (kept until leave). */
void mlp_sweep_fault_enter(size_t k, const mlp_config *cfg);
void mlp_sweep_fault_leave(void);
/* The same in steps (successive halving): begin (settings, data, model,
 * training started; *out owned, ends with free), advance to `until`
 * updates (*ended: training ended on its own or at train.iterations),
 * the current metrics, mark (its bracket and the rungs it reached, for the
 * record: rungs_before, and one more when it trained to budget), end (halted: stopped by halving; probed and recorded), free
 * (whatever the state; the dataset released). */
typedef struct one_run one_run;
mlp_status mlp_sweep_run_begin(sweep_state *st, size_t k, one_run **out, mlp_error *err);
mlp_status mlp_sweep_run_advance(sweep_state *st, one_run *r, size_t until, bool *ended,
                                 mlp_error *err);
void mlp_sweep_run_metrics(one_run *r, mlp_train_now *now);
void mlp_sweep_run_mark(one_run *r, size_t bracket, size_t rungs_before, size_t budget);
mlp_status mlp_sweep_run_end(sweep_state *st, one_run *r, bool halted,
                             mlp_results_journal *journal, run_outcome *out, mlp_error *err);
void mlp_sweep_run_free(sweep_state *st, one_run *r);
/* Free the settings kept in st->configs (no run may hold any). */
void mlp_sweep_configs_free(sweep_state *st);

/* ---- halving.c: successive halving and Hyperband ---------------------- */

/* What the executor gives the halving loop. */
typedef struct halving_io {
    int threads;                     /* workers */
    mlp_results_journal **journal;   /* (threads) one per worker */
    const unsigned char *done;       /* (n_runs) runs already recorded (--resume) */
    void (*finished)(void *ctx, size_t k, const run_outcome *ro); /* a run recorded, called
                                        in the critical section mlplab_progress */
    bool (*stopping)(void *ctx);     /* the sweep is to stop (a signal) */
    void *ctx;
} halving_io;

/* Every bracket, rung by rung (sweep.halving), the decisions kept in the run
 * folder as they are made; *table (malloc'd) the bracket table when the
 * sweep completes.  MLP_OK also when stopping() said to stop (the caller
 * reports the interruption). */
mlp_status mlp_sweep_halving(sweep_state *st, const halving_io *io, char **table,
                             mlp_error *err);

/* ---- resume.c: the sweep's identity and its run folder ------------------ */

/* st->identity (the text) and st->run_hash (its SHA-256) from the resolved
 * spec, the plugins and files noted by mlp_sweep_prepare, and the code. */
void mlp_sweep_identify(sweep_state *st, const char *resolved);
/* Check st->runs_dir against the options (--force clears it, --resume keeps
 * only runs of this sweep, marked in done (n_runs)) and save the identity
 * there. */
mlp_status mlp_sweep_check_folder(sweep_state *st, unsigned char *done, mlp_error *err);
/* Keep text as <runs_dir>/<name>: a temporary of this process, then rename. */
mlp_status mlp_sweep_save_note(const sweep_state *st, const char *name, const char *text,
                               mlp_error *err);

#endif
