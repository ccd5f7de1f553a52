/* cmd_merge.c -- `runner merge RUN_FOLDER|SPEC [-o OUT.h5]`: build the sweep
 * file from the part files every shard wrote into a run folder, or list the
 * runs that are missing and the commands that compute only those. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "results/results.h"
#include "spec/spec.h"
#include "sweep/sweep.h"

static const char merge_usage[] =
    "usage: runner merge RUN_FOLDER|SPEC.yaml [-o OUT.h5] [--set KEY=VALUE] [--keep-runs] [--format 1|2]\n"
    "                    [--plugin-path DIR] [-q]\n"
    "  Builds the sweep file from the part files of a run folder (results/<name>.runs), as\n"
    "  the shards of `runner SPEC --shard i/n` left them: the same file one machine writes.\n"
    "  Every part must be of this sweep (checksums and identity are verified).  When runs\n"
    "  are missing it lists them, prints the commands that compute only those, and exits 1.\n"
    "  From a RUN_FOLDER the spec and its --set overrides are those the shards were given\n"
    "  (its sweep.source); OUT defaults to the folder's name with .h5.\n";

/* The spec and --set list a run folder was written with (its sweep.source),
 * into o (pointers into *text, which the caller frees). */
static int read_source(const char *folder, options *o, char **text)
{
    *text = mlp_sweep_folder_source(folder);
    if (!*text) {
        fprintf(stderr, "runner: error: %s/sweep.source: cannot read it (is %s a run folder "
                "written by this mlplab? give the spec instead: runner merge SPEC.yaml)\n",
                folder, folder);
        return EXIT_USAGE;
    }
    for (char *line = *text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (!strncmp(line, "spec=", 5))
            o->spec = line + 5;
        else if (!strncmp(line, "set=", 4) && o->n_sets < MAX_LIST)
            o->sets[o->n_sets++] = line + 4;
        line = nl ? nl + 1 : NULL;
    }
    if (!o->spec) {
        fprintf(stderr, "runner: error: %s/sweep.source names no spec\n", folder);
        return EXIT_USAGE;
    }
    return 0;
}

/* Missing runs: the error, then each command that computes only those. */
static void print_missing(const mlp_error *err, const mlp_sweep_report *rep, const options *o,
                          const char *output)
{
    mlp_cli_report(err);
    fprintf(stderr, "compute only the missing runs with:\n");
    if (rep->n_shards_seen == 0) {
        char *c = mlp_cli_resume_shard_command(o->spec, o, output, 0, 0);
        fprintf(stderr, "  %s\n", c ? c : "(out of memory)");
        free(c);
    }
    for (size_t i = 0; i < rep->n_missing_shards; i++) {
        char *c = mlp_cli_resume_shard_command(o->spec, o, output, rep->missing_shards[i],
                                               rep->n_shards_seen);
        fprintf(stderr, "  %s\n", c ? c : "(out of memory)");
        free(c);
    }
    fprintf(stderr, "then run the merge again.\n");
}

int mlp_cli_merge(int argc, char **argv)
{
    options o, given;
    mlp_error err;
    mlp_spec *spec = NULL;
    mlp_registry *reg = NULL;
    char *source = NULL, *output = NULL, *command = NULL;
    struct stat sb;
    int code;

    if (argc >= 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
        fputs(merge_usage, stdout);
        return 0;
    }
    memset(&given, 0, sizeof(given));
    if ((code = mlp_cli_parse_run(argc, argv, 2, &given)))
        return code;
    if (!given.spec)
        return mlp_cli_usage_error("%s", "merge needs a run folder or a spec file");
    if (given.dry_run || given.resume || given.force || given.n_shards)
        return mlp_cli_usage_error("%s", "merge takes -o, --set, --keep-runs, --format, "
                                   "--plugin-path and -q only");
    o = given;
    bool exists = stat(given.spec, &sb) == 0;
    bool folder = exists && S_ISDIR(sb.st_mode);
    size_t len = strlen(given.spec);
    char source_path[4096];
    snprintf(source_path, sizeof(source_path), "%s/sweep.source", given.spec);
    if (len > 5 && !strcmp(given.spec + len - 5, ".runs") &&
        (!exists || (folder && stat(source_path, &sb) != 0))) {
        /* the folder goes (or keeps only what runner slurm put there, its
         * slurm/ scripts and logs) once its sweep file is built: merging
         * again is a no-op */
        char *out = given.output ? strdup(given.output) : mlp_sweep_folder_output(given.spec);
        bool built = out && stat(out, &sb) == 0;
        if (built)
            printf("%s %s and %s exists: the sweep was merged already, nothing to do "
                   "(runner merge SPEC.yaml -o %s checks it against the spec)\n", given.spec,
                   folder ? "holds no runs" : "is gone", out, out);
        free(out);
        if (built)
            return 0;
    }
    if (folder) {
        o.n_sets = 0;
        if ((code = read_source(given.spec, &o, &source)))
            goto out;
        for (size_t i = 0; i < given.n_sets && o.n_sets < MAX_LIST; i++)
            o.sets[o.n_sets++] = given.sets[i];
    }
    mlp_error_clear(&err);
    mlp_status rc;
    const volatile sig_atomic_t *stop = mlp_cli_stop_signals();
    if ((code = mlp_cli_load_spec(&o, &spec, &reg)))
        goto out;
    if (*stop) {
        fprintf(stderr, "runner: error: interrupted while loading and checking %s: nothing was "
                "written\n", o.spec);
        code = EXIT_INTERRUPTED;
        goto out;
    }
    output = given.output ? strdup(given.output)
             : folder     ? mlp_sweep_folder_output(given.spec)
                          : mlp_sweep_output_path(spec, NULL);
    if (folder && output && given.output) {
        /* the parts are read from OUT's run folder: another folder's name with
         * -o would merge nothing of it (and say every run is missing) */
        char *want = mlp_results_runs_dir(output);
        char *a = realpath(given.spec, NULL), *b = want ? realpath(want, NULL) : NULL;
        bool same = a && b && !strcmp(a, b);
        if (!same)
            fprintf(stderr, "runner: error: merge -o %s reads the part files of %s, not those "
                    "of %s: leave out -o (the sweep file is then named after %s), or "
                    "give the folder that belongs to %s\n", output, want ? want : "its run folder",
                    given.spec, given.spec, output);
        free(a);
        free(b);
        free(want);
        if (!same) {
            code = 2;
            goto out;
        }
    }
    command = mlp_cli_join_command(argc, argv);
    if (!output || !command) {
        fprintf(stderr, "runner: error: out of memory\n");
        code = 1;
        goto out;
    }
    progress_ctx pc = {.tty = isatty(STDERR_FILENO) == 1, .quiet = o.quiet};
    mlp_sweep_opts so = {
        .output = output,
        .threads = o.threads,
        .keep_runs = o.keep_runs,
        .format = o.format,
        .command = command,
        .merge = true,
        .stop = stop,
        .preparing = mlp_cli_preparing,
        .ctx = &pc,
    };
    mlp_sweep_report rep;
    rc = mlp_sweep_run(spec, reg, &so, &rep, &err);
    if (pc.drew)
        fprintf(stderr, "\n");
    if (rep.note[0])
        fprintf(stderr, "runner: note: %s\n", rep.note);
    if (rc == MLP_ERR_RUNTIME && rep.n_missing) {
        print_missing(&err, &rep, &o, output);
        code = 1;
        goto out;
    }
    if (rc != MLP_OK) {
        code = mlp_cli_report(&err);
        goto out;
    }
    printf("merged %s: %zu runs in %.2f s\n", output, rep.n_runs, rep.wall_seconds);
    code = 0;
out:
    free(output);
    free(command);
    free(source);
    mlp_registry_free(reg);
    mlp_spec_free(spec);
    return code;
}
