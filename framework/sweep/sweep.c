/* sweep.c -- the executor: resolves every run, generates each distinct
 * dataset once, trains the runs in parallel (OpenMP, largest first), keeps
 * each finished run in its worker's journal (written out as part files) and
 * builds the sweep file from them. */
#include "sweep/internal.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "gitinfo.h"
#include "train/model.h"
#include "train/probe.h"
#include "results/results.h"
#include "base/rng.h"
#include "base/sha256.h"
#include "train/train.h"



/* ---- the sweep -------------------------------------------------------- */

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

mlp_status mlp_sweep_run(const mlp_spec *spec, mlp_registry *reg, const mlp_sweep_opts *o,
                         mlp_sweep_report *rep, mlp_error *err)
{
    sweep_state st;
    size_t n = spec->plan.n_runs, n_todo = 0;
    size_t *todo = NULL;
    unsigned char *done = NULL;
    mlp_results_journal **journal = NULL;
    int threads = o->threads > 0 ? o->threads : omp_get_num_procs();
    char *resolved = NULL;
    mlp_status rc;
    double t0 = omp_get_wtime();
    mlp_sweep_progress prog;

    memset(&st, 0, sizeof(st));
    memset(rep, 0, sizeof(*rep));
    memset(&prog, 0, sizeof(prog));
    st.spec = spec;
    st.reg = reg;
    st.o = o;
    rep->n_runs = n;

    resolved = mlp_spec_resolved(spec, reg);
    if (!resolved)
        return mlp_fail(err, MLP_ERR_NOMEM, "sweep: out of memory");
    rc = mlp_sweep_prepare(&st, err);
    if (rc != MLP_OK)
        goto out;
    mlp_sweep_identify(&st, resolved);
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
        rc = check_free_space(&st, err);
    if (rc != MLP_OK)
        goto out;
    st.runs_dir = mlp_results_runs_dir(o->output);
    todo = malloc((n ? n : 1) * sizeof(size_t));
    done = calloc(n ? n : 1, 1);
    journal = calloc((size_t)threads, sizeof(*journal));
    if (!st.runs_dir || !todo || !done || !journal) {
        rc = mlp_fail(err, MLP_ERR_NOMEM, "sweep: out of memory");
        goto out;
    }
    rc = mlp_sweep_check_folder(&st, done, err);
    if (rc != MLP_OK)
        goto out;
    /* one journal per worker: finished runs are written out together, every
     * JOURNAL_SECONDS or JOURNAL_BYTES, so a kill loses at most that much */
    /* the sweep file is built meanwhile, from the part files as they come */
    rc = mlp_results_builder_start(o->output, st.run_hash, n, spec->n_axes, &st.builder, err);
    for (int t = 0; t < threads && rc == MLP_OK; t++) {
        rc = mlp_results_journal_open(st.runs_dir, st.run_hash, JOURNAL_SECONDS,
                                      journal_bytes(threads), &journal[t], err);
        if (rc == MLP_OK)
            mlp_results_journal_feed(journal[t], st.builder);
    }
    if (rc != MLP_OK)
        goto out;
    for (size_t k = 0; k < n; k++) {
        if (o->resume && done[k])
            rep->n_resumed++;
        else
            todo[n_todo++] = k;
    }
    order_runs(todo, n_todo, st.cost);
    for (size_t i = 0; i < n_todo; i++)
        st.data[st.run_data[todo[i]]].users++;

    prog.total = n;
    prog.resumed = rep->n_resumed;
    prog.done = rep->n_resumed;
    prog.best_train_accuracy = NAN;

    int failed = 0;
    mlp_status first_rc = MLP_OK;

    /* Fewer runs than threads: the spare threads go inside the runs, whose
     * kernels then compute a batch's blocks in parallel (model.c: the same
     * numbers, only sooner). */
    int outer = threads;
    st.inner_threads = 1;
    if (n_todo > 0 && (size_t)threads > n_todo) {
        outer = (int)n_todo;
        st.inner_threads = threads / outer;
        if (outer > 1)
            omp_set_max_active_levels(2);
    }

#pragma omp parallel for schedule(dynamic, 1) num_threads(outer)
    for (size_t i = 0; i < n_todo; i++) {
        int f;
#pragma omp atomic read
        f = failed;
        if (f || stop_requested(o))
            continue;
        run_outcome ro = {0};
        mlp_error e;
        mlp_error_clear(&e);
        mlp_status r = mlp_sweep_run_one(&st, todo[i], journal[omp_get_thread_num()], &ro, &e);
#pragma omp critical(mlplab_progress)
        {
            if (r == MLP_ERR_INTERRUPTED) {
                /* the run is dropped; the loop drains */
            } else if (r != MLP_OK) {
                if (first_rc == MLP_OK) {
                    first_rc = r;
                    if (err)
                        *err = e;
                }
#pragma omp atomic write
                failed = 1;
            } else {
                prog.done++;
                prog.index = todo[i];
                prog.status = ro.status;
                prog.train_accuracy = ro.train_accuracy;
                prog.final_loss = ro.final_loss;
                prog.wall_seconds = ro.wall_seconds;
                prog.note = ro.note[0] ? ro.note : NULL;
                if (ro.status == MLP_RUN_DIVERGED) {
                    prog.diverged++;
                    rep->n_diverged++;
                } else {
                    rep->n_ok++;
                    if (isnan(prog.best_train_accuracy) ||
                        ro.train_accuracy > prog.best_train_accuracy)
                        prog.best_train_accuracy = ro.train_accuracy;
                }
                prog.elapsed = omp_get_wtime() - t0;
                if (o->progress)
                    o->progress(o->ctx, &prog);
            }
        }
    }

    /* the runs the journals still hold are finished: write them out, even
     * when the sweep stops (interrupted, or failed elsewhere) */
    for (int t = 0; t < threads; t++) {
        mlp_error e;
        mlp_error_clear(&e);
        if (mlp_results_journal_flush(journal[t], &e) != MLP_OK && first_rc == MLP_OK) {
            first_rc = e.code;
            if (err)
                *err = e;
        }
    }
    if (first_rc != MLP_OK) {
        rc = first_rc;
        goto out;
    }
    if (stop_requested(o)) {
        rc = mlp_fail(err, MLP_ERR_INTERRUPTED,
                      "interrupted: %zu of %zu runs finished and kept in %s", prog.done, n,
                      st.runs_dir);
        goto out;
    }
    rc = build_sweep_file(&st, resolved, err);

out:
    mlp_results_builder_abort(st.builder);  /* when the sweep stopped before finishing it */
    if (rc != MLP_OK && st.runs_dir)
        rmdir(st.runs_dir);  /* only succeeds when empty: finished runs stay */
    rep->wall_seconds = omp_get_wtime() - t0;
    mlp_sweep_data_free_all(&st);
    free(st.run_data);
    free(st.cost);
    free(st.runs_dir);
    free(st.identity);
    for (size_t i = 0; i < st.n_files; i++)
        free(st.file_copy[i]);
    for (int t = 0; journal && t < threads; t++)
        mlp_results_journal_free(journal[t]);
    free(journal);
    free(done);
    free(todo);
    free(resolved);
    return rc;
}
