/* fault.c -- what each worker is doing, for the note a fatal signal leaves:
 * the run it trains and the plugin function it is inside (registry/calling.h),
 * read back by mlp_sweep_fault_note with nothing but memory reads, so that
 * cli/'s signal handler may call it.  The state lives here, beside the
 * executor that sets it; the handler that writes the note lives in cli/. */
#include "sweep/internal.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "registry/calling.h"

/* This thread's run, and its settings (whose plugins name the descriptor
 * under way); run SIZE_MAX: none.  fault_set says the fields hold. */
static _Thread_local struct {
    int set;
    size_t run;
    const mlp_config *cfg;
} fault_here;

/* The sweep under way, for threads without a run of their own (the spare
 * threads inside a run's kernels): its registry (every loaded plugin, for a
 * descriptor's file), and the one run under way when there is only one. */
static const mlp_registry *volatile fault_reg;
static volatile size_t fault_active;
static volatile size_t fault_last_run;
static const mlp_config *volatile fault_last_cfg;

void mlp_sweep_fault_begin(const mlp_registry *reg)
{
    fault_reg = reg;
    fault_active = 0;
}

void mlp_sweep_fault_end(void)
{
    fault_reg = NULL;
}

void mlp_sweep_fault_enter(size_t k, const mlp_config *cfg)
{
    fault_here.run = k;
    fault_here.cfg = cfg;
    fault_here.set = 1;
#pragma omp critical(mlplab_fault)
    {
        fault_active++;
        fault_last_run = k;
        fault_last_cfg = cfg;
    }
}

void mlp_sweep_fault_leave(void)
{
    fault_here.set = 0;
    fault_here.cfg = NULL;
#pragma omp critical(mlplab_fault)
    fault_active--;
}

/* ---- the note: appended piece by piece, never past cap ----------------- */

typedef struct note {
    char *buf;
    size_t len, cap;
} note;

static void put(note *n, const char *s)
{
    while (s && *s && n->len + 1 < n->cap)
        n->buf[n->len++] = *s++;
    n->buf[n->len] = '\0';
}

static void put_size(note *n, size_t v)
{
    char d[24];
    size_t i = sizeof(d) - 1;

    d[i] = '\0';
    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v && i > 0);
    put(n, d + i);
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    default: return "a fatal signal";
    }
}

/* The plugin of cfg (or, failing that, of the registry) whose descriptor is
 * desc, and what it is there ("activation of hidden layer 2"). */
static const mlp_plugin *find_plugin(const mlp_config *cfg, const void *desc, const char **role,
                                     size_t *layer)
{
    *role = NULL;
    if (cfg) {
        for (size_t l = 0; l < (cfg->n_hidden ? cfg->n_hidden : 1); l++)
            if (cfg->layer_act[l].plugin && (const void *)cfg->layer_act[l].plugin->d.act == desc) {
                *role = "activation";
                *layer = l;
                return cfg->layer_act[l].plugin;
            }
        if (cfg->loss.plugin && (const void *)cfg->loss.plugin->d.loss == desc)
            return cfg->loss.plugin;
        if (cfg->dataset.plugin && (const void *)cfg->dataset.plugin->d.data == desc)
            return cfg->dataset.plugin;
    }
    const mlp_registry *reg = fault_reg;
    const mlp_plugin *pl = NULL;
    size_t n = reg ? mlp_registry_loaded(reg, 0, &pl) : 0;
    for (size_t i = 0; i < n; i++) {
        mlp_registry_loaded(reg, i, &pl);
        if ((const void *)pl->h == desc)
            return pl;
    }
    return NULL;
}

static const char *kind_word(uint32_t kind)
{
    return kind == MLP_KIND_ACTIVATION ? "activation" : kind == MLP_KIND_LOSS ? "loss"
         : kind == MLP_KIND_DATASET    ? "dataset"    : "plugin";
}

size_t mlp_sweep_fault_note(int sig, char *buf, size_t cap)
{
    note n = {buf, 0, cap};
    size_t run = SIZE_MAX, layer = 0;
    const mlp_config *cfg = NULL;
    const void *desc = mlp_calling.desc;
    const char *fn = mlp_calling.fn, *role;

    if (!cap)
        return 0;
    buf[0] = '\0';
    if (fault_here.set) {
        run = fault_here.run;
        cfg = fault_here.cfg;
    } else if (fault_reg && fault_active == 1) {  /* a spare thread inside the one run */
        run = fault_last_run;
        cfg = fault_last_cfg;
    }
    put(&n, "runner: ");
    put(&n, signal_name(sig));
    if (run != SIZE_MAX) {
        put(&n, " in run ");
        put_size(&n, run);
    }
    if (desc) {
        const mlp_plugin *pl = find_plugin(cfg, desc, &role, &layer);
        const mlp_plugin_header *h = desc;
        put(&n, run != SIZE_MAX ? ", in " : " in ");
        put(&n, fn);
        put(&n, " of ");
        put(&n, kind_word(h->kind));
        put(&n, " plugin '");
        put(&n, pl ? pl->name : h->name);
        put(&n, "'");
        if (role) {
            put(&n, " (hidden layer ");
            put_size(&n, layer);
            put(&n, ")");
        }
        if (pl) {
            put(&n, " from ");
            put(&n, pl->path);
        }
    } else if (cfg) {
        /* no plugin function under way: the host's code, or a plugin's
         * through a path not marked; name the run's plugins all the same */
        put(&n, ", outside any plugin call (its plugins: activation ");
        put(&n, cfg->layer_act[0].plugin ? cfg->layer_act[0].plugin->path : "?");
        put(&n, ", loss ");
        put(&n, cfg->loss.plugin ? cfg->loss.plugin->path : "?");
        put(&n, ", dataset ");
        put(&n, cfg->dataset.plugin ? cfg->dataset.plugin->path : "?");
        put(&n, ")");
    } else {
        put(&n, " outside any run and any plugin call");
    }
    return n.len;
}
