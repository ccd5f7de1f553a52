/* progress.c -- the sweep's progress on stderr: a bar on a terminal, one
 * line per run otherwise, and the notes a run leaves about its results. */
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "cli/cli.h"

static void fmt_duration(double s, char *buf, size_t n)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

void mlp_cli_progress(void *vctx, const mlp_sweep_progress *p)
{
    progress_ctx *c = vctx;
    char el[32], eta[32] = "?";
    size_t fresh = p->done - p->resumed;

    if (p->note)  /* shown even with -q: it is about the results, not progress */
        fprintf(stderr, "%snote: run %04zu: %s\n", c->drew ? "\r\033[K" : "", p->index,
                p->note);
    if (c->quiet)
        return;
    fmt_duration(p->elapsed, el, sizeof(el));
    if (fresh > 0 && p->done < p->total)
        fmt_duration(p->elapsed / (double)fresh * (double)(p->total - p->done), eta, sizeof(eta));
    else if (p->done == p->total)
        snprintf(eta, sizeof(eta), "0:00");
    if (c->tty) {
        const int width = 30;
        int fill = p->total ? (int)((double)width * (double)p->done / (double)p->total) : width;
        char bar[64];
        for (int i = 0; i < width; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[width] = '\0';
        fprintf(stderr, "\r[%s] %zu/%zu runs  elapsed %s  ETA %s  best train acc %.3f", bar,
                p->done, p->total, el, eta, p->best_train_accuracy);
        if (p->diverged)
            fprintf(stderr, "  diverged %zu", p->diverged);
        fprintf(stderr, "\033[K");
        c->drew = true;
        fflush(stderr);
    } else {
        fprintf(stderr, "run %04zu %s (%zu/%zu): train acc %.4f, loss %.6g, %.2f s; elapsed %s, "
                "ETA %s, best train acc %.4f\n",
                p->index, p->status ? "diverged" : "ok", p->done, p->total, p->train_accuracy,
                p->final_loss, p->wall_seconds, el, eta, p->best_train_accuracy);
    }
}

static double now_seconds(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void mlp_cli_preparing(void *vctx, size_t done, size_t total)
{
    progress_ctx *c = vctx;
    double t = now_seconds();
    char el[32], eta[32];

    if (c->quiet)
        return;
    if (c->first == 0) {
        c->first = t;
        c->last = t - 60;  /* the first line comes at 2 s */
        return;
    }
    if (t - c->first < 2.0 || t - c->last < (c->tty ? 0.25 : 10.0))
        return;
    c->last = t;
    fmt_duration(t - c->first, el, sizeof(el));
    fmt_duration((t - c->first) / (double)done * (double)(total - done), eta, sizeof(eta));
    fprintf(stderr, "%sresolving the runs before training: %zu of %zu (%.1f%%), elapsed %s, "
            "ETA %s%s", c->tty ? "\r" : "", done, total, 100.0 * (double)done / (double)total,
            el, eta, c->tty ? "\033[K" : "\n");
    c->drew = c->tty;
    fflush(stderr);
}
