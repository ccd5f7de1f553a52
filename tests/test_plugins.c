/* test_plugins.c -- the shipped plugins, loaded from the build tree through
 * the registry: central-difference gradient checks of every activation and
 * loss, exact values at fixed points, in-place use, numerical extremes, and
 * the datasets' shapes, labels, geometry and determinism. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "registry.h"
#include "rng.h"

#define H 1e-6     /* central-difference step */
#define TOL 1e-6   /* relative and absolute tolerance of the checks */
#define MAXP 4     /* parameters any shipped plugin declares, at most */

static mlp_registry *reg;

static int setup(void **state)
{
    const char *dirs[] = {MLPLAB_TEST_PLUGIN_DIR};
    mlp_error err = {0};

    (void)state;
    unsetenv("MLPLAB_PLUGIN_PATH");
    if (mlp_registry_create(dirs, 1, &reg, &err) != MLP_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mlp_registry_free(reg);
    return 0;
}

/* The plugin `name` of `kind` with its default parameters in vals. */
static const mlp_plugin *plugin(mlp_plugin_kind kind, const char *name, mlp_param_value *vals)
{
    const mlp_plugin *pl = NULL;
    mlp_error err = {0};

    if (mlp_registry_get(reg, kind, name, &pl, &err) != MLP_OK)
        fail_msg("%s", err.msg);
    assert_true(pl->h->n_params <= MAXP);
    /* loaded from the build tree, not from anywhere else */
    assert_non_null(strstr(pl->path, MLPLAB_TEST_PLUGIN_DIR));
    mlp_plugin_param_defaults(pl, vals);
    return pl;
}

static void set_param(const mlp_plugin *pl, mlp_param_value *vals, const char *key, double v)
{
    int i = mlp_plugin_param_index(pl, key);

    if (i < 0)
        fail_msg("%s has no parameter %s", pl->name, key);
    vals[i].num = v;
}

static bool close_to(double got, double want, double tol)
{
    return fabs(got - want) <= tol + tol * fabs(want);
}

/* xorshift64*: test inputs only, independent of the rng module. */
static double test_uniform(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 0x2545F4914F6CDD1Dull) >> 11) * 0x1.0p-53;
}

/* ---- activations ------------------------------------------------------- */

/* One activation with parameter values, and where it has a kink. */
typedef struct act_case {
    const char *name;
    const char *key[2];
    double val[2];
} act_case;

static const act_case act_cases[] = {
    {"sigmoid", {NULL}, {0}},
    {"tanh", {NULL}, {0}},
    {"relu", {NULL}, {0}},
    {"identity", {NULL}, {0}},
    {"leaky_relu", {"slope"}, {0.01}},
    {"leaky_relu", {"slope"}, {0.3}},
    {"leaky_relu", {"slope"}, {1.0}},
    {"softplus", {"beta", "threshold"}, {1.0, 20.0}},
    {"softplus", {"beta", "threshold"}, {2.0, 20.0}},
    {"softplus", {"beta", "threshold"}, {0.5, 3.0}},  /* linear from z = 6 */
    {"softplus", {"beta", "threshold"}, {2.0, 1.0}},  /* linear from z = 0.5 */
};

/* Inputs for the checks: fixed points across scales, then random ones. */
#define N_FIXED 17
#define N_INPUTS (N_FIXED + 40)
static void make_inputs(double *z)
{
    static const double fixed[N_FIXED] = {0.0, 1e-3, -1e-3, 0.5, -0.5, 1.0, -1.0, 2.5, -2.5,
                                          5.0, -5.0, 12.0, -12.0, 30.0, -30.0, 0.1, -0.1};
    uint64_t s = 0x9e3779b97f4a7c15ull;

    memcpy(z, fixed, sizeof(fixed));
    for (int i = N_FIXED; i < N_INPUTS; i++)
        z[i] = 20.0 * test_uniform(&s) - 10.0;
}

/* Points where the derivative jumps: 0 for the rectifiers, beta z = threshold
 * for softplus.  The central difference is not checked within a few h. */
static bool near_kink(const char *name, const mlp_param_value *p, double z)
{
    if (!strcmp(name, "relu") || !strcmp(name, "leaky_relu"))
        return fabs(z) < 4 * H;
    if (!strcmp(name, "softplus"))
        return fabs(p[0].num * z - p[1].num) < 4 * H * p[0].num;
    return false;
}

static void check_activation_gradient(const act_case *c)
{
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_ACTIVATION, c->name, p);
    const mlp_activation_desc *d = pl->d.act;
    double z[N_INPUTS], zp[N_INPUTS], zm[N_INPUTS], a[N_INPUTS], ap[N_INPUTS], am[N_INPUTS];
    double da[N_INPUTS], dz[N_INPUTS];
    uint64_t s = 12345;

    for (int i = 0; i < 2 && c->key[i]; i++)
        set_param(pl, p, c->key[i], c->val[i]);
    make_inputs(z);
    for (int i = 0; i < N_INPUTS; i++) {
        zp[i] = z[i] + H;
        zm[i] = z[i] - H;
        da[i] = 0.5 + test_uniform(&s); /* a chain-rule factor, not just 1 */
    }
    d->forward(z, a, N_INPUTS, p);
    d->forward(zp, ap, N_INPUTS, p);
    d->forward(zm, am, N_INPUTS, p);
    d->backward(z, a, da, dz, N_INPUTS, p);
    for (int i = 0; i < N_INPUTS; i++) {
        double num = (ap[i] - am[i]) / (2 * H) * da[i];
        assert_true(isfinite(a[i]) && isfinite(dz[i]));
        if (near_kink(c->name, p, z[i]))
            continue;
        if (!close_to(dz[i], num, TOL))
            fail_msg("%s(%s=%g): at z = %.17g analytic %.17g, numeric %.17g", c->name,
                     c->key[0] ? c->key[0] : "-", c->val[0], z[i], dz[i], num);
    }
}

static void test_plugins_activation_gradients(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(act_cases) / sizeof(act_cases[0]); i++)
        check_activation_gradient(&act_cases[i]);
}

/* f(z) and f'(z) at single points. */
static double act_f(const mlp_plugin *pl, const mlp_param_value *p, double z)
{
    double a;

    pl->d.act->forward(&z, &a, 1, p);
    return a;
}

static double act_df(const mlp_plugin *pl, const mlp_param_value *p, double z)
{
    double a, da = 1.0, dz;

    pl->d.act->forward(&z, &a, 1, p);
    pl->d.act->backward(&z, &a, &da, &dz, 1, p);
    return dz;
}

static void test_plugins_activation_values(void **state)
{
    mlp_param_value p[MAXP];
    const mlp_plugin *pl;

    (void)state;
    pl = plugin(MLP_KIND_ACTIVATION, "sigmoid", p);
    assert_true(act_f(pl, p, 0.0) == 0.5);
    assert_true(act_df(pl, p, 0.0) == 0.25);
    assert_true(close_to(act_f(pl, p, 2.0), 1.0 / (1.0 + exp(-2.0)), 1e-15));
    assert_true(close_to(act_f(pl, p, -30.0), exp(-30.0) / (1.0 + exp(-30.0)), 1e-14));
    assert_true(act_f(pl, p, 800.0) == 1.0);
    assert_true(act_f(pl, p, -800.0) == 0.0);
    assert_true(act_f(pl, p, -1e308) == 0.0 && act_f(pl, p, 1e308) == 1.0);
    assert_true(act_df(pl, p, 800.0) == 0.0 && act_df(pl, p, -800.0) == 0.0);

    pl = plugin(MLP_KIND_ACTIVATION, "tanh", p);
    assert_true(close_to(act_f(pl, p, 1.0), 0.76159415595576489, 1e-15));
    assert_true(act_f(pl, p, 0.0) == 0.0 && act_df(pl, p, 0.0) == 1.0);
    assert_true(close_to(act_df(pl, p, 1.0), 0.41997434161402614, 1e-14));
    assert_true(act_f(pl, p, 800.0) == 1.0 && act_df(pl, p, 800.0) == 0.0);

    pl = plugin(MLP_KIND_ACTIVATION, "relu", p);
    assert_true(act_f(pl, p, -2.0) == 0.0 && act_f(pl, p, 3.0) == 3.0);
    assert_true(act_f(pl, p, 0.0) == 0.0);
    assert_true(act_df(pl, p, 0.0) == 0.0); /* PyTorch: no gradient at 0 */
    assert_true(act_df(pl, p, -2.0) == 0.0 && act_df(pl, p, 3.0) == 1.0);
    assert_true(isnan(act_f(pl, p, NAN))); /* divergence stays visible */

    pl = plugin(MLP_KIND_ACTIVATION, "leaky_relu", p);
    assert_true(p[0].num == 0.01);
    assert_true(act_f(pl, p, -2.0) == -0.02 && act_f(pl, p, 3.0) == 3.0);
    assert_true(act_df(pl, p, 0.0) == 0.01); /* PyTorch: the slope at 0 */
    assert_true(act_df(pl, p, -1.0) == 0.01 && act_df(pl, p, 1.0) == 1.0);
    set_param(pl, p, "slope", 0.3);
    assert_true(act_f(pl, p, -2.0) == -0.6 && act_df(pl, p, -2.0) == 0.3);

    pl = plugin(MLP_KIND_ACTIVATION, "softplus", p);
    assert_true(p[0].num == 1.0 && p[1].num == 20.0);
    assert_true(close_to(act_f(pl, p, 0.0), log(2.0), 1e-16));
    assert_true(act_df(pl, p, 0.0) == 0.5);
    assert_true(close_to(act_f(pl, p, 1.0), log1p(exp(1.0)), 1e-15));
    assert_true(close_to(act_f(pl, p, -5.0), log1p(exp(-5.0)), 1e-15));
    assert_true(act_f(pl, p, 20.5) == 20.5 && act_df(pl, p, 20.5) == 1.0); /* linear part */
    assert_true(close_to(act_f(pl, p, 19.5), log1p(exp(19.5)), 1e-15));
    assert_true(act_f(pl, p, -800.0) == 0.0);
    set_param(pl, p, "beta", 2.0);
    assert_true(close_to(act_f(pl, p, 0.0), log(2.0) / 2.0, 1e-16));
    assert_true(close_to(act_f(pl, p, 1.5), log1p(exp(3.0)) / 2.0, 1e-15));
    assert_true(close_to(act_df(pl, p, 1.5), 1.0 / (1.0 + exp(-3.0)), 1e-15));
    assert_true(act_f(pl, p, 10.5) == 10.5); /* beta z = 21 > 20 */
    set_param(pl, p, "threshold", 1000.0); /* no overflow even where not linear */
    assert_true(close_to(act_f(pl, p, 400.0), 400.0, 1e-15));
    assert_true(act_df(pl, p, 400.0) == 1.0);

    pl = plugin(MLP_KIND_ACTIVATION, "identity", p);
    assert_true(act_f(pl, p, -3.25) == -3.25 && act_df(pl, p, 7.0) == 1.0);
}

/* In-place calls, where the plugin declares them, give the same bytes. */
static void test_plugins_activation_inplace(void **state)
{
    const char *names[] = {"sigmoid", "tanh", "relu", "leaky_relu", "softplus", "identity"};

    (void)state;
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        mlp_param_value p[MAXP];
        const mlp_plugin *pl = plugin(MLP_KIND_ACTIVATION, names[k], p);
        const mlp_activation_desc *d = pl->d.act;
        double z[N_INPUTS], a[N_INPUTS], buf[N_INPUTS], da[N_INPUTS], dz[N_INPUTS];
        uint64_t s = 99;

        make_inputs(z);
        for (int i = 0; i < N_INPUTS; i++)
            da[i] = test_uniform(&s) - 0.5;
        d->forward(z, a, N_INPUTS, p);
        d->backward(z, a, da, dz, N_INPUTS, p);
        if (d->flags & MLP_ACT_FORWARD_INPLACE) {
            memcpy(buf, z, sizeof(z));
            d->forward(buf, buf, N_INPUTS, p);
            assert_memory_equal(buf, a, sizeof(a));
        }
        if (d->flags & MLP_ACT_BACKWARD_INPLACE) {
            memcpy(buf, da, sizeof(da));
            d->backward(z, a, buf, buf, N_INPUTS, p);
            assert_memory_equal(buf, dz, sizeof(dz));
        }
        /* every shipped activation declares both */
        assert_int_equal(d->flags, MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE);
    }
}

/* ---- losses ------------------------------------------------------------ */

/* dloss/dz_i by central differences, against dlogits. */
static void check_loss_gradient(const mlp_plugin *pl, const mlp_param_value *p, const double *z0,
                                const double *y, size_t n)
{
    double z[64], dz[64], zz[64];

    assert_true(n <= 64);
    memcpy(z, z0, n * sizeof(*z));
    pl->d.loss->loss(z, y, dz, n, 1, p);
    for (size_t i = 0; i < n; i++) {
        double lp, lm, num;
        memcpy(zz, z, n * sizeof(*z));
        zz[i] = z[i] + H;
        lp = pl->d.loss->loss(zz, y, NULL, n, 1, p);
        zz[i] = z[i] - H;
        lm = pl->d.loss->loss(zz, y, NULL, n, 1, p);
        num = (lp - lm) / (2 * H);
        if (!close_to(dz[i], num, TOL))
            fail_msg("%s (reduction %g): at z = %.17g, y = %g analytic %.17g, numeric %.17g",
                     pl->name, p[0].num, z[i], y[i], dz[i], num);
    }
}

static void test_plugins_loss_gradients(void **state)
{
    const char *names[] = {"bce", "mse"};
    double z[N_INPUTS], y[N_INPUTS];

    (void)state;
    make_inputs(z);
    for (int i = 0; i < N_INPUTS; i++)
        y[i] = (double)((i * 7 / 3) % 2);
    for (size_t k = 0; k < 2; k++) {
        mlp_param_value p[MAXP];
        const mlp_plugin *pl = plugin(MLP_KIND_LOSS, names[k], p);
        assert_true(p[0].num == 0.0); /* mean by default */
        check_loss_gradient(pl, p, z, y, N_INPUTS);
        check_loss_gradient(pl, p, z, y, 3);
        set_param(pl, p, "reduction", 1.0); /* sum */
        check_loss_gradient(pl, p, z, y, N_INPUTS);
        check_loss_gradient(pl, p, z + 5, y + 5, 1);
    }
}

/* Cross-entropy the textbook way, for moderate logits. */
static double bce_reference(double z, double y)
{
    double s = 1.0 / (1.0 + exp(-z));
    return -(y * log(s) + (1.0 - y) * log(1.0 - s));
}

static void test_plugins_bce_values(void **state)
{
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_LOSS, "bce", p);
    const mlp_loss_desc *d = pl->d.loss;
    const double zs[] = {-4.0, -1.0, -1e-3, 0.0, 0.5, 3.0};
    double z[6], y[6], dz[6], prob[6], want = 0.0;

    (void)state;
    assert_int_equal(d->flags & MLP_LOSS_MULTICLASS, 0);
    for (int i = 0; i < 6; i++) {
        z[i] = zs[i];
        y[i] = i % 2;
        want += bce_reference(z[i], y[i]);
    }
    assert_true(close_to(d->loss(z, y, dz, 6, 1, p), want / 6, 1e-14));
    for (int i = 0; i < 6; i++)
        assert_true(close_to(dz[i], (1.0 / (1.0 + exp(-z[i])) - y[i]) / 6, 1e-14));
    set_param(pl, p, "reduction", 1.0);
    assert_true(close_to(d->loss(z, y, dz, 6, 1, p), want, 1e-14));
    assert_true(close_to(dz[0], 1.0 / (1.0 + exp(4.0)), 1e-14));
    d->predict(z, prob, 6, 1, p);
    for (int i = 0; i < 6; i++)
        assert_true(close_to(prob[i], 1.0 / (1.0 + exp(-z[i])), 1e-15));
    set_param(pl, p, "reduction", 0.0);

    /* log 2 per sample at z = 0, whatever the label */
    z[0] = 0.0, y[0] = 1.0;
    assert_true(close_to(d->loss(z, y, NULL, 1, 1, p), log(2.0), 1e-16));
}

static void test_plugins_bce_extreme_logits(void **state)
{
    static const double big[] = {800.0, 1e300, 1e308};
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_LOSS, "bce", p);
    const mlp_loss_desc *d = pl->d.loss;

    (void)state;
    for (int b = 0; b < 3; b++) {
        for (int sign = -1; sign <= 1; sign += 2) {
            for (int label = 0; label <= 1; label++) {
                double z = sign * big[b], y = label, dz, prob;
                double l = d->loss(&z, &y, &dz, 1, 1, p);
                /* right: 0 when confidently right, |z| when confidently wrong */
                double want = (sign > 0) == (label == 1) ? 0.0 : big[b];
                assert_true(isfinite(l) && isfinite(dz));
                if (!close_to(l, want, 1e-15))
                    fail_msg("bce(%g, %d) = %g, want %g", z, label, l, want);
                assert_true(dz == (sign > 0 ? 1.0 : 0.0) - y);
                d->predict(&z, &prob, 1, 1, p);
                assert_true(prob == (sign > 0 ? 1.0 : 0.0));
            }
        }
    }
}

static void test_plugins_mse_values(void **state)
{
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_LOSS, "mse", p);
    const mlp_loss_desc *d = pl->d.loss;
    double z[4] = {1.0, 2.0, -0.5, 0.25}, y[4] = {0.0, 1.0, 1.0, 0.0}, dz[4], prob[4];

    (void)state;
    /* (1 + 1 + 2.25 + 0.0625) / 4, no factor 1/2 */
    assert_true(close_to(d->loss(z, y, dz, 4, 1, p), 4.3125 / 4, 1e-15));
    assert_true(dz[0] == 0.5 && dz[1] == 0.5 && dz[2] == -0.75 && dz[3] == 0.125);
    set_param(pl, p, "reduction", 1.0);
    assert_true(close_to(d->loss(z, y, dz, 4, 1, p), 4.3125, 1e-15));
    assert_true(dz[0] == 2.0 && dz[2] == -3.0);
    d->predict(z, prob, 4, 1, p);
    assert_memory_equal(prob, z, sizeof(z));
    set_param(pl, p, "reduction", 0.0);
    /* k outputs per sample compare with that sample's label */
    assert_true(close_to(d->loss(z, y, NULL, 2, 2, p), (1.0 + 4.0 + 2.25 + 0.5625) / 4, 1e-15));
}

/* ---- datasets ---------------------------------------------------------- */

static void generate(const mlp_plugin *pl, const mlp_param_value *p, uint64_t seed, size_t n,
                     double *x, double *y)
{
    mlp_rng r;
    mlp_rng_api api;
    const char *why = NULL;

    mlp_rng_init(&r, seed, 0, MLP_STREAM_TRAIN);
    mlp_rng_api_bind(&r, &api);
    if (pl->d.data->generate(&api, n, x, y, p, &why) != 0)
        fail_msg("%s: generate failed: %s", pl->name, why ? why : "?");
}

#define NPTS 301

static void test_plugins_circles_geometry(void **state)
{
    static double x[2 * NPTS], y[NPTS], xs[2 * NPTS], ys[NPTS];
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_DATASET, "circles", p);
    size_t ones = 0;
    const size_t n_out = NPTS / 2;

    (void)state;
    assert_int_equal(pl->d.data->dim, 2);
    assert_int_equal(pl->d.data->classes, 2);
    assert_true(pl->d.data->extent[0] == -1.5 && pl->d.data->extent[3] == 1.5);
    assert_true(p[mlp_plugin_param_index(pl, "factor")].num == 0.8);
    assert_true(p[mlp_plugin_param_index(pl, "noise")].num == 0.0);
    assert_true(p[mlp_plugin_param_index(pl, "shuffle")].num == 1.0);

    /* unshuffled: n/2 outer points first (label 0), then the inner ones */
    set_param(pl, p, "shuffle", 0.0);
    generate(pl, p, 1, NPTS, x, y);
    for (size_t i = 0; i < NPTS; i++) {
        double r = hypot(x[2 * i], x[2 * i + 1]);
        assert_true(y[i] == (i < n_out ? 0.0 : 1.0));
        assert_true(fabs(r - (i < n_out ? 1.0 : 0.8)) < 1e-14);
    }
    assert_true(x[0] == 1.0 && x[1] == 0.0);
    assert_true(x[2 * n_out] == 0.8 && x[2 * n_out + 1] == 0.0);
    /* evenly spaced: point i of the outer circle at angle 2 pi i / n_out */
    assert_true(fabs(atan2(x[2 * 7 + 1], x[2 * 7]) - 2 * 3.141592653589793 * 7 / n_out) < 1e-14);

    /* shuffled: the same points, reordered */
    set_param(pl, p, "shuffle", 1.0);
    set_param(pl, p, "factor", 0.3);
    generate(pl, p, 1, NPTS, xs, ys);
    for (size_t i = 0; i < NPTS; i++) {
        double r = hypot(xs[2 * i], xs[2 * i + 1]);
        assert_true(ys[i] == 0.0 || ys[i] == 1.0);
        ones += ys[i] == 1.0;
        assert_true(fabs(r - (ys[i] == 1.0 ? 0.3 : 1.0)) < 1e-14);
    }
    assert_int_equal(ones, NPTS - n_out);
    assert_memory_not_equal(ys, y, sizeof(y));

    /* noise moves points off the circles */
    set_param(pl, p, "noise", 0.1);
    generate(pl, p, 1, NPTS, xs, ys);
    {
        double worst = 0.0;
        for (size_t i = 0; i < NPTS; i++) {
            double off = fabs(hypot(xs[2 * i], xs[2 * i + 1]) - (ys[i] == 1.0 ? 0.3 : 1.0));
            worst = off > worst ? off : worst;
            assert_true(isfinite(xs[2 * i]) && isfinite(xs[2 * i + 1]));
        }
        assert_true(worst > 0.05 && worst < 1.0);
    }

    /* tiny sizes: n = 1 is one inner point */
    set_param(pl, p, "noise", 0.0);
    set_param(pl, p, "factor", 0.8);
    generate(pl, p, 1, 1, x, y);
    assert_true(y[0] == 1.0 && x[0] == 0.8 && x[1] == 0.0);
    generate(pl, p, 1, 0, x, y);
}

static void check_determinism(const char *name, const char *noise_key, double noise)
{
    static double a[2 * NPTS], ya[NPTS], b[2 * NPTS], yb[NPTS];
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_DATASET, name, p);

    set_param(pl, p, noise_key, noise);
    generate(pl, p, 42, NPTS, a, ya);
    generate(pl, p, 42, NPTS, b, yb);
    assert_memory_equal(a, b, sizeof(a));
    assert_memory_equal(ya, yb, sizeof(ya));
    generate(pl, p, 43, NPTS, b, yb);
    assert_memory_not_equal(a, b, sizeof(a));
}

static void test_plugins_dataset_determinism(void **state)
{
    (void)state;
    check_determinism("circles", "noise", 0.1);
    check_determinism("circles", "noise", 0.0);
    check_determinism("xor", "noise", 0.0);
    check_determinism("xor", "noise", 0.3);
}

static void test_plugins_xor_quadrants(void **state)
{
    static double x[2 * NPTS], y[NPTS], xn[2 * NPTS], yn[NPTS];
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_DATASET, "xor", p);
    size_t ones = 0, flipped = 0;

    (void)state;
    assert_int_equal(pl->d.data->dim, 2);
    assert_int_equal(pl->d.data->classes, 2);
    assert_true(pl->d.data->extent[0] == -6.0 && pl->d.data->extent[1] == 6.0);
    assert_true(p[0].num == 0.0);
    generate(pl, p, 7, NPTS, x, y);
    for (size_t i = 0; i < NPTS; i++) {
        double px = x[2 * i], py = x[2 * i + 1];
        /* pushed 0.3 away from the axes, within [-5.3, 5.3] */
        assert_true(fabs(px) >= 0.3 && fabs(px) <= 5.3);
        assert_true(fabs(py) >= 0.3 && fabs(py) <= 5.3);
        assert_true(y[i] == (px * py >= 0.0 ? 1.0 : 0.0));
        ones += y[i] == 1.0;
    }
    assert_true(ones > NPTS / 4 && ones < 3 * NPTS / 4);

    /* label noise: the same points, some labels flipped near the axes */
    set_param(pl, p, "noise", 0.5);
    generate(pl, p, 7, NPTS, xn, yn);
    assert_memory_equal(xn, x, sizeof(x));
    for (size_t i = 0; i < NPTS; i++)
        flipped += yn[i] != y[i];
    assert_true(flipped > 0 && flipped < NPTS / 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plugins_activation_gradients),
        cmocka_unit_test(test_plugins_activation_values),
        cmocka_unit_test(test_plugins_activation_inplace),
        cmocka_unit_test(test_plugins_loss_gradients),
        cmocka_unit_test(test_plugins_bce_values),
        cmocka_unit_test(test_plugins_bce_extreme_logits),
        cmocka_unit_test(test_plugins_mse_values),
        cmocka_unit_test(test_plugins_circles_geometry),
        cmocka_unit_test(test_plugins_dataset_determinism),
        cmocka_unit_test(test_plugins_xor_quadrants),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
