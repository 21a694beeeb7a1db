/* test_rtp.c: RTP header parsing, RFC 5761 demultiplexing, sequence
 * arithmetic and RFC 3550 Appendix A source statistics. */
#include <math.h>

#include "rtp/rtp.h"
#include "rtp_testlib.h"

/* Builds an RTP packet: cc CSRCs, an extension of ext_words 32-bit words
 * when ext_words >= 0 (profile ext_profile), plen payload bytes and pad
 * padding bytes (pad > 0 sets P; the last byte holds pad).  Returns its
 * length. */
static size_t mk_rtp(uint8_t *buf, unsigned cc, int ext_words, uint16_t ext_profile,
		     size_t plen, unsigned pad)
{
	size_t off = 12, i;

	buf[0] = (uint8_t)(0x80 | (pad ? 0x20 : 0) | (ext_words >= 0 ? 0x10 : 0) | cc);
	buf[1] = 0x80 | 96;				/* M = 1, PT 96 */
	wf_rtp_wr16(buf + 2, 0x1234);
	wf_rtp_wr32(buf + 4, 0xdeadbeef);
	wf_rtp_wr32(buf + 8, 0xcafebabe);
	for (i = 0; i < cc; i++, off += 4)
		wf_rtp_wr32(buf + off, 0x1000u + (uint32_t)i);
	if (ext_words >= 0) {
		wf_rtp_wr16(buf + off, ext_profile);
		wf_rtp_wr16(buf + off + 2, (uint16_t)ext_words);
		off += 4;
		for (i = 0; i < 4u * (unsigned)ext_words; i++)
			buf[off++] = (uint8_t)(0xe0 + i);
	}
	for (i = 0; i < plen; i++)
		buf[off++] = (uint8_t)(0xa0 + i);
	for (i = 0; i < pad; i++)
		buf[off++] = 0;
	if (pad) buf[off - 1] = (uint8_t)pad;
	return off;
}

/* Parses a heap copy of exactly len bytes. */
static int parse_exact(const uint8_t *p, size_t len, struct wf_rtp_hdr *h)
{
	uint8_t *q = t_exact(p, len);
	int rc = wf_rtp_parse(q, len, h);

	free(q);
	return rc;
}

static void rtp_minimal_header_parses(void)
{
	uint8_t buf[64];
	size_t len = mk_rtp(buf, 0, -1, 0, 20, 0);
	struct wf_rtp_hdr h;

	WF_REQUIRE(parse_exact(buf, len, &h) == 0);
	WF_CHECK_EQ(h.marker, 1);
	WF_CHECK_EQ(h.pt, 96);
	WF_CHECK_EQ(h.seq, 0x1234);
	WF_CHECK_EQ(h.timestamp, 0xdeadbeefu);
	WF_CHECK_EQ(h.ssrc, 0xcafebabeu);
	WF_CHECK_EQ(h.cc, 0);
	WF_CHECK_EQ(h.hdr_len, 12);
	WF_CHECK_EQ(h.payload_len, 20);
	WF_CHECK_EQ(h.pad_len, 0);
	WF_CHECK_EQ(h.ext_off, 0);
	WF_CHECK_EQ(h.ext_len, 0);
	WF_CHECK_EQ(buf[h.hdr_len], 0xa0);
}

static void rtp_csrc_extension_and_padding_give_offsets(void)
{
	uint8_t buf[128];
	size_t len = mk_rtp(buf, 2, 2, 0xbede, 10, 6);
	struct wf_rtp_hdr h;

	WF_REQUIRE(parse_exact(buf, len, &h) == 0);
	WF_CHECK_EQ(h.cc, 2);
	WF_CHECK_EQ(h.ext_profile, 0xbede);
	WF_CHECK_EQ(h.ext_off, 12 + 8 + 4);
	WF_CHECK_EQ(h.ext_len, 8);
	WF_CHECK_EQ(buf[h.ext_off], 0xe0);
	WF_CHECK_EQ(h.hdr_len, 12 + 8 + 4 + 8);
	WF_CHECK_EQ(h.payload_len, 10);
	WF_CHECK_EQ(h.pad_len, 6);
	WF_CHECK_EQ(buf[h.hdr_len], 0xa0);
	WF_CHECK_EQ(buf[h.hdr_len + h.payload_len - 1], 0xa0 + 9);
}

static void rtp_two_byte_extension_is_opaque_and_empty_extension_is_valid(void)
{
	uint8_t buf[64];
	size_t len = mk_rtp(buf, 0, 1, 0x1000, 3, 0);
	struct wf_rtp_hdr h;

	WF_REQUIRE(parse_exact(buf, len, &h) == 0);
	WF_CHECK_EQ(h.ext_profile, 0x1000);
	WF_CHECK_EQ(h.ext_len, 4);
	WF_CHECK_EQ(h.payload_len, 3);

	len = mk_rtp(buf, 0, 0, 0xbede, 0, 0);	/* X with length 0, no payload */
	WF_REQUIRE(parse_exact(buf, len, &h) == 0);
	WF_CHECK_EQ(h.ext_len, 0);
	WF_CHECK_EQ(h.ext_off, 16);
	WF_CHECK_EQ(h.hdr_len, 16);
	WF_CHECK_EQ(h.payload_len, 0);
}

/* The error a cut of a packet with cc CSRCs and ext_words extension words
 * must give when the cut lands inside the header. */
static int expected_header_cut_error(size_t cut, unsigned cc, int ext_words)
{
	if (cut < 12) return -WF_RTP_TOO_SHORT;
	if (cut < 12 + 4u * cc) return -WF_RTP_CSRC_TRUNC;
	if (ext_words >= 0 && cut < 12 + 4u * cc + 4 + 4u * (unsigned)ext_words)
		return -WF_RTP_EXT_TRUNC;
	return 0;
}

static void rtp_every_truncation_is_rejected_or_consistent(void)
{
	static const struct { unsigned cc; int ext; unsigned pad; } shapes[] = {
		{ 0, -1, 0 }, { 3, -1, 0 }, { 0, 3, 0 }, { 15, 5, 0 }, { 2, 2, 7 },
	};
	size_t s;

	for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		uint8_t buf[256];
		size_t full = mk_rtp(buf, shapes[s].cc, shapes[s].ext, 0xbede, 9,
				     shapes[s].pad);
		size_t hdr = 12 + 4u * shapes[s].cc +
			     (shapes[s].ext >= 0 ? 4 + 4u * (unsigned)shapes[s].ext : 0);
		size_t cut;

		for (cut = 0; cut < full; cut++) {
			struct wf_rtp_hdr h;
			int rc = parse_exact(buf, cut, &h);

			if (cut < hdr) {
				WF_CHECKF(rc == expected_header_cut_error(cut, shapes[s].cc,
									  shapes[s].ext),
					  "shape %zu cut %zu rc %d", s, cut, rc);
				continue;
			}
			if (!shapes[s].pad) {
				/* A shorter payload is still a valid packet. */
				WF_CHECKF(rc == 0 && h.payload_len == cut - hdr,
					  "shape %zu cut %zu rc %d", s, cut, rc);
				continue;
			}
			/* P set: the last byte read is a payload or zero byte
			 * taken as the count; it either fits or is refused. */
			if (rc == 0)
				WF_CHECK((size_t)h.hdr_len + h.payload_len + h.pad_len == cut &&
					 h.pad_len >= 1);
			else
				WF_CHECK_EQ(rc, -WF_RTP_BAD_PADDING);
		}
	}
}

static void rtp_rejects_versions_other_than_2(void)
{
	uint8_t buf[64];
	size_t len = mk_rtp(buf, 0, -1, 0, 4, 0);
	unsigned v;

	for (v = 0; v < 4; v++) {
		struct wf_rtp_hdr h;

		buf[0] = (uint8_t)((buf[0] & 0x3f) | v << 6);
		WF_CHECK_EQ(parse_exact(buf, len, &h), v == 2 ? 0 : -WF_RTP_BAD_VERSION);
	}
}

static void rtp_csrc_count_15_in_short_packet_is_rejected(void)
{
	uint8_t buf[128];
	size_t len = mk_rtp(buf, 0, -1, 0, 40, 0);	/* 52 bytes < 12 + 60 */
	struct wf_rtp_hdr h;

	buf[0] |= 0x0f;
	WF_CHECK_EQ(parse_exact(buf, len, &h), -WF_RTP_CSRC_TRUNC);
	WF_CHECK_EQ(parse_exact(buf, 71, &h), -WF_RTP_CSRC_TRUNC);
	WF_CHECK_EQ(parse_exact(buf, 72, &h), 0);
	WF_CHECK_EQ(h.hdr_len, 72);
}

static void rtp_extension_length_0xffff_is_rejected(void)
{
	uint8_t buf[1500];
	size_t len = mk_rtp(buf, 1, 1, 0xbede, 1000, 0);
	struct wf_rtp_hdr h;

	wf_rtp_wr16(buf + 12 + 4 + 2, 0xffff);
	WF_CHECK_EQ(parse_exact(buf, len, &h), -WF_RTP_EXT_TRUNC);
	/* Exactly filling the packet is fine, one word more is not. */
	wf_rtp_wr16(buf + 18, (uint16_t)((len - 20) / 4));
	WF_CHECK_EQ(parse_exact(buf, 20 + 4 * ((len - 20) / 4), &h), 0);
	WF_CHECK_EQ(h.payload_len, 0);
	WF_CHECK_EQ(parse_exact(buf, 20 + 4 * ((len - 20) / 4) - 1, &h), -WF_RTP_EXT_TRUNC);
}

static void rtp_padding_count_zero_or_past_payload_is_rejected(void)
{
	uint8_t buf[64];
	size_t len = mk_rtp(buf, 1, 0, 0xbede, 5, 3);	/* header 20, payload 5 */
	struct wf_rtp_hdr h;

	WF_REQUIRE(parse_exact(buf, len, &h) == 0);
	buf[len - 1] = 0;
	WF_CHECK_EQ(parse_exact(buf, len, &h), -WF_RTP_BAD_PADDING);
	buf[len - 1] = (uint8_t)(len - 20);		/* all of the payload */
	WF_CHECK_EQ(parse_exact(buf, len, &h), 0);
	WF_CHECK_EQ(h.payload_len, 0);
	buf[len - 1] = (uint8_t)(len - 20 + 1);		/* into the header */
	WF_CHECK_EQ(parse_exact(buf, len, &h), -WF_RTP_BAD_PADDING);
	buf[len - 1] = 255;
	WF_CHECK_EQ(parse_exact(buf, len, &h), -WF_RTP_BAD_PADDING);
	/* P set on a header-only packet: no room for the count byte. */
	len = mk_rtp(buf, 0, -1, 0, 0, 0);
	buf[0] |= 0x20;
	WF_CHECK_EQ(parse_exact(buf, len, &h), -WF_RTP_BAD_PADDING);
}

static void rtp_longer_than_a_datagram_is_rejected(void)
{
	static uint8_t big[WF_RTP_MAX_LEN + 1];
	struct wf_rtp_hdr h;

	mk_rtp(big, 0, -1, 0, 0, 0);
	WF_CHECK_EQ(wf_rtp_parse(big, sizeof(big), &h), -WF_RTP_TOO_LONG);
	WF_CHECK_EQ(wf_rtp_parse(big, WF_RTP_MAX_LEN, &h), 0);
	WF_CHECK_EQ(h.payload_len, WF_RTP_MAX_LEN - 12);
}

static void rtp_rtcp_demux_follows_rfc5761(void)
{
	uint8_t p[2] = { 0x80, 0 };
	unsigned b;

	for (b = 0; b < 256; b++) {
		unsigned pt = b & 0x7f;

		p[1] = (uint8_t)b;
		WF_CHECKF(wf_rtp_is_rtcp(p, 2) == (pt >= 64 && pt <= 95), "byte %u", b);
	}
	p[1] = 200;					/* SR */
	WF_CHECK(wf_rtp_is_rtcp(p, 2));
	WF_CHECK(!wf_rtp_is_rtcp(p, 1));
	WF_CHECK(!wf_rtp_is_rtcp(p, 0));
}

static void seq_compare_and_diff_handle_wrap(void)
{
	WF_CHECK(wf_seq_lt(65535, 0));
	WF_CHECK(wf_seq_gt(0, 65535));
	WF_CHECK(wf_seq_lt(5, 10));
	WF_CHECK(!wf_seq_lt(10, 10));
	WF_CHECK_EQ(wf_seq_diff(0, 65535), 1);
	WF_CHECK_EQ(wf_seq_diff(65535, 0), -1);
	WF_CHECK_EQ(wf_seq_diff(5, 10), -5);
	WF_CHECK_EQ(wf_seq_diff(32767, 0), 32767);
	WF_CHECK_EQ(wf_seq_diff(32768, 0), -32768);
}

static void seq_extend_tracks_cycles_with_reordering(void)
{
	uint64_t seed = 7, truth = 65000, ref = 65000;
	unsigned i;

	/* Walk forwards over several wraps; every few steps look back at a
	 * slightly older number, as a reordered packet would. */
	for (i = 0; i < 300000; i++) {
		uint64_t r = t_rand(&seed);
		uint64_t back;

		truth += 1 + r % 50;
		ref = wf_seq_extend(ref, (uint16_t)truth);
		WF_REQUIRE(ref == truth);
		back = truth - (r >> 8) % 3000;
		WF_REQUIRE(wf_seq_extend(ref, (uint16_t)back) == back);
	}
	WF_CHECK_EQ(wf_seq_extend(65536 + 2, 65534), 65534);	/* before the wrap */
	WF_CHECK_EQ(wf_seq_extend(65534, 2), 65536 + 2);	/* after it */
	WF_CHECK_EQ(wf_seq_extend(2, 65530), 65530);		/* before 0: cycle 0 */
	WF_CHECK_EQ(wf_seq_extend32(0xffff0005u, 3), 0xffff0003u);
	WF_CHECK_EQ(wf_seq_extend32(0xfffffff0u, 0x10), 0x10u);	/* 32-bit wrap */
	WF_CHECK_EQ(wf_seq_extend((1ull << 47) + 65535, 1), (1ull << 47) + 65537);
}

/* Feeds seqs to a fresh source; returns how many update_seq accepted. */
static unsigned feed(struct wf_rtp_source *s, const uint16_t *seqs, size_t n)
{
	unsigned ok = 0;
	size_t i;

	wf_rtp_source_init(s, seqs[0]);
	for (i = 0; i < n; i++)
		ok += wf_rtp_source_update_seq(s, seqs[i]);
	return ok;
}

static void source_needs_two_sequential_packets_to_leave_probation(void)
{
	struct wf_rtp_source s;
	struct wf_rtp_loss l;

	wf_rtp_source_init(&s, 100);
	WF_CHECK(!wf_rtp_source_update_seq(&s, 100));
	wf_rtp_source_report(&s, &l);
	WF_CHECK_EQ(l.expected, 0);
	WF_CHECK_EQ(l.cumulative_lost, 0);
	WF_CHECK(!wf_rtp_source_update_seq(&s, 105));	/* not sequential: restart */
	WF_CHECK(wf_rtp_source_update_seq(&s, 106));	/* second in a row */
	WF_CHECK(wf_rtp_source_update_seq(&s, 107));
	WF_CHECK_EQ(s.base_seq, 106);
	WF_CHECK_EQ(s.received, 2);

	wf_rtp_source_init(&s, 65535);			/* probation across a wrap */
	WF_CHECK(!wf_rtp_source_update_seq(&s, 65535));
	WF_CHECK(wf_rtp_source_update_seq(&s, 0));
	WF_CHECK_EQ(s.base_seq, 0);
}

static void source_loss_and_fraction_match_rfc3550_a3(void)
{
	uint16_t seqs[200];
	size_t n = 0;
	unsigned s_i, lost = 0, first = 1000, last = 1099;
	struct wf_rtp_source s;
	struct wf_rtp_loss l;
	uint32_t expected;

	for (s_i = first; s_i <= last; s_i++) {
		if (s_i == 1010 || (s_i >= 1020 && s_i <= 1024)) { lost++; continue; }
		seqs[n++] = (uint16_t)s_i;
	}
	WF_CHECK_EQ(feed(&s, seqs, n), n - 1);	/* the first is probation */
	wf_rtp_source_report(&s, &l);
	/* Counting starts at the packet that ended probation (1001). */
	expected = last - (first + 1) + 1;
	WF_CHECK_EQ(l.ext_highest_seq, last);
	WF_CHECK_EQ(l.expected, expected);
	WF_CHECK_EQ(l.cumulative_lost, lost);
	WF_CHECK_EQ(l.fraction_lost, (lost * 256) / expected);

	/* Next interval: 50 more, 5 lost, fraction counts this interval only. */
	for (s_i = last + 1; s_i <= last + 50; s_i++)
		if (s_i % 10 != 0) wf_rtp_source_update_seq(&s, (uint16_t)s_i);
	wf_rtp_source_report(&s, &l);
	WF_CHECK_EQ(l.cumulative_lost, lost + 5);
	WF_CHECK_EQ(l.fraction_lost, 5 * 256 / 50);
	/* Nothing new at all: fraction 0, not a division by zero. */
	wf_rtp_source_report(&s, &l);
	WF_CHECK_EQ(l.fraction_lost, 0);
}

static void source_counts_cycles_across_the_wrap(void)
{
	uint16_t seqs[40];
	size_t n = 0;
	unsigned v;
	struct wf_rtp_source s;
	struct wf_rtp_loss l;

	for (v = 65520; v < 65536 + 20; v++)
		if (v != 65535 && v != 65536) seqs[n++] = (uint16_t)v;
	feed(&s, seqs, n);
	wf_rtp_source_report(&s, &l);
	WF_CHECK_EQ(l.ext_highest_seq, 65536 + 19);
	WF_CHECK_EQ(l.cumulative_lost, 2);
	WF_CHECK_EQ(s.cycles, 65536);
}

static void source_duplicates_make_lost_negative(void)
{
	uint16_t seqs[] = { 10, 11, 12, 12, 12, 11, 13 };
	struct wf_rtp_source s;
	struct wf_rtp_loss l;

	WF_CHECK_EQ(feed(&s, seqs, sizeof(seqs) / sizeof(seqs[0])), 6);
	wf_rtp_source_report(&s, &l);
	WF_CHECK_EQ(l.expected, 3);		/* 11..13 */
	WF_CHECK_EQ(l.cumulative_lost, -3);	/* 6 received */
	WF_CHECK_EQ(l.fraction_lost, 0);
}

static void source_large_jump_restarts_on_the_second_packet(void)
{
	struct wf_rtp_source s;
	struct wf_rtp_loss l;
	uint16_t v;

	wf_rtp_source_init(&s, 100);
	for (v = 100; v < 110; v++) wf_rtp_source_update_seq(&s, v);
	WF_CHECK(!wf_rtp_source_update_seq(&s, 20000));	/* one stray packet */
	WF_CHECK(wf_rtp_source_update_seq(&s, 110));		/* stream continues */
	WF_CHECK(!wf_rtp_source_update_seq(&s, 40000));	/* the sender restarted */
	WF_CHECK(wf_rtp_source_update_seq(&s, 40001));
	wf_rtp_source_report(&s, &l);
	WF_CHECK_EQ(s.base_seq, 40001);
	WF_CHECK_EQ(l.expected, 1);
	WF_CHECK_EQ(l.cumulative_lost, 0);
	/* Reordered by less than MAX_MISORDER is counted, not a jump. */
	WF_CHECK(wf_rtp_source_update_seq(&s, 40001 - 50));
	/* A gap under MAX_DROPOUT is loss, not a restart. */
	WF_CHECK(wf_rtp_source_update_seq(&s, 40001 + 2999));
	wf_rtp_source_report(&s, &l);
	WF_CHECK_EQ(l.ext_highest_seq, 40001 + 2999);
}

static void source_jitter_follows_rfc3550_a8(void)
{
	struct wf_rtp_source s;
	struct wf_rtp_loss l;
	uint64_t seed = 42;
	double j = 0;
	uint32_t ts = 0xfff00000u, prev_transit = 0;
	unsigned i;

	/* Constant transit: no jitter. */
	wf_rtp_source_init(&s, 0);
	for (i = 0; i < 100; i++)
		wf_rtp_source_update_jitter(&s, ts + 3000 * i, 5000 + ts + 3000 * i);
	wf_rtp_source_report(&s, &l);
	WF_CHECK_EQ(l.jitter, 0);

	/* Random transit, timestamps crossing 2^32: compare with the
	 * floating-point J += (|D| - J) / 16. */
	wf_rtp_source_init(&s, 0);
	for (i = 0; i < 2000; i++) {
		uint32_t t = ts + 3000 * i;
		uint32_t transit = 1000 + (uint32_t)(t_rand(&seed) % 400);

		wf_rtp_source_update_jitter(&s, t, t + transit);
		if (i > 0)
			j += (fabs((double)transit - (double)prev_transit) - j) / 16;
		prev_transit = transit;
	}
	wf_rtp_source_report(&s, &l);
	WF_CHECKF(fabs((double)l.jitter - j) <= 1.5, "jitter %u vs %.2f", l.jitter, j);
	WF_CHECK(l.jitter > 50);	/* mean |D| of U(0,400) pairs is ~133 */
}

static void rtp_error_names_are_complete_and_distinct(void)
{
	int i, k;

	WF_CHECK(strcmp(wf_rtp_err_name(-WF_RTP_TOO_SHORT), "rtp_too_short") == 0);
	WF_CHECK(strcmp(wf_rtp_err_name(WF_RTP_TOO_SHORT), "rtp_too_short") == 0);
	WF_CHECK(strcmp(wf_rtp_strerror(-WF_RTP_TOO_SHORT), "RTP shorter than its header") == 0);
	WF_CHECK(strcmp(wf_rtp_err_name(0), "ok") == 0);
	WF_CHECK(strcmp(wf_rtp_err_name(-WF_RTP_ERR_COUNT), "unknown") == 0);
	WF_CHECK(strcmp(wf_rtp_strerror(1000), "unknown error") == 0);
	for (i = 1; i < WF_RTP_ERR_COUNT; i++) {
		WF_CHECK(wf_rtp_err_name(-i) && wf_rtp_strerror(-i));
		for (k = 1; k < i; k++)
			WF_CHECK(strcmp(wf_rtp_err_name(-i), wf_rtp_err_name(-k)) != 0);
	}
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(rtp_minimal_header_parses);
	WF_RUN(rtp_csrc_extension_and_padding_give_offsets);
	WF_RUN(rtp_two_byte_extension_is_opaque_and_empty_extension_is_valid);
	WF_RUN(rtp_every_truncation_is_rejected_or_consistent);
	WF_RUN(rtp_rejects_versions_other_than_2);
	WF_RUN(rtp_csrc_count_15_in_short_packet_is_rejected);
	WF_RUN(rtp_extension_length_0xffff_is_rejected);
	WF_RUN(rtp_padding_count_zero_or_past_payload_is_rejected);
	WF_RUN(rtp_longer_than_a_datagram_is_rejected);
	WF_RUN(rtp_rtcp_demux_follows_rfc5761);
	WF_RUN(seq_compare_and_diff_handle_wrap);
	WF_RUN(seq_extend_tracks_cycles_with_reordering);
	WF_RUN(source_needs_two_sequential_packets_to_leave_probation);
	WF_RUN(source_loss_and_fraction_match_rfc3550_a3);
	WF_RUN(source_counts_cycles_across_the_wrap);
	WF_RUN(source_duplicates_make_lost_negative);
	WF_RUN(source_large_jump_restarts_on_the_second_packet);
	WF_RUN(source_jitter_follows_rfc3550_a8);
	WF_RUN(rtp_error_names_are_complete_and_distinct);
	return wf_test_done();
}
