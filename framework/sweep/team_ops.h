/* team_ops.h -- what the MPI module (team_mpi.c, built as mlplab_mpi.so)
 * gives team.c: the team's operations, as team.h declares them for a team
 * that is not NULL.  Internal to sweep/: the module and the runner come from
 * the same build, and the version guards against a stale module file. */
#ifndef MLPLAB_TEAM_OPS_H
#define MLPLAB_TEAM_OPS_H

#include "sweep/team.h"

#define MLP_TEAM_OPS_VERSION 1

typedef struct mlp_team_ops {
    int version;  /* MLP_TEAM_OPS_VERSION */
    mlp_status (*join)(mlp_team **team, mlp_error *err);
    void (*leave)(mlp_team *t);
    int (*rank)(const mlp_team *t);
    int (*size)(const mlp_team *t);
    int (*local_size)(const mlp_team *t);
    mlp_status (*agree)(mlp_team *t, mlp_status rc, mlp_error *err);
    mlp_status (*same_identity)(mlp_team *t, const char *hash, mlp_error *err);
    mlp_status (*serve)(mlp_team *t, const size_t *todo, size_t n, const double *cost,
                        int threads, const volatile sig_atomic_t *stop, mlp_error *err);
    bool (*next)(mlp_team *t, size_t *k, const volatile sig_atomic_t *stop);
    void (*finished)(mlp_team *t, bool diverged, double train_accuracy);
    void (*close)(mlp_team *t);
    size_t (*remote_done)(mlp_team *t);
    mlp_status (*finish)(mlp_team *t, mlp_status rc, const char *line, size_t *n_ok,
                         size_t *n_diverged, char **lines, mlp_error *err);
} mlp_team_ops;

/* The name of the table in the module. */
#define MLP_TEAM_OPS_SYMBOL "mlplab_team_mpi_ops"

#endif
