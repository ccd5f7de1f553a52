/* cli.h -- private to cli/: the declarations the runner's files share
 * (options, error reporting and exit codes, progress, the commands).
 * Not a public header: nothing outside cli/ includes it. */
#ifndef MLPLAB_CLI_H
#define MLPLAB_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "registry/registry.h"
#include "spec/spec.h"
#include "sweep/sweep.h"

#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130
#define MAX_LIST 256

/* ---- options (options.c) ---------------------------------------------- */

/* Options of a run (plugins and check-plugin use plugin_dirs only). */
typedef struct options {
    const char *spec;
    const char *output;
    int threads;
    const char *sets[MAX_LIST];
    size_t n_sets;
    const char *plugin_dirs[MAX_LIST];
    size_t n_plugin_dirs;
    bool dry_run, resume, force, keep_runs, quiet;
    unsigned shard, n_shards;  /* --shard i/n (n_shards 0: the whole sweep) */
    bool allow_insecure;        /* --allow-insecure-plugins */
    int format;                 /* --format 1|2 of the sweep file (0: the default) */
    size_t stop_after;          /* --stop-after N (for tests), 0: never */
} options;

/* Exit status of a library status: 0, 1, 2 (EXIT_USAGE) or 130. */
int mlp_cli_exit_code(mlp_status rc);

/* Prints err ("file:line:col: error: msg") to stderr; returns its exit status. */
int mlp_cli_report(const mlp_error *err);

/* Prints "runner: error: " fmt (with one %s, arg) and the --help hint to
 * stderr; returns EXIT_USAGE. */
int mlp_cli_usage_error(const char *fmt, const char *arg);

/* Whether argv word arg is option name ("--name", "--name=v"; "-x" also "-xV"). */
bool mlp_cli_is_opt(const char *arg, const char *name);

/* Value of the option at argv[*i] ("--name=v", "--name v", "-xV" or "-x V"),
 * name_len the length of its name; advances *i past a separate value.
 * NULL when the value is missing. */
const char *mlp_cli_option_value(int argc, char **argv, int *i, const char *arg,
                                 size_t name_len);

/* Options of a run from argv[start..]: 0, or the exit status of a usage error
 * (already printed). */
int mlp_cli_parse_run(int argc, char **argv, int start, options *o);

/* --plugin-path DIR at argv[*i] (of plugins and check-plugin) into o: 0, or
 * the exit status of a usage error (already printed). */
int mlp_cli_parse_plugin_path(int argc, char **argv, int *i, options *o);

/* o's spec loaded with its --set overrides, the registry opened and the spec
 * validated against it: 0, or the exit status of the error (already
 * printed).  *spec and *reg are set even on failure (free them). */
int mlp_cli_load_spec(const options *o, mlp_spec **spec, mlp_registry **reg);
/* The same, printing nothing: the status, and err on failure. */
mlp_status mlp_cli_load_spec_quietly(const options *o, mlp_spec **spec, mlp_registry **reg,
                                     mlp_error *err);

/* The plugin registry searching o's --plugin-path directories first. */
mlp_status mlp_cli_open_registry(const options *o, mlp_registry **reg, mlp_error *err);

/* ---- progress (progress.c) -------------------------------------------- */

typedef struct progress_ctx {
    bool tty;
    bool quiet;
    bool drew;               /* a bar is on the current line */
    double first, last;      /* mlp_cli_preparing: its first call, its last line (s) */
} progress_ctx;

/* The sweep's progress callback: a bar on a terminal, else one line per
 * run, on stderr; notes even when quiet.  vctx is a progress_ctx. */
void mlp_cli_progress(void *vctx, const mlp_sweep_progress *p);
/* The sweep's callback while it resolves the runs before training: nothing
 * for the first 2 s, then a line on a terminal (redrawn), else one line
 * every 10 s, on stderr; nothing when quiet. */
void mlp_cli_preparing(void *vctx, size_t done, size_t total);

/* ---- fatal signals during a sweep (fatal.c) ---------------------------- */

/* From now on SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT first write one
 * line to stderr: mlp_sweep_fault_note (the run and plugin function of the
 * thread that took the signal) followed by tail (copied; at most 1023
 * bytes), after a newline when tty (a progress bar may be on the line); then
 * the action each had before takes over (the default: the process dies by
 * the signal, so its exit status stays the signal's). */
void mlp_cli_fatal_install(const char *tail, bool tty);
/* Back to the actions before mlp_cli_fatal_install. */
void mlp_cli_fatal_uninstall(void);

/* The runner's heap for the commands that build sweep files (run, merge,
 * convert): heaps that keep freed memory, the first 64 MB and the arena of
 * every thread the library starts asked for transparent huge pages (heap.c
 * says why).  Call before anything large is allocated; changes no result. */
void mlp_cli_heap_policy(void);

/* ---- commands (cmd_*.c): each returns the exit status ------------------ */

int mlp_cli_run(int argc, char **argv, const options *o);       /* runner SPEC.yaml */
int mlp_cli_plugins(int argc, char **argv);                     /* runner plugins */
int mlp_cli_check_plugin(int argc, char **argv);                /* runner check-plugin */
int mlp_cli_info(int argc, char **argv);                        /* runner info */
int mlp_cli_merge(int argc, char **argv);                       /* runner merge */
int mlp_cli_slurm(int argc, char **argv);                       /* runner slurm */
int mlp_cli_convert(int argc, char **argv);                     /* runner convert */

/* cmd_run.c's helpers that merge shares */
/* SIGINT and SIGTERM from now on raise the flag returned (the first; a
 * second stops at once), and SIGXFSZ is ignored: the runner's handlers. */
const volatile sig_atomic_t *mlp_cli_stop_signals(void);
char *mlp_cli_join_command(int argc, char **argv);
/* The text kept as the run folder's sweep.source: the spec's absolute path
 * and the --set overrides, one a line (malloc'd). */
char *mlp_cli_source_text(const options *o);
/* The shell command that computes only the runs of shard (n_shards 0: the
 * whole sweep) with --resume, for spec, o's --set list and output. */
char *mlp_cli_resume_shard_command(const char *spec, const options *o, const char *output,
                                   unsigned shard, unsigned n_shards);

#endif
