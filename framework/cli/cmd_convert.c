/* cmd_convert.c -- `runner convert IN.h5 OUT.h5`: a sweep file rewritten in
 * the other format (1: a group per run, 2: stacked arrays and the cube),
 * every number as it is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "cli/cli.h"
#include "results/results.h"
#include "spec/spec.h"

static const char convert_usage[] =
    "usage: runner convert IN.h5 OUT.h5 [--format 1|2] [--force]\n"
    "\n"
    "  rewrite a sweep file in the other layout: format 1 (a group per run,\n"
    "  /runs/run_<k>) becomes format 2 (arrays stacked over the runs, /cube),\n"
    "  format 2 becomes format 1; --format says which to write.  Every number\n"
    "  and every root attribute is kept as it is (format_version aside).\n"
    "  --force  replace OUT.h5 if it exists\n";

/* What convert needs of the input's root attributes: the spec it was built
 * from (for its grid), and its format. */
typedef struct probe {
    char *resolved;
    int version;
} probe;

static void keep_attr(void *ctx, const char *name, const char *value)
{
    probe *p = ctx;

    if (!strcmp(name, "spec_resolved") && !p->resolved)
        p->resolved = strdup(value);
    if (!strcmp(name, "format_version"))
        p->version = atoi(value);
}

int mlp_cli_convert(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    int format = 0, from = 0;
    bool force = false;
    struct stat sb;
    mlp_error err;
    probe p = {NULL, 1};
    mlp_spec *spec = NULL;
    size_t repeats = 0, axis_len[MLP_PLAN_MAX_AXES];

    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(convert_usage, stdout);
            return 0;
        } else if (mlp_cli_is_opt(a, "--format")) {
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, strlen("--format"))) ||
                (strcmp(v, "1") && strcmp(v, "2")))
                return mlp_cli_usage_error("--format expects 1 or 2, got '%s'", v ? v : "");
            format = v[0] - '0';
        } else if (!strcmp(a, "--force")) {
            force = true;
        } else if (a[0] == '-' && a[1]) {
            return mlp_cli_usage_error("unknown option '%s' of convert", a);
        } else if (!in) {
            in = a;
        } else if (!out) {
            out = a;
        } else {
            return mlp_cli_usage_error("unexpected argument '%s' (convert IN.h5 OUT.h5)", a);
        }
    }
    if (!in || !out)
        return mlp_cli_usage_error("%s", "convert needs IN.h5 and OUT.h5");
    if (!strcmp(in, out))
        return mlp_cli_usage_error("%s: convert writes a new file; give another name", out);
    if (stat(in, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fprintf(stderr, "runner: error: %s: no such results file\n", in);
        return EXIT_USAGE;
    }
    if (!force && stat(out, &sb) == 0) {
        fprintf(stderr, "runner: error: %s exists (use --force to replace it)\n", out);
        return EXIT_USAGE;
    }
    mlp_error_clear(&err);
    if (mlp_results_attributes(in, keep_attr, &p, &err) != MLP_OK) {
        free(p.resolved);
        return mlp_cli_report(&err);
    }
    /* the grid of format 2's /cube: the spec's answer, as when it ran */
    if (p.resolved &&
        mlp_spec_parse(p.resolved, strlen(p.resolved), in, NULL, 0, &spec, &err) == MLP_OK &&
        mlp_spec_grid(spec) && spec->plan.n_axes <= MLP_PLAN_MAX_AXES) {
        repeats = spec->plan.repeats;
        for (size_t a = 0; a < spec->plan.n_axes; a++)
            axis_len[a] = spec->plan.axis_len[a];
    }
    mlp_spec_free(spec);
    free(p.resolved);
    mlp_error_clear(&err);
    if (!format)
        format = p.version == 2 ? 1 : 2;  /* the other one */
    if (mlp_results_convert(in, out, format, repeats, axis_len, &from, &err) != MLP_OK)
        return mlp_cli_report(&err);
    printf("wrote %s: format %d, from %s (format %d)\n", out, format, in, from);
    return 0;
}
