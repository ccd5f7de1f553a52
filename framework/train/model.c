/* model.c -- the MLP's parameter block: its layout, creation and
 * initialisation; and whether a loss sums its terms.  The workspaces are in
 * model_block.c, the kernels in model_kernels.c. */
#include "train/model.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

bool mlp_loss_is_sum(const mlp_loss_desc *d, const mlp_param_value *p)
{
    for (uint32_t i = 0; p && i < d->h.n_params; i++) {
        const mlp_param_decl *decl = &d->h.params[i];
        const char *c = decl->choices;
        size_t idx;

        if (decl->type != MLP_PARAM_ENUM || strcmp(decl->name, "reduction") != 0 || !c)
            continue;
        for (idx = 0; idx < (size_t)p[i].num && (c = strchr(c, '|')) != NULL; idx++)
            c++;
        return c && strncmp(c, "sum", 3) == 0 && (c[3] == '|' || c[3] == '\0');
    }
    return false;
}
