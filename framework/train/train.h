/* train.h -- the training loop: batches, loss through the loss plugin,
 * backward, L2, optimizer step, loss curve, divergence detection, stop flag.
 * Knows nothing about files.  Owns train.c (the loop's phases) and
 * train_math.c.  May use: base/, registry/ (plugin types via config.h),
 * train/model.h. */
#ifndef MLPLAB_TRAIN_H
#define MLPLAB_TRAIN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "train/config.h"
#include "base/error.h"
#include "train/model.h"

typedef enum mlp_run_status { MLP_RUN_OK = 0, MLP_RUN_DIVERGED = 1 } mlp_run_status;

/* Why training ended (mlp_stop_reason_name gives the word stored in results). */
typedef enum mlp_stop_reason {
    MLP_STOP_ITERATIONS = 0,     /* "iterations": all of train.iterations ran */
    MLP_STOP_TARGET_ACCURACY,    /* "target_accuracy" */
    MLP_STOP_TOL,                /* "tol": training loss stalled (scikit-learn's rule) */
    MLP_STOP_EARLY_STOPPING,     /* "early_stopping": validation accuracy stalled */
    MLP_STOP_MAX_SECONDS,        /* "max_seconds": the wall-clock budget ran out */
    MLP_STOP_DIVERGED,           /* "diverged": a loss or gradient was not finite */
    MLP_STOP_HALVING             /* "halving": successive halving did not promote the run */
} mlp_stop_reason;

/* Curves are allocated for the whole of train.iterations and hold NaN past
 * the iteration where training ended.  Iteration t's entries describe the
 * parameters of iteration t's forward pass, before its update. */
typedef struct mlp_train_result {
    mlp_run_status status;
    mlp_stop_reason stop;
    const char *stop_reason;     /* static: mlp_stop_reason_name(stop) */
    size_t iterations_run;       /* updates made */
    long first_100pct;           /* first iteration whose forward pass classified every
                                    training point right (full batch), -1 if never */
    double final_loss;           /* loss of the last forward pass */

    size_t n_loss;               /* ceil(iterations / loss_every) */
    double *loss;                /* owned, (n_loss): loss[j] is the loss of iteration
                                    j*loss_every's forward pass (penalties included) */
    size_t n_layers;             /* weight layers of the model */
    double *grad_norm;           /* owned, (n_loss, n_layers, 2): L2 norms of dW_l ([..., 0])
                                    and db_l ([..., 1]) of the gradient the optimizer took
                                    at iteration j*loss_every (penalties included) */

    size_t eval_every;           /* record.eval_every (loss_every when that is 0) */
    size_t n_eval;               /* ceil(iterations / eval_every) */
    double *test_loss;           /* owned, (n_eval), or NULL without a test set: the loss
                                    plugin's value on the test set, no penalty.  The block
                                    holds max(n_eval, n_loss) entries (NaN past n_eval) so
                                    code that reads it as (n_loss) stays in bounds */
    double *test_accuracy;       /* owned, (n_eval), or NULL without a test set */
    double *train_accuracy;      /* owned, (n_eval): on all the points trained on */

    size_t n_snapshots;          /* ceil(iterations / weights_every), 0 when weights_every is 0 */
    size_t n_params;
    double *snapshots;           /* owned, (n_snapshots, n_params), or NULL: the parameter
                                    block (model layout) before iteration j*weights_every */

    size_t n_validation;         /* points held out by validation_fraction (0: none) */
    size_t n_scores;             /* validation scores computed (one per epoch) */
    double *validation_accuracy; /* owned, (n_scores), or NULL */
    long best_iteration;         /* early stopping: the updates behind the restored
                                    (best) parameters, -1 otherwise */
} mlp_train_result;

const char *mlp_stop_reason_name(mlp_stop_reason r);

/* Train m in place on `train` (and evaluate on `test`, may be NULL or empty)
 * as cfg says (cfg->train, cfg->loss, cfg->record's loss_every, eval_every,
 * weights_every).
 *
 * Validation split (validation_fraction f > 0): ceil(f*n) points, the first
 * entries of the identity permutation shuffled by the stream
 * (run_seed, 1, MLP_STREAM_BATCH), are held out; training uses the others
 * in their original order ("the training points" below).  Not stratified.
 * Batches: batch_size 0 or >= n is full batch; otherwise minibatches of
 * consecutive entries of a permutation of 0..n-1, the identity shuffled
 * afresh at the start of every epoch from the stream
 * (run_seed, 0, MLP_STREAM_BATCH); a partial last batch is a step too; one
 * iteration is one update.  An epoch ends when every point has been used
 * (full batch: after every iteration).
 * Loss: the loss plugin's value on the batch of nb points plus
 * l2/2 * sum(W^2) + alpha/(2 nb) * sum(W^2) + l1 * sum|W| over the weights
 * (not the biases); its gradient adds (l2 + alpha/nb) * W + l1 * sign(W).
 * Learning rate of iteration t (lr0 = learning_rate, T = iterations):
 *   constant    lr0
 *   invscaling  lr0 / (s + 1)^power_t, s = points seen in the epochs finished
 *               before iteration t (scikit-learn: updated at each epoch's end)
 *   step        lr(t-1) * gamma when t > 0 and t % step_size == 0, else lr(t-1)
 *   cosine      eta_min + (lr(t-1) - eta_min) * (1 + cos(pi t/T)) / (1 + cos(pi (t-1)/T)),
 *               PyTorch's recursive CosineAnnealingLR with T_max = T
 * Optimizers: PyTorch's SGD (momentum, nesterov) and Adam, in one flat loop.
 * Stopping, checked in this order:
 *   target_accuracy  full batch: an iteration whose forward pass classifies
 *                    that fraction of the training points right ends training
 *                    before its update; minibatches: checked on all training
 *                    points at the end of every epoch, after its last update.
 *   tol, early stopping  at the end of every epoch (scikit-learn's rule): with a
 *                    validation split, score = validation accuracy; a score
 *                    < best + tol counts, else the count resets; a score > best
 *                    keeps a copy of the parameters.  Without one (and use_tol),
 *                    the epoch's loss (sum of batch loss * batch points / n)
 *                    > best - tol counts, else resets.  Training stops when the
 *                    count exceeds n_iter_no_change.  With a validation split the
 *                    best parameters are restored at the end, however training ended.
 *   max_seconds      after every update, from a monotonic clock started on entry.
 * test_loss / test_accuracy / train_accuracy: every eval_every iterations, for
 * the same parameters as loss[t] (train accuracy on all training points).
 * first_100pct: full batch, the first iteration whose own forward pass
 * classifies every training point right; minibatches, checked on the whole
 * training set after the last update of every epoch (and of training): the
 * iteration count t at that point, i.e. the iteration whose parameters
 * those are (may equal `iterations` for the final model).
 * Returns MLP_ERR_INTERRUPTED when *stop becomes non-zero (checked before
 * every iteration); res is then freed and empty.  A loss or gradient that is
 * not finite ends the run with status MLP_RUN_DIVERGED and MLP_OK: that
 * iteration's loss is recorded, later entries are NaN, iterations_run counts
 * the updates made.  Allocates everything before the first iteration. */
mlp_status mlp_train_run(const mlp_config *cfg, mlp_model *m, const mlp_data *train,
                         const mlp_data *test, uint64_t run_seed,
                         const volatile sig_atomic_t *stop, mlp_train_result *res,
                         mlp_error *err);
void mlp_train_result_free(mlp_train_result *res);

/* The same training in steps, for successive halving: a run trained to a
 * rung's budget, paused, and continued from exactly where it stopped (the
 * parameters, the optimizer's moments, the learning rate, the place in the
 * epoch and the batch stream, the stopping rules' counters), so that a run
 * trained in steps gives the numbers of one trained at once.
 * mlp_train_run is start, advance to train.iterations, finish.
 *
 * start: everything before the first iteration; *out (owned, ends with
 * finish or abort) keeps cfg, m, train, test and res, which must outlive it.
 * advance: iterations until `until` updates are made, or training ends by
 * its own rules or at train.iterations (*ended).  On failure (interrupted,
 * a plugin) call abort.
 * metrics: the current parameters' losses and accuracies (the training
 * loss of the last forward pass; NaN where there is no test set or
 * validation score).
 * finish: the result completed (best parameters restored under early
 * stopping, stop_reason); halted: a run that had not ended stopped because
 * successive halving did not promote it (MLP_STOP_HALVING).  Frees it.
 * abort: frees it and res. */
typedef struct mlp_trainer mlp_trainer;

typedef struct mlp_train_now {
    double train_loss, train_accuracy, test_loss, test_accuracy, validation_accuracy;
} mlp_train_now;

mlp_status mlp_train_start(const mlp_config *cfg, mlp_model *m, const mlp_data *train,
                           const mlp_data *test, uint64_t run_seed, mlp_train_result *res,
                           mlp_trainer **out, mlp_error *err);
mlp_status mlp_train_advance(mlp_trainer *tr, size_t until, const volatile sig_atomic_t *stop,
                             bool *ended, mlp_error *err);
void mlp_train_metrics(mlp_trainer *tr, mlp_train_now *out);
void mlp_train_finish(mlp_trainer *tr, bool halted);
void mlp_train_abort(mlp_trainer *tr);

/* Bytes one run records, by part, from its config and the data's shape
 * (inputs, model outputs, training and test points); float64 for every
 * number, no HDF5 overhead.  `dataset` counts the run's points (x and y),
 * which a sweep stores once unless dataset keys are swept. */
typedef struct mlp_record_size {
    double curves;      /* loss, grad norms, test loss/accuracy, train accuracy, validation */
    double snapshots;   /* record.weights_every */
    double weights;     /* final weights (record.weights) */
    double hidden;      /* hidden-layer outputs on the training points (record.hidden) */
    double boundary;    /* the decision grid, outputs per point (record.boundary) */
    double dataset;     /* train and test points */
    double total;       /* the sum of the above */
} mlp_record_size;

void mlp_record_estimate(const mlp_config *cfg, size_t inputs, size_t outputs, size_t n_train,
                         size_t n_test, mlp_record_size *out);

/* True when x is NaN or +-Inf, by its bits (safe under -ffinite-math-only). */
bool mlp_not_finite(double x);

#endif
