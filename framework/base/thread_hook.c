/* thread_hook.c -- see thread_hook.h. */
#include <stdbool.h>

#include "base/thread_hook.h"

static void (*g_hook)(void);
static _Thread_local bool t_started;

void mlp_thread_hook_set(void (*fn)(void))
{
    g_hook = fn;
}

void mlp_thread_started(void)
{
    if (t_started)
        return;
    t_started = true;
    if (g_hook)
        g_hook();
}
