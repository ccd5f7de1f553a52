/* test_results.c -- the run journal (part files), resume checks and the
 * sweep file, read back through the HDF5 C API.  Files go under the build folder; the sample
 * sweep files test_results_sample*.h5 are left there for check_h5.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The test reads files back with the HDF5 C API.  mlplab_results links
 * HDF5 privately, so its include folder may not reach this target: fall
 * back to Debian's serial layout (its headers include each other by "..."). */
#if defined(__has_include)
#if __has_include(<hdf5.h>)
#include <hdf5.h>
#include <hdf5_hl.h>
#else
#include <hdf5/serial/hdf5.h>
#include <hdf5/serial/hdf5_hl.h>
#endif
#else
#include <hdf5.h>
#include <hdf5_hl.h>
#endif

#include "base/thread_hook.h"
#include "results/results.h"
#include "results/journal.h" /* the run record serialized, for the format tests */

#define HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define N_RUNS 3
#define N_LOSS 5
#define RES 4
#define N_PTS 5

/* ---- fixtures --------------------------------------------------------- */

static char *xprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    s = malloc((size_t)n + 1);
    assert_non_null(s);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static void rm_rf(const char *path)
{
    char *cmd = xprintf("rm -rf '%s'", path);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

/* A fresh folder under the build tree for one test, e.g. <bin>/test_results.d/prepare. */
static char *fresh_dir(const char *name)
{
    char *base = xprintf("%s/test_results.d", MLPLAB_TEST_BINARY_DIR);
    char *dir = xprintf("%s/%s", base, name);

    mkdir(base, 0777);
    rm_rf(dir);
    assert_int_equal(mkdir(dir, 0777), 0);
    free(base);
    return dir;
}

static void done_dir(char *dir)
{
    if (!getenv("MLPLAB_KEEP_TEST_FILES"))
        rm_rf(dir);
    free(dir);
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* A synthetic run: 2 inputs, hidden widths 3 and 4, 1 output. */
typedef struct fake_run {
    mlp_run_record rec;
    mlp_param_cell cells[2];
    size_t width[4];
    double loss[N_LOSS], test_loss[N_LOSS], test_acc[N_LOSS], train_acc[N_LOSS];
    double grad[N_LOSS * 3 * 2];
    double weights[3 * 2 + 3 + 4 * 3 + 4 + 1 * 4 + 1];
    double snaps[2 * (3 * 2 + 3 + 4 * 3 + 4 + 1 * 4 + 1)];
    double val[3];
    double h0[N_PTS * 3], h1[N_PTS * 4];
    const double *hidden[2];
    double boundary[RES * RES * 3];
} fake_run;

static const char *const activations[N_RUNS] = {"sigmoid", "tanh", "sigmoid"};

/* Values derived from the run index so that each can be checked. */
static double wval(size_t k, size_t i) { return (double)k + 0.01 * (double)i; }
static double lval(size_t k, size_t t) { return 1.0 / (double)(t + 1) + (double)k; }

static void fake_run_init(fake_run *f, size_t k)
{
    memset(f, 0, sizeof(*f));
    f->width[0] = 2, f->width[1] = 3, f->width[2] = 4, f->width[3] = 1;
    for (size_t t = 0; t < N_LOSS; t++) {
        f->loss[t] = lval(k, t);
        f->test_loss[t] = lval(k, t) + 0.5;
        f->test_acc[t] = 0.1 * (double)t;
        f->train_acc[t] = 0.05 * (double)t;
    }
    for (size_t i = 0; i < N_LOSS * 3 * 2; i++)
        f->grad[i] = 0.5 * (double)i + (double)k;
    for (size_t i = 0; i < sizeof(f->snaps) / sizeof(double); i++)
        f->snaps[i] = -wval(k, i);
    for (size_t i = 0; i < 3; i++)
        f->val[i] = 0.25 * (double)i;
    for (size_t i = 0; i < sizeof(f->weights) / sizeof(double); i++)
        f->weights[i] = wval(k, i);
    for (size_t i = 0; i < N_PTS * 3; i++)
        f->h0[i] = 0.1 * (double)i;
    for (size_t i = 0; i < N_PTS * 4; i++)
        f->h1[i] = -0.1 * (double)i;
    for (size_t i = 0; i < RES * RES * 3; i++)
        f->boundary[i] = (double)i / (RES * RES * 3);
    f->hidden[0] = f->h0;
    f->hidden[1] = f->h1;
    f->cells[0] = (mlp_param_cell){.path = "model.hidden", .numeric = true,
                                   .num = (double)(3 + 2 * k), .text = NULL};
    f->cells[1] = (mlp_param_cell){.path = "model.activation", .numeric = false,
                                   .text = activations[k]};
    f->rec = (mlp_run_record){
        .index = k, .seed = 1000 + k, .status = 0, .wall_seconds = 0.25 * (double)(k + 1),
        .n_params = 2, .params = f->cells,
        .final_loss = lval(k, N_LOSS - 1), .train_accuracy = 0.9, .test_accuracy = 0.8,
        .first_100pct = k == 0 ? 3 : -1,
        .iterations = 10, .iterations_run = 10, .loss_every = 2, .n_loss = N_LOSS,
        .loss = f->loss, .test_loss = f->test_loss, .grad_norm = f->grad,
        .eval_every = 2, .n_eval = N_LOSS, .test_accuracy_curve = f->test_acc,
        .train_accuracy_curve = f->train_acc, .weights_every = 5, .n_snapshots = 2,
        .snapshots = f->snaps, .n_scores = 3, .validation_accuracy = f->val,
        .stop_reason = "tol", .best_iteration = 4,
        .n_layers = 3, .width = f->width, .weights = f->weights,
        .hidden = f->hidden, .n_hidden_points = N_PTS,
        .resolution = RES, .extent = {-1.5, 1.5, -2.0, 2.0}, .classes_out = 1,
        .boundary = f->boundary};
    if (k == 2) { /* diverged: NaN from iteration 6 on */
        f->rec.status = 1;
        f->rec.iterations_run = 7;
        f->loss[3] = f->loss[4] = NAN;
        f->rec.final_loss = NAN;
    }
}

static double train_x[N_PTS * 2] = {0, 0, 1, 0, 0, 1, 1, 1, 0.5, 0.5};
static double train_y[N_PTS] = {0, 1, 1, 0, 1};
static double test_x[4 * 2] = {0.1, 0.1, 0.9, 0.1, 0.1, 0.9, 0.9, 0.9};
static double test_y[4] = {0, 1, 1, 0};
static mlp_data train_data = {N_PTS, 2, 2, train_x, train_y};
static mlp_data test_data = {4, 2, 2, test_x, test_y};

static const char *const swept_paths[2] = {"model.hidden", "model.activation"};
static const bool swept_numeric[2] = {true, false};
static const mlp_plugin_prov plugins[2] = {
    {"activation", "sigmoid", "/x/sigmoid.so", "aa11", "1.0"},
    {"dataset", "xor", "/x/xor.so", "bb22", "0.3"}};

static mlp_sweep_meta make_meta(void)
{
    return (mlp_sweep_meta){
        .name = "test_sweep", .description = "unit test — UTF-8 ✓",
        .spec_text = "name: test_sweep\n", .spec_sha256 = HASH,
        .spec_resolved = "name: test_sweep\nseed: 7\n",
        .command = "runner spec.yaml", .hostname = "host", .created = "2024-01-02T03:04:05Z",
        .mlplab_version = "0.1.0", .git_commit = "abc123", .git_dirty = true, .seed = 7,
        .n_runs = N_RUNS, .n_plugins = 2, .plugins = plugins, .n_swept = 2,
        .swept_paths = swept_paths, .swept_numeric = swept_numeric,
        .train = &train_data, .test = &test_data,
        .libyaml_version = "0.2.5", .openmp_version = "201511",
        .format_version = 1};  /* these tests read the format-1 layout */
}

/* Write runs 0 .. N_RUNS-1 of the fake sweep into sweep_path's run folder. */
static void write_runs(const char *sweep_path)
{
    mlp_error err;
    char *runs = mlp_results_runs_dir(sweep_path);

    mlp_error_clear(&err);
    assert_int_equal(mlp_results_prepare(sweep_path, true, false, &err), MLP_OK);
    for (size_t k = 0; k < N_RUNS; k++) {
        fake_run f;
        fake_run_init(&f, k);
        assert_int_equal(mlp_results_write_run(runs, HASH, &f.rec, &err), MLP_OK);
    }
    free(runs);
}

/* ---- HDF5 read-back helpers ---------------------------------------------- */

static void read_doubles(hid_t f, const char *path, double *out, size_t n, int rank,
                         const hsize_t *shape)
{
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    hid_t sp;
    hsize_t dims[4];

    assert_true(d >= 0);
    sp = H5Dget_space(d);
    assert_int_equal(H5Sget_simple_extent_ndims(sp), rank);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    for (int i = 0; i < rank; i++)
        assert_int_equal(dims[i], shape[i]);
    assert_int_equal(H5Sget_simple_extent_npoints(sp), n);
    assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0);
    H5Sclose(sp);
    H5Dclose(d);
}

static void attr_double(hid_t obj, const char *name, double *v)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0);
    H5Aclose(a);
}

static void attr_string(hid_t obj, const char *name, char *buf, size_t len)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT), t, mt;
    char *s = NULL;

    assert_true(a >= 0);
    t = H5Aget_type(a);
    assert_int_equal(H5Tget_class(t), H5T_STRING);
    assert_true(H5Tis_variable_str(t) > 0);
    assert_int_equal(H5Tget_cset(t), H5T_CSET_UTF8);
    mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5T_CSET_UTF8);
    assert_true(H5Aread(a, mt, &s) >= 0);
    snprintf(buf, len, "%s", s);
    H5free_memory(s);
    H5Tclose(mt);
    H5Tclose(t);
    H5Aclose(a);
}

/* H5Ovisit callback: every dataset is a scale or has a scale on every
 * axis; dimension-only scales carry the netCDF NAME. */
typedef struct scale_check {
    int datasets, scales, dim_only, unscaled;
    char bad[256];
} scale_check;

static herr_t check_scales(hid_t root, const char *name, const H5O_info_t *info, void *ctx)
{
    scale_check *c = ctx;
    hid_t d, sp;
    int rank;

    if (info->type != H5O_TYPE_DATASET)
        return 0;
    c->datasets++;
    d = H5Dopen2(root, name, H5P_DEFAULT);
    if (d < 0)
        return -1;
    if (H5DSis_scale(d) > 0) {
        char label[128] = "";

        c->scales++;
        H5DSget_scale_name(d, label, sizeof(label));
        if (!strncmp(label, "This is a netCDF dimension but not a netCDF variable.", 53)) {
            c->dim_only++;
            if (strlen(label) != 63)
                snprintf(c->bad, sizeof(c->bad), "%s: NAME '%s'", name, label);
        }
    } else {
        sp = H5Dget_space(d);
        rank = H5Sget_simple_extent_ndims(sp);
        for (int i = 0; i < rank; i++)
            if (H5DSget_num_scales(d, (unsigned)i) < 1) {
                c->unscaled++;
                snprintf(c->bad, sizeof(c->bad), "%s axis %d", name, i);
            }
        H5Sclose(sp);
    }
    H5Dclose(d);
    return 0;
}

static bool attached(hid_t f, const char *var, const char *scale, unsigned axis)
{
    hid_t d = H5Dopen2(f, var, H5P_DEFAULT), s = H5Dopen2(f, scale, H5P_DEFAULT);
    htri_t r;

    assert_true(d >= 0);
    assert_true(s >= 0);
    r = H5DSis_attached(d, s, axis);
    H5Dclose(s);
    H5Dclose(d);
    return r > 0;
}

/* ---- tests -------------------------------------------------------------- */

static void test_results_paths(void **state)
{
    char *a = mlp_results_runs_dir("results/x.h5"), *b = mlp_results_runs_dir("x"),
         *c = mlp_results_part_path("results/x.runs", 3),
         *d = mlp_results_part_path("r", 12345);

    (void)state;
    assert_string_equal(a, "results/x.runs");
    assert_string_equal(b, "x.runs");
    assert_string_equal(c, "results/x.runs/part_0003.bin");
    assert_string_equal(d, "r/part_12345.bin");
    free(a), free(b), free(c), free(d);
}

static void test_results_prepare_refuses_existing(void **state)
{
    char *dir = fresh_dir("prepare"), *path = xprintf("%s/x.h5", dir),
         *runs = xprintf("%s/x.runs", dir);
    mlp_error err;
    FILE *fp;

    (void)state;
    mlp_error_clear(&err);
    assert_int_equal(mlp_results_prepare(path, false, false, &err), MLP_OK);
    assert_true(exists(runs));
    fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(mlp_results_prepare(path, false, false, &err), MLP_ERR_EXISTS);
    assert_non_null(strstr(err.msg, "--force"));
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(mlp_results_prepare(path, true, false, &err), MLP_OK);
    /* with --resume the sweep decides (from the run folder) */
    assert_int_equal(mlp_results_prepare(path, false, true, &err), MLP_OK);
    assert_true(exists(path)); /* force replaces at build time, not here */
    free(runs);
    free(path);
    done_dir(dir);
}

static void test_results_prepare_bad_folder(void **state)
{
    char *dir = fresh_dir("badfolder"), *path = xprintf("%s/nope/x.h5", dir), *ro, *ropath;
    mlp_error err;

    (void)state;
    mlp_error_clear(&err);
    /* a missing folder, a folder given as the file: the caller's mistake */
    assert_int_equal(mlp_results_prepare(path, false, false, &err), MLP_ERR_USAGE);
    assert_non_null(strstr(err.msg, "/nope"));
    assert_non_null(strstr(err.msg, strerror(ENOENT)));
    assert_int_equal(mlp_results_prepare(dir, true, false, &err), MLP_ERR_USAGE);
    assert_non_null(strstr(err.msg, "cannot write results there: it is a folder"));
    /* a dangling symbolic link is not replaced without force */
    char *link = xprintf("%s/link.h5", dir);
    assert_int_equal(symlink("missing.h5", link), 0);
    assert_int_equal(mlp_results_prepare(link, false, false, &err), MLP_ERR_EXISTS);
    assert_non_null(strstr(err.msg, "link.h5: a symbolic link to a missing file is there (use "
                                    "--force"));
    assert_int_equal(mlp_results_prepare(link, true, false, &err), MLP_OK);
    free(link);
    /* a folder we cannot write in: chmod for ordinary users, sysfs for root */
    ro = xprintf("%s/ro", dir);
    assert_int_equal(mkdir(ro, 0555), 0);
    ropath = geteuid() == 0 ? xprintf("/sys/mlplab_test.h5") : xprintf("%s/x.h5", ro);
    if (geteuid() != 0 || exists("/sys/kernel")) {
        mlp_error_clear(&err);
        assert_int_equal(mlp_results_prepare(ropath, false, false, &err), MLP_ERR_IO);
        assert_non_null(strstr(err.msg, "cannot write in folder"));
    }
    chmod(ro, 0755);
    free(ropath);
    free(ro);
    free(path);
    done_dir(dir);
}

/* Runs done as the scan sees them: n_runs flags, and the counts. */
static void scan(const char *runs, const char *hash, size_t n_runs, unsigned char *done,
                 size_t *same, size_t *other)
{
    mlp_error err;

    mlp_error_clear(&err);
    assert_int_equal(mlp_results_scan_runs(runs, hash, n_runs, done, same, other, &err), MLP_OK);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");

    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    fclose(fp);
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *buf;
    long len;

    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    buf = malloc((size_t)len);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    *n = (size_t)len;
    return buf;
}

static void test_results_run_done(void **state)
{
    char *dir = fresh_dir("rundone"), *sweep = xprintf("%s/s.h5", dir),
         *runs = mlp_results_runs_dir(sweep), *tmp, *legacy, *part1 = mlp_results_part_path(runs, 1),
         *part2 = mlp_results_part_path(runs, 2), *copy = mlp_results_part_path(runs, 7);
    unsigned char done[N_RUNS + 1], *bytes;
    size_t same, other, n;
    mlp_error err;

    (void)state;
    mlp_error_clear(&err);
    write_runs(sweep);
    scan(runs, HASH, N_RUNS + 1, done, &same, &other);
    assert_int_equal(same, N_RUNS);
    assert_int_equal(other, 0);
    for (size_t k = 0; k < N_RUNS; k++)
        assert_true(done[k]);
    assert_false(done[N_RUNS]);
    /* another sweep's hash: none of them */
    scan(runs, "another-hash", N_RUNS, done, &same, &other);
    assert_int_equal(same, 0);
    assert_int_equal(other, N_RUNS);
    assert_false(done[0]);
    /* the same run in two files counts once */
    bytes = slurp(part1, &n);
    write_file(copy, bytes, n);
    scan(runs, HASH, N_RUNS, done, &same, &other);
    assert_int_equal(same, N_RUNS);
    assert_int_equal(other, 0);
    assert_int_equal(unlink(copy), 0);
    /* a leftover temporary, a run file of an older mlplab, and a damaged part
     * file (one byte of a record changed): the temporary and the damaged file
     * go, their runs count as not done; the old run file stays, counted as
     * another sweep's */
    tmp = xprintf("%s/part_0007.bin.tmp", runs);
    legacy = xprintf("%s/run_0008.h5", runs);
    write_file(tmp, "partial", 7);
    write_file(legacy, "\x89HDF\r\n\x1a\n truncated", 19);
    bytes[n / 2] ^= 1;
    write_file(part1, bytes, n);
    scan(runs, HASH, N_RUNS, done, &same, &other);
    assert_int_equal(other, 1);          /* the old run file */
    assert_int_equal(mlp_results_clean_tmp(runs, &err), MLP_OK);
    assert_false(exists(tmp));
    assert_false(exists(part1));
    assert_true(exists(legacy));
    assert_true(exists(part2));
    scan(runs, HASH, N_RUNS, done, &same, &other);
    assert_int_equal(same, N_RUNS - 1);
    assert_int_equal(other, 1);
    assert_false(done[1]);
    assert_true(done[0] && done[2]);
    /* a part file cut short is damaged too */
    free(bytes);
    bytes = slurp(part2, &n);
    write_file(part2, bytes, n - 8);
    assert_int_equal(mlp_results_clean_tmp(runs, &err), MLP_OK);
    assert_false(exists(part2));
    assert_int_equal(mlp_results_clean_tmp("/nonexistent/x.runs", &err), MLP_OK);
    /* --force clears every run file, old and new */
    assert_int_equal(mlp_results_clear_runs(runs, &err), MLP_OK);
    scan(runs, HASH, N_RUNS, done, &same, &other);
    assert_int_equal(same + other, 0);
    free(bytes);
    free(copy);
    free(part2);
    free(part1);
    free(legacy);
    free(tmp);
    free(runs);
    free(sweep);
    done_dir(dir);
}

/* A journal holds runs until one is due, then writes them as one part file;
 * the sweep file built from it is the one built from one file per run. */
static void test_results_journal_batches(void **state)
{
    char *dir = fresh_dir("journal"), *sweep = xprintf("%s/j.h5", dir),
         *runs = mlp_results_runs_dir(sweep), *part0;
    mlp_sweep_meta meta = make_meta();
    mlp_results_journal *j = NULL;
    unsigned char done[N_RUNS];
    size_t same, other;
    mlp_error err;

    (void)state;
    mlp_error_clear(&err);
    assert_int_equal(mlp_results_prepare(sweep, true, false, &err), MLP_OK);
    assert_int_equal(mlp_results_journal_open(runs, HASH, 3600, 1 << 30, &j, &err), MLP_OK);
    for (size_t k = N_RUNS; k-- > 0;) {  /* in any order */
        fake_run f;
        fake_run_init(&f, k);
        assert_int_equal(mlp_results_journal_add(j, &f.rec, &err), MLP_OK);
    }
    scan(runs, HASH, N_RUNS, done, &same, &other);
    assert_int_equal(same, 0);  /* nothing due yet: nothing written */
    assert_int_equal(mlp_results_journal_flush(j, &err), MLP_OK);
    assert_int_equal(mlp_results_journal_flush(j, &err), MLP_OK);  /* nothing held: no-op */
    scan(runs, HASH, N_RUNS, done, &same, &other);
    assert_int_equal(same, N_RUNS);
    part0 = mlp_results_part_path(runs, N_RUNS - 1);  /* named for its first run */
    assert_true(exists(part0));
    mlp_results_journal_free(j);
    mlp_results_journal_free(NULL);
    assert_int_equal(mlp_results_build(sweep, &meta, false, &err), MLP_OK);
    hid_t f = H5Fopen(sweep, H5F_ACC_RDONLY, H5P_DEFAULT);
    double v[N_LOSS];
    assert_true(f >= 0);
    read_doubles(f, "/runs/run_0001/loss", v, N_LOSS, 1, (hsize_t[]){N_LOSS});
    assert_true(v[2] == lval(1, 2));
    H5Fclose(f);
    assert_false(exists(runs));
    free(part0);
    free(runs);
    free(sweep);
    done_dir(dir);
}

/* A journal given a syncer publishes its part file by rename at once, and
 * the syncer makes it durable later: finish(durable) syncs what is left and
 * reports a folder it cannot sync; finish(not durable) only lets go. */
static void test_results_syncer(void **state)
{
    char *dir = fresh_dir("syncer"), *sweep = xprintf("%s/y.h5", dir),
         *runs = mlp_results_runs_dir(sweep), *part0 = mlp_results_part_path(runs, 0);
    unsigned char done[N_RUNS];
    size_t same, other;
    mlp_error err;

    (void)state;
    for (int round = 0; round < 3; round++) {
        mlp_results_syncer *s = NULL;
        mlp_results_journal *j = NULL;
        mlp_error_clear(&err);
        assert_int_equal(mlp_results_prepare(sweep, true, false, &err), MLP_OK);
        /* round 0: due at once; 1 and 2: not due before finish */
        assert_int_equal(mlp_results_syncer_start(round ? 3600 : 0, &s, &err), MLP_OK);
        assert_int_equal(mlp_results_journal_open(runs, HASH, 3600, 1 << 30, &j, &err), MLP_OK);
        mlp_results_journal_sync_by(j, s);
        for (size_t k = 0; k < N_RUNS; k++) {
            fake_run f;
            fake_run_init(&f, k);
            assert_int_equal(mlp_results_journal_add(j, &f.rec, &err), MLP_OK);
        }
        assert_int_equal(mlp_results_journal_flush(j, &err), MLP_OK);
        /* published under its name before any fsync: a kill -9 now keeps it */
        assert_true(exists(part0));
        scan(runs, HASH, N_RUNS, done, &same, &other);
        assert_int_equal(same, N_RUNS);
        mlp_results_journal_free(j);
        if (round == 0) {
            assert_int_equal(mlp_results_syncer_finish(s, true, &err), MLP_OK);
        } else {
            /* the folder is gone before the fsync was due */
            assert_int_equal(mlp_results_clear_runs(runs, &err), MLP_OK);
            assert_int_equal(rmdir(runs), 0);
            mlp_error_clear(&err);
            if (round == 1) {
                assert_int_equal(mlp_results_syncer_finish(s, true, &err), MLP_ERR_IO);
                assert_non_null(strstr(err.msg, "cannot sync"));
            } else {
                assert_int_equal(mlp_results_syncer_finish(s, false, &err), MLP_OK);
            }
        }
    }
    assert_int_equal(mlp_results_syncer_finish(NULL, true, &err), MLP_OK);
    free(part0);
    free(runs);
    free(sweep);
    done_dir(dir);
}

/* The threads the builder runs in: each calls the thread hook first (the
 * runner prepares its heap there, cli/heap.c). */
static pthread_t g_hooked[4];
static int g_n_hooked;
static pthread_mutex_t g_hook_mu = PTHREAD_MUTEX_INITIALIZER;

static void count_hook(void)
{
    pthread_mutex_lock(&g_hook_mu);
    if (g_n_hooked < 4)
        g_hooked[g_n_hooked] = pthread_self();
    g_n_hooked++;
    pthread_mutex_unlock(&g_hook_mu);
}

/* Records too large to be held are written to the part file's temporary
 * name as they come, and the builder copies them from there (the file is
 * renamed under it later): two journals, runs in any order, every run in
 * the sweep file with its own numbers, its 200 x 200 grid included.  In
 * format 2 the builder's stacks keep rows where the records lie until they
 * are written (one row straight from there, more gathered first). */
static void builder_live(int format, size_t res)
{
    enum { NR = 6 };
    char *dir = fresh_dir(format == 1 ? "live1" : res == 200 ? "live2" : "live2s"),
         *sweep = xprintf("%s/l.h5", dir),
         *runs = mlp_results_runs_dir(sweep);
    mlp_sweep_meta meta = make_meta();
    mlp_results_builder *b = NULL;
    mlp_results_syncer *s = NULL;
    mlp_results_journal *j[2] = {NULL, NULL};
    double *grid = malloc(res * res * sizeof(double)),
           *back = malloc(NR * res * res * sizeof(double));
    mlp_error err;

    assert_non_null(grid);
    assert_non_null(back);
    mlp_error_clear(&err);
    meta.n_runs = NR;
    meta.format_version = format;
    g_n_hooked = 0;
    mlp_thread_hook_set(count_hook);
    assert_int_equal(mlp_results_prepare(sweep, true, false, &err), MLP_OK);
    assert_int_equal(mlp_results_builder_start(sweep, HASH, NR, 2, format, NULL, NULL, &b, &err), MLP_OK);
    assert_int_equal(mlp_results_syncer_start(3600, &s, &err), MLP_OK);
    for (int t = 0; t < 2; t++) {
        assert_int_equal(mlp_results_journal_open(runs, HASH, 3600, 1 << 30, &j[t], &err), MLP_OK);
        mlp_results_journal_feed(j[t], b);
        mlp_results_journal_sync_by(j[t], s);
    }
    for (size_t i = 0; i < NR; i++) {
        size_t k = (i * 5 + 3) % NR;  /* 3 2 1 0 5 4 */
        fake_run f;
        fake_run_init(&f, k % N_RUNS);
        f.rec.index = k;
        f.rec.resolution = res;
        for (size_t p = 0; p < res * res; p++)
            grid[p] = (double)k + (double)p / (res * res);
        f.rec.boundary = grid;
        assert_int_equal(mlp_results_journal_add(j[k % 2], &f.rec, &err), MLP_OK);
        if (i == 0 && res == 200) {  /* held beyond 256 KiB: in the temporary already */
            char *tmp = xprintf("%s/part_0003.bin.tmp", runs);
            assert_true(exists(tmp));
            free(tmp);
        }
    }
    for (int t = 0; t < 2; t++) {
        assert_int_equal(mlp_results_journal_flush(j[t], &err), MLP_OK);
        mlp_results_journal_free(j[t]);
    }
    assert_int_equal(mlp_results_syncer_finish(s, false, &err), MLP_OK);
    assert_int_equal(mlp_results_builder_finish(b, &meta, false, &err), MLP_OK);
    mlp_thread_hook_set(NULL);
    assert_int_equal(g_n_hooked, 1);  /* the builder's thread, not this one */
    assert_false(pthread_equal(g_hooked[0], pthread_self()));
    assert_false(exists(runs));
    hid_t f = H5Fopen(sweep, H5F_ACC_RDONLY, H5P_DEFAULT);
    double v[NR * N_LOSS];
    assert_true(f >= 0);
    if (format == 2) {  /* one stack, rows in run order */
        read_doubles(f, "/stacks/s0/boundary_prob", back, NR * res * res, 3,
                     (hsize_t[]){NR, res, res});
        read_doubles(f, "/stacks/s0/loss", v, NR * N_LOSS, 2, (hsize_t[]){NR, N_LOSS});
    }
    for (size_t k = 0; k < NR; k++) {
        char path[64];
        double *g = back + (format == 2 ? k * res * res : 0), *l = v + (format == 2 ? k * N_LOSS : 0);
        if (format == 1) {
            snprintf(path, sizeof(path), "/runs/run_%04zu/boundary/prob", k);
            read_doubles(f, path, back, res * res, 2, (hsize_t[]){res, res});
            snprintf(path, sizeof(path), "/runs/run_%04zu/loss", k);
            read_doubles(f, path, v, N_LOSS, 1, (hsize_t[]){N_LOSS});
        }
        for (size_t p = 0; p < res * res; p += 997)
            assert_true(g[p] == (double)k + (double)p / (res * res));
        for (size_t t = 0; t < N_LOSS; t++)
            assert_true(l[t] == lval(k % N_RUNS, t) || (isnan(l[t]) && isnan(lval(k % N_RUNS, t))) ||
                        (k % N_RUNS == 2 && t >= 3 && isnan(l[t])));
    }
    H5Fclose(f);
    free(back);
    free(grid);
    free(runs);
    free(sweep);
    done_dir(dir);
}

static void test_results_builder_live(void **state)
{
    (void)state;
    builder_live(1, 200);
    builder_live(2, 200);  /* grid rows of 320 kB: a chunk of one run, written from the record */
    builder_live(2, 60);   /* 28.8 kB: two runs a chunk, gathered from their records */
}

/* A builder given an order (format 2): runs 3, 4, 5, then 0, 1, 2.  With
 * one group the one stack's rows follow that order; with two (the first
 * ending at run 5) the first group's stack is written when its last run is
 * in, and the second group's runs, of the same shape, get a stack of their
 * own (the sweep's groups never split a shape: base/buildorder.h).  Either
 * way /index finds every run's numbers.  Format 1 ignores the order. */
static void builder_ordered(int format, bool two_groups)
{
    enum { NR = 6 };
    const size_t order[NR] = {3, 4, 5, 0, 1, 2};
    const bool one[NR] = {false, false, true, false, false, false},
               two[NR] = {false, false, true, false, false, true};
    char *dir = fresh_dir(two_groups ? "ordered2" : "ordered1"), *sweep = xprintf("%s/o.h5", dir),
         *runs = mlp_results_runs_dir(sweep);
    mlp_sweep_meta meta = make_meta();
    mlp_results_builder *b = NULL;
    mlp_results_journal *j = NULL;
    mlp_error err;

    mlp_error_clear(&err);
    meta.n_runs = NR;
    meta.format_version = format;
    assert_int_equal(mlp_results_prepare(sweep, true, false, &err), MLP_OK);
    assert_int_equal(mlp_results_builder_start(sweep, HASH, NR, 2, format, order,
                                               two_groups ? two : one, &b, &err), MLP_OK);
    assert_int_equal(mlp_results_journal_open(runs, HASH, 3600, 1 << 30, &j, &err), MLP_OK);
    mlp_results_journal_feed(j, b);
    for (size_t k = 0; k < NR; k++) {  /* in run order: the builder waits for run 3 */
        fake_run f;
        fake_run_init(&f, k % N_RUNS);
        f.rec.index = k;
        assert_int_equal(mlp_results_journal_add(j, &f.rec, &err), MLP_OK);
    }
    assert_int_equal(mlp_results_journal_flush(j, &err), MLP_OK);
    mlp_results_journal_free(j);
    assert_int_equal(mlp_results_builder_finish(b, &meta, false, &err), MLP_OK);
    hid_t f = H5Fopen(sweep, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    if (format == 2) {
        double stack[NR], row[NR], v[NR * N_LOSS];
        read_doubles(f, "/index/stack", stack, NR, 1, (hsize_t[]){NR});
        read_doubles(f, "/index/row", row, NR, 1, (hsize_t[]){NR});
        for (size_t k = 0; k < NR; k++) {
            size_t pos = (k + 3) % NR;  /* where run k is in the order */
            assert_true(stack[k] == (two_groups && k < 3 ? 1 : 0));
            assert_true(row[k] == (double)(two_groups ? pos % 3 : pos));
        }
        for (size_t k = 0; k < NR; k++) {
            char path[64];
            double one_row[N_LOSS];
            snprintf(path, sizeof(path), "/stacks/s%d/loss", (int)stack[k]);
            read_doubles(f, path, v, (two_groups ? 3 : NR) * N_LOSS, 2,
                         (hsize_t[]){two_groups ? 3 : NR, N_LOSS});
            memcpy(one_row, v + (size_t)row[k] * N_LOSS, sizeof(one_row));
            for (size_t t = 0; t < N_LOSS; t++)
                assert_true(one_row[t] == lval(k % N_RUNS, t) ||
                            (isnan(one_row[t]) && isnan(lval(k % N_RUNS, t))) ||
                            (k % N_RUNS == 2 && t >= 3 && isnan(one_row[t])));
        }
    } else {  /* run k in /runs/run_<k> with its own numbers, whatever the order */
        for (size_t k = 0; k < NR; k++) {
            char path[64];
            double l[N_LOSS];
            snprintf(path, sizeof(path), "/runs/run_%04zu/loss", k);
            read_doubles(f, path, l, N_LOSS, 1, (hsize_t[]){N_LOSS});
            for (size_t t = 0; t < N_LOSS; t++)
                assert_true(l[t] == lval(k % N_RUNS, t) ||
                            (isnan(l[t]) && isnan(lval(k % N_RUNS, t))) ||
                            (k % N_RUNS == 2 && t >= 3 && isnan(l[t])));
        }
    }
    H5Fclose(f);
    free(runs);
    free(sweep);
    done_dir(dir);
}

static void test_results_builder_ordered(void **state)
{
    (void)state;
    builder_ordered(2, false);
    builder_ordered(2, true);
    builder_ordered(1, true);
}

/* Format 2 of a sweep that is not a grid (or claims one its values do not
 * form): /cube has only the run dimension, each swept key and repeat a
 * variable over run named in the data variables' coordinates attribute;
 * run 1's arrays are row 1 of the one stack. */
static void test_results_format2_cube_over_run(void **state)
{
    char *dir = fresh_dir("cube"), *sweep = xprintf("%s/c.h5", dir);
    mlp_sweep_meta meta = make_meta();
    size_t claimed[2] = {3, 1};  /* activation is not constant: not this grid */
    mlp_error err;

    (void)state;
    for (int pass = 0; pass < 2; pass++) {
        meta.format_version = 2;
        meta.grid_repeats = pass ? 1 : 0;
        meta.axis_len = pass ? claimed : NULL;
        write_runs(sweep);
        assert_int_equal(mlp_results_build(sweep, &meta, false, &err), MLP_OK);
        hid_t f = H5Fopen(sweep, H5F_ACC_RDONLY, H5P_DEFAULT);
        assert_true(f >= 0);
        hid_t d = H5Dopen2(f, "/cube/final_loss", H5P_DEFAULT), sp = H5Dget_space(d);
        hsize_t dims[4] = {0};
        assert_int_equal(H5Sget_simple_extent_ndims(sp), 1);
        H5Sget_simple_extent_dims(sp, dims, NULL);
        assert_int_equal(dims[0], N_RUNS);
        hid_t a = H5Aopen(d, "coordinates", H5P_DEFAULT), t = H5Tcopy(H5T_C_S1);
        char *text = NULL;
        H5Tset_size(t, H5T_VARIABLE);
        assert_true(a >= 0 && H5Aread(a, t, &text) >= 0);
        assert_string_equal(text, "model.hidden model.activation repeat");
        H5free_memory(text);
        H5Tclose(t);
        H5Aclose(a);
        H5Sclose(sp);
        H5Dclose(d);
        double v[N_LOSS];
        read_doubles(f, "/cube/model.hidden", v, N_RUNS, 1, (hsize_t[]){N_RUNS});
        assert_true(v[2] == 7.0);
        hid_t l = H5Dopen2(f, "/stacks/s0/loss", H5P_DEFAULT), ls = H5Dget_space(l);
        hsize_t one[2] = {1, N_LOSS}, at[2] = {1, 0};
        hid_t ms = H5Screate_simple(2, one, NULL);
        H5Sselect_hyperslab(ls, H5S_SELECT_SET, at, NULL, one, NULL);
        assert_true(H5Dread(l, H5T_NATIVE_DOUBLE, ms, ls, H5P_DEFAULT, v) >= 0);
        assert_true(v[2] == lval(1, 2));
        H5Sclose(ms);
        H5Sclose(ls);
        H5Dclose(l);
        H5Fclose(f);
        remove(sweep);
    }
    free(sweep);
    done_dir(dir);
}

/* A count that sizes no stored array may exceed the record's length: a run
 * without hidden outputs (record.hidden: false, or no hidden layer) still
 * records its n_hidden_points, the training rows.  The reader used to bound
 * every count by the record's bytes, so a CSV with more rows than that
 * trained, then could not be read back.  Here just under, at and over the
 * old bound, and far over it. */
static void test_results_record_counts_unbounded(void **state)
{
    mlp_bytes b = {0};
    mlp_run_view v;
    mlp_record_why why;
    fake_run f;
    bool nomem;
    size_t len, tries[4];

    (void)state;
    memset(&v, 0, sizeof(v));
    fake_run_init(&f, 0);
    f.rec.hidden = NULL;
    f.rec.n_hidden_points = 1;
    mlp_record_put(&b, &f.rec);
    assert_false(b.nomem);
    len = b.len;
    tries[0] = len - 8, tries[1] = len, tries[2] = len + 1, tries[3] = (size_t)3 << 30;
    for (int i = 0; i < 4; i++) {
        b.len = 0;
        f.rec.n_hidden_points = tries[i];
        mlp_record_put(&b, &f.rec);
        assert_int_equal(b.len, len);  /* no array: the length does not change */
        assert_true(mlp_record_get(b.p, b.len, &v, &nomem, &why));
        assert_int_equal(v.rec.n_hidden_points, tries[i]);
        assert_null(v.rec.hidden);
        assert_true(v.rec.loss[2] == lval(0, 2));
    }
    /* a count whose array would overflow size_t, or run past the end, is
     * refused, and the reason says which field and where */
    b.len = 0;
    f.rec.hidden = f.hidden;
    f.rec.n_hidden_points = N_PTS;
    mlp_record_put(&b, &f.rec);
    assert_true(mlp_record_get(b.p, b.len, &v, &nomem, &why));
    assert_int_equal(v.rec.n_hidden_points, N_PTS);
    size_t at = (size_t)((const unsigned char *)(const void *)v.rec.hidden[0] - b.p) - 8 * 3;
    uint64_t huge = UINT64_C(1) << 62, words;
    memcpy(&words, b.p + at + 16, 8);
    assert_int_equal(words, N_PTS * 3);  /* [n_hidden_points][1][len of hidden[0]] */
    memcpy(b.p + at, &huge, 8);
    assert_false(mlp_record_get(b.p, b.len, &v, &nomem, &why));
    assert_false(nomem);
    assert_string_equal(why.what, "hidden");
    assert_int_equal(why.at, at + 16);  /* hidden[0]'s length word */
    /* cut short */
    huge = N_PTS;
    memcpy(b.p + at, &huge, 8);
    assert_false(mlp_record_get(b.p, b.len - 8, &v, &nomem, &why));
    assert_non_null(why.what);
    free(v.params);
    free(b.p);
}

/* A run of 3 M points and no hidden outputs goes through a part file into
 * the sweep file (the record is a few kB); a record whose checksum holds
 * but which does not parse is reported as such, not as a version. */
static void test_results_build_many_points(void **state)
{
    char *dir = fresh_dir("many_points"), *sweep = xprintf("%s/p.h5", dir),
         *runs = mlp_results_runs_dir(sweep), *part = mlp_results_part_path(runs, 0);
    mlp_sweep_meta meta = make_meta();
    mlp_error err;

    (void)state;
    meta.n_runs = 1;
    mlp_error_clear(&err);
    assert_int_equal(mlp_results_prepare(sweep, true, false, &err), MLP_OK);
    fake_run f;
    fake_run_init(&f, 0);
    f.rec.hidden = NULL;
    f.rec.n_hidden_points = 3000000;
    assert_int_equal(mlp_results_write_run(runs, HASH, &f.rec, &err), MLP_OK);
    assert_int_equal(mlp_results_build(sweep, &meta, true, &err), MLP_OK);
    assert_true(exists(sweep));

    /* the record's first array length made wrong, its checksum made right */
    FILE *fp = fopen(part, "r+b");
    unsigned char rec[16 + 8 * 64];
    uint64_t size, sum, bad = UINT64_C(1) << 40;
    assert_non_null(fp);
    assert_int_equal(fseek(fp, PART_HEADER, SEEK_SET), 0);
    assert_int_equal(fread(rec, 1, sizeof(rec), fp), sizeof(rec));
    memcpy(&size, rec, 8);
    unsigned char *all = malloc((size_t)size);
    assert_non_null(all);
    assert_int_equal(fseek(fp, PART_HEADER, SEEK_SET), 0);
    assert_int_equal(fread(all, 1, (size_t)size, fp), (size_t)size);
    memcpy(all + 16 + 8 * 9, &bad, 8);  /* the note's length */
    sum = mlp_part_checksum(all + 16, (size_t)size - 16);
    memcpy(all + 8, &sum, 8);
    assert_int_equal(fseek(fp, PART_HEADER, SEEK_SET), 0);
    assert_int_equal(fwrite(all, 1, (size_t)size, fp), (size_t)size);
    assert_int_equal(fclose(fp), 0);
    free(all);
    unlink(sweep);
    mlp_error_clear(&err);
    assert_int_equal(mlp_results_build(sweep, &meta, true, &err), MLP_ERR_IO);
    assert_non_null(strstr(err.msg, "run 0: its record ("));
    assert_non_null(strstr(err.msg, "field note at byte 72"));
    assert_null(strstr(err.msg, "this mlplab can read"));
    free(part);
    free(runs);
    free(sweep);
    done_dir(dir);
}

static void test_results_build_reads_back(void **state)
{
    char *sweep = xprintf("%s/test_results_sample.h5", MLPLAB_TEST_BINARY_DIR);
    char *runs = mlp_results_runs_dir(sweep), buf[256];
    mlp_sweep_meta meta = make_meta();
    mlp_error err;
    hid_t f, g;
    double v[64], x;
    fake_run fr;
    scale_check sc = {0};

    (void)state;
    mlp_error_clear(&err);
    unlink(sweep);
    write_runs(sweep);
    assert_int_equal(mlp_results_build(sweep, &meta, false, &err), MLP_OK);
    assert_true(exists(sweep));
    assert_false(exists(runs)); /* removed without keep_runs */

    f = H5Fopen(sweep, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    /* root attributes */
    attr_string(f, "format", buf, sizeof(buf));
    assert_string_equal(buf, "mlplab-results");
    attr_string(f, "Conventions", buf, sizeof(buf));
    assert_string_equal(buf, "CF-1.8");
    attr_string(f, "description", buf, sizeof(buf));
    assert_string_equal(buf, "unit test — UTF-8 ✓");
    attr_string(f, "plugin_dataset_xor_sha256", buf, sizeof(buf));
    assert_string_equal(buf, "bb22");
    attr_string(f, "hdf5_version", buf, sizeof(buf));
    assert_int_equal(strncmp(buf, "1.", 2), 0);
    attr_double(f, "n_runs", &x);
    assert_true(x == N_RUNS);
    attr_double(f, "format_version", &x);
    assert_true(x == 1);
    /* the shared dataset */
    read_doubles(f, "/dataset/train/x", v, N_PTS * 2, 2, (hsize_t[]){N_PTS, 2});
    assert_true(v[2] == 1.0);
    read_doubles(f, "/dataset/test/y", v, 4, 1, (hsize_t[]){4});
    assert_true(v[1] == 1.0 && v[3] == 0.0);
    assert_true(attached(f, "/dataset/train/x", "/dataset/train/sample", 0));
    assert_true(attached(f, "/dataset/train/x", "/dataset/train/feature", 1));

    /* run 1: attributes, curves, weights, hidden, boundary */
    fake_run_init(&fr, 1);
    g = H5Gopen2(f, "/runs/run_0001", H5P_DEFAULT);
    assert_true(g >= 0);
    attr_double(g, "seed", &x);
    assert_true(x == 1001);
    attr_double(g, "model.hidden", &x);
    assert_true(x == 5);
    attr_string(g, "model.activation", buf, sizeof(buf));
    assert_string_equal(buf, "tanh");
    attr_string(g, "status", buf, sizeof(buf));
    assert_string_equal(buf, "ok");
    attr_double(g, "first_iteration_at_100pct", &x);
    assert_true(x == -1);
    H5Gclose(g);
    read_doubles(f, "/runs/run_0001/iteration", v, N_LOSS, 1, (hsize_t[]){N_LOSS});
    for (size_t t = 0; t < N_LOSS; t++)
        assert_true(v[t] == 2.0 * (double)t);
    read_doubles(f, "/runs/run_0001/loss", v, N_LOSS, 1, (hsize_t[]){N_LOSS});
    assert_memory_equal(v, fr.loss, sizeof(fr.loss));
    read_doubles(f, "/runs/run_0001/test_loss", v, N_LOSS, 1, (hsize_t[]){N_LOSS});
    assert_memory_equal(v, fr.test_loss, sizeof(fr.test_loss));
    /* the training records survive the trip through the run file */
    read_doubles(f, "/runs/run_0001/eval_iteration", v, N_LOSS, 1, (hsize_t[]){N_LOSS});
    assert_true(v[1] == 2.0);
    read_doubles(f, "/runs/run_0001/test_accuracy_curve", v, N_LOSS, 1, (hsize_t[]){N_LOSS});
    assert_memory_equal(v, fr.test_acc, sizeof(fr.test_acc));
    read_doubles(f, "/runs/run_0001/train_accuracy_curve", v, N_LOSS, 1, (hsize_t[]){N_LOSS});
    assert_memory_equal(v, fr.train_acc, sizeof(fr.train_acc));
    read_doubles(f, "/runs/run_0001/grad_norm_b", v, N_LOSS * 3, 2, (hsize_t[]){N_LOSS, 3});
    for (size_t j = 0; j < N_LOSS * 3; j++)
        assert_true(v[j] == fr.grad[2 * j + 1]);
    read_doubles(f, "/runs/run_0001/validation_accuracy", v, 3, 1, (hsize_t[]){3});
    assert_memory_equal(v, fr.val, sizeof(fr.val));
    read_doubles(f, "/runs/run_0001/snapshots/snapshot_iteration", v, 2, 1, (hsize_t[]){2});
    assert_true(v[0] == 0.0 && v[1] == 5.0);
    read_doubles(f, "/runs/run_0001/snapshots/layer1/W", v, 2 * 12, 3, (hsize_t[]){2, 4, 3});
    assert_memory_equal(v, fr.snaps + 9, 12 * sizeof(double));
    assert_memory_equal(v + 12, fr.snaps + 30 + 9, 12 * sizeof(double));
    read_doubles(f, "/runs/run_0001/snapshots/layer2/b", v, 2, 2, (hsize_t[]){2, 1});
    assert_true(v[1] == fr.snaps[2 * 30 - 1]);
    {
        hid_t g1 = H5Gopen2(f, "/runs/run_0001", H5P_DEFAULT);
        attr_string(g1, "stop_reason", buf, sizeof(buf));
        assert_string_equal(buf, "tol");
        H5Gclose(g1);
    }
    read_doubles(f, "/runs/run_0001/weights/layer1/W", v, 12, 2, (hsize_t[]){4, 3});
    assert_memory_equal(v, fr.weights + 9, 12 * sizeof(double));
    read_doubles(f, "/runs/run_0001/weights/layer2/b", v, 1, 1, (hsize_t[]){1});
    assert_true(v[0] == fr.weights[sizeof(fr.weights) / sizeof(double) - 1]);
    read_doubles(f, "/runs/run_0001/hidden/layer1", v, N_PTS * 4, 2, (hsize_t[]){N_PTS, 4});
    assert_memory_equal(v, fr.h1, sizeof(fr.h1));
    read_doubles(f, "/runs/run_0001/boundary/prob", v, RES * RES, 2, (hsize_t[]){RES, RES});
    assert_memory_equal(v, fr.boundary, RES * RES * sizeof(double));
    read_doubles(f, "/runs/run_0001/boundary/grid_y", v, RES, 1, (hsize_t[]){RES});
    assert_true(v[0] == -2.0 && v[RES - 1] == 2.0);
    assert_true(attached(f, "/runs/run_0001/loss", "/runs/run_0001/iteration", 0));
    assert_true(attached(f, "/runs/run_0001/boundary/prob", "/runs/run_0001/boundary/grid_y", 0));
    assert_true(attached(f, "/runs/run_0001/boundary/prob", "/runs/run_0001/boundary/grid_x", 1));
    assert_true(attached(f, "/runs/run_0001/hidden/layer1", "/runs/run_0001/hidden/sample", 0));
    assert_true(attached(f, "/runs/run_0001/hidden/layer1", "/runs/run_0001/hidden/unit_1", 1));
    assert_true(attached(f, "/runs/run_0001/weights/layer0/W", "/runs/run_0001/weights/layer0/in", 1));
    /* the diverged run keeps its NaN tail */
    read_doubles(f, "/runs/run_0002/loss", v, N_LOSS, 1, (hsize_t[]){N_LOSS});
    assert_true(v[2] == lval(2, 2) && isnan(v[3]) && isnan(v[4]));

    /* summary columns over `run` */
    read_doubles(f, "/summary/run", v, N_RUNS, 1, (hsize_t[]){N_RUNS});
    assert_true(v[0] == 0 && v[2] == 2);
    read_doubles(f, "/summary/model.hidden", v, N_RUNS, 1, (hsize_t[]){N_RUNS});
    assert_true(v[0] == 3 && v[1] == 5 && v[2] == 7);
    read_doubles(f, "/summary/final_loss", v, N_RUNS, 1, (hsize_t[]){N_RUNS});
    assert_true(v[0] == lval(0, N_LOSS - 1) && isnan(v[2]));
    read_doubles(f, "/summary/first_iteration_at_100pct", v, N_RUNS, 1, (hsize_t[]){N_RUNS});
    assert_true(v[0] == 3 && v[1] == -1);
    assert_true(attached(f, "/summary/seed", "/summary/run", 0));
    {
        hid_t d = H5Dopen2(f, "/summary/status", H5P_DEFAULT), t = H5Tcopy(H5T_C_S1);
        char *s[N_RUNS];

        H5Tset_size(t, H5T_VARIABLE);
        H5Tset_cset(t, H5T_CSET_UTF8);
        assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) >= 0);
        assert_string_equal(s[0], "ok");
        assert_string_equal(s[2], "diverged");
        for (int i = 0; i < N_RUNS; i++)
            H5free_memory(s[i]);
        H5Tclose(t);
        H5Dclose(d);
    }
    /* summary_table rows */
    {
        typedef struct row {
            int64_t run;
            char act[8];
            double hidden;
        } row;
        row rows[N_RUNS];
        hid_t d = H5Dopen2(f, "/summary_table", H5P_DEFAULT), mt = H5Tcreate(H5T_COMPOUND, sizeof(row)),
              st = H5Tcopy(H5T_C_S1);

        H5Tset_size(st, sizeof(rows[0].act));
        H5Tset_cset(st, H5T_CSET_UTF8); /* HDF5 converts no strings across character sets */
        H5Tinsert(mt, "run", offsetof(row, run), H5T_NATIVE_INT64);
        H5Tinsert(mt, "model.activation", offsetof(row, act), st);
        H5Tinsert(mt, "model.hidden", offsetof(row, hidden), H5T_NATIVE_DOUBLE);
        assert_true(d >= 0);
        assert_true(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
        assert_true(rows[2].run == 2 && rows[2].hidden == 7);
        assert_string_equal(rows[1].act, "tanh");
        assert_true(attached(f, "/summary_table", "/run", 0));
        H5Tclose(st);
        H5Tclose(mt);
        H5Dclose(d);
    }
    /* every axis of every dataset has a scale */
    assert_true(H5Ovisit(f, H5_INDEX_NAME, H5_ITER_NATIVE, check_scales, &sc) >= 0);
    assert_string_equal(sc.bad, "");
    assert_int_equal(sc.unscaled, 0);
    assert_true(sc.dim_only > 10);
    H5Fclose(f);
    /* the writer closed every identifier it opened */
    assert_int_equal(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0);
    free(runs);
    free(sweep);
}

static void test_results_build_keep_runs(void **state)
{
    char *dir = fresh_dir("keep"), *sweep = xprintf("%s/k.h5", dir),
         *runs = mlp_results_runs_dir(sweep), *run1 = mlp_results_part_path(runs, 1);
    mlp_sweep_meta meta = make_meta();
    mlp_error err;

    (void)state;
    mlp_error_clear(&err);
    write_runs(sweep);
    assert_int_equal(mlp_results_build(sweep, &meta, true, &err), MLP_OK);
    assert_true(exists(sweep));
    assert_true(exists(run1));
    free(run1);
    free(runs);
    free(sweep);
    done_dir(dir);
}

static void test_results_build_missing_run(void **state)
{
    char *dir = fresh_dir("missing"), *sweep = xprintf("%s/m.h5", dir),
         *runs = mlp_results_runs_dir(sweep), *run1 = mlp_results_part_path(runs, 1),
         *tmp = xprintf("%s.tmp", sweep);
    mlp_sweep_meta meta = make_meta();
    mlp_error err;

    (void)state;
    mlp_error_clear(&err);
    write_runs(sweep);
    assert_int_equal(unlink(run1), 0);
    assert_int_equal(mlp_results_build(sweep, &meta, false, &err), MLP_ERR_IO);
    assert_non_null(strstr(err.msg, "run 1 is missing"));
    assert_non_null(strstr(err.msg, runs));
    assert_false(exists(sweep));
    assert_false(exists(tmp));
    assert_true(exists(runs));
    /* a run of another spec is refused too */
    meta.spec_sha256 = "different";
    mlp_error_clear(&err);
    assert_int_equal(mlp_results_build(sweep, &meta, false, &err), MLP_ERR_IO);
    assert_non_null(strstr(err.msg, "run 0 is missing; files there hold runs of another sweep"));
    assert_false(exists(sweep));
    assert_int_equal(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0);
    free(tmp);
    free(run1);
    free(runs);
    free(sweep);
    done_dir(dir);
}

typedef struct rows {
    int n;
    size_t cols;
    char header[16][64];
    char cells[4][16][64];
} rows;

static void collect(void *ctx, size_t n, const char *const *cells)
{
    rows *r = ctx;

    assert_true(n <= 16);
    r->cols = n;
    for (size_t i = 0; i < n; i++) {
        if (r->n == 0)
            snprintf(r->header[i], 64, "%s", cells[i]);
        else if (r->n <= 4)
            snprintf(r->cells[r->n - 1][i], 64, "%s", cells[i]);
    }
    r->n++;
}

static int col(const rows *r, const char *name)
{
    for (size_t i = 0; i < r->cols; i++)
        if (!strcmp(r->header[i], name))
            return (int)i;
    fail_msg("no column %s", name);
    return -1;
}

static void test_results_summary_rows(void **state)
{
    char *dir = fresh_dir("summary"), *sweep = xprintf("%s/s.h5", dir);
    mlp_sweep_meta meta = make_meta();
    mlp_error err;
    rows r;

    (void)state;
    memset(&r, 0, sizeof(r));
    mlp_error_clear(&err);
    write_runs(sweep);
    assert_int_equal(mlp_results_build(sweep, &meta, false, &err), MLP_OK);
    assert_int_equal(mlp_results_summary(sweep, false, collect, &r, &err), MLP_OK);
    assert_int_equal(r.n, 1 + N_RUNS);
    assert_int_equal(r.cols, 4 + 2 + 7);
    assert_string_equal(r.header[0], "run");
    assert_string_equal(r.cells[2][col(&r, "run")], "2");
    assert_string_equal(r.cells[1][col(&r, "seed")], "1001");
    assert_string_equal(r.cells[2][col(&r, "status")], "diverged");
    assert_string_equal(r.cells[1][col(&r, "model.hidden")], "5");
    assert_string_equal(r.cells[1][col(&r, "model.activation")], "tanh");
    assert_string_equal(r.cells[0][col(&r, "final_loss")], "0.2");
    assert_string_equal(r.cells[2][col(&r, "final_loss")], "nan");
    assert_string_equal(r.cells[0][col(&r, "first_iteration_at_100pct")], "3");
    assert_string_equal(r.cells[1][col(&r, "first_iteration_at_100pct")], "-1");
    assert_string_equal(r.cells[0][col(&r, "wall_seconds")], "0.25");
    mlp_error_clear(&err);
    assert_int_equal(mlp_results_summary(dir, false, collect, &r, &err), MLP_ERR_IO);
    assert_non_null(strstr(err.msg, dir));
    assert_int_equal(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0);
    free(sweep);
    done_dir(dir);
}

/* Dataset swept (stored in each run) and a 3-class boundary. */
static void test_results_swept_dataset_multiclass(void **state)
{
    char *sweep = xprintf("%s/test_results_sample_swept.h5", MLPLAB_TEST_BINARY_DIR);
    char *runs = mlp_results_runs_dir(sweep);
    mlp_sweep_meta meta = make_meta();
    mlp_error err;
    fake_run fr;
    double v[64];
    hid_t f;
    scale_check sc = {0};

    (void)state;
    mlp_error_clear(&err);
    unlink(sweep);
    assert_int_equal(mlp_results_prepare(sweep, true, false, &err), MLP_OK);
    meta.n_runs = 1;
    meta.train = meta.test = NULL;
    meta.n_swept = 1;
    fake_run_init(&fr, 0);
    fr.width[3] = 3;
    fr.rec.classes_out = 3;
    fr.rec.n_params = 1;
    fr.rec.train = &train_data;
    fr.rec.test = &test_data;
    fr.rec.test_loss = NULL;
    fr.rec.hidden = NULL;
    assert_int_equal(mlp_results_write_run(runs, HASH, &fr.rec, &err), MLP_OK);
    assert_int_equal(mlp_results_build(sweep, &meta, false, &err), MLP_OK);
    f = H5Fopen(sweep, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_true(H5Lexists(f, "/dataset", H5P_DEFAULT) == 0);
    assert_true(H5Lexists(f, "/runs/run_0000/test_loss", H5P_DEFAULT) == 0);
    assert_true(H5Lexists(f, "/runs/run_0000/hidden", H5P_DEFAULT) == 0);
    read_doubles(f, "/runs/run_0000/dataset/train/x", v, N_PTS * 2, 2, (hsize_t[]){N_PTS, 2});
    assert_memory_equal(v, train_x, sizeof(train_x));
    read_doubles(f, "/runs/run_0000/dataset/test/y", v, 4, 1, (hsize_t[]){4});
    assert_memory_equal(v, test_y, sizeof(test_y));
    read_doubles(f, "/runs/run_0000/boundary/prob", v, RES * RES * 3, 3,
                 (hsize_t[]){RES, RES, 3});
    assert_memory_equal(v, fr.boundary, sizeof(fr.boundary));
    assert_true(attached(f, "/runs/run_0000/boundary/prob", "/runs/run_0000/boundary/class", 2));
    read_doubles(f, "/runs/run_0000/weights/layer2/W", v, 12, 2, (hsize_t[]){3, 4});
    assert_true(H5Ovisit(f, H5_INDEX_NAME, H5_ITER_NATIVE, check_scales, &sc) >= 0);
    assert_int_equal(sc.unscaled, 0);
    H5Fclose(f);
    free(runs);
    free(sweep);
}

/* Runs written from many threads at once all land (the lock holds). */
typedef struct thread_arg {
    const char *runs;
    size_t k;
    mlp_status st;
} thread_arg;

static void *write_one(void *p)
{
    thread_arg *a = p;
    fake_run f;
    mlp_error err;

    fake_run_init(&f, a->k % N_RUNS);
    f.rec.index = a->k;
    a->st = mlp_results_write_run(a->runs, HASH, &f.rec, &err);
    return NULL;
}

static void test_results_threads(void **state)
{
    enum { NT = 8 };
    char *dir = fresh_dir("threads"), *sweep = xprintf("%s/t.h5", dir),
         *runs = mlp_results_runs_dir(sweep);
    pthread_t th[NT];
    thread_arg args[NT];
    mlp_error err;

    (void)state;
    assert_int_equal(mlp_results_prepare(sweep, false, false, &err), MLP_OK);
    for (size_t i = 0; i < NT; i++) {
        args[i] = (thread_arg){runs, i, MLP_ERR_RUNTIME};
        assert_int_equal(pthread_create(&th[i], NULL, write_one, &args[i]), 0);
    }
    for (size_t i = 0; i < NT; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].st, MLP_OK);
    }
    {
        unsigned char done[NT];
        size_t same, other;
        scan(runs, HASH, NT, done, &same, &other);
        assert_int_equal(same, NT);
        assert_int_equal(other, 0);
    }
    assert_int_equal(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0);
    free(runs);
    free(sweep);
    done_dir(dir);
}

static void test_results_hdf5_version(void **state)
{
    char buf[64];

    (void)state;
    mlp_results_hdf5_version(buf, sizeof(buf));
    assert_int_equal(strncmp(buf, "HDF5 1.", 7), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results_paths),
        cmocka_unit_test(test_results_prepare_refuses_existing),
        cmocka_unit_test(test_results_prepare_bad_folder),
        cmocka_unit_test(test_results_run_done),
        cmocka_unit_test(test_results_journal_batches),
        cmocka_unit_test(test_results_syncer),
        cmocka_unit_test(test_results_builder_live),
        cmocka_unit_test(test_results_builder_ordered),
        cmocka_unit_test(test_results_record_counts_unbounded),
        cmocka_unit_test(test_results_build_many_points),
        cmocka_unit_test(test_results_build_reads_back),
        cmocka_unit_test(test_results_build_keep_runs),
        cmocka_unit_test(test_results_build_missing_run),
        cmocka_unit_test(test_results_summary_rows),
        cmocka_unit_test(test_results_swept_dataset_multiclass),
        cmocka_unit_test(test_results_threads),
        cmocka_unit_test(test_results_hdf5_version),
        cmocka_unit_test(test_results_format2_cube_over_run),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
