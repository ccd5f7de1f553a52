/* internal.h -- what the files of the plugin module share (names.c, params.c,
 * descriptor.c, registry.c).  Private to registry/; registry.h is the public side. */
#ifndef MLPLAB_REGISTRY_INTERNAL_H
#define MLPLAB_REGISTRY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "registry/registry.h"

#define MAX_NAME 63      /* longest plugin or parameter name */

/* names.c */
const char *mlp_kind_article(mlp_plugin_kind kind);
const char *mlp_kind_folder(mlp_plugin_kind kind);
bool mlp_kind_valid(uint32_t kind);
bool mlp_name_valid(const char *s);
const char *mlp_file_stem(const char *path, size_t *len);

#endif
