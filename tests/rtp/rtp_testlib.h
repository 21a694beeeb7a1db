/* rtp_testlib.h: helpers shared by the tests/rtp/test_*.c binaries.
 *
 * Header-only (static inline): the Makefile builds only tests/X/test_*.c
 * and the tests/common sources, and these helpers belong to the RTP tests alone.
 *
 * t_exact() copies a packet into a heap block of exactly its length, so
 * AddressSanitizer reports any read past the length a parser was given
 * (a stack array with spare room would hide it).
 */
#ifndef WF_TESTS_RTP_TESTLIB_H
#define WF_TESTS_RTP_TESTLIB_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp/rtp.h"
#include "wf_test.h"

/* A heap copy of p[0..n) with nothing after it; free with free().  For
 * n == 0 a 1-byte block (never read by a correct parser). */
static inline uint8_t *t_exact(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);

	if (!q) abort();
	if (n) memcpy(q, p, n);
	return q;
}

/* xorshift64*: deterministic pseudo-random test data. */
static inline uint64_t t_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

#endif
