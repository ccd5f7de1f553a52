/* test_shard.c -- the order of runs by cost and their assignment to shards:
 * hand-computed examples, ties, balance, and the "i/n" syntax. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/rng.h"
#include "plan/shard.h"

static void test_shard_order_largest_first_index_breaks_ties(void **state)
{
    const double cost[6] = {2, 5, 2, 7, 5, 0};
    size_t idx[6] = {5, 4, 3, 2, 1, 0};
    const size_t want[6] = {3, 1, 4, 0, 2, 5};

    (void)state;
    mlp_plan_order_by_cost(idx, 6, cost);
    assert_memory_equal(idx, want, sizeof(want));
}

/* Worked by hand: 5 to shard 0; 3 to 1; 3 to 1 (3 < 5); 2 to 0 (5 < 6);
 * 2 to 1 (6 < 7); 1 to 0 (7 < 8).  Loads 8 and 8. */
static void test_shard_longest_first_by_hand(void **state)
{
    const double cost[6] = {5, 3, 3, 2, 2, 1};
    const unsigned want[6] = {0, 1, 1, 0, 1, 0};
    unsigned owner[6];
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_plan_shard(cost, 6, 2, owner, &err), MLP_OK);
    assert_memory_equal(owner, want, sizeof(want));
}

/* Equal costs go round the shards in run order, the lower shard first. */
static void test_shard_equal_costs_round_robin(void **state)
{
    const double cost[7] = {1, 1, 1, 1, 1, 1, 1};
    const unsigned want[7] = {0, 1, 2, 0, 1, 2, 0};
    unsigned owner[7];
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_plan_shard(cost, 7, 3, owner, &err), MLP_OK);
    assert_memory_equal(owner, want, sizeof(want));
    /* more shards than runs: the extra shards get nothing */
    assert_int_equal(mlp_plan_shard(cost, 2, 5, owner, &err), MLP_OK);
    assert_int_equal(owner[0], 0);
    assert_int_equal(owner[1], 1);
}

/* Random costs: every run has one owner, and the largest shard is within
 * 4/3 of the lower bound max(total / shards, largest run) (LPT's guarantee). */
static void test_shard_balanced(void **state)
{
    enum { N = 5000 };
    static double cost[N];
    static unsigned owner[N];
    double load[7] = {0}, total = 0, largest = 0;
    mlp_rng r;
    mlp_error err;

    (void)state;
    mlp_rng_init(&r, 7, 0, 0);
    for (size_t k = 0; k < N; k++) {
        cost[k] = 1.0 + 1000.0 * mlp_rng_uniform(&r) * mlp_rng_uniform(&r);
        total += cost[k];
        largest = cost[k] > largest ? cost[k] : largest;
    }
    assert_int_equal(mlp_plan_shard(cost, N, 7, owner, &err), MLP_OK);
    for (size_t k = 0; k < N; k++) {
        assert_true(owner[k] < 7);
        load[owner[k]] += cost[k];
    }
    double most = 0, bound = total / 7 > largest ? total / 7 : largest;
    for (int s = 0; s < 7; s++)
        most = load[s] > most ? load[s] : most;
    assert_true(most <= bound * 4.0 / 3.0);
    assert_true(most < bound * 1.01);  /* many small runs: close to perfect */
}

static void test_shard_errors(void **state)
{
    const double cost[1] = {1};
    unsigned owner[1];
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_plan_shard(cost, 1, 0, owner, &err), MLP_ERR_USAGE);
    assert_non_null(strstr(err.msg, "between 1 and"));
}

static void test_shard_parse(void **state)
{
    unsigned i = 99, n = 99;

    (void)state;
    assert_true(mlp_shard_parse("0/4", &i, &n));
    assert_int_equal(i, 0);
    assert_int_equal(n, 4);
    assert_true(mlp_shard_parse("63/64", &i, &n));
    assert_int_equal(i, 63);
    const char *bad[] = {"4/4", "1/0", "/4", "1/", "1", "-1/4", "1/4x", " 1/4", "1//4",
                         "a/b", "1/99999999", ""};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
        assert_false(mlp_shard_parse(bad[k], &i, &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shard_order_largest_first_index_breaks_ties),
        cmocka_unit_test(test_shard_longest_first_by_hand),
        cmocka_unit_test(test_shard_equal_costs_round_robin),
        cmocka_unit_test(test_shard_balanced),
        cmocka_unit_test(test_shard_errors),
        cmocka_unit_test(test_shard_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
