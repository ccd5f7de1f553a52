/* mlplab/kernel.h -- for the kernels of plugins and of the host: the machine
 * copies a kernel is built in (ISA levels), and the environment variable that
 * forces one of them.  Header-only; a plugin may include it besides
 * mlplab/plugin.h.
 *
 * A hot loop is compiled three times, as a function marked MLP_ISA_AVX512_FN
 * (x86-64-v4), one marked MLP_ISA_AVX2_FN (x86-64-v3: AVX2 and FMA) and one
 * without a mark (the build's baseline, SSE2 on x86-64), from one always_inline
 * body; mlp_isa() says which copy to call.  Every copy must compute the same
 * IEEE operations on each element (build with -ffp-contract=off, write every
 * fused multiply-add as fma(), no -ffast-math): then the three give the same
 * bits, and only their speed differs.
 *
 * MLPLAB_ISA=avx512|avx2|sse2 in the environment lowers the level to the one
 * named (never above what the CPU has), in the host and in every plugin that
 * uses mlp_isa(): what lets the tests and bench/ run each copy on one machine.
 * Unset, empty or any other value: the best the CPU has. */
#ifndef MLPLAB_KERNEL_H
#define MLPLAB_KERNEL_H

#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mlp_isa_level {
    MLP_ISA_BASELINE = 0, /* x86-64 (SSE2, fma() in software), or not x86-64 */
    MLP_ISA_AVX2 = 1,     /* x86-64-v3: AVX2, FMA */
    MLP_ISA_AVX512 = 2    /* x86-64-v4: AVX-512 F, BW, DQ, VL */
} mlp_isa_level;

#define MLP_ISA_ENV "MLPLAB_ISA"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(MLPLAB_NO_ISA_COPIES)
#define MLP_ISA_COPIES 1
#define MLP_ISA_AVX512_FN __attribute__((target("arch=x86-64-v4")))
#define MLP_ISA_AVX2_FN __attribute__((target("arch=x86-64-v3")))
#else
#define MLP_ISA_AVX512_FN
#define MLP_ISA_AVX2_FN
#endif

/* The level this process runs: the CPU's best, lowered by MLPLAB_ISA.  Reads
 * the environment; call it once (at load time) and keep the answer. */
static inline mlp_isa_level mlp_isa_detect(void)
{
    mlp_isa_level cpu = MLP_ISA_BASELINE;
    const char *s = getenv(MLP_ISA_ENV);
    mlp_isa_level want = MLP_ISA_AVX512;

#ifdef MLP_ISA_COPIES
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4"))
        cpu = MLP_ISA_AVX512;
    else if (__builtin_cpu_supports("x86-64-v3"))
        cpu = MLP_ISA_AVX2;
#endif
    if (s && strcmp(s, "avx2") == 0)
        want = MLP_ISA_AVX2;
    else if (s && strcmp(s, "sse2") == 0)
        want = MLP_ISA_BASELINE;
    return want < cpu ? want : cpu;
}

/* The level, detected once when the object is loaded (a constructor, so the
 * answer is there before any thread calls a kernel). */
static mlp_isa_level mlp_isa_level_at_load;
__attribute__((constructor)) static void mlp_isa_at_load(void)
{
    mlp_isa_level_at_load = mlp_isa_detect();
}

static inline mlp_isa_level mlp_isa(void)
{
    return mlp_isa_level_at_load;
}

/* The name of a level, as MLPLAB_ISA spells it. */
static inline const char *mlp_isa_name(mlp_isa_level l)
{
    return l == MLP_ISA_AVX512 ? "avx512" : l == MLP_ISA_AVX2 ? "avx2" : "sse2";
}

#ifdef __cplusplus
}
#endif
#endif
