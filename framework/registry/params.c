/* params.c -- parameter declarations: the check of a plugin's declaration
 * table, a parameter's index by name, and the defaults. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "registry/internal.h"

static bool is_integral(double d)
{
    /* within +-2^53 every integer is exact, so the cast round-trips */
    return d >= -9007199254740992.0 && d <= 9007199254740992.0 && d == (double)(int64_t)d;
}

/* Number of choices in a well-formed "a|b|c" list (items non-empty, made of
 * [A-Za-z0-9_.+-], no item twice), or 0 with the reason in why. */
static size_t enum_count(const char *choices, char *why, size_t len)
{
    size_t count = 0;
    const char *p = choices;

    if (!choices || !*choices) {
        snprintf(why, len, "an enum needs a non-empty choices list such as \"mean|sum\"");
        return 0;
    }
    for (;;) {
        const char *end = p;
        while (*end && *end != '|') {
            char c = *end;
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '+' || c == '-')) {
                snprintf(why, len, "choices \"%s\" contain the character '%c'", choices, c);
                return 0;
            }
            end++;
        }
        if (end == p) {
            snprintf(why, len, "choices \"%s\" contain an empty choice", choices);
            return 0;
        }
        /* the same item earlier in the list? */
        for (const char *q = choices; q < p;) {
            const char *qe = strchr(q, '|');
            if ((size_t)(qe - q) == (size_t)(end - p) && memcmp(q, p, (size_t)(end - p)) == 0) {
                snprintf(why, len, "choices \"%s\" list '%.*s' twice", choices, (int)(end - p), p);
                return 0;
            }
            q = qe + 1;
        }
        count++;
        if (!*end)
            return count;
        p = end + 1;
    }
}

/* Why declaration d (index i of h) is wrong, into why; false when it is fine. */
static bool param_bad(const mlp_plugin_header *h, uint32_t i, char *why, size_t len)
{
    const mlp_param_decl *d = &h->params[i];
    size_t count;

    if (!d->name) {
        snprintf(why, len, "no name");
        return true;
    }
    if (!mlp_name_valid(d->name)) {
        snprintf(why, len, "bad name: a parameter name is [a-z][a-z0-9_]*, at most %d characters",
                 MAX_NAME);
        return true;
    }
    if (!strcmp(d->name, "plugin") || !strcmp(d->name, "train") || !strcmp(d->name, "test")) {
        snprintf(why, len, "the name '%s' is reserved by the spec", d->name);
        return true;
    }
    for (uint32_t j = 0; j < i; j++) {
        if (h->params[j].name && !strcmp(h->params[j].name, d->name)) {
            snprintf(why, len, "duplicate name: also declared as parameter %u", (unsigned)j);
            return true;
        }
    }
    if (!d->help || !*d->help) {
        snprintf(why, len, "no help text");
        return true;
    }
    switch (d->type) {
    case MLP_PARAM_REAL:
    case MLP_PARAM_INT:
        if (!isfinite(d->min) || !isfinite(d->max) || !isfinite(d->def)) {
            snprintf(why, len, "default and bounds must be finite (default %g, min %g, max %g)",
                     d->def, d->min, d->max);
            return true;
        }
        if (d->min > d->max) {
            snprintf(why, len, "min %g > max %g", d->min, d->max);
            return true;
        }
        if (d->def < d->min || d->def > d->max) {
            snprintf(why, len, "default %g outside [%g, %g]", d->def, d->min, d->max);
            return true;
        }
        if (d->type == MLP_PARAM_INT && !is_integral(d->def)) {
            snprintf(why, len, "default %g of an int parameter is not an integer", d->def);
            return true;
        }
        return false;
    case MLP_PARAM_BOOL:
        if (d->def != 0.0 && d->def != 1.0) {
            snprintf(why, len, "default of a bool parameter must be 0 or 1, not %g", d->def);
            return true;
        }
        return false;
    case MLP_PARAM_ENUM:
        count = enum_count(d->choices, why, len);
        if (!count)
            return true;
        if (!is_integral(d->def) || d->def < 0 || d->def >= (double)count) {
            snprintf(why, len, "default index %g is not one of the %zu choices \"%s\"", d->def,
                     count, d->choices);
            return true;
        }
        return false;
    case MLP_PARAM_STRING:
        return false;
    }
    snprintf(why, len, "unknown type %d", (int)d->type);
    return true;
}

mlp_status mlp_plugin_check_params(const mlp_plugin_header *h, const char *file, mlp_error *err)
{
    char why[512];
    const char *f = file ? file : "(descriptor)";

    if (h->n_params > MLP_MAX_PARAMS)
        return mlp_fail(err, MLP_ERR_PLUGIN,
                        "plugin %s: bad parameter declaration: %u parameters, at most %d allowed",
                        f, (unsigned)h->n_params, MLP_MAX_PARAMS);
    if (h->n_params && !h->params)
        return mlp_fail(err, MLP_ERR_PLUGIN,
                        "plugin %s: bad parameter declaration: %u parameters declared but the "
                        "table is NULL",
                        f, (unsigned)h->n_params);
    for (uint32_t i = 0; i < h->n_params; i++) {
        if (!param_bad(h, i, why, sizeof(why)))
            continue;
        if (h->params[i].name)
            return mlp_fail(err, MLP_ERR_PLUGIN,
                            "plugin %s: bad parameter declaration: parameter %u '%.*s': %s", f,
                            (unsigned)i, MAX_NAME + 1, h->params[i].name, why);
        return mlp_fail(err, MLP_ERR_PLUGIN,
                        "plugin %s: bad parameter declaration: parameter %u: %s", f, (unsigned)i,
                        why);
    }
    return MLP_OK;
}

int mlp_plugin_param_index(const mlp_plugin *pl, const char *key)
{
    for (uint32_t i = 0; i < pl->h->n_params; i++)
        if (!strcmp(pl->h->params[i].name, key))
            return (int)i;
    return -1;
}

void mlp_plugin_param_defaults(const mlp_plugin *pl, mlp_param_value *vals)
{
    for (uint32_t i = 0; i < pl->h->n_params; i++) {
        const mlp_param_decl *d = &pl->h->params[i];
        if (d->type == MLP_PARAM_STRING) {
            vals[i].num = 0;
            vals[i].str = d->def_str;
        } else {
            vals[i].num = d->def;
            vals[i].str = NULL;
        }
    }
}
