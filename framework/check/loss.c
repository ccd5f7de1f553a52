/* loss.c -- the checks of a loss plugin: dlogits against the loss, finite values
 * and predict, determinism, blocks of a batch, and threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "check/internal.h"
#include "train/model.h"

/* The plugin's functions, each call marked in the shared page. */
static double lss(checker *c, const double *z, const double *y, double *dz, size_t n, size_t k,
                  const mlp_param_value *p)
{
    double l;

    mlp_probe_enter(c, "loss", "logit", z, n * k);
    l = c->pl->d.loss->loss(z, y, dz, n, k, p);
    mlp_probe_leave(c);
    return l;
}

static void prd(checker *c, const double *z, double *pr, size_t n, size_t k,
                const mlp_param_value *p)
{
    mlp_probe_enter(c, "predict", "logit", z, n * k);
    c->pl->d.loss->predict(z, pr, n, k, p);
    mlp_probe_leave(c);
}

/* Logit scales of the loss-gradient check. */
static const double loss_scales[] = {1e-3, 1.0, 10.0, 50.0};
#define N_SCALES (sizeof(loss_scales) / sizeof(loss_scales[0]))

static size_t loss_width(const checker *c)
{
    return c->pl->d.loss->flags & MLP_LOSS_MULTICLASS ? 3 : 1;
}

/* Labels of a batch of n: alternate classes, so a batch holds each one. */
static void loss_labels(double *y, size_t n, size_t classes, size_t first)
{
    for (size_t i = 0; i < n; i++)
        y[i] = (double)((first + i) % classes);
}

#define LOSS_MAXN 7
#define LOSS_MAXK 3

static void loss_gradient(checker *c, const setting *s)
{
    static const size_t batches[] = {1, 7};
    const size_t k = loss_width(c), classes = k == 1 ? 2 : k;
    char where[SET_LEN + 8];
    const char *at = mlp_check_in_setting(s, where, sizeof(where));
    grad_acc g;
    size_t w_label = 0, w_sample = 0, w_n = 0, w_terms = 0;
    double w_scale = 0;
    bool bad_value = false;
    mlp_rng r;

    mlp_grad_init(&g);
    mlp_rng_init(&r, CHECK_SEED, 3, 0);
    for (size_t si = 0; si < N_SCALES; si++) {
        for (size_t bi = 0; bi < 2; bi++) {
            const size_t n = batches[bi], m = n * k;
            /* batch 1 twice, once per first label; batch 7 holds both */
            for (size_t first = 0; first < (n == 1 ? classes : 1); first++) {
                double z[LOSS_MAXN * LOSS_MAXK], y[LOSS_MAXN], dz[LOSS_MAXN * LOSS_MAXK + CANARY];
                double l0;

                for (size_t i = 0; i < m; i++)
                    z[i] = loss_scales[si] * (2.0 * mlp_rng_uniform(&r) - 1.0);
                loss_labels(y, n, classes, first);
                mlp_canary_set(dz, m);
                l0 = lss(c, z, y, dz, n, k, s->v);
                if (!mlp_canary_ok(dz, m)) {
                    mlp_check_say(c, "loss writes past the end of dlogits (n = %zu, k = "
                        "%zu)%s", n, k, at);
                    mlp_check_emit_plain(c, "loss-gradient", MLP_CHECK_FAIL, s->text);
                    return;
                }
                if (!isfinite(l0))
                    bad_value = true;
                for (size_t j = 0; j < m; j++) {
                    double zz[LOSS_MAXN * LOSS_MAXK], h = STEP * fmax(1.0, fabs(z[j]));
                    double zp = z[j] + h, zm = z[j] - h, lp, lm;
                    memcpy(zz, z, m * sizeof(double));
                    zz[j] = zp;
                    lp = lss(c, zz, y, NULL, n, k, s->v);
                    zz[j] = zm;
                    lm = lss(c, zz, y, NULL, n, k, s->v);
                    if (mlp_grad_point(&g, z[j], zp, zm, l0, lp, lm, dz[j])) {
                        w_label = (size_t)y[j / k];
                        w_sample = j / k;
                        w_n = n;
                        w_terms = m;
                        w_scale = loss_scales[si];
                    }
                }
            }
        }
    }
    if (g.fails) {
        mlp_check_say(c, "dlogits disagree with the loss's central differences at %zu of %zu "
            "logits%s: ",
            g.fails, g.points, at);
        if (g.w_kink)
            mlp_check_add(c, "worst at the kink logit=%g", g.w_z);
        else
            mlp_check_add(c, "worst at logit=%g", g.w_z);
        mlp_check_add(c, " (label %zu, sample %zu of a batch of %zu, logits of scale %g): "
            "", w_label,
            w_sample, w_n, w_scale);
        if (g.w_kink)
            mlp_check_add(c, "analytic %.6g outside the one-sided slopes [%.6g, "
                "%.6g]", g.w_ana, g.w_lo,
                g.w_hi);
        else
            mlp_check_add(c, "analytic %.6g vs numeric %.6g (abs err %.3g, rel err %.3g)", g.w_ana,
                g.w_num, g.w_abs, g.w_rel);
        mlp_grad_diagnose(c, &g, "logit", w_terms);
        mlp_check_emit(c, "loss-gradient", MLP_CHECK_FAIL, s->text, g.points, g.max_abs,
                       g.max_rel, g.w_z);
        return;
    }
    if (bad_value || (double)g.kinks > KINK_SHARE * (double)g.points) {
        if (bad_value)
            mlp_check_say(c, "the loss is not finite at moderate logits%s", at);
        else
            mlp_check_say(c, "the loss has kinks at %zu of %zu logits%s: not smooth enough at step "
                "h to check", g.kinks, g.points, at);
        mlp_check_emit(c, "loss-gradient", MLP_CHECK_FAIL, s->text, g.points, g.max_abs,
                       g.max_rel, g.at);
        return;
    }
    mlp_check_say(c, "dlogits match the loss's central differences at %zu logits (%s%slogits of "
        "scale 1e-3, 1, 10, 50; batches of 1 and 7; every label): max abs err %.3g, max rel err "
        "%.3g (worst at logit=%g)", g.checked, s->text, s->text[0] ? "; "
        "" : "", g.max_abs, g.max_rel,
        g.at);
    mlp_grad_kinks(c, &g, "logit");
    mlp_check_emit(c, "loss-gradient", MLP_CHECK_PASS, s->text, g.points, g.max_abs, g.max_rel,
                   g.at);
}

/* Loss, dlogits and predict finite at extreme logits; predict a probability
 * where it looks like one (in [0, 1] over moderate logits). */
static void loss_finite(checker *c)
{
    const size_t k = loss_width(c), classes = k == 1 ? 2 : k;
    finite_acc f;
    bool prob_style = true, pred_failed = false;
    double outside = NAN, outside_at = NAN;

    memset(&f, 0, sizeof(f));
    /* is predict a probability over moderate logits (at the base setting)? */
    {
        double z[2 * N_SCALES * LOSS_MAXK], pr[2 * N_SCALES * LOSS_MAXK];
        size_t n = 2 * N_SCALES;
        for (size_t i = 0; i < N_SCALES; i++)
            for (size_t j = 0; j < k; j++) {
                z[(2 * i) * k + j] = loss_scales[i] * (j % 2 ? -1.0 : 1.0);
                z[(2 * i + 1) * k + j] = -loss_scales[i] * (j % 2 ? -1.0 : 1.0);
            }
        prd(c, z, pr, n, k, c->set[0].v);
        for (size_t i = 0; i < n * k && prob_style; i++)
            if (!(pr[i] >= 0.0 && pr[i] <= 1.0)) {
                prob_style = false;
                outside = pr[i];
                outside_at = z[i];
            }
    }
    for (size_t s = 0; s < c->n_set && !f.failed; s++) {
        const setting *st = &c->set[s];
        char where[SET_LEN + 8];
        const char *at = mlp_check_in_setting(st, where, sizeof(where));
        for (size_t j = 0; j < N_MAGS && !f.failed; j++) {
            for (int sg = 1; sg >= -1 && !f.failed; sg -= 2) {
                for (size_t label = 0; label < classes && !f.failed; label++) {
                    double z[LOSS_MAXK], y = (double)label, dz[LOSS_MAXK], pr[LOSS_MAXK], l;
                    double x = sg * mlp_extreme_mags[j];
                    for (size_t q = 0; q < k; q++)
                        z[q] = q == label ? x : -x;
                    l = lss(c, z, &y, dz, 1, k, st->v);
                    prd(c, z, pr, 1, k, st->v);
                    f.points++;
                    bool ok = isfinite(l);
                    const char *what = "the loss";
                    double bad = l;
                    for (size_t q = 0; q < k && ok; q++) {
                        if (!isfinite(dz[q]))
                            ok = false, what = "dlogits", bad = dz[q];
                        else if (!isfinite(pr[q]) ||
                                 (prob_style && !(pr[q] >= 0.0 && pr[q] <= 1.0)))
                            ok = false, what = "predict", bad = pr[q];
                    }
                    if (ok)
                        continue;
                    f.failed = true;
                    pred_failed = !strcmp(what, "predict");
                    snprintf(f.what, sizeof(f.what), "%s is %g at logit=%g, label %zu%s%s", what,
                             bad, x, label, at,
                             prob_style && !strcmp(what, "predict") && isfinite(bad)
                                 ? ": outside [0, 1], though it is a probability at moderate "
                                   "logits"
                                 : ": a loss must be finite for every finite logit");
                }
            }
        }
    }
    if (f.failed) {
        mlp_check_say(c, "%s", f.what);
        mlp_check_emit_plain(c, "finite", MLP_CHECK_FAIL, "");
    } else {
        mlp_check_say(c, "loss, dlogits and predict are finite at logits +-50, +-700, +-1e6 for "
            "every label (%zu setting%s)", c->n_set, c->n_set == 1 ? "" : "s");
        mlp_check_emit(c, "finite", MLP_CHECK_PASS, "", f.points, NAN, NAN, NAN);
    }
    if (pred_failed)
        return; /* the finite line said why */
    if (f.failed)
        mlp_check_say(c, "predict not checked at extreme logits: the loss failed there first");
    else if (prob_style)
        mlp_check_say(c, "predict gives probabilities in [0, 1] at logits from -1e6 to 1e6");
    else
        mlp_check_say(c, "predict is not a probability (%g at logit=%g): checked finite "
            "only", outside,
            outside_at);
    mlp_check_emit_plain(c, "predict", f.failed ? MLP_CHECK_NOTE : MLP_CHECK_PASS, "");
}

/* One call of loss and predict over a batch: value, dlogits and probabilities. */
static void loss_call(checker *c, const double *z, const double *y, size_t n,
                      size_t k, const mlp_param_value *p, double *out)
{
    out[0] = lss(c, z, y, out + 1, n, k, p);
    prd(c, z, out + 1 + n * k, n, k, p);
}

static void loss_determinism(checker *c)
{
    const size_t k = loss_width(c), classes = k == 1 ? 2 : k, n = 64, len = 1 + 2 * n * k;
    double z[64 * LOSS_MAXK], y[64], o1[1 + 2 * 64 * LOSS_MAXK], o2[1 + 2 * 64 * LOSS_MAXK];
    mlp_rng r;

    mlp_rng_init(&r, CHECK_SEED, 4, 0);
    for (size_t i = 0; i < n * k; i++)
        z[i] = 10.0 * (2.0 * mlp_rng_uniform(&r) - 1.0);
    loss_labels(y, n, classes, 0);
    for (size_t s = 0; s < c->n_set; s++) {
        char where[SET_LEN + 8];
        size_t i;
        loss_call(c, z, y, n, k, c->set[s].v, o1);
        loss_call(c, z, y, n, k, c->set[s].v, o2);
        if ((i = mlp_diff_first(o1, o2, len)) < len) {
            mlp_check_say(c, "the same call twice gives different results%s: %s %.17g then %.17g",
                mlp_check_in_setting(&c->set[s], where, sizeof(where)),
                i == 0 ? "the loss" : i <= n * k ? "a dlogit" : "a probability", o1[i], o2[i]);
            mlp_check_emit_plain(c, "determinism", MLP_CHECK_FAIL, c->set[s].text);
            return;
        }
    }
    mlp_check_say(c, "loss, dlogits and predict twice on a batch of %zu give identical bytes (%zu "
        "setting%s)", n, c->n_set, c->n_set == 1 ? "" : "s");
    mlp_check_emit(c, "determinism", MLP_CHECK_PASS, "", len * c->n_set, NAN, NAN, NAN);
}

static mlp_status loss_threads(checker *c, mlp_error *err)
{
    static const char *const names[] = {"loss, dlogits or predict"};
    const int nt = c->threads;
    const size_t k = loss_width(c), classes = k == 1 ? 2 : k, n = THREAD_N / 8;
    const size_t len = 1 + 2 * n * k, all = len * (size_t)nt;
    double *z = malloc((size_t)nt * n * k * sizeof(double));
    double *y = malloc(n * sizeof(double));
    double *ref = malloc(all * sizeof(double)), *got = malloc(all * sizeof(double));
    thread_diff *td = calloc((size_t)nt, sizeof(*td));
    mlp_status st = MLP_OK;

    if (!z || !y || !ref || !got || !td) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "check-plugin: out of memory");
        goto out;
    }
    loss_labels(y, n, classes, 0);
    for (int t = 0; t < nt; t++) {
        mlp_rng r;
        mlp_rng_init(&r, CHECK_SEED, 200 + (uint64_t)t, 0);
        for (size_t i = 0; i < n * k; i++)
            z[t * n * k + i] = 10.0 * (2.0 * mlp_rng_uniform(&r) - 1.0);
        loss_call(c, z + t * n * k, y, n, k, c->set[0].v, ref + t * len);
    }
#pragma omp parallel for num_threads(nt) schedule(static, 1)
    for (int t = 0; t < nt; t++) {
        for (int rep = 0; rep < THREAD_REPS; rep++) {
            loss_call(c, z + t * n * k, y, n, k, c->set[0].v, got + t * len);
            mlp_diff_note(&td[t], got + t * len, ref + t * len, NULL, len, 0);
        }
    }
    mlp_threads_report(c, td, nt, len, names, "logit", "loss and predict are called", NULL);
out:
    free(z), free(y), free(ref), free(got), free(td);
    return st;
}

/* Training calls the loss on blocks of a batch and combines them (a mean
 * weighted by the blocks' sizes, a sum by adding: mlp_model_loss_grad), so
 * the loss must be a mean or a sum of per-sample terms.  Check that a batch
 * of 64 and its split into 40 + 24 give the same value to rounding (the
 * dlogits then agree too, when the loss-gradient check passes). */
static void loss_blocks(checker *c)
{
    const mlp_loss_desc *d = c->pl->d.loss;
    const size_t k = loss_width(c), classes = k == 1 ? 2 : k, n = 64, n1 = 40, n2 = n - n1;
    double z[64 * LOSS_MAXK], y[64];
    double worst = 0.0;
    mlp_rng r;

    mlp_rng_init(&r, CHECK_SEED, 5, 0);
    for (size_t i = 0; i < n * k; i++)
        z[i] = 6.0 * (2.0 * mlp_rng_uniform(&r) - 1.0);
    loss_labels(y, n, classes, 0);
    for (size_t s = 0; s < c->n_set; s++) {
        const mlp_param_value *p = c->set[s].v;
        const bool sum = mlp_loss_is_sum(d, p);
        const double w1 = sum ? 1.0 : (double)n1 / (double)n;
        const double w2 = sum ? 1.0 : (double)n2 / (double)n;
        char where[SET_LEN + 8];
        const double l = lss(c, z, y, NULL, n, k, p);
        const double lb = lss(c, z, y, NULL, n1, k, p) * w1 +
                          lss(c, z + n1 * k, y + n1, NULL, n2, k, p) * w2;
        const double err = fabs(lb - l) / (fabs(l) + 1e-300);

        worst = err > worst ? err : worst;
        if (!(err <= 1e-9)) {
            mlp_check_say(c, "the loss is not a %s of per-sample terms%s: a batch of %zu gives "
                "%.17g, its blocks of %zu and %zu combined %.17g (training evaluates batches in "
                "blocks of up to %d samples; see docs/writing-plugins.md, Losses)",
                sum ? "sum" : "mean", mlp_check_in_setting(&c->set[s], where, sizeof(where)), n,
                l, n1, n2, lb, MLP_BLOCK);
            mlp_check_emit_plain(c, "blocks", MLP_CHECK_FAIL, c->set[s].text);
            return;
        }
    }
    mlp_check_say(c, "a batch of %zu and its blocks of %zu and %zu combined agree (largest "
        "relative difference %.2g, %zu "
        "setting%s)", n, n1, n2, worst, c->n_set, c->n_set == 1 ? "" : "s");
    mlp_check_emit(c, "blocks", MLP_CHECK_PASS, "", c->n_set, NAN, worst, NAN);
}

/* loss and predict at n = 1, 7 with every buffer against a guard page: at
 * its end (arg NULL) or before its start. */
static mlp_status loss_bounds(checker *c, const void *arg, mlp_error *err)
{
    static const size_t sizes[] = {1, LOSS_MAXN};
    const bool at_start = arg != NULL;
    const size_t k = loss_width(c), classes = k == 1 ? 2 : k;

    for (size_t s = 0; s < c->n_set; s++) {
        for (size_t j = 0; j < 2; j++) {
            const size_t n = sizes[j];
            gbuf g[4];
            double *z = mlp_guard_alloc(c, &g[0], "logits", n * k, at_start);
            double *y = mlp_guard_alloc(c, &g[1], "y", n, at_start);
            double *dz = mlp_guard_alloc(c, &g[2], "dlogits", n * k, at_start);
            double *pr = mlp_guard_alloc(c, &g[3], "prob", n * k, at_start);
            if (!z || !y || !dz || !pr) {
                for (int i = 0; i < 4; i++)
                    mlp_guard_free(c, &g[i]);
                return mlp_fail(err, MLP_ERR_NOMEM, "check-plugin: out of memory");
            }
            for (size_t i = 0; i < n * k; i++)
                z[i] = 0.5 - 0.25 * (double)i;
            loss_labels(y, n, classes, 0);
            lss(c, z, y, dz, n, k, c->set[s].v);
            lss(c, z, y, NULL, n, k, c->set[s].v);
            prd(c, z, pr, n, k, c->set[s].v);
            for (int i = 0; i < 4; i++)
                mlp_guard_free(c, &g[i]);
        }
    }
    mlp_check_say(c, "loss and predict stay inside logits, y, dlogits and prob (n = 1, %d; %zu "
        "setting%s), every buffer %s a guard page", LOSS_MAXN, c->n_set,
        c->n_set == 1 ? "" : "s", at_start ? "starting after" : "ending at");
    mlp_check_emit_plain(c, "bounds", MLP_CHECK_PASS, "");
    return MLP_OK;
}

/* Each parameter varied must change the loss, dlogits or predict. */
static mlp_status loss_params(checker *c, const void *arg, mlp_error *err)
{
    const size_t k = loss_width(c), classes = k == 1 ? 2 : k, n = 64, len = 1 + 2 * n * k;
    double z[64 * LOSS_MAXK], y[64], ref[1 + 2 * 64 * LOSS_MAXK], got[1 + 2 * 64 * LOSS_MAXK];
    char names[512] = "";

    (void)arg, (void)err;
    for (size_t i = 0; i < n * k; i++)
        z[i] = -20.0 + 40.0 * (double)i / (double)(n * k - 1);
    loss_labels(y, n, classes, 0);
    loss_call(c, z, y, n, k, c->set[0].v, ref);
    for (uint32_t i = 0; i < c->np; i++) {
        const mlp_param_decl *pd = &c->pl->h->params[i];
        size_t tried = 0;
        bool moved = false;
        char def[64];
        for (size_t s = 1; s < c->n_set && !moved; s++) {
            bool only = true;
            for (uint32_t j = 0; j < c->np; j++)
                only &= (c->set[s].v[j].num != c->set[0].v[j].num) == (j == i);
            if (!only)
                continue;
            loss_call(c, z, y, n, k, c->set[s].v, got);
            moved = mlp_diff_first(got, ref, len) < len;
            tried++;
        }
        if (!tried)
            continue;
        if (!moved) {
            mlp_check_value_text(pd, &c->set[0].v[i], def, sizeof(def));
            mlp_check_say(c, "%s changes nothing: loss, dlogits and predict give the same bytes "
                "over its range as at %s=%s (%zu logits in [-20, 20]); use it, or drop it",
                pd->name, pd->name, def, n * k);
            mlp_check_emit_plain(c, "parameter", MLP_CHECK_FAIL, "");
            return MLP_OK;
        }
        snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
                 names[0] ? ", " : "", pd->name);
    }
    if (names[0]) {
        mlp_check_say(c, "each parameter varied changes the loss, dlogits or predict: %s", names);
        mlp_check_emit_plain(c, "parameter", MLP_CHECK_PASS, "");
    }
    return MLP_OK;
}

static mlp_status loss_gradient_run(checker *c, const void *arg, mlp_error *err)
{
    (void)err;
    loss_gradient(c, arg);
    return MLP_OK;
}

static mlp_status loss_finite_run(checker *c, const void *arg, mlp_error *err)
{
    (void)arg, (void)err;
    loss_finite(c);
    return MLP_OK;
}

static mlp_status loss_determinism_run(checker *c, const void *arg, mlp_error *err)
{
    (void)arg, (void)err;
    loss_determinism(c);
    return MLP_OK;
}

static mlp_status loss_blocks_run(checker *c, const void *arg, mlp_error *err)
{
    (void)arg, (void)err;
    loss_blocks(c);
    return MLP_OK;
}

static mlp_status loss_threads_run(checker *c, const void *arg, mlp_error *err)
{
    (void)arg;
    return loss_threads(c, err);
}

mlp_status mlp_check_loss(checker *c, mlp_error *err)
{
    static const int start = 1;
    mlp_status st = MLP_OK;

    for (size_t k = 0; k < c->n_set && !st; k++)
        st = mlp_check_isolated(c, "loss-gradient", loss_gradient_run, &c->set[k], err);
    if (!st)
        st = mlp_check_isolated(c, "finite", loss_finite_run, NULL, err);
    if (!st)
        st = mlp_check_isolated(c, "determinism", loss_determinism_run, NULL, err);
    if (!st)
        st = mlp_check_isolated(c, "blocks", loss_blocks_run, NULL, err);
    if (!st)
        st = mlp_check_isolated(c, "bounds", loss_bounds, NULL, err);
    if (!st)
        st = mlp_check_isolated(c, "bounds", loss_bounds, &start, err);
    if (!st)
        st = mlp_check_isolated(c, "parameter", loss_params, NULL, err);
    if (!st)
        st = mlp_check_isolated(c, "threads", loss_threads_run, NULL, err);
    return st;
}
