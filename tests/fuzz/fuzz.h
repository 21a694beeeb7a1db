/* fuzz.h: what every fuzz target (tests/fuzz/fuzz_*.c) shares.
 *
 * A target defines LLVMFuzzerTestOneInput() (and, if it needs set-up,
 * LLVMFuzzerInitialize()).  The same source builds two ways:
 *  - with clang and -fsanitize=fuzzer into build/fuzz/fuzz_<t> (`make fuzz`,
 *    libFuzzer's main explores new inputs);
 *  - with the project's compiler and tests/fuzz/driver.c into
 *    build/tests/fuzz/test_fuzz_<t> (`make test`, `make asan`): the driver
 *    feeds every file of tests/fuzz/corpus/<t>/ once, as a regression run.
 * A target checks what must hold whatever the input (a round trip gives
 * back what went in, a length stays within its buffer) with WF_FUZZ_CHECK:
 * a failed check aborts, which both runners report as a failure.
 *
 * struct wf_fuzz_in splits one input into the values a target needs (a
 * mode byte, a length, a chunk), always within the input: reading past its
 * end gives zeros and empty chunks, never an error.
 */
#ifndef WF_FUZZ_H
#define WF_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define WF_FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

struct wf_fuzz_in {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static inline void wf_fuzz_in_init(struct wf_fuzz_in *in, const uint8_t *p, size_t len)
{
	in->p = p;
	in->len = len;
	in->off = 0;
}

static inline size_t wf_fuzz_left(const struct wf_fuzz_in *in)
{
	return in->len - in->off;
}

static inline uint8_t wf_fuzz_u8(struct wf_fuzz_in *in)
{
	return in->off < in->len ? in->p[in->off++] : 0;
}

static inline uint16_t wf_fuzz_u16(struct wf_fuzz_in *in)
{
	uint16_t hi = wf_fuzz_u8(in);

	return (uint16_t)(hi << 8 | wf_fuzz_u8(in));
}

static inline uint32_t wf_fuzz_u32(struct wf_fuzz_in *in)
{
	uint32_t hi = wf_fuzz_u16(in);

	return hi << 16 | wf_fuzz_u16(in);
}

/* Takes up to want bytes; *got receives how many there were. */
static inline const uint8_t *wf_fuzz_bytes(struct wf_fuzz_in *in, size_t want, size_t *got)
{
	const uint8_t *p = in->p + in->off;

	if (want > wf_fuzz_left(in))
		want = wf_fuzz_left(in);
	in->off += want;
	*got = want;
	return p;
}

/* Takes a chunk whose length is the next 16-bit word (bounded by what is
 * left): how a target reads a sequence of packets from one input. */
static inline const uint8_t *wf_fuzz_chunk(struct wf_fuzz_in *in, size_t *got)
{
	size_t want = wf_fuzz_u16(in);

	return wf_fuzz_bytes(in, want, got);
}

#endif
