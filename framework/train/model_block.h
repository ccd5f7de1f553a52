/* model_block.h -- a block of samples as the kernels hold it (see
 * model_kernels.c); private to train/: model_block.c allocates blocks,
 * model_kernels.c computes on them. */
#ifndef MLPLAB_MODEL_BLOCK_H
#define MLPLAB_MODEL_BLOCK_H

#include "train/model.h"

/* A block is up to bs samples carried through every layer at once.  Inside
 * a block every layer is stored feature-major: row o of a (width, ld) array
 * holds unit o for the block's nb samples, contiguous, so every loop in
 * model_kernels.c runs over samples and vectorizes whatever the layer widths,
 * and a row stays in L1 while the activation plugin is called on it.  Rows
 * are ld = nb rounded up to 8 doubles apart, and the memory starts on a
 * cache line, so every row does. */
struct mlp_block {
    double *xt;                  /* (width[0], bs) the inputs, transposed */
    double *z[MLP_MAX_LAYERS];   /* (width[l+1], bs) pre-activations */
    double *a[MLP_MAX_LAYERS];   /* (width[l+1], bs) activations, hidden layers */
    double *d0, *d1;             /* (max width, bs) gradients w.r.t. z, two layers */
    double *da;                  /* (bs) one row of the gradient w.r.t. an activation */
    double *lrow, *dlrow;        /* (bs, k) logits and their gradient, row-major (k > 1) */
    double *g;                   /* (n_params) the block's gradient */
    double *mem;
};

#endif
