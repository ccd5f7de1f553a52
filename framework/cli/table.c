/* table.c -- the table engine of `runner info`: cells collected row by row,
 * --where filters, --sort, --columns, and aligned or CSV output into a FILE*.
 * Prints nothing itself; errors are returned in an mlp_error. */
#include "cli/table.h"

#include <stdlib.h>
#include <string.h>

/* ---- cells ------------------------------------------------------------ */

void mlp_table_add_row(void *ctx, size_t n, const char *const *cells)
{
    mlp_table *t = ctx;

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

void mlp_table_clear(mlp_table *t)
{
    for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof(*t));
}

/* ---- columns and filters ---------------------------------------------- */

static bool as_number(const char *s, double *v)
{
    char *end;

    if (!*s)
        return false;
    *v = strtod(s, &end);
    return *end == '\0';
}

/* Levenshtein distance of a[0..la) and b[0..lb); long words count as far apart. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
    size_t row[65];

    if (la > 64 || lb > 64)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The column named `name`, or an error naming the nearest column (within a
 * third of the name's length, at least 2 edits) and listing the columns. */
mlp_status mlp_table_find_column(const mlp_table *t, const char *name, size_t len, size_t *col,
                                 mlp_error *err)
{
    char list[sizeof(err->msg)], hint[160] = "";
    size_t used = 0, best = (size_t)-1, limit = len / 3 > 2 ? len / 3 : 2;
    const char *near = NULL;

    for (size_t c = 0; c < t->n_cols; c++)
        if (strlen(t->cells[c]) == len && !strncmp(t->cells[c], name, len)) {
            *col = c;
            return MLP_OK;
        }
    for (size_t c = 0; c < t->n_cols && len; c++) {
        size_t d = edit_distance(name, len, t->cells[c], strlen(t->cells[c]));
        if (d <= limit && d < len && d < best) {
            best = d;
            near = t->cells[c];
        }
    }
    if (near)
        snprintf(hint, sizeof(hint), " (did you mean '%s'?)", near);
    list[0] = '\0';
    for (size_t c = 0; c < t->n_cols && used < sizeof(list); c++) {
        int k = snprintf(list + used, sizeof(list) - used, " %s", t->cells[c]);
        used += k > 0 ? (size_t)k : 0;
    }
    return mlp_fail(err, MLP_ERR_USAGE, "no column '%.*s'%s; the columns are:%s", (int)len, name,
                    hint, list);
}

/* What a mistyped operator was probably meant to be, or NULL. */
static const char *operator_hint(const char *op, size_t len)
{
    static const char *const typo[][2] = {
        {"=>", ">="}, {"=<", "<="}, {"==", "="}, {"<>", "!="}, {"=!", "!="}, {"!", "!="},
        {"!==", "!="}, {">==", ">="}, {"<==", "<="}, {"===", "="},
    };

    for (size_t i = 0; i < sizeof(typo) / sizeof(typo[0]); i++)
        if (strlen(typo[i][0]) == len && !strncmp(op, typo[i][0], len))
            return typo[i][1];
    return NULL;
}

/* The operators, longest first where one begins another. */
static const char *const filter_ops[] = {"!=", "<=", ">=", "=", "<", ">"};

/* Parses at the first character that can begin an operator (= ! < >): the
 * whole run of such characters is the operator, and it must be one of the
 * six (so 'h=>3' is a mistyped '>=', not '=' with the value '>3').  Spaces
 * around the operator are dropped ('h >= 3'). */
mlp_status mlp_table_filter_parse(const char *expr, mlp_table_filter *f, mlp_error *err)
{
    const char *at = expr + strcspn(expr, "=!<>");
    size_t oplen = strspn(at, "=!<>"), name_len = (size_t)(at - expr), k;
    const char *hint;

    while (name_len && (expr[name_len - 1] == ' ' || expr[name_len - 1] == '\t'))
        name_len--;
    if (!*at || name_len == 0)
        return mlp_fail(err, MLP_ERR_USAGE,
                        "--where expects COLUMN=VALUE (or !=, <, <=, >, >=), got '%s'", expr);
    for (k = 0; k < 6; k++)
        if (strlen(filter_ops[k]) == oplen && !strncmp(at, filter_ops[k], oplen))
            break;
    if (k == 6) {
        hint = operator_hint(at, oplen);
        return mlp_fail(err, MLP_ERR_USAGE,
                        "--where '%s': unknown operator '%.*s'%s%s%s; the operators are "
                        "= != < <= > >=", expr, (int)oplen, at, hint ? " (did you mean '" : "",
                        hint ? hint : "", hint ? "'?)" : "");
    }
    f->name = expr;
    f->name_len = name_len;
    snprintf(f->op, sizeof(f->op), "%s", filter_ops[k]);
    f->value = at + oplen + strspn(at + oplen, " \t");
    f->col = 0;
    return MLP_OK;
}

bool mlp_table_filter_keeps(const mlp_table_filter *f, const char *cell)
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

/* ---- the view: rows kept, their order, the columns shown --------------- */

mlp_status mlp_table_view_create(const mlp_table *t, mlp_table_view *v, mlp_error *err)
{
    memset(v, 0, sizeof(*v));
    v->cols = calloc(t->n_cols, sizeof(size_t));
    v->rows = calloc(t->n_rows, sizeof(size_t));
    v->width = calloc(t->n_cols, sizeof(size_t));
    if (!v->cols || !v->rows || !v->width) {
        mlp_table_view_free(v);
        return mlp_fail(err, MLP_ERR_NOMEM, "out of memory");
    }
    for (size_t r = 1; r < t->n_rows; r++)
        v->rows[v->n_rows++] = r;
    for (size_t c = 0; c < t->n_cols; c++)
        v->cols[v->n_cols++] = c;
    return MLP_OK;
}

void mlp_table_view_free(mlp_table_view *v)
{
    free(v->rows);
    free(v->cols);
    free(v->width);
    memset(v, 0, sizeof(*v));
}

mlp_status mlp_table_view_columns(const mlp_table *t, const char *list, mlp_table_view *v,
                                  const char **rest, mlp_error *err)
{
    const char *p = list;
    mlp_status rc;

    v->n_cols = 0;
    while (*p && v->n_cols < t->n_cols) {
        size_t len = strcspn(p, ",");
        if ((rc = mlp_table_find_column(t, p, len, &v->cols[v->n_cols++], err)) != MLP_OK)
            return rc;
        p += len + (p[len] == ',');
    }
    *rest = p;
    return MLP_OK;
}

void mlp_table_view_filter(const mlp_table *t, const mlp_table_filter *filters, size_t n,
                           mlp_table_view *v)
{
    size_t kept = 0;

    for (size_t i = 0; i < v->n_rows; i++) {
        size_t r = v->rows[i];
        bool keep = true;
        for (size_t f = 0; f < n && keep; f++)
            keep = mlp_table_filter_keeps(&filters[f], t->cells[r * t->n_cols + filters[f].col]);
        if (keep)
            v->rows[kept++] = r;
    }
    v->n_rows = kept;
}

/* Rows compared on one column: numbers as numbers (NaN last), else text. */
static const mlp_table *sort_table;
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

void mlp_table_view_sort(const mlp_table *t, size_t col, bool desc, mlp_table_view *v)
{
    sort_table = t;
    sort_col = col;
    sort_desc = desc;
    qsort(v->rows, v->n_rows, sizeof(size_t), row_cmp);
}

/* ---- output ----------------------------------------------------------- */

static void write_csv_cell(const char *s, FILE *out)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, out);
        return;
    }
    putc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', out);
        putc(*s, out);
    }
    putc('"', out);
}

void mlp_table_write_csv(const mlp_table *t, const mlp_table_view *v, FILE *out)
{
    for (size_t c = 0; c < v->n_cols; c++) {
        if (c)
            putc(',', out);
        write_csv_cell(t->cells[v->cols[c]], out);
    }
    putc('\n', out);
    for (size_t i = 0; i < v->n_rows; i++) {
        for (size_t c = 0; c < v->n_cols; c++) {
            if (c)
                putc(',', out);
            write_csv_cell(t->cells[v->rows[i] * t->n_cols + v->cols[c]], out);
        }
        putc('\n', out);
    }
}

void mlp_table_write_text(const mlp_table *t, mlp_table_view *v, FILE *out)
{
    size_t *w = v->width;

    for (size_t c = 0; c < v->n_cols; c++) {
        w[c] = strlen(t->cells[v->cols[c]]);
        for (size_t i = 0; i < v->n_rows; i++) {
            size_t l = strlen(t->cells[v->rows[i] * t->n_cols + v->cols[c]]);
            w[c] = l > w[c] ? l : w[c];
        }
    }
    for (size_t i = 0; i <= v->n_rows; i++) {
        size_t r = i == 0 ? 0 : v->rows[i - 1];
        for (size_t c = 0; c < v->n_cols; c++)
            fprintf(out, "%s%-*s", c ? "  " : "", c + 1 < v->n_cols ? (int)w[c] : 0,
                    t->cells[r * t->n_cols + v->cols[c]]);
        fprintf(out, "\n");
    }
}

/* ---- several tables as one ---------------------------------------------- */

mlp_status mlp_table_concat(const mlp_table *parts, size_t n, const char *label_name,
                            const char *const *labels, mlp_table *out, mlp_error *err)
{
    const char **names = NULL, **cells = NULL;
    size_t n_names = 1, cap = 1;
    size_t **map = NULL;     /* map[i][c]: where part i's column c goes */
    mlp_status st = MLP_OK;

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < n; i++)
        cap += parts[i].n_cols;
    names = calloc(cap, sizeof(*names));
    cells = calloc(cap, sizeof(*cells));
    map = calloc(n ? n : 1, sizeof(*map));
    if (!names || !cells || !map)
        goto nomem;
    names[0] = label_name;
    for (size_t i = 0; i < n; i++) {
        if (!(map[i] = calloc(parts[i].n_cols ? parts[i].n_cols : 1, sizeof(size_t))))
            goto nomem;
        for (size_t c = 0; c < parts[i].n_cols; c++) {
            size_t j = 1;
            while (j < n_names && strcmp(names[j], parts[i].cells[c]))
                j++;
            if (j == n_names)
                names[n_names++] = parts[i].cells[c];
            map[i][c] = j;
        }
    }
    mlp_table_add_row(out, n_names, names);
    for (size_t i = 0; i < n; i++)
        for (size_t r = 1; r < parts[i].n_rows; r++) {
            for (size_t j = 0; j < n_names; j++)
                cells[j] = "";
            cells[0] = labels[i];
            for (size_t c = 0; c < parts[i].n_cols; c++)
                cells[map[i][c]] = parts[i].cells[r * parts[i].n_cols + c];
            mlp_table_add_row(out, n_names, cells);
        }
    if (out->oom)
        goto nomem;
    goto out;
nomem:
    mlp_table_clear(out);
    st = mlp_fail(err, MLP_ERR_NOMEM, "out of memory");
out:
    for (size_t i = 0; map && i < n; i++)
        free(map[i]);
    free(map);
    free(names);
    free(cells);
    return st;
}

/* ---- JSON --------------------------------------------------------------- */

/* Whether s is a JSON number: -?digits[.digits][(e|E)[+-]digits], finite. */
static bool json_number(const char *s)
{
    const char *p = s + (*s == '-');
    size_t d = strspn(p, "0123456789");

    if (d == 0 || (d > 1 && *p == '0'))
        return false;
    p += d;
    if (*p == '.') {
        if (!(d = strspn(++p, "0123456789")))
            return false;
        p += d;
    }
    if (*p == 'e' || *p == 'E') {
        p += 1 + (p[1] == '+' || p[1] == '-');
        if (!(d = strspn(p, "0123456789")))
            return false;
        p += d;
    }
    return *p == '\0';
}

void mlp_table_json_string(const char *s, FILE *out)
{
    putc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            putc(c, out);
    }
    putc('"', out);
}

void mlp_table_write_json(const mlp_table *t, const mlp_table_view *v, FILE *out)
{
    fputs("[", out);
    for (size_t i = 0; i < v->n_rows; i++) {
        fputs(i ? ",\n {" : "\n {", out);
        for (size_t c = 0; c < v->n_cols; c++) {
            const char *cell = t->cells[v->rows[i] * t->n_cols + v->cols[c]];
            if (c)
                fputs(", ", out);
            mlp_table_json_string(t->cells[v->cols[c]], out);
            fputs(": ", out);
            if (json_number(cell))
                fputs(cell, out);
            else if (!strcmp(cell, "nan") || !strcmp(cell, "-nan") || !strcmp(cell, "inf") ||
                     !strcmp(cell, "-inf"))
                fputs("null", out);
            else
                mlp_table_json_string(cell, out);
        }
        fputs("}", out);
    }
    fputs(v->n_rows ? "\n]\n" : "]\n", out);
}
