/* lock.c -- one lock file per writer of a run folder (lock.h): taking it by
 * link(2), telling a live holder from a stale one, keeping it fresh from a
 * thread of its own, and releasing it. */
#include "results/lock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct mlp_lock {
    char *path;              /* <runs_dir>/<name>.lock */
    char token[40];          /* this holder's mark inside the file */
    pthread_t thread;        /* touches the file every MLP_LOCK_REFRESH_SECONDS */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, has_thread;
};

static char *join(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s%s%s", a, b, c);
    return p;
}

static void this_host(char *buf, size_t len)
{
    if (gethostname(buf, len) != 0)
        snprintf(buf, len, "unknown");
    buf[len - 1] = '\0';
}

/* Parse a lock file's text into h (age and live are not set here). */
static bool parse_holder(const char *text, mlp_lock_holder *h, char *token, size_t token_len)
{
    const char *p = text;
    bool ok_host = false, ok_pid = false;

    memset(h, 0, sizeof(*h));
    if (token)
        token[0] = '\0';
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len > 5 && !strncmp(p, "host=", 5)) {
            snprintf(h->host, sizeof(h->host), "%.*s", (int)(len - 5), p + 5);
            ok_host = true;
        } else if (len > 4 && !strncmp(p, "pid=", 4)) {
            h->pid = strtol(p + 4, NULL, 10);
            ok_pid = h->pid > 0;
        } else if (len > 5 && !strncmp(p, "what=", 5)) {
            snprintf(h->what, sizeof(h->what), "%.*s", (int)(len - 5), p + 5);
        } else if (token && len > 6 && !strncmp(p, "token=", 6)) {
            snprintf(token, token_len, "%.*s", (int)(len - 6), p + 6);
        }
        p += len + (e ? 1 : 0);
    }
    return ok_host && ok_pid;
}

/* Read the lock at path: false when absent or not a lock mlplab wrote. */
static bool read_lock(const char *path, mlp_lock_holder *h, char *token, size_t token_len)
{
    char text[1024];
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return false;
    n = read(fd, text, sizeof(text) - 1);
    if (fstat(fd, &sb) != 0)
        n = -1;
    close(fd);
    if (n <= 0)
        return false;
    text[n] = '\0';
    if (!parse_holder(text, h, token, token_len))
        return false;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    h->age = (double)(now.tv_sec - sb.st_mtim.tv_sec) +
             1e-9 * (double)(now.tv_nsec - sb.st_mtim.tv_nsec);
    if (h->age < 0)
        h->age = 0;
    /* a process of this host is alive or not, whatever the age; one of
     * another host is trusted while it keeps touching the file */
    char host[256];
    this_host(host, sizeof(host));
    if (!strcmp(host, h->host))
        h->live = kill((pid_t)h->pid, 0) == 0 || errno == EPERM;
    else
        h->live = h->age < MLP_LOCK_LEASE_SECONDS;
    return true;
}

bool mlp_lock_read(const char *runs_dir, const char *name, mlp_lock_holder *h)
{
    char *path = join(runs_dir, "/", name);
    char *lock = path ? join(path, ".lock", "") : NULL;
    bool ok = lock && read_lock(lock, h, NULL, 0);
    free(lock);
    free(path);
    return ok;
}

void mlp_lock_describe(const mlp_lock_holder *h, char *buf, size_t len)
{
    snprintf(buf, len, "%s (host %s, pid %ld, lock touched %.0f s ago)",
             h->what[0] ? h->what : "a runner", h->host, h->pid, h->age);
}

static void *refresh_main(void *arg)
{
    mlp_lock *l = arg;

    pthread_mutex_lock(&l->mu);
    while (!l->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += MLP_LOCK_REFRESH_SECONDS;
        pthread_cond_timedwait(&l->cv, &l->mu, &until);
        if (!l->stop)
            utimensat(AT_FDCWD, l->path, NULL, 0);
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

/* Write this holder's file (a name of its own beside the lock). */
static char *write_mine(const mlp_lock *l, const char *what, mlp_error *err)
{
    char host[256], buf[1024];
    this_host(host, sizeof(host));
    char suffix[400];
    snprintf(suffix, sizeof(suffix), ".%s.%ld.%s", host, (long)getpid(), l->token);
    char *mine = join(l->path, suffix, "");
    if (!mine) {
        mlp_fail(err, MLP_ERR_NOMEM, "lock: out of memory");
        return NULL;
    }
    int n = snprintf(buf, sizeof(buf), "mlplab lock\nhost=%s\npid=%ld\nwhat=%s\ntoken=%s\n",
                     host, (long)getpid(), what, l->token);
    int fd = open(mine, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, buf, (size_t)n) != n || fsync(fd) != 0) {
        mlp_fail(err, MLP_ERR_IO, "%s: cannot write: %s", mine, strerror(errno));
        if (fd >= 0)
            close(fd);
        unlink(mine);
        free(mine);
        return NULL;
    }
    close(fd);
    return mine;
}

/* Move a stale lock out of the way, but only the very file judged stale:
 * another runner may have taken it over meanwhile. */
static void remove_stale(const mlp_lock *l, const char *stale_token)
{
    char *aside = join(l->path, ".stale.", l->token);
    mlp_lock_holder h;
    char token[40];

    if (!aside)
        return;
    if (rename(l->path, aside) == 0) {
        if (read_lock(aside, &h, token, sizeof(token)) && strcmp(token, stale_token) != 0) {
            /* not the one we judged: put it back (it wins if it is live) */
            if (link(aside, l->path) != 0) {
                /* someone else holds it now: theirs stands */
            }
        }
        unlink(aside);
    }
    free(aside);
}

static void make_token(char *token, size_t len)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^
                 ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)token;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    snprintf(token, len, "%016llx", (unsigned long long)x);
}

mlp_status mlp_lock_take(const char *runs_dir, const char *name, const char *what,
                         mlp_lock **out, char *note, size_t note_len, mlp_error *err)
{
    mlp_lock *l = calloc(1, sizeof(*l));
    char *base = join(runs_dir, "/", name), *mine = NULL;
    mlp_status st = MLP_OK;

    if (note && note_len)
        note[0] = '\0';
    if (!l || !base || !(l->path = join(base, ".lock", ""))) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "lock: out of memory");
        goto fail;
    }
    make_token(l->token, sizeof(l->token));
    if (!(mine = write_mine(l, what, err))) {
        st = err ? err->code : MLP_ERR_IO;
        goto fail;
    }
    for (int attempt = 0;; attempt++) {
        if (link(mine, l->path) == 0)
            break;
        if (errno != EEXIST) {
            st = mlp_fail(err, MLP_ERR_IO, "%s: cannot create: %s", l->path, strerror(errno));
            goto fail;
        }
        mlp_lock_holder h;
        char token[40], who[512];
        if (!read_lock(l->path, &h, token, sizeof(token))) {
            if (attempt < 50) {  /* being replaced right now, or not ours: look again */
                struct timespec pause = {0, 20 * 1000 * 1000};
                nanosleep(&pause, NULL);
                continue;
            }
            st = mlp_fail(err, MLP_ERR_EXISTS, "%s exists but is not an mlplab lock: remove it "
                          "if no runner uses this folder", l->path);
            goto fail;
        }
        mlp_lock_describe(&h, who, sizeof(who));
        if (h.live || attempt >= 3) {
            st = mlp_fail(err, MLP_ERR_EXISTS, "%s: %s is writing these runs: wait for it to "
                          "end or stop it (a lock is taken over once its process is gone from "
                          "this host, or after %d s untouched)", l->path, who,
                          MLP_LOCK_LEASE_SECONDS);
            goto fail;
        }
        if (note && note_len)
            snprintf(note, note_len, "took over the stale lock %s of %s", l->path, who);
        remove_stale(l, token);
    }
    unlink(mine);
    free(mine);
    free(base);
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    l->has_thread = pthread_create(&l->thread, NULL, refresh_main, l) == 0;
    *out = l;
    return MLP_OK;
fail:
    if (mine) {
        unlink(mine);
        free(mine);
    }
    free(base);
    if (l)
        free(l->path);
    free(l);
    return st;
}

void mlp_lock_release(mlp_lock *l)
{
    mlp_lock_holder h;
    char token[40];

    if (!l)
        return;
    if (l->has_thread) {
        pthread_mutex_lock(&l->mu);
        l->stop = true;
        pthread_cond_signal(&l->cv);
        pthread_mutex_unlock(&l->mu);
        pthread_join(l->thread, NULL);
    }
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cv);
    if (read_lock(l->path, &h, token, sizeof(token)) && !strcmp(token, l->token))
        unlink(l->path);
    free(l->path);
    free(l);
}

bool mlp_lock_any_live(const char *runs_dir, const char *prefix, const mlp_lock *self,
                       mlp_lock_holder *h)
{
    DIR *d = opendir(runs_dir);
    struct dirent *e;
    bool found = false;
    size_t np = strlen(prefix);

    if (!d)
        return false;
    while (!found && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, np) != 0 || n < 5 || strcmp(e->d_name + n - 5, ".lock"))
            continue;
        char *path = join(runs_dir, "/", e->d_name);
        char token[40];
        if (path && read_lock(path, h, token, sizeof(token)) && h->live &&
            !(self && !strcmp(token, self->token)))
            found = true;
        free(path);
    }
    closedir(d);
    return found;
}
