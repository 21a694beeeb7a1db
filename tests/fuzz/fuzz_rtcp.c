/* fuzz_rtcp.c: fuzz target 4, RTCP as the workers read it.
 *
 * Input: one compound packet (a viewer's SRTCP after unprotection, or a
 * source's RTCP).  The target validates it, then iterates its sub-packets
 * as app/fast/feedback.c and app/fast/ingest.c do and hands each to every parser:
 * SR/RR with every report block and the RTT from it, SDES CNAME, BYE, the
 * feedback header, generic NACK (into a list large and small, then FCI by
 * FCI as the resend budget walks it), PLI and FIR.  Checks: sub-packets
 * tile the input; what a parser points at lies inside its sub-packet;
 * NACK's count is the same whatever the list's capacity; a NACK rebuilt
 * from the sequence numbers it named parses to the same numbers.
 */
#include "fuzz/fuzz.h"

#include "rtp/rtcp.h"
#include "rtp/rtp.h"

#define SEQS_MAX 1024

static bool inside(const struct wf_rtcp_pkt *pkt, const uint8_t *p, size_t n)
{
	return p >= pkt->p && p + n <= pkt->p + pkt->len;
}

static void nack(const struct wf_rtcp_pkt *pkt)
{
	static uint16_t seqs[SEQS_MAX], again[SEQS_MAX];
	static uint8_t buf[8192];
	struct wf_rtcp_pkt pkt2;
	struct wf_rtcp_iter it;
	struct wf_rtcp_fb fb, fb2;
	uint16_t one[WF_RTCP_NACK_FCI_MAX];
	uint32_t off;
	int n, small, total = 0, len;

	n = wf_rtcp_parse_nack(pkt, &fb, seqs, SEQS_MAX);
	small = wf_rtcp_parse_nack(pkt, &fb, NULL, 0);
	WF_FUZZ_CHECK(n == small);
	if (n < 0)
		return;
	WF_FUZZ_CHECK(inside(pkt, fb.fci, fb.fci_len));
	for (off = 0; off + 4 <= fb.fci_len; off += 4) {
		unsigned k = wf_rtcp_nack_fci(fb.fci + off, one);

		WF_FUZZ_CHECK(k >= 1 && k <= WF_RTCP_NACK_FCI_MAX);
		if (total + (int)k <= SEQS_MAX)
			WF_FUZZ_CHECK(memcmp(one, seqs + total, k * sizeof(one[0])) == 0);
		total += (int)k;
	}
	WF_FUZZ_CHECK(total == n);
	if (n == 0 || n > SEQS_MAX)
		return;
	/* Round trip: the numbers named, built into a NACK again. */
	len = wf_rtcp_build_nack(buf, sizeof(buf), fb.sender_ssrc, fb.media_ssrc, seqs, (size_t)n);
	if (len <= 0)
		return;
	wf_rtcp_iter_init(&it, buf, (size_t)len);
	WF_FUZZ_CHECK(wf_rtcp_next(&it, &pkt2) == 1);
	n = wf_rtcp_parse_nack(&pkt2, &fb2, again, SEQS_MAX);
	WF_FUZZ_CHECK(n > 0 && n <= total);
	WF_FUZZ_CHECK(fb2.media_ssrc == fb.media_ssrc);
}

static void one(const struct wf_rtcp_pkt *pkt)
{
	struct wf_rtcp_fir_entry fir[4], firs[64];
	struct wf_rtcp_report rb;
	struct wf_rtcp_rpt r;
	struct wf_rtcp_bye bye;
	struct wf_rtcp_fb fb;
	struct wf_rtcp_remb remb;
	uint32_t remb_ssrcs[255];
	const uint8_t *cname;
	uint8_t cname_len;
	uint32_t ssrc, rtt;
	unsigned i;
	int n, m;

	WF_FUZZ_CHECK(pkt->body_len + 4 + pkt->pad_len <= pkt->len);
	(void)wf_rtcp_kind_name(wf_rtcp_classify(pkt));
	if (wf_rtcp_parse_report(pkt, &r) == 0) {
		WF_FUZZ_CHECK(r.rc == 0 || inside(pkt, r.blocks, 24u * r.rc));
		for (i = 0; i < r.rc; i++) {
			wf_rtcp_report_block(&r, i, &rb);
			(void)wf_rtcp_rtt(0x12345678u, rb.lsr, rb.dlsr, &rtt);
		}
	}
	if (wf_rtcp_parse_sdes_cname(pkt, &ssrc, &cname, &cname_len) == 1)
		WF_FUZZ_CHECK(inside(pkt, cname, cname_len));
	if (wf_rtcp_parse_bye(pkt, &bye) == 0) {
		WF_FUZZ_CHECK(inside(pkt, bye.ssrcs, 4u * bye.sc));
		WF_FUZZ_CHECK(!bye.reason || inside(pkt, bye.reason, bye.reason_len));
	}
	if (wf_rtcp_parse_fb(pkt, &fb) == 0)
		WF_FUZZ_CHECK(fb.fci_len == 0 || inside(pkt, fb.fci, fb.fci_len));
	nack(pkt);
	(void)wf_rtcp_parse_pli(pkt, &fb);
	n = wf_rtcp_parse_fir(pkt, &fb, fir, 4);
	m = wf_rtcp_parse_fir(pkt, &fb, firs, 64);
	WF_FUZZ_CHECK(n == m);
	/* REMB: the count does not depend on the room given, and what a
	 * valid one says builds a valid packet */
	n = wf_rtcp_parse_remb(pkt, &remb, remb_ssrcs, 2);
	m = wf_rtcp_parse_remb(pkt, &remb, remb_ssrcs, 255);
	WF_FUZZ_CHECK(n == m);
	if (m > 0) {
		uint8_t again[20 + 4 * 255];

		WF_FUZZ_CHECK(wf_rtcp_build_remb(again, sizeof(again), remb.sender_ssrc,
						 remb.bitrate_bps, remb_ssrcs, (size_t)m) == 20 + 4 * m);
		WF_FUZZ_CHECK(wf_rtcp_validate(again, 20 + 4 * (size_t)m) == 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wf_rtcp_iter it;
	struct wf_rtcp_pkt pkt;
	uint8_t *copy;
	size_t covered = 0;
	int rc, count = 0, v;

	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	v = wf_rtcp_validate(copy, size);
	wf_rtcp_iter_init(&it, copy, size);
	while ((rc = wf_rtcp_next(&it, &pkt)) > 0) {
		WF_FUZZ_CHECK(pkt.p == copy + covered);
		covered += pkt.len;
		WF_FUZZ_CHECK(covered <= size);
		count++;
		one(&pkt);
	}
	if (rc == 0 && count > 0)
		WF_FUZZ_CHECK(v == count && covered == size);
	if (rc < 0)
		WF_FUZZ_CHECK(v < 0);
	free(copy);
	return 0;
}
