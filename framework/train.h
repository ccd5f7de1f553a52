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
 * NULL) as cfg says.  Minibatches are drawn from the stream
 * (run_seed, 0, MLP_STREAM_BATCH).  Returns MLP_ERR_INTERRUPTED when *stop
 * becomes non-zero (checked every iteration).  A loss or gradient that is
 * not finite ends the run with status MLP_RUN_DIVERGED and MLP_OK. */
mlp_status mlp_train_run(const mlp_config *cfg, mlp_model *m, const mlp_data *train,
                         const mlp_data *test, uint64_t run_seed,
                         const volatile sig_atomic_t *stop, mlp_train_result *res,
                         mlp_error *err);
void mlp_train_result_free(mlp_train_result *res);

/* True when x is NaN or +-Inf, by its bits (safe under -ffinite-math-only). */
bool mlp_not_finite(double x);

#endif
