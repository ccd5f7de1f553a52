/* test_registry.c -- the plugin module: SHA-256, the search path, loading by
 * name and by path, every refusal and its message, parameter and descriptor
 * checks, and discovery of the shipped plugins. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "registry/registry.h"
#include "base/sha256.h"

#define STR(x) #x
#define XSTR(x) STR(x)
#define HOST_ABI XSTR(MLP_ABI_MAJOR) "." XSTR(MLP_ABI_MINOR)

#define PLUGIN_DIR MLPLAB_TEST_PLUGIN_DIR
#define FIXTURE_DIR MLPLAB_TEST_FIXTURE_DIR
#define FIXTURE(f) FIXTURE_DIR "/activations/" f

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected \"%s\" in the message \"%s\"", needle, hay);
}

/* A registry over extra dirs only (MLPLAB_PLUGIN_PATH unset). */
static mlp_registry *registry_with(const char *const *extra, size_t n)
{
    mlp_registry *reg = NULL;
    mlp_error err = {0};

    unsetenv("MLPLAB_PLUGIN_PATH");
    if (mlp_registry_create(extra, n, &reg, &err) != MLP_OK)
        fail_msg("mlp_registry_create: %s", err.msg);
    return reg;
}

/* ---- sha256 ------------------------------------------------------------ */

static void sha256_vectors(void);

/* The C rounds and, where the CPU has them, the SHA instructions: the same
 * digests (FIPS 180-4's examples), and the same digest of 100 000 bytes of
 * every length mod 64 hashed by both. */
static void test_registry_sha256_vectors(void **state)
{
    static unsigned char data[100000];
    char c_hex[65], hex[65];

    (void)state;
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 2654435761u >> 13);
    int accel = mlp_sha256_accel(1);
    sha256_vectors();
    for (size_t n = 99000; n < 99000 + 130; n++) {
        mlp_sha256_accel(0);
        mlp_sha256_hex(data, n, c_hex);
        mlp_sha256_accel(1);
        mlp_sha256_hex(data, n, hex);
        assert_string_equal(hex, c_hex);
    }
    mlp_sha256_accel(0);
    sha256_vectors();
    mlp_sha256_accel(accel);
}

static void sha256_vectors(void)
{
    char hex[65];
    mlp_sha256 s;
    static char million[1000];
    const char *two_block = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

    mlp_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    mlp_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    mlp_sha256_hex(two_block, strlen(two_block), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

    /* one million 'a' fed in uneven pieces crosses every buffer boundary */
    memset(million, 'a', sizeof(million));
    mlp_sha256_init(&s);
    for (size_t done = 0, step = 1; done < 1000000; done += step, step = step % 997 + 1) {
        if (done + step > 1000000)
            step = 1000000 - done;
        mlp_sha256_update(&s, million, step);
    }
    mlp_sha256_final_hex(&s, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_registry_sha256_file(void **state)
{
    char path[] = MLPLAB_TEST_BINARY_DIR "/sha256_test.txt";
    char hex[65];
    mlp_error err = {0};
    FILE *f = fopen(path, "wb");

    (void)state;
    assert_non_null(f);
    fputs("abc", f);
    fclose(f);
    assert_int_equal(mlp_sha256_file(path, hex, &err), MLP_OK);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    remove(path);
    assert_int_equal(mlp_sha256_file(path, hex, &err), MLP_ERR_IO);
    assert_contains(err.msg, "sha256_test.txt");
    /* a device never ends, a pipe cannot be read twice: refused at once */
    assert_int_equal(mlp_sha256_file("/dev/zero", hex, &err), MLP_ERR_IO);
    assert_contains(err.msg, "/dev/zero: not a regular file");
    assert_int_equal(mlp_sha256_file(MLPLAB_TEST_BINARY_DIR, hex, &err), MLP_ERR_IO);
    assert_contains(err.msg, "not a regular file");
}

/* ---- search path ------------------------------------------------------- */

static void test_registry_search_dirs_in_order(void **state)
{
    const char *extra[] = {"/x/first", "/x/second/"};
    const char *const *dirs;
    mlp_registry *reg = NULL;
    mlp_error err = {0};
    size_t n;

    (void)state;
    setenv("MLPLAB_PLUGIN_PATH", "/env/a::/env/b/:/x/first", 1);
    assert_int_equal(mlp_registry_create(extra, 2, &reg, &err), MLP_OK);
    n = mlp_registry_dirs(reg, &dirs);
    /* empty entries and repeats dropped, trailing slashes trimmed */
    assert_true(n >= 5);
    assert_string_equal(dirs[0], "/x/first");
    assert_string_equal(dirs[1], "/x/second");
    assert_string_equal(dirs[2], "/env/a");
    assert_string_equal(dirs[3], "/env/b");
    assert_string_equal(dirs[4], PLUGIN_DIR);
    mlp_registry_free(reg);
    unsetenv("MLPLAB_PLUGIN_PATH");
}

static void test_registry_build_dir_found(void **state)
{
    mlp_registry *reg = registry_with(NULL, 0);
    const mlp_plugin *pl = NULL;
    mlp_error err = {0};

    (void)state;
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, "sigmoid", &pl, &err), MLP_OK);
    assert_string_equal(pl->name, "sigmoid");
    assert_string_equal(pl->h->version, "1.0.0");
    assert_string_equal(pl->path, PLUGIN_DIR "/activations/sigmoid.so");
    assert_int_equal(pl->kind, MLP_KIND_ACTIVATION);
    assert_ptr_equal(pl->d.act, (const void *)pl->h);
    mlp_registry_free(reg);
}

static void test_registry_plugin_path_given_first_wins(void **state)
{
    const char *extra[] = {FIXTURE_DIR "/shadow"};
    mlp_registry *reg = registry_with(extra, 1);
    const mlp_plugin *pl = NULL;
    mlp_error err = {0};

    (void)state;
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, "sigmoid", &pl, &err), MLP_OK);
    assert_string_equal(pl->h->version, "0.0.0-shadow");
    assert_string_equal(pl->path, FIXTURE_DIR "/shadow/activations/sigmoid.so");
    /* other names still come from the build tree */
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, "tanh", &pl, &err), MLP_OK);
    assert_string_equal(pl->path, PLUGIN_DIR "/activations/tanh.so");
    mlp_registry_free(reg);
}

static void test_registry_env_path_searched(void **state)
{
    const char *extra[] = {PLUGIN_DIR};
    mlp_registry *reg = NULL;
    const mlp_plugin *pl = NULL;
    mlp_error err = {0};

    (void)state;
    setenv("MLPLAB_PLUGIN_PATH", "/nonexistent/dir:" FIXTURE_DIR "/shadow", 1);
    assert_int_equal(mlp_registry_create(NULL, 0, &reg, &err), MLP_OK);
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, "sigmoid", &pl, &err), MLP_OK);
    assert_string_equal(pl->h->version, "0.0.0-shadow");
    mlp_registry_free(reg);

    /* --plugin-path comes before MLPLAB_PLUGIN_PATH */
    assert_int_equal(mlp_registry_create(extra, 1, &reg, &err), MLP_OK);
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, "sigmoid", &pl, &err), MLP_OK);
    assert_string_equal(pl->h->version, "1.0.0");
    mlp_registry_free(reg);
    unsetenv("MLPLAB_PLUGIN_PATH");
}

static void test_registry_flat_dir_found(void **state)
{
    /* D/foo.so is tried after D/<kind>/foo.so */
    const char *extra[] = {FIXTURE_DIR "/activations"};
    mlp_registry *reg = registry_with(extra, 1);
    const mlp_plugin *pl = NULL;
    mlp_error err = {0};

    (void)state;
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_LOSS, "wrong_kind", &pl, &err), MLP_OK);
    assert_int_equal(pl->kind, MLP_KIND_LOSS);
    assert_string_equal(pl->path, FIXTURE("wrong_kind.so"));
    mlp_registry_free(reg);
}

/* ---- loading ----------------------------------------------------------- */

static void test_registry_load_by_path(void **state)
{
    mlp_registry *reg = registry_with(NULL, 0);
    const mlp_plugin *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    mlp_error err = {0};
    char hex[65];

    (void)state;
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_LOSS, PLUGIN_DIR "/losses/bce.so", &a, &err),
                     MLP_OK);
    assert_string_equal(a->name, "bce");
    assert_int_equal(a->kind, MLP_KIND_LOSS);
    assert_non_null(a->d.loss->loss);
    assert_int_equal(mlp_sha256_file(PLUGIN_DIR "/losses/bce.so", hex, &err), MLP_OK);
    assert_string_equal(a->sha256, hex);

    /* the same file by name, by another spelling of its path, by load_file */
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_LOSS, "bce", &b, &err), MLP_OK);
    assert_int_equal(
        mlp_registry_get(reg, MLP_KIND_LOSS, PLUGIN_DIR "/losses/../losses/./bce.so", &c, &err),
        MLP_OK);
    assert_int_equal(mlp_registry_load_file(reg, PLUGIN_DIR "/losses/bce.so", &d, &err), MLP_OK);
    assert_ptr_equal(a, b);
    assert_ptr_equal(a, c);
    assert_ptr_equal(a, d);
    mlp_registry_free(reg);
}

static void test_registry_load_file_any_kind(void **state)
{
    mlp_registry *reg = registry_with(NULL, 0);
    const mlp_plugin *pl = NULL;
    mlp_error err = {0};

    (void)state;
    assert_int_equal(mlp_registry_load_file(reg, FIXTURE("wrong_kind.so"), &pl, &err), MLP_OK);
    assert_int_equal(pl->kind, MLP_KIND_LOSS);
    /* loaded, but still refused where an activation is wanted */
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, FIXTURE("wrong_kind.so"), &pl,
                                      &err),
                     MLP_ERR_PLUGIN);
    assert_contains(err.msg, "wrong_kind.so");
    assert_contains(err.msg, "a loss plugin, not an activation");
    mlp_registry_free(reg);
}

/* One broken fixture, the kind asked for, and what the message must say. */
typedef struct refusal {
    const char *path;
    mlp_plugin_kind kind;
    const char *reason;
    const char *detail;
} refusal;

static const refusal refusals[] = {
    {FIXTURE("missing.so"), MLP_KIND_ACTIVATION, "no such file", NULL},
    {FIXTURE("bad_notso.so"), MLP_KIND_ACTIVATION, "not a shared object", "invalid ELF header"},
    {FIXTURE("no_entry.so"), MLP_KIND_ACTIVATION, "no entry symbol mlplab_plugin_entry", NULL},
    {FIXTURE("entry_null.so"), MLP_KIND_ACTIVATION, "the entry returned NULL",
     "fixture refuses on purpose: no licence file"},
    {FIXTURE("abi_major2.so"), MLP_KIND_ACTIVATION, "built for ABI 2.0, this runner speaks " HOST_ABI,
     "ABI major mismatch"},
    {FIXTURE("abi_minor99.so"), MLP_KIND_ACTIVATION, "built for ABI 1.99, this runner speaks " HOST_ABI,
     "ABI minor too new"},
    {FIXTURE("short_desc.so"), MLP_KIND_ACTIVATION, "short descriptor",
     "smaller than an activation descriptor"},
    {FIXTURE("no_forward.so"), MLP_KIND_ACTIVATION, "missing function", "forward is NULL"},
    {FIXTURE("bad_param_minmax.so"), MLP_KIND_ACTIVATION, "bad parameter declaration",
     "parameter 1 'slope': min 1 > max 0"},
    {FIXTURE("bad_param_dup.so"), MLP_KIND_ACTIVATION, "bad parameter declaration",
     "parameter 1 'slope': duplicate name"},
    {FIXTURE("bad_param_name.so"), MLP_KIND_ACTIVATION, "bad parameter declaration",
     "parameter 0 'Slope-2': bad name"},
    {FIXTURE("name_mismatch.so"), MLP_KIND_ACTIVATION, "name mismatch",
     "descriptor says 'other_name' but the file is named 'name_mismatch'"},
    {FIXTURE("wrong_kind.so"), MLP_KIND_ACTIVATION, "wrong kind",
     "a loss plugin, not an activation"},
    {PLUGIN_DIR "/activations/relu.so", MLP_KIND_DATASET, "wrong kind",
     "an activation plugin, not a dataset"},
    {FIXTURE_DIR "/activations", MLP_KIND_ACTIVATION, "not a regular file", NULL},
};

static void test_registry_refusals_name_file_and_reason(void **state)
{
    mlp_registry *reg = registry_with(NULL, 0);

    (void)state;
    for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
        const refusal *r = &refusals[i];
        const mlp_plugin *pl = NULL;
        mlp_error err = {0};

        if (mlp_registry_get(reg, r->kind, r->path, &pl, &err) != MLP_ERR_PLUGIN)
            fail_msg("%s: expected MLP_ERR_PLUGIN, got %d (%s)", r->path, (int)err.code, err.msg);
        assert_null(pl);
        assert_int_equal(err.code, MLP_ERR_PLUGIN);
        assert_contains(err.msg, r->path);
        assert_contains(err.msg, r->reason);
        if (r->detail)
            assert_contains(err.msg, r->detail);
        /* refused again the same way: nothing was half-loaded */
        assert_int_equal(mlp_registry_get(reg, r->kind, r->path, &pl, &err), MLP_ERR_PLUGIN);
        assert_contains(err.msg, r->reason);
    }
    mlp_registry_free(reg);
}

static void test_registry_refused_by_name(void **state)
{
    /* found along the search path, then refused: the message names the file */
    const char *extra[] = {FIXTURE_DIR};
    mlp_registry *reg = registry_with(extra, 1);
    const mlp_plugin *pl = NULL;
    mlp_error err = {0};

    (void)state;
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, "abi_major2", &pl, &err),
                     MLP_ERR_PLUGIN);
    assert_contains(err.msg, FIXTURE("abi_major2.so"));
    assert_contains(err.msg, "built for ABI 2.0");
    mlp_registry_free(reg);
}

static void test_registry_not_found_suggests(void **state)
{
    mlp_registry *reg = registry_with(NULL, 0);
    const mlp_plugin *pl = NULL;
    mlp_error err = {0};

    (void)state;
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, "sigmod", &pl, &err),
                     MLP_ERR_PLUGIN);
    assert_contains(err.msg, "no activation plugin 'sigmod'");
    assert_contains(err.msg, PLUGIN_DIR);
    assert_contains(err.msg, "activations/sigmod.so");
    assert_contains(err.msg, "did you mean 'sigmoid'?");

    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, "LeakyRelu", &pl, &err),
                     MLP_ERR_PLUGIN);
    assert_contains(err.msg, "did you mean 'leaky_relu'?");

    /* suggestions come from the kind asked for, and only when close */
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_LOSS, "sigmoid", &pl, &err), MLP_ERR_PLUGIN);
    assert_contains(err.msg, "no loss plugin 'sigmoid'");
    assert_null(strstr(err.msg, "did you mean"));
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_DATASET, "nonesuch_points", &pl, &err),
                     MLP_ERR_PLUGIN);
    assert_null(strstr(err.msg, "did you mean"));
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_LOSS, "bse", &pl, &err), MLP_ERR_PLUGIN);
    assert_contains(err.msg, "did you mean 'bce'?");
    assert_null(pl);
    mlp_registry_free(reg);
}

/* ---- discovery --------------------------------------------------------- */

typedef struct refused_log {
    size_t n;
    char msgs[32][sizeof(((mlp_error *)0)->msg)];
} refused_log;

static void log_refusal(void *ctx, const mlp_error *why)
{
    refused_log *log = ctx;

    assert_int_equal(why->code, MLP_ERR_PLUGIN);
    if (log->n < 32)
        memcpy(log->msgs[log->n], why->msg, sizeof(why->msg));
    log->n++;
}

static void test_registry_discover_lists_shipped(void **state)
{
    static const char *const expect[][2] = {
        {"activation", "identity"}, {"activation", "leaky_relu"}, {"activation", "relu"},
        {"activation", "sigmoid"},  {"activation", "softplus"},   {"activation", "tanh"},
        {"loss", "bce"},            {"loss", "mse"},              {"dataset", "circles"},
        {"dataset", "xor"},
    };
    mlp_registry *reg = registry_with(NULL, 0);
    const mlp_plugin *const *list = NULL;
    refused_log log = {0};
    mlp_error err = {0};
    size_t n = 0;

    (void)state;
    assert_int_equal(mlp_registry_discover(reg, &list, &n, log_refusal, &log, &err), MLP_OK);
    assert_int_equal(log.n, 0);
    /* every plugin of the first release is there (the catalog has more) */
    size_t ne = sizeof(expect) / sizeof(expect[0]);
    assert_true(n >= ne);
    for (size_t e = 0; e < ne; e++) {
        bool found = false;
        for (size_t i = 0; i < n && !found; i++)
            found = !strcmp(mlp_kind_name(list[i]->kind), expect[e][0]) &&
                    !strcmp(list[i]->name, expect[e][1]);
        if (!found)
            fail_msg("%s plugin %s not discovered", expect[e][0], expect[e][1]);
    }
    /* sorted by kind, then name; each hashed and versioned */
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(strlen(list[i]->sha256), 64);
        assert_non_null(list[i]->h->version);
        if (i > 0)
            assert_true(list[i - 1]->kind < list[i]->kind ||
                        (list[i - 1]->kind == list[i]->kind &&
                         strcmp(list[i - 1]->name, list[i]->name) < 0));
    }
    mlp_registry_free(reg);
}

static void test_registry_discover_reports_refusals(void **state)
{
    static const char *const broken[] = {
        "bad_notso",  "no_entry",         "entry_null",    "abi_major2",
        "abi_minor99", "short_desc",      "no_forward",    "bad_param_minmax",
        "bad_param_dup", "bad_param_name", "name_mismatch", "wrong_kind",
    };
    const char *extra[] = {FIXTURE_DIR, FIXTURE_DIR "/shadow"};
    mlp_registry *reg = registry_with(extra, 2);
    const mlp_plugin *const *list = NULL;
    refused_log log = {0};
    mlp_error err = {0};
    size_t n = 0;

    (void)state;
    assert_int_equal(mlp_registry_discover(reg, &list, &n, log_refusal, &log, &err), MLP_OK);
    assert_int_equal(log.n, sizeof(broken) / sizeof(broken[0]));
    for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        char file[256];
        bool seen = false;
        snprintf(file, sizeof(file), "%s/activations/%s.so", FIXTURE_DIR, broken[i]);
        for (size_t j = 0; j < log.n && !seen; j++)
            seen = strstr(log.msgs[j], file) != NULL;
        if (!seen)
            fail_msg("no refusal reported for %s", file);
    }
    /* the sound plugins are all listed; the shadowing sigmoid wins its name */
    assert_true(n >= 10);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i]->name, "sigmoid"))
            assert_string_equal(list[i]->h->version, "0.0.0-shadow");
    mlp_registry_free(reg);
}

/* A probe refuses a file before discovery loads it (runner plugins' probe
 * loads each in a child, so that one that crashes is named): the refusal
 * is reported, the file is never loaded here, the others are listed. */
typedef struct probe_log {
    int calls;
} probe_log;

static mlp_status refuse_crasher(void *ctx, const char *path, mlp_error *err)
{
    ((probe_log *)ctx)->calls++;
    if (strstr(path, "crash_on_load"))
        return mlp_fail(err, MLP_ERR_PLUGIN, "plugin %s: crashed while being loaded", path);
    return MLP_OK;
}

static void test_registry_discover_probe_refuses(void **state)
{
    const char *extra[] = {FIXTURE_DIR "/crash"};
    mlp_registry *reg = registry_with(extra, 1);
    const mlp_plugin *const *list = NULL;
    const mlp_plugin *pl;
    refused_log log = {0};
    probe_log probe = {0};
    mlp_error err = {0};
    size_t n = 0;
    bool sigmoid = false, tanh_ = false;

    (void)state;
    /* a plugin loaded already is not probed again */
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, "tanh", &pl, &err), MLP_OK);
    mlp_registry_set_probe(reg, refuse_crasher, &probe);
    assert_int_equal(mlp_registry_discover(reg, &list, &n, log_refusal, &log, &err), MLP_OK);
    assert_int_equal(log.n, 1);
    assert_contains(log.msgs[0], FIXTURE_DIR "/crash/activations/crash_on_load.so: crashed");
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(list[i]->name, "sigmoid"))
            sigmoid = !strcmp(list[i]->h->version, "0.0.0-shadow");
        tanh_ |= !strcmp(list[i]->name, "tanh");
    }
    assert_true(sigmoid && tanh_);
    assert_int_equal((size_t)probe.calls + 1, n + log.n);  /* all but tanh */
    mlp_registry_free(reg);
}

/* A plugin from --plugin-path under a shipped name says which shipped file
 * it replaces; a shipped plugin replaces nothing. */
static void test_registry_shadowed_names_the_shipped(void **state)
{
    const char *extra[] = {FIXTURE_DIR "/shadow"};
    mlp_registry *reg = registry_with(extra, 1);
    const mlp_plugin *pl = NULL, *first;
    mlp_error err = {0};
    char *s;

    (void)state;
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, "sigmoid", &pl, &err), MLP_OK);
    first = pl;
    s = mlp_registry_shadowed(reg, pl);
    assert_non_null(s);
    assert_string_equal(s, PLUGIN_DIR "/activations/sigmoid.so");
    free(s);
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, "tanh", &pl, &err), MLP_OK);
    assert_null(mlp_registry_shadowed(reg, pl));
    assert_int_equal(mlp_registry_loaded(reg, 0, &pl), 2);
    assert_ptr_equal(pl, first);
    mlp_registry_free(reg);
}

/* A plugin file anyone could replace is refused (the file world-writable,
 * or its folder without the sticky bit), unless insecure plugins are allowed. */
static void test_registry_refuses_world_writable(void **state)
{
    char dir[] = MLPLAB_TEST_BINARY_DIR "/insecure_plugins";
    char file[] = MLPLAB_TEST_BINARY_DIR "/insecure_plugins/tanh.so";
    mlp_registry *reg;
    const mlp_plugin *pl = NULL;
    mlp_error err = {0};

    (void)state;
    assert_int_equal(system("rm -rf '" MLPLAB_TEST_BINARY_DIR "/insecure_plugins' && mkdir '"
                            MLPLAB_TEST_BINARY_DIR "/insecure_plugins' && cp '" PLUGIN_DIR
                            "/activations/tanh.so' '" MLPLAB_TEST_BINARY_DIR
                            "/insecure_plugins/'"), 0);
    assert_int_equal(chmod(dir, 0755), 0);
    assert_int_equal(chmod(file, 0666), 0);
    reg = registry_with(NULL, 0);
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, file, &pl, &err), MLP_ERR_PLUGIN);
    assert_contains(err.msg, "insecure_plugins/tanh.so: refused: the file is world-writable "
                             "(mode 0666)");
    assert_contains(err.msg, "--allow-insecure-plugins");
    assert_int_equal(chmod(file, 0644), 0);
    assert_int_equal(chmod(dir, 0777), 0);
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, file, &pl, &err), MLP_ERR_PLUGIN);
    assert_contains(err.msg, "refused: its folder " MLPLAB_TEST_BINARY_DIR "/insecure_plugins is "
                             "world-writable (mode 0777)");
    /* sticky, like /tmp: only the owner may replace the file */
    assert_int_equal(chmod(dir, 01777), 0);
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, file, &pl, &err), MLP_OK);
    mlp_registry_free(reg);
    assert_int_equal(chmod(dir, 0777), 0);
    reg = registry_with(NULL, 0);
    mlp_registry_allow_insecure(reg, true);
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, file, &pl, &err), MLP_OK);
    assert_string_equal(pl->name, "tanh");
    mlp_registry_free(reg);
    assert_int_equal(chmod(dir, 0755), 0);
    assert_int_equal(system("rm -rf '" MLPLAB_TEST_BINARY_DIR "/insecure_plugins'"), 0);
}

/* ---- declarations ------------------------------------------------------ */

static void dummy_forward(const double *z, double *a, size_t n, const mlp_param_value *p)
{
    (void)z, (void)a, (void)n, (void)p;
}

static void dummy_backward(const double *z, const double *a, const double *da, double *dz,
                           size_t n, const mlp_param_value *p)
{
    (void)z, (void)a, (void)da, (void)dz, (void)n, (void)p;
}

static double dummy_loss(const double *z, const double *y, double *dz, size_t n, size_t k,
                         const mlp_param_value *p)
{
    (void)z, (void)y, (void)dz, (void)n, (void)k, (void)p;
    return 0.0;
}

static void dummy_predict(const double *z, double *prob, size_t n, size_t k,
                          const mlp_param_value *p)
{
    (void)z, (void)prob, (void)n, (void)k, (void)p;
}

static int dummy_generate(const mlp_rng_api *rng, size_t n, double *x, double *y,
                          const mlp_param_value *p, const char **why)
{
    (void)rng, (void)n, (void)x, (void)y, (void)p, (void)why;
    return 0;
}

static int dummy_describe(const mlp_param_value *p, size_t *rows, uint32_t *dim,
                          uint32_t *classes, char *why, size_t why_len)
{
    (void)p, (void)why, (void)why_len;
    *rows = 1, *dim = 1, *classes = 2;
    return 0;
}

static int dummy_load(const mlp_param_value *p, size_t rows, uint32_t dim, double *x, double *y,
                      char *why, size_t why_len)
{
    (void)p, (void)rows, (void)dim, (void)x, (void)y, (void)why, (void)why_len;
    return 0;
}

static mlp_activation_desc good_activation(const mlp_param_decl *params, uint32_t n_params)
{
    mlp_activation_desc d = {
        .h = {.size = sizeof(mlp_activation_desc), .abi_major = MLP_ABI_MAJOR,
              .abi_minor = MLP_ABI_MINOR, .kind = MLP_KIND_ACTIVATION, .name = "act",
              .version = "1.0.0", .help = "test", .n_params = n_params, .params = params},
        .forward = dummy_forward,
        .backward = dummy_backward,
    };
    return d;
}

static mlp_dataset_desc good_dataset(void)
{
    mlp_dataset_desc d = {
        .h = {.size = sizeof(mlp_dataset_desc), .abi_major = MLP_ABI_MAJOR,
              .abi_minor = MLP_ABI_MINOR, .kind = MLP_KIND_DATASET, .name = "data",
              .version = "1.0.0", .help = "test"},
        .dim = 2,
        .classes = 2,
        .extent = {-1, 1, -1, 1},
        .generate = dummy_generate,
    };
    return d;
}

/* One parameter declaration and the phrase its check must produce (NULL: fine). */
typedef struct param_case {
    mlp_param_decl decl;
    const char *reason;
} param_case;

#define REAL(nm, d, lo, hi) {.name = (nm), .type = MLP_PARAM_REAL, .def = (d), .min = (lo), \
                             .max = (hi), .help = "h"}

static const param_case param_cases[] = {
    {REAL("slope", 0.1, 0, 1), NULL},
    {REAL("x2_y", -1, -1, -1), NULL},
    {{.name = "n", .type = MLP_PARAM_INT, .def = 3, .min = 1, .max = 10, .help = "h"}, NULL},
    {{.name = "on", .type = MLP_PARAM_BOOL, .def = 1, .help = "h"}, NULL},
    {{.name = "red", .type = MLP_PARAM_ENUM, .def = 1, .help = "h", .choices = "mean|sum"}, NULL},
    {{.name = "one", .type = MLP_PARAM_ENUM, .def = 0, .help = "h", .choices = "only"}, NULL},
    {{.name = "path", .type = MLP_PARAM_STRING, .help = "h"}, NULL},
    {{.name = "sep", .type = MLP_PARAM_STRING, .help = "h", .def_str = ","}, NULL},
    {REAL(NULL, 0, 0, 1), "parameter 0: no name"},
    {REAL("", 0, 0, 1), "bad name"},
    {REAL("9lives", 0, 0, 1), "bad name"},
    {REAL("Slope", 0, 0, 1), "bad name"},
    {REAL("a-b", 0, 0, 1), "bad name"},
    {REAL("a_very_long_parameter_name_that_goes_on_and_on_and_on_past_64_chars", 0, 0, 1),
     "bad name"},
    {REAL("plugin", 0, 0, 1), "'plugin' is reserved"},
    {REAL("train", 0, 0, 1), "'train' is reserved"},
    {REAL("test", 0, 0, 1), "'test' is reserved"},
    {{.name = "t", .type = (mlp_param_type)0, .help = "h"}, "unknown type 0"},
    {{.name = "t", .type = (mlp_param_type)9, .help = "h"}, "unknown type 9"},
    {{.name = "t", .type = MLP_PARAM_REAL, .max = 1}, "no help text"},
    {{.name = "t", .type = MLP_PARAM_REAL, .max = 1, .help = ""}, "no help text"},
    {REAL("t", 1.5, 2, 1), "min 2 > max 1"},
    {REAL("t", 3, 0, 1), "default 3 outside [0, 1]"},
    {REAL("t", -0.5, 0, 1), "default -0.5 outside [0, 1]"},
    {REAL("t", NAN, 0, 1), "finite"},
    {REAL("t", 0, 0, INFINITY), "finite"},
    {REAL("t", 0, -INFINITY, 0), "finite"},
    {{.name = "t", .type = MLP_PARAM_INT, .def = 1.5, .min = 0, .max = 3, .help = "h"},
     "default 1.5 of an int parameter is not an integer"},
    {{.name = "t", .type = MLP_PARAM_INT, .def = 5, .min = 0, .max = 3, .help = "h"},
     "outside"},
    {{.name = "t", .type = MLP_PARAM_BOOL, .def = 0.5, .help = "h"}, "must be 0 or 1"},
    {{.name = "t", .type = MLP_PARAM_BOOL, .def = 2, .help = "h"}, "must be 0 or 1"},
    {{.name = "t", .type = MLP_PARAM_ENUM, .help = "h"}, "non-empty choices list"},
    {{.name = "t", .type = MLP_PARAM_ENUM, .help = "h", .choices = ""}, "non-empty choices"},
    {{.name = "t", .type = MLP_PARAM_ENUM, .help = "h", .choices = "mean||sum"}, "empty choice"},
    {{.name = "t", .type = MLP_PARAM_ENUM, .help = "h", .choices = "mean|"}, "empty choice"},
    {{.name = "t", .type = MLP_PARAM_ENUM, .help = "h", .choices = "|sum"}, "empty choice"},
    {{.name = "t", .type = MLP_PARAM_ENUM, .help = "h", .choices = "a b|c"},
     "contain the character ' '"},
    {{.name = "t", .type = MLP_PARAM_ENUM, .help = "h", .choices = "a|b|a"}, "list 'a' twice"},
    {{.name = "t", .type = MLP_PARAM_ENUM, .def = 2, .help = "h", .choices = "mean|sum"},
     "default index 2 is not one of the 2 choices"},
    {{.name = "t", .type = MLP_PARAM_ENUM, .def = -1, .help = "h", .choices = "mean|sum"},
     "default index -1"},
    {{.name = "t", .type = MLP_PARAM_ENUM, .def = 0.5, .help = "h", .choices = "mean|sum"},
     "default index 0.5"},
};

static void test_registry_param_checks(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(param_cases) / sizeof(param_cases[0]); i++) {
        const param_case *c = &param_cases[i];
        mlp_activation_desc d = good_activation(&c->decl, 1);
        mlp_error err = {0};
        mlp_status st = mlp_plugin_check_params(&d.h, "dir/act.so", &err);

        if (!c->reason) {
            if (st != MLP_OK)
                fail_msg("case %zu: refused: %s", i, err.msg);
            continue;
        }
        if (st != MLP_ERR_PLUGIN)
            fail_msg("case %zu: accepted, expected \"%s\"", i, c->reason);
        assert_contains(err.msg, "dir/act.so");
        assert_contains(err.msg, "bad parameter declaration");
        assert_contains(err.msg, c->reason);
        if (c->decl.name && *c->decl.name && strlen(c->decl.name) < 40) {
            char which[64];
            snprintf(which, sizeof(which), "parameter 0 '%s'", c->decl.name);
            assert_contains(err.msg, which);
        }
    }
}

static void test_registry_param_table_checks(void **state)
{
    static mlp_param_decl many[MLP_MAX_PARAMS + 1];
    static char names[MLP_MAX_PARAMS + 1][8];
    const mlp_param_decl two[] = {REAL("a", 0, 0, 1), REAL("a", 0, 0, 1)};
    mlp_activation_desc d;
    mlp_error err = {0};

    (void)state;
    for (int i = 0; i <= MLP_MAX_PARAMS; i++) {
        snprintf(names[i], sizeof(names[i]), "p%d", i);
        many[i] = (mlp_param_decl)REAL(names[i], 0, 0, 1);
    }
    d = good_activation(many, MLP_MAX_PARAMS);
    assert_int_equal(mlp_plugin_check_params(&d.h, "f.so", &err), MLP_OK);
    d = good_activation(many, MLP_MAX_PARAMS + 1);
    assert_int_equal(mlp_plugin_check_params(&d.h, "f.so", &err), MLP_ERR_PLUGIN);
    assert_contains(err.msg, "65 parameters, at most 64");
    d = good_activation(NULL, 1);
    assert_int_equal(mlp_plugin_check_params(&d.h, "f.so", &err), MLP_ERR_PLUGIN);
    assert_contains(err.msg, "the table is NULL");
    d = good_activation(NULL, 0);
    assert_int_equal(mlp_plugin_check_params(&d.h, "f.so", &err), MLP_OK);
    d = good_activation(two, 2);
    assert_int_equal(mlp_plugin_check_params(&d.h, "f.so", &err), MLP_ERR_PLUGIN);
    assert_contains(err.msg, "parameter 1 'a': duplicate name: also declared as parameter 0");
}

static void test_registry_descriptor_checks(void **state)
{
    mlp_activation_desc a;
    mlp_loss_desc l = {
        .h = {.size = sizeof(mlp_loss_desc), .abi_major = MLP_ABI_MAJOR,
              .abi_minor = MLP_ABI_MINOR, .kind = MLP_KIND_LOSS, .name = "lo",
              .version = "1", .help = "h"},
        .loss = dummy_loss,
        .predict = dummy_predict,
    };
    mlp_dataset_desc ds;
    mlp_error err = {0};

    (void)state;
#define REFUSED(h, file, want, text)                                                         \
    do {                                                                                     \
        assert_int_equal(mlp_plugin_check_descriptor(&(h), file, want, &err), MLP_ERR_PLUGIN); \
        assert_contains(err.msg, text);                                                      \
    } while (0)

    a = good_activation(NULL, 0);
    assert_int_equal(mlp_plugin_check_descriptor(&a.h, NULL, 0, &err), MLP_OK);
    assert_int_equal(mlp_plugin_check_descriptor(&a.h, "/p/act.so", MLP_KIND_ACTIVATION, &err),
                     MLP_OK);
    assert_int_equal(mlp_plugin_check_descriptor(&a.h, "act", 0, &err), MLP_OK);
    REFUSED(a.h, "/p/other.so", 0, "name mismatch");
    REFUSED(a.h, "/p/act.so", MLP_KIND_LOSS, "an activation plugin, not a loss");
    a.backward = NULL;
    REFUSED(a.h, "/p/act.so", 0, "backward is NULL");
    a = good_activation(NULL, 0);
    a.h.size = 8;
    REFUSED(a.h, "/p/act.so", 0, "short descriptor: size 8 is smaller than the header");
    a.h.size = sizeof(mlp_activation_desc) - 1;
    REFUSED(a.h, "/p/act.so", 0, "short descriptor");
    a = good_activation(NULL, 0);
    a.h.kind = 7;
    REFUSED(a.h, "/p/act.so", 0, "unknown kind 7");
    a = good_activation(NULL, 0);
    a.h.abi_major = 0;
    REFUSED(a.h, "/p/act.so", 0, "built for ABI 0." XSTR(MLP_ABI_MINOR) ", this runner speaks " HOST_ABI);
    a = good_activation(NULL, 0);
    a.h.name = NULL;
    REFUSED(a.h, "/p/act.so", 0, "missing name");
    a.h.name = "";
    REFUSED(a.h, "/p/act.so", 0, "missing name");
    a.h.name = "Act";
    REFUSED(a.h, "/p/Act.so", 0, "bad name 'Act'");
    a = good_activation(NULL, 0);
    a.h.version = NULL;
    REFUSED(a.h, "/p/act.so", 0, "missing version");
    a = good_activation(NULL, 0);
    a.h.help = "";
    REFUSED(a.h, "/p/act.so", 0, "missing help");

    assert_int_equal(mlp_plugin_check_descriptor(&l.h, "lo.so", MLP_KIND_LOSS, &err), MLP_OK);
    l.predict = NULL;
    REFUSED(l.h, "lo.so", 0, "predict is NULL");
    l.predict = dummy_predict;
    l.loss = NULL;
    REFUSED(l.h, "lo.so", 0, "loss is NULL");

    ds = good_dataset();
    assert_int_equal(mlp_plugin_check_descriptor(&ds.h, "data.so", MLP_KIND_DATASET, &err),
                     MLP_OK);
    ds.generate = NULL;
    REFUSED(ds.h, "data.so", 0, "generate is NULL");
    ds = good_dataset();
    ds.dim = 0;
    REFUSED(ds.h, "data.so", 0, "dimension (dim) is 0");
    ds = good_dataset();
    ds.classes = 1;
    REFUSED(ds.h, "data.so", 0, "at least 2 classes, not 1");
    ds = good_dataset();
    ds.extent[3] = NAN;
    REFUSED(ds.h, "data.so", 0, "bad extent");
    ds = good_dataset();
    ds.extent[0] = 1;
    REFUSED(ds.h, "data.so", 0, "bad extent");
    ds.dim = 5; /* the plotting extent is only for 2-D inputs */
    assert_int_equal(mlp_plugin_check_descriptor(&ds.h, "data.so", 0, &err), MLP_OK);

    /* a dataset built against ABI 1.0 ends before describe/load: accepted */
    ds = good_dataset();
    ds.h.abi_minor = 0;
    ds.h.size = MLP_DATASET_DESC_SIZE_1_0;
    assert_int_equal(mlp_plugin_check_descriptor(&ds.h, "data.so", 0, &err), MLP_OK);
    ds.h.size = MLP_DATASET_DESC_SIZE_1_0 - 1;
    REFUSED(ds.h, "data.so", 0, "short descriptor");
    /* ABI 1.1: a generator may describe its shape; a loading dataset needs
     * describe and load, and may leave the shape to them */
    ds = good_dataset();
    ds.describe = dummy_describe;
    assert_int_equal(mlp_plugin_check_descriptor(&ds.h, "data.so", 0, &err), MLP_OK);
    ds.describe = NULL;
    ds.load = dummy_load;
    REFUSED(ds.h, "data.so", 0, "describe is NULL");
    ds.describe = dummy_describe;
    ds.generate = NULL;
    ds.dim = 0;
    ds.classes = 0;
    assert_int_equal(mlp_plugin_check_descriptor(&ds.h, "data.so", 0, &err), MLP_OK);
    ds.h.size = MLP_DATASET_DESC_SIZE_1_0;
    REFUSED(ds.h, "data.so", 0, "short descriptor");
#undef REFUSED
}

static void test_registry_param_helpers(void **state)
{
    mlp_registry *reg = registry_with(NULL, 0);
    const mlp_plugin *pl = NULL;
    mlp_param_value vals[2];
    mlp_error err = {0};

    (void)state;
    assert_int_equal(mlp_registry_get(reg, MLP_KIND_ACTIVATION, "softplus", &pl, &err), MLP_OK);
    assert_int_equal(mlp_plugin_param_index(pl, "beta"), 0);
    assert_int_equal(mlp_plugin_param_index(pl, "threshold"), 1);
    assert_int_equal(mlp_plugin_param_index(pl, "slope"), -1);
    mlp_plugin_param_defaults(pl, vals);
    assert_true(vals[0].num == 1.0 && vals[0].str == NULL);
    assert_true(vals[1].num == 20.0);

    assert_string_equal(mlp_kind_name(MLP_KIND_ACTIVATION), "activation");
    assert_string_equal(mlp_kind_name(MLP_KIND_LOSS), "loss");
    assert_string_equal(mlp_kind_name(MLP_KIND_DATASET), "dataset");
    assert_string_equal(mlp_kind_name((mlp_plugin_kind)0), "unknown");
    assert_string_equal(mlp_param_type_name(MLP_PARAM_REAL), "real");
    assert_string_equal(mlp_param_type_name(MLP_PARAM_INT), "int");
    assert_string_equal(mlp_param_type_name(MLP_PARAM_BOOL), "bool");
    assert_string_equal(mlp_param_type_name(MLP_PARAM_ENUM), "enum");
    assert_string_equal(mlp_param_type_name(MLP_PARAM_STRING), "string");
    mlp_registry_free(reg);
    mlp_registry_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_sha256_vectors),
        cmocka_unit_test(test_registry_sha256_file),
        cmocka_unit_test(test_registry_search_dirs_in_order),
        cmocka_unit_test(test_registry_build_dir_found),
        cmocka_unit_test(test_registry_plugin_path_given_first_wins),
        cmocka_unit_test(test_registry_env_path_searched),
        cmocka_unit_test(test_registry_flat_dir_found),
        cmocka_unit_test(test_registry_load_by_path),
        cmocka_unit_test(test_registry_load_file_any_kind),
        cmocka_unit_test(test_registry_refusals_name_file_and_reason),
        cmocka_unit_test(test_registry_refused_by_name),
        cmocka_unit_test(test_registry_not_found_suggests),
        cmocka_unit_test(test_registry_discover_lists_shipped),
        cmocka_unit_test(test_registry_discover_reports_refusals),
        cmocka_unit_test(test_registry_discover_probe_refuses),
        cmocka_unit_test(test_registry_shadowed_names_the_shipped),
        cmocka_unit_test(test_registry_refuses_world_writable),
        cmocka_unit_test(test_registry_param_checks),
        cmocka_unit_test(test_registry_param_table_checks),
        cmocka_unit_test(test_registry_descriptor_checks),
        cmocka_unit_test(test_registry_param_helpers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
