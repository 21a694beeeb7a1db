/* fanout.c: viewers' copies of a stream's packets (fanout.h). */
#include "fast/fanout.h"

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "fast/handoff.h"
#include "fast/tx.h"

void wf_l4_finish(uint16_t ip_csum_base, struct rte_mbuf *out, unsigned l4_payload)
{
	uint8_t *d = rte_pktmbuf_mtod(out, uint8_t *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(d + WF_ETH_LEN);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(d + WF_ETH_LEN + WF_IP4_LEN);
	uint16_t tot = (uint16_t)(WF_IP4_LEN + WF_UDP_LEN + l4_payload);
	uint32_t sum;

	ip->total_length = rte_cpu_to_be_16(tot);
	/* RFC 1624: the template's sum with total length 0, plus the length;
	 * both in memory order, as rte_raw_cksum() sums */
	sum = (uint32_t)ip_csum_base + ip->total_length;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->hdr_checksum = (uint16_t)~sum;
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(WF_UDP_LEN + l4_payload));
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

/* Queues job i of b for transmission, protected (srtp) or plain. */
static void send_one(struct wf_lcore *lc, struct wf_batch *b, unsigned i, bool srtp)
{
	struct wf_srtp_job *j = &b->jobs[i];
	struct wf_viewer_out *vo = b->vo[i];
	unsigned len = srtp ? j->out_len : (unsigned)j->hdr_len + j->payload_len;

	if (srtp && j->status) {
		lc->c.srtp_err[-j->status]++;
		wf_drop(lc, b->out[i], WF_DROP_PROTECT);
		return;
	}
	wf_fanout_finish(vo, b->out[i], len);
	vo->pkts_out++;
	vo->bytes_out += len;
	lc->c.egress_pkts++;
	lc->c.egress_bytes += b->out[i]->pkt_len;
	wf_tx_media(lc, vo->port_idx, b->out[i], b->rx_tsc[i]);
}

void wf_fanout_flush(struct wf_lcore *lc)
{
	struct wf_batch *b = &lc->batch;
	unsigned i, n = b->n;

	if (!n)
		return;
	wf_srtp_protect_burst(lc->srtp, b->jobs, n);
	for (i = 0; i < n; i++)
		send_one(lc, b, i, true);
	rte_pktmbuf_free_bulk(b->src, b->n_src);	/* the history packets the jobs read */
	b->n = 0;
	b->n_src = 0;
}

/* Counts the job just added to the batch (after its source packet is
 * held); a full batch goes out. */
static inline void job_added(struct wf_lcore *lc, struct wf_batch *b)
{
	if (++b->n == WF_BURST)
		wf_fanout_flush(lc);
}

/* Prepares the copy of m of the viewer whose member cell holds vo and key
 * in out (NULL: none could be had) under index idx as job n of b (rx_tsc:
 * m's arrival for a live copy, else 0): returns true when a job was
 * added. */
static bool add_job(struct wf_lcore *lc, struct wf_batch *b, unsigned n,
		    struct wf_viewer_out *vo, const struct wf_srtp_keys *key, unsigned t,
		    struct rte_mbuf *m, uint64_t idx, uint64_t rx_tsc, struct rte_mbuf *out)
{
	const struct wf_mbuf_meta *meta = wf_meta(m);
	struct wf_viewer_track *vt = &vo->trk[t];
	const uint8_t *src = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->rtp_off);
	unsigned plen = (unsigned)meta->rtp_len - meta->hdr_len;
	uint8_t *d, *rtp;

	if (!out) {
		lc->c.drop[WF_DROP_MBUF_ALLOC]++;
		return false;
	}
	d = rte_pktmbuf_mtod(out, uint8_t *);
	rte_memcpy(d, vo->hdr, WF_L2L3L4_LEN);
	rtp = d + WF_L2L3L4_LEN;
	/* RFC 3550 §5.1: our own fixed header; no CSRCs or extensions
	 * (their ids were negotiated with the source, not the viewer) */
	rtp[0] = 0x80 | (meta->padding ? 0x20 : 0);
	rtp[1] = (uint8_t)(meta->marker << 7 | vt->pt);
	wf_rtp_wr16(rtp + 2, (uint16_t)idx);
	wf_rtp_wr32(rtp + 4, meta->rtp_ts);
	wf_rtp_wr32(rtp + 8, vt->ssrc);
	b->jobs[n] = (struct wf_srtp_job){
		.keys = key,
		.payload = src + meta->hdr_len,
		.out = rtp,
		.roc = (uint32_t)(idx >> 16),
		.hdr_len = WF_RTP_FIXED_LEN,
		.payload_len = (uint16_t)plen,
		.out_cap = (uint16_t)(rte_pktmbuf_tailroom(out) - WF_L2L3L4_LEN),
	};
	if (!vo->srtp) {
		if (WF_RTP_FIXED_LEN + plen > b->jobs[n].out_cap) {
			rte_pktmbuf_free(out);
			lc->c.drop[WF_DROP_PROTECT]++;
			return false;
		}
		rte_memcpy(rtp + WF_RTP_FIXED_LEN, src + meta->hdr_len, plen);
	}
	b->out[n] = out;
	b->vo[n] = vo;
	b->rx_tsc[n] = rx_tsc;
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

/* A replay that outlived WF_REPLAY_TIMEOUT_MS lost its end (its items
 * were dropped, or the owner gave it up): the track waits for the next
 * live key frame. */
static void replay_timeout(struct wf_lcore *lc, struct wf_viewer_track *vt,
			   const struct wf_viewer_fb *fb, uint64_t now)
{
	/* signed: a packet that arrived before the request is not late */
	if ((int64_t)(now - fb->replay_tsc) < (int64_t)(wf_app.tsc_hz / 1000 * WF_REPLAY_TIMEOUT_MS))
		return;
	vt->state = WF_VT_WAIT;
	vt->replay = 0;
	wf_refuse(lc, WF_REFUSE_REPLAY_ABORTED, 1);
}

/* Fresh mbufs for one packet's copies, taken from the pool in bulk (a
 * burst at most, no more than the viewers left); what is left over goes
 * back when the packet is done.  Bulk allocation measured 12-18 % faster
 * with 10 and 1,000 viewers (docs/performance.md). */
struct spares {
	struct rte_mbuf *m[WF_BURST];
	unsigned n, next;
};

static inline struct rte_mbuf *spare_take(struct spares *s, unsigned left)
{
	if (s->next == s->n) {
		unsigned want = RTE_MIN(left, (unsigned)WF_BURST);

		s->next = 0;
		s->n = rte_pktmbuf_alloc_bulk(wf_app.tx_pool, s->m, want) ? 0 : want;
		if (!s->n)	/* fewer left in the pool than asked: one by one */
			return rte_pktmbuf_alloc(wf_app.tx_pool);
	}
	return s->m[s->next++];
}

/* What wf_fanout_packet carries from one viewer to the next. */
struct live_pass {
	struct rte_mbuf *m;
	const struct wf_mbuf_meta *meta;
	struct spares sp;
	unsigned left;		/* viewers not yet visited, this one included */
	bool held;		/* the batch holds a reference to m */
};

/* The live copy of the packet for the member in cell c, if its track takes
 * it now. */
static void live_copy(struct wf_lcore *lc, struct live_pass *p, uint32_t c)
{
	const struct wf_mbuf_meta *meta = p->meta;
	struct wf_viewer_out *vo = &lc->member_out[c];
	struct wf_viewer_track *vt = &vo->trk[meta->track];
	struct wf_batch *b = &lc->batch;
	uint64_t idx;

	if (vt->state == WF_VT_REPLAY) {
		/* the owner paces the replay up to the newest packet: this one
		 * comes in it */
		replay_timeout(lc, vt, &lc->viewers[lc->members[c]].fb[meta->track], meta->rx_tsc);
		return;
	}
	if (vt->state == WF_VT_WAIT && (meta->flags & WF_META_KEYFRAME)) {
		start_at(vt, meta->ext_seq);
		vt->state = WF_VT_LIVE;
		vt->replay = 0;	/* a replay's answer, when it comes, is stale */
	}
	if (vt->state != WF_VT_LIVE || !index_for(vt, meta->ext_seq, &idx) ||
	    !add_job(lc, b, b->n, vo, &lc->member_keys[c], meta->track, p->m, idx, meta->rx_tsc,
		     spare_take(&p->sp, p->left)))
		return;
	if (!vo->srtp) {
		/* a plain output's copy is whole: it goes now, outside the
		 * batch (job b->n is scratch until the next add) */
		send_one(lc, b, b->n, false);
		return;
	}
	if (!p->held) {
		/* the history may let m go before the batch is sent */
		rte_mbuf_refcnt_update(p->m, 1);
		b->src[b->n_src++] = p->m;
		p->held = true;
	}
	job_added(lc, b);
	if (!b->n)
		p->held = false;	/* the batch went out, and its reference to m */
}

/* How far ahead of the copy being made the walk fetches a member's SRTP
 * key head (its checks and AES round keys): a stream's keys are more than
 * the L2 holds at a thousand viewers (1.1 MB), and a copy takes about a
 * quarter of a microsecond, a load from the last level cache less.  The
 * cells' copies' state (176 bytes each, in walk order) is left to the
 * CPU's prefetcher, which follows it: fetching it two cells ahead as well
 * measured slower (docs/performance.md). */
#define KEY_AHEAD	1

void wf_fanout_packet(struct wf_lcore *lc, struct rte_mbuf *m)
{
	struct live_pass p = { .m = m, .meta = wf_meta(m) };
	unsigned i, n = lc->count[p.meta->stream];
	uint32_t first = lc->first[p.meta->stream];
	const struct wf_srtp_keys *keys = lc->member_keys + first;

	if (n)
		wf_srtp_keys_prefetch(&keys[0]);
	/* resends queued before this packet are in the batch before its
	 * copies: a replay's packets precede the live ones that follow it */
	for (i = 0; i < n; i++) {
		if (i + KEY_AHEAD < n)
			wf_srtp_keys_prefetch(&keys[i + KEY_AHEAD]);
		p.left = n - i;
		live_copy(lc, &p, first + i);
	}
	if (p.sp.next < p.sp.n)
		rte_pktmbuf_free_bulk(p.sp.m + p.sp.next, p.sp.n - p.sp.next);
}

/* Sends history packet m again to one viewer (a NACK's answer or a replay
 * packet) under the index it maps to; takes m's reference.  SRTP copies
 * join the batch (one protect burst with other copies and resends). */
static void resend(struct wf_lcore *lc, struct wf_viewer *v, unsigned t, struct rte_mbuf *m)
{
	struct wf_viewer_out *vo = wf_viewer_out(lc, v);
	struct wf_batch *b = &lc->batch;
	uint64_t idx;

	if (!index_for(&vo->trk[t], wf_meta(m)->ext_seq, &idx) ||
	    !add_job(lc, b, b->n, vo, &lc->member_keys[v->pos], t, m, idx, 0,
		     rte_pktmbuf_alloc(wf_app.tx_pool))) {
		rte_pktmbuf_free(m);
		return;
	}
	if (!vo->srtp) {
		send_one(lc, b, b->n, false);	/* the payload was copied */
		rte_pktmbuf_free(m);
		return;
	}
	b->src[b->n_src++] = m;	/* the batch takes m's reference */
	job_added(lc, b);
}

bool wf_fanout_resend_shed(const struct wf_lcore *lc, const struct wf_viewer *v)
{
	unsigned owner = wf_app.streams[v->stream].owner;

	return (owner != lc->idx && wf_handoff_busy(lc, owner)) ||
	       wf_tx_congested(lc, wf_viewer_out(lc, v)->port_idx);
}

/* A NACK's answer: resent under the index it had, the viewer's budget
 * corrected from the estimate it was charged to the packet's size. */
static void nack_answer(struct wf_lcore *lc, struct wf_viewer *v, unsigned t, struct rte_mbuf *m)
{
	struct wf_viewer_out *vo = wf_viewer_out(lc, v);
	struct wf_viewer_track *vt = &vo->trk[t];
	int64_t est = wf_resend_estimate(v->stream, t);

	if (!wf_vt_mapped(vt)) {
		wf_refuse(lc, WF_REFUSE_NACK_NOT_LIVE, 1);
		wf_retx_bucket_charge(&v->retx, -est);
		rte_pktmbuf_free(m);
		return;
	}
	if (wf_tx_congested(lc, vo->port_idx)) {
		wf_refuse(lc, WF_REFUSE_NACK_SHED, 1);
		wf_retx_bucket_charge(&v->retx, -est);
		rte_pktmbuf_free(m);
		return;
	}
	wf_retx_bucket_charge(&v->retx, (int64_t)wf_meta(m)->rtp_len - est);
	v->fb[t].retransmits++;
	lc->c.retransmits++;
	resend(lc, v, t, m);
}

void wf_fanout_item(struct wf_lcore *lc, const struct wf_item *it)
{
	struct wf_viewer *v = wf_viewer_get(lc, it->viewer, it->gen);
	struct wf_viewer_track *vt;

	if (!v || it->track >= WF_MAX_TRACKS) {
		lc->c.drop[WF_DROP_VIEWER_GONE]++;
		if (it->m)
			rte_pktmbuf_free(it->m);
		return;
	}
	vt = &wf_viewer_out(lc, v)->trk[it->track];
	if (!(it->flags & WF_ITEM_F_REPLAY)) {
		if (it->m)
			nack_answer(lc, v, it->track, it->m);
		return;
	}
	if (it->flags & WF_ITEM_F_NONE) {
		/* nothing to replay (refused or nothing cached, counted by the
		 * owner), or a replay given up half way: the next live key
		 * frame starts the track */
		if (vt->replay & WF_VT_REPLAY_ASKED)
			vt->replay = 0;
		else if (vt->state == WF_VT_REPLAY) {
			vt->state = WF_VT_WAIT;
			vt->replay = 0;
		}
		return;
	}
	if (it->flags & WF_ITEM_F_FIRST) {
		/* an answer nobody waits for: the viewer started on a live key
		 * frame that the owner sent before it saw the request (or a
		 * second request's answer); replaying would repeat that frame */
		if (!(vt->replay & WF_VT_REPLAY_ASKED)) {
			rte_pktmbuf_free(it->m);
			return;
		}
		vt->replay &= (uint8_t)~WF_VT_REPLAY_ASKED;
		start_at(vt, wf_meta(it->m)->ext_seq);
		vt->state = WF_VT_REPLAY;
	}
	if (vt->state != WF_VT_REPLAY) {
		rte_pktmbuf_free(it->m);	/* the rest of a replay whose start was ignored */
		return;
	}
	if (vt->replay & WF_VT_REPLAY_CHARGED)
		wf_retx_bucket_charge(&v->retx, wf_meta(it->m)->rtp_len);
	lc->c.replay_pkts++;
	if (it->flags & WF_ITEM_F_LAST) {
		vt->state = WF_VT_LIVE;
		vt->replay = 0;
	}
	resend(lc, v, it->track, it->m);
}
