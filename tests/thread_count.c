/* thread_count.c -- a preload library for test_runner: counts the threads a
 * process creates (every pthread_create, libgomp's included) and writes the
 * count to the file $MLPLAB_TEST_THREAD_COUNT names when the process exits.
 * Loaded with LD_PRELOAD into a runner that test_runner starts. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

static long created;

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
                   void *arg)
{
    create_fn next = (create_fn)dlsym(RTLD_NEXT, "pthread_create");

    if (!next)
        return 1;  /* EPERM: as if the system refused */
    __atomic_add_fetch(&created, 1, __ATOMIC_RELAXED);
    return next(thread, attr, start, arg);
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("MLPLAB_TEST_THREAD_COUNT");
    FILE *f = path ? fopen(path, "w") : NULL;

    if (f) {
        fprintf(f, "%ld\n", __atomic_load_n(&created, __ATOMIC_RELAXED));
        fclose(f);
    }
}
