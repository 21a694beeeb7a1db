/* apply.c: control messages applied by a worker between bursts (apply.h). */
#include "fast/apply.h"

#include <string.h>

#include <rte_memcpy.h>

#include "core/lcore.h"
#include "fast/ask.h"
#include "fast/fanout.h"
#include "fast/history.h"
#include "fast/ingest.h"
#include "fast/request.h"
#include "fast/whip.h"

/* Puts slot's viewer, with out what its copies read and write and key
 * their SRTP key, in cell to (a free one). */
static inline void member_put(struct wf_lcore *lc, uint32_t slot, uint32_t to,
			      const struct wf_viewer_out *out, const struct wf_srtp_keys *key)
{
	lc->members[to] = slot;
	/* relaxed: telemetry reads it inside members_sc (figs.c) */
	__atomic_store_n(&lc->viewers[slot].pos, to, __ATOMIC_RELAXED);
	rte_memcpy(&lc->member_out[to], out, sizeof(lc->member_out[to]));
	rte_memcpy(&lc->member_keys[to], key, sizeof(lc->member_keys[to]));
}

/* Moves the member in cell from, its state and key with it, to cell to (a
 * free one); cell from keeps a copy until it is filled or wiped. */
static inline void member_move(struct wf_lcore *lc, uint32_t from, uint32_t to)
{
	member_put(lc, lc->members[from], to, &lc->member_out[from], &lc->member_keys[from]);
}

/* Adds slot at the end of stream's range: each later stream's range moves
 * up a cell, its first member to the cell past its end (a stream's order
 * does not matter), from the last stream down, so the cell each move
 * fills was freed by the one before.  Streams above any that had a viewer
 * here are not visited: a control message costs as many moves as the
 * streams this worker serves, 256 at most (a move copies a key and its
 * copies' state, 1,328 bytes: 0.34 MB at most, tens of microseconds).
 * The new member's cell takes out and srtp_out.  Inside a write of
 * members_sc, as members_del(). */
static void members_add(struct wf_lcore *lc, uint32_t slot, uint16_t stream,
			const struct wf_viewer_out *out, const struct wf_srtp_keys *srtp_out)
{
	unsigned u;

	for (u = lc->members_top; u <= stream; u++)	/* new ranges start at the end */
		lc->first[u] = u ? lc->first[u - 1] + lc->count[u - 1] : 0;
	if (stream >= lc->members_top)
		lc->members_top = stream + 1u;
	for (u = lc->members_top - 1; u > stream; u--) {
		if (lc->count[u])
			member_move(lc, lc->first[u], lc->first[u] + lc->count[u]);
		lc->first[u]++;
	}
	member_put(lc, slot, lc->first[stream] + lc->count[stream], out, srtp_out);
	lc->count[stream]++;
}

/* Takes slot out of its stream's range: the range's last member fills its
 * cell, and each later stream's range moves down a cell, its last member
 * to the cell before its start.  The cell past the last range, which the
 * moves left behind, is wiped: its key and its copies' state (the
 * viewer's address among them). */
static void members_del(struct wf_lcore *lc, uint32_t slot)
{
	uint16_t stream = lc->viewers[slot].stream;
	uint32_t last = lc->first[stream] + lc->count[stream] - 1;
	unsigned u;

	if (lc->viewers[slot].pos != last)
		member_move(lc, last, lc->viewers[slot].pos);
	lc->count[stream]--;
	for (u = stream + 1u; u < lc->members_top; u++) {
		if (lc->count[u])
			member_move(lc, lc->first[u] + lc->count[u] - 1, lc->first[u] - 1);
		lc->first[u]--;
	}
	if (lc->members_top) {	/* always, for a viewer added here */
		uint32_t end = lc->first[lc->members_top - 1] + lc->count[lc->members_top - 1];

		wf_srtp_keys_wipe(&lc->member_keys[end]);
		explicit_bzero(&lc->member_out[end], sizeof(lc->member_out[end]));
	}
}

static int add_viewer(struct wf_lcore *lc, struct wf_ctrl_msg *msg)
{
	struct wf_viewer *v;
	unsigned t;

	if (msg->slot >= lc->n_slots || msg->viewer.stream >= WF_MAX_STREAMS)
		return -EINVAL;
	v = &lc->viewers[msg->slot];
	if (v->in_use)
		return -EBUSY;
	/* from the slot's new gen to the viewer's cell number: one write of
	 * members_sc, so telemetry never takes another member's cell for
	 * this viewer's (figs.c) */
	rte_seqcount_write_begin(&lc->members_sc);
	*v = msg->viewer;
	v->retx = (struct wf_retx_bucket){ 0 };	/* full at its first request */
	/* relaxed: telemetry compares gen around its copy (figs.c) */
	__atomic_store_n(&v->gen, msg->gen, __ATOMIC_RELAXED);
	__atomic_store_n(&v->in_use, 1, __ATOMIC_RELAXED);
	v->created_tsc = rte_rdtsc();
	v->next_sr_tsc = v->created_tsc + wf_app.sr_interval_tsc / 2;
	members_add(lc, msg->slot, v->stream, &msg->out, &msg->srtp_out);
	rte_seqcount_write_end(&lc->members_sc);
	lc->n_viewers++;
	if (msg->slot >= lc->slot_hwm)
		lc->slot_hwm = msg->slot + 1;
	for (t = 0; t < WF_MAX_TRACKS; t++) {
		if (msg->out.trk[t].state == WF_VT_OFF)
			continue;
		/* video starts at a key frame: the cached one if the owner has
		 * it, else the next; audio starts with the next packet.  The
		 * joining replay is not charged to the viewer's budget */
		if (wf_app.streams[v->stream].tracks[t].kind == WF_CONF_VIDEO)
			wf_ask_replay(lc, v, msg->slot, t, false, v->created_tsc);
		else
			wf_viewer_out(lc, v)->trk[t].state = WF_VT_WAIT;
	}
	return 0;
}

static int del_viewer(struct wf_lcore *lc, struct wf_ctrl_msg *msg)
{
	struct wf_viewer *v = wf_viewer_get(lc, msg->slot, msg->gen);

	if (!v)
		return -ENOENT;
	/* hand the final figures back to the slow path */
	msg->viewer = *v;
	msg->out = *wf_viewer_out(lc, v);
	/* from the cells' moves to the slot's new gen: one write of
	 * members_sc, so telemetry never reads another member's cell, which
	 * took this viewer's, under its gen (figs.c) */
	rte_seqcount_write_begin(&lc->members_sc);
	members_del(lc, msg->slot);
	__atomic_store_n(&v->in_use, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&v->gen, (uint16_t)(v->gen + 1), __ATOMIC_RELAXED);
	/* release fence: the new gen is visible before any write of a later
	 * viewer in this slot, so a telemetry thread that copied figures
	 * sees gen change (figs.c) */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	rte_seqcount_write_end(&lc->members_sc);
	wf_viewer_keys_wipe(v, NULL);	/* its srtp_out: members_del */
	lc->n_viewers--;
	return 0;
}

static int apply(struct wf_lcore *lc, struct wf_ctrl_msg *msg)
{
	struct wf_viewer_out *vo;
	struct wf_viewer *v;
	unsigned t;
	int rc;

	switch (msg->type) {
	case WF_CTRL_ADD_STREAM:
		if (msg->stream >= WF_MAX_STREAMS || lc->owned[msg->stream])
			return -EINVAL;
		lc->owned[msg->stream] = msg->state;
		wf_ingest_publish(lc, msg->stream);
		return 0;
	case WF_CTRL_DEL_STREAM:
		if (msg->stream >= WF_MAX_STREAMS || !lc->owned[msg->stream])
			return -ENOENT;
		msg->state = lc->owned[msg->stream];
		wf_replay_drop_stream(lc, msg->stream);
		for (t = 0; t < msg->state->n_tracks; t++)
			wf_history_clear(&msg->state->t[t]);
		wf_whip_wipe(&msg->state->whip);	/* its keys leave with it */
		lc->owned[msg->stream] = NULL;
		wf_ingest_publish(lc, msg->stream);	/* cleared */
		return 0;
	case WF_CTRL_ADD_VIEWER:
		rc = add_viewer(lc, msg);
		/* taken or refused, they stay here */
		wf_viewer_keys_wipe(&msg->viewer, &msg->srtp_out);
		return rc;
	case WF_CTRL_DEL_VIEWER:
		rc = del_viewer(lc, msg);
		/* the figures go back, the keys do not */
		wf_viewer_keys_wipe(&msg->viewer, &msg->srtp_out);
		return rc;
	case WF_CTRL_SET_PEER:
		v = wf_viewer_get(lc, msg->slot, msg->gen);
		if (!v)
			return -ENOENT;
		vo = wf_viewer_out(lc, v);
		memcpy(vo->hdr, msg->out.hdr, sizeof(vo->hdr));
		vo->ip_csum_base = msg->out.ip_csum_base;
		vo->port_idx = msg->out.port_idx;
		v->addr = msg->viewer.addr;
		v->udp_port = msg->viewer.udp_port;
		return 0;
	case WF_CTRL_SET_PUBLISHER:
		return wf_whip_set(lc, msg->stream, &msg->publisher);
	case WF_CTRL_DEL_PUBLISHER:
		return wf_whip_del(lc, msg->stream, msg->gen);
	default:
		return -EINVAL;
	}
}

unsigned wf_ctrl_take(struct wf_lcore *lc, struct wf_ctrl_msg **msgs, unsigned max)
{
	return rte_ring_dequeue_burst(lc->ctrl, (void **)msgs, max, NULL);
}

void wf_ctrl_apply(struct wf_lcore *lc, struct wf_ctrl_msg **msgs, unsigned n)
{
	unsigned i;

	/* the batch names viewers by slot and reads their keys in their
	 * member cells: it leaves before a viewer is removed, moved or its
	 * slot reused, and before a key moves to another cell (a copy
	 * encrypted with the next viewer's keys would reuse its SRTP indexes) */
	wf_whip_flush(lc);	/* its jobs point into the publishers' state */
	wf_fanout_flush(lc);
	for (i = 0; i < n; i++) {
		struct wf_ctrl_msg *msg = msgs[i];

		msg->status = apply(lc, msg);
		msg->worker = lc->idx;
		if (msg->status)
			lc->c.ctrl_failed++;
		/* the reply ring is as large as the control ring: it has room */
		rte_ring_enqueue(lc->reply, msg);
	}
	lc->c.ctrl_msgs += n;
}
