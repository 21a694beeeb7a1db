/* test_srtp_reject.c: what the receivers (and senders) must refuse.
 *
 * Hostile and broken input: tampered tags, payloads and headers, replays,
 * packets older than the window, every truncation, bad versions, CSRC
 * counts and extension lengths past the end, wrong keys, the SRTCP E bit
 * and index, and that a packet which failed authentication leaves the
 * replay state untouched.  Every hostile packet is copied into a heap
 * buffer of exactly its length so the sanitizer build catches any read past
 * the end.
 */
#include "srtp_testlib.h"

#include <stdlib.h>

struct fixture {
	struct wf_srtp_engine *e;
	struct t_viewer v;
	uint64_t seed;
};

static int fx_open(struct fixture *fx, enum wf_srtp_profile p, uint64_t seed)
{
	memset(fx, 0, sizeof(*fx));
	fx->seed = seed;
	fx->e = t_engine();
	if (!fx->e)
		return -1;
	return t_viewer_init(&fx->v, fx->e, p, &fx->seed);
}

static void fx_close(struct fixture *fx)
{
	wf_srtp_engine_free(fx->e);
}

/* Builds and protects (our sender; proven against libsrtp2 elsewhere) an
 * RTP packet into out; returns its protected length or 0. */
static size_t make_srtp(struct fixture *fx, const struct t_rtp *h, size_t plen,
			uint32_t roc, uint8_t *out, size_t cap)
{
	uint8_t payload[512];
	size_t len, out_len = 0;

	if (plen > sizeof(payload))
		return 0;
	t_fill(&fx->seed, payload, plen);
	len = t_rtp_packet(out, h, payload, plen);
	if (wf_srtp_protect(fx->e, &fx->v.rtp, roc, out, len, cap, &out_len) != 0)
		return 0;
	return out_len;
}

/* Unprotects a copy of pkt[0..len) held in a buffer of exactly len bytes. */
static int unprotect_exact(struct fixture *fx, struct wf_srtp_replay *r,
			   const uint8_t *pkt, size_t len, uint64_t *idx)
{
	uint8_t *copy = malloc(len ? len : 1);
	size_t out_len = 0;
	int rc;

	if (!copy)
		return -9999;
	memcpy(copy, pkt, len);
	rc = wf_srtp_unprotect(fx->e, &fx->v.rtp, r, copy, len, &out_len, idx);
	free(copy);
	return rc;
}

static int srtcp_unprotect_exact(struct fixture *fx, struct wf_srtp_replay *r,
				 const uint8_t *pkt, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	size_t out_len = 0;
	int rc;

	if (!copy)
		return -9999;
	memcpy(copy, pkt, len);
	rc = wf_srtcp_unprotect(fx->e, &fx->v.rtcp, r, copy, len, &out_len);
	free(copy);
	return rc;
}

/* ---- wf_srtp_rtp_header_len --------------------------------------------- */

static void rtp_header_len_parses_every_csrc_count_and_extension(void)
{
	static const int exts[] = { -1, 0, 1, 7, 255 };
	uint8_t pkt[T_PKT_CAP];
	unsigned cc, x;

	for (cc = 0; cc <= 15; cc++)
		for (x = 0; x < sizeof(exts) / sizeof(exts[0]); x++) {
			struct t_rtp h = { .ssrc = 1, .csrcs = cc, .ext_words = exts[x] };
			size_t hl = t_rtp_header(pkt, &h);

			WF_CHECK_EQ(wf_srtp_rtp_header_len(pkt, hl), hl);
			WF_CHECK_EQ(wf_srtp_rtp_header_len(pkt, hl + 100), hl);
		}
}

static void rtp_header_len_rejects_every_truncation(void)
{
	struct t_rtp h = { .ssrc = 1, .csrcs = 15, .ext_words = 3 };
	uint8_t full[T_PKT_CAP];
	size_t hl = t_rtp_header(full, &h), n;

	for (n = 0; n < hl; n++) {
		uint8_t *p = malloc(n ? n : 1);
		int rc;

		WF_REQUIRE(p);
		memcpy(p, full, n);
		rc = wf_srtp_rtp_header_len(p, n);
		if (n < WF_RTP_MIN_HEADER)
			WF_CHECKF(rc == -WF_SRTP_E_TOO_SHORT, "len %zu: %d", n, rc);
		else
			WF_CHECKF(rc == -WF_SRTP_E_BAD_HEADER, "len %zu: %d", n, rc);
		free(p);
	}
}

static void rtp_header_len_rejects_version_other_than_2(void)
{
	uint8_t pkt[64] = { 0 };
	unsigned v;

	for (v = 0; v < 4; v++) {
		pkt[0] = (uint8_t)(v << 6);
		WF_CHECK_EQ(wf_srtp_rtp_header_len(pkt, sizeof(pkt)),
			    v == 2 ? 12 : -WF_SRTP_E_BAD_VERSION);
	}
}

static void rtp_header_len_rejects_counts_and_lengths_past_the_end(void)
{
	uint8_t pkt[12 + 60 + 4 + 40] = { 0 };

	/* 15 CSRCs need 72 bytes. */
	pkt[0] = 0x8f;
	WF_CHECK_EQ(wf_srtp_rtp_header_len(pkt, 71), -WF_SRTP_E_BAD_HEADER);
	WF_CHECK_EQ(wf_srtp_rtp_header_len(pkt, 72), 72);
	/* extension of 0xffff words after no CSRC */
	pkt[0] = 0x90;
	pkt[12] = 0xbe; pkt[13] = 0xde; pkt[14] = 0xff; pkt[15] = 0xff;
	WF_CHECK_EQ(wf_srtp_rtp_header_len(pkt, sizeof(pkt)), -WF_SRTP_E_BAD_HEADER);
	/* extension length one word more than there is */
	pkt[14] = 0; pkt[15] = 11;	/* 12 + 4 + 44 = 60 */
	WF_CHECK_EQ(wf_srtp_rtp_header_len(pkt, 59), -WF_SRTP_E_BAD_HEADER);
	WF_CHECK_EQ(wf_srtp_rtp_header_len(pkt, 60), 60);
	/* X set, extension header itself cut */
	WF_CHECK_EQ(wf_srtp_rtp_header_len(pkt, 15), -WF_SRTP_E_BAD_HEADER);
	/* both: 15 CSRCs, then an extension of 0xffff words */
	pkt[0] = 0x9f;
	pkt[72] = 0xbe; pkt[73] = 0xde; pkt[74] = 0xff; pkt[75] = 0xff;
	WF_CHECK_EQ(wf_srtp_rtp_header_len(pkt, sizeof(pkt)), -WF_SRTP_E_BAD_HEADER);
	WF_CHECK_EQ(wf_srtp_rtp_header_len(NULL, 0), -WF_SRTP_E_TOO_SHORT);
}

/* ---- SRTP tampering ------------------------------------------------------ */

/* Flips every bit in [from, to) of a genuine packet: each must fail (the
 * first byte may fail as BAD_VERSION / BAD_HEADER, the rest as AUTH_FAIL)
 * and leave the replay state as it was. */
static void flip_range(enum wf_srtp_profile p, size_t from, size_t to_from_end, const char *what)
{
	struct fixture fx;
	struct t_rtp h = { .ssrc = 0x5501a0b2, .seq = 0xf17b, .ts = 0x8041f8d3, .pt = 64, .ext_words = -1 };
	struct wf_srtp_replay r0 = { 0 }, r;
	uint8_t pkt[T_PKT_CAP];
	size_t len, i, to;
	unsigned bit;
	int rc;

	WF_REQUIRE(fx_open(&fx, p, 0xf11b0000 + p) == 0);
	len = make_srtp(&fx, &h, 38, 0, pkt, sizeof(pkt));
	WF_REQUIRE(len == 12 + 38 + t_rtp_tag(p));
	to = len - to_from_end;
	/* a receiver that has seen something, to check it is not moved */
	r0.started = true;
	r0.top = 0xf000;
	r0.window[0] = 0x5;
	for (i = from; i < to; i++)
		for (bit = 0; bit < 8; bit++) {
			pkt[i] ^= (uint8_t)(1u << bit);
			r = r0;
			rc = unprotect_exact(&fx, &r, pkt, len, NULL);
			if (i == 0)
				WF_CHECKF(rc < 0, "%s %s byte %zu bit %u: %d", t_pname(p), what, i, bit, rc);
			else if (i == 2 || i == 3)
				/* a changed SEQ may land before the window: refused
				 * before the tag is even computed, as it should */
				WF_CHECKF(rc == -WF_SRTP_E_AUTH_FAIL || rc == -WF_SRTP_E_TOO_OLD ||
					  rc == -WF_SRTP_E_REPLAY, "%s %s byte %zu bit %u: %d (%s)",
					  t_pname(p), what, i, bit, rc, wf_srtp_strerror(rc));
			else
				WF_CHECKF(rc == -WF_SRTP_E_AUTH_FAIL, "%s %s byte %zu bit %u: %d (%s)",
					  t_pname(p), what, i, bit, rc, wf_srtp_strerror(rc));
			WF_CHECKF(memcmp(&r, &r0, sizeof(r)) == 0, "%s %s byte %zu: replay state moved",
				  t_pname(p), what, i);
			pkt[i] ^= (uint8_t)(1u << bit);
		}
	/* and untouched it still authenticates */
	r = r0;
	WF_CHECK_EQ(unprotect_exact(&fx, &r, pkt, len, NULL), 0);
	fx_close(&fx);
}

static void srtp_rejects_tampered_tag(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++)
		flip_range(t_profiles[pi], 12 + 38, 0, "tag");
}

static void srtp_rejects_tampered_payload(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++)
		flip_range(t_profiles[pi], 12, t_rtp_tag(t_profiles[pi]), "payload");
}

static void srtp_rejects_tampered_header_including_ssrc(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++)
		flip_range(t_profiles[pi], 0, 38 + t_rtp_tag(t_profiles[pi]), "header");
}

/* Unprotects a copy, so a failed attempt cannot spoil the next one. */
static int unprotect_with(struct fixture *fx, const struct wf_srtp_keys *k,
			  struct wf_srtp_replay *r, const uint8_t *pkt, size_t len)
{
	uint8_t copy[T_PKT_CAP];
	size_t out_len = 0;

	memcpy(copy, pkt, len);
	return wf_srtp_unprotect(fx->e, k, r, copy, len, &out_len, NULL);
}

/* A receiver that fails a packet hands back the bytes it was given: the
 * caller may try another key (re-keying, RFC 3711 §8.1) or count and drop
 * it, and unverified plaintext never appears in its buffer (RFC 7714 §13.1,
 * "release of unverified plaintext").  Not stated in srtp.h; see report. */
static void srtp_failed_unprotect_leaves_packet_bytes_unchanged(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct fixture fx;
		struct t_rtp h = { .ssrc = 99, .seq = 1, .ext_words = -1 };
		struct wf_srtp_replay r = { 0 };
		uint8_t pkt[T_PKT_CAP], copy[T_PKT_CAP];
		size_t len, out_len = 0;

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0xcafe + pi) == 0);
		len = make_srtp(&fx, &h, 100, 0, pkt, sizeof(pkt));
		WF_REQUIRE(len);
		pkt[len - 1] ^= 1;	/* bad tag */
		memcpy(copy, pkt, len);
		WF_CHECK_EQ(wf_srtp_unprotect(fx.e, &fx.v.rtp, &r, pkt, len, &out_len, NULL),
			    -WF_SRTP_E_AUTH_FAIL);
		WF_CHECKF(memcmp(pkt, copy, len) == 0, "%s: SRTP packet modified by a failed unprotect",
			  t_pname(fx.v.p));
		fx_close(&fx);
	}
	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct fixture fx;
		struct wf_srtp_replay r = { 0 };
		uint8_t pkt[T_PKT_CAP], copy[T_PKT_CAP];
		uint32_t index = 1;
		size_t len, out_len = 0;

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0xcaff + pi) == 0);
		len = t_rtcp_compound(pkt, 0x4d617273, 11);
		WF_REQUIRE(wf_srtcp_protect(fx.e, &fx.v.rtcp, &index, pkt, len, sizeof(pkt), &len) == 0);
		pkt[9] ^= 1;	/* bad ciphertext */
		memcpy(copy, pkt, len);
		WF_CHECK_EQ(wf_srtcp_unprotect(fx.e, &fx.v.rtcp, &r, pkt, len, &out_len),
			    -WF_SRTP_E_AUTH_FAIL);
		WF_CHECKF(memcmp(pkt, copy, len) == 0, "%s: SRTCP packet modified by a failed unprotect",
			  t_pname(fx.v.p));
		fx_close(&fx);
	}
}

static void srtp_rejects_wrong_key(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct fixture fx;
		struct t_viewer other;
		struct t_rtp h = { .ssrc = 9, .seq = 1, .ext_words = -1 };
		struct wf_srtp_replay r = { 0 };
		uint8_t pkt[T_PKT_CAP];
		size_t len;

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0xbad0 + pi) == 0);
		WF_REQUIRE(t_viewer_init(&other, fx.e, t_profiles[pi], &fx.seed) == 0);
		len = make_srtp(&fx, &h, 100, 0, pkt, sizeof(pkt));
		WF_REQUIRE(len);
		WF_CHECK_EQ(unprotect_with(&fx, &other.rtp, &r, pkt, len), -WF_SRTP_E_AUTH_FAIL);
		WF_CHECK(!r.started);
		/* keys of the same master but for SRTCP are not SRTP keys */
		WF_CHECK(unprotect_with(&fx, &fx.v.rtcp, &r, pkt, len) < 0);
		WF_CHECK_EQ(unprotect_with(&fx, &fx.v.rtp, &r, pkt, len), 0);
		fx_close(&fx);
	}
}

/* ---- replay window (RFC 3711 §3.3.2) ------------------------------------ */

static void srtp_rejects_replayed_packet(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct fixture fx;
		struct t_rtp h = { .ssrc = 10, .seq = 500, .ext_words = -1 };
		struct wf_srtp_replay r = { 0 };
		uint8_t pkt[T_PKT_CAP];
		size_t len;

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0x4e91 + pi) == 0);
		len = make_srtp(&fx, &h, 64, 0, pkt, sizeof(pkt));
		WF_REQUIRE(len);
		WF_CHECK_EQ(unprotect_exact(&fx, &r, pkt, len, NULL), 0);
		WF_CHECK_EQ(unprotect_exact(&fx, &r, pkt, len, NULL), -WF_SRTP_E_REPLAY);
		fx_close(&fx);
	}
}

static void srtp_accepts_out_of_order_inside_window_once(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		static uint8_t pkts[70][128];
		size_t lens[70];
		struct fixture fx;
		struct wf_srtp_replay r = { 0 };
		unsigned i;

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0x0dd + pi) == 0);
		for (i = 0; i < 70; i++) {
			struct t_rtp h = { .ssrc = 11, .seq = (uint16_t)(2000 + i), .ext_words = -1 };

			lens[i] = make_srtp(&fx, &h, 40, 0, pkts[i], sizeof(pkts[i]));
			WF_REQUIRE(lens[i]);
		}
		/* 2000, then 2069 (top), then everything between backwards: all
		 * within 64 of the top except 2000..2005 (2000 already seen). */
		WF_CHECK_EQ(unprotect_exact(&fx, &r, pkts[0], lens[0], NULL), 0);
		WF_CHECK_EQ(unprotect_exact(&fx, &r, pkts[69], lens[69], NULL), 0);
		for (i = 68; i >= 1; i--) {
			uint64_t idx = 0;
			int rc = unprotect_exact(&fx, &r, pkts[i], lens[i], &idx);

			if (69 - i < WF_SRTP_REPLAY_WINDOW) {
				WF_CHECKF(rc == 0, "%s seq %u: %d", t_pname(fx.v.p), 2000 + i, rc);
				WF_CHECK_EQ(idx, 2000 + i);
			} else {
				WF_CHECKF(rc == -WF_SRTP_E_TOO_OLD, "%s seq %u: %d", t_pname(fx.v.p),
					  2000 + i, rc);
			}
		}
		/* each of them now a replay */
		for (i = 6; i < 70; i++)
			WF_CHECK_EQ(unprotect_exact(&fx, &r, pkts[i], lens[i], NULL), -WF_SRTP_E_REPLAY);
		fx_close(&fx);
	}
}

static void srtp_rejects_packet_older_than_64_packet_window(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct fixture fx;
		struct wf_srtp_replay r = { 0 };
		uint8_t top[128], in[128], out[128];
		size_t lt, li, lo;
		struct t_rtp h = { .ssrc = 12, .ext_words = -1 };

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0x01d + pi) == 0);
		h.seq = 3100; lt = make_srtp(&fx, &h, 20, 0, top, sizeof(top));
		h.seq = 3100 - 63; li = make_srtp(&fx, &h, 20, 0, in, sizeof(in));
		h.seq = 3100 - 64; lo = make_srtp(&fx, &h, 20, 0, out, sizeof(out));
		WF_REQUIRE(lt && li && lo);
		WF_CHECK_EQ(unprotect_exact(&fx, &r, top, lt, NULL), 0);
		WF_CHECK_EQ(unprotect_exact(&fx, &r, out, lo, NULL), -WF_SRTP_E_TOO_OLD);
		WF_CHECK_EQ(unprotect_exact(&fx, &r, in, li, NULL), 0);
		fx_close(&fx);
	}
}

/* Packet seq of stream 13, unprotected against r: its status. */
static int late_one(struct fixture *fx, struct wf_srtp_replay *r, uint16_t seq)
{
	struct t_rtp h = { .ssrc = 13, .seq = seq, .ext_words = -1 };
	uint8_t p[128];
	size_t n = make_srtp(fx, &h, 20, 0, p, sizeof(p));

	return n ? unprotect_exact(fx, r, p, n, NULL) : -9999;
}

/* A wider window (a publisher's tracks: a resent packet comes behind a
 * key frame's burst) takes a packet up to size - 1 behind the top, once;
 * the bits keep their packets across word boundaries as the top moves;
 * a size that is no multiple of 64 up to the maximum is the default 64. */
static void srtp_wide_window_takes_late_packets_once_up_to_its_size(void)
{
	static const struct { uint16_t size; unsigned width; } sizes[] = {
		{ 0, 64 }, { 128, 128 }, { 1024, 1024 }, { 640, 640 },
		{ 2048, 64 }, { 100, 64 }, { 32, 64 },
	};
	static const unsigned deltas[] = { 1, 2, 63, 64, 65, 127, 128, 129, 639, 640, 1000,
					   1023, 1024, 1025, 1099 };
	const unsigned top = 30000;
	unsigned si, di;
	struct fixture fx;

	WF_REQUIRE(fx_open(&fx, WF_SRTP_AES128_CM_SHA1_80, 0x1a7e) == 0);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		struct wf_srtp_replay r = { .size = sizes[si].size };
		unsigned w = sizes[si].width;

		WF_CHECK_EQ(late_one(&fx, &r, (uint16_t)(top - 1100)), 0);	/* started below */
		WF_CHECK_EQ(late_one(&fx, &r, (uint16_t)top), 0);
		for (di = 0; di < sizeof(deltas) / sizeof(deltas[0]); di++) {
			unsigned d = deltas[di];
			int rc = late_one(&fx, &r, (uint16_t)(top - d));
			int want = d == 1100 ? -WF_SRTP_E_REPLAY : d < w ? 0 : -WF_SRTP_E_TOO_OLD;

			WF_CHECKF(rc == want, "size %u: %u behind: %d, want %d", sizes[si].size, d,
				  rc, want);
			if (rc == 0)	/* once */
				WF_CHECKF(late_one(&fx, &r, (uint16_t)(top - d)) == -WF_SRTP_E_REPLAY,
					  "size %u: %u behind, again", sizes[si].size, d);
		}
		/* the top moves 70 on (a word and a bit): what was d behind is
		 * d + 70 behind, still marked while inside the window */
		WF_CHECK_EQ(late_one(&fx, &r, (uint16_t)(top + 70)), 0);
		for (di = 0; di < sizeof(deltas) / sizeof(deltas[0]); di++) {
			unsigned d = deltas[di] + 70;
			int rc = late_one(&fx, &r, (uint16_t)(top - deltas[di]));
			int want = d < w ? -WF_SRTP_E_REPLAY : -WF_SRTP_E_TOO_OLD;

			WF_CHECKF(rc == want, "size %u: %u behind after the move: %d, want %d",
				  sizes[si].size, d, rc, want);
		}
		/* one never received, 69 behind the new top, is taken where the
		 * window reaches it */
		WF_CHECK_EQ(late_one(&fx, &r, (uint16_t)(top + 1)), 69 < w ? 0 : -WF_SRTP_E_TOO_OLD);
	}
	fx_close(&fx);
}

/* Review (final): the wide window against a plain model (every index ever
 * taken, the top): random steps forward by 1..3, by whole words (64, 128,
 * 960, 1024) and by odd amounts past a word (65, 1023, 1025, 2000), and
 * late packets up to 1,100 behind, some again; each verdict must be the
 * model's (taken once, a replay after, too old from size on). */
static void srtp_wide_window_matches_a_model_under_random_steps(void)
{
	static const unsigned fwd[] = { 1, 1, 2, 3, 64, 128, 960, 1024, 65, 1023, 1025, 2000 };
	static const uint16_t sizes[] = { 1024, 128, 0 };
	struct fixture fx;
	unsigned si;

	WF_REQUIRE(fx_open(&fx, WF_SRTP_AES128_CM_SHA1_80, 0x40de1) == 0);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		static uint8_t seen[65536];
		struct wf_srtp_replay r = { .size = sizes[si] };
		unsigned w = sizes[si] ? sizes[si] : 64, top = 2000, step, bad = 0;
		uint64_t rnd = 0x5eed0 + si;

		memset(seen, 0, sizeof(seen));
		WF_REQUIRE(late_one(&fx, &r, (uint16_t)top) == 0);
		seen[top] = 1;
		for (step = 0; step < 6000 && top < 60000; step++) {
			unsigned seq, d;
			int rc, want;

			rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
			if ((rnd >> 60) < 6) {		/* forward */
				seq = top + fwd[(rnd >> 33) % (sizeof(fwd) / sizeof(fwd[0]))];
			} else {			/* late, up to 1,100 behind */
				d = (unsigned)((rnd >> 33) % 1101);
				if (d > top)
					continue;
				seq = top - d;
			}
			d = seq > top ? 0 : top - seq;
			want = seq > top ? 0 : d >= w ? -WF_SRTP_E_TOO_OLD :
			       seen[seq] ? -WF_SRTP_E_REPLAY : 0;
			rc = late_one(&fx, &r, (uint16_t)seq);
			if (rc != want && bad++ < 5)
				WF_CHECKF(rc == want, "size %u, step %u: seq %u (top %u, %u behind): "
					  "%d, want %d", sizes[si], step, seq, top, d, rc, want);
			if (rc == 0) {
				seen[seq] = 1;
				if (seq > top)
					top = seq;
			}
		}
		WF_CHECKF(bad == 0, "size %u: %u verdicts differ from the model", sizes[si], bad);
	}
	fx_close(&fx);
}

/* A forged packet far ahead must not move the window: if it did, the
 * genuine packets after it would be refused as too old (a one-packet DoS). */
static void srtp_failed_authentication_does_not_advance_replay_state(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct fixture fx;
		struct wf_srtp_replay r = { 0 }, before;
		uint8_t a[128], b[128], forged[128];
		size_t la, lb, lf;
		struct t_rtp h = { .ssrc = 13, .ext_words = -1 };

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0xfa11 + pi) == 0);
		h.seq = 100; la = make_srtp(&fx, &h, 30, 0, a, sizeof(a));
		h.seq = 101; lb = make_srtp(&fx, &h, 30, 0, b, sizeof(b));
		h.seq = 30000; lf = make_srtp(&fx, &h, 30, 0, forged, sizeof(forged));
		WF_REQUIRE(la && lb && lf);
		forged[lf - 1] ^= 0x80;
		WF_CHECK_EQ(unprotect_exact(&fx, &r, a, la, NULL), 0);
		before = r;
		WF_CHECK_EQ(unprotect_exact(&fx, &r, forged, lf, NULL), -WF_SRTP_E_AUTH_FAIL);
		WF_CHECK(memcmp(&before, &r, sizeof(r)) == 0);
		WF_CHECK_EQ(unprotect_exact(&fx, &r, b, lb, NULL), 0);
		/* and a forged first packet leaves a fresh state fresh */
		memset(&r, 0, sizeof(r));
		WF_CHECK_EQ(unprotect_exact(&fx, &r, forged, lf, NULL), -WF_SRTP_E_AUTH_FAIL);
		WF_CHECK(!r.started);
		fx_close(&fx);
	}
}

/* ---- malformed SRTP ------------------------------------------------------ */

static void srtp_rejects_every_truncation(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct fixture fx;
		struct t_rtp h = { .ssrc = 14, .seq = 9, .csrcs = 3, .ext_words = 2 };
		uint8_t pkt[T_PKT_CAP];
		size_t len, n, hl = 12 + 12 + 4 + 8, tag = t_rtp_tag(t_profiles[pi]);

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0x7a11 + pi) == 0);
		len = make_srtp(&fx, &h, 50, 0, pkt, sizeof(pkt));
		WF_REQUIRE(len == hl + 50 + tag);
		for (n = 0; n < len; n++) {
			struct wf_srtp_replay r = { 0 };
			int rc = unprotect_exact(&fx, &r, pkt, n, NULL);

			if (n < WF_RTP_MIN_HEADER)
				WF_CHECKF(rc == -WF_SRTP_E_TOO_SHORT, "%s len %zu: %d", t_pname(fx.v.p), n, rc);
			else if (n < hl + tag)
				WF_CHECKF(rc == -WF_SRTP_E_TOO_SHORT || rc == -WF_SRTP_E_BAD_HEADER,
					  "%s len %zu: %d", t_pname(fx.v.p), n, rc);
			else
				WF_CHECKF(rc == -WF_SRTP_E_AUTH_FAIL, "%s len %zu: %d", t_pname(fx.v.p), n, rc);
			WF_CHECK(!r.started);
		}
		fx_close(&fx);
	}
}

static void srtp_rejects_version_csrc_and_extension_past_the_end(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct fixture fx;
		struct t_rtp h = { .ssrc = 15, .seq = 3, .ext_words = -1 };
		struct wf_srtp_replay r = { 0 };
		uint8_t pkt[T_PKT_CAP], bad[T_PKT_CAP];
		size_t len;
		unsigned v;

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0xbeef + pi) == 0);
		len = make_srtp(&fx, &h, 20, 0, pkt, sizeof(pkt));
		WF_REQUIRE(len);
		for (v = 0; v < 4; v++) {
			if (v == 2)
				continue;
			memcpy(bad, pkt, len);
			bad[0] = (uint8_t)((bad[0] & 0x3f) | v << 6);
			WF_CHECK_EQ(unprotect_exact(&fx, &r, bad, len, NULL), -WF_SRTP_E_BAD_VERSION);
		}
		/* 15 CSRCs = 72 header bytes in a packet of 12 + 20 + tag */
		memcpy(bad, pkt, len);
		bad[0] |= 0x0f;
		WF_CHECK_EQ(unprotect_exact(&fx, &r, bad, len, NULL), -WF_SRTP_E_BAD_HEADER);
		/* X set; the "extension" length read from the payload is 0xffff */
		memcpy(bad, pkt, len);
		bad[0] |= 0x10;
		bad[14] = 0xff;
		bad[15] = 0xff;
		WF_CHECK_EQ(unprotect_exact(&fx, &r, bad, len, NULL), -WF_SRTP_E_BAD_HEADER);
		WF_CHECK(!r.started);
		fx_close(&fx);
	}
}

static void srtp_rejects_oversized_packets_and_small_buffers(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct fixture fx;
		struct t_rtp h = { .ssrc = 16, .seq = 3, .ext_words = -1 };
		struct wf_srtp_replay r = { 0 };
		static uint8_t pkt[WF_SRTP_MAX_PACKET + 64], copy[WF_SRTP_MAX_PACKET + 64];
		size_t len, out_len = 0, tag = t_rtp_tag(t_profiles[pi]);

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0xb16 + pi) == 0);
		len = t_rtp_header(pkt, &h);
		memset(pkt + len, 0x33, sizeof(pkt) - len);
		WF_CHECK_EQ(wf_srtp_unprotect(fx.e, &fx.v.rtp, &r, pkt, WF_SRTP_MAX_PACKET + 1,
					      &out_len, NULL), -WF_SRTP_E_TOO_LONG);
		WF_CHECK_EQ(wf_srtp_protect(fx.e, &fx.v.rtp, 0, pkt, WF_SRTP_MAX_PACKET + 1,
					    sizeof(pkt), &out_len), -WF_SRTP_E_TOO_LONG);
		/* cap one byte short of the tag: refused, nothing written */
		len = 12 + 100;
		memcpy(copy, pkt, sizeof(pkt));
		WF_CHECK_EQ(wf_srtp_protect(fx.e, &fx.v.rtp, 0, pkt, len, len + tag - 1, &out_len),
			    -WF_SRTP_E_NO_ROOM);
		WF_CHECK_MEM(pkt, copy, len + tag);
		WF_CHECK_EQ(wf_srtp_protect(fx.e, &fx.v.rtp, 0, pkt, len, len + tag, &out_len), 0);
		WF_CHECK_EQ(out_len, len + tag);
		WF_CHECK_MEM(pkt + len + tag, copy + len + tag, 16);
		/* a header that is not RTP is refused by the sender too */
		pkt[0] = 0x40;
		WF_CHECK(wf_srtp_protect(fx.e, &fx.v.rtp, 0, pkt, len, sizeof(pkt), &out_len) < 0);
		/* wiped keys are no keys */
		wf_srtp_keys_wipe(&fx.v.rtp);
		pkt[0] = 0x80;
		WF_CHECK(wf_srtp_protect(fx.e, &fx.v.rtp, 0, pkt, len, sizeof(pkt), &out_len) < 0);
		fx_close(&fx);
	}
}

/* ---- SRTCP --------------------------------------------------------------- */

static size_t make_srtcp(struct fixture *fx, uint32_t *index, uint8_t *out, size_t cap,
			 size_t *plain_len)
{
	size_t len = t_rtcp_compound(out, 0x4d617273, 11), out_len = 0;

	if (plain_len)
		*plain_len = len;
	if (wf_srtcp_protect(fx->e, &fx->v.rtcp, index, out, len, cap, &out_len) != 0)
		return 0;
	return out_len;
}

static void srtcp_rejects_tampering_anywhere(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct fixture fx;
		struct wf_srtp_replay r = { 0 };
		uint8_t pkt[T_PKT_CAP];
		uint32_t index = 1;
		size_t len, i;

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0xc7a + pi) == 0);
		len = make_srtcp(&fx, &index, pkt, sizeof(pkt), NULL);
		WF_REQUIRE(len);
		for (i = 1; i < len; i++) {
			int rc;

			pkt[i] ^= 0x04;
			rc = srtcp_unprotect_exact(&fx, &r, pkt, len);
			WF_CHECKF(rc == -WF_SRTP_E_AUTH_FAIL, "%s byte %zu: %d (%s)", t_pname(fx.v.p),
				  i, rc, wf_srtp_strerror(rc));
			pkt[i] ^= 0x04;
		}
		WF_CHECK(!r.started);
		WF_CHECK_EQ(srtcp_unprotect_exact(&fx, &r, pkt, len), 0);
		fx_close(&fx);
	}
}

/* The E bit is covered by the tag (RFC 3711 §3.4 authenticated portion;
 * RFC 7714 §9.2 AAD), so clearing it on an encrypted packet (to get the
 * receiver to hand ciphertext up as plaintext) fails authentication.  A
 * genuine E = 0 packet is accepted: see test_srtp_oracle.c. */
static void srtcp_rejects_flipped_e_bit(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct fixture fx;
		struct wf_srtp_replay r = { 0 };
		uint8_t pkt[T_PKT_CAP];
		uint32_t index = 77;
		size_t len, plain, at;

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0xeb17 + pi) == 0);
		len = make_srtcp(&fx, &index, pkt, sizeof(pkt), &plain);
		WF_REQUIRE(len);
		at = fx.v.p >= WF_SRTP_AEAD_AES_128_GCM ? len - 4 : plain;
		WF_REQUIRE(pkt[at] & 0x80);
		pkt[at] &= 0x7f;
		WF_CHECK_EQ(srtcp_unprotect_exact(&fx, &r, pkt, len), -WF_SRTP_E_AUTH_FAIL);
		WF_CHECK(!r.started);
		fx_close(&fx);
	}
}

static void srtcp_rejects_replayed_and_too_old_index(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		static uint8_t pkts[70][160];
		size_t lens[70];
		struct fixture fx;
		struct wf_srtp_replay r = { 0 };
		uint32_t index = 1000;
		unsigned i;

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0x1d0 + pi) == 0);
		for (i = 0; i < 70; i++) {
			lens[i] = make_srtcp(&fx, &index, pkts[i], sizeof(pkts[i]), NULL);
			WF_REQUIRE(lens[i]);
		}
		WF_CHECK_EQ(index, 1070);
		WF_CHECK_EQ(srtcp_unprotect_exact(&fx, &r, pkts[69], lens[69]), 0);
		WF_CHECK_EQ(srtcp_unprotect_exact(&fx, &r, pkts[69], lens[69]), -WF_SRTP_E_REPLAY);
		WF_CHECK_EQ(srtcp_unprotect_exact(&fx, &r, pkts[69 - 63], lens[69 - 63]), 0);
		WF_CHECK_EQ(srtcp_unprotect_exact(&fx, &r, pkts[69 - 63], lens[69 - 63]), -WF_SRTP_E_REPLAY);
		WF_CHECK_EQ(srtcp_unprotect_exact(&fx, &r, pkts[69 - 64], lens[69 - 64]), -WF_SRTP_E_TOO_OLD);
		WF_CHECK_EQ(srtcp_unprotect_exact(&fx, &r, pkts[30], lens[30]), 0);
		WF_CHECK_EQ(r.top, 1069);
		fx_close(&fx);
	}
}

static void srtcp_rejects_every_truncation(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct fixture fx;
		uint8_t pkt[T_PKT_CAP];
		uint32_t index = 5;
		size_t len, n, min = 8 + 4 + t_rtcp_tag(t_profiles[pi]);

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0x7c + pi) == 0);
		len = make_srtcp(&fx, &index, pkt, sizeof(pkt), NULL);
		WF_REQUIRE(len);
		for (n = 0; n < len; n++) {
			struct wf_srtp_replay r = { 0 };
			int rc = srtcp_unprotect_exact(&fx, &r, pkt, n);

			if (n < min)
				WF_CHECKF(rc == -WF_SRTP_E_TOO_SHORT, "%s len %zu: %d", t_pname(fx.v.p), n, rc);
			else
				WF_CHECKF(rc == -WF_SRTP_E_AUTH_FAIL, "%s len %zu: %d", t_pname(fx.v.p), n, rc);
			WF_CHECK(!r.started);
		}
		/* version 1 */
		pkt[0] = (uint8_t)((pkt[0] & 0x3f) | 0x40);
		{
			struct wf_srtp_replay r = { 0 };

			WF_CHECK_EQ(srtcp_unprotect_exact(&fx, &r, pkt, len), -WF_SRTP_E_BAD_VERSION);
		}
		fx_close(&fx);
	}
}

/* RFC 3711 §3.4: the SRTCP index is 31 bits; at 2^31 - 1 the sender has
 * used the last one and must refuse the next (a new master key is due). */
static void srtcp_sender_stops_at_index_limit(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct fixture fx;
		struct wf_srtp_replay r = { 0 };
		uint8_t pkt[T_PKT_CAP], copy[T_PKT_CAP];
		uint32_t index = 0x7fffffffu;
		size_t len, plain, out_len = 12345, at;

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0x1e + pi) == 0);
		len = make_srtcp(&fx, &index, pkt, sizeof(pkt), &plain);
		WF_CHECKF(len, "%s: index 2^31-1 refused", t_pname(fx.v.p));
		WF_CHECK_EQ(index, 0x80000000u);
		if (len) {
			at = fx.v.p >= WF_SRTP_AEAD_AES_128_GCM ? len - 4 : plain;
			WF_CHECK_EQ(t_get32(pkt + at), 0xffffffffu);
			WF_CHECK_EQ(srtcp_unprotect_exact(&fx, &r, pkt, len), 0);
			WF_CHECK_EQ(r.top, 0x7fffffffu);
		}
		plain = t_rtcp_compound(pkt, 0x4d617273, 11);
		memcpy(copy, pkt, sizeof(pkt));
		WF_CHECK_EQ(wf_srtcp_protect(fx.e, &fx.v.rtcp, &index, pkt, plain, sizeof(pkt), &out_len),
			    -WF_SRTP_E_INDEX_LIMIT);
		WF_CHECK_EQ(index, 0x80000000u);
		WF_CHECK_MEM(pkt, copy, sizeof(pkt));
		index = 0xffffffffu;
		WF_CHECK_EQ(wf_srtcp_protect(fx.e, &fx.v.rtcp, &index, pkt, plain, sizeof(pkt), &out_len),
			    -WF_SRTP_E_INDEX_LIMIT);
		/* SRTP keys are not SRTCP keys */
		index = 1;
		WF_CHECK(wf_srtcp_protect(fx.e, &fx.v.rtp, &index, pkt, plain, sizeof(pkt), &out_len) < 0);
		WF_CHECK_EQ(index, 1);
		fx_close(&fx);
	}
}

static void srtcp_protect_rejects_short_packets_and_small_buffers(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct fixture fx;
		uint8_t pkt[T_PKT_CAP], copy[T_PKT_CAP];
		uint32_t index = 1;
		size_t plain, n, out_len = 0, trailer = 4 + t_rtcp_tag(t_profiles[pi]);

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0x5c + pi) == 0);
		plain = t_rtcp_compound(pkt, 0x4d617273, 11);
		for (n = 0; n < WF_RTCP_MIN_HEADER; n++)
			WF_CHECK_EQ(wf_srtcp_protect(fx.e, &fx.v.rtcp, &index, pkt, n, sizeof(pkt), &out_len),
				    -WF_SRTP_E_TOO_SHORT);
		memcpy(copy, pkt, sizeof(pkt));
		WF_CHECK_EQ(wf_srtcp_protect(fx.e, &fx.v.rtcp, &index, pkt, plain, plain + trailer - 1,
					     &out_len), -WF_SRTP_E_NO_ROOM);
		WF_CHECK_MEM(pkt, copy, sizeof(pkt));
		WF_CHECK_EQ(index, 1);
		fx_close(&fx);
	}
}

/* Found by tests/fuzz/fuzz_srtp.c (corpus/srtp/crash-srtcp-protect-longer-
 * than-unprotect-takes): SRTCP protect checked the plaintext against
 * WF_SRTP_MAX_PACKET, not what it writes, so it made packets of up to
 * WF_SRTP_MAX_PACKET + 20 bytes that wf_srtcp_unprotect() refuses as too
 * long.  As for SRTP, the protected packet must fit in WF_SRTP_MAX_PACKET. */
static void srtcp_protect_makes_nothing_unprotect_refuses(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct fixture fx;
		struct wf_srtp_replay r = { 0 };
		uint8_t pkt[T_PKT_CAP], copy[T_PKT_CAP];
		uint32_t index = 1;
		size_t trailer = 4 + t_rtcp_tag(t_profiles[pi]), len, out_len = 0;

		WF_REQUIRE(fx_open(&fx, t_profiles[pi], 0x7a + pi) == 0);
		/* An RR whose length word covers the whole packet. */
		len = WF_SRTP_MAX_PACKET - trailer;
		memset(pkt, 0xa5, sizeof(pkt));
		pkt[0] = 0x80;
		pkt[1] = 201;
		wf_rtp_wr16(pkt + 2, (uint16_t)(len / 4 - 1));
		memcpy(copy, pkt, sizeof(pkt));
		WF_CHECK_EQ(wf_srtcp_protect(fx.e, &fx.v.rtcp, &index, pkt, len, sizeof(pkt),
					     &out_len), 0);
		WF_CHECK_EQ(out_len, WF_SRTP_MAX_PACKET);
		WF_CHECK_EQ(wf_srtcp_unprotect(fx.e, &fx.v.rtcp, &r, pkt, out_len, &out_len), 0);
		WF_CHECK_EQ(out_len, len);
		WF_CHECK_MEM(pkt, copy, len);
		/* One word more would not unprotect: refused, nothing changed. */
		wf_rtp_wr16(copy + 2, (uint16_t)(len / 4));
		memcpy(pkt, copy, sizeof(pkt));
		WF_CHECK_EQ(wf_srtcp_protect(fx.e, &fx.v.rtcp, &index, pkt, len + 4, sizeof(pkt),
					     &out_len), -WF_SRTP_E_TOO_LONG);
		WF_CHECK_MEM(pkt, copy, sizeof(pkt));
		WF_CHECK_EQ(index, 2);
		fx_close(&fx);
	}
}

/* ---- key derivation arguments ------------------------------------------- */

static void keys_derive_rejects_wrong_lengths_and_profiles(void)
{
	struct wf_srtp_engine *e = t_engine();
	static struct wf_srtp_keys k;
	uint8_t mk[64] = { 1 }, ms[64] = { 2 };
	unsigned pi;

	WF_REQUIRE(e);
	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		enum wf_srtp_profile p = t_profiles[pi];
		size_t kl = t_key_len(p), sl = t_salt_len(p);

		WF_CHECK_EQ(wf_srtp_keys_derive(e, &k, p, WF_SRTP_KIND_RTP, mk, kl, ms, sl), 0);
		WF_CHECK_EQ(wf_srtp_keys_profile(&k), p);
		WF_CHECK_EQ(wf_srtp_keys_derive(e, &k, p, WF_SRTP_KIND_RTP, mk, kl - 1, ms, sl),
			    -WF_SRTP_E_BAD_PARAM);
		WF_CHECK_EQ(wf_srtp_keys_derive(e, &k, p, WF_SRTP_KIND_RTP, mk, kl + 1, ms, sl),
			    -WF_SRTP_E_BAD_PARAM);
		WF_CHECK_EQ(wf_srtp_keys_derive(e, &k, p, WF_SRTP_KIND_RTP, mk, kl, ms, sl - 1),
			    -WF_SRTP_E_BAD_PARAM);
		WF_CHECK_EQ(wf_srtp_keys_derive(e, &k, p, WF_SRTP_KIND_RTP, mk, kl, ms, sl + 1),
			    -WF_SRTP_E_BAD_PARAM);
		WF_CHECK_EQ(wf_srtp_keys_derive(e, &k, p, (enum wf_srtp_kind)2, mk, kl, ms, sl),
			    -WF_SRTP_E_BAD_PARAM);
		WF_CHECK_EQ(wf_srtp_keys_derive(e, &k, p, WF_SRTP_KIND_RTP, NULL, kl, ms, sl),
			    -WF_SRTP_E_BAD_PARAM);
	}
	WF_CHECK_EQ(wf_srtp_keys_derive(e, &k, WF_SRTP_PROFILE_COUNT, WF_SRTP_KIND_RTP, mk, 16, ms, 14),
		    -WF_SRTP_E_BAD_PARAM);
	WF_CHECK_EQ(wf_srtp_keys_derive(e, &k, (enum wf_srtp_profile)-1, WF_SRTP_KIND_RTP, mk, 16, ms, 14),
		    -WF_SRTP_E_BAD_PARAM);
	wf_srtp_engine_free(e);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(rtp_header_len_parses_every_csrc_count_and_extension);
	WF_RUN(rtp_header_len_rejects_every_truncation);
	WF_RUN(rtp_header_len_rejects_version_other_than_2);
	WF_RUN(rtp_header_len_rejects_counts_and_lengths_past_the_end);
	WF_RUN(srtp_rejects_tampered_tag);
	WF_RUN(srtp_rejects_tampered_payload);
	WF_RUN(srtp_rejects_tampered_header_including_ssrc);
	WF_RUN(srtp_rejects_wrong_key);
	WF_RUN(srtp_failed_unprotect_leaves_packet_bytes_unchanged);
	WF_RUN(srtp_rejects_replayed_packet);
	WF_RUN(srtp_accepts_out_of_order_inside_window_once);
	WF_RUN(srtp_rejects_packet_older_than_64_packet_window);
	WF_RUN(srtp_wide_window_takes_late_packets_once_up_to_its_size);
	WF_RUN(srtp_wide_window_matches_a_model_under_random_steps);
	WF_RUN(srtp_failed_authentication_does_not_advance_replay_state);
	WF_RUN(srtp_rejects_every_truncation);
	WF_RUN(srtp_rejects_version_csrc_and_extension_past_the_end);
	WF_RUN(srtp_rejects_oversized_packets_and_small_buffers);
	WF_RUN(srtcp_rejects_tampering_anywhere);
	WF_RUN(srtcp_rejects_flipped_e_bit);
	WF_RUN(srtcp_rejects_replayed_and_too_old_index);
	WF_RUN(srtcp_rejects_every_truncation);
	WF_RUN(srtcp_sender_stops_at_index_limit);
	WF_RUN(srtcp_protect_rejects_short_packets_and_small_buffers);
	WF_RUN(srtcp_protect_makes_nothing_unprotect_refuses);
	WF_RUN(keys_derive_rejects_wrong_lengths_and_profiles);
	return wf_test_done();
}
