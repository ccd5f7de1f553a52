/* runner.c -- the command line: parses arguments, prints progress and
 * errors, and maps statuses to exit codes.  The only code that prints or
 * exits; everything else is in the library. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check.h"
#include "cli/cli.h"
#include "gitinfo.h"
#include "registry/registry.h"
#include "results/results.h"
#include "spec/spec.h"
#include "sweep/sweep.h"

static const char usage_text[] =
    "usage: runner SPEC.yaml [options]          run every point of the sweep, write one .h5 file\n"
    "       runner plugins [--plugin-path DIR]  list discovered plugins\n"
    "       runner check-plugin NAME|FILE.so [--kind activation|loss|dataset]\n"
    "                           [--plugin-path DIR] [--set KEY=VALUE]\n"
    "                                           self-test a plugin: ABI, parameters, gradients,\n"
    "                                           finite output, determinism, threads, in place;\n"
    "                                           exit 0 all pass, 1 a check failed, 2 not loaded\n"
    "       runner info RESULTS.h5 [options]    print the summary table of a results file\n"
    "                                           (--sort, --where, --columns, --csv: runner info --help)\n"
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
    "      --plugin-path DIR  extra plugin directory, searched first (repeatable);\n"
    "                         also MLPLAB_PLUGIN_PATH (colon-separated)\n"
    "  -q, --quiet            no progress display\n"
    "\n"
    "exit status: 0 done, 1 runtime failure, 2 usage or spec error, 130 interrupted\n";

/* ---- commands --------------------------------------------------------- */

/* `runner info`: rows are collected, then printed with aligned columns. */
typedef struct table {
    size_t n_cols, n_rows, cap;
    char **cells;            /* n_rows * n_cols */
    bool oom;
} table;

static void table_row(void *ctx, size_t n, const char *const *cells)
{
    table *t = ctx;

    if (t->oom)
        return;
    if (t->n_rows == 0)
        t->n_cols = n;
    if (n != t->n_cols)
        return;
    if ((t->n_rows + 1) * n > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64 * n;
        while (cap < (t->n_rows + 1) * n)
            cap *= 2;
        char **c = realloc(t->cells, cap * sizeof(char *));
        if (!c) {
            t->oom = true;
            return;
        }
        t->cells = c;
        t->cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        t->cells[t->n_rows * n + i] = strdup(cells[i] ? cells[i] : "");
        if (!t->cells[t->n_rows * n + i])
            t->oom = true;
    }
    t->n_rows++;
}

/* ---- runner info: filter, sort, choose columns, CSV ------------------- */

static const char info_usage[] =
    "usage: runner info RESULTS.h5 [options]    print the summary table: one row per run\n"
    "\n"
    "  --sort COL           order the rows by a column (numbers as numbers, NaN last)\n"
    "  --desc               largest first\n"
    "  --where COL OP VAL   keep the rows where the column compares so with VAL; OP is one\n"
    "                       of = != < <= > >= (numbers as numbers, else text); repeatable,\n"
    "                       e.g. --where model.hidden>=20 --where status=ok\n"
    "  --columns A,B,...    show these columns, in this order\n"
    "  --csv                comma-separated, every real written exactly\n"
    "\n"
    "columns: run, seed, status, every swept parameter by its dotted path, final_loss,\n"
    "train_accuracy, test_accuracy, first_iteration_at_100pct, wall_seconds,\n"
    "iterations_run, stop_reason\n";

typedef struct info_filter {
    size_t col;
    char op[3];              /* "=", "!=", "<", "<=", ">", ">=" */
    const char *value;
} info_filter;

typedef struct info_opts {
    const char *file;
    const char *sort;
    bool desc, csv;
    const char *columns;     /* "a,b,c" or NULL */
    const char *where[32];
    size_t n_where;
} info_opts;

static bool as_number(const char *s, double *v)
{
    char *end;

    if (!*s)
        return false;
    *v = strtod(s, &end);
    return *end == '\0';
}

/* The column named `name`, or an error listing the columns. */
static int find_column(const table *t, const char *name, size_t len, size_t *col)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (strlen(t->cells[c]) == len && !strncmp(t->cells[c], name, len)) {
            *col = c;
            return 0;
        }
    fprintf(stderr, "runner: error: no column '%.*s'; the columns are:", (int)len, name);
    for (size_t c = 0; c < t->n_cols; c++)
        fprintf(stderr, " %s", t->cells[c]);
    fprintf(stderr, "\n");
    return EXIT_USAGE;
}

static int parse_filter(const table *t, const char *expr, info_filter *f)
{
    static const char *const ops[] = {"!=", "<=", ">=", "=", "<", ">"};
    const char *at = NULL;
    size_t k;

    for (const char *p = expr; *p && !at; p++)
        for (k = 0; k < 6 && !at; k++)
            if (!strncmp(p, ops[k], strlen(ops[k])))
                at = p;
    if (!at || at == expr)
        return mlp_cli_usage_error("--where expects COLUMN=VALUE (or !=, <, <=, >, >=), got '%s'", expr);
    for (k = 0; k < 6; k++)
        if (!strncmp(at, ops[k], strlen(ops[k])))
            break;
    snprintf(f->op, sizeof(f->op), "%s", ops[k]);
    f->value = at + strlen(ops[k]);
    return find_column(t, expr, (size_t)(at - expr), &f->col);
}

static bool filter_keeps(const info_filter *f, const char *cell)
{
    double a, b;
    int cmp;

    if (as_number(cell, &a) && as_number(f->value, &b))
        cmp = a < b ? -1 : a > b;
    else
        cmp = strcmp(cell, f->value);
    if (!strcmp(f->op, "="))
        return cmp == 0;
    if (!strcmp(f->op, "!="))
        return cmp != 0;
    if (!strcmp(f->op, "<"))
        return cmp < 0;
    if (!strcmp(f->op, "<="))
        return cmp <= 0;
    if (!strcmp(f->op, ">"))
        return cmp > 0;
    return cmp >= 0;
}

/* Rows compared on one column: numbers as numbers (NaN last), else text. */
static const table *sort_table;
static size_t sort_col;
static bool sort_desc;

static int row_cmp(const void *pa, const void *pb)
{
    size_t ra = *(const size_t *)pa, rb = *(const size_t *)pb;
    const char *a = sort_table->cells[ra * sort_table->n_cols + sort_col];
    const char *b = sort_table->cells[rb * sort_table->n_cols + sort_col];
    double x, y;
    int c;

    if (as_number(a, &x) && as_number(b, &y)) {
        if (x != x || y != y)
            return (x != x) - (y != y);  /* NaN last, either way */
        c = x < y ? -1 : x > y;
    } else {
        c = strcmp(a, b);
    }
    if (sort_desc)
        c = -c;
    return c ? c : (ra < rb ? -1 : 1);  /* stable: run order breaks ties */
}

static void print_csv_cell(const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static int cmd_info(int argc, char **argv)
{
    info_opts o;
    mlp_error err;
    table t;
    info_filter filters[32];
    size_t *rows = NULL, *cols = NULL, *w = NULL, n_rows = 0, n_cols = 0;
    int code = 0;

    memset(&o, 0, sizeof(o));
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v;
        if (mlp_cli_is_opt(a, "--sort")) {
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, strlen("--sort"))) || !*v)
                return mlp_cli_usage_error("%s needs a column name", "--sort");
            o.sort = v;
        } else if (mlp_cli_is_opt(a, "--where")) {
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, strlen("--where"))) || !*v)
                return mlp_cli_usage_error("%s needs COLUMN=VALUE", "--where");
            if (o.n_where == 32)
                return mlp_cli_usage_error("too many --where options (%s)", v);
            o.where[o.n_where++] = v;
        } else if (mlp_cli_is_opt(a, "--columns")) {
            if (!(v = mlp_cli_option_value(argc, argv, &i, a, strlen("--columns"))) || !*v)
                return mlp_cli_usage_error("%s needs a list of columns", "--columns");
            o.columns = v;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(info_usage, stdout);
            return 0;
        } else if (!strcmp(a, "--desc")) {
            o.desc = true;
        } else if (!strcmp(a, "--csv")) {
            o.csv = true;
        } else if (a[0] == '-' && a[1]) {
            return mlp_cli_usage_error("runner info: unknown option '%s'", a);
        } else if (!o.file) {
            o.file = a;
        } else {
            return mlp_cli_usage_error("runner info: one results file at a time, not also '%s'", a);
        }
    }
    if (!o.file)
        return mlp_cli_usage_error("usage: %s info RESULTS.h5 [--sort COL [--desc]] [--where COL=VALUE]... "
                           "[--columns A,B] [--csv]", "runner");
    memset(&t, 0, sizeof(t));
    mlp_error_clear(&err);
    if (mlp_results_summary(o.file, o.csv, table_row, &t, &err) != MLP_OK) {
        code = mlp_cli_report(&err);
        goto out;
    }
    if (t.oom || t.n_rows == 0) {
        fprintf(stderr, "runner: error: %s\n", t.oom ? "out of memory" : "empty summary");
        code = 1;
        goto out;
    }
    /* columns to show */
    cols = calloc(t.n_cols, sizeof(size_t));
    rows = calloc(t.n_rows, sizeof(size_t));
    w = calloc(t.n_cols, sizeof(size_t));
    if (!cols || !rows || !w) {
        code = 1;
        goto out;
    }
    if (o.columns) {
        for (const char *p = o.columns; *p;) {
            size_t len = strcspn(p, ",");
            if (n_cols == t.n_cols || (code = find_column(&t, p, len, &cols[n_cols++])))
                goto out;
            p += len + (p[len] == ',');
        }
    } else {
        for (size_t c = 0; c < t.n_cols; c++)
            cols[n_cols++] = c;
    }
    for (size_t f = 0; f < o.n_where; f++)
        if ((code = parse_filter(&t, o.where[f], &filters[f])))
            goto out;
    /* rows that pass every filter (row 0 is the header) */
    for (size_t r = 1; r < t.n_rows; r++) {
        bool keep = true;
        for (size_t f = 0; f < o.n_where && keep; f++)
            keep = filter_keeps(&filters[f], t.cells[r * t.n_cols + filters[f].col]);
        if (keep)
            rows[n_rows++] = r;
    }
    if (o.sort) {
        if ((code = find_column(&t, o.sort, strlen(o.sort), &sort_col)))
            goto out;
        sort_table = &t;
        sort_desc = o.desc;
        qsort(rows, n_rows, sizeof(size_t), row_cmp);
    }
    if (o.csv) {
        for (size_t c = 0; c < n_cols; c++) {
            if (c)
                putchar(',');
            print_csv_cell(t.cells[cols[c]]);
        }
        putchar('\n');
        for (size_t i = 0; i < n_rows; i++) {
            for (size_t c = 0; c < n_cols; c++) {
                if (c)
                    putchar(',');
                print_csv_cell(t.cells[rows[i] * t.n_cols + cols[c]]);
            }
            putchar('\n');
        }
        goto out;
    }
    for (size_t c = 0; c < n_cols; c++) {
        w[c] = strlen(t.cells[cols[c]]);
        for (size_t i = 0; i < n_rows; i++) {
            size_t l = strlen(t.cells[rows[i] * t.n_cols + cols[c]]);
            w[c] = l > w[c] ? l : w[c];
        }
    }
    for (size_t i = 0; i <= n_rows; i++) {
        size_t r = i == 0 ? 0 : rows[i - 1];
        for (size_t c = 0; c < n_cols; c++)
            printf("%s%-*s", c ? "  " : "", c + 1 < n_cols ? (int)w[c] : 0,
                   t.cells[r * t.n_cols + cols[c]]);
        printf("\n");
    }
    if (o.n_where)
        fprintf(stderr, "%zu of %zu runs\n", n_rows, t.n_rows - 1);
out:
    free(rows);
    free(cols);
    free(w);
    for (size_t i = 0; i < t.n_rows * t.n_cols; i++)
        free(t.cells[i]);
    free(t.cells);
    return code;
}

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
        return cmd_info(argc, argv);
    if (strcmp(argv[1], "check-plugin") == 0)
        return mlp_cli_check_plugin(argc, argv);

    memset(&o, 0, sizeof(o));
    int rc = mlp_cli_parse_run(argc, argv, 1, &o);
    if (rc)
        return rc;
    if (!o.spec)
        return mlp_cli_usage_error("%s", "no spec file given");
    if (access(o.spec, F_OK) != 0 && !strchr(o.spec, '.') && !strchr(o.spec, '/'))
        return mlp_cli_usage_error("unknown command '%s' (commands: plugins, check-plugin, info; or a spec file)",
                           o.spec);
    return mlp_cli_run(argc, argv, &o);
}
