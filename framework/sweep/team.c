/* team.c -- the team of an MPI job, as the executor sees it: without a team
 * (a process not started by an MPI launcher) every call answers for one
 * process alone; with one, the calls go to the MPI module (team_mpi.c, built
 * as mlplab_mpi.so), which is loaded only then.  So a runner that is not part
 * of an MPI job never maps the MPI libraries: linking them into the runner
 * cost 2.5 ms of every start on the test machine (bench/README.md), more
 * than the rest of the start together. */
#include "sweep/team.h"

#include <stdlib.h>

#include "sweep/team_ops.h"

#ifdef MLPLAB_HAVE_MPI
#include <dlfcn.h>
#include <sys/stat.h>

#include "base/exe.h"
#endif

/* The MPI module's operations, once a team was joined (one per process;
 * never without MPI, where there is no team). */
static const mlp_team_ops *ops;

bool mlp_team_launched(void)
{
    /* Open MPI's mpirun, MPICH's hydra (and srun --mpi=pmi2), PMIx (srun) */
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

bool mlp_team_available(void)
{
#ifdef MLPLAB_HAVE_MPI
    return true;
#else
    return false;
#endif
}

#ifdef MLPLAB_HAVE_MPI

/* Whether path names a file. */
static bool is_file(const char *path)
{
    struct stat sb;

    return path && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Load the MPI module: the one installed beside the runner (found from the
 * executable's place, as the plugins are), else the build tree's, else the
 * configured install path.  RTLD_GLOBAL: the MPI library's own components
 * look up its symbols when it loads them. */
static mlp_status load_module(mlp_error *err)
{
    char *beside = mlp_exe_relative(MLPLAB_MPI_MODULE_RELPATH);
    const char *path = is_file(beside)                      ? beside
                       : is_file(MLPLAB_MPI_MODULE_BUILD) ? MLPLAB_MPI_MODULE_BUILD
                                                          : MLPLAB_MPI_MODULE_INSTALL;
    void *h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    mlp_status st = MLP_OK;

    if (!h) {
        const char *why = dlerror();
        st = mlp_fail(err, MLP_ERR_RUNTIME, "MPI: cannot load the runner's MPI module: %s (it "
                      "is built and installed with the runner: install the runner again)",
                      why ? why : path);
    } else {
        const mlp_team_ops *o = (const mlp_team_ops *)dlsym(h, MLP_TEAM_OPS_SYMBOL);
        if (!o || o->version != MLP_TEAM_OPS_VERSION) {
            st = mlp_fail(err, MLP_ERR_RUNTIME, "MPI: %s is not this runner's MPI module (%s); "
                          "rebuild and install the runner again", path,
                          o ? "another version" : "no operations table");
            dlclose(h);
        } else {
            ops = o;  /* kept loaded: the MPI library stays until the process ends */
        }
    }
    free(beside);
    return st;
}

mlp_status mlp_team_join(mlp_team **team, mlp_error *err)
{
    mlp_status st;

    *team = NULL;
    if (!mlp_team_launched())
        return MLP_OK;
    if (!ops && (st = load_module(err)))
        return st;
    return ops->join(team, err);
}

#else /* without MPI: there is never a team */

mlp_status mlp_team_join(mlp_team **team, mlp_error *err)
{
    *team = NULL;
    if (mlp_team_launched())
        return mlp_fail(err, MLP_ERR_USAGE, "this runner was built without MPI, but it was "
                        "started by an MPI launcher (mpirun, or srun with PMI): every process "
                        "would run the whole sweep; rebuild with Open MPI installed "
                        "(libopenmpi-dev, see docs/cluster.md), or use runner --shard");
    return MLP_OK;
}

#endif

/* Each call: the module's for a team, else what one process alone is. */
#define CALL(t, call, alone) ((t) ? ops->call : (alone))

void mlp_team_leave(mlp_team *t)
{
    if (t)
        ops->leave(t);
}

int mlp_team_rank(const mlp_team *t)
{
    return CALL(t, rank(t), 0);
}

int mlp_team_size(const mlp_team *t)
{
    return CALL(t, size(t), 1);
}

int mlp_team_local_size(const mlp_team *t)
{
    return CALL(t, local_size(t), 1);
}

mlp_status mlp_team_agree(mlp_team *t, mlp_status rc, mlp_error *err)
{
    return CALL(t, agree(t, rc, err), rc);
}

mlp_status mlp_team_same_identity(mlp_team *t, const char *hash, mlp_error *err)
{
    return CALL(t, same_identity(t, hash, err), MLP_OK);
}

mlp_status mlp_team_serve(mlp_team *t, const size_t *todo, size_t n, const double *cost,
                          int threads, const volatile sig_atomic_t *stop, mlp_error *err)
{
    return CALL(t, serve(t, todo, n, cost, threads, stop, err),
                mlp_fail(err, MLP_ERR_RUNTIME, "no MPI team to serve"));
}

bool mlp_team_next(mlp_team *t, size_t *k, const volatile sig_atomic_t *stop)
{
    return CALL(t, next(t, k, stop), false);
}

void mlp_team_finished(mlp_team *t, bool diverged, double train_accuracy)
{
    if (t)
        ops->finished(t, diverged, train_accuracy);
}

void mlp_team_close(mlp_team *t)
{
    if (t)
        ops->close(t);
}

size_t mlp_team_remote_done(mlp_team *t)
{
    return CALL(t, remote_done(t), 0);
}

mlp_status mlp_team_finish(mlp_team *t, mlp_status rc, const char *line, size_t *n_ok,
                           size_t *n_diverged, char **lines, mlp_error *err)
{
    if (t)
        return ops->finish(t, rc, line, n_ok, n_diverged, lines, err);
    *lines = NULL;
    return rc;
}
