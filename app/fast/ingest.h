/* ingest.h: RTP and RTCP from a stream's source, on the stream's owner.
 *
 * Validates RTP (lib/rtp), latches the source's SSRC and address, keeps
 * loss and jitter statistics (RFC 3550 A.1, A.8), marks key-frame starts,
 * stores the packet in the track's history (history.h) and hands it to
 * every worker with viewers of the stream, by reference.  RTCP sender
 * reports from the source give the NTP <-> RTP mapping for our own SRs.
 */
#ifndef WF_INGEST_H
#define WF_INGEST_H

#include "core/lcore.h"

/* Ingests one classified frame (l2_len/l3_len set) on the stream's owner;
 * takes the packet reference.  The packet it evicts from the history
 * waits in lc->evicted until wf_ingest_flush() (the end of the RX burst
 * and of the poll) or until WF_EVICT_BATCH wait. */
void wf_ingest_one(struct wf_lcore *lc, struct rte_mbuf *m);

/* Frees the packets the histories evicted since the last call. */
static inline void wf_ingest_flush(struct wf_lcore *lc)
{
	if (lc->n_evicted) {
		rte_pktmbuf_free_bulk(lc->evicted, lc->n_evicted);
		lc->n_evicted = 0;
	}
}

/* Ingests the RTP of track t of stream sid, owned here, from the stream's
 * WHIP publisher: m's UDP payload, already unprotected and its lengths
 * those of the plain packet (whip.c); pt is the publisher's payload type
 * for the track.  From here on it is plain RTP's path: validation, latch
 * (at once: the publisher is the source), history, fan-out.  Takes m.
 * Returns -1 when m was dropped, else how many sequence numbers it
 * skipped past the track's newest packet (0: none). */
int wf_ingest_publisher_rtp(struct wf_lcore *lc, struct rte_mbuf *m, unsigned sid, unsigned t,
			     uint8_t pt);

/* Takes in the RTCP compound p[0..len) (in m, unprotected) from stream
 * sid's WHIP publisher: a sender report of a track's latched SSRC sets its
 * clock mapping as a plain source's does; counted once, taken in or
 * dropped where the compound stopped parsing.  Takes m. */
void wf_ingest_publisher_rtcp(struct wf_lcore *lc, struct rte_mbuf *m, unsigned sid,
			      const uint8_t *p, size_t len);

/* What a worker other than the owner makes of a packet from src:sport to
 * ingest track map (wf_ingest_map_get()) before it hands it over: why to
 * drop it here, or WF_DROP_COUNT to hand it over.  A source outside the
 * stream's networks is dropped, and while the track's latched source is
 * live, another address or port (other than the RTCP port beside it):
 * what the owner would drop costs the owner nothing, and a flood of it
 * does not take the ring the owner's sources share (handoff.h). */
enum wf_drop wf_ingest_screen(uint16_t map, uint32_t src, uint16_t sport);

/* Evicts expired history on every stream this lcore owns, publishes each
 * track's rate for the viewers' budgets (wf_stream.rate_bytes, pkt_bytes)
 * and their tracks for telemetry. */
void wf_ingest_timer(struct wf_lcore *lc, uint64_t now);

/* Publishes what telemetry shows of stream slot sid's tracks from the
 * state this lcore owns (none: cleared): lc->tel[sid] (history.h); and
 * each track's live source for the other workers (wf_stream.live_src). */
void wf_ingest_publish(struct wf_lcore *lc, unsigned sid);

#endif
