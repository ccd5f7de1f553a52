/* mlplab_vexp.h -- exp, log1p and sigmoid for the in-tree plugins'
 * elementwise loops: branch-free plain C that gcc -O3 auto-vectorizes, and
 * AVX-512 twins written with intrinsics that compute the very same bits.
 *
 * Why: libm's exp and log1p are scalar, and their vector variants (libmvec)
 * are only used under -ffast-math and give CPU-dependent results.  These use
 * only IEEE additions, multiplications, divisions, fused multiply-adds (C99
 * fma(), one rounding), comparisons, table lookups and integer adds/shifts,
 * each exact or correctly rounded, so they give the same bits on every
 * x86-64 CPU, scalar or vectorized, as long as the including file is
 * compiled without -ffast-math and with -ffp-contract=off
 * (plugins/CMakeLists.txt does both: the compiler must not fuse a * b + c
 * on its own where the source does not say fma).  On a CPU with FMA
 * (x86-64-v3 and up) fma() is one instruction; elsewhere it is libm's exact
 * software fma: the same bits, much slower.
 *
 * exp, method (textbook, table-driven): x = (16 m + j) ln2/16 + r with
 * 16 m + j = rint(16 x / ln2), j in 0..15, |r| <= ln2/32, the reduction
 * fused with ln2/16 split hi + lo (Cody-Waite); exp(r) - 1 by a degree-7
 * Taylor polynomial (truncation < 2e-18 relative); times 2^(j/16) from a
 * 16-entry table of hi + lo parts; then times 2^m, exactly rounded once (two
 * exact-or-once-rounded products built from integer bits in C, which is
 * what AVX-512's vscalefpd does in one instruction), so subnormal results
 * and the overflow threshold need no branch.
 *
 * Accuracy: <= 1 ulp against glibc's exp over [-745, 710] (tests/test_vexp.c
 * measures it).  Special values, as libm:
 *   x > 709.782712893383973 (= 0x1.62e42fefa39efp+9, the largest x with a
 *       finite exp) and x = +inf give +inf;
 *   x < -745.133219101941108 (log of 2^-1075) and x = -inf give +0;
 *   results in [2^-1074, 2^-1022) are subnormal, rounded once;
 *   NaN gives NaN.
 * errno is never set, and the inexact/overflow flags are not meaningful
 * (plugins are built with -fno-math-errno -fno-trapping-math).
 *
 * Project-internal: included by the shipped plugins only, never installed. */
#ifndef MLPLAB_VEXP_H
#define MLPLAB_VEXP_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The plugins' kernels are built in three machine copies (mlplab/kernel.h:
 * MLP_ISA_AVX512_FN, MLP_ISA_AVX2_FN and the baseline, picked by mlp_isa(),
 * which MLPLAB_ISA can force); the loops then run 8, 4 or 2 doubles wide.
 * Every copy computes the same IEEE operations on each element (fma only
 * where the source says so: -ffp-contract=off; no libm vector calls), so the
 * results are the same bits on every CPU and under every forced level;
 * tests/test_vexp.c and tests/test_runner.c check it. */
#include "mlplab/kernel.h"

static inline double mlplab_bits_to_double(uint64_t u)
{
    double d;

    memcpy(&d, &u, sizeof d);
    return d;
}

static inline uint64_t mlplab_double_to_bits(double d)
{
    uint64_t u;

    memcpy(&u, &d, sizeof u);
    return u;
}

/* 2^(j/16), j = 0..15, as hi + lo (hi rounded to nearest, lo the rest
 * rounded; from mpmath at 200 bits), once, X(hi, lo) per row; the arrays
 * below are made from it. */
#define MLPLAB_EXP2_TABLE(X) \
    X(0x1.0000000000000p+0, 0x0.0p+0) \
    X(0x1.0b5586cf9890fp+0, 0x1.8a62e4adc610bp-54) \
    X(0x1.172b83c7d517bp+0, -0x1.19041b9d78a76p-55) \
    X(0x1.2387a6e756238p+0, 0x1.9b07eb6c70573p-54) \
    X(0x1.306fe0a31b715p+0, 0x1.6f46ad23182e4p-55) \
    X(0x1.3dea64c123422p+0, 0x1.ada0911f09ebcp-55) \
    X(0x1.4bfdad5362a27p+0, 0x1.d4397afec42e2p-56) \
    X(0x1.5ab07dd485429p+0, 0x1.6324c054647adp-54) \
    X(0x1.6a09e667f3bcdp+0, -0x1.bdd3413b26456p-54) \
    X(0x1.7a11473eb0187p+0, -0x1.41577ee04992fp-55) \
    X(0x1.8ace5422aa0dbp+0, 0x1.6e9f156864b27p-54) \
    X(0x1.9c49182a3f090p+0, 0x1.c7c46b071f2bep-56) \
    X(0x1.ae89f995ad3adp+0, 0x1.7a1cd345dcc81p-54) \
    X(0x1.c199bdd85529cp+0, 0x1.11065895048ddp-55) \
    X(0x1.d5818dcfba487p+0, 0x1.2ed02d75b3707p-55) \
    X(0x1.ea4afa2a490dap+0, -0x1.e9c23179c2893p-54)

#define MLPLAB_EXP2_HI_OF(hi, lo) hi,
#define MLPLAB_EXP2_LO_OF(hi, lo) lo,
#define MLPLAB_EXP2_PAIR_OF(hi, lo) hi, lo,
static const double mlplab_exp2_hi[16] __attribute__((aligned(64))) = {
    MLPLAB_EXP2_TABLE(MLPLAB_EXP2_HI_OF)};
static const double mlplab_exp2_lo[16] __attribute__((aligned(64))) = {
    MLPLAB_EXP2_TABLE(MLPLAB_EXP2_LO_OF)};
/* hi, lo of entry j at [2 j], [2 j + 1]: one 16-byte load per entry (the
 * AVX2 twin) */
static const double mlplab_exp2_pair[32] __attribute__((aligned(64))) = {
    MLPLAB_EXP2_TABLE(MLPLAB_EXP2_PAIR_OF)};

/* The constants of mlplab_vexp, shared with its AVX-512 twin. */
#define MLPLAB_EXP_INV 0x1.71547652b82fep+4      /* 16 / ln2 */
#define MLPLAB_EXP_L_HI 0x1.62e42fefa39efp-5     /* ln2 / 16, rounded */
#define MLPLAB_EXP_L_LO 0x1.abc9e3b39803fp-60    /* ln2 / 16 - L_HI, rounded */
#define MLPLAB_EXP_SHIFTER 0x1.8p52              /* t - shifter = rint(16 x / ln2) */
#define MLPLAB_EXP_C7 0x1.a01a01a01a01ap-13      /* 1/7!, then down to 1/2! */
#define MLPLAB_EXP_C6 0x1.6c16c16c16c17p-10
#define MLPLAB_EXP_C5 0x1.1111111111111p-7
#define MLPLAB_EXP_C4 0x1.5555555555555p-5
#define MLPLAB_EXP_C3 0x1.5555555555555p-3
#define MLPLAB_EXP_C2 0.5

/* exp(x), branch-free; see the header comment for accuracy and limits. */
static inline double mlplab_vexp(double x)
{
    /* Clamp so that m stays in [-1077, 1024]: below -746 the result is 0 and
     * above 710 it is inf, either way.  A NaN fails both tests and goes
     * through, making every later step NaN. */
    double xc = x < -746.0 ? -746.0 : x;
    xc = xc > 710.0 ? 710.0 : xc;

    const double t = fma(xc, MLPLAB_EXP_INV, MLPLAB_EXP_SHIFTER); /* low bits: 16 m + j */
    const double k = t - MLPLAB_EXP_SHIFTER;
    double r = fma(-k, MLPLAB_EXP_L_HI, xc);
    r = fma(-k, MLPLAB_EXP_L_LO, r); /* |r| <= ln2/32 + tiny */

    double q = MLPLAB_EXP_C7;
    q = fma(q, r, MLPLAB_EXP_C6);
    q = fma(q, r, MLPLAB_EXP_C5);
    q = fma(q, r, MLPLAB_EXP_C4);
    q = fma(q, r, MLPLAB_EXP_C3);
    q = fma(q, r, MLPLAB_EXP_C2);
    const double p = fma(r * r, q, r); /* exp(r) - 1 */

    const uint64_t tb = mlplab_double_to_bits(t);
    const size_t j = (size_t)(tb & 15u);
    const double e = fma(mlplab_exp2_hi[j], p, mlplab_exp2_lo[j]) + mlplab_exp2_hi[j];

    /* times 2^m = 2^m1 * 2^m2, m1 = floor(m / 2), m2 = m - m1, both in
     * [-539, 512]: e * 2^m1 is exact (normal), the second product rounds
     * once, to a subnormal, to 0 or to inf where it must.  m is the integer
     * bits(t) - bits(shifter) shifted right by 4 (an arithmetic shift: the
     * floor); the bias 2048 keeps the halving shift unsigned. */
    const int64_t m = (int64_t)(tb - (uint64_t)0x4338000000000000ULL) >> 4;
    const uint64_t mb = (uint64_t)(m + 2048);
    const uint64_t m1b = mb >> 1;  /* m1 + 1024 */
    const uint64_t m2b = mb - m1b; /* m2 + 1024 */
    const double s1 = mlplab_bits_to_double((m1b - 1u) << 52); /* 2^m1: field m1 + 1023 */
    const double s2 = mlplab_bits_to_double((m2b - 1u) << 52);
    return (e * s1) * s2;
}

/* log1p(e) for e in [0, 1] (what softplus and bce need, e = exp(-|t|)),
 * branch-free, from the same kinds of operations as mlplab_vexp plus one
 * division, so it vectorizes and gives the same bits everywhere.
 *
 * Method (fdlibm's log, textbook): 1 + e = 2^k (1 + f) with k = 0, f = e for
 * e <= 1/2, and k = 1, f = (e - 1) / 2 (exact: Sterbenz) above, so f is
 * exact and in [-1/4, 1/2]; then with s = f / (2 + f), |s| <= 1/5,
 * log(1 + f) = 2 atanh(s) = f - (hfsq - s (hfsq + R)), hfsq = f^2 / 2,
 * R = sum_{j>=1} 2 s^(2j) / (2j + 1) (13 terms: truncation < 1e-19 relative),
 * plus k ln2 split hi + lo.  NaN gives NaN.  Accuracy: <= 1 ulp against
 * glibc's log1p over [0, 1] (tests/test_vexp.c). */
#define MLPLAB_LN2_HI 0x1.62e42fee00000p-1
#define MLPLAB_LN2_LO 0x1.a39ef35793c76p-33
#define MLPLAB_LOG1P_TERMS 13

/* 2 / (2j + 1), j = 13 down to 1: R's coefficients, highest first. */
static const double mlplab_log1p_c[MLPLAB_LOG1P_TERMS] = {
    2.0 / 27.0, 2.0 / 25.0, 2.0 / 23.0, 2.0 / 21.0, 2.0 / 19.0, 2.0 / 17.0, 2.0 / 15.0,
    2.0 / 13.0, 2.0 / 11.0, 2.0 / 9.0,  2.0 / 7.0,  2.0 / 5.0,  2.0 / 3.0,
};

static inline double mlplab_vlog1p01(double e)
{
    const int big = e > 0.5;
    const double k = big ? 1.0 : 0.0;
    const double f = big ? (e - 1.0) * 0.5 : e;
    const double s = f / (2.0 + f);
    const double z = s * s;
    double r = mlplab_log1p_c[0];
    /* unrolled before vectorization: a loop inside would keep the callers'
     * loops from vectorizing */
#pragma GCC unroll 16
    for (int j = 1; j < MLPLAB_LOG1P_TERMS; j++)
        r = fma(r, z, mlplab_log1p_c[j]);
    r *= z;
    const double hfsq = 0.5 * f * f;
    return k * MLPLAB_LN2_HI - ((hfsq - fma(s, hfsq + r, k * MLPLAB_LN2_LO)) - f);
}

/* sigmoid(z) = 1 / (1 + exp(-z)) as (z >= 0 ? 1 : e) / (1 + e), e = exp(-|z|):
 * no overflow, one rounding after the exp's, and branch-free. */
static inline double mlplab_vsigmoid(double z)
{
    const double e = mlplab_vexp(-fabs(z));

    return (z >= 0.0 ? 1.0 : e) / (1.0 + e);
}

/* ---- AVX-512 and AVX2 twins ----------------------------------------------
 * The same operations as above, eight (four) lanes at a time, no gathers:
 * AVX-512 keeps the tables in registers, picks from them with vpermt2pd and
 * scales with vscalefpd, which rounds e * 2^m once exactly as the two
 * products above do; AVX2, which has no variable permute of doubles, loads
 * each value's hi, lo pair (mlplab_exp2_pick4) and scales with the two
 * products from integer bits, as the C code.  A kernel
 * calls them from its MLP_ISA_AVX512_FN (MLP_ISA_AVX2_FN) copy, and the
 * plain-C loop from its baseline copy; the results are the same bits
 * (tests/test_vexp.c compares them on every input it tries). */
#if defined(MLP_ISA_COPIES) && !defined(MLPLAB_VEXP_NO_CLONES)
#define MLPLAB_HAVE_AVX512_PATH 1
#define MLPLAB_HAVE_AVX2_PATH 1
#include <immintrin.h>

#define MLPLAB_AVX512 __attribute__((target("avx512f")))
#define MLPLAB_AVX512_INLINE static inline __attribute__((always_inline, target("avx512f")))
#define MLPLAB_AVX2 __attribute__((target("avx2,fma")))
#define MLPLAB_AVX2_INLINE static inline __attribute__((always_inline, target("avx2,fma")))

/* Whether this process runs the AVX-512 (AVX2) twins: the CPU has them and
 * MLPLAB_ISA does not forbid them (decided once, at load time). */
static inline int mlplab_have_avx512(void)
{
    return mlp_isa() >= MLP_ISA_AVX512;
}

static inline int mlplab_have_avx2(void)
{
    return mlp_isa() >= MLP_ISA_AVX2;
}

MLPLAB_AVX512_INLINE __m512d mlplab_vexp8(__m512d x)
{
    const __m512d th0 = _mm512_load_pd(mlplab_exp2_hi), th1 = _mm512_load_pd(mlplab_exp2_hi + 8);
    const __m512d tl0 = _mm512_load_pd(mlplab_exp2_lo), tl1 = _mm512_load_pd(mlplab_exp2_lo + 8);
    const __m512d sh = _mm512_set1_pd(MLPLAB_EXP_SHIFTER);
    /* max(c, x) and min(c, x) return x when x is NaN, as the C clamps do */
    __m512d xc = _mm512_max_pd(_mm512_set1_pd(-746.0), x);
    xc = _mm512_min_pd(_mm512_set1_pd(710.0), xc);

    const __m512d t = _mm512_fmadd_pd(xc, _mm512_set1_pd(MLPLAB_EXP_INV), sh);
    const __m512d k = _mm512_sub_pd(t, sh);
    __m512d r = _mm512_fnmadd_pd(k, _mm512_set1_pd(MLPLAB_EXP_L_HI), xc);
    r = _mm512_fnmadd_pd(k, _mm512_set1_pd(MLPLAB_EXP_L_LO), r);

    __m512d q = _mm512_set1_pd(MLPLAB_EXP_C7);
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(MLPLAB_EXP_C6));
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(MLPLAB_EXP_C5));
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(MLPLAB_EXP_C4));
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(MLPLAB_EXP_C3));
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(MLPLAB_EXP_C2));
    const __m512d p = _mm512_fmadd_pd(_mm512_mul_pd(r, r), q, r);

    /* vpermt2pd reads the low 4 bits of each index: j */
    const __m512i idx = _mm512_castpd_si512(t);
    const __m512d th = _mm512_permutex2var_pd(th0, idx, th1);
    const __m512d tl = _mm512_permutex2var_pd(tl0, idx, tl1);
    const __m512d e = _mm512_add_pd(_mm512_fmadd_pd(th, p, tl), th);
    /* k / 16 is exact, and vscalefpd scales by 2^floor(k / 16) = 2^m */
    return _mm512_scalef_pd(e, _mm512_mul_pd(k, _mm512_set1_pd(0.0625)));
}

MLPLAB_AVX512_INLINE __m512d mlplab_vlog1p01_8(__m512d e)
{
    const __mmask8 big = _mm512_cmp_pd_mask(e, _mm512_set1_pd(0.5), _CMP_GT_OQ);
    const __m512d k = _mm512_maskz_mov_pd(big, _mm512_set1_pd(1.0));
    const __m512d f = _mm512_mask_blend_pd(
        big, e, _mm512_mul_pd(_mm512_sub_pd(e, _mm512_set1_pd(1.0)), _mm512_set1_pd(0.5)));
    const __m512d s = _mm512_div_pd(f, _mm512_add_pd(_mm512_set1_pd(2.0), f));
    const __m512d z = _mm512_mul_pd(s, s);
    __m512d r = _mm512_set1_pd(mlplab_log1p_c[0]);
    for (int j = 1; j < MLPLAB_LOG1P_TERMS; j++)
        r = _mm512_fmadd_pd(r, z, _mm512_set1_pd(mlplab_log1p_c[j]));
    r = _mm512_mul_pd(r, z);
    const __m512d hfsq = _mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(0.5), f), f);
    const __m512d c = _mm512_fmadd_pd(s, _mm512_add_pd(hfsq, r),
                                      _mm512_mul_pd(k, _mm512_set1_pd(MLPLAB_LN2_LO)));
    return _mm512_sub_pd(_mm512_mul_pd(k, _mm512_set1_pd(MLPLAB_LN2_HI)),
                         _mm512_sub_pd(_mm512_sub_pd(hfsq, c), f));
}

/* -|z| (the sign bit set) */
MLPLAB_AVX512_INLINE __m512d mlplab_negabs8(__m512d z)
{
    return _mm512_castsi512_pd(_mm512_or_si512(_mm512_castpd_si512(z),
                                               _mm512_set1_epi64((long long)0x8000000000000000ULL)));
}

/* e = exp(-|z|) in, sigmoid(z) out */
MLPLAB_AVX512_INLINE __m512d mlplab_vsigmoid8_from(__m512d z, __m512d e)
{
    const __m512d one = _mm512_set1_pd(1.0);
    const __mmask8 pos = _mm512_cmp_pd_mask(z, _mm512_setzero_pd(), _CMP_GE_OQ);
    return _mm512_div_pd(_mm512_mask_blend_pd(pos, e, one), _mm512_add_pd(one, e));
}

MLPLAB_AVX512_INLINE __m512d mlplab_vsigmoid8(__m512d z)
{
    return mlplab_vsigmoid8_from(z, mlplab_vexp8(mlplab_negabs8(z)));
}

/* The mask of the first r < 8 lanes, for a loop's tail. */
static inline __mmask8 mlplab_tail_mask(size_t r)
{
    return (__mmask8)((1u << r) - 1u);
}

/* hi and lo of 2^(j/16) for j = the low 4 bits of each lane of idx: the
 * four indices go through memory to integer registers, each entry's hi, lo
 * pair is one 16-byte load, and two inserts and two unpacks sort them into
 * a vector of his and one of los.  (Tried first: the table in eight
 * registers, vpermps on pairs of floats and three blends per table; no
 * memory, but 14 shuffle-port operations per four values, about 1.6 ns per
 * sigmoid against 1.25 ns this way on the test machine's EPYC.) */
MLPLAB_AVX2_INLINE void mlplab_exp2_pick4(__m256i idx, __m256d *hi, __m256d *lo)
{
    uint64_t j[4] __attribute__((aligned(32)));

    _mm256_store_si256((__m256i *)(void *)j, _mm256_and_si256(idx, _mm256_set1_epi64x(15)));
    const __m256d a = _mm256_insertf128_pd(
        _mm256_castpd128_pd256(_mm_load_pd(mlplab_exp2_pair + 2 * j[0])),
        _mm_load_pd(mlplab_exp2_pair + 2 * j[2]), 1); /* hi0 lo0 hi2 lo2 */
    const __m256d b = _mm256_insertf128_pd(
        _mm256_castpd128_pd256(_mm_load_pd(mlplab_exp2_pair + 2 * j[1])),
        _mm_load_pd(mlplab_exp2_pair + 2 * j[3]), 1); /* hi1 lo1 hi3 lo3 */
    *hi = _mm256_unpacklo_pd(a, b);
    *lo = _mm256_unpackhi_pd(a, b);
}

MLPLAB_AVX2_INLINE __m256d mlplab_vexp4(__m256d x)
{
    const __m256d sh = _mm256_set1_pd(MLPLAB_EXP_SHIFTER);
    /* max(c, x) and min(c, x) return x when x is NaN, as the C clamps do */
    __m256d xc = _mm256_max_pd(_mm256_set1_pd(-746.0), x);
    xc = _mm256_min_pd(_mm256_set1_pd(710.0), xc);

    const __m256d t = _mm256_fmadd_pd(xc, _mm256_set1_pd(MLPLAB_EXP_INV), sh);
    const __m256d k = _mm256_sub_pd(t, sh);
    __m256d r = _mm256_fnmadd_pd(k, _mm256_set1_pd(MLPLAB_EXP_L_HI), xc);
    r = _mm256_fnmadd_pd(k, _mm256_set1_pd(MLPLAB_EXP_L_LO), r);

    __m256d q = _mm256_set1_pd(MLPLAB_EXP_C7);
    q = _mm256_fmadd_pd(q, r, _mm256_set1_pd(MLPLAB_EXP_C6));
    q = _mm256_fmadd_pd(q, r, _mm256_set1_pd(MLPLAB_EXP_C5));
    q = _mm256_fmadd_pd(q, r, _mm256_set1_pd(MLPLAB_EXP_C4));
    q = _mm256_fmadd_pd(q, r, _mm256_set1_pd(MLPLAB_EXP_C3));
    q = _mm256_fmadd_pd(q, r, _mm256_set1_pd(MLPLAB_EXP_C2));
    const __m256d p = _mm256_fmadd_pd(_mm256_mul_pd(r, r), q, r);

    const __m256i tb = _mm256_castpd_si256(t);
    __m256d th, tl;
    mlplab_exp2_pick4(tb, &th, &tl);
    const __m256d e = _mm256_add_pd(_mm256_fmadd_pd(th, p, tl), th);

    /* 2^m1 and 2^m2 as in mlplab_vexp: m + 2048 = (bits(t) - bits(shifter)
     * + 2048 * 16) >> 4, non-negative after the clamps, so a logical shift
     * (AVX2 has no 64-bit arithmetic one) gives the same floor */
    const __m256i mb = _mm256_srli_epi64(
        _mm256_sub_epi64(tb, _mm256_set1_epi64x((long long)(0x4338000000000000ULL - 0x8000ULL))),
        4);
    const __m256i m1b = _mm256_srli_epi64(mb, 1);
    const __m256i m2b = _mm256_sub_epi64(mb, m1b);
    const __m256i one = _mm256_set1_epi64x(1);
    const __m256d s1 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_sub_epi64(m1b, one), 52));
    const __m256d s2 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_sub_epi64(m2b, one), 52));
    return _mm256_mul_pd(_mm256_mul_pd(e, s1), s2);
}

MLPLAB_AVX2_INLINE __m256d mlplab_vlog1p01_4(__m256d e)
{
    const __m256d big = _mm256_cmp_pd(e, _mm256_set1_pd(0.5), _CMP_GT_OQ);
    const __m256d k = _mm256_and_pd(big, _mm256_set1_pd(1.0));
    const __m256d f = _mm256_blendv_pd(
        e, _mm256_mul_pd(_mm256_sub_pd(e, _mm256_set1_pd(1.0)), _mm256_set1_pd(0.5)), big);
    const __m256d s = _mm256_div_pd(f, _mm256_add_pd(_mm256_set1_pd(2.0), f));
    const __m256d z = _mm256_mul_pd(s, s);
    __m256d r = _mm256_set1_pd(mlplab_log1p_c[0]);
    for (int j = 1; j < MLPLAB_LOG1P_TERMS; j++)
        r = _mm256_fmadd_pd(r, z, _mm256_set1_pd(mlplab_log1p_c[j]));
    r = _mm256_mul_pd(r, z);
    const __m256d hfsq = _mm256_mul_pd(_mm256_mul_pd(_mm256_set1_pd(0.5), f), f);
    const __m256d c = _mm256_fmadd_pd(s, _mm256_add_pd(hfsq, r),
                                      _mm256_mul_pd(k, _mm256_set1_pd(MLPLAB_LN2_LO)));
    return _mm256_sub_pd(_mm256_mul_pd(k, _mm256_set1_pd(MLPLAB_LN2_HI)),
                         _mm256_sub_pd(_mm256_sub_pd(hfsq, c), f));
}

MLPLAB_AVX2_INLINE __m256d mlplab_negabs4(__m256d z)
{
    return _mm256_or_pd(z, _mm256_set1_pd(-0.0));
}

MLPLAB_AVX2_INLINE __m256d mlplab_vsigmoid4_from(__m256d z, __m256d e)
{
    const __m256d one = _mm256_set1_pd(1.0);
    const __m256d pos = _mm256_cmp_pd(z, _mm256_setzero_pd(), _CMP_GE_OQ);
    return _mm256_div_pd(_mm256_blendv_pd(e, one, pos), _mm256_add_pd(one, e));
}

MLPLAB_AVX2_INLINE __m256d mlplab_vsigmoid4(__m256d z)
{
    return mlplab_vsigmoid4_from(z, mlplab_vexp4(mlplab_negabs4(z)));
}

/* The mask of the first r < 4 lanes, for vmaskmovpd. */
MLPLAB_AVX2_INLINE __m256i mlplab_tail_mask4(size_t r)
{
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)r), _mm256_set_epi64x(3, 2, 1, 0));
}

/* a (n) = sigmoid(z (n)), the twins over an array; a may be z. */
MLP_ISA_AVX512_FN static inline void mlplab_vsigmoid_array_avx512(const double *z, double *a,
                                                                   size_t n)
{
    size_t i = 0;

    for (; i + 8 <= n; i += 8)
        _mm512_storeu_pd(a + i, mlplab_vsigmoid8(_mm512_loadu_pd(z + i)));
    if (i < n) {
        const __mmask8 m = mlplab_tail_mask(n - i);
        _mm512_mask_storeu_pd(a + i, m, mlplab_vsigmoid8(_mm512_maskz_loadu_pd(m, z + i)));
    }
}

MLP_ISA_AVX2_FN static inline void mlplab_vsigmoid_array_avx2(const double *z, double *a,
                                                               size_t n)
{
    size_t i = 0;

    for (; i + 4 <= n; i += 4)
        _mm256_storeu_pd(a + i, mlplab_vsigmoid4(_mm256_loadu_pd(z + i)));
    if (i < n) {
        const __m256i m = mlplab_tail_mask4(n - i);
        _mm256_maskstore_pd(a + i, m, mlplab_vsigmoid4(_mm256_maskload_pd(z + i, m)));
    }
}
#else
static inline int mlplab_have_avx512(void)
{
    return 0;
}

static inline int mlplab_have_avx2(void)
{
    return 0;
}
#endif

/* a (n) = sigmoid(z (n)) in the copy mlp_isa() picks: the twins, or the C
 * loop; a may be z. */
static inline void mlplab_vsigmoid_array(const double *z, double *a, size_t n)
{
#ifdef MLPLAB_HAVE_AVX512_PATH
    if (mlplab_have_avx512()) {
        mlplab_vsigmoid_array_avx512(z, a, n);
        return;
    }
    if (mlplab_have_avx2()) {
        mlplab_vsigmoid_array_avx2(z, a, n);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++)
        a[i] = mlplab_vsigmoid(z[i]);
}

/* Sums that do not depend on the vector width: t[i] goes to lane i mod 8 of
 * an 8-wide accumulator (one AVX-512, two AVX2 or four SSE2 registers, the
 * same additions in the same order), folded at the end by one fixed tree. */
typedef double mlplab_v8d __attribute__((vector_size(8 * sizeof(double))));

/* *acc += t[0..c), t[i] into lane i mod 8 (c need not be a multiple of 8).
 * (Vectors pass by pointer: by value they would depend on the ISA's ABI.) */
static inline __attribute__((always_inline)) void mlplab_lanes_add(mlplab_v8d *acc,
                                                                  const double *t, size_t c)
{
    size_t i = 0;
    mlplab_v8d v;

    for (; i + 8 <= c; i += 8) {
        memcpy(&v, t + i, sizeof(v));
        *acc += v;
    }
    if (i < c) {
        double pad[8] = {0};
        memcpy(pad, t + i, (c - i) * sizeof(double));
        memcpy(&v, pad, sizeof(v));
        *acc += v;
    }
}

static inline __attribute__((always_inline)) double mlplab_lanes_fold(const mlplab_v8d *a)
{
    return (((*a)[0] + (*a)[1]) + ((*a)[2] + (*a)[3])) +
           (((*a)[4] + (*a)[5]) + ((*a)[6] + (*a)[7]));
}

#endif
