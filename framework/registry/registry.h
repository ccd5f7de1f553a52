/* registry.h -- the plugin module: finding plugin files along the search
 * path, dlopen, checking every descriptor field, and parameter declarations.
 * A loaded plugin stays loaded until the registry is freed.
 * Owns the plugin ABI's host side: names, parameter declarations, descriptor
 * checks (registry/internal.h for what its files share).  May use: base/. */
#ifndef MLPLAB_REGISTRY_H
#define MLPLAB_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "mlplab/plugin.h"

typedef struct mlp_plugin {
    mlp_plugin_kind kind;
    char *name;                  /* descriptor's name */
    char *path;                  /* file it was loaded from (as found) */
    char sha256[65];             /* hex digest of the file's bytes */
    void *handle;                /* dlopen handle */
    const mlp_plugin_header *h;  /* the plugin's static descriptor */
    union {
        const mlp_activation_desc *act;
        const mlp_loss_desc *loss;
        const mlp_dataset_desc *data;
    } d;
} mlp_plugin;

typedef struct mlp_registry mlp_registry;

/* Search directories, in order: extra_dirs (--plugin-path, in the order
 * given), then MLPLAB_PLUGIN_PATH (colon-separated, read at create time),
 * then the build tree's plugin folder (skipped by an installed runner), then
 * the install prefix's: the one beside the running executable
 * (<bin>/../<libdir>/mlplab/plugins), then the configured one.  In a
 * directory D, a plugin `foo` of kind K is D/<K's folder>/foo.so (folders
 * "activations", "losses", "datasets") or D/foo.so. */
mlp_status mlp_registry_create(const char *const *extra_dirs, size_t n_extra,
                               mlp_registry **out, mlp_error *err);
void mlp_registry_free(mlp_registry *reg);

/* Plugin files that anyone could replace (world-writable, or in a
 * world-writable folder without the sticky bit) are refused, naming the
 * file or folder and its mode, unless allow is true
 * (--allow-insecure-plugins). */
void mlp_registry_allow_insecure(mlp_registry *reg, bool allow);
bool mlp_registry_insecure_allowed(const mlp_registry *reg);

/* A check discovery runs on each file before it loads it (NULL: none):
 * MLP_OK to go on, or a refusal, reported through `refused` like any other
 * and the file skipped.  `runner plugins` sets one that loads the file in a
 * child process first, so that a file that crashes its loader is named
 * instead of taking the listing down (cli/cmd_plugins.c). */
void mlp_registry_set_probe(mlp_registry *reg,
                            mlp_status (*probe)(void *ctx, const char *path, mlp_error *err),
                            void *ctx);

/* When pl (loaded by this registry) was found outside the folders of the
 * plugins shipped with mlplab (the build tree's, the installed ones) and a
 * shipped plugin of its kind and name exists there: that file's path
 * (malloc'd, the caller frees); else NULL. */
char *mlp_registry_shadowed(const mlp_registry *reg, const mlp_plugin *pl);

/* The i-th plugin loaded so far into *out (when i is below the count);
 * returns the count.  For the run's notes on the plugins a spec uses. */
size_t mlp_registry_loaded(const mlp_registry *reg, size_t i, const mlp_plugin **out);

/* Number and list of the search directories (for messages). */
size_t mlp_registry_dirs(const mlp_registry *reg, const char *const **dirs);

/* Find and load a plugin of `kind` by name, or by path when `name` contains
 * '/'.  Loading the same file twice returns the same mlp_plugin.  The result
 * is owned by the registry.  On refusal, err names the file and the reason
 * (no such file, not a shared object, no entry symbol, ABI mismatch, short
 * descriptor, missing function, bad parameter declaration, wrong kind). */
mlp_status mlp_registry_get(mlp_registry *reg, mlp_plugin_kind kind, const char *name,
                            const mlp_plugin **out, mlp_error *err);

/* Load a plugin file of any kind (for `runner plugins`). */
mlp_status mlp_registry_load_file(mlp_registry *reg, const char *path, const mlp_plugin **out,
                                  mlp_error *err);

/* Every plugin file found in the search directories (first of each kind and
 * name wins), loaded.  Files that refuse are reported through `refused`
 * (called once per such file) and skipped. *out is owned by the registry.
 * With a probe set (mlp_registry_set_probe), each file not loaded yet
 * passes it first. */
mlp_status mlp_registry_discover(mlp_registry *reg, const mlp_plugin *const **out, size_t *n,
                                 void (*refused)(void *ctx, const mlp_error *why), void *ctx,
                                 mlp_error *err);

/* True when a dataset plugin reads its points (ABI 1.1 describe/load)
 * rather than generating them. */
bool mlp_dataset_loads(const mlp_plugin *pl);

/* True when a dataset plugin has describe (ABI 1.1): its dim and classes
 * depend on its parameters (or its file). */
bool mlp_dataset_describes(const mlp_plugin *pl);

const char *mlp_kind_name(mlp_plugin_kind kind);         /* "activation", ... */
const char *mlp_param_type_name(mlp_param_type type);    /* "real", ... */

/* Index of declared parameter `key` in pl, or -1. */
int mlp_plugin_param_index(const mlp_plugin *pl, const char *key);

/* Defaults of every declared parameter into vals (n_params entries). */
void mlp_plugin_param_defaults(const mlp_plugin *pl, mlp_param_value *vals);

/* Check a parameter declaration table; on failure err says which entry and why.
 * `file` names the plugin file in the message. */
mlp_status mlp_plugin_check_params(const mlp_plugin_header *h, const char *file, mlp_error *err);

/* Check a whole descriptor as the loader does: ABI stamp, size, kind (`want`,
 * or 0 for any kind), name/version/help, the kind's functions and fields, and
 * the parameter table.  `file` names the plugin file in the message; when it
 * is not NULL the descriptor's name must equal the file's base name (less
 * ".so").  On failure err is MLP_ERR_PLUGIN and says why. */
mlp_status mlp_plugin_check_descriptor(const mlp_plugin_header *h, const char *file,
                                       mlp_plugin_kind want, mlp_error *err);

/* Most parameters a plugin may declare. */
#define MLP_MAX_PARAMS 64

#endif
