/* format2.c -- the format-2 sweep file, the sweep cube: the arrays of all
 * runs that share a shape stacked along a leading run axis in
 * /stacks/s<i>/, chunked along it; /index (run -> stack, row); /summary and
 * /summary_table as in format 1; /cube, the summary over the sweep's axes;
 * and the writer the builder calls (mlp_results_format2, results/format.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results/format.h"
#include "results/format1.h"
#include "results/internal.h"

#define CHUNK_BYTES ((size_t)64 << 10) /* about this much of an array per chunk */
#define CHUNK_ROWS_MAX 1024            /* and at most this many runs */
#define COMPACT_BYTES 16384            /* a small stack's array: in its object header */
#define MAX_DIMS (MLP_RESULTS_MAX_LAYERS + 16)
#define CUBE_MAX_AXES 32                /* swept keys of a grid (plan/: MLP_PLAN_MAX_AXES) */

/* What makes two runs' arrays stack: every length, and the values of the
 * coordinates they share (loss_every, the grid's extent, ...).  Filled by
 * shape_of from a record, zeroed first, so that memcmp compares it. */
typedef struct shape {
    size_t n_layers, width[MLP_RESULTS_MAX_LAYERS + 1];
    size_t iterations, loss_every, n_loss;
    unsigned char grad, test_loss, test_acc, train_acc, val, weights, snaps, hidden, data, test;
    size_t eval_every, n_eval, n_scores;
    size_t weights_every, n_snapshots, n_hidden_points;
    size_t resolution, classes_out;
    double extent[4];
    size_t tr_n, tr_dim, tr_classes, te_n, te_dim, te_classes;
} shape;

static void shape_of(shape *s, const mlp_run_record *r)
{
    memset(s, 0, sizeof(*s));
    s->n_layers = r->width ? r->n_layers : 0;
    for (size_t l = 0; r->width && l <= r->n_layers && l <= MLP_RESULTS_MAX_LAYERS; l++)
        s->width[l] = r->width[l];
    s->iterations = r->iterations;
    s->loss_every = r->loss_every;
    s->n_loss = r->n_loss;
    s->grad = r->grad_norm && r->n_layers && r->n_loss;
    if (r->n_eval && (r->test_loss || r->test_accuracy_curve || r->train_accuracy_curve)) {
        s->n_eval = r->n_eval;
        s->eval_every = r->n_eval > 1 ? r->eval_every : 0;  /* one point: 0 whatever the step */
        s->test_loss = r->test_loss != NULL;
        s->test_acc = r->test_accuracy_curve != NULL;
        s->train_acc = r->train_accuracy_curve != NULL;
    }
    if (r->validation_accuracy && r->n_scores) {
        s->val = 1;
        s->n_scores = r->n_scores;
    }
    s->weights = r->weights && r->width;
    if (r->snapshots && r->n_snapshots && r->width) {
        s->snaps = 1;
        s->n_snapshots = r->n_snapshots;
        s->weights_every = r->n_snapshots > 1 ? r->weights_every : 0;
    }
    if (r->hidden && r->width && r->n_layers > 1) {
        s->hidden = 1;
        s->n_hidden_points = r->n_hidden_points;
    }
    if (r->boundary && r->resolution) {
        s->resolution = r->resolution;
        s->classes_out = r->classes_out ? r->classes_out : 1;
        memcpy(s->extent, r->extent, sizeof(s->extent));
    }
    if (r->train) {
        s->data = 1;
        s->tr_n = r->train->n;
        s->tr_dim = r->train->dim;
        s->tr_classes = r->train->classes;
        if (r->test) {
            s->test = 1;
            s->te_n = r->test->n;
            s->te_dim = r->test->dim;
            s->te_classes = r->test->classes;
        }
    }
}

/* What an array of a stack holds, per run (see row_fill). */
typedef enum arr_kind {
    A_LOSS, A_GRAD_W, A_GRAD_B, A_TEST_LOSS, A_TEST_ACC, A_TRAIN_ACC, A_VAL,
    A_W, A_B, A_SNAP_W, A_SNAP_B, A_HIDDEN, A_PROB, A_ARGMAX,
    A_TRAIN_X, A_TRAIN_Y, A_TEST_X, A_TEST_Y,
} arr_kind;

/* A dimension of a stack: a coordinate (0, step, 2 step, ... or n points
 * lo .. hi) or a bare netCDF dimension. */
typedef enum dim_kind { D_BARE, D_STEP, D_LINSPACE } dim_kind;

typedef struct dim {
    char name[32];
    size_t len;
    dim_kind kind;
    int64_t step;
    double lo, hi;
    const char *long_name;
} dim;

/* One stacked array: (run, dims...) of float64 or int64, written a chunk of
 * runs at a time from buf. */
typedef struct arr {
    arr_kind kind;
    size_t layer;
    char name[48];
    int rank;                      /* with the run axis */
    int dim[4];                    /* the stack's dims of axes 1 .. rank-1 */
    hsize_t len[5];                /* len[0]: runs written so far */
    bool integer;
    size_t row;                    /* values per run */
    size_t chunk;                  /* runs per chunk */
    size_t held;                   /* runs held: in buf, or where their records lie */
    void *buf;                     /* (chunk, row), allocated when first needed */
    const void **kept;             /* (chunk) row i in its record's memory, or NULL: in buf */
    mlp_record_mem *owner;         /* (chunk) whom to release a kept row to */
    hid_t d;
    const char *long_name, *units;
} arr;

typedef struct stack {
    shape sh;
    size_t n_dims;
    dim dims[MAX_DIMS];
    size_t n_arrs;
    arr *arrs;
    size_t n, cap;                 /* runs, and room for them in the columns below */
    int64_t *run, *best;           /* (n): run numbers, best_iteration */
    char **note;                   /* (n): notes ("" for none) */
    hid_t g;
    bool written;                  /* finished: its runs are all in (group_done) */
} stack;

/* The writer's state. */
typedef struct format2 {
    mlp_h5w w;
    hid_t f, stacks, fapl, dcpl_z, dapl;
    mlp_summary s;
    size_t n_runs;
    stack *st;
    size_t n_st;
    int32_t *stack_of;             /* (n_runs) */
    int64_t *row_of;               /* (n_runs) */
    uint64_t unsynced;             /* array bytes written since the last writeback */
} format2;

/* Array bytes written between two fdatasyncs of the file in the builder's
 * thread: the disk takes them while the runs go on, so that the fsync that
 * publishes the file has only the last few to wait for.  (On this machine's
 * virtual disk an fsync costs about 0.7 ms per MB written since the last one,
 * wherever the kernel's writeback stands: the 97 MB of 10 000 tiny runs
 * waited 56-103 ms at the end, starting the writeback early did not help.)
 * 1 MB since stacks are written while runs train (group_done): with 8 MB the
 * small size's 4.4 MB all waited for the publishing fsync.  Interleaved,
 * small size at -j2: 8 MB 0.093-0.097 s, 2 MB 0.090, 1 MB 0.088-0.090,
 * 256 kB 0.096 (each fdatasync has a cost of its own); tiny10k unchanged. */
#define WRITEBACK_BYTES ((uint64_t)1 << 20)

/* n more bytes of arrays went to the file. */
static void written(format2 *x, uint64_t n)
{
    void *handle = NULL;

    x->unsynced += n;
    if (x->unsynced < WRITEBACK_BYTES)
        return;
    x->unsynced = 0;
    if (H5Fget_vfd_handle(x->f, H5P_DEFAULT, &handle) >= 0 && handle)
        (void)fdatasync(*(int *)handle);  /* the default (sec2) driver's descriptor; a
                                             failure shows again in the final fsync */
}

/* Whether arrays are compressed: decided by measurement (bench/cube_bench.py;
 * the numbers are in bench/README.md, "Format 2, the sweep cube"). */
#define DEFLATE_LEVEL 0

static int dim_add(stack *k, const char *name, size_t len, dim_kind kind, int64_t step, double lo,
                   double hi, const char *long_name)
{
    for (size_t i = 0; i < k->n_dims; i++)
        if (!strcmp(k->dims[i].name, name))
            return (int)i;
    dim *d = &k->dims[k->n_dims];
    snprintf(d->name, sizeof(d->name), "%s", name);
    d->len = len;
    d->kind = kind;
    d->step = step;
    d->lo = lo;
    d->hi = hi;
    d->long_name = long_name;
    return (int)k->n_dims++;
}

/* Add array `name` over the stack's dims ix[0 .. n) (after run). */
static bool arr_add(stack *k, arr_kind kind, size_t layer, const char *name, bool integer,
                    int n, const int *ix, const char *long_name, const char *units)
{
    arr *a = &k->arrs[k->n_arrs];

    memset(a, 0, sizeof(*a));
    a->kind = kind;
    a->layer = layer;
    snprintf(a->name, sizeof(a->name), "%s", name);
    a->rank = n + 1;
    a->integer = integer;
    a->row = 1;
    for (int i = 0; i < n; i++) {
        a->dim[i] = ix[i];
        a->len[i + 1] = k->dims[ix[i]].len;
        a->row *= k->dims[ix[i]].len;
    }
    a->d = -1;
    a->long_name = long_name;
    a->units = units;
    if (a->row == 0)
        return true;  /* nothing to store: left out */
    a->chunk = CHUNK_BYTES / (8 * a->row);
    a->chunk = a->chunk < 1 ? 1 : a->chunk > CHUNK_ROWS_MAX ? CHUNK_ROWS_MAX : a->chunk;
    if (!(a->kept = calloc(a->chunk, sizeof(*a->kept))) ||
        !(a->owner = calloc(a->chunk, sizeof(*a->owner)))) {
        free(a->kept);
        return false;
    }
    k->n_arrs++;
    return true;
}

/* The dims and arrays of a new stack for shape sh. */
static bool stack_layout(stack *k)
{
    const shape *s = &k->sh;
    char name[48], dname[32], dname2[32];
    int it = -1, ly = -1, ev = -1, u[MLP_RESULTS_MAX_LAYERS + 1];
    bool ok = true;

    /* every array there may be: a few per layer, and fixed ones */
    if (!(k->arrs = calloc(24 + 6 * (s->n_layers + 1), sizeof(*k->arrs))))
        return false;
    it = dim_add(k, "iteration", s->n_loss, D_STEP, (int64_t)(s->loss_every ? s->loss_every : 1),
                 0, 0, "training iteration (updates before the recorded forward pass)");
    for (size_t l = 0; l <= s->n_layers; l++) {
        snprintf(dname, sizeof(dname), "unit_%zu", l);
        u[l] = dim_add(k, dname, s->width[l], D_BARE, 0, 0, 0, NULL);
    }
    ok = ok && arr_add(k, A_LOSS, 0, "loss", false, 1, &it, "training loss", NULL);
    if (s->grad) {
        ly = dim_add(k, "layer", s->n_layers, D_STEP, 1, 0, 0, "weight layer");
        ok = ok && arr_add(k, A_GRAD_W, 0, "grad_norm_W", false, 2, (int[]){it, ly},
                           "L2 norm of the weight gradient of each layer", NULL);
        ok = ok && arr_add(k, A_GRAD_B, 0, "grad_norm_b", false, 2, (int[]){it, ly},
                           "L2 norm of the bias gradient of each layer", NULL);
    }
    if (s->n_eval) {
        ev = dim_add(k, "eval_iteration", s->n_eval, D_STEP,
                     (int64_t)(s->eval_every ? s->eval_every : 1), 0, 0,
                     "training iteration of the evaluation (before its update)");
        if (s->test_loss)
            ok = ok && arr_add(k, A_TEST_LOSS, 0, "test_loss", false, 1, &ev, "test loss", NULL);
        if (s->test_acc)
            ok = ok && arr_add(k, A_TEST_ACC, 0, "test_accuracy_curve", false, 1, &ev,
                               "accuracy on the test set", "1");
        if (s->train_acc)
            ok = ok && arr_add(k, A_TRAIN_ACC, 0, "train_accuracy_curve", false, 1, &ev,
                               "accuracy on the training points", "1");
    }
    if (s->val) {
        int ep = dim_add(k, "epoch", s->n_scores, D_STEP, 1, 0, 0, "epoch (0 = the first)");
        ok = ok && arr_add(k, A_VAL, 0, "validation_accuracy", false, 1, &ep,
                           "accuracy on the validation split at the end of each epoch", "1");
    }
    for (size_t l = 0; s->weights && l < s->n_layers; l++) {
        snprintf(name, sizeof(name), "W_layer%zu", l);
        ok = ok && arr_add(k, A_W, l, name, false, 2, (int[]){u[l + 1], u[l]},
                           "final weights (output unit, input unit)", NULL);
        snprintf(name, sizeof(name), "b_layer%zu", l);
        ok = ok && arr_add(k, A_B, l, name, false, 1, &u[l + 1], "final biases", NULL);
    }
    if (s->snaps) {
        int si = dim_add(k, "snapshot_iteration", s->n_snapshots, D_STEP,
                         (int64_t)(s->weights_every ? s->weights_every : 1), 0, 0,
                         "training iteration of the snapshot (before its update)");
        for (size_t l = 0; l < s->n_layers; l++) {
            snprintf(name, sizeof(name), "W_layer%zu_snapshots", l);
            ok = ok && arr_add(k, A_SNAP_W, l, name, false, 3, (int[]){si, u[l + 1], u[l]},
                               "weights (snapshot, output unit, input unit)", NULL);
            snprintf(name, sizeof(name), "b_layer%zu_snapshots", l);
            ok = ok && arr_add(k, A_SNAP_B, l, name, false, 2, (int[]){si, u[l + 1]},
                               "biases (snapshot, unit)", NULL);
        }
    }
    if (s->hidden) {
        int sm = dim_add(k, "sample", s->n_hidden_points, D_BARE, 0, 0, 0, NULL);
        for (size_t l = 0; l + 1 < s->n_layers; l++) {
            snprintf(name, sizeof(name), "hidden_layer%zu", l);
            ok = ok && arr_add(k, A_HIDDEN, l, name, false, 2, (int[]){sm, u[l + 1]},
                               "outputs of the hidden layer on the training points", NULL);
        }
    }
    if (s->resolution) {
        int gy = dim_add(k, "grid_y", s->resolution, D_LINSPACE, 0, s->extent[2], s->extent[3],
                         "input feature 1 (grid y)");
        int gx = dim_add(k, "grid_x", s->resolution, D_LINSPACE, 0, s->extent[0], s->extent[1],
                         "input feature 0 (grid x)");
        if (s->classes_out > 1) {
            int cl = dim_add(k, "class", s->classes_out, D_STEP, 1, 0, 0, "class");
            ok = ok && arr_add(k, A_PROB, 0, "boundary_prob", false, 3, (int[]){gy, gx, cl},
                               "predicted probability of each class", "1");
            ok = ok && arr_add(k, A_ARGMAX, 0, "boundary_argmax", true, 2, (int[]){gy, gx},
                               "predicted class (the most probable)", NULL);
        } else {
            ok = ok && arr_add(k, A_PROB, 0, "boundary_prob", false, 2, (int[]){gy, gx},
                               "predicted probability of class 1", "1");
        }
    }
    if (s->data) {
        int ts = dim_add(k, "train_sample", s->tr_n, D_BARE, 0, 0, 0, NULL);
        int tf = dim_add(k, "train_feature", s->tr_dim, D_BARE, 0, 0, 0, NULL);
        ok = ok && arr_add(k, A_TRAIN_X, 0, "train_x", false, 2, (int[]){ts, tf},
                           "input features of the run's training points", NULL);
        ok = ok && arr_add(k, A_TRAIN_Y, 0, "train_y", true, 1, &ts,
                           "class labels of the run's training points", NULL);
        if (s->test) {
            snprintf(dname, sizeof(dname), "test_sample");
            snprintf(dname2, sizeof(dname2), "test_feature");
            int es = dim_add(k, dname, s->te_n, D_BARE, 0, 0, 0, NULL);
            int ef = dim_add(k, dname2, s->te_dim, D_BARE, 0, 0, 0, NULL);
            ok = ok && arr_add(k, A_TEST_X, 0, "test_x", false, 2, (int[]){es, ef},
                               "input features of the run's test points", NULL);
            ok = ok && arr_add(k, A_TEST_Y, 0, "test_y", true, 1, &es,
                               "class labels of the run's test points", NULL);
        }
    }
    return ok;
}

/* Offset of layer l's W in the parameter block (model.h layout), and its b
 * after it. */
static size_t layer_offset(const mlp_run_record *r, size_t l)
{
    size_t off = 0;

    for (size_t i = 0; i < l; i++)
        off += r->width[i + 1] * (r->width[i] + 1);
    return off;
}

/* Rows of at least this many bytes are kept where their record lies until
 * written (format2_add_run); smaller ones are copied. */
#define KEEP_BYTES ((size_t)16 << 10)

/* Where r holds a's row as it is stored (a plain copy), or NULL when the
 * row is made from it (strided, converted, gathered). */
static const void *row_src(const arr *a, const mlp_run_record *r)
{
    size_t l = a->layer;

    switch (a->kind) {
    case A_LOSS: return r->loss;
    case A_TEST_LOSS: return r->test_loss;
    case A_TEST_ACC: return r->test_accuracy_curve;
    case A_TRAIN_ACC: return r->train_accuracy_curve;
    case A_VAL: return r->validation_accuracy;
    case A_W: return r->weights + layer_offset(r, l);
    case A_B: return r->weights + layer_offset(r, l) + r->width[l + 1] * r->width[l];
    case A_HIDDEN: return r->hidden[l];
    case A_PROB: return r->boundary;
    case A_TRAIN_X: return r->train->x;
    case A_TEST_X: return r->test->x;
    default: return NULL;
    }
}

/* Let go of the rows a keeps in records' memory. */
static void arr_release(arr *a)
{
    for (size_t i = 0; a->kept && i < a->chunk; i++)
        if (a->kept[i]) {
            a->owner[i].release(a->owner[i].owner);
            a->kept[i] = NULL;
        }
}

/* Run r's values of array a into out (a->row values). */
static void row_fill(const arr *a, const mlp_run_record *r, void *out)
{
    double *o = out;
    int64_t *oi = out;
    size_t n = a->row, l = a->layer;

    switch (a->kind) {
    case A_LOSS: memcpy(o, r->loss, n * 8); break;
    case A_GRAD_W:
    case A_GRAD_B:
        for (size_t j = 0; j < n; j++)
            o[j] = r->grad_norm[2 * j + (a->kind == A_GRAD_B)];
        break;
    case A_TEST_LOSS: memcpy(o, r->test_loss, n * 8); break;
    case A_TEST_ACC: memcpy(o, r->test_accuracy_curve, n * 8); break;
    case A_TRAIN_ACC: memcpy(o, r->train_accuracy_curve, n * 8); break;
    case A_VAL: memcpy(o, r->validation_accuracy, n * 8); break;
    case A_W: memcpy(o, r->weights + layer_offset(r, l), n * 8); break;
    case A_B: memcpy(o, r->weights + layer_offset(r, l) + r->width[l + 1] * r->width[l], n * 8);
        break;
    case A_SNAP_W:
    case A_SNAP_B: {
        size_t np = layer_offset(r, r->n_layers), off = layer_offset(r, l);
        size_t per = n / r->n_snapshots;
        if (a->kind == A_SNAP_B)
            off += r->width[l + 1] * r->width[l];
        for (size_t j = 0; j < r->n_snapshots; j++)
            memcpy(o + j * per, r->snapshots + j * np + off, per * 8);
        break;
    }
    case A_HIDDEN: memcpy(o, r->hidden[l], n * 8); break;
    case A_PROB: memcpy(o, r->boundary, n * 8); break;
    case A_ARGMAX: {
        mlp_format1_argmax(r->boundary, n, r->classes_out, oi);
        break;
    }
    case A_TRAIN_X: memcpy(o, r->train->x, n * 8); break;
    case A_TEST_X: memcpy(o, r->test->x, n * 8); break;
    case A_TRAIN_Y:
    case A_TEST_Y: {
        const mlp_data *d = a->kind == A_TRAIN_Y ? r->train : r->test;
        for (size_t i = 0; i < n; i++)
            oi[i] = (int64_t)llround(d->y[i]);
        break;
    }
    }
}

/* The runs held in a's buffer, appended to its dataset (created at the
 * first: before a run past the first chunk, chunks of a->chunk runs,
 * extendible along run; at the end (final), a stack of at most one chunk
 * holds exactly its runs, unchunked). */
static mlp_status arr_flush(format2 *x, stack *k, arr *a, bool final)
{
    mlp_h5w *w = &x->w;
    hsize_t dims[5], maxd[5], chunk[5], start[5] = {0}, count[5];
    hid_t sp = -1, fs = -1, ms = -1, dcpl = -1;
    mlp_status st = MLP_OK;
    hid_t mt = a->integer ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;

    if (!a->held)
        return MLP_OK;
    /* one row where its record lies is written from there; more are
     * gathered into buf first */
    const void *data = a->kept[0];
    if (a->held > 1 || !data) {
        if (!a->buf && !(a->buf = malloc(a->chunk * a->row * 8))) {
            st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
            goto out;
        }
        for (size_t i = 0; i < a->held; i++)
            if (a->kept[i])
                memcpy((unsigned char *)a->buf + i * a->row * 8, a->kept[i], a->row * 8);
        data = a->buf;
    }
    for (int i = 0; i < a->rank; i++) {
        dims[i] = maxd[i] = chunk[i] = count[i] = a->len[i];
    }
    if (a->d < 0 && final) {
        /* a stack smaller than one chunk (its runs all came): its runs
         * only, as format 1 stores a run's arrays (compact up to 16 kB,
         * else contiguous), which saves a chunk index per array */
        dims[0] = a->held;
        if ((sp = H5Screate_simple(a->rank, dims, NULL)) < 0) {
            st = mlp_h5_fail(w, "create the layout of '%s'", a->name);
            goto out;
        }
        a->d = H5Dcreate2(k->g, a->name, a->integer ? H5T_STD_I64LE : H5T_IEEE_F64LE, sp,
                          H5P_DEFAULT, a->held * a->row * 8 <= COMPACT_BYTES ? w->compact : w->dcpl,
                          H5P_DEFAULT);
        if (a->d < 0 || H5Dwrite(a->d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
            st = mlp_h5_fail(w, "write dataset '%s'", a->name);
            goto out;
        }
        a->len[0] = a->held;
        written(x, (uint64_t)a->held * a->row * 8);
        a->held = 0;
        goto out;
    }
    if (a->d < 0) {
        dims[0] = 0;
        maxd[0] = H5S_UNLIMITED;
        chunk[0] = a->chunk;
        if ((sp = H5Screate_simple(a->rank, dims, maxd)) < 0 ||
            (dcpl = H5Pcopy(DEFLATE_LEVEL ? x->dcpl_z : w->dcpl)) < 0 ||
            H5Pset_chunk(dcpl, a->rank, chunk) < 0) {
            st = mlp_h5_fail(w, "create the layout of '%s'", a->name);
            goto out;
        }
        /* no chunk cache: whole chunks go from the buffer to the file */
        a->d = H5Dcreate2(k->g, a->name, a->integer ? H5T_STD_I64LE : H5T_IEEE_F64LE, sp,
                          H5P_DEFAULT, dcpl, x->dapl);
        if (a->d < 0) {
            st = mlp_h5_fail(w, "create dataset '%s'", a->name);
            goto out;
        }
    }
    start[0] = a->len[0];
    count[0] = a->held;
    dims[0] = a->len[0] + a->held;
    if (H5Dset_extent(a->d, dims) < 0 || (fs = H5Dget_space(a->d)) < 0 ||
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
        (ms = H5Screate_simple(a->rank, count, NULL)) < 0 ||
        H5Dwrite(a->d, mt, ms, fs, H5P_DEFAULT, data) < 0) {
        st = mlp_h5_fail(w, "write dataset '%s'", a->name);
        goto out;
    }
    a->len[0] += a->held;
    written(x, (uint64_t)a->held * a->row * 8);
    a->held = 0;
out:
    arr_release(a);  /* written, or the sweep fails: the rows are done with */
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (sp >= 0)
        H5Sclose(sp);
    return st;
}

static void stack_free(stack *k)
{
    for (size_t i = 0; i < k->n_arrs; i++) {
        if (k->arrs[i].d >= 0)
            H5Dclose(k->arrs[i].d);
        arr_release(&k->arrs[i]);
        free(k->arrs[i].buf);
        free(k->arrs[i].kept);
        free(k->arrs[i].owner);
    }
    for (size_t i = 0; k->note && i < k->n; i++)
        free(k->note[i]);
    free(k->note);
    free(k->arrs);
    free(k->run);
    free(k->best);
    if (k->g >= 0)
        H5Gclose(k->g);
    /* freed: a second call does nothing (a written stack is freed at once) */
    k->note = NULL;
    k->arrs = NULL;
    k->n_arrs = 0;
    k->run = k->best = NULL;
    k->g = -1;
}

/* The stack of shape sh (a new one, with its group, if there is none). */
static mlp_status stack_find(format2 *x, const shape *sh, size_t *out)
{
    char name[32];

    for (size_t i = 0; i < x->n_st; i++)
        if (!x->st[i].written && !memcmp(&x->st[i].sh, sh, sizeof(*sh))) {
            *out = i;
            return MLP_OK;
        }
    stack *ns = realloc(x->st, (x->n_st + 1) * sizeof(*ns));
    if (!ns)
        return mlp_fail(x->w.err, MLP_ERR_NOMEM, "%s: out of memory", x->w.file);
    x->st = ns;
    stack *k = &x->st[x->n_st++];
    memset(k, 0, sizeof(*k));
    k->g = -1;
    k->sh = *sh;
    if (!stack_layout(k))
        return mlp_fail(x->w.err, MLP_ERR_NOMEM, "%s: out of memory", x->w.file);
    snprintf(name, sizeof(name), "s%zu", x->n_st - 1);
    if ((k->g = mlp_h5_group_create(&x->w, x->stacks, name)) < 0)
        return mlp_h5_failed(&x->w);
    *out = x->n_st - 1;
    return MLP_OK;
}

/* ---- finishing: the stacks' coordinates and attributes ------------------ */

/* The run coordinate, the per-run variables and every dimension of stack k,
 * attached to its arrays; then its attributes. */
static mlp_status stack_finish(format2 *x, stack *k)
{
    mlp_h5w *w = &x->w;
    mlp_status st = MLP_OK;
    hid_t run = -1, sc[MAX_DIMS], ax[5];
    hsize_t n = k->n;
    const shape *s = &k->sh;
    int64_t wv[MLP_RESULTS_MAX_LAYERS + 1];

    for (size_t i = 0; i < MAX_DIMS; i++)
        sc[i] = -1;
    for (size_t i = 0; i < k->n_arrs && !st; i++)
        st = arr_flush(x, k, &k->arrs[i], true);
    if (st)
        return st;
    if ((st = mlp_h5_var_write(w, k->g, "run", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &n, k->run,
                               NULL, "run index", NULL, &run)))
        goto out;
    for (size_t i = 0; i < k->n_dims && !st; i++) {
        const dim *d = &k->dims[i];
        bool used = false;
        for (size_t j = 0; j < k->n_arrs; j++)
            for (int a = 1; a < k->arrs[j].rank; a++)
                used = used || k->arrs[j].dim[a - 1] == (int)i;
        if (!used)
            continue;
        if (d->kind == D_STEP)
            st = mlp_h5_i64_coord(w, k->g, d->name, d->len, d->step, d->long_name, &sc[i]);
        else if (d->kind == D_LINSPACE)
            st = mlp_h5_linspace_coord(w, k->g, d->name, d->len, d->lo, d->hi, d->long_name,
                                       &sc[i]);
        else if ((sc[i] = mlp_h5_dim_only(w, k->g, d->name, d->len)) < 0)
            st = mlp_h5_failed(w);
    }
    for (size_t j = 0; j < k->n_arrs && !st; j++) {
        arr *a = &k->arrs[j];
        ax[0] = run;
        for (int i = 1; i < a->rank; i++)
            ax[i] = sc[a->dim[i - 1]];
        if ((st = mlp_h5_scale_attach(w, a->d, a->name, a->rank, ax)) ||
            (st = mlp_h5_attr_str(w, a->d, "long_name", a->long_name)) ||
            (st = mlp_h5_attr_str(w, a->d, "units", a->units)))
            break;
    }
    if (st)
        goto out;
    bool notes = false;  /* rare: a string dataset costs a 4 kB heap, so only when needed */
    for (size_t i = 0; i < k->n; i++)
        notes = notes || k->note[i][0];
    if ((st = mlp_h5_var_write(w, k->g, "best_iteration", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &n,
                               k->best, &run, "early stopping: updates behind the kept "
                               "weights (-1: none)", NULL, NULL)) ||
        (notes && (st = mlp_h5_var_write(w, k->g, "note", w->str, w->str, 1, &n, k->note, &run,
                                         "something to know about the run (empty: nothing)",
                                         NULL, NULL))))
        goto out;
    for (size_t l = 0; l <= s->n_layers; l++)
        wv[l] = (int64_t)s->width[l];
    if ((s->n_layers && (st = mlp_h5_attr_put(w, k->g, "widths", H5T_STD_I64LE, H5T_NATIVE_INT64,
                                              wv, s->n_layers + 1))) ||
        (st = mlp_h5_attr_i64(w, k->g, "iterations", (int64_t)s->iterations)) ||
        (st = mlp_h5_attr_i64(w, k->g, "loss_every", (int64_t)s->loss_every)) ||
        (s->resolution && (st = mlp_h5_attr_put(w, k->g, "boundary_extent", H5T_IEEE_F64LE,
                                                H5T_NATIVE_DOUBLE, s->extent, 4))) ||
        (s->data && (st = mlp_h5_attr_i64(w, k->g, "train_classes", (int64_t)s->tr_classes))) ||
        (s->test && (st = mlp_h5_attr_i64(w, k->g, "test_classes", (int64_t)s->te_classes))))
        goto out;
out:
    for (size_t i = k->n_dims; i-- > 0;)
        if (sc[i] >= 0)
            mlp_h5_scale_close(w, sc[i], &st);
    if (run >= 0)
        mlp_h5_scale_close(w, run, &st);
    return st;
}

/* /index: stack (run) and row (run), where each run's arrays are. */
static mlp_status write_index(format2 *x)
{
    mlp_h5w *w = &x->w;
    mlp_status st;
    hid_t g, run = -1;
    hsize_t n = x->n_runs;

    if ((g = mlp_h5_group_create(w, x->f, "index")) < 0)
        return mlp_h5_failed(w);
    if (!(st = mlp_h5_i64_coord(w, g, "run", x->n_runs, 1, "run index", &run)) &&
        !(st = mlp_h5_var_write(w, g, "stack", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, &n,
                                x->stack_of, &run, "the run's stack: group /stacks/s<stack>",
                                NULL, NULL)))
        st = mlp_h5_var_write(w, g, "row", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &n, x->row_of,
                              &run, "the run's row in its stack's arrays", NULL, NULL);
    if (run >= 0)
        mlp_h5_scale_close(w, run, &st);
    H5Gclose(g);
    return st;
}

/* ---- /cube: the summary over the sweep's axes ---------------------------- */

/* Whether every run's values are those of its grid point: run k decodes
 * row-major over len[0 .. n_swept) with `repeats` innermost, and its value
 * on axis a is the one of the run at that axis's point, every other index
 * 0 (as text: the same value). */
static bool grid_holds(const mlp_summary *s, const size_t *len, size_t repeats)
{
    size_t total = repeats, stride[CUBE_MAX_AXES];

    if (s->n_swept > CUBE_MAX_AXES)
        return false;
    for (size_t a = s->n_swept; a-- > 0;) {
        stride[a] = total;
        if (!len[a] || total > s->n / len[a])
            return false;
        total *= len[a];
    }
    if (total != s->n)
        return false;
    for (size_t k = 0; k < s->n; k++) {
        size_t rest = k / repeats;
        if (s->repeat[k] != (int64_t)(k % repeats))
            return false;
        for (size_t a = s->n_swept; a-- > 0;) {
            size_t first = (rest % len[a]) * stride[a];
            if (strcmp(s->text[a * s->n + k], s->text[a * s->n + first]))
                return false;
            rest /= len[a];
        }
    }
    return true;
}

/* A summary column (one value per run, in run order) as a cube variable. */
static mlp_status cube_var(mlp_h5w *w, hid_t g, const char *name, hid_t ft, hid_t mt, int rank,
                           const hsize_t *dims, const void *data, const hid_t *scales,
                           const char *long_name, const char *units, const char *coords)
{
    mlp_status st;
    hid_t d = -1;

    st = mlp_h5_var_write(w, g, name, ft, mt, rank, dims, data, scales, long_name, units,
                          coords ? &d : NULL);
    if (!st && coords)
        st = mlp_h5_attr_str(w, d, "coordinates", coords);
    if (d >= 0)
        H5Dclose(d);
    return st;
}

/* One swept parameter's values at the given runs (n of them) as a variable:
 * int64, float64 or string as its summary column. */
static mlp_status param_var(mlp_h5w *w, hid_t g, const mlp_sweep_meta *meta, const mlp_summary *s,
                            size_t a, const size_t *runs, size_t n, const hid_t *scales,
                            hid_t *out)
{
    char name[NAME_MAX_LEN];
    hsize_t dim = n;
    mlp_status st;
    void *v = malloc((n ? n : 1) * 8);

    if (!v)
        return mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
    for (size_t j = 0; j < n; j++) {
        size_t k = runs ? runs[j] : j;
        if (s->integer[a])
            ((int64_t *)v)[j] = s->inum[a * s->n + k];
        else if (meta->swept_numeric[a])
            ((double *)v)[j] = s->num[a * s->n + k];
        else
            ((char **)v)[j] = s->text[a * s->n + k];
    }
    mlp_h5_nc_name(meta->swept_paths[a], name, sizeof(name));
    if (s->integer[a])
        st = mlp_h5_var_write(w, g, name, H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &dim, v, scales,
                              meta->swept_paths[a], NULL, out);
    else if (meta->swept_numeric[a])
        st = mlp_h5_var_write(w, g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &dim, v, scales,
                              meta->swept_paths[a], NULL, out);
    else
        st = mlp_h5_var_write(w, g, name, w->str, w->str, 1, &dim, v, scales,
                              meta->swept_paths[a], NULL, out);
    free(v);
    return st;
}

/* /cube: for a grid, every summary column as an array over the swept keys
 * and repeat, the keys' values as coordinates; otherwise over run, each
 * swept key a coordinate along it. */
static mlp_status write_cube(format2 *x, const mlp_sweep_meta *meta)
{
    mlp_h5w *w = &x->w;
    const mlp_summary *s = &x->s;
    mlp_status st = MLP_OK;
    size_t na = s->n_swept, R = meta->grid_repeats;
    bool grid = R > 0 && meta->axis_len && grid_holds(s, meta->axis_len, R);
    int rank = grid ? (int)na + 1 : 1;
    hsize_t dims[CUBE_MAX_AXES + 1];
    hid_t g = -1, sc[CUBE_MAX_AXES + 1];
    int64_t *run = NULL;
    size_t *at = NULL;
    char *coords = NULL;
    size_t clen = 1;

    if (na > CUBE_MAX_AXES)
        grid = false, rank = 1;
    for (int i = 0; i <= CUBE_MAX_AXES; i++)
        sc[i] = -1;
    if ((g = mlp_h5_group_create(w, x->f, "cube")) < 0)
        return mlp_h5_failed(w);
    run = malloc((s->n ? s->n : 1) * sizeof(*run));
    at = malloc((s->n ? s->n : 1) * sizeof(*at));
    if (!run || !at) {
        st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
        goto out;
    }
    for (size_t k = 0; k < s->n; k++) {
        run[k] = (int64_t)k;
    }
    if (grid) {
        /* axis a's values: those of the runs at its points, other indices 0 */
        size_t stride = R;
        for (size_t a = na; a-- > 0;) {
            for (size_t j = 0; j < meta->axis_len[a]; j++)
                at[j] = j * stride;
            if ((st = param_var(w, g, meta, s, a, at, meta->axis_len[a], NULL, &sc[a])))
                goto out;
            dims[a] = meta->axis_len[a];
            stride *= meta->axis_len[a];
        }
        dims[na] = R;
        if ((st = mlp_h5_i64_coord(w, g, "repeat", R, 1,
                                   "which repeat of its sweep point (0 .. repeats-1)", &sc[na])))
            goto out;
    } else {
        dims[0] = s->n;
        if ((st = mlp_h5_i64_coord(w, g, "run", s->n, 1, "run index", &sc[0])))
            goto out;
        char name[NAME_MAX_LEN];
        for (size_t a = 0; a < na; a++) {
            mlp_h5_nc_name(meta->swept_paths[a], name, sizeof(name));
            clen += strlen(name) + 1;
        }
        if (!(coords = calloc(clen + 8, 1))) {
            st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
            goto out;
        }
        for (size_t a = 0; a < na; a++) {
            mlp_h5_nc_name(meta->swept_paths[a], name, sizeof(name));
            strcat(coords, name);
            strcat(coords, " ");
        }
        strcat(coords, "repeat");
        for (size_t a = 0; a < na && !st; a++)
            st = param_var(w, g, meta, s, a, NULL, s->n, sc, NULL);
        if (st || (st = cube_var(w, g, "repeat", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, dims,
                                 s->repeat, sc, "which repeat of its sweep point", NULL, NULL)))
            goto out;
    }
    if ((st = cube_var(w, g, "final_loss", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims,
                       s->final_loss, sc, "final training loss", NULL, coords)) ||
        (st = cube_var(w, g, "train_accuracy", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims,
                       s->train_acc, sc, "accuracy on the training set", "1", coords)) ||
        (st = cube_var(w, g, "test_accuracy", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims,
                       s->test_acc, sc, "accuracy on the test set (NaN without one)", "1",
                       coords)) ||
        (st = cube_var(w, g, "first_iteration_at_100pct", H5T_STD_I64LE, H5T_NATIVE_INT64, rank,
                       dims, s->first100, sc,
                       "first iteration with 100% training accuracy (-1: never)", NULL,
                       coords)) ||
        (st = cube_var(w, g, "wall_seconds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims,
                       s->wall, sc, "wall-clock time of the run", "s", coords)) ||
        (st = cube_var(w, g, "iterations_run", H5T_STD_I64LE, H5T_NATIVE_INT64, rank, dims,
                       s->iters, sc, "updates made before training stopped", NULL, coords)) ||
        (st = cube_var(w, g, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, rank, dims, s->seed, sc,
                       "random seed of the run", NULL, coords)) ||
        (st = cube_var(w, g, "diverged", H5T_STD_I8LE, H5T_NATIVE_UINT8, rank, dims,
                       s->diverged, sc, "1 when a loss or gradient was not finite, else 0",
                       NULL, coords)))
        goto out;
    if (s->halving &&
        ((st = cube_var(w, g, "halving_bracket", H5T_STD_I64LE, H5T_NATIVE_INT64, rank, dims,
                        s->bracket, sc, "successive halving: the run's bracket", NULL,
                        coords)) ||
         (st = cube_var(w, g, "halving_rungs", H5T_STD_I64LE, H5T_NATIVE_INT64, rank, dims,
                        s->rungs, sc, "successive halving: rungs whose budget the run reached",
                        NULL, coords))))
        goto out;
    if (grid && (st = cube_var(w, g, "run", H5T_STD_I64LE, H5T_NATIVE_INT64, rank, dims, run, sc,
                               "the run at this point: its row of /summary, its place in "
                               "/index", NULL, NULL)))
        goto out;
out:
    for (int i = CUBE_MAX_AXES; i >= 0; i--)
        if (sc[i] >= 0)
            mlp_h5_scale_close(w, sc[i], &st);
    free(coords);
    free(at);
    free(run);
    H5Gclose(g);
    return st;
}

/* ---- the format-2 writer, as the builder calls it ---- */

static void format2_close(void *state)
{
    format2 *x = state;

    if (!x)
        return;
    for (size_t i = 0; i < x->n_st; i++)
        stack_free(&x->st[i]);
    free(x->st);
    if (x->stacks >= 0)
        H5Gclose(x->stacks);
    if (x->f >= 0)
        H5Fclose(x->f);
    if (x->fapl >= 0)
        H5Pclose(x->fapl);
    if (x->dcpl_z >= 0)
        H5Pclose(x->dcpl_z);
    if (x->dapl >= 0)
        H5Pclose(x->dapl);
    mlp_h5w_close(&x->w);
    H5Eclear2(H5E_DEFAULT);
    mlp_summary_free(&x->s);
    free(x->stack_of);
    free(x->row_of);
    free(x);
}

static void *format2_create(size_t n_runs, size_t n_swept)
{
    format2 *x = calloc(1, sizeof(*x));

    if (!x)
        return NULL;
    x->w = (mlp_h5w){.dcpl = -1, .compact = -1, .gcpl = -1, .dxpl = -1, .str = -1, .scalar = -1,
                     .dim_list = -1, .ref_list = -1};
    x->f = x->stacks = x->fapl = x->dcpl_z = x->dapl = -1;
    x->n_runs = n_runs;
    if (!mlp_summary_alloc(&x->s, n_runs, n_swept) ||
        !(x->stack_of = calloc(n_runs ? n_runs : 1, sizeof(*x->stack_of))) ||
        !(x->row_of = calloc(n_runs ? n_runs : 1, sizeof(*x->row_of)))) {
        format2_close(x);
        return NULL;
    }
    return x;
}

static mlp_status format2_open(void *state, const char *tmp, mlp_error *err)
{
    format2 *x = state;
    mlp_status st;

    if ((st = mlp_h5w_open(&x->w, tmp, err)))
        return st;
    if ((x->fapl = mlp_sweep_fapl()) < 0 || (x->dcpl_z = H5Pcopy(x->w.dcpl)) < 0 ||
        (x->dapl = H5Pcreate(H5P_DATASET_ACCESS)) < 0 ||
        H5Pset_chunk_cache(x->dapl, 0, 0, 1.0) < 0 ||
        (DEFLATE_LEVEL && (H5Pset_shuffle(x->dcpl_z) < 0 ||
                           H5Pset_deflate(x->dcpl_z, DEFLATE_LEVEL) < 0)))
        return mlp_h5_fail(&x->w, "set up the file properties");
    if ((x->f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, x->fapl)) < 0)
        return mlp_h5_fail(&x->w, "create the file");
    if ((x->stacks = mlp_h5_group_create(&x->w, x->f, "stacks")) < 0)
        return mlp_h5_failed(&x->w);
    return MLP_OK;
}

/* Run r as the next row of its shape's stack, and its row of the summary. */
static mlp_status format2_add_run(void *state, const mlp_run_record *r, const mlp_record_mem *mem,
                                  mlp_error *err)
{
    format2 *x = state;
    mlp_status st;
    shape sh;
    size_t i = 0;

    x->w.err = err;
    if (r->index >= x->n_runs)
        return mlp_fail(err, MLP_ERR_RUNTIME, "%s: run %zu of %zu", x->w.file, r->index,
                        x->n_runs);
    if (r->width && r->n_layers > MLP_RESULTS_MAX_LAYERS)
        return mlp_fail(err, MLP_ERR_RUNTIME, "%s: %zu layers is more than %d", x->w.file,
                        r->n_layers, MLP_RESULTS_MAX_LAYERS);
    shape_of(&sh, r);
    if ((st = stack_find(x, &sh, &i)))
        return st;
    stack *k = &x->st[i];
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 64;
        int64_t *run = realloc(k->run, cap * sizeof(*run));
        if (run)
            k->run = run;
        int64_t *best = realloc(k->best, cap * sizeof(*best));
        if (best)
            k->best = best;
        char **note = realloc(k->note, cap * sizeof(*note));
        if (note)
            k->note = note;
        if (!run || !best || !note)
            return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", x->w.file);
        k->cap = cap;
    }
    if (!(k->note[k->n] = strdup(r->note ? r->note : "")))
        return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", x->w.file);
    k->run[k->n] = (int64_t)r->index;
    k->best[k->n] = (int64_t)r->best_iteration;
    x->stack_of[r->index] = (int32_t)i;
    x->row_of[r->index] = (int64_t)k->n;
    k->n++;
    for (size_t j = 0; j < k->n_arrs; j++) {
        arr *a = &k->arrs[j];
        /* a full buffer is written when the next run comes: a stack of at
         * most one chunk is never chunked */
        if (a->held == a->chunk && (st = arr_flush(x, k, a, false)))
            return st;
        /* a large row stays where the record lies while the builder can
         * keep that memory (no copy, no fresh pages: the tutorial's 11
         * one-run stacks copied 5 MB into new buffers, 25 ms of page
         * faults); a small one is copied into buf (keeping each row of
         * 10 000 tiny runs' arrays cost more than copying it) */
        const void *src = mem && a->row * 8 >= KEEP_BYTES ? row_src(a, r) : NULL;
        if (src) {
            mem->keep(mem->owner);
            a->kept[a->held] = src;
            a->owner[a->held] = *mem;
        } else {
            if (!a->buf && !(a->buf = malloc(a->chunk * a->row * 8)))
                return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", x->w.file);
            row_fill(a, r, (unsigned char *)a->buf + a->held * a->row * 8);
        }
        a->held++;
    }
    if (!mlp_summary_add(&x->s, r->index, r))
        return mlp_fail(err, MLP_ERR_NOMEM, "%s: out of memory", x->w.file);
    return MLP_OK;
}

/* The builder's group ended: every run of the stacks not yet written is in
 * (the builder takes each group's runs together), so they are written now,
 * coordinates and attributes, while later runs still train (the tutorial's
 * 11 one-run stacks took 15-20 ms after its last run).  A shape that came
 * again after its stack was written would get a stack of its own; the
 * groups make that impossible (base/buildorder.h). */
static mlp_status format2_group_done(void *state, mlp_error *err)
{
    format2 *x = state;
    mlp_status st = MLP_OK;

    x->w.err = err;
    for (size_t i = 0; i < x->n_st && !st; i++)
        if (!x->st[i].written) {
            st = stack_finish(x, &x->st[i]);
            x->st[i].written = true;
            stack_free(&x->st[i]);  /* its buffers and handles: a sweep of many shapes */
        }
    return st;
}

/* The stacks' coordinates, the index, the root attributes, /dataset, the
 * summary and the cube; then the file is closed. */
static mlp_status format2_finish(void *state, const mlp_sweep_meta *meta, mlp_error *err)
{
    format2 *x = state;
    mlp_h5w *w = &x->w;
    mlp_status st = MLP_OK;
    hid_t dg = -1;

    w->err = err;
    for (size_t i = 0; i < x->n_st && !st; i++)
        if (!x->st[i].written)
            st = stack_finish(x, &x->st[i]);
    if (st || (st = write_index(x)) || (st = mlp_sweep_write_root_attrs(w, x->f, meta, 2)))
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
    if ((st = mlp_summary_write(w, x->f, meta, &x->s, 2)) ||
        (st = mlp_summary_write_table(w, x->f, meta, &x->s, 2)) || (st = write_cube(x, meta)))
        goto out;
    for (size_t i = 0; i < x->n_st; i++)
        stack_free(&x->st[i]);
    x->n_st = 0;
    if (dg >= 0)
        H5Gclose(dg);
    dg = -1;
    H5Gclose(x->stacks);
    x->stacks = -1;
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

const mlp_results_format mlp_results_format2 = {
    format2_create, format2_open, format2_add_run, format2_group_done, format2_finish,
    format2_close,
};

const mlp_results_format *mlp_results_format_get(int v)
{
    if (v == 0)
        v = MLP_RESULTS_FORMAT_DEFAULT;
    return v == 1 ? &mlp_results_format1 : v == 2 ? &mlp_results_format2 : NULL;
}
