/* thread_hook.c -- see thread_hook.h. */
#include "base/thread_hook.h"

static void (*g_hook)(void);

void mlp_thread_hook_set(void (*fn)(void))
{
    g_hook = fn;
}

void mlp_thread_started(void)
{
    if (g_hook)
        g_hook();
}
