/* fuzz_common.h -- what the two libFuzzer harnesses share: a registry of the
 * build's plugins (made once), invariants every successfully parsed spec must
 * satisfy, and validation of specs small enough to resolve quickly.  A broken
 * invariant calls abort(), which libFuzzer and the replay driver report as a
 * crash.  Header-only: each harness is one translation unit. */
#ifndef MLPLAB_FUZZ_COMMON_H
#define MLPLAB_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec.h"

#ifndef MLPLAB_FUZZ_PLUGIN_DIR
#error "MLPLAB_FUZZ_PLUGIN_DIR must name the build's plugin folder"
#endif

/* Validation resolves every sweep point; beyond this many the input is only
 * parsed, so that one input never takes seconds. */
#define FUZZ_MAX_VALIDATE_POINTS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mlp_registry *fuzz_reg;

static void fuzz_registry_free(void)
{
    mlp_registry_free(fuzz_reg);
    fuzz_reg = NULL;
}

/* The build's plugins only: MLPLAB_PLUGIN_PATH is ignored, so that a run
 * does not depend on the caller's environment. */
static mlp_registry *fuzz_registry(void)
{
    static int tried;

    if (!tried) {
        const char *dir = MLPLAB_FUZZ_PLUGIN_DIR;
        mlp_error err;

        tried = 1;
        unsetenv("MLPLAB_PLUGIN_PATH");
        if (mlp_registry_create(&dir, 1, &fuzz_reg, &err) != MLP_OK) {
            char msg[2048];
            mlp_error_format(&err, msg, sizeof(msg));
            fprintf(stderr, "fuzz: no registry (%s): parsing only\n", msg);
            fuzz_reg = NULL;
        } else {
            atexit(fuzz_registry_free);
        }
    }
    return fuzz_reg;
}

#define FUZZ_CHECK(cond)                                                                 \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "fuzz: invariant broken at %s:%d: %s\n", __FILE__, __LINE__, \
                    #cond);                                                              \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* Every node well formed: scalars have text, maps have scalar keys, each
 * key once; nesting no deeper than the parser allows, --set included (depth
 * counts the levels above n: the root map is level 1). */
static void fuzz_check_node(const mlp_node *n, int depth)
{
    FUZZ_CHECK(n != NULL);
    FUZZ_CHECK(n->kind == MLP_NODE_SCALAR || depth < MLP_SPEC_MAX_DEPTH);
    switch (n->kind) {
    case MLP_NODE_SCALAR:
        FUZZ_CHECK(n->text != NULL);
        FUZZ_CHECK(n->n == 0 && n->items == NULL && n->keys == NULL);
        break;
    case MLP_NODE_SEQ:
        FUZZ_CHECK(n->text == NULL && n->keys == NULL);
        FUZZ_CHECK(n->n == 0 || n->items != NULL);
        for (size_t i = 0; i < n->n; i++)
            fuzz_check_node(n->items[i], depth + 1);
        break;
    case MLP_NODE_MAP:
        FUZZ_CHECK(n->text == NULL);
        FUZZ_CHECK(n->n == 0 || (n->items != NULL && n->keys != NULL));
        for (size_t i = 0; i < n->n; i++) {
            FUZZ_CHECK(n->keys[i] != NULL && n->keys[i]->kind == MLP_NODE_SCALAR);
            FUZZ_CHECK(n->keys[i]->text != NULL);
            for (size_t j = 0; j < i; j++)
                FUZZ_CHECK(strcmp(n->keys[i]->text, n->keys[j]->text) != 0);
            FUZZ_CHECK(mlp_node_index(n, n->keys[i]->text) >= 0);
            fuzz_check_node(n->items[i], depth + 1);
        }
        break;
    default:
        FUZZ_CHECK(!"unknown node kind");
    }
}

/* True when s is valid UTF-8 (no overlongs, surrogates or code points past
 * U+10FFFF), as libyaml demands of its input. */
static int fuzz_utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        unsigned c = *p, n, cp;
        if (c < 0x80) {
            p++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            n = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            n = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            n = 3, cp = c & 0x07;
        else
            return 0;
        for (unsigned i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        p += n + 1;
    }
    return 1;
}

/* Some key or scalar of the tree is not valid UTF-8. */
static int fuzz_tree_has_bad_utf8(const mlp_node *n)
{
    if (n->text && !fuzz_utf8_ok(n->text))
        return 1;
    for (size_t i = 0; i < n->n; i++)
        if ((n->keys && fuzz_tree_has_bad_utf8(n->keys[i])) || fuzz_tree_has_bad_utf8(n->items[i]))
            return 1;
    return 0;
}

/* Levels of nesting below n (a scalar is 0). */
static int fuzz_tree_depth(const mlp_node *n)
{
    int d = 0;

    for (size_t i = 0; i < n->n; i++) {
        int c = fuzz_tree_depth(n->items[i]);
        if (c > d)
            d = c;
    }
    return n->kind == MLP_NODE_SCALAR ? 0 : d + 1;
}

/* text (YAML written by mlp_node_to_flow or mlp_node_to_yaml) parses, and
 * its tree's flow YAML is `flow`, the original tree's. */
static void fuzz_check_reads_back(const char *text, const char *flow, const char *what)
{
    mlp_node *back = NULL;
    mlp_error err;
    char *again;

    if (strlen(text) > MLP_SPEC_MAX_BYTES)
        return;
    mlp_error_clear(&err);
    if (mlp_yaml_parse(text, strlen(text), "roundtrip", &back, &err) != MLP_OK) {
        char msg[2048];
        mlp_error_format(&err, msg, sizeof(msg));
        fprintf(stderr, "fuzz: %s YAML does not parse back: %s\n--- text:\n%s\n", what, msg,
                text);
        FUZZ_CHECK(!"the tree's YAML parses back");
    }
    again = mlp_node_to_flow(back);
    FUZZ_CHECK(again != NULL);
    if (strcmp(flow, again) != 0)
        fprintf(stderr, "fuzz: %s round trip differs:\n%s\n%s\n", what, flow, again);
    FUZZ_CHECK(strcmp(flow, again) == 0);
    free(again);
    mlp_node_free(back);
}

/* Every text of the tree is valid UTF-8 (what libyaml reads, and what the
 * --set key check lets through), nesting is within the cap, and the tree
 * written as flow YAML and as block YAML reads back as the same tree. */
static void fuzz_check_roundtrip(const mlp_node *root)
{
    char *flow = mlp_node_to_flow(root), *block = mlp_node_to_yaml(root);

    FUZZ_CHECK(flow != NULL && block != NULL);
    FUZZ_CHECK(!fuzz_tree_has_bad_utf8(root));
    FUZZ_CHECK(fuzz_tree_depth(root) <= MLP_SPEC_MAX_DEPTH);
    fuzz_check_reads_back(flow, flow, "flow");
    fuzz_check_reads_back(block, flow, "block");
    free(block);
    free(flow);
}

/* What a successful mlp_spec_parse promises. */
static void fuzz_check_spec(const mlp_spec *spec)
{
    size_t runs = 1;

    FUZZ_CHECK(spec->root != NULL && spec->root->kind == MLP_NODE_MAP);
    FUZZ_CHECK(spec->name != NULL && spec->description != NULL);
    FUZZ_CHECK(spec->text != NULL && spec->text[spec->text_len] == '\0');
    FUZZ_CHECK(strlen(spec->sha256) == 64);
    FUZZ_CHECK(spec->repeats >= 1 && spec->plan.repeats == spec->repeats);
    FUZZ_CHECK(spec->n_axes == spec->plan.n_axes);
    for (size_t a = 0; a < spec->n_axes; a++) {
        const mlp_sweep_axis *ax = &spec->axes[a];
        FUZZ_CHECK(ax->path != NULL && ax->n >= 1 && ax->n == spec->plan.axis_len[a]);
        FUZZ_CHECK(ax->values != NULL && ax->labels != NULL);
        for (size_t i = 0; i < ax->n; i++) {
            FUZZ_CHECK(ax->values[i] != NULL && ax->labels[i] != NULL);
            fuzz_check_node(ax->values[i], 0);
        }
        FUZZ_CHECK(!ax->numeric || ax->num != NULL);
        FUZZ_CHECK(runs <= SIZE_MAX / ax->n);
        runs *= ax->n;
    }
    FUZZ_CHECK(runs <= SIZE_MAX / spec->repeats);
    runs *= spec->repeats;
    FUZZ_CHECK(spec->plan.n_runs == runs);
    FUZZ_CHECK(runs >= 1 && runs <= MLP_SPEC_MAX_RUNS);
    fuzz_check_node(spec->root, 0);
    fuzz_check_roundtrip(spec->root);
    if (spec->n_axes > 0) {
        mlp_plan_run run;
        mlp_plan_get(&spec->plan, runs - 1, &run);
        FUZZ_CHECK(run.index == runs - 1 && run.repeat < spec->repeats);
        for (size_t a = 0; a < spec->n_axes; a++)
            FUZZ_CHECK(run.value[a] < spec->axes[a].n);
    }
}

/* Validate (resolve every point with the build's plugins) when that is
 * cheap; if it succeeds, resolve the spec as a whole too.  Errors are fine:
 * only crashes, sanitizer reports and broken invariants count. */
static void fuzz_validate(const mlp_spec *spec)
{
    mlp_registry *reg = fuzz_registry();
    mlp_error err;

    if (!reg || spec->plan.n_runs / spec->plan.repeats > FUZZ_MAX_VALIDATE_POINTS)
        return;
    mlp_error_clear(&err);
    if (mlp_spec_validate(spec, reg, &err) == MLP_OK) {
        char *resolved = mlp_spec_resolved(spec, reg);
        mlp_node *back = NULL;

        FUZZ_CHECK(resolved != NULL);
        /* the resolved spec is YAML that reads back */
        if (mlp_yaml_parse(resolved, strlen(resolved), "resolved", &back, &err) != MLP_OK) {
            char msg[2048];
            mlp_error_format(&err, msg, sizeof(msg));
            fprintf(stderr, "fuzz: resolved spec does not parse: %s\n--- resolved:\n%s\n", msg,
                    resolved);
            FUZZ_CHECK(!"resolved spec parses");
        }
        mlp_node_free(back);
        free(resolved);
    } else {
        char msg[2048];
        mlp_error_format(&err, msg, sizeof(msg));
        FUZZ_CHECK(err.code != MLP_OK && msg[0] != '\0');
    }
}

/* A failed parse leaves *out alone and says what went wrong. */
static void fuzz_check_failure(mlp_status rc, const mlp_spec *spec, const mlp_error *err)
{
    char msg[2048];

    FUZZ_CHECK(spec == NULL);
    FUZZ_CHECK(err->code == rc);
    mlp_error_format(err, msg, sizeof(msg));
    FUZZ_CHECK(msg[0] != '\0');
}

#endif
