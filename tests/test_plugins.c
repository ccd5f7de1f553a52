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

#define TOL 1e-6   /* relative and absolute tolerance of the checks */
#define MAXP 4     /* parameters any shipped plugin declares, at most */

#include "plugin_testing.h"

/* ---- activations ------------------------------------------------------- */

/* Activations with parameter values; near_kink below says where f' jumps. */
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

static void test_plugins_activation_gradients(void **state)
{
    double z[N_INPUTS];

    (void)state;
    make_inputs(z);
    for (size_t i = 0; i < sizeof(act_cases) / sizeof(act_cases[0]); i++)
        check_activation_gradient(&act_cases[i], z, N_INPUTS, near_kink, TOL);
}

static void test_plugins_activation_values(void **state)
{
    mlp_param_value p[MAXP];
    const mlp_plugin *pl;

    (void)state;
    pl = plugin(MLP_KIND_ACTIVATION, "sigmoid", p);
    assert_true(act_f(pl, p, 0.0) == 0.5);
    assert_true(act_df(pl, p, 0.0) == 0.25);
    assert_true(close_to(act_f(pl, p, 2.0), 1.0 / (1.0 + exp(-2.0)), 1e-15, 1e-15));
    assert_true(close_to(act_f(pl, p, -30.0), exp(-30.0) / (1.0 + exp(-30.0)), 1e-14, 1e-14));
    assert_true(act_f(pl, p, 800.0) == 1.0);
    assert_true(act_f(pl, p, -800.0) == 0.0);
    assert_true(act_f(pl, p, -1e308) == 0.0 && act_f(pl, p, 1e308) == 1.0);
    assert_true(act_df(pl, p, 800.0) == 0.0 && act_df(pl, p, -800.0) == 0.0);

    pl = plugin(MLP_KIND_ACTIVATION, "tanh", p);
    assert_true(close_to(act_f(pl, p, 1.0), 0.76159415595576489, 1e-15, 1e-15));
    assert_true(act_f(pl, p, 0.0) == 0.0 && act_df(pl, p, 0.0) == 1.0);
    assert_true(close_to(act_df(pl, p, 1.0), 0.41997434161402614, 1e-14, 1e-14));
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
    assert_true(close_to(act_f(pl, p, 0.0), log(2.0), 1e-16, 1e-16));
    assert_true(act_df(pl, p, 0.0) == 0.5);
    assert_true(close_to(act_f(pl, p, 1.0), log1p(exp(1.0)), 1e-15, 1e-15));
    assert_true(close_to(act_f(pl, p, -5.0), log1p(exp(-5.0)), 1e-15, 1e-15));
    assert_true(act_f(pl, p, 20.5) == 20.5 && act_df(pl, p, 20.5) == 1.0); /* linear part */
    assert_true(close_to(act_f(pl, p, 19.5), log1p(exp(19.5)), 1e-15, 1e-15));
    assert_true(act_f(pl, p, -800.0) == 0.0);
    set_param(pl, p, "beta", 2.0);
    assert_true(close_to(act_f(pl, p, 0.0), log(2.0) / 2.0, 1e-16, 1e-16));
    assert_true(close_to(act_f(pl, p, 1.5), log1p(exp(3.0)) / 2.0, 1e-15, 1e-15));
    assert_true(close_to(act_df(pl, p, 1.5), 1.0 / (1.0 + exp(-3.0)), 1e-15, 1e-15));
    assert_true(act_f(pl, p, 10.5) == 10.5); /* beta z = 21 > 20 */
    set_param(pl, p, "threshold", 1000.0); /* no overflow even where not linear */
    assert_true(close_to(act_f(pl, p, 400.0), 400.0, 1e-15, 1e-15));
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
        check_loss_gradient(pl, p, z, y, N_INPUTS, 1, TOL, TOL);
        check_loss_gradient(pl, p, z, y, 3, 1, TOL, TOL);
        set_param(pl, p, "reduction", 1.0); /* sum */
        check_loss_gradient(pl, p, z, y, N_INPUTS, 1, TOL, TOL);
        check_loss_gradient(pl, p, z + 5, y + 5, 1, 1, TOL, TOL);
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
    assert_true(close_to(d->loss(z, y, dz, 6, 1, p), want / 6, 1e-14, 1e-14));
    for (int i = 0; i < 6; i++)
        assert_true(close_to(dz[i], (1.0 / (1.0 + exp(-z[i])) - y[i]) / 6, 1e-14, 1e-14));
    set_param(pl, p, "reduction", 1.0);
    assert_true(close_to(d->loss(z, y, dz, 6, 1, p), want, 1e-14, 1e-14));
    assert_true(close_to(dz[0], 1.0 / (1.0 + exp(4.0)), 1e-14, 1e-14));
    d->predict(z, prob, 6, 1, p);
    for (int i = 0; i < 6; i++)
        assert_true(close_to(prob[i], 1.0 / (1.0 + exp(-z[i])), 1e-15, 1e-15));
    set_param(pl, p, "reduction", 0.0);

    /* log 2 per sample at z = 0, whatever the label */
    z[0] = 0.0, y[0] = 1.0;
    assert_true(close_to(d->loss(z, y, NULL, 1, 1, p), log(2.0), 1e-16, 1e-16));
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
                if (!close_to(l, want, 1e-15, 1e-15))
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
    assert_true(close_to(d->loss(z, y, dz, 4, 1, p), 4.3125 / 4, 1e-15, 1e-15));
    assert_true(dz[0] == 0.5 && dz[1] == 0.5 && dz[2] == -0.75 && dz[3] == 0.125);
    set_param(pl, p, "reduction", 1.0);
    assert_true(close_to(d->loss(z, y, dz, 4, 1, p), 4.3125, 1e-15, 1e-15));
    assert_true(dz[0] == 2.0 && dz[2] == -3.0);
    d->predict(z, prob, 4, 1, p);
    assert_memory_equal(prob, z, sizeof(z));
    set_param(pl, p, "reduction", 0.0);
    /* k outputs per sample compare with that sample's label */
    assert_true(
        close_to(d->loss(z, y, NULL, 2, 2, p), (1.0 + 4.0 + 2.25 + 0.5625) / 4, 1e-15, 1e-15));
}

/* ---- datasets ---------------------------------------------------------- */

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
    assert_true(p[mlp_plugin_param_index(pl, "offset")].num == 1.0);

    /* without offset, scikit-learn's points; unshuffled: n/2 outer points
     * first (label 0), then the inner ones */
    set_param(pl, p, "offset", 0.0);
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

/* With offset (the default) each ring is turned by its own fraction u of the
 * spacing: radii as before, the same spacing 2 pi / m, the first point of each
 * ring at an angle in [0, 2 pi / m); the two rings turned differently. */
static void test_plugins_circles_offset(void **state)
{
    static double x[2 * NPTS], y[NPTS];
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_DATASET, "circles", p);
    const double two_pi = 2 * 3.141592653589793;
    const size_t n_out = NPTS / 2, n_in = NPTS - n_out;
    double t_out, t_in;

    (void)state;
    set_param(pl, p, "shuffle", 0.0);
    generate(pl, p, 1, NPTS, x, y);
    for (size_t i = 0; i < NPTS; i++) {
        const size_t m = i < n_out ? n_out : n_in, k = i < n_out ? i : i - n_out;
        const size_t first = i < n_out ? 0 : n_out;
        double t0 = atan2(x[2 * first + 1], x[2 * first]), t = t0 + two_pi * (double)k / m;
        double r = i < n_out ? 1.0 : 0.8;
        assert_true(y[i] == (i < n_out ? 0.0 : 1.0));
        assert_true(fabs(x[2 * i] - r * cos(t)) < 1e-12 && fabs(x[2 * i + 1] - r * sin(t)) < 1e-12);
    }
    t_out = atan2(x[1], x[0]);
    t_in = atan2(x[2 * n_out + 1], x[2 * n_out]);
    assert_true(t_out >= 0.0 && t_out < two_pi / n_out);
    assert_true(t_in >= 0.0 && t_in < two_pi / n_in);
    assert_true(t_out > 0.0 && fabs(t_out / (two_pi / n_out) - t_in / (two_pi / n_in)) > 1e-9);
}

/* Training and test streams give disjoint points, also without noise. */
static void test_plugins_dataset_disjoint(void **state)
{
    (void)state;
    check_disjoint("circles", "noise", 0.0, 57);
    check_disjoint("circles", "shuffle", 0.0, 57);
    check_disjoint("circles", "noise", 0.1, 57);
    check_disjoint("xor", "noise", 0.0, 57);
    check_disjoint("xor", "noise", 0.5, 57);
}

static void test_plugins_dataset_determinism(void **state)
{
    (void)state;
    check_determinism("circles", "noise", 0.1, true);
    check_determinism("circles", "noise", 0.0, true);
    check_determinism("circles", "offset", 0.0, true); /* the shuffle still moves rows */
    check_determinism("xor", "noise", 0.0, true);
    check_determinism("xor", "noise", 0.3, true);
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
        cmocka_unit_test(test_plugins_circles_offset),
        cmocka_unit_test(test_plugins_dataset_disjoint),
        cmocka_unit_test(test_plugins_dataset_determinism),
        cmocka_unit_test(test_plugins_xor_quadrants),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
