/* test_rtcp.c: RTCP compound walking, report/SDES/BYE/feedback parsing,
 * builders and their round trips, NTP helpers. */
#include <errno.h>

#include "rtp/rtcp.h"
#include "rtp_testlib.h"

static const struct wf_rtcp_report t_blocks[2] = {
	{ .ssrc = 0x11111111, .fraction_lost = 25, .cumulative_lost = -5,
	  .ext_highest_seq = 0x0002fff0, .jitter = 123, .lsr = 0x89abcdef,
	  .dlsr = 0x00018000 },
	{ .ssrc = 0x22222222, .fraction_lost = 255, .cumulative_lost = 0x7fffff,
	  .ext_highest_seq = 7, .jitter = 0, .lsr = 0, .dlsr = 0 },
};

static const struct wf_rtcp_sender_info t_si = {
	.ntp = 0xe3b0c44298fc1c14ull, .rtp_ts = 0x01020304,
	.packet_count = 1000, .octet_count = 1200000,
};

/* Walks a heap copy of exactly len bytes and returns validate's answer. */
static int validate_exact(const uint8_t *p, size_t len)
{
	uint8_t *q = t_exact(p, len);
	int rc = wf_rtcp_validate(q, len);

	free(q);
	return rc;
}

/* The single sub-packet of p[0..len); 1 on success. */
static int one_pkt(const uint8_t *p, size_t len, struct wf_rtcp_pkt *pkt)
{
	struct wf_rtcp_iter it;

	wf_rtcp_iter_init(&it, p, len);
	return wf_rtcp_next(&it, pkt);
}

static void check_report_eq(const struct wf_rtcp_report *a, const struct wf_rtcp_report *b)
{
	WF_CHECK_EQ(a->ssrc, b->ssrc);
	WF_CHECK_EQ(a->fraction_lost, b->fraction_lost);
	WF_CHECK_EQ(a->cumulative_lost, b->cumulative_lost);
	WF_CHECK_EQ(a->ext_highest_seq, b->ext_highest_seq);
	WF_CHECK_EQ(a->jitter, b->jitter);
	WF_CHECK_EQ(a->lsr, b->lsr);
	WF_CHECK_EQ(a->dlsr, b->dlsr);
}

static void rtcp_sr_and_cname_compound_round_trips(void)
{
	uint8_t buf[256];
	int a, b, rc;
	struct wf_rtcp_iter it;
	struct wf_rtcp_pkt pkt;
	struct wf_rtcp_rpt r;
	struct wf_rtcp_report rb;
	const uint8_t *cname;
	uint8_t cname_len;
	uint32_t ssrc;
	unsigned i;

	a = wf_rtcp_build_sr(buf, sizeof(buf), 0xcafe0001, &t_si, t_blocks, 2);
	WF_REQUIRE(a == 28 + 2 * 24);
	b = wf_rtcp_build_sdes_cname(buf + a, sizeof(buf) - (size_t)a, 0xcafe0001,
				     "whepfan@example", 15);
	WF_REQUIRE(b > 0);
	WF_CHECK_EQ(validate_exact(buf, (size_t)(a + b)), 2);

	wf_rtcp_iter_init(&it, buf, (size_t)(a + b));
	WF_REQUIRE(wf_rtcp_next(&it, &pkt) == 1);
	WF_CHECK_EQ(pkt.pt, WF_RTCP_SR);
	WF_CHECK_EQ(pkt.len, a);
	WF_CHECK_EQ(wf_rtcp_classify(&pkt), WF_RTCP_KIND_SR);
	WF_REQUIRE(wf_rtcp_parse_report(&pkt, &r) == 0);
	WF_CHECK(r.is_sr);
	WF_CHECK_EQ(r.ssrc, 0xcafe0001);
	WF_CHECK(r.si.ntp == t_si.ntp);
	WF_CHECK_EQ(r.si.rtp_ts, t_si.rtp_ts);
	WF_CHECK_EQ(r.si.packet_count, t_si.packet_count);
	WF_CHECK_EQ(r.si.octet_count, t_si.octet_count);
	WF_REQUIRE(r.rc == 2);
	for (i = 0; i < 2; i++) {
		wf_rtcp_report_block(&r, i, &rb);
		check_report_eq(&rb, &t_blocks[i]);
	}
	WF_REQUIRE(wf_rtcp_next(&it, &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_classify(&pkt), WF_RTCP_KIND_SDES);
	rc = wf_rtcp_parse_sdes_cname(&pkt, &ssrc, &cname, &cname_len);
	WF_CHECK_EQ(rc, 1);
	WF_CHECK_EQ(ssrc, 0xcafe0001);
	WF_CHECK(cname_len == 15 && memcmp(cname, "whepfan@example", 15) == 0);
	WF_CHECK_EQ(wf_rtcp_next(&it, &pkt), 0);
	WF_CHECK_EQ(wf_rtcp_parse_report(&pkt, &r), -WF_RTCP_WRONG_TYPE);
}

static void rtcp_rr_round_trips_with_zero_to_31_blocks(void)
{
	static struct wf_rtcp_report in[WF_RTCP_MAX_REPORTS];
	uint8_t buf[8 + 31 * 24];
	unsigned n, i;

	for (i = 0; i < WF_RTCP_MAX_REPORTS; i++) {
		in[i] = t_blocks[i & 1];
		in[i].ssrc += i;
		in[i].cumulative_lost = (int32_t)i * 1000 - 15000;
	}
	for (n = 0; n <= WF_RTCP_MAX_REPORTS; n++) {
		struct wf_rtcp_pkt pkt;
		struct wf_rtcp_rpt r;
		struct wf_rtcp_report rb;
		int len = wf_rtcp_build_rr(buf, sizeof(buf), 0x5eed, in, n);

		WF_REQUIRE(len == (int)(8 + 24 * n));
		WF_REQUIRE(one_pkt(buf, (size_t)len, &pkt) == 1);
		WF_REQUIRE(wf_rtcp_parse_report(&pkt, &r) == 0);
		WF_CHECK(!r.is_sr);
		WF_CHECK_EQ(r.rc, n);
		WF_CHECK_EQ(r.ssrc, 0x5eed);
		for (i = 0; i < n; i++) {
			wf_rtcp_report_block(&r, i, &rb);
			check_report_eq(&rb, &in[i]);
		}
	}
	WF_CHECK_EQ(wf_rtcp_build_rr(buf, sizeof(buf), 1, in, 32), -WF_RTCP_BAD_PARAM);
	WF_CHECK_EQ(wf_rtcp_build_sr(buf, sizeof(buf), 1, &t_si, in, 32), -WF_RTCP_BAD_PARAM);
}

static void rtcp_cumulative_lost_is_clamped_to_signed_24_bits(void)
{
	uint8_t buf[64];
	struct wf_rtcp_report in = t_blocks[0], out;
	struct wf_rtcp_pkt pkt;
	struct wf_rtcp_rpt r;

	in.cumulative_lost = 10000000;
	WF_REQUIRE(wf_rtcp_build_rr(buf, sizeof(buf), 1, &in, 1) == 32);
	WF_REQUIRE(one_pkt(buf, 32, &pkt) == 1 && wf_rtcp_parse_report(&pkt, &r) == 0);
	wf_rtcp_report_block(&r, 0, &out);
	WF_CHECK_EQ(out.cumulative_lost, 0x7fffff);
	WF_CHECK_EQ(out.fraction_lost, in.fraction_lost);	/* not overwritten */
	in.cumulative_lost = -9000000;
	WF_REQUIRE(wf_rtcp_build_rr(buf, sizeof(buf), 1, &in, 1) == 32);
	WF_REQUIRE(one_pkt(buf, 32, &pkt) == 1 && wf_rtcp_parse_report(&pkt, &r) == 0);
	wf_rtcp_report_block(&r, 0, &out);
	WF_CHECK_EQ(out.cumulative_lost, -0x800000);
	WF_CHECK_EQ(out.fraction_lost, in.fraction_lost);
	WF_CHECK_EQ(buf[13], 0x80);		/* 24-bit two's complement */
}

static void rtcp_sdes_cname_of_every_length_round_trips(void)
{
	uint8_t buf[300];
	char name[256];
	size_t n;

	for (n = 0; n < sizeof(name); n++) name[n] = (char)('a' + n % 26);
	for (n = 1; n <= 255; n++) {
		struct wf_rtcp_pkt pkt;
		const uint8_t *c;
		uint8_t cl;
		uint32_t ssrc;
		int len = wf_rtcp_build_sdes_cname(buf, sizeof(buf), 0xabc, name, n);

		WF_REQUIRE(len > 0);
		WF_CHECK_EQ(len % 4, 0);
		WF_CHECK((size_t)len >= 8 + 2 + n + 1);	/* a null item fits */
		WF_CHECK((size_t)len <= 8 + 2 + n + 4);
		WF_CHECK_EQ(buf[8 + 2 + n], 0);
		WF_REQUIRE(one_pkt(buf, (size_t)len, &pkt) == 1);
		WF_REQUIRE(wf_rtcp_parse_sdes_cname(&pkt, &ssrc, &c, &cl) == 1);
		WF_CHECK(cl == n && memcmp(c, name, n) == 0 && ssrc == 0xabc);
		WF_CHECK_EQ(wf_rtcp_build_sdes_cname(buf, (size_t)len - 1, 0xabc, name, n),
			    -WF_RTCP_NO_ROOM);
	}
	WF_CHECK_EQ(wf_rtcp_build_sdes_cname(buf, sizeof(buf), 1, name, 0), -WF_RTCP_BAD_PARAM);
	WF_CHECK_EQ(wf_rtcp_build_sdes_cname(buf, sizeof(buf), 1, name, 256), -WF_RTCP_BAD_PARAM);
}

static void rtcp_sdes_hostile_items_are_rejected(void)
{
	/* header (count 1, length 3), SSRC, CNAME item of length 4 "abcd",
	 * null item, padding. */
	uint8_t ok[16] = { 0x81, 202, 0, 3, 0, 0, 0, 9, 1, 4, 'a', 'b', 'c', 'd', 0, 0 };
	uint8_t p[16];
	struct wf_rtcp_pkt pkt;
	const uint8_t *c;
	uint8_t cl;
	uint32_t ssrc;

	memcpy(p, ok, sizeof(p));
	WF_REQUIRE(one_pkt(p, 16, &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_parse_sdes_cname(&pkt, &ssrc, &c, &cl), 1);
	p[9] = 6;					/* item length past the end */
	WF_REQUIRE(one_pkt(p, 16, &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_parse_sdes_cname(&pkt, &ssrc, &c, &cl), -WF_RTCP_TRUNCATED);
	p[9] = 5;					/* eats the null item */
	p[14] = 'e';
	p[15] = 'f';					/* no null item left */
	WF_REQUIRE(one_pkt(p, 16, &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_parse_sdes_cname(&pkt, &ssrc, &c, &cl), -WF_RTCP_TRUNCATED);
	memcpy(p, ok, sizeof(p));
	p[0] = 0x82;					/* two chunks claimed, one there */
	WF_REQUIRE(one_pkt(p, 16, &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_parse_sdes_cname(&pkt, &ssrc, &c, &cl), -WF_RTCP_TRUNCATED);
	memcpy(p, ok, sizeof(p));
	p[8] = 2;					/* a NAME item, no CNAME */
	WF_REQUIRE(one_pkt(p, 16, &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_parse_sdes_cname(&pkt, &ssrc, &c, &cl), 0);
	p[0] = 0x80;					/* zero chunks */
	WF_REQUIRE(one_pkt(p, 16, &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_parse_sdes_cname(&pkt, &ssrc, &c, &cl), 0);
}

static void rtcp_sdes_finds_cname_in_a_later_aligned_chunk(void)
{
	/* Chunk 1: SSRC 1, NAME "ab" (4 bytes), null at offset 8 of the chunk
	 * then 3 zero bytes to the boundary.  Chunk 2: SSRC 2, CNAME "xyz",
	 * null.  RFC 3550 §6.5: each chunk starts on a 32-bit boundary. */
	uint8_t p[32] = { 0x82, 202, 0, 6,
			  0, 0, 0, 1, 2, 2, 'a', 'b', 0, 0, 0, 0,
			  0, 0, 0, 2, 1, 3, 'x', 'y', 'z', 0, 0, 0 };
	struct wf_rtcp_pkt pkt;
	const uint8_t *c;
	uint8_t cl;
	uint32_t ssrc = 0;

	WF_REQUIRE(one_pkt(p, 28, &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_parse_sdes_cname(&pkt, &ssrc, &c, &cl), 1);
	WF_CHECK_EQ(ssrc, 2);
	WF_CHECK(cl == 3 && memcmp(c, "xyz", 3) == 0);
}

static void rtcp_every_truncation_of_a_compound_is_rejected(void)
{
	uint8_t buf[512];
	uint16_t seqs[] = { 10, 12, 40, 41, 65535, 0 };
	size_t ends[3], full, cut;
	int n;

	n = wf_rtcp_build_sr(buf, sizeof(buf), 1, &t_si, t_blocks, 2);
	WF_REQUIRE(n > 0);
	ends[0] = (size_t)n;
	n = wf_rtcp_build_sdes_cname(buf + ends[0], sizeof(buf) - ends[0], 1, "x", 1);
	WF_REQUIRE(n > 0);
	ends[1] = ends[0] + (size_t)n;
	n = wf_rtcp_build_nack(buf + ends[1], sizeof(buf) - ends[1], 1, 2, seqs, 6);
	WF_REQUIRE(n > 0);
	ends[2] = full = ends[1] + (size_t)n;
	WF_CHECK_EQ(validate_exact(buf, full), 3);
	for (cut = 0; cut < full; cut++) {
		int rc = validate_exact(buf, cut);
		size_t start = cut < ends[0] ? 0 : cut < ends[1] ? ends[0] : ends[1];

		if (cut == 0) { WF_CHECK_EQ(rc, -WF_RTCP_TOO_SHORT); continue; }
		if (cut == ends[0]) { WF_CHECK_EQ(rc, 1); continue; }
		if (cut == ends[1]) { WF_CHECK_EQ(rc, 2); continue; }
		if (cut - start < 4)
			WF_CHECKF(rc == -WF_RTCP_TOO_SHORT, "cut %zu rc %d", cut, rc);
		else
			WF_CHECKF(rc == -WF_RTCP_BAD_LENGTH, "cut %zu rc %d", cut, rc);
	}
}

static void rtcp_typed_parsers_reject_short_bodies(void)
{
	/* A sub-packet's length word may be honest yet too small for what its
	 * type and count need: every length from 0 words up. */
	/* need: body bytes for a valid parse; step: FCI entry size when the
	 * FCI must be whole entries (FIR), else 0. */
	static const struct { uint8_t b0, pt; size_t need, step; } cases[] = {
		{ 0x80, WF_RTCP_RR, 4, 0 }, { 0x81, WF_RTCP_RR, 28, 0 },
		{ 0x80, WF_RTCP_SR, 24, 0 }, { 0x82, WF_RTCP_SR, 72, 0 },
		{ 0x81, WF_RTCP_PSFB, 8, 0 }, { 0x84, WF_RTCP_PSFB, 16, 8 },
		{ 0x81, WF_RTCP_RTPFB, 12, 0 }, { 0x83, WF_RTCP_BYE, 12, 0 },
	};
	size_t c, words;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (words = 0; words * 4 < cases[c].need + 8; words++) {
			uint8_t p[128] = { 0 };
			uint8_t *q;
			struct wf_rtcp_pkt pkt;
			struct wf_rtcp_rpt r;
			struct wf_rtcp_fb fb;
			struct wf_rtcp_bye bye;
			struct wf_rtcp_fir_entry fe[4];
			uint16_t s[64];
			size_t len = 4 + 4 * words;
			int rc, want_ok = words * 4 >= cases[c].need &&
				(!cases[c].step || (words * 4 - 8) % cases[c].step == 0);

			p[0] = cases[c].b0;
			p[1] = cases[c].pt;
			wf_rtp_wr16(p + 2, (uint16_t)words);
			q = t_exact(p, len);
			WF_REQUIRE(one_pkt(q, len, &pkt) == 1);
			if (cases[c].pt == WF_RTCP_RR || cases[c].pt == WF_RTCP_SR)
				rc = wf_rtcp_parse_report(&pkt, &r);
			else if (cases[c].pt == WF_RTCP_BYE)
				rc = wf_rtcp_parse_bye(&pkt, &bye);
			else if (cases[c].pt == WF_RTCP_RTPFB)
				rc = wf_rtcp_parse_nack(&pkt, &fb, s, 64);
			else if ((cases[c].b0 & 0x1f) == WF_RTCP_FMT_FIR)
				rc = wf_rtcp_parse_fir(&pkt, &fb, fe, 4);
			else
				rc = wf_rtcp_parse_pli(&pkt, &fb);
			free(q);
			if (want_ok)
				WF_CHECKF(rc >= 0, "case %zu words %zu rc %d", c, words, rc);
			else
				WF_CHECKF(rc == -WF_RTCP_TRUNCATED, "case %zu words %zu rc %d",
					  c, words, rc);
		}
	}
}

static void rtcp_hostile_length_words_and_versions_are_rejected(void)
{
	uint8_t p[64] = { 0 };
	struct wf_rtcp_iter it;
	struct wf_rtcp_pkt pkt;
	int len;

	len = wf_rtcp_build_pli(p, sizeof(p), 1, 2);
	WF_REQUIRE(len == 12);
	wf_rtp_wr16(p + 2, 0xffff);				/* 256 KiB claimed */
	WF_CHECK_EQ(validate_exact(p, 12), -WF_RTCP_BAD_LENGTH);
	wf_rtp_wr16(p + 2, 3);				/* one word too many */
	WF_CHECK_EQ(validate_exact(p, 12), -WF_RTCP_BAD_LENGTH);
	wf_rtp_wr16(p + 2, 0);				/* header only: walkable */
	WF_CHECK_EQ(validate_exact(p, 4), 1);
	WF_REQUIRE(one_pkt(p, 4, &pkt) == 1);
	WF_CHECK_EQ(pkt.body_len, 0);
	{
		struct wf_rtcp_fb fb;

		WF_CHECK_EQ(wf_rtcp_parse_pli(&pkt, &fb), -WF_RTCP_TRUNCATED);
	}
	/* A 12-byte packet, then two header-only ones. */
	wf_rtp_wr16(p + 2, 2);
	memcpy(p + 12, p, 4);
	wf_rtp_wr16(p + 14, 0);
	memcpy(p + 16, p + 12, 4);
	WF_CHECK_EQ(validate_exact(p, 20), 3);
	p[0] = 0x41;					/* version 1 */
	WF_CHECK_EQ(validate_exact(p, 20), -WF_RTCP_BAD_VERSION);
	p[0] = 0x81;
	p[16] = 0xc1;					/* version 3 in the last */
	wf_rtcp_iter_init(&it, p, 20);
	WF_CHECK_EQ(wf_rtcp_next(&it, &pkt), 1);
	WF_CHECK_EQ(wf_rtcp_next(&it, &pkt), 1);
	WF_CHECK_EQ(wf_rtcp_next(&it, &pkt), -WF_RTCP_BAD_VERSION);
	WF_CHECK_EQ(wf_rtcp_next(&it, &pkt), 0);	/* stays at the end */
	WF_CHECK_EQ(validate_exact(p, 0), -WF_RTCP_TOO_SHORT);
	WF_CHECK_EQ(validate_exact(p, 3), -WF_RTCP_TOO_SHORT);
}

static void rtcp_padding_is_removed_or_rejected(void)
{
	uint8_t p[32];
	struct wf_rtcp_pkt pkt;
	struct wf_rtcp_fb fb;
	int len = wf_rtcp_build_pli(p, sizeof(p), 7, 8);

	WF_REQUIRE(len == 12);
	/* Add 4 bytes of padding: P bit, length + 1 word, count 4. */
	p[0] |= 0x20;
	wf_rtp_wr16(p + 2, 3);
	memset(p + 12, 0, 4);
	p[15] = 4;
	WF_REQUIRE(one_pkt(p, 16, &pkt) == 1);
	WF_CHECK_EQ(pkt.pad_len, 4);
	WF_CHECK_EQ(pkt.body_len, 8);
	WF_CHECK_EQ(wf_rtcp_parse_pli(&pkt, &fb), 0);
	WF_CHECK_EQ(fb.media_ssrc, 8);
	WF_CHECK_EQ(fb.fci_len, 0);
	p[15] = 0;
	WF_CHECK_EQ(validate_exact(p, 16), -WF_RTCP_BAD_PADDING);
	p[15] = 13;					/* into the header */
	WF_CHECK_EQ(validate_exact(p, 16), -WF_RTCP_BAD_PADDING);
	p[15] = 12;					/* eats the whole body */
	WF_REQUIRE(one_pkt(p, 16, &pkt) == 1);
	WF_CHECK_EQ(pkt.body_len, 0);
	WF_CHECK_EQ(wf_rtcp_parse_pli(&pkt, &fb), -WF_RTCP_TRUNCATED);
	/* P on a header-only packet: the count byte is the header's own. */
	{
		uint8_t h[4] = { 0xa0, 203, 0, 0 };

		WF_CHECK_EQ(validate_exact(h, 4), -WF_RTCP_BAD_PADDING);
	}
}

/* Builds a NACK for seqs, parses it back and checks the same list. */
static int nack_round_trip(const uint16_t *seqs, size_t n, size_t *fcis)
{
	static uint8_t buf[12 + 4 * 4096];
	uint16_t out[4096];
	struct wf_rtcp_pkt pkt;
	struct wf_rtcp_fb fb;
	uint8_t *q;
	int len, got;

	len = wf_rtcp_build_nack(buf, sizeof(buf), 0xaaaa, 0xbbbb, seqs, n);
	if (len < 0) return len;
	*fcis = ((size_t)len - 12) / 4;
	q = t_exact(buf, (size_t)len);
	if (one_pkt(q, (size_t)len, &pkt) != 1) { free(q); return -1; }
	WF_CHECK_EQ(wf_rtcp_classify(&pkt), WF_RTCP_KIND_NACK);
	got = wf_rtcp_parse_nack(&pkt, &fb, out, 4096);
	free(q);
	WF_CHECK_EQ(fb.sender_ssrc, 0xaaaa);
	WF_CHECK_EQ(fb.media_ssrc, 0xbbbb);
	if (got != (int)n) return -2;
	return memcmp(out, seqs, n * sizeof(out[0])) == 0 ? 0 : -3;
}

static void nack_round_trips_with_gaps_and_wrap(void)
{
	uint16_t one[] = { 500 };
	uint16_t run17[17];
	uint16_t gaps[] = { 100, 101, 116, 117, 140, 200, 216, 217 };
	uint16_t wrap[] = { 65530, 65533, 65535, 0, 1, 9, 10, 30 };
	uint16_t many[2000];
	size_t fcis, i;

	WF_CHECK_EQ(nack_round_trip(one, 1, &fcis), 0);
	WF_CHECK_EQ(fcis, 1);
	for (i = 0; i < 17; i++) run17[i] = (uint16_t)(65530 + i);
	WF_CHECK_EQ(nack_round_trip(run17, 17, &fcis), 0);
	WF_CHECK_EQ(fcis, 1);				/* PID + 16 BLP bits */
	WF_CHECK_EQ(nack_round_trip(gaps, 8, &fcis), 0);
	WF_CHECK_EQ(fcis, 5);	/* {100,101,116} {117} {140} {200,216} {217} */
	WF_CHECK_EQ(nack_round_trip(wrap, 8, &fcis), 0);
	WF_CHECK_EQ(fcis, 2);	/* {65530..10} {30} */
	for (i = 0; i < 2000; i++) many[i] = (uint16_t)(64000 + 3 * i);	/* wraps */
	WF_CHECK_EQ(nack_round_trip(many, 2000, &fcis), 0);
	WF_CHECK_EQ(fcis, (2000 + 5) / 6);	/* 6 numbers per FCI at stride 3 */
}

static void nack_builder_folds_repeats_and_checks_capacity(void)
{
	uint16_t rep[] = { 7, 7, 8, 7 };
	uint16_t gaps[] = { 1, 100, 200 };
	uint8_t buf[64];
	size_t cap;
	int len;

	len = wf_rtcp_build_nack(buf, sizeof(buf), 1, 2, rep, 4);
	WF_CHECK_EQ(len, 16);	/* 7 then 8 as bit 0; repeated 7s folded */
	WF_CHECK_EQ(buf[12] << 8 | buf[13], 7);
	WF_CHECK_EQ(buf[14] << 8 | buf[15], 1);
	for (cap = 0; cap < 24; cap++)
		WF_CHECK_EQ(wf_rtcp_build_nack(buf, cap, 1, 2, gaps, 3), -WF_RTCP_NO_ROOM);
	WF_CHECK_EQ(wf_rtcp_build_nack(buf, 24, 1, 2, gaps, 3), 24);
	WF_CHECK_EQ(wf_rtcp_build_nack(buf, sizeof(buf), 1, 2, gaps, 0), -WF_RTCP_BAD_PARAM);
	WF_CHECK_EQ(wf_rtcp_build_nack(buf, sizeof(buf), 1, 2, NULL, 1), -WF_RTCP_BAD_PARAM);
}

static void nack_parse_is_bounded_by_caller_capacity(void)
{
	/* The largest NACK a length word allows: 65533 FCIs in 256 KiB, all
	 * 17 numbers set; the output array holds 100. */
	size_t len = 4 * 65536, fci = (len - 12) / 4, i;
	uint8_t *p = malloc(len);
	uint16_t out[101];
	struct wf_rtcp_pkt pkt;
	struct wf_rtcp_fb fb;
	int n;

	WF_REQUIRE(p);
	p[0] = 0x81;
	p[1] = WF_RTCP_RTPFB;
	wf_rtp_wr16(p + 2, 0xffff);
	wf_rtp_wr32(p + 4, 1);
	wf_rtp_wr32(p + 8, 2);
	for (i = 0; i < fci; i++) {
		wf_rtp_wr16(p + 12 + 4 * i, (uint16_t)(i * 17));
		wf_rtp_wr16(p + 14 + 4 * i, 0xffff);
	}
	out[100] = 0x5a5a;				/* guard */
	WF_REQUIRE(one_pkt(p, len, &pkt) == 1);
	n = wf_rtcp_parse_nack(&pkt, &fb, out, 100);
	WF_CHECK_EQ(n, (int)(fci * 17));
	WF_CHECK_EQ(out[100], 0x5a5a);
	for (i = 0; i < 100; i++) WF_CHECK_EQ(out[i], i);
	WF_CHECK_EQ(wf_rtcp_parse_nack(&pkt, &fb, NULL, 0), (int)(fci * 17));
	/* The same header on a short packet: the walker refuses it. */
	WF_CHECK_EQ(validate_exact(p, 64), -WF_RTCP_BAD_LENGTH);
	free(p);
}

/* RFC 4585 §6.2.1: one FCI names its PID, then PID + i + 1 for each BLP
 * bit i, in that order, across the 16-bit wrap. */
static void nack_fci_expands_pid_then_blp_bits_in_order(void)
{
	static const struct { uint16_t pid, blp; unsigned n; uint16_t want[17]; } v[] = {
		{ 100, 0x0000, 1, { 100 } },
		{ 100, 0x0001, 2, { 100, 101 } },
		{ 100, 0x8000, 2, { 100, 116 } },
		{ 65534, 0x0005, 3, { 65534, 65535, 1 } },
		{ 7, 0xffff, 17, { 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23 } },
	};
	uint16_t out[WF_RTCP_NACK_FCI_MAX + 1];
	uint8_t fci[4];
	unsigned i, k;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		wf_rtp_wr16(fci, v[i].pid);
		wf_rtp_wr16(fci + 2, v[i].blp);
		out[WF_RTCP_NACK_FCI_MAX] = 0x5a5a;	/* guard */
		WF_CHECK_EQ(wf_rtcp_nack_fci(fci, out), v[i].n);
		for (k = 0; k < v[i].n; k++)
			WF_CHECK_EQ(out[k], v[i].want[k]);
		WF_CHECK_EQ(out[WF_RTCP_NACK_FCI_MAX], 0x5a5a);
	}
}

static void pli_and_fir_round_trip(void)
{
	uint8_t buf[64];
	struct wf_rtcp_fir_entry in[3] = { { 0x100, 1 }, { 0x200, 255 }, { 0x300, 0 } };
	struct wf_rtcp_fir_entry out[4];
	struct wf_rtcp_pkt pkt;
	struct wf_rtcp_fb fb;
	size_t cap, i;
	int len;

	len = wf_rtcp_build_pli(buf, sizeof(buf), 0x1234, 0x5678);
	WF_REQUIRE(len == 12 && one_pkt(buf, 12, &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_classify(&pkt), WF_RTCP_KIND_PLI);
	WF_CHECK_EQ(wf_rtcp_parse_pli(&pkt, &fb), 0);
	WF_CHECK(fb.sender_ssrc == 0x1234 && fb.media_ssrc == 0x5678);
	WF_CHECK_EQ(wf_rtcp_parse_fir(&pkt, &fb, out, 4), -WF_RTCP_WRONG_TYPE);
	for (cap = 0; cap < 12; cap++)
		WF_CHECK_EQ(wf_rtcp_build_pli(buf, cap, 1, 2), -WF_RTCP_NO_ROOM);

	len = wf_rtcp_build_fir(buf, sizeof(buf), 0x1234, in, 3);
	WF_REQUIRE(len == 12 + 24 && one_pkt(buf, (size_t)len, &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_classify(&pkt), WF_RTCP_KIND_FIR);
	WF_CHECK_EQ(wf_rtcp_parse_fir(&pkt, &fb, out, 4), 3);
	WF_CHECK_EQ(fb.media_ssrc, 0);
	for (i = 0; i < 3; i++)
		WF_CHECK(out[i].ssrc == in[i].ssrc && out[i].seq == in[i].seq);
	WF_CHECK_EQ(wf_rtcp_parse_fir(&pkt, &fb, out, 1), 3);	/* bounded */
	WF_CHECK_EQ(wf_rtcp_parse_pli(&pkt, &fb), -WF_RTCP_WRONG_TYPE);
	for (cap = 0; cap < 36; cap++)
		WF_CHECK_EQ(wf_rtcp_build_fir(buf, cap, 1, in, 3), -WF_RTCP_NO_ROOM);
	WF_CHECK_EQ(wf_rtcp_build_fir(buf, sizeof(buf), 1, in, 0), -WF_RTCP_BAD_PARAM);
	/* An FCI of 4 bytes is half an entry. */
	wf_rtp_wr16(buf + 2, 3);
	WF_REQUIRE(one_pkt(buf, 16, &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_parse_fir(&pkt, &fb, out, 4), -WF_RTCP_TRUNCATED);
}

static void remb_round_trips_rounded_down_and_hostile_ones_are_refused(void)
{
	static const uint64_t rates[] = { 0, 1, 0x3ffff, 0x40000, 0x40001, 2500000,
					  50000000, 1ull << 40, UINT64_MAX };
	uint32_t ssrcs[3] = { 0x11111111, 0x22222222, 0x33333333 }, out[4];
	struct wf_rtcp_remb r;
	struct wf_rtcp_pkt pkt;
	uint8_t buf[64];
	size_t i, cap;
	int len;

	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		len = wf_rtcp_build_remb(buf, sizeof(buf), 0xabcd, rates[i], ssrcs, 3);
		WF_REQUIRE(len == 32 && one_pkt(buf, 32, &pkt) == 1);
		WF_CHECK_EQ(wf_rtcp_parse_remb(&pkt, &r, out, 4), 3);
		WF_CHECK_EQ(r.sender_ssrc, 0xabcd);
		/* never more than asked, and within 18 bits' precision of it */
		WF_CHECKF(r.bitrate_bps <= rates[i] && rates[i] - r.bitrate_bps <= rates[i] >> 17,
			  "%llu as %llu", (unsigned long long)rates[i],
			  (unsigned long long)r.bitrate_bps);
		WF_CHECK(out[0] == ssrcs[0] && out[1] == ssrcs[1] && out[2] == ssrcs[2]);
		{
			struct wf_rtcp_fb fb;

			WF_CHECK_EQ(wf_rtcp_parse_pli(&pkt, &fb), -WF_RTCP_WRONG_TYPE);
		}
	}
	/* bounded by the caller's room */
	WF_CHECK_EQ(wf_rtcp_parse_remb(&pkt, &r, out, 1), 3);
	for (cap = 0; cap < 32; cap++)
		WF_CHECK_EQ(wf_rtcp_build_remb(buf, cap, 1, 1000, ssrcs, 3), -WF_RTCP_NO_ROOM);
	WF_CHECK_EQ(wf_rtcp_build_remb(buf, sizeof(buf), 1, 1000, ssrcs, 0), -WF_RTCP_BAD_PARAM);
	WF_CHECK_EQ(wf_rtcp_build_remb(buf, sizeof(buf), 1, 1000, NULL, 1), -WF_RTCP_BAD_PARAM);
	/* an SSRC count the FCI does not hold, either way */
	len = wf_rtcp_build_remb(buf, sizeof(buf), 1, 1000, ssrcs, 2);
	WF_REQUIRE(len == 28);
	buf[16] = 3;
	WF_REQUIRE(one_pkt(buf, 28, &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_parse_remb(&pkt, &r, out, 4), -WF_RTCP_TRUNCATED);
	buf[16] = 1;
	WF_CHECK_EQ(wf_rtcp_parse_remb(&pkt, &r, out, 4), -WF_RTCP_TRUNCATED);
	buf[16] = 255;
	WF_CHECK_EQ(wf_rtcp_parse_remb(&pkt, &r, out, 4), -WF_RTCP_TRUNCATED);
	/* another application's feedback, or none */
	buf[16] = 2;
	buf[12] = 'X';
	WF_CHECK_EQ(wf_rtcp_parse_remb(&pkt, &r, out, 4), -WF_RTCP_WRONG_TYPE);
	wf_rtp_wr16(buf + 2, 2);	/* no FCI at all */
	WF_REQUIRE(one_pkt(buf, 12, &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_parse_remb(&pkt, &r, out, 4), -WF_RTCP_WRONG_TYPE);
	/* the largest exponent saturates rather than wrapping */
	len = wf_rtcp_build_remb(buf, sizeof(buf), 1, 1000, ssrcs, 1);
	WF_REQUIRE(len == 24);
	buf[17] = 0xff;
	buf[18] = buf[19] = 0xff;
	WF_REQUIRE(one_pkt(buf, 24, &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_parse_remb(&pkt, &r, out, 4), 1);
	WF_CHECK(r.bitrate_bps == UINT64_MAX);
}

static void builders_refuse_every_short_buffer(void)
{
	uint8_t buf[128];
	size_t cap;

	for (cap = 0; cap < 28 + 48; cap++)
		WF_CHECK_EQ(wf_rtcp_build_sr(buf, cap, 1, &t_si, t_blocks, 2), -WF_RTCP_NO_ROOM);
	WF_CHECK_EQ(wf_rtcp_build_sr(buf, 76, 1, &t_si, t_blocks, 2), 76);
	WF_CHECK_EQ(wf_rtcp_build_sr(buf, 28, 1, &t_si, NULL, 0), 28);
	for (cap = 0; cap < 8 + 24; cap++)
		WF_CHECK_EQ(wf_rtcp_build_rr(buf, cap, 1, t_blocks, 1), -WF_RTCP_NO_ROOM);
	WF_CHECK_EQ(wf_rtcp_build_rr(buf, 8, 1, NULL, 0), 8);
}

static void rtcp_classify_names_skipped_feedback(void)
{
	/* REMB: PSFB FMT 15, media SSRC 0, "REMB", num SSRC 1, exp/mantissa,
	 * one SSRC (draft-alvestrand-rmcat-remb §2.2). */
	uint8_t remb[24] = { 0x8f, 206, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0,
			     'R', 'E', 'M', 'B', 1, 0x0a, 0x12, 0x34, 0, 0, 0, 9 };
	/* Transport-wide CC: RTPFB FMT 15 (header and base fields only). */
	uint8_t twcc[20] = { 0x8f, 205, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2,
			     0, 1, 0, 2, 0, 0, 0, 0 };
	uint8_t app[12] = { 0x80, 204, 0, 2, 0, 0, 0, 1, 'n', 'a', 'm', 'e' };
	uint8_t xr[8] = { 0x80, 207, 0, 1, 0, 0, 0, 1 };
	uint8_t other[8] = { 0x80, 210, 0, 1, 0, 0, 0, 1 };
	uint8_t sli[12] = { 0x82, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2 };
	uint8_t tmmbr[12] = { 0x83, 205, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2 };
	struct wf_rtcp_pkt pkt;

	WF_REQUIRE(one_pkt(remb, sizeof(remb), &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_classify(&pkt), WF_RTCP_KIND_REMB);
	remb[12] = 'X';
	WF_REQUIRE(one_pkt(remb, sizeof(remb), &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_classify(&pkt), WF_RTCP_KIND_PSFB_OTHER);
	wf_rtp_wr16(remb + 2, 2);				/* AFB too short for "REMB" */
	WF_REQUIRE(one_pkt(remb, 12, &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_classify(&pkt), WF_RTCP_KIND_PSFB_OTHER);
	WF_REQUIRE(one_pkt(twcc, sizeof(twcc), &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_classify(&pkt), WF_RTCP_KIND_TWCC);
	WF_REQUIRE(one_pkt(app, sizeof(app), &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_classify(&pkt), WF_RTCP_KIND_APP);
	WF_REQUIRE(one_pkt(xr, sizeof(xr), &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_classify(&pkt), WF_RTCP_KIND_XR);
	WF_REQUIRE(one_pkt(other, sizeof(other), &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_classify(&pkt), WF_RTCP_KIND_UNKNOWN);
	WF_REQUIRE(one_pkt(sli, sizeof(sli), &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_classify(&pkt), WF_RTCP_KIND_PSFB_OTHER);
	WF_REQUIRE(one_pkt(tmmbr, sizeof(tmmbr), &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_classify(&pkt), WF_RTCP_KIND_RTPFB_OTHER);
	WF_CHECK(strcmp(wf_rtcp_kind_name(WF_RTCP_KIND_NACK), "nack") == 0);
	WF_CHECK(strcmp(wf_rtcp_kind_name(WF_RTCP_KIND_COUNT), "unknown") == 0);
}

static void bye_with_reason_parses_and_bad_reason_is_rejected(void)
{
	uint8_t p[20] = { 0x82, 203, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2,
			  6, 'g', 'o', 'n', 'e', '!', '!', 0 };
	struct wf_rtcp_pkt pkt;
	struct wf_rtcp_bye bye;

	WF_REQUIRE(one_pkt(p, sizeof(p), &pkt) == 1);
	WF_REQUIRE(wf_rtcp_parse_bye(&pkt, &bye) == 0);
	WF_CHECK_EQ(bye.sc, 2);
	WF_CHECK_EQ(wf_rtp_rd32(bye.ssrcs + 4), 2);
	WF_CHECK(bye.reason_len == 6 && memcmp(bye.reason, "gone!!", 6) == 0);
	p[12] = 7;					/* exactly to the end */
	WF_REQUIRE(one_pkt(p, sizeof(p), &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_parse_bye(&pkt, &bye), 0);
	p[12] = 8;					/* past the end */
	WF_REQUIRE(one_pkt(p, sizeof(p), &pkt) == 1);
	WF_CHECK_EQ(wf_rtcp_parse_bye(&pkt, &bye), -WF_RTCP_TRUNCATED);
	WF_CHECK_EQ(wf_rtcp_parse_sdes_cname(&pkt, NULL, NULL, NULL), -WF_RTCP_WRONG_TYPE);
}

static void ntp_conversions_round_trip(void)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 0 };
	uint64_t seed = 99, ntp;
	unsigned i;

	WF_CHECK(wf_ntp_from_timespec(&ts) == (uint64_t)WF_NTP_UNIX_OFFSET << 32);
	ts.tv_sec = 1;
	ts.tv_nsec = 500000000;
	ntp = wf_ntp_from_timespec(&ts);
	WF_CHECK(ntp == ((uint64_t)(WF_NTP_UNIX_OFFSET + 1) << 32 | 0x80000000u));
	WF_CHECK_EQ(wf_ntp_mid32(ntp), (uint32_t)((WF_NTP_UNIX_OFFSET + 1) << 16 | 0x8000u));
	WF_CHECK(wf_ntp_from_ns(250000000) ==
		 ((uint64_t)WF_NTP_UNIX_OFFSET << 32 | 0x40000000u));
	for (i = 0; i < 100000; i++) {
		/* Any time up to year 2100, including past the 2036 era wrap. */
		uint64_t ns = t_rand(&seed) % (4102444800ull * 1000000000ull);

		ntp = wf_ntp_from_ns(ns);
		WF_REQUIRE(wf_ntp_to_ns(ntp) == ns);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	WF_CHECK(wf_ntp_from_timespec(&ts) ==
		 wf_ntp_from_ns((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec));
	WF_CHECK_EQ(wf_ntp_short_from_ns(1000000000ull), 65536);
	WF_CHECK_EQ(wf_ntp_short_from_ns(1500000000ull), 98304);
	WF_CHECK_EQ(wf_ntp_short_from_ns(70000ull * 1000000000ull), UINT32_MAX);
	WF_CHECK_EQ(wf_ntp_short_to_us(65536), 1000000);
	/* 25 ms there and back, within the 15.3 us resolution. */
	WF_CHECK(llabs((long long)wf_ntp_short_to_us(wf_ntp_short_from_ns(25000000)) - 25000) <= 8);
}

static void rtt_from_lsr_and_dlsr(void)
{
	uint32_t rtt = 0;
	/* RFC 3550 §6.4.1 example: A 0xb710:8000, LSR 0xb705:2000,
	 * DLSR 0x0005:4000 (5.250 s) -> 0x0006:2000 (6.125 s). */
	WF_CHECK_EQ(wf_rtcp_rtt(0xb7108000u, 0xb7052000u, 0x00054000u, &rtt), 0);
	WF_CHECK_EQ(rtt, 0x00062000u);
	WF_CHECK_EQ(wf_ntp_short_to_us(rtt), 6125000);
	WF_CHECK_EQ(wf_rtcp_rtt(0x00001000u, 0xfffff000u, 0x1000u, &rtt), 0);	/* wrap */
	WF_CHECK_EQ(rtt, 0x1000u);
	WF_CHECK_EQ(wf_rtcp_rtt(0xb7108000u, 0, 0, &rtt), -ENODATA);
	WF_CHECK_EQ(wf_rtcp_rtt(0xb7108000u, 0xb7052000u, 0x000c0000u, &rtt), -ERANGE);
	WF_CHECK_EQ(wf_rtcp_rtt(0xb7052000u, 0xb7108000u, 0, &rtt), -ERANGE);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(rtcp_sr_and_cname_compound_round_trips);
	WF_RUN(rtcp_rr_round_trips_with_zero_to_31_blocks);
	WF_RUN(rtcp_cumulative_lost_is_clamped_to_signed_24_bits);
	WF_RUN(rtcp_sdes_cname_of_every_length_round_trips);
	WF_RUN(rtcp_sdes_hostile_items_are_rejected);
	WF_RUN(rtcp_sdes_finds_cname_in_a_later_aligned_chunk);
	WF_RUN(rtcp_every_truncation_of_a_compound_is_rejected);
	WF_RUN(rtcp_typed_parsers_reject_short_bodies);
	WF_RUN(rtcp_hostile_length_words_and_versions_are_rejected);
	WF_RUN(rtcp_padding_is_removed_or_rejected);
	WF_RUN(nack_round_trips_with_gaps_and_wrap);
	WF_RUN(nack_builder_folds_repeats_and_checks_capacity);
	WF_RUN(nack_parse_is_bounded_by_caller_capacity);
	WF_RUN(pli_and_fir_round_trip);
	WF_RUN(remb_round_trips_rounded_down_and_hostile_ones_are_refused);
	WF_RUN(builders_refuse_every_short_buffer);
	WF_RUN(rtcp_classify_names_skipped_feedback);
	WF_RUN(nack_fci_expands_pid_then_blp_bits_in_order);
	WF_RUN(bye_with_reason_parses_and_bad_reason_is_rejected);
	WF_RUN(ntp_conversions_round_trip);
	WF_RUN(rtt_from_lsr_and_dlsr);
	return wf_test_done();
}
