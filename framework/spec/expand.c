/* expand.c -- sweep expansion: each sweep key's list (or range) of values
 * into an axis with labels and numbers, and the axes into the plan. */
#include "spec/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sweepable[] = {"dataset", "model", "loss", "train", "record", NULL};
static const char *const range_keys[] = {"from", "to", "step", "num", "scale", NULL};
static const char *const scales[] = {"linear", "log", NULL};

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

/* Sweep entry `key: list` into ax (path, values, labels, numbers). */
static mlp_status expand_axis(const mlp_node *key, const mlp_node *list, mlp_sweep_axis *ax,
                              mlp_error *err)
{
    mlp_path_part *parts = NULL;
    size_t n_parts = 0;
    bool empty;
    mlp_status rc;
    mlp_suggester s;
    char buf[160];

    ax->key = key;
    ax->path = strdup(key->text);
    if (!ax->path)
        return mlp_spec_nomem(err);
    rc = mlp_path_split(key->text, key->file, key->line, key->col, false, &parts, &n_parts, &empty,
                        err);
    if (rc)
        return empty ? mlp_spec_fail(err, key, "sweep key '%s' has an empty part", key->text) : rc;
    for (size_t i = 0; mlp_spec_top_keys[i]; i++)
        if (!strcmp(parts[0].text, mlp_spec_top_keys[i])) {
            bool ok = false;
            for (size_t j = 0; sweepable[j]; j++)
                ok = ok || !strcmp(parts[0].text, sweepable[j]);
            if (!ok) {
                rc = mlp_spec_fail(err, key,
                                   "'%s' cannot be swept (a sweep varies dataset, model, "
                                   "loss, train or record keys)",
                                   parts[0].text);
                goto out;
            }
            goto known;
        }
    mlp_suggest_init(&s, parts[0].text);
    for (size_t j = 0; sweepable[j]; j++)
        mlp_suggest_try(&s, sweepable[j]);
    rc = mlp_spec_fail(err, key, "sweep '%s' names unknown key '%s'%s", key->text, parts[0].text,
                       mlp_suggest_text(&s, buf, sizeof(buf)));
    goto out;
known:
    /* a range on its own stands for the list of its values */
    if (list->kind == MLP_NODE_MAP && mlp_node_get(list, "from")) {
        rc = expand_range(list, ax, err);
        if (rc)
            goto out;
        goto labels;
    }
    if (list->kind != MLP_NODE_SEQ) {
        rc = mlp_spec_fail(err, list,
                           "sweep '%s' needs a list of values, e.g. [3, 5], or a range "
                           "{from, to, step}, got %s",
                           key->text, mlp_node_describe(list, buf, sizeof(buf)));
        goto out;
    }
    if (list->n == 0) {
        rc = mlp_spec_fail(err, list, "sweep '%s' has an empty list of values", key->text);
        goto out;
    }
    for (size_t i = 0; i < list->n; i++) {
        const mlp_node *item = list->items[i];
        if (item->kind == MLP_NODE_MAP && mlp_node_get(item, "from"))
            rc = expand_range(item, ax, err);
        else
            rc = axis_push(ax, mlp_node_clone(item), err);
        if (rc)
            goto out;
    }
labels:
    /* each value goes at the key's path in every run: the nesting cap holds
     * there as in the file */
    for (size_t i = 0; i < ax->n; i++)
        if ((rc = mlp_path_check_depth(parts, n_parts, ax->values[i], err)))
            goto out;
    ax->labels = calloc(ax->n, sizeof(*ax->labels));
    ax->num = calloc(ax->n, sizeof(*ax->num));
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

mlp_status mlp_spec_expand_sweep(mlp_spec *spec, mlp_error *err)
{
    const mlp_node *sw = mlp_spec_get_opt(spec->root, "sweep");
    size_t lens[MLP_PLAN_MAX_AXES];
    mlp_error sub;
    mlp_status rc;

    if (sw && sw->kind != MLP_NODE_MAP)
        return mlp_spec_wrong_type(sw, "a mapping of dotted keys to lists of values", "sweep", err);
    if (sw && sw->n > MLP_PLAN_MAX_AXES)
        return mlp_spec_fail(err, sw->keys[MLP_PLAN_MAX_AXES], "more than %d sweep keys",
                             MLP_PLAN_MAX_AXES);
    if (sw && sw->n) {
        spec->axes = calloc(sw->n, sizeof(*spec->axes));
        if (!spec->axes)
            return mlp_spec_nomem(err);
        for (size_t i = 0; i < sw->n; i++) {
            spec->n_axes = i + 1;
            rc = expand_axis(sw->keys[i], sw->items[i], &spec->axes[i], err);
            if (rc)
                return rc;
            lens[i] = spec->axes[i].n;
            if (!strcmp(spec->axes[i].path, "dataset") ||
                !strncmp(spec->axes[i].path, "dataset.", 8))
                spec->dataset_swept = true;
        }
    }
    if (mlp_plan_init(&spec->plan, lens, spec->n_axes, spec->repeats, spec->seed,
                      spec->max_runs, &sub))
        return mlp_spec_fail(err, sw ? sw : spec->root, "%s (raise max_runs to allow more)",
                             sub.msg);
    return MLP_OK;
}

/* Every sweep is a grid today: the plan is the Cartesian product of the
 * axes.  A search kind that is not (zipped, sampled) answers false here. */
bool mlp_spec_grid(const mlp_spec *spec)
{
    return spec->plan.n_axes == spec->n_axes;
}
