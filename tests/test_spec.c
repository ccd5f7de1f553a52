/* test_spec.c -- the spec module: YAML tree and scalar typing, sweep
 * expansion, --set overrides, resolution with defaults, and a table of
 * broken specs with the exact message each must produce. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/sha256.h"
#include "spec/spec.h"

/* The smallest valid spec, which most cases extend. */
#define BASE "name: t\ndataset: circles\n"

static mlp_registry *reg;

static int setup_registry(void **state)
{
    const char *dir = MLPLAB_TEST_PLUGIN_DIR;
    mlp_error err;

    (void)state;
    return mlp_registry_create(&dir, 1, &reg, &err) == MLP_OK ? 0 : -1;
}

static int teardown_registry(void **state)
{
    (void)state;
    mlp_registry_free(reg);
    return 0;
}

/* Parse text as "x.yaml" with the given --set arguments; must succeed. */
static mlp_spec *parse_ok(const char *text, const char *const *sets, size_t n_sets)
{
    mlp_spec *spec = NULL;
    mlp_error err;
    char msg[2048];

    mlp_error_clear(&err);
    if (mlp_spec_parse(text, strlen(text), "x.yaml", sets, n_sets, &spec, &err) != MLP_OK) {
        mlp_error_format(&err, msg, sizeof(msg));
        fail_msg("unexpected error: %s", msg);
    }
    return spec;
}

/* Resolve run k; must succeed. */
static void config_ok(const mlp_spec *spec, size_t k, mlp_config *cfg)
{
    mlp_error err;
    char msg[2048];

    if (mlp_spec_config(spec, reg, k, cfg, &err) != MLP_OK) {
        mlp_error_format(&err, msg, sizeof(msg));
        fail_msg("unexpected error: %s", msg);
    }
}

/* Parse then validate: the first error's status and formatted message. */
static mlp_status load_and_validate(const char *text, size_t len, const char *set, char *msg,
                                    size_t msg_len)
{
    mlp_spec *spec = NULL;
    mlp_error err;
    mlp_status rc;
    const char *sets[1] = {set};

    mlp_error_clear(&err);
    rc = mlp_spec_parse(text, len, "x.yaml", sets, set ? 1 : 0, &spec, &err);
    if (rc == MLP_OK) {
        assert_non_null(spec);
        rc = mlp_spec_validate(spec, reg, &err);
        mlp_spec_free(spec);
    }
    msg[0] = '\0';
    if (rc)
        mlp_error_format(&err, msg, msg_len);
    return rc;
}

static double param(const mlp_plugin_use *u, const char *name)
{
    int i = mlp_plugin_param_index(u->plugin, name);

    assert_true(i >= 0);
    return u->params[i].num;
}

/* ---- the YAML tree ------------------------------------------------------ */

static void test_spec_tree_marks_and_flow(void **state)
{
    const char *text = "a: [1, 'x y', \"3\"]\nb:\n  c: ~\n  d: |\n    text\n";
    mlp_node *root, *copy;
    mlp_error err;
    char *flow;
    const mlp_node *b, *d;

    (void)state;
    assert_int_equal(mlp_yaml_parse(text, strlen(text), "t.yaml", &root, &err), MLP_OK);
    assert_int_equal(root->kind, MLP_NODE_MAP);
    assert_int_equal(root->n, 2);
    b = mlp_node_get(root, "b");
    assert_non_null(b);
    assert_int_equal(b->line, 3);
    assert_int_equal(b->col, 3);
    assert_int_equal(mlp_node_get(root, "a")->items[1]->col, 8);
    d = mlp_node_get(b, "d");
    assert_true(d->quoted);
    assert_string_equal(d->text, "text\n");
    assert_true(mlp_scalar_is_null(mlp_node_get(b, "c")));
    assert_null(mlp_node_get(root, "zz"));

    copy = mlp_node_clone(root);
    mlp_node_free(root);
    flow = mlp_node_to_flow(copy);
    assert_string_equal(flow, "{a: [1, x y, \"3\"], b: {c: ~, d: \"text\\n\"}}");
    free(flow);
    flow = mlp_node_to_yaml(copy);
    assert_string_equal(flow, "a: [1, x y, \"3\"]\nb:\n  c: ~\n  d: \"text\\n\"\n");
    free(flow);
    mlp_node_free(copy);
}

static mlp_node scalar(const char *text, bool quoted)
{
    mlp_node n;

    memset(&n, 0, sizeof(n));
    n.kind = MLP_NODE_SCALAR;
    n.text = (char *)text;
    n.quoted = quoted;
    return n;
}

static void test_spec_scalar_typing(void **state)
{
    int64_t i;
    uint64_t u;
    double d;
    bool b;
    mlp_node n;

    (void)state;
    n = scalar("0x1F", false);
    assert_true(mlp_scalar_int(&n, &i) && i == 31);
    n = scalar("0o17", false);
    assert_true(mlp_scalar_int(&n, &i) && i == 15);
    n = scalar("-42", false);
    assert_true(mlp_scalar_int(&n, &i) && i == -42);
    assert_false(mlp_scalar_uint64(&n, &u));
    n = scalar("+7", false);
    assert_true(mlp_scalar_int(&n, &i) && i == 7);
    n = scalar("18446744073709551615", false);
    assert_false(mlp_scalar_int(&n, &i));
    assert_true(mlp_scalar_uint64(&n, &u) && u == UINT64_MAX);
    n = scalar("1e-8", false);
    assert_false(mlp_scalar_int(&n, &i));
    assert_true(mlp_scalar_real(&n, &d) && d == 1e-8);
    n = scalar("1.", false);
    assert_true(mlp_scalar_real(&n, &d) && d == 1.0);
    n = scalar(".5", false);
    assert_true(mlp_scalar_real(&n, &d) && d == 0.5);
    n = scalar("-.inf", false);
    assert_true(mlp_scalar_real(&n, &d) && d < 0 && d * 0 != 0);
    n = scalar(".NaN", false);
    assert_true(mlp_scalar_real(&n, &d) && d != d);
    n = scalar("1_000", false);
    assert_false(mlp_scalar_int(&n, &i));
    assert_false(mlp_scalar_real(&n, &d));
    n = scalar("0x", false);
    assert_false(mlp_scalar_int(&n, &i));
    n = scalar("e5", false);
    assert_false(mlp_scalar_real(&n, &d));
    n = scalar("True", false);
    assert_true(mlp_scalar_bool(&n, &b) && b);
    n = scalar("yes", false); /* YAML 1.1 only */
    assert_false(mlp_scalar_bool(&n, &b));
    n = scalar("true", true);
    assert_false(mlp_scalar_bool(&n, &b));
    n = scalar("100", true);
    assert_false(mlp_scalar_int(&n, &i));
    assert_false(mlp_scalar_real(&n, &d));
    n = scalar("", false);
    assert_true(mlp_scalar_is_null(&n));
    n = scalar("~", false);
    assert_true(mlp_scalar_is_null(&n));
    n = scalar("", true);
    assert_false(mlp_scalar_is_null(&n));
}

static void test_spec_tree_core_tags(void **state)
{
    const char *text = "a: !!str 5\nb: !!int 7\n";
    mlp_node *root;
    mlp_error err;
    int64_t i;

    (void)state;
    assert_int_equal(mlp_yaml_parse(text, strlen(text), "t.yaml", &root, &err), MLP_OK);
    assert_false(mlp_scalar_int(mlp_node_get(root, "a"), &i));
    assert_true(mlp_scalar_int(mlp_node_get(root, "b"), &i) && i == 7);
    mlp_node_free(root);
}

/* ---- resolution ---------------------------------------------------------- */

static void test_spec_defaults(void **state)
{
    mlp_spec *spec = parse_ok("name: t\ndataset: circles\n", NULL, 0);
    mlp_config cfg;

    (void)state;
    assert_string_equal(spec->name, "t");
    assert_string_equal(spec->description, "");
    assert_null(spec->output);
    assert_true(spec->seed == 0);
    assert_int_equal(spec->repeats, 1);
    assert_int_equal(spec->n_axes, 0);
    assert_int_equal(spec->plan.n_runs, 1);
    assert_false(spec->dataset_swept);
    config_ok(spec, 0, &cfg);
    assert_string_equal(cfg.dataset.plugin->h->name, "circles");
    assert_int_equal(cfg.n_train, 200);
    assert_int_equal(cfg.n_test, 0);
    assert_true(param(&cfg.dataset, "factor") == 0.8);
    assert_true(param(&cfg.dataset, "noise") == 0.0);
    assert_true(param(&cfg.dataset, "shuffle") == 1.0);
    assert_int_equal(cfg.n_hidden, 1);
    assert_int_equal(cfg.hidden[0], 3);
    assert_string_equal(cfg.activation.plugin->h->name, "sigmoid");
    assert_int_equal(cfg.init, MLP_INIT_XAVIER);
    assert_string_equal(cfg.loss.plugin->h->name, "bce");
    assert_true(param(&cfg.loss, "reduction") == 0.0);
    assert_int_equal(cfg.train.optimizer, MLP_OPT_GD);
    assert_true(cfg.train.learning_rate == 0.1);
    assert_true(cfg.train.momentum == 0.9);
    assert_false(cfg.train.nesterov);
    assert_true(cfg.train.beta1 == 0.9);
    assert_true(cfg.train.beta2 == 0.999);
    assert_true(cfg.train.eps == 1e-8);
    assert_int_equal(cfg.train.iterations, 1000);
    assert_int_equal(cfg.train.batch_size, 0);
    assert_true(cfg.train.l2 == 0.0);
    assert_int_equal(cfg.record.loss_every, 1);
    assert_true(cfg.record.weights);
    assert_true(cfg.record.hidden);
    assert_true(cfg.record.boundary);
    assert_int_equal(cfg.record.resolution, 200);
    assert_true(cfg.record.extent[0] == -1.5 && cfg.record.extent[3] == 1.5);
    assert_non_null(cfg.dataset_key);
    mlp_config_free(&cfg);
    mlp_spec_free(spec);
}

static void test_spec_explicit_values(void **state)
{
    const char *text = "name: full.spec-1\n"
                       "description: \"a test\"\n"
                       "seed: 0xFFFFFFFFFFFFFFFF\n"
                       "dataset: {plugin: xor, train: 50, test: 20, noise: 0.25}\n"
                       "model:\n"
                       "  hidden: [16, 8]\n"
                       "  activation: {plugin: leaky_relu, slope: 0.2}\n"
                       "  init: he\n"
                       "loss: {plugin: bce, reduction: sum}\n"
                       "train: {optimizer: adam, learning_rate: 1e-3, beta1: 0.8, beta2: 0.99,\n"
                       "        eps: 1e-6, iterations: 10, batch_size: 32, l2: 0.5}\n"
                       "record:\n"
                       "  loss_every: 5\n"
                       "  weights: none\n"
                       "  hidden: false\n"
                       "  boundary: {resolution: 64, extent: [-1, 1, -2, 2]}\n"
                       "repeats: 2\n"
                       "output: out/x.h5\n";
    mlp_spec *spec = parse_ok(text, NULL, 0);
    mlp_config cfg;

    (void)state;
    assert_string_equal(spec->name, "full.spec-1");
    assert_string_equal(spec->description, "a test");
    assert_string_equal(spec->output, "out/x.h5");
    assert_true(spec->seed == UINT64_MAX);
    assert_int_equal(spec->plan.n_runs, 2);
    config_ok(spec, 1, &cfg);
    assert_string_equal(cfg.dataset.plugin->h->name, "xor");
    assert_int_equal(cfg.n_train, 50);
    assert_int_equal(cfg.n_test, 20);
    assert_true(param(&cfg.dataset, "noise") == 0.25);
    assert_int_equal(cfg.n_hidden, 2);
    assert_int_equal(cfg.hidden[0], 16);
    assert_int_equal(cfg.hidden[1], 8);
    assert_true(param(&cfg.activation, "slope") == 0.2);
    assert_int_equal(cfg.init, MLP_INIT_HE);
    assert_true(param(&cfg.loss, "reduction") == 1.0);
    assert_int_equal(cfg.train.optimizer, MLP_OPT_ADAM);
    assert_true(cfg.train.learning_rate == 1e-3);
    assert_true(cfg.train.beta1 == 0.8 && cfg.train.beta2 == 0.99 && cfg.train.eps == 1e-6);
    assert_int_equal(cfg.train.iterations, 10);
    assert_int_equal(cfg.train.batch_size, 32);
    assert_true(cfg.train.l2 == 0.5);
    assert_int_equal(cfg.record.loss_every, 5);
    assert_false(cfg.record.weights);
    assert_false(cfg.record.hidden);
    assert_true(cfg.record.boundary);
    assert_int_equal(cfg.record.resolution, 64);
    assert_true(cfg.record.extent[0] == -1 && cfg.record.extent[1] == 1 &&
                cfg.record.extent[2] == -2 && cfg.record.extent[3] == 2);
    mlp_config_free(&cfg);
    mlp_spec_free(spec);
}

static void test_spec_no_hidden_layer_and_boundary_off(void **state)
{
    mlp_spec *spec = parse_ok("name: t\ndataset: xor\nmodel: {hidden: []}\n"
                              "record: {boundary: false}\n", NULL, 0);
    mlp_config cfg;

    (void)state;
    config_ok(spec, 0, &cfg);
    assert_int_equal(cfg.n_hidden, 0);
    assert_false(cfg.record.boundary);
    /* the xor plugin's own extent is the default */
    mlp_config_free(&cfg);
    mlp_spec_free(spec);
    spec = parse_ok("name: t\ndataset: xor\n", NULL, 0);
    config_ok(spec, 0, &cfg);
    assert_true(cfg.record.boundary);
    assert_true(cfg.record.extent[0] == -6 && cfg.record.extent[1] == 6);
    mlp_config_free(&cfg);
    mlp_spec_free(spec);
}

static void test_spec_dataset_key(void **state)
{
    mlp_spec *a = parse_ok("name: t\ndataset: {plugin: circles, noise: 0.1}\nmodel: {hidden: 4}\n",
                           NULL, 0);
    mlp_spec *b = parse_ok("name: u\ndataset: {plugin: circles, noise: 0.1, factor: 0.8}\n", NULL,
                           0);
    mlp_spec *c = parse_ok("name: t\ndataset: {plugin: circles, noise: 0.2}\n", NULL, 0);
    mlp_spec *d = parse_ok("name: t\ndataset: {plugin: circles, noise: 0.1, test: 5}\n", NULL, 0);
    mlp_config ca, cb, cc, cd;

    (void)state;
    config_ok(a, 0, &ca);
    config_ok(b, 0, &cb);
    config_ok(c, 0, &cc);
    config_ok(d, 0, &cd);
    assert_string_equal(ca.dataset_key, cb.dataset_key);
    assert_string_not_equal(ca.dataset_key, cc.dataset_key);
    assert_string_not_equal(ca.dataset_key, cd.dataset_key);
    mlp_config_free(&ca);
    mlp_config_free(&cb);
    mlp_config_free(&cc);
    mlp_config_free(&cd);
    mlp_spec_free(a);
    mlp_spec_free(b);
    mlp_spec_free(c);
    mlp_spec_free(d);
}

/* ---- sweeps -------------------------------------------------------------- */

static void test_spec_load_example_sweep(void **state)
{
    const char *path = MLPLAB_TEST_SOURCE_DIR "/specs/circles_width_sweep.yaml";
    static const char *const want[] = {"3",  "5",  "10", "15", "20", "25",
                                       "30", "35", "40", "45", "50"};
    mlp_spec *spec = NULL;
    mlp_error err;
    mlp_config cfg;
    char hex[65];

    (void)state;
    assert_int_equal(mlp_spec_load(path, NULL, 0, &spec, &err), MLP_OK);
    mlp_sha256_hex(spec->text, spec->text_len, hex);
    assert_string_equal(spec->sha256, hex);
    assert_string_equal(spec->path, path);
    assert_true(spec->seed == 42);
    assert_int_equal(spec->n_axes, 2);
    assert_string_equal(spec->axes[0].path, "model.hidden");
    assert_int_equal(spec->axes[0].n, 11);
    assert_true(spec->axes[0].numeric);
    for (size_t i = 0; i < 11; i++) {
        assert_string_equal(spec->axes[0].labels[i], want[i]);
        assert_true(spec->axes[0].num[i] == atof(want[i]));
    }
    assert_int_equal(spec->axes[1].n, 2);
    assert_false(spec->axes[1].numeric);
    assert_null(spec->axes[1].num);
    assert_string_equal(spec->axes[1].labels[1], "tanh");
    assert_int_equal(spec->plan.n_runs, 22);
    assert_int_equal(mlp_spec_validate(spec, reg, &err), MLP_OK);
    /* row-major: the last axis varies fastest */
    config_ok(spec, 1, &cfg);
    assert_int_equal(cfg.hidden[0], 3);
    assert_string_equal(cfg.activation.plugin->h->name, "tanh");
    assert_int_equal(cfg.n_test, 200);
    mlp_config_free(&cfg);
    config_ok(spec, 2, &cfg);
    assert_int_equal(cfg.hidden[0], 5);
    assert_string_equal(cfg.activation.plugin->h->name, "sigmoid");
    mlp_config_free(&cfg);
    config_ok(spec, 21, &cfg);
    assert_int_equal(cfg.hidden[0], 50);
    assert_string_equal(cfg.activation.plugin->h->name, "tanh");
    mlp_config_free(&cfg);
    assert_int_equal(mlp_spec_config(spec, reg, 22, &cfg, &err), MLP_ERR_USAGE);
    mlp_spec_free(spec);
}

static void test_spec_sweep_ranges(void **state)
{
    const char *text = "name: t\ndataset: circles\nsweep:\n"
                       "  train.learning_rate: [0.1, {from: 0.5, to: 1.0, step: 0.25}]\n"
                       "  train.l2: [{from: 0.001, to: 1, num: 4, scale: log}]\n"
                       "  train.momentum: {from: 0, to: 0.5, num: 3}\n"
                       "  train.iterations: [{from: 30, to: 10, step: -10}]\n";
    mlp_spec *spec = parse_ok(text, NULL, 0);
    const mlp_sweep_axis *ax = spec->axes;

    (void)state;
    assert_int_equal(spec->n_axes, 4);
    assert_int_equal(ax[0].n, 4);
    assert_string_equal(ax[0].labels[0], "0.1");
    assert_string_equal(ax[0].labels[1], "0.5");
    assert_string_equal(ax[0].labels[2], "0.75");
    assert_string_equal(ax[0].labels[3], "1.0");
    assert_true(ax[0].numeric && ax[0].num[3] == 1.0);
    /* a range's values carry the range's place */
    assert_int_equal(ax[0].values[2]->line, 4);
    assert_int_equal(ax[0].values[2]->col, 30);
    assert_int_equal(ax[1].n, 4);
    assert_true(ax[1].num[0] == 0.001 && ax[1].num[3] == 1.0);
    assert_true(ax[1].num[1] > 0.00999999 && ax[1].num[1] < 0.01000001);
    assert_string_equal(ax[2].labels[1], "0.25");
    assert_string_equal(ax[3].labels[0], "30");
    assert_string_equal(ax[3].labels[2], "10");
    assert_int_equal(spec->plan.n_runs, 4 * 4 * 3 * 3);
    mlp_spec_free(spec);
}

static void test_spec_sweep_plugins_and_repeats(void **state)
{
    const char *text = "name: t\ndataset: circles\nmodel: {activation: leaky_relu}\nrepeats: 3\n"
                       "sweep:\n"
                       "  model.activation.slope: [0.1, 0.3]\n"
                       "  loss: [bce, {plugin: mse, reduction: sum}]\n"
                       "  dataset.noise: [0, 0.5]\n";
    mlp_spec *spec = parse_ok(text, NULL, 0);
    mlp_config cfg, other;
    mlp_error err;

    (void)state;
    assert_true(spec->dataset_swept);
    assert_string_equal(spec->axes[1].labels[1], "{plugin: mse, reduction: sum}");
    assert_false(spec->axes[1].numeric);
    assert_int_equal(spec->plan.n_runs, 2 * 2 * 2 * 3);
    assert_int_equal(mlp_spec_validate(spec, reg, &err), MLP_OK);
    /* run 17 = point (1, 0, 1), repeat 2 */
    config_ok(spec, 17, &cfg);
    assert_string_equal(cfg.activation.plugin->h->name, "leaky_relu");
    assert_true(param(&cfg.activation, "slope") == 0.3);
    assert_string_equal(cfg.loss.plugin->h->name, "bce");
    assert_true(param(&cfg.dataset, "noise") == 0.5);
    /* repeats share the configuration and the data */
    config_ok(spec, 15, &other);
    assert_string_equal(cfg.dataset_key, other.dataset_key);
    mlp_config_free(&other);
    config_ok(spec, 14, &other);
    assert_string_not_equal(cfg.dataset_key, other.dataset_key);
    mlp_config_free(&other);
    mlp_config_free(&cfg);
    config_ok(spec, 9, &cfg);
    assert_string_equal(cfg.loss.plugin->h->name, "mse");
    assert_true(param(&cfg.loss, "reduction") == 1.0);
    mlp_config_free(&cfg);
    mlp_spec_free(spec);
}

/* ---- --set ------------------------------------------------------------- */

static void test_spec_set_overrides(void **state)
{
    const char *text = "name: t\ndataset: circles\nmodel: {activation: leaky_relu}\n"
                       "train: {iterations: 100}\nsweep:\n  model.hidden: [1, 2]\n";
    const char *sets[] = {"train.iterations=500", "sweep.model.hidden=[4, 8, 16]",
                          "model.activation.slope=0.2", "record.loss_every=5",
                          "sweep.train.learning_rate={from: 0.1, to: 0.3, step: 0.1}",
                          "name=renamed"};
    mlp_spec *spec;
    mlp_config cfg;

    (void)state;
    /* a range on its own stands for its values, as in a list */
    spec = parse_ok(text, sets, 6);
    assert_int_equal(spec->axes[spec->n_axes - 1].n, 3);
    mlp_spec_free(spec);
    sets[4] = "sweep.train.learning_rate=[{from: 0.1, to: 0.3, step: 0.1}]";
    spec = parse_ok(text, sets, 6);
    assert_string_equal(spec->name, "renamed");
    assert_int_equal(spec->n_axes, 2);
    assert_string_equal(spec->axes[0].path, "model.hidden");
    assert_int_equal(spec->axes[0].n, 3);
    assert_string_equal(spec->axes[1].path, "train.learning_rate");
    assert_int_equal(spec->axes[1].n, 3);
    assert_string_equal(spec->axes[1].labels[2], "0.3");
    /* the new key's place is in the argument */
    assert_string_equal(spec->axes[1].key->file, "--set");
    assert_int_equal(spec->axes[1].key->col, 7);
    config_ok(spec, 8, &cfg);
    assert_int_equal(cfg.hidden[0], 16);
    assert_true(cfg.train.learning_rate == 0.3);
    assert_int_equal(cfg.train.iterations, 500);
    assert_int_equal(cfg.record.loss_every, 5);
    assert_string_equal(cfg.activation.plugin->h->name, "leaky_relu");
    assert_true(param(&cfg.activation, "slope") == 0.2);
    mlp_config_free(&cfg);
    mlp_spec_free(spec);
}

static void test_spec_set_promotes_and_creates(void **state)
{
    const char *sets[] = {"dataset.noise=0.3", "sweep.model.hidden=[4, 8]",
                          "record.boundary=true", "model.init=uniform", "train="};
    mlp_spec *spec = parse_ok(BASE "train:\n", sets, 5);
    mlp_config cfg;
    char *flow;

    (void)state;
    /* `dataset: circles` became {plugin: circles, noise: 0.3} */
    flow = mlp_node_to_flow(mlp_node_get(spec->root, "dataset"));
    assert_string_equal(flow, "{plugin: circles, noise: 0.3}");
    free(flow);
    assert_int_equal(spec->n_axes, 1);
    assert_int_equal(spec->plan.n_runs, 2);
    config_ok(spec, 1, &cfg);
    assert_true(param(&cfg.dataset, "noise") == 0.3);
    assert_int_equal(cfg.hidden[0], 8);
    assert_true(cfg.record.boundary);
    assert_int_equal(cfg.init, MLP_INIT_UNIFORM);
    assert_true(cfg.init_scale == 0.0);
    assert_int_equal(cfg.train.iterations, 1000);
    mlp_config_free(&cfg);
    mlp_spec_free(spec);
}

/* A --set on a swept key (or below one) would be overwritten by every run:
 * once it was ignored without a word; now a located error that shows the
 * override that works. */
static void test_spec_set_on_swept_key(void **state)
{
    const char *text = "name: t\ndataset: circles\nmodel: {hidden: 3}\n"
                       "sweep:\n  model.hidden: [3, 5]\n  dataset: [circles, xor]\n";
    static const struct {
        const char *set, *msg;
    } bad[] = {
        {"model.hidden=4", "--set:1:1: error: --set 'model.hidden=4' would be ignored: "
         "'model.hidden' is swept (x.yaml:5:3), and every run takes its value from the sweep; "
         "change the axis instead: --set 'sweep.model.hidden=[4]'"},
        {"model.hidden=[4,8]", "--set:1:1: error: --set 'model.hidden=[4,8]' would be ignored: "
         "'model.hidden' is swept (x.yaml:5:3), and every run takes its value from the sweep; "
         "change the axis instead: --set 'sweep.model.hidden=[4,8]'"},
    };
    const char *ok[] = {"sweep.model.hidden=[4, 8]", "model.hidden=4"};
    mlp_spec *spec = NULL;
    mlp_error err;
    char msg[2048];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mlp_error_clear(&err);
        assert_int_equal(mlp_spec_parse(text, strlen(text), "x.yaml", &bad[i].set, 1, &spec,
                                        &err), MLP_ERR_SPEC);
        mlp_error_format(&err, msg, sizeof(msg));
        assert_string_equal(msg, bad[i].msg);
    }
    /* the axis itself can be set; a key no longer swept can be set after that */
    spec = parse_ok(text, ok, 1);
    assert_int_equal(spec->axes[0].n, 2);
    mlp_spec_free(spec);
    const char *unswept[] = {"sweep={dataset: [circles, xor]}", "model.hidden=4",
                             "model.init=uniform"};
    spec = parse_ok(text, unswept, 3);
    assert_int_equal(spec->n_axes, 1);
    mlp_spec_free(spec);
}

/* The loss curve's default density: at most about 1000 points (once every
 * iteration: a 200 000-iteration sweep wrote 105 MB of loss values). */
static void test_spec_loss_every_default_bounded(void **state)
{
    static const struct {
        const char *iters;
        size_t loss_every, eval_every;
    } cases[] = {{"10", 1, 1}, {"1000", 1, 10}, {"1999", 1, 19}, {"2000", 2, 20},
                 {"200000", 200, 2000}};
    char text[256];
    mlp_config c;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(text, sizeof(text), "name: t\ndataset: circles\ntrain: {iterations: %s}\n",
                 cases[i].iters);
        mlp_spec *spec = parse_ok(text, NULL, 0);
        config_ok(spec, 0, &c);
        assert_int_equal(c.record.loss_every, cases[i].loss_every);
        assert_int_equal(c.record.eval_every, cases[i].eval_every);
        mlp_config_free(&c);
        mlp_spec_free(spec);
    }
    /* given, it is kept */
    mlp_spec *spec = parse_ok("name: t\ndataset: circles\ntrain: {iterations: 200000}\n"
                              "record: {loss_every: 1}\n", NULL, 0);
    config_ok(spec, 0, &c);
    assert_int_equal(c.record.loss_every, 1);
    mlp_config_free(&c);
    mlp_spec_free(spec);
}

static void test_spec_resolved_round_trip(void **state)
{
    const char *text = "name: t\ndataset: {plugin: circles, noise: 0.1}\n"
                       "model: {activation: leaky_relu}\ntrain: {learning_rate: 0.5}\n"
                       "sweep:\n  model.hidden: [2, 4]\n  dataset.noise: [0.2, 0.3]\n";
    mlp_spec *spec = parse_ok(text, NULL, 0), *again;
    mlp_config a, b;
    char *yaml;

    (void)state;
    yaml = mlp_spec_resolved(spec, reg);
    assert_non_null(yaml);
    assert_non_null(strstr(yaml, "  learning_rate: 0.5\n"));
    assert_non_null(strstr(yaml, "  iterations: 1000\n"));
    assert_non_null(strstr(yaml, "  activation:\n    plugin: leaky_relu\n    slope: 0.01\n"));
    assert_non_null(strstr(yaml, "loss:\n  plugin: bce\n  reduction: mean\n"));
    assert_non_null(strstr(yaml, "  noise: 0.1\n"));          /* base value of a swept key */
    assert_null(strstr(yaml, "  hidden: 3\n"));               /* swept, not in the base */
    assert_non_null(strstr(yaml, "  model.hidden: [2, 4]\n")); /* the sweep as written */
    assert_non_null(strstr(yaml, "extent: [-1.5, 1.5, -1.5, 1.5]"));
    /* it is itself a spec that resolves to the same runs */
    again = parse_ok(yaml, NULL, 0);
    assert_int_equal(again->plan.n_runs, 4);
    for (size_t k = 0; k < 4; k++) {
        config_ok(spec, k, &a);
        config_ok(again, k, &b);
        assert_string_equal(a.dataset_key, b.dataset_key);
        assert_int_equal(a.hidden[0], b.hidden[0]);
        assert_true(a.train.learning_rate == b.train.learning_rate);
        assert_true(param(&a.activation, "slope") == param(&b.activation, "slope"));
        mlp_config_free(&a);
        mlp_config_free(&b);
    }
    mlp_spec_free(again);
    free(yaml);
    mlp_spec_free(spec);
}

/* The training, stopping, init and recording keys: defaults, explicit values,
 * per-layer activations, and a resolved spec that reads back the same. */
static void test_spec_training_keys(void **state)
{
    const char *text =
        "name: t\ndataset: {plugin: circles, train: 100}\n"
        "model:\n  hidden: [4, 3]\n  activation: [tanh, {plugin: leaky_relu, slope: 0.3}]\n"
        "  init: {uniform: 0.25}\n"
        "train: {optimizer: momentum, nesterov: true, schedule: step, step_size: 50, gamma: 0.5,\n"
        "        power_t: 0.25, eta_min: 0.01, alpha: 1e-4, l1: 0.001, target_accuracy: 0.95,\n"
        "        tol: 1e-5, n_iter_no_change: 7, validation_fraction: 0.1, max_seconds: 30}\n"
        "record: {eval_every: 10, weights_every: 100, budget: 512MiB}\n";
    mlp_spec *spec = parse_ok(text, NULL, 0), *again;
    mlp_config c, d;
    char *yaml;

    (void)state;
    config_ok(spec, 0, &c);
    assert_true(c.act_list);
    assert_string_equal(c.layer_act[0].plugin->h->name, "tanh");
    assert_string_equal(c.layer_act[1].plugin->h->name, "leaky_relu");
    assert_true(param(&c.layer_act[1], "slope") == 0.3);
    assert_true(c.activation.plugin == c.layer_act[0].plugin);
    assert_int_equal(c.init, MLP_INIT_UNIFORM);
    assert_true(c.init_scale == 0.25);
    assert_int_equal(c.train.schedule, MLP_SCHED_STEP);
    assert_int_equal(c.train.step_size, 50);
    assert_true(c.train.gamma == 0.5 && c.train.power_t == 0.25 && c.train.eta_min == 0.01);
    assert_true(c.train.alpha == 1e-4 && c.train.l1 == 0.001);
    assert_true(c.train.target_accuracy == 0.95);
    assert_true(c.train.use_tol && c.train.tol == 1e-5);
    assert_int_equal(c.train.n_iter_no_change, 7);
    assert_true(c.train.validation_fraction == 0.1 && c.train.max_seconds == 30);
    assert_int_equal(c.record.eval_every, 10);
    assert_int_equal(c.record.weights_every, 100);
    assert_true(c.record.budget == 512u * 1048576u);

    yaml = mlp_spec_resolved(spec, reg);
    assert_non_null(yaml);
    assert_non_null(strstr(yaml, "  schedule: step\n"));
    assert_non_null(strstr(yaml, "  budget: 536870912\n"));
    again = parse_ok(yaml, NULL, 0);
    config_ok(again, 0, &d);
    assert_true(d.act_list);
    assert_string_equal(d.layer_act[1].plugin->h->name, "leaky_relu");
    assert_true(param(&d.layer_act[1], "slope") == 0.3);
    assert_true(d.init == c.init && d.init_scale == c.init_scale);
    assert_memory_equal(&c.train, &d.train, sizeof(c.train));
    assert_memory_equal(&c.record, &d.record, sizeof(c.record));
    mlp_config_free(&d);
    mlp_spec_free(again);
    free(yaml);
    mlp_config_free(&c);
    mlp_spec_free(spec);

    /* defaults: every rule off, eval_every = max(loss_every, iterations / 100) (1000 / 100
     * here), 1 GiB */
    spec = parse_ok("name: t\ndataset: circles\nmodel: {hidden: [2, 2], init: sklearn}\n"
                    "record: {loss_every: 4, budget: 2 GB}\n", NULL, 0);
    config_ok(spec, 0, &c);
    assert_false(c.act_list);
    assert_string_equal(c.layer_act[1].plugin->h->name, "sigmoid");
    assert_int_equal(c.init, MLP_INIT_SKLEARN);
    assert_int_equal(c.train.schedule, MLP_SCHED_CONSTANT);
    assert_true(c.train.power_t == 0.5 && c.train.gamma == 0.1 && c.train.eta_min == 0);
    assert_true(c.train.alpha == 0 && c.train.l1 == 0 && c.train.target_accuracy == 0);
    assert_false(c.train.use_tol);
    assert_true(c.train.tol == 1e-4);
    assert_int_equal(c.train.n_iter_no_change, 10);
    assert_true(c.train.validation_fraction == 0 && c.train.max_seconds == 0);
    assert_int_equal(c.record.eval_every, 10);
    assert_int_equal(c.record.weights_every, 0);
    assert_true(c.record.budget == 2000000000u);
    mlp_config_free(&c);
    yaml = mlp_spec_resolved(spec, reg);
    assert_non_null(strstr(yaml, "  tol: null\n"));
    assert_non_null(strstr(yaml, "  init: sklearn\n"));
    again = parse_ok(yaml, NULL, 0);
    config_ok(again, 0, &d);
    assert_false(d.train.use_tol);
    mlp_config_free(&d);
    mlp_spec_free(again);
    free(yaml);
    mlp_spec_free(spec);

    /* init aliases, and a swept list of per-layer activations */
    const char *names[] = {"xavier_uniform", "he_normal", "he_uniform", "xavier_normal"};
    const mlp_init_kind kinds[] = {MLP_INIT_XAVIER, MLP_INIT_HE, MLP_INIT_HE_UNIFORM,
                                   MLP_INIT_XAVIER_NORMAL};
    for (size_t i = 0; i < 4; i++) {
        char t[160];
        snprintf(t, sizeof(t), "name: t\ndataset: circles\nmodel: {init: %s}\n", names[i]);
        spec = parse_ok(t, NULL, 0);
        config_ok(spec, 0, &c);
        assert_int_equal(c.init, kinds[i]);
        mlp_config_free(&c);
        mlp_spec_free(spec);
    }
    spec = parse_ok("name: t\ndataset: circles\nmodel: {hidden: [2, 2]}\n"
                    "sweep:\n  model.activation: [[relu, tanh], relu]\n", NULL, 0);
    config_ok(spec, 0, &c);
    assert_string_equal(c.layer_act[0].plugin->h->name, "relu");
    assert_string_equal(c.layer_act[1].plugin->h->name, "tanh");
    mlp_config_free(&c);
    config_ok(spec, 1, &c);
    assert_string_equal(c.layer_act[1].plugin->h->name, "relu");
    mlp_config_free(&c);
    mlp_spec_free(spec);
}

/* ---- fuzzer findings (tests/fuzz/crashes/README.md) ------------------- */

/* A swept key's base value is checked, but need only resolve with the swept
 * keys the spec does not give filled in from some point of the sweep. */
static void test_spec_base_values_of_swept_keys(void **state)
{
    static const char *const ok[] = {
        /* complete only with a swept key */
        BASE "train: {schedule: step}\nsweep:\n  train.step_size: [10, 20]\n",
        /* valid with the second point's width only */
        BASE "model: {activation: [relu, tanh]}\nsweep:\n  model.hidden: [3, [4, 4]]\n"
             "  model.activation: [relu]\n",
        /* consistent as written, though no run has both */
        BASE "model: {hidden: [4, 4], activation: [relu, tanh]}\nsweep:\n"
             "  model.hidden: [3, 5]\n  model.activation: [relu, tanh]\n",
        /* null is no base value */
        BASE "train: {learning_rate: ~}\nsweep:\n  train.learning_rate: [0.1]\n",
    };
    char msg[2048];

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        mlp_status rc = load_and_validate(ok[i], strlen(ok[i]), NULL, msg, sizeof(msg));
        if (rc != MLP_OK)
            fail_msg("case %zu: unexpected error: %s", i, msg);
    }
    /* no point makes this base value valid: the first point's error */
    const char *bad = BASE "model: {activation: [relu, tanh]}\nsweep:\n  model.hidden: [3, 5]\n"
                           "  model.activation: [relu]\n";
    assert_int_equal(load_and_validate(bad, strlen(bad), NULL, msg, sizeof(msg)), MLP_ERR_SPEC);
    assert_string_equal(msg, "x.yaml:3:21: error: 'model.activation' lists 2 activations, but "
                             "'model.hidden' has 1 layer");
    /* the finding itself: accepted before, and `bogus: 1` landed in spec_resolved */
    bad = BASE "model: {activation: sigmoid}\nsweep:\n  model.activation: [sigmoid, tanh]\n";
    assert_int_equal(load_and_validate(bad, strlen(bad), "model.activation.bogus=1", msg,
                                       sizeof(msg)),
                     MLP_ERR_SPEC);
    assert_non_null(strstr(msg, "unknown key 'bogus'"));
    assert_int_equal(load_and_validate(bad, strlen(bad), "model.activation.bogus=~", msg,
                                       sizeof(msg)),
                     MLP_ERR_SPEC);
}

/* Parse text with one --set argument; its status and formatted message. */
static mlp_status parse_with_set(const char *text, const char *set, char *msg, size_t len)
{
    mlp_spec *spec = NULL;
    mlp_error err;
    mlp_status rc;

    mlp_error_clear(&err);
    rc = mlp_spec_parse(text, strlen(text), "x.yaml", &set, 1, &spec, &err);
    msg[0] = '\0';
    if (rc)
        mlp_error_format(&err, msg, len);
    else
        mlp_spec_free(spec);
    return rc;
}

static void test_spec_set_key_utf8(void **state)
{
    static const struct {
        const char *set, *want;
    } bad[] = {
        {"train.\x80=1", "--set:1:7: error: the key is not valid UTF-8 (byte 0x80)"},
        {"train.a\xc0\xaf=1", "--set:1:8: error: the key is not valid UTF-8 (byte 0xc0)"},
        {"train.\xe0\x80\xaf=1", "--set:1:7: error: the key is not valid UTF-8 (byte 0xe0)"},
        {"train.\xed\xbf\xbf=1", "--set:1:7: error: the key is not valid UTF-8 (byte 0xed)"},
        {"train.\xf4\x90\x80\x80=1", "--set:1:7: error: the key is not valid UTF-8 (byte 0xf4)"},
        {"train.\xf5\x80\x80\x80=1", "--set:1:7: error: the key is not valid UTF-8 (byte 0xf5)"},
        {"train.ab\xe2\x82=1", "--set:1:9: error: the key is not valid UTF-8 (byte 0xe2)"},
        {"a\xe2\x82", "--set:1:2: error: the key is not valid UTF-8 (byte 0xe2)"},
    };
    char msg[2048];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_not_equal(parse_with_set(BASE, bad[i].set, msg, sizeof(msg)), MLP_OK);
        assert_string_equal(msg, bad[i].want);
    }
    /* valid UTF-8 passes, to be judged as any key */
    assert_int_equal(parse_with_set(BASE, "train.\xc3\xa9t\xc3\xa9\xf0\x9f\x98\x80=1", msg,
                                    sizeof(msg)),
                     MLP_OK);
    assert_int_equal(load_and_validate(BASE, strlen(BASE), "train.\xc3\xa9t\xc3\xa9=1", msg,
                                       sizeof(msg)),
                     MLP_ERR_SPEC);
    assert_string_equal(msg, "--set:1:7: error: unknown key '\xc3\xa9t\xc3\xa9' in 'train'");
}

/* --set meets the nesting cap exactly where a spec file does. */
static void test_spec_set_depth_cap(void **state)
{
    char set[256], msg[2048];
    int n;

    (void)state;
    /* 32 parts and a scalar: 32 levels, the most there may be */
    n = snprintf(set, sizeof(set), "model");
    for (int i = 1; i < 32; i++)
        n += snprintf(set + n, sizeof(set) - (size_t)n, ".a");
    snprintf(set + n, sizeof(set) - (size_t)n, "=1");
    assert_int_equal(parse_with_set(BASE, set, msg, sizeof(msg)), MLP_OK);
    snprintf(set + n, sizeof(set) - (size_t)n, "=[]");
    assert_int_equal(parse_with_set(BASE, set, msg, sizeof(msg)), MLP_ERR_SPEC);
    assert_string_equal(msg, "--set:1:69: error: nesting deeper than 32 levels: a spec is "
                             "small plain data");
    /* 2 parts and 30 levels of value: 32 */
    n = snprintf(set, sizeof(set), "train.x=");
    for (int i = 0; i < 30; i++)
        set[n++] = '[';
    for (int i = 0; i < 30; i++)
        set[n++] = ']';
    set[n] = '\0';
    assert_int_equal(parse_with_set(BASE, set, msg, sizeof(msg)), MLP_OK);
    snprintf(set, sizeof(set), "train.x={a: [{b: [[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]}");
    assert_int_equal(parse_with_set(BASE, set, msg, sizeof(msg)), MLP_ERR_SPEC);
    assert_string_equal(msg, "--set:1:45: error: nesting deeper than 32 levels: a spec is "
                             "small plain data");
    /* a sweep key's path counts the same, placed at the key */
    n = snprintf(set, sizeof(set), "sweep.model");
    for (int i = 1; i < 33; i++)
        n += snprintf(set + n, sizeof(set) - (size_t)n, ".a");
    snprintf(set + n, sizeof(set) - (size_t)n, "=[1]");
    assert_int_equal(parse_with_set(BASE, set, msg, sizeof(msg)), MLP_ERR_SPEC);
    assert_string_equal(msg, "--set:1:7: error: nesting deeper than 32 levels: a spec is "
                             "small plain data");
}

/* Structural equality: kinds, sizes, texts, and the same typing (a string
 * may come back plain when plain text reads as the same string; a null, as
 * another spelling of null: the empty plain scalar is written "null"). */
static bool is_string(const mlp_node *n)
{
    bool b;
    double d;
    uint64_t u;

    return n->quoted || !(mlp_scalar_is_null(n) || mlp_scalar_bool(n, &b) ||
                          mlp_scalar_real(n, &d) || mlp_scalar_uint64(n, &u));
}

static bool same_tree(const mlp_node *a, const mlp_node *b)
{
    if (a->kind != b->kind || a->n != b->n)
        return false;
    if (a->kind == MLP_NODE_SCALAR) {
        if ((strcmp(a->text, b->text) == 0 && is_string(a) == is_string(b)) ||
            (mlp_scalar_is_null(a) && mlp_scalar_is_null(b)))
            return true;
        print_error("[%s] (%s) came back as [%s] (%s)\n", a->text,
                    is_string(a) ? "string" : "typed", b->text, is_string(b) ? "string" : "typed");
        return false;
    }
    for (size_t i = 0; i < a->n; i++)
        if (!same_tree(a->items[i], b->items[i]) ||
            (a->keys && !same_tree(a->keys[i], b->keys[i])))
            return false;
    return true;
}

/* Written as flow and as block YAML, a tree reads back as the same tree. */
static void check_reads_back(const mlp_node *root)
{
    char *texts[2] = {mlp_node_to_flow(root), mlp_node_to_yaml(root)};
    char msg[2048];

    for (size_t t = 0; t < 2; t++) {
        mlp_node *back = NULL;
        mlp_error err;
        assert_non_null(texts[t]);
        if (mlp_yaml_parse(texts[t], strlen(texts[t]), "back", &back, &err) != MLP_OK) {
            mlp_error_format(&err, msg, sizeof(msg));
            fail_msg("%s does not read back: %s\n%s", t ? "block" : "flow", msg, texts[t]);
        }
        if (!same_tree(root, back))
            fail_msg("%s reads back as another tree:\n%s", t ? "block" : "flow", texts[t]);
        mlp_node_free(back);
        free(texts[t]);
    }
}

static void test_spec_yaml_writer_round_trip(void **state)
{
    static const char *const tricky[] = {
        "", " ", "  lead", "trail ", " both ", "a  b", "\"", "'", "a\"b'c", "\\", "a\\nb",
        "\\x85", "tab\there", "\t", "line\nbreak", "\n", "\r\n", "cr\r", "\x01\x02\x1b\x1f",
        "\x7f", "del\x7f", "\xc2\x80", "a\xc2\x85" "b", "\xc2\x9f", "a\xc2\x8f" "b",
        "\xc2\xa0nbsp", "\xe2\x80\xa8ls", "\xe2\x80\xa9ps", "\xef\xbb\xbf" "bom",
        "\xef\xbf\xbe\xef\xbf\xbf", "\xef\xbf\xbd", "\xc3\xa9t\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac",
        "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "100", "-1.5e3", "+7", "0x1F", "0o17", "1e5",
        ".5", "1.", ".inf", "-.inf", ".nan", ".NaN", "true", "False", "TRUE", "null", "Null",
        "~", "yes", "no", "on", "1_000", "0b101", "- a", "-", "a: b", "a:b", "#x", "a #b",
        "[a]", "{a}", "a, b", "&a", "*a", "!tag", "%x", "@x", "`x", "?", "? x", ":", "|", ">",
        "---", "...", "a/b.c_d-e+f", "x y",
    };
    size_t n = sizeof(tricky) / sizeof(tricky[0]);
    mlp_node *root = mlp_node_new(MLP_NODE_MAP, "t", 1, 1);
    mlp_node *seq = mlp_node_new(MLP_NODE_SEQ, "t", 1, 1), *keys = NULL;
    char long_key[1500];
    char *flow;

    (void)state;
    assert_non_null(root);
    assert_non_null(seq);
    /* every string as a quoted and as a plain scalar, in a list; as a key
     * too (plain keys keep their text: "" and "null" both) */
    for (size_t i = 0; i < n; i++) {
        assert_true(mlp_node_append(seq, NULL, mlp_node_scalar(tricky[i], true, "t", 1, 1)));
        assert_true(mlp_node_append(seq, NULL, mlp_node_scalar(tricky[i], false, "t", 1, 1)));
        assert_true(mlp_node_append(root, mlp_node_scalar(tricky[i], i % 2, "t", 1, 1),
                                    mlp_node_scalar(tricky[i], true, "t", 1, 1)));
    }
    /* a key longer than libyaml's 1024-character implicit keys, with a map
     * value (block: on lines of its own) */
    memset(long_key, 'k', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    keys = mlp_node_new(MLP_NODE_MAP, "t", 1, 1);
    assert_true(mlp_node_append(keys, mlp_node_scalar("", false, "t", 1, 1),
                                mlp_node_scalar("empty", false, "t", 1, 1)));
    assert_true(mlp_node_append(keys, mlp_node_scalar(long_key, false, "t", 1, 1),
                                mlp_node_scalar("", false, "t", 1, 1)));
    assert_true(mlp_node_append(root, mlp_node_scalar(long_key, true, "t", 1, 1), keys));
    assert_true(mlp_node_append(root, mlp_node_scalar("list", false, "t", 1, 1), seq));
    check_reads_back(root);
    check_reads_back(seq);
    check_reads_back(keys);
    /* C1 controls and the Unicode line breaks are escaped, not copied */
    mlp_node *c1 = mlp_node_scalar("a\xc2\x85\xc2\x9f\xe2\x80\xa8\xc2\xa0\xc3\xa9", false, "t",
                                   1, 1);
    flow = mlp_node_to_flow(c1);
    assert_string_equal(flow, "\"a\\u0085\\u009F\\u2028\xc2\xa0\xc3\xa9\"");
    free(flow);
    mlp_node_free(c1);
    mlp_node_free(root);
}

/* Many sweep values: a million from one range (each value appended, the
 * array doubling), then a 100000-item list through the YAML reader. */
static void test_spec_sweep_many_values(void **state)
{
    const char *text = BASE "sweep:\n  train.l2: {from: 1, to: 1000000, step: 1}\n";
    mlp_spec *spec = parse_ok(text, NULL, 0);
    size_t cap = 100000 * 8 + 64, len;
    char *big = malloc(cap);

    (void)state;
    assert_int_equal(spec->axes[0].n, 1000000);
    assert_string_equal(spec->axes[0].labels[999999], "1000000");
    assert_int_equal(spec->plan.n_runs, 1000000);
    mlp_spec_free(spec);
    assert_non_null(big);
    len = (size_t)snprintf(big, cap, BASE "max_runs: 200000\nsweep:\n  train.l2: [0");
    for (int i = 1; i < 100000; i++)
        len += (size_t)snprintf(big + len, cap - len, ",%d", i);
    len += (size_t)snprintf(big + len, cap - len, "]\n");
    spec = parse_ok(big, NULL, 0);
    assert_int_equal(spec->axes[0].n, 100000);
    assert_string_equal(spec->axes[0].labels[99999], "99999");
    mlp_spec_free(spec);
    free(big);
}

/* Zipped keys share a plan axis; a grid key crosses them; the sweep is not a
 * plain grid then, but is without the zip. */
static void test_spec_zip_and_grid(void **state)
{
    const char *text = BASE "sweep:\n  model.hidden: [3, 5]\n  zip:\n"
                            "    train.learning_rate: [0.1, 0.2, 0.3]\n"
                            "    train.batch_size: [1, 2, 3]\n";
    mlp_spec *spec = parse_ok(text, NULL, 0);
    mlp_plan_run r;

    (void)state;
    assert_int_equal(spec->n_axes, 3);
    assert_int_equal(spec->plan.n_axes, 2);
    assert_int_equal(spec->plan.n_runs, 6);
    assert_int_equal(spec->n_zips, 1);
    assert_false(mlp_spec_is_grid(spec));
    assert_int_equal(spec->axes[1].role, MLP_SWEEP_ZIP);
    for (size_t k = 0; k < 6; k++) {
        mlp_plan_get(&spec->plan, k, &r);
        assert_string_equal(spec->axes[0].labels[mlp_spec_value_index(spec, 0, &r)],
                            k < 3 ? "3" : "5");
        size_t i = mlp_spec_value_index(spec, 1, &r);
        assert_int_equal(i, k % 3);
        assert_int_equal(mlp_spec_value_index(spec, 2, &r), i);
    }
    mlp_spec_free(spec);
    spec = parse_ok(BASE "sweep:\n  model.hidden: [3, 5]\n  train.l2: [0, 1]\n", NULL, 0);
    assert_true(mlp_spec_is_grid(spec));
    mlp_spec_free(spec);
}

/* Sample k's values depend on (seed, k) only: a search with more samples
 * starts with the same values; another seed draws others; the values keep
 * the distribution's bounds and kinds. */
static void test_spec_samples_grow(void **state)
{
    const char *text = BASE "seed: 4\nsweep:\n  model.hidden: [3, 5]\n  samples: 5\n"
                            "  train.l2: {distribution: log_uniform, low: 1e-4, high: 1e-2}\n"
                            "  model.activation: {distribution: choice, values: [relu, tanh]}\n"
                            "  train.batch_size: {distribution: int_uniform, low: 2, high: 9}\n";
    const char *more = "sweep.samples=9", *seed = "seed=5";
    mlp_spec *a = parse_ok(text, NULL, 0), *b = parse_ok(text, &more, 1);
    mlp_spec *c = parse_ok(text, &seed, 1);
    size_t differ = 0;

    (void)state;
    assert_int_equal(a->plan.kind, MLP_PLAN_RANDOM);
    assert_false(mlp_spec_is_grid(a));
    assert_int_equal(a->plan.n_runs, 10);
    assert_int_equal(b->plan.n_runs, 18);
    assert_int_equal(a->n_sampled, 3);
    for (size_t ax = 1; ax < 4; ax++) {
        assert_int_equal(a->axes[ax].role, MLP_SWEEP_SAMPLED);
        assert_int_equal(a->axes[ax].n, 5);
        for (size_t s = 0; s < 5; s++) {
            assert_string_equal(a->axes[ax].labels[s], b->axes[ax].labels[s]);
            differ += strcmp(a->axes[ax].labels[s], c->axes[ax].labels[s]) != 0;
        }
    }
    assert_true(differ >= 10);
    for (size_t s = 0; s < 5; s++) {
        assert_true(a->axes[1].num[s] >= 1e-4 && a->axes[1].num[s] <= 1e-2);
        assert_true(!strcmp(a->axes[2].labels[s], "relu") || !strcmp(a->axes[2].labels[s], "tanh"));
        assert_true(a->axes[3].num[s] >= 2 && a->axes[3].num[s] <= 9 &&
                    a->axes[3].num[s] == floor(a->axes[3].num[s]));
    }
    /* run k: sample k / 2, grid point k % 2 */
    for (size_t k = 0; k < 10; k++) {
        mlp_plan_run r;
        mlp_plan_get(&a->plan, k, &r);
        assert_int_equal(mlp_spec_value_index(a, 1, &r), k / 2);
        assert_int_equal(mlp_spec_value_index(a, 0, &r), k % 2);
    }
    mlp_spec_free(a);
    mlp_spec_free(b);
    mlp_spec_free(c);
}

/* ---- broken specs ----------------------------------------------------- */

#include "broken_specs.h"

static void test_spec_broken_table(void **state)
{
    char msg[2048];
    size_t n = sizeof(broken_specs) / sizeof(broken_specs[0]);

    size_t failed = 0;

    (void)state;
    /* report every mismatch, then fail once */
    for (size_t i = 0; i < n; i++) {
        const broken *b = &broken_specs[i];
        mlp_status rc = load_and_validate(b->text, strlen(b->text), b->set, msg, sizeof(msg));
        bool ok = rc == b->code;
        if (b->also)
            ok = ok && strncmp(msg, b->want, strlen(b->want)) == 0 && strstr(msg, b->also);
        else
            ok = ok && strcmp(msg, b->want) == 0;
        if (!ok) {
            print_error("case %zu: status %d, want %d\n got: %s\nwant: %s%s%s\n", i, rc,
                        b->code, msg, b->want, b->also ? " ... " : "", b->also ? b->also : "");
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

static void test_spec_broken_count(void **state)
{
    (void)state;
    assert_true(sizeof(broken_specs) / sizeof(broken_specs[0]) >= 25);
}

static void test_spec_depth_cap(void **state)
{
    char text[256], msg[1024];
    int n = snprintf(text, sizeof(text), BASE "description: ");

    (void)state;
    for (int i = 0; i < 33; i++)
        text[n++] = '[';
    for (int i = 0; i < 33; i++)
        text[n++] = ']';
    text[n++] = '\n';
    assert_int_equal(load_and_validate(text, (size_t)n, NULL, msg, sizeof(msg)), MLP_ERR_SPEC);
    /* the root mapping is level 1: the 32nd '[' opens level 33 */
    assert_string_equal(msg, "x.yaml:3:45: error: nesting deeper than 32 levels: a spec is "
                             "small plain data");
}

static void test_spec_size_cap(void **state)
{
    size_t len = MLP_SPEC_MAX_BYTES + 1;
    char *text = malloc(len + 1), msg[1024];
    const char *path = MLPLAB_TEST_BINARY_DIR "/spec_too_big.yaml";
    mlp_spec *spec = NULL;
    mlp_error err;
    FILE *f;

    (void)state;
    assert_non_null(text);
    memset(text, '#', len);
    memcpy(text, BASE, strlen(BASE));
    text[len] = '\0';
    assert_int_equal(load_and_validate(text, len, NULL, msg, sizeof(msg)), MLP_ERR_SPEC);
    assert_string_equal(msg, "x.yaml: error: 1048577 bytes is over the 1048576-byte cap: a spec "
                             "is small plain data");
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    assert_int_equal(mlp_spec_load(path, NULL, 0, &spec, &err), MLP_ERR_SPEC);
    mlp_error_format(&err, msg, sizeof(msg));
    assert_string_equal(msg + strlen(path),
                        ": error: the spec is over the 1048576-byte cap: a spec is small plain "
                        "data");
    remove(path);
    free(text);
    assert_int_equal(mlp_spec_load(MLPLAB_TEST_SOURCE_DIR "/specs/missing.yaml", NULL, 0, &spec,
                                   &err),
                     MLP_ERR_USAGE);
}

static void test_spec_fixture_error_names_file(void **state)
{
    const char *path = MLPLAB_TEST_SOURCE_DIR "/specs/bad_unknown_key.yaml";
    mlp_spec *spec = NULL;
    mlp_error err;
    char msg[2048], want[2048];

    (void)state;
    assert_int_equal(mlp_spec_load(path, NULL, 0, &spec, &err), MLP_OK);
    assert_int_equal(mlp_spec_validate(spec, reg, &err), MLP_ERR_SPEC);
    mlp_error_format(&err, msg, sizeof(msg));
    snprintf(want, sizeof(want), "%s:5:3: error: unknown key 'learnin_rate' in 'train' "
                                 "(did you mean 'learning_rate'?)", path);
    assert_string_equal(msg, want);
    mlp_spec_free(spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_tree_marks_and_flow),
        cmocka_unit_test(test_spec_scalar_typing),
        cmocka_unit_test(test_spec_tree_core_tags),
        cmocka_unit_test(test_spec_defaults),
        cmocka_unit_test(test_spec_explicit_values),
        cmocka_unit_test(test_spec_no_hidden_layer_and_boundary_off),
        cmocka_unit_test(test_spec_dataset_key),
        cmocka_unit_test(test_spec_load_example_sweep),
        cmocka_unit_test(test_spec_sweep_ranges),
        cmocka_unit_test(test_spec_sweep_plugins_and_repeats),
        cmocka_unit_test(test_spec_set_overrides),
        cmocka_unit_test(test_spec_set_promotes_and_creates),
        cmocka_unit_test(test_spec_set_on_swept_key),
        cmocka_unit_test(test_spec_loss_every_default_bounded),
        cmocka_unit_test(test_spec_resolved_round_trip),
        cmocka_unit_test(test_spec_training_keys),
        cmocka_unit_test(test_spec_broken_table),
        cmocka_unit_test(test_spec_broken_count),
        cmocka_unit_test(test_spec_depth_cap),
        cmocka_unit_test(test_spec_size_cap),
        cmocka_unit_test(test_spec_fixture_error_names_file),
        cmocka_unit_test(test_spec_base_values_of_swept_keys),
        cmocka_unit_test(test_spec_set_key_utf8),
        cmocka_unit_test(test_spec_set_depth_cap),
        cmocka_unit_test(test_spec_yaml_writer_round_trip),
        cmocka_unit_test(test_spec_sweep_many_values),
        cmocka_unit_test(test_spec_zip_and_grid),
        cmocka_unit_test(test_spec_samples_grow),
    };

    return cmocka_run_group_tests(tests, setup_registry, teardown_registry);
}
