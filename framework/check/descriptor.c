/* descriptor.c -- the first checks of every kind: the descriptor as the loader
 * checks it, described in one line, and each parameter declaration. */
#include "check/internal.h"

void mlp_check_descriptor(checker *c)
{
    const mlp_plugin *pl = c->pl;
    const mlp_plugin_header *h = pl->h;
    mlp_error e;

    mlp_error_clear(&e);
    if (mlp_plugin_check_descriptor(h, pl->path, pl->kind, &e) != MLP_OK) {
        mlp_check_say(c, "%s", e.msg);
        mlp_check_emit_plain(c, "descriptor", MLP_CHECK_FAIL, "");
        return;
    }
    mlp_check_say(c, "%s '%s' version %s from %s: ABI %u.%u (this host speaks %d.%d), descriptor "
        "of %u bytes, %u parameter%s",
        mlp_kind_name(pl->kind), h->name, h->version, pl->path, (unsigned)h->abi_major,
        (unsigned)h->abi_minor, MLP_ABI_MAJOR, MLP_ABI_MINOR, (unsigned)h->size,
        (unsigned)h->n_params, h->n_params == 1 ? "" : "s");
    switch (pl->kind) {
    case MLP_KIND_ACTIVATION:
        mlp_check_add(c, "; forward and backward present; in place claimed: forward %s, backward "
            "%s",
            pl->d.act->flags & MLP_ACT_FORWARD_INPLACE ? "yes" : "no",
            pl->d.act->flags & MLP_ACT_BACKWARD_INPLACE ? "yes" : "no");
        break;
    case MLP_KIND_LOSS:
        mlp_check_add(c, "; loss and predict present; %s",
            pl->d.loss->flags & MLP_LOSS_MULTICLASS ? "multi-class (one output per class)"
                                                    : "binary (one output)");
        break;
    case MLP_KIND_DATASET: {
        const mlp_dataset_desc *d = pl->d.data;
        if (mlp_dataset_loads(pl))
            mlp_check_add(c, "; loads from a source (describe and load)%s",
                d->generate ? ", and generates" : "");
        else
            mlp_check_add(c, "; generates points");
        if (d->dim)
            mlp_check_add(c, "; %u input%s, %u classes, extent [%g, %g, %g, %g]", (unsigned)d->dim,
                d->dim == 1 ? "" : "s", (unsigned)d->classes, d->extent[0], d->extent[1],
                d->extent[2], d->extent[3]);
        break;
    }
    }
    mlp_check_emit_plain(c, "descriptor", MLP_CHECK_PASS, "");

    /* each declaration, checked as the loader does, one prefix at a time */
    for (uint32_t i = 0; i < h->n_params; i++) {
        const mlp_param_decl *d = &h->params[i];
        mlp_plugin_header prefix = *h;
        char def[128];
        mlp_param_value v = {.num = d->def, .str = d->def_str};

        prefix.n_params = i + 1;
        mlp_error_clear(&e);
        if (mlp_plugin_check_params(&prefix, pl->path, &e) != MLP_OK) {
            mlp_check_say(c, "%s", e.msg);
            mlp_check_emit_plain(c, "parameter", MLP_CHECK_FAIL, "");
            continue;
        }
        mlp_check_value_text(d, &v, def, sizeof(def));
        mlp_check_say(c, "%s: %s, default %s", d->name, mlp_param_type_name(d->type),
            d->type == MLP_PARAM_STRING && !d->def_str ? "none (required)" : def);
        if (d->type == MLP_PARAM_REAL || d->type == MLP_PARAM_INT)
            mlp_check_add(c, ", bounds [%g, %g]", d->min, d->max);
        if (d->type == MLP_PARAM_ENUM)
            mlp_check_add(c, ", one of %s", d->choices);
        mlp_check_add(c, ": %s", d->help);
        mlp_check_emit_plain(c, "parameter", MLP_CHECK_PASS, "");
    }
}
