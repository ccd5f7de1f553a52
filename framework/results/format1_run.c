/* format1_run.c -- the format-1 run group, /runs/run_<k>/: a run's
 * attributes, curves, weights, snapshots, hidden outputs, decision boundary
 * and (when the dataset is swept) its data, each axis a dimension scale. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/format1.h"
#include "results/internal.h"

void mlp_format1_argmax(const double *prob, size_t n, size_t k, int64_t *out)
{
    for (size_t i = 0; i < n; i++) {
        const double *p = prob + i * k;
        size_t best = 0;
        bool nan = false;
        for (size_t c = 0; c < k; c++) {
            nan = nan || p[c] != p[c];
            if (c > 0 && p[c] > p[best])
                best = c;
        }
        out[i] = nan ? -1 : (int64_t)best;
    }
}

/* A dataset: x (sample, feature) float64, y (sample) int64 labels. */
mlp_status mlp_format1_write_data(mlp_h5w *w, hid_t parent, const char *name,
                                         const mlp_data *data)
{
    mlp_status st = MLP_OK;
    hid_t g = -1, sample = -1, feature = -1;
    hsize_t dims[2] = {data->n, data->dim};
    int64_t *y = malloc((data->n ? data->n : 1) * sizeof(*y));

    if (!y)
        return mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
    for (size_t i = 0; i < data->n; i++)
        y[i] = (int64_t)llround(data->y[i]);
    if ((g = mlp_h5_group_create(w, parent, name)) < 0 ||
        (sample = mlp_h5_dim_only(w, g, "sample", data->n)) < 0 ||
        (feature = mlp_h5_dim_only(w, g, "feature", data->dim)) < 0) {
        st = mlp_h5_failed(w);
        goto out;
    }
    if ((st = mlp_h5_attr_i64(w, g, "classes", (int64_t)data->classes)) ||
        (st = mlp_h5_f64_var(w, g, "x", 2, dims, data->x, (hid_t[]){sample, feature},
                             "input features", NULL)) ||
        (st = mlp_h5_var_write(w, g, "y", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, dims, y,
                               (hid_t[]){sample}, "class label", NULL, NULL)))
        goto out;
out:
    if (feature >= 0)
        mlp_h5_scale_close(w, feature, &st);
    if (sample >= 0)
        mlp_h5_scale_close(w, sample, &st);
    if (g >= 0)
        H5Gclose(g);
    free(y);
    return st;
}

/* iteration (coordinate), loss (iteration), test_loss (iteration). */
static mlp_status write_curves(mlp_h5w *w, hid_t g, const mlp_run_record *r)
{
    mlp_status st;
    hid_t it = -1, ev = -1, ly = -1;
    hsize_t dim = r->n_loss, edim = r->n_eval;
    double *part = NULL;

    st = mlp_h5_i64_coord(w, g, "iteration", r->n_loss,
                          (int64_t)(r->loss_every ? r->loss_every : 1),
                          "training iteration (updates before the recorded forward pass)", &it);
    if (st)
        return st;
    if ((st = mlp_h5_f64_var(w, g, "loss", 1, &dim, r->loss, &it, "training loss", NULL)))
        goto out;
    /* gradient norms per layer: (iteration, layer), W and b apart */
    if (r->grad_norm && r->n_layers && r->n_loss) {
        hsize_t d2[2] = {r->n_loss, r->n_layers};
        if ((st = mlp_h5_i64_coord(w, g, "layer", r->n_layers, 1, "weight layer", &ly)))
            goto out;
        if (!(part = malloc(r->n_loss * r->n_layers * sizeof(double)))) {
            st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
            goto out;
        }
        for (int wb = 0; wb < 2 && !st; wb++) {
            for (size_t j = 0; j < r->n_loss * r->n_layers; j++)
                part[j] = r->grad_norm[2 * j + (size_t)wb];
            st = mlp_h5_f64_var(w, g, wb ? "grad_norm_b" : "grad_norm_W", 2, d2, part,
                                (hid_t[]){it, ly},
                                wb ? "L2 norm of the bias gradient of each layer"
                                   : "L2 norm of the weight gradient of each layer",
                                NULL);
        }
        if (st)
            goto out;
    }
    /* evaluation curves on their own coordinate */
    if (r->n_eval && (r->test_loss || r->test_accuracy_curve || r->train_accuracy_curve)) {
        if ((st = mlp_h5_i64_coord(
                 w, g, "eval_iteration", r->n_eval, (int64_t)(r->eval_every ? r->eval_every : 1),
                 "training iteration of the evaluation (before its update)", &ev)))
            goto out;
        if (r->test_loss && (st = mlp_h5_f64_var(w, g, "test_loss", 1, &edim, r->test_loss, &ev,
                                                 "test loss", NULL)))
            goto out;
        if (r->test_accuracy_curve &&
            (st = mlp_h5_f64_var(w, g, "test_accuracy_curve", 1, &edim, r->test_accuracy_curve, &ev,
                                 "accuracy on the test set", "1")))
            goto out;
        if (r->train_accuracy_curve &&
            (st = mlp_h5_f64_var(w, g, "train_accuracy_curve", 1, &edim, r->train_accuracy_curve,
                                 &ev, "accuracy on the training points", "1")))
            goto out;
    }
    if (r->validation_accuracy && r->n_scores) {
        hsize_t vdim = r->n_scores;
        hid_t ep = -1;
        if (!(st = mlp_h5_i64_coord(w, g, "epoch", r->n_scores, 1, "epoch (0 = the first)", &ep)))
            st = mlp_h5_f64_var(w, g, "validation_accuracy", 1, &vdim, r->validation_accuracy, &ep,
                                "accuracy on the validation split at the end of each epoch", "1");
        if (ep >= 0)
            mlp_h5_scale_close(w, ep, &st);
    }
out:
    free(part);
    if (ly >= 0)
        mlp_h5_scale_close(w, ly, &st);
    if (ev >= 0)
        mlp_h5_scale_close(w, ev, &st);
    mlp_h5_scale_close(w, it, &st);
    return st;
}

/* snapshots/snapshot_iteration, snapshots/layer<l>/W (snapshot_iteration, out, in)
 * and b (snapshot_iteration, out): the parameters every weights_every iterations. */
static mlp_status write_snapshots(mlp_h5w *w, hid_t g, const mlp_run_record *r)
{
    mlp_status st = MLP_OK;
    hid_t sg = -1, lg = -1, si = -1, dout = -1, din = -1;
    size_t np = 0, off = 0;
    double *part = NULL;
    char name[32];

    for (size_t l = 0; l < r->n_layers; l++)
        np += r->width[l + 1] * (r->width[l] + 1);
    if ((sg = mlp_h5_group_create(w, g, "snapshots")) < 0)
        return mlp_h5_failed(w);
    if ((st = mlp_h5_i64_coord(w, sg, "snapshot_iteration", r->n_snapshots,
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
        if ((lg = mlp_h5_group_create(w, sg, name)) < 0 ||
            (dout = mlp_h5_dim_only(w, lg, "out", no)) < 0 ||
            (din = mlp_h5_dim_only(w, lg, "in", ni)) < 0) {
            st = mlp_h5_failed(w);
            goto out;
        }
        for (size_t j = 0; j < r->n_snapshots; j++)
            memcpy(part + j * no * ni, r->snapshots + j * np + off, no * ni * sizeof(double));
        if ((st = mlp_h5_f64_var(w, lg, "W", 3, dw, part, (hid_t[]){si, dout, din},
                                 "weights (snapshot, output unit, input unit)", NULL)))
            goto out;
        for (size_t j = 0; j < r->n_snapshots; j++)
            memcpy(part + j * no, r->snapshots + j * np + off + no * ni, no * sizeof(double));
        if ((st = mlp_h5_f64_var(w, lg, "b", 2, db, part, (hid_t[]){si, dout},
                                 "biases (snapshot, unit)", NULL)))
            goto out;
        off += no * (ni + 1);
        mlp_h5_scale_close(w, din, &st);
        mlp_h5_scale_close(w, dout, &st);
        H5Gclose(lg);
        din = dout = lg = -1;
        if (st)
            goto out;
    }
out:
    free(part);
    if (din >= 0)
        mlp_h5_scale_close(w, din, &st);
    if (dout >= 0)
        mlp_h5_scale_close(w, dout, &st);
    if (lg >= 0)
        H5Gclose(lg);
    if (si >= 0)
        mlp_h5_scale_close(w, si, &st);
    H5Gclose(sg);
    return st;
}

/* weights/layer<l>/W (out, in) and b (out), in the order of model.h. */
static mlp_status write_weights(mlp_h5w *w, hid_t g, const mlp_run_record *r)
{
    mlp_status st = MLP_OK;
    hid_t wg = -1, lg = -1, dout = -1, din = -1;
    const double *p = r->weights;
    char name[32];

    if ((wg = mlp_h5_group_create(w, g, "weights")) < 0)
        return mlp_h5_failed(w);
    for (size_t l = 0; l < r->n_layers; l++) {
        hsize_t dims[2] = {r->width[l + 1], r->width[l]};

        snprintf(name, sizeof(name), "layer%zu", l);
        if ((lg = mlp_h5_group_create(w, wg, name)) < 0 ||
            (dout = mlp_h5_dim_only(w, lg, "out", dims[0])) < 0 ||
            (din = mlp_h5_dim_only(w, lg, "in", dims[1])) < 0) {
            st = mlp_h5_failed(w);
            goto out;
        }
        if ((st = mlp_h5_f64_var(w, lg, "W", 2, dims, p, (hid_t[]){dout, din},
                                 "weights (output unit, input unit)", NULL)))
            goto out;
        p += dims[0] * dims[1];
        if ((st = mlp_h5_f64_var(w, lg, "b", 1, dims, p, &dout, "biases", NULL)))
            goto out;
        p += dims[0];
        mlp_h5_scale_close(w, din, &st);
        mlp_h5_scale_close(w, dout, &st);
        H5Gclose(lg);
        din = dout = lg = -1;
        if (st)
            goto out;
    }
out:
    if (din >= 0)
        mlp_h5_scale_close(w, din, &st);
    if (dout >= 0)
        mlp_h5_scale_close(w, dout, &st);
    if (lg >= 0)
        H5Gclose(lg);
    H5Gclose(wg);
    return st;
}

/* hidden/layer<l> (sample, unit_<l>): one dimension per layer width. */
static mlp_status write_hidden(mlp_h5w *w, hid_t g, const mlp_run_record *r)
{
    mlp_status st = MLP_OK;
    hid_t hg = -1, sample = -1, unit = -1;
    char name[32], uname[32], lname[96];

    if ((hg = mlp_h5_group_create(w, g, "hidden")) < 0 ||
        (sample = mlp_h5_dim_only(w, hg, "sample", r->n_hidden_points)) < 0) {
        st = mlp_h5_failed(w);
        goto out;
    }
    for (size_t l = 0; l + 1 < r->n_layers; l++) {
        hsize_t dims[2] = {r->n_hidden_points, r->width[l + 1]};

        snprintf(name, sizeof(name), "layer%zu", l);
        snprintf(uname, sizeof(uname), "unit_%zu", l);
        snprintf(lname, sizeof(lname), "outputs of hidden layer %zu on the training points", l);
        if ((unit = mlp_h5_dim_only(w, hg, uname, dims[1])) < 0) {
            st = mlp_h5_failed(w);
            goto out;
        }
        if ((st = mlp_h5_f64_var(w, hg, name, 2, dims, r->hidden[l], (hid_t[]){sample, unit}, lname,
                                 NULL)))
            goto out;
        mlp_h5_scale_close(w, unit, &st);
        unit = -1;
        if (st)
            goto out;
    }
out:
    if (unit >= 0)
        mlp_h5_scale_close(w, unit, &st);
    if (sample >= 0)
        mlp_h5_scale_close(w, sample, &st);
    if (hg >= 0)
        H5Gclose(hg);
    return st;
}

/* boundary/prob (grid_y, grid_x) or (grid_y, grid_x, class), with the
 * grid's coordinates; the extent is kept as an attribute too. */
static mlp_status write_boundary(mlp_h5w *w, hid_t g, const mlp_run_record *r)
{
    mlp_status st = MLP_OK;
    hid_t bg = -1, gx = -1, gy = -1, cls = -1;
    size_t k = r->classes_out ? r->classes_out : 1;
    hsize_t dims[3] = {r->resolution, r->resolution, k};

    if ((bg = mlp_h5_group_create(w, g, "boundary")) < 0)
        return mlp_h5_failed(w);
    if ((st = mlp_h5_attr_put(w, bg, "extent", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r->extent, 4)) ||
        (st = mlp_h5_linspace_coord(w, bg, "grid_y", r->resolution, r->extent[2], r->extent[3],
                                    "input feature 1 (grid y)", &gy)) ||
        (st = mlp_h5_linspace_coord(w, bg, "grid_x", r->resolution, r->extent[0], r->extent[1],
                                    "input feature 0 (grid x)", &gx)))
        goto out;
    if (k > 1 && (st = mlp_h5_i64_coord(w, bg, "class", k, 1, "class", &cls)))
        goto out;
    st = mlp_h5_f64_var(
        w, bg, "prob", k > 1 ? 3 : 2, dims, r->boundary, (hid_t[]){gy, gx, cls},
        k > 1 ? "predicted probability of each class" : "predicted probability of class 1", "1");
    if (!st && k > 1) {
        /* the predicted class of every grid point: the first most probable, -1 for NaN */
        size_t np = r->resolution * r->resolution;
        int64_t *am = malloc((np ? np : 1) * sizeof(*am));
        if (!am) {
            st = mlp_fail(w->err, MLP_ERR_NOMEM, "%s: out of memory", w->file);
            goto out;
        }
        mlp_format1_argmax(r->boundary, np, k, am);
        st = mlp_h5_var_write(w, bg, "argmax", H5T_STD_I64LE, H5T_NATIVE_INT64, 2, dims, am,
                              (hid_t[]){gy, gx}, "predicted class (the most probable)", NULL, NULL);
        free(am);
    }
out:
    if (cls >= 0)
        mlp_h5_scale_close(w, cls, &st);
    if (gx >= 0)
        mlp_h5_scale_close(w, gx, &st);
    if (gy >= 0)
        mlp_h5_scale_close(w, gy, &st);
    H5Gclose(bg);
    return st;
}

/* Everything a run leaves, into group g: the content of the sweep file's
 * /runs/run_<k>/.  Every axis gets a dimension scale: coordinates where the axis has
 * values (iteration, grid_x, grid_y, class), netCDF dimension-only scales
 * elsewhere, named per group so that one name has one length. */
mlp_status mlp_format1_write_run(mlp_h5w *w, hid_t g, const mlp_run_record *r)
{
    mlp_status st;
    char name[NAME_MAX_LEN];

    if ((st = mlp_h5_attr_i64(w, g, "index", (int64_t)r->index)) ||
        (st = mlp_h5_attr_i64(w, g, "repeat", (int64_t)r->repeat)) ||
        (st = mlp_h5_attr_u64(w, g, "seed", r->seed)) ||
        (st = mlp_h5_attr_str(w, g, "status", r->status ? "diverged" : "ok")) ||
        (st = mlp_h5_attr_f64(w, g, "wall_seconds", r->wall_seconds)) ||
        (st = mlp_h5_attr_i64(w, g, "iterations", (int64_t)r->iterations)) ||
        (st = mlp_h5_attr_i64(w, g, "iterations_run", (int64_t)r->iterations_run)) ||
        (st = mlp_h5_attr_i64(w, g, "loss_every", (int64_t)r->loss_every)))
        return st;
    if (r->note && r->note[0] && (st = mlp_h5_attr_str(w, g, "note", r->note)))
        return st;
    if ((st = mlp_h5_attr_str(w, g, "stop_reason",
                              r->stop_reason ? r->stop_reason : "iterations")) ||
        (st = mlp_h5_attr_i64(w, g, "best_iteration", (int64_t)r->best_iteration)))
        return st;
    if (r->halving &&
        ((st = mlp_h5_attr_i64(w, g, "halving_bracket", (int64_t)r->halving_bracket)) ||
         (st = mlp_h5_attr_i64(w, g, "halving_rungs", (int64_t)r->halving_rungs))))
        return st;
    if (r->width && r->n_layers) {
        int64_t wv[MLP_RESULTS_MAX_LAYERS + 1];

        if (r->n_layers > MLP_RESULTS_MAX_LAYERS)
            return mlp_fail(w->err, MLP_ERR_RUNTIME, "%s: %zu layers is more than %d", w->file,
                            r->n_layers, MLP_RESULTS_MAX_LAYERS);
        for (size_t l = 0; l <= r->n_layers; l++)
            wv[l] = (int64_t)r->width[l];
        if ((st = mlp_h5_attr_put(w, g, "widths", H5T_STD_I64LE, H5T_NATIVE_INT64, wv,
                                  r->n_layers + 1)))
            return st;
    }
    for (size_t i = 0; i < r->n_params; i++) {
        const mlp_param_cell *c = &r->params[i];

        mlp_h5_nc_name(c->path, name, sizeof(name));
        /* an integer as written (model.hidden: 5) stays an integer */
        if (c->numeric && mlp_results_integer_text(c->text))
            st = mlp_h5_attr_i64(w, g, name, (int64_t)strtoll(c->text, NULL, 10));
        else
            st = c->numeric ? mlp_h5_attr_f64(w, g, name, c->num)
                            : mlp_h5_attr_str(w, g, name, c->text ? c->text : "");
        if (st)
            return st;
    }
    if ((st = mlp_h5_attr_f64(w, g, "final_loss", r->final_loss)) ||
        (st = mlp_h5_attr_f64(w, g, "train_accuracy", r->train_accuracy)) ||
        (st = mlp_h5_attr_f64(w, g, "test_accuracy", r->test_accuracy)) ||
        (st = mlp_h5_attr_i64(w, g, "first_iteration_at_100pct", (int64_t)r->first_100pct)))
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
        hid_t dg = mlp_h5_group_create(w, g, "dataset");

        if (dg < 0)
            return mlp_h5_failed(w);
        st = mlp_format1_write_data(w, dg, "train", r->train);
        if (!st && r->test)
            st = mlp_format1_write_data(w, dg, "test", r->test);
        H5Gclose(dg);
    }
    return st;
}
