/* fuzz_stun.c: fuzz target 1, STUN as the ICE-lite server sees it.
 *
 * Input: one flags byte, then a datagram.  Flag bit 0 re-signs the
 * datagram before the checks (MESSAGE-INTEGRITY under our password and
 * FINGERPRINT recomputed, where the message has them), so mutated messages
 * also reach the code behind authentication.  The target then drives what
 * app/ does with a datagram (wf_stun_check_binding_request, then
 * wf_stun_answer_binding into a buffer of a capacity the input picks) and
 * the decoders the client side uses, and checks every answer it builds
 * parses, carries a valid FINGERPRINT and, when the request
 * authenticated, a MESSAGE-INTEGRITY under our password.
 * Credentials are RFC 5769 §2.1's, so its sample request authenticates.
 *
 * With flags 0x02 (bit 7 clear) the bytes are instead the parameters of a
 * request the load client builds (wf_stun_build_binding_request: its
 * ufrag from the input, priority, tie-breaker, role, USE-CANDIDATE): the
 * server must accept it exactly as sent, or refuse a controlled peer with
 * 487, or a ufrag that is not ice-chars.
 */
#include "fuzz/fuzz.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "rtp/rtp.h"
#include "stun/crc32.h"
#include "stun/stun.h"

#define OUR_UFRAG	"evtj"
#define OUR_PWD		"VOkJxbRl1RmTxUk/WvJxBt"

#define FLAG_RESIGN	0x01
#define FLAG_CLIENT	0x02
#define FLAG_TIGHT	0x80

/* Recomputes MESSAGE-INTEGRITY and FINGERPRINT of a message that parses
 * (RFC 8489 §14.5, §14.7: each covers the message before it, with the
 * header length ending just after it). */
static void resign(uint8_t *b, size_t len)
{
	struct wf_stun_msg m;
	unsigned int n = 0;
	uint32_t crc;

	if (wf_stun_parse(b, len, &m) != 0)
		return;
	if (m.integrity.off && m.integrity.len == WF_STUN_HMAC_SHA1_LEN) {
		wf_rtp_wr16(b + 2, (uint16_t)(m.integrity.off + WF_STUN_MI_ATTR_LEN - WF_STUN_HEADER_LEN));
		HMAC(EVP_sha1(), OUR_PWD, (int)strlen(OUR_PWD), b, m.integrity.off,
		     b + m.integrity.off + 4, &n);
	}
	if (m.fingerprint.off && m.fingerprint.len == 4) {
		wf_rtp_wr16(b + 2, (uint16_t)(m.fingerprint.off + WF_STUN_FP_ATTR_LEN - WF_STUN_HEADER_LEN));
		crc = wf_crc32(b, m.fingerprint.off) ^ WF_STUN_FINGERPRINT_XOR;
		b[m.fingerprint.off + 4] = (uint8_t)(crc >> 24);
		b[m.fingerprint.off + 5] = (uint8_t)(crc >> 16);
		b[m.fingerprint.off + 6] = (uint8_t)(crc >> 8);
		b[m.fingerprint.off + 7] = (uint8_t)crc;
	}
	wf_rtp_wr16(b + 2, (uint16_t)(len - WF_STUN_HEADER_LEN));
}

/* The decoders a client runs on a response, and USERNAME's split. */
static void decode_all(const uint8_t *b, const struct wf_stun_msg *m)
{
	struct wf_stun_addr a;
	struct wf_ice_username u;
	const char *reason;
	size_t reason_len;
	int code;

	(void)wf_stun_verify_integrity(b, m, OUR_PWD, strlen(OUR_PWD));
	(void)wf_stun_verify_fingerprint(b, m);
	if (wf_stun_xor_mapped_address(b, m, &a) == 0)
		WF_FUZZ_CHECK(a.family == WF_STUN_AF_IPV4 || a.family == WF_STUN_AF_IPV6);
	if (wf_stun_error_code(b, m, &code, &reason, &reason_len) == 0) {
		WF_FUZZ_CHECK(reason_len <= m->error_code.len);
		WF_FUZZ_CHECK(reason_len == 0 || (reason >= (const char *)b &&
			      reason + reason_len <= (const char *)b + m->len));
		(void)wf_stun_error_reason(code);
	}
	if (m->username.off && wf_ice_username_split(b + m->username.off + 4, m->username.len,
						     &u) == 0)
		WF_FUZZ_CHECK(u.local_len >= 1 && u.remote_len >= 1 &&
			      u.local_len + 1 + u.remote_len == m->username.len);
}

/* What the server sends back must be a well-formed, signed answer. */
static void check_answer(const uint8_t *out, int n, size_t cap, int rc,
			 const struct wf_stun_binding *b)
{
	struct wf_stun_msg m;

	WF_FUZZ_CHECK(n >= 0 || n == -WF_STUN_E_NO_ROOM);
	if (n <= 0)
		return;
	WF_FUZZ_CHECK((size_t)n <= cap);
	WF_FUZZ_CHECK(wf_stun_parse(out, (size_t)n, &m) == 0);
	WF_FUZZ_CHECK(memcmp(m.txid, b->msg.txid, WF_STUN_TXID_LEN) == 0);
	WF_FUZZ_CHECK(wf_stun_verify_fingerprint(out, &m) == 0);
	WF_FUZZ_CHECK(m.cls == (rc == 0 ? WF_STUN_CLASS_SUCCESS : WF_STUN_CLASS_ERROR));
	if (b->authenticated)
		WF_FUZZ_CHECK(wf_stun_verify_integrity(out, &m, OUR_PWD, strlen(OUR_PWD)) == 0);
	decode_all(out, &m);
}

/* The load client's request, built from the input, checked by the server. */
static void client_request(const uint8_t *data, size_t len)
{
	static uint8_t out[WF_STUN_MAX_MESSAGE + 64];
	static const uint8_t txid[WF_STUN_TXID_LEN] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2 };
	struct wf_stun_request_params rp;
	struct wf_stun_binding b;
	struct wf_fuzz_in in;
	char ufrag[WF_ICE_UFRAG_MAX + 8];
	const uint8_t *u;
	size_t ulen;
	int n, rc;

	wf_fuzz_in_init(&in, data, len);
	memset(&rp, 0, sizeof(rp));
	rp.priority = wf_fuzz_u32(&in);
	rp.tie_breaker = (uint64_t)wf_fuzz_u32(&in) << 32 | wf_fuzz_u32(&in);
	rp.controlling = wf_fuzz_u8(&in) & 1;
	rp.use_candidate = wf_fuzz_u8(&in) & 1;
	u = wf_fuzz_bytes(&in, sizeof(ufrag) - 1, &ulen);
	memcpy(ufrag, u, ulen);
	ufrag[ulen] = '\0';
	rp.txid = txid;
	rp.remote_ufrag = OUR_UFRAG;
	rp.local_ufrag = ufrag;
	rp.remote_pwd = OUR_PWD;
	n = wf_stun_build_binding_request(out, sizeof(out), &rp);
	if (n <= 0)
		return;
	WF_FUZZ_CHECK((size_t)n <= sizeof(out));
	memset(&b, 0, sizeof(b));
	rc = wf_stun_check_binding_request(out, (size_t)n, OUR_UFRAG, OUR_PWD, &b);
	if (rc == -WF_STUN_E_BAD_USERNAME)
		return;
	WF_FUZZ_CHECK(rc == (rp.controlling ? 0 : -WF_STUN_E_ROLE_CONFLICT));
	WF_FUZZ_CHECK(b.authenticated);
	if (rc == 0) {
		WF_FUZZ_CHECK(strcmp(b.remote_ufrag, ufrag) == 0);
		WF_FUZZ_CHECK(b.priority == rp.priority && b.use_candidate == rp.use_candidate);
		WF_FUZZ_CHECK(b.tie_breaker == rp.tie_breaker && b.controlling);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[WF_STUN_MAX_MESSAGE + 64];
	static uint8_t out[WF_STUN_MAX_MESSAGE + 64];
	struct wf_stun_addr peer = { .family = WF_STUN_AF_IPV4, .port = 50000,
				     .addr = { 198, 18, 0, 7 } };
	struct wf_stun_binding b;
	struct wf_stun_msg m;
	uint8_t flags, *copy;
	size_t len, cap;
	int rc, n;

	if (size < 1)
		return 0;
	flags = data[0];
	len = size - 1;
	if ((flags & (FLAG_CLIENT | FLAG_TIGHT)) == FLAG_CLIENT) {
		client_request(data + 1, len);
		return 0;
	}
	/* The same bytes in an exact-size heap block: a read past the end
	 * trips ASan (the static buffer would hide it). */
	copy = malloc(len ? len : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, len);
	if ((flags & FLAG_RESIGN) && len <= sizeof(pkt))
		resign(copy, len);

	(void)wf_stun_looks_like(copy, len);
	if (wf_stun_parse(copy, len, &m) == 0) {
		WF_FUZZ_CHECK(m.len == len);
		decode_all(copy, &m);
	}

	memset(&b, 0, sizeof(b));
	rc = wf_stun_check_binding_request(copy, len, OUR_UFRAG, OUR_PWD, &b);
	WF_FUZZ_CHECK(rc <= 0);
	if (rc == 0)
		WF_FUZZ_CHECK(b.authenticated);
	/* Capacity chosen by the flags: full, or tight enough to hit NO_ROOM. */
	cap = (flags & FLAG_TIGHT) ? (size_t)(flags & 0x7f) : sizeof(out);
	n = wf_stun_answer_binding(out, cap, rc, &b, OUR_PWD, &peer);
	check_answer(out, n, cap, rc, &b);
	if (rc == 0) {
		/* An IPv6 peer is answered too (XOR with the transaction id). */
		static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

		peer.family = WF_STUN_AF_IPV6;
		memcpy(peer.addr, v6, sizeof(v6));
		n = wf_stun_answer_binding(out, sizeof(out), rc, &b, OUR_PWD, &peer);
		check_answer(out, n, sizeof(out), rc, &b);
	}
	free(copy);
	return 0;
}
