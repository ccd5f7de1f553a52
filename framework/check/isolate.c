/* isolate.c -- every check runs in a child process with a time limit, so a
 * plugin that crashes or hangs is reported instead of taking the checker down:
 * the child sends its lines through a pipe and marks each plugin call in a
 * shared page (which function, at which input), the parent reads both; and the
 * guard-page buffers that turn an overrun into such a crash. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check/internal.h"

/* One line or an error, as it travels from the child (one atomic write). */
typedef struct wire {
    int is_error;
    int status;                     /* an error's mlp_status */
    char check[32];
    int verdict;
    char setting[SET_LEN];
    size_t points;
    double max_abs, max_rel, at;
    char msg[MSG_LEN];
} wire;

_Static_assert(sizeof(wire) <= PIPE_BUF, "a line must travel in one atomic write");

static probe *child_probe; /* the shared page, in the child only */

/* The end of a check's child.  Library code never exits (tests/arch/layers.py),
 * and the child must not run the parent's atexit handlers either: it stops
 * itself with SIGKILL, and the parent learns whether the check finished from
 * the shared page (done), not from the exit status. */
static void end_child(void)
{
    for (;;) {
        kill(getpid(), SIGKILL);
        pause();
    }
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    if (child_probe) {
        child_probe->fault_addr = (uintptr_t)si->si_addr;
        child_probe->faulted = 1;
    }
    /* SA_RESETHAND: returning re-runs the access, which now kills */
}

static void wire_line(void *ctx, const mlp_check_line *l)
{
    int fd = *(int *)ctx;
    wire w;
    size_t off = 0;

    memset(&w, 0, sizeof(w));
    snprintf(w.check, sizeof(w.check), "%s", l->check);
    w.verdict = (int)l->verdict;
    snprintf(w.setting, sizeof(w.setting), "%s", l->setting);
    w.points = l->points;
    w.max_abs = l->max_abs;
    w.max_rel = l->max_rel;
    w.at = l->at;
    snprintf(w.msg, sizeof(w.msg), "%s", l->msg);
    while (off < sizeof(w)) {
        ssize_t k = write(fd, (char *)&w + off, sizeof(w) - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            end_child(); /* the parent is gone */
        off += (size_t)k;
    }
}

static const char *signal_name(int sig, char *buf, size_t len)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGABRT: return "SIGABRT";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGKILL: return "SIGKILL";
    default: snprintf(buf, len, "signal %d", sig); return buf;
    }
}

/* "z[7], one past the end of z (n=7)" when the fault hit a guard page. */
static bool fault_place(const probe *pr, char *buf, size_t len)
{
    const uintptr_t a = pr->fault_addr, ps = (uintptr_t)sysconf(_SC_PAGESIZE);

    if (!pr->faulted)
        return false;
    for (size_t i = 0; i < pr->n_bufs; i++) {
        const uintptr_t p = pr->buf[i].p, end = p + pr->buf[i].n * sizeof(double);
        if (a >= end && a < end + ps) {
            size_t idx = (a - p) / sizeof(double);
            snprintf(buf, len, "%s[%zu], %s the end of %s (n=%zu)", pr->buf[i].name, idx,
                     idx == pr->buf[i].n ? "one past" : "past", pr->buf[i].name, pr->buf[i].n);
            return true;
        }
        if (a < p && a + ps >= p) {
            size_t back = (p - a + sizeof(double) - 1) / sizeof(double);
            snprintf(buf, len, "%s[-%zu], before the start of %s (n=%zu)", pr->buf[i].name, back,
                     pr->buf[i].name, pr->buf[i].n);
            return true;
        }
    }
    return false;
}

/* "at z=1 (the first input of a call of n=211)", or "" outside a call. */
static void call_place(const probe *pr, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!pr->fn)
        return;
    if (!pr->var || isnan(pr->z))
        snprintf(buf, len, " (n=%zu)", pr->n);
    else if (pr->n == 1)
        snprintf(buf, len, " at %s=%g", pr->var, pr->z);
    else
        snprintf(buf, len, " at %s=%g (the first input of a call of n=%zu)", pr->var, pr->z,
                 pr->n);
}

/* The child is gone without finishing: say how and in which call. */
static void report_death(checker *c, const char *check, const probe *pr, int status,
                         bool timed_out)
{
    char place[160], where[256], sig[32];
    const char *fn = pr->fn ? pr->fn : "the plugin";

    call_place(pr, place, sizeof(place));
    if (timed_out) {
        if (pr->in_call)
            mlp_check_say(c, "%s did not return within %g s%s", fn, c->timeout, place);
        else
            mlp_check_say(c, "the %s check did not finish within %g s (its last plugin call: "
                "%s%s)", check, c->timeout, fn, place);
    } else if (WIFSIGNALED(status)) {
        const char *name = signal_name(WTERMSIG(status), sig, sizeof(sig));
        if (fault_place(pr, where, sizeof(where)))
            mlp_check_say(c, "%s crashed (%s) touching %s, with every buffer %s a guard page",
                fn, name, where, pr->guard_at_start ? "starting after" : "ending at");
        else if (pr->in_call)
            mlp_check_say(c, "%s crashed (%s)%s", fn, name, place);
        else
            mlp_check_say(c, "the %s check crashed (%s) after the plugin's %s%s returned: it "
                "wrote where it should not (heap or stack corruption)", check, name, fn, place);
    } else {
        mlp_check_say(c, "%s %s (exit status %d: see the report on stderr, e.g. a "
            "sanitizer's)%s", pr->in_call ? fn : "the check",
            pr->in_call ? "stopped the process" : "ended early", WEXITSTATUS(status), place);
    }
    mlp_check_emit_plain(c, check, MLP_CHECK_FAIL, "");
}

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Read one wire record into w: 1, 0 at the end, -1 on a short record. */
static int read_wire(int fd, wire *w)
{
    size_t off = 0;

    while (off < sizeof(*w)) {
        ssize_t k = read(fd, (char *)w + off, sizeof(*w) - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return off ? -1 : 0;
        off += (size_t)k;
    }
    return 1;
}

mlp_status mlp_check_isolated(checker *c, const char *check, mlp_check_fn fn, const void *arg,
                              mlp_error *err)
{
    const long ps = sysconf(_SC_PAGESIZE);
    probe *pr = mmap(NULL, (size_t)ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int fds[2], status = 0;
    bool timed_out = false, finished = false;
    mlp_status st = MLP_OK;
    pid_t pid;

    if (pr == MAP_FAILED)
        return mlp_fail(err, MLP_ERR_NOMEM, "check-plugin: cannot map a shared page");
    memset(pr, 0, sizeof(*pr));
    if (pipe(fds) != 0) {
        munmap(pr, (size_t)ps);
        return mlp_fail(err, MLP_ERR_IO, "check-plugin: pipe: %s", strerror(errno));
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        close(fds[0]), close(fds[1]), munmap(pr, (size_t)ps);
        return mlp_fail(err, MLP_ERR_IO, "check-plugin: fork: %s", strerror(errno));
    }
    if (pid == 0) {
        struct sigaction sa;
        mlp_error e;
        int fd = fds[1];

        close(fds[0]);
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = on_fault;
        sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        child_probe = pr;
        sigaction(SIGSEGV, &sa, NULL);
        sigaction(SIGBUS, &sa, NULL);
        c->probe = pr;
        c->line = wire_line;
        c->ctx = &fd;
        mlp_error_clear(&e);
        if ((st = fn(c, arg, &e)) != MLP_OK) {
            wire w;
            memset(&w, 0, sizeof(w));
            w.is_error = 1;
            w.status = (int)st;
            snprintf(w.msg, sizeof(w.msg), "%s", e.msg);
            if (write(fd, &w, sizeof(w)) != (ssize_t)sizeof(w))
                end_child();
        }
        pr->fn = NULL;
        pr->done = 1;
        end_child();
    }
    close(fds[1]);
    const double deadline = now_s() + c->timeout;
    for (;;) {
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        double left = deadline - now_s();
        wire w;
        int r;

        if (left <= 0) {
            timed_out = true;
            break;
        }
        r = poll(&p, 1, (int)ceil(left * 1e3));
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            continue; /* the deadline, seen at the top */
        if ((r = read_wire(fds[0], &w)) <= 0)
            break;
        if (w.is_error) {
            st = mlp_fail(err, (mlp_status)w.status, "%s", w.msg);
            continue;
        }
        snprintf(c->msg, sizeof(c->msg), "%s", w.msg);
        mlp_check_emit(c, w.check, (mlp_check_verdict)w.verdict, w.setting, w.points, w.max_abs,
                       w.max_rel, w.at);
    }
    if (timed_out)
        kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    close(fds[0]);
    finished = !timed_out && pr->done;
    if (!finished)
        report_death(c, check, pr, status, timed_out);
    munmap(pr, (size_t)ps);
    return st;
}

/* ---- the plugin's calls, marked in the shared page ---------------------- */

void mlp_probe_enter(checker *c, const char *fn, const char *var, const double *in, size_t n)
{
    probe *pr = c->probe;

    if (!pr)
        return;
    pr->fn = fn;
    pr->var = var;
    pr->n = n;
    pr->z = var && in && n ? in[0] : NAN;
    pr->in_call = 1;
}

void mlp_probe_leave(checker *c)
{
    if (c->probe)
        c->probe->in_call = 0;
}

/* ---- guard-page buffers -------------------------------------------------- */

double *mlp_guard_alloc(checker *c, gbuf *g, const char *name, size_t n, bool at_start)
{
    const size_t ps = (size_t)sysconf(_SC_PAGESIZE);
    const size_t data = (n * sizeof(double) + ps - 1) / ps * ps;
    char *m;

    memset(g, 0, sizeof(*g));
    g->len = data + ps;
    m = mmap(NULL, g->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    g->map = m;
    if (at_start) {
        mprotect(m, ps, PROT_NONE);
        g->p = (double *)(m + ps);
    } else {
        mprotect(m + data, ps, PROT_NONE);
        g->p = (double *)(m + data - n * sizeof(double));
    }
    if (c->probe && c->probe->n_bufs < MAX_GUARDED) {
        probe *pr = c->probe;
        snprintf(pr->buf[pr->n_bufs].name, sizeof(pr->buf[0].name), "%s", name);
        pr->buf[pr->n_bufs].p = (uintptr_t)g->p;
        pr->buf[pr->n_bufs].n = n;
        pr->n_bufs++;
        pr->guard_at_start = at_start;
    }
    return g->p;
}

void mlp_guard_free(checker *c, gbuf *g)
{
    if (g->map)
        munmap(g->map, g->len);
    if (c->probe)
        c->probe->n_bufs = 0;
    memset(g, 0, sizeof(*g));
}

/* ---- any function in a child --------------------------------------------- */

bool mlp_check_survives(void (*fn)(void *arg), void *arg, double timeout, char *why,
                        size_t why_len)
{
    const double limit = timeout > 0 ? timeout : DEFAULT_TIMEOUT, deadline = now_s() + limit;
    const size_t ps = (size_t)sysconf(_SC_PAGESIZE);
    volatile int *done = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int status = 0;
    char sig[32];
    bool ok;
    pid_t pid, r;

    if (done == MAP_FAILED) {
        snprintf(why, why_len, "could not be run apart (no shared page)");
        return false;
    }
    *done = 0;
    fflush(NULL);
    if ((pid = fork()) < 0) {
        snprintf(why, why_len, "could not be run apart (fork: %s)", strerror(errno));
        munmap((void *)done, ps);
        return false;
    }
    if (pid == 0) {
        fn(arg);
        *done = 1;
        end_child();
    }
    while ((r = waitpid(pid, &status, WNOHANG)) == 0 || (r < 0 && errno == EINTR)) {
        struct timespec t = {0, 5000000};
        if (now_s() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            snprintf(why, why_len, "did not return within %g s", limit);
            munmap((void *)done, ps);
            return false;
        }
        nanosleep(&t, NULL);
    }
    ok = *done;
    munmap((void *)done, ps);
    if (ok)
        return true;
    if (WIFSIGNALED(status))
        snprintf(why, why_len, "crashed (%s)", signal_name(WTERMSIG(status), sig, sizeof(sig)));
    else
        snprintf(why, why_len, "exited with status %d", WEXITSTATUS(status));
    return false;
}
