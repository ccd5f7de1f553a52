/* cmd_info.c -- `runner info`: the summary table of results files (or of
 * an unfinished sweep's run folder), several as one with a file column,
 * filtered, sorted and cut to columns by the table engine (cli/table.h) and
 * printed aligned, as CSV or as JSON; with --spec, a file's resolved spec
 * and provenance. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "results/results.h"

static const char info_usage[] =
    "usage: runner info RESULTS.h5... [options]  print the summary table: one row per run\n"
    "       runner info RUN_FOLDER [options]     the runs an unfinished sweep has finished\n"
    "       runner info --spec RESULTS.h5        the resolved spec and the provenance\n"
    "\n"
    "  several files make one table, with a first column `file`\n"
    "  --sort COL           order the rows by a column (numbers as numbers, NaN last)\n"
    "  --desc               largest first\n"
    "  --where COL OP VAL   keep the rows where the column compares so with VAL; OP is one\n"
    "                       of = != < <= > >= (numbers as numbers, else text); one word or\n"
    "                       three, repeatable: --where model.hidden>=20 --where status = ok\n"
    "  --columns A,B,...    show these columns, in this order\n"
    "  --csv                comma-separated, every real written exactly\n"
    "  --json               a JSON array of objects, one per row, reals written exactly\n"
    "                       (NaN as null); with --spec, the root attributes as one object\n"
    "  --spec               print the file's spec_resolved (a spec that reruns the sweep)\n"
    "                       after its provenance (every other root attribute but the spec\n"
    "                       as written) as # comments\n"
    "\n"
    "columns: run, seed, repeat, status, every swept parameter by its dotted path,\n"
    "final_loss, train_accuracy, test_accuracy, first_iteration_at_100pct, wall_seconds,\n"
    "iterations_run, stop_reason\n";

#define MAX_FILES 256

typedef struct info_opts {
    const char *files[MAX_FILES];
    size_t n_files;
    const char *sort;
    bool desc, csv, json, spec;
    bool help;               /* --help: print info_usage, nothing else */
    const char *columns;     /* "a,b,c" or NULL */
    const char *where[32];
    char *joined[32];        /* --where given in pieces, joined (owned) */
    size_t n_where;
} info_opts;

/* Whether s holds a character that can begin a --where operator. */
static bool has_operator(const char *s)
{
    return s[strcspn(s, "=!<>")] != '\0';
}

/* Whether s ends in an operator (spaces aside): its value is still to come. */
static bool ends_in_operator(const char *s)
{
    size_t n = strlen(s);

    while (n && s[n - 1] == ' ')
        n--;
    return n && strchr("=!<>", s[n - 1]);
}

/* A --where given as "COL OP VAL" in two or three words: the words after v
 * that it still needs (not options) joined to it with spaces, into
 * o->joined[o->n_where].  Returns the expression, or NULL when out of memory. */
static const char *where_pieces(int argc, char **argv, int *i, const char *v, info_opts *o)
{
    size_t len = strlen(v), k = o->n_where;
    char *e = strdup(v);

    for (int more = 0; e && more < 2 && *i + 1 < argc && strncmp(argv[*i + 1], "--", 2); more++) {
        if (has_operator(e) && !ends_in_operator(e))
            break;
        const char *w = argv[++*i];
        char *g = realloc(e, len + strlen(w) + 2);
        if (!g) {
            free(e);
            return NULL;
        }
        e = g;
        snprintf(e + len, strlen(w) + 2, " %s", w);
        len = strlen(e);
    }
    o->joined[k] = e;
    return e;
}

/* argv[2..] into o: 0, or the exit status of a usage error (already
 * printed).  --help ends the parse with o->help set. */
static int parse_info_args(int argc, char **argv, info_opts *o)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v;
        if (mlp_cli_is_opt(a, "--sort")) {
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, strlen("--sort"))) || !*v)
                return mlp_cli_usage_error("%s needs a column name", "--sort");
            o->sort = v;
        } else if (mlp_cli_is_opt(a, "--where")) {
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, strlen("--where"))) || !*v)
                return mlp_cli_usage_error("%s needs COLUMN=VALUE", "--where");
            if (o->n_where == 32)
                return mlp_cli_usage_error("too many --where options (%s)", v);
            if (!has_operator(v) || ends_in_operator(v)) {
                if (!(v = where_pieces(argc, argv, &i, v, o)))
                    return mlp_cli_usage_error("%s: out of memory", "--where");
            }
            o->where[o->n_where++] = v;
        } else if (mlp_cli_is_opt(a, "--columns")) {
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, strlen("--columns"))) || !*v)
                return mlp_cli_usage_error("%s needs a list of columns", "--columns");
            o->columns = v;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            o->help = true;
            return 0;
        } else if (!strcmp(a, "--desc")) {
            o->desc = true;
        } else if (!strcmp(a, "--csv")) {
            o->csv = true;
        } else if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "--spec")) {
            o->spec = true;
        } else if (a[0] == '-' && a[1]) {
            return mlp_cli_usage_error("runner info: unknown option '%s'", a);
        } else if (o->n_files == MAX_FILES) {
            return mlp_cli_usage_error("runner info: too many files (%s)", a);
        } else {
            o->files[o->n_files++] = a;
        }
    }
    if (!o->n_files)
        return mlp_cli_usage_error("usage: %s info RESULTS.h5... [--sort COL [--desc]] "
                                   "[--where COL OP VALUE]... [--columns A,B] [--csv | --json]"
                                   " (or: info --spec RESULTS.h5)", "runner");
    if (o->csv && o->json)
        return mlp_cli_usage_error("runner info: %s: choose one output", "--csv or --json");
    if (o->spec && (o->n_files > 1 || o->sort || o->n_where || o->columns || o->csv))
        return mlp_cli_usage_error("runner info --spec takes one results file%s", "");
    return 0;
}

/* A table error (an unknown column) as runner info prints it. */
static int table_error(const mlp_error *err)
{
    fprintf(stderr, "runner: error: %s\n", err->msg);
    return mlp_cli_exit_code(err->code);
}

/* Narrows v to what o asks for: the --columns, the rows passing every
 * --where, in --sort order.  Returns 0, or the exit status of an error
 * (already printed).  *nothing is set when --columns names more columns than
 * the table has: the runner has always printed nothing then, and exited 0. */
static int select_view(const mlp_table *t, const info_opts *o, mlp_table_view *v, bool *nothing)
{
    mlp_table_filter filters[32];
    mlp_error err;
    const char *rest;
    size_t col;

    mlp_error_clear(&err);
    if (o->columns) {
        if (mlp_table_view_columns(t, o->columns, v, &rest, &err) != MLP_OK)
            return table_error(&err);
        if (*rest) {
            *nothing = true;
            return 0;
        }
    }
    for (size_t f = 0; f < o->n_where; f++) {
        if (mlp_table_filter_parse(o->where[f], &filters[f], &err) != MLP_OK)
            return mlp_cli_usage_error("%s", err.msg);
        if (mlp_table_find_column(t, filters[f].name, filters[f].name_len, &filters[f].col,
                                  &err) != MLP_OK)
            return table_error(&err);
    }
    mlp_table_view_filter(t, filters, o->n_where, v);
    if (o->sort) {
        if (mlp_table_find_column(t, o->sort, strlen(o->sort), &col, &err) != MLP_OK)
            return table_error(&err);
        mlp_table_view_sort(t, col, o->desc, v);
    }
    return 0;
}

/* ---- --spec: the root attributes --------------------------------------- */

typedef struct attr_list {
    char **name, **value;
    size_t n, cap;
    bool oom;
} attr_list;

static void attr_add(void *ctx, const char *name, const char *value)
{
    attr_list *l = ctx;

    if (l->oom)
        return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 32;
        char **a = realloc(l->name, cap * sizeof(*a));
        if (a)
            l->name = a;
        char **b = a ? realloc(l->value, cap * sizeof(*b)) : NULL;
        if (b)
            l->value = b;
        if (!a || !b) {
            l->oom = true;
            return;
        }
        l->cap = cap;
    }
    l->name[l->n] = strdup(name);
    l->value[l->n] = strdup(value);
    if (!l->name[l->n] || !l->value[l->n]) {
        free(l->name[l->n]);
        free(l->value[l->n]);
        l->oom = true;
        return;
    }
    l->n++;
}

/* The resolved spec after the provenance as # comments (a multi-line value
 * indented under its name), or with json every attribute as one object. */
static int print_spec(const char *file, bool json)
{
    attr_list l = {0};
    mlp_error err;
    const char *resolved = NULL;
    int code = 0;

    mlp_error_clear(&err);
    if (mlp_results_attributes(file, attr_add, &l, &err) != MLP_OK) {
        code = mlp_cli_report(&err);
        goto out;
    }
    if (l.oom) {
        fprintf(stderr, "runner: error: out of memory\n");
        code = 1;
        goto out;
    }
    if (json) {
        fputs("{", stdout);
        for (size_t i = 0; i < l.n; i++) {
            fputs(i ? ",\n " : "\n ", stdout);
            mlp_table_json_string(l.name[i], stdout);
            fputs(": ", stdout);
            mlp_table_json_string(l.value[i], stdout);
        }
        fputs("\n}\n", stdout);
        goto out;
    }
    printf("# %s: the provenance, then the spec as the sweep ran it (spec_resolved)\n", file);
    for (size_t i = 0; i < l.n; i++) {
        const char *v = l.value[i];
        if (!strcmp(l.name[i], "spec_resolved")) {
            resolved = v;
            continue;
        }
        if (!strcmp(l.name[i], "spec"))
            continue;  /* as written: spec_resolved below says it all */
        if (!strchr(v, '\n')) {
            printf("# %s: %s\n", l.name[i], v);
            continue;
        }
        printf("# %s:\n", l.name[i]);
        for (const char *p = v; *p;) {
            size_t n = strcspn(p, "\n");
            printf("#   %.*s\n", (int)n, p);
            p += n + (p[n] == '\n');
        }
    }
    if (resolved)
        fputs(resolved, stdout);
    if (resolved && *resolved && resolved[strlen(resolved) - 1] != '\n')
        putchar('\n');
out:
    for (size_t i = 0; i < l.n; i++) {
        free(l.name[i]);
        free(l.value[i]);
    }
    free(l.name);
    free(l.value);
    return code;
}

/* ---- the summary of one file or run folder ------------------------------ */

/* The summary of path into t: a sweep file, or the run folder an unfinished
 * sweep left (then a note on stderr says so).  Returns 0, or the exit
 * status of an error (already printed). */
static int load_one(const char *path, bool exact, mlp_table *t)
{
    mlp_error err;
    struct stat sb;
    size_t found = 0;
    bool dir = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
    mlp_status rc;

    mlp_error_clear(&err);
    if (dir) {
        rc = mlp_results_folder_summary(path, exact, mlp_table_add_row, t, &found, &err);
        if (rc == MLP_OK && !t->oom)
            fprintf(stderr, "%s: %zu finished run%s of an unfinished sweep (read from its "
                    "part files; the sweep's --resume, or runner merge for a sharded sweep, "
                    "completes it)\n", path, found,
                    found == 1 ? "" : "s");
    } else {
        char *runs = mlp_results_runs_dir(path);
        if (runs && stat(path, &sb) != 0 && stat(runs, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            fprintf(stderr, "runner: error: %s does not exist, but %s does: an unfinished "
                    "sweep (runner info %s shows the runs finished so far)\n", path, runs,
                    runs);
            free(runs);
            return 1;
        }
        free(runs);
        rc = mlp_results_summary(path, exact, mlp_table_add_row, t, &err);
    }
    if (rc != MLP_OK)
        return mlp_cli_report(&err);
    if (t->oom || t->n_rows == 0) {
        fprintf(stderr, "runner: error: %s: %s\n", path,
                t->oom ? "out of memory" : dir ? "no finished run yet" : "empty summary");
        return 1;
    }
    return 0;
}

/* The summary of every file of o into t: one file's as it is, several as
 * one table with a first column `file`. */
static int load_all(const info_opts *o, mlp_table *t)
{
    mlp_table *parts = calloc(o->n_files, sizeof(*parts));
    mlp_error err;
    int code = 0;

    if (o->n_files == 1) {
        free(parts);
        return load_one(o->files[0], o->csv || o->json, t);
    }
    if (!parts) {
        fprintf(stderr, "runner: error: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < o->n_files && !code; i++)
        code = load_one(o->files[i], o->csv || o->json, &parts[i]);
    if (!code && mlp_table_concat(parts, o->n_files, "file", o->files, t, &err) != MLP_OK) {
        fprintf(stderr, "runner: error: %s\n", err.msg);
        code = 1;
    }
    for (size_t i = 0; i < o->n_files; i++)
        mlp_table_clear(&parts[i]);
    free(parts);
    return code;
}

/* The bracket table of each sweep file made with sweep.halving (its root
 * attribute halving), after the run table. */
static void print_halving(const info_opts *o)
{
    for (size_t i = 0; i < o->n_files; i++) {
        attr_list l = {0};
        mlp_error err;
        if (mlp_results_attributes(o->files[i], attr_add, &l, &err) != MLP_OK)
            l.n = 0; /* a run folder: no sweep file yet */
        for (size_t a = 0; a < l.n; a++) {
            if (strcmp(l.name[a], "halving"))
                continue;
            if (o->n_files > 1)
                printf("\n%s:\n%s", o->files[i], l.value[a]);
            else
                printf("\n%s", l.value[a]);
        }
        for (size_t a = 0; a < l.n; a++) {
            free(l.name[a]);
            free(l.value[a]);
        }
        free(l.name);
        free(l.value);
    }
}

int mlp_cli_info(int argc, char **argv)
{
    info_opts o;
    mlp_error err;
    mlp_table t;
    mlp_table_view v;
    bool nothing = false;
    int code;

    memset(&o, 0, sizeof(o));
    memset(&t, 0, sizeof(t));
    memset(&v, 0, sizeof(v));
    if ((code = parse_info_args(argc, argv, &o)))
        goto out;
    if (o.help) {
        fputs(info_usage, stdout);
        goto out;
    }
    if (o.spec) {
        code = print_spec(o.files[0], o.json);
        goto out;
    }
    mlp_error_clear(&err);
    if ((code = load_all(&o, &t)))
        goto out;
    if (mlp_table_view_create(&t, &v, &err) != MLP_OK) {
        code = 1;  /* out of memory: exit 1, no message, as before */
        goto out;
    }
    if ((code = select_view(&t, &o, &v, &nothing)) || nothing)
        goto out;
    if (o.csv)
        mlp_table_write_csv(&t, &v, stdout);
    else if (o.json)
        mlp_table_write_json(&t, &v, stdout);
    else
        mlp_table_write_text(&t, &v, stdout);
    if (o.n_where && !o.csv && !o.json)
        fprintf(stderr, "%zu of %zu run%s\n", v.n_rows, t.n_rows - 1, t.n_rows == 2 ? "" : "s");
    if (!o.csv && !o.json)
        print_halving(&o);
out:
    for (size_t i = 0; i < sizeof(o.joined) / sizeof(o.joined[0]); i++)
        free(o.joined[i]);
    mlp_table_view_free(&v);
    mlp_table_clear(&t);
    return code;
}
