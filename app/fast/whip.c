/* whip.c: a WHIP publisher's SRTP and SRTCP on its stream's owner
 * (whip.h). */
#include "fast/whip.h"

#include <rte_ip.h>
#include <rte_udp.h>

#include "fast/fanout.h"
#include "fast/ingest.h"
#include "fast/srtcp.h"
#include "fast/tx.h"
#include "rtp/rtcp.h"

#define WF_WHIP_CNAME	"whepfan"	/* our CNAME in the compounds we send */

/* The track of stream state st whose payload type the publisher sends as
 * pt, or -1. */
static int track_of_pt(const struct wf_stream_state *st, uint8_t pt)
{
	const struct wf_publisher *pub = &st->whip.pub;
	unsigned t;

	for (t = 0; t < st->n_tracks && t < pub->n_tracks; t++)
		if (pub->on[t] && pub->pt[t] == pt)
			return (int)t;
	return -1;
}

/* SRTCP from the publisher: unprotected at once (its sender reports are
 * few, a burst would wait for nothing), then taken in as a plain source's
 * RTCP. */
static void srtcp_in(struct wf_lcore *lc, struct wf_stream_state *st, unsigned sid,
		     struct rte_mbuf *m, uint8_t *p, size_t len)
{
	struct wf_whip_state *w = &st->whip;
	size_t plain;
	int rc;

	if (len < WF_RTCP_MIN_HEADER) {
		lc->c.srtp_err[WF_SRTP_E_TOO_SHORT]++;
		wf_drop(lc, m, WF_DROP_WHIP_SRTCP);
		return;
	}
	rc = wf_srtcp_rx(lc->srtp, &w->pub.srtcp_in, w->srtcp_rx, WF_WHIP_SRTCP_PEERS, p, len,
			 &plain);
	if (rc < 0) {
		lc->c.srtp_err[-rc]++;
		wf_drop(lc, m, WF_DROP_WHIP_SRTCP);
		return;
	}
	wf_ingest_publisher_rtcp(lc, m, sid, p, plain);
}

static void settle(struct wf_lcore *lc, const struct wf_srtp_rx_job *job, struct rte_mbuf *m,
		   unsigned sid, unsigned t, uint64_t now);

void wf_whip_packet(struct wf_lcore *lc, struct rte_mbuf *m, unsigned sid, uint16_t gen)
{
	struct wf_stream_state *st = sid < WF_MAX_STREAMS ? lc->owned[sid] : NULL;
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(d + m->l2_len);
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(d + m->l2_len + m->l3_len);
	uint8_t *p = (uint8_t *)(udp + 1);
	size_t len = rte_be_to_cpu_16(udp->dgram_len) - sizeof(*udp);
	struct wf_whip_batch *b = &lc->whip;
	struct wf_srtp_rx_job *job;
	struct wf_whip_state *w;
	uint32_t ssrc;
	int t;

	/* the peer entry goes before DEL_PUBLISHER, but a packet that
	 * looked it up just before may come after, and a later publisher
	 * may have taken the stream meanwhile: its keys are not this one's */
	if (!st || !st->whip.pub.gen || st->whip.pub.gen != gen ||
	    st->whip.pub.addr != rte_be_to_cpu_32(ip->src_addr) ||
	    st->whip.pub.udp_port != rte_be_to_cpu_16(udp->src_port)) {
		wf_drop(lc, m, WF_DROP_PUBLISHER_GONE);
		return;
	}
	w = &st->whip;
	if (wf_rtp_is_rtcp(p, len)) {	/* RFC 5761 §4: rtcp-mux */
		srtcp_in(lc, st, sid, m, p, len);
		return;
	}
	if (len < WF_RTP_MIN_HEADER) {
		lc->c.srtp_err[WF_SRTP_E_TOO_SHORT]++;
		wf_drop(lc, m, WF_DROP_WHIP_UNPROTECT);
		return;
	}
	/* The payload type and SSRC are not authenticated yet: they only
	 * pick the replay state, and a packet that lies in them fails its
	 * tag (the header is authenticated) without moving any state. */
	t = track_of_pt(st, p[1] & 0x7f);
	if (t < 0) {
		wf_drop(lc, m, WF_DROP_WHIP_PT);
		return;
	}
	ssrc = wf_rtp_rd32(p + 8);
	if (w->pinned[t] && ssrc != w->ssrc[t]) {
		wf_drop(lc, m, WF_DROP_WHIP_SSRC);
		return;
	}
	job = &b->jobs[b->n];
	job->keys = &w->pub.srtp_in;
	job->replay = &w->replay[t];
	job->pkt = p;
	job->len = (uint16_t)len;
	/* A track that has not named its SSRC yet is named by its first
	 * authentic packet: each of its packets is opened alone and at once
	 * (in the batch's next free job, not taken), so a packet of another
	 * SSRC behind the naming one is dropped above, before its index can
	 * enter the track's replay window (from far ahead, it would make the
	 * named SSRC's next packets too old).  The poll's burst never holds
	 * such a packet, and is not cut short by them: forgeries on a track
	 * the publisher never sends on cost one unprotect each, not the burst
	 * of everything else. */
	if (!w->pinned[t]) {
		wf_srtp_unprotect_burst(lc->srtp, job, 1);
		lc->c.whip_bursts++;
		settle(lc, job, m, sid, (unsigned)t, rte_rdtsc());
		return;
	}
	b->m[b->n] = m;
	b->stream[b->n] = (uint16_t)sid;
	b->track[b->n] = (uint8_t)t;
	if (++b->n == WF_SRTP_BURST_MAX)
		wf_whip_flush(lc);
}

/* m now holds plain (that many bytes) RTP after its UDP header: the frame
 * ends there and its UDP and IPv4 lengths say so, as if it had come
 * unprotected (the history and a plain output read it so). */
static void plain_lengths(struct rte_mbuf *m, unsigned plain)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(d + m->l2_len);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(d + m->l2_len + m->l3_len);
	unsigned end = m->l2_len + m->l3_len + (unsigned)sizeof(*udp) + plain;

	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - end));
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + plain));
	udp->dgram_cksum = 0;	/* none (RFC 768 over IPv4) rather than a wrong one */
	ip->total_length = rte_cpu_to_be_16((uint16_t)(m->l3_len + sizeof(*udp) + plain));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* ---- Feedback to the publisher --------------------------------------- */

/* A new mbuf for feedback to a publisher: *buf where the RTCP goes (after
 * the template's headers), *cap bytes there, an SRTCP trailer's room kept
 * out of it.  NULL (counted) when the pool is empty. */
static struct rte_mbuf *fb_alloc(struct wf_lcore *lc, uint8_t **buf, size_t *cap)
{
	struct rte_mbuf *out = rte_pktmbuf_alloc(wf_app.tx_pool);

	if (!out) {
		lc->c.drop[WF_DROP_MBUF_ALLOC]++;
		return NULL;
	}
	*buf = rte_pktmbuf_mtod(out, uint8_t *) + WF_L2L3L4_LEN;
	*cap = rte_pktmbuf_tailroom(out) - WF_L2L3L4_LEN - WF_SRTCP_MAX_TRAILER;
	return out;
}

/* Protects the compound of len bytes at out's *buf under the publisher's
 * SRTCP key and queues it toward the publisher (takes out). */
static bool fb_send(struct wf_lcore *lc, struct wf_whip_state *w, struct rte_mbuf *out,
		    size_t len)
{
	uint8_t *buf = rte_pktmbuf_mtod(out, uint8_t *) + WF_L2L3L4_LEN;
	int rc = wf_srtcp_protect(lc->srtp, &w->pub.srtcp_out, &w->srtcp_index, buf, len,
				  rte_pktmbuf_tailroom(out) - WF_L2L3L4_LEN, &len);

	if (rc < 0) {
		lc->c.srtp_err[-rc]++;
		wf_drop(lc, out, WF_DROP_PROTECT);
		return false;
	}
	rte_memcpy(rte_pktmbuf_mtod(out, uint8_t *), w->pub.hdr, WF_L2L3L4_LEN);
	wf_l4_finish(w->pub.ip_csum_base, out, (unsigned)len);
	wf_tx(lc, w->pub.port_idx, out);
	return true;
}

/* An empty receiver report from us: RFC 3550 §6.1 has every compound
 * start with one (feedback messages follow it, RFC 4585 §3.1). */
static int empty_rr(uint8_t *buf, size_t cap, const struct wf_whip_state *w)
{
	return wf_rtcp_build_rr(buf, cap, w->pub.ssrc_out, NULL, 0);
}

/* Generic NACK (RFC 4585 §6.2.1) for the n sequence numbers before seq on
 * track t that its newest packet skipped: the WF_WHIP_NACK_MAX nearest
 * (one FCI: a PID and its 16 bits), one message per track per
 * WF_WHIP_NACK_INTERVAL_MS; what the rate leaves out is counted.  A
 * publisher resends a NACKed packet in its own SSRC and payload type (no
 * RTX is negotiated): ingest takes it as a late packet. */
#define WF_WHIP_NACK_MAX		17
#define WF_WHIP_NACK_INTERVAL_MS	20
static void nack_gap(struct wf_lcore *lc, struct wf_whip_state *w, unsigned t, uint16_t seq,
		     unsigned n)
{
	uint64_t now = rte_rdtsc();
	uint16_t seqs[WF_WHIP_NACK_MAX];
	struct rte_mbuf *out;
	unsigned k = n < WF_WHIP_NACK_MAX ? n : WF_WHIP_NACK_MAX, i;
	uint8_t *buf;
	size_t cap;
	int a, b;

	lc->owned[w->pub.stream]->t[t].missing += n;
	if (w->nack_tsc[t] &&
	    now - w->nack_tsc[t] < wf_app.tsc_hz / 1000 * WF_WHIP_NACK_INTERVAL_MS) {
		lc->c.whip_nack_limited += n;
		return;
	}
	lc->c.whip_nack_limited += n - k;
	for (i = 0; i < k; i++)		/* ascending: one FCI holds them */
		seqs[i] = (uint16_t)(seq - k + i);
	out = fb_alloc(lc, &buf, &cap);
	if (!out)
		return;
	a = empty_rr(buf, cap, w);
	b = a < 0 ? a : wf_rtcp_build_nack(buf + a, cap - (size_t)a, w->pub.ssrc_out,
					    lc->owned[w->pub.stream]->t[t].ssrc, seqs, k);
	if (a < 0 || b < 0) {
		wf_drop(lc, out, WF_DROP_WHIP_FB_BUILD);
		return;
	}
	w->nack_tsc[t] = now;
	if (fb_send(lc, w, out, (size_t)(a + b))) {
		lc->c.whip_nack_tx++;
		lc->c.whip_nack_seqs += k;
		lc->owned[w->pub.stream]->t[t].nacked += k;
	}
}

#define WF_WHIP_PLI_INTERVAL_MS	500

void wf_whip_keyframe_wanted(struct wf_lcore *lc, unsigned sid, unsigned t)
{
	struct wf_stream_state *st = sid < WF_MAX_STREAMS ? lc->owned[sid] : NULL;
	uint64_t now = rte_rdtsc();
	struct wf_whip_state *w;
	struct rte_mbuf *out;
	uint8_t *buf;
	size_t cap;
	int a, b;

	if (!st || !st->whip.pub.gen || t >= st->n_tracks || !st->t[t].latched ||
	    wf_app.streams[sid].tracks[t].kind != WF_CONF_VIDEO)
		return;
	w = &st->whip;
	if (w->pli_tsc[t] && now - w->pli_tsc[t] < wf_app.tsc_hz / 1000 * WF_WHIP_PLI_INTERVAL_MS) {
		lc->c.whip_pli_limited++;
		return;
	}
	out = fb_alloc(lc, &buf, &cap);
	if (!out)
		return;
	a = empty_rr(buf, cap, w);
	b = a < 0 ? a : wf_rtcp_build_pli(buf + a, cap - (size_t)a, w->pub.ssrc_out,
					   st->t[t].ssrc);
	if (a < 0 || b < 0) {
		wf_drop(lc, out, WF_DROP_WHIP_FB_BUILD);
		return;
	}
	w->pli_tsc[t] = now;
	if (fb_send(lc, w, out, (size_t)(a + b)))
		lc->c.whip_pli_tx++;
}

/* The receiver report to stream sid's publisher: a block per latched
 * track (RFC 3550 §6.4.2: loss, jitter, LSR and DLSR from its last sender
 * report), our CNAME, and REMB with the stream's max_bitrate_kbps. */
static void send_rr(struct wf_lcore *lc, struct wf_stream_state *st, unsigned sid, uint64_t now)
{
	struct wf_whip_state *w = &st->whip;
	struct wf_rtcp_report rb[WF_MAX_TRACKS];
	uint32_t ssrcs[WF_MAX_TRACKS];
	struct rte_mbuf *out;
	unsigned t, n = 0;
	uint8_t *buf;
	size_t cap;
	int a, b, c = 0;
	/* read at each report: a reload changes it for the publisher in */
	uint32_t max_bps = __atomic_load_n(&wf_app.streams[sid].max_bitrate_bps, __ATOMIC_RELAXED);

	for (t = 0; t < st->n_tracks; t++) {
		struct wf_track_state *ts = &st->t[t];
		const struct wf_src_clock *clk = &wf_app.streams[sid].clock[t];
		struct wf_rtp_loss loss;

		if (!ts->latched)
			continue;
		wf_rtp_source_report(&ts->stats, &loss);
		rb[n] = (struct wf_rtcp_report){
			.ssrc = ts->ssrc, .fraction_lost = loss.fraction_lost,
			.cumulative_lost = loss.cumulative_lost,
			.ext_highest_seq = loss.ext_highest_seq, .jitter = loss.jitter,
		};
		/* we are the clock's one writer: no seqlock to read it */
		if (clk->have_sr) {
			rb[n].lsr = wf_ntp_mid32(clk->sr_ntp);
			rb[n].dlsr = (uint32_t)((unsigned __int128)(now - clk->sr_tsc) * 65536 /
						wf_app.tsc_hz);
		}
		ssrcs[n++] = ts->ssrc;
	}
	out = fb_alloc(lc, &buf, &cap);
	if (!out)
		return;
	a = wf_rtcp_build_rr(buf, cap, w->pub.ssrc_out, rb, n);
	b = a < 0 ? a : wf_rtcp_build_sdes_cname(buf + a, cap - (size_t)a, w->pub.ssrc_out,
						  WF_WHIP_CNAME, sizeof(WF_WHIP_CNAME) - 1);
	if (b >= 0 && n && max_bps)
		c = wf_rtcp_build_remb(buf + a + b, cap - (size_t)(a + b), w->pub.ssrc_out,
				       max_bps, ssrcs, n);
	if (a < 0 || b < 0 || c < 0) {
		wf_drop(lc, out, WF_DROP_WHIP_FB_BUILD);
		return;
	}
	if (!fb_send(lc, w, out, (size_t)(a + b + c)))
		return;
	lc->c.whip_rr_tx++;
	lc->c.whip_remb_tx += c > 0;
}

#define WF_WHIP_RR_INTERVAL_MS	1000

void wf_whip_timer(struct wf_lcore *lc, uint64_t now)
{
	unsigned s;

	for (s = 0; s < WF_MAX_STREAMS; s++) {
		struct wf_stream_state *st = lc->owned[s];

		if (!st || !st->whip.pub.gen || now < st->whip.next_rr_tsc)
			continue;
		st->whip.next_rr_tsc = now + wf_app.tsc_hz / 1000 * WF_WHIP_RR_INTERVAL_MS;
		send_rr(lc, st, s, now);
	}
}

/* The longest step ts_continue() takes: 2^30 ticks, forward for every
 * receiver (a step of 2^31 or more is one back, modulo 2^32). */
#define WF_WHIP_TS_GAP_MAX	0x40000000u

/* The offset that makes a new publisher's first timestamp ts, on track ts
 * of stream sid, follow the last one the viewers were sent by as much as
 * the time since then: browsers take a jump in RTP time as a new stream
 * (a VP8 key frame whose picture ID and timestamp both went back is
 * dropped as old), and the viewers' SSRC and sequence numbers go on. */
static uint32_t ts_continue(const struct wf_track_state *ts, unsigned sid, unsigned t,
			    uint32_t first, uint64_t now)
{
	uint64_t rate = wf_app.streams[sid].tracks[t].clock_rate;
	unsigned __int128 ticks;

	if (!ts->out_ts_valid || !rate)
		return 0;
	/* a pause of 2^31 ticks or more (6.6 hours at 90 kHz) would land
	 * in the half behind: a long pause is a long step, no more */
	ticks = (unsigned __int128)(now - ts->out_ts_tsc) * rate / wf_app.tsc_hz;
	if (ticks > WF_WHIP_TS_GAP_MAX)
		ticks = WF_WHIP_TS_GAP_MAX;
	return ts->out_ts + 1 + (uint32_t)ticks - first;
}

/* Packet m of track t of stream sid after its unprotect (job): dropped
 * with its reason, or named, put on the stream's time line and ingested. */
static void settle(struct wf_lcore *lc, const struct wf_srtp_rx_job *job, struct rte_mbuf *m,
		   unsigned sid, unsigned t, uint64_t now)
{
	struct wf_stream_state *st = lc->owned[sid];
	struct wf_whip_state *w = &st->whip;
	struct wf_track_state *ts = &st->t[t];
	uint32_t ssrc, rtp_ts;
	uint16_t seq;
	int gap;

	if (job->status) {
		lc->c.srtp_err[-job->status]++;
		wf_drop(lc, m, WF_DROP_WHIP_UNPROTECT);
		return;
	}
	/* the track's first authentic packet names its SSRC (it came alone:
	 * wf_whip_packet) */
	ssrc = wf_rtp_rd32(job->pkt + 8);
	rtp_ts = wf_rtp_rd32(job->pkt + 4);
	if (!w->pinned[t]) {
		w->pinned[t] = true;
		w->ssrc[t] = ssrc;
		w->ts_off[t] = ts_continue(ts, sid, t, rtp_ts, now);
	} else if (ssrc != w->ssrc[t]) {
		wf_drop(lc, m, WF_DROP_WHIP_SSRC);
		return;
	}
	lc->c.whip_srtp++;
	plain_lengths(m, job->out_len);
	/* in the history and to every viewer in one time line */
	rtp_ts += w->ts_off[t];
	wf_rtp_wr32(job->pkt + 4, rtp_ts);
	if (!ts->out_ts_valid || (int32_t)(rtp_ts - ts->out_ts) > 0) {
		ts->out_ts = rtp_ts;
		ts->out_ts_tsc = now;
		ts->out_ts_valid = true;
	}
	seq = wf_rtp_rd16(job->pkt + 2);	/* m may be gone after ingest */
	gap = wf_ingest_publisher_rtp(lc, m, sid, t, w->pub.pt[t]);
	if (gap > 0)
		nack_gap(lc, w, t, seq, (unsigned)gap);
}

void wf_whip_flush(struct wf_lcore *lc)
{
	struct wf_whip_batch *b = &lc->whip;
	unsigned n = b->n, i;
	uint64_t now;

	if (!n)
		return;
	b->n = 0;
	now = rte_rdtsc();
	wf_srtp_unprotect_burst(lc->srtp, b->jobs, n);
	lc->c.whip_bursts++;
	for (i = 0; i < n; i++)
		settle(lc, &b->jobs[i], b->m[i], b->stream[i], b->track[i], now);
}

void wf_whip_wipe(struct wf_whip_state *w)
{
	wf_publisher_keys_wipe(&w->pub);
	memset(w, 0, sizeof(*w));
}

/* Forgets the source clock mapping of stream sid's tracks: the next
 * publisher's RTP timestamps start elsewhere, and a viewer's sender report
 * built from the old mapping would put its audio and video out of step
 * until the new publisher's first report. */
static void clock_forget(unsigned sid)
{
	unsigned t;

	for (t = 0; t < WF_MAX_TRACKS; t++) {
		struct wf_src_clock *clk = &wf_app.streams[sid].clock[t];

		rte_seqlock_write_lock(&clk->lock);
		clk->have_sr = false;
		rte_seqlock_write_unlock(&clk->lock);
	}
}

/* The same publisher (generation) at a new address: an ICE restart or a
 * NAT rebinding, with the keys of its one DTLS handshake.  Only where it
 * is and how to reach it change: its replay windows, SSRCs and SRTCP
 * state stay, or a recording of its packets replayed from the new
 * address would be taken again.  Its tracks stay latched, at the new
 * address, so their numbering goes on where it was. */
static void publisher_move(struct wf_stream_state *st, const struct wf_publisher *pub)
{
	struct wf_publisher *cur = &st->whip.pub;
	unsigned t;

	memcpy(cur->hdr, pub->hdr, sizeof(cur->hdr));
	cur->ip_csum_base = pub->ip_csum_base;
	cur->port_idx = pub->port_idx;
	cur->addr = pub->addr;
	cur->udp_port = pub->udp_port;
	for (t = 0; t < st->n_tracks; t++) {
		struct wf_track_state *ts = &st->t[t];

		if (!ts->latched)
			continue;
		ts->src_addr = pub->addr;
		ts->src_port = pub->udp_port;
		ts->src_port_idx = pub->port_idx;
	}
}

int wf_whip_set(struct wf_lcore *lc, unsigned sid, struct wf_publisher *pub)
{
	struct wf_stream_state *st = sid < WF_MAX_STREAMS ? lc->owned[sid] : NULL;
	unsigned t;

	/* the message goes back to the slow path's pool, taken or refused:
	 * no copy of the keys stays in it */
	if (!st || !pub->gen) {
		wf_publisher_keys_wipe(pub);
		return !st ? -ENOENT : -EINVAL;
	}
	if (st->whip.pub.gen == pub->gen) {
		publisher_move(st, pub);
		wf_publisher_keys_wipe(pub);
		return 0;
	}
	wf_whip_wipe(&st->whip);
	st->whip.pub = *pub;
	st->whip.pub.stream = (uint16_t)sid;
	/* the widest replay windows: a packet resent after our NACK comes a
	 * round trip late, behind up to a key frame's burst of newer ones
	 * (srtp.h); the history decides what is too old to use */
	for (t = 0; t < WF_MAX_TRACKS; t++)
		st->whip.replay[t].size = WF_SRTP_REPLAY_WINDOW_MAX;
	wf_publisher_keys_wipe(pub);
	/* the new publisher's SSRCs take the tracks with their first
	 * packets; our extended numbering goes on (latch()), so the
	 * viewers' sequence numbers have no gap */
	for (t = 0; t < st->n_tracks; t++)
		st->t[t].latched = false;
	clock_forget(sid);
	return 0;
}

int wf_whip_del(struct wf_lcore *lc, unsigned sid, uint16_t gen)
{
	struct wf_stream_state *st = sid < WF_MAX_STREAMS ? lc->owned[sid] : NULL;
	unsigned t;

	if (!st || !st->whip.pub.gen || st->whip.pub.gen != gen)
		return -ENOENT;
	wf_whip_wipe(&st->whip);
	for (t = 0; t < st->n_tracks; t++)
		st->t[t].latched = false;
	clock_forget(sid);
	return 0;
}
