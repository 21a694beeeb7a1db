/* test_stun.c: lib/stun against RFC 5769's vectors, round trips through our
 * own builders, an independent test-side message builder (bitwise CRC-32,
 * OpenSSL HMAC) for hostile and unusual messages, and every truncation.
 */
#include "wf_test.h"
#include "stun/stun.h"
#include "rtp/rtp.h"
#include "stun/crc32.h"
#include "vectors/stun/rfc5769.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#define OUR_UFRAG	"srvU"
#define OUR_PWD		"serverpassword0123456789"
#define PEER_UFRAG	"brwsR"

static const uint8_t test_txid[WF_STUN_TXID_LEN] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x10, 0x32, 0x54, 0x76,
};

/* ---- helpers ------------------------------------------------------------- */

static int vec_bytes(const struct wf_stun_vector *v, uint8_t *out, size_t cap)
{
	return wf_test_unhex(v->hex, out, cap);
}

/* Copies n bytes to a heap block of exactly n bytes, so ASan catches any
 * read past the end.  n may be 0. */
static uint8_t *exact_copy(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	if (c && n)
		memcpy(c, p, n);
	return c;
}

static int parse_exact(const uint8_t *p, size_t n, struct wf_stun_msg *m)
{
	uint8_t *c = exact_copy(p, n);
	int rc;

	if (!c)
		return -1000;
	rc = wf_stun_parse(c, n, m);
	free(c);
	return rc;
}

static int check_exact(const uint8_t *p, size_t n, struct wf_stun_binding *b)
{
	uint8_t *c = exact_copy(p, n);
	int rc;

	if (!c)
		return -1000;
	rc = wf_stun_check_binding_request(c, n, OUR_UFRAG, OUR_PWD, b);
	free(c);
	return rc;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* CRC-32 bit by bit: an oracle independent of the library's table. */
static uint32_t slow_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
	}
	return ~c;
}

/* A test-side STUN writer, written from RFC 8489 independently of the
 * library's, able to build messages the library refuses to build. */
struct tmsg {
	uint8_t b[8192];
	size_t len;
};

static void t_start(struct tmsg *m, uint16_t type, const uint8_t *txid)
{
	memset(m, 0, sizeof(*m));
	wf_rtp_wr16(m->b, type);
	wf_rtp_wr32(m->b + 4, 0x2112A442u);
	memcpy(m->b + 8, txid, 12);
	m->len = 20;
}

static void t_setlen(struct tmsg *m)
{
	wf_rtp_wr16(m->b + 2, (uint16_t)(m->len - 20));
}

static void t_attr(struct tmsg *m, uint16_t type, const void *v, size_t n)
{
	wf_rtp_wr16(m->b + m->len, type);
	wf_rtp_wr16(m->b + m->len + 2, (uint16_t)n);
	if (n)
		memcpy(m->b + m->len + 4, v, n);
	m->len += 4 + ((n + 3) & ~(size_t)3);
	t_setlen(m);
}

static void t_str(struct tmsg *m, uint16_t type, const char *s)
{
	t_attr(m, type, s, strlen(s));
}

static void t_u32(struct tmsg *m, uint16_t type, uint32_t v)
{
	uint8_t b[4];

	wf_rtp_wr32(b, v);
	t_attr(m, type, b, 4);
}

static void t_u64(struct tmsg *m, uint16_t type, uint64_t v)
{
	uint8_t b[8];

	wf_rtp_wr32(b, (uint32_t)(v >> 32));
	wf_rtp_wr32(b + 4, (uint32_t)v);
	t_attr(m, type, b, 8);
}

static void t_mi(struct tmsg *m, const char *pwd)
{
	uint8_t mac[20];
	unsigned int n = 0;
	size_t start = m->len;

	m->len += 24;
	t_setlen(m);
	HMAC(EVP_sha1(), pwd, (int)strlen(pwd), m->b, start, mac, &n);
	wf_rtp_wr16(m->b + start, 0x0008);
	wf_rtp_wr16(m->b + start + 2, 20);
	memcpy(m->b + start + 4, mac, 20);
}

static void t_fp(struct tmsg *m)
{
	size_t start = m->len;

	m->len += 8;
	t_setlen(m);
	wf_rtp_wr16(m->b + start, 0x8028);
	wf_rtp_wr16(m->b + start + 2, 4);
	wf_rtp_wr32(m->b + start + 4, slow_crc32(m->b, start) ^ 0x5354554eu);
}

/* A browser-like Binding request, built by the test writer. */
static void t_browser_request(struct tmsg *m, const char *user, const char *pwd)
{
	t_start(m, 0x0001, test_txid);
	t_str(m, 0x0006, user);
	t_u64(m, 0x802A, 0x1122334455667788ull);	/* ICE-CONTROLLING */
	t_attr(m, 0x0025, NULL, 0);			/* USE-CANDIDATE */
	t_u32(m, 0x0024, 0x6e7f1eff);			/* PRIORITY */
	t_mi(m, pwd);
	t_fp(m);
}

static void md5_key(const struct wf_stun_vector *v, uint8_t key[16])
{
	char buf[256];
	unsigned int n = 0;
	int len = snprintf(buf, sizeof(buf), "%s:%s:%s", v->lt_username, v->lt_realm,
			   v->lt_password);

	EVP_Digest(buf, (size_t)len, key, &n, EVP_md5(), NULL);
}

/* ---- CRC-32 ---------------------------------------------------------------- */

static void crc32_matches_the_standard_check_value(void)
{
	static const uint8_t digits[] = "123456789";

	WF_CHECK_EQ(wf_crc32(digits, 9), 0xCBF43926u);
	WF_CHECK_EQ(wf_crc32(digits, 0), 0);
}

static void crc32_update_in_pieces_equals_one_pass(void)
{
	uint8_t buf[300];
	size_t i, cut;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (cut = 0; cut <= sizeof(buf); cut += 13)
		WF_CHECK_EQ(wf_crc32_update(wf_crc32(buf, cut), buf + cut, sizeof(buf) - cut),
			    wf_crc32(buf, sizeof(buf)));
	for (i = 0; i <= sizeof(buf); i++)
		WF_CHECK_EQ(wf_crc32(buf, i), slow_crc32(buf, i));
}

/* ---- RFC 5769 ----------------------------------------------------------------- */

static void stun_rfc5769_vectors_parse(void)
{
	size_t i;

	for (i = 0; i < WF_RFC5769_VECTOR_COUNT; i++) {
		const struct wf_stun_vector *v = &wf_rfc5769_vectors[i];
		uint8_t pkt[256], txid[12];
		struct wf_stun_msg m;
		int n = vec_bytes(v, pkt, sizeof(pkt));

		WF_REQUIRE(n > 0);
		WF_REQUIRE(wf_test_unhex(v->txid_hex, txid, sizeof(txid)) == 12);
		WF_CHECKF(parse_exact(pkt, (size_t)n, &m) == 0, "%s", v->source);
		WF_CHECK_EQ(m.type, v->type);
		WF_CHECK_EQ(m.method, WF_STUN_METHOD_BINDING);
		WF_CHECK_EQ(m.cls, v->type == 0x0001 ? WF_STUN_CLASS_REQUEST : WF_STUN_CLASS_SUCCESS);
		WF_CHECK_EQ(m.len, n);
		WF_CHECK_MEM(m.txid, txid, 12);
		WF_CHECK_EQ(m.flags, 0);
		WF_CHECK_EQ(m.n_unknown, 0);
		WF_CHECK(m.integrity.off != 0);
		WF_CHECK_EQ(m.fingerprint.off != 0, v->has_fingerprint);
		if (v->has_fingerprint)	/* last attribute */
			WF_CHECK_EQ(m.fingerprint.off + 8, n);
		WF_CHECK_EQ(m.software.off != 0, v->software != NULL);
		if (v->software) {
			WF_CHECK_EQ(m.software.len, strlen(v->software));
			WF_CHECK_MEM(pkt + m.software.off + 4, v->software, strlen(v->software));
		}
		if (v->username) {
			WF_CHECK_EQ(m.username.len, strlen(v->username));
			WF_CHECK_MEM(pkt + m.username.off + 4, v->username, strlen(v->username));
		}
		WF_CHECK_EQ(m.has_priority, v->has_priority);
		WF_CHECK_EQ(m.priority, v->priority);
		WF_CHECK_EQ(m.has_controlled, v->has_controlled);
		WF_CHECK(m.controlled_tb == v->controlled_tb);
		WF_CHECK(!m.has_controlling);
		WF_CHECK(!m.use_candidate);
	}
}

static void stun_rfc5769_short_term_integrity_and_fingerprint_verify(void)
{
	size_t i;

	for (i = 0; i < WF_RFC5769_VECTOR_COUNT; i++) {
		const struct wf_stun_vector *v = &wf_rfc5769_vectors[i];
		uint8_t pkt[256];
		struct wf_stun_msg m;
		int n;

		if (!v->password)
			continue;
		n = vec_bytes(v, pkt, sizeof(pkt));
		WF_REQUIRE(n > 0 && wf_stun_parse(pkt, (size_t)n, &m) == 0);
		WF_CHECKF(wf_stun_verify_integrity(pkt, &m, v->password, strlen(v->password)) == 0,
			  "%s MI", v->source);
		WF_CHECKF(wf_stun_verify_fingerprint(pkt, &m) == 0, "%s FP", v->source);
		WF_CHECK_EQ(wf_stun_verify_integrity(pkt, &m, "VOkJxbRl1RmTxUk/WvJxBu", 22),
			    -WF_STUN_E_INTEGRITY_MISMATCH);
		WF_CHECK_EQ(wf_stun_verify_integrity(pkt, &m, "", 0),
			    -WF_STUN_E_INTEGRITY_MISMATCH);
	}
}

static void stun_rfc5769_ipv4_response_parses(void)
{
	const struct wf_stun_vector *v = &wf_rfc5769_vectors[1];
	uint8_t pkt[256], want[16];
	struct wf_stun_msg m;
	struct wf_stun_addr a;
	int n = vec_bytes(v, pkt, sizeof(pkt));

	WF_REQUIRE(n > 0 && wf_stun_parse(pkt, (size_t)n, &m) == 0);
	WF_REQUIRE(wf_stun_xor_mapped_address(pkt, &m, &a) == 0);
	WF_REQUIRE(wf_test_unhex(v->addr_hex, want, sizeof(want)) == 4);
	WF_CHECK_EQ(a.family, WF_STUN_AF_IPV4);
	WF_CHECK_EQ(a.port, 32853);
	WF_CHECK_MEM(a.addr, want, 4);	/* 192.0.2.1 */
}

static void stun_rfc5769_ipv6_response_parses(void)
{
	const struct wf_stun_vector *v = &wf_rfc5769_vectors[2];
	uint8_t pkt[256], want[16];
	struct wf_stun_msg m;
	struct wf_stun_addr a;
	int n = vec_bytes(v, pkt, sizeof(pkt));

	WF_REQUIRE(n > 0 && wf_stun_parse(pkt, (size_t)n, &m) == 0);
	WF_REQUIRE(wf_stun_xor_mapped_address(pkt, &m, &a) == 0);
	WF_REQUIRE(wf_test_unhex(v->addr_hex, want, sizeof(want)) == 16);
	WF_CHECK_EQ(a.family, WF_STUN_AF_IPV6);
	WF_CHECK_EQ(a.port, 32853);
	WF_CHECK_MEM(a.addr, want, 16);	/* 2001:db8:1234:5678:11:2233:4455:6677 */
}

static void stun_rfc5769_long_term_request_verifies_with_md5_key(void)
{
	const struct wf_stun_vector *v = &wf_rfc5769_vectors[3];
	uint8_t pkt[256], key[16];
	struct wf_stun_msg m;
	int n = vec_bytes(v, pkt, sizeof(pkt));

	WF_REQUIRE(v->lt_password != NULL);
	WF_REQUIRE(n > 0 && wf_stun_parse(pkt, (size_t)n, &m) == 0);
	WF_CHECK_EQ(m.username.len, strlen(v->lt_username));
	WF_CHECK_MEM(pkt + m.username.off + 4, v->lt_username, strlen(v->lt_username));
	WF_CHECK_EQ(m.realm.len, strlen(v->lt_realm));
	WF_CHECK_MEM(pkt + m.realm.off + 4, v->lt_realm, strlen(v->lt_realm));
	WF_CHECK_EQ(m.nonce.len, strlen(v->lt_nonce));
	WF_CHECK_MEM(pkt + m.nonce.off + 4, v->lt_nonce, strlen(v->lt_nonce));
	md5_key(v, key);
	WF_CHECK_EQ(wf_stun_verify_integrity(pkt, &m, key, sizeof(key)), 0);
	key[0] ^= 1;
	WF_CHECK_EQ(wf_stun_verify_integrity(pkt, &m, key, sizeof(key)),
		    -WF_STUN_E_INTEGRITY_MISMATCH);
	WF_CHECK_EQ(wf_stun_verify_fingerprint(pkt, &m), -WF_STUN_E_NO_FINGERPRINT);
}

/* §2.1 is a real ICE check ("evtj:h6vY", ICE-CONTROLLED): a lite agent
 * with ufrag "evtj" authenticates it and answers 487 (it cannot become
 * controlling), with MESSAGE-INTEGRITY. */
static void stun_rfc5769_request_checks_as_role_conflict(void)
{
	const struct wf_stun_vector *v = &wf_rfc5769_vectors[0];
	uint8_t pkt[256], out[256];
	struct wf_stun_binding b;
	struct wf_stun_msg r;
	const char *reason;
	size_t rlen;
	int code, n = vec_bytes(v, pkt, sizeof(pkt)), rc, len;

	WF_REQUIRE(n > 0);
	rc = wf_stun_check_binding_request(pkt, (size_t)n, "evtj", v->password, &b);
	WF_CHECK_EQ(rc, -WF_STUN_E_ROLE_CONFLICT);
	WF_CHECK(b.authenticated);
	WF_CHECK_EQ(b.error_code, 487);
	WF_CHECK(strcmp(b.remote_ufrag, "h6vY") == 0);
	WF_CHECK(b.tie_breaker == v->controlled_tb);
	WF_CHECK_EQ(b.priority, v->priority);

	len = wf_stun_answer_binding(out, sizeof(out), rc, &b, v->password, NULL);
	WF_REQUIRE(len > 0);
	WF_REQUIRE(wf_stun_parse(out, (size_t)len, &r) == 0);
	WF_CHECK_EQ(r.type, WF_STUN_BINDING_ERROR);
	WF_CHECK_MEM(r.txid, b.msg.txid, 12);
	WF_CHECK_EQ(wf_stun_error_code(out, &r, &code, &reason, &rlen), 0);
	WF_CHECK_EQ(code, 487);
	WF_CHECK(rlen == 13 && memcmp(reason, "Role Conflict", 13) == 0);
	WF_CHECK_EQ(wf_stun_verify_integrity(out, &r, v->password, strlen(v->password)), 0);
	WF_CHECK_EQ(wf_stun_verify_fingerprint(out, &r), 0);

	rc = wf_stun_check_binding_request(pkt, (size_t)n, "h6vY", v->password, &b);
	WF_CHECK_EQ(rc, -WF_STUN_E_USERNAME_MISMATCH);
	WF_CHECK_EQ(b.error_code, 401);
}

/* ---- hostile and malformed input --------------------------------------------- */

static void stun_every_truncation_is_rejected(void)
{
	size_t i, cut;

	for (i = 0; i < WF_RFC5769_VECTOR_COUNT; i++) {
		uint8_t pkt[256];
		struct wf_stun_msg m;
		int n = vec_bytes(&wf_rfc5769_vectors[i], pkt, sizeof(pkt));

		WF_REQUIRE(n > 0);
		for (cut = 0; cut < (size_t)n; cut++) {
			int rc = parse_exact(pkt, cut, &m);

			WF_CHECKF(rc == (cut < 20 ? -WF_STUN_E_TOO_SHORT : -WF_STUN_E_BAD_LENGTH),
				  "vector %zu cut %zu: %d", i, cut, rc);
		}
	}
}

/* Truncations whose header length is patched to match: the parser must
 * find attributes running past the end; no prefix passes the server check. */
static void stun_every_patched_truncation_fails_the_check(void)
{
	struct tmsg t;
	size_t cut;

	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD);
	for (cut = 20; cut < t.len; cut += 4) {
		uint8_t buf[256];
		struct wf_stun_binding b;
		struct wf_stun_msg m;
		int rc;

		memcpy(buf, t.b, cut);
		wf_rtp_wr16(buf + 2, (uint16_t)(cut - 20));
		rc = parse_exact(buf, cut, &m);
		WF_CHECKF(rc == 0 || rc == -WF_STUN_E_ATTR_TRUNCATED, "cut %zu: %d", cut, rc);
		rc = check_exact(buf, cut, &b);
		WF_CHECKF(rc != 0, "prefix of %zu bytes accepted", cut);
	}
	/* The whole message passes, so the loop above tested something. */
	{
		struct wf_stun_binding b;

		WF_CHECK_EQ(check_exact(t.b, t.len, &b), 0);
	}
}

static void stun_attribute_length_past_the_end_is_rejected(void)
{
	static const uint16_t lens[] = { 13, 16, 17, 0x100, 0x7FFF, 0xFFFF };
	struct tmsg t;
	struct wf_stun_msg m;
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		t_start(&t, 0x0001, test_txid);
		t_str(&t, 0x8022, "abcdefghijkl");	/* 12 bytes: ends the message */
		wf_rtp_wr16(t.b + 22, lens[i]);
		WF_CHECKF(parse_exact(t.b, t.len, &m) == -WF_STUN_E_ATTR_TRUNCATED,
			  "attribute length %u", lens[i]);
	}
	/* An attribute header cut in half cannot happen with a length that
	 * is a multiple of 4; a 4-byte header of length 4 with no value can. */
	t_start(&t, 0x0001, test_txid);
	wf_rtp_wr16(t.b + 20, 0x8022);
	wf_rtp_wr16(t.b + 22, 4);
	t.len = 24;
	t_setlen(&t);
	WF_CHECK_EQ(parse_exact(t.b, t.len, &m), -WF_STUN_E_ATTR_TRUNCATED);
}

static void stun_length_not_multiple_of_4_is_rejected(void)
{
	struct tmsg t;
	struct wf_stun_msg m;

	t_start(&t, 0x0001, test_txid);
	t_str(&t, 0x8022, "abcd");
	t.b[t.len++] = 0;	/* 29 bytes, header says 9 */
	wf_rtp_wr16(t.b + 2, 9);
	WF_CHECK_EQ(parse_exact(t.b, t.len, &m), -WF_STUN_E_BAD_LENGTH);
	/* Header length disagreeing with the datagram, either way. */
	t_start(&t, 0x0001, test_txid);
	t_str(&t, 0x8022, "abcd");
	wf_rtp_wr16(t.b + 2, 4);
	WF_CHECK_EQ(parse_exact(t.b, t.len, &m), -WF_STUN_E_BAD_LENGTH);
	wf_rtp_wr16(t.b + 2, 12);
	WF_CHECK_EQ(parse_exact(t.b, t.len, &m), -WF_STUN_E_BAD_LENGTH);
	wf_rtp_wr16(t.b + 2, 8);
	WF_CHECK_EQ(parse_exact(t.b, t.len, &m), 0);
}

static void stun_wrong_cookie_or_first_bits_are_not_stun(void)
{
	uint8_t pkt[256];
	struct wf_stun_msg m;
	int n = vec_bytes(&wf_rfc5769_vectors[0], pkt, sizeof(pkt));
	int bit;

	WF_REQUIRE(n > 0);
	for (bit = 0; bit < 32; bit++) {
		pkt[4 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
		WF_CHECK_EQ(parse_exact(pkt, (size_t)n, &m), -WF_STUN_E_BAD_COOKIE);
		WF_CHECK(!wf_stun_looks_like(pkt, (size_t)n));
		pkt[4 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	WF_CHECK(wf_stun_looks_like(pkt, (size_t)n));
	pkt[0] |= 0x80;
	WF_CHECK_EQ(parse_exact(pkt, (size_t)n, &m), -WF_STUN_E_NOT_STUN);
	pkt[0] ^= 0xC0;
	WF_CHECK_EQ(parse_exact(pkt, (size_t)n, &m), -WF_STUN_E_NOT_STUN);
	WF_CHECK(!wf_stun_looks_like(pkt, (size_t)n));
	/* DTLS and RTP first bytes (RFC 7983) */
	pkt[0] = 22;
	WF_CHECK(!wf_stun_looks_like(pkt, (size_t)n));
	pkt[0] = 0x80;
	WF_CHECK(!wf_stun_looks_like(pkt, (size_t)n));
	WF_CHECK(!wf_stun_looks_like(pkt, 19));
	WF_CHECK_EQ(wf_stun_parse(NULL, 20, &m), -WF_STUN_E_BAD_PARAM);
	WF_CHECK_EQ(wf_stun_parse(pkt, 20, NULL), -WF_STUN_E_BAD_PARAM);
}

static void stun_fingerprint_not_last_is_rejected(void)
{
	struct tmsg t;
	struct wf_stun_msg m;
	struct wf_stun_binding b;

	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD);
	t_str(&t, 0x8022, "after");
	WF_CHECK_EQ(parse_exact(t.b, t.len, &m), -WF_STUN_E_FINGERPRINT_NOT_LAST);
	WF_CHECK_EQ(check_exact(t.b, t.len, &b), -WF_STUN_E_FINGERPRINT_NOT_LAST);
	WF_CHECK_EQ(b.error_code, 0);
	/* two FINGERPRINTs */
	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD);
	t_fp(&t);
	WF_CHECK_EQ(parse_exact(t.b, t.len, &m), -WF_STUN_E_FINGERPRINT_NOT_LAST);
}

static void stun_thousand_tiny_attributes_are_bounded(void)
{
	struct tmsg t;
	struct wf_stun_msg m;
	int i;

	/* 1000 empty attributes: 4020 bytes, over the size limit */
	t_start(&t, 0x0001, test_txid);
	for (i = 0; i < 1000; i++)
		t_attr(&t, 0x8022, NULL, 0);
	WF_CHECK_EQ(t.len, 4020);
	WF_CHECK_EQ(parse_exact(t.b, t.len, &m), -WF_STUN_E_TOO_LONG);
	/* 300 (1220 bytes) fit the size but not the attribute count */
	t_start(&t, 0x0001, test_txid);
	for (i = 0; i < 300; i++)
		t_attr(&t, 0x8022, NULL, 0);
	WF_CHECK_EQ(parse_exact(t.b, t.len, &m), -WF_STUN_E_TOO_MANY_ATTRS);
	/* exactly the limit is fine, one more is not */
	t_start(&t, 0x0001, test_txid);
	for (i = 0; i < WF_STUN_MAX_ATTRS; i++)
		t_attr(&t, 0x8022, NULL, 0);
	WF_CHECK_EQ(parse_exact(t.b, t.len, &m), 0);
	WF_CHECK_EQ(m.attr_count, WF_STUN_MAX_ATTRS);
	WF_CHECK(m.flags & WF_STUN_F_DUPLICATE);
	t_attr(&t, 0x8022, NULL, 0);
	WF_CHECK_EQ(parse_exact(t.b, t.len, &m), -WF_STUN_E_TOO_MANY_ATTRS);
}

static void stun_oversized_message_is_rejected(void)
{
	struct tmsg t;
	struct wf_stun_msg m;
	uint8_t big[1400];

	memset(big, 'x', sizeof(big));
	t_start(&t, 0x0001, test_txid);
	t_attr(&t, 0x8022, big, sizeof(big));
	t_attr(&t, 0x8023, big, 72);	/* 20 + 1404 + 76 = 1500 */
	WF_CHECK_EQ(t.len, WF_STUN_MAX_MESSAGE);
	WF_CHECK_EQ(parse_exact(t.b, t.len, &m), -WF_STUN_E_ATTR_BAD_LEN);	/* SOFTWARE > 763 */
	t_start(&t, 0x0001, test_txid);
	t_attr(&t, 0xC001, big, sizeof(big));
	t_attr(&t, 0xC002, big, 72);
	WF_CHECK_EQ(parse_exact(t.b, t.len, &m), 0);
	t_attr(&t, 0xC003, NULL, 0);
	WF_CHECK_EQ(parse_exact(t.b, t.len, &m), -WF_STUN_E_TOO_LONG);
	WF_CHECK(!wf_stun_looks_like(t.b, t.len));
}

static void stun_bad_attribute_lengths_are_rejected(void)
{
	static const struct { uint16_t type; uint16_t len; } bad[] = {
		{ 0x0024, 3 }, { 0x0024, 8 }, { 0x0025, 4 }, { 0x802A, 4 },
		{ 0x8029, 12 }, { 0x0008, 16 }, { 0x0008, 32 }, { 0x001C, 12 },
		{ 0x001C, 18 }, { 0x001C, 36 }, { 0x8028, 8 }, { 0x0020, 12 },
		{ 0x0009, 2 }, { 0x0006, 512 },
	};
	uint8_t zeros[600] = { 0 };
	struct tmsg t;
	struct wf_stun_msg m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t_start(&t, 0x0001, test_txid);
		t_attr(&t, bad[i].type, zeros, bad[i].len);
		WF_CHECKF(parse_exact(t.b, t.len, &m) == -WF_STUN_E_ATTR_BAD_LEN,
			  "type 0x%04x len %u", bad[i].type, bad[i].len);
	}
	/* XOR-MAPPED-ADDRESS whose family disagrees with its length */
	t_start(&t, 0x0101, test_txid);
	t_attr(&t, 0x0020, (const uint8_t[8]){ 0, 2, 0, 0 }, 8);
	WF_REQUIRE(parse_exact(t.b, t.len, &m) == 0);
	{
		struct wf_stun_addr a;

		WF_CHECK_EQ(wf_stun_xor_mapped_address(t.b, &m, &a), -WF_STUN_E_BAD_ATTR);
	}
}

static void stun_tampered_byte_anywhere_fails(void)
{
	size_t i, pos;
	int bit;

	for (i = 0; i < WF_RFC5769_VECTOR_COUNT; i++) {
		const struct wf_stun_vector *v = &wf_rfc5769_vectors[i];
		uint8_t pkt[256];
		struct wf_stun_msg m0;
		int n;

		if (!v->password)
			continue;
		n = vec_bytes(v, pkt, sizeof(pkt));
		WF_REQUIRE(n > 0 && wf_stun_parse(pkt, (size_t)n, &m0) == 0);
		for (pos = 0; pos < (size_t)n; pos++) {
			for (bit = 0; bit < 8; bit += 3) {
				struct wf_stun_msg m;
				int prc, mi, fp;

				pkt[pos] ^= (uint8_t)(1u << bit);
				prc = parse_exact(pkt, (size_t)n, &m);
				mi = prc ? prc : wf_stun_verify_integrity(pkt, &m, v->password,
									   strlen(v->password));
				fp = prc ? prc : wf_stun_verify_fingerprint(pkt, &m);
				/* Everything up to the end of MESSAGE-INTEGRITY is
				 * covered by it; FINGERPRINT covers the rest. */
				if (pos < (size_t)m0.integrity.off + 24)
					WF_CHECKF(mi != 0, "%s: byte %zu bit %d passed MI",
						  v->source, pos, bit);
				WF_CHECKF(fp != 0, "%s: byte %zu bit %d passed FP", v->source,
					  pos, bit);
				pkt[pos] ^= (uint8_t)(1u << bit);
			}
		}
	}
}

/* Random mutations of a valid request never pass the server check; random
 * garbage never crashes the parser (ASan/UBSan watch the reads). */
static void stun_random_mutations_never_pass_the_check(void)
{
	struct tmsg t;
	uint32_t s = 12345;
	int iter, k, accepted = 0, parsed = 0;

	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD);
	for (iter = 0; iter < 20000; iter++) {
		uint8_t buf[256];
		struct wf_stun_binding b;
		int changed = 0;

		memcpy(buf, t.b, t.len);
		for (k = 0; k < 1 + iter % 3; k++) {
			uint8_t x;

			s = s * 1103515245u + 12345u;
			x = (uint8_t)(s >> 16);
			s = s * 1103515245u + 12345u;
			if (buf[(s >> 8) % t.len] != x)
				changed = 1;
			buf[(s >> 8) % t.len] = x;
		}
		if (!changed)
			continue;
		if (check_exact(buf, t.len, &b) == 0)
			accepted++;
	}
	WF_CHECK_EQ(accepted, 0);

	for (iter = 0; iter < 20000; iter++) {
		uint8_t buf[128];
		struct wf_stun_msg m;
		size_t n, i;

		s = s * 1103515245u + 12345u;
		n = 20 + 4 * ((s >> 16) % 27);
		for (i = 0; i < n; i++) {
			s = s * 1103515245u + 12345u;
			buf[i] = (uint8_t)(s >> 16);
		}
		/* a plausible header, random attributes */
		buf[0] &= 0x3F;
		wf_rtp_wr32(buf + 4, 0x2112A442u);
		wf_rtp_wr16(buf + 2, (uint16_t)(n - 20));
		if (iter % 2) {	/* small attribute lengths, to get deeper */
			for (i = 20; i + 4 <= n; i += 4)
				buf[i + 2] = 0;
		}
		if (parse_exact(buf, n, &m) == 0)
			parsed++;
	}
	WF_CHECK(parsed > 0);	/* the generator reached the attribute loop */
}

/* ---- ICE username ---------------------------------------------------------------- */

static int split_str(const char *s, struct wf_ice_username *u)
{
	return wf_ice_username_split((const uint8_t *)s, strlen(s), u);
}

static void ice_username_splits_local_and_remote(void)
{
	struct wf_ice_username u;

	WF_REQUIRE(split_str("abcd:EF+/9", &u) == 0);
	WF_CHECK(u.local_len == 4 && memcmp(u.local, "abcd", 4) == 0);
	WF_CHECK(u.remote_len == 5 && memcmp(u.remote, "EF+/9", 5) == 0);
}

static void ice_username_rejects_malformed(void)
{
	static const char *const bad[] = {
		"", ":", "abcd", "abcd:", ":abcd", "ab:cd:ef", "ab cd:ef", "abcd:ef\x01",
		"ab-c:def", "abc:d\xc3\xa9",
	};
	char longname[600];
	struct wf_ice_username u;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		WF_CHECKF(split_str(bad[i], &u) == -WF_STUN_E_BAD_USERNAME, "\"%s\"", bad[i]);
		WF_CHECK(u.local == NULL && u.remote == NULL);
	}
	WF_CHECK_EQ(wf_ice_username_split((const uint8_t *)"ab\0c:de", 7, &u),
		    -WF_STUN_E_BAD_USERNAME);
	WF_CHECK_EQ(wf_ice_username_split(NULL, 4, &u), -WF_STUN_E_BAD_USERNAME);
	/* 256 is the longest ufrag, 257 is too long */
	memset(longname, 'a', sizeof(longname));
	longname[256] = ':';
	memcpy(longname + 257, "wxyz", 5);
	WF_CHECK_EQ(split_str(longname, &u), 0);
	memset(longname, 'a', sizeof(longname));
	longname[257] = ':';
	memcpy(longname + 258, "wxyz", 5);
	WF_CHECK_EQ(split_str(longname, &u), -WF_STUN_E_BAD_USERNAME);
	/* a whole username over 508 bytes */
	memset(longname, 'a', sizeof(longname));
	longname[250] = ':';
	longname[509] = '\0';
	WF_CHECK_EQ(split_str(longname, &u), -WF_STUN_E_BAD_USERNAME);
}

/* ---- the server check and answers ------------------------------------------------- */

/* ---- wf_stun_peek_local_ufrag (the workers' classifier) ------------------ */

static int peek_exact(const uint8_t *p, size_t n, char *out, size_t cap)
{
	uint8_t *c = exact_copy(p, n);
	const uint8_t *u = NULL;
	size_t ul = 0;
	int rc;

	if (!c)
		return -1000;
	rc = wf_stun_peek_local_ufrag(c, n, &u, &ul);
	if (rc == 0 && (u < c || u + ul > c + n || ul >= cap))
		rc = -2000;	/* points outside the message */
	if (rc == 0) {
		memcpy(out, u, ul);
		out[ul] = '\0';
	} else if (out && cap) {
		out[0] = '\0';
		if (u || ul)
			rc = -3000;	/* a failure leaves no pointer behind */
	}
	free(c);
	return rc;
}

static void stun_peek_finds_the_local_ufrag(void)
{
	struct tmsg t;
	uint8_t v[512];
	char u[WF_ICE_UFRAG_MAX + 1];
	int n;

	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD);
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), 0);
	WF_CHECK(strcmp(u, OUR_UFRAG) == 0);
	/* RFC 5769 §2.1: USERNAME is the fourth attribute */
	n = vec_bytes(&wf_rfc5769_vectors[0], v, sizeof(v));
	WF_REQUIRE(n > 0);
	WF_CHECK_EQ(peek_exact(v, (size_t)n, u, sizeof(u)), 0);
	WF_CHECK(strcmp(u, "evtj") == 0);
	/* only the local half is read: any remote half, integrity unchecked */
	t_browser_request(&t, OUR_UFRAG ":x", "not the password");
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), 0);
	WF_CHECK(strcmp(u, OUR_UFRAG) == 0);
	/* a ufrag of 256 ice-chars is the longest */
	{
		char name[300];

		memset(name, 'a', 256);
		strcpy(name + 256, ":b");
		t_start(&t, 0x0001, test_txid);
		t_str(&t, 0x0006, name);
		WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), 0);
		WF_CHECK_EQ(strlen(u), 256);
	}
}

static void stun_peek_rejects_every_truncation(void)
{
	struct tmsg t;
	char u[WF_ICE_UFRAG_MAX + 1];
	size_t n;

	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD);
	for (n = 0; n < t.len; n++) {
		uint8_t buf[256];
		int rc;

		WF_CHECKF(peek_exact(t.b, n, u, sizeof(u)) < 0, "truncated to %zu", n);
		/* and with the header length patched to fit: never past the
		 * end; a success only once USERNAME is whole */
		memcpy(buf, t.b, n);
		if (n >= 20)
			wf_rtp_wr16(buf + 2, (uint16_t)(n - 20));
		rc = peek_exact(buf, n, u, sizeof(u));
		WF_CHECKF(rc == 0 ? n >= 20 + 4 + 12 && strcmp(u, OUR_UFRAG) == 0 : rc > -1000,
			  "patched to %zu: %d", n, rc);
	}
	WF_CHECK_EQ(peek_exact(t.b, 0, u, sizeof(u)), -WF_STUN_E_TOO_SHORT);
	WF_CHECK_EQ(peek_exact(t.b, 19, u, sizeof(u)), -WF_STUN_E_TOO_SHORT);
	WF_CHECK_EQ(peek_exact(t.b, t.len - 4, u, sizeof(u)), -WF_STUN_E_BAD_LENGTH);
}

static void stun_peek_rejects_hostile_messages(void)
{
	static const char *const bad_users[] = {
		"", "abcd", ":abcd", "ab cd:ef", "ab-c:def", "a\xc3\xa9:b", "ab\x01:cd",
	};
	const uint8_t *up = NULL;
	char u[WF_ICE_UFRAG_MAX + 1], name[600];
	struct tmsg t;
	size_t i, ul = 0;
	int k;

	/* not a Binding request: indication, success, another method */
	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD);
	wf_rtp_wr16(t.b, 0x0011);
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), -WF_STUN_E_NOT_BINDING_REQUEST);
	wf_rtp_wr16(t.b, 0x0101);
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), -WF_STUN_E_NOT_BINDING_REQUEST);
	wf_rtp_wr16(t.b, 0x0003);
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), -WF_STUN_E_NOT_BINDING_REQUEST);
	/* not STUN, wrong cookie */
	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD);
	t.b[0] |= 0x40;
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), -WF_STUN_E_NOT_STUN);
	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD);
	t.b[7] ^= 1;
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), -WF_STUN_E_BAD_COOKIE);
	/* length not a multiple of 4, or over the bytes there are */
	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD);
	WF_CHECK_EQ(peek_exact(t.b, t.len + 2, u, sizeof(u)), -WF_STUN_E_BAD_LENGTH);
	wf_rtp_wr16(t.b + 2, 0xfffc);
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), -WF_STUN_E_BAD_LENGTH);
	/* oversized: over WF_STUN_MAX_MESSAGE */
	t_start(&t, 0x0001, test_txid);
	memset(name, 'x', sizeof(name));
	for (k = 0; k < 4; k++)
		t_attr(&t, 0x8022, name, 500);
	t_str(&t, 0x0006, OUR_UFRAG ":" PEER_UFRAG);
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), -WF_STUN_E_TOO_LONG);
	/* an attribute running past the end (before USERNAME is reached) */
	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD);
	wf_rtp_wr16(t.b + 22, 0x0400);
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), -WF_STUN_E_ATTR_TRUNCATED);
	wf_rtp_wr16(t.b + 22, (uint16_t)(t.len - 20 - 4 + 1));
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), -WF_STUN_E_ATTR_TRUNCATED);
	/* the walk is bounded: USERNAME after WF_STUN_MAX_ATTRS others */
	t_start(&t, 0x0001, test_txid);
	for (k = 0; k < WF_STUN_MAX_ATTRS; k++)
		t_attr(&t, 0x8022, NULL, 0);
	t_str(&t, 0x0006, OUR_UFRAG ":" PEER_UFRAG);
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), -WF_STUN_E_TOO_MANY_ATTRS);
	t_start(&t, 0x0001, test_txid);
	for (k = 0; k < WF_STUN_MAX_ATTRS - 1; k++)
		t_attr(&t, 0x8022, NULL, 0);
	t_str(&t, 0x0006, OUR_UFRAG ":" PEER_UFRAG);
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), 0);
	/* no USERNAME at all; an empty message */
	t_start(&t, 0x0001, test_txid);
	t_u32(&t, 0x0024, 1);
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), -WF_STUN_E_NO_USERNAME);
	t_start(&t, 0x0001, test_txid);
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), -WF_STUN_E_NO_USERNAME);
	/* malformed local halves */
	for (i = 0; i < sizeof(bad_users) / sizeof(bad_users[0]); i++) {
		t_start(&t, 0x0001, test_txid);
		t_str(&t, 0x0006, bad_users[i]);
		WF_CHECKF(peek_exact(t.b, t.len, u, sizeof(u)) == -WF_STUN_E_BAD_USERNAME,
			  "\"%s\"", bad_users[i]);
	}
	/* a 257-byte local half; a username over 508 bytes */
	memset(name, 'a', sizeof(name));
	strcpy(name + 257, ":b");
	t_start(&t, 0x0001, test_txid);
	t_str(&t, 0x0006, name);
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), -WF_STUN_E_BAD_USERNAME);
	memset(name, 'a', sizeof(name));
	name[4] = ':';
	name[509] = '\0';
	t_start(&t, 0x0001, test_txid);
	t_str(&t, 0x0006, name);
	WF_CHECK_EQ(peek_exact(t.b, t.len, u, sizeof(u)), -WF_STUN_E_BAD_USERNAME);
	/* NULL arguments */
	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD);
	WF_CHECK_EQ(wf_stun_peek_local_ufrag(NULL, t.len, &up, &ul), -WF_STUN_E_BAD_PARAM);
	WF_CHECK_EQ(wf_stun_peek_local_ufrag(t.b, t.len, NULL, &ul), -WF_STUN_E_BAD_PARAM);
	WF_CHECK_EQ(wf_stun_peek_local_ufrag(t.b, t.len, &up, NULL), -WF_STUN_E_BAD_PARAM);
}

/* Random byte changes: the peek never reads outside the message (ASan),
 * and what it returns always lies inside it and is ice-chars. */
static void stun_peek_survives_random_mutations(void)
{
	struct tmsg t;
	uint32_t s = 777;
	char u[WF_ICE_UFRAG_MAX + 1];
	int iter, k, found = 0, bad = 0;

	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD);
	for (iter = 0; iter < 20000; iter++) {
		uint8_t buf[256];
		int rc;

		memcpy(buf, t.b, t.len);
		for (k = 0; k < 1 + iter % 4; k++) {
			s = s * 1103515245u + 12345u;
			buf[(s >> 8) % t.len] = (uint8_t)(s >> 20);
		}
		rc = peek_exact(buf, t.len, u, sizeof(u));
		if (rc == 0) {
			found++;
			if (strspn(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789+/") != strlen(u) || !u[0])
				bad++;
		} else if (rc <= -1000) {
			bad++;
		}
	}
	WF_CHECK_EQ(bad, 0);
	WF_CHECK(found > 0);
}

static void stun_browser_request_passes_the_check(void)
{
	struct tmsg t;
	struct wf_stun_binding b;

	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD);
	WF_REQUIRE(check_exact(t.b, t.len, &b) == 0);
	WF_CHECK(strcmp(b.remote_ufrag, PEER_UFRAG) == 0);
	WF_CHECK_EQ(b.priority, 0x6e7f1eff);
	WF_CHECK(b.use_candidate);
	WF_CHECK(b.controlling);
	WF_CHECK(b.tie_breaker == 0x1122334455667788ull);
	WF_CHECK(b.authenticated);
	WF_CHECK_EQ(b.error_code, 0);
	WF_CHECK_MEM(b.msg.txid, test_txid, 12);
}

static void stun_wrong_password_fails_with_401_without_integrity(void)
{
	struct tmsg t;
	struct wf_stun_binding b;
	struct wf_stun_msg r;
	uint8_t out[256];
	const char *reason;
	size_t rlen;
	int rc, len, code;

	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD "x");
	rc = check_exact(t.b, t.len, &b);
	WF_CHECK_EQ(rc, -WF_STUN_E_INTEGRITY_MISMATCH);
	WF_CHECK_EQ(b.error_code, 401);
	WF_CHECK(!b.authenticated);
	len = wf_stun_answer_binding(out, sizeof(out), rc, &b, OUR_PWD, NULL);
	WF_REQUIRE(len > 0);
	WF_REQUIRE(wf_stun_parse(out, (size_t)len, &r) == 0);
	WF_CHECK_EQ(r.type, WF_STUN_BINDING_ERROR);
	WF_CHECK_MEM(r.txid, test_txid, 12);
	WF_CHECK_EQ(r.integrity.off, 0);	/* RFC 8489 §9.1.3 */
	WF_CHECK_EQ(wf_stun_verify_fingerprint(out, &r), 0);
	WF_REQUIRE(wf_stun_error_code(out, &r, &code, &reason, &rlen) == 0);
	WF_CHECK_EQ(code, 401);
	WF_CHECK(rlen == 12 && memcmp(reason, "Unauthorized", 12) == 0);
}

static void stun_username_problems_fail_the_check(void)
{
	static const struct { const char *user; int rc; } cases[] = {
		{ "srvU", -WF_STUN_E_BAD_USERNAME },		/* no colon */
		{ "srvU:", -WF_STUN_E_BAD_USERNAME },		/* empty remote ufrag */
		{ ":" PEER_UFRAG, -WF_STUN_E_BAD_USERNAME },	/* empty local ufrag */
		{ "", -WF_STUN_E_BAD_USERNAME },
		{ PEER_UFRAG ":" OUR_UFRAG, -WF_STUN_E_USERNAME_MISMATCH },	/* reversed */
		{ "srvUx:" PEER_UFRAG, -WF_STUN_E_USERNAME_MISMATCH },
		{ "srv:" PEER_UFRAG, -WF_STUN_E_USERNAME_MISMATCH },
	};
	struct tmsg t;
	struct wf_stun_binding b;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_browser_request(&t, cases[i].user, OUR_PWD);
		WF_CHECKF(check_exact(t.b, t.len, &b) == cases[i].rc, "\"%s\"", cases[i].user);
		WF_CHECK_EQ(b.error_code, 401);
		WF_CHECK(!b.authenticated);
	}
}

static void stun_missing_attributes_get_the_rfc_answers(void)
{
	struct tmsg t;
	struct wf_stun_binding b;
	uint8_t out[256];

	/* no USERNAME: 400 */
	t_start(&t, 0x0001, test_txid);
	t_u32(&t, 0x0024, 1);
	t_mi(&t, OUR_PWD);
	t_fp(&t);
	WF_CHECK_EQ(check_exact(t.b, t.len, &b), -WF_STUN_E_NO_USERNAME);
	WF_CHECK_EQ(b.error_code, 400);
	/* no MESSAGE-INTEGRITY: 400 */
	t_start(&t, 0x0001, test_txid);
	t_str(&t, 0x0006, OUR_UFRAG ":" PEER_UFRAG);
	t_u32(&t, 0x0024, 1);
	t_fp(&t);
	WF_CHECK_EQ(check_exact(t.b, t.len, &b), -WF_STUN_E_NO_INTEGRITY);
	WF_CHECK_EQ(b.error_code, 400);
	/* no FINGERPRINT: dropped silently */
	t_start(&t, 0x0001, test_txid);
	t_str(&t, 0x0006, OUR_UFRAG ":" PEER_UFRAG);
	t_u32(&t, 0x0024, 1);
	t_mi(&t, OUR_PWD);
	WF_CHECK_EQ(check_exact(t.b, t.len, &b), -WF_STUN_E_NO_FINGERPRINT);
	WF_CHECK_EQ(b.error_code, 0);
	WF_CHECK_EQ(wf_stun_answer_binding(out, sizeof(out), -WF_STUN_E_NO_FINGERPRINT, &b,
					   OUR_PWD, NULL), 0);
	/* bad FINGERPRINT: dropped silently */
	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD);
	t.b[t.len - 1] ^= 1;
	WF_CHECK_EQ(check_exact(t.b, t.len, &b), -WF_STUN_E_BAD_FINGERPRINT);
	WF_CHECK_EQ(b.error_code, 0);
	/* no PRIORITY: authenticated 400, answered with MESSAGE-INTEGRITY */
	t_start(&t, 0x0001, test_txid);
	t_str(&t, 0x0006, OUR_UFRAG ":" PEER_UFRAG);
	t_u64(&t, 0x802A, 7);
	t_mi(&t, OUR_PWD);
	t_fp(&t);
	WF_CHECK_EQ(check_exact(t.b, t.len, &b), -WF_STUN_E_NO_PRIORITY);
	WF_CHECK_EQ(b.error_code, 400);
	WF_CHECK(b.authenticated);
	{
		struct wf_stun_msg r;
		int len = wf_stun_answer_binding(out, sizeof(out), -WF_STUN_E_NO_PRIORITY, &b,
						 OUR_PWD, NULL);

		WF_REQUIRE(len > 0 && wf_stun_parse(out, (size_t)len, &r) == 0);
		WF_CHECK_EQ(wf_stun_verify_integrity(out, &r, OUR_PWD, strlen(OUR_PWD)), 0);
	}
}

static void stun_non_binding_requests_are_dropped(void)
{
	uint8_t pkt[256];
	struct tmsg t;
	struct wf_stun_binding b;
	int n = vec_bytes(&wf_rfc5769_vectors[1], pkt, sizeof(pkt));

	WF_REQUIRE(n > 0);
	WF_CHECK_EQ(wf_stun_check_binding_request(pkt, (size_t)n, "evtj",
						  "VOkJxbRl1RmTxUk/WvJxBt", &b),
		    -WF_STUN_E_NOT_BINDING_REQUEST);
	WF_CHECK_EQ(b.error_code, 0);
	WF_CHECK_EQ(b.msg.cls, WF_STUN_CLASS_SUCCESS);
	/* a Binding indication (keepalive) */
	t_start(&t, 0x0011, test_txid);
	t_fp(&t);
	WF_CHECK_EQ(check_exact(t.b, t.len, &b), -WF_STUN_E_NOT_BINDING_REQUEST);
	WF_CHECK_EQ(b.msg.cls, WF_STUN_CLASS_INDICATION);
	/* an Allocate request (TURN method 0x003) */
	t_start(&t, 0x0003, test_txid);
	t_fp(&t);
	WF_CHECK_EQ(check_exact(t.b, t.len, &b), -WF_STUN_E_NOT_BINDING_REQUEST);
	WF_CHECK_EQ(b.msg.method, 0x003);
	/* bad arguments */
	WF_CHECK_EQ(wf_stun_check_binding_request(t.b, t.len, "", OUR_PWD, &b),
		    -WF_STUN_E_BAD_PARAM);
	WF_CHECK_EQ(wf_stun_check_binding_request(t.b, t.len, OUR_UFRAG, "", &b),
		    -WF_STUN_E_BAD_PARAM);
	WF_CHECK_EQ(wf_stun_check_binding_request(t.b, t.len, OUR_UFRAG, OUR_PWD, NULL),
		    -WF_STUN_E_BAD_PARAM);
}

static void stun_unknown_required_attributes_get_420(void)
{
	struct tmsg t;
	struct wf_stun_binding b;
	struct wf_stun_msg r;
	uint8_t out[256];
	int rc, len, code;
	const char *reason;
	size_t rlen;

	t_start(&t, 0x0001, test_txid);
	t_str(&t, 0x0006, OUR_UFRAG ":" PEER_UFRAG);
	t_u32(&t, 0x0024, 5);
	t_u64(&t, 0x802A, 9);
	t_str(&t, 0x7FFF, "x");
	t_str(&t, 0x0003, "yy");		/* RFC 3489 CHANGE-REQUEST: reserved now */
	t_str(&t, 0x7FFF, "again");		/* listed once */
	t_str(&t, 0xC057, "optional");		/* comprehension-optional: ignored */
	t_mi(&t, OUR_PWD);
	t_fp(&t);
	rc = check_exact(t.b, t.len, &b);
	WF_CHECK_EQ(rc, -WF_STUN_E_UNKNOWN_ATTRS);
	WF_CHECK_EQ(b.error_code, 420);
	WF_CHECK(b.authenticated);
	WF_REQUIRE(b.msg.n_unknown == 2);
	WF_CHECK(b.msg.unknown[0] == 0x7FFF && b.msg.unknown[1] == 0x0003);

	len = wf_stun_answer_binding(out, sizeof(out), rc, &b, OUR_PWD, NULL);
	WF_REQUIRE(len > 0);
	WF_REQUIRE(wf_stun_parse(out, (size_t)len, &r) == 0);
	WF_REQUIRE(wf_stun_error_code(out, &r, &code, &reason, &rlen) == 0);
	WF_CHECK_EQ(code, 420);
	WF_CHECK(rlen == 17 && memcmp(reason, "Unknown Attribute", 17) == 0);
	WF_CHECK_EQ(wf_stun_verify_integrity(out, &r, OUR_PWD, strlen(OUR_PWD)), 0);
	WF_CHECK_EQ(wf_stun_verify_fingerprint(out, &r), 0);
	/* UNKNOWN-ATTRIBUTES (0x000A) follows ERROR-CODE: find it by hand */
	{
		size_t off = r.error_code.off + 4 + ((r.error_code.len + 3u) & ~3u);

		WF_CHECK_EQ(be16(out + off), 0x000A);
		WF_CHECK_EQ(be16(out + off + 2), 4);
		WF_CHECK_EQ(be16(out + off + 4), 0x7FFF);
		WF_CHECK_EQ(be16(out + off + 6), 0x0003);
	}

	/* more than WF_STUN_MAX_UNKNOWN distinct types: flagged, first kept */
	{
		uint16_t ty;

		t_start(&t, 0x0001, test_txid);
		for (ty = 0x7F00; ty < 0x7F00 + WF_STUN_MAX_UNKNOWN + 3; ty++)
			t_attr(&t, ty, NULL, 0);
		WF_REQUIRE(parse_exact(t.b, t.len, &r) == 0);
		WF_CHECK_EQ(r.n_unknown, WF_STUN_MAX_UNKNOWN);
		WF_CHECK(r.flags & WF_STUN_F_UNKNOWN_OVERFLOW);
		WF_CHECK_EQ(r.unknown[0], 0x7F00);
	}
}

static void stun_attributes_after_integrity_are_ignored(void)
{
	struct tmsg t;
	struct wf_stun_binding b;
	size_t mi_end;

	t_start(&t, 0x0001, test_txid);
	t_str(&t, 0x0006, OUR_UFRAG ":" PEER_UFRAG);
	t_u32(&t, 0x0024, 5);
	t_u64(&t, 0x802A, 9);
	t_mi(&t, OUR_PWD);
	mi_end = t.len;
	t_str(&t, 0x7FFF, "unknown but ignored");
	t_u32(&t, 0x0024, 77);			/* not taken */
	t_attr(&t, 0x0025, NULL, 0);		/* USE-CANDIDATE: not taken either */
	t_fp(&t);
	WF_REQUIRE(check_exact(t.b, t.len, &b) == 0);
	WF_CHECK(b.msg.flags & WF_STUN_F_IGNORED_AFTER_MI);
	WF_CHECK_EQ(b.msg.n_unknown, 0);
	WF_CHECK_EQ(b.priority, 5);
	WF_CHECK(!b.use_candidate);
	WF_CHECK_EQ(b.msg.integrity.off + 24, mi_end);

	/* MESSAGE-INTEGRITY-SHA256 after MESSAGE-INTEGRITY is noted */
	t.len = mi_end;
	t_setlen(&t);
	{
		uint8_t h[32] = { 0 };

		t_attr(&t, 0x001C, h, 32);
	}
	t_fp(&t);
	WF_REQUIRE(check_exact(t.b, t.len, &b) == 0);
	WF_CHECK_EQ(b.msg.integrity_sha256.off, mi_end);
	WF_CHECK_EQ(b.msg.integrity_sha256.len, 32);
	WF_CHECK_EQ(b.msg.flags & WF_STUN_F_IGNORED_AFTER_MI, 0);
}

static void stun_duplicate_attributes_first_wins(void)
{
	struct tmsg t;
	struct wf_stun_binding b;

	t_start(&t, 0x0001, test_txid);
	t_str(&t, 0x0006, OUR_UFRAG ":" PEER_UFRAG);
	t_str(&t, 0x0006, "evil:user");
	t_u32(&t, 0x0024, 111);
	t_u32(&t, 0x0024, 222);
	t_u64(&t, 0x802A, 1);
	t_u64(&t, 0x802A, 2);
	t_mi(&t, OUR_PWD);
	t_fp(&t);
	WF_REQUIRE(check_exact(t.b, t.len, &b) == 0);
	WF_CHECK(b.msg.flags & WF_STUN_F_DUPLICATE);
	WF_CHECK_EQ(b.priority, 111);
	WF_CHECK(b.tie_breaker == 1);
	WF_CHECK(strcmp(b.remote_ufrag, PEER_UFRAG) == 0);
}

/* ---- builders and round trips ------------------------------------------------------ */

static void roundtrip(const struct wf_stun_addr *peer)
{
	struct wf_stun_request_params p = {
		.txid = test_txid, .remote_ufrag = OUR_UFRAG, .local_ufrag = PEER_UFRAG,
		.remote_pwd = OUR_PWD, .priority = 0x7e7f00ff, .tie_breaker = 0xdeadbeefcafef00dull,
		.controlling = true, .use_candidate = true,
	};
	uint8_t req[256], resp[256];
	struct wf_stun_binding b;
	struct wf_stun_msg r;
	struct wf_stun_addr got;
	int n, rc, len;

	n = wf_stun_build_binding_request(req, sizeof(req), &p);
	WF_REQUIRE(n > 0);
	WF_CHECK_EQ(n % 4, 0);
	WF_CHECK(wf_stun_looks_like(req, (size_t)n));
	rc = check_exact(req, (size_t)n, &b);
	WF_REQUIRE(rc == 0);
	WF_CHECK(strcmp(b.remote_ufrag, PEER_UFRAG) == 0);
	WF_CHECK_EQ(b.priority, 0x7e7f00ff);
	WF_CHECK(b.use_candidate && b.controlling);
	WF_CHECK(b.tie_breaker == 0xdeadbeefcafef00dull);
	/* the test-side FINGERPRINT oracle agrees with the library's */
	WF_CHECK_EQ(be32(req + n - 4), slow_crc32(req, (size_t)n - 8) ^ 0x5354554eu);

	len = wf_stun_answer_binding(resp, sizeof(resp), rc, &b, OUR_PWD, peer);
	WF_REQUIRE(len > 0);
	WF_REQUIRE(parse_exact(resp, (size_t)len, &r) == 0);
	WF_CHECK_EQ(r.type, WF_STUN_BINDING_SUCCESS);
	WF_CHECK_MEM(r.txid, test_txid, 12);
	WF_CHECK_EQ(wf_stun_verify_integrity(resp, &r, OUR_PWD, strlen(OUR_PWD)), 0);
	WF_CHECK_EQ(wf_stun_verify_integrity(resp, &r, PEER_UFRAG, strlen(PEER_UFRAG)),
		    -WF_STUN_E_INTEGRITY_MISMATCH);
	WF_CHECK_EQ(wf_stun_verify_fingerprint(resp, &r), 0);
	WF_REQUIRE(wf_stun_xor_mapped_address(resp, &r, &got) == 0);
	WF_CHECK_EQ(got.family, peer->family);
	WF_CHECK_EQ(got.port, peer->port);
	WF_CHECK_MEM(got.addr, peer->addr, peer->family == WF_STUN_AF_IPV4 ? 4 : 16);
	WF_CHECK_EQ(r.xor_mapped.len, peer->family == WF_STUN_AF_IPV4 ? 8 : 20);
	/* the address is XORed on the wire, not in clear */
	WF_CHECK(memcmp(resp + r.xor_mapped.off + 8, peer->addr, 4) != 0);

	/* tampering any byte of the response breaks MI or FINGERPRINT */
	{
		size_t pos;

		for (pos = 0; pos < (size_t)len; pos++) {
			struct wf_stun_msg m;
			int prc, ok;

			resp[pos] ^= 0x10;
			prc = parse_exact(resp, (size_t)len, &m);
			ok = prc == 0 &&
			     wf_stun_verify_integrity(resp, &m, OUR_PWD, strlen(OUR_PWD)) == 0 &&
			     wf_stun_verify_fingerprint(resp, &m) == 0;
			WF_CHECKF(!ok, "tampered byte %zu passed", pos);
			resp[pos] ^= 0x10;
		}
	}
}

static void stun_ipv4_success_roundtrip(void)
{
	struct wf_stun_addr a = { .family = WF_STUN_AF_IPV4, .port = 50123,
				  .addr = { 203, 0, 113, 7 } };

	roundtrip(&a);
}

static void stun_ipv6_success_roundtrip(void)
{
	struct wf_stun_addr a = { .family = WF_STUN_AF_IPV6, .port = 1,
				  .addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					    0, 0, 0, 0, 0xfe, 0xdc, 0xba, 0x98 } };

	roundtrip(&a);
}

/* Our builder reproduces the RFC 5769 §2.2/§2.3 XOR-MAPPED-ADDRESS bytes. */
static void stun_builder_xor_address_matches_rfc5769(void)
{
	size_t i;

	for (i = 1; i <= 2; i++) {
		const struct wf_stun_vector *v = &wf_rfc5769_vectors[i];
		uint8_t pkt[256], out[256], txid[12];
		struct wf_stun_msg m, r;
		struct wf_stun_addr a = { .family = v->family, .port = v->port };
		int n = vec_bytes(v, pkt, sizeof(pkt)), len;

		WF_REQUIRE(n > 0 && wf_stun_parse(pkt, (size_t)n, &m) == 0);
		WF_REQUIRE(wf_test_unhex(v->addr_hex, a.addr, sizeof(a.addr)) > 0);
		WF_REQUIRE(wf_test_unhex(v->txid_hex, txid, sizeof(txid)) == 12);
		len = wf_stun_build_binding_success(out, sizeof(out), txid, &a, v->password);
		WF_REQUIRE(len > 0 && wf_stun_parse(out, (size_t)len, &r) == 0);
		WF_REQUIRE(r.xor_mapped.len == m.xor_mapped.len);
		WF_CHECK_MEM(out + r.xor_mapped.off, pkt + m.xor_mapped.off,
			     4u + m.xor_mapped.len);
	}
}

static void stun_response_built_in_place_over_the_request(void)
{
	struct tmsg t;
	struct wf_stun_msg r;
	struct wf_stun_addr a = { .family = WF_STUN_AF_IPV4, .port = 9, .addr = { 10, 0, 0, 1 } };
	struct wf_stun_addr got;
	int len;

	t_browser_request(&t, OUR_UFRAG ":" PEER_UFRAG, OUR_PWD);
	len = wf_stun_build_binding_success(t.b, sizeof(t.b), t.b + 8, &a, OUR_PWD);
	WF_REQUIRE(len > 0 && wf_stun_parse(t.b, (size_t)len, &r) == 0);
	WF_CHECK_MEM(r.txid, test_txid, 12);
	WF_CHECK_EQ(wf_stun_verify_integrity(t.b, &r, OUR_PWD, strlen(OUR_PWD)), 0);
	WF_REQUIRE(wf_stun_xor_mapped_address(t.b, &r, &got) == 0);
	WF_CHECK_MEM(got.addr, a.addr, 4);
}

static void stun_error_responses_carry_code_and_reason(void)
{
	static const int codes[] = { 400, 401, 487, 500, 600 };
	static const char *const reasons[] = {
		"Bad Request", "Unauthorized", "Role Conflict", "Server Error", "Error",
	};
	uint8_t out[256];
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct wf_stun_msg r;
		const char *reason;
		size_t rlen;
		int code, len;

		len = wf_stun_build_binding_error(out, sizeof(out), test_txid, codes[i], NULL, 0,
						  i % 2 ? OUR_PWD : NULL);
		WF_REQUIRE(len > 0 && wf_stun_parse(out, (size_t)len, &r) == 0);
		WF_CHECK_EQ(r.cls, WF_STUN_CLASS_ERROR);
		WF_REQUIRE(wf_stun_error_code(out, &r, &code, &reason, &rlen) == 0);
		WF_CHECK_EQ(code, codes[i]);
		WF_CHECK(rlen == strlen(reasons[i]) && memcmp(reason, reasons[i], rlen) == 0);
		WF_CHECK_EQ(r.integrity.off != 0, i % 2 == 1);
		WF_CHECK_EQ(wf_stun_verify_fingerprint(out, &r), 0);
	}
	WF_CHECK_EQ(wf_stun_build_binding_error(out, sizeof(out), test_txid, 299, NULL, 0, NULL),
		    -WF_STUN_E_BAD_PARAM);
	WF_CHECK_EQ(wf_stun_build_binding_error(out, sizeof(out), test_txid, 700, NULL, 0, NULL),
		    -WF_STUN_E_BAD_PARAM);
	WF_CHECK_EQ(wf_stun_build_binding_error(out, sizeof(out), test_txid, 420, NULL, 0, NULL),
		    -WF_STUN_E_BAD_PARAM);
	/* a received ERROR-CODE with a bad class or number */
	{
		struct tmsg t;
		struct wf_stun_msg r;
		const char *reason;
		size_t rlen;
		int code;

		t_start(&t, 0x0111, test_txid);
		t_attr(&t, 0x0009, (const uint8_t[4]){ 0, 0, 4, 100 }, 4);
		WF_REQUIRE(parse_exact(t.b, t.len, &r) == 0);
		WF_CHECK_EQ(wf_stun_error_code(t.b, &r, &code, &reason, &rlen), -WF_STUN_E_BAD_ATTR);
		t_start(&t, 0x0111, test_txid);
		t_attr(&t, 0x0009, (const uint8_t[4]){ 0, 0, 7, 0 }, 4);
		WF_REQUIRE(parse_exact(t.b, t.len, &r) == 0);
		WF_CHECK_EQ(wf_stun_error_code(t.b, &r, &code, &reason, &rlen), -WF_STUN_E_BAD_ATTR);
		WF_CHECK_EQ(wf_stun_xor_mapped_address(t.b, &r, &(struct wf_stun_addr){ 0 }),
			    -WF_STUN_E_NOT_FOUND);
	}
}

/* Every builder, at every capacity below what it needs: -NO_ROOM and not a
 * byte written past the capacity. */
static void stun_builders_respect_capacity(void)
{
	static const uint16_t unk[] = { 0x7FFF, 0x0003, 0x0004 };
	struct wf_stun_request_params p = {
		.txid = test_txid, .remote_ufrag = OUR_UFRAG, .local_ufrag = PEER_UFRAG,
		.remote_pwd = OUR_PWD, .priority = 1, .tie_breaker = 2,
		.controlling = true, .use_candidate = true,
	};
	struct wf_stun_addr a6 = { .family = WF_STUN_AF_IPV6, .port = 5 };
	int which;

	for (which = 0; which < 4; which++) {
		uint8_t buf[300];
		int need = -1;
		size_t cap;

		for (cap = 0; cap < 200; cap++) {
			int rc;
			size_t i;

			memset(buf, 0xA5, sizeof(buf));
			switch (which) {
			case 0: rc = wf_stun_build_binding_request(buf, cap, &p); break;
			case 1: rc = wf_stun_build_binding_success(buf, cap, test_txid, &a6, OUR_PWD); break;
			case 2: rc = wf_stun_build_binding_error(buf, cap, test_txid, 420, unk, 3, OUR_PWD); break;
			default: rc = wf_stun_build_binding_error(buf, cap, test_txid, 401, NULL, 0, NULL); break;
			}
			for (i = cap; i < sizeof(buf); i++)
				if (buf[i] != 0xA5)
					break;
			WF_CHECKF(i == sizeof(buf), "builder %d cap %zu wrote at %zu", which, cap, i);
			if (rc > 0) {
				need = rc;
				WF_CHECK_EQ((size_t)rc, cap);
				break;
			}
			WF_CHECKF(rc == -WF_STUN_E_NO_ROOM, "builder %d cap %zu: %d", which, cap, rc);
		}
		WF_CHECKF(need > 0, "builder %d never fit", which);
	}
}

static void stun_builders_reject_bad_parameters(void)
{
	uint8_t out[256];
	struct wf_stun_request_params p = {
		.txid = test_txid, .remote_ufrag = OUR_UFRAG, .local_ufrag = PEER_UFRAG,
		.remote_pwd = OUR_PWD, .controlling = false,
	};
	struct wf_stun_addr bad = { .family = 3 };
	struct wf_stun_binding b;
	int n;

	n = wf_stun_build_binding_request(out, sizeof(out), &p);	/* ICE-CONTROLLED */
	WF_REQUIRE(n > 0);
	WF_CHECK_EQ(wf_stun_check_binding_request(out, (size_t)n, OUR_UFRAG, OUR_PWD, &b),
		    -WF_STUN_E_ROLE_CONFLICT);
	WF_CHECK_EQ(b.error_code, 487);
	p.local_ufrag = "a:b";
	WF_CHECK_EQ(wf_stun_build_binding_request(out, sizeof(out), &p), -WF_STUN_E_BAD_PARAM);
	p.local_ufrag = "";
	WF_CHECK_EQ(wf_stun_build_binding_request(out, sizeof(out), &p), -WF_STUN_E_BAD_PARAM);
	p.local_ufrag = PEER_UFRAG;
	p.remote_pwd = "";
	WF_CHECK_EQ(wf_stun_build_binding_request(out, sizeof(out), &p), -WF_STUN_E_BAD_PARAM);
	p.remote_pwd = OUR_PWD;
	p.txid = NULL;
	WF_CHECK_EQ(wf_stun_build_binding_request(out, sizeof(out), &p), -WF_STUN_E_BAD_PARAM);
	WF_CHECK_EQ(wf_stun_build_binding_success(out, sizeof(out), test_txid, &bad, OUR_PWD),
		    -WF_STUN_E_BAD_PARAM);
	WF_CHECK_EQ(wf_stun_build_binding_success(out, sizeof(out), test_txid, NULL, OUR_PWD),
		    -WF_STUN_E_BAD_PARAM);
	WF_CHECK_EQ(wf_stun_build_binding_request(NULL, 100, &p), -WF_STUN_E_BAD_PARAM);
}

static void stun_every_error_has_a_reason(void)
{
	int e;

	for (e = 0; e < WF_STUN_E_COUNT; e++) {
		const char *s = wf_stun_strerror(-e);

		WF_CHECKF(s && *s, "error %d has no reason", e);
		WF_CHECK(wf_stun_strerror(e) == s);
	}
	WF_CHECK(strcmp(wf_stun_strerror(-WF_STUN_E_COUNT), "unknown STUN error") == 0);
	WF_CHECK(strcmp(wf_stun_error_reason(420), "Unknown Attribute") == 0);
	WF_CHECK(wf_stun_error_reason(299) == NULL);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(crc32_matches_the_standard_check_value);
	WF_RUN(crc32_update_in_pieces_equals_one_pass);
	WF_RUN(stun_rfc5769_vectors_parse);
	WF_RUN(stun_rfc5769_short_term_integrity_and_fingerprint_verify);
	WF_RUN(stun_rfc5769_ipv4_response_parses);
	WF_RUN(stun_rfc5769_ipv6_response_parses);
	WF_RUN(stun_rfc5769_long_term_request_verifies_with_md5_key);
	WF_RUN(stun_rfc5769_request_checks_as_role_conflict);
	WF_RUN(stun_every_truncation_is_rejected);
	WF_RUN(stun_every_patched_truncation_fails_the_check);
	WF_RUN(stun_attribute_length_past_the_end_is_rejected);
	WF_RUN(stun_length_not_multiple_of_4_is_rejected);
	WF_RUN(stun_wrong_cookie_or_first_bits_are_not_stun);
	WF_RUN(stun_fingerprint_not_last_is_rejected);
	WF_RUN(stun_thousand_tiny_attributes_are_bounded);
	WF_RUN(stun_oversized_message_is_rejected);
	WF_RUN(stun_bad_attribute_lengths_are_rejected);
	WF_RUN(stun_tampered_byte_anywhere_fails);
	WF_RUN(stun_random_mutations_never_pass_the_check);
	WF_RUN(ice_username_splits_local_and_remote);
	WF_RUN(ice_username_rejects_malformed);
	WF_RUN(stun_peek_finds_the_local_ufrag);
	WF_RUN(stun_peek_rejects_every_truncation);
	WF_RUN(stun_peek_rejects_hostile_messages);
	WF_RUN(stun_peek_survives_random_mutations);
	WF_RUN(stun_browser_request_passes_the_check);
	WF_RUN(stun_wrong_password_fails_with_401_without_integrity);
	WF_RUN(stun_username_problems_fail_the_check);
	WF_RUN(stun_missing_attributes_get_the_rfc_answers);
	WF_RUN(stun_non_binding_requests_are_dropped);
	WF_RUN(stun_unknown_required_attributes_get_420);
	WF_RUN(stun_attributes_after_integrity_are_ignored);
	WF_RUN(stun_duplicate_attributes_first_wins);
	WF_RUN(stun_ipv4_success_roundtrip);
	WF_RUN(stun_ipv6_success_roundtrip);
	WF_RUN(stun_builder_xor_address_matches_rfc5769);
	WF_RUN(stun_response_built_in_place_over_the_request);
	WF_RUN(stun_error_responses_carry_code_and_reason);
	WF_RUN(stun_builders_respect_capacity);
	WF_RUN(stun_builders_reject_bad_parameters);
	WF_RUN(stun_every_error_has_a_reason);
	return wf_test_done();
}
