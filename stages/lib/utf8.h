/*
 * utf8.h - what utf8.c offers beyond doc.h's crible_utf8_char and
 * crible_utf8_invalid_offset (the validation every stream reader runs):
 * whether the AVX2 walks are taken, asked by every walk that has one (the
 * validation, the token stream reader's block scan in conllu.c), and the
 * tests' switch that compares them with the walks without AVX2.
 */
#ifndef CRIBLE_UTF8_H
#define CRIBLE_UTF8_H

#include <stdbool.h>

/* Whether the AVX2 walks are to be taken: the processor has AVX2 (asked
 * of libgcc's table, filled before main: one load and a test) and no test
 * turned them off.  Always false off x86-64. */
bool crible_simd_avx2(void);

/* false: no walk takes AVX2 from now on, even on a processor that has it;
 * true: they take it again where there is one.  Returns whether they did
 * before the call.  Not for programs: a test's switch, not thread-safe. */
bool crible_simd_use_avx2(bool on);

#endif
