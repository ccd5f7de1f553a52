/* test_runner.c -- integration: run the `runner` binary on small specs and
 * read what it wrote back through the HDF5 C API. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "broken_specs.h"
#include "results/results.h"
#include "base/sha256.h"

#define RUNNER MLPLAB_TEST_RUNNER
#define TMP MLPLAB_TEST_BINARY_DIR "/runner_tmp"

/* ---- helpers ---------------------------------------------------------- */

static char out_buf[1 << 16], err_buf[1 << 16];

static void slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = 0;
    if (f) {
        n = fread(buf, 1, cap - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
}

/* Start the runner in the background (stdout/stderr to files in TMP), with
 * a file-size limit in bytes (RLIMIT_FSIZE, as a full disk stops writes)
 * unless fsize is 0. */
static pid_t spawn_limited(const char *const *args, rlim_t fsize)
{
    const char *argv[64];
    int n = 0;

    argv[n++] = RUNNER;
    /* a sweep (SPEC.yaml first) writes format 1: these tests read its layout */
    size_t len = *args ? strlen(*args) : 0;
    bool sweep = len > 5 && !strcmp(*args + len - 5, ".yaml");
    for (; *args && n < 61; args++) {
        sweep = sweep && strcmp(*args, "--format") != 0;  /* unless a test says which */
        argv[n++] = *args;
    }
    if (sweep) {
        argv[n++] = "--format";
        argv[n++] = "1";
    }
    argv[n] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(TMP "/stdout.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(TMP "/stderr.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        struct rlimit rl = {fsize, fsize};
        dup2(o, 1);
        dup2(e, 2);
        if (chdir(TMP) != 0 || (fsize && setrlimit(RLIMIT_FSIZE, &rl) != 0))
            _exit(127);
        execv(RUNNER, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static pid_t spawn(const char *const *args)
{
    return spawn_limited(args, 0);
}

/* Run the runner with the given arguments (NULL-terminated); stdout and
 * stderr land in out_buf/err_buf.  Returns the exit status. */
static int run(const char *arg0, ...)
{
    const char *args[64];
    int n = 0, status;
    va_list ap;

    va_start(ap, arg0);
    for (const char *a = arg0; a && n < 63; a = va_arg(ap, const char *))
        args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    waitpid(spawn(args), &status, 0);
    slurp(TMP "/stdout.txt", out_buf, sizeof(out_buf));
    slurp(TMP "/stderr.txt", err_buf, sizeof(err_buf));
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* How many runs of the sweep that wrote run folder dir (the one its
 * sweep.identity names) are complete in its part files; done (n_runs
 * flags) says which. */
static size_t runs_kept(const char *dir, size_t n_runs, unsigned char *done)
{
    char path[512], ident[1 << 14], hash[65];
    size_t same = 0, other = 0;
    mlp_error err;

    memset(done, 0, n_runs);
    snprintf(path, sizeof(path), "%s/sweep.identity", dir);
    if (!exists(path))
        return 0;
    slurp(path, ident, sizeof(ident));
    mlp_sha256_hex(ident, strlen(ident), hash);
    assert_int_equal(mlp_results_scan_runs(dir, hash, n_runs, done, &same, &other, &err), MLP_OK);
    return same;
}

/* Part files in a run folder. */
static size_t count_parts(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    while (d && (e = readdir(d)))
        n += !strncmp(e->d_name, "part_", 5) && strstr(e->d_name, ".bin") &&
             !strstr(e->d_name, ".tmp");
    if (d)
        closedir(d);
    return n;
}

static int setup(void **state)
{
    (void)state;
    if (system("rm -rf '" TMP "' && mkdir -p '" TMP "'") != 0)
        return -1;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    return 0;
}

/* A small, quick sweep: 2 widths, 60 iterations, 20x20 grid. */
static const char small_spec[] =
    "name: small\n"
    "seed: 7\n"
    "dataset: {plugin: circles, train: 40, test: 20, factor: 0.5}\n"
    "model: {hidden: 3, activation: sigmoid}\n"
    "loss: bce\n"
    "train: {learning_rate: 2.0, iterations: 60}\n"
    "sweep:\n"
    "  model.hidden: [2, 3, 5]\n"
    "record:\n"
    "  boundary: {resolution: 20, extent: [-1.5, 1.5, -1.5, 1.5]}\n";

static size_t read_doubles(hid_t f, const char *path, double *buf, size_t cap, hsize_t *dims,
                           int *rank)
{
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    assert_true(d >= 0);
    hid_t s = H5Dget_space(d);
    *rank = H5Sget_simple_extent_ndims(s);
    H5Sget_simple_extent_dims(s, dims, NULL);
    size_t n = (size_t)H5Sget_simple_extent_npoints(s);
    assert_true(n <= cap);
    assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Sclose(s);
    H5Dclose(d);
    return n;
}

/* Every dataset of a file (by path) compared bit for bit with another's,
 * except wall-clock timings. */
typedef struct cmp_ctx {
    hid_t other;
    int compared;
    int differ;
} cmp_ctx;

static herr_t cmp_visit(hid_t obj, const char *name, const H5O_info_t *info, void *vctx)
{
    cmp_ctx *c = vctx;
    if (info->type != H5O_TYPE_DATASET || strstr(name, "wall_seconds") || strstr(name, "summary_table"))
        return 0;
    hid_t a = H5Dopen2(obj, name, H5P_DEFAULT), b = H5Dopen2(c->other, name, H5P_DEFAULT);
    if (a < 0 || b < 0) {
        c->differ++;
        goto out;
    }
    hid_t ta = H5Dget_type(a);
    hsize_t sa = H5Dget_storage_size(a), sb = H5Dget_storage_size(b);
    hid_t space = H5Dget_space(a);
    size_t na = (size_t)H5Sget_simple_extent_npoints(space) * H5Tget_size(ta);
    H5Sclose(space);
    if (H5Tget_class(ta) == H5T_STRING || H5Tget_class(ta) == H5T_COMPOUND) {
        H5Tclose(ta);
        goto out;
    }
    if (sa != sb) {
        c->differ++;
    } else {
        char *ba = malloc(na + 1), *bb = malloc(na + 1);
        H5Dread(a, ta, H5S_ALL, H5S_ALL, H5P_DEFAULT, ba);
        H5Dread(b, ta, H5S_ALL, H5S_ALL, H5P_DEFAULT, bb);
        if (memcmp(ba, bb, na) != 0) {
            fprintf(stderr, "differs: %s\n", name);
            c->differ++;
        }
        c->compared++;
        free(ba);
        free(bb);
    }
    H5Tclose(ta);
out:
    if (a >= 0)
        H5Dclose(a);
    if (b >= 0)
        H5Dclose(b);
    return 0;
}

/* ---- tests ------------------------------------------------------------ */

static void test_runner_small_sweep_writes_results(void **state)
{
    double buf[4096];
    hsize_t dims[4];
    int rank;

    (void)state;
    write_file(TMP "/small.yaml", small_spec);
    assert_int_equal(run("small.yaml", "-q", "-o", "out.h5", NULL), 0);
    assert_non_null(strstr(out_buf, "wrote out.h5: 3 runs"));
    assert_true(exists(TMP "/out.h5"));
    assert_false(exists(TMP "/out.runs"));  /* run folder removed without --keep-runs */

    hid_t f = H5Fopen(TMP "/out.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    /* the loss curve: one value per iteration, decreasing overall */
    size_t n = read_doubles(f, "/runs/run_0002/loss", buf, 4096, dims, &rank);
    assert_int_equal(n, 60);
    assert_true(buf[59] < buf[0]);
    /* weights of width 5: W (5, 2), b (5), then (1, 5), (1) */
    read_doubles(f, "/runs/run_0002/weights/layer0/W", buf, 4096, dims, &rank);
    assert_int_equal(rank, 2);
    assert_int_equal(dims[0], 5);
    assert_int_equal(dims[1], 2);
    read_doubles(f, "/runs/run_0002/weights/layer1/W", buf, 4096, dims, &rank);
    assert_int_equal(dims[0], 1);
    assert_int_equal(dims[1], 5);
    /* hidden outputs on the 40 training points */
    read_doubles(f, "/runs/run_0000/hidden/layer0", buf, 4096, dims, &rank);
    assert_int_equal(dims[0], 40);
    assert_int_equal(dims[1], 2);
    for (size_t i = 0; i < 80; i++)
        assert_true(buf[i] > 0.0 && buf[i] < 1.0);  /* sigmoid outputs */
    /* the boundary grid (y, x) with probabilities */
    n = read_doubles(f, "/runs/run_0001/boundary/prob", buf, 4096, dims, &rank);
    assert_int_equal(rank, 2);
    assert_int_equal(dims[0], 20);
    assert_int_equal(dims[1], 20);
    for (size_t i = 0; i < n; i++)
        assert_true(buf[i] >= 0.0 && buf[i] <= 1.0);
    /* every axis has a dimension scale */
    hid_t d = H5Dopen2(f, "/runs/run_0001/boundary/prob", H5P_DEFAULT);
    assert_int_equal(H5DSget_num_scales(d, 0), 1);
    assert_int_equal(H5DSget_num_scales(d, 1), 1);
    H5Dclose(d);
    /* the summary: one row per run, swept parameter as a column */
    n = read_doubles(f, "/summary/model.hidden", buf, 4096, dims, &rank);
    assert_int_equal(n, 3);
    assert_true(buf[0] == 2.0 && buf[1] == 3.0 && buf[2] == 5.0);
    n = read_doubles(f, "/summary/train_accuracy", buf, 4096, dims, &rank);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < 3; i++)
        assert_true(buf[i] >= 0.0 && buf[i] <= 1.0);
    /* the shared dataset at the root */
    read_doubles(f, "/dataset/train/x", buf, 4096, dims, &rank);
    assert_int_equal(dims[0], 40);
    assert_int_equal(dims[1], 2);
    /* provenance */
    long long nr = 0;
    assert_true(H5LTget_attribute_long_long(f, "/", "n_runs", &nr) >= 0);
    assert_int_equal(nr, 3);
    assert_true(H5Aexists(f, "spec") > 0);
    assert_true(H5Aexists(f, "spec_sha256") > 0);
    assert_true(H5Aexists(f, "git_commit") > 0);
    H5Fclose(f);
}

static void test_runner_refuses_to_replace_without_force(void **state)
{
    struct stat before, after;

    (void)state;
    write_file(TMP "/small.yaml", small_spec);
    assert_int_equal(run("small.yaml", "-q", "-o", "keep.h5", "--set", "train.iterations=5", NULL), 0);
    assert_int_equal(stat(TMP "/keep.h5", &before), 0);
    assert_int_equal(run("small.yaml", "-q", "-o", "keep.h5", NULL), 2);
    assert_non_null(strstr(err_buf, "keep.h5"));
    assert_non_null(strstr(err_buf, "--force"));
    assert_int_equal(stat(TMP "/keep.h5", &after), 0);
    assert_true(before.st_mtime == after.st_mtime && before.st_size == after.st_size);
    assert_int_equal(run("small.yaml", "-q", "-o", "keep.h5", "--force", "--set",
                         "train.iterations=5", NULL), 0);
}

static void test_runner_bad_spec_exits_2_with_place(void **state)
{
    (void)state;
    write_file(TMP "/typo.yaml",
               "name: typo\n"
               "dataset: {plugin: circles}\n"
               "train:\n"
               "  learnin_rate: 0.5\n");
    assert_int_equal(run("typo.yaml", "-q", NULL), 2);
    assert_non_null(strstr(err_buf, "typo.yaml:4:3: error: unknown key 'learnin_rate'"));
    assert_non_null(strstr(err_buf, "learning_rate"));
    assert_false(exists(TMP "/results"));  /* nothing written */
}

static void test_runner_unknown_plugin_exits_2(void **state)
{
    (void)state;
    write_file(TMP "/noplug.yaml",
               "name: noplug\n"
               "dataset: {plugin: circles}\n"
               "model: {activation: sigmod}\n");
    assert_int_equal(run("noplug.yaml", "-q", NULL), 2);
    assert_non_null(strstr(err_buf, "noplug.yaml:3:21: error:"));
    assert_non_null(strstr(err_buf, "sigmod"));
    assert_false(exists(TMP "/results"));
}

static void test_runner_dry_run_lists_runs(void **state)
{
    (void)state;
    write_file(TMP "/small.yaml", small_spec);
    assert_int_equal(run("small.yaml", "--dry-run", "--set", "repeats=2", NULL), 0);
    assert_non_null(strstr(out_buf, "6 runs"));
    assert_non_null(strstr(out_buf, "model.hidden"));
    assert_non_null(strstr(out_buf, "0005"));
    assert_false(exists(TMP "/results"));
}

static void test_runner_set_overrides(void **state)
{
    double buf[256];
    hsize_t dims[4];
    int rank;

    (void)state;
    write_file(TMP "/small.yaml", small_spec);
    assert_int_equal(run("small.yaml", "-q", "-o", "set.h5", "--set", "train.iterations=12",
                         "--set", "sweep.model.hidden=[4]", NULL), 0);
    hid_t f = H5Fopen(TMP "/set.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_int_equal(read_doubles(f, "/runs/run_0000/loss", buf, 256, dims, &rank), 12);
    read_doubles(f, "/runs/run_0000/weights/layer0/W", buf, 256, dims, &rank);
    assert_int_equal(dims[0], 4);
    assert_true(H5Lexists(f, "/runs/run_0001", H5P_DEFAULT) <= 0);
    H5Fclose(f);

    assert_int_equal(run("small.yaml", "-q", "--set", "train.iterations=abc", NULL), 2);
    assert_non_null(strstr(err_buf, "--set:1:18: error:"));
}

/* Every dataset of two results files the same bits (cmp_visit), and at
 * least min_compared of them. */
static void assert_same_numbers(const char *path_a, const char *path_b, int min_compared)
{
    hid_t a = H5Fopen(path_a, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t b = H5Fopen(path_b, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(a >= 0 && b >= 0);
    cmp_ctx c = {.other = b};
    H5Ovisit(a, H5_INDEX_NAME, H5_ITER_NATIVE, cmp_visit, &c);
    assert_true(c.compared > min_compared);
    assert_int_equal(c.differ, 0);
    H5Fclose(a);
    H5Fclose(b);
}

static void test_runner_same_numbers_for_any_thread_count(void **state)
{
    (void)state;
    write_file(TMP "/small.yaml", small_spec);
    assert_int_equal(run("small.yaml", "-q", "-j1", "-o", "j1.h5", "--set", "repeats=2", NULL), 0);
    assert_int_equal(run("small.yaml", "-q", "-j", "2", "-o", "j2.h5", "--set", "repeats=2", NULL), 0);
    assert_same_numbers(TMP "/j1.h5", TMP "/j2.h5", 30);
}

/* The repeats of a point share its resolved settings (sweep/run.c keeps
 * the last 8 points'): 10 widths x 3 repeats at -j2, so slots are reused
 * while the other worker holds one; every run trained the width it records
 * (its stack's widths are its model.hidden). */
static void test_runner_repeats_share_settings(void **state)
{
    int64_t hidden[30], widths[3];
    int32_t stack[30];

    (void)state;
    write_file(TMP "/share.yaml",
               "name: share\n"
               "seed: 3\n"
               "dataset: {plugin: circles, train: 20}\n"
               "model: {hidden: 3}\n"
               "train: {learning_rate: 1.0, iterations: 5}\n"
               "repeats: 3\n"
               "sweep:\n"
               "  model.hidden: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n"
               "record: {boundary: false, hidden: false}\n");
    assert_int_equal(run("share.yaml", "-q", "-j2", "-o", "share.h5", "--format", "2", NULL), 0);
    hid_t f = H5Fopen(TMP "/share.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t d = H5Dopen2(f, "model.hidden", H5P_DEFAULT);
    assert_true(H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, hidden) >= 0);
    H5Dclose(d);
    d = H5Dopen2(f, "index/stack", H5P_DEFAULT);
    assert_true(H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, stack) >= 0);
    H5Dclose(d);
    for (int k = 0; k < 30; k++) {
        char name[32];
        snprintf(name, sizeof(name), "stacks/s%d", (int)stack[k]);
        hid_t a = H5Aopen_by_name(f, name, "widths", H5P_DEFAULT, H5P_DEFAULT);
        assert_true(a >= 0);
        assert_true(H5Aread(a, H5T_NATIVE_INT64, widths) >= 0);
        H5Aclose(a);
        assert_int_equal(hidden[k], 2 + k / 3);
        if (widths[1] != hidden[k])
            fail_msg("run %d records model.hidden %lld but trained width %lld", k,
                     (long long)hidden[k], (long long)widths[1]);
    }
    H5Fclose(f);
}

/* One run and three threads: the run's kernels share its batch's blocks
 * (1000 points: four blocks; two hidden layers; minibatches of 600, two
 * blocks each, and the last of 400), and the numbers stay those of -j1. */
static const char one_run_spec[] =
    "name: one\n"
    "seed: 5\n"
    "dataset: {plugin: circles, train: 1000, test: 300, factor: 0.5, noise: 0.1}\n"
    "model: {hidden: [6, 4], activation: tanh}\n"
    "loss: bce\n"
    "train: {optimizer: adam, learning_rate: 0.01, iterations: 40, batch_size: 600}\n"
    "record:\n"
    "  boundary: {resolution: 20, extent: [-1.5, 1.5, -1.5, 1.5]}\n";

static void test_runner_one_run_threads_inside(void **state)
{
    (void)state;
    write_file(TMP "/one.yaml", one_run_spec);
    assert_int_equal(run("one.yaml", "-q", "-j1", "-o", "one1.h5", NULL), 0);
    assert_int_equal(run("one.yaml", "-q", "-j3", "-o", "one3.h5", NULL), 0);
    assert_int_equal(run("one.yaml", "-q", "-j3", "-o", "full3.h5", "--set",
                         "train.batch_size=0", NULL), 0);
    assert_int_equal(run("one.yaml", "-q", "-j1", "-o", "full1.h5", "--set",
                         "train.batch_size=0", NULL), 0);
    assert_same_numbers(TMP "/one1.h5", TMP "/one3.h5", 20);
    assert_same_numbers(TMP "/full1.h5", TMP "/full3.h5", 20);
}

/* The threads a runner creates (tests/thread_count.c, preloaded, counts every
 * pthread_create, libgomp's too) running one.yaml at `jobs` with two --set. */
static long threads_created(const char *jobs, const char *set1, const char *set2)
{
    char buf[64] = "", opts[512];
    const char *asan = getenv("ASAN_OPTIONS");
    char *saved = asan ? strdup(asan) : NULL;

    /* a sanitized runner wants its runtime first among the libraries */
    snprintf(opts, sizeof(opts), "%s%sverify_asan_link_order=0", saved ? saved : "",
             saved ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
    setenv("MLPLAB_TEST_THREAD_COUNT", TMP "/threads.txt", 1);
    setenv("LD_PRELOAD", MLPLAB_TEST_THREAD_COUNT_LIB, 1);
    remove(TMP "/threads.txt");
    int rc = run("one.yaml", "-q", jobs, "--force", "-o", "threads.h5", "--set", set1, "--set", set2,
                 NULL);
    unsetenv("LD_PRELOAD");
    unsetenv("MLPLAB_TEST_THREAD_COUNT");
    if (saved)
        setenv("ASAN_OPTIONS", saved, 1);
    else
        unsetenv("ASAN_OPTIONS");
    free(saved);
    assert_int_equal(rc, 0);
    slurp(TMP "/threads.txt", buf, sizeof(buf));
    return strtol(buf, NULL, 10);
}

/* Threads inside a run are kept from one training step to the next: one run
 * at -j3 (its kernels on 3 threads) and two runs at -j4 (2 each) create a
 * handful of threads in all (workers, kernel threads, the builder, the
 * syncer), never one or more a step.  While the sweep's workers were an
 * OpenMP team, the kernels' regions were nested in it and libgomp made their
 * threads anew at every step: 163 and 164 threads for these 40 steps. */
static void test_runner_threads_kept_per_run(void **state)
{
    (void)state;
    write_file(TMP "/one.yaml", one_run_spec);
    long one = threads_created("-j3", "train.batch_size=0", "record.hidden=false");
    long two = threads_created("-j4", "train.batch_size=0", "sweep.train.learning_rate=[0.01, 0.02]");
    if (one < 2 || one > 10 || two < 3 || two > 12)
        fail_msg("threads created: %ld (one run, -j3), %ld (two runs, -j4); expected at most "
                 "10 and 12, not one a training step", one, two);
}

/* Every machine copy of the kernels and plugins (MLPLAB_ISA forces each;
 * this CPU has them all, or the higher ones fall back to what it has) gives
 * the same bytes: sigmoid, softplus and tanh hidden layers, bce and mse,
 * 300 points (a block of 256 and a tail of 44), minibatches and a grid. */
static const char isa_spec[] =
    "name: isa\n"
    "seed: 11\n"
    "dataset: {plugin: circles, train: 300, test: 50, factor: 0.5, noise: 0.1}\n"
    "model: {hidden: [7, 5], activation: sigmoid}\n"
    "loss: bce\n"
    "train: {optimizer: adam, learning_rate: 0.02, iterations: 25}\n"
    "sweep:\n"
    "  model.activation: [sigmoid, softplus, tanh]\n"
    "  loss: [bce, mse]\n"
    "  train.batch_size: [0, 100]\n"
    "record:\n"
    "  hidden: true\n"
    "  boundary: {resolution: 23, extent: [-1.5, 1.5, -1.5, 1.5]}\n";

static void test_runner_same_numbers_every_isa(void **state)
{
    (void)state;
    write_file(TMP "/isa.yaml", isa_spec);
    setenv("MLPLAB_ISA", "avx512", 1);
    assert_int_equal(run("isa.yaml", "-q", "-j2", "-o", "isa512.h5", NULL), 0);
    setenv("MLPLAB_ISA", "avx2", 1);
    assert_int_equal(run("isa.yaml", "-q", "-j1", "-o", "isa2.h5", NULL), 0);
    setenv("MLPLAB_ISA", "sse2", 1);
    assert_int_equal(run("isa.yaml", "-q", "-j2", "-o", "isasse2.h5", NULL), 0);
    unsetenv("MLPLAB_ISA");
    assert_same_numbers(TMP "/isa512.h5", TMP "/isa2.h5", 100);
    assert_same_numbers(TMP "/isa512.h5", TMP "/isasse2.h5", 100);
}

static void test_runner_diverged_run_is_a_result(void **state)
{
    (void)state;
    write_file(TMP "/div.yaml",
               "name: div\n"
               "dataset: {plugin: circles, train: 40, factor: 0.5}\n"
               "model: {hidden: 8, activation: relu, init: he}\n"
               "loss: mse\n"
               "train: {iterations: 200}\n"
               "sweep:\n"
               "  train.learning_rate: [0.1, 1e6]\n");
    assert_int_equal(run("div.yaml", "-q", "-o", "div.h5", NULL), 0);
    assert_non_null(strstr(out_buf, "1 diverged"));
    hid_t f = H5Fopen(TMP "/div.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    char status[32] = "";
    hid_t g = H5Gopen2(f, "/runs/run_0001", H5P_DEFAULT);
    assert_true(g >= 0);
    hid_t at = H5Aopen(g, "status", H5P_DEFAULT);
    assert_true(at >= 0);
    hid_t t = H5Aget_type(at);
    if (H5Tis_variable_str(t) > 0) {
        char *s = NULL;
        H5Aread(at, t, &s);
        snprintf(status, sizeof(status), "%s", s ? s : "");
        H5free_memory(s);
    } else {
        H5Aread(at, t, status);
    }
    assert_string_equal(status, "diverged");
    H5Tclose(t);
    H5Aclose(at);
    H5Gclose(g);
    H5Fclose(f);
}

static void test_runner_keep_runs_and_info(void **state)
{
    (void)state;
    write_file(TMP "/small.yaml", small_spec);
    unsigned char done[3];
    assert_int_equal(run("small.yaml", "-q", "-o", "kept.h5", "--keep-runs", NULL), 0);
    assert_int_equal(runs_kept(TMP "/kept.runs", 3, done), 3);
    assert_true(count_parts(TMP "/kept.runs") >= 1);
    assert_int_equal(run("info", "kept.h5", NULL), 0);
    assert_non_null(strstr(out_buf, "train_accuracy"));
    assert_int_equal(run("info", "--help", NULL), 0);
    assert_non_null(strstr(out_buf, "run, seed, repeat, status"));
    assert_non_null(strstr(out_buf, "model.hidden"));
    /* sort, filter, choose columns, CSV */
    assert_int_equal(run("info", "kept.h5", "--sort", "model.hidden", "--desc", "--columns",
                         "run,model.hidden", NULL), 0);
    assert_non_null(strstr(out_buf, "run  model.hidden\n2    5\n1    3\n0    2\n"));
    assert_int_equal(run("info", "kept.h5", "--where", "model.hidden>2", "--csv", "--columns",
                         "run,model.hidden,status", NULL), 0);
    assert_string_equal(out_buf, "run,model.hidden,status\n1,3,ok\n2,5,ok\n");
    /* the spaced form, in three words or two; the count of rows kept */
    assert_int_equal(run("info", "kept.h5", "--where", "model.hidden", ">=", "3", "--csv",
                         "--columns", "run", NULL), 0);
    assert_string_equal(out_buf, "run\n1\n2\n");
    assert_int_equal(run("info", "kept.h5", "--where", "model.hidden", "<3", "--where",
                         "status=", "ok", NULL), 0);
    assert_string_equal(err_buf, "1 of 3 runs\n");
    /* a mistyped operator or column is an error, not "0 of 3 runs" */
    assert_int_equal(run("info", "kept.h5", "--where", "model.hidden=>3", NULL), 2);
    assert_non_null(strstr(err_buf, "unknown operator '=>' (did you mean '>='?)"));
    assert_int_equal(run("info", "kept.h5", "--where", "model.hiden>=3", NULL), 2);
    assert_non_null(strstr(err_buf, "no column 'model.hiden' (did you mean 'model.hidden'?)"));
    assert_int_equal(run("info", "kept.h5", "--sort", "hiden", NULL), 2);
    assert_non_null(strstr(err_buf, "no column 'hiden'"));
    assert_int_equal(run("info", "missing.h5", NULL), 1);
    assert_non_null(strstr(err_buf, "missing.h5"));
}

/* Sweeps compared: several files as one table with a file column, JSON,
 * the resolved spec and provenance; and the runs an unfinished sweep left
 * in its run folder (issue 17: after Ctrl-C, `info RUN_FOLDER` said "Is a
 * directory"). */
static void test_runner_info_files_json_spec_folder(void **state)
{
    (void)state;
    write_file(TMP "/small.yaml", small_spec);
    assert_int_equal(run("small.yaml", "-q", "-o", "ia.h5", NULL), 0);
    assert_int_equal(run("small.yaml", "-q", "-o", "ib.h5", "--set", "sweep.model.hidden=[4]",
                         "--set", "sweep.model.activation=[tanh]", NULL), 0);
    /* two files, one table: the columns of both, "" where a file has none */
    assert_int_equal(run("info", "ia.h5", "ib.h5", "--csv", "--columns",
                         "file,run,model.hidden,model.activation", NULL), 0);
    assert_string_equal(out_buf, "file,run,model.hidden,model.activation\n"
                                 "ia.h5,0,2,\nia.h5,1,3,\nia.h5,2,5,\nib.h5,0,4,tanh\n");
    assert_int_equal(run("info", "ia.h5", "ib.h5", "--where", "model.activation=tanh", NULL), 0);
    assert_string_equal(err_buf, "1 of 4 runs\n");
    assert_int_equal(run("info", "ib.h5", "--where", "status=ok", NULL), 0);
    assert_string_equal(err_buf, "1 of 1 run\n");
    assert_int_equal(run("small.yaml", "-o", "one.h5", "--set", "sweep.model.hidden=[4]", NULL),
                     0);
    assert_non_null(strstr(out_buf, "wrote one.h5: 1 run (1 ok, 0 diverged)"));
    assert_int_equal(run("small.yaml", "-o", "big.h5", "--set", "sweep.model.hidden=[4]",
                         "--set", "record.budget=1kB", NULL), 2);
    assert_non_null(strstr(err_buf, " GB (1 run), more than record.budget"));
    /* JSON: numbers as numbers, text as strings */
    assert_int_equal(run("info", "ia.h5", "--json", "--where", "run<2", "--columns",
                         "run,model.hidden,status", NULL), 0);
    assert_string_equal(out_buf, "[\n {\"run\": 0, \"model.hidden\": 2, \"status\": \"ok\"},\n"
                                 " {\"run\": 1, \"model.hidden\": 3, \"status\": \"ok\"}\n]\n");
    assert_int_equal(run("info", "ia.h5", "--json", "--csv", NULL), 2);
    /* --spec: provenance as comments, then a spec that parses and reruns */
    assert_int_equal(run("info", "--spec", "ib.h5", NULL), 0);
    assert_non_null(strstr(out_buf, "# format: mlplab-results\n"));
    assert_non_null(strstr(out_buf, "# swept_parameters: [model.hidden, model.activation]\n"));
    assert_non_null(strstr(out_buf, "# plugin_dataset_circles_sha256: "));
    assert_non_null(strstr(out_buf, "\nname: small\n"));
    assert_non_null(strstr(out_buf, "  model.hidden: [4]\n"));
    write_file(TMP "/again.yaml", out_buf);
    assert_int_equal(run("again.yaml", "--dry-run", NULL), 0);
    assert_int_equal(run("info", "--spec", "ib.h5", "--json", NULL), 0);
    assert_non_null(strstr(out_buf, "\"n_runs\": \"1\""));
    assert_int_equal(run("info", "--spec", "ia.h5", "ib.h5", NULL), 2);
    /* the run folder of a sweep that did not finish (its .h5 not built) */
    assert_int_equal(run("small.yaml", "-q", "-o", "ic.h5", "--keep-runs", NULL), 0);
    assert_int_equal(remove(TMP "/ic.h5"), 0);
    assert_int_equal(run("info", "ic.h5", NULL), 1);
    assert_non_null(strstr(err_buf, "runner info ic.runs shows the runs finished so far"));
    assert_int_equal(run("info", "ic.runs", "--csv", "--columns", "run,model.hidden,status",
                         NULL), 0);
    assert_string_equal(out_buf, "run,model.hidden,status\n0,2,ok\n1,3,ok\n2,5,ok\n");
    assert_non_null(strstr(err_buf, "ic.runs: 3 finished runs of an unfinished sweep"));
    /* the same numbers as the sweep file's summary, exactly */
    static char folder[sizeof(out_buf)];
    const char *same = "run,seed,repeat,status,model.hidden,final_loss,train_accuracy,"
                       "test_accuracy,first_iteration_at_100pct,iterations_run,stop_reason";
    assert_int_equal(run("info", "ic.runs", "--csv", "--columns", same, NULL), 0);
    memcpy(folder, out_buf, sizeof(folder));
    assert_int_equal(run("info", "ia.h5", "--csv", "--columns", same, NULL), 0);
    assert_true(strlen(folder) > 100);
    assert_string_equal(folder, out_buf);
    /* a folder that is no run folder */
    mkdir(TMP "/empty.runs", 0755);
    assert_int_equal(run("info", "empty.runs", NULL), 1);
    assert_non_null(strstr(err_buf, "not a run folder"));
}

/* The HDF5 class of a dataset, an attribute (attr not NULL) or a member of
 * a compound dataset (member not NULL). */
static H5T_class_t class_of(hid_t f, const char *obj, const char *attr, const char *member)
{
    hid_t o = attr ? H5Oopen(f, obj, H5P_DEFAULT) : H5Dopen2(f, obj, H5P_DEFAULT);
    hid_t a = attr ? H5Aopen(o, attr, H5P_DEFAULT) : -1;
    hid_t t = attr ? H5Aget_type(a) : H5Dget_type(o), m = -1;
    H5T_class_t c;

    assert_true(o >= 0 && t >= 0);
    if (member) {
        int i = H5Tget_member_index(t, member);
        assert_true(i >= 0);
        m = H5Tget_member_type(t, (unsigned)i);
    }
    c = H5Tget_class(member ? m : t);
    if (m >= 0)
        H5Tclose(m);
    H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    if (attr)
        H5Oclose(o);
    else
        H5Dclose(o);
    return c;
}

/* Integer swept values are stored as integers (once 3.0, 5.0, ...); reals
 * stay reals. */
static void test_runner_integer_params_stay_integers(void **state)
{
    (void)state;
    write_file(TMP "/small.yaml", small_spec);
    assert_int_equal(run("small.yaml", "-q", "-o", "int.h5", "--set",
                         "sweep.train.learning_rate=[0.5, 2]", NULL), 0);
    hid_t f = H5Fopen(TMP "/int.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_int_equal(class_of(f, "/summary/model.hidden", NULL, NULL), H5T_INTEGER);
    assert_int_equal(class_of(f, "/summary_table", NULL, "model.hidden"), H5T_INTEGER);
    assert_int_equal(class_of(f, "/runs/run_0000", "model.hidden", NULL), H5T_INTEGER);
    /* a column with a real in it is real throughout; the integer 2 too */
    assert_int_equal(class_of(f, "/summary/train.learning_rate", NULL, NULL), H5T_FLOAT);
    assert_int_equal(class_of(f, "/summary_table", NULL, "train.learning_rate"), H5T_FLOAT);
    assert_int_equal(class_of(f, "/runs/run_0000", "train.learning_rate", NULL), H5T_FLOAT);
    H5Fclose(f);
    assert_int_equal(run("info", "int.h5", "--csv", "--columns",
                         "model.hidden,train.learning_rate", "--where", "run<2", NULL), 0);
    assert_string_equal(out_buf, "model.hidden,train.learning_rate\n2,0.5\n2,2\n");
}

/* A test set that is the training set is warned about (circles without its
 * phase offset at noise 0 gives the same points in another order). */
static void test_runner_warns_test_equal_to_train(void **state)
{
    (void)state;
    write_file(TMP "/same.yaml",
               "name: same\n"
               "dataset: {plugin: circles, train: 40, test: 40, factor: 0.5, offset: false}\n"
               "train: {iterations: 5}\nrecord: {boundary: false}\n"
               "sweep:\n  model.hidden: [2, 3]\n");
    assert_int_equal(run("same.yaml", "-q", "-j1", "-o", "same.h5", NULL), 0);
    assert_non_null(strstr(err_buf, "dataset 'circles': every one of the 40 test points is a "
                                    "training point"));
    /* told once, not once per run */
    assert_null(strstr(strstr(err_buf, "every one of") + 1, "every one of"));
    assert_int_equal(run("same.yaml", "-q", "-o", "held.h5", "--set", "dataset.offset=true",
                         NULL), 0);
    assert_null(strstr(err_buf, "test points"));
}

/* --resume after an interrupt before any run finished: a changed spec is
 * refused, as when runs had finished (once silently accepted). */
static void test_runner_resume_no_runs_refuses_changed_spec(void **state)
{
    (void)state;
    write_file(TMP "/small.yaml", small_spec);
    /* the state of a sweep interrupted before its first run ended: the run
     * folder holds only the identity */
    assert_int_equal(run("small.yaml", "-q", "-o", "zr.h5", "--keep-runs", NULL), 0);
    assert_int_equal(remove(TMP "/zr.h5"), 0);
    DIR *d = opendir(TMP "/zr.runs");
    struct dirent *e;
    char path[1024];
    assert_non_null(d);
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, "part_", 5)) {
            snprintf(path, sizeof(path), TMP "/zr.runs/%s", e->d_name);
            assert_int_equal(remove(path), 0);
        }
    closedir(d);
    assert_int_equal(run("small.yaml", "-q", "-o", "zr.h5", "--resume", "--set",
                         "train.iterations=7", NULL), 2);
    assert_non_null(strstr(err_buf, "no run of the sweep it was started for has finished"));
    assert_non_null(strstr(err_buf, "then: train.iterations: 60\n"));
    assert_non_null(strstr(err_buf, "now:  train.iterations: 7\n"));
    /* the same spec resumes; --force starts the other */
    assert_int_equal(run("small.yaml", "-q", "-o", "zr.h5", "--resume", NULL), 0);
    assert_true(exists(TMP "/zr.h5"));
}

static void test_runner_plugins_lists_shipped(void **state)
{
    static const char *names[] = {"sigmoid", "tanh", "relu", "leaky_relu", "softplus",
                                  "identity", "bce", "mse", "circles", "xor"};
    (void)state;
    assert_int_equal(run("plugins", NULL), 0);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        assert_non_null(strstr(out_buf, names[i]));
    assert_non_null(strstr(out_buf, "slope"));
    assert_non_null(strstr(out_buf, "reduction"));
}

static void test_runner_usage_errors(void **state)
{
    (void)state;
    assert_int_equal(run(NULL), 2);
    assert_int_equal(run("--frobnicate", NULL), 2);
    assert_int_equal(run("x.yaml", "-j", "zero", NULL), 2);
    assert_non_null(strstr(err_buf, "-j expects"));
    assert_int_equal(run("missing.yaml", NULL), 2);
    assert_non_null(strstr(err_buf, "missing.yaml"));
}


static const char slow_spec[] =
    "name: slow\n"
    "dataset: {plugin: circles, train: 200, factor: 0.5}\n"
    "model: {hidden: 50}\n"
    "train: {learning_rate: 2.0, iterations: 200000}\n"
    "sweep:\n"
    "  model.hidden: [50, 49]\n"
    "record: {boundary: false}\n";

static void test_runner_interrupt_keeps_runs_and_resumes(void **state)
{
    const char *args[] = {"slow.yaml", "-j1", "-o", "slow.h5", NULL};
    struct timespec nap = {0, 20 * 1000 * 1000};
    unsigned char done[2];
    int status;

    (void)state;
    write_file(TMP "/slow.yaml", slow_spec);
    pid_t pid = spawn(args);
    /* wait for the first run to be written out (run 0: largest first; a run
     * this long is written as soon as it ends), then Ctrl-C; the bound is
     * 10 min: under the sanitizer on a loaded machine run 0 took over 60 s */
    for (int i = 0; i < 30000 && count_parts(TMP "/slow.runs") == 0; i++)
        nanosleep(&nap, NULL);
    assert_int_equal(runs_kept(TMP "/slow.runs", 2, done), 1);
    assert_true(done[0]);
    kill(pid, SIGINT);
    waitpid(pid, &status, 0);
    slurp(TMP "/stderr.txt", err_buf, sizeof(err_buf));
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 130);
    assert_non_null(strstr(err_buf, "interrupted: 1 of 2 runs"));
    assert_non_null(strstr(err_buf, "--resume"));
    assert_non_null(strstr(err_buf, "the finished runs meanwhile: runner info slow.runs\n"));
    assert_false(exists(TMP "/slow.h5"));              /* no half-built sweep file */
    /* the finished run can be looked at (once: "Is a directory") */
    assert_int_equal(run("info", "slow.runs", "--csv", "--columns", "run,model.hidden", NULL), 0);
    assert_string_equal(out_buf, "run,model.hidden\n0,50\n");
    assert_non_null(strstr(err_buf, "slow.runs: 1 finished run of an unfinished sweep"));
    assert_int_equal(runs_kept(TMP "/slow.runs", 2, done), 1); /* the finished run is kept */
    assert_true(done[0]);
    assert_false(done[1]);

    /* the kept run is not overwritten by a plain run, nor mixed into another spec */
    assert_int_equal(run("slow.yaml", "-q", "-o", "slow.h5", NULL), 2);
    assert_non_null(strstr(err_buf, "unfinished sweep"));
    assert_int_equal(run("slow.yaml", "-q", "-o", "slow.h5", "--resume", "--set",
                         "train.iterations=10", NULL), 2);
    assert_non_null(strstr(err_buf, "different sweep"));
    assert_non_null(strstr(err_buf, "then: train.iterations: 200000\n"));
    assert_non_null(strstr(err_buf, "now:  train.iterations: 10\n"));

    /* --resume finishes it, with the same numbers as an uninterrupted sweep */
    assert_int_equal(run("slow.yaml", "-q", "-j1", "-o", "slow.h5", "--resume", NULL), 0);
    assert_non_null(strstr(out_buf, "1 resumed"));
    assert_int_equal(run("slow.yaml", "-q", "-j2", "-o", "fresh.h5", NULL), 0);
    assert_same_numbers(TMP "/slow.h5", TMP "/fresh.h5", 10);
    assert_int_equal(run("slow.yaml", "-q", "-o", "slow.h5", "--resume", NULL), 2);
    assert_non_null(strstr(err_buf, "already complete"));
    assert_int_equal(run("slow.yaml", "-q", "-o", "slow.h5", "--resume", "--set",
                         "train.iterations=10", NULL), 2);
    assert_non_null(strstr(err_buf, "holds a finished sweep of a different spec"));
}

/* Every broken spec of the table, through the runner: exit 2, the located
 * message on stderr, nothing written. */
static void test_runner_broken_specs_exit_2(void **state)
{
    size_t n = sizeof(broken_specs) / sizeof(broken_specs[0]), failed = 0;

    (void)state;
    for (size_t i = 0; i < n; i++) {
        const broken *b = &broken_specs[i];
        int rc;

        write_file(TMP "/x.yaml", b->text);
        if (b->set)
            rc = run("x.yaml", "-q", "-o", "out/x.h5", "--set", b->set, NULL);
        else
            rc = run("x.yaml", "-q", "-o", "out/x.h5", NULL);
        bool ok = rc == 2 && strncmp(err_buf, b->want, strlen(b->want)) == 0 &&
                  (!b->also || strstr(err_buf, b->also)) && !exists(TMP "/out");
        if (!ok) {
            print_error("case %zu: exit %d\n got: %s\nwant: %s\n", i, rc, err_buf, b->want);
            failed++;
        }
    }
    assert_true(n >= 25);
    assert_int_equal(failed, 0);
}

/* Warm start: a run starts from another results file's final weights. */
static void test_runner_warm_start(void **state)
{
    double a[64], b[64];
    hsize_t dims[4];
    int rank;

    (void)state;
    write_file(TMP "/small.yaml", small_spec);
    assert_int_equal(run("small.yaml", "-q", "-o", "prior.h5", NULL), 0);
    write_file(TMP "/warm.yaml",
               "name: warm\n"
               "seed: 7\n"
               "dataset: {plugin: circles, train: 40, test: 20, factor: 0.5}\n"
               "model: {hidden: 5, init: {file: prior.h5, run: 2}}\n"
               "train: {learning_rate: 2.0, iterations: 1}\n"
               "record: {weights_every: 1}\n");
    assert_int_equal(run("warm.yaml", "-q", "-o", "warm.h5", NULL), 0);
    hid_t f = H5Fopen(TMP "/prior.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t g = H5Fopen(TMP "/warm.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0 && g >= 0);
    /* the snapshot before the first update is the prior run's final weights */
    size_t n = read_doubles(f, "/runs/run_0002/weights/layer0/W", a, 64, dims, &rank);
    assert_int_equal(read_doubles(g, "/runs/run_0000/snapshots/layer0/W", b, 64, dims, &rank), n);
    assert_memory_equal(a, b, n * sizeof(double));
    H5Fclose(f);
    H5Fclose(g);

    /* a shape that does not fit, a run that does not exist: exit 2, nothing written */
    assert_int_equal(run("warm.yaml", "-q", "-o", "bad.h5", "--set", "model.init.run=0", NULL), 2);
    assert_non_null(strstr(err_buf, "prior.h5: run 0 layer 0 has weights of shape (2, 2); this "
                                    "model's layer 0 needs (5, 2)"));
    assert_int_equal(run("warm.yaml", "-q", "-o", "bad.h5", "--set", "model.init.run=9", NULL), 2);
    assert_non_null(strstr(err_buf, "no run 9"));
    assert_false(exists(TMP "/bad.h5"));

    /* weights that are not finite, or not numbers: exit 2 before training,
     * naming the file, the run and the dataset */
    assert_int_equal(system("cp '" TMP "/prior.h5' '" TMP "/nan.h5' && cp '" TMP "/prior.h5' '"
                            TMP "/str.h5'"), 0);
    f = H5Fopen(TMP "/nan.h5", H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t d = H5Dopen2(f, "/runs/run_0002/weights/layer1/b", H5P_DEFAULT);
    double nan1 = NAN;
    assert_true(d >= 0);
    assert_true(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &nan1) >= 0);
    H5Dclose(d);
    H5Fclose(f);
    assert_int_equal(run("warm.yaml", "-q", "-o", "bad.h5", "--set", "model.init.file=nan.h5",
                         NULL), 2);
    assert_non_null(strstr(err_buf, "nan.h5: run 2: weights/layer1/b[0] is NaN; a warm start "
                                    "needs finite weights"));
    assert_false(exists(TMP "/bad.h5"));
    f = H5Fopen(TMP "/str.h5", H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_true(H5Ldelete(f, "/runs/run_0002/weights/layer0/W", H5P_DEFAULT) >= 0);
    {
        hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate_simple(2, (hsize_t[]){5, 2}, NULL);
        char text[10][4] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
        H5Tset_size(t, 4);
        d = H5Dcreate2(f, "/runs/run_0002/weights/layer0/W", t, sp, H5P_DEFAULT, H5P_DEFAULT,
                       H5P_DEFAULT);
        assert_true(d >= 0);
        assert_true(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, text) >= 0);
        H5Dclose(d);
        H5Sclose(sp);
        H5Tclose(t);
    }
    H5Fclose(f);
    assert_int_equal(run("warm.yaml", "-q", "-o", "bad.h5", "--set", "model.init.file=str.h5",
                         NULL), 2);
    assert_non_null(strstr(err_buf, "str.h5: run 2: weights/layer0/W holds strings, not numbers"));
    assert_false(exists(TMP "/bad.h5"));
}

/* Plugins that are not what they seem: one on --plugin-path under a
 * shipped name is named in the run's output and in `runner plugins`; a
 * file of another kind is a located spec error; a file that crashes its
 * loader does not take `runner plugins` down. */
static void test_runner_plugin_surprises(void **state)
{
    (void)state;
    write_file(TMP "/shadow.yaml",
               "name: shadow\n"
               "dataset: {plugin: circles, train: 20}\n"
               "model: {hidden: 2, activation: sigmoid}\n"
               "train: {learning_rate: 1.0, iterations: 2}\n");
    assert_int_equal(run("shadow.yaml", "-q", "-o", "shadow.h5", "--plugin-path",
                         MLPLAB_TEST_FIXTURE_DIR "/shadow", NULL), 0);
    assert_non_null(strstr(err_buf, "runner: note: activation plugin 'sigmoid' is "
                                    MLPLAB_TEST_FIXTURE_DIR "/shadow/activations/sigmoid.so, "
                                    "which replaces the shipped " MLPLAB_TEST_PLUGIN_DIR
                                    "/activations/sigmoid.so"));
    assert_int_equal(run("shadow.yaml", "-q", "-o", "plain.h5", NULL), 0);
    assert_null(strstr(err_buf, "replaces"));

    assert_int_equal(run("plugins", "--plugin-path", MLPLAB_TEST_FIXTURE_DIR "/crash", NULL), 0);
    assert_non_null(strstr(err_buf, "crash/activations/crash_on_load.so: crashed while being "
                                    "loaded (signal 11"));
    assert_non_null(strstr(out_buf, "replaces the shipped activation plugin 'sigmoid' ("
                                    MLPLAB_TEST_PLUGIN_DIR "/activations/sigmoid.so)"));
    assert_non_null(strstr(out_buf, "\nloss       bce "));

    write_file(TMP "/kind.yaml",
               "name: kind\n"
               "dataset: {plugin: circles, train: 20}\n"
               "model: {hidden: 2, activation: tanh}\n"
               "loss: " MLPLAB_TEST_PLUGIN_DIR "/activations/tanh.so\n"
               "train: {learning_rate: 1.0, iterations: 2}\n");
    assert_int_equal(run("kind.yaml", "-q", "-o", "kind.h5", NULL), 2);
    assert_non_null(strstr(err_buf, "kind.yaml:4:7: error: plugin "));
    assert_non_null(strstr(err_buf, "tanh.so: wrong kind: it is an activation plugin, not a "
                                    "loss"));
    assert_false(exists(TMP "/kind.h5"));
}

/* A plugin that returns NaN for finite inputs is named, with the run; it is
 * not taken for a diverging run.  Finished runs stay. */
static void test_runner_plugin_nan_is_named(void **state)
{
    (void)state;
    write_file(TMP "/nan.yaml",
               "name: nan\n"
               "dataset: {plugin: circles, train: 40, factor: 0.5}\n"
               "model: {hidden: 4, activation: nan_above, init: {uniform: 0.1}}\n"
               "train: {learning_rate: 5.0, iterations: 400}\n"
               "record: {boundary: false}\n");
    assert_int_equal(run("nan.yaml", "-q", "-o", "nan.h5", "--plugin-path",
                         MLPLAB_TEST_FIXTURE_DIR "/faults", NULL), 1);
    assert_non_null(strstr(err_buf, "run 0: activation plugin 'nan_above' of hidden layer 0 "
                                    "returned NaN for the finite input"));
    assert_non_null(strstr(err_buf, "faults/activations/nan_above.so"));
    assert_false(exists(TMP "/nan.h5"));
}

/* In the sanitizer build the fixture's store through NULL is caught first by
 * UndefinedBehaviorSanitizer, whose report ends in abort() (abort_on_error=1):
 * the runner's note then names SIGABRT, and the process dies by it. */
#if defined(__SANITIZE_ADDRESS__)
#define CRASH_SIGNAL SIGABRT
#define CRASH_NAME "SIGABRT"
#else
#define CRASH_SIGNAL SIGSEGV
#define CRASH_NAME "SIGSEGV"
#endif

/* A plugin that crashes in a worker: the runner dies by the signal, after
 * one line on stderr naming the run and the plugin; the runs finished before
 * stay in the run folder, and the sweep resumes once the plugin is fixed. */
static void test_runner_plugin_crash_is_named(void **state)
{
    const char *args[] = {"crash.yaml", "-q", "-j1", "-o", "crash.h5", "--plugin-path",
                          MLPLAB_TEST_FIXTURE_DIR "/faults", NULL};
    unsigned char done[2];
    int status;

    (void)state;
    /* run 0 is long enough to be written out before run 1 starts (the
     * journal writes a run that ends half a second after the last write;
     * 8000 steps took 0.48-0.52 s on the 2026 test machine, and the test
     * failed now and then: 16000) */
    write_file(TMP "/crash.yaml",
               "name: crash\n"
               "dataset: {plugin: circles, train: 200, factor: 0.5}\n"
               "model: {hidden: 30, activation: {plugin: segv_when, crash: false}}\n"
               "train: {learning_rate: 2.0, iterations: 16000}\n"
               "sweep:\n"
               "  model.activation.crash: [false, true]\n"
               "record: {boundary: false}\n");
    unsetenv("MLPLAB_FIXTURE_FIXED");
    waitpid(spawn(args), &status, 0);
    slurp(TMP "/stderr.txt", err_buf, sizeof(err_buf));
    if (!WIFSIGNALED(status) || WTERMSIG(status) != CRASH_SIGNAL)
        fail_msg("expected death by signal %d, got status %#x; stderr: %s", CRASH_SIGNAL,
                 status, err_buf);
    /* one line, at the start of a line */
    const char *note = strstr(err_buf, "runner: " CRASH_NAME " in run 1, in forward of "
                                       "activation plugin 'segv_when' (hidden layer 0) from "
                                       MLPLAB_TEST_FIXTURE_DIR "/faults/activations/segv_when.so;"
                                       " the runs finished before are kept in crash.runs (a "
                                       "changed plugin file is a different sweep, which --resume "
                                       "refuses); with the same files, finish it with: ");
    if (!note || (note != err_buf && note[-1] != '\n'))
        fail_msg("no note naming the plugin; stderr: %s", err_buf);
    const char *eol = strchr(note, '\n');
    assert_non_null(eol);
    assert_non_null(strstr(note, "crash.yaml -q -j1 -o crash.h5 --plugin-path"));
    assert_true(strstr(note, "--resume") < eol);
    assert_false(exists(TMP "/crash.h5"));
    assert_int_equal(runs_kept(TMP "/crash.runs", 2, done), 1);
    assert_true(done[0]);

    /* the same plugin file, its fault gone with its environment: the sweep
     * resumes */
    setenv("MLPLAB_FIXTURE_FIXED", "1", 1);
    int rc = run("crash.yaml", "-q", "-j1", "-o", "crash.h5", "--plugin-path",
                 MLPLAB_TEST_FIXTURE_DIR "/faults", "--resume", NULL);
    unsetenv("MLPLAB_FIXTURE_FIXED");
    if (rc != 0)
        fail_msg("resume: exit %d: %s", rc, err_buf);
    assert_non_null(strstr(out_buf, "wrote crash.h5: 2 runs (2 ok, 0 diverged; 1 resumed"));
}

/* Run the runner with a file-size limit (bytes); stderr lands in err_buf. */
static int run_limited(rlim_t limit, const char *const *args)
{
    int status;

    waitpid(spawn_limited(args, limit), &status, 0);
    slurp(TMP "/stderr.txt", err_buf, sizeof(err_buf));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Disk and path faults: a missing folder, a file where a folder should be,
 * and a disk that fills up while the sweep file is built: a clear error,
 * and every finished run stays (and --resume then completes the sweep). */
static void test_runner_disk_and_path_faults(void **state)
{
    const char *args[] = {"small.yaml", "-q", "-j1", "-o", "full.h5", NULL};

    (void)state;
    write_file(TMP "/small.yaml", small_spec);
    /* bad output paths are usage errors: exit 2 */
    assert_int_equal(run("small.yaml", "-q", "-o", "nowhere/x.h5", NULL), 2);
    assert_non_null(strstr(err_buf, "nowhere/x.h5: cannot write results: folder nowhere: No such "
                                    "file or directory"));
    assert_int_equal(run("small.yaml", "-q", "-o", "small.yaml/x.h5", NULL), 2);
    assert_non_null(strstr(err_buf, "small.yaml"));
    assert_false(exists(TMP "/nowhere"));
    mkdir(TMP "/adir", 0777);
    assert_int_equal(run("small.yaml", "-q", "-o", "adir", NULL), 2);
    assert_non_null(strstr(err_buf, "adir: cannot write results there: it is a folder"));
    /* a dangling symbolic link at -o stays unless --force */
    unlink(TMP "/dangling.h5");
    assert_int_equal(symlink("gone.h5", TMP "/dangling.h5"), 0);
    assert_int_equal(run("small.yaml", "-q", "-o", "dangling.h5", NULL), 2);
    assert_non_null(strstr(err_buf, "dangling.h5: a symbolic link to a missing file is there"));
    struct stat lsb;
    assert_int_equal(lstat(TMP "/dangling.h5", &lsb), 0);
    assert_true(S_ISLNK(lsb.st_mode));
    assert_false(exists(TMP "/dangling.runs"));
    assert_int_equal(run("small.yaml", "-q", "-o", "dangling.h5", "--force", NULL), 0);
    assert_int_equal(lstat(TMP "/dangling.h5", &lsb), 0);
    assert_true(S_ISREG(lsb.st_mode));

    /* a sweep that clearly cannot fit on the disk (about 64 TB of weight
     * snapshots) is refused before it starts: no run folder is left, and
     * --resume, with nothing to resume, is not advised */
    write_file(TMP "/huge.yaml",
               "name: huge\n"
               "dataset: {plugin: circles, train: 20}\n"
               "model: {hidden: 1000}\n"
               "train: {learning_rate: 1.0, iterations: 1000000000}\n"
               "record: {weights_every: 1, budget: 1000 TB, hidden: false, boundary: false}\n");
    assert_int_equal(run("huge.yaml", "-q", "-o", "huge.h5", NULL), 1);
    assert_non_null(strstr(err_buf, "MB of disk"));
    assert_null(strstr(err_buf, "--resume"));
    assert_false(exists(TMP "/huge.runs"));
    assert_false(exists(TMP "/huge.h5"));

    /* the part file (3 runs, ~30 kB) fits under 64 kB, the sweep file (~120 kB) does not */
    unsigned char done[3];
    assert_int_equal(run_limited(64 * 1024, args), 1);
    assert_non_null(strstr(err_buf, "full.h5"));
    assert_non_null(strstr(err_buf, "File too large"));
    assert_false(exists(TMP "/full.h5"));
    assert_int_equal(runs_kept(TMP "/full.runs", 3, done), 3);
    assert_int_equal(run("small.yaml", "-q", "-o", "full.h5", "--resume", NULL), 0);
    assert_non_null(strstr(out_buf, "3 resumed"));
}

/* kill -9 at 20 moments: whatever is left is either an intact part file or
 * a temporary; --resume then finishes with the numbers of a sweep that was
 * never interrupted.  In format 2 (the default), whose stacks (one per
 * width here) are built from the part files as they come. */
static void test_runner_kill9_keeps_complete_runs(void **state)
{
    const char *args[] = {"k.yaml", "-q", "-j2", "-o", "k.h5", "--format", "2", NULL};
    uint64_t lcg = 12345;
    int kills = 0;

    (void)state;
    write_file(TMP "/k.yaml",
               "name: k\n"
               "seed: 3\n"
               "dataset: {plugin: circles, train: 100, test: 50, factor: 0.5}\n"
               "model: {hidden: 8}\n"
               "train: {learning_rate: 2.0, iterations: 4000}\n"
               "sweep:\n"
               "  model.hidden: [4, 6, 8, 10, 12, 14]\n"
               "record: {boundary: {resolution: 30}}\n");
    /* the kills are spread over the time a whole sweep takes here (measured,
     * not asserted), from start-up to the building of the sweep file */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(run("k.yaml", "-q", "-j2", "-o", "ref.h5", "--format", "2", NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long span = (long)((t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000);
    /* until 20 kills have landed while the runner was alive (a delay past
     * the end of a sweep kills nothing; at most 60 tries) */
    for (int i = 0; i < 60 && kills < 20; i++) {
        if (system("rm -rf '" TMP "/k.h5' '" TMP "/k.runs'") != 0)
            fail_msg("cannot clean up");
        lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
        long us = (long)((lcg >> 33) % (uint64_t)(span + 1));
        struct timespec t = {us / 1000000, (us % 1000000) * 1000};
        pid_t pid = spawn(args);
        nanosleep(&t, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        kills += WIFSIGNALED(status);
        /* every part file present passes its checks (the clean-up that
         * --resume starts with deletes the ones that do not) */
        size_t parts = count_parts(TMP "/k.runs");
        mlp_error e;
        assert_int_equal(mlp_results_clean_tmp(TMP "/k.runs", &e), MLP_OK);
        if (count_parts(TMP "/k.runs") != parts)
            fail_msg("kill %d after %ld us: a part file failed its checks", i, us);
        /* --resume finishes it with the same numbers */
        if (!exists(TMP "/k.h5")) {
            int rc = run("k.yaml", "-q", "-o", "k.h5", "--resume", "--format", "2", NULL);
            if (rc != 0)
                fail_msg("kill %d after %ld us: --resume exit %d: %s", i, us, rc, err_buf);
        }
        hid_t a = H5Fopen(TMP "/k.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
        hid_t b = H5Fopen(TMP "/ref.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
        assert_true(a >= 0 && b >= 0);
        cmp_ctx c = {.other = b};
        H5Ovisit(a, H5_INDEX_NAME, H5_ITER_NATIVE, cmp_visit, &c);
        if (c.differ != 0 || c.compared < 60)
            fail_msg("kill %d after %ld us: %d of %d datasets differ", i, us, c.differ,
                     c.compared);
        H5Fclose(a);
        H5Fclose(b);
    }
    assert_int_equal(kills, 20);
}

/* A second Ctrl-C stops at once; finished run files stay complete. */
static void test_runner_second_interrupt_stops_at_once(void **state)
{
    const char *args[] = {"slow.yaml", "-j1", "-o", "slow.h5", NULL};
    struct timespec nap = {0, 20 * 1000 * 1000}, tiny = {0, 1000 * 1000};
    int status;

    (void)state;
    write_file(TMP "/slow.yaml", slow_spec);
    unsigned char done[2];
    pid_t pid = spawn(args);
    for (int i = 0; i < 30000 && count_parts(TMP "/slow.runs") == 0; i++)
        nanosleep(&nap, NULL);
    kill(pid, SIGINT);
    nanosleep(&tiny, NULL);
    kill(pid, SIGINT);
    waitpid(pid, &status, 0);
    assert_true((WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) ||
                (WIFEXITED(status) && WEXITSTATUS(status) == 130));
    assert_int_equal(runs_kept(TMP "/slow.runs", 2, done), 1);
    assert_true(done[0]);
    assert_false(exists(TMP "/slow.h5"));
}

/* A sweep of 10^6 runs spends minutes resolving its runs before training:
 * meanwhile it shows how far it is, and SIGTERM or SIGINT stops it with
 * exit 130, as during training, saying that nothing was trained or written
 * (and without advice to resume what does not exist). */
static void test_runner_signals_while_resolving_runs(void **state)
{
    const char *args[] = {"million.yaml", "-j1", "-o", "million.h5", NULL};
    const int sigs[] = {SIGTERM, SIGINT};
    struct timespec nap = {0, 20 * 1000 * 1000};

    (void)state;
    write_file(TMP "/million.yaml",
               "name: million\n"
               "max_runs: 1000000\n"
               "dataset: {plugin: circles, train: 20}\n"
               "model: {hidden: 3, activation: tanh}\n"
               "train: {iterations: 5, learning_rate: 0.1}\n"
               "record: {boundary: false, budget: 1000000000000}\n"
               "sweep:\n"
               "  train.learning_rate: {from: 0.001, to: 1.0, num: 1000}\n"
               "  model.hidden: {from: 1, to: 1000, step: 1}\n");
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        int status;
        unlink(TMP "/stderr.txt");  /* not the last round's line */
        pid_t pid = spawn(args);
        /* the progress line comes 2 s into the resolution */
        for (int t = 0; t < 6000; t++) {
            slurp(TMP "/stderr.txt", err_buf, sizeof(err_buf));
            if (strstr(err_buf, "resolving the runs before training: "))
                break;
            nanosleep(&nap, NULL);
        }
        if (!strstr(err_buf, " of 1000000 ("))
            fail_msg("no progress while resolving; stderr: %s", err_buf);
        kill(pid, sigs[i]);
        waitpid(pid, &status, 0);
        slurp(TMP "/stderr.txt", err_buf, sizeof(err_buf));
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 130)
            fail_msg("signal %d: status %#x, not exit 130; stderr: %s", sigs[i], status, err_buf);
        assert_non_null(strstr(err_buf, "error: interrupted while resolving the runs before "
                                        "training ("));
        assert_non_null(strstr(err_buf, " of 1000000 resolved): nothing was trained or written\n"));
        assert_null(strstr(err_buf, "--resume"));
        assert_false(exists(TMP "/million.h5"));
        assert_false(exists(TMP "/million.runs"));
    }
}

/* Plugins that refuse to load, through the runner: exit 2 before anything
 * runs, the message names the plugin file and the reason. */
static void test_runner_plugin_refusals_name_the_file(void **state)
{
    static const char *const cases[][2] = {
        {"entry_null", "entry_null.so"},
        {"no_entry", "no entry symbol"},
        {"bad_param_minmax", "bad_param_minmax.so"},
        {"abi_major2", "ABI major mismatch"},
        {"bad_notso", "not a shared object"},
    };
    char spec[512];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(spec, sizeof(spec),
                 "name: refuse\n"
                 "dataset: {plugin: circles, train: 20}\n"
                 "model: {activation: %s}\n", cases[i][0]);
        write_file(TMP "/refuse.yaml", spec);
        int rc = run("refuse.yaml", "-q", "-o", "refuse.h5", "--plugin-path",
                     MLPLAB_TEST_FIXTURE_DIR, NULL);
        if (rc != 2 || !strstr(err_buf, "refuse.yaml:3:21: error:") ||
            !strstr(err_buf, cases[i][1]))
            fail_msg("%s: exit %d, message: %s", cases[i][0], rc, err_buf);
        assert_false(exists(TMP "/refuse.h5"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_runner_small_sweep_writes_results, setup),
        cmocka_unit_test_setup(test_runner_refuses_to_replace_without_force, setup),
        cmocka_unit_test_setup(test_runner_bad_spec_exits_2_with_place, setup),
        cmocka_unit_test_setup(test_runner_unknown_plugin_exits_2, setup),
        cmocka_unit_test_setup(test_runner_dry_run_lists_runs, setup),
        cmocka_unit_test_setup(test_runner_set_overrides, setup),
        cmocka_unit_test_setup(test_runner_same_numbers_for_any_thread_count, setup),
        cmocka_unit_test_setup(test_runner_repeats_share_settings, setup),
        cmocka_unit_test_setup(test_runner_one_run_threads_inside, setup),
        cmocka_unit_test_setup(test_runner_threads_kept_per_run, setup),
        cmocka_unit_test_setup(test_runner_same_numbers_every_isa, setup),
        cmocka_unit_test_setup(test_runner_diverged_run_is_a_result, setup),
        cmocka_unit_test_setup(test_runner_keep_runs_and_info, setup),
        cmocka_unit_test_setup(test_runner_info_files_json_spec_folder, setup),
        cmocka_unit_test_setup(test_runner_integer_params_stay_integers, setup),
        cmocka_unit_test_setup(test_runner_warns_test_equal_to_train, setup),
        cmocka_unit_test_setup(test_runner_resume_no_runs_refuses_changed_spec, setup),
        cmocka_unit_test_setup(test_runner_plugins_lists_shipped, setup),
        cmocka_unit_test_setup(test_runner_usage_errors, setup),
        cmocka_unit_test_setup(test_runner_broken_specs_exit_2, setup),
        cmocka_unit_test_setup(test_runner_warm_start, setup),
        cmocka_unit_test_setup(test_runner_plugin_surprises, setup),
        cmocka_unit_test_setup(test_runner_plugin_nan_is_named, setup),
        cmocka_unit_test_setup(test_runner_plugin_crash_is_named, setup),
        cmocka_unit_test_setup(test_runner_plugin_refusals_name_the_file, setup),
        cmocka_unit_test_setup(test_runner_disk_and_path_faults, setup),
        cmocka_unit_test_setup(test_runner_kill9_keeps_complete_runs, setup),
        cmocka_unit_test_setup(test_runner_second_interrupt_stops_at_once, setup),
        cmocka_unit_test_setup(test_runner_signals_while_resolving_runs, setup),
        cmocka_unit_test_setup(test_runner_interrupt_keeps_runs_and_resumes, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
