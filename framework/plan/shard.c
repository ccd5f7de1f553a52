/* shard.c -- the runs' order by cost and their deterministic assignment to
 * shards (longest processing time first). */
#include "plan/shard.h"

#include <stdint.h>
#include <stdlib.h>

#include "base/buildorder.h"

void mlp_plan_order_by_cost(size_t *idx, size_t n, const double *cost)
{
    mlp_order_by_size(idx, n, cost);  /* the sweep file's groups use the same order */
}

typedef struct shard_load {
    double cost;     /* of the runs given to it so far */
    unsigned shard;
} shard_load;

static bool lighter(const shard_load *a, const shard_load *b)
{
    if (a->cost != b->cost)
        return a->cost < b->cost;
    return a->shard < b->shard;
}

/* Restore the min-heap after heap[0] grew. */
static void load_sift(shard_load *heap, size_t n)
{
    size_t root = 0;
    for (;;) {
        size_t c = 2 * root + 1;
        if (c >= n)
            break;
        if (c + 1 < n && lighter(&heap[c + 1], &heap[c]))
            c++;
        if (!lighter(&heap[c], &heap[root]))
            break;
        shard_load t = heap[root];
        heap[root] = heap[c];
        heap[c] = t;
        root = c;
    }
}

mlp_status mlp_plan_shard(const double *cost, size_t n, unsigned n_shards, unsigned *owner,
                          mlp_error *err)
{
    if (n_shards == 0 || n_shards > MLP_MAX_SHARDS)
        return mlp_fail(err, MLP_ERR_USAGE, "shards: %u shards; between 1 and %u allowed",
                        n_shards, MLP_MAX_SHARDS);
    size_t *idx = malloc((n ? n : 1) * sizeof(*idx));
    shard_load *heap = malloc(n_shards * sizeof(*heap));
    if (!idx || !heap) {
        free(idx);
        free(heap);
        return mlp_fail(err, MLP_ERR_NOMEM, "shards: out of memory");
    }
    for (size_t k = 0; k < n; k++)
        idx[k] = k;
    mlp_plan_order_by_cost(idx, n, cost);
    /* shards 0, 1, 2, ... with no load: already a heap in (cost, shard) order */
    for (unsigned s = 0; s < n_shards; s++)
        heap[s] = (shard_load){0.0, s};
    for (size_t i = 0; i < n; i++) {
        owner[idx[i]] = heap[0].shard;
        heap[0].cost += cost[idx[i]];
        load_sift(heap, n_shards);
    }
    free(heap);
    free(idx);
    return MLP_OK;
}

static bool parse_uint(const char *s, const char *end, unsigned long *v)
{
    if (s == end || end - s > 7)
        return false;
    *v = 0;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9')
            return false;
        *v = *v * 10 + (unsigned long)(*s - '0');
    }
    return true;
}

bool mlp_shard_parse(const char *text, unsigned *i, unsigned *n)
{
    const char *slash = text, *end;
    unsigned long a, b;

    while (*slash && *slash != '/')
        slash++;
    if (!*slash)
        return false;
    for (end = slash + 1; *end; end++)
        ;
    if (!parse_uint(text, slash, &a) || !parse_uint(slash + 1, end, &b))
        return false;
    if (b == 0 || b > MLP_MAX_SHARDS || a >= b)
        return false;
    *i = (unsigned)a;
    *n = (unsigned)b;
    return true;
}
