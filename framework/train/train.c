/* train.c -- the training loop: validation split, batches, loss and
 * gradient, penalties (L2, scikit-learn's alpha, L1), learning-rate
 * schedules, one flat optimizer step, stopping rules, the recorded curves
 * and snapshots, divergence detection and the stop flag.  Everything is
 * allocated before the first iteration. */
#include "train/train.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/rng.h"

/* Samples whose predictions are checked at a time (stops at the first miss). */
#define MLP_CHECK_CHUNK 64

/* pi as a double (Python's math.pi, which PyTorch's schedulers use) */
#define MLP_PI 3.14159265358979323846

bool mlp_not_finite(double x)
{
    uint64_t u;

    memcpy(&u, &x, sizeof(u));
    return (u & 0x7FF0000000000000ULL) == 0x7FF0000000000000ULL;
}

/* True when some element of v (n) is NaN or infinite, by the bits. */
static bool is_nan(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof(b));
    return (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0x000fffffffffffffull);
}

static bool any_not_finite(const double *v, size_t n);

/* A loss that is not finite is usually divergence (weights that grew until
 * something overflowed).  But a plugin that returns NaN for finite inputs
 * is broken, not diverging: run the batch's forward pass again, keeping
 * every layer's z and a, and say which plugin it was. */
static mlp_status blame_plugin(const mlp_model *m, const double *x, const mlp_loss_desc *loss,
                               const double *logits, double l, size_t nb, size_t k, size_t t,
                               mlp_error *err)
{
    mlp_workspace *ws = NULL;
    mlp_status st = MLP_OK;

    /* the batch again, keeping every layer's z and a (a rare path) */
    if (mlp_workspace_create(m, nb, &ws, err) != MLP_OK)
        return MLP_OK;  /* no memory to look: call it divergence */
    mlp_model_forward(m, ws, x, nb);
    for (size_t l = 0; l + 1 < m->n_layers; l++) {
        const size_t w = m->width[l + 1];
        if (any_not_finite(ws->z[l], nb * w))
            goto out;  /* non-finite input: divergence, not the plugin */
        for (size_t i = 0; i < nb * w; i++)
            if (is_nan(ws->a[l][i])) {
                st = mlp_fail(err, MLP_ERR_PLUGIN,
                              "activation plugin '%s' of hidden layer %zu returned NaN for the "
                              "finite input %.17g at iteration %zu", m->act[l]->h.name, l,
                              ws->z[l][i], t);
                goto out;
            }
    }
    if (is_nan(l) && !any_not_finite(logits, nb * k))
        st = mlp_fail(err, MLP_ERR_PLUGIN,
                      "loss plugin '%s' returned NaN for finite logits at iteration %zu",
                      loss->h.name, t);
out:
    mlp_workspace_free(ws);
    return st;
}

static bool any_not_finite(const double *v, size_t n)
{
    uint64_t bad = 0, u;
    size_t i;

    for (i = 0; i < n; i++) {
        memcpy(&u, &v[i], sizeof(u));
        bad |= (u & 0x7FF0000000000000ULL) == 0x7FF0000000000000ULL;
    }
    return bad != 0;
}

/* Samples whose prediction matches its label, stopping at the first miss
 * when first_miss: k == 1, class 1 where prob >= 0.5; k > 1, the first
 * largest prob.  logits (n, k), y (n), prob (MLP_CHECK_CHUNK, k) scratch. */
static size_t count_correct(const mlp_loss_desc *loss, const mlp_param_value *lp,
                            const double *logits, const double *y, size_t n, size_t k,
                            double *prob, bool first_miss)
{
    size_t i0, i, c, right = 0;

    for (i0 = 0; i0 < n; i0 += MLP_CHECK_CHUNK) {
        const size_t nb = n - i0 < MLP_CHECK_CHUNK ? n - i0 : MLP_CHECK_CHUNK;

        loss->predict(logits + i0 * k, prob, nb, k, lp);
        for (i = 0; i < nb; i++) {
            const double *p = prob + i * k;
            size_t cls = 0;
            bool nan = false;  /* a NaN prediction is wrong, never class 0 (as probe) */

            if (k == 1) {
                cls = p[0] >= 0.5;
                nan = p[0] != p[0];
            } else {
                for (c = 0; c < k; c++) {
                    nan = nan || p[c] != p[c];
                    if (c > 0 && p[c] > p[cls])
                        cls = c;
                }
            }
            if (!nan && (double)cls == y[i0 + i])
                right++;
            else if (first_miss)
                return right;
        }
    }
    return right;
}

static bool all_correct(const mlp_loss_desc *loss, const mlp_param_value *lp,
                        const double *logits, const double *y, size_t n, size_t k, double *prob)
{
    return count_correct(loss, lp, logits, y, n, k, prob, true) == n;
}

const char *mlp_stop_reason_name(mlp_stop_reason r)
{
    switch (r) {
    case MLP_STOP_ITERATIONS: return "iterations";
    case MLP_STOP_TARGET_ACCURACY: return "target_accuracy";
    case MLP_STOP_TOL: return "tol";
    case MLP_STOP_EARLY_STOPPING: return "early_stopping";
    case MLP_STOP_MAX_SECONDS: return "max_seconds";
    case MLP_STOP_DIVERGED: return "diverged";
    }
    return "unknown";
}

/* The penalties' value on the weights (biases excluded) for a batch of nb:
 * l2/2 * sum W^2 + alpha/(2 nb) * sum W^2 + l1 * sum |W|. */
static double penalty(const mlp_model *m, const mlp_train_opts *o, size_t nb)
{
    double s2 = 0.0, s1 = 0.0;
    size_t l, i;

    for (l = 0; l < m->n_layers; l++) {
        const double *w = m->params + m->w_off[l];
        const size_t nw = m->width[l] * m->width[l + 1];
        for (i = 0; i < nw; i++) {
            s2 += w[i] * w[i];
            s1 += fabs(w[i]);
        }
    }
    return 0.5 * o->l2 * s2 + 0.5 * o->alpha * s2 / (double)nb + o->l1 * s1;
}

/* grad += (l2 + alpha/nb) * W + l1 * sign(W) on the weights (sign(0) = 0). */
static void penalty_grad(const mlp_model *m, const mlp_train_opts *o, size_t nb, double *grad)
{
    const double c2 = o->l2 + o->alpha / (double)nb, c1 = o->l1;
    size_t l, i;

    for (l = 0; l < m->n_layers; l++) {
        const double *w = m->params + m->w_off[l];
        double *g = grad + m->w_off[l];
        const size_t nw = m->width[l] * m->width[l + 1];
        if (c2 != 0.0)
            for (i = 0; i < nw; i++)
                g[i] += c2 * w[i];
        if (c1 != 0.0)
            for (i = 0; i < nw; i++)
                g[i] += c1 * (double)((w[i] > 0.0) - (w[i] < 0.0));
    }
}

/* out (n_layers, 2): L2 norms of each layer's dW and db in grad. */
static void grad_norms(const mlp_model *m, const double *grad, double *out)
{
    size_t l, i;

    for (l = 0; l < m->n_layers; l++) {
        const double *gw = grad + m->w_off[l], *gb = grad + m->b_off[l];
        const size_t nw = m->width[l] * m->width[l + 1], nb = m->width[l + 1];
        double sw = 0.0, sb = 0.0;
        for (i = 0; i < nw; i++)
            sw += gw[i] * gw[i];
        for (i = 0; i < nb; i++)
            sb += gb[i] * gb[i];
        out[2 * l] = sqrt(sw);
        out[2 * l + 1] = sqrt(sb);
    }
}

/* One update of p (n) from g (n) with learning rate lr; m1, m2 (n) are the
 * moment blocks, laid out as p.  step is the 1-based update count (Adam's
 * bias correction). */
static void optimizer_step(const mlp_train_opts *o, double lr, double *restrict p,
                           const double *restrict g, double *restrict m1, double *restrict m2,
                           size_t n, size_t step)
{
    size_t i;

    switch (o->optimizer) {
    case MLP_OPT_MOMENTUM: {
        /* PyTorch: v = mu v + g; p -= lr v, or lr (g + mu v) with Nesterov */
        const double mu = o->momentum;
        if (o->nesterov) {
            for (i = 0; i < n; i++) {
                m1[i] = mu * m1[i] + g[i];
                p[i] -= lr * (g[i] + mu * m1[i]);
            }
        } else {
            for (i = 0; i < n; i++) {
                m1[i] = mu * m1[i] + g[i];
                p[i] -= lr * m1[i];
            }
        }
        break;
    }
    case MLP_OPT_ADAM: {
        /* PyTorch: p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps) */
        const double b1 = o->beta1, b2 = o->beta2, eps = o->eps;
        const double bc1 = 1.0 - pow(b1, (double)step), bc2 = 1.0 - pow(b2, (double)step);
        const double step_size = lr / bc1, bc2_sqrt = sqrt(bc2);
        for (i = 0; i < n; i++) {
            m1[i] = b1 * m1[i] + (1.0 - b1) * g[i];
            m2[i] = b2 * m2[i] + (1.0 - b2) * g[i] * g[i];
            p[i] -= step_size * m1[i] / (sqrt(m2[i]) / bc2_sqrt + eps);
        }
        break;
    }
    case MLP_OPT_GD:
    case MLP_OPT_SGD:
    default:
        for (i = 0; i < n; i++)
            p[i] -= lr * g[i];
        break;
    }
}

/* The learning rate of iteration t+1 from that of iteration t, for the
 * per-iteration schedules (PyTorch's recursive forms). */
static double schedule_next(const mlp_train_opts *o, double lr, size_t t)
{
    const size_t u = t + 1;
    const double T = (double)o->iterations;

    switch (o->schedule) {
    case MLP_SCHED_STEP:
        return u % o->step_size == 0 ? lr * o->gamma : lr;
    case MLP_SCHED_COSINE:
        return (1.0 + cos(MLP_PI * (double)u / T)) / (1.0 + cos(MLP_PI * (double)(u - 1) / T)) *
                   (lr - o->eta_min) +
               o->eta_min;
    default:
        return lr;
    }
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void mlp_train_result_free(mlp_train_result *res)
{
    if (!res)
        return;
    free(res->loss);
    free(res->grad_norm);
    free(res->test_loss);
    free(res->test_accuracy);
    free(res->train_accuracy);
    free(res->snapshots);
    free(res->validation_accuracy);
    res->loss = res->grad_norm = res->test_loss = res->test_accuracy = NULL;
    res->train_accuracy = res->snapshots = res->validation_accuracy = NULL;
}

static mlp_status check_data(const mlp_model *m, const mlp_data *d, const char *what,
                             mlp_error *err)
{
    if (d->dim != m->width[0])
        return mlp_fail(err, MLP_ERR_RUNTIME, "train: %s data has %zu inputs, the model %zu",
                        what, d->dim, m->width[0]);
    if (d->n > 0 && (!d->x || !d->y))
        return mlp_fail(err, MLP_ERR_RUNTIME, "train: %s data has no values", what);
    return MLP_OK;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return (x > y) - (x < y);
}

/* Copy the points idx[0..n) of src into x (n, dim), y (n). */
static void gather(const mlp_data *src, const size_t *idx, size_t n, double *x, double *y)
{
    for (size_t i = 0; i < n; i++) {
        memcpy(x + i * src->dim, src->x + idx[i] * src->dim, src->dim * sizeof(double));
        y[i] = src->y[idx[i]];
    }
}

/* malloc'd array of n doubles (at least one), every entry NaN; NULL on failure. */
static double *nan_array(size_t n)
{
    double *a = malloc((n ? n : 1) * sizeof(double));

    for (size_t i = 0; a && i < n; i++)
        a[i] = NAN;
    return a;
}

/* Number of n-sized blocks covering T (ceil(T/every)). */
static size_t n_points(size_t T, size_t every)
{
    return every ? (T + every - 1) / every : 0;
}

mlp_status mlp_train_run(const mlp_config *cfg, mlp_model *m, const mlp_data *train,
                         const mlp_data *test, uint64_t run_seed,
                         const volatile sig_atomic_t *stop, mlp_train_result *res,
                         mlp_error *err)
{
    const mlp_train_opts *o = &cfg->train;
    const mlp_loss_desc *loss;
    const mlp_param_value *lp;
    const size_t dim = train->dim, k = m->width[m->n_layers], P = m->n_params, L = m->n_layers;
    const size_t every = cfg->record.loss_every, T = o->iterations;
    const size_t eval_every = cfg->record.eval_every ? cfg->record.eval_every : every;
    const size_t snap_every = cfg->record.weights_every;
    const size_t n_test = test ? test->n : 0;
    const bool moments = o->optimizer == MLP_OPT_MOMENTUM || o->optimizer == MLP_OPT_ADAM;
    const double t_start = o->max_seconds > 0.0 ? now_seconds() : 0.0;
    mlp_workspace *ws = NULL;
    double *buf = NULL, *grad, *m1, *m2, *logits, *prob, *xb, *yb, *best = NULL;
    double *split = NULL;
    size_t *perm = NULL;
    size_t n = train->n, n_val = 0, cap, total, t, i, pos = 0, no_improve = 0, seen = 0;
    size_t max_scores = 0;
    mlp_data fit = *train, val = {0};
    double lr = o->learning_rate, epoch_loss = 0.0, best_loss = INFINITY;
    double best_score = -INFINITY;
    bool full;
    mlp_status st;
    mlp_rng rng;
    mlp_batch_loss batch_loss;

    memset(res, 0, sizeof(*res));
    res->first_100pct = -1;
    res->best_iteration = -1;
    res->final_loss = NAN;
    res->stop = MLP_STOP_ITERATIONS;
    res->stop_reason = mlp_stop_reason_name(res->stop);
    if (!cfg->loss.plugin || !cfg->loss.plugin->d.loss || !cfg->loss.plugin->d.loss->loss ||
        !cfg->loss.plugin->d.loss->predict)
        return mlp_fail(err, MLP_ERR_RUNTIME, "train: no loss function");
    loss = cfg->loss.plugin->d.loss;
    lp = cfg->loss.params;
    if (every < 1)
        return mlp_fail(err, MLP_ERR_RUNTIME, "train: loss_every must be at least 1");
    if (o->schedule == MLP_SCHED_STEP && o->step_size < 1)
        return mlp_fail(err, MLP_ERR_RUNTIME, "train: step_size must be at least 1");
    if (n == 0)
        return mlp_fail(err, MLP_ERR_RUNTIME, "train: no training points");
    st = check_data(m, train, "training", err);
    if (st == MLP_OK && n_test > 0)
        st = check_data(m, test, "test", err);
    if (st != MLP_OK)
        return st;
    if (o->validation_fraction > 0.0) {
        n_val = (size_t)ceil(o->validation_fraction * (double)n);
        if (n_val >= n)
            return mlp_fail(err, MLP_ERR_RUNTIME,
                            "train: validation_fraction %g of %zu points leaves none to train on",
                            o->validation_fraction, n);
        n -= n_val;
    }
    full = o->batch_size == 0 || o->batch_size >= n;
    const size_t bs = full ? n : o->batch_size;
    if (n_val > 0) {
        /* at most one check per epoch, and an epoch takes ceil(n / bs) updates */
        max_scores = T / ((n + bs - 1) / bs) + 1;
    }

    cap = n > n_test ? n : n_test;
    cap = cap > n_val ? cap : n_val;
    st = mlp_workspace_create(m, 0, &ws, err);
    if (st == MLP_OK)
        st = mlp_workspace_threads(ws, m, o->threads, cap, err);
    if (st != MLP_OK) {
        mlp_workspace_free(ws);
        return st;
    }
    batch_loss = (mlp_batch_loss){.desc = loss, .params = lp, .sum = mlp_loss_is_sum(loss, lp)};
    /* grad, two moment blocks, logits (cap, k), prob (chunk, k), and the
     * gathered minibatch x (bs, dim), y (bs) */
    total = P * (moments ? 3 : 1) + cap * k + MLP_CHECK_CHUNK * k + (full ? 0 : bs * (dim + 1));
    buf = calloc(total, sizeof(double));
    res->n_layers = L;
    res->n_params = P;
    res->n_loss = n_points(T, every);
    res->eval_every = eval_every;
    res->n_eval = n_points(T, eval_every);
    res->n_snapshots = n_points(T, snap_every);
    res->n_validation = n_val;
    res->loss = nan_array(res->n_loss);
    res->grad_norm = nan_array(res->n_loss * L * 2);
    res->train_accuracy = nan_array(res->n_eval);
    if (n_test > 0) {
        res->test_loss = nan_array(res->n_eval > res->n_loss ? res->n_eval : res->n_loss);
        res->test_accuracy = nan_array(res->n_eval);
    }
    if (snap_every)
        res->snapshots = nan_array(res->n_snapshots * P);
    if (n_val > 0) {
        res->validation_accuracy = nan_array(max_scores);
        best = malloc(P * sizeof(double));
        split = malloc((n + n_val) * (dim + 1) * sizeof(double));
    }
    if (!full || n_val > 0)
        perm = malloc((n + n_val) * sizeof(size_t));
    if (!buf || !res->loss || !res->grad_norm || !res->train_accuracy ||
        (n_test > 0 && (!res->test_loss || !res->test_accuracy)) ||
        (snap_every && !res->snapshots) ||
        (n_val > 0 && (!res->validation_accuracy || !best || !split)) ||
        ((!full || n_val > 0) && !perm)) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "train: out of memory");
        goto fail;
    }
    grad = buf;
    m1 = m2 = NULL;
    logits = grad + P;
    if (moments) {
        m1 = logits;
        m2 = m1 + P;
        logits = m2 + P;
    }
    prob = logits + cap * k;
    xb = prob + MLP_CHECK_CHUNK * k;
    yb = xb + bs * dim;

    if (n_val > 0) {
        /* hold out the first n_val of a shuffled identity; train on the rest,
         * in their original order */
        const size_t nt = n + n_val;
        for (i = 0; i < nt; i++)
            perm[i] = i;
        mlp_rng_init(&rng, run_seed, 1, MLP_STREAM_BATCH);
        mlp_rng_shuffle(&rng, perm, nt);
        qsort(perm + n_val, n, sizeof(size_t), cmp_size);
        val = (mlp_data){.n = n_val, .dim = dim, .classes = train->classes, .x = split,
                         .y = split + n_val * dim};
        fit = (mlp_data){.n = n, .dim = dim, .classes = train->classes,
                         .x = split + n_val * (dim + 1)};
        fit.y = fit.x + n * dim;
        gather(train, perm, n_val, val.x, val.y);
        gather(train, perm + n_val, n, fit.x, fit.y);
    }
    mlp_rng_init(&rng, run_seed, 0, MLP_STREAM_BATCH);

    for (t = 0; t < T; t++) {
        const double *x = fit.x, *y = fit.y;
        size_t nb = n;
        double l, acc = NAN;
        bool diverged, epoch_end;

        if (stop && *stop) {
            st = mlp_fail(err, MLP_ERR_INTERRUPTED, "train: interrupted at iteration %zu", t);
            goto fail;
        }
        if (!full) {
            /* a new epoch: the identity permutation, shuffled */
            if (pos == 0) {
                for (i = 0; i < n; i++)
                    perm[i] = i;
                mlp_rng_shuffle(&rng, perm, n);
            }
            nb = n - pos < bs ? n - pos : bs;
            gather(&fit, perm + pos, nb, xb, yb);
            pos += nb;
            x = xb;
            y = yb;
        }

        l = mlp_model_loss_grad(m, ws, x, y, nb, &batch_loss, logits, grad);
        if (o->l2 != 0.0 || o->alpha != 0.0 || o->l1 != 0.0)
            l += penalty(m, o, nb);
        res->final_loss = l;
        epoch_loss += l * (double)nb;
        if (t % every == 0)
            res->loss[t / every] = l;
        if (full) {
            /* the accuracy of this forward pass on every training point */
            if (o->target_accuracy > 0.0 || t % eval_every == 0) {
                acc = (double)count_correct(loss, lp, logits, y, n, k, prob, false) / (double)n;
                if (res->first_100pct < 0 && acc == 1.0)
                    res->first_100pct = (long)t;
            } else if (res->first_100pct < 0 && all_correct(loss, lp, logits, y, n, k, prob)) {
                res->first_100pct = (long)t;
            }
            if (t % eval_every == 0)
                res->train_accuracy[t / eval_every] = acc;
        }
        if (snap_every && t % snap_every == 0)
            memcpy(res->snapshots + (t / snap_every) * P, m->params, P * sizeof(double));

        diverged = mlp_not_finite(l);
        if (diverged && (st = blame_plugin(m, x, loss, logits, l, nb, k, t, err)) != MLP_OK)
            goto fail;
        if (!diverged) {
            if (o->l2 != 0.0 || o->alpha != 0.0 || o->l1 != 0.0)
                penalty_grad(m, o, nb, grad);
            diverged = any_not_finite(grad, P);
            if (t % every == 0)
                grad_norms(m, grad, res->grad_norm + (t / every) * L * 2);
        }
        /* the same parameters on the test set, and minibatches on all
         * training points (ws is free again) */
        if (t % eval_every == 0) {
            const size_t j = t / eval_every;
            if (n_test > 0) {
                const double *tl = logits;
                mlp_model_logits(m, ws, test->x, n_test, logits);
                res->test_loss[j] = loss->loss(tl, test->y, NULL, n_test, k, lp);
                res->test_accuracy[j] =
                    (double)count_correct(loss, lp, tl, test->y, n_test, k, prob, false) /
                    (double)n_test;
            }
            if (!full) {
                const double *fl = logits;
                mlp_model_logits(m, ws, fit.x, n, logits);
                res->train_accuracy[j] =
                    (double)count_correct(loss, lp, fl, fit.y, n, k, prob, false) / (double)n;
            }
        }
        if (diverged) {
            res->status = MLP_RUN_DIVERGED;
            res->stop = MLP_STOP_DIVERGED;
            break;
        }
        if (full && o->target_accuracy > 0.0 && acc >= o->target_accuracy) {
            res->stop = MLP_STOP_TARGET_ACCURACY;
            break;
        }

        optimizer_step(o, lr, m->params, grad, m1, m2, P, t + 1);
        res->iterations_run = t + 1;
        lr = schedule_next(o, lr, t);

        epoch_end = full || pos == n;
        if (epoch_end) {
            pos = 0;
            seen += n;
            if (o->schedule == MLP_SCHED_INVSCALING)
                lr = o->learning_rate / pow((double)seen + 1.0, o->power_t);
        }
        /* end of an epoch (or of training) with minibatches: check the
         * model the next iteration will see on the whole training set */
        if (!full && (epoch_end || t + 1 == T) &&
            (res->first_100pct < 0 || (epoch_end && o->target_accuracy > 0.0))) {
            const double *fl = logits;
            size_t right;
            mlp_model_logits(m, ws, fit.x, n, logits);
            right = count_correct(loss, lp, fl, fit.y, n, k, prob, false);
            if (res->first_100pct < 0 && right == n)
                res->first_100pct = (long)(t + 1);
            if (epoch_end && o->target_accuracy > 0.0 &&
                (double)right / (double)n >= o->target_accuracy) {
                res->stop = MLP_STOP_TARGET_ACCURACY;
                break;
            }
        }
        if (epoch_end && n_val > 0) {
            /* scikit-learn's early stopping on the validation accuracy */
            const double *vl = logits;
            mlp_model_logits(m, ws, val.x, n_val, logits);
            const double score =
                (double)count_correct(loss, lp, vl, val.y, n_val, k, prob, false) /
                (double)n_val;
            if (res->n_scores < max_scores)
                res->validation_accuracy[res->n_scores++] = score;
            no_improve = score < best_score + o->tol ? no_improve + 1 : 0;
            if (score > best_score) {
                best_score = score;
                memcpy(best, m->params, P * sizeof(double));
                res->best_iteration = (long)(t + 1);
            }
            if (no_improve > o->n_iter_no_change) {
                res->stop = MLP_STOP_EARLY_STOPPING;
                break;
            }
        } else if (epoch_end && o->use_tol) {
            /* scikit-learn's tol on the epoch's mean training loss */
            const double el = epoch_loss / (double)n;
            no_improve = el > best_loss - o->tol ? no_improve + 1 : 0;
            if (el < best_loss)
                best_loss = el;
            if (no_improve > o->n_iter_no_change) {
                res->stop = MLP_STOP_TOL;
                break;
            }
        }
        if (epoch_end)
            epoch_loss = 0.0;
        if (o->max_seconds > 0.0 && now_seconds() - t_start >= o->max_seconds) {
            res->stop = MLP_STOP_MAX_SECONDS;
            break;
        }
    }
    if (n_val > 0 && res->best_iteration >= 0)
        memcpy(m->params, best, P * sizeof(double));
    res->stop_reason = mlp_stop_reason_name(res->stop);

    free(split);
    free(best);
    free(perm);
    free(buf);
    mlp_workspace_free(ws);
    return MLP_OK;

fail:
    free(split);
    free(best);
    free(perm);
    free(buf);
    mlp_workspace_free(ws);
    mlp_train_result_free(res);
    res->n_loss = res->n_eval = res->n_snapshots = res->n_scores = 0;
    return st;
}

void mlp_record_estimate(const mlp_config *cfg, size_t inputs, size_t outputs, size_t n_train,
                         size_t n_test, mlp_record_size *out)
{
    const mlp_record_opts *r = &cfg->record;
    const double T = (double)cfg->train.iterations, B = sizeof(double);
    const double every = (double)(r->loss_every ? r->loss_every : 1);
    const double ev = r->eval_every ? (double)r->eval_every : every;
    double params = 0, in = (double)inputs, hidden_units = 0, layers = (double)cfg->n_hidden + 1;
    double n_loss = ceil(T / every), n_eval = ceil(T / ev), n_val = 0;

    for (size_t l = 0; l < cfg->n_hidden; l++) {
        params += (in + 1) * (double)cfg->hidden[l];
        in = (double)cfg->hidden[l];
        hidden_units += (double)cfg->hidden[l];
    }
    params += (in + 1) * (double)outputs;
    if (cfg->train.validation_fraction > 0)
        n_val = ceil(cfg->train.validation_fraction * (double)n_train);
    memset(out, 0, sizeof(*out));
    /* loss and grad norms; train accuracy, and test loss and accuracy with a test set;
     * at most one validation score per iteration */
    out->curves = B * (n_loss * (1 + 2 * layers) + n_eval * (1 + (n_test ? 2 : 0)) +
                       (n_val > 0 ? T + 1 : 0));
    if (r->weights_every)
        out->snapshots = B * ceil(T / (double)r->weights_every) * params;
    if (r->weights)
        out->weights = B * params;
    if (r->hidden)
        out->hidden = B * (double)n_train * hidden_units;
    if (r->boundary)
        out->boundary = B * (double)r->resolution * (double)r->resolution *
                        ((double)outputs + (outputs > 1 ? 1 : 0));
    out->dataset = B * (double)(n_train + n_test) * ((double)inputs + 1);
    out->total = out->curves + out->snapshots + out->weights + out->hidden + out->boundary +
                 out->dataset;
}
