/* results.c -- run files, the sweep file built from them, and reading them
 * back: the only code in mlplab that includes hdf5.h.  Every public function
 * holds one process-wide lock, so HDF5 sees one thread at a time (DESIGN
 * invariant 3).  Layout: SPEC section 4; the netCDF-4 conventions it follows
 * are described at write_run_content() and dim_only(). */
#include "results.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

/* netCDF-4 marks a dimension that has no coordinate variable with this NAME
 * (followed by the length, "%10d"); netCDF-C and h5netcdf hide such scales. */
#define NC_DIM_ONLY "This is a netCDF dimension but not a netCDF variable."

#define NAME_MAX_LEN 256
#define MLP_RESULTS_MAX_LAYERS (MLP_MAX_HIDDEN + 1)

static pthread_mutex_t results_lock = PTHREAD_MUTEX_INITIALIZER;

/* Take the lock and silence HDF5's automatic error printing (library code
 * prints nothing; errors are read off the stack by h5fail).  Done on every
 * entry since the setting is per thread in thread-safe builds. */
static void lock(void)
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

static void unlock(void)
{
    pthread_mutex_unlock(&results_lock);
}

/* What one file operation needs: the file's name for messages, the error
 * record, and the property lists and string type used throughout. */
typedef struct h5w {
    const char *file;
    mlp_error *err;
    hid_t dcpl;  /* datasets: no timestamps, so equal content gives equal bytes */
    hid_t gcpl;  /* groups: likewise */
    hid_t str;   /* variable-length UTF-8 string */
} h5w;

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
static mlp_status h5fail(h5w *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static mlp_status h5fail(h5w *w, const char *fmt, ...)
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

static mlp_status h5w_open(h5w *w, const char *file, mlp_error *err)
{
    w->file = file;
    w->err = err;
    w->dcpl = H5Pcreate(H5P_DATASET_CREATE);
    w->gcpl = H5Pcreate(H5P_GROUP_CREATE);
    w->str = H5Tcopy(H5T_C_S1);
    if (w->dcpl < 0 || w->gcpl < 0 || w->str < 0 || H5Pset_obj_track_times(w->dcpl, 0) < 0 ||
        H5Pset_obj_track_times(w->gcpl, 0) < 0 || H5Tset_size(w->str, H5T_VARIABLE) < 0 ||
        H5Tset_cset(w->str, H5T_CSET_UTF8) < 0)
        return h5fail(w, "set up property lists");
    return MLP_OK;
}

static void h5w_close(h5w *w)
{
    if (w->dcpl >= 0)
        H5Pclose(w->dcpl);
    if (w->gcpl >= 0)
        H5Pclose(w->gcpl);
    if (w->str >= 0)
        H5Tclose(w->str);
    w->dcpl = w->gcpl = w->str = -1;
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
    "snapshots", "validation_accuracy", "epoch", "argmax", NULL};

/* A netCDF-legal name for a dotted path ("model.hidden" is legal as it is):
 * '/' and control characters become '_'; a first character that is not a
 * letter, digit or '_' gets a '_' in front. */
static void nc_name(const char *path, char *buf, size_t len)
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
static mlp_status attr_put(h5w *w, hid_t obj, const char *name, hid_t ftype, hid_t mtype,
                           const void *val, size_t n)
{
    mlp_status st = MLP_OK;
    hsize_t dim = n;
    hid_t sp = -1, a = -1;

    sp = n ? H5Screate_simple(1, &dim, NULL) : H5Screate(H5S_SCALAR);
    if (sp < 0) {
        st = h5fail(w, "create the dataspace of attribute '%s'", name);
        goto out;
    }
    a = H5Acreate2(obj, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) {
        st = h5fail(w, "create attribute '%s'", name);
        goto out;
    }
    if (H5Awrite(a, mtype, val) < 0)
        st = h5fail(w, "write attribute '%s'", name);
out:
    if (a >= 0)
        H5Aclose(a);
    if (sp >= 0)
        H5Sclose(sp);
    return st;
}

static mlp_status attr_str(h5w *w, hid_t obj, const char *name, const char *s)
{
    if (!s)
        return MLP_OK;
    return attr_put(w, obj, name, w->str, w->str, &s, 0);
}

static mlp_status attr_f64(h5w *w, hid_t obj, const char *name, double v)
{
    return attr_put(w, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v, 0);
}

static mlp_status attr_i64(h5w *w, hid_t obj, const char *name, int64_t v)
{
    return attr_put(w, obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v, 0);
}

static mlp_status attr_u64(h5w *w, hid_t obj, const char *name, uint64_t v)
{
    return attr_put(w, obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v, 0);
}

static mlp_status attr_i8(h5w *w, hid_t obj, const char *name, int8_t v)
{
    return attr_put(w, obj, name, H5T_STD_I8LE, H5T_NATIVE_INT8, &v, 0);
}

static hid_t group_create(h5w *w, hid_t parent, const char *name)
{
    hid_t g = H5Gcreate2(parent, name, H5P_DEFAULT, w->gcpl, H5P_DEFAULT);

    if (g < 0)
        h5fail(w, "create group '%s'", name);
    return g;
}

/* A netCDF dimension without a coordinate variable: an empty float32
 * dataset of the dimension's length made a scale whose NAME says so, as
 * netCDF-C writes it.  Returns the open dataset, or < 0 with err filled. */
static hid_t dim_only(h5w *w, hid_t g, const char *name, hsize_t len)
{
    char label[sizeof(NC_DIM_ONLY) + 32];
    hid_t sp, d = -1;

    snprintf(label, sizeof(label), "%s%10d", NC_DIM_ONLY, (int)len);
    sp = H5Screate_simple(1, &len, &len);
    if (sp < 0) {
        h5fail(w, "create the dataspace of dimension '%s'", name);
        return -1;
    }
    d = H5Dcreate2(g, name, H5T_IEEE_F32BE, sp, H5P_DEFAULT, w->dcpl, H5P_DEFAULT);
    H5Sclose(sp);
    if (d < 0) {
        h5fail(w, "create dimension '%s'", name);
        return -1;
    }
    if (H5DSset_scale(d, label) < 0) {
        h5fail(w, "make '%s' a dimension scale", name);
        H5Dclose(d);
        return -1;
    }
    return d;
}

/* Dataset `name` in g, shape dims[rank], filled from data (memory type
 * mtype), one dimension scale attached per axis (scales == NULL: the
 * dataset is a coordinate and becomes its own scale), long_name and units
 * when given.  The open dataset goes to *out, or is closed when out is NULL. */
static mlp_status var_write(h5w *w, hid_t g, const char *name, hid_t ftype, hid_t mtype, int rank,
                            const hsize_t *dims, const void *data, const hid_t *scales,
                            const char *long_name, const char *units, hid_t *out)
{
    mlp_status st = MLP_OK;
    hid_t sp = -1, d = -1;
    hsize_t count = 1;

    for (int i = 0; i < rank; i++)
        count *= dims[i];
    sp = H5Screate_simple(rank, dims, NULL);
    if (sp < 0) {
        st = h5fail(w, "create the dataspace of '%s'", name);
        goto out;
    }
    d = H5Dcreate2(g, name, ftype, sp, H5P_DEFAULT, w->dcpl, H5P_DEFAULT);
    if (d < 0) {
        st = h5fail(w, "create dataset '%s'", name);
        goto out;
    }
    if (count && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
        st = h5fail(w, "write dataset '%s'", name);
        goto out;
    }
    if (!scales && H5DSset_scale(d, name) < 0) {
        st = h5fail(w, "make '%s' a dimension scale", name);
        goto out;
    }
    for (int i = 0; scales && i < rank; i++)
        if (H5DSattach_scale(d, scales[i], (unsigned)i) < 0) {
            st = h5fail(w, "attach dimension %d of '%s' to its scale", i, name);
            goto out;
        }
    if ((st = attr_str(w, d, "long_name", long_name)) || (st = attr_str(w, d, "units", units)))
        goto out;
    if (out) {
        *out = d;
        d = -1;
    }
out:
    if (d >= 0)
        H5Dclose(d);
    if (sp >= 0)
        H5Sclose(sp);
    return st;
}

static mlp_status f64_var(h5w *w, hid_t g, const char *name, int rank, const hsize_t *dims,
                          const double *data, const hid_t *scales, const char *long_name,
                          const char *units)
{
    return var_write(w, g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims, data, scales,
                     long_name, units, NULL);
}

/* An int64 coordinate 0, step, 2*step, ... of length n; its open scale in *out. */
static mlp_status i64_coord(h5w *w, hid_t g, const char *name, size_t n, int64_t step,
                            const char *long_name, hid_t *out)
{
    int64_t *v = malloc((n ? n : 1) * sizeof(*v));
    hsize_t dim = n;
    mlp_status st;

    if (!v)
        return mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
    for (size_t i = 0; i < n; i++)
        v[i] = (int64_t)i * step;
    st = var_write(w, g, name, H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dim, v, NULL, long_name, NULL,
                   out);
    free(v);
    return st;
}

/* A float64 coordinate: n points evenly from lo to hi. */
static mlp_status linspace_coord(h5w *w, hid_t g, const char *name, size_t n, double lo, double hi,
                                 const char *long_name, hid_t *out)
{
    double *v = malloc((n ? n : 1) * sizeof(*v));
    hsize_t dim = n;
    mlp_status st;

    if (!v)
        return mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
    for (size_t i = 0; i < n; i++)
        v[i] = n > 1 ? lo + (hi - lo) * (double)i / (double)(n - 1) : lo;
    st = var_write(w, g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &dim, v, NULL, long_name,
                   NULL, out);
    free(v);
    return st;
}

/* ---- writing: the run group ------------------------------------------ */

/* Status of a failed group/dimension helper: they fill err themselves. */
static mlp_status failed(h5w *w)
{
    return w->err && w->err->code != MLP_OK ? w->err->code : MLP_ERR_IO;
}

/* A dataset: x (sample, feature) float64, y (sample) int64 labels. */
static mlp_status write_data(h5w *w, hid_t parent, const char *name, const mlp_data *data)
{
    mlp_status st = MLP_OK;
    hid_t g = -1, sample = -1, feature = -1;
    hsize_t dims[2] = {data->n, data->dim};
    int64_t *y = malloc((data->n ? data->n : 1) * sizeof(*y));

    if (!y)
        return mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
    for (size_t i = 0; i < data->n; i++)
        y[i] = (int64_t)llround(data->y[i]);
    if ((g = group_create(w, parent, name)) < 0 ||
        (sample = dim_only(w, g, "sample", data->n)) < 0 ||
        (feature = dim_only(w, g, "feature", data->dim)) < 0) {
        st = failed(w);
        goto out;
    }
    if ((st = attr_i64(w, g, "classes", (int64_t)data->classes)) ||
        (st = f64_var(w, g, "x", 2, dims, data->x, (hid_t[]){sample, feature}, "input features",
                      NULL)) ||
        (st = var_write(w, g, "y", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, dims, y,
                        (hid_t[]){sample}, "class label", NULL, NULL)))
        goto out;
out:
    if (feature >= 0)
        H5Dclose(feature);
    if (sample >= 0)
        H5Dclose(sample);
    if (g >= 0)
        H5Gclose(g);
    free(y);
    return st;
}

/* iteration (coordinate), loss (iteration), test_loss (iteration). */
static mlp_status write_curves(h5w *w, hid_t g, const mlp_run_record *r)
{
    mlp_status st;
    hid_t it = -1, ev = -1, ly = -1;
    hsize_t dim = r->n_loss, edim = r->n_eval;
    double *part = NULL;

    st = i64_coord(w, g, "iteration", r->n_loss, (int64_t)(r->loss_every ? r->loss_every : 1),
                   "training iteration (updates before the recorded forward pass)", &it);
    if (st)
        return st;
    if ((st = f64_var(w, g, "loss", 1, &dim, r->loss, &it, "training loss", NULL)))
        goto out;
    /* gradient norms per layer: (iteration, layer), W and b apart */
    if (r->grad_norm && r->n_layers && r->n_loss) {
        hsize_t d2[2] = {r->n_loss, r->n_layers};
        if ((st = i64_coord(w, g, "layer", r->n_layers, 1, "weight layer", &ly)))
            goto out;
        if (!(part = malloc(r->n_loss * r->n_layers * sizeof(double)))) {
            st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
            goto out;
        }
        for (int wb = 0; wb < 2 && !st; wb++) {
            for (size_t j = 0; j < r->n_loss * r->n_layers; j++)
                part[j] = r->grad_norm[2 * j + (size_t)wb];
            st = f64_var(w, g, wb ? "grad_norm_b" : "grad_norm_W", 2, d2, part,
                         (hid_t[]){it, ly},
                         wb ? "L2 norm of the bias gradient of each layer"
                            : "L2 norm of the weight gradient of each layer", NULL);
        }
        if (st)
            goto out;
    }
    /* evaluation curves on their own coordinate */
    if (r->n_eval && (r->test_loss || r->test_accuracy_curve || r->train_accuracy_curve)) {
        if ((st = i64_coord(w, g, "eval_iteration", r->n_eval,
                            (int64_t)(r->eval_every ? r->eval_every : 1),
                            "training iteration of the evaluation (before its update)", &ev)))
            goto out;
        if (r->test_loss &&
            (st = f64_var(w, g, "test_loss", 1, &edim, r->test_loss, &ev, "test loss", NULL)))
            goto out;
        if (r->test_accuracy_curve &&
            (st = f64_var(w, g, "test_accuracy_curve", 1, &edim, r->test_accuracy_curve, &ev,
                          "accuracy on the test set", "1")))
            goto out;
        if (r->train_accuracy_curve &&
            (st = f64_var(w, g, "train_accuracy_curve", 1, &edim, r->train_accuracy_curve, &ev,
                          "accuracy on the training points", "1")))
            goto out;
    }
    if (r->validation_accuracy && r->n_scores) {
        hsize_t vdim = r->n_scores;
        hid_t ep = -1;
        if (!(st = i64_coord(w, g, "epoch", r->n_scores, 1, "epoch (0 = the first)", &ep)))
            st = f64_var(w, g, "validation_accuracy", 1, &vdim, r->validation_accuracy, &ep,
                         "accuracy on the validation split at the end of each epoch", "1");
        if (ep >= 0)
            H5Dclose(ep);
    }
out:
    free(part);
    if (ly >= 0)
        H5Dclose(ly);
    if (ev >= 0)
        H5Dclose(ev);
    H5Dclose(it);
    return st;
}

/* snapshots/snapshot_iteration, snapshots/layer<l>/W (snapshot_iteration, out, in)
 * and b (snapshot_iteration, out): the parameters every weights_every iterations. */
static mlp_status write_snapshots(h5w *w, hid_t g, const mlp_run_record *r)
{
    mlp_status st = MLP_OK;
    hid_t sg = -1, lg = -1, si = -1, dout = -1, din = -1;
    size_t np = 0, off = 0;
    double *part = NULL;
    char name[32];

    for (size_t l = 0; l < r->n_layers; l++)
        np += r->width[l + 1] * (r->width[l] + 1);
    if ((sg = group_create(w, g, "snapshots")) < 0)
        return failed(w);
    if ((st = i64_coord(w, sg, "snapshot_iteration", r->n_snapshots,
                        (int64_t)(r->weights_every ? r->weights_every : 1),
                        "training iteration of the snapshot (before its update)", &si)))
        goto out;
    if (!(part = malloc((r->n_snapshots * np > 0 ? r->n_snapshots * np : 1) * sizeof(double)))) {
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        goto out;
    }
    for (size_t l = 0; l < r->n_layers && !st; l++) {
        size_t no = r->width[l + 1], ni = r->width[l];
        hsize_t dw[3] = {r->n_snapshots, no, ni}, db[2] = {r->n_snapshots, no};

        snprintf(name, sizeof(name), "layer%zu", l);
        if ((lg = group_create(w, sg, name)) < 0 || (dout = dim_only(w, lg, "out", no)) < 0 ||
            (din = dim_only(w, lg, "in", ni)) < 0) {
            st = failed(w);
            goto out;
        }
        for (size_t j = 0; j < r->n_snapshots; j++)
            memcpy(part + j * no * ni, r->snapshots + j * np + off, no * ni * sizeof(double));
        if ((st = f64_var(w, lg, "W", 3, dw, part, (hid_t[]){si, dout, din},
                          "weights (snapshot, output unit, input unit)", NULL)))
            goto out;
        for (size_t j = 0; j < r->n_snapshots; j++)
            memcpy(part + j * no, r->snapshots + j * np + off + no * ni, no * sizeof(double));
        if ((st = f64_var(w, lg, "b", 2, db, part, (hid_t[]){si, dout}, "biases (snapshot, unit)",
                          NULL)))
            goto out;
        off += no * (ni + 1);
        H5Dclose(din);
        H5Dclose(dout);
        H5Gclose(lg);
        din = dout = lg = -1;
    }
out:
    free(part);
    if (din >= 0)
        H5Dclose(din);
    if (dout >= 0)
        H5Dclose(dout);
    if (lg >= 0)
        H5Gclose(lg);
    if (si >= 0)
        H5Dclose(si);
    H5Gclose(sg);
    return st;
}

/* weights/layer<l>/W (out, in) and b (out), in the order of model.h. */
static mlp_status write_weights(h5w *w, hid_t g, const mlp_run_record *r)
{
    mlp_status st = MLP_OK;
    hid_t wg = -1, lg = -1, dout = -1, din = -1;
    const double *p = r->weights;
    char name[32];

    if ((wg = group_create(w, g, "weights")) < 0)
        return failed(w);
    for (size_t l = 0; l < r->n_layers; l++) {
        hsize_t dims[2] = {r->width[l + 1], r->width[l]};

        snprintf(name, sizeof(name), "layer%zu", l);
        if ((lg = group_create(w, wg, name)) < 0 || (dout = dim_only(w, lg, "out", dims[0])) < 0 ||
            (din = dim_only(w, lg, "in", dims[1])) < 0) {
            st = failed(w);
            goto out;
        }
        if ((st = f64_var(w, lg, "W", 2, dims, p, (hid_t[]){dout, din},
                          "weights (output unit, input unit)", NULL)))
            goto out;
        p += dims[0] * dims[1];
        if ((st = f64_var(w, lg, "b", 1, dims, p, &dout, "biases", NULL)))
            goto out;
        p += dims[0];
        H5Dclose(din);
        H5Dclose(dout);
        H5Gclose(lg);
        din = dout = lg = -1;
    }
out:
    if (din >= 0)
        H5Dclose(din);
    if (dout >= 0)
        H5Dclose(dout);
    if (lg >= 0)
        H5Gclose(lg);
    H5Gclose(wg);
    return st;
}

/* hidden/layer<l> (sample, unit_<l>): one dimension per layer width. */
static mlp_status write_hidden(h5w *w, hid_t g, const mlp_run_record *r)
{
    mlp_status st = MLP_OK;
    hid_t hg = -1, sample = -1, unit = -1;
    char name[32], uname[32], lname[96];

    if ((hg = group_create(w, g, "hidden")) < 0 ||
        (sample = dim_only(w, hg, "sample", r->n_hidden_points)) < 0) {
        st = failed(w);
        goto out;
    }
    for (size_t l = 0; l + 1 < r->n_layers; l++) {
        hsize_t dims[2] = {r->n_hidden_points, r->width[l + 1]};

        snprintf(name, sizeof(name), "layer%zu", l);
        snprintf(uname, sizeof(uname), "unit_%zu", l);
        snprintf(lname, sizeof(lname), "outputs of hidden layer %zu on the training points", l);
        if ((unit = dim_only(w, hg, uname, dims[1])) < 0) {
            st = failed(w);
            goto out;
        }
        if ((st = f64_var(w, hg, name, 2, dims, r->hidden[l], (hid_t[]){sample, unit}, lname,
                          NULL)))
            goto out;
        H5Dclose(unit);
        unit = -1;
    }
out:
    if (unit >= 0)
        H5Dclose(unit);
    if (sample >= 0)
        H5Dclose(sample);
    if (hg >= 0)
        H5Gclose(hg);
    return st;
}

/* boundary/prob (grid_y, grid_x) or (grid_y, grid_x, class), with the
 * grid's coordinates; the extent is kept as an attribute too. */
static mlp_status write_boundary(h5w *w, hid_t g, const mlp_run_record *r)
{
    mlp_status st = MLP_OK;
    hid_t bg = -1, gx = -1, gy = -1, cls = -1;
    size_t k = r->classes_out ? r->classes_out : 1;
    hsize_t dims[3] = {r->resolution, r->resolution, k};

    if ((bg = group_create(w, g, "boundary")) < 0)
        return failed(w);
    if ((st = attr_put(w, bg, "extent", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r->extent, 4)) ||
        (st = linspace_coord(w, bg, "grid_y", r->resolution, r->extent[2], r->extent[3],
                             "input feature 1 (grid y)", &gy)) ||
        (st = linspace_coord(w, bg, "grid_x", r->resolution, r->extent[0], r->extent[1],
                             "input feature 0 (grid x)", &gx)))
        goto out;
    if (k > 1 && (st = i64_coord(w, bg, "class", k, 1, "class", &cls)))
        goto out;
    st = f64_var(w, bg, "prob", k > 1 ? 3 : 2, dims, r->boundary, (hid_t[]){gy, gx, cls},
                 k > 1 ? "predicted probability of each class" : "predicted probability of class 1",
                 "1");
    if (!st && k > 1) {
        /* the predicted class of every grid point: the first most probable, -1 for NaN */
        size_t np = r->resolution * r->resolution;
        int64_t *am = malloc((np ? np : 1) * sizeof(*am));
        if (!am) {
            st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
            goto out;
        }
        for (size_t i = 0; i < np; i++) {
            const double *p = r->boundary + i * k;
            size_t best = 0;
            bool nan = false;
            for (size_t c = 0; c < k; c++) {
                nan = nan || p[c] != p[c];
                if (c > 0 && p[c] > p[best])
                    best = c;
            }
            am[i] = nan ? -1 : (int64_t)best;
        }
        st = var_write(w, bg, "argmax", H5T_STD_I64LE, H5T_NATIVE_INT64, 2, dims, am,
                       (hid_t[]){gy, gx}, "predicted class (the most probable)", NULL, NULL);
        free(am);
    }
out:
    if (cls >= 0)
        H5Dclose(cls);
    if (gx >= 0)
        H5Dclose(gx);
    if (gy >= 0)
        H5Dclose(gy);
    H5Gclose(bg);
    return st;
}

/* Everything a run leaves, into group g: the content of a run file's root
 * and of the sweep file's /runs/run_<k>/, written by this one function for
 * both.  Every axis gets a dimension scale: coordinates where the axis has
 * values (iteration, grid_x, grid_y, class), netCDF dimension-only scales
 * elsewhere, named per group so that one name has one length. */
static mlp_status write_run_content(h5w *w, hid_t g, const mlp_run_record *r)
{
    mlp_status st;
    char name[NAME_MAX_LEN];

    if ((st = attr_i64(w, g, "index", (int64_t)r->index)) ||
        (st = attr_i64(w, g, "repeat", (int64_t)r->repeat)) ||
        (st = attr_u64(w, g, "seed", r->seed)) ||
        (st = attr_str(w, g, "status", r->status ? "diverged" : "ok")) ||
        (st = attr_f64(w, g, "wall_seconds", r->wall_seconds)) ||
        (st = attr_i64(w, g, "iterations", (int64_t)r->iterations)) ||
        (st = attr_i64(w, g, "iterations_run", (int64_t)r->iterations_run)) ||
        (st = attr_i64(w, g, "loss_every", (int64_t)r->loss_every)))
        return st;
    if (r->note && r->note[0] && (st = attr_str(w, g, "note", r->note)))
        return st;
    if ((st = attr_str(w, g, "stop_reason", r->stop_reason ? r->stop_reason : "iterations")) ||
        (st = attr_i64(w, g, "best_iteration", (int64_t)r->best_iteration)))
        return st;
    if (r->width && r->n_layers) {
        int64_t wv[MLP_RESULTS_MAX_LAYERS + 1];

        if (r->n_layers > MLP_RESULTS_MAX_LAYERS)
            return mlp_fail(w->err, MLP_ERR_RUNTIME, "%s: %zu layers is more than %d", w->file,
                            r->n_layers, MLP_RESULTS_MAX_LAYERS);
        for (size_t l = 0; l <= r->n_layers; l++)
            wv[l] = (int64_t)r->width[l];
        if ((st = attr_put(w, g, "widths", H5T_STD_I64LE, H5T_NATIVE_INT64, wv, r->n_layers + 1)))
            return st;
    }
    for (size_t i = 0; i < r->n_params; i++) {
        const mlp_param_cell *c = &r->params[i];

        nc_name(c->path, name, sizeof(name));
        st = c->numeric ? attr_f64(w, g, name, c->num) : attr_str(w, g, name, c->text ? c->text : "");
        if (st)
            return st;
    }
    if ((st = attr_f64(w, g, "final_loss", r->final_loss)) ||
        (st = attr_f64(w, g, "train_accuracy", r->train_accuracy)) ||
        (st = attr_f64(w, g, "test_accuracy", r->test_accuracy)) ||
        (st = attr_i64(w, g, "first_iteration_at_100pct", (int64_t)r->first_100pct)))
        return st;
    if ((st = write_curves(w, g, r)))
        return st;
    if (r->weights && r->width && (st = write_weights(w, g, r)))
        return st;
    if (r->snapshots && r->n_snapshots && r->width && (st = write_snapshots(w, g, r)))
        return st;
    if (r->hidden && r->width && r->n_layers > 1 && (st = write_hidden(w, g, r)))
        return st;
    if (r->boundary && r->resolution && (st = write_boundary(w, g, r)))
        return st;
    if (r->train) {
        hid_t dg = group_create(w, g, "dataset");

        if (dg < 0)
            return failed(w);
        st = write_data(w, dg, "train", r->train);
        if (!st && r->test)
            st = write_data(w, dg, "test", r->test);
        H5Gclose(dg);
    }
    return st;
}

/* ---- file-system helpers --------------------------------------------- */

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *str_printf(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *s;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !(s = malloc((size_t)n + 1)))
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* The folder of a path ("." when it has none), malloc'd. */
static char *parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return str_printf("%.*s", (int)(slash - path), path);
}

/* fsync a file or folder by name. */
static int fsync_path(const char *path, bool dir)
{
    int fd = open(path, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    int rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

/* Publish tmp as path: fsync the file, rename, fsync the folder. */
static mlp_status publish(const char *tmp, const char *path, mlp_error *err)
{
    char *dir;
    int rc;

    if (fsync_path(tmp, false) != 0)
        return mlp_fail(err, MLP_ERR_IO, "%s: cannot sync to disk: %s", tmp, strerror(errno));
    if (rename(tmp, path) != 0)
        return mlp_fail(err, MLP_ERR_IO, "%s: cannot rename to %s: %s", tmp, path,
                        strerror(errno));
    if (!(dir = parent_dir(path)))
        return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", path);
    rc = fsync_path(dir, true);
    if (rc != 0)
        mlp_fail(err, MLP_ERR_IO, "%s: cannot sync folder to disk: %s", dir, strerror(errno));
    free(dir);
    return rc ? MLP_ERR_IO : MLP_OK;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && !strcmp(s + n - m, suffix);
}

char *mlp_results_runs_dir(const char *sweep_path)
{
    size_t n = strlen(sweep_path);
    const char *slash = strrchr(sweep_path, '/');
    const char *base = slash ? slash + 1 : sweep_path;

    if (ends_with(base, ".h5") && strlen(base) > 3)
        n -= 3;
    else if (ends_with(base, ".hdf5") && strlen(base) > 5)
        n -= 5;
    return str_printf("%.*s.runs", (int)n, sweep_path);
}

char *mlp_results_run_path(const char *runs_dir, size_t index)
{
    return str_printf("%s/run_%04zu.h5", runs_dir, index);
}

mlp_status mlp_results_prepare(const char *sweep_path, bool force, bool resume, mlp_error *err)
{
    mlp_status st = MLP_OK;
    struct stat sb;
    char *dir = NULL, *probe = NULL, *runs = NULL;
    int fd;

    lock();
    if (stat(sweep_path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        st = mlp_fail(err, MLP_ERR_IO, "%s: cannot write results there: not a regular file",
                      sweep_path);
        goto out;
    }
    /* with resume, an existing file is either complete or an older sweep that
     * a --force run (now being resumed) will replace: the caller decides */
    if (stat(sweep_path, &sb) == 0 && !force && !resume) {
        st = mlp_fail(err, MLP_ERR_EXISTS, "%s: results file exists (use --force to replace it)",
                      sweep_path);
        goto out;
    }
    if (!(dir = parent_dir(sweep_path)) || !(runs = mlp_results_runs_dir(sweep_path)) ||
        !(probe = str_printf("%s/.mlplab-probe-XXXXXX", dir))) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", sweep_path);
        goto out;
    }
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        st = mlp_fail(err, MLP_ERR_IO, "%s: cannot write results: folder %s: %s", sweep_path, dir,
                      stat(dir, &sb) != 0 ? strerror(errno) : "not a folder");
        goto out;
    }
    /* Probe: permissions alone do not tell (read-only mounts, ACLs). */
    if ((fd = mkstemp(probe)) < 0) {
        st = mlp_fail(err, MLP_ERR_IO, "%s: cannot write in folder %s: %s", sweep_path, dir,
                      strerror(errno));
        goto out;
    }
    close(fd);
    unlink(probe);
    if (mkdir(runs, 0777) != 0 && (errno != EEXIST || stat(runs, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        st = mlp_fail(err, MLP_ERR_IO, "%s: cannot create run folder: %s", runs,
                      errno == EEXIST ? "a file of that name exists" : strerror(errno));
        goto out;
    }
out:
    free(probe);
    free(runs);
    free(dir);
    unlock();
    return st;
}

/* ---- run files ------------------------------------------------------- */

mlp_status mlp_results_write_run(const char *runs_dir, const char *spec_sha256,
                                 const mlp_run_record *rec, mlp_error *err)
{
    mlp_status st = MLP_OK;
    char *path = NULL, *tmp = NULL;
    hid_t f = -1;
    h5w w = {.dcpl = -1, .gcpl = -1, .str = -1};

    lock();
    if (!(path = mlp_results_run_path(runs_dir, rec->index)) ||
        !(tmp = str_printf("%s.tmp", path))) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", runs_dir);
        goto out;
    }
    if ((st = h5w_open(&w, tmp, err)))
        goto out;
    if ((f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) < 0) {
        st = h5fail(&w, "create the file");
        goto out;
    }
    /* The marker goes last: a file without it was cut short. */
    if ((st = write_run_content(&w, f, rec)) ||
        (st = attr_str(&w, f, "spec_sha256", spec_sha256 ? spec_sha256 : "")) ||
        (st = attr_i8(&w, f, "complete", 1)))
        goto out;
    if (H5Fclose(f) < 0) {
        f = -1;
        st = h5fail(&w, "close the file");
        goto out;
    }
    f = -1;
    st = publish(tmp, path, err);
out:
    if (f >= 0)
        H5Fclose(f);
    if (st && tmp)
        unlink(tmp);
    h5w_close(&w);
    free(tmp);
    free(path);
    unlock();
    return st;
}

/* ---- reading -------------------------------------------------------- */

/* n values of attribute `name` (a scalar counts as 1) into val. */
static mlp_status attr_get(h5w *w, hid_t obj, const char *name, hid_t mtype, void *val, size_t n)
{
    mlp_status st = MLP_OK;
    hid_t a = -1, sp = -1;
    hssize_t np;

    if ((a = H5Aopen(obj, name, H5P_DEFAULT)) < 0) {
        st = h5fail(w, "open attribute '%s'", name);
        goto out;
    }
    if ((sp = H5Aget_space(a)) < 0 || (np = H5Sget_simple_extent_npoints(sp)) < 0) {
        st = h5fail(w, "read the shape of attribute '%s'", name);
        goto out;
    }
    if ((size_t)np != n) {
        st = mlp_fail(w->err, MLP_ERR_IO, "%s: attribute '%s' has %lld values, expected %zu",
                      w->file, name, (long long)np, n);
        goto out;
    }
    if (H5Aread(a, mtype, val) < 0)
        st = h5fail(w, "read attribute '%s'", name);
out:
    if (sp >= 0)
        H5Sclose(sp);
    if (a >= 0)
        H5Aclose(a);
    return st;
}

/* A string attribute (variable or fixed length), malloc'd into *out. */
static mlp_status attr_get_str(h5w *w, hid_t obj, const char *name, char **out)
{
    mlp_status st = MLP_OK;
    hid_t a = -1, t = -1, mt = -1, sp = -1;
    htri_t vlen;

    *out = NULL;
    if ((a = H5Aopen(obj, name, H5P_DEFAULT)) < 0 || (t = H5Aget_type(a)) < 0 ||
        (sp = H5Aget_space(a)) < 0) {
        st = h5fail(w, "open attribute '%s'", name);
        goto out;
    }
    if (H5Tget_class(t) != H5T_STRING || H5Sget_simple_extent_npoints(sp) != 1) {
        st = mlp_fail(w->err, MLP_ERR_IO, "%s: attribute '%s' is not one string", w->file, name);
        goto out;
    }
    if ((vlen = H5Tis_variable_str(t)) > 0) {
        char *s = NULL;

        if (H5Aread(a, w->str, &s) < 0) {
            st = h5fail(w, "read attribute '%s'", name);
            goto out;
        }
        *out = strdup(s ? s : "");
        H5free_memory(s);
    } else {
        size_t size = H5Tget_size(t);

        if ((mt = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_size(mt, size) < 0 ||
            !(*out = calloc(size + 1, 1)) || H5Aread(a, mt, *out) < 0) {
            st = h5fail(w, "read attribute '%s'", name);
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

/* Dataset `name` of rank `rank` read as double (malloc'd); its shape in dims. */
static mlp_status read_f64(h5w *w, hid_t g, const char *name, int rank, hsize_t *dims,
                           double **out)
{
    mlp_status st = MLP_OK;
    hid_t d = -1, sp = -1;
    size_t count = 1;

    *out = NULL;
    if ((d = H5Dopen2(g, name, H5P_DEFAULT)) < 0 || (sp = H5Dget_space(d)) < 0) {
        st = h5fail(w, "open dataset '%s'", name);
        goto out;
    }
    if (H5Sget_simple_extent_ndims(sp) != rank) {
        st = mlp_fail(w->err, MLP_ERR_IO, "%s: dataset '%s' does not have %d dimensions", w->file,
                      name, rank);
        goto out;
    }
    H5Sget_simple_extent_dims(sp, dims, NULL);
    for (int i = 0; i < rank; i++)
        count *= dims[i];
    if (!(*out = malloc((count ? count : 1) * sizeof(double)))) {
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        goto out;
    }
    if (count && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0)
        st = h5fail(w, "read dataset '%s'", name);
out:
    if (st) {
        free(*out);
        *out = NULL;
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    return st;
}

static bool has_link(hid_t g, const char *name)
{
    return H5Lexists(g, name, H5P_DEFAULT) > 0;
}

/* A run read back from its file: the record and the memory behind it. */
typedef struct run_buf {
    mlp_run_record rec;
    size_t width[MLP_RESULTS_MAX_LAYERS + 1];
    mlp_param_cell *params;
    char **texts;
    char *status;
    char *note, *stop_reason;
    double *loss, *test_loss, *weights, *boundary;
    double *grad_norm, *test_acc, *train_acc, *snapshots, *validation;
    double *hidden[MLP_RESULTS_MAX_LAYERS];
    mlp_data data[2];
} run_buf;

static void run_buf_free(run_buf *b)
{
    for (size_t i = 0; b->texts && i < b->rec.n_params; i++)
        free(b->texts[i]);
    free(b->texts);
    free(b->params);
    free(b->status);
    free(b->note);
    free(b->stop_reason);
    free(b->grad_norm);
    free(b->test_acc);
    free(b->train_acc);
    free(b->snapshots);
    free(b->validation);
    free(b->loss);
    free(b->test_loss);
    free(b->weights);
    free(b->boundary);
    for (size_t l = 0; l < MLP_RESULTS_MAX_LAYERS; l++)
        free(b->hidden[l]);
    for (int i = 0; i < 2; i++) {
        free(b->data[i].x);
        free(b->data[i].y);
    }
    memset(b, 0, sizeof(*b));
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

static mlp_status read_data(h5w *w, hid_t parent, const char *name, mlp_data *d)
{
    mlp_status st;
    hid_t g;
    hsize_t dims[2], ydims[1];
    int64_t classes = 0;

    if ((g = H5Gopen2(parent, name, H5P_DEFAULT)) < 0)
        return h5fail(w, "open group 'dataset/%s'", name);
    if (!(st = attr_get(w, g, "classes", H5T_NATIVE_INT64, &classes, 1)) &&
        !(st = read_f64(w, g, "x", 2, dims, &d->x)) && !(st = read_f64(w, g, "y", 1, ydims, &d->y))) {
        d->n = dims[0];
        d->dim = dims[1];
        d->classes = (size_t)classes;
        if (ydims[0] != dims[0])
            st = mlp_fail(w->err, MLP_ERR_IO, "%s: dataset/%s: x and y differ in length", w->file,
                          name);
    }
    H5Gclose(g);
    return st;
}

/* The hidden, weights and boundary arrays of a run read from group g. */
static mlp_status read_arrays(h5w *w, hid_t g, run_buf *b)
{
    mlp_run_record *r = &b->rec;
    mlp_status st = MLP_OK;
    hid_t sub = -1, lg = -1;
    hsize_t dims[3];
    char name[48];
    double *part = NULL;

    if (has_link(g, "weights")) {
        size_t total = 0, off = 0;

        for (size_t l = 0; l < r->n_layers; l++)
            total += b->width[l + 1] * (b->width[l] + 1);
        if (!(b->weights = malloc((total ? total : 1) * sizeof(double))))
            return mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        for (size_t l = 0; l < r->n_layers; l++) {
            size_t nw = b->width[l + 1] * b->width[l];

            snprintf(name, sizeof(name), "weights/layer%zu", l);
            if ((lg = H5Gopen2(g, name, H5P_DEFAULT)) < 0) {
                st = h5fail(w, "open group '%s'", name);
                goto out;
            }
            if ((st = read_f64(w, lg, "W", 2, dims, &part)))
                goto out;
            if (dims[0] != b->width[l + 1] || dims[1] != b->width[l]) {
                st = mlp_fail(w->err, MLP_ERR_IO, "%s: %s/W does not match the widths", w->file,
                              name);
                goto out;
            }
            memcpy(b->weights + off, part, nw * sizeof(double));
            free(part);
            part = NULL;
            off += nw;
            if ((st = read_f64(w, lg, "b", 1, dims, &part)))
                goto out;
            if (dims[0] != b->width[l + 1]) {
                st = mlp_fail(w->err, MLP_ERR_IO, "%s: %s/b does not match the widths", w->file,
                              name);
                goto out;
            }
            memcpy(b->weights + off, part, b->width[l + 1] * sizeof(double));
            free(part);
            part = NULL;
            off += b->width[l + 1];
            H5Gclose(lg);
            lg = -1;
        }
        r->weights = b->weights;
    }
    if (has_link(g, "hidden") && r->n_layers > 1) {
        if ((sub = H5Gopen2(g, "hidden", H5P_DEFAULT)) < 0) {
            st = h5fail(w, "open group 'hidden'");
            goto out;
        }
        for (size_t l = 0; l + 1 < r->n_layers; l++) {
            snprintf(name, sizeof(name), "layer%zu", l);
            if ((st = read_f64(w, sub, name, 2, dims, &b->hidden[l])))
                goto out;
            r->n_hidden_points = dims[0];
        }
        r->hidden = (const double *const *)b->hidden;
        H5Gclose(sub);
        sub = -1;
    }
    if (has_link(g, "boundary")) {
        int rank;

        if ((sub = H5Gopen2(g, "boundary", H5P_DEFAULT)) < 0) {
            st = h5fail(w, "open group 'boundary'");
            goto out;
        }
        rank = has_link(sub, "class") ? 3 : 2;
        if ((st = attr_get(w, sub, "extent", H5T_NATIVE_DOUBLE, r->extent, 4)) ||
            (st = read_f64(w, sub, "prob", rank, dims, &b->boundary)))
            goto out;
        r->resolution = dims[0];
        r->classes_out = rank == 3 ? dims[2] : 1;
        r->boundary = b->boundary;
    }
out:
    free(part);
    if (lg >= 0)
        H5Gclose(lg);
    if (sub >= 0)
        H5Gclose(sub);
    return st;
}

/* The training records beside the loss: stop reason, gradient norms,
 * evaluation and validation curves. */
static mlp_status read_training(h5w *w, hid_t g, run_buf *b)
{
    mlp_run_record *r = &b->rec;
    mlp_status st;
    hsize_t dims[3];
    int64_t v;

    r->best_iteration = -1;
    if (H5Aexists(g, "stop_reason") > 0) {
        if ((st = attr_get_str(w, g, "stop_reason", &b->stop_reason)))
            return st;
        r->stop_reason = b->stop_reason;
    }
    if (H5Aexists(g, "best_iteration") > 0) {
        if ((st = attr_get(w, g, "best_iteration", H5T_NATIVE_INT64, &v, 1)))
            return st;
        r->best_iteration = (long)v;
    }
    if (has_link(g, "grad_norm_W") && has_link(g, "grad_norm_b")) {
        double *gw = NULL, *gb = NULL;
        hsize_t d2[3];
        if ((st = read_f64(w, g, "grad_norm_W", 2, dims, &gw)) ||
            (st = read_f64(w, g, "grad_norm_b", 2, d2, &gb))) {
            free(gw);
            free(gb);
            return st;
        }
        if (dims[0] != r->n_loss || d2[0] != dims[0] || d2[1] != dims[1]) {
            free(gw);
            free(gb);
            return mlp_fail(w->err, MLP_ERR_IO, "%s: grad_norm_W/b do not match the loss curve",
                            w->file);
        }
        b->grad_norm = malloc((dims[0] * dims[1] > 0 ? dims[0] * dims[1] * 2 : 1) *
                              sizeof(double));
        if (b->grad_norm)
            for (size_t j = 0; j < dims[0] * dims[1]; j++) {
                b->grad_norm[2 * j] = gw[j];
                b->grad_norm[2 * j + 1] = gb[j];
            }
        free(gw);
        free(gb);
        if (!b->grad_norm)
            return mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        r->grad_norm = b->grad_norm;
    }
    if (has_link(g, "eval_iteration")) {
        double *it = NULL;
        if ((st = read_f64(w, g, "eval_iteration", 1, dims, &it)))
            return st;
        r->n_eval = dims[0];
        r->eval_every = dims[0] >= 2 ? (size_t)(it[1] - it[0]) : r->loss_every;
        free(it);
    }
    if (has_link(g, "test_loss")) {
        if ((st = read_f64(w, g, "test_loss", 1, dims, &b->test_loss)))
            return st;
        if (!has_link(g, "eval_iteration")) {  /* files written before the eval coordinate */
            r->n_eval = dims[0];
            r->eval_every = r->loss_every;
        }
        if (dims[0] != r->n_eval)
            return mlp_fail(w->err, MLP_ERR_IO, "%s: test_loss and eval_iteration differ in "
                            "length", w->file);
        r->test_loss = b->test_loss;
    }
    if (has_link(g, "test_accuracy_curve")) {
        if ((st = read_f64(w, g, "test_accuracy_curve", 1, dims, &b->test_acc)))
            return st;
        r->test_accuracy_curve = b->test_acc;
    }
    if (has_link(g, "train_accuracy_curve")) {
        if ((st = read_f64(w, g, "train_accuracy_curve", 1, dims, &b->train_acc)))
            return st;
        r->train_accuracy_curve = b->train_acc;
    }
    if (has_link(g, "validation_accuracy")) {
        if ((st = read_f64(w, g, "validation_accuracy", 1, dims, &b->validation)))
            return st;
        r->n_scores = dims[0];
        r->validation_accuracy = b->validation;
    }
    return MLP_OK;
}

/* snapshots/ back into (n_snapshots, n_params) blocks of the model layout. */
static mlp_status read_snapshots(h5w *w, hid_t g, run_buf *b)
{
    mlp_run_record *r = &b->rec;
    mlp_status st = MLP_OK;
    size_t np = 0, off = 0, ns = 0;
    hid_t sg = -1, d = -1, sp = -1;
    hsize_t dims[3];
    double *part = NULL;
    char name[48];

    for (size_t l = 0; l < r->n_layers; l++)
        np += b->width[l + 1] * (b->width[l] + 1);
    if ((sg = H5Gopen2(g, "snapshots", H5P_DEFAULT)) < 0)
        return h5fail(w, "open group 'snapshots'");
    if ((d = H5Dopen2(sg, "snapshot_iteration", H5P_DEFAULT)) < 0 || (sp = H5Dget_space(d)) < 0) {
        st = h5fail(w, "read 'snapshots/snapshot_iteration'");
        goto out;
    }
    ns = (size_t)H5Sget_simple_extent_npoints(sp);
    if (ns >= 2) {
        int64_t it[2];
        hid_t ms = H5Screate_simple(1, (hsize_t[]){2}, NULL);
        H5Sselect_hyperslab(sp, H5S_SELECT_SET, (hsize_t[]){0}, NULL, (hsize_t[]){2}, NULL);
        if (ms < 0 || H5Dread(d, H5T_NATIVE_INT64, ms, sp, H5P_DEFAULT, it) < 0) {
            if (ms >= 0)
                H5Sclose(ms);
            st = h5fail(w, "read 'snapshots/snapshot_iteration'");
            goto out;
        }
        H5Sclose(ms);
        r->weights_every = (size_t)(it[1] - it[0]);
    } else {
        r->weights_every = 1;
    }
    if (!(b->snapshots = malloc((ns * np > 0 ? ns * np : 1) * sizeof(double)))) {
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        goto out;
    }
    for (size_t l = 0; l < r->n_layers; l++) {
        size_t no = b->width[l + 1], ni = b->width[l];

        snprintf(name, sizeof(name), "layer%zu/W", l);
        if ((st = read_f64(w, sg, name, 3, dims, &part)))
            goto out;
        if (dims[0] != ns || dims[1] != no || dims[2] != ni) {
            st = mlp_fail(w->err, MLP_ERR_IO, "%s: snapshots/%s does not match the widths",
                          w->file, name);
            goto out;
        }
        for (size_t j = 0; j < ns; j++)
            memcpy(b->snapshots + j * np + off, part + j * no * ni, no * ni * sizeof(double));
        free(part);
        part = NULL;
        snprintf(name, sizeof(name), "layer%zu/b", l);
        if ((st = read_f64(w, sg, name, 2, dims, &part)))
            goto out;
        for (size_t j = 0; j < ns; j++)
            memcpy(b->snapshots + j * np + off + no * ni, part + j * no, no * sizeof(double));
        free(part);
        part = NULL;
        off += no * (ni + 1);
    }
    r->n_snapshots = ns;
    r->snapshots = b->snapshots;
out:
    free(part);
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    H5Gclose(sg);
    return st;
}

/* Read run k from group g (a run file's root) into b, with the swept
 * parameters named in meta. */
static mlp_status read_run(h5w *w, hid_t g, const mlp_sweep_meta *meta, run_buf *b)
{
    mlp_run_record *r = &b->rec;
    mlp_status st;
    int64_t i64[MLP_RESULTS_MAX_LAYERS + 1];
    hsize_t dims[1];
    hid_t a = -1, t = -1, dg = -1;
    char name[NAME_MAX_LEN];

    if ((st = attr_get(w, g, "index", H5T_NATIVE_INT64, &i64[0], 1)))
        return st;
    r->index = (size_t)i64[0];
    if ((st = attr_get(w, g, "seed", H5T_NATIVE_UINT64, &r->seed, 1)) ||
        (st = attr_get_str(w, g, "status", &b->status)) ||
        (st = attr_get(w, g, "wall_seconds", H5T_NATIVE_DOUBLE, &r->wall_seconds, 1)) ||
        (st = attr_get(w, g, "iterations", H5T_NATIVE_INT64, &i64[0], 1)))
        return st;
    r->status = strcmp(b->status, "ok") != 0;
    r->iterations = (size_t)i64[0];
    if ((st = attr_get(w, g, "iterations_run", H5T_NATIVE_INT64, &i64[0], 1)))
        return st;
    r->iterations_run = (size_t)i64[0];
    if ((st = attr_get(w, g, "loss_every", H5T_NATIVE_INT64, &i64[0], 1)))
        return st;
    r->loss_every = (size_t)i64[0];
    if ((st = attr_get(w, g, "final_loss", H5T_NATIVE_DOUBLE, &r->final_loss, 1)) ||
        (st = attr_get(w, g, "train_accuracy", H5T_NATIVE_DOUBLE, &r->train_accuracy, 1)) ||
        (st = attr_get(w, g, "test_accuracy", H5T_NATIVE_DOUBLE, &r->test_accuracy, 1)) ||
        (st = attr_get(w, g, "first_iteration_at_100pct", H5T_NATIVE_INT64, &i64[0], 1)))
        return st;
    r->first_100pct = (long)i64[0];
    if (H5Aexists(g, "repeat") > 0) {
        if ((st = attr_get(w, g, "repeat", H5T_NATIVE_INT64, &i64[0], 1)))
            return st;
        r->repeat = (size_t)i64[0];
    }
    if (H5Aexists(g, "note") > 0) {
        if ((st = attr_get_str(w, g, "note", &b->note)))
            return st;
        r->note = b->note;
    }
    if (H5Aexists(g, "widths") > 0) {
        hid_t sp = -1;
        hssize_t n = -1;

        if ((a = H5Aopen(g, "widths", H5P_DEFAULT)) >= 0 && (sp = H5Aget_space(a)) >= 0)
            n = H5Sget_simple_extent_npoints(sp);
        if (sp >= 0)
            H5Sclose(sp);
        if (a >= 0)
            H5Aclose(a);
        if (n < 0)
            return h5fail(w, "read attribute 'widths'");
        if (n < 2 || n > MLP_RESULTS_MAX_LAYERS + 1)
            return mlp_fail(w->err, MLP_ERR_IO, "%s: attribute 'widths' has %lld values", w->file,
                            (long long)n);
        if ((st = attr_get(w, g, "widths", H5T_NATIVE_INT64, i64, (size_t)n)))
            return st;
        r->n_layers = (size_t)n - 1;
        for (hssize_t l = 0; l < n; l++)
            b->width[l] = (size_t)i64[l];
        r->width = b->width;
        r->classes_out = b->width[r->n_layers];
    }
    /* swept parameters: float64 attributes are numbers, strings are text */
    r->n_params = meta->n_swept;
    if (meta->n_swept && (!(b->params = calloc(meta->n_swept, sizeof(*b->params))) ||
                          !(b->texts = calloc(meta->n_swept, sizeof(*b->texts)))))
        return mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
    r->params = b->params;
    for (size_t i = 0; i < meta->n_swept; i++) {
        mlp_param_cell *c = &b->params[i];
        H5T_class_t cls;

        c->path = meta->swept_paths[i];
        nc_name(c->path, name, sizeof(name));
        if ((a = H5Aopen(g, name, H5P_DEFAULT)) < 0)
            return h5fail(w, "find swept parameter '%s'", c->path);
        t = H5Aget_type(a);
        cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
        if (t >= 0)
            H5Tclose(t);
        H5Aclose(a);
        if (cls == H5T_STRING) {
            if ((st = attr_get_str(w, g, name, &b->texts[i])))
                return st;
            c->numeric = false;
            c->num = NAN;
        } else {
            char num[40];

            if ((st = attr_get(w, g, name, H5T_NATIVE_DOUBLE, &c->num, 1)))
                return st;
            c->numeric = true;
            format_number(c->num, num, sizeof(num));
            if (!(b->texts[i] = strdup(num)))
                return mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        }
        c->text = b->texts[i];
    }
    /* curves */
    if ((st = read_f64(w, g, "loss", 1, dims, &b->loss)))
        return st;
    r->n_loss = dims[0];
    r->loss = b->loss;
    if ((st = read_training(w, g, b)))
        return st;
    if ((st = read_arrays(w, g, b)))
        return st;
    if (has_link(g, "snapshots") && (st = read_snapshots(w, g, b)))
        return st;
    if (has_link(g, "dataset")) {
        if ((dg = H5Gopen2(g, "dataset", H5P_DEFAULT)) < 0)
            return h5fail(w, "open group 'dataset'");
        st = read_data(w, dg, "train", &b->data[0]);
        if (!st)
            r->train = &b->data[0];
        if (!st && has_link(dg, "test")) {
            st = read_data(w, dg, "test", &b->data[1]);
            r->test = &b->data[1];
        }
        H5Gclose(dg);
    }
    return st;
}

/* Whether the run file at path is complete and written for this spec:
 * 1 yes, 0 missing, -1 incomplete or another spec. */
static int run_file_state(const char *path, const char *spec_sha256)
{
    struct stat sb;
    hid_t f;
    int8_t complete = 0;
    char *hash = NULL;
    mlp_error e;
    h5w w = {.file = path, .err = &e, .dcpl = -1, .gcpl = -1, .str = -1};
    int state = -1;

    if (stat(path, &sb) != 0)
        return 0;
    if (h5w_open(&w, path, &e))
        goto out;
    if ((f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        goto out;
    if (H5Aexists(f, "complete") > 0 && !attr_get(&w, f, "complete", H5T_NATIVE_INT8, &complete, 1) &&
        complete == 1 && !attr_get_str(&w, f, "spec_sha256", &hash) &&
        !strcmp(hash, spec_sha256 ? spec_sha256 : ""))
        state = 1;
    free(hash);
    H5Fclose(f);
out:
    H5Eclear2(H5E_DEFAULT);
    h5w_close(&w);
    return state;
}

bool mlp_results_run_done(const char *runs_dir, size_t index, const char *spec_sha256)
{
    char *path;
    bool done = false;

    lock();
    if ((path = mlp_results_run_path(runs_dir, index)))
        done = run_file_state(path, spec_sha256) == 1;
    free(path);
    unlock();
    return done;
}

/* Delete the files in dir whose names end with suffix (and start with prefix). */
static mlp_status remove_files(const char *dir, const char *prefix, const char *suffix,
                               mlp_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    mlp_status st = MLP_OK;

    if (!d)
        return errno == ENOENT ? MLP_OK
                               : mlp_fail(err, MLP_ERR_IO, "%s: cannot list folder: %s", dir,
                                          strerror(errno));
    while ((e = readdir(d))) {
        char *p;

        if (strncmp(e->d_name, prefix, strlen(prefix)) || !ends_with(e->d_name, suffix))
            continue;
        if (!(p = str_printf("%s/%s", dir, e->d_name))) {
            st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", dir);
            break;
        }
        if (unlink(p) != 0 && errno != ENOENT)
            st = mlp_fail(err, MLP_ERR_IO, "%s: cannot delete: %s", p, strerror(errno));
        free(p);
    }
    closedir(d);
    return st;
}

mlp_status mlp_results_clean_tmp(const char *runs_dir, mlp_error *err)
{
    mlp_status st;

    lock();
    st = remove_files(runs_dir, "", ".tmp", err);
    unlock();
    return st;
}

mlp_status mlp_results_clear_runs(const char *runs_dir, mlp_error *err)
{
    mlp_status st;

    lock();
    st = remove_files(runs_dir, "run_", ".h5", err);
    if (st == MLP_OK)
        st = remove_files(runs_dir, "run_", ".tmp", err);
    unlock();
    return st;
}

mlp_status mlp_results_scan_runs(const char *runs_dir, const char *spec_sha256, size_t *n_same,
                                 size_t *n_other, mlp_error *err)
{
    DIR *d;
    struct dirent *e;
    mlp_status st = MLP_OK;

    *n_same = *n_other = 0;
    lock();
    if (!(d = opendir(runs_dir))) {
        if (errno != ENOENT)
            st = mlp_fail(err, MLP_ERR_IO, "%s: cannot list folder: %s", runs_dir,
                          strerror(errno));
        goto out;
    }
    while ((e = readdir(d))) {
        char *p;

        if (strncmp(e->d_name, "run_", 4) || !ends_with(e->d_name, ".h5"))
            continue;
        if (!(p = str_printf("%s/%s", runs_dir, e->d_name))) {
            st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", runs_dir);
            break;
        }
        if (run_file_state(p, spec_sha256) == 1)
            ++*n_same;
        else
            ++*n_other;
        free(p);
    }
    closedir(d);
out:
    unlock();
    return st;
}

char *mlp_results_identity(const char *sweep_path)
{
    mlp_error e;
    h5w w = {.file = sweep_path, .err = &e, .dcpl = -1, .gcpl = -1, .str = -1};
    char *hash = NULL;
    hid_t f;

    lock();
    if (!h5w_open(&w, sweep_path, &e) &&
        (f = H5Fopen(sweep_path, H5F_ACC_RDONLY, H5P_DEFAULT)) >= 0) {
        if (H5Aexists(f, "spec_resolved_sha256") > 0 &&
            attr_get_str(&w, f, "spec_resolved_sha256", &hash) != MLP_OK)
            hash = NULL;
        H5Fclose(f);
    }
    H5Eclear2(H5E_DEFAULT);
    h5w_close(&w);
    unlock();
    return hash;
}

mlp_status mlp_results_read_weights(const char *path, size_t run, const size_t *width,
                                    size_t n_layers, double *params, mlp_error *err)
{
    mlp_status st = MLP_OK;
    hid_t f = -1, g = -1;
    h5w w = {.file = path, .err = err, .dcpl = -1, .gcpl = -1, .str = -1};
    hsize_t dims[3];
    double *part = NULL;
    size_t off = 0;
    char name[64];
    struct stat sb;

    lock();
    if (stat(path, &sb) != 0) {
        st = mlp_fail(err, MLP_ERR_SPEC, "%s: cannot read the warm-start file: %s", path,
                      strerror(errno));
        goto out;
    }
    if ((st = h5w_open(&w, path, err)))
        goto out;
    if ((f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        st = mlp_fail(err, MLP_ERR_SPEC, "%s: not an HDF5 results file", path);
        goto out;
    }
    snprintf(name, sizeof(name), "runs/run_%04zu", run);
    if (!has_link(f, "runs") || H5Lexists(f, name, H5P_DEFAULT) <= 0) {
        st = mlp_fail(err, MLP_ERR_SPEC, "%s: no run %zu in this results file", path, run);
        goto out;
    }
    if ((g = H5Gopen2(f, name, H5P_DEFAULT)) < 0) {
        st = h5fail(&w, "open group '%s'", name);
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
        snprintf(name, sizeof(name), "weights/layer%zu/W", l);
        if ((st = read_f64(&w, g, name, 2, dims, &part)))
            goto out;
        if (dims[0] != width[l + 1] || dims[1] != width[l]) {
            st = mlp_fail(err, MLP_ERR_SPEC, "%s: run %zu layer %zu has weights of shape "
                          "(%llu, %llu); this model's layer %zu needs (%zu, %zu)", path, run, l,
                          (unsigned long long)dims[0], (unsigned long long)dims[1], l,
                          width[l + 1], width[l]);
            goto out;
        }
        if (params)
            memcpy(params + off, part, width[l + 1] * width[l] * sizeof(double));
        off += width[l + 1] * width[l];
        free(part);
        part = NULL;
        snprintf(name, sizeof(name), "weights/layer%zu/b", l);
        if ((st = read_f64(&w, g, name, 1, dims, &part)))
            goto out;
        if (params)
            memcpy(params + off, part, width[l + 1] * sizeof(double));
        off += width[l + 1];
        free(part);
        part = NULL;
    }
    snprintf(name, sizeof(name), "weights/layer%zu", n_layers);
    if (H5Lexists(g, name, H5P_DEFAULT) > 0)
        st = mlp_fail(err, MLP_ERR_SPEC, "%s: run %zu has more weight layers than this model's "
                      "%zu", path, run, n_layers);
out:
    free(part);
    if (g >= 0)
        H5Gclose(g);
    if (f >= 0)
        H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    h5w_close(&w);
    unlock();
    return st;
}

/* ---- the sweep file ---------------------------------------------------- */

/* The summary columns, one value per run (all that build keeps in memory). */
typedef struct summary {
    size_t n, n_swept;
    uint64_t *seed;
    int64_t *first100, *iters, *repeat;
    unsigned char *diverged;
    char (*stop)[16];        /* stop reasons, NUL-padded */
    double *final_loss, *train_acc, *test_acc, *wall;
    double *num;   /* (n_swept, n): numeric parameters */
    char **text;   /* (n_swept, n): text of every parameter */
} summary;

static void summary_free(summary *s)
{
    for (size_t i = 0; s->text && i < s->n * s->n_swept; i++)
        free(s->text[i]);
    free(s->text);
    free(s->num);
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
}

static bool summary_alloc(summary *s, size_t n, size_t n_swept)
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
    return s->seed && s->first100 && s->iters && s->repeat && s->stop && s->diverged && s->final_loss && s->train_acc &&
           s->test_acc && s->wall && s->num && s->text;
}

static bool summary_add(summary *s, size_t k, const mlp_run_record *r)
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
    for (size_t i = 0; i < s->n_swept; i++) {
        s->num[i * s->n + k] = r->params[i].numeric ? r->params[i].num : NAN;
        if (!(s->text[i * s->n + k] = strdup(r->params[i].text ? r->params[i].text : "")))
            return false;
    }
    return true;
}

/* The summary's fixed columns: name, meaning, units. */
static const char *const status_text[2] = {"ok", "diverged"};

/* /summary/: one 1-D dataset per column over the `run` coordinate. */
static mlp_status write_summary(h5w *w, hid_t f, const mlp_sweep_meta *meta, const summary *s)
{
    mlp_status st = MLP_OK;
    hid_t g = -1, run = -1;
    hsize_t dim = s->n;
    const char **status = NULL;
    char name[NAME_MAX_LEN];

    if ((g = group_create(w, f, "summary")) < 0)
        return failed(w);
    if (!(status = malloc((s->n ? s->n : 1) * sizeof(*status)))) {
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        goto out;
    }
    for (size_t k = 0; k < s->n; k++)
        status[k] = status_text[s->diverged[k]];
    if ((st = i64_coord(w, g, "run", s->n, 1, "run index", &run)) ||
        (st = var_write(w, g, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, &dim, s->seed, &run,
                        "random seed of the run", NULL, NULL)) ||
        (st = var_write(w, g, "repeat", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dim, s->repeat, &run,
                        "which repeat of its sweep point (0 .. repeats-1)", NULL, NULL)) ||
        (st = var_write(w, g, "status", w->str, w->str, 1, &dim, status, &run,
                        "ok, or diverged (non-finite loss)", NULL, NULL)))
        goto out;
    for (size_t i = 0; i < s->n_swept; i++) {
        nc_name(meta->swept_paths[i], name, sizeof(name));
        if (meta->swept_numeric[i])
            st = f64_var(w, g, name, 1, &dim, s->num + i * s->n, &run, meta->swept_paths[i], NULL);
        else
            st = var_write(w, g, name, w->str, w->str, 1, &dim, s->text + i * s->n, &run,
                           meta->swept_paths[i], NULL, NULL);
        if (st)
            goto out;
    }
    if ((st = f64_var(w, g, "final_loss", 1, &dim, s->final_loss, &run, "final training loss",
                      NULL)) ||
        (st = f64_var(w, g, "train_accuracy", 1, &dim, s->train_acc, &run,
                      "accuracy on the training set", "1")) ||
        (st = f64_var(w, g, "test_accuracy", 1, &dim, s->test_acc, &run,
                      "accuracy on the test set (NaN without one)", "1")) ||
        (st = var_write(w, g, "first_iteration_at_100pct", H5T_STD_I64LE, H5T_NATIVE_INT64, 1,
                        &dim, s->first100, &run,
                        "first iteration with 100% training accuracy (-1: never)", NULL, NULL)) ||
        (st = f64_var(w, g, "wall_seconds", 1, &dim, s->wall, &run, "wall-clock time of the run",
                      "s")) ||
        (st = var_write(w, g, "iterations_run", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dim, s->iters,
                        &run, "updates made before training stopped", NULL, NULL)))
        goto out;
    for (size_t k = 0; k < s->n; k++)
        status[k] = s->stop[k];
    if ((st = var_write(w, g, "stop_reason", w->str, w->str, 1, &dim, status, &run,
                        "why training stopped: iterations, target_accuracy, tol, "
                        "early_stopping, max_seconds or diverged", NULL, NULL)))
        goto out;
out:
    free(status);
    if (run >= 0)
        H5Dclose(run);
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

/* /summary_table: the summary's rows as one compound dataset, strings of
 * fixed length (what PyTables, hence pandas.read_hdf, reads as a table).
 * Its axis is the root coordinate /run. */
static mlp_status write_summary_table(h5w *w, hid_t f, const mlp_sweep_meta *meta,
                                      const summary *s)
{
    mlp_status st = MLP_OK;
    hid_t mt = -1, ft = -1, sstat = -1, run = -1, *ptypes = NULL;
    size_t row = 0, *pofs = NULL, *plen = NULL, o_run, o_seed, o_status, o_fl, o_tr, o_te, o_100,
           o_wall, o_iters, o_stop, o_rep;
    hid_t sstop = -1;
    unsigned char *buf = NULL;
    hsize_t dim = s->n;
    char name[NAME_MAX_LEN];

    if (!(ptypes = calloc(s->n_swept + 1, sizeof(*ptypes))) ||
        !(pofs = calloc(s->n_swept + 1, sizeof(*pofs))) ||
        !(plen = calloc(s->n_swept + 1, sizeof(*plen)))) {
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        goto out;
    }
    for (size_t i = 0; i < s->n_swept; i++)
        ptypes[i] = -1;
    /* packed layout, the same in memory and in the file */
    o_run = row, row += 8;
    o_seed = row, row += 8;
    o_rep = row, row += 8;
    o_status = row, row += 8;
    for (size_t i = 0; i < s->n_swept; i++) {
        pofs[i] = row;
        if (meta->swept_numeric[i]) {
            row += 8;
            continue;
        }
        plen[i] = 1;
        for (size_t k = 0; k < s->n; k++) {
            size_t n = strlen(s->text[i * s->n + k]);
            plen[i] = n > plen[i] ? n : plen[i];
        }
        row += plen[i];
    }
    o_fl = row, row += 8;
    o_tr = row, row += 8;
    o_te = row, row += 8;
    o_100 = row, row += 8;
    o_wall = row, row += 8;
    o_iters = row, row += 8;
    o_stop = row, row += 16;

    if ((mt = H5Tcreate(H5T_COMPOUND, row)) < 0 || (ft = H5Tcreate(H5T_COMPOUND, row)) < 0 ||
        (sstat = fixed_str(8)) < 0 || (sstop = fixed_str(16)) < 0) {
        st = h5fail(w, "create the type of summary_table");
        goto out;
    }
    for (size_t i = 0; i < s->n_swept; i++)
        if (!meta->swept_numeric[i] && (ptypes[i] = fixed_str(plen[i])) < 0) {
            st = h5fail(w, "create the type of summary_table");
            goto out;
        }
    {
        herr_t e = 0;

        e |= H5Tinsert(mt, "run", o_run, H5T_NATIVE_INT64) | H5Tinsert(ft, "run", o_run, H5T_STD_I64LE);
        e |= H5Tinsert(mt, "seed", o_seed, H5T_NATIVE_UINT64) |
             H5Tinsert(ft, "seed", o_seed, H5T_STD_U64LE);
        e |= H5Tinsert(mt, "repeat", o_rep, H5T_NATIVE_INT64) |
             H5Tinsert(ft, "repeat", o_rep, H5T_STD_I64LE);
        e |= H5Tinsert(mt, "status", o_status, sstat) | H5Tinsert(ft, "status", o_status, sstat);
        for (size_t i = 0; i < s->n_swept; i++) {
            nc_name(meta->swept_paths[i], name, sizeof(name));
            if (meta->swept_numeric[i])
                e |= H5Tinsert(mt, name, pofs[i], H5T_NATIVE_DOUBLE) |
                     H5Tinsert(ft, name, pofs[i], H5T_IEEE_F64LE);
            else
                e |= H5Tinsert(mt, name, pofs[i], ptypes[i]) |
                     H5Tinsert(ft, name, pofs[i], ptypes[i]);
        }
        e |= H5Tinsert(mt, "final_loss", o_fl, H5T_NATIVE_DOUBLE) |
             H5Tinsert(ft, "final_loss", o_fl, H5T_IEEE_F64LE);
        e |= H5Tinsert(mt, "train_accuracy", o_tr, H5T_NATIVE_DOUBLE) |
             H5Tinsert(ft, "train_accuracy", o_tr, H5T_IEEE_F64LE);
        e |= H5Tinsert(mt, "test_accuracy", o_te, H5T_NATIVE_DOUBLE) |
             H5Tinsert(ft, "test_accuracy", o_te, H5T_IEEE_F64LE);
        e |= H5Tinsert(mt, "first_iteration_at_100pct", o_100, H5T_NATIVE_INT64) |
             H5Tinsert(ft, "first_iteration_at_100pct", o_100, H5T_STD_I64LE);
        e |= H5Tinsert(mt, "wall_seconds", o_wall, H5T_NATIVE_DOUBLE) |
             H5Tinsert(ft, "wall_seconds", o_wall, H5T_IEEE_F64LE);
        e |= H5Tinsert(mt, "iterations_run", o_iters, H5T_NATIVE_INT64) |
             H5Tinsert(ft, "iterations_run", o_iters, H5T_STD_I64LE);
        e |= H5Tinsert(mt, "stop_reason", o_stop, sstop) | H5Tinsert(ft, "stop_reason", o_stop, sstop);
        if (e < 0) {
            st = h5fail(w, "build the type of summary_table (duplicate column name?)");
            goto out;
        }
    }
    if (!(buf = calloc(s->n ? s->n : 1, row))) {
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        goto out;
    }
    for (size_t k = 0; k < s->n; k++) {
        unsigned char *p = buf + k * row;
        int64_t run_k = (int64_t)k;
        const char *stat_k = status_text[s->diverged[k]];

        memcpy(p + o_run, &run_k, 8);
        memcpy(p + o_seed, &s->seed[k], 8);
        memcpy(p + o_rep, &s->repeat[k], 8);
        memcpy(p + o_status, stat_k, strlen(stat_k));
        for (size_t i = 0; i < s->n_swept; i++) {
            if (meta->swept_numeric[i])
                memcpy(p + pofs[i], &s->num[i * s->n + k], 8);
            else
                memcpy(p + pofs[i], s->text[i * s->n + k], strlen(s->text[i * s->n + k]));
        }
        memcpy(p + o_fl, &s->final_loss[k], 8);
        memcpy(p + o_tr, &s->train_acc[k], 8);
        memcpy(p + o_te, &s->test_acc[k], 8);
        memcpy(p + o_100, &s->first100[k], 8);
        memcpy(p + o_wall, &s->wall[k], 8);
        memcpy(p + o_iters, &s->iters[k], 8);
        memcpy(p + o_stop, s->stop[k], strnlen(s->stop[k], 16));
    }
    if ((st = i64_coord(w, f, "run", s->n, 1, "run index", &run)) ||
        (st = var_write(w, f, "summary_table", ft, mt, 1, &dim, buf, &run,
                        "one row per run: the columns of /summary", NULL, NULL)))
        goto out;
out:
    free(buf);
    if (run >= 0)
        H5Dclose(run);
    for (size_t i = 0; ptypes && i < s->n_swept; i++)
        if (ptypes[i] >= 0)
            H5Tclose(ptypes[i]);
    if (sstat >= 0)
        H5Tclose(sstat);
    if (sstop >= 0)
        H5Tclose(sstop);
    if (ft >= 0)
        H5Tclose(ft);
    if (mt >= 0)
        H5Tclose(mt);
    free(ptypes);
    free(pofs);
    free(plen);
    return st;
}

static void hdf5_version_number(char *buf, size_t len)
{
    unsigned maj = 0, min = 0, rel = 0;

    H5get_libversion(&maj, &min, &rel);
    snprintf(buf, len, "%u.%u.%u", maj, min, rel);
}

/* Root attributes: format, provenance, library and plugin versions.
 * A plugin's attributes are plugin_<kind>_<name>_{file,sha256,version}. */
static mlp_status write_root_attrs(h5w *w, hid_t f, const mlp_sweep_meta *m)
{
    mlp_status st;
    char ver[64], name[3 * NAME_MAX_LEN], base[2 * NAME_MAX_LEN + 16];

    hdf5_version_number(ver, sizeof(ver));
    if ((st = attr_str(w, f, "format", "mlplab-results")) ||
        (st = attr_i64(w, f, "format_version", 1)) ||
        (st = attr_str(w, f, "Conventions", "CF-1.8")) ||
        (st = attr_str(w, f, "title", m->name)) || (st = attr_str(w, f, "name", m->name)) ||
        (st = attr_str(w, f, "description", m->description)) ||
        (st = attr_str(w, f, "mlplab_version", m->mlplab_version)) ||
        (st = attr_str(w, f, "git_commit", m->git_commit)) ||
        (st = attr_i8(w, f, "git_dirty", m->git_dirty ? 1 : 0)) ||
        (st = attr_str(w, f, "created", m->created)) ||
        (st = attr_str(w, f, "command", m->command)) ||
        (st = attr_str(w, f, "hostname", m->hostname)) ||
        (st = attr_str(w, f, "spec", m->spec_text)) ||
        (st = attr_str(w, f, "spec_sha256", m->spec_sha256)) ||
        (st = attr_str(w, f, "spec_resolved", m->spec_resolved)) ||
        (st = attr_str(w, f, "spec_resolved_sha256", m->run_sha256 ? m->run_sha256 : "")) ||
        (st = attr_u64(w, f, "seed", m->seed)) ||
        (st = attr_i64(w, f, "n_runs", (int64_t)m->n_runs)) ||
        (st = attr_str(w, f, "hdf5_version", ver)) ||
        (st = attr_str(w, f, "libyaml_version", m->libyaml_version)) ||
        (st = attr_str(w, f, "openmp_version", m->openmp_version)))
        return st;
    if (m->n_swept &&
        (st = attr_put(w, f, "swept_parameters", w->str, w->str, m->swept_paths, m->n_swept)))
        return st;
    for (size_t i = 0; i < m->n_plugins; i++) {
        const mlp_plugin_prov *p = &m->plugins[i];
        char raw[2 * NAME_MAX_LEN + 16];

        snprintf(raw, sizeof(raw), "plugin_%s_%s", p->kind ? p->kind : "", p->name ? p->name : "");
        nc_name(raw, base, sizeof(base));
        snprintf(name, sizeof(name), "%s_file", base);
        if (H5Aexists(f, name) > 0)
            continue; /* the same plugin used twice */
        if ((st = attr_str(w, f, name, p->file)))
            return st;
        snprintf(name, sizeof(name), "%s_sha256", base);
        if ((st = attr_str(w, f, name, p->sha256)))
            return st;
        snprintf(name, sizeof(name), "%s_version", base);
        if ((st = attr_str(w, f, name, p->version)))
            return st;
    }
    return MLP_OK;
}

/* Remove run files and temporaries, then the folder if that left it empty
 * (anything else the user put there is kept, silently). */
static void remove_runs_dir(const char *runs_dir)
{
    remove_files(runs_dir, "run_", ".h5", NULL);
    remove_files(runs_dir, "", ".tmp", NULL);
    remove_files(runs_dir, "sweep.", ".identity", NULL);  /* the sweep's own note (sweep.c) */
    rmdir(runs_dir);
    /* the folder's removal is durable once its parent is synced */
    char *parent = parent_dir(runs_dir);
    if (parent)
        fsync_path(parent, true);
    free(parent);
}

/* Every run file present, complete and of this spec, or an error naming
 * the first that is not. */
static mlp_status check_runs(const char *runs_dir, const mlp_sweep_meta *meta, mlp_error *err)
{
    for (size_t k = 0; k < meta->n_runs; k++) {
        char *path = mlp_results_run_path(runs_dir, k);
        int state;

        if (!path)
            return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", runs_dir);
        state = run_file_state(path, meta->run_sha256 ? meta->run_sha256 : meta->spec_sha256);
        if (state != 1) {
            mlp_fail(err, MLP_ERR_IO, "%s: run %zu %s (run the sweep again with --resume)", path,
                     k, state == 0 ? "is missing" : "is incomplete or from another spec");
            free(path);
            return MLP_ERR_IO;
        }
        free(path);
    }
    return MLP_OK;
}

/* Copy run k from its file into /runs/run_<k>/ and its row into s. */
static mlp_status copy_run(h5w *w, hid_t runs, const char *runs_dir, size_t k,
                           const mlp_sweep_meta *meta, summary *s)
{
    mlp_status st = MLP_OK;
    char *path = mlp_results_run_path(runs_dir, k), gname[32];
    hid_t rf = -1, g = -1;
    run_buf b;
    h5w rw = *w;

    memset(&b, 0, sizeof(b));
    if (!path)
        return mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", runs_dir);
    rw.file = path;
    if ((rf = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        st = h5fail(&rw, "open the run file");
        goto out;
    }
    if ((st = read_run(&rw, rf, meta, &b)))
        goto out;
    if (b.rec.index != k) {
        st = mlp_fail(w->err, MLP_ERR_IO, "%s: holds run %zu, expected run %zu", path, b.rec.index,
                      k);
        goto out;
    }
    snprintf(gname, sizeof(gname), "run_%04zu", k);
    if ((g = group_create(w, runs, gname)) < 0) {
        st = failed(w);
        goto out;
    }
    if ((st = write_run_content(w, g, &b.rec)))
        goto out;
    if (!summary_add(s, k, &b.rec))
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
out:
    if (g >= 0)
        H5Gclose(g);
    if (rf >= 0)
        H5Fclose(rf);
    run_buf_free(&b);
    free(path);
    return st;
}

mlp_status mlp_results_build(const char *sweep_path, const mlp_sweep_meta *meta, bool keep_runs,
                             mlp_error *err)
{
    mlp_status st = MLP_OK;
    char *runs_dir = NULL, *tmp = NULL;
    hid_t f = -1, runs = -1, dg = -1;
    h5w w = {.dcpl = -1, .gcpl = -1, .str = -1};
    summary s;

    memset(&s, 0, sizeof(s));
    lock();
    if (!(runs_dir = mlp_results_runs_dir(sweep_path)) ||
        !(tmp = str_printf("%s.tmp", sweep_path)) || !summary_alloc(&s, meta->n_runs, meta->n_swept)) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", sweep_path);
        goto out;
    }
    if ((st = check_runs(runs_dir, meta, err)) || (st = h5w_open(&w, tmp, err)))
        goto out;
    if ((f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) < 0) {
        st = h5fail(&w, "create the file");
        goto out;
    }
    if ((st = write_root_attrs(&w, f, meta)))
        goto out;
    if (meta->train) {
        if ((dg = group_create(&w, f, "dataset")) < 0) {
            st = failed(&w);
            goto out;
        }
        if ((st = write_data(&w, dg, "train", meta->train)) ||
            (meta->test && (st = write_data(&w, dg, "test", meta->test))))
            goto out;
    }
    if ((runs = group_create(&w, f, "runs")) < 0) {
        st = failed(&w);
        goto out;
    }
    /* one run file at a time: memory holds one run plus the summary columns */
    for (size_t k = 0; k < meta->n_runs; k++)
        if ((st = copy_run(&w, runs, runs_dir, k, meta, &s)))
            goto out;
    if ((st = write_summary(&w, f, meta, &s)) || (st = write_summary_table(&w, f, meta, &s)))
        goto out;
    H5Gclose(runs);
    runs = -1;
    if (dg >= 0)
        H5Gclose(dg);
    dg = -1;
    if (H5Fclose(f) < 0) {
        f = -1;
        st = h5fail(&w, "close the file");
        goto out;
    }
    f = -1;
    if ((st = publish(tmp, sweep_path, err)))
        goto out;
    if (!keep_runs)
        remove_runs_dir(runs_dir);
out:
    if (dg >= 0)
        H5Gclose(dg);
    if (runs >= 0)
        H5Gclose(runs);
    if (f >= 0)
        H5Fclose(f);
    if (st && tmp)
        unlink(tmp);
    h5w_close(&w);
    summary_free(&s);
    free(tmp);
    free(runs_dir);
    unlock();
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

mlp_status mlp_results_summary(const char *path, bool exact,
                               void (*row)(void *ctx, size_t n, const char *const *cells),
                               void *ctx, mlp_error *err)
{
    mlp_status st = MLP_OK;
    hid_t f = -1, d = -1, ft = -1, mt = -1, fs = -1, ms = -1, *mtypes = NULL;
    h5w w = {.file = path, .err = err, .dcpl = -1, .gcpl = -1, .str = -1};
    int nm = 0;
    char **names = NULL, **cells = NULL;
    size_t *offs = NULL, rsize;
    unsigned char *buf = NULL;
    hsize_t n = 0, one = 1;

    lock();
    H5Eclear2(H5E_DEFAULT);
    if ((f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        st = h5fail(&w, "open the results file");
        goto out;
    }
    if ((d = H5Dopen2(f, "summary_table", H5P_DEFAULT)) < 0) {
        st = h5fail(&w, "open /summary_table (not an mlplab results file?)");
        goto out;
    }
    if ((ft = H5Dget_type(d)) < 0 || H5Tget_class(ft) != H5T_COMPOUND ||
        (mt = H5Tget_native_type(ft, H5T_DIR_ASCEND)) < 0 || (nm = H5Tget_nmembers(mt)) <= 0 ||
        (fs = H5Dget_space(d)) < 0 || H5Sget_simple_extent_ndims(fs) != 1) {
        st = h5fail(&w, "read the layout of /summary_table");
        goto out;
    }
    H5Sget_simple_extent_dims(fs, &n, NULL);
    rsize = H5Tget_size(mt);
    names = calloc((size_t)nm, sizeof(*names));
    cells = calloc((size_t)nm, sizeof(*cells));
    offs = calloc((size_t)nm, sizeof(*offs));
    mtypes = calloc((size_t)nm, sizeof(*mtypes));
    buf = malloc(rsize);
    for (int i = 0; mtypes && i < nm; i++)
        mtypes[i] = -1;
    if (!names || !cells || !offs || !mtypes || !buf) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", path);
        goto out;
    }
    for (int i = 0; i < nm; i++) {
        char *nm_i = H5Tget_member_name(mt, (unsigned)i);

        names[i] = nm_i ? strdup(nm_i) : NULL;
        H5free_memory(nm_i);
        offs[i] = H5Tget_member_offset(mt, (unsigned)i);
        mtypes[i] = H5Tget_member_type(mt, (unsigned)i);
        if (!names[i] || mtypes[i] < 0 || !(cells[i] = malloc(128 + H5Tget_size(mtypes[i])))) {
            st = mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", path);
            goto out;
        }
    }
    row(ctx, (size_t)nm, (const char *const *)names);
    /* one row at a time: memory does not grow with the number of runs */
    if ((ms = H5Screate_simple(1, &one, NULL)) < 0) {
        st = h5fail(&w, "create a dataspace");
        goto out;
    }
    for (hsize_t k = 0; k < n; k++) {
        if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, &k, NULL, &one, NULL) < 0 ||
            H5Dread(d, mt, ms, fs, H5P_DEFAULT, buf) < 0) {
            st = h5fail(&w, "read row %llu of /summary_table", (unsigned long long)k);
            goto out;
        }
        for (int i = 0; i < nm; i++)
            format_cell(buf + offs[i], mtypes[i], exact, cells[i], 128 + H5Tget_size(mtypes[i]));
        row(ctx, (size_t)nm, (const char *const *)cells);
    }
out:
    for (int i = 0; i < nm; i++) {
        if (names)
            free(names[i]);
        if (cells)
            free(cells[i]);
        if (mtypes && mtypes[i] >= 0)
            H5Tclose(mtypes[i]);
    }
    free(names);
    free(cells);
    free(offs);
    free(mtypes);
    free(buf);
    if (ms >= 0)
        H5Sclose(ms);
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
    unlock();
    return st;
}

void mlp_results_hdf5_version(char *buf, size_t len)
{
    char ver[64];

    lock();
    hdf5_version_number(ver, sizeof(ver));
    unlock();
    snprintf(buf, len, "HDF5 %s", ver);
}
