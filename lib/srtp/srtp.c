/* srtp.c: SRTP/SRTCP protect and unprotect on Intel ipsec-mb.
 *
 * AES-CM + HMAC-SHA1 profiles run in two ipsec-mb bursts per group of jobs:
 * one AES-CTR cipher burst (plaintext payload -> viewer's buffer), then one
 * multi-buffer HMAC-SHA1 burst over header || ciphertext || ROC.  The GCM
 * profiles use ipsec-mb's one-pass AES-GCM, out of place.
 */
#include "srtp/srtp.h"

#include <errno.h>
#include <stddef.h>
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

/* The private layout behind struct wf_srtp_keys.  What every job reads
 * first (the checks, the salt) is the first cache line, then the tables
 * in the order AES and GHASH read them: a caller that fetches a key's head
 * ahead (wf_srtp_keys_prefetch) finds the checks' line and the round keys. */
struct keys_impl {
	uint32_t magic;
	uint8_t profile;
	uint8_t kind;
	uint8_t arch;		/* GCM tables were computed by this arch */
	uint8_t tag_len;
	uint8_t salt[16];	/* session salt, 14 (CM) or 12 (GCM) bytes */
	union {
		struct gcm_key_data gcm;	/* arch-specific tables */
		struct {
			uint8_t enc[16 * 15] __attribute__((aligned(16)));
			uint8_t ipad[32] __attribute__((aligned(16)));
			uint8_t opad[32] __attribute__((aligned(16)));
		} cm;
	} u __attribute__((aligned(64)));
};

_Static_assert(2 * WF_SRTP_BURST_MAX == 128, "rx_shadow hashes to 7 bits");
_Static_assert(sizeof(struct keys_impl) <= sizeof(struct wf_srtp_keys),
	       "wf_srtp_keys too small for the private layout");
_Static_assert(offsetof(struct keys_impl, u) == 64, "the checks' line is the first");
_Static_assert(offsetof(struct keys_impl, u) + 16 * 15 <= WF_SRTP_KEYS_HEAD,
	       "wf_srtp_keys_prefetch misses a line of the AES round keys");

static inline struct keys_impl *K(struct wf_srtp_keys *k)
{
	return (struct keys_impl *)k->opaque;
}

static inline const struct keys_impl *KC(const struct wf_srtp_keys *k)
{
	return (const struct keys_impl *)k->opaque;
}

/* Small HMAC-SHA1 bursts.  The AVX2 and AVX-512 managers hash 8 and 16
 * buffers in parallel: a burst that does not fill the lanes is flushed at
 * nearly the cost of a full set (measured on a Sapphire Rapids, AVX-512:
 * ~2.7 us for 1 to 16 hashes of 1216 bytes), while the SSE manager with
 * SHA-NI costs ~0.65 us per hash whatever the burst.  So the remainder
 * r = n % lanes of an AES-CM group is hashed on the SSE manager when that
 * is cheaper; measured crossovers (AVX-512 and AVX2 alike): r <= 3 at any
 * length, r <= 4 up to ~1500 bytes, r <= 6 up to ~250 bytes.  AES-CM keys
 * (expanded AES key, HMAC ipad/opad states) do not depend on the manager,
 * so the result is the same. */
#define SMALL_HASH_MAX		3	/* jobs of any length */
#define SMALL_HASH_MID		4	/* jobs of at most SMALL_HASH_MID_LEN bytes */
#define SMALL_HASH_MID_LEN	1536
#define SMALL_HASH_SHORT	6	/* jobs of at most SMALL_HASH_SHORT_LEN bytes */
#define SMALL_HASH_SHORT_LEN	256

/* What an unprotect burst keeps per job between its passes (srtp.c
 * "unprotect burst"). */
enum rx_auth {
	RX_AUTH_NONE = 0,	/* no tag computed in the hash burst */
	RX_AUTH_OK,		/* the tag matched (for the index idx) */
	RX_AUTH_BAD,		/* it did not */
	RX_AUTH_ERR,		/* ipsec-mb refused the hash burst */
};

struct rx_slot {
	struct wf_srtp_replay before;	/* provisional state before this packet */
	uint64_t idx;			/* index estimated from `before` */
	uint16_t hl, body;		/* header length; bytes before the tag */
	int8_t verdict;			/* replay_check against `before`: 0 or -error */
	uint8_t auth;			/* enum rx_auth */
	uint8_t tag[10];		/* the packet's tag while the ROC takes its place */
};

/* Finding a replay state's provisional copy in O(1): a burst may hold up
 * to WF_SRTP_BURST_MAX SSRCs.  Open addressing, at most half full. */
#define RX_FIND_SIZE	(2 * WF_SRTP_BURST_MAX)
struct rx_find {
	const struct wf_srtp_replay *owner;
	uint32_t gen;
	uint32_t slot;
};

struct wf_srtp_engine {
	IMB_MGR *owned[WF_SRTP_ARCH_COUNT];	/* one manager per distinct arch */
	IMB_MGR *mgr[WF_SRTP_PROFILE_COUNT];
	IMB_MGR *small;		/* SSE + SHA-NI manager for small hash bursts, or NULL */
	uint8_t lanes[WF_SRTP_PROFILE_COUNT];	/* HMAC lanes of mgr[p] when small is used, else 0 */
	enum wf_srtp_arch arch[WF_SRTP_PROFILE_COUNT];
	/* Job templates: the constant fields are set once by jobs_init();
	 * per packet only keys, buffers and lengths are written.  The burst
	 * API writes nothing but status, and does not read it. */
	IMB_JOB ctr[WF_SRTP_BURST_MAX];		/* AES-128-CTR, iv -> iv[i] */
	IMB_JOB hmac[WF_SRTP_BURST_MAX];	/* HMAC-SHA1, tag -> tag[i] */
	uint8_t iv[WF_SRTP_BURST_MAX][16] __attribute__((aligned(16)));
	uint8_t tag[WF_SRTP_BURST_MAX][32];
	struct wf_srtp_job *sel[WF_SRTP_BURST_MAX];
	/* Unprotect burst: per job, and the provisional replay states (one
	 * per distinct state of the chunk, found through find[]). */
	struct rx_slot rx[WF_SRTP_BURST_MAX];
	struct wf_srtp_replay shadow[WF_SRTP_BURST_MAX];
	struct rx_find find[RX_FIND_SIZE];	/* replay state -> its shadow */
	uint32_t find_gen;			/* entries of other chunks are empty */
	uint8_t rx_sel[WF_SRTP_BURST_MAX];
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

static const char *const wf_srtp_errname[WF_SRTP_E_COUNT] = {
	[WF_SRTP_OK] = "ok",
	[WF_SRTP_E_TOO_SHORT] = "too_short",
	[WF_SRTP_E_BAD_VERSION] = "bad_version",
	[WF_SRTP_E_BAD_HEADER] = "bad_header",
	[WF_SRTP_E_AUTH_FAIL] = "auth_fail",
	[WF_SRTP_E_REPLAY] = "replay",
	[WF_SRTP_E_TOO_OLD] = "too_old",
	[WF_SRTP_E_UNKNOWN_SSRC] = "unknown_ssrc",
	[WF_SRTP_E_NO_ROOM] = "no_room",
	[WF_SRTP_E_TOO_LONG] = "too_long",
	[WF_SRTP_E_INDEX_LIMIT] = "index_limit",
	[WF_SRTP_E_BAD_PARAM] = "bad_param",
	[WF_SRTP_E_CRYPTO] = "crypto",
};

const char *wf_srtp_err_name(int err)
{
	unsigned e = (unsigned)(err < 0 ? -err : err);

	if (e >= WF_SRTP_E_COUNT || !wf_srtp_errname[e])
		return "unknown";
	return wf_srtp_errname[e];
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

/* Sets the fields of e's job templates that never change: mode, key size,
 * offsets, the IV and tag scratch each job slot points to. */
static void jobs_init(struct wf_srtp_engine *e)
{
	unsigned i;

	memset(e->ctr, 0, sizeof(e->ctr));
	memset(e->hmac, 0, sizeof(e->hmac));
	for (i = 0; i < WF_SRTP_BURST_MAX; i++) {
		IMB_JOB *c = &e->ctr[i], *h = &e->hmac[i];

		c->key_len_in_bytes = IMB_KEY_128_BYTES;
		c->cipher_start_src_offset_in_bytes = 0;
		c->iv = e->iv[i];
		c->iv_len_in_bytes = 16;
		c->cipher_mode = IMB_CIPHER_CNTR;
		c->cipher_direction = IMB_DIR_ENCRYPT;
		c->hash_alg = IMB_AUTH_NULL;
		c->chain_order = IMB_ORDER_CIPHER_HASH;

		h->hash_start_src_offset_in_bytes = 0;
		h->auth_tag_output = e->tag[i];
		h->auth_tag_output_len_in_bytes = HMAC_TAG_SCRATCH;
		h->cipher_mode = IMB_CIPHER_NULL;
		h->hash_alg = IMB_AUTH_HMAC_SHA_1;
		h->chain_order = IMB_ORDER_HASH_CIPHER;
	}
}

/* Lanes of an arch's multi-buffer HMAC-SHA1 in ipsec-mb 1.3 (the SSE
 * manager with SHA-NI has 2, and needs no help). */
static unsigned hmac_lanes(enum wf_srtp_arch a)
{
	return a == WF_SRTP_ARCH_AVX512 ? 16 : a == WF_SRTP_ARCH_AVX2 ? 8 : 0;
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
	jobs_init(e);
	/* Small-burst hashing on SSE + SHA-NI, for AES-CM profiles on a
	 * multi-lane manager (see SMALL_HASH_MAX). */
	if (imb_get_feature_flags() & IMB_FEATURE_SHANI) {
		for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++)
			if (!wf_srtp_suites[p].aead)
				e->lanes[p] = (uint8_t)hmac_lanes(e->arch[p]);
		for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++)
			if (e->lanes[p])
				break;
		if (p < WF_SRTP_PROFILE_COUNT) {
			enum wf_srtp_arch sse;

			if (!e->owned[WF_SRTP_ARCH_SSE])
				e->owned[WF_SRTP_ARCH_SSE] = mgr_create(WF_SRTP_ARCH_SSE, &sse);
			e->small = e->owned[WF_SRTP_ARCH_SSE];
			if (!e->small)		/* not fatal: the big manager does it all */
				memset(e->lanes, 0, sizeof(e->lanes));
		}
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

static inline uint64_t ld_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return __builtin_bswap64(v);
}

static inline uint32_t ld_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return __builtin_bswap32(v);
}

static inline void st_be64(uint8_t *p, uint64_t v)
{
	v = __builtin_bswap64(v);
	memcpy(p, &v, 8);
}

static inline void st_be32(uint8_t *p, uint32_t v)
{
	v = __builtin_bswap32(v);
	memcpy(p, &v, 4);
}

/* RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16).
 * Built in two 64-bit big-endian halves in registers (byte-wise XORs
 * after a memcpy stalled on store forwarding).  salt holds 16 bytes, the
 * session salt's 14 then zeros; bits of index above 47 are dropped. */
static inline void iv_cm(uint8_t iv[16], const uint8_t salt[16], uint32_t ssrc, uint64_t index)
{
	uint64_t hi = ld_be64(salt) ^ ssrc;		/* SSRC: bytes 4..7 */
	uint64_t lo = ld_be64(salt + 8) ^ (index << 16);	/* i: bytes 8..13 */

	st_be64(iv, hi);
	st_be64(iv + 8, lo & ~(uint64_t)0xffff);	/* block counter: 0 */
}

/* RFC 7714 §8.1 (SRTP): 00 00 || SSRC || ROC || SEQ, XOR salt.
 * RFC 7714 §9.1 (SRTCP): 00 00 || SSRC || 00 00 || 0 || index, XOR salt.
 * Both are SSRC at 2..5 and a 48-bit value at 6..11 (v48 < 2^48). */
static inline void iv_gcm(uint8_t iv[12], const uint8_t salt[12], uint32_t ssrc, uint64_t v48)
{
	st_be64(iv, ld_be64(salt) ^ (uint64_t)ssrc << 16 ^ (v48 >> 32 & 0xffff));
	st_be32(iv + 8, ld_be32(salt + 8) ^ (uint32_t)v48);
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

/* Fills the per-packet fields of cipher job j (a template from jobs_init):
 * AES-128-CTR from src to dst, n bytes, IV already in j's iv slot. */
static inline void job_ctr(IMB_JOB *j, const struct keys_impl *ki, const uint8_t *src,
			   uint8_t *dst, unsigned n)
{
	j->enc_keys = ki->u.cm.enc;
	j->src = src;
	j->dst = dst;
	j->msg_len_to_cipher_in_bytes = n;
}

/* Fills the per-packet fields of hash job j (a template from jobs_init):
 * HMAC-SHA1 over n bytes at src; the 12-byte tag goes to j's tag slot. */
static inline void job_hmac(IMB_JOB *j, const struct keys_impl *ki, const uint8_t *src,
			    unsigned n)
{
	j->src = src;
	j->msg_len_to_hash_in_bytes = n;
	j->u.HMAC._hashed_auth_key_xor_ipad = ki->u.cm.ipad;
	j->u.HMAC._hashed_auth_key_xor_opad = ki->u.cm.opad;
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

/* Runs e->hmac[0..n) for profile p: the jobs that fill whole lanes of the
 * profile's manager go there, a small remainder to the SSE manager (see
 * SMALL_HASH_MAX).  0 or -WF_SRTP_E_CRYPTO. */
static int run_hmac_group(struct wf_srtp_engine *e, unsigned p, unsigned n)
{
	unsigned lanes = e->lanes[p], r, i, max_len = 0;

	if (!lanes)
		return run_hmac(e->mgr[p], e->hmac, n);
	r = n % lanes;
	if (r > SMALL_HASH_MAX) {
		for (i = n - r; i < n; i++)
			if (e->hmac[i].msg_len_to_hash_in_bytes > max_len)
				max_len = (unsigned)e->hmac[i].msg_len_to_hash_in_bytes;
		if (!(r <= SMALL_HASH_MID && max_len <= SMALL_HASH_MID_LEN) &&
		    !(r <= SMALL_HASH_SHORT && max_len <= SMALL_HASH_SHORT_LEN))
			r = 0;
	}
	if (run_hmac(e->mgr[p], e->hmac, n - r))
		return -WF_SRTP_E_CRYPTO;
	return run_hmac(e->small, e->hmac + (n - r), r);
}

/* Copies an HMAC-SHA1 tag of tl bytes (10 or 4, the only lengths of the
 * AES-CM profiles, RFC 3711 §5.2 and RFC 5764 §4.1.2) with fixed-size
 * moves. */
static inline void tag_copy(uint8_t *dst, const uint8_t *tag, unsigned tl)
{
	if (tl == 10) {
		memcpy(dst, tag, 8);
		memcpy(dst + 8, tag + 8, 2);
	} else {
		memcpy(dst, tag, 4);
	}
}

/* Protects the n jobs in sel[] (all of AES-CM profile p). */
static void protect_cm_group(struct wf_srtp_engine *e, unsigned p, struct wf_srtp_job **sel,
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
		iv_cm(e->iv[nc], ki->salt, rd32(h + 8), index);
		job_ctr(&e->ctr[nc++], ki, jb->payload, jb->out + jb->hdr_len, jb->payload_len);
	}
	rc = run_ctr(e->mgr[p], e->ctr, nc);
	/* RFC 3711 §4.2: the tag covers the authenticated portion || ROC; the
	 * ROC is written where the tag goes and then overwritten by it. */
	for (i = 0; !rc && i < n; i++) {
		struct wf_srtp_job *jb = sel[i];
		unsigned body = (unsigned)jb->hdr_len + jb->payload_len;

		wr32(jb->out + body, jb->roc);
		job_hmac(&e->hmac[i], KC(jb->keys), jb->out, body + 4);
	}
	if (!rc)
		rc = run_hmac_group(e, p, n);
	for (i = 0; i < n; i++) {
		struct wf_srtp_job *jb = sel[i];
		unsigned tl = KC(jb->keys)->tag_len;
		unsigned body = (unsigned)jb->hdr_len + jb->payload_len;

		if (rc) {
			jb->status = (int16_t)rc;
			continue;
		}
		tag_copy(jb->out + body, e->tag[i], tl);
		jb->out_len = (uint16_t)(body + tl);
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
			protect_cm_group(e, p, e->sel, ns);
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

/* The words of r's window in use: its size in 64s (0, or anything out of
 * range, as the default 64). */
static unsigned replay_words(const struct wf_srtp_replay *r)
{
	unsigned n = r->size / 64u;

	return n >= 1 && n <= WF_SRTP_REPLAY_WINDOW_MAX / 64 ? n : WF_SRTP_REPLAY_WINDOW / 64;
}

static int replay_check(const struct wf_srtp_replay *r, uint64_t idx)
{
	uint64_t delta;

	if (!r->started || idx > r->top)
		return 0;
	delta = r->top - idx;
	if (delta >= 64ull * replay_words(r))
		return -WF_SRTP_E_TOO_OLD;
	if (r->window[delta / 64] & 1ull << (delta % 64))
		return -WF_SRTP_E_REPLAY;
	return 0;
}

/* Moves every bit of the window shift indexes older (bit i to i + shift);
 * what passes the window's end is gone. */
static void window_shift(uint64_t *w, unsigned words, uint64_t shift)
{
	unsigned ws, bs, i;

	if (shift >= 64ull * words) {
		memset(w, 0, sizeof(*w) * words);
		return;
	}
	ws = (unsigned)(shift / 64);
	bs = (unsigned)(shift % 64);
	for (i = words; i-- > 0;) {
		uint64_t v = i >= ws ? w[i - ws] << bs : 0;

		if (bs && i >= ws + 1)
			v |= w[i - ws - 1] >> (64 - bs);
		w[i] = v;
	}
}

static void replay_update(struct wf_srtp_replay *r, uint64_t idx)
{
	unsigned words = replay_words(r);

	if (!r->started) {
		r->started = true;
		r->top = idx;
		memset(r->window, 0, sizeof(r->window));
		r->window[0] = 1;
	} else if (idx > r->top) {
		window_shift(r->window, words, idx - r->top);
		r->window[0] |= 1;
		r->top = idx;
	} else {
		uint64_t delta = r->top - idx;	/* < the window: replay_check passed */

		r->window[delta / 64] |= 1ull << (delta % 64);
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

/* HMAC-SHA1 of n bytes at p, compared in constant time with want (tag_len).
 * One hash: on the SSE + SHA-NI manager when the engine has one for this
 * profile (see SMALL_HASH_MAX), else on m. */
static int hmac_verify(struct wf_srtp_engine *e, IMB_MGR *m, const struct keys_impl *ki,
		       const uint8_t *p, unsigned n, const uint8_t *want, unsigned tag_len)
{
	job_hmac(&e->hmac[0], ki, p, n);
	if (run_hmac(e->lanes[ki->profile] ? e->small : m, e->hmac, 1))
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
	job_ctr(&e->ctr[0], ki, p, p, n);
	return run_ctr(m, e->ctr, 1);
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
	if (CRYPTO_memcmp(got, tag, 16) == 0)
		return 0;
	/* Forged (RFC 3711 §3.3: discard it): XOR the same keystream again
	 * so that a failed unprotect leaves the packet bytes as they came and
	 * no unauthenticated plaintext is left in the caller's buffer. */
	if (ki->profile == WF_SRTP_AEAD_AES_256_GCM)
		IMB_AES256_GCM_ENC(m, &ki->u.gcm, &ctx, p, p, n, iv, aad, aad_len, got, 16);
	else
		IMB_AES128_GCM_ENC(m, &ki->u.gcm, &ctx, p, p, n, iv, aad, aad_len, got, 16);
	return -WF_SRTP_E_AUTH_FAIL;
}

/* The checks of a received SRTP packet before any crypto, shared by
 * wf_srtp_unprotect() and the burst so that both refuse alike: keys of the
 * right kind for e, length, header (RFC 3550 §5.1, §5.3.1), room for the
 * tag.  Returns the header length or -WF_SRTP_E_*. */
static int rtp_rx_check(const struct wf_srtp_engine *e, const struct keys_impl *ki,
			const uint8_t *pkt, size_t len)
{
	int hl;

	if (!keys_ok(e, ki, WF_SRTP_KIND_RTP))
		return -WF_SRTP_E_BAD_PARAM;
	if (len > WF_SRTP_MAX_PACKET)
		return -WF_SRTP_E_TOO_LONG;
	hl = wf_srtp_rtp_header_len(pkt, len);
	if (hl < 0)
		return hl;
	if (len < (size_t)hl + ki->tag_len)
		return -WF_SRTP_E_TOO_SHORT;
	return hl;
}

/* AES-CM: checks the tag of an SRTP packet whose first body bytes are
 * authenticated, for packet index idx (RFC 3711 §4.2: the tag covers
 * header || ciphertext || ROC).  The ROC borrows the tag's place for the
 * hash (tag length >= 4), then the tag goes back.  0 or -error. */
static int cm_rtp_verify(struct wf_srtp_engine *e, IMB_MGR *m, const struct keys_impl *ki,
			 uint8_t *pkt, unsigned body, uint64_t idx)
{
	uint8_t tag[10];
	unsigned tl = ki->tag_len;
	int rc;

	memcpy(tag, pkt + body, tl);
	wr32(pkt + body, (uint32_t)(idx >> 16));
	rc = hmac_verify(e, m, ki, pkt, body + 4, tag, tl);
	memcpy(pkt + body, tag, tl);
	return rc;
}

/* GCM: decrypts the payload in place and checks the tag for index idx
 * (RFC 7714 §8: AAD = the header); a forged packet is left as it came. */
static int gcm_rtp_open(IMB_MGR *m, const struct keys_impl *ki, uint8_t *pkt, unsigned hl,
			unsigned body, uint64_t idx)
{
	uint8_t iv[12];

	iv_gcm(iv, ki->salt, rd32(pkt + 8), idx);
	return gcm_open(m, ki, pkt + hl, body - hl, iv, pkt, hl, pkt + body);
}

int wf_srtp_unprotect(struct wf_srtp_engine *e, const struct wf_srtp_keys *k,
		      struct wf_srtp_replay *r, uint8_t *pkt, size_t len,
		      size_t *out_len, uint64_t *index_out)
{
	const struct keys_impl *ki;
	IMB_MGR *m;
	uint64_t idx;
	unsigned body;
	int hl, rc;

	if (!e || !k || !r || !pkt || !out_len)
		return -WF_SRTP_E_BAD_PARAM;
	ki = KC(k);
	hl = rtp_rx_check(e, ki, pkt, len);
	if (hl < 0)
		return hl;
	m = e->mgr[ki->profile];
	body = (unsigned)len - ki->tag_len;
	idx = estimate_index(r, rd16(pkt + 2));
	rc = replay_check(r, idx);
	if (rc)
		return rc;

	if (wf_srtp_suites[ki->profile].aead) {
		rc = gcm_rtp_open(m, ki, pkt, (unsigned)hl, body, idx);
	} else {
		rc = cm_rtp_verify(e, m, ki, pkt, body, idx);
		if (!rc) {
			uint8_t iv[16];

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

/* ---- unprotect burst ------------------------------------------------------- */

/* The contract (srtp.h): a burst gives what wf_srtp_unprotect() gives for
 * its jobs one by one in order.  The hash burst has to be built before any
 * tag is known, yet a packet's index (ROC) and its replay verdict depend
 * on the earlier packets of its SSRC that authenticate.  So:
 *
 *  1. In order, each job is checked and its index estimated, and replay-
 *     checked, against a provisional copy of its replay state that assumes
 *     every earlier packet of the burst will authenticate; rx[i].before
 *     keeps that state as it was before the packet.
 *  2. The AES-CM packets that passed get their tags computed in one
 *     ipsec-mb hash burst per profile, with the provisional ROC, and
 *     compared in constant time.  Nothing is decrypted yet.
 *  3. In order, against the real state: when it equals rx[i].before (no
 *     earlier packet of the SSRC failed), the provisional index and
 *     verdict are the real ones, the tag result stands.  When it differs
 *     (an earlier packet was forged), the index and verdict are computed
 *     again from the real state; if the index is the same the tag result
 *     still stands, else (or when the provisional verdict had skipped the
 *     hash) this one packet is checked now, alone.  GCM packets are opened
 *     here, one by one, always with the real state.  An authentic packet
 *     updates its state; a failed one changes nothing.
 *  4. The accepted AES-CM packets are decrypted in one cipher burst.
 *
 * The redo of step 3 costs one more HMAC for a packet, at most once per
 * packet: only a failed packet earlier in the same burst and SSRC can
 * cause it. */

static bool replay_same(const struct wf_srtp_replay *a, const struct wf_srtp_replay *b)
{
	return a->top == b->top && a->started == b->started && a->size == b->size &&
	       memcmp(a->window, b->window, sizeof(a->window[0]) * replay_words(a)) == 0;
}

/* The provisional copy of r for this chunk: the one last used (a burst is
 * mostly runs of one SSRC), else found in e->find, else made now from r
 * (*ns copies so far). */
static struct wf_srtp_replay *rx_shadow(struct wf_srtp_engine *e, struct wf_srtp_replay *r,
					unsigned *ns, struct rx_find **last)
{
	uint64_t hv = (uint64_t)(uintptr_t)r * 0x9e3779b97f4a7c15ull;
	unsigned h = (unsigned)(hv >> 57);	/* 7 bits: RX_FIND_SIZE 128 */
	struct rx_find *f;

	if (*last && (*last)->owner == r)
		return &e->shadow[(*last)->slot];
	for (;; h = (h + 1) & (RX_FIND_SIZE - 1)) {
		f = &e->find[h];
		if (f->gen != e->find_gen) {	/* empty: r is new in this chunk */
			f->gen = e->find_gen;
			f->owner = r;
			f->slot = (*ns)++;
			e->shadow[f->slot] = *r;
			break;
		}
		if (f->owner == r)
			break;
	}
	*last = f;
	return &e->shadow[f->slot];
}

/* Step 2 for the jobs of AES-CM profile p: one hash burst over
 * header || ciphertext || provisional ROC, tags compared in constant
 * time, packets restored. */
static void unprotect_cm_hash(struct wf_srtp_engine *e, unsigned p, struct wf_srtp_rx_job *jobs,
			      unsigned n)
{
	unsigned i, k, ns = 0;
	int rc;

	for (i = 0; i < n; i++) {
		struct wf_srtp_rx_job *jb = &jobs[i];
		struct rx_slot *s = &e->rx[i];
		const struct keys_impl *ki;

		if (jb->status || s->verdict)
			continue;
		ki = KC(jb->keys);
		if (ki->profile != p)
			continue;
		memcpy(s->tag, jb->pkt + s->body, ki->tag_len);
		wr32(jb->pkt + s->body, (uint32_t)(s->idx >> 16));
		job_hmac(&e->hmac[ns], ki, jb->pkt, s->body + 4u);
		e->rx_sel[ns++] = (uint8_t)i;
	}
	rc = run_hmac_group(e, p, ns);
	for (k = 0; k < ns; k++) {
		struct wf_srtp_rx_job *jb = &jobs[e->rx_sel[k]];
		struct rx_slot *s = &e->rx[e->rx_sel[k]];
		unsigned tl = KC(jb->keys)->tag_len;

		if (rc)
			s->auth = RX_AUTH_ERR;
		else
			s->auth = CRYPTO_memcmp(e->tag[k], s->tag, tl) == 0 ? RX_AUTH_OK : RX_AUTH_BAD;
		memcpy(jb->pkt + s->body, s->tag, tl);
	}
}

/* Step 3 for job i: the verdict against the real replay state, the tag
 * (GCM: opened now), and the state's update.  0 or -error. */
static int unprotect_settle(struct wf_srtp_engine *e, struct wf_srtp_rx_job *jb,
			    struct rx_slot *s)
{
	const struct keys_impl *ki = KC(jb->keys);
	struct wf_srtp_replay *r = jb->replay;
	IMB_MGR *m = e->mgr[ki->profile];
	uint64_t idx = s->idx;
	bool tag_known;
	int rc;

	if (replay_same(r, &s->before)) {
		rc = s->verdict;
		tag_known = s->auth != RX_AUTH_NONE;
	} else {
		/* An earlier packet of this state failed: RFC 3711 §3.3.1
		 * again, from what really was received. */
		idx = estimate_index(r, rd16(jb->pkt + 2));
		rc = replay_check(r, idx);
		tag_known = s->auth != RX_AUTH_NONE && idx == s->idx;
	}
	if (rc)
		return rc;
	if (wf_srtp_suites[ki->profile].aead)
		rc = gcm_rtp_open(m, ki, jb->pkt, s->hl, s->body, idx);
	else if (!tag_known)
		rc = cm_rtp_verify(e, m, ki, jb->pkt, s->body, idx);
	else
		rc = s->auth == RX_AUTH_OK ? 0 :
		     s->auth == RX_AUTH_BAD ? -WF_SRTP_E_AUTH_FAIL : -WF_SRTP_E_CRYPTO;
	if (rc)
		return rc;
	replay_update(r, idx);
	s->idx = idx;
	return 0;
}

/* Step 4 for AES-CM profile p: the accepted packets' payloads decrypted
 * in place in one cipher burst. */
static void unprotect_cm_decrypt(struct wf_srtp_engine *e, unsigned p,
				 struct wf_srtp_rx_job *jobs, unsigned n)
{
	unsigned i, k, nc = 0;

	for (i = 0; i < n; i++) {
		struct wf_srtp_rx_job *jb = &jobs[i];
		struct rx_slot *s = &e->rx[i];
		const struct keys_impl *ki;

		if (jb->status)
			continue;
		ki = KC(jb->keys);
		if (ki->profile != p || s->body == s->hl)
			continue;
		iv_cm(e->iv[nc], ki->salt, rd32(jb->pkt + 8), s->idx);
		job_ctr(&e->ctr[nc], ki, jb->pkt + s->hl, jb->pkt + s->hl, s->body - s->hl);
		e->rx_sel[nc++] = (uint8_t)i;
	}
	if (!run_ctr(e->mgr[p], e->ctr, nc))
		return;
	/* ipsec-mb refused well-formed jobs (it does not): the packets are
	 * lost, their indexes stay received. */
	for (k = 0; k < nc; k++)
		jobs[e->rx_sel[k]].status = -WF_SRTP_E_CRYPTO;
}

/* One chunk of at most WF_SRTP_BURST_MAX jobs, steps 1 to 4. */
static unsigned unprotect_chunk(struct wf_srtp_engine *e, struct wf_srtp_rx_job *jobs,
				unsigned n)
{
	unsigned i, p, ok = 0, ns = 0;
	uint32_t cm = 0;	/* bit per AES-CM profile with a job to hash */
	uint32_t cm_ok = 0;	/* bit per AES-CM profile with a job to decrypt */
	struct rx_find *last = NULL;

	if (++e->find_gen == 0) {	/* after 2^32 chunks: empty it for real */
		memset(e->find, 0, sizeof(e->find));
		e->find_gen = 1;
	}

	for (i = 0; i < n; i++) {
		struct wf_srtp_rx_job *jb = &jobs[i];
		struct rx_slot *s = &e->rx[i];
		struct wf_srtp_replay *sh;
		const struct keys_impl *ki;
		int hl;

		jb->out_len = 0;
		jb->index = 0;
		s->auth = RX_AUTH_NONE;
		if (!jb->keys || !jb->replay || !jb->pkt) {
			jb->status = -WF_SRTP_E_BAD_PARAM;
			continue;
		}
		ki = KC(jb->keys);
		hl = rtp_rx_check(e, ki, jb->pkt, jb->len);
		jb->status = (int16_t)(hl < 0 ? hl : 0);
		if (hl < 0)
			continue;
		s->hl = (uint16_t)hl;
		s->body = (uint16_t)(jb->len - ki->tag_len);
		sh = rx_shadow(e, jb->replay, &ns, &last);
		s->before = *sh;
		s->idx = estimate_index(sh, rd16(jb->pkt + 2));
		s->verdict = (int8_t)replay_check(sh, s->idx);
		if (s->verdict)
			continue;
		replay_update(sh, s->idx);	/* as if this packet will authenticate */
		if (!wf_srtp_suites[ki->profile].aead)
			cm |= 1u << ki->profile;
	}
	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++)
		if (cm & (1u << p))
			unprotect_cm_hash(e, p, jobs, n);
	for (i = 0; i < n; i++) {
		struct wf_srtp_rx_job *jb = &jobs[i];

		if (jb->status)
			continue;
		jb->status = (int16_t)unprotect_settle(e, jb, &e->rx[i]);
		if (!jb->status)
			cm_ok |= 1u << KC(jb->keys)->profile;
	}
	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++)
		if ((cm_ok & (1u << p)) && !wf_srtp_suites[p].aead)
			unprotect_cm_decrypt(e, p, jobs, n);
	for (i = 0; i < n; i++) {
		struct wf_srtp_rx_job *jb = &jobs[i];

		if (jb->status)
			continue;
		jb->out_len = e->rx[i].body;
		jb->index = e->rx[i].idx;
		ok++;
	}
	return ok;
}

unsigned wf_srtp_unprotect_burst(struct wf_srtp_engine *e, struct wf_srtp_rx_job *jobs,
				 unsigned n)
{
	unsigned done = 0, ok = 0, i;

	if (!jobs)
		return 0;
	if (!e) {	/* as wf_srtp_unprotect() would answer each job */
		for (i = 0; i < n; i++) {
			jobs[i].status = -WF_SRTP_E_BAD_PARAM;
			jobs[i].out_len = 0;
			jobs[i].index = 0;
		}
		return 0;
	}
	while (done < n) {
		unsigned c = n - done > WF_SRTP_BURST_MAX ? WF_SRTP_BURST_MAX : n - done;

		ok += unprotect_chunk(e, jobs + done, c);
		done += c;
	}
	return ok;
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
	/* What we write must be what wf_srtcp_unprotect() takes, as for SRTP
	 * (job_check): the index and tag count against WF_SRTP_MAX_PACKET. */
	if (len + 4 + tl > WF_SRTP_MAX_PACKET)
		return -WF_SRTP_E_TOO_LONG;
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
		/* One hash: cheaper on SSE + SHA-NI (see SMALL_HASH_MAX). */
		job_hmac(&e->hmac[0], ki, pkt, (unsigned)len + 4);
		if (run_hmac(e->lanes[ki->profile] ? e->small : m, e->hmac, 1))
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

enum {
	MEASURE_VIEWERS = 32,	/* jobs per burst */
	MEASURE_BURSTS = 6,	/* bursts per timed sample */
	MEASURE_ROUNDS = 40,	/* samples per arch and profile, interleaved */
	MEASURE_SIZE = 1200,
	MEASURE_STRIDE = 2048,
};
#define MEASURE_BUDGET_S	0.08	/* stop adding rounds after this */
#define MEASURE_MIN_ROUNDS	5
#define MEASURE_MARGIN		0.9	/* leave ipsec-mb's pick unless 10% faster */

/* One candidate arch of wf_srtp_arch_measure(): its engine, created once,
 * and every profile's viewer keys (GCM keys are arch-specific). */
struct measure_cand {
	enum wf_srtp_arch arch;
	struct wf_srtp_engine *e;
	struct wf_srtp_keys *keys;	/* [WF_SRTP_PROFILE_COUNT][MEASURE_VIEWERS] */
	double best[WF_SRTP_PROFILE_COUNT];	/* fastest sample, s/packet; < 0: none */
};

/* Creates c's engine and keys; false when the arch cannot run here. */
static bool measure_cand_init(struct measure_cand *c, enum wf_srtp_arch a)
{
	enum wf_srtp_arch arch[WF_SRTP_PROFILE_COUNT];
	uint8_t mk[WF_SRTP_MAX_MASTER_KEY], ms[WF_SRTP_MAX_MASTER_SALT];
	unsigned p, i;

	memset(c, 0, sizeof(*c));
	c->arch = a;
	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
		arch[p] = a;
		c->best[p] = -1;
	}
	if (!wf_srtp_arch_supported(a))
		return false;
	c->e = wf_srtp_engine_create(arch);
	c->keys = aligned_alloc(64, sizeof(*c->keys) * WF_SRTP_PROFILE_COUNT * MEASURE_VIEWERS);
	if (!c->e || !c->keys)
		return false;
	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
		const struct wf_srtp_suite *s = wf_srtp_suite((enum wf_srtp_profile)p);

		for (i = 0; i < MEASURE_VIEWERS; i++) {
			memset(mk, (int)i + 1, sizeof(mk));
			memset(ms, (int)i + 7, sizeof(ms));
			if (wf_srtp_keys_derive(c->e, &c->keys[p * MEASURE_VIEWERS + i],
						(enum wf_srtp_profile)p, WF_SRTP_KIND_RTP,
						mk, s->master_key_len, ms, s->master_salt_len))
				return false;
		}
	}
	return true;
}

static void measure_cand_free(struct measure_cand *c)
{
	if (c->keys) {
		OPENSSL_cleanse(c->keys, sizeof(*c->keys) * WF_SRTP_PROFILE_COUNT * MEASURE_VIEWERS);
		free(c->keys);
	}
	wf_srtp_engine_free(c->e);
	c->keys = NULL;
	c->e = NULL;
}

/* Times MEASURE_BURSTS fan-out bursts of profile p on c (headers written
 * per burst, as the fan-out does).  Returns seconds per packet, or a
 * negative value when a job failed. */
static double measure_sample(struct measure_cand *c, enum wf_srtp_profile p, uint8_t *bufs,
			     const uint8_t *payload)
{
	struct wf_srtp_job jobs[MEASURE_VIEWERS];
	double t0 = now_s();
	unsigned b, i;

	for (b = 0; b < MEASURE_BURSTS; b++) {
		for (i = 0; i < MEASURE_VIEWERS; i++) {
			uint8_t *o = bufs + (size_t)i * MEASURE_STRIDE;

			o[0] = 0x80;
			o[1] = 96;
			o[2] = (uint8_t)(b >> 8);
			o[3] = (uint8_t)b;
			memset(o + 4, 0, 4);
			wr32(o + 8, 0x1000 + i);
			jobs[i] = (struct wf_srtp_job){
				.keys = &c->keys[p * MEASURE_VIEWERS + i], .payload = payload,
				.out = o, .hdr_len = 12, .payload_len = MEASURE_SIZE - 12,
				.out_cap = MEASURE_STRIDE,
			};
		}
		if (wf_srtp_protect_burst(c->e, jobs, MEASURE_VIEWERS) != MEASURE_VIEWERS)
			return -1;
	}
	return (now_s() - t0) / (MEASURE_VIEWERS * MEASURE_BURSTS);
}

/* Measures every supported arch on every profile, round by round: each
 * round times one sample of each (profile, arch) pair, in an order that
 * rotates between rounds, so that load on a shared machine hits all
 * candidates alike; each pair keeps its fastest sample.  ipsec-mb's own
 * pick is kept unless another arch beats it by more than 10%. */
int wf_srtp_arch_measure(enum wf_srtp_arch best[WF_SRTP_PROFILE_COUNT])
{
	static const enum wf_srtp_arch arches[] = {
		WF_SRTP_ARCH_SSE, WF_SRTP_ARCH_AVX2, WF_SRTP_ARCH_AVX512,
	};
	enum { NARCH = sizeof(arches) / sizeof(arches[0]) };
	struct measure_cand cand[NARCH];
	struct wf_srtp_engine *auto_e;
	enum wf_srtp_arch auto_arch[WF_SRTP_PROFILE_COUNT];
	uint8_t *bufs = NULL, payload[MEASURE_SIZE];
	unsigned nc = 0, p, k, r;
	double t_start;
	int rc = 0;

	if (!best)
		return -WF_SRTP_E_BAD_PARAM;
	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++)
		best[p] = WF_SRTP_ARCH_AUTO;
	/* What ipsec-mb picks by itself, per profile. */
	auto_e = wf_srtp_engine_create(NULL);
	if (!auto_e)
		return -WF_SRTP_E_CRYPTO;
	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++)
		auto_arch[p] = wf_srtp_engine_arch(auto_e, (enum wf_srtp_profile)p);
	wf_srtp_engine_free(auto_e);

	for (k = 0; k < NARCH; k++) {
		if (measure_cand_init(&cand[nc], arches[k]))
			nc++;
		else
			measure_cand_free(&cand[nc]);
	}
	bufs = malloc((size_t)MEASURE_VIEWERS * MEASURE_STRIDE);
	if (!nc || !bufs) {
		rc = -WF_SRTP_E_CRYPTO;
		goto out;
	}
	memset(payload, 0x5a, sizeof(payload));
	memset(bufs, 0, (size_t)MEASURE_VIEWERS * MEASURE_STRIDE);
	/* Warm-up: first touches of keys, buffers and code, untimed. */
	for (k = 0; k < nc; k++)
		for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++)
			(void)measure_sample(&cand[k], (enum wf_srtp_profile)p, bufs, payload);
	t_start = now_s();
	for (r = 0; r < MEASURE_ROUNDS; r++) {
		if (r >= MEASURE_MIN_ROUNDS && now_s() - t_start > MEASURE_BUDGET_S)
			break;
		for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
			for (k = 0; k < nc; k++) {
				struct measure_cand *c = &cand[(k + r + p) % nc];
				double t = measure_sample(c, (enum wf_srtp_profile)p, bufs, payload);

				if (t > 0 && (c->best[p] < 0 || t < c->best[p]))
					c->best[p] = t;
			}
		}
	}
	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
		double t_auto = -1, t_win = -1;
		enum wf_srtp_arch win = WF_SRTP_ARCH_AUTO;

		for (k = 0; k < nc; k++) {
			double t = cand[k].best[p];

			if (t <= 0)
				continue;
			if (cand[k].arch == auto_arch[p])
				t_auto = t;
			if (t_win < 0 || t < t_win) {
				t_win = t;
				win = cand[k].arch;
			}
		}
		if (t_win < 0) {
			rc = -WF_SRTP_E_CRYPTO;
			goto out;
		}
		best[p] = t_auto > 0 && !(t_win < MEASURE_MARGIN * t_auto) ? auto_arch[p] : win;
	}
out:
	free(bufs);
	for (k = 0; k < nc; k++)
		measure_cand_free(&cand[k]);
	return rc;
}
