/* train.c -- the training loop: validation split, batches, loss and
 * gradient, stopping rules, the recorded curves and snapshots, divergence
 * detection and the stop flag, as phases of mlp_train_run; the step's
 * arithmetic (penalties, optimizer, schedules) is in train_math.c.
 * Everything is allocated before the first iteration. */
#include "train/train.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/rng.h"
#include "registry/calling.h"
#include "train/train_math.h"

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


const char *mlp_stop_reason_name(mlp_stop_reason r)
{
    switch (r) {
    case MLP_STOP_ITERATIONS: return "iterations";
    case MLP_STOP_TARGET_ACCURACY: return "target_accuracy";
    case MLP_STOP_TOL: return "tol";
    case MLP_STOP_EARLY_STOPPING: return "early_stopping";
    case MLP_STOP_MAX_SECONDS: return "max_seconds";
    case MLP_STOP_DIVERGED: return "diverged";
    case MLP_STOP_HALVING: return "halving";
    }
    return "unknown";
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

/* One training run as its phases share it: the settings, the data, the
 * buffers (all allocated before the first iteration) and the loop's state. */
typedef struct trainer {
    const mlp_config *cfg;
    const mlp_train_opts *o;
    mlp_model *m;
    const mlp_data *train, *test;
    mlp_train_result *res;
    const mlp_loss_desc *loss;
    const mlp_param_value *lp;
    mlp_batch_loss batch_loss;
    size_t dim, k, P, L;             /* inputs, outputs, parameters, weight layers */
    size_t every, T, eval_every, snap_every, n_test;
    bool moments;                    /* the optimizer keeps moment blocks */
    bool full;                       /* full batch */
    double t_start;                  /* for max_seconds */
    mlp_workspace *ws;
    double *buf;                     /* owned: grad, m1, m2, logits, prob, xb, yb */
    double *grad, *m1, *m2, *logits, *prob, *xb, *yb;
    double *best;                    /* owned: (P) the best parameters (early stopping) */
    double *split;                   /* owned: the validation and training points */
    size_t *perm;                    /* owned: (n + n_val) */
    size_t n, n_val, cap, bs;        /* training points, held out, logits rows, batch */
    size_t max_scores;
    mlp_data fit, val;               /* the points trained on, the held-out ones */
    size_t pos, no_improve, seen;    /* place in the epoch, epochs without progress, points */
    double lr, epoch_loss, best_loss, best_score;
    mlp_rng rng;
    size_t t;                        /* the next iteration */
    bool ended;                      /* training ended by its own rules or at T */
} trainer;

/* The checks before anything is allocated, and the sizes that follow from
 * the options: the validation split, full batch or minibatches. */
static mlp_status check_setup(trainer *tr, mlp_error *err)
{
    const mlp_config *cfg = tr->cfg;
    const mlp_train_opts *o = tr->o;
    mlp_status st;

    if (!cfg->loss.plugin || !cfg->loss.plugin->d.loss || !cfg->loss.plugin->d.loss->loss ||
        !cfg->loss.plugin->d.loss->predict)
        return mlp_fail(err, MLP_ERR_RUNTIME, "train: no loss function");
    tr->loss = cfg->loss.plugin->d.loss;
    tr->lp = cfg->loss.params;
    if (tr->every < 1)
        return mlp_fail(err, MLP_ERR_RUNTIME, "train: loss_every must be at least 1");
    if (o->schedule == MLP_SCHED_STEP && o->step_size < 1)
        return mlp_fail(err, MLP_ERR_RUNTIME, "train: step_size must be at least 1");
    if (tr->n == 0)
        return mlp_fail(err, MLP_ERR_RUNTIME, "train: no training points");
    st = check_data(tr->m, tr->train, "training", err);
    if (st == MLP_OK && tr->n_test > 0)
        st = check_data(tr->m, tr->test, "test", err);
    if (st != MLP_OK)
        return st;
    if (o->validation_fraction > 0.0) {
        tr->n_val = (size_t)ceil(o->validation_fraction * (double)tr->n);
        if (tr->n_val >= tr->n)
            return mlp_fail(err, MLP_ERR_RUNTIME,
                            "train: validation_fraction %g of %zu points leaves none to train on",
                            o->validation_fraction, tr->n);
        tr->n -= tr->n_val;
    }
    tr->full = o->batch_size == 0 || o->batch_size >= tr->n;
    tr->bs = tr->full ? tr->n : o->batch_size;
    if (tr->n_val > 0) {
        /* at most one check per epoch, and an epoch takes ceil(n / bs) updates */
        tr->max_scores = tr->T / ((tr->n + tr->bs - 1) / tr->bs) + 1;
    }
    return MLP_OK;
}

/* The workspace, the one buffer behind the loop's arrays, and the result's
 * curves (NaN until written). */
static mlp_status allocate(trainer *tr, mlp_error *err)
{
    mlp_train_result *res = tr->res;
    const size_t P = tr->P, k = tr->k, n = tr->n, n_val = tr->n_val, bs = tr->bs;
    size_t total;
    mlp_status st;

    tr->cap = n > tr->n_test ? n : tr->n_test;
    tr->cap = tr->cap > n_val ? tr->cap : n_val;
    st = mlp_workspace_create(tr->m, 0, &tr->ws, err);
    if (st == MLP_OK)
        st = mlp_workspace_threads(tr->ws, tr->m, tr->o->threads, tr->cap, err);
    if (st != MLP_OK)
        return st;
    tr->batch_loss = (mlp_batch_loss){.desc = tr->loss, .params = tr->lp,
                                      .sum = mlp_loss_is_sum(tr->loss, tr->lp)};
    /* grad, two moment blocks, logits (cap, k), prob (chunk, k), and the
     * gathered minibatch x (bs, dim), y (bs) */
    total = P * (tr->moments ? 3 : 1) + tr->cap * k + MLP_CHECK_CHUNK * k +
            (tr->full ? 0 : bs * (tr->dim + 1));
    tr->buf = calloc(total, sizeof(double));
    res->n_layers = tr->L;
    res->n_params = P;
    res->n_loss = n_points(tr->T, tr->every);
    res->eval_every = tr->eval_every;
    res->n_eval = n_points(tr->T, tr->eval_every);
    res->n_snapshots = n_points(tr->T, tr->snap_every);
    res->n_validation = n_val;
    res->loss = nan_array(res->n_loss);
    res->grad_norm = nan_array(res->n_loss * tr->L * 2);
    res->train_accuracy = nan_array(res->n_eval);
    if (tr->n_test > 0) {
        res->test_loss = nan_array(res->n_eval > res->n_loss ? res->n_eval : res->n_loss);
        res->test_accuracy = nan_array(res->n_eval);
    }
    if (tr->snap_every)
        res->snapshots = nan_array(res->n_snapshots * P);
    if (n_val > 0) {
        res->validation_accuracy = nan_array(tr->max_scores);
        tr->best = malloc(P * sizeof(double));
        tr->split = malloc((n + n_val) * (tr->dim + 1) * sizeof(double));
    }
    if (!tr->full || n_val > 0)
        tr->perm = malloc((n + n_val) * sizeof(size_t));
    if (!tr->buf || !res->loss || !res->grad_norm || !res->train_accuracy ||
        (tr->n_test > 0 && (!res->test_loss || !res->test_accuracy)) ||
        (tr->snap_every && !res->snapshots) ||
        (n_val > 0 && (!res->validation_accuracy || !tr->best || !tr->split)) ||
        ((!tr->full || n_val > 0) && !tr->perm))
        return mlp_fail(err, MLP_ERR_NOMEM, "train: out of memory");
    tr->grad = tr->buf;
    tr->m1 = tr->m2 = NULL;
    tr->logits = tr->grad + P;
    if (tr->moments) {
        tr->m1 = tr->logits;
        tr->m2 = tr->m1 + P;
        tr->logits = tr->m2 + P;
    }
    tr->prob = tr->logits + tr->cap * k;
    tr->xb = tr->prob + MLP_CHECK_CHUNK * k;
    tr->yb = tr->xb + bs * tr->dim;
    return MLP_OK;
}

/* Hold out the first n_val of a shuffled identity; train on the rest, in
 * their original order. */
static void split_validation(trainer *tr, uint64_t run_seed)
{
    const size_t n = tr->n, n_val = tr->n_val, dim = tr->dim, nt = n + n_val;
    size_t *perm = tr->perm;

    for (size_t i = 0; i < nt; i++)
        perm[i] = i;
    mlp_rng_init(&tr->rng, run_seed, 1, MLP_STREAM_BATCH);
    mlp_rng_shuffle(&tr->rng, perm, nt);
    qsort(perm + n_val, n, sizeof(size_t), cmp_size);
    tr->val = (mlp_data){.n = n_val, .dim = dim, .classes = tr->train->classes, .x = tr->split,
                         .y = tr->split + n_val * dim};
    tr->fit = (mlp_data){.n = n, .dim = dim, .classes = tr->train->classes,
                         .x = tr->split + n_val * (dim + 1)};
    tr->fit.y = tr->fit.x + n * dim;
    gather(tr->train, perm, n_val, tr->val.x, tr->val.y);
    gather(tr->train, perm + n_val, n, tr->fit.x, tr->fit.y);
}

/* The next batch: every training point (full batch), or the next bs points
 * of this epoch's permutation gathered into xb, yb.  Returns its size. */
static size_t next_batch(trainer *tr, const double **x, const double **y)
{
    const size_t n = tr->n;
    size_t nb;

    *x = tr->fit.x;
    *y = tr->fit.y;
    if (tr->full)
        return n;
    /* a new epoch: the identity permutation, shuffled */
    if (tr->pos == 0) {
        for (size_t i = 0; i < n; i++)
            tr->perm[i] = i;
        mlp_rng_shuffle(&tr->rng, tr->perm, n);
    }
    nb = n - tr->pos < tr->bs ? n - tr->pos : tr->bs;
    gather(&tr->fit, tr->perm + tr->pos, nb, tr->xb, tr->yb);
    tr->pos += nb;
    *x = tr->xb;
    *y = tr->yb;
    return nb;
}

/* The step: forward, loss (penalties included) and gradient of the batch,
 * the loss recorded.  Returns the loss. */
static double step_loss(trainer *tr, size_t t, const double *x, const double *y, size_t nb)
{
    const mlp_train_opts *o = tr->o;
    double l;

    l = mlp_model_loss_grad(tr->m, tr->ws, x, y, nb, &tr->batch_loss, tr->logits, tr->grad);
    if (o->l2 != 0.0 || o->alpha != 0.0 || o->l1 != 0.0)
        l += mlp_train_penalty(tr->m, o, nb);
    tr->res->final_loss = l;
    tr->epoch_loss += l * (double)nb;
    if (t % tr->every == 0)
        tr->res->loss[t / tr->every] = l;
    return l;
}

/* Recording from the step's forward pass: full batch, its accuracy on every
 * training point (returned, NaN when not computed) and first_100pct; the
 * parameters' snapshot. */
static double record_step(trainer *tr, size_t t, const double *y)
{
    mlp_train_result *res = tr->res;
    const size_t n = tr->n, k = tr->k, P = tr->P;
    double acc = NAN;

    if (tr->full) {
        /* the accuracy of this forward pass on every training point */
        if (tr->o->target_accuracy > 0.0 || t % tr->eval_every == 0) {
            acc = (double)mlp_train_count_correct(tr->loss, tr->lp, tr->logits, y, n, k, tr->prob, false) /
                  (double)n;
            if (res->first_100pct < 0 && acc == 1.0)
                res->first_100pct = (long)t;
        } else if (res->first_100pct < 0 &&
                   mlp_train_all_correct(tr->loss, tr->lp, tr->logits, y, n, k, tr->prob)) {
            res->first_100pct = (long)t;
        }
        if (t % tr->eval_every == 0)
            res->train_accuracy[t / tr->eval_every] = acc;
    }
    if (tr->snap_every && t % tr->snap_every == 0)
        memcpy(res->snapshots + (t / tr->snap_every) * P, tr->m->params, P * sizeof(double));
    return acc;
}

/* Whether the step diverged (a loss or gradient not finite); the gradient
 * gets its penalties and its norms are recorded.  An error when a plugin,
 * not divergence, made the loss NaN. */
static mlp_status check_gradient(trainer *tr, size_t t, const double *x, double l, size_t nb,
                                 bool *diverged, mlp_error *err)
{
    const mlp_train_opts *o = tr->o;
    mlp_status st;

    *diverged = mlp_not_finite(l);
    if (*diverged &&
        (st = blame_plugin(tr->m, x, tr->loss, tr->logits, l, nb, tr->k, t, err)) != MLP_OK)
        return st;
    if (!*diverged) {
        if (o->l2 != 0.0 || o->alpha != 0.0 || o->l1 != 0.0)
            mlp_train_penalty_grad(tr->m, o, nb, tr->grad);
        *diverged = any_not_finite(tr->grad, tr->P);
        if (t % tr->every == 0)
            mlp_train_grad_norms(tr->m, tr->grad, tr->res->grad_norm + (t / tr->every) * tr->L * 2);
    }
    return MLP_OK;
}

/* Every eval_every iterations, the same parameters on the test set, and
 * with minibatches on all training points (ws is free again). */
static void record_eval(trainer *tr, size_t t)
{
    mlp_train_result *res = tr->res;
    const size_t j = t / tr->eval_every, k = tr->k, n = tr->n, n_test = tr->n_test;

    if (t % tr->eval_every != 0)
        return;
    if (n_test > 0) {
        const double *tl = tr->logits;
        mlp_model_logits(tr->m, tr->ws, tr->test->x, n_test, tr->logits);
        mlp_calling_enter(tr->loss, "loss");
        res->test_loss[j] = tr->loss->loss(tl, tr->test->y, NULL, n_test, k, tr->lp);
        mlp_calling_leave();
        res->test_accuracy[j] =
            (double)mlp_train_count_correct(tr->loss, tr->lp, tl, tr->test->y, n_test, k, tr->prob,
                                  false) /
            (double)n_test;
    }
    if (!tr->full) {
        const double *fl = tr->logits;
        mlp_model_logits(tr->m, tr->ws, tr->fit.x, n, tr->logits);
        res->train_accuracy[j] =
            (double)mlp_train_count_correct(tr->loss, tr->lp, fl, tr->fit.y, n, k, tr->prob, false) /
            (double)n;
    }
}

/* The stopping rules checked before the update: divergence, and full batch
 * the target accuracy of this forward pass.  True to stop. */
static bool stop_before_update(trainer *tr, bool diverged, double acc)
{
    if (diverged) {
        tr->res->status = MLP_RUN_DIVERGED;
        tr->res->stop = MLP_STOP_DIVERGED;
        return true;
    }
    if (tr->full && tr->o->target_accuracy > 0.0 && acc >= tr->o->target_accuracy) {
        tr->res->stop = MLP_STOP_TARGET_ACCURACY;
        return true;
    }
    return false;
}

/* The optimizer's update and the next learning rate.  Returns whether it
 * ended an epoch. */
static bool update(trainer *tr, size_t t)
{
    const mlp_train_opts *o = tr->o;
    bool epoch_end;

    mlp_train_optimizer_step(o, tr->lr, tr->m->params, tr->grad, tr->m1, tr->m2, tr->P, t + 1);
    tr->res->iterations_run = t + 1;
    tr->lr = mlp_train_schedule_next(o, tr->lr, t);

    epoch_end = tr->full || tr->pos == tr->n;
    if (epoch_end) {
        tr->pos = 0;
        tr->seen += tr->n;
        if (o->schedule == MLP_SCHED_INVSCALING)
            tr->lr = o->learning_rate / pow((double)tr->seen + 1.0, o->power_t);
    }
    return epoch_end;
}

/* The stopping rules checked after the update: minibatches, the target
 * accuracy at an epoch's end (and first_100pct); early stopping or tol at an
 * epoch's end; max_seconds.  True to stop. */
static bool stop_after_update(trainer *tr, size_t t, bool epoch_end)
{
    const mlp_train_opts *o = tr->o;
    mlp_train_result *res = tr->res;
    const size_t n = tr->n, n_val = tr->n_val, k = tr->k;

    /* end of an epoch (or of training) with minibatches: check the
     * model the next iteration will see on the whole training set */
    if (!tr->full && (epoch_end || t + 1 == tr->T) &&
        (res->first_100pct < 0 || (epoch_end && o->target_accuracy > 0.0))) {
        const double *fl = tr->logits;
        size_t right;
        mlp_model_logits(tr->m, tr->ws, tr->fit.x, n, tr->logits);
        right = mlp_train_count_correct(tr->loss, tr->lp, fl, tr->fit.y, n, k, tr->prob, false);
        if (res->first_100pct < 0 && right == n)
            res->first_100pct = (long)(t + 1);
        if (epoch_end && o->target_accuracy > 0.0 &&
            (double)right / (double)n >= o->target_accuracy) {
            res->stop = MLP_STOP_TARGET_ACCURACY;
            return true;
        }
    }
    if (epoch_end && n_val > 0) {
        /* scikit-learn's early stopping on the validation accuracy */
        const double *vl = tr->logits;
        mlp_model_logits(tr->m, tr->ws, tr->val.x, n_val, tr->logits);
        const double score =
            (double)mlp_train_count_correct(tr->loss, tr->lp, vl, tr->val.y, n_val, k, tr->prob, false) /
            (double)n_val;
        if (res->n_scores < tr->max_scores)
            res->validation_accuracy[res->n_scores++] = score;
        tr->no_improve = score < tr->best_score + o->tol ? tr->no_improve + 1 : 0;
        if (score > tr->best_score) {
            tr->best_score = score;
            memcpy(tr->best, tr->m->params, tr->P * sizeof(double));
            res->best_iteration = (long)(t + 1);
        }
        if (tr->no_improve > o->n_iter_no_change) {
            res->stop = MLP_STOP_EARLY_STOPPING;
            return true;
        }
    } else if (epoch_end && o->use_tol) {
        /* scikit-learn's tol on the epoch's mean training loss */
        const double el = tr->epoch_loss / (double)n;
        tr->no_improve = el > tr->best_loss - o->tol ? tr->no_improve + 1 : 0;
        if (el < tr->best_loss)
            tr->best_loss = el;
        if (tr->no_improve > o->n_iter_no_change) {
            res->stop = MLP_STOP_TOL;
            return true;
        }
    }
    if (epoch_end)
        tr->epoch_loss = 0.0;
    if (o->max_seconds > 0.0 && now_seconds() - tr->t_start >= o->max_seconds) {
        res->stop = MLP_STOP_MAX_SECONDS;
        return true;
    }
    return false;
}

/* With a validation split, the best parameters, however training ended. */
static void restore_best(trainer *tr)
{
    if (tr->n_val > 0 && tr->res->best_iteration >= 0)
        memcpy(tr->m->params, tr->best, tr->P * sizeof(double));
}

static void trainer_free(trainer *tr)
{
    free(tr->split);
    free(tr->best);
    free(tr->perm);
    free(tr->buf);
    mlp_workspace_free(tr->ws);
}

struct mlp_trainer {
    trainer tr;
};

mlp_status mlp_train_start(const mlp_config *cfg, mlp_model *m, const mlp_data *train,
                           const mlp_data *test, uint64_t run_seed, mlp_train_result *res,
                           mlp_trainer **out, mlp_error *err)
{
    const mlp_train_opts *o = &cfg->train;
    mlp_trainer *h = calloc(1, sizeof(*h));
    trainer *tr;
    mlp_status st;

    if (!h)
        return mlp_fail(err, MLP_ERR_NOMEM, "train: out of memory");
    tr = &h->tr;
    tr->cfg = cfg;
    tr->o = o;
    tr->m = m;
    tr->train = train;
    tr->test = test;
    tr->res = res;
    tr->dim = train->dim;
    tr->k = m->width[m->n_layers];
    tr->P = m->n_params;
    tr->L = m->n_layers;
    tr->every = cfg->record.loss_every;
    tr->T = o->iterations;
    tr->eval_every = cfg->record.eval_every ? cfg->record.eval_every : tr->every;
    tr->snap_every = cfg->record.weights_every;
    tr->n_test = test ? test->n : 0;
    tr->moments = o->optimizer == MLP_OPT_MOMENTUM || o->optimizer == MLP_OPT_ADAM;
    tr->t_start = o->max_seconds > 0.0 ? now_seconds() : 0.0;
    tr->n = train->n;
    tr->fit = *train;
    tr->lr = o->learning_rate;
    tr->best_loss = INFINITY;
    tr->best_score = -INFINITY;

    memset(res, 0, sizeof(*res));
    res->first_100pct = -1;
    res->best_iteration = -1;
    res->final_loss = NAN;
    res->stop = MLP_STOP_ITERATIONS;
    res->stop_reason = mlp_stop_reason_name(res->stop);
    st = check_setup(tr, err);
    if (st != MLP_OK) {
        free(h);
        return st;
    }
    st = allocate(tr, err);
    if (st != MLP_OK) {
        mlp_train_abort(h);
        return st;
    }
    if (tr->n_val > 0)
        split_validation(tr, run_seed);
    mlp_rng_init(&tr->rng, run_seed, 0, MLP_STREAM_BATCH);
    *out = h;
    return MLP_OK;
}

mlp_status mlp_train_advance(mlp_trainer *h, size_t until, const volatile sig_atomic_t *stop,
                             bool *ended, mlp_error *err)
{
    trainer *tr = &h->tr;
    mlp_status st;

    for (; !tr->ended && tr->t < until && tr->t < tr->T; tr->t++) {
        const size_t t = tr->t;
        const double *x, *y;
        size_t nb;
        double l, acc;
        bool diverged;

        if (stop && *stop)
            return mlp_fail(err, MLP_ERR_INTERRUPTED, "train: interrupted at iteration %zu", t);
        nb = next_batch(tr, &x, &y);
        l = step_loss(tr, t, x, y, nb);
        acc = record_step(tr, t, y);
        st = check_gradient(tr, t, x, l, nb, &diverged, err);
        if (st != MLP_OK)
            return st;
        record_eval(tr, t);
        if (stop_before_update(tr, diverged, acc))
            tr->ended = true;
        else if (stop_after_update(tr, t, update(tr, t)))
            tr->ended = true;
    }
    if (tr->t >= tr->T)
        tr->ended = true;
    *ended = tr->ended;
    return MLP_OK;
}

void mlp_train_metrics(mlp_trainer *h, mlp_train_now *out)
{
    trainer *tr = &h->tr;
    const mlp_train_result *res = tr->res;
    const size_t k = tr->k;

    out->train_loss = res->final_loss;
    out->test_loss = out->test_accuracy = NAN;
    out->validation_accuracy = res->n_scores ? res->validation_accuracy[res->n_scores - 1] : NAN;
    if (tr->n_test > 0) {
        const double *tl = tr->logits;
        mlp_model_logits(tr->m, tr->ws, tr->test->x, tr->n_test, tr->logits);
        out->test_loss = tr->loss->loss(tl, tr->test->y, NULL, tr->n_test, k, tr->lp);
        out->test_accuracy =
            (double)mlp_train_count_correct(tr->loss, tr->lp, tl, tr->test->y, tr->n_test, k,
                                            tr->prob, false) /
            (double)tr->n_test;
    }
    const double *fl = tr->logits;
    mlp_model_logits(tr->m, tr->ws, tr->fit.x, tr->n, tr->logits);
    out->train_accuracy =
        (double)mlp_train_count_correct(tr->loss, tr->lp, fl, tr->fit.y, tr->n, k, tr->prob,
                                        false) /
        (double)tr->n;
}

void mlp_train_finish(mlp_trainer *h, bool halted)
{
    trainer *tr = &h->tr;

    if (halted && !tr->ended)
        tr->res->stop = MLP_STOP_HALVING;
    restore_best(tr);
    tr->res->stop_reason = mlp_stop_reason_name(tr->res->stop);
    trainer_free(tr);
    free(h);
}

void mlp_train_abort(mlp_trainer *h)
{
    mlp_train_result *res;

    if (!h)
        return;
    res = h->tr.res;
    trainer_free(&h->tr);
    mlp_train_result_free(res);
    res->n_loss = res->n_eval = res->n_snapshots = res->n_scores = 0;
    free(h);
}

mlp_status mlp_train_run(const mlp_config *cfg, mlp_model *m, const mlp_data *train,
                         const mlp_data *test, uint64_t run_seed,
                         const volatile sig_atomic_t *stop, mlp_train_result *res,
                         mlp_error *err)
{
    mlp_trainer *h;
    bool ended;
    mlp_status st = mlp_train_start(cfg, m, train, test, run_seed, res, &h, err);

    if (st != MLP_OK)
        return st;
    st = mlp_train_advance(h, cfg->train.iterations, stop, &ended, err);
    if (st != MLP_OK) {
        mlp_train_abort(h);
        return st;
    }
    mlp_train_finish(h, false);
    return MLP_OK;
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
