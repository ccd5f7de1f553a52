/* dataset.c -- the checks of a dataset plugin: generated points and their shape,
 * determinism and streams, threads, and (for one that loads) describe and load. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "check/internal.h"

/* Points and labels: finite, integral labels in [0, classes).  Returns the
 * first problem as a sentence in buf, or NULL. */
static const char *points_bad(const double *x, const double *y, size_t n, size_t dim,
                              size_t classes, char *buf, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < dim; j++)
            if (!isfinite(x[i * dim + j])) {
                snprintf(buf, len, "coordinate %zu of point %zu is %g", j, i, x[i * dim + j]);
                return buf;
            }
        if (!(y[i] >= 0.0 && y[i] < (double)classes && y[i] == floor(y[i]))) {
            snprintf(buf, len, "label of point %zu is %g, not an integer in [0, %zu)", i, y[i],
                     classes);
            return buf;
        }
    }
    return NULL;
}

/* Generate n points from stream (seed, id) into x, y, the call marked in the
 * shared page. */
static int gen(checker *c, const mlp_param_value *p, uint64_t seed, size_t n, double *x,
               double *y, const char **why)
{
    mlp_rng r;
    mlp_rng_api api;
    int rc;

    *why = NULL;
    mlp_rng_init(&r, seed, 0, MLP_STREAM_TRAIN);
    mlp_rng_api_bind(&r, &api);
    mlp_probe_enter(c, "generate", NULL, NULL, n);
    rc = c->pl->d.data->generate(&api, n, x, y, p, why);
    mlp_probe_leave(c);
    return rc;
}

#define GEN_MAXN 200
#define CLASS_N 2000

/* A NOTE when a declared class never appears in CLASS_N generated points. */
static void data_classes(checker *c, const setting *s, size_t dim, size_t classes)
{
    double *x = malloc(CLASS_N * dim * sizeof(double)), *y = malloc(CLASS_N * sizeof(double));
    size_t *count = calloc(classes, sizeof(size_t)), missing = 0, first = 0;
    char where[SET_LEN + 8];
    const char *why;

    if (!x || !y || !count || gen(c, s->v, 1, CLASS_N, x, y, &why) != 0)
        goto out;
    for (size_t i = 0; i < CLASS_N; i++)
        if (y[i] >= 0.0 && y[i] < (double)classes)
            count[(size_t)y[i]]++;
    for (size_t j = classes; j-- > 0;)
        if (!count[j])
            missing++, first = j;
    if (missing) {
        mlp_check_say(c, "class %zu of %zu never appears in %d generated points%s%s: the "
            "descriptor declares more classes than the labels use", first, classes, CLASS_N,
            missing > 1 ? " (nor do other classes)" : "",
            mlp_check_in_setting(s, where, sizeof(where)));
        mlp_check_emit_plain(c, "classes", MLP_CHECK_NOTE, s->text);
    }
out:
    free(x), free(y), free(count);
}

static void data_generate(checker *c, const setting *s)
{
    static const size_t sizes[] = {1, 7, GEN_MAXN};
    const mlp_dataset_desc *d = c->pl->d.data;
    size_t dim = d->dim, classes = d->classes;
    char where[SET_LEN + 8], why_buf[256];
    const char *at = mlp_check_in_setting(s, where, sizeof(where));

    why_buf[0] = '\0';
    /* a generator whose shape depends on its parameters says so through describe */
    if (mlp_dataset_describes(c->pl)) {
        size_t rows = 0;
        uint32_t dm = 0, cl = 0;
        if (d->describe(s->v, &rows, &dm, &cl, why_buf, sizeof(why_buf)) != 0 || dm == 0 ||
            cl < 2) {
            mlp_check_say(c, "describe failed%s: %s", at, why_buf[0] ? why_buf : "bad shape");
            mlp_check_emit_plain(c, "generate", MLP_CHECK_FAIL, s->text);
            return;
        }
        dim = dm;
        classes = cl;
    }
    double *x = malloc((GEN_MAXN * dim + CANARY) * sizeof(double));
    double y[GEN_MAXN + CANARY];
    size_t count[8] = {0};

    if (!x) {
        mlp_check_say(c, "out of memory");
        mlp_check_emit_plain(c, "generate", MLP_CHECK_FAIL, s->text);
        return;
    }
    for (size_t k = 0; k < 3; k++) {
        const size_t n = sizes[k];
        const char *why, *bad;
        mlp_canary_set(x, n * dim);
        mlp_canary_set(y, n);
        if (gen(c, s->v, 1, n, x, y, &why) != 0) {
            mlp_check_say(c, "generate refused n=%zu%s: %s", n, at, why ? why : "(no reason "
                "given)");
            mlp_check_emit_plain(c, "generate", MLP_CHECK_FAIL, s->text);
            goto out;
        }
        if (!mlp_canary_ok(x, n * dim) || !mlp_canary_ok(y, n)) {
            mlp_check_say(c, "generate writes past the end of %s for n=%zu%s (x holds n x dim = "
                "%zu x %zu, y holds n)", mlp_canary_ok(x, n * dim) ? "y" : "x", n, at, n, dim);
            mlp_check_emit_plain(c, "generate", MLP_CHECK_FAIL, s->text);
            goto out;
        }
        if ((bad = points_bad(x, y, n, dim, classes, why_buf, sizeof(why_buf)))) {
            mlp_check_say(c, "generate n=%zu%s: %s", n, at, bad);
            mlp_check_emit_plain(c, "generate", MLP_CHECK_FAIL, s->text);
            goto out;
        }
    }
    for (size_t i = 0; i < GEN_MAXN; i++)
        if ((size_t)y[i] < 8)
            count[(size_t)y[i]]++;
    mlp_check_say(c, "n = 1, 7, 200%s: x (n, %zu) and y (n) written exactly, coordinates finite, "
        "labels integers in [0, %zu); 200 points:", at, dim, classes);
    for (size_t j = 0; j < classes && j < 8; j++)
        mlp_check_add(c, "%s %zu of class %zu", j ? "," : "", count[j], j);
    if (classes > 8)
        mlp_check_add(c, ", ...");
    mlp_check_emit(c, "generate", MLP_CHECK_PASS, s->text, 208, NAN, NAN, NAN);
    data_classes(c, s, dim, classes);
out:
    free(x);
}

/* Input dimension of the points a setting generates: describe's when the
 * plugin has it (a shape that depends on parameters), else the descriptor's;
 * 0 when describe refuses the setting. */
static size_t setting_dim(checker *c, const setting *s)
{
    const mlp_dataset_desc *d = c->pl->d.data;
    size_t rows = 0;
    uint32_t dm = 0, cl = 0;
    char why[256];

    if (!mlp_dataset_describes(c->pl))
        return d->dim;
    if (d->describe(s->v, &rows, &dm, &cl, why, sizeof(why)) != 0)
        return 0;
    return dm;
}

static void data_determinism(checker *c)
{
    const size_t n = GEN_MAXN;
    size_t maxdim = 1;
    for (size_t s = 0; s < c->n_set; s++) {
        size_t ds = setting_dim(c, &c->set[s]);
        maxdim = ds > maxdim ? ds : maxdim;
    }
    double *x1 = malloc(n * maxdim * sizeof(double)), *x2 = malloc(n * maxdim * sizeof(double));
    double y1[GEN_MAXN], y2[GEN_MAXN];
    const char *why;
    bool same = true;

    if (!x1 || !x2) {
        mlp_check_say(c, "out of memory");
        mlp_check_emit_plain(c, "determinism", MLP_CHECK_FAIL, "");
        goto out;
    }
    for (size_t s = 0; s < c->n_set; s++) {
        char where[SET_LEN + 8];
        const size_t dim = setting_dim(c, &c->set[s]);
        if (dim == 0)
            continue; /* reported by the generate check */
        if (gen(c, c->set[s].v, 42, n, x1, y1, &why) || gen(c, c->set[s].v, 42, n, x2, y2, &why))
            continue; /* reported by the generate check */
        size_t ix = mlp_diff_first(x1, x2, n * dim), iy = mlp_diff_first(y1, y2, n);
        if (ix < n * dim || iy < n) {
            mlp_check_say(c, "the same stream gives different points%s: ",
                mlp_check_in_setting(&c->set[s], where, sizeof(where)));
            if (ix < n * dim)
                mlp_check_add(c, "point %zu coordinate %zu is %.17g then "
                    "%.17g", ix / dim, ix % dim, x1[ix],
                    x2[ix]);
            else
                mlp_check_add(c, "label of point %zu is %g then %g", iy, y1[iy], y2[iy]);
            mlp_check_emit_plain(c, "determinism", MLP_CHECK_FAIL, c->set[s].text);
            goto out;
        }
    }
    mlp_check_say(c, "the same stream gives identical bytes (200 points, %zu setting%s)", c->n_set,
        c->n_set == 1 ? "" : "s");
    const size_t dim0 = setting_dim(c, &c->set[0]);
    mlp_check_emit(c, "determinism", MLP_CHECK_PASS, "", n * (dim0 + 1) * c->n_set, NAN, NAN, NAN);

    /* another stream, other points (at the base setting) */
    if (dim0 && gen(c, c->set[0].v, 42, n, x1, y1, &why) == 0 &&
        gen(c, c->set[0].v, 43, n, x2, y2, &why) == 0) {
        same = mlp_diff_first(x1, x2, n * dim0) == n * dim0 && mlp_diff_first(y1, y2, n) == n;
        if (same) {
            mlp_check_say(c, "two different streams give the same 200 points: the data does not "
                "depend on the seed (fine for a fixed data set, suspicious for a random one)");
            mlp_check_emit_plain(c, "stream", MLP_CHECK_NOTE, c->set[0].text);
        } else {
            mlp_check_say(c, "two different streams give different points (%zu of %zu coordinates "
                "differ)", mlp_diff_count(x1, x2, n * dim0), n * dim0);
            mlp_check_emit_plain(c, "stream", MLP_CHECK_PASS, c->set[0].text);
        }
    }
out:
    free(x1), free(x2);
}

static mlp_status data_threads(checker *c, mlp_error *err)
{
    static const char *const names[] = {"a coordinate", "a label"};
    const int nt = c->threads;
    const size_t n = 2000, dim = setting_dim(c, &c->set[0]) ? setting_dim(c, &c->set[0]) : 1,
                 len = n * dim;
    double *rx = malloc(len * (size_t)nt * sizeof(double)), *x = malloc(len * (size_t)nt * sizeof(double));
    double *ry = malloc(n * (size_t)nt * sizeof(double)), *y = malloc(n * (size_t)nt * sizeof(double));
    thread_diff *td = calloc((size_t)nt, sizeof(*td));
    mlp_status st = MLP_OK;
    const char *why;

    if (!rx || !x || !ry || !y || !td) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "check-plugin: out of memory");
        goto out;
    }
    for (int t = 0; t < nt; t++)
        if (gen(c, c->set[0].v, 1000 + (uint64_t)t, n, rx + t * len, ry + t * n, &why) != 0) {
            mlp_check_say(c, "generate refused n=%zu: %s", n, why ? why : "(no reason given)");
            mlp_check_emit_plain(c, "threads", MLP_CHECK_FAIL, c->set[0].text);
            goto out;
        }
#pragma omp parallel for num_threads(nt) schedule(static, 1)
    for (int t = 0; t < nt; t++) {
        for (int rep = 0; rep < THREAD_REPS; rep++) {
            const char *w;
            gen(c, c->set[0].v, 1000 + (uint64_t)t, n, x + t * len, y + t * n, &w);
            mlp_diff_note(&td[t], x + t * len, rx + t * len, NULL, len, 0);
            mlp_diff_note(&td[t], y + t * n, ry + t * n, NULL, n, 1);
        }
    }
    mlp_threads_report(c, td, nt, len + n, names, "", "generate is called", NULL);
out:
    free(rx), free(x), free(ry), free(y), free(td);
    return st;
}

/* A dataset that loads: only with its parameters given (check-plugin cannot
 * invent a file); describe, load, load again, and from threads. */
static mlp_status data_load(checker *c, mlp_error *err)
{
    const mlp_dataset_desc *d = c->pl->d.data;
    const mlp_param_value *p = c->set[0].v;
    const int nt = c->threads;
    char why[512], buf[256];
    const char *bad;
    size_t rows = 0, len, total = 0;
    uint32_t dim = 0, classes = 0;
    double *x = NULL, *y = NULL, *x2 = NULL, *y2 = NULL;
    size_t *diffs = NULL;
    mlp_status st = MLP_OK;

    why[0] = '\0';
    if (d->describe(p, &rows, &dim, &classes, why, sizeof(why)) != 0) {
        mlp_check_say(c, "describe failed (%s): %s", c->set[0].text, why[0] ? why : "(no reason "
            "given)");
        mlp_check_emit_plain(c, "load", MLP_CHECK_FAIL, c->set[0].text);
        return MLP_OK;
    }
    if (rows == 0 || dim == 0 || classes < 2 || rows > ((size_t)1 << 28) / dim) {
        mlp_check_say(c, "describe gives %zu rows, %u inputs, %u classes (%s): need rows >= 1, "
            "inputs >= 1, classes >= 2", rows, (unsigned)dim, (unsigned)classes, c->set[0].text);
        mlp_check_emit_plain(c, "load", MLP_CHECK_FAIL, c->set[0].text);
        return MLP_OK;
    }
    len = rows * dim;
    x = malloc((len + CANARY) * sizeof(double));
    y = malloc((rows + CANARY) * sizeof(double));
    x2 = malloc(len * (size_t)nt * sizeof(double));
    y2 = malloc(rows * (size_t)nt * sizeof(double));
    diffs = calloc((size_t)nt, sizeof(size_t));
    if (!x || !y || !x2 || !y2 || !diffs) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "check-plugin: out of memory");
        goto out;
    }
    mlp_canary_set(x, len);
    mlp_canary_set(y, rows);
    mlp_probe_enter(c, "load", NULL, NULL, rows);
    int rc = d->load(p, rows, dim, x, y, why, sizeof(why));
    mlp_probe_leave(c);
    if (rc != 0) {
        mlp_check_say(c, "load failed (%s): %s", c->set[0].text, why[0] ? why : "(no reason "
            "given)");
        mlp_check_emit_plain(c, "load", MLP_CHECK_FAIL, c->set[0].text);
        goto out;
    }
    if (!mlp_canary_ok(x, len) || !mlp_canary_ok(y, rows)) {
        mlp_check_say(c, "load writes past the end of %s (%zu rows, %u "
            "inputs)", mlp_canary_ok(x, len) ? "y" : "x",
            rows, (unsigned)dim);
        mlp_check_emit_plain(c, "load", MLP_CHECK_FAIL, c->set[0].text);
        goto out;
    }
    if ((bad = points_bad(x, y, rows, dim, classes, buf, sizeof(buf)))) {
        mlp_check_say(c, "load (%s): %s", c->set[0].text, bad);
        mlp_check_emit_plain(c, "load", MLP_CHECK_FAIL, c->set[0].text);
        goto out;
    }
    mlp_check_say(c, "describe and load (%s): %zu rows of %u inputs, %u classes; values finite, "
        "labels integers in [0, %u)", c->set[0].text, rows, (unsigned)dim, (unsigned)classes,
        (unsigned)classes);
    mlp_check_emit_plain(c, "load", MLP_CHECK_PASS, c->set[0].text);

#pragma omp parallel for num_threads(nt) schedule(static, 1)
    for (int t = 0; t < nt; t++) {
        char w[256];
        if (d->load(p, rows, dim, x2 + t * len, y2 + t * rows, w, sizeof(w)) != 0)
            diffs[t] = len + rows;
        else
            diffs[t] = mlp_diff_count(x2 + t * len, x, len) +
                       mlp_diff_count(y2 + t * rows, y, rows);
    }
    for (int t = 0; t < nt; t++)
        total += diffs[t];
    if (total) {
        mlp_check_say(c, "loading from %d threads at once gives other values than loading alone: "
            "%zu of %zu values differ", nt, total, (len + rows) * (size_t)nt);
        mlp_check_emit_plain(c, "threads", MLP_CHECK_FAIL, c->set[0].text);
    } else {
        mlp_check_say(c, "%d threads loading at once get the same bytes as one load", nt);
        mlp_check_emit_plain(c, "threads", MLP_CHECK_PASS, c->set[0].text);
    }
out:
    free(x), free(y), free(x2), free(y2), free(diffs);
    return st;
}

/* generate at n = 1, 7 with x and y against a guard page: at their end (arg
 * NULL) or before their start. */
static mlp_status data_bounds(checker *c, const void *arg, mlp_error *err)
{
    static const size_t sizes[] = {1, 7};
    const bool at_start = arg != NULL;

    for (size_t s = 0; s < c->n_set; s++) {
        const size_t dim = setting_dim(c, &c->set[s]);
        if (!dim)
            continue; /* reported by the generate check */
        for (size_t j = 0; j < 2; j++) {
            const size_t n = sizes[j];
            const char *why;
            gbuf g[2];
            double *x = mlp_guard_alloc(c, &g[0], "x", n * dim, at_start);
            double *y = mlp_guard_alloc(c, &g[1], "y", n, at_start);
            if (x && y)
                gen(c, c->set[s].v, 1, n, x, y, &why);
            mlp_guard_free(c, &g[0]);
            mlp_guard_free(c, &g[1]);
            if (!x || !y)
                return mlp_fail(err, MLP_ERR_NOMEM, "check-plugin: out of memory");
        }
    }
    mlp_check_say(c, "generate stays inside x and y (n = 1, 7; %zu setting%s), both %s a guard "
        "page", c->n_set, c->n_set == 1 ? "" : "s", at_start ? "starting after" : "ending at");
    mlp_check_emit_plain(c, "bounds", MLP_CHECK_PASS, "");
    return MLP_OK;
}

/* Each parameter varied must change the generated points. */
static mlp_status data_params(checker *c, const void *arg, mlp_error *err)
{
    const size_t n = GEN_MAXN;
    size_t maxdim = 1;
    char names[512] = "";
    mlp_status st = MLP_OK;

    (void)arg;
    for (size_t s = 0; s < c->n_set; s++) {
        size_t ds = setting_dim(c, &c->set[s]);
        maxdim = ds > maxdim ? ds : maxdim;
    }
    double *x0 = calloc(n * maxdim, sizeof(double)), *x1 = calloc(n * maxdim, sizeof(double));
    double y0[GEN_MAXN], y1[GEN_MAXN];
    const char *why;
    const size_t d0 = setting_dim(c, &c->set[0]);

    if (!x0 || !x1) {
        st = mlp_fail(err, MLP_ERR_NOMEM, "check-plugin: out of memory");
        goto out;
    }
    if (!d0 || gen(c, c->set[0].v, 1, n, x0, y0, &why) != 0)
        goto out; /* reported by the generate check */
    for (uint32_t i = 0; i < c->np; i++) {
        const mlp_param_decl *pd = &c->pl->h->params[i];
        size_t tried = 0;
        bool moved = false;
        char def[64];
        for (size_t s = 1; s < c->n_set && !moved; s++) {
            bool only = true;
            for (uint32_t j = 0; j < c->np; j++)
                only &= (c->set[s].v[j].num != c->set[0].v[j].num) == (j == i);
            if (!only)
                continue;
            tried++;
            const size_t ds = setting_dim(c, &c->set[s]);
            if (ds != d0) {
                moved = true; /* it changes the shape */
                break;
            }
            if (gen(c, c->set[s].v, 1, n, x1, y1, &why) != 0) {
                moved = true; /* it changes what is accepted */
                break;
            }
            moved = mlp_diff_first(x0, x1, n * d0) < n * d0 || mlp_diff_first(y0, y1, n) < n;
        }
        if (!tried)
            continue;
        if (!moved) {
            mlp_check_value_text(pd, &c->set[0].v[i], def, sizeof(def));
            mlp_check_say(c, "%s changes nothing: generate gives the same %zu points over its "
                "range as at %s=%s; use it, or drop it", pd->name, n, pd->name, def);
            mlp_check_emit_plain(c, "parameter", MLP_CHECK_FAIL, "");
            goto out;
        }
        snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
                 names[0] ? ", " : "", pd->name);
    }
    if (names[0]) {
        mlp_check_say(c, "each parameter varied changes the generated points: %s", names);
        mlp_check_emit_plain(c, "parameter", MLP_CHECK_PASS, "");
    }
out:
    free(x0), free(x1);
    return st;
}

static mlp_status data_generate_run(checker *c, const void *arg, mlp_error *err)
{
    (void)err;
    data_generate(c, arg);
    return MLP_OK;
}

static mlp_status data_determinism_run(checker *c, const void *arg, mlp_error *err)
{
    (void)arg, (void)err;
    data_determinism(c);
    return MLP_OK;
}

static mlp_status data_threads_run(checker *c, const void *arg, mlp_error *err)
{
    (void)arg;
    return data_threads(c, err);
}

static mlp_status data_load_run(checker *c, const void *arg, mlp_error *err)
{
    (void)arg;
    return data_load(c, err);
}

mlp_status mlp_check_dataset(checker *c, mlp_error *err)
{
    static const int start = 1;
    const mlp_dataset_desc *d = c->pl->d.data;
    mlp_status st = MLP_OK;

    if (d->generate && (d->dim > 0 || mlp_dataset_describes(c->pl))) {
        for (size_t k = 0; k < c->n_set && !st; k++)
            st = mlp_check_isolated(c, "generate", data_generate_run, &c->set[k], err);
        if (!st)
            st = mlp_check_isolated(c, "determinism", data_determinism_run, NULL, err);
        if (!st)
            st = mlp_check_isolated(c, "bounds", data_bounds, NULL, err);
        if (!st)
            st = mlp_check_isolated(c, "bounds", data_bounds, &start, err);
        if (!st)
            st = mlp_check_isolated(c, "parameter", data_params, NULL, err);
        if (!st)
            st = mlp_check_isolated(c, "threads", data_threads_run, NULL, err);
        if (st)
            return st;
    }
    if (!mlp_dataset_loads(c->pl))
        return st;
    if (!c->n_sets) {
        mlp_check_say(c, "describe and load skipped: check-plugin cannot invent a source for a "
            "dataset that loads; give its parameters, e.g. --set path=data.csv");
        mlp_check_emit_plain(c, "load", MLP_CHECK_NOTE, "");
        return st;
    }
    return mlp_check_isolated(c, "load", data_load_run, NULL, err);
}
