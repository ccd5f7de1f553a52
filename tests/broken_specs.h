/* broken_specs.h -- the table of broken specs, each with the exact message
 * it must produce.  test_spec checks them through the library, test_runner
 * through the runner (exit status 2, message on stderr, nothing written).
 * Every text is parsed under the name "x.yaml". */
#ifndef MLPLAB_TEST_BROKEN_SPECS_H
#define MLPLAB_TEST_BROKEN_SPECS_H

#include "base/error.h"

#ifndef BASE
#define BASE "name: t\ndataset: circles\n"
#endif

typedef struct broken {
    const char *text;
    const char *set;     /* one --set argument, or NULL */
    mlp_status code;
    const char *want;    /* the formatted message, exactly, or its start when `also` is set */
    const char *also;    /* a substring the message must contain, or NULL */
} broken;

static const broken broken_specs[] = {
    {BASE "train: {lr: 0.1}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:9: error: unknown key 'lr' in 'train' (did you mean 'learning_rate'?)", NULL},
    {BASE "model: {init: {file: p.h5}}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:15: error: missing key 'run' in 'model.init' (a warm start names a results file "
     "and a run)", NULL},
    {BASE "model: {init: {fiel: p.h5, run: 1}}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:16: error: unknown key 'fiel' in 'model.init' (did you mean 'file'?)", NULL},
    {BASE "model: {hidden: [100000, 100000]}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:17: error: 'model.hidden' makes a model of 10000500001 parameters; at most "
     "100000000", NULL},
    {BASE "train:\n  learnin_rate: 0.5\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:3: error: unknown key 'learnin_rate' in 'train' (did you mean 'learning_rate'?)",
     NULL},
    {"nmae: t\ndataset: circles\n", NULL, MLP_ERR_SPEC,
     "x.yaml:1:1: error: unknown key 'nmae' at the top level (did you mean 'name'?)", NULL},
    {BASE "record: {boundary: {resolutoin: 10}}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:21: error: unknown key 'resolutoin' in 'record.boundary' (did you mean "
     "'resolution'?)", NULL},
    {BASE "model: {colour: red}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:9: error: unknown key 'colour' in 'model'", NULL},
    {BASE "train:\n  iterations: abc\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:15: error: expected an integer for 'train.iterations', got 'abc'", NULL},
    {BASE "train:\n  iterations: \"100\"\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:15: error: expected an integer for 'train.iterations', got the string \"100\" "
     "(quoted scalars are strings)", NULL},
    {BASE "train: {iterations: 2.5}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:21: error: expected an integer for 'train.iterations', got '2.5'", NULL},
    {BASE "train: {iterations: 0}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:21: error: 'train.iterations' must be between 1 and 1000000000, got 0", NULL},
    {BASE "train: {learning_rate: -1}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:24: error: 'train.learning_rate' must be > 0, got -1", NULL},
    {BASE "train: {momentum: 1}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:19: error: 'train.momentum' must be in [0, 1), got 1", NULL},
    {BASE "train: {l2: .nan}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:13: error: 'train.l2' must be a finite number, got .nan", NULL},
    {BASE "train: {nesterov: yes}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:19: error: expected true or false for 'train.nesterov', got 'yes'", NULL},
    {BASE "train: {optimizer: adamw}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:20: error: 'train.optimizer' must be one of gd, sgd, momentum, adam, got 'adamw' "
     "(did you mean 'adam'?)", NULL},
    {"name: t\ndataset: circles\nname: u\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:1: error: duplicate key 'name' (first given at line 1)", NULL},
    {"name: t\ndataset: &d circles\n", NULL, MLP_ERR_SPEC,
     "x.yaml:2:10: error: anchors and aliases are not allowed: a spec is plain data "
     "(anchor '&d')", NULL},
    {BASE "loss: *d\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:7: error: anchors and aliases are not allowed: a spec is plain data "
     "(alias '*d')", NULL},
    {"name: !shout t\ndataset: circles\n", NULL, MLP_ERR_SPEC,
     "x.yaml:1:7: error: tag '!shout' is not allowed: a spec uses only the core YAML types "
     "(!!str, !!int, !!float, !!bool, !!null, !!map, !!seq)", NULL},
    {"name: t\ndataset: [circles\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:1: error: YAML: did not find expected ',' or ']' while parsing a flow sequence "
     "at line 2", NULL},
    {"name: t\n  dataset: circles\n", NULL, MLP_ERR_SPEC, "x.yaml:2:10: error: YAML: ",
     "mapping values are not allowed"},
    {BASE "---\nname: u\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:1: error: a second YAML document: a spec is exactly one document", NULL},
    {BASE "? [a, b]\n: 1\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:3: error: a key must be a plain scalar, not a list", NULL},
    {"dataset: circles\n", NULL, MLP_ERR_SPEC, "x.yaml:1:1: error: missing required key 'name'",
     NULL},
    {"name: my run\ndataset: circles\n", NULL, MLP_ERR_SPEC,
     "x.yaml:1:7: error: name 'my run' may hold only letters, digits, '_', '.' and '-' "
     "(it names the results file)", NULL},
    {"name: t\n", NULL, MLP_ERR_SPEC, "x.yaml:1:1: error: missing required key 'dataset'", NULL},
    {"", NULL, MLP_ERR_SPEC,
     "x.yaml:1:1: error: the spec is empty: it needs at least 'name' and 'dataset'", NULL},
    {"- name: t\n", NULL, MLP_ERR_SPEC,
     "x.yaml:1:1: error: a spec is a mapping of keys (name, dataset, model, ...), not a list",
     NULL},
    {BASE "seed: -1\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:7: error: expected an unsigned 64-bit integer for 'seed', got '-1'", NULL},
    {BASE "seed: -0\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:7: error: expected an unsigned 64-bit integer for 'seed', got '-0'", NULL},
    {BASE "repeats: 0\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:10: error: 'repeats' must be between 1 and 1000000, got 0", NULL},
    {BASE "sweep:\n  model.hidden: []\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:17: error: sweep 'model.hidden' has an empty list of values", NULL},
    {BASE "sweep:\n  model.hidden: 3\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:17: error: sweep 'model.hidden' needs a list of values, e.g. [3, 5], a range {from, to, step} or a distribution {distribution: uniform, low, high}, got '3'",
     NULL},
    {BASE "sweep: [model.hidden]\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:8: error: expected a mapping of dotted keys to lists of values for 'sweep', "
     "got a list", NULL},
    {BASE "sweep:\n  model.hidden: [{from: 1, to: 5, step: 0}]\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:41: error: range step must not be zero", NULL},
    {BASE "sweep:\n  model.hidden: [{from: 1, to: 5, step: -1}]\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:41: error: range step -1 points away from 'to' (from 1 to 5)", NULL},
    {BASE "sweep:\n  train.l2: [{from: 0, to: 1, num: 3, scale: log}]\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:14: error: a log range needs from > 0 and to > 0, got from 0 to 1", NULL},
    {BASE "sweep:\n  train.l2: [{from: 0, to: 1, num: 0}]\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:36: error: 'num' must be between 1 and 1000000, got 0", NULL},
    {BASE "sweep:\n  train.l2: [{from: 0, to: 1, num: 2, step: 1}]\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:14: error: a range takes 'step' or 'num', not both", NULL},
    {BASE "sweep:\n  train.l2: [{from: 0, to: 1, stp: 1}]\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:31: error: unknown key 'stp' in a range of sweep 'train.l2' (did you mean "
     "'step'?)", NULL},
    {BASE "sweep:\n  train.learnin_rate: [0.1, 0.2]\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:3: error: unknown key 'learnin_rate' in 'train' (did you mean 'learning_rate'?)",
     NULL},
    {BASE "sweep:\n  modle.hidden: [1, 2]\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:3: error: sweep 'modle.hidden' names unknown key 'modle' (did you mean "
     "'model'?)", NULL},
    {BASE "sweep:\n  seed: [1, 2]\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:3: error: 'seed' cannot be swept (a sweep varies dataset, model, loss, train or "
     "record keys)", NULL},
    {BASE "sweep:\n  train.iterations.x: [1]\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:3: error: expected an integer for 'train.iterations', got a mapping", NULL},
    {"name: t\ndataset: circles\ntrain: {iterations: 1000}\nsweep:\n  train.iterations.x: [1]\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:5:3: error: cannot sweep 'train.iterations.x': 'train.iterations' is '1000', "
     "not a mapping", NULL},
    {BASE "sweep:\n  model.hidden: [4, 0, 8]\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:21: error: 'model.hidden' must be between 1 and 1000000, got 0", NULL},
    {BASE "model: {hidden: [4, 0]}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:21: error: 'model.hidden' must be between 1 and 1000000, got 0", NULL},
    {BASE "model: {hidden: {a: 1}}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:17: error: expected a width or a list of widths for 'model.hidden', got a "
     "mapping", NULL},
    {BASE "model: {init: {file: prior.h5, run: -3}}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:37: error: 'model.init.run' must be between 0 and 1000000, got -3", NULL},
    {BASE "record:\n  boundary: {extent: [1, -1, -1, 1]}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:22: error: 'record.boundary.extent' needs xmin < xmax and ymin < ymax, "
     "got [1, -1, -1, 1]", NULL},
    {BASE "record:\n  boundary: {extent: [0, 1, 0]}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:22: error: expected a list [xmin, xmax, ymin, ymax] for "
     "'record.boundary.extent', got a list", NULL},
    {BASE "record: {boundary: {resolution: 1}}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:33: error: 'record.boundary.resolution' must be between 2 and 4096, got 1",
     NULL},
    {"name: t\ndataset: circels\n", NULL, MLP_ERR_SPEC,
     "x.yaml:2:10: error: no dataset plugin 'circels'", "did you mean 'circles'?"},
    {BASE "model:\n  activation: {plugin: sigmod}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:24: error: no activation plugin 'sigmod'", "did you mean 'sigmoid'?"},
    {BASE "model:\n  activation: {slope: 0.1}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:15: error: missing key 'plugin' in 'model.activation'", NULL},
    {BASE "model:\n  activation: {plugin: leaky_relu, slop: 0.1}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:36: error: unknown key 'slop' in 'model.activation' (did you mean 'slope'?)",
     NULL},
    {BASE "model:\n  activation: {plugin: relu, alpha: 0.1}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:30: error: unknown key 'alpha' in 'model.activation' (activation plugin 'relu' "
     "takes no parameters)", NULL},
    {"name: t\ndataset: {plugin: circles, tain: 10}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:2:28: error: unknown key 'tain' in 'dataset' (did you mean 'train'?)", NULL},
    {"name: t\ndataset: {plugin: xor, noise: 0.7}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:2:31: error: 'dataset.noise' must be in [0, 0.5], got 0.7", NULL},
    {"name: t\ndataset: {plugin: circles, shuffle: 1}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:2:37: error: expected true or false for 'dataset.shuffle', got '1'", NULL},
    {"name: t\ndataset: {plugin: circles, train: 0}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:2:35: error: 'dataset.train' must be between 1 and 100000000, got 0", NULL},
    {BASE "loss: {plugin: bce, reduction: avg}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:32: error: 'loss.reduction' must be one of mean, sum, got 'avg'", NULL},
    {BASE "loss: 5\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:7: error: expected a plugin name or {plugin: name, ...} for 'loss', got '5'",
     NULL},
    /* schedules, penalties, stopping rules */
    {BASE "train: {schedule: cosin}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:19: error: 'train.schedule' must be one of constant, invscaling, step, cosine, "
     "got 'cosin' (did you mean 'cosine'?)", NULL},
    {BASE "train: {schedule: step}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:19: error: schedule 'step' needs 'train.step_size' (iterations between decays)",
     NULL},
    {BASE "train: {schedule: step, step_size: 0}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:36: error: 'train.step_size' must be between 1 and 1000000000, got 0", NULL},
    {BASE "train: {gamma: 0}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:16: error: 'train.gamma' must be > 0, got 0", NULL},
    {BASE "train: {power_t: -1}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:18: error: 'train.power_t' must be >= 0, got -1", NULL},
    {BASE "train: {eta_min: -0.1}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:18: error: 'train.eta_min' must be >= 0, got -0.1", NULL},
    {BASE "train: {alpha: -1}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:16: error: 'train.alpha' must be >= 0, got -1", NULL},
    {BASE "train: {l1: .inf}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:13: error: 'train.l1' must be a finite number, got .inf", NULL},
    {BASE "train: {target_accuracy: 0}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:26: error: 'train.target_accuracy' must be in (0, 1], got 0", NULL},
    {BASE "train: {target_accuracy: 1.5}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:26: error: 'train.target_accuracy' must be in (0, 1], got 1.5", NULL},
    {BASE "train: {tol: -1}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:14: error: 'train.tol' must be >= 0, got -1", NULL},
    {BASE "train: {n_iter_no_change: 0}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:27: error: 'train.n_iter_no_change' must be between 1 and 1000000000, got 0",
     NULL},
    {BASE "train: {n_iter_no_chance: 5}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:9: error: unknown key 'n_iter_no_chance' in 'train' (did you mean "
     "'n_iter_no_change'?)", NULL},
    {BASE "train: {validation_fraction: 1}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:30: error: 'train.validation_fraction' must be in [0, 1), got 1", NULL},
    {"name: t\ndataset: {plugin: circles, train: 5}\ntrain: {validation_fraction: 0.9}\n", NULL,
     MLP_ERR_SPEC,
     "x.yaml:3:30: error: 'train.validation_fraction' 0.9 holds out all 5 training points",
     NULL},
    {BASE "train: {validation_frac: 0.1}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:9: error: unknown key 'validation_frac' in 'train' (did you mean "
     "'validation_fraction'?)", NULL},
    {BASE "train: {max_seconds: 0}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:22: error: 'train.max_seconds' must be > 0, got 0", NULL},
    /* per-layer activations and init */
    {BASE "model: {hidden: [4, 4], activation: [relu]}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:37: error: 'model.activation' lists 1 activation, but 'model.hidden' has 2 "
     "layers", NULL},
    {BASE "model: {hidden: 3, activation: [relu, tanh]}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:32: error: 'model.activation' lists 2 activations, but 'model.hidden' has 1 "
     "layer", NULL},
    {BASE "model: {hidden: [], activation: [relu]}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:33: error: 'model.activation' lists 1 activation, but 'model.hidden' has 0 "
     "layers", NULL},
    {BASE "model: {hidden: [4, 4], activation: [relu, {plugin: leaky_relu, slop: 1}]}\n", NULL,
     MLP_ERR_SPEC,
     "x.yaml:3:65: error: unknown key 'slop' in 'model.activation[1]' (did you mean 'slope'?)",
     NULL},
    {BASE "model: {hidden: [4, 4], activation: [relu, sigmod]}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:44: error: no activation plugin 'sigmod'", "did you mean 'sigmoid'?"},
    {BASE "model: {init: xavier_norm}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:15: error: 'model.init' must be one of xavier, xavier_uniform, xavier_normal, "
     "he, he_normal, he_uniform, uniform, sklearn, got 'xavier_norm' (did you mean "
     "'xavier_normal'?)", NULL},
    {BASE "model: {init: {uniform: 0}}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:25: error: 'model.init.uniform' must be > 0, got 0", NULL},
    {BASE "model: {init: {unifrom: 0.1}}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:16: error: unknown key 'unifrom' in 'model.init' (did you mean 'uniform'?)",
     NULL},
    {BASE "model: {init: {}}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:15: error: expected an init name or {uniform: a} for 'model.init', got a "
     "mapping", NULL},
    /* recording */
    {BASE "record: {eval_every: 0}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:22: error: 'record.eval_every' must be between 1 and 1000000000, got 0", NULL},
    {BASE "record: {eval_evry: 5}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:10: error: unknown key 'eval_evry' in 'record' (did you mean 'eval_every'?)",
     NULL},
    {BASE "record: {weights_every: -1}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:25: error: 'record.weights_every' must be between 0 and 1000000000, got -1",
     NULL},
    {BASE "record: {budget: 1 GiBs}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:18: error: expected a size in bytes (an integer, or a number with a unit: "
     "512MiB, 2 GB) for 'record.budget', got '1 GiBs'", NULL},
    {BASE "record: {budget: \"1GiB\"}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:18: error: expected a size in bytes (an integer, or a number with a unit: "
     "512MiB, 2 GB) for 'record.budget', got the string \"1GiB\" (quoted scalars are strings)",
     NULL},
    {BASE "record: {budget: 0}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:3:18: error: 'record.budget' must be between 1 byte and 8 EiB, got 0", NULL},
    /* --set */
    {BASE, "train.iterations", MLP_ERR_USAGE,
     "error: --set 'train.iterations': expected KEY=VALUE, e.g. --set train.iterations=500",
     NULL},
    {BASE, "=5", MLP_ERR_USAGE, "error: --set '=5': expected KEY=VALUE, e.g. --set "
                                "train.iterations=500", NULL},
    {BASE, "train..l2=5", MLP_ERR_USAGE, "error: --set 'train..l2=5': empty part in the key path",
     NULL},
    {BASE, "train.iterations=abc", MLP_ERR_SPEC,
     "--set:1:18: error: expected an integer for 'train.iterations', got 'abc'", NULL},
    {BASE, "train.learnin_rate=0.5", MLP_ERR_SPEC,
     "--set:1:7: error: unknown key 'learnin_rate' in 'train' (did you mean 'learning_rate'?)",
     NULL},
    {BASE, "sweep.model.hidden=[4, 8", MLP_ERR_SPEC, "--set:1:25: error: YAML: did not find "
     "expected ',' or ']' while parsing a flow sequence at line 1", NULL},
    {BASE, "model.hidden.x=1", MLP_ERR_SPEC,
     "--set:1:7: error: expected a width or a list of widths for 'model.hidden', got a mapping",
     NULL},
    {BASE "model: {hidden: 3}\n", "model.hidden.x=1", MLP_ERR_SPEC,
     "--set:1:7: error: cannot set 'model.hidden.x': 'model.hidden' is '3', not a mapping",
     NULL},
    /* a --set key is checked as a spec file is: valid UTF-8 ... */
    {BASE, "train.\xc4=1", MLP_ERR_SPEC,
     "--set:1:7: error: the key is not valid UTF-8 (byte 0xc4)", NULL},
    {BASE, "train.l\xc3\xa9\xed\xa0\x80=1", MLP_ERR_SPEC,
     "--set:1:10: error: the key is not valid UTF-8 (byte 0xed)", NULL},
    /* ... and nesting is capped: the key's parts and the value's depth (the
     * 33rd part, or the value's 31st '[' under a 2-part key, opens level 33) */
    {BASE, "model.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a=1", MLP_ERR_SPEC,
     "--set:1:69: error: nesting deeper than 32 levels: a spec is small plain data", NULL},
    {BASE, "train.x=[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", MLP_ERR_SPEC,
     "--set:1:39: error: nesting deeper than 32 levels: a spec is small plain data", NULL},
    {BASE "sweep:\n  model.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a: [1]\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:3: error: nesting deeper than 32 levels: a spec is small plain data", NULL},
    /* the base value of a swept key is checked too (it is what the resolved
     * spec shows), though every run overrides it */
    {BASE "model: {activation: sigmoid}\nsweep:\n  model.activation: [sigmoid, tanh]\n",
     "model.activation.bogus=1", MLP_ERR_SPEC,
     "--set:1:18: error: unknown key 'bogus' in 'model.activation' (activation plugin "
     "'sigmoid' takes no parameters)", NULL},
    {BASE "train: {learning_rate: fast}\nsweep:\n  train.learning_rate: [0.1, 0.2]\n", NULL,
     MLP_ERR_SPEC, "x.yaml:3:24: error: expected a number for 'train.learning_rate', got 'fast'",
     NULL},
    {BASE "record: {boundary: {resolution: 1}}\nsweep:\n  record.boundary: [false]\n", NULL,
     MLP_ERR_SPEC,
     "x.yaml:3:33: error: 'record.boundary.resolution' must be between 2 and 4096, got 1",
     NULL},
    /* random and Sobol search, zipped keys (issue 14) */
    {BASE "sweep:\n  samples: 4\n  train.l2: {distribution: uniform, low: 0.5, high: 0.1}\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:5:53: error: the uniform distribution of sweep 'train.l2' needs low < high, got "
     "low 0.5, high 0.1", NULL},
    {BASE "sweep:\n  samples: 4\n  train.l2: {distribution: int_uniform, low: 3, high: 3}\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:5:55: error: the int_uniform distribution of sweep 'train.l2' needs low < high, "
     "got low 3, high 3", NULL},
    {BASE "sweep:\n  samples: 4\n  train.l2: {distribution: log_uniform, low: 0, high: 0.1}\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:5:46: error: the log_uniform distribution of sweep 'train.l2' needs low > 0 (a "
     "logarithm), got low 0", NULL},
    {BASE "sweep:\n  samples: 4\n  train.l2: {distribution: log_uniform, low: -1, high: 0.1}\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:5:46: error: the log_uniform distribution of sweep 'train.l2' needs low > 0 (a "
     "logarithm), got low -1", NULL},
    {BASE "sweep:\n  samples: 4\n  train.l2: {distribution: log_unifrom, low: 1, high: 2}\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:5:28: error: unknown distribution 'log_unifrom' for sweep 'train.l2' (did you "
     "mean 'log_uniform'?) (known: uniform, log_uniform, int_uniform, normal, choice, "
     "constant)", NULL},
    {BASE "sweep:\n  samples: 4\n  model.activation: {distribution: choise, values: [relu]}\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:5:36: error: unknown distribution 'choise' for sweep 'model.activation' (did you "
     "mean 'choice'?) (known: uniform, log_uniform, int_uniform, normal, choice, constant)",
     NULL},
    {BASE "sweep:\n  samples: 4\n  train.l2: {distribution: uniform, lo: 0, high: 1}\n", NULL,
     MLP_ERR_SPEC,
     "x.yaml:5:37: error: unknown key 'lo' in the uniform distribution of sweep 'train.l2' "
     "(did you mean 'low'?)", NULL},
    {BASE "sweep:\n  samples: 3\n  train.l2: {distribution: normal, mean: 0, std: 0}\n", NULL,
     MLP_ERR_SPEC,
     "x.yaml:5:50: error: the normal distribution of sweep 'train.l2' needs std > 0, got 0",
     NULL},
    {BASE "sweep:\n  samples: 3\n  model.hidden: {distribution: int_uniform, low: 1.5, high: 3}\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:5:50: error: int_uniform of sweep 'model.hidden' needs an integer low, got 1.5",
     NULL},
    {BASE "sweep:\n  samples: 3\n  model.activation: {distribution: choice, values: [relu, tanh], "
          "weights: [1]}\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:5:75: error: the choice of sweep 'model.activation' has 2 values but 1 weight",
     NULL},
    {BASE "sweep:\n  samples: 3\n  train.l2: [{distribution: uniform, low: 0, high: 1}]\n", NULL,
     MLP_ERR_SPEC,
     "x.yaml:5:14: error: sweep 'train.l2': a distribution stands alone, not in a list", NULL},
    {BASE "max_runs: 10\nsweep:\n  model.hidden: [2, 3]\n  samples: 6\n"
          "  train.l2: {distribution: uniform, low: 0, high: 1}\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:6:12: error: sweep: 6 samples of 2 runs each make 12 runs, over the limit of 10 "
     "(raise max_runs to allow more)", NULL},
    {BASE "max_runs: 10\nsweep:\n  samples: 6\n  train.l2: {distribution: uniform, low: 0, high: 1}\n",
     "sweep.samples=11", MLP_ERR_SPEC,
     "--set:1:15: error: sweep: 11 samples of 1 run each make 11 runs, over the limit of 10 "
     "(raise max_runs to allow more)", NULL},
    {BASE "sweep:\n  train.l2: {distribution: uniform, low: 0, high: 1}\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:3: error: sweep 'train.l2' has a distribution, so the sweep needs 'samples' "
     "(how many points to draw, e.g. samples: 20)", NULL},
    {BASE "sweep:\n  samples: 3\n  model.hidden: [2]\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:3: error: sweep.samples needs a key with a distribution to draw, e.g. train.l2: "
     "{distribution: log_uniform, low: 1e-5, high: 1e-2}", NULL},
    {BASE "sweep:\n  samples: 3\n  method: sobl\n  train.l2: {distribution: uniform, low: 0, "
          "high: 1}\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:5:11: error: 'sweep.method' must be one of random, sobol, got 'sobl' (did you "
     "mean 'sobol'?)", NULL},
    {BASE "sweep:\n  method: sobol\n  model.hidden: [2]\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:3: error: sweep.method goes with sweep.samples (a random or Sobol search)", NULL},
    {BASE "sweep:\n  smaples: 3\n", NULL, MLP_ERR_SPEC,
     "x.yaml:4:3: error: sweep 'smaples' names unknown key 'smaples' (did you mean "
     "'samples'?)", NULL},
    {BASE "sweep:\n  zip:\n    train.learning_rate: [0.1, 0.2]\n    train.batch_size: [1, 2, 3]\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:6:23: error: zipped lists must have equal lengths: 'train.batch_size' has 3 "
     "values, 'train.learning_rate' has 2", NULL},
    {BASE "sweep:\n  zip:\n    - {train.learning_rate: [0.1, 0.2], train.batch_size: [1, 2]}\n"
          "    - {model.hidden: [2], train.l2: [0, 1]}\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:6:37: error: zipped lists must have equal lengths: 'train.l2' has 2 values, "
     "'model.hidden' has 1", NULL},
    {BASE "sweep:\n  model.hidden: [2, 3]\n  zip: {model.hidden: [4, 5], train.l2: [0, 1]}\n",
     NULL, MLP_ERR_SPEC, "x.yaml:5:9: error: sweep key 'model.hidden' is given twice", NULL},
    {BASE "sweep:\n  zip: {train.l2: {distribution: uniform, low: 0, high: 1}}\n", NULL,
     MLP_ERR_SPEC,
     "x.yaml:4:19: error: zipped key 'train.l2' needs a list of values; a distribution goes "
     "directly under sweep", NULL},
    {BASE "sweep:\n  zip: {train.l2: [0, 1], model.hidden: [2, 3]}\n", "train.l2=0.5",
     MLP_ERR_SPEC,
     "--set:1:1: error: --set 'train.l2=0.5' would be ignored: 'train.l2' is zipped "
     "(x.yaml:4:9), and every run takes its value from the zip group; change the group "
     "instead", NULL},
    /* successive halving (issue 14) */
    {BASE "sweep:\n  model.hidden: [2, 3]\n  halving: {min_iterations: 10}\n", NULL,
     MLP_ERR_SPEC,
     "x.yaml:5:12: error: sweep.halving ranks runs by test_accuracy, but run 0 has no test set "
     "(dataset.test is 0): give dataset.test, or rank by train_loss or train_accuracy", NULL},
    {BASE "sweep:\n  model.hidden: [2, 3]\n  halving: {min_iterations: 10, metric: "
          "validation_accuracy}\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:5:41: error: sweep.halving ranks runs by validation_accuracy, but run 0 holds out "
     "no validation points (train.validation_fraction is 0)", NULL},
    {"name: t\ndataset: {plugin: circles, test: 50}\nsweep:\n  model.hidden: [2, 3]\n"
     "  halving: {min_iterations: 10, metric: test_acuracy}\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:5:41: error: 'sweep.halving.metric' must be one of test_accuracy, test_loss, "
     "validation_accuracy, train_accuracy, train_loss, got 'test_acuracy' (did you mean "
     "'test_accuracy'?)", NULL},
    {BASE "train: {iterations: 100}\nsweep:\n  model.hidden: [2, 3]\n"
          "  halving: {min_iterations: 100, metric: train_loss}\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:6:29: error: sweep.halving: min_iterations must be between 1 and "
     "train.iterations - 1 (99), got 100", NULL},
    {BASE "sweep:\n  train.iterations: [10, 20]\n  halving: {min_iterations: 5, metric: "
          "train_loss}\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:4:3: error: 'train.iterations' cannot be swept with sweep.halving: every run's "
     "full budget is train.iterations, the last rung", NULL},
    {BASE "train: {iterations: 90}\nsweep:\n  model.hidden: [2, 3]\n"
          "  halving: {min_iterations: 10, metric: train_loss, brackets: 4}\n",
     NULL, MLP_ERR_SPEC,
     "x.yaml:6:63: error: sweep.halving: brackets must be between 1 and 3 (the rungs), got 4",
     NULL},
    {BASE "sweep:\n  model.hidden: [2, 3]\n  halving: {min_iteration: 10}\n", NULL,
     MLP_ERR_SPEC,
     "x.yaml:5:13: error: unknown key 'min_iteration' in 'sweep.halving' (did you mean "
     "'min_iterations'?)", NULL},
};

#endif
