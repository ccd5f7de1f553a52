/* mlplab_vexp.h -- a branch-free exp(double) in plain C that gcc -O3
 * auto-vectorizes, for the in-tree plugins' elementwise loops.
 *
 * Why: libm's exp is scalar, and its vector variant (libmvec) is only used
 * under -ffast-math and gives CPU-dependent results.  This one uses only
 * IEEE additions, multiplications, fused multiply-adds (C99 fma(), one
 * rounding), comparisons and integer adds/shifts, each correctly rounded, so
 * it gives the same bits on every x86-64 CPU, scalar or vectorized, as long
 * as the including file is compiled without -ffast-math and with
 * -ffp-contract=off (plugins/CMakeLists.txt does both: the compiler must not
 * fuse a * b + c on its own where the source does not say fma).  On a CPU
 * with FMA (x86-64-v3 and up) fma() is one instruction; elsewhere it is
 * libm's exact software fma, the same bits, much slower.
 *
 * Method (textbook): x = k ln2 + r, k = rint(x / ln2), |r| <= ln2 / 2, with
 * ln2 split into a 32-bit hi part (k * hi is exact for |k| < 2^21) and a lo
 * part (Cody-Waite, the lo product fused); exp(r) by a degree-11 polynomial
 * in Horner form with fused steps (approximation error < 0.12 ulp on that
 * interval); then times 2^k, built from integer bits as 2^k1 * 2^k2 with
 * k1 + k2 = k, so that both ends of the range (k = 1024 just below the
 * overflow threshold, k down to -1076 for subnormal results) need no branch
 * and the result is rounded only once.
 *
 * Accuracy: <= 2 ulp against glibc's exp over [-745, 710] (tests/test_vexp.c
 * measures it; see bench/README.md for the figure).  Special values, as libm:
 *   x > 709.782712893383973 (= 0x1.62e42fefa39efp+9, the largest x with a
 *       finite exp) and x = +inf give +inf (the product overflows);
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
#include <stdint.h>
#include <string.h>

/* MLPLAB_VEXP_CLONES, on a plugin's kernel entry points: one copy of the
 * function compiled for x86-64-v4 (AVX-512), one for x86-64-v3 (AVX2 + FMA)
 * and the default (SSE2, fma() from libm), picked once at load time from the
 * CPU (GCC target_clones, an ifunc).  The loops then run 8, 4 or 2 doubles
 * wide.  Every copy computes the same IEEE operations on each element (fma
 * only where the source says so: -ffp-contract=off; no libm vector calls), so
 * the results are the same bits on every CPU; tests/test_vexp.c checks that
 * for the ISAs the test machine has.  Empty for other compilers and targets, or
 * when MLPLAB_VEXP_NO_CLONES is defined (then only the build's own -m flags
 * count, SSE2 by default on x86-64). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(MLPLAB_VEXP_NO_CLONES)
#define MLPLAB_VEXP_CLONES \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define MLPLAB_VEXP_CLONES
#endif

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

/* exp(x), branch-free; see the header comment for accuracy and limits. */
static inline double mlplab_vexp(double x)
{
    const double inv_ln2 = 0x1.71547652b82fep+0;
    const double ln2_hi = 0x1.62e42fee00000p-1; /* 32 significant bits */
    const double ln2_lo = 0x1.a39ef35793c76p-33; /* ln2 - ln2_hi, rounded */
    const double shifter = 0x1.8p52; /* x + shifter - shifter = rint(x), |x| < 2^51 */
    /* Clamp so that k stays in [-1077, 1025]: below -746 the result is 0 and
     * above 710 it is inf, either way.  A NaN fails both tests and goes
     * through, making every later step NaN. */
    double xc = x < -746.0 ? -746.0 : x;
    xc = xc > 710.0 ? 710.0 : xc;

    double t = fma(xc, inv_ln2, shifter); /* the low mantissa bits hold k */
    double k = t - shifter;
    double r = fma(-k, ln2_lo, xc - k * ln2_hi); /* |r| <= ln2/2 + tiny */

    /* exp(r) = 1 + r + r^2 Q(r), Q of degree 9 fitted (Chebyshev, mpmath) to
     * (exp(r) - 1 - r) / r^2 on [-ln2/2, ln2/2]: error < 0.12 ulp. */
    double p = 0x1.af389ecfc4b9cp-26;
    p = fma(p, r, 0x1.28917c89a43a7p-22);
    p = fma(p, r, 0x1.71de0db2f6b19p-19);
    p = fma(p, r, 0x1.a019b9149a41cp-16);
    p = fma(p, r, 0x1.a01a01a7c2efep-13);
    p = fma(p, r, 0x1.6c16c17889ef1p-10);
    p = fma(p, r, 0x1.11111111109b5p-7);
    p = fma(p, r, 0x1.5555555553d68p-5);
    p = fma(p, r, 0x1.5555555555556p-3);
    p = fma(p, r, 0x1.0000000000001p-1);
    p = fma(p, r, 1.0);
    p = fma(p, r, 1.0);

    /* times 2^k = 2^k1 * 2^k2, k1 = floor(k / 2), k2 = k - k1, both in
     * [-539, 513]: p * 2^k1 is exact (normal), the second product rounds
     * once, to a subnormal, to 0 or to inf where it must.  The exponent
     * fields come from integer arithmetic on the bits of t (bits(t) =
     * bits(shifter) + k), with 64-bit add, subtract and logical shifts only,
     * which SSE2 has; the bias 2048 keeps the halving shift unsigned. */
    const uint64_t kb = mlplab_double_to_bits(t) - (uint64_t)0x4338000000000000ULL + 2048u;
    const uint64_t k1b = kb >> 1;     /* k1 + 1024 */
    const uint64_t k2b = kb - k1b;    /* k2 + 1024 */
    const double s1 = mlplab_bits_to_double((k1b - 1u) << 52); /* 2^k1: field k1 + 1023 */
    const double s2 = mlplab_bits_to_double((k2b - 1u) << 52);
    return (p * s1) * s2;
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
static inline double mlplab_vlog1p01(double e)
{
    const double ln2_hi = 0x1.62e42fee00000p-1, ln2_lo = 0x1.a39ef35793c76p-33;
    const int big = e > 0.5;
    const double k = big ? 1.0 : 0.0;
    const double f = big ? (e - 1.0) * 0.5 : e;
    const double s = f / (2.0 + f);
    const double z = s * s;
    double r = 2.0 / 27.0;
    r = fma(r, z, 2.0 / 25.0);
    r = fma(r, z, 2.0 / 23.0);
    r = fma(r, z, 2.0 / 21.0);
    r = fma(r, z, 2.0 / 19.0);
    r = fma(r, z, 2.0 / 17.0);
    r = fma(r, z, 2.0 / 15.0);
    r = fma(r, z, 2.0 / 13.0);
    r = fma(r, z, 2.0 / 11.0);
    r = fma(r, z, 2.0 / 9.0);
    r = fma(r, z, 2.0 / 7.0);
    r = fma(r, z, 2.0 / 5.0);
    r = fma(r, z, 2.0 / 3.0);
    r *= z;
    const double hfsq = 0.5 * f * f;
    return k * ln2_hi - ((hfsq - fma(s, hfsq + r, k * ln2_lo)) - f);
}

/* sigmoid(z) = 1 / (1 + exp(-z)) as (z >= 0 ? 1 : e) / (1 + e), e = exp(-|z|):
 * no overflow, one rounding after the exp's, and branch-free. */
static inline double mlplab_vsigmoid(double z)
{
    const double e = mlplab_vexp(-fabs(z));

    return (z >= 0.0 ? 1.0 : e) / (1.0 + e);
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
