/* mlplab/plugin.h -- the plugin ABI: what an activation, loss or dataset plugin
 * exports and what the host promises it.  A plugin includes only this header,
 * libc and libm.
 *
 * Rules (ABI v1):
 *  - A plugin shared object exports exactly one symbol, MLP_PLUGIN_ENTRY_NAME.
 *    The host calls it with the ABI version it speaks; the plugin returns a
 *    pointer to a static const descriptor, or NULL and sets *why to a static
 *    string saying why it refuses.
 *  - Every descriptor starts with mlp_plugin_header.  The host accepts a
 *    descriptor when abi_major equals the host's, abi_minor is <= the host's,
 *    and size covers every field the host reads for that kind and minor.
 *    Adding fields at the end of a struct bumps the minor; any other change
 *    bumps the major.
 *  - Numbers are double throughout.  The host owns every buffer; a plugin keeps
 *    no state, allocates nothing, prints nothing, and is called from many
 *    threads at once: every function is pure in its inputs and parameters.
 *  - Parameters are declared in the descriptor (name, type, default, bounds).
 *    The host binds YAML keys to them, checks types and bounds, and passes an
 *    array of values in declaration order (param[i] belongs to params[i]).
 */
#ifndef MLPLAB_PLUGIN_H
#define MLPLAB_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MLP_ABI_MAJOR 1
#define MLP_ABI_MINOR 1

/* The one symbol a plugin exports. */
#define MLP_PLUGIN_ENTRY_NAME "mlplab_plugin_entry"

#if defined(__GNUC__)
#define MLP_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define MLP_PLUGIN_EXPORT
#endif

typedef enum mlp_plugin_kind {
    MLP_KIND_ACTIVATION = 1,
    MLP_KIND_LOSS = 2,
    MLP_KIND_DATASET = 3
} mlp_plugin_kind;

typedef enum mlp_param_type {
    MLP_PARAM_REAL = 1,   /* double in [min, max] */
    MLP_PARAM_INT = 2,    /* integer-valued double in [min, max] */
    MLP_PARAM_BOOL = 3,   /* 0 or 1 (YAML true/false) */
    MLP_PARAM_ENUM = 4,   /* index into choices, passed as a double (0, 1, ...) */
    MLP_PARAM_STRING = 5  /* a string (e.g. a file path); num is 0 */
} mlp_param_type;

/* One declared parameter.  All strings are static, owned by the plugin. */
typedef struct mlp_param_decl {
    const char *name;       /* YAML key: [a-z][a-z0-9_]*, unique in the plugin */
    mlp_param_type type;
    double def;             /* default (REAL, INT, BOOL, ENUM index) */
    double min, max;        /* inclusive bounds (REAL, INT); ignored otherwise */
    const char *help;       /* one line, shown by `runner plugins` */
    const char *choices;    /* ENUM: "mean|sum"; NULL otherwise */
    const char *def_str;    /* STRING: default, or NULL when the key is required */
} mlp_param_decl;

/* A bound parameter value, in declaration order.  Owned by the host, valid
 * for the duration of the call it is passed to. */
typedef struct mlp_param_value {
    double num;             /* REAL, INT, BOOL, ENUM */
    const char *str;        /* STRING (UTF-8, NUL-terminated); NULL otherwise */
} mlp_param_value;

/* Head of every descriptor. */
typedef struct mlp_plugin_header {
    uint32_t size;          /* sizeof the whole descriptor, as built */
    uint16_t abi_major;     /* MLP_ABI_MAJOR the plugin was built against */
    uint16_t abi_minor;     /* MLP_ABI_MINOR the plugin was built against */
    uint32_t kind;          /* mlp_plugin_kind */
    const char *name;       /* [a-z][a-z0-9_]*; should match the file name */
    const char *version;    /* the plugin's own version, e.g. "1.0.0" */
    const char *help;       /* one line */
    uint32_t n_params;
    const mlp_param_decl *params; /* n_params entries, static */
} mlp_plugin_header;

/* ---- activation ------------------------------------------------------- */

/* flags: in-place use the plugin supports */
#define MLP_ACT_FORWARD_INPLACE 0x1u  /* forward may be called with a == z */
#define MLP_ACT_BACKWARD_INPLACE 0x2u /* backward may be called with dz == da */

typedef struct mlp_activation_desc {
    mlp_plugin_header h;    /* kind = MLP_KIND_ACTIVATION */
    uint32_t flags;         /* MLP_ACT_* */
    /* a[i] = f(z[i]) for i < n.  z: (n) input, a: (n) output. */
    void (*forward)(const double *z, double *a, size_t n, const mlp_param_value *p);
    /* dz[i] = f'(z[i]) * da[i] for i < n, where a = f(z) as forward computed
     * it; f' may use z or a, whichever is cheaper or more accurate. */
    void (*backward)(const double *z, const double *a, const double *da, double *dz,
                     size_t n, const mlp_param_value *p);
} mlp_activation_desc;

/* ---- loss -------------------------------------------------------------- */

/* flags */
#define MLP_LOSS_MULTICLASS 0x1u /* output width = number of classes (else 1) */

typedef struct mlp_loss_desc {
    mlp_plugin_header h;    /* kind = MLP_KIND_LOSS */
    uint32_t flags;         /* MLP_LOSS_* */
    /* Loss over n samples of k outputs each (k = 1 for binary losses).
     * logits: (n, k) row-major pre-activations of the output layer.
     * y: (n) labels, 0 .. classes-1 as doubles.
     * dlogits: (n, k) out, gradient of the returned loss w.r.t. logits, or NULL.
     * Returns the loss as the plugin's reduction defines it (mean unless a
     * parameter says otherwise); dlogits is consistent with that value.
     * Fused with the link: finite for every finite logit. */
    double (*loss)(const double *logits, const double *y, double *dlogits, size_t n, size_t k,
                   const mlp_param_value *p);
    /* prob: (n, k) out, the link applied to logits: for k == 1 the model's
     * P(y = 1); the host predicts class 1 where prob >= 0.5. */
    void (*predict)(const double *logits, double *prob, size_t n, size_t k,
                    const mlp_param_value *p);
} mlp_loss_desc;

/* ---- dataset ----------------------------------------------------------- */

/* A stream of random numbers the host hands to a dataset plugin.  Each call
 * advances the stream; the same stream always yields the same numbers. */
typedef struct mlp_rng_api {
    void *state;                        /* owned by the host */
    uint64_t (*next_u64)(void *state);  /* uniform 64-bit */
    double (*uniform)(void *state);     /* uniform in [0, 1), 53 bits */
    double (*normal)(void *state);      /* standard normal */
} mlp_rng_api;

typedef struct mlp_dataset_desc {
    mlp_plugin_header h;    /* kind = MLP_KIND_DATASET */
    uint32_t dim;           /* input dimension */
    uint32_t classes;       /* number of classes (labels 0 .. classes-1) */
    double extent[4];       /* default plotting extent: xmin, xmax, ymin, ymax */
    /* Generate n points from rng: x (n, dim) row-major, y (n) labels.
     * Deterministic in (rng stream, n, p).  Returns 0, or -1 with a static
     * reason in *why. */
    int (*generate)(const mlp_rng_api *rng, size_t n, double *x, double *y,
                    const mlp_param_value *p, const char **why);

    /* ---- ABI 1.1: datasets read from a source (a file) ------------------
     * A dataset plugin has `generate`, or `describe` and `load` (and then
     * `generate` may be NULL and dim/classes above may be 0: describe gives
     * them).  A generating dataset whose shape depends on its parameters
     * (e.g. a number of spiral arms = classes) may also give `describe`,
     * without `load`: the host then takes dim and classes from it and
     * ignores *rows.  A STRING parameter named `path` holds a file path, which the
     * host resolves relative to the spec file before the call.  Both
     * functions are deterministic in p (and the file's bytes).  On failure
     * they return -1 and write a message of at most why_len bytes, including
     * the terminating NUL, to why, e.g. "data.csv:12: expected 5 numbers, got 4". */

    /* The source's shape: rows (points), input dimension, classes. */
    int (*describe)(const mlp_param_value *p, size_t *rows, uint32_t *dim, uint32_t *classes,
                    char *why, size_t why_len);
    /* Read every row: x (rows, dim) row-major, y (rows) labels 0 .. classes-1,
     * with rows and dim as describe gave them. */
    int (*load)(const mlp_param_value *p, size_t rows, uint32_t dim, double *x, double *y,
                char *why, size_t why_len);
} mlp_dataset_desc;

/* Size of a dataset descriptor built against ABI 1.0 (before describe/load). */
#define MLP_DATASET_DESC_SIZE_1_0 offsetof(mlp_dataset_desc, describe)

/* The entry point every plugin exports:
 *   MLP_PLUGIN_EXPORT const mlp_plugin_header *
 *   mlplab_plugin_entry(uint32_t host_major, uint32_t host_minor, const char **why);
 * Return &desc.h of a static const descriptor, or NULL with *why set. */
typedef const mlp_plugin_header *(*mlp_plugin_entry_fn)(uint32_t host_major,
                                                        uint32_t host_minor,
                                                        const char **why);

/* Convenience for plugin authors: define the entry for a descriptor `d`.
 * Write `MLP_DEFINE_PLUGIN(desc);` at file scope: the expansion ends in a
 * declaration, so the semicolon is not an empty declaration (-Wpedantic). */
#define MLP_DEFINE_PLUGIN(d)                                                        \
    MLP_PLUGIN_EXPORT const mlp_plugin_header *mlplab_plugin_entry(                 \
        uint32_t host_major, uint32_t host_minor, const char **why);                \
    const mlp_plugin_header *mlplab_plugin_entry(uint32_t host_major,               \
                                                 uint32_t host_minor, const char **why) \
    {                                                                               \
        if (host_major != MLP_ABI_MAJOR) {                                          \
            *why = "plugin built for a different ABI major version";                \
            return NULL;                                                            \
        }                                                                           \
        (void)host_minor;                                                           \
        return &(d).h;                                                              \
    }                                                                               \
    const mlp_plugin_header *mlplab_plugin_entry(uint32_t host_major,               \
                                                 uint32_t host_minor, const char **why)

#ifdef __cplusplus
}
#endif
#endif
