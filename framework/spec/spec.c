/* spec.c -- the experiment spec: loading, --set overrides, sweep expansion
 * into a plan, and resolution of one run into an mlp_config, every error
 * placed at the file:line:col of the node at fault. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "spec/internal.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"

/* File name of the nodes made from --set arguments. */
const char mlp_spec_set_file[] = "--set";

const char *const mlp_spec_top_keys[] = {"name",   "description", "seed",  "dataset", "model",
                                         "loss",   "train",       "sweep", "repeats", "record",
                                         "output", "max_runs",    NULL};
static const char *const sweepable[] = {"dataset", "model", "loss", "train", "record", NULL};
static const char *const model_keys[] = {"hidden", "activation", "init", NULL};
static const char *const train_keys[] = {
    "optimizer", "learning_rate", "momentum", "nesterov", "beta1", "beta2", "eps",
    "iterations", "batch_size", "schedule", "power_t", "step_size", "gamma", "eta_min",
    "l2", "alpha", "l1", "target_accuracy", "tol", "n_iter_no_change", "validation_fraction",
    "max_seconds", NULL};
static const char *const record_keys[] = {"loss_every", "eval_every", "weights",
                                          "weights_every", "hidden", "boundary", "budget", NULL};
static const char *const boundary_keys[] = {"resolution", "extent", NULL};
static const char *const range_keys[] = {"from", "to", "step", "num", "scale", NULL};
static const char *const dataset_host_keys[] = {"train", "test", NULL};
const char *const mlp_spec_optimizers[] = {"gd", "sgd", "momentum", "adam", NULL};
/* model.init words, and the kind each stands for */
static const char *const inits[] = {"xavier",    "xavier_uniform", "xavier_normal", "he",
                                    "he_normal", "he_uniform",     "uniform",       "sklearn",
                                    NULL};
static const mlp_init_kind init_kinds[] = {MLP_INIT_XAVIER,  MLP_INIT_XAVIER, MLP_INIT_XAVIER_NORMAL,
                                           MLP_INIT_HE,      MLP_INIT_HE,     MLP_INIT_HE_UNIFORM,
                                           MLP_INIT_UNIFORM, MLP_INIT_SKLEARN};
static const char *const init_map_keys[] = {"uniform", NULL};
const char *const mlp_spec_schedules[] = {"constant", "invscaling", "step", "cosine", NULL};
static const char *const weights_modes[] = {"final", "none", NULL};
static const char *const scales[] = {"linear", "log", NULL};

#define MAX_POINTS 100000000  /* cap on dataset train/test sizes */
#define MAX_ITER 1000000000   /* cap on iterations and similar counts */

mlp_status mlp_spec_nomem(mlp_error *err)
{
    return mlp_fail(err, MLP_ERR_NOMEM, "spec: out of memory");
}

mlp_status mlp_spec_fail(mlp_error *err, const mlp_node *n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (n)
        mlp_vfail_at(err, MLP_ERR_SPEC, n->file, n->line, n->col, fmt, ap);
    else
        mlp_vfail_at(err, MLP_ERR_SPEC, NULL, 0, 0, fmt, ap);
    va_end(ap);
    return MLP_ERR_SPEC;
}

/* ---- suggestions ---------------------------------------------------------- */

/* Levenshtein distance; long words count as far apart. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[65];

    if (la > 64 || lb > 64)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

void mlp_suggest_init(mlp_suggester *s, const char *word)
{
    s->word = word;
    s->best[0] = '\0';
    s->dist = SIZE_MAX;
}

/* Names other tools use for a key: a typed `lr` should suggest
 * learning_rate, not the nearer-by-letters l2. */
static const char *const key_aliases[][2] = {
    {"lr", "learning_rate"},        {"learning_rate_init", "learning_rate"},
    {"epochs", "iterations"},       {"max_iter", "iterations"},
    {"steps", "iterations"},        {"weight_decay", "l2"},
    {"batch", "batch_size"},        {"hidden_layer_sizes", "hidden"},
    {"solver", "optimizer"},        {"betas", "beta1"},
};

void mlp_suggest_try(mlp_suggester *s, const char *cand)
{
    for (size_t i = 0; i < sizeof(key_aliases) / sizeof(key_aliases[0]); i++)
        if (!strcmp(s->word, key_aliases[i][0]) && !strcmp(cand, key_aliases[i][1])) {
            s->dist = 0;  /* an alias beats any spelling */
            snprintf(s->best, sizeof(s->best), "%s", cand);
            return;
        }
    if (s->dist == 0)
        return;
    size_t lw = strlen(s->word), lc = strlen(cand);
    size_t d = edit_distance(s->word, cand);
    size_t limit = lw / 3 > 2 ? lw / 3 : 2;

    if (d == 0 || d > limit || d >= (lw > lc ? lw : lc) || d >= s->dist)
        return;
    s->dist = d;
    snprintf(s->best, sizeof(s->best), "%s", cand);
}

/* " (did you mean 'x'?)" or "" into buf. */
const char *mlp_suggest_text(const mlp_suggester *s, char *buf, size_t len)
{
    if (!s->best[0])
        return "";
    snprintf(buf, len, " (did you mean '%s'?)", s->best);
    return buf;
}

/* ---- typed access with messages -------------------------------------- */

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

/* ---- dotted paths ---------------------------------------------------------- */

void mlp_path_parts_free(mlp_path_part *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i].text);
    free(p);
}

/* Split `path` at dots (under a leading "sweep", the rest is one key).
 * Every part is placed at (file, line, col + its offset) when
 * per_part_cols, else at (file, line, col).  Empty parts are refused with
 * *empty set (the caller words the message). */
mlp_status mlp_path_split(const char *path, const char *file, int line, int col, bool per_part_cols,
                          mlp_path_part **out, size_t *n_out, bool *empty, mlp_error *err)
{
    size_t cap = 1, n = 0;
    mlp_path_part *parts;
    const char *p = path;

    *empty = false;
    for (const char *q = path; *q; q++)
        cap += *q == '.';
    parts = calloc(cap, sizeof(*parts));
    if (!parts)
        return mlp_spec_nomem(err);
    for (;;) {
        const char *end = strchr(p, '.');
        size_t len;
        if (n == 1 && !strcmp(parts[0].text, "sweep"))
            end = NULL;
        len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0) {
            *empty = true;
            mlp_path_parts_free(parts, n);
            return MLP_ERR_SPEC;
        }
        parts[n].text = strndup(p, len);
        if (!parts[n].text) {
            mlp_path_parts_free(parts, n);
            return mlp_spec_nomem(err);
        }
        parts[n].file = file;
        parts[n].line = line;
        parts[n].col = per_part_cols ? col + (int)(p - path) : col;
        n++;
        if (!end)
            break;
        p = end + 1;
    }
    *out = parts;
    *n_out = n;
    return MLP_OK;
}

/* Is parts[0..n) the place of a plugin reference? */
static bool plugin_position(const mlp_path_part *parts, size_t n)
{
    if (n == 1)
        return !strcmp(parts[0].text, "dataset") || !strcmp(parts[0].text, "loss");
    return n == 2 && !strcmp(parts[0].text, "model") && !strcmp(parts[1].text, "activation");
}

static char *join_parts(const mlp_path_part *parts, size_t n)
{
    mlp_sb sb = {0};

    for (size_t i = 0; i < n; i++) {
        if (i)
            mlp_sb_puts(&sb, ".");
        mlp_sb_puts(&sb, parts[i].text);
    }
    return mlp_sb_take(&sb);
}

/* Levels of nesting in n: 0 for a scalar, 1 + the deepest child for a
 * collection. */
static int node_depth(const mlp_node *n)
{
    int d = 0;

    if (n->kind == MLP_NODE_SCALAR)
        return 0;
    for (size_t i = 0; i < n->n; i++) {
        int c = node_depth(n->items[i]);
        if (c > d)
            d = c;
    }
    return d + 1;
}

/* The first collection `level` levels below n (n itself at 0), or NULL. */
static const mlp_node *node_at_level(const mlp_node *n, int level)
{
    if (n->kind == MLP_NODE_SCALAR)
        return NULL;
    if (level == 0)
        return n;
    for (size_t i = 0; i < n->n; i++) {
        const mlp_node *c = node_at_level(n->items[i], level - 1);
        if (c)
            return c;
    }
    return NULL;
}

/* The nesting cap of the YAML reader, for a value put at a dotted path:
 * the root map is level 1 and the map holding parts[i] level i + 1, so
 * val's collections sit from level n + 1 down, and the tree along the path
 * is n + depth(val) levels deep.  The error is placed where level
 * MLP_SPEC_MAX_DEPTH + 1 would begin, as the reader places it: at the part
 * it would hold, or at the value's collection that would open it. */
mlp_status mlp_path_check_depth(const mlp_path_part *parts, size_t n, const mlp_node *val,
                                mlp_error *err)
{
    const mlp_node *deep;

    if (n > MLP_SPEC_MAX_DEPTH) {
        const mlp_path_part *pp = &parts[MLP_SPEC_MAX_DEPTH];
        return mlp_fail_at(err, MLP_ERR_SPEC, pp->file, pp->line, pp->col,
                           "nesting deeper than %d levels: a spec is small plain data",
                           MLP_SPEC_MAX_DEPTH);
    }
    if ((int)n + node_depth(val) <= MLP_SPEC_MAX_DEPTH)
        return MLP_OK;
    deep = node_at_level(val, MLP_SPEC_MAX_DEPTH - (int)n);
    return mlp_spec_fail(err, deep ? deep : val,
                         "nesting deeper than %d levels: a spec is small plain data",
                         MLP_SPEC_MAX_DEPTH);
}

/* Put val (taken, freed on failure) at parts[0..n) under root, a map:
 * missing or null maps on the way are made, and a scalar plugin reference
 * on the way becomes {plugin: name}.  `verb` words the message ("set",
 * "sweep") when the path crosses a value that is not a mapping. */
mlp_status mlp_path_set(mlp_node *root, const mlp_path_part *parts, size_t n, mlp_node *val,
                        const char *verb, mlp_error *err)
{
    mlp_node *cur = root;
    mlp_status rc;

    if (!val)
        return mlp_spec_nomem(err);
    if ((rc = mlp_path_check_depth(parts, n, val, err)))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        const mlp_path_part *pp = &parts[i];
        int at = mlp_node_index(cur, pp->text);
        mlp_node *child = at >= 0 ? cur->items[at] : NULL;

        if (i == n - 1) {
            if (child) {
                mlp_node_free(child);
                cur->items[at] = val;
                return MLP_OK;
            }
            mlp_node *key = mlp_node_scalar(pp->text, false, pp->file, pp->line, pp->col);
            if (!key || !mlp_node_append(cur, key, val)) {
                mlp_node_free(key);
                rc = mlp_spec_nomem(err);
                goto fail;
            }
            return MLP_OK;
        }
        if (!child || mlp_scalar_is_null(child)) {
            /* a missing (or null) section: make it */
            mlp_node *map = mlp_node_new(MLP_NODE_MAP, pp->file, pp->line, pp->col);
            if (!map) {
                rc = mlp_spec_nomem(err);
                goto fail;
            }
            if (child) {
                mlp_node_free(child);
                cur->items[at] = map;
            } else {
                mlp_node *key = mlp_node_scalar(pp->text, false, pp->file, pp->line, pp->col);
                if (!key || !mlp_node_append(cur, key, map)) {
                    mlp_node_free(key);
                    mlp_node_free(map);
                    rc = mlp_spec_nomem(err);
                    goto fail;
                }
            }
            child = map;
        } else if (child->kind == MLP_NODE_SCALAR && plugin_position(parts, i + 1)) {
            /* `activation: leaky_relu` becomes {plugin: leaky_relu} */
            mlp_node *map = mlp_node_new(MLP_NODE_MAP, child->file, child->line, child->col);
            mlp_node *key = mlp_node_scalar("plugin", false, child->file, child->line, child->col);
            if (!map || !key || !mlp_node_append(map, key, child)) {
                mlp_node_free(map);
                mlp_node_free(key);
                rc = mlp_spec_nomem(err);
                goto fail;
            }
            cur->items[at] = map;
            child = map;
        } else if (child->kind != MLP_NODE_MAP) {
            char *whole = join_parts(parts, n), *prefix = join_parts(parts, i + 1);
            char what[160];
            if (whole && prefix)
                rc = mlp_fail_at(err, MLP_ERR_SPEC, pp->file, pp->line, pp->col,
                                 "cannot %s '%s': '%s' is %s, not a mapping", verb, whole, prefix,
                                 mlp_node_describe(child, what, sizeof(what)));
            else
                rc = mlp_spec_nomem(err);
            free(whole);
            free(prefix);
            goto fail;
        }
        cur = child;
    }
fail:
    mlp_node_free(val);
    return rc;
}

/* The node at parts[0..n) through maps only, or NULL. */
const mlp_node *mlp_path_lookup(const mlp_node *root, const mlp_path_part *parts, size_t n)
{
    const mlp_node *cur = root;

    for (size_t i = 0; i < n && cur; i++)
        cur = mlp_node_get(cur, parts[i].text);
    return cur;
}

/* Remove the entry at parts[0..n) through maps, if it is there. */
void mlp_path_delete(mlp_node *root, const mlp_path_part *parts, size_t n)
{
    mlp_node *cur = root;
    int at;

    for (size_t i = 0; i + 1 < n && cur; i++) {
        at = mlp_node_index(cur, parts[i].text);
        cur = at >= 0 ? cur->items[at] : NULL;
    }
    at = mlp_node_index(cur, parts[n - 1].text);
    if (at < 0)
        return;
    mlp_node_free(cur->keys[at]);
    mlp_node_free(cur->items[at]);
    memmove(&cur->keys[at], &cur->keys[at + 1], (cur->n - (size_t)at - 1) * sizeof(*cur->keys));
    memmove(&cur->items[at], &cur->items[at + 1],
            (cur->n - (size_t)at - 1) * sizeof(*cur->items));
    cur->n--;
}

/* Shift the columns of line-1 nodes by off (a --set value's place in its argument). */
static void shift_cols(mlp_node *n, int off)
{
    if (n->line == 1)
        n->col += off;
    for (size_t i = 0; i < n->n; i++) {
        shift_cols(n->items[i], off);
        if (n->keys)
            shift_cols(n->keys[i], off);
    }
}

/* Length of the valid UTF-8 sequence at p (1 to 4), or 0 when p does not
 * start one: a stray continuation byte, a truncated sequence, an overlong
 * form, a surrogate or a code point past U+10FFFF -- what libyaml refuses
 * in a spec file. */
static size_t utf8_len(const unsigned char *p)
{
    size_t n;
    unsigned cp;

    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2, cp = p[0] & 0x1fu;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        n = 3, cp = p[0] & 0x0fu;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        n = 4, cp = p[0] & 0x07u;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3fu);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

/* The key of a --set argument (its first len bytes) is text a spec file
 * could hold: valid UTF-8.  The value is read by libyaml, which checks it. */
static mlp_status check_set_key(const char *arg, size_t len, mlp_error *err)
{
    const unsigned char *p = (const unsigned char *)arg;

    for (size_t i = 0; i < len;) {
        size_t n = utf8_len(p + i);
        if (n == 0 || i + n > len)
            return mlp_fail_at(err, MLP_ERR_SPEC, mlp_spec_set_file, 1, (int)i + 1,
                               "the key is not valid UTF-8 (byte 0x%02x)", p[i]);
        i += n;
    }
    return MLP_OK;
}

/* One --set argument "dotted.path=VALUE" applied to root. */
mlp_status mlp_spec_apply_set(mlp_node *root, const char *arg, mlp_error *err)
{
    const char *eq = strchr(arg, '=');
    mlp_path_part *parts = NULL;
    size_t n = 0;
    mlp_node *val = NULL;
    char *path = NULL;
    bool empty;
    int off;
    mlp_status rc;

    if ((rc = check_set_key(arg, eq ? (size_t)(eq - arg) : strlen(arg), err)))
        return rc;
    if (!eq || eq == arg)
        return mlp_fail(err, MLP_ERR_USAGE,
                        "--set '%s': expected KEY=VALUE, e.g. --set train.iterations=500", arg);
    path = strndup(arg, (size_t)(eq - arg));
    if (!path)
        return mlp_spec_nomem(err);
    rc = mlp_path_split(path, mlp_spec_set_file, 1, 1, true, &parts, &n, &empty, err);
    free(path);
    if (rc) {
        if (empty)
            rc = mlp_fail(err, MLP_ERR_USAGE, "--set '%s': empty part in the key path", arg);
        return rc;
    }
    off = (int)(eq + 1 - arg);
    rc = mlp_yaml_parse(eq + 1, strlen(eq + 1), mlp_spec_set_file, &val, err);
    if (rc) {
        /* place it in the argument; past the end of a one-line value is its end */
        if (err && err->line > 1 && !strchr(eq + 1, '\n')) {
            err->line = 1;
            err->col = (int)strlen(arg) + 1;
        } else if (err && err->line == 1) {
            err->col += off;
        }
        goto out;
    }
    shift_cols(val, off);
    rc = mlp_path_set(root, parts, n, val, "set", err);
out:
    mlp_path_parts_free(parts, n);
    return rc;
}

/* ---- sweep expansion ---------------------------------------------------- */

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

/* ---- loading ------------------------------------------------------------ */

static bool name_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '-'))
            return false;
    return true;
}

/* Top-level keys: name, description, seed, repeats, output (the sections
 * are checked when runs are resolved). */
static mlp_status check_top(mlp_spec *spec, mlp_error *err)
{
    const mlp_node *root = spec->root, *n;
    const char *s = NULL;
    int64_t rep;
    mlp_status rc;

    rc = mlp_spec_check_keys(root, "at the top level", mlp_spec_top_keys, NULL, err);
    if (rc)
        return rc;
    n = mlp_spec_get_opt(root, "name");
    if (!n)
        return mlp_spec_fail(err, root, "missing required key 'name'");
    if ((rc = mlp_spec_to_string(n, "name", &s, err)))
        return rc;
    if (!name_ok(s))
        return mlp_spec_fail(err, n,
                             "name '%.80s' may hold only letters, digits, '_', '.' and '-' "
                             "(it names the results file)",
                             s);
    if (!(spec->name = strdup(s)))
        return mlp_spec_nomem(err);
    s = "";
    n = mlp_spec_get_opt(root, "description");
    if (n && (rc = mlp_spec_to_string(n, "description", &s, err)))
        return rc;
    if (!(spec->description = strdup(s)))
        return mlp_spec_nomem(err);
    n = mlp_spec_get_opt(root, "output");
    if (n) {
        if ((rc = mlp_spec_to_string(n, "output", &s, err)))
            return rc;
        if (!(spec->output = strdup(s)))
            return mlp_spec_nomem(err);
    }
    spec->seed = 0;
    n = mlp_spec_get_opt(root, "seed");
    if (n && !mlp_scalar_uint64(n, &spec->seed))
        return mlp_spec_wrong_type(n, "an unsigned 64-bit integer", "seed", err);
    if ((rc = mlp_spec_get_int(root, "repeats", "repeats", 1, MLP_SPEC_MAX_RUNS, 1, &rep, err)))
        return rc;
    spec->repeats = (size_t)rep;
    /* the cap on the runs one sweep may expand to: a typo in a range should
     * not start a billion runs */
    int64_t cap;
    if ((rc = mlp_spec_get_int(root, "max_runs", "max_runs", 1, (int64_t)1 << 40, MLP_SPEC_MAX_RUNS,
                               &cap, err)))
        return rc;
    spec->max_runs = (size_t)cap;
    return MLP_OK;
}

mlp_status mlp_spec_parse(const char *text, size_t len, const char *name,
                          const char *const *sets, size_t n_sets, mlp_spec **out,
                          mlp_error *err)
{
    mlp_spec *spec = calloc(1, sizeof(*spec));
    mlp_status rc;

    if (!spec)
        return mlp_spec_nomem(err);
    spec->path = strdup(name);
    spec->text = malloc(len + 1);
    if (!spec->path || !spec->text) {
        rc = mlp_spec_nomem(err);
        goto fail;
    }
    memcpy(spec->text, text, len);
    spec->text[len] = '\0';
    spec->text_len = len;
    mlp_sha256_hex(text, len, spec->sha256);
    rc = mlp_yaml_parse(spec->text, len, spec->path, &spec->root, err);
    if (rc)
        goto fail;
    if (spec->root->kind != MLP_NODE_MAP) {
        if (mlp_scalar_is_null(spec->root))
            rc = mlp_spec_fail(err, spec->root,
                               "the spec is empty: it needs at least 'name' and "
                               "'dataset'");
        else
            rc = mlp_spec_fail(err, spec->root,
                               "a spec is a mapping of keys (name, dataset, model, "
                               "...), not %s",
                               spec->root->kind == MLP_NODE_SEQ ? "a list" : "a scalar");
        goto fail;
    }
    for (size_t i = 0; i < n_sets; i++)
        if ((rc = mlp_spec_apply_set(spec->root, sets[i], err)))
            goto fail;
    if ((rc = check_top(spec, err)) || (rc = mlp_spec_expand_sweep(spec, err)))
        goto fail;
    *out = spec;
    return MLP_OK;
fail:
    mlp_spec_free(spec);
    return rc;
}

mlp_status mlp_spec_load(const char *path, const char *const *sets, size_t n_sets,
                         mlp_spec **out, mlp_error *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n;
    mlp_status rc;

    if (!f)
        return mlp_fail_at(err, MLP_ERR_USAGE, path, 0, 0, "cannot open the spec: %s",
                           strerror(errno));
    /* one byte past the cap tells an oversized file */
    buf = malloc((size_t)MLP_SPEC_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return mlp_spec_nomem(err);
    }
    n = fread(buf, 1, (size_t)MLP_SPEC_MAX_BYTES + 1, f);
    if (ferror(f)) {
        rc = mlp_fail_at(err, MLP_ERR_IO, path, 0, 0, "cannot read the spec: %s",
                         strerror(errno));
        goto out;
    }
    if (n > MLP_SPEC_MAX_BYTES) {
        rc = mlp_fail_at(err, MLP_ERR_SPEC, path, 0, 0,
                         "the spec is over the %u-byte cap: a spec is small plain data",
                         MLP_SPEC_MAX_BYTES);
        goto out;
    }
    rc = mlp_spec_parse(buf, n, path, sets, n_sets, out, err);
out:
    free(buf);
    fclose(f);
    return rc;
}

void mlp_spec_free(mlp_spec *spec)
{
    if (!spec)
        return;
    for (size_t a = 0; a < spec->n_axes; a++) {
        mlp_sweep_axis *ax = &spec->axes[a];
        for (size_t i = 0; i < ax->n; i++) {
            mlp_node_free(ax->values[i]);
            if (ax->labels)
                free(ax->labels[i]);
        }
        free(ax->values);
        free(ax->labels);
        free(ax->num);
        free(ax->path);
    }
    free(spec->axes);
    mlp_node_free(spec->root);
    free(spec->path);
    free(spec->text);
    free(spec->name);
    free(spec->description);
    free(spec->output);
    free(spec);
}

/* ---- plugins -------------------------------------------------------------- */

void mlp_plugin_use_free(mlp_plugin_use *u)
{
    if (u->params && u->plugin)
        for (uint32_t i = 0; i < u->plugin->h->n_params; i++)
            free((char *)u->params[i].str);
    free(u->params);
    u->params = NULL;
    u->plugin = NULL;
}

/* The parameters of pl from the map (NULL: all defaults); `host` lists keys
 * of the map that belong to the host, `name` is the reference's path. */
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

static mlp_status bind_params(const mlp_node *map, const mlp_node *place, const mlp_plugin *pl,
                              const char *name, const char *const *host, mlp_param_value *vals,
                              mlp_error *err)
{
    const mlp_plugin_header *h = pl->h;
    char full[256], buf[512], where[300];

    /* defaults, with string defaults copied: the config owns its strings */
    mlp_plugin_param_defaults(pl, vals);
    for (uint32_t i = 0; i < h->n_params; i++)
        vals[i].str = NULL;
    for (uint32_t i = 0; i < h->n_params; i++) {
        if (h->params[i].type == MLP_PARAM_STRING && h->params[i].def_str &&
            !(vals[i].str = strdup(h->params[i].def_str)))
            return mlp_spec_nomem(err);
    }
    for (size_t k = 0; map && k < map->n; k++) {
        const char *key = map->keys[k]->text;
        const mlp_node *v = map->items[k];
        int idx;
        bool is_host = !strcmp(key, "plugin");

        for (size_t j = 0; host && host[j]; j++)
            is_host = is_host || !strcmp(key, host[j]);
        if (is_host)
            continue;
        idx = mlp_plugin_param_index(pl, key);
        if (idx < 0) {
            mlp_suggester s;
            size_t used = 0;
            mlp_suggest_init(&s, key);
            for (uint32_t i = 0; i < h->n_params; i++)
                mlp_suggest_try(&s, h->params[i].name);
            for (size_t j = 0; host && host[j]; j++)
                mlp_suggest_try(&s, host[j]);
            if (s.best[0])
                return mlp_spec_fail(err, map->keys[k], "unknown key '%s' in '%s'%s", key, name,
                                     mlp_suggest_text(&s, buf, sizeof(buf)));
            where[0] = '\0';
            for (uint32_t i = 0; i < h->n_params && used < sizeof(where); i++)
                used += (size_t)snprintf(where + used, sizeof(where) - used, "%s%s",
                                         i ? ", " : "", h->params[i].name);
            if (!h->n_params)
                return mlp_spec_fail(err, map->keys[k],
                                     "unknown key '%s' in '%s' (%s plugin '%s' takes no "
                                     "parameters)", key, name, mlp_kind_name(pl->kind), h->name);
            return mlp_spec_fail(err, map->keys[k],
                                 "unknown key '%s' in '%s' (%s plugin '%s' takes: %s)", key, name,
                                 mlp_kind_name(pl->kind), h->name, where);
        }
        const mlp_param_decl *d = &h->params[idx];
        mlp_status rc = MLP_OK;
        snprintf(full, sizeof(full), "%s.%s", name, key);
        if (mlp_scalar_is_null(v))
            continue; /* null: the default */
        switch (d->type) {
        case MLP_PARAM_REAL: {
            mlp_bounds b = {d->min, d->max, false, false};
            rc = mlp_spec_to_real(v, full, &b, &vals[idx].num, err);
            break;
        }
        case MLP_PARAM_INT: {
            int64_t iv = 0;
            double lo = d->min, hi = d->max;
            rc = mlp_spec_to_int(v, full, lo > -9.2e18 ? (int64_t)ceil(lo) : INT64_MIN,
                                 hi < 9.2e18 ? (int64_t)floor(hi) : INT64_MAX, &iv, err);
            vals[idx].num = (double)iv;
            break;
        }
        case MLP_PARAM_BOOL: {
            bool bv = false;
            rc = mlp_spec_to_bool(v, full, &bv, err);
            vals[idx].num = bv;
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
            vals[idx].num = pick;
            break;
        }
        case MLP_PARAM_STRING: {
            const char *s = NULL;
            rc = mlp_spec_to_string(v, full, &s, err);
            if (rc == MLP_OK) {
                free((char *)vals[idx].str);
                if (!strcmp(h->params[idx].name, "path"))
                    vals[idx].str = mlp_spec_file_path(s, v->file);
                else
                    vals[idx].str = strdup(s);
                if (!vals[idx].str)
                    rc = mlp_spec_nomem(err);
            }
            break;
        }
        }
        if (rc)
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

/* ---- one run ------------------------------------------------------------ */

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
    if ((rc = mlp_spec_get_size(r, "loss_every", "record.loss_every", 1, MAX_ITER, 1,
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

/* Every section of a run's tree into cfg (zeroed first; freed on failure). */
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
        rc = mlp_path_set(tree, parts, n, mlp_node_clone(ax->values[run.value[a]]), "sweep", err);
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
 * [3, [4, 4]], is not.  The first point's error is reported. */
static mlp_status validate_base(const mlp_spec *spec, mlp_registry *reg, mlp_error *err)
{
    size_t fill[MLP_PLAN_MAX_AXES], n_fill = 0, pick[MLP_PLAN_MAX_AXES] = {0};
    mlp_path_part *parts[MLP_PLAN_MAX_AXES] = {NULL};
    size_t n_parts[MLP_PLAN_MAX_AXES] = {0};
    mlp_error first;
    mlp_status rc = MLP_OK, first_rc = MLP_OK;
    bool done = false;

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
    /* every combination of the filled axes' values, first to last */
    while (!done) {
        mlp_node *tree = mlp_node_clone(spec->root);
        mlp_config cfg;
        mlp_error sub;

        if (!tree) {
            rc = mlp_spec_nomem(err);
            goto out;
        }
        for (size_t f = 0; f < n_fill && rc == MLP_OK; f++) {
            const mlp_sweep_axis *ax = &spec->axes[fill[f]];
            rc = mlp_path_set(tree, parts[fill[f]], n_parts[fill[f]],
                              mlp_node_clone(ax->values[pick[f]]), "sweep", err);
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
        /* the next combination: the last filled axis varies fastest */
        done = true;
        for (size_t f = n_fill; f-- > 0;) {
            if (++pick[f] < spec->axes[fill[f]].n) {
                done = false;
                break;
            }
            pick[f] = 0;
        }
    }
    rc = first_rc;
    if (err)
        *err = first;
out:
    for (size_t a = 0; a < spec->n_axes; a++)
        mlp_path_parts_free(parts[a], n_parts[a]);
    return rc;
}

mlp_status mlp_spec_validate(const mlp_spec *spec, mlp_registry *reg, mlp_error *err)
{
    /* repeats are innermost and change only the seed: one run per point */
    for (size_t k = 0; k < spec->plan.n_runs; k += spec->plan.repeats) {
        mlp_config cfg;
        mlp_status rc = mlp_spec_config(spec, reg, k, &cfg, err);
        if (rc)
            return rc;
        mlp_config_free(&cfg);
    }
    return validate_base(spec, reg, err);
}
