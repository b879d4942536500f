/*
 * bigmem.h - transparent huge pages for a program's malloc heap, so that a
 * process that touches tens of megabytes of fresh memory (crible-index:
 * its buffer, the analysis batches, the stem tables) takes one page fault
 * per 2 MiB instead of 512; and, as such a program keeps its freed
 * memory (no trimming), the pages that pile up freed and unused given
 * back now and then (crible_bigmem_heap_tidy).  For programs whose
 * allocations all come from glibc's main arena (mallopt(M_ARENA_MAX,
 * 1)), which grows by brk.
 *
 * Where the kernel gives huge pages only on request
 * (/sys/kernel/mm/transparent_hugepage/enabled = madvise, Debian's
 * default), glibc asks for them only under GLIBC_TUNABLES=
 * glibc.malloc.hugetlb=1, an environment variable no user should have to
 * set; this does what it does for the heap, from the program:
 *
 *   mallopt(M_ARENA_MAX, 1);
 *   mallopt(M_TRIM_THRESHOLD, 1 << 30);            // above the reserve
 *   crible_bigmem_heap_reserve(320 << 20);          // before any thread
 *   ...
 *   crible_bigmem_heap_follow();                    // now and then
 *
 * What it costs: memory malloc hands out but the program never touches is
 * resident when it shares a 2 MiB page with memory that is (the unused
 * half of a buffer grown by doubling): a few MB of peak RSS.  Nothing when
 * the kernel has no huge pages for the process (enabled = never): the
 * advice is accepted and ignored.
 */
#ifndef CRIBLE_BIGMEM_H
#define CRIBLE_BIGMEM_H

#include <stdbool.h>
#include <stddef.h>

/* 0 where malloc is not glibc's brk heap (AddressSanitizer's allocator):
 * then nothing is ever advised. */
#if defined(__SANITIZE_ADDRESS__)
#define CRIBLE_BIGMEM_BRK_HEAP 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CRIBLE_BIGMEM_BRK_HEAP 0
#endif
#endif
#ifndef CRIBLE_BIGMEM_BRK_HEAP
#define CRIBLE_BIGMEM_BRK_HEAP 1
#endif

/* Grows the heap by `bytes` of address space, none of it made resident
 * (one malloc and free of that size, mmap turned off meanwhile, so that
 * brk serves it: the top of the heap then holds it, untouched, for the
 * allocations to come), and advises huge pages on it.  Returns the bytes
 * advised: 0 when nothing was (an allocator without a brk heap, as under
 * AddressSanitizer; a limit on the address space or data segment that
 * the reserve would crowd; the reserve refused), which only loses speed.
 * Call it once, from the main thread before any other starts (it changes
 * M_MMAP_MAX for the time of one malloc), after setting M_TRIM_THRESHOLD
 * above `bytes` plus M_TOP_PAD (else the free gives the reserve back). */
size_t crible_bigmem_heap_reserve(size_t bytes);

/* Advises huge pages on what the heap grew past the reserve since the
 * last call (malloc grows it by brk when the reserve is used up).  Cheap
 * when it did not grow (an uncontended lock, a load, a compare): call
 * it at a batch's end.
 * Thread-safe; nothing before crible_bigmem_heap_reserve advised. */
void crible_bigmem_heap_follow(void);

/* Gives the heap's free pages back to the kernel (malloc_trim) when the
 * process's anonymous resident memory exceeds what malloc hands out by
 * more than `slack` bytes: with trimming off (M_TRIM_THRESHOLD above),
 * every page the heap ever touched stays resident, and as a long run
 * frees and allocates blocks of other sizes in other places, that grows
 * with the run, not with what is in use (crible-index -m 4M: 44 MB peak
 * RSS on the reviews, 56 MB on four times them).  Costs a read of
 * /proc/self/statm and a walk of malloc's free lists; the trim itself
 * (and the page faults that touch the pages again) only when the slack
 * is exceeded.  Returns whether it trimmed.  No-op (false) where malloc
 * is not glibc's brk heap. */
bool crible_bigmem_heap_tidy(size_t slack);

#endif
