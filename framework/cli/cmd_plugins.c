/* cmd_plugins.c -- `runner plugins`: every plugin found on the search path,
 * with its parameters; the files refused are named on stderr. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "registry/registry.h"

static void print_param(const mlp_param_decl *d)
{
    char def[64];

    switch (d->type) {
    case MLP_PARAM_BOOL:
        snprintf(def, sizeof(def), "%s", d->def != 0 ? "true" : "false");
        break;
    case MLP_PARAM_ENUM: {
        /* the default is the def-th choice */
        const char *c = d->choices;
        for (int i = 0; i < (int)d->def && c; i++) {
            c = strchr(c, '|');
            if (c)
                c++;
        }
        size_t len = c ? strcspn(c, "|") : 0;
        snprintf(def, sizeof(def), "%.*s", (int)len, c ? c : "");
        break;
    }
    case MLP_PARAM_STRING:
        snprintf(def, sizeof(def), "%s", d->def_str ? d->def_str : "(required)");
        break;
    default:
        snprintf(def, sizeof(def), "%g", d->def);
    }
    printf("    %-12s %-6s default %-8s", d->name, mlp_param_type_name(d->type), def);
    if (d->type == MLP_PARAM_REAL || d->type == MLP_PARAM_INT) {
        char lo[32], hi[32];
        snprintf(lo, sizeof(lo), "%g", d->min);
        if (strtod(lo, NULL) != d->min)
            snprintf(lo, sizeof(lo), "%.17g", d->min);
        snprintf(hi, sizeof(hi), "%g", d->max);
        if (strtod(hi, NULL) != d->max)  /* e.g. just below 1: say so, not "1" */
            snprintf(hi, sizeof(hi), "%.17g", d->max);
        printf(" in [%s, %s]", lo, hi);
    }
    if (d->type == MLP_PARAM_ENUM)
        printf(" one of %s", d->choices);
    printf("  %s\n", d->help ? d->help : "");
}

/* Load the file at path in a child process first, so that a file that
 * crashes its loader (in a constructor, in its entry, reading its
 * descriptor) is refused by name instead of taking the listing down with
 * it.  MLP_OK when the child survived (the real load then says whether the
 * plugin is sound), MLP_ERR_PLUGIN when it died of a signal.  Only `runner
 * plugins` does this (single-threaded, and one bad file among many is what
 * a plugin folder may hold); a run loads only the plugins its spec names. */
static mlp_status probe_in_child(void *ctx, const char *path, mlp_error *err)
{
    const mlp_registry *parent = ctx;
    int status;
    pid_t pid;

    fflush(NULL);
    if ((pid = fork()) < 0)
        return MLP_OK;  /* no child: load it here, as without the probe */
    if (pid == 0) {
        /* the crash must end the child, whatever handlers the parent set */
        static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
        mlp_registry *reg = NULL;
        const mlp_plugin *pl;
        mlp_error why;
        for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
            signal(fatal[i], SIG_DFL);
        if (mlp_registry_create(NULL, 0, &reg, &why) == MLP_OK) {
            mlp_registry_allow_insecure(reg, mlp_registry_insecure_allowed(parent));
            (void)mlp_registry_load_file(reg, path, &pl, &why);
        }
        _exit(0);  /* no cleanup: the parent owns every file and buffer */
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return MLP_OK;
    if (WIFSIGNALED(status))
        return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: crashed while being loaded (signal %d, "
                        "%s); not loaded", path, WTERMSIG(status), strsignal(WTERMSIG(status)));
    return MLP_OK;
}

static void print_refused(void *ctx, const mlp_error *why)
{
    (void)ctx;
    if (why->file[0])
        fprintf(stderr, "runner: warning: skipped %s: %s\n", why->file, why->msg);
    else
        fprintf(stderr, "runner: warning: skipped a plugin: %s\n", why->msg);
}

int mlp_cli_plugins(int argc, char **argv)
{
    options o;
    mlp_error err;
    mlp_registry *reg = NULL;
    const mlp_plugin *const *list;
    size_t n;
    int code = 0;

    memset(&o, 0, sizeof(o));
    mlp_error_clear(&err);
    for (int i = 2; i < argc; i++) {
        if (mlp_cli_is_opt(argv[i], "--plugin-path")) {
            if ((code = mlp_cli_parse_plugin_path(argc, argv, &i, &o)))
                return code;
        } else if (strcmp(argv[i], "--allow-insecure-plugins") == 0) {
            o.allow_insecure = true;
        } else {
            return mlp_cli_usage_error("runner plugins: unexpected argument '%s'", argv[i]);
        }
    }
    if (mlp_cli_open_registry(&o, &reg, &err) == MLP_OK)
        mlp_registry_set_probe(reg, probe_in_child, reg);
    if (!reg || mlp_registry_discover(reg, &list, &n, print_refused, NULL, &err) != MLP_OK) {
        code = mlp_cli_report(&err);
        goto out;
    }
    for (int kind = MLP_KIND_ACTIVATION; kind <= MLP_KIND_DATASET; kind++) {
        for (size_t i = 0; i < n; i++) {
            const mlp_plugin *pl = list[i];
            if ((int)pl->kind != kind)
                continue;
            printf("%-10s %-12s %-7s %s\n", mlp_kind_name(pl->kind), pl->name, pl->h->version,
                   pl->path);
            printf("    %s\n", pl->h->help);
            char *shadowed = mlp_registry_shadowed(reg, pl);
            if (shadowed)
                printf("    replaces the shipped %s plugin '%s' (%s)\n", mlp_kind_name(pl->kind),
                       pl->name, shadowed);
            free(shadowed);
            if (pl->kind == MLP_KIND_DATASET)
                printf("    inputs %u, classes %u, extent [%g, %g, %g, %g]\n", pl->d.data->dim,
                       pl->d.data->classes, pl->d.data->extent[0], pl->d.data->extent[1],
                       pl->d.data->extent[2], pl->d.data->extent[3]);
            for (uint32_t p = 0; p < pl->h->n_params; p++)
                print_param(&pl->h->params[p]);
        }
    }
    if (n == 0) {
        const char *const *dirs;
        size_t nd = mlp_registry_dirs(reg, &dirs);
        fprintf(stderr, "runner: no plugins found; searched:");
        for (size_t i = 0; i < nd; i++)
            fprintf(stderr, " %s", dirs[i]);
        fprintf(stderr, "\n");
        code = 1;
    }
out:
    mlp_registry_free(reg);
    return code;
}
