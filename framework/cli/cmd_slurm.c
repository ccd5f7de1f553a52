/* cmd_slurm.c -- `runner slurm SPEC --tasks N`: write (and with --submit,
 * submit) an sbatch array script, one array task per shard, and a merge job
 * that runs once the array is over, into the run folder's slurm/ folder. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "results/results.h"
#include "spec/spec.h"
#include "sweep/sweep.h"

static const char slurm_usage[] =
    "usage: runner slurm SPEC.yaml --tasks N [--cpus-per-task C] [-o OUT.h5] [--set KEY=VALUE]\n"
    "                    [--plugin-path DIR] [--keep-runs] [--format 1|2] [--submit] [-- SBATCH_OPTION ...]\n"
    "  Writes into the run folder (OUT without .h5, then .runs/slurm/) an sbatch array\n"
    "  script, array.sbatch: N tasks, task i running `runner SPEC --shard i/N --resume` with\n"
    "  C threads (default 1), requeued on preemption; and merge.sbatch, `runner merge` of the\n"
    "  run folder, to submit with --dependency=afterany on the array.  Every option after\n"
    "  -- goes into both scripts as an #SBATCH line (--partition=..., --time=..., ...).\n"
    "  --submit submits both with sbatch --parsable and prints the job ids.  Submitting\n"
    "  array.sbatch again after failures computes only the missing runs.\n";

#define MAX_SBATCH 128

typedef struct slurm_opts {
    long tasks, cpus;
    bool submit;
    const char *sbatch[MAX_SBATCH];  /* options after --, one #SBATCH line each */
    size_t n_sbatch;
} slurm_opts;

/* A positive number option's value: 0, or the exit status of a usage error. */
static int parse_count(const char *name, const char *v, long max, long *out)
{
    char *end;

    if (!v)
        return mlp_cli_usage_error("%s needs a number", name);
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || end == v || n < 1 || n > max) {
        fprintf(stderr, "runner: error: %s expects a number from 1 to %ld, got '%s'\n", name, max,
                v);
        return EXIT_USAGE;
    }
    *out = n;
    return 0;
}

/* argv[2..] into s (the Slurm options) and o (the run's options). */
static int parse_slurm_args(int argc, char **argv, slurm_opts *s, options *o)
{
    char **rest = calloc((size_t)argc + 1, sizeof(char *));
    int n = 0, code = 0;

    if (!rest)
        return 1;
    rest[n++] = argv[0];
    rest[n++] = argv[1];
    for (int i = 2; i < argc && !code; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            for (i++; i < argc; i++) {
                if (s->n_sbatch == MAX_SBATCH || strchr(argv[i], '\n') || argv[i][0] != '-') {
                    code = mlp_cli_usage_error("after --, sbatch options only (one word each, "
                                               "such as --partition=debug), got '%s'", argv[i]);
                    break;
                }
                s->sbatch[s->n_sbatch++] = argv[i];
            }
        } else if (mlp_cli_is_opt(a, "--tasks")) {
            code = parse_count("--tasks", mlp_cli_option_value(argc, argv, &i, a, 7), 1000000,
                               &s->tasks);
        } else if (mlp_cli_is_opt(a, "--cpus-per-task")) {
            code = parse_count("--cpus-per-task", mlp_cli_option_value(argc, argv, &i, a, 15),
                               4096, &s->cpus);
        } else if (!strcmp(a, "--submit")) {
            s->submit = true;
        } else {
            rest[n++] = argv[i];
        }
    }
    if (!code)
        code = mlp_cli_parse_run(n, rest, 2, o);
    free(rest);
    if (code)
        return code;
    if (!o->spec)
        return mlp_cli_usage_error("%s", "slurm needs a spec file");
    if (!s->tasks)
        return mlp_cli_usage_error("%s", "slurm needs --tasks N (the number of array tasks)");
    if (o->dry_run || o->resume || o->force || o->n_shards || o->threads)
        return mlp_cli_usage_error("%s", "slurm takes --tasks, --cpus-per-task, -o, --set, "
                                   "--plugin-path, --keep-runs, --format, -q and --submit (the tasks run "
                                   "--shard i/N --resume with -j C)");
    return 0;
}

/* mkdir -p path */
static int make_dirs(const char *path)
{
    char *p = strdup(path);
    struct stat sb;

    if (!p)
        return -1;
    for (char *c = p + 1; *c; c++) {
        if (*c != '/')
            continue;
        *c = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            break;
        *c = '/';
    }
    int rc = mkdir(p, 0777) == 0 || (errno == EEXIST && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
                 ? 0 : -1;
    free(p);
    return rc;
}

/* path made absolute against the working directory, without resolving it
 * (it may not exist yet); malloc'd. */
static char *absolute(const char *path)
{
    char cwd[4096];

    if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
        return strdup(path);
    size_t n = strlen(cwd) + strlen(path) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", cwd, path);
    return s;
}

/* One word, single-quoted for sh. */
static void put_quoted(FILE *f, const char *w)
{
    fputc('\'', f);
    for (const char *c = w; *c; c++) {
        if (*c == '\'')
            fputs("'\\''", f);
        else
            fputc(*c, f);
    }
    fputc('\'', f);
}

/* The #SBATCH lines both scripts share. */
static void put_header(FILE *f, const char *name, const char *dir, const char *log)
{
    fprintf(f, "#!/bin/sh\n");
    fprintf(f, "#SBATCH --job-name=%s\n", name);
    fprintf(f, "#SBATCH --output=%s/%s\n", dir, log);
    fprintf(f, "#SBATCH --open-mode=append\n");
}

/* The user's options, last so that they win over ours. */
static void put_user_lines(FILE *f, const slurm_opts *s)
{
    for (size_t i = 0; i < s->n_sbatch; i++)
        fprintf(f, "#SBATCH %s\n", s->sbatch[i]);
}

/* The options every command of the scripts repeats: --set and --plugin-path. */
static void put_run_options(FILE *f, const options *o, char *const *plugin_dirs)
{
    for (size_t i = 0; i < o->n_sets; i++) {
        fputs(" --set ", f);
        put_quoted(f, o->sets[i]);
    }
    for (size_t i = 0; i < o->n_plugin_dirs; i++) {
        fputs(" --plugin-path ", f);
        put_quoted(f, plugin_dirs[i]);
    }
}

typedef struct slurm_paths {
    char *runner, *spec, *output, *runs, *dir, *array, *merge;
    char *plugin_dirs[MAX_LIST];
} slurm_paths;

static int write_scripts(const slurm_paths *p, const char *name, const slurm_opts *s,
                         const options *o)
{
    FILE *f = fopen(p->array, "w");
    if (!f)
        goto fail_array;
    put_header(f, name, p->dir, "array-%A_%a.out");
    fprintf(f, "#SBATCH --array=0-%ld\n", s->tasks - 1);
    fprintf(f, "#SBATCH --cpus-per-task=%ld\n", s->cpus);
    fprintf(f, "#SBATCH --requeue\n");
    put_user_lines(f, s);
    fprintf(f, "# Written by runner slurm: array task i computes shard i of %ld of the sweep into\n"
               "# the run folder %s,\n"
               "# keeping the runs an earlier or requeued task finished (--resume); on SIGTERM\n"
               "# (preemption, time limit, scancel) it stops at the next iteration and keeps\n"
               "# its finished runs.  Submit again after failures: only the missing runs run.\n"
               "# Then: sbatch --dependency=afterany:JOBID %s\n",
            s->tasks, p->runs, p->merge);
    fputs("exec ", f);
    put_quoted(f, p->runner);
    fputc(' ', f);
    put_quoted(f, p->spec);
    put_run_options(f, o, p->plugin_dirs);
    fputs(" -o ", f);
    put_quoted(f, p->output);
    fprintf(f, " --shard \"$SLURM_ARRAY_TASK_ID/%ld\" -j \"${SLURM_CPUS_PER_TASK:-1}\" "
               "--resume -q\n", s->tasks);
    if (fclose(f) != 0)
        goto fail_array;

    if (!(f = fopen(p->merge, "w")))
        goto fail_merge;
    put_header(f, name, p->dir, "merge-%j.out");
    fprintf(f, "#SBATCH --cpus-per-task=1\n");
    put_user_lines(f, s);
    fprintf(f, "# Written by runner slurm: builds the sweep file from the shards' part files once\n"
               "# the array is over (submit with --dependency=afterany:ARRAY_JOBID); when runs\n"
               "# are missing it lists them and exits 1.\n");
    fputs("exec ", f);
    put_quoted(f, p->runner);
    fputs(" merge ", f);
    put_quoted(f, p->runs);
    for (size_t i = 0; i < o->n_plugin_dirs; i++) {
        fputs(" --plugin-path ", f);
        put_quoted(f, p->plugin_dirs[i]);
    }
    fputs(" -o ", f);
    put_quoted(f, p->output);
    if (o->keep_runs)
        fputs(" --keep-runs", f);
    if (o->format)
        fprintf(f, " --format %d", o->format);
    fputc('\n', f);
    if (fclose(f) != 0)
        goto fail_merge;
    return 0;
fail_array:
    fprintf(stderr, "runner: error: %s: cannot write: %s\n", p->array, strerror(errno));
    return 1;
fail_merge:
    fprintf(stderr, "runner: error: %s: cannot write: %s\n", p->merge, strerror(errno));
    return 1;
}

/* sbatch --parsable [dependency] script, no shell: the job id it prints
 * ("ID" or "ID;CLUSTER") into id; 0, or 1 with the reason printed. */
static int sbatch(const char *dependency, const char *script, char *id, size_t len)
{
    const char *argv[5];
    int n = 0, fd[2], status;
    char buf[256];
    size_t got = 0;

    argv[n++] = "sbatch";
    argv[n++] = "--parsable";
    if (dependency)
        argv[n++] = dependency;
    argv[n++] = script;
    argv[n] = NULL;
    fflush(NULL);
    if (pipe(fd) != 0) {
        fprintf(stderr, "runner: error: sbatch: %s\n", strerror(errno));
        return 1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "runner: error: sbatch: cannot start it: %s\n", strerror(errno));
        close(fd[0]);
        close(fd[1]);
        return 1;
    }
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "runner: error: sbatch: cannot run it: %s (is Slurm's client "
                "installed and on PATH?)\n", strerror(errno));
        _exit(127);
    }
    close(fd[1]);
    for (ssize_t r; (r = read(fd[0], buf + got, sizeof(buf) - 1 - got)) != 0;) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || (got += (size_t)r) == sizeof(buf) - 1)
            break;
    }
    close(fd[0]);
    buf[got] = '\0';
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    size_t digits = strspn(buf, "0123456789");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || digits == 0 || digits >= len) {
        fprintf(stderr, "runner: error: sbatch %s failed (%s %d)%s%s\n", script,
                WIFEXITED(status) ? "exit status" : "signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                got ? ", it printed: " : "", buf);
        return 1;
    }
    memcpy(id, buf, digits);
    id[digits] = '\0';
    return 0;
}

static void paths_free(slurm_paths *p)
{
    free(p->runner);
    free(p->spec);
    free(p->output);
    free(p->runs);
    free(p->dir);
    free(p->array);
    free(p->merge);
    for (size_t i = 0; i < MAX_LIST; i++)
        free(p->plugin_dirs[i]);
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", a, b);
    return s;
}

int mlp_cli_slurm(int argc, char **argv)
{
    slurm_opts s = {.cpus = 1};
    options o;
    slurm_paths p;
    mlp_error err;
    mlp_spec *spec = NULL;
    mlp_registry *reg = NULL;
    char *out = NULL, name[128];
    struct stat sb;
    int code;

    if (argc >= 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
        fputs(slurm_usage, stdout);
        return 0;
    }
    memset(&o, 0, sizeof(o));
    memset(&p, 0, sizeof(p));
    if ((code = parse_slurm_args(argc, argv, &s, &o)))
        return code;

    /* the spec is checked here, not in the first task to start */
    mlp_error_clear(&err);
    if ((code = mlp_cli_load_spec(&o, &spec, &reg)))
        goto out;
    if (spec->halving.on) {
        fprintf(stderr, "runner: error: %s: sweep.halving promotes runs when a whole rung is "
                "complete, on one machine: it cannot run as a Slurm array (run it on one node "
                "with -j)\n", o.spec);
        code = EXIT_USAGE;
        goto out;
    }
    if ((size_t)s.tasks > spec->plan.n_runs)
        fprintf(stderr, "runner: note: %ld tasks for %zu runs: %ld tasks will have no run\n",
                s.tasks, spec->plan.n_runs, s.tasks - (long)spec->plan.n_runs);

    out = mlp_sweep_output_path(spec, o.output);
    p.runner = realpath("/proc/self/exe", NULL);
    p.spec = realpath(o.spec, NULL);
    p.output = out ? absolute(out) : NULL;
    p.runs = p.output ? mlp_results_runs_dir(p.output) : NULL;
    p.dir = p.runs ? join(p.runs, "slurm") : NULL;
    p.array = p.dir ? join(p.dir, "array.sbatch") : NULL;
    p.merge = p.dir ? join(p.dir, "merge.sbatch") : NULL;
    for (size_t i = 0; i < o.n_plugin_dirs; i++)
        if (!(p.plugin_dirs[i] = realpath(o.plugin_dirs[i], NULL)))
            p.plugin_dirs[i] = absolute(o.plugin_dirs[i]);
    if (!p.runner || !p.spec || !p.merge) {
        fprintf(stderr, "runner: error: %s\n", !p.runner ? "cannot find the runner itself "
                "(/proc/self/exe)" : !p.spec ? "cannot resolve the spec's path" : "out of memory");
        code = 1;
        goto out;
    }
    if (stat(p.output, &sb) == 0) {
        fprintf(stderr, "runner: error: %s exists: the sweep is complete; remove it, or give "
                "another -o\n", p.output);
        code = EXIT_USAGE;
        goto out;
    }
    if (make_dirs(p.dir) != 0) {
        fprintf(stderr, "runner: error: %s: cannot create it: %s\n", p.dir, strerror(errno));
        code = 1;
        goto out;
    }
    snprintf(name, sizeof(name), "mlplab-%s", spec->name);
    for (char *c = name; *c; c++)
        if (!(*c == '-' || *c == '_' || *c == '.' || (*c >= '0' && *c <= '9') ||
              (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
            *c = '_';
    if ((code = write_scripts(&p, name, &s, &o)))
        goto out;
    printf("wrote %s (%ld array tasks, %ld cpu%s each)\n", p.array, s.tasks, s.cpus,
           s.cpus == 1 ? "" : "s");
    printf("wrote %s\n", p.merge);
    if (!s.submit) {
        printf("submit with:\n  jobid=$(sbatch --parsable %s)\n"
               "  sbatch --dependency=afterany:$jobid %s\n", p.array, p.merge);
        code = 0;
        goto out;
    }
    char array_id[64], merge_id[64], dep[128];
    if ((code = sbatch(NULL, p.array, array_id, sizeof(array_id))))
        goto out;
    snprintf(dep, sizeof(dep), "--dependency=afterany:%s", array_id);
    if ((code = sbatch(dep, p.merge, merge_id, sizeof(merge_id)))) {
        fprintf(stderr, "runner: the array job %s is submitted; submit the merge by hand:\n"
                "  sbatch %s %s\n", array_id, dep, p.merge);
        goto out;
    }
    printf("submitted array job %s (tasks %s_0 ... %s_%ld) and merge job %s\n", array_id,
           array_id, array_id, s.tasks - 1, merge_id);
    printf("logs in %s; the sweep file will be %s\n", p.dir, p.output);
    code = 0;
out:
    paths_free(&p);
    free(out);
    mlp_registry_free(reg);
    mlp_spec_free(spec);
    return code;
}
