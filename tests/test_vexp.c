/* test_vexp.c -- plugins/include/mlplab_vexp.h, the vectorizable exp and
 * log1p of the sigmoid, softplus and bce plugins: ulp error against libm on
 * random and edge inputs, the overflow and underflow thresholds, NaN, the
 * eight-lane sums, and the same bits from the scalar path and from every
 * vector ISA the machine has (what lets those plugins use target_clones
 * without changing a result). */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mlplab_vexp.h"
#include "base/rng.h"

#define N_RANDOM 10000000
#define MAX_ULP 2

/* Doubles mapped to integers in the order of the reals (-0 and +0 both 0),
 * so the difference of two is their distance in ulps. */
static int64_t ordered(double d)
{
    int64_t i;

    memcpy(&i, &d, sizeof i);
    return i < 0 ? INT64_MIN - i : i;
}

static uint64_t ulp_distance(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b) ? 0 : UINT64_MAX;
    int64_t d = ordered(a) - ordered(b);
    return d < 0 ? (uint64_t)-d : (uint64_t)d;
}

static uint64_t bits(double d)
{
    uint64_t u;

    memcpy(&u, &d, sizeof u);
    return u;
}

/* The loop the plugins have: vectorized at -O3 with the build's ISA. */
static void vexp_loop(const double *x, double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = mlplab_vexp(x[i]);
}

/* One element at a time, never vectorized. */
static __attribute__((noinline)) double vexp_one(double x)
{
    return mlplab_vexp(x);
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define HAVE_ISA_LOOPS 1
__attribute__((target("avx2"))) static void vexp_loop_avx2(const double *x, double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = mlplab_vexp(x[i]);
}

/* with FMA available: -ffp-contract=off must keep a * b + c two roundings */
__attribute__((target("avx2,fma"))) static void vexp_loop_fma(const double *x, double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = mlplab_vexp(x[i]);
}

__attribute__((target("avx512f"))) static void vexp_loop_avx512(const double *x, double *y,
                                                                 size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = mlplab_vexp(x[i]);
}
#endif

/* The same for log1p on [0, 1]. */
static void vlog1p_loop(const double *x, double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = mlplab_vlog1p01(x[i]);
}

static __attribute__((noinline)) double vlog1p_one(double x)
{
    return mlplab_vlog1p01(x);
}

#ifdef HAVE_ISA_LOOPS
__attribute__((target("avx2"))) static void vlog1p_loop_avx2(const double *x, double *y,
                                                             size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = mlplab_vlog1p01(x[i]);
}

__attribute__((target("avx2,fma"))) static void vlog1p_loop_fma(const double *x, double *y,
                                                                size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = mlplab_vlog1p01(x[i]);
}

__attribute__((target("avx512f"))) static void vlog1p_loop_avx512(const double *x, double *y,
                                                                  size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = mlplab_vlog1p01(x[i]);
}
#endif

enum { TWIN_EXP, TWIN_LOG1P, TWIN_SIGMOID };
typedef void twin_loop_fn(int which, const double *x, double *y, size_t n);

#ifdef MLPLAB_HAVE_AVX512_PATH
/* The AVX-512 twins over an array (n a multiple of 8 here is not needed:
 * the tail goes through masked loads, as in the plugins). */
MLPLAB_AVX512 static void twin_loop(int which, const double *x, double *y, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        const __mmask8 m = n - i >= 8 ? (__mmask8)0xff : mlplab_tail_mask(n - i);
        const __m512d v = _mm512_maskz_loadu_pd(m, x + i);
        const __m512d r = which == TWIN_EXP     ? mlplab_vexp8(v)
                          : which == TWIN_LOG1P ? mlplab_vlog1p01_8(v)
                                                : mlplab_vsigmoid8(v);
        _mm512_mask_storeu_pd(y + i, m, r);
    }
}

/* The AVX2 twins, the same way (masked loads for the tail). */
MLPLAB_AVX2 static void twin_loop_avx2(int which, const double *x, double *y, size_t n)
{
    for (size_t i = 0; i < n; i += 4) {
        const __m256i m = mlplab_tail_mask4(n - i < 4 ? n - i : 4);
        const __m256d v = _mm256_maskload_pd(x + i, m);
        const __m256d r = which == TWIN_EXP     ? mlplab_vexp4(v)
                          : which == TWIN_LOG1P ? mlplab_vlog1p01_4(v)
                                                : mlplab_vsigmoid4(v);
        _mm256_maskstore_pd(y + i, m, r);
    }
}
#endif

/* Max ulp error against libm on n uniform draws in [lo, hi). */
static uint64_t max_ulp_uniform(double lo, double hi, size_t n, uint64_t id, double *worst)
{
    enum { BLOCK = 4096 };
    static double x[BLOCK], y[BLOCK];
    mlp_rng r;
    uint64_t max = 0;

    mlp_rng_init(&r, 20261128, id, MLP_STREAM_TEST);
    for (size_t i0 = 0; i0 < n; i0 += BLOCK) {
        size_t c = n - i0 < BLOCK ? n - i0 : BLOCK;
        for (size_t j = 0; j < c; j++)
            x[j] = lo + (hi - lo) * mlp_rng_uniform(&r);
        vexp_loop(x, y, c);
        for (size_t j = 0; j < c; j++) {
            uint64_t d = ulp_distance(y[j], exp(x[j]));
            if (d > max) {
                max = d;
                *worst = x[j];
            }
        }
    }
    return max;
}

/* The measurement quoted in bench/README.md: 10^7 uniform inputs over the
 * whole range with finite nonzero results, then the ranges the plugins use. */
static void test_vexp_random_ulp(void **state)
{
    static const struct {
        double lo, hi;
        size_t n;
    } ranges[] = {
        {-745.0, 710.0, N_RANDOM},  /* everything finite, subnormal results too */
        {-40.0, 0.0, 1000000},      /* sigmoid's exp(-|z|) where it matters */
        {-1.0, 1.0, 1000000},
        {-0.35, 0.35, 1000000},     /* k = 0: the polynomial alone */
        {-745.0, -708.0, 1000000},  /* subnormal results */
        {700.0, 709.78, 1000000},   /* k = 1024 at the top */
    };
    (void)state;
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        double worst = 0.0;
        uint64_t max = max_ulp_uniform(ranges[i].lo, ranges[i].hi, ranges[i].n, i, &worst);
        print_message("vexp over [%g, %g), %zu draws: max %llu ulp vs libm exp (at %a)\n",
                      ranges[i].lo, ranges[i].hi, ranges[i].n, (unsigned long long)max, worst);
        assert_true(max <= MAX_ULP);
    }
}

/* Tiny arguments at every binade: exp(x) = 1 (+ x) to the last bit. */
static void test_vexp_tiny(void **state)
{
    (void)state;
    for (int e = -1074; e <= -1; e++) {
        double x = ldexp(1.0, e);
        assert_true(ulp_distance(mlplab_vexp(x), exp(x)) <= MAX_ULP);
        assert_true(ulp_distance(mlplab_vexp(-x), exp(-x)) <= MAX_ULP);
        x *= 1.6180339887498949;
        assert_true(ulp_distance(mlplab_vexp(x), exp(x)) <= MAX_ULP);
        assert_true(ulp_distance(mlplab_vexp(-x), exp(-x)) <= MAX_ULP);
    }
}

static void test_vexp_edges(void **state)
{
    static const double xs[] = {
        0.0, -0.0, DBL_TRUE_MIN, -DBL_TRUE_MIN, DBL_MIN, -DBL_MIN, 1e-300, -1e-300,
        1e-17, -1e-17, 1.0, -1.0, 0.5, -0.5, 0x1.62e42fefa39efp-2, -0x1.62e42fefa39efp-2,
        2.0, -2.0, 10.0, -10.0, 36.7, -36.7, 700.0, -700.0, 708.0, -708.0, 708.4, -708.4,
        709.0, -709.0, 709.78, 709.8, -709.8, 710.0, -710.0, 720.0, -720.0, 740.0, -740.0,
        744.44, -744.44, 745.0, -745.0, 745.1332191019411, -745.1332191019411, 746.0, -746.0,
        1000.0, -1000.0, 1e300, -1e300, DBL_MAX, -DBL_MAX,
    };
    (void)state;
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double x = xs[i], got = mlplab_vexp(x), want = exp(x);
        if (ulp_distance(got, want) > MAX_ULP)
            print_message("x = %a: vexp %a, libm %a\n", x, got, want);
        assert_true(ulp_distance(got, want) <= MAX_ULP);
        /* the same class: 0, subnormal, normal, inf */
        assert_int_equal(fpclassify(got), fpclassify(want));
    }
    assert_true(mlplab_vexp(0.0) == 1.0);
    assert_true(mlplab_vexp(-0.0) == 1.0);
    assert_true(isinf(mlplab_vexp(INFINITY)) && mlplab_vexp(INFINITY) > 0.0);
    assert_true(bits(mlplab_vexp(-INFINITY)) == 0);     /* +0 */
    assert_true(bits(mlplab_vexp(-1000.0)) == 0);
    assert_true(mlplab_vexp(-745.0) == DBL_TRUE_MIN);    /* as libm */
    assert_true(isnan(mlplab_vexp(NAN)));
    assert_true(isnan(mlplab_vexp(-NAN)));
}

/* The thresholds are libm's: the largest x with a finite result is
 * 0x1.62e42fefa39efp+9, and results round to 0 below log(2^-1075).  Walk 200
 * doubles across each. */
static void test_vexp_thresholds(void **state)
{
    static const double centres[] = {0x1.62e42fefa39efp+9, -0x1.74910d52d3051p+9,
                                     -0x1.6232bdd7abcd2p+9 /* result 2^-1022 */};
    (void)state;
    assert_true(isfinite(mlplab_vexp(0x1.62e42fefa39efp+9)));
    assert_true(isinf(mlplab_vexp(0x1.62e42fefa39f0p+9)));
    assert_true(mlplab_vexp(-0x1.74910d52d3051p+9) == DBL_TRUE_MIN);
    assert_true(mlplab_vexp(-0x1.74910d52d3052p+9) == 0.0);
    for (size_t c = 0; c < sizeof centres / sizeof centres[0]; c++) {
        double x = centres[c];
        for (int i = 0; i < 100; i++)
            x = nextafter(x, -INFINITY);
        for (int i = 0; i < 200; i++, x = nextafter(x, INFINITY)) {
            double got = mlplab_vexp(x), want = exp(x);
            assert_int_equal(fpclassify(got), fpclassify(want));
            assert_true(ulp_distance(got, want) <= MAX_ULP);
        }
    }
}

/* Scalar and vector (SSE2, AVX2, AVX2+FMA, AVX-512 where the CPU has them)
 * give the same bits: the plugins' results do not depend on the machine. */
static void test_vexp_same_bits_every_isa(void **state)
{
    enum { N = 100003 };
    double *x = malloc(N * sizeof *x), *ref = malloc(N * sizeof *ref),
           *y = malloc(N * sizeof *y);
    mlp_rng r;

    (void)state;
    assert_non_null(x);
    assert_non_null(ref);
    assert_non_null(y);
    mlp_rng_init(&r, 7, 7, MLP_STREAM_TEST);
    for (size_t i = 0; i < N; i++)
        x[i] = -760.0 + 1480.0 * mlp_rng_uniform(&r);
    x[0] = NAN;
    x[1] = INFINITY;
    x[2] = -INFINITY;
    x[3] = -0.0;
    for (size_t i = 0; i < N; i++)
        ref[i] = vexp_one(x[i]);
    vexp_loop(x, y, N);
    for (size_t i = 3; i < N; i++)
        assert_true(bits(y[i]) == bits(ref[i]));
    assert_true(isnan(y[0]));
#ifdef HAVE_ISA_LOOPS
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) {
        vexp_loop_avx2(x, y, N);
        for (size_t i = 3; i < N; i++)
            assert_true(bits(y[i]) == bits(ref[i]));
        assert_true(isnan(y[0]));
        if (__builtin_cpu_supports("fma")) {
            vexp_loop_fma(x, y, N);
            for (size_t i = 3; i < N; i++)
                assert_true(bits(y[i]) == bits(ref[i]));
        }
    } else {
        print_message("no AVX2 here: only the default ISA checked\n");
    }
    if (__builtin_cpu_supports("avx512f")) {
        vexp_loop_avx512(x, y, N);
        for (size_t i = 3; i < N; i++)
            assert_true(bits(y[i]) == bits(ref[i]));
        assert_true(isnan(y[0]));
    } else {
        print_message("no AVX-512F here: not checked\n");
    }
#endif
    free(x);
    free(ref);
    free(y);
}

/* log1p on [0, 1], as bce and softplus call it (on exp(-|t|)): uniform
 * draws, draws of exp(-40 u) (the small values), every binade, the split at
 * 1/2, and the same bits on every ISA. */
static void test_vlog1p(void **state)
{
    enum { N = 1000003 };
    double *x = malloc(N * sizeof *x), *ref = malloc(N * sizeof *ref),
           *y = malloc(N * sizeof *y);
    uint64_t max = 0;
    double worst = 0.0;
    mlp_rng r;

    (void)state;
    assert_non_null(x);
    assert_non_null(ref);
    assert_non_null(y);
    mlp_rng_init(&r, 11, 11, MLP_STREAM_TEST);
    for (size_t i = 0; i < N; i++) {
        double u = mlp_rng_uniform(&r);
        x[i] = i % 2 ? u : exp(-40.0 * u);
    }
    x[0] = 0.0;
    x[1] = 1.0;
    x[2] = 0.5;
    x[3] = nextafter(0.5, 1.0);
    x[4] = nextafter(0.5, 0.0);
    x[5] = DBL_TRUE_MIN;
    x[6] = DBL_MIN;
    x[7] = 0x1p-53;
    vlog1p_loop(x, y, N);
    for (size_t i = 0; i < N; i++) {
        uint64_t d = ulp_distance(y[i], log1p(x[i]));
        if (d > max) {
            max = d;
            worst = x[i];
        }
        ref[i] = vlog1p_one(x[i]);
        assert_true(bits(y[i]) == bits(ref[i]));
    }
    for (int e = -1074; e <= 0; e++) {
        double v = ldexp(1.0, e);
        uint64_t d = ulp_distance(mlplab_vlog1p01(v), log1p(v));
        max = d > max ? d : max;
    }
    print_message("vlog1p over [0, 1], %d draws and every binade: max %llu ulp vs libm log1p "
                  "(at %a)\n", N, (unsigned long long)max, worst);
    assert_true(max <= 1);
    assert_true(mlplab_vlog1p01(0.0) == 0.0);
    assert_true(mlplab_vlog1p01(1.0) == log1p(1.0));
    assert_true(isnan(mlplab_vlog1p01(NAN)));
#ifdef HAVE_ISA_LOOPS
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) {
        vlog1p_loop_avx2(x, y, N);
        for (size_t i = 0; i < N; i++)
            assert_true(bits(y[i]) == bits(ref[i]));
        if (__builtin_cpu_supports("fma")) {
            vlog1p_loop_fma(x, y, N);
            for (size_t i = 0; i < N; i++)
                assert_true(bits(y[i]) == bits(ref[i]));
        }
    }
    if (__builtin_cpu_supports("avx512f")) {
        vlog1p_loop_avx512(x, y, N);
        for (size_t i = 0; i < N; i++)
            assert_true(bits(y[i]) == bits(ref[i]));
    }
#endif
    free(x);
    free(ref);
    free(y);
}

/* mlplab_lanes_add: t[i] in lane i mod 8, whatever the chunking, folded by
 * the fixed tree; checked against the same sums written out by hand. */
static void test_lanes_sum(void **state)
{
    double t[100], lane[8] = {0};
    mlp_rng r;

    (void)state;
    mlp_rng_init(&r, 3, 3, MLP_STREAM_TEST);
    for (size_t i = 0; i < 100; i++) {
        t[i] = mlp_rng_normal(&r) * ldexp(1.0, (int)(i % 40) - 20);
        lane[i % 8] += t[i];
    }
    mlplab_v8d acc2 = {0};
    mlplab_lanes_add(&acc2, t, 100);
    (void)acc2;
    double want = ((lane[0] + lane[1]) + (lane[2] + lane[3])) +
                  ((lane[4] + lane[5]) + (lane[6] + lane[7]));
    /* only chunks that are multiples of 8 keep i mod 8 = lane */
    mlplab_v8d acc3 = {0};
    mlplab_lanes_add(&acc3, t, 40);
    mlplab_lanes_add(&acc3, t + 40, 60);
    assert_true(bits(mlplab_lanes_fold(&acc2)) == bits(want));
    assert_true(bits(mlplab_lanes_fold(&acc3)) == bits(want));
}

/* A twin loop gives the C functions' bits, on exp's whole range and its
 * edges, log1p's [0, 1] and sigmoid's useful range and beyond. */
static void check_twins_same_bits(twin_loop_fn *loop, const char *name)
{
    enum { N = 400005 };
    static const double edges[] = {0.0, -0.0, 1.0, -1.0, 0.5, 709.78, 0x1.62e42fefa39efp+9,
                                   0x1.62e42fefa39f0p+9, -0x1.74910d52d3051p+9,
                                   -0x1.74910d52d3052p+9, -708.4, -745.0, -746.0, -1000.0,
                                   1e300, -1e300, DBL_TRUE_MIN, -DBL_TRUE_MIN, DBL_MIN, 1e-17,
                                   -0x1.6232bdd7abcd2p+9, -0x1.6232bdd7abcd3p+9, 0.4999999999,
                                   0.5000000001, 0x1p-1074, 36.7, -36.7};
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    mlp_rng r;

    assert_non_null(x);
    assert_non_null(y);
    mlp_rng_init(&r, 13, 13, MLP_STREAM_TEST);
    for (int which = TWIN_EXP; which <= TWIN_SIGMOID; which++) {
        for (size_t i = 0; i < N; i++) {
            double u = mlp_rng_uniform(&r);
            x[i] = which == TWIN_EXP     ? -760.0 + 1480.0 * u
                   : which == TWIN_LOG1P ? (i % 2 ? u : exp(-40.0 * u))
                                         : (i % 2 ? 80.0 * u - 40.0 : 1600.0 * u - 800.0);
        }
        memcpy(x, edges, sizeof edges);
        x[sizeof edges / sizeof edges[0]] = NAN;
        x[sizeof edges / sizeof edges[0] + 1] = INFINITY;
        x[sizeof edges / sizeof edges[0] + 2] = -INFINITY;
        loop(which, x, y, N);
        for (size_t i = 0; i < N; i++) {
            if (which == TWIN_LOG1P && !(x[i] >= 0.0 && x[i] <= 1.0))
                continue; /* outside its domain */
            const double want = which == TWIN_EXP     ? mlplab_vexp(x[i])
                                : which == TWIN_LOG1P ? mlplab_vlog1p01(x[i])
                                                      : mlplab_vsigmoid(x[i]);
            if (isnan(want)) {
                assert_true(isnan(y[i]));
                continue;
            }
            if (bits(y[i]) != bits(want))
                print_message("%s twin %d at %a: %a, C %a\n", name, which, x[i], y[i], want);
            assert_true(bits(y[i]) == bits(want));
        }
    }
    free(x);
    free(y);
}

static void test_avx512_twins_same_bits(void **state)
{
    (void)state;
#ifdef MLPLAB_HAVE_AVX512_PATH
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f")) {
        print_message("no AVX-512F here: the twins are not checked\n");
        return;
    }
    check_twins_same_bits(twin_loop, "AVX-512");
#else
    skip();
#endif
}

static void test_avx2_twins_same_bits(void **state)
{
    (void)state;
#ifdef MLPLAB_HAVE_AVX2_PATH
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
        print_message("no AVX2 and FMA here: the twins are not checked\n");
        return;
    }
    check_twins_same_bits(twin_loop_avx2, "AVX2");
#else
    skip();
#endif
}

/* The array sigmoid of the plugins under each forced level (mlp_isa()
 * read again from the environment): the same bits as the scalar C. */
static void test_sigmoid_array_every_forced_isa(void **state)
{
    enum { N = 1003 };
    static const char *const levels[] = {"avx512", "avx2", "sse2"};
    double z[N], a[N];
    mlp_rng r;

    (void)state;
    mlp_rng_init(&r, 17, 17, MLP_STREAM_TEST);
    for (size_t i = 0; i < N; i++)
        z[i] = 90.0 * mlp_rng_uniform(&r) - 45.0;
    for (size_t l = 0; l < 3; l++) {
        setenv(MLP_ISA_ENV, levels[l], 1);
        mlp_isa_level_at_load = mlp_isa_detect();
        mlplab_vsigmoid_array(z, a, N);
        for (size_t i = 0; i < N; i++)
            assert_true(bits(a[i]) == bits(mlplab_vsigmoid(z[i])));
    }
    assert_int_equal(mlp_isa(), MLP_ISA_BASELINE);
    unsetenv(MLP_ISA_ENV);
    mlp_isa_level_at_load = mlp_isa_detect();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vexp_random_ulp),
        cmocka_unit_test(test_vexp_tiny),
        cmocka_unit_test(test_vexp_edges),
        cmocka_unit_test(test_vexp_thresholds),
        cmocka_unit_test(test_vexp_same_bits_every_isa),
        cmocka_unit_test(test_vlog1p),
        cmocka_unit_test(test_lanes_sum),
        cmocka_unit_test(test_avx512_twins_same_bits),
        cmocka_unit_test(test_avx2_twins_same_bits),
        cmocka_unit_test(test_sigmoid_array_every_forced_isa),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
