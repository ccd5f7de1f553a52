/* bind.c -- plugin references in a spec: a name or {plugin: name, params},
 * found in the registry, their parameters checked against the plugin's
 * declarations and bound (file paths relative to the spec's folder). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "spec/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mlp_plugin_use_free(mlp_plugin_use *u)
{
    if (u->params && u->plugin)
        for (uint32_t i = 0; i < u->plugin->h->n_params; i++)
            free((char *)u->params[i].str);
    free(u->params);
    u->params = NULL;
    u->plugin = NULL;
}

/* A file path given in a spec is relative to the spec's folder (one given
 * with --set, to the working directory).  malloc'd. */
char *mlp_spec_file_path(const char *path, const char *spec_file)
{
    const char *slash = spec_file ? strrchr(spec_file, '/') : NULL;
    mlp_sb sb = {0};
    char *joined, *real;

    if (path[0] == '/' || !spec_file || !strcmp(spec_file, mlp_spec_set_file))
        joined = strdup(path);
    else if (!slash)
        joined = strdup(path);  /* the spec is in the working directory */
    else {
        mlp_sb_printf(&sb, "%.*s/%s", (int)(slash - spec_file), spec_file, path);
        joined = mlp_sb_take(&sb);
    }
    /* absolute and canonical when the file exists, so that the same spec run
     * from another working directory names (and hashes) the same file */
    if (joined && (real = realpath(joined, NULL))) {
        free(joined);
        return real;
    }
    return joined;
}

/* Every parameter of pl at its default, string defaults copied: the config
 * owns its strings. */
static mlp_status bind_defaults(const mlp_plugin *pl, mlp_param_value *vals, mlp_error *err)
{
    const mlp_plugin_header *h = pl->h;

    mlp_plugin_param_defaults(pl, vals);
    for (uint32_t i = 0; i < h->n_params; i++)
        vals[i].str = NULL;
    for (uint32_t i = 0; i < h->n_params; i++) {
        if (h->params[i].type == MLP_PARAM_STRING && h->params[i].def_str &&
            !(vals[i].str = strdup(h->params[i].def_str)))
            return mlp_spec_nomem(err);
    }
    return MLP_OK;
}

/* Is `key` of a reference's map one the host reads ("plugin", or in host)? */
static bool host_key(const char *key, const char *const *host)
{
    bool is_host = !strcmp(key, "plugin");

    for (size_t j = 0; host && host[j]; j++)
        is_host = is_host || !strcmp(key, host[j]);
    return is_host;
}

/* The error for `key` (at knode), which names no parameter of pl: a near
 * name when there is one, else the parameters pl takes. */
static mlp_status unknown_param(const mlp_node *knode, const mlp_plugin *pl, const char *name,
                                const char *const *host, mlp_error *err)
{
    const mlp_plugin_header *h = pl->h;
    const char *key = knode->text;
    char buf[512], where[300];
    mlp_suggester s;
    size_t used = 0;

    mlp_suggest_init(&s, key);
    for (uint32_t i = 0; i < h->n_params; i++)
        mlp_suggest_try(&s, h->params[i].name);
    for (size_t j = 0; host && host[j]; j++)
        mlp_suggest_try(&s, host[j]);
    if (s.best[0])
        return mlp_spec_fail(err, knode, "unknown key '%s' in '%s'%s", key, name,
                             mlp_suggest_text(&s, buf, sizeof(buf)));
    where[0] = '\0';
    for (uint32_t i = 0; i < h->n_params && used < sizeof(where); i++)
        used += (size_t)snprintf(where + used, sizeof(where) - used, "%s%s", i ? ", " : "",
                                 h->params[i].name);
    if (!h->n_params)
        return mlp_spec_fail(err, knode,
                             "unknown key '%s' in '%s' (%s plugin '%s' takes no "
                             "parameters)", key, name, mlp_kind_name(pl->kind), h->name);
    return mlp_spec_fail(err, knode, "unknown key '%s' in '%s' (%s plugin '%s' takes: %s)", key,
                         name, mlp_kind_name(pl->kind), h->name, where);
}

/* The value v (not null) of parameter d into *val; `full` is its path. */
static mlp_status bind_value(const mlp_param_decl *d, const mlp_node *v, const char *full,
                             mlp_param_value *val, mlp_error *err)
{
    mlp_status rc = MLP_OK;

    switch (d->type) {
    case MLP_PARAM_REAL: {
        mlp_bounds b = {d->min, d->max, false, false};
        rc = mlp_spec_to_real(v, full, &b, &val->num, err);
        break;
    }
    case MLP_PARAM_INT: {
        int64_t iv = 0;
        double lo = d->min, hi = d->max;
        rc = mlp_spec_to_int(v, full, lo > -9.2e18 ? (int64_t)ceil(lo) : INT64_MIN,
                             hi < 9.2e18 ? (int64_t)floor(hi) : INT64_MAX, &iv, err);
        val->num = (double)iv;
        break;
    }
    case MLP_PARAM_BOOL: {
        bool bv = false;
        rc = mlp_spec_to_bool(v, full, &bv, err);
        val->num = bv;
        break;
    }
    case MLP_PARAM_ENUM: {
        /* choices "a|b|c" into a word list */
        char words[512], *p = words;
        const char *list[33];
        int n = 0, pick = 0;
        snprintf(words, sizeof(words), "%s", d->choices ? d->choices : "");
        while (n < 32) {
            list[n++] = p;
            p = strchr(p, '|');
            if (!p)
                break;
            *p++ = '\0';
        }
        list[n] = NULL;
        rc = mlp_spec_to_enum(v, full, list, &pick, err);
        val->num = pick;
        break;
    }
    case MLP_PARAM_STRING: {
        const char *s = NULL;
        rc = mlp_spec_to_string(v, full, &s, err);
        if (rc == MLP_OK) {
            free((char *)val->str);
            if (!strcmp(d->name, "path"))
                val->str = mlp_spec_file_path(s, v->file);
            else
                val->str = strdup(s);
            if (!val->str)
                rc = mlp_spec_nomem(err);
        }
        break;
    }
    }
    return rc;
}

/* The parameters of pl from the map (NULL: all defaults); `host` lists keys
 * of the map that belong to the host, `name` is the reference's path. */
static mlp_status bind_params(const mlp_node *map, const mlp_node *place, const mlp_plugin *pl,
                              const char *name, const char *const *host, mlp_param_value *vals,
                              mlp_error *err)
{
    const mlp_plugin_header *h = pl->h;
    char full[256];
    mlp_status rc;

    if ((rc = bind_defaults(pl, vals, err)))
        return rc;
    for (size_t k = 0; map && k < map->n; k++) {
        const char *key = map->keys[k]->text;
        const mlp_node *v = map->items[k];
        int idx;

        if (host_key(key, host))
            continue;
        idx = mlp_plugin_param_index(pl, key);
        if (idx < 0)
            return unknown_param(map->keys[k], pl, name, host, err);
        snprintf(full, sizeof(full), "%s.%s", name, key);
        if (mlp_scalar_is_null(v))
            continue; /* null: the default */
        if ((rc = bind_value(&h->params[idx], v, full, &vals[idx], err)))
            return rc;
    }
    for (uint32_t i = 0; i < h->n_params; i++)
        if (h->params[i].type == MLP_PARAM_STRING && !vals[i].str)
            return mlp_spec_fail(err, place, "missing key '%s' in '%s' (%s plugin '%s' needs it)",
                                 h->params[i].name, name, mlp_kind_name(pl->kind), h->name);
    return MLP_OK;
}

/* A plugin reference at `ref` (NULL: absent, then `def` or an error placed
 * at `owner`): a name, or {plugin: name, params...}. */
mlp_status mlp_spec_resolve_plugin(const mlp_node *ref, const mlp_node *owner, mlp_plugin_kind kind,
                                   const char *name, const char *def, const char *const *host,
                                   mlp_registry *reg, mlp_plugin_use *use, mlp_error *err)
{
    const mlp_node *place = ref ? ref : owner, *map = NULL;
    const char *pname = def;
    const mlp_plugin *pl;
    mlp_error sub;
    mlp_status rc;

    if (ref && ref->kind == MLP_NODE_MAP) {
        const mlp_node *p = mlp_spec_get_opt(ref, "plugin");
        map = ref;
        if (!p)
            return mlp_spec_fail(err, ref, "missing key 'plugin' in '%s'", name);
        if (p->kind != MLP_NODE_SCALAR)
            return mlp_spec_wrong_type(p, "a plugin name", name, err);
        pname = p->text;
        place = p;
    } else if (ref) {
        if (ref->kind != MLP_NODE_SCALAR || (!ref->quoted && !mlp_scalar_is_null(ref) &&
                                              ref->text[0] >= '0' && ref->text[0] <= '9'))
            return mlp_spec_wrong_type(ref, "a plugin name or {plugin: name, ...}", name, err);
        pname = ref->text;
    }
    if (!pname)
        return mlp_spec_fail(err, owner, "missing required key '%s'", name);
    mlp_error_clear(&sub);
    if (mlp_registry_get(reg, kind, pname, &pl, &sub)) {
        /* the registry's reason names the plugin and suggests a near name */
        if (strstr(sub.msg, pname))
            return mlp_spec_fail(err, place, "%s", sub.msg);
        return mlp_spec_fail(err, place, "%s plugin '%s': %s", mlp_kind_name(kind), pname, sub.msg);
    }
    use->plugin = pl;
    use->params = calloc(pl->h->n_params ? pl->h->n_params : 1, sizeof(*use->params));
    if (!use->params)
        return mlp_spec_nomem(err);
    rc = bind_params(map, place, pl, name, host, use->params, err);
    return rc;
}
