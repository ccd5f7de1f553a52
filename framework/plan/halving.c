/* halving.c -- rungs, brackets and the promotion rule of successive halving
 * and Hyperband: pure functions of the settings, the metrics and the run
 * indices. */
#include "plan/halving.h"

#include <math.h>

const char *const mlp_halving_metrics[] = {"test_accuracy",  "test_loss", "validation_accuracy",
                                           "train_accuracy", "train_loss", NULL};

mlp_status mlp_halving_init(mlp_halving *h, size_t min_iterations, size_t eta,
                            size_t max_iterations, size_t brackets, mlp_halving_metric metric,
                            mlp_error *err)
{
    size_t b;

    if (min_iterations < 1 || min_iterations >= max_iterations)
        return mlp_fail(err, MLP_ERR_USAGE,
                        "halving: min_iterations must be between 1 and train.iterations - 1 "
                        "(%zu), got %zu", max_iterations ? max_iterations - 1 : 0,
                        min_iterations);
    if (eta < 2)
        return mlp_fail(err, MLP_ERR_USAGE, "halving: eta must be at least 2, got %zu", eta);
    if (min_iterations > max_iterations / eta)
        return mlp_fail(err, MLP_ERR_USAGE,
                        "halving: min_iterations times eta (%zu x %zu) must not exceed "
                        "train.iterations (%zu), or no run is ever stopped", min_iterations, eta,
                        max_iterations);
    *h = (mlp_halving){.on = true, .min_iterations = min_iterations, .eta = eta,
                       .brackets = brackets, .metric = metric};
    /* a rung b while b * eta <= max: the last step is at least eta-fold too */
    for (b = min_iterations; b <= max_iterations / eta && h->n_rungs < MLP_HALVING_MAX_RUNGS - 1;
         b *= eta)
        h->budget[h->n_rungs++] = b;
    h->budget[h->n_rungs++] = max_iterations;
    if (brackets < 1 || brackets > h->n_rungs - 1)
        return mlp_fail(err, MLP_ERR_USAGE,
                        "halving: brackets must be between 1 and %zu (the rungs before the "
                        "last), got %zu", h->n_rungs - 1, brackets);
    return MLP_OK;
}

size_t mlp_halving_bracket(const mlp_halving *h, size_t k)
{
    return k % h->brackets;
}

size_t mlp_halving_keep(const mlp_halving *h, size_t n)
{
    return n / h->eta > 0 ? n / h->eta : 1;
}

bool mlp_halving_maximize(mlp_halving_metric m)
{
    return m == MLP_METRIC_TEST_ACCURACY || m == MLP_METRIC_VALIDATION_ACCURACY ||
           m == MLP_METRIC_TRAIN_ACCURACY;
}

/* a before b: the better value, NaN last, then the smaller index */
static bool before(double va, size_t ia, double vb, size_t ib, bool maximize)
{
    if (isnan(va) != isnan(vb))
        return !isnan(va);
    if (!isnan(va) && va != vb)
        return maximize ? va > vb : va < vb;
    return ia < ib;
}

void mlp_halving_rank(size_t *idx, double *value, size_t n, bool maximize)
{
    for (size_t i = 1; i < n; i++) {
        size_t ki = idx[i], j = i;
        double vi = value[i];
        while (j > 0 && before(vi, ki, value[j - 1], idx[j - 1], maximize)) {
            idx[j] = idx[j - 1];
            value[j] = value[j - 1];
            j--;
        }
        idx[j] = ki;
        value[j] = vi;
    }
}

double mlp_halving_plan(const mlp_halving *h, size_t b, size_t n_runs,
                        size_t runs[MLP_HALVING_MAX_RUNGS])
{
    size_t n = n_runs / h->brackets + (b < n_runs % h->brackets ? 1 : 0);
    double cost = 0;

    for (size_t r = 0; r < MLP_HALVING_MAX_RUNGS; r++)
        runs[r] = 0;
    for (size_t r = b; r < h->n_rungs && n > 0; r++) {
        runs[r] = n;
        cost += (double)n * (double)(h->budget[r] - (r > b ? h->budget[r - 1] : 0));
        n = mlp_halving_keep(h, n);
    }
    return cost;
}
