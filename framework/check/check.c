/* check.c -- the entry of the plugin self-test behind `runner check-plugin`:
 * the settings a plugin is checked at, then which checks run for its kind
 * (the policy behind them is in internal.h). */
#include "check/check.h"

#include <stdlib.h>
#include <string.h>

#include "check/internal.h"

mlp_status mlp_check_plugin(const mlp_plugin *pl, const mlp_check_opts *opts,
                            void (*line)(void *ctx, const mlp_check_line *l), void *ctx,
                            mlp_check_summary *out, mlp_error *err)
{
    mlp_param_value base[MLP_MAX_PARAMS];
    bool fixed[MLP_MAX_PARAMS] = {false};
    const char *missing = NULL;
    checker c;
    mlp_status st;

    memset(&c, 0, sizeof(c));
    c.pl = pl;
    c.np = pl->h->n_params;
    c.line = line;
    c.ctx = ctx;
    c.n_sets = opts ? opts->n_sets : 0;
    c.threads = opts && opts->threads > 0 ? opts->threads : DEFAULT_THREADS;
    c.timeout = opts && opts->timeout > 0 ? opts->timeout : DEFAULT_TIMEOUT;
    if (c.np > MLP_MAX_PARAMS)
        return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: %u parameters, at most %d allowed",
                        pl->path, (unsigned)c.np, MLP_MAX_PARAMS);
    mlp_plugin_param_defaults(pl, base);
    if ((st = mlp_check_apply_sets(pl, opts, base, fixed, err)))
        return st;
    memcpy(c.fixed, fixed, sizeof(c.fixed));

    mlp_check_descriptor(&c);
    for (uint32_t i = 0; i < c.np && !missing; i++)
        if (pl->h->params[i].type == MLP_PARAM_STRING && !base[i].str)
            missing = pl->h->params[i].name;
    if (missing) {
        mlp_check_say(&c, "functional checks skipped: parameter '%s' has no default (give it: "
            "check-plugin %s --set %s=...)", missing, pl->name, missing);
        mlp_check_emit_plain(&c, pl->kind == MLP_KIND_DATASET ? "load" : "parameter",
                             MLP_CHECK_NOTE, "");
        goto done;
    }
    /* a dataset that loads from a file is checked at the given setting only:
     * moving a column index or a path over its range means nothing */
    st = mlp_check_make_settings(&c, base, fixed, !mlp_dataset_loads(pl), err);
    if (st)
        goto done;
    switch (pl->kind) {
    case MLP_KIND_ACTIVATION: st = mlp_check_activation(&c, err); break;
    case MLP_KIND_LOSS: st = mlp_check_loss(&c, err); break;
    case MLP_KIND_DATASET: st = mlp_check_dataset(&c, err); break;
    }
done:
    free(c.set);
    free(c.values);
    if (st == MLP_OK && out)
        *out = c.sum;
    return st;
}
