/* convert.c -- a sweep file rewritten in another format (runner convert):
 * each run read back from format 1 (/runs/run_<k>) or format 2 (its row of
 * /stacks/s<i>) into a run record and handed to the other format's writer,
 * the root attributes copied as they are but format_version. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buildorder.h"
#include "results/format.h"
#include "results/format1.h"
#include "results/internal.h"

/* One run read back; every buffer owned (freed by run_clear). */
typedef struct conv_run {
    mlp_run_record r;
    size_t width[MLP_RESULTS_MAX_LAYERS + 1];
    mlp_param_cell *params;        /* (n_swept) */
    char **texts;                  /* (n_swept) */
    double *loss, *grad, *tl, *ta, *tra, *val, *weights, *snaps, *boundary;
    double *hid[MLP_RESULTS_MAX_LAYERS];
    mlp_data data[2];
    char *note, *stop;
} conv_run;

static void run_clear(conv_run *c, size_t n_swept)
{
    for (size_t i = 0; c->texts && i < n_swept; i++)
        free(c->texts[i]);
    for (size_t l = 0; l < MLP_RESULTS_MAX_LAYERS; l++)
        free(c->hid[l]);
    for (int i = 0; i < 2; i++) {
        free(c->data[i].x);
        free(c->data[i].y);
    }
    free(c->texts);
    free(c->params);
    free(c->loss);
    free(c->grad);
    free(c->tl);
    free(c->ta);
    free(c->tra);
    free(c->val);
    free(c->weights);
    free(c->snaps);
    free(c->boundary);
    free(c->note);
    free(c->stop);
    memset(c, 0, sizeof(*c));
}

/* Dataset name in loc as doubles (any numeric type), malloc'd into *out, its
 * shape in dims (up to 4 axes); with row >= 0 only that index of axis 0 (the
 * shape then without it).  Absent: MLP_OK with *out NULL. */
static mlp_status read_f64(mlp_h5w *w, hid_t loc, const char *name, long long row, double **out,
                           hsize_t *dims, int *rank)
{
    hid_t d = -1, sp = -1, ms = -1;
    hsize_t all[5] = {0}, start[5] = {0}, cnt[5];
    size_t n = 1;
    mlp_status st = MLP_OK;
    int r;

    *out = NULL;
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return MLP_OK;
    if ((d = H5Dopen2(loc, name, H5P_DEFAULT)) < 0 || (sp = H5Dget_space(d)) < 0 ||
        (r = H5Sget_simple_extent_ndims(sp)) < 0 || r > 5 || (row >= 0 && r < 1)) {
        st = mlp_h5_fail(w, "open dataset '%s'", name);
        goto out;
    }
    H5Sget_simple_extent_dims(sp, all, NULL);
    int skip = row >= 0;
    for (int i = 0; i < r; i++) {
        cnt[i] = all[i];
        if (i >= skip)
            n *= all[i];
    }
    if (skip) {
        start[0] = (hsize_t)row;
        cnt[0] = 1;
        if ((hsize_t)row >= all[0] ||
            H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, cnt, NULL) < 0 ||
            (ms = H5Screate_simple(r, cnt, NULL)) < 0) {
            st = mlp_h5_fail(w, "select row %lld of '%s'", row, name);
            goto out;
        }
    }
    *rank = r - skip;
    for (int i = skip; i < r; i++)
        dims[i - skip] = all[i];
    if (!(*out = malloc((n ? n : 1) * sizeof(double)))) {
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        goto out;
    }
    if (n && H5Dread(d, H5T_NATIVE_DOUBLE, skip ? ms : H5S_ALL, skip ? sp : H5S_ALL, H5P_DEFAULT,
                     *out) < 0) {
        st = mlp_h5_fail(w, "read dataset '%s'", name);
        free(*out);
        *out = NULL;
    }
out:
    if (ms >= 0)
        H5Sclose(ms);
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    return st;
}

/* A scalar numeric attribute (absent: def). */
static double attr_num(hid_t obj, const char *name, double def)
{
    double v = def;
    hid_t a;

    if (H5Aexists(obj, name) <= 0 || (a = H5Aopen(obj, name, H5P_DEFAULT)) < 0)
        return def;
    if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0)
        v = def;
    H5Aclose(a);
    return v;
}

static int64_t attr_i64(hid_t obj, const char *name, int64_t def)
{
    int64_t v = def;
    hid_t a;

    if (H5Aexists(obj, name) <= 0 || (a = H5Aopen(obj, name, H5P_DEFAULT)) < 0)
        return def;
    if (H5Aread(a, H5T_NATIVE_INT64, &v) < 0)
        v = def;
    H5Aclose(a);
    return v;
}

/* A numeric attribute array of up to n values into v; its length, or 0. */
static size_t attr_f64s(hid_t obj, const char *name, double *v, size_t n)
{
    hid_t a, sp;
    hssize_t m;

    if (H5Aexists(obj, name) <= 0 || (a = H5Aopen(obj, name, H5P_DEFAULT)) < 0)
        return 0;
    sp = H5Aget_space(a);
    m = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (sp >= 0)
        H5Sclose(sp);
    if (m <= 0 || (size_t)m > n || H5Aread(a, H5T_NATIVE_DOUBLE, v) < 0)
        m = 0;
    H5Aclose(a);
    return (size_t)m;
}

/* A string attribute (variable length), malloc'd, or NULL when absent. */
static char *attr_string(hid_t obj, const char *name, hid_t str)
{
    char *s = NULL, *out = NULL;
    hid_t a;

    if (H5Aexists(obj, name) <= 0 || (a = H5Aopen(obj, name, H5P_DEFAULT)) < 0)
        return NULL;
    if (H5Aread(a, str, &s) >= 0) {
        out = strdup(s ? s : "");
        H5free_memory(s);
    }
    H5Aclose(a);
    return out;
}

/* A swept value as a run record carries it: numbers with text that reads
 * as an integer exactly when the stored type is an integer. */
static bool param_set(mlp_param_cell *c, char **text, H5T_class_t cls, int64_t iv, double dv,
                      const char *sv)
{
    char buf[64];

    if (cls == H5T_INTEGER) {
        snprintf(buf, sizeof(buf), "%" PRId64, iv);
        c->numeric = true;
        c->num = (double)iv;
    } else if (cls == H5T_FLOAT) {
        for (int p = 1; p <= 17; p++) {
            snprintf(buf, sizeof(buf), "%.*g", p, dv);
            if (strtod(buf, NULL) == dv)
                break;
        }
        if (mlp_results_integer_text(buf))
            strcat(buf, ".0");
        c->numeric = true;
        c->num = dv;
    } else {
        c->numeric = false;
        c->num = NAN;
    }
    *text = strdup(cls == H5T_STRING ? (sv ? sv : "") : buf);
    c->text = *text;
    return *text != NULL;
}

/* A dataset group (x, y, classes) into d. */
static mlp_status read_data(mlp_h5w *w, hid_t loc, const char *name, mlp_data *d, bool *have)
{
    char path[64];
    hsize_t dims[5];
    int rank;
    mlp_status st;

    *have = false;
    snprintf(path, sizeof(path), "%s/x", name);
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return MLP_OK;
    if ((st = read_f64(w, loc, path, -1, &d->x, dims, &rank)) || !d->x)
        return st;
    d->n = dims[0];
    d->dim = rank > 1 ? dims[1] : 1;
    snprintf(path, sizeof(path), "%s/y", name);
    if ((st = read_f64(w, loc, path, -1, &d->y, dims, &rank)))
        return st;
    hid_t g = H5Gopen2(loc, name, H5P_DEFAULT);
    d->classes = g >= 0 ? (size_t)attr_i64(g, "classes", 2) : 2;
    if (g >= 0)
        H5Gclose(g);
    *have = true;
    return MLP_OK;
}

/* Interleave (n, L) W and b norms into (n, L, 2). */
static double *grad_pack(const double *gw, const double *gb, size_t n)
{
    double *g = malloc((n ? 2 * n : 1) * sizeof(double));

    for (size_t i = 0; g && i < n; i++) {
        g[2 * i] = gw[i];
        g[2 * i + 1] = gb ? gb[i] : NAN;
    }
    return g;
}

/* The step of a coordinate 0, s, 2s, ... (0 with fewer than two points). */
static size_t coord_step(mlp_h5w *w, hid_t g, const char *name)
{
    double *v = NULL;
    hsize_t dims[5];
    int rank;
    size_t s = 0;

    if (read_f64(w, g, name, -1, &v, dims, &rank) == MLP_OK && v && dims[0] > 1)
        s = (size_t)(v[1] - v[0]);
    free(v);
    return s;
}

/* The arrays of a run into c: format 1 with row < 0 (g its run group),
 * format 2 with its row of stack g. */
static mlp_status read_arrays(mlp_h5w *w, hid_t g, long long row, conv_run *c)
{
    mlp_run_record *r = &c->r;
    hsize_t dims[5];
    int rank;
    mlp_status st;
    char name[64];
    bool two = row >= 0;
    double *gw = NULL, *gb = NULL, ext[4];

    if ((st = read_f64(w, g, "loss", row, &c->loss, dims, &rank)))
        return st;
    r->loss = c->loss;
    r->n_loss = c->loss ? dims[0] : 0;
    if ((st = read_f64(w, g, "grad_norm_W", row, &gw, dims, &rank)) ||
        (st = read_f64(w, g, "grad_norm_b", row, &gb, dims, &rank)))
        goto out;
    if (gw) {
        if (!(c->grad = grad_pack(gw, gb, r->n_loss * r->n_layers))) {
            st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
            goto out;
        }
        r->grad_norm = c->grad;
    }
    if ((st = read_f64(w, g, "test_loss", row, &c->tl, dims, &rank)) ||
        (st = read_f64(w, g, "test_accuracy_curve", row, &c->ta, dims, &rank)) ||
        (st = read_f64(w, g, "train_accuracy_curve", row, &c->tra, dims, &rank)))
        goto out;
    r->test_loss = c->tl;
    r->test_accuracy_curve = c->ta;
    r->train_accuracy_curve = c->tra;
    if (c->tl || c->ta || c->tra) {
        r->n_eval = dims[0];
        r->eval_every = coord_step(w, g, "eval_iteration");
    }
    if ((st = read_f64(w, g, "validation_accuracy", row, &c->val, dims, &rank)))
        goto out;
    r->validation_accuracy = c->val;
    r->n_scores = c->val ? dims[0] : 0;
    /* weights and snapshots into one block each, in model.h's order */
    size_t np = 0;
    for (size_t l = 0; l < r->n_layers; l++)
        np += c->width[l + 1] * (c->width[l] + 1);
    snprintf(name, sizeof(name), two ? "W_layer0" : "weights/layer0/W");
    if (r->n_layers && H5Lexists(g, two ? "W_layer0" : "weights", H5P_DEFAULT) > 0) {
        if (!(c->weights = malloc((np ? np : 1) * sizeof(double)))) {
            st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
            goto out;
        }
        size_t off = 0;
        for (size_t l = 0; l < r->n_layers; l++) {
            for (int wb = 0; wb < 2; wb++) {
                double *v = NULL;
                size_t cnt = wb ? c->width[l + 1] : c->width[l + 1] * c->width[l];
                if (two)
                    snprintf(name, sizeof(name), "%s_layer%zu", wb ? "b" : "W", l);
                else
                    snprintf(name, sizeof(name), "weights/layer%zu/%s", l, wb ? "b" : "W");
                if ((st = read_f64(w, g, name, row, &v, dims, &rank)))
                    goto out;
                if (v)
                    memcpy(c->weights + off, v, cnt * sizeof(double));
                free(v);
                off += cnt;
            }
        }
        r->weights = c->weights;
    }
    if (r->n_layers && H5Lexists(g, two ? "snapshot_iteration" : "snapshots", H5P_DEFAULT) > 0) {
        size_t off = 0, S = 0;
        for (size_t l = 0; l < r->n_layers; l++) {
            for (int wb = 0; wb < 2; wb++) {
                double *v = NULL;
                size_t cnt = wb ? c->width[l + 1] : c->width[l + 1] * c->width[l];
                if (two)
                    snprintf(name, sizeof(name), "%s_layer%zu_snapshots", wb ? "b" : "W", l);
                else
                    snprintf(name, sizeof(name), "snapshots/layer%zu/%s", l, wb ? "b" : "W");
                if ((st = read_f64(w, g, name, row, &v, dims, &rank)))
                    goto out;
                if (v && !c->snaps) {
                    S = dims[0];
                    size_t total = S * np;
                    if (!(c->snaps = calloc(total > 0 ? total : 1, sizeof(double)))) {
                        free(v);
                        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
                        goto out;
                    }
                }
                for (size_t j = 0; v && j < S; j++)
                    memcpy(c->snaps + j * np + off, v + j * cnt, cnt * sizeof(double));
                free(v);
                off += cnt;
            }
        }
        r->snapshots = c->snaps;
        r->n_snapshots = S;
        r->weights_every = coord_step(w, g, two ? "snapshot_iteration"
                                                : "snapshots/snapshot_iteration");
    }
    for (size_t l = 0; l + 1 < r->n_layers; l++) {
        snprintf(name, sizeof(name), two ? "hidden_layer%zu" : "hidden/layer%zu", l);
        if ((st = read_f64(w, g, name, row, &c->hid[l], dims, &rank)))
            goto out;
        if (c->hid[l]) {
            r->n_hidden_points = dims[0];
            r->hidden = (const double *const *)c->hid;
        }
    }
    if ((st = read_f64(w, g, two ? "boundary_prob" : "boundary/prob", row, &c->boundary, dims,
                       &rank)))
        goto out;
    if (c->boundary) {
        r->boundary = c->boundary;
        r->resolution = dims[0];
        r->classes_out = rank > 2 ? dims[2] : 1;
        hid_t bg = two ? H5Gopen2(g, ".", H5P_DEFAULT) : H5Gopen2(g, "boundary", H5P_DEFAULT);
        if (bg >= 0 && attr_f64s(bg, two ? "boundary_extent" : "extent", ext, 4) == 4)
            memcpy(r->extent, ext, sizeof(ext));
        if (bg >= 0)
            H5Gclose(bg);
    }
    /* the run's own data (a swept dataset) */
    if (two && H5Lexists(g, "train_x", H5P_DEFAULT) > 0) {
        const char *xs[2] = {"train_x", "test_x"}, *ys[2] = {"train_y", "test_y"};
        const char *cl[2] = {"train_classes", "test_classes"};
        for (int i = 0; i < 2; i++) {
            mlp_data *d = &c->data[i];
            if ((st = read_f64(w, g, xs[i], row, &d->x, dims, &rank)))
                goto out;
            if (!d->x)
                continue;
            d->n = dims[0];
            d->dim = rank > 1 ? dims[1] : 1;
            if ((st = read_f64(w, g, ys[i], row, &d->y, dims, &rank)))
                goto out;
            d->classes = (size_t)attr_i64(g, cl[i], 2);
        }
    } else if (!two && H5Lexists(g, "dataset", H5P_DEFAULT) > 0) {
        bool have;
        if ((st = read_data(w, g, "dataset/train", &c->data[0], &have)))
            goto out;
        if ((st = read_data(w, g, "dataset/test", &c->data[1], &have)))
            goto out;
    }
    if (c->data[0].x) {
        r->train = &c->data[0];
        r->test = c->data[1].x ? &c->data[1] : NULL;
    }
out:
    free(gw);
    free(gb);
    return st;
}

/* The summary columns a format-2 file keeps at its root, for every run. */
typedef struct columns {
    size_t n, n_swept;
    double *num[16];
    char **str[2];           /* status, stop_reason */
    double *bracket, *rungs; /* halving_bracket, halving_rungs: NULL without halving */
    H5T_class_t *pcls;       /* (n_swept) */
    int64_t **pi;            /* (n_swept) integer columns */
    double **pf;             /* float columns */
    char ***ps;              /* string columns */
} columns;

enum { C_REPEAT, C_SEED, C_WALL, C_ITERS_RUN, C_FINAL, C_TRAIN, C_TEST, C_FIRST, C_N };
static const char *const col_name[C_N] = {"repeat", "seed", "wall_seconds", "iterations_run",
                                          "final_loss", "train_accuracy", "test_accuracy",
                                          "first_iteration_at_100pct"};

static void columns_free(columns *c)
{
    for (int i = 0; i < C_N; i++)
        free(c->num[i]);
    free(c->bracket);
    free(c->rungs);
    for (int i = 0; i < 2; i++) {
        for (size_t k = 0; c->str[i] && k < c->n; k++)
            free(c->str[i][k]);
        free(c->str[i]);
    }
    for (size_t a = 0; a < c->n_swept; a++) {
        if (c->pi)
            free(c->pi[a]);
        if (c->pf)
            free(c->pf[a]);
        for (size_t k = 0; c->ps && c->ps[a] && k < c->n; k++)
            free(c->ps[a][k]);
        if (c->ps)
            free(c->ps[a]);
    }
    free(c->pcls);
    free(c->pi);
    free(c->pf);
    free(c->ps);
}

/* A column of strings (variable length), malloc'd. */
static mlp_status read_strings(mlp_h5w *w, hid_t loc, const char *name, size_t n, char ***out)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    char **v = calloc(n ? n : 1, sizeof(*v));
    mlp_status st = MLP_OK;

    *out = NULL;
    if (d < 0 || !v || (n && H5Dread(d, w->str, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)) {
        st = mlp_h5_fail(w, "read column '%s'", name);
    } else {
        char **o = calloc(n ? n : 1, sizeof(*o));
        for (size_t k = 0; o && k < n; k++)
            o[k] = strdup(v[k] ? v[k] : "");
        for (size_t k = 0; k < n; k++)
            H5free_memory(v[k]);
        *out = o;
        if (!o)
            st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
    }
    free(v);
    if (d >= 0)
        H5Dclose(d);
    return st;
}

static H5T_class_t dataset_class(hid_t loc, const char *name)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT), t = d >= 0 ? H5Dget_type(d) : -1;
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;

    if (t >= 0)
        H5Tclose(t);
    if (d >= 0)
        H5Dclose(d);
    return c;
}

static mlp_status columns_read(mlp_h5w *w, hid_t f, const char *const *paths, columns *c)
{
    hsize_t dims[5];
    int rank;
    mlp_status st;
    char name[NAME_MAX_LEN];

    for (int i = 0; i < C_N; i++) {
        if ((st = read_f64(w, f, col_name[i], -1, &c->num[i], dims, &rank)))
            return st;
        if (!c->num[i])
            return mlp_fail(w->err, MLP_ERR_IO, "%s: no summary column '%s'", w->file,
                            col_name[i]);
    }
    if ((st = read_strings(w, f, "status", c->n, &c->str[0])) ||
        (st = read_strings(w, f, "stop_reason", c->n, &c->str[1])) ||
        (st = read_f64(w, f, "halving_bracket", -1, &c->bracket, dims, &rank)) ||
        (st = read_f64(w, f, "halving_rungs", -1, &c->rungs, dims, &rank)))
        return st;
    c->pcls = calloc(c->n_swept + 1, sizeof(*c->pcls));
    c->pi = calloc(c->n_swept + 1, sizeof(*c->pi));
    c->pf = calloc(c->n_swept + 1, sizeof(*c->pf));
    c->ps = calloc(c->n_swept + 1, sizeof(*c->ps));
    if (!c->pcls || !c->pi || !c->pf || !c->ps)
        return mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
    for (size_t a = 0; a < c->n_swept; a++) {
        mlp_h5_nc_name(paths[a], name, sizeof(name));
        c->pcls[a] = dataset_class(f, name);
        if (c->pcls[a] == H5T_STRING) {
            st = read_strings(w, f, name, c->n, &c->ps[a]);
        } else if (c->pcls[a] == H5T_INTEGER) {
            hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
            c->pi[a] = malloc((c->n ? c->n : 1) * sizeof(int64_t));
            st = d < 0 || !c->pi[a] ||
                         (c->n && H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                          c->pi[a]) < 0)
                     ? mlp_h5_fail(w, "read column '%s'", name)
                     : MLP_OK;
            if (d >= 0)
                H5Dclose(d);
        } else {
            st = read_f64(w, f, name, -1, &c->pf[a], dims, &rank);
        }
        if (st)
            return st;
    }
    return MLP_OK;
}

/* Run k of a format-2 file into c. */
static mlp_status read_run2(mlp_h5w *w, hid_t f, const columns *cols, const char *const *paths,
                            size_t k, const int32_t *stack_of, const int64_t *row_of,
                            conv_run *c)
{
    mlp_run_record *r = &c->r;
    char name[48];
    hid_t g;
    mlp_status st = MLP_OK;
    int64_t wv[MLP_RESULTS_MAX_LAYERS + 1];
    long long row = row_of[k];

    snprintf(name, sizeof(name), "stacks/s%d", (int)stack_of[k]);
    if ((g = H5Gopen2(f, name, H5P_DEFAULT)) < 0)
        return mlp_h5_fail(w, "open group '%s'", name);
    r->index = k;
    r->repeat = (size_t)cols->num[C_REPEAT][k];
    {
        /* seeds are uint64: read exactly, not through a double */
        hid_t d = H5Dopen2(f, "seed", H5P_DEFAULT), fs = d >= 0 ? H5Dget_space(d) : -1, ms = -1;
        hsize_t one = 1, at = k;
        if (d < 0 || fs < 0 || (ms = H5Screate_simple(1, &one, NULL)) < 0 ||
            H5Sselect_hyperslab(fs, H5S_SELECT_SET, &at, NULL, &one, NULL) < 0 ||
            H5Dread(d, H5T_NATIVE_UINT64, ms, fs, H5P_DEFAULT, &r->seed) < 0)
            st = mlp_h5_fail(w, "read the seed of run %zu", k);
        if (ms >= 0)
            H5Sclose(ms);
        if (fs >= 0)
            H5Sclose(fs);
        if (d >= 0)
            H5Dclose(d);
        if (st)
            goto out;
    }
    r->status = strcmp(cols->str[0][k], "ok") != 0;
    r->wall_seconds = cols->num[C_WALL][k];
    r->iterations_run = (size_t)cols->num[C_ITERS_RUN][k];
    r->final_loss = cols->num[C_FINAL][k];
    r->train_accuracy = cols->num[C_TRAIN][k];
    r->test_accuracy = cols->num[C_TEST][k];
    r->first_100pct = (long)cols->num[C_FIRST][k];
    if (!(c->stop = strdup(cols->str[1][k]))) {
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        goto out;
    }
    r->stop_reason = c->stop;
    if (cols->bracket && cols->rungs) {
        r->halving = true;
        r->halving_bracket = (size_t)cols->bracket[k];
        r->halving_rungs = (size_t)cols->rungs[k];
    }
    r->iterations = (size_t)attr_i64(g, "iterations", 0);
    r->loss_every = (size_t)attr_i64(g, "loss_every", 1);
    {
        double tmp[MLP_RESULTS_MAX_LAYERS + 1];
        size_t n = attr_f64s(g, "widths", tmp, MLP_RESULTS_MAX_LAYERS + 1);
        for (size_t l = 0; l < n; l++)
            c->width[l] = (size_t)tmp[l], wv[l] = (int64_t)tmp[l];
        r->n_layers = n ? n - 1 : 0;
        r->width = n ? c->width : NULL;
    }
    /* best_iteration and note: the run's row of (run) variables */
    {
        double *b = NULL;
        hsize_t dims[5];
        int rank;
        char **notes = NULL;
        hsize_t nr = 0;
        if ((st = read_f64(w, g, "best_iteration", row, &b, dims, &rank)))
            goto out;
        r->best_iteration = b ? (long)b[0] : -1;
        free(b);
        hid_t d = H5Dopen2(g, "note", H5P_DEFAULT), sp = d >= 0 ? H5Dget_space(d) : -1;
        if (sp >= 0 && H5Sget_simple_extent_dims(sp, &nr, NULL) == 1 && (hsize_t)row < nr &&
            (notes = calloc(nr, sizeof(*notes))) &&
            H5Dread(d, w->str, H5S_ALL, H5S_ALL, H5P_DEFAULT, notes) >= 0) {
            if (notes[row] && notes[row][0])
                c->note = strdup(notes[row]);
            for (hsize_t i = 0; i < nr; i++)
                H5free_memory(notes[i]);
        }
        free(notes);
        if (sp >= 0)
            H5Sclose(sp);
        if (d >= 0)
            H5Dclose(d);
        r->note = c->note;
    }
    (void)wv;
    for (size_t a = 0; a < cols->n_swept; a++) {
        c->params[a].path = paths[a];
        if (!param_set(&c->params[a], &c->texts[a], cols->pcls[a],
                       cols->pi[a] ? cols->pi[a][k] : 0, cols->pf[a] ? cols->pf[a][k] : 0,
                       cols->ps[a] ? cols->ps[a][k] : NULL)) {
            st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
            goto out;
        }
    }
    r->n_params = cols->n_swept;
    r->params = c->params;
    st = read_arrays(w, g, row, c);
out:
    H5Gclose(g);
    return st;
}

/* Run k of a format-1 file (/runs/run_<k>) into c. */
static mlp_status read_run1(mlp_h5w *w, hid_t f, const char *const *paths, size_t n_swept,
                            size_t k, conv_run *c)
{
    mlp_run_record *r = &c->r;
    char name[NAME_MAX_LEN];
    hid_t g, a;
    mlp_status st = MLP_OK;
    double tmp[MLP_RESULTS_MAX_LAYERS + 1];

    snprintf(name, sizeof(name), "runs/run_%04zu", k);
    if ((g = H5Gopen2(f, name, H5P_DEFAULT)) < 0)
        return mlp_fail(w->err, MLP_ERR_IO, "%s: no run %zu (group /%s)", w->file, k, name);
    r->index = k;
    r->repeat = (size_t)attr_i64(g, "repeat", 0);
    if ((a = H5Aopen(g, "seed", H5P_DEFAULT)) >= 0) {
        H5Aread(a, H5T_NATIVE_UINT64, &r->seed);
        H5Aclose(a);
    }
    char *status = attr_string(g, "status", w->str);
    r->status = status && strcmp(status, "ok") != 0;
    free(status);
    r->wall_seconds = attr_num(g, "wall_seconds", NAN);
    r->iterations = (size_t)attr_i64(g, "iterations", 0);
    r->iterations_run = (size_t)attr_i64(g, "iterations_run", 0);
    r->loss_every = (size_t)attr_i64(g, "loss_every", 1);
    r->note = c->note = attr_string(g, "note", w->str);
    r->stop_reason = c->stop = attr_string(g, "stop_reason", w->str);
    r->best_iteration = (long)attr_i64(g, "best_iteration", -1);
    r->halving = H5Aexists(g, "halving_bracket") > 0;
    r->halving_bracket = (size_t)attr_i64(g, "halving_bracket", 0);
    r->halving_rungs = (size_t)attr_i64(g, "halving_rungs", 0);
    size_t n = attr_f64s(g, "widths", tmp, MLP_RESULTS_MAX_LAYERS + 1);
    for (size_t l = 0; l < n; l++)
        c->width[l] = (size_t)tmp[l];
    r->n_layers = n ? n - 1 : 0;
    r->width = n ? c->width : NULL;
    r->final_loss = attr_num(g, "final_loss", NAN);
    r->train_accuracy = attr_num(g, "train_accuracy", NAN);
    r->test_accuracy = attr_num(g, "test_accuracy", NAN);
    r->first_100pct = (long)attr_i64(g, "first_iteration_at_100pct", -1);
    for (size_t i = 0; i < n_swept; i++) {
        H5T_class_t cls = H5T_STRING;
        int64_t iv = 0;
        double dv = 0;
        char *sv = NULL;
        mlp_h5_nc_name(paths[i], name, sizeof(name));
        if ((a = H5Aopen(g, name, H5P_DEFAULT)) >= 0) {
            hid_t t = H5Aget_type(a);
            cls = H5Tget_class(t);
            H5Tclose(t);
            if (cls == H5T_INTEGER)
                H5Aread(a, H5T_NATIVE_INT64, &iv);
            else if (cls == H5T_FLOAT)
                H5Aread(a, H5T_NATIVE_DOUBLE, &dv);
            H5Aclose(a);
            if (cls == H5T_STRING)
                sv = attr_string(g, name, w->str);
        }
        c->params[i].path = paths[i];
        bool ok = param_set(&c->params[i], &c->texts[i], cls, iv, dv, sv);
        free(sv);
        if (!ok) {
            st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
            goto out;
        }
    }
    r->n_params = n_swept;
    r->params = c->params;
    st = read_arrays(w, g, -1, c);
out:
    H5Gclose(g);
    return st;
}

/* The order the sweep's own builder takes a file's runs in, and where its
 * groups end (base/buildorder.h), from each run's layer widths and
 * iterations (format 1: the attributes of /runs/run_<k>; format 2: those of
 * the run's stack, stack_of[k]): its conversion to format 2 then has the
 * layout of the file the sweep writes in format 2 (stacks largest first). */
static mlp_status order_runs(mlp_h5w *w, hid_t f, int version, size_t n_runs,
                             const int32_t *stack_of, size_t **order, bool **last)
{
    size_t *group = malloc((n_runs ? n_runs : 1) * sizeof(size_t));
    double *size = malloc((n_runs ? n_runs : 1) * sizeof(double));
    mlp_grouper *gr = mlp_grouper_new(n_runs);
    mlp_status st = MLP_OK;

    *order = malloc((n_runs ? n_runs : 1) * sizeof(**order));
    *last = malloc((n_runs ? n_runs : 1) * sizeof(**last));
    if (!group || !size || !gr || !*order || !*last)
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
    for (size_t k = 0; k < n_runs && !st; k++) {
        char name[NAME_MAX_LEN];
        double v[MLP_RESULTS_MAX_LAYERS + 1];
        size_t width[MLP_RESULTS_MAX_LAYERS + 1], nw;
        hid_t g;
        if (version == 1)
            snprintf(name, sizeof(name), "runs/run_%04zu", k);
        else
            snprintf(name, sizeof(name), "stacks/s%d", (int)stack_of[k]);
        if ((g = H5Gopen2(f, name, H5P_DEFAULT)) < 0) {
            st = mlp_fail(w->err, MLP_ERR_IO, "%s: no %s for run %zu (group /%s)", w->file,
                          version == 1 ? "group" : "stack", k, name);
            break;
        }
        nw = attr_f64s(g, "widths", v, MLP_RESULTS_MAX_LAYERS + 1);
        for (size_t i = 0; i < nw; i++)
            width[i] = (size_t)v[i];
        group[k] = mlp_grouper_add(gr, k, width, nw, (size_t)attr_i64(g, "iterations", 0),
                                   &size[k]);
        H5Gclose(g);
    }
    if (!st && !mlp_build_order(n_runs, group, size, *order, *last))
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
    free(group);
    free(size);
    mlp_grouper_free(gr);
    return st;
}

/* The swept parameters (root attribute swept_parameters), malloc'd. */
static mlp_status swept_read(mlp_h5w *w, hid_t f, char ***paths, size_t *n)
{
    hid_t a, sp;
    hssize_t m;

    *paths = NULL;
    *n = 0;
    if (H5Aexists(f, "swept_parameters") <= 0)
        return MLP_OK;
    if ((a = H5Aopen(f, "swept_parameters", H5P_DEFAULT)) < 0)
        return mlp_h5_fail(w, "open attribute 'swept_parameters'");
    sp = H5Aget_space(a);
    m = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    char **v = m > 0 ? calloc((size_t)m, sizeof(*v)) : NULL;
    mlp_status st = MLP_OK;
    if (!v || H5Aread(a, w->str, v) < 0) {
        st = mlp_h5_fail(w, "read attribute 'swept_parameters'");
    } else {
        *paths = calloc((size_t)m, sizeof(**paths));
        for (hssize_t i = 0; *paths && i < m; i++)
            (*paths)[i] = strdup(v[i] ? v[i] : "");
        for (hssize_t i = 0; i < m; i++)
            H5free_memory(v[i]);
        *n = (size_t)m;
        if (!*paths)
            st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
    }
    free(v);
    if (sp >= 0)
        H5Sclose(sp);
    H5Aclose(a);
    return st;
}

mlp_status mlp_results_convert(const char *in, const char *out, int format, size_t grid_repeats,
                               const size_t *axis_len, int *from, mlp_error *err)
{
    mlp_h5w w = {.file = in, .err = err, .dcpl = -1, .compact = -1, .gcpl = -1, .dxpl = -1, .str = -1,
                 .scalar = -1, .dim_list = -1, .ref_list = -1};
    const mlp_results_format *fmt = mlp_results_format_get(format);
    mlp_status st = MLP_OK;
    hid_t f = -1;
    void *x = NULL;
    char **paths = NULL, *tmp = mlp_str_printf("%s.tmp", out);
    size_t n_swept = 0, n_runs;
    bool *numeric = NULL, have;
    int version;
    columns cols = {0};
    int32_t *stack_of = NULL;
    int64_t *row_of = NULL;
    size_t *order = NULL;        /* the order runs are added in (to format 2), or NULL */
    bool *last = NULL;
    conv_run c;
    mlp_data data[2] = {{0}};
    mlp_sweep_meta meta;

    memset(&c, 0, sizeof(c));
    mlp_results_lock();
    if (!tmp || !fmt) {
        st = !tmp ? mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", out)
                  : mlp_fail(err, MLP_ERR_USAGE, "no results format %d (there are 1 and 2)",
                             format);
        goto done;
    }
    if ((st = mlp_h5w_open(&w, in, err)))
        goto done;
    if ((f = H5Fopen(in, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        st = mlp_h5_fail(&w, "open the results file");
        goto done;
    }
    if (H5Aexists(f, "format") <= 0) {
        st = mlp_fail(err, MLP_ERR_IO, "%s: not an mlplab results file (no 'format' attribute)",
                      in);
        goto done;
    }
    version = (int)attr_i64(f, "format_version", 1);
    *from = version;
    if (version != 1 && version != 2) {
        st = mlp_fail(err, MLP_ERR_IO, "%s: format_version %d: this runner reads 1 and 2", in,
                      version);
        goto done;
    }
    n_runs = (size_t)attr_i64(f, "n_runs", 0);
    if ((st = swept_read(&w, f, &paths, &n_swept)))
        goto done;
    numeric = calloc(n_swept + 1, sizeof(*numeric));
    c.params = calloc(n_swept + 1, sizeof(*c.params));
    c.texts = calloc(n_swept + 1, sizeof(*c.texts));
    if (!numeric || !c.params || !c.texts) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", in);
        goto done;
    }
    for (size_t a = 0; a < n_swept; a++) {
        char name[NAME_MAX_LEN], col[NAME_MAX_LEN + 16];
        mlp_h5_nc_name(paths[a], name, sizeof(name));
        snprintf(col, sizeof(col), version == 1 ? "summary/%s" : "%s", name);
        numeric[a] = dataset_class(f, col) != H5T_STRING;
    }
    if (version == 2) {
        hsize_t dims[5];
        int rank;
        double *s = NULL, *r = NULL;
        cols.n = n_runs;
        cols.n_swept = n_swept;
        if ((st = columns_read(&w, f, (const char *const *)paths, &cols)) ||
            (st = read_f64(&w, f, "index/stack", -1, &s, dims, &rank)) ||
            (st = read_f64(&w, f, "index/row", -1, &r, dims, &rank)) || !s || !r ||
            dims[0] != n_runs) {
            free(s);
            free(r);
            if (!st)
                st = mlp_fail(err, MLP_ERR_IO, "%s: /index does not list %zu runs", in, n_runs);
            goto done;
        }
        stack_of = malloc((n_runs ? n_runs : 1) * sizeof(*stack_of));
        row_of = malloc((n_runs ? n_runs : 1) * sizeof(*row_of));
        for (size_t k = 0; stack_of && row_of && k < n_runs; k++) {
            stack_of[k] = (int32_t)s[k];
            row_of[k] = (int64_t)r[k];
        }
        free(s);
        free(r);
        if (!stack_of || !row_of) {
            st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", in);
            goto done;
        }
    }
    if ((st = read_data(&w, f, "dataset/train", &data[0], &have)) ||
        (st = read_data(&w, f, "dataset/test", &data[1], &have)))
        goto done;
    if (fmt->group_done && (st = order_runs(&w, f, version, n_runs, stack_of, &order, &last)))
        goto done;
    if (!(x = fmt->create(n_runs, n_swept))) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", out);
        goto done;
    }
    if ((st = fmt->open(x, tmp, err)))
        goto done;
    for (size_t i = 0; i < n_runs && !st; i++) {
        size_t k = order ? order[i] : i;
        mlp_param_cell *p = c.params;
        char **t = c.texts;
        c.params = NULL;
        c.texts = NULL;
        run_clear(&c, 0);
        c.params = p;
        c.texts = t;
        for (size_t a = 0; a < n_swept; a++) {
            free(c.texts[a]);
            c.texts[a] = NULL;
        }
        st = version == 1 ? read_run1(&w, f, (const char *const *)paths, n_swept, k, &c)
                          : read_run2(&w, f, &cols, (const char *const *)paths, k, stack_of,
                                      row_of, &c);
        if (!st)
            st = fmt->add_run(x, &c.r, NULL, err);
        if (!st && order && last[k])
            st = fmt->group_done(x, err);
    }
    if (st)
        goto done;
    memset(&meta, 0, sizeof(meta));
    meta.n_runs = n_runs;
    meta.n_swept = n_swept;
    meta.swept_paths = (const char *const *)paths;
    meta.swept_numeric = numeric;
    meta.train = data[0].x ? &data[0] : NULL;
    meta.test = data[0].x && data[1].x ? &data[1] : NULL;
    meta.format_version = format;
    meta.grid_repeats = grid_repeats;
    meta.axis_len = axis_len;
    meta.attrs_from = in;
    if ((st = fmt->finish(x, &meta, err)))
        goto done;
    st = mlp_path_publish(tmp, out, err);
done:
    if (x)
        fmt->close(x);
    if (st && tmp)
        remove(tmp);
    run_clear(&c, n_swept);
    for (int i = 0; i < 2; i++) {
        free(data[i].x);
        free(data[i].y);
    }
    columns_free(&cols);
    free(stack_of);
    free(row_of);
    free(order);
    free(last);
    for (size_t a = 0; paths && a < n_swept; a++)
        free(paths[a]);
    free(paths);
    free(numeric);
    if (f >= 0)
        H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    mlp_h5w_close(&w);
    mlp_results_unlock();
    free(tmp);
    return st;
}
