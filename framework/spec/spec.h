/* spec.h -- the experiment spec: a YAML file (read into the tree of
 * spec/tree.h, every node keeping its file:line:col), --set overrides applied
 * to that tree, the sweep expanded into a plan, every run validated before
 * any training, and one run resolved into an mlp_config.  Knows nothing
 * about training or HDF5.  May use: base/, registry/, plan/, train/config.h. */
#ifndef MLPLAB_SPEC_H
#define MLPLAB_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "train/config.h"
#include "base/error.h"
#include "plan/plan.h"
#include "plan/halving.h"
#include "plan/sample.h"
#include "registry/registry.h"
#include "spec/tree.h"

#define MLP_SPEC_MAX_RUNS 1000000      /* default cap on runs of one sweep */

/* ---- the spec ----------------------------------------------------------- */

/* How a swept key takes its value in run k (see mlp_spec_value_index). */
typedef enum mlp_sweep_role {
    MLP_SWEEP_GRID = 0,      /* a list: its own axis of the plan */
    MLP_SWEEP_ZIP,           /* a list in a zip group: the group's axis, shared */
    MLP_SWEEP_SAMPLED        /* a distribution: one value drawn per sample */
} mlp_sweep_role;

/* One swept key: a dotted path and its values, ranges expanded (a sampled
 * key: the value drawn for each sample, in sample order).  A value made by a
 * range or drawn from a distribution is a scalar node carrying the range's
 * or the distribution's mark. */
typedef struct mlp_sweep_axis {
    char *path;              /* "model.hidden" */
    const mlp_node *key;     /* the key node in the spec, for messages */
    mlp_sweep_role role;
    size_t dim;              /* grid, zip: the plan axis that picks the value */
    size_t group;            /* zip: the zip group, 0 .. n_zips-1 */
    const mlp_node *dist_node; /* sampled: the distribution's mapping in the spec */
    mlp_dist dist;           /* sampled: the distribution */
    double *weights;         /* owned: a choice's weights (dist.weights), or NULL */
    size_t n;
    mlp_node **values;       /* owned */
    char **labels;           /* owned: one-line text of each value */
    bool numeric;            /* every value is a number */
    double *num;             /* owned when numeric: the values as doubles */
    size_t cap;              /* slots allocated in values while the axis is built */
} mlp_sweep_axis;

typedef struct mlp_spec {
    char *path;              /* spec file as given */
    char *text;              /* its bytes, NUL-terminated */
    size_t text_len;
    char sha256[65];         /* of the file's bytes */
    mlp_node *root;          /* the tree after --set overrides (sweep included) */

    char *name;              /* name: */
    char *description;       /* description: or "" */
    char *output;            /* output: or NULL */
    uint64_t seed;
    size_t repeats;
    size_t max_runs;         /* max_runs: (default MLP_SPEC_MAX_RUNS) */

    size_t n_axes;           /* swept keys (grid, zipped and sampled) in spec order */
    mlp_sweep_axis *axes;
    size_t n_zips;           /* zip groups */
    size_t n_sampled;        /* keys with a distribution */
    bool dataset_swept;      /* some axis path starts with "dataset" */
    mlp_plan plan;           /* plan.kind: grid, random or sobol; plan.samples */
    mlp_halving halving;     /* sweep.halving: halving.on when given */
    const mlp_node *halving_node; /* its mapping in the spec, for messages, or NULL */
} mlp_spec;

/* The index in spec->axes[a].values of run r's value: the plan axis's value
 * for a grid or zipped key, the sample for a sampled one. */
size_t mlp_spec_value_index(const mlp_spec *spec, size_t a, const mlp_plan_run *r);

/* True when the sweep is a plain Cartesian grid: every swept key is a list
 * of its own (no zip group, no sampling), so that spec->axes[a] is plan axis
 * a and the runs are their product (times the repeats). */
bool mlp_spec_is_grid(const mlp_spec *spec);

/* Read and parse a spec file, apply the --set overrides ("a.b=VALUE", value
 * parsed as YAML; a path under `sweep` names one sweep key: "sweep.model.hidden=[4, 8]"),
 * check the top-level structure and expand the sweep into a plan.
 * Plugin parameters are checked later, by mlp_spec_validate. */
mlp_status mlp_spec_load(const char *path, const char *const *sets, size_t n_sets,
                         mlp_spec **out, mlp_error *err);

/* Same from text in memory; `name` plays the file's part in messages. */
mlp_status mlp_spec_parse(const char *text, size_t len, const char *name,
                          const char *const *sets, size_t n_sets, mlp_spec **out,
                          mlp_error *err);

void mlp_spec_free(mlp_spec *spec);

/* Resolve the runs (loading the plugins they name through reg), so that a
 * problem is reported, with its place, before anything starts: every run of
 * a sweep of up to MLP_SPEC_VALIDATE_ALL points (runs without repeats); of a
 * larger one, each axis's values and a bounded sample of its points, which
 * takes a fraction of a second at any size (what that finds and why the
 * rest may wait for the sweep's own resolution of each run: see
 * validation_points in spec/resolve.c).  Then check the swept keys' values
 * in the spec body, which no run uses but the resolved spec shows (the
 * rule: validate_base in spec/resolve.c). */
#define MLP_SPEC_VALIDATE_ALL 4096
mlp_status mlp_spec_validate(const mlp_spec *spec, mlp_registry *reg, mlp_error *err);

/* Whether the runs are the full Cartesian product of spec->axes: run k's
 * value on axis a is value plan.axis_len-decoded row-major, repeats
 * innermost (mlp_plan_get), so that a results file may lay the summary out
 * as an N-D array over the axes (format 2's /cube).  True for every grid
 * sweep; a search kind that is not a grid (zipped, sampled) answers false
 * and then has the run dimension only. */
bool mlp_spec_grid(const mlp_spec *spec);

/* The configuration of run k.  *cfg is filled only on success; free with
 * mlp_config_free. */
mlp_status mlp_spec_config(const mlp_spec *spec, mlp_registry *reg, size_t k, mlp_config *cfg,
                           mlp_error *err);
void mlp_config_free(mlp_config *cfg);

/* The spec after overrides with every default filled in (and without the
 * sweep applied), as YAML text; malloc'd. */
char *mlp_spec_resolved(const mlp_spec *spec, mlp_registry *reg);

#endif
