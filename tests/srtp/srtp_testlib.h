/* srtp_testlib.h: helpers shared by the tests/srtp/test_*.c binaries.
 *
 * Header-only (static inline): the Makefile compiles only the test_ files
 * of tests/srtp and the sources of tests/common, and these helpers are
 * SRTP-specific, not part of the common harness.
 *
 * The oracle is libsrtp2: a session per direction and SSRC, ssrc_specific,
 * window 128, no repeated transmissions.  Its SRTCP sender starts at index
 * 1 (it increments before use), so tests start our SRTCP index at 1 too.
 */
#ifndef WF_TESTS_SRTP_TESTLIB_H
#define WF_TESTS_SRTP_TESTLIB_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "srtp/srtp.h"
#include "rtp/rtp.h"
#include "wf_test.h"

#define T_PKT_CAP	(WF_SRTP_MAX_PACKET + 64)

static const enum wf_srtp_profile t_profiles[WF_SRTP_PROFILE_COUNT] = {
	WF_SRTP_AES128_CM_SHA1_80, WF_SRTP_AES128_CM_SHA1_32,
	WF_SRTP_AEAD_AES_128_GCM, WF_SRTP_AEAD_AES_256_GCM,
};

/* xorshift64*: deterministic test data, seeded per test. */
static inline uint64_t t_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static inline void t_fill(uint64_t *s, uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(t_rand(s) >> 56);
}

static inline const char *t_pname(enum wf_srtp_profile p)
{
	static const char *names[] = { "CM_80", "CM_32", "GCM_128", "GCM_256" };

	return (unsigned)p < WF_SRTP_PROFILE_COUNT ? names[p] : "?";
}

static inline size_t t_key_len(enum wf_srtp_profile p)
{
	return p == WF_SRTP_AEAD_AES_256_GCM ? 32 : 16;
}

static inline size_t t_salt_len(enum wf_srtp_profile p)
{
	return p >= WF_SRTP_AEAD_AES_128_GCM ? 12 : 14;
}

/* RFC 3711 §4.2 / RFC 7714 §12: bytes of tag on SRTP and on SRTCP. */
static inline size_t t_rtp_tag(enum wf_srtp_profile p)
{
	static const uint8_t tag[] = { 10, 4, 16, 16 };

	return tag[p];
}

static inline size_t t_rtcp_tag(enum wf_srtp_profile p)
{
	return p >= WF_SRTP_AEAD_AES_128_GCM ? 16 : 10;
}

static inline uint32_t t_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Shape of a test RTP packet (RFC 3550 §5.1, §5.3.1). */
struct t_rtp {
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	uint8_t pt;
	unsigned csrcs;		/* 0..15 */
	int ext_words;		/* -1: no extension; else its length in words */
	bool padding;		/* P bit (the payload's last byte is then the count) */
};

/* Writes the header of r at out; returns its length (≤ 12+60+4+4*ext). */
static inline size_t t_rtp_header(uint8_t *out, const struct t_rtp *r)
{
	size_t n = 12;
	unsigned i;

	out[0] = (uint8_t)(0x80 | (r->padding ? 0x20 : 0) |
			   (r->ext_words >= 0 ? 0x10 : 0) | (r->csrcs & 15));
	out[1] = r->pt & 0x7f;
	wf_rtp_wr16(out + 2, r->seq);
	wf_rtp_wr32(out + 4, r->ts);
	wf_rtp_wr32(out + 8, r->ssrc);
	for (i = 0; i < r->csrcs; i++, n += 4)
		wf_rtp_wr32(out + n, 0xc5c00000u + i);
	if (r->ext_words >= 0) {
		int w;

		wf_rtp_wr16(out + n, 0xbede);	/* RFC 8285 one-byte form */
		wf_rtp_wr16(out + n + 2, (uint16_t)r->ext_words);
		n += 4;
		for (w = 0; w < r->ext_words; w++, n += 4)
			wf_rtp_wr32(out + n, 0x10aa0000u + (uint32_t)w);
	}
	return n;
}

/* Header + payload; with padding set the last payload byte is forced to a
 * pad count ≤ payload length (RFC 3550 §5.1). */
static inline size_t t_rtp_packet(uint8_t *out, const struct t_rtp *r,
				  const uint8_t *payload, size_t plen)
{
	size_t h = t_rtp_header(out, r);

	memcpy(out + h, payload, plen);
	if (r->padding && plen > 0)
		out[h + plen - 1] = (uint8_t)(plen < 255 ? plen : 255);
	return h + plen;
}

/* RTCP compound SR + SDES(CNAME) (RFC 3550 §6.4.1, §6.5); returns length. */
static inline size_t t_rtcp_compound(uint8_t *out, uint32_t ssrc, unsigned cname_len)
{
	size_t n = 0, sdes_start, item_len;
	unsigned i;

	out[0] = 0x80; out[1] = 200; wf_rtp_wr16(out + 2, 6);
	wf_rtp_wr32(out + 4, ssrc);
	wf_rtp_wr32(out + 8, 0xe1234567u); wf_rtp_wr32(out + 12, 0x89abcdefu);
	wf_rtp_wr32(out + 16, 0x00112233u); wf_rtp_wr32(out + 20, 42); wf_rtp_wr32(out + 24, 4200);
	n = 28;
	sdes_start = n;
	out[n] = 0x81; out[n + 1] = 202;
	wf_rtp_wr32(out + n + 4, ssrc);
	n += 8;
	out[n++] = 1;	/* CNAME */
	out[n++] = (uint8_t)cname_len;
	for (i = 0; i < cname_len; i++)
		out[n++] = (uint8_t)('a' + i % 26);
	out[n++] = 0;	/* END, then pad to a word */
	while ((n - sdes_start) % 4)
		out[n++] = 0;
	item_len = n - sdes_start;
	wf_rtp_wr16(out + sdes_start + 2, (uint16_t)(item_len / 4 - 1));
	return n;
}

/* An engine with ipsec-mb's own pick for every profile. */
static inline struct wf_srtp_engine *t_engine(void)
{
	return wf_srtp_engine_create(NULL);
}

static inline int t_derive(struct wf_srtp_engine *e, struct wf_srtp_keys *k,
			   enum wf_srtp_profile p, enum wf_srtp_kind kind,
			   const uint8_t *mk, const uint8_t *ms)
{
	return wf_srtp_keys_derive(e, k, p, kind, mk, t_key_len(p), ms, t_salt_len(p));
}

/* libsrtp2 ----------------------------------------------------------- */

static inline void t_oracle_init(void)
{
	static bool done;

	if (!done && srtp_init() == srtp_err_status_ok)
		done = true;
}

static inline void t_oracle_crypto(srtp_crypto_policy_t *c, enum wf_srtp_profile p, bool rtcp)
{
	switch (p) {
	case WF_SRTP_AES128_CM_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(c);
		break;
	case WF_SRTP_AES128_CM_SHA1_32:
		/* RFC 5764 §4.1.2: SRTCP keeps the 80-bit tag. */
		if (rtcp)
			srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(c);
		else
			srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(c);
		break;
	case WF_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(c);
		break;
	default:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(c);
		break;
	}
}

/* A libsrtp2 session for one SSRC.  rtcp_auth_only: SRTCP sent with the
 * E bit clear (tagged, not encrypted).  NULL on failure. */
static inline srtp_t t_oracle_ex(enum wf_srtp_profile p, const uint8_t *mk,
				 const uint8_t *ms, uint32_t ssrc, bool rtcp_auth_only)
{
	srtp_policy_t pol;
	uint8_t key[WF_SRTP_MAX_MASTER_LEN];
	srtp_t s = NULL;

	t_oracle_init();
	memset(&pol, 0, sizeof(pol));
	t_oracle_crypto(&pol.rtp, p, false);
	t_oracle_crypto(&pol.rtcp, p, true);
	if (rtcp_auth_only)
		pol.rtcp.sec_serv = sec_serv_auth;
	memcpy(key, mk, t_key_len(p));
	memcpy(key + t_key_len(p), ms, t_salt_len(p));
	pol.key = key;
	pol.ssrc.type = ssrc_specific;
	pol.ssrc.value = ssrc;
	pol.window_size = 128;
	pol.allow_repeat_tx = 0;
	if (srtp_create(&s, &pol) != srtp_err_status_ok)
		return NULL;
	return s;
}

static inline srtp_t t_oracle(enum wf_srtp_profile p, const uint8_t *mk,
			      const uint8_t *ms, uint32_t ssrc)
{
	return t_oracle_ex(p, mk, ms, ssrc, false);
}

/* A viewer: master key and salt, our keys for both kinds, an engine. */
struct t_viewer {
	enum wf_srtp_profile p;
	uint8_t mk[WF_SRTP_MAX_MASTER_KEY];
	uint8_t ms[WF_SRTP_MAX_MASTER_SALT];
	struct wf_srtp_keys rtp, rtcp;
};

static inline int t_viewer_init(struct t_viewer *v, struct wf_srtp_engine *e,
				enum wf_srtp_profile p, uint64_t *seed)
{
	int rc;

	memset(v, 0, sizeof(*v));
	v->p = p;
	t_fill(seed, v->mk, sizeof(v->mk));
	t_fill(seed, v->ms, sizeof(v->ms));
	rc = t_derive(e, &v->rtp, p, WF_SRTP_KIND_RTP, v->mk, v->ms);
	if (rc == 0)
		rc = t_derive(e, &v->rtcp, p, WF_SRTP_KIND_RTCP, v->mk, v->ms);
	return rc;
}

#endif
