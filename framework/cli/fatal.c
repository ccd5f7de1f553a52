/* fatal.c -- a sweep's fatal signals (a plugin that crashes in a worker):
 * one line on stderr naming the run and the plugin function under way
 * (sweep/fault.c keeps that state), then the signal's earlier action, so the
 * process still dies by the signal.  The handler only reads memory and calls
 * write(2), sigaction(2) and raise(3), all async-signal-safe. */
#define _XOPEN_SOURCE 700 /* SA_SIGINFO, siginfo_t */
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define N_FATAL (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

static struct sigaction g_before[N_FATAL]; /* each signal's action before install */
static bool g_installed;
static bool g_newline;                     /* stderr is a terminal: end a progress bar first */
static char g_tail[1024];                  /* what follows the note on its line */

static void write_all(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void on_fatal(int sig, siginfo_t *si, void *uctx)
{
    char line[2048];
    size_t n;

    (void)uctx;
    if (g_newline)
        write_all("\n", 1);
    n = mlp_sweep_fault_note(sig, line, sizeof(line));
    write_all(line, n);
    write_all(g_tail, strlen(g_tail));
    write_all("\n", 1);
    for (size_t i = 0; i < N_FATAL; i++)
        if (fatal_signals[i] == sig)
            sigaction(sig, &g_before[i], NULL);
    /* A fault (si_code > 0: the kernel's) happens again when the handler
     * returns, under the action just restored; a signal that was sent
     * (abort, kill) is sent again, and arrives once the handler returns. */
    if (!si || si->si_code <= 0)
        raise(sig);
}

void mlp_cli_fatal_install(const char *tail, bool tty)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fatal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    size_t n = strlen(tail ? tail : "");
    if (n >= sizeof(g_tail))
        n = sizeof(g_tail) - 1;
    memcpy(g_tail, tail ? tail : "", n);
    g_tail[n] = '\0';
    g_newline = tty;
    for (size_t i = 0; i < N_FATAL; i++)
        sigaction(fatal_signals[i], &sa, &g_before[i]);
    g_installed = true;
}

void mlp_cli_fatal_uninstall(void)
{
    if (!g_installed)
        return;
    for (size_t i = 0; i < N_FATAL; i++)
        sigaction(fatal_signals[i], &g_before[i], NULL);
    g_installed = false;
}
