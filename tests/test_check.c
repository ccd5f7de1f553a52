/* test_check.c -- the plugin self-test: every shipped plugin passes it, each
 * broken fixture fails the right check with a message that says what is
 * wrong and where, and `runner check-plugin` maps the outcome to 0, 1 or 2. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "check/check.h"
#include "registry/registry.h"

/* Under AddressSanitizer its own SIGSEGV handler reports a NULL access and
 * ends the process with SIGABRT: the crash is still reported, by another signal. */
#if defined(__SANITIZE_ADDRESS__)
#define NULL_CRASH "SIGABRT"
#else
#define NULL_CRASH "SIGSEGV"
#endif

#define CHECK_FIXTURE(kind, name) MLPLAB_TEST_FIXTURE_DIR "/check/" kind "/" name ".so"

/* Every line of one check run, kept for assertions. */
typedef struct run_log {
    size_t n;
    char check[256][32];
    mlp_check_verdict verdict[256];
    char setting[256][256];
    char msg[256][2048];
    mlp_check_summary sum;
} run_log;

static run_log lg;

static void collect(void *ctx, const mlp_check_line *l)
{
    run_log *r = ctx;

    if (r->n == 256)
        return;
    snprintf(r->check[r->n], sizeof(r->check[0]), "%s", l->check);
    snprintf(r->setting[r->n], sizeof(r->setting[0]), "%s", l->setting);
    snprintf(r->msg[r->n], sizeof(r->msg[0]), "%s", l->msg);
    r->verdict[r->n] = l->verdict;
    r->n++;
}

static mlp_registry *registry(void)
{
    const char *dirs[] = {MLPLAB_TEST_PLUGIN_DIR};
    mlp_registry *reg = NULL;
    mlp_error err = {0};

    unsetenv("MLPLAB_PLUGIN_PATH");
    if (mlp_registry_create(dirs, 1, &reg, &err) != MLP_OK)
        fail_msg("%s", err.msg);
    return reg;
}

static double check_timeout; /* seconds per check, 0 for the default */

/* Check the plugin at path (with optional key=value settings) into lg. */
static void check_file(mlp_registry *reg, const char *path, const char *const *sets, size_t n_sets)
{
    const mlp_plugin *pl = NULL;
    mlp_check_opts o = {.sets = sets, .n_sets = n_sets, .timeout = check_timeout};
    mlp_error err = {0};

    memset(&lg, 0, sizeof(lg));
    if (mlp_registry_load_file(reg, path, &pl, &err) != MLP_OK)
        fail_msg("%s", err.msg);
    if (mlp_check_plugin(pl, &o, collect, &lg, &lg.sum, &err) != MLP_OK)
        fail_msg("check of %s: %s", path, err.msg);
}

static void dump(void)
{
    for (size_t i = 0; i < lg.n; i++)
        fprintf(stderr, "  %s %s: %s\n",
                lg.verdict[i] == MLP_CHECK_PASS   ? "PASS"
                : lg.verdict[i] == MLP_CHECK_FAIL ? "FAIL"
                                                  : "NOTE",
                lg.check[i], lg.msg[i]);
}

/* The one failing line of check `check` whose setting contains `setting`
 * (NULL: any); its message must contain every string of the NULL-ended list. */
static void expect_failure(const char *check, const char *setting, ...)
{
    const char *want;
    va_list ap;

    for (size_t i = 0; i < lg.n; i++) {
        if (lg.verdict[i] != MLP_CHECK_FAIL || strcmp(lg.check[i], check) != 0)
            continue;
        if (setting && !strstr(lg.setting[i], setting))
            continue;
        va_start(ap, setting);
        while ((want = va_arg(ap, const char *))) {
            if (!strstr(lg.msg[i], want)) {
                dump();
                va_end(ap);
                fail_msg("the %s failure lacks \"%s\": %s", check, want, lg.msg[i]);
            }
        }
        va_end(ap);
        return;
    }
    dump();
    fail_msg("no failing %s check%s%s", check, setting ? " at " : "", setting ? setting : "");
}

/* A failing line of check `check` says exactly msg. */
static void expect_fail_line(const char *check, const char *msg)
{
    for (size_t i = 0; i < lg.n; i++)
        if (lg.verdict[i] == MLP_CHECK_FAIL && !strcmp(lg.check[i], check) &&
            !strcmp(lg.msg[i], msg))
            return;
    dump();
    fail_msg("no line \"FAIL %s %s\"", check, msg);
}

/* No line of check `check` failed. */
static void expect_no_failure(const char *check)
{
    for (size_t i = 0; i < lg.n; i++)
        if (lg.verdict[i] == MLP_CHECK_FAIL && !strcmp(lg.check[i], check)) {
            dump();
            fail_msg("unexpected %s failure: %s", check, lg.msg[i]);
        }
}

/* ---- shipped plugins ----------------------------------------------------- */

static void test_check_shipped_plugins_pass(void **state)
{
    mlp_registry *reg = registry();
    const mlp_plugin *const *list = NULL;
    size_t n = 0, checked = 0, kinds[4] = {0};
    mlp_error err = {0};
    char failures[8192] = "";

    (void)state;
    assert_int_equal(mlp_registry_discover(reg, &list, &n, NULL, NULL, &err), MLP_OK);
    for (size_t i = 0; i < n; i++) {
        const mlp_plugin *pl = list[i];
        mlp_check_opts o = {0};
        /* only what this build tree ships (not an installed prefix) */
        if (strncmp(pl->path, MLPLAB_TEST_PLUGIN_DIR "/", strlen(MLPLAB_TEST_PLUGIN_DIR) + 1))
            continue;
        memset(&lg, 0, sizeof(lg));
        assert_int_equal(mlp_check_plugin(pl, &o, collect, &lg, &lg.sum, &err), MLP_OK);
        checked++;
        kinds[pl->kind]++;
        assert_true(lg.sum.passed >= 2); /* descriptor and at least one more */
        for (size_t j = 0; j < lg.n; j++) {
            size_t used = strlen(failures);
            if (lg.verdict[j] == MLP_CHECK_FAIL)
                snprintf(failures + used, sizeof(failures) - used, "\n  %s %s: %s", pl->name,
                         lg.check[j], lg.msg[j]);
        }
        assert_int_equal(lg.sum.passed + lg.sum.failed + lg.sum.notes, lg.n);
    }
    if (failures[0])
        fail_msg("shipped plugins fail check-plugin:%s", failures);
    /* at least the first ten: six activations, two losses, two datasets */
    assert_true(kinds[MLP_KIND_ACTIVATION] >= 6);
    assert_true(kinds[MLP_KIND_LOSS] >= 2);
    assert_true(kinds[MLP_KIND_DATASET] >= 2);
    assert_true(checked >= 10);
    mlp_registry_free(reg);
}

/* A passing run reports numbers and skips kinks by name. */
static void test_check_relu_reports_kink(void **state)
{
    mlp_registry *reg = registry();
    bool seen = false;

    (void)state;
    check_file(reg, MLPLAB_TEST_PLUGIN_DIR "/activations/relu.so", NULL, 0);
    assert_int_equal(lg.sum.failed, 0);
    for (size_t i = 0; i < lg.n; i++) {
        if (strcmp(lg.check[i], "gradient"))
            continue;
        seen = true;
        assert_non_null(strstr(lg.msg[i], "at 208 points"));
        assert_non_null(strstr(lg.msg[i], "max abs err 0"));
        assert_non_null(strstr(lg.msg[i], "kinks at z=0, 1e-08, -1e-08 skipped"));
    }
    assert_true(seen);
    mlp_registry_free(reg);
}

/* ---- broken fixtures ----------------------------------------------------- */

static void test_check_wrong_sign(void **state)
{
    mlp_registry *reg = registry();

    (void)state;
    check_file(reg, CHECK_FIXTURE("activations", "tanh_wrong_sign"), NULL, 0);
    assert_int_equal(lg.sum.failed, 2); /* gradient, and the dense integral */
    expect_fail_line("continuity", "backward does not integrate to forward between z=-6 and z=-5: "
                     "the integral of backward is -7.8507488e-05, forward changes by "
                     "7.85073882e-05");
    expect_failure("gradient", NULL, "backward disagrees", "worst at z=0.001",
                   "analytic f'(z) -0.999999 vs numeric 0.999999", "abs err 2",
                   "analytic = -1 x numeric at every failing point: wrong sign", NULL);
    mlp_registry_free(reg);
}

static void test_check_wrong_scale(void **state)
{
    mlp_registry *reg = registry();

    (void)state;
    check_file(reg, CHECK_FIXTURE("activations", "sigmoid_double"), NULL, 0);
    assert_int_equal(lg.sum.failed, 2); /* gradient, and the dense integral */
    expect_no_failure("shapes");
    expect_failure("gradient", NULL, "analytic f'(z) 0.5 vs numeric 0.25", "rel err 1",
                   "analytic = 2 x numeric at every failing point: wrong scale", NULL);
    assert_int_equal(lg.sum.notes, 2); /* in place not claimed, either way */
    mlp_registry_free(reg);
}

static void test_check_wrong_for_negative_inputs(void **state)
{
    mlp_registry *reg = registry();

    (void)state;
    check_file(reg, CHECK_FIXTURE("activations", "leaky_wrong_neg"), NULL, 0);
    /* wrong at slope 0.01 (default), 0 (min) and 0.5 (mid); right at slope 1 */
    assert_int_equal(lg.sum.failed, 3);
    expect_failure("gradient", "slope=0.01", "at 105 of 211 points (slope=0.01)",
                   "worst at z=-1: analytic f'(z) 1 vs numeric 0.01", "rel err 99",
                   "wrong only for z < 0 (105 of 105 negative points fail, none of 105 positive)",
                   "analytic = 100 x numeric", NULL);
    expect_failure("gradient", "slope=0.5", "wrong only for z < 0", "analytic = 2 x numeric",
                   NULL);
    expect_no_failure("finite");
    expect_no_failure("inplace");
    mlp_registry_free(reg);
}

static void test_check_loss_mean_sum_confusion(void **state)
{
    mlp_registry *reg = registry();

    (void)state;
    check_file(reg, CHECK_FIXTURE("losses", "bce_sum_grad"), NULL, 0);
    assert_int_equal(lg.sum.failed, 1); /* mean only: with sum the gradient is right */
    expect_failure("loss-gradient", "reduction=mean", "at 24 of 36 logits (reduction=mean)",
                   "a batch of 7", "analytic = 7 x numeric at every failing point",
                   "mean/sum confusion", NULL);
    mlp_registry_free(reg);
}

/* A loss of the whole batch (a root mean square) has a right gradient but
 * is not a mean of per-sample terms: training's blocks would change it. */
static void test_check_loss_not_per_sample(void **state)
{
    mlp_registry *reg = registry();

    (void)state;
    check_file(reg, CHECK_FIXTURE("losses", "rmse_batch"), NULL, 0);
    expect_no_failure("loss-gradient");
    expect_failure("blocks", NULL, "not a mean of per-sample terms", "a batch of 64 gives",
                   "its blocks of 40 and 24 combined", NULL);
    mlp_registry_free(reg);
}

static void test_check_static_buffer(void **state)
{
    mlp_registry *reg = registry();

    (void)state;
    check_file(reg, CHECK_FIXTURE("activations", "tanh_static_buf"), NULL, 0);
    /* right from one thread: gradient and determinism pass */
    expect_no_failure("gradient");
    expect_no_failure("determinism");
    expect_failure("threads", NULL, "from 4 threads at once", "values differ",
                   "vs", "alone", "static buffer", NULL);
    mlp_registry_free(reg);
}

static void test_check_nondeterministic(void **state)
{
    mlp_registry *reg = registry();

    (void)state;
    check_file(reg, CHECK_FIXTURE("activations", "tanh_nondet"), NULL, 0);
    expect_no_failure("gradient");
    expect_failure("determinism", NULL, "forward gives different results for the same input",
                   "first at z=1: 0.76159415595", NULL);
    mlp_registry_free(reg);
}

static void test_check_inplace_broken(void **state)
{
    mlp_registry *reg = registry();
    size_t notes = 0;

    (void)state;
    check_file(reg, CHECK_FIXTURE("activations", "silu_inplace_broken"), NULL, 0);
    assert_int_equal(lg.sum.failed, 1);
    expect_failure("inplace", NULL, "forward is declared in place", "a == z",
                   "217 of 217 values differ", "first at z=1: 0.26894142", "in place vs 0.73105857",
                   NULL);
    for (size_t i = 0; i < lg.n; i++)
        notes += lg.verdict[i] == MLP_CHECK_NOTE && strstr(lg.msg[i], "backward in place") &&
                 strstr(lg.msg[i], "not claimed");
    assert_int_equal(notes, 1);
    mlp_registry_free(reg);
}

static void test_check_dataset_bad_labels(void **state)
{
    mlp_registry *reg = registry();

    (void)state;
    check_file(reg, CHECK_FIXTURE("datasets", "bad_labels"), NULL, 0);
    expect_failure("generate", NULL, "n=7", "label of point 6 is 2, not an integer in [0, 2)",
                   NULL);
    mlp_registry_free(reg);
}


/* ---- plugins that crash, hang, overrun or cheat ---------------------------- */

#define ACT(name) CHECK_FIXTURE("activations", name)

static void test_check_crash_is_reported(void **state)
{
    mlp_registry *reg = registry();

    (void)state;
    check_file(reg, ACT("fwd_null"), NULL, 0);
    expect_fail_line("gradient", "forward crashed (" NULL_CRASH ") at z=1 (the first input of a "
                     "call of n=211)");
    /* and the other checks went on, each reporting its own crash */
    expect_fail_line("shapes", "forward crashed (" NULL_CRASH ") at z=1 (the first input of a call of "
                     "n=1061)");
    assert_true(lg.sum.failed >= 9);
    mlp_registry_free(reg);
}

static void test_check_hang_is_reported(void **state)
{
    mlp_registry *reg = registry();

    (void)state;
    check_timeout = 0.3;
    check_file(reg, ACT("fwd_hang"), NULL, 0);
    check_timeout = 0;
    expect_fail_line("gradient", "forward did not return within 0.3 s at z=1 (the first input of "
                     "a call of n=211)");
    expect_fail_line("threads", "forward did not return within 0.3 s at z=-0.953171 (the first "
                     "input of a call of n=32768)");
    mlp_registry_free(reg);
}

static void test_check_guard_pages(void **state)
{
    mlp_registry *reg = registry();

    (void)state;
    check_file(reg, ACT("fwd_read_past"), NULL, 0);
    expect_fail_line("bounds", "forward crashed (SIGSEGV) touching z[1], one past the end of z "
                     "(n=1), with every buffer ending at a guard page");
    check_file(reg, ACT("bwd_write_past"), NULL, 0);
    expect_fail_line("bounds", "backward crashed (SIGSEGV) touching dz[1], one past the end of dz "
                     "(n=1), with every buffer ending at a guard page");
    check_file(reg, ACT("fwd_read_before"), NULL, 0);
    expect_fail_line("bounds", "forward crashed (SIGSEGV) touching z[-1], before the start of z "
                     "(n=1), with every buffer starting after a guard page");
    mlp_registry_free(reg);
}

static void test_check_dataset_extra_point(void **state)
{
    mlp_registry *reg = registry();

    (void)state;
    check_file(reg, CHECK_FIXTURE("datasets", "data_extra_point"), NULL, 0);
    expect_fail_line("bounds", "generate crashed (SIGSEGV) touching x[2], one past the end of x "
                     "(n=2), with every buffer ending at a guard page");
    mlp_registry_free(reg);
}

static void test_check_jump(void **state)
{
    mlp_registry *reg = registry();

    (void)state;
    check_file(reg, ACT("tanh_jump"), NULL, 0);
    assert_int_equal(lg.sum.failed, 1);
    expect_fail_line("continuity", "forward jumps by 0.1 between z=0.29999999999999999 and "
                     "z=0.30000000000000004, where backward is not 0 on both sides (not a step)");
    /* the shipped step function jumps too, with a zero backward: accepted */
    check_file(reg, MLPLAB_TEST_PLUGIN_DIR "/activations/step.so", NULL, 0);
    expect_no_failure("continuity");
    mlp_registry_free(reg);
}

static void test_check_parameter_unused(void **state)
{
    mlp_registry *reg = registry();

    (void)state;
    check_file(reg, ACT("tanh_unused_gain"), NULL, 0);
    assert_int_equal(lg.sum.failed, 1);
    expect_fail_line("parameter", "gain changes nothing: forward and backward give the same bytes "
                     "at gain=0.5, 1.25, 2 as at gain=1 (618 inputs in [-20, 20] and beyond); "
                     "use it, or drop it");
    mlp_registry_free(reg);
}

static void test_check_call_shapes(void **state)
{
    mlp_registry *reg = registry();

    (void)state;
    check_file(reg, ACT("tanh_n1"), NULL, 0);
    assert_int_equal(lg.sum.failed, 1);
    expect_fail_line("shapes", "forward gives other values in calls of n=1 than in one call of "
                     "n=1061: 1060 of 1061 values differ, first at z=1 (element 0 of the long "
                     "call): 1.5231883119115297 vs 0.76159415595576485");
    check_file(reg, ACT("tanh_idx256"), NULL, 0);
    expect_fail_line("shapes", "forward gives other values in calls of n=256 than in one call of "
                     "n=1061: 805 of 1061 values differ, first at z=-2.72204 (element 256 of the "
                     "long call): -0.991393631303084 vs -1.982787262606168");
    mlp_registry_free(reg);
}

static void test_check_whole_range_finite(void **state)
{
    mlp_registry *reg = registry();

    (void)state;
    check_file(reg, ACT("tanh_inf_band"), NULL, 0);
    assert_int_equal(lg.sum.failed, 1);
    expect_fail_line("finite", "forward gives inf at z=131072 although it is only 1 at z=98304: "
                     "compute it in a form that cannot overflow");
    mlp_registry_free(reg);
}

static void test_check_dataset_missing_class(void **state)
{
    mlp_registry *reg = registry();
    bool seen = false;

    (void)state;
    check_file(reg, CHECK_FIXTURE("datasets", "data_missing_class"), NULL, 0);
    assert_int_equal(lg.sum.failed, 0);
    for (size_t i = 0; i < lg.n; i++)
        seen |= lg.verdict[i] == MLP_CHECK_NOTE && !strcmp(lg.check[i], "classes") &&
                !strcmp(lg.msg[i], "class 2 of 3 never appears in 2000 generated points: the "
                        "descriptor declares more classes than the labels use");
    if (!seen)
        dump();
    assert_true(seen);
    mlp_registry_free(reg);
}

/* ---- parameters given ---------------------------------------------------- */

static void test_check_set_fixes_a_parameter(void **state)
{
    static const char *const right[] = {"slope=1"};
    static const char *const unknown[] = {"slop=1"};
    static const char *const outside[] = {"slope=2"};
    static const char *const bad_enum[] = {"reduction=median"};
    mlp_registry *reg = registry();
    const mlp_plugin *pl = NULL;
    mlp_check_opts o = {0};
    mlp_error err = {0};

    (void)state;
    /* slope held at 1, where the broken backward happens to be right */
    check_file(reg, CHECK_FIXTURE("activations", "leaky_wrong_neg"), right, 1);
    assert_int_equal(lg.sum.failed, 0);
    for (size_t i = 0; i < lg.n; i++)
        if (lg.setting[i][0])
            assert_string_equal(lg.setting[i], "slope=1");

    assert_int_equal(mlp_registry_load_file(reg, CHECK_FIXTURE("activations", "leaky_wrong_neg"),
                                            &pl, &err), MLP_OK);
    o.sets = unknown, o.n_sets = 1;
    assert_int_equal(mlp_check_plugin(pl, &o, NULL, NULL, NULL, &err), MLP_ERR_USAGE);
    assert_non_null(strstr(err.msg, "has no parameter 'slop' (it declares: slope)"));
    o.sets = outside;
    assert_int_equal(mlp_check_plugin(pl, &o, NULL, NULL, NULL, &err), MLP_ERR_USAGE);
    assert_non_null(strstr(err.msg, "2 is outside [0, 1]"));

    assert_int_equal(mlp_registry_load_file(reg, CHECK_FIXTURE("losses", "bce_sum_grad"), &pl,
                                            &err), MLP_OK);
    o.sets = bad_enum;
    assert_int_equal(mlp_check_plugin(pl, &o, NULL, NULL, NULL, &err), MLP_ERR_USAGE);
    assert_non_null(strstr(err.msg, "expected one of mean|sum"));
    mlp_registry_free(reg);
}

/* A dataset that loads is skipped without its parameters, checked with them. */
static void test_check_loading_dataset(void **state)
{
    const char *csv = MLPLAB_TEST_BINARY_DIR "/test_check_points.csv";
    char set[512];
    const char *sets[] = {set};
    mlp_registry *reg = registry();
    FILE *f;

    (void)state;
    if (access(MLPLAB_TEST_PLUGIN_DIR "/datasets/csv.so", F_OK) != 0) {
        mlp_registry_free(reg);
        skip(); /* the csv plugin is not built in this tree */
    }
    check_file(reg, MLPLAB_TEST_PLUGIN_DIR "/datasets/csv.so", NULL, 0);
    assert_int_equal(lg.sum.failed, 0);
    assert_int_equal(lg.sum.notes, 1);
    assert_non_null(strstr(lg.msg[lg.n - 1], "--set path="));

    f = fopen(csv, "w");
    assert_non_null(f);
    fputs("x,y,label\n0.5,1.5,0\n-1,2,1\n3,-0.25,1\n0,0,0\n", f);
    fclose(f);
    snprintf(set, sizeof(set), "path=%s", csv);
    check_file(reg, MLPLAB_TEST_PLUGIN_DIR "/datasets/csv.so", sets, 1);
    if (lg.sum.failed)
        dump();
    assert_int_equal(lg.sum.failed, 0);
    expect_no_failure("load");
    {
        bool seen = false;
        for (size_t i = 0; i < lg.n; i++)
            seen |= !strcmp(lg.check[i], "load") && strstr(lg.msg[i], "4 rows of 2 inputs, 2 classes");
        assert_true(seen);
    }
    remove(csv);
    mlp_registry_free(reg);
}

/* ---- the runner ---------------------------------------------------------- */

/* Run `runner check-plugin args...`; its stdout and stderr into out. */
static int run_runner(char *out, size_t len, ...)
{
    char path[] = MLPLAB_TEST_BINARY_DIR "/test_check_out_XXXXXX";
    char *argv[16];
    int argc = 0, fd, status;
    const char *a;
    va_list ap;
    pid_t pid;
    ssize_t got;

    argv[argc++] = (char *)MLPLAB_TEST_RUNNER;
    argv[argc++] = (char *)"check-plugin";
    va_start(ap, len);
    while ((a = va_arg(ap, const char *)) && argc < 15)
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;

    fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        unsetenv("MLPLAB_PLUGIN_PATH");
        execv(argv[0], argv);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    lseek(fd, 0, SEEK_SET);
    got = read(fd, out, len - 1);
    out[got > 0 ? got : 0] = '\0';
    close(fd);
    unlink(path);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_check_runner_exit_codes(void **state)
{
    static char out[1 << 16];

    (void)state;
    assert_int_equal(run_runner(out, sizeof(out), "relu", "--plugin-path", MLPLAB_TEST_PLUGIN_DIR,
                                NULL), 0);
    assert_non_null(strstr(out, "activation relu ("));
    assert_non_null(strstr(out, "PASS  gradient"));
    assert_non_null(strstr(out, "checks passed, 0 failed"));

    assert_int_equal(run_runner(out, sizeof(out), CHECK_FIXTURE("activations", "tanh_wrong_sign"),
                                NULL), 1);
    assert_non_null(strstr(out, "FAIL  gradient"));
    assert_non_null(strstr(out, "wrong sign"));
    assert_non_null(strstr(out, "9 checks passed, 2 failed"));

    /* an entry function that crashes: loaded in a child, reported, exit 1 */
    assert_int_equal(run_runner(out, sizeof(out), ACT("entry_crash"), NULL), 1);
    assert_non_null(strstr(out, "FAIL  load          " ACT("entry_crash") " crashed (" NULL_CRASH ") "
                            "while being loaded (dlopen and its entry function)\n"));
    assert_non_null(strstr(out, "0 checks passed, 1 failed"));
    assert_int_equal(run_runner(out, sizeof(out), "relu", "--timeout", "0", NULL), 2);

    /* a name found in one kind only, the kind given */
    assert_int_equal(run_runner(out, sizeof(out), "bce", "--kind", "loss", NULL), 0);
    assert_non_null(strstr(out, "loss bce ("));

    /* not found in any kind: each kind's search, exit 2 */
    assert_int_equal(run_runner(out, sizeof(out), "no_such_plugin", NULL), 2);
    assert_non_null(strstr(out, "no activation plugin 'no_such_plugin'"));
    assert_non_null(strstr(out, "no dataset plugin 'no_such_plugin'"));
    assert_null(strstr(out, "passed"));

    /* a file that refuses: the registry's reason, exit 2 */
    assert_int_equal(run_runner(out, sizeof(out), MLPLAB_TEST_FIXTURE_DIR "/activations/abi_major2.so",
                                NULL), 2);
    assert_non_null(strstr(out, "ABI major mismatch"));
    assert_int_equal(run_runner(out, sizeof(out), "/nonexistent/x.so", NULL), 2);
    assert_non_null(strstr(out, "no such file"));

    /* usage errors */
    assert_int_equal(run_runner(out, sizeof(out), NULL), 2);
    assert_int_equal(run_runner(out, sizeof(out), "relu", "--kind", "layer", NULL), 2);
    assert_non_null(strstr(out, "--kind expects activation, loss or dataset"));
    assert_int_equal(run_runner(out, sizeof(out), "relu", "--set", "nope=1", NULL), 2);
    assert_non_null(strstr(out, "has no parameter 'nope'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_shipped_plugins_pass),
        cmocka_unit_test(test_check_relu_reports_kink),
        cmocka_unit_test(test_check_wrong_sign),
        cmocka_unit_test(test_check_wrong_scale),
        cmocka_unit_test(test_check_wrong_for_negative_inputs),
        cmocka_unit_test(test_check_loss_mean_sum_confusion),
        cmocka_unit_test(test_check_loss_not_per_sample),
        cmocka_unit_test(test_check_static_buffer),
        cmocka_unit_test(test_check_nondeterministic),
        cmocka_unit_test(test_check_inplace_broken),
        cmocka_unit_test(test_check_dataset_bad_labels),
        cmocka_unit_test(test_check_crash_is_reported),
        cmocka_unit_test(test_check_hang_is_reported),
        cmocka_unit_test(test_check_guard_pages),
        cmocka_unit_test(test_check_dataset_extra_point),
        cmocka_unit_test(test_check_jump),
        cmocka_unit_test(test_check_parameter_unused),
        cmocka_unit_test(test_check_call_shapes),
        cmocka_unit_test(test_check_whole_range_finite),
        cmocka_unit_test(test_check_dataset_missing_class),
        cmocka_unit_test(test_check_set_fixes_a_parameter),
        cmocka_unit_test(test_check_loading_dataset),
        cmocka_unit_test(test_check_runner_exit_codes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
