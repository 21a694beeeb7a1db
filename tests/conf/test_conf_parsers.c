/* test_conf_parsers.c: the small parsers under the loader: strict base64,
 * numbers and IPv4 text, and the scan for integers libconfig truncates. */
#include "wf_test.h"

#include <errno.h>

#include "conf/base64.h"
#include "conf/literal.h"
#include "conf/text.h"

/* RFC 4648 §10 test vectors */
static const struct {
	const char *plain, *b64;
} rfc4648[] = {
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
};

static void base64_rfc4648_vectors_decode_and_encode(void)
{
	unsigned i;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		uint8_t out[16];
		char enc[16];
		size_t n = 99, pl = strlen(rfc4648[i].plain);

		WF_CHECK_EQ(wf_base64_decode(rfc4648[i].b64, strlen(rfc4648[i].b64), out,
					     sizeof(out), &n), 0);
		WF_CHECK_EQ(n, pl);
		WF_CHECK_MEM(out, rfc4648[i].plain, pl);
		WF_CHECK_EQ(wf_base64_encode((const uint8_t *)rfc4648[i].plain, pl, enc,
					     sizeof(enc)), 0);
		WF_CHECKF(strcmp(enc, rfc4648[i].b64) == 0, "%s != %s", enc, rfc4648[i].b64);
	}
}

static void base64_round_trips_every_length_and_byte(void)
{
	uint8_t in[64], out[64];
	char enc[WF_BASE64_ENC_LEN(64) + 1];
	size_t len, i, n;

	for (len = 0; len <= sizeof(in); len++) {
		for (i = 0; i < len; i++)
			in[i] = (uint8_t)(i * 37 + len * 11 + 0x80);
		WF_REQUIRE(wf_base64_encode(in, len, enc, sizeof(enc)) == 0);
		WF_CHECK_EQ(strlen(enc), WF_BASE64_ENC_LEN(len));
		WF_CHECK_EQ(wf_base64_decode(enc, strlen(enc), out, sizeof(out), &n), 0);
		WF_CHECK_EQ(n, len);
		WF_CHECK_MEM(out, in, len);
	}
}

static void base64_rejects_non_canonical_input(void)
{
	static const char *const bad[] = {
		"Zg", "Zg=", "Z===", "====", "=Zg=", "Zm=v", "Zg==Zg==", "Zm9v=",
		"Zm9 v", "Zm9v\n", " Zm9v", "Zm9-", "Zm9_", "Zm9\x80", "Zh==", "Zm9=",
		"Zm8=Zm9v", "Z=g=", "A", "AB=C",
	};
	uint8_t out[16];
	size_t i, n = 42;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		WF_CHECKF(wf_base64_decode(bad[i], strlen(bad[i]), out, sizeof(out), &n) == -EINVAL,
			  "accepted \"%s\"", bad[i]);
	WF_CHECK_EQ(n, 42);	/* untouched on failure */
}

static void base64_every_truncation_is_refused_or_shorter(void)
{
	const char *full = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";	/* 30 bytes */
	size_t len, n;
	uint8_t out[32];

	for (len = 0; len < strlen(full); len++) {
		int rc = wf_base64_decode(full, len, out, sizeof(out), &n);

		if (len % 4) {
			WF_CHECK_EQ(rc, -EINVAL);
		} else {
			WF_CHECK_EQ(rc, 0);
			WF_CHECK_EQ(n, len / 4 * 3);
		}
	}
}

static void base64_never_writes_past_its_capacity(void)
{
	const char *b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";	/* 30 bytes */
	uint8_t buf[40];
	size_t cap, n;
	char enc[8];

	for (cap = 0; cap < 30; cap++) {
		memset(buf, 0xee, sizeof(buf));
		WF_CHECK_EQ(wf_base64_decode(b64, strlen(b64), buf, cap, &n), -ENOSPC);
		for (n = 0; n < sizeof(buf); n++)
			WF_CHECK_EQ(buf[n], 0xee);
	}
	WF_CHECK_EQ(wf_base64_decode(b64, strlen(b64), buf, 30, &n), 0);
	WF_CHECK_EQ(buf[30], 0xee);
	WF_CHECK_EQ(wf_base64_encode((const uint8_t *)"abcd", 4, enc, 8), -ENOSPC);
	WF_CHECK_EQ(wf_base64_encode((const uint8_t *)"abc", 3, enc, 4), -ENOSPC);
	WF_CHECK_EQ(wf_base64_encode((const uint8_t *)"abc", 3, enc, 5), 0);
	WF_CHECK(strcmp(enc, "YWJj") == 0);
}

static void text_u32_is_strict(void)
{
	uint32_t v = 7;

	WF_CHECK_EQ(wf_text_u32("65535", 5, 65535, &v), 0);
	WF_CHECK_EQ(v, 65535);
	WF_CHECK_EQ(wf_text_u32("65536", 5, 65535, &v), -ERANGE);
	WF_CHECK_EQ(wf_text_u32("4294967296", 10, UINT32_MAX, &v), -ERANGE);
	WF_CHECK_EQ(wf_text_u32("99999999999999999999999", 23, UINT32_MAX, &v), -ERANGE);
	WF_CHECK_EQ(wf_text_u32("", 0, 10, &v), -EINVAL);
	WF_CHECK_EQ(wf_text_u32("-1", 2, 10, &v), -EINVAL);
	WF_CHECK_EQ(wf_text_u32("+1", 2, 10, &v), -EINVAL);
	WF_CHECK_EQ(wf_text_u32(" 1", 2, 10, &v), -EINVAL);
	WF_CHECK_EQ(wf_text_u32("1 ", 2, 10, &v), -EINVAL);
	WF_CHECK_EQ(wf_text_u32("0x1", 3, 10, &v), -EINVAL);
	WF_CHECK_EQ(v, 65535);
	/* the length bounds the parse: "12" of "123" */
	WF_CHECK_EQ(wf_text_u32("123", 2, 100, &v), 0);
	WF_CHECK_EQ(v, 12);
}

static void text_ipv4_forms_are_strict(void)
{
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "1.2.3.256", "1.2.3.04", "01.2.3.4", "1..3.4",
		"1.2.3.4.", ".1.2.3", "1.2.3.-4", "1.2.3.4 ", "a.b.c.d", "1.2.3.4444",
		"1.2.3.+4",
	};
	uint32_t a = 0;
	uint16_t port = 0;
	uint8_t len = 0;
	size_t i;

	WF_CHECK_EQ(wf_text_ipv4("198.18.0.1", 10, &a), 0);
	WF_CHECK_EQ(a, 0xc6120001u);
	WF_CHECK_EQ(wf_text_ipv4("0.0.0.0", 7, &a), 0);
	WF_CHECK_EQ(wf_text_ipv4("255.255.255.255", 15, &a), 0);
	WF_CHECK_EQ(a, 0xffffffffu);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		WF_CHECKF(wf_text_ipv4(bad[i], strlen(bad[i]), &a) == -EINVAL, "\"%s\"", bad[i]);
	WF_CHECK_EQ(wf_text_cidr4("10.1.2.3/8", &a, &len), 0);
	WF_CHECK_EQ(a, 0x0a010203u);
	WF_CHECK_EQ(len, 8);
	WF_CHECK_EQ(wf_text_cidr4("10.1.2.3/32", &a, &len), 0);
	WF_CHECK_EQ(wf_text_cidr4("10.1.2.3/33", &a, &len), -EINVAL);
	WF_CHECK_EQ(wf_text_cidr4("10.1.2.3/0", &a, &len), -EINVAL);
	WF_CHECK_EQ(wf_text_cidr4("10.1.2.3/08", &a, &len), -EINVAL);
	WF_CHECK_EQ(wf_text_cidr4("10.1.2.3/", &a, &len), -EINVAL);
	WF_CHECK_EQ(wf_text_cidr4("10.1.2.3", &a, &len), -EINVAL);
	WF_CHECK_EQ(wf_text_cidr4("10.1.2.3/24/1", &a, &len), -EINVAL);
	WF_CHECK_EQ(wf_text_ipv4_port("127.0.0.1:8889", &a, &port), 0);
	WF_CHECK_EQ(port, 8889);
	WF_CHECK_EQ(wf_text_ipv4_port("127.0.0.1:0", &a, &port), -EINVAL);
	WF_CHECK_EQ(wf_text_ipv4_port("127.0.0.1:65536", &a, &port), -EINVAL);
	WF_CHECK_EQ(wf_text_ipv4_port("127.0.0.1:080", &a, &port), -EINVAL);
	WF_CHECK_EQ(wf_text_ipv4_port("127.0.0.1", &a, &port), -EINVAL);
	WF_CHECK_EQ(wf_text_ipv4_port(":80", &a, &port), -EINVAL);
	WF_CHECK_EQ(wf_text_ipv4_port("localhost:80", &a, &port), -EINVAL);
	WF_CHECK_EQ(wf_text_netmask(0), 0);
	WF_CHECK_EQ(wf_text_netmask(24), 0xffffff00u);
	WF_CHECK_EQ(wf_text_netmask(32), 0xffffffffu);
}

static void text_every_truncation_of_an_address_is_refused(void)
{
	const char *full = "198.18.0.1:6000";
	char buf[32];
	size_t len;
	uint32_t a;
	uint16_t p;

	for (len = 0; len < strlen(full); len++) {
		memcpy(buf, full, len);
		buf[len] = '\0';
		/* a shorter port ("198.18.0.1:600") is still an address */
		if (len > 11)
			WF_CHECK_EQ(wf_text_ipv4_port(buf, &a, &p), 0);
		else
			WF_CHECKF(wf_text_ipv4_port(buf, &a, &p) == -EINVAL, "\"%s\"", buf);
	}
}

/* Runs the scan over text; returns its result, lines in out. */
static int scan(const char *text, unsigned *out, unsigned max)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int n;

	if (!f)
		return -99;
	n = wf_conf_find_wide_ints(f, out, max);
	fclose(f);
	return n;
}

static void literal_scan_finds_wide_integers_only(void)
{
	unsigned lines[4] = { 0 };

	WF_CHECK_EQ(scan("a = 4294975485;\n", lines, 4), 1);
	WF_CHECK_EQ(lines[0], 1);
	WF_CHECK_EQ(scan("a = 2147483647; b = -2147483647;\n", lines, 4), 0);
	WF_CHECK_EQ(scan("a = 2147483648;", lines, 4), 1);
	WF_CHECK_EQ(scan("a = 99999999999L; b = 1.5e10; c = 99999999999.0;", lines, 4), 0);
	WF_CHECK_EQ(scan("a = 0xFFFFFFFF; b = 0x100000000;\n", lines, 4), 1);
	WF_CHECK_EQ(scan("# 99999999999\n// 99999999999\n/* 99999999999\n 99999999999 */\n"
			 "s = \"99999999999 \\\" 99999999999\";\nname99999999999 = 1;\n", lines, 4), 0);
	WF_CHECK_EQ(scan("a = 1;\n/* two\nlines */ b = \"x\ny\";\nc = 0000099999999999;\n"
			 "d = 1; e = 5000000000; f = 6000000000;\n", lines, 4), 2);
	WF_CHECK_EQ(lines[0], 5);	/* the comment and the string span lines */
	WF_CHECK_EQ(lines[1], 6);	/* each line once */
	WF_CHECK_EQ(scan("x = [ 99999999999, 1, 99999999999 ];\ny = 99999999999;\n"
			 "z = 99999999999;\n", lines, 2), 3);	/* more than max: counted */
	WF_CHECK_EQ(lines[1], 2);
	/* hostile shapes end cleanly */
	WF_CHECK_EQ(scan("\"unterminated 99999999999", lines, 4), 0);
	WF_CHECK_EQ(scan("/* unterminated 99999999999", lines, 4), 0);
	WF_CHECK_EQ(scan("a = 0x", lines, 4), 0);
	WF_CHECK_EQ(scan("a = 999999999999999999999999999999999999999", lines, 4), 1);
	WF_CHECK_EQ(scan("\\", lines, 4), 0);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(base64_rfc4648_vectors_decode_and_encode);
	WF_RUN(base64_round_trips_every_length_and_byte);
	WF_RUN(base64_rejects_non_canonical_input);
	WF_RUN(base64_every_truncation_is_refused_or_shorter);
	WF_RUN(base64_never_writes_past_its_capacity);
	WF_RUN(text_u32_is_strict);
	WF_RUN(text_ipv4_forms_are_strict);
	WF_RUN(text_every_truncation_of_an_address_is_refused);
	WF_RUN(literal_scan_finds_wide_integers_only);
	return wf_test_done();
}
