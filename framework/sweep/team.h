/* team.h -- the processes of one sweep under MPI (`mpirun -np P runner
 * SPEC`): rank 0 hands the runs out, largest first, while the time goes; every
 * rank trains the runs it is given into its own part files in the shared run
 * folder; rank 0 builds the sweep file once every rank is done.  Only
 * point-to-point messages and a few small collectives: no parallel HDF5, and
 * a rank that dies loses only the runs it had not finished.
 * Owns the MPI calls of the process: team_mpi.c is the only file that
 * includes mpi.h, built as a module (mlplab_mpi.so) that team.c loads at
 * join, only in a launched process; without MPI in the build join only
 * refuses an mpirun launch.
 * May use: base/.  Used by the executor (sweep.c) and by cli/ (join, leave). */
#ifndef MLPLAB_TEAM_H
#define MLPLAB_TEAM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

typedef struct mlp_team mlp_team;

/* Whether this runner was built with MPI. */
bool mlp_team_available(void);

/* Whether this process was started by an MPI launcher (mpirun, mpiexec, srun
 * with PMI) as one of several processes: read from the launcher's
 * environment. */
bool mlp_team_launched(void);

/* Join the MPI job this process was launched in: *team is the team (size >=
 * 1), or NULL when the process was not launched by MPI.  MLP_ERR_USAGE when
 * launched by MPI but built without it. */
mlp_status mlp_team_join(mlp_team **team, mlp_error *err);

/* Leave the job (MPI_Finalize) and free the team; NULL is a no-op. */
void mlp_team_leave(mlp_team *t);

int mlp_team_rank(const mlp_team *t);    /* 0 for NULL */
int mlp_team_size(const mlp_team *t);    /* 1 for NULL */
/* Processes of the team on this host (for the default thread count). */
int mlp_team_local_size(const mlp_team *t);

/* ---- used by the executor ---------------------------------------------- */

/* Every rank calls this with its own status: the result is the status of the
 * lowest rank that failed (its error in *err on every rank), or MLP_OK.  A
 * collective: every rank must call it the same number of times. */
mlp_status mlp_team_agree(mlp_team *t, mlp_status rc, mlp_error *err);

/* Whether every rank computed this identity (hex SHA-256) for the sweep: the
 * same spec, plugins, data files and runner.  A collective; fails with the
 * ranks whose identity differs from rank 0's. */
mlp_status mlp_team_same_identity(mlp_team *t, const char *hash, mlp_error *err);

/* Rank 0: start handing out todo[0 .. n) (largest first; cost[k] the work of
 * run k) to every rank's workers, itself included; threads is this rank's
 * workers.  Once *stop is non-zero (may be NULL), a rank that stays silent for
 * a few seconds is taken for gone.  Every other rank: say how many workers
 * it has.  A collective. */
mlp_status mlp_team_serve(mlp_team *t, const size_t *todo, size_t n, const double *cost,
                          int threads, const volatile sig_atomic_t *stop, mlp_error *err);

/* The next run for one of this rank's workers (any thread): false when there
 * are no more, or the team was closed, or *stop became non-zero. */
bool mlp_team_next(mlp_team *t, size_t *k, const volatile sig_atomic_t *stop);

/* A run of this rank finished: counted for rank 0's progress (any thread). */
void mlp_team_finished(mlp_team *t, bool diverged, double train_accuracy);

/* Hand out no more runs (this rank failed or was asked to stop): the other
 * ranks finish the runs they have and stop. */
void mlp_team_close(mlp_team *t);

/* What the other ranks have finished so far (rank 0; 0 elsewhere). */
size_t mlp_team_remote_done(mlp_team *t);

/* The end of the sweep's training on this rank, with its status, its runs
 * (ok and diverged) and a line about it (host, runs, times).  Rank 0 waits
 * for every rank; the result is the status of the lowest rank that failed
 * (its error in *err), and on rank 0 *n_ok and *n_diverged become the
 * team's sums and *lines (malloc'd) every rank's line, in rank order.  A
 * collective. */
mlp_status mlp_team_finish(mlp_team *t, mlp_status rc, const char *line, size_t *n_ok,
                           size_t *n_diverged, char **lines, mlp_error *err);

#endif
