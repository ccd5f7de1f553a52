/* spec.c -- the spec's shared vocabulary (top-level keys, optimizer and
 * schedule words, the --set file name) and the errors every file of the
 * room raises, placed at the file:line:col of the node at fault. */
#include "spec/internal.h"

#include <stdarg.h>

/* File name of the nodes made from --set arguments. */
const char mlp_spec_set_file[] = "--set";

const char *const mlp_spec_top_keys[] = {"name",   "description", "seed",  "dataset", "model",
                                         "loss",   "train",       "sweep", "repeats", "record",
                                         "output", "max_runs",    NULL};
const char *const mlp_spec_optimizers[] = {"gd", "sgd", "momentum", "adam", NULL};
const char *const mlp_spec_schedules[] = {"constant", "invscaling", "step", "cosine", NULL};

mlp_status mlp_spec_nomem(mlp_error *err)
{
    return mlp_fail(err, MLP_ERR_NOMEM, "spec: out of memory");
}

mlp_status mlp_spec_fail(mlp_error *err, const mlp_node *n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (n)
        mlp_vfail_at(err, MLP_ERR_SPEC, n->file, n->line, n->col, fmt, ap);
    else
        mlp_vfail_at(err, MLP_ERR_SPEC, NULL, 0, 0, fmt, ap);
    va_end(ap);
    return MLP_ERR_SPEC;
}
