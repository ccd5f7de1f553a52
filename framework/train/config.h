/* config.h -- the resolved, validated settings of one run, as plain data.
 * The spec module fills it; model, train, probe and the sweep read it.
 * May use: registry/ and mlplab/plugin.h (plugin types). */
#ifndef MLPLAB_CONFIG_H
#define MLPLAB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlplab/plugin.h"
#include "registry/registry.h"

#define MLP_MAX_HIDDEN 64          /* hidden layers */
#define MLP_MAX_WIDTH 1000000      /* units in one layer */

/* A plugin with its parameters bound (n = plugin->h->n_params values). */
typedef struct mlp_plugin_use {
    const mlp_plugin *plugin;      /* owned by the registry */
    mlp_param_value *params;       /* owned; string values owned too */
} mlp_plugin_use;

typedef enum mlp_init_kind {
    MLP_INIT_XAVIER = 0,           /* Glorot uniform: U(-a, a), a = sqrt(6/(in+out)); b = 0 */
    MLP_INIT_HE,                   /* He normal: N(0, 2/in); b = 0 */
    MLP_INIT_UNIFORM,              /* W, b from U(-a, a), a = init_scale, or 1/sqrt(in)
                                      when init_scale is 0 (PyTorch's nn.Linear) */
    MLP_INIT_XAVIER_NORMAL,        /* Glorot normal: N(0, 2/(in+out)); b = 0 */
    MLP_INIT_HE_UNIFORM,           /* He uniform: U(-a, a), a = sqrt(6/in); b = 0 */
    MLP_INIT_SKLEARN               /* scikit-learn's MLP: W, b from U(-a, a),
                                      a = sqrt(f/(in+out)), f = 2 for sigmoid else 6 */
} mlp_init_kind;

typedef enum mlp_schedule {
    MLP_SCHED_CONSTANT = 0,        /* lr0 throughout */
    MLP_SCHED_INVSCALING,          /* scikit-learn: lr0 / (t+1)^power_t, t = samples seen
                                      at the end of the last finished epoch */
    MLP_SCHED_STEP,                /* PyTorch StepLR: times gamma every step_size iterations */
    MLP_SCHED_COSINE               /* PyTorch CosineAnnealingLR, T_max = iterations */
} mlp_schedule;

typedef enum mlp_optimizer {
    MLP_OPT_GD = 0,                /* full batch (or batch_size) plain steps */
    MLP_OPT_SGD,                   /* minibatches, reshuffled every epoch */
    MLP_OPT_MOMENTUM,              /* PyTorch's SGD with momentum (optionally nesterov) */
    MLP_OPT_ADAM                   /* PyTorch's Adam */
} mlp_optimizer;

typedef struct mlp_train_opts {
    mlp_optimizer optimizer;
    double learning_rate;
    double momentum;               /* MLP_OPT_MOMENTUM */
    bool nesterov;
    double beta1, beta2, eps;      /* MLP_OPT_ADAM */
    size_t iterations;             /* parameter updates (at most) */
    size_t batch_size;             /* 0 = full batch */
    mlp_schedule schedule;         /* learning-rate schedule */
    double power_t;                /* MLP_SCHED_INVSCALING */
    size_t step_size;              /* MLP_SCHED_STEP, >= 1 */
    double gamma;                  /* MLP_SCHED_STEP */
    double eta_min;                /* MLP_SCHED_COSINE */
    /* penalties on the weights (never the biases), added to the loss */
    double l2;                     /* l2/2 * sum(W^2) */
    double alpha;                  /* scikit-learn's: alpha/(2 n_batch) * sum(W^2) */
    double l1;                     /* l1 * sum|W| (subgradient sign(W), 0 at 0) */
    /* stopping rules; each is off at its "off" value */
    double target_accuracy;        /* (0, 1]; 0 = off */
    bool use_tol;                  /* scikit-learn's tol / n_iter_no_change rule on */
    double tol;                    /* >= 0; also the early-stopping rule's tol */
    size_t n_iter_no_change;       /* >= 1 */
    double validation_fraction;    /* [0, 1): 0 = no validation split, else early stopping */
    double max_seconds;            /* wall-clock budget of the run; 0 = none */
    int threads;                   /* threads inside the run's kernels (set by the executor,
                                      not the spec; 0 or 1: one); numbers do not depend on it */
} mlp_train_opts;

typedef struct mlp_record_opts {
    size_t loss_every;             /* >= 1: loss and gradient norms */
    size_t eval_every;             /* >= 1: test loss/accuracy and training accuracy */
    size_t weights_every;          /* weight snapshots every k iterations; 0 = none */
    uint64_t budget;               /* bytes a whole sweep may record (checked by the sweep) */
    bool weights;                  /* store final weights */
    bool hidden;                   /* store hidden-layer outputs on the training points */
    bool boundary;                 /* store the decision grid (2-D inputs only) */
    size_t resolution;             /* grid points per axis */
    double extent[4];              /* xmin, xmax, ymin, ymax */
} mlp_record_opts;

typedef struct mlp_config {
    mlp_plugin_use dataset;
    size_t n_train, n_test;
    char *dataset_key;             /* canonical text of everything that defines the data */

    size_t n_hidden;               /* hidden layers */
    size_t hidden[MLP_MAX_HIDDEN]; /* their widths */
    /* activation of each hidden layer: layer_act[0 .. max(n_hidden, 1)-1], owned
     * (with no hidden layer, layer_act[0] still holds the resolved default) */
    mlp_plugin_use layer_act[MLP_MAX_HIDDEN];
    bool act_list;                 /* given as a list (one entry per layer) */
    mlp_plugin_use activation;     /* = layer_act[0], a copy that owns nothing: kept for
                                      code written for one activation on every layer */
    mlp_init_kind init;
    double init_scale;             /* MLP_INIT_UNIFORM's a (0: 1/sqrt(fan_in)) */
    char *init_file;               /* warm start: a results file (owned; path resolved
                                      against the spec's folder), or NULL */
    size_t init_run;               /* warm start: the run whose final weights start this one */

    mlp_plugin_use loss;           /* owns the output link */
    mlp_train_opts train;
    mlp_record_opts record;
} mlp_config;

/* A dataset in memory: x (n, dim) row-major, y (n) labels 0 .. classes-1. */
typedef struct mlp_data {
    size_t n, dim, classes;
    double *x;
    double *y;
} mlp_data;

#endif
