/* train_math.h -- the numbers of a training step besides the model's
 * (train_math.c), shared by train.c; private to train/. */
#ifndef MLPLAB_TRAIN_MATH_H
#define MLPLAB_TRAIN_MATH_H

#include <stdbool.h>
#include <stddef.h>

#include "train/config.h"
#include "train/model.h"

/* Samples whose predictions are checked at a time (stops at the first miss). */
#define MLP_CHECK_CHUNK 64

/* Samples whose prediction matches its label, stopping at the first miss
 * when first_miss: k == 1, class 1 where prob >= 0.5; k > 1, the first
 * largest prob.  logits (n, k), y (n), prob (MLP_CHECK_CHUNK, k) scratch. */
size_t mlp_train_count_correct(const mlp_loss_desc *loss, const mlp_param_value *lp,
                               const double *logits, const double *y, size_t n, size_t k,
                               double *prob, bool first_miss);
/* Whether every sample's prediction matches its label. */
bool mlp_train_all_correct(const mlp_loss_desc *loss, const mlp_param_value *lp,
                           const double *logits, const double *y, size_t n, size_t k, double *prob);

/* The penalties' value on the weights (biases excluded) for a batch of nb:
 * l2/2 * sum W^2 + alpha/(2 nb) * sum W^2 + l1 * sum |W|. */
double mlp_train_penalty(const mlp_model *m, const mlp_train_opts *o, size_t nb);
/* grad += (l2 + alpha/nb) * W + l1 * sign(W) on the weights (sign(0) = 0). */
void mlp_train_penalty_grad(const mlp_model *m, const mlp_train_opts *o, size_t nb,
                            double *grad);
/* out (n_layers, 2): L2 norms of each layer's dW and db in grad. */
void mlp_train_grad_norms(const mlp_model *m, const double *grad, double *out);

/* One update of p (n) from g (n) with learning rate lr; m1, m2 (n) are the
 * moment blocks, laid out as p.  step is the 1-based update count (Adam's
 * bias correction). */
void mlp_train_optimizer_step(const mlp_train_opts *o, double lr, double *restrict p,
                              const double *restrict g, double *restrict m1, double *restrict m2,
                              size_t n, size_t step);
/* The learning rate of iteration t+1 from that of iteration t, for the
 * per-iteration schedules (PyTorch's recursive forms). */
double mlp_train_schedule_next(const mlp_train_opts *o, double lr, size_t t);

#endif
