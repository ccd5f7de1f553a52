/* model_kernels.c -- the forward and backward kernels, over one block and
 * over a batch.
 *
 * Kernels carry a block of up to MLP_BLOCK samples through every layer, and
 * for training through the loss and back, before the next block, so a
 * block's activations stay in cache; inside a block each layer is stored
 * feature-major (a row per unit), so every inner loop runs over samples.
 * Numbers do not depend on threads, CPU or blocking of the caller:
 *  - each z element is b + x_0 w_0 + x_1 w_1 + ... in that order, so a
 *    sample's forward values are the same in any batch or block;
 *  - a gradient element is, per block, a sum in eight fixed lanes folded by a
 *    fixed tree, and the batch's gradient the blocks' gradients added in block
 *    order; blocks are fixed slices [j bs, (j+1) bs) of the batch, whether one
 *    thread or several compute them. */
#include "train/model_block.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/calling.h"

/* Arithmetic: every multiply-add the kernels do is one fma() (one rounding),
 * and nothing else is fused (-ffp-contract=off, framework/train/CMakeLists.txt).
 * On x86-64-v3 and v4 CPUs fma() is an instruction; elsewhere libm computes
 * it exactly in software: the same bits, slower.
 *
 * Sums over a block's samples use eight partial sums, sample i going to
 * lane i mod 8, folded by one fixed tree.  The lanes are two 4-wide vectors,
 * which the compiler maps onto AVX-512 or AVX2 registers or pairs of SSE2
 * ones: the same operations in the same order whatever the ISA, so the same
 * bits on every x86-64 CPU. */
typedef double v4d __attribute__((vector_size(4 * sizeof(double))));
typedef struct lanes8 {
    v4d lo, hi;  /* lanes 0-3, 4-7 */
} lanes8;

#define MLP_INLINE static inline __attribute__((always_inline))

/* (Vectors pass by pointer: by value they would depend on the ISA's ABI.) */
MLP_INLINE void load8(lanes8 *v, const double *p)
{
    memcpy(&v->lo, p, sizeof(v->lo));
    memcpy(&v->hi, p + 4, sizeof(v->hi));
}

/* The r < 8 values at p in the low lanes, zeros above (adding them, or
 * products with them, changes no partial sum). */
MLP_INLINE void load_tail(lanes8 *v, const double *p, size_t r)
{
    double t[8] = {0};
    memcpy(t, p, r * sizeof(double));
    load8(v, t);
}

MLP_INLINE void add8(lanes8 *acc, const lanes8 *a)
{
    acc->lo += a->lo;
    acc->hi += a->hi;
}

MLP_INLINE void fma4(v4d *acc, const v4d *a, const v4d *b)
{
    double x[4], y[4], z[4];

    memcpy(x, a, sizeof(x));
    memcpy(y, b, sizeof(y));
    memcpy(z, acc, sizeof(z));
    for (int s = 0; s < 4; s++)
        z[s] = fma(x[s], y[s], z[s]);
    memcpy(acc, z, sizeof(z));
}

/* acc += a * b lane by lane, fused */
MLP_INLINE void fma8(lanes8 *acc, const lanes8 *a, const lanes8 *b)
{
    fma4(&acc->lo, &a->lo, &b->lo);
    fma4(&acc->hi, &a->hi, &b->hi);
}

MLP_INLINE double fold8(const lanes8 *a)
{
    return ((a->lo[0] + a->lo[1]) + (a->lo[2] + a->lo[3])) +
           ((a->hi[0] + a->hi[1]) + (a->hi[2] + a->hi[3]));
}

/* The block kernels are built for x86-64-v4 (AVX-512), x86-64-v3 (AVX2 and
 * FMA) and baseline x86-64, and called through the copy that mlp_isa() picks
 * (the CPU's best, or the one MLPLAB_ISA forces, mlplab/kernel.h); every copy
 * computes the same bits (see above). */
#include "mlplab/kernel.h"

/* Rows of a block are ld apart: nb rounded up to 8 doubles, so that every
 * row starts on a cache line (the block's memory does, model_block.c) and no
 * 8-wide load straddles two lines.  The padding is never read or written. */
static size_t row_ld(size_t nb)
{
    return (nb + 7) & ~(size_t)7;
}

/* to = from transposed: row i < r of from (fld apart) becomes column i of
 * to (rows tld apart), c values each.  Moves a block's rows (ld apart) to
 * samples (nb, w) and back. */
static void transpose(double *restrict to, size_t tld, const double *restrict from, size_t fld,
                      size_t r, size_t c)
{
    size_t i, j;

    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++)
            to[j * tld + i] = from[i * fld + j];
}

/* xt (in rows, ld apart) = x (nb, in) transposed. */
static void load_block(double *restrict xt, const double *restrict x, size_t nb, size_t in,
                       size_t ld)
{
    size_t i;

    if (in == 1) {
        memcpy(xt, x, nb * sizeof(double));
        return;
    }
    if (in == 2) {
        for (i = 0; i < nb; i++) {
            xt[i] = x[2 * i];
            xt[ld + i] = x[2 * i + 1];
        }
        return;
    }
    transpose(xt, ld, x, in, nb, in);
}

/* z (nb) = b0 + w_0 in_0 + w_1 in_1 + ... for the rows in_k = in + k ld,
 * fused multiply-adds in that order for every sample (a block of rows per
 * pass). */
MLP_INLINE void affine_row(double *restrict z, double b0, const double *restrict w,
                           const double *restrict in, size_t nin, size_t nb, size_t ld)
{
    size_t i, k;

    if (nin == 1) {
        const double w0 = w[0];
        for (i = 0; i < nb; i++)
            z[i] = fma(in[i], w0, b0);
        return;
    }
    {
        const double w0 = w[0], w1 = w[1];
        const double *restrict x0 = in, *restrict x1 = in + ld;
        for (i = 0; i < nb; i++)
            z[i] = fma(x1[i], w1, fma(x0[i], w0, b0));
    }
    for (k = 2; k + 4 <= nin; k += 4) {
        const double w0 = w[k], w1 = w[k + 1], w2 = w[k + 2], w3 = w[k + 3];
        const double *restrict x0 = in + k * ld, *restrict x1 = x0 + ld, *restrict x2 = x1 + ld,
                               *restrict x3 = x2 + ld;
        for (i = 0; i < nb; i++)
            z[i] = fma(x3[i], w3, fma(x2[i], w2, fma(x1[i], w1, fma(x0[i], w0, z[i]))));
    }
    for (; k < nin; k++) {
        const double wk = w[k];
        const double *restrict xk = in + k * ld;
        for (i = 0; i < nb; i++)
            z[i] = fma(xk[i], wk, z[i]);
    }
}

/* Forward through every layer of a block whose inputs are in b->xt. */
MLP_INLINE void block_forward_body(const mlp_model *m, mlp_block *b, size_t nb, size_t ld)
{
    const size_t L = m->n_layers;
    const double *in = b->xt;
    size_t l, o;

    for (l = 0; l < L; l++) {
        const size_t nin = m->width[l], out = m->width[l + 1];
        const double *w = m->params + m->w_off[l], *bias = m->params + m->b_off[l];

        for (o = 0; o < out; o++) {
            double *z = b->z[l] + o * ld;
            affine_row(z, bias[o], w + o * nin, in, nin, nb, ld);
            if (l + 1 < L) {
                mlp_calling_enter(m->act[l], "forward");
                m->act[l]->forward(z, b->a[l] + o * ld, nb, m->act_params[l]);
                mlp_calling_leave();
            }
        }
        if (l + 1 < L)
            in = b->a[l];
    }
}

/* gw[k] = d . in_k for k < cnt (1, 2 or 4) rows in_k = in + k ld, and, when
 * gb is not NULL, *gb = the sum of d: one pass over d. */
MLP_INLINE void lane_dots(double *restrict gw, double *restrict gb, const double *restrict d,
                          const double *restrict in, size_t cnt, size_t nb, size_t ld)
{
    lanes8 as = {0}, a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, dv, xv;
    size_t i = 0;

    for (; i + 8 <= nb; i += 8) {
        load8(&dv, d + i);
        add8(&as, &dv);
        load8(&xv, in + i);
        fma8(&a0, &dv, &xv);
        if (cnt > 1) {
            load8(&xv, in + ld + i);
            fma8(&a1, &dv, &xv);
        }
        if (cnt > 2) {
            load8(&xv, in + 2 * ld + i);
            fma8(&a2, &dv, &xv);
            load8(&xv, in + 3 * ld + i);
            fma8(&a3, &dv, &xv);
        }
    }
    if (i < nb) {
        const size_t r = nb - i;
        load_tail(&dv, d + i, r);
        add8(&as, &dv);
        load_tail(&xv, in + i, r);
        fma8(&a0, &dv, &xv);
        if (cnt > 1) {
            load_tail(&xv, in + ld + i, r);
            fma8(&a1, &dv, &xv);
        }
        if (cnt > 2) {
            load_tail(&xv, in + 2 * ld + i, r);
            fma8(&a2, &dv, &xv);
            load_tail(&xv, in + 3 * ld + i, r);
            fma8(&a3, &dv, &xv);
        }
    }
    if (gb)
        *gb = fold8(&as);
    gw[0] = fold8(&a0);
    if (cnt > 1)
        gw[1] = fold8(&a1);
    if (cnt > 2) {
        gw[2] = fold8(&a2);
        gw[3] = fold8(&a3);
    }
}

/* gb = sum of d (nb); gw[k] = d . in_k for the rows in_k = in + k ld. */
MLP_INLINE void row_grads(double *restrict gw, double *restrict gb, const double *restrict d,
                          const double *restrict in, size_t nin, size_t nb, size_t ld)
{
    size_t k;

    if (nin == 1) {
        lane_dots(gw, gb, d, in, 1, nb, ld);
        return;
    }
    lane_dots(gw, gb, d, in, 2, nb, ld);
    for (k = 2; k + 4 <= nin; k += 4)
        lane_dots(gw + k, NULL, d, in + k * ld, 4, nb, ld);
    for (; k + 2 <= nin; k += 2)
        lane_dots(gw + k, NULL, d, in + k * ld, 2, nb, ld);
    for (; k < nin; k++)
        lane_dots(gw + k, NULL, d, in + k * ld, 1, nb, ld);
}

/* For the two rows d_0 = d, d_1 = d + ld and c < cnt (1 or 2) rows in_c =
 * in + c ld: gw[r ldg + c] = d_r . in_c and, when gb is not NULL, gb[r] =
 * the sum of d_r.  Each element is the same lane sum lane_dots makes; two
 * rows of d give twice the independent sums a pass. */
MLP_INLINE void lane_dots_pair(double *restrict gw, size_t ldg, double *restrict gb,
                               const double *restrict d, const double *restrict in, size_t cnt,
                               size_t nb, size_t ld)
{
    lanes8 s0 = {0}, s1 = {0}, a00 = {0}, a01 = {0}, a10 = {0}, a11 = {0}, d0, d1, xv;
    const double *restrict e = d + ld, *restrict x1 = in + ld;
    size_t i = 0;

    for (; i + 8 <= nb; i += 8) {
        load8(&d0, d + i);
        load8(&d1, e + i);
        add8(&s0, &d0);
        add8(&s1, &d1);
        load8(&xv, in + i);
        fma8(&a00, &d0, &xv);
        fma8(&a10, &d1, &xv);
        if (cnt > 1) {
            load8(&xv, x1 + i);
            fma8(&a01, &d0, &xv);
            fma8(&a11, &d1, &xv);
        }
    }
    if (i < nb) {
        const size_t r = nb - i;
        load_tail(&d0, d + i, r);
        load_tail(&d1, e + i, r);
        add8(&s0, &d0);
        add8(&s1, &d1);
        load_tail(&xv, in + i, r);
        fma8(&a00, &d0, &xv);
        fma8(&a10, &d1, &xv);
        if (cnt > 1) {
            load_tail(&xv, x1 + i, r);
            fma8(&a01, &d0, &xv);
            fma8(&a11, &d1, &xv);
        }
    }
    if (gb) {
        gb[0] = fold8(&s0);
        gb[1] = fold8(&s1);
    }
    gw[0] = fold8(&a00);
    gw[ldg] = fold8(&a10);
    if (cnt > 1) {
        gw[1] = fold8(&a01);
        gw[ldg + 1] = fold8(&a11);
    }
}

/* row_grads for the two rows d and d + ld at once: gradient rows gw and gw
 * + nin, biases gb[0] and gb[1]; the same elements, twice the sums a pass. */
MLP_INLINE void row_grads_pair(double *restrict gw, double *restrict gb, const double *restrict d,
                               const double *restrict in, size_t nin, size_t nb, size_t ld)
{
    size_t k;

    if (nin == 1) {
        lane_dots_pair(gw, nin, gb, d, in, 1, nb, ld);
        return;
    }
    lane_dots_pair(gw, nin, gb, d, in, 2, nb, ld);
    for (k = 2; k + 2 <= nin; k += 2)
        lane_dots_pair(gw + k, nin, NULL, d, in + k * ld, 2, nb, ld);
    for (; k < nin; k++)
        lane_dots_pair(gw + k, nin, NULL, d, in + k * ld, 1, nb, ld);
}

/* da (nb) = sum over o < out of d_o w[o][k], o ascending (d_0 w[0][k] first,
 * then fused multiply-adds), for the rows d_o = d + o ld and w (out, nin). */
MLP_INLINE void input_grad_row(double *restrict da, const double *restrict w, size_t k,
                               size_t nin, const double *restrict d, size_t out, size_t nb,
                               size_t ld)
{
    size_t i, o;

    {
        const double w0 = w[k];
        for (i = 0; i < nb; i++)
            da[i] = d[i] * w0;
    }
    for (o = 1; o + 3 <= out; o += 3) {
        const double w0 = w[o * nin + k], w1 = w[(o + 1) * nin + k], w2 = w[(o + 2) * nin + k];
        const double *restrict d0 = d + o * ld, *restrict d1 = d0 + ld, *restrict d2 = d1 + ld;
        for (i = 0; i < nb; i++)
            da[i] = fma(d2[i], w2, fma(d1[i], w1, fma(d0[i], w0, da[i])));
    }
    for (; o < out; o++) {
        const double wo = w[o * nin + k];
        const double *restrict dd = d + o * ld;
        for (i = 0; i < nb; i++)
            da[i] = fma(dd[i], wo, da[i]);
    }
}

/* Backward through every layer of a block after block_forward, from the
 * gradient w.r.t. the logits in b->d0 (k, nb): the block's gradient to g
 * (n_params, overwritten). */
MLP_INLINE void block_backward_body(const mlp_model *m, mlp_block *b, size_t nb, size_t ld,
                                    double *g)
{
    const size_t L = m->n_layers;
    double *dcur = b->d0, *dnext = b->d1, *t;
    size_t l, o, k;

    for (l = L; l-- > 0;) {
        const size_t nin = m->width[l], out = m->width[l + 1];
        const double *in = l > 0 ? b->a[l - 1] : b->xt, *w = m->params + m->w_off[l];
        double *gw = g + m->w_off[l], *gb = g + m->b_off[l];

        for (o = 0; o + 2 <= out; o += 2)
            row_grads_pair(gw + o * nin, gb + o, dcur + o * ld, in, nin, nb, ld);
        for (; o < out; o++)
            row_grads(gw + o * nin, gb + o, dcur + o * ld, in, nin, nb, ld);
        if (l == 0)
            break;
        for (k = 0; k < nin; k++) {
            input_grad_row(b->da, w, k, nin, dcur, out, nb, ld);
            mlp_calling_enter(m->act[l - 1], "backward");
            m->act[l - 1]->backward(b->z[l - 1] + k * ld, b->a[l - 1] + k * ld, b->da,
                                    dnext + k * ld, nb, m->act_params[l - 1]);
            mlp_calling_leave();
        }
        t = dcur;
        dcur = dnext;
        dnext = t;
    }
}

MLP_ISA_AVX512_FN
static void block_forward_avx512(const mlp_model *m, mlp_block *b, size_t nb, size_t ld)
{
    block_forward_body(m, b, nb, ld);
}

MLP_ISA_AVX2_FN
static void block_forward_avx2(const mlp_model *m, mlp_block *b, size_t nb, size_t ld)
{
    block_forward_body(m, b, nb, ld);
}

static void block_forward_baseline(const mlp_model *m, mlp_block *b, size_t nb, size_t ld)
{
    block_forward_body(m, b, nb, ld);
}

MLP_ISA_AVX512_FN
static void block_backward_avx512(const mlp_model *m, mlp_block *b, size_t nb, size_t ld,
                                 double *g)
{
    block_backward_body(m, b, nb, ld, g);
}

MLP_ISA_AVX2_FN
static void block_backward_avx2(const mlp_model *m, mlp_block *b, size_t nb, size_t ld,
                                 double *g)
{
    block_backward_body(m, b, nb, ld, g);
}

static void block_backward_baseline(const mlp_model *m, mlp_block *b, size_t nb, size_t ld,
                                 double *g)
{
    block_backward_body(m, b, nb, ld, g);
}

static void block_forward(const mlp_model *m, mlp_block *b, size_t nb)
{
    const size_t ld = row_ld(nb);

    if (mlp_isa() >= MLP_ISA_AVX512)
        block_forward_avx512(m, b, nb, ld);
    else if (mlp_isa() >= MLP_ISA_AVX2)
        block_forward_avx2(m, b, nb, ld);
    else
        block_forward_baseline(m, b, nb, ld);
}

static void block_backward(const mlp_model *m, mlp_block *b, size_t nb, double *g)
{
    const size_t ld = row_ld(nb);

    if (mlp_isa() >= MLP_ISA_AVX512)
        block_backward_avx512(m, b, nb, ld, g);
    else if (mlp_isa() >= MLP_ISA_AVX2)
        block_backward_avx2(m, b, nb, ld, g);
    else
        block_backward_baseline(m, b, nb, ld, g);
}

/* Forward, loss and backward of the block of nb samples at x (nb, in),
 * labels y (nb), in a batch of n samples split into nblk blocks.  The block's
 * logits go to logits (nb, k) when not NULL, its gradient to g; returns its
 * part of the batch loss. */
static double block_loss_grad(const mlp_model *m, mlp_block *b, const double *x, const double *y,
                              size_t nb, size_t n, size_t nblk, const mlp_batch_loss *bl,
                              double *logits, double *g)
{
    const size_t L = m->n_layers, k = m->width[L], ld = row_ld(nb);
    double lb;

    load_block(b->xt, x, nb, m->width[0], ld);
    block_forward(m, b, nb);
    if (k == 1) {
        mlp_calling_enter(bl->desc, "loss");
        lb = bl->desc->loss(b->z[L - 1], y, b->d0, nb, 1, bl->params);
        mlp_calling_leave();
        if (logits)
            memcpy(logits, b->z[L - 1], nb * sizeof(double));
    } else {
        transpose(b->lrow, k, b->z[L - 1], ld, k, nb);
        mlp_calling_enter(bl->desc, "loss");
        lb = bl->desc->loss(b->lrow, y, b->dlrow, nb, k, bl->params);
        mlp_calling_leave();
        transpose(b->d0, ld, b->dlrow, k, nb, k);
        if (logits)
            memcpy(logits, b->lrow, nb * k * sizeof(double));
    }
    if (nblk > 1 && !bl->sum) {
        /* the block's mean, weighted by its share of the batch */
        const double wgt = (double)nb / (double)n;
        lb *= wgt;
        for (size_t o = 0; o < k; o++)
            for (size_t i = 0; i < nb; i++)
                b->d0[o * ld + i] *= wgt;
    }
    block_backward(m, b, nb, g);
    return lb;
}

static void add_into(double *restrict acc, const double *restrict g, size_t n)
{
    for (size_t i = 0; i < n; i++)
        acc[i] += g[i];
}


double mlp_model_loss_grad(const mlp_model *m, mlp_workspace *ws, const double *x,
                           const double *y, size_t n, const mlp_batch_loss *bl, double *logits,
                           double *grad)
{
    const size_t bs = ws->bs, nblk = (n + bs - 1) / bs, P = m->n_params, in = m->width[0];
    const size_t k = m->width[m->n_layers];
    double loss = 0.0;
    size_t bi;

    if (ws->threads > 1 && nblk > 1 && nblk <= ws->gparts_blocks) {
        double *gp = ws->gparts, *lp = ws->gparts + nblk * P;
#pragma omp parallel for schedule(static) num_threads(ws->threads)
        for (bi = 0; bi < nblk; bi++) {
            const size_t i0 = bi * bs, nb = n - i0 < bs ? n - i0 : bs;
            lp[bi] = block_loss_grad(m, &ws->blk[omp_get_thread_num()], x + i0 * in, y + i0, nb,
                                     n, nblk, bl, logits ? logits + i0 * k : NULL, gp + bi * P);
        }
        memcpy(grad, gp, P * sizeof(double));
        loss = lp[0];
        for (bi = 1; bi < nblk; bi++) {
            add_into(grad, gp + bi * P, P);
            loss += lp[bi];
        }
        return loss;
    }
    for (bi = 0; bi < nblk; bi++) {
        const size_t i0 = bi * bs, nb = n - i0 < bs ? n - i0 : bs;
        double *g = bi == 0 ? grad : ws->blk[0].g;
        const double lb = block_loss_grad(m, &ws->blk[0], x + i0 * in, y + i0, nb, n, nblk, bl,
                                          logits ? logits + i0 * k : NULL, g);
        if (bi == 0) {
            loss = lb;
        } else {
            add_into(grad, g, P);
            loss += lb;
        }
    }
    return loss;
}

/* The logits (nb, k) of one block of nb points x (nb, in). */
static void logits_block(const mlp_model *m, mlp_block *b, const double *x, size_t nb,
                         double *logits)
{
    const size_t L = m->n_layers, k = m->width[L], ld = row_ld(nb);

    load_block(b->xt, x, nb, m->width[0], ld);
    block_forward(m, b, nb);
    if (k == 1)
        memcpy(logits, b->z[L - 1], nb * sizeof(double));
    else
        transpose(logits, k, b->z[L - 1], ld, k, nb);
}

void mlp_model_logits(const mlp_model *m, mlp_workspace *ws, const double *x, size_t n,
                      double *logits)
{
    const size_t bs = ws->bs, nblk = (n + bs - 1) / bs, in = m->width[0];
    const size_t k = m->width[m->n_layers];
    size_t bi;

    /* one thread: no parallel region at all.  Even with its if clause false,
     * one inside a sweep's worker makes a team of its own and two futex calls
     * (880 of them for the tutorial's grids at -j1) */
    if (ws->threads <= 1 || nblk <= 1) {
        for (bi = 0; bi < nblk; bi++) {
            const size_t i0 = bi * bs, nb = n - i0 < bs ? n - i0 : bs;

            logits_block(m, &ws->blk[0], x + i0 * in, nb, logits + i0 * k);
        }
        return;
    }
#pragma omp parallel for schedule(static) num_threads(ws->threads)
    for (bi = 0; bi < nblk; bi++) {
        const size_t i0 = bi * bs, nb = n - i0 < bs ? n - i0 : bs;

        logits_block(m, &ws->blk[omp_get_thread_num()], x + i0 * in, nb, logits + i0 * k);
    }
}

const double *mlp_model_forward(const mlp_model *m, mlp_workspace *ws, const double *x, size_t n)
{
    const size_t L = m->n_layers, bs = ws->bs, in = m->width[0];
    mlp_block *b = &ws->blk[0];
    size_t l, i0;

    for (i0 = 0; i0 < n; i0 += bs) {
        const size_t nb = n - i0 < bs ? n - i0 : bs, ld = row_ld(nb);

        load_block(b->xt, x + i0 * in, nb, in, ld);
        block_forward(m, b, nb);
        for (l = 0; l < L; l++) {
            const size_t w = m->width[l + 1];
            transpose(ws->z[l] + i0 * w, w, b->z[l], ld, w, nb);
            if (l + 1 < L)
                transpose(ws->a[l] + i0 * w, w, b->a[l], ld, w, nb);
        }
    }
    return ws->z[L - 1];
}

void mlp_model_backward(const mlp_model *m, mlp_workspace *ws, const double *x, size_t n,
                        const double *dlogits, double *grad)
{
    const size_t L = m->n_layers, bs = ws->bs, in = m->width[0], k = m->width[L];
    const size_t P = m->n_params;
    mlp_block *b = &ws->blk[0];
    size_t l, i0;

    for (i0 = 0; i0 < n; i0 += bs) {
        const size_t nb = n - i0 < bs ? n - i0 : bs, ld = row_ld(nb);
        double *g = i0 == 0 ? grad : b->g;

        load_block(b->xt, x + i0 * in, nb, in, ld);
        for (l = 0; l + 1 < L; l++) {
            const size_t w = m->width[l + 1];
            transpose(b->z[l], ld, ws->z[l] + i0 * w, w, nb, w);
            transpose(b->a[l], ld, ws->a[l] + i0 * w, w, nb, w);
        }
        transpose(b->d0, ld, dlogits + i0 * k, k, nb, k);
        block_backward(m, b, nb, g);
        if (i0 > 0)
            add_into(grad, g, P);
    }
}
