/* stun.c: STUN parsing, checks and building for ICE-lite (see stun.h). */
#include "stun/stun.h"
#include "stun/crc32.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

/* ---- byte order helpers ------------------------------------------------ */

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

static inline void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)(v >> 32));
	wr32(p + 4, (uint32_t)v);
}

/* ---- errors -------------------------------------------------------------- */

static const char *const wf_stun_errstr[WF_STUN_E_COUNT] = {
	[WF_STUN_OK] = "success",
#define WF_STUN_STR_(n, s) [WF_STUN_E_##n] = s,
	WF_STUN_ERRORS(WF_STUN_STR_)
#undef WF_STUN_STR_
};

const char *wf_stun_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= WF_STUN_E_COUNT)
		return "unknown STUN error";
	return wf_stun_errstr[err];
}

/* Reason phrases of the codes RFC 8489 §14.8 and RFC 8445 §7.3.1.1 name. */
const char *wf_stun_error_reason(int code)
{
	switch (code) {
	case 300: return "Try Alternate";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 420: return "Unknown Attribute";
	case 438: return "Stale Nonce";
	case 487: return "Role Conflict";
	case 500: return "Server Error";
	default: return NULL;
	}
}

/* ---- parsing ------------------------------------------------------------- */

/* Comprehension-required types (0x0000-0x7FFF) we understand: RFC 8489
 * §18.3.1 and RFC 8445 §16.1.  Anything else in that range earns a 420. */
static bool known_required(uint16_t type)
{
	switch (type) {
	case WF_STUN_ATTR_MAPPED_ADDRESS:
	case WF_STUN_ATTR_USERNAME:
	case WF_STUN_ATTR_MESSAGE_INTEGRITY:
	case WF_STUN_ATTR_ERROR_CODE:
	case WF_STUN_ATTR_UNKNOWN_ATTRIBUTES:
	case WF_STUN_ATTR_REALM:
	case WF_STUN_ATTR_NONCE:
	case WF_STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
	case WF_STUN_ATTR_PASSWORD_ALGORITHM:
	case WF_STUN_ATTR_USERHASH:
	case WF_STUN_ATTR_XOR_MAPPED_ADDRESS:
	case WF_STUN_ATTR_PRIORITY:
	case WF_STUN_ATTR_USE_CANDIDATE:
		return true;
	default:
		return false;
	}
}

static void note_unknown(struct wf_stun_msg *msg, uint16_t type)
{
	unsigned i;

	for (i = 0; i < msg->n_unknown; i++)
		if (msg->unknown[i] == type)
			return;
	if (msg->n_unknown == WF_STUN_MAX_UNKNOWN) {
		msg->flags |= WF_STUN_F_UNKNOWN_OVERFLOW;
		return;
	}
	msg->unknown[msg->n_unknown++] = type;
}

/* Records one attribute position unless already present (RFC 8489 §14:
 * "only the first occurrence needs to be processed").  Returns true when
 * this is the first. */
static bool take(struct wf_stun_msg *msg, struct wf_stun_attr_pos *pos,
		 size_t off, uint16_t alen)
{
	if (pos->off) {
		msg->flags |= WF_STUN_F_DUPLICATE;
		return false;
	}
	pos->off = (uint16_t)off;
	pos->len = alen;
	return true;
}

static bool take_flag(struct wf_stun_msg *msg, bool *has)
{
	if (*has) {
		msg->flags |= WF_STUN_F_DUPLICATE;
		return false;
	}
	*has = true;
	return true;
}

/* Handles one attribute at off (its header) whose value is alen bytes at
 * v.  Returns 0 or -WF_STUN_E_ATTR_BAD_LEN. */
static int parse_attr(struct wf_stun_msg *msg, size_t off, uint16_t type,
		      uint16_t alen, const uint8_t *v)
{
	switch (type) {
	case WF_STUN_ATTR_USERNAME:	/* §14.3 */
		if (alen > WF_STUN_MAX_USERNAME)
			return -WF_STUN_E_ATTR_BAD_LEN;
		take(msg, &msg->username, off, alen);
		return 0;
	case WF_STUN_ATTR_MESSAGE_INTEGRITY:	/* §14.5: an HMAC-SHA1 */
		if (alen != WF_STUN_HMAC_SHA1_LEN)
			return -WF_STUN_E_ATTR_BAD_LEN;
		take(msg, &msg->integrity, off, alen);
		return 0;
	case WF_STUN_ATTR_MESSAGE_INTEGRITY_SHA256:	/* §14.6: 16..32, x4 */
		if (alen < 16 || alen > 32 || alen % 4)
			return -WF_STUN_E_ATTR_BAD_LEN;
		take(msg, &msg->integrity_sha256, off, alen);
		return 0;
	case WF_STUN_ATTR_FINGERPRINT:	/* §14.7 */
		if (alen != 4)
			return -WF_STUN_E_ATTR_BAD_LEN;
		take(msg, &msg->fingerprint, off, alen);
		return 0;
	case WF_STUN_ATTR_XOR_MAPPED_ADDRESS:	/* §14.2: IPv4 8, IPv6 20 */
		if (alen != 8 && alen != 20)
			return -WF_STUN_E_ATTR_BAD_LEN;
		take(msg, &msg->xor_mapped, off, alen);
		return 0;
	case WF_STUN_ATTR_ERROR_CODE:	/* §14.8: 4 + reason (<= 763) */
		if (alen < 4 || alen > 4 + 763)
			return -WF_STUN_E_ATTR_BAD_LEN;
		take(msg, &msg->error_code, off, alen);
		return 0;
	case WF_STUN_ATTR_SOFTWARE:	/* §14.14 */
	case WF_STUN_ATTR_REALM:	/* §14.9 */
	case WF_STUN_ATTR_NONCE:	/* §14.10 */
		if (alen > 763)
			return -WF_STUN_E_ATTR_BAD_LEN;
		take(msg, type == WF_STUN_ATTR_SOFTWARE ? &msg->software :
			  type == WF_STUN_ATTR_REALM ? &msg->realm : &msg->nonce,
		     off, alen);
		return 0;
	case WF_STUN_ATTR_PRIORITY:	/* RFC 8445 §16.1: 32 bits */
		if (alen != 4)
			return -WF_STUN_E_ATTR_BAD_LEN;
		if (take_flag(msg, &msg->has_priority))
			msg->priority = rd32(v);
		return 0;
	case WF_STUN_ATTR_USE_CANDIDATE:	/* RFC 8445 §16.1: no value */
		if (alen != 0)
			return -WF_STUN_E_ATTR_BAD_LEN;
		take_flag(msg, &msg->use_candidate);
		return 0;
	case WF_STUN_ATTR_ICE_CONTROLLING:	/* RFC 8445 §16.1: 64 bits */
		if (alen != 8)
			return -WF_STUN_E_ATTR_BAD_LEN;
		if (take_flag(msg, &msg->has_controlling))
			msg->controlling_tb = rd64(v);
		return 0;
	case WF_STUN_ATTR_ICE_CONTROLLED:
		if (alen != 8)
			return -WF_STUN_E_ATTR_BAD_LEN;
		if (take_flag(msg, &msg->has_controlled))
			msg->controlled_tb = rd64(v);
		return 0;
	default:
		/* §14: 0x0000-0x7FFF must be understood, 0x8000-0xFFFF may be
		 * ignored. */
		if (type < 0x8000 && !known_required(type))
			note_unknown(msg, type);
		return 0;
	}
}

int wf_stun_parse(const uint8_t *pkt, size_t len, struct wf_stun_msg *msg)
{
	size_t off;
	uint16_t mlen;

	if (!msg)
		return -WF_STUN_E_BAD_PARAM;
	memset(msg, 0, sizeof(*msg));
	if (!pkt)
		return -WF_STUN_E_BAD_PARAM;
	if (len < WF_STUN_HEADER_LEN)
		return -WF_STUN_E_TOO_SHORT;
	if (pkt[0] & 0xC0)	/* RFC 8489 §5: the two most significant bits are zero */
		return -WF_STUN_E_NOT_STUN;
	if (rd32(pkt + 4) != WF_STUN_MAGIC_COOKIE)
		return -WF_STUN_E_BAD_COOKIE;

	msg->type = rd16(pkt) & 0x3FFF;
	/* §5: M11..M7 C1 M6..M4 C0 M3..M0 */
	msg->method = (uint16_t)((msg->type & 0x000F) | ((msg->type >> 1) & 0x0070) |
				 ((msg->type >> 2) & 0x0F80));
	msg->cls = (uint8_t)(((msg->type >> 7) & 0x2) | ((msg->type >> 4) & 0x1));
	memcpy(msg->txid, pkt + 8, WF_STUN_TXID_LEN);

	if (len > WF_STUN_MAX_MESSAGE)
		return -WF_STUN_E_TOO_LONG;
	mlen = rd16(pkt + 2);
	/* §5: the length excludes the header and is a multiple of 4 (every
	 * attribute is padded); over UDP it must match the datagram. */
	if (mlen % 4 || (size_t)mlen != len - WF_STUN_HEADER_LEN)
		return -WF_STUN_E_BAD_LENGTH;
	msg->len = (uint16_t)len;

	for (off = WF_STUN_HEADER_LEN; off < len;) {
		uint16_t type, alen;
		size_t padded;
		int rc;

		if (len - off < 4)
			return -WF_STUN_E_ATTR_TRUNCATED;
		type = rd16(pkt + off);
		alen = rd16(pkt + off + 2);
		padded = ((size_t)alen + 3) & ~(size_t)3;	/* §14: 4-byte boundary */
		if (padded > len - off - 4)
			return -WF_STUN_E_ATTR_TRUNCATED;
		if (++msg->attr_count > WF_STUN_MAX_ATTRS)
			return -WF_STUN_E_TOO_MANY_ATTRS;
		/* §14.7: FINGERPRINT is the last attribute. */
		if (msg->fingerprint.off)
			return -WF_STUN_E_FINGERPRINT_NOT_LAST;

		/* §14.5, §14.6: after MESSAGE-INTEGRITY only
		 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT count; after
		 * MESSAGE-INTEGRITY-SHA256 only FINGERPRINT.  The rest is
		 * ignored (not even reported as unknown). */
		if ((msg->integrity.off || msg->integrity_sha256.off) &&
		    type != WF_STUN_ATTR_FINGERPRINT &&
		    !(type == WF_STUN_ATTR_MESSAGE_INTEGRITY_SHA256 &&
		      !msg->integrity_sha256.off)) {
			msg->flags |= WF_STUN_F_IGNORED_AFTER_MI;
			off += 4 + padded;
			continue;
		}
		rc = parse_attr(msg, off, type, alen, pkt + off + 4);
		if (rc)
			return rc;
		off += 4 + padded;
	}
	return 0;
}

bool wf_stun_looks_like(const uint8_t *pkt, size_t len)
{
	if (!pkt || len < WF_STUN_HEADER_LEN || len > WF_STUN_MAX_MESSAGE)
		return false;
	if (pkt[0] > 3)		/* RFC 7983 §7: STUN is first byte 0..3 */
		return false;
	if (rd32(pkt + 4) != WF_STUN_MAGIC_COOKIE)
		return false;
	return (size_t)rd16(pkt + 2) == len - WF_STUN_HEADER_LEN && len % 4 == 0;
}

/* ---- integrity and fingerprint ------------------------------------------ */

/* HMAC-SHA1 of n bytes.  Returns true on success. */
static bool hmac_sha1(const void *key, size_t key_len, const uint8_t *data, size_t n,
		      uint8_t mac[WF_STUN_HMAC_SHA1_LEN])
{
	static const uint8_t empty_key[1];
	unsigned int mac_len = 0;

	if (key_len > INT_MAX)
		return false;
	if (!key || key_len == 0)
		key = empty_key;	/* OpenSSL reads a NULL key as "keep the old one" */
	if (!HMAC(EVP_sha1(), key, (int)key_len, data, n, mac, &mac_len))
		return false;
	return mac_len == WF_STUN_HMAC_SHA1_LEN;
}

int wf_stun_verify_integrity(const uint8_t *pkt, const struct wf_stun_msg *msg,
			     const void *key, size_t key_len)
{
	uint8_t copy[WF_STUN_MAX_MESSAGE];
	uint8_t mac[WF_STUN_HMAC_SHA1_LEN];
	size_t mi;
	int ok;

	if (!pkt || !msg)
		return -WF_STUN_E_BAD_PARAM;
	mi = msg->integrity.off;
	if (!mi)
		return -WF_STUN_E_NO_INTEGRITY;
	if (mi < WF_STUN_HEADER_LEN || mi + WF_STUN_MI_ATTR_LEN > msg->len ||
	    msg->integrity.len != WF_STUN_HMAC_SHA1_LEN)
		return -WF_STUN_E_BAD_PARAM;	/* msg was not from wf_stun_parse() */

	/* §14.5: the HMAC covers the message up to the attribute, with the
	 * header length pointing at the end of MESSAGE-INTEGRITY (attributes
	 * after it, such as FINGERPRINT, are left out).  The packet is const,
	 * so the adjusted header goes into a copy. */
	memcpy(copy, pkt, mi);
	wr16(copy + 2, (uint16_t)(mi + WF_STUN_MI_ATTR_LEN - WF_STUN_HEADER_LEN));
	if (!hmac_sha1(key, key_len, copy, mi, mac))
		return -WF_STUN_E_INTEGRITY_MISMATCH;
	ok = CRYPTO_memcmp(mac, pkt + mi + 4, WF_STUN_HMAC_SHA1_LEN) == 0;
	return ok ? 0 : -WF_STUN_E_INTEGRITY_MISMATCH;
}

int wf_stun_verify_fingerprint(const uint8_t *pkt, const struct wf_stun_msg *msg)
{
	size_t fp;
	uint32_t crc;

	if (!pkt || !msg)
		return -WF_STUN_E_BAD_PARAM;
	fp = msg->fingerprint.off;
	if (!fp)
		return -WF_STUN_E_NO_FINGERPRINT;
	if (fp < WF_STUN_HEADER_LEN || fp + WF_STUN_FP_ATTR_LEN > msg->len)
		return -WF_STUN_E_BAD_PARAM;
	/* §14.7: CRC-32 of the message up to the attribute (the header length
	 * already counts FINGERPRINT, which is last) XOR 0x5354554e. */
	crc = wf_crc32(pkt, fp) ^ WF_STUN_FINGERPRINT_XOR;
	return crc == rd32(pkt + fp + 4) ? 0 : -WF_STUN_E_BAD_FINGERPRINT;
}

/* ---- attribute decoders -------------------------------------------------- */

/* The 16 bytes an address is XORed with: cookie then transaction id. */
static void xor_key(const uint8_t txid[WF_STUN_TXID_LEN], uint8_t key[16])
{
	wr32(key, WF_STUN_MAGIC_COOKIE);
	memcpy(key + 4, txid, WF_STUN_TXID_LEN);
}

int wf_stun_xor_mapped_address(const uint8_t *pkt, const struct wf_stun_msg *msg,
			       struct wf_stun_addr *out)
{
	const uint8_t *v;
	uint8_t key[16];
	size_t n, i;

	if (!pkt || !msg || !out)
		return -WF_STUN_E_BAD_PARAM;
	memset(out, 0, sizeof(*out));
	if (!msg->xor_mapped.off)
		return -WF_STUN_E_NOT_FOUND;
	v = pkt + msg->xor_mapped.off + 4;
	/* §14.2: 8 reserved bits, family, X-Port, X-Address */
	if (v[1] == WF_STUN_AF_IPV4 && msg->xor_mapped.len == 8)
		n = 4;
	else if (v[1] == WF_STUN_AF_IPV6 && msg->xor_mapped.len == 20)
		n = 16;
	else
		return -WF_STUN_E_BAD_ATTR;
	xor_key(msg->txid, key);
	out->family = v[1];
	out->port = rd16(v + 2) ^ (uint16_t)(WF_STUN_MAGIC_COOKIE >> 16);
	for (i = 0; i < n; i++)
		out->addr[i] = v[4 + i] ^ key[i];
	return 0;
}

int wf_stun_error_code(const uint8_t *pkt, const struct wf_stun_msg *msg,
		       int *code, const char **reason, size_t *reason_len)
{
	const uint8_t *v;
	unsigned cls, num;

	if (!pkt || !msg || !code || !reason || !reason_len)
		return -WF_STUN_E_BAD_PARAM;
	if (!msg->error_code.off)
		return -WF_STUN_E_NOT_FOUND;
	v = pkt + msg->error_code.off + 4;
	cls = v[2] & 0x7;	/* §14.8: 21 reserved bits, class (3), number (8) */
	num = v[3];
	if (cls < 3 || cls > 6 || num > 99)
		return -WF_STUN_E_BAD_ATTR;
	*code = (int)(cls * 100 + num);
	*reason = (const char *)v + 4;
	*reason_len = msg->error_code.len - 4u;
	return 0;
}

/* ---- ICE username --------------------------------------------------------- */

/* RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/" */
static bool ice_chars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return false;
	}
	return true;
}

static bool valid_ufrag(const char *s, size_t n)
{
	return n >= 1 && n <= WF_ICE_UFRAG_MAX && ice_chars(s, n);
}

int wf_ice_username_split(const uint8_t *user, size_t len, struct wf_ice_username *out)
{
	const uint8_t *colon;

	if (!out)
		return -WF_STUN_E_BAD_PARAM;
	memset(out, 0, sizeof(*out));
	if (!user || len == 0 || len > WF_STUN_MAX_USERNAME)
		return -WF_STUN_E_BAD_USERNAME;
	colon = memchr(user, ':', len);
	if (!colon)
		return -WF_STUN_E_BAD_USERNAME;
	out->local = (const char *)user;
	out->local_len = (size_t)(colon - user);
	out->remote = (const char *)colon + 1;
	out->remote_len = len - out->local_len - 1;
	/* A second colon fails the ice-char test of the remote half. */
	if (!valid_ufrag(out->local, out->local_len) ||
	    !valid_ufrag(out->remote, out->remote_len)) {
		memset(out, 0, sizeof(*out));
		return -WF_STUN_E_BAD_USERNAME;
	}
	return 0;
}

int wf_stun_peek_local_ufrag(const uint8_t *pkt, size_t len, const uint8_t **ufrag,
			     size_t *ufrag_len)
{
	size_t off = WF_STUN_HEADER_LEN;
	const uint8_t *colon;
	unsigned n;

	if (!pkt || !ufrag || !ufrag_len)
		return -WF_STUN_E_BAD_PARAM;
	*ufrag = NULL;
	*ufrag_len = 0;
	if (len < WF_STUN_HEADER_LEN)
		return -WF_STUN_E_TOO_SHORT;
	if (pkt[0] & 0xc0)
		return -WF_STUN_E_NOT_STUN;
	if (rd32(pkt + 4) != WF_STUN_MAGIC_COOKIE)
		return -WF_STUN_E_BAD_COOKIE;
	if (len > WF_STUN_MAX_MESSAGE)
		return -WF_STUN_E_TOO_LONG;
	if ((size_t)rd16(pkt + 2) != len - WF_STUN_HEADER_LEN || len % 4)
		return -WF_STUN_E_BAD_LENGTH;
	if (rd16(pkt) != WF_STUN_BINDING_REQUEST)
		return -WF_STUN_E_NOT_BINDING_REQUEST;
	for (n = 0; off < len; n++) {
		size_t alen;

		if (n == WF_STUN_MAX_ATTRS)
			return -WF_STUN_E_TOO_MANY_ATTRS;
		if (len - off < 4)
			return -WF_STUN_E_ATTR_TRUNCATED;
		alen = rd16(pkt + off + 2);
		if (alen > len - off - 4)
			return -WF_STUN_E_ATTR_TRUNCATED;
		if (rd16(pkt + off) == WF_STUN_ATTR_USERNAME) {
			if (alen == 0 || alen > WF_STUN_MAX_USERNAME)
				return -WF_STUN_E_BAD_USERNAME;
			colon = memchr(pkt + off + 4, ':', alen);
			if (!colon || !valid_ufrag((const char *)pkt + off + 4,
						   (size_t)(colon - (pkt + off + 4))))
				return -WF_STUN_E_BAD_USERNAME;
			*ufrag = pkt + off + 4;
			*ufrag_len = (size_t)(colon - *ufrag);
			return 0;
		}
		off += 4 + ((alen + 3) & ~(size_t)3);	/* §14: padded to 4 */
	}
	return -WF_STUN_E_NO_USERNAME;
}

/* ---- the server's check ---------------------------------------------------- */

static int fail(struct wf_stun_binding *b, int err, uint16_t stun_code)
{
	b->error_code = stun_code;
	return -err;
}

int wf_stun_check_binding_request(const uint8_t *pkt, size_t len,
				  const char *our_ufrag, const char *our_pwd,
				  struct wf_stun_binding *out)
{
	const struct wf_stun_msg *m;
	struct wf_ice_username u;
	size_t ufrag_len, pwd_len;
	int rc;

	if (!out)
		return -WF_STUN_E_BAD_PARAM;
	memset(out, 0, sizeof(*out));
	if (!pkt || !our_ufrag || !our_pwd)
		return -WF_STUN_E_BAD_PARAM;
	ufrag_len = strlen(our_ufrag);
	pwd_len = strlen(our_pwd);
	if (!valid_ufrag(our_ufrag, ufrag_len) || pwd_len == 0)
		return -WF_STUN_E_BAD_PARAM;
	m = &out->msg;

	/* RFC 8489 §6.3: what fails the basic checks is dropped silently. */
	rc = wf_stun_parse(pkt, len, &out->msg);
	if (rc)
		return rc;
	if (m->type != WF_STUN_BINDING_REQUEST)
		return -WF_STUN_E_NOT_BINDING_REQUEST;
	/* RFC 8445 §7.2.2 requires FINGERPRINT; on a port shared with DTLS
	 * and SRTP (RFC 7983) a bad one means "not ours": drop. */
	rc = wf_stun_verify_fingerprint(pkt, m);
	if (rc)
		return rc;

	/* RFC 8489 §9.1.3: no USERNAME or MESSAGE-INTEGRITY: 400; an
	 * unknown username or a wrong HMAC: 401.  Neither answer carries
	 * MESSAGE-INTEGRITY. */
	if (!m->username.off)
		return fail(out, WF_STUN_E_NO_USERNAME, 400);
	if (!m->integrity.off)
		return fail(out, WF_STUN_E_NO_INTEGRITY, 400);
	rc = wf_ice_username_split(pkt + m->username.off + 4, m->username.len, &u);
	if (rc)
		return fail(out, WF_STUN_E_BAD_USERNAME, 401);
	/* RFC 8445 §7.3: the part before the colon is our ufrag. */
	if (u.local_len != ufrag_len || memcmp(u.local, our_ufrag, ufrag_len) != 0)
		return fail(out, WF_STUN_E_USERNAME_MISMATCH, 401);
	rc = wf_stun_verify_integrity(pkt, m, our_pwd, pwd_len);
	if (rc)
		return fail(out, WF_STUN_E_INTEGRITY_MISMATCH, 401);
	out->authenticated = true;

	memcpy(out->remote_ufrag, u.remote, u.remote_len);
	out->remote_ufrag[u.remote_len] = '\0';
	out->priority = m->priority;
	out->use_candidate = m->use_candidate;
	if (m->has_controlling) {
		out->controlling = true;
		out->tie_breaker = m->controlling_tb;
	} else if (m->has_controlled) {
		out->tie_breaker = m->controlled_tb;
	}

	/* RFC 8489 §6.3.1: unknown comprehension-required attributes, checked
	 * once authentication passed: 420 with UNKNOWN-ATTRIBUTES. */
	if (m->n_unknown)
		return fail(out, WF_STUN_E_UNKNOWN_ATTRS, 420);
	if (!m->has_priority)
		return fail(out, WF_STUN_E_NO_PRIORITY, 400);
	/* RFC 8445 §7.3.1.1: both sides controlled.  A lite agent cannot take
	 * the controlling role (§6.1.1), so the peer must: 487.  A request
	 * with neither attribute (an RFC 5245 legacy peer) is accepted. */
	if (!m->has_controlling && m->has_controlled)
		return fail(out, WF_STUN_E_ROLE_CONFLICT, 487);
	return 0;
}

/* ---- building ------------------------------------------------------------- */

struct writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
};

/* Writes the header.  txid may point into out (memmove). */
static int w_start(struct writer *w, uint8_t *out, size_t cap, uint16_t type,
		   const uint8_t *txid)
{
	if (!out || !txid)
		return -WF_STUN_E_BAD_PARAM;
	if (cap > WF_STUN_MAX_MESSAGE)
		cap = WF_STUN_MAX_MESSAGE;	/* what our own parser accepts */
	if (cap < WF_STUN_HEADER_LEN)
		return -WF_STUN_E_NO_ROOM;
	memmove(out + 8, txid, WF_STUN_TXID_LEN);
	wr16(out, type);
	wr16(out + 2, 0);
	wr32(out + 4, WF_STUN_MAGIC_COOKIE);
	w->buf = out;
	w->cap = cap;
	w->len = WF_STUN_HEADER_LEN;
	return 0;
}

/* Appends an attribute header and zero padding; returns where its vlen
 * value bytes go, or NULL when it does not fit.  The header length is kept
 * up to date so MESSAGE-INTEGRITY and FINGERPRINT see the length §14.5 and
 * §14.7 ask for. */
static uint8_t *w_attr(struct writer *w, uint16_t type, size_t vlen)
{
	size_t padded = (vlen + 3) & ~(size_t)3;
	uint8_t *p;

	if (vlen > 0xFFFF || padded + 4 > w->cap - w->len)
		return NULL;
	p = w->buf + w->len;
	wr16(p, type);
	wr16(p + 2, (uint16_t)vlen);
	memset(p + 4 + vlen, 0, padded - vlen);
	w->len += 4 + padded;
	wr16(w->buf + 2, (uint16_t)(w->len - WF_STUN_HEADER_LEN));
	return p + 4;
}

static int w_integrity(struct writer *w, const char *pwd)
{
	uint8_t *v = w_attr(w, WF_STUN_ATTR_MESSAGE_INTEGRITY, WF_STUN_HMAC_SHA1_LEN);

	if (!v)
		return -WF_STUN_E_NO_ROOM;
	/* §14.5: header length already ends at this attribute. */
	if (!hmac_sha1(pwd, strlen(pwd), w->buf, w->len - WF_STUN_MI_ATTR_LEN, v))
		return -WF_STUN_E_BAD_PARAM;
	return 0;
}

static int w_fingerprint(struct writer *w)
{
	uint8_t *v = w_attr(w, WF_STUN_ATTR_FINGERPRINT, 4);

	if (!v)
		return -WF_STUN_E_NO_ROOM;
	wr32(v, wf_crc32(w->buf, w->len - WF_STUN_FP_ATTR_LEN) ^ WF_STUN_FINGERPRINT_XOR);
	return 0;
}

/* Ends a message with the optional MESSAGE-INTEGRITY and FINGERPRINT.
 * Returns the length or -err. */
static int w_finish(struct writer *w, const char *pwd)
{
	int rc;

	if (pwd) {
		rc = w_integrity(w, pwd);
		if (rc)
			return rc;
	}
	rc = w_fingerprint(w);
	if (rc)
		return rc;
	return (int)w->len;
}

int wf_stun_build_binding_success(uint8_t *out, size_t cap,
				  const uint8_t txid[WF_STUN_TXID_LEN],
				  const struct wf_stun_addr *mapped, const char *pwd)
{
	struct writer w;
	uint8_t key[16], *v;
	size_t n, i;
	int rc;

	if (!mapped || !pwd || !*pwd)
		return -WF_STUN_E_BAD_PARAM;
	if (mapped->family == WF_STUN_AF_IPV4)
		n = 4;
	else if (mapped->family == WF_STUN_AF_IPV6)
		n = 16;
	else
		return -WF_STUN_E_BAD_PARAM;
	rc = w_start(&w, out, cap, WF_STUN_BINDING_SUCCESS, txid);
	if (rc)
		return rc;
	/* Read the txid back from out: the caller's copy may have been
	 * overwritten if it pointed into out. */
	xor_key(out + 8, key);
	v = w_attr(&w, WF_STUN_ATTR_XOR_MAPPED_ADDRESS, 4 + n);
	if (!v)
		return -WF_STUN_E_NO_ROOM;
	/* RFC 8489 §14.2 */
	v[0] = 0;
	v[1] = mapped->family;
	wr16(v + 2, mapped->port ^ (uint16_t)(WF_STUN_MAGIC_COOKIE >> 16));
	for (i = 0; i < n; i++)
		v[4 + i] = mapped->addr[i] ^ key[i];
	return w_finish(&w, pwd);
}

#define WF_STUN_MAX_UNKNOWN_LIST 32	/* types one 420 lists at most */

int wf_stun_build_binding_error(uint8_t *out, size_t cap,
				const uint8_t txid[WF_STUN_TXID_LEN], int code,
				const uint16_t *unknown, size_t n_unknown,
				const char *pwd)
{
	struct writer w;
	const char *reason;
	size_t rlen, i;
	uint8_t *v;
	int rc;

	if (code < 300 || code > 699)	/* §14.8: class 3..6 */
		return -WF_STUN_E_BAD_PARAM;
	if (code == 420 && (!unknown || n_unknown == 0 ||
			    n_unknown > WF_STUN_MAX_UNKNOWN_LIST))
		return -WF_STUN_E_BAD_PARAM;	/* §14.13: 420 lists them */
	if (pwd && !*pwd)
		return -WF_STUN_E_BAD_PARAM;
	reason = wf_stun_error_reason(code);
	if (!reason)
		reason = "Error";
	rlen = strlen(reason);
	rc = w_start(&w, out, cap, WF_STUN_BINDING_ERROR, txid);
	if (rc)
		return rc;
	v = w_attr(&w, WF_STUN_ATTR_ERROR_CODE, 4 + rlen);
	if (!v)
		return -WF_STUN_E_NO_ROOM;
	v[0] = 0;
	v[1] = 0;
	v[2] = (uint8_t)(code / 100);
	v[3] = (uint8_t)(code % 100);
	memcpy(v + 4, reason, rlen);
	if (code == 420) {
		v = w_attr(&w, WF_STUN_ATTR_UNKNOWN_ATTRIBUTES, 2 * n_unknown);
		if (!v)
			return -WF_STUN_E_NO_ROOM;
		for (i = 0; i < n_unknown; i++)
			wr16(v + 2 * i, unknown[i]);
	}
	return w_finish(&w, pwd);
}

int wf_stun_build_binding_request(uint8_t *out, size_t cap,
				  const struct wf_stun_request_params *p)
{
	struct writer w;
	size_t rlen, llen;
	uint8_t *v;
	int rc;

	if (!p || !p->remote_ufrag || !p->local_ufrag || !p->remote_pwd || !*p->remote_pwd)
		return -WF_STUN_E_BAD_PARAM;
	rlen = strlen(p->remote_ufrag);
	llen = strlen(p->local_ufrag);
	if (!valid_ufrag(p->remote_ufrag, rlen) || !valid_ufrag(p->local_ufrag, llen) ||
	    rlen + 1 + llen > WF_STUN_MAX_USERNAME)
		return -WF_STUN_E_BAD_PARAM;
	rc = w_start(&w, out, cap, WF_STUN_BINDING_REQUEST, p->txid);
	if (rc)
		return rc;
	/* RFC 8445 §7.2.2: USERNAME is "their ufrag:our ufrag". */
	v = w_attr(&w, WF_STUN_ATTR_USERNAME, rlen + 1 + llen);
	if (!v)
		return -WF_STUN_E_NO_ROOM;
	memcpy(v, p->remote_ufrag, rlen);
	v[rlen] = ':';
	memcpy(v + rlen + 1, p->local_ufrag, llen);
	/* RFC 8445 §7.1.3: the role and its tie-breaker. */
	v = w_attr(&w, p->controlling ? WF_STUN_ATTR_ICE_CONTROLLING :
		   WF_STUN_ATTR_ICE_CONTROLLED, 8);
	if (!v)
		return -WF_STUN_E_NO_ROOM;
	wr64(v, p->tie_breaker);
	if (p->use_candidate && !w_attr(&w, WF_STUN_ATTR_USE_CANDIDATE, 0))
		return -WF_STUN_E_NO_ROOM;
	v = w_attr(&w, WF_STUN_ATTR_PRIORITY, 4);	/* RFC 8445 §7.1.1 */
	if (!v)
		return -WF_STUN_E_NO_ROOM;
	wr32(v, p->priority);
	return w_finish(&w, p->remote_pwd);
}

int wf_stun_answer_binding(uint8_t *out, size_t cap, int rc,
			   const struct wf_stun_binding *b, const char *our_pwd,
			   const struct wf_stun_addr *peer)
{
	const struct wf_stun_msg *m;

	if (!b || !our_pwd)
		return -WF_STUN_E_BAD_PARAM;
	m = &b->msg;
	if (rc == 0)
		return wf_stun_build_binding_success(out, cap, m->txid, peer, our_pwd);
	if (!b->error_code)
		return 0;	/* drop silently */
	return wf_stun_build_binding_error(out, cap, m->txid, b->error_code,
					   b->error_code == 420 ? m->unknown : NULL,
					   b->error_code == 420 ? m->n_unknown : 0,
					   b->authenticated ? our_pwd : NULL);
}
