/* sdp_testutil.h: loading the captured browser offers and editing SDP text
 * in the SDP tests.  Header-only (static functions) so each test binary of
 * tests/sdp/ stays one .c file. */
#ifndef WF_SDP_TESTUTIL_H
#define WF_SDP_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"
#include "sdp/sdp_answer.h"
#include "wf_test.h"

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

/* Builds the answer to o with p into every capacity from 0 to one past
 * its full length: too small is NO_ROOM (0: BAD_PARAM), enough gives
 * exactly want (full bytes and its NUL), and nothing is written past the
 * capacity.  Checks of the running test (wf_test.h). */
static inline void sdp_answer_fits_exactly(const struct wf_sdp_offer *o,
					   const struct wf_sdp_answer_params *p,
					   const char *want, size_t full)
{
	enum { GUARD = 16 };
	char *buf = malloc(full + 1 + GUARD + 1);
	struct wf_sdp_error err;
	size_t len = 0;

	WF_REQUIRE(buf);
	for (size_t cap = 0; cap <= full + 1; cap++) {
		int rc;

		memset(buf, 0x5a, full + 1 + GUARD + 1);
		rc = wf_sdp_answer_build(o, p, NULL, buf, cap, &len, &err);
		if (cap <= full) {
			WF_CHECKF(rc == (cap ? -WF_SDP_E_NO_ROOM : -WF_SDP_E_BAD_PARAM), "cap %zu rc %d", cap, rc);
		} else {
			WF_CHECK_EQ(rc, 0);
			WF_CHECK_EQ(len, full);
			WF_CHECK(memcmp(buf, want, full + 1) == 0);
		}
		for (size_t k = cap; k < full + 1 + GUARD + 1; k++)
			if ((unsigned char)buf[k] != 0x5a) {
				WF_CHECKF(0, "cap %zu: byte %zu written", cap, k);
				break;
			}
	}
	free(buf);
}

#endif
