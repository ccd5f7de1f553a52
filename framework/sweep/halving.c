/* halving.c -- successive halving and Hyperband, deterministic: the runs of
 * a bracket train rung by rung; when every run of a rung has reached its
 * budget, the rung is ranked (metric, then run index) and the best 1/eta
 * continue from their saved state in memory while the others are recorded
 * as stopped by halving.  A decision is kept in the run folder before the
 * runs it stops are recorded, so that --resume replays it: a run it
 * promoted that has no record yet is trained again from the start to where
 * it was (the training loop gives the same numbers in one step or several),
 * and nothing depends on -j or on the order runs finish in. */
#include "base/thread_hook.h"
#include "sweep/internal.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DECISIONS_FILE "halving.decisions"

/* The decisions made so far: one line "bracket rung: k k k" per rung. */
typedef struct decisions {
    size_t n;
    size_t bracket[4096], rung[4096];
    size_t *promoted[4096];
    size_t n_promoted[4096];
} decisions;

static void decisions_free(decisions *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->promoted[i]);
    free(d);
}

/* Read <runs_dir>/halving.decisions (none: no decision yet). */
static decisions *decisions_read(const sweep_state *st, size_t n_runs)
{
    char path[4096];
    decisions *d = calloc(1, sizeof(*d));
    FILE *f;
    char line[1 << 16];

    if (!d)
        return NULL;
    /* only --resume replays them: a sweep started afresh (or with --force)
     * writes its own over whatever an earlier one left */
    snprintf(path, sizeof(path), "%s/" DECISIONS_FILE, st->runs_dir);
    if (!st->o->resume || !(f = fopen(path, "r")))
        return d;
    while (d->n < 4096 && fgets(line, sizeof(line), f)) {
        size_t b, r, cap = 16, n = 0;
        int used;
        char *p = line;
        if (sscanf(p, "%zu %zu:%n", &b, &r, &used) != 2)
            continue;
        p += used;
        size_t *list = malloc(cap * sizeof(*list));
        for (size_t k; list && sscanf(p, "%zu%n", &k, &used) == 1; p += used) {
            if (k >= n_runs)
                continue;
            if (n == cap) {
                size_t *g = realloc(list, 2 * cap * sizeof(*list));
                if (!g)
                    break;
                list = g;
                cap *= 2;
            }
            list[n++] = k;
        }
        d->bracket[d->n] = b;
        d->rung[d->n] = r;
        d->promoted[d->n] = list;
        d->n_promoted[d->n] = n;
        d->n++;
    }
    fclose(f);
    return d;
}

static const decisions *find(const decisions *d, size_t b, size_t r, size_t *i)
{
    for (*i = 0; *i < d->n; ++*i)
        if (d->bracket[*i] == b && d->rung[*i] == r)
            return d;
    return NULL;
}

/* Keep the decisions, with one more, in the run folder. */
static mlp_status decisions_save(const sweep_state *st, decisions *d, size_t b, size_t r,
                                 const size_t *promoted, size_t n, mlp_error *err)
{
    mlp_sb sb = {0};

    if (d->n == 4096)
        return mlp_fail(err, MLP_ERR_RUNTIME, "halving: too many rungs");
    d->promoted[d->n] = malloc((n ? n : 1) * sizeof(size_t));
    if (!d->promoted[d->n])
        return mlp_fail(err, MLP_ERR_NOMEM, "halving: out of memory");
    memcpy(d->promoted[d->n], promoted, n * sizeof(size_t));
    d->bracket[d->n] = b;
    d->rung[d->n] = r;
    d->n_promoted[d->n] = n;
    d->n++;
    for (size_t i = 0; i < d->n; i++) {
        mlp_sb_printf(&sb, "%zu %zu:", d->bracket[i], d->rung[i]);
        for (size_t j = 0; j < d->n_promoted[i]; j++)
            mlp_sb_printf(&sb, " %zu", d->promoted[i][j]);
        mlp_sb_puts(&sb, "\n");
    }
    char *text = mlp_sb_take(&sb);
    if (!text)
        return mlp_fail(err, MLP_ERR_NOMEM, "halving: out of memory");
    mlp_status rc = mlp_sweep_save_note(st, DECISIONS_FILE, text, err);
    free(text);
    return rc;
}

static double metric_of(const mlp_train_now *now, mlp_halving_metric m)
{
    switch (m) {
    case MLP_METRIC_TEST_ACCURACY: return now->test_accuracy;
    case MLP_METRIC_TEST_LOSS: return now->test_loss;
    case MLP_METRIC_VALIDATION_ACCURACY: return now->validation_accuracy;
    case MLP_METRIC_TRAIN_ACCURACY: return now->train_accuracy;
    case MLP_METRIC_TRAIN_LOSS: return now->train_loss;
    }
    return NAN;
}

static bool contains(const size_t *list, size_t n, size_t k)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == k)
            return true;
    return false;
}

/* The state of one bracket's rung as its workers share it. */
typedef struct rung_job {
    sweep_state *st;
    const halving_io *io;
    one_run **runs;            /* (n_runs) the runs in memory, or NULL */
    size_t bracket, rung, budget;
    int failed;
    mlp_status rc;
    mlp_error *err;
} rung_job;

static void job_fail(rung_job *j, mlp_status rc, const mlp_error *e)
{
#pragma omp critical(mlplab_progress)
    {
        if (rc != MLP_ERR_INTERRUPTED && j->rc == MLP_OK) {
            j->rc = rc;
            if (j->err)
                *j->err = *e;
        }
        j->failed = 1;
    }
}

/* Run k recorded: halted by halving, or ended on its own. */
static void record(rung_job *j, size_t k, bool halted, mlp_results_journal *journal)
{
    one_run *r = j->runs[k];
    run_outcome ro = {0};
    mlp_error e;
    mlp_status rc;

    mlp_error_clear(&e);
    mlp_sweep_run_mark(r, j->bracket, j->rung - j->bracket, j->budget);
    rc = mlp_sweep_run_end(j->st, r, halted, journal, &ro, &e);
    mlp_sweep_run_free(j->st, r);
    j->runs[k] = NULL;
    if (rc != MLP_OK) {
        job_fail(j, rc, &e);
        return;
    }
#pragma omp critical(mlplab_progress)
    j->io->finished(j->io->ctx, k, &ro);
}

/* Train each of list[0..n) to the rung's budget (begun from the start when
 * not in memory); a run that ends on its own is recorded; the others' metrics
 * go to value[i] and reached[i] is set.  With halt, every run is recorded as
 * halted there (a decision replayed on --resume). */
static void train_rung(rung_job *j, const size_t *list, size_t n, double *value, bool *reached,
                       bool halt)
{
    const mlp_halving *h = &j->st->spec->halving;

#pragma omp parallel for schedule(dynamic, 1) num_threads(j->io->threads)
    for (size_t i = 0; i < n; i++) {
        size_t k = list[i];
        mlp_results_journal *journal = j->io->journal[omp_get_thread_num()];
        mlp_error e;
        mlp_status rc = MLP_OK;
        bool ended = false, stop;

#pragma omp atomic read
        stop = j->failed;
        if (stop || j->io->stopping(j->io->ctx))
            continue;
        mlp_thread_started();
        mlp_error_clear(&e);
        if (!j->runs[k])
            rc = mlp_sweep_run_begin(j->st, k, &j->runs[k], &e);
        if (rc == MLP_OK)
            rc = mlp_sweep_run_advance(j->st, j->runs[k], j->budget, &ended, &e);
        if (rc != MLP_OK) {
            job_fail(j, rc, &e);
            continue;
        }
        if (ended || halt) {
            record(j, k, !ended, journal);
            continue;
        }
        mlp_train_now now;
        mlp_sweep_run_metrics(j->runs[k], &now);
        value[i] = metric_of(&now, h->metric);
        reached[i] = true;
    }
}

/* Record the runs of list[0..n) that a rung did not promote. */
static void halt_runs(rung_job *j, const size_t *list, size_t n)
{
#pragma omp parallel for schedule(dynamic, 1) num_threads(j->io->threads)
    for (size_t i = 0; i < n; i++) {
        bool stop;
#pragma omp atomic read
        stop = j->failed;
        if (!stop && !j->io->stopping(j->io->ctx) && j->runs[list[i]])
            record(j, list[i], true, j->io->journal[omp_get_thread_num()]);
    }
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Hyperband: how the runs are dealt to the brackets (their weights n_s). */
static void deal_line(mlp_sb *sb, const mlp_halving *h)
{
    if (h->brackets < 2)
        return;
    mlp_sb_puts(sb, "runs dealt to the brackets in proportion");
    for (size_t b = 0; b < h->brackets; b++)
        mlp_sb_printf(sb, "%s%llu", b ? ":" : " ", (unsigned long long)h->weight[b]);
    mlp_sb_puts(sb, " (Hyperband's n_s)\n");
}

/* The bracket table, from the decisions: entrants and promoted per rung. */
static char *bracket_table(const sweep_state *st, const decisions *d, const size_t *count)
{
    const mlp_halving *h = &st->spec->halving;
    const size_t n_runs = st->spec->plan.n_runs;
    mlp_sb sb = {0};
    double total = 0;

    mlp_sb_printf(&sb, "successive halving: eta %zu, metric %s, %zu bracket%s, rungs at", h->eta,
                  mlp_halving_metrics[h->metric], h->brackets, h->brackets == 1 ? "" : "s");
    for (size_t r = 0; r < h->n_rungs; r++)
        mlp_sb_printf(&sb, " %zu", h->budget[r]);
    mlp_sb_puts(&sb, " iterations\n");
    deal_line(&sb, h);
    mlp_sb_puts(&sb, "bracket  rung  iterations  runs  promoted\n");
    for (size_t b = 0; b < h->brackets; b++) {
        size_t entered = count[b], i;
        for (size_t r = b; r < h->n_rungs && entered > 0; r++) {
            size_t prev = r > b ? h->budget[r - 1] : 0;
            bool last = r + 1 == h->n_rungs;
            total += (double)entered * (double)(h->budget[r] - prev);
            mlp_sb_printf(&sb, "%7zu  %4zu  %10zu  %4zu  ", b, r, h->budget[r], entered);
            if (last || !find(d, b, r, &i)) {
                mlp_sb_puts(&sb, last ? "-\n" : "?\n");
                break;
            }
            mlp_sb_printf(&sb, "%zu:", d->n_promoted[i]);
            for (size_t m = 0; m < d->n_promoted[i]; m++)
                mlp_sb_printf(&sb, " %zu", d->promoted[i][m]);
            mlp_sb_puts(&sb, "\n");
            entered = d->n_promoted[i];
        }
    }
    mlp_sb_printf(&sb, "at most %.0f iterations (no run stopping on its own); the full budget "
                  "for every run: %.0f\n", total,
                  (double)n_runs * (double)h->budget[h->n_rungs - 1]);
    return mlp_sb_take(&sb);
}

mlp_status mlp_sweep_halving(sweep_state *st, const halving_io *io, char **table,
                             mlp_error *err)
{
    const mlp_halving *h = &st->spec->halving;
    const size_t n_runs = st->spec->plan.n_runs;
    size_t *entered = malloc((n_runs ? n_runs : 1) * sizeof(size_t));
    size_t *work = malloc((n_runs ? n_runs : 1) * sizeof(size_t));
    size_t *rest = malloc((n_runs ? n_runs : 1) * sizeof(size_t));
    double *value = malloc((n_runs ? n_runs : 1) * sizeof(double));
    bool *reached = malloc((n_runs ? n_runs : 1) * sizeof(bool));
    size_t *bracket = malloc((n_runs ? n_runs : 1) * sizeof(size_t));
    size_t count[MLP_HALVING_MAX_RUNGS] = {0};
    rung_job j = {.st = st, .io = io, .err = err};
    decisions *d = decisions_read(st, n_runs);
    mlp_status rc = MLP_OK;

    j.runs = calloc(n_runs ? n_runs : 1, sizeof(*j.runs));
    if (!entered || !work || !rest || !value || !reached || !bracket || !j.runs || !d) {
        rc = mlp_fail(err, MLP_ERR_NOMEM, "halving: out of memory");
        goto out;
    }
    mlp_halving_assign(h, n_runs, bracket);
    for (size_t k = 0; k < n_runs; k++)
        count[bracket[k]]++;
    for (size_t b = 0; b < h->brackets && rc == MLP_OK; b++) {
        size_t n_in = 0;
        for (size_t k = 0; k < n_runs; k++)
            if (bracket[k] == b)
                entered[n_in++] = k;
        for (size_t r = b; r < h->n_rungs && n_in > 0; r++) {
            size_t n_work = 0, n_rest = 0, i;
            bool last = r + 1 == h->n_rungs;
            j.bracket = b;
            j.rung = r;
            j.budget = h->budget[r];
            for (size_t m = 0; m < n_in; m++)
                if (!io->done[entered[m]])
                    work[n_work++] = entered[m];
            if (!last && find(d, b, r, &i)) {
                /* decided before --resume: the runs it stopped that have no
                 * record yet are trained to the rung and recorded */
                for (size_t m = 0; m < n_work; m++)
                    if (!contains(d->promoted[i], d->n_promoted[i], work[m]))
                        rest[n_rest++] = work[m];
                train_rung(&j, rest, n_rest, value, reached, true);
                if (j.failed || io->stopping(io->ctx))
                    break;
                n_in = d->n_promoted[i];
                memcpy(entered, d->promoted[i], n_in * sizeof(size_t));
                continue;
            }
            for (size_t m = 0; m < n_work; m++) {
                value[m] = NAN;
                reached[m] = false;
            }
            train_rung(&j, work, n_work, value, reached, last);
            if (j.failed || io->stopping(io->ctx) || last)
                break;
            /* the rung is complete: rank the runs that reached its budget */
            for (size_t m = 0; m < n_work; m++)
                if (reached[m]) {
                    rest[n_rest] = work[m];
                    value[n_rest++] = value[m];
                }
            mlp_halving_rank(rest, value, n_rest, mlp_halving_maximize(h->metric));
            size_t keep = mlp_halving_keep(h, n_in);
            keep = keep < n_rest ? keep : n_rest;
            qsort(rest, keep, sizeof(size_t), cmp_size);
            if ((rc = decisions_save(st, d, b, r, rest, keep, err)) != MLP_OK)
                break;
            halt_runs(&j, rest + keep, n_rest - keep);
            if (j.failed || io->stopping(io->ctx))
                break;
            n_in = keep;
            memcpy(entered, rest, keep * sizeof(size_t));
        }
        if (j.failed || io->stopping(io->ctx))
            break;
    }
    if (rc == MLP_OK)
        rc = j.rc;
    if (rc == MLP_OK && table && !io->stopping(io->ctx))
        *table = bracket_table(st, d, count);
out:
    free(bracket);
    for (size_t k = 0; j.runs && k < n_runs; k++)
        mlp_sweep_run_free(st, j.runs[k]);
    free(j.runs);
    free(entered);
    free(work);
    free(rest);
    free(value);
    free(reached);
    if (d)
        decisions_free(d);
    return rc;
}

char *mlp_sweep_halving_plan(const mlp_spec *spec)
{
    const mlp_halving *h = &spec->halving;
    const size_t n_runs = spec->plan.n_runs;
    size_t runs[MLP_HALVING_MAX_RUNGS], count[MLP_HALVING_MAX_RUNGS];
    mlp_sb sb = {0};
    double total = 0;

    mlp_sb_printf(&sb, "successive halving: eta %zu, metric %s, %zu bracket%s\n", h->eta,
                  mlp_halving_metrics[h->metric], h->brackets, h->brackets == 1 ? "" : "s");
    deal_line(&sb, h);
    mlp_sb_puts(&sb, "bracket  rung  iterations  runs\n");
    mlp_halving_counts(h, n_runs, count);
    for (size_t b = 0; b < h->brackets; b++) {
        total += mlp_halving_plan(h, b, count[b], runs);
        for (size_t r = b; r < h->n_rungs; r++)
            if (runs[r])
                mlp_sb_printf(&sb, "%7zu  %4zu  %10zu  %4zu\n", b, r, h->budget[r], runs[r]);
    }
    mlp_sb_printf(&sb, "at most %.0f iterations (%.1f%% of %.0f, every run's full budget)\n",
                  total, 100.0 * total / ((double)n_runs * (double)h->budget[h->n_rungs - 1]),
                  (double)n_runs * (double)h->budget[h->n_rungs - 1]);
    return mlp_sb_take(&sb);
}
