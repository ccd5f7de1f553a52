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
 * differences read as settings (sweep keys are dotted already); samples:
 * keep sweep.samples. */
static void flatten(mlp_sb *sb, const mlp_node *n, const char *prefix, bool samples)
{
    if (n->kind == MLP_NODE_MAP && n->n > 0) {
        for (size_t i = 0; i < n->n; i++) {
            mlp_sb path = {0};
            mlp_sb_printf(&path, "%s%s%s", prefix, *prefix ? "." : "", n->keys[i]->text);
            char *p = mlp_sb_take(&path);
            if (p)
                flatten(sb, n->items[i], p, samples);
            free(p);
        }
        return;
    }
    /* run k of a random or Sobol search is the same whatever the number of
     * samples (they are the outermost dimension of the plan): a sweep with
     * more samples continues one with fewer.  Not under successive halving,
     * whose promotions depend on every run of a rung (samples kept) */
    if (!samples && !strcmp(prefix, "sweep.samples"))
        return;
    mlp_sb_printf(sb, "%s: ", prefix);
    mlp_node_put_flow(sb, n);
    mlp_sb_puts(sb, "\n");
}

/* What identifies this sweep's runs for --resume: the resolved spec (so
 * --set overrides count, but not sweep.samples, see flatten), every plugin
 * file's hash and the code's commit, so
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
        flatten(&sb, tree, "", st->spec->halving.on);
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

/* Keep text as <runs_dir>/<name> (a temporary of this process's own, since
 * shards write the same notes at once, then rename). */
mlp_status mlp_sweep_save_note(const sweep_state *st, const char *name, const char *text,
                               mlp_error *err)
{
    char path[4096], tmp[4200];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", st->runs_dir, name);
    snprintf(tmp, sizeof(tmp), "%s.%ld.note", path, (long)getpid());
    if (!(f = fopen(tmp, "wb")) || fputs(text, f) < 0 || fflush(f) != 0 ||
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

/* The identity, and how to load the spec again (for runner merge FOLDER). */
static mlp_status save_identity(const sweep_state *st, mlp_error *err)
{
    mlp_status rc = mlp_sweep_save_note(st, IDENTITY_FILE, st->identity, err);
    if (rc == MLP_OK && st->o->source && !st->o->merge)
        rc = mlp_sweep_save_note(st, "sweep.source", st->o->source, err);
    return rc;
}

char *mlp_sweep_folder_source(const char *runs_dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/sweep.source", runs_dir);
    return read_text_file(path);
}

void mlp_sweep_identify(sweep_state *st, const char *resolved)
{
    st->identity = run_identity(st, resolved);
    if (st->identity)
        mlp_sha256_hex(st->identity, strlen(st->identity), st->run_hash);
    else
        mlp_sha256_hex(resolved, strlen(resolved), st->run_hash);
}

/* "; what differs:" and the lines of the sweep.identity in the run folder
 * and of this sweep's that the other lacks (malloc'd); "" when the folder
 * has none or it is the same; NULL when out of memory. */
static char *what_differs(const sweep_state *st)
{
    char path[4096];
    mlp_sb why = {0};
    size_t shown = 0;

    snprintf(path, sizeof(path), "%s/" IDENTITY_FILE, st->runs_dir);
    char *old = read_text_file(path);
    if (old && st->identity && strcmp(old, st->identity)) {
        mlp_sb_puts(&why, "; what differs:");
        missing_lines(&why, old, st->identity, "then: ", &shown, 8);
        missing_lines(&why, st->identity, old, "now:  ", &shown, 16);
    }
    free(old);
    mlp_sb_puts(&why, "");
    return mlp_sb_take(&why);
}

/* What is already in the run folder decides what may happen: finished runs
 * are never overwritten unless --force says so, and runs of another spec
 * are never mixed in by --resume. */
mlp_status mlp_sweep_check_folder(sweep_state *st, unsigned char *done, mlp_error *err)
{
    const mlp_sweep_opts *o = st->o;
    const char *tag = st->tag[0] ? st->tag : NULL;
    bool keep = o->resume || o->merge;  /* the finished runs of this sweep are kept */
    size_t same, other, mine;
    char first_other[512];
    mlp_status rc;

    if (o->force) {
        /* under this writer's lock: a shard clears only its own part files */
        rc = mlp_results_clear_runs_tagged(st->runs_dir, tag, err);
        return rc == MLP_OK ? save_identity(st, err) : rc;
    }
    rc = mlp_results_clean_tmp_tagged(st->runs_dir, tag, err);
    if (rc == MLP_OK)
        rc = mlp_results_scan_runs_noting(st->runs_dir, st->run_hash, st->spec->plan.n_runs,
                                          done, &same, &other, first_other,
                                          sizeof(first_other), err);
    if (rc != MLP_OK)
        return rc;
    mine = same;
    if (o->n_shards > 0) {  /* the other shards' runs are theirs to keep */
        mine = 0;
        for (size_t k = 0; k < st->spec->plan.n_runs; k++)
            mine += done[k] && st->owner[k] == o->shard;
    }
    if (!keep && mine + other > 0)
        return mlp_fail(err, MLP_ERR_EXISTS,
                        "%s holds %zu finished run%s of an earlier, unfinished sweep%s "
                        "(use --resume to continue it, or --force to start over)",
                        st->runs_dir, mine + other, mine + other == 1 ? "" : "s",
                        o->n_shards ? " (of this shard)" : "");
    if (keep && same == 0 && access(o->output, F_OK) == 0) {
        char *hash = mlp_results_identity(o->output);
        bool same_sweep = hash && !strcmp(hash, st->run_hash);
        free(hash);
        return mlp_fail(err, MLP_ERR_EXISTS,
                        same_sweep ? "%s: the sweep is already complete (use --force to run it "
                                     "again%s)"
                                   : "%s: holds a finished sweep of a different spec, plugins, "
                                     "data or runner; --resume continues only an unfinished "
                                     "sweep (use --force to replace it, or -o for a new file)",
                        o->output,
                        same_sweep && st->spec->plan.kind != MLP_PLAN_GRID
                            ? "; to add samples to a finished search, keep its runs with "
                              "--keep-runs"
                            : "");
    }
    if (keep && other > 0) {
        char path[4096];
        mlp_sb why = {0};
        size_t shown = 0;
        snprintf(path, sizeof(path), "%s/" IDENTITY_FILE, st->runs_dir);
        char *old = read_text_file(path);
        if (old && st->identity) {
            mlp_sb diff = {0};
            missing_lines(&diff, old, st->identity, "then: ", &shown, 8);
            missing_lines(&diff, st->identity, old, "now:  ", &shown, 16);
            char *d = mlp_sb_take(&diff);
            if (shown)
                mlp_sb_printf(&why, "; what differs:%s", d ? d : "");
            else  /* the folder's notes are this sweep's: the part came from elsewhere */
                mlp_sb_printf(&why, "; this sweep is %.16s..., so that part was copied here "
                              "from another sweep's folder: remove it", st->run_hash);
            free(d);
        }
        free(old);
        char *w = mlp_sb_take(&why);
        mlp_fail(err, MLP_ERR_SPEC,
                 "%s holds %zu run%s of a different sweep (the spec, its --set overrides, "
                 "a plugin, a data file or the runner changed since they were written), "
                 "first %s; %s will not mix them: restore what changed, or use --force to "
                 "start over%s",
                 st->runs_dir, other, other == 1 ? "" : "s", first_other,
                 o->merge ? "merge" : "--resume", w ? w : "");
        free(w);
        return MLP_ERR_SPEC;
    }
    if (o->resume && same == 0) {
        /* interrupted before any run finished: nothing to mix, but --resume
         * means "the same sweep", and a changed spec is then a mistake */
        char *w = what_differs(st);
        if (w && *w) {
            mlp_fail(err, MLP_ERR_SPEC,
                     "%s: no run of the sweep it was started for has finished, and that "
                     "sweep differs from this one (the spec, its --set overrides, a plugin, a "
                     "data file or the runner changed); --resume continues only the same sweep: "
                     "restore what changed, or use --force to start this one%s",
                     st->runs_dir, w);
            free(w);
            return MLP_ERR_SPEC;
        }
        free(w);
    }
    return save_identity(st, err);
}
