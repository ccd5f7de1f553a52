/* test_rng.c -- counter-based streams: pinned values, determinism, stream
 * independence, distribution moments, below() and shuffle. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/rng.h"

#define N_DRAWS 100000

/* splitmix64 seeded with 0 starts with 0xE220A8397B1DCDAF: the finaliser is
 * the published one. */
static void test_rng_mix64_is_splitmix(void **state)
{
    (void)state;
    assert_true(mlp_mix64(0x9E3779B97F4A7C15ULL) == 0xE220A8397B1DCDAFULL);
    assert_true(mlp_mix64(0) == 0);
}

/* Values pinned when the formulas in rng.c were fixed: a change here changes
 * every result file, so it must be deliberate. */
static void test_rng_pinned_values(void **state)
{
    mlp_rng r;

    (void)state;
    mlp_rng_init(&r, 42, 7, MLP_STREAM_INIT);
    assert_true(mlp_rng_u64(&r) == 0x36075883F5DD7CC4ULL);
    assert_true(mlp_rng_u64(&r) == 0x4C9CEF5A366992F6ULL);
    assert_true(mlp_rng_u64(&r) == 0x5E7DA1BBBF0E833CULL);
    assert_true(mlp_run_seed(0, 0) == 0xEC032E5DCDFF7165ULL);
    assert_true(mlp_run_seed(42, 3) == 0x79017B232D173233ULL);
    mlp_rng_init(&r, 0, 0, 1);
    assert_true(mlp_rng_uniform(&r) == 0.87394478161471156);
    assert_true(mlp_rng_normal(&r) == -1.2838917840877528);
    assert_true(mlp_rng_normal(&r) == -0.75995505994536539); /* the cached spare */
}

static void test_rng_same_key_same_stream(void **state)
{
    mlp_rng a, b;
    int i;

    (void)state;
    mlp_rng_init(&a, 123, 4, MLP_STREAM_BATCH);
    mlp_rng_init(&b, 123, 4, MLP_STREAM_BATCH);
    for (i = 0; i < 1000; i++)
        assert_true(mlp_rng_u64(&a) == mlp_rng_u64(&b));
    /* normals, including the cached spare */
    for (i = 0; i < 101; i++)
        assert_true(mlp_rng_normal(&a) == mlp_rng_normal(&b));
}

/* Changing any of seed, id or purpose gives a different stream, and draws
 * of two streams are uncorrelated. */
static void test_rng_streams_independent(void **state)
{
    mlp_rng base, other[3];
    uint64_t first[4];
    double sx = 0, sy = 0, sxy = 0, sxx = 0, syy = 0, corr;
    int i, j;

    (void)state;
    mlp_rng_init(&base, 5, 1, MLP_STREAM_TRAIN);
    mlp_rng_init(&other[0], 6, 1, MLP_STREAM_TRAIN);
    mlp_rng_init(&other[1], 5, 2, MLP_STREAM_TRAIN);
    mlp_rng_init(&other[2], 5, 1, MLP_STREAM_TEST);
    first[0] = mlp_rng_u64(&base);
    for (j = 0; j < 3; j++)
        first[j + 1] = mlp_rng_u64(&other[j]);
    for (i = 0; i < 4; i++)
        for (j = i + 1; j < 4; j++)
            assert_true(first[i] != first[j]);

    /* (id, purpose) swapped must not collide either */
    mlp_rng_init(&base, 5, 1, 2);
    mlp_rng_init(&other[0], 5, 2, 1);
    assert_true(mlp_rng_u64(&base) != mlp_rng_u64(&other[0]));

    mlp_rng_init(&base, 9, 0, MLP_STREAM_INIT);
    mlp_rng_init(&other[0], 9, 1, MLP_STREAM_INIT);
    for (i = 0; i < N_DRAWS; i++) {
        double x = mlp_rng_uniform(&base) - 0.5, y = mlp_rng_uniform(&other[0]) - 0.5;
        sx += x;
        sy += y;
        sxy += x * y;
        sxx += x * x;
        syy += y * y;
    }
    corr = (sxy - sx * sy / N_DRAWS) / sqrt((sxx - sx * sx / N_DRAWS) * (syy - sy * sy / N_DRAWS));
    assert_true(fabs(corr) < 0.015); /* ~4.7 sigma for 1e5 draws */
}

/* U[0,1): mean 1/2 (sd of the mean 0.00091), variance 1/12; never 1. */
static void test_rng_uniform_moments(void **state)
{
    mlp_rng r;
    double s = 0, ss = 0, mean, var, lo = 1, hi = 0;
    int i;

    (void)state;
    mlp_rng_init(&r, 2024, 0, MLP_STREAM_INIT);
    for (i = 0; i < N_DRAWS; i++) {
        double u = mlp_rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        s += u;
        ss += u * u;
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    mean = s / N_DRAWS;
    var = ss / N_DRAWS - mean * mean;
    assert_true(fabs(mean - 0.5) < 0.005);
    assert_true(fabs(var - 1.0 / 12.0) < 0.002);
    assert_true(lo < 1e-3 && hi > 1.0 - 1e-3);
}

/* N(0,1): mean 0, variance 1, skew 0, kurtosis 3, tail fraction. */
static void test_rng_normal_moments(void **state)
{
    mlp_rng r;
    double s1 = 0, s2 = 0, s3 = 0, s4 = 0, m, v;
    int i, beyond2 = 0;

    (void)state;
    mlp_rng_init(&r, 77, 3, MLP_STREAM_TRAIN);
    for (i = 0; i < N_DRAWS; i++) {
        double z = mlp_rng_normal(&r);
        assert_true(isfinite(z));
        s1 += z;
        s2 += z * z;
        s3 += z * z * z;
        s4 += z * z * z * z;
        beyond2 += fabs(z) > 2.0;
    }
    m = s1 / N_DRAWS;
    v = s2 / N_DRAWS - m * m;
    assert_true(fabs(m) < 0.015);
    assert_true(fabs(v - 1.0) < 0.02);
    assert_true(fabs(s3 / N_DRAWS) < 0.05);
    assert_true(fabs(s4 / N_DRAWS - 3.0) < 0.1);
    /* P(|z| > 2) = 0.0455 */
    assert_true(fabs((double)beyond2 / N_DRAWS - 0.0455) < 0.004);
}

/* below(n) stays in range and hits every value about equally often,
 * including for n that does not divide 2^64. */
static void test_rng_below_range_and_uniformity(void **state)
{
    mlp_rng r;
    int counts[7] = {0};
    int i;

    (void)state;
    mlp_rng_init(&r, 1, 1, MLP_STREAM_BATCH);
    for (i = 0; i < 70000; i++) {
        uint64_t v = mlp_rng_below(&r, 7);
        assert_true(v < 7);
        counts[v]++;
    }
    for (i = 0; i < 7; i++)
        assert_true(abs(counts[i] - 10000) < 450); /* sd ~93 */
    for (i = 0; i < 1000; i++)
        assert_true(mlp_rng_below(&r, 1) == 0);
    for (i = 0; i < 1000; i++)
        assert_true(mlp_rng_below(&r, (1ULL << 63) + 5) < (1ULL << 63) + 5);
}

static void test_rng_shuffle_is_permutation(void **state)
{
    enum { N = 1000 };
    static size_t idx[N], again[N];
    static int seen[N];
    mlp_rng r, r2;
    size_t i, moved = 0, first_pos[5] = {0};
    int trial;

    (void)state;
    for (i = 0; i < N; i++)
        idx[i] = again[i] = i;
    mlp_rng_init(&r, 3, 0, MLP_STREAM_BATCH);
    mlp_rng_init(&r2, 3, 0, MLP_STREAM_BATCH);
    mlp_rng_shuffle(&r, idx, N);
    mlp_rng_shuffle(&r2, again, N);
    for (i = 0; i < N; i++) {
        assert_true(idx[i] < N);
        seen[idx[i]]++;
        moved += idx[i] != i;
        assert_true(idx[i] == again[i]); /* same stream, same permutation */
    }
    for (i = 0; i < N; i++)
        assert_int_equal(seen[i], 1);
    assert_true(moved > N - 20);

    /* every element of a 5-array ends first about a fifth of the time */
    for (trial = 0; trial < 5000; trial++) {
        size_t small[5] = {0, 1, 2, 3, 4};
        mlp_rng_shuffle(&r, small, 5);
        first_pos[small[0]]++;
    }
    for (i = 0; i < 5; i++)
        assert_true(first_pos[i] > 880 && first_pos[i] < 1120); /* sd ~28 */

    /* n = 0 and 1 are no-ops */
    mlp_rng_shuffle(&r, idx, 0);
    idx[0] = 42;
    mlp_rng_shuffle(&r, idx, 1);
    assert_int_equal(idx[0], 42);
}

/* The plugin view draws from the same stream as the direct calls. */
static void test_rng_api_bind_matches(void **state)
{
    mlp_rng a, b;
    mlp_rng_api api;

    (void)state;
    mlp_rng_init(&a, 11, 2, MLP_STREAM_TRAIN);
    mlp_rng_init(&b, 11, 2, MLP_STREAM_TRAIN);
    mlp_rng_api_bind(&a, &api);
    assert_ptr_equal(api.state, &a);
    assert_true(api.next_u64(api.state) == mlp_rng_u64(&b));
    assert_true(api.uniform(api.state) == mlp_rng_uniform(&b));
    assert_true(api.normal(api.state) == mlp_rng_normal(&b));
    assert_true(api.normal(api.state) == mlp_rng_normal(&b));
    assert_true(a.counter == b.counter);
}

/* Run seeds: a pure function of (seed, k), distinct across k and seeds. */
static void test_rng_run_seed_pure(void **state)
{
    uint64_t s[100];
    int i, j;

    (void)state;
    for (i = 0; i < 100; i++)
        s[i] = mlp_run_seed(42, (uint64_t)i);
    for (i = 99; i >= 0; i--)
        assert_true(mlp_run_seed(42, (uint64_t)i) == s[i]);
    for (i = 0; i < 100; i++)
        for (j = i + 1; j < 100; j++)
            assert_true(s[i] != s[j]);
    assert_true(mlp_run_seed(43, 0) != s[0]);
    assert_true(mlp_run_seed(0, 42) != mlp_run_seed(42, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_mix64_is_splitmix),
        cmocka_unit_test(test_rng_pinned_values),
        cmocka_unit_test(test_rng_same_key_same_stream),
        cmocka_unit_test(test_rng_streams_independent),
        cmocka_unit_test(test_rng_uniform_moments),
        cmocka_unit_test(test_rng_normal_moments),
        cmocka_unit_test(test_rng_below_range_and_uniformity),
        cmocka_unit_test(test_rng_shuffle_is_permutation),
        cmocka_unit_test(test_rng_api_bind_matches),
        cmocka_unit_test(test_rng_run_seed_pure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
