/* ask.h: a viewer's worker asks the stream's owner for what its history
 * holds: a NACK's packet (WF_ITEM_REQ_RETX) or a replay from the last key
 * frame (WF_ITEM_REQ_REPLAY).  The request goes on the handoff ring to the
 * owner, or is served at once when this worker owns the stream
 * (request.h); the answers come back as WF_ITEM_RETX items (fanout.h). */
#ifndef WF_ASK_H
#define WF_ASK_H

#include "core/lcore.h"

/* Asks the stream's owner to replay track t from the last key frame to
 * viewer slot (the viewer waits for it); charged: its packets draw on the
 * viewer's budget (a PLI/FIR, not a join).  now: the TSC. */
void wf_ask_replay(struct wf_lcore *lc, struct wf_viewer *v, uint32_t slot, unsigned t,
		   bool charged, uint64_t now);

/* Asks the owner for source ext seq ext of track t for viewer slot. */
void wf_ask_retx(struct wf_lcore *lc, struct wf_viewer *v, uint32_t slot, unsigned t,
		 uint32_t ext);

#endif
