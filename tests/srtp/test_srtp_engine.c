/* test_srtp_engine.c: engines per ipsec-mb arch, and the suite tables.
 *
 * Every supported arch must produce the same bytes for the same input;
 * arch measurement returns supported archs; profile, name and DTLS id
 * lookups follow RFC 5764 §4.1.2 and RFC 7714 §14.
 */
#include "srtp_testlib.h"

#include <errno.h>

static struct wf_srtp_engine *engine_for(enum wf_srtp_arch a)
{
	enum wf_srtp_arch arch[WF_SRTP_PROFILE_COUNT];
	unsigned p;

	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++)
		arch[p] = a;
	return wf_srtp_engine_create(arch);
}

/* Protects a fixed set of packets (single, burst and SRTCP) with engine e
 * and appends every output to out; returns the bytes written. */
static size_t outputs_of(struct wf_srtp_engine *e, enum wf_srtp_profile p, uint8_t *out, size_t cap)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 31, 33, 64, 255, 1200, 1400 };
	uint8_t mk[32], ms[14], payload[1400], pkt[T_PKT_CAP];
	struct wf_srtp_keys rtp, rtcp;
	uint64_t seed = 0xa4c4;
	size_t n = 0, i, len, out_len;
	uint32_t index = 1;

	t_fill(&seed, mk, sizeof(mk));
	t_fill(&seed, ms, sizeof(ms));
	t_fill(&seed, payload, sizeof(payload));
	if (t_derive(e, &rtp, p, WF_SRTP_KIND_RTP, mk, ms) || t_derive(e, &rtcp, p, WF_SRTP_KIND_RTCP, mk, ms))
		return 0;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct t_rtp h = { .ssrc = 0x1234, .seq = (uint16_t)(65530 + i), .ext_words = (int)i % 2 - 1 };
		struct wf_srtp_job jobs[20];
		unsigned j;

		len = t_rtp_packet(pkt, &h, payload, sizes[i]);
		if (n + 21 * (len + 16) + 200 > cap ||
		    wf_srtp_protect(e, &rtp, 3, pkt, len, sizeof(pkt), &out_len) != 0)
			return 0;
		memcpy(out + n, pkt, out_len);
		n += out_len;
		/* the same packet as a burst of 20 viewers sharing these keys */
		for (j = 0; j < 20; j++) {
			uint8_t *o = out + n + j * out_len;

			t_rtp_header(o, &h);
			jobs[j] = (struct wf_srtp_job){ .keys = &rtp, .payload = payload, .out = o,
				.roc = 3, .hdr_len = (uint16_t)(len - sizes[i]),
				.payload_len = (uint16_t)sizes[i], .out_cap = (uint16_t)out_len };
		}
		if (wf_srtp_protect_burst(e, jobs, 20) != 20)
			return 0;
		n += 20 * out_len;
		len = t_rtcp_compound(pkt, 0x1234, (unsigned)i * 3 + 1);
		if (wf_srtcp_protect(e, &rtcp, &index, pkt, len, sizeof(pkt), &out_len) != 0)
			return 0;
		memcpy(out + n, pkt, out_len);
		n += out_len;
	}
	return n;
}

static void srtp_every_supported_arch_produces_identical_bytes(void)
{
	static uint8_t ref[200000], got[200000];
	unsigned pi, tried = 0;
	int a;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		enum wf_srtp_profile p = t_profiles[pi];
		size_t ref_len = 0;

		for (a = WF_SRTP_ARCH_AUTO; a < WF_SRTP_ARCH_COUNT; a++) {
			struct wf_srtp_engine *e;
			size_t n;

			if (!wf_srtp_arch_supported((enum wf_srtp_arch)a))
				continue;
			e = engine_for((enum wf_srtp_arch)a);
			WF_CHECKF(e, "arch %s supported but engine_create failed (errno %d)",
				  wf_srtp_arch_name((enum wf_srtp_arch)a), errno);
			if (!e)
				continue;
			if (a != WF_SRTP_ARCH_AUTO)
				WF_CHECK_EQ(wf_srtp_engine_arch(e, p), a);
			n = outputs_of(e, p, ref_len ? got : ref, sizeof(ref));
			WF_CHECKF(n > 0, "%s on %s: protect failed", t_pname(p),
				  wf_srtp_arch_name((enum wf_srtp_arch)a));
			if (!ref_len) {
				ref_len = n;
			} else {
				WF_CHECK_EQ(n, ref_len);
				WF_CHECKF(n == ref_len && memcmp(ref, got, n) == 0, "%s: arch %s differs from the first",
					  t_pname(p), wf_srtp_arch_name((enum wf_srtp_arch)a));
			}
			tried++;
			wf_srtp_engine_free(e);
		}
	}
	WF_CHECK(tried >= 2 * WF_SRTP_PROFILE_COUNT);	/* AUTO and at least SSE */
}

static void srtp_auto_arch_resolves_to_a_supported_arch(void)
{
	struct wf_srtp_engine *e = t_engine();
	unsigned p;

	WF_REQUIRE(e);
	WF_CHECK(wf_srtp_arch_supported(WF_SRTP_ARCH_AUTO));
	WF_CHECK(wf_srtp_arch_supported(WF_SRTP_ARCH_SSE));
	WF_CHECK(!wf_srtp_arch_supported(WF_SRTP_ARCH_COUNT));
	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
		enum wf_srtp_arch a = wf_srtp_engine_arch(e, (enum wf_srtp_profile)p);

		WF_CHECK(a != WF_SRTP_ARCH_AUTO && a < WF_SRTP_ARCH_COUNT);
		WF_CHECK(wf_srtp_arch_supported(a));
	}
	wf_srtp_engine_free(e);
	errno = 0;
	WF_CHECK(engine_for(WF_SRTP_ARCH_COUNT) == NULL);
	WF_CHECK(errno != 0);
	wf_srtp_engine_free(NULL);
}

/* GCM key tables are arch-specific (srtp.h): keys derived on one arch are
 * refused by an engine of another, never used to produce wrong bytes. */
static void srtp_gcm_keys_are_refused_by_an_engine_of_another_arch(void)
{
	struct wf_srtp_engine *sse = engine_for(WF_SRTP_ARCH_SSE), *other = NULL;
	enum wf_srtp_arch a;
	uint8_t mk[32] = { 7 }, ms[14] = { 9 }, pkt[T_PKT_CAP] = { 0x80 };
	struct wf_srtp_keys k;
	size_t out_len;

	WF_REQUIRE(sse);
	for (a = WF_SRTP_ARCH_AVX512; a > WF_SRTP_ARCH_SSE && !other; a--)
		if (wf_srtp_arch_supported(a))
			other = engine_for(a);
	if (other) {
		WF_REQUIRE(t_derive(sse, &k, WF_SRTP_AEAD_AES_128_GCM, WF_SRTP_KIND_RTP, mk, ms) == 0);
		WF_CHECK_EQ(wf_srtp_protect(other, &k, 0, pkt, 100, sizeof(pkt), &out_len), -WF_SRTP_E_BAD_PARAM);
		WF_CHECK_EQ(wf_srtp_protect(sse, &k, 0, pkt, 100, sizeof(pkt), &out_len), 0);
		wf_srtp_engine_free(other);
	} else {
		printf("  (only SSE supported: cross-arch check skipped)\n");
	}
	wf_srtp_engine_free(sse);
}

static void srtp_arch_measure_returns_supported_archs(void)
{
	enum wf_srtp_arch best[WF_SRTP_PROFILE_COUNT];
	unsigned p;

	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++)
		best[p] = WF_SRTP_ARCH_COUNT;
	WF_REQUIRE(wf_srtp_arch_measure(best) == 0);
	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
		WF_CHECKF(best[p] != WF_SRTP_ARCH_AUTO && best[p] < WF_SRTP_ARCH_COUNT &&
			  wf_srtp_arch_supported(best[p]), "profile %u: best arch %d", p, best[p]);
	}
}

static void srtp_arch_names_round_trip(void)
{
	static const char *names[] = { "auto", "sse", "avx2", "avx512" };
	unsigned a;

	for (a = 0; a < WF_SRTP_ARCH_COUNT; a++) {
		WF_CHECK(wf_srtp_arch_name((enum wf_srtp_arch)a) &&
			 strcmp(wf_srtp_arch_name((enum wf_srtp_arch)a), names[a]) == 0);
		WF_CHECK_EQ(wf_srtp_arch_by_name(names[a]), a);
	}
	WF_CHECK(wf_srtp_arch_by_name("avx3") < 0);
	WF_CHECK(wf_srtp_arch_by_name("") < 0);
	WF_CHECK(wf_srtp_arch_by_name("sse4") < 0);
}

/* RFC 5764 §4.1.2 (0x0001, 0x0002), RFC 7714 §14.2 (0x0007, 0x0008),
 * RFC 4568 / RFC 7714 §14.1 names, RFC 3711 §8.2 and RFC 7714 §12 lengths. */
static void srtp_suite_table_follows_the_rfcs(void)
{
	static const struct {
		const char *name, *dtls;
		uint16_t id;
		uint8_t key, salt, rtp_tag, rtcp_tag;
		bool aead;
	} want[WF_SRTP_PROFILE_COUNT] = {
		{ "AES_CM_128_HMAC_SHA1_80", "SRTP_AES128_CM_SHA1_80", 0x0001, 16, 14, 10, 10, false },
		{ "AES_CM_128_HMAC_SHA1_32", "SRTP_AES128_CM_SHA1_32", 0x0002, 16, 14, 4, 10, false },
		{ "AEAD_AES_128_GCM", "SRTP_AEAD_AES_128_GCM", 0x0007, 16, 12, 16, 16, true },
		{ "AEAD_AES_256_GCM", "SRTP_AEAD_AES_256_GCM", 0x0008, 32, 12, 16, 16, true },
	};
	unsigned p;

	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
		const struct wf_srtp_suite *s = wf_srtp_suite((enum wf_srtp_profile)p);

		WF_REQUIRE(s);
		WF_CHECK_EQ(s->profile, p);
		WF_CHECK(s->name && strcmp(s->name, want[p].name) == 0);
		WF_CHECK(s->dtls_name && strcmp(s->dtls_name, want[p].dtls) == 0);
		WF_CHECK_EQ(s->dtls_id, want[p].id);
		WF_CHECK_EQ(s->master_key_len, want[p].key);
		WF_CHECK_EQ(s->master_salt_len, want[p].salt);
		WF_CHECK_EQ(s->rtp_tag_len, want[p].rtp_tag);
		WF_CHECK_EQ(s->rtcp_tag_len, want[p].rtcp_tag);
		WF_CHECK_EQ(s->aead, want[p].aead);
		WF_CHECK_EQ(wf_srtp_profile_by_name(want[p].name), p);
		WF_CHECK_EQ(wf_srtp_profile_by_name(want[p].dtls), p);
		WF_CHECK_EQ(wf_srtp_profile_by_dtls_id(want[p].id), p);
	}
	WF_CHECK(wf_srtp_suite(WF_SRTP_PROFILE_COUNT) == NULL);
	WF_CHECK(wf_srtp_suite((enum wf_srtp_profile)-1) == NULL);
}

static void srtp_unknown_profile_names_and_ids_are_rejected(void)
{
	static const char *bad[] = { "", "AES_CM_128_HMAC_SHA1_81", "aes_cm_128_hmac_sha1_80x",
				     "SRTP_NULL_HMAC_SHA1_80", "AEAD_AES_192_GCM", "SRTP_AES128_CM_SHA1",
				     "AES_CM_128_HMAC_SHA1_80 " };
	static const uint16_t bad_ids[] = { 0x0000, 0x0003, 0x0004, 0x0005, 0x0006, 0x0009, 0xffff, 0x0100 };
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		WF_CHECKF(wf_srtp_profile_by_name(bad[i]) == -WF_SRTP_E_BAD_PARAM, "\"%s\" accepted", bad[i]);
	for (i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++)
		WF_CHECKF(wf_srtp_profile_by_dtls_id(bad_ids[i]) == -WF_SRTP_E_BAD_PARAM, "id %04x accepted",
			  bad_ids[i]);
}

static void srtp_every_error_has_its_own_message(void)
{
	int i, j;

	WF_CHECK(wf_srtp_strerror(0) != NULL);
	for (i = 1; i < WF_SRTP_E_COUNT; i++) {
		const char *s = wf_srtp_strerror(-i);

		WF_REQUIRE(s && *s);
		for (j = 0; j < i; j++)
			WF_CHECKF(strcmp(s, wf_srtp_strerror(-j)) != 0, "errors %d and %d share \"%s\"", i, j, s);
	}
	WF_CHECK(strcmp(wf_srtp_strerror(-WF_SRTP_E_AUTH_FAIL), "authentication tag does not match") == 0);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(srtp_every_supported_arch_produces_identical_bytes);
	WF_RUN(srtp_auto_arch_resolves_to_a_supported_arch);
	WF_RUN(srtp_gcm_keys_are_refused_by_an_engine_of_another_arch);
	WF_RUN(srtp_arch_measure_returns_supported_archs);
	WF_RUN(srtp_arch_names_round_trip);
	WF_RUN(srtp_suite_table_follows_the_rfcs);
	WF_RUN(srtp_unknown_profile_names_and_ids_are_rejected);
	WF_RUN(srtp_every_error_has_its_own_message);
	return wf_test_done();
}
