/* names.c -- the names of the plugin module: kinds (as words, with an article,
 * as folders), parameter types, the plugin and parameter name rule, and the
 * name a plugin file gives. */
#include <string.h>

#include "registry/internal.h"

const char *mlp_kind_name(mlp_plugin_kind kind)
{
    switch (kind) {
    case MLP_KIND_ACTIVATION: return "activation";
    case MLP_KIND_LOSS: return "loss";
    case MLP_KIND_DATASET: return "dataset";
    }
    return "unknown";
}

/* "an activation", "a loss", ... for messages. */
const char *mlp_kind_article(mlp_plugin_kind kind)
{
    switch (kind) {
    case MLP_KIND_ACTIVATION: return "an activation";
    case MLP_KIND_LOSS: return "a loss";
    case MLP_KIND_DATASET: return "a dataset";
    }
    return "an unknown";
}

const char *mlp_kind_folder(mlp_plugin_kind kind)
{
    switch (kind) {
    case MLP_KIND_ACTIVATION: return "activations";
    case MLP_KIND_LOSS: return "losses";
    case MLP_KIND_DATASET: return "datasets";
    }
    return NULL;
}

bool mlp_kind_valid(uint32_t kind)
{
    return kind >= MLP_KIND_ACTIVATION && kind <= MLP_KIND_DATASET;
}

const char *mlp_param_type_name(mlp_param_type type)
{
    switch (type) {
    case MLP_PARAM_REAL: return "real";
    case MLP_PARAM_INT: return "int";
    case MLP_PARAM_BOOL: return "bool";
    case MLP_PARAM_ENUM: return "enum";
    case MLP_PARAM_STRING: return "string";
    }
    return "unknown";
}

/* [a-z][a-z0-9_]*, at most MAX_NAME characters. */
bool mlp_name_valid(const char *s)
{
    size_t i;

    if (!s || !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (i = 1; s[i]; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return i <= MAX_NAME;
}

/* The file's base name less a ".so" suffix: start and length. */
const char *mlp_file_stem(const char *path, size_t *len)
{
    const char *base = strrchr(path, '/');
    size_t n;

    base = base ? base + 1 : path;
    n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".so") == 0)
        n -= 3;
    *len = n;
    return base;
}
