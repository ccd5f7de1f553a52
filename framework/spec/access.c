/* access.c -- typed access to the tree with messages: integers, reals in
 * bounds, booleans, words from a list, strings, sections and unknown keys,
 * each refusal placed at the node and saying what was expected. */
#include "spec/internal.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a node is, for "got ..." in messages. */
const char *mlp_node_describe(const mlp_node *n, char *buf, size_t len)
{
    if (n->kind == MLP_NODE_MAP)
        return "a mapping";
    if (n->kind == MLP_NODE_SEQ)
        return "a list";
    if (mlp_scalar_is_null(n))
        return "nothing (null)";
    if (n->quoted)
        snprintf(buf, len, "the string \"%.80s\" (quoted scalars are strings)", n->text);
    else
        snprintf(buf, len, "'%.80s'", n->text);
    return buf;
}

mlp_status mlp_spec_wrong_type(const mlp_node *n, const char *expected, const char *name,
                               mlp_error *err)
{
    char buf[160];

    return mlp_spec_fail(err, n, "expected %s for '%s', got %s", expected, name,
                         mlp_node_describe(n, buf, sizeof(buf)));
}

/* Unknown keys of `map`: known (and extra, may be NULL) list what is allowed;
 * `where` completes "unknown key 'k' ..." (e.g. "in 'train'"). */
mlp_status mlp_spec_check_keys(const mlp_node *map, const char *where, const char *const *known,
                               const char *const *extra, mlp_error *err)
{
    for (size_t i = 0; i < map->n; i++) {
        const char *k = map->keys[i]->text;
        bool found = false;
        mlp_suggester s;
        char buf[160];

        for (size_t j = 0; known[j] && !found; j++)
            found = !strcmp(k, known[j]);
        for (size_t j = 0; extra && extra[j] && !found; j++)
            found = !strcmp(k, extra[j]);
        if (found)
            continue;
        mlp_suggest_init(&s, k);
        for (size_t j = 0; known[j]; j++)
            mlp_suggest_try(&s, known[j]);
        for (size_t j = 0; extra && extra[j]; j++)
            mlp_suggest_try(&s, extra[j]);
        return mlp_spec_fail(err, map->keys[i], "unknown key '%s' %s%s", k, where,
                             mlp_suggest_text(&s, buf, sizeof(buf)));
    }
    return MLP_OK;
}

/* Value of key in map, or NULL when map is NULL, the key is absent, or null. */
const mlp_node *mlp_spec_get_opt(const mlp_node *map, const char *key)
{
    const mlp_node *n = map ? mlp_node_get(map, key) : NULL;

    return n && !mlp_scalar_is_null(n) ? n : NULL;
}

/* A section that must be a mapping when given: *out is NULL when absent. */
mlp_status mlp_spec_get_section(const mlp_node *map, const char *key, const char *name,
                                const mlp_node **out, mlp_error *err)
{
    const mlp_node *n = mlp_spec_get_opt(map, key);

    *out = NULL;
    if (n && n->kind != MLP_NODE_MAP)
        return mlp_spec_wrong_type(n, "a mapping", name, err);
    *out = n;
    return MLP_OK;
}

mlp_status mlp_spec_to_int(const mlp_node *n, const char *name, int64_t min, int64_t max,
                           int64_t *out, mlp_error *err)
{
    int64_t v;

    if (!mlp_scalar_int(n, &v))
        return mlp_spec_wrong_type(n, "an integer", name, err);
    if (v < min || v > max) {
        if (max == INT64_MAX)
            return mlp_spec_fail(err, n, "'%s' must be >= %" PRId64 ", got %s", name, min, n->text);
        return mlp_spec_fail(err, n, "'%s' must be between %" PRId64 " and %" PRId64 ", got %s",
                             name, min, max, n->text);
    }
    *out = v;
    return MLP_OK;
}

mlp_status mlp_spec_get_int(const mlp_node *map, const char *key, const char *name, int64_t min,
                            int64_t max, int64_t def, int64_t *out, mlp_error *err)
{
    const mlp_node *n = mlp_spec_get_opt(map, key);

    if (!n) {
        *out = def;
        return MLP_OK;
    }
    return mlp_spec_to_int(n, name, min, max, out, err);
}

mlp_status mlp_spec_get_size(const mlp_node *map, const char *key, const char *name, int64_t min,
                             int64_t max, int64_t def, size_t *out, mlp_error *err)
{
    int64_t v;
    mlp_status rc = mlp_spec_get_int(map, key, name, min, max, def, &v, err);

    if (rc == MLP_OK)
        *out = (size_t)v;
    return rc;
}

const mlp_bounds mlp_spec_any_real = {-INFINITY, INFINITY, false, false};

static bool in_bounds(double v, const mlp_bounds *b)
{
    if (b->lo_open ? !(v > b->lo) : !(v >= b->lo))
        return false;
    return b->hi_open ? v < b->hi : v <= b->hi;
}

/* Shortest %g text that reads back as exactly v (finite v). */
static void short_g(double v, char *buf, size_t len)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

static void bounds_text(const mlp_bounds *b, char *buf, size_t len)
{
    bool lo = isfinite(b->lo) && b->lo > -DBL_MAX, hi = isfinite(b->hi) && b->hi < DBL_MAX;
    char l[32], h[32];

    short_g(b->lo, l, sizeof(l));
    short_g(b->hi, h, sizeof(h));
    if (lo && hi)
        snprintf(buf, len, "in %c%s, %s%c", b->lo_open ? '(' : '[', l, h, b->hi_open ? ')' : ']');
    else if (lo)
        snprintf(buf, len, "%s %s", b->lo_open ? ">" : ">=", l);
    else if (hi)
        snprintf(buf, len, "%s %s", b->hi_open ? "<" : "<=", h);
    else
        snprintf(buf, len, "a number");
}

/* A real in bounds; non-finite values only where an infinite bound allows. */
mlp_status mlp_spec_to_real(const mlp_node *n, const char *name, const mlp_bounds *b, double *out,
                            mlp_error *err)
{
    double v;
    char bt[96];

    if (!mlp_scalar_real(n, &v))
        return mlp_spec_wrong_type(n, "a number", name, err);
    if (isnan(v) || (isinf(v) && !(isinf(b->lo) && v < 0) && !(isinf(b->hi) && v > 0)) ||
        (isinf(v) && b == &mlp_spec_any_real))
        return mlp_spec_fail(err, n, "'%s' must be a finite number, got %s", name, n->text);
    if (!in_bounds(v, b)) {
        bounds_text(b, bt, sizeof(bt));
        return mlp_spec_fail(err, n, "'%s' must be %s, got %s", name, bt, n->text);
    }
    *out = v;
    return MLP_OK;
}

mlp_status mlp_spec_get_real(const mlp_node *map, const char *key, const char *name, mlp_bounds b,
                             double def, double *out, mlp_error *err)
{
    const mlp_node *n = mlp_spec_get_opt(map, key);

    if (!n) {
        *out = def;
        return MLP_OK;
    }
    /* the spec's own reals are always finite */
    if (!isfinite(b.lo))
        b.lo = -DBL_MAX;
    if (!isfinite(b.hi))
        b.hi = DBL_MAX;
    return mlp_spec_to_real(n, name, &b, out, err);
}

mlp_status mlp_spec_to_bool(const mlp_node *n, const char *name, bool *out, mlp_error *err)
{
    if (!mlp_scalar_bool(n, out))
        return mlp_spec_wrong_type(n, "true or false", name, err);
    return MLP_OK;
}

mlp_status mlp_spec_get_bool(const mlp_node *map, const char *key, const char *name, bool def,
                             bool *out, mlp_error *err)
{
    const mlp_node *n = mlp_spec_get_opt(map, key);

    if (!n) {
        *out = def;
        return MLP_OK;
    }
    return mlp_spec_to_bool(n, name, out, err);
}

/* One of a NULL-terminated list of words; *out is its index. */
mlp_status mlp_spec_to_enum(const mlp_node *n, const char *name, const char *const *choices,
                            int *out, mlp_error *err)
{
    char list[256] = "", sbuf[160];
    size_t used = 0;
    mlp_suggester s;

    if (n->kind == MLP_NODE_SCALAR)
        for (int i = 0; choices[i]; i++)
            if (!strcmp(n->text, choices[i])) {
                *out = i;
                return MLP_OK;
            }
    for (int i = 0; choices[i] && used < sizeof(list); i++)
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
                                 choices[i]);
    if (n->kind != MLP_NODE_SCALAR) {
        char what[160];
        return mlp_spec_fail(err, n, "'%s' must be one of %s, got %s", name, list,
                             mlp_node_describe(n, what, sizeof(what)));
    }
    mlp_suggest_init(&s, n->text);
    for (int i = 0; choices[i]; i++)
        mlp_suggest_try(&s, choices[i]);
    return mlp_spec_fail(err, n, "'%s' must be one of %s, got '%.80s'%s", name, list, n->text,
                         mlp_suggest_text(&s, sbuf, sizeof(sbuf)));
}

mlp_status mlp_spec_get_enum(const mlp_node *map, const char *key, const char *name,
                             const char *const *choices, int def, int *out, mlp_error *err)
{
    const mlp_node *n = mlp_spec_get_opt(map, key);

    if (!n) {
        *out = def;
        return MLP_OK;
    }
    return mlp_spec_to_enum(n, name, choices, out, err);
}

/* A string: any non-null scalar; *out points into the node. */
mlp_status mlp_spec_to_string(const mlp_node *n, const char *name, const char **out, mlp_error *err)
{
    if (n->kind != MLP_NODE_SCALAR || mlp_scalar_is_null(n))
        return mlp_spec_wrong_type(n, "a string", name, err);
    *out = n->text;
    return MLP_OK;
}

/* Shortest text that reads back as exactly v, and reads as a real in YAML. */
void mlp_spec_real_text(double v, char *buf, size_t len)
{
    if (isnan(v)) {
        snprintf(buf, len, ".nan");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, len, "%s", v < 0 ? "-.inf" : ".inf");
        return;
    }
    short_g(v, buf, len);
    if (!strpbrk(buf, ".eE") && strlen(buf) + 3 <= len)
        strcat(buf, ".0");
}
