/* test_train.c -- the training loop: descent, optimizer steps by hand, L2,
 * minibatches, divergence, the stop flag, the loss curve's spacing, golden
 * comparisons with numpy, PyTorch and scikit-learn (tests/golden/),
 * learning-rate schedules by hand, penalty gradients by central differences,
 * every stopping rule on constructed cases, and the recorded arrays. */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_descriptors.h"
#include "train/train.h"
#include "train/train_math.h"

/* ---- activations and losses for the tests ----------------------------- */

/* (sigmoid, tanh, ACT and bce_loss: test_descriptors.h) */

static void ident_fwd(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    memcpy(a, z, n * sizeof(double));
}

static void ident_bwd(const double *z, const double *a, const double *da, double *dz, size_t n,
                      const mlp_param_value *p)
{
    (void)z;
    (void)a;
    (void)p;
    memcpy(dz, da, n * sizeof(double));
}

static const mlp_activation_desc act_identity = ACT("identity", ident_fwd, ident_bwd);

static void bce_predict(const double *z, double *prob, size_t n, size_t k,
                        const mlp_param_value *p)
{
    (void)k;
    (void)p;
    for (size_t i = 0; i < n; i++)
        prob[i] = 1.0 / (1.0 + exp(-z[i]));
}

/* half mean squared error of the logit against the label (k = 1): unbounded,
 * so a huge learning rate overflows it */
static double sq_loss(const double *z, const double *y, double *dz, size_t n, size_t k,
                      const mlp_param_value *p)
{
    double s = 0.0;
    (void)k;
    (void)p;
    for (size_t i = 0; i < n; i++) {
        double d = z[i] - y[i];
        s += 0.5 * d * d;
        if (dz)
            dz[i] = d / (double)n;
    }
    return s / (double)n;
}

static void sq_predict(const double *z, double *prob, size_t n, size_t k,
                       const mlp_param_value *p)
{
    (void)k;
    (void)p;
    memcpy(prob, z, n * sizeof(double));
}

#define LOSS(name, l, pr)                                                                     \
    {                                                                                         \
        .h = {sizeof(mlp_loss_desc), MLP_ABI_MAJOR, MLP_ABI_MINOR, MLP_KIND_LOSS, name,        \
              "test", "", 0, NULL},                                                           \
        .flags = 0, .loss = l, .predict = pr                                                  \
    }
static const mlp_loss_desc bce_desc = LOSS("bce", bce_loss, bce_predict);
static const mlp_loss_desc sq_desc = LOSS("sq", sq_loss, sq_predict);
static mlp_plugin bce_plugin = {.kind = MLP_KIND_LOSS, .h = &bce_desc.h, .d.loss = &bce_desc};
static mlp_plugin sq_plugin = {.kind = MLP_KIND_LOSS, .h = &sq_desc.h, .d.loss = &sq_desc};

/* ---- helpers ------------------------------------------------------------ */

static mlp_config make_config(mlp_plugin *loss, mlp_optimizer opt, double lr, size_t iterations)
{
    mlp_config c;
    memset(&c, 0, sizeof(c));
    c.loss.plugin = loss;
    c.train.optimizer = opt;
    c.train.learning_rate = lr;
    c.train.momentum = 0.9;
    c.train.beta1 = 0.9;
    c.train.beta2 = 0.999;
    c.train.eps = 1e-8;
    c.train.iterations = iterations;
    c.record.loss_every = 1;
    return c;
}

/* n points of 2-D data; label 1 where x0 + 0.5 x1 > 0.1 (separable) */
static mlp_data make_data(size_t n, uint64_t seed)
{
    mlp_data d = {.n = n, .dim = 2, .classes = 2};
    mlp_rng r;
    d.x = malloc(2 * n * sizeof(double));
    d.y = malloc(n * sizeof(double));
    mlp_rng_init(&r, seed, 0, MLP_STREAM_TRAIN);
    for (size_t i = 0; i < n; i++) {
        d.x[2 * i] = 2.0 * mlp_rng_uniform(&r) - 1.0;
        d.x[2 * i + 1] = 2.0 * mlp_rng_uniform(&r) - 1.0;
        d.y[i] = d.x[2 * i] + 0.5 * d.x[2 * i + 1] > 0.1 ? 1.0 : 0.0;
    }
    return d;
}

static void free_data(mlp_data *d)
{
    free(d->x);
    free(d->y);
}

static mlp_model *make_model(size_t hidden, const mlp_activation_desc *act, uint64_t seed)
{
    mlp_model *m = NULL;
    mlp_error err;
    mlp_rng r;
    assert_int_equal(mlp_model_create(2, &hidden, 1, 1, act, NULL, &m, &err), MLP_OK);
    mlp_rng_init(&r, seed, 0, MLP_STREAM_INIT);
    mlp_model_init(m, MLP_INIT_UNIFORM, 0.0, &r);
    return m;
}

/* Loss (plugin value) and gradient of m on d, straight from the model. */
static double loss_grad(const mlp_model *m, const mlp_loss_desc *l, const mlp_data *d,
                        double *grad)
{
    mlp_workspace *ws = NULL;
    mlp_error err;
    double *dl = malloc(d->n * sizeof(double)), loss;
    assert_int_equal(mlp_workspace_create(m, d->n, &ws, &err), MLP_OK);
    const double *z = mlp_model_forward(m, ws, d->x, d->n);
    loss = l->loss(z, d->y, dl, d->n, 1, NULL);
    if (grad)
        mlp_model_backward(m, ws, d->x, d->n, dl, grad);
    mlp_workspace_free(ws);
    free(dl);
    return loss;
}

static bool classifies_all(const mlp_model *m, const mlp_data *d)
{
    mlp_workspace *ws = NULL;
    mlp_error err;
    bool ok = true;
    assert_int_equal(mlp_workspace_create(m, d->n, &ws, &err), MLP_OK);
    const double *z = mlp_model_forward(m, ws, d->x, d->n);
    for (size_t i = 0; i < d->n; i++)
        ok = ok && ((1.0 / (1.0 + exp(-z[i])) >= 0.5) == (d->y[i] == 1.0));
    mlp_workspace_free(ws);
    return ok;
}

static void assert_close(double a, double b, double rel)
{
    if (!(fabs(a - b) <= rel * fmax(fabs(a), fabs(b)) + 1e-300)) {
        print_error("%.17g != %.17g (rel %g)\n", a, b, rel);
        fail();
    }
}

/* ---- tests -------------------------------------------------------------- */

static void test_train_not_finite_by_bits(void **state)
{
    volatile double zero = 0.0;
    (void)state;
    assert_true(mlp_not_finite(NAN));
    assert_true(mlp_not_finite(INFINITY));
    assert_true(mlp_not_finite(-INFINITY));
    assert_true(mlp_not_finite(zero / zero));
    assert_false(mlp_not_finite(0.0));
    assert_false(mlp_not_finite(-1e308));
    assert_false(mlp_not_finite(4.9e-324));
}

/* GD on a separable problem: the loss falls steadily and every point ends
 * up right; first_100pct is the first iteration whose parameters classify
 * everything (checked by training exactly that many and one fewer steps). */
static void test_train_loss_decreases_separable(void **state)
{
    mlp_data d = make_data(60, 1);
    mlp_config c = make_config(&bce_plugin, MLP_OPT_GD, 2.0, 300);
    mlp_model *m = make_model(4, &act_tanh, 2), *m2;
    mlp_train_result res, r2;
    mlp_error err;
    size_t t;
    long f;

    (void)state;
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 7, NULL, &res, &err), MLP_OK);
    assert_int_equal(res.status, MLP_RUN_OK);
    assert_int_equal(res.iterations_run, 300);
    assert_int_equal(res.n_loss, 300);
    assert_null(res.test_loss);
    for (t = 1; t < 300; t++)
        assert_true(res.loss[t] < res.loss[t - 1]);
    assert_true(res.loss[299] < 0.3 * res.loss[0]);
    assert_true(res.final_loss == res.loss[299]);
    f = res.first_100pct;
    assert_true(f > 0 && f < 300);

    c.train.iterations = (size_t)f;
    m2 = make_model(4, &act_tanh, 2);
    assert_int_equal(mlp_train_run(&c, m2, &d, NULL, 7, NULL, &r2, &err), MLP_OK);
    assert_true(classifies_all(m2, &d));
    mlp_train_result_free(&r2);
    mlp_model_free(m2);
    c.train.iterations = (size_t)f - 1;
    m2 = make_model(4, &act_tanh, 2);
    assert_int_equal(mlp_train_run(&c, m2, &d, NULL, 7, NULL, &r2, &err), MLP_OK);
    assert_false(classifies_all(m2, &d));
    mlp_train_result_free(&r2);
    mlp_model_free(m2);

    mlp_train_result_free(&res);
    mlp_train_result_free(&res); /* idempotent */
    mlp_model_free(m);
    free_data(&d);
}

/* One GD step is p - lr * g with g from the model's own backward pass. */
static void test_train_gd_matches_hand_step(void **state)
{
    mlp_data d = make_data(25, 3);
    mlp_config c = make_config(&bce_plugin, MLP_OPT_GD, 0.7, 1);
    mlp_model *m = make_model(6, &act_sigmoid, 4);
    mlp_train_result res;
    mlp_error err;
    double p0[25], g[25], l0;
    size_t i;

    (void)state;
    assert_int_equal(m->n_params, 25);
    memcpy(p0, m->params, sizeof(p0));
    l0 = loss_grad(m, &bce_desc, &d, g);
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, NULL, &res, &err), MLP_OK);
    assert_true(res.loss[0] == l0);
    for (i = 0; i < 25; i++)
        assert_true(m->params[i] == p0[i] - 0.7 * g[i]);
    mlp_train_result_free(&res);
    mlp_model_free(m);
    free_data(&d);
}

/* Two steps of momentum, Nesterov momentum and Adam, by hand (PyTorch's
 * formulas: v = mu v + g; step v, or g + mu v; Adam with bias corrections). */
static void run_two_steps(mlp_optimizer opt, bool nesterov)
{
    mlp_data d = make_data(30, 5);
    mlp_config c = make_config(&bce_plugin, opt, 0.3, 2);
    mlp_model *m = make_model(4, &act_tanh, 6), *h = make_model(4, &act_tanh, 6);
    mlp_train_result res;
    mlp_error err;
    const size_t P = m->n_params;
    double g[17], v[17] = {0}, s[17] = {0};
    const double mu = 0.9, b1 = 0.9, b2 = 0.999, eps = 1e-8, lr = 0.3;
    size_t i, t;

    assert_int_equal(P, 17);
    c.train.nesterov = nesterov;
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, NULL, &res, &err), MLP_OK);
    for (t = 1; t <= 2; t++) {
        loss_grad(h, &bce_desc, &d, g);
        for (i = 0; i < P; i++) {
            if (opt == MLP_OPT_MOMENTUM) {
                v[i] = mu * v[i] + g[i];
                h->params[i] -= lr * (nesterov ? g[i] + mu * v[i] : v[i]);
            } else {
                v[i] = b1 * v[i] + (1 - b1) * g[i];
                s[i] = b2 * s[i] + (1 - b2) * g[i] * g[i];
                double mhat = v[i] / (1 - pow(b1, (double)t));
                double vhat = s[i] / (1 - pow(b2, (double)t));
                h->params[i] -= lr * mhat / (sqrt(vhat) + eps);
            }
        }
    }
    for (i = 0; i < P; i++)
        assert_close(m->params[i], h->params[i], 1e-13);
    mlp_train_result_free(&res);
    mlp_model_free(m);
    mlp_model_free(h);
    free_data(&d);
}

static void test_train_momentum_two_steps(void **state)
{
    (void)state;
    run_two_steps(MLP_OPT_MOMENTUM, false);
}

static void test_train_nesterov_two_steps(void **state)
{
    (void)state;
    run_two_steps(MLP_OPT_MOMENTUM, true);
}

static void test_train_adam_two_steps(void **state)
{
    (void)state;
    run_two_steps(MLP_OPT_ADAM, false);
}

/* L2: the recorded loss adds l2/2 sum W^2 (weights only) and the step adds
 * l2 * W to the weights' gradient, not the biases'. */
static void test_train_l2_effect(void **state)
{
    mlp_data d = make_data(20, 8);
    mlp_config c = make_config(&bce_plugin, MLP_OPT_GD, 0.5, 1);
    mlp_model *m = make_model(3, &act_tanh, 9);
    mlp_train_result res;
    mlp_error err;
    double p0[13], g[13], l0, pen = 0.0;
    const double l2 = 0.25;
    size_t i, l;

    (void)state;
    c.train.l2 = l2;
    memcpy(p0, m->params, sizeof(p0));
    l0 = loss_grad(m, &bce_desc, &d, g);
    for (l = 0; l < 2; l++)
        for (i = 0; i < m->width[l] * m->width[l + 1]; i++)
            pen += p0[m->w_off[l] + i] * p0[m->w_off[l] + i];
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, NULL, &res, &err), MLP_OK);
    assert_close(res.loss[0], l0 + 0.5 * l2 * pen, 1e-15);
    for (l = 0; l < 2; l++) {
        for (i = 0; i < m->width[l] * m->width[l + 1]; i++) {
            size_t j = m->w_off[l] + i;
            assert_close(m->params[j], p0[j] - 0.5 * (g[j] + l2 * p0[j]), 1e-15);
        }
        for (i = 0; i < m->width[l + 1]; i++) {
            size_t j = m->b_off[l] + i;
            assert_true(m->params[j] == p0[j] - 0.5 * g[j]);
        }
    }
    mlp_train_result_free(&res);
    mlp_model_free(m);
    free_data(&d);
}

/* Minibatches: the same run seed gives the same bytes, another seed another
 * order; iteration 0 uses the first batch_size entries of the identity
 * shuffled by the stream (run_seed, 0, MLP_STREAM_BATCH); batch_size >= n
 * is full batch exactly. */
static void test_train_minibatch_determinism(void **state)
{
    mlp_data d = make_data(20, 10), b = {.n = 7, .dim = 2, .classes = 2};
    mlp_config c = make_config(&bce_plugin, MLP_OPT_SGD, 0.3, 9);
    mlp_model *m1 = make_model(5, &act_sigmoid, 11), *m2 = make_model(5, &act_sigmoid, 11);
    mlp_model *m3 = make_model(5, &act_sigmoid, 11);
    mlp_train_result r1, r2, r3;
    mlp_error err;
    size_t perm[20], i;
    double bx[14], by[7];
    mlp_rng rng;

    (void)state;
    c.train.batch_size = 7; /* batches of 7, 7, 6 */
    assert_int_equal(mlp_train_run(&c, m1, &d, NULL, 1234, NULL, &r1, &err), MLP_OK);
    assert_int_equal(mlp_train_run(&c, m2, &d, NULL, 1234, NULL, &r2, &err), MLP_OK);
    assert_int_equal(mlp_train_run(&c, m3, &d, NULL, 1235, NULL, &r3, &err), MLP_OK);
    assert_int_equal(r1.iterations_run, 9);
    assert_memory_equal(r1.loss, r2.loss, 9 * sizeof(double));
    assert_memory_equal(m1->params, m2->params, m1->n_params * sizeof(double));
    assert_true(memcmp(r1.loss, r3.loss, 9 * sizeof(double)) != 0);

    for (i = 0; i < 20; i++)
        perm[i] = i;
    mlp_rng_init(&rng, 1234, 0, MLP_STREAM_BATCH);
    mlp_rng_shuffle(&rng, perm, 20);
    for (i = 0; i < 7; i++) {
        bx[2 * i] = d.x[2 * perm[i]];
        bx[2 * i + 1] = d.x[2 * perm[i] + 1];
        by[i] = d.y[perm[i]];
    }
    b.x = bx;
    b.y = by;
    mlp_model_free(m2);
    m2 = make_model(5, &act_sigmoid, 11);
    assert_true(r1.loss[0] == loss_grad(m2, &bce_desc, &b, NULL));

    mlp_train_result_free(&r1);
    mlp_train_result_free(&r2);
    mlp_train_result_free(&r3);
    mlp_model_free(m1);
    mlp_model_free(m2);
    mlp_model_free(m3);

    c.train.batch_size = 20;
    m1 = make_model(5, &act_sigmoid, 11);
    m2 = make_model(5, &act_sigmoid, 11);
    assert_int_equal(mlp_train_run(&c, m1, &d, NULL, 1, NULL, &r1, &err), MLP_OK);
    c.train.batch_size = 0;
    assert_int_equal(mlp_train_run(&c, m2, &d, NULL, 99, NULL, &r2, &err), MLP_OK);
    assert_memory_equal(r1.loss, r2.loss, 9 * sizeof(double));
    assert_memory_equal(m1->params, m2->params, m1->n_params * sizeof(double));
    mlp_train_result_free(&r1);
    mlp_train_result_free(&r2);
    mlp_model_free(m1);
    mlp_model_free(m2);
    free_data(&d);
}

/* A loss whose link is the identity: prob = logits, so a test sets the
 * probabilities count_correct sees. */
static void identity_predict(const double *logits, double *prob, size_t n, size_t k,
                             const mlp_param_value *p)
{
    (void)p;
    memcpy(prob, logits, n * k * sizeof(double));
}

/* Predictions counted right for one output: class 1 where prob >= 0.5,
 * class 0 where prob < 0.5, and a NaN wrong for either label; over chunks
 * (150 points: two full chunks of 64 and a tail); stopping at the first
 * miss when asked.  The count loop has machine copies (train_math.c): this
 * checks the one the CPU runs against the rule written out here. */
static void test_train_count_correct_edges(void **state)
{
    (void)state;
    mlp_loss_desc loss = {.predict = identity_predict};
    const double edge[] = {0.5, nextafter(0.5, 0.0), nextafter(0.5, 1.0), 0.0, 1.0, NAN,
                           -INFINITY, INFINITY, 0.25, 0.75};
    const size_t n = 150, ne = sizeof(edge) / sizeof(edge[0]);
    double p[150], y[150], prob[MLP_CHECK_CHUNK];
    size_t want = 0, first = n;

    for (size_t i = 0; i < n; i++) {
        p[i] = edge[(i * 7) % ne];
        y[i] = (double)((i / 3) % 2);
        const int hit = (p[i] >= 0.5 && y[i] == 1.0) || (p[i] < 0.5 && y[i] == 0.0);
        want += (size_t)hit;
        if (!hit && first == n)
            first = i;
    }
    assert_true(first < n);
    assert_int_equal(mlp_train_count_correct(&loss, NULL, p, y, n, 1, prob, false), want);
    assert_int_equal(mlp_train_count_correct(&loss, NULL, p, y, n, 1, prob, true), first);
    assert_false(mlp_train_all_correct(&loss, NULL, p, y, n, 1, prob));
    /* every point right: all_correct, and the count is n */
    for (size_t i = 0; i < n; i++) {
        if (isnan(p[i]))
            p[i] = 0.5;
        y[i] = p[i] >= 0.5 ? 1.0 : 0.0;
    }
    assert_int_equal(mlp_train_count_correct(&loss, NULL, p, y, n, 1, prob, false), n);
    assert_true(mlp_train_all_correct(&loss, NULL, p, y, n, 1, prob));
    /* one NaN in the last chunk's tail makes one miss, whatever its label */
    p[140] = NAN;
    assert_int_equal(mlp_train_count_correct(&loss, NULL, p, y, n, 1, prob, false), n - 1);
    assert_int_equal(mlp_train_count_correct(&loss, NULL, p, y, n, 1, prob, true), 140);
}

/* With minibatches first_100pct is checked after each epoch on all points. */
static void test_train_minibatch_first_100pct(void **state)
{
    mlp_data d = make_data(40, 12);
    mlp_config c = make_config(&bce_plugin, MLP_OPT_SGD, 1.0, 400);
    mlp_model *m = make_model(4, &act_tanh, 13), *m2;
    mlp_train_result res, r2;
    mlp_error err;
    long f;

    (void)state;
    c.train.batch_size = 10; /* 4 iterations per epoch */
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 5, NULL, &res, &err), MLP_OK);
    f = res.first_100pct;
    assert_true(f > 0);
    assert_int_equal(f % 4, 0);
    c.train.iterations = (size_t)f;
    m2 = make_model(4, &act_tanh, 13);
    assert_int_equal(mlp_train_run(&c, m2, &d, NULL, 5, NULL, &r2, &err), MLP_OK);
    assert_true(classifies_all(m2, &d));
    assert_int_equal(r2.first_100pct, f);
    mlp_train_result_free(&r2);
    mlp_train_result_free(&res);
    mlp_model_free(m);
    mlp_model_free(m2);
    free_data(&d);
}

/* A huge learning rate on an unbounded loss overflows: status diverged,
 * MLP_OK, the loss curve NaN after the divergence, iterations_run counted. */
static void test_train_divergence(void **state)
{
    mlp_data d = make_data(16, 14), te = make_data(8, 15);
    mlp_config c = make_config(&sq_plugin, MLP_OPT_GD, 1e12, 100);
    mlp_model *m = make_model(4, &act_identity, 16);
    mlp_train_result res;
    mlp_error err;
    size_t t;

    (void)state;
    c.record.loss_every = 2;
    assert_int_equal(mlp_train_run(&c, m, &d, &te, 0, NULL, &res, &err), MLP_OK);
    assert_int_equal(res.status, MLP_RUN_DIVERGED);
    assert_true(res.iterations_run > 0 && res.iterations_run < 100);
    assert_int_equal(res.n_loss, 50);
    assert_non_null(res.test_loss);
    for (t = 0; t < res.iterations_run; t += 2)
        assert_false(mlp_not_finite(res.loss[t / 2]));
    for (t = res.iterations_run + 1; t < 100; t++)
        if (t % 2 == 0) {
            assert_true(isnan(res.loss[t / 2]));
            assert_true(isnan(res.test_loss[t / 2]));
        }
    /* the diverging iteration's own loss (or its gradient) is not finite */
    assert_true(mlp_not_finite(res.final_loss) || res.final_loss > 1e100);
    mlp_train_result_free(&res);
    mlp_model_free(m);
    free_data(&d);
    free_data(&te);
}

static void test_train_stop_flag(void **state)
{
    mlp_data d = make_data(10, 17);
    mlp_config c = make_config(&bce_plugin, MLP_OPT_GD, 0.1, 50);
    mlp_model *m = make_model(3, &act_tanh, 18);
    mlp_train_result res;
    mlp_error err;
    volatile sig_atomic_t stop = 1;

    (void)state;
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, &stop, &res, &err),
                     MLP_ERR_INTERRUPTED);
    assert_null(res.loss);
    assert_non_null(strstr(err.msg, "interrupted"));
    stop = 0;
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, &stop, &res, &err), MLP_OK);
    mlp_train_result_free(&res);
    mlp_model_free(m);
    free_data(&d);
}

/* loss_every = 3 over 10 iterations records iterations 0, 3, 6, 9, equal to
 * the same entries of an every-iteration curve; the test loss on the
 * training points equals the training loss. */
static void test_train_loss_every_spacing(void **state)
{
    mlp_data d = make_data(30, 19);
    mlp_config c = make_config(&bce_plugin, MLP_OPT_MOMENTUM, 0.2, 10);
    mlp_model *m1 = make_model(5, &act_sigmoid, 20), *m2 = make_model(5, &act_sigmoid, 20);
    mlp_train_result r1, r3;
    mlp_error err;
    size_t j;

    (void)state;
    assert_int_equal(mlp_train_run(&c, m1, &d, &d, 0, NULL, &r1, &err), MLP_OK);
    c.record.loss_every = 3;
    assert_int_equal(mlp_train_run(&c, m2, &d, &d, 0, NULL, &r3, &err), MLP_OK);
    assert_int_equal(r1.n_loss, 10);
    assert_int_equal(r3.n_loss, 4);
    for (j = 0; j < 4; j++) {
        assert_true(r3.loss[j] == r1.loss[3 * j]);
        assert_true(r3.test_loss[j] == r1.loss[3 * j]);
    }
    assert_true(r3.final_loss == r1.loss[9]);
    assert_memory_equal(m1->params, m2->params, m1->n_params * sizeof(double));
    mlp_train_result_free(&r1);
    mlp_train_result_free(&r3);
    mlp_model_free(m1);
    mlp_model_free(m2);
    free_data(&d);
}

/* The curves of tests/golden/mlp_2_5_1.txt (numpy, make_golden.py). */
static void test_train_golden_numpy(void **state)
{
    const char *path = MLPLAB_TEST_SOURCE_DIR "/golden/mlp_2_5_1.txt";
    FILE *f = fopen(path, "r");
    char line[256];
    size_t n = 0, np = 0, T = 0, i, h = 5, run;
    double x[40], y[20], p0[21], lr, curve[50];
    mlp_model *m = NULL;
    mlp_error err;

    (void)state;
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof(line), f)); /* comment */
    assert_int_equal(fscanf(f, " points %zu", &n), 1);
    assert_int_equal(n, 20);
    for (i = 0; i < n; i++)
        assert_int_equal(fscanf(f, "%lf %lf %lf", &x[2 * i], &x[2 * i + 1], &y[i]), 3);
    assert_int_equal(fscanf(f, " params %zu", &np), 1);
    assert_int_equal(np, 21);
    for (i = 0; i < np; i++)
        assert_int_equal(fscanf(f, "%lf", &p0[i]), 1);
    mlp_data d = {.n = n, .dim = 2, .classes = 2, .x = x, .y = y};

    for (run = 0; run < 2; run++) {
        char name[16];
        mlp_train_result res;
        assert_int_equal(fscanf(f, " %15s %lf %zu", name, &lr, &T), 3);
        assert_string_equal(name, run == 0 ? "gd" : "adam");
        assert_int_equal(T, 50);
        for (i = 0; i < T; i++)
            assert_int_equal(fscanf(f, "%lf", &curve[i]), 1);
        mlp_config c = make_config(&bce_plugin, run == 0 ? MLP_OPT_GD : MLP_OPT_ADAM, lr, T);
        assert_int_equal(mlp_model_create(2, &h, 1, 1, &act_sigmoid, NULL, &m, &err), MLP_OK);
        memcpy(m->params, p0, sizeof(p0));
        assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, NULL, &res, &err), MLP_OK);
        for (i = 0; i < T; i++)
            assert_close(res.loss[i], curve[i], 1e-12);
        assert_true(res.loss[T - 1] < 0.95 * res.loss[0]); /* it did learn */
        mlp_train_result_free(&res);
        mlp_model_free(m);
    }
    fclose(f);
}

static void test_train_bad_input(void **state)
{
    mlp_data d = make_data(10, 21);
    mlp_config c = make_config(&bce_plugin, MLP_OPT_GD, 0.1, 5);
    mlp_model *m = make_model(3, &act_tanh, 22);
    mlp_train_result res;
    mlp_error err;

    (void)state;
    c.record.loss_every = 0;
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, NULL, &res, &err), MLP_ERR_RUNTIME);
    c.record.loss_every = 1;
    d.dim = 3;
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, NULL, &res, &err), MLP_ERR_RUNTIME);
    assert_non_null(strstr(err.msg, "inputs"));
    d.dim = 2;
    c.loss.plugin = NULL;
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, NULL, &res, &err), MLP_ERR_RUNTIME);
    /* zero iterations: an empty curve, the model untouched */
    c = make_config(&bce_plugin, MLP_OPT_GD, 0.1, 0);
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, NULL, &res, &err), MLP_OK);
    assert_int_equal(res.n_loss, 0);
    assert_int_equal(res.iterations_run, 0);
    mlp_train_result_free(&res);
    mlp_model_free(m);
    free_data(&d);
}

/* ---- schedules, penalties, stopping, recording ---------------------------- */

/* The shared problem of tests/golden/mlp_2_5_1.txt: x (40), y (20), p0 (21). */
static void read_shared(FILE *f, double *x, double *y, double *p0)
{
    char line[256];
    size_t n = 0, np = 0, i;

    assert_non_null(fgets(line, sizeof(line), f));
    assert_int_equal(fscanf(f, " points %zu", &n), 1);
    assert_int_equal(n, 20);
    for (i = 0; i < n; i++)
        assert_int_equal(fscanf(f, "%lf %lf %lf", &x[2 * i], &x[2 * i + 1], &y[i]), 3);
    assert_int_equal(fscanf(f, " params %zu", &np), 1);
    assert_int_equal(np, 21);
    for (i = 0; i < np; i++)
        assert_int_equal(fscanf(f, "%lf", &p0[i]), 1);
}

static FILE *open_golden(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/golden/%s", MLPLAB_TEST_SOURCE_DIR, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    return f;
}

static mlp_model *shared_model(const double *p0)
{
    size_t h = 5;
    mlp_model *m = NULL;
    mlp_error err;
    assert_int_equal(mlp_model_create(2, &h, 1, 1, &act_sigmoid, NULL, &m, &err), MLP_OK);
    memcpy(m->params, p0, 21 * sizeof(double));
    return m;
}

/* PyTorch float64 (make_torch_golden.py): SGD, momentum, Nesterov and Adam
 * with StepLR and CosineAnnealingLR, L2 by weight decay on the weights, and
 * alpha and L1 through autograd: the loss curves agree to 1e-12. */
static void test_train_golden_torch(void **state)
{
    FILE *f = open_golden("torch_2_5_1.txt"), *g = open_golden("mlp_2_5_1.txt");
    double x[40], y[20], p0[21], curve[200];
    char line[512], name[64], opt[16], sched[16];
    int nest, runs = 0;

    (void)state;
    read_shared(g, x, y, p0);
    fclose(g);
    mlp_data d = {.n = 20, .dim = 2, .classes = 2, .x = x, .y = y};
    assert_non_null(fgets(line, sizeof(line), f)); /* comment */
    for (;;) {
        double lr, mom, gamma, eta_min, l2, alpha, l1;
        size_t step, T, i;
        mlp_train_result res;
        mlp_error err;
        if (fscanf(f, " run %63s %15s %lf %lf %d %15s %zu %lf %lf %lf %lf %lf %zu", name, opt,
                   &lr, &mom, &nest, sched, &step, &gamma, &eta_min, &l2, &alpha, &l1,
                   &T) != 13)
            break;
        assert_true(T <= 200);
        for (i = 0; i < T; i++)
            assert_int_equal(fscanf(f, "%lf", &curve[i]), 1);
        mlp_optimizer o = !strcmp(opt, "adam")       ? MLP_OPT_ADAM
                          : !strcmp(opt, "momentum") ? MLP_OPT_MOMENTUM
                                                     : MLP_OPT_GD;
        mlp_config c = make_config(&bce_plugin, o, lr, T);
        c.train.momentum = mom;
        c.train.nesterov = nest != 0;
        c.train.schedule = !strcmp(sched, "step") ? MLP_SCHED_STEP : MLP_SCHED_COSINE;
        c.train.step_size = step;
        c.train.gamma = gamma;
        c.train.eta_min = eta_min;
        c.train.l2 = l2;
        c.train.alpha = alpha;
        c.train.l1 = l1;
        mlp_model *m = shared_model(p0);
        assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, NULL, &res, &err), MLP_OK);
        for (i = 0; i < T; i++)
            assert_close(res.loss[i], curve[i], 1e-12);
        assert_true(res.loss[T - 1] < res.loss[0]);
        mlp_train_result_free(&res);
        mlp_model_free(m);
        runs++;
    }
    assert_int_equal(runs, 5);
    fclose(f);
}

/* scikit-learn's MLPClassifier (make_sklearn_golden.py): SGD with invscaling,
 * alpha and tol / n_iter_no_change stop after the same number of epochs with
 * the same loss curve. */
static void test_train_golden_sklearn(void **state)
{
    FILE *f = open_golden("sklearn_2_5_1.txt"), *g = open_golden("mlp_2_5_1.txt");
    double x[40], y[20], p0[21], *curve = malloc(1000 * sizeof(double));
    char line[512], name[64];
    int runs = 0;

    (void)state;
    read_shared(g, x, y, p0);
    fclose(g);
    mlp_data d = {.n = 20, .dim = 2, .classes = 2, .x = x, .y = y};
    assert_non_null(fgets(line, sizeof(line), f));
    for (;;) {
        double lr, power_t, alpha, tol;
        size_t nic, max_iter, n_iter, i;
        mlp_train_result res;
        mlp_error err;
        if (fscanf(f, " run %63s %lf %lf %lf %lf %zu %zu %zu", name, &lr, &power_t, &alpha, &tol,
                   &nic, &max_iter, &n_iter) != 8)
            break;
        assert_true(n_iter <= 1000 && n_iter <= max_iter);
        for (i = 0; i < n_iter; i++)
            assert_int_equal(fscanf(f, "%lf", &curve[i]), 1);
        mlp_config c = make_config(&bce_plugin, MLP_OPT_SGD, lr, max_iter);
        c.train.schedule = strncmp(name, "constant", 8) ? MLP_SCHED_INVSCALING
                                                        : MLP_SCHED_CONSTANT;
        c.train.power_t = power_t;
        c.train.alpha = alpha;
        c.train.use_tol = true;
        c.train.tol = tol;
        c.train.n_iter_no_change = nic;
        mlp_model *m = shared_model(p0);
        assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, NULL, &res, &err), MLP_OK);
        assert_int_equal(res.iterations_run, n_iter);
        assert_string_equal(res.stop_reason, n_iter < max_iter ? "tol" : "iterations");
        for (i = 0; i < n_iter; i++)
            assert_close(res.loss[i], curve[i], 1e-12);
        for (i = n_iter; i < max_iter; i++)
            assert_true(isnan(res.loss[i]));
        mlp_train_result_free(&res);
        mlp_model_free(m);
        runs++;
    }
    assert_int_equal(runs, 3);
    free(curve);
    fclose(f);
}

/* Plain GD under each schedule against a loop by hand with the closed-form
 * rates: step lr0 gamma^floor(t/s); cosine eta_min + (lr0 - eta_min)(1 +
 * cos(pi t/T))/2; invscaling full batch lr0 / (t n + 1)^power_t. */
static void test_train_schedules_by_hand(void **state)
{
    const double lr0 = 0.8, pi = 3.14159265358979323846;
    const size_t T = 12, n = 16;
    mlp_data d = make_data(n, 30);

    (void)state;
    for (int s = MLP_SCHED_CONSTANT; s <= MLP_SCHED_COSINE; s++) {
        mlp_config c = make_config(&bce_plugin, MLP_OPT_GD, lr0, T);
        mlp_model *m = make_model(3, &act_tanh, 31), *h = make_model(3, &act_tanh, 31);
        mlp_train_result res;
        mlp_error err;
        double g[13];
        c.train.schedule = (mlp_schedule)s;
        c.train.step_size = 5;
        c.train.gamma = 0.3;
        c.train.eta_min = 0.05;
        c.train.power_t = 0.4;
        assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, NULL, &res, &err), MLP_OK);
        for (size_t t = 0; t < T; t++) {
            double lr = lr0;
            if (s == MLP_SCHED_STEP)
                lr = lr0 * pow(0.3, (double)(t / 5));
            else if (s == MLP_SCHED_COSINE)
                lr = 0.05 + (lr0 - 0.05) * (1 + cos(pi * (double)t / (double)T)) / 2;
            else if (s == MLP_SCHED_INVSCALING)
                lr = lr0 / pow((double)(t * n) + 1.0, 0.4);
            loss_grad(h, &bce_desc, &d, g);
            for (size_t i = 0; i < 13; i++)
                h->params[i] -= lr * g[i];
        }
        for (size_t i = 0; i < 13; i++)
            assert_close(m->params[i], h->params[i], 1e-13);
        mlp_train_result_free(&res);
        mlp_model_free(m);
        mlp_model_free(h);
    }
    free_data(&d);
}

/* invscaling with minibatches: the rate changes only between epochs
 * (scikit-learn's t counts samples at the end of each epoch), so one epoch
 * of batches matches SGD at lr0, and a run of exactly two epochs matches
 * lr0 then lr0 / (n + 1)^power_t. */
static void test_train_invscaling_epochs(void **state)
{
    mlp_data d = make_data(12, 32);
    mlp_config c = make_config(&bce_plugin, MLP_OPT_SGD, 0.6, 6), k;
    mlp_model *m = make_model(3, &act_tanh, 33), *h = make_model(3, &act_tanh, 33);
    mlp_train_result r1, r2;
    mlp_error err;

    (void)state;
    c.train.batch_size = 4; /* 3 iterations per epoch */
    c.train.schedule = MLP_SCHED_INVSCALING;
    c.train.power_t = 0.5;
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 9, NULL, &r1, &err), MLP_OK);
    /* StepLR with one step after the first epoch (3 updates) to lr0/sqrt(12 + 1) */
    k = c;
    k.train.schedule = MLP_SCHED_STEP;
    k.train.step_size = 3;
    k.train.gamma = 1.0 / sqrt(13.0);
    assert_int_equal(mlp_train_run(&k, h, &d, NULL, 9, NULL, &r2, &err), MLP_OK);
    for (size_t i = 0; i < m->n_params; i++)
        assert_close(m->params[i], h->params[i], 1e-13);
    for (size_t t = 0; t < 6; t++)
        assert_close(r1.loss[t], r2.loss[t], 1e-13);
    mlp_train_result_free(&r1);
    mlp_train_result_free(&r2);
    mlp_model_free(m);
    mlp_model_free(h);
    free_data(&d);
}

/* The objective with every penalty, computed here: data loss + l2/2 sum W^2
 * + alpha/(2n) sum W^2 + l1 sum |W|. */
static double objective(const mlp_model *m, const mlp_data *d, double l2, double alpha,
                        double l1)
{
    double s2 = 0, s1 = 0;
    for (size_t l = 0; l < m->n_layers; l++)
        for (size_t i = 0; i < m->width[l] * m->width[l + 1]; i++) {
            double w = m->params[m->w_off[l] + i];
            s2 += w * w;
            s1 += fabs(w);
        }
    return loss_grad(m, &bce_desc, d, NULL) + 0.5 * l2 * s2 + 0.5 * alpha * s2 / (double)d->n +
           l1 * s1;
}

/* L1, L2 and alpha: the gradient one GD step applies ((p0 - p1) / lr)
 * against central differences of the objective, one penalty at a time and
 * all together; the recorded loss is the objective. */
static void test_train_penalty_gradients(void **state)
{
    const double pen[4][3] = {{0.3, 0, 0}, {0, 2.0, 0}, {0, 0, 0.05}, {0.1, 0.7, 0.02}};
    mlp_data d = make_data(24, 34);

    (void)state;
    for (int k = 0; k < 4; k++) {
        mlp_config c = make_config(&bce_plugin, MLP_OPT_GD, 1.0, 1);
        mlp_model *m = make_model(4, &act_tanh, 35), *h = make_model(4, &act_tanh, 35);
        mlp_train_result res;
        mlp_error err;
        const double eps = 1e-6;
        c.train.l2 = pen[k][0];
        c.train.alpha = pen[k][1];
        c.train.l1 = pen[k][2];
        assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, NULL, &res, &err), MLP_OK);
        assert_close(res.loss[0], objective(h, &d, pen[k][0], pen[k][1], pen[k][2]), 1e-14);
        for (size_t i = 0; i < h->n_params; i++) {
            const double p = h->params[i];
            h->params[i] = p + eps;
            double fp = objective(h, &d, pen[k][0], pen[k][1], pen[k][2]);
            h->params[i] = p - eps;
            double fm = objective(h, &d, pen[k][0], pen[k][1], pen[k][2]);
            h->params[i] = p;
            double num = (fp - fm) / (2 * eps), ana = p - m->params[i];
            assert_true(fabs(num - ana) < 1e-8);
        }
        mlp_train_result_free(&res);
        mlp_model_free(m);
        mlp_model_free(h);
    }
    /* alpha divides by the batch's points: a minibatch of 5 */
    {
        mlp_config c = make_config(&bce_plugin, MLP_OPT_SGD, 0.1, 1);
        mlp_model *m = make_model(4, &act_tanh, 35);
        mlp_train_result res;
        mlp_error err;
        c.train.alpha = 1.0;
        c.train.batch_size = 5;
        double s2 = 0;
        for (size_t l = 0; l < 2; l++)
            for (size_t i = 0; i < m->width[l] * m->width[l + 1]; i++)
                s2 += m->params[m->w_off[l] + i] * m->params[m->w_off[l] + i];
        mlp_train_result r0;
        mlp_model *m0 = make_model(4, &act_tanh, 35);
        c.train.alpha = 0.0;
        assert_int_equal(mlp_train_run(&c, m0, &d, NULL, 3, NULL, &r0, &err), MLP_OK);
        c.train.alpha = 1.0;
        assert_int_equal(mlp_train_run(&c, m, &d, NULL, 3, NULL, &res, &err), MLP_OK);
        assert_close(res.loss[0], r0.loss[0] + 0.5 * s2 / 5.0, 1e-14);
        mlp_train_result_free(&res);
        mlp_train_result_free(&r0);
        mlp_model_free(m);
        mlp_model_free(m0);
    }
    /* sign(0) = 0: a zero weight is left where it is by L1 alone */
    {
        mlp_config c = make_config(&bce_plugin, MLP_OPT_GD, 1.0, 1);
        mlp_model *m = make_model(4, &act_tanh, 35);
        mlp_train_result res;
        mlp_error err;
        double g[17];
        m->params[m->w_off[1]] = 0.0;
        loss_grad(m, &bce_desc, &d, g);
        double before = m->params[m->w_off[0]];
        c.train.l1 = 0.5;
        assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, NULL, &res, &err), MLP_OK);
        assert_close(m->params[m->w_off[1]], -g[m->w_off[1]], 1e-15);
        assert_close(m->params[m->w_off[0]],
                     before - g[m->w_off[0]] - 0.5 * (before > 0 ? 1.0 : -1.0), 1e-15);
        mlp_train_result_free(&res);
        mlp_model_free(m);
    }
    free_data(&d);
}

/* target_accuracy, full batch: training ends at the first iteration whose
 * forward pass reaches it, before that iteration's update; the recorded
 * training accuracy says so.  Minibatches: at the end of an epoch. */
static void test_train_stop_target_accuracy(void **state)
{
    mlp_data d = make_data(60, 1);
    mlp_config c = make_config(&bce_plugin, MLP_OPT_GD, 2.0, 300);
    mlp_model *m = make_model(4, &act_tanh, 2), *m2 = make_model(4, &act_tanh, 2);
    mlp_train_result res, r2;
    mlp_error err;
    size_t t, first = 0;
    double target = 0;

    (void)state;
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 7, NULL, &res, &err), MLP_OK);
    assert_string_equal(res.stop_reason, "iterations");
    assert_int_equal(res.n_eval, 300);
    /* a level first reached after some improvement */
    for (t = 1; t < 300 && !first; t++)
        if (res.train_accuracy[t] > res.train_accuracy[0] + 0.1) {
            first = t;
            target = res.train_accuracy[t];
        }
    assert_true(first > 0);
    for (t = 0; t < first; t++)
        assert_true(res.train_accuracy[t] < target);
    c.train.target_accuracy = target;
    assert_int_equal(mlp_train_run(&c, m2, &d, NULL, 7, NULL, &r2, &err), MLP_OK);
    assert_int_equal(r2.stop, MLP_STOP_TARGET_ACCURACY);
    assert_string_equal(r2.stop_reason, "target_accuracy");
    assert_int_equal(r2.iterations_run, first);
    assert_true(r2.train_accuracy[first] == target);
    assert_true(r2.loss[first] == res.loss[first]);
    assert_true(isnan(r2.loss[first + 1]));
    mlp_train_result_free(&r2);
    mlp_model_free(m2);

    /* 100%: stops where first_100pct is, and the final model is right everywhere */
    m2 = make_model(4, &act_tanh, 2);
    c.train.target_accuracy = 1.0;
    assert_int_equal(mlp_train_run(&c, m2, &d, NULL, 7, NULL, &r2, &err), MLP_OK);
    assert_int_equal((long)r2.iterations_run, res.first_100pct);
    assert_true(classifies_all(m2, &d));
    mlp_train_result_free(&r2);
    mlp_model_free(m2);
    mlp_train_result_free(&res);
    mlp_model_free(m);

    /* minibatches of 10 over 40 points: an epoch is 4 iterations */
    mlp_data d2 = make_data(40, 12);
    c = make_config(&bce_plugin, MLP_OPT_SGD, 1.0, 400);
    c.train.batch_size = 10;
    c.train.target_accuracy = 1.0;
    m = make_model(4, &act_tanh, 13);
    assert_int_equal(mlp_train_run(&c, m, &d2, NULL, 5, NULL, &res, &err), MLP_OK);
    assert_string_equal(res.stop_reason, "target_accuracy");
    assert_true(res.iterations_run > 0 && res.iterations_run < 400);
    assert_int_equal(res.iterations_run % 4, 0);
    assert_int_equal((long)res.iterations_run, res.first_100pct);
    assert_true(classifies_all(m, &d2));
    mlp_train_result_free(&res);
    mlp_model_free(m);
    free_data(&d2);
    free_data(&d);
}

/* tol: with a rate too small to move the loss, the first epoch sets the best
 * loss, every later one counts, and training stops when the count exceeds
 * n_iter_no_change = 3: after 5 epochs (5 iterations full batch, 20 with
 * four batches per epoch). */
static void test_train_stop_tol(void **state)
{
    mlp_data d = make_data(40, 36);

    (void)state;
    for (int mb = 0; mb < 2; mb++) {
        mlp_config c = make_config(&bce_plugin, MLP_OPT_SGD, 1e-12, 100);
        mlp_model *m = make_model(3, &act_tanh, 37);
        mlp_train_result res;
        mlp_error err;
        c.train.batch_size = mb ? 10 : 0;
        c.train.use_tol = true;
        c.train.tol = 1e-4;
        c.train.n_iter_no_change = 3;
        assert_int_equal(mlp_train_run(&c, m, &d, NULL, 1, NULL, &res, &err), MLP_OK);
        assert_int_equal(res.stop, MLP_STOP_TOL);
        assert_string_equal(res.stop_reason, "tol");
        assert_int_equal(res.iterations_run, mb ? 20 : 5);
        assert_int_equal(res.status, MLP_RUN_OK);
        mlp_train_result_free(&res);
        mlp_model_free(m);
    }
    /* a loss that keeps falling by more than tol never stops */
    {
        mlp_config c = make_config(&bce_plugin, MLP_OPT_GD, 2.0, 50);
        mlp_model *m = make_model(3, &act_tanh, 37);
        mlp_train_result res;
        mlp_error err;
        c.train.use_tol = true;
        c.train.tol = 1e-6;
        c.train.n_iter_no_change = 3;
        assert_int_equal(mlp_train_run(&c, m, &d, NULL, 1, NULL, &res, &err), MLP_OK);
        assert_string_equal(res.stop_reason, "iterations");
        assert_int_equal(res.iterations_run, 50);
        mlp_train_result_free(&res);
        mlp_model_free(m);
    }
    free_data(&d);
}

/* Early stopping: ceil(0.25 * 40) = 10 points held out by the stream
 * (seed, 1, MLP_STREAM_BATCH); the rest train in their order.  With a rate
 * too small to change the validation accuracy, the first epoch is the best,
 * the count passes n_iter_no_change = 2 after 4 epochs, and the parameters
 * after epoch 1 come back. */
static void test_train_stop_early_stopping(void **state)
{
    mlp_data d = make_data(40, 38), fit = {.n = 30, .dim = 2, .classes = 2};
    mlp_config c = make_config(&bce_plugin, MLP_OPT_GD, 1e-9, 100);
    mlp_model *m = make_model(3, &act_tanh, 39), *m1 = make_model(3, &act_tanh, 39);
    mlp_model *m0 = make_model(3, &act_tanh, 39);
    mlp_train_result res, r1;
    mlp_error err;
    size_t perm[40], i;
    double fx[60], fy[30];
    mlp_rng rng;

    (void)state;
    c.train.validation_fraction = 0.25;
    c.train.tol = 1e-4;
    c.train.n_iter_no_change = 2;
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 3, NULL, &res, &err), MLP_OK);
    assert_int_equal(res.n_validation, 10);
    assert_string_equal(res.stop_reason, "early_stopping");
    assert_int_equal(res.iterations_run, 4);
    assert_int_equal(res.n_scores, 4);
    assert_int_equal(res.best_iteration, 1);
    for (i = 1; i < 4; i++)
        assert_true(res.validation_accuracy[i] == res.validation_accuracy[0]);
    c.train.iterations = 1;
    assert_int_equal(mlp_train_run(&c, m1, &d, NULL, 3, NULL, &r1, &err), MLP_OK);
    assert_memory_equal(m->params, m1->params, m->n_params * sizeof(double));
    /* the points trained on: all but the first 10 of the shuffled identity, in order */
    for (i = 0; i < 40; i++)
        perm[i] = i;
    mlp_rng_init(&rng, 3, 1, MLP_STREAM_BATCH);
    mlp_rng_shuffle(&rng, perm, 40);
    bool held[40] = {0};
    for (i = 0; i < 10; i++)
        held[perm[i]] = true;
    size_t j = 0;
    for (i = 0; i < 40; i++)
        if (!held[i]) {
            fx[2 * j] = d.x[2 * i];
            fx[2 * j + 1] = d.x[2 * i + 1];
            fy[j++] = d.y[i];
        }
    fit.x = fx;
    fit.y = fy;
    assert_true(res.loss[0] == loss_grad(m0, &bce_desc, &fit, NULL));
    mlp_train_result_free(&res);
    mlp_train_result_free(&r1);
    mlp_model_free(m);
    mlp_model_free(m1);
    mlp_model_free(m0);

    /* learning for real: the restored parameters are those of the best score */
    c = make_config(&bce_plugin, MLP_OPT_GD, 2.0, 200);
    c.train.validation_fraction = 0.25;
    c.train.tol = 1e-4;
    c.train.n_iter_no_change = 5;
    m = make_model(3, &act_tanh, 39);
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 3, NULL, &res, &err), MLP_OK);
    assert_true(res.best_iteration >= 1 && (size_t)res.best_iteration <= res.iterations_run);
    for (i = 0; i < res.n_scores; i++)
        assert_true(res.validation_accuracy[i] <= res.validation_accuracy[res.best_iteration - 1]);
    mlp_train_result_free(&res);
    mlp_model_free(m);

    /* holding out every point is an error */
    c.train.validation_fraction = 0.99;
    m = make_model(3, &act_tanh, 39);
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 3, NULL, &res, &err), MLP_ERR_RUNTIME);
    assert_non_null(strstr(err.msg, "validation_fraction"));
    mlp_model_free(m);
    free_data(&d);
}

/* max_seconds: checked after every update, so a budget of 1 ns runs one. */
static void test_train_stop_max_seconds(void **state)
{
    mlp_data d = make_data(20, 40);
    mlp_config c = make_config(&bce_plugin, MLP_OPT_GD, 0.1, 1000);
    mlp_model *m = make_model(3, &act_tanh, 41);
    mlp_train_result res;
    mlp_error err;

    (void)state;
    c.train.max_seconds = 1e-9;
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, NULL, &res, &err), MLP_OK);
    assert_int_equal(res.stop, MLP_STOP_MAX_SECONDS);
    assert_string_equal(res.stop_reason, "max_seconds");
    assert_int_equal(res.iterations_run, 1);
    assert_int_equal(res.n_loss, 1000);
    assert_false(isnan(res.loss[0]));
    assert_true(isnan(res.loss[1]));
    mlp_train_result_free(&res);
    c.train.max_seconds = 1e6;
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, NULL, &res, &err), MLP_OK);
    assert_string_equal(res.stop_reason, "iterations");
    assert_int_equal(res.iterations_run, 1000);
    mlp_train_result_free(&res);
    mlp_model_free(m);
    free_data(&d);
}

/* Accuracy of m on d, computed here. */
static double accuracy(const mlp_model *m, const mlp_data *d)
{
    mlp_workspace *ws = NULL;
    mlp_error err;
    size_t right = 0;
    assert_int_equal(mlp_workspace_create(m, d->n, &ws, &err), MLP_OK);
    const double *z = mlp_model_forward(m, ws, d->x, d->n);
    for (size_t i = 0; i < d->n; i++)
        right += (1.0 / (1.0 + exp(-z[i])) >= 0.5) == (d->y[i] == 1.0);
    mlp_workspace_free(ws);
    return (double)right / (double)d->n;
}

/* Shapes and contents of the recorded arrays: loss and gradient norms every
 * loss_every, test loss/accuracy and train accuracy every eval_every (for
 * the parameters of that iteration's forward pass), snapshots every
 * weights_every; each checked against a run of exactly t iterations. */
static void test_train_recording(void **state)
{
    mlp_data d = make_data(30, 42), te = make_data(17, 43);
    mlp_config c = make_config(&bce_plugin, MLP_OPT_SGD, 0.5, 10);
    mlp_model *m = make_model(4, &act_tanh, 44);
    mlp_train_result res;
    mlp_error err;
    const size_t P = m->n_params;

    (void)state;
    c.train.batch_size = 8;
    c.record.loss_every = 2;
    c.record.eval_every = 3;
    c.record.weights_every = 4;
    assert_int_equal(mlp_train_run(&c, m, &d, &te, 5, NULL, &res, &err), MLP_OK);
    assert_int_equal(res.n_loss, 5);
    assert_int_equal(res.n_layers, 2);
    assert_int_equal(res.eval_every, 3);
    assert_int_equal(res.n_eval, 4);
    assert_int_equal(res.n_snapshots, 3);
    assert_int_equal(res.n_params, P);
    assert_non_null(res.test_accuracy);
    for (size_t t = 0; t < 10; t++) {
        mlp_model *h = make_model(4, &act_tanh, 44);
        mlp_train_result r;
        mlp_config k = c;
        k.train.iterations = t;
        k.record.weights_every = 0;
        if (t > 0)
            assert_int_equal(mlp_train_run(&k, h, &d, &te, 5, NULL, &r, &err), MLP_OK);
        if (t % 3 == 0) {
            assert_true(res.train_accuracy[t / 3] == accuracy(h, &d));
            assert_true(res.test_accuracy[t / 3] == accuracy(h, &te));
            assert_true(res.test_loss[t / 3] == loss_grad(h, &bce_desc, &te, NULL));
        }
        if (t % 4 == 0)
            assert_memory_equal(res.snapshots + (t / 4) * P, h->params, P * sizeof(double));
        if (t > 0)
            mlp_train_result_free(&r);
        mlp_model_free(h);
    }
    mlp_train_result_free(&res);

    /* gradient norms, full batch: from the model's own gradient */
    {
        mlp_model *h = make_model(4, &act_tanh, 44);
        double g[17], nw = 0, nb = 0;
        c = make_config(&bce_plugin, MLP_OPT_GD, 0.5, 3);
        assert_int_equal(mlp_train_run(&c, h, &d, NULL, 0, NULL, &res, &err), MLP_OK);
        mlp_model_free(h);
        h = make_model(4, &act_tanh, 44);
        loss_grad(h, &bce_desc, &d, g);
        for (size_t i = 0; i < 4; i++)
            nw += g[h->w_off[1] + i] * g[h->w_off[1] + i];
        nb = fabs(g[h->b_off[1]]);
        assert_close(res.grad_norm[2], sqrt(nw), 1e-14);
        assert_close(res.grad_norm[3], nb, 1e-14);
        assert_null(res.test_loss);
        assert_null(res.test_accuracy);
        assert_null(res.snapshots);
        assert_int_equal(res.eval_every, 1); /* 0 means loss_every */
        mlp_train_result_free(&res);
        mlp_model_free(h);
    }
    mlp_model_free(m);
    free_data(&d);
    free_data(&te);
}

/* The record estimate: every part by its formula. */
static void test_train_record_estimate(void **state)
{
    mlp_config c = make_config(&bce_plugin, MLP_OPT_GD, 0.5, 1000);
    mlp_record_size s;

    (void)state;
    c.n_hidden = 2;
    c.hidden[0] = 8;
    c.hidden[1] = 4;
    c.record.loss_every = 10;
    c.record.eval_every = 100;
    c.record.weights_every = 250;
    c.record.weights = true;
    c.record.hidden = true;
    c.record.boundary = true;
    c.record.resolution = 50;
    /* params: (2+1)*8 + (8+1)*4 + (4+1)*1 = 65 */
    mlp_record_estimate(&c, 2, 1, 200, 100, &s);
    assert_true(s.curves == 8.0 * (100 * (1 + 2 * 3) + 10 * 3));
    assert_true(s.snapshots == 8.0 * 4 * 65);
    assert_true(s.weights == 8.0 * 65);
    assert_true(s.hidden == 8.0 * 200 * 12);
    assert_true(s.boundary == 8.0 * 50 * 50);
    assert_true(s.dataset == 8.0 * 300 * 3);
    assert_true(s.total == s.curves + s.snapshots + s.weights + s.hidden + s.boundary + s.dataset);
}

static void test_train_divergence_reason(void **state)
{
    mlp_data d = make_data(16, 14);
    mlp_config c = make_config(&sq_plugin, MLP_OPT_GD, 1e12, 100);
    mlp_model *m = make_model(4, &act_identity, 16);
    mlp_train_result res;
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_train_run(&c, m, &d, NULL, 0, NULL, &res, &err), MLP_OK);
    assert_int_equal(res.stop, MLP_STOP_DIVERGED);
    assert_string_equal(res.stop_reason, "diverged");
    mlp_train_result_free(&res);
    mlp_model_free(m);
    free_data(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train_not_finite_by_bits),
        cmocka_unit_test(test_train_loss_decreases_separable),
        cmocka_unit_test(test_train_gd_matches_hand_step),
        cmocka_unit_test(test_train_momentum_two_steps),
        cmocka_unit_test(test_train_nesterov_two_steps),
        cmocka_unit_test(test_train_adam_two_steps),
        cmocka_unit_test(test_train_l2_effect),
        cmocka_unit_test(test_train_minibatch_determinism),
        cmocka_unit_test(test_train_minibatch_first_100pct),
        cmocka_unit_test(test_train_count_correct_edges),
        cmocka_unit_test(test_train_divergence),
        cmocka_unit_test(test_train_stop_flag),
        cmocka_unit_test(test_train_loss_every_spacing),
        cmocka_unit_test(test_train_golden_numpy),
        cmocka_unit_test(test_train_bad_input),
        cmocka_unit_test(test_train_golden_torch),
        cmocka_unit_test(test_train_golden_sklearn),
        cmocka_unit_test(test_train_schedules_by_hand),
        cmocka_unit_test(test_train_invscaling_epochs),
        cmocka_unit_test(test_train_penalty_gradients),
        cmocka_unit_test(test_train_stop_target_accuracy),
        cmocka_unit_test(test_train_stop_tol),
        cmocka_unit_test(test_train_stop_early_stopping),
        cmocka_unit_test(test_train_stop_max_seconds),
        cmocka_unit_test(test_train_recording),
        cmocka_unit_test(test_train_record_estimate),
        cmocka_unit_test(test_train_divergence_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
