/* config.h -- the resolved, validated settings of one run, as plain data.
 * The spec module fills it; model, train, probe and the sweep read it. */
#ifndef MLPLAB_CONFIG_H
#define MLPLAB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlplab/plugin.h"
#include "registry.h"

#define MLP_MAX_HIDDEN 64          /* hidden layers */
#define MLP_MAX_WIDTH 1000000      /* units in one layer */

/* A plugin with its parameters bound (n = plugin->h->n_params values). */
typedef struct mlp_plugin_use {
    const mlp_plugin *plugin;      /* owned by the registry */
    mlp_param_value *params;       /* owned; string values owned too */
} mlp_plugin_use;

typedef enum mlp_init_kind {
    MLP_INIT_XAVIER = 0,           /* Glorot uniform: U(-a, a), a = sqrt(6/(in+out)) */
    MLP_INIT_HE,                   /* He normal: N(0, 2/in) */
    MLP_INIT_UNIFORM               /* U(-a, a) with a = init_scale */
} mlp_init_kind;

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
    size_t iterations;             /* parameter updates */
    size_t batch_size;             /* 0 = full batch */
    double l2;                     /* adds l2/2 * sum(W^2) (weights, not biases) to the loss */
} mlp_train_opts;

typedef struct mlp_record_opts {
    size_t loss_every;             /* >= 1 */
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
    mlp_plugin_use activation;     /* on every hidden layer */
    mlp_init_kind init;
    double init_scale;             /* MLP_INIT_UNIFORM's a */

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
