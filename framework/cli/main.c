/* main.c -- the runner's entry point: --help, --version, and dispatch to a
 * command (cmd_*.c).  cli/ is the only code that prints or exits; everything
 * else is in the library. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "gitinfo.h"

static const char usage_text[] =
    "usage: runner SPEC.yaml [options]          run every point of the sweep, write one .h5 file\n"
    "       runner plugins [--plugin-path DIR]  list discovered plugins (and the shipped ones\n"
    "                                           a --plugin-path plugin replaces)\n"
    "       runner check-plugin NAME|FILE.so [--kind activation|loss|dataset]\n"
    "                           [--plugin-path DIR] [--set KEY=VALUE]\n"
    "                                           self-test a plugin: ABI, parameters, gradients,\n"
    "                                           finite output, determinism, threads, in place;\n"
    "                                           exit 0 all pass, 1 a check failed, 2 not loaded\n"
    "       runner info RESULTS.h5 [options]    print the summary table of a results file\n"
    "                                           (--sort, --where, --columns, --csv: runner info --help)\n"
    "       runner merge RUN_FOLDER|SPEC.yaml [-o OUT.h5]\n"
    "                                           build the sweep file from the shards' part files,\n"
    "                                           or list the missing runs (runner merge --help)\n"
    "       runner slurm SPEC.yaml --tasks N [--cpus-per-task C] [-o OUT.h5] [--submit]\n"
    "                    [-- SBATCH_OPTION ...]\n"
    "                                           write (and submit) a Slurm array job, one task\n"
    "                                           per shard, and the merge job (runner slurm --help)\n"
    "       runner convert IN.h5 OUT.h5 [--format 1|2]\n"
    "                                           rewrite a sweep file in the other layout, every\n"
    "                                           number as it is (runner convert --help)\n"
    "       runner --help | --version\n"
    "\n"
    "options of a run:\n"
    "  -o, --output PATH      results file (default: output: of the spec, else results/<name>.h5)\n"
    "  -j, --threads N        worker threads (default: all cores); never changes any result\n"
    "      --set KEY=VALUE    override a spec key by dotted path, VALUE parsed as YAML (repeatable)\n"
    "      --dry-run          validate, print the expanded runs and exit\n"
    "      --resume           continue an interrupted sweep: keep the runs already complete\n"
    "      --force            replace an existing results file\n"
    "      --keep-runs        keep the run folder's part files after the sweep file is built\n"
    "      --format 1|2       layout of the sweep file: 2 (default) stacks every array over\n"
    "                         the runs and adds the cube, 1 a group per run (docs/results.md)\n"
    "      --plugin-path DIR  extra plugin directory, searched first (repeatable);\n"
    "                         also MLPLAB_PLUGIN_PATH (colon-separated)\n"
    "      --shard I/N        compute only the I-th of N shares of the runs (0/N ... N-1/N),\n"
    "                         balanced by cost, into the shared run folder; then runner merge\n"
    "      --allow-insecure-plugins  load plugin files anyone may replace (world-writable,\n"
    "                         or in a world-writable folder); refused without it (also\n"
    "                         of plugins and check-plugin)\n"
    "  -q, --quiet            no progress display\n"
    "      --stop-after N     for tests: stop as Ctrl-C would once N runs are recorded\n"
    "\n"
    "exit status: 0 done, 1 runtime failure, 2 usage or spec error, 130 interrupted\n";

int main(int argc, char **argv)
{
    options o;

    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("mlplab runner %s (git %s%s)\n", MLPLAB_VERSION, MLPLAB_GIT_COMMIT,
               MLPLAB_GIT_DIRTY ? ", modified" : "");
        return 0;
    }
    if (strcmp(argv[1], "plugins") == 0)
        return mlp_cli_plugins(argc, argv);
    if (strcmp(argv[1], "info") == 0)
        return mlp_cli_info(argc, argv);
    if (strcmp(argv[1], "check-plugin") == 0)
        return mlp_cli_check_plugin(argc, argv);
    if (strcmp(argv[1], "merge") == 0) {
        mlp_cli_heap_policy();
        return mlp_cli_merge(argc, argv);
    }
    if (strcmp(argv[1], "slurm") == 0)
        return mlp_cli_slurm(argc, argv);
    if (strcmp(argv[1], "convert") == 0) {
        mlp_cli_heap_policy();
        return mlp_cli_convert(argc, argv);
    }

    mlp_cli_heap_policy();
    memset(&o, 0, sizeof(o));
    int rc = mlp_cli_parse_run(argc, argv, 1, &o);
    if (rc)
        return rc;
    if (!o.spec)
        return mlp_cli_usage_error("%s", "no spec file given");
    if (access(o.spec, F_OK) != 0 && !strchr(o.spec, '.') && !strchr(o.spec, '/'))
        return mlp_cli_usage_error("unknown command '%s' (commands: plugins, check-plugin, info, merge, "
                                   "slurm; "
                                   "or a spec file)", o.spec);
    return mlp_cli_run(argc, argv, &o);
}
