/* test_probe.c -- accuracy, the decision grid (coordinates, layout, class
 * axis), its argmax map and hidden-layer outputs, on models whose answers
 * are known by construction. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "train/probe.h"

static void tanh_fwd(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = tanh(z[i]);
}

static void tanh_bwd(const double *z, const double *a, const double *da, double *dz, size_t n,
                     const mlp_param_value *p)
{
    (void)z;
    (void)p;
    for (size_t i = 0; i < n; i++)
        dz[i] = da[i] * (1.0 - a[i] * a[i]);
}

static const mlp_activation_desc act_tanh = {
    .h = {sizeof(mlp_activation_desc), MLP_ABI_MAJOR, MLP_ABI_MINOR, MLP_KIND_ACTIVATION, "tanh",
          "test", "", 0, NULL},
    .forward = tanh_fwd,
    .backward = tanh_bwd};

/* The losses' only use here is predict: sigmoid for one output, the logits
 * themselves (argmax) for several. */
static double no_loss(const double *z, const double *y, double *dz, size_t n, size_t k,
                      const mlp_param_value *p)
{
    (void)z, (void)y, (void)dz, (void)n, (void)k, (void)p;
    return 0.0;
}

static void sigmoid_predict(const double *z, double *prob, size_t n, size_t k,
                            const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n * k; i++)
        prob[i] = 1.0 / (1.0 + exp(-z[i]));
}

static void identity_predict(const double *z, double *prob, size_t n, size_t k,
                             const mlp_param_value *p)
{
    (void)p;
    memcpy(prob, z, n * k * sizeof(double));
}

static const mlp_loss_desc sig_desc = {
    .h = {sizeof(mlp_loss_desc), MLP_ABI_MAJOR, MLP_ABI_MINOR, MLP_KIND_LOSS, "bce", "test", "",
          0, NULL},
    .loss = no_loss,
    .predict = sigmoid_predict};
static const mlp_loss_desc id_desc = {
    .h = {sizeof(mlp_loss_desc), MLP_ABI_MAJOR, MLP_ABI_MINOR, MLP_KIND_LOSS, "id", "test", "", 0,
          NULL},
    .flags = MLP_LOSS_MULTICLASS,
    .loss = no_loss,
    .predict = identity_predict};
static mlp_plugin sig_plugin = {.kind = MLP_KIND_LOSS, .h = &sig_desc.h, .d.loss = &sig_desc};
static mlp_plugin id_plugin = {.kind = MLP_KIND_LOSS, .h = &id_desc.h, .d.loss = &id_desc};

static mlp_model *linear_model(size_t in, size_t out, const double *w, const double *b)
{
    mlp_model *m = NULL;
    mlp_error err;
    assert_int_equal(mlp_model_create(in, NULL, 0, out, NULL, NULL, &m, &err), MLP_OK);
    memcpy(m->params, w, in * out * sizeof(double));
    memcpy(m->params + m->b_off[0], b, out * sizeof(double));
    return m;
}

/* 2500 points (several chunks): class 1 where x0 >= 0.2 under the model,
 * labels right for a known subset. */
static void test_probe_accuracy_binary(void **state)
{
    const double w[2] = {1.0, 0.0}, b[1] = {-0.2};
    mlp_model *m = linear_model(2, 1, w, b);
    mlp_plugin_use use = {.plugin = &sig_plugin, .params = NULL};
    const size_t n = 2500;
    mlp_data d = {.n = n, .dim = 2, .classes = 2};
    mlp_error err;
    double acc = -1;
    size_t i, right = 0;

    (void)state;
    d.x = malloc(2 * n * sizeof(double));
    d.y = malloc(n * sizeof(double));
    for (i = 0; i < n; i++) {
        d.x[2 * i] = -1.0 + 2.0 * (double)i / (double)n;
        d.x[2 * i + 1] = 5.0;
        d.y[i] = (i % 3 == 0) ? 1.0 : 0.0;
        right += (1.0 / (1.0 + exp(-(-0.2 + d.x[2 * i]))) >= 0.5) == (d.y[i] == 1.0);
    }
    assert_int_equal(mlp_probe_accuracy(m, &use, &d, &acc, &err), MLP_OK);
    assert_true(acc == (double)right / (double)n);
    assert_true(acc > 0.3 && acc < 0.7);
    /* all right */
    for (i = 0; i < n; i++)
        d.y[i] = 1.0 / (1.0 + exp(-(-0.2 + d.x[2 * i]))) >= 0.5;
    assert_int_equal(mlp_probe_accuracy(m, &use, &d, &acc, &err), MLP_OK);
    assert_true(acc == 1.0);
    /* empty: NaN; wrong dimension: error */
    d.n = 0;
    assert_int_equal(mlp_probe_accuracy(m, &use, &d, &acc, &err), MLP_OK);
    assert_true(isnan(acc));
    d.n = n;
    d.dim = 3;
    assert_int_equal(mlp_probe_accuracy(m, &use, &d, &acc, &err), MLP_ERR_RUNTIME);
    free(d.x);
    free(d.y);
    mlp_model_free(m);
}

/* Three classes, argmax of (x0, x1, 0.5). */
static void test_probe_accuracy_multiclass(void **state)
{
    const double w[6] = {1, 0, 0, 1, 0, 0}, b[3] = {0, 0, 0.5};
    mlp_model *m = linear_model(2, 3, w, b);
    mlp_plugin_use use = {.plugin = &id_plugin, .params = NULL};
    double x[8] = {1, 0, 0, 1, 0, 0, 0.7, 0.9};
    double y[4] = {0, 1, 2, 0}; /* the last is wrong: argmax is class 1 */
    mlp_data d = {.n = 4, .dim = 2, .classes = 3, .x = x, .y = y};
    mlp_error err;
    double acc;

    (void)state;
    assert_int_equal(mlp_probe_accuracy(m, &use, &d, &acc, &err), MLP_OK);
    assert_true(acc == 0.75);
    mlp_model_free(m);
}

/* The argmax map: threshold 0.5 (inclusive) for one output, the first
 * largest for several, -1 where a probability is NaN. */
static void test_probe_argmax(void **state)
{
    const double p1[6] = {0.5, 0.49999999999999994, 1.0, 0.0, NAN, 0.75};
    const double p3[15] = {0.2, 0.3, 0.5, /* 2 */ 0.4, 0.4, 0.2, /* tie: 0 */
                           0.1, 0.45, 0.45, /* tie: 1 */ 0.6, NAN, 0.1, /* -1 */
                           1.0, 0.0, 0.0};
    int64_t cls[6];

    (void)state;
    mlp_probe_argmax(p1, 6, 1, cls);
    assert_true(cls[0] == 1 && cls[1] == 0 && cls[2] == 1 && cls[3] == 0 && cls[4] == -1 &&
                cls[5] == 1);
    mlp_probe_argmax(p3, 5, 3, cls);
    assert_true(cls[0] == 2 && cls[1] == 0 && cls[2] == 1 && cls[3] == -1 && cls[4] == 0);
    mlp_probe_argmax(p3, 0, 3, cls); /* nothing to do */
}

/* A model whose outputs are NaN (as after divergence) classifies nothing
 * right, whatever the labels: no class, not class 0. */
static void test_probe_accuracy_nan_is_wrong(void **state)
{
    const double w[6] = {NAN, 0, 0, 0, 0, 0}, b[3] = {0, 0, 0}, w1[2] = {NAN, 0}, b1[1] = {0};
    mlp_model *m = linear_model(2, 3, w, b), *m1 = linear_model(2, 1, w1, b1);
    mlp_plugin_use use = {.plugin = &id_plugin, .params = NULL};
    mlp_plugin_use sig = {.plugin = &sig_plugin, .params = NULL};
    double x[4] = {1, 0, 2, 0}, y[2] = {0, 0};
    mlp_data d = {.n = 2, .dim = 2, .classes = 3, .x = x, .y = y};
    mlp_error err;
    double acc = -1;

    (void)state;
    assert_int_equal(mlp_probe_accuracy(m, &use, &d, &acc, &err), MLP_OK);
    assert_true(acc == 0.0);
    d.classes = 2;
    assert_int_equal(mlp_probe_accuracy(m1, &sig, &d, &acc, &err), MLP_OK);
    assert_true(acc == 0.0);
    mlp_model_free(m);
    mlp_model_free(m1);
}

static void test_probe_grid_axis(void **state)
{
    double g[5];

    (void)state;
    mlp_probe_grid_axis(-1.5, 1.5, 5, g);
    assert_true(g[0] == -1.5 && g[1] == -0.75 && g[2] == 0.0 && g[3] == 0.75 && g[4] == 1.5);
    mlp_probe_grid_axis(2.0, 3.0, 1, g);
    assert_true(g[0] == 2.0);
}

/* prob (res, res, k) indexed [iy][ix][c]: with logits (x, y) the grid gives
 * back its own coordinates; 45 x 45 spans several chunks. */
static void test_probe_boundary_layout(void **state)
{
    const double w[4] = {1, 0, 0, 1}, b[2] = {0, 0};
    const double ext[4] = {-1.0, 3.0, -2.0, 0.5};
    mlp_model *m = linear_model(2, 2, w, b);
    mlp_plugin_use use = {.plugin = &id_plugin, .params = NULL};
    const size_t res = 45;
    double *prob = malloc(res * res * 2 * sizeof(double)), gx[45], gy[45];
    mlp_error err;
    size_t ix, iy;

    (void)state;
    assert_int_equal(mlp_probe_boundary(m, &use, res, ext, prob, &err), MLP_OK);
    mlp_probe_grid_axis(ext[0], ext[1], res, gx);
    mlp_probe_grid_axis(ext[2], ext[3], res, gy);
    assert_true(gx[0] == -1.0 && gx[44] == 3.0 && gy[0] == -2.0 && gy[44] == 0.5);
    for (iy = 0; iy < res; iy++)
        for (ix = 0; ix < res; ix++) {
            assert_true(prob[(iy * res + ix) * 2 + 0] == gx[ix]);
            assert_true(prob[(iy * res + ix) * 2 + 1] == gy[iy]);
            assert_true(gx[ix] == ext[0] + (double)ix * (ext[1] - ext[0]) / 44.0);
        }
    free(prob);
    mlp_model_free(m);
}

/* Three outputs: the class axis innermost, [iy][ix][c], and the argmax map
 * of those probabilities [iy][ix]; logits (x, y, 0.25). */
static void test_probe_boundary_three_classes(void **state)
{
    const double w[6] = {1, 0, 0, 1, 0, 0}, b[3] = {0, 0, 0.25};
    const double ext[4] = {-1.0, 1.0, -1.0, 1.0};
    mlp_model *m = linear_model(2, 3, w, b);
    mlp_plugin_use use = {.plugin = &id_plugin, .params = NULL};
    double prob[5 * 5 * 3], g[5];
    int64_t cls[25];
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_probe_boundary(m, &use, 5, ext, prob, &err), MLP_OK);
    mlp_probe_argmax(prob, 25, 3, cls);
    mlp_probe_grid_axis(-1.0, 1.0, 5, g);
    for (size_t iy = 0; iy < 5; iy++)
        for (size_t ix = 0; ix < 5; ix++) {
            const double *p = prob + (iy * 5 + ix) * 3;
            int64_t want = g[iy] > g[ix] ? 1 : 0;
            if ((want ? g[iy] : g[ix]) < 0.25)
                want = 2;
            assert_true(p[0] == g[ix] && p[1] == g[iy] && p[2] == 0.25);
            assert_true(cls[iy * 5 + ix] == want);
        }
    assert_true(cls[0] == 2 && cls[4] == 0 && cls[20] == 1 && cls[24] == 0);
    mlp_model_free(m);
}

/* One output: P(y = 1) from the loss's link; the boundary x0 = 0 falls in
 * the middle column of an odd grid. */
static void test_probe_boundary_binary(void **state)
{
    const double w[2] = {4.0, 0.0}, b[1] = {0.0};
    const double ext[4] = {-1, 1, -1, 1};
    mlp_model *m = linear_model(2, 1, w, b);
    mlp_plugin_use use = {.plugin = &sig_plugin, .params = NULL};
    double prob[9];
    mlp_model *m3 = NULL;
    mlp_error err;
    size_t iy;

    (void)state;
    assert_int_equal(mlp_probe_boundary(m, &use, 3, ext, prob, &err), MLP_OK);
    for (iy = 0; iy < 3; iy++) {
        assert_true(prob[iy * 3 + 1] == 0.5);
        assert_true(fabs(prob[iy * 3 + 0] - 1.0 / (1.0 + exp(4.0))) < 1e-15);
        assert_true(fabs(prob[iy * 3 + 2] - 1.0 / (1.0 + exp(-4.0))) < 1e-15);
    }
    assert_int_equal(mlp_probe_boundary(m, &use, 0, ext, prob, &err), MLP_ERR_RUNTIME);
    assert_int_equal(mlp_model_create(3, NULL, 0, 1, NULL, NULL, &m3, &err), MLP_OK);
    assert_int_equal(mlp_probe_boundary(m3, &use, 3, ext, prob, &err), MLP_ERR_RUNTIME);
    assert_non_null(strstr(err.msg, "2-D"));
    mlp_model_free(m3);
    mlp_model_free(m);
}

/* Hidden outputs: out[l] is (n, width) and equals a full forward pass;
 * 1500 points take two chunks. */
static void test_probe_hidden_shapes(void **state)
{
    const size_t h[2] = {3, 4};
    const size_t n = 1500;
    mlp_model *m = NULL;
    mlp_workspace *ws = NULL;
    mlp_error err;
    mlp_rng r;
    mlp_data d = {.n = n, .dim = 2, .classes = 2};
    double *out[2];
    size_t i;

    (void)state;
    assert_int_equal(mlp_model_create(2, h, 2, 1, &act_tanh, NULL, &m, &err), MLP_OK);
    mlp_rng_init(&r, 1, 0, MLP_STREAM_INIT);
    mlp_model_init(m, MLP_INIT_XAVIER, 0, &r);
    d.x = malloc(2 * n * sizeof(double));
    d.y = calloc(n, sizeof(double));
    for (i = 0; i < 2 * n; i++)
        d.x[i] = 2.0 * mlp_rng_uniform(&r) - 1.0;
    out[0] = malloc(n * 3 * sizeof(double));
    out[1] = malloc(n * 4 * sizeof(double));
    assert_int_equal(mlp_probe_hidden(m, &d, out, &err), MLP_OK);
    assert_int_equal(mlp_workspace_create(m, n, &ws, &err), MLP_OK);
    mlp_model_forward(m, ws, d.x, n);
    assert_memory_equal(out[0], ws->a[0], n * 3 * sizeof(double));
    assert_memory_equal(out[1], ws->a[1], n * 4 * sizeof(double));
    for (i = 0; i < n * 4; i++)
        assert_true(fabs(out[1][i]) < 1.0);
    mlp_workspace_free(ws);
    free(out[0]);
    free(out[1]);
    free(d.x);
    free(d.y);
    mlp_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_accuracy_binary),
        cmocka_unit_test(test_probe_accuracy_multiclass),
        cmocka_unit_test(test_probe_argmax),
        cmocka_unit_test(test_probe_accuracy_nan_is_wrong),
        cmocka_unit_test(test_probe_grid_axis),
        cmocka_unit_test(test_probe_boundary_layout),
        cmocka_unit_test(test_probe_boundary_three_classes),
        cmocka_unit_test(test_probe_boundary_binary),
        cmocka_unit_test(test_probe_hidden_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
