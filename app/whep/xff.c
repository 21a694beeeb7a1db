/* xff.c: X-Forwarded-For read right to left into a client key (xff.h).
 *
 * Every element is checked whole: its length first (WF_XFF_ELEM_MAX), then
 * its form, and only then is it copied (into a buffer of known size) for
 * inet_pton().  Elements left of the answer are not looked at.
 */
#include "whep/xff.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "conf/text.h"

#define V6_TEXT_MAX	45	/* INET6_ADDRSTRLEN - 1 */
#define ZONE_MAX	16	/* IF_NAMESIZE, NUL included */

uint64_t wf_xff_key_v4(uint32_t addr)
{
	return addr;
}

uint64_t wf_xff_key_v6(const uint8_t a[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	uint64_t p = 0;
	unsigned i;

	if (!memcmp(a, mapped, sizeof(mapped)))	/* ::ffff:a.b.c.d, RFC 4291 §2.5.5.2 */
		return (uint64_t)a[12] << 24 | (uint64_t)a[13] << 16 | (uint64_t)a[14] << 8 | a[15];
	for (i = 0; i < 8; i++)
		p = p << 8 | a[i];
	return wf_xff_key_is_v4(p) ? p | WF_XFF_V6_TAG : p;
}

static bool zone_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* An IPv6 address with an optional "%zone" in s[0..len) into a[16]. */
static int parse_v6(const char *s, size_t len, uint8_t a[16])
{
	const char *pct = memchr(s, '%', len);
	char buf[V6_TEXT_MAX + 1];
	size_t n = pct ? (size_t)(pct - s) : len, i;

	if (pct) {	/* RFC 6874 §2: a zone is local to the proxy; dropped */
		size_t z = len - n - 1;

		if (z == 0 || z >= ZONE_MAX)
			return -EINVAL;
		for (i = 0; i < z; i++)
			if (!zone_char(pct[1 + i]))
				return -EINVAL;
	}
	if (n == 0 || n > V6_TEXT_MAX || !memchr(s, ':', n))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, a) == 1 ? 0 : -EINVAL;
}

/* ":port" in s[0..len), port 1-65535 without a leading zero. */
static int parse_port(const char *s, size_t len)
{
	uint32_t port;

	if (len < 2 || s[0] != ':' || s[1] == '0')
		return -EINVAL;
	return wf_text_u32(s + 1, len - 1, 65535, &port) == 0 && port ? 0 : -EINVAL;
}

int wf_xff_elem(const char *s, size_t len, uint64_t *key, uint32_t *v4, int *is_v4)
{
	const char *colon, *close;
	uint8_t a[16];
	size_t rest;
	uint32_t addr;

	if (len == 0 || len > WF_XFF_ELEM_MAX)
		return -EINVAL;
	if (s[0] == '[') {	/* "[v6]" or "[v6]:port" */
		close = memchr(s, ']', len);
		if (!close || parse_v6(s + 1, (size_t)(close - s - 1), a) != 0)
			return -EINVAL;
		rest = (size_t)(s + len - close - 1);
		if (rest && parse_port(close + 1, rest) != 0)
			return -EINVAL;
		goto v6;
	}
	colon = memchr(s, ':', len);
	if (!colon || (memchr(s, '.', (size_t)(colon - s)) &&
		       !memchr(colon + 1, ':', (size_t)(s + len - colon - 1)))) {
		/* "a.b.c.d" or "a.b.c.d:port" */
		size_t n = colon ? (size_t)(colon - s) : len;

		if (wf_text_ipv4(s, n, &addr) != 0)
			return -EINVAL;
		if (colon && parse_port(colon, len - n) != 0)
			return -EINVAL;
		*key = wf_xff_key_v4(addr);
		*v4 = addr;
		*is_v4 = 1;
		return 0;
	}
	if (parse_v6(s, len, a) != 0)
		return -EINVAL;
v6:
	*key = wf_xff_key_v6(a);
	*is_v4 = wf_xff_key_is_v4(*key);
	*v4 = *is_v4 ? (uint32_t)*key : 0;
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

int wf_xff_client(const char *const *v, unsigned n, const struct wf_conf_cidr *trusted,
		  unsigned n_trusted, uint64_t *key)
{
	unsigned hops = 0, i;
	bool found = false;

	if (n > WF_XFF_MAX_LINES)
		return -E2BIG;
	for (i = n; i-- > 0; ) {
		const char *line = v[i] ? v[i] : "", *end = line + strlen(line);

		for (;;) {	/* the elements of line, right to left */
			const char *s = end, *a, *b;
			uint32_t v4;
			int is_v4;

			while (s > line && s[-1] != ',')
				s--;
			for (a = s; a < end && blank(*a); a++)
				;
			for (b = end; b > a && blank(b[-1]); b--)
				;
			if (b > a) {
				if (++hops > WF_XFF_MAX_HOPS)
					return -E2BIG;
				if (wf_xff_elem(a, (size_t)(b - a), key, &v4, &is_v4) != 0)
					return -EINVAL;
				found = true;
				if (!is_v4 || !wf_conf_cidr_match(trusted, n_trusted, v4))
					return 0;
			}
			if (s == line)
				break;
			end = s - 1;
		}
	}
	return found ? 0 : -EINVAL;	/* all trusted: the leftmost, in *key */
}

uint64_t wf_xff_key_prefix(uint64_t key, unsigned prefix_len)
{
	if (wf_xff_key_is_v4(key) || prefix_len >= 64)
		return key;
	if (prefix_len < 32)
		prefix_len = 32;
	return key & ~((1ull << (64 - prefix_len)) - 1);
}

void wf_xff_key_fmt(uint64_t key, char out[WF_XFF_KEY_STR])
{
	wf_xff_key_fmt_prefix(key, 64, out);
}

void wf_xff_key_fmt_prefix(uint64_t key, unsigned prefix_len, char out[WF_XFF_KEY_STR])
{
	uint8_t a[16] = { 0 };
	char text[INET6_ADDRSTRLEN];
	unsigned i;

	if (wf_xff_key_is_v4(key)) {
		wf_text_ipv4_fmt((uint32_t)key, out);
		return;
	}
	if ((key & WF_XFF_V6_TAG) == WF_XFF_V6_TAG && wf_xff_key_is_v4(key & ~WF_XFF_V6_TAG))
		key &= ~WF_XFF_V6_TAG;	/* a ::/32 prefix */
	for (i = 0; i < 8; i++)
		a[i] = (uint8_t)(key >> (56 - 8 * i));
	if (!inet_ntop(AF_INET6, a, text, sizeof(text)))
		snprintf(text, sizeof(text), "?");
	snprintf(out, WF_XFF_KEY_STR, "%s/%u", text, prefix_len > 64 ? 64u : prefix_len);
}
