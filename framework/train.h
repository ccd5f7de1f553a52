/* train.h -- the training loop: batches, loss through the loss plugin,
 * backward, L2, optimizer step, loss curve, divergence detection, stop flag.
 * Knows nothing about files. */
#ifndef MLPLAB_TRAIN_H
#define MLPLAB_TRAIN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "error.h"
#include "model.h"

typedef enum mlp_run_status { MLP_RUN_OK = 0, MLP_RUN_DIVERGED = 1 } mlp_run_status;

typedef struct mlp_train_result {
    mlp_run_status status;
    size_t iterations_run;       /* updates made (== iterations unless diverged) */
    size_t n_loss;               /* ceil(iterations / loss_every) */
    double *loss;                /* owned, n_loss: loss[j] is the loss of iteration
                                    j*loss_every's forward pass, before its update;
                                    NaN past a divergence */
    double *test_loss;           /* owned, n_loss, or NULL without a test set */
    long first_100pct;           /* first iteration whose forward pass classified every
                                    training point right (full batch), -1 if never */
    double final_loss;           /* loss of the last forward pass */
} mlp_train_result;

/* Train m in place on `train` (and evaluate the test loss on `test`, may be
 * NULL or empty) as cfg says (cfg->train, cfg->loss, cfg->record.loss_every).
 *
 * Batches: batch_size 0 or >= n is full batch; otherwise minibatches of
 * consecutive entries of a permutation of 0..n-1, the identity shuffled
 * afresh at the start of every epoch from the stream
 * (run_seed, 0, MLP_STREAM_BATCH); a partial last batch is a step too; one
 * iteration is one update.
 * Loss: the loss plugin's value on the batch plus l2/2 * sum(W^2) over the
 * weights (the objective the optimizer descends; its gradient adds l2*W).
 * test_loss is the loss plugin's value on the whole test set, without the
 * penalty, for the same parameters as loss[j].
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

/* True when x is NaN or +-Inf, by its bits (safe under -ffinite-math-only). */
bool mlp_not_finite(double x);

#endif
