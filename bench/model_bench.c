/* model_bench.c -- times the model/train/probe kernels on the peers' workload
 * (two circles, 2 -> H sigmoid -> 1 logit, mean BCE, full-batch GD, then a
 * 200x200 grid), with the peers' data and initial weights so the final
 * losses can be compared with ../shared/peers/sweep_ref.c line by line.
 * Not a test and not part of the build:
 *
 *   cc -O2 -I framework -I framework/include bench/model_bench.c \
 *      build-num/framework/{train/libmlplab_{train,probe,model},base/libmlplab_{rng,error}}.a -lm -o /tmp/model_bench
 *   /tmp/model_bench N T lr [H]       (no H: the peers' 11 widths, one thread)
 *
 * The sigmoid and BCE below stand in for the plugins, written the way a
 * plugin would be (whole arrays, plain libm). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "train/model.h"
#include "train/probe.h"
#include "registry/registry.h"
#include "train/train.h"

static void sig_fwd(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        a[i] = 1.0 / (1.0 + exp(-z[i]));
}

static void sig_bwd(const double *z, const double *a, const double *da, double *dz, size_t n,
                    const mlp_param_value *p)
{
    (void)p;
    (void)z;
    for (size_t i = 0; i < n; i++)
        dz[i] = da[i] * a[i] * (1.0 - a[i]);
}

static double bce(const double *z, const double *y, double *dz, size_t n, size_t k,
                  const mlp_param_value *p)
{
    double s = 0.0, inv = 1.0 / (double)n;
    (void)k;
    (void)p;
    for (size_t i = 0; i < n; i++)
        s += fmax(z[i], 0.0) + log1p(exp(-fabs(z[i]))) - y[i] * z[i];
    if (dz)
        for (size_t i = 0; i < n; i++)
            dz[i] = (1.0 / (1.0 + exp(-z[i])) - y[i]) * inv;
    return s * inv;
}

static void bce_predict(const double *z, double *prob, size_t n, size_t k,
                        const mlp_param_value *p)
{
    (void)k;
    (void)p;
    for (size_t i = 0; i < n; i++)
        prob[i] = 1.0 / (1.0 + exp(-z[i]));
}

static const mlp_activation_desc sigmoid = {
    .h = {sizeof(mlp_activation_desc), MLP_ABI_MAJOR, MLP_ABI_MINOR, MLP_KIND_ACTIVATION,
          "sigmoid", "0", "", 0, NULL},
    .forward = sig_fwd,
    .backward = sig_bwd};
static const mlp_loss_desc bce_desc = {
    .h = {sizeof(mlp_loss_desc), MLP_ABI_MAJOR, MLP_ABI_MINOR, MLP_KIND_LOSS, "bce", "0", "", 0,
          NULL},
    .loss = bce,
    .predict = bce_predict};

/* the peers' generator: i-th splitmix64 output of `seed` in [0, 1) */
static double urand(uint64_t seed, uint64_t i)
{
    return (double)(mlp_mix64(seed + (i + 1) * 0x9E3779B97F4A7C15ULL) >> 11) * 0x1.0p-53;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    static const size_t hs[] = {3, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50};
    size_t N, T, nh = 11, r;
    double lr, t0, total = 0.0;
    mlp_error err;

    if (argc < 4) {
        fprintf(stderr, "usage: %s N T lr [H]\n", argv[0]);
        return 2;
    }
    N = (size_t)atol(argv[1]);
    T = (size_t)atol(argv[2]);
    lr = atof(argv[3]);
    size_t only = argc > 4 ? (size_t)atol(argv[4]) : 0;

    double *x = malloc(2 * N * sizeof(double)), *y = malloc(N * sizeof(double));
    double *grid = malloc(200 * 200 * sizeof(double));
    size_t nout = N - N / 2;
    for (size_t i = 0; i < N; i++) {
        double rad = i < nout ? 1.0 : 0.5, th = 2.0 * M_PI * urand(42, 3 * i);
        x[2 * i] = rad * cos(th);
        x[2 * i + 1] = rad * sin(th);
        y[i] = i < nout ? 0.0 : 1.0;
    }
    mlp_data d = {.n = N, .dim = 2, .classes = 2, .x = x, .y = y};
    mlp_plugin lossp = {.kind = MLP_KIND_LOSS, .h = &bce_desc.h, .d.loss = &bce_desc};
    mlp_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.loss.plugin = &lossp;
    cfg.train.optimizer = MLP_OPT_GD;
    cfg.train.learning_rate = lr;
    cfg.train.iterations = T;
    cfg.record.loss_every = 1;

    t0 = now();
    for (r = nh; r-- > 0;) {
        size_t H = hs[r];
        if (only && H != only)
            continue;
        double t1 = now(), acc = 0.0, gm = 0.0;
        mlp_model *m;
        mlp_train_result res;
        const double ext[4] = {-1.5, 1.5, -1.5, 1.5};
        if (mlp_model_create(2, &H, 1, 1, &sigmoid, NULL, &m, &err) != MLP_OK)
            return 1;
        /* the peers' init: torch.nn.Linear's U(-1/sqrt(fan_in), ..) from urand(1000 + H, .) */
        uint64_t s = 1000 + H;
        double a1 = 1.0 / sqrt(2.0), a2 = 1.0 / sqrt((double)H), *p = m->params;
        for (size_t k = 0; k < 2; k++)
            for (size_t j = 0; j < H; j++)
                p[m->w_off[0] + j * 2 + k] = a1 * (2.0 * urand(s, k * H + j) - 1.0);
        for (size_t j = 0; j < H; j++) {
            p[m->b_off[0] + j] = a1 * (2.0 * urand(s, 2 * H + j) - 1.0);
            p[m->w_off[1] + j] = a2 * (2.0 * urand(s, 3 * H + j) - 1.0);
        }
        p[m->b_off[1]] = a2 * (2.0 * urand(s, 4 * H) - 1.0);

        double t2 = now();
        if (mlp_train_run(&cfg, m, &d, NULL, 0, NULL, &res, &err) != MLP_OK)
            return 1;
        double t3 = now();
        mlp_probe_accuracy(m, &cfg.loss, &d, &acc, &err);
        mlp_probe_boundary(m, &cfg.loss, 200, ext, grid, &err);
        for (size_t i = 0; i < 200 * 200; i++)
            gm += grid[i];
        double t4 = now();
        printf("H=%zu loss=%.15e acc=%.6f grid_mean=%.15e train_s=%.4f grid_s=%.4f\n", H,
               res.final_loss, acc, gm / 40000.0, t3 - t2, t4 - t3);
        total += t4 - t1;
        mlp_train_result_free(&res);
        mlp_model_free(m);
    }
    printf("mlplab N=%zu T=%zu lr=%g total_s=%.6f (wall %.6f)\n", N, T, lr, total, now() - t0);
    free(x);
    free(y);
    free(grid);
    return 0;
}
