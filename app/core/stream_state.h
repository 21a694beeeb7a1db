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

#include "core/publisher.h"
#include "core/viewer.h"
#include "rtp/rtp.h"
#include "srtp/srtp.h"

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
	uint64_t kf_interval_tsc;	/* between the last two key frames */
	/* a WHIP publisher's: packets missing when a later one arrived (loss
	 * before repair), and those asked again (NACK) */
	uint64_t missing;
	uint64_t nacked;
	/* the newest RTP timestamp taken in, and when: a WHIP stream's next
	 * publisher's timestamps go on from it (whip.c) */
	uint32_t out_ts;
	bool out_ts_valid;
	uint64_t out_ts_tsc;
};

#define WF_WHIP_SRTCP_PEERS	WF_VIEWER_SRTCP_PEERS	/* sender SSRCs with an SRTCP window */

/* The stream's WHIP publisher as its owner keeps it (fast/whip.c): set by
 * WF_CTRL_SET_PUBLISHER, which resets everything below; wiped by
 * DEL_PUBLISHER and DEL_STREAM.  Per stream, never per viewer. */
struct wf_whip_state {
	struct wf_publisher pub;	/* pub.gen == 0: no publisher */
	/* per track: the SSRC its first authenticated packet came under
	 * (a track has one SSRC for the publisher's life: a window shared by
	 * two would refuse one of them, and an SSRC dropped and taken back
	 * would start a fresh window that replays pass), and its SRTP
	 * receiver state (RFC 3711 §3.3.1 ROC, §3.3.2 replay window) */
	uint32_t ssrc[WF_MAX_TRACKS];
	bool pinned[WF_MAX_TRACKS];
	struct wf_srtp_replay replay[WF_MAX_TRACKS];
	/* SRTCP windows of the publisher's sender SSRCs (one per track, and
	 * one for a receiver-only SSRC a browser may report from) */
	struct wf_srtcp_peer srtcp_rx[WF_WHIP_SRTCP_PEERS];
	/* feedback we send it (SRTCP under pub.srtcp_out) */
	uint32_t srtcp_index;	/* our next SRTCP index */
	uint64_t next_rr_tsc;	/* its next receiver report (and REMB) */
	uint64_t nack_tsc[WF_MAX_TRACKS];	/* the track's last NACK */
	uint64_t pli_tsc[WF_MAX_TRACKS];	/* the track's last PLI */
	/* added to the publisher's RTP timestamps (and its sender reports'),
	 * so they go on from the last publisher's: set when a track's SSRC
	 * is named */
	uint32_t ts_off[WF_MAX_TRACKS];
};

struct wf_stream_state {
	uint16_t id;
	uint8_t n_tracks;
	uint32_t gen;		/* this start of the stream slot (streams.c) */
	uint64_t replay_tat;	/* replays of the stream: GCRA time (budget.h) */
	struct wf_track_state t[WF_MAX_TRACKS];
	struct wf_whip_state whip;	/* ingest = "whip" only */
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
	uint16_t publisher_gen;	/* the stream's WHIP publisher, 0: none */
	uint64_t kf_interval_tsc;	/* between the last two key frames, 0: fewer */
	uint64_t missing;	/* WHIP: missing on arrival, before repair */
	uint64_t nacked;	/* WHIP: asked again (generic NACK) */
};

/* Slots for a track of kind video/audio with history_ms, sized for a
 * high-rate source (docs/operations.md: sizing). */
uint32_t wf_history_slots_for(unsigned kind, uint32_t history_ms);

#endif
