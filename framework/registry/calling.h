/* calling.h -- which plugin function this thread is inside, kept so that a
 * fatal signal's note can name it (sweep/fault.c reads it, cli/ writes the
 * note).  The code that calls a plugin (train/, sweep/) brackets the call
 * with mlp_calling_enter and mlp_calling_leave: two thread-local stores,
 * cheap beside any plugin call, and readable from a signal handler on the
 * same thread (no lock, no allocation).  May use: mlplab/plugin.h. */
#ifndef MLPLAB_REGISTRY_CALLING_H
#define MLPLAB_REGISTRY_CALLING_H

/* The plugin function under way on this thread: desc is the descriptor whose
 * function was called (the mlp_*_desc, as the registry's mlp_plugin.d holds
 * it; NULL when no plugin function is under way), fn the function's name in
 * the ABI ("forward", "backward", "loss", "predict", "generate", "load",
 * "describe"), a string literal. */
typedef struct mlp_plugin_call {
    const void *desc;
    const char *fn;
} mlp_plugin_call;

extern _Thread_local mlp_plugin_call mlp_calling;

static inline void mlp_calling_enter(const void *desc, const char *fn)
{
    mlp_calling.desc = desc;
    mlp_calling.fn = fn;
}

static inline void mlp_calling_leave(void)
{
    mlp_calling.desc = 0;
    mlp_calling.fn = 0;
}

#endif
