/* compare.c -- what the kind checks share besides gradients: guard values past
 * output buffers, byte comparison, the finite-output series over extreme inputs
 * and the concurrency check's tally and report. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check/internal.h"

/* Magnitudes of the finite-output check, in increasing order. */
const double mlp_extreme_mags[N_MAGS] = {50.0, 700.0, 1e6};

void mlp_canary_set(double *p, size_t n)
{
    for (size_t i = 0; i < CANARY; i++)
        p[n + i] = -7.25e77;
}

bool mlp_canary_ok(const double *p, size_t n)
{
    for (size_t i = 0; i < CANARY; i++)
        if (p[n + i] != -7.25e77)
            return false;
    return true;
}

/* Index of the first differing double of a and b (n of them), or n. */
size_t mlp_diff_first(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof(double)) != 0)
            return i;
    return n;
}

size_t mlp_diff_count(const double *a, const double *b, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        k += memcmp(&a[i], &b[i], sizeof(double)) != 0;
    return k;
}

bool mlp_close(double a, double b)
{
    if (a == b || (isnan(a) && isnan(b)))
        return true;
    return fabs(a - b) <= 1e-12 * fmax(fabs(a), fabs(b));
}

/* Values v[j] at inputs sign * mags[j]: NaN fails; Inf fails unless
 * `may_overflow` and |v| at the previous magnitude already exceeds its square. */
void mlp_finite_series(finite_acc *f, const char *fn, const char *var, double sign,
                       const double *mags, const double *v, size_t n, bool may_overflow,
                       const char *set)
{
    for (size_t j = 0; j < n; j++) {
        double x = sign * mags[j];
        f->points++;
        if (isfinite(v[j]) || f->failed)
            continue;
        if (isinf(v[j]) && may_overflow && j > 0 &&
            fabs(v[j - 1]) > mags[j - 1] * mags[j - 1]) {
            if (!f->overflow[0])
                snprintf(f->overflow, sizeof(f->overflow),
                         "; %s overflows to %g at %s=%g, accepted: it grows faster than %s^2 "
                         "(%g at %s=%g)", fn, v[j], var, x, var, v[j - 1], var,
                         sign * mags[j - 1]);
            continue;
        }
        f->failed = true;
        if (isnan(v[j]))
            snprintf(f->what, sizeof(f->what), "%s gives nan at %s=%g%s", fn, var, x, set);
        else if (j > 0)
            snprintf(f->what, sizeof(f->what),
                     "%s gives %g at %s=%g%s although it is only %g at %s=%g: compute it in a "
                     "form that cannot overflow", fn, v[j], var, x, set, v[j - 1], var,
                     sign * mags[j - 1]);
        else
            snprintf(f->what, sizeof(f->what), "%s gives %g at %s=%g%s", fn, v[j], var, x, set);
    }
}

void mlp_diff_note(thread_diff *t, const double *got, const double *want, const double *at,
                   size_t n, int what)
{
    size_t k = mlp_diff_count(got, want, n);

    if (!k)
        return;
    if (!t->count) {
        size_t i = mlp_diff_first(got, want, n);
        t->index = i;
        t->what = what;
        t->got = got[i];
        t->want = want[i];
        t->at = at ? at[i] : NAN;
    }
    t->count += k;
}

/* Report the concurrency check's outcome over nt threads. */
void mlp_threads_report(checker *c, const thread_diff *td, int nt, size_t per_call,
                        const char *const *names, const char *var, const char *calls,
                        const char *shapes)
{
    size_t total = 0, values = per_call * (size_t)nt * THREAD_REPS;
    int first = -1;

    for (int t = 0; t < nt; t++) {
        total += td[t].count;
        if (td[t].count && first < 0)
            first = t;
    }
    if (first >= 0) {
        const thread_diff *f = &td[first];
        mlp_check_say(c, "results differ when %s from %d threads at once: %zu of %zu values differ "
            "from the single-threaded result; first: thread %d, "
            "%s", calls, nt, total, values, first,
            names[f->what]);
        if (!isnan(f->at))
            mlp_check_add(c, " at %s=%g", var, f->at);
        else
            mlp_check_add(c, " value %zu", f->index);
        mlp_check_add(c, ": %.17g vs %.17g alone (shared state, such as a static buffer or "
            "counter?)",
            f->got, f->want);
        mlp_check_emit(c, "threads", MLP_CHECK_FAIL, c->set[0].text, values, NAN, NAN, f->at);
        return;
    }
    mlp_check_say(c, "%d threads at once, %d calls each on their own inputs (%zu values per call), "
        "give the single-threaded bytes%s", nt, THREAD_REPS, per_call, shapes ? shapes : "");
    mlp_check_emit(c, "threads", MLP_CHECK_PASS, c->set[0].text, values, NAN, NAN, NAN);
}
