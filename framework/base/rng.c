/* rng.c -- counter-based random streams: every draw is a hash of (key, counter),
 * so a stream depends only on how it was keyed and how far it has been read.
 *
 * Formulas (G = 0x9E3779B97F4A7C15, the 64-bit golden ratio; all arithmetic
 * mod 2^64; M = mlp_mix64, splitmix64's finaliser):
 *
 *   key(seed, id, purpose) = M(M(M(seed ^ 0x6D6C706C61622D6BULL) + id * G) + purpose * G)
 *   draw i (i = 0, 1, ...)  = M(key + (i + 1) * G)
 *   mlp_run_seed(seed, k)   = M(M(seed ^ 0x72756E2D73656564ULL) + (k + 1) * G)
 *
 * A stream keyed K is therefore splitmix64 started from state K.  Two streams
 * overlap only if their keys differ by a small multiple of G, which for
 * 64-bit hashed keys has negligible probability. */
#include "base/rng.h"

#include <math.h>

#define MLP_GOLDEN 0x9E3779B97F4A7C15ULL
#define MLP_KEY_SALT 0x6D6C706C61622D6BULL  /* "mlplab-k" */
#define MLP_RUN_SALT 0x72756E2D73656564ULL  /* "run-seed" */

uint64_t mlp_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t mlp_run_seed(uint64_t seed, uint64_t k)
{
    return mlp_mix64(mlp_mix64(seed ^ MLP_RUN_SALT) + (k + 1) * MLP_GOLDEN);
}

void mlp_rng_init(mlp_rng *r, uint64_t seed, uint64_t id, uint32_t purpose)
{
    uint64_t k = mlp_mix64(seed ^ MLP_KEY_SALT);

    k = mlp_mix64(k + id * MLP_GOLDEN);
    r->key = mlp_mix64(k + (uint64_t)purpose * MLP_GOLDEN);
    r->counter = 0;
    r->have_spare = false;
    r->spare = 0.0;
}

uint64_t mlp_rng_u64(mlp_rng *r)
{
    r->counter++;
    return mlp_mix64(r->key + r->counter * MLP_GOLDEN);
}

double mlp_rng_uniform(mlp_rng *r)
{
    return (double)(mlp_rng_u64(r) >> 11) * 0x1.0p-53;
}

/* Box-Muller: two uniforms give two independent normals; the second is kept
 * for the next call.  1 - u lies in (0, 1], so the log is finite. */
double mlp_rng_normal(mlp_rng *r)
{
    const double two_pi = 6.283185307179586476925286766559;
    double u1, u2, rad;

    if (r->have_spare) {
        r->have_spare = false;
        return r->spare;
    }
    u1 = mlp_rng_uniform(r);
    u2 = mlp_rng_uniform(r);
    rad = sqrt(-2.0 * log(1.0 - u1));
    r->spare = rad * sin(two_pi * u2);
    r->have_spare = true;
    return rad * cos(two_pi * u2);
}

/* Rejection of the lowest 2^64 mod n values makes every residue equally
 * likely.  n == 0 is a caller error; it returns 0 rather than dividing by 0. */
uint64_t mlp_rng_below(mlp_rng *r, uint64_t n)
{
    uint64_t threshold, x;

    if (n == 0)
        return 0;
    threshold = (0 - n) % n; /* 2^64 mod n */
    do {
        x = mlp_rng_u64(r);
    } while (x < threshold);
    return x % n;
}

void mlp_rng_shuffle(mlp_rng *r, size_t *idx, size_t n)
{
    size_t i, j, t;

    for (i = n; i > 1; i--) {
        j = (size_t)mlp_rng_below(r, (uint64_t)i);
        t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

static uint64_t api_u64(void *state)
{
    return mlp_rng_u64(state);
}

static double api_uniform(void *state)
{
    return mlp_rng_uniform(state);
}

static double api_normal(void *state)
{
    return mlp_rng_normal(state);
}

void mlp_rng_api_bind(mlp_rng *r, mlp_rng_api *api)
{
    api->state = r;
    api->next_u64 = api_u64;
    api->uniform = api_uniform;
    api->normal = api_normal;
}
