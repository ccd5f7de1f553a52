/* resolve.c -- one run: its tree (the spec with each axis's value set), that
 * tree resolved section by section into an mlp_config, and the validation
 * of every run and of the swept keys' base values. */
#include "spec/internal.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_POINTS 100000000  /* cap on dataset train/test sizes */
#define MAX_ITER 1000000000   /* cap on iterations and similar counts */

static const char *const model_keys[] = {"hidden", "activation", "init", NULL};
static const char *const train_keys[] = {
    "optimizer", "learning_rate", "momentum", "nesterov", "beta1", "beta2", "eps",
    "iterations", "batch_size", "schedule", "power_t", "step_size", "gamma", "eta_min",
    "l2", "alpha", "l1", "target_accuracy", "tol", "n_iter_no_change", "validation_fraction",
    "max_seconds", NULL};
static const char *const record_keys[] = {"loss_every", "eval_every", "weights",
                                          "weights_every", "hidden", "boundary", "budget", NULL};
static const char *const boundary_keys[] = {"resolution", "extent", NULL};
static const char *const dataset_host_keys[] = {"train", "test", NULL};
/* model.init words, and the kind each stands for */
static const char *const inits[] = {"xavier",    "xavier_uniform", "xavier_normal", "he",
                                    "he_normal", "he_uniform",     "uniform",       "sklearn",
                                    NULL};
static const mlp_init_kind init_kinds[] = {MLP_INIT_XAVIER,  MLP_INIT_XAVIER, MLP_INIT_XAVIER_NORMAL,
                                           MLP_INIT_HE,      MLP_INIT_HE,     MLP_INIT_HE_UNIFORM,
                                           MLP_INIT_UNIFORM, MLP_INIT_SKLEARN};
static const char *const init_map_keys[] = {"uniform", NULL};
static const char *const weights_modes[] = {"final", "none", NULL};

void mlp_config_free(mlp_config *cfg)
{
    if (!cfg)
        return;
    mlp_plugin_use_free(&cfg->dataset);
    for (size_t l = 0; l < MLP_MAX_HIDDEN; l++)
        mlp_plugin_use_free(&cfg->layer_act[l]);
    memset(&cfg->activation, 0, sizeof(cfg->activation)); /* a copy of layer_act[0] */
    mlp_plugin_use_free(&cfg->loss);
    free(cfg->dataset_key);
    cfg->dataset_key = NULL;
    free(cfg->init_file);
    cfg->init_file = NULL;
}

/* Canonical text of what defines the generated data. */
static char *dataset_key(const mlp_config *cfg)
{
    const mlp_plugin *pl = cfg->dataset.plugin;
    mlp_sb sb = {0};

    /* name and version, not the file's hash: the same plugin source built in
     * another folder or by another compiler must give the same points */
    mlp_sb_printf(&sb, "plugin=%s;version=%s", pl->h->name, pl->h->version);
    for (uint32_t i = 0; i < pl->h->n_params; i++) {
        const mlp_param_value *v = &cfg->dataset.params[i];
        if (pl->h->params[i].type == MLP_PARAM_STRING)
            mlp_sb_printf(&sb, ";%s=s%zu:%s", pl->h->params[i].name, strlen(v->str ? v->str : ""),
                          v->str ? v->str : "");
        else
            mlp_sb_printf(&sb, ";%s=%.17g", pl->h->params[i].name, v->num);
    }
    mlp_sb_printf(&sb, ";train=%zu;test=%zu", cfg->n_train, cfg->n_test);
    return mlp_sb_take(&sb);
}

/* model.activation: one reference for every hidden layer, or a list with one
 * per layer, into cfg->layer_act (layer_act[0] holds the default with no
 * hidden layer); cfg->activation mirrors layer_act[0]. */
static mlp_status resolve_activations(const mlp_node *model, const mlp_node *root,
                                      mlp_registry *reg, mlp_config *cfg, mlp_error *err)
{
    const mlp_node *act = mlp_spec_get_opt(model, "activation"), *owner = model ? model : root;
    const size_t n = cfg->n_hidden ? cfg->n_hidden : 1;
    char name[64];
    mlp_status rc;

    if (act && act->kind == MLP_NODE_SEQ) {
        if (act->n != cfg->n_hidden)
            return mlp_spec_fail(err, act,
                                 "'model.activation' lists %zu activation%s, but "
                                 "'model.hidden' has %zu layer%s",
                                 act->n, act->n == 1 ? "" : "s", cfg->n_hidden,
                                 cfg->n_hidden == 1 ? "" : "s");
        cfg->act_list = true;
        for (size_t l = 0; l < act->n; l++) {
            snprintf(name, sizeof(name), "model.activation[%zu]", l);
            if ((rc = mlp_spec_resolve_plugin(act->items[l], act, MLP_KIND_ACTIVATION, name, NULL,
                                              NULL, reg, &cfg->layer_act[l], err)))
                return rc;
        }
        if (cfg->n_hidden == 0 &&
            (rc = mlp_spec_resolve_plugin(NULL, owner, MLP_KIND_ACTIVATION, "model.activation",
                                          "sigmoid", NULL, reg, &cfg->layer_act[0], err)))
            return rc;
    } else {
        /* each layer binds its own copy of the parameters (each is freed once) */
        for (size_t l = 0; l < n; l++)
            if ((rc = mlp_spec_resolve_plugin(act, owner, MLP_KIND_ACTIVATION, "model.activation",
                                              "sigmoid", NULL, reg, &cfg->layer_act[l], err)))
                return rc;
    }
    cfg->activation = cfg->layer_act[0];
    return MLP_OK;
}

static mlp_status resolve_model(const mlp_node *root, mlp_registry *reg, mlp_config *cfg,
                                mlp_error *err)
{
    const mlp_node *model, *h, *init;
    mlp_status rc;
    int64_t w;
    int pick;

    if ((rc = mlp_spec_get_section(root, "model", "model", &model, err)))
        return rc;
    if (model && (rc = mlp_spec_check_keys(model, "in 'model'", model_keys, NULL, err)))
        return rc;
    h = mlp_spec_get_opt(model, "hidden");
    cfg->n_hidden = 1;
    cfg->hidden[0] = 3;
    if (h && h->kind == MLP_NODE_SEQ) {
        if (h->n > MLP_MAX_HIDDEN)
            return mlp_spec_fail(err, h, "'model.hidden' has %zu layers; at most %d", h->n,
                                 MLP_MAX_HIDDEN);
        cfg->n_hidden = h->n;
        for (size_t i = 0; i < h->n; i++) {
            if ((rc = mlp_spec_to_int(h->items[i], "model.hidden", 1, MLP_MAX_WIDTH, &w, err)))
                return rc;
            cfg->hidden[i] = (size_t)w;
        }
    } else if (h && h->kind == MLP_NODE_SCALAR) {
        if ((rc = mlp_spec_to_int(h, "model.hidden", 1, MLP_MAX_WIDTH, &w, err)))
            return rc;
        cfg->hidden[0] = (size_t)w;
    } else if (h) {
        return mlp_spec_wrong_type(h, "a width or a list of widths", "model.hidden", err);
    }
    if ((rc = resolve_activations(model, root, reg, cfg, err)))
        return rc;
    init = mlp_spec_get_opt(model, "init");
    cfg->init = MLP_INIT_XAVIER;
    cfg->init_scale = 0; /* MLP_INIT_UNIFORM: PyTorch's 1/sqrt(fan_in) */
    if (init && init->kind == MLP_NODE_MAP && (mlp_node_get(init, "file") ||
                                               mlp_node_get(init, "run"))) {
        /* warm start: {file: prior.h5, run: 3} */
        static const char *const warm_keys[] = {"file", "run", NULL};
        const mlp_node *f = mlp_node_get(init, "file");
        const char *path = NULL;
        if ((rc = mlp_spec_check_keys(init, "in 'model.init'", warm_keys, NULL, err)))
            return rc;
        if (!f)
            return mlp_spec_fail(err, init,
                                 "missing key 'file' in 'model.init' (a warm start "
                                 "names a results file and a run)");
        if ((rc = mlp_spec_to_string(f, "model.init.file", &path, err)))
            return rc;
        if (!mlp_node_get(init, "run"))
            return mlp_spec_fail(err, init,
                                 "missing key 'run' in 'model.init' (a warm start "
                                 "names a results file and a run)");
        if ((rc = mlp_spec_get_size(init, "run", "model.init.run", 0, MLP_SPEC_MAX_RUNS, 0,
                                    &cfg->init_run, err)))
            return rc;
        if (!(cfg->init_file = mlp_spec_file_path(path, f->file)))
            return mlp_spec_nomem(err);
        return MLP_OK;
    }
    if (init && init->kind == MLP_NODE_MAP) {
        /* {uniform: a}: W and b from U(-a, a) */
        const mlp_bounds positive = {0, INFINITY, true, false};
        const mlp_node *a;
        if ((rc = mlp_spec_check_keys(init, "in 'model.init'", init_map_keys, NULL, err)))
            return rc;
        if (!(a = mlp_spec_get_opt(init, "uniform")))
            return mlp_spec_wrong_type(init, "an init name or {uniform: a}", "model.init", err);
        if ((rc = mlp_spec_get_real(init, "uniform", "model.init.uniform", positive, 0,
                                    &cfg->init_scale, err)))
            return rc;
        cfg->init = MLP_INIT_UNIFORM;
    } else if (init) {
        if ((rc = mlp_spec_to_enum(init, "model.init", inits, &pick, err)))
            return rc;
        cfg->init = init_kinds[pick];
    }
    return MLP_OK;
}

static mlp_status resolve_train(const mlp_node *root, mlp_config *cfg, mlp_error *err)
{
    const mlp_node *t;
    mlp_train_opts *o = &cfg->train;
    const mlp_bounds positive = {0, INFINITY, true, false}, nonneg = {0, INFINITY, false, false};
    const mlp_bounds unit = {0, 1, false, true}, frac = {0, 1, true, false};
    const mlp_node *n;
    mlp_status rc;
    int pick;

    if ((rc = mlp_spec_get_section(root, "train", "train", &t, err)))
        return rc;
    if (t && (rc = mlp_spec_check_keys(t, "in 'train'", train_keys, NULL, err)))
        return rc;
    if ((rc = mlp_spec_get_enum(t, "optimizer", "train.optimizer", mlp_spec_optimizers, 0, &pick,
                                err)))
        return rc;
    o->optimizer = (mlp_optimizer)pick;
    if ((rc = mlp_spec_get_real(t, "learning_rate", "train.learning_rate", positive, 0.1,
                                &o->learning_rate, err)) ||
        (rc = mlp_spec_get_real(t, "momentum", "train.momentum", unit, 0.9, &o->momentum, err)) ||
        (rc = mlp_spec_get_bool(t, "nesterov", "train.nesterov", false, &o->nesterov, err)) ||
        (rc = mlp_spec_get_real(t, "beta1", "train.beta1", unit, 0.9, &o->beta1, err)) ||
        (rc = mlp_spec_get_real(t, "beta2", "train.beta2", unit, 0.999, &o->beta2, err)) ||
        (rc = mlp_spec_get_real(t, "eps", "train.eps", positive, 1e-8, &o->eps, err)) ||
        (rc = mlp_spec_get_size(t, "iterations", "train.iterations", 1, MAX_ITER, 1000,
                                &o->iterations, err)) ||
        (rc = mlp_spec_get_size(t, "batch_size", "train.batch_size", 0, MAX_POINTS, 0,
                                &o->batch_size, err)) ||
        (rc = mlp_spec_get_enum(t, "schedule", "train.schedule", mlp_spec_schedules, 0, &pick,
                                err)))
        return rc;
    o->schedule = (mlp_schedule)pick;
    if ((rc = mlp_spec_get_real(t, "power_t", "train.power_t", nonneg, 0.5, &o->power_t, err)) ||
        (rc = mlp_spec_get_size(t, "step_size", "train.step_size", 1, MAX_ITER, 0, &o->step_size,
                                err)) ||
        (rc = mlp_spec_get_real(t, "gamma", "train.gamma", positive, 0.1, &o->gamma, err)) ||
        (rc = mlp_spec_get_real(t, "eta_min", "train.eta_min", nonneg, 0, &o->eta_min, err)) ||
        (rc = mlp_spec_get_real(t, "l2", "train.l2", nonneg, 0, &o->l2, err)) ||
        (rc = mlp_spec_get_real(t, "alpha", "train.alpha", nonneg, 0, &o->alpha, err)) ||
        (rc = mlp_spec_get_real(t, "l1", "train.l1", nonneg, 0, &o->l1, err)) ||
        (rc = mlp_spec_get_real(t, "target_accuracy", "train.target_accuracy", frac, 0,
                                &o->target_accuracy, err)) ||
        (rc = mlp_spec_get_real(t, "tol", "train.tol", nonneg, 1e-4, &o->tol, err)) ||
        (rc = mlp_spec_get_size(t, "n_iter_no_change", "train.n_iter_no_change", 1, MAX_ITER, 10,
                                &o->n_iter_no_change, err)) ||
        (rc = mlp_spec_get_real(t, "validation_fraction", "train.validation_fraction", unit, 0,
                                &o->validation_fraction, err)) ||
        (rc = mlp_spec_get_real(t, "max_seconds", "train.max_seconds", positive, 0, &o->max_seconds,
                                err)))
        return rc;
    o->use_tol = mlp_spec_get_opt(t, "tol") != NULL;
    if (o->schedule == MLP_SCHED_STEP && o->step_size == 0)
        return mlp_spec_fail(err, mlp_spec_get_opt(t, "schedule"),
                             "schedule 'step' needs 'train.step_size' (iterations between decays)");
    /* a generated dataset's size is known: the split must leave points to train on */
    n = mlp_spec_get_opt(t, "validation_fraction");
    if (n && cfg->n_train > 0 &&
        ceil(o->validation_fraction * (double)cfg->n_train) >= (double)cfg->n_train)
        return mlp_spec_fail(err, n,
                             "'train.validation_fraction' %s holds out all %zu training "
                             "points",
                             n->text, cfg->n_train);
    return MLP_OK;
}

/* A size in bytes: an integer, or a number with a unit (B, kB, MB, GB, TB,
 * KiB, MiB, GiB, TiB; "512MiB", "1.5 GB"). */
static mlp_status to_bytes(const mlp_node *n, const char *name, uint64_t *out, mlp_error *err)
{
    static const struct { const char *unit; double mult; } units[] = {
        {"", 1.0},        {"B", 1.0},       {"kB", 1e3},           {"KB", 1e3},           {"MB", 1e6},
        {"GB", 1e9},      {"TB", 1e12},          {"KiB", 1024.0},       {"MiB", 1048576.0},
        {"GiB", 1073741824.0}, {"TiB", 1099511627776.0}};
    const char *what = "a size in bytes (an integer, or a number with a unit: 512MiB, 2 GB)";
    int64_t iv;
    double v;
    char *end;

    if (n->kind != MLP_NODE_SCALAR || mlp_scalar_is_null(n))
        return mlp_spec_wrong_type(n, what, name, err);
    if (mlp_scalar_int(n, &iv)) {
        v = (double)iv;
    } else {
        const char *p = n->text;
        if (n->quoted || !((*p >= '0' && *p <= '9') || *p == '.'))
            return mlp_spec_wrong_type(n, what, name, err);
        v = strtod(p, &end);
        while (*end == ' ')
            end++;
        size_t u;
        for (u = 0; u < sizeof(units) / sizeof(units[0]); u++)
            if (!strcmp(end, units[u].unit))
                break;
        if (end == p || u == sizeof(units) / sizeof(units[0]) || !isfinite(v))
            return mlp_spec_wrong_type(n, what, name, err);
        v = floor(v * units[u].mult);
    }
    if (!(v >= 1) || v > 9.2e18)
        return mlp_spec_fail(err, n, "'%s' must be between 1 byte and 8 EiB, got %s", name,
                             n->text);
    *out = (uint64_t)v;
    return MLP_OK;
}

/* The dataset's input dimension and classes as this run's parameters make
 * them: a generator may describe a shape that depends on its parameters
 * (blobs' dim, spiral's arms); a dataset read from a file is known only when
 * it is read (0 here). */
static void dataset_shape(const mlp_config *cfg, size_t *dim, size_t *classes)
{
    const mlp_plugin *pl = cfg->dataset.plugin;
    const mlp_dataset_desc *d = pl->d.data;
    size_t rows = 0;
    uint32_t dm = 0, cl = 0;
    char why[256];

    *dim = d->dim;
    *classes = d->classes;
    if (mlp_dataset_loads(pl)) {
        *dim = 0;
        return;
    }
    if (mlp_dataset_describes(pl) &&
        d->describe(cfg->dataset.params, &rows, &dm, &cl, why, sizeof(why)) == 0 && dm > 0) {
        *dim = dm;
        *classes = cl;
    }
}

static mlp_status resolve_record(const mlp_node *root, mlp_config *cfg, mlp_error *err)
{
    const mlp_node *r, *b = NULL, *ext;
    const mlp_dataset_desc *d = cfg->dataset.plugin->d.data;
    mlp_record_opts *o = &cfg->record;
    mlp_status rc;
    int pick;
    size_t dim, classes;
    dataset_shape(cfg, &dim, &classes);
    bool on = dim == 2;

    if ((rc = mlp_spec_get_section(root, "record", "record", &r, err)))
        return rc;
    if (r && (rc = mlp_spec_check_keys(r, "in 'record'", record_keys, NULL, err)))
        return rc;
    /* the loss curve: by default at most about 1000 points (a 200 000-iteration
     * sweep once wrote 105 MB of loss values) */
    if ((rc = mlp_spec_get_size(r, "loss_every", "record.loss_every", 1, MAX_ITER,
                                (int64_t)(cfg->train.iterations / 1000 > 1
                                              ? cfg->train.iterations / 1000
                                              : 1),
                                &o->loss_every, err)) ||
        /* evaluating the test set costs a forward pass: by default about 100
         * points per curve, never denser than the loss curve */
        (rc = mlp_spec_get_size(r, "eval_every", "record.eval_every", 1, MAX_ITER,
                                (int64_t)(cfg->train.iterations / 100 > o->loss_every
                                              ? cfg->train.iterations / 100
                                              : o->loss_every),
                                &o->eval_every, err)) ||
        (rc = mlp_spec_get_enum(r, "weights", "record.weights", weights_modes, 0, &pick, err)) ||
        (rc = mlp_spec_get_size(r, "weights_every", "record.weights_every", 0, MAX_ITER, 0,
                                &o->weights_every, err)) ||
        (rc = mlp_spec_get_bool(r, "hidden", "record.hidden", true, &o->hidden, err)))
        return rc;
    o->budget = 1073741824u; /* 1 GiB */
    if (mlp_spec_get_opt(r, "budget") &&
        (rc = to_bytes(mlp_spec_get_opt(r, "budget"), "record.budget", &o->budget, err)))
        return rc;
    o->weights = pick == 0;
    o->resolution = 200;
    memcpy(o->extent, d->extent, sizeof(o->extent));
    b = mlp_spec_get_opt(r, "boundary");
    if (b && b->kind == MLP_NODE_SCALAR) {
        if ((rc = mlp_spec_to_bool(b, "record.boundary", &on, err)))
            return rc;
        if (!on) {
            o->boundary = false;
            return MLP_OK;
        }
    } else if (b && b->kind != MLP_NODE_MAP) {
        return mlp_spec_wrong_type(b, "false or {resolution, extent}", "record.boundary", err);
    }
    /* dim 0: a dataset read from a file, whose shape is known when it is read */
    if (b && dim != 2 && dim != 0)
        return mlp_spec_fail(err, b, "a decision boundary needs 2-D inputs; dataset '%s' has %zu",
                             cfg->dataset.plugin->h->name, dim);
    o->boundary = on;
    if (!b || b->kind != MLP_NODE_MAP)
        return MLP_OK;
    if ((rc = mlp_spec_check_keys(b, "in 'record.boundary'", boundary_keys, NULL, err)) ||
        (rc = mlp_spec_get_size(b, "resolution", "record.boundary.resolution", 2, 4096, 200,
                                &o->resolution, err)))
        return rc;
    ext = mlp_spec_get_opt(b, "extent");
    if (!ext)
        return MLP_OK;
    if (ext->kind != MLP_NODE_SEQ || ext->n != 4)
        return mlp_spec_wrong_type(ext, "a list [xmin, xmax, ymin, ymax]", "record.boundary.extent",
                                   err);
    for (size_t i = 0; i < 4; i++) {
        mlp_bounds fin = {-DBL_MAX, DBL_MAX, false, false};
        if ((rc = mlp_spec_to_real(ext->items[i], "record.boundary.extent", &fin, &o->extent[i],
                                   err)))
            return rc;
    }
    if (!(o->extent[0] < o->extent[1]) || !(o->extent[2] < o->extent[3]))
        return mlp_spec_fail(err, ext,
                             "'record.boundary.extent' needs xmin < xmax and ymin < ymax, "
                             "got [%s, %s, %s, %s]",
                             ext->items[0]->text, ext->items[1]->text, ext->items[2]->text,
                             ext->items[3]->text);
    return MLP_OK;
}

/* A model must fit in memory several times over (parameters, gradients,
 * optimizer moments): refuse sizes no laptop holds, before anything runs. */
#define MAX_MODEL_PARAMS 100000000.0

static mlp_status check_model_size(const mlp_node *root, const mlp_config *cfg, mlp_error *err)
{
    size_t dim, classes;
    dataset_shape(cfg, &dim, &classes);
    double in = dim ? (double)dim : 1, n = 0;  /* 0: read from a file, known later */
    double out = (cfg->loss.plugin->d.loss->flags & MLP_LOSS_MULTICLASS) ? (double)classes : 1;
    const mlp_node *model = mlp_spec_get_opt(root, "model"), *h = mlp_spec_get_opt(model, "hidden");

    for (size_t l = 0; l < cfg->n_hidden; l++) {
        n += (in + 1) * (double)cfg->hidden[l];
        in = (double)cfg->hidden[l];
    }
    n += (in + 1) * out;
    if (n > MAX_MODEL_PARAMS)
        return mlp_spec_fail(err, h ? h : model ? model : root,
                             "'model.hidden' makes a model of %.0f parameters; at most %.0f", n,
                             MAX_MODEL_PARAMS);
    return MLP_OK;
}

/* Every section of a run's tree into cfg (zeroed first; freed on failure). */
mlp_status mlp_spec_resolve_run(const mlp_node *root, mlp_registry *reg, mlp_config *cfg,
                                mlp_error *err)
{
    const mlp_node *ds;
    mlp_status rc;

    memset(cfg, 0, sizeof(*cfg));
    ds = mlp_spec_get_opt(root, "dataset");
    rc = mlp_spec_resolve_plugin(ds, root, MLP_KIND_DATASET, "dataset", NULL, dataset_host_keys,
                                 reg, &cfg->dataset, err);
    if (rc)
        goto fail;
    /* generated data: 200 training points by default; data read from a file:
     * train 0 stands for every row not held out for the test */
    bool loads = mlp_dataset_loads(cfg->dataset.plugin);
    if (ds && ds->kind == MLP_NODE_MAP &&
        ((rc = mlp_spec_get_size(ds, "train", "dataset.train", loads ? 0 : 1, MAX_POINTS,
                                 loads ? 0 : 200, &cfg->n_train, err)) ||
         (rc = mlp_spec_get_size(ds, "test", "dataset.test", 0, MAX_POINTS, 0, &cfg->n_test, err))))
        goto fail;
    if (!ds || ds->kind != MLP_NODE_MAP) {
        cfg->n_train = loads ? 0 : 200;
        cfg->n_test = 0;
    }
    if (!(cfg->dataset_key = dataset_key(cfg))) {
        rc = mlp_spec_nomem(err);
        goto fail;
    }
    if ((rc = resolve_model(root, reg, cfg, err)))
        goto fail;
    rc = mlp_spec_resolve_plugin(mlp_spec_get_opt(root, "loss"), root, MLP_KIND_LOSS, "loss", "bce",
                                 NULL, reg, &cfg->loss, err);
    if (rc || (rc = check_model_size(root, cfg, err)) || (rc = resolve_train(root, cfg, err)) ||
        (rc = resolve_record(root, cfg, err)))
        goto fail;
    return MLP_OK;
fail:
    mlp_config_free(cfg);
    return rc;
}

/* Run k's tree: the root with each axis's value set at its path. */
mlp_status mlp_spec_run_tree(const mlp_spec *spec, size_t k, mlp_node **out, mlp_error *err)
{
    mlp_plan_run run;
    mlp_node *tree;
    mlp_status rc = MLP_OK;

    if (k >= spec->plan.n_runs)
        return mlp_fail(err, MLP_ERR_USAGE, "run %zu does not exist: the sweep has %zu runs", k,
                        spec->plan.n_runs);
    mlp_plan_get(&spec->plan, k, &run);
    tree = mlp_node_clone(spec->root);
    if (!tree)
        return mlp_spec_nomem(err);
    for (size_t a = 0; a < spec->n_axes && rc == MLP_OK; a++) {
        const mlp_sweep_axis *ax = &spec->axes[a];
        mlp_path_part *parts;
        size_t n;
        bool empty;
        rc = mlp_path_split(ax->path, ax->key->file, ax->key->line, ax->key->col, false, &parts, &n,
                            &empty, err);
        if (rc)
            break;
        rc = mlp_path_set(tree, parts, n,
                          mlp_node_clone(ax->values[mlp_spec_value_index(spec, a, &run)]),
                          "sweep", err);
        mlp_path_parts_free(parts, n);
    }
    if (rc) {
        mlp_node_free(tree);
        return rc;
    }
    *out = tree;
    return MLP_OK;
}

mlp_status mlp_spec_config(const mlp_spec *spec, mlp_registry *reg, size_t k, mlp_config *cfg,
                           mlp_error *err)
{
    mlp_node *tree;
    mlp_config c;
    mlp_status rc = mlp_spec_run_tree(spec, k, &tree, err);

    if (rc)
        return rc;
    rc = mlp_spec_resolve_run(tree, reg, &c, err);
    mlp_node_free(tree);
    if (rc == MLP_OK)
        *cfg = c;
    return rc;
}

/* The base values of the swept keys: a swept key's value in the body of the
 * spec (as written, after --set) never reaches a run, yet it is what
 * mlp_spec_resolved reports for that key and what the spec means without its
 * sweep, so a user expects it checked like every other value: a typo in it
 * (an unknown key, a wrong type, a value out of range) is an error with its
 * usual place, as it would be if the key were not swept.  It need not be
 * complete on its own, though: the rule is that the spec as written, with
 * only the swept keys it does not give (or gives as null) filled in from a
 * point of the sweep, resolves for at least one point.  So
 * `activation: {plugin: sigmoid, bogus: 1}` under a swept model.activation is
 * refused, while `schedule: step` with train.step_size swept, or a swept
 * model.activation's base `[relu, tanh]` with model.hidden swept over
 * [3, [4, 4]], is not.  The first point's error is reported.  When the
 * keys filled in have more than MLP_SPEC_VALIDATE_ALL combinations, that
 * many, spread evenly from the first, stand for them all. */
static mlp_status validate_base(const mlp_spec *spec, mlp_registry *reg, mlp_error *err)
{
    size_t fill[MLP_PLAN_MAX_AXES], n_fill = 0;
    mlp_path_part *parts[MLP_PLAN_MAX_AXES] = {NULL};
    size_t n_parts[MLP_PLAN_MAX_AXES] = {0};
    mlp_error first;
    mlp_status rc = MLP_OK, first_rc = MLP_OK;

    mlp_error_clear(&first);
    for (size_t a = 0; a < spec->n_axes && rc == MLP_OK; a++) {
        const mlp_sweep_axis *ax = &spec->axes[a];
        const mlp_node *base;
        bool empty;
        rc = mlp_path_split(ax->path, ax->key->file, ax->key->line, ax->key->col, false, &parts[a],
                            &n_parts[a], &empty, err);
        if (rc)
            break;
        base = mlp_path_lookup(spec->root, parts[a], n_parts[a]);
        if (!base || mlp_scalar_is_null(base))
            fill[n_fill++] = a;
    }
    if (rc || n_fill == spec->n_axes)
        goto out; /* no base value under a swept key: the runs said it all */
    /* the filled keys' values of each point of the sweep (runs without
     * their repeats), first to last (for a grid, the first point is every
     * filled axis's first value); of more than MLP_SPEC_VALIDATE_ALL points,
     * that many spread evenly from the first (a base that fits none of them
     * is refused: bounded time at any size) */
    const size_t points = spec->plan.n_runs / spec->plan.repeats;
    const size_t tries = points > MLP_SPEC_VALIDATE_ALL ? MLP_SPEC_VALIDATE_ALL : points;
    for (size_t tried = 0; tried < tries; tried++) {
        size_t k = (points > MLP_SPEC_VALIDATE_ALL
                        ? (size_t)((double)tried * ((double)points / MLP_SPEC_VALIDATE_ALL))
                        : tried) * spec->plan.repeats;
        mlp_node *tree;
        mlp_plan_run run;
        mlp_config cfg;
        mlp_error sub;

        tree = mlp_node_clone(spec->root);

        if (!tree) {
            rc = mlp_spec_nomem(err);
            goto out;
        }
        mlp_plan_get(&spec->plan, k, &run);
        for (size_t f = 0; f < n_fill && rc == MLP_OK; f++) {
            const mlp_sweep_axis *ax = &spec->axes[fill[f]];
            rc = mlp_path_set(tree, parts[fill[f]], n_parts[fill[f]],
                              mlp_node_clone(ax->values[mlp_spec_value_index(spec, fill[f], &run)]),
                              "sweep", err);
        }
        if (rc) {
            mlp_node_free(tree);
            goto out;
        }
        mlp_error_clear(&sub);
        rc = mlp_spec_resolve_run(tree, reg, &cfg, &sub);
        mlp_node_free(tree);
        if (rc == MLP_OK) {
            mlp_config_free(&cfg);
            goto out;
        }
        if (rc == MLP_ERR_NOMEM) {
            if (err)
                *err = sub;
            goto out;
        }
        if (first_rc == MLP_OK) {
            first_rc = rc;
            first = sub;
        }
        rc = MLP_OK;
    }
    rc = first_rc;
    if (err)
        *err = first;
out:
    for (size_t a = 0; a < spec->n_axes; a++)
        mlp_path_parts_free(parts[a], n_parts[a]);
    return rc;
}

/* Which points (runs without their repeats) mlp_spec_validate resolves: a
 * sweep of up to MLP_SPEC_VALIDATE_ALL points, every one; a larger one, a
 * bounded deterministic set:
 *   - on each axis, up to VALIDATE_AXIS_VALUES of its values (all when it
 *     has no more; else its first two, its last two and values spread evenly
 *     between), each with every other axis at its first value;
 *   - VALIDATE_SAMPLE points spread evenly over the whole product, its first
 *     and last point among them.
 * Why that is enough to start: a value wrong on its own (a typo, a wrong
 * type, a number out of its key's bounds, an unknown plugin or parameter)
 * makes every point that holds it fail, so the axis pass finds it when the
 * value is among those tried, which on a list of up to 256 values is every
 * value, and on a longer axis (a range: numbers of one kind between two ends,
 * checked against bounds) the ends and their neighbours, where a range goes
 * out of bounds or shows a step of the wrong kind.  What can only show in
 * some runs is an error of a combination: a model too large for one hidden
 * width with one dataset's inputs, a boundary grid asked of a dataset swept
 * to 3-D, a list of activations longer than a swept hidden list, a
 * warm-start file whose shape fits some widths.  The sample finds those
 * often; the rest are found before any training all the same, because the
 * sweep resolves every run it will train (sweep/prepare.c) and stops, with
 * the same located message and nothing written, at the first that fails.
 * Only --dry-run and the early answer rest on the sample.  Returns the
 * points in increasing order, *n of them, malloc'd (NULL: out of memory). */
#define VALIDATE_AXIS_VALUES 256
#define VALIDATE_SAMPLE 1024

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static size_t *validation_points(const mlp_spec *spec, size_t *n)
{
    const mlp_plan *plan = &spec->plan;
    size_t points = plan->n_runs / plan->repeats, cap, m = 0, stride = 1;
    size_t *p;

    if (points <= MLP_SPEC_VALIDATE_ALL) {
        if (!(p = malloc((points ? points : 1) * sizeof(*p))))
            return NULL;
        for (size_t i = 0; i < points; i++)
            p[i] = i;
        *n = points;
        return p;
    }
    cap = plan->n_axes * VALIDATE_AXIS_VALUES + VALIDATE_SAMPLE + 1;
    if (!(p = malloc(cap * sizeof(*p))))
        return NULL;
    for (size_t a = plan->n_axes; a-- > 0;) {  /* the last axis varies fastest */
        size_t len = plan->axis_len[a];
        if (len <= VALIDATE_AXIS_VALUES) {
            for (size_t v = 0; v < len; v++)
                p[m++] = v * stride;
        } else {
            p[m++] = 0;
            p[m++] = stride;
            p[m++] = (len - 2) * stride;
            p[m++] = (len - 1) * stride;
            for (size_t i = 1; i + 4 <= VALIDATE_AXIS_VALUES; i++)
                p[m++] = (size_t)((double)i * (double)(len - 1) /
                                  (double)(VALIDATE_AXIS_VALUES - 3)) * stride;
        }
        stride *= len;
    }
    for (size_t i = 0; i < VALIDATE_SAMPLE; i++)
        p[m++] = (size_t)((double)i * (double)(points - 1) / (double)(VALIDATE_SAMPLE - 1));
    p[m++] = points - 1;
    qsort(p, m, sizeof(*p), cmp_size);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if ((i == 0 || p[i] != p[u - 1]) && p[i] < points)
            p[u++] = p[i];
    *n = u;
    return p;
}

/* Successive halving ranks runs by a metric every run must record: a test
 * metric needs a test set, validation accuracy a validation split. */
static mlp_status check_halving_metric(const mlp_spec *spec, const mlp_config *cfg, size_t k,
                                       mlp_error *err)
{
    const mlp_node *m = mlp_node_get(spec->halving_node, "metric");
    const char *word = mlp_halving_metrics[spec->halving.metric];

    if (!m)
        m = spec->halving_node;
    switch (spec->halving.metric) {
    case MLP_METRIC_TEST_ACCURACY:
    case MLP_METRIC_TEST_LOSS:
        if (cfg->n_test == 0 && !mlp_dataset_loads(cfg->dataset.plugin))
            return mlp_spec_fail(err, m,
                                 "sweep.halving ranks runs by %s, but run %zu has no test set "
                                 "(dataset.test is 0): give dataset.test, or rank by "
                                 "train_loss or train_accuracy",
                                 word, k);
        break;
    case MLP_METRIC_VALIDATION_ACCURACY:
        if (!(cfg->train.validation_fraction > 0))
            return mlp_spec_fail(err, m,
                                 "sweep.halving ranks runs by validation_accuracy, but run %zu "
                                 "holds out no validation points (train.validation_fraction "
                                 "is 0)",
                                 k);
        break;
    default:
        break;
    }
    return MLP_OK;
}

mlp_status mlp_spec_validate(const mlp_spec *spec, mlp_registry *reg, mlp_error *err)
{
    size_t n, *points = validation_points(spec, &n);

    if (!points)
        return mlp_spec_nomem(err);
    /* repeats are innermost and change only the seed: one run per point */
    for (size_t i = 0; i < n; i++) {
        mlp_config cfg;
        mlp_status rc = mlp_spec_config(spec, reg, points[i] * spec->plan.repeats, &cfg, err);
        if (rc) {
            free(points);
            return rc;
        }
        if (spec->halving.on)
            rc = check_halving_metric(spec, &cfg, points[i] * spec->plan.repeats, err);
        mlp_config_free(&cfg);
        if (rc) {
            free(points);
            return rc;
        }
    }
    free(points);
    return validate_base(spec, reg, err);
}
