/* mlplab_loss.h -- what the in-tree loss plugins share: the `reduction`
 * parameter (mean or sum), the reduction of a summed loss and its gradient,
 * and the identity link's predict.
 *
 * The helpers perform exactly the floating-point operations, in the order,
 * that each plugin performed when it wrote them out itself, so losses,
 * gradients and probabilities keep their bits.
 *
 * Project-internal: included by the shipped plugins only, never installed. */
#ifndef MLPLAB_LOSS_H
#define MLPLAB_LOSS_H

#include <stddef.h>

#include "mlplab/plugin.h"

/* Values of the reduction parameter (an enum index). */
enum { MLPLAB_REDUCTION_MEAN, MLPLAB_REDUCTION_SUM };

/* The declaration of the reduction parameter, for a loss's params[]:
 * `[P_REDUCTION] = MLPLAB_REDUCTION_PARAM,`. */
#define MLPLAB_REDUCTION_PARAM                                                                \
    {                                                                                         \
        .name = "reduction",                                                                  \
        .type = MLP_PARAM_ENUM,                                                               \
        .def = MLPLAB_REDUCTION_MEAN,                                                         \
        .help = "mean or sum of the per-sample losses",                                       \
        .choices = "mean|sum",                                                                \
    }

/* Whether the bound reduction parameter v says mean. */
static inline int mlplab_reduction_is_mean(const mlp_param_value *v)
{
    return v->num == MLPLAB_REDUCTION_MEAN;
}

/* c / count under a mean over count > 0 terms, else c: the factor of a
 * per-term gradient, or the loss from its sum (c = sum). */
static inline double mlplab_reduce(double c, size_t count, int mean)
{
    return mean && count ? c / (double)count : c;
}

/* The loss from its sum, with dz: (len) or NULL, built for the sum, divided
 * by count too under a mean over count > 0 terms. */
static inline double mlplab_reduce_with_grad(double sum, double *dz, size_t len, size_t count,
                                             int mean)
{
    if (!mean || count == 0)
        return sum;
    if (dz) {
        for (size_t i = 0; i < len; i++)
            dz[i] /= (double)count;
    }
    return sum / (double)count;
}

/* predict for the identity link: prob: (n, k) = logits (nothing to do in
 * place). */
static inline void mlplab_predict_identity(const double *z, double *prob, size_t n, size_t k,
                                           const mlp_param_value *p)
{
    (void)p;
    if (prob == z)
        return;
    for (size_t i = 0; i < n * k; i++)
        prob[i] = z[i];
}

#endif
