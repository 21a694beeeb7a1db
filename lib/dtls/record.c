/* record.c: epoch-1 DTLS 1.2 records without an SSL (record.h). */
#include "dtls/record.h"

#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/ssl.h>

#define EPOCH			1	/* no renegotiation: the only one after Finished */
#define DTLS12_MAJOR		0xfe
#define DTLS12_MINOR		0xfd
#define TAG_LEN			16
#define GCM_SALT_LEN		4	/* RFC 5288 §3: the implicit part of the nonce */
#define GCM_EXPLICIT_LEN	8	/* the explicit part, in the record */
#define NONCE_LEN		12
#define SEQ_MAX			((1ull << 48) - 1)	/* RFC 6347 §4.1: 48 bits */
#define WINDOW			64	/* replay window, RFC 6347 §4.1.2.6 */
#define RANDOM_LEN		32
#define MASTER_LEN		48
#define KEY_EXPANSION		"key expansion"	/* RFC 5246 §6.3 */

enum wf_dtls_aead wf_dtls_rec_aead_of(const SSL *ssl)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);

	switch (c ? SSL_CIPHER_get_cipher_nid(c) : NID_undef) {
	case NID_aes_128_gcm: return WF_DTLS_AEAD_AES_128_GCM;
	case NID_aes_256_gcm: return WF_DTLS_AEAD_AES_256_GCM;
	case NID_chacha20_poly1305: return WF_DTLS_AEAD_CHACHA20_POLY1305;
	default: return WF_DTLS_AEAD_NONE;
	}
}

unsigned wf_dtls_rec_overhead(enum wf_dtls_aead a)
{
	switch (a) {
	case WF_DTLS_AEAD_AES_128_GCM:
	case WF_DTLS_AEAD_AES_256_GCM:
		return GCM_EXPLICIT_LEN + TAG_LEN;	/* RFC 5288 §3 */
	case WF_DTLS_AEAD_CHACHA20_POLY1305:
		return TAG_LEN;				/* RFC 7905 §2 */
	default:
		return 0;
	}
}

static const EVP_CIPHER *cipher_of(enum wf_dtls_aead a)
{
	switch (a) {
	case WF_DTLS_AEAD_AES_128_GCM: return EVP_aes_128_gcm();
	case WF_DTLS_AEAD_AES_256_GCM: return EVP_aes_256_gcm();
	case WF_DTLS_AEAD_CHACHA20_POLY1305: return EVP_chacha20_poly1305();
	default: return NULL;
	}
}

/* The TLS 1.2 key block (RFC 5246 §6.3) of ssl's session into out[len]:
 * PRF(master_secret, "key expansion", server_random + client_random). */
static int key_block(const SSL *ssl, uint8_t *out, size_t len)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
	const EVP_MD *md = c ? SSL_CIPHER_get_handshake_digest(c) : NULL;
	uint8_t master[MASTER_LEN], seed[sizeof(KEY_EXPANSION) - 1 + 2 * RANDOM_LEN];
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_TLS1_PRF, NULL);
	EVP_KDF_CTX *kc = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM prm[4];
	size_t mlen;
	int rc = -EIO;

	mlen = SSL_SESSION_get_master_key(SSL_get_session(ssl), master, sizeof(master));
	memcpy(seed, KEY_EXPANSION, sizeof(KEY_EXPANSION) - 1);
	if (md && kc && mlen == MASTER_LEN &&
	    SSL_get_server_random(ssl, seed + sizeof(KEY_EXPANSION) - 1, RANDOM_LEN) == RANDOM_LEN &&
	    SSL_get_client_random(ssl, seed + sizeof(KEY_EXPANSION) - 1 + RANDOM_LEN, RANDOM_LEN) ==
		    RANDOM_LEN) {
		prm[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
							  (char *)EVP_MD_get0_name(md), 0);
		prm[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, master, mlen);
		prm[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, sizeof(seed));
		prm[3] = OSSL_PARAM_construct_end();
		if (EVP_KDF_derive(kc, out, len, prm) == 1)
			rc = 0;
	}
	OPENSSL_cleanse(master, sizeof(master));
	EVP_KDF_CTX_free(kc);
	EVP_KDF_free(kdf);
	return rc;
}

int wf_dtls_rec_init(struct wf_dtls_rec *r, const SSL *ssl, bool server, uint64_t w_seq)
{
	enum wf_dtls_aead a = wf_dtls_rec_aead_of(ssl);
	uint8_t kb[2 * (WF_DTLS_REC_KEY_MAX + WF_DTLS_REC_IV_MAX)];
	const uint8_t *ck, *sk, *civ, *siv;
	size_t kl, il;

	memset(r, 0, sizeof(*r));
	if (a == WF_DTLS_AEAD_NONE)
		return -ENOTSUP;
	kl = a == WF_DTLS_AEAD_AES_128_GCM ? 16 : 32;
	il = a == WF_DTLS_AEAD_CHACHA20_POLY1305 ? NONCE_LEN : GCM_SALT_LEN;
	/* AEAD suites have no MAC keys: client_write_key, server_write_key,
	 * client_write_IV, server_write_IV */
	if (key_block(ssl, kb, 2 * (kl + il)) < 0)
		return -EIO;
	ck = kb;
	sk = kb + kl;
	civ = kb + 2 * kl;
	siv = civ + il;
	r->aead = (uint8_t)a;
	r->key_len = (uint8_t)kl;
	r->iv_len = (uint8_t)il;
	r->overhead = (uint8_t)wf_dtls_rec_overhead(a);
	memcpy(r->rkey, server ? ck : sk, kl);
	memcpy(r->riv, server ? civ : siv, il);
	memcpy(r->wkey, server ? sk : ck, kl);
	memcpy(r->wiv, server ? siv : civ, il);
	r->w_seq = w_seq;
	OPENSSL_cleanse(kb, sizeof(kb));
	return 0;
}

void wf_dtls_rec_wipe(struct wf_dtls_rec *r)
{
	OPENSSL_cleanse(r, sizeof(*r));
}

static uint64_t rd48(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = v << 8 | p[i];
	return v;
}

static void wr_be(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* The AEAD nonce of a record: GCM salt || explicit (the epoch and
 * sequence number, as OpenSSL writes it), or the ChaCha20 IV XOR the
 * 64-bit epoch || sequence number (RFC 7905 §2). */
static void nonce_of(const struct wf_dtls_rec *r, const uint8_t *iv, const uint8_t seq64[8],
		     uint8_t nonce[NONCE_LEN])
{
	int i;

	if (r->aead == WF_DTLS_AEAD_CHACHA20_POLY1305) {
		memcpy(nonce, iv, NONCE_LEN);
		for (i = 0; i < 8; i++)
			nonce[NONCE_LEN - 8 + i] ^= seq64[i];
		return;
	}
	memcpy(nonce, iv, GCM_SALT_LEN);
	memcpy(nonce + GCM_SALT_LEN, seq64, GCM_EXPLICIT_LEN);
}

/* RFC 5246 §6.2.3.3 with RFC 6347 §4.1.2.1: seq_num (epoch || seq48),
 * type, version, plaintext length. */
static void aad_of(uint8_t aad[13], const uint8_t seq64[8], uint8_t type, size_t n)
{
	memcpy(aad, seq64, 8);
	aad[8] = type;
	aad[9] = DTLS12_MAJOR;
	aad[10] = DTLS12_MINOR;
	aad[11] = (uint8_t)(n >> 8);
	aad[12] = (uint8_t)n;
}

/* One AEAD pass: decrypt (tag checked) or encrypt (tag written).
 * 0 or -EBADMSG (tag mismatch) / -EIO. */
static int aead(const struct wf_dtls_rec *r, bool seal, const uint8_t *key,
		const uint8_t nonce[NONCE_LEN], const uint8_t aad[13], const uint8_t *in, size_t n,
		uint8_t *out, uint8_t tag[TAG_LEN])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, ok;

	ok = c && EVP_CipherInit_ex(c, cipher_of(r->aead), NULL, NULL, NULL, seal) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, NONCE_LEN, NULL) == 1 &&
	     EVP_CipherInit_ex(c, NULL, NULL, key, nonce, seal) == 1 &&
	     EVP_CipherUpdate(c, NULL, &len, aad, 13) == 1 &&
	     (n == 0 || EVP_CipherUpdate(c, out, &len, in, (int)n) == 1);
	if (ok && !seal)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, tag) == 1 &&
		     EVP_CipherFinal_ex(c, out + n, &len) == 1 ? 1 : -1;
	else if (ok)
		ok = EVP_CipherFinal_ex(c, out + n, &len) == 1 &&
		     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, TAG_LEN, tag) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok == 1 ? 0 : ok < 0 ? -EBADMSG : -EIO;
}

/* RFC 6347 §4.1.2.6: a sequence number is fresh when it is above the
 * window or inside it and not yet seen. */
static bool replay_fresh(const struct wf_dtls_rec *r, uint64_t seq)
{
	if (!r->r_any || seq > r->r_top)
		return true;
	if (r->r_top - seq >= WINDOW)
		return false;
	return !(r->r_window >> (r->r_top - seq) & 1);
}

static void replay_mark(struct wf_dtls_rec *r, uint64_t seq)
{
	if (!r->r_any) {
		r->r_any = true;
		r->r_top = seq;
		r->r_window = 1;
	} else if (seq > r->r_top) {
		r->r_window = seq - r->r_top >= WINDOW ? 1 : r->r_window << (seq - r->r_top) | 1;
		r->r_top = seq;
	} else {
		r->r_window |= 1ull << (r->r_top - seq);
	}
}

int wf_dtls_rec_open(struct wf_dtls_rec *r, const uint8_t *rec, size_t len, uint8_t *type,
		     uint8_t *out, size_t cap)
{
	const uint8_t *body = rec + WF_DTLS_REC_HDR, *ct;
	uint8_t nonce[NONCE_LEN], aad[13], tag[TAG_LEN], seq64[8];
	size_t n;
	uint64_t seq;

	if (!r->aead || len < (size_t)WF_DTLS_REC_HDR + r->overhead || rec[1] != DTLS12_MAJOR ||
	    rec[2] != DTLS12_MINOR || ((size_t)rec[3] << 8 | rec[4]) != EPOCH ||
	    ((size_t)rec[11] << 8 | rec[12]) != len - WF_DTLS_REC_HDR)
		return -EBADMSG;
	n = len - WF_DTLS_REC_HDR - r->overhead;
	if (n > cap)
		return -EBADMSG;
	seq = rd48(rec + 5);
	if (!replay_fresh(r, seq))
		return -EBADMSG;
	memcpy(seq64, rec + 3, 8);
	nonce_of(r, r->riv, seq64, nonce);
	ct = body;
	if (r->aead != WF_DTLS_AEAD_CHACHA20_POLY1305) {
		memcpy(nonce + GCM_SALT_LEN, body, GCM_EXPLICIT_LEN);	/* as sent */
		ct = body + GCM_EXPLICIT_LEN;
	}
	aad_of(aad, seq64, rec[0], n);
	memcpy(tag, ct + n, TAG_LEN);
	if (aead(r, false, r->rkey, nonce, aad, ct, n, out, tag) < 0)
		return -EBADMSG;
	replay_mark(r, seq);
	*type = rec[0];
	return (int)n;
}

int wf_dtls_rec_seal(struct wf_dtls_rec *r, uint8_t type, const uint8_t *pt, size_t n,
		     uint8_t *out, size_t cap)
{
	uint8_t nonce[NONCE_LEN], aad[13], seq64[8], *ct;
	size_t len = WF_DTLS_REC_HDR + r->overhead + n;

	if (!r->aead || len > cap || n > (size_t)(0xffff - r->overhead))
		return -EMSGSIZE;
	if (r->w_seq > SEQ_MAX)
		return -EIO;	/* RFC 6347 §4.1: never wrap */
	wr_be(seq64, EPOCH, 2);
	wr_be(seq64 + 2, r->w_seq, 6);
	out[0] = type;
	out[1] = DTLS12_MAJOR;
	out[2] = DTLS12_MINOR;
	memcpy(out + 3, seq64, 8);
	wr_be(out + 11, len - WF_DTLS_REC_HDR, 2);
	nonce_of(r, r->wiv, seq64, nonce);
	ct = out + WF_DTLS_REC_HDR;
	if (r->aead != WF_DTLS_AEAD_CHACHA20_POLY1305) {
		memcpy(ct, seq64, GCM_EXPLICIT_LEN);	/* explicit nonce */
		ct += GCM_EXPLICIT_LEN;
	}
	aad_of(aad, seq64, type, n);
	if (aead(r, true, r->wkey, nonce, aad, pt, n, ct, ct + n) < 0)
		return -EIO;
	r->w_seq++;
	return (int)len;
}
