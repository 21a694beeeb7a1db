/* test_xff.c: X-Forwarded-For parsing (app/whep/xff.c) alone: the forms of an
 * element, the client keys (IPv4, IPv6 /64, IPv4-mapped), right-to-left
 * reading past trusted proxies, and truncated, oversized and hostile
 * headers.  Elements are handed over in buffers of exactly their length
 * (no NUL after them), so a read past the end shows under ASan. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wf_test.h"

#include "whep/xff.h"

#define V4_DOC		0xc6336407u		/* 198.51.100.7 */
#define V6_NET		0x20010db800010002ull	/* 2001:db8:1:2::/64 */
#define TEN		0x0a000000u

static const struct wf_conf_cidr proxies[] = {
	{ TEN, 0xff000000u, 8 },		/* 10.0.0.0/8 */
	{ 0xc0000207u, 0xffffffffu, 32 },	/* 192.0.2.7 */
};
#define N_PROXIES	2

/* wf_xff_elem() on a heap copy of s of exactly strlen(s) bytes. */
static int elem(const char *s, uint64_t *key)
{
	size_t n = strlen(s);
	char *b = malloc(n ? n : 1);
	uint64_t k = 0;
	uint32_t v4 = 0;
	int is_v4 = 0, rc;

	if (!b)
		return -ENOMEM;
	memcpy(b, s, n);
	rc = wf_xff_elem(b, n, &k, &v4, &is_v4);
	free(b);
	if (rc == 0 && is_v4 && (uint64_t)v4 != k)
		return -EPROTO;	/* the two answers disagree */
	if (rc == 0 && key)
		*key = k;
	return rc;
}

/* The client of one header line. */
static int client1(const char *line, uint64_t *key)
{
	const char *v[1] = { line };

	return wf_xff_client(v, 1, proxies, N_PROXIES, key);
}

static void ipv4_elements_are_their_address_with_or_without_a_port(void)
{
	uint64_t k = 0;

	WF_CHECK_EQ(elem("198.51.100.7", &k), 0);
	WF_CHECK_EQ(k, V4_DOC);
	WF_CHECK_EQ(elem("198.51.100.7:5000", &k), 0);
	WF_CHECK_EQ(k, V4_DOC);
	WF_CHECK_EQ(elem("0.0.0.0", &k), 0);
	WF_CHECK_EQ(k, 0);
	WF_CHECK_EQ(elem("255.255.255.255:65535", &k), 0);
	WF_CHECK_EQ(k, 0xffffffffull);
	WF_CHECK(wf_xff_key_is_v4(k));
}

static void ipv6_elements_count_by_their_64(void)
{
	static const char *const same[] = {
		"2001:db8:1:2::a", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:0db8:0001:0002::",
		"[2001:db8:1:2::1]", "[2001:db8:1:2::1]:443", "2001:db8:1:2::1%eth0",
		"[2001:db8:1:2::1%25]:1", "2001:DB8:1:2::B",
	};
	uint64_t k = 0;
	size_t i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		k = 0;
		WF_CHECKF(elem(same[i], &k) == 0 && k == V6_NET, "%s: %016llx", same[i],
			  (unsigned long long)k);
	}
	WF_CHECK_EQ(elem("2001:db8:1:3::a", &k), 0);
	WF_CHECK_EQ(k, V6_NET + 1);
	WF_CHECK_EQ(elem("fe80::1%eth0.100", &k), 0);
	WF_CHECK_EQ(k, 0xfe80000000000000ull);
	/* 0::/1 and 8000::/1 stay apart (no bit is given up for a tag) */
	WF_CHECK_EQ(elem("2001:db8::", &k), 0);
	WF_CHECK_EQ(k, 0x20010db800000000ull);
	WF_CHECK_EQ(elem("a001:db8::", &k), 0);
	WF_CHECK_EQ(k, 0xa0010db800000000ull);
}

/* No IPv6 key equals an IPv4 key, ::/32 included; IPv4-mapped addresses
 * are their IPv4 address. */
static void ipv6_keys_never_equal_ipv4_keys_but_mapped_addresses_are_ipv4(void)
{
	static const char *const low[] = { "::1", "::", "::198.51.100.7", "0:0:1:2::",
					   "::ffff:0:1:2:3" };
	uint64_t k = 0;
	size_t i;

	for (i = 0; i < sizeof(low) / sizeof(low[0]); i++) {
		WF_CHECKF(elem(low[i], &k) == 0 && !wf_xff_key_is_v4(k), "%s: %016llx", low[i],
			  (unsigned long long)k);
		WF_CHECK_EQ(k & WF_XFF_V6_TAG, WF_XFF_V6_TAG);
	}
	WF_CHECK_EQ(elem("0:0:1:2::", &k), 0);
	WF_CHECK_EQ(k, WF_XFF_V6_TAG | 0x00010002u);
	WF_CHECK_EQ(elem("::ffff:198.51.100.7", &k), 0);
	WF_CHECK_EQ(k, V4_DOC);
	WF_CHECK_EQ(elem("[::ffff:c633:6407]:80", &k), 0);
	WF_CHECK_EQ(k, V4_DOC);
	WF_CHECK_EQ(wf_xff_key_v4(V4_DOC), V4_DOC);
}

static void malformed_elements_are_refused(void)
{
	static const char *const bad[] = {
		"", " ", "unknown", "_hidden", "localhost", "198.51.100", "198.51.100.7.1",
		"198.51.100.07", "198.51.100.256", "-1.2.3.4", "198.51.100.7:", "198.51.100.7:0",
		"198.51.100.7:65536", "198.51.100.7:080", "198.51.100.7:80:90", "198.51.100.7:x",
		"198.51.100.7 ", " 198.51.100.7", "198.51.100.7\t1", "1.2.3.4/32",
		"2001:db8::1::2", "2001:db8:1:2:3:4:5:6:7", "2001:db8::g", ":::", "2001:db8::1%",
		"2001:db8::1%eth 0", "2001:db8::1%a/b", "2001:db8::1%0123456789abcdef",
		"[2001:db8::1", "2001:db8::1]", "[[::1]]", "[1.2.3.4]", "[1.2.3.4]:80", "[]",
		"[::1]:", "[::1]:0", "[::1]:65536", "[::1]x", "[::1]:80:80", "[::1]::80",
		"[::1] :80", "::1:80]", "\x80\xff", "1.2.3.4\x7f", "2001:db8::1 ", "\"[::1]\"",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		WF_CHECKF(elem(bad[i], NULL) == -EINVAL, "\"%s\" accepted", bad[i]);
}

/* Every prefix of valid elements, handed over without a NUL: only the
 * prefixes that are addresses themselves parse, nothing reads past the
 * end. */
static void truncated_elements_are_refused_or_a_shorter_address(void)
{
	static const char *const full[] = {
		"198.51.100.7:5000", "[2001:db8:1:2::a%eth0]:443", "::ffff:198.51.100.7",
		"0000:0000:0000:0000:0000:ffff:198.051.100.007",
	};
	size_t i, n, ok;
	char cut[128];

	for (i = 0; i < sizeof(full) / sizeof(full[0]); i++) {
		for (n = ok = 0; n < strlen(full[i]); n++) {
			memcpy(cut, full[i], n);
			cut[n] = '\0';
			ok += elem(cut, NULL) == 0;
		}
		printf("  %s: %zu of %zu prefixes parse\n", full[i], ok, strlen(full[i]));
	}
	/* the ones that must not */
	WF_CHECK_EQ(elem("[2001:db8:1:2::a%eth0]:", NULL), -EINVAL);
	WF_CHECK_EQ(elem("[2001:db8:1:2::a%eth0", NULL), -EINVAL);
	WF_CHECK_EQ(elem("[2001:db8:1:2::a%", NULL), -EINVAL);
	WF_CHECK_EQ(elem("198.51.100.", NULL), -EINVAL);
	WF_CHECK_EQ(elem("::ffff:198.51.100.", NULL), -EINVAL);
	/* leading zeros in the embedded IPv4: inet_pton refuses them */
	WF_CHECK_EQ(elem(full[3], NULL), -EINVAL);
}

static void oversized_elements_are_refused(void)
{
	char big[WF_XFF_ELEM_MAX + 2], port[2 * WF_XFF_ELEM_MAX];
	uint64_t k = 0;

	/* 45 characters: the longest IPv6 text */
	WF_CHECK_EQ(elem("0000:0000:0000:0000:0000:ffff:198.151.100.107", &k), 0);
	WF_CHECK_EQ(k, 0xc697646bu);
	/* 64 characters with a zone and a port: still read */
	WF_CHECK_EQ(elem("[0000:0000:0000:0000:0000:0000:0000:0001%abcdefghijk]:65535", &k), 0);
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	WF_CHECK_EQ(elem(big, NULL), -EINVAL);
	/* an address padded past the element limit with zeros of the port */
	snprintf(port, sizeof(port), "[::1]:%0*d", (int)WF_XFF_ELEM_MAX, 1);
	WF_CHECK_EQ(elem(port, NULL), -EINVAL);
	/* an address text too long for inet_pton's buffer */
	WF_CHECK_EQ(elem("0000:0000:0000:0000:0000:0000:0000:00000001", NULL), -EINVAL);
}

/* F8 (a): each hop appends; the client is the rightmost element that is
 * not a trusted proxy, whatever the client wrote left of it. */
static void client_is_the_rightmost_untrusted_element(void)
{
	const char *lines[3];
	uint64_t k = 0;

	WF_CHECK_EQ(client1("198.51.100.7", &k), 0);
	WF_CHECK_EQ(k, V4_DOC);
	WF_CHECK_EQ(client1("203.0.113.9, 198.51.100.7, 10.1.2.3,192.0.2.7", &k), 0);
	WF_CHECK_EQ(k, V4_DOC);
	/* what the client prepends is never read, even when it is garbage */
	WF_CHECK_EQ(client1("<script>, \x01\x02, 2001:db8::1::, 198.51.100.7", &k), 0);
	WF_CHECK_EQ(k, V4_DOC);
	WF_CHECK_EQ(client1("10.0.0.1, 2001:db8:1:2::a, 10.0.0.2", &k), 0);
	WF_CHECK_EQ(k, V6_NET);
	/* every element trusted: the leftmost */
	WF_CHECK_EQ(client1("10.0.0.5, ,10.0.0.6,", &k), 0);
	WF_CHECK_EQ(k, 0x0a000005u);
	/* an IPv4-mapped proxy is a proxy */
	WF_CHECK_EQ(client1("198.51.100.7, ::ffff:10.0.0.1", &k), 0);
	WF_CHECK_EQ(k, V4_DOC);
	/* IPv6 elements are never trusted (the proxies are IPv4 networks) */
	WF_CHECK_EQ(client1("198.51.100.7, ::ffff:0a00:1:0:0", &k), 0);
	WF_CHECK(!wf_xff_key_is_v4(k));
	/* several lines are one list, in order */
	lines[0] = "203.0.113.9";
	lines[1] = "  ";
	lines[2] = "10.1.2.3";
	WF_CHECK_EQ(wf_xff_client(lines, 3, proxies, N_PROXIES, &k), 0);
	WF_CHECK_EQ(k, 0xcb007109u);
	lines[1] = NULL;	/* a line without a value is an empty one */
	WF_CHECK_EQ(wf_xff_client(lines, 3, proxies, N_PROXIES, &k), 0);
	WF_CHECK_EQ(k, 0xcb007109u);
	/* no trusted networks at all: the rightmost element */
	WF_CHECK_EQ(wf_xff_client(lines + 2, 1, NULL, 0, &k), 0);
	WF_CHECK_EQ(k, 0x0a010203u);
}

static void malformed_or_empty_headers_before_the_answer_are_refused(void)
{
	static const char *const bad[] = {
		"", " ", ",", " , ,\t,", "198.51.100.7, not-an-address", "198.51.100.7 10.0.0.1",
		"198.51.100.7;10.0.0.1", "198.51.100.7, 10.0.0.1 ,10.0.0.x",
		"for=198.51.100.7", "198.51.100.7,\r\n10.0.0.1",
	};
	uint64_t k = 0;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		WF_CHECKF(client1(bad[i], &k) == -EINVAL, "\"%s\" accepted", bad[i]);
	WF_CHECK_EQ(wf_xff_client(NULL, 0, proxies, N_PROXIES, &k), -EINVAL);
}

static void many_hops_lines_or_huge_lines_are_bounded(void)
{
	const char *lines[WF_XFF_MAX_LINES + 1];
	size_t n = 0, i, big = 60000;
	char *line = malloc(big + 64);
	uint64_t k = 0;

	WF_REQUIRE(line);
	/* 32 trusted hops and the client: read; 33: refused */
	n = (size_t)sprintf(line, "198.51.100.7");
	for (i = 0; i < WF_XFF_MAX_HOPS - 1; i++)
		n += (size_t)sprintf(line + n, ", 10.0.0.%zu", i + 1);
	WF_CHECK_EQ(client1(line, &k), 0);
	WF_CHECK_EQ(k, V4_DOC);
	sprintf(line + n, ", 10.0.0.99");
	WF_CHECK_EQ(client1(line, &k), -E2BIG);
	/* a client that prepends thousands of entries is not slowed or refused */
	for (n = 0; n < big - 32; n += 13)
		memcpy(line + n, "203.0.113.1, ", 13);
	sprintf(line + n, "198.51.100.7");
	WF_CHECK_EQ(client1(line, &k), 0);
	WF_CHECK_EQ(k, V4_DOC);
	/* empty elements do not count as hops */
	memset(line, ',', big);
	sprintf(line + big, "198.51.100.7,,,");
	WF_CHECK_EQ(client1(line, &k), 0);
	WF_CHECK_EQ(k, V4_DOC);
	/* one huge element */
	memset(line, '9', big);
	line[big] = '\0';
	WF_CHECK_EQ(client1(line, &k), -EINVAL);
	/* 8 lines are read, 9 are too many */
	for (i = 0; i <= WF_XFF_MAX_LINES; i++)
		lines[i] = "10.0.0.1";
	WF_CHECK_EQ(wf_xff_client(lines, WF_XFF_MAX_LINES, proxies, N_PROXIES, &k), 0);
	WF_CHECK_EQ(wf_xff_client(lines, WF_XFF_MAX_LINES + 1, proxies, N_PROXIES, &k), -E2BIG);
	free(line);
}

static void keys_format_as_an_address_or_a_64(void)
{
	char s[WF_XFF_KEY_STR];
	uint64_t k = 0;

	wf_xff_key_fmt(V4_DOC, s);
	WF_CHECK(!strcmp(s, "198.51.100.7"));
	wf_xff_key_fmt(V6_NET, s);
	WF_CHECK(!strcmp(s, "2001:db8:1:2::/64"));
	WF_REQUIRE(elem("::1", &k) == 0);
	wf_xff_key_fmt(k, s);
	WF_CHECK(!strcmp(s, "::/64"));
	WF_REQUIRE(elem("fe80::1%lo", &k) == 0);
	wf_xff_key_fmt(k, s);
	WF_CHECK(!strcmp(s, "fe80::/64"));
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(ipv4_elements_are_their_address_with_or_without_a_port);
	WF_RUN(ipv6_elements_count_by_their_64);
	WF_RUN(ipv6_keys_never_equal_ipv4_keys_but_mapped_addresses_are_ipv4);
	WF_RUN(malformed_elements_are_refused);
	WF_RUN(truncated_elements_are_refused_or_a_shorter_address);
	WF_RUN(oversized_elements_are_refused);
	WF_RUN(client_is_the_rightmost_untrusted_element);
	WF_RUN(malformed_or_empty_headers_before_the_answer_are_refused);
	WF_RUN(many_hops_lines_or_huge_lines_are_bounded);
	WF_RUN(keys_format_as_an_address_or_a_64);
	return wf_test_done();
}
