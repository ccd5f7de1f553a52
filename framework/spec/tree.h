/* tree.h -- the YAML tree at the bottom of the spec room: nodes that keep
 * their file:line:col, parsing through libyaml's event API, scalar typing
 * (YAML 1.2 core schema) and writing a tree back as flow or block YAML.
 * May use: base/.  Knows nothing about specs, plugins or training. */
#ifndef MLPLAB_SPEC_TREE_H
#define MLPLAB_SPEC_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define MLP_SPEC_MAX_BYTES (1u << 20)  /* 1 MiB */
#define MLP_SPEC_MAX_DEPTH 32          /* nesting levels */

/* ---- the YAML tree ------------------------------------------------------ */

typedef enum mlp_node_kind { MLP_NODE_SCALAR, MLP_NODE_SEQ, MLP_NODE_MAP } mlp_node_kind;

typedef struct mlp_node {
    mlp_node_kind kind;
    const char *file;        /* source name; storage owned by whoever parsed it */
    int line, col;           /* 1-based position of the node's first character */
    char *text;              /* SCALAR: its text (UTF-8); NULL otherwise */
    bool quoted;             /* SCALAR: written quoted or as a block: always a string */
    size_t n;                /* SEQ: items; MAP: entries */
    struct mlp_node **items; /* SEQ: items; MAP: values */
    struct mlp_node **keys;  /* MAP: keys (scalars), parallel to items */
    size_t cap;              /* SEQ, MAP: slots allocated in items (and keys); grows by
                              * doubling (mlp_node_append); may be 0 with n > 0 when the
                              * arrays were sized exactly by hand */
} mlp_node;

/* Parse YAML text into a tree.  `file` is used in marks and messages and
 * must outlive the tree.  Refuses (MLP_ERR_SPEC, with the place) anchors,
 * aliases, tags other than the core ones, nesting deeper than
 * MLP_SPEC_MAX_DEPTH, text longer than MLP_SPEC_MAX_BYTES, duplicate keys,
 * non-scalar keys, more than one document, and YAML syntax errors. */
mlp_status mlp_yaml_parse(const char *text, size_t len, const char *file, mlp_node **out,
                          mlp_error *err);
void mlp_node_free(mlp_node *n);
mlp_node *mlp_node_clone(const mlp_node *n);
/* Value for `key` in a map, or NULL. */
const mlp_node *mlp_node_get(const mlp_node *map, const char *key);
/* Compact one-line flow YAML of a node ("3", "[4, 8]", "{plugin: relu}"); malloc'd. */
char *mlp_node_to_flow(const mlp_node *n);
/* Block YAML of a tree, malloc'd (used for the resolved spec).  Both writers
 * give text that mlp_yaml_parse reads back as the same tree (same texts, same
 * typing), whatever bytes the tree's scalars hold, so long as they are valid
 * UTF-8 (the parser and --set guarantee it). */
char *mlp_node_to_yaml(const mlp_node *n);

/* Scalar typing, YAML 1.2 core schema; a quoted scalar is always a string. */
bool mlp_scalar_is_null(const mlp_node *n);
bool mlp_scalar_bool(const mlp_node *n, bool *v);
bool mlp_scalar_int(const mlp_node *n, int64_t *v);   /* decimal, 0x, 0o; no fraction */
bool mlp_scalar_uint64(const mlp_node *n, uint64_t *v);
bool mlp_scalar_real(const mlp_node *n, double *v);   /* also accepts integers, .inf, .nan */

/* ---- building and writing trees -------------------------------------- */

/* A new node with no children/text; NULL when out of memory. */
mlp_node *mlp_node_new(mlp_node_kind kind, const char *file, int line, int col);
/* A scalar with a copy of text. */
mlp_node *mlp_node_scalar(const char *text, bool quoted, const char *file, int line, int col);
/* Append an item (SEQ, key NULL) or entry (MAP); on false the caller keeps both. */
bool mlp_node_append(mlp_node *n, mlp_node *key, mlp_node *val);
/* Index of `key` in a map, or -1. */
int mlp_node_index(const mlp_node *map, const char *key);

/* A growing NUL-terminated text buffer; oom is set (and sticks) on a failed
 * allocation.  Start from {0}; mlp_sb_take hands over the text or NULL. */
typedef struct mlp_sb {
    char *buf;
    size_t len, cap;
    bool oom;
} mlp_sb;
void mlp_sb_putn(mlp_sb *sb, const char *s, size_t n);
void mlp_sb_puts(mlp_sb *sb, const char *s);
void mlp_sb_printf(mlp_sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *mlp_sb_take(mlp_sb *sb);
/* Flow YAML of a node appended to sb. */
void mlp_node_put_flow(mlp_sb *sb, const mlp_node *n);

#endif
