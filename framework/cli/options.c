/* options.c -- the runner's command-line options, and how errors become
 * messages on stderr and exit codes. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "plan/shard.h"

int mlp_cli_exit_code(mlp_status rc)
{
    switch (rc) {
    case MLP_OK:
        return 0;
    case MLP_ERR_USAGE:
    case MLP_ERR_SPEC:
    case MLP_ERR_EXISTS:
        return EXIT_USAGE;
    case MLP_ERR_INTERRUPTED:
        return EXIT_INTERRUPTED;
    default:
        return 1;
    }
}

int mlp_cli_report(const mlp_error *err)
{
    char buf[4096];

    mlp_error_format(err, buf, sizeof(buf));
    fprintf(stderr, "%s\n", buf);
    return mlp_cli_exit_code(err->code);
}

int mlp_cli_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "runner: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(run 'runner --help' for usage)\n");
    return EXIT_USAGE;
}

/* ---- options ---------------------------------------------------------- */

/* Value of option `name` at argv[*i]: "--name=v", "--name v", "-xV" or "-x V". */
const char *mlp_cli_option_value(int argc, char **argv, int *i, const char *arg, size_t name_len)
{
    if (arg[name_len] == '=')
        return arg + name_len + 1;
    if (arg[1] != '-' && arg[name_len] != '\0')
        return arg + name_len;  /* -j2 */
    if (*i + 1 < argc)
        return argv[++*i];
    return NULL;
}

bool mlp_cli_is_opt(const char *arg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return false;
    if (arg[n] == '\0' || arg[n] == '=')
        return true;
    return name[1] != '-' && strlen(name) == 2;  /* -j4, -ofile */
}

int mlp_cli_parse_run(int argc, char **argv, int start, options *o)
{
    for (int i = start; i < argc; i++) {
        const char *a = argv[i];
        const char *v;

        if (mlp_cli_is_opt(a, "-o") || mlp_cli_is_opt(a, "--output")) {
            size_t n = a[1] == '-' ? strlen("--output") : 2;
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, n)) || !*v)
                return mlp_cli_usage_error("%s needs a path", a);
            o->output = v;
        } else if (mlp_cli_is_opt(a, "-j") || mlp_cli_is_opt(a, "--threads")) {
            size_t n = a[1] == '-' ? strlen("--threads") : 2;
            char *end;
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, n)))
                return mlp_cli_usage_error("%s needs a number of threads", a);
            errno = 0;
            long t = strtol(v, &end, 10);
            if (errno || *end || end == v || t < 1 || t > 4096)
                return mlp_cli_usage_error("-j expects a number of threads from 1 to 4096, "
                                           "got '%s'", v);
            o->threads = (int)t;
        } else if (mlp_cli_is_opt(a, "--set")) {
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, strlen("--set"))))
                return mlp_cli_usage_error("%s needs KEY=VALUE", a);
            if (o->n_sets == MAX_LIST)
                return mlp_cli_usage_error("too many --set options (%s)", v);
            o->sets[o->n_sets++] = v;
        } else if (mlp_cli_is_opt(a, "--plugin-path")) {
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, strlen("--plugin-path"))) || !*v)
                return mlp_cli_usage_error("%s needs a directory", a);
            if (o->n_plugin_dirs == MAX_LIST)
                return mlp_cli_usage_error("too many --plugin-path options (%s)", v);
            o->plugin_dirs[o->n_plugin_dirs++] = v;
        } else if (mlp_cli_is_opt(a, "--shard")) {
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, strlen("--shard"))) ||
                !mlp_shard_parse(v, &o->shard, &o->n_shards))
                return mlp_cli_usage_error("--shard expects i/n, the i-th of n shards counted "
                                           "from 0 (0/4 ... 3/4), got '%s'", v ? v : "");
        } else if (mlp_cli_is_opt(a, "--format")) {
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, strlen("--format"))) ||
                (strcmp(v, "1") && strcmp(v, "2")))
                return mlp_cli_usage_error("--format expects 1 (a group per run) or 2 (stacked "
                                           "arrays and the cube, the default), got '%s'",
                                           v ? v : "");
            o->format = v[0] - '0';
        } else if (strcmp(a, "--allow-insecure-plugins") == 0) {
            o->allow_insecure = true;
        } else if (strcmp(a, "--dry-run") == 0) {
            o->dry_run = true;
        } else if (strcmp(a, "--resume") == 0) {
            o->resume = true;
        } else if (strcmp(a, "--force") == 0) {
            o->force = true;
        } else if (strcmp(a, "--keep-runs") == 0) {
            o->keep_runs = true;
        } else if (mlp_cli_is_opt(a, "--stop-after")) {
            /* for tests: stop as on Ctrl-C once this many runs are recorded */
            char *end = NULL;
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, strlen("--stop-after"))) ||
                !(*v >= '1' && *v <= '9') || (o->stop_after = strtoull(v, &end, 10), *end))
                return mlp_cli_usage_error("--stop-after expects a number of runs, 1 or more, "
                                           "got '%s'", v ? v : "");
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o->quiet = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            return mlp_cli_usage_error("unknown option '%s'", a);
        } else if (!o->spec) {
            o->spec = a;
        } else {
            return mlp_cli_usage_error("unexpected argument '%s' (one spec file per run)", a);
        }
    }
    if (o->resume && o->force)
        return mlp_cli_usage_error("%s: --resume and --force exclude each other", "options");
    return 0;
}

mlp_status mlp_cli_load_spec_quietly(const options *o, mlp_spec **spec, mlp_registry **reg,
                                     mlp_error *err)
{
    mlp_error_clear(err);
    *spec = NULL;
    *reg = NULL;
    mlp_status rc = mlp_spec_load(o->spec, o->sets, o->n_sets, spec, err);
    if (rc == MLP_OK)
        rc = mlp_cli_open_registry(o, reg, err);
    if (rc == MLP_OK)
        rc = mlp_spec_validate(*spec, *reg, err);
    return rc;
}

int mlp_cli_load_spec(const options *o, mlp_spec **spec, mlp_registry **reg)
{
    mlp_error err;

    return mlp_cli_load_spec_quietly(o, spec, reg, &err) == MLP_OK ? 0 : mlp_cli_report(&err);
}

mlp_status mlp_cli_open_registry(const options *o, mlp_registry **reg, mlp_error *err)
{
    mlp_status st = mlp_registry_create(o->plugin_dirs, o->n_plugin_dirs, reg, err);

    if (st == MLP_OK)
        mlp_registry_allow_insecure(*reg, o->allow_insecure);
    return st;
}

/* --plugin-path DIR at argv[*i] (of plugins and check-plugin) into o: 0, or
 * the exit status of a usage error (already printed). */
int mlp_cli_parse_plugin_path(int argc, char **argv, int *i, options *o)
{
    const char *v = mlp_cli_option_value(argc, argv, i, argv[*i], strlen("--plugin-path"));

    if (!v || !*v)
        return mlp_cli_usage_error("%s needs a directory", "--plugin-path");
    if (o->n_plugin_dirs == MAX_LIST)
        return mlp_cli_usage_error("too many --plugin-path options (%s)", v);
    o->plugin_dirs[o->n_plugin_dirs++] = v;
    return 0;
}
