/* test_multiclass.c -- k classes end to end: the softmax_ce loss against
 * PyTorch (tests/reference/torch_multiclass.h) and central differences, at
 * numerical extremes and for k = 2; the blobs dataset against scikit-learn's
 * split, its shape, centers and determinism; argmax accuracy and the class
 * layout of the decision grid through the real loss; and the runner training
 * a three-arm spiral and four blobs to high accuracy. */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "train/probe.h"
#include "reference/torch_multiclass.h"

#define TOL 1e-7        /* relative and absolute tolerance of the difference checks */
#define TORCH_REL 1e-12 /* against PyTorch: relative ... */
#define TORCH_ABS 1e-15 /* ... plus absolute */
#define MAXP 8          /* parameters of softmax_ce or blobs, at most */
#define MAXN 16         /* samples of a hand-made batch, at most */
#define MAXK 7          /* classes of a hand-made batch, at most */

#include "plugin_testing.h"

/* ---- softmax_ce --------------------------------------------------------- */

static const mlp_plugin *softmax_ce(mlp_param_value *p)
{
    return plugin(MLP_KIND_LOSS, "softmax_ce", p);
}

/* Declared as promised: multi-class, mean and no smoothing by default. */
static void test_multiclass_softmax_ce_descriptor(void **state)
{
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = softmax_ce(p);

    (void)state;
    assert_int_equal(pl->d.loss->flags, MLP_LOSS_MULTICLASS);
    assert_int_equal(pl->h->n_params, 2);
    assert_true(p[mlp_plugin_param_index(pl, "reduction")].num == 0.0);
    assert_string_equal(pl->h->params[mlp_plugin_param_index(pl, "reduction")].choices,
                        "mean|sum");
    assert_true(p[mlp_plugin_param_index(pl, "label_smoothing")].num == 0.0);
    assert_true(pl->h->params[mlp_plugin_param_index(pl, "label_smoothing")].max < 1.0);
}

/* Loss, dlogits and softmax against PyTorch's float64 values. */
static void test_multiclass_softmax_ce_torch_table(void **state)
{
    const size_t rows = sizeof(torch_ce) / sizeof(torch_ce[0]);

    (void)state;
    for (size_t r = 0; r < rows; r++) {
        const torch_ce_row *t = &torch_ce[r];
        const size_t m = TORCH_CE_N * t->k;
        mlp_param_value p[MAXP];
        const mlp_plugin *pl = softmax_ce(p);
        double dz[TORCH_CE_N * TORCH_CE_MAXK], prob[TORCH_CE_N * TORCH_CE_MAXK], l;

        set_param(pl, p, "reduction", t->reduction);
        set_param(pl, p, "label_smoothing", t->label_smoothing);
        l = pl->d.loss->loss(t->z, t->y, dz, TORCH_CE_N, t->k, p);
        if (!close_to(l, t->loss, TORCH_REL, TORCH_ABS))
            fail_msg("row %zu (k %zu, reduction %d, smoothing %g): loss %.17g, torch %.17g", r,
                     t->k, t->reduction, t->label_smoothing, l, t->loss);
        /* dlogits of a row with logits of 1e300 are of order 1: absolute 1e-15 */
        for (size_t i = 0; i < m; i++)
            if (!close_to(dz[i], t->dz[i], TORCH_REL, TORCH_ABS))
                fail_msg("row %zu (k %zu, reduction %d, smoothing %g): dz[%zu] %.17g, torch "
                         "%.17g", r, t->k, t->reduction, t->label_smoothing, i, dz[i], t->dz[i]);
        pl->d.loss->predict(t->z, prob, TORCH_CE_N, t->k, p);
        for (size_t i = 0; i < m; i++)
            if (!close_to(prob[i], t->prob[i], TORCH_REL, TORCH_ABS))
                fail_msg("row %zu (k %zu): prob[%zu] %.17g, torch %.17g", r, t->k, i, prob[i],
                         t->prob[i]);
        assert_true(pl->d.loss->loss(t->z, t->y, NULL, TORCH_CE_N, t->k, p) == l);
    }
    assert_true(rows >= 36);
}

static void test_multiclass_softmax_ce_gradients(void **state)
{
    static const size_t ks[] = {2, 3, 7};
    static const double eps[] = {0.0, 0.2, 0.9};
    double z[MAXN * MAXK], y[MAXN];
    uint64_t s = 0x9E3779B97F4A7C15ull;
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = softmax_ce(p);

    (void)state;
    for (size_t a = 0; a < 3; a++) {
        const size_t k = ks[a], n = 11;
        for (size_t i = 0; i < n * k; i++)
            z[i] = 6.0 * test_uniform(&s) - 3.0;
        for (size_t i = 0; i < n; i++)
            y[i] = (double)(i % k);
        for (int red = 0; red < 2; red++)
            for (size_t e = 0; e < 3; e++) {
                set_param(pl, p, "reduction", red);
                set_param(pl, p, "label_smoothing", eps[e]);
                check_loss_gradient(pl, p, z, y, n, k, 1e-6, TOL);
                check_loss_gradient(pl, p, z + k, y + 1, 1, k, 1e-6, TOL);
            }
    }
}

/* Finite at +-1e3 and +-1e300 for every label; exact where the answer is;
 * a constant added to every logit changes nothing; rows of prob sum to 1
 * and rows of dlogits to 0. */
static void test_multiclass_softmax_ce_extremes(void **state)
{
    static const size_t ks[] = {2, 3, 7};
    static const double scales[] = {1e3, 1e300};
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = softmax_ce(p);
    const mlp_loss_desc *d = pl->d.loss;
    uint64_t s = 12345;

    (void)state;
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 2; b++)
            for (int red = 0; red < 2; red++)
                for (int e = 0; e < 2; e++) {
                    const size_t k = ks[a], n = 2 * k;
                    double z[MAXN * MAXK], y[MAXN], dz[MAXN * MAXK], prob[MAXN * MAXK], l;
                    set_param(pl, p, "reduction", red);
                    set_param(pl, p, "label_smoothing", e ? 0.3 : 0.0);
                    for (size_t i = 0; i < n * k; i++)
                        z[i] = test_uniform(&s) < 0.5 ? -scales[b] : scales[b];
                    for (size_t i = 0; i < n; i++)
                        y[i] = (double)(i % k);
                    l = d->loss(z, y, dz, n, k, p);
                    d->predict(z, prob, n, k, p);
                    assert_true(isfinite(l) && l >= 0.0);
                    for (size_t i = 0; i < n; i++) {
                        double ps = 0.0, ds = 0.0;
                        for (size_t c = 0; c < k; c++) {
                            assert_true(isfinite(dz[i * k + c]));
                            assert_true(prob[i * k + c] >= 0.0 && prob[i * k + c] <= 1.0);
                            ps += prob[i * k + c];
                            ds += dz[i * k + c];
                        }
                        assert_true(fabs(ps - 1.0) < 1e-15 * (double)k);
                        assert_true(fabs(ds) < 1e-15 * (double)k);
                    }
                }

    set_param(pl, p, "reduction", 1.0);
    set_param(pl, p, "label_smoothing", 0.0);
    {
        /* the label's logit 2000 below the others: loss 2000 exactly */
        double z[6] = {1e3, -1e3, -1e3, -1e300, 1e300, 1e300}, y[2] = {1, 0}, dz[6];
        assert_true(d->loss(z, y, dz, 1, 3, p) == 2000.0);
        assert_true(dz[0] == 1.0 && dz[1] == -1.0 && dz[2] == 0.0);
        /* two tied winners: log 2 above 2e300 */
        assert_true(d->loss(z + 3, y + 1, dz, 1, 3, p) == 2e300);
        assert_true(dz[0] == -1.0 && dz[1] == 0.5 && dz[2] == 0.5);
    }
    {
        /* shift invariance: z + 1e5 gives the loss of z, to rounding */
        double z[6] = {0.5, -1.25, 2.0, 0.0, 0.25, -0.75}, zs[6], y[2] = {2, 1}, dz[6], dzs[6];
        double l = d->loss(z, y, dz, 2, 3, p);
        for (int i = 0; i < 6; i++)
            zs[i] = z[i] + 1e5;
        assert_true(close_to(d->loss(zs, y, dzs, 2, 3, p), l, 1e-10, 0));
        for (int i = 0; i < 6; i++)
            assert_true(close_to(dzs[i], dz[i], 1e-10, 1e-12));
    }
    {
        /* a label outside 0 .. k-1 poisons the loss (NaN), never memory */
        double z[3] = {0, 1, 2}, y[1] = {3}, dz[3];
        assert_true(isnan(d->loss(z, y, dz, 1, 3, p)) && isnan(dz[0]));
        y[0] = -1;
        assert_true(isnan(d->loss(z, y, NULL, 1, 3, p)));
    }
}

/* k = 2: softmax over (a, b) is the sigmoid of b - a, so the loss is bce's
 * at b - a and dlogits are (-g, g) for bce's g. */
static void test_multiclass_softmax_ce_two_classes_is_bce(void **state)
{
    mlp_param_value p[MAXP], q[MAXP];
    const mlp_plugin *ce = softmax_ce(p);
    const mlp_plugin *bce = plugin(MLP_KIND_LOSS, "bce", q);
    double z[2 * MAXN], d[MAXN], y[MAXN], dz[2 * MAXN], dd[MAXN], prob[2 * MAXN], pb[MAXN];
    uint64_t s = 77;
    const size_t n = MAXN;

    (void)state;
    for (size_t i = 0; i < n; i++) {
        z[2 * i] = 20.0 * test_uniform(&s) - 10.0;
        z[2 * i + 1] = 20.0 * test_uniform(&s) - 10.0;
        d[i] = z[2 * i + 1] - z[2 * i];
        y[i] = (double)(i % 2);
    }
    for (int red = 0; red < 2; red++) {
        set_param(ce, p, "reduction", red);
        set_param(bce, q, "reduction", red);
        double l = ce->d.loss->loss(z, y, dz, n, 2, p);
        double lb = bce->d.loss->loss(d, y, dd, n, 1, q);
        assert_true(close_to(l, lb, 1e-13, 0));
        for (size_t i = 0; i < n; i++) {
            assert_true(close_to(dz[2 * i + 1], dd[i], 1e-12, 1e-16));
            assert_true(close_to(dz[2 * i], -dd[i], 1e-12, 1e-16));
        }
    }
    ce->d.loss->predict(z, prob, n, 2, p);
    bce->d.loss->predict(d, pb, n, 1, q);
    for (size_t i = 0; i < n; i++)
        assert_true(close_to(prob[2 * i + 1], pb[i], 1e-13, 1e-16));
}

/* ---- blobs -------------------------------------------------------------- */

#define NB 400    /* points of a blobs draw, at most */
#define DB 8      /* dimension of a blobs draw, at most */
#define CANARY 4  /* guard values past the end of x and y */

static const mlp_plugin *blobs(mlp_param_value *p)
{
    return plugin(MLP_KIND_DATASET, "blobs", p);
}

/* n points of pl from the stream (seed, 0, purpose); nothing written past
 * n x dim in x or n in y. */
static void blobs_draw(const mlp_plugin *pl, const mlp_param_value *p, uint64_t seed,
                       uint32_t purpose, size_t n, size_t dim, double *x, double *y)
{
    static const double canary = -123456.75;
    mlp_rng r;
    mlp_rng_api api;
    const char *why = NULL;

    assert_true(n <= NB && dim <= DB);
    for (size_t i = 0; i < CANARY; i++) {
        x[n * dim + i] = canary;
        y[n + i] = canary;
    }
    mlp_rng_init(&r, seed, 0, purpose);
    mlp_rng_api_bind(&r, &api);
    if (pl->d.data->generate(&api, n, x, y, p, &why) != 0)
        fail_msg("blobs: generate failed: %s", why ? why : "?");
    for (size_t i = 0; i < CANARY; i++)
        assert_true(x[n * dim + i] == canary && y[n + i] == canary);
    for (size_t i = 0; i < n * dim; i++)
        assert_true(isfinite(x[i]));
}

/* Static shape (the defaults) and describe's for the parameters. */
static void test_multiclass_blobs_describe(void **state)
{
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = blobs(p);
    const mlp_dataset_desc *d = pl->d.data;
    size_t rows = 99;
    uint32_t dim = 0, classes = 0;
    char why[64] = "";

    (void)state;
    assert_int_equal(d->dim, 2);
    assert_int_equal(d->classes, 3);
    assert_true(d->extent[0] < -10 && d->extent[1] > 10 && d->extent[2] < -10 && d->extent[3] > 10);
    assert_true(mlp_dataset_describes(pl));
    assert_false(mlp_dataset_loads(pl));
    assert_int_equal(d->describe(p, &rows, &dim, &classes, why, sizeof(why)), 0);
    assert_true(rows == 0 && dim == 2 && classes == 3);
    set_param(pl, p, "dim", 7);
    set_param(pl, p, "centers", 11);
    assert_int_equal(d->describe(p, &rows, &dim, &classes, why, sizeof(why)), 0);
    assert_true(rows == 0 && dim == 7 && classes == 11);
    /* declared as make_blobs' defaults */
    mlp_plugin_param_defaults(pl, p);
    assert_true(p[mlp_plugin_param_index(pl, "cluster_std")].num == 1.0);
    assert_true(p[mlp_plugin_param_index(pl, "box_min")].num == -10.0);
    assert_true(p[mlp_plugin_param_index(pl, "box_max")].num == 10.0);
    assert_true(p[mlp_plugin_param_index(pl, "shuffle")].num == 1.0);
}

/* Training and test streams give disjoint points (cluster_std > 0; at 0
 * every point of a class is its center, the same in every stream). */
static void test_multiclass_blobs_disjoint(void **state)
{
    (void)state;
    check_disjoint("blobs", NULL, 0.0, 57);
    check_disjoint("blobs", "shuffle", 0.0, 57);
    check_disjoint("blobs", "cluster_std", 0.01, 57);
}

/* Points per class as scikit-learn splits them; unshuffled, in class order;
 * shuffled, a permutation of the same rows. */
static void test_multiclass_blobs_split_and_shuffle(void **state)
{
    static double x[NB * DB + CANARY], y[NB + CANARY], xs[NB * DB + CANARY], ys[NB + CANARY];
    const size_t rows = sizeof(blobs_counts) / sizeof(blobs_counts[0]);
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = blobs(p);

    (void)state;
    for (size_t r = 0; r < rows; r++) {
        const blobs_count_row *t = &blobs_counts[r];
        const size_t dim = 1 + r % 3;
        size_t count[BLOBS_MAXK] = {0}, row = 0;

        set_param(pl, p, "centers", (double)t->k);
        set_param(pl, p, "dim", (double)dim);
        set_param(pl, p, "shuffle", 0.0);
        blobs_draw(pl, p, 9, MLP_STREAM_TRAIN, t->n, dim, x, y);
        for (size_t j = 0; j < t->k; j++)
            for (size_t i = 0; i < t->count[j]; i++, row++)
                if (y[row] != (double)j)
                    fail_msg("n %zu k %zu unshuffled: label %g at %zu, want %zu", t->n, t->k,
                             y[row], row, j);
        assert_int_equal(row, t->n);

        set_param(pl, p, "shuffle", 1.0);
        blobs_draw(pl, p, 9, MLP_STREAM_TRAIN, t->n, dim, xs, ys);
        for (size_t i = 0; i < t->n; i++) {
            assert_true(ys[i] >= 0 && ys[i] < (double)t->k && ys[i] == floor(ys[i]));
            count[(size_t)ys[i]]++;
        }
        assert_memory_equal(count, t->count, t->k * sizeof(size_t));
        /* every shuffled row is an unshuffled one, label included (same normals) */
        for (size_t i = 0; i < t->n; i++) {
            size_t j = 0;
            while (j < t->n && (ys[i] != y[j] || memcmp(xs + i * dim, x + j * dim,
                                                        dim * sizeof(double))))
                j++;
            if (j == t->n)
                fail_msg("n %zu k %zu: shuffled row %zu is no unshuffled row", t->n, t->k, i);
        }
        if (t->n >= 100)
            assert_true(memcmp(y, ys, t->n * sizeof(double)) != 0);
    }
}

/* Centers in the box and equal for training and test streams (they come from
 * center_seed); the spread is cluster_std; cluster_std 0 puts every point
 * on its center. */
static void test_multiclass_blobs_centers(void **state)
{
    static double x[NB * DB + CANARY], y[NB + CANARY], x2[NB * DB + CANARY], y2[NB + CANARY];
    const size_t k = 4, dim = 3, n = NB;
    double ctr[4][3], mean[4][3] = {{0}}, var[4] = {0};
    size_t cnt[4] = {0};
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = blobs(p);

    (void)state;
    set_param(pl, p, "centers", (double)k);
    set_param(pl, p, "dim", (double)dim);
    set_param(pl, p, "cluster_std", 0.0);
    set_param(pl, p, "box_min", 2.0);
    set_param(pl, p, "box_max", 5.0);
    set_param(pl, p, "shuffle", 0.0);
    blobs_draw(pl, p, 1, MLP_STREAM_TRAIN, n, dim, x, y);
    blobs_draw(pl, p, 2, MLP_STREAM_TEST, n, dim, x2, y2);
    assert_memory_equal(x, x2, n * dim * sizeof(double)); /* only the stream differs */
    for (size_t j = 0; j < k; j++)
        for (size_t c = 0; c < dim; c++) {
            ctr[j][c] = x[j * (n / k) * dim + c];
            assert_true(ctr[j][c] >= 2.0 && ctr[j][c] < 5.0);
        }
    for (size_t i = 0; i < n; i++)
        assert_memory_equal(x + i * dim, ctr[(size_t)y[i]], dim * sizeof(double));
    assert_true(ctr[0][0] != ctr[1][0] && ctr[0][0] != ctr[0][1]);

    /* another center_seed, other centers */
    set_param(pl, p, "center_seed", 1.0);
    blobs_draw(pl, p, 1, MLP_STREAM_TRAIN, n, dim, x2, y2);
    assert_true(memcmp(x, x2, dim * sizeof(double)) != 0);
    /* a reversed box, as numpy's uniform(high, low): centers in (2, 5] */
    set_param(pl, p, "box_min", 5.0);
    set_param(pl, p, "box_max", 2.0);
    blobs_draw(pl, p, 1, MLP_STREAM_TRAIN, n, dim, x2, y2);
    for (size_t i = 0; i < n * dim; i++)
        assert_true(x2[i] > 2.0 && x2[i] <= 5.0);

    /* spread 0.5 around the same centers: sample means and variances */
    set_param(pl, p, "center_seed", 0.0);
    set_param(pl, p, "box_min", 2.0);
    set_param(pl, p, "box_max", 5.0);
    set_param(pl, p, "cluster_std", 0.5);
    set_param(pl, p, "shuffle", 1.0);
    blobs_draw(pl, p, 3, MLP_STREAM_TEST, n, dim, x2, y2);
    for (size_t i = 0; i < n; i++) {
        size_t j = (size_t)y2[i];
        cnt[j]++;
        for (size_t c = 0; c < dim; c++) {
            double dv = x2[i * dim + c] - ctr[j][c];
            mean[j][c] += dv;
            var[j] += dv * dv;
        }
    }
    for (size_t j = 0; j < k; j++) {
        assert_int_equal(cnt[j], n / k);
        for (size_t c = 0; c < dim; c++) /* 100 points: sd of the mean 0.05 */
            assert_true(fabs(mean[j][c] / (double)cnt[j]) < 0.2);
        /* 300 squares: the variance within 25% of 0.25 */
        assert_true(fabs(var[j] / (double)(cnt[j] * dim) - 0.25) < 0.0625);
    }
}

/* Same stream, same bytes; another seed, other points, same centers. */
static void test_multiclass_blobs_determinism(void **state)
{
    static double a[NB * DB + CANARY], ya[NB + CANARY], b[NB * DB + CANARY], yb[NB + CANARY];
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = blobs(p);

    (void)state;
    set_param(pl, p, "dim", 5);
    set_param(pl, p, "centers", 6);
    blobs_draw(pl, p, 42, MLP_STREAM_TRAIN, 300, 5, a, ya);
    blobs_draw(pl, p, 42, MLP_STREAM_TRAIN, 300, 5, b, yb);
    assert_memory_equal(a, b, 300 * 5 * sizeof(double));
    assert_memory_equal(ya, yb, 300 * sizeof(double));
    blobs_draw(pl, p, 43, MLP_STREAM_TRAIN, 300, 5, b, yb);
    assert_true(memcmp(a, b, 300 * 5 * sizeof(double)) != 0);
    /* tiny sizes */
    blobs_draw(pl, p, 42, MLP_STREAM_TRAIN, 1, 5, a, ya);
    assert_true(ya[0] >= 0 && ya[0] < 6);
    blobs_draw(pl, p, 42, MLP_STREAM_TRAIN, 0, 5, a, ya);
}

/* ---- probe through softmax_ce ------------------------------------------- */

/* A linear model in -> out with weights w (out, in) and biases b (out). */
static mlp_model *linear_model(size_t in, size_t out, const double *w, const double *b)
{
    mlp_model *m = NULL;
    mlp_error err;

    assert_int_equal(mlp_model_create(in, NULL, 0, out, NULL, NULL, &m, &err), MLP_OK);
    memcpy(m->params + m->w_off[0], w, in * out * sizeof(double));
    memcpy(m->params + m->b_off[0], b, out * sizeof(double));
    return m;
}

/* Logits (x0, x1, 0): class 0 where x0 is largest, 1 where x1, 2 where both
 * are negative.  Accuracy by argmax; the grid holds softmax(x, y, 0) at
 * [iy][ix][c]; its argmax map is the regions'. */
static void check_probe_classes(size_t k)
{
    const double w3[6] = {1, 0, 0, 1, 0, 0}, b3[3] = {0, 0, 0};
    const double w2[4] = {1, 0, 0, 1}, b2[2] = {0, 0};
    const double ext[4] = {-2.0, 2.0, -1.0, 3.0};
    const size_t res = 17, total = res * res; /* steps of 0.25: ties are exact */
    mlp_param_value p[MAXP];
    const mlp_plugin *pl = softmax_ce(p);
    mlp_plugin_use use = {.plugin = pl, .params = p};
    mlp_model *m = k == 3 ? linear_model(2, 3, w3, b3) : linear_model(2, 2, w2, b2);
    double *prob = malloc(total * k * sizeof(double)), gx[17], gy[17];
    int64_t *cls = malloc(total * sizeof(int64_t));
    mlp_data d = {.n = total, .dim = 2, .classes = k};
    mlp_error err;
    double acc = -1;
    size_t wrong = 0;

    assert_non_null(prob);
    assert_non_null(cls);
    assert_int_equal(mlp_probe_boundary(m, &use, res, ext, prob, &err), MLP_OK);
    mlp_probe_argmax(prob, total, k, cls);
    mlp_probe_grid_axis(ext[0], ext[1], res, gx);
    mlp_probe_grid_axis(ext[2], ext[3], res, gy);
    d.x = malloc(2 * total * sizeof(double));
    d.y = malloc(total * sizeof(double));
    for (size_t iy = 0; iy < res; iy++)
        for (size_t ix = 0; ix < res; ix++) {
            const size_t i = iy * res + ix;
            const double z[3] = {gx[ix], gy[iy], 0.0};
            double mx = fmax(z[0], z[1]), s = 0.0;
            int64_t want;
            if (k == 3)
                mx = fmax(mx, 0.0);
            for (size_t c = 0; c < k; c++)
                s += exp(z[c] - mx);
            for (size_t c = 0; c < k; c++)
                if (!close_to(prob[i * k + c], exp(z[c] - mx) / s, 1e-14, 1e-16))
                    fail_msg("k %zu grid [%zu][%zu][%zu]: %.17g, want %.17g", k, iy, ix, c,
                             prob[i * k + c], exp(z[c] - mx) / s);
            /* ties go to the first class; on a tie softmax rounds equal too */
            want = z[1] > z[0] ? 1 : 0;
            if (k == 3 && z[want] < 0.0)
                want = 2;
            if (cls[i] != want)
                fail_msg("k %zu argmax [%zu][%zu] at (%g, %g): %lld, want %lld", k, iy, ix,
                         gx[ix], gy[iy], (long long)cls[i], (long long)want);
            d.x[2 * i] = gx[ix];
            d.x[2 * i + 1] = gy[iy];
            /* every 7th label wrong */
            d.y[i] = (double)((i % 7 == 0) ? ((size_t)want + 1) % k : (size_t)want);
            wrong += i % 7 == 0;
        }
    assert_int_equal(mlp_probe_accuracy(m, &use, &d, &acc, &err), MLP_OK);
    assert_true(acc == (double)(total - wrong) / (double)total);
    free(d.x);
    free(d.y);
    free(cls);
    free(prob);
    mlp_model_free(m);
}

static void test_multiclass_probe_two_and_three_classes(void **state)
{
    (void)state;
    check_probe_classes(2);
    check_probe_classes(3);
}

/* ---- the runner, end to end ---------------------------------------------- */

static char tmpdir[] = "/tmp/mlplab_multiclass_XXXXXX";
static char out_text[1 << 16], err_text[1 << 16];

static void read_text(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = 0;

    if (f) {
        n = fread(buf, 1, cap - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
}

/* prog with argv (NULL-terminated) in tmpdir; stdout and stderr into
 * out_text and err_text.  Returns the exit status, 128 + signal if killed. */
static int spawn_wait(const char *prog, const char *const *argv)
{
    char out_path[128], err_path[128];
    int status = 0;
    pid_t pid;

    snprintf(out_path, sizeof(out_path), "%s/out.txt", tmpdir);
    snprintf(err_path, sizeof(err_path), "%s/err.txt", tmpdir);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0 || chdir(tmpdir) != 0)
            _exit(127);
        execv(prog, (char *const *)argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    read_text(out_path, out_text, sizeof(out_text));
    read_text(err_path, err_text, sizeof(err_text));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void write_spec(const char *name, const char *text)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Column `col` of every row of `runner info`'s table into v; returns rows. */
static size_t info_column(const char *col, double *v, size_t cap)
{
    char *save = NULL, *line = strtok_r(out_text, "\n", &save);
    size_t at = SIZE_MAX, rows = 0;

    for (size_t i = 0; line; line = strtok_r(NULL, "\n", &save), i++) {
        char *s2 = NULL, *tok = strtok_r(line, " ", &s2);
        for (size_t c = 0; tok; tok = strtok_r(NULL, " ", &s2), c++) {
            if (i == 0 && !strcmp(tok, col))
                at = c;
            else if (i > 0 && c == at && rows < cap)
                v[rows++] = strtod(tok, NULL);
        }
        if (i == 0 && at == SIZE_MAX)
            fail_msg("runner info has no column %s", col);
    }
    return rows;
}

/* With h5ls on the PATH: the boundary of the n_runs runs of stack s0 has
 * the class axis. */
static void check_boundary_axis(const char *file, size_t n_runs, size_t res, size_t k)
{
    static const char *const tools[] = {"/usr/bin/h5ls", "/usr/local/bin/h5ls"};
    char obj[256], want[64];
    const char *tool = NULL;

    for (size_t i = 0; i < 2; i++)
        if (access(tools[i], X_OK) == 0)
            tool = tools[i];
    if (!tool) {
        print_message("h5ls not found: the boundary's class axis is not checked\n");
        return;
    }
    /* format 2: the stack (one shape: s0) holds (run, grid_y, grid_x,
     * class); a stack of at most one chunk holds exactly its runs, so its
     * size is n_runs, not extendible (h5ls would say {n/Inf, ...}) */
    snprintf(obj, sizeof(obj), "%s/stacks/s0/boundary_prob", file);
    assert_int_equal(spawn_wait(tool, (const char *const[]){tool, obj, NULL}), 0);
    snprintf(want, sizeof(want), "{%zu, %zu, %zu, %zu}", n_runs, res, res, k);
    if (!strstr(out_text, want))
        fail_msg("boundary_prob of stack s0 is not %s: %s", want, out_text);
}

static const char spiral_spec[] =
    "name: spiral3\n"
    "seed: 7\n"
    "dataset: {plugin: spiral, arms: 3, noise: 0.05, train: 150, test: 150}\n"
    "model: {hidden: [16, 16], activation: tanh}\n"
    "loss: softmax_ce\n"
    "train: {optimizer: adam, learning_rate: 0.01, iterations: 1500}\n"
    "record: {hidden: false, boundary: {resolution: 16, extent: [-6, 6, -6, 6]}}\n";

static const char blobs_spec[] =
    "name: blobs4\n"
    "seed: 7\n"
    "dataset: {plugin: blobs, centers: 4, dim: 5, cluster_std: 1.5, train: 200, test: 200}\n"
    "model: {hidden: 8, activation: relu}\n"
    "loss: {plugin: softmax_ce, label_smoothing: 0.05}\n"
    "train: {optimizer: adam, learning_rate: 0.01, iterations: 400}\n"
    "sweep: {dataset.centers: [2, 4]}\n"
    "record: {hidden: false, boundary: false}\n";

/* The three-arm spiral trains as three classes to every training point but
 * a few; four 5-D blobs are told apart on held-out points too (the test
 * points share the training points' centers). */
static void test_multiclass_runner_end_to_end(void **state)
{
    char file[128];
    double acc[4];

    (void)state;
    assert_non_null(mkdtemp(tmpdir));
    write_spec("spiral3.yaml", spiral_spec);
    snprintf(file, sizeof(file), "%s/spiral3.h5", tmpdir);
    if (spawn_wait(MLPLAB_TEST_RUNNER, (const char *const[]){MLPLAB_TEST_RUNNER, "spiral3.yaml",
                   "-o", "spiral3.h5", "-q", "-j", "2", NULL}) != 0)
        fail_msg("runner spiral3.yaml failed: %s", err_text);
    assert_int_equal(access(file, R_OK), 0);
    assert_int_equal(spawn_wait(MLPLAB_TEST_RUNNER,
                                (const char *const[]){MLPLAB_TEST_RUNNER, "info", file, NULL}), 0);
    assert_int_equal(info_column("train_accuracy", acc, 4), 1);
    if (!(acc[0] >= 0.95))
        fail_msg("three-arm spiral: training accuracy %g, want >= 0.95", acc[0]);
    check_boundary_axis(file, 1, 16, 3);

    write_spec("blobs4.yaml", blobs_spec);
    snprintf(file, sizeof(file), "%s/blobs4.h5", tmpdir);
    if (spawn_wait(MLPLAB_TEST_RUNNER, (const char *const[]){MLPLAB_TEST_RUNNER, "blobs4.yaml",
                   "-o", "blobs4.h5", "-q", "-j", "2", NULL}) != 0)
        fail_msg("runner blobs4.yaml failed: %s", err_text);
    assert_int_equal(spawn_wait(MLPLAB_TEST_RUNNER,
                                (const char *const[]){MLPLAB_TEST_RUNNER, "info", file, NULL}), 0);
    assert_int_equal(info_column("test_accuracy", acc, 4), 2);
    for (size_t r = 0; r < 2; r++)
        if (!(acc[r] >= 0.9))
            fail_msg("blobs run %zu: test accuracy %g, want >= 0.9", r, acc[r]);

    /* a two-class loss on three arms is refused before training */
    write_spec("bce3.yaml", "name: bce3\ndataset: {plugin: spiral, arms: 3, train: 30}\n"
                            "model: {hidden: 4}\nloss: bce\ntrain: {iterations: 5}\n");
    assert_int_equal(spawn_wait(MLPLAB_TEST_RUNNER, (const char *const[]){MLPLAB_TEST_RUNNER,
                                "bce3.yaml", "-o", "bce3.h5", "-q", NULL}), 2);
    if (!strstr(err_text, "two classes") || !strstr(err_text, "has 3"))
        fail_msg("bce on three arms: %s", err_text);
}

static int cleanup_tmpdir(void **state)
{
    (void)state;
    if (strstr(tmpdir, "XXXXXX"))
        return 0;
    /* the files this test wrote, then the folder */
    static const char *const names[] = {"spiral3.yaml", "spiral3.h5", "blobs4.yaml", "blobs4.h5",
                                        "bce3.yaml", "out.txt", "err.txt"};
    char path[160];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
        unlink(path);
    }
    rmdir(tmpdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multiclass_softmax_ce_descriptor),
        cmocka_unit_test(test_multiclass_softmax_ce_torch_table),
        cmocka_unit_test(test_multiclass_softmax_ce_gradients),
        cmocka_unit_test(test_multiclass_softmax_ce_extremes),
        cmocka_unit_test(test_multiclass_softmax_ce_two_classes_is_bce),
        cmocka_unit_test(test_multiclass_blobs_describe),
        cmocka_unit_test(test_multiclass_blobs_disjoint),
        cmocka_unit_test(test_multiclass_blobs_split_and_shuffle),
        cmocka_unit_test(test_multiclass_blobs_centers),
        cmocka_unit_test(test_multiclass_blobs_determinism),
        cmocka_unit_test(test_multiclass_probe_two_and_three_classes),
        cmocka_unit_test_teardown(test_multiclass_runner_end_to_end, cleanup_tmpdir),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
