/* request.h: a stream owner serves viewers' lcores from the history it
 * holds: a NACK's packet (WF_ITEM_REQ_RETX) or a key-frame replay
 * (WF_ITEM_REQ_REPLAY, RFC 4585 §6.3.1 PLI, RFC 5104 §4.3.1 FIR, or a
 * viewer joining).
 *
 * A replay runs from the cached key frame to the newest packet, at most
 * webrtc.replay_max_packets, and is paced: WF_REPLAY_CHUNK packets every
 * WF_REPLAY_PACE_US (about 8 ms for 1,000 packets) rather than one burst
 * that overflows the transmit queue, never while the ring to the viewer's
 * worker is over half full (live media first).  It chases the live edge:
 * the viewer skips the live packets that arrive meanwhile (fanout.c) and
 * each chunk runs up to the newest, so the replay ends (WF_ITEM_F_LAST)
 * right before the next live packet.  A stream starts at most
 * webrtc.replay_per_stream_per_s replays a second.  Answers travel as
 * WF_ITEM_RETX items on the ring live media takes, so they keep its order.
 */
#ifndef WF_REQUEST_H
#define WF_REQUEST_H

#include "core/lcore.h"

#define WF_REPLAY_CHUNK		32	/* packets one replay sends at a time */
#define WF_REPLAY_PACE_US	250	/* between its chunks */
#define WF_REPLAY_POLL_MAX	64	/* replay packets an owner sends per poll */

/* Serves a viewer lcore's request (WF_ITEM_REQ_RETX, WF_ITEM_REQ_REPLAY)
 * from the history this lcore owns; refusals are counted (refusal.h) and a
 * refused replay is answered WF_ITEM_F_NONE. */
void wf_request_serve(struct wf_lcore *lc, const struct wf_item *it);

/* Sends the replay chunks that are due (called every poll). */
void wf_replay_poll(struct wf_lcore *lc, uint64_t now);

/* Forgets every replay (stream removal, teardown): their viewers' tracks
 * time out and wait for a live key frame. */
void wf_replay_drop_stream(struct wf_lcore *lc, unsigned stream);

#endif
