/* activation.c -- the checks of an activation plugin: gradient, finite output,
 * determinism, in-place use and threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "check/internal.h"

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
    const mlp_activation_desc *d = c->pl->d.act;
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
    d->forward(z, a, N_GRAD, s->v);
    d->forward(zp, ap, N_GRAD, s->v);
    d->forward(zm, am, N_GRAD, s->v);
    d->backward(z, a, da, dz, N_GRAD, s->v);
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

static void act_finite(checker *c)
{
    const mlp_activation_desc *d = c->pl->d.act;
    finite_acc f;

    memset(&f, 0, sizeof(f));
    for (size_t k = 0; k < c->n_set && !f.failed; k++) {
        const setting *s = &c->set[k];
        char where[SET_LEN + 8];
        const char *at = mlp_check_in_setting(s, where, sizeof(where));
        for (int sg = 1; sg >= -1; sg -= 2) {
            double z[N_MAGS], a[N_MAGS], da[N_MAGS], dz[N_MAGS];
            for (size_t j = 0; j < N_MAGS; j++) {
                z[j] = sg * mlp_extreme_mags[j];
                da[j] = 1.0;
            }
            d->forward(z, a, N_MAGS, s->v);
            d->backward(z, a, da, dz, N_MAGS, s->v);
            mlp_finite_series(&f, "forward", "z", sg, a, true, at);
            mlp_finite_series(&f, "backward", "z", sg, dz, true, at);
        }
    }
    if (f.failed) {
        mlp_check_say(c, "%s", f.what);
        mlp_check_emit_plain(c, "finite", MLP_CHECK_FAIL, "");
        return;
    }
    mlp_check_say(c, "forward and backward are finite at z = +-50, +-700, +-1e6 (%zu setting%s)%s",
        c->n_set, c->n_set == 1 ? "" : "s", f.overflow);
    mlp_check_emit(c, "finite", MLP_CHECK_PASS, "", f.points, NAN, NAN, NAN);
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
    const mlp_activation_desc *d = c->pl->d.act;
    double z[N_DET], da[N_DET], a1[N_DET], a2[N_DET], dz1[N_DET], dz2[N_DET];

    det_inputs(z, da);
    for (size_t k = 0; k < c->n_set; k++) {
        const setting *s = &c->set[k];
        char where[SET_LEN + 8];
        size_t i;

        d->forward(z, a1, N_DET, s->v);
        d->forward(z, a2, N_DET, s->v);
        d->backward(z, a1, da, dz1, N_DET, s->v);
        d->backward(z, a1, da, dz2, N_DET, s->v);
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
    const mlp_activation_desc *d = c->pl->d.act;
    double z[N_DET], da[N_DET], a[N_DET], dz[N_DET], buf[N_DET];
    const bool fwd = d->flags & MLP_ACT_FORWARD_INPLACE, bwd = d->flags & MLP_ACT_BACKWARD_INPLACE;
    bool fwd_ok = true, bwd_ok = true;

    det_inputs(z, da);
    for (size_t k = 0; k < c->n_set && (fwd_ok || bwd_ok); k++) {
        const setting *s = &c->set[k];
        char where[SET_LEN + 8];
        size_t i;

        d->forward(z, a, N_DET, s->v);
        d->backward(z, a, da, dz, N_DET, s->v);
        if (fwd && fwd_ok) {
            memcpy(buf, z, sizeof(buf));
            d->forward(buf, buf, N_DET, s->v);
            if ((i = mlp_diff_first(buf, a, N_DET)) < N_DET) {
                fwd_ok = false;
                mlp_check_say(c, "forward is declared in place (MLP_ACT_FORWARD_INPLACE) but with "
                    "a == z %zu of %zu values differ from out of place, first at z=%g%s: %.17g in "
                    "place vs %.17g", mlp_diff_count(buf, a, N_DET), (size_t)N_DET, z[i],
                    mlp_check_in_setting(s, where, sizeof(where)), buf[i], a[i]);
                mlp_check_emit(c, "inplace", MLP_CHECK_FAIL, s->text, N_DET, NAN, NAN, z[i]);
            }
        }
        if (bwd && bwd_ok) {
            memcpy(buf, da, sizeof(buf));
            d->backward(z, a, buf, buf, N_DET, s->v);
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
    if (fwd && fwd_ok) {
        mlp_check_say(c, "forward with a == z gives the same bytes as out of place (%zu inputs, "
            "%zu setting%s)", (size_t)N_DET, c->n_set, c->n_set == 1 ? "" : "s");
        mlp_check_emit(c, "inplace", MLP_CHECK_PASS, "", N_DET * c->n_set, NAN, NAN, NAN);
    } else if (!fwd) {
        mlp_check_say(c, "forward in place (a == z) is not claimed (no MLP_ACT_FORWARD_INPLACE): "
            "not checked; the host always gives it separate buffers");
        mlp_check_emit_plain(c, "inplace", MLP_CHECK_NOTE, "");
    }
    if (bwd && bwd_ok) {
        mlp_check_say(c, "backward with dz == da gives the same bytes as out of place (%zu inputs, "
            "%zu setting%s)", (size_t)N_DET, c->n_set, c->n_set == 1 ? "" : "s");
        mlp_check_emit(c, "inplace", MLP_CHECK_PASS, "", N_DET * c->n_set, NAN, NAN, NAN);
    } else if (!bwd) {
        mlp_check_say(c, "backward in place (dz == da) is not claimed (no "
            "MLP_ACT_BACKWARD_INPLACE): not checked; the host always gives it separate buffers");
        mlp_check_emit_plain(c, "inplace", MLP_CHECK_NOTE, "");
    }
}

static mlp_status act_threads(checker *c, mlp_error *err)
{
    static const char *const names[] = {"forward", "backward"};
    const mlp_activation_desc *d = c->pl->d.act;
    const mlp_param_value *p = c->set[0].v;
    const int nt = c->threads;
    const size_t n = THREAD_N, all = n * (size_t)nt;
    double *z = malloc(all * sizeof(double)), *da = malloc(all * sizeof(double));
    double *ra = malloc(all * sizeof(double)), *rdz = malloc(all * sizeof(double));
    double *a = malloc(all * sizeof(double)), *dz = malloc(all * sizeof(double));
    thread_diff *td = calloc((size_t)nt, sizeof(*td));
    mlp_status st = MLP_OK;

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
        d->forward(z + t * n, ra + t * n, n, p);
        d->backward(z + t * n, ra + t * n, da + t * n, rdz + t * n, n, p);
    }
#pragma omp parallel for num_threads(nt) schedule(static, 1)
    for (int t = 0; t < nt; t++) {
        for (int rep = 0; rep < THREAD_REPS; rep++) {
            d->forward(z + t * n, a + t * n, n, p);
            d->backward(z + t * n, ra + t * n, da + t * n, dz + t * n, n, p);
            mlp_diff_note(&td[t], a + t * n, ra + t * n, z + t * n, n, 0);
            mlp_diff_note(&td[t], dz + t * n, rdz + t * n, z + t * n, n, 1);
        }
    }
    mlp_threads_report(c, td, nt, 2 * n, names, "z", "forward and backward are called");
out:
    free(z), free(da), free(ra), free(rdz), free(a), free(dz), free(td);
    return st;
}

mlp_status mlp_check_activation(checker *c, mlp_error *err)
{
    for (size_t k = 0; k < c->n_set; k++)
        act_gradient(c, &c->set[k]);
    act_finite(c);
    act_determinism(c);
    act_inplace(c);
    return act_threads(c, err);
}
