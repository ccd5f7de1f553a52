/* builder.c -- the sweep file, built while the sweep runs: a thread copies
 * runs in run order from the part files into the file through the format's
 * writer (results/format.h), and finish publishes it.  No HDF5 call here. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/thread_hook.h"
#include "results/format.h"
#include "results/internal.h"
#include "results/journal.h"

/* The builder copies runs into <output>.tmp, in its own thread, as soon as
 * each is in a part file: those found when it starts, and those that
 * journals fed to it announce when they write them.  It takes them in run
 * order, 0, 1, 2, ..., or in the order the sweep gives (format 2: largest
 * group first, the order they train in, so that the first runs to end are
 * the first copied, and each group's stacks are written when its last run
 * is in).  It waits for a run that is not there yet, so the file's layout is
 * the same whatever order the runs finish in.  finish() adds what only the
 * end knows (root attributes, the shared dataset, the summary) and publishes
 * the file. */
/* Bytes a journal wrote to its part file and handed over as they were in
 * memory: the records in them are copied from here, not read back from the
 * file (a read, a copy and a checksum pass less per run). */
typedef struct mem_chunk {
    unsigned char *p;
    size_t cap, len;
    uint64_t at;             /* the file offset of p[0] */
    size_t left;             /* runs in it not yet copied */
    size_t refs;             /* pointers into it the format keeps */
    struct mlp_results_builder *b;
    struct mem_chunk *next;  /* every chunk held */
} mem_chunk;

/* The most bytes the builder holds in memory for runs not yet copied (more
 * are read back from the part files), and the spare buffers it keeps for
 * journals to write into next. */
#define MEM_MAX ((size_t)32 << 20)
#define MEM_SPARES 8

struct mlp_results_builder {
    char *sweep_path, *runs_dir, *tmp;
    size_t n_runs, n_swept;

    pthread_mutex_t mu;      /* guards ps, next, closing, stop */
    pthread_cond_t cv;
    mlp_parts ps;
    mem_chunk **mem_of;      /* (n_runs) the chunk holding run k, or NULL */
    mem_chunk *chunks;       /* every chunk held */
    size_t mem_bytes;        /* their bytes */
    unsigned char *spare[MEM_SPARES];
    size_t spare_cap[MEM_SPARES], n_spare;
    size_t *order;           /* (n_runs) the runs in the order copied, or NULL: run order */
    bool *last;              /* (n_runs) run k ends its group in that order, or NULL */
    size_t next;             /* how many runs were copied: order[next] is the next */
    bool closing;            /* every run has been announced */
    bool stop;               /* abandon the build */
    bool running;            /* the thread was started */
    pthread_t thread;

    /* the builder thread's own (format calls under the module lock) */
    const mlp_results_format *fmt;
    void *out;               /* the format's writer */
    mlp_run_view v;
    unsigned char *buf;
    size_t cap;
    mlp_status st;
    mlp_error err;
};

static void chunk_release(mlp_results_builder *b, mem_chunk *c);

/* The format keeps, or is done with, a pointer into chunk owner. */
static void mem_keep(void *owner)
{
    mem_chunk *c = owner;

    pthread_mutex_lock(&c->b->mu);
    c->refs++;
    pthread_mutex_unlock(&c->b->mu);
}

static void mem_release(void *owner)
{
    mem_chunk *c = owner;
    mlp_results_builder *b = c->b;

    pthread_mutex_lock(&b->mu);
    if (--c->refs == 0 && c->left == 0)
        chunk_release(b, c);
    pthread_mutex_unlock(&b->mu);
}

/* Hand run k, its record's payload rec (len bytes; in chunk c, or NULL:
 * in b->buf), to the format's writer (format 1: its group /runs/run_<k>/
 * and its row of the summary). */
static mlp_status builder_copy(mlp_results_builder *b, size_t k, const char *file,
                               const unsigned char *rec, size_t len, mem_chunk *c)
{
    const mlp_record_mem mem = {mem_keep, mem_release, c};
    mlp_status st;
    bool nomem;
    mlp_record_why why;

    /* its checksum held, so the bytes are as written: a record that does
     * not parse was written by another build of mlplab, or by a bug */
    if (!mlp_record_get(rec, len, &b->v, &nomem, &why))
        return nomem ? mlp_fail(&b->err, MLP_ERR_NOMEM, "%s: out of memory", file)
                     : mlp_fail(&b->err, MLP_ERR_IO, "%s: run %zu: its record (%zu bytes) does "
                                "not parse: field %s at byte %zu is inconsistent (written by "
                                "another build of mlplab, or damaged; delete the file and run "
                                "the sweep again with --resume, which redoes its runs)",
                                file, k, len, why.what ? why.what : "?", why.at);
    if (b->v.rec.index != k || b->v.rec.n_params != b->n_swept)
        return mlp_fail(&b->err, MLP_ERR_IO, "%s: holds run %zu with %zu swept parameters where "
                        "run %zu with %zu was expected", file, b->v.rec.index,
                        b->v.rec.n_params, k, b->n_swept);
    mlp_results_lock();
    st = b->fmt->add_run(b->out, &b->v.rec, c ? &mem : NULL, &b->err);
    mlp_results_unlock();
    return st;
}

/* A chunk whose runs are all copied: its buffer kept as a spare for the
 * journals (fresh pages cost a fault each), or freed.  Under b->mu. */
static void chunk_release(mlp_results_builder *b, mem_chunk *c)
{
    mem_chunk **pp = &b->chunks;

    while (*pp != c)
        pp = &(*pp)->next;
    *pp = c->next;
    b->mem_bytes -= c->cap;
    if (b->n_spare < MEM_SPARES) {
        b->spare[b->n_spare] = c->p;
        b->spare_cap[b->n_spare++] = c->cap;
    } else {
        free(c->p);
    }
    free(c);
}

static void *builder_main(void *arg)
{
    mlp_results_builder *b = arg;
    mlp_status st = MLP_OK;

    mlp_thread_started();

    pthread_mutex_lock(&b->mu);
    while (!st && !b->stop && b->next < b->n_runs) {
        size_t k = b->order ? b->order[b->next] : b->next;
        if (!b->ps.loc[k].file) {
            if (!b->closing) {
                pthread_cond_wait(&b->cv, &b->mu);
                continue;
            }
            st = mlp_fail(&b->err, MLP_ERR_IO, "%s: run %zu is missing%s (run the sweep again "
                          "with --resume)", b->runs_dir, k,
                          b->ps.other ? "; files there hold runs of another sweep or are damaged"
                                      : "");
            break;
        }
        /* read under the mutex (journals may grow ps), write without it */
        mem_chunk *c = b->mem_of[k];
        const unsigned char *rec = NULL;
        size_t size = (size_t)b->ps.loc[k].size;
        if (c) {  /* in memory as the journal wrote it: its size word checked */
            uint64_t head;
            rec = c->p + (b->ps.loc[k].at - c->at);
            memcpy(&head, rec, 8);
            if (head != size)
                st = mlp_fail(&b->err, MLP_ERR_RUNTIME, "%s: run %zu: its record is not where "
                              "it was written (a bug)", b->ps.path[b->ps.loc[k].file - 1], k);
        } else if (!(st = mlp_parts_read(&b->ps, k, &b->buf, &b->cap, &b->err))) {
            rec = b->buf;
        }
        char *file = st ? NULL : strdup(b->ps.path[b->ps.loc[k].file - 1]);
        pthread_mutex_unlock(&b->mu);
        if (!st)
            st = file ? builder_copy(b, k, file, rec + 16, size - 16, c)
                      : mlp_fail(&b->err, MLP_ERR_NOMEM, "%s: out of memory", b->tmp);
        if (!st && b->last && b->last[k]) {
            mlp_results_lock();
            st = b->fmt->group_done(b->out, &b->err);
            mlp_results_unlock();
        }
        free(file);
        pthread_mutex_lock(&b->mu);
        if (c && --c->left == 0 && c->refs == 0)
            chunk_release(b, c);
        b->mem_of[k] = NULL;
        b->next++;
    }
    b->st = st;
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* Stop the thread (if running) and wait for it. */
static void builder_join(mlp_results_builder *b, bool stop)
{
    if (!b->running)
        return;
    pthread_mutex_lock(&b->mu);
    if (stop)
        b->stop = true;
    b->closing = true;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->thread, NULL);
    b->running = false;
}

/* Everything but the thread: close the file (removing the temporary unless
 * it was published), free. */
static void builder_free(mlp_results_builder *b, bool remove_tmp)
{
    mlp_results_lock();
    b->fmt->close(b->out);
    mlp_results_unlock();
    if (remove_tmp && b->tmp)
        unlink(b->tmp);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    mlp_parts_free(&b->ps);
    while (b->chunks) {
        mem_chunk *c = b->chunks;
        b->chunks = c->next;
        free(c->p);
        free(c);
    }
    for (size_t i = 0; i < b->n_spare; i++)
        free(b->spare[i]);
    free(b->mem_of);
    free(b->order);
    free(b->last);
    free(b->v.params);
    free(b->buf);
    free(b->tmp);
    free(b->runs_dir);
    free(b->sweep_path);
    free(b);
}

mlp_status mlp_results_builder_start(const char *sweep_path, const char *hash, size_t n_runs,
                                     size_t n_swept, int format, const size_t *order,
                                     const bool *last, mlp_results_builder **out,
                                     mlp_error *err)
{
    mlp_results_builder *b = calloc(1, sizeof(*b));
    mlp_status st = MLP_OK;

    *out = NULL;
    if (!b)
        return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", sweep_path);
    if (!(b->fmt = mlp_results_format_get(format))) {
        free(b);
        return mlp_fail(err, MLP_ERR_USAGE, "%s: no results format %d (there are 1 and 2)",
                        sweep_path, format);
    }
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    b->n_runs = n_runs;
    b->n_swept = n_swept;
    b->ps.hash = hash;
    b->ps.n_runs = n_runs;
    mlp_error_clear(&b->err);
    if (!(b->sweep_path = strdup(sweep_path)) ||
        !(b->runs_dir = mlp_results_runs_dir(sweep_path)) ||
        !(b->tmp = mlp_str_printf("%s.tmp", sweep_path)) ||
        !(b->ps.loc = calloc(n_runs ? n_runs : 1, sizeof(*b->ps.loc))) ||
        !(b->mem_of = calloc(n_runs ? n_runs : 1, sizeof(*b->mem_of))) ||
        (order && last && b->fmt->group_done &&
         (!(b->order = malloc((n_runs ? n_runs : 1) * sizeof(*b->order))) ||
          !(b->last = malloc((n_runs ? n_runs : 1) * sizeof(*b->last))))) ||
        !(b->out = b->fmt->create(n_runs, n_swept))) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", sweep_path);
        goto out;
    }
    if (b->order) {
        memcpy(b->order, order, n_runs * sizeof(*b->order));
        memcpy(b->last, last, n_runs * sizeof(*b->last));
    }
    /* the runs already there (--resume) */
    if ((st = mlp_parts_scan(&b->ps, b->runs_dir, err)))
        goto out;
    mlp_results_lock();
    st = b->fmt->open(b->out, b->tmp, err);
    mlp_results_unlock();
    if (st)
        goto out;
    if (pthread_create(&b->thread, NULL, builder_main, b) != 0) {
        st = mlp_fail(err, MLP_ERR_RUNTIME, "%s: cannot start a thread", sweep_path);
        goto out;
    }
    b->running = true;
out:
    if (st) {
        builder_free(b, true);
        return st;
    }
    *out = b;
    return MLP_OK;
}

/* A journal wrote runs ix[0..n) to the part file it is writing: they can
 * be copied now, not half a second later when the file is published (the
 * last part file of 10 000 tiny runs, 39 MB, was copied after the runs had
 * ended, 80 ms of a 1.1 s sweep). */
mlp_status mlp_results_builder_feed(mlp_results_builder *b, const char *tmp, long *slot,
                                    const uint64_t *ix, size_t n, mlp_bytes *bytes, uint64_t at,
                                    mlp_error *err)
{
    mlp_status st = MLP_OK;
    mem_chunk *c = NULL;

    pthread_mutex_lock(&b->mu);
    if (*slot < 0) {
        /* a descriptor of the builder's own, kept open while the file is
         * live: its name changes when the journal publishes it */
        int fd = open(tmp, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            st = mlp_fail(err, MLP_ERR_IO, "%s: cannot open: %s", tmp, strerror(errno));
        } else if (!(st = mlp_parts_add(&b->ps, tmp, -1, NULL, 0, err))) {
            *slot = (long)(b->ps.n - 1);
            b->ps.fd[*slot] = fd;
            b->ps.live[*slot] = 1;
            b->ps.n_open++;
        } else {
            close(fd);
        }
    }
    /* the bytes too, while the builder holds less than MEM_MAX */
    if (!st && bytes && b->mem_bytes + bytes->cap <= MEM_MAX && (c = calloc(1, sizeof(*c))))
        *c = (mem_chunk){bytes->p, bytes->cap, bytes->len, at, 0, 0, b, NULL};
    for (size_t i = 0; !st && i < n; i++) {
        uint64_t k = ix[3 * i];
        bool fresh = k < b->n_runs && !b->ps.loc[k].file;  /* else found elsewhere first */
        mlp_parts_add_runs(&b->ps, (size_t)*slot, ix + 3 * i, 1);
        if (fresh && c && b->ps.loc[k].at >= at &&
            b->ps.loc[k].at + b->ps.loc[k].size <= at + bytes->len) {
            b->mem_of[k] = c;
            c->left++;
        }
    }
    if (c && c->left) {  /* taken: the journal goes on in a spare buffer, or a new one */
        c->next = b->chunks;
        b->chunks = c;
        b->mem_bytes += c->cap;
        bytes->p = NULL;
        bytes->cap = 0;
        if (b->n_spare) {
            bytes->p = b->spare[--b->n_spare];
            bytes->cap = b->spare_cap[b->n_spare];
        }
    } else {
        free(c);
    }
    if (!st)
        pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    return st;
}

mlp_status mlp_results_builder_renamed(mlp_results_builder *b, long slot, const char *path,
                                       mlp_error *err)
{
    mlp_status st;

    pthread_mutex_lock(&b->mu);
    st = mlp_parts_rename(&b->ps, (size_t)slot, path, err);
    pthread_mutex_unlock(&b->mu);
    return st;
}

void mlp_results_builder_abort(mlp_results_builder *b)
{
    if (!b)
        return;
    builder_join(b, true);
    builder_free(b, true);
}

mlp_status mlp_results_builder_finish(mlp_results_builder *b, const mlp_sweep_meta *meta,
                                      bool keep_runs, mlp_error *err)
{
    mlp_status st;

    builder_join(b, false);
    if ((st = b->st)) {
        if (err)
            *err = b->err;
        builder_free(b, true);
        return st;
    }
    mlp_results_lock();
    if (!(st = b->fmt->finish(b->out, meta, err)) &&
        !(st = mlp_path_publish(b->tmp, b->sweep_path, err)) && !keep_runs)
        mlp_runs_dir_remove(b->runs_dir);
    mlp_results_unlock();
    builder_free(b, st != MLP_OK);
    return st;
}

mlp_status mlp_results_build(const char *sweep_path, const mlp_sweep_meta *meta, bool keep_runs,
                             mlp_error *err)
{
    mlp_results_builder *b;
    mlp_status st = mlp_results_builder_start(sweep_path,
                                              meta->run_sha256 ? meta->run_sha256
                                                               : meta->spec_sha256,
                                              meta->n_runs, meta->n_swept, meta->format_version,
                                              NULL, NULL, &b, err);

    return st ? st : mlp_results_builder_finish(b, meta, keep_runs, err);
}
