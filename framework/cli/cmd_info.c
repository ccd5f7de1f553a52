/* cmd_info.c -- `runner info`: a results file's summary table, filtered,
 * sorted and cut to columns by the table engine (cli/table.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "results/results.h"

static const char info_usage[] =
    "usage: runner info RESULTS.h5 [options]    print the summary table: one row per run\n"
    "\n"
    "  --sort COL           order the rows by a column (numbers as numbers, NaN last)\n"
    "  --desc               largest first\n"
    "  --where COL OP VAL   keep the rows where the column compares so with VAL; OP is one\n"
    "                       of = != < <= > >= (numbers as numbers, else text); one word or\n"
    "                       three, repeatable: --where model.hidden>=20 --where status = ok\n"
    "  --columns A,B,...    show these columns, in this order\n"
    "  --csv                comma-separated, every real written exactly\n"
    "\n"
    "columns: run, seed, repeat, status, every swept parameter by its dotted path, final_loss,\n"
    "train_accuracy, test_accuracy, first_iteration_at_100pct, wall_seconds,\n"
    "iterations_run, stop_reason\n";

typedef struct info_opts {
    const char *file;
    const char *sort;
    bool desc, csv;
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
        } else if (a[0] == '-' && a[1]) {
            return mlp_cli_usage_error("runner info: unknown option '%s'", a);
        } else if (!o->file) {
            o->file = a;
        } else {
            return mlp_cli_usage_error("runner info: one results file at a time, not also '%s'",
                                       a);
        }
    }
    if (!o->file)
        return mlp_cli_usage_error("usage: %s info RESULTS.h5 [--sort COL [--desc]] "
                                   "[--where COL=VALUE]... [--columns A,B] [--csv]", "runner");
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
    mlp_error_clear(&err);
    if (mlp_results_summary(o.file, o.csv, mlp_table_add_row, &t, &err) != MLP_OK) {
        code = mlp_cli_report(&err);
        goto out;
    }
    if (t.oom || t.n_rows == 0) {
        fprintf(stderr, "runner: error: %s\n", t.oom ? "out of memory" : "empty summary");
        code = 1;
        goto out;
    }
    if (mlp_table_view_create(&t, &v, &err) != MLP_OK) {
        code = 1;  /* out of memory: exit 1, no message, as before */
        goto out;
    }
    if ((code = select_view(&t, &o, &v, &nothing)) || nothing)
        goto out;
    if (o.csv) {
        mlp_table_write_csv(&t, &v, stdout);
        goto out;
    }
    mlp_table_write_text(&t, &v, stdout);
    if (o.n_where)
        fprintf(stderr, "%zu of %zu run%s\n", v.n_rows, t.n_rows - 1, t.n_rows == 2 ? "" : "s");
out:
    for (size_t i = 0; i < sizeof(o.joined) / sizeof(o.joined[0]); i++)
        free(o.joined[i]);
    mlp_table_view_free(&v);
    mlp_table_clear(&t);
    return code;
}
