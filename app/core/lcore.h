/* lcore.h: a worker lcore's state, one cache-aligned struct per worker,
 * found once at the top of the loop (as lcore_conf[] in DPDK's l3fwd).
 * Only its own worker writes it, except where a field says otherwise.
 */
#ifndef WF_LCORE_H
#define WF_LCORE_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <rte_seqcount.h>

#include "core/app.h"
#include "core/budget.h"
#include "core/counters.h"
#include "core/drop.h"
#include "core/latency.h"
#include "core/police.h"
#include "core/refusal.h"
#include "core/stream_state.h"
#include "core/viewer.h"
#include "rtp/rtp.h"
#include "srtp/srtp.h"

/* A published track view (pub.h): this worker writes it, telemetry reads. */
struct wf_track_pub {
	rte_seqcount_t sc;
	struct wf_track_view v;
};

/* Control messages from the slow path (ctrl.h). */
struct wf_ctrl_msg;

#define WF_TXBUF 64

/* Viewers' SRTP copies gathered for one protect burst (fanout.c): the
 * live copies of every packet the poll fans out, of all streams, and the
 * resends (NACK answers, replays), in the order they were made.  Sent when
 * WF_BURST jobs wait and at the end of every poll.  Its jobs read history
 * packets it holds a reference to (src: one per packet, n_src <= n). */
struct wf_batch {
	uint16_t n;		/* jobs waiting */
	uint16_t n_src;
	struct wf_srtp_job jobs[WF_BURST];
	struct rte_mbuf *out[WF_BURST];
	struct wf_viewer_out *vo[WF_BURST];	/* the viewer's member cell */
	uint64_t rx_tsc[WF_BURST];	/* a live copy's source arrival; 0: a resend */
	struct rte_mbuf *src[WF_BURST];
};

/* WHIP publishers' SRTP packets gathered for one unprotect burst
 * (whip.c): those of every stream this worker owns that a poll brought,
 * received here or handed over, in arrival order.  Unprotected when
 * WF_SRTP_BURST_MAX wait and at the end of every poll, before the fan-out
 * batch goes (their copies join it).  Empty whenever control messages are
 * applied: its jobs point into the streams' states. */
struct wf_whip_batch {
	uint16_t n;
	struct wf_srtp_rx_job jobs[WF_SRTP_BURST_MAX];
	struct rte_mbuf *m[WF_SRTP_BURST_MAX];
	uint16_t stream[WF_SRTP_BURST_MAX];
	uint8_t track[WF_SRTP_BURST_MAX];
};

/* A key-frame replay the stream's owner is pacing (request.c). */
struct wf_replay {
	uint64_t next_tsc;	/* when its next chunk may go */
	uint64_t start_tsc;	/* when it was asked for */
	uint32_t viewer;	/* slot on the viewer's worker */
	uint32_t next;		/* next source ext seq to send */
	uint32_t kf;		/* the key frame it starts at */
	uint32_t sent;		/* packets sent so far */
	uint16_t gen;		/* the viewer slot's generation */
	uint8_t stream;
	uint8_t track;
	uint8_t dst;		/* the viewer's worker */
};
#define WF_MAX_REPLAYS	64	/* replays one owner paces at once */
#define WF_REPLAY_TIMEOUT_MS	500	/* a replay not done by then is given up */

/* A viewer's bucket, on a worker its packets arrive at (lc->viewer_in):
 * the viewer (its worker, slot and generation: classify.c) and a GCRA
 * theoretical arrival time. */
struct wf_viewer_in {
	uint64_t key;
	uint64_t tat;
};

struct wf_lcore {
	unsigned idx;		/* worker index: queue and ring index */
	unsigned lcore_id;
	struct wf_srtp_engine *srtp;
	struct rte_ring *ctrl;	/* slow path -> this worker: struct wf_ctrl_msg * */
	struct rte_ring *reply;	/* this worker -> slow path: the same messages back */
	struct rte_ring *punt;	/* this worker -> slow path: new addresses' STUN
				 * and DTLS, ICMP (police.h) */
	struct rte_ring *punt_prio;	/* this worker -> slow path: ARP, viewers'
					 * STUN and DTLS */
	struct rte_ring *slow_tx;	/* slow path -> this worker: frames to send
					 * (m->port holds the port index) */
	struct wf_viewer *viewers;	/* table of n_slots, written by this worker */
	uint32_t n_slots;
	uint32_t n_viewers;
	uint32_t slot_hwm;	/* slots at or above it were never used */
	/* the viewers of each stream on this lcore, dense: stream s's slots
	 * are members[first[s] .. first[s] + count[s]), the streams' ranges
	 * in stream order with no gaps (apply.c keeps them so); what a
	 * member's copies read and write and their SRTP key are in the same
	 * cell of member_out and member_keys, so the fan-out reads a
	 * stream's one after the other, as the CPU's prefetcher follows, not
	 * 2.5 KiB apart in the viewer table (docs/performance.md).  Cells at
	 * and above n_viewers are zero.  A telemetry thread that reads a
	 * member's cell checks members_sc around it: apply.c moves cells
	 * inside a write of it. */
	uint32_t *members;	/* n_slots */
	struct wf_viewer_out *member_out;	/* n_slots */
	struct wf_srtp_keys *member_keys;	/* n_slots */
	rte_seqcount_t members_sc;
	uint32_t first[WF_MAX_STREAMS];	/* valid below members_top */
	uint32_t count[WF_MAX_STREAMS];	/* 0 at and above members_top */
	uint32_t members_top;	/* 1 + the highest stream that had a viewer here */
	struct wf_stream_state *owned[WF_MAX_STREAMS];	/* streams this lcore owns */
	/* transmit buffers, one per port, with each packet's arrival for the
	 * latency histogram (0: not media, e.g. a sender report) */
	uint16_t ntx[WF_MAX_PORTS];
	struct rte_mbuf *tx[WF_MAX_PORTS][WF_TXBUF];
	uint64_t tx_rx_tsc[WF_MAX_PORTS][WF_TXBUF];
	uint64_t tx_since[WF_MAX_PORTS];	/* the poll that put the first one in */
	uint64_t tx_drain_tsc;	/* the longest a buffer waits for a fuller burst */
	uint64_t poll_tsc;	/* the start of the current poll */
	uint64_t rx_tsc;	/* the arrival of the RX burst being classified */
	/* handoff buffers, one per destination worker: the workers' own
	 * items, and packets received for another worker (handoff.h) */
	uint16_t nho[WF_MAX_WORKERS];
	struct wf_item ho[WF_MAX_WORKERS][WF_BURST];
	unsigned ho_first;	/* the worker whose rings this poll takes first */
	uint16_t nwo[WF_WIRE_KINDS][WF_MAX_WORKERS];
	struct wf_item wo[WF_WIRE_KINDS][WF_MAX_WORKERS][WF_BURST];
	/* fan-out: live copies and resends (NACK answers, replays) */
	struct wf_batch batch;
	/* packets the histories let go, fetched and freed together
	 * (wf_ingest_flush): each is seconds cold, and freeing it at once
	 * would wait on its lines */
	unsigned n_evicted;
	struct rte_mbuf *evicted[WF_EVICT_BATCH];
	/* WHIP publishers' SRTP waiting for its unprotect burst */
	struct wf_whip_batch whip;
	uint8_t tx_short[WF_MAX_PORTS];	/* the port's last tx burst left packets */
	/* replays this worker paces as the owner of their streams */
	unsigned n_replays;
	struct wf_replay replays[WF_MAX_REPLAYS];
	/* resends of the last RTT, by viewer slot, track and packet (budget.h) */
	struct wf_retx_seen seen[WF_RETX_SEEN_SLOTS];
	uint64_t next_timer_tsc;
	uint32_t idle_polls;
	struct wf_police police;	/* what may be punted (police.h) */
	/* what each viewer sends that arrives here, before it goes to the
	 * viewer's worker: a table of 2^WF_VIEWER_IN_BITS buckets, hashed by
	 * the viewer (wf_classify_init(), police.h) */
	struct wf_viewer_in *viewer_in;
	struct wf_gcra viewer_in_rate;
	struct wf_gcra viewer_spill_rate;
	uint64_t viewer_spill_tat;
	struct wf_counters c;
	/* the tracks of the streams this worker owns, as telemetry sees them
	 * (wf_ingest_publish); one writer per lcore, so no false sharing */
	struct wf_track_pub tel[WF_MAX_STREAMS][WF_MAX_TRACKS];
	/* ingest-to-wire latency of the media copies this worker sent */
	struct wf_lat_hist lat;
} __rte_cache_aligned;

/* What a viewer slot costs on its lcore: the viewer and its member cell
 * (slot, copies' state, key).  Bytes per viewer stay within
 * WF_VIEWER_BYTES_MAX (docs/performance.md): the registry's slot (at most
 * WF_REGISTRY_SLOT_BYTES_MAX, registry.c asserts it) and the peer table's
 * entries (WF_PEER_SLOT_BYTES, as whepfan-bench measures them) take the
 * rest. */
#define WF_VIEWER_BYTES_MAX		4096
#define WF_REGISTRY_SLOT_BYTES_MAX	76
#define WF_PEER_SLOT_BYTES		128
#define WF_LCORE_SLOT_BYTES \
	(sizeof(struct wf_viewer) + sizeof(uint32_t) + sizeof(struct wf_viewer_out) + \
	 sizeof(struct wf_srtp_keys))
_Static_assert(WF_LCORE_SLOT_BYTES <=
	       WF_VIEWER_BYTES_MAX - WF_REGISTRY_SLOT_BYTES_MAX - WF_PEER_SLOT_BYTES,
	       "a viewer slot outgrew its budget");

/* Counts n requests refused for reason why. */
static inline void wf_refuse(struct wf_lcore *lc, enum wf_refusal why, uint64_t n)
{
	lc->c.refused[why] += n;
}

/* Worker w's state as a thread other than the main lcore sees it (the
 * telemetry threads): NULL until start-up has published it.  Acquire:
 * pairs with the release in setup.c, so the struct is seen whole. */
static inline struct wf_lcore *wf_lcore_get(unsigned w)
{
	return w < WF_MAX_WORKERS ? __atomic_load_n(&wf_app.lc[w], __ATOMIC_ACQUIRE) : NULL;
}

/* The viewer in this lcore's slot with generation gen, or NULL when the
 * slot is free or holds a later viewer (a stale item or message). */
static inline struct wf_viewer *wf_viewer_get(struct wf_lcore *lc, uint32_t slot, uint16_t gen)
{
	struct wf_viewer *v;

	if (slot >= lc->n_slots)
		return NULL;
	v = &lc->viewers[slot];
	return v->in_use && v->gen == gen ? v : NULL;
}

/* What viewer v's copies read and write: its member cell (worker only;
 * telemetry: figs.c). */
static inline struct wf_viewer_out *wf_viewer_out(const struct wf_lcore *lc,
						   const struct wf_viewer *v)
{
	return &lc->member_out[v->pos];
}

/* Counts a drop and frees the packet (ipsec-secgw's free_pkts, counted). */
static inline void wf_drop(struct wf_lcore *lc, struct rte_mbuf *m, enum wf_drop why)
{
	lc->c.drop[why]++;
	rte_pktmbuf_free(m);
}

#endif
