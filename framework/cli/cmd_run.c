/* cmd_run.c -- `runner SPEC.yaml`: validate the spec, run the sweep (or
 * print it with --dry-run), and say how to resume when it stops early. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "results/results.h"
#include "spec/spec.h"
#include "sweep/sweep.h"

static volatile sig_atomic_t g_stop;

/* First signal: ask the sweep to stop at the next iteration.  Second: stop
 * now (finished run files are already complete on disk). */
static void on_signal(int sig)
{
    if (g_stop) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    g_stop = 1;
}

static void install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* a file-size limit (ulimit -f) makes writes fail with EFBIG, which the
     * results module reports, instead of killing the process mid-write */
    signal(SIGXFSZ, SIG_IGN);
}

const volatile sig_atomic_t *mlp_cli_stop_signals(void)
{
    install_signals();
    return &g_stop;
}

/* The command line as one string, quoted where needed (for provenance). */
char *mlp_cli_join_command(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += 2 * strlen(argv[i]) + 3;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    for (int i = 0; i < argc; i++) {
        bool q = argv[i][0] == '\0' || strpbrk(argv[i], " \t'\"$\\[]{}*?;&|<>") != NULL;
        if (i)
            *p++ = ' ';
        if (q)
            *p++ = '\'';
        for (const char *c = argv[i]; *c; c++) {
            if (q && *c == '\'') {
                memcpy(p, "'\\''", 4);
                p += 4;
            } else {
                *p++ = *c;
            }
        }
        if (q)
            *p++ = '\'';
    }
    *p = '\0';
    return s;
}

/* The command line to finish an interrupted sweep: as given, without
 * --force (it would throw the kept runs away), with --resume. */
static char *resume_command(int argc, char **argv)
{
    char **v = calloc((size_t)argc + 2, sizeof(char *));
    int n = 0;
    char *s;

    if (!v)
        return NULL;
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--force") != 0 && strcmp(argv[i], "--resume") != 0)
            v[n++] = argv[i];
    v[n++] = "--resume";
    s = mlp_cli_join_command(n, v);
    free(v);
    return s;
}

char *mlp_cli_source_text(const options *o)
{
    char *abs = realpath(o->spec, NULL);
    size_t len = strlen(abs ? abs : o->spec) + 16;
    for (size_t i = 0; i < o->n_sets; i++)
        len += strlen(o->sets[i]) + 8;
    char *s = malloc(len);
    if (s) {
        int n = snprintf(s, len, "spec=%s\n", abs ? abs : o->spec);
        for (size_t i = 0; i < o->n_sets; i++)
            n += snprintf(s + n, len - (size_t)n, "set=%s\n", o->sets[i]);
    }
    free(abs);
    return s;
}

char *mlp_cli_resume_shard_command(const char *spec, const options *o, const char *output,
                                   unsigned shard, unsigned n_shards)
{
    const char *v[2 * MAX_LIST + 16];
    char sh[32];
    int n = 0;

    v[n++] = "runner";
    v[n++] = spec;
    for (size_t i = 0; i < o->n_sets; i++) {
        v[n++] = "--set";
        v[n++] = o->sets[i];
    }
    v[n++] = "-o";
    v[n++] = output;
    if (n_shards) {
        snprintf(sh, sizeof(sh), "%u/%u", shard, n_shards);
        v[n++] = "--shard";
        v[n++] = sh;
    }
    v[n++] = "--resume";
    return mlp_cli_join_command(n, (char **)v);
}

/* Runs a dry run lists at most: the rest are counted. */
#define DRY_RUN_LIST 1000

static void print_dry_run(const mlp_spec *spec, const char *output, const size_t *only,
                          size_t n_only, const options *o)
{
    mlp_plan_run r;
    int w[MLP_PLAN_MAX_AXES];

    printf("%s: %zu run%s (%zu sweep key%s x %zu repeat%s), seed %llu -> %s\n", spec->name,
           spec->plan.n_runs, spec->plan.n_runs == 1 ? "" : "s", spec->n_axes,
           spec->n_axes == 1 ? "" : "s", spec->repeats, spec->repeats == 1 ? "" : "s",
           (unsigned long long)spec->seed, output);
    if (spec->plan.kind != MLP_PLAN_GRID || spec->n_zips) {
        size_t points = spec->plan.n_runs / spec->plan.samples / spec->repeats;
        printf("%s: ", spec->plan.kind == MLP_PLAN_SOBOL   ? "sobol search (scrambled)"
                       : spec->plan.kind == MLP_PLAN_RANDOM ? "random search"
                                                            : "grid");
        if (spec->plan.kind != MLP_PLAN_GRID)
            printf("%zu sample%s (%zu sampled key%s) x ", spec->plan.samples,
                   spec->plan.samples == 1 ? "" : "s", spec->n_sampled,
                   spec->n_sampled == 1 ? "" : "s");
        printf("%zu grid point%s", points, points == 1 ? "" : "s");
        if (spec->n_zips)
            printf(" (%zu zip group%s)", spec->n_zips, spec->n_zips == 1 ? "" : "s");
        printf("\n");
    }
    for (size_t a = 0; a < spec->n_axes; a++) {
        size_t m = strlen(spec->axes[a].path);
        for (size_t v = 0; v < spec->axes[a].n; v++)
            if (strlen(spec->axes[a].labels[v]) > m)
                m = strlen(spec->axes[a].labels[v]);
        w[a] = (int)m;
    }
    if (only)
        printf("shard %u/%u: %zu of the %zu runs\n", o->shard, o->n_shards, n_only,
               spec->plan.n_runs);
    if (spec->halving.on) {
        char *plan = mlp_sweep_halving_plan(spec);
        if (plan)
            fputs(plan, stdout);
        free(plan);
    }
    printf("%-6s %-20s", "run", "seed");
    for (size_t a = 0; a < spec->n_axes; a++)
        printf("  %-*s", w[a], spec->axes[a].path);
    if (spec->repeats > 1)
        printf("  repeat");
    printf("\n");
    size_t total = only ? n_only : spec->plan.n_runs;
    size_t listed = total <= DRY_RUN_LIST ? total : DRY_RUN_LIST;
    for (size_t i = 0; i < listed && !g_stop; i++) {
        size_t k = only ? only[i] : i;
        mlp_plan_get(&spec->plan, k, &r);
        printf("%04zu   %-20llu", k, (unsigned long long)r.seed);
        for (size_t a = 0; a < spec->n_axes; a++)
            printf("  %-*s", w[a], spec->axes[a].labels[mlp_spec_value_index(spec, a, &r)]);
        if (spec->repeats > 1)
            printf("  %zu", r.repeat);
        printf("\n");
    }
    if (listed < total)
        printf("... and %zu more run%s (a dry run lists the first %d of %zu)\n", total - listed,
               total - listed == 1 ? "" : "s", DRY_RUN_LIST, total);
}

/* A plugin of the spec found outside the shipped folders under a shipped
 * plugin's name replaces it for this run: say so, on stderr. */
static void note_shadowed(const mlp_registry *reg)
{
    const mlp_plugin *pl;
    size_t n = mlp_registry_loaded(reg, 0, &pl);

    for (size_t i = 0; i < n; i++) {
        mlp_registry_loaded(reg, i, &pl);
        char *shadowed = mlp_registry_shadowed(reg, pl);
        if (shadowed)
            fprintf(stderr, "runner: note: %s plugin '%s' is %s, which replaces the shipped %s\n",
                    mlp_kind_name(pl->kind), pl->name, pl->path, shadowed);
        free(shadowed);
    }
}

/* Whether the run folder holds part files (finished runs worth resuming). */
static bool holds_runs(const char *runs)
{
    DIR *d = opendir(runs);
    struct dirent *e;
    bool found = false;

    if (!d)
        return false;
    while (!found && (e = readdir(d)))
        found = !strncmp(e->d_name, "part_", 5);
    closedir(d);
    return found;
}

/* Under mpirun: join the team and agree that every rank loaded the spec
 * (loaded: this rank's status, err its error); only rank 0 prints, the
 * error of the lowest rank that failed.  0, or the exit status. */
static int join_team(const options *o, mlp_status loaded, mlp_error *err, mlp_team **team)
{
    mlp_error e;

    mlp_error_clear(&e);
    if (mlp_team_join(team, &e) != MLP_OK)
        return mlp_cli_report(&e);
    if (!*team)
        return loaded == MLP_OK ? 0 : mlp_cli_report(err);
    bool lead = mlp_team_rank(*team) == 0;
    if (o->n_shards) {
        if (lead)
            mlp_cli_usage_error("%s", "--shard divides a sweep among separate runners; under "
                                "mpirun the ranks share the whole sweep already (drop --shard)");
        return EXIT_USAGE;
    }
    if (mlp_team_agree(*team, loaded, err) != MLP_OK)
        return lead ? mlp_cli_report(err) : mlp_cli_exit_code(err->code);
    return 0;
}

int mlp_cli_run(int argc, char **argv, const options *o)
{
    mlp_error err;
    mlp_spec *spec = NULL;
    mlp_registry *reg = NULL;
    mlp_team *team = NULL;
    char *output = NULL, *command = NULL, *source = NULL;
    mlp_sweep_report rep = {0};
    mlp_status rc;
    int code;

    mlp_error_clear(&err);
    install_signals();  /* obeyed from the start: loading and checking a large sweep too */
    rc = mlp_cli_load_spec_quietly(o, &spec, &reg, &err);
    if (rc == MLP_OK && g_stop)
        rc = mlp_fail(&err, MLP_ERR_INTERRUPTED, "interrupted while loading and checking %s: "
                      "nothing was trained or written", o->spec);
    if (mlp_team_launched())
        code = join_team(o, rc, &err, &team);
    else
        code = rc == MLP_OK ? 0 : mlp_cli_report(&err);
    if (code)
        goto out;
    bool lead = mlp_team_rank(team) == 0;  /* only rank 0 of a team speaks */
    if (lead)
        note_shadowed(reg);
    output = mlp_sweep_output_path(spec, o->output);
    command = mlp_cli_join_command(argc, argv);
    if (!output || !command) {
        fprintf(stderr, "runner: error: out of memory\n");
        code = 1;
        goto out;
    }
    if (o->dry_run && !lead) {
        code = 0;
        goto out;
    }
    if (o->dry_run) {
        size_t *only = NULL, n_only = 0;
        if (o->n_shards &&
            (rc = mlp_sweep_shard_runs(spec, reg, o->shard, o->n_shards, &g_stop, &only,
                                       &n_only, &err))) {
            code = mlp_cli_report(&err);
            goto out;
        }
        print_dry_run(spec, output, only, n_only, o);
        free(only);
        code = g_stop ? EXIT_INTERRUPTED : 0;
        goto out;
    }
    source = mlp_cli_source_text(o);

    progress_ctx pc = {.tty = isatty(STDERR_FILENO) == 1, .quiet = o->quiet};
    if (team && lead && !o->quiet)
        fprintf(stderr, "runner: %d MPI ranks share the sweep; rank 0 hands out the runs and "
                "builds %s\n", mlp_team_size(team), output);
    mlp_sweep_opts so = {
        .output = output,
        .threads = o->threads,
        .force = o->force,
        .resume = o->resume,
        .keep_runs = o->keep_runs,
        .format = o->format,
        .command = command,
        .shard = o->shard,
        .n_shards = o->n_shards,
        .source = source,
        .team = team,
        .stop = &g_stop,
        .stop_after = o->stop_after,
        .progress = lead ? mlp_cli_progress : NULL,
        .preparing = lead ? mlp_cli_preparing : NULL,
        .ctx = &pc,
    };
    so.create_folder = !o->output;  /* results/ of the default or the spec's output: */
    /* a plugin that crashes a worker: the note names it, and says how to go on */
    char *runs_dir = mlp_results_runs_dir(output), *again = resume_command(argc, argv);
    char tail[1024];
    snprintf(tail, sizeof(tail), "; the runs finished before are kept in %s (a changed plugin "
             "file is a different sweep, which --resume refuses); with the same files, finish "
             "it with: %s", runs_dir ? runs_dir : output,
             again ? again : "the same command and --resume");
    free(runs_dir);
    free(again);
    mlp_cli_fatal_install(tail, pc.tty);
    rc = mlp_sweep_run(spec, reg, &so, &rep, &err);
    mlp_cli_fatal_uninstall();
    if (!lead) {  /* rank 0 tells how it went, for every rank */
        code = mlp_cli_exit_code(rc);
        goto out;
    }
    if (pc.drew)
        fprintf(stderr, "\n");
    if (rep.note[0])
        fprintf(stderr, "runner: note: %s\n", rep.note);
    char *folder = mlp_results_runs_dir(output);
    bool kept = folder && holds_runs(folder);
    free(folder);
    if (rc == MLP_ERR_INTERRUPTED && !kept && !o->resume) {
        code = mlp_cli_report(&err);  /* stopped before any run finished: nothing to resume */
        goto out;
    }
    if (rc == MLP_ERR_INTERRUPTED) {
        mlp_cli_report(&err);
        char *again = resume_command(argc, argv);
        fprintf(stderr, team ? "to finish the sweep, run it again with --resume, under mpirun "
                               "with any number of ranks or alone:\n  %s\n"
                             : "to finish the sweep, run the same command with --resume:\n  %s\n",
                again ? again : "(out of memory)");
        free(again);
        char *runs = mlp_results_runs_dir(output);
        if (runs)
            fprintf(stderr, "the finished runs meanwhile: runner info %s\n", runs);
        free(runs);
        code = EXIT_INTERRUPTED;
        goto out;
    }
    if (rc != MLP_OK) {
        code = mlp_cli_report(&err);
        if (rc == MLP_ERR_IO || rc == MLP_ERR_PLUGIN || rc == MLP_ERR_RUNTIME ||
            rc == MLP_ERR_NOMEM) {
            /* finished runs are kept: say where, and how to go on */
            char *runs = mlp_results_runs_dir(output), *again = resume_command(argc, argv);
            if (runs && again && holds_runs(runs))
                fprintf(stderr, "finished runs are kept in %s; once the cause is fixed, finish "
                        "the sweep with:\n  %s\n", runs, again);
            free(runs);
            free(again);
        }
        goto out;
    }
    if (o->n_shards) {
        char *runs = mlp_results_runs_dir(output);
        printf("shard %u/%u: %zu run%s computed (%zu ok, %zu diverged", o->shard, o->n_shards,
               rep.n_todo, rep.n_todo == 1 ? "" : "s", rep.n_ok, rep.n_diverged);
        if (rep.n_resumed)
            printf("; %zu resumed from earlier part files", rep.n_resumed);
        printf(") into %s in %.2f s; when every shard is done: runner merge %s\n",
               runs ? runs : output, rep.wall_seconds, runs ? runs : output);
        free(runs);
        code = 0;
        goto out;
    }
    printf("wrote %s: %zu run%s (%zu ok, %zu diverged", output, rep.n_runs,
           rep.n_runs == 1 ? "" : "s", rep.n_runs - rep.n_diverged, rep.n_diverged);
    if (rep.n_resumed)
        printf("; %zu resumed from earlier part files", rep.n_resumed);
    printf(") in %.2f s\n", rep.wall_seconds);
    if (rep.halving) {
        double full = (double)rep.n_runs * (double)spec->halving.budget[spec->halving.n_rungs - 1];
        if (!o->quiet)
            fputs(rep.halving, stdout);
        printf("trained %zu iterations here, %.1f%% of the %.0f of every run's full budget\n",
               rep.iterations_trained, 100.0 * (double)rep.iterations_trained / full, full);
    }
    code = 0;

out:
    free(rep.halving);
    free(output);
    free(command);
    free(source);
    mlp_registry_free(reg);
    mlp_spec_free(spec);
    mlp_team_leave(team);
    return code;
}
