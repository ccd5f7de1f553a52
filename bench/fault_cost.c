/* fault_cost.c -- what a page of fresh memory costs on this machine: the
 * first write to each 4 kB page of 64 MB just mapped, three times (each
 * pass maps new memory), with and without a request for huge pages.  On
 * the test VM a fault is the largest part of a small sweep's fixed cost, so
 * this is the yardstick for "reuse the buffer" decisions (bench/README.md).
 * Not a test and not part of the build:
 *
 *   cc -O2 bench/fault_cost.c -o /tmp/fault_cost && /tmp/fault_cost
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>

#define BYTES ((size_t)64 << 20)
#define PAGE 4096
#define HUGE ((size_t)2 << 20)

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(void)
{
    for (int huge = 0; huge < 2; huge++)
        for (int pass = 0; pass < 3; pass++) {
            char *map = mmap(NULL, BYTES + HUGE, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (map == MAP_FAILED)
                return 1;
            /* aligned to 2 MB, so that a huge page could back it */
            char *p = (char *)(((uintptr_t)map + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
            if (huge)
                (void)madvise(p, BYTES, MADV_HUGEPAGE);
            double t0 = now();
            for (size_t i = 0; i < BYTES; i += PAGE)
                p[i] = 1;
            double t = now() - t0;
            printf("%s pass %d: %.2f us per 4 kB page, %.2f ms per MB\n",
                   huge ? "MADV_HUGEPAGE" : "plain        ", pass + 1,
                   t * 1e6 / (double)(BYTES / PAGE), t * 1e3 / (double)(BYTES >> 20));
            munmap(map, BYTES + HUGE);
        }
    return 0;
}
