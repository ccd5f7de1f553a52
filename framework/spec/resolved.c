/* resolved.c -- the resolved spec: run 0's settings with every default
 * filled in, swept keys shown as the spec gives them, written as YAML. */
#include "spec/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the word the resolved spec writes for each mlp_init_kind */
static const char *const init_names[] = {"xavier",        "he",         "uniform",
                                         "xavier_normal", "he_uniform", "sklearn"};

/* Builds the effective tree; `ok` turns false on the first failed allocation. */
typedef struct builder {
    const char *file;
    bool ok;
} builder;

static mlp_node *b_text(builder *b, const char *text, bool quoted)
{
    mlp_node *n = mlp_node_scalar(text, quoted, b->file, 0, 0);

    b->ok = b->ok && n;
    return n;
}

static mlp_node *b_map(builder *b)
{
    mlp_node *n = mlp_node_new(MLP_NODE_MAP, b->file, 0, 0);

    b->ok = b->ok && n;
    return n;
}

static mlp_node *b_seq(builder *b)
{
    mlp_node *n = mlp_node_new(MLP_NODE_SEQ, b->file, 0, 0);

    b->ok = b->ok && n;
    return n;
}

static mlp_node *b_size(builder *b, size_t v)
{
    char t[32];

    snprintf(t, sizeof(t), "%zu", v);
    return b_text(b, t, false);
}

static mlp_node *b_real(builder *b, double v)
{
    char t[64];

    mlp_spec_real_text(v, t, sizeof(t));
    return b_text(b, t, false);
}

/* Add key: val (val taken; NULL is a failed allocation already noted). */
static void b_put(builder *b, mlp_node *map, const char *key, mlp_node *val)
{
    mlp_node *k = b_text(b, key, false);

    if (!map || !val || !k || !mlp_node_append(map, k, val)) {
        b->ok = false;
        mlp_node_free(k);
        mlp_node_free(val);
    }
}

static void b_push(builder *b, mlp_node *seq, mlp_node *val)
{
    if (!seq || !val || !mlp_node_append(seq, NULL, val)) {
        b->ok = false;
        mlp_node_free(val);
    }
}

/* The name a reference used (as written in the run's tree) or the plugin's. */
static const char *ref_name(const mlp_node *ref, const mlp_plugin *pl)
{
    const mlp_node *p = ref && ref->kind == MLP_NODE_MAP ? mlp_spec_get_opt(ref, "plugin") : ref;

    return p && p->kind == MLP_NODE_SCALAR && !mlp_scalar_is_null(p) ? p->text : pl->h->name;
}

/* {plugin: name, every parameter}, or just the name for a plugin without any;
 * a dataset (dataset_of given) always as a map with its train and test. */
static mlp_node *b_plugin(builder *b, const mlp_plugin_use *u, const mlp_node *ref,
                          const mlp_config *dataset_of)
{
    const mlp_plugin_header *h = u->plugin->h;
    const char *name = ref_name(ref, u->plugin);
    mlp_node *map;

    if (!h->n_params && !dataset_of)
        return b_text(b, name, true);
    map = b_map(b);
    b_put(b, map, "plugin", b_text(b, name, true));
    if (dataset_of) {
        /* the host's keys of a dataset reference */
        b_put(b, map, "train", b_size(b, dataset_of->n_train));
        b_put(b, map, "test", b_size(b, dataset_of->n_test));
    }
    for (uint32_t i = 0; i < h->n_params; i++) {
        const mlp_param_decl *d = &h->params[i];
        const mlp_param_value *v = &u->params[i];
        mlp_node *val = NULL;
        char t[64];
        switch (d->type) {
        case MLP_PARAM_REAL:
            val = b_real(b, v->num);
            break;
        case MLP_PARAM_INT:
            snprintf(t, sizeof(t), "%.0f", v->num);
            val = b_text(b, t, false);
            break;
        case MLP_PARAM_BOOL:
            val = b_text(b, v->num != 0 ? "true" : "false", false);
            break;
        case MLP_PARAM_ENUM: {
            /* the index-th word of "a|b|c" */
            const char *c = d->choices ? d->choices : "";
            for (int j = 0; j < (int)v->num && c; j++)
                if ((c = strchr(c, '|')))
                    c++;
            size_t len = c ? strcspn(c, "|") : 0;
            snprintf(t, sizeof(t), "%.*s", (int)len, c ? c : "");
            val = b_text(b, t, true);
            break;
        }
        case MLP_PARAM_STRING:
            val = b_text(b, v->str ? v->str : "", true);
            break;
        }
        b_put(b, map, d->name, val);
    }
    return map;
}

/* model: hidden widths, activation(s) as the run's tree names them, init. */
static mlp_node *b_model(builder *b, const mlp_node *tree, const mlp_config *cfg)
{
    mlp_node *model = b_map(b), *hidden;
    const mlp_node *n;

    if (cfg->n_hidden == 1) {
        hidden = b_size(b, cfg->hidden[0]);
    } else {
        hidden = b_seq(b);
        for (size_t i = 0; i < cfg->n_hidden; i++)
            b_push(b, hidden, b_size(b, cfg->hidden[i]));
    }
    b_put(b, model, "hidden", hidden);
    n = mlp_spec_get_opt(mlp_spec_get_opt(tree, "model"), "activation");
    if (cfg->act_list) {
        mlp_node *acts = b_seq(b);
        for (size_t i = 0; i < cfg->n_hidden; i++)
            b_push(b, acts, b_plugin(b, &cfg->layer_act[i], n->items[i], NULL));
        b_put(b, model, "activation", acts);
    } else {
        b_put(b, model, "activation", b_plugin(b, &cfg->layer_act[0], n, NULL));
    }
    if (cfg->init_file) {
        mlp_node *u = b_map(b);
        b_put(b, u, "file", b_text(b, cfg->init_file, true));
        b_put(b, u, "run", b_size(b, cfg->init_run));
        b_put(b, model, "init", u);
    } else if (cfg->init == MLP_INIT_UNIFORM && cfg->init_scale != 0) {
        mlp_node *u = b_map(b);
        b_put(b, u, "uniform", b_real(b, cfg->init_scale));
        b_put(b, model, "init", u);
    } else {
        b_put(b, model, "init", b_text(b, init_names[cfg->init], true));
    }
    return model;
}

/* train: every option, the stopping rules that are off as null. */
static mlp_node *b_train(builder *b, const mlp_train_opts *t)
{
    mlp_node *train = b_map(b);

    b_put(b, train, "optimizer", b_text(b, mlp_spec_optimizers[t->optimizer], true));
    b_put(b, train, "learning_rate", b_real(b, t->learning_rate));
    b_put(b, train, "momentum", b_real(b, t->momentum));
    b_put(b, train, "nesterov", b_text(b, t->nesterov ? "true" : "false", false));
    b_put(b, train, "beta1", b_real(b, t->beta1));
    b_put(b, train, "beta2", b_real(b, t->beta2));
    b_put(b, train, "eps", b_real(b, t->eps));
    b_put(b, train, "iterations", b_size(b, t->iterations));
    b_put(b, train, "batch_size", b_size(b, t->batch_size));
    b_put(b, train, "schedule", b_text(b, mlp_spec_schedules[t->schedule], true));
    b_put(b, train, "power_t", b_real(b, t->power_t));
    b_put(b, train, "step_size", t->step_size ? b_size(b, t->step_size) : b_text(b, "null", false));
    b_put(b, train, "gamma", b_real(b, t->gamma));
    b_put(b, train, "eta_min", b_real(b, t->eta_min));
    b_put(b, train, "l2", b_real(b, t->l2));
    b_put(b, train, "alpha", b_real(b, t->alpha));
    b_put(b, train, "l1", b_real(b, t->l1));
    /* stopping rules: null is "off" */
    b_put(b, train, "target_accuracy", t->target_accuracy > 0 ? b_real(b, t->target_accuracy)
                                                              : b_text(b, "null", false));
    b_put(b, train, "tol", t->use_tol ? b_real(b, t->tol) : b_text(b, "null", false));
    b_put(b, train, "n_iter_no_change", b_size(b, t->n_iter_no_change));
    b_put(b, train, "validation_fraction", b_real(b, t->validation_fraction));
    b_put(b, train, "max_seconds", t->max_seconds > 0 ? b_real(b, t->max_seconds)
                                                      : b_text(b, "null", false));
    return train;
}

/* record: what is kept of each run, and the budget. */
static mlp_node *b_record(builder *b, const mlp_record_opts *r)
{
    mlp_node *rec = b_map(b);
    char t64[32];

    b_put(b, rec, "loss_every", b_size(b, r->loss_every));
    b_put(b, rec, "eval_every", b_size(b, r->eval_every));
    b_put(b, rec, "weights", b_text(b, r->weights ? "final" : "none", true));
    b_put(b, rec, "weights_every", b_size(b, r->weights_every));
    b_put(b, rec, "hidden", b_text(b, r->hidden ? "true" : "false", false));
    if (r->boundary) {
        mlp_node *bd = b_map(b), *ext = b_seq(b);
        b_put(b, bd, "resolution", b_size(b, r->resolution));
        for (size_t i = 0; i < 4; i++)
            b_push(b, ext, b_real(b, r->extent[i]));
        b_put(b, bd, "extent", ext);
        b_put(b, rec, "boundary", bd);
    } else {
        b_put(b, rec, "boundary", b_text(b, "false", false));
    }
    snprintf(t64, sizeof(t64), "%" PRIu64, r->budget);
    b_put(b, rec, "budget", b_text(b, t64, false));
    return rec;
}

/* The effective settings of a run's tree and config, as a tree. */
static mlp_node *effective_tree(const mlp_spec *spec, const mlp_node *tree,
                                const mlp_config *cfg, builder *b)
{
    mlp_node *root = b_map(b);
    const mlp_node *n;
    char t64[32];

    b_put(b, root, "name", b_text(b, spec->name, true));
    if (spec->description[0])
        b_put(b, root, "description", b_text(b, spec->description, true));
    snprintf(t64, sizeof(t64), "%" PRIu64, spec->seed);
    b_put(b, root, "seed", b_text(b, t64, false));
    n = mlp_spec_get_opt(tree, "dataset");
    b_put(b, root, "dataset", b_plugin(b, &cfg->dataset, n, cfg));
    b_put(b, root, "model", b_model(b, tree, cfg));
    b_put(b, root, "loss", b_plugin(b, &cfg->loss, mlp_spec_get_opt(tree, "loss"), NULL));
    b_put(b, root, "train", b_train(b, &cfg->train));
    if ((n = mlp_spec_get_opt(spec->root, "sweep")))
        b_put(b, root, "sweep", mlp_node_clone(n));
    b_put(b, root, "repeats", b_size(b, spec->repeats));
    b_put(b, root, "record", b_record(b, &cfg->record));
    if (spec->output)
        b_put(b, root, "output", b_text(b, spec->output, true));
    return root;
}

/* The effective settings of run 0, except that every swept key shows the
 * base spec's value (or is left out when the base spec does not give it):
 * the sweep section, included as written, says what varies.  NULL when run
 * 0 does not resolve (call mlp_spec_validate first) or out of memory. */
char *mlp_spec_resolved(const mlp_spec *spec, mlp_registry *reg)
{
    mlp_node *tree = NULL, *eff = NULL;
    mlp_config cfg;
    builder b = {spec->path, true};
    char *text = NULL;

    if (mlp_spec_run_tree(spec, 0, &tree, NULL))
        return NULL;
    if (mlp_spec_resolve_run(tree, reg, &cfg, NULL))
        goto out_tree;
    eff = effective_tree(spec, tree, &cfg, &b);
    for (size_t a = 0; a < spec->n_axes && b.ok; a++) {
        mlp_path_part *parts;
        size_t n;
        bool empty;
        const mlp_node *base;
        if (mlp_path_split(spec->axes[a].path, spec->path, 0, 0, false, &parts, &n, &empty, NULL)) {
            b.ok = false;
            break;
        }
        base = mlp_path_lookup(spec->root, parts, n);
        if (base)
            b.ok = mlp_path_set(eff, parts, n, mlp_node_clone(base), "set", NULL) == MLP_OK;
        else
            mlp_path_delete(eff, parts, n);
        mlp_path_parts_free(parts, n);
    }
    if (b.ok)
        text = mlp_node_to_yaml(eff);
    mlp_node_free(eff);
    mlp_config_free(&cfg);
out_tree:
    mlp_node_free(tree);
    return text;
}
