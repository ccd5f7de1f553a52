/* prepare.c -- before any training: every run resolved once, its dataset
 * found in the cache, its cost and recorded bytes estimated, and the plugins
 * and files that define its results noted for the sweep's identity. */
#include "sweep/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buildorder.h"
#include "train/train.h"

/* A file whose bytes define results (a dataset's, a warm start's): its hash
 * goes into the sweep's identity, so a changed file is never mixed in. */
static void note_file(sweep_state *st, const char *path)
{
    for (size_t i = 0; i < st->n_files; i++)
        if (!strcmp(st->files[i], path))
            return;
    if (st->n_files < sizeof(st->files) / sizeof(st->files[0]) &&
        (st->file_copy[st->n_files] = strdup(path))) {
        st->files[st->n_files] = st->file_copy[st->n_files];
        st->n_files++;
    }
}

static void note_plugin(sweep_state *st, const mlp_plugin *pl)
{
    for (size_t i = 0; i < st->n_plugins; i++)
        if (st->plugins[i] == pl)
            return;
    if (st->n_plugins < sizeof(st->plugins) / sizeof(st->plugins[0]))
        st->plugins[st->n_plugins++] = pl;
}

/* Resolved runs between two looks at the stop flag, the progress callback
 * and the budget (a few milliseconds' work). */
#define PREPARE_EVERY 256

/* Resolve every run once: datasets, costs, plugins, and the checks that need
 * both the loss and the dataset.  Nothing is trained yet.  A large sweep
 * stops (MLP_ERR_INTERRUPTED) when o->stop is raised, tells o->preparing how
 * far it is, and fails as soon as its record estimate passes the budget. */
mlp_status mlp_sweep_prepare(sweep_state *st, mlp_error *err)
{
    const mlp_spec *spec = st->spec;
    size_t n = spec->plan.n_runs;
    double point_bytes = 0;        /* the record estimate of the last point resolved */
    mlp_status rc = MLP_OK;

    st->table_cap = 16;
    while (st->table_cap < 2 * n)
        st->table_cap *= 2;
    st->table = calloc(st->table_cap, sizeof(size_t));
    st->run_data = calloc(n, sizeof(size_t));
    st->cost = calloc(n, sizeof(double));
    st->build_order = calloc(n ? n : 1, sizeof(size_t));
    st->build_last = calloc(n ? n : 1, sizeof(bool));
    /* each run's group and its size, for the order the sweep file takes
     * the runs in (base/buildorder.h) */
    size_t *group = calloc(n ? n : 1, sizeof(size_t));
    double *group_size = calloc(n ? n : 1, sizeof(double));
    mlp_grouper *grouper = mlp_grouper_new(n);
    if (!st->table || !st->run_data || !st->cost || !st->build_order || !st->build_last ||
        !group || !group_size || !grouper) {
        free(group);
        free(group_size);
        mlp_grouper_free(grouper);
        return mlp_fail(err, MLP_ERR_NOMEM, "sweep: out of memory for %zu runs", n);
    }

    for (size_t k = 0; k < n && rc == MLP_OK; k++) {
        mlp_config cfg;
        if (k % PREPARE_EVERY == 0 && k > 0) {  /* a long sweep: obey a stop, tell how far */
            if (st->o->stop && *st->o->stop) {
                rc = mlp_fail(err, MLP_ERR_INTERRUPTED, "interrupted while resolving the runs "
                              "before training (%zu of %zu resolved): nothing was trained or "
                              "written", k, n);
                break;
            }
            if (st->o->preparing)
                st->o->preparing(st->o->ctx, k, n);
            if (st->budget && st->record_bytes > (double)st->budget) {
                rc = mlp_fail(err, MLP_ERR_SPEC,
                              "%s: the sweep would record more than record.budget (%.3g GB): its "
                              "first %zu of %zu runs already about %.3g GB; record less "
                              "(record.weights_every, record.hidden, record.boundary, "
                              "loss_every) or raise the budget", spec->path,
                              (double)st->budget / 1e9, k, n, st->record_bytes / 1e9);
                break;
            }
        }
        if (k % spec->plan.repeats != 0) {
            /* a repeat: the same point as run k - 1 (repeats are the plan's
             * innermost loop, and a run's settings depend on its point only,
             * never on its seed), so all of it as for that run; resolving
             * each of 10 000 repeats again took 51 ms */
            st->run_data[k] = st->run_data[k - 1];
            st->cost[k] = st->cost[k - 1];
            group[k] = group[k - 1];
            group_size[k] = group_size[k - 1];
            st->record_bytes += point_bytes;
            continue;
        }
        rc = mlp_spec_config(spec, st->reg, k, &cfg, err);
        if (rc != MLP_OK)
            break;
        rc = mlp_sweep_data_find(st, &cfg, &st->run_data[k], err);
        const dataset_entry *de = rc == MLP_OK ? &st->data[st->run_data[k]] : NULL;
        if (de && !(cfg.loss.plugin->d.loss->flags & MLP_LOSS_MULTICLASS) && de->classes != 2) {
            rc = mlp_fail(err, MLP_ERR_SPEC,
                          "run %zu: loss '%s' is for two classes, but dataset '%s' has %zu",
                          k, cfg.loss.plugin->name, cfg.dataset.plugin->name, de->classes);
        }
        if (rc == MLP_OK) {
            /* the layer widths, input to output */
            size_t in = de->dim, out = mlp_sweep_output_width(&cfg, de),
                   widths[MLP_MAX_HIDDEN + 2];
            double w = 0;
            widths[0] = de->dim;
            for (size_t l = 0; l < cfg.n_hidden; l++) {
                w += (double)in * (double)cfg.hidden[l];
                in = cfg.hidden[l];
                widths[l + 1] = cfg.hidden[l];
            }
            w += (double)in * (double)out;
            widths[cfg.n_hidden + 1] = out;
            group[k] = mlp_grouper_add(grouper, k, widths, cfg.n_hidden + 2,
                                       cfg.train.iterations, &group_size[k]);
            st->cost[k] = w * (double)cfg.train.iterations *
                          (double)(cfg.train.batch_size ? cfg.train.batch_size : de->n_train);
            mlp_record_size rs;
            mlp_record_estimate(&cfg, de->dim, out, de->n_train, de->n_test, &rs);
            point_bytes = rs.total - (spec->dataset_swept ? 0 : rs.dataset);
            st->record_bytes += point_bytes;
            if (k == 0 && !spec->dataset_swept)
                st->record_bytes += rs.dataset;
            st->budget = cfg.record.budget;
            if (cfg.init_file) {
                rc = mlp_results_read_weights(cfg.init_file, cfg.init_run, widths,
                                              cfg.n_hidden + 1, NULL, err);
                if (rc != MLP_OK) {
                    char msg[sizeof(err->msg)];
                    snprintf(msg, sizeof(msg), "run %zu: model.init: %.1400s", k, err->msg);
                    snprintf(err->msg, sizeof(err->msg), "%s", msg);
                    mlp_config_free(&cfg);
                    break;
                }
            }
            if (cfg.init_file)
                note_file(st, cfg.init_file);
            if (mlp_dataset_loads(cfg.dataset.plugin)) {
                int pi = mlp_plugin_param_index(cfg.dataset.plugin, "path");
                if (pi >= 0 && cfg.dataset.params[pi].str)
                    note_file(st, cfg.dataset.params[pi].str);
            }
            note_plugin(st, cfg.dataset.plugin);
            for (size_t l = 0; l < (cfg.n_hidden ? cfg.n_hidden : 1); l++)
                note_plugin(st, cfg.layer_act[l].plugin);
            note_plugin(st, cfg.loss.plugin);
        }
        mlp_config_free(&cfg);
    }
    if (rc == MLP_OK && !mlp_build_order(n, group, group_size, st->build_order, st->build_last))
        rc = mlp_fail(err, MLP_ERR_NOMEM, "sweep: out of memory for %zu runs", n);
    free(group);
    free(group_size);
    mlp_grouper_free(grouper);
    if (rc == MLP_OK && st->budget && st->record_bytes > (double)st->budget)
        rc = mlp_fail(err, MLP_ERR_SPEC,
                      "%s: the sweep would record about %.3g GB (%zu run%s), more than "
                      "record.budget (%.3g GB); record less (record.weights_every, "
                      "record.hidden, record.boundary, loss_every) or raise the budget",
                      spec->path, st->record_bytes / 1e9, n, n == 1 ? "" : "s",
                      (double)st->budget / 1e9);
    return rc;
}
