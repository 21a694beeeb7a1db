/* bench_util.c: see bench_util.h. */
#include "bench/bench_util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

int wf_bench_parse_ulong(const char *s, unsigned long min, unsigned long max,
			 unsigned long *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || !isdigit((unsigned char)s[0])) return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0') return -EINVAL;
	if (v < min || v > max) return -EINVAL;
	*out = v;
	return 0;
}

void *wf_bench_alloc(size_t size)
{
	void *p = NULL;
	int rc;

	/* Round up so the allocation ends on a cache line too. */
	size = (size + 63) & ~(size_t)63;
	if (size == 0) size = 64;
	rc = posix_memalign(&p, 64, size);
	if (rc != 0) {
		errno = rc;
		return NULL;
	}
	memset(p, 0, size);
	return p;
}

int wf_bench_random(void *buf, size_t n)
{
	if (n > (size_t)INT32_MAX) return -EINVAL;
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -EIO;
}

void wf_bench_cpu_model(char *buf, size_t cap)
{
	char line[512];
	FILE *f;

	if (cap == 0) return;
	snprintf(buf, cap, "unknown");
	f = fopen("/proc/cpuinfo", "r");
	if (f == NULL) return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *colon, *v;
		size_t n;

		if (strncmp(line, "model name", 10) != 0) continue;
		colon = strchr(line, ':');
		if (colon == NULL) continue;
		v = colon + 1;
		while (*v == ' ' || *v == '\t') v++;
		n = strcspn(v, "\n");
		v[n] = '\0';
		snprintf(buf, cap, "%s", v);
		break;
	}
	fclose(f);
	/* The name goes into a JSON string as is: keep it printable ASCII
	 * without quotes or backslashes. */
	for (char *p = buf; *p != '\0'; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) *p = '?';
}
