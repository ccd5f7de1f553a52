/* sweep.c -- the executor: the runs resolved (prepare.c), the output and
 * run folder checked, the runs trained in parallel (OpenMP, largest first,
 * run.c), each finished run kept in its worker's journal (written out as part
 * files) and the sweep file built from them. */
#include "sweep/internal.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "gitinfo.h"
#include "train/train.h"

/* How often a worker's journal is written out: after this many seconds
 * (what a kill -9 may cost, per worker), or when it holds this many bytes
 * (shared by the workers, so memory stays bounded at any thread count). */
#define JOURNAL_SECONDS 0.5
#define JOURNAL_BYTES_ALL ((size_t)64 << 20)

static size_t journal_bytes(int threads)
{
    size_t b = JOURNAL_BYTES_ALL / (size_t)(threads > 0 ? threads : 1);
    return b < ((size_t)1 << 20) ? (size_t)1 << 20 : b;
}

char *mlp_sweep_output_path(const mlp_spec *spec, const char *override)
{
    if (override)
        return strdup(override);
    if (spec->output)
        return strdup(spec->output);
    size_t n = strlen(spec->name) + sizeof("results/.h5");
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "results/%s.h5", spec->name);
    return p;
}

static int cmp_cost_desc(const void *a, const void *b, void *ctx)
{
    const double *cost = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;

    if (cost[i] != cost[j])
        return cost[i] > cost[j] ? -1 : 1;
    return i < j ? -1 : (i > j);
}

/* Insertion-free ordering: indices sorted by cost, largest first, index as tie-break. */
static void order_runs(size_t *idx, size_t n, const double *cost)
{
    /* heap sort keeps this O(n log n) without qsort_r (not in C11) */
    for (size_t start = n / 2; start-- > 0;) {
        size_t root = start;
        for (;;) {
            size_t child = 2 * root + 1;
            if (child >= n)
                break;
            if (child + 1 < n && cmp_cost_desc(&idx[child], &idx[child + 1], (void *)cost) < 0)
                child++;
            if (cmp_cost_desc(&idx[root], &idx[child], (void *)cost) >= 0)
                break;
            size_t t = idx[root];
            idx[root] = idx[child];
            idx[child] = t;
            root = child;
        }
    }
    for (size_t end = n; end-- > 1;) {
        size_t t = idx[0];
        idx[0] = idx[end];
        idx[end] = t;
        size_t root = 0;
        for (;;) {
            size_t child = 2 * root + 1;
            if (child >= end)
                break;
            if (child + 1 < end && cmp_cost_desc(&idx[child], &idx[child + 1], (void *)cost) < 0)
                child++;
            if (cmp_cost_desc(&idx[root], &idx[child], (void *)cost) >= 0)
                break;
            t = idx[root];
            idx[root] = idx[child];
            idx[child] = t;
            root = child;
        }
    }
}

static bool stop_requested(const mlp_sweep_opts *o)
{
    return o->stop && *o->stop;
}

static mlp_status build_sweep_file(sweep_state *st, const char *resolved, mlp_error *err)
{
    const mlp_spec *spec = st->spec;
    mlp_sweep_meta meta;
    mlp_plugin_prov prov[64];
    const char *paths[MLP_PLAN_MAX_AXES];
    bool numeric[MLP_PLAN_MAX_AXES];
    char host[256] = "unknown", created[32], omp[32];
    time_t now = time(NULL);
    struct tm tmv;

    if (gethostname(host, sizeof(host)) != 0)
        snprintf(host, sizeof(host), "unknown");
    host[sizeof(host) - 1] = '\0';
    gmtime_r(&now, &tmv);
    strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tmv);
    snprintf(omp, sizeof(omp), "%d", _OPENMP);  /* yyyymm of the OpenMP spec */

    for (size_t i = 0; i < st->n_plugins; i++) {
        const mlp_plugin *pl = st->plugins[i];
        prov[i].kind = mlp_kind_name(pl->kind);
        prov[i].name = pl->name;
        prov[i].file = pl->path;
        prov[i].sha256 = pl->sha256;
        prov[i].version = pl->h->version;
    }
    for (size_t a = 0; a < spec->n_axes; a++) {
        paths[a] = spec->axes[a].path;
        numeric[a] = spec->axes[a].numeric;
    }

    memset(&meta, 0, sizeof(meta));
    meta.name = spec->name;
    meta.description = spec->description ? spec->description : "";
    meta.spec_text = spec->text;
    meta.spec_sha256 = spec->sha256;
    meta.spec_resolved = resolved;
    meta.run_sha256 = st->run_hash;
    meta.command = st->o->command ? st->o->command : "";
    meta.hostname = host;
    meta.created = created;
    meta.mlplab_version = MLPLAB_VERSION;
    meta.git_commit = MLPLAB_GIT_COMMIT;
    meta.git_dirty = MLPLAB_GIT_DIRTY;
    meta.libyaml_version = yaml_get_version_string();
    meta.openmp_version = omp;
    meta.seed = spec->seed;
    meta.n_runs = spec->plan.n_runs;
    meta.n_plugins = st->n_plugins;
    meta.plugins = prov;
    meta.n_swept = spec->n_axes;
    meta.swept_paths = paths;
    meta.swept_numeric = numeric;
    if (!spec->dataset_swept && st->n_data > 0 && !st->data[0].ready) {
        /* every run was resumed: the shared points were never needed until now */
        mlp_config cfg;
        mlp_status rc = mlp_spec_config(spec, st->reg, 0, &cfg, err);
        if (rc == MLP_OK) {
            rc = mlp_sweep_data_acquire(st, 0, &cfg, err);
            mlp_config_free(&cfg);
        }
        if (rc != MLP_OK)
            return rc;
    }
    if (!spec->dataset_swept && st->n_data > 0) {
        meta.train = &st->data[0].train;
        meta.test = st->data[0].test.n ? &st->data[0].test : NULL;
    }
    mlp_results_builder *b = st->builder;
    st->builder = NULL;
    return mlp_results_builder_finish(b, &meta, st->o->keep_runs, err);
}

/* The disk must hold the part files and the sweep file built from them
 * (about twice what the sweep records): refuse before training when it
 * clearly cannot. */
static mlp_status check_free_space(const sweep_state *st, mlp_error *err)
{
    struct statvfs fs;
    char *dir = strdup(st->o->output), *slash = dir ? strrchr(dir, '/') : NULL;
    const char *d = dir ? (slash ? (slash == dir ? "/" : dir) : ".") : ".";
    double need = 2.0 * st->record_bytes + 1e6, have;
    mlp_status rc = MLP_OK;

    if (slash && slash != dir)
        *slash = '\0';
    if (statvfs(d, &fs) == 0) {
        have = (double)fs.f_bavail * (double)fs.f_frsize;
        if (have < need)
            rc = mlp_fail(err, MLP_ERR_IO, "%s: the sweep needs about %.3g MB of disk (its part "
                          "files and the sweep file built from them), but only %.3g MB are free "
                          "there", d, need / 1e6, have / 1e6);
    }
    free(dir);
    return rc;
}

/* What mlp_sweep_run's phases share besides the sweep's state. */
typedef struct sweep_exec {
    sweep_state *st;
    const mlp_sweep_opts *o;
    mlp_sweep_report *rep;
    size_t n;                        /* runs in the plan */
    size_t *todo, n_todo;            /* (n) the runs to train, largest first */
    unsigned char *done;             /* (n) runs already in a part file of this sweep */
    mlp_results_journal **journal;   /* (threads) one per worker */
    int threads;                     /* workers */
    double t0;                       /* omp_get_wtime() when the sweep started */
    mlp_sweep_progress prog;
    mlp_status first_rc;             /* the first failure of a run or a journal */
} sweep_exec;

/* The output's folder (when asked for), the output and the disk checked, the
 * run folder checked against the options, and the arrays of runs and
 * workers. */
static mlp_status open_output(sweep_exec *x, mlp_error *err)
{
    sweep_state *st = x->st;
    const mlp_sweep_opts *o = x->o;
    mlp_status rc;

    if (o->create_folder) {
        char *dir = strdup(o->output), *slash = dir ? strrchr(dir, '/') : NULL;
        if (slash) {
            *slash = '\0';
            mkdir(dir, 0777);  /* failure shows in mlp_results_prepare's check */
        }
        free(dir);
    }
    rc = mlp_results_prepare(o->output, o->force, o->resume, err);
    if (rc == MLP_OK)
        rc = check_free_space(st, err);
    if (rc != MLP_OK)
        return rc;
    st->runs_dir = mlp_results_runs_dir(o->output);
    x->todo = malloc((x->n ? x->n : 1) * sizeof(size_t));
    x->done = calloc(x->n ? x->n : 1, 1);
    x->journal = calloc((size_t)x->threads, sizeof(*x->journal));
    if (!st->runs_dir || !x->todo || !x->done || !x->journal)
        return mlp_fail(err, MLP_ERR_NOMEM, "sweep: out of memory");
    return mlp_sweep_check_folder(st, x->done, err);
}

/* The sweep file's builder, and one journal per worker feeding it: finished
 * runs are written out together, every JOURNAL_SECONDS or journal_bytes, so
 * a kill loses at most that much, and the sweep file is built meanwhile from
 * the part files as they come. */
static mlp_status start_writers(sweep_exec *x, mlp_error *err)
{
    sweep_state *st = x->st;
    mlp_status rc;

    rc = mlp_results_builder_start(x->o->output, st->run_hash, x->n, st->spec->n_axes,
                                   &st->builder, err);
    for (int t = 0; t < x->threads && rc == MLP_OK; t++) {
        rc = mlp_results_journal_open(st->runs_dir, st->run_hash, JOURNAL_SECONDS,
                                      journal_bytes(x->threads), &x->journal[t], err);
        if (rc == MLP_OK)
            mlp_results_journal_feed(x->journal[t], st->builder);
    }
    return rc;
}

/* The runs to train (all but the resumed ones), largest first; each counts
 * as a user of its dataset. */
static void list_todo(sweep_exec *x)
{
    sweep_state *st = x->st;

    for (size_t k = 0; k < x->n; k++) {
        if (x->o->resume && x->done[k])
            x->rep->n_resumed++;
        else
            x->todo[x->n_todo++] = k;
    }
    order_runs(x->todo, x->n_todo, st->cost);
    for (size_t i = 0; i < x->n_todo; i++)
        st->data[st->run_data[x->todo[i]]].users++;

    x->prog.total = x->n;
    x->prog.resumed = x->rep->n_resumed;
    x->prog.done = x->rep->n_resumed;
    x->prog.best_train_accuracy = NAN;
}

/* Run `index` finished as ro says: count it and tell the progress callback.
 * One thread at a time. */
static void note_finished(sweep_exec *x, size_t index, const run_outcome *ro)
{
    mlp_sweep_progress *prog = &x->prog;

    prog->done++;
    prog->index = index;
    prog->status = ro->status;
    prog->train_accuracy = ro->train_accuracy;
    prog->final_loss = ro->final_loss;
    prog->wall_seconds = ro->wall_seconds;
    prog->note = ro->note[0] ? ro->note : NULL;
    if (ro->status == MLP_RUN_DIVERGED) {
        prog->diverged++;
        x->rep->n_diverged++;
    } else {
        x->rep->n_ok++;
        if (isnan(prog->best_train_accuracy) || ro->train_accuracy > prog->best_train_accuracy)
            prog->best_train_accuracy = ro->train_accuracy;
    }
    prog->elapsed = omp_get_wtime() - x->t0;
    if (x->o->progress)
        x->o->progress(x->o->ctx, prog);
}

/* Train the runs to do in parallel, until they are done, one fails (its
 * error goes to x->first_rc and err) or the stop flag is raised. */
static void run_all(sweep_exec *x, mlp_error *err)
{
    sweep_state *st = x->st;
    int failed = 0;

    /* Fewer runs than threads: the spare threads go inside the runs, whose
     * kernels then compute a batch's blocks in parallel (model.c: the same
     * numbers, only sooner). */
    int outer = x->threads;
    st->inner_threads = 1;
    if (x->n_todo > 0 && (size_t)x->threads > x->n_todo) {
        outer = (int)x->n_todo;
        st->inner_threads = x->threads / outer;
        if (outer > 1)
            omp_set_max_active_levels(2);
    }

#pragma omp parallel for schedule(dynamic, 1) num_threads(outer)
    for (size_t i = 0; i < x->n_todo; i++) {
        int f;
#pragma omp atomic read
        f = failed;
        if (f || stop_requested(x->o))
            continue;
        run_outcome ro = {0};
        mlp_error e;
        mlp_error_clear(&e);
        mlp_status r =
            mlp_sweep_run_one(st, x->todo[i], x->journal[omp_get_thread_num()], &ro, &e);
#pragma omp critical(mlplab_progress)
        {
            if (r == MLP_ERR_INTERRUPTED) {
                /* the run is dropped; the loop drains */
            } else if (r != MLP_OK) {
                if (x->first_rc == MLP_OK) {
                    x->first_rc = r;
                    if (err)
                        *err = e;
                }
#pragma omp atomic write
                failed = 1;
            } else {
                note_finished(x, x->todo[i], &ro);
            }
        }
    }
}

/* The runs the journals still hold are finished: write them out, even when
 * the sweep stops (interrupted, or failed elsewhere). */
static void flush_journals(sweep_exec *x, mlp_error *err)
{
    for (int t = 0; t < x->threads; t++) {
        mlp_error e;
        mlp_error_clear(&e);
        if (mlp_results_journal_flush(x->journal[t], &e) != MLP_OK && x->first_rc == MLP_OK) {
            x->first_rc = e.code;
            if (err)
                *err = e;
        }
    }
}

static void exec_free(sweep_exec *x)
{
    sweep_state *st = x->st;

    mlp_sweep_data_free_all(st);
    free(st->run_data);
    free(st->cost);
    free(st->runs_dir);
    free(st->identity);
    for (size_t i = 0; i < st->n_files; i++)
        free(st->file_copy[i]);
    for (int t = 0; x->journal && t < x->threads; t++)
        mlp_results_journal_free(x->journal[t]);
    free(x->journal);
    free(x->done);
    free(x->todo);
}

mlp_status mlp_sweep_run(const mlp_spec *spec, mlp_registry *reg, const mlp_sweep_opts *o,
                         mlp_sweep_report *rep, mlp_error *err)
{
    sweep_state st;
    sweep_exec x;
    char *resolved = NULL;
    mlp_status rc;
    double t0 = omp_get_wtime();

    memset(&st, 0, sizeof(st));
    memset(&x, 0, sizeof(x));
    memset(rep, 0, sizeof(*rep));
    st.spec = spec;
    st.reg = reg;
    st.o = o;
    x.st = &st;
    x.o = o;
    x.rep = rep;
    x.n = spec->plan.n_runs;
    x.threads = o->threads > 0 ? o->threads : omp_get_num_procs();
    x.t0 = t0;
    rep->n_runs = x.n;

    resolved = mlp_spec_resolved(spec, reg);
    if (!resolved)
        return mlp_fail(err, MLP_ERR_NOMEM, "sweep: out of memory");
    rc = mlp_sweep_prepare(&st, err);
    if (rc != MLP_OK)
        goto out;
    mlp_sweep_identify(&st, resolved);
    rc = open_output(&x, err);
    if (rc == MLP_OK)
        rc = start_writers(&x, err);
    if (rc != MLP_OK)
        goto out;

    list_todo(&x);
    run_all(&x, err);
    flush_journals(&x, err);

    rc = x.first_rc;
    if (rc == MLP_OK && stop_requested(o))
        rc = mlp_fail(err, MLP_ERR_INTERRUPTED,
                      "interrupted: %zu of %zu runs finished and kept in %s", x.prog.done, x.n,
                      st.runs_dir);
    if (rc == MLP_OK)
        rc = build_sweep_file(&st, resolved, err);

out:
    mlp_results_builder_abort(st.builder);  /* when the sweep stopped before finishing it */
    if (rc != MLP_OK && st.runs_dir)
        rmdir(st.runs_dir);  /* only succeeds when empty: finished runs stay */
    rep->wall_seconds = omp_get_wtime() - t0;
    exec_free(&x);
    free(resolved);
    return rc;
}
