/* test_table.c -- the `runner info` table engine (cli/table.h): --where
 * parsing and comparison, --sort with ties and NaN, --columns, the aligned
 * and CSV writers, and its error messages, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/table.h"

/* A small summary: header and five runs (loss has a tie and a NaN). */
static void make_table(mlp_table *t)
{
    static const char *const rows[][4] = {
        {"run", "status", "loss", "hidden"},
        {"0", "ok", "0.5", "10"},
        {"1", "ok", "0.1", "9"},
        {"2", "diverged", "0.5", "20"},
        {"3", "ok", "nan", "5"},
        {"4", "ok", "0.3", "100"},
    };

    memset(t, 0, sizeof(*t));
    for (size_t r = 0; r < 6; r++)
        mlp_table_add_row(t, 4, rows[r]);
    assert_false(t->oom);
    assert_int_equal(t->n_rows, 6);
    assert_int_equal(t->n_cols, 4);
}

/* The view's rows as a string of run numbers, e.g. "1 4 0 2 3". */
static const char *rows_of(const mlp_table *t, const mlp_table_view *v)
{
    static char buf[256];
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < v->n_rows; i++)
        used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? " " : "",
                                 t->cells[v->rows[i] * t->n_cols]);
    return buf;
}

/* What a writer writes, as a malloc'ed string. */
static char *written(const mlp_table *t, mlp_table_view *v, bool csv)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);

    assert_non_null(f);
    if (csv)
        mlp_table_write_csv(t, v, f);
    else
        mlp_table_write_text(t, v, f);
    fclose(f);
    return s;
}

static void test_table_add_row(void **state)
{
    static const char *const header[] = {"a", "b"};
    static const char *const ok[] = {"1", NULL};
    static const char *const wide[] = {"1", "2", "3"};
    mlp_table t;

    (void)state;
    memset(&t, 0, sizeof(t));
    mlp_table_add_row(&t, 2, header);
    mlp_table_add_row(&t, 3, wide);  /* another width: skipped */
    mlp_table_add_row(&t, 2, ok);
    assert_int_equal(t.n_cols, 2);
    assert_int_equal(t.n_rows, 2);
    assert_string_equal(t.cells[2], "1");
    assert_string_equal(t.cells[3], "");  /* NULL as "" */
    mlp_table_clear(&t);
    assert_int_equal(t.n_rows, 0);
    assert_null(t.cells);
}

/* Every operator, found at the first place one starts; the value is the rest. */
static void test_table_filter_parse_operators(void **state)
{
    static const struct {
        const char *expr, *name, *op, *value;
    } cases[] = {
        {"status=ok", "status", "=", "ok"},
        {"status!=ok", "status", "!=", "ok"},
        {"loss<0.5", "loss", "<", "0.5"},
        {"loss<=0.5", "loss", "<=", "0.5"},
        {"model.hidden>20", "model.hidden", ">", "20"},
        {"model.hidden>=20", "model.hidden", ">=", "20"},
        {"a=", "a", "=", ""},
        {"stop reason>=x y", "stop reason", ">=", "x y"},
        {"model.hidden >= 40", "model.hidden", ">=", "40"},  /* the spaced form, joined */
        {"loss < -1", "loss", "<", "-1"},
    };
    mlp_error err;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mlp_table_filter f;
        mlp_error_clear(&err);
        assert_int_equal(mlp_table_filter_parse(cases[i].expr, &f, &err), MLP_OK);
        assert_int_equal(f.name_len, strlen(cases[i].name));
        assert_memory_equal(f.name, cases[i].name, f.name_len);
        assert_string_equal(f.op, cases[i].op);
        assert_string_equal(f.value, cases[i].value);
        assert_ptr_equal(f.name, cases[i].expr);  /* borrowed, not copied */
    }
}

/* No operator, an unknown one (a typo is named with what was meant: once
 * 'h=>3' kept no row and said nothing), or no column before it. */
static void test_table_filter_parse_errors(void **state)
{
    static const char *const bad[] = {"status", "loss~0.5", "=ok", "<=3", "", "model.hidden=>3",
                                      "a=<b", "a==b", "h<>2", "h!2", "h>>2"};
    static const char *const msg[] = {
        "--where expects COLUMN=VALUE (or !=, <, <=, >, >=), got 'status'",
        "--where expects COLUMN=VALUE (or !=, <, <=, >, >=), got 'loss~0.5'",
        "--where expects COLUMN=VALUE (or !=, <, <=, >, >=), got '=ok'",
        "--where expects COLUMN=VALUE (or !=, <, <=, >, >=), got '<=3'",
        "--where expects COLUMN=VALUE (or !=, <, <=, >, >=), got ''",
        "--where 'model.hidden=>3': unknown operator '=>' (did you mean '>='?); the operators "
        "are = != < <= > >=",
        "--where 'a=<b': unknown operator '=<' (did you mean '<='?); the operators are "
        "= != < <= > >=",
        "--where 'a==b': unknown operator '==' (did you mean '='?); the operators are "
        "= != < <= > >=",
        "--where 'h<>2': unknown operator '<>' (did you mean '!='?); the operators are "
        "= != < <= > >=",
        "--where 'h!2': unknown operator '!' (did you mean '!='?); the operators are "
        "= != < <= > >=",
        "--where 'h>>2': unknown operator '>>'; the operators are = != < <= > >=",
    };
    mlp_table_filter f;
    mlp_error err;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mlp_error_clear(&err);
        mlp_status rc = mlp_table_filter_parse(bad[i], &f, &err);
        assert_int_equal(rc, MLP_ERR_USAGE);
        assert_int_equal(err.code, MLP_ERR_USAGE);
        assert_string_equal(err.msg, msg[i]);
    }
}

/* Numbers compare as numbers when both sides read whole as numbers, else as text. */
static void test_table_filter_keeps(void **state)
{
    static const struct {
        const char *expr, *cell;
        bool keep;
    } cases[] = {
        {"h=10", "10", true},      {"h=10", "10.0", true},  /* numerically equal */
        {"h=10", "1e1", true},     {"h!=10", "10.0", false},
        {"h!=10", "9", true},      {"h<10", "9", true},     /* text would say "9" > "10" */
        {"h<10", "10", false},     {"h<=10", "10", true},   {"h<=10", "11", false},
        {"h>10", "9", false},      {"h>10", "100", true},   {"h>=10", "10", true},
        {"h>=10", "9.99", false},  {"s=ok", "ok", true},    {"s=ok", "ok ", false},
        {"s!=ok", "diverged", true}, {"s<ok", "diverged", true}, {"s>ok", "diverged", false},
        {"h<10", "9x", false},     /* "9x" is text: strcmp("9x", "10") > 0 */
        {"h>10", "", false},       /* an empty cell is text, and "" < "10" */
        {"h<10", "", true},
        {"h=", "", true},
    };
    mlp_error err;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mlp_table_filter f;
        assert_int_equal(mlp_table_filter_parse(cases[i].expr, &f, &err), MLP_OK);
        if (mlp_table_filter_keeps(&f, cases[i].cell) != cases[i].keep)
            fail_msg("'%s' on cell '%s': expected %s", cases[i].expr, cases[i].cell,
                     cases[i].keep ? "kept" : "dropped");
    }
}

static void test_table_find_column(void **state)
{
    mlp_table t;
    mlp_error err;
    size_t col = 99;

    (void)state;
    make_table(&t);
    assert_int_equal(mlp_table_find_column(&t, "loss", 4, &col, &err), MLP_OK);
    assert_int_equal(col, 2);
    /* a prefix given with its length: "hidden" of "hiddenXYZ" */
    assert_int_equal(mlp_table_find_column(&t, "hiddenXYZ", 6, &col, &err), MLP_OK);
    assert_int_equal(col, 3);
    assert_int_equal(mlp_table_find_column(&t, "los", 3, &col, &err), MLP_ERR_USAGE);
    assert_string_equal(err.msg, "no column 'los' (did you mean 'loss'?); the columns are: run "
                        "status loss hidden");
    /* nothing near: no hint */
    assert_int_equal(mlp_table_find_column(&t, "iterations", 10, &col, &err), MLP_ERR_USAGE);
    assert_string_equal(err.msg, "no column 'iterations'; the columns are: run status loss hidden");
    assert_int_equal(col, 3);  /* untouched on failure */
    mlp_table_clear(&t);
}

/* Filters over a view: every filter must pass, table order is kept. */
static void test_table_view_filter(void **state)
{
    mlp_table t;
    mlp_table_view v;
    mlp_table_filter f[2];
    mlp_error err;

    (void)state;
    make_table(&t);
    assert_int_equal(mlp_table_view_create(&t, &v, &err), MLP_OK);
    assert_string_equal(rows_of(&t, &v), "0 1 2 3 4");
    assert_int_equal(mlp_table_filter_parse("status=ok", &f[0], &err), MLP_OK);
    assert_int_equal(mlp_table_filter_parse("hidden>=10", &f[1], &err), MLP_OK);
    assert_int_equal(mlp_table_find_column(&t, f[0].name, f[0].name_len, &f[0].col, &err), MLP_OK);
    assert_int_equal(mlp_table_find_column(&t, f[1].name, f[1].name_len, &f[1].col, &err), MLP_OK);
    mlp_table_view_filter(&t, f, 2, &v);
    assert_string_equal(rows_of(&t, &v), "0 4");  /* 1: hidden 9; 2: diverged; 3: hidden 5 */
    mlp_table_view_filter(&t, f, 0, &v);             /* no filters: keeps all */
    assert_string_equal(rows_of(&t, &v), "0 4");
    mlp_table_view_free(&v);
    assert_null(v.rows);
    mlp_table_view_free(&v);                         /* twice: a zeroed view */
    mlp_table_clear(&t);
}

/* Numbers as numbers, NaN last both ways, ties in table order both ways. */
static void test_table_view_sort(void **state)
{
    mlp_table t;
    mlp_table_view v;
    mlp_error err;

    (void)state;
    make_table(&t);
    assert_int_equal(mlp_table_view_create(&t, &v, &err), MLP_OK);
    mlp_table_view_sort(&t, 2, false, &v);           /* loss 0.5 0.1 0.5 nan 0.3 */
    assert_string_equal(rows_of(&t, &v), "1 4 0 2 3");
    mlp_table_view_sort(&t, 2, true, &v);
    assert_string_equal(rows_of(&t, &v), "0 2 4 1 3");
    mlp_table_view_sort(&t, 3, false, &v);           /* hidden 10 9 20 5 100: not as text */
    assert_string_equal(rows_of(&t, &v), "3 1 0 2 4");
    mlp_table_view_sort(&t, 3, true, &v);
    assert_string_equal(rows_of(&t, &v), "4 2 0 1 3");
    mlp_table_view_sort(&t, 1, false, &v);           /* status as text, ties in run order */
    assert_string_equal(rows_of(&t, &v), "2 0 1 3 4");
    mlp_table_view_sort(&t, 1, true, &v);
    assert_string_equal(rows_of(&t, &v), "0 1 3 4 2");
    mlp_table_view_free(&v);
    mlp_table_clear(&t);
}

static void test_table_view_columns(void **state)
{
    mlp_table t;
    mlp_table_view v;
    mlp_error err;
    const char *rest = NULL;

    (void)state;
    make_table(&t);
    assert_int_equal(mlp_table_view_create(&t, &v, &err), MLP_OK);
    assert_int_equal(v.n_cols, 4);
    assert_int_equal(mlp_table_view_columns(&t, "hidden,run,", &v, &rest, &err), MLP_OK);
    assert_int_equal(v.n_cols, 2);
    assert_int_equal(v.cols[0], 3);
    assert_int_equal(v.cols[1], 0);
    assert_string_equal(rest, "");
    /* the same column twice is allowed */
    assert_int_equal(mlp_table_view_columns(&t, "loss,loss", &v, &rest, &err), MLP_OK);
    assert_int_equal(v.n_cols, 2);
    assert_int_equal(v.cols[1], 2);
    /* an unknown name, or an empty one */
    assert_int_equal(mlp_table_view_columns(&t, "run,nosuch,loss", &v, &rest, &err),
                     MLP_ERR_USAGE);
    assert_string_equal(err.msg, "no column 'nosuch'; the columns are: run status loss hidden");
    assert_int_equal(mlp_table_view_columns(&t, "run,,loss", &v, &rest, &err), MLP_ERR_USAGE);
    assert_string_equal(err.msg, "no column ''; the columns are: run status loss hidden");
    /* more names than the table has columns: read up to n_cols, the rest left */
    assert_int_equal(mlp_table_view_columns(&t, "run,run,run,run,loss,x", &v, &rest, &err),
                     MLP_OK);
    assert_int_equal(v.n_cols, 4);
    assert_string_equal(rest, "loss,x");
    mlp_table_view_free(&v);
    mlp_table_clear(&t);
}

/* Columns padded to their widest cell, two spaces apart, the last unpadded. */
static void test_table_write_text(void **state)
{
    mlp_table t;
    mlp_table_view v;
    mlp_error err;
    const char *rest;
    char *s;

    (void)state;
    make_table(&t);
    assert_int_equal(mlp_table_view_create(&t, &v, &err), MLP_OK);
    assert_int_equal(mlp_table_view_columns(&t, "status,hidden,run", &v, &rest, &err), MLP_OK);
    mlp_table_view_sort(&t, 3, true, &v);
    s = written(&t, &v, false);
    assert_string_equal(s, "status    hidden  run\n"
                           "ok        100     4\n"
                           "diverged  20      2\n"
                           "ok        10      0\n"
                           "ok        9       1\n"
                           "ok        5       3\n");
    free(s);
    v.n_rows = 0;  /* no rows: the header alone, padded to itself */
    s = written(&t, &v, false);
    assert_string_equal(s, "status  hidden  run\n");
    free(s);
    mlp_table_view_free(&v);
    mlp_table_clear(&t);
}

/* CSV: a cell with a comma, quote or newline is quoted, quotes doubled. */
static void test_table_write_csv_quoting(void **state)
{
    static const char *const rows[][3] = {
        {"run", "note, short", "say \"hi\""},
        {"0", "a,b", "plain"},
        {"1", "two\nlines", "\"quoted\""},
        {"2", "", "semi;colon 'single'"},
    };
    mlp_table t;
    mlp_table_view v;
    mlp_error err;
    char *s;

    (void)state;
    memset(&t, 0, sizeof(t));
    for (size_t r = 0; r < 4; r++)
        mlp_table_add_row(&t, 3, rows[r]);
    assert_int_equal(mlp_table_view_create(&t, &v, &err), MLP_OK);
    s = written(&t, &v, true);
    assert_string_equal(s, "run,\"note, short\",\"say \"\"hi\"\"\"\n"
                           "0,\"a,b\",plain\n"
                           "1,\"two\nlines\",\"\"\"quoted\"\"\"\n"
                           "2,,semi;colon 'single'\n");
    free(s);
    mlp_table_view_free(&v);
    mlp_table_clear(&t);
}

/* Two tables as one: a label column, the union of the columns in order of
 * first appearance, "" where a table has no such column. */
static void test_table_concat(void **state)
{
    static const char *const a[][2] = {{"run", "h"}, {"0", "3"}, {"1", "5"}};
    static const char *const b[][3] = {{"run", "act", "h"}, {"0", "tanh", "4"}};
    static const char *const labels[] = {"a.h5", "b.h5"};
    mlp_table parts[2], t;
    mlp_table_view v;
    mlp_error err;
    char buf[512];
    FILE *f;

    (void)state;
    memset(parts, 0, sizeof(parts));
    for (size_t r = 0; r < 3; r++)
        mlp_table_add_row(&parts[0], 2, a[r]);
    for (size_t r = 0; r < 2; r++)
        mlp_table_add_row(&parts[1], 3, b[r]);
    assert_int_equal(mlp_table_concat(parts, 2, "file", labels, &t, &err), MLP_OK);
    assert_int_equal(t.n_cols, 4);
    assert_int_equal(t.n_rows, 4);
    assert_int_equal(mlp_table_view_create(&t, &v, &err), MLP_OK);
    f = fmemopen(buf, sizeof(buf), "w");
    mlp_table_write_csv(&t, &v, f);
    fclose(f);
    assert_string_equal(buf, "file,run,h,act\na.h5,0,3,\na.h5,1,5,\nb.h5,0,4,tanh\n");
    mlp_table_view_free(&v);
    mlp_table_clear(&t);
    mlp_table_clear(&parts[0]);
    mlp_table_clear(&parts[1]);
}

/* JSON: a JSON number as a number, nan as null, anything else (a number
 * JSON does not allow, like 1. or 0x1) a string, quotes escaped. */
static void test_table_json(void **state)
{
    static const char *const rows[][3] = {
        {"run", "loss", "note"}, {"0", "nan", "say \"hi\""}, {"-1", "2.5e-3", "1."},
        {"007", "0x1", "inf"}};
    mlp_table t;
    mlp_table_view v;
    mlp_error err;
    char buf[512];
    FILE *f;

    (void)state;
    memset(&t, 0, sizeof(t));
    for (size_t r = 0; r < 4; r++)
        mlp_table_add_row(&t, 3, rows[r]);
    assert_int_equal(mlp_table_view_create(&t, &v, &err), MLP_OK);
    f = fmemopen(buf, sizeof(buf), "w");
    mlp_table_write_json(&t, &v, f);
    fclose(f);
    assert_string_equal(buf, "[\n {\"run\": 0, \"loss\": null, \"note\": \"say \\\"hi\\\"\"},\n"
                             " {\"run\": -1, \"loss\": 2.5e-3, \"note\": \"1.\"},\n"
                             " {\"run\": \"007\", \"loss\": \"0x1\", \"note\": null}\n]\n");
    v.n_rows = 0;
    f = fmemopen(buf, sizeof(buf), "w");
    mlp_table_write_json(&t, &v, f);
    fclose(f);
    assert_string_equal(buf, "[]\n");
    mlp_table_view_free(&v);
    mlp_table_clear(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_add_row),
        cmocka_unit_test(test_table_filter_parse_operators),
        cmocka_unit_test(test_table_filter_parse_errors),
        cmocka_unit_test(test_table_filter_keeps),
        cmocka_unit_test(test_table_find_column),
        cmocka_unit_test(test_table_concat),
        cmocka_unit_test(test_table_json),
        cmocka_unit_test(test_table_view_filter),
        cmocka_unit_test(test_table_view_sort),
        cmocka_unit_test(test_table_view_columns),
        cmocka_unit_test(test_table_write_text),
        cmocka_unit_test(test_table_write_csv_quoting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
