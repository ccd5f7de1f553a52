/* model.h -- the multilayer perceptron: parameter layout (one block holds
 * every W and b), initialisation, forward and backward over a batch.
 * Activations are stored (batch, width) row-major.  Knows nothing about
 * files or threads: one model and one workspace belong to one thread. */
#ifndef MLPLAB_MODEL_H
#define MLPLAB_MODEL_H

#include <stddef.h>

#include "config.h"
#include "error.h"
#include "rng.h"

#define MLP_MAX_LAYERS (MLP_MAX_HIDDEN + 1)  /* weight layers */

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

/* Buffers for forward/backward over up to `cap` samples.  All pointers point
 * into `block`; a[n_layers-1] is NULL (the output layer has no activation). */
typedef struct mlp_workspace {
    size_t cap;
    double *z[MLP_MAX_LAYERS];   /* (cap, width[l+1]) pre-activations of layer l */
    double *a[MLP_MAX_LAYERS];   /* (cap, width[l+1]) activations of hidden layer l */
    double *dz;                  /* (min(cap, 64), max width) scratch: kernels work on
                                    blocks of 64 samples */
    double *da;                  /* (min(cap, 64), max width) scratch */
    double *wt;                  /* (n_params) scratch: transposed W_l at w_off[l] */
    double *dwt;                 /* (n_params) scratch: transposed gradient accumulators */
    double *block;               /* owned: the single allocation behind the above */
} mlp_workspace;

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

mlp_status mlp_workspace_create(const mlp_model *m, size_t cap, mlp_workspace **out,
                                mlp_error *err);
void mlp_workspace_free(mlp_workspace *ws);

/* Forward pass of n <= ws->cap samples x (n, inputs).  Returns the logits
 * (n, outputs), which live in ws->z[n_layers-1]; ws->a[l] holds hidden
 * layer l's outputs (n, width[l+1]) until the next call. */
const double *mlp_model_forward(const mlp_model *m, mlp_workspace *ws, const double *x, size_t n);

/* Backward pass after mlp_model_forward on the same x and n: from dlogits
 * (n, outputs) to grad (n_params, same layout as params), overwritten.
 * Each gradient element is summed over the samples in ascending order.
 * Deterministic: fixed loop orders, no threads; results do not depend on
 * how the samples are split between calls of forward (each z element is
 * b + x_0 w_0 + x_1 w_1 + ... in that order). */
void mlp_model_backward(const mlp_model *m, mlp_workspace *ws, const double *x, size_t n,
                        const double *dlogits, double *grad);

#endif
