/*
 * utf8.h - what utf8.c offers beyond doc.h's crible_utf8_char and
 * crible_utf8_invalid_offset (the validation every stream reader runs):
 * the choice of its walk, for tests that compare the walks.
 */
#ifndef CRIBLE_UTF8_H
#define CRIBLE_UTF8_H

#include <stdbool.h>

/* false: crible_utf8_invalid_offset walks without AVX2 from now on, even
 * on a processor that has it; true: with it again where there is one.
 * Returns whether the AVX2 walk was in use before the call.  Not for
 * programs: a test's switch, not thread-safe. */
bool crible_utf8_use_simd(bool on);

#endif
