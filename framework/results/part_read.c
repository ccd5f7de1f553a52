/* part_read.c -- the run folder read back: part files checked and indexed
 * (for --resume, for the builder), and cleaned or cleared. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results/journal.h"

/* What a part file is. */
enum part_state { PART_SAME, PART_OTHER, PART_DAMAGED };

/* An open part file's index: (run, offset, size) triples. */
typedef struct part_index {
    uint64_t *ix;
    size_t n;
} part_index;

/* Up to n bytes at offset at, fewer only at the end of the file; -1 on an
 * error. */
static ssize_t pread_upto(int fd, unsigned char *buf, size_t n, uint64_t at)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)(at + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static bool pread_all(int fd, void *buf, size_t n, uint64_t at)
{
    unsigned char *p = buf;

    while (n > 0) {
        ssize_t r = pread(fd, p, n, (off_t)at);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p += r;
        n -= (size_t)r;
        at += (uint64_t)r;
    }
    return true;
}

/* Read the header and index of the part file open as fd, and with verify
 * every record's checksum too.  PART_SAME (index in *pi, malloc'd) when it
 * is intact and carries this hash; PART_OTHER for another sweep's or
 * another format's; PART_DAMAGED when it fails a check.  *nomem on a
 * failed allocation (then the state means nothing). */
static enum part_state part_open_index(int fd, const char *hash, bool verify, part_index *pi,
                                       bool *nomem)
{
    unsigned char head[PART_HEADER], tail[PART_TRAILER], *hi = NULL, *rec = NULL;
    uint64_t order, sizes, n, index_at, sum;
    char want[64];
    struct stat sb;
    enum part_state state = PART_DAMAGED;
    size_t cap = 0;

    *nomem = false;
    pi->ix = NULL;
    pi->n = 0;
    if (fstat(fd, &sb) != 0 || sb.st_size < PART_HEADER + PART_TRAILER ||
        !pread_all(fd, head, PART_HEADER, 0))
        return PART_DAMAGED;
    memcpy(&order, head + 8, 8);
    memcpy(&sizes, head + 16, 8);
    if (memcmp(head, PART_MAGIC, 7) != 0)
        return PART_DAMAGED;
    if (head[7] != PART_MAGIC[7] || order != PART_ORDER ||
        sizes != ((uint64_t)sizeof(size_t) | (uint64_t)sizeof(double) << 32))
        return PART_OTHER;  /* another format version or another kind of machine */
    memcpy(&n, head + 88, 8);
    if (!pread_all(fd, tail, PART_TRAILER, (uint64_t)sb.st_size - PART_TRAILER) ||
        memcmp(tail + 16, PART_MAGIC, 8) != 0)
        return PART_DAMAGED;
    memcpy(&index_at, tail, 8);
    memcpy(&sum, tail + 8, 8);
    if (n == 0 || n > (uint64_t)sb.st_size / 24 ||
        index_at + n * 24 + PART_TRAILER != (uint64_t)sb.st_size || index_at < PART_HEADER)
        return PART_DAMAGED;
    if (!(hi = malloc(n * 24))) {
        *nomem = true;
        return PART_DAMAGED;
    }
    if (!pread_all(fd, hi, n * 24, index_at) || mlp_part_sum(head, hi, n * 24) != sum)
        goto out;
    for (size_t i = 0; i < n; i++) {
        uint64_t e[3];
        memcpy(e, hi + i * 24, 24);
        if (e[1] < PART_HEADER || e[2] < 16 || e[2] % 8 || e[1] + e[2] > index_at)
            goto out;
        if (verify) {
            uint64_t head2[2];
            if (e[2] > cap) {
                unsigned char *p = realloc(rec, e[2]);
                if (!p) {
                    *nomem = true;
                    goto out;
                }
                rec = p;
                cap = e[2];
            }
            if (!pread_all(fd, rec, e[2], e[1]))
                goto out;
            memcpy(head2, rec, 16);
            if (head2[0] != e[2] || mlp_part_checksum(rec + 16, e[2] - 16) != head2[1])
                goto out;
        }
    }
    memset(want, 0, sizeof(want));
    strncpy(want, hash ? hash : "", sizeof(want));
    if (memcmp(head + 24, want, 64) != 0) {
        pi->n = (size_t)n;  /* how many runs of another sweep */
        state = PART_OTHER;
        goto out;
    }
    if (!(pi->ix = malloc(n * 24))) {
        *nomem = true;
        goto out;
    }
    memcpy(pi->ix, hi, n * 24);
    pi->n = (size_t)n;
    state = PART_SAME;
out:
    free(rec);
    free(hi);
    return state;
}

static bool is_part_name(const char *name)
{
    return !strncmp(name, "part_", 5) && mlp_str_ends_with(name, ".bin");
}

/* Files of the run folder that hold runs: part files, and run_<k>.h5 files
 * of mlplab versions before the journal (never of this sweep: the runner's
 * version is part of the identity). */
static bool is_run_file_name(const char *name)
{
    return is_part_name(name) || (!strncmp(name, "run_", 4) && mlp_str_ends_with(name, ".h5"));
}

/* Each entry of dir whose name passes want(), as "<dir>/<name>" (malloc'd),
 * to fn; stops at the first error fn returns.  A missing folder is empty. */
static mlp_status each_file(const char *dir, bool (*want)(const char *name),
                            mlp_status (*fn)(void *ctx, const char *path, mlp_error *err),
                            void *ctx, mlp_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    mlp_status st = MLP_OK;

    if (!d)
        return errno == ENOENT ? MLP_OK
                               : mlp_fail(err, MLP_ERR_IO, "%s: cannot list folder: %s", dir,
                                          strerror(errno));
    while (!st && (e = readdir(d))) {
        char *p;

        if (!want(e->d_name))
            continue;
        if (!(p = mlp_str_printf("%s/%s", dir, e->d_name))) {
            st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", dir);
            break;
        }
        st = fn(ctx, p, err);
        free(p);
    }
    closedir(d);
    return st;
}

static bool is_tmp_or_part(const char *name)
{
    return mlp_str_ends_with(name, ".tmp") || is_part_name(name);
}

/* Delete a temporary, or a part file that fails its checks. */
static mlp_status clean_one(void *ctx, const char *path, mlp_error *err)
{
    part_index pi;
    bool nomem = false, damaged = true;
    int fd;

    (void)ctx;
    if (!mlp_str_ends_with(path, ".tmp")) {
        if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
            return MLP_OK;  /* unreadable: left alone, the scan counts it */
        damaged = part_open_index(fd, NULL, true, &pi, &nomem) == PART_DAMAGED;
        free(pi.ix);
        close(fd);
        if (nomem)
            return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", path);
    }
    if (damaged && unlink(path) != 0 && errno != ENOENT)
        return mlp_fail(err, MLP_ERR_IO, "%s: cannot delete: %s", path, strerror(errno));
    return MLP_OK;
}

mlp_status mlp_results_clean_tmp(const char *runs_dir, mlp_error *err)
{
    return each_file(runs_dir, is_tmp_or_part, clean_one, NULL, err);
}



static bool is_leftover(const char *name)
{
    return is_run_file_name(name) || mlp_str_ends_with(name, ".tmp");
}

static mlp_status delete_one(void *ctx, const char *path, mlp_error *err)
{
    (void)ctx;
    if (unlink(path) != 0 && errno != ENOENT)
        return mlp_fail(err, MLP_ERR_IO, "%s: cannot delete: %s", path, strerror(errno));
    return MLP_OK;
}

mlp_status mlp_results_clear_runs(const char *runs_dir, mlp_error *err)
{
    return each_file(runs_dir, is_leftover, delete_one, NULL, err);
}

/* The file names one writer (tag) owns: part_<k>.<tag>.bin and its
 * temporaries.  Set by the tagged calls below, which run under the
 * writer's lock (one thread). */
static const char *owned_tag;

static bool is_owned(const char *name)
{
    char mark[160];
    snprintf(mark, sizeof(mark), ".%s.bin", owned_tag);
    const char *p = strstr(name, mark);
    return !strncmp(name, "part_", 5) && p &&
           (!strcmp(p, mark) || !strcmp(p + strlen(mark), ".tmp"));
}

static bool is_owned_tmp_or_part(const char *name)
{
    return is_owned(name) || (is_part_name(name) && !mlp_str_ends_with(name, ".tmp"));
}

mlp_status mlp_results_clean_tmp_tagged(const char *runs_dir, const char *tag, mlp_error *err)
{
    if (!tag || !*tag)
        return mlp_results_clean_tmp(runs_dir, err);
    owned_tag = tag;
    /* another writer's temporaries may be in the making: only ours go, and
     * part files (of anyone) that fail their checks */
    mlp_status st = each_file(runs_dir, is_owned_tmp_or_part, clean_one, NULL, err);
    owned_tag = NULL;
    return st;
}

mlp_status mlp_results_clear_runs_tagged(const char *runs_dir, const char *tag, mlp_error *err)
{
    if (!tag || !*tag)
        return mlp_results_clear_runs(runs_dir, err);
    owned_tag = tag;
    mlp_status st = each_file(runs_dir, is_owned, delete_one, NULL, err);
    owned_tag = NULL;
    return st;
}

/* What the scan of a run folder found. */
typedef struct scan_ctx {
    const char *hash;
    size_t n_runs;
    unsigned char *done;     /* (n_runs) */
    size_t same, other;
    char first_other[512];   /* "part_0042.bin (sweep 3fa4c1d2...)": the first file not of it */
} scan_ctx;

/* Note the first file that holds no runs of this sweep, with the sweep
 * identity its header carries when it has one. */
static void note_other(scan_ctx *c, const char *path, int fd)
{
    char hash[65] = "";
    const char *base = strrchr(path, '/');

    if (c->first_other[0])
        return;
    if (fd >= 0 && pread(fd, hash, 64, 24) == 64) {
        hash[64] = '\0';
        for (int i = 0; i < 64; i++)
            if (!((hash[i] >= '0' && hash[i] <= '9') || (hash[i] >= 'a' && hash[i] <= 'f')))
                hash[0] = '\0';
    }
    snprintf(c->first_other, sizeof(c->first_other), hash[0] ? "%s (runs of sweep %.16s...)" : "%s",
             base ? base + 1 : path, hash);
}

static mlp_status scan_one(void *vctx, const char *path, mlp_error *err)
{
    scan_ctx *c = vctx;
    part_index pi;
    bool nomem;
    enum part_state s;
    int fd;

    if (mlp_str_ends_with(path, ".h5") || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        c->other++;  /* a run file of an older mlplab, or unreadable */
        note_other(c, path, -1);
        return MLP_OK;
    }
    s = part_open_index(fd, c->hash, false, &pi, &nomem);
    if (s != PART_SAME && !nomem)
        note_other(c, path, fd);
    close(fd);
    if (nomem)
        return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", path);
    if (s != PART_SAME) {
        c->other += pi.n ? pi.n : 1;
        return MLP_OK;
    }
    for (size_t i = 0; i < pi.n; i++) {
        uint64_t k = pi.ix[3 * i];
        if (k >= c->n_runs)
            c->other++;
        else if (!c->done[k]) {
            c->done[k] = 1;
            c->same++;
        }
    }
    free(pi.ix);
    return MLP_OK;
}

mlp_status mlp_results_scan_runs(const char *runs_dir, const char *spec_sha256, size_t n_runs,
                                 unsigned char *done, size_t *n_same, size_t *n_other,
                                 mlp_error *err)
{
    return mlp_results_scan_runs_noting(runs_dir, spec_sha256, n_runs, done, n_same, n_other,
                                        NULL, 0, err);
}

mlp_status mlp_results_scan_runs_noting(const char *runs_dir, const char *spec_sha256,
                                        size_t n_runs, unsigned char *done, size_t *n_same,
                                        size_t *n_other, char *first_other, size_t len,
                                        mlp_error *err)
{
    scan_ctx c = {spec_sha256, n_runs, done, 0, 0, ""};
    mlp_status st;

    *n_same = *n_other = 0;
    if (!done && !(c.done = calloc(n_runs ? n_runs : 1, 1)))
        return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", runs_dir);
    if (done)
        memset(done, 0, n_runs);
    st = each_file(runs_dir, is_run_file_name, scan_one, &c, err);
    if (!done)
        free(c.done);
    *n_same = c.same;
    *n_other = c.other;
    if (first_other && len)
        snprintf(first_other, len, "%s", c.first_other);
    return st;
}

/* The sweep's own notes in its run folder (sweep/ writes them): its
 * identity, how to load its spec again, what each shard did, successive
 * halving's decisions, and the writers' locks (the folder goes only once
 * every run is in the sweep file, so no writer is left). */
static bool is_identity_note(const char *name)
{
    return (!strncmp(name, "sweep.", 6) &&
            (mlp_str_ends_with(name, ".identity") || mlp_str_ends_with(name, ".source"))) ||
           !strcmp(name, "halving.decisions") ||
           (!strncmp(name, "shard-", 6) && mlp_str_ends_with(name, ".info")) ||
           mlp_str_ends_with(name, ".lock") ||
           mlp_str_ends_with(name, ".note");  /* a note's temporary, left by a kill */
}

/* Remove part files, run files and temporaries, then the folder if that left
 * it empty (anything else the user put there is kept, silently). */
void mlp_runs_dir_remove(const char *runs_dir)
{
    each_file(runs_dir, is_leftover, delete_one, NULL, NULL);
    each_file(runs_dir, is_identity_note, delete_one, NULL, NULL);
    rmdir(runs_dir);
    /* the folder's removal is durable once its parent is synced */
    char *parent = mlp_path_parent(runs_dir);
    if (parent)
        mlp_path_sync(parent, true);
    free(parent);
}

#define PARTS_MAX_OPEN 256
#define PARTS_WINDOW ((size_t)64 << 10)  /* read ahead per open part file */

void mlp_parts_free(mlp_parts *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        if (ps->fd[i] >= 0)
            close(ps->fd[i]);
        free(ps->path[i]);
        free(ps->win[i].p);
    }
    free(ps->path);
    free(ps->fd);
    free(ps->live);
    free(ps->win);
    free(ps->loc);
}

/* A part file of this sweep (open as fd, or -1) and its index: n (run,
 * offset, size) triples.  A run already found elsewhere keeps that place. */
mlp_status mlp_parts_add(mlp_parts *ps, const char *path, int fd, const uint64_t *ix,
                                size_t n, mlp_error *err)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? 2 * ps->cap : 16;
        char **p = realloc(ps->path, cap * sizeof(*p));
        int *f = p ? realloc(ps->fd, cap * sizeof(*f)) : NULL;
        mlp_part_window *w = f ? realloc(ps->win, cap * sizeof(*w)) : NULL;
        unsigned char *lv = w ? realloc(ps->live, cap) : NULL;
        if (p)
            ps->path = p;
        if (f)
            ps->fd = f;
        if (w)
            ps->win = w;
        if (lv)
            ps->live = lv;
        if (!p || !f || !w || !lv)
            goto nomem;
        ps->cap = cap;
    }
    if (!(ps->path[ps->n] = strdup(path)))
        goto nomem;
    ps->win[ps->n] = (mlp_part_window){NULL, 0, 0};
    ps->live[ps->n] = 0;
    if (fd >= 0 && ps->n_open < PARTS_MAX_OPEN) {
        ps->fd[ps->n] = fd;
        ps->n_open++;
    } else {
        ps->fd[ps->n] = -1;
        if (fd >= 0)
            close(fd);
    }
    ps->n++;
    mlp_parts_add_runs(ps, ps->n - 1, ix, n);
    return MLP_OK;
nomem:
    if (fd >= 0)
        close(fd);
    return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", path);
}

void mlp_parts_add_runs(mlp_parts *ps, size_t i, const uint64_t *ix, size_t n)
{
    for (size_t r = 0; r < n; r++) {
        uint64_t k = ix[3 * r];
        if (k < SIZE_MAX && k + 1 > ps->max_run)
            ps->max_run = (size_t)k + 1;
        if (k < ps->n_runs && !ps->loc[k].file)
            ps->loc[k] = (mlp_run_loc){(uint32_t)(i + 1), ix[3 * r + 1], ix[3 * r + 2]};
    }
}

mlp_status mlp_parts_rename(mlp_parts *ps, size_t i, const char *path, mlp_error *err)
{
    char *p = strdup(path);

    if (!p)
        return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", path);
    free(ps->path[i]);
    ps->path[i] = p;
    ps->live[i] = 0;
    return MLP_OK;
}

static mlp_status index_one(void *vctx, const char *path, mlp_error *err)
{
    mlp_parts *ps = vctx;
    part_index pi;
    bool nomem;
    enum part_state s;
    mlp_status st;
    int fd;

    if (mlp_str_ends_with(path, ".h5") || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        ps->other++;
        return MLP_OK;
    }
    s = part_open_index(fd, ps->hash, false, &pi, &nomem);
    if (nomem || s != PART_SAME) {
        close(fd);
        free(pi.ix);
        ps->other++;
        return nomem ? mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", path) : MLP_OK;
    }
    st = mlp_parts_add(ps, path, fd, pi.ix, pi.n, err);
    free(pi.ix);
    return st;
}

/* Run k's record from its part file into *buf (grown as needed), checked. */
mlp_status mlp_parts_read(mlp_parts *ps, size_t k, unsigned char **buf, size_t *cap,
                                 mlp_error *err)
{
    mlp_run_loc *l = &ps->loc[k];
    size_t i = l->file - 1;
    uint64_t head[2];

    if (l->size > *cap) {
        /* half as much again, so that the slightly larger record of the next
         * run (a wider layer) fits: each new buffer is fresh pages to fault
         * in, 1 000 faults for the tutorial's 11 runs when grown to fit each;
         * and no realloc, whose copy of the old record is of no use */
        size_t want = (size_t)l->size + (size_t)l->size / 2;
        free(*buf);
        *cap = 0;
        if (!(*buf = malloc(want)))
            return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory for run %zu", ps->path[i], k);
        *cap = want;
    }
    if (ps->fd[i] < 0) {
        if (ps->n_open >= PARTS_MAX_OPEN)  /* many part files: keep few open */
            for (size_t j = 0; j < ps->n; j++)
                if (ps->fd[j] >= 0 && !ps->live[j]) {
                    close(ps->fd[j]);
                    ps->fd[j] = -1;
                    ps->n_open--;
                    free(ps->win[j].p);
                    ps->win[j] = (mlp_part_window){NULL, 0, 0};
                }
        if ((ps->fd[i] = open(ps->path[i], O_RDONLY | O_CLOEXEC)) < 0)
            return mlp_fail(err, MLP_ERR_IO, "%s: cannot open: %s", ps->path[i], strerror(errno));
        ps->n_open++;
    }
    errno = 0;
    if (l->size <= PARTS_WINDOW / 4) {
        /* a small record: from the bytes read ahead, read again from it on
         * when it is not there (one pread a run was 2 017 of the 3 453
         * system calls of 2 000 tiny runs) */
        mlp_part_window *w = &ps->win[i];
        if (!w->p || l->at < w->at || l->at + l->size > w->at + w->len) {
            ssize_t got;
            if (!w->p && !(w->p = malloc(PARTS_WINDOW)))
                return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory for run %zu",
                                ps->path[i], k);
            w->len = 0;
            got = pread_upto(ps->fd[i], w->p, PARTS_WINDOW, l->at);
            if (got < 0 || (uint64_t)got < l->size)
                return mlp_fail(err, MLP_ERR_IO, "%s: cannot read run %zu: %s", ps->path[i], k,
                                got < 0 ? strerror(errno) : "file cut short");
            w->at = l->at;
            w->len = (size_t)got;
        }
        memcpy(*buf, w->p + (l->at - w->at), (size_t)l->size);
    } else if (!pread_all(ps->fd[i], *buf, (size_t)l->size, l->at))
        return mlp_fail(err, MLP_ERR_IO, "%s: cannot read run %zu: %s", ps->path[i], k,
                        errno ? strerror(errno) : "file cut short");
    memcpy(head, *buf, 16);
    if (head[0] != l->size || mlp_part_checksum(*buf + 16, (size_t)l->size - 16) != head[1])
        return mlp_fail(err, MLP_ERR_IO, "%s: run %zu fails its checksum (a damaged file: "
                        "run the sweep again with --resume, which redoes its runs)",
                        ps->path[i], k);
    return MLP_OK;
}

mlp_status mlp_parts_scan(mlp_parts *ps, const char *runs_dir, mlp_error *err)
{
    return each_file(runs_dir, is_run_file_name, index_one, ps, err);
}
