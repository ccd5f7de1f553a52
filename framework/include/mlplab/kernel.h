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
 * Unset, empty or any other value: the best the CPU has.
 *
 * The fused layer templates at the end build an activation plugin's
 * layer_forward and layer_backward (ABI 1.2) from its elementwise function
 * on MLP_FUSE_W values; see docs/writing-plugins.md. */
#ifndef MLPLAB_KERNEL_H
#define MLPLAB_KERNEL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlplab/plugin.h"

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

/* ---- fused layer templates (ABI 1.2) -------------------------------------
 * A plugin writes its function on MLP_FUSE_W values held in arrays (which
 * the compiler keeps in registers once the template is inlined):
 *   static inline __attribute__((always_inline))
 *   void my_f8(const double *z, double *a, const mlp_param_value *p);
 *   static inline __attribute__((always_inline))
 *   void my_df8(const double *z, const double *a, const double *da, double *dz,
 *               const mlp_param_value *p);
 * computing, lane by lane, exactly what its forward and backward compute for
 * one element, and then, per machine copy,
 *   MLP_ISA_AVX2_FN static void my_layer_forward_avx2(const mlp_layer_block *l,
 *                                                     const mlp_param_value *p)
 *   { mlp_layer_forward_template(l, my_f8, p); }
 * and the same for layer_backward with mlp_layer_backward_template.  The
 * templates walk the block MLP_FUSE_W samples at a time: the pre-activation
 * of every unit, its activation and the next layer's sum (forward), or the
 * gradient w.r.t. each activation and the unit's dz (backward), stay in
 * registers between the steps, with the operations in the order
 * mlp_activation_desc states, so fused and unfused give the same bits. */
#define MLP_FUSE_W 16

typedef void mlp_fuse_fwd_fn(const double *z, double *a, const mlp_param_value *p);
typedef void mlp_fuse_bwd_fn(const double *z, const double *a, const double *da, double *dz,
                             const mlp_param_value *p);

/* MLP_FUSE_W samples from i0 through the layer l: z, a and, when asked,
 * next_z.  c < MLP_FUSE_W valid samples (the block's tail): the other lanes
 * are computed from zeros and never stored.  (The full chunk's loops have
 * no condition inside, so the compiler keeps each lane array in one or two
 * vector registers.) */
static inline __attribute__((always_inline)) void
mlp_fuse_forward_chunk(const mlp_layer_block *l, mlp_fuse_fwd_fn *f, const mlp_param_value *p,
                       size_t i0, size_t c)
{
    const size_t nb = l->nb, nin = l->nin;
    double acc[MLP_FUSE_W], zc[MLP_FUSE_W], ac[MLP_FUSE_W], x[MLP_FUSE_W] = {0};
    size_t o, k, j;

    for (j = 0; j < MLP_FUSE_W; j++)
        acc[j] = l->next_b[0];
    for (o = 0; o < l->out; o++) {
        const double *w = l->w + o * nin, nw = l->next_w[o];
        for (j = 0; j < MLP_FUSE_W; j++)
            zc[j] = l->b[o];
        for (k = 0; k < nin; k++) {
            const double wk = w[k];
            if (c == MLP_FUSE_W) {
                const double *xk = l->in + k * nb + i0;
                for (j = 0; j < MLP_FUSE_W; j++)
                    zc[j] = fma(xk[j], wk, zc[j]);
            } else {
                memcpy(x, l->in + k * nb + i0, c * sizeof(double));
                for (j = 0; j < MLP_FUSE_W; j++)
                    zc[j] = fma(x[j], wk, zc[j]);
            }
        }
        f(zc, ac, p);
        memcpy(l->z + o * nb + i0, zc, c * sizeof(double));
        memcpy(l->a + o * nb + i0, ac, c * sizeof(double));
        for (j = 0; j < MLP_FUSE_W; j++)
            acc[j] = fma(ac[j], nw, acc[j]);
    }
    if (l->next_z)
        memcpy(l->next_z + i0, acc, c * sizeof(double));
}

static inline __attribute__((always_inline)) void
mlp_layer_forward_template(const mlp_layer_block *l, mlp_fuse_fwd_fn *f, const mlp_param_value *p)
{
    /* a local copy: the stores to z and a cannot change it, so its fields
     * stay in registers */
    const mlp_layer_block lb = *l;
    size_t i0 = 0;

    for (; i0 + MLP_FUSE_W <= lb.nb; i0 += MLP_FUSE_W)
        mlp_fuse_forward_chunk(&lb, f, p, i0, MLP_FUSE_W);
    if (i0 < lb.nb)
        mlp_fuse_forward_chunk(&lb, f, p, i0, lb.nb - i0);
}

/* MLP_FUSE_W samples from i0 (c valid) back through the layer l: dz. */
static inline __attribute__((always_inline)) void
mlp_fuse_backward_chunk(const mlp_layer_block *l, mlp_fuse_bwd_fn *df, const mlp_param_value *p,
                        size_t i0, size_t c)
{
    const size_t nb = l->nb, out = l->out;
    double da[MLP_FUSE_W], zc[MLP_FUSE_W] = {0}, ac[MLP_FUSE_W] = {0}, dzc[MLP_FUSE_W];
    size_t o, k, j;

    for (k = 0; k < out; k++) {
        const double *d = l->next_d + i0;
        if (c == MLP_FUSE_W) {
            for (j = 0; j < MLP_FUSE_W; j++)
                da[j] = d[j] * l->next_w[k];
            for (o = 1; o < l->next_out; o++)
                for (j = 0; j < MLP_FUSE_W; j++)
                    da[j] = fma(d[o * nb + j], l->next_w[o * out + k], da[j]);
            df(l->z + k * nb + i0, l->a + k * nb + i0, da, dzc, p);
            memcpy(l->dz + k * nb + i0, dzc, sizeof(dzc));
        } else {
            for (j = 0; j < MLP_FUSE_W; j++)
                da[j] = 0.0;
            for (j = 0; j < c; j++)
                da[j] = d[j] * l->next_w[k];
            for (o = 1; o < l->next_out; o++)
                for (j = 0; j < c; j++)
                    da[j] = fma(d[o * nb + j], l->next_w[o * out + k], da[j]);
            memcpy(zc, l->z + k * nb + i0, c * sizeof(double));
            memcpy(ac, l->a + k * nb + i0, c * sizeof(double));
            df(zc, ac, da, dzc, p);
            memcpy(l->dz + k * nb + i0, dzc, c * sizeof(double));
        }
    }
}

static inline __attribute__((always_inline)) void
mlp_layer_backward_template(const mlp_layer_block *l, mlp_fuse_bwd_fn *df,
                            const mlp_param_value *p)
{
    const mlp_layer_block lb = *l;
    size_t i0 = 0;

    for (; i0 + MLP_FUSE_W <= lb.nb; i0 += MLP_FUSE_W)
        mlp_fuse_backward_chunk(&lb, df, p, i0, MLP_FUSE_W);
    if (i0 < lb.nb)
        mlp_fuse_backward_chunk(&lb, df, p, i0, lb.nb - i0);
}

#ifdef __cplusplus
}
#endif
#endif
