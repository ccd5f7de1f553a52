/* read.c -- results read back: the sweep file's identity hash, warm-start
 * weights of one run, the summary table as text rows (of a sweep file, or
 * of the part files an unfinished sweep left), the root attributes. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/sha256.h"
#include "results/h5.h"
#include "results/internal.h"
#include "results/journal.h"

/* A string attribute (variable or fixed length), malloc'd into *out. */
static mlp_status attr_get_str(mlp_h5w *w, hid_t obj, const char *name, char **out)
{
    mlp_status st = MLP_OK;
    hid_t a = -1, t = -1, mt = -1, sp = -1;
    htri_t vlen;

    *out = NULL;
    if ((a = H5Aopen(obj, name, H5P_DEFAULT)) < 0 || (t = H5Aget_type(a)) < 0 ||
        (sp = H5Aget_space(a)) < 0) {
        st = mlp_h5_fail(w, "open attribute '%s'", name);
        goto out;
    }
    if (H5Tget_class(t) != H5T_STRING || H5Sget_simple_extent_npoints(sp) != 1) {
        st = mlp_fail(w->err, MLP_ERR_IO, "%s: attribute '%s' is not one string", w->file, name);
        goto out;
    }
    if ((vlen = H5Tis_variable_str(t)) > 0) {
        char *s = NULL;

        if (H5Aread(a, w->str, &s) < 0) {
            st = mlp_h5_fail(w, "read attribute '%s'", name);
            goto out;
        }
        *out = strdup(s ? s : "");
        H5free_memory(s);
    } else {
        size_t size = H5Tget_size(t);

        if ((mt = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_size(mt, size) < 0 ||
            !(*out = calloc(size + 1, 1)) || H5Aread(a, mt, *out) < 0) {
            st = mlp_h5_fail(w, "read attribute '%s'", name);
            goto out;
        }
    }
    if (!*out)
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
out:
    if (st) {
        free(*out);
        *out = NULL;
    }
    if (mt >= 0)
        H5Tclose(mt);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return st;
}

static bool has_link(hid_t g, const char *name)
{
    return H5Lexists(g, name, H5P_DEFAULT) > 0;
}

/* Shortest "%.*g" text that reads back as v. */
static void format_number(double v, char *buf, size_t len)
{
    for (int p = 6; p <= 17; p++) {
        snprintf(buf, len, "%.*g", p, v);
        if (strtod(buf, NULL) == v || isnan(v))
            return;
    }
}

char *mlp_results_identity(const char *sweep_path)
{
    mlp_error e;
    mlp_h5w w = {.file = sweep_path, .err = &e, .dcpl = -1, .compact = -1, .gcpl = -1, .dxpl = -1, .str = -1,
                 .scalar = -1, .dim_list = -1, .ref_list = -1};
    char *hash = NULL;
    hid_t f;

    mlp_results_lock();
    if (!mlp_h5w_open(&w, sweep_path, &e) &&
        (f = H5Fopen(sweep_path, H5F_ACC_RDONLY, H5P_DEFAULT)) >= 0) {
        if (H5Aexists(f, "spec_resolved_sha256") > 0 &&
            attr_get_str(&w, f, "spec_resolved_sha256", &hash) != MLP_OK)
            hash = NULL;
        H5Fclose(f);
    }
    H5Eclear2(H5E_DEFAULT);
    mlp_h5w_close(&w);
    mlp_results_unlock();
    return hash;
}

/* What a warm start reads of one run: every value of weights/layer<l>/W
 * (shape (width[l+1], width[l])) or /b (shape (width[l+1])) into out,
 * checked first: numbers (integer or float, not strings), the shape this
 * model needs, every value finite.  Each refusal is MLP_ERR_SPEC naming the
 * file, the run and the dataset. */
static mlp_status read_layer(mlp_h5w *w, hid_t g, size_t run, size_t l, bool is_w,
                             const size_t *width, double *out, long long row)
{
    mlp_status st = MLP_OK;
    const char *path = w->file;
    char name[64];
    hid_t d = -1, sp = -1, t = -1, ms = -1;
    hsize_t all[3] = {0, 0, 0}, *dims = all + (row >= 0);
    int rank = is_w ? 2 : 1, off = row >= 0;  /* format 2: a leading run axis */
    size_t count = is_w ? width[l + 1] * width[l] : width[l + 1];
    double *v = NULL;
    H5T_class_t cls;

    if (row >= 0)
        snprintf(name, sizeof(name), "%s_layer%zu", is_w ? "W" : "b", l);
    else
        snprintf(name, sizeof(name), "weights/layer%zu/%s", l, is_w ? "W" : "b");
    if ((d = H5Dopen2(g, name, H5P_DEFAULT)) < 0) {
        st = mlp_fail(w->err, MLP_ERR_SPEC, "%s: run %zu has no dataset %s", path, run, name);
        goto out;
    }
    if ((t = H5Dget_type(d)) < 0 || (sp = H5Dget_space(d)) < 0) {
        st = mlp_h5_fail(w, "open dataset '%s'", name);
        goto out;
    }
    cls = H5Tget_class(t);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
        st = mlp_fail(w->err, MLP_ERR_SPEC, "%s: run %zu: %s holds %s, not numbers", path, run,
                      name, cls == H5T_STRING ? "strings" : "values of another type");
        goto out;
    }
    if (H5Sget_simple_extent_ndims(sp) != rank + off) {
        st = mlp_fail(w->err, MLP_ERR_SPEC, "%s: run %zu: %s does not have %d dimension%s", path,
                      run, name, rank, rank == 1 ? "" : "s");
        goto out;
    }
    H5Sget_simple_extent_dims(sp, all, NULL);
    if (is_w && (dims[0] != width[l + 1] || dims[1] != width[l])) {
        st = mlp_fail(w->err, MLP_ERR_SPEC, "%s: run %zu layer %zu has weights of shape "
                      "(%llu, %llu); this model's layer %zu needs (%zu, %zu)", path, run, l,
                      (unsigned long long)dims[0], (unsigned long long)dims[1], l,
                      width[l + 1], width[l]);
        goto out;
    }
    if (!is_w && dims[0] != width[l + 1]) {
        st = mlp_fail(w->err, MLP_ERR_SPEC, "%s: run %zu layer %zu has biases of length %llu; "
                      "this model's layer %zu needs %zu", path, run, l,
                      (unsigned long long)dims[0], l, width[l + 1]);
        goto out;
    }
    if (!(v = malloc((count ? count : 1) * sizeof(double)))) {
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", path);
        goto out;
    }
    if (row >= 0) {
        /* run `row` of the stack: one hyperslab (its chunk only) */
        hsize_t start[3] = {(hsize_t)row, 0, 0}, cnt[3] = {1, all[1], all[2]};
        if ((hsize_t)row >= all[0] || (ms = H5Screate_simple(rank, dims, NULL)) < 0 ||
            H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, cnt, NULL) < 0) {
            st = mlp_fail(w->err, MLP_ERR_SPEC, "%s: run %zu: %s has no row %lld", path, run,
                          name, row);
            goto out;
        }
    }
    if (count && H5Dread(d, H5T_NATIVE_DOUBLE, row >= 0 ? ms : H5S_ALL, row >= 0 ? sp : H5S_ALL,
                         H5P_DEFAULT, v) < 0) {
        st = mlp_h5_fail(w, "read dataset '%s'", name);
        goto out;
    }
    for (size_t i = 0; i < count; i++)
        if (!isfinite(v[i])) {
            st = mlp_fail(w->err, MLP_ERR_SPEC, "%s: run %zu: %s[%zu] is %s; a warm start needs "
                          "finite weights (that run diverged?)", path, run, name, i,
                          isnan(v[i]) ? "NaN" : v[i] > 0 ? "+inf" : "-inf");
            goto out;
        }
    if (out)
        memcpy(out, v, count * sizeof(double));
out:
    free(v);
    if (ms >= 0)
        H5Sclose(ms);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (d >= 0)
        H5Dclose(d);
    return st;
}

/* Format 2: where run `run` is (/index/stack and /index/row): its stack's
 * group into *g and its row; false when the file has no such run. */
static bool stack_row(hid_t f, size_t run, hid_t *g, long long *row)
{
    hid_t ds = -1, dr = -1, sp = -1, ms = -1;
    hsize_t n = 0, one = 1, k = run;
    int32_t stack = -1;
    int64_t r = -1;
    char name[48];
    bool ok = false;

    *g = -1;
    if ((ds = H5Dopen2(f, "index/stack", H5P_DEFAULT)) < 0 ||
        (dr = H5Dopen2(f, "index/row", H5P_DEFAULT)) < 0 || (sp = H5Dget_space(ds)) < 0 ||
        H5Sget_simple_extent_dims(sp, &n, NULL) != 1 || k >= n ||
        (ms = H5Screate_simple(1, &one, NULL)) < 0 ||
        H5Sselect_hyperslab(sp, H5S_SELECT_SET, &k, NULL, &one, NULL) < 0 ||
        H5Dread(ds, H5T_NATIVE_INT32, ms, sp, H5P_DEFAULT, &stack) < 0 ||
        H5Dread(dr, H5T_NATIVE_INT64, ms, sp, H5P_DEFAULT, &r) < 0 || stack < 0 || r < 0)
        goto out;
    snprintf(name, sizeof(name), "stacks/s%d", (int)stack);
    if ((*g = H5Gopen2(f, name, H5P_DEFAULT)) < 0)
        goto out;
    *row = r;
    ok = true;
out:
    if (ms >= 0)
        H5Sclose(ms);
    if (sp >= 0)
        H5Sclose(sp);
    if (dr >= 0)
        H5Dclose(dr);
    if (ds >= 0)
        H5Dclose(ds);
    return ok;
}

/* Warm start from a format-2 file: run's row of W_layer<l>, b_layer<l> in
 * its stack, with the checks of format 1. */
static mlp_status read_weights2(mlp_h5w *w, hid_t f, size_t run, const size_t *width,
                                size_t n_layers, double *params)
{
    mlp_status st = MLP_OK;
    hid_t g = -1;
    long long row = -1;
    size_t off = 0;
    char name[64];

    if (!stack_row(f, run, &g, &row)) {
        H5Eclear2(H5E_DEFAULT);
        return mlp_fail(w->err, MLP_ERR_SPEC, "%s: no run %zu in this results file", w->file, run);
    }
    if (!has_link(g, "W_layer0")) {
        st = mlp_fail(w->err, MLP_ERR_SPEC, "%s: run %zu recorded no final weights "
                      "(record.weights was none)", w->file, run);
        goto out;
    }
    for (size_t l = 0; l < n_layers; l++) {
        snprintf(name, sizeof(name), "W_layer%zu", l);
        if (!has_link(g, name)) {
            st = mlp_fail(w->err, MLP_ERR_SPEC, "%s: run %zu has fewer weight layers than this "
                          "model's %zu", w->file, run, n_layers);
            goto out;
        }
        if ((st = read_layer(w, g, run, l, true, width, params ? params + off : NULL, row)))
            goto out;
        off += width[l + 1] * width[l];
        if ((st = read_layer(w, g, run, l, false, width, params ? params + off : NULL, row)))
            goto out;
        off += width[l + 1];
    }
    snprintf(name, sizeof(name), "W_layer%zu", n_layers);
    if (has_link(g, name))
        st = mlp_fail(w->err, MLP_ERR_SPEC, "%s: run %zu has more weight layers than this model's "
                      "%zu", w->file, run, n_layers);
out:
    H5Gclose(g);
    return st;
}

mlp_status mlp_results_read_weights(const char *path, size_t run, const size_t *width,
                                    size_t n_layers, double *params, mlp_error *err)
{
    mlp_status st = MLP_OK;
    hid_t f = -1, g = -1;
    mlp_h5w w = {.file = path, .err = err, .dcpl = -1, .compact = -1, .gcpl = -1, .dxpl = -1, .str = -1,
                 .scalar = -1, .dim_list = -1, .ref_list = -1};
    size_t off = 0;
    char name[64];
    struct stat sb;

    mlp_results_lock();
    if (stat(path, &sb) != 0) {
        st = mlp_fail(err, MLP_ERR_SPEC, "%s: cannot read the warm-start file: %s", path,
                      strerror(errno));
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {  /* a pipe would block the open, a device never end */
        st = mlp_fail(err, MLP_ERR_SPEC, "%s: the warm-start file is not a regular file", path);
        goto out;
    }
    if ((st = mlp_h5w_open(&w, path, err)))
        goto out;
    if ((f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        st = mlp_fail(err, MLP_ERR_SPEC, "%s: not an HDF5 results file", path);
        goto out;
    }
    if (has_link(f, "stacks")) {
        st = read_weights2(&w, f, run, width, n_layers, params);
        goto out;
    }
    snprintf(name, sizeof(name), "runs/run_%04zu", run);
    if (!has_link(f, "runs") || H5Lexists(f, name, H5P_DEFAULT) <= 0) {
        st = mlp_fail(err, MLP_ERR_SPEC, "%s: no run %zu in this results file", path, run);
        goto out;
    }
    if ((g = H5Gopen2(f, name, H5P_DEFAULT)) < 0) {
        st = mlp_h5_fail(&w, "open group '%s'", name);
        goto out;
    }
    if (!has_link(g, "weights")) {
        st = mlp_fail(err, MLP_ERR_SPEC, "%s: run %zu recorded no final weights "
                      "(record.weights was none)", path, run);
        goto out;
    }
    for (size_t l = 0; l < n_layers; l++) {
        snprintf(name, sizeof(name), "weights/layer%zu", l);
        if (H5Lexists(g, name, H5P_DEFAULT) <= 0) {
            st = mlp_fail(err, MLP_ERR_SPEC, "%s: run %zu has fewer weight layers than this "
                          "model's %zu", path, run, n_layers);
            goto out;
        }
        if ((st = read_layer(&w, g, run, l, true, width, params ? params + off : NULL, -1)))
            goto out;
        off += width[l + 1] * width[l];
        if ((st = read_layer(&w, g, run, l, false, width, params ? params + off : NULL, -1)))
            goto out;
        off += width[l + 1];
    }
    snprintf(name, sizeof(name), "weights/layer%zu", n_layers);
    if (H5Lexists(g, name, H5P_DEFAULT) > 0)
        st = mlp_fail(err, MLP_ERR_SPEC, "%s: run %zu has more weight layers than this model's "
                      "%zu", path, run, n_layers);
out:
    if (g >= 0)
        H5Gclose(g);
    if (f >= 0)
        H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    mlp_h5w_close(&w);
    mlp_results_unlock();
    return st;
}

/* ---- reading the summary back ------------------------------------------- */

/* One cell of a summary_table row as text: counts as integers, other
 * numbers "%.6g", strings as stored. */
static void format_cell(const unsigned char *p, hid_t t, bool exact, char *buf, size_t len)
{
    H5T_class_t cls = H5Tget_class(t);
    size_t size = H5Tget_size(t);

    if (cls == H5T_INTEGER && H5Tget_sign(t) == H5T_SGN_NONE && size == 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        snprintf(buf, len, "%" PRIu64, v);
    } else if (cls == H5T_INTEGER && size == 8) {
        int64_t v;
        memcpy(&v, p, 8);
        snprintf(buf, len, "%" PRId64, v);
    } else if (cls == H5T_FLOAT && size == 8) {
        double v;
        memcpy(&v, p, 8);
        if (exact)
            format_number(v, buf, len);  /* the shortest text that reads back as v */
        else
            snprintf(buf, len, "%.6g", v);
    } else if (cls == H5T_STRING) {
        size_t n = size < len - 1 ? size : len - 1;
        memcpy(buf, p, n);
        buf[n] = '\0';
    } else {
        snprintf(buf, len, "?");
    }
}

/* The columns of a summary_table row (native type mt): names, offsets,
 * member types, and a text buffer per cell. */
typedef struct table_cols {
    int n;
    char **names, **cells;
    size_t *offs;
    hid_t *types;
} table_cols;

static void cols_free(table_cols *c)
{
    for (int i = 0; i < c->n; i++) {
        if (c->names)
            free(c->names[i]);
        if (c->cells)
            free(c->cells[i]);
        if (c->types && c->types[i] >= 0)
            H5Tclose(c->types[i]);
    }
    free(c->names);
    free(c->cells);
    free(c->offs);
    free(c->types);
}

/* The n members of mt into c (c->n set first, so cols_free undoes a part). */
static mlp_status cols_get(table_cols *c, hid_t mt, int n, const char *path, mlp_error *err)
{
    c->n = n;
    c->names = calloc((size_t)n, sizeof(*c->names));
    c->cells = calloc((size_t)n, sizeof(*c->cells));
    c->offs = calloc((size_t)n, sizeof(*c->offs));
    c->types = calloc((size_t)n, sizeof(*c->types));
    for (int i = 0; c->types && i < n; i++)
        c->types[i] = -1;
    if (!c->names || !c->cells || !c->offs || !c->types)
        return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", path);
    for (int i = 0; i < n; i++) {
        char *nm_i = H5Tget_member_name(mt, (unsigned)i);

        c->names[i] = nm_i ? strdup(nm_i) : NULL;
        H5free_memory(nm_i);
        c->offs[i] = H5Tget_member_offset(mt, (unsigned)i);
        c->types[i] = H5Tget_member_type(mt, (unsigned)i);
        if (!c->names[i] || c->types[i] < 0 ||
            !(c->cells[i] = malloc(128 + H5Tget_size(c->types[i]))))
            return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", path);
    }
    return MLP_OK;
}

/* Format 2 names the table's columns as Python identifiers and keeps the
 * names of the summary in its attribute column_names: the names to show. */
static mlp_status column_names(mlp_h5w *w, hid_t d, table_cols *c)
{
    hid_t a = -1, t = -1, mt = -1, sp = -1;
    size_t size;
    char *buf = NULL;
    mlp_status st = MLP_OK;

    if (H5Aexists(d, "column_names") <= 0)
        return MLP_OK;
    if ((a = H5Aopen(d, "column_names", H5P_DEFAULT)) < 0 || (t = H5Aget_type(a)) < 0 ||
        (sp = H5Aget_space(a)) < 0 || H5Tget_class(t) != H5T_STRING ||
        H5Tis_variable_str(t) != 0 || H5Sget_simple_extent_npoints(sp) != c->n) {
        st = mlp_h5_fail(w, "read attribute 'column_names' of /summary_table");
        goto out;
    }
    size = H5Tget_size(t);
    if ((mt = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_size(mt, size) < 0 ||
        !(buf = calloc((size_t)c->n, size + 1)) ||
        H5Aread(a, mt, buf) < 0) {
        st = mlp_h5_fail(w, "read attribute 'column_names' of /summary_table");
        goto out;
    }
    for (int i = 0; i < c->n; i++) {
        char *name = strndup(buf + (size_t)i * size, size);
        if (!name) {
            st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
            goto out;
        }
        free(c->names[i]);
        c->names[i] = name;
    }
out:
    free(buf);
    if (mt >= 0)
        H5Tclose(mt);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return st;
}

/* Rows 0 .. n-1 of dataset d (file space fs, row type mt) to row(), one at
 * a time: memory does not grow with the number of runs.  buf holds a row. */
static mlp_status rows_emit(mlp_h5w *w, hid_t d, hid_t fs, hid_t mt, hsize_t n,
                            const table_cols *c, unsigned char *buf, bool exact,
                            void (*row)(void *ctx, size_t n, const char *const *cells),
                            void *ctx)
{
    mlp_status st = MLP_OK;
    hsize_t one = 1;
    hid_t ms = H5Screate_simple(1, &one, NULL);

    if (ms < 0)
        return mlp_h5_fail(w, "create a dataspace");
    for (hsize_t k = 0; k < n; k++) {
        if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, &k, NULL, &one, NULL) < 0 ||
            H5Dread(d, mt, ms, fs, H5P_DEFAULT, buf) < 0) {
            st = mlp_h5_fail(w, "read row %llu of /summary_table", (unsigned long long)k);
            break;
        }
        for (int i = 0; i < c->n; i++)
            format_cell(buf + c->offs[i], c->types[i], exact, c->cells[i],
                        128 + H5Tget_size(c->types[i]));
        row(ctx, (size_t)c->n, (const char *const *)c->cells);
    }
    H5Sclose(ms);
    return st;
}

mlp_status mlp_results_summary(const char *path, bool exact,
                               void (*row)(void *ctx, size_t n, const char *const *cells),
                               void *ctx, mlp_error *err)
{
    mlp_status st = MLP_OK;
    hid_t f = -1, d = -1, ft = -1, mt = -1, fs = -1;
    mlp_h5w w = {.file = path, .err = err, .dcpl = -1, .compact = -1, .gcpl = -1, .dxpl = -1, .str = -1,
                 .scalar = -1, .dim_list = -1, .ref_list = -1};
    int nm = 0;
    table_cols cols = {0};
    unsigned char *buf = NULL;
    hsize_t n = 0;

    mlp_results_lock();
    H5Eclear2(H5E_DEFAULT);
    if ((f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        st = mlp_h5_fail(&w, "open the results file");
        goto out;
    }
    if ((d = H5Dopen2(f, "summary_table", H5P_DEFAULT)) < 0) {
        st = mlp_h5_fail(&w, "open /summary_table (not an mlplab results file?)");
        goto out;
    }
    if ((ft = H5Dget_type(d)) < 0 || H5Tget_class(ft) != H5T_COMPOUND ||
        (mt = H5Tget_native_type(ft, H5T_DIR_ASCEND)) < 0 || (nm = H5Tget_nmembers(mt)) <= 0 ||
        (fs = H5Dget_space(d)) < 0 || H5Sget_simple_extent_ndims(fs) != 1) {
        st = mlp_h5_fail(&w, "read the layout of /summary_table");
        goto out;
    }
    H5Sget_simple_extent_dims(fs, &n, NULL);
    if (!(buf = malloc(H5Tget_size(mt)))) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", path);
        goto out;
    }
    if ((st = cols_get(&cols, mt, nm, path, err)) || (st = column_names(&w, d, &cols)))
        goto out;
    row(ctx, (size_t)nm, (const char *const *)cols.names);
    st = rows_emit(&w, d, fs, mt, n, &cols, buf, exact, row, ctx);
out:
    cols_free(&cols);
    free(buf);
    if (fs >= 0)
        H5Sclose(fs);
    if (mt >= 0)
        H5Tclose(mt);
    if (ft >= 0)
        H5Tclose(ft);
    if (d >= 0)
        H5Dclose(d);
    if (f >= 0)
        H5Fclose(f);
    mlp_results_unlock();
    return st;
}

/* ---- an unfinished sweep: its run folder's part files -------------------- */

/* A real as a summary cell: "%.6g", or with exact the shortest text that
 * reads back as v (as format_cell writes reals). */
static void real_cell(double v, bool exact, char *buf, size_t len)
{
    if (exact)
        format_number(v, buf, len);
    else
        snprintf(buf, len, "%.6g", v);
}

/* The summary row of one run (the columns of /summary_table), to row(); with
 * header, the header first.  cells: (7 + n_params) buffers of 128 bytes and
 * texts[] the pointers handed to row. */
static void folder_row(const mlp_run_record *r, bool header, bool exact, char (*cells)[128],
                       const char **texts,
                       void (*row)(void *ctx, size_t n, const char *const *cells), void *ctx)
{
    static const char *const tail[] = {"final_loss", "train_accuracy", "test_accuracy",
                                       "first_iteration_at_100pct", "wall_seconds",
                                       "iterations_run", "stop_reason"};
    size_t n = 0;

    if (header) {
        texts[n++] = "run";
        texts[n++] = "seed";
        texts[n++] = "repeat";
        texts[n++] = "status";
        for (size_t i = 0; i < r->n_params; i++, n++) {
            mlp_h5_nc_name(r->params[i].path ? r->params[i].path : "", cells[n], 128);
            texts[n] = cells[n];
        }
        for (size_t i = 0; i < 7; i++)
            texts[n++] = tail[i];
        row(ctx, n, texts);
        n = 0;
    }
    snprintf(cells[n++], 128, "%zu", r->index);
    snprintf(cells[n++], 128, "%" PRIu64, r->seed);
    snprintf(cells[n++], 128, "%zu", r->repeat);
    snprintf(cells[n++], 128, "%s", r->status ? "diverged" : "ok");
    for (size_t i = 0; i < r->n_params; i++, n++) {
        const mlp_param_cell *c = &r->params[i];
        if (c->numeric && !mlp_results_integer_text(c->text))
            real_cell(c->num, exact, cells[n], 128);
        else
            snprintf(cells[n], 128, "%s", c->text ? c->text : "");
    }
    real_cell(r->final_loss, exact, cells[n++], 128);
    real_cell(r->train_accuracy, exact, cells[n++], 128);
    real_cell(r->test_accuracy, exact, cells[n++], 128);
    snprintf(cells[n++], 128, "%ld", r->first_100pct);
    real_cell(r->wall_seconds, exact, cells[n++], 128);
    snprintf(cells[n++], 128, "%zu", r->iterations_run);
    snprintf(cells[n++], 128, "%s", r->stop_reason ? r->stop_reason : "iterations");
    for (size_t i = 0; i < n; i++)
        texts[i] = cells[i];
    row(ctx, n, texts);
}

/* The identity hash of the sweep that wrote runs_dir: the SHA-256 of its
 * sweep.identity, as the sweep computed it. */
static mlp_status folder_hash(const char *runs_dir, char hash[65], mlp_error *err)
{
    char *path = mlp_str_printf("%s/sweep.identity", runs_dir), *text = NULL;
    size_t len = 0, cap = 0;
    FILE *f = path ? fopen(path, "rb") : NULL;
    mlp_status st = MLP_OK;

    if (!path)
        return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", runs_dir);
    if (!f) {
        st = mlp_fail(err, MLP_ERR_IO, "%s: not a run folder of mlplab (no sweep.identity: %s)",
                      runs_dir, strerror(errno));
        goto out;
    }
    for (;;) {
        if (len + 4096 > cap) {
            char *p = realloc(text, cap = cap ? 2 * cap : 8192);
            if (!p) {
                st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", path);
                goto out;
            }
            text = p;
        }
        size_t got = fread(text + len, 1, 4096, f);
        len += got;
        if (got < 4096)
            break;
    }
    mlp_sha256_hex(text ? text : "", len, hash);
out:
    if (f)
        fclose(f);
    free(text);
    free(path);
    return st;
}

mlp_status mlp_results_folder_summary(const char *runs_dir, bool exact,
                                      void (*row)(void *ctx, size_t n, const char *const *cells),
                                      void *ctx, size_t *n_found, mlp_error *err)
{
    char hash[65];
    mlp_parts ps = {0};
    mlp_run_view v;
    unsigned char *buf = NULL;
    size_t cap = 0, cols = 0;
    char (*cells)[128] = NULL;
    const char **texts = NULL;
    bool nomem;
    mlp_status st;

    *n_found = 0;
    memset(&v, 0, sizeof(v));
    if ((st = folder_hash(runs_dir, hash, err)))
        return st;
    /* once for the largest run index, once more to place every run */
    ps.hash = hash;
    if ((st = mlp_parts_scan(&ps, runs_dir, err)))
        goto out;
    size_t n_runs = ps.max_run;
    mlp_parts_free(&ps);
    memset(&ps, 0, sizeof(ps));
    ps.hash = hash;
    ps.n_runs = n_runs;
    if (!(ps.loc = calloc(ps.n_runs ? ps.n_runs : 1, sizeof(*ps.loc)))) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", runs_dir);
        goto out;
    }
    if ((st = mlp_parts_scan(&ps, runs_dir, err)))
        goto out;
    for (size_t k = 0; k < ps.n_runs; k++) {
        if (!ps.loc[k].file)
            continue;
        if ((st = mlp_parts_read(&ps, k, &buf, &cap, err)))
            goto out;
        mlp_record_why why = {0};
        if (!mlp_record_get(buf + 16, (size_t)ps.loc[k].size - 16, &v, &nomem, &why)) {
            st = nomem ? mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", runs_dir)
                       : mlp_fail(err, MLP_ERR_IO, "%s: run %zu: its record does not parse: "
                                  "field %s at byte %zu is inconsistent (written by another "
                                  "build of mlplab, or damaged)", runs_dir, k,
                                  why.what ? why.what : "?", why.at);
            goto out;
        }
        if (!cells) {
            cols = 11 + v.rec.n_params;
            cells = calloc(cols, sizeof(*cells));
            texts = calloc(cols, sizeof(*texts));
            if (!cells || !texts) {
                st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", runs_dir);
                goto out;
            }
        } else if (11 + v.rec.n_params != cols) {
            continue;  /* not this sweep's shape: the hash says it is, so never */
        }
        folder_row(&v.rec, *n_found == 0, exact, cells, texts, row, ctx);
        ++*n_found;
    }
out:
    free(cells);
    free(texts);
    free(buf);
    free(v.params);
    mlp_parts_free(&ps);
    return st;
}

/* ---- the root attributes: provenance and the spec ------------------------ */

typedef struct attr_walk {
    mlp_h5w *w;
    void (*attr)(void *ctx, const char *name, const char *value);
    void *ctx;
    mlp_status st;
} attr_walk;

/* Attribute `name` of obj as text into *out (malloc'd): a string as it is,
 * strings of an array as "[a, b]", integers and reals in decimal (reals
 * exactly), anything else "?". */
static mlp_status attr_text(mlp_h5w *w, hid_t obj, const char *name, char **out)
{
    mlp_status st = MLP_OK;
    hid_t a = -1, t = -1, sp = -1;
    hssize_t n;
    char **strs = NULL;
    char num[64];

    *out = NULL;
    if ((a = H5Aopen(obj, name, H5P_DEFAULT)) < 0 || (t = H5Aget_type(a)) < 0 ||
        (sp = H5Aget_space(a)) < 0 || (n = H5Sget_simple_extent_npoints(sp)) < 0) {
        st = mlp_h5_fail(w, "open attribute '%s'", name);
        goto out;
    }
    H5T_class_t cls = H5Tget_class(t);
    if (cls == H5T_STRING && H5Sget_simple_extent_ndims(sp) == 0) {
        H5Aclose(a);
        a = -1;
        st = attr_get_str(w, obj, name, out);
        goto out;
    }
    if (cls == H5T_STRING && H5Tis_variable_str(t) > 0) {
        size_t len = 3;
        if (!(strs = calloc((size_t)n + 1, sizeof(*strs)))) {
            st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
            goto out;
        }
        if (H5Aread(a, w->str, strs) < 0) {
            st = mlp_h5_fail(w, "read attribute '%s'", name);
            goto out;
        }
        for (hssize_t i = 0; i < n; i++)
            len += strlen(strs[i] ? strs[i] : "") + 2;
        if ((*out = malloc(len))) {
            size_t at = 0;
            (*out)[at++] = '[';
            for (hssize_t i = 0; i < n; i++)
                at += (size_t)snprintf(*out + at, len - at, "%s%s", i ? ", " : "",
                                       strs[i] ? strs[i] : "");
            snprintf(*out + at, len - at, "]");
        }
        for (hssize_t i = 0; i < n; i++)
            H5free_memory(strs[i]);
    } else if (n == 1 && (cls == H5T_INTEGER || cls == H5T_FLOAT)) {
        if (cls == H5T_INTEGER && H5Tget_sign(t) == H5T_SGN_NONE) {
            unsigned long long v;
            if (H5Aread(a, H5T_NATIVE_ULLONG, &v) < 0)
                goto read_fail;
            snprintf(num, sizeof(num), "%llu", v);
        } else if (cls == H5T_INTEGER) {
            long long v;
            if (H5Aread(a, H5T_NATIVE_LLONG, &v) < 0)
                goto read_fail;
            snprintf(num, sizeof(num), "%lld", v);
        } else {
            double v;
            if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0)
                goto read_fail;
            format_number(v, num, sizeof(num));
        }
        *out = strdup(num);
    } else {
        *out = strdup("?");
    }
    if (!*out)
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
    goto out;
read_fail:
    st = mlp_h5_fail(w, "read attribute '%s'", name);
out:
    free(strs);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return st;
}

static herr_t attr_one(hid_t obj, const char *name, const H5A_info_t *info, void *vctx)
{
    attr_walk *aw = vctx;
    char *text = NULL;

    (void)info;
    if ((aw->st = attr_text(aw->w, obj, name, &text)))
        return -1;
    aw->attr(aw->ctx, name, text);
    free(text);
    return 0;
}

mlp_status mlp_results_attributes(const char *path,
                                  void (*attr)(void *ctx, const char *name, const char *value),
                                  void *ctx, mlp_error *err)
{
    mlp_status st = MLP_OK;
    mlp_h5w w = {.file = path, .err = err, .dcpl = -1, .compact = -1, .gcpl = -1, .dxpl = -1, .str = -1,
                 .scalar = -1, .dim_list = -1, .ref_list = -1};
    attr_walk aw = {&w, attr, ctx, MLP_OK};
    hsize_t at = 0;
    hid_t f = -1;

    mlp_results_lock();
    H5Eclear2(H5E_DEFAULT);
    if ((st = mlp_h5w_open(&w, path, err)))
        goto out;
    if ((f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        st = mlp_h5_fail(&w, "open the results file");
        goto out;
    }
    if (H5Aexists(f, "format") <= 0) {
        st = mlp_fail(err, MLP_ERR_IO, "%s: not an mlplab results file (no 'format' attribute)",
                      path);
        goto out;
    }
    /* native order: the order written, for the compact storage of a few attributes */
    if (H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_NATIVE, &at, attr_one, &aw) < 0)
        st = aw.st ? aw.st : mlp_h5_fail(&w, "read the root attributes");
out:
    if (f >= 0)
        H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    mlp_h5w_close(&w);
    mlp_results_unlock();
    return st;
}
