/* ask.c: requests to a stream's owner (ask.h). */
#include "fast/ask.h"

#include "fast/handoff.h"
#include "fast/request.h"

/* Sends item to the stream's owner, or serves it here when we own it. */
static void to_owner(struct wf_lcore *lc, struct wf_item *it)
{
	unsigned owner = wf_app.streams[it->stream].owner;

	it->src = (uint8_t)lc->idx;
	if (owner == lc->idx)
		wf_request_serve(lc, it);
	else
		wf_handoff(lc, owner, it);
}

void wf_ask_replay(struct wf_lcore *lc, struct wf_viewer *v, uint32_t slot, unsigned t,
		   bool charged, uint64_t now)
{
	struct wf_item it = {
		.kind = WF_ITEM_REQ_REPLAY, .viewer = slot, .gen = v->gen,
		.stream = (uint8_t)v->stream, .track = (uint8_t)t,
	};
	struct wf_viewer_track *vt = &wf_viewer_out(lc, v)->trk[t];

	vt->state = WF_VT_WAIT;
	vt->replay = WF_VT_REPLAY_ASKED | (charged ? WF_VT_REPLAY_CHARGED : 0);
	v->fb[t].replay_tsc = now;
	lc->c.replays++;
	to_owner(lc, &it);
}

void wf_ask_retx(struct wf_lcore *lc, struct wf_viewer *v, uint32_t slot, unsigned t,
		 uint32_t ext)
{
	struct wf_item it = {
		.kind = WF_ITEM_REQ_RETX, .viewer = slot, .gen = v->gen,
		.stream = (uint8_t)v->stream, .track = (uint8_t)t, .ext = ext,
	};

	to_owner(lc, &it);
}
