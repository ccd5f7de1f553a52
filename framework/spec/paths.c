/* paths.c -- dotted paths into the tree ("train.learning_rate"): split,
 * looked up, set (making the sections on the way) and deleted; the --set
 * argument "a.b=VALUE" applied with its value placed in the argument. */
#include "spec/internal.h"

#include <stdlib.h>
#include <string.h>

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

/* A --set of `path` where path is a sweep key of root would be ignored
 * (every run takes the sweep's value): an error at the argument that names
 * the sweep key's place and shows the override that works.  Keys below a
 * swept one are left to the checks of the spec as written.  value: the
 * argument's value text. */
static mlp_status check_not_swept(const mlp_node *root, const char *arg, const char *path,
                                  const char *value, mlp_error *err)
{
    const mlp_node *sw = mlp_node_get(root, "sweep");

    if (!sw || sw->kind != MLP_NODE_MAP)
        return MLP_OK;
    for (size_t i = 0; i < sw->n; i++) {
        const mlp_node *k = sw->keys[i];
        bool list = value[strspn(value, " ")] == '[';
        if (strcmp(path, k->text))
            continue;
        return mlp_fail_at(err, MLP_ERR_SPEC, mlp_spec_set_file, 1, 1,
                           "--set '%s' would be ignored: '%s' is swept (%s:%d:%d), and every "
                           "run takes its value from the sweep; change the axis instead: "
                           "--set 'sweep.%s=%s%s%s'", arg, k->text, k->file, k->line, k->col,
                           k->text, list ? "" : "[", value, list ? "" : "]");
    }
    /* a zipped key: its group under sweep.zip (one mapping, or a list of them) */
    const mlp_node *zip = mlp_node_get(sw, "zip");
    size_t n_groups = zip && zip->kind == MLP_NODE_SEQ ? zip->n : zip ? 1 : 0;
    for (size_t g = 0; g < n_groups; g++) {
        const mlp_node *grp = zip->kind == MLP_NODE_SEQ ? zip->items[g] : zip;
        for (size_t i = 0; grp->kind == MLP_NODE_MAP && i < grp->n; i++) {
            const mlp_node *k = grp->keys[i];
            if (strcmp(path, k->text))
                continue;
            return mlp_fail_at(err, MLP_ERR_SPEC, mlp_spec_set_file, 1, 1,
                               "--set '%s' would be ignored: '%s' is zipped (%s:%d:%d), and "
                               "every run takes its value from the zip group; change the group "
                               "instead", arg, k->text, k->file, k->line, k->col);
        }
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
    if (!rc && strcmp(parts[0].text, "sweep"))
        rc = check_not_swept(root, arg, path, eq + 1, err);
    free(path);
    if (rc) {
        if (empty)
            rc = mlp_fail(err, MLP_ERR_USAGE, "--set '%s': empty part in the key path", arg);
        mlp_path_parts_free(parts, n);
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
