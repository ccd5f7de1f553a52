/* train.c -- the training loop: batches, loss and gradient, L2, one flat
 * optimizer step, the loss curve, divergence detection and the stop flag.
 * Everything is allocated before the first iteration. */
#include "train.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

/* Samples whose predictions are checked at a time (stops at the first miss). */
#define MLP_CHECK_CHUNK 64

bool mlp_not_finite(double x)
{
    uint64_t u;

    memcpy(&u, &x, sizeof(u));
    return (u & 0x7FF0000000000000ULL) == 0x7FF0000000000000ULL;
}

/* True when some element of v (n) is NaN or infinite, by the bits. */
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

/* Whether every sample's prediction matches its label: k == 1, class 1
 * where prob >= 0.5; k > 1, the first largest prob.  logits (n, k), y (n),
 * prob (MLP_CHECK_CHUNK, k) scratch. */
static bool all_correct(const mlp_loss_desc *loss, const mlp_param_value *lp,
                        const double *logits, const double *y, size_t n, size_t k, double *prob)
{
    size_t i0, i, c;

    for (i0 = 0; i0 < n; i0 += MLP_CHECK_CHUNK) {
        const size_t nb = n - i0 < MLP_CHECK_CHUNK ? n - i0 : MLP_CHECK_CHUNK;

        loss->predict(logits + i0 * k, prob, nb, k, lp);
        for (i = 0; i < nb; i++) {
            const double *p = prob + i * k;
            size_t cls = 0;

            if (k == 1) {
                cls = p[0] >= 0.5;
            } else {
                for (c = 1; c < k; c++)
                    if (p[c] > p[cls])
                        cls = c;
            }
            if ((double)cls != y[i0 + i])
                return false;
        }
    }
    return true;
}

/* l2/2 * sum of the squared weights (biases excluded). */
static double l2_penalty(const mlp_model *m, double l2)
{
    double s = 0.0;
    size_t l, i;

    for (l = 0; l < m->n_layers; l++) {
        const double *w = m->params + m->w_off[l];
        const size_t nw = m->width[l] * m->width[l + 1];
        for (i = 0; i < nw; i++)
            s += w[i] * w[i];
    }
    return 0.5 * l2 * s;
}

/* grad += l2 * W on the weights. */
static void l2_grad(const mlp_model *m, double l2, double *grad)
{
    size_t l, i;

    for (l = 0; l < m->n_layers; l++) {
        const double *w = m->params + m->w_off[l];
        double *g = grad + m->w_off[l];
        const size_t nw = m->width[l] * m->width[l + 1];
        for (i = 0; i < nw; i++)
            g[i] += l2 * w[i];
    }
}

/* One update of p (n) from g (n); m1, m2 (n) are the moment blocks, laid out
 * as p.  step is the 1-based update count (Adam's bias correction). */
static void optimizer_step(const mlp_train_opts *o, double *restrict p, const double *restrict g,
                           double *restrict m1, double *restrict m2, size_t n, size_t step)
{
    const double lr = o->learning_rate;
    size_t i;

    switch (o->optimizer) {
    case MLP_OPT_MOMENTUM: {
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

void mlp_train_result_free(mlp_train_result *res)
{
    if (!res)
        return;
    free(res->loss);
    free(res->test_loss);
    res->loss = NULL;
    res->test_loss = NULL;
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

mlp_status mlp_train_run(const mlp_config *cfg, mlp_model *m, const mlp_data *train,
                         const mlp_data *test, uint64_t run_seed,
                         const volatile sig_atomic_t *stop, mlp_train_result *res,
                         mlp_error *err)
{
    const mlp_train_opts *o = &cfg->train;
    const mlp_loss_desc *loss;
    const mlp_param_value *lp;
    const size_t n = train->n, dim = train->dim, k = m->width[m->n_layers], P = m->n_params;
    const size_t every = cfg->record.loss_every, T = o->iterations;
    const bool full = o->batch_size == 0 || o->batch_size >= n;
    const size_t bs = full ? n : o->batch_size;
    const size_t n_test = test ? test->n : 0;
    const bool moments = o->optimizer == MLP_OPT_MOMENTUM || o->optimizer == MLP_OPT_ADAM;
    mlp_workspace *ws = NULL;
    double *buf = NULL, *grad, *m1, *m2, *dlogits, *prob, *xb, *yb;
    size_t *perm = NULL;
    size_t cap, total, t, i, pos = 0;
    mlp_status st;
    mlp_rng rng;

    memset(res, 0, sizeof(*res));
    res->first_100pct = -1;
    res->final_loss = NAN;
    if (!cfg->loss.plugin || !cfg->loss.plugin->d.loss || !cfg->loss.plugin->d.loss->loss ||
        !cfg->loss.plugin->d.loss->predict)
        return mlp_fail(err, MLP_ERR_RUNTIME, "train: no loss function");
    loss = cfg->loss.plugin->d.loss;
    lp = cfg->loss.params;
    if (every < 1)
        return mlp_fail(err, MLP_ERR_RUNTIME, "train: loss_every must be at least 1");
    if (n == 0)
        return mlp_fail(err, MLP_ERR_RUNTIME, "train: no training points");
    st = check_data(m, train, "training", err);
    if (st == MLP_OK && n_test > 0)
        st = check_data(m, test, "test", err);
    if (st != MLP_OK)
        return st;

    cap = n > n_test ? n : n_test;
    st = mlp_workspace_create(m, cap, &ws, err);
    if (st != MLP_OK)
        return st;
    /* grad, two moment blocks, dlogits (cap, k), prob (chunk, k), and the
     * gathered minibatch x (bs, dim), y (bs) */
    total = P * (moments ? 3 : 1) + cap * k + MLP_CHECK_CHUNK * k + (full ? 0 : bs * (dim + 1));
    buf = calloc(total, sizeof(double));
    res->n_loss = (T + every - 1) / every;
    res->loss = malloc((res->n_loss ? res->n_loss : 1) * sizeof(double));
    if (n_test > 0)
        res->test_loss = malloc((res->n_loss ? res->n_loss : 1) * sizeof(double));
    if (!full)
        perm = malloc(n * sizeof(size_t));
    if (!buf || !res->loss || (n_test > 0 && !res->test_loss) || (!full && !perm)) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "train: out of memory");
        goto fail;
    }
    grad = buf;
    m1 = m2 = NULL;
    dlogits = grad + P;
    if (moments) {
        m1 = dlogits;
        m2 = m1 + P;
        dlogits = m2 + P;
    }
    prob = dlogits + cap * k;
    xb = prob + MLP_CHECK_CHUNK * k;
    yb = xb + bs * dim;
    for (i = 0; i < res->n_loss; i++) {
        res->loss[i] = NAN;
        if (res->test_loss)
            res->test_loss[i] = NAN;
    }
    mlp_rng_init(&rng, run_seed, 0, MLP_STREAM_BATCH);

    for (t = 0; t < T; t++) {
        const double *x = train->x, *y = train->y, *logits;
        size_t nb = n;
        double l;
        bool diverged;

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
            for (i = 0; i < nb; i++) {
                memcpy(xb + i * dim, train->x + perm[pos + i] * dim, dim * sizeof(double));
                yb[i] = train->y[perm[pos + i]];
            }
            pos += nb;
            x = xb;
            y = yb;
        }

        logits = mlp_model_forward(m, ws, x, nb);
        l = loss->loss(logits, y, dlogits, nb, k, lp);
        if (o->l2 != 0.0)
            l += l2_penalty(m, o->l2);
        res->final_loss = l;
        if (t % every == 0)
            res->loss[t / every] = l;
        if (full && res->first_100pct < 0 && all_correct(loss, lp, logits, y, n, k, prob))
            res->first_100pct = (long)t;

        diverged = mlp_not_finite(l);
        if (!diverged) {
            mlp_model_backward(m, ws, x, nb, dlogits, grad);
            if (o->l2 != 0.0)
                l2_grad(m, o->l2, grad);
            diverged = any_not_finite(grad, P);
        }
        /* the test loss of the same parameters (ws is free again) */
        if (n_test > 0 && t % every == 0) {
            const double *tl = mlp_model_forward(m, ws, test->x, n_test);
            res->test_loss[t / every] = loss->loss(tl, test->y, NULL, n_test, k, lp);
        }
        if (diverged) {
            res->status = MLP_RUN_DIVERGED;
            break;
        }

        optimizer_step(o, m->params, grad, m1, m2, P, t + 1);
        res->iterations_run = t + 1;

        /* end of an epoch (or of training) with minibatches: check the
         * model the next iteration will see on the whole training set */
        if (!full && (pos == n || t + 1 == T)) {
            if (pos == n)
                pos = 0;
            if (res->first_100pct < 0) {
                logits = mlp_model_forward(m, ws, train->x, n);
                if (all_correct(loss, lp, logits, train->y, n, k, prob))
                    res->first_100pct = (long)(t + 1);
            }
        }
    }

    free(perm);
    free(buf);
    mlp_workspace_free(ws);
    return MLP_OK;

fail:
    free(perm);
    free(buf);
    mlp_workspace_free(ws);
    mlp_train_result_free(res);
    res->n_loss = 0;
    return st;
}
