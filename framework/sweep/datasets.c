/* datasets.c -- the sweep's dataset cache: each distinct dataset (by its
 * key) generated or loaded once, shared read-only by the runs that use it,
 * and freed when the last of them is done. */
#include "sweep/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "base/sha256.h"
#include "registry/calling.h"
#include "train/train.h"

static uint64_t key_hash(const char *key)
{
    char hex[65];
    uint64_t h = 0;

    mlp_sha256_hex(key, strlen(key), hex);
    for (int i = 0; i < 16; i++) {
        int c = hex[i];
        h = (h << 4) | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    return h;
}

static void data_free(mlp_data *d)
{
    free(d->x);
    free(d->y);
    memset(d, 0, sizeof(*d));
}

/* Check a dataset's labels and coordinates as the host receives them. */
static mlp_status data_check(const mlp_plugin *pl, const mlp_data *d, mlp_error *err)
{
    for (size_t i = 0; i < d->n; i++) {
        double y = d->y[i];
        if (!(y >= 0 && y < (double)d->classes && y == floor(y)))
            return mlp_fail(err, MLP_ERR_PLUGIN,
                            "dataset plugin '%s' (%s) gave label %g at point %zu; expected "
                            "0..%zu", pl->name, pl->path, y, i, d->classes - 1);
    }
    for (size_t i = 0; i < d->n * d->dim; i++)
        if (mlp_not_finite(d->x[i]))
            return mlp_fail(err, MLP_ERR_PLUGIN, "dataset plugin '%s' (%s) gave a non-finite "
                            "coordinate at point %zu", pl->name, pl->path, i / d->dim);
    return MLP_OK;
}

static mlp_status data_alloc(mlp_data *d, size_t n, size_t dim, size_t classes, mlp_error *err)
{
    memset(d, 0, sizeof(*d));
    d->n = n;
    d->dim = dim;
    d->classes = classes;
    if (n == 0)
        return MLP_OK;
    d->x = calloc(n * dim, sizeof(double));
    d->y = calloc(n, sizeof(double));
    if (!d->x || !d->y) {
        data_free(d);
        return mlp_fail(err, MLP_ERR_NOMEM, "dataset: out of memory for %zu points", n);
    }
    return MLP_OK;
}

/* n points of the dataset plugin of cfg, shaped (dim, classes), from the
 * stream (seed, hash, purpose). */
static mlp_status data_generate(const mlp_config *cfg, uint64_t seed, uint64_t hash,
                                uint32_t purpose, size_t n, size_t dim, size_t classes,
                                mlp_data *out, mlp_error *err)
{
    const mlp_plugin *pl = cfg->dataset.plugin;
    mlp_rng r;
    mlp_rng_api api;
    const char *why = NULL;
    mlp_status rc;

    if ((rc = data_alloc(out, n, dim, classes, err)) != MLP_OK || n == 0)
        return rc;
    mlp_rng_init(&r, seed, hash, purpose);
    mlp_rng_api_bind(&r, &api);
    mlp_calling_enter(pl->d.data, "generate");
    int failed = pl->d.data->generate(&api, n, out->x, out->y, cfg->dataset.params, &why);
    mlp_calling_leave();
    if (failed != 0) {
        data_free(out);
        return mlp_fail(err, MLP_ERR_PLUGIN, "dataset plugin '%s' (%s) failed: %s", pl->name,
                        pl->path, why ? why : "no reason given");
    }
    if ((rc = data_check(pl, out, err)) != MLP_OK)
        data_free(out);
    return rc;
}

/* A dataset that loads: every row is read, then split.  Without train and
 * test counts the rows train in file order; with them, a permutation from
 * the stream (seed, hash, MLP_STREAM_TRAIN) picks the training rows, then
 * the test rows. */
static mlp_status data_load(const mlp_config *cfg, uint64_t seed, dataset_entry *e,
                            mlp_error *err)
{
    const mlp_plugin *pl = cfg->dataset.plugin;
    mlp_data all;
    size_t *perm = NULL;
    char why[512] = "";
    mlp_status rc;

    rc = data_alloc(&all, e->rows, e->dim, e->classes, err);
    if (rc != MLP_OK)
        return rc;
    mlp_calling_enter(pl->d.data, "load");
    int failed = pl->d.data->load(cfg->dataset.params, e->rows, (uint32_t)e->dim, all.x, all.y,
                                  why, sizeof(why));
    mlp_calling_leave();
    if (failed != 0) {
        why[sizeof(why) - 1] = '\0';
        rc = mlp_fail(err, MLP_ERR_PLUGIN, "dataset plugin '%s' (%s) could not load: %s",
                      pl->name, pl->path, why[0] ? why : "no reason given");
        goto out;
    }
    if ((rc = data_check(pl, &all, err)) != MLP_OK)
        goto out;
    if ((rc = data_alloc(&e->train, e->n_train, e->dim, e->classes, err)) != MLP_OK ||
        (rc = data_alloc(&e->test, e->n_test, e->dim, e->classes, err)) != MLP_OK)
        goto out;
    perm = malloc((e->rows ? e->rows : 1) * sizeof(size_t));
    if (!perm) {
        rc = mlp_fail(err, MLP_ERR_NOMEM, "dataset: out of memory");
        goto out;
    }
    for (size_t i = 0; i < e->rows; i++)
        perm[i] = i;
    if (cfg->n_train || cfg->n_test) {
        mlp_rng r;
        mlp_rng_init(&r, seed, e->hash, MLP_STREAM_TRAIN);
        mlp_rng_shuffle(&r, perm, e->rows);
    }
    for (size_t i = 0; i < e->n_train + e->n_test; i++) {
        mlp_data *d = i < e->n_train ? &e->train : &e->test;
        size_t j = i < e->n_train ? i : i - e->n_train;
        memcpy(d->x + j * e->dim, all.x + perm[i] * e->dim, e->dim * sizeof(double));
        d->y[j] = all.y[perm[i]];
    }
out:
    if (rc != MLP_OK) {
        data_free(&e->train);
        data_free(&e->test);
    }
    free(perm);
    data_free(&all);
    return rc;
}

/* The shape of cfg's dataset, for a new entry: from the descriptor, or for
 * a dataset that loads, from describe (which reads the file now, before
 * any training, so a bad file is reported first). */
static mlp_status dataset_shape(const mlp_config *cfg, dataset_entry *e, mlp_error *err)
{
    const mlp_plugin *pl = cfg->dataset.plugin;
    const mlp_dataset_desc *d = pl->d.data;

    e->n_train = cfg->n_train;
    e->n_test = cfg->n_test;
    e->dim = d->dim;
    e->classes = d->classes;
    if (!mlp_dataset_describes(pl))
        return MLP_OK;
    size_t rows = 0;
    uint32_t dim = 0, classes = 0;
    char why[512] = "";
    mlp_calling_enter(d, "describe");
    int failed = d->describe(cfg->dataset.params, &rows, &dim, &classes, why, sizeof(why));
    mlp_calling_leave();
    if (failed != 0) {
        why[sizeof(why) - 1] = '\0';
        return mlp_fail(err, MLP_ERR_SPEC, "dataset plugin '%s' (%s): %s", pl->name, pl->path,
                        why[0] ? why : "describe failed, no reason given");
    }
    if (!mlp_dataset_loads(pl)) {  /* a generator whose shape depends on its parameters */
        if (dim == 0 || classes < 2)
            return mlp_fail(err, MLP_ERR_PLUGIN, "dataset plugin '%s' (%s) described dimension "
                            "%u with %u classes", pl->name, pl->path, dim, classes);
        e->dim = dim;
        e->classes = classes;
        return MLP_OK;
    }
    if (dim == 0 || classes < 1 || rows == 0)
        return mlp_fail(err, MLP_ERR_PLUGIN, "dataset plugin '%s' (%s) described %zu rows of "
                        "dimension %u with %u classes", pl->name, pl->path, rows, dim, classes);
    if (cfg->n_train + cfg->n_test > rows)
        return mlp_fail(err, MLP_ERR_SPEC, "dataset '%s': train %zu + test %zu points asked, but "
                        "the data have %zu rows", pl->name, cfg->n_train, cfg->n_test, rows);
    if (cfg->record.boundary && dim != 2)
        return mlp_fail(err, MLP_ERR_SPEC, "record.boundary needs 2-D inputs; dataset '%s' has "
                        "%u columns of inputs", pl->name, dim);
    e->rows = rows;
    e->dim = dim;
    e->classes = classes;
    if (e->n_train == 0)
        e->n_train = rows - e->n_test;
    return MLP_OK;
}
/* Index of cfg's dataset in st->data, adding an entry the first time it is
 * seen.  The points themselves are generated later, by mlp_sweep_data_acquire. */
mlp_status mlp_sweep_data_find(sweep_state *st, const mlp_config *cfg, size_t *idx,
                               mlp_error *err)
{
    uint64_t h = key_hash(cfg->dataset_key);
    size_t mask = st->table_cap - 1, slot = (size_t)h & mask;

    for (;; slot = (slot + 1) & mask) {
        size_t v = st->table[slot];
        if (v == 0)
            break;
        if (st->data[v - 1].hash == h && strcmp(st->data[v - 1].key, cfg->dataset_key) == 0) {
            *idx = v - 1;
            return MLP_OK;
        }
    }
    if (st->n_data == st->cap_data) {
        size_t cap = st->cap_data ? 2 * st->cap_data : 4;
        dataset_entry *nd = realloc(st->data, cap * sizeof(*nd));
        if (!nd)
            return mlp_fail(err, MLP_ERR_NOMEM, "sweep: out of memory");
        st->data = nd;
        st->cap_data = cap;
    }
    dataset_entry *e = &st->data[st->n_data];
    memset(e, 0, sizeof(*e));
    e->hash = h;
    e->key = strdup(cfg->dataset_key);
    if (!e->key)
        return mlp_fail(err, MLP_ERR_NOMEM, "sweep: out of memory");
    mlp_status rc = dataset_shape(cfg, e, err);
    if (rc != MLP_OK) {
        free(e->key);
        return rc;
    }
    st->table[slot] = ++st->n_data;
    *idx = st->n_data - 1;
    return MLP_OK;
}

/* A point's coordinates hashed (FNV-1a over the values, -0 as 0). */
static uint64_t point_hash(const double *x, size_t dim)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);

    for (size_t j = 0; j < dim; j++) {
        double v = x[j] + 0.0;
        unsigned char b[sizeof(double)];
        memcpy(b, &v, sizeof(v));
        for (size_t i = 0; i < sizeof(v); i++)
            h = (h ^ b[i]) * UINT64_C(0x100000001b3);
    }
    return h;
}

typedef struct point_key {
    uint64_t hash;
    size_t row;
} point_key;

static int key_cmp(const void *a, const void *b)
{
    const point_key *p = a, *q = b;

    return p->hash < q->hash ? -1 : p->hash > q->hash;
}

/* How many test points of e sit exactly on a training point (the same
 * coordinates): a held-out set must be held out.  Sorted hashes of the
 * training points, then each test point looked up: (n + m) log n.  Memory
 * running out skips the check (it is a warning). */
static void data_overlap(const dataset_entry *e, const char *plugin, char *note, size_t len)
{
    const mlp_data *tr = &e->train, *te = &e->test;
    size_t dim = e->dim, same = 0;
    point_key *keys;

    note[0] = '\0';
    if (tr->n == 0 || te->n == 0 || !(keys = malloc(tr->n * sizeof(*keys))))
        return;
    for (size_t i = 0; i < tr->n; i++)
        keys[i] = (point_key){point_hash(tr->x + i * dim, dim), i};
    qsort(keys, tr->n, sizeof(*keys), key_cmp);
    for (size_t i = 0; i < te->n; i++) {
        const double *x = te->x + i * dim;
        point_key k = {point_hash(x, dim), 0};
        const point_key *at = bsearch(&k, keys, tr->n, sizeof(*keys), key_cmp);
        if (!at)
            continue;
        while (at > keys && at[-1].hash == k.hash)
            at--;
        bool found = false;
        for (; !found && at < keys + tr->n && at->hash == k.hash; at++) {
            found = true;
            for (size_t j = 0; j < dim && found; j++)
                found = tr->x[at->row * dim + j] == x[j];
        }
        same += found;
    }
    free(keys);
    if (same == te->n)
        snprintf(note, len, "dataset '%s': every one of the %zu test points is a training "
                 "point, so test numbers measure nothing held out", plugin, te->n);
    else if (same)
        snprintf(note, len, "dataset '%s': %zu of the %zu test points are training points too, "
                 "so test numbers are not all held out", plugin, same, te->n);
}

/* Make dataset di's points exist (cfg is any run's configuration that uses
 * it: equal keys give equal points, so which run generates them does not
 * matter).  One thread at a time. */
mlp_status mlp_sweep_data_acquire(sweep_state *st, size_t di, const mlp_config *cfg,
                                  mlp_error *err)
{
    mlp_status rc = MLP_OK;

#pragma omp critical(mlplab_data)
    {
        dataset_entry *e = &st->data[di];
        if (!e->ready && mlp_dataset_loads(cfg->dataset.plugin)) {
            rc = data_load(cfg, st->spec->seed, e, err);
            if (rc == MLP_OK)
                e->ready = true;
        } else if (!e->ready) {
            rc = data_generate(cfg, st->spec->seed, e->hash, MLP_STREAM_TRAIN, cfg->n_train,
                               e->dim, e->classes, &e->train, err);
            if (rc == MLP_OK)
                rc = data_generate(cfg, st->spec->seed, e->hash, MLP_STREAM_TEST, cfg->n_test,
                                   e->dim, e->classes, &e->test, err);
            if (rc == MLP_OK) {
                e->ready = true;
                /* a generator that returns its training points again: warn */
                data_overlap(e, cfg->dataset.plugin->name, e->overlap, sizeof(e->overlap));
            } else {
                data_free(&e->train);
            }
        }
    }
    return rc;
}

/* A run that will use dataset di came to this process while the sweep runs
 * (MPI): its points stay until it is done. */
void mlp_sweep_data_use(sweep_state *st, size_t di)
{
#pragma omp critical(mlplab_data)
    st->data[di].users++;
}

/* A run is done with dataset di: free the points once no run needs them,
 * so memory does not grow with the number of datasets a sweep visits.  The
 * shared dataset of an unswept sweep stays: the sweep file stores it. */
void mlp_sweep_data_release(sweep_state *st, size_t di)
{
#pragma omp critical(mlplab_data)
    {
        dataset_entry *e = &st->data[di];
        if (e->users > 0)
            e->users--;
        if (e->users == 0 && st->spec->dataset_swept) {
            data_free(&e->train);
            data_free(&e->test);
            e->ready = false;
        }
    }
}

void mlp_sweep_data_free_all(sweep_state *st)
{
    for (size_t i = 0; i < st->n_data; i++) {
        data_free(&st->data[i].train);
        data_free(&st->data[i].test);
        free(st->data[i].key);
    }
    free(st->data);
    free(st->table);
}

size_t mlp_sweep_output_width(const mlp_config *cfg, const dataset_entry *e)
{
    if (cfg->loss.plugin->d.loss->flags & MLP_LOSS_MULTICLASS)
        return e->classes;
    return 1;
}
