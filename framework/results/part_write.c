/* part_write.c -- the run journal: finished runs held per worker and
 * written out as one part file (temporary name, fsync, rename).  Records
 * held beyond SPILL_BYTES go to the temporary file at once (no fsync): the
 * buffer then holds about one run, not every run of the last half second.
 * With a syncer, the part file is renamed at once and fsynced later, in a
 * thread of its own, while the worker goes on. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "results/journal.h"

/* Held records past this many bytes are written to the part file's
 * temporary name before it is due: the tutorial's 11 runs of 0.4 MB each
 * were copied into a buffer grown (by copying) to 8 MB, 1 750 of its 5 700
 * page faults; small runs still leave in batches of this size. */
#define SPILL_BYTES ((size_t)256 << 10)

/* A published part file waiting for its fsync (by name: a descriptor kept
 * open per pending file would be hundreds on a many-core machine). */
typedef struct part_out {
    char *path, *dir;
    double due;                 /* CLOCK_MONOTONIC seconds */
    struct part_out *next;
} part_out;

enum syncer_end { SYNCER_RUNNING, SYNCER_SYNC_ALL, SYNCER_DROP_ALL };

struct mlp_results_syncer {
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* a file queued, or the end */
    part_out *head, *tail;      /* in the order they are due */
    enum syncer_end end;
    double delay;               /* seconds from a rename to its fsync */
    mlp_status st;              /* the first failure, and its error */
    mlp_error err;
    pthread_t thread;
};

struct mlp_results_journal {
    char *runs_dir;
    char *tag;                  /* the writer's mark in part file names, or NULL */
    mlp_results_builder *builder;  /* fed each record written, or NULL */
    long slot;                  /* the builder's number for the part file in the making */
    size_t fed;                 /* records held that the builder was fed */
    mlp_results_syncer *syncer; /* syncs the part files later, or NULL: before the rename */
    char hash[64];              /* NUL-padded */
    mlp_bytes buf;              /* the records held not yet in tmp (the header first) */
    mlp_bytes index;            /* (run, offset, size) of each record held */
    size_t n, first;            /* records held; the first one's run */
    char *tmp;                  /* the part file's temporary name once spilled, or NULL */
    int fd;                     /* tmp open for writing, or -1 */
    uint64_t spilled;           /* bytes of the part file written to tmp */
    double last_write;          /* CLOCK_MONOTONIC seconds */
    double max_seconds;
    size_t max_bytes;
};

static double now_seconds(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Forget the records held (a temporary file left is removed). */
static void journal_reset(mlp_results_journal *j)
{
    if (j->fd >= 0)
        close(j->fd);
    if (j->tmp)
        unlink(j->tmp);
    free(j->tmp);
    j->tmp = NULL;
    j->fd = -1;
    j->slot = -1;
    j->fed = 0;
    j->spilled = 0;
    j->buf.len = 0;
    j->index.len = 0;
    j->n = 0;
    j->last_write = now_seconds();
}

mlp_status mlp_results_journal_open(const char *runs_dir, const char *hash, double max_seconds,
                                    size_t max_bytes, mlp_results_journal **out, mlp_error *err)
{
    mlp_results_journal *j = calloc(1, sizeof(*j));

    if (!j || !(j->runs_dir = strdup(runs_dir))) {
        free(j);
        return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", runs_dir);
    }
    strncpy(j->hash, hash ? hash : "", sizeof(j->hash));
    j->fd = -1;
    j->max_seconds = max_seconds;
    j->max_bytes = max_bytes;
    journal_reset(j);
    *out = j;
    return MLP_OK;
}

mlp_status mlp_results_journal_tag(mlp_results_journal *j, const char *tag, mlp_error *err)
{
    free(j->tag);
    j->tag = NULL;
    if (tag && *tag && !(j->tag = strdup(tag)))
        return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", j->runs_dir);
    return MLP_OK;
}

void mlp_results_journal_feed(mlp_results_journal *j, mlp_results_builder *b)
{
    j->builder = b;
}

void mlp_results_journal_sync_by(mlp_results_journal *j, mlp_results_syncer *s)
{
    j->syncer = s;
}

void mlp_results_journal_free(mlp_results_journal *j)
{
    if (!j)
        return;
    journal_reset(j);  /* records never flushed are lost, as they were in memory */
    free(j->buf.p);
    free(j->index.p);
    free(j->runs_dir);
    free(j->tag);
    free(j);
}

/* Write all of n bytes to fd at offset at. */
static int pwrite_all(int fd, const unsigned char *p, size_t n, off_t at)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
        at += w;
    }
    return 0;
}

/* The part file's final and temporary names, from the first run held. */
static mlp_status part_names(mlp_results_journal *j, char **path, char **tmp, mlp_error *err)
{
    *tmp = NULL;
    if (!(*path = mlp_results_part_path_tagged(j->runs_dir, j->first, j->tag)) ||
        !(*tmp = mlp_str_printf("%s.tmp", *path))) {
        free(*path);
        *path = NULL;
        return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", j->runs_dir);
    }
    return MLP_OK;
}

/* The bytes held, to the end of the temporary file (created by the first
 * call); the buffer is then empty. */
static mlp_status spill(mlp_results_journal *j, mlp_error *err)
{
    char *path = NULL;
    mlp_status st;

    if (j->fd < 0) {
        if ((st = part_names(j, &path, &j->tmp, err)))
            return st;
        free(path);
        if ((j->fd = open(j->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0)
            return mlp_fail(err, MLP_ERR_IO, "%s: cannot write: %s", j->tmp, strerror(errno));
    }
    if (pwrite_all(j->fd, j->buf.p, j->buf.len, (off_t)j->spilled) != 0)  /* its end */
        return mlp_fail(err, MLP_ERR_IO, "%s: cannot write: %s", j->tmp, strerror(errno));
    if (j->builder && j->fed < j->n) {
        st = mlp_results_builder_feed(j->builder, j->tmp, &j->slot,
                                      (const uint64_t *)(const void *)j->index.p + 3 * j->fed,
                                      j->n - j->fed, &j->buf, j->spilled, err);
        if (st)
            return st;
        j->fed = j->n;
    }
    j->spilled += j->buf.len;
    j->buf.len = 0;
    return MLP_OK;
}

/* fsync the folder a part file was renamed into: the name is durable. */
static mlp_status sync_dir(const char *dir, mlp_error *err)
{
    if (mlp_path_sync(dir, true) != 0)
        return mlp_fail(err, MLP_ERR_IO, "%s: cannot sync folder to disk: %s", dir,
                        strerror(errno));
    return MLP_OK;
}

static void part_out_free(part_out *o)
{
    free(o->path);
    free(o->dir);
    free(o);
}

/* Make a batch of published part files durable (the first failure in *e),
 * or with drop only close them; then free them. */
static mlp_status sync_batch(part_out *batch, bool drop, mlp_error *e)
{
    mlp_status st = MLP_OK;

    for (part_out *o = batch; o && !drop && !st; o = o->next) {
        int fd = open(o->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 && errno != ENOENT)
            st = mlp_fail(e, MLP_ERR_IO, "%s: cannot sync to disk: %s", o->path, strerror(errno));
        if (fd >= 0) {  /* gone (its sweep file built, or merged): nothing to keep */
            if (fsync(fd) != 0)
                st = mlp_fail(e, MLP_ERR_IO, "%s: cannot sync to disk: %s", o->path,
                              strerror(errno));
            /* clean now: the pages leave the cache (the builder read them long ago) */
            (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
            close(fd);
        }
        if (!st && (!o->next || strcmp(o->dir, o->next->dir)))  /* once per folder in a row */
            st = sync_dir(o->dir, e);
    }
    while (batch) {
        part_out *next = batch->next;
        part_out_free(batch);
        batch = next;
    }
    return st;
}

/* The syncer's thread: each part file queued is synced when it is due, or
 * at the end (all of them synced, or all dropped). */
static void *syncer_main(void *arg)
{
    mlp_results_syncer *s = arg;

    pthread_mutex_lock(&s->mu);
    for (;;) {
        double now = now_seconds();
        if (!s->head) {
            if (s->end != SYNCER_RUNNING)
                break;
            pthread_cond_wait(&s->cv, &s->mu);
            continue;
        }
        if (s->end == SYNCER_RUNNING && s->head->due > now) {
            struct timespec until;
            double t = s->head->due;
            until.tv_sec = (time_t)t;
            until.tv_nsec = (long)((t - (double)until.tv_sec) * 1e9);
            pthread_cond_timedwait(&s->cv, &s->mu, &until);
            continue;
        }
        /* the files due (all of them at the end) */
        part_out *batch = s->head, *last = s->head;
        while (last->next && (s->end != SYNCER_RUNNING || last->next->due <= now))
            last = last->next;
        s->head = last->next;
        if (!s->head)
            s->tail = NULL;
        last->next = NULL;
        bool drop = s->end == SYNCER_DROP_ALL;
        pthread_mutex_unlock(&s->mu);

        mlp_error e;
        mlp_error_clear(&e);
        mlp_status st = sync_batch(batch, drop, &e);

        pthread_mutex_lock(&s->mu);
        if (st && !s->st) {
            s->st = st;
            s->err = e;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

mlp_status mlp_results_syncer_start(double delay, mlp_results_syncer **out, mlp_error *err)
{
    mlp_results_syncer *s = calloc(1, sizeof(*s));
    pthread_condattr_t ca;

    *out = NULL;
    if (!s)
        return mlp_fail(err, MLP_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);  /* due times are monotonic */
    pthread_cond_init(&s->cv, &ca);
    pthread_condattr_destroy(&ca);
    mlp_error_clear(&s->err);
    s->delay = delay;
    if (pthread_create(&s->thread, NULL, syncer_main, s) != 0) {
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
        free(s);
        return mlp_fail(err, MLP_ERR_RUNTIME, "cannot start a thread");
    }
    *out = s;
    return MLP_OK;
}

/* The syncer's first failure, if any, into err. */
static mlp_status syncer_failed(mlp_results_syncer *s, mlp_error *err)
{
    mlp_status st;

    pthread_mutex_lock(&s->mu);
    st = s->st;
    if (st && err)
        *err = s->err;
    pthread_mutex_unlock(&s->mu);
    return st;
}

mlp_status mlp_results_syncer_finish(mlp_results_syncer *s, bool durable, mlp_error *err)
{
    mlp_status st;

    if (!s)
        return MLP_OK;
    pthread_mutex_lock(&s->mu);
    s->end = durable ? SYNCER_SYNC_ALL : SYNCER_DROP_ALL;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);  /* it empties the queue before it stops */
    st = durable ? s->st : MLP_OK;
    if (st && err)
        *err = s->err;
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
    return st;
}

mlp_status mlp_results_journal_flush(mlp_results_journal *j, mlp_error *err)
{
    mlp_status st = MLP_OK;
    char *tmp = NULL;
    part_out *o = NULL;
    uint64_t index_at, sum, sizes;
    unsigned char head[PART_HEADER];
    mlp_bytes *b = &j->buf;
    bool head_held = !j->spilled;  /* else the file begins with its space */
    int fd = -1;

    if (j->syncer && (st = syncer_failed(j->syncer, err)))
        return st;  /* an earlier part file could not be published: stop */
    if (j->n == 0)
        return MLP_OK;
    /* header (the space was kept when the first record came, at the start
     * of the buffer or of the file), index, trailer */
    index_at = j->spilled + b->len;
    memcpy(head, PART_MAGIC, 8);
    {
        uint64_t order = PART_ORDER, n = j->n;
        memcpy(head + 8, &order, 8);
        sizes = (uint64_t)sizeof(size_t) | (uint64_t)sizeof(double) << 32;
        memcpy(head + 16, &sizes, 8);
        memcpy(head + 24, j->hash, 64);
        memcpy(head + 88, &n, 8);
    }
    if (head_held)
        memcpy(b->p, head, PART_HEADER);
    mlp_bytes_put(b, j->index.p, j->index.len, false);
    if (!b->nomem) {
        sum = mlp_part_sum(head, j->index.p, j->index.len);
        mlp_bytes_put_u64(b, index_at);
        mlp_bytes_put_u64(b, sum);
        mlp_bytes_put(b, PART_MAGIC, 8, false);
    }
    if (b->nomem || j->index.nomem) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", j->runs_dir);
        goto out;
    }
    if ((st = spill(j, err)))
        goto out;
    /* the file is this function's now (removed here if it fails) */
    tmp = j->tmp;
    fd = j->fd;
    j->tmp = NULL;
    j->fd = -1;
    if (!(o = calloc(1, sizeof(*o))) ||
        !(o->path = mlp_results_part_path_tagged(j->runs_dir, j->first, j->tag)) ||
        !(o->dir = strdup(j->runs_dir))) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", j->runs_dir);
        goto out;
    }
    if ((!head_held && pwrite_all(fd, head, PART_HEADER, 0) != 0) ||
        (!j->syncer && fsync(fd) != 0)) {
        st = mlp_fail(err, MLP_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        st = mlp_fail(err, MLP_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, o->path) != 0) {
        st = mlp_fail(err, MLP_ERR_IO, "%s: cannot rename to %s: %s", tmp, o->path,
                      strerror(errno));
        goto out;
    }
    free(tmp);
    tmp = NULL;
    if (j->builder && j->slot >= 0 &&
        (st = mlp_results_builder_renamed(j->builder, j->slot, o->path, err)))
        goto out;
    if (j->syncer) {  /* durable later, in the syncer's thread */
        mlp_results_syncer *s = j->syncer;
        o->due = now_seconds() + s->delay;
        pthread_mutex_lock(&s->mu);
        if (s->tail)
            s->tail->next = o;
        else
            s->head = o;
        s->tail = o;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        o = NULL;
    } else {
        st = sync_dir(o->dir, err);
    }
out:
    if (o)
        part_out_free(o);
    if (fd >= 0)
        close(fd);
    if (tmp)
        unlink(tmp);
    free(tmp);
    b->nomem = j->index.nomem = false;
    journal_reset(j);
    return st;
}

mlp_status mlp_results_journal_add(mlp_results_journal *j, const mlp_run_record *rec,
                                   mlp_error *err)
{
    mlp_bytes *b = &j->buf;
    size_t at;
    uint64_t size, sum, ix[3];

    if (j->n == 0) {
        j->first = rec->index;
        if (!mlp_bytes_grow(b, PART_HEADER))
            goto nomem;
        memset(b->p, 0, PART_HEADER);
        b->len = PART_HEADER;
    }
    at = b->len;
    mlp_bytes_put_u64(b, 0);  /* size and checksum, filled in below */
    mlp_bytes_put_u64(b, 0);
    mlp_record_put(b, rec);
    if (b->nomem)
        goto nomem;
    size = b->len - at;
    sum = mlp_part_checksum(b->p + at + 16, (size_t)size - 16);
    memcpy(b->p + at, &size, 8);
    memcpy(b->p + at + 8, &sum, 8);
    ix[0] = rec->index, ix[1] = j->spilled + at, ix[2] = size;
    mlp_bytes_put(&j->index, ix, sizeof(ix), false);
    if (j->index.nomem)
        goto nomem;
    j->n++;
    if (j->spilled + b->len >= j->max_bytes || now_seconds() - j->last_write >= j->max_seconds)
        return mlp_results_journal_flush(j, err);
    if (b->len >= SPILL_BYTES) {
        mlp_status st = spill(j, err);
        if (st)  /* as when a flush fails: the runs held are lost */
            journal_reset(j);
        return st;
    }
    return MLP_OK;
nomem:
    b->nomem = j->index.nomem = false;
    journal_reset(j);
    return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory for run %zu", j->runs_dir,
                    rec->index);
}

mlp_status mlp_results_write_run(const char *runs_dir, const char *spec_sha256,
                                 const mlp_run_record *rec, mlp_error *err)
{
    mlp_results_journal *j;
    mlp_status st = mlp_results_journal_open(runs_dir, spec_sha256, 0, 0, &j, err);

    if (st)
        return st;
    st = mlp_results_journal_add(j, rec, err);  /* due at once: max_bytes is 0 */
    mlp_results_journal_free(j);
    return st;
}

