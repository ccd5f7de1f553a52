/* format1_sweep.c -- the format-1 sweep file around its run groups: root
 * attributes, /dataset, /summary and /summary_table; and the writer the
 * builder calls (mlp_results_format1, see results/format.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/format.h"
#include "results/format1.h"
#include "results/internal.h"


void mlp_summary_free(mlp_summary *s)
{
    for (size_t i = 0; s->text && i < s->n * s->n_swept; i++)
        free(s->text[i]);
    free(s->text);
    free(s->num);
    free(s->integer);
    free(s->inum);
    free(s->seed);
    free(s->first100);
    free(s->iters);
    free(s->repeat);
    free(s->stop);
    free(s->diverged);
    free(s->final_loss);
    free(s->train_acc);
    free(s->test_acc);
    free(s->wall);
    free(s->bracket);
    free(s->rungs);
}

bool mlp_summary_alloc(mlp_summary *s, size_t n, size_t n_swept)
{
    size_t m = n ? n : 1, c = n * n_swept > 0 ? n * n_swept : 1;

    s->n = n;
    s->n_swept = n_swept;
    s->seed = calloc(m, sizeof(*s->seed));
    s->first100 = calloc(m, sizeof(*s->first100));
    s->iters = calloc(m, sizeof(*s->iters));
    s->repeat = calloc(m, sizeof(*s->repeat));
    s->stop = calloc(m, sizeof(*s->stop));
    s->diverged = calloc(m, 1);
    s->final_loss = calloc(m, sizeof(double));
    s->train_acc = calloc(m, sizeof(double));
    s->test_acc = calloc(m, sizeof(double));
    s->wall = calloc(m, sizeof(double));
    s->num = calloc(c, sizeof(double));
    s->text = calloc(c, sizeof(char *));
    s->bracket = calloc(m, sizeof(*s->bracket));
    s->rungs = calloc(m, sizeof(*s->rungs));
    return s->bracket && s->rungs && s->seed && s->first100 && s->iters && s->repeat && s->stop && s->diverged && s->final_loss && s->train_acc &&
           s->test_acc && s->wall && s->num && s->text;
}

bool mlp_summary_add(mlp_summary *s, size_t k, const mlp_run_record *r)
{
    s->seed[k] = r->seed;
    s->first100[k] = r->first_100pct;
    s->iters[k] = (int64_t)r->iterations_run;
    s->repeat[k] = (int64_t)r->repeat;
    snprintf(s->stop[k], sizeof(s->stop[k]), "%s", r->stop_reason ? r->stop_reason : "iterations");
    s->diverged[k] = r->status != 0;
    s->final_loss[k] = r->final_loss;
    s->train_acc[k] = r->train_accuracy;
    s->test_acc[k] = r->test_accuracy;
    s->wall[k] = r->wall_seconds;
    if (r->halving) {
        s->halving = true;
        s->bracket[k] = (int64_t)r->halving_bracket;
        s->rungs[k] = (int64_t)r->halving_rungs;
    }
    for (size_t i = 0; i < s->n_swept; i++) {
        s->num[i * s->n + k] = r->params[i].numeric ? r->params[i].num : NAN;
        if (!(s->text[i * s->n + k] = strdup(r->params[i].text ? r->params[i].text : "")))
            return false;
    }
    return true;
}

/* Which numeric parameters are integers in every run (model.hidden: 3, 5,
 * 10): those columns are int64, the others float64.  False: out of memory. */
bool mlp_summary_integers(mlp_summary *s, const mlp_sweep_meta *meta)
{
    size_t c = s->n * s->n_swept > 0 ? s->n * s->n_swept : 1;

    s->integer = calloc(s->n_swept + 1, sizeof(*s->integer));
    s->inum = calloc(c, sizeof(*s->inum));
    if (!s->integer || !s->inum)
        return false;
    for (size_t i = 0; i < s->n_swept; i++) {
        s->integer[i] = meta->swept_numeric[i] && s->n > 0;
        for (size_t k = 0; k < s->n && s->integer[i]; k++)
            s->integer[i] = mlp_results_integer_text(s->text[i * s->n + k]);
        for (size_t k = 0; k < s->n && s->integer[i]; k++)
            s->inum[i * s->n + k] = (int64_t)strtoll(s->text[i * s->n + k], NULL, 10);
    }
    return true;
}

/* The summary's fixed columns: name, meaning, units. */
static const char *const status_text[2] = {"ok", "diverged"};

/* /summary/: one 1-D dataset per column over the `run` coordinate. */
mlp_status mlp_summary_write(mlp_h5w *w, hid_t f, const mlp_sweep_meta *meta, const mlp_summary *s,
                             int version)
{
    mlp_status st = MLP_OK;
    hid_t g = -1, run = -1;
    hsize_t dim = s->n;
    const char **status = NULL;
    char name[NAME_MAX_LEN];

    if (version >= 2 ? (g = H5Gopen2(f, "/", H5P_DEFAULT)) < 0
                     : (g = mlp_h5_group_create(w, f, "summary")) < 0)
        return mlp_h5_failed(w);
    if (!(status = malloc((s->n ? s->n : 1) * sizeof(*status)))) {
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        goto out;
    }
    for (size_t k = 0; k < s->n; k++)
        status[k] = status_text[s->diverged[k]];
    if ((st = mlp_h5_i64_coord(w, g, "run", s->n, 1, "run index", &run)) ||
        (st = mlp_h5_var_write(w, g, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, &dim, s->seed,
                               &run, "random seed of the run", NULL, NULL)) ||
        (st = mlp_h5_var_write(w, g, "repeat", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dim, s->repeat,
                               &run, "which repeat of its sweep point (0 .. repeats-1)", NULL,
                               NULL)) ||
        (st = mlp_h5_var_write(w, g, "status", w->str, w->str, 1, &dim, status, &run,
                               "ok, or diverged (non-finite loss)", NULL, NULL)))
        goto out;
    for (size_t i = 0; i < s->n_swept; i++) {
        mlp_h5_nc_name(meta->swept_paths[i], name, sizeof(name));
        if (s->integer[i])
            st = mlp_h5_var_write(w, g, name, H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dim,
                                  s->inum + i * s->n, &run, meta->swept_paths[i], NULL, NULL);
        else if (meta->swept_numeric[i])
            st = mlp_h5_f64_var(w, g, name, 1, &dim, s->num + i * s->n, &run, meta->swept_paths[i],
                                NULL);
        else
            st = mlp_h5_var_write(w, g, name, w->str, w->str, 1, &dim, s->text + i * s->n, &run,
                                  meta->swept_paths[i], NULL, NULL);
        if (st)
            goto out;
    }
    if ((st = mlp_h5_f64_var(w, g, "final_loss", 1, &dim, s->final_loss, &run,
                             "final training loss", NULL)) ||
        (st = mlp_h5_f64_var(w, g, "train_accuracy", 1, &dim, s->train_acc, &run,
                             "accuracy on the training set", "1")) ||
        (st = mlp_h5_f64_var(w, g, "test_accuracy", 1, &dim, s->test_acc, &run,
                             "accuracy on the test set (NaN without one)", "1")) ||
        (st = mlp_h5_var_write(w, g, "first_iteration_at_100pct", H5T_STD_I64LE, H5T_NATIVE_INT64,
                               1, &dim, s->first100, &run,
                               "first iteration with 100% training accuracy (-1: never)", NULL,
                               NULL)) ||
        (st = mlp_h5_f64_var(w, g, "wall_seconds", 1, &dim, s->wall, &run,
                             "wall-clock time of the run", "s")) ||
        (st = mlp_h5_var_write(w, g, "iterations_run", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dim,
                               s->iters, &run, "updates made before training stopped", NULL, NULL)))
        goto out;
    for (size_t k = 0; k < s->n; k++)
        status[k] = s->stop[k];
    if ((st = mlp_h5_var_write(w, g, "stop_reason", w->str, w->str, 1, &dim, status, &run,
                               "why training stopped: iterations, target_accuracy, tol, "
                               "early_stopping, max_seconds, diverged or halving",
                               NULL, NULL)))
        goto out;
    /* format 2 has no run groups to hold them as attributes: per-run
     * scalars are summary columns there */
    if (version >= 2 && s->halving &&
        ((st = mlp_h5_var_write(w, g, "halving_bracket", H5T_STD_I64LE, H5T_NATIVE_INT64, 1,
                                &dim, s->bracket, &run,
                                "successive halving: the run's bracket", NULL, NULL)) ||
         (st = mlp_h5_var_write(w, g, "halving_rungs", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dim,
                                s->rungs, &run,
                                "successive halving: rungs whose budget the run reached", NULL,
                                NULL))))
        goto out;
out:
    free(status);
    if (run >= 0)
        mlp_h5_scale_close(w, run, &st);
    H5Gclose(g);
    return st;
}

/* A fixed-length UTF-8 string type of `size` bytes (numpy's "S" layout). */
static hid_t fixed_str(size_t size)
{
    hid_t t = H5Tcopy(H5T_C_S1);

    if (t >= 0 && (H5Tset_size(t, size ? size : 1) < 0 || H5Tset_strpad(t, H5T_STR_NULLPAD) < 0 ||
                   H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* Where each column of a summary_table row lies: a packed layout, the same
 * in memory and in the file.  pofs, plen: each swept parameter's offset and
 * (for text) length. */
typedef struct table_layout {
    size_t row, run, seed, rep, status, fl, tr, te, first100, wall, iters, stop;
    size_t *pofs, *plen;
} table_layout;

/* The row types, memory (mt) and file (ft), and the string types in them. */
typedef struct table_types {
    hid_t mt, ft, sstat, sstop;
    hid_t *ptypes;           /* (n_swept): text parameters' types, else -1 */
} table_types;

static void table_layout_compute(table_layout *l, const mlp_sweep_meta *meta, const mlp_summary *s)
{
    size_t row = 0;

    l->run = row, row += 8;
    l->seed = row, row += 8;
    l->rep = row, row += 8;
    l->status = row, row += 8;
    for (size_t i = 0; i < s->n_swept; i++) {
        l->pofs[i] = row;
        if (meta->swept_numeric[i]) {
            row += 8;
            continue;
        }
        l->plen[i] = 1;
        for (size_t k = 0; k < s->n; k++) {
            size_t n = strlen(s->text[i * s->n + k]);
            l->plen[i] = n > l->plen[i] ? n : l->plen[i];
        }
        row += l->plen[i];
    }
    l->fl = row, row += 8;
    l->tr = row, row += 8;
    l->te = row, row += 8;
    l->first100 = row, row += 8;
    l->wall = row, row += 8;
    l->iters = row, row += 8;
    l->stop = row, row += 16;
    l->row = row;
}

/* Column `name` at off in both row types. */
static herr_t table_insert(const table_types *t, const char *name, size_t off, hid_t mtype,
                           hid_t ftype)
{
    return H5Tinsert(t->mt, name, off, mtype) | H5Tinsert(t->ft, name, off, ftype);
}

/* A column name PyTables takes without a NaturalNameWarning: a Python
 * identifier ("model.hidden" -> "model_hidden"). */
static void identifier(char *name)
{
    if (name[0] >= '0' && name[0] <= '9')
        name[0] = '_';
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            *p = '_';
}

static mlp_status table_types_make(mlp_h5w *w, table_types *t, const table_layout *l,
                                   const mlp_sweep_meta *meta, const mlp_summary *s, int version)
{
    char name[NAME_MAX_LEN];
    herr_t e = 0;

    if ((t->mt = H5Tcreate(H5T_COMPOUND, l->row)) < 0 ||
        (t->ft = H5Tcreate(H5T_COMPOUND, l->row)) < 0 || (t->sstat = fixed_str(8)) < 0 ||
        (t->sstop = fixed_str(16)) < 0)
        return mlp_h5_fail(w, "create the type of summary_table");
    for (size_t i = 0; i < s->n_swept; i++)
        if (!meta->swept_numeric[i] && (t->ptypes[i] = fixed_str(l->plen[i])) < 0)
            return mlp_h5_fail(w, "create the type of summary_table");
    e |= table_insert(t, "run", l->run, H5T_NATIVE_INT64, H5T_STD_I64LE);
    e |= table_insert(t, "seed", l->seed, H5T_NATIVE_UINT64, H5T_STD_U64LE);
    e |= table_insert(t, "repeat", l->rep, H5T_NATIVE_INT64, H5T_STD_I64LE);
    e |= table_insert(t, "status", l->status, t->sstat, t->sstat);
    for (size_t i = 0; i < s->n_swept; i++) {
        mlp_h5_nc_name(meta->swept_paths[i], name, sizeof(name));
        if (version >= 2)
            identifier(name);
        if (s->integer[i])
            e |= table_insert(t, name, l->pofs[i], H5T_NATIVE_INT64, H5T_STD_I64LE);
        else if (meta->swept_numeric[i])
            e |= table_insert(t, name, l->pofs[i], H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE);
        else
            e |= table_insert(t, name, l->pofs[i], t->ptypes[i], t->ptypes[i]);
    }
    e |= table_insert(t, "final_loss", l->fl, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE);
    e |= table_insert(t, "train_accuracy", l->tr, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE);
    e |= table_insert(t, "test_accuracy", l->te, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE);
    e |= table_insert(t, "first_iteration_at_100pct", l->first100, H5T_NATIVE_INT64,
                      H5T_STD_I64LE);
    e |= table_insert(t, "wall_seconds", l->wall, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE);
    e |= table_insert(t, "iterations_run", l->iters, H5T_NATIVE_INT64, H5T_STD_I64LE);
    e |= table_insert(t, "stop_reason", l->stop, t->sstop, t->sstop);
    if (e < 0)
        return mlp_h5_fail(w, "build the type of summary_table (duplicate column name?)");
    return MLP_OK;
}

static void table_types_close(table_types *t, size_t n_swept)
{
    for (size_t i = 0; t->ptypes && i < n_swept; i++)
        if (t->ptypes[i] >= 0)
            H5Tclose(t->ptypes[i]);
    if (t->sstat >= 0)
        H5Tclose(t->sstat);
    if (t->sstop >= 0)
        H5Tclose(t->sstop);
    if (t->ft >= 0)
        H5Tclose(t->ft);
    if (t->mt >= 0)
        H5Tclose(t->mt);
    free(t->ptypes);
}

/* The rows, s->n of l->row bytes each, into buf (zeroed: strings NUL-padded). */
static void table_rows_fill(unsigned char *buf, const table_layout *l, const mlp_sweep_meta *meta,
                            const mlp_summary *s)
{
    for (size_t k = 0; k < s->n; k++) {
        unsigned char *p = buf + k * l->row;
        int64_t run_k = (int64_t)k;
        const char *stat_k = status_text[s->diverged[k]];

        memcpy(p + l->run, &run_k, 8);
        memcpy(p + l->seed, &s->seed[k], 8);
        memcpy(p + l->rep, &s->repeat[k], 8);
        memcpy(p + l->status, stat_k, strlen(stat_k));
        for (size_t i = 0; i < s->n_swept; i++) {
            if (s->integer[i])
                memcpy(p + l->pofs[i], &s->inum[i * s->n + k], 8);
            else if (meta->swept_numeric[i])
                memcpy(p + l->pofs[i], &s->num[i * s->n + k], 8);
            else
                memcpy(p + l->pofs[i], s->text[i * s->n + k], strlen(s->text[i * s->n + k]));
        }
        memcpy(p + l->fl, &s->final_loss[k], 8);
        memcpy(p + l->tr, &s->train_acc[k], 8);
        memcpy(p + l->te, &s->test_acc[k], 8);
        memcpy(p + l->first100, &s->first100[k], 8);
        memcpy(p + l->wall, &s->wall[k], 8);
        memcpy(p + l->iters, &s->iters[k], 8);
        memcpy(p + l->stop, s->stop[k], strnlen(s->stop[k], 16));
    }
}

/* Attribute column_names of the table: each column's name in /summary
 * (model.hidden where the table says model_hidden), fixed-length strings. */
static mlp_status column_names(mlp_h5w *w, hid_t d, const mlp_sweep_meta *meta,
                               const mlp_summary *s)
{
    static const char *const head[] = {"run", "seed", "repeat", "status"};
    static const char *const tail[] = {"final_loss", "train_accuracy", "test_accuracy",
                                       "first_iteration_at_100pct", "wall_seconds",
                                       "iterations_run", "stop_reason"};
    size_t n = 4 + s->n_swept + 7, len = NAME_MAX_LEN;
    char *buf = calloc(n, len);
    hid_t t = H5Tcopy(H5T_C_S1);
    mlp_status st;

    if (!buf || t < 0 || H5Tset_size(t, len) < 0 || H5Tset_strpad(t, H5T_STR_NULLPAD) < 0) {
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        goto out;
    }
    for (size_t i = 0; i < 4; i++)
        snprintf(buf + i * len, len, "%s", head[i]);
    for (size_t i = 0; i < s->n_swept; i++)
        mlp_h5_nc_name(meta->swept_paths[i], buf + (4 + i) * len, len);
    for (size_t i = 0; i < 7; i++)
        snprintf(buf + (4 + s->n_swept + i) * len, len, "%s", tail[i]);
    st = mlp_h5_attr_put(w, d, "column_names", t, t, buf, n);
out:
    if (t >= 0)
        H5Tclose(t);
    free(buf);
    return st;
}

/* /summary_table: the summary's rows as one compound dataset, strings of
 * fixed length (what PyTables, hence pandas.read_hdf, reads as a table).
 * Its axis is the root coordinate /run. */
mlp_status mlp_summary_write_table(mlp_h5w *w, hid_t f, const mlp_sweep_meta *meta,
                                   const mlp_summary *s, int version)
{
    mlp_status st = MLP_OK;
    table_layout l = {0};
    table_types t = {.mt = -1, .ft = -1, .sstat = -1, .sstop = -1, .ptypes = NULL};
    hid_t run = -1;
    unsigned char *buf = NULL;
    hsize_t dim = s->n;

    if (!(t.ptypes = calloc(s->n_swept + 1, sizeof(*t.ptypes))) ||
        !(l.pofs = calloc(s->n_swept + 1, sizeof(*l.pofs))) ||
        !(l.plen = calloc(s->n_swept + 1, sizeof(*l.plen)))) {
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        goto out;
    }
    for (size_t i = 0; i < s->n_swept; i++)
        t.ptypes[i] = -1;
    table_layout_compute(&l, meta, s);
    if ((st = table_types_make(w, &t, &l, meta, s, version)))
        goto out;
    if (!(buf = calloc(s->n ? s->n : 1, l.row))) {
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        goto out;
    }
    table_rows_fill(buf, &l, meta, s);
    if (version >= 2) {
        /* the table its own dimension (no DIMENSION_LIST, which PyTables
         * warns about; h5netcdf needs a scale on every axis); its type is
         * not committed, so netCDF-C leaves it out (netCDF4-python misreads
         * compound members that are strings): netCDF readers have the
         * same columns at the root */
        hid_t d = -1;
        if ((st = mlp_h5_var_write(w, f, "summary_table", t.ft, t.mt, 1, &dim, buf, NULL,
                                   "one row per run: the columns of /summary", NULL, &d)))
            goto out;
        st = column_names(w, d, meta, s);
        mlp_h5_scale_close(w, d, &st);
        goto out;
    }
    if ((st = mlp_h5_i64_coord(w, f, "run", s->n, 1, "run index", &run)) ||
        (st = mlp_h5_var_write(w, f, "summary_table", t.ft, t.mt, 1, &dim, buf, &run,
                               "one row per run: the columns of /summary", NULL, NULL)))
        goto out;
out:
    free(buf);
    if (run >= 0)
        mlp_h5_scale_close(w, run, &st);
    table_types_close(&t, s->n_swept);
    free(l.pofs);
    free(l.plen);
    return st;
}

/* Root attributes: format, provenance, library and plugin versions.
 * A plugin's attributes are plugin_<kind>_<name>_{file,sha256,version}. */
/* runner convert: every root attribute of the file `from`, in the order
 * stored, but format_version (the new one in its place). */
typedef struct attr_copy {
    mlp_h5w *w;
    hid_t to;
    int version;
    mlp_status st;
} attr_copy;

static herr_t copy_one(hid_t obj, const char *name, const H5A_info_t *info, void *vctx)
{
    attr_copy *c = vctx;
    hid_t a = -1, t = -1, sp = -1, na = -1;
    unsigned char *buf = NULL;
    hssize_t n;

    (void)info;
    if (!strcmp(name, "format_version")) {
        c->st = mlp_h5_attr_i64(c->w, c->to, name, c->version);
        return c->st ? -1 : 0;
    }
    if ((a = H5Aopen(obj, name, H5P_DEFAULT)) < 0 || (t = H5Aget_type(a)) < 0 ||
        (sp = H5Aget_space(a)) < 0 || (n = H5Sget_simple_extent_npoints(sp)) < 0 ||
        !(buf = calloc((size_t)(n ? n : 1), H5Tget_size(t))) || H5Aread(a, t, buf) < 0 ||
        (na = H5Acreate2(c->to, name, t, sp, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        H5Awrite(na, t, buf) < 0)
        c->st = mlp_h5_fail(c->w, "copy attribute '%s'", name);
    if (buf && t >= 0 && sp >= 0 && H5Tdetect_class(t, H5T_VLEN) > 0)
        H5Dvlen_reclaim(t, sp, H5P_DEFAULT, buf);
    else if (buf && t >= 0 && sp >= 0 && H5Tis_variable_str(t) > 0)
        H5Dvlen_reclaim(t, sp, H5P_DEFAULT, buf);
    free(buf);
    if (na >= 0)
        H5Aclose(na);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return c->st ? -1 : 0;
}

static mlp_status copy_root_attrs(mlp_h5w *w, hid_t f, const char *from, int version)
{
    attr_copy c = {w, f, version, MLP_OK};
    hsize_t at = 0;
    hid_t src = H5Fopen(from, H5F_ACC_RDONLY, H5P_DEFAULT);

    if (src < 0)
        return mlp_h5_fail(w, "open %s", from);
    if (H5Aiterate2(src, H5_INDEX_NAME, H5_ITER_NATIVE, &at, copy_one, &c) < 0 && !c.st)
        c.st = mlp_h5_fail(w, "copy the root attributes of %s", from);
    H5Fclose(src);
    return c.st;
}

mlp_status mlp_sweep_write_root_attrs(mlp_h5w *w, hid_t f, const mlp_sweep_meta *m, int version)
{
    mlp_status st;
    char ver[64], name[3 * NAME_MAX_LEN], base[2 * NAME_MAX_LEN + 16];

    if (m->attrs_from)
        return copy_root_attrs(w, f, m->attrs_from, version);

    mlp_h5_version_number(ver, sizeof(ver));
    if ((st = mlp_h5_attr_str(w, f, "format", "mlplab-results")) ||
        (st = mlp_h5_attr_i64(w, f, "format_version", version)) ||
        (st = mlp_h5_attr_str(w, f, "Conventions", "CF-1.8")) ||
        (st = mlp_h5_attr_str(w, f, "title", m->name)) ||
        (st = mlp_h5_attr_str(w, f, "name", m->name)) ||
        (st = mlp_h5_attr_str(w, f, "description", m->description)) ||
        (st = mlp_h5_attr_str(w, f, "mlplab_version", m->mlplab_version)) ||
        (st = mlp_h5_attr_str(w, f, "git_commit", m->git_commit)) ||
        (st = mlp_h5_attr_i8(w, f, "git_dirty", m->git_dirty ? 1 : 0)) ||
        (st = mlp_h5_attr_str(w, f, "created", m->created)) ||
        (st = mlp_h5_attr_str(w, f, "command", m->command)) ||
        (st = mlp_h5_attr_str(w, f, "hostname", m->hostname)) ||
        (st = mlp_h5_attr_str(w, f, "spec", m->spec_text)) ||
        (st = mlp_h5_attr_str(w, f, "spec_sha256", m->spec_sha256)) ||
        (st = mlp_h5_attr_str(w, f, "spec_resolved", m->spec_resolved)) ||
        (st = mlp_h5_attr_str(w, f, "spec_resolved_sha256", m->run_sha256 ? m->run_sha256 : "")) ||
        (st = mlp_h5_attr_u64(w, f, "seed", m->seed)) ||
        (st = mlp_h5_attr_i64(w, f, "n_runs", (int64_t)m->n_runs)) ||
        (st = mlp_h5_attr_str(w, f, "hdf5_version", ver)) ||
        (st = mlp_h5_attr_str(w, f, "libyaml_version", m->libyaml_version)) ||
        (st = mlp_h5_attr_str(w, f, "openmp_version", m->openmp_version)) ||
        (m->shards && (st = mlp_h5_attr_str(w, f, "shards", m->shards))) ||
        (m->halving && (st = mlp_h5_attr_str(w, f, "halving", m->halving))))
        return st;
    if (m->n_swept && (st = mlp_h5_attr_put(w, f, "swept_parameters", w->str, w->str,
                                            m->swept_paths, m->n_swept)))
        return st;
    for (size_t i = 0; i < m->n_plugins; i++) {
        const mlp_plugin_prov *p = &m->plugins[i];
        char raw[2 * NAME_MAX_LEN + 16];

        snprintf(raw, sizeof(raw), "plugin_%s_%s", p->kind ? p->kind : "", p->name ? p->name : "");
        mlp_h5_nc_name(raw, base, sizeof(base));
        snprintf(name, sizeof(name), "%s_file", base);
        if (H5Aexists(f, name) > 0)
            continue; /* the same plugin used twice */
        if ((st = mlp_h5_attr_str(w, f, name, p->file)))
            return st;
        snprintf(name, sizeof(name), "%s_sha256", base);
        if ((st = mlp_h5_attr_str(w, f, name, p->sha256)))
            return st;
        snprintf(name, sizeof(name), "%s_version", base);
        if ((st = mlp_h5_attr_str(w, f, name, p->version)))
            return st;
    }
    return MLP_OK;
}

/* File access for the sweep file: a small metadata cache.  The file is
 * written once, front to back, and HDF5 1.10's cache costs more per insert
 * the more it holds (measured: building 1000 tiny runs takes 0.52 s of CPU
 * with 128 kB, 0.62 s with 1 MB, 0.74 s with the default 2 MB, 0.80 s with
 * 8 MB); what a run's objects need stays in it. */
hid_t mlp_sweep_fapl(void)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5AC_cache_config_t mdc;

    if (fapl < 0)
        return -1;
    memset(&mdc, 0, sizeof(mdc));
    mdc.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    if (H5Pget_mdc_config(fapl, &mdc) < 0)
        goto fail;
    mdc.set_initial_size = true;
    mdc.initial_size = (size_t)128 << 10;
    mdc.min_size = mdc.initial_size;
    mdc.max_size = mdc.initial_size;
    mdc.incr_mode = H5C_incr__off;
    mdc.flash_incr_mode = H5C_flash_incr__off;
    mdc.decr_mode = H5C_decr__off;
    if (H5Pset_mdc_config(fapl, &mdc) < 0)
        goto fail;
    return fapl;
fail:
    H5Pclose(fapl);
    return -1;
}

/* ---- the format-1 writer, as the builder calls it ---- */

/* The writer's state: the file being written and the summary columns. */
typedef struct format1 {
    mlp_h5w w;
    hid_t f, runs, fapl;
    mlp_summary s;
} format1;

static void format1_close(void *state)
{
    format1 *x = state;

    if (!x)
        return;
    if (x->runs >= 0)
        H5Gclose(x->runs);
    if (x->f >= 0)
        H5Fclose(x->f);
    if (x->fapl >= 0)
        H5Pclose(x->fapl);
    mlp_h5w_close(&x->w);
    H5Eclear2(H5E_DEFAULT);
    mlp_summary_free(&x->s);
    free(x);
}

static void *format1_create(size_t n_runs, size_t n_swept)
{
    format1 *x = calloc(1, sizeof(*x));

    if (!x)
        return NULL;
    x->w = (mlp_h5w){.dcpl = -1, .compact = -1, .gcpl = -1, .dxpl = -1, .str = -1, .scalar = -1,
                     .dim_list = -1, .ref_list = -1};
    x->f = x->runs = x->fapl = -1;
    if (!mlp_summary_alloc(&x->s, n_runs, n_swept)) {
        format1_close(x);
        return NULL;
    }
    return x;
}

static mlp_status format1_open(void *state, const char *tmp, mlp_error *err)
{
    format1 *x = state;
    mlp_status st;

    if ((st = mlp_h5w_open(&x->w, tmp, err)))
        return st;
    if ((x->fapl = mlp_sweep_fapl()) < 0)
        return mlp_h5_fail(&x->w, "set up the file access properties");
    if ((x->f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, x->fapl)) < 0)
        return mlp_h5_fail(&x->w, "create the file");
    if ((x->runs = mlp_h5_group_create(&x->w, x->f, "runs")) < 0)
        return mlp_h5_failed(&x->w);
    return MLP_OK;
}

/* Run r into /runs/run_<k>/ and its row into the summary. */
static mlp_status format1_add_run(void *state, const mlp_run_record *r, const mlp_record_mem *mem,
                                  mlp_error *err)
{
    (void)mem;  /* each run is written whole at once: nothing kept */
    format1 *x = state;
    mlp_status st;
    char gname[32];
    hid_t g;

    x->w.err = err;
    snprintf(gname, sizeof(gname), "run_%04zu", r->index);
    if ((g = mlp_h5_group_create(&x->w, x->runs, gname)) < 0) {
        st = mlp_h5_failed(&x->w);
    } else {
        st = mlp_format1_write_run(&x->w, g, r);
        H5Gclose(g);
    }
    if (!st && !mlp_summary_add(&x->s, r->index, r))
        st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", x->w.file);
    return st;
}

/* The root attributes, /dataset and the summary; then the file is closed. */
static mlp_status format1_finish(void *state, const mlp_sweep_meta *meta, mlp_error *err)
{
    format1 *x = state;
    mlp_h5w *w = &x->w;
    mlp_status st;
    hid_t dg = -1;

    w->err = err;
    if ((st = mlp_sweep_write_root_attrs(w, x->f, meta, 1)))
        goto out;
    if (meta->train) {
        if ((dg = mlp_h5_group_create(w, x->f, "dataset")) < 0) {
            st = mlp_h5_failed(w);
            goto out;
        }
        if ((st = mlp_format1_write_data(w, dg, "train", meta->train)) ||
            (meta->test && (st = mlp_format1_write_data(w, dg, "test", meta->test))))
            goto out;
    }
    if (!mlp_summary_integers(&x->s, meta)) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        goto out;
    }
    if ((st = mlp_summary_write(w, x->f, meta, &x->s, 1)) ||
        (st = mlp_summary_write_table(w, x->f, meta, &x->s, 1)))
        goto out;
    if (dg >= 0)
        H5Gclose(dg);
    dg = -1;
    H5Gclose(x->runs);
    x->runs = -1;
    if (H5Fclose(x->f) < 0) {
        x->f = -1;
        st = mlp_h5_fail(w, "close the file");
        goto out;
    }
    x->f = -1;
out:
    if (dg >= 0)
        H5Gclose(dg);
    return st;
}

const mlp_results_format mlp_results_format1 = {
    format1_create, format1_open, format1_add_run, NULL, format1_finish, format1_close,
};
