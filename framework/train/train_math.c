/* train_math.c -- the numbers of a training step besides the model's:
 * predictions counted right, the penalties and their gradient, gradient
 * norms, the optimizer's update in one flat loop, the learning-rate schedule. */
#include "train/train_math.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "mlplab/kernel.h"
#include "registry/calling.h"

/* pi as a double (Python's math.pi, which PyTorch's schedulers use) */
#define MLP_PI 3.14159265358979323846

/* The label the probability p of class 1 predicts: 1 or 0, and -1 (no
 * label) for a NaN p, which fails both p >= 0.5 and p < 0.5.  Selects, not
 * branches (the labels' order is random to the branch predictor). */
static inline double predicted1(double p)
{
    return p >= 0.5 ? 1.0 : p < 0.5 ? 0.0 : -1.0;
}

/* 1 when the probability p of class 1 predicts the label y (0 or 1), else 0. */
static inline size_t hit1(double p, double y)
{
    return predicted1(p) == y;
}

/* The hits among nb probabilities of class 1, in machine copies as the
 * model's kernels (mlplab/kernel.h): a count, the same on every copy.  The
 * baseline's SSE2 has no 64-bit integer compare, so gcc leaves that copy
 * scalar; the AVX2 and AVX-512 copies are vector loops (tiny runs check
 * their training points every step: it was 6% of 10 000 tiny runs). */
static inline __attribute__((always_inline)) size_t hits1_body(const double *restrict prob,
                                                              const double *restrict y,
                                                              size_t nb)
{
    int64_t ok = 0;  /* as wide as a double */

    for (size_t i = 0; i < nb; i++)
        ok += predicted1(prob[i]) == y[i];
    return (size_t)ok;
}

MLP_ISA_AVX512_FN
static size_t hits1_avx512(const double *restrict prob, const double *restrict y, size_t nb)
{
    return hits1_body(prob, y, nb);
}

MLP_ISA_AVX2_FN
static size_t hits1_avx2(const double *restrict prob, const double *restrict y, size_t nb)
{
    return hits1_body(prob, y, nb);
}

static size_t hits1_baseline(const double *restrict prob, const double *restrict y, size_t nb)
{
    return hits1_body(prob, y, nb);
}

static size_t hits1(const double *prob, const double *y, size_t nb)
{
    if (mlp_isa() >= MLP_ISA_AVX512)
        return hits1_avx512(prob, y, nb);
    if (mlp_isa() >= MLP_ISA_AVX2)
        return hits1_avx2(prob, y, nb);
    return hits1_baseline(prob, y, nb);
}

/* Samples whose prediction matches its label, stopping at the first miss
 * when first_miss: k == 1, class 1 where prob >= 0.5; k > 1, the first
 * largest prob.  logits (n, k), y (n), prob (MLP_CHECK_CHUNK, k) scratch. */
size_t mlp_train_count_correct(const mlp_loss_desc *loss, const mlp_param_value *lp,
                               const double *logits, const double *y, size_t n, size_t k,
                               double *prob, bool first_miss)
{
    size_t i0, i, c, right = 0;

    for (i0 = 0; i0 < n; i0 += MLP_CHECK_CHUNK) {
        const size_t nb = n - i0 < MLP_CHECK_CHUNK ? n - i0 : MLP_CHECK_CHUNK;
        const double *yb = y + i0;

        mlp_calling_enter(loss, "predict");
        loss->predict(logits + i0 * k, prob, nb, k, lp);
        mlp_calling_leave();
        if (k == 1) {
            const size_t ok = hits1(prob, yb, nb);
            if (ok == nb || !first_miss) {
                right += ok;
                continue;
            }
            for (i = 0; i < nb && hit1(prob[i], yb[i]); i++)
                right++;
            return right;
        }
        for (i = 0; i < nb; i++) {
            const double *p = prob + i * k;
            size_t cls = 0;
            bool nan = false;  /* a NaN prediction is wrong, never class 0 (as probe) */

            for (c = 0; c < k; c++) {
                nan = nan || p[c] != p[c];
                if (c > 0 && p[c] > p[cls])
                    cls = c;
            }
            if (!nan && (double)cls == yb[i])
                right++;
            else if (first_miss)
                return right;
        }
    }
    return right;
}

bool mlp_train_all_correct(const mlp_loss_desc *loss, const mlp_param_value *lp,
                           const double *logits, const double *y, size_t n, size_t k, double *prob)
{
    return mlp_train_count_correct(loss, lp, logits, y, n, k, prob, true) == n;
}

/* The penalties' value on the weights (biases excluded) for a batch of nb:
 * l2/2 * sum W^2 + alpha/(2 nb) * sum W^2 + l1 * sum |W|. */
double mlp_train_penalty(const mlp_model *m, const mlp_train_opts *o, size_t nb)
{
    double s2 = 0.0, s1 = 0.0;
    size_t l, i;

    for (l = 0; l < m->n_layers; l++) {
        const double *w = m->params + m->w_off[l];
        const size_t nw = m->width[l] * m->width[l + 1];
        for (i = 0; i < nw; i++) {
            s2 += w[i] * w[i];
            s1 += fabs(w[i]);
        }
    }
    return 0.5 * o->l2 * s2 + 0.5 * o->alpha * s2 / (double)nb + o->l1 * s1;
}

/* grad += (l2 + alpha/nb) * W + l1 * sign(W) on the weights (sign(0) = 0). */
void mlp_train_penalty_grad(const mlp_model *m, const mlp_train_opts *o, size_t nb,
                            double *grad)
{
    const double c2 = o->l2 + o->alpha / (double)nb, c1 = o->l1;
    size_t l, i;

    for (l = 0; l < m->n_layers; l++) {
        const double *w = m->params + m->w_off[l];
        double *g = grad + m->w_off[l];
        const size_t nw = m->width[l] * m->width[l + 1];
        if (c2 != 0.0)
            for (i = 0; i < nw; i++)
                g[i] += c2 * w[i];
        if (c1 != 0.0)
            for (i = 0; i < nw; i++)
                g[i] += c1 * (double)((w[i] > 0.0) - (w[i] < 0.0));
    }
}

/* out (n_layers, 2): L2 norms of each layer's dW and db in grad. */
void mlp_train_grad_norms(const mlp_model *m, const double *grad, double *out)
{
    size_t l, i;

    for (l = 0; l < m->n_layers; l++) {
        const double *gw = grad + m->w_off[l], *gb = grad + m->b_off[l];
        const size_t nw = m->width[l] * m->width[l + 1], nb = m->width[l + 1];
        double sw = 0.0, sb = 0.0;
        for (i = 0; i < nw; i++)
            sw += gw[i] * gw[i];
        for (i = 0; i < nb; i++)
            sb += gb[i] * gb[i];
        out[2 * l] = sqrt(sw);
        out[2 * l + 1] = sqrt(sb);
    }
}

/* One update of p (n) from g (n) with learning rate lr; m1, m2 (n) are the
 * moment blocks, laid out as p.  step is the 1-based update count (Adam's
 * bias correction). */
void mlp_train_optimizer_step(const mlp_train_opts *o, double lr, double *restrict p,
                              const double *restrict g, double *restrict m1, double *restrict m2,
                              size_t n, size_t step)
{
    size_t i;

    switch (o->optimizer) {
    case MLP_OPT_MOMENTUM: {
        /* PyTorch: v = mu v + g; p -= lr v, or lr (g + mu v) with Nesterov */
        const double mu = o->momentum;
        if (o->nesterov) {
            for (i = 0; i < n; i++) {
                m1[i] = mu * m1[i] + g[i];
                p[i] -= lr * (g[i] + mu * m1[i]);
            }
        } else {
            for (i = 0; i < n; i++) {
                m1[i] = mu * m1[i] + g[i];
                p[i] -= lr * m1[i];
            }
        }
        break;
    }
    case MLP_OPT_ADAM: {
        /* PyTorch: p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps) */
        const double b1 = o->beta1, b2 = o->beta2, eps = o->eps;
        const double bc1 = 1.0 - pow(b1, (double)step), bc2 = 1.0 - pow(b2, (double)step);
        const double step_size = lr / bc1, bc2_sqrt = sqrt(bc2);
        for (i = 0; i < n; i++) {
            m1[i] = b1 * m1[i] + (1.0 - b1) * g[i];
            m2[i] = b2 * m2[i] + (1.0 - b2) * g[i] * g[i];
            p[i] -= step_size * m1[i] / (sqrt(m2[i]) / bc2_sqrt + eps);
        }
        break;
    }
    case MLP_OPT_GD:
    case MLP_OPT_SGD:
    default:
        for (i = 0; i < n; i++)
            p[i] -= lr * g[i];
        break;
    }
}

/* The learning rate of iteration t+1 from that of iteration t, for the
 * per-iteration schedules (PyTorch's recursive forms). */
double mlp_train_schedule_next(const mlp_train_opts *o, double lr, size_t t)
{
    const size_t u = t + 1;
    const double T = (double)o->iterations;

    switch (o->schedule) {
    case MLP_SCHED_STEP:
        return u % o->step_size == 0 ? lr * o->gamma : lr;
    case MLP_SCHED_COSINE:
        return (1.0 + cos(MLP_PI * (double)u / T)) / (1.0 + cos(MLP_PI * (double)(u - 1) / T)) *
                   (lr - o->eta_min) +
               o->eta_min;
    default:
        return lr;
    }
}
