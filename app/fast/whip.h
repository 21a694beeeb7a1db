/* whip.h: a WHIP publisher's media on its stream's owner (RFC 9725
 * ingest; the publisher itself: core/publisher.h).
 *
 * The publisher's SRTP, received on this worker or handed over by the one
 * that received it (a publisher's 5-tuple may hash to any queue), waits in
 * the worker's batch (lcore.h struct wf_whip_batch) until the poll ends
 * or WF_SRTP_BURST_MAX wait, then is unprotected in one burst, in place
 * and in arrival order (wf_srtp_unprotect_burst), and each authentic
 * packet of a track's payload type goes the way of plain RTP from
 * validation on (ingest.h).  A packet of a track whose SSRC is not named
 * yet skips the batch: it is unprotected alone, at once, so the first
 * authentic one names the track before the next is looked at.  Its SRTCP
 * is unprotected at once, one by one; its sender reports set the tracks'
 * clocks.  The owner also sends the publisher its feedback as SRTCP
 * (publisher.h srtcp_out): a receiver report with REMB every second,
 * generic NACKs for the gaps ingest sees, PLI when a viewer waits for a
 * key frame the history lacks.
 */
#ifndef WF_WHIP_H
#define WF_WHIP_H

#include "core/lcore.h"

/* Takes one classified SRTP or SRTCP frame from the publisher of stream
 * sid with generation gen, on the stream's owner (takes m). */
void wf_whip_packet(struct wf_lcore *lc, struct rte_mbuf *m, unsigned sid, uint16_t gen);

/* Unprotects the SRTP gathered so far and ingests what authenticated. */
void wf_whip_flush(struct wf_lcore *lc);

/* Sends each publisher of a stream owned here its receiver report (and
 * REMB) when a second has passed since the last. */
void wf_whip_timer(struct wf_lcore *lc, uint64_t now);

/* A viewer of stream sid's track t waits for a key frame the history does
 * not have: the publisher is asked for one (PLI, RFC 4585 §6.3.1), at
 * most once per track per 500 ms.  Nothing without a publisher. */
void wf_whip_keyframe_wanted(struct wf_lcore *lc, unsigned sid, unsigned t);

/* WF_CTRL_SET_PUBLISHER: pub becomes stream sid's publisher (an earlier
 * one's keys are overwritten), with fresh replay states, its tracks
 * unlatched so its SSRCs take them at once.  The publisher already there
 * (the same generation: one session, one DTLS handshake's keys) only
 * moves: its address and header template change, its replay windows,
 * SSRCs and latched tracks stay.  -ENOENT when this worker
 * does not own sid, -EINVAL for generation 0 (nothing changes here,
 * then).  pub's keys are wiped in every case, once copied or refused
 * (the message returns to the slow path's pool). */
int wf_whip_set(struct wf_lcore *lc, unsigned sid, struct wf_publisher *pub);

/* WF_CTRL_DEL_PUBLISHER: stream sid's publisher goes if its generation
 * is gen (keys wiped).  -ENOENT when there is none of that generation
 * here. */
int wf_whip_del(struct wf_lcore *lc, unsigned sid, uint16_t gen);

/* Wipes the publisher of a stream whose state leaves its owner. */
void wf_whip_wipe(struct wf_whip_state *w);

#endif
