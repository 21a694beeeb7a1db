/* test_srtp_oracle.c: byte-for-byte agreement with libsrtp2, both ways.
 *
 * For every profile: we protect → the bytes equal libsrtp2's srtp_protect
 * of the same packet, and libsrtp2 unprotects them to the plaintext; and
 * libsrtp2 protects → we unprotect to the plaintext with the right index.
 * Covered: payloads 0..1400, CSRCs 1..15, header extensions, the padding
 * bit, a rollover-counter wrap, and SRTCP compound packets.
 */
#include "srtp_testlib.h"

/* One SRTP packet through both implementations; counts failures by
 * WF_CHECK.  tx/rx: the libsrtp2 sender and receiver for this SSRC.
 * r: our receiver state.  roc: the sender's ROC for this packet. */
static void one_rtp(struct wf_srtp_engine *e, const struct t_viewer *v,
		    srtp_t tx, srtp_t rx, struct wf_srtp_replay *r,
		    const uint8_t *plain, size_t len, uint32_t roc, const char *what)
{
	static uint8_t ours[T_PKT_CAP], theirs[T_PKT_CAP], back[T_PKT_CAP];
	size_t out_len = 0, tag = t_rtp_tag(v->p);
	int olen, rc, seq = plain[2] << 8 | plain[3];
	uint64_t idx = 0;

	memcpy(ours, plain, len);
	rc = wf_srtp_protect(e, &v->rtp, roc, ours, len, len + tag, &out_len);
	WF_CHECKF(rc == 0, "%s %s len %zu: wf_srtp_protect %d (%s)", t_pname(v->p),
		  what, len, rc, wf_srtp_strerror(rc));
	WF_CHECKF(out_len == len + tag, "%s %s len %zu: out_len %zu", t_pname(v->p),
		  what, len, out_len);

	memcpy(theirs, plain, len);
	olen = (int)len;
	WF_REQUIRE(srtp_protect(tx, theirs, &olen) == srtp_err_status_ok);
	WF_CHECK_EQ(olen, len + tag);
	if (rc == 0 && out_len == (size_t)olen && memcmp(ours, theirs, out_len) != 0) {
		wf_test_fail(__FILE__, __LINE__, "%s %s len %zu seq %d roc %u: bytes differ from libsrtp2",
			     t_pname(v->p), what, len, seq, roc);
		wf_test_hexdump("ours", ours, out_len);
		wf_test_hexdump("libsrtp", theirs, out_len);
	}

	/* we protect → libsrtp2 unprotects */
	if (rc == 0) {
		memcpy(back, ours, out_len);
		olen = (int)out_len;
		rc = srtp_unprotect(rx, back, &olen);
		WF_CHECKF(rc == srtp_err_status_ok, "%s %s len %zu: libsrtp2 unprotect of ours: %d",
			  t_pname(v->p), what, len, rc);
		WF_CHECK(rc != 0 || (olen == (int)len && memcmp(back, plain, len) == 0));
	}

	/* libsrtp2 protects → we unprotect */
	memcpy(back, theirs, (size_t)olen > len ? (size_t)olen : len);
	out_len = 0;
	rc = wf_srtp_unprotect(e, &v->rtp, r, back, len + tag, &out_len, &idx);
	WF_CHECKF(rc == 0, "%s %s len %zu seq %d: wf_srtp_unprotect of libsrtp2's: %d (%s)",
		  t_pname(v->p), what, len, seq, rc, wf_srtp_strerror(rc));
	if (rc == 0) {
		WF_CHECK_EQ(out_len, len);
		WF_CHECK_EQ(idx, (uint64_t)roc << 16 | (uint64_t)seq);
		WF_CHECK_MEM(back, plain, len);
	}
}

static size_t next_size(size_t n)
{
	if (n < 65)
		return n + 1;
	if (n == 1400)
		return 1401;
	return n + 46 > 1400 ? 1400 : n + 46;
}

struct t_pair {
	struct t_viewer v;
	srtp_t tx, rx;
	struct wf_srtp_replay r;
};

static int pair_open(struct t_pair *pr, struct wf_srtp_engine *e,
		     enum wf_srtp_profile p, uint64_t *seed, uint32_t ssrc)
{
	memset(pr, 0, sizeof(*pr));
	if (t_viewer_init(&pr->v, e, p, seed) != 0)
		return -1;
	pr->tx = t_oracle(p, pr->v.mk, pr->v.ms, ssrc);
	pr->rx = t_oracle(p, pr->v.mk, pr->v.ms, ssrc);
	return pr->tx && pr->rx ? 0 : -1;
}

static void pair_close(struct t_pair *pr)
{
	if (pr->tx)
		srtp_dealloc(pr->tx);
	if (pr->rx)
		srtp_dealloc(pr->rx);
}

static void srtp_every_profile_matches_libsrtp2_for_payloads_0_to_1400(void)
{
	struct wf_srtp_engine *e = t_engine();
	uint64_t seed = 0x5eed0001;
	unsigned pi;

	WF_REQUIRE(e);
	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		static uint8_t payload[1400], pkt[T_PKT_CAP];
		struct t_rtp h = { .ssrc = 0x11223344u + pi, .seq = 1000, .ts = 90000, .pt = 96, .ext_words = -1 };
		struct t_pair pr;
		size_t n;

		if (pair_open(&pr, e, t_profiles[pi], &seed, h.ssrc) != 0) {
			WF_CHECKF(0, "%s: setup failed", t_pname(t_profiles[pi]));
			pair_close(&pr);
			continue;
		}
		t_fill(&seed, payload, sizeof(payload));
		/* Every size 0..64 (all tails of a block), then odd sizes 65,
		 * 111, ... up to 1400, then 1400 itself. */
		for (n = 0; n <= 1400; n = next_size(n)) {
			size_t len = t_rtp_packet(pkt, &h, payload, n);

			one_rtp(e, &pr.v, pr.tx, pr.rx, &pr.r, pkt, len, 0, "size");
			h.seq++;
			h.ts += 3000;
		}
		pair_close(&pr);
	}
	wf_srtp_engine_free(e);
}

static void srtp_csrcs_extension_and_padding_match_libsrtp2(void)
{
	struct wf_srtp_engine *e = t_engine();
	uint64_t seed = 0x5eed0002;
	static const int exts[] = { -1, 0, 1, 3, 15 };
	unsigned pi;

	WF_REQUIRE(e);
	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		static uint8_t payload[300], pkt[T_PKT_CAP];
		struct t_rtp h = { .ssrc = 0xc0ffee00u + pi, .seq = 7, .ts = 1, .pt = 111 };
		struct t_pair pr;
		unsigned cc, x, pad;

		if (pair_open(&pr, e, t_profiles[pi], &seed, h.ssrc) != 0) {
			WF_CHECKF(0, "%s: setup failed", t_pname(t_profiles[pi]));
			pair_close(&pr);
			continue;
		}
		t_fill(&seed, payload, sizeof(payload));
		for (cc = 0; cc <= 15; cc++)
			for (x = 0; x < sizeof(exts) / sizeof(exts[0]); x++)
				for (pad = 0; pad < 2; pad++) {
					size_t len;

					h.csrcs = cc;
					h.ext_words = exts[x];
					h.padding = pad;
					len = t_rtp_packet(pkt, &h, payload, 37 + cc * 5 + x);
					WF_CHECK_EQ(wf_srtp_rtp_header_len(pkt, len),
						    12 + 4 * cc + (exts[x] >= 0 ? 4 + 4 * exts[x] : 0));
					one_rtp(e, &pr.v, pr.tx, pr.rx, &pr.r, pkt, len, 0, "csrc/ext");
					h.seq++;
				}
		pair_close(&pr);
	}
	wf_srtp_engine_free(e);
}

/* seq 65530 → 5: the sender passes roc + 1 after the wrap; libsrtp2 and our
 * receiver estimate it (RFC 3711 §3.3.1, Appendix A). */
static void srtp_rollover_counter_wrap_matches_libsrtp2(void)
{
	struct wf_srtp_engine *e = t_engine();
	uint64_t seed = 0x5eed0003;
	unsigned pi;

	WF_REQUIRE(e);
	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		static uint8_t payload[160], pkt[T_PKT_CAP];
		struct t_rtp h = { .ssrc = 0x0badcafeu + pi, .seq = 65530, .pt = 0, .ext_words = -1 };
		struct t_pair pr;
		uint32_t roc = 0;
		int i;

		if (pair_open(&pr, e, t_profiles[pi], &seed, h.ssrc) != 0) {
			WF_CHECKF(0, "%s: setup failed", t_pname(t_profiles[pi]));
			pair_close(&pr);
			continue;
		}
		t_fill(&seed, payload, sizeof(payload));
		for (i = 0; i < 12; i++) {
			size_t len = t_rtp_packet(pkt, &h, payload, 160);

			one_rtp(e, &pr.v, pr.tx, pr.rx, &pr.r, pkt, len, roc, "rollover");
			h.seq++;
			if (h.seq == 0)
				roc++;
		}
		WF_CHECK_EQ(roc, 1);
		pair_close(&pr);
	}
	wf_srtp_engine_free(e);
}

/* A late packet from before the wrap, after the wrap: our receiver must use
 * ROC - 1 for it (RFC 3711 Appendix A) and give the right 48-bit index. */
static void srtp_receiver_estimates_roc_for_reordered_packets_across_wrap(void)
{
	struct wf_srtp_engine *e = t_engine();
	uint64_t seed = 0x5eed0004;
	static const uint16_t order[] = { 65533, 65535, 1, 65534, 0, 3, 2, 65532 };
	unsigned pi, i;

	WF_REQUIRE(e);
	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		static uint8_t pkts[8][256], plain[8][256];
		size_t lens[8] = { 0 };
		struct t_viewer v;
		struct wf_srtp_replay r = { 0 };
		uint8_t payload[100];

		WF_REQUIRE(t_viewer_init(&v, e, t_profiles[pi], &seed) == 0);
		t_fill(&seed, payload, sizeof(payload));
		/* Protect in sending order with our sender (its bytes are proven
		 * against libsrtp2 above); deliver in `order`. */
		for (i = 0; i < 8; i++) {
			struct t_rtp h = { .ssrc = 77, .seq = order[i], .ext_words = -1 };
			size_t out_len = 0, len = t_rtp_packet(plain[i], &h, payload, sizeof(payload));
			uint32_t roc = order[i] < 100 ? 5 : 4;

			memcpy(pkts[i], plain[i], len);
			WF_REQUIRE(wf_srtp_protect(e, &v.rtp, roc, pkts[i], len, sizeof(pkts[i]), &out_len) == 0);
			lens[i] = out_len;
		}
		/* The receiver joins at ROC 4 (RFC 3711 §3.3.1: signalled ROC). */
		r.started = true;
		r.top = (uint64_t)4 << 16 | 65532;
		r.window[0] = 1;
		for (i = 0; i < 8; i++) {
			uint64_t idx = 0, want = (uint64_t)(order[i] < 100 ? 5 : 4) << 16 | order[i];
			size_t out_len = 0;
			int rc = wf_srtp_unprotect(e, &v.rtp, &r, pkts[i], lens[i], &out_len, &idx);

			if (order[i] == 65532) {
				/* r.top was preset as received: replay */
				WF_CHECKF(rc == -WF_SRTP_E_REPLAY, "%s seq %u: %d", t_pname(v.p), order[i], rc);
				continue;
			}
			WF_CHECKF(rc == 0, "%s seq %u: unprotect %d (%s)", t_pname(v.p), order[i], rc,
				  wf_srtp_strerror(rc));
			WF_CHECKF(idx == want, "%s seq %u: index %llx want %llx", t_pname(v.p), order[i],
				  (unsigned long long)idx, (unsigned long long)want);
			WF_CHECK(rc != 0 || memcmp(pkts[i], plain[i], out_len) == 0);
		}
		WF_CHECK_EQ(r.top, (uint64_t)5 << 16 | 3);
	}
	wf_srtp_engine_free(e);
}

static void srtcp_compound_matches_libsrtp2_both_directions(void)
{
	struct wf_srtp_engine *e = t_engine();
	uint64_t seed = 0x5eed0005;
	unsigned pi;

	WF_REQUIRE(e);
	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		static uint8_t plain[T_PKT_CAP], ours[T_PKT_CAP], theirs[T_PKT_CAP], back[T_PKT_CAP];
		enum wf_srtp_profile p = t_profiles[pi];
		size_t trailer = 4 + t_rtcp_tag(p);
		struct t_pair pr;
		uint32_t index = 1, ssrc = 0x52544350u + pi;
		unsigned cname;

		if (pair_open(&pr, e, p, &seed, ssrc) != 0) {
			WF_CHECKF(0, "%s: setup failed", t_pname(p));
			pair_close(&pr);
			continue;
		}
		for (cname = 1; cname <= 64; cname += 3) {
			size_t len = t_rtcp_compound(plain, ssrc, cname), out_len = 0;
			uint32_t used = index;
			int olen, rc;

			memcpy(ours, plain, len);
			rc = wf_srtcp_protect(e, &pr.v.rtcp, &index, ours, len, len + trailer, &out_len);
			WF_CHECKF(rc == 0, "%s cname %u: wf_srtcp_protect %d (%s)", t_pname(p), cname,
				  rc, wf_srtp_strerror(rc));
			WF_CHECK_EQ(out_len, len + trailer);
			WF_CHECK_EQ(index, used + 1);
			/* RFC 3711 §3.4 / RFC 7714 §9: E bit set, then the index. */
			if (rc == 0) {
				size_t at = p >= WF_SRTP_AEAD_AES_128_GCM ? out_len - 4 : len;

				WF_CHECKF(t_get32(ours + at) == (0x80000000u | used),
					  "%s: E|index word %08x, want %08x", t_pname(p),
					  t_get32(ours + at), 0x80000000u | used);
			}

			memcpy(theirs, plain, len);
			olen = (int)len;
			WF_REQUIRE(srtp_protect_rtcp(pr.tx, theirs, &olen) == srtp_err_status_ok);
			WF_CHECK_EQ(olen, len + trailer);
			if (rc == 0 && (size_t)olen == out_len && memcmp(ours, theirs, out_len) != 0) {
				wf_test_fail(__FILE__, __LINE__, "%s cname %u index %u: SRTCP bytes differ from libsrtp2",
					     t_pname(p), cname, used);
				wf_test_hexdump("ours", ours, out_len);
				wf_test_hexdump("libsrtp", theirs, out_len);
			}
			if (rc == 0) {
				memcpy(back, ours, out_len);
				olen = (int)out_len;
				rc = srtp_unprotect_rtcp(pr.rx, back, &olen);
				WF_CHECKF(rc == srtp_err_status_ok, "%s: libsrtp2 unprotect_rtcp of ours: %d",
					  t_pname(p), rc);
				WF_CHECK(rc != 0 || ((size_t)olen == len && memcmp(back, plain, len) == 0));
			}

			memcpy(back, theirs, len + trailer);
			out_len = 0;
			rc = wf_srtcp_unprotect(e, &pr.v.rtcp, &pr.r, back, len + trailer, &out_len);
			WF_CHECKF(rc == 0, "%s cname %u: wf_srtcp_unprotect of libsrtp2's: %d (%s)",
				  t_pname(p), cname, rc, wf_srtp_strerror(rc));
			if (rc == 0) {
				WF_CHECK_EQ(out_len, len);
				WF_CHECK_MEM(back, plain, len);
				WF_CHECK_EQ(pr.r.top, used);
			}
		}
		pair_close(&pr);
	}
	wf_srtp_engine_free(e);
}

/* libsrtp2 sends tagged-only SRTCP (E = 0, RFC 3711 §3.4, RFC 7714 §9.3 /
 * §17.3): the tag verifies and nothing was encrypted.  Our receiver accepts
 * it and returns the packet unchanged (the API keeps the E-bit choice with
 * the sender; the tag covers the E bit, so it cannot be flipped by an
 * attacker: see srtcp_rejects_flipped_e_bit in test_srtp_reject.c). */
static void srtcp_accepts_authenticated_unencrypted_packets_from_libsrtp2(void)
{
	struct wf_srtp_engine *e = t_engine();
	uint64_t seed = 0x5eed0006;
	unsigned pi;

	WF_REQUIRE(e);
	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		static uint8_t plain[T_PKT_CAP], pkt[T_PKT_CAP];
		enum wf_srtp_profile p = t_profiles[pi];
		struct t_viewer v;
		struct wf_srtp_replay r = { 0 };
		srtp_t tx;
		size_t len, out_len = 0;
		int olen, rc;

		WF_REQUIRE(t_viewer_init(&v, e, p, &seed) == 0);
		tx = t_oracle_ex(p, v.mk, v.ms, 4242, true);
		WF_REQUIRE(tx);
		len = t_rtcp_compound(plain, 4242, 9);
		memcpy(pkt, plain, len);
		olen = (int)len;
		rc = srtp_protect_rtcp(tx, pkt, &olen);
		srtp_dealloc(tx);
		WF_REQUIRE(rc == srtp_err_status_ok);
		WF_CHECK_EQ(olen, len + 4 + t_rtcp_tag(p));
		/* libsrtp2 really sent it in the clear with E = 0 */
		WF_CHECK_MEM(pkt, plain, len);
		rc = wf_srtcp_unprotect(e, &v.rtcp, &r, pkt, (size_t)olen, &out_len);
		WF_CHECKF(rc == 0, "%s: E=0 SRTCP: %d (%s)", t_pname(p), rc, wf_srtp_strerror(rc));
		if (rc == 0) {
			WF_CHECK_EQ(out_len, len);
			WF_CHECK_MEM(pkt, plain, len);
		}
	}
	wf_srtp_engine_free(e);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(srtp_every_profile_matches_libsrtp2_for_payloads_0_to_1400);
	WF_RUN(srtp_csrcs_extension_and_padding_match_libsrtp2);
	WF_RUN(srtp_rollover_counter_wrap_matches_libsrtp2);
	WF_RUN(srtp_receiver_estimates_roc_for_reordered_packets_across_wrap);
	WF_RUN(srtcp_compound_matches_libsrtp2_both_directions);
	WF_RUN(srtcp_accepts_authenticated_unencrypted_packets_from_libsrtp2);
	return wf_test_done();
}
