/* thread_hook.h -- one process-wide function that every thread the library
 * starts for a sweep (the workers, the file builder) calls first.  The
 * runner sets it to prepare each thread's heap (cli/heap.c); a program that
 * links the modules may leave it unset.  Set it before a sweep starts. */
#ifndef MLPLAB_BASE_THREAD_HOOK_H
#define MLPLAB_BASE_THREAD_HOOK_H

void mlp_thread_hook_set(void (*fn)(void));
/* Called first in a thread the library started: the hook, once a thread
 * (a pooled OpenMP thread may pass here at every run), nothing when unset. */
void mlp_thread_started(void);

#endif
