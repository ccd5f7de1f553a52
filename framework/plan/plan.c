/* plan.c -- the sweep as a numbered list of runs: cartesian product of the
 * axes in row-major order (last axis fastest), repeats innermost, samples
 * outermost, and the
 * expansion of {from, to, step} and {from, to, num} ranges. */
#include "plan/plan.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/rng.h"

/* Relative tolerance (of a step) within which `to` counts as reached. */
#define MLP_RANGE_TOL 1e-9

mlp_status mlp_plan_init(mlp_plan *plan, const size_t *axis_len, size_t n_axes, size_t repeats,
                         uint64_t seed, size_t max_runs, mlp_error *err)
{
    size_t i, n;

    if (n_axes > MLP_PLAN_MAX_AXES)
        return mlp_fail(err, MLP_ERR_USAGE, "sweep: %zu axes, at most %d allowed", n_axes,
                        MLP_PLAN_MAX_AXES);
    if (repeats < 1)
        return mlp_fail(err, MLP_ERR_USAGE, "sweep: repeats must be at least 1");
    n = repeats;
    for (i = 0; i < n_axes; i++) {
        if (axis_len[i] == 0)
            return mlp_fail(err, MLP_ERR_USAGE, "sweep: axis %zu has no values", i);
        if (n > SIZE_MAX / axis_len[i])
            return mlp_fail(err, MLP_ERR_USAGE,
                            "sweep: the number of runs overflows (%zu so far times %zu values "
                            "on axis %zu)", n, axis_len[i], i);
        n *= axis_len[i];
    }
    if (max_runs > 0 && n > max_runs)
        return mlp_fail(err, MLP_ERR_USAGE, "sweep: %zu runs exceed the limit of %zu", n,
                        max_runs);

    memset(plan, 0, sizeof(*plan));
    plan->n_axes = n_axes;
    for (i = 0; i < n_axes; i++)
        plan->axis_len[i] = axis_len[i];
    plan->kind = MLP_PLAN_GRID;
    plan->samples = 1;
    plan->repeats = repeats;
    plan->seed = seed;
    plan->n_runs = n;
    return MLP_OK;
}

mlp_status mlp_plan_sample(mlp_plan *plan, mlp_plan_kind kind, size_t samples, size_t max_runs,
                           mlp_error *err)
{
    size_t per = plan->n_runs / plan->samples; /* runs of one sample */

    if (kind != MLP_PLAN_RANDOM && kind != MLP_PLAN_SOBOL)
        return mlp_fail(err, MLP_ERR_USAGE, "sweep: a sampled plan is random or Sobol");
    if (samples < 1)
        return mlp_fail(err, MLP_ERR_USAGE, "sweep: samples must be at least 1");
    if (per > SIZE_MAX / samples)
        return mlp_fail(err, MLP_ERR_USAGE,
                        "sweep: the number of runs overflows (%zu samples times %zu runs each)",
                        samples, per);
    if (max_runs > 0 && per * samples > max_runs)
        return mlp_fail(err, MLP_ERR_USAGE,
                        "sweep: %zu samples of %zu run%s each make %zu runs, over the limit of "
                        "%zu", samples, per, per == 1 ? "" : "s", per * samples, max_runs);
    plan->kind = kind;
    plan->samples = samples;
    plan->n_runs = per * samples;
    return MLP_OK;
}

void mlp_plan_get(const mlp_plan *plan, size_t k, mlp_plan_run *run)
{
    size_t per = plan->n_runs / plan->samples; /* runs of one sample */
    size_t rest = (k % per) / plan->repeats;
    size_t i;

    memset(run, 0, sizeof(*run));
    run->index = k;
    run->sample = k / per;
    run->repeat = k % plan->repeats;
    for (i = plan->n_axes; i-- > 0;) {
        run->value[i] = rest % plan->axis_len[i];
        rest /= plan->axis_len[i];
    }
    run->seed = mlp_run_seed(plan->seed, (uint64_t)k);
}

mlp_status mlp_range_step(double from, double to, double step, double *out, size_t *n,
                          size_t max_n, mlp_error *err)
{
    double q, m;
    size_t count, i;

    if (!isfinite(from) || !isfinite(to) || !isfinite(step))
        return mlp_fail(err, MLP_ERR_USAGE, "range: from, to and step must be finite numbers");
    if (step == 0.0)
        return mlp_fail(err, MLP_ERR_USAGE, "range: step must not be zero");
    if ((to > from && step < 0.0) || (to < from && step > 0.0))
        return mlp_fail(err, MLP_ERR_USAGE,
                        "range: step %g points away from 'to' (from %g to %g)", step, from, to);

    q = (to - from) / step; /* >= 0 */
    m = floor(q + MLP_RANGE_TOL);
    if (!isfinite(q) || m >= (double)max_n)
        return mlp_fail(err, MLP_ERR_USAGE,
                        "range: from %g to %g step %g gives more than %zu values", from, to, step,
                        max_n);
    count = (size_t)m + 1;
    *n = count;
    if (!out)
        return MLP_OK;
    for (i = 0; i < count; i++)
        out[i] = from + (double)i * step;
    if (fabs(out[count - 1] - to) <= MLP_RANGE_TOL * fabs(step))
        out[count - 1] = to;
    return MLP_OK;
}

mlp_status mlp_range_num(double from, double to, size_t num, int log_scale, double *out,
                         size_t max_n, mlp_error *err)
{
    size_t i;

    if (!isfinite(from) || !isfinite(to))
        return mlp_fail(err, MLP_ERR_USAGE, "range: from and to must be finite numbers");
    if (num < 1)
        return mlp_fail(err, MLP_ERR_USAGE, "range: num must be at least 1");
    if (num > max_n)
        return mlp_fail(err, MLP_ERR_USAGE, "range: num %zu exceeds the limit of %zu values",
                        num, max_n);
    if (!isfinite(to - from))
        return mlp_fail(err, MLP_ERR_USAGE, "range: from %g to %g is too wide", from, to);
    if (log_scale && (from <= 0.0 || to <= 0.0))
        return mlp_fail(err, MLP_ERR_USAGE,
                        "range: a log scale needs from and to above zero (from %g to %g)", from,
                        to);
    if (!out)
        return MLP_OK;

    out[0] = from;
    if (num == 1)
        return MLP_OK;
    if (log_scale) {
        /* in decades, so that decade ranges give round numbers: 1e-4..1e-1
         * num 4 is exactly 1e-4, 1e-3, 1e-2, 1e-1 */
        double lf = log10(from), d = (log10(to) - lf) / (double)(num - 1);
        for (i = 1; i + 1 < num; i++)
            out[i] = pow(10.0, lf + (double)i * d);
    } else {
        double d = (to - from) / (double)(num - 1);
        for (i = 1; i + 1 < num; i++)
            out[i] = from + (double)i * d;
    }
    out[num - 1] = to;
    return MLP_OK;
}
