/* history.h: a stream's shared packet history, held by its owner lcore.
 *
 * One ring of reference-counted mbufs per track, indexed by the source's
 * extended sequence number, bounded by a packet count (the ring size) and
 * a time window (history_ms).  Every viewer's retransmission and key-frame
 * replay reads from here: memory grows with streams, not with viewers.
 * The ring also is the key-frame cache: time-based eviction stops at the
 * newest key frame's first packet, so a new viewer always finds one.
 */
#ifndef WF_HISTORY_H
#define WF_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "rtp/rtp.h"

struct wf_history_slot {
	struct rte_mbuf *m;	/* NULL when empty */
	uint32_t ext;		/* the last packet stored here, kept when it is evicted */
	uint32_t used;		/* ext is valid */
};

/* Owner-side state of one ingest track. */
struct wf_track_state {
	struct wf_history_slot *slots;	/* size mask + 1, a power of two */
	uint32_t mask;
	uint32_t newest;	/* highest ext seq stored */
	uint32_t oldest;	/* lowest ext seq that may still be stored */
	uint32_t last_kf;	/* ext seq of the newest key frame's first packet */
	uint32_t last_kf_ts;	/* its RTP timestamp */
	bool have_any;
	bool have_kf;
	/* the latched source */
	bool latched;
	uint32_t ssrc;
	uint32_t src_addr;	/* host order */
	uint16_t src_port;
	uint16_t src_port_idx;
	uint16_t last_seq;
	uint64_t last_rx_tsc;
	uint64_t last_kf_tsc;
	uint64_t window_tsc;	/* history_ms in TSC cycles */
	struct wf_rtp_source stats;
	uint64_t pkts;
	uint64_t bytes;
	uint64_t ssrc_changes;
	uint64_t bitrate_bps;	/* over the last second (wf_ingest_timer) */
	uint64_t rate_bytes;	/* bytes, packets and time at the start of that second */
	uint64_t rate_pkts;
	uint64_t rate_tsc;
	uint32_t held_rate;	/* budgets' rate before a pause (history_ms at most), until a
				 * full window after it */
	uint64_t silent_tsc;	/* start of the silent window that began the pause */
	uint64_t keyframes;
};

struct wf_stream_state {
	uint16_t id;
	uint8_t n_tracks;
	uint32_t gen;		/* this start of the stream slot (streams.c) */
	uint64_t replay_tat;	/* replays of the stream: GCRA time (budget.h) */
	struct wf_track_state t[2];
};

/* A track as telemetry shows it: the owner publishes a copy (pub.h) every
 * timer tick and when it takes or gives back the stream (ingest.c); the
 * telemetry threads read the copy, never wf_track_state, which a reload
 * frees. */
struct wf_track_view {
	uint32_t stream_gen;	/* wf_stream_state.gen; 0 = nothing published */
	uint32_t ssrc;
	uint64_t packets;
	uint64_t bytes;
	uint64_t keyframes;
	uint64_t bitrate_bps;
	uint64_t last_kf_tsc;	/* 0 = no key frame yet */
	uint32_t jitter;	/* RFC 3550 A.8, in timestamp units */
	int32_t lost;		/* RFC 3550 A.3, since the source began */
	uint32_t history_packets;
	uint8_t latched;	/* a source is latched: ssrc, jitter, lost valid */
};

/* Slots for a track of kind video/audio with history_ms, sized for a
 * high-rate source (docs/operations.md: sizing). */
uint32_t wf_history_slots_for(unsigned kind, uint32_t history_ms);

/* The stored packet with ext seq ext, or NULL. */
static inline struct rte_mbuf *wf_history_get(const struct wf_track_state *t, uint32_t ext)
{
	const struct wf_history_slot *s = &t->slots[ext & t->mask];

	return s->m && s->ext == ext ? s->m : NULL;
}

/* Stores m (taking the caller's reference) under ext; frees what the slot
 * held, and forgets the key-frame cache when its first packet leaves the
 * ring.  Returns false (m untouched) when ext is a duplicate, also of a
 * packet evicted since (its number went out under the viewers' indexes). */
bool wf_history_put(struct wf_track_state *t, struct rte_mbuf *m, uint32_t ext);

/* Frees packets older than the time window, never past the newest key
 * frame; returns how many were freed. */
unsigned wf_history_evict(struct wf_track_state *t, uint64_t now_tsc);

/* Frees everything (stream removal). */
void wf_history_clear(struct wf_track_state *t);

/* Bytes of mbuf data the track's history holds now. */
uint64_t wf_history_bytes(const struct wf_track_state *t);

#endif
