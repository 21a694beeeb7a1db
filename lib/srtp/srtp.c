/* srtp.c: SRTP/SRTCP protect and unprotect on Intel ipsec-mb.
 *
 * AES-CM + HMAC-SHA1 profiles run in two ipsec-mb bursts per group of jobs:
 * one AES-CTR cipher burst (plaintext payload -> viewer's buffer), then one
 * multi-buffer HMAC-SHA1 burst over header || ciphertext || ROC.  The GCM
 * profiles use ipsec-mb's one-pass AES-GCM, out of place.
 */
#include "srtp/srtp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <intel-ipsec-mb.h>
#include <openssl/crypto.h>

/* The cipher-suite table: RFC 5764 §4.1.2, RFC 7714 §14.2. */
static const struct wf_srtp_suite wf_srtp_suites[WF_SRTP_PROFILE_COUNT] = {
	[WF_SRTP_AES128_CM_SHA1_80] = {
		.profile = WF_SRTP_AES128_CM_SHA1_80,
		.name = "AES_CM_128_HMAC_SHA1_80",
		.dtls_name = "SRTP_AES128_CM_SHA1_80",
		.dtls_id = 0x0001,
		.master_key_len = 16, .master_salt_len = 14,
		.rtp_tag_len = 10, .rtcp_tag_len = 10,
		.aead = false,
	},
	[WF_SRTP_AES128_CM_SHA1_32] = {
		.profile = WF_SRTP_AES128_CM_SHA1_32,
		.name = "AES_CM_128_HMAC_SHA1_32",
		.dtls_name = "SRTP_AES128_CM_SHA1_32",
		.dtls_id = 0x0002,
		.master_key_len = 16, .master_salt_len = 14,
		/* RFC 5764 §4.1.2: SRTCP keeps the 80-bit tag. */
		.rtp_tag_len = 4, .rtcp_tag_len = 10,
		.aead = false,
	},
	[WF_SRTP_AEAD_AES_128_GCM] = {
		.profile = WF_SRTP_AEAD_AES_128_GCM,
		.name = "AEAD_AES_128_GCM",
		.dtls_name = "SRTP_AEAD_AES_128_GCM",
		.dtls_id = 0x0007,
		.master_key_len = 16, .master_salt_len = 12,
		.rtp_tag_len = 16, .rtcp_tag_len = 16,
		.aead = true,
	},
	[WF_SRTP_AEAD_AES_256_GCM] = {
		.profile = WF_SRTP_AEAD_AES_256_GCM,
		.name = "AEAD_AES_256_GCM",
		.dtls_name = "SRTP_AEAD_AES_256_GCM",
		.dtls_id = 0x0008,
		.master_key_len = 32, .master_salt_len = 12,
		.rtp_tag_len = 16, .rtcp_tag_len = 16,
		.aead = true,
	},
};

static const char *const wf_srtp_errstr[WF_SRTP_E_COUNT] = {
	[WF_SRTP_OK] = "success",
#define WF_SRTP_STR_(n, s) [WF_SRTP_E_##n] = s,
	WF_SRTP_ERRORS(WF_SRTP_STR_)
#undef WF_SRTP_STR_
};

static const char *const wf_srtp_arch_names[WF_SRTP_ARCH_COUNT] = {
	[WF_SRTP_ARCH_AUTO] = "auto",
	[WF_SRTP_ARCH_SSE] = "sse",
	[WF_SRTP_ARCH_AVX2] = "avx2",
	[WF_SRTP_ARCH_AVX512] = "avx512",
};

#define KEYS_MAGIC 0x53525450u	/* "SRTP": keys were derived */
#define SHA1_BLOCK 64
#define HMAC_TAG_SCRATCH 12	/* ipsec-mb HMAC-SHA1 writes 12 or 20 bytes */
#define SRTCP_E_BIT 0x80000000u
#define SRTCP_INDEX_MAX 0x7fffffffu

/* The private layout behind struct wf_srtp_keys. */
struct keys_impl {
	union {
		struct gcm_key_data gcm;	/* arch-specific tables */
		struct {
			uint8_t enc[16 * 15] __attribute__((aligned(16)));
			uint8_t ipad[32] __attribute__((aligned(16)));
			uint8_t opad[32] __attribute__((aligned(16)));
		} cm;
	} u;
	uint32_t magic;
	uint8_t profile;
	uint8_t kind;
	uint8_t arch;		/* GCM tables were computed by this arch */
	uint8_t tag_len;
	uint8_t salt[16];	/* session salt, 14 (CM) or 12 (GCM) bytes */
};

_Static_assert(sizeof(struct keys_impl) <= sizeof(struct wf_srtp_keys),
	       "wf_srtp_keys too small for the private layout");

static inline struct keys_impl *K(struct wf_srtp_keys *k)
{
	return (struct keys_impl *)k->opaque;
}

static inline const struct keys_impl *KC(const struct wf_srtp_keys *k)
{
	return (const struct keys_impl *)k->opaque;
}

struct wf_srtp_engine {
	IMB_MGR *owned[WF_SRTP_ARCH_COUNT];	/* one manager per distinct arch */
	IMB_MGR *mgr[WF_SRTP_PROFILE_COUNT];
	enum wf_srtp_arch arch[WF_SRTP_PROFILE_COUNT];
	IMB_JOB jobs[WF_SRTP_BURST_MAX];
	uint8_t iv[WF_SRTP_BURST_MAX][16] __attribute__((aligned(16)));
	uint8_t tag[WF_SRTP_BURST_MAX][32];
	struct wf_srtp_job *sel[WF_SRTP_BURST_MAX];
	uint8_t scratch[WF_SRTP_MAX_PACKET + 64];	/* SRTCP GCM AAD assembly */
};

/* ---- small helpers ---------------------------------------------------- */

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

const struct wf_srtp_suite *wf_srtp_suite(enum wf_srtp_profile p)
{
	if ((unsigned)p >= WF_SRTP_PROFILE_COUNT)
		return NULL;
	return &wf_srtp_suites[p];
}

int wf_srtp_profile_by_name(const char *name)
{
	unsigned i;

	if (!name)
		return -WF_SRTP_E_BAD_PARAM;
	for (i = 0; i < WF_SRTP_PROFILE_COUNT; i++)
		if (!strcmp(name, wf_srtp_suites[i].name) ||
		    !strcmp(name, wf_srtp_suites[i].dtls_name))
			return (int)i;
	return -WF_SRTP_E_BAD_PARAM;
}

int wf_srtp_profile_by_dtls_id(uint16_t id)
{
	unsigned i;

	for (i = 0; i < WF_SRTP_PROFILE_COUNT; i++)
		if (wf_srtp_suites[i].dtls_id == id)
			return (int)i;
	return -WF_SRTP_E_BAD_PARAM;
}

const char *wf_srtp_strerror(int err)
{
	unsigned e = (unsigned)(err < 0 ? -err : err);

	if (e >= WF_SRTP_E_COUNT)
		return "unknown SRTP error";
	return wf_srtp_errstr[e];
}

const char *wf_srtp_arch_name(enum wf_srtp_arch a)
{
	if ((unsigned)a >= WF_SRTP_ARCH_COUNT)
		return "?";
	return wf_srtp_arch_names[a];
}

int wf_srtp_arch_by_name(const char *name)
{
	unsigned i;

	if (!name)
		return -WF_SRTP_E_BAD_PARAM;
	for (i = 0; i < WF_SRTP_ARCH_COUNT; i++)
		if (!strcasecmp(name, wf_srtp_arch_names[i]))
			return (int)i;
	return -WF_SRTP_E_BAD_PARAM;
}

bool wf_srtp_arch_supported(enum wf_srtp_arch a)
{
	uint64_t f = imb_get_feature_flags();

	switch (a) {
	case WF_SRTP_ARCH_AUTO:
		return (f & IMB_CPUFLAGS_SSE) == IMB_CPUFLAGS_SSE;
	case WF_SRTP_ARCH_SSE:
		return (f & IMB_CPUFLAGS_SSE) == IMB_CPUFLAGS_SSE;
	case WF_SRTP_ARCH_AVX2:
		return (f & IMB_CPUFLAGS_AVX2) == IMB_CPUFLAGS_AVX2;
	case WF_SRTP_ARCH_AVX512:
		return (f & IMB_CPUFLAGS_AVX512) == IMB_CPUFLAGS_AVX512;
	default:
		return false;
	}
}

/* ---- engine ------------------------------------------------------------ */

/* Allocates and initialises one ipsec-mb manager for arch a; NULL on error. */
static IMB_MGR *mgr_create(enum wf_srtp_arch a, enum wf_srtp_arch *resolved)
{
	IMB_MGR *m;
	IMB_ARCH got = IMB_ARCH_NONE;

	m = alloc_mb_mgr(0);
	if (!m)
		return NULL;
	switch (a) {
	case WF_SRTP_ARCH_SSE:
		init_mb_mgr_sse(m);
		*resolved = a;
		break;
	case WF_SRTP_ARCH_AVX2:
		init_mb_mgr_avx2(m);
		*resolved = a;
		break;
	case WF_SRTP_ARCH_AVX512:
		init_mb_mgr_avx512(m);
		*resolved = a;
		break;
	default:
		init_mb_mgr_auto(m, &got);
		*resolved = got == IMB_ARCH_AVX512 ? WF_SRTP_ARCH_AVX512 :
			    got == IMB_ARCH_AVX2 ? WF_SRTP_ARCH_AVX2 : WF_SRTP_ARCH_SSE;
		break;
	}
	if (imb_get_errno(m) != 0) {
		free_mb_mgr(m);
		return NULL;
	}
	return m;
}

struct wf_srtp_engine *wf_srtp_engine_create(const enum wf_srtp_arch arch[WF_SRTP_PROFILE_COUNT])
{
	enum wf_srtp_arch resolved[WF_SRTP_ARCH_COUNT] = { 0 };
	struct wf_srtp_engine *e;
	unsigned p;

	e = aligned_alloc(64, (sizeof(*e) + 63) & ~(size_t)63);
	if (!e) {
		errno = ENOMEM;
		return NULL;
	}
	memset(e, 0, sizeof(*e));
	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
		enum wf_srtp_arch want = arch ? arch[p] : WF_SRTP_ARCH_AUTO;

		if ((unsigned)want >= WF_SRTP_ARCH_COUNT || !wf_srtp_arch_supported(want))
			goto unsupported;
		if (!e->owned[want]) {
			e->owned[want] = mgr_create(want, &resolved[want]);
			if (!e->owned[want])
				goto unsupported;
		}
		e->mgr[p] = e->owned[want];
		e->arch[p] = resolved[want];
	}
	return e;

unsupported:
	wf_srtp_engine_free(e);
	errno = ENOTSUP;
	return NULL;
}

void wf_srtp_engine_free(struct wf_srtp_engine *e)
{
	unsigned a;

	if (!e)
		return;
	for (a = 0; a < WF_SRTP_ARCH_COUNT; a++)
		if (e->owned[a])
			free_mb_mgr(e->owned[a]);
	OPENSSL_cleanse(e->scratch, sizeof(e->scratch));
	free(e);
}

enum wf_srtp_arch wf_srtp_engine_arch(const struct wf_srtp_engine *e, enum wf_srtp_profile p)
{
	if (!e || (unsigned)p >= WF_SRTP_PROFILE_COUNT)
		return WF_SRTP_ARCH_AUTO;
	return e->arch[p];
}

/* ---- key derivation (RFC 3711 §4.3, RFC 7714 §11) ----------------------- */

/* AES-CM PRF: writes n bytes of keystream for label into out.  x is the
 * master salt (left-aligned in 14 bytes) with the label XORed into byte 7
 * (key_id = label || r, r = 0 since the key derivation rate is 0). */
static int prf(IMB_MGR *m, const void *enc_keys, unsigned key_len,
	       const uint8_t salt14[14], uint8_t label, uint8_t *out, unsigned n)
{
	static const uint8_t zero[64];
	uint8_t iv[16] __attribute__((aligned(16)));
	IMB_JOB *j;

	memcpy(iv, salt14, 14);
	iv[7] ^= label;
	iv[14] = iv[15] = 0;
	j = IMB_GET_NEXT_JOB(m);
	j->enc_keys = enc_keys;
	j->dec_keys = enc_keys;
	j->key_len_in_bytes = key_len;
	j->src = zero;
	j->dst = out;
	j->cipher_start_src_offset_in_bytes = 0;
	j->msg_len_to_cipher_in_bytes = n;
	j->iv = iv;
	j->iv_len_in_bytes = 16;
	j->cipher_mode = IMB_CIPHER_CNTR;
	j->cipher_direction = IMB_DIR_ENCRYPT;
	j->hash_alg = IMB_AUTH_NULL;
	j->chain_order = IMB_ORDER_CIPHER_HASH;
	j = IMB_SUBMIT_JOB(m);
	if (!j)
		j = IMB_FLUSH_JOB(m);
	while (j) {
		if (j->status != IMB_STATUS_COMPLETED)
			return -WF_SRTP_E_CRYPTO;
		j = IMB_GET_COMPLETED_JOB(m);
	}
	return 0;
}

/* HMAC-SHA1 inner and outer states for an auth key (RFC 2104). */
static void hmac_sha1_precompute(IMB_MGR *m, const uint8_t *key, unsigned key_len,
				 uint8_t ipad[32], uint8_t opad[32])
{
	uint8_t block[SHA1_BLOCK];
	unsigned i;

	memset(block, 0, sizeof(block));
	memcpy(block, key, key_len);	/* key_len <= 20 < block size */
	for (i = 0; i < SHA1_BLOCK; i++)
		block[i] ^= 0x36;
	IMB_SHA1_ONE_BLOCK(m, block, ipad);
	for (i = 0; i < SHA1_BLOCK; i++)
		block[i] ^= 0x36 ^ 0x5c;
	IMB_SHA1_ONE_BLOCK(m, block, opad);
	OPENSSL_cleanse(block, sizeof(block));
}

int wf_srtp_keys_derive(struct wf_srtp_engine *e, struct wf_srtp_keys *k,
			enum wf_srtp_profile p, enum wf_srtp_kind kind,
			const uint8_t *master_key, size_t key_len,
			const uint8_t *master_salt, size_t salt_len)
{
	const struct wf_srtp_suite *s = wf_srtp_suite(p);
	struct keys_impl *ki;
	uint8_t mk_enc[16 * 15] __attribute__((aligned(16)));
	uint8_t mk_dec[16 * 15] __attribute__((aligned(16)));
	uint8_t salt14[14] = { 0 };
	uint8_t session_key[32];
	uint8_t auth_key[20];
	uint8_t base = kind == WF_SRTP_KIND_RTCP ? 3 : 0;	/* RFC 3711 §4.3.2 labels */
	IMB_MGR *m;
	int rc;

	if (!e || !k || !s || !master_key || !master_salt)
		return -WF_SRTP_E_BAD_PARAM;
	if (kind != WF_SRTP_KIND_RTP && kind != WF_SRTP_KIND_RTCP)
		return -WF_SRTP_E_BAD_PARAM;
	if (key_len != s->master_key_len || salt_len != s->master_salt_len)
		return -WF_SRTP_E_BAD_PARAM;
	m = e->mgr[p];
	ki = K(k);
	memset(k, 0, sizeof(*k));
	/* RFC 7714 §11: the 96-bit master salt is used left-aligned in the
	 * 112-bit PRF input, the rest zero. */
	memcpy(salt14, master_salt, salt_len);
	if (key_len == 32)
		IMB_AES_KEYEXP_256(m, master_key, mk_enc, mk_dec);
	else
		IMB_AES_KEYEXP_128(m, master_key, mk_enc, mk_dec);

	rc = prf(m, mk_enc, (unsigned)key_len, salt14, base + 0, session_key, (unsigned)key_len);
	if (!rc)
		rc = prf(m, mk_enc, (unsigned)key_len, salt14, base + 2, ki->salt, s->aead ? 12 : 14);
	if (!rc && !s->aead)
		rc = prf(m, mk_enc, (unsigned)key_len, salt14, base + 1, auth_key, sizeof(auth_key));
	if (rc) {
		wf_srtp_keys_wipe(k);
		goto out;
	}
	if (s->aead) {
		if (key_len == 32)
			IMB_AES256_GCM_PRE(m, session_key, &ki->u.gcm);
		else
			IMB_AES128_GCM_PRE(m, session_key, &ki->u.gcm);
	} else {
		IMB_AES_KEYEXP_128(m, session_key, ki->u.cm.enc, mk_dec);
		hmac_sha1_precompute(m, auth_key, sizeof(auth_key), ki->u.cm.ipad, ki->u.cm.opad);
	}
	ki->profile = (uint8_t)p;
	ki->kind = (uint8_t)kind;
	ki->arch = (uint8_t)e->arch[p];
	ki->tag_len = kind == WF_SRTP_KIND_RTCP ? s->rtcp_tag_len : s->rtp_tag_len;
	ki->magic = KEYS_MAGIC;
out:
	OPENSSL_cleanse(mk_enc, sizeof(mk_enc));
	OPENSSL_cleanse(mk_dec, sizeof(mk_dec));
	OPENSSL_cleanse(session_key, sizeof(session_key));
	OPENSSL_cleanse(auth_key, sizeof(auth_key));
	OPENSSL_cleanse(salt14, sizeof(salt14));
	return rc;
}

void wf_srtp_keys_wipe(struct wf_srtp_keys *k)
{
	if (k)
		OPENSSL_cleanse(k, sizeof(*k));
}

enum wf_srtp_profile wf_srtp_keys_profile(const struct wf_srtp_keys *k)
{
	return (enum wf_srtp_profile)KC(k)->profile;
}

/* Keys usable by engine e for kind?  GCM tables must come from the same arch. */
static bool keys_ok(const struct wf_srtp_engine *e, const struct keys_impl *ki,
		    enum wf_srtp_kind kind)
{
	if (ki->magic != KEYS_MAGIC || ki->kind != kind || ki->profile >= WF_SRTP_PROFILE_COUNT)
		return false;
	if (wf_srtp_suites[ki->profile].aead && ki->arch != e->arch[ki->profile])
		return false;
	return true;
}

/* ---- IVs ----------------------------------------------------------------- */

/* RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16). */
static inline void iv_cm(uint8_t iv[16], const uint8_t salt[14], uint32_t ssrc, uint64_t index)
{
	memcpy(iv, salt, 14);
	iv[4] ^= (uint8_t)(ssrc >> 24);
	iv[5] ^= (uint8_t)(ssrc >> 16);
	iv[6] ^= (uint8_t)(ssrc >> 8);
	iv[7] ^= (uint8_t)ssrc;
	iv[8] ^= (uint8_t)(index >> 40);
	iv[9] ^= (uint8_t)(index >> 32);
	iv[10] ^= (uint8_t)(index >> 24);
	iv[11] ^= (uint8_t)(index >> 16);
	iv[12] ^= (uint8_t)(index >> 8);
	iv[13] ^= (uint8_t)index;
	iv[14] = 0;
	iv[15] = 0;
}

/* RFC 7714 §8.1 (SRTP): 00 00 || SSRC || ROC || SEQ, XOR salt.
 * RFC 7714 §9.1 (SRTCP): 00 00 || SSRC || 00 00 || 0 || index, XOR salt.
 * Both are SSRC at 2..5 and a 48-bit value at 6..11. */
static inline void iv_gcm(uint8_t iv[12], const uint8_t salt[12], uint32_t ssrc, uint64_t v48)
{
	memcpy(iv, salt, 12);
	iv[2] ^= (uint8_t)(ssrc >> 24);
	iv[3] ^= (uint8_t)(ssrc >> 16);
	iv[4] ^= (uint8_t)(ssrc >> 8);
	iv[5] ^= (uint8_t)ssrc;
	iv[6] ^= (uint8_t)(v48 >> 40);
	iv[7] ^= (uint8_t)(v48 >> 32);
	iv[8] ^= (uint8_t)(v48 >> 24);
	iv[9] ^= (uint8_t)(v48 >> 16);
	iv[10] ^= (uint8_t)(v48 >> 8);
	iv[11] ^= (uint8_t)v48;
}

/* ---- RTP header ---------------------------------------------------------- */

int wf_srtp_rtp_header_len(const uint8_t *pkt, size_t len)
{
	size_t hl;

	if (!pkt || len < WF_RTP_MIN_HEADER)
		return -WF_SRTP_E_TOO_SHORT;
	if ((pkt[0] >> 6) != 2)
		return -WF_SRTP_E_BAD_VERSION;
	hl = WF_RTP_MIN_HEADER + 4u * (pkt[0] & 0x0f);
	if (hl > len)
		return -WF_SRTP_E_BAD_HEADER;
	if (pkt[0] & 0x10) {	/* RFC 3550 §5.3.1 header extension */
		if (hl + 4 > len)
			return -WF_SRTP_E_BAD_HEADER;
		hl += 4 + 4u * rd16(pkt + hl + 2);
		if (hl > len)
			return -WF_SRTP_E_BAD_HEADER;
	}
	return (int)hl;
}

/* ---- the AES-CM + HMAC-SHA1 burst path ---------------------------------- */

/* Fills cipher job j: AES-128-CTR from src to dst, n bytes, with iv. */
static inline void job_ctr(IMB_JOB *j, const struct keys_impl *ki, const uint8_t *src,
			   uint8_t *dst, unsigned n, const uint8_t *iv)
{
	memset(j, 0, sizeof(*j));
	j->enc_keys = ki->u.cm.enc;
	j->dec_keys = ki->u.cm.enc;
	j->key_len_in_bytes = IMB_KEY_128_BYTES;
	j->src = src;
	j->dst = dst;
	j->msg_len_to_cipher_in_bytes = n;
	j->iv = iv;
	j->iv_len_in_bytes = 16;
	j->cipher_mode = IMB_CIPHER_CNTR;
	j->cipher_direction = IMB_DIR_ENCRYPT;
	j->hash_alg = IMB_AUTH_NULL;
	j->chain_order = IMB_ORDER_CIPHER_HASH;
}

/* Fills hash job j: HMAC-SHA1 over n bytes at src, 12-byte tag into tag. */
static inline void job_hmac(IMB_JOB *j, const struct keys_impl *ki, const uint8_t *src,
			    unsigned n, uint8_t *tag)
{
	memset(j, 0, sizeof(*j));
	j->src = src;
	j->msg_len_to_hash_in_bytes = n;
	j->auth_tag_output = tag;
	j->auth_tag_output_len_in_bytes = HMAC_TAG_SCRATCH;
	j->u.HMAC._hashed_auth_key_xor_ipad = ki->u.cm.ipad;
	j->u.HMAC._hashed_auth_key_xor_opad = ki->u.cm.opad;
	j->cipher_mode = IMB_CIPHER_NULL;
	j->hash_alg = IMB_AUTH_HMAC_SHA_1;
	j->chain_order = IMB_ORDER_HASH_CIPHER;
}

/* Runs n prepared cipher jobs; 0 or -WF_SRTP_E_CRYPTO. */
static int run_ctr(IMB_MGR *m, IMB_JOB *jobs, unsigned n)
{
	if (!n)
		return 0;
	if (IMB_SUBMIT_CIPHER_BURST_NOCHECK(m, jobs, n, IMB_CIPHER_CNTR, IMB_DIR_ENCRYPT,
					    IMB_KEY_128_BYTES) != n)
		return -WF_SRTP_E_CRYPTO;
	return 0;
}

static int run_hmac(IMB_MGR *m, IMB_JOB *jobs, unsigned n)
{
	if (!n)
		return 0;
	if (IMB_SUBMIT_HASH_BURST_NOCHECK(m, jobs, n, IMB_AUTH_HMAC_SHA_1) != n)
		return -WF_SRTP_E_CRYPTO;
	return 0;
}

/* Protects the n jobs in sel[] (all AES-CM profiles, one manager). */
static void protect_cm_group(struct wf_srtp_engine *e, IMB_MGR *m, struct wf_srtp_job **sel,
			     unsigned n)
{
	unsigned i, nc = 0;
	int rc;

	for (i = 0; i < n; i++) {
		struct wf_srtp_job *jb = sel[i];
		const struct keys_impl *ki = KC(jb->keys);
		const uint8_t *h = jb->out;
		uint64_t index = (uint64_t)jb->roc << 16 | rd16(h + 2);

		if (!jb->payload_len)
			continue;
		iv_cm(e->iv[i], ki->salt, rd32(h + 8), index);
		job_ctr(&e->jobs[nc++], ki, jb->payload, jb->out + jb->hdr_len,
			jb->payload_len, e->iv[i]);
	}
	rc = run_ctr(m, e->jobs, nc);
	/* RFC 3711 §4.2: the tag covers the authenticated portion || ROC; the
	 * ROC is written where the tag goes and then overwritten by it. */
	for (i = 0; !rc && i < n; i++) {
		struct wf_srtp_job *jb = sel[i];
		unsigned body = (unsigned)jb->hdr_len + jb->payload_len;

		wr32(jb->out + body, jb->roc);
		job_hmac(&e->jobs[i], KC(jb->keys), jb->out, body + 4, e->tag[i]);
	}
	if (!rc)
		rc = run_hmac(m, e->jobs, n);
	for (i = 0; i < n; i++) {
		struct wf_srtp_job *jb = sel[i];
		const struct keys_impl *ki = KC(jb->keys);
		unsigned body = (unsigned)jb->hdr_len + jb->payload_len;

		if (rc) {
			jb->status = (int16_t)rc;
			continue;
		}
		memcpy(jb->out + body, e->tag[i], ki->tag_len);
		jb->out_len = (uint16_t)(body + ki->tag_len);
		jb->status = 0;
	}
}

/* Protects one GCM job, out of place (RFC 7714 §8.1: AAD = RTP header). */
static void protect_gcm_one(IMB_MGR *m, struct wf_srtp_job *jb)
{
	const struct keys_impl *ki = KC(jb->keys);
	struct gcm_context_data ctx;
	uint8_t iv[12];
	const uint8_t *h = jb->out;
	uint64_t v48 = (uint64_t)jb->roc << 16 | rd16(h + 2);
	uint8_t *ct = jb->out + jb->hdr_len;

	iv_gcm(iv, ki->salt, rd32(h + 8), v48);
	if (ki->profile == WF_SRTP_AEAD_AES_256_GCM)
		IMB_AES256_GCM_ENC(m, &ki->u.gcm, &ctx, ct, jb->payload, jb->payload_len, iv,
				   h, jb->hdr_len, ct + jb->payload_len, 16);
	else
		IMB_AES128_GCM_ENC(m, &ki->u.gcm, &ctx, ct, jb->payload, jb->payload_len, iv,
				   h, jb->hdr_len, ct + jb->payload_len, 16);
	jb->out_len = (uint16_t)(jb->hdr_len + jb->payload_len + 16);
	jb->status = 0;
}

/* Checks one job's arguments; 0 or -error (the job's status). */
static int job_check(const struct wf_srtp_engine *e, const struct wf_srtp_job *jb)
{
	const struct keys_impl *ki;
	size_t need;

	if (!jb->keys || !jb->out || (!jb->payload && jb->payload_len))
		return -WF_SRTP_E_BAD_PARAM;
	ki = KC(jb->keys);
	if (!keys_ok(e, ki, WF_SRTP_KIND_RTP))
		return -WF_SRTP_E_BAD_PARAM;
	if (jb->hdr_len < WF_RTP_MIN_HEADER)
		return -WF_SRTP_E_TOO_SHORT;
	need = (size_t)jb->hdr_len + jb->payload_len + ki->tag_len;
	if (need > WF_SRTP_MAX_PACKET)
		return -WF_SRTP_E_TOO_LONG;
	if (need > jb->out_cap)
		return -WF_SRTP_E_NO_ROOM;
	if ((jb->out[0] >> 6) != 2)
		return -WF_SRTP_E_BAD_VERSION;
	return 0;
}

/* One chunk of at most WF_SRTP_BURST_MAX jobs. */
static unsigned protect_chunk(struct wf_srtp_engine *e, struct wf_srtp_job *jobs, unsigned n)
{
	unsigned i, ok = 0, p;
	uint32_t todo = 0;	/* bit per profile present */

	for (i = 0; i < n; i++) {
		int rc = job_check(e, &jobs[i]);

		jobs[i].out_len = 0;
		jobs[i].status = (int16_t)rc;
		if (!rc)
			todo |= 1u << KC(jobs[i].keys)->profile;
	}
	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
		unsigned ns = 0;

		if (!(todo & (1u << p)))
			continue;
		for (i = 0; i < n; i++)
			if (!jobs[i].status && KC(jobs[i].keys)->profile == p)
				e->sel[ns++] = &jobs[i];
		if (wf_srtp_suites[p].aead) {
			for (i = 0; i < ns; i++)
				protect_gcm_one(e->mgr[p], e->sel[i]);
		} else {
			protect_cm_group(e, e->mgr[p], e->sel, ns);
		}
	}
	for (i = 0; i < n; i++)
		ok += jobs[i].status == 0;
	return ok;
}

unsigned wf_srtp_protect_burst(struct wf_srtp_engine *e, struct wf_srtp_job *jobs, unsigned n)
{
	unsigned done = 0, ok = 0;

	if (!e || !jobs)
		return 0;
	while (done < n) {
		unsigned c = n - done > WF_SRTP_BURST_MAX ? WF_SRTP_BURST_MAX : n - done;

		ok += protect_chunk(e, jobs + done, c);
		done += c;
	}
	return ok;
}

int wf_srtp_protect(struct wf_srtp_engine *e, const struct wf_srtp_keys *k,
		    uint32_t roc, uint8_t *pkt, size_t len, size_t cap, size_t *out_len)
{
	struct wf_srtp_job jb;
	int hl;

	if (!e || !k || !pkt || !out_len)
		return -WF_SRTP_E_BAD_PARAM;
	hl = wf_srtp_rtp_header_len(pkt, len);
	if (hl < 0)
		return hl;
	if (len > WF_SRTP_MAX_PACKET)
		return -WF_SRTP_E_TOO_LONG;
	memset(&jb, 0, sizeof(jb));
	jb.keys = k;
	jb.payload = pkt + hl;	/* in place: ipsec-mb allows dst == src */
	jb.out = pkt;
	jb.roc = roc;
	jb.hdr_len = (uint16_t)hl;
	jb.payload_len = (uint16_t)(len - (size_t)hl);
	jb.out_cap = (uint16_t)(cap > WF_SRTP_MAX_PACKET + WF_SRTCP_MAX_TRAILER ?
				WF_SRTP_MAX_PACKET + WF_SRTCP_MAX_TRAILER : cap);
	protect_chunk(e, &jb, 1);
	if (jb.status)
		return jb.status;
	*out_len = jb.out_len;
	return 0;
}

/* ---- replay window (RFC 3711 §3.3.2) ------------------------------------- */

static int replay_check(const struct wf_srtp_replay *r, uint64_t idx)
{
	uint64_t delta;

	if (!r->started || idx > r->top)
		return 0;
	delta = r->top - idx;
	if (delta >= WF_SRTP_REPLAY_WINDOW)
		return -WF_SRTP_E_TOO_OLD;
	if (r->window & (1ull << delta))
		return -WF_SRTP_E_REPLAY;
	return 0;
}

static void replay_update(struct wf_srtp_replay *r, uint64_t idx)
{
	if (!r->started) {
		r->started = true;
		r->top = idx;
		r->window = 1;
	} else if (idx > r->top) {
		uint64_t shift = idx - r->top;

		r->window = shift >= WF_SRTP_REPLAY_WINDOW ? 0 : r->window << shift;
		r->window |= 1;
		r->top = idx;
	} else {
		r->window |= 1ull << (r->top - idx);
	}
}

/* RFC 3711 §3.3.1: the index of a received SEQ given the highest index so
 * far.  Before any packet the ROC is taken as 0. */
static uint64_t estimate_index(const struct wf_srtp_replay *r, uint16_t seq)
{
	uint32_t roc, v;
	uint16_t s_l;

	if (!r->started)
		return seq;
	roc = (uint32_t)(r->top >> 16);
	s_l = (uint16_t)r->top;
	v = roc;
	if (s_l < 32768) {
		if ((int)seq - (int)s_l > 32768 && roc > 0)
			v = roc - 1;
	} else {
		if ((int)s_l - 32768 > (int)seq)
			v = roc + 1;
	}
	return (uint64_t)v << 16 | seq;
}

/* ---- unprotect ------------------------------------------------------------ */

/* HMAC-SHA1 of n bytes at p, compared in constant time with want (tag_len). */
static int hmac_verify(struct wf_srtp_engine *e, IMB_MGR *m, const struct keys_impl *ki,
		       const uint8_t *p, unsigned n, const uint8_t *want, unsigned tag_len)
{
	job_hmac(&e->jobs[0], ki, p, n, e->tag[0]);
	if (run_hmac(m, e->jobs, 1))
		return -WF_SRTP_E_CRYPTO;
	if (CRYPTO_memcmp(e->tag[0], want, tag_len) != 0)
		return -WF_SRTP_E_AUTH_FAIL;
	return 0;
}

static int ctr_inplace(struct wf_srtp_engine *e, IMB_MGR *m, const struct keys_impl *ki,
		       uint8_t *p, unsigned n, const uint8_t iv[16])
{
	if (!n)
		return 0;
	memcpy(e->iv[0], iv, 16);
	job_ctr(&e->jobs[0], ki, p, p, n, e->iv[0]);
	return run_ctr(m, e->jobs, 1);
}

/* GCM decrypt of n bytes at p (in place) with aad and tag check. */
static int gcm_open(IMB_MGR *m, const struct keys_impl *ki, uint8_t *p, unsigned n,
		    const uint8_t iv[12], const uint8_t *aad, unsigned aad_len,
		    const uint8_t *tag)
{
	struct gcm_context_data ctx;
	uint8_t got[16];

	if (ki->profile == WF_SRTP_AEAD_AES_256_GCM)
		IMB_AES256_GCM_DEC(m, &ki->u.gcm, &ctx, p, p, n, iv, aad, aad_len, got, 16);
	else
		IMB_AES128_GCM_DEC(m, &ki->u.gcm, &ctx, p, p, n, iv, aad, aad_len, got, 16);
	if (CRYPTO_memcmp(got, tag, 16) != 0)
		return -WF_SRTP_E_AUTH_FAIL;
	return 0;
}

int wf_srtp_unprotect(struct wf_srtp_engine *e, const struct wf_srtp_keys *k,
		      struct wf_srtp_replay *r, uint8_t *pkt, size_t len,
		      size_t *out_len, uint64_t *index_out)
{
	const struct keys_impl *ki;
	IMB_MGR *m;
	uint64_t idx;
	unsigned tl, body;
	int hl, rc;

	if (!e || !k || !r || !pkt || !out_len)
		return -WF_SRTP_E_BAD_PARAM;
	ki = KC(k);
	if (!keys_ok(e, ki, WF_SRTP_KIND_RTP))
		return -WF_SRTP_E_BAD_PARAM;
	if (len > WF_SRTP_MAX_PACKET)
		return -WF_SRTP_E_TOO_LONG;
	hl = wf_srtp_rtp_header_len(pkt, len);
	if (hl < 0)
		return hl;
	tl = ki->tag_len;
	if (len < (size_t)hl + tl)
		return -WF_SRTP_E_TOO_SHORT;
	m = e->mgr[ki->profile];
	body = (unsigned)len - tl;
	idx = estimate_index(r, rd16(pkt + 2));
	rc = replay_check(r, idx);
	if (rc)
		return rc;

	if (wf_srtp_suites[ki->profile].aead) {
		uint8_t iv[12];

		iv_gcm(iv, ki->salt, rd32(pkt + 8), idx);
		rc = gcm_open(m, ki, pkt + hl, body - (unsigned)hl, iv, pkt, (unsigned)hl,
			      pkt + body);
	} else {
		uint8_t tag[10], iv[16];

		/* Auth over header || ciphertext || ROC: the ROC borrows the tag's
		 * place for the hash (tag length >= 4), then the tag goes back. */
		memcpy(tag, pkt + body, tl);
		wr32(pkt + body, (uint32_t)(idx >> 16));
		rc = hmac_verify(e, m, ki, pkt, body + 4, tag, tl);
		memcpy(pkt + body, tag, tl);
		if (!rc) {
			iv_cm(iv, ki->salt, rd32(pkt + 8), idx);
			rc = ctr_inplace(e, m, ki, pkt + hl, body - (unsigned)hl, iv);
		}
	}
	if (rc)
		return rc;
	replay_update(r, idx);
	*out_len = body;
	if (index_out)
		*index_out = idx;
	return 0;
}

/* ---- SRTCP (RFC 3711 §3.4, RFC 7714 §9) ---------------------------------- */

static int rtcp_check(const uint8_t *pkt, size_t len)
{
	if (len < WF_RTCP_MIN_HEADER)
		return -WF_SRTP_E_TOO_SHORT;
	if ((pkt[0] >> 6) != 2)
		return -WF_SRTP_E_BAD_VERSION;
	if (len > WF_SRTP_MAX_PACKET)
		return -WF_SRTP_E_TOO_LONG;
	return 0;
}

int wf_srtcp_protect(struct wf_srtp_engine *e, const struct wf_srtp_keys *k,
		     uint32_t *index, uint8_t *pkt, size_t len, size_t cap, size_t *out_len)
{
	const struct keys_impl *ki;
	IMB_MGR *m;
	uint32_t word;
	unsigned n, tl;
	int rc;

	if (!e || !k || !index || !pkt || !out_len)
		return -WF_SRTP_E_BAD_PARAM;
	ki = KC(k);
	if (!keys_ok(e, ki, WF_SRTP_KIND_RTCP))
		return -WF_SRTP_E_BAD_PARAM;
	rc = rtcp_check(pkt, len);
	if (rc)
		return rc;
	tl = ki->tag_len;
	if (cap < len + 4 + tl)
		return -WF_SRTP_E_NO_ROOM;
	if (*index > SRTCP_INDEX_MAX)
		return -WF_SRTP_E_INDEX_LIMIT;
	m = e->mgr[ki->profile];
	n = (unsigned)len - WF_RTCP_MIN_HEADER;
	word = SRTCP_E_BIT | *index;

	if (wf_srtp_suites[ki->profile].aead) {
		struct gcm_context_data ctx;
		uint8_t iv[12], aad[12];

		/* RFC 7714 §9: AAD = first 8 octets || E || index; the trailer
		 * follows the tag. */
		memcpy(aad, pkt, 8);
		wr32(aad + 8, word);
		iv_gcm(iv, ki->salt, rd32(pkt + 4), *index);
		if (ki->profile == WF_SRTP_AEAD_AES_256_GCM)
			IMB_AES256_GCM_ENC(m, &ki->u.gcm, &ctx, pkt + 8, pkt + 8, n, iv, aad, 12,
					   pkt + len, 16);
		else
			IMB_AES128_GCM_ENC(m, &ki->u.gcm, &ctx, pkt + 8, pkt + 8, n, iv, aad, 12,
					   pkt + len, 16);
		wr32(pkt + len + 16, word);
	} else {
		uint8_t iv[16];

		iv_cm(iv, ki->salt, rd32(pkt + 4), *index);
		rc = ctr_inplace(e, m, ki, pkt + 8, n, iv);
		if (rc)
			return rc;
		wr32(pkt + len, word);
		job_hmac(&e->jobs[0], ki, pkt, (unsigned)len + 4, e->tag[0]);
		if (run_hmac(m, e->jobs, 1))
			return -WF_SRTP_E_CRYPTO;
		memcpy(pkt + len + 4, e->tag[0], tl);
	}
	*out_len = len + 4 + tl;
	(*index)++;
	return 0;
}

int wf_srtcp_unprotect(struct wf_srtp_engine *e, const struct wf_srtp_keys *k,
		       struct wf_srtp_replay *r, uint8_t *pkt, size_t len,
		       size_t *out_len)
{
	const struct keys_impl *ki;
	IMB_MGR *m;
	uint32_t word, idx;
	unsigned tl, body;
	bool encrypted;
	int rc;

	if (!e || !k || !r || !pkt || !out_len)
		return -WF_SRTP_E_BAD_PARAM;
	ki = KC(k);
	if (!keys_ok(e, ki, WF_SRTP_KIND_RTCP))
		return -WF_SRTP_E_BAD_PARAM;
	rc = rtcp_check(pkt, len);
	if (rc)
		return rc;
	tl = ki->tag_len;
	if (len < WF_RTCP_MIN_HEADER + 4 + (size_t)tl)
		return -WF_SRTP_E_TOO_SHORT;
	m = e->mgr[ki->profile];

	if (wf_srtp_suites[ki->profile].aead) {
		uint8_t iv[12];
		const uint8_t *tag;

		/* header || ciphertext || tag || E+index */
		word = rd32(pkt + len - 4);
		body = (unsigned)len - 4 - tl;
		tag = pkt + body;
		idx = word & SRTCP_INDEX_MAX;
		encrypted = word & SRTCP_E_BIT;
		rc = replay_check(r, idx);
		if (rc)
			return rc;
		iv_gcm(iv, ki->salt, rd32(pkt + 4), idx);
		if (encrypted) {
			uint8_t aad[12];

			memcpy(aad, pkt, 8);
			wr32(aad + 8, word);
			rc = gcm_open(m, ki, pkt + 8, body - 8, iv, aad, 12, tag);
		} else {
			/* RFC 7714 §9.3: unencrypted SRTCP: everything is AAD. */
			memcpy(e->scratch, pkt, body);
			wr32(e->scratch + body, word);
			rc = gcm_open(m, ki, e->scratch + body + 4, 0, iv, e->scratch, body + 4,
				      tag);
		}
	} else {
		uint8_t iv[16];

		/* header || ciphertext || E+index || tag */
		body = (unsigned)len - tl - 4;
		word = rd32(pkt + body);
		idx = word & SRTCP_INDEX_MAX;
		encrypted = word & SRTCP_E_BIT;
		rc = replay_check(r, idx);
		if (rc)
			return rc;
		rc = hmac_verify(e, m, ki, pkt, body + 4, pkt + body + 4, tl);
		if (!rc && encrypted) {
			iv_cm(iv, ki->salt, rd32(pkt + 4), idx);
			rc = ctr_inplace(e, m, ki, pkt + 8, body - 8, iv);
		}
	}
	if (rc)
		return rc;
	replay_update(r, idx);
	*out_len = body;
	return 0;
}

/* ---- picking the manager by measurement --------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Time one profile on one arch: best of a few rounds of 32-viewer bursts of
 * 1200-byte packets.  Returns seconds per packet, or a negative value. */
static double measure_one(enum wf_srtp_arch a, enum wf_srtp_profile p)
{
	enum { VIEWERS = 32, ROUNDS = 5, BURSTS = 24, SIZE = 1200 };
	enum wf_srtp_arch arch[WF_SRTP_PROFILE_COUNT];
	const struct wf_srtp_suite *s = wf_srtp_suite(p);
	struct wf_srtp_engine *e;
	struct wf_srtp_keys *keys;
	struct wf_srtp_job jobs[VIEWERS];
	uint8_t *bufs, payload[SIZE];
	uint8_t mk[WF_SRTP_MAX_MASTER_KEY], ms[WF_SRTP_MAX_MASTER_SALT];
	double best = -1;
	unsigned i, r, b;

	for (i = 0; i < WF_SRTP_PROFILE_COUNT; i++)
		arch[i] = a;
	e = wf_srtp_engine_create(arch);
	keys = aligned_alloc(64, sizeof(*keys) * VIEWERS);
	bufs = malloc((size_t)VIEWERS * 2048);
	if (!e || !keys || !bufs)
		goto out;
	memset(payload, 0x5a, sizeof(payload));
	for (i = 0; i < VIEWERS; i++) {
		memset(mk, (int)i + 1, sizeof(mk));
		memset(ms, (int)i + 7, sizeof(ms));
		if (wf_srtp_keys_derive(e, &keys[i], p, WF_SRTP_KIND_RTP, mk, s->master_key_len,
					ms, s->master_salt_len))
			goto out;
	}
	for (r = 0; r < ROUNDS; r++) {
		double t0 = now_s(), dt;

		for (b = 0; b < BURSTS; b++) {
			for (i = 0; i < VIEWERS; i++) {
				uint8_t *o = bufs + (size_t)i * 2048;

				o[0] = 0x80;
				o[1] = 96;
				o[2] = (uint8_t)(b >> 8);
				o[3] = (uint8_t)b;
				memset(o + 4, 0, 4);
				wr32(o + 8, 0x1000 + i);
				jobs[i] = (struct wf_srtp_job){
					.keys = &keys[i], .payload = payload, .out = o,
					.hdr_len = 12, .payload_len = SIZE - 12, .out_cap = 2048,
				};
			}
			if (wf_srtp_protect_burst(e, jobs, VIEWERS) != VIEWERS)
				goto out;
		}
		dt = (now_s() - t0) / (VIEWERS * BURSTS);
		if (best < 0 || dt < best)
			best = dt;
	}
out:
	free(bufs);
	free(keys);
	wf_srtp_engine_free(e);
	return best;
}

int wf_srtp_arch_measure(enum wf_srtp_arch best[WF_SRTP_PROFILE_COUNT])
{
	static const enum wf_srtp_arch cands[] = {
		WF_SRTP_ARCH_SSE, WF_SRTP_ARCH_AVX2, WF_SRTP_ARCH_AVX512,
	};
	unsigned p, c;

	if (!best)
		return -WF_SRTP_E_BAD_PARAM;
	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
		double t_best = -1;

		best[p] = WF_SRTP_ARCH_AUTO;
		for (c = 0; c < sizeof(cands) / sizeof(cands[0]); c++) {
			double t;

			if (!wf_srtp_arch_supported(cands[c]))
				continue;
			t = measure_one(cands[c], (enum wf_srtp_profile)p);
			if (t > 0 && (t_best < 0 || t < t_best)) {
				t_best = t;
				best[p] = cands[c];
			}
		}
		if (t_best < 0)
			return -WF_SRTP_E_CRYPTO;
	}
	return 0;
}
