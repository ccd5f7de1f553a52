/* results.h -- finished runs and the sweep file.  Owns the results on
 * disk: the run journal (one per worker, flushed as a part file in the run
 * folder through a temporary name and rename, made durable by fsync), the
 * sweep file built
 * from the part files, results read back, and the run folder scanned for
 * --resume.  May use: base/ and train/config.h only.  This is the only
 * module that includes hdf5.h, and every HDF5 call in the process goes
 * through it, serialized behind one lock: callers may call it from any
 * thread.  The journal itself makes no HDF5 call, so workers never wait for
 * the lock while a sweep runs.
 * Inside (framework/results/): h5.c shared HDF5 helpers, fsutil.c paths,
 * journal.c records, part_write.c / part_read.c part files, format1_*.c the
 * format-1 writer, builder.c the sweep file as it runs, read.c reading back.
 * Layout of the files: SPEC section 4 and docs/results.md. */
#ifndef MLPLAB_RESULTS_H
#define MLPLAB_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "train/config.h"
#include "base/error.h"

/* A swept parameter's value in one run. */
typedef struct mlp_param_cell {
    const char *path;            /* dotted path, e.g. "model.hidden" */
    bool numeric;
    double num;                  /* when numeric */
    const char *text;            /* always: the value as one line of YAML */
} mlp_param_cell;

/* Everything a finished run leaves.  All pointers are borrowed for the call. */
typedef struct mlp_run_record {
    size_t index;
    size_t repeat;               /* which of the spec's repeats (0 .. repeats-1) */
    uint64_t seed;
    int status;                  /* 0 ok, 1 diverged (mlp_run_status) */
    double wall_seconds;
    size_t n_params;             /* swept parameters */
    const mlp_param_cell *params;

    double final_loss, train_accuracy, test_accuracy; /* test: NaN without a test set */
    long first_100pct;           /* -1 if never */
    const char *note;            /* something the user should know about the run, or NULL */
    size_t iterations;           /* configured */
    size_t iterations_run;
    size_t loss_every;
    size_t n_loss;
    const double *loss;          /* (n_loss) on iteration j*loss_every */
    const double *grad_norm;     /* (n_loss, n_layers, 2): |dW_l|, |db_l|, or NULL */

    size_t eval_every, n_eval;   /* evaluation curves, on iteration j*eval_every */
    const double *test_loss;     /* (n_eval) or NULL */
    const double *test_accuracy_curve;  /* (n_eval) or NULL */
    const double *train_accuracy_curve; /* (n_eval) or NULL */

    size_t weights_every, n_snapshots;
    const double *snapshots;     /* (n_snapshots, n_params) parameter blocks before
                                    iteration j*weights_every, or NULL */
    size_t n_scores;
    const double *validation_accuracy; /* (n_scores), one per epoch, or NULL */
    const char *stop_reason;     /* why training ended: "iterations", "tol", ... or NULL */
    long best_iteration;         /* early stopping: updates behind the kept weights; -1 */
    bool halving;                /* the sweep used successive halving: */
    size_t halving_bracket;      /*   the run's bracket */
    size_t halving_rungs;        /*   rungs whose budget the run reached */

    size_t n_layers;             /* weight layers */
    const size_t *width;         /* n_layers + 1 widths: inputs .. outputs */
    const double *weights;       /* parameter block (model.h layout), or NULL */
    const double *const *hidden; /* n_layers - 1 arrays (n_hidden_points, width[l+1]), or NULL */
    size_t n_hidden_points;

    size_t resolution;           /* 0: no boundary grid */
    double extent[4];
    size_t classes_out;          /* k: outputs of the model (1 for binary) */
    const double *boundary;      /* (resolution, resolution, k) [iy][ix][c] */

    const mlp_data *train;       /* when the dataset is swept: stored in the run; else NULL */
    const mlp_data *test;        /* likewise; NULL without a test set */
} mlp_run_record;

/* What the sweep file says about itself (root attributes and more). */
typedef struct mlp_plugin_prov {
    const char *kind, *name, *file, *sha256, *version;
} mlp_plugin_prov;

typedef struct mlp_sweep_meta {
    const char *name, *description;
    const char *spec_text, *spec_sha256, *spec_resolved;
    const char *run_sha256;      /* the hash every part file must carry (SHA-256 of
                                    spec_resolved, so --set overrides count) */
    const char *command, *hostname, *created;  /* created: ISO 8601 UTC */
    const char *mlplab_version, *git_commit;
    bool git_dirty;
    uint64_t seed;
    size_t n_runs;
    size_t n_plugins;
    const mlp_plugin_prov *plugins;
    size_t n_swept;              /* swept parameters, in axis order */
    const char *const *swept_paths;
    const bool *swept_numeric;
    const mlp_data *train;       /* the shared dataset (NULL when swept) */
    const mlp_data *test;        /* NULL without a test set or when swept */
    /* Added for provenance (NULL: attribute omitted); the HDF5 version is
     * filled in by this module. */
    const char *libyaml_version; /* e.g. "0.2.5" */
    const char *openmp_version;  /* e.g. "201511" (_OPENMP) */
    /* Where the runs were computed when not all here (NULL: attribute
     * omitted): one line per shard, "shard 1/4 host=h started=... runs=12
     * wall_seconds=3.2", root attribute shards. */
    const char *shards;
    /* Layout of the file: 1 (a group per run), 2 (stacks and the cube), or
     * 0 for the default (MLP_RESULTS_FORMAT_DEFAULT). */
    int format_version;
    /* Format 2's /cube: grid_repeats > 0 when the runs are the full
     * Cartesian product of the swept axes (row-major in swept_paths order,
     * repeats innermost, as plan/ numbers them), each axis with axis_len[i]
     * values and grid_repeats repeats; 0 otherwise (the cube then has only
     * the run dimension).  axis_len is borrowed for the call. */
    size_t grid_repeats;
    const size_t *axis_len;
    /* Set by runner convert (NULL otherwise): the root attributes are
     * copied from this results file, all but format_version. */
    const char *attrs_from;
    /* Successive halving's bracket table (NULL: attribute omitted), root
     * attribute halving. */
    const char *halving;
} mlp_sweep_meta;

#define MLP_RESULTS_FORMAT_DEFAULT 2

/* "results/x.h5" -> "results/x.runs" (malloc'd). */
char *mlp_results_runs_dir(const char *sweep_path);
/* "<dir>/part_0042.bin" (malloc'd): the part file whose first run is `first`;
 * at least 4 digits. */
char *mlp_results_part_path(const char *runs_dir, size_t first);

/* Check that `path` can be written as the sweep file: it does not exist
 * (unless force; with resume an existing file means the sweep is complete), its folder exists and is writable (probe write).  Creates
 * the run folder. */
/* The same for a writer that marks its part files with tag (a shard, an MPI
 * rank: "s1of4"), so that writers sharing a run folder never collide:
 * "<dir>/part_0042.s1of4.bin"; a NULL or empty tag is the unmarked name. */
char *mlp_results_part_path_tagged(const char *runs_dir, size_t first, const char *tag);

mlp_status mlp_results_prepare(const char *sweep_path, bool force, bool resume, mlp_error *err);

/* A journal of finished runs, owned by one thread at a time (a sweep keeps
 * one per worker).  Each run added is copied (serialized) at once, so the
 * record's buffers may be freed on return.  The runs held are written out as
 * one part file, <runs_dir>/part_<first run>.bin (temporary name, fsync,
 * rename, fsync of the folder; with a syncer, below, the fsyncs come
 * later), when max_seconds have passed since the last
 * write or max_bytes are held, and by mlp_results_journal_flush.  A process
 * killed meanwhile loses the runs not yet written: at most about max_seconds
 * of one worker's work.  Part files carry hash (the sweep's identity) and a
 * checksum of every record. */
typedef struct mlp_results_journal mlp_results_journal;
typedef struct mlp_results_builder mlp_results_builder;
typedef struct mlp_results_syncer mlp_results_syncer;

mlp_status mlp_results_journal_open(const char *runs_dir, const char *hash, double max_seconds,
                                    size_t max_bytes, mlp_results_journal **out, mlp_error *err);
/* Append a finished run; writes the part file when one is due.  On an error
 * the runs held (this one included) are dropped and the temporary removed. */
mlp_status mlp_results_journal_add(mlp_results_journal *j, const mlp_run_record *rec,
                                   mlp_error *err);
/* Write out the runs held, if any. */
mlp_status mlp_results_journal_flush(mlp_results_journal *j, mlp_error *err);
/* Frees without writing (flush first to keep the runs held).  Accepts NULL. */
void mlp_results_journal_free(mlp_results_journal *j);
/* Mark the part files j writes with tag (see mlp_results_part_path_tagged). */
mlp_status mlp_results_journal_tag(mlp_results_journal *j, const char *tag, mlp_error *err);
/* Tell builder b of every part file j writes from now on (b must outlive
 * j's writes: flush the journals before finishing or aborting b). */
void mlp_results_journal_feed(mlp_results_journal *j, mlp_results_builder *b);

/* A thread that makes the part files of the journals given to it durable
 * (fsync of the file and of its folder) delay seconds after they are
 * published, so that no worker waits for the disk and a sweep that ends
 * sooner never has its part files written to the disk at all.  A journal
 * given a syncer publishes a part file by rename alone (a kill -9 loses
 * nothing published; a power loss may, and --resume redoes those runs), and
 * an earlier fsync that failed fails its next flush.  finish() stops the
 * thread: with durable, after syncing every part file not yet synced (and
 * returns its first failure); without, it only closes them (the sweep file
 * is published and they are about to be deleted).  It frees s and accepts
 * NULL.  Journals given to s must not flush after finish(). */
mlp_status mlp_results_syncer_start(double delay, mlp_results_syncer **out, mlp_error *err);
mlp_status mlp_results_syncer_finish(mlp_results_syncer *s, bool durable, mlp_error *err);
void mlp_results_journal_sync_by(mlp_results_journal *j, mlp_results_syncer *s);

/* One run as its own part file, written now (a journal of one run). */
mlp_status mlp_results_write_run(const char *runs_dir, const char *spec_sha256,
                                 const mlp_run_record *rec, mlp_error *err);

/* Remove leftover temporaries in runs_dir, and part files that fail their
 * checks (cut short or corrupted, as after a power loss; every record is
 * read and its checksum verified): their runs count as not done. */
mlp_status mlp_results_clean_tmp(const char *runs_dir, mlp_error *err);

/* As mlp_results_clean_tmp, for one writer among several: only the
 * temporaries of its own tag are removed (another writer's may be in the
 * making); damaged part files of any writer are.  A NULL tag is the above. */
mlp_status mlp_results_clean_tmp_tagged(const char *runs_dir, const char *tag, mlp_error *err);

/* What runs_dir holds: runs complete with this hash (n_same, each run counted
 * once; done[k] set for those with k < n_runs when done is not NULL, which
 * holds n_runs flags) and the others (runs of another sweep, files of an
 * older format such as run_<k>.h5, files that fail their checks). */
mlp_status mlp_results_scan_runs(const char *runs_dir, const char *spec_sha256, size_t n_runs,
                                 unsigned char *done, size_t *n_same, size_t *n_other,
                                 mlp_error *err);

/* The same, also naming in first_other (size len) the first file found that
 * holds no runs of this sweep, with the sweep identity it carries ("" when
 * every file is of this sweep). */
mlp_status mlp_results_scan_runs_noting(const char *runs_dir, const char *spec_sha256,
                                        size_t n_runs, unsigned char *done, size_t *n_same,
                                        size_t *n_other, char *first_other, size_t len,
                                        mlp_error *err);

/* Delete every part file, run file and temporary in runs_dir (for --force). */
mlp_status mlp_results_clear_runs(const char *runs_dir, mlp_error *err);
/* Delete only the part files and temporaries of tag (--force of one shard);
 * a NULL tag is mlp_results_clear_runs. */
mlp_status mlp_results_clear_runs_tagged(const char *runs_dir, const char *tag, mlp_error *err);

/* The sweep file, built while the sweep runs: start() creates
 * <sweep_path>.tmp and a thread that copies runs 0, 1, 2, ... into it (in
 * run order, so the layout does not depend on the order runs finish in)
 * as soon as each is in a part file: those in the run folder now, and those
 * that journals fed to the builder write later (read from the part file's
 * temporary name as soon as written there).  It holds the HDF5 lock
 * only while it writes one run.  finish() (every journal flushed) waits for
 * the rest, adds the root attributes, /dataset and the summary, fsyncs and
 * renames the file over sweep_path, and removes the run folder unless
 * keep_runs; a run that never came is an error naming it.  abort() stops
 * and removes the temporary.  Both free b; abort accepts NULL. */
/* format: the layout to write (mlp_sweep_meta.format_version; 0 the
 * default); finish's meta must ask for the same.  order and last (n_runs
 * each, copied; both NULL for run order): the order the runs are taken in
 * when the format follows one (format 2; format 1 always takes run order),
 * and last[k] when run k is the last of its group there, so that the shapes
 * its group holds are complete (base/buildorder.h, mlp_build_order): format
 * 2 then writes their stacks at once, while later runs still train.  The
 * file depends on the order, never on when runs end. */
mlp_status mlp_results_builder_start(const char *sweep_path, const char *hash, size_t n_runs,
                                     size_t n_swept, int format, const size_t *order,
                                     const bool *last, mlp_results_builder **out,
                                     mlp_error *err);
mlp_status mlp_results_builder_finish(mlp_results_builder *b, const mlp_sweep_meta *meta,
                                      bool keep_runs, mlp_error *err);
void mlp_results_builder_abort(mlp_results_builder *b);

/* Build the sweep file from the part files in the run folder, which must
 * hold runs 0 .. n_runs-1 of this sweep (meta->run_sha256): temporary name,
 * fsync, then rename over sweep_path.  Runs are read one at a time (memory
 * holds one run and the summary columns).  Removes the run folder unless
 * keep_runs. */
mlp_status mlp_results_build(const char *sweep_path, const mlp_sweep_meta *meta, bool keep_runs,
                             mlp_error *err);

/* runner convert: the sweep file `in` (format 1 or 2) rewritten as `out` in
 * `format` (temporary name, fsync, rename), every number as it is, the root
 * attributes copied but format_version; grid_repeats and axis_len as in
 * mlp_sweep_meta (the caller asks the spec in spec_resolved).  *from: the
 * format of `in`.  Reads one run at a time. */
mlp_status mlp_results_convert(const char *in, const char *out, int format, size_t grid_repeats,
                               const size_t *axis_len, int *from, mlp_error *err);

/* The identity hash a sweep file was built with (its root attribute
 * spec_resolved_sha256), malloc'd, or NULL when it has none or cannot be read. */
char *mlp_results_identity(const char *sweep_path);

/* Warm start: the final weights of run `run` in the results file at path,
 * into params (model.h layout for these widths; NULL only checks).  A
 * missing file, run or weights, a file that is not a regular file, a
 * dataset of strings (or another non-numeric type), a shape that differs
 * from width[0..n_layers], or a value that is not finite (NaN, inf) is
 * MLP_ERR_SPEC with a message naming the file, the run and the dataset. */
mlp_status mlp_results_read_weights(const char *path, size_t run, const size_t *width,
                                    size_t n_layers, double *params, mlp_error *err);

/* Summary table of a results file as text rows, for `runner info`:
 * calls row(ctx, n_cols, names, cells) once with the header (cells == names)
 * and once per run, cells formatted as text: reals with 6 significant
 * digits, or with exact, the shortest text that reads back as the same double. */
mlp_status mlp_results_summary(const char *path, bool exact,
                               void (*row)(void *ctx, size_t n, const char *const *cells),
                               void *ctx, mlp_error *err);

/* The summary rows of an unfinished sweep from its run folder (<name>.runs,
 * as an interrupted sweep leaves it): the runs of the sweep its
 * sweep.identity names that are complete in its part files, in run order,
 * with the columns and cells of mlp_results_summary (header first; nothing
 * when no run is finished).  *n_found: how many runs.  A folder without
 * sweep.identity is MLP_ERR_IO. */
mlp_status mlp_results_folder_summary(const char *runs_dir, bool exact,
                                      void (*row)(void *ctx, size_t n, const char *const *cells),
                                      void *ctx, size_t *n_found, mlp_error *err);

/* Every root attribute of the sweep file at path (provenance, the spec as
 * written and resolved; docs/results.md), in the order stored, as text:
 * strings as they are, an array of strings as "[a, b]", numbers in decimal
 * (reals exactly).  value is borrowed for the call.  A file without the
 * attribute `format` is MLP_ERR_IO (not an mlplab results file). */
mlp_status mlp_results_attributes(const char *path,
                                  void (*attr)(void *ctx, const char *name, const char *value),
                                  void *ctx, mlp_error *err);

/* Library versions for provenance: "HDF5 1.10.8". */
void mlp_results_hdf5_version(char *buf, size_t len);

#endif
