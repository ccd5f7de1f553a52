/* buildorder.c -- the order a sweep file takes its runs in. */
#include <stdint.h>
#include <stdlib.h>

#include "base/buildorder.h"

struct mlp_grouper {
    uint64_t *hash;
    size_t *first;  /* run + 1; 0: an empty slot */
    size_t cap;     /* a power of two, at least twice the runs */
};

mlp_grouper *mlp_grouper_new(size_t n_runs)
{
    mlp_grouper *g = calloc(1, sizeof(*g));

    if (!g)
        return NULL;
    g->cap = 16;
    while (g->cap < 2 * n_runs)
        g->cap *= 2;
    g->hash = calloc(g->cap, sizeof(*g->hash));
    g->first = calloc(g->cap, sizeof(*g->first));
    if (!g->hash || !g->first) {
        mlp_grouper_free(g);
        return NULL;
    }
    return g;
}

void mlp_grouper_free(mlp_grouper *g)
{
    if (!g)
        return;
    free(g->hash);
    free(g->first);
    free(g);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h = (h ^ v) * UINT64_C(0x100000001b3);
    return h ^ (h >> 29);
}

size_t mlp_grouper_add(mlp_grouper *g, size_t k, const size_t *width, size_t n_width,
                       size_t iterations, double *size)
{
    uint64_t h = mix(UINT64_C(0xcbf29ce484222325), n_width);
    double weights = 0;

    for (size_t i = 0; i < n_width; i++) {
        h = mix(h, width[i]);
        if (i + 1 < n_width)
            weights += (double)width[i] * (double)width[i + 1];
    }
    h = mix(h, iterations);
    *size = weights * (double)iterations;
    for (size_t i = (size_t)h & (g->cap - 1);; i = (i + 1) & (g->cap - 1)) {
        if (!g->first[i]) {
            g->hash[i] = h;
            g->first[i] = k + 1;
            return k;
        }
        if (g->hash[i] == h)
            return g->first[i] - 1;
    }
}

/* a before b: larger size, then smaller index */
static bool larger(size_t a, size_t b, const double *size)
{
    return size[a] != size[b] ? size[a] > size[b] : a < b;
}

/* Sift idx[root] down the heap idx[0 .. end-1], whose top comes last. */
static void sift_down(size_t *idx, size_t root, size_t end, const double *size)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= end)
            break;
        if (child + 1 < end && larger(idx[child], idx[child + 1], size))
            child++;
        if (!larger(idx[root], idx[child], size))
            break;
        size_t t = idx[root];
        idx[root] = idx[child];
        idx[child] = t;
        root = child;
    }
}

void mlp_order_by_size(size_t *idx, size_t n, const double *size)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(idx, i, n, size);
    for (size_t end = n; end-- > 1;) {
        size_t t = idx[0];
        idx[0] = idx[end];
        idx[end] = t;
        sift_down(idx, 0, end, size);
    }
}

bool mlp_build_order(size_t n, const size_t *group, const double *size, size_t *order,
                     bool *last)
{
    size_t *at = malloc((n ? n : 1) * sizeof(size_t)), n_groups = 0, start = 0;

    if (!at)
        return false;
    for (size_t k = 0; k < n; k++) {
        if (group[k] == k) {
            at[k] = 0;
            order[n_groups++] = k;  /* the groups' first runs, sorted below */
        }
        at[group[k]]++;  /* the group's runs, for now */
    }
    mlp_order_by_size(order, n_groups, size);
    for (size_t i = 0; i < n_groups; i++) {  /* at[g]: where group g's runs start */
        size_t g = order[i], count = at[g];
        at[g] = start;
        start += count;
    }
    for (size_t k = 0; k < n; k++) {
        last[k] = false;
        order[at[group[k]]++] = k;
    }
    for (size_t k = 0; k < n; k++)
        if (group[k] == k)
            last[order[at[k] - 1]] = true;  /* at[g] is now one past its group */
    free(at);
    return true;
}
