/* h5.c -- the shared HDF5 helpers: the module lock, errors, netCDF names,
 * attributes, variables, dimension scales and coordinates, as every format
 * writer uses them (the netCDF-4 conventions are described at mlp_h5_dim_only). */
#include "results/h5.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5_hl.h>

#include "results/internal.h"

/* netCDF-4 marks a dimension that has no coordinate variable with this NAME
 * (followed by the length, "%10d"); netCDF-C and h5netcdf hide such scales. */
#define NC_DIM_ONLY "This is a netCDF dimension but not a netCDF variable."

#define COMPACT_MAX 16384  /* bytes: arrays up to this size use the compact layout */

static pthread_mutex_t results_lock = PTHREAD_MUTEX_INITIALIZER;

/* Take the lock and silence HDF5's automatic error printing (library code
 * prints nothing; errors are read off the stack by mlp_h5_fail).  Done on every
 * entry since the setting is per thread in thread-safe builds. */
void mlp_results_lock(void)
{
    static bool started;

    pthread_mutex_lock(&results_lock);
    if (!started) {
        /* After a failed write (a full disk, a file-size limit) HDF5 1.10
         * cannot close that file, and its exit handler then crashes trying
         * again: keep the handler out.  Every file we write is closed, or
         * was abandoned with an error already reported. */
        H5dont_atexit();
        started = true;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void mlp_results_unlock(void)
{
    pthread_mutex_unlock(&results_lock);
}

/* The innermost HDF5 message, reduced to what a user can act on: the
 * system's error text when HDF5 quotes one, else the first line. */
static herr_t innermost_error(unsigned n, const H5E_error2_t *e, void *ctx)
{
    const char *d = e->desc, *q;
    char *out = ctx;

    (void)n;
    if (!d || !d[0])
        return 0;
    if ((q = strstr(d, "error message = '"))) {
        q += strlen("error message = '");
        snprintf(out, 256, "%.*s", (int)strcspn(q, "'"), q);
    } else {
        snprintf(out, 256, "%.*s", (int)strcspn(d, "\n"), d);
    }
    return 0;
}

/* Fail with "FILE: HDF5 could not WHAT (innermost HDF5 message)". */
mlp_status mlp_h5_fail(mlp_h5w *w, const char *fmt, ...)
{
    char what[768], why[256] = "";
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, innermost_error, why);
    H5Eclear2(H5E_DEFAULT);
    if (why[0])
        return mlp_fail(w->err, MLP_ERR_IO, "%s: HDF5 could not %s (%s)", w->file, what, why);
    return mlp_fail(w->err, MLP_ERR_IO, "%s: HDF5 could not %s", w->file, what);
}

mlp_status mlp_h5w_open(mlp_h5w *w, const char *file, mlp_error *err)
{
    w->file = file;
    w->err = err;
    w->n_scales = 0;
    w->dcpl = H5Pcreate(H5P_DATASET_CREATE);
    w->compact = H5Pcreate(H5P_DATASET_CREATE);
    w->gcpl = H5Pcreate(H5P_GROUP_CREATE);
    w->dxpl = H5Pcreate(H5P_DATASET_XFER);
    w->str = H5Tcopy(H5T_C_S1);
    w->scalar = H5Screate(H5S_SCALAR);
    w->dim_list = H5Tvlen_create(H5T_STD_REF_OBJ);
    w->ref_list = H5Tcreate(H5T_COMPOUND, sizeof(scale_use));
    if (w->dcpl < 0 || w->compact < 0 || w->gcpl < 0 || w->dxpl < 0 || w->str < 0 || w->scalar < 0 ||
        w->dim_list < 0 || w->ref_list < 0 || H5Pset_obj_track_times(w->dcpl, 0) < 0 ||
        H5Pset_obj_track_times(w->compact, 0) < 0 || H5Pset_layout(w->compact, H5D_COMPACT) < 0 ||
        H5Pset_obj_track_times(w->gcpl, 0) < 0 || H5Tset_size(w->str, H5T_VARIABLE) < 0 ||
        H5Tset_cset(w->str, H5T_CSET_UTF8) < 0 ||
        H5Tinsert(w->ref_list, "dataset", offsetof(scale_use, dataset), H5T_STD_REF_OBJ) < 0 ||
        H5Tinsert(w->ref_list, "dimension", offsetof(scale_use, dim), H5T_NATIVE_INT) < 0)
        return mlp_h5_fail(w, "set up property lists");
    return MLP_OK;
}

void mlp_h5w_close(mlp_h5w *w)
{
    if (w->dcpl >= 0)
        H5Pclose(w->dcpl);
    if (w->compact >= 0)
        H5Pclose(w->compact);
    if (w->gcpl >= 0)
        H5Pclose(w->gcpl);
    if (w->dxpl >= 0)
        H5Pclose(w->dxpl);
    if (w->str >= 0)
        H5Tclose(w->str);
    if (w->scalar >= 0)
        H5Sclose(w->scalar);
    if (w->dim_list >= 0)
        H5Tclose(w->dim_list);
    if (w->ref_list >= 0)
        H5Tclose(w->ref_list);
    for (size_t i = 0; i < w->n_scales; i++)
        free(w->scale[i].use);
    w->n_scales = 0;
    w->dcpl = w->compact = w->gcpl = w->str = w->scalar = w->dim_list = w->ref_list = -1;
}

/* ---- names ---------------------------------------------------------- */

/* Names used by the run group and the summary; a swept parameter whose
 * dotted path equals one of them is stored as "param_<path>". */
static const char *const reserved_names[] = {
    "index", "repeat", "seed", "status", "wall_seconds", "iterations", "iterations_run", "loss_every",
    "widths", "final_loss", "train_accuracy", "test_accuracy", "first_iteration_at_100pct",
    "run", "iteration", "loss", "test_loss", "weights", "hidden", "boundary", "dataset",
    "spec_sha256", "complete", "note", "stop_reason", "best_iteration", "eval_iteration",
    "test_accuracy_curve", "train_accuracy_curve", "grad_norm_W", "grad_norm_b", "layer",
    "snapshots", "validation_accuracy", "epoch", "argmax", "halving_bracket", "halving_rungs",
    NULL};

/* A netCDF-legal name for a dotted path ("model.hidden" is legal as it is):
 * '/' and control characters become '_'; a first character that is not a
 * letter, digit or '_' gets a '_' in front. */
void mlp_h5_nc_name(const char *path, char *buf, size_t len)
{
    size_t i = 0, o = 0;
    unsigned char c0 = (unsigned char)path[0];
    bool reserved = false;

    for (size_t r = 0; reserved_names[r]; r++)
        if (!strcmp(path, reserved_names[r]))
            reserved = true;
    if (reserved)
        o = (size_t)snprintf(buf, len, "param_");
    else if (!(c0 == '_' || (c0 >= '0' && c0 <= '9') || (c0 >= 'A' && c0 <= 'Z') ||
               (c0 >= 'a' && c0 <= 'z') || c0 >= 0x80))
        buf[o++] = '_';
    for (; path[i] && o + 1 < len; i++) {
        unsigned char c = (unsigned char)path[i];
        buf[o++] = (c == '/' || c < 0x20 || c == 0x7f) ? '_' : (char)c;
    }
    buf[o] = '\0';
}

/* ---- writing: attributes, variables, dimensions ---------------------- */

/* Attribute `name` on obj: n values (n == 0: a scalar). */
mlp_status mlp_h5_attr_put(mlp_h5w *w, hid_t obj, const char *name, hid_t ftype, hid_t mtype,
                                  const void *val, size_t n)
{
    mlp_status st = MLP_OK;
    hsize_t dim = n;
    hid_t sp = -1, a = -1;

    sp = n ? H5Screate_simple(1, &dim, NULL) : w->scalar;
    if (sp < 0) {
        st = mlp_h5_fail(w, "create the dataspace of attribute '%s'", name);
        goto out;
    }
    a = H5Acreate2(obj, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) {
        st = mlp_h5_fail(w, "create attribute '%s'", name);
        goto out;
    }
    if (H5Awrite(a, mtype, val) < 0)
        st = mlp_h5_fail(w, "write attribute '%s'", name);
out:
    if (a >= 0)
        H5Aclose(a);
    if (n && sp >= 0)
        H5Sclose(sp);
    return st;
}

mlp_status mlp_h5_attr_str(mlp_h5w *w, hid_t obj, const char *name, const char *s)
{
    if (!s)
        return MLP_OK;
    return mlp_h5_attr_put(w, obj, name, w->str, w->str, &s, 0);
}

mlp_status mlp_h5_attr_f64(mlp_h5w *w, hid_t obj, const char *name, double v)
{
    return mlp_h5_attr_put(w, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v, 0);
}

mlp_status mlp_h5_attr_i64(mlp_h5w *w, hid_t obj, const char *name, int64_t v)
{
    return mlp_h5_attr_put(w, obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v, 0);
}

mlp_status mlp_h5_attr_u64(mlp_h5w *w, hid_t obj, const char *name, uint64_t v)
{
    return mlp_h5_attr_put(w, obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v, 0);
}

mlp_status mlp_h5_attr_i8(mlp_h5w *w, hid_t obj, const char *name, int8_t v)
{
    return mlp_h5_attr_put(w, obj, name, H5T_STD_I8LE, H5T_NATIVE_INT8, &v, 0);
}

hid_t mlp_h5_group_create(mlp_h5w *w, hid_t parent, const char *name)
{
    hid_t g = H5Gcreate2(parent, name, H5P_DEFAULT, w->gcpl, H5P_DEFAULT);

    if (g < 0)
        mlp_h5_fail(w, "create group '%s'", name);
    return g;
}

/* ---- dimension scales ---------------------------------------------------
 *
 * Written as the HDF5 high-level library (H5DS) writes them, attribute for
 * attribute, but each attribute once: a scale gets CLASS and NAME when it is
 * made; a dataset gets its DIMENSION_LIST (one object reference per axis)
 * when it is written; a scale gets its REFERENCE_LIST (every dataset axis
 * attached to it, in order) when it is closed.  H5DSattach_scale rewrites
 * both lists on every attachment, which made it a third of the cost of a
 * sweep file.  H5DSis_attached, H5DSiterate_scales, netCDF-C and h5py read
 * the result as their own. */

/* A fixed-length ASCII string attribute (what H5DSset_scale writes). */
static mlp_status attr_fixed(mlp_h5w *w, hid_t obj, const char *name, const char *s, size_t size)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    char *buf = calloc(1, size);
    mlp_status st;

    if (t < 0 || !buf || H5Tset_size(t, size) < 0) {
        st = mlp_h5_fail(w, "create the type of attribute '%s'", name);
    } else {
        memcpy(buf, s, strlen(s) < size ? strlen(s) : size);
        st = mlp_h5_attr_put(w, obj, name, t, t, buf, 0);
    }
    free(buf);
    if (t >= 0)
        H5Tclose(t);
    return st;
}

/* Make dataset d (named name in its group) a dimension scale called label. */
static mlp_status scale_make(mlp_h5w *w, hid_t d, const char *name, const char *label)
{
    open_scale *s;
    mlp_status st;

    if (w->n_scales == MAX_OPEN_SCALES)
        return mlp_fail(w->err, MLP_ERR_RUNTIME, "%s: more than %d dimension scales open",
                        w->file, MAX_OPEN_SCALES);
    if ((st = attr_fixed(w, d, "CLASS", "DIMENSION_SCALE", 16)) ||
        (st = attr_fixed(w, d, "NAME", label, strlen(label) + 1)))
        return st;
    s = &w->scale[w->n_scales];
    memset(s, 0, sizeof(*s));
    s->id = d;
    if (H5Rcreate(&s->ref, d, ".", H5R_OBJECT, -1) < 0)
        return mlp_h5_fail(w, "make a reference to scale '%s'", name);
    w->n_scales++;
    return MLP_OK;
}

static open_scale *scale_find(mlp_h5w *w, hid_t id)
{
    for (size_t i = 0; i < w->n_scales; i++)
        if (w->scale[i].id == id)
            return &w->scale[i];
    return NULL;
}

/* Attach axis i of dataset d (named name) to scales[i], for every axis. */
mlp_status mlp_h5_scale_attach(mlp_h5w *w, hid_t d, const char *name, int rank,
                               const hid_t *scales)
{
    hvl_t dl[H5S_MAX_RANK];
    open_scale *sc[H5S_MAX_RANK];
    hobj_ref_t self;

    for (int i = 0; i < rank; i++) {
        if (!(sc[i] = scale_find(w, scales[i])))
            return mlp_fail(w->err, MLP_ERR_RUNTIME, "%s: axis %d of '%s' has no open scale",
                            w->file, i, name);
        dl[i].len = 1;
        dl[i].p = &sc[i]->ref;
    }
    if (H5Rcreate(&self, d, ".", H5R_OBJECT, -1) < 0)
        return mlp_h5_fail(w, "make a reference to '%s'", name);
    for (int i = 0; i < rank; i++) {
        open_scale *s = sc[i];
        if (s->n == s->cap) {
            size_t cap = s->cap ? 2 * s->cap : 8;
            scale_use *u = realloc(s->use, cap * sizeof(*u));
            if (!u)
                return mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
            s->use = u;
            s->cap = cap;
        }
        s->use[s->n++] = (scale_use){self, i};
    }
    return mlp_h5_attr_put(w, d, "DIMENSION_LIST", w->dim_list, w->dim_list, dl, (size_t)rank);
}

/* Close a scale, writing its REFERENCE_LIST first (unless *st already
 * holds an error; a new error goes to *st). */
void mlp_h5_scale_close(mlp_h5w *w, hid_t id, mlp_status *st)
{
    open_scale *s = scale_find(w, id);

    if (s) {
        if (*st == MLP_OK && s->n)
            *st = mlp_h5_attr_put(w, id, "REFERENCE_LIST", w->ref_list, w->ref_list, s->use, s->n);
        free(s->use);
        *s = w->scale[--w->n_scales];
    }
    H5Dclose(id);
}

/* A netCDF dimension without a coordinate variable: an empty float32
 * dataset of the dimension's length made a scale whose NAME says so, as
 * netCDF-C writes it.  Returns the open dataset, or < 0 with err filled. */
hid_t mlp_h5_dim_only(mlp_h5w *w, hid_t g, const char *name, hsize_t len)
{
    char label[sizeof(NC_DIM_ONLY) + 32];
    hid_t sp, d = -1;

    snprintf(label, sizeof(label), "%s%10d", NC_DIM_ONLY, (int)len);
    sp = H5Screate_simple(1, &len, &len);
    if (sp < 0) {
        mlp_h5_fail(w, "create the dataspace of dimension '%s'", name);
        return -1;
    }
    d = H5Dcreate2(g, name, H5T_IEEE_F32BE, sp, H5P_DEFAULT, w->dcpl, H5P_DEFAULT);
    H5Sclose(sp);
    if (d < 0) {
        mlp_h5_fail(w, "create dimension '%s'", name);
        return -1;
    }
    if (scale_make(w, d, name, label)) {
        H5Dclose(d);
        return -1;
    }
    return d;
}

/* Dataset `name` in g, shape dims[rank], filled from data (memory type
 * mtype), one dimension scale attached per axis (scales == NULL: the
 * dataset is a coordinate and becomes its own scale), long_name and units
 * when given.  The open dataset goes to *out, or is closed when out is NULL. */
mlp_status mlp_h5_var_write(mlp_h5w *w, hid_t g, const char *name, hid_t ftype, hid_t mtype,
                                   int rank, const hsize_t *dims, const void *data,
                                   const hid_t *scales, const char *long_name, const char *units,
                                   hid_t *out)
{
    mlp_status st = MLP_OK;
    hid_t sp = -1, d = -1;
    hsize_t count = 1;

    for (int i = 0; i < rank; i++)
        count *= dims[i];
    sp = H5Screate_simple(rank, dims, NULL);
    if (sp < 0) {
        st = mlp_h5_fail(w, "create the dataspace of '%s'", name);
        goto out;
    }
    /* small arrays live in the object header (compact layout): one object
     * to create and write instead of two */
    d = H5Dcreate2(g, name, ftype, sp, H5P_DEFAULT,
                   count && count * H5Tget_size(ftype) <= COMPACT_MAX ? w->compact : w->dcpl,
                   H5P_DEFAULT);
    if (d < 0) {
        st = mlp_h5_fail(w, "create dataset '%s'", name);
        goto out;
    }
    /* A write that converts (strings, compounds) gets a zeroed conversion
     * buffer and a background buffer of 1 MiB each by default, whatever the
     * data's size: 760 of the tutorial's 5 700 page faults were the summary's
     * three.  Sized to the data (at most the default), the bytes written are
     * the same.  HDF5 refuses a buffer smaller than one element as converted
     * (a variable-length string is larger on disk than its pointer), hence
     * four times the larger size and at least 64 KiB. */
    if (count) {
        const size_t lo = (size_t)64 << 10, hi = (size_t)1 << 20;
        size_t elem = 4 * (H5Tget_size(ftype) > H5Tget_size(mtype) ? H5Tget_size(ftype)
                                                                   : H5Tget_size(mtype));
        size_t buf = elem && count < hi / elem ? count * elem : hi;
        if (buf < lo)
            buf = lo;
        if (buf < elem)
            buf = elem;
        if (!elem || H5Pset_buffer(w->dxpl, buf, NULL, NULL) < 0) {
            st = mlp_h5_fail(w, "set the conversion buffer of '%s'", name);
            goto out;
        }
    }
    if (count && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, w->dxpl, data) < 0) {
        st = mlp_h5_fail(w, "write dataset '%s'", name);
        goto out;
    }
    if (!scales && (st = scale_make(w, d, name, name)))
        goto out;
    if (scales && (st = mlp_h5_scale_attach(w, d, name, rank, scales)))
        goto out;
    if ((st = mlp_h5_attr_str(w, d, "long_name", long_name)) ||
        (st = mlp_h5_attr_str(w, d, "units", units)))
        goto out;
    if (out) {
        *out = d;
        d = -1;
    }
out:
    if (d >= 0 && !scales)
        mlp_h5_scale_close(w, d, &st);
    else if (d >= 0)
        H5Dclose(d);
    if (sp >= 0)
        H5Sclose(sp);
    return st;
}

mlp_status mlp_h5_f64_var(mlp_h5w *w, hid_t g, const char *name, int rank,
                                 const hsize_t *dims, const double *data, const hid_t *scales,
                                 const char *long_name, const char *units)
{
    return mlp_h5_var_write(w, g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims, data, scales,
                            long_name, units, NULL);
}

/* An int64 coordinate 0, step, 2*step, ... of length n; its open scale in *out. */
mlp_status mlp_h5_i64_coord(mlp_h5w *w, hid_t g, const char *name, size_t n, int64_t step,
                                   const char *long_name, hid_t *out)
{
    int64_t *v = malloc((n ? n : 1) * sizeof(*v));
    hsize_t dim = n;
    mlp_status st;

    if (!v)
        return mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
    for (size_t i = 0; i < n; i++)
        v[i] = (int64_t)i * step;
    st = mlp_h5_var_write(w, g, name, H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dim, v, NULL, long_name,
                          NULL, out);
    free(v);
    return st;
}

/* A float64 coordinate: n points evenly from lo to hi. */
mlp_status mlp_h5_linspace_coord(mlp_h5w *w, hid_t g, const char *name, size_t n, double lo,
                                        double hi, const char *long_name, hid_t *out)
{
    double *v = malloc((n ? n : 1) * sizeof(*v));
    hsize_t dim = n;
    mlp_status st;

    if (!v)
        return mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
    for (size_t i = 0; i < n; i++)
        v[i] = n > 1 ? lo + (hi - lo) * (double)i / (double)(n - 1) : lo;
    st = mlp_h5_var_write(w, g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &dim, v, NULL,
                          long_name, NULL, out);
    free(v);
    return st;
}

/* Status of a failed group/dimension helper: they fill err themselves. */
mlp_status mlp_h5_failed(mlp_h5w *w)
{
    return w->err && w->err->code != MLP_OK ? w->err->code : MLP_ERR_IO;
}

void mlp_h5_version_number(char *buf, size_t len)
{
    unsigned maj = 0, min = 0, rel = 0;

    H5get_libversion(&maj, &min, &rel);
    snprintf(buf, len, "%u.%u.%u", maj, min, rel);
}

void mlp_results_hdf5_version(char *buf, size_t len)
{
    char ver[64];

    mlp_results_lock();
    mlp_h5_version_number(ver, sizeof(ver));
    mlp_results_unlock();
    snprintf(buf, len, "HDF5 %s", ver);
}

