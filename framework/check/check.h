/* check.h -- the plugin self-test behind `runner check-plugin`: descriptor and
 * parameter declarations, central-difference gradient checks, finite output,
 * determinism across calls and threads, in-place use, and dataset shapes.
 * Prints nothing: every check is reported as a structured line.
 * Owns the checks and their policy (check/internal.h); one file per plugin kind.
 * May use: base/, registry/, train/model.h. */
#ifndef MLPLAB_CHECK_H
#define MLPLAB_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "registry/registry.h"

typedef enum mlp_check_verdict {
    MLP_CHECK_PASS = 0,
    MLP_CHECK_FAIL = 1,
    MLP_CHECK_NOTE = 2       /* skipped or not claimed: neither a pass nor a failure */
} mlp_check_verdict;

/* One reported check.  Every pointer is owned by the checker and valid only
 * for the duration of the callback it is passed to. */
typedef struct mlp_check_line {
    const char *check;       /* what was checked: "descriptor", "parameter", "gradient",
                                "finite", "determinism", "threads", "inplace", "loss-gradient",
                                "predict", "generate", "stream", "load" */
    mlp_check_verdict verdict;
    const char *setting;     /* parameter setting, e.g. "slope=0.01"; "" without parameters */
    size_t points;           /* values checked (0 when the check is not numeric) */
    double max_abs;          /* worst absolute error over the points, NAN when not numeric */
    double max_rel;          /* worst relative error, NAN when not numeric */
    double at;               /* input (z or logit) of the worst error, NAN when none */
    const char *msg;         /* one or two sentences, with the numbers and the place, ready to
                                print: says what is wrong and where when the check fails */
} mlp_check_line;

typedef struct mlp_check_summary {
    size_t passed;
    size_t failed;
    size_t notes;
} mlp_check_summary;

/* Options; a zeroed struct (or NULL) means the defaults. */
typedef struct mlp_check_opts {
    /* "key=value" parameter settings (borrowed, n_sets of them): values as in a
     * spec (numbers, true/false, an enum's choice name, a string).  A set
     * parameter is held fixed; every other numeric parameter is still varied
     * over its range.  Needed for datasets that load (e.g. path=data.csv). */
    const char *const *sets;
    size_t n_sets;
    int threads;             /* threads of the concurrency check; 0 means 4 */
    double timeout;          /* seconds each check may take (it runs in a child process);
                                0 means 10 */
} mlp_check_opts;

/* Run every check that applies to pl's kind and report each through
 * line(ctx, l), in order.  *out (may be NULL) receives the counts.  Returns
 * MLP_OK when the checks ran, whatever they found; MLP_ERR_USAGE for a bad
 * `sets` entry (err names it); MLP_ERR_NOMEM. */
mlp_status mlp_check_plugin(const mlp_plugin *pl, const mlp_check_opts *opts,
                            void (*line)(void *ctx, const mlp_check_line *l), void *ctx,
                            mlp_check_summary *out, mlp_error *err);

/* Run fn(arg) in a child process for at most timeout seconds (0: 10), e.g. the
 * loading of a plugin whose entry function may crash.  Returns true when it
 * returned; otherwise why holds "crashed (SIGSEGV)", "did not return within
 * 10 s" or "exited with status 3". */
bool mlp_check_survives(void (*fn)(void *arg), void *arg, double timeout, char *why,
                        size_t why_len);

#endif
