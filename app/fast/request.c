/* request.c: a stream owner's answers to NACKs and replay requests
 * (request.h). */
#include "fast/request.h"

#include "fast/fanout.h"
#include "fast/handoff.h"
#include "fast/history.h"
#include "fast/whip.h"

/* ext seq numbers are compared on the 32-bit circle. */
static inline bool ext_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/* Sends history packet m (or NULL) to the viewer's worker dst as a RETX
 * item for viewer/gen/stream/track; the item takes a reference of its
 * own. */
static void answer(struct wf_lcore *lc, unsigned dst, const struct wf_item *to,
		   struct rte_mbuf *m, uint8_t flags)
{
	struct wf_item it = {
		.kind = WF_ITEM_RETX, .m = m, .viewer = to->viewer, .gen = to->gen,
		.stream = to->stream, .track = to->track, .flags = flags,
	};

	if (m)
		rte_mbuf_refcnt_update(m, 1);
	if (dst == lc->idx)
		wf_fanout_item(lc, &it);
	else
		wf_handoff(lc, dst, &it);
}

/* A replay request: refused with a reason and answered "none", or taken
 * into the table of replays this lcore paces. */
static void replay_start(struct wf_lcore *lc, struct wf_stream_state *st,
			 const struct wf_track_state *ts, const struct wf_item *it)
{
	uint64_t now = rte_rdtsc();
	struct wf_replay *r = NULL;
	enum wf_refusal why;
	unsigned i;

	for (i = 0; i < lc->n_replays; i++) {
		struct wf_replay *q = &lc->replays[i];

		/* the viewer's earlier replay of this track: replaced */
		if (q->dst == it->src && q->viewer == it->viewer && q->gen == it->gen &&
		    q->stream == it->stream && q->track == it->track)
			r = q;
	}
	if (!ts->have_kf || !ts->have_any)
		why = WF_REFUSE_REPLAY_NO_KEYFRAME;
	else if (ts->newest - ts->last_kf >= wf_setting(&wf_app.replay_max_packets))
		why = WF_REFUSE_REPLAY_TOO_LONG;
	else if (!r && lc->n_replays == WF_MAX_REPLAYS)
		why = WF_REFUSE_REPLAY_BUSY;
	else if (!wf_replay_rate_admit(&st->replay_tat,
				       wf_setting(&wf_app.replay_per_stream_per_s), now, wf_app.tsc_hz))
		why = WF_REFUSE_REPLAY_STREAM_RATE;
	else
		why = WF_REFUSAL_COUNT;
	/* a WHIP publisher sends key frames when asked (a browser sends
	 * none of its own after the first): ask when the cache cannot serve */
	if (why == WF_REFUSE_REPLAY_NO_KEYFRAME || why == WF_REFUSE_REPLAY_TOO_LONG)
		wf_whip_keyframe_wanted(lc, it->stream, it->track);
	if (why != WF_REFUSAL_COUNT) {
		wf_refuse(lc, why, 1);
		answer(lc, it->src, it, NULL, WF_ITEM_F_REPLAY | WF_ITEM_F_NONE);
		return;
	}
	if (!r)
		r = &lc->replays[lc->n_replays++];
	*r = (struct wf_replay){
		.next_tsc = now, .start_tsc = now, .viewer = it->viewer, .next = ts->last_kf,
		.kf = ts->last_kf, .gen = it->gen, .stream = it->stream, .track = it->track,
		.dst = it->src,
	};
}

void wf_request_serve(struct wf_lcore *lc, const struct wf_item *it)
{
	struct wf_stream_state *st = lc->owned[it->stream];	/* uint8_t: < WF_MAX_STREAMS */
	struct wf_track_state *ts;
	struct rte_mbuf *m;

	if (!st || it->track >= st->n_tracks) {
		lc->c.drop[WF_DROP_INGEST_NO_STREAM]++;
		return;
	}
	ts = &st->t[it->track];
	if (it->kind == WF_ITEM_REQ_REPLAY) {
		replay_start(lc, st, ts, it);
		return;
	}
	m = ts->have_any ? wf_history_get(ts, it->ext) : NULL;
	if (!m) {
		wf_refuse(lc, WF_REFUSE_NACK_MISS, 1);
		return;
	}
	if (it->src != lc->idx && wf_handoff_busy(lc, it->src)) {
		wf_refuse(lc, WF_REFUSE_NACK_SHED, 1);
		return;
	}
	answer(lc, it->src, it, m, 0);
}

enum step { STEP_MORE, STEP_DONE };

/* Gives replay r up: its viewer waits for the next live key frame. */
static enum step replay_abort(struct wf_lcore *lc, const struct wf_replay *r)
{
	struct wf_item to = { .viewer = r->viewer, .gen = r->gen, .stream = r->stream,
			      .track = r->track };

	wf_refuse(lc, WF_REFUSE_REPLAY_ABORTED, 1);
	answer(lc, r->dst, &to, NULL, WF_ITEM_F_REPLAY | WF_ITEM_F_NONE);
	return STEP_DONE;
}

/* Sends replay r's next chunk when it is due, at most *left packets. */
static enum step replay_step(struct wf_lcore *lc, struct wf_replay *r, uint64_t now,
			     unsigned *left)
{
	struct wf_stream_state *st = lc->owned[r->stream];
	struct wf_item to = { .viewer = r->viewer, .gen = r->gen, .stream = r->stream,
			      .track = r->track };
	const struct wf_track_state *ts;
	unsigned k = 0;
	bool last = false;
	uint32_t end;

	if (r->next_tsc > now)
		return STEP_MORE;
	if (!st || r->track >= st->n_tracks)
		return STEP_DONE;	/* the stream went, and its viewers with it */
	ts = &st->t[r->track];
	if (!r->sent && (!ts->have_kf || ts->last_kf != r->kf))
		return STEP_DONE;	/* a newer key frame went out live: the
					 * waiting viewer started on it */
	if (ext_before(r->next, ts->oldest) || !ts->have_any ||
	    now - r->start_tsc > wf_app.tsc_hz / 1000 * WF_REPLAY_TIMEOUT_MS)
		return replay_abort(lc, r);
	r->next_tsc = now + wf_app.tsc_hz / 1000000 * WF_REPLAY_PACE_US;
	if (r->dst != lc->idx && wf_handoff_busy(lc, r->dst))
		return STEP_MORE;	/* live media first */
	/* the last packet to send: the newest held (the newest is, unless
	 * time-based eviction passed it with no key frame cached) */
	for (end = ts->newest; end != r->next - 1 && !wf_history_get(ts, end); end--)
		;
	while (k < WF_REPLAY_CHUNK && k < *left && !ext_before(end, r->next)) {
		uint32_t ext = r->next++;
		struct rte_mbuf *m = wf_history_get(ts, ext);

		if (!m)
			continue;	/* lost before it reached us */
		if (r->sent >= wf_setting(&wf_app.replay_max_packets))
			return replay_abort(lc, r);	/* the live edge ran away */
		last = ext == end;
		answer(lc, r->dst, &to, m, (uint8_t)(WF_ITEM_F_REPLAY |
			(r->sent ? 0 : WF_ITEM_F_FIRST) | (last ? WF_ITEM_F_LAST : 0)));
		r->sent++;
		k++;
	}
	*left -= k;
	if (!ext_before(end, r->next))
		return STEP_MORE;
	/* done; a replay whose last packets left meanwhile ends as given up */
	return last ? STEP_DONE : replay_abort(lc, r);
}

void wf_replay_poll(struct wf_lcore *lc, uint64_t now)
{
	unsigned i = 0, left = WF_REPLAY_POLL_MAX;

	while (i < lc->n_replays && left) {
		if (replay_step(lc, &lc->replays[i], now, &left) == STEP_MORE) {
			i++;
			continue;
		}
		lc->replays[i] = lc->replays[--lc->n_replays];
	}
}

void wf_replay_drop_stream(struct wf_lcore *lc, unsigned stream)
{
	unsigned i = 0;

	while (i < lc->n_replays) {
		if (lc->replays[i].stream == stream)
			lc->replays[i] = lc->replays[--lc->n_replays];
		else
			i++;
	}
}
