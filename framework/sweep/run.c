/* run.c -- one run of the sweep: its model built and trained, probed, and
 * its record handed to the worker's journal; in steps for successive
 * halving (begin, advance to a budget, end). */
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

/* One run as it goes through its phases. */
struct one_run {
    size_t k;                          /* its index in the plan */
    mlp_plan_run pr;
    mlp_config cfg;                    /* a copy of shared->cfg, or owned when shared is NULL */
    shared_config *shared;
    const dataset_entry *de;
    const mlp_data *test;              /* NULL without a test set */
    size_t outputs;                    /* the model's outputs */
    mlp_model *m;
    double *initial;                   /* (n_params) the parameters before training */
    mlp_train_result tr;
    double train_acc, test_acc;
    double *hidden[MLP_MAX_HIDDEN];    /* (train points, width) per hidden layer, or NULL */
    double *boundary;                  /* (resolution^2, outputs), or NULL */
    double t0;                         /* omp_get_wtime() when the run started */
    mlp_trainer *trainer;              /* training in steps (begin .. end), or NULL */
    bool halving;                      /* recorded with its bracket and rungs: */
    size_t bracket, rungs;
    bool have_data;                    /* the dataset was acquired */
};

/* The model with its initial parameters (drawn, or read from a warm-start
 * file), and a copy of them. */
static mlp_status build_model(one_run *r, mlp_error *err)
{
    const mlp_config *cfg = &r->cfg;
    const mlp_activation_desc *acts[MLP_MAX_HIDDEN];
    const mlp_param_value *act_params[MLP_MAX_HIDDEN];
    mlp_rng rng;
    mlp_status rc;

    for (size_t l = 0; l < cfg->n_hidden; l++) {
        acts[l] = cfg->layer_act[l].plugin->d.act;
        act_params[l] = cfg->layer_act[l].params;
    }
    rc = mlp_model_create_layers(r->de->train.dim, cfg->hidden, cfg->n_hidden, r->outputs, acts,
                                 act_params, &r->m, err);
    if (rc != MLP_OK)
        return rc;
    mlp_rng_init(&rng, r->pr.seed, 0, MLP_STREAM_INIT);
    mlp_model_init(r->m, cfg->init, cfg->init_scale, &rng);
    if (cfg->init_file) {
        rc = mlp_results_read_weights(cfg->init_file, cfg->init_run, r->m->width,
                                      r->m->n_layers, r->m->params, err);
        if (rc != MLP_OK)
            return rc;
    }
    r->initial = malloc(r->m->n_params * sizeof(double));
    if (!r->initial)
        return mlp_fail(err, MLP_ERR_NOMEM, "run %zu: out of memory", r->k);
    memcpy(r->initial, r->m->params, r->m->n_params * sizeof(double));
    return MLP_OK;
}

/* A plugin's error names the run and the plugin files behind it. */
static void name_plugin_error(const one_run *r, mlp_status rc, mlp_error *err)
{
    if (rc == MLP_ERR_PLUGIN && err) {
        char msg[sizeof(err->msg)];
        snprintf(msg, sizeof(msg), "run %zu: %.1000s (activation %.200s, loss %.200s)", r->k,
                 err->msg, r->cfg.layer_act[0].plugin->path, r->cfg.loss.plugin->path);
        snprintf(err->msg, sizeof(err->msg), "%s", msg);
    }
}

/* The trained model's accuracies, and the hidden outputs and decision grid
 * when recorded. */
static mlp_status probe_model(one_run *r, mlp_error *err)
{
    const mlp_config *cfg = &r->cfg;
    mlp_status rc;

    r->train_acc = 0;
    r->test_acc = NAN;
    rc = mlp_probe_accuracy(r->m, &cfg->loss, &r->de->train, &r->train_acc, err);
    if (rc == MLP_OK && r->test)
        rc = mlp_probe_accuracy(r->m, &cfg->loss, r->test, &r->test_acc, err);
    if (rc != MLP_OK)
        return rc;

    if (cfg->record.hidden && cfg->n_hidden > 0) {
        for (size_t l = 0; l < cfg->n_hidden; l++) {
            r->hidden[l] = malloc(r->de->train.n * cfg->hidden[l] * sizeof(double) + 1);
            if (!r->hidden[l])
                return mlp_fail(err, MLP_ERR_NOMEM, "run %zu: out of memory", r->k);
        }
        rc = mlp_probe_hidden(r->m, &r->de->train, r->hidden, err);
        if (rc != MLP_OK)
            return rc;
    }
    if (cfg->record.boundary) {
        size_t res = cfg->record.resolution;
        r->boundary = malloc(res * res * r->outputs * sizeof(double));
        if (!r->boundary)
            return mlp_fail(err, MLP_ERR_NOMEM, "run %zu: out of memory", r->k);
        rc = mlp_probe_boundary(r->m, &cfg->loss, res, cfg->record.extent, r->boundary, err);
    }
    return rc;
}

/* The run's record, into the worker's journal; out filled when it is in. */
static mlp_status record_run(const sweep_state *st, one_run *r, mlp_results_journal *journal,
                             run_outcome *out, mlp_error *err)
{
    const mlp_spec *spec = st->spec;
    const mlp_config *cfg = &r->cfg;
    const mlp_train_result *tr = &r->tr;
    const mlp_model *m = r->m;
    mlp_param_cell cells[MLP_PLAN_MAX_AXES];
    mlp_run_record rec;
    mlp_status rc;

    for (size_t a = 0; a < spec->n_axes; a++) {
        const mlp_sweep_axis *ax = &spec->axes[a];
        size_t v = mlp_spec_value_index(spec, a, &r->pr);
        cells[a].path = ax->path;
        cells[a].numeric = ax->numeric;
        cells[a].num = ax->numeric ? ax->num[v] : NAN;
        cells[a].text = ax->labels[v];
    }

    unchanged_note(m, r->initial, out->note, sizeof(out->note));
    if (!out->note[0] && r->de->overlap[0]) {
        /* told once, by the first run on the dataset that has nothing else to say */
        dataset_entry *de = (dataset_entry *)r->de;
        bool tell;
#pragma omp critical(mlplab_data)
        {
            tell = !de->told;
            de->told = true;
        }
        if (tell)
            snprintf(out->note, sizeof(out->note), "%s", de->overlap);
    }
    memset(&rec, 0, sizeof(rec));
    rec.note = out->note;
    rec.index = r->k;
    rec.repeat = r->pr.repeat;
    rec.seed = r->pr.seed;
    rec.status = tr->status;
    rec.wall_seconds = omp_get_wtime() - r->t0;
    rec.n_params = spec->n_axes;
    rec.params = cells;
    rec.final_loss = tr->final_loss;
    rec.train_accuracy = r->train_acc;
    rec.test_accuracy = r->test_acc;
    rec.first_100pct = tr->first_100pct;
    rec.iterations = cfg->train.iterations;
    rec.iterations_run = tr->iterations_run;
    rec.loss_every = cfg->record.loss_every;
    rec.n_loss = tr->n_loss;
    rec.loss = tr->loss;
    rec.grad_norm = tr->grad_norm;
    rec.eval_every = tr->eval_every;
    rec.n_eval = tr->n_eval;
    rec.test_loss = tr->test_loss;
    rec.test_accuracy_curve = tr->test_accuracy;
    rec.train_accuracy_curve = tr->train_accuracy;
    rec.weights_every = cfg->record.weights_every;
    rec.n_snapshots = tr->n_snapshots;
    rec.snapshots = tr->snapshots;
    rec.n_scores = tr->n_scores;
    rec.validation_accuracy = tr->validation_accuracy;
    rec.stop_reason = tr->stop_reason;
    rec.best_iteration = tr->best_iteration;
    rec.halving = r->halving;
    rec.halving_bracket = r->bracket;
    rec.halving_rungs = r->rungs;
    rec.n_layers = m->n_layers;
    rec.width = m->width;
    rec.weights = cfg->record.weights ? m->params : NULL;
    rec.hidden = (cfg->record.hidden && cfg->n_hidden > 0) ? (const double *const *)r->hidden
                                                          : NULL;
    rec.n_hidden_points = r->de->train.n;
    rec.resolution = cfg->record.boundary ? cfg->record.resolution : 0;
    memcpy(rec.extent, cfg->record.extent, sizeof(rec.extent));
    rec.classes_out = r->outputs;
    rec.boundary = r->boundary;
    rec.train = spec->dataset_swept ? &r->de->train : NULL;
    rec.test = spec->dataset_swept ? r->test : NULL;

    rc = mlp_results_journal_add(journal, &rec, err);
    if (rc == MLP_OK) {
        out->status = tr->status;
        out->train_accuracy = r->train_acc;
        out->final_loss = tr->final_loss;
        out->wall_seconds = rec.wall_seconds;
    }
    return rc;
}

/* Run r's settings, from the slot that holds its point's or else resolved
 * into a slot (one no run holds, the least recently taken); owned by the run
 * when every slot is held (successive halving keeps many runs at once).
 * Inside the critical section mlplab_spec. */
static mlp_status take_config(sweep_state *st, one_run *r, mlp_error *err)
{
    size_t point = r->k / st->spec->plan.repeats;
    shared_config *slot = NULL;
    mlp_status rc;

    for (size_t i = 0; i < MLP_SWEEP_CONFIGS && !slot; i++)
        if (st->configs[i].used && st->configs[i].point == point)
            slot = &st->configs[i];
    if (!slot) {
        for (size_t i = 0; i < MLP_SWEEP_CONFIGS; i++) {
            shared_config *c = &st->configs[i];
            if (!c->used) {
                slot = c;
                break;
            }
            if (!c->refs && (!slot || c->last < slot->last))
                slot = c;
        }
        if (!slot)
            return mlp_spec_config(st->spec, st->reg, r->k, &r->cfg, err);
        if (slot->used)
            mlp_config_free(&slot->cfg);
        slot->used = false;
        rc = mlp_spec_config(st->spec, st->reg, r->k, &slot->cfg, err);
        if (rc != MLP_OK)
            return rc;
        slot->used = true;
        slot->point = point;
        slot->refs = 0;
    }
    slot->refs++;
    slot->last = ++st->config_clock;
    r->cfg = slot->cfg;
    r->shared = slot;
    return MLP_OK;
}

void mlp_sweep_configs_free(sweep_state *st)
{
    for (size_t i = 0; i < MLP_SWEEP_CONFIGS; i++)
        if (st->configs[i].used) {
            mlp_config_free(&st->configs[i].cfg);
            st->configs[i].used = false;
        }
}

mlp_status mlp_sweep_run_begin(sweep_state *st, size_t k, one_run **out, mlp_error *err)
{
    one_run *r = calloc(1, sizeof(*r));
    mlp_status rc;

    if (!r)
        return mlp_fail(err, MLP_ERR_NOMEM, "run %zu: out of memory", k);
    r->k = k;
    r->t0 = omp_get_wtime();
    mlp_plan_get(&st->spec->plan, k, &r->pr);
#pragma omp critical(mlplab_spec)
    rc = take_config(st, r, err);
    if (rc != MLP_OK) {
        free(r);
        return rc;
    }
    mlp_sweep_fault_enter(k, &r->cfg);
    rc = mlp_sweep_data_acquire(st, st->run_data[k], &r->cfg, err);
    r->have_data = true;
    if (rc == MLP_OK) {
        r->de = &st->data[st->run_data[k]];
        r->test = r->de->test.n ? &r->de->test : NULL;
        r->outputs = mlp_sweep_output_width(&r->cfg, r->de);
        rc = build_model(r, err);
    }
    if (rc == MLP_OK) {
        r->cfg.train.threads = st->inner_threads;
        rc = mlp_train_start(&r->cfg, r->m, &r->de->train, r->test, r->pr.seed, &r->tr,
                             &r->trainer, err);
        name_plugin_error(r, rc, err);
    }
    mlp_sweep_fault_leave();
    if (rc != MLP_OK) {
        mlp_sweep_run_free(st, r);
        return rc;
    }
    *out = r;
    return MLP_OK;
}

mlp_status mlp_sweep_run_advance(sweep_state *st, one_run *r, size_t until, bool *ended,
                                 mlp_error *err)
{
    size_t before = r->tr.iterations_run, made;
    mlp_sweep_fault_enter(r->k, &r->cfg);
    mlp_status rc = mlp_train_advance(r->trainer, until, st->o->stop, ended, err);
    mlp_sweep_fault_leave();

    made = r->tr.iterations_run - before;
#pragma omp atomic update
    st->iterations_trained += made;
    name_plugin_error(r, rc, err);
    return rc;
}

void mlp_sweep_run_metrics(one_run *r, mlp_train_now *now)
{
    mlp_train_metrics(r->trainer, now);
}

void mlp_sweep_run_mark(one_run *r, size_t bracket, size_t rungs_before, size_t budget)
{
    r->halving = true;
    r->bracket = bracket;
    r->rungs = rungs_before + (r->tr.iterations_run >= budget ? 1 : 0);
}

mlp_status mlp_sweep_run_end(sweep_state *st, one_run *r, bool halted,
                             mlp_results_journal *journal, run_outcome *out, mlp_error *err)
{
    mlp_status rc;

    mlp_sweep_fault_enter(r->k, &r->cfg);
    mlp_train_finish(r->trainer, halted);
    r->trainer = NULL;
    rc = probe_model(r, err);
    if (rc == MLP_OK)
        rc = record_run(st, r, journal, out, err);
    mlp_sweep_fault_leave();
    return rc;
}

void mlp_sweep_run_free(sweep_state *st, one_run *r)
{
    if (!r)
        return;
    mlp_train_abort(r->trainer);
    free(r->boundary);
    for (size_t l = 0; l < MLP_MAX_HIDDEN; l++)
        free(r->hidden[l]);
    mlp_train_result_free(&r->tr);
    free(r->initial);
    mlp_model_free(r->m);
    if (r->have_data)
        mlp_sweep_data_release(st, st->run_data[r->k]);
#pragma omp critical(mlplab_spec)
    {
        if (r->shared)
            r->shared->refs--;
        else
            mlp_config_free(&r->cfg);
    }
    free(r);
}

mlp_status mlp_sweep_run_one(sweep_state *st, size_t k, mlp_results_journal *journal,
                             run_outcome *out, mlp_error *err)
{
    one_run *r;
    bool ended;
    mlp_status rc = mlp_sweep_run_begin(st, k, &r, err);

    if (rc != MLP_OK)
        return rc;
    rc = mlp_sweep_run_advance(st, r, r->cfg.train.iterations, &ended, err);
    if (rc == MLP_OK)
        rc = mlp_sweep_run_end(st, r, false, journal, out, err);
    mlp_sweep_run_free(st, r);
    return rc;
}
