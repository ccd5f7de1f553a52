/* expand.c -- sweep expansion: each sweep key's list (or range) of values
 * into an axis with labels and numbers, zip groups (lists that advance
 * together), distributions drawn for each sample of a random or Sobol
 * search, and all of it into the plan. */
#include "spec/internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sweepable[] = {"dataset", "model", "loss", "train", "record", NULL};
static const char *const range_keys[] = {"from", "to", "step", "num", "scale", NULL};
static const char *const scales[] = {"linear", "log", NULL};
/* keys of the sweep mapping that are settings, not swept keys */
static const char *const sweep_settings[] = {"samples", "method", "zip", "halving", NULL};
static const char *const halving_keys[] = {"min_iterations", "eta", "metric", "brackets", NULL};
static const char *const methods[] = {"random", "sobol", NULL};
/* distribution names, in the order of mlp_dist_kind, and their keys */
static const char *const dists[] = {"uniform", "log_uniform", "int_uniform", "normal",
                                    "choice",  "constant",    NULL};
static const char *const dist_keys[][4] = {
    {"distribution", "low", "high", NULL},  {"distribution", "low", "high", NULL},
    {"distribution", "low", "high", NULL},  {"distribution", "mean", "std", NULL},
    {"distribution", "values", "weights", NULL}, {"distribution", "value", NULL, NULL}};

/* Append v (taken) to the axis under construction; the array grows by
 * doubling (a range may give a million values). */
static mlp_status axis_push(mlp_sweep_axis *ax, mlp_node *v, mlp_error *err)
{
    if (!v)
        return mlp_spec_nomem(err);
    if (ax->n >= ax->cap) {
        size_t cap = ax->cap < 4 ? 8 : 2 * ax->cap;
        mlp_node **values = cap <= SIZE_MAX / sizeof(*values)
                                ? realloc(ax->values, cap * sizeof(*values))
                                : NULL;
        if (!values) {
            mlp_node_free(v);
            return mlp_spec_nomem(err);
        }
        ax->values = values;
        ax->cap = cap;
    }
    ax->values[ax->n++] = v;
    return MLP_OK;
}

/* A range {from, to, step} or {from, to, num, scale} into values on ax. */
static mlp_status expand_range(const mlp_node *r, mlp_sweep_axis *ax, mlp_error *err)
{
    const mlp_node *nfrom = mlp_node_get(r, "from"), *nto = mlp_node_get(r, "to");
    const mlp_node *nstep = mlp_node_get(r, "step"), *nnum = mlp_node_get(r, "num");
    const mlp_node *nscale = mlp_node_get(r, "scale");
    char where[600], text[64];
    double from, to, step = 0, *vals = NULL;
    int64_t ifrom, ito, istep, num = 0;
    int scale = 0;
    size_t n = 0;
    mlp_error sub;
    mlp_status rc;

    snprintf(where, sizeof(where), "in a range of sweep '%s'", ax->path);
    rc = mlp_spec_check_keys(r, where, range_keys, NULL, err);
    if (rc)
        return rc;
    if (!nto)
        return mlp_spec_fail(err, r, "missing key 'to' in a range of sweep '%s'", ax->path);
    if ((rc = mlp_spec_to_real(nfrom, "from", &mlp_spec_any_real, &from, err)) ||
        (rc = mlp_spec_to_real(nto, "to", &mlp_spec_any_real, &to, err)))
        return rc;
    if (nstep && nnum)
        return mlp_spec_fail(err, r, "a range takes 'step' or 'num', not both");
    if (!nstep && !nnum)
        return mlp_spec_fail(err, r,
                             "a range needs 'step' ({from, to, step}) or 'num' "
                             "({from, to, num, scale})");
    if (nstep) {
        if (nscale)
            return mlp_spec_fail(err, nscale, "'scale' goes with 'num', not with 'step'");
        if ((rc = mlp_spec_to_real(nstep, "step", &mlp_spec_any_real, &step, err)))
            return rc;
        if (step == 0)
            return mlp_spec_fail(err, nstep, "range step must not be zero");
        if ((to - from) * step < 0)
            return mlp_spec_fail(err, nstep, "range step %s points away from 'to' (from %s to %s)",
                                 nstep->text, nfrom->text, nto->text);
        if (mlp_range_step(from, to, step, NULL, &n, MLP_SPEC_MAX_RUNS, &sub))
            return mlp_spec_fail(err, r, "%s", sub.msg);
    } else {
        if ((rc = mlp_spec_to_int(nnum, "num", 1, MLP_SPEC_MAX_RUNS, &num, err)))
            return rc;
        if (nscale && !mlp_scalar_is_null(nscale) &&
            (rc = mlp_spec_to_enum(nscale, "scale", scales, &scale, err)))
            return rc;
        if (scale == 1 && (from <= 0 || to <= 0))
            return mlp_spec_fail(err, r, "a log range needs from > 0 and to > 0, got from %s to %s",
                                 nfrom->text, nto->text);
        n = (size_t)num;
    }
    if (n == 0)
        return mlp_spec_fail(err, r, "the range gives no values");
    if (ax->n + n > MLP_SPEC_MAX_RUNS)
        return mlp_spec_fail(err, r, "sweep '%s' has more than %d values", ax->path,
                             MLP_SPEC_MAX_RUNS);
    vals = malloc(n * sizeof(*vals));
    if (!vals)
        return mlp_spec_nomem(err);
    if (nstep)
        rc = mlp_range_step(from, to, step, vals, &n, n, &sub);
    else
        rc = mlp_range_num(from, to, n, scale == 1, vals, n, &sub);
    if (rc) {
        free(vals);
        return mlp_spec_fail(err, r, "%s", sub.msg);
    }
    /* integer from, to and step give integers ("5", not "5.0") */
    bool ints = nstep && mlp_scalar_int(nfrom, &ifrom) && mlp_scalar_int(nto, &ito) &&
                mlp_scalar_int(nstep, &istep);
    for (size_t i = 0; i < n && rc == MLP_OK; i++) {
        if (ints)
            snprintf(text, sizeof(text), "%" PRId64, ifrom + (int64_t)i * istep);
        else
            mlp_spec_real_text(vals[i], text, sizeof(text));
        rc = axis_push(ax, mlp_node_scalar(text, false, r->file, r->line, r->col), err);
    }
    free(vals);
    return rc;
}

/* The path of a swept key: known and sweepable, else an error at the key
 * with a did-you-mean.  *parts (owned by the caller) on success. */
static mlp_status check_path(const mlp_node *key, mlp_path_part **parts, size_t *n_parts,
                             mlp_error *err)
{
    mlp_suggester s;
    bool empty;
    char buf[160];
    mlp_status rc;

    rc = mlp_path_split(key->text, key->file, key->line, key->col, false, parts, n_parts, &empty,
                        err);
    if (rc)
        return empty ? mlp_spec_fail(err, key, "sweep key '%s' has an empty part", key->text) : rc;
    for (size_t i = 0; mlp_spec_top_keys[i]; i++)
        if (!strcmp((*parts)[0].text, mlp_spec_top_keys[i])) {
            for (size_t j = 0; sweepable[j]; j++)
                if (!strcmp((*parts)[0].text, sweepable[j]))
                    return MLP_OK;
            return mlp_spec_fail(err, key,
                                 "'%s' cannot be swept (a sweep varies dataset, model, "
                                 "loss, train or record keys)",
                                 (*parts)[0].text);
        }
    mlp_suggest_init(&s, (*parts)[0].text);
    for (size_t j = 0; sweepable[j]; j++)
        mlp_suggest_try(&s, sweepable[j]);
    if (*n_parts == 1)
        for (size_t j = 0; sweep_settings[j]; j++)
            mlp_suggest_try(&s, sweep_settings[j]);
    return mlp_spec_fail(err, key, "sweep '%s' names unknown key '%s'%s", key->text,
                         (*parts)[0].text, mlp_suggest_text(&s, buf, sizeof(buf)));
}

/* The list (or range) of a grid or zipped key into ax->values. */
static mlp_status expand_list(const mlp_node *key, const mlp_node *list, mlp_sweep_axis *ax,
                              mlp_error *err)
{
    char buf[160];
    mlp_status rc;

    /* a range on its own stands for the list of its values */
    if (list->kind == MLP_NODE_MAP && mlp_node_get(list, "from"))
        return expand_range(list, ax, err);
    if (list->kind != MLP_NODE_SEQ)
        return mlp_spec_fail(err, list,
                             "sweep '%s' needs a list of values, e.g. [3, 5], a range "
                             "{from, to, step} or a distribution {distribution: uniform, low, "
                             "high}, got %s",
                             key->text, mlp_node_describe(list, buf, sizeof(buf)));
    if (list->n == 0)
        return mlp_spec_fail(err, list, "sweep '%s' has an empty list of values", key->text);
    for (size_t i = 0; i < list->n; i++) {
        const mlp_node *item = list->items[i];
        if (item->kind == MLP_NODE_MAP && mlp_node_get(item, "distribution"))
            return mlp_spec_fail(err, item,
                                 "sweep '%s': a distribution stands alone, not in a list",
                                 key->text);
        if (item->kind == MLP_NODE_MAP && mlp_node_get(item, "from"))
            rc = expand_range(item, ax, err);
        else
            rc = axis_push(ax, mlp_node_clone(item), err);
        if (rc)
            return rc;
    }
    return MLP_OK;
}

/* A real of a distribution, required. */
static mlp_status dist_real(const mlp_node *map, const char *key, const mlp_sweep_axis *ax,
                            double *out, mlp_error *err)
{
    const mlp_node *n = mlp_spec_get_opt(map, key);
    char name[300];

    if (!n)
        return mlp_spec_fail(err, map, "missing key '%s' in the distribution of sweep '%s'", key,
                             ax->path);
    snprintf(name, sizeof(name), "%s (sweep '%s')", key, ax->path);
    return mlp_spec_to_real(n, name, &mlp_spec_any_real, out, err);
}

/* A distribution {distribution: NAME, ...} into ax->dist; its values are
 * drawn later, once the number of samples is known. */
static mlp_status parse_dist(const mlp_node *map, mlp_sweep_axis *ax, mlp_error *err)
{
    const mlp_node *name = mlp_node_get(map, "distribution");
    mlp_dist *d = &ax->dist;
    mlp_suggester s;
    mlp_error sub;
    char buf[300];
    mlp_status rc;
    int kind = -1;

    ax->role = MLP_SWEEP_SAMPLED;
    ax->dist_node = map;
    if (name->kind == MLP_NODE_SCALAR && !mlp_scalar_is_null(name))
        for (int i = 0; dists[i]; i++)
            if (!strcmp(name->text, dists[i]))
                kind = i;
    if (kind < 0) {
        if (name->kind != MLP_NODE_SCALAR)
            return mlp_spec_wrong_type(name, "a distribution name", "distribution", err);
        mlp_suggest_init(&s, name->text);
        for (int i = 0; dists[i]; i++)
            mlp_suggest_try(&s, dists[i]);
        return mlp_spec_fail(err, name,
                             "unknown distribution '%s' for sweep '%s'%s (known: uniform, "
                             "log_uniform, int_uniform, normal, choice, constant)",
                             name->text, ax->path, mlp_suggest_text(&s, buf, sizeof(buf)));
    }
    snprintf(buf, sizeof(buf), "in the %s distribution of sweep '%s'", dists[kind], ax->path);
    if ((rc = mlp_spec_check_keys(map, buf, dist_keys[kind], NULL, err)))
        return rc;
    memset(d, 0, sizeof(*d));
    d->kind = (mlp_dist_kind)kind;
    switch (d->kind) {
    case MLP_DIST_UNIFORM:
    case MLP_DIST_LOG_UNIFORM:
    case MLP_DIST_INT_UNIFORM: {
        const mlp_node *lo = mlp_node_get(map, "low"), *hi = mlp_node_get(map, "high");
        int64_t iv;
        if ((rc = dist_real(map, "low", ax, &d->lo, err)) ||
            (rc = dist_real(map, "high", ax, &d->hi, err)))
            return rc;
        if (d->kind == MLP_DIST_INT_UNIFORM && !mlp_scalar_int(lo, &iv))
            return mlp_spec_fail(err, lo, "int_uniform of sweep '%s' needs an integer low, got %s",
                                 ax->path, lo->text);
        if (d->kind == MLP_DIST_INT_UNIFORM && !mlp_scalar_int(hi, &iv))
            return mlp_spec_fail(err, hi,
                                 "int_uniform of sweep '%s' needs an integer high, got %s",
                                 ax->path, hi->text);
        if (!(d->lo < d->hi))
            return mlp_spec_fail(err, hi,
                                 "the %s distribution of sweep '%s' needs low < high, got low "
                                 "%s, high %s",
                                 dists[kind], ax->path, lo->text, hi->text);
        if (d->kind == MLP_DIST_LOG_UNIFORM && !(d->lo > 0))
            return mlp_spec_fail(err, lo,
                                 "the log_uniform distribution of sweep '%s' needs low > 0 "
                                 "(a logarithm), got low %s",
                                 ax->path, lo->text);
        break;
    }
    case MLP_DIST_NORMAL:
        if ((rc = dist_real(map, "mean", ax, &d->mean, err)) ||
            (rc = dist_real(map, "std", ax, &d->std, err)))
            return rc;
        if (!(d->std > 0))
            return mlp_spec_fail(err, mlp_node_get(map, "std"),
                                 "the normal distribution of sweep '%s' needs std > 0, got %s",
                                 ax->path, mlp_node_get(map, "std")->text);
        break;
    case MLP_DIST_CHOICE: {
        const mlp_node *v = mlp_spec_get_opt(map, "values"), *w = mlp_spec_get_opt(map, "weights");
        if (!v)
            return mlp_spec_fail(err, map, "missing key 'values' in the choice of sweep '%s'",
                                 ax->path);
        if (v->kind != MLP_NODE_SEQ || v->n == 0)
            return mlp_spec_wrong_type(v, "a non-empty list of values", "values", err);
        d->n_choices = v->n;
        if (w) {
            if (w->kind != MLP_NODE_SEQ)
                return mlp_spec_wrong_type(w, "a list of weights, one per value", "weights",
                                           err);
            if (w->n != v->n)
                return mlp_spec_fail(err, w,
                                     "the choice of sweep '%s' has %zu value%s but %zu weight%s",
                                     ax->path, v->n, v->n == 1 ? "" : "s", w->n,
                                     w->n == 1 ? "" : "s");
            if (!(ax->weights = calloc(w->n, sizeof(*ax->weights))))
                return mlp_spec_nomem(err);
            mlp_bounds nonneg = {0, INFINITY, false, true};
            for (size_t i = 0; i < w->n; i++)
                if ((rc = mlp_spec_to_real(w->items[i], "weights", &nonneg, &ax->weights[i], err)))
                    return rc;
            d->weights = ax->weights;
        }
        break;
    }
    case MLP_DIST_CONSTANT:
        if (!mlp_node_get(map, "value"))
            return mlp_spec_fail(err, map, "missing key 'value' in the constant of sweep '%s'",
                                 ax->path);
        break;
    }
    if (mlp_dist_check(d, &sub))
        return mlp_spec_fail(err, map, "sweep '%s': %s", ax->path, sub.msg);
    return MLP_OK;
}

/* The value of a sampled key at unit coordinate u, as a node (taken by the
 * caller): a number at the distribution's mark, or a clone of the chosen
 * value or the constant. */
static mlp_node *draw_value(const mlp_sweep_axis *ax, double u)
{
    const mlp_node *m = ax->dist_node;
    double v = mlp_dist_quantile(&ax->dist, u);
    char text[64];

    switch (ax->dist.kind) {
    case MLP_DIST_CHOICE:
        return mlp_node_clone(mlp_node_get(m, "values")->items[(size_t)v]);
    case MLP_DIST_CONSTANT:
        return mlp_node_clone(mlp_node_get(m, "value"));
    case MLP_DIST_INT_UNIFORM:
        snprintf(text, sizeof(text), "%.0f", v);
        break;
    default:
        mlp_spec_real_text(v, text, sizeof(text));
        break;
    }
    return mlp_node_scalar(text, false, m->file, m->line, m->col);
}

/* Labels and numbers of a filled axis; the nesting cap holds at its path. */
static mlp_status finish_axis(mlp_sweep_axis *ax, mlp_error *err)
{
    mlp_path_part *parts = NULL;
    size_t n_parts = 0;
    bool empty;
    mlp_status rc;

    rc = mlp_path_split(ax->path, ax->key->file, ax->key->line, ax->key->col, false, &parts,
                        &n_parts, &empty, err);
    if (rc)
        return rc;
    /* each value goes at the key's path in every run: the nesting cap holds
     * there as in the file */
    for (size_t i = 0; i < ax->n; i++)
        if ((rc = mlp_path_check_depth(parts, n_parts, ax->values[i], err)))
            goto out;
    ax->labels = calloc(ax->n ? ax->n : 1, sizeof(*ax->labels));
    ax->num = calloc(ax->n ? ax->n : 1, sizeof(*ax->num));
    if (!ax->labels || !ax->num) {
        rc = mlp_spec_nomem(err);
        goto out;
    }
    ax->numeric = true;
    for (size_t i = 0; i < ax->n; i++) {
        ax->labels[i] = mlp_node_to_flow(ax->values[i]);
        if (!ax->labels[i]) {
            rc = mlp_spec_nomem(err);
            goto out;
        }
        if (!mlp_scalar_real(ax->values[i], &ax->num[i]))
            ax->numeric = false;
    }
    if (!ax->numeric) {
        free(ax->num);
        ax->num = NULL;
    }
out:
    mlp_path_parts_free(parts, n_parts);
    return rc;
}

/* Sweep entry `key: value` into ax: a list or range (a grid or zipped key)
 * or a distribution (a sampled key, values drawn later). */
static mlp_status expand_axis(const mlp_node *key, const mlp_node *list, mlp_sweep_axis *ax,
                              mlp_error *err)
{
    mlp_path_part *parts = NULL;
    size_t n_parts = 0;
    mlp_status rc;

    ax->key = key;
    ax->path = strdup(key->text);
    if (!ax->path)
        return mlp_spec_nomem(err);
    rc = check_path(key, &parts, &n_parts, err);
    mlp_path_parts_free(parts, n_parts);
    if (rc)
        return rc;
    if (list->kind == MLP_NODE_MAP && mlp_node_get(list, "distribution"))
        return parse_dist(list, ax, err);
    if ((rc = expand_list(key, list, ax, err)))
        return rc;
    return finish_axis(ax, err);
}

/* The key of spec's sweep mapping (NULL if absent). */
static const mlp_node *sweep_setting(const mlp_node *sw, const char *name)
{
    for (size_t i = 0; sw && sw->kind == MLP_NODE_MAP && i < sw->n; i++)
        if (!strcmp(sw->keys[i]->text, name))
            return sw->keys[i];
    return NULL;
}

/* A zip group (a mapping of keys to lists of equal length) into axes from
 * spec->axes[*a], all on plan axis dim. */
static mlp_status expand_zip(mlp_spec *spec, const mlp_node *group, size_t dim, size_t *a,
                             size_t *len, mlp_error *err)
{
    char buf[160];
    mlp_status rc;

    if (group->kind != MLP_NODE_MAP || group->n == 0)
        return mlp_spec_wrong_type(group, "a mapping of dotted keys to lists of equal length",
                                   "sweep.zip", err);
    for (size_t i = 0; i < group->n; i++) {
        mlp_sweep_axis *ax = &spec->axes[*a];
        const mlp_node *list = group->items[i];
        spec->n_axes = ++*a;
        if (list->kind == MLP_NODE_MAP && mlp_node_get(list, "distribution"))
            return mlp_spec_fail(err, list,
                                 "zipped key '%s' needs a list of values; a distribution goes "
                                 "directly under sweep",
                                 group->keys[i]->text);
        if (list->kind != MLP_NODE_SEQ && !(list->kind == MLP_NODE_MAP && mlp_node_get(list, "from")))
            return mlp_spec_fail(err, list, "zipped key '%s' needs a list of values, got %s",
                                 group->keys[i]->text, mlp_node_describe(list, buf, sizeof(buf)));
        if ((rc = expand_axis(group->keys[i], list, ax, err)))
            return rc;
        ax->role = MLP_SWEEP_ZIP;
        ax->dim = dim;
        ax->group = spec->n_zips;
        if (i == 0)
            *len = ax->n;
        else if (ax->n != *len)
            return mlp_spec_fail(err, list,
                                 "zipped lists must have equal lengths: '%s' has %zu value%s, "
                                 "'%s' has %zu",
                                 group->keys[i]->text, ax->n, ax->n == 1 ? "" : "s",
                                 group->keys[0]->text, *len);
    }
    for (size_t j = 0; j < spec->n_axes; j++)
        for (size_t i = *a - group->n; i < *a; i++)
            if (i != j && !strcmp(spec->axes[i].path, spec->axes[j].path))
                return mlp_spec_fail(err, spec->axes[i].key, "sweep key '%s' is given twice",
                                     spec->axes[i].path);
    spec->n_zips++;
    return MLP_OK;
}

/* Draw the sampled keys' values: for sample s, the unit point of the plan
 * (one coordinate per sampled key that is not a constant) through each
 * key's distribution. */
static mlp_status draw_samples(mlp_spec *spec, mlp_error *err)
{
    size_t n_dims = 0, N = spec->plan.samples;
    double u[MLP_PLAN_MAX_AXES];
    mlp_sobol sobol;
    mlp_error sub;
    mlp_status rc;

    for (size_t a = 0; a < spec->n_axes; a++)
        if (spec->axes[a].role == MLP_SWEEP_SAMPLED && spec->axes[a].dist.kind != MLP_DIST_CONSTANT)
            n_dims++;
    if (spec->plan.kind == MLP_PLAN_SOBOL &&
        mlp_sobol_init(&sobol, n_dims, 1, spec->seed, &sub))
        return mlp_spec_fail(err, NULL, "%s", sub.msg);
    for (size_t a = 0; a < spec->n_axes; a++) {
        mlp_sweep_axis *ax = &spec->axes[a];
        if (ax->role != MLP_SWEEP_SAMPLED)
            continue;
        if (!(ax->values = calloc(N, sizeof(*ax->values))))
            return mlp_spec_nomem(err);
        ax->cap = N;
    }
    for (size_t s = 0; s < N; s++) {
        size_t j = 0;
        mlp_plan_unit_point(&spec->plan, &sobol, s, n_dims, u);
        for (size_t a = 0; a < spec->n_axes; a++) {
            mlp_sweep_axis *ax = &spec->axes[a];
            if (ax->role != MLP_SWEEP_SAMPLED)
                continue;
            ax->values[s] = draw_value(ax, ax->dist.kind == MLP_DIST_CONSTANT ? 0.5 : u[j++]);
            if (!ax->values[s])
                return mlp_spec_nomem(err);
            ax->n = s + 1;
        }
    }
    for (size_t a = 0; a < spec->n_axes; a++)
        if (spec->axes[a].role == MLP_SWEEP_SAMPLED && (rc = finish_axis(&spec->axes[a], err)))
            return rc;
    return MLP_OK;
}

/* sweep.halving: {min_iterations, eta, metric, brackets} into spec->halving.
 * Every run gets train.iterations as its full budget, so that key may not
 * be swept. */
static mlp_status expand_halving(mlp_spec *spec, const mlp_node *sw, mlp_error *err)
{
    const mlp_node *h = mlp_spec_get_opt(sw && sw->kind == MLP_NODE_MAP ? sw : NULL, "halving");
    const mlp_node *train = mlp_spec_get_opt(spec->root, "train");
    size_t min_it, eta, brackets, max_it;
    int metric;
    mlp_error sub;
    mlp_status rc;

    if (!h)
        return MLP_OK;
    if (h->kind != MLP_NODE_MAP)
        return mlp_spec_wrong_type(h, "a mapping {min_iterations, eta, metric, brackets}",
                                   "sweep.halving", err);
    if ((rc = mlp_spec_check_keys(h, "in 'sweep.halving'", halving_keys, NULL, err)))
        return rc;
    if (!mlp_node_get(h, "min_iterations"))
        return mlp_spec_fail(err, h, "missing key 'min_iterations' in 'sweep.halving' (the "
                                     "budget of the first rung, in iterations)");
    for (size_t a = 0; a < spec->n_axes; a++)
        if (!strcmp(spec->axes[a].path, "train.iterations") || !strcmp(spec->axes[a].path, "train"))
            return mlp_spec_fail(err, spec->axes[a].key,
                                 "'%s' cannot be swept with sweep.halving: every run's full "
                                 "budget is train.iterations, the last rung",
                                 spec->axes[a].path);
    if (train && train->kind != MLP_NODE_MAP)
        train = NULL; /* reported when the runs are resolved */
    if ((rc = mlp_spec_get_size(h, "min_iterations", "sweep.halving.min_iterations", 1,
                                1000000000, 1, &min_it, err)) ||
        (rc = mlp_spec_get_size(h, "eta", "sweep.halving.eta", 2, 1000, 3, &eta, err)) ||
        (rc = mlp_spec_get_size(h, "brackets", "sweep.halving.brackets", 1,
                                MLP_HALVING_MAX_RUNGS, 1, &brackets, err)) ||
        (rc = mlp_spec_get_enum(h, "metric", "sweep.halving.metric", mlp_halving_metrics, 0,
                                &metric, err)) ||
        (rc = mlp_spec_get_size(train, "iterations", "train.iterations", 1, 1000000000, 1000,
                                &max_it, err)))
        return rc;
    if (mlp_halving_init(&spec->halving, min_it, eta, max_it, brackets,
                         (mlp_halving_metric)metric, &sub)) {
        const mlp_node *at = mlp_node_get(h, "min_iterations");
        if (strstr(sub.msg, "brackets"))
            at = mlp_node_get(h, "brackets");
        return mlp_spec_fail(err, at, "sweep.%s", sub.msg);
    }
    spec->halving_node = h;
    return MLP_OK;
}

size_t mlp_spec_value_index(const mlp_spec *spec, size_t a, const mlp_plan_run *r)
{
    const mlp_sweep_axis *ax = &spec->axes[a];
    return ax->role == MLP_SWEEP_SAMPLED ? r->sample : r->value[ax->dim];
}

bool mlp_spec_is_grid(const mlp_spec *spec)
{
    return spec->plan.kind == MLP_PLAN_GRID && spec->n_zips == 0 &&
           spec->plan.n_axes == spec->n_axes;
}

mlp_status mlp_spec_expand_sweep(mlp_spec *spec, mlp_error *err)
{
    const mlp_node *sw = mlp_spec_get_opt(spec->root, "sweep");
    const mlp_node *ksamples = sweep_setting(sw, "samples"), *kmethod = sweep_setting(sw, "method");
    size_t lens[MLP_PLAN_MAX_AXES], n_dims = 0, n_keys = 0, a = 0;
    const mlp_node *first_sampled = NULL;
    int64_t samples = 0;
    int method = 0;
    mlp_error sub;
    mlp_status rc;

    if (sw && sw->kind != MLP_NODE_MAP)
        return mlp_spec_wrong_type(sw, "a mapping of dotted keys to lists of values", "sweep", err);
    /* swept keys: every entry but the settings, a zip group's keys each */
    for (size_t i = 0; sw && i < sw->n; i++) {
        const mlp_node *v = sw->items[i];
        if (!strcmp(sw->keys[i]->text, "samples") || !strcmp(sw->keys[i]->text, "method") ||
            !strcmp(sw->keys[i]->text, "halving"))
            continue;
        if (!strcmp(sw->keys[i]->text, "zip")) {
            if (v->kind == MLP_NODE_MAP)
                n_keys += v->n;
            else if (v->kind == MLP_NODE_SEQ)
                for (size_t g = 0; g < v->n; g++)
                    n_keys += v->items[g]->kind == MLP_NODE_MAP ? v->items[g]->n : 0;
            else
                return mlp_spec_wrong_type(v, "a mapping of dotted keys to lists of equal length "
                                           "(a zip group), or a list of them", "sweep.zip", err);
            continue;
        }
        n_keys++;
    }
    if (n_keys > MLP_PLAN_MAX_AXES)
        return mlp_spec_fail(err, sw, "more than %d swept keys", MLP_PLAN_MAX_AXES);
    if (n_keys) {
        spec->axes = calloc(n_keys, sizeof(*spec->axes));
        if (!spec->axes)
            return mlp_spec_nomem(err);
    }
    for (size_t i = 0; sw && i < sw->n; i++) {
        const mlp_node *key = sw->keys[i], *v = sw->items[i];
        if (key == ksamples || key == kmethod || !strcmp(key->text, "halving"))
            continue;
        if (!strcmp(key->text, "zip")) {
            const mlp_node *const *groups = v->kind == MLP_NODE_SEQ ? (const mlp_node *const *)v->items : &v;
            size_t n_groups = v->kind == MLP_NODE_SEQ ? v->n : 1;
            if (n_groups == 0)
                return mlp_spec_fail(err, v, "sweep.zip has no group");
            for (size_t g = 0; g < n_groups; g++) {
                if ((rc = expand_zip(spec, groups[g], n_dims, &a, &lens[n_dims], err)))
                    return rc;
                n_dims++;
            }
            continue;
        }
        spec->n_axes = ++a;
        if ((rc = expand_axis(key, v, &spec->axes[a - 1], err)))
            return rc;
        for (size_t j = 0; j + 1 < a; j++)
            if (!strcmp(spec->axes[j].path, key->text))
                return mlp_spec_fail(err, key, "sweep key '%s' is given twice", key->text);
        if (spec->axes[a - 1].role == MLP_SWEEP_SAMPLED) {
            spec->n_sampled++;
            if (!first_sampled)
                first_sampled = key;
            continue;
        }
        spec->axes[a - 1].dim = n_dims;
        lens[n_dims++] = spec->axes[a - 1].n;
    }
    for (size_t j = 0; j < spec->n_axes; j++)
        if (!strcmp(spec->axes[j].path, "dataset") || !strncmp(spec->axes[j].path, "dataset.", 8))
            spec->dataset_swept = true;
    if (mlp_plan_init(&spec->plan, lens, n_dims, spec->repeats, spec->seed, spec->max_runs, &sub))
        return mlp_spec_fail(err, sw ? sw : spec->root, "%s (raise max_runs to allow more)",
                             sub.msg);
    /* random or Sobol search: the samples, the method, the draws */
    if (first_sampled && !ksamples)
        return mlp_spec_fail(err, first_sampled,
                             "sweep '%s' has a distribution, so the sweep needs 'samples' (how "
                             "many points to draw, e.g. samples: 20)",
                             first_sampled->text);
    if (kmethod && !ksamples)
        return mlp_spec_fail(err, kmethod,
                             "sweep.method goes with sweep.samples (a random or Sobol search)");
    if (!ksamples)
        return expand_halving(spec, sw, err);
    if ((rc = mlp_spec_to_int(mlp_node_get(sw, "samples"), "sweep.samples", 1, MLP_SPEC_MAX_RUNS,
                              &samples, err)))
        return rc;
    if (!first_sampled)
        return mlp_spec_fail(err, ksamples,
                             "sweep.samples needs a key with a distribution to draw, e.g. "
                             "train.l2: {distribution: log_uniform, low: 1e-5, high: 1e-2}");
    if (kmethod && (rc = mlp_spec_to_enum(mlp_node_get(sw, "method"), "sweep.method", methods,
                                          &method, err)))
        return rc;
    if (mlp_plan_sample(&spec->plan, method == 1 ? MLP_PLAN_SOBOL : MLP_PLAN_RANDOM,
                        (size_t)samples, spec->max_runs, &sub))
        return mlp_spec_fail(err, mlp_node_get(sw, "samples"), "%s (raise max_runs to allow more)",
                             sub.msg);
    if ((rc = draw_samples(spec, err)))
        return rc;
    return expand_halving(spec, sw, err);
}

/* Every sweep is a grid today: the plan is the Cartesian product of the
 * axes.  A search kind that is not (zipped, sampled) answers false here. */
bool mlp_spec_grid(const mlp_spec *spec)
{
    return spec->plan.n_axes == spec->n_axes;
}
