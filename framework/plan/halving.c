/* halving.c -- rungs, brackets and the promotion rule of successive halving
 * and Hyperband: pure functions of the settings, the metrics and the run
 * indices. */
#include "plan/halving.h"

#include <math.h>
#include <stdint.h>

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
    if (brackets < 1 || brackets > h->n_rungs)
        return mlp_fail(err, MLP_ERR_USAGE,
                        "halving: brackets must be between 1 and %zu (the rungs), got %zu",
                        h->n_rungs, brackets);
    /* Hyperband's n_s for bracket b (s = S - b): eta^s capped, so that the
     * period stays far from overflowing whatever eta and the rungs */
    const size_t S = h->n_rungs - 1;
    const uint64_t cap = (uint64_t)1 << 30;
    for (b = 0; b < brackets; b++) {
        size_t s = S - b;
        uint64_t pw = 1;
        for (size_t i = 0; i < s; i++) {
            if (pw > cap / eta) {
                pw = cap;
                break;
            }
            pw *= eta;
        }
        /* ceil((S + 1) * pw / (s + 1)), exactly in integers */
        h->weight[b] = ((uint64_t)(S + 1) * pw + s) / (s + 1);
        h->period += h->weight[b];
    }
    return MLP_OK;
}

/* One step of the smooth weighted round robin: the bracket that takes the
 * next run.  Over `period` steps bracket b takes exactly weight[b] runs and
 * every current[] is back at 0, so the pattern repeats. */
static size_t deal(const mlp_halving *h, int64_t *current)
{
    size_t pick = 0;

    for (size_t b = 0; b < h->brackets; b++) {
        current[b] += (int64_t)h->weight[b];
        if (current[b] > current[pick])
            pick = b;
    }
    current[pick] -= (int64_t)h->period;
    return pick;
}

void mlp_halving_assign(const mlp_halving *h, size_t n, size_t *bracket)
{
    int64_t current[MLP_HALVING_MAX_RUNGS] = {0};
    size_t first = (uint64_t)n < h->period ? n : (size_t)h->period;

    for (size_t k = 0; k < first; k++)
        bracket[k] = deal(h, current);
    for (size_t k = first; k < n; k++)
        bracket[k] = bracket[k % h->period];
}

void mlp_halving_counts(const mlp_halving *h, size_t n, size_t count[MLP_HALVING_MAX_RUNGS])
{
    int64_t current[MLP_HALVING_MAX_RUNGS] = {0};
    uint64_t periods = (uint64_t)n / h->period, rest = (uint64_t)n % h->period;

    for (size_t b = 0; b < MLP_HALVING_MAX_RUNGS; b++)
        count[b] = b < h->brackets ? (size_t)(periods * h->weight[b]) : 0;
    for (uint64_t k = 0; k < rest; k++)
        count[deal(h, current)]++;
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

double mlp_halving_plan(const mlp_halving *h, size_t b, size_t n,
                        size_t runs[MLP_HALVING_MAX_RUNGS])
{
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
