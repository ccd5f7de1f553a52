/* test_buildorder.c -- the order a sweep file takes its runs in
 * (base/buildorder.h): groups by widths and iterations, by hand, ties, and
 * a larger random case checked for its invariants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buildorder.h"
#include "base/rng.h"

/* The runs' groups from their widths (3 layers each) and iterations. */
static void groups_of(size_t n, const size_t (*width)[3], const size_t *iterations,
                      size_t *group, double *size)
{
    mlp_grouper *g = mlp_grouper_new(n);

    assert_non_null(g);
    for (size_t k = 0; k < n; k++)
        group[k] = mlp_grouper_add(g, k, width[k], 3, iterations[k], &size[k]);
    mlp_grouper_free(g);
}

/* Worked by hand: sizes are (2*3 + 3*1) * 10 = 90 for [2, 3, 1] over 10
 * iterations, 150 for [2, 5, 1], 120 for [2, 4, 1], 180 for [2, 3, 1] over
 * 20.  Groups: {0, 1, 3} 90, {2} 150, {4} 120, {5} 180. */
static void test_buildorder_by_hand(void **state)
{
    const size_t width[6][3] = {{2, 3, 1}, {2, 3, 1}, {2, 5, 1}, {2, 3, 1}, {2, 4, 1}, {2, 3, 1}};
    const size_t iterations[6] = {10, 10, 10, 10, 10, 20};
    const size_t want_group[6] = {0, 0, 2, 0, 4, 5}, want_order[6] = {5, 2, 4, 0, 1, 3};
    const double want_size[6] = {90, 90, 150, 90, 120, 180};
    const bool want_last[6] = {false, false, true, true, true, true};
    size_t group[6], order[6];
    double size[6];
    bool last[6];

    (void)state;
    groups_of(6, width, iterations, group, size);
    assert_memory_equal(group, want_group, sizeof(group));
    for (int k = 0; k < 6; k++)
        assert_true(size[k] == want_size[k]);
    assert_true(mlp_build_order(6, group, size, order, last));
    assert_memory_equal(order, want_order, sizeof(order));
    assert_memory_equal(last, want_last, sizeof(last));
}

/* Groups of equal size: the one whose first run comes first goes first;
 * one group alone is run order. */
static void test_buildorder_ties_and_one_group(void **state)
{
    const size_t width[5][3] = {{2, 6, 1}, {2, 2, 3}, {2, 6, 1}, {2, 2, 3}, {2, 2, 3}};
    const size_t iterations[5] = {7, 7, 7, 7, 7};  /* 18 weights either way */
    const size_t want[5] = {0, 2, 1, 3, 4};
    size_t group[5], order[5];
    double size[5];
    bool last[5];

    (void)state;
    groups_of(5, width, iterations, group, size);
    assert_int_equal(group[1], 1);
    assert_int_equal(group[4], 1);
    assert_true(mlp_build_order(5, group, size, order, last));
    assert_memory_equal(order, want, sizeof(order));
    assert_true(last[2] && last[4] && !last[0] && !last[1] && !last[3]);

    const size_t same[4] = {0, 0, 0, 0};
    const double s4[4] = {1, 1, 1, 1};
    assert_true(mlp_build_order(4, same, s4, order, last));
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(order[i], i);
        assert_int_equal(last[i], i == 3);
    }
    assert_true(mlp_build_order(0, same, s4, order, last));  /* no runs: nothing to do */
}

/* 2 000 runs of 40 random shapes: a permutation, each group contiguous and
 * in run order, the groups by size (ties by first run), last where a group
 * ends. */
static void test_buildorder_random_invariants(void **state)
{
    enum { N = 2000 };
    size_t (*width)[3] = malloc(N * sizeof(*width)), *iterations = malloc(N * sizeof(size_t)),
           *group = malloc(N * sizeof(size_t)), *order = malloc(N * sizeof(size_t));
    double *size = malloc(N * sizeof(double));
    bool *last = malloc(N * sizeof(bool)), *seen = calloc(N, sizeof(bool));
    mlp_rng r;

    (void)state;
    assert_true(width && iterations && group && order && size && last && seen);
    mlp_rng_init(&r, 11, 0, 0);
    for (size_t k = 0; k < N; k++) {
        uint64_t u = mlp_rng_below(&r, 40);
        width[k][0] = 2;
        width[k][1] = 1 + u % 8;
        width[k][2] = 1 + u / 8 % 2;
        iterations[k] = 10 + 10 * (u / 16);
    }
    groups_of(N, (const size_t (*)[3])width, iterations, group, size);
    assert_true(mlp_build_order(N, group, size, order, last));
    for (size_t i = 0; i < N; i++) {
        size_t k = order[i];
        assert_false(seen[k]);
        seen[k] = true;
        assert_true(group[group[k]] == group[k] && group[k] <= k);
        if (i + 1 < N) {
            size_t n = order[i + 1];
            assert_int_equal(last[k], group[n] != group[k]);
            if (group[n] == group[k]) {
                assert_true(n > k);
            } else {
                assert_true(size[k] > size[n] || (size[k] == size[n] && group[k] < group[n]));
                assert_false(seen[group[n]]);  /* a group never comes back */
            }
        } else {
            assert_true(last[k]);
        }
        /* one group: the same widths and iterations */
        assert_memory_equal(width[k], width[group[k]], sizeof(width[k]));
        assert_int_equal(iterations[k], iterations[group[k]]);
    }
    free(width);
    free(iterations);
    free(group);
    free(order);
    free(size);
    free(last);
    free(seen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buildorder_by_hand),
        cmocka_unit_test(test_buildorder_ties_and_one_group),
        cmocka_unit_test(test_buildorder_random_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
