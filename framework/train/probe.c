/* probe.c -- a trained model evaluated on points: accuracy, the decision
 * grid and hidden-layer outputs, in chunks of points through one workspace
 * so memory stays bounded whatever the number of points. */
#include "train/probe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "registry/calling.h"

/* Points evaluated per forward pass. */
#define MLP_PROBE_CHUNK 1024

static const mlp_loss_desc *loss_of(const mlp_plugin_use *loss)
{
    if (!loss || !loss->plugin || !loss->plugin->d.loss || !loss->plugin->d.loss->predict)
        return NULL;
    return loss->plugin->d.loss;
}

/* Predicted class of one point from its prob (k): k == 1, class 1 where
 * prob >= 0.5; k > 1, the first largest prob.  -1 when a prob is NaN. */
static int64_t predict_class(const double *p, size_t k)
{
    size_t c, best = 0;

    if (k == 1)
        return isnan(p[0]) ? -1 : p[0] >= 0.5;
    for (c = 0; c < k; c++) {
        if (isnan(p[c]))
            return -1;
        if (p[c] > p[best])
            best = c;
    }
    return (int64_t)best;
}

void mlp_probe_argmax(const double *prob, size_t n, size_t k, int64_t *cls)
{
    size_t i;

    for (i = 0; i < n; i++)
        cls[i] = predict_class(prob + i * k, k);
}

mlp_status mlp_probe_accuracy(const mlp_model *m, const mlp_plugin_use *loss,
                              const mlp_data *d, double *acc, mlp_error *err)
{
    const mlp_loss_desc *ld = loss_of(loss);
    const size_t k = m->width[m->n_layers];
    const size_t chunk = d->n < MLP_PROBE_CHUNK ? d->n : MLP_PROBE_CHUNK;
    mlp_workspace *ws = NULL;
    double *prob = NULL;
    size_t i0, i, right = 0;
    mlp_status st;

    if (!ld)
        return mlp_fail(err, MLP_ERR_RUNTIME, "probe: no loss function");
    if (d->dim != m->width[0])
        return mlp_fail(err, MLP_ERR_RUNTIME, "probe: data has %zu inputs, the model %zu",
                        d->dim, m->width[0]);
    if (d->n == 0) {
        *acc = NAN;
        return MLP_OK;
    }
    st = mlp_workspace_create(m, 0, &ws, err);
    if (st != MLP_OK)
        return st;
    prob = malloc(2 * chunk * k * sizeof(double));
    if (!prob) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "probe: out of memory");
        goto out;
    }
    for (i0 = 0; i0 < d->n; i0 += chunk) {
        const size_t nb = d->n - i0 < chunk ? d->n - i0 : chunk;
        double *logits = prob + chunk * k;

        mlp_model_logits(m, ws, d->x + i0 * d->dim, nb, logits);
        mlp_calling_enter(ld, "predict");
        ld->predict(logits, prob, nb, k, loss->params);
        mlp_calling_leave();
        for (i = 0; i < nb; i++)
            right += (double)predict_class(prob + i * k, k) == d->y[i0 + i];
    }
    *acc = (double)right / (double)d->n;
out:
    free(prob);
    mlp_workspace_free(ws);
    return st;
}

void mlp_probe_grid_axis(double lo, double hi, size_t res, double *out)
{
    size_t i;

    if (res == 0)
        return;
    out[0] = lo;
    for (i = 1; i < res; i++)
        out[i] = lo + (double)i * (hi - lo) / (double)(res - 1);
}

mlp_status mlp_probe_boundary(const mlp_model *m, const mlp_plugin_use *loss, size_t res,
                              const double extent[4], double *prob, mlp_error *err)
{
    const mlp_loss_desc *ld = loss_of(loss);
    const size_t k = m->width[m->n_layers];
    size_t total, chunk, p0, j, ix, iy;
    mlp_workspace *ws = NULL;
    double *buf = NULL, *gx, *gy, *x;
    mlp_status st;

    if (!ld)
        return mlp_fail(err, MLP_ERR_RUNTIME, "probe: no loss function");
    if (m->width[0] != 2)
        return mlp_fail(err, MLP_ERR_RUNTIME,
                        "probe: a decision grid needs 2-D inputs, the model has %zu", m->width[0]);
    if (res == 0 || res > 100000)
        return mlp_fail(err, MLP_ERR_RUNTIME, "probe: grid resolution %zu out of 1 .. 100000",
                        res);
    total = res * res;
    chunk = total < MLP_PROBE_CHUNK ? total : MLP_PROBE_CHUNK;
    st = mlp_workspace_create(m, 0, &ws, err);
    if (st != MLP_OK)
        return st;
    buf = malloc((2 * res + 2 * chunk + chunk * k) * sizeof(double));
    if (!buf) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "probe: out of memory");
        goto out;
    }
    gx = buf;
    gy = gx + res;
    x = gy + res;
    mlp_probe_grid_axis(extent[0], extent[1], res, gx);
    mlp_probe_grid_axis(extent[2], extent[3], res, gy);
    /* point p = iy*res + ix, so prob (res, res, k) is filled in order; ix and
     * iy counted along (not p % res and p / res: two divisions a point) */
    for (p0 = 0, ix = 0, iy = 0; p0 < total; p0 += chunk) {
        const size_t nb = total - p0 < chunk ? total - p0 : chunk;
        double *logits = x + 2 * chunk;

        for (j = 0; j < nb; j++) {
            x[2 * j] = gx[ix];
            x[2 * j + 1] = gy[iy];
            if (++ix == res) {
                ix = 0;
                iy++;
            }
        }
        mlp_model_logits(m, ws, x, nb, logits);
        mlp_calling_enter(ld, "predict");
        ld->predict(logits, prob + p0 * k, nb, k, loss->params);
        mlp_calling_leave();
    }
out:
    free(buf);
    mlp_workspace_free(ws);
    return st;
}

mlp_status mlp_probe_hidden(const mlp_model *m, const mlp_data *d, double *const *out,
                            mlp_error *err)
{
    const size_t chunk = d->n < MLP_PROBE_CHUNK ? d->n : MLP_PROBE_CHUNK;
    mlp_workspace *ws = NULL;
    size_t i0, l;
    mlp_status st;

    if (d->dim != m->width[0])
        return mlp_fail(err, MLP_ERR_RUNTIME, "probe: data has %zu inputs, the model %zu",
                        d->dim, m->width[0]);
    if (d->n == 0 || m->n_layers < 2)
        return MLP_OK;
    st = mlp_workspace_create(m, chunk, &ws, err);
    if (st != MLP_OK)
        return st;
    for (i0 = 0; i0 < d->n; i0 += chunk) {
        const size_t nb = d->n - i0 < chunk ? d->n - i0 : chunk;

        mlp_model_forward(m, ws, d->x + i0 * d->dim, nb);
        for (l = 0; l + 1 < m->n_layers; l++) {
            const size_t w = m->width[l + 1];
            memcpy(out[l] + i0 * w, ws->a[l], nb * w * sizeof(double));
        }
    }
    mlp_workspace_free(ws);
    return MLP_OK;
}
