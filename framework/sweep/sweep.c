/* sweep.c -- the executor: the runs resolved (prepare.c), the output and
 * run folder checked, the runs trained in parallel (OpenMP, largest first,
 * run.c), each finished run kept in its worker's journal (written out as part
 * files) and the sweep file built from them. */
#include "base/thread_hook.h"
#include "sweep/internal.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "gitinfo.h"
#include "plan/shard.h"
#include "results/lock.h"
#include "train/train.h"

/* How often a worker's journal is written out: after this many seconds
 * (what a kill -9 may cost, per worker), or when it holds this many bytes
 * (shared by the workers, so memory stays bounded at any thread count). */
#define JOURNAL_SECONDS 0.5
#define JOURNAL_BYTES_ALL ((size_t)64 << 20)

/* How long after its rename a part file is made durable (fsync of it and
 * its folder), in the syncer's thread.  A kill -9 loses nothing renamed,
 * synced or not (the page cache outlives the process); a power loss or an
 * operating-system crash within these seconds may, and --resume then finds
 * the file short or failing its checksums and redoes its runs.  A sweep that
 * ends sooner publishes its sweep file (fsynced) and deletes its part files
 * before the disk ever writes them: 10 000 tiny runs wrote their 97 MB
 * twice, waited 0.19 s of 1.2 s for fsyncs and 35 ms for freeing the
 * deleted files' blocks. */
#define PART_SYNC_SECONDS 5.0

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

/* Set once o->stop_after runs are recorded (a test's interruption). */
static volatile sig_atomic_t stop_after_reached;

static bool stop_requested(const mlp_sweep_opts *o)
{
    return (o->stop && *o->stop) || stop_after_reached;
}

/* What each shard told of itself in the run folder (shard-<i>-of-<n>.info),
 * one line each in shard order, malloc'd; NULL when there is none.  *n_shards
 * is the n of those files (0 when none). */
static char *shard_notes(const char *runs_dir, unsigned *n_shards)
{
    DIR *d = opendir(runs_dir);
    struct dirent *e;
    char **lines = NULL;
    unsigned *index = NULL;
    size_t n = 0, cap = 0;
    mlp_sb sb = {0};

    *n_shards = 0;
    if (!d)
        return NULL;
    while ((e = readdir(d))) {
        unsigned i, of;
        char tail[8];
        if (sscanf(e->d_name, "shard-%u-of-%u.%7s", &i, &of, tail) != 3 || strcmp(tail, "info"))
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", runs_dir, e->d_name);
        FILE *f = fopen(path, "r");
        char line[1024] = "";
        if (!f)
            continue;
        if (!fgets(line, sizeof(line), f))
            line[0] = '\0';
        fclose(f);
        line[strcspn(line, "\n")] = '\0';
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **nl = realloc(lines, cap * sizeof(*lines));
            unsigned *ni = realloc(index, cap * sizeof(*index));
            if (nl)
                lines = nl;
            if (ni)
                index = ni;
            if (!nl || !ni)
                break;
        }
        lines[n] = strdup(line);
        index[n++] = i;
        *n_shards = of;
    }
    closedir(d);
    /* in shard order (few lines: insertion sort) */
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && index[b - 1] > index[b]; b--) {
            unsigned ti = index[b];
            index[b] = index[b - 1];
            index[b - 1] = ti;
            char *tl = lines[b];
            lines[b] = lines[b - 1];
            lines[b - 1] = tl;
        }
    for (size_t a = 0; a < n; a++) {
        if (lines[a])
            mlp_sb_printf(&sb, "%s\n", lines[a]);
        free(lines[a]);
    }
    free(lines);
    free(index);
    return n ? mlp_sb_take(&sb) : (free(mlp_sb_take(&sb)), NULL);
}

/* The sweep file from the builder; ranks: the MPI ranks' lines (or NULL),
 * kept with the shards' in the root attribute shards. */
static mlp_status build_sweep_file(sweep_state *st, const char *resolved, const char *ranks,
                                   mlp_error *err)
{
    const mlp_spec *spec = st->spec;
    mlp_sweep_meta meta;
    mlp_plugin_prov prov[64];
    const char *paths[MLP_PLAN_MAX_AXES];
    bool numeric[MLP_PLAN_MAX_AXES];
    size_t axis_len[MLP_PLAN_MAX_AXES];
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
        axis_len[a] = spec->plan.axis_len[a];
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
    unsigned n_shards_seen;
    char *shards = shard_notes(st->runs_dir, &n_shards_seen);
    if (ranks && *ranks) {
        mlp_sb sb = {0};
        mlp_sb_printf(&sb, "%s%s", shards ? shards : "", ranks);
        char *both = mlp_sb_take(&sb);
        free(shards);
        if (!(shards = both))
            return mlp_fail(err, MLP_ERR_NOMEM, "sweep: out of memory");
    }
    meta.shards = shards;
    meta.halving = st->halving_table;
    meta.seed = spec->seed;
    meta.n_runs = spec->plan.n_runs;
    meta.n_plugins = st->n_plugins;
    meta.plugins = prov;
    meta.n_swept = spec->n_axes;
    meta.swept_paths = paths;
    meta.swept_numeric = numeric;
    meta.format_version = st->o->format;
    /* the summary cube over the sweep's keys, when the runs form a grid */
    meta.grid_repeats = mlp_spec_grid(spec) ? spec->plan.repeats : 0;
    meta.axis_len = axis_len;
    if (!spec->dataset_swept && st->n_data > 0 && !st->data[0].ready) {
        /* every run was resumed: the shared points were never needed until now */
        mlp_config cfg;
        mlp_status rc = mlp_spec_config(spec, st->reg, 0, &cfg, err);
        if (rc == MLP_OK) {
            rc = mlp_sweep_data_acquire(st, 0, &cfg, err);
            mlp_config_free(&cfg);
        }
        if (rc != MLP_OK) {
            free(shards);
            return rc;
        }
    }
    if (!spec->dataset_swept && st->n_data > 0) {
        meta.train = &st->data[0].train;
        meta.test = st->data[0].test.n ? &st->data[0].test : NULL;
    }
    mlp_results_builder *b = st->builder;
    st->builder = NULL;
    mlp_status rc = mlp_results_builder_finish(b, &meta, st->o->keep_runs, err);
    free(shards);
    return rc;
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
    size_t next;                     /* alone: todo[next] is the next to hand out */
    mlp_team *team;                  /* MPI (o->team), or NULL */
    bool lead;                       /* alone, or rank 0 of the team */
    unsigned char *done;             /* (n) runs already in a part file of this sweep */
    mlp_results_journal **journal;   /* (threads) one per worker */
    mlp_results_syncer *syncer;      /* fsyncs their part files later, or NULL */
    int threads;                     /* workers */
    double t0;                       /* omp_get_wtime() when the sweep started */
    mlp_sweep_progress prog;
    mlp_status first_rc;             /* the first failure of a run or a journal */
} sweep_exec;

/* This writer's lock in the run folder (results/lock.h): the whole sweep,
 * or one shard.  A runner that writes the whole sweep or its sweep file
 * (unsharded, merge) also refuses while a shard is live, and a shard while
 * the whole sweep is being written: they would write the same runs. */
static mlp_status take_lock(sweep_exec *x, mlp_error *err)
{
    sweep_state *st = x->st;
    const mlp_sweep_opts *o = x->o;
    char name[64], what[64], who[600];
    mlp_lock_holder h;
    mlp_status rc;

    if (o->n_shards) {
        snprintf(name, sizeof(name), "shard-%u-of-%u", o->shard, o->n_shards);
        snprintf(what, sizeof(what), "shard %u/%u", o->shard, o->n_shards);
    } else {
        snprintf(name, sizeof(name), "sweep");
        snprintf(what, sizeof(what), o->merge ? "runner merge" : "the whole sweep");
    }
    rc = mlp_lock_take(st->runs_dir, name, what, &st->lock, x->rep->note, sizeof(x->rep->note),
                       err);
    if (rc != MLP_OK)
        return rc;
    bool busy = o->n_shards ? mlp_lock_read(st->runs_dir, "sweep", &h) && h.live
                            : mlp_lock_any_live(st->runs_dir, "shard-", st->lock, &h);
    if (busy) {
        mlp_lock_describe(&h, who, sizeof(who));
        return mlp_fail(err, MLP_ERR_EXISTS, "%s: %s is writing runs of this sweep: wait for it "
                        "to end or stop it", st->runs_dir, who);
    }
    return MLP_OK;
}

/* Sharded: which shard computes each run (from the costs alone, so every
 * shard finds the same), and the mark on this shard's part files. */
static mlp_status assign_shards(sweep_exec *x, mlp_error *err)
{
    sweep_state *st = x->st;

    if (!x->o->n_shards)
        return MLP_OK;
    if (!(st->owner = malloc((x->n ? x->n : 1) * sizeof(*st->owner))))
        return mlp_fail(err, MLP_ERR_NOMEM, "sweep: out of memory");
    snprintf(st->tag, sizeof(st->tag), "s%uof%u", x->o->shard, x->o->n_shards);
    return mlp_plan_shard(st->cost, x->n, x->o->n_shards, st->owner, err);
}

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
    rc = mlp_results_prepare(o->output, o->force, o->resume || o->merge, err);
    if (rc == MLP_OK && (rc = check_free_space(st, err)) != MLP_OK) {
        /* refused before anything ran: the run folder prepare made (or an
         * empty one from before) goes; one that holds runs stays */
        char *runs = mlp_results_runs_dir(o->output);
        if (runs)
            rmdir(runs);
        free(runs);
    }
    if (rc != MLP_OK)
        return rc;
    st->runs_dir = mlp_results_runs_dir(o->output);
    x->todo = malloc((x->n ? x->n : 1) * sizeof(size_t));
    x->done = calloc(x->n ? x->n : 1, 1);
    x->journal = calloc((size_t)x->threads, sizeof(*x->journal));
    if (!st->runs_dir || !x->todo || !x->done || !x->journal)
        return mlp_fail(err, MLP_ERR_NOMEM, "sweep: out of memory");
    if ((rc = take_lock(x, err)) != MLP_OK || (rc = assign_shards(x, err)) != MLP_OK)
        return rc;
    return mlp_sweep_check_folder(st, x->done, err);
}

/* A rank > 0 of a team: rank 0 has checked the output and the run folder;
 * this rank needs the folder (on a file system every rank shares) and the
 * arrays of workers. */
static mlp_status open_remote(sweep_exec *x, mlp_error *err)
{
    sweep_state *st = x->st;
    char host[256] = "?";

    st->runs_dir = mlp_results_runs_dir(x->o->output);
    x->todo = malloc(sizeof(size_t));
    x->done = calloc(x->n ? x->n : 1, 1);
    x->journal = calloc((size_t)x->threads, sizeof(*x->journal));
    if (!st->runs_dir || !x->todo || !x->done || !x->journal)
        return mlp_fail(err, MLP_ERR_NOMEM, "sweep: out of memory");
    if (access(st->runs_dir, W_OK | X_OK) != 0) {
        gethostname(host, sizeof(host));
        host[sizeof(host) - 1] = '\0';
        return mlp_fail(err, MLP_ERR_IO, "%s: rank 0 made this run folder, but it cannot be "
                        "written here (%s: %s): the output must be on a file system that every "
                        "rank shares", st->runs_dir, host, strerror(errno));
    }
    return MLP_OK;
}

/* The sweep file's builder, and one journal per worker feeding it: finished
 * runs are written out together, every JOURNAL_SECONDS or journal_bytes, so
 * a kill loses at most that much, and the sweep file is built meanwhile from
 * the part files as they come. */
static mlp_status start_writers(sweep_exec *x, mlp_error *err)
{
    sweep_state *st = x->st;
    mlp_status rc;

    if (x->team)  /* every rank writes part files; rank 0 builds at the end */
        snprintf(st->tag, sizeof(st->tag), "r%dof%d", mlp_team_rank(x->team),
                 mlp_team_size(x->team));
    rc = x->o->n_shards || x->team ? MLP_OK  /* part files only: merge or rank 0 builds */
                        : mlp_results_builder_start(x->o->output, st->run_hash, x->n,
                                                    st->spec->n_axes, x->o->format,
                                                    st->build_order, st->build_last,
                                                    &st->builder, err);
    if (rc == MLP_OK && !x->o->merge)
        rc = mlp_results_syncer_start(PART_SYNC_SECONDS, &x->syncer, err);
    for (int t = 0; t < x->threads && rc == MLP_OK && !x->o->merge; t++) {
        rc = mlp_results_journal_open(st->runs_dir, st->run_hash, JOURNAL_SECONDS,
                                      journal_bytes(x->threads), &x->journal[t], err);
        if (rc == MLP_OK && st->tag[0])
            rc = mlp_results_journal_tag(x->journal[t], st->tag, err);
        if (rc == MLP_OK && st->builder)
            mlp_results_journal_feed(x->journal[t], st->builder);
        if (rc == MLP_OK)
            mlp_results_journal_sync_by(x->journal[t], x->syncer);
    }
    return rc;
}

/* The runs to train (all but the resumed ones), largest first; each counts
 * as a user of its dataset. */
static void list_todo(sweep_exec *x)
{
    sweep_state *st = x->st;

    for (size_t k = 0; k < x->n; k++) {
        if (x->o->n_shards && st->owner[k] != x->o->shard)
            continue;  /* another shard's */
        if ((x->o->resume || x->o->merge) && x->done[k])
            x->rep->n_resumed++;
        else if (x->o->merge)
            x->rep->n_missing++;
        else
            x->todo[x->n_todo++] = k;
    }
    x->rep->n_todo = x->n_todo;
    mlp_plan_order_by_cost(x->todo, x->n_todo, st->cost);
    for (size_t i = 0; !x->team && i < x->n_todo; i++)
        st->data[st->run_data[x->todo[i]]].users++;  /* (a team counts them as they come) */

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
    if (x->o->stop_after && prog->done - prog->resumed >= x->o->stop_after)
        stop_after_reached = 1;
    if (x->team)
        mlp_team_finished(x->team, ro->status == MLP_RUN_DIVERGED, ro->train_accuracy);
    if (x->o->progress) {
        mlp_sweep_progress shown = *prog;  /* rank 0 of a team: the others' runs too */
        shown.done += x->team ? mlp_team_remote_done(x->team) : 0;
        x->o->progress(x->o->ctx, &shown);
    }
}

/* The next run for a worker: alone, the next of todo (largest first); in a
 * team, the next rank 0 hands this rank. */
static bool next_run(sweep_exec *x, size_t *k)
{
    size_t i;

    if (x->team) {
        if (!mlp_team_next(x->team, k, x->o->stop))
            return false;
        mlp_sweep_data_use(x->st, x->st->run_data[*k]);
        return true;
    }
#pragma omp atomic capture
    i = x->next++;
    if (i >= x->n_todo)
        return false;
    *k = x->todo[i];
    return true;
}

/* Worker `id`'s loop: it takes runs until none is left, one fails (*failed
 * set; the first error goes to x->first_rc and err) or the stop flag is
 * raised. */
static void worker_loop(sweep_exec *x, int id, int *failed, mlp_error *err)
{
    mlp_results_journal *journal = x->journal[id];
    size_t k;

    if (id > 0)
        mlp_thread_started();  /* worker 0 is the calling thread */

    for (;;) {
        int f;
#pragma omp atomic read
        f = *failed;
        if (f || stop_requested(x->o) || !next_run(x, &k))
            break;
        run_outcome ro = {0};
        mlp_error e;
        mlp_error_clear(&e);
        mlp_status r = mlp_sweep_run_one(x->st, k, journal, &ro, &e);
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
                *failed = 1;
            } else {
                note_finished(x, k, &ro);
            }
        }
    }
}

/* Workers that have no run left wait here, asleep, for the others.  At the
 * end of an OpenMP region libgomp spins (GOMP_SPINCOUNT, some milliseconds
 * on this kind of machine) where a thread waits for its team: a worker done
 * first would hold a core that the last run and the builder want. */
typedef struct workers_done {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int left;
} workers_done;

static void worker_wait_others(workers_done *d)
{
    pthread_mutex_lock(&d->mu);
    if (--d->left == 0)
        pthread_cond_broadcast(&d->cv);
    while (d->left > 0)
        pthread_cond_wait(&d->cv, &d->mu);
    pthread_mutex_unlock(&d->mu);
}

typedef struct worker_arg {
    sweep_exec *x;
    int id;
    int *failed;
    mlp_error *err;
    pthread_t thread;
} worker_arg;

static void *worker_main(void *arg)
{
    worker_arg *w = arg;

    worker_loop(w->x, w->id, w->failed, w->err);
    return NULL;
}

/* Train the runs to do in parallel, until they are done, one fails (its
 * error goes to x->first_rc and err) or the stop flag is raised. */
static void run_all(sweep_exec *x, mlp_error *err)
{
    sweep_state *st = x->st;
    int failed = 0;

    /* Fewer runs than threads: the spare threads go inside the runs, whose
     * kernels then compute a batch's blocks in parallel (model.c: the same
     * numbers, only sooner).  (A team's runs come one by one: not there.) */
    int outer = x->threads;
    st->inner_threads = 1;
    if (!x->team && x->n_todo > 0 && (size_t)x->threads > x->n_todo) {
        outer = (int)x->n_todo;
        st->inner_threads = x->threads / outer;
    }

    /* The workers: one is this thread; several are an OpenMP team when each
     * run keeps to one thread.  When the runs' kernels have threads of their
     * own, a kernel region inside a team's worker would be a nested region,
     * whose threads libgomp creates anew every time: one thread a training
     * step (a 100 000-point run at -j2 took 3.38 s instead of 2.72,
     * bench/README).  So then worker 0 is this thread and the others are
     * plain threads, none in a team, and libgomp keeps each worker's kernel
     * threads from one step to the next. */
    if (outer == 1) {
        worker_loop(x, 0, &failed, err);
    } else if (st->inner_threads == 1) {
        workers_done done = {.left = 0};
        pthread_mutex_init(&done.mu, NULL);
        pthread_cond_init(&done.cv, NULL);
#pragma omp parallel num_threads(outer)
        {
#pragma omp single
            done.left = omp_get_num_threads();
            worker_loop(x, omp_get_thread_num(), &failed, err);
            worker_wait_others(&done);
        }
        pthread_mutex_destroy(&done.mu);
        pthread_cond_destroy(&done.cv);
        /* the team's threads would spin again, idle in libgomp's pool, while
         * this thread finishes the sweep file: let them go (a later region
         * makes new ones) */
        omp_pause_resource_all(omp_pause_soft);
    } else {
        worker_arg *w = calloc((size_t)outer, sizeof(*w));
        int started = 1;
        for (int t = 1; w && t < outer; t++, started++) {
            w[t] = (worker_arg){.x = x, .id = t, .failed = &failed, .err = err};
            if (pthread_create(&w[t].thread, NULL, worker_main, &w[t]) != 0)
                break;  /* fewer workers: the ones started take every run */
        }
        worker_loop(x, 0, &failed, err);
        for (int t = 1; t < started; t++)
            pthread_join(w[t].thread, NULL);
        free(w);
    }
    if (x->team && (failed || stop_requested(x->o)))
        mlp_team_close(x->team);  /* the other ranks finish what they have */
}

static void halving_finished(void *ctx, size_t k, const run_outcome *ro)
{
    note_finished(ctx, k, ro);
}

static bool halving_stopping(void *ctx)
{
    return stop_requested(((sweep_exec *)ctx)->o);
}

/* Successive halving instead of run_all: rung by rung (halving.c). */
static void run_halving(sweep_exec *x, mlp_error *err)
{
    halving_io io = {.threads = x->threads, .journal = x->journal, .done = x->done,
                     .finished = halving_finished, .stopping = halving_stopping, .ctx = x};
    mlp_error e;

    mlp_error_clear(&e);
    x->st->inner_threads = 1;
    mlp_status rc = mlp_sweep_halving(x->st, &io, &x->st->halving_table, &e);
    if (rc != MLP_OK && x->first_rc == MLP_OK) {
        x->first_rc = rc;
        if (err)
            *err = e;
    }
}

/* Stop the syncer: every part file made durable, or (durable false: the
 * sweep file is published and the part files go) none.  Its failure, when
 * rc is not one already, is the sweep's. */
static mlp_status finish_syncer(sweep_exec *x, bool durable, mlp_status rc, mlp_error *err)
{
    mlp_error e;
    mlp_status r;

    mlp_error_clear(&e);
    r = mlp_results_syncer_finish(x->syncer, durable, &e);
    x->syncer = NULL;
    if (r != MLP_OK && rc == MLP_OK) {
        if (err)
            *err = e;
        return r;
    }
    return rc;
}

/* The runs the journals still hold are finished: write them out, even when
 * the sweep stops (interrupted, or failed elsewhere). */
static void flush_journals(sweep_exec *x, mlp_error *err)
{
    for (int t = 0; t < x->threads; t++) {
        mlp_error e;
        mlp_error_clear(&e);
        if (!x->journal[t])
            continue;  /* merge: none */
        if (mlp_results_journal_flush(x->journal[t], &e) != MLP_OK && x->first_rc == MLP_OK) {
            x->first_rc = e.code;
            if (err)
                *err = e;
        }
    }
}

/* A shard's own line of provenance, kept as shard-<i>-of-<n>.info for the
 * merge (root attribute shards). */
static mlp_status save_shard_note(sweep_exec *x, time_t started, mlp_error *err)
{
    char host[256] = "unknown", t0[32], t1[32], name[64], line[1024];
    time_t now = time(NULL);
    struct tm tmv;

    if (gethostname(host, sizeof(host)) != 0)
        snprintf(host, sizeof(host), "unknown");
    host[sizeof(host) - 1] = '\0';
    gmtime_r(&started, &tmv);
    strftime(t0, sizeof(t0), "%Y-%m-%dT%H:%M:%SZ", &tmv);
    gmtime_r(&now, &tmv);
    strftime(t1, sizeof(t1), "%Y-%m-%dT%H:%M:%SZ", &tmv);
    snprintf(name, sizeof(name), "shard-%u-of-%u.info", x->o->shard, x->o->n_shards);
    snprintf(line, sizeof(line), "shard %u/%u host=%s started=%s finished=%s runs=%zu "
             "resumed=%zu threads=%d wall_seconds=%.3f\n", x->o->shard, x->o->n_shards, host, t0,
             t1, x->prog.done - x->rep->n_resumed, x->rep->n_resumed, x->threads,
             omp_get_wtime() - x->t0);
    return mlp_sweep_save_note(x->st, name, line, err);
}

/* Merge with runs missing: which shards own them (the first
 * MLP_SWEEP_MAX_MISSING_SHARDS), and the error naming the runs. */
static mlp_status missing_runs(sweep_exec *x, mlp_error *err)
{
    sweep_state *st = x->st;
    mlp_sweep_report *rep = x->rep;
    unsigned *owner = NULL;
    mlp_sb list = {0};
    size_t shown = 0;
    char *notes = shard_notes(st->runs_dir, &rep->n_shards_seen);

    free(notes);
    if (rep->n_shards_seen && (owner = malloc((x->n ? x->n : 1) * sizeof(*owner))) &&
        mlp_plan_shard(st->cost, x->n, rep->n_shards_seen, owner, NULL) != MLP_OK) {
        free(owner);
        owner = NULL;
    }
    for (size_t k = 0; k < x->n; k++) {
        if (x->done[k])
            continue;
        size_t end = k;
        while (end + 1 < x->n && !x->done[end + 1])
            end++;
        if (shown++ < 12)
            mlp_sb_printf(&list, end > k ? "%s%zu-%zu" : "%s%zu", list.len ? ", " : "", k, end);
        else if (shown == 13)
            mlp_sb_puts(&list, ", ...");
        for (size_t j = k; owner && j <= end; j++) {
            bool seen = false;
            for (size_t s = 0; s < rep->n_missing_shards; s++)
                seen |= rep->missing_shards[s] == owner[j];
            if (!seen && rep->n_missing_shards < MLP_SWEEP_MAX_MISSING_SHARDS)
                rep->missing_shards[rep->n_missing_shards++] = owner[j];
        }
        k = end;
    }
    free(owner);
    char *l = mlp_sb_take(&list);
    mlp_fail(err, MLP_ERR_RUNTIME, "%s: %zu of %zu runs are missing (runs %s); the sweep file "
             "is built once every run is there", st->runs_dir, rep->n_missing, x->n, l ? l : "?");
    free(l);
    return MLP_ERR_RUNTIME;
}

/* runner merge of a sweep already built: its run folder is gone and the
 * sweep file carries this identity.  Nothing to do (merge is idempotent). */
static bool already_merged(const sweep_exec *x)
{
    char *runs = mlp_results_runs_dir(x->o->output), *hash = NULL;
    struct stat sb;
    bool yes = runs && stat(runs, &sb) != 0 && (hash = mlp_results_identity(x->o->output)) &&
               !strcmp(hash, x->st->run_hash);
    free(runs);
    free(hash);
    return yes;
}

/* A team's end: every rank's outcome to rank 0, which builds the sweep file
 * from every rank's part files when all went well; every rank learns the
 * result. */
static mlp_status team_end(sweep_exec *x, mlp_status rc, time_t started, const char *resolved,
                           mlp_error *err)
{
    sweep_state *st = x->st;
    mlp_sweep_report *rep = x->rep;
    char host[256] = "unknown", t0[32], t1[32], line[1024];
    time_t now = time(NULL);
    struct tm tmv;
    char *lines = NULL;

    if (gethostname(host, sizeof(host)) != 0)
        snprintf(host, sizeof(host), "unknown");
    host[sizeof(host) - 1] = '\0';
    gmtime_r(&started, &tmv);
    strftime(t0, sizeof(t0), "%Y-%m-%dT%H:%M:%SZ", &tmv);
    gmtime_r(&now, &tmv);
    strftime(t1, sizeof(t1), "%Y-%m-%dT%H:%M:%SZ", &tmv);
    snprintf(line, sizeof(line), "rank %d/%d host=%s started=%s finished=%s runs=%zu "
             "threads=%d wall_seconds=%.3f", mlp_team_rank(x->team), mlp_team_size(x->team),
             host, t0, t1, rep->n_ok + rep->n_diverged, x->threads, omp_get_wtime() - x->t0);
    rc = mlp_team_finish(x->team, rc, line, &rep->n_ok, &rep->n_diverged, &lines, err);
    if (!x->lead) {
        free(lines);
        return mlp_team_agree(x->team, MLP_OK, err);  /* rank 0's verdict */
    }
    size_t finished = rep->n_ok + rep->n_diverged + rep->n_resumed;
    if (rc == MLP_ERR_INTERRUPTED)
        rc = mlp_fail(err, MLP_ERR_INTERRUPTED, "interrupted: %zu of %zu runs finished and kept "
                      "in %s", finished, x->n, st->runs_dir);
    else if (rc == MLP_OK && finished < x->n)
        rc = mlp_fail(err, MLP_ERR_RUNTIME, "%s: %zu of %zu runs were not computed (a rank "
                      "stopped early); finish the sweep with --resume", st->runs_dir,
                      x->n - finished, x->n);
    if (rc == MLP_OK)
        rc = mlp_results_builder_start(x->o->output, st->run_hash, x->n, st->spec->n_axes,
                                       x->o->format, st->build_order, st->build_last,
                                       &st->builder, err);
    if (rc == MLP_OK)
        rc = build_sweep_file(st, resolved, lines, err);
    free(lines);
    return mlp_team_agree(x->team, rc, err);
}

static void exec_free(sweep_exec *x)
{
    sweep_state *st = x->st;

    mlp_sweep_configs_free(st);
    mlp_sweep_data_free_all(st);
    free(st->run_data);
    free(st->cost);
    free(st->build_order);
    free(st->build_last);
    free(st->owner);
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
    time_t started = time(NULL);
    bool built = false;             /* the sweep file is published */

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
    x.team = o->team;
    x.lead = mlp_team_rank(o->team) == 0;
    x.threads = o->threads > 0 ? o->threads : omp_get_num_procs();
    if (o->team && o->threads <= 0) {  /* the cores of a host, shared by its ranks */
        x.threads = omp_get_num_procs() / mlp_team_local_size(o->team);
        x.threads = x.threads > 0 ? x.threads : 1;
    }
    x.t0 = t0;
    rep->n_runs = x.n;
    stop_after_reached = 0;
    if (spec->halving.on && (o->n_shards || o->team || o->merge))
        return mlp_fail(err, MLP_ERR_USAGE,
                        "sweep.halving promotes runs when a whole rung is complete, on one "
                        "machine: --shard, runner merge, runner slurm and mpirun are not "
                        "supported with it (use -j for the cores of one machine)");

    resolved = mlp_spec_resolved(spec, reg);
    if (!resolved)
        return mlp_fail(err, MLP_ERR_NOMEM, "sweep: out of memory");
    mlp_sweep_fault_begin(reg);
    rc = mlp_sweep_prepare(&st, err);
    if (o->team)
        rc = mlp_team_agree(o->team, rc, err);
    if (rc != MLP_OK)
        goto out;
    mlp_sweep_identify(&st, resolved);
    if (o->team && (rc = mlp_team_same_identity(o->team, st.run_hash, err)) != MLP_OK)
        goto out;
    if (o->merge && already_merged(&x)) {
        rep->n_resumed = x.n;
        snprintf(rep->note, sizeof(rep->note), "%s is already built from every run: nothing to "
                 "merge", o->output);
        goto out;
    }
    if (o->team) {  /* rank 0 checks the output and makes the run folder, then the others */
        rc = mlp_team_agree(o->team, x.lead ? open_output(&x, err) : MLP_OK, err);
        if (rc == MLP_OK && !x.lead)
            rc = open_remote(&x, err);
    } else {
        rc = open_output(&x, err);
    }
    if (rc == MLP_OK)
        rc = start_writers(&x, err);
    if (o->team)
        rc = mlp_team_agree(o->team, rc, err);
    if (rc != MLP_OK)
        goto out;

    if (x.lead)
        list_todo(&x);
    if (o->team &&
        (rc = mlp_team_agree(o->team, mlp_team_serve(o->team, x.todo, x.n_todo, st.cost,
                                                       x.threads, o->stop, err), err)) != MLP_OK)
        goto out;
    if (spec->halving.on)
        run_halving(&x, err);
    else
        run_all(&x, err);
    flush_journals(&x, err);

    rc = x.first_rc;
    if (o->team || o->n_shards)  /* durable before another process builds from them */
        rc = finish_syncer(&x, true, rc, err);
    if (rc == MLP_OK && stop_requested(o))
        rc = mlp_fail(err, MLP_ERR_INTERRUPTED,
                      "interrupted: %zu of %zu runs finished and kept in %s", x.prog.done, x.n,
                      st.runs_dir);
    if (o->team) {
        rc = team_end(&x, rc, started, resolved, err);
    } else if (o->n_shards && (rc == MLP_OK || rc == MLP_ERR_INTERRUPTED)) {
        mlp_error e;  /* a shard's provenance line: kept even when interrupted */
        mlp_status r = save_shard_note(&x, started, &e);
        if (rc == MLP_OK && r != MLP_OK) {
            rc = r;
            if (err)
                *err = e;
        }
    } else if (rc == MLP_OK && o->merge && rep->n_missing) {
        rc = missing_runs(&x, err);
    } else if (rc == MLP_OK) {
        rc = build_sweep_file(&st, resolved, NULL, err);
        built = rc == MLP_OK;
    }

out:
    /* the part files were deleted with the sweep file published: never synced */
    rc = finish_syncer(&x, !built || o->keep_runs, rc, err);
    mlp_results_builder_abort(st.builder);  /* when the sweep stopped before finishing it */
    mlp_lock_release(st.lock);
    if (rc != MLP_OK && st.runs_dir)
        rmdir(st.runs_dir);  /* only succeeds when empty: finished runs stay */
    rep->wall_seconds = omp_get_wtime() - t0;
    mlp_sweep_fault_end();
    rep->iterations_trained = st.iterations_trained;
    if (rc == MLP_OK && st.halving_table)
        rep->halving = st.halving_table;
    else
        free(st.halving_table);
    exec_free(&x);
    free(resolved);
    return rc;
}

mlp_status mlp_sweep_shard_runs(const mlp_spec *spec, mlp_registry *reg, unsigned shard,
                                unsigned n_shards, const volatile sig_atomic_t *stop,
                                size_t **runs, size_t *n, mlp_error *err)
{
    sweep_state st;
    mlp_sweep_opts o;
    size_t total = spec->plan.n_runs;
    unsigned *owner = NULL;
    mlp_status rc;

    memset(&st, 0, sizeof(st));
    memset(&o, 0, sizeof(o));
    o.stop = stop;
    st.spec = spec;
    st.reg = reg;
    st.o = &o;
    *runs = NULL;
    *n = 0;
    rc = mlp_sweep_prepare(&st, err);
    if (rc == MLP_OK && !(owner = malloc((total ? total : 1) * sizeof(*owner))))
        rc = mlp_fail(err, MLP_ERR_NOMEM, "sweep: out of memory");
    if (rc == MLP_OK)
        rc = mlp_plan_shard(st.cost, total, n_shards, owner, err);
    if (rc == MLP_OK && !(*runs = malloc((total ? total : 1) * sizeof(**runs))))
        rc = mlp_fail(err, MLP_ERR_NOMEM, "sweep: out of memory");
    for (size_t k = 0; rc == MLP_OK && k < total; k++)
        if (owner[k] == shard)
            (*runs)[(*n)++] = k;
    free(owner);
    mlp_sweep_data_free_all(&st);
    free(st.run_data);
    free(st.cost);
    free(st.build_order);
    free(st.build_last);
    for (size_t i = 0; i < st.n_files; i++)
        free(st.file_copy[i]);
    return rc;
}

char *mlp_sweep_folder_output(const char *runs_dir)
{
    size_t n = strlen(runs_dir);
    while (n > 1 && runs_dir[n - 1] == '/')
        n--;
    if (n > 5 && !strncmp(runs_dir + n - 5, ".runs", 5))
        n -= 5;
    char *p = malloc(n + 4);
    if (p)
        snprintf(p, n + 4, "%.*s.h5", (int)n, runs_dir);
    return p;
}
