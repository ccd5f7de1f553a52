/* rng.h -- counter-based random streams.  A stream is a pure function of
 * (key, counter): the key is derived from (seed, run, purpose) and the i-th
 * draw is a hash of (key, i), so every stream is reproducible on its own,
 * whatever thread draws from it and in whatever order streams are used. */
#ifndef MLPLAB_RNG_H
#define MLPLAB_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlplab/plugin.h"

/* Purposes: one stream per (seed, run, purpose). */
enum {
    MLP_STREAM_INIT = 1,     /* initial weights of a run */
    MLP_STREAM_BATCH = 2,    /* minibatch shuffling of a run */
    MLP_STREAM_TRAIN = 3,    /* training points of a dataset */
    MLP_STREAM_TEST = 4,     /* test points of a dataset */
    MLP_STREAM_SAMPLE = 5,   /* a random search's point (id: the sample) */
    MLP_STREAM_SCRAMBLE = 6  /* a Sobol design's scrambling (id: 0) */
};

typedef struct mlp_rng {
    uint64_t key;
    uint64_t counter;
    bool have_spare;         /* Box-Muller's second value is cached */
    double spare;
} mlp_rng;

/* splitmix64's finaliser: a bijective 64-bit mixer. */
uint64_t mlp_mix64(uint64_t z);

/* Seed of run k of a sweep with base seed `seed`: depends on (seed, k) only. */
uint64_t mlp_run_seed(uint64_t seed, uint64_t k);

/* Start the stream (seed, id, purpose) at counter 0. */
void mlp_rng_init(mlp_rng *r, uint64_t seed, uint64_t id, uint32_t purpose);

uint64_t mlp_rng_u64(mlp_rng *r);
double mlp_rng_uniform(mlp_rng *r);            /* [0, 1), 53 bits */
double mlp_rng_normal(mlp_rng *r);             /* N(0, 1), Box-Muller */
uint64_t mlp_rng_below(mlp_rng *r, uint64_t n); /* uniform in [0, n), unbiased, n > 0 */

/* Fisher-Yates shuffle of idx[0..n). */
void mlp_rng_shuffle(mlp_rng *r, size_t *idx, size_t n);

/* The ABI view of a stream, for dataset plugins (api->state = r). */
void mlp_rng_api_bind(mlp_rng *r, mlp_rng_api *api);

#endif
