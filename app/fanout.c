/* fanout.c: viewers' copies of a stream's packets (fanout.h). */
#include "fanout.h"

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "handoff.h"
#include "ingest.h"
#include "tx.h"

struct wf_viewer *wf_viewer_get(struct wf_lcore *lc, uint32_t slot, uint16_t gen)
{
	struct wf_viewer *v;

	if (slot >= lc->n_slots)
		return NULL;
	v = &lc->viewers[slot];
	if (!v->in_use || v->gen != gen)
		return NULL;
	return v;
}

void wf_fanout_finish(const struct wf_viewer *v, struct rte_mbuf *out, unsigned l4_payload)
{
	uint8_t *d = rte_pktmbuf_mtod(out, uint8_t *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(d + 14);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(d + 34);
	uint16_t tot = (uint16_t)(20 + 8 + l4_payload);
	uint32_t sum;

	ip->total_length = rte_cpu_to_be_16(tot);
	/* RFC 1624: the template's sum with total length 0, plus the length;
	 * both in memory order, as rte_raw_cksum() sums */
	sum = (uint32_t)v->ip_csum_base + ip->total_length;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->hdr_checksum = (uint16_t)~sum;
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + l4_payload));
	udp->dgram_cksum = 0;	/* optional over IPv4 (RFC 768) */
	out->data_len = (uint16_t)(WF_L2L3L4_LEN + l4_payload);
	out->pkt_len = out->data_len;
}

/* Viewer index of source ext seq ext, or false when ext is before the
 * viewer's start. */
static inline bool index_for(const struct wf_viewer_track *vt, uint32_t ext, uint64_t *idx)
{
	int32_t d = (int32_t)(ext - vt->src_base);

	if (d < 0)
		return false;
	*idx = vt->idx_base + (uint32_t)d;
	return true;
}

static inline void start_at(struct wf_viewer_track *vt, uint32_t ext)
{
	vt->src_base = ext;
	vt->idx_base = vt->next_index;
	vt->last_ext = ext;
}

/* Protects and transmits the n jobs gathered in lc->jobs / lc->out. */
static void flush_jobs(struct wf_lcore *lc, unsigned n, bool srtp)
{
	unsigned i;

	if (srtp)
		wf_srtp_protect_burst(lc->srtp, lc->jobs, n);
	for (i = 0; i < n; i++) {
		struct wf_srtp_job *j = &lc->jobs[i];
		struct wf_viewer *v = &lc->viewers[lc->out_viewer[i]];
		unsigned len = srtp ? j->out_len : (unsigned)j->hdr_len + j->payload_len;

		if (srtp && j->status) {
			lc->c.srtp_err[-j->status]++;
			wf_drop(lc, lc->out[i], WF_DROP_PROTECT);
			continue;
		}
		wf_fanout_finish(v, lc->out[i], len);
		v->pkts_out++;
		v->bytes_out += len;
		lc->c.egress_pkts++;
		lc->c.egress_bytes += lc->out[i]->pkt_len;
		wf_tx(lc, v->port_idx, lc->out[i]);
	}
}

/* Prepares viewer v's copy of m under index idx as job n of the current
 * batch: returns true when a job was added. */
static bool add_job(struct wf_lcore *lc, unsigned n, uint32_t slot, struct wf_viewer *v,
		    unsigned t, struct rte_mbuf *m, uint64_t idx)
{
	const struct wf_mbuf_meta *meta = wf_meta(m);
	struct wf_viewer_track *vt = &v->trk[t];
	const uint8_t *src = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->rtp_off);
	unsigned plen = (unsigned)meta->rtp_len - meta->hdr_len;
	struct rte_mbuf *out;
	uint8_t *d, *rtp;

	out = rte_pktmbuf_alloc(wf_app.pool);
	if (!out) {
		lc->c.drop[WF_DROP_MBUF_ALLOC]++;
		return false;
	}
	d = rte_pktmbuf_mtod(out, uint8_t *);
	rte_memcpy(d, v->hdr, WF_L2L3L4_LEN);
	rtp = d + WF_L2L3L4_LEN;
	/* RFC 3550 §5.1: our own fixed header; no CSRCs or extensions
	 * (their ids were negotiated with the source, not the viewer) */
	rtp[0] = 0x80 | (meta->padding ? 0x20 : 0);
	rtp[1] = (uint8_t)(meta->marker << 7 | vt->pt);
	wf_rtp_wr16(rtp + 2, (uint16_t)idx);
	wf_rtp_wr32(rtp + 4, meta->rtp_ts);
	wf_rtp_wr32(rtp + 8, vt->ssrc);
	lc->jobs[n] = (struct wf_srtp_job){
		.keys = &v->srtp_out,
		.payload = src + meta->hdr_len,
		.out = rtp,
		.roc = (uint32_t)(idx >> 16),
		.hdr_len = WF_RTP_FIXED_LEN,
		.payload_len = (uint16_t)plen,
		.out_cap = (uint16_t)(rte_pktmbuf_tailroom(out) - WF_L2L3L4_LEN),
	};
	if (!v->srtp) {
		if (WF_RTP_FIXED_LEN + plen > lc->jobs[n].out_cap) {
			rte_pktmbuf_free(out);
			lc->c.drop[WF_DROP_PROTECT]++;
			return false;
		}
		rte_memcpy(rtp + WF_RTP_FIXED_LEN, src + meta->hdr_len, plen);
	}
	lc->out[n] = out;
	lc->out_viewer[n] = slot;
	if (idx >= vt->next_index)
		vt->next_index = idx + 1;
	if ((int32_t)(meta->ext_seq - vt->last_ext) > 0)
		vt->last_ext = meta->ext_seq;
	vt->packets++;
	/* RFC 3550 §6.4.1: the octet count leaves out header and padding
	 * (the padding count was validated at ingest) */
	vt->octets += plen - (meta->padding ? src[meta->rtp_len - 1] : 0u);
	vt->last_rtp_ts = meta->rtp_ts;
	vt->last_tsc = meta->rx_tsc;
	return true;
}

void wf_fanout_packet(struct wf_lcore *lc, struct rte_mbuf *m)
{
	const struct wf_mbuf_meta *meta = wf_meta(m);
	unsigned t = meta->track, n_srtp = 0;
	uint32_t slot = lc->head[meta->stream];
	struct wf_srtp_job plain_jobs[1];

	(void)plain_jobs;
	while (slot != WF_VIEWER_NONE) {
		struct wf_viewer *v = &lc->viewers[slot];
		struct wf_viewer_track *vt = &v->trk[t];
		uint32_t cur = slot;
		uint64_t idx;

		slot = v->next;
		/* the owner sends a replay whole, before any later live packet,
		 * on the ring live packets take: live during a replay means its
		 * tail was dropped (ring full, counted there); go on live */
		if (vt->state == WF_VT_REPLAY)
			vt->state = WF_VT_LIVE;
		if (vt->state == WF_VT_WAIT && (meta->flags & WF_META_KEYFRAME)) {
			start_at(vt, meta->ext_seq);
			vt->state = WF_VT_LIVE;
			vt->replay_asked = 0;	/* its answer, when it comes, is stale */
		}
		if (vt->state != WF_VT_LIVE || !index_for(vt, meta->ext_seq, &idx))
			continue;
		if (v->srtp) {
			/* plain outputs are sent one by one below; SRTP ones batched */
			if (add_job(lc, n_srtp, cur, v, t, m, idx) && ++n_srtp == WF_BURST) {
				flush_jobs(lc, n_srtp, true);
				n_srtp = 0;
			}
		} else {
			if (n_srtp) {
				flush_jobs(lc, n_srtp, true);
				n_srtp = 0;
			}
			if (add_job(lc, 0, cur, v, t, m, idx))
				flush_jobs(lc, 1, false);
		}
	}
	if (n_srtp)
		flush_jobs(lc, n_srtp, true);
}

/* Sends one history packet to one viewer (retransmission or replay). */
static void send_one(struct wf_lcore *lc, uint32_t slot, struct wf_viewer *v, unsigned t,
		     struct rte_mbuf *m)
{
	uint64_t idx;

	if (!index_for(&v->trk[t], wf_meta(m)->ext_seq, &idx))
		return;
	if (add_job(lc, 0, slot, v, t, m, idx))
		flush_jobs(lc, 1, v->srtp);
}

void wf_fanout_item(struct wf_lcore *lc, const struct wf_item *it)
{
	struct wf_viewer *v = wf_viewer_get(lc, it->viewer, it->gen);
	struct wf_viewer_track *vt;

	if (!v || it->track >= WF_MAX_TRACKS) {
		lc->c.drop[WF_DROP_VIEWER_GONE]++;
		return;
	}
	vt = &v->trk[it->track];
	if (!(it->flags & WF_ITEM_F_REPLAY)) {
		/* a NACK's answer: re-sent under the index it had */
		if (it->m && vt->state == WF_VT_LIVE) {
			send_one(lc, it->viewer, v, it->track, it->m);
			vt->retransmits++;
			lc->c.retransmits++;
		}
		return;
	}
	if (it->flags & (WF_ITEM_F_FIRST | WF_ITEM_F_NONE)) {
		/* an answer nobody waits for: the viewer started on a live key
		 * frame that the owner sent before it saw the request (or a
		 * second request's answer); replaying would repeat that frame */
		if (!vt->replay_asked)
			return;
		vt->replay_asked = 0;
		if (it->flags & WF_ITEM_F_NONE)
			return;	/* nothing cached: the next live key frame starts it */
		start_at(vt, wf_meta(it->m)->ext_seq);
		vt->state = WF_VT_REPLAY;
	}
	if (vt->state != WF_VT_REPLAY || !it->m)
		return;	/* the rest of a replay whose start was ignored or lost */
	send_one(lc, it->viewer, v, it->track, it->m);
	if (it->flags & WF_ITEM_F_LAST)
		vt->state = WF_VT_LIVE;
}

/* Sends item to the stream's owner, or handles it here when we own it. */
static void to_owner(struct wf_lcore *lc, struct wf_item *it)
{
	unsigned owner = wf_app.streams[it->stream].owner;

	it->src = (uint8_t)lc->idx;
	if (owner == lc->idx)
		wf_ingest_request(lc, it);
	else
		wf_handoff(lc, owner, it);
}

void wf_fanout_request_replay(struct wf_lcore *lc, struct wf_viewer *v, uint32_t slot,
			      unsigned t)
{
	struct wf_item it = {
		.kind = WF_ITEM_REQ_REPLAY, .viewer = slot, .gen = v->gen,
		.stream = (uint8_t)v->stream, .track = (uint8_t)t,
	};

	v->trk[t].state = WF_VT_WAIT;
	v->trk[t].replay_asked = 1;
	lc->c.replays++;
	to_owner(lc, &it);
}

void wf_fanout_request_retx(struct wf_lcore *lc, struct wf_viewer *v, uint32_t slot,
			    unsigned t, uint32_t ext)
{
	struct wf_item it = {
		.kind = WF_ITEM_REQ_RETX, .viewer = slot, .gen = v->gen,
		.stream = (uint8_t)v->stream, .track = (uint8_t)t, .ext = ext,
	};

	to_owner(lc, &it);
}
