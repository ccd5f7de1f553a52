/* table.h -- the table engine of `runner info`: a table of text cells (row 0
 * the header) collected row by row, a view of it (rows kept by --where
 * filters, sorted by a column, the --columns chosen) and the view written
 * aligned or as CSV into a FILE* of the caller's.  It never prints on its
 * own: bad filters and unknown columns come back in an mlp_error.
 * Module mlplab_table; may use: base/. */
#ifndef MLPLAB_TABLE_H
#define MLPLAB_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/error.h"

/* A table of text cells; zero it before the first row. */
typedef struct mlp_table {
    size_t n_cols;           /* set by the first row (the header) */
    size_t n_rows;           /* rows stored, the header included */
    size_t cap;              /* cells allocated */
    char **cells;            /* (n_rows, n_cols) row-major; owned, each cell strdup'ed */
    bool oom;                /* a row was lost for lack of memory */
} mlp_table;

/* Appends a row of n cells (copied; NULL as "") to the table at ctx: the
 * row callback of mlp_results_summary.  The first row sets the column count;
 * later rows of another width are skipped.  Out of memory sets t->oom. */
void mlp_table_add_row(void *ctx, size_t n, const char *const *cells);

/* Frees the cells and zeroes the table (the struct itself is the caller's). */
void mlp_table_clear(mlp_table *t);

/* The column named by name[0..len) (a header cell) into *col.  Returns
 * MLP_OK, or MLP_ERR_USAGE with "no column 'NAME' (did you mean 'X'?); the
 * columns are: A B ..." (the hint when a column is a few edits away; the
 * message is cut at sizeof(err->msg)). */
mlp_status mlp_table_find_column(const mlp_table *t, const char *name, size_t len, size_t *col,
                                 mlp_error *err);

/* A --where expression COLUMN OP VALUE, OP one of = != < <= > >=. */
typedef struct mlp_table_filter {
    const char *name;        /* the column's name, name_len chars; points into the expression */
    size_t name_len;
    char op[3];              /* "=", "!=", "<", "<=", ">", ">=" */
    const char *value;       /* the rest of the expression after op (may be "") */
    size_t col;              /* the column, set by mlp_table_find_column (the caller) */
} mlp_table_filter;

/* Parses expr (borrowed: *f points into it) at its first operator: the run
 * of = ! < > characters there, spaces around it dropped ("h >= 3").
 * Returns MLP_OK, or MLP_ERR_USAGE "--where expects COLUMN=VALUE (or !=, <,
 * <=, >, >=), got 'EXPR'" when it has none or no column name before it, or
 * "--where 'EXPR': unknown operator 'OP' (did you mean '>='?); ..." when the
 * run is not one of the six ("h=>3").  f->col is left for the caller to
 * find (the name may not be a column). */
mlp_status mlp_table_filter_parse(const char *expr, mlp_table_filter *f, mlp_error *err);

/* Whether a cell passes the filter: numbers compare as numbers when both the
 * cell and the value read whole as numbers, else text compares with strcmp. */
bool mlp_table_filter_keeps(const mlp_table_filter *f, const char *cell);

/* Which data rows, in which order, and which columns to show. */
typedef struct mlp_table_view {
    size_t *rows;            /* indices of data rows (>= 1), in display order; owned */
    size_t n_rows;
    size_t *cols;            /* indices of the columns shown, in order; owned */
    size_t n_cols;
    size_t *width;           /* n_cols entries: scratch of mlp_table_write_text; owned */
} mlp_table_view;

/* A view of t's data rows in table order and every column (t has a header).
 * Returns MLP_OK or MLP_ERR_NOMEM; free it with mlp_table_view_free. */
mlp_status mlp_table_view_create(const mlp_table *t, mlp_table_view *v, mlp_error *err);

/* Frees the view's arrays (the struct is the caller's); accepts a zeroed view. */
void mlp_table_view_free(mlp_table_view *v);

/* The columns named in list ("a,b,c"; a trailing comma is ignored) as the
 * view's columns, in that order.  At most t->n_cols names are read: *rest is
 * set to the unread rest of the list, "" when all was read.  Returns MLP_OK,
 * or the error of mlp_table_find_column for the first unknown name. */
mlp_status mlp_table_view_columns(const mlp_table *t, const char *list, mlp_table_view *v,
                                  const char **rest, mlp_error *err);

/* Keeps the view's rows whose cells pass every one of the n filters. */
void mlp_table_view_filter(const mlp_table *t, const mlp_table_filter *filters, size_t n,
                           mlp_table_view *v);

/* Orders the view's rows by column col: numbers as numbers when both cells
 * are numbers (NaN last, also with desc), else text (strcmp); desc reverses.
 * Ties keep table order.  Uses qsort with file-static state: not reentrant. */
void mlp_table_view_sort(const mlp_table *t, size_t col, bool desc, mlp_table_view *v);

/* The header and the view's rows into out, columns two spaces apart, each
 * padded to its widest cell but the last. */
void mlp_table_write_text(const mlp_table *t, mlp_table_view *v, FILE *out);

/* The header and the view's rows into out as CSV: comma-separated, a cell
 * holding a comma, quote or newline quoted with its quotes doubled. */
void mlp_table_write_csv(const mlp_table *t, const mlp_table_view *v, FILE *out);

/* The view's rows into out as a JSON array of objects, one per row, keyed
 * by the header: a cell that is a JSON number as a number, nan and inf as
 * null, any other cell as a string. */
void mlp_table_write_json(const mlp_table *t, const mlp_table_view *v, FILE *out);

/* The tables parts[0..n) (each with a header) as one table in out (zeroed
 * here; clear it after): a first column label_name holding labels[i] on the
 * rows of parts[i], then every column of any part in the order it first
 * appears; a row of a part without that column has "" there.  Returns
 * MLP_OK or MLP_ERR_NOMEM. */
mlp_status mlp_table_concat(const mlp_table *parts, size_t n, const char *label_name,
                            const char *const *labels, mlp_table *out, mlp_error *err);

/* s as a JSON string literal (quotes, backslash, newline, tab and control
 * characters escaped) on out. */
void mlp_table_json_string(const char *s, FILE *out);

#endif
