/* test_model.c -- parameter layout, initialisation, forward against a hand
 * computation, and gradient checks of the whole network (random direction
 * and per parameter).  The activations and losses are small static
 * descriptors defined here, so the test needs no plugin files. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "train/model.h"
#include "base/rng.h"
#include "test_descriptors.h"

/* ---- activations and losses for the tests ----------------------------- */

/* (sigmoid, tanh, ACT and bce_loss: test_descriptors.h) */

static void relu_fwd(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = z[i] > 0 ? z[i] : 0.0;
}

static void relu_bwd(const double *z, const double *a, const double *da, double *dz, size_t n,
                     const mlp_param_value *p)
{
    (void)a;
    (void)p;
    for (size_t i = 0; i < n; i++)
        dz[i] = z[i] > 0 ? da[i] : 0.0;
}

static const mlp_activation_desc act_relu = ACT("relu", relu_fwd, relu_bwd);

/* half mean squared error against one-hot targets, k outputs */
static double mse(const double *z, const double *y, double *dz, size_t n, size_t k)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < k; c++) {
            double d = z[i * k + c] - (c == (size_t)y[i] ? 1.0 : 0.0);
            s += 0.5 * d * d;
            if (dz)
                dz[i * k + c] = d / (double)n;
        }
    return s / (double)n;
}

static double net_loss(const double *z, const double *y, double *dz, size_t n, size_t k)
{
    return k == 1 ? bce_loss(z, y, dz, n, 1, NULL) : mse(z, y, dz, n, k);
}

/* ---- helpers ------------------------------------------------------------ */

/* Random data: x (n, d) in [-2, 2), y (n) labels 0 .. classes-1. */
static void make_data(size_t n, size_t d, size_t classes, uint64_t seed, double *x, double *y)
{
    mlp_rng r;
    mlp_rng_init(&r, seed, 0, MLP_STREAM_TRAIN);
    for (size_t i = 0; i < n * d; i++)
        x[i] = 4.0 * mlp_rng_uniform(&r) - 2.0;
    for (size_t i = 0; i < n; i++)
        y[i] = (double)mlp_rng_below(&r, classes);
}

static mlp_model *make_model(size_t in, const size_t *hidden, size_t nh, size_t out,
                             const mlp_activation_desc *act, uint64_t seed)
{
    mlp_model *m = NULL;
    mlp_error err;
    mlp_rng r;

    assert_int_equal(mlp_model_create(in, hidden, nh, out, act, NULL, &m, &err), MLP_OK);
    mlp_rng_init(&r, seed, 0, MLP_STREAM_INIT);
    mlp_model_init(m, MLP_INIT_UNIFORM, 0.9, &r);
    return m;
}

static double loss_at(const mlp_model *m, mlp_workspace *ws, const double *x, const double *y,
                      size_t n)
{
    const double *z = mlp_model_forward(m, ws, x, n);
    return net_loss(z, y, NULL, n, m->width[m->n_layers]);
}

/* Directional derivative of the loss along a random unit direction: the
 * backward pass against a central difference. */
static void gradient_check_direction(size_t in, const size_t *hidden, size_t nh, size_t out,
                                     const mlp_activation_desc *act, size_t n, uint64_t seed)
{
    mlp_model *m = make_model(in, hidden, nh, out, act, seed);
    mlp_workspace *ws = NULL;
    mlp_error err;
    mlp_rng r;
    double *x = malloc(n * in * sizeof(double)), *y = malloc(n * sizeof(double));
    double *dl = malloc(n * out * sizeof(double));
    double *g = malloc(m->n_params * sizeof(double)), *dir = malloc(m->n_params * sizeof(double));
    double *p0 = malloc(m->n_params * sizeof(double));
    double norm = 0.0, analytic = 0.0, numeric, lp, lm;
    const double h = 1e-5;
    size_t i, trial;

    make_data(n, in, out == 1 ? 2 : out, seed + 1, x, y);
    assert_int_equal(mlp_workspace_create(m, n, &ws, &err), MLP_OK);
    memcpy(p0, m->params, m->n_params * sizeof(double));
    mlp_rng_init(&r, seed, 1, MLP_STREAM_INIT);
    for (trial = 0; trial < 3; trial++) {
        const double *z = mlp_model_forward(m, ws, x, n);
        net_loss(z, y, dl, n, out);
        mlp_model_backward(m, ws, x, n, dl, g);
        norm = 0.0;
        for (i = 0; i < m->n_params; i++) {
            dir[i] = mlp_rng_normal(&r);
            norm += dir[i] * dir[i];
        }
        norm = sqrt(norm);
        analytic = 0.0;
        for (i = 0; i < m->n_params; i++) {
            dir[i] /= norm;
            analytic += g[i] * dir[i];
        }
        for (i = 0; i < m->n_params; i++)
            m->params[i] = p0[i] + h * dir[i];
        lp = loss_at(m, ws, x, y, n);
        for (i = 0; i < m->n_params; i++)
            m->params[i] = p0[i] - h * dir[i];
        lm = loss_at(m, ws, x, y, n);
        memcpy(m->params, p0, m->n_params * sizeof(double));
        numeric = (lp - lm) / (2 * h);
        assert_true(fabs(analytic) > 1e-6); /* the check must test something */
        assert_true(fabs(analytic - numeric) <= 1e-7 * fabs(analytic) + 1e-10);
    }
    mlp_workspace_free(ws);
    mlp_model_free(m);
    free(x);
    free(y);
    free(dl);
    free(g);
    free(dir);
    free(p0);
}

/* ---- tests -------------------------------------------------------------- */

static void test_model_layout_offsets(void **state)
{
    const size_t h1[1] = {4}, h2[2] = {5, 3};
    mlp_model *m = NULL;
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_model_create(3, h1, 1, 2, &act_tanh, NULL, &m, &err), MLP_OK);
    assert_int_equal(m->n_layers, 2);
    assert_int_equal(m->width[0], 3);
    assert_int_equal(m->width[1], 4);
    assert_int_equal(m->width[2], 2);
    assert_int_equal(m->w_off[0], 0);
    assert_int_equal(m->b_off[0], 12);
    assert_int_equal(m->w_off[1], 16);
    assert_int_equal(m->b_off[1], 24);
    assert_int_equal(m->n_params, 26);
    assert_ptr_equal(m->act[0], &act_tanh);
    for (size_t i = 0; i < m->n_params; i++)
        assert_true(m->params[i] == 0.0);
    mlp_model_free(m);

    assert_int_equal(mlp_model_create(2, h2, 2, 1, &act_sigmoid, NULL, &m, &err), MLP_OK);
    assert_int_equal(m->n_layers, 3);
    assert_int_equal(m->b_off[0], 10);
    assert_int_equal(m->w_off[1], 15);
    assert_int_equal(m->b_off[1], 30);
    assert_int_equal(m->w_off[2], 33);
    assert_int_equal(m->b_off[2], 36);
    assert_int_equal(m->n_params, 37);
    mlp_model_free(m);

    /* no hidden layer: logistic regression, no activation needed */
    assert_int_equal(mlp_model_create(4, NULL, 0, 1, NULL, NULL, &m, &err), MLP_OK);
    assert_int_equal(m->n_params, 5);
    mlp_model_free(m);
    mlp_model_free(NULL);
}

static void test_model_create_errors(void **state)
{
    size_t h[2] = {3, 0};
    size_t many[MLP_MAX_HIDDEN + 1];
    mlp_model *m = NULL;
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_model_create(2, h, 2, 1, &act_tanh, NULL, &m, &err), MLP_ERR_USAGE);
    assert_non_null(strstr(err.msg, "width 0"));
    assert_int_equal(mlp_model_create(0, h, 1, 1, &act_tanh, NULL, &m, &err), MLP_ERR_USAGE);
    assert_int_equal(mlp_model_create(2, h, 1, 1, NULL, NULL, &m, &err), MLP_ERR_USAGE);
    for (size_t i = 0; i < MLP_MAX_HIDDEN + 1; i++)
        many[i] = 2;
    assert_int_equal(mlp_model_create(2, many, MLP_MAX_HIDDEN + 1, 1, &act_tanh, NULL, &m, &err),
                     MLP_ERR_USAGE);
    assert_null(m);
}

/* Xavier: |W| <= sqrt(6/(in+out)), variance a^2/3, zero biases; the first
 * weight is the first draw of the stream. */
static void test_model_init_xavier(void **state)
{
    const size_t h[1] = {300};
    mlp_model *m = NULL, *m2 = NULL;
    mlp_error err;
    mlp_rng r, r2;
    double a = sqrt(6.0 / 500.0), s = 0, ss = 0, first;
    size_t i, nw = 200 * 300;

    (void)state;
    assert_int_equal(mlp_model_create(200, h, 1, 1, &act_tanh, NULL, &m, &err), MLP_OK);
    assert_int_equal(mlp_model_create(200, h, 1, 1, &act_tanh, NULL, &m2, &err), MLP_OK);
    mlp_rng_init(&r, 5, 0, MLP_STREAM_INIT);
    mlp_model_init(m, MLP_INIT_XAVIER, 0.0, &r);
    for (i = 0; i < nw; i++) {
        double w = m->params[m->w_off[0] + i];
        assert_true(fabs(w) <= a);
        s += w;
        ss += w * w;
    }
    assert_true(fabs(s / nw) < 0.01 * a);
    assert_true(fabs(ss / nw / (a * a / 3.0) - 1.0) < 0.02);
    for (i = 0; i < 300; i++)
        assert_true(m->params[m->b_off[0] + i] == 0.0);
    assert_true(m->params[m->b_off[1]] == 0.0);
    /* layer 2 bound: sqrt(6/301) */
    for (i = 0; i < 300; i++)
        assert_true(fabs(m->params[m->w_off[1] + i]) <= sqrt(6.0 / 301.0));

    mlp_rng_init(&r2, 5, 0, MLP_STREAM_INIT);
    first = a * (2.0 * mlp_rng_uniform(&r2) - 1.0);
    assert_true(m->params[0] == first);

    /* determinism, and another seed differs */
    mlp_rng_init(&r2, 5, 0, MLP_STREAM_INIT);
    mlp_model_init(m2, MLP_INIT_XAVIER, 0.0, &r2);
    assert_memory_equal(m->params, m2->params, m->n_params * sizeof(double));
    mlp_rng_init(&r2, 6, 0, MLP_STREAM_INIT);
    mlp_model_init(m2, MLP_INIT_XAVIER, 0.0, &r2);
    assert_true(memcmp(m->params, m2->params, m->n_params * sizeof(double)) != 0);
    mlp_model_free(m);
    mlp_model_free(m2);
}

/* He normal: mean 0, variance 2/in, zero biases, unbounded tails. */
static void test_model_init_he(void **state)
{
    const size_t h[1] = {400};
    mlp_model *m = NULL;
    mlp_error err;
    mlp_rng r;
    double s = 0, ss = 0, var = 2.0 / 100.0, mx = 0;
    size_t i, nw = 100 * 400;

    (void)state;
    assert_int_equal(mlp_model_create(100, h, 1, 1, &act_relu, NULL, &m, &err), MLP_OK);
    mlp_rng_init(&r, 8, 3, MLP_STREAM_INIT);
    mlp_model_init(m, MLP_INIT_HE, 0.0, &r);
    for (i = 0; i < nw; i++) {
        double w = m->params[i];
        s += w;
        ss += w * w;
        mx = fmax(mx, fabs(w));
    }
    assert_true(fabs(s / nw) < 0.01 * sqrt(var) * 2);
    assert_true(fabs(ss / nw / var - 1.0) < 0.03);
    assert_true(mx > 3.0 * sqrt(var)); /* a normal, not a uniform */
    for (i = 0; i < 400; i++)
        assert_true(m->params[m->b_off[0] + i] == 0.0);
    mlp_model_free(m);
}

/* Uniform: W and b in (-a, a), a = scale, or 1/sqrt(in) when scale == 0;
 * biases drawn after the weights of their layer. */
static void test_model_init_uniform(void **state)
{
    const size_t h[1] = {50};
    mlp_model *m = NULL;
    mlp_error err;
    mlp_rng r, r2;
    double a = 1.0 / sqrt(16.0), mxw = 0, mxb = 0;
    size_t i;

    (void)state;
    assert_int_equal(mlp_model_create(16, h, 1, 1, &act_tanh, NULL, &m, &err), MLP_OK);
    mlp_rng_init(&r, 1, 1, MLP_STREAM_INIT);
    mlp_model_init(m, MLP_INIT_UNIFORM, 0.0, &r);
    for (i = 0; i < 16 * 50; i++)
        mxw = fmax(mxw, fabs(m->params[i]));
    for (i = 0; i < 50; i++)
        mxb = fmax(mxb, fabs(m->params[m->b_off[0] + i]));
    assert_true(mxw <= a && mxw > 0.9 * a);
    assert_true(mxb <= a && mxb > 0.5 * a);
    /* b_0[0] is draw number 16*50 of the stream */
    mlp_rng_init(&r2, 1, 1, MLP_STREAM_INIT);
    for (i = 0; i < 16 * 50; i++)
        mlp_rng_uniform(&r2);
    assert_true(m->params[m->b_off[0]] == a * (2.0 * mlp_rng_uniform(&r2) - 1.0));
    /* output layer: fan-in 50 */
    for (i = 0; i < 51; i++)
        assert_true(fabs(m->params[m->w_off[1] + i]) <= 1.0 / sqrt(50.0));

    mlp_rng_init(&r, 1, 1, MLP_STREAM_INIT);
    mlp_model_init(m, MLP_INIT_UNIFORM, 0.01, &r);
    for (i = 0; i < m->n_params; i++)
        assert_true(fabs(m->params[i]) <= 0.01);
    mlp_model_free(m);
}

/* Forward of 2 -> 3 (tanh) -> 2 -> (sigmoid) 1 against plain loops over the
 * formula, for n = 75 (not a multiple of any block); a subset of the
 * samples gives bit-identical outputs. */
static void test_model_forward_by_hand(void **state)
{
    const size_t h[2] = {3, 2};
    const size_t n = 75;
    mlp_model *m = NULL;
    mlp_workspace *ws = NULL, *ws2 = NULL;
    mlp_error err;
    double x[75 * 2], y[75], z1[3], a1[3], z2[2], a2[2];
    const double *logits;
    size_t i, j, k;

    (void)state;
    assert_int_equal(mlp_model_create(2, h, 2, 1, &act_tanh, NULL, &m, &err), MLP_OK);
    m->act[1] = &act_sigmoid; /* mixed activations per layer */
    for (i = 0; i < m->n_params; i++)
        m->params[i] = 0.1 * (double)((int)(i * 7 % 11) - 5);
    make_data(n, 2, 2, 3, x, y);
    assert_int_equal(mlp_workspace_create(m, n, &ws, &err), MLP_OK);
    logits = mlp_model_forward(m, ws, x, n);
    assert_ptr_equal(logits, ws->z[2]);
    for (i = 0; i < n; i++) {
        const double *p = m->params;
        for (j = 0; j < 3; j++) {
            z1[j] = p[m->b_off[0] + j];
            for (k = 0; k < 2; k++)
                z1[j] += x[i * 2 + k] * p[m->w_off[0] + j * 2 + k];
            a1[j] = tanh(z1[j]);
            assert_true(fabs(ws->a[0][i * 3 + j] - a1[j]) <= 1e-15);
        }
        for (j = 0; j < 2; j++) {
            z2[j] = p[m->b_off[1] + j];
            for (k = 0; k < 3; k++)
                z2[j] += a1[k] * p[m->w_off[1] + j * 3 + k];
            a2[j] = 1.0 / (1.0 + exp(-z2[j]));
            assert_true(fabs(ws->z[1][i * 2 + j] - z2[j]) <= 1e-15);
            assert_true(fabs(ws->a[1][i * 2 + j] - a2[j]) <= 1e-15);
        }
        double out = p[m->b_off[2]] + a2[0] * p[m->w_off[2]] + a2[1] * p[m->w_off[2] + 1];
        assert_true(fabs(logits[i] - out) <= 1e-15);
    }
    /* samples 13 .. 13+9 alone, through a small workspace */
    assert_int_equal(mlp_workspace_create(m, 9, &ws2, &err), MLP_OK);
    const double *sub = mlp_model_forward(m, ws2, x + 13 * 2, 9);
    assert_memory_equal(sub, logits + 13, 9 * sizeof(double));
    mlp_workspace_free(ws);
    mlp_workspace_free(ws2);
    mlp_model_free(m);
}

/* Same for a layer of 6 outputs (the transposed, wide path) and 9 inputs. */
static void test_model_forward_wide_layer(void **state)
{
    const size_t h[1] = {6};
    const size_t n = 130;
    mlp_model *m = make_model(9, h, 1, 5, &act_relu, 4);
    mlp_workspace *ws = NULL;
    mlp_error err;
    double x[130 * 9], y[130];
    size_t i, j, k;

    (void)state;
    make_data(n, 9, 5, 5, x, y);
    assert_int_equal(mlp_workspace_create(m, n, &ws, &err), MLP_OK);
    const double *z = mlp_model_forward(m, ws, x, n);
    for (i = 0; i < n; i++) {
        double a[6];
        for (j = 0; j < 6; j++) {
            double s = m->params[m->b_off[0] + j];
            for (k = 0; k < 9; k++)
                s = fma(x[i * 9 + k], m->params[m->w_off[0] + j * 9 + k], s);
            a[j] = s > 0 ? s : 0;
            assert_true(ws->z[0][i * 6 + j] == s); /* same order, fused */
        }
        for (j = 0; j < 5; j++) {
            double s = m->params[m->b_off[1] + j];
            for (k = 0; k < 6; k++)
                s = fma(a[k], m->params[m->w_off[1] + j * 6 + k], s);
            assert_true(z[i * 5 + j] == s);
        }
    }
    mlp_workspace_free(ws);
    mlp_model_free(m);
}

static void test_model_gradient_depth1(void **state)
{
    const size_t h[1] = {5};
    (void)state;
    gradient_check_direction(2, h, 1, 1, &act_sigmoid, 37, 11);
    gradient_check_direction(2, h, 1, 1, &act_tanh, 100, 12);
    gradient_check_direction(3, NULL, 0, 1, NULL, 20, 13); /* no hidden layer */
}

static void test_model_gradient_depth2(void **state)
{
    const size_t h[2] = {7, 4};
    (void)state;
    gradient_check_direction(2, h, 2, 1, &act_sigmoid, 150, 21);
    gradient_check_direction(3, h, 2, 1, &act_tanh, 66, 22);
}

static void test_model_gradient_depth3(void **state)
{
    const size_t h[3] = {6, 5, 3};
    const size_t h2[3] = {8, 12, 2};
    (void)state;
    gradient_check_direction(2, h, 3, 1, &act_sigmoid, 90, 31);
    gradient_check_direction(2, h, 3, 1, &act_tanh, 200, 32);
    /* several outputs (narrow and wide output layers), squared error */
    gradient_check_direction(4, h2, 3, 3, &act_tanh, 70, 33);
    gradient_check_direction(2, h2, 3, 6, &act_sigmoid, 70, 34);
}

/* Every parameter of 2 -> 3 -> 2 on its own. */
static void test_model_gradient_per_parameter(void **state)
{
    const size_t h[1] = {3};
    const size_t n = 10;
    mlp_model *m = make_model(2, h, 1, 2, &act_tanh, 40);
    mlp_workspace *ws = NULL;
    mlp_error err;
    double x[20], y[10], dl[20], g[17];
    const double eps = 1e-6;
    size_t i;

    (void)state;
    assert_int_equal(m->n_params, 17);
    make_data(n, 2, 2, 41, x, y);
    assert_int_equal(mlp_workspace_create(m, n, &ws, &err), MLP_OK);
    mse(mlp_model_forward(m, ws, x, n), y, dl, n, 2);
    mlp_model_backward(m, ws, x, n, dl, g);
    for (i = 0; i < m->n_params; i++) {
        double p0 = m->params[i], lp, lm, num;
        m->params[i] = p0 + eps;
        lp = loss_at(m, ws, x, y, n);
        m->params[i] = p0 - eps;
        lm = loss_at(m, ws, x, y, n);
        m->params[i] = p0;
        num = (lp - lm) / (2 * eps);
        assert_true(fabs(num - g[i]) <= 1e-7 * fabs(g[i]) + 1e-9);
    }
    mlp_workspace_free(ws);
    mlp_model_free(m);
}

/* Backward overwrites grad and is deterministic; a backward split over two
 * calls' worth of samples is not needed, but results must not depend on the
 * workspace capacity. */
static void test_model_backward_deterministic(void **state)
{
    const size_t h[1] = {20};
    const size_t n = 300;
    mlp_model *m = make_model(2, h, 1, 1, &act_sigmoid, 50);
    mlp_workspace *ws = NULL, *big = NULL;
    mlp_error err;
    double *x = malloc(n * 2 * sizeof(double)), y[300], dl[300];
    double *g1 = malloc(m->n_params * sizeof(double)), *g2 = malloc(m->n_params * sizeof(double));

    (void)state;
    make_data(n, 2, 2, 51, x, y);
    assert_int_equal(mlp_workspace_create(m, n, &ws, &err), MLP_OK);
    assert_int_equal(mlp_workspace_create(m, 5000, &big, &err), MLP_OK);
    bce_loss(mlp_model_forward(m, ws, x, n), y, dl, n, 1, NULL);
    for (size_t i = 0; i < m->n_params; i++)
        g1[i] = g2[i] = 1e300; /* garbage to be overwritten */
    mlp_model_backward(m, ws, x, n, dl, g1);
    bce_loss(mlp_model_forward(m, big, x, n), y, dl, n, 1, NULL);
    mlp_model_backward(m, big, x, n, dl, g2);
    assert_memory_equal(g1, g2, m->n_params * sizeof(double));
    mlp_workspace_free(ws);
    mlp_workspace_free(big);
    mlp_model_free(m);
    free(x);
    free(g1);
    free(g2);
}

/* The fused step (mlp_model_loss_grad): one block gives the bits of
 * forward + loss + backward; a batch of several blocks gives the same bits
 * with one thread or three, agrees with the unfused pass to rounding, and
 * its gradient is each block's, added in block order. */
static const mlp_loss_desc loss_bce_desc = {
    .h = {.size = sizeof(mlp_loss_desc), .abi_major = MLP_ABI_MAJOR, .abi_minor = MLP_ABI_MINOR,
          .kind = MLP_KIND_LOSS, .name = "bce"},
    .loss = bce_loss,
};

static void test_model_loss_grad_fused(void **state)
{
    const size_t h[2] = {7, 5};
    const size_t n = 3 * MLP_BLOCK + 232; /* 4 blocks, the last one partial */
    mlp_model *m = make_model(3, h, 2, 1, &act_sigmoid, 60);
    mlp_workspace *ws = NULL, *wt = NULL, *full = NULL;
    mlp_error err;
    const size_t P = m->n_params;
    double *x = malloc(n * 3 * sizeof(double)), *y = malloc(n * sizeof(double));
    double *dl = malloc(n * sizeof(double)), *lg = malloc(n * sizeof(double));
    double *g1 = malloc(P * sizeof(double)), *g2 = malloc(P * sizeof(double));
    double *g3 = malloc(P * sizeof(double)), *gb = malloc(P * sizeof(double));
    const mlp_batch_loss bl = {.desc = &loss_bce_desc, .params = NULL, .sum = false};
    double l1, l2, l3;

    (void)state;
    make_data(n, 3, 2, 61, x, y);
    assert_int_equal(mlp_workspace_create(m, 0, &ws, &err), MLP_OK);
    assert_int_equal(mlp_workspace_create(m, 0, &wt, &err), MLP_OK);
    assert_int_equal(mlp_workspace_threads(wt, m, 3, n, &err), MLP_OK);
    assert_int_equal(wt->threads, 3);
    assert_int_equal(mlp_workspace_create(m, n, &full, &err), MLP_OK);

    /* one block: the unfused pass, bit for bit */
    l1 = mlp_model_loss_grad(m, ws, x, y, 200, &bl, lg, g1);
    const double *z = mlp_model_forward(m, full, x, 200);
    l2 = bce_loss(z, y, dl, 200, 1, NULL);
    mlp_model_backward(m, full, x, 200, dl, g2);
    assert_true(l1 == l2);
    assert_memory_equal(lg, z, 200 * sizeof(double));
    assert_memory_equal(g1, g2, P * sizeof(double));

    /* several blocks: one thread and three threads, the same bits */
    l1 = mlp_model_loss_grad(m, ws, x, y, n, &bl, lg, g1);
    l3 = mlp_model_loss_grad(m, wt, x, y, n, &bl, NULL, g3);
    assert_true(l1 == l3);
    assert_memory_equal(g1, g3, P * sizeof(double));
    /* ... close to the unfused pass (the mean is taken per block) */
    z = mlp_model_forward(m, full, x, n);
    l2 = bce_loss(z, y, dl, n, 1, NULL);
    mlp_model_backward(m, full, x, n, dl, g2);
    assert_true(fabs(l1 - l2) <= 1e-14 * fabs(l2));
    for (size_t i = 0; i < P; i++)
        assert_true(fabs(g1[i] - g2[i]) <= 1e-13 * (fabs(g2[i]) + 1e-3));
    assert_memory_equal(lg, z, n * sizeof(double));
    /* ... and is each block's gradient (its mean loss weighted by its share
     * of the batch), added in block order */
    memset(g2, 0, P * sizeof(double));
    for (size_t i0 = 0; i0 < n; i0 += MLP_BLOCK) {
        const size_t nb = n - i0 < MLP_BLOCK ? n - i0 : MLP_BLOCK;
        const double *zb = mlp_model_forward(m, full, x + 3 * i0, nb);
        bce_loss(zb, y + i0, dl, nb, 1, NULL);
        for (size_t i = 0; i < nb; i++)
            dl[i] *= (double)nb / (double)n;
        mlp_model_backward(m, full, x + 3 * i0, nb, dl, gb);
        for (size_t i = 0; i < P; i++)
            g2[i] = i0 == 0 ? gb[i] : g2[i] + gb[i];
    }
    assert_memory_equal(g1, g2, P * sizeof(double));
    mlp_workspace_free(ws);
    mlp_workspace_free(wt);
    mlp_workspace_free(full);
    mlp_model_free(m);
    free(x);
    free(y);
    free(dl);
    free(lg);
    free(g1);
    free(g2);
    free(g3);
    free(gb);
}

/* Per-layer activations: hidden [3, 4, 2] with sigmoid, tanh, relu; the
 * forward pass applies each layer's own (checked by hand, layer by layer)
 * and the backward pass survives a central-difference check. */
static void test_model_per_layer_activations(void **state)
{
    const size_t h[3] = {3, 4, 2};
    const mlp_activation_desc *acts[3] = {&act_sigmoid, &act_tanh, &act_relu};
    mlp_model *m = NULL;
    mlp_workspace *ws = NULL;
    mlp_error err;
    mlp_rng r;
    double x[10], y[5], a[5][4], in[5][4], dl[5], g[64], p0[64];
    size_t i, l, o, k, w[5] = {2, 3, 4, 2, 1};

    (void)state;
    assert_int_equal(mlp_model_create_layers(2, h, 3, 1, acts, NULL, &m, &err), MLP_OK);
    assert_true(m->act[0] == &act_sigmoid && m->act[1] == &act_tanh && m->act[2] == &act_relu);
    mlp_rng_init(&r, 3, 0, MLP_STREAM_INIT);
    mlp_model_init(m, MLP_INIT_UNIFORM, 0.9, &r);
    make_data(5, 2, 2, 4, x, y);
    assert_int_equal(mlp_workspace_create(m, 5, &ws, &err), MLP_OK);
    const double *z = mlp_model_forward(m, ws, x, 5);
    for (i = 0; i < 5; i++) {
        for (k = 0; k < 2; k++)
            in[i][k] = x[2 * i + k];
        for (l = 0; l < 4; l++) {
            const double *W = m->params + m->w_off[l], *b = m->params + m->b_off[l];
            for (o = 0; o < w[l + 1]; o++) {
                double s = b[o];
                for (k = 0; k < w[l]; k++)
                    s += W[o * w[l] + k] * in[i][k];
                a[i][o] = l == 0 ? 1 / (1 + exp(-s)) : l == 1 ? tanh(s) : l == 2 ? fmax(s, 0) : s;
            }
            memcpy(in[i], a[i], sizeof(a[i]));
        }
        assert_true(fabs(z[i] - in[i][0]) < 1e-14);
    }
    /* gradient of the loss against central differences, every parameter */
    memcpy(p0, m->params, m->n_params * sizeof(double));
    z = mlp_model_forward(m, ws, x, 5);
    net_loss(z, y, dl, 5, 1);
    mlp_model_backward(m, ws, x, 5, dl, g);
    for (i = 0; i < m->n_params; i++) {
        const double e = 1e-6;
        m->params[i] = p0[i] + e;
        double lp = loss_at(m, ws, x, y, 5);
        m->params[i] = p0[i] - e;
        double lm = loss_at(m, ws, x, y, 5);
        m->params[i] = p0[i];
        assert_true(fabs((lp - lm) / (2 * e) - g[i]) < 1e-8);
    }
    mlp_workspace_free(ws);
    mlp_model_free(m);
    /* a missing entry is refused, naming the layer */
    acts[1] = NULL;
    assert_int_equal(mlp_model_create_layers(2, h, 3, 1, acts, NULL, &m, &err), MLP_ERR_USAGE);
    assert_non_null(strstr(err.msg, "hidden layer 1"));
}

/* Mean and variance of the weights of layer l. */
static void weight_stats(const mlp_model *m, size_t l, double *mean, double *var, double *amax)
{
    size_t nw = m->width[l] * m->width[l + 1];
    double s = 0, ss = 0, mx = 0;
    for (size_t i = 0; i < nw; i++) {
        double w = m->params[m->w_off[l] + i];
        s += w;
        ss += w * w;
        mx = fmax(mx, fabs(w));
    }
    *mean = s / (double)nw;
    *var = ss / (double)nw - *mean * *mean;
    *amax = mx;
}

/* Xavier normal N(0, 2/(in+out)), He uniform U(+-sqrt(6/in)), and
 * scikit-learn's U(+-sqrt(f/(in+out))) on W and b, f = 2 after sigmoid and
 * 6 otherwise, the output layer following the last hidden layer. */
static void test_model_init_more_schemes(void **state)
{
    const size_t h[2] = {300, 200};
    const mlp_activation_desc *acts[2] = {&act_tanh, &act_sigmoid};
    mlp_model *m = NULL;
    mlp_error err;
    mlp_rng r;
    double mean, var, mx;
    size_t i;

    (void)state;
    assert_int_equal(mlp_model_create_layers(100, h, 2, 1, acts, NULL, &m, &err), MLP_OK);

    mlp_rng_init(&r, 1, 0, MLP_STREAM_INIT);
    mlp_model_init(m, MLP_INIT_XAVIER_NORMAL, 0.0, &r);
    weight_stats(m, 0, &mean, &var, &mx);
    assert_true(fabs(mean) < 0.01 * sqrt(2.0 / 400.0));
    assert_true(fabs(var / (2.0 / 400.0) - 1.0) < 0.03);
    assert_true(mx > 3.0 * sqrt(2.0 / 400.0));
    assert_true(m->params[m->b_off[0]] == 0.0 && m->params[m->b_off[2]] == 0.0);

    mlp_rng_init(&r, 2, 0, MLP_STREAM_INIT);
    mlp_model_init(m, MLP_INIT_HE_UNIFORM, 0.0, &r);
    weight_stats(m, 0, &mean, &var, &mx);
    assert_true(mx <= sqrt(6.0 / 100.0) && mx > 0.99 * sqrt(6.0 / 100.0));
    assert_true(fabs(var / (6.0 / 100.0 / 3.0) - 1.0) < 0.03);
    weight_stats(m, 1, &mean, &var, &mx);
    assert_true(mx <= sqrt(6.0 / 300.0));
    assert_true(m->params[m->b_off[1]] == 0.0);

    mlp_rng_init(&r, 3, 0, MLP_STREAM_INIT);
    mlp_model_init(m, MLP_INIT_SKLEARN, 0.0, &r);
    const double bound[3] = {sqrt(6.0 / 400.0), sqrt(2.0 / 500.0), sqrt(2.0 / 201.0)};
    for (size_t l = 0; l < 3; l++) {
        weight_stats(m, l, &mean, &var, &mx);
        assert_true(mx <= bound[l] && mx > 0.95 * bound[l]);
        if (l < 2)
            assert_true(fabs(var / (bound[l] * bound[l] / 3.0) - 1.0) < 0.05);
        double bmax = 0;
        for (i = 0; i < m->width[l + 1]; i++)
            bmax = fmax(bmax, fabs(m->params[m->b_off[l] + i]));
        assert_true(bmax <= bound[l] && bmax > 0.0);
    }
    mlp_model_free(m);

    /* one activation (tanh) everywhere: f = 6 on every layer; first draw is W[0] */
    assert_int_equal(mlp_model_create(100, h, 2, 1, &act_tanh, NULL, &m, &err), MLP_OK);
    mlp_rng_init(&r, 4, 0, MLP_STREAM_INIT);
    mlp_model_init(m, MLP_INIT_SKLEARN, 0.0, &r);
    weight_stats(m, 2, &mean, &var, &mx);
    assert_true(mx <= sqrt(6.0 / 201.0) && mx > sqrt(2.0 / 201.0));
    mlp_rng_init(&r, 4, 0, MLP_STREAM_INIT);
    assert_true(m->params[0] == sqrt(6.0 / 400.0) * (2.0 * mlp_rng_uniform(&r) - 1.0));
    mlp_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_layout_offsets),
        cmocka_unit_test(test_model_create_errors),
        cmocka_unit_test(test_model_init_xavier),
        cmocka_unit_test(test_model_init_he),
        cmocka_unit_test(test_model_init_uniform),
        cmocka_unit_test(test_model_forward_by_hand),
        cmocka_unit_test(test_model_forward_wide_layer),
        cmocka_unit_test(test_model_gradient_depth1),
        cmocka_unit_test(test_model_gradient_depth2),
        cmocka_unit_test(test_model_gradient_depth3),
        cmocka_unit_test(test_model_gradient_per_parameter),
        cmocka_unit_test(test_model_backward_deterministic),
        cmocka_unit_test(test_model_loss_grad_fused),
        cmocka_unit_test(test_model_per_layer_activations),
        cmocka_unit_test(test_model_init_more_schemes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
