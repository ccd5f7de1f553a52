/* plugin_testing.h -- helpers of the tests that load the shipped plugins from
 * the build tree through the registry (test_plugins, test_catalog,
 * test_multiclass): the registry fixture, a plugin with its defaults, test
 * inputs, and central-difference gradient checks of activations and losses.
 *
 * Include once per test, after cmocka.h.  The includer defines MAXP (the
 * parameters any plugin it loads declares, at most) and may define
 * PLUGIN_TESTING_CHECK_NAME to 1 to also assert that each plugin's descriptor
 * carries the name it was asked for.  The functions are static inline, so a
 * test that uses only some of them draws no unused-function warning. */
#ifndef MLPLAB_TESTS_PLUGIN_TESTING_H
#define MLPLAB_TESTS_PLUGIN_TESTING_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "base/rng.h"

#ifndef MAXP
#error "define MAXP (the parameters a loaded plugin declares, at most) before plugin_testing.h"
#endif
#ifndef PLUGIN_TESTING_CHECK_NAME
#define PLUGIN_TESTING_CHECK_NAME 0
#endif

#define H 1e-6           /* central-difference step */
#define GRAD_MAX 128     /* inputs (or n k logits) of one gradient check, at most */
#define NPTS 301         /* points of a generated dataset in the dataset checks */

static mlp_registry *reg;

/* Group setup: the registry over the build tree's plugin folder only. */
static inline int setup(void **state)
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

static inline int teardown(void **state)
{
    (void)state;
    mlp_registry_free(reg);
    return 0;
}

/* The plugin `name` of `kind`, loaded from the build tree (not from anywhere
 * else), with its default parameters in vals: (MAXP). */
static inline const mlp_plugin *plugin(mlp_plugin_kind kind, const char *name,
                                       mlp_param_value *vals)
{
    const mlp_plugin *pl = NULL;
    mlp_error err = {0};

    if (mlp_registry_get(reg, kind, name, &pl, &err) != MLP_OK)
        fail_msg("%s", err.msg);
    assert_true(pl->h->n_params <= MAXP);
    assert_non_null(strstr(pl->path, MLPLAB_TEST_PLUGIN_DIR));
    if (PLUGIN_TESTING_CHECK_NAME)
        assert_string_equal(pl->h->name, name);
    mlp_plugin_param_defaults(pl, vals);
    return pl;
}

static inline void set_param(const mlp_plugin *pl, mlp_param_value *vals, const char *key,
                             double v)
{
    int i = mlp_plugin_param_index(pl, key);

    if (i < 0)
        fail_msg("%s has no parameter %s", pl->name, key);
    vals[i].num = v;
}

static inline bool close_to(double got, double want, double rel, double abs_tol)
{
    return fabs(got - want) <= abs_tol + rel * fabs(want);
}

/* xorshift64*: test inputs only, independent of the rng module. */
static inline double test_uniform(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 0x2545F4914F6CDD1Dull) >> 11) * 0x1.0p-53;
}

/* ---- activations -------------------------------------------------------- */

/* One activation with up to two parameter values (key NULL: the defaults). */
typedef struct act_case {
    const char *name;
    const char *key[2];
    double val[2];
} act_case;

static inline const mlp_plugin *case_plugin(const act_case *c, mlp_param_value *p)
{
    const mlp_plugin *pl = plugin(MLP_KIND_ACTIVATION, c->name, p);

    for (int k = 0; k < 2 && c->key[k]; k++)
        set_param(pl, p, c->key[k], c->val[k]);
    return pl;
}

/* f(z) and f'(z) at single points. */
static inline double act_f(const mlp_plugin *pl, const mlp_param_value *p, double z)
{
    double a;

    pl->d.act->forward(&z, &a, 1, p);
    return a;
}

static inline double act_df(const mlp_plugin *pl, const mlp_param_value *p, double z)
{
    double a, da = 1.0, dz;

    pl->d.act->forward(&z, &a, 1, p);
    pl->d.act->backward(&z, &a, &da, &dz, 1, p);
    return dz;
}

/* backward against central differences of forward at z: (n), times a random
 * chain-rule factor; f and f' finite everywhere, the difference not checked
 * where near_kink says f or f' jumps.  Returns how many points were checked. */
static inline int check_activation_gradient(const act_case *c, const double *z, size_t n,
                                            bool (*near_kink)(const char *name,
                                                              const mlp_param_value *p,
                                                              double z),
                                            double tol)
{
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = case_plugin(c, p);
    const mlp_activation_desc *d = pl->d.act;
    double zp[GRAD_MAX], zm[GRAD_MAX], a[GRAD_MAX], ap[GRAD_MAX], am[GRAD_MAX];
    double da[GRAD_MAX], dz[GRAD_MAX];
    uint64_t s = 12345;
    int checked = 0;

    assert_true(n <= GRAD_MAX);
    for (size_t i = 0; i < n; i++) {
        zp[i] = z[i] + H;
        zm[i] = z[i] - H;
        da[i] = 0.5 + test_uniform(&s); /* a chain-rule factor, not just 1 */
    }
    d->forward(z, a, n, p);
    d->forward(zp, ap, n, p);
    d->forward(zm, am, n, p);
    d->backward(z, a, da, dz, n, p);
    for (size_t i = 0; i < n; i++) {
        double num = (ap[i] - am[i]) / (2 * H) * da[i];
        assert_true(isfinite(a[i]) && isfinite(dz[i]));
        if (near_kink(c->name, p, z[i]))
            continue;
        checked++;
        if (!close_to(dz[i], num, tol, tol))
            fail_msg("%s(%s=%g): at z = %.17g analytic %.17g, numeric %.17g", c->name,
                     c->key[0] ? c->key[0] : "-", c->val[0], z[i], dz[i], num);
    }
    return checked;
}

/* ---- losses ------------------------------------------------------------- */

/* Whether logit zi of a sample labelled ys sits within a few h of a kink of
 * the loss (hinge: margin 1; huber: |z - y| = delta); the others have none. */
static inline bool loss_near_kink(const mlp_plugin *pl, const mlp_param_value *p, double zi,
                                  double ys)
{
    if (!strcmp(pl->name, "hinge"))
        return fabs(1.0 - (2.0 * ys - 1.0) * zi) < 4 * H;
    if (!strcmp(pl->name, "huber"))
        return fabs(fabs(zi - ys) - p[mlp_plugin_param_index(pl, "delta")].num) < 4 * H;
    return false;
}

/* dloss/dz by central differences against dlogits, every logit of the batch
 * z: (n, k), y: (n), away from kinks; close within rel and abs_tol. */
static inline void check_loss_gradient(const mlp_plugin *pl, const mlp_param_value *p,
                                       const double *z, const double *y, size_t n, size_t k,
                                       double rel, double abs_tol)
{
    double dz[GRAD_MAX], zz[GRAD_MAX];

    assert_true(n * k <= GRAD_MAX);
    pl->d.loss->loss(z, y, dz, n, k, p);
    for (size_t i = 0; i < n * k; i++) {
        double lp, lm, num;
        if (loss_near_kink(pl, p, z[i], y[i / k]))
            continue;
        memcpy(zz, z, n * k * sizeof(*z));
        zz[i] = z[i] + H;
        lp = pl->d.loss->loss(zz, y, NULL, n, k, p);
        zz[i] = z[i] - H;
        lm = pl->d.loss->loss(zz, y, NULL, n, k, p);
        num = (lp - lm) / (2 * H);
        if (!close_to(dz[i], num, rel, abs_tol))
            fail_msg("%s k %zu n %zu (params %g, %g): at z[%zu] = %.17g, y = %g analytic "
                     "%.17g, numeric %.17g", pl->name, k, n, p[0].num,
                     pl->h->n_params > 1 ? p[1].num : 0.0, i, z[i], y[i / k], dz[i], num);
    }
}

/* ---- generated datasets ------------------------------------------------- */

/* n points of pl from the given stream of seed: x (n, dim), y (n). */
static inline void generate_stream(const mlp_plugin *pl, const mlp_param_value *p,
                                   uint64_t seed, uint32_t stream, size_t n, double *x,
                                   double *y)
{
    mlp_rng r;
    mlp_rng_api api;
    const char *why = NULL;

    mlp_rng_init(&r, seed, 0, stream);
    mlp_rng_api_bind(&r, &api);
    if (pl->d.data->generate(&api, n, x, y, p, &why) != 0)
        fail_msg("%s: generate failed: %s", pl->name, why ? why : "?");
}

/* n points of pl from the training stream of seed: x (n, dim), y (n). */
static inline void generate(const mlp_plugin *pl, const mlp_param_value *p, uint64_t seed,
                            size_t n, double *x, double *y)
{
    generate_stream(pl, p, seed, MLP_STREAM_TRAIN, n, x, y);
}

/* Same stream, same bytes; another seed moves the points unless the data
 * are a fixed pattern (varies false: e.g. spiral without noise).  Two
 * inputs per point. */
static inline void check_determinism(const char *name, const char *key, double v, bool varies)
{
    static double a[2 * NPTS], ya[NPTS], b[2 * NPTS], yb[NPTS];
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_DATASET, name, p);

    set_param(pl, p, key, v);
    generate(pl, p, 42, NPTS, a, ya);
    generate(pl, p, 42, NPTS, b, yb);
    assert_memory_equal(a, b, sizeof(a));
    assert_memory_equal(ya, yb, sizeof(ya));
    generate(pl, p, 43, NPTS, b, yb);
    if (!memcmp(a, b, sizeof(a)) == varies)
        fail_msg("%s (%s = %g): seeds 42 and 43 %s", name, key, v,
                 varies ? "give the same points" : "differ");
}

/* A held-out set is held out: the training and the test stream of one seed
 * (as the host draws them), and two seeds' training streams, give disjoint
 * point sets (no input row of one equals an input row of the other), with
 * the plugin's parameters at their defaults but key = v.  n_test points in
 * the test set (another size than the training set's NPTS, as a spec may
 * ask); 2-D inputs. */
static inline void check_disjoint(const char *name, const char *key, double v, size_t n_test)
{
    static double a[2 * NPTS], ya[NPTS], b[2 * NPTS], yb[NPTS];
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = plugin(MLP_KIND_DATASET, name, p);
    const struct { uint64_t seed; uint32_t stream; size_t n; } other[] = {
        {42, MLP_STREAM_TEST, n_test}, {42, MLP_STREAM_TEST, NPTS}, {43, MLP_STREAM_TRAIN, NPTS}};

    assert_true(n_test <= NPTS);
    if (key)
        set_param(pl, p, key, v);
    generate_stream(pl, p, 42, MLP_STREAM_TRAIN, NPTS, a, ya);
    for (size_t k = 0; k < sizeof(other) / sizeof(other[0]); k++) {
        generate_stream(pl, p, other[k].seed, other[k].stream, other[k].n, b, yb);
        for (size_t i = 0; i < NPTS; i++)
            for (size_t j = 0; j < other[k].n; j++)
                if (a[2 * i] == b[2 * j] && a[2 * i + 1] == b[2 * j + 1])
                    fail_msg("%s (%s = %g): training point %zu (%g, %g) is point %zu of "
                             "seed %llu stream %u", name, key ? key : "-", v, i, a[2 * i],
                             a[2 * i + 1], j, (unsigned long long)other[k].seed,
                             (unsigned)other[k].stream);
    }
}

#endif
