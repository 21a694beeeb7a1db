/* ctrl.h: control messages from the slow path to a worker.
 *
 * The slow path never writes a worker's tables: it fills a message from
 * wf_app.ctrl_pool, enqueues it on the worker's ctrl ring, and the worker
 * applies it between bursts and sends it back on its reply ring with a
 * status.  The slow path then reads the status and returns the message to
 * the pool.  Messages are big enough to carry a whole viewer (keys too).
 */
#ifndef WF_CTRL_H
#define WF_CTRL_H

#include <stdint.h>

#include "viewer.h"
#include "history.h"

enum wf_ctrl_type {
	WF_CTRL_ADD_STREAM = 1,	/* to the owner: take state (history) */
	WF_CTRL_DEL_STREAM,	/* to the owner: free the history, return state */
	WF_CTRL_ADD_VIEWER,	/* copy viewer into slot */
	WF_CTRL_DEL_VIEWER,	/* free slot (gen must match) */
	WF_CTRL_SET_PEER,	/* new destination for a viewer: viewer.hdr,
				 * ip_csum_base, port_idx, addr, udp_port */
};

struct wf_ctrl_msg {
	uint32_t type;
	int32_t status;		/* set by the worker: 0 or -errno */
	uint32_t worker;	/* set by the worker: its index (slots repeat
				 * across workers) */
	uint32_t slot;
	uint16_t gen;
	uint16_t stream;
	uint64_t cookie;	/* the slow path's own reference */
	struct wf_stream_state *state;	/* ADD_STREAM / DEL_STREAM */
	struct wf_viewer viewer;	/* ADD_VIEWER, SET_PEER */
};

struct wf_lcore;

/* Takes up to max messages waiting on lc's ctrl ring into msgs; returns
 * how many.  The dequeue orders everything the slow path did before it
 * sent them (frames it queued on slow_tx, say) before what follows. */
unsigned wf_ctrl_take(struct wf_lcore *lc, struct wf_ctrl_msg **msgs, unsigned max);

/* Applies n taken messages and answers each on the reply ring. */
void wf_ctrl_apply(struct wf_lcore *lc, struct wf_ctrl_msg **msgs, unsigned n);

#endif
