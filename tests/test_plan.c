/* test_plan.c -- sweep expansion (product, row-major order, repeats, seeds,
 * limits), range expansion (step and count forms), and the points of random
 * and Sobol searches (samples outermost, the distributions' statistics at a
 * fixed seed, Sobol points against a reference). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan/plan.h"
#include "base/rng.h"
#include "plan/halving.h"
#include "plan/sample.h"

static void test_plan_product(void **state)
{
    const size_t len[3] = {2, 3, 4};
    mlp_plan p;
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_plan_init(&p, len, 3, 5, 42, 0, &err), MLP_OK);
    assert_int_equal(p.n_runs, 2 * 3 * 4 * 5);
    assert_int_equal(p.n_axes, 3);
    assert_int_equal(p.repeats, 5);
    /* no axes: just the repeats */
    assert_int_equal(mlp_plan_init(&p, NULL, 0, 3, 0, 0, &err), MLP_OK);
    assert_int_equal(p.n_runs, 3);
}

/* Last axis fastest, repeats innermost of all. */
static void test_plan_row_major_repeats_innermost(void **state)
{
    const size_t len[2] = {2, 3};
    mlp_plan p;
    mlp_plan_run r;
    mlp_error err;
    size_t a, b, rep, k = 0;

    (void)state;
    assert_int_equal(mlp_plan_init(&p, len, 2, 2, 7, 100, &err), MLP_OK);
    assert_int_equal(p.n_runs, 12);
    for (a = 0; a < 2; a++)
        for (b = 0; b < 3; b++)
            for (rep = 0; rep < 2; rep++, k++) {
                mlp_plan_get(&p, k, &r);
                assert_int_equal(r.index, k);
                assert_int_equal(r.value[0], a);
                assert_int_equal(r.value[1], b);
                assert_int_equal(r.repeat, rep);
            }
    mlp_plan_get(&p, 5, &r);
    assert_int_equal(r.value[0], 0);
    assert_int_equal(r.value[1], 2);
    assert_int_equal(r.repeat, 1);
}

/* Run k's seed is mlp_run_seed(seed, k): the same whatever the axes. */
static void test_plan_seeds_depend_on_seed_and_index(void **state)
{
    const size_t len1[2] = {4, 5}, len2[1] = {40};
    mlp_plan p1, p2, p3;
    mlp_plan_run r1, r2, r3;
    mlp_error err;
    size_t k;

    (void)state;
    assert_int_equal(mlp_plan_init(&p1, len1, 2, 2, 99, 0, &err), MLP_OK);
    assert_int_equal(mlp_plan_init(&p2, len2, 1, 1, 99, 0, &err), MLP_OK);
    assert_int_equal(mlp_plan_init(&p3, len2, 1, 1, 100, 0, &err), MLP_OK);
    for (k = 0; k < 40; k++) {
        mlp_plan_get(&p1, k, &r1);
        mlp_plan_get(&p2, k, &r2);
        mlp_plan_get(&p3, k, &r3);
        assert_true(r1.seed == r2.seed);
        assert_true(r1.seed == mlp_run_seed(99, k));
        assert_true(r3.seed != r1.seed);
    }
    mlp_plan_get(&p1, 0, &r1);
    mlp_plan_get(&p1, 1, &r2);
    assert_true(r1.seed != r2.seed); /* repeats differ */
}

static void test_plan_errors(void **state)
{
    size_t len[3] = {10, 10, 10};
    size_t big[3] = {SIZE_MAX / 2, 3, 1};
    size_t many[MLP_PLAN_MAX_AXES + 1];
    mlp_plan p;
    mlp_error err;
    size_t i;

    (void)state;
    assert_int_equal(mlp_plan_init(&p, len, 3, 2, 0, 1999, &err), MLP_ERR_USAGE);
    assert_non_null(strstr(err.msg, "2000"));
    assert_non_null(strstr(err.msg, "1999"));
    assert_int_equal(mlp_plan_init(&p, len, 3, 2, 0, 2000, &err), MLP_OK);

    assert_int_equal(mlp_plan_init(&p, big, 3, 1, 0, 0, &err), MLP_ERR_USAGE);
    assert_non_null(strstr(err.msg, "overflow"));

    len[1] = 0;
    assert_int_equal(mlp_plan_init(&p, len, 3, 1, 0, 0, &err), MLP_ERR_USAGE);
    assert_non_null(strstr(err.msg, "axis 1"));
    len[1] = 10;
    assert_int_equal(mlp_plan_init(&p, len, 3, 0, 0, 0, &err), MLP_ERR_USAGE);

    for (i = 0; i < MLP_PLAN_MAX_AXES + 1; i++)
        many[i] = 1;
    assert_int_equal(mlp_plan_init(&p, many, MLP_PLAN_MAX_AXES + 1, 1, 0, 0, &err),
                     MLP_ERR_USAGE);
    assert_int_equal(mlp_plan_init(&p, many, MLP_PLAN_MAX_AXES, 1, 0, 0, &err), MLP_OK);
}

static void test_plan_range_step_integers(void **state)
{
    double v[16];
    size_t n = 0, i;
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_range_step(5, 50, 5, v, &n, 16, &err), MLP_OK);
    assert_int_equal(n, 10);
    for (i = 0; i < n; i++)
        assert_true(v[i] == 5.0 * (double)(i + 1));
    /* `to` not on the grid: stops below it */
    assert_int_equal(mlp_range_step(0, 10, 3, v, &n, 16, &err), MLP_OK);
    assert_int_equal(n, 4);
    assert_true(v[3] == 9.0);
    /* count only */
    assert_int_equal(mlp_range_step(5, 50, 5, NULL, &n, 16, &err), MLP_OK);
    assert_int_equal(n, 10);
    /* from == to */
    assert_int_equal(mlp_range_step(3, 3, 1, v, &n, 16, &err), MLP_OK);
    assert_int_equal(n, 1);
    assert_true(v[0] == 3.0);
}

/* 0.1 .. 0.5 step 0.1 has 5 values and ends exactly at 0.5, although
 * 0.1 + 4*0.1 is not 0.5 in binary; values are from + i*step. */
static void test_plan_range_step_fractions(void **state)
{
    double v[16];
    size_t n = 0, i;
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_range_step(0.1, 0.5, 0.1, v, &n, 16, &err), MLP_OK);
    assert_int_equal(n, 5);
    assert_true(v[4] == 0.5);
    for (i = 0; i < 4; i++)
        assert_true(v[i] == 0.1 + (double)i * 0.1);
    assert_int_equal(mlp_range_step(0.0, 1.0, 0.1, v, &n, 16, &err), MLP_OK);
    assert_int_equal(n, 11);
    assert_true(v[10] == 1.0);
    assert_true(v[3] == 3 * 0.1);
    /* backwards with a negative step */
    assert_int_equal(mlp_range_step(1.0, 0.0, -0.25, v, &n, 16, &err), MLP_OK);
    assert_int_equal(n, 5);
    assert_true(v[0] == 1.0 && v[2] == 0.5 && v[4] == 0.0);
}

static void test_plan_range_step_errors(void **state)
{
    double v[4];
    size_t n = 0;
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_range_step(0, 1, 0, v, &n, 4, &err), MLP_ERR_USAGE);
    assert_non_null(strstr(err.msg, "zero"));
    assert_int_equal(mlp_range_step(5, 50, -5, v, &n, 4, &err), MLP_ERR_USAGE);
    assert_non_null(strstr(err.msg, "away"));
    assert_int_equal(mlp_range_step(50, 5, 5, v, &n, 4, &err), MLP_ERR_USAGE);
    assert_int_equal(mlp_range_step(0, INFINITY, 1, v, &n, 4, &err), MLP_ERR_USAGE);
    assert_int_equal(mlp_range_step(NAN, 1, 1, v, &n, 4, &err), MLP_ERR_USAGE);
    assert_int_equal(mlp_range_step(0, 1, NAN, v, &n, 4, &err), MLP_ERR_USAGE);
    /* too many values: 5 > 4, and a huge count without overflow */
    assert_int_equal(mlp_range_step(1, 5, 1, v, &n, 4, &err), MLP_ERR_USAGE);
    assert_non_null(strstr(err.msg, "more than 4"));
    assert_int_equal(mlp_range_step(1, 4, 1, v, &n, 4, &err), MLP_OK);
    assert_int_equal(mlp_range_step(0, 1e300, 1e-300, NULL, &n, 1000000, &err), MLP_ERR_USAGE);
}

static void test_plan_range_num(void **state)
{
    double v[8];
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_range_num(0, 1, 5, 0, v, 8, &err), MLP_OK);
    assert_true(v[0] == 0.0 && v[1] == 0.25 && v[2] == 0.5 && v[3] == 0.75 && v[4] == 1.0);
    assert_int_equal(mlp_range_num(0.1, 0.3, 3, 0, v, 8, &err), MLP_OK);
    assert_true(v[2] == 0.3);
    assert_true(fabs(v[1] - 0.2) < 1e-15);
    /* log: geometric, exact ends */
    assert_int_equal(mlp_range_num(1e-4, 1.0, 5, 1, v, 8, &err), MLP_OK);
    assert_true(v[0] == 1e-4 && v[4] == 1.0);
    assert_true(fabs(v[1] / 1e-3 - 1) < 1e-13);
    assert_true(fabs(v[2] / 1e-2 - 1) < 1e-13);
    assert_true(fabs(v[3] / 1e-1 - 1) < 1e-13);
    /* decreasing log range */
    assert_int_equal(mlp_range_num(8.0, 1.0, 4, 1, v, 8, &err), MLP_OK);
    assert_true(v[0] == 8.0 && v[3] == 1.0);
    assert_true(fabs(v[1] - 4.0) < 1e-14 && fabs(v[2] - 2.0) < 1e-14);
    /* num == 1 gives from */
    v[0] = -1;
    assert_int_equal(mlp_range_num(3.0, 9.0, 1, 0, v, 8, &err), MLP_OK);
    assert_true(v[0] == 3.0);
    assert_int_equal(mlp_range_num(3.0, 9.0, 1, 1, v, 8, &err), MLP_OK);
    assert_true(v[0] == 3.0);
}

static void test_plan_range_num_errors(void **state)
{
    double v[8];
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_range_num(0, 1, 0, 0, v, 8, &err), MLP_ERR_USAGE);
    assert_int_equal(mlp_range_num(0, 1, 9, 0, v, 8, &err), MLP_ERR_USAGE);
    assert_int_equal(mlp_range_num(0, 1, 3, 1, v, 8, &err), MLP_ERR_USAGE);
    assert_non_null(strstr(err.msg, "log"));
    assert_int_equal(mlp_range_num(-1, 1, 3, 1, v, 8, &err), MLP_ERR_USAGE);
    assert_int_equal(mlp_range_num(1, INFINITY, 3, 0, v, 8, &err), MLP_ERR_USAGE);
    assert_int_equal(mlp_range_num(0, 1, 3, 0, NULL, 8, &err), MLP_OK);
}

/* ---- random and Sobol search --------------------------------------------- */

/* Samples are the outermost dimension: run k of a plan with more samples is
 * run k of the plan with fewer (axes, repeat, sample and seed alike). */
static void test_plan_samples_outermost(void **state)
{
    const size_t len[2] = {2, 3};
    mlp_plan small, big;
    mlp_plan_run a, b;
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_plan_init(&small, len, 2, 2, 9, 0, &err), MLP_OK);
    big = small;
    assert_int_equal(mlp_plan_sample(&small, MLP_PLAN_RANDOM, 3, 0, &err), MLP_OK);
    assert_int_equal(mlp_plan_sample(&big, MLP_PLAN_RANDOM, 7, 0, &err), MLP_OK);
    assert_int_equal(small.n_runs, 3 * 12);
    assert_int_equal(big.n_runs, 7 * 12);
    for (size_t k = 0; k < small.n_runs; k++) {
        mlp_plan_get(&small, k, &a);
        mlp_plan_get(&big, k, &b);
        assert_memory_equal(&a, &b, sizeof(a));
        assert_int_equal(a.sample, k / 12);
        assert_int_equal(a.repeat, k % 2);
        assert_int_equal(a.value[1], (k / 2) % 3);
        assert_int_equal(a.value[0], (k / 6) % 2);
    }
    /* limits, and nothing changes on failure */
    assert_int_equal(mlp_plan_sample(&small, MLP_PLAN_RANDOM, 9, 100, &err), MLP_ERR_USAGE);
    assert_string_equal(err.msg, "sweep: 9 samples of 12 runs each make 108 runs, over the "
                                 "limit of 100");
    assert_int_equal(small.n_runs, 36);
    assert_int_equal(mlp_plan_sample(&small, MLP_PLAN_RANDOM, 0, 0, &err), MLP_ERR_USAGE);
    assert_int_equal(mlp_plan_sample(&small, MLP_PLAN_GRID, 2, 0, &err), MLP_ERR_USAGE);
}

/* Unit point i depends on (seed, i) only: the same whatever the number of
 * samples, different for another seed; every coordinate in (0, 1). */
static void test_plan_unit_points_depend_on_seed_and_sample(void **state)
{
    mlp_plan p, q, r;
    mlp_sobol sob;
    mlp_error err;
    double u[4], v[4];

    (void)state;
    assert_int_equal(mlp_plan_init(&p, NULL, 0, 1, 5, 0, &err), MLP_OK);
    q = p;
    assert_int_equal(mlp_plan_init(&r, NULL, 0, 1, 6, 0, &err), MLP_OK);
    assert_int_equal(mlp_plan_sample(&p, MLP_PLAN_RANDOM, 10, 0, &err), MLP_OK);
    assert_int_equal(mlp_plan_sample(&q, MLP_PLAN_RANDOM, 1000, 0, &err), MLP_OK);
    assert_int_equal(mlp_plan_sample(&r, MLP_PLAN_RANDOM, 10, 0, &err), MLP_OK);
    for (size_t i = 0; i < 10; i++) {
        mlp_plan_unit_point(&p, NULL, i, 4, u);
        mlp_plan_unit_point(&q, NULL, i, 4, v);
        assert_memory_equal(u, v, sizeof(u));
        mlp_plan_unit_point(&r, NULL, i, 4, v);
        assert_true(u[0] != v[0]);
        for (size_t j = 0; j < 4; j++)
            assert_true(u[j] > 0 && u[j] < 1);
    }
    assert_int_equal(mlp_sobol_init(&sob, 33, 1, 5, &err), MLP_ERR_USAGE);
}

/* Pearson's chi-square of counts against expected counts. */
static double chi_square(const size_t *count, const double *expect, size_t n)
{
    double x = 0;
    for (size_t i = 0; i < n; i++)
        x += ((double)count[i] - expect[i]) * ((double)count[i] - expect[i]) / expect[i];
    return x;
}

#define DRAWS 20000
#define BINS 50
/* chi-square with 49 degrees of freedom exceeds 85.35 with probability 0.001 */
#define CHI2_49_999 85.35

/* Values of dist at the first n random unit points of seed 2024 (the j-th
 * coordinate). */
static void draw(const mlp_dist *d, size_t j, double *x, size_t n)
{
    mlp_plan p;
    mlp_error err;
    double u[3];

    assert_int_equal(mlp_plan_init(&p, NULL, 0, 1, 2024, 0, &err), MLP_OK);
    assert_int_equal(mlp_plan_sample(&p, MLP_PLAN_RANDOM, n, 0, &err), MLP_OK);
    for (size_t i = 0; i < n; i++) {
        mlp_plan_unit_point(&p, NULL, i, 3, u);
        x[i] = mlp_dist_quantile(d, u[j]);
    }
}

/* chi-square of x[0..n) in BINS equal bins of [lo, hi) against a flat count */
static double flat_chi2(const double *x, size_t n, double lo, double hi)
{
    size_t count[BINS] = {0};
    double expect[BINS];
    for (size_t i = 0; i < n; i++) {
        assert_true(x[i] >= lo && x[i] < hi);
        count[(size_t)((x[i] - lo) / (hi - lo) * BINS)]++;
    }
    for (size_t b = 0; b < BINS; b++)
        expect[b] = (double)n / BINS;
    return chi_square(count, expect, BINS);
}

/* Uniform and log-uniform values pass a chi-square test of flatness (the
 * log-uniform in log), at a fixed seed so the test cannot flake; squared
 * uniforms, and log-uniform values binned linearly, fail it. */
static void test_plan_uniform_chi_square(void **state)
{
    static double x[DRAWS], y[DRAWS];
    mlp_dist d = {.kind = MLP_DIST_UNIFORM, .lo = -2, .hi = 3};
    mlp_dist l = {.kind = MLP_DIST_LOG_UNIFORM, .lo = 1e-5, .hi = 1e-1};

    (void)state;
    for (size_t j = 0; j < 3; j++) {
        draw(&d, j, x, DRAWS);
        assert_true(flat_chi2(x, DRAWS, -2, 3) < CHI2_49_999);
    }
    for (size_t i = 0; i < DRAWS; i++)
        y[i] = -2 + 5 * ((x[i] + 2) / 5) * ((x[i] + 2) / 5);
    assert_true(flat_chi2(y, DRAWS, -2, 3) > 10 * CHI2_49_999);

    draw(&l, 1, x, DRAWS);
    for (size_t i = 0; i < DRAWS; i++) {
        assert_true(x[i] >= 1e-5 && x[i] <= 1e-1);
        y[i] = log10(x[i]);
    }
    assert_true(flat_chi2(y, DRAWS, -5, -1 + 1e-12) < CHI2_49_999);
    /* linearly the values crowd near low: not uniform */
    assert_true(flat_chi2(x, DRAWS, 0, 0.1 + 1e-12) > 10 * CHI2_49_999);
}

/* Integers of [lo, hi] equally often; choices as often as their weights. */
static void test_plan_int_and_choice_chi_square(void **state)
{
    static double x[DRAWS];
    const double w[4] = {1, 2, 0, 5};
    mlp_dist d = {.kind = MLP_DIST_INT_UNIFORM, .lo = 4, .hi = 13};
    mlp_dist c = {.kind = MLP_DIST_CHOICE, .n_choices = 4, .weights = w};
    size_t count[10] = {0};
    double expect[10];
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_dist_check(&d, &err), MLP_OK);
    assert_int_equal(mlp_dist_check(&c, &err), MLP_OK);
    draw(&d, 0, x, DRAWS);
    for (size_t i = 0; i < DRAWS; i++) {
        assert_true(x[i] == floor(x[i]) && x[i] >= 4 && x[i] <= 13);
        count[(size_t)x[i] - 4]++;
    }
    for (size_t b = 0; b < 10; b++)
        expect[b] = DRAWS / 10.0;
    /* 9 degrees of freedom: 27.88 at probability 0.001 */
    assert_true(chi_square(count, expect, 10) < 27.88);

    memset(count, 0, sizeof(count));
    draw(&c, 2, x, DRAWS);
    for (size_t i = 0; i < DRAWS; i++)
        count[(size_t)x[i]]++;
    assert_int_equal(count[2], 0); /* weight 0: never */
    size_t kept[3] = {count[0], count[1], count[3]};
    double want[3] = {DRAWS / 8.0, DRAWS * 2 / 8.0, DRAWS * 5 / 8.0};
    /* 2 degrees of freedom: 13.82 at probability 0.001 */
    assert_true(chi_square(kept, want, 3) < 13.82);
    double equal[3] = {DRAWS / 3.0, DRAWS / 3.0, DRAWS / 3.0};
    assert_true(chi_square(kept, equal, 3) > 13.82);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Kolmogorov-Smirnov statistic sqrt(n) D of sorted x against N(mean, std). */
static double ks_normal(const double *x, size_t n, double mean, double std)
{
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        double f = 0.5 * erfc(-(x[i] - mean) / std / sqrt(2.0));
        double lo = f - (double)i / (double)n, hi = (double)(i + 1) / (double)n - f;
        d = fmax(d, fmax(lo, hi));
    }
    return sqrt((double)n) * d;
}

/* Normal values pass a Kolmogorov-Smirnov test at a fixed seed (1.95 is
 * exceeded with probability 0.001); against a wrong std they fail it. The
 * quantile function matches known values of Phi^-1. */
static void test_plan_normal_ks(void **state)
{
    static double x[DRAWS];
    mlp_dist d = {.kind = MLP_DIST_NORMAL, .mean = 0.9, .std = 0.05};

    (void)state;
    assert_true(fabs(mlp_normal_quantile(0.975) - 1.959963984540054) < 1e-13);
    assert_true(fabs(mlp_normal_quantile(0.5)) < 1e-15);
    assert_true(fabs(mlp_normal_quantile(1e-10) + 6.361340902404056) < 1e-11);
    assert_true(fabs(mlp_normal_quantile(0.8413447460685429) - 1.0) < 1e-13);
    draw(&d, 0, x, DRAWS);
    qsort(x, DRAWS, sizeof(x[0]), cmp_double);
    assert_true(ks_normal(x, DRAWS, 0.9, 0.05) < 1.95);
    assert_true(ks_normal(x, DRAWS, 0.9, 0.06) > 1.95);
}

/* The first 64 points of the unscrambled 32-dimensional Sobol sequence, times
 * 64, as SciPy 1.10's scipy.stats.qmc.Sobol(d=32, scramble=False) gives them
 * (its direction numbers are Joe and Kuo's new-joe-kuo-6.21201). */
static const unsigned char sobol_ref[64][32] = {
    { 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0},
    {32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32},
    {48, 16, 16, 16, 48, 48, 16, 48, 48, 48, 48, 48, 16, 16, 48, 16, 48, 16, 48, 16, 16, 48, 16, 16, 16, 48, 16, 48, 16, 48, 16, 16},
    {16, 48, 48, 48, 16, 16, 48, 16, 16, 16, 16, 16, 48, 48, 16, 48, 16, 48, 16, 48, 48, 16, 48, 48, 48, 16, 48, 16, 48, 16, 48, 48},
    {24, 24, 40, 56, 24,  8, 24, 56, 56, 40, 56, 24, 24, 40, 24, 56, 24, 56, 56,  8,  8,  8, 24, 56, 56, 56, 24, 40,  8,  8, 24,  8},
    {56, 56,  8, 24, 56, 40, 56, 24, 24,  8, 24, 56, 56,  8, 56, 24, 56, 24, 24, 40, 40, 40, 56, 24, 24, 24, 56,  8, 40, 40, 56, 40},
    {40,  8, 56, 40, 40, 56,  8,  8,  8, 24,  8, 40,  8, 56, 40, 40, 40, 40,  8, 24, 24, 56,  8, 40, 40,  8,  8, 24, 24, 56,  8, 24},
    { 8, 40, 24,  8,  8, 24, 40, 40, 40, 56, 40,  8, 40, 24,  8,  8,  8,  8, 40, 56, 56, 24, 40,  8,  8, 40, 40, 56, 56, 24, 40, 56},
    {12, 20, 60, 28, 36, 20, 28, 60, 60, 20, 44,  4, 60, 60, 52, 60, 52, 52, 60, 20, 12, 44, 12, 60, 28,  4, 36, 12, 44, 60, 28, 52},
    {44, 52, 28, 60,  4, 52, 60, 28, 28, 52, 12, 36, 28, 28, 20, 28, 20, 20, 28, 52, 44, 12, 44, 28, 60, 36,  4, 44, 12, 28, 60, 20},
    {60,  4, 44, 12, 20, 36, 12, 12, 12, 36, 28, 52, 44, 44,  4, 44,  4, 36, 12,  4, 28, 28, 28, 44, 12, 52, 52, 60, 60, 12, 12, 36},
    {28, 36, 12, 44, 52,  4, 44, 44, 44,  4, 60, 20, 12, 12, 36, 12, 36,  4, 44, 36, 60, 60, 60, 12, 44, 20, 20, 28, 28, 44, 44,  4},
    {20, 12, 20, 36, 60, 28,  4,  4,  4, 60, 20, 28, 36, 20, 44,  4, 44, 12,  4, 28,  4, 36, 20,  4, 36, 60, 60, 36, 36, 52,  4, 60},
    {52, 44, 52,  4, 28, 60, 36, 36, 36, 28, 52, 60,  4, 52, 12, 36, 12, 44, 36, 60, 36,  4, 52, 36,  4, 28, 28,  4,  4, 20, 36, 28},
    {36, 28,  4, 52, 12, 44, 20, 52, 52, 12, 36, 44, 52,  4, 28, 20, 28, 28, 52, 12, 20, 20,  4, 20, 52, 12, 44, 20, 52,  4, 20, 44},
    { 4, 60, 36, 20, 44, 12, 52, 20, 20, 44,  4, 12, 20, 36, 60, 52, 60, 60, 20, 44, 52, 52, 36, 52, 20, 44, 12, 52, 20, 36, 52, 12},
    { 6, 30, 30, 42, 18, 62, 34, 54, 30, 10,  6, 26, 42, 42, 22,  2, 50, 38, 50,  2, 46, 58, 38, 38, 34, 10, 10, 54, 14, 22, 26, 22},
    {38, 62, 62, 10, 50, 30,  2, 22, 62, 42, 38, 58, 10, 10, 54, 34, 18,  6, 18, 34, 14, 26,  6,  6,  2, 42, 42, 22, 46, 54, 58, 54},
    {54, 14, 14, 58, 34, 14, 50,  6, 46, 58, 54, 42, 58, 58, 38, 18,  2, 54,  2, 18, 62, 10, 54, 54, 50, 58, 26,  6, 30, 38, 10,  6},
    {22, 46, 46, 26,  2, 46, 18, 38, 14, 26, 22, 10, 26, 26,  6, 50, 34, 22, 34, 50, 30, 42, 22, 22, 18, 26, 58, 38, 62,  6, 42, 38},
    {30,  6, 54, 18, 10, 54, 58, 14, 38, 34, 62,  2, 50,  2, 14, 58, 42, 30, 10, 10, 38, 50, 62, 30, 26, 50, 18, 30,  6, 30,  2, 30},
    {62, 38, 22, 50, 42, 22, 26, 46,  6,  2, 30, 34, 18, 34, 46, 26, 10, 62, 42, 42,  6, 18, 30, 62, 58, 18, 50, 62, 38, 62, 34, 62},
    {46, 22, 38,  2, 58,  6, 42, 62, 22, 18, 14, 50, 34, 18, 62, 42, 26, 14, 58, 26, 54,  2, 46, 14, 10,  2,  2, 46, 22, 46, 18, 14},
    {14, 54,  6, 34, 26, 38, 10, 30, 54, 50, 46, 18,  2, 50, 30, 10, 58, 46, 26, 58, 22, 34, 14, 46, 42, 34, 34, 14, 54, 14, 50, 46},
    {10, 10, 34, 54, 54, 42, 62, 10, 34, 30, 42, 30, 22, 22, 34, 62,  6, 18, 14, 22, 34, 22, 42, 26, 62, 14, 46, 58, 34, 42,  6, 34},
    {42, 42,  2, 22, 22, 10, 30, 42,  2, 62, 10, 62, 54, 54,  2, 30, 38, 50, 46, 54,  2, 54, 10, 58, 30, 46, 14, 26,  2, 10, 38,  2},
    {58, 26, 50, 38,  6, 26, 46, 58, 18, 46, 26, 46,  6,  6, 18, 46, 54,  2, 62,  6, 50, 38, 58, 10, 46, 62, 62, 10, 50, 26, 22, 50},
    {26, 58, 18,  6, 38, 58, 14, 26, 50, 14, 58, 14, 38, 38, 50, 14, 22, 34, 30, 38, 18,  6, 26, 42, 14, 30, 30, 42, 18, 58, 54, 18},
    {18, 18, 10, 14, 46, 34, 38, 50, 26, 54, 18,  6, 14, 62, 58,  6, 30, 42, 54, 30, 42, 30, 50, 34,  6, 54, 54, 18, 42, 34, 30, 42},
    {50, 50, 42, 46, 14,  2,  6, 18, 58, 22, 50, 38, 46, 30, 26, 38, 62, 10, 22, 62, 10, 62, 18,  2, 38, 22, 22, 50, 10,  2, 62, 10},
    {34,  2, 26, 30, 30, 18, 54,  2, 42,  6, 34, 54, 30, 46, 10, 22, 46, 58,  6, 14, 58, 46, 34, 50, 22,  6, 38, 34, 58, 18, 14, 58},
    { 2, 34, 58, 62, 62, 50, 22, 34, 10, 38,  2, 22, 62, 14, 42, 54, 14, 26, 38, 46, 26, 14,  2, 18, 54, 38,  6,  2, 26, 50, 46, 26},
    { 3, 17, 45, 35,  9, 59, 51, 43, 63,  3, 25, 61, 29, 63, 63,  7, 11,  3, 27, 33, 21, 45, 27, 49, 11, 15, 11, 17,  9, 47, 47, 33},
    {35, 49, 13,  3, 41, 27, 19, 11, 31, 35, 57, 29, 61, 31, 31, 39, 43, 35, 59,  1, 53, 13, 59, 17, 43, 47, 43, 49, 41, 15, 15,  1},
    {51,  1, 61, 51, 57, 11, 35, 27, 15, 51, 41, 13, 13, 47, 15, 23, 59, 19, 43, 49,  5, 29, 11, 33, 27, 63, 27, 33, 25, 31, 63, 49},
    {19, 33, 29, 19, 25, 43,  3, 59, 47, 19,  9, 45, 45, 15, 47, 55, 27, 51, 11, 17, 37, 61, 43,  1, 59, 31, 59,  1, 57, 63, 31, 17},
    {27,  9,  5, 27, 17, 51, 43, 19,  7, 43, 33, 37,  5, 23, 39, 63, 19, 59, 35, 41, 29, 37,  3,  9, 51, 55, 19, 57,  1, 39, 55, 41},
    {59, 41, 37, 59, 49, 19, 11, 51, 39, 11,  1,  5, 37, 55,  7, 31, 51, 27,  3,  9, 61,  5, 35, 41, 19, 23, 51, 25, 33,  7, 23,  9},
    {43, 25, 21, 11, 33,  3, 59, 35, 55, 27, 17, 21, 21,  7, 23, 47, 35, 43, 19, 57, 13, 21, 19, 25, 35,  7,  3,  9, 17, 23, 39, 57},
    {11, 57, 53, 43,  1, 35, 27,  3, 23, 59, 49, 53, 53, 39, 55, 15,  3, 11, 51, 25, 45, 53, 51, 57,  3, 39, 35, 41, 49, 55,  7, 25},
    {15,  5, 17, 63, 45, 47, 47, 23,  3, 23, 53, 57, 33,  3, 11, 59, 63, 55, 39, 53, 25,  1, 23, 13, 23, 11, 47, 29, 37, 19, 51, 21},
    {47, 37, 49, 31, 13, 15, 15, 55, 35, 55, 21, 25,  1, 35, 43, 27, 31, 23,  7, 21, 57, 33, 55, 45, 55, 43, 15, 61,  5, 51, 19, 53},
    {63, 21,  1, 47, 29, 31, 63, 39, 51, 39,  5,  9, 49, 19, 59, 43, 15, 39, 23, 37,  9, 49,  7, 29,  7, 59, 63, 45, 53, 35, 35,  5},
    {31, 53, 33, 15, 61, 63, 31,  7, 19,  7, 37, 41, 17, 51, 27, 11, 47,  7, 55,  5, 41, 17, 39, 61, 39, 27, 31, 13, 21,  3,  3, 37},
    {23, 29, 57,  7, 53, 39, 55, 47, 59, 63, 13, 33, 57, 43, 19,  3, 39, 15, 31, 61, 17,  9, 15, 53, 47, 51, 55, 53, 45, 27, 43, 29},
    {55, 61, 25, 39, 21,  7, 23, 15, 27, 31, 45,  1, 25, 11, 51, 35,  7, 47, 63, 29, 49, 41, 47, 21, 15, 19, 23, 21, 13, 59, 11, 61},
    {39, 13, 41, 23,  5, 23, 39, 31, 11, 15, 61, 17, 41, 59, 35, 19, 23, 31, 47, 45,  1, 57, 31, 37, 63,  3, 39,  5, 61, 43, 59, 13},
    { 7, 45,  9, 55, 37, 55,  7, 63, 43, 47, 29, 49,  9, 27,  3, 51, 55, 63, 15, 13, 33, 25, 63,  5, 31, 35,  7, 37, 29, 11, 27, 45},
    { 5, 15, 51,  9, 27,  5, 17, 29, 33,  9, 31, 39, 55, 21, 41,  5, 57, 37, 41, 35, 59, 23, 61, 23, 41,  5,  1, 39,  7, 57, 53, 55},
    {37, 47, 19, 41, 59, 37, 49, 61,  1, 41, 63,  7, 23, 53,  9, 37, 25,  5,  9,  3, 27, 55, 29, 55,  9, 37, 33,  7, 39, 25, 21, 23},
    {53, 31, 35, 25, 43, 53,  1, 45, 17, 57, 47, 23, 39,  5, 25, 21,  9, 53, 25, 51, 43, 39, 45,  7, 57, 53, 17, 23, 23,  9, 37, 39},
    {21, 63,  3, 57, 11, 21, 33, 13, 49, 25, 15, 55,  7, 37, 57, 53, 41, 21, 57, 19, 11,  7, 13, 39, 25, 21, 49, 55, 55, 41,  5,  7},
    {29, 23, 27, 49,  3, 13,  9, 37, 25, 33, 39, 63, 47, 61, 49, 61, 33, 29, 17, 43, 51, 31, 37, 47, 17, 61, 25, 15, 15, 49, 45, 63},
    {61, 55, 59, 17, 35, 45, 41,  5, 57,  1,  7, 31, 15, 29, 17, 29,  1, 61, 49, 11, 19, 63,  5, 15, 49, 29, 57, 47, 47, 17, 13, 31},
    {45,  7, 11, 33, 51, 61, 25, 21, 41, 17, 23, 15, 63, 45,  1, 45, 17, 13, 33, 59, 35, 47, 53, 63,  1, 13,  9, 63, 31,  1, 61, 47},
    {13, 39, 43,  1, 19, 29, 57, 53,  9, 49, 55, 47, 31, 13, 33, 13, 49, 45,  1, 27,  3, 15, 21, 31, 33, 45, 41, 31, 63, 33, 29, 15},
    { 9, 27, 15, 21, 63, 17, 13, 33, 29, 29, 51, 35, 11, 41, 29, 57, 13, 17, 21, 55, 55, 59, 49, 43, 53,  1, 37, 43, 43,  5, 41,  3},
    {41, 59, 47, 53, 31, 49, 45,  1, 61, 61, 19,  3, 43,  9, 61, 25, 45, 49, 53, 23, 23, 27, 17, 11, 21, 33,  5, 11, 11, 37,  9, 35},
    {57, 11, 31,  5, 15, 33, 29, 17, 45, 45,  3, 19, 27, 57, 45, 41, 61,  1, 37, 39, 39, 11, 33, 59, 37, 49, 53, 27, 59, 53, 57, 19},
    {25, 43, 63, 37, 47,  1, 61, 49, 13, 13, 35, 51, 59, 25, 13,  9, 29, 33,  5,  7,  7, 43,  1, 27,  5, 17, 21, 59, 27, 21, 25, 51},
    {17,  3, 39, 45, 39, 25, 21, 25, 37, 53, 11, 59, 19,  1,  5,  1, 21, 41, 45, 63, 63, 51, 41, 19, 13, 57, 61,  3, 35, 13, 49, 11},
    {49, 35,  7, 13,  7, 57, 53, 57,  5, 21, 43, 27, 51, 33, 37, 33, 53,  9, 13, 31, 31, 19,  9, 51, 45, 25, 29, 35,  3, 45, 17, 43},
    {33, 19, 55, 61, 23, 41,  5, 41, 21,  5, 59, 11,  3, 17, 53, 17, 37, 57, 29, 47, 47,  3, 57,  3, 29,  9, 45, 51, 51, 61, 33, 27},
    { 1, 51, 23, 29, 55,  9, 37,  9, 53, 37, 27, 43, 35, 49, 21, 49,  5, 25, 61, 15, 15, 35, 25, 35, 61, 41, 13, 19, 19, 29,  1, 59},
};

static void test_plan_sobol_matches_reference(void **state)
{
    mlp_sobol s;
    mlp_error err;
    double x[MLP_SOBOL_MAX_DIMS];

    (void)state;
    assert_int_equal(mlp_sobol_init(&s, MLP_SOBOL_MAX_DIMS, 0, 0, &err), MLP_OK);
    for (size_t i = 0; i < 64; i++) {
        mlp_sobol_point(&s, i, x);
        for (size_t j = 0; j < MLP_SOBOL_MAX_DIMS; j++)
            if (x[j] * 64 != (double)sobol_ref[i][j])
                fail_msg("point %zu, dimension %zu: %.17g, want %d/64", i, j + 1, x[j],
                         sobol_ref[i][j]);
    }
    /* one point by hand from the direction numbers of dimension 3: x^2 + x + 1
     * (s = 2, a = 1), m_1 = 1, m_2 = 3, and by the recurrence m_3 = 2 a m_2 ^
     * 4 m_1 ^ m_1 = 6 ^ 4 ^ 1 = 3.  Point 5 has Gray code 5 ^ 2 = 7 (bits 0, 1,
     * 2): m_1/2 ^ m_2/4 ^ m_3/8 = 0.100 ^ 0.110 ^ 0.011 (binary) = 0.001 = 1/8 */
    mlp_sobol_point(&s, 5, x);
    assert_true(x[2] == 0.125);
    mlp_sobol_point(&s, 1000, x);
    assert_true(x[0] >= 0 && x[0] < 1);
}

/* Scrambled: a function of the seed, different from the plain sequence and
 * from another seed's, and still a net: the first 2^m points put exactly
 * one point in each interval [i/2^m, (i+1)/2^m) of every dimension. */
static void test_plan_sobol_scrambled_is_a_net(void **state)
{
    mlp_sobol a, b, c, plain;
    mlp_error err;
    double x[MLP_SOBOL_MAX_DIMS], y[MLP_SOBOL_MAX_DIMS], z[MLP_SOBOL_MAX_DIMS];
    unsigned char seen[MLP_SOBOL_MAX_DIMS][256];

    (void)state;
    assert_int_equal(mlp_sobol_init(&a, MLP_SOBOL_MAX_DIMS, 1, 7, &err), MLP_OK);
    assert_int_equal(mlp_sobol_init(&b, MLP_SOBOL_MAX_DIMS, 1, 7, &err), MLP_OK);
    assert_int_equal(mlp_sobol_init(&c, MLP_SOBOL_MAX_DIMS, 1, 8, &err), MLP_OK);
    assert_int_equal(mlp_sobol_init(&plain, MLP_SOBOL_MAX_DIMS, 0, 7, &err), MLP_OK);
    memset(seen, 0, sizeof(seen));
    size_t differ_seed = 0, differ_plain = 0;
    for (size_t i = 0; i < 256; i++) {
        mlp_sobol_point(&a, i, x);
        mlp_sobol_point(&b, i, y);
        assert_memory_equal(x, y, sizeof(x));
        mlp_sobol_point(&c, i, y);
        mlp_sobol_point(&plain, i, z);
        for (size_t j = 0; j < MLP_SOBOL_MAX_DIMS; j++) {
            differ_seed += x[j] != y[j];
            differ_plain += x[j] != z[j];
            seen[j][(size_t)(x[j] * 256)]++;
        }
    }
    assert_true(differ_seed > 256 * MLP_SOBOL_MAX_DIMS * 9 / 10);
    assert_true(differ_plain > 256 * MLP_SOBOL_MAX_DIMS * 9 / 10);
    for (size_t j = 0; j < MLP_SOBOL_MAX_DIMS; j++)
        for (size_t k = 0; k < 256; k++)
            if (seen[j][k] != 1)
                fail_msg("dimension %zu: %d points in [%zu/256, %zu/256)", j + 1, seen[j][k], k,
                         k + 1);
}

/* ---- successive halving --------------------------------------------------- */

/* Rungs at min * eta^r below the full budget, then the full budget. */
static void test_plan_halving_rungs(void **state)
{
    mlp_halving h;
    mlp_error err;
    size_t runs[MLP_HALVING_MAX_RUNGS];

    (void)state;
    assert_int_equal(mlp_halving_init(&h, 10, 3, 90, 1, MLP_METRIC_TEST_ACCURACY, &err), MLP_OK);
    assert_int_equal(h.n_rungs, 3);
    assert_int_equal(h.budget[0], 10);
    assert_int_equal(h.budget[1], 30);
    assert_int_equal(h.budget[2], 90);
    assert_int_equal(mlp_halving_init(&h, 10, 3, 100, 2, MLP_METRIC_TEST_LOSS, &err), MLP_OK);
    assert_int_equal(h.n_rungs, 3); /* 10 30 100: 90 would leave a last step of 10 */
    assert_int_equal(h.budget[1], 30);
    assert_int_equal(h.budget[2], 100);
    assert_int_equal(mlp_halving_init(&h, 10, 3, 270, 2, MLP_METRIC_TEST_LOSS, &err), MLP_OK);
    assert_int_equal(h.n_rungs, 4); /* 10 30 90 270 */
    /* 2 brackets of S = 3 (rungs 0 .. 3): weights n_s = ceil(4/(s+1) 3^s),
     * 27 for s = 3 (bracket 0), 12 for s = 2 (bracket 1), period 39.  The
     * smooth weighted round robin by hand, current (c0, c1) after each run:
     *   run 0: (27, 12) -> 0 (-12, 12)   run 1: (15, 24) -> 1 (15, -15)
     *   run 2: (42, -3) -> 0 (3, -3)     run 3: (30, 9)  -> 0 (-9, 9)
     *   run 4: (18, 21) -> 1 (18, -18)   run 5: (45, -6) -> 0 (6, -6)
     *   run 6: (33, 6)  -> 0 (-6, 6)     run 7: (21, 18) -> 0 (-18, 18)
     *   run 8: (9, 30)  -> 1 (9, -9)
     * 9 runs: 0 2 3 5 6 7 from rung 0, 1 4 8 from rung 1 (27:12 is 6:2.7) */
    assert_int_equal(h.weight[0], 27);
    assert_int_equal(h.weight[1], 12);
    assert_int_equal(h.period, 39);
    {
        static const size_t want[9] = {0, 1, 0, 0, 1, 0, 0, 0, 1};
        size_t got[100], count[MLP_HALVING_MAX_RUNGS], n0 = 0;

        mlp_halving_assign(&h, 100, got);
        for (size_t k = 0; k < 9; k++)
            assert_int_equal(got[k], want[k]);
        for (size_t k = 0; k < 39; k++)
            n0 += got[k] == 0;
        assert_int_equal(n0, 27); /* a period deals each bracket its weight */
        for (size_t k = 39; k < 100; k++)
            assert_int_equal(got[k], got[k - 39]); /* and repeats */
        mlp_halving_counts(&h, 9, count);
        assert_int_equal(count[0], 6);
        assert_int_equal(count[1], 3);
        mlp_halving_counts(&h, 39 + 9, count);
        assert_int_equal(count[0], 27 + 6);
        assert_int_equal(count[1], 12 + 3);
        assert_int_equal(count[2], 0);
    }
    /* bracket 0: 6 runs x 10, 2 x 20 more, 1 x 60 more, 1 x 180 more */
    assert_true(mlp_halving_plan(&h, 0, 6, runs) == 60 + 40 + 60 + 180);
    assert_int_equal(runs[0], 6);
    assert_int_equal(runs[1], 2);
    assert_int_equal(runs[3], 1);
    /* bracket 1: 3 runs x 30, 1 x 60 more, 1 x 180 more */
    assert_true(mlp_halving_plan(&h, 1, 3, runs) == 90 + 60 + 180);
    assert_int_equal(runs[0], 0);
    assert_int_equal(runs[1], 3);
    /* Hyperband's own example (Li et al. 2018, table 1: R = 81, eta = 3):
     * every bracket, the last (s = 0) at the full budget alone */
    assert_int_equal(mlp_halving_init(&h, 1, 3, 81, 5, MLP_METRIC_TEST_LOSS, &err), MLP_OK);
    assert_int_equal(h.n_rungs, 5);
    assert_int_equal(h.weight[0], 81);
    assert_int_equal(h.weight[1], 34);
    assert_int_equal(h.weight[2], 15);
    assert_int_equal(h.weight[3], 8);
    assert_int_equal(h.weight[4], 5);
    assert_true(mlp_halving_plan(&h, 4, 5, runs) == 5 * 81);
    assert_int_equal(runs[4], 5);
    /* one bracket: every run in it */
    assert_int_equal(mlp_halving_init(&h, 10, 3, 90, 1, MLP_METRIC_TEST_LOSS, &err), MLP_OK);
    {
        size_t got[5];
        mlp_halving_assign(&h, 5, got);
        for (size_t k = 0; k < 5; k++)
            assert_int_equal(got[k], 0);
    }
    assert_int_equal(mlp_halving_keep(&h, 8), 2);
    assert_int_equal(mlp_halving_keep(&h, 2), 1);
    /* refusals */
    assert_int_equal(mlp_halving_init(&h, 90, 3, 90, 1, 0, &err), MLP_ERR_USAGE);
    assert_int_equal(mlp_halving_init(&h, 31, 3, 90, 1, 0, &err), MLP_ERR_USAGE);
    assert_string_equal(err.msg, "halving: min_iterations times eta (31 x 3) must not exceed "
                                 "train.iterations (90), or no run is ever stopped");
    assert_int_equal(mlp_halving_init(&h, 0, 3, 90, 1, 0, &err), MLP_ERR_USAGE);
    assert_int_equal(mlp_halving_init(&h, 10, 1, 90, 1, 0, &err), MLP_ERR_USAGE);
    assert_int_equal(mlp_halving_init(&h, 10, 3, 90, 4, 0, &err), MLP_ERR_USAGE);
    assert_string_equal(err.msg, "halving: brackets must be between 1 and 3 (the rungs), got 4");
}

/* A hand-computed example: 9 runs, eta 3, test accuracy (larger is better).
 *   rung 0 accuracies: run 0 .70, 1 .90, 2 .80, 3 .90, 4 .60, 5 .85, 6 NaN (diverged
 *   at the rung), 7 .90, 8 .50.  Best first: .90 (runs 1, 3, 7: by index), .85, .80,
 *   .70, .60, .50, NaN.  Keep floor(9/3) = 3: runs 1, 3, 7.
 *   rung 1 accuracies: run 1 .91, 3 .95, 7 .95: keep floor(3/3) = 1: run 3 (.95, the
 *   smaller index of the tie with 7).
 * With a loss (smaller is better) the same numbers rank the other way round. */
static void test_plan_halving_hand_example(void **state)
{
    size_t idx[9] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    double acc[9] = {0.70, 0.90, 0.80, 0.90, 0.60, 0.85, NAN, 0.90, 0.50};
    const size_t want0[9] = {1, 3, 7, 5, 2, 0, 4, 8, 6};
    size_t idx1[3] = {7, 3, 1};
    double acc1[3] = {0.95, 0.95, 0.91};
    size_t idx2[9] = {8, 7, 6, 5, 4, 3, 2, 1, 0};
    double loss[9] = {0.50, 0.90, NAN, 0.85, 0.60, 0.90, 0.80, 0.90, 0.70};
    const size_t want2[9] = {8, 4, 0, 2, 5, 1, 3, 7, 6};
    mlp_halving h;
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_halving_init(&h, 10, 3, 90, 1, MLP_METRIC_TEST_ACCURACY, &err), MLP_OK);
    assert_true(mlp_halving_maximize(MLP_METRIC_TEST_ACCURACY));
    mlp_halving_rank(idx, acc, 9, true);
    for (size_t i = 0; i < 9; i++)
        assert_int_equal(idx[i], want0[i]);
    assert_int_equal(mlp_halving_keep(&h, 9), 3);
    mlp_halving_rank(idx1, acc1, 3, true);
    assert_int_equal(mlp_halving_keep(&h, 3), 1);
    assert_int_equal(idx1[0], 3);
    assert_int_equal(idx1[1], 7);
    assert_int_equal(idx1[2], 1);
    /* a loss, given for runs 8, 7, ..., 0: run 8 .50, 7 .90, 6 NaN, 5 .85, 4 .60,
     * 3 .90, 2 .80, 1 .90, 0 .70.  The smallest first: 8, 4, 0, 2, 5, then the
     * .90 of runs 1, 3, 7 by index, NaN (run 6) last */
    assert_false(mlp_halving_maximize(MLP_METRIC_TEST_LOSS));
    mlp_halving_rank(idx2, loss, 9, false);
    for (size_t i = 0; i < 9; i++)
        assert_int_equal(idx2[i], want2[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_product),
        cmocka_unit_test(test_plan_row_major_repeats_innermost),
        cmocka_unit_test(test_plan_seeds_depend_on_seed_and_index),
        cmocka_unit_test(test_plan_errors),
        cmocka_unit_test(test_plan_range_step_integers),
        cmocka_unit_test(test_plan_range_step_fractions),
        cmocka_unit_test(test_plan_range_step_errors),
        cmocka_unit_test(test_plan_range_num),
        cmocka_unit_test(test_plan_range_num_errors),
        cmocka_unit_test(test_plan_samples_outermost),
        cmocka_unit_test(test_plan_unit_points_depend_on_seed_and_sample),
        cmocka_unit_test(test_plan_uniform_chi_square),
        cmocka_unit_test(test_plan_int_and_choice_chi_square),
        cmocka_unit_test(test_plan_normal_ks),
        cmocka_unit_test(test_plan_sobol_matches_reference),
        cmocka_unit_test(test_plan_sobol_scrambled_is_a_net),
        cmocka_unit_test(test_plan_halving_rungs),
        cmocka_unit_test(test_plan_halving_hand_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
