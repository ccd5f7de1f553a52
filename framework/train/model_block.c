/* model_block.c -- the kernels' workspaces: the block scratch of every
 * thread (its size depends on the layer widths only) and the full-batch
 * outputs of mlp_model_forward. */
#include "train/model_block.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t max_width(const mlp_model *m)
{
    size_t l, w = 0;

    for (l = 0; l <= m->n_layers; l++)
        if (m->width[l] > w)
            w = m->width[l];
    return w;
}

/* Rows are ld = nb rounded up to 8 doubles apart (model_kernels.c) in room
 * for bs samples each: every block size must be a multiple of 8, so
 * MLP_BLOCK, which block_size halves down to 8, a power of two. */
_Static_assert(MLP_BLOCK >= 8 && (MLP_BLOCK & (MLP_BLOCK - 1)) == 0,
               "MLP_BLOCK must be a power of two, at least 8");

/* Samples per block for m: MLP_BLOCK, or fewer (a power of two, at least 8)
 * when the layers are so wide that a block would pass 32 MiB.  It depends
 * on the widths only, never on threads or the batch. */
static size_t block_size(const mlp_model *m)
{
    size_t l, units = 2 * max_width(m), bs = MLP_BLOCK;

    for (l = 0; l <= m->n_layers; l++)
        units += 2 * m->width[l];
    while (bs > 8 && units * bs * sizeof(double) > ((size_t)32 << 20))
        bs /= 2;
    return bs;
}

static mlp_status block_init(mlp_block *b, const mlp_model *m, size_t bs, mlp_error *err)
{
    const size_t L = m->n_layers, k = m->width[L], mw = max_width(m);
    size_t l, total = m->width[0] * bs + 2 * mw * bs + bs + (k > 1 ? 2 * bs * k : 0) + m->n_params;
    double *p;

    for (l = 0; l < L; l++)
        total += m->width[l + 1] * bs * (l + 1 < L ? 2 : 1);
    memset(b, 0, sizeof(*b));
    /* on a cache line (and rows ld apart, model_kernels.c): from malloc,
     * aligned to 16 bytes, the kernels' 8-wide loads and stores straddled two
     * lines unless the block happened to start one (the tutorial was 5%
     * slower, the benchmark's small size 10%) */
    b->mem = aligned_alloc(64, (total * sizeof(double) + 63) / 64 * 64);
    if (!b->mem)
        return mlp_fail(err, MLP_ERR_NOMEM, "model: out of memory for a block of %zu samples", bs);
    p = b->mem;
    b->xt = p;
    p += m->width[0] * bs;
    for (l = 0; l < L; l++) {
        b->z[l] = p;
        p += m->width[l + 1] * bs;
        if (l + 1 < L) {
            b->a[l] = p;
            p += m->width[l + 1] * bs;
        }
    }
    b->d0 = p;
    p += mw * bs;
    b->d1 = p;
    p += mw * bs;
    b->da = p;
    p += bs;
    if (k > 1) {
        b->lrow = p;
        p += bs * k;
        b->dlrow = p;
        p += bs * k;
    }
    b->g = p;
    return MLP_OK;
}

mlp_status mlp_workspace_create(const mlp_model *m, size_t cap, mlp_workspace **out,
                                mlp_error *err)
{
    mlp_workspace *ws;
    size_t l, total = 0;
    double *p;
    mlp_status st;

    for (l = 0; l < m->n_layers; l++) {
        size_t w = m->width[l + 1];
        if (cap > SIZE_MAX / sizeof(double) / 4 / w)
            return mlp_fail(err, MLP_ERR_NOMEM, "model: workspace for %zu samples too large", cap);
        total += cap * w * (l + 1 < m->n_layers ? 2 : 1); /* z, and a for hidden layers */
    }
    ws = calloc(1, sizeof(*ws));
    if (!ws)
        return mlp_fail(err, MLP_ERR_NOMEM, "model: out of memory");
    ws->cap = cap;
    ws->bs = block_size(m);
    ws->threads = 1;
    ws->blk = calloc(1, sizeof(*ws->blk));
    if (!ws->blk) {
        free(ws);
        return mlp_fail(err, MLP_ERR_NOMEM, "model: out of memory");
    }
    if ((st = block_init(&ws->blk[0], m, ws->bs, err)) != MLP_OK) {
        mlp_workspace_free(ws);
        return st;
    }
    if (total > 0) {
        ws->block = malloc(total * sizeof(double));
        if (!ws->block) {
            mlp_workspace_free(ws);
            return mlp_fail(err, MLP_ERR_NOMEM,
                            "model: out of memory for a workspace of %zu samples", cap);
        }
        p = ws->block;
        for (l = 0; l < m->n_layers; l++) {
            size_t w = m->width[l + 1];
            ws->z[l] = p;
            p += cap * w;
            if (l + 1 < m->n_layers) {
                ws->a[l] = p;
                p += cap * w;
            }
        }
    }
    *out = ws;
    return MLP_OK;
}

mlp_status mlp_workspace_threads(mlp_workspace *ws, const mlp_model *m, int threads,
                                 size_t max_batch, mlp_error *err)
{
    const size_t nblk = (max_batch + ws->bs - 1) / ws->bs;
    int t;
    mlp_block *blk;
    mlp_status st;

    if (threads <= ws->threads || nblk < 2)
        return MLP_OK;
    /* one gradient per block, folded in block order afterwards: at most 64 MiB */
    if (nblk > ((size_t)64 << 20) / sizeof(double) / m->n_params)
        return MLP_OK;
    blk = realloc(ws->blk, (size_t)threads * sizeof(*blk));
    if (!blk)
        return mlp_fail(err, MLP_ERR_NOMEM, "model: out of memory");
    ws->blk = blk;
    for (t = ws->threads; t < threads; t++) {
        if ((st = block_init(&ws->blk[t], m, ws->bs, err)) != MLP_OK)
            return st;
        ws->threads = t + 1;
    }
    free(ws->gparts);
    ws->gparts = malloc(nblk * (m->n_params + 1) * sizeof(double));
    if (!ws->gparts)
        return mlp_fail(err, MLP_ERR_NOMEM, "model: out of memory for %zu block gradients", nblk);
    ws->gparts_blocks = nblk;
    return MLP_OK;
}

void mlp_workspace_free(mlp_workspace *ws)
{
    if (!ws)
        return;
    for (int t = 0; ws->blk && t < ws->threads; t++)
        free(ws->blk[t].mem);
    free(ws->blk);
    free(ws->gparts);
    free(ws->block);
    free(ws);
}
