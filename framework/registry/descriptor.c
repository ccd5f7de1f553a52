/* descriptor.c -- the check of a whole plugin descriptor, field by field, with
 * a message naming the file and the reason; and what a dataset descriptor offers. */
#include <math.h>
#include <string.h>

#include "registry/internal.h"

/* The size a descriptor of this kind must have at least, for the ABI minor
 * it was built against (fields added by later minors are not read). */
static size_t kind_size(mlp_plugin_kind kind, unsigned minor)
{
    switch (kind) {
    case MLP_KIND_ACTIVATION: return sizeof(mlp_activation_desc);
    case MLP_KIND_LOSS: return sizeof(mlp_loss_desc);
    case MLP_KIND_DATASET:
        return minor >= 1 ? sizeof(mlp_dataset_desc) : MLP_DATASET_DESC_SIZE_1_0;
    }
    return sizeof(mlp_plugin_header);
}

bool mlp_dataset_describes(const mlp_plugin *pl)
{
    return pl->kind == MLP_KIND_DATASET && pl->h->abi_minor >= 1 &&
           pl->h->size >= sizeof(mlp_dataset_desc) && pl->d.data->describe;
}

bool mlp_dataset_loads(const mlp_plugin *pl)
{
    const mlp_dataset_desc *d = pl->d.data;

    return pl->kind == MLP_KIND_DATASET && pl->h->abi_minor >= 1 &&
           pl->h->size >= sizeof(mlp_dataset_desc) && d->describe && d->load;
}

/* The kind's own fields: functions present, dataset shape sensible. */
static mlp_status check_kind_fields(const mlp_plugin_header *h, const char *f, mlp_error *err)
{
    const mlp_activation_desc *act = (const mlp_activation_desc *)h;
    const mlp_loss_desc *loss = (const mlp_loss_desc *)h;
    const mlp_dataset_desc *data = (const mlp_dataset_desc *)h;
    const double *e;

    switch ((mlp_plugin_kind)h->kind) {
    case MLP_KIND_ACTIVATION:
        if (!act->forward)
            return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: missing function: forward is NULL", f);
        if (!act->backward)
            return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: missing function: backward is NULL",
                            f);
        break;
    case MLP_KIND_LOSS:
        if (!loss->loss)
            return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: missing function: loss is NULL", f);
        if (!loss->predict)
            return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: missing function: predict is NULL",
                            f);
        break;
    case MLP_KIND_DATASET: {
        bool loads = h->abi_minor >= 1 && data->load;
        if (loads && !data->describe)
            return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: missing function: describe is NULL "
                            "(a dataset that loads needs both describe and load)", f);
        if (!data->generate && !loads)
            return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: missing function: generate is NULL",
                            f);
        if (loads && data->dim == 0 && data->classes == 0)
            break;  /* the shape comes from describe */
        if (data->dim == 0)
            return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: dataset dimension (dim) is 0", f);
        if (data->classes < 2)
            return mlp_fail(err, MLP_ERR_PLUGIN,
                            "plugin %s: a dataset needs at least 2 classes, not %u", f,
                            (unsigned)data->classes);
        e = data->extent;
        for (int i = 0; i < 4; i++)
            if (!isfinite(e[i]))
                return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: bad extent: value %d is %g", f,
                                i, e[i]);
        /* a plotting extent only means something for 2-D inputs */
        if (data->dim == 2 && !(e[0] < e[1] && e[2] < e[3]))
            return mlp_fail(err, MLP_ERR_PLUGIN,
                            "plugin %s: bad extent [%g, %g, %g, %g]: need xmin < xmax and "
                            "ymin < ymax",
                            f, e[0], e[1], e[2], e[3]);
        break;
    }
    }
    return MLP_OK;
}

mlp_status mlp_plugin_check_descriptor(const mlp_plugin_header *h, const char *file,
                                       mlp_plugin_kind want, mlp_error *err)
{
    const char *f = file ? file : "(descriptor)";
    const char *stem;
    size_t stem_len;
    mlp_status st;

    /* size, abi_major and abi_minor sit at the head of every ABI's header */
    if (h->abi_major != MLP_ABI_MAJOR)
        return mlp_fail(err, MLP_ERR_PLUGIN,
                        "plugin %s: ABI major mismatch: built for ABI %u.%u, this runner speaks "
                        "%d.%d; rebuild the plugin against this runner's mlplab/plugin.h",
                        f, (unsigned)h->abi_major, (unsigned)h->abi_minor, MLP_ABI_MAJOR,
                        MLP_ABI_MINOR);
    if (h->abi_minor > MLP_ABI_MINOR)
        return mlp_fail(err, MLP_ERR_PLUGIN,
                        "plugin %s: ABI minor too new: built for ABI %u.%u, this runner speaks "
                        "%d.%d; upgrade the runner or rebuild the plugin",
                        f, (unsigned)h->abi_major, (unsigned)h->abi_minor, MLP_ABI_MAJOR,
                        MLP_ABI_MINOR);
    if (h->size < sizeof(mlp_plugin_header))
        return mlp_fail(err, MLP_ERR_PLUGIN,
                        "plugin %s: short descriptor: size %u is smaller than the header (%zu "
                        "bytes)",
                        f, (unsigned)h->size, sizeof(mlp_plugin_header));
    if (!mlp_kind_valid(h->kind))
        return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: unknown kind %u", f, (unsigned)h->kind);
    if (want && h->kind != (uint32_t)want)
        return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: wrong kind: it is %s plugin, not %s", f,
                        mlp_kind_article((mlp_plugin_kind)h->kind), mlp_kind_article(want));
    if (h->size < kind_size((mlp_plugin_kind)h->kind, h->abi_minor))
        return mlp_fail(err, MLP_ERR_PLUGIN,
                        "plugin %s: short descriptor: size %u is smaller than %s descriptor "
                        "of ABI %u.%u (%zu bytes)",
                        f, (unsigned)h->size, mlp_kind_article((mlp_plugin_kind)h->kind),
                        (unsigned)h->abi_major, (unsigned)h->abi_minor,
                        kind_size((mlp_plugin_kind)h->kind, h->abi_minor));
    if (!h->name || !*h->name)
        return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: missing name in the descriptor", f);
    if (!mlp_name_valid(h->name))
        return mlp_fail(err, MLP_ERR_PLUGIN,
                        "plugin %s: bad name '%.*s': a plugin name is [a-z][a-z0-9_]*, at most "
                        "%d characters",
                        f, MAX_NAME + 1, h->name, MAX_NAME);
    if (!h->version || !*h->version)
        return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: missing version in the descriptor", f);
    if (!h->help || !*h->help)
        return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: missing help in the descriptor", f);
    if (file) {
        stem = mlp_file_stem(file, &stem_len);
        if (strlen(h->name) != stem_len || strncmp(h->name, stem, stem_len) != 0)
            return mlp_fail(err, MLP_ERR_PLUGIN,
                            "plugin %s: name mismatch: the descriptor says '%s' but the file is "
                            "named '%.*s'",
                            f, h->name, (int)stem_len, stem);
    }
    st = check_kind_fields(h, f, err);
    if (st)
        return st;
    return mlp_plugin_check_params(h, file, err);
}
