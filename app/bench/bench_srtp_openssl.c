/* bench_srtp_openssl.c: the "openssl" engines of the SRTP benchmark: the
 * best a C server that protects (or unprotects) one packet at a time can
 * do with OpenSSL.
 *
 * Everything that can be done once per viewer is done at setup: an
 * EVP_CIPHER_CTX keyed once (only the IV is set per packet) and, for
 * HMAC-SHA1, the SHA-1 states after absorbing the inner and outer key pads
 * (RFC 2104 §2), copied per packet by value.  That is the low-level SHA-1
 * API, deprecated in OpenSSL 3.0, used on purpose: EVP_MAC_init() or
 * HMAC_Init_ex() with the same key, or EVP_MD_CTX_copy_ex(), duplicate the
 * provider's digest context on the heap for every packet in OpenSSL 3.0,
 * which would make this baseline weaker than it needs to be.  The SHA-1
 * block function underneath is the same (SHA-NI where the CPU has it).
 *
 * Session keys: derived with the RFC 3711 §4.3 AES-CM PRF from the viewer's
 * master key (RFC 7714 §11 for GCM), here at setup with plain AES-CTR.  The
 * engine would time the same with random session keys; deriving them makes
 * its output byte-identical to the other engines', which the benchmark
 * checks before it times anything.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "bench/bench_srtp_engine.h"
#include "bench/bench_util.h"

/* RFC 3711 §4.3.1 labels for SRTP. */
#define KDF_LABEL_RTP_ENC	0x00
#define KDF_LABEL_RTP_AUTH	0x01
#define KDF_LABEL_RTP_SALT	0x02
#define HMAC_SHA1_KEY_LEN	20
#define GCM_TAG_LEN		16

struct ossl_viewer {
	EVP_CIPHER_CTX *ctx;	/* keyed with the session encryption key */
	SHA_CTX inner;		/* SHA-1 after (auth key ^ ipad) */
	SHA_CTX outer;		/* SHA-1 after (auth key ^ opad) */
	uint8_t iv_base[16];	/* the IV with ROC and SEQ zero */
	uint32_t ssrc;
	uint32_t roc;
	uint16_t seq;		/* next sequence number */
	/* unprotect: the receiver (RFC 3711 §3.3), the next packet on the wire */
	bool rx_started;
	uint64_t rx_top;	/* highest index received */
	uint64_t rx_window;	/* bit i: index rx_top - i received */
	unsigned k;
} __attribute__((aligned(64)));

struct wf_bench_openssl {
	const struct wf_bench_fixture *f;
	struct ossl_viewer *vw;	/* [viewers] */
	unsigned next;
	bool rx;		/* unprotect: GCM contexts decrypt */
};

/* RFC 3711 §4.3.1/§4.3.3 AES-CM PRF with key derivation rate 0: the
 * keystream of AES-CTR under the master key from IV = (salt ^ label << 48)
 * * 2^16.  salt14 is the master salt padded with zeros to 14 bytes (the
 * 12-byte GCM salt of RFC 7714 §11 is left-aligned, as libsrtp does).
 * Returns 0 or -1. */
static int kdf(const uint8_t *master_key, size_t key_len, const uint8_t salt14[14],
	       uint8_t label, uint8_t *out, size_t out_len)
{
	static const uint8_t zeros[64];
	uint8_t iv[16] = { 0 };
	EVP_CIPHER_CTX *c;
	int n = 0, ok;

	if (out_len > sizeof(zeros)) return -1;
	memcpy(iv, salt14, 14);
	iv[7] ^= label;		/* key_id = label || r (48 bits, r = 0) */
	c = EVP_CIPHER_CTX_new();
	if (c == NULL) return -1;
	ok = EVP_EncryptInit_ex(c, key_len == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr(), NULL,
				master_key, iv) == 1 &&
	     EVP_EncryptUpdate(c, out, &n, zeros, (int)out_len) == 1 && n == (int)out_len;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* Derives viewer v's session keys and sets up its contexts. */
static int ossl_viewer_init(struct ossl_viewer *o, const struct wf_bench_fixture *f,
			    const struct wf_bench_viewer *vw, bool rx)
{
	const struct wf_srtp_suite *su = f->suite;
	uint8_t salt14[14] = { 0 }, enc[32], salt[14], auth[HMAC_SHA1_KEY_LEN], pad[64];
	const EVP_CIPHER *cipher;
	size_t salt_len = su->aead ? 12 : 14;
	int rc = -1;

	memcpy(salt14, vw->master_salt, su->master_salt_len);
	if (kdf(vw->master_key, su->master_key_len, salt14, KDF_LABEL_RTP_ENC, enc, su->master_key_len) ||
	    kdf(vw->master_key, su->master_key_len, salt14, KDF_LABEL_RTP_SALT, salt, salt_len))
		goto out;
	o->ssrc = vw->ssrc;
	o->seq = vw->seq0;
	o->roc = 0;
	memset(o->iv_base, 0, sizeof(o->iv_base));
	memcpy(o->iv_base, salt, salt_len);
	if (su->aead) {
		/* RFC 7714 §8.1: IV = (00 00 || SSRC || ROC || SEQ) ^ salt. */
		for (int i = 0; i < 4; i++) o->iv_base[2 + i] ^= (uint8_t)(vw->ssrc >> (24 - 8 * i));
		cipher = su->master_key_len == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
	} else {
		/* RFC 3711 §4.1.1: IV = salt * 2^16 ^ SSRC * 2^64 ^ i * 2^16. */
		for (int i = 0; i < 4; i++) o->iv_base[4 + i] ^= (uint8_t)(vw->ssrc >> (24 - 8 * i));
		cipher = EVP_aes_128_ctr();
	}
	o->ctx = EVP_CIPHER_CTX_new();
	/* AES-CTR decrypts by encrypting; GCM checks its tag only when decrypting. */
	if (o->ctx == NULL ||
	    EVP_CipherInit_ex(o->ctx, cipher, NULL, enc, o->iv_base, rx && su->aead ? 0 : 1) != 1)
		goto out;
	if (!su->aead) {
		/* RFC 2104 §2: H(K ^ opad, H(K ^ ipad, text)); absorb the pads now. */
		if (kdf(vw->master_key, su->master_key_len, salt14, KDF_LABEL_RTP_AUTH, auth, sizeof(auth)))
			goto out;
		memset(pad, 0x36, sizeof(pad));
		for (size_t i = 0; i < sizeof(auth); i++) pad[i] ^= auth[i];
		SHA1_Init(&o->inner);
		SHA1_Update(&o->inner, pad, sizeof(pad));
		memset(pad, 0x5c, sizeof(pad));
		for (size_t i = 0; i < sizeof(auth); i++) pad[i] ^= auth[i];
		SHA1_Init(&o->outer);
		SHA1_Update(&o->outer, pad, sizeof(pad));
	}
	rc = 0;
out:
	memset(enc, 0, sizeof(enc));
	memset(auth, 0, sizeof(auth));
	memset(pad, 0, sizeof(pad));
	return rc;
}

static void ossl_destroy(void *st)
{
	struct wf_bench_openssl *s = st;

	if (s == NULL) return;
	if (s->vw != NULL)
		for (unsigned v = 0; v < s->f->viewers; v++) EVP_CIPHER_CTX_free(s->vw[v].ctx);
	free(s->vw);
	free(s);
}

static void *ossl_create_as(const struct wf_bench_fixture *f, bool rx, char *err, size_t err_cap)
{
	struct wf_bench_openssl *s = calloc(1, sizeof(*s));

	if (s == NULL) goto nomem;
	s->f = f;
	s->rx = rx;
	s->vw = wf_bench_alloc((size_t)f->viewers * sizeof(*s->vw));
	if (s->vw == NULL) goto nomem;
	for (unsigned v = 0; v < f->viewers; v++) {
		if (ossl_viewer_init(&s->vw[v], f, &f->viewer[v], rx) != 0) {
			snprintf(err, err_cap, "OpenSSL setup of viewer %u failed", v);
			ossl_destroy(s);
			return NULL;
		}
	}
	return s;
nomem:
	snprintf(err, err_cap, "out of memory");
	ossl_destroy(s);
	return NULL;
}

static void *ossl_create(const struct wf_bench_fixture *f, char *err, size_t err_cap)
{
	return ossl_create_as(f, false, err, err_cap);
}

/* AES-CM + HMAC-SHA1 (RFC 3711 §4.1.1, §4.2): encrypt the payload out of
 * place after the header, then tag = HMAC(header || ciphertext || ROC)
 * truncated to the profile's length.  Returns 0 or -1. */
static int ossl_protect_cm(struct ossl_viewer *o, const struct wf_bench_fixture *f, uint8_t *out)
{
	uint8_t iv[16], roc_be[4], md[SHA_DIGEST_LENGTH];
	SHA_CTX h;
	int n;

	memcpy(iv, o->iv_base, sizeof(iv));
	roc_be[0] = (uint8_t)(o->roc >> 24);
	roc_be[1] = (uint8_t)(o->roc >> 16);
	roc_be[2] = (uint8_t)(o->roc >> 8);
	roc_be[3] = (uint8_t)o->roc;
	for (int i = 0; i < 4; i++) iv[8 + i] ^= roc_be[i];
	iv[12] ^= (uint8_t)(o->seq >> 8);
	iv[13] ^= (uint8_t)o->seq;
	if (EVP_EncryptInit_ex(o->ctx, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(o->ctx, out + WF_RTP_MIN_HEADER, &n, f->plain + WF_RTP_MIN_HEADER,
			      (int)f->payload_len) != 1)
		return -1;
	h = o->inner;
	SHA1_Update(&h, out, f->size);
	SHA1_Update(&h, roc_be, sizeof(roc_be));
	SHA1_Final(md, &h);
	h = o->outer;
	SHA1_Update(&h, md, sizeof(md));
	SHA1_Final(md, &h);
	memcpy(out + f->size, md, f->suite->rtp_tag_len);
	return 0;
}

/* AEAD_AES_*_GCM (RFC 7714 §8): the header is the AAD, the payload the
 * plaintext, the 16-byte tag follows the ciphertext.  Returns 0 or -1. */
static int ossl_protect_gcm(struct ossl_viewer *o, const struct wf_bench_fixture *f, uint8_t *out)
{
	uint8_t iv[12];
	int n;

	memcpy(iv, o->iv_base, sizeof(iv));
	for (int i = 0; i < 4; i++) iv[6 + i] ^= (uint8_t)(o->roc >> (24 - 8 * i));
	iv[10] ^= (uint8_t)(o->seq >> 8);
	iv[11] ^= (uint8_t)o->seq;
	if (EVP_EncryptInit_ex(o->ctx, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(o->ctx, NULL, &n, out, WF_RTP_MIN_HEADER) != 1 ||
	    EVP_EncryptUpdate(o->ctx, out + WF_RTP_MIN_HEADER, &n, f->plain + WF_RTP_MIN_HEADER,
			      (int)f->payload_len) != 1 ||
	    EVP_EncryptFinal_ex(o->ctx, out + f->size, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(o->ctx, EVP_CTRL_AEAD_GET_TAG, GCM_TAG_LEN, out + f->size) != 1)
		return -1;
	return 0;
}

/* The timed loop: header, encrypt (and MAC) one viewer's packet at a time. */
static int ossl_run(void *st, uint64_t n, char *err, size_t err_cap)
{
	struct wf_bench_openssl *s = st;
	const struct wf_bench_fixture *f = s->f;
	unsigned next = s->next;
	int aead = f->suite->aead;
	uint16_t len = (uint16_t)(f->size + f->suite->rtp_tag_len);

	for (uint64_t i = 0; i < n; i++) {
		struct ossl_viewer *o = &s->vw[next];
		uint8_t *out = wf_bench_out(f, next);
		int rc;

		wf_bench_write_header(out, f->plain, o->seq, o->ssrc);
		rc = aead ? ossl_protect_gcm(o, f, out) : ossl_protect_cm(o, f, out);
		if (rc != 0) {
			snprintf(err, err_cap, "OpenSSL refused packet %llu", (unsigned long long)i);
			return -1;
		}
		f->out_len[next] = len;
		wf_bench_seq_next(&o->seq, &o->roc);
		if (++next == f->viewers) next = 0;
	}
	s->next = next;
	return 0;
}

const struct wf_bench_engine_ops wf_bench_engine_openssl = {
	.name = "openssl",
	.create = ossl_create,
	.run = ossl_run,
	.destroy = ossl_destroy,
};

/* ---- unprotect ------------------------------------------------------------ */

static void *ossl_rx_create(const struct wf_bench_fixture *f, char *err, size_t err_cap)
{
	return ossl_create_as(f, true, err, err_cap);
}

/* RFC 3711 §3.3.1: the index of a received SEQ given the highest so far. */
static uint64_t ossl_rx_index(const struct ossl_viewer *o, uint16_t seq)
{
	uint32_t roc = (uint32_t)(o->rx_top >> 16), v = roc;
	uint16_t s_l = (uint16_t)o->rx_top;

	if (!o->rx_started) return seq;
	if (s_l < 32768) {
		if ((int)seq - (int)s_l > 32768 && roc > 0) v = roc - 1;
	} else if ((int)s_l - 32768 > (int)seq) {
		v = roc + 1;
	}
	return (uint64_t)v << 16 | seq;
}

/* RFC 3711 §3.3.2 with a 64-packet window: may idx be received? */
static bool ossl_rx_fresh(const struct ossl_viewer *o, uint64_t idx)
{
	if (!o->rx_started || idx > o->rx_top) return true;
	return o->rx_top - idx < 64 && !(o->rx_window & 1ull << (o->rx_top - idx));
}

static void ossl_rx_mark(struct ossl_viewer *o, uint64_t idx)
{
	if (!o->rx_started) {
		o->rx_started = true;
		o->rx_top = idx;
		o->rx_window = 1;
	} else if (idx > o->rx_top) {
		o->rx_window = idx - o->rx_top >= 64 ? 1 : o->rx_window << (idx - o->rx_top) | 1;
		o->rx_top = idx;
	} else {
		o->rx_window |= 1ull << (o->rx_top - idx);
	}
}

/* RFC 3550 §5.1, §5.3.1: the header's length, or 0 when it does not fit. */
static unsigned ossl_rx_header(const uint8_t *p, unsigned len)
{
	unsigned hl = 12 + 4u * (p[0] & 0x0f);

	if (len < 12 || p[0] >> 6 != 2 || hl > len) return 0;
	if (p[0] & 0x10) {
		if (hl + 4 > len) return 0;
		hl += 4 + 4u * (unsigned)(p[hl + 2] << 8 | p[hl + 3]);
	}
	return hl <= len ? hl : 0;
}

/* AES-CM + HMAC-SHA1: tag checked (constant time) over header ||
 * ciphertext || ROC, then the payload decrypted in place.  0 or -1. */
static int ossl_unprotect_cm(struct ossl_viewer *o, uint8_t *p, unsigned hl, unsigned body,
			     unsigned tag_len, uint64_t idx)
{
	uint8_t iv[16], roc_be[4], md[SHA_DIGEST_LENGTH];
	uint32_t roc = (uint32_t)(idx >> 16);
	SHA_CTX h;
	int n;

	roc_be[0] = (uint8_t)(roc >> 24);
	roc_be[1] = (uint8_t)(roc >> 16);
	roc_be[2] = (uint8_t)(roc >> 8);
	roc_be[3] = (uint8_t)roc;
	h = o->inner;
	SHA1_Update(&h, p, body);
	SHA1_Update(&h, roc_be, sizeof(roc_be));
	SHA1_Final(md, &h);
	h = o->outer;
	SHA1_Update(&h, md, sizeof(md));
	SHA1_Final(md, &h);
	if (CRYPTO_memcmp(md, p + body, tag_len) != 0) return -1;
	memcpy(iv, o->iv_base, sizeof(iv));
	for (int i = 0; i < 4; i++) iv[8 + i] ^= roc_be[i];
	iv[12] ^= p[2];
	iv[13] ^= p[3];
	if (EVP_EncryptInit_ex(o->ctx, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(o->ctx, p + hl, &n, p + hl, (int)(body - hl)) != 1)
		return -1;
	return 0;
}

/* AEAD_AES_*_GCM: the header is the AAD; decrypt in place, then the tag
 * check of EVP_DecryptFinal_ex.  0 or -1. */
static int ossl_unprotect_gcm(struct ossl_viewer *o, uint8_t *p, unsigned hl, unsigned body,
			      uint64_t idx)
{
	uint8_t iv[12];
	uint32_t roc = (uint32_t)(idx >> 16);
	int n;

	memcpy(iv, o->iv_base, sizeof(iv));
	for (int i = 0; i < 4; i++) iv[6 + i] ^= (uint8_t)(roc >> (24 - 8 * i));
	iv[10] ^= p[2];
	iv[11] ^= p[3];
	if (EVP_DecryptInit_ex(o->ctx, NULL, NULL, NULL, iv) != 1 ||
	    EVP_DecryptUpdate(o->ctx, NULL, &n, p, (int)hl) != 1 ||
	    EVP_DecryptUpdate(o->ctx, p + hl, &n, p + hl, (int)(body - hl)) != 1 ||
	    EVP_CIPHER_CTX_ctrl(o->ctx, EVP_CTRL_AEAD_SET_TAG, GCM_TAG_LEN, p + body) != 1 ||
	    EVP_DecryptFinal_ex(o->ctx, p + body, &n) != 1)
		return -1;
	return 0;
}

/* The timed loop: copy off the wire, header, index, replay check, tag,
 * decrypt, one packet at a time. */
static int ossl_rx_run(void *st, uint64_t n, char *err, size_t err_cap)
{
	struct wf_bench_openssl *s = st;
	const struct wf_bench_fixture *f = s->f;
	unsigned next = s->next, tag_len = f->suite->rtp_tag_len, len = f->wire_len;
	int aead = f->suite->aead;

	for (uint64_t i = 0; i < n; i++) {
		struct ossl_viewer *o = &s->vw[next];
		uint8_t *p = wf_bench_out(f, next);
		unsigned hl, body = len - tag_len;
		uint64_t idx;
		int rc;

		if (o->k == f->wire_depth) {
			o->k = 0;
			o->rx_started = false;
		}
		memcpy(p, wf_bench_wire(f, next, o->k++), len);
		hl = ossl_rx_header(p, len);
		if (hl == 0 || hl > body) {
			snprintf(err, err_cap, "packet %llu: bad header", (unsigned long long)i);
			return -1;
		}
		idx = ossl_rx_index(o, (uint16_t)(p[2] << 8 | p[3]));
		if (!ossl_rx_fresh(o, idx)) {
			snprintf(err, err_cap, "packet %llu: replayed or too old", (unsigned long long)i);
			return -1;
		}
		rc = aead ? ossl_unprotect_gcm(o, p, hl, body, idx) :
			    ossl_unprotect_cm(o, p, hl, body, tag_len, idx);
		if (rc != 0) {
			snprintf(err, err_cap, "packet %llu: authentication failed", (unsigned long long)i);
			return -1;
		}
		ossl_rx_mark(o, idx);
		f->out_len[next] = (uint16_t)body;
		if (++next == f->viewers) next = 0;
	}
	s->next = next;
	return 0;
}

const struct wf_bench_engine_ops wf_bench_engine_openssl_rx = {
	.name = "openssl",
	.create = ossl_rx_create,
	.run = ossl_rx_run,
	.destroy = ossl_destroy,
};
