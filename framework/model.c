/* model.c -- the MLP's parameter block, initialisation, and the forward and
 * backward kernels over (batch, width) row-major activations.
 *
 * Kernels work on blocks of MLP_BLOCK samples and carry each block through
 * every layer before the next, so a block's activations stay in cache.
 * Every output element is summed in one fixed order whatever the blocking
 * (z = b + x_0 w_0 + x_1 w_1 + ..., gradients summed over samples in
 * ascending order), so a forward pass over a subset of the samples gives
 * bit-identical values to the same samples within a larger pass. */
#include "model.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Samples carried through all layers at a time. */
#define MLP_BLOCK 64

/* Forward uses the transposed weights (inner loop over the outputs) when a
 * layer has at least this many outputs; narrower layers (the logits) take
 * dot products over the inputs, several samples at a time. */
#define MLP_WIDE_OUT 4

mlp_status mlp_model_create_layers(size_t inputs, const size_t *hidden, size_t n_hidden,
                                   size_t outputs, const mlp_activation_desc *const *acts,
                                   const mlp_param_value *const *act_params, mlp_model **out,
                                   mlp_error *err)
{
    mlp_model *m;
    size_t l, n = 0;

    if (n_hidden > MLP_MAX_HIDDEN)
        return mlp_fail(err, MLP_ERR_USAGE, "model: %zu hidden layers, at most %d allowed",
                        n_hidden, MLP_MAX_HIDDEN);
    for (l = 0; l < n_hidden; l++)
        if (!acts || !acts[l] || !acts[l]->forward || !acts[l]->backward)
            return mlp_fail(err, MLP_ERR_USAGE, "model: hidden layer %zu needs an activation",
                            l);
    m = calloc(1, sizeof(*m));
    if (!m)
        return mlp_fail(err, MLP_ERR_NOMEM, "model: out of memory");
    m->n_layers = n_hidden + 1;
    m->width[0] = inputs;
    for (l = 0; l < n_hidden; l++)
        m->width[l + 1] = hidden[l];
    m->width[n_hidden + 1] = outputs;
    for (l = 0; l <= m->n_layers; l++) {
        if (m->width[l] == 0 || m->width[l] > MLP_MAX_WIDTH) {
            size_t w = m->width[l];
            free(m);
            return mlp_fail(err, MLP_ERR_USAGE, "model: layer %zu has width %zu (1 .. %d allowed)",
                            l, w, MLP_MAX_WIDTH);
        }
    }
    /* widths <= 1e6 and <= 65 layers: n stays far below SIZE_MAX */
    for (l = 0; l < m->n_layers; l++) {
        m->w_off[l] = n;
        n += m->width[l + 1] * m->width[l];
        m->b_off[l] = n;
        n += m->width[l + 1];
    }
    for (l = 0; l < n_hidden; l++) {
        m->act[l] = acts[l];
        m->act_params[l] = act_params ? act_params[l] : NULL;
    }
    m->n_params = n;
    m->params = calloc(n, sizeof(double));
    if (!m->params) {
        free(m);
        return mlp_fail(err, MLP_ERR_NOMEM, "model: out of memory for %zu parameters", n);
    }
    *out = m;
    return MLP_OK;
}

mlp_status mlp_model_create(size_t inputs, const size_t *hidden, size_t n_hidden, size_t outputs,
                            const mlp_activation_desc *act, const mlp_param_value *act_params,
                            mlp_model **out, mlp_error *err)
{
    const mlp_activation_desc *acts[MLP_MAX_HIDDEN];
    const mlp_param_value *ps[MLP_MAX_HIDDEN];
    size_t l;

    if (n_hidden > MLP_MAX_HIDDEN)
        return mlp_fail(err, MLP_ERR_USAGE, "model: %zu hidden layers, at most %d allowed",
                        n_hidden, MLP_MAX_HIDDEN);
    if (n_hidden > 0 && (!act || !act->forward || !act->backward))
        return mlp_fail(err, MLP_ERR_USAGE, "model: hidden layers need an activation");
    for (l = 0; l < n_hidden; l++) {
        acts[l] = act;
        ps[l] = act_params;
    }
    return mlp_model_create_layers(inputs, hidden, n_hidden, outputs, acts, ps, out, err);
}

void mlp_model_free(mlp_model *m)
{
    if (!m)
        return;
    free(m->params);
    free(m);
}

/* scikit-learn's gain for the layer feeding activation act: 2 for its
 * logistic (our sigmoid), 6 otherwise. */
static double sklearn_factor(const mlp_activation_desc *act)
{
    return act && act->h.name && !strcmp(act->h.name, "sigmoid") ? 2.0 : 6.0;
}

/* w (n) from a*(2u-1); the draw order is the array order. */
static void fill_uniform(double *w, size_t n, double a, mlp_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        w[i] = a * (2.0 * mlp_rng_uniform(rng) - 1.0);
}

static void fill_normal(double *w, size_t n, double sd, mlp_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        w[i] = sd * mlp_rng_normal(rng);
}

void mlp_model_init(mlp_model *m, mlp_init_kind kind, double scale, mlp_rng *rng)
{
    size_t l;

    for (l = 0; l < m->n_layers; l++) {
        const size_t in = m->width[l], out = m->width[l + 1];
        const double fin = (double)in, fsum = (double)(in + out);
        double *w = m->params + m->w_off[l], *b = m->params + m->b_off[l];
        double a;

        memset(b, 0, out * sizeof(double));
        switch (kind) {
        case MLP_INIT_HE:
            fill_normal(w, out * in, sqrt(2.0 / fin), rng);
            break;
        case MLP_INIT_HE_UNIFORM:
            fill_uniform(w, out * in, sqrt(6.0 / fin), rng);
            break;
        case MLP_INIT_XAVIER_NORMAL:
            fill_normal(w, out * in, sqrt(2.0 / fsum), rng);
            break;
        case MLP_INIT_UNIFORM:
            a = scale != 0.0 ? scale : 1.0 / sqrt(fin);
            fill_uniform(w, out * in, a, rng);
            fill_uniform(b, out, a, rng);
            break;
        case MLP_INIT_SKLEARN: {
            /* the activation after this layer; the output layer takes the last hidden one */
            const mlp_activation_desc *act =
                m->n_layers < 2 ? NULL : m->act[l + 1 < m->n_layers ? l : m->n_layers - 2];
            a = sqrt(sklearn_factor(act) / fsum);
            fill_uniform(w, out * in, a, rng);
            fill_uniform(b, out, a, rng);
            break;
        }
        case MLP_INIT_XAVIER:
        default:
            fill_uniform(w, out * in, sqrt(6.0 / fsum), rng);
            break;
        }
    }
}

static size_t max_width(const mlp_model *m)
{
    size_t l, w = 0;

    for (l = 0; l <= m->n_layers; l++)
        if (m->width[l] > w)
            w = m->width[l];
    return w;
}

mlp_status mlp_workspace_create(const mlp_model *m, size_t cap, mlp_workspace **out,
                                mlp_error *err)
{
    mlp_workspace *ws;
    size_t l, total = 0, bs = cap < MLP_BLOCK ? cap : MLP_BLOCK, mw = max_width(m);
    double *p;

    if (cap == 0)
        cap = bs = 1;
    for (l = 0; l < m->n_layers; l++) {
        size_t w = m->width[l + 1];
        if (cap > SIZE_MAX / sizeof(double) / 4 / w)
            return mlp_fail(err, MLP_ERR_NOMEM, "model: workspace for %zu samples too large", cap);
        total += cap * w * (l + 1 < m->n_layers ? 2 : 1); /* z, and a for hidden layers */
    }
    total += 2 * bs * mw + 2 * m->n_params;
    ws = calloc(1, sizeof(*ws));
    if (!ws)
        return mlp_fail(err, MLP_ERR_NOMEM, "model: out of memory");
    ws->block = malloc(total * sizeof(double));
    if (!ws->block) {
        free(ws);
        return mlp_fail(err, MLP_ERR_NOMEM, "model: out of memory for a workspace of %zu samples",
                        cap);
    }
    ws->cap = cap;
    p = ws->block;
    for (l = 0; l < m->n_layers; l++) {
        size_t w = m->width[l + 1];
        ws->z[l] = p;
        p += cap * w;
        if (l + 1 < m->n_layers) {
            ws->a[l] = p;
            p += cap * w;
        }
    }
    ws->dz = p;
    p += bs * mw;
    ws->da = p;
    p += bs * mw;
    ws->wt = p;
    p += m->n_params;
    ws->dwt = p;
    *out = ws;
    return MLP_OK;
}

void mlp_workspace_free(mlp_workspace *ws)
{
    if (!ws)
        return;
    free(ws->block);
    free(ws);
}

/* wt (in, out) = transpose of w (out, in). */
static void transpose(double *restrict wt, const double *restrict w, size_t out, size_t in)
{
    size_t o, k;

    for (o = 0; o < out; o++)
        for (k = 0; k < in; k++)
            wt[k * out + o] = w[o * in + k];
}

/* z (n, out) = x (n, in) W^T + b, for a wide layer: wt (in, out) is W
 * transposed, so the inner loop runs over contiguous outputs.  Two inputs
 * per pass over a row of z, summed in the order b + x_0 w_0 + x_1 w_1 + .... */
static void dense_forward_wide(double *restrict z, const double *restrict x,
                               const double *restrict wt, const double *restrict b, size_t n,
                               size_t in, size_t out)
{
    size_t i, k, o;

    for (i = 0; i < n; i++) {
        double *restrict zi = z + i * out;
        const double *restrict xi = x + i * in;

        if (in == 1) {
            const double x0 = xi[0];
            for (o = 0; o < out; o++)
                zi[o] = b[o] + x0 * wt[o];
            continue;
        }
        {
            const double x0 = xi[0], x1 = xi[1];
            const double *restrict w0 = wt, *restrict w1 = wt + out;
            for (o = 0; o < out; o++)
                zi[o] = b[o] + x0 * w0[o] + x1 * w1[o];
        }
        for (k = 2; k + 2 <= in; k += 2) {
            const double x0 = xi[k], x1 = xi[k + 1];
            const double *restrict w0 = wt + k * out, *restrict w1 = w0 + out;
            for (o = 0; o < out; o++)
                zi[o] = zi[o] + x0 * w0[o] + x1 * w1[o];
        }
        if (k < in) {
            const double xk = xi[k];
            const double *restrict wk = wt + k * out;
            for (o = 0; o < out; o++)
                zi[o] += xk * wk[o];
        }
    }
}

/* Same for a narrow layer: dot products over the inputs with w (out, in),
 * eight samples at a time so the eight sums proceed independently. */
static void dense_forward_narrow(double *restrict z, const double *restrict x,
                                 const double *restrict w, const double *restrict b, size_t n,
                                 size_t in, size_t out)
{
    size_t i = 0, k, o, s;

    for (; i + 8 <= n; i += 8) {
        const double *xs = x + i * in;
        for (o = 0; o < out; o++) {
            const double *wo = w + o * in;
            double acc[8];
            for (s = 0; s < 8; s++)
                acc[s] = b[o];
            for (k = 0; k < in; k++) {
                const double wk = wo[k];
                for (s = 0; s < 8; s++)
                    acc[s] += xs[s * in + k] * wk;
            }
            for (s = 0; s < 8; s++)
                z[(i + s) * out + o] = acc[s];
        }
    }
    for (; i < n; i++) {
        const double *xi = x + i * in;
        for (o = 0; o < out; o++) {
            const double *wo = w + o * in;
            double acc = b[o];
            for (k = 0; k < in; k++)
                acc += xi[k] * wo[k];
            z[i * out + o] = acc;
        }
    }
}

const double *mlp_model_forward(const mlp_model *m, mlp_workspace *ws, const double *x, size_t n)
{
    const size_t L = m->n_layers;
    size_t l, i0;

    for (l = 0; l < L; l++)
        if (m->width[l + 1] >= MLP_WIDE_OUT)
            transpose(ws->wt + m->w_off[l], m->params + m->w_off[l], m->width[l + 1],
                      m->width[l]);

    for (i0 = 0; i0 < n; i0 += MLP_BLOCK) {
        const size_t nb = n - i0 < MLP_BLOCK ? n - i0 : MLP_BLOCK;
        const double *in_act = x + i0 * m->width[0];

        for (l = 0; l < L; l++) {
            const size_t in = m->width[l], out = m->width[l + 1];
            double *z = ws->z[l] + i0 * out;

            if (out >= MLP_WIDE_OUT)
                dense_forward_wide(z, in_act, ws->wt + m->w_off[l], m->params + m->b_off[l], nb,
                                   in, out);
            else
                dense_forward_narrow(z, in_act, m->params + m->w_off[l], m->params + m->b_off[l],
                                     nb, in, out);
            if (l + 1 < L) {
                double *a = ws->a[l] + i0 * out;
                m->act[l]->forward(z, a, nb * out, m->act_params[l]);
                in_act = a;
            }
        }
    }
    return ws->z[L - 1];
}

/* Gradients of one dense layer over a block of n samples, accumulated:
 * dw (out, in) += dz^T x, db (out) += column sums of dz, and, when dx is not
 * NULL, dx (n, in) = dz W (overwritten).  x (n, in), dz (n, out), w (out, in).
 * The fused loop reads each sample's dz and x once. */
static void dense_backward(double *restrict dw, double *restrict db, double *restrict dx,
                           const double *restrict x, const double *restrict dz,
                           const double *restrict w, size_t n, size_t in, size_t out)
{
    size_t i, o, k;

    for (i = 0; i < n; i++) {
        const double *restrict xi = x + i * in, *restrict dzi = dz + i * out;
        double *restrict dxi = dx ? dx + i * in : NULL;

        for (o = 0; o < out; o++) {
            const double d = dzi[o];
            double *restrict dwo = dw + o * in;
            const double *restrict wo = w + o * in;

            db[o] += d;
            for (k = 0; k < in; k++)
                dwo[k] += d * xi[k];
            if (dxi) {
                if (o == 0)
                    for (k = 0; k < in; k++)
                        dxi[k] = d * wo[k];
                else
                    for (k = 0; k < in; k++)
                        dxi[k] += d * wo[k];
            }
        }
    }
}

/* The same for a layer with few inputs and more outputs (the first layer on
 * 2-D data): dwt (in, out) += x^T dz, transposed so the inner loop runs over
 * the contiguous outputs, two inputs per pass; dx is never needed there (it
 * is the input layer). */
static void dense_backward_wide(double *restrict dwt, double *restrict db,
                                const double *restrict x, const double *restrict dz, size_t n,
                                size_t in, size_t out)
{
    size_t i, o, k;

    for (i = 0; i < n; i++) {
        const double *restrict xi = x + i * in, *restrict dzi = dz + i * out;

        if (in == 1) {
            const double x0 = xi[0];
            for (o = 0; o < out; o++) {
                db[o] += dzi[o];
                dwt[o] += x0 * dzi[o];
            }
            continue;
        }
        {
            const double x0 = xi[0], x1 = xi[1];
            double *restrict d0 = dwt, *restrict d1 = dwt + out;
            for (o = 0; o < out; o++) {
                const double d = dzi[o];
                db[o] += d;
                d0[o] += x0 * d;
                d1[o] += x1 * d;
            }
        }
        for (k = 2; k < in; k++) {
            const double xk = xi[k];
            double *restrict dwk = dwt + k * out;
            for (o = 0; o < out; o++)
                dwk[o] += xk * dzi[o];
        }
    }
}

void mlp_model_backward(const mlp_model *m, mlp_workspace *ws, const double *x, size_t n,
                        const double *dlogits, double *grad)
{
    const size_t L = m->n_layers;
    size_t l, i0;

    memset(grad, 0, m->n_params * sizeof(double));
    /* the input layer accumulates transposed when it is wider than its input */
    const bool wide0 = m->width[1] > m->width[0];
    if (wide0)
        memset(ws->dwt, 0, m->width[0] * m->width[1] * sizeof(double));

    for (i0 = 0; i0 < n; i0 += MLP_BLOCK) {
        const size_t nb = n - i0 < MLP_BLOCK ? n - i0 : MLP_BLOCK;
        const double *dz = dlogits + i0 * m->width[L];

        for (l = L; l-- > 0;) {
            const size_t in = m->width[l], out = m->width[l + 1];
            const double *xin = l == 0 ? x + i0 * in : ws->a[l - 1] + i0 * in;
            double *db = grad + m->b_off[l];

            if (l == 0 && wide0) {
                dense_backward_wide(ws->dwt, db, xin, dz, nb, in, out);
                break;
            }
            dense_backward(grad + m->w_off[l], db, l > 0 ? ws->da : NULL, xin, dz,
                           m->params + m->w_off[l], nb, in, out);
            if (l > 0) {
                /* through the activation of hidden layer l-1 (width in) */
                m->act[l - 1]->backward(ws->z[l - 1] + i0 * in, ws->a[l - 1] + i0 * in, ws->da,
                                        ws->dz, nb * in, m->act_params[l - 1]);
                dz = ws->dz;
            }
        }
    }
    if (wide0)
        transpose(grad + m->w_off[0], ws->dwt, m->width[0], m->width[1]);
}
