/* load.c -- loading a spec: the file read (within its cap) and hashed, the
 * tree parsed, --set applied, the top level checked, the sweep expanded. */
#include "spec/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"

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
        free(ax->weights);
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
