/* sdp_testutil.h: loading the captured browser offers and editing SDP text
 * in the SDP tests.  Header-only (static functions) so each test binary of
 * tests/sdp/ stays one .c file. */
#ifndef WF_SDP_TESTUTIL_H
#define WF_SDP_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"

#define SDP_CHROMIUM "chromium-156-recvonly-offer.sdp"
#define SDP_FIREFOX  "firefox-esr-153-recvonly-offer.sdp"

/* Reads tests/vectors/sdp/<name> (or $WF_VECTORS/sdp/<name>) into a
 * malloc'd NUL-terminated buffer; NULL on failure. */
static inline char *sdp_load(const char *name, size_t *len)
{
	const char *dir = getenv("WF_VECTORS");
	char path[512];
	char *buf = NULL;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/sdp/%s", dir ? dir : "tests/vectors", name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* Returns a malloc'd copy of s with the first occurrence of from replaced
 * by to (all occurrences when all is true); NULL when from is absent. */
static inline char *sdp_replace(const char *s, const char *from, const char *to, int all)
{
	size_t fl = strlen(from), tl = strlen(to), cap = strlen(s) + 1;
	const char *p;
	char *out, *w;
	size_t count = 0;

	for (p = s; (p = strstr(p, from)) != NULL; p += fl)
		count++;
	if (!count)
		return NULL;
	if (tl > fl)
		cap += count * (tl - fl);
	out = malloc(cap);
	if (!out)
		return NULL;
	w = out;
	for (p = s;;) {
		const char *hit = strstr(p, from);

		if (!hit) {
			strcpy(w, p);
			break;
		}
		memcpy(w, p, (size_t)(hit - p));
		w += hit - p;
		memcpy(w, to, tl);
		w += tl;
		p = hit + fl;
		if (!all) {
			strcpy(w, p);
			break;
		}
	}
	return out;
}

#endif
