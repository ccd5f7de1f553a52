/* sweep.h -- the executor: every run of a plan, in parallel (OpenMP across
 * runs, largest first), each finished run kept in its worker's journal and
 * written out with the others of the last 0.5 s as a part file, then the
 * sweep file built from them.  Results never depend on the number
 * of threads: each run draws from its own streams and datasets are keyed by
 * the base seed and their parameters.
 * Owns the executor (sweep.c), the dataset cache (datasets.c), run
 * preparation (prepare.c), one run (run.c), the resume identity
 * (resume.c) and what each worker is doing, for a fatal signal's note
 * (fault.c).  May use: base/, registry/, plan/, train/, spec/, results/;
 * never cli/. */
#ifndef MLPLAB_SWEEP_H
#define MLPLAB_SWEEP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "registry/registry.h"
#include "spec/spec.h"
#include "sweep/team.h"

/* What the progress callback sees after each finished run. */
typedef struct mlp_sweep_progress {
    size_t done;              /* runs finished so far, including resumed ones */
    size_t total;
    size_t resumed;           /* runs skipped: already in a part file of this sweep */
    size_t diverged;          /* runs so far with status diverged */
    size_t index;             /* the run that just finished (when done > resumed) */
    int status;               /* its status: 0 ok, 1 diverged */
    double train_accuracy;    /* its final training accuracy */
    double final_loss;
    double wall_seconds;      /* its training time */
    const char *note;         /* something worth telling about it, or NULL */
    double best_train_accuracy; /* best so far */
    double elapsed;           /* seconds since the sweep started */
} mlp_sweep_progress;

typedef struct mlp_sweep_opts {
    const char *output;       /* sweep file path (see mlp_sweep_output_path) */
    int threads;              /* worker threads; 0 = all cores */
    bool force;               /* replace an existing sweep file */
    bool resume;              /* keep the finished runs of this sweep, redo the rest */
    bool keep_runs;           /* keep the run folder after building the sweep file */
    bool create_folder;       /* create the output's folder when missing (the default results/) */
    const char *command;      /* the command line, recorded in the file */
    int format;               /* results layout: 1 or 2; 0 the default (results.h) */
    /* Shards: with n_shards > 0, compute only the runs plan/shard.h gives
     * shard `shard` (0 .. n_shards-1), into the run folder that every shard
     * shares, with part files marked "s<shard>of<n_shards>", under the lock
     * shard-<shard>-of-<n_shards>; no sweep file (merge builds it). */
    unsigned shard, n_shards;
    /* Merge: compute nothing; build the sweep file from the run folder, or
     * fail (MLP_ERR_RUNTIME, rep->n_missing and the shards that own them)
     * when runs are missing. */
    bool merge;
    /* Kept in the run folder as sweep.source for `runner merge FOLDER`: how
     * to load this spec again ("spec=<path>\nset=<k=v>\n..."); may be NULL. */
    const char *source;
    /* MPI (sweep/team.h): every rank of the team calls mlp_sweep_run with
     * the same spec and options; rank 0 hands the runs out and builds the
     * sweep file, each rank writes its runs as part files marked
     * "r<rank>of<size>".  NULL: this process alone. */
    mlp_team *team;
    const volatile sig_atomic_t *stop; /* becomes non-zero to stop; may be NULL */
    /* For tests: stop as *stop would once this process has recorded this
     * many runs (0: never), so that a test interrupts a sweep at a chosen
     * point without timing. */
    size_t stop_after;
    /* Called after each finished run, one thread at a time; may be NULL. */
    void (*progress)(void *ctx, const mlp_sweep_progress *p);
    /* Called now and then (every few milliseconds' work) while the runs are
     * resolved before training, with how many of them are: done of total,
     * from the calling thread; may be NULL.  Same ctx. */
    void (*preparing)(void *ctx, size_t done, size_t total);
    void *ctx;
} mlp_sweep_opts;

typedef struct mlp_sweep_report {
    size_t n_runs, n_ok, n_diverged, n_resumed;
    double wall_seconds;
    size_t n_todo;            /* runs this process was to compute (its shard's, less resumed) */
    /* merge: runs missing from the run folder, and the shards (of
     * n_shards_seen, 0 when the folder was not written by shards) owning
     * the first MLP_SWEEP_MAX_MISSING_SHARDS of them */
    size_t n_missing;
    unsigned n_shards_seen;
    size_t n_missing_shards;
    unsigned missing_shards[64];
    char note[640];           /* something to tell (a stale lock taken over), or "" */
    size_t iterations_trained; /* updates this process's runs made (a run trained again
                                 from the start on --resume counts twice) */
    char *halving;            /* sweep.halving: the bracket table of a completed sweep
                                 (malloc'd, the caller frees it), else NULL */
} mlp_sweep_report;
#define MLP_SWEEP_MAX_MISSING_SHARDS 64

/* The runs shard `shard` of n_shards computes (plan/shard.h, from the runs'
 * costs), in increasing order, into *runs (malloc'd, *n of them).  Every run
 * is resolved for its cost: MLP_ERR_INTERRUPTED when *stop (may be NULL)
 * becomes non-zero meanwhile. */
mlp_status mlp_sweep_shard_runs(const mlp_spec *spec, mlp_registry *reg, unsigned shard,
                                unsigned n_shards, const volatile sig_atomic_t *stop,
                                size_t **runs, size_t *n, mlp_error *err);

/* The sweep file path whose run folder is runs_dir ("x.runs" -> "x.h5"),
 * and sweep.source's text kept there (NULL when absent); malloc'd. */
char *mlp_sweep_folder_output(const char *runs_dir);
char *mlp_sweep_folder_source(const char *runs_dir);

/* The rung plan of a sweep with sweep.halving, for --dry-run: per bracket
 * and rung the budget and the runs that enter it, and the most iterations
 * it trains (malloc'd text, NULL when out of memory). */
char *mlp_sweep_halving_plan(const mlp_spec *spec);

/* Output path: `override` if given, else the spec's `output:`, else
 * results/<name>.h5.  malloc'd. */
char *mlp_sweep_output_path(const mlp_spec *spec, const char *override);

/* A one-line note (no newline) on what this thread was doing when fatal
 * signal sig arrived: the run it was training and the plugin function it was
 * inside (kind, name, hidden layer, file), e.g. "runner: SIGSEGV in run 3,
 * in forward of activation plugin 'x' (hidden layer 0) from ./x.so".  Into
 * buf (cap bytes, always terminated); returns its length.  Only reads
 * memory: no allocation, lock or stdio, so a signal handler may call it
 * (cli/ installs the handler; fault.c keeps the state while a sweep runs). */
size_t mlp_sweep_fault_note(int sig, char *buf, size_t cap);

/* Run the sweep.  The spec must have passed mlp_spec_validate.  Returns
 * MLP_ERR_INTERRUPTED (finished runs kept, no sweep file) when *stop became
 * non-zero; MLP_ERR_EXISTS when the output exists without force/resume. */
mlp_status mlp_sweep_run(const mlp_spec *spec, mlp_registry *reg, const mlp_sweep_opts *o,
                         mlp_sweep_report *rep, mlp_error *err);

#endif
