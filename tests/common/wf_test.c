/* wf_test.c: the harness behind tests/wf_test.h. */
#include "wf_test.h"

#include <stdarg.h>
#include <ctype.h>

struct wf_test_state wf_test;

void wf_test_init(int argc, char **argv)
{
	const char *slash;

	(void)argc;
	wf_test.binary = argv[0];
	slash = strrchr(argv[0], '/');
	if (slash)
		wf_test.binary = slash + 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void wf_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	wf_test.cur_failures++;
	if (wf_test.cur_failures > 20)
		return; /* one broken loop must not flood the log */
	printf("  %s:%d: %s: ", file, line, wf_test.cur_name ? wf_test.cur_name : "?");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void wf_test_run(const char *name, void (*fn)(void))
{
	wf_test.cur_name = name;
	wf_test.cur_failures = 0;
	fn();
	if (wf_test.cur_failures) {
		wf_test.failed++;
		printf("FAIL %s (%d checks failed)\n", name, wf_test.cur_failures);
	} else {
		wf_test.passed++;
		printf("ok   %s\n", name);
	}
	wf_test.cur_name = NULL;
}

int wf_test_done(void)
{
	printf("# %s: %d passed, %d failed\n", wf_test.binary ? wf_test.binary : "test",
	       wf_test.passed, wf_test.failed);
	return wf_test.failed ? 1 : 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int wf_test_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;

		if (isspace((unsigned char)*hex))
			continue;
		v = hexval((unsigned char)*hex);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (int)n : -1;
}

void wf_test_hexdump(const char *label, const uint8_t *p, size_t n)
{
	size_t i;

	printf("    %-5s", label);
	for (i = 0; i < n && i < 96; i++)
		printf("%02x", p[i]);
	printf("%s\n", n > 96 ? "..." : "");
}
