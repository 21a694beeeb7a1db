/* whip.c: a WHIP publisher's SRTP and SRTCP on its stream's owner
 * (whip.h). */
#include "fast/whip.h"

#include <rte_ip.h>
#include <rte_udp.h>

#include "fast/feedback.h"
#include "fast/ingest.h"

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
	b->m[b->n] = m;
	b->stream[b->n] = (uint16_t)sid;
	b->track[b->n] = (uint8_t)t;
	if (++b->n == WF_SRTP_BURST_MAX)
		wf_whip_flush(lc);
}

/* m now holds plain bytes bytes of RTP after its UDP header: the frame
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

void wf_whip_flush(struct wf_lcore *lc)
{
	struct wf_whip_batch *b = &lc->whip;
	unsigned n = b->n, i;

	if (!n)
		return;
	b->n = 0;
	wf_srtp_unprotect_burst(lc->srtp, b->jobs, n);
	lc->c.whip_bursts++;
	for (i = 0; i < n; i++) {
		const struct wf_srtp_rx_job *job = &b->jobs[i];
		struct wf_whip_state *w = &lc->owned[b->stream[i]]->whip;
		struct rte_mbuf *m = b->m[i];
		unsigned t = b->track[i];
		uint32_t ssrc;

		if (job->status) {
			lc->c.srtp_err[-job->status]++;
			wf_drop(lc, m, WF_DROP_WHIP_UNPROTECT);
			continue;
		}
		/* the track's first authentic packet names its SSRC; one of
		 * another SSRC in the same burst came before it was known */
		ssrc = wf_rtp_rd32(job->pkt + 8);
		if (!w->pinned[t]) {
			w->pinned[t] = true;
			w->ssrc[t] = ssrc;
		} else if (ssrc != w->ssrc[t]) {
			wf_drop(lc, m, WF_DROP_WHIP_SSRC);
			continue;
		}
		lc->c.whip_srtp++;
		plain_lengths(m, job->out_len);
		wf_ingest_publisher_rtp(lc, m, b->stream[i], t, w->pub.pt[t]);
	}
}

void wf_whip_wipe(struct wf_whip_state *w)
{
	wf_srtp_keys_wipe(&w->pub.srtp_in);
	wf_srtp_keys_wipe(&w->pub.srtcp_in);
	wf_srtp_keys_wipe(&w->pub.srtcp_out);
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

int wf_whip_set(struct wf_lcore *lc, unsigned sid, const struct wf_publisher *pub)
{
	struct wf_stream_state *st = sid < WF_MAX_STREAMS ? lc->owned[sid] : NULL;
	unsigned t;

	if (!st)
		return -ENOENT;
	if (!pub->gen)
		return -EINVAL;
	wf_whip_wipe(&st->whip);
	st->whip.pub = *pub;
	st->whip.pub.stream = (uint16_t)sid;
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
