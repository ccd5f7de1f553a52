/* resume.c -- what identifies a sweep's runs (the resolved spec, plugin and
 * file hashes, the code's commit), kept beside them, and the check of the run
 * folder that lets --resume continue only the same sweep. */
#include "sweep/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/sha256.h"
#include "gitinfo.h"

/* Flatten a YAML tree into "dotted.path: value" lines, so that two sweeps'
 * differences read as settings (sweep keys are dotted already). */
static void flatten(mlp_sb *sb, const mlp_node *n, const char *prefix)
{
    if (n->kind == MLP_NODE_MAP && n->n > 0) {
        for (size_t i = 0; i < n->n; i++) {
            mlp_sb path = {0};
            mlp_sb_printf(&path, "%s%s%s", prefix, *prefix ? "." : "", n->keys[i]->text);
            char *p = mlp_sb_take(&path);
            if (p)
                flatten(sb, n->items[i], p);
            free(p);
        }
        return;
    }
    mlp_sb_printf(sb, "%s: ", prefix);
    mlp_node_put_flow(sb, n);
    mlp_sb_puts(sb, "\n");
}

/* What identifies this sweep's runs for --resume: the resolved spec (so
 * --set overrides count), every plugin file's hash and the code's commit, so
 * a rebuilt plugin or runner never mixes its runs with older ones.  As text
 * (one setting a line), kept in the run folder so that a refused --resume can
 * say what differs; its SHA-256 is the hash every part file carries. */
static char *run_identity(sweep_state *st, const char *resolved)
{
    mlp_sb sb = {0};
    mlp_node *tree = NULL;

    mlp_sb_puts(&sb, "mlplab: " MLPLAB_VERSION " " MLPLAB_GIT_COMMIT "\n");
    for (size_t i = 0; i < st->n_plugins; i++)
        mlp_sb_printf(&sb, "plugin %s %s: sha256 %s\n", mlp_kind_name(st->plugins[i]->kind),
                      st->plugins[i]->name, st->plugins[i]->sha256);
    for (size_t i = 0; i < st->n_files; i++) {
        char hex[65];
        if (mlp_sha256_file(st->files[i], hex, NULL) != MLP_OK)
            snprintf(hex, sizeof(hex), "unreadable");
        mlp_sb_printf(&sb, "file %s: sha256 %s\n", st->files[i], hex);
    }
    if (mlp_yaml_parse(resolved, strlen(resolved), "spec_resolved", &tree, NULL) == MLP_OK) {
        flatten(&sb, tree, "");
        mlp_node_free(tree);
    } else {
        mlp_sb_puts(&sb, resolved);
    }
    return mlp_sb_take(&sb);
}

/* The lines of `a` that are not in `b`, at most max, each prefixed. */
static void missing_lines(mlp_sb *out, const char *a, const char *b, const char *prefix,
                          size_t *shown, size_t max)
{
    for (const char *p = a; *p && *shown < max;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        bool found = false;
        for (const char *q = b; *q && !found;) {
            const char *f = strchr(q, '\n');
            size_t lq = f ? (size_t)(f - q) : strlen(q);
            found = lq == len && !memcmp(p, q, len);
            q += lq + (f ? 1 : 0);
        }
        if (!found) {
            mlp_sb_printf(out, "\n  %s%.*s", prefix, (int)len, p);
            ++*shown;
        }
        p += len + (e ? 1 : 0);
    }
}

#define IDENTITY_FILE "sweep.identity"

static char *read_text_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    mlp_sb sb = {0};
    char buf[4096];
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        mlp_sb_putn(&sb, buf, n);
    fclose(f);
    return mlp_sb_take(&sb);
}

/* Keep the identity beside the runs (temporary name, then rename). */
static mlp_status save_identity(const sweep_state *st, mlp_error *err)
{
    char path[4096], tmp[4200];
    FILE *f;

    snprintf(path, sizeof(path), "%s/" IDENTITY_FILE, st->runs_dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if (!(f = fopen(tmp, "wb")) || fputs(st->identity, f) < 0 || fflush(f) != 0 ||
        fsync(fileno(f)) != 0) {
        if (f)
            fclose(f);
        unlink(tmp);
        return mlp_fail(err, MLP_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        return mlp_fail(err, MLP_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return MLP_OK;
}

void mlp_sweep_identify(sweep_state *st, const char *resolved)
{
    st->identity = run_identity(st, resolved);
    if (st->identity)
        mlp_sha256_hex(st->identity, strlen(st->identity), st->run_hash);
    else
        mlp_sha256_hex(resolved, strlen(resolved), st->run_hash);
}

/* What is already in the run folder decides what may happen: finished runs
 * are never overwritten unless --force says so, and runs of another spec
 * are never mixed in by --resume. */
mlp_status mlp_sweep_check_folder(sweep_state *st, unsigned char *done, mlp_error *err)
{
    const mlp_sweep_opts *o = st->o;
    size_t same, other;
    mlp_status rc;

    if (o->force) {
        rc = mlp_results_clear_runs(st->runs_dir, err);
        return rc == MLP_OK ? save_identity(st, err) : rc;
    }
    rc = mlp_results_clean_tmp(st->runs_dir, err);
    if (rc == MLP_OK)
        rc = mlp_results_scan_runs(st->runs_dir, st->run_hash, st->spec->plan.n_runs, done,
                                   &same, &other, err);
    if (rc != MLP_OK)
        return rc;
    if (!o->resume && same + other > 0)
        return mlp_fail(err, MLP_ERR_EXISTS,
                        "%s holds %zu finished run%s of an earlier, unfinished sweep "
                        "(use --resume to continue it, or --force to start over)",
                        st->runs_dir, same + other, same + other == 1 ? "" : "s");
    if (o->resume && same == 0 && access(o->output, F_OK) == 0) {
        char *hash = mlp_results_identity(o->output);
        bool same_sweep = hash && !strcmp(hash, st->run_hash);
        free(hash);
        return mlp_fail(err, MLP_ERR_EXISTS,
                        same_sweep ? "%s: the sweep is already complete (use --force to run it "
                                     "again)"
                                   : "%s: holds a finished sweep of a different spec, plugins, "
                                     "data or runner; --resume continues only an unfinished "
                                     "sweep (use --force to replace it, or -o for a new file)",
                        o->output);
    }
    if (o->resume && other > 0) {
        char path[4096];
        mlp_sb why = {0};
        size_t shown = 0;
        snprintf(path, sizeof(path), "%s/" IDENTITY_FILE, st->runs_dir);
        char *old = read_text_file(path);
        if (old && st->identity) {
            mlp_sb_puts(&why, "; what differs:");
            missing_lines(&why, old, st->identity, "then: ", &shown, 8);
            missing_lines(&why, st->identity, old, "now:  ", &shown, 16);
        }
        free(old);
        char *w = mlp_sb_take(&why);
        mlp_fail(err, MLP_ERR_SPEC,
                 "%s holds %zu run%s of a different sweep (the spec, its --set overrides, "
                 "a plugin, a data file or the runner changed since they were written); --resume will not "
                 "mix them: restore what changed, or use --force to start over%s",
                 st->runs_dir, other, other == 1 ? "" : "s", w ? w : "");
        free(w);
        return MLP_ERR_SPEC;
    }
    return save_identity(st, err);
}
