/*
 * bigmem.c - transparent huge pages on glibc's brk heap, and its freed
 * pages given back when they pile up (bigmem.h).
 *
 * glibc's main arena takes its memory from brk, M_TOP_PAD bytes more than
 * it needs each time, and carves every allocation it can out of the top
 * of that heap, large ones included (mmap serves a request only when the
 * top cannot): so a program on one arena lives in one range of addresses.
 * The reserve grows that range once, ahead of need, by a malloc of its
 * size with mmap turned off (M_MMAP_MAX 0), freed at once: the freed
 * bytes merge into the top of the heap, which keeps them (no trim below
 * M_TRIM_THRESHOLD), untouched, so not resident.  madvise(MADV_HUGEPAGE)
 * on the 2 MiB-aligned part of them marks that range: the kernel then
 * backs each 2 MiB the program first touches with one huge page, in one
 * fault (as glibc itself does under glibc.malloc.hugetlb=1, its
 * madvise_thp(), after each brk).  The advice is per mapping and brk
 * makes a new one past it when the heap grows again: follow() advises
 * what grew, from the end of what it advised to the break.
 *
 * A heap the reserve finds elsewhere than below the break (another
 * allocator: AddressSanitizer's, a preloaded one) is left alone.
 */
#include "bigmem.h"

#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define HUGE_PAGE ((uintptr_t)2 << 20)

#if !CRIBLE_BIGMEM_BRK_HEAP
size_t crible_bigmem_heap_reserve(size_t bytes)
{
    (void)bytes;
    return 0;
}

void crible_bigmem_heap_follow(void) {}

bool crible_bigmem_heap_tidy(size_t slack)
{
    (void)slack;
    return false;
}
#else
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static uintptr_t advised_end;   /* under mu; 0: nothing advised */

/* Whether `bytes` more address space would crowd a limit on it. */
static int limited(size_t bytes, int resource)
{
    struct rlimit r;
    return getrlimit(resource, &r) == 0 && r.rlim_cur != RLIM_INFINITY && r.rlim_cur / 4 < bytes;
}

static void advise(uintptr_t from, uintptr_t to)
{
    from = (from + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    to &= ~(HUGE_PAGE - 1);
    if (to > from) (void)madvise((void *)from, to - from, MADV_HUGEPAGE);   /* refused: only slower */
}

size_t crible_bigmem_heap_reserve(size_t bytes)
{
    if (bytes < HUGE_PAGE || limited(bytes, RLIMIT_AS) || limited(bytes, RLIMIT_DATA)) return 0;
    mallopt(M_MMAP_MAX, 0);
    char *p = malloc(bytes);
    mallopt(M_MMAP_MAX, 65536);   /* glibc's default */
    if (!p) return 0;
    uintptr_t lo = (uintptr_t)p, hi = lo + bytes, brk = (uintptr_t)sbrk(0);
    free(p);
    if (brk == (uintptr_t)-1 || hi > brk || brk - hi > ((size_t)1 << 30)) return 0;   /* not the brk heap */
    uintptr_t from = (lo + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    pthread_mutex_lock(&mu);
    advise(lo, brk);
    advised_end = brk & ~(HUGE_PAGE - 1);
    pthread_mutex_unlock(&mu);
    return advised_end > from ? advised_end - from : 0;
}

void crible_bigmem_heap_follow(void)
{
    pthread_mutex_lock(&mu);
    if (advised_end) {
        uintptr_t brk = (uintptr_t)sbrk(0);
        if (brk != (uintptr_t)-1 && brk >= advised_end + HUGE_PAGE) {
            advise(advised_end, brk);
            advised_end = brk & ~(HUGE_PAGE - 1);
        }
    }
    pthread_mutex_unlock(&mu);
}

/* The process's anonymous resident bytes (resident less file-backed
 * pages: /proc/self/statm), 0 if unknown. */
static size_t anon_resident(void)
{
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char b[128];
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    if (n <= 0) return 0;
    b[n] = 0;
    unsigned long long size, resident, shared;
    if (sscanf(b, "%llu %llu %llu", &size, &resident, &shared) != 3 || shared > resident) return 0;
    return (size_t)(resident - shared) * (size_t)sysconf(_SC_PAGESIZE);
}

bool crible_bigmem_heap_tidy(size_t slack)
{
    size_t anon = anon_resident();
    if (!anon) return false;
    struct mallinfo2 mi = mallinfo2();
    size_t used = mi.uordblks + mi.hblkhd;
    if (anon <= used + slack) return false;
    return malloc_trim(0) != 0;
}
#endif
