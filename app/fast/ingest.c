/* ingest.c: a stream's source, on its owner lcore (ingest.h). */
#include "fast/ingest.h"

#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "core/budget.h"
#include "core/pub.h"
#include "fast/fanout.h"
#include "fast/handoff.h"
#include "fast/history.h"
#include "rtp/keyframe.h"
#include "rtp/rtcp.h"

/* The stream's source table now in use (published by the slow path). */
static inline const struct wf_stream_sources *sources_of(const struct wf_stream *s)
{
	return &s->src_tab[__atomic_load_n(&s->src_cur, __ATOMIC_ACQUIRE) & 1];
}

/* Whether src may send to the stream (streams[].sources). */
static bool source_allowed(const struct wf_stream_sources *ss, uint32_t src)
{
	unsigned i;

	if (!ss->n)
		return true;
	for (i = 0; i < ss->n; i++)
		if ((src & ss->net[i].mask) == ss->net[i].addr)
			return true;
	return false;
}

/* Whether sport is the latched source's RTP port or the one beside it,
 * which its RTCP may come from (RFC 3550 §11). */
static inline bool source_port(uint16_t sport, uint16_t port)
{
	return sport == port || sport == (uint16_t)(port + 1);
}

enum wf_drop wf_ingest_screen(uint16_t map, uint32_t src, uint16_t sport)
{
	const struct wf_stream *s = &wf_app.streams[wf_ingest_map_stream(map)];
	unsigned t = wf_ingest_map_track(map);
	uint64_t live;
	uint16_t port;

	if (!source_allowed(sources_of(s), src))
		return WF_DROP_INGEST_FOREIGN;
	live = t < WF_MAX_TRACKS ? __atomic_load_n(&s->live_src[t], __ATOMIC_RELAXED) : 0;
	port = (uint16_t)live;
	if (live && ((uint32_t)(live >> 16) != src || !source_port(sport, port)))
		return WF_DROP_INGEST_SOURCE;
	return WF_DROP_COUNT;
}

static int video_codec(uint8_t conf_codec)
{
	switch (conf_codec) {
	case WF_CONF_H264: return WF_KF_H264;
	case WF_CONF_VP8: return WF_KF_VP8;
	case WF_CONF_VP9: return WF_KF_VP9;
	case WF_CONF_AV1: return WF_KF_AV1;
	default: return -1;
	}
}

/* The sender reports in compound p[0..len) whose SSRC is the one latched
 * on one of tracks [t0, t1) of stream sid (state st) set that track's
 * clock mapping, which every viewer's sender reports are built from.
 * Returns 0 when the compound parsed to its end (*foreign: a report of
 * another SSRC was not used), else the lib/rtp error where it stopped
 * (the reports before it were used). */
static int take_srs(const struct wf_stream_state *st, unsigned sid, unsigned t0, unsigned t1,
		    const uint8_t *p, size_t len, uint64_t now, bool *foreign)
{
	struct wf_rtcp_iter it;
	struct wf_rtcp_pkt pkt;
	int rc;

	*foreign = false;
	wf_rtcp_iter_init(&it, p, len);
	while ((rc = wf_rtcp_next(&it, &pkt)) > 0) {
		struct wf_rtcp_rpt r;
		struct wf_src_clock *clk;
		unsigned t;

		if (pkt.pt != WF_RTCP_SR || wf_rtcp_parse_report(&pkt, &r) < 0)
			continue;
		for (t = t0; t < t1; t++)
			if (st->t[t].latched && r.ssrc == st->t[t].ssrc)
				break;
		if (t == t1) {
			*foreign = true;
			continue;
		}
		clk = &wf_app.streams[sid].clock[t];
		rte_seqlock_write_lock(&clk->lock);
		clk->sr_ntp = r.si.ntp;
		/* a WHIP publisher's timestamps are moved onto the stream's
		 * time line (whip.c); an RTP source's offset is 0 */
		clk->sr_rtp = r.si.rtp_ts + st->whip.ts_off[t];
		clk->sr_tsc = now;
		clk->have_sr = true;
		rte_seqlock_write_unlock(&clk->lock);
	}
	return rc < 0 ? rc : 0;
}

/* RTCP from the source: sender reports set the track's clock mapping, so
 * only the latched source may send them: its address, its RTP port or the
 * next one (RFC 3550 §11), its SSRC. */
static void source_rtcp(struct wf_lcore *lc, const struct wf_stream_state *st, unsigned sid,
			unsigned t, uint32_t src, uint16_t sport, const uint8_t *p, size_t len,
			uint64_t now)
{
	const struct wf_track_state *ts = &st->t[t];
	bool foreign;
	int rc;

	if (!ts->latched || src != ts->src_addr || !source_port(sport, ts->src_port)) {
		lc->c.drop[WF_DROP_INGEST_RTCP_SOURCE]++;
		return;
	}
	rc = take_srs(st, sid, t, t + 1, p, len, now, &foreign);
	/* the packet counts once: taken in, or dropped for the first
	 * reason (the SRs before a parse error were used) */
	if (rc < 0) {
		lc->c.rtp_err[-rc]++;
		lc->c.drop[WF_DROP_INGEST_RTCP]++;
	} else if (foreign) {
		lc->c.drop[WF_DROP_INGEST_RTCP_SOURCE]++;
	} else {
		lc->c.ingest_rtcp++;
	}
}

void wf_ingest_publisher_rtcp(struct wf_lcore *lc, struct rte_mbuf *m, unsigned sid,
			      const uint8_t *p, size_t len)
{
	const struct wf_stream_state *st = lc->owned[sid];
	bool foreign;
	int rc = take_srs(st, sid, 0, st->n_tracks, p, len, rte_rdtsc(), &foreign);

	/* authenticated: what is not a track's SR (its receiver reports,
	 * SDES, an SR of an SSRC it does not send on) is the publisher's own
	 * business, taken in */
	if (rc < 0) {
		lc->c.rtp_err[-rc]++;
		wf_drop(lc, m, WF_DROP_INGEST_RTCP);
		return;
	}
	lc->c.ingest_rtcp++;
	rte_pktmbuf_free(m);
}

/* Sends m (already in the history) to every worker with viewers. */
static void distribute(struct wf_lcore *lc, const struct wf_stream *s, struct rte_mbuf *m)
{
	/* acquire: pairs with the release in registry.c; the viewer itself
	 * reaches worker w through its control ring, the bit only routes */
	uint32_t mask = __atomic_load_n(&s->fanout_mask, __ATOMIC_ACQUIRE);
	unsigned w;

	for (w = 0; mask; w++, mask >>= 1) {
		struct wf_item it = { .kind = WF_ITEM_MEDIA };

		if (!(mask & 1))
			continue;
		if (w == lc->idx) {
			wf_fanout_packet(lc, m);
			continue;
		}
		rte_mbuf_refcnt_update(m, 1);
		it.m = m;
		wf_handoff(lc, w, &it);
	}
}

/* Whether the packet's source may feed track ts: the latched one, or a new
 * one (latched now) once the latched source has been silent for
 * timeout_tsc (the stream's source_timeout_ms; 0 for a WHIP publisher,
 * the one source there is).  Drops m (counted) when not. */
static bool latch(struct wf_lcore *lc, struct rte_mbuf *m, struct wf_track_state *ts,
		  uint64_t timeout_tsc, const struct wf_rtp_hdr *h, uint32_t src, uint16_t sport,
		  uint64_t now)
{
	if (ts->latched && h->ssrc == ts->ssrc && src == ts->src_addr && sport == ts->src_port)
		return true;
	if (ts->latched && now - ts->last_rx_tsc < timeout_tsc) {
		wf_drop(lc, m, h->ssrc != ts->ssrc ? WF_DROP_INGEST_SSRC : WF_DROP_INGEST_SOURCE);
		return false;
	}
	/* a new source (or a restart): our ext numbering goes on */
	ts->latched = true;
	ts->ssrc = h->ssrc;
	ts->src_addr = src;
	ts->src_port = sport;
	ts->src_port_idx = m->port;
	ts->last_seq = (uint16_t)(h->seq - 1);
	wf_rtp_source_init(&ts->stats, h->seq);
	if (!ts->have_any)
		ts->newest = 0x10000u + h->seq - 1;	/* ext starts above 0 */
	return true;
}

/* WF_META_KEYFRAME when the packet at rtp starts a key frame (audio: every
 * packet, it can start anywhere), else 0. */
static uint8_t keyframe_flag(struct wf_lcore *lc, const struct wf_stream *s, unsigned t,
			     const struct wf_track_state *ts, const uint8_t *rtp,
			     const struct wf_rtp_hdr *h)
{
	int c, rc;

	if (s->tracks[t].kind == WF_CONF_AUDIO)
		return WF_META_KEYFRAME;
	c = video_codec(s->tracks[t].codec);
	rc = c < 0 ? 0 : wf_keyframe_detect((enum wf_kf_codec)c, rtp + h->hdr_len, h->payload_len);
	/* SPS, PPS and IDR may each say "key frame": the first packet of the
	 * frame (by RTP timestamp) is the one that starts it */
	if (rc == WF_KEYFRAME_START && !(ts->have_kf && ts->last_kf_ts == h->timestamp))
		return WF_META_KEYFRAME;
	if (rc < 0)
		lc->c.rtp_err[-rc]++;	/* counted, still forwarded */
	return 0;
}

/* The packet ext, stored in the history: the key-frame cache, the
 * source's statistics (RFC 3550 A.3, A.8) and the counters. */
static void track_note(struct wf_lcore *lc, const struct wf_stream *s, unsigned t,
		       struct wf_track_state *ts, const struct wf_rtp_hdr *h, uint32_t ext,
		       bool keyframe, uint16_t len, uint64_t now)
{
	if ((int32_t)(ext - ts->newest) >= 0)
		ts->last_seq = h->seq;
	/* the cache starts at the newest key frame */
	if (keyframe && s->tracks[t].kind == WF_CONF_VIDEO &&
	    (!ts->have_kf || (int32_t)(ext - ts->last_kf) > 0)) {
		ts->last_kf = ext;
		ts->last_kf_ts = h->timestamp;
		if (ts->have_kf)
			ts->kf_interval_tsc = now - ts->last_kf_tsc;
		ts->have_kf = true;
		ts->last_kf_tsc = now;
		ts->keyframes++;
	}
	wf_rtp_source_update_seq(&ts->stats, h->seq);
	wf_rtp_source_update_jitter(&ts->stats, h->timestamp,
				    (uint32_t)((unsigned __int128)(now - wf_app.start_tsc) *
					       s->tracks[t].clock_rate / wf_app.tsc_hz));
	ts->last_rx_tsc = now;
	ts->pkts++;
	ts->bytes += len;
	lc->c.ingest_pkts++;
	lc->c.ingest_bytes += len;
}

/* What the history and fan-out read of packet m (RTP header h at off of
 * track t of stream sid, extended sequence number ext), kept in its
 * metadata; the flags are the caller's.  rx_tsc is there already: the
 * worker that received m wrote it (classify.c). */
static inline struct wf_mbuf_meta *meta_note(struct rte_mbuf *m, const struct wf_rtp_hdr *h,
					     unsigned off, unsigned sid, unsigned t, uint32_t ext)
{
	struct wf_mbuf_meta *meta = wf_meta(m);

	meta->ext_seq = ext;
	meta->rtp_ts = h->timestamp;
	meta->rtp_off = (uint16_t)off;
	meta->rtp_len = (uint16_t)(h->hdr_len + h->payload_len + h->pad_len);
	meta->hdr_len = h->hdr_len;
	meta->stream = (uint16_t)sid;
	meta->track = (uint8_t)t;
	meta->marker = h->marker;
	meta->padding = h->pad_len ? 1 : 0;
	return meta;
}

/* Keeps old, which a history let go, for wf_ingest_flush(), and starts
 * fetching the two lines rte_pktmbuf_free() reads: it was stored a ring's
 * length ago, and by the flush they are here. */
static inline void evicted(struct wf_lcore *lc, struct rte_mbuf *old)
{
	rte_prefetch0(old);
	rte_prefetch0(RTE_PTR_ADD(old, RTE_CACHE_LINE_SIZE));
	lc->evicted[lc->n_evicted++] = old;
	if (lc->n_evicted == WF_EVICT_BATCH)
		wf_ingest_flush(lc);
}

/* RTP at d + off (len bytes, the rest of the datagram) of m for track t
 * of stream sid, owned here, from src:sport, from RTP validation on: the
 * payload type pt, the latch (timeout_tsc: latch()), our extended
 * sequence number, the key-frame mark, the history, the track's figures,
 * the fan-out.  Plain RTP and a WHIP publisher's, unprotected, both come
 * this way.  Takes m.  Returns -1 when m was dropped, else how many
 * sequence numbers it skipped past the newest packet before it (lost or
 * late: a WHIP publisher is NACKed for them). */
static int ingest_rtp(struct wf_lcore *lc, struct rte_mbuf *m, unsigned sid, unsigned t,
		       uint8_t pt, uint64_t timeout_tsc, uint32_t src, uint16_t sport,
		       unsigned off, uint16_t len, uint64_t now)
{
	const struct wf_stream *s = &wf_app.streams[sid];
	struct wf_track_state *ts = &lc->owned[sid]->t[t];
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	struct wf_mbuf_meta *meta;
	struct rte_mbuf *old;
	struct wf_rtp_hdr h;
	uint32_t ext;
	int32_t ahead;
	int rc;

	rc = wf_rtp_parse(d + off, len, &h);
	if (rc < 0) {
		lc->c.rtp_err[-rc]++;
		wf_drop(lc, m, WF_DROP_INGEST_BAD_RTP);
		return -1;
	}
	if (h.pt != pt) {
		wf_drop(lc, m, WF_DROP_INGEST_PT);
		return -1;
	}
	if (!latch(lc, m, ts, timeout_tsc, &h, src, sport, now))
		return -1;
	ext = ts->newest + (uint32_t)(int32_t)wf_seq_diff(h.seq, ts->last_seq);
	ahead = ts->have_any ? (int32_t)(ext - ts->newest) : 1;
	if (ahead <= -(int32_t)ts->mask) {
		wf_drop(lc, m, WF_DROP_INGEST_OLD);
		return -1;
	}
	meta = meta_note(m, &h, off, sid, t, ext);
	meta->flags = keyframe_flag(lc, s, t, ts, d + off, &h);
	if (!wf_history_put(ts, m, ext, &old)) {
		wf_drop(lc, m, WF_DROP_INGEST_OLD);
		return -1;
	}
	if (old)
		evicted(lc, old);
	track_note(lc, s, t, ts, &h, ext, meta->flags & WF_META_KEYFRAME, len, now);
	distribute(lc, s, m);
	return ahead > 1 ? ahead - 1 : 0;
}

/* Where m's UDP payload starts and how long it is (classify.c checked the
 * lengths). */
static inline unsigned udp_payload(struct rte_mbuf *m, uint16_t *len, uint32_t *src,
				   uint16_t *sport)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(d + m->l2_len);
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(d + m->l2_len + m->l3_len);

	*len = (uint16_t)(rte_be_to_cpu_16(udp->dgram_len) - sizeof(*udp));
	*src = rte_be_to_cpu_32(ip->src_addr);
	*sport = rte_be_to_cpu_16(udp->src_port);
	return m->l2_len + m->l3_len + (unsigned)sizeof(*udp);
}

void wf_ingest_one(struct wf_lcore *lc, struct rte_mbuf *m)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(d + m->l2_len + m->l3_len);
	uint16_t map = wf_ingest_map_get(rte_be_to_cpu_16(udp->dst_port));
	uint64_t now = rte_rdtsc();
	const struct wf_stream_sources *ss;
	struct wf_stream_state *st;
	const struct wf_stream *s;
	unsigned sid, t, off;
	uint32_t src;
	uint16_t sport, len;

	if (!map) {
		wf_drop(lc, m, WF_DROP_INGEST_NO_STREAM);
		return;
	}
	sid = wf_ingest_map_stream(map);
	t = wf_ingest_map_track(map);
	s = &wf_app.streams[sid];
	st = lc->owned[sid];
	if (!wf_stream_is_active(s) || !st || t >= st->n_tracks) {
		wf_drop(lc, m, WF_DROP_INGEST_NO_STREAM);
		return;
	}
	off = udp_payload(m, &len, &src, &sport);
	ss = sources_of(s);
	if (!source_allowed(ss, src)) {
		wf_drop(lc, m, WF_DROP_INGEST_FOREIGN);
		return;
	}
	if (len >= 2 && wf_rtp_is_rtcp(d + off, len)) {
		source_rtcp(lc, st, sid, t, src, sport, d + off, len, now);
		rte_pktmbuf_free(m);
		return;
	}
	ingest_rtp(lc, m, sid, t, s->tracks[t].pt, ss->timeout_tsc, src, sport, off, len, now);
}

int wf_ingest_publisher_rtp(struct wf_lcore *lc, struct rte_mbuf *m, unsigned sid, unsigned t,
			    uint8_t pt)
{
	uint32_t src;
	uint16_t sport, len;
	unsigned off = udp_payload(m, &len, &src, &sport);

	return ingest_rtp(lc, m, sid, t, pt, 0, src, sport, off, len, rte_rdtsc());
}

/* Publishes track t's rate (bytes a second) for the viewers' resend
 * budgets. */
static void rate_set(struct wf_stream *s, unsigned t, uint32_t rate)
{
	/* relaxed: each a figure of its own (app.h); we are its one writer */
	__atomic_store_n(&s->rate_bytes[t], rate, __ATOMIC_RELAXED);
}

/* Publishes the rate before track t's pause (0: none, or it ended). */
static void held_set(struct wf_stream *s, unsigned t, uint32_t rate)
{
	__atomic_store_n(&s->held_bytes[t], rate, __ATOMIC_RELAXED);
}

/* Publishes what a window of dt cycles measured: the rate and the mean
 * packet. */
static void rate_publish(struct wf_stream *s, unsigned t, uint64_t bytes, uint64_t pkts,
			 uint64_t dt)
{
	uint32_t prev = __atomic_load_n(&s->rate_bytes[t], __ATOMIC_RELAXED);

	rate_set(s, t, wf_retx_window_rate(prev, bytes, pkts, dt, wf_app.tsc_hz));
	if (pkts)
		__atomic_store_n(&s->pkt_bytes[t], (uint32_t)(bytes / pkts), __ATOMIC_RELAXED);
}

/* The source's rate over the last second, for telemetry (bitrate_bps) and
 * the viewers' budgets.  Until a full second has measured something (a
 * source just started), the budgets get the bytes so far as a rate a
 * second, from 100 ms on: a viewer joining a new stream may have losses to
 * repair at once.  A
 * silent second publishes 0 and holds the rate before it: held_bytes, a
 * joining viewer's first fill, for history_ms of pause; a source that
 * resumes within history_ms gets it back until its first full second
 * (wf_retx_resume_rate()). */
static void rate_update(struct wf_stream *s, unsigned t, struct wf_track_state *ts, uint64_t now)
{
	uint64_t dt, bytes, pkts;

	if (!ts->rate_tsc) {
		/* the first packets, or the first after a silent window: a
		 * window starts (with them in it) */
		if (ts->pkts != ts->rate_pkts) {
			ts->rate_tsc = now;
			ts->held_rate = wf_retx_resume_rate(ts->held_rate, now - ts->silent_tsc,
							    ts->window_tsc);
			if (ts->held_rate)
				rate_set(s, t, ts->held_rate);
			held_set(s, t, 0);
		} else if (ts->held_rate &&
			   !wf_retx_resume_rate(ts->held_rate, now - ts->silent_tsc, ts->window_tsc)) {
			/* history_ms since the last window with packets ended:
			 * what was lost before the pause is gone; a viewer joining
			 * now is replayed the cached key frame with an empty
			 * budget (conservative: its losses stay unrepaired) */
			ts->held_rate = 0;
			held_set(s, t, 0);
		}
		return;
	}
	dt = now - ts->rate_tsc;
	bytes = ts->bytes - ts->rate_bytes;
	pkts = ts->pkts - ts->rate_pkts;
	if (dt < wf_app.tsc_hz) {
		/* counted over a second, not dt: never more than was sent (a
		 * burst measured over its first 100 ms would give ten times
		 * itself to every viewer's bucket) */
		if (!ts->bitrate_bps && !ts->held_rate && dt >= wf_app.tsc_hz / 10)
			rate_publish(s, t, bytes, pkts, wf_app.tsc_hz);
		return;
	}
	ts->bitrate_bps = bytes * 8 * wf_app.tsc_hz / dt;
	if (pkts) {
		ts->held_rate = 0;
	} else {	/* a pause begins (a full window follows one with packets,
			 * which cleared held_rate) */
		ts->held_rate = __atomic_load_n(&s->rate_bytes[t], __ATOMIC_RELAXED);
		ts->silent_tsc = ts->rate_tsc;
		held_set(s, t, ts->held_rate);
	}
	rate_publish(s, t, bytes, pkts, dt);
	ts->rate_bytes = ts->bytes;
	ts->rate_pkts = ts->pkts;
	ts->rate_tsc = pkts ? now : 0;	/* silent: the next window starts with the source */
}

void wf_ingest_timer(struct wf_lcore *lc, uint64_t now)
{
	unsigned s, t;

	for (s = 0; s < WF_MAX_STREAMS; s++) {
		struct wf_stream_state *st = lc->owned[s];

		if (!st)
			continue;
		for (t = 0; t < st->n_tracks; t++) {
			struct wf_track_state *ts = &st->t[t];

			wf_history_evict(ts, now);
			rate_update(&wf_app.streams[s], t, ts, now);
		}
		wf_ingest_publish(lc, s);
	}
}

/* The telemetry view of a track owned here. */
static void track_view(const struct wf_track_state *ts, uint32_t gen, struct wf_track_view *v)
{
	v->stream_gen = gen;
	v->ssrc = ts->ssrc;
	v->packets = ts->pkts;
	v->bytes = ts->bytes;
	v->keyframes = ts->keyframes;
	v->bitrate_bps = ts->bitrate_bps;
	v->last_kf_tsc = ts->have_kf ? ts->last_kf_tsc : 0;
	v->jitter = ts->stats.jitter >> 4;	/* RFC 3550 A.8 keeps it × 16 */
	v->latched = ts->latched;
	v->last_rx_tsc = ts->last_rx_tsc;
	if (ts->latched) {
		/* RFC 3550 A.3: expected minus received since the source began */
		int64_t expected = (int64_t)ts->stats.cycles + ts->stats.max_seq -
				   ts->stats.base_seq + 1;
		int64_t lost = expected - ts->stats.received;

		v->lost = (int32_t)(lost < 0 ? 0 : lost > INT32_MAX ? INT32_MAX : lost);
	}
	v->history_packets = ts->have_any ? ts->newest - ts->oldest + 1 : 0;
	v->kf_interval_tsc = ts->kf_interval_tsc;
	v->missing = ts->missing;
	v->nacked = ts->nacked;
}

/* Track ts's source word for wf_stream.live_src at now: its address and
 * port while it is latched and has sent within timeout_tsc, else 0. */
static uint64_t live_source(const struct wf_track_state *ts, uint64_t timeout_tsc, uint64_t now)
{
	if (!ts->latched || now - ts->last_rx_tsc >= timeout_tsc)
		return 0;
	return WF_LIVE_SOURCE(ts->src_addr, ts->src_port);
}

void wf_ingest_publish(struct wf_lcore *lc, unsigned sid)
{
	const struct wf_stream_state *st = lc->owned[sid];
	struct wf_stream *s = &wf_app.streams[sid];
	uint64_t now = rte_rdtsc(), timeout = sources_of(s)->timeout_tsc;
	unsigned t;

	for (t = 0; t < WF_MAX_TRACKS; t++) {
		struct wf_track_pub *p = &lc->tel[sid][t];
		uint64_t live = st && t < st->n_tracks ? live_source(&st->t[t], timeout, now) : 0;
		struct wf_track_view v;

		/* we are its one writer while we own the stream: a store only
		 * when it changes */
		if (__atomic_load_n(&s->live_src[t], __ATOMIC_RELAXED) != live)
			__atomic_store_n(&s->live_src[t], live, __ATOMIC_RELAXED);

		memset(&v, 0, sizeof(v));
		if (st && t < st->n_tracks) {
			track_view(&st->t[t], st->gen, &v);
			v.publisher_gen = st->whip.pub.gen;
		}
		wf_pub_write(&p->sc, &p->v, &v, sizeof(v));
	}
}
