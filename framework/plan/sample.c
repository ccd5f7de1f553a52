/* sample.c -- the points of random and Sobol searches: unit points from
 * (seed, sample) alone, a Sobol generator with Joe-Kuo direction numbers and
 * a seeded linear matrix scramble with a digital shift, and the quantile
 * functions that turn a unit coordinate into a value of a distribution. */
#include "plan/sample.h"

#include <math.h>
#include <string.h>

#include "base/rng.h"

/* Joe and Kuo's direction numbers, new-joe-kuo-6.21201, dimensions 2 .. 32:
 * the degree s of the primitive polynomial, its coefficients a (the inner
 * ones, a_1 the most significant bit) and the initial m_1 .. m_s. */
static const struct {
    unsigned s, a;
    unsigned m[7];
} joe_kuo[MLP_SOBOL_MAX_DIMS - 1] = {
    {1, 0, {1}},                             /* d 2 */
    {2, 1, {1, 3}},                          /* d 3 */
    {3, 1, {1, 3, 1}},                       /* d 4 */
    {3, 2, {1, 1, 1}},                       /* d 5 */
    {4, 1, {1, 1, 3, 3}},                    /* d 6 */
    {4, 4, {1, 3, 5, 13}},                   /* d 7 */
    {5, 2, {1, 1, 5, 5, 17}},                /* d 8 */
    {5, 4, {1, 1, 5, 5, 5}},                 /* d 9 */
    {5, 7, {1, 1, 7, 11, 19}},               /* d 10 */
    {5, 11, {1, 1, 5, 1, 1}},                /* d 11 */
    {5, 13, {1, 1, 1, 3, 11}},               /* d 12 */
    {5, 14, {1, 3, 5, 5, 31}},               /* d 13 */
    {6, 1, {1, 3, 3, 9, 7, 49}},             /* d 14 */
    {6, 13, {1, 1, 1, 15, 21, 21}},          /* d 15 */
    {6, 16, {1, 3, 1, 13, 27, 49}},          /* d 16 */
    {6, 19, {1, 1, 1, 15, 7, 5}},            /* d 17 */
    {6, 22, {1, 3, 1, 15, 13, 25}},          /* d 18 */
    {6, 25, {1, 1, 5, 5, 19, 61}},           /* d 19 */
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},      /* d 20 */
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},       /* d 21 */
    {7, 7, {1, 1, 3, 13, 7, 35, 63}},        /* d 22 */
    {7, 8, {1, 3, 5, 9, 1, 25, 53}},         /* d 23 */
    {7, 14, {1, 3, 1, 13, 9, 35, 107}},      /* d 24 */
    {7, 19, {1, 3, 1, 5, 27, 61, 31}},       /* d 25 */
    {7, 21, {1, 1, 5, 11, 19, 41, 61}},      /* d 26 */
    {7, 28, {1, 3, 5, 3, 3, 13, 69}},        /* d 27 */
    {7, 31, {1, 1, 7, 13, 1, 19, 1}},        /* d 28 */
    {7, 32, {1, 3, 7, 5, 13, 19, 59}},       /* d 29 */
    {7, 37, {1, 1, 3, 9, 25, 29, 41}},       /* d 30 */
    {7, 41, {1, 3, 5, 13, 23, 1, 55}},       /* d 31 */
    {7, 42, {1, 3, 7, 3, 13, 59, 17}},       /* d 32 */
};

/* Direction numbers of dimension j (0-based), V_1 .. V_32 as 32-bit fractions:
 * V_i = m_i / 2^i, and past the initial m's Joe and Kuo's recurrence
 * V_i = V_{i-s} ^ (V_{i-s} >> s) ^ a_1 V_{i-1} ^ ... ^ a_{s-1} V_{i-s+1}. */
static void directions(size_t j, uint32_t *v)
{
    if (j == 0) {
        for (unsigned i = 0; i < MLP_SOBOL_BITS; i++)
            v[i] = 1u << (31 - i);
        return;
    }
    unsigned s = joe_kuo[j - 1].s, a = joe_kuo[j - 1].a;
    for (unsigned i = 0; i < s; i++)
        v[i] = joe_kuo[j - 1].m[i] << (31 - i);
    for (unsigned i = s; i < MLP_SOBOL_BITS; i++) {
        v[i] = v[i - s] ^ (v[i - s] >> s);
        for (unsigned k = 1; k < s; k++)
            if ((a >> (s - 1 - k)) & 1u)
                v[i] ^= v[i - k];
    }
}

static unsigned parity32(uint32_t x)
{
    x ^= x >> 16;
    x ^= x >> 8;
    x ^= x >> 4;
    x ^= x >> 2;
    x ^= x >> 1;
    return x & 1u;
}

mlp_status mlp_sobol_init(mlp_sobol *s, size_t n_dims, int scramble, uint64_t seed,
                          mlp_error *err)
{
    mlp_rng r;

    if (n_dims > MLP_SOBOL_MAX_DIMS)
        return mlp_fail(err, MLP_ERR_USAGE, "sobol: %zu dimensions, at most %d", n_dims,
                        MLP_SOBOL_MAX_DIMS);
    memset(s, 0, sizeof(*s));
    s->n_dims = n_dims;
    mlp_rng_init(&r, seed, 0, MLP_STREAM_SCRAMBLE);
    for (size_t j = 0; j < n_dims; j++) {
        directions(j, s->v[j]);
        if (!scramble)
            continue;
        /* row p of the lower-triangular matrix: bit p (the 2^-(p+1) bit) on
         * the diagonal, random bits for the more significant positions */
        uint32_t row[MLP_SOBOL_BITS];
        for (unsigned p = 0; p < MLP_SOBOL_BITS; p++) {
            uint32_t above = p == 0 ? 0u : ~((1u << (32 - p)) - 1u);
            row[p] = ((uint32_t)(mlp_rng_u64(&r) >> 32) & above) | (1u << (31 - p));
        }
        for (unsigned i = 0; i < MLP_SOBOL_BITS; i++) {
            uint32_t y = 0;
            for (unsigned p = 0; p < MLP_SOBOL_BITS; p++)
                y |= (uint32_t)parity32(row[p] & s->v[j][i]) << (31 - p);
            s->v[j][i] = y;
        }
        s->shift[j] = (uint32_t)(mlp_rng_u64(&r) >> 32);
    }
    return MLP_OK;
}

static uint32_t sobol_bits(const mlp_sobol *s, size_t j, uint64_t i)
{
    uint64_t g = i ^ (i >> 1);
    uint32_t x = s->shift[j];

    for (unsigned b = 0; g && b < MLP_SOBOL_BITS; b++, g >>= 1)
        if (g & 1u)
            x ^= s->v[j][b];
    return x;
}

void mlp_sobol_point(const mlp_sobol *s, uint64_t i, double *x)
{
    for (size_t j = 0; j < s->n_dims; j++)
        x[j] = (double)sobol_bits(s, j, i) * 0x1.0p-32;
}

void mlp_plan_unit_point(const mlp_plan *plan, const mlp_sobol *sobol, size_t i, size_t n_dims,
                         double *u)
{
    if (plan->kind == MLP_PLAN_SOBOL) {
        for (size_t j = 0; j < n_dims; j++)
            u[j] = ((double)sobol_bits(sobol, j, (uint64_t)i) + 0.5) * 0x1.0p-32;
        return;
    }
    mlp_rng r;
    mlp_rng_init(&r, plan->seed, (uint64_t)i, MLP_STREAM_SAMPLE);
    for (size_t j = 0; j < n_dims; j++)
        u[j] = ((double)(mlp_rng_u64(&r) >> 11) + 0.5) * 0x1.0p-53;
}

/* ---- distributions ------------------------------------------------------ */

mlp_status mlp_dist_check(const mlp_dist *d, mlp_error *err)
{
    switch (d->kind) {
    case MLP_DIST_UNIFORM:
    case MLP_DIST_LOG_UNIFORM:
    case MLP_DIST_INT_UNIFORM:
        if (!isfinite(d->lo) || !isfinite(d->hi))
            return mlp_fail(err, MLP_ERR_USAGE, "low and high must be finite numbers");
        if (!(d->lo < d->hi))
            return mlp_fail(err, MLP_ERR_USAGE, "low must be below high, got low %g, high %g",
                            d->lo, d->hi);
        if (d->kind == MLP_DIST_LOG_UNIFORM && !(d->lo > 0))
            return mlp_fail(err, MLP_ERR_USAGE,
                            "a log-uniform distribution needs low > 0, got low %g", d->lo);
        if (d->kind == MLP_DIST_INT_UNIFORM &&
            (d->lo != floor(d->lo) || d->hi != floor(d->hi) || fabs(d->lo) > 0x1.0p52 ||
             fabs(d->hi) > 0x1.0p52))
            return mlp_fail(err, MLP_ERR_USAGE, "int_uniform needs integer low and high");
        return MLP_OK;
    case MLP_DIST_NORMAL:
        if (!isfinite(d->mean) || !isfinite(d->std))
            return mlp_fail(err, MLP_ERR_USAGE, "mean and std must be finite numbers");
        if (!(d->std > 0))
            return mlp_fail(err, MLP_ERR_USAGE, "std must be above 0, got %g", d->std);
        return MLP_OK;
    case MLP_DIST_CHOICE: {
        double total = 0;
        if (d->n_choices < 1)
            return mlp_fail(err, MLP_ERR_USAGE, "a choice needs at least one value");
        for (size_t i = 0; d->weights && i < d->n_choices; i++) {
            if (!isfinite(d->weights[i]) || d->weights[i] < 0)
                return mlp_fail(err, MLP_ERR_USAGE, "weights must be finite and >= 0");
            total += d->weights[i];
        }
        if (d->weights && !(total > 0 && isfinite(total)))
            return mlp_fail(err, MLP_ERR_USAGE, "the weights must not all be 0");
        return MLP_OK;
    }
    case MLP_DIST_CONSTANT:
        return MLP_OK;
    }
    return mlp_fail(err, MLP_ERR_USAGE, "unknown distribution");
}

double mlp_normal_quantile(double p)
{
    double lo = -40.0, hi = 40.0;

    /* Phi(x) = erfc(-x / sqrt 2) / 2 rises with x: halve [lo, hi] until the
     * midpoint is one of its ends (the doubles are exhausted) */
    for (int it = 0; it < 2100; it++) {
        double mid = 0.5 * (lo + hi);
        if (mid == lo || mid == hi)
            break;
        if (0.5 * erfc(-mid * 0.70710678118654752440) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

double mlp_dist_quantile(const mlp_dist *d, double u)
{
    switch (d->kind) {
    case MLP_DIST_UNIFORM: {
        double v = d->lo + u * (d->hi - d->lo);
        return v < d->hi ? v : d->lo + (d->hi - d->lo) * (1.0 - 0x1.0p-53);
    }
    case MLP_DIST_LOG_UNIFORM: {
        double a = log(d->lo), b = log(d->hi), v = exp(a + u * (b - a));
        return v < d->lo ? d->lo : v > d->hi ? d->hi : v;
    }
    case MLP_DIST_INT_UNIFORM: {
        double n = d->hi - d->lo + 1.0, v = d->lo + floor(u * n);
        return v > d->hi ? d->hi : v;
    }
    case MLP_DIST_NORMAL:
        return d->mean + d->std * mlp_normal_quantile(u);
    case MLP_DIST_CHOICE: {
        size_t last = d->n_choices - 1;
        if (!d->weights) {
            double v = floor(u * (double)d->n_choices);
            return v > (double)last ? (double)last : v;
        }
        double total = 0, cum = 0;
        for (size_t i = 0; i < d->n_choices; i++)
            total += d->weights[i];
        while (last > 0 && d->weights[last] == 0)
            last--; /* never a weight-0 choice, even at u near 1 */
        for (size_t i = 0; i < last; i++) {
            cum += d->weights[i];
            if (u * total < cum)
                return (double)i;
        }
        return (double)last;
    }
    case MLP_DIST_CONSTANT:
        return 0;
    }
    return 0;
}
