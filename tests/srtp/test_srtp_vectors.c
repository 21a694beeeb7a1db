/* test_srtp_vectors.c: RFC 3711 Appendix B and RFC 7714 §16-17 vectors.
 *
 * The vectors (tests/vectors/srtp/) start from *session* keys (RFC 3711
 * B.2, RFC 7714 §16-17) or stop at them (B.3), while the API takes master
 * keys only.  So the chain is:
 *   1. a small reference transform here (OpenSSL EVP, written from RFC 3711
 *      §3.3, §3.4, §4.1.1, §4.2, §4.3 and RFC 7714 §7-§11) reproduces every
 *      vector byte for byte;
 *   2. the library, given a master key, produces exactly the bytes the
 *      reference produces from the session keys the reference KDF derives
 *      (for B.3 the session keys are the RFC's own), and unprotects them.
 * The reader of the vector files (tests/common/vectors.c) is tested first.
 */
#include "srtp_testlib.h"
#include "common/vectors.h"

#include <errno.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

/* ---- the vector reader --------------------------------------------------- */

static void vectors_reader_parses_flat_objects_and_arrays(void)
{
	static const char one[] = " { \"source\": \"RFC 7714 \xc2\xa7" "16\", \"key\": \"00 0f\","
				  " \"roc\": 0, \"n\": 1234, \"esc\": \"a\\\"b\\\\c\\/\" } \n";
	static const char arr[] = "[{\"a\":\"1\"},{\"a\":\"2\",\"b\":\"0x5d4\"},{}]";
	struct wf_vec_file f;
	uint8_t b[4];
	uint64_t u;

	WF_REQUIRE(wf_vec_parse(one, sizeof(one) - 1, &f) == 1);
	WF_CHECK(strcmp(wf_vec_str(&f.v[0], "source"), "RFC 7714 \xc2\xa7" "16") == 0);
	WF_CHECK_EQ(wf_vec_hex(&f.v[0], "key", b, sizeof(b)), 2);
	WF_CHECK(b[0] == 0 && b[1] == 0x0f);
	WF_CHECK(wf_vec_u64(&f.v[0], "roc", &u) == 0 && u == 0);
	WF_CHECK(wf_vec_u64(&f.v[0], "n", &u) == 0 && u == 1234);
	WF_CHECK(strcmp(wf_vec_str(&f.v[0], "esc"), "a\"b\\c/") == 0);
	WF_CHECK(wf_vec_str(&f.v[0], "missing") == NULL);
	WF_CHECK_EQ(wf_vec_hex(&f.v[0], "key", b, 1), -1);
	WF_CHECK_EQ(wf_vec_hex(&f.v[0], "source", b, sizeof(b)), -1);
	wf_vec_free(&f);
	WF_REQUIRE(wf_vec_parse(arr, sizeof(arr) - 1, &f) == 3);
	WF_CHECK(strcmp(wf_vec_str(&f.v[1], "a"), "2") == 0);
	WF_CHECK(wf_vec_u64(&f.v[1], "b", &u) == 0 && u == 0x5d4);
	WF_CHECK(wf_vec_u64(&f.v[1], "a", &u) == 0 && u == 2);
	WF_CHECK_EQ(f.v[2].n, 0);
	wf_vec_free(&f);
	WF_CHECK_EQ(wf_vec_parse("[]", 2, &f), 0);
	wf_vec_free(&f);
}

static void vectors_reader_rejects_every_truncation_and_hostile_input(void)
{
	static const char good[] = "[{\"source\":\"x\",\"ct\":\"00ff\",\"n\":12},{\"a\":\"b\"}]";
	static const char *bad[] = {
		"", " ", "{", "}", "[", "[{}", "{\"a\":}", "{\"a\" \"b\"}", "{\"a\":\"b\",}",
		"{\"a\":\"b\"} x", "{\"a\":\"b\"}{}", "[{\"a\":\"b\"},]", "{\"a\":{\"b\":\"c\"}}",
		"{\"a\":[1]}", "{\"a\":true}", "{\"a\":null}", "{\"a\":-1}", "{\"a\":1.5}",
		"{\"a\":1e3}", "{\"a\":012}", "{\"a\":\"\\u0041\"}", "{\"a\":\"\\x\"}",
		"{\"a\":\"line\nbreak\"}", "{\"a\":\"1\",\"a\":\"2\"}", "{\"\":\"1\"}",
		"{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":\"1\"}", "{\"a\":\"b\\",
		"{\"a\":123456789012345678901}", "[\"a\"]", "{a:\"b\"}",
	};
	struct wf_vec_file f;
	size_t n, i;
	char *big;

	for (n = 0; n < sizeof(good) - 1; n++) {
		char *p = malloc(n ? n : 1);

		WF_REQUIRE(p);
		memcpy(p, good, n);
		WF_CHECKF(wf_vec_parse(p, n, &f) < 0, "truncation to %zu accepted", n);
		WF_CHECK(f.v == NULL && f.n == 0);
		free(p);
	}
	WF_CHECK_EQ(wf_vec_parse(good, sizeof(good) - 1, &f), 2);
	wf_vec_free(&f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i]);
		char *p = malloc(len ? len : 1);

		WF_REQUIRE(p);
		memcpy(p, bad[i], len);
		WF_CHECKF(wf_vec_parse(p, len, &f) < 0, "accepted: %s", bad[i]);
		free(p);
	}
	/* past the limits: too many fields, too many objects */
	big = malloc(64 * 1024);
	WF_REQUIRE(big);
	n = (size_t)sprintf(big, "{");
	for (i = 0; i <= WF_VEC_MAX_FIELDS; i++)
		n += (size_t)sprintf(big + n, "%s\"f%zu\":\"1\"", i ? "," : "", i);
	n += (size_t)sprintf(big + n, "}");
	WF_CHECK_EQ(wf_vec_parse(big, n, &f), -E2BIG);
	n = (size_t)sprintf(big, "[");
	for (i = 0; i <= WF_VEC_MAX_OBJECTS; i++)
		n += (size_t)sprintf(big + n, "%s{}", i ? "," : "");
	n += (size_t)sprintf(big + n, "]");
	WF_CHECK_EQ(wf_vec_parse(big, n, &f), -E2BIG);
	free(big);
	WF_CHECK(wf_vec_load("tests/vectors/srtp/no-such-file.json", &f) == -ENOENT);
}

/* ---- the reference transform ------------------------------------------- */

static int ref_ctr(const uint8_t *key, size_t klen, const uint8_t iv[16],
		   const uint8_t *in, uint8_t *out, size_t n)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int ok, l = 0, l2 = 0;

	if (!c)
		return -1;
	ok = EVP_EncryptInit_ex(c, klen == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr(), NULL, key, iv) &&
	     EVP_EncryptUpdate(c, out, &l, in, (int)n) && EVP_EncryptFinal_ex(c, out + l, &l2);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* RFC 3711 §4.3.1/§4.3.3 with kdr 0: x = label at octet 7 XOR the master
 * salt (a 96-bit salt left-aligned, RFC 7714 §11), PRF = AES-CM(x * 2^16). */
static int ref_kdf(const uint8_t *mk, size_t klen, const uint8_t *ms, size_t slen,
		   uint8_t label, uint8_t *out, size_t n)
{
	uint8_t iv[16] = { 0 }, zero[128] = { 0 };

	memcpy(iv, ms, slen);
	iv[7] ^= label;
	return n > sizeof(zero) ? -1 : ref_ctr(mk, klen, iv, zero, out, n);
}

/* RFC 3711 §4.1.1 */
static void ref_cm_iv(uint8_t iv[16], const uint8_t salt[14], uint32_t ssrc, uint64_t idx)
{
	int i;

	memset(iv, 0, 16);
	memcpy(iv, salt, 14);
	for (i = 0; i < 4; i++)
		iv[4 + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
	for (i = 0; i < 6; i++)
		iv[8 + i] ^= (uint8_t)(idx >> (40 - 8 * i));
}

/* RFC 7714 §8.1 / §9.1: 00 00 || SSRC || 48-bit value, XOR salt. */
static void ref_gcm_iv(uint8_t iv[12], const uint8_t salt[12], uint32_t ssrc, uint64_t v)
{
	int i;

	memset(iv, 0, 12);
	for (i = 0; i < 4; i++)
		iv[2 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	for (i = 0; i < 6; i++)
		iv[6 + i] = (uint8_t)(v >> (40 - 8 * i));
	for (i = 0; i < 12; i++)
		iv[i] ^= salt[i];
}

static int ref_gcm(const uint8_t *key, size_t klen, const uint8_t iv[12],
		   const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t n,
		   uint8_t *out, uint8_t tag[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int ok, l = 0;

	if (!c)
		return -1;
	ok = EVP_EncryptInit_ex(c, klen == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm(), NULL, NULL, NULL) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) &&
	     EVP_EncryptInit_ex(c, NULL, NULL, key, iv) &&
	     EVP_EncryptUpdate(c, NULL, &l, aad, (int)aad_len) &&
	     (n == 0 || EVP_EncryptUpdate(c, out, &l, in, (int)n)) &&
	     EVP_EncryptFinal_ex(c, out + n, &l) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

struct ref_keys {
	uint8_t key[32], salt[14], auth[20];
	size_t klen, tag;
	bool aead;
};

/* SRTP (RFC 3711 §3.3, RFC 7714 §8): returns the protected length. */
static size_t ref_srtp(const struct ref_keys *k, uint32_t roc, const uint8_t *pkt, size_t len,
		       size_t hl, uint8_t *out)
{
	uint32_t ssrc = t_get32(pkt + 8);
	uint64_t idx = (uint64_t)roc << 16 | (uint64_t)(pkt[2] << 8 | pkt[3]);
	uint8_t iv[16], mac[20];
	unsigned mlen = 0;

	memcpy(out, pkt, hl);
	if (k->aead) {
		ref_gcm_iv(iv, k->salt, ssrc, idx);
		if (ref_gcm(k->key, k->klen, iv, pkt, hl, pkt + hl, len - hl, out + hl, out + len))
			return 0;
		return len + 16;
	}
	ref_cm_iv(iv, k->salt, ssrc, idx);
	if (ref_ctr(k->key, k->klen, iv, pkt + hl, out + hl, len - hl))
		return 0;
	wf_rtp_wr32(out + len, roc);	/* §4.2: M = authenticated portion || ROC */
	HMAC(EVP_sha1(), k->auth, 20, out, len + 4, mac, &mlen);
	memcpy(out + len, mac, k->tag);
	return len + k->tag;
}

/* SRTCP (RFC 3711 §3.4, RFC 7714 §9): returns the protected length. */
static size_t ref_srtcp(const struct ref_keys *k, uint32_t index, bool encrypt,
			const uint8_t *pkt, size_t len, uint8_t *out)
{
	uint32_t ssrc = t_get32(pkt + 4), word = (encrypt ? 0x80000000u : 0) | index;
	uint8_t iv[16], mac[20], aad[T_PKT_CAP];
	unsigned mlen = 0;

	memcpy(out, pkt, len);
	if (k->aead) {
		ref_gcm_iv(iv, k->salt, ssrc, index);
		if (encrypt) {
			memcpy(aad, pkt, 8);	/* §9.2: header || ESRTCP word */
			wf_rtp_wr32(aad + 8, word);
			if (ref_gcm(k->key, k->klen, iv, aad, 12, pkt + 8, len - 8, out + 8, out + len))
				return 0;
		} else {
			memcpy(aad, pkt, len);	/* §9.3: the whole packet || ESRTCP word */
			wf_rtp_wr32(aad + len, word);
			if (ref_gcm(k->key, k->klen, iv, aad, len + 4, NULL, 0, out + len, out + len))
				return 0;
		}
		wf_rtp_wr32(out + len + 16, word);
		return len + 20;
	}
	ref_cm_iv(iv, k->salt, ssrc, index);
	if (encrypt && ref_ctr(k->key, k->klen, iv, pkt + 8, out + 8, len - 8))
		return 0;
	wf_rtp_wr32(out + len, word);
	HMAC(EVP_sha1(), k->auth, 20, out, len + 4, mac, &mlen);
	memcpy(out + len + 4, mac, 10);
	return len + 14;
}

/* Session keys of profile p, kind (label base 0 or 3), by the reference KDF. */
static int ref_derive(struct ref_keys *k, enum wf_srtp_profile p, bool rtcp,
		      const uint8_t *mk, const uint8_t *ms)
{
	uint8_t base = rtcp ? 3 : 0;

	memset(k, 0, sizeof(*k));
	k->klen = t_key_len(p);
	k->aead = p >= WF_SRTP_AEAD_AES_128_GCM;
	k->tag = rtcp ? t_rtcp_tag(p) : t_rtp_tag(p);
	if (ref_kdf(mk, k->klen, ms, t_salt_len(p), base, k->key, k->klen) ||
	    ref_kdf(mk, k->klen, ms, t_salt_len(p), base + 2, k->salt, k->aead ? 12 : 14))
		return -1;
	return k->aead ? 0 : ref_kdf(mk, k->klen, ms, t_salt_len(p), base + 1, k->auth, 20);
}

static int load(const char *rel, struct wf_vec_file *f)
{
	char path[512];
	int n = wf_vec_load(wf_vec_path(path, sizeof(path), rel), f);

	if (n <= 0)
		wf_test_fail(__FILE__, __LINE__, "%s: %d (run from the top directory or set WF_VECTORS)",
			     path, n);
	return n;
}

static int profile_of(const struct wf_vec *v)
{
	const char *s = wf_vec_str(v, "profile");

	return s ? wf_srtp_profile_by_name(s) : -1;
}

/* ---- 1. the reference against the RFCs ---------------------------------- */

static void reference_aes_cm_matches_rfc3711_b2_keystream(void)
{
	struct wf_vec_file f;
	int n = load("srtp/rfc3711_b2_aes_cm.json", &f), i;

	for (i = 0; i < n; i++) {
		const struct wf_vec *v = &f.v[i];
		uint8_t key[16], salt[14], iv[16], want_iv[16], pt[64], ct[64], got[64];
		uint64_t ssrc, roc, seq;
		int pl = wf_vec_hex(v, "pt", pt, sizeof(pt));

		WF_REQUIRE(wf_vec_hex(v, "key", key, sizeof(key)) == 16);
		WF_REQUIRE(wf_vec_hex(v, "iv", want_iv, sizeof(want_iv)) == 16);
		WF_REQUIRE(pl > 0 && wf_vec_hex(v, "ct", ct, sizeof(ct)) == pl);
		if (wf_vec_hex(v, "salt", salt, sizeof(salt)) == 14) {
			/* §4.1.1 IV from salt, SSRC and index */
			WF_REQUIRE(wf_vec_u64(v, "ssrc", &ssrc) == 0 && wf_vec_u64(v, "roc", &roc) == 0 &&
				   wf_vec_u64(v, "seq", &seq) == 0);
			ref_cm_iv(iv, salt, (uint32_t)ssrc, roc << 16 | seq);
			WF_CHECK_MEM(iv, want_iv, 16);
		}
		WF_REQUIRE(ref_ctr(key, 16, want_iv, pt, got, (size_t)pl) == 0);
		WF_CHECKF(memcmp(got, ct, (size_t)pl) == 0, "%s", wf_vec_str(v, "source"));
	}
	WF_CHECK_EQ(n, 2);
	wf_vec_free(&f);
}

static void reference_kdf_matches_rfc3711_b3(void)
{
	struct wf_vec_file f;
	uint8_t mk[16], ms[14], ck[16], cs[14], ak[94], got[94];

	WF_REQUIRE(load("srtp/rfc3711_b3_kdf.json", &f) == 1);
	WF_REQUIRE(wf_vec_hex(&f.v[0], "master_key", mk, sizeof(mk)) == 16);
	WF_REQUIRE(wf_vec_hex(&f.v[0], "master_salt", ms, sizeof(ms)) == 14);
	WF_REQUIRE(wf_vec_hex(&f.v[0], "cipher_key", ck, sizeof(ck)) == 16);
	WF_REQUIRE(wf_vec_hex(&f.v[0], "cipher_salt", cs, sizeof(cs)) == 14);
	WF_REQUIRE(wf_vec_hex(&f.v[0], "auth_key", ak, sizeof(ak)) == 94);
	WF_CHECK(ref_kdf(mk, 16, ms, 14, 0, got, 16) == 0 && memcmp(got, ck, 16) == 0);
	WF_CHECK(ref_kdf(mk, 16, ms, 14, 2, got, 14) == 0 && memcmp(got, cs, 14) == 0);
	WF_CHECK(ref_kdf(mk, 16, ms, 14, 1, got, 94) == 0 && memcmp(got, ak, 94) == 0);
	wf_vec_free(&f);
}

static void reference_gcm_matches_rfc7714_srtp_and_srtcp(void)
{
	struct wf_vec_file f;
	int n, i, files;

	for (files = 0; files < 2; files++) {
		n = load(files ? "srtp/rfc7714_17_srtcp_gcm.json" : "srtp/rfc7714_16_srtp_gcm.json", &f);
		WF_CHECK_EQ(n, files ? 4 : 2);
		for (i = 0; i < n; i++) {
			const struct wf_vec *v = &f.v[i];
			uint8_t pt[128], ct[160], got[160], iv[12], want_iv[12];
			struct ref_keys k = { .aead = true, .tag = 16 };
			int pl = wf_vec_hex(v, "pt", pt, sizeof(pt)), cl = wf_vec_hex(v, "ct", ct, sizeof(ct));
			uint64_t roc = 0, index = 0, enc = 1;
			size_t gl;

			k.klen = (size_t)wf_vec_hex(v, "key", k.key, sizeof(k.key));
			WF_REQUIRE(pl > 0 && cl > 0 && wf_vec_hex(v, "salt", k.salt, 12) == 12);
			WF_REQUIRE(wf_vec_hex(v, "iv", want_iv, 12) == 12);
			WF_REQUIRE(k.klen == t_key_len((enum wf_srtp_profile)profile_of(v)));
			if (files) {
				WF_REQUIRE(wf_vec_u64(v, "index", &index) == 0 && wf_vec_u64(v, "encrypt", &enc) == 0);
				ref_gcm_iv(iv, k.salt, t_get32(pt + 4), index);
				gl = ref_srtcp(&k, (uint32_t)index, enc, pt, (size_t)pl, got);
			} else {
				WF_REQUIRE(wf_vec_u64(v, "roc", &roc) == 0);
				ref_gcm_iv(iv, k.salt, t_get32(pt + 8), roc << 16 | (uint64_t)(pt[2] << 8 | pt[3]));
				gl = ref_srtp(&k, (uint32_t)roc, pt, (size_t)pl, 12, got);
			}
			WF_CHECK_MEM(iv, want_iv, 12);
			WF_CHECKF(gl == (size_t)cl && memcmp(got, ct, gl) == 0, "%s", wf_vec_str(v, "source"));
		}
		wf_vec_free(&f);
	}
}

/* ---- 2. the library against the reference ------------------------------ */

/* Protects pkt with ours and with the reference (keys rk), compares, and
 * unprotects the reference's packet with ours. */
static void compare_srtp(struct wf_srtp_engine *e, const struct wf_srtp_keys *k,
			 const struct ref_keys *rk, uint32_t roc, const uint8_t *pkt, size_t len,
			 const char *what)
{
	uint8_t ours[T_PKT_CAP], ref[T_PKT_CAP];
	struct wf_srtp_replay r = { 0 };
	size_t out_len = 0, rl;
	uint64_t idx = 0;
	int hl = wf_srtp_rtp_header_len(pkt, len), rc;

	WF_REQUIRE(hl > 0);
	rl = ref_srtp(rk, roc, pkt, len, (size_t)hl, ref);
	WF_REQUIRE(rl);
	memcpy(ours, pkt, len);
	rc = wf_srtp_protect(e, k, roc, ours, len, sizeof(ours), &out_len);
	WF_CHECKF(rc == 0, "%s: protect %d", what, rc);
	WF_CHECK_EQ(out_len, rl);
	if (rc == 0 && out_len == rl && memcmp(ours, ref, rl) != 0) {
		wf_test_fail(__FILE__, __LINE__, "%s: bytes differ from the reference", what);
		wf_test_hexdump("ours", ours, rl);
		wf_test_hexdump("ref", ref, rl);
	}
	if (roc == 0) {
		rc = wf_srtp_unprotect(e, k, &r, ref, rl, &out_len, &idx);
		WF_CHECKF(rc == 0, "%s: unprotect of the reference: %d", what, rc);
		WF_CHECK(rc != 0 || (out_len == len && memcmp(ref, pkt, len) == 0));
	}
}

static void compare_srtcp(struct wf_srtp_engine *e, const struct wf_srtp_keys *k,
			  const struct ref_keys *rk, uint32_t index, const uint8_t *pkt, size_t len,
			  const char *what)
{
	uint8_t ours[T_PKT_CAP], ref[T_PKT_CAP];
	struct wf_srtp_replay r = { 0 };
	size_t out_len = 0, rl;
	uint32_t i = index;
	int rc, enc;

	rl = ref_srtcp(rk, index, true, pkt, len, ref);
	WF_REQUIRE(rl);
	memcpy(ours, pkt, len);
	rc = wf_srtcp_protect(e, k, &i, ours, len, sizeof(ours), &out_len);
	WF_CHECKF(rc == 0 && i == index + 1, "%s: srtcp protect %d", what, rc);
	WF_CHECKF(rc == 0 && out_len == rl && memcmp(ours, ref, rl) == 0, "%s: SRTCP bytes differ", what);
	/* ours reads the reference's packets, encrypted and tagged-only */
	for (enc = 1; enc >= 0; enc--) {
		rl = ref_srtcp(rk, index + 1 - (uint32_t)enc, enc, pkt, len, ref);
		rc = wf_srtcp_unprotect(e, k, &r, ref, rl, &out_len);
		WF_CHECKF(rc == 0, "%s: srtcp unprotect (E=%d) of the reference: %d", what, enc, rc);
		WF_CHECK(rc != 0 || (out_len == len && memcmp(ref, pkt, len) == 0));
	}
}

/* RFC 3711 B.3: our keys from the B.3 master give the bytes the reference
 * gives with B.3's printed cipher key, cipher salt and auth key. */
static void srtp_aes_cm_keys_derived_from_rfc3711_b3_master_protect_as_b3_session_keys(void)
{
	struct wf_srtp_engine *e = t_engine();
	struct wf_vec_file f;
	uint8_t mk[16], ms[14], pkt[T_PKT_CAP], payload[1400];
	uint64_t seed = 0xb3;
	unsigned pi;

	WF_REQUIRE(e);
	WF_REQUIRE(load("srtp/rfc3711_b3_kdf.json", &f) == 1);
	WF_REQUIRE(wf_vec_hex(&f.v[0], "master_key", mk, 16) == 16);
	WF_REQUIRE(wf_vec_hex(&f.v[0], "master_salt", ms, 14) == 14);
	t_fill(&seed, payload, sizeof(payload));
	for (pi = 0; pi < 2; pi++) {
		enum wf_srtp_profile p = t_profiles[pi];
		struct ref_keys rk = { .klen = 16, .tag = t_rtp_tag(p) }, rck;
		struct wf_srtp_keys k, kc;
		uint8_t ak[94];
		size_t n;

		WF_REQUIRE(wf_vec_hex(&f.v[0], "cipher_key", rk.key, 16) == 16);
		WF_REQUIRE(wf_vec_hex(&f.v[0], "cipher_salt", rk.salt, 14) == 14);
		WF_REQUIRE(wf_vec_hex(&f.v[0], "auth_key", ak, sizeof(ak)) == 94);
		memcpy(rk.auth, ak, 20);	/* HMAC-SHA1 takes 160 bits (§4.2.1) */
		WF_REQUIRE(t_derive(e, &k, p, WF_SRTP_KIND_RTP, mk, ms) == 0);
		for (n = 0; n <= 1400; n += n < 40 ? 1 : 97) {
			struct t_rtp h = { .ssrc = 0xdeadbeef, .seq = (uint16_t)(n * 131), .ext_words = (int)(n % 3) - 1,
					   .csrcs = (unsigned)n % 4 };

			compare_srtp(e, &k, &rk, (uint32_t)(n % 5), pkt, t_rtp_packet(pkt, &h, payload, n),
				     p == WF_SRTP_AES128_CM_SHA1_80 ? "B.3 CM_80" : "B.3 CM_32");
		}
		/* SRTCP: RFC 3711 prints no SRTCP labels; the B.3-proven KDF does */
		WF_REQUIRE(t_derive(e, &kc, p, WF_SRTP_KIND_RTCP, mk, ms) == 0);
		WF_REQUIRE(ref_derive(&rck, p, true, mk, ms) == 0);
		compare_srtcp(e, &kc, &rck, 1, pkt, t_rtcp_compound(pkt, 0xdeadbeef, 17), "B.3 SRTCP");
		compare_srtcp(e, &kc, &rck, 0x7ffffffe, pkt, t_rtcp_compound(pkt, 0xdeadbeef, 3), "B.3 SRTCP");
	}
	wf_vec_free(&f);
	wf_srtp_engine_free(e);
}

/* RFC 7714 §16-17 from a master key: the RFC's key and salt as master
 * key and salt, the RFC's packets, and the §11 KDF (RFC 3711 §4.3 with an
 * AES-128 or AES-256 PRF and the 96-bit salt left-aligned). */
static void srtp_gcm_follows_rfc7714_for_keys_from_a_master_key(void)
{
	struct wf_srtp_engine *e = t_engine();
	struct wf_vec_file rtp, rtcp;
	int i;

	WF_REQUIRE(e);
	WF_REQUIRE(load("srtp/rfc7714_16_srtp_gcm.json", &rtp) == 2);
	WF_REQUIRE(load("srtp/rfc7714_17_srtcp_gcm.json", &rtcp) == 4);
	for (i = 0; i < 2; i++) {
		const struct wf_vec *v = &rtp.v[i];
		enum wf_srtp_profile p = (enum wf_srtp_profile)profile_of(v);
		uint8_t mk[32], ms[12], pt[128];
		struct wf_srtp_keys k, kc;
		struct ref_keys rk, rck;
		int pl = wf_vec_hex(v, "pt", pt, sizeof(pt)), j;

		WF_REQUIRE(p == WF_SRTP_AEAD_AES_128_GCM || p == WF_SRTP_AEAD_AES_256_GCM);
		WF_REQUIRE(wf_vec_hex(v, "key", mk, sizeof(mk)) == (int)t_key_len(p));
		WF_REQUIRE(wf_vec_hex(v, "salt", ms, sizeof(ms)) == 12 && pl > 12);
		WF_REQUIRE(t_derive(e, &k, p, WF_SRTP_KIND_RTP, mk, ms) == 0);
		WF_REQUIRE(t_derive(e, &kc, p, WF_SRTP_KIND_RTCP, mk, ms) == 0);
		WF_REQUIRE(ref_derive(&rk, p, false, mk, ms) == 0 && ref_derive(&rck, p, true, mk, ms) == 0);
		compare_srtp(e, &k, &rk, 0, pt, (size_t)pl, wf_vec_str(v, "source"));
		compare_srtp(e, &k, &rk, 0x12345, pt, (size_t)pl, wf_vec_str(v, "source"));
		for (j = 0; j < 4; j++) {
			const struct wf_vec *w = &rtcp.v[j];
			uint8_t rp[128];
			uint64_t index;
			int rl = wf_vec_hex(w, "pt", rp, sizeof(rp));

			if (profile_of(w) != (int)p)
				continue;
			WF_REQUIRE(rl > 8 && wf_vec_u64(w, "index", &index) == 0);
			compare_srtcp(e, &kc, &rck, (uint32_t)index, rp, (size_t)rl, wf_vec_str(w, "source"));
		}
	}
	wf_vec_free(&rtp);
	wf_vec_free(&rtcp);
	wf_srtp_engine_free(e);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(vectors_reader_parses_flat_objects_and_arrays);
	WF_RUN(vectors_reader_rejects_every_truncation_and_hostile_input);
	WF_RUN(reference_aes_cm_matches_rfc3711_b2_keystream);
	WF_RUN(reference_kdf_matches_rfc3711_b3);
	WF_RUN(reference_gcm_matches_rfc7714_srtp_and_srtcp);
	WF_RUN(srtp_aes_cm_keys_derived_from_rfc3711_b3_master_protect_as_b3_session_keys);
	WF_RUN(srtp_gcm_follows_rfc7714_for_keys_from_a_master_key);
	return wf_test_done();
}
