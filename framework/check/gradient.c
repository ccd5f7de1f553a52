/* gradient.c -- comparing an analytic derivative with central differences, point
 * by point, and the diagnosis of a failure: shared by the activation and loss
 * checks (the tolerances are in internal.h). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "check/internal.h"

void mlp_grad_init(grad_acc *g)
{
    memset(g, 0, sizeof(*g));
    g->at = NAN;
    g->rmin = INFINITY;
    g->rmax = -INFINITY;
}

/* Compare the analytic derivative `ana` at z with central differences of
 * f0 = f(z), fp = f(zp), fm = f(zm) (zm < z < zp).  Returns true when this
 * point became the worst failure (the caller records its context). */
bool mlp_grad_point(grad_acc *g, double z, double zp, double zm, double f0, double fp,
                    double fm, double ana)
{
    double hp = zp - z, hm = z - zm;
    double num = (fp - fm) / (zp - zm);
    double dr = (fp - f0) / hp, dl = (f0 - fm) / hm;
    double big = fmax(fabs(f0), fmax(fabs(fp), fabs(fm)));
    double noise = NOISE_ULPS * DBL_EPSILON * big / fmin(hp, hm);
    bool kink = isfinite(num) && isfinite(dr) && isfinite(dl) &&
                fabs(dr - dl) > TOL * fmax(1.0, fmax(fabs(dr), fabs(dl))) + noise;
    double err, tol, excess, rel;

    g->points++;
    if (z < 0.0)
        g->neg++;
    else if (z > 0.0)
        g->pos++;
    if (kink) {
        /* the central difference means nothing here: the analytic value need
         * only lie between the one-sided slopes */
        double lo = fmin(dl, dr), hi = fmax(dl, dr);
        if (g->kinks < MAX_LISTED)
            g->kink_z[g->kinks] = z;
        g->kinks++;
        tol = TOL * fmax(1.0, fmax(fabs(lo), fabs(hi))) + noise;
        if (ana >= lo - tol && ana <= hi + tol)
            return false;
        g->kink_fails++;
        err = ana < lo ? lo - ana : ana - hi;
        if (!isfinite(err))
            err = INFINITY;
        excess = err / tol;
        rel = err / fmax(fmax(fabs(lo), fabs(hi)), 1e-6);
    } else {
        g->checked++;
        err = fabs(ana - num);
        tol = TOL * fmax(1.0, fmax(fabs(num), fabs(ana))) + noise;
        rel = err / fmax(fabs(num), 1e-6);
        if (!isfinite(err))
            err = rel = INFINITY;
        if (err > g->max_abs || g->checked == 1) {
            g->max_abs = err;
            g->at = z;
        }
        if (rel > g->max_rel)
            g->max_rel = rel;
        if (err <= tol)
            return false;
        excess = err / tol;
        if (fabs(num) > 1e-6 && isfinite(ana)) {
            double r = ana / num;
            g->rmin = fmin(g->rmin, r);
            g->rmax = fmax(g->rmax, r);
            g->n_ratio++;
        }
    }
    g->fails++;
    if (z < 0.0)
        g->neg_fails++;
    else if (z > 0.0)
        g->pos_fails++;
    /* near-ties go to the earlier point: the fixed inputs come first */
    if (g->fails > 1 && !(excess > 1.01 * g->worst))
        return false;
    g->worst = excess;
    g->w_z = z;
    g->w_ana = ana;
    g->w_num = num;
    g->w_abs = err;
    g->w_rel = rel;
    g->w_kink = kink;
    g->w_lo = fmin(dl, dr);
    g->w_hi = fmax(dl, dr);
    return true;
}

/* The diagnosis of a failed gradient check: where it fails and how the
 * analytic values relate to the numeric ones.  `terms` is the number of
 * terms a loss averages over (0 for activations). */
void mlp_grad_diagnose(checker *c, const grad_acc *g, const char *var, size_t terms)
{
    if (g->neg_fails && !g->pos_fails && g->pos)
        mlp_check_add(c, "; wrong only for %s < 0 (%zu of %zu negative points fail, none of %zu "
            "positive)",
            var, g->neg_fails, g->neg, g->pos);
    else if (g->pos_fails && !g->neg_fails && g->neg)
        mlp_check_add(c, "; wrong only for %s > 0 (%zu of %zu positive points fail, none of %zu "
            "negative)",
            var, g->pos_fails, g->pos, g->neg);
    if (g->n_ratio == 0)
        return;
    double r = 0.5 * (g->rmin + g->rmax);
    if (g->rmax - g->rmin <= 1e-3 * fmax(fabs(g->rmin), fabs(g->rmax))) {
        if (fabs(r + 1.0) < 1e-3)
            mlp_check_add(c, "; analytic = -1 x numeric at every failing point: wrong sign");
        else if (terms > 1 && fabs(r - (double)terms) < 1e-3 * (double)terms)
            mlp_check_add(c, "; analytic = %.4g x numeric at every failing point, %zu being the "
                "number of terms in the batch: the loss is divided by it but the gradient is not "
                "(mean/sum confusion)", r, terms);
        else if (terms > 1 && fabs(r * (double)terms - 1.0) < 1e-3)
            mlp_check_add(c, "; analytic = 1/%zu x numeric at every failing point: the gradient is "
                "divided by the batch size but the loss is not (mean/sum confusion)", terms);
        else if (r < 0.0)
            mlp_check_add(c, "; analytic = %.4g x numeric at every failing point: wrong sign and "
                "scale", r);
        else
            mlp_check_add(c, "; analytic = %.4g x numeric at every failing point: wrong scale", r);
    } else {
        mlp_check_add(c, "; analytic / numeric ranges over [%.4g, %.4g] at the failing "
            "points", g->rmin,
            g->rmax);
    }
}

/* The kinks skipped, for a message. */
void mlp_grad_kinks(checker *c, const grad_acc *g, const char *var)
{
    if (!g->kinks)
        return;
    mlp_check_add(c, "; kink%s at %s=", g->kinks == 1 ? "" : "s", var);
    for (size_t i = 0; i < g->kinks && i < MAX_LISTED; i++)
        mlp_check_add(c, "%s%g", i ? ", " : "", g->kink_z[i]);
    if (g->kinks > MAX_LISTED)
        mlp_check_add(c, " and %zu more", g->kinks - MAX_LISTED);
    mlp_check_add(c, " skipped (analytic within the one-sided slopes)");
}
