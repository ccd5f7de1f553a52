/* internal.h -- what the files of the plugin self-test share: the policy and
 * its numbers, the checker's state, and the functions one file gives another.
 * Private to check/; check.h is the public side. */
#ifndef MLPLAB_CHECK_INTERNAL_H
#define MLPLAB_CHECK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/check.h"

/*
 * Policy, in one place:
 *  - Gradients are central differences with step h = 1e-6 max(1, |z|), taken
 *    as the exact difference of the rounded points.  A point passes when
 *    |numeric - analytic| <= 1e-5 max(1, |numeric|, |analytic|) + noise, where
 *    noise = 16 eps max|f| / h is the rounding error the difference quotient
 *    itself carries (it only matters where |f| is large next to f', e.g.
 *    softplus with a tiny beta).
 *  - A kink is a point where the one-sided slopes (f(z) - f(z-h)) / h and
 *    (f(z+h) - f(z)) / h disagree by more than that tolerance.  There the
 *    central difference means nothing; the point is skipped and reported, and
 *    the analytic derivative only has to lie between the two one-sided slopes
 *    (any subgradient: relu'(0) = 0 passes, a slope of 1 left of a leaky
 *    relu's kink does not).  More than 10% kinks fails: the function is not
 *    smooth enough at step h to be checked at all.
 *  - Finite input must give finite output.  NaN always fails.  Inf fails for
 *    losses (the ABI promises finite losses for finite logits); for an
 *    activation's forward or backward it is accepted only where the function
 *    demonstrably grows faster than z^2 (|f| at the previous, smaller test
 *    magnitude of the same sign already exceeds its square): exp-like
 *    functions overflow as the math does, a rectifier that overflows is a bug.
 *  - Threads: each thread computes over its own inputs (the same inputs in
 *    every thread would hide a shared buffer: every thread would write the
 *    same values into it) and compares bytes with the single-threaded result.
 *    A pass cannot prove thread safety; a failure proves its absence.
 */

#define TOL 1e-5              /* relative tolerance of a gradient check, floor 1 */
#define STEP 1e-6             /* h = STEP * max(1, |z|) */
#define NOISE_ULPS 16.0       /* rounding noise of a difference quotient, in eps |f| / h */
#define KINK_SHARE 0.10       /* more kinks than this share of the points fails */
#define N_RANDOM 200          /* pseudo-random inputs in [-10, 10] */
#define THREAD_N 32768        /* values per thread in the concurrency check */
#define THREAD_REPS 8         /* calls per thread */
#define DEFAULT_THREADS 4
#define DEFAULT_TIMEOUT 10.0  /* seconds a check may take in its child */
#define CANARY 4              /* guard values past each output buffer */
#define MSG_LEN 2048
#define SET_LEN 256
#define MAX_LISTED 4          /* kinks named in a message */
#define CHECK_SEED 0x636865636bull /* "check": inputs are the same in every run */

/* A parameter setting: values in declaration order and how to print them. */
typedef struct setting {
    mlp_param_value *v;       /* n_params values, into checker.values */
    char text[SET_LEN];       /* "slope=0.01", "" without parameters */
} setting;

/* The shared page a check's child marks each plugin call in, for the parent
 * to name the call that crashed or hung.  The strings are literals of the
 * checker: the same address in both processes. */
#define MAX_GUARDED 8
typedef struct probe {
    volatile int in_call;        /* 1 from the call's start to its return */
    volatile int done;           /* the check returned */
    const char *volatile fn;     /* "forward", "backward", "loss", "generate", ... */
    const char *volatile var;    /* the input's name ("z", "logit"), NULL for none */
    volatile double z;           /* the call's first input */
    volatile size_t n;           /* the call's length */
    volatile int faulted;        /* a SIGSEGV/SIGBUS was caught: its address */
    volatile uintptr_t fault_addr;
    int guard_at_start;          /* the guard pages are before the buffers */
    size_t n_bufs;               /* guard-page buffers in use */
    struct {
        char name[16];
        uintptr_t p;
        size_t n;
    } buf[MAX_GUARDED];
} probe;

/* A buffer of n doubles against a PROT_NONE page (isolate.c). */
typedef struct gbuf {
    void *map;
    size_t len;
    double *p;
} gbuf;

typedef struct checker {
    const mlp_plugin *pl;
    probe *probe;             /* the shared page, in a check's child; NULL in the parent */
    double timeout;           /* seconds a check may take */
    uint32_t np;
    void (*line)(void *ctx, const mlp_check_line *l);
    void *ctx;
    mlp_check_summary sum;
    int threads;
    size_t n_sets;            /* parameters given by the caller (--set) */
    bool fixed[MLP_MAX_PARAMS]; /* parameter i given by --set: not varied */
    setting *set;             /* set[0]: the base setting (defaults and --set) */
    size_t n_set;
    mlp_param_value *values;  /* n_set * np */
    char msg[MSG_LEN];
} checker;

/* Magnitudes of the finite-output check (compare.c), in increasing order. */
#define N_MAGS ((size_t)3)
extern const double mlp_extreme_mags[N_MAGS];

/* First failure of a finite-output check, for the message. */
typedef struct finite_acc {
    bool failed;
    char what[MSG_LEN / 2];   /* the first failure, as a sentence */
    char overflow[256];       /* an accepted overflow, for the message */
    size_t points;
} finite_acc;

/* The first mismatch a thread saw. */
typedef struct thread_diff {
    size_t count;
    size_t index;
    int what;                 /* which output: an index into the caller's names */
    double got, want, at;
} thread_diff;

/* What a gradient check found over many points. */
typedef struct grad_acc {
    size_t points, checked, fails, kinks, kink_fails;
    size_t neg, pos, neg_fails, pos_fails;
    double max_abs, max_rel, at;  /* over the points checked (not kinks) */
    double worst;                 /* largest error / tolerance of a failing point */
    double w_z, w_ana, w_num, w_abs, w_rel, w_lo, w_hi;
    bool w_kink;
    double rmin, rmax;            /* analytic / numeric over failing points */
    size_t n_ratio;
    double kink_z[MAX_LISTED];
} grad_acc;

/* isolate.c: each check in a child process, with a time limit */
typedef mlp_status (*mlp_check_fn)(checker *c, const void *arg, mlp_error *err);
/* Run fn(c, arg, err) in a child; its lines are reported here.  A child that
 * crashes, stops or outlives c->timeout is reported as a FAIL of `check`,
 * naming the plugin call it died in.  Returns fn's status (or a fork error). */
mlp_status mlp_check_isolated(checker *c, const char *check, mlp_check_fn fn, const void *arg,
                              mlp_error *err);
/* Mark a call of the plugin's fn on inputs in[0..n) of name var (NULL: none). */
void mlp_probe_enter(checker *c, const char *fn, const char *var, const double *in, size_t n);
void mlp_probe_leave(checker *c);
/* n doubles ending at (or, at_start, starting after) a PROT_NONE page, named
 * in a crash report; NULL when out of memory.  mlp_guard_free forgets every
 * buffer's name: free them together. */
double *mlp_guard_alloc(checker *c, gbuf *g, const char *name, size_t n, bool at_start);
void mlp_guard_free(checker *c, gbuf *g);

/* report.c: messages and lines */
/* c->msg = the formatted text; mlp_check_add appends to it. */
void mlp_check_say(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mlp_check_add(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mlp_check_emit(checker *c, const char *check, mlp_check_verdict v, const char *setting,
                    size_t points, double max_abs, double max_rel, double at);
void mlp_check_emit_plain(checker *c, const char *check, mlp_check_verdict v,
                          const char *setting);
const char *mlp_check_in_setting(const setting *s, char *buf, size_t len);

/* compare.c: canaries, byte comparison, finite series, threads */
void mlp_canary_set(double *p, size_t n);
bool mlp_canary_ok(const double *p, size_t n);
size_t mlp_diff_first(const double *a, const double *b, size_t n);
size_t mlp_diff_count(const double *a, const double *b, size_t n);
/* v[j] at inputs sign * mags[j] (mags ascending, n of them) */
void mlp_finite_series(finite_acc *f, const char *fn, const char *var, double sign,
                       const double *mags, const double *v, size_t n, bool may_overflow,
                       const char *set);
/* a and b equal, or within rounding (1e-12 relative); NaN equals NaN */
bool mlp_close(double a, double b);
void mlp_diff_note(thread_diff *t, const double *got, const double *want, const double *at,
                   size_t n, int what);
void mlp_threads_report(checker *c, const thread_diff *td, int nt, size_t per_call,
                        const char *const *names, const char *var, const char *calls,
                        const char *shapes); /* shapes: appended to a pass, or NULL */

/* gradient.c: the gradient comparison */
void mlp_grad_init(grad_acc *g);
bool mlp_grad_point(grad_acc *g, double z, double zp, double zm, double f0, double fp,
                    double fm, double ana);
void mlp_grad_diagnose(checker *c, const grad_acc *g, const char *var, size_t terms);
void mlp_grad_kinks(checker *c, const grad_acc *g, const char *var);

/* params.c: parameter settings */
void mlp_check_value_text(const mlp_param_decl *d, const mlp_param_value *v, char *buf,
                          size_t len);
mlp_status mlp_check_apply_sets(const mlp_plugin *pl, const mlp_check_opts *o,
                                mlp_param_value *base, bool *fixed, mlp_error *err);
mlp_status mlp_check_make_settings(checker *c, const mlp_param_value *base,
                                   const bool *fixed, bool vary, mlp_error *err);

/* descriptor.c */
/* The descriptor and each parameter declaration, checked as the loader does
 * and described. */
void mlp_check_descriptor(checker *c);
mlp_status mlp_check_activation(checker *c, mlp_error *err);
mlp_status mlp_check_loss(checker *c, mlp_error *err);
mlp_status mlp_check_dataset(checker *c, mlp_error *err);

#endif
