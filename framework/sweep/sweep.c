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

/* What is already in the run folder decides what may happen: finished runs
 * are never overwritten unless --force says so, and runs of another spec
 * are never mixed in by --resume. */
/* Flatten a YAML tree into "dotted.path: value" lines, so that two sweeps'
 * differences read as settings (sweep keys are dotted already). */
static void flatten(mlp_sb *sb, const mlp_node *n, const char *prefix)
{
    if (n->kind == MLP_NODE_MAP && n->n > 0) {
        for (size_t i = 0; i < n->n; i++) {
            mlp_sb path = {0};
            mlp_sb_printf(&path, "%s%s%s", prefix, *prefix ? "." : "", n->keys[i]->text);
            char *p = mlp_sb_take(&path);
            if (p)
                flatten(sb, n->items[i], p);
            free(p);
        }
        return;
    }
    mlp_sb_printf(sb, "%s: ", prefix);
    mlp_node_put_flow(sb, n);
    mlp_sb_puts(sb, "\n");
}

/* What identifies this sweep's runs for --resume: the resolved spec (so
 * --set overrides count), every plugin file's hash and the code's commit, so
 * a rebuilt plugin or runner never mixes its runs with older ones.  As text
 * (one setting a line), kept in the run folder so that a refused --resume can
 * say what differs; its SHA-256 is the hash every part file carries. */
static char *run_identity(sweep_state *st, const char *resolved)
{
    mlp_sb sb = {0};
    mlp_node *tree = NULL;

    mlp_sb_puts(&sb, "mlplab: " MLPLAB_VERSION " " MLPLAB_GIT_COMMIT "\n");
    for (size_t i = 0; i < st->n_plugins; i++)
        mlp_sb_printf(&sb, "plugin %s %s: sha256 %s\n", mlp_kind_name(st->plugins[i]->kind),
                      st->plugins[i]->name, st->plugins[i]->sha256);
    for (size_t i = 0; i < st->n_files; i++) {
        char hex[65];
        if (mlp_sha256_file(st->files[i], hex, NULL) != MLP_OK)
            snprintf(hex, sizeof(hex), "unreadable");
        mlp_sb_printf(&sb, "file %s: sha256 %s\n", st->files[i], hex);
    }
    if (mlp_yaml_parse(resolved, strlen(resolved), "spec_resolved", &tree, NULL) == MLP_OK) {
        flatten(&sb, tree, "");
        mlp_node_free(tree);
    } else {
        mlp_sb_puts(&sb, resolved);
    }
    return mlp_sb_take(&sb);
}

/* The lines of `a` that are not in `b`, at most max, each prefixed. */
static void missing_lines(mlp_sb *out, const char *a, const char *b, const char *prefix,
                          size_t *shown, size_t max)
{
    for (const char *p = a; *p && *shown < max;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        bool found = false;
        for (const char *q = b; *q && !found;) {
            const char *f = strchr(q, '\n');
            size_t lq = f ? (size_t)(f - q) : strlen(q);
            found = lq == len && !memcmp(p, q, len);
            q += lq + (f ? 1 : 0);
        }
        if (!found) {
            mlp_sb_printf(out, "\n  %s%.*s", prefix, (int)len, p);
            ++*shown;
        }
        p += len + (e ? 1 : 0);
    }
}

#define IDENTITY_FILE "sweep.identity"

static char *read_text_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    mlp_sb sb = {0};
    char buf[4096];
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        mlp_sb_putn(&sb, buf, n);
    fclose(f);
    return mlp_sb_take(&sb);
}

/* Keep the identity beside the runs (temporary name, then rename). */
static mlp_status save_identity(const sweep_state *st, mlp_error *err)
{
    char path[4096], tmp[4200];
    FILE *f;

    snprintf(path, sizeof(path), "%s/" IDENTITY_FILE, st->runs_dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if (!(f = fopen(tmp, "wb")) || fputs(st->identity, f) < 0 || fflush(f) != 0 ||
        fsync(fileno(f)) != 0) {
        if (f)
            fclose(f);
        unlink(tmp);
        return mlp_fail(err, MLP_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        return mlp_fail(err, MLP_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return MLP_OK;
}

static void run_hash(sweep_state *st, const char *resolved)
{
    st->identity = run_identity(st, resolved);
    if (st->identity)
        mlp_sha256_hex(st->identity, strlen(st->identity), st->run_hash);
    else
        mlp_sha256_hex(resolved, strlen(resolved), st->run_hash);
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

static mlp_status check_run_folder(sweep_state *st, unsigned char *done, mlp_error *err)
{
    const mlp_sweep_opts *o = st->o;
    size_t same, other;
    mlp_status rc;

    if (o->force) {
        rc = mlp_results_clear_runs(st->runs_dir, err);
        return rc == MLP_OK ? save_identity(st, err) : rc;
    }
    rc = mlp_results_clean_tmp(st->runs_dir, err);
    if (rc == MLP_OK)
        rc = mlp_results_scan_runs(st->runs_dir, st->run_hash, st->spec->plan.n_runs, done,
                                   &same, &other, err);
    if (rc != MLP_OK)
        return rc;
    if (!o->resume && same + other > 0)
        return mlp_fail(err, MLP_ERR_EXISTS,
                        "%s holds %zu finished run%s of an earlier, unfinished sweep "
                        "(use --resume to continue it, or --force to start over)",
                        st->runs_dir, same + other, same + other == 1 ? "" : "s");
    if (o->resume && same == 0 && access(o->output, F_OK) == 0) {
        char *hash = mlp_results_identity(o->output);
        bool same_sweep = hash && !strcmp(hash, st->run_hash);
        free(hash);
        return mlp_fail(err, MLP_ERR_EXISTS,
                        same_sweep ? "%s: the sweep is already complete (use --force to run it "
                                     "again)"
                                   : "%s: holds a finished sweep of a different spec, plugins, "
                                     "data or runner; --resume continues only an unfinished "
                                     "sweep (use --force to replace it, or -o for a new file)",
                        o->output);
    }
    if (o->resume && other > 0) {
        char path[4096];
        mlp_sb why = {0};
        size_t shown = 0;
        snprintf(path, sizeof(path), "%s/" IDENTITY_FILE, st->runs_dir);
        char *old = read_text_file(path);
        if (old && st->identity) {
            mlp_sb_puts(&why, "; what differs:");
            missing_lines(&why, old, st->identity, "then: ", &shown, 8);
            missing_lines(&why, st->identity, old, "now:  ", &shown, 16);
        }
        free(old);
        char *w = mlp_sb_take(&why);
        mlp_fail(err, MLP_ERR_SPEC,
                 "%s holds %zu run%s of a different sweep (the spec, its --set overrides, "
                 "a plugin, a data file or the runner changed since they were written); --resume will not "
                 "mix them: restore what changed, or use --force to start over%s",
                 st->runs_dir, other, other == 1 ? "" : "s", w ? w : "");
        free(w);
        return MLP_ERR_SPEC;
    }
    return save_identity(st, err);
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
    run_hash(&st, resolved);
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
    rc = check_run_folder(&st, done, err);
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
