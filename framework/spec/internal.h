/* internal.h -- what the files of the spec room share and no other room
 * sees: error helpers, did-you-mean, typed access with messages, dotted
 * paths, plugin binding and one run's resolution.  Not a public header. */
#ifndef MLPLAB_SPEC_INTERNAL_H
#define MLPLAB_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/spec.h"

/* ---- vocabulary and errors (spec.c) ------------------------------------- */

/* File name of the nodes made from --set arguments. */
extern const char mlp_spec_set_file[];
/* The keys of a spec's top level; the words of train.optimizer and
 * train.schedule, in the order of mlp_optimizer and mlp_schedule. */
extern const char *const mlp_spec_top_keys[];
extern const char *const mlp_spec_optimizers[];
extern const char *const mlp_spec_schedules[];

mlp_status mlp_spec_nomem(mlp_error *err);
/* An MLP_ERR_SPEC error at n's place (no place when n is NULL). */
mlp_status mlp_spec_fail(mlp_error *err, const mlp_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- did you mean (suggest.c) ------------------------------------------- */

/* Keeps the closest candidate that is close enough to be a likely typo. */
typedef struct mlp_suggester {
    const char *word;
    char best[128];          /* the best candidate so far, or "" */
    size_t dist;
} mlp_suggester;

void mlp_suggest_init(mlp_suggester *s, const char *word);
void mlp_suggest_try(mlp_suggester *s, const char *cand);
/* " (did you mean 'x'?)" or "" into buf. */
const char *mlp_suggest_text(const mlp_suggester *s, char *buf, size_t len);

/* ---- typed access with messages (access.c) ------------------------------ */

/* Bounds of a real: [lo, hi] with each end open or closed; an infinite end
 * is no bound. */
typedef struct mlp_bounds {
    double lo, hi;
    bool lo_open, hi_open;
} mlp_bounds;

/* Any finite number (mlp_spec_to_real knows this object by its address). */
extern const mlp_bounds mlp_spec_any_real;

/* What a node is, for "got ..." in messages. */
const char *mlp_node_describe(const mlp_node *n, char *buf, size_t len);
mlp_status mlp_spec_wrong_type(const mlp_node *n, const char *expected, const char *name,
                               mlp_error *err);
/* Unknown keys of `map`: known (and extra, may be NULL) list what is allowed;
 * `where` completes "unknown key 'k' ..." (e.g. "in 'train'"). */
mlp_status mlp_spec_check_keys(const mlp_node *map, const char *where, const char *const *known,
                               const char *const *extra, mlp_error *err);
/* Value of key in map, or NULL when map is NULL, the key is absent, or null. */
const mlp_node *mlp_spec_get_opt(const mlp_node *map, const char *key);
/* A section that must be a mapping when given: *out is NULL when absent. */
mlp_status mlp_spec_get_section(const mlp_node *map, const char *key, const char *name,
                                const mlp_node **out, mlp_error *err);

/* The to_ functions read a node; the get_ ones read map's key, giving def
 * when it is absent or null.  `name` is the key's path in messages. */
mlp_status mlp_spec_to_int(const mlp_node *n, const char *name, int64_t min, int64_t max,
                           int64_t *out, mlp_error *err);
mlp_status mlp_spec_get_int(const mlp_node *map, const char *key, const char *name,
                            int64_t min, int64_t max, int64_t def, int64_t *out,
                            mlp_error *err);
mlp_status mlp_spec_get_size(const mlp_node *map, const char *key, const char *name,
                             int64_t min, int64_t max, int64_t def, size_t *out,
                             mlp_error *err);
/* A real in bounds; non-finite values only where an infinite bound allows. */
mlp_status mlp_spec_to_real(const mlp_node *n, const char *name, const mlp_bounds *b,
                            double *out, mlp_error *err);
mlp_status mlp_spec_get_real(const mlp_node *map, const char *key, const char *name,
                             mlp_bounds b, double def, double *out, mlp_error *err);
mlp_status mlp_spec_to_bool(const mlp_node *n, const char *name, bool *out, mlp_error *err);
mlp_status mlp_spec_get_bool(const mlp_node *map, const char *key, const char *name, bool def,
                             bool *out, mlp_error *err);
/* One of a NULL-terminated list of words; *out is its index. */
mlp_status mlp_spec_to_enum(const mlp_node *n, const char *name, const char *const *choices,
                            int *out, mlp_error *err);
mlp_status mlp_spec_get_enum(const mlp_node *map, const char *key, const char *name,
                             const char *const *choices, int def, int *out, mlp_error *err);
/* A string: any non-null scalar; *out points into the node. */
mlp_status mlp_spec_to_string(const mlp_node *n, const char *name, const char **out,
                              mlp_error *err);
/* Shortest text that reads back as exactly v, and reads as a real in YAML. */
void mlp_spec_real_text(double v, char *buf, size_t len);

/* ---- dotted paths and --set (paths.c) ----------------------------------- */

/* One part of a dotted path, with where it was written. */
typedef struct mlp_path_part {
    char *text;              /* owned */
    const char *file;
    int line, col;
} mlp_path_part;

void mlp_path_parts_free(mlp_path_part *p, size_t n);
/* Split `path` at dots (under a leading "sweep", the rest is one key).
 * Every part is placed at (file, line, col + its offset) when
 * per_part_cols, else at (file, line, col).  Empty parts are refused with
 * *empty set (the caller words the message). */
mlp_status mlp_path_split(const char *path, const char *file, int line, int col,
                          bool per_part_cols, mlp_path_part **out, size_t *n_out, bool *empty,
                          mlp_error *err);
/* The reader's nesting cap for val put at parts[0..n). */
mlp_status mlp_path_check_depth(const mlp_path_part *parts, size_t n, const mlp_node *val,
                                mlp_error *err);
/* Put val (taken, freed on failure) at parts[0..n) under root, a map:
 * missing or null maps on the way are made, and a scalar plugin reference
 * on the way becomes {plugin: name}.  `verb` words the message ("set",
 * "sweep") when the path crosses a value that is not a mapping. */
mlp_status mlp_path_set(mlp_node *root, const mlp_path_part *parts, size_t n, mlp_node *val,
                        const char *verb, mlp_error *err);
/* The node at parts[0..n) through maps only, or NULL. */
const mlp_node *mlp_path_lookup(const mlp_node *root, const mlp_path_part *parts, size_t n);
/* Remove the entry at parts[0..n) through maps, if it is there. */
void mlp_path_delete(mlp_node *root, const mlp_path_part *parts, size_t n);
/* One --set argument "dotted.path=VALUE" applied to root. */
mlp_status mlp_spec_apply_set(mlp_node *root, const char *arg, mlp_error *err);

/* ---- sweep expansion (expand.c) ----------------------------------------- */

/* spec->root's sweep into spec->axes and spec->plan. */
mlp_status mlp_spec_expand_sweep(mlp_spec *spec, mlp_error *err);

/* ---- plugins (bind.c) --------------------------------------------------- */

/* Frees u's parameters (and their strings); u is left empty. */
void mlp_plugin_use_free(mlp_plugin_use *u);
/* A file path given in a spec is relative to the spec's folder (one given
 * with --set, to the working directory).  malloc'd. */
char *mlp_spec_file_path(const char *path, const char *spec_file);
/* A plugin reference at `ref` (NULL: absent, then `def` or an error placed
 * at `owner`): a name, or {plugin: name, params...}; `host` lists keys of
 * the map that belong to the host, `name` is the reference's path. */
mlp_status mlp_spec_resolve_plugin(const mlp_node *ref, const mlp_node *owner,
                                   mlp_plugin_kind kind, const char *name, const char *def,
                                   const char *const *host, mlp_registry *reg,
                                   mlp_plugin_use *use, mlp_error *err);

/* ---- one run (resolve.c) ------------------------------------------------ */

/* Every section of a run's tree into cfg (zeroed first; freed on failure). */
mlp_status mlp_spec_resolve_run(const mlp_node *root, mlp_registry *reg, mlp_config *cfg,
                                mlp_error *err);
/* Run k's tree: the root with each axis's value set at its path. */
mlp_status mlp_spec_run_tree(const mlp_spec *spec, size_t k, mlp_node **out, mlp_error *err);

#endif
