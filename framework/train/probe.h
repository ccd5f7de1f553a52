/* probe.h -- evaluating a trained model: accuracy, the decision grid and the
 * hidden-layer outputs.  Knows nothing about the training loop.
 * May use: base/, registry/ (plugin types via config.h), train/model.h. */
#ifndef MLPLAB_PROBE_H
#define MLPLAB_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "train/config.h"
#include "base/error.h"
#include "train/model.h"

/* Fraction of points classified right: for one output, class 1 where the
 * loss's prob >= 0.5; for several, the (first) argmax; a point with a NaN
 * prob has no class, so counts as wrong.  NaN when d is empty. */
mlp_status mlp_probe_accuracy(const mlp_model *m, const mlp_plugin_use *loss,
                              const mlp_data *d, double *acc, mlp_error *err);

/* The grid coordinates along one axis: out[i] = lo + i*(hi-lo)/(res-1),
 * out[0] = lo (res == 1 gives just lo).  out: (res). */
void mlp_probe_grid_axis(double lo, double hi, size_t res, double *out);

/* Predicted probabilities on a res x res grid (res 1 .. 100000) over extent (xmin, xmax, ymin,
 * ymax): grid_x[i] = xmin + i*(xmax-xmin)/(res-1), same for y.  prob: (res,
 * res, k) out, indexed [iy][ix][c], k = the model's outputs, as the loss's
 * predict gives them: P(y = 1) for one output, each class's probability on
 * the class axis c for a multi-class loss. */
mlp_status mlp_probe_boundary(const mlp_model *m, const mlp_plugin_use *loss, size_t res,
                              const double extent[4], double *prob, mlp_error *err);

/* The predicted class of each of n points from their probabilities, as
 * mlp_probe_accuracy decides it: k == 1, 1 where prob >= 0.5, else 0; k > 1,
 * the first index of the largest prob; -1 where a prob is NaN (a diverged
 * model).  prob: (n, k) as mlp_probe_boundary fills it (n = res * res gives
 * the (res, res) argmax map, [iy][ix]); cls: (n) out. */
void mlp_probe_argmax(const double *prob, size_t n, size_t k, int64_t *cls);

/* Hidden-layer outputs on the points of d: out[l] (d->n, width[l+1]) for
 * each hidden layer l (0 .. n_layers-2), caller-allocated.  Values equal
 * those of a training forward pass on the same parameters. */
mlp_status mlp_probe_hidden(const mlp_model *m, const mlp_data *d, double *const *out,
                            mlp_error *err);

#endif
