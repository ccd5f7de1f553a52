/* activation.c -- the checks of an activation plugin: gradient, finite output
 * over the whole double range, determinism, in-place use, threads, buffer
 * bounds, dense continuity, call shapes and parameters that change nothing.
 * Each check runs in a child process (isolate.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "check/internal.h"
#include "train/model.h"

/* The plugin's functions, each call marked in the shared page. */
static void fwd(checker *c, const double *z, double *a, size_t n, const mlp_param_value *p)
{
    mlp_probe_enter(c, "forward", "z", z, n);
    c->pl->d.act->forward(z, a, n, p);
    mlp_probe_leave(c);
}

static void bwd(checker *c, const double *z, const double *a, const double *da, double *dz,
                size_t n, const mlp_param_value *p)
{
    mlp_probe_enter(c, "backward", "z", z, n);
    c->pl->d.act->backward(z, a, da, dz, n, p);
    mlp_probe_leave(c);
}

/* Fixed inputs first, in the order a failure is best reported at (ties go to
 * the first point): moderate values, then large, small, zero and tiny. */
static const double fixed_inputs[] = {1.0, -1.0, 5.0, -5.0, 50.0, -50.0,
                                      1e-3, -1e-3, 0.0, 1e-8, -1e-8};
#define N_FIXED (sizeof(fixed_inputs) / sizeof(fixed_inputs[0]))
#define N_GRAD (N_FIXED + N_RANDOM)

/* The gradient check's inputs: the fixed points, then uniform in [-10, 10]. */
static void act_inputs(double *z)
{
    mlp_rng r;

    memcpy(z, fixed_inputs, sizeof(fixed_inputs));
    mlp_rng_init(&r, CHECK_SEED, 0, 0);
    for (size_t i = N_FIXED; i < N_GRAD; i++)
        z[i] = 20.0 * mlp_rng_uniform(&r) - 10.0;
}

static void act_gradient(checker *c, const setting *s)
{
    double z[N_GRAD], zp[N_GRAD], zm[N_GRAD], ap[N_GRAD], am[N_GRAD], da[N_GRAD];
    double a[N_GRAD + CANARY], dz[N_GRAD + CANARY];
    char where[SET_LEN + 8];
    const char *at = mlp_check_in_setting(s, where, sizeof(where));
    grad_acc g;
    mlp_rng r;

    act_inputs(z);
    mlp_rng_init(&r, CHECK_SEED, 1, 0);
    for (size_t i = 0; i < N_GRAD; i++) {
        double h = STEP * fmax(1.0, fabs(z[i]));
        zp[i] = z[i] + h;
        zm[i] = z[i] - h;
        da[i] = 0.5 + mlp_rng_uniform(&r); /* a chain-rule factor, not just 1 */
    }
    mlp_canary_set(a, N_GRAD);
    mlp_canary_set(dz, N_GRAD);
    fwd(c, z, a, N_GRAD, s->v);
    fwd(c, zp, ap, N_GRAD, s->v);
    fwd(c, zm, am, N_GRAD, s->v);
    bwd(c, z, a, da, dz, N_GRAD, s->v);
    if (!mlp_canary_ok(a, N_GRAD) || !mlp_canary_ok(dz, N_GRAD)) {
        mlp_check_say(c, "%s writes past the end of its output (n = %zu)%s",
            mlp_canary_ok(a, N_GRAD) ? "backward" : "forward", (size_t)N_GRAD, at);
        mlp_check_emit_plain(c, "gradient", MLP_CHECK_FAIL, s->text);
        return;
    }
    mlp_grad_init(&g);
    for (size_t i = 0; i < N_GRAD; i++)
        mlp_grad_point(&g, z[i], zp[i], zm[i], a[i], ap[i], am[i], dz[i] / da[i]);

    if (g.fails) {
        mlp_check_say(c, "backward disagrees with forward's central differences at %zu of %zu "
            "points%s: ",
            g.fails, g.points, at);
        if (g.w_kink)
            mlp_check_add(c, "worst at the kink z=%g: analytic f'(z) %.6g outside the one-sided "
                "slopes [%.6g, %.6g]", g.w_z, g.w_ana, g.w_lo, g.w_hi);
        else
            mlp_check_add(c, "worst at z=%g: analytic f'(z) %.6g vs numeric %.6g (abs err %.3g, "
                "rel err %.3g)", g.w_z, g.w_ana, g.w_num, g.w_abs, g.w_rel);
        mlp_grad_diagnose(c, &g, "z", 0);
        mlp_check_emit(c, "gradient", MLP_CHECK_FAIL, s->text, g.points, g.max_abs, g.max_rel,
                       g.w_z);
        return;
    }
    if ((double)g.kinks > KINK_SHARE * (double)g.points) {
        mlp_check_say(c, "forward has kinks at %zu of %zu points%s: not smooth enough at step h = "
            "1e-6 max(1, |z|) for a gradient check", g.kinks, g.points, at);
        mlp_grad_kinks(c, &g, "z");
        mlp_check_emit(c, "gradient", MLP_CHECK_FAIL, s->text, g.points, g.max_abs, g.max_rel,
                       g.at);
        return;
    }
    mlp_check_say(c, "backward matches forward's central differences at %zu points%s: max abs err "
        "%.3g, max rel err %.3g (worst at z=%g)", g.checked, at, g.max_abs, g.max_rel, g.at);
    mlp_grad_kinks(c, &g, "z");
    mlp_check_emit(c, "gradient", MLP_CHECK_PASS, s->text, g.points, g.max_abs, g.max_rel, g.at);
}

/* Inputs of the determinism and in-place checks: gradient inputs and extremes. */
#define N_DET (N_GRAD + 2 * N_MAGS)
static void det_inputs(double *z, double *da)
{
    mlp_rng r;

    act_inputs(z);
    for (size_t j = 0; j < N_MAGS; j++) {
        z[N_GRAD + 2 * j] = mlp_extreme_mags[j];
        z[N_GRAD + 2 * j + 1] = -mlp_extreme_mags[j];
    }
    mlp_rng_init(&r, CHECK_SEED, 2, 0);
    for (size_t i = 0; i < N_DET; i++)
        da[i] = 2.0 * mlp_rng_uniform(&r) - 1.0;
}

static void act_determinism(checker *c)
{
    double z[N_DET], da[N_DET], a1[N_DET], a2[N_DET], dz1[N_DET], dz2[N_DET];

    det_inputs(z, da);
    for (size_t k = 0; k < c->n_set; k++) {
        const setting *s = &c->set[k];
        char where[SET_LEN + 8];
        size_t i;

        fwd(c, z, a1, N_DET, s->v);
        fwd(c, z, a2, N_DET, s->v);
        bwd(c, z, a1, da, dz1, N_DET, s->v);
        bwd(c, z, a1, da, dz2, N_DET, s->v);
        if ((i = mlp_diff_first(a1, a2, N_DET)) < N_DET) {
            mlp_check_say(c, "forward gives different results for the same input: %zu of %zu "
                "values differ, first at z=%g%s: %.17g then %.17g",
                mlp_diff_count(a1, a2, N_DET), (size_t)N_DET, z[i],
                mlp_check_in_setting(s, where, sizeof(where)), a1[i], a2[i]);
            mlp_check_emit(c, "determinism", MLP_CHECK_FAIL, s->text, N_DET, NAN, NAN, z[i]);
            return;
        }
        if ((i = mlp_diff_first(dz1, dz2, N_DET)) < N_DET) {
            mlp_check_say(c, "backward gives different results for the same input: %zu of %zu "
                "values differ, first at z=%g%s: %.17g then %.17g",
                mlp_diff_count(dz1, dz2, N_DET), (size_t)N_DET, z[i],
                mlp_check_in_setting(s, where, sizeof(where)), dz1[i], dz2[i]);
            mlp_check_emit(c, "determinism", MLP_CHECK_FAIL, s->text, N_DET, NAN, NAN, z[i]);
            return;
        }
    }
    mlp_check_say(c, "forward and backward twice on %zu inputs give identical bytes (%zu "
        "setting%s)",
        (size_t)N_DET, c->n_set, c->n_set == 1 ? "" : "s");
    mlp_check_emit(c, "determinism", MLP_CHECK_PASS, "", N_DET * c->n_set, NAN, NAN, NAN);
}

static void act_inplace(checker *c)
{
    double z[N_DET], da[N_DET], a[N_DET], dz[N_DET], buf[N_DET];
    const uint32_t fl = c->pl->d.act->flags;
    const bool fwd_ip = fl & MLP_ACT_FORWARD_INPLACE, bwd_ip = fl & MLP_ACT_BACKWARD_INPLACE;
    bool fwd_ok = true, bwd_ok = true;

    det_inputs(z, da);
    for (size_t k = 0; k < c->n_set && (fwd_ok || bwd_ok); k++) {
        const setting *s = &c->set[k];
        char where[SET_LEN + 8];
        size_t i;

        fwd(c, z, a, N_DET, s->v);
        bwd(c, z, a, da, dz, N_DET, s->v);
        if (fwd_ip && fwd_ok) {
            memcpy(buf, z, sizeof(buf));
            fwd(c, buf, buf, N_DET, s->v);
            if ((i = mlp_diff_first(buf, a, N_DET)) < N_DET) {
                fwd_ok = false;
                mlp_check_say(c, "forward is declared in place (MLP_ACT_FORWARD_INPLACE) but with "
                    "a == z %zu of %zu values differ from out of place, first at z=%g%s: %.17g in "
                    "place vs %.17g", mlp_diff_count(buf, a, N_DET), (size_t)N_DET, z[i],
                    mlp_check_in_setting(s, where, sizeof(where)), buf[i], a[i]);
                mlp_check_emit(c, "inplace", MLP_CHECK_FAIL, s->text, N_DET, NAN, NAN, z[i]);
            }
        }
        if (bwd_ip && bwd_ok) {
            memcpy(buf, da, sizeof(buf));
            bwd(c, z, a, buf, buf, N_DET, s->v);
            if ((i = mlp_diff_first(buf, dz, N_DET)) < N_DET) {
                bwd_ok = false;
                mlp_check_say(c, "backward is declared in place (MLP_ACT_BACKWARD_INPLACE) but "
                    "with dz == da %zu of %zu values differ from out of place, first at z=%g%s: "
                    "%.17g in place vs %.17g", mlp_diff_count(buf, dz, N_DET), (size_t)N_DET, z[i],
                    mlp_check_in_setting(s, where, sizeof(where)), buf[i], dz[i]);
                mlp_check_emit(c, "inplace", MLP_CHECK_FAIL, s->text, N_DET, NAN, NAN, z[i]);
            }
        }
    }
    if (fwd_ip && fwd_ok) {
        mlp_check_say(c, "forward with a == z gives the same bytes as out of place (%zu inputs, "
            "%zu setting%s)", (size_t)N_DET, c->n_set, c->n_set == 1 ? "" : "s");
        mlp_check_emit(c, "inplace", MLP_CHECK_PASS, "", N_DET * c->n_set, NAN, NAN, NAN);
    } else if (!fwd_ip) {
        mlp_check_say(c, "forward in place (a == z) is not claimed (no MLP_ACT_FORWARD_INPLACE): "
            "not checked; the host always gives it separate buffers");
        mlp_check_emit_plain(c, "inplace", MLP_CHECK_NOTE, "");
    }
    if (bwd_ip && bwd_ok) {
        mlp_check_say(c, "backward with dz == da gives the same bytes as out of place (%zu inputs, "
            "%zu setting%s)", (size_t)N_DET, c->n_set, c->n_set == 1 ? "" : "s");
        mlp_check_emit(c, "inplace", MLP_CHECK_PASS, "", N_DET * c->n_set, NAN, NAN, NAN);
    } else if (!bwd_ip) {
        mlp_check_say(c, "backward in place (dz == da) is not claimed (no "
            "MLP_ACT_BACKWARD_INPLACE): not checked; the host always gives it separate buffers");
        mlp_check_emit_plain(c, "inplace", MLP_CHECK_NOTE, "");
    }
}

/* ---- finite output over the whole range ---------------------------------- */

/* Magnitudes of the finite check, ascending: 1 and 1.5 of every binade from
 * 2^-1074 to 2^1023, and steps of 1/64 around exp's overflow thresholds
 * (709.78 for exp(z), 745.13 for exp(-z) reaching 0). */
static size_t finite_mags(double *m)
{
    size_t n = 0;

    for (int e = -1074; e <= 1023; e++) {
        m[n++] = ldexp(1.0, e);
        if (e > -1074)
            m[n++] = ldexp(1.5, e);
    }
    for (int k = 0; k <= 128; k++) {
        m[n++] = 709.0 + k / 64.0;
        m[n++] = 744.5 + k / 64.0;
    }
    return n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define N_FINITE (2 * 2098 + 2 * 129)

static mlp_status act_finite(checker *c, const void *arg, mlp_error *err)
{
    double *m = malloc(5 * N_FINITE * sizeof(double));
    size_t n;
    finite_acc f;

    (void)arg;
    if (!m)
        return mlp_fail(err, MLP_ERR_NOMEM, "check-plugin: out of memory");
    double *z = m + N_FINITE, *a = z + N_FINITE, *da = a + N_FINITE, *dz = da + N_FINITE;
    n = finite_mags(m);
    qsort(m, n, sizeof(double), cmp_double);
    memset(&f, 0, sizeof(f));
    for (size_t k = 0; k < c->n_set && !f.failed; k++) {
        const setting *s = &c->set[k];
        char where[SET_LEN + 8];
        const char *at = mlp_check_in_setting(s, where, sizeof(where));
        for (int sg = 1; sg >= -1; sg -= 2) {
            for (size_t j = 0; j < n; j++) {
                z[j] = sg * m[j];
                da[j] = 1.0;
            }
            fwd(c, z, a, n, s->v);
            bwd(c, z, a, da, dz, n, s->v);
            mlp_finite_series(&f, "forward", "z", sg, m, a, n, true, at);
            mlp_finite_series(&f, "backward", "z", sg, m, dz, n, true, at);
        }
    }
    free(m);
    if (f.failed) {
        mlp_check_say(c, "%s", f.what);
        mlp_check_emit_plain(c, "finite", MLP_CHECK_FAIL, "");
        return MLP_OK;
    }
    mlp_check_say(c, "forward and backward are finite at +-1 and +-1.5 x 2^e for every e from "
        "-1074 to 1023 and in steps of 1/64 around +-709.78 and +-745.13 (%zu inputs, %zu "
        "setting%s)%s", 2 * n, c->n_set, c->n_set == 1 ? "" : "s", f.overflow);
    mlp_check_emit(c, "finite", MLP_CHECK_PASS, "", f.points, NAN, NAN, NAN);
    return MLP_OK;
}

/* ---- threads, at every call size the host uses ----------------------------- */

/* forward then backward over z[0..n) in calls of `chunk` values */
static void act_chunked(checker *c, const double *z, const double *da, double *a, double *dz,
                        const double *a_bwd, size_t n, size_t chunk, const mlp_param_value *p)
{
    for (size_t s = 0; s < n; s += chunk) {
        size_t m = n - s < chunk ? n - s : chunk;
        fwd(c, z + s, a + s, m, p);
        bwd(c, z + s, (a_bwd ? a_bwd : a) + s, da + s, dz + s, m, p);
    }
}

static mlp_status act_threads(checker *c, const void *arg, mlp_error *err)
{
    static const char *const names[] = {"forward", "backward"};
    const mlp_param_value *p = c->set[0].v;
    const int nt = c->threads;
    const size_t n = THREAD_N, all = n * (size_t)nt;
    const size_t chunks[] = {THREAD_N, MLP_BLOCK, 7, 1};
    double *z = malloc(all * sizeof(double)), *da = malloc(all * sizeof(double));
    double *ra = malloc(all * sizeof(double)), *rdz = malloc(all * sizeof(double));
    double *a = malloc(all * sizeof(double)), *dz = malloc(all * sizeof(double));
    thread_diff *td = calloc((size_t)nt, sizeof(*td));
    mlp_status st = MLP_OK;
    char calls[128];

    (void)arg;
    if (!z || !da || !ra || !rdz || !a || !dz || !td) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "check-plugin: out of memory");
        goto out;
    }
    for (int t = 0; t < nt; t++) {
        mlp_rng r;
        mlp_rng_init(&r, CHECK_SEED, 100 + (uint64_t)t, 0);
        for (size_t i = 0; i < n; i++) {
            z[t * n + i] = 20.0 * mlp_rng_uniform(&r) - 10.0;
            da[t * n + i] = 2.0 * mlp_rng_uniform(&r) - 1.0;
        }
    }
    for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
        const size_t ch = chunks[k];
        /* fewer values for the small calls: the same calls per thread */
        const size_t m = ch >= MLP_BLOCK ? n : n / 16;
        for (int t = 0; t < nt; t++)
            act_chunked(c, z + t * n, da + t * n, ra + t * n, rdz + t * n, NULL, m, ch, p);
#pragma omp parallel for num_threads(nt) schedule(static, 1)
        for (int t = 0; t < nt; t++) {
            for (int rep = 0; rep < THREAD_REPS; rep++) {
                act_chunked(c, z + t * n, da + t * n, a + t * n, dz + t * n, ra + t * n, m, ch,
                            p);
                mlp_diff_note(&td[t], a + t * n, ra + t * n, z + t * n, m, 0);
                mlp_diff_note(&td[t], dz + t * n, rdz + t * n, z + t * n, m, 1);
            }
        }
        snprintf(calls, sizeof(calls), "forward and backward are called (in calls of n=%zu)",
                 ch);
        bool differ = false;
        for (int t = 0; t < nt; t++)
            differ |= td[t].count > 0;
        if (differ || k + 1 == sizeof(chunks) / sizeof(chunks[0])) {
            if (!differ)
                snprintf(calls, sizeof(calls), "forward and backward are called");
            char shapes[96];
            snprintf(shapes, sizeof(shapes), ", in calls of n=%d, %d, 7 and 1 alike", THREAD_N,
                     MLP_BLOCK);
            mlp_threads_report(c, td, nt, 2 * (differ ? m : n), names, "z", calls, shapes);
            break;
        }
    }
out:
    free(z), free(da), free(ra), free(rdz), free(a), free(dz), free(td);
    return st;
}

/* ---- buffer bounds --------------------------------------------------------- */

/* forward and backward at n = 1, 7, 211 with every buffer against a guard page:
 * at its end (arg NULL) or before its start (arg non-NULL). */
static mlp_status act_bounds(checker *c, const void *arg, mlp_error *err)
{
    static const size_t sizes[] = {1, 7, N_GRAD};
    const bool at_start = arg != NULL;
    double in[N_GRAD];

    act_inputs(in);
    for (size_t k = 0; k < c->n_set; k++) {
        for (size_t j = 0; j < 3; j++) {
            const size_t n = sizes[j];
            gbuf g[4];
            double *z = mlp_guard_alloc(c, &g[0], "z", n, at_start);
            double *a = mlp_guard_alloc(c, &g[1], "a", n, at_start);
            double *da = mlp_guard_alloc(c, &g[2], "da", n, at_start);
            double *dz = mlp_guard_alloc(c, &g[3], "dz", n, at_start);
            if (!z || !a || !da || !dz) {
                for (int i = 0; i < 4; i++)
                    mlp_guard_free(c, &g[i]);
                return mlp_fail(err, MLP_ERR_NOMEM, "check-plugin: out of memory");
            }
            memcpy(z, in, n * sizeof(double));
            for (size_t i = 0; i < n; i++)
                da[i] = 1.0;
            fwd(c, z, a, n, c->set[k].v);
            bwd(c, z, a, da, dz, n, c->set[k].v);
            for (int i = 0; i < 4; i++)
                mlp_guard_free(c, &g[i]);
        }
    }
    mlp_check_say(c, "forward and backward stay inside z, a, da and dz (n = 1, 7, %zu; %zu "
        "setting%s), every buffer %s a guard page", (size_t)N_GRAD, c->n_set,
        c->n_set == 1 ? "" : "s", at_start ? "starting after" : "ending at");
    mlp_check_emit_plain(c, "bounds", MLP_CHECK_PASS, "");
    return MLP_OK;
}

/* ---- dense continuity ------------------------------------------------------ */

#define DENSE_LO (-16.0)
#define DENSE_N 16384                /* intervals of h = 2^-9 over [-16, 16] */
#define DENSE_SEG 512                /* intervals per unit, for the integral */
#define MAX_BISECT 64                /* suspicious intervals bisected per setting */

typedef struct dense_find {
    bool jump, integral;
    double lo, hi, size;             /* the jump, or the segment of the integral */
    double got, want;                /* integral of backward, change of forward */
    bool many;                       /* many intervals disagree (not the integral) */
    size_t count;
    bool step_seen;                  /* a jump accepted: backward 0 on both sides */
    double step_at, step_size;
} dense_find;

/* Narrow [lo, hi] (values flo, fhi) down to adjacent doubles, keeping the
 * half that changes most; a jump is what is left. */
static void dense_bisect(checker *c, const setting *s, double lo, double hi, double flo,
                         double fhi, dense_find *f)
{
    double two[2], d2[2], one[2] = {1.0, 1.0};

    for (int it = 0; it < 200; it++) {
        double mid = lo + 0.5 * (hi - lo), fm;
        if (!(mid > lo && mid < hi))
            break;
        fwd(c, &mid, &fm, 1, s->v);
        if (!isfinite(fm))
            return; /* the finite check reports it */
        if (fabs(fm - flo) >= fabs(fhi - fm))
            hi = mid, fhi = fm;
        else
            lo = mid, flo = fm;
    }
    const double jump = fhi - flo;
    if (!(fabs(jump) > 1e-9 * fmax(1.0, fmax(fabs(flo), fabs(fhi)))))
        return; /* continuous: a kink, or curvature */
    two[0] = lo, two[1] = hi;
    fwd(c, two, d2, 2, s->v);
    bwd(c, two, d2, one, d2, 2, s->v);
    if (d2[0] == 0.0 && d2[1] == 0.0) {
        if (!f->step_seen)
            f->step_seen = true, f->step_at = hi, f->step_size = jump;
        return;
    }
    f->jump = true;
    f->lo = lo, f->hi = hi, f->size = jump;
}

/* On a grid of h = 2^-9 over [-16, 16]: each interval whose change of forward
 * is not what the trapezoid of backward predicts (more than h/4 max(1, |f'|)
 * apart) is bisected to find a jump; elsewhere backward must integrate to
 * forward's change over every unit. */
static void dense_setting(checker *c, const setting *s, double *z, double *a, double *d,
                          dense_find *f)
{
    const double h = ldexp(1.0, -9);
    size_t bisected = 0;
    double sa = 0, st = 0, sabs = 0;

    for (size_t i = 0; i <= DENSE_N; i++)
        z[i] = DENSE_LO + h * (double)i;
    fwd(c, z, a, DENSE_N + 1, s->v);
    for (size_t i = 0; i <= DENSE_N; i++)
        d[i] = 1.0;
    bwd(c, z, a, d, d, DENSE_N + 1, s->v);
    size_t kinkish = 0;
    for (size_t i = 0; i < DENSE_N && !f->jump && !f->integral; i++) {
        const double dA = a[i + 1] - a[i], tr = 0.5 * h * (d[i] + d[i + 1]);
        const double scale = h * fmax(1.0, fmax(fabs(d[i]), fabs(d[i + 1])));
        const double mis = fabs(dA - tr);
        if (!isfinite(dA) || !isfinite(tr))
            continue; /* the finite check reports it */
        if (!(mis <= 0.25 * scale)) {
            if (bisected++ < MAX_BISECT)
                dense_bisect(c, s, z[i], z[i + 1], a[i], a[i + 1], f);
        } else if (mis > 1e-3 * scale) {
            /* a kink inside the interval or at its end: fine when isolated */
            if (kinkish++ == 0)
                f->lo = z[i], f->got = tr, f->want = dA;
        } else {
            sa += dA, st += tr, sabs += fabs(tr);
        }
        if ((i + 1) % DENSE_SEG == 0) {
            if (kinkish > 8) {
                f->integral = f->many = true;
                f->hi = z[i + 1];
                f->count = kinkish;
            } else if (fabs(sa - st) > 1e-4 * fmax(1.0, sabs)) {
                f->integral = true;
                f->lo = z[i + 1 - DENSE_SEG], f->hi = z[i + 1];
                f->got = st, f->want = sa;
            }
            sa = st = sabs = 0;
            kinkish = 0;
        }
    }
}

static mlp_status act_dense(checker *c, const void *arg, mlp_error *err)
{
    double *buf = malloc(3 * (DENSE_N + 1) * sizeof(double));
    dense_find f;

    (void)arg;
    if (!buf)
        return mlp_fail(err, MLP_ERR_NOMEM, "check-plugin: out of memory");
    memset(&f, 0, sizeof(f));
    for (size_t k = 0; k < c->n_set; k++) {
        const setting *s = &c->set[k];
        char where[SET_LEN + 8];
        const char *at = mlp_check_in_setting(s, where, sizeof(where));

        dense_setting(c, s, buf, buf + DENSE_N + 1, buf + 2 * (DENSE_N + 1), &f);
        if (f.jump) {
            /* at a setting moved over a range, the range is at fault: a note */
            mlp_check_say(c, "forward jumps by %.3g between z=%.17g and z=%.17g%s, where "
                "backward is not 0 on both sides (not a step)", f.size, f.lo, f.hi, at);
            if (k > 0) {
                mlp_check_add(c, "; at the defaults it is continuous: this parameter range "
                    "admits a discontinuous function");
                mlp_check_emit(c, "continuity", MLP_CHECK_NOTE, s->text, DENSE_N + 1,
                               fabs(f.size), NAN, f.hi);
                memset(&f, 0, sizeof(f));
                continue;
            }
            mlp_check_emit(c, "continuity", MLP_CHECK_FAIL, s->text, DENSE_N + 1, fabs(f.size),
                           NAN, f.hi);
            goto out;
        }
        if (f.many) {
            mlp_check_say(c, "backward disagrees with forward's differences on %zu of the %d "
                "intervals of h = 2^-9 between z=%g and z=%g%s (first at z=%g: forward changes "
                "by %.9g, backward's trapezoid gives %.9g)", f.count, DENSE_SEG, f.hi - 1.0,
                f.hi, at, f.lo, f.want, f.got);
            mlp_check_emit(c, "continuity", MLP_CHECK_FAIL, s->text, DENSE_N + 1,
                           fabs(f.got - f.want), NAN, f.lo);
            goto out;
        }
        if (f.integral) {
            mlp_check_say(c, "backward does not integrate to forward between z=%g and z=%g%s: "
                "the integral of backward is %.9g, forward changes by %.9g", f.lo, f.hi, at,
                f.got, f.want);
            mlp_check_emit(c, "continuity", MLP_CHECK_FAIL, s->text, DENSE_N + 1,
                           fabs(f.got - f.want), NAN, f.lo);
            goto out;
        }
    }
    mlp_check_say(c, "forward is continuous and backward integrates to it on a grid of h = 2^-9 "
        "over [-16, 16] (%zu setting%s)", c->n_set, c->n_set == 1 ? "" : "s");
    if (f.step_seen)
        mlp_check_add(c, "; a jump by %g at z=%g accepted: backward is 0 on both sides (a step "
            "function)", f.step_size, f.step_at);
    mlp_check_emit(c, "continuity", MLP_CHECK_PASS, "", (DENSE_N + 1) * c->n_set, NAN, NAN, NAN);
out:
    free(buf);
    return MLP_OK;
}

/* ---- call shapes ----------------------------------------------------------- */

#define N_SHAPE (4 * MLP_BLOCK + 37)

/* One call over N_SHAPE inputs against calls of MLP_BLOCK (with a short
 * tail), of 7 and of 1: elementwise, up to rounding. */
static mlp_status act_shapes(checker *c, const void *arg, mlp_error *err)
{
    static const size_t chunks[] = {MLP_BLOCK, 7, 1};
    double *m = malloc(6 * N_SHAPE * sizeof(double));
    mlp_rng r;

    (void)arg;
    if (!m)
        return mlp_fail(err, MLP_ERR_NOMEM, "check-plugin: out of memory");
    double *z = m, *da = z + N_SHAPE, *ra = da + N_SHAPE, *rdz = ra + N_SHAPE;
    double *a = rdz + N_SHAPE, *dz = a + N_SHAPE;
    act_inputs(z); /* the first N_GRAD, then more of the same */
    mlp_rng_init(&r, CHECK_SEED, 5, 0);
    for (size_t i = N_GRAD; i < N_SHAPE; i++)
        z[i] = 20.0 * mlp_rng_uniform(&r) - 10.0;
    for (size_t i = 0; i < N_SHAPE; i++)
        da[i] = 0.5 + mlp_rng_uniform(&r);
    for (size_t k = 0; k < c->n_set; k++) {
        const setting *s = &c->set[k];
        char where[SET_LEN + 8];
        act_chunked(c, z, da, ra, rdz, NULL, N_SHAPE, N_SHAPE, s->v);
        for (size_t j = 0; j < 3; j++) {
            act_chunked(c, z, da, a, dz, ra, N_SHAPE, chunks[j], s->v);
            for (int w = 0; w < 2; w++) {
                const double *got = w ? dz : a, *want = w ? rdz : ra;
                size_t first = N_SHAPE, count = 0;
                for (size_t i = 0; i < N_SHAPE; i++)
                    if (!mlp_close(got[i], want[i])) {
                        count++;
                        if (first == N_SHAPE)
                            first = i;
                    }
                if (!count)
                    continue;
                mlp_check_say(c, "%s gives other values in calls of n=%zu than in one call of "
                    "n=%d%s: %zu of %d values differ, first at z=%g (element %zu of the long "
                    "call): %.17g vs %.17g", w ? "backward" : "forward", chunks[j], N_SHAPE,
                    mlp_check_in_setting(s, where, sizeof(where)), count, N_SHAPE, z[first],
                    first, got[first], want[first]);
                mlp_check_emit(c, "shapes", MLP_CHECK_FAIL, s->text, N_SHAPE, NAN, NAN,
                               z[first]);
                free(m);
                return MLP_OK;
            }
        }
    }
    free(m);
    mlp_check_say(c, "one call of n=%d, calls of n=%d (and a tail of %d), of 7 and of 1 give the "
        "same values (%zu setting%s)", N_SHAPE, MLP_BLOCK, N_SHAPE % MLP_BLOCK, c->n_set,
        c->n_set == 1 ? "" : "s");
    mlp_check_emit(c, "shapes", MLP_CHECK_PASS, "", N_SHAPE * c->n_set, NAN, NAN, NAN);
    return MLP_OK;
}

/* ---- parameters that change nothing --------------------------------------- */

#define N_EFFECT (N_DET + 401)

/* Setting k differs from the base in parameter i alone. */
static bool moves_only(const checker *c, size_t k, uint32_t i)
{
    for (uint32_t j = 0; j < c->np; j++)
        if ((c->set[k].v[j].num != c->set[0].v[j].num) != (j == i))
            return false;
    return true;
}

static mlp_status act_params(checker *c, const void *arg, mlp_error *err)
{
    double *m = malloc(6 * N_EFFECT * sizeof(double));
    char names[512] = "";

    (void)arg;
    if (!m)
        return mlp_fail(err, MLP_ERR_NOMEM, "check-plugin: out of memory");
    double *z = m, *da = z + N_EFFECT, *ra = da + N_EFFECT, *rdz = ra + N_EFFECT;
    double *a = rdz + N_EFFECT, *dz = a + N_EFFECT;
    det_inputs(z, da);
    for (size_t i = 0; i < 401; i++) {
        z[N_DET + i] = -20.0 + 0.1 * (double)i;
        da[N_DET + i] = 1.0;
    }
    act_chunked(c, z, da, ra, rdz, NULL, N_EFFECT, N_EFFECT, c->set[0].v);
    for (uint32_t i = 0; i < c->np; i++) {
        const mlp_param_decl *pd = &c->pl->h->params[i];
        char vals[256] = "", def[64];
        size_t tried = 0;
        bool moved = false;
        for (size_t k = 1; k < c->n_set && !moved; k++) {
            if (!moves_only(c, k, i))
                continue;
            act_chunked(c, z, da, a, dz, NULL, N_EFFECT, N_EFFECT, c->set[k].v);
            moved = mlp_diff_first(a, ra, N_EFFECT) < N_EFFECT ||
                    mlp_diff_first(dz, rdz, N_EFFECT) < N_EFFECT;
            char v[64];
            mlp_check_value_text(pd, &c->set[k].v[i], v, sizeof(v));
            snprintf(vals + strlen(vals), sizeof(vals) - strlen(vals), "%s%s", tried ? ", " : "",
                     v);
            tried++;
        }
        if (!tried)
            continue; /* fixed by --set, or a string */
        if (!moved) {
            mlp_check_value_text(pd, &c->set[0].v[i], def, sizeof(def));
            mlp_check_say(c, "%s changes nothing: forward and backward give the same bytes at "
                "%s=%s as at %s=%s (%zu inputs in [-20, 20] and beyond); use it, or drop it",
                pd->name, pd->name, vals, pd->name, def, (size_t)N_EFFECT);
            mlp_check_emit_plain(c, "parameter", MLP_CHECK_FAIL, "");
            free(m);
            return MLP_OK;
        }
        snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
                 names[0] ? ", " : "", pd->name);
    }
    free(m);
    if (names[0]) {
        mlp_check_say(c, "each parameter varied changes forward or backward: %s", names);
        mlp_check_emit_plain(c, "parameter", MLP_CHECK_PASS, "");
    }
    return MLP_OK;
}

/* ---- the checks, each in its own child ------------------------------------- */

static mlp_status act_gradient_run(checker *c, const void *arg, mlp_error *err)
{
    (void)err;
    act_gradient(c, arg);
    return MLP_OK;
}

static mlp_status act_determinism_run(checker *c, const void *arg, mlp_error *err)
{
    (void)arg, (void)err;
    act_determinism(c);
    return MLP_OK;
}

static mlp_status act_inplace_run(checker *c, const void *arg, mlp_error *err)
{
    (void)arg, (void)err;
    act_inplace(c);
    return MLP_OK;
}

mlp_status mlp_check_activation(checker *c, mlp_error *err)
{
    static const int start = 1;
    mlp_status st = MLP_OK;

    for (size_t k = 0; k < c->n_set && !st; k++)
        st = mlp_check_isolated(c, "gradient", act_gradient_run, &c->set[k], err);
    if (!st)
        st = mlp_check_isolated(c, "finite", act_finite, NULL, err);
    if (!st)
        st = mlp_check_isolated(c, "determinism", act_determinism_run, NULL, err);
    if (!st)
        st = mlp_check_isolated(c, "inplace", act_inplace_run, NULL, err);
    if (!st)
        st = mlp_check_isolated(c, "bounds", act_bounds, NULL, err);
    if (!st)
        st = mlp_check_isolated(c, "bounds", act_bounds, &start, err);
    if (!st)
        st = mlp_check_isolated(c, "continuity", act_dense, NULL, err);
    if (!st)
        st = mlp_check_isolated(c, "shapes", act_shapes, NULL, err);
    if (!st)
        st = mlp_check_isolated(c, "parameter", act_params, NULL, err);
    if (!st)
        st = mlp_check_isolated(c, "threads", act_threads, NULL, err);
    return st;
}
