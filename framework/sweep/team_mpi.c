/* team_mpi.c -- the ranks of an MPI job as one sweep's workers: rank 0's
 * server thread hands out runs (largest first, in chunks that shrink with the
 * work left), every rank asks for more when its chunk is used up, and a few
 * small collectives agree on errors and the end.  Waits poll with a short
 * sleep: Open MPI's blocking calls spin, which would take a core from
 * training.
 *
 * Built as a module of its own (mlplab_mpi.so, linked with the MPI library)
 * that team.c loads only when the process was started by an MPI launcher: a
 * runner that is not part of an MPI job never maps the MPI libraries (2.5 ms
 * of every start on the test machine, bench/README.md).  Its one exported
 * symbol is the table of operations (sweep/team_ops.h). */
#include "sweep/team_ops.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpi.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

enum { TAG_REQ = 1, TAG_WORK = 2, TAG_DONE = 3 };

/* Runs in one answer at most (a chunk); the chunks shrink as the work left
 * does, down to one run. */
#define CHUNK_MAX 256
#define LINE_MAX_BYTES 1024
/* Stopping, rank 0 waits this long for a rank that has gone silent. */
#define GIVE_UP_SECONDS 5

/* A rank asking for work, and telling what it finished since it last asked. */
typedef struct req_msg {
    uint32_t threads;
    uint64_t finished;
} req_msg;

/* A rank done: its status, error, runs and line. */
typedef struct done_msg {
    int32_t rc;
    uint64_t n_ok, n_diverged;
    mlp_error err;
    char line[LINE_MAX_BYTES];
} done_msg;

struct mlp_team {
    int rank, size, local_size;
    MPI_Comm comm;                /* a duplicate of MPI_COMM_WORLD: ours alone */
    pthread_mutex_t mu;           /* everything below; and MPI calls on ranks > 0 */
    bool closed;                  /* hand out no more runs */
    bool exhausted;               /* no runs left for this rank */
    int threads;                  /* this rank's workers */

    /* rank 0: the queue, and the server thread answering the other ranks */
    const size_t *todo;
    size_t n_todo, next;
    const double *cost;
    double cost_left;
    long total_threads;           /* every rank's workers */
    pthread_t server;
    bool serving;
    int live;                     /* ranks > 0 not yet done */
    done_msg *done;               /* (size) what each rank said at its end */
    size_t remote_done;           /* runs the other ranks finished */
    const volatile sig_atomic_t *stop; /* rank 0 asked to stop (the launcher's SIGTERM) */

    /* ranks > 0: the chunk in hand, and what finished since the last ask */
    size_t chunk[CHUNK_MAX];
    size_t n_chunk, at_chunk;
    uint64_t finished;
};

/* Sleep ns nanoseconds, then double ns up to 1 ms (waits back off). */
static void nap(long *ns)
{
    struct timespec ts = {0, *ns};
    nanosleep(&ts, NULL);
    if (*ns < 1000000)
        *ns *= 2;
}

static void wait_gently(MPI_Request *rq)
{
    int done = 0;
    long ns = 10000;

    for (;;) {
        MPI_Test(rq, &done, MPI_STATUS_IGNORE);
        if (done)
            return;
        nap(&ns);
    }
}

static mlp_status team_join(mlp_team **team, mlp_error *err)
{
    int inited = 0, provided = 0;
    MPI_Comm local;

    *team = NULL;
    MPI_Initialized(&inited);
    if (!inited && MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
        return mlp_fail(err, MLP_ERR_RUNTIME, "MPI: cannot initialize");
    if (!inited && provided < MPI_THREAD_SERIALIZED) {
        MPI_Finalize();
        return mlp_fail(err, MLP_ERR_RUNTIME, "MPI: this MPI library gives no thread support "
                        "(MPI_THREAD_SERIALIZED); the runner's threads need it");
    }
    mlp_team *t = calloc(1, sizeof(*t));
    if (!t) {
        MPI_Finalize();
        return mlp_fail(err, MLP_ERR_NOMEM, "MPI: out of memory");
    }
    pthread_mutex_init(&t->mu, NULL);
    MPI_Comm_dup(MPI_COMM_WORLD, &t->comm);
    MPI_Comm_rank(t->comm, &t->rank);
    MPI_Comm_size(t->comm, &t->size);
    MPI_Comm_split_type(t->comm, MPI_COMM_TYPE_SHARED, t->rank, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, &t->local_size);
    MPI_Comm_free(&local);
    *team = t;
    return MLP_OK;
}

static void team_leave(mlp_team *t)
{
    if (!t)
        return;
    MPI_Comm_free(&t->comm);
    MPI_Finalize();
    pthread_mutex_destroy(&t->mu);
    free(t->done);
    free(t);
}

static int team_rank(const mlp_team *t)
{
    return t ? t->rank : 0;
}

static int team_size(const mlp_team *t)
{
    return t ? t->size : 1;
}

static int team_local_size(const mlp_team *t)
{
    return t && t->local_size > 0 ? t->local_size : 1;
}

/* The host's name, for messages. */
static void host_name(char *buf, size_t len)
{
    if (gethostname(buf, len) != 0)
        snprintf(buf, len, "unknown");
    buf[len - 1] = '\0';
}

static mlp_status team_agree(mlp_team *t, mlp_status rc, mlp_error *err)
{
    int mine = (int)rc, *all = calloc((size_t)t->size, sizeof(int));
    MPI_Request rq;
    mlp_error e;
    int first = -1;

    if (!all)
        return mlp_fail(err, MLP_ERR_NOMEM, "MPI: out of memory");
    MPI_Iallgather(&mine, 1, MPI_INT, all, 1, MPI_INT, t->comm, &rq);
    wait_gently(&rq);
    for (int r = 0; r < t->size && first < 0; r++)
        if (all[r] != MLP_OK)
            first = r;
    free(all);
    if (first < 0)
        return MLP_OK;
    mlp_error_clear(&e);
    if (t->rank == first && err)
        e = *err;
    if (t->rank == first && first != 0) {  /* say which rank, once, where it happened */
        char host[128], msg[sizeof(e.msg)];
        host_name(host, sizeof(host));
        snprintf(msg, sizeof(msg), "rank %d of %d (%.100s): %.1400s", first, t->size, host, e.msg);
        memcpy(e.msg, msg, sizeof(e.msg));
    }
    MPI_Ibcast(&e, (int)sizeof(e), MPI_BYTE, first, t->comm, &rq);
    wait_gently(&rq);
    if (err)
        *err = e;
    return e.code != MLP_OK ? e.code : MLP_ERR_RUNTIME;
}

static mlp_status team_same_identity(mlp_team *t, const char *hash, mlp_error *err)
{
    char root[65] = "";
    MPI_Request rq;
    mlp_status rc = MLP_OK;

    if (t->rank == 0)
        snprintf(root, sizeof(root), "%s", hash);
    MPI_Ibcast(root, (int)sizeof(root), MPI_CHAR, 0, t->comm, &rq);
    wait_gently(&rq);
    if (strcmp(root, hash) != 0)
        rc = mlp_fail(err, MLP_ERR_SPEC, "this rank's sweep is %.16s..., rank 0's is %.16s...: "
                      "the ranks must read the same spec and --set overrides, plugins, data "
                      "files and runner (a shared file system, the same build)", hash, root);
    return team_agree(t, rc, err);
}

/* Rank 0, under mu: up to max runs for a rank with `threads` workers, about
 * its share of half the work left (one run at least); 0 when none are left
 * or the team is closed. */
static size_t take_runs(mlp_team *t, size_t *out, size_t max, long threads)
{
    double target = t->cost_left * (double)threads / (2.0 * (double)t->total_threads), got = 0;
    size_t n = 0;

    if (t->closed)
        return 0;
    while (t->next < t->n_todo && n < max && (n == 0 || got < target)) {
        size_t k = t->todo[t->next++];
        out[n++] = k;
        got += t->cost[k];
    }
    t->cost_left -= got;
    return n;
}

/* Rank 0, stopping: the ranks that have not ended are taken for gone. */
static void give_up(mlp_team *t)
{
    pthread_mutex_lock(&t->mu);
    for (int r = 1; r < t->size; r++) {
        done_msg *d = &t->done[r];
        if (d->rc != 0 || d->line[0])
            continue;  /* it said how it ended */
        d->rc = MLP_ERR_INTERRUPTED;
        mlp_fail(&d->err, MLP_ERR_INTERRUPTED, "did not report its end within %d s of the stop "
                 "(gone?); the runs it finished are in its part files", GIVE_UP_SECONDS);
    }
    t->live = 0;
    t->closed = true;
    pthread_mutex_unlock(&t->mu);
}

/* Rank 0's server: answers requests for runs and collects the ends of the
 * other ranks, until every one has ended. */
static void *serve_main(void *arg)
{
    mlp_team *t = arg;
    long ns = 10000;
    uint64_t work[CHUNK_MAX + 1];
    time_t quiet_since = 0;  /* stopping: when the last message came */

    for (;;) {
        int flag = 0;
        MPI_Status s;
        pthread_mutex_lock(&t->mu);
        bool all_done = t->live == 0;
        pthread_mutex_unlock(&t->mu);
        if (all_done)
            break;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, t->comm, &flag, &s);
        if (!flag) {
            /* asked to stop (a rank died and the launcher stops the job, or
             * Ctrl-C): a rank silent for GIVE_UP_SECONDS is taken for gone */
            if (t->stop && *t->stop) {
                time_t now = time(NULL);
                if (!quiet_since)
                    quiet_since = now;
                if (now - quiet_since >= GIVE_UP_SECONDS) {
                    give_up(t);
                    break;
                }
            }
            nap(&ns);
            continue;
        }
        ns = 10000;
        quiet_since = 0;
        if (s.MPI_TAG == TAG_REQ) {
            req_msg r;
            size_t got[CHUNK_MAX];
            MPI_Recv(&r, (int)sizeof(r), MPI_BYTE, s.MPI_SOURCE, TAG_REQ, t->comm,
                     MPI_STATUS_IGNORE);
            pthread_mutex_lock(&t->mu);
            t->remote_done += r.finished;
            size_t n = take_runs(t, got, CHUNK_MAX, r.threads ? r.threads : 1);
            pthread_mutex_unlock(&t->mu);
            work[0] = n;
            for (size_t i = 0; i < n; i++)
                work[1 + i] = got[i];
            MPI_Send(work, (int)((n + 1) * sizeof(uint64_t)), MPI_BYTE, s.MPI_SOURCE, TAG_WORK,
                     t->comm);
        } else if (s.MPI_TAG == TAG_DONE) {
            done_msg d;
            MPI_Recv(&d, (int)sizeof(d), MPI_BYTE, s.MPI_SOURCE, TAG_DONE, t->comm,
                     MPI_STATUS_IGNORE);
            pthread_mutex_lock(&t->mu);
            t->done[s.MPI_SOURCE] = d;
            t->live--;
            if (d.rc != MLP_OK)
                t->closed = true;  /* a rank failed or was stopped: the sweep ends */
            pthread_mutex_unlock(&t->mu);
        } else {
            /* not ours: take it off the queue so the loop goes on */
            char junk[64];
            MPI_Recv(junk, (int)sizeof(junk), MPI_BYTE, s.MPI_SOURCE, s.MPI_TAG, t->comm,
                     MPI_STATUS_IGNORE);
        }
    }
    return NULL;
}

static mlp_status team_serve(mlp_team *t, const size_t *todo, size_t n, const double *cost,
                             int threads, const volatile sig_atomic_t *stop, mlp_error *err)
{
    long mine = threads > 0 ? threads : 1, total = 0;
    MPI_Request rq;

    t->threads = (int)mine;
    MPI_Iallreduce(&mine, &total, 1, MPI_LONG, MPI_SUM, t->comm, &rq);
    wait_gently(&rq);
    t->closed = false;
    t->exhausted = false;
    t->n_chunk = t->at_chunk = 0;
    t->finished = 0;
    if (t->rank != 0)
        return MLP_OK;
    free(t->done);
    if (!(t->done = calloc((size_t)t->size, sizeof(*t->done))))
        return mlp_fail(err, MLP_ERR_NOMEM, "MPI: out of memory");
    t->todo = todo;
    t->n_todo = n;
    t->next = 0;
    t->cost = cost;
    t->cost_left = 0;
    for (size_t i = 0; i < n; i++)
        t->cost_left += cost[todo[i]];
    t->total_threads = total;
    t->stop = stop;
    t->live = t->size - 1;
    t->remote_done = 0;
    if (pthread_create(&t->server, NULL, serve_main, t) != 0) {
        t->live = 0;
        return mlp_fail(err, MLP_ERR_RUNTIME, "MPI: cannot start the server thread");
    }
    t->serving = true;
    return MLP_OK;
}

/* A rank > 0, under mu: ask rank 0 for the next chunk. */
static void ask_for_runs(mlp_team *t)
{
    req_msg r = {.threads = (uint32_t)t->threads, .finished = t->finished};
    uint64_t work[CHUNK_MAX + 1];
    MPI_Request rq[2];
    int got = 0;
    MPI_Status s;

    t->finished = 0;
    MPI_Irecv(work, (int)sizeof(work), MPI_BYTE, 0, TAG_WORK, t->comm, &rq[1]);
    MPI_Isend(&r, (int)sizeof(r), MPI_BYTE, 0, TAG_REQ, t->comm, &rq[0]);
    wait_gently(&rq[0]);
    long ns = 10000;
    for (;;) {
        MPI_Test(&rq[1], &got, &s);
        if (got)
            break;
        nap(&ns);
    }
    t->n_chunk = (size_t)work[0];
    t->at_chunk = 0;
    for (size_t i = 0; i < t->n_chunk; i++)
        t->chunk[i] = (size_t)work[1 + i];
    if (t->n_chunk == 0)
        t->exhausted = true;
}

static bool team_next(mlp_team *t, size_t *k, const volatile sig_atomic_t *stop)
{
    bool got = false;

    pthread_mutex_lock(&t->mu);
    if (stop && *stop)
        t->closed = true;
    if (t->rank == 0) {
        got = !t->closed && take_runs(t, k, 1, 1) == 1;
    } else {
        if (t->at_chunk == t->n_chunk && !t->exhausted && !t->closed)
            ask_for_runs(t);
        if (!t->closed && t->at_chunk < t->n_chunk) {
            *k = t->chunk[t->at_chunk++];
            got = true;
        }
    }
    pthread_mutex_unlock(&t->mu);
    return got;
}

static void team_finished(mlp_team *t, bool diverged, double train_accuracy)
{
    (void)diverged;
    (void)train_accuracy;
    pthread_mutex_lock(&t->mu);
    t->finished++;
    pthread_mutex_unlock(&t->mu);
}

static void team_close(mlp_team *t)
{
    pthread_mutex_lock(&t->mu);
    t->closed = true;
    pthread_mutex_unlock(&t->mu);
}

static size_t team_remote_done(mlp_team *t)
{
    pthread_mutex_lock(&t->mu);
    size_t n = t->rank == 0 ? t->remote_done : 0;
    pthread_mutex_unlock(&t->mu);
    return n;
}

static mlp_status team_finish(mlp_team *t, mlp_status rc, const char *line, size_t *n_ok,
                              size_t *n_diverged, char **lines, mlp_error *err)
{
    MPI_Request rq;

    *lines = NULL;
    if (t->rank != 0) {
        done_msg d;
        memset(&d, 0, sizeof(d));
        d.rc = (int32_t)rc;
        d.n_ok = *n_ok;
        d.n_diverged = *n_diverged;
        if (rc != MLP_OK && err)
            d.err = *err;
        snprintf(d.line, sizeof(d.line), "%s", line ? line : "");
        MPI_Isend(&d, (int)sizeof(d), MPI_BYTE, 0, TAG_DONE, t->comm, &rq);
        wait_gently(&rq);
        return team_agree(t, rc, err);
    }
    if (t->serving) {
        pthread_join(t->server, NULL);
        t->serving = false;
    }
    /* every rank has ended: the first failure (rank order), the sums, the lines */
    size_t len = strlen(line ? line : "") + 2;
    for (int r = 1; r < t->size; r++)
        len += strlen(t->done[r].line) + 1;
    char *all = malloc(len);
    if (all) {
        size_t at = (size_t)snprintf(all, len, "%s\n", line ? line : "");
        for (int r = 1; r < t->size; r++)
            if (t->done[r].line[0])
                at += (size_t)snprintf(all + at, len - at, "%s\n", t->done[r].line);
    }
    *lines = all;
    mlp_status first = rc;
    for (int r = 1; r < t->size; r++) {
        *n_ok += t->done[r].n_ok;
        *n_diverged += t->done[r].n_diverged;
        if (first == MLP_OK && t->done[r].rc != MLP_OK) {
            first = t->done[r].rc;
            if (err) {
                *err = t->done[r].err;
                char msg[sizeof(err->msg)];
                snprintf(msg, sizeof(msg), "rank %d of %d: %.1500s", r, t->size, err->msg);
                memcpy(err->msg, msg, sizeof(msg));
                if (err->code == MLP_OK)
                    err->code = first;
            }
        }
    }
    /* the ranks > 0 learn the outcome from rank 0 (which says the same) */
    return team_agree(t, first, err);
}

/* The one symbol the module exports (team.c looks it up by this name). */
__attribute__((visibility("default"))) const mlp_team_ops mlplab_team_mpi_ops = {
    MLP_TEAM_OPS_VERSION, team_join, team_leave, team_rank, team_size, team_local_size,
    team_agree, team_same_identity, team_serve, team_next, team_finished, team_close,
    team_remote_done, team_finish,
};
