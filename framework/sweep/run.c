/* run.c -- one run of the sweep: its model built and trained, probed, and
 * its record handed to the worker's journal. */
#include "sweep/internal.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "train/model.h"
#include "train/probe.h"
#include "train/train.h"

/* Layers whose weights training never changed (their gradient was zero
 * throughout, as under a step activation): worth telling, not a failure. */
static void unchanged_note(const mlp_model *m, const double *initial, char *note, size_t len)
{
    char list[96] = "";
    size_t n = 0, used = 0;

    note[0] = '\0';
    for (size_t l = 0; l < m->n_layers; l++) {
        size_t count = m->width[l + 1] * (m->width[l] + 1);  /* W_l then b_l, contiguous */
        if (memcmp(m->params + m->w_off[l], initial + m->w_off[l], count * sizeof(double)))
            continue;
        n++;
        int w = snprintf(list + used, sizeof(list) - used, "%s%zu", used ? ", " : "", l);
        if (w > 0 && (size_t)w < sizeof(list) - used)
            used += (size_t)w;
    }
    if (n)
        snprintf(note, len, "weights of layer%s %s never changed: %s gradient was zero "
                 "throughout (as with a step activation)", n > 1 ? "s" : "", list,
                 n > 1 ? "their" : "its");
}

mlp_status mlp_sweep_run_one(sweep_state *st, size_t k, mlp_results_journal *journal,
                             run_outcome *out, mlp_error *err)
{
    const mlp_spec *spec = st->spec;
    mlp_plan_run pr;
    mlp_config cfg;
    mlp_model *m = NULL;
    mlp_train_result tr;
    mlp_rng rng;
    mlp_status rc;
    double *hidden[MLP_MAX_HIDDEN] = {0};
    double *boundary = NULL, *initial = NULL;
    mlp_param_cell cells[MLP_PLAN_MAX_AXES];
    double t0 = omp_get_wtime();

    memset(&tr, 0, sizeof(tr));
    mlp_plan_get(&spec->plan, k, &pr);
#pragma omp critical(mlplab_spec)
    rc = mlp_spec_config(spec, st->reg, k, &cfg, err);
    if (rc != MLP_OK)
        return rc;

    rc = mlp_sweep_data_acquire(st, st->run_data[k], &cfg, err);
    if (rc != MLP_OK)
        goto out_config;
    const dataset_entry *de = &st->data[st->run_data[k]];
    const mlp_data *test = de->test.n ? &de->test : NULL;
    size_t outputs = mlp_sweep_output_width(&cfg, de);

    const mlp_activation_desc *acts[MLP_MAX_HIDDEN];
    const mlp_param_value *act_params[MLP_MAX_HIDDEN];
    for (size_t l = 0; l < cfg.n_hidden; l++) {
        acts[l] = cfg.layer_act[l].plugin->d.act;
        act_params[l] = cfg.layer_act[l].params;
    }
    rc = mlp_model_create_layers(de->train.dim, cfg.hidden, cfg.n_hidden, outputs, acts,
                                 act_params, &m, err);
    if (rc != MLP_OK)
        goto out_config;
    mlp_rng_init(&rng, pr.seed, 0, MLP_STREAM_INIT);
    mlp_model_init(m, cfg.init, cfg.init_scale, &rng);
    if (cfg.init_file) {
        rc = mlp_results_read_weights(cfg.init_file, cfg.init_run, m->width, m->n_layers,
                                      m->params, err);
        if (rc != MLP_OK)
            goto out_model;
    }
    initial = malloc(m->n_params * sizeof(double));
    if (!initial) {
        rc = mlp_fail(err, MLP_ERR_NOMEM, "run %zu: out of memory", k);
        goto out_model;
    }
    memcpy(initial, m->params, m->n_params * sizeof(double));

    cfg.train.threads = st->inner_threads;
    rc = mlp_train_run(&cfg, m, &de->train, test, pr.seed, st->o->stop, &tr, err);
    if (rc == MLP_ERR_PLUGIN) {
        /* name the run and the plugin files behind the message */
        char msg[sizeof(err->msg)];
        snprintf(msg, sizeof(msg), "run %zu: %.1000s (activation %.200s, loss %.200s)", k,
                 err->msg, cfg.layer_act[0].plugin->path, cfg.loss.plugin->path);
        snprintf(err->msg, sizeof(err->msg), "%s", msg);
    }
    if (rc != MLP_OK)
        goto out_model;

    double train_acc = 0, test_acc = NAN;
    rc = mlp_probe_accuracy(m, &cfg.loss, &de->train, &train_acc, err);
    if (rc == MLP_OK && test)
        rc = mlp_probe_accuracy(m, &cfg.loss, test, &test_acc, err);
    if (rc != MLP_OK)
        goto out_train;

    if (cfg.record.hidden && cfg.n_hidden > 0) {
        for (size_t l = 0; l < cfg.n_hidden; l++) {
            hidden[l] = malloc(de->train.n * cfg.hidden[l] * sizeof(double) + 1);
            if (!hidden[l]) {
                rc = mlp_fail(err, MLP_ERR_NOMEM, "run %zu: out of memory", k);
                goto out_buffers;
            }
        }
        rc = mlp_probe_hidden(m, &de->train, hidden, err);
        if (rc != MLP_OK)
            goto out_buffers;
    }
    if (cfg.record.boundary) {
        size_t r = cfg.record.resolution;
        boundary = malloc(r * r * outputs * sizeof(double));
        if (!boundary) {
            rc = mlp_fail(err, MLP_ERR_NOMEM, "run %zu: out of memory", k);
            goto out_buffers;
        }
        rc = mlp_probe_boundary(m, &cfg.loss, r, cfg.record.extent, boundary, err);
        if (rc != MLP_OK)
            goto out_buffers;
    }

    for (size_t a = 0; a < spec->n_axes; a++) {
        const mlp_sweep_axis *ax = &spec->axes[a];
        size_t v = pr.value[a];
        cells[a].path = ax->path;
        cells[a].numeric = ax->numeric;
        cells[a].num = ax->numeric ? ax->num[v] : NAN;
        cells[a].text = ax->labels[v];
    }

    unchanged_note(m, initial, out->note, sizeof(out->note));
    mlp_run_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.note = out->note;
    rec.index = k;
    rec.repeat = pr.repeat;
    rec.seed = pr.seed;
    rec.status = tr.status;
    rec.wall_seconds = omp_get_wtime() - t0;
    rec.n_params = spec->n_axes;
    rec.params = cells;
    rec.final_loss = tr.final_loss;
    rec.train_accuracy = train_acc;
    rec.test_accuracy = test_acc;
    rec.first_100pct = tr.first_100pct;
    rec.iterations = cfg.train.iterations;
    rec.iterations_run = tr.iterations_run;
    rec.loss_every = cfg.record.loss_every;
    rec.n_loss = tr.n_loss;
    rec.loss = tr.loss;
    rec.grad_norm = tr.grad_norm;
    rec.eval_every = tr.eval_every;
    rec.n_eval = tr.n_eval;
    rec.test_loss = tr.test_loss;
    rec.test_accuracy_curve = tr.test_accuracy;
    rec.train_accuracy_curve = tr.train_accuracy;
    rec.weights_every = cfg.record.weights_every;
    rec.n_snapshots = tr.n_snapshots;
    rec.snapshots = tr.snapshots;
    rec.n_scores = tr.n_scores;
    rec.validation_accuracy = tr.validation_accuracy;
    rec.stop_reason = tr.stop_reason;
    rec.best_iteration = tr.best_iteration;
    rec.n_layers = m->n_layers;
    rec.width = m->width;
    rec.weights = cfg.record.weights ? m->params : NULL;
    rec.hidden = (cfg.record.hidden && cfg.n_hidden > 0) ? (const double *const *)hidden : NULL;
    rec.n_hidden_points = de->train.n;
    rec.resolution = cfg.record.boundary ? cfg.record.resolution : 0;
    memcpy(rec.extent, cfg.record.extent, sizeof(rec.extent));
    rec.classes_out = outputs;
    rec.boundary = boundary;
    rec.train = spec->dataset_swept ? &de->train : NULL;
    rec.test = spec->dataset_swept ? test : NULL;

    rc = mlp_results_journal_add(journal, &rec, err);
    if (rc == MLP_OK) {
        out->status = tr.status;
        out->train_accuracy = train_acc;
        out->final_loss = tr.final_loss;
        out->wall_seconds = rec.wall_seconds;
    }

out_buffers:
    free(boundary);
    for (size_t l = 0; l < MLP_MAX_HIDDEN; l++)
        free(hidden[l]);
out_train:
    mlp_train_result_free(&tr);
out_model:
    free(initial);
    mlp_model_free(m);
out_config:
    mlp_sweep_data_release(st, st->run_data[k]);
#pragma omp critical(mlplab_spec)
    mlp_config_free(&cfg);
    return rc;
}
