/* heap.c -- the runner's heap: arenas that keep what they free, on
 * transparent huge pages where the kernel grants them on request.
 *
 * Why: the first write to a fresh 4 kB page is a fault, and on a virtual
 * machine a fault can cost far more than the page (bench/fault_cost.c: 10 us
 * a page on the test VM, 0.2 us once huge pages back the memory).  A sweep
 * allocates a little everywhere: HDF5's free lists in the builder, each run's
 * grids and records.  glibc gives threads arenas of their own, hands blocks
 * above 128 kB to mmap and returns freed memory to the kernel, so a run's
 * buffers were fresh pages again for the next run.  Measured on the
 * tutorial-size sweep (bench/README.md, "Huge pages for the heap"): about
 * 2 400 faults at -j2, a fifth of the process's time at 1 iteration.
 *
 * The policy is the runner's (process-wide settings), not the library's: a
 * program linking the modules keeps its own allocator settings.  Under
 * AddressSanitizer, whose allocator is not glibc's, it does nothing. */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE, sbrk */
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/thread_hook.h"
#include "cli/cli.h"

#if defined(MADV_HUGEPAGE) && !defined(__SANITIZE_ADDRESS__)
#define HEAP_POLICY 1
#endif

/* The first thread's heap: grown once by HEAP_HUGE (address space only; a
 * 2 MB page becomes memory when first touched).  The tutorial sweep's heap
 * peaks at 9 MB, 10 000 tiny runs' at 40 MB. */
#define HEAP_HUGE ((size_t)64 << 20)
#define HEAP_FIRST ((size_t)8 << 20)
/* Every later growth of a heap, at least: a huge page needs its whole 2 MB
 * inside the heap's mapped part, which glibc's 128 kB steps reach late. */
#define HEAP_STEP ((size_t)8 << 20)
/* glibc's heap for a thread other than the first: this much address space,
 * aligned to its size (HEAP_MAX_SIZE on 64-bit systems). */
#define THREAD_HEAP ((uintptr_t)64 << 20)
#define HUGE_PAGE ((uintptr_t)2 << 20)

#ifdef HEAP_POLICY
static pthread_t g_main;        /* the thread that set the policy up */
static uintptr_t g_main_lo;     /* where the first thread's heap was grown */
static void *_Atomic g_skipped; /* the blocks heap_thread keeps, chained */

/* A thread the sweep started: its arena's heap on huge pages. */
static void heap_thread(void)
{
    if (pthread_equal(pthread_self(), g_main))
        return;  /* the first thread's heap, prepared already */
    char *p = malloc(1); /* picks the thread's arena; a new one is empty */
    uintptr_t at = (uintptr_t)p;

    if (!p || (at >= g_main_lo && at < (uintptr_t)sbrk(0))) {
        free(p);  /* it shares the first thread's heap */
        return;
    }
    uintptr_t base = at & ~(THREAD_HEAP - 1);
    (void)madvise((void *)base, THREAD_HEAP, MADV_HUGEPAGE);
    /* The heap's first 2 MB has 4 kB pages already (glibc wrote its header
     * there), and a huge page only fills an untouched 2 MB: take the rest of
     * it as one block that is never used (address space, not memory), so
     * that the thread's blocks start on the next one.  Kept in a list that
     * stays reachable. */
    size_t gap = base + HUGE_PAGE - at;
    void **keep = gap > 4096 && gap < HUGE_PAGE ? malloc(gap - 64) : NULL;
    free(p);
    if (keep) {
        void *old = atomic_load(&g_skipped);
        do
            *keep = old;
        while (!atomic_compare_exchange_weak(&g_skipped, &old, (void *)keep));
    }
}
#endif

void mlp_cli_heap_policy(void)
{
#ifdef HEAP_POLICY
    /* Blocks up to 32 MB (glibc's ceiling) from the heaps, and nothing
     * handed back: a finished run's memory serves the next run, mapped. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, INT32_MAX);
    /* Grow the first heap once by HEAP_HUGE (a block larger than the little
     * heap at start, plus the padding malloc adds to a growth), mark that
     * stretch for huge pages, and give it back to malloc: later blocks are
     * carved from it.  malloc writes only the block's header. */
    mallopt(M_TOP_PAD, (int)(HEAP_HUGE - HEAP_FIRST));
    char *p = malloc(HEAP_FIRST);
    mallopt(M_TOP_PAD, (int)HEAP_STEP);
    if (!p)
        return;
    char *end = sbrk(0);
    uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t hi = (uintptr_t)end & ~(HUGE_PAGE - 1);
    if (end != (char *)-1 && hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE); /* refused: 4 kB pages, as before */
    g_main = pthread_self();
    g_main_lo = (uintptr_t)p;
    free(p);
    mlp_thread_hook_set(heap_thread);
#endif
}
