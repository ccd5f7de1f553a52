/* model.h -- the multilayer perceptron: parameter layout (one block holds
 * every W and b), initialisation, forward and backward over a batch.
 * Activations are stored (batch, width) row-major.  Knows nothing about
 * files or threads: one model and one workspace belong to one thread.
 * Owns model.c (parameters), model_block.c (workspaces) and model_kernels.c.
 * May use: base/, registry/ (plugin types via config.h). */
#ifndef MLPLAB_MODEL_H
#define MLPLAB_MODEL_H

#include <stddef.h>

#include "train/config.h"
#include "base/error.h"
#include "base/rng.h"

#define MLP_MAX_LAYERS (MLP_MAX_HIDDEN + 1)  /* weight layers */

/* Samples per block (fewer for very wide layers): see model_block.c. */
#define MLP_BLOCK 256

typedef struct mlp_model {
    size_t n_layers;                   /* weight layers = hidden layers + 1 */
    size_t width[MLP_MAX_LAYERS + 1];  /* width[0] = inputs, width[n_layers] = outputs */
    size_t n_params;
    double *params;                    /* owned: one block, layer by layer:
                                          W_l (width[l+1], width[l]) row-major, then b_l */
    size_t w_off[MLP_MAX_LAYERS];      /* offsets of W_l and b_l in params */
    size_t b_off[MLP_MAX_LAYERS];
    /* activation of each hidden layer l (0 .. n_layers-2); the output layer
     * has none: its pre-activations are the logits the loss takes. */
    const mlp_activation_desc *act[MLP_MAX_HIDDEN];
    const mlp_param_value *act_params[MLP_MAX_HIDDEN]; /* not owned */
} mlp_model;

/* Buffers for the kernels.  z and a are the full outputs of
 * mlp_model_forward over up to `cap` samples, row-major (NULL when cap is
 * 0); a[n_layers-1] is NULL (the output layer has no activation).  The rest
 * is per-thread block scratch, private to train/ (model_block.h). */
typedef struct mlp_block mlp_block;
typedef struct mlp_workspace {
    size_t cap;
    double *z[MLP_MAX_LAYERS];   /* (cap, width[l+1]) pre-activations of layer l */
    double *a[MLP_MAX_LAYERS];   /* (cap, width[l+1]) activations of hidden layer l */
    size_t bs;                   /* samples per block */
    int threads;                 /* blocks the kernels may run at once */
    mlp_block *blk;              /* (threads) */
    double *gparts;              /* (gparts_blocks, n_params + 1) per-block gradients */
    size_t gparts_blocks;
    double *block;               /* owned: the allocation behind z and a */
} mlp_workspace;

/* The loss a training batch is scored with.  The kernels call it on blocks
 * of a batch: a mean loss (sum false) is combined as the blocks' means
 * weighted by their share of the batch, a summed one by adding. */
typedef struct mlp_batch_loss {
    const mlp_loss_desc *desc;
    const mlp_param_value *params;
    bool sum;
} mlp_batch_loss;

/* Shape: inputs, hidden widths, outputs (each 1 .. MLP_MAX_WIDTH); hidden
 * layer l uses acts[l] with act_params[l] (act_params itself, or any entry,
 * may be NULL).  Descriptors are static; parameter values are not copied and
 * must outlive the model.  Parameters start at zero. */
mlp_status mlp_model_create_layers(size_t inputs, const size_t *hidden, size_t n_hidden,
                                   size_t outputs, const mlp_activation_desc *const *acts,
                                   const mlp_param_value *const *act_params, mlp_model **out,
                                   mlp_error *err);
/* The same with one activation on every hidden layer. */
mlp_status mlp_model_create(size_t inputs, const size_t *hidden, size_t n_hidden, size_t outputs,
                            const mlp_activation_desc *act, const mlp_param_value *act_params,
                            mlp_model **out, mlp_error *err);
void mlp_model_free(mlp_model *m);

/* Initial parameters drawn from rng, layer by layer: W_l in row-major order
 * (output unit, then input), then b_l for the schemes that draw biases
 * (others set b_l = 0).  in = width[l], out = width[l+1]:
 *   MLP_INIT_XAVIER         W ~ U(-a, a), a = sqrt(6/(in+out))      (Glorot uniform)
 *   MLP_INIT_XAVIER_NORMAL  W ~ N(0, 2/(in+out))                     (Glorot normal)
 *   MLP_INIT_HE             W ~ N(0, 2/in)                           (He normal)
 *   MLP_INIT_HE_UNIFORM     W ~ U(-a, a), a = sqrt(6/in)             (He uniform)
 *   MLP_INIT_UNIFORM        W, b ~ U(-a, a), a = scale, or 1/sqrt(in) when scale == 0
 *                           (PyTorch's nn.Linear default)
 *   MLP_INIT_SKLEARN        W, b ~ U(-a, a), a = sqrt(f/(in+out)) (scikit-learn's
 *                           _init_coef): f = 2 when the activation named "sigmoid"
 *                           (scikit-learn's logistic) follows the layer, else 6;
 *                           the output layer takes the last hidden layer's (6 with
 *                           no hidden layer).
 * U(-a, a) is drawn as a*(2u-1), u uniform in [0, 1); normals by Box-Muller. */
void mlp_model_init(mlp_model *m, mlp_init_kind kind, double scale, mlp_rng *rng);

/* Whether a loss sums its per-sample terms: it declares an enum parameter
 * `reduction` set to the choice named "sum" (otherwise it is a mean, as the
 * plugin ABI says). */
bool mlp_loss_is_sum(const mlp_loss_desc *d, const mlp_param_value *p);

/* A workspace for m whose mlp_model_forward takes up to cap samples (0:
 * only mlp_model_logits and mlp_model_loss_grad), using one thread. */
mlp_status mlp_workspace_create(const mlp_model *m, size_t cap, mlp_workspace **out,
                                mlp_error *err);
/* Let the kernels run up to `threads` blocks at once (OpenMP) on batches of
 * up to max_batch samples.  Numbers stay the same bits.  Does nothing when
 * a batch is one block, or when keeping every block's gradient would take
 * more than 64 MiB. */
mlp_status mlp_workspace_threads(mlp_workspace *ws, const mlp_model *m, int threads,
                                 size_t max_batch, mlp_error *err);
void mlp_workspace_free(mlp_workspace *ws);

/* Forward pass of n <= ws->cap samples x (n, inputs).  Returns the logits
 * (n, outputs), which live in ws->z[n_layers-1]; ws->a[l] holds hidden
 * layer l's outputs (n, width[l+1]) until the next call. */
const double *mlp_model_forward(const mlp_model *m, mlp_workspace *ws, const double *x, size_t n);

/* Logits (n, outputs) of any number n of samples x (n, inputs), the same
 * bits as mlp_model_forward's. */
void mlp_model_logits(const mlp_model *m, mlp_workspace *ws, const double *x, size_t n,
                      double *logits);

/* Backward pass after mlp_model_forward on the same x and n: from dlogits
 * (n, outputs) to grad (n_params, same layout as params), overwritten. */
void mlp_model_backward(const mlp_model *m, mlp_workspace *ws, const double *x, size_t n,
                        const double *dlogits, double *grad);

/* One training step's numbers, fused: forward, loss and backward block by
 * block over the n samples x (n, inputs) with labels y (n).  Returns the
 * batch loss; writes the gradient to grad (n_params, overwritten) and the
 * logits (n, outputs) to logits unless NULL.  A batch of one block gives
 * the bits of mlp_model_forward + the loss + mlp_model_backward. */
double mlp_model_loss_grad(const mlp_model *m, mlp_workspace *ws, const double *x,
                           const double *y, size_t n, const mlp_batch_loss *bl, double *logits,
                           double *grad);

#endif
