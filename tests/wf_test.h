/* wf_test.h: the unit-test harness shared by every test binary.
 *
 * A test is a function `static void name(void)` registered with WF_RUN(name)
 * in main().  WF_CHECK() records a failure (with file, line and the failed
 * expression) and lets the test continue; WF_REQUIRE() returns from the test.
 * wf_test_done() prints "# <binary>: N passed, N failed" and returns the exit
 * status; scripts/run-tests.sh adds the binaries' lines into the final one.
 */
#ifndef WF_TEST_H
#define WF_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stddef.h>

struct wf_test_state {
	int passed;
	int failed;
	int cur_failures;
	const char *cur_name;
	const char *binary;
};

extern struct wf_test_state wf_test;

void wf_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void wf_test_run(const char *name, void (*fn)(void));
int wf_test_done(void);
void wf_test_init(int argc, char **argv);
/* Hex helpers for vectors: returns the number of bytes written or -1. */
int wf_test_unhex(const char *hex, uint8_t *out, size_t cap);
void wf_test_hexdump(const char *label, const uint8_t *p, size_t n);

#define WF_CHECK(cond) do { \
	if (!(cond)) wf_test_fail(__FILE__, __LINE__, "%s", #cond); \
} while (0)

#define WF_CHECKF(cond, ...) do { \
	if (!(cond)) wf_test_fail(__FILE__, __LINE__, __VA_ARGS__); \
} while (0)

#define WF_REQUIRE(cond) do { \
	if (!(cond)) { wf_test_fail(__FILE__, __LINE__, "%s", #cond); return; } \
} while (0)

#define WF_CHECK_EQ(a, b) do { \
	long long wf_a_ = (long long)(a), wf_b_ = (long long)(b); \
	if (wf_a_ != wf_b_) \
		wf_test_fail(__FILE__, __LINE__, "%s == %s (%lld != %lld)", \
			     #a, #b, wf_a_, wf_b_); \
} while (0)

#define WF_CHECK_MEM(a, b, n) do { \
	if (memcmp((a), (b), (n)) != 0) { \
		wf_test_fail(__FILE__, __LINE__, "memcmp(%s, %s, %zu) != 0", \
			     #a, #b, (size_t)(n)); \
		wf_test_hexdump("got", (const uint8_t *)(a), (n)); \
		wf_test_hexdump("want", (const uint8_t *)(b), (n)); \
	} \
} while (0)

#define WF_RUN(fn) wf_test_run(#fn, fn)

#endif
