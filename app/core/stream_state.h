/* stream_state.h: what a stream's owner lcore keeps of it (its history
 * and source, one struct per stream), and the copy of a track telemetry
 * reads.  The slow path allocates the state and sizes its rings
 * (streams.c, mbufs.c), hands it to the owner with ADD_STREAM and frees it
 * once DEL_STREAM brings it back; in between only the owner writes it
 * (history.h, ingest.c; docs/architecture.md "Who owns what").
 */
#ifndef WF_STREAM_STATE_H
#define WF_STREAM_STATE_H

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
	uint64_t last_rx_tsc;	/* the source's last packet, while latched */
	uint32_t jitter;	/* RFC 3550 A.8, in timestamp units */
	int32_t lost;		/* RFC 3550 A.3, since the source began */
	uint32_t history_packets;
	uint8_t latched;	/* a source is latched: ssrc, jitter, lost valid */
};

/* Slots for a track of kind video/audio with history_ms, sized for a
 * high-rate source (docs/operations.md: sizing). */
uint32_t wf_history_slots_for(unsigned kind, uint32_t history_ms);

#endif
