/* test_plan.c -- sweep expansion (product, row-major order, repeats, seeds,
 * limits) and range expansion (step and count forms). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "plan/plan.h"
#include "base/rng.h"

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
