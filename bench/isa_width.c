/* isa_width.c -- how much arithmetic this CPU does per second in AVX2 (4
 * doubles) and AVX-512 (8 doubles) registers: fused multiply-adds and
 * divisions, each in independent chains so that throughput, not latency,
 * is measured.  The ratio bounds what the AVX2 copy of a kernel can reach
 * against its AVX-512 copy when both compute the same operations per value
 * (mlplab/kernel.h).  Not a test and not part of the build:
 *
 *   cc -O2 bench/isa_width.c -o /tmp/isa_width && /tmp/isa_width
 *
 * Every chain's result feeds the returned sum, so the compiler cannot drop
 * any of them. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#define CHAINS 12     /* independent FMA chains: 12 registers of 16 (AVX2) */
#define DIV_CHAINS 8  /* independent division chains */

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

__attribute__((target("avx2,fma"), noinline)) static double fma_ymm(long n)
{
    __m256d a[CHAINS], s;
    const __m256d m = _mm256_set1_pd(0.999999), c = _mm256_set1_pd(1e-9);
    double out[4];

    for (int i = 0; i < CHAINS; i++)
        a[i] = _mm256_set1_pd(1e-3 * i);
    for (long k = 0; k < n; k++) {
#pragma GCC unroll 12
        for (int i = 0; i < CHAINS; i++)
            a[i] = _mm256_fmadd_pd(a[i], m, c);
    }
    s = a[0];
    for (int i = 1; i < CHAINS; i++)
        s = _mm256_add_pd(s, a[i]);
    _mm256_storeu_pd(out, s);
    return out[0] + out[1] + out[2] + out[3];
}

__attribute__((target("avx512f"), noinline)) static double fma_zmm(long n)
{
    __m512d a[CHAINS], s;
    const __m512d m = _mm512_set1_pd(0.999999), c = _mm512_set1_pd(1e-9);

    for (int i = 0; i < CHAINS; i++)
        a[i] = _mm512_set1_pd(1e-3 * i);
    for (long k = 0; k < n; k++) {
#pragma GCC unroll 12
        for (int i = 0; i < CHAINS; i++)
            a[i] = _mm512_fmadd_pd(a[i], m, c);
    }
    s = a[0];
    for (int i = 1; i < CHAINS; i++)
        s = _mm512_add_pd(s, a[i]);
    return _mm512_reduce_add_pd(s);
}

__attribute__((target("avx2"), noinline)) static double div_ymm(long n)
{
    __m256d a[DIV_CHAINS], s;
    const __m256d num = _mm256_set1_pd(1.0000001);
    double out[4];

    for (int i = 0; i < DIV_CHAINS; i++)
        a[i] = _mm256_set1_pd(1.0 + 1e-3 * i);
    for (long k = 0; k < n; k++) {
#pragma GCC unroll 8
        for (int i = 0; i < DIV_CHAINS; i++)
            a[i] = _mm256_div_pd(num, a[i]);
    }
    s = a[0];
    for (int i = 1; i < DIV_CHAINS; i++)
        s = _mm256_add_pd(s, a[i]);
    _mm256_storeu_pd(out, s);
    return out[0] + out[1] + out[2] + out[3];
}

__attribute__((target("avx512f"), noinline)) static double div_zmm(long n)
{
    __m512d a[DIV_CHAINS], s;
    const __m512d num = _mm512_set1_pd(1.0000001);

    for (int i = 0; i < DIV_CHAINS; i++)
        a[i] = _mm512_set1_pd(1.0 + 1e-3 * i);
    for (long k = 0; k < n; k++) {
#pragma GCC unroll 8
        for (int i = 0; i < DIV_CHAINS; i++)
            a[i] = _mm512_div_pd(num, a[i]);
    }
    s = a[0];
    for (int i = 1; i < DIV_CHAINS; i++)
        s = _mm512_add_pd(s, a[i]);
    return _mm512_reduce_add_pd(s);
}

int main(void)
{
    const long n = 100000000, nd = n / 10;
    double sink = 0.0;

    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("fma")) {
        fprintf(stderr, "isa_width: this CPU lacks AVX-512F or FMA\n");
        return 1;
    }
    for (int rep = 0; rep < 3; rep++) {
        double t = now();
        sink += fma_ymm(n);
        const double ty = now() - t;
        t = now();
        sink += fma_zmm(n);
        const double tz = now() - t;
        t = now();
        sink += div_ymm(nd);
        const double dy = now() - t;
        t = now();
        sink += div_zmm(nd);
        const double dz = now() - t;
        /* an FMA is 2 FLOP a lane */
        const double gy = (double)n * CHAINS * 4 * 2 / ty / 1e9,
                     gz = (double)n * CHAINS * 8 * 2 / tz / 1e9;
        const double ny = dy / ((double)nd * DIV_CHAINS * 4) * 1e9,
                     nz = dz / ((double)nd * DIV_CHAINS * 8) * 1e9;
        printf("fma: ymm %.1f GFLOP/s, zmm %.1f GFLOP/s (zmm/ymm %.2f); "
               "div: ymm %.3f ns, zmm %.3f ns a value (ymm/zmm %.2f)\n",
               gy, gz, gz / gy, ny, nz, ny / nz);
    }
    return sink == 42.0;  /* keeps sink live */
}
