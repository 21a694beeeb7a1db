/* feedback.c: RTCP with viewers (feedback.h). */
#include "fast/feedback.h"

#include <stdio.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "fast/ask.h"
#include "fast/fanout.h"
#include "fast/srtcp.h"
#include "fast/tx.h"
#include "rtp/rtcp.h"

/* What the NACKs of one RTCP compound may still be served. */
struct compound {
	uint64_t now;
	unsigned fcis_left;	/* WF_NACK_MAX_FCI at the start */
	bool refilled;		/* the viewer's bucket was refilled for it */
};

/* The track of vo's viewer a feedback message's media SSRC names, or -1. */
static int track_of(const struct wf_viewer_out *vo, uint32_t ssrc)
{
	unsigned t;

	for (t = 0; t < WF_MAX_TRACKS; t++)
		if (vo->trk[t].state != WF_VT_OFF && vo->trk[t].ssrc == ssrc)
			return (int)t;
	return -1;
}

static void on_report(struct wf_lcore *lc, struct wf_viewer *v, const struct wf_rtcp_pkt *pkt,
		      uint64_t now)
{
	const struct wf_viewer_out *vo = wf_viewer_out(lc, v);
	struct wf_rtcp_rpt r;
	unsigned i;

	int rc = wf_rtcp_parse_report(pkt, &r);

	if (rc < 0) {
		lc->c.rtp_err[-rc]++;	/* a message, not the packet: no drop */
		return;
	}
	lc->c.rr_rx++;
	for (i = 0; i < r.rc; i++) {
		struct wf_rtcp_report b;
		struct wf_viewer_fb *vf;
		uint32_t rtt;
		int t;

		wf_rtcp_report_block(&r, i, &b);
		t = track_of(vo, b.ssrc);
		if (t < 0)
			continue;
		vf = &v->fb[t];
		vf->rr_fraction = b.fraction_lost;
		vf->rr_lost = b.cumulative_lost;
		vf->rr_jitter = b.jitter;
		vf->rr_ext_highest = b.ext_highest_seq;
		if (wf_rtcp_rtt(wf_ntp_mid32(wf_ntp_now(now)), b.lsr, b.dlsr, &rtt) == 0)
			vf->rtt_us = (uint32_t)wf_ntp_short_to_us(rtt);
	}
}

/* Refills v's resend budget, once per compound: webrtc.nack_budget_pct of
 * what its stream's source sent over the last second (budget.h). */
static void budget_refill(struct wf_viewer *v, struct compound *cx)
{
	const struct wf_stream *s = &wf_app.streams[v->stream];
	uint64_t bytes = 0;
	unsigned t;

	if (cx->refilled)
		return;
	cx->refilled = true;
	for (t = 0; t < s->n_tracks && t < WF_MAX_TRACKS; t++) {
		uint32_t r = __atomic_load_n(&s->rate_bytes[t], __ATOMIC_RELAXED);

		/* a viewer that joined during a pause starts with the second
		 * before it (its replay may need repairs), once */
		if (!r && !v->retx.tsc)
			r = __atomic_load_n(&s->held_bytes[t], __ATOMIC_RELAXED);
		bytes += r;
	}
	wf_retx_bucket_refill(&v->retx, wf_retx_rate(bytes, wf_setting(&wf_app.nack_budget_pct)),
			      cx->now, wf_app.tsc_hz);
}

/* Generic NACK (RFC 4585 §6.2.1): each sequence number asked for is
 * resent from the shared history, unless a reason in refusal.h says no:
 * the compound's FCI cap, a resend within the viewer's RTT, a ring or
 * queue over half full, or the viewer's budget. */
static void on_nack(struct wf_lcore *lc, struct wf_viewer *v, uint32_t slot,
		    const struct wf_rtcp_pkt *pkt, struct compound *cx)
{
	uint16_t seqs[WF_NACK_SEQS_MAX];
	const struct wf_viewer_out *vo;
	const struct wf_viewer_track *vt;
	struct wf_rtcp_fb fb;
	uint64_t window;
	unsigned k, i;
	int32_t est;
	bool shed;
	int n, t;

	n = wf_rtcp_parse_nack(pkt, &fb, NULL, 0);
	if (n < 0) {
		lc->c.rtp_err[-n]++;	/* a message, not the packet: no drop */
		return;
	}
	vo = wf_viewer_out(lc, v);
	t = track_of(vo, fb.media_ssrc);
	if (t < 0) {
		wf_refuse(lc, WF_REFUSE_FB_UNKNOWN_SSRC, 1);
		return;
	}
	vt = &vo->trk[t];
	lc->c.nack_rx += (unsigned)n;
	v->fb[t].nacks += (unsigned)n;
	if (!wf_setting(&wf_app.nack)) {
		wf_refuse(lc, WF_REFUSE_NACK_OFF, (unsigned)n);
		return;
	}
	if (!wf_vt_mapped(vt) || !vt->next_index) {
		wf_refuse(lc, WF_REFUSE_NACK_NOT_LIVE, (unsigned)n);
		return;
	}
	k = wf_nack_expand(&fb, &cx->fcis_left, seqs, &lc->c.refused[WF_REFUSE_NACK_FCI_CAP]);
	window = wf_retx_window(v->fb[t].rtt_us, wf_app.tsc_hz);
	est = (int32_t)wf_resend_estimate(v->stream, (unsigned)t);
	/* once per message: the ring can take a compound's requests
	 * whatever its state, the queue's state is one PMD call */
	shed = wf_fanout_resend_shed(lc, v);
	for (i = 0; i < k; i++) {
		/* RFC 3711 §3.3.1 style: the index nearest to what we sent */
		uint64_t idx = wf_seq_extend(vt->next_index - 1, seqs[i]);
		uint32_t ext, who = slot << 1 | (uint32_t)t;

		if (idx < vt->idx_base || idx >= vt->next_index) {
			wf_refuse(lc, WF_REFUSE_NACK_UNSENT, 1);
			continue;
		}
		ext = vt->src_base + (uint32_t)(idx - vt->idx_base);
		if (wf_retx_seen_recent(lc->seen, who, ext, cx->now, window)) {
			wf_refuse(lc, WF_REFUSE_NACK_REPEAT, 1);
			continue;
		}
		if (shed) {
			wf_refuse(lc, WF_REFUSE_NACK_SHED, 1);
			continue;
		}
		budget_refill(v, cx);
		if (!wf_retx_bucket_open(&v->retx)) {
			wf_refuse(lc, WF_REFUSE_NACK_BUDGET, 1);
			continue;
		}
		/* charged the stream's mean packet now, the difference to the
		 * real one when it comes (wf_fanout_item) */
		wf_retx_bucket_charge(&v->retx, est);
		wf_retx_seen_mark(lc->seen, who, ext, cx->now);
		wf_ask_retx(lc, v, slot, (unsigned)t, ext);
	}
}

/* PLI (RFC 4585 §6.3.1) or FIR (RFC 5104 §4.3.1): a replay of the cached
 * key frame, at most one per viewer per WF_REPLAY_VIEWER_INTERVAL_MS, drawn
 * on the viewer's resend budget; the owner bounds and paces it and limits
 * the stream's replays (request.c). */
static void on_keyframe_request(struct wf_lcore *lc, struct wf_viewer *v, uint32_t slot,
				uint32_t media_ssrc, struct compound *cx)
{
	const struct wf_viewer_out *vo = wf_viewer_out(lc, v);
	int t = track_of(vo, media_ssrc);
	const struct wf_viewer_track *vt;

	if (t < 0) {
		wf_refuse(lc, WF_REFUSE_FB_UNKNOWN_SSRC, 1);
		return;
	}
	vt = &vo->trk[t];
	lc->c.pli_rx++;
	v->fb[t].plis++;
	if (wf_app.streams[v->stream].tracks[t].kind != WF_CONF_VIDEO) {
		wf_refuse(lc, WF_REFUSE_PLI_AUDIO, 1);
		return;
	}
	if (vt->state != WF_VT_LIVE) {
		wf_refuse(lc, WF_REFUSE_REPLAY_PENDING, 1);
		return;
	}
	if (v->fb[t].replay_tsc &&
	    cx->now - v->fb[t].replay_tsc < wf_app.tsc_hz / 1000 * WF_REPLAY_VIEWER_INTERVAL_MS) {
		wf_refuse(lc, WF_REFUSE_REPLAY_VIEWER_RATE, 1);
		return;
	}
	budget_refill(v, cx);
	if (!wf_retx_bucket_open(&v->retx)) {
		wf_refuse(lc, WF_REFUSE_REPLAY_BUDGET, 1);
		return;
	}
	wf_ask_replay(lc, v, slot, (unsigned)t, true, cx->now);
}

/* One RTCP packet of viewer v's compound: reports, NACK, PLI, FIR. */
static inline void on_rtcp(struct wf_lcore *lc, struct wf_viewer *v, uint32_t slot,
			   const struct wf_rtcp_pkt *pkt, struct compound *cx)
{
	struct wf_rtcp_fb fb;
	struct wf_rtcp_fir_entry fir[4];
	int n, i;

	switch (wf_rtcp_classify(pkt)) {
	case WF_RTCP_KIND_SR:
	case WF_RTCP_KIND_RR:
		on_report(lc, v, pkt, cx->now);
		break;
	case WF_RTCP_KIND_NACK:
		on_nack(lc, v, slot, pkt, cx);
		break;
	case WF_RTCP_KIND_PLI:
		n = wf_rtcp_parse_pli(pkt, &fb);
		if (n == 0)
			on_keyframe_request(lc, v, slot, fb.media_ssrc, cx);
		else if (n < 0)
			lc->c.rtp_err[-n]++;
		break;
	case WF_RTCP_KIND_FIR:
		n = wf_rtcp_parse_fir(pkt, &fb, fir, 4);
		if (n < 0)
			lc->c.rtp_err[-n]++;
		for (i = 0; i < n && i < 4; i++)
			on_keyframe_request(lc, v, slot, fir[i].ssrc, cx);
		break;
	default:
		break;	/* SDES, BYE, REMB, TWCC, XR: nothing to do */
	}
}

void wf_feedback_packet(struct wf_lcore *lc, struct rte_mbuf *m, uint32_t slot, uint16_t gen)
{
	struct wf_viewer *v = wf_viewer_get(lc, slot, gen);
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(d + m->l2_len);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(d + m->l2_len + m->l3_len);
	uint8_t *p = (uint8_t *)(udp + 1);
	size_t len = rte_be_to_cpu_16(udp->dgram_len) - sizeof(*udp);
	struct compound cx = { .now = rte_rdtsc(), .fcis_left = WF_NACK_MAX_FCI };
	struct wf_rtcp_iter it;
	struct wf_rtcp_pkt pkt;
	int rc;

	if (!v || v->addr != rte_be_to_cpu_32(ip->src_addr) ||
	    v->udp_port != rte_be_to_cpu_16(udp->src_port)) {
		wf_drop(lc, m, WF_DROP_VIEWER_GONE);
		return;
	}
	if (!wf_rtp_is_rtcp(p, len)) {
		wf_drop(lc, m, WF_DROP_WEBRTC_NOT_RTCP);
		return;
	}
	if (wf_viewer_out(lc, v)->srtp) {
		size_t plain;

		if (len < 8) {
			lc->c.srtp_err[WF_SRTP_E_TOO_SHORT]++;
			wf_drop(lc, m, WF_DROP_SRTCP_UNPROTECT);
			return;
		}
		rc = wf_srtcp_rx(lc->srtp, &v->srtcp_in, v->srtcp_rx, WF_VIEWER_SRTCP_PEERS, p,
				 len, &plain);
		if (rc < 0) {
			lc->c.srtp_err[-rc]++;
			wf_drop(lc, m, WF_DROP_SRTCP_UNPROTECT);
			return;
		}
		len = plain;
	}
	wf_rtcp_iter_init(&it, p, len);
	while ((rc = wf_rtcp_next(&it, &pkt)) > 0)
		on_rtcp(lc, v, slot, &pkt, &cx);
	/* the packet counts once: taken in, or dropped where its compound
	 * stopped parsing (the messages before were served) */
	if (rc < 0) {
		lc->c.rtp_err[-rc]++;
		wf_drop(lc, m, WF_DROP_RTCP_PARSE);
		return;
	}
	lc->c.viewer_rtcp++;
	rte_pktmbuf_free(m);
}

/* RTP time of track t of stream now, from the source's SR mapping when
 * there is one, else from vt's last packet sent and its arrival time. */
static uint32_t rtp_now(unsigned stream, unsigned t, const struct wf_viewer_track *vt,
			uint64_t now)
{
	const struct wf_stream *s = &wf_app.streams[stream];
	const struct wf_src_clock *clk = &s->clock[t];
	uint32_t seq, base_rtp = vt->last_rtp_ts;
	uint64_t base_tsc = vt->last_tsc;
	bool sr;

	do {
		seq = rte_seqlock_read_begin(&clk->lock);
		sr = clk->have_sr;
		if (sr) {
			base_rtp = clk->sr_rtp;
			base_tsc = clk->sr_tsc;
		}
	} while (rte_seqlock_read_retry(&clk->lock, seq));
	if (now < base_tsc)
		return base_rtp;
	return base_rtp + (uint32_t)((unsigned __int128)(now - base_tsc) *
				     s->tracks[t].clock_rate / wf_app.tsc_hz);
}

static void send_sr(struct wf_lcore *lc, struct wf_viewer *v, unsigned t, uint64_t now)
{
	const struct wf_viewer_out *vo = wf_viewer_out(lc, v);
	const struct wf_viewer_track *vt = &vo->trk[t];
	struct wf_rtcp_sender_info si = {
		.ntp = wf_ntp_now(now),
		.rtp_ts = rtp_now(v->stream, t, vt, now),
		.packet_count = vt->packets,
		.octet_count = vt->octets,
	};
	struct rte_mbuf *out = rte_pktmbuf_alloc(wf_app.tx_pool);
	char cname[16];
	uint8_t *buf;
	size_t cap, len;
	int n, k;

	if (!out) {
		lc->c.drop[WF_DROP_MBUF_ALLOC]++;
		return;
	}
	buf = rte_pktmbuf_mtod(out, uint8_t *) + WF_L2L3L4_LEN;
	cap = rte_pktmbuf_tailroom(out) - WF_L2L3L4_LEN;
	snprintf(cname, sizeof(cname), "wf%08x", v->cname_hash);
	n = wf_rtcp_build_sr(buf, cap, vt->ssrc, &si, NULL, 0);
	k = n < 0 ? n : wf_rtcp_build_sdes_cname(buf + n, cap - (size_t)n, vt->ssrc, cname,
						  strlen(cname));
	if (n < 0 || k < 0) {
		rte_pktmbuf_free(out);
		lc->c.drop[WF_DROP_SR_BUILD]++;
		return;
	}
	len = (size_t)n + (size_t)k;
	if (vo->srtp) {
		int rc = wf_srtcp_protect(lc->srtp, &v->srtcp_out, &v->srtcp_index, buf, len, cap,
					  &len);

		if (rc < 0) {
			lc->c.srtp_err[-rc]++;
			wf_drop(lc, out, WF_DROP_PROTECT);
			return;
		}
	}
	rte_memcpy(rte_pktmbuf_mtod(out, uint8_t *), vo->hdr, WF_L2L3L4_LEN);
	wf_fanout_finish(vo, out, (unsigned)len);
	lc->c.sr_tx++;
	wf_tx(lc, vo->port_idx, out);
}

void wf_feedback_sr_timer(struct wf_lcore *lc, uint64_t now)
{
	uint64_t interval = wf_app.sr_interval_tsc;
	uint32_t slot;

	for (slot = 0; slot < lc->slot_hwm; slot++) {
		struct wf_viewer *v = &lc->viewers[slot];
		const struct wf_viewer_out *vo;
		unsigned t;

		if (!v->in_use || v->next_sr_tsc > now)
			continue;
		v->next_sr_tsc = now + interval;
		vo = wf_viewer_out(lc, v);
		for (t = 0; t < WF_MAX_TRACKS; t++)
			if (vo->trk[t].state == WF_VT_LIVE && vo->trk[t].packets)
				send_sr(lc, v, t, now);
	}
}
