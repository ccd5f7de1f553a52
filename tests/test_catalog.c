/* test_catalog.c -- the plugin catalog, loaded from the build tree through
 * the registry: every activation against PyTorch's float64 values and
 * derivatives (tests/reference/torch_activations.h), central-difference
 * gradient checks of the new activations and losses, in-place use and
 * numerical extremes, the hinge and huber losses against PyTorch, and the
 * datasets' shapes, labels, geometry and determinism, csv files included. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reference/torch_activations.h"

#define TOL 1e-6        /* relative and absolute tolerance of the difference checks */
#define TORCH_REL 1e-12 /* against PyTorch: relative ... */
#define TORCH_ABS 1e-15 /* ... plus absolute */
#define MAXP 8          /* parameters any catalog plugin declares, at most */
#define PLUGIN_TESTING_CHECK_NAME 1 /* and each descriptor names itself as asked */
#define DATA_DIR MLPLAB_TEST_SOURCE_DIR "/data/"

#include "plugin_testing.h"

/* ---- the catalog ------------------------------------------------------- */

static const char *const all_activations[] = {
    "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "identity", "elu", "selu", "celu",
    "gelu", "silu", "mish", "softsign", "hardtanh", "hardsigmoid", "hardswish", "relu6",
    "tanhshrink", "logsigmoid", "sin", "step"};
#define N_ACT (sizeof(all_activations) / sizeof(all_activations[0]))
static const char *const all_losses[] = {"bce", "mse", "hinge", "huber"};
static const char *const all_datasets[] = {"circles", "xor", "disc", "gauss", "spiral", "moons",
                                           "csv"};

static void count_refused(void *ctx, const mlp_error *why)
{
    (void)why;
    ++*(int *)ctx;
}

/* Every catalog plugin loads by name, and discovery finds each one. */
static void test_catalog_loads_every_plugin(void **state)
{
    const mlp_plugin *const *found;
    size_t n_found = 0;
    int refused = 0;
    mlp_param_value p[MAXP];
    mlp_error err = {0};

    (void)state;
    for (size_t i = 0; i < N_ACT; i++) {
        const mlp_plugin *pl = plugin(MLP_KIND_ACTIVATION, all_activations[i], p);
        const uint32_t both = MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE;
        assert_int_equal(pl->d.act->flags & ~both, 0);
    }
    for (size_t i = 0; i < 4; i++) {
        const mlp_plugin *pl = plugin(MLP_KIND_LOSS, all_losses[i], p);
        assert_int_equal(pl->d.loss->flags & MLP_LOSS_MULTICLASS, 0);
    }
    for (size_t i = 0; i < 7; i++)
        plugin(MLP_KIND_DATASET, all_datasets[i], p);

    assert_int_equal(mlp_registry_discover(reg, &found, &n_found, count_refused, &refused, &err),
                     MLP_OK);
    assert_int_equal(refused, 0);
    size_t acts = 0, losses = 0, datasets = 0;
    for (size_t i = 0; i < n_found; i++) {
        acts += found[i]->kind == MLP_KIND_ACTIVATION;
        losses += found[i]->kind == MLP_KIND_LOSS;
        datasets += found[i]->kind == MLP_KIND_DATASET;
    }
    assert_true(acts >= N_ACT && losses >= 4 && datasets >= 7);
}

/* ---- activations against PyTorch --------------------------------------- */

/* Parameters of a table row into vals (defaults first). */
static const mlp_plugin *row_plugin(const char *name, const char *const key[2],
                                    const double val[2], mlp_param_value *vals)
{
    const mlp_plugin *pl = plugin(MLP_KIND_ACTIVATION, name, vals);

    for (int k = 0; k < 2; k++)
        if (key[k] && key[k][0])
            set_param(pl, vals, key[k], val[k]);
    return pl;
}

/* Every row of the table, f and f', each activation covered; all mismatches
 * are printed before the test fails. */
static void test_catalog_activation_torch_table(void **state)
{
    const size_t rows = sizeof(torch_activations) / sizeof(torch_activations[0]);
    bool covered[N_ACT] = {false};
    int bad = 0;

    (void)state;
    for (size_t r = 0; r < rows; r++) {
        const torch_act_row *t = &torch_activations[r];
        mlp_param_value p[MAXP];
        const mlp_plugin *pl = row_plugin(t->name, t->key, t->val, p);
        double f = act_f(pl, p, t->z), df = act_df(pl, p, t->z);

        for (size_t i = 0; i < N_ACT; i++)
            covered[i] |= !strcmp(all_activations[i], t->name);
        if (!close_to(f, t->f, TORCH_REL, TORCH_ABS)) {
            print_error("%s(%s=%g, %s=%g) at z = %g: f = %.17g, torch %.17g\n", t->name,
                        t->key[0], t->val[0], t->key[1], t->val[1], t->z, f, t->f);
            bad++;
        }
        if (!close_to(df, t->df, TORCH_REL, TORCH_ABS)) {
            print_error("%s(%s=%g, %s=%g) at z = %g: f' = %.17g, torch %.17g\n", t->name,
                        t->key[0], t->val[0], t->key[1], t->val[1], t->z, df, t->df);
            bad++;
        }
    }
    for (size_t i = 0; i < N_ACT; i++)
        if (!covered[i])
            fail_msg("%s is not in the PyTorch table", all_activations[i]);
    assert_true(rows >= 15 * N_ACT);
    assert_int_equal(bad, 0);
}

/* PyTorch's one-sided choices at the kinks, spelled out. */
static void test_catalog_activation_kinks(void **state)
{
    mlp_param_value p[MAXP];
    const mlp_plugin *pl;

    (void)state;
    pl = plugin(MLP_KIND_ACTIVATION, "hardtanh", p);
    assert_true(act_df(pl, p, -1.0) == 0.0 && act_df(pl, p, 1.0) == 0.0);
    assert_true(act_df(pl, p, 0.999) == 1.0 && act_f(pl, p, 2.0) == 1.0);
    pl = plugin(MLP_KIND_ACTIVATION, "relu6", p);
    assert_true(act_df(pl, p, 0.0) == 0.0 && act_df(pl, p, 6.0) == 0.0);
    assert_true(act_df(pl, p, 5.999) == 1.0 && act_f(pl, p, 7.0) == 6.0);
    pl = plugin(MLP_KIND_ACTIVATION, "hardsigmoid", p);
    assert_true(act_df(pl, p, -3.0) == 0.0 && act_df(pl, p, 3.0) == 0.0);
    assert_true(act_df(pl, p, 0.0) == 1.0 / 6.0 && act_f(pl, p, 0.0) == 0.5);
    pl = plugin(MLP_KIND_ACTIVATION, "hardswish", p);
    assert_true(act_df(pl, p, -3.0) == -0.5 && act_df(pl, p, 3.0) == 1.5);
    assert_true(act_df(pl, p, -3.001) == 0.0 && act_df(pl, p, 3.001) == 1.0);
    pl = plugin(MLP_KIND_ACTIVATION, "elu", p);
    assert_true(act_df(pl, p, 0.0) == 1.0);
    set_param(pl, p, "alpha", 0.5);
    assert_true(act_df(pl, p, 0.0) == 0.5); /* the left side: alpha exp(0) */
    pl = plugin(MLP_KIND_ACTIVATION, "celu", p);
    set_param(pl, p, "alpha", 2.0);
    assert_true(act_df(pl, p, 0.0) == 1.0);
    pl = plugin(MLP_KIND_ACTIVATION, "selu", p);
    assert_true(close_to(act_df(pl, p, 0.0), 1.0507009873554805 * 1.6732632423543772, 1e-15, 0));
    pl = plugin(MLP_KIND_ACTIVATION, "step", p);
    assert_true(act_f(pl, p, 0.0) == 0.0 && act_f(pl, p, -0.0) == 0.0);
    assert_true(act_f(pl, p, 1e-300) == 1.0 && act_f(pl, p, -1e-300) == 0.0);
    assert_true(isnan(act_f(pl, p, NAN))); /* divergence stays visible */
}

/* ---- activations: gradient checks, in place, extremes ----------------- */

static const act_case act_cases[] = {
    {"elu", {NULL}, {0}},
    {"elu", {"alpha"}, {0.5}},
    {"elu", {"alpha"}, {2.0}},
    {"selu", {NULL}, {0}},
    {"celu", {NULL}, {0}},
    {"celu", {"alpha"}, {0.3}},
    {"celu", {"alpha"}, {3.0}},
    {"gelu", {NULL}, {0}},
    {"gelu", {"approximate"}, {1.0}},
    {"silu", {NULL}, {0}},
    {"mish", {NULL}, {0}},
    {"softsign", {NULL}, {0}},
    {"hardtanh", {NULL}, {0}},
    {"hardtanh", {"min_val", "max_val"}, {-2.0, 0.5}},
    {"hardtanh", {"min_val", "max_val"}, {-0.25, 3.0}},
    {"hardsigmoid", {NULL}, {0}},
    {"hardswish", {NULL}, {0}},
    {"relu6", {NULL}, {0}},
    {"tanhshrink", {NULL}, {0}},
    {"logsigmoid", {NULL}, {0}},
    {"sin", {NULL}, {0}},
    {"step", {NULL}, {0}},
};
#define N_CASES (sizeof(act_cases) / sizeof(act_cases[0]))

/* Inputs: fixed points across scales, kinks of the piecewise functions
 * (skipped by the difference check, kept for finiteness), then random. */
#define N_FIXED 25
#define N_INPUTS (N_FIXED + 60)
static void make_inputs(double *z)
{
    static const double fixed[N_FIXED] = {
        0.0, 1e-3, -1e-3, 0.5, -0.5, 1.0, -1.0, 2.5, -2.5, 5.0, -5.0, 12.0, -12.0, 30.0, -30.0,
        0.1, -0.1, 3.0, -3.0, 6.0, -2.0, 0.25, -0.25, 2.9, -2.9};
    uint64_t s = 0x9e3779b97f4a7c15ull;

    memcpy(z, fixed, sizeof(fixed));
    for (int i = N_FIXED; i < N_INPUTS; i++)
        z[i] = 20.0 * test_uniform(&s) - 10.0;
}

/* Where f or f' jumps: no central difference within a few h. */
static bool near_kink(const char *name, const mlp_param_value *p, double z)
{
    const double w = 4 * H;

    if (!strcmp(name, "elu") || !strcmp(name, "celu") || !strcmp(name, "selu") ||
        !strcmp(name, "step"))
        return fabs(z) < w;
    if (!strcmp(name, "hardtanh"))
        return fabs(z - p[0].num) < w || fabs(z - p[1].num) < w;
    if (!strcmp(name, "relu6"))
        return fabs(z) < w || fabs(z - 6.0) < w;
    if (!strcmp(name, "hardsigmoid") || !strcmp(name, "hardswish"))
        return fabs(fabs(z) - 3.0) < w;
    return false;
}

static void test_catalog_activation_gradients(void **state)
{
    double z[N_INPUTS];

    (void)state;
    make_inputs(z);
    for (size_t i = 0; i < N_CASES; i++)
        assert_true(check_activation_gradient(&act_cases[i], z, N_INPUTS, near_kink, TOL) >=
                    N_INPUTS - 4);
}

/* In-place calls, as declared, give the same bytes; every catalog
 * activation declares both. */
static void test_catalog_activation_inplace(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_CASES; k++) {
        mlp_param_value p[MAXP];
        const mlp_plugin *pl = case_plugin(&act_cases[k], p);
        const mlp_activation_desc *d = pl->d.act;
        double z[N_INPUTS], a[N_INPUTS], buf[N_INPUTS], da[N_INPUTS], dz[N_INPUTS];
        uint64_t s = 99;

        assert_int_equal(d->flags, MLP_ACT_FORWARD_INPLACE | MLP_ACT_BACKWARD_INPLACE);
        make_inputs(z);
        for (int i = 0; i < N_INPUTS; i++)
            da[i] = test_uniform(&s) - 0.5;
        d->forward(z, a, N_INPUTS, p);
        d->backward(z, a, da, dz, N_INPUTS, p);
        memcpy(buf, z, sizeof(z));
        d->forward(buf, buf, N_INPUTS, p);
        assert_memory_equal(buf, a, sizeof(a));
        memcpy(buf, da, sizeof(da));
        d->backward(z, a, buf, buf, N_INPUTS, p);
        assert_memory_equal(buf, dz, sizeof(dz));
    }
}

/* Finite values and derivatives for huge inputs, and the right limits. */
static void test_catalog_activation_extremes(void **state)
{
    static const double big[] = {50.0, 800.0, 1e20, 1e155, 1e300, DBL_MAX};
    mlp_param_value p[MAXP];
    const mlp_plugin *pl;

    (void)state;
    for (size_t k = 0; k < N_CASES; k++) {
        pl = case_plugin(&act_cases[k], p);
        for (size_t b = 0; b < sizeof(big) / sizeof(big[0]); b++) {
            for (int sign = -1; sign <= 1; sign += 2) {
                double z = sign * big[b], f = act_f(pl, p, z), df = act_df(pl, p, z);
                /* selu's scale 1.05 takes the largest double past the range */
                if (!strcmp(act_cases[k].name, "selu") && z == DBL_MAX)
                    continue;
                if (!isfinite(f) || !isfinite(df))
                    fail_msg("%s(%g) = %g, f' = %g", act_cases[k].name, z, f, df);
            }
        }
    }
    pl = plugin(MLP_KIND_ACTIVATION, "logsigmoid", p);
    assert_true(act_f(pl, p, -800.0) == -800.0 && act_df(pl, p, -800.0) == 1.0);
    assert_true(act_f(pl, p, 800.0) == 0.0 && act_df(pl, p, 800.0) == 0.0);
    assert_true(close_to(act_f(pl, p, 40.0), -exp(-40.0), 1e-15, 0));
    pl = plugin(MLP_KIND_ACTIVATION, "mish", p);
    assert_true(act_f(pl, p, -800.0) == 0.0 && act_df(pl, p, -800.0) == 0.0);
    assert_true(act_f(pl, p, 800.0) == 800.0 && act_df(pl, p, 800.0) == 1.0);
    assert_true(close_to(act_f(pl, p, -40.0), -40.0 * exp(-40.0), 1e-14, 0));
    pl = plugin(MLP_KIND_ACTIVATION, "softsign", p);
    assert_true(act_f(pl, p, 1e308) == 1.0 && act_df(pl, p, 1e308) == 0.0);
    pl = plugin(MLP_KIND_ACTIVATION, "selu", p);
    assert_true(close_to(act_f(pl, p, -800.0), -1.0507009873554805 * 1.6732632423543772, 1e-15,
                         0));
    pl = plugin(MLP_KIND_ACTIVATION, "elu", p);
    assert_true(act_f(pl, p, -800.0) == -1.0 && act_df(pl, p, -800.0) == 0.0);
    assert_true(close_to(act_f(pl, p, -1e-10), -1e-10 + 0.5e-20, 1e-15, 0)); /* expm1 */
    pl = plugin(MLP_KIND_ACTIVATION, "silu", p);
    assert_true(act_f(pl, p, -800.0) == 0.0 && act_f(pl, p, 800.0) == 800.0);
    pl = plugin(MLP_KIND_ACTIVATION, "gelu", p);
    assert_true(act_f(pl, p, 1e300) == 1e300 && act_df(pl, p, 1e300) == 1.0);
    assert_true(act_f(pl, p, -1e300) == 0.0 && act_df(pl, p, -1e300) == 0.0);
    /* Phi(-10) ~ 7.6e-24: from erfc, not the cancelling 1 + erf */
    assert_true(close_to(act_f(pl, p, -10.0), -5.0 * erfc(10.0 / sqrt(2.0)), 1e-12, 0));
    set_param(pl, p, "approximate", 1.0);
    assert_true(act_f(pl, p, 1e200) == 1e200 && act_df(pl, p, 1e200) == 1.0);
    assert_true(act_df(pl, p, -1e200) == 0.0);
}

/* step: forward is the Heaviside function, backward is 0 for every input
 * and every incoming gradient. */
static void test_catalog_step_has_no_gradient(void **state)
{
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_ACTIVATION, "step", p);
    double z[N_INPUTS], a[N_INPUTS], da[N_INPUTS], dz[N_INPUTS];

    (void)state;
    make_inputs(z);
    for (int i = 0; i < N_INPUTS; i++)
        da[i] = 1.0 + i;
    pl->d.act->forward(z, a, N_INPUTS, p);
    pl->d.act->backward(z, a, da, dz, N_INPUTS, p);
    for (int i = 0; i < N_INPUTS; i++) {
        assert_true(a[i] == (z[i] > 0.0 ? 1.0 : 0.0));
        assert_true(dz[i] == 0.0);
    }
}

/* ---- losses ------------------------------------------------------------ */

static void test_catalog_loss_gradients(void **state)
{
    const char *names[] = {"hinge", "huber"};
    double z[N_INPUTS], y[N_INPUTS];

    (void)state;
    make_inputs(z);
    for (int i = 0; i < N_INPUTS; i++)
        y[i] = (double)((i * 7 / 3) % 2);
    for (size_t k = 0; k < 2; k++) {
        mlp_param_value p[MAXP];
        const mlp_plugin *pl = plugin(MLP_KIND_LOSS, names[k], p);
        assert_true(p[0].num == 0.0); /* mean by default */
        check_loss_gradient(pl, p, z, y, N_INPUTS, 1, TOL, TOL);
        check_loss_gradient(pl, p, z, y, 3, 1, TOL, TOL);
        set_param(pl, p, "reduction", 1.0); /* sum */
        check_loss_gradient(pl, p, z, y, N_INPUTS, 1, TOL, TOL);
        check_loss_gradient(pl, p, z + 5, y + 5, 1, 1, TOL, TOL);
        if (k == 1) {
            assert_true(p[1].num == 1.0); /* delta 1 by default */
            set_param(pl, p, "delta", 0.3);
            check_loss_gradient(pl, p, z, y, N_INPUTS, 1, TOL, TOL);
            set_param(pl, p, "reduction", 0.0);
            check_loss_gradient(pl, p, z, y, N_INPUTS, 1, TOL, TOL);
        }
    }
}

static void test_catalog_loss_torch_values(void **state)
{
    const size_t rows = sizeof(torch_losses) / sizeof(torch_losses[0]);

    (void)state;
    for (size_t r = 0; r < rows; r++) {
        const torch_loss_row *t = &torch_losses[r];
        mlp_param_value p[MAXP];
        const mlp_plugin *pl = plugin(MLP_KIND_LOSS, t->name, p);
        double dz[TORCH_LOSS_N], l;

        set_param(pl, p, "reduction", t->reduction);
        if (!strcmp(t->name, "huber"))
            set_param(pl, p, "delta", t->delta);
        l = pl->d.loss->loss(torch_loss_z, torch_loss_y, dz, TORCH_LOSS_N, 1, p);
        if (!close_to(l, t->loss, TORCH_REL, TORCH_ABS))
            fail_msg("%s (reduction %d, delta %g): loss %.17g, torch %.17g", t->name,
                     t->reduction, t->delta, l, t->loss);
        for (size_t i = 0; i < TORCH_LOSS_N; i++)
            if (!close_to(dz[i], t->dz[i], TORCH_REL, TORCH_ABS))
                fail_msg("%s (reduction %d, delta %g): dz[%zu] %.17g, torch %.17g", t->name,
                         t->reduction, t->delta, i, dz[i], t->dz[i]);
        /* without dlogits, the same loss */
        assert_true(pl->d.loss->loss(torch_loss_z, torch_loss_y, NULL, TORCH_LOSS_N, 1, p) == l);
    }
}

/* The kinks, the links, and k outputs per sample. */
static void test_catalog_loss_kinks_and_links(void **state)
{
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_LOSS, "hinge", p);
    const mlp_loss_desc *d = pl->d.loss;
    double z[5] = {1.0, -1.0, 0.0, 2.0, -0.5}, y[5] = {1.0, 0.0, 1.0, 0.0, 0.0}, dz[5], prob[5];

    (void)state;
    set_param(pl, p, "reduction", 1.0);
    /* margins 0, 0, 1, 3, 0.5 */
    assert_true(d->loss(z, y, dz, 5, 1, p) == 4.5);
    assert_true(dz[0] == 0.0 && dz[1] == 0.0); /* 0 at the kink, as torch.relu */
    assert_true(dz[2] == -1.0 && dz[3] == 1.0 && dz[4] == 1.0);
    d->predict(z, prob, 5, 1, p);
    assert_true(prob[0] == 1.0 && prob[1] == 0.0 && prob[2] == 0.5 && prob[4] == 0.25);
    /* two outputs per sample, each against the sample's label */
    assert_true(d->loss(z, y, NULL, 2, 2, p) == 0.0 + 2.0 + 1.0 + 3.0);

    pl = plugin(MLP_KIND_LOSS, "huber", p);
    d = pl->d.loss;
    set_param(pl, p, "reduction", 1.0);
    {
        double hz[3] = {1.0, -1.0, 0.5}, hy[3] = {0.0, 0.0, 0.0}, hd[3];
        assert_true(d->loss(hz, hy, hd, 3, 1, p) == 0.5 + 0.5 + 0.125);
        assert_true(hd[0] == 1.0 && hd[1] == -1.0 && hd[2] == 0.5);
        set_param(pl, p, "delta", 0.5);
        assert_true(d->loss(hz, hy, hd, 3, 1, p) == 0.375 + 0.375 + 0.125);
        assert_true(hd[0] == 0.5 && hd[1] == -0.5 && hd[2] == 0.5);
        d->predict(hz, prob, 3, 1, p);
        assert_memory_equal(prob, hz, sizeof(hz));
    }
    /* huge logits stay finite */
    {
        double bz[2] = {1e300, -1e300}, by[2] = {0.0, 1.0}, bd[2];
        assert_true(isfinite(d->loss(bz, by, bd, 2, 1, p)) && isfinite(bd[0]));
        pl = plugin(MLP_KIND_LOSS, "hinge", p);
        assert_true(isfinite(pl->d.loss->loss(bz, by, bd, 2, 1, p)) && bd[0] == 0.5);
    }
}

/* ---- generated datasets ------------------------------------------------ */

static void count_labels(const double *y, size_t n, size_t classes, size_t *count)
{
    memset(count, 0, classes * sizeof(*count));
    for (size_t i = 0; i < n; i++) {
        if (!(y[i] >= 0 && y[i] < (double)classes && y[i] == floor(y[i])))
            fail_msg("label %g at %zu, expected 0..%zu", y[i], i, classes - 1);
        count[(size_t)y[i]]++;
    }
}

/* dim, classes, extent, finite points, labels in range and counted. */
static void test_catalog_dataset_shapes(void **state)
{
    static const struct {
        const char *name;
        double extent[4];
        size_t ones; /* points of class 1 among NPTS, noise 0 */
    } want[] = {
        {"disc", {-6, 6, -6, 6}, NPTS - NPTS / 2},
        {"gauss", {-6, 6, -6, 6}, NPTS - NPTS / 2},
        {"spiral", {-6, 6, -6, 6}, NPTS / 2},
        {"moons", {-1.5, 2.5, -1.0, 1.5}, NPTS - NPTS / 2},
    };
    static double x[2 * NPTS], y[NPTS];

    (void)state;
    for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
        mlp_param_value p[MAXP];
        const mlp_plugin *pl = plugin(MLP_KIND_DATASET, want[k].name, p);
        const mlp_dataset_desc *d = pl->d.data;
        size_t count[2];

        assert_int_equal(d->dim, 2);
        assert_int_equal(d->classes, 2);
        assert_memory_equal(d->extent, want[k].extent, sizeof(d->extent));
        assert_true(p[mlp_plugin_param_index(pl, "noise")].num == 0.0);
        generate(pl, p, 5, NPTS, x, y);
        for (size_t i = 0; i < 2 * NPTS; i++)
            assert_true(isfinite(x[i]));
        count_labels(y, NPTS, 2, count);
        if (count[1] != want[k].ones)
            fail_msg("%s: %zu points of class 1, want %zu", want[k].name, count[1],
                     want[k].ones);
        generate(pl, p, 5, 1, x, y); /* tiny sizes */
        generate(pl, p, 5, 0, x, y);
    }
}

static void test_catalog_dataset_determinism(void **state)
{
    (void)state;
    check_determinism("disc", "noise", 0.0, true);
    check_determinism("disc", "noise", 0.3, true);
    check_determinism("gauss", "noise", 0.0, true);
    check_determinism("gauss", "noise", 0.5, true);
    check_determinism("spiral", "noise", 0.2, true);
    check_determinism("spiral", "arms", 4.0, true);
    check_determinism("spiral", "offset", 0.0, false); /* the Playground's fixed pattern */
    check_determinism("moons", "noise", 0.1, true);
    check_determinism("moons", "shuffle", 1.0, true);
}

/* Training and test streams give disjoint points, also without noise
 * (circles and xor: test_plugins; blobs: test_multiclass). */
static void test_catalog_dataset_disjoint(void **state)
{
    (void)state;
    check_disjoint("disc", "noise", 0.0, 57);
    check_disjoint("gauss", "noise", 0.0, 57);
    check_disjoint("spiral", "noise", 0.0, 57);
    check_disjoint("spiral", "arms", 5.0, 57);
    check_disjoint("spiral", "noise", 0.2, 57);
    check_disjoint("moons", "noise", 0.0, 57);
    check_disjoint("moons", "shuffle", 0.0, 57);
    check_disjoint("moons", "noise", 0.1, 57);
}

/* The disc inside the ring; label noise flips labels, never moves points. */
static void test_catalog_disc_geometry(void **state)
{
    static double x[2 * NPTS], y[NPTS], xn[2 * NPTS], yn[NPTS];
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_DATASET, "disc", p);
    size_t flipped = 0;

    (void)state;
    generate(pl, p, 3, NPTS, x, y);
    for (size_t i = 0; i < NPTS; i++) {
        double r = hypot(x[2 * i], x[2 * i + 1]);
        if (i < NPTS - NPTS / 2)
            assert_true(r < 2.5 + 1e-12 && y[i] == 1.0);
        else
            assert_true(r >= 3.5 - 1e-12 && r < 5.0 + 1e-12 && y[i] == 0.0);
    }
    set_param(pl, p, "noise", 0.5);
    generate(pl, p, 3, NPTS, xn, yn);
    assert_memory_equal(xn, x, sizeof(x));
    for (size_t i = 0; i < NPTS; i++)
        flipped += yn[i] != y[i];
    assert_true(flipped > 0 && flipped < NPTS / 2);
}

/* Centres (2, 2) and (-2, -2); variance 0.5 + 7 noise per coordinate. */
static void test_catalog_gauss_spread(void **state)
{
    enum { N = 4000 };
    static double x[2 * N], y[N];
    const double noises[] = {0.0, 0.5};
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_DATASET, "gauss", p);

    (void)state;
    for (int k = 0; k < 2; k++) {
        double var = 0.5 + 7.0 * noises[k];
        set_param(pl, p, "noise", noises[k]);
        generate(pl, p, 11, N, x, y);
        for (int cls = 0; cls < 2; cls++) {
            double c = cls ? 2.0 : -2.0, s1 = 0, s2 = 0;
            size_t m = 0;
            for (size_t i = 0; i < N; i++) {
                if (y[i] != cls)
                    continue;
                for (int j = 0; j < 2; j++) {
                    s1 += x[2 * i + j];
                    s2 += (x[2 * i + j] - c) * (x[2 * i + j] - c);
                }
                m += 2;
            }
            assert_int_equal(m, N);
            assert_true(fabs(s1 / m - c) < 0.15);
            if (fabs(s2 / m / var - 1.0) > 0.1)
                fail_msg("gauss noise %g class %d: variance %g, want %g", noises[k], cls,
                         s2 / m, var);
        }
    }
}

/* Arms: one class each, radius 5 i / m along each, starting at angle
 * pi + 2 pi j / arms; arms = 3 gives labels 0..2. */
static void test_catalog_spiral_arms(void **state)
{
    static double x[2 * NPTS], y[NPTS];
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_DATASET, "spiral", p);
    const double pi = 3.141592653589793;
    size_t count[10];

    (void)state;
    assert_true(p[mlp_plugin_param_index(pl, "arms")].num == 2.0);
    assert_true(p[mlp_plugin_param_index(pl, "offset")].num == 1.0);
    set_param(pl, p, "offset", 0.0); /* the Playground's points */
    generate(pl, p, 1, 200, x, y);
    count_labels(y, 200, 2, count);
    assert_int_equal(count[0], 100);
    /* the Playground's two arms: class 0 from angle pi, class 1 from 0 */
    assert_true(x[0] == 0.0 && y[0] == 0.0);
    {
        double r = 0.05, t = 1.75 * 2 * pi * 0.01 + pi;
        assert_true(fabs(x[2] - r * sin(t)) < 1e-15 && fabs(x[3] - r * cos(t)) < 1e-15);
        t = 1.75 * 2 * pi * 0.01;
        assert_true(fabs(x[202] - r * sin(t)) < 1e-15 && fabs(x[203] - r * cos(t)) < 1e-15);
    }
    for (size_t i = 0; i < 200; i++)
        assert_true(fabs(hypot(x[2 * i], x[2 * i + 1]) - 5.0 * (double)(i % 100) / 100) < 1e-12);

    set_param(pl, p, "arms", 3.0);
    {   /* the class count follows the parameter, for the host to see */
        size_t rows = 1;
        uint32_t dim = 0, classes = 0;
        assert_non_null(pl->d.data->describe);
        assert_null(pl->d.data->load);
        assert_int_equal(pl->d.data->describe(p, &rows, &dim, &classes, NULL, 0), 0);
        assert_true(dim == 2 && classes == 3 && rows == 0);
    }
    generate(pl, p, 1, NPTS, x, y);
    count_labels(y, NPTS, 3, count);
    assert_true(count[0] == 101 && count[1] == 100 && count[2] == 100);
    assert_true(y[0] == 0.0 && y[NPTS - 1] == 2.0);

    set_param(pl, p, "arms", 10.0);
    set_param(pl, p, "noise", 0.5);
    generate(pl, p, 1, NPTS, x, y);
    count_labels(y, NPTS, 10, count);
    for (int j = 0; j < 10; j++)
        assert_true(count[j] == 30 || count[j] == 31);
    for (size_t i = 0; i < NPTS; i++)
        assert_true(fabs(x[2 * i]) <= 5.5 && fabs(x[2 * i + 1]) <= 5.5);
}

/* scikit-learn's make_moons(n, shuffle=False, noise=0) point for point,
 * then shuffled: the same multiset of rows. */
static void test_catalog_moons_geometry(void **state)
{
    static double x[2 * NPTS], y[NPTS], xs[2 * NPTS], ys[NPTS];
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_DATASET, "moons", p);
    const double pi = 3.141592653589793;
    const size_t n_out = NPTS / 2, n_in = NPTS - n_out;
    double sx = 0, sy = 0, ssx = 0, ssy = 0;

    (void)state;
    assert_true(p[mlp_plugin_param_index(pl, "shuffle")].num == 1.0);
    assert_true(p[mlp_plugin_param_index(pl, "offset")].num == 1.0);
    set_param(pl, p, "offset", 0.0); /* scikit-learn's points */
    set_param(pl, p, "shuffle", 0.0);
    generate(pl, p, 1, NPTS, x, y);
    for (size_t i = 0; i < n_out; i++) {
        double t = (double)i * (pi / (double)(n_out - 1));
        assert_true(y[i] == 0.0);
        assert_true(fabs(x[2 * i] - cos(t)) < 1e-15 && fabs(x[2 * i + 1] - sin(t)) < 1e-15);
    }
    for (size_t i = 0; i < n_in; i++) {
        double t = (double)i * (pi / (double)(n_in - 1));
        const double *r = x + 2 * (n_out + i);
        assert_true(y[n_out + i] == 1.0);
        assert_true(fabs(r[0] - (1 - cos(t))) < 1e-15 && fabs(r[1] - (0.5 - sin(t))) < 1e-15);
    }
    /* linspace's endpoints exactly: (1, 0), (-1, sin pi); (0, 0.5), (2, 0.5 - sin pi) */
    assert_true(x[0] == 1.0 && x[1] == 0.0 && x[2 * (n_out - 1)] == -1.0);
    assert_true(x[2 * n_out] == 0.0 && x[2 * n_out + 1] == 0.5 && x[2 * (NPTS - 1)] == 2.0);

    set_param(pl, p, "shuffle", 1.0);
    generate(pl, p, 1, NPTS, xs, ys);
    assert_memory_not_equal(xs, x, sizeof(x));
    for (size_t i = 0; i < NPTS; i++) {
        sx += x[2 * i] - xs[2 * i];
        sy += x[2 * i + 1] - xs[2 * i + 1];
        ssx += y[i] - ys[i];
        ssy += x[2 * i] * x[2 * i] - xs[2 * i] * xs[2 * i];
    }
    assert_true(fabs(sx) < 1e-12 && fabs(sy) < 1e-12 && ssx == 0.0 && fabs(ssy) < 1e-12);

    /* noise moves every point a little, same labels as the shuffle */
    set_param(pl, p, "noise", 0.1);
    generate(pl, p, 1, NPTS, x, y);
    assert_memory_equal(y, ys, sizeof(y));
    for (size_t i = 0; i < 2 * NPTS; i++)
        assert_true(x[i] != xs[i] && fabs(x[i] - xs[i]) < 1.0);
}

/* With offset (the default), unshuffled: each moon's points on its half
 * circle at (i + u) pi / m, one u per moon in [0, 1); each spiral arm's at
 * radius 5 (i + u) / m, one u per arm. */
static void test_catalog_offset_geometry(void **state)
{
    static double x[2 * NPTS], y[NPTS];
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_DATASET, "moons", p);
    const double pi = 3.141592653589793;
    const size_t n_out = NPTS / 2, n_in = NPTS - n_out;
    double u_out, u_in, u0, u1;

    (void)state;
    set_param(pl, p, "shuffle", 0.0);
    generate(pl, p, 1, NPTS, x, y);
    u_out = atan2(x[1], x[0]) / (pi / n_out);
    u_in = atan2(0.5 - x[2 * n_out + 1], 1.0 - x[2 * n_out]) / (pi / n_in);
    assert_true(u_out >= 0.0 && u_out < 1.0 && u_in >= 0.0 && u_in < 1.0 && u_out != u_in);
    for (size_t i = 0; i < n_out; i++) {
        double t = ((double)i + u_out) * (pi / n_out);
        assert_true(fabs(x[2 * i] - cos(t)) < 1e-12 && fabs(x[2 * i + 1] - sin(t)) < 1e-12);
    }
    for (size_t i = 0; i < n_in; i++) {
        double t = ((double)i + u_in) * (pi / n_in);
        const double *r = x + 2 * (n_out + i);
        assert_true(fabs(r[0] - (1 - cos(t))) < 1e-12 && fabs(r[1] - (0.5 - sin(t))) < 1e-12);
    }

    pl = plugin(MLP_KIND_DATASET, "spiral", p);
    generate(pl, p, 1, 200, x, y);
    u0 = hypot(x[0], x[1]) / 0.05;
    u1 = hypot(x[200], x[201]) / 0.05;
    assert_true(u0 > 0.0 && u0 < 1.0 && u1 > 0.0 && u1 < 1.0 && u0 != u1);
    for (size_t i = 0; i < 200; i++) {
        double f = ((double)(i % 100) + (i < 100 ? u0 : u1)) / 100;
        double t = 1.75 * 2 * pi * f + (i < 100 ? pi : 0.0);
        assert_true(fabs(x[2 * i] - 5 * f * sin(t)) < 1e-12);
        assert_true(fabs(x[2 * i + 1] - 5 * f * cos(t)) < 1e-12);
    }
}

/* ---- csv --------------------------------------------------------------- */

static const mlp_plugin *csv_plugin(mlp_param_value *p, const char *path, double label,
                                    double delim)
{
    const mlp_plugin *pl = plugin(MLP_KIND_DATASET, "csv", p);
    int ip = mlp_plugin_param_index(pl, "path");

    assert_true(ip >= 0);
    assert_true(mlp_dataset_loads(pl));
    assert_null(pl->d.data->generate);
    assert_int_equal(pl->d.data->dim, 0);
    assert_int_equal(pl->d.data->classes, 0);
    p[ip].str = path;
    set_param(pl, p, "label", label);
    set_param(pl, p, "delimiter", delim);
    return pl;
}

/* describe then load a good file; returns rows. */
static size_t csv_read(const char *file, double label, double delim, uint32_t want_dim,
                       uint32_t want_classes, double *x, double *y, size_t cap)
{
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = csv_plugin(p, file, label, delim);
    char why[512] = "";
    size_t rows = 0;
    uint32_t dim = 0, classes = 0;

    if (pl->d.data->describe(p, &rows, &dim, &classes, why, sizeof(why)) != 0)
        fail_msg("describe %s: %s", file, why);
    assert_int_equal(dim, want_dim);
    assert_int_equal(classes, want_classes);
    assert_true(rows <= cap);
    if (pl->d.data->load(p, rows, dim, x, y, why, sizeof(why)) != 0)
        fail_msg("load %s: %s", file, why);
    return rows;
}

enum { COMMA, SEMICOLON, TAB, SPACE };

static void test_catalog_csv_good_files(void **state)
{
    double x[64], y[16];

    (void)state;
    /* header detected, label last (-1), labels 1/2 -> 0/1, a blank line */
    assert_int_equal(csv_read(DATA_DIR "good_header.csv", -1, COMMA, 2, 2, x, y, 16), 4);
    {
        const double wx[] = {0.5, -1.25, 1e-3, 3, -2.5, 0.0, 4, 5.5}, wy[] = {1, 0, 1, 0};
        assert_memory_equal(x, wx, sizeof(wx));
        assert_memory_equal(y, wy, sizeof(wy));
    }
    /* the same file, label column given from the front */
    assert_int_equal(csv_read(DATA_DIR "good_header.csv", 2, COMMA, 2, 2, x, y, 16), 4);
    assert_true(y[0] == 1 && y[1] == 0);
    /* column 0 as the label: four distinct values, sorted */
    assert_int_equal(csv_read(DATA_DIR "good_header.csv", 0, COMMA, 2, 4, x, y, 16), 4);
    assert_true(y[0] == 2 && y[1] == 1 && y[2] == 0 && y[3] == 3);
    assert_true(x[0] == -1.25 && x[1] == 2);

    /* label first, -1/+1, semicolons, CRLF line ends, no header */
    assert_int_equal(csv_read(DATA_DIR "good_label_first.csv", 0, SEMICOLON, 2, 2, x, y, 16), 3);
    {
        const double wx[] = {0.5, 1.5, 2, -3, 1e2, 0.25}, wy[] = {0, 1, 0};
        assert_memory_equal(x, wx, sizeof(wx));
        assert_memory_equal(y, wy, sizeof(wy));
    }
    assert_int_equal(csv_read(DATA_DIR "good_tab.csv", -1, TAB, 2, 2, x, y, 16), 2);
    assert_true(x[0] == 1 && x[3] == 4 && y[1] == 1);
    assert_int_equal(csv_read(DATA_DIR "good_space.csv", -1, SPACE, 2, 2, x, y, 16), 2);
    assert_true(x[0] == 1 && x[1] == 2 && x[3] == 4 && y[0] == 0 && y[1] == 1);
}

/* Bad files: each message names the file and the line. */
static void test_catalog_csv_errors(void **state)
{
    static const struct {
        const char *file;
        double label, delim;
        const char *want;
    } cases[] = {
        {"bad_short_row.csv", -1, COMMA, "bad_short_row.csv:4: expected 3 fields, got 2"},
        {"bad_not_number.csv", -1, COMMA, "bad_not_number.csv:3: field 2 is not a number: 'abc'"},
        {"bad_not_finite.csv", -1, COMMA,
         "bad_not_finite.csv:2: field 2 is not a finite number: 'inf'"},
        /* its first line, "1,2,0,", is no longer taken for a header */
        {"bad_trailing_comma.csv", -1, COMMA,
         "bad_trailing_comma.csv:1: field 4 is not a number: '' (the first line mixes"},
        {"bad_header_only.csv", -1, COMMA, "bad_header_only.csv: no data rows"},
        {"bad_one_column.csv", -1, COMMA, "bad_one_column.csv:1: found 1 field; need at least 2"},
        {"good_header.csv", 3, COMMA, "good_header.csv:1: label column 3 is out of range for 3"},
        {"good_header.csv", -4, COMMA, "good_header.csv:1: label column -4 is out of range"},
        {"good_tab.csv", -1, COMMA, "good_tab.csv:1: found 1 field"},
        {"no_such_file.csv", -1, COMMA, "no_such_file.csv: cannot open: no such file"},
        {"", -1, COMMA, "data/: not a regular file (a folder): csv reads only files"},
    };

    (void)state;
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        char path[1024], why[512];
        mlp_param_value p[MAXP];
        const mlp_plugin *pl;
        size_t rows = 0;
        uint32_t dim = 0, classes = 0;
        double x[8], y[8];

        snprintf(path, sizeof(path), "%s%s", DATA_DIR, cases[k].file);
        pl = csv_plugin(p, path, cases[k].label, cases[k].delim);
        memset(why, 'x', sizeof(why));
        if (pl->d.data->describe(p, &rows, &dim, &classes, why, sizeof(why)) == 0)
            fail_msg("%s was accepted", cases[k].file);
        assert_non_null(memchr(why, '\0', sizeof(why)));
        if (!strstr(why, cases[k].want))
            fail_msg("%s: message '%s', want '%s'", cases[k].file, why, cases[k].want);
        /* load says the same */
        memset(why, 0, sizeof(why));
        assert_int_equal(pl->d.data->load(p, 2, 2, x, y, why, sizeof(why)), -1);
        assert_non_null(strstr(why, cases[k].want));
    }
}

/* Messages fit why_len; load refuses a file that no longer matches. */
static void test_catalog_csv_limits(void **state)
{
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = csv_plugin(p, DATA_DIR "bad_short_row.csv", -1, COMMA);
    char why[512], small[16];
    double x[64], y[32];
    size_t rows;
    uint32_t dim, classes;

    (void)state;
    memset(small, 'x', sizeof(small));
    assert_int_equal(pl->d.data->describe(p, &rows, &dim, &classes, small, sizeof(small)), -1);
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_int_equal(pl->d.data->describe(p, &rows, &dim, &classes, NULL, 0), -1);

    pl = csv_plugin(p, DATA_DIR "good_header.csv", -1, COMMA);
    assert_int_equal(pl->d.data->load(p, 3, 2, x, y, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "good_header.csv:6: more rows than when the file was described"));
    assert_int_equal(pl->d.data->load(p, 5, 2, x, y, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "changed since it was described"));
    assert_int_equal(pl->d.data->load(p, 4, 3, x, y, why, sizeof(why)), -1);

    /* a device is refused before a byte is read (/dev/zero never ends) */
    pl = csv_plugin(p, "/dev/zero", -1, COMMA);
    assert_int_equal(pl->d.data->describe(p, &rows, &dim, &classes, why, sizeof(why)), -1);
    assert_string_equal(why, "/dev/zero: not a regular file (a device): csv reads only files");
    /* a file over max_mib is refused, naming the file and the cap; the cap
     * raised, it is read */
    {
        char path[1024];
        FILE *f;
        snprintf(path, sizeof(path), "%s/catalog_big.csv", MLPLAB_TEST_BINARY_DIR);
        f = fopen(path, "w");
        assert_non_null(f);
        for (int i = 0; i < 150000; i++) /* 1.6 MiB */
            fprintf(f, "%.6f,%d\n", 0.5 + i * 1e-6, i % 2);
        fclose(f);
        pl = csv_plugin(p, path, -1, COMMA);
        set_param(pl, p, "max_mib", 1);
        assert_int_equal(pl->d.data->describe(p, &rows, &dim, &classes, why, sizeof(why)), -1);
        assert_non_null(strstr(why, "catalog_big.csv: 1.6 MiB, more than max_mib (1 MiB); raise "
                                    "max_mib to read it"));
        set_param(pl, p, "max_mib", 2);
        assert_int_equal(pl->d.data->describe(p, &rows, &dim, &classes, why, sizeof(why)), 0);
        assert_int_equal(rows, 150000);
        remove(path);
    }

    /* the first line: a header only when none of its fields is a number
     * (auto); an empty or a quoted cell among numbers is said, not taken
     * for a header; header: true and false decide */
    {
        static const struct {
            const char *text;
            double header;  /* 0 auto, 1 true, 2 false */
            size_t rows;    /* 0: refused with want */
            const char *want;
        } cases[] = {
            {"1.0,,0\n1,2,1\n", 0, 0,
             ":1: field 2 is not a number: '' (the first line mixes numbers and text, so it is "
             "not taken for a header; give header: true if it is one)"},
            {"\"1.5\",2,0\n1,2,1\n", 0, 0, ":1: field 1 is not a number: '\"1.5\"' (the first"},
            {"x,,label\n1,2,0\n3,4,1\n", 0, 2, NULL},
            {"\"x\",\"y\",\"label\"\n1,2,0\n", 0, 1, NULL},
            {"9,9,9\n1,2,0\n3,4,1\n", 1, 2, NULL},
            {"1,2,0\n3,4,1\n", 0, 2, NULL},
            {"x,y,label\n1,2,0\n", 2, 0, ":1: field 1 is not a number: 'x'"},
        };
        char path[1024];
        snprintf(path, sizeof(path), "%s/catalog_header.csv", MLPLAB_TEST_BINARY_DIR);
        for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
            FILE *f = fopen(path, "w");
            assert_non_null(f);
            fputs(cases[k].text, f);
            fclose(f);
            pl = csv_plugin(p, path, -1, COMMA);
            set_param(pl, p, "header", cases[k].header);
            why[0] = '\0';
            int rc = pl->d.data->describe(p, &rows, &dim, &classes, why, sizeof(why));
            if (cases[k].rows) {
                if (rc != 0)
                    fail_msg("case %zu refused: %s", k, why);
                assert_int_equal(rows, cases[k].rows);
            } else {
                assert_int_equal(rc, -1);
                if (!strstr(why, cases[k].want))
                    fail_msg("case %zu: message '%s', want '%s'", k, why, cases[k].want);
                if (cases[k].header == 2)
                    assert_null(strstr(why, "header: true"));
            }
        }
        remove(path);
    }

    /* 1000 distinct labels are fine, 1001 are not */
    for (int over = 0; over <= 1; over++) {
        char path[1024];
        FILE *f;
        snprintf(path, sizeof(path), "%s/catalog_labels_%d.csv", MLPLAB_TEST_BINARY_DIR, over);
        f = fopen(path, "w");
        assert_non_null(f);
        for (int i = 0; i < 1000 + over; i++)
            fprintf(f, "%d,%d\n", i, 1000 - i);
        fclose(f);
        pl = csv_plugin(p, path, -1, COMMA);
        int rc = pl->d.data->describe(p, &rows, &dim, &classes, why, sizeof(why));
        if (!over) {
            assert_int_equal(rc, 0);
            assert_int_equal(classes, 1000);
            assert_int_equal(rows, 1000);
        } else {
            assert_int_equal(rc, -1);
            assert_non_null(strstr(why, "_1.csv:1001: more than 1000 distinct labels in field 2"));
        }
        remove(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog_loads_every_plugin),
        cmocka_unit_test(test_catalog_activation_torch_table),
        cmocka_unit_test(test_catalog_activation_kinks),
        cmocka_unit_test(test_catalog_activation_gradients),
        cmocka_unit_test(test_catalog_activation_inplace),
        cmocka_unit_test(test_catalog_activation_extremes),
        cmocka_unit_test(test_catalog_step_has_no_gradient),
        cmocka_unit_test(test_catalog_loss_gradients),
        cmocka_unit_test(test_catalog_loss_torch_values),
        cmocka_unit_test(test_catalog_loss_kinks_and_links),
        cmocka_unit_test(test_catalog_dataset_shapes),
        cmocka_unit_test(test_catalog_dataset_determinism),
        cmocka_unit_test(test_catalog_dataset_disjoint),
        cmocka_unit_test(test_catalog_disc_geometry),
        cmocka_unit_test(test_catalog_gauss_spread),
        cmocka_unit_test(test_catalog_spiral_arms),
        cmocka_unit_test(test_catalog_moons_geometry),
        cmocka_unit_test(test_catalog_offset_geometry),
        cmocka_unit_test(test_catalog_csv_good_files),
        cmocka_unit_test(test_catalog_csv_errors),
        cmocka_unit_test(test_catalog_csv_limits),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
