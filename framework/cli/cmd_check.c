/* cmd_check.c -- `runner check-plugin`: find or load one plugin (by file or
 * by name, in every kind or --kind) and print each self-test's verdict. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "cli/cli.h"
#include "registry/registry.h"

static const mlp_plugin_kind kinds[] = {MLP_KIND_ACTIVATION, MLP_KIND_LOSS, MLP_KIND_DATASET};

/* The command line of check-plugin. */
typedef struct check_args {
    options o;                   /* plugin_dirs only */
    const char *target;          /* NAME or FILE.so */
    const char *sets[MAX_LIST];
    size_t n_sets;
    mlp_plugin_kind want;        /* --kind, 0 for every kind */
    double timeout;              /* --timeout, seconds per check; 0 for the default */
} check_args;

/* `runner check-plugin`: one line per check, then the counts.  Exit 0 when
 * every check passes, 1 when one fails, 2 for usage errors and plugins that
 * cannot be found or loaded. */
static void print_check_line(void *ctx, const mlp_check_line *l)
{
    static const char *const verdict[] = {"PASS", "FAIL", "NOTE"};

    (void)ctx;
    printf("%s  %-13s %s\n", verdict[l->verdict], l->check, l->msg);
}

/* argv[2..] into c: 0, or the exit status of a usage error (already printed). */
static int parse_check_args(int argc, char **argv, check_args *c)
{
    int code;

    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v;
        if (mlp_cli_is_opt(a, "--plugin-path")) {
            if ((code = mlp_cli_parse_plugin_path(argc, argv, &i, &c->o)))
                return code;
        } else if (strcmp(a, "--allow-insecure-plugins") == 0) {
            c->o.allow_insecure = true;
        } else if (mlp_cli_is_opt(a, "--kind")) {
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, strlen("--kind"))))
                return mlp_cli_usage_error("%s needs activation, loss or dataset", "--kind");
            c->want = 0;
            for (size_t k = 0; k < 3; k++)
                if (!strcmp(v, mlp_kind_name(kinds[k])))
                    c->want = kinds[k];
            if (!c->want)
                return mlp_cli_usage_error("--kind expects activation, loss or dataset, not '%s'",
                                           v);
        } else if (mlp_cli_is_opt(a, "--timeout")) {
            char *end;
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, strlen("--timeout"))))
                return mlp_cli_usage_error("%s needs a number of seconds", "--timeout");
            c->timeout = strtod(v, &end);
            if (end == v || *end || !(c->timeout > 0.0))
                return mlp_cli_usage_error("--timeout expects seconds > 0, not '%s'", v);
        } else if (mlp_cli_is_opt(a, "--set")) {
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, strlen("--set"))))
                return mlp_cli_usage_error("%s needs KEY=VALUE", "--set");
            if (c->n_sets == MAX_LIST)
                return mlp_cli_usage_error("too many --set options (%s)", v);
            c->sets[c->n_sets++] = v;
        } else if (a[0] == '-' && a[1] != '\0') {
            return mlp_cli_usage_error("runner check-plugin: unknown option '%s'", a);
        } else if (!c->target) {
            c->target = a;
        } else {
            return mlp_cli_usage_error("runner check-plugin: unexpected argument '%s' (one plugin)",
                                       a);
        }
    }
    if (!c->target)
        return mlp_cli_usage_error("usage: %s check-plugin NAME|FILE.so [--kind KIND] "
                                   "[--plugin-path DIR] [--set KEY=VALUE] [--timeout SECONDS]", "runner");
    return 0;
}

/* Whether a lookup error says a file was found and refused (rather than
 * "not found" or "wrong kind"). */
static bool refused_by_file(const mlp_error *e)
{
    return !strncmp(e->msg, "plugin ", 7) && !strstr(e->msg, "wrong kind");
}

/* The plugins c->target names into found[] (up to 3, one per kind): a path is
 * loaded as given; a name is looked up in every kind (or --kind).  Returns 0,
 * or EXIT_USAGE when none is found, the reasons printed. */
static int find_plugins(mlp_registry *reg, const check_args *c, const mlp_plugin *found[3],
                        size_t *n_found, bool quiet)
{
    mlp_error errs[3];
    bool refused = false;

    *n_found = 0;
    if (strchr(c->target, '/') && !c->want) {
        if (mlp_registry_load_file(reg, c->target, &found[0], &errs[0]) == MLP_OK) {
            *n_found = 1;
            return 0;
        }
        if (!quiet)
            mlp_cli_report(&errs[0]);
        return EXIT_USAGE;
    }
    for (size_t k = 0; k < 3; k++) {
        const mlp_plugin *pl;
        mlp_error_clear(&errs[k]);
        if (c->want && kinds[k] != c->want)
            continue;
        if (mlp_registry_get(reg, kinds[k], c->target, &pl, &errs[k]) == MLP_OK)
            found[(*n_found)++] = pl;
        else if (refused_by_file(&errs[k]))
            refused = true; /* a file was found, and it refused */
    }
    /* nothing found: the refusals say why, else every "not found" */
    for (size_t k = 0; k < 3 && !*n_found; k++) {
        if (c->want && kinds[k] != c->want)
            continue;
        if (!quiet && (!refused || refused_by_file(&errs[k])))
            mlp_cli_report(&errs[k]);
    }
    return *n_found ? 0 : EXIT_USAGE;
}

/* The lookup, in a child process: loading runs the plugin's code (its
 * constructors and entry function), which may crash or hang. */
typedef struct lookup {
    mlp_registry *reg;
    const check_args *c;
} lookup;

static void lookup_quietly(void *arg)
{
    const lookup *l = arg;
    const mlp_plugin *found[3];
    size_t n;

    find_plugins(l->reg, l->c, found, &n, true);
}

int mlp_cli_check_plugin(int argc, char **argv)
{
    check_args c;
    const mlp_plugin *found[3];
    size_t n_found;
    mlp_error err;
    mlp_registry *reg = NULL;
    mlp_check_summary total = {0};
    int code = 0;

    memset(&c, 0, sizeof(c));
    mlp_error_clear(&err);
    if ((code = parse_check_args(argc, argv, &c)))
        return code;
    if (mlp_cli_open_registry(&c.o, &reg, &err) != MLP_OK) {
        mlp_cli_report(&err);
        code = EXIT_USAGE;
        goto out;
    }
    {
        lookup l = {reg, &c};
        char why[128];
        if (!mlp_check_survives(lookup_quietly, &l, c.timeout, why, sizeof(why))) {
            printf("FAIL  %-13s %s %s while being loaded (dlopen and its entry function)\n",
                   "load", c.target, why);
            printf("0 checks passed, 1 failed\n");
            code = 1;
            goto out;
        }
    }
    if ((code = find_plugins(reg, &c, found, &n_found, false)))
        goto out;

    for (size_t k = 0; k < n_found; k++) {
        mlp_check_opts co = {.sets = c.sets, .n_sets = c.n_sets, .timeout = c.timeout};
        mlp_check_summary sum = {0};
        printf("%s%s %s (%s)\n", k ? "\n" : "", mlp_kind_name(found[k]->kind), found[k]->name,
               found[k]->path);
        fflush(stdout);
        if (mlp_check_plugin(found[k], &co, print_check_line, NULL, &sum, &err) != MLP_OK) {
            fflush(stdout);
            code = mlp_cli_report(&err);
            goto out;
        }
        total.passed += sum.passed;
        total.failed += sum.failed;
        total.notes += sum.notes;
    }
    printf("%zu check%s passed, %zu failed", total.passed, total.passed == 1 ? "" : "s",
           total.failed);
    if (total.notes)
        printf(" (%zu note%s)", total.notes, total.notes == 1 ? "" : "s");
    printf("\n");
    code = total.failed ? 1 : 0;
out:
    mlp_registry_free(reg);
    return code;
}
