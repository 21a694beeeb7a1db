/* ctrl.h: control messages from the slow path to a worker.
 *
 * The slow path never writes a worker's tables: it fills a message from
 * wf_app.ctrl_pool, enqueues it on the worker's ctrl ring, and the worker
 * applies it between bursts and sends it back on its reply ring with a
 * status.  The slow path then reads the status and returns the message to
 * the pool (ctrlq.h; the worker's side: apply.h).  Messages are big enough
 * to carry a whole viewer (keys too).
 */
#ifndef WF_CTRL_H
#define WF_CTRL_H

#include <stdint.h>

#include "core/publisher.h"
#include "core/stream_state.h"
#include "core/viewer.h"

enum wf_ctrl_type {
	WF_CTRL_ADD_STREAM = 1,	/* to the owner: take state (history) */
	WF_CTRL_DEL_STREAM,	/* to the owner: free the history, return state */
	WF_CTRL_ADD_VIEWER,	/* copy viewer into slot */
	WF_CTRL_DEL_VIEWER,	/* free slot (gen must match) */
	WF_CTRL_SET_PEER,	/* new destination for a viewer: out.hdr,
				 * ip_csum_base, port_idx; viewer.addr,
				 * udp_port */
	WF_CTRL_SET_PUBLISHER,	/* to the owner of stream: take publisher
				 * (the stream's one; an earlier is replaced) */
	WF_CTRL_DEL_PUBLISHER,	/* to the owner of stream: drop its publisher
				 * if its generation is gen */
};

struct wf_ctrl_msg {
	uint32_t type;
	int32_t status;		/* set by the worker: 0 or -errno */
	uint32_t worker;	/* set by the worker: its index (slots repeat
				 * across workers) */
	uint32_t slot;
	uint16_t gen;
	uint16_t stream;
	uint64_t cookie;	/* the sender's own: what its done needs */
	/* the slow path's: what to do with the reply (ctrlq.h) */
	void (*done)(struct wf_ctrl_msg *msg);
	struct wf_stream_state *state;	/* ADD_STREAM / DEL_STREAM */
	union {
		struct {
			struct wf_viewer viewer;	/* ADD_VIEWER, SET_PEER */
			/* ADD_VIEWER, SET_PEER: what its copies read and
			 * write (its member cell) */
			struct wf_viewer_out out;
			/* ADD_VIEWER: the SRTP key of its copies; the
			 * worker wipes it and the viewer's keys from the
			 * message (a pool does not clear what it gets back) */
			struct wf_srtp_keys srtp_out;
		};
		struct wf_publisher publisher;	/* SET_PUBLISHER */
	};
};

#endif
