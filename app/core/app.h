/* app.h: the appliance's shared state.
 *
 * One struct wf_app, built by the main lcore at start-up.  After the workers
 * start, everything in it is either read-only (ports, mempools, rings, the
 * stream descriptors' fixed fields) or has exactly one writer, named next
 * to the field.  docs/architecture.md draws the threads and rings.
 */
#ifndef WF_APP_H
#define WF_APP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_seqlock.h>

#include "conf/conf.h"
#include "srtp/srtp.h"

#include "core/reason.h"

#define WF_VERSION		"0.1.0"
#define WF_MAX_WORKERS		16
#define WF_MAX_PORTS		WF_CONF_MAX_PORTS
#define WF_MAX_STREAMS		WF_CONF_MAX_STREAMS
#define WF_MAX_TRACKS		WF_CONF_MAX_TRACKS
#define WF_BURST		32
#define WF_EVICT_BATCH		16	/* history evictions freed together (lcore.h) */
#define WF_MBUF_CACHE		256	/* the packet pool's per-lcore cache */
/* What one worker may have waiting from all the others together, on the
 * three rings of each pair (handoff.h, wf_ring_share()): the workers' own
 * items (media by reference, resends, requests), and the packets received
 * for another worker from sources and publishers, and from viewers.  Each
 * item may hold a receive-pool packet, so the receive reserve counts
 * every ring full (mbufs.h); per pair, the rings shrink as workers are
 * added, down to a minimum of several bursts (a burst must always fit). */
#define WF_HANDOFF_ITEMS	4096
#define WF_HANDOFF_RING_MIN	1024
#define WF_WIRE_SOURCE_ITEMS	1024
#define WF_WIRE_VIEWER_ITEMS	512
#define WF_WIRE_RING_MIN	128

/* The rings of received packets, by who sent them (handoff.h). */
enum wf_wire {
	WF_WIRE_SOURCE = 0,	/* a stream's source or WHIP publisher, for its owner */
	WF_WIRE_VIEWER,		/* a viewer's SRTCP, for the viewer's worker */
	WF_WIRE_KINDS
};
#define WF_PUNT_RING_SIZE	1024	/* packets from one worker to the slow path */
#define WF_CTRL_RING_SIZE	1024	/* control messages to one worker */
#define WF_MBUF_PRIV_SIZE	RTE_ALIGN(sizeof(struct wf_mbuf_meta), RTE_MBUF_PRIV_ALIGN)
/* the headers of every frame whepfan builds: Ethernet, IPv4 without
 * options, UDP */
#define WF_ETH_LEN		14
#define WF_IP4_LEN		20
#define WF_UDP_LEN		8
#define WF_L2L3L4_LEN		(WF_ETH_LEN + WF_IP4_LEN + WF_UDP_LEN)

/* Immutable facts about an ingested RTP packet, written once by the
 * stream's owner lcore before the mbuf is shared (refcount) with others. */
struct wf_mbuf_meta {
	uint64_t rx_tsc;	/* arrival: the RX burst on the worker that received
				 * it (classify.c), before any handoff to the owner;
				 * the TSC is taken to be one clock on all cores
				 * (invariant TSC); where it is not, tx.c clamps a
				 * negative latency to 0 and history.c keeps the
				 * packet a little longer (its ring bounds it) */
	uint32_t ext_seq;	/* source's extended sequence number */
	uint32_t rtp_ts;
	uint16_t rtp_off;	/* RTP header offset in the mbuf data */
	uint16_t rtp_len;	/* RTP packet length, padding included */
	uint16_t hdr_len;	/* RTP header length (payload starts there) */
	uint16_t stream;
	uint8_t track;
	uint8_t flags;		/* WF_META_* */
	uint8_t marker;
	uint8_t padding;	/* P bit of the source packet */
};
#define WF_META_KEYFRAME	0x01	/* first packet of a key frame */

static inline struct wf_mbuf_meta *wf_meta(struct rte_mbuf *m)
{
	return (struct wf_mbuf_meta *)rte_mbuf_to_priv(m);
}

/* What travels between workers on the handoff rings (24 bytes). */
struct wf_item {
	struct rte_mbuf *m;	/* a packet, or NULL for a request */
	uint32_t ext;		/* source extended seq (requests) */
	uint32_t viewer;	/* viewer slot on the viewer's lcore */
	uint16_t gen;		/* viewer slot generation; WF_ITEM_PUBLISHER:
				 * the publisher's (publisher.h) */
	uint8_t stream;
	uint8_t kind;		/* WF_ITEM_* */
	uint8_t track;
	uint8_t flags;		/* WF_ITEM_F_* */
	uint8_t src;		/* sending worker index */
	uint8_t pad_;
};

/* The kinds of handoff item: enum, and the names telemetry and /metrics
 * count them under (handoff_in_kinds). */
#define WF_ITEM_KINDS(_) \
	_(INGEST,      ingest,      "raw packet for a stream's owner") \
	_(FROM_VIEWER, from_viewer, "raw SRTCP/RTCP for the viewer's lcore") \
	_(MEDIA,       media,       "history packet to fan out to local viewers") \
	_(RETX,        retx,        "history packet for one viewer (NACK, replay)") \
	_(REQ_RETX,    req_retx,    "viewer lcore asks the owner for ext of track") \
	_(REQ_REPLAY,  req_replay,  "viewer lcore asks for the last key frame onward") \
	_(PUBLISHER,   publisher,   "raw SRTP/SRTCP of a WHIP publisher for its stream's owner")

enum wf_item_kind {
	WF_ITEM_NONE = 0,	/* never sent */
#define WF_ITEM_ENUM_(sym, name, text) WF_ITEM_##sym,
	WF_ITEM_KINDS(WF_ITEM_ENUM_)
#undef WF_ITEM_ENUM_
	WF_ITEM_KIND_COUNT
};

const char *wf_item_kind_name(unsigned kind);
#define WF_ITEM_F_FIRST		0x01	/* first packet of a replay */
#define WF_ITEM_F_LAST		0x02	/* last packet of a replay */
#define WF_ITEM_F_NONE		0x04	/* replay: nothing cached (m == NULL) */
#define WF_ITEM_F_REPLAY	0x08	/* part of a replay answer (else a NACK's) */

/* A DPDK port as configured. */
struct wf_port {
	uint16_t port_id;
	struct rte_ether_addr mac;
	uint32_t addr;		/* host order */
	uint32_t netmask;
	uint32_t gateway;
	bool has_gateway;
	bool tx_desc_status;	/* the PMD reports TX descriptor status */
	uint16_t nb_txd;	/* TX descriptors per queue */
	char name[WF_CONF_NAME_LEN + 1];
};

/* Where a stream's source sends from and what its sender reports said.
 * Written by the owner lcore under the seqlock, read by any lcore. */
struct wf_src_clock {
	rte_seqlock_t lock;
	uint64_t sr_ntp;	/* NTP time of the source's last SR */
	uint64_t sr_tsc;	/* when it arrived */
	uint32_t sr_rtp;	/* RTP time of the SR */
	bool have_sr;
};

/* Who may send a stream's RTP and RTCP (streams[].sources), and how long
 * the latched source must be silent before another may take over. */
struct wf_stream_sources {
	uint8_t n;		/* 0: anyone */
	uint64_t timeout_tsc;
	struct {
		uint32_t addr;	/* host order, masked */
		uint32_t mask;
	} net[WF_CONF_MAX_SOURCES];
};

/* A stream as every lcore sees it.  Written by the slow path only while
 * the stream is inactive; active is published last, with release
 * (wf_stream_start), and read with acquire (wf_stream_is_active). */
struct wf_stream {
	char name[WF_CONF_NAME_LEN + 1];
	uint8_t active;		/* __atomic only */
	uint8_t owner;		/* worker index holding its history */
	uint8_t n_tracks;
	uint8_t whip;		/* ingest = "whip": a publisher feeds it */
	struct {
		uint8_t kind;	/* enum wf_conf_kind */
		uint8_t codec;	/* enum wf_conf_codec */
		uint8_t pt;	/* source payload type */
		uint32_t clock_rate;
		uint16_t port;
	} tracks[WF_MAX_TRACKS];
	struct wf_src_clock clock[WF_MAX_TRACKS];
	uint32_t history_ms;
	/* who may send its RTP and RTCP: two copies, the slow path writes the
	 * one not in use and publishes it (wf_stream_set_sources) */
	struct wf_stream_sources src_tab[2];
	uint8_t src_cur;	/* store-release by the slow path, load-acquire by the owner */
	/* streams[].max_bitrate_kbps in bit/s, for the publisher's bandwidth
	 * feedback: written by the slow path (start, reload), read by the
	 * owner for each report; __atomic only */
	uint32_t max_bitrate_bps;
	/* fan-out: bit w set when worker w has viewers of this stream.
	 * Written by the slow path (registry.c), read by the owner; __atomic
	 * only. */
	uint32_t fanout_mask;
	/* the source over the last second, per track: written by the owner
	 * (wf_ingest_timer), read by viewers' workers for their budgets
	 * (budget.h); __atomic only (relaxed: each a figure of its own) */
	uint32_t rate_bytes[WF_MAX_TRACKS];	/* RTP bytes a second */
	uint32_t pkt_bytes[WF_MAX_TRACKS];	/* mean RTP packet */
	/* the rate before a pause, from the end of the last window with
	 * packets for history_ms, else 0: the first fill of a viewer that
	 * joins during it (budget.h) */
	uint32_t held_bytes[WF_MAX_TRACKS];
	/* the source each track has latched, while it is live (it sent
	 * within source_timeout_ms): WF_LIVE_SOURCE(addr, port), 0 none.
	 * Written by the owner at its timer (wf_ingest_publish), read by the
	 * workers that receive the stream's packets, which drop what other
	 * addresses send to its ports instead of handing it over
	 * (wf_ingest_screen); __atomic only (relaxed: a hint, the owner
	 * checks every packet itself) */
	uint64_t live_src[WF_MAX_TRACKS];
};
#define WF_LIVE_SOURCE(addr, port)	(1ull << 48 | (uint64_t)(addr) << 16 | (port))

/* The global state. */
struct wf_app {
	struct wf_config *cfg;
	/* Two packet pools, so a buffer that went cold in a history is never
	 * the one a viewer's copy is written into (docs/architecture.md):
	 * rx_pool feeds the receive queues and holds what the histories
	 * keep (dpdk.mbufs); tx_pool is what whepfan writes and sends, the
	 * viewers' copies, RTCP and the slow path's frames (sized by
	 * wf_mbufs_tx()). */
	struct rte_mempool *rx_pool;
	struct rte_mempool *tx_pool;
	struct rte_mempool *ctrl_pool;	/* control messages */
	unsigned n_workers;
	unsigned worker_lcore[WF_MAX_WORKERS];
	/* published by start-up with release once complete; threads other
	 * than the main lcore's read them with wf_lcore_get() (lcore.h) */
	struct wf_lcore *lc[WF_MAX_WORKERS];
	unsigned n_ports;
	struct wf_port ports[WF_MAX_PORTS];
	struct wf_stream streams[WF_MAX_STREAMS];
	/* UDP port -> ingest track: 0 = none, else wf_ingest_map_entry().
	 * Written by the slow path (streams.c), read by workers with
	 * wf_ingest_map_get(); __atomic only. */
	uint16_t ingest_map[65536];
	/* [from][to]: the workers' own items (WF_ITEM_MEDIA, _RETX, _REQ_*) */
	struct rte_ring *handoff[WF_MAX_WORKERS][WF_MAX_WORKERS];
	/* [kind][from][to]: packets from the wire for the worker that owns
	 * what they are for, apart from the workers' own items and, by who
	 * sent them, from each other: WF_ITEM_INGEST and _PUBLISHER on the
	 * source ring, _FROM_VIEWER on the viewer ring */
	struct rte_ring *wire[WF_WIRE_KINDS][WF_MAX_WORKERS][WF_MAX_WORKERS];
	unsigned handoff_cap;		/* a handoff ring's capacity */
	struct rte_hash *peers;		/* viewer 5-tuple -> worker/slot */
	struct rte_rcu_qsbr *qsbr;
	enum wf_srtp_arch srtp_arch[WF_SRTP_PROFILE_COUNT];
	uint64_t tsc_hz;
	uint64_t start_tsc;
	uint64_t start_ntp;		/* NTP time at start_tsc */
	uint64_t sr_interval_tsc;	/* webrtc.rtcp_sr_interval_ms */
	uint16_t webrtc_port;		/* webrtc.udp_port */
	uint32_t idle_sleep_us;
	/* webrtc.nack and the budgets (budget.h): written by the slow path at
	 * start and on SIGHUP (wf_budgets_apply), read by workers at every
	 * request; __atomic only (relaxed: each a setting of its own) */
	uint32_t nack;			/* 0: NACKs are counted, not served */
	uint32_t nack_budget_pct;
	uint32_t replay_max_packets;
	uint32_t replay_per_stream_per_s;
	/* Flags that carry no data, __atomic only (relaxed).  quit and
	 * reload are set by signal handlers, on whatever thread the kernel
	 * picks (lock-free atomics are async-signal-safe). */
	bool stop;			/* workers leave their loop */
	bool quit;			/* the slow path leaves its loop (signal) */
	bool reload;			/* SIGHUP: read the configuration again */
};

extern struct wf_app wf_app;

/* A setting the slow path may change at any time (wf_app.nack, the
 * budgets): relaxed, each a value of its own. */
static inline uint32_t wf_setting(const uint32_t *s)
{
	return __atomic_load_n(s, __ATOMIC_RELAXED);
}

/* Each pair's share of items with n workers: a power of two of at least
 * min, about total / (n - 1) (the ring's size; it holds one less). */
static inline unsigned wf_ring_share(unsigned total, unsigned min, unsigned n)
{
	unsigned size = min;

	while (n > 1 && size * 2 <= total / (n - 1))
		size *= 2;
	return size;
}

static inline unsigned wf_handoff_ring_size(unsigned n_workers)
{
	return wf_ring_share(WF_HANDOFF_ITEMS, WF_HANDOFF_RING_MIN, n_workers);
}

static inline unsigned wf_wire_ring_size(enum wf_wire kind, unsigned n_workers)
{
	return wf_ring_share(kind == WF_WIRE_SOURCE ? WF_WIRE_SOURCE_ITEMS : WF_WIRE_VIEWER_ITEMS,
			     WF_WIRE_RING_MIN, n_workers);
}

/* Whether stream s is active.  Acquire: pairs with the release in
 * wf_stream_start(), so the descriptor written before is seen whole. */
static inline bool wf_stream_is_active(const struct wf_stream *s)
{
	return __atomic_load_n(&s->active, __ATOMIC_ACQUIRE) != 0;
}

/* The ingest track of UDP port (0: none).  Acquire: pairs with the
 * release in wf_stream_start(), so the stream's owner is seen. */
static inline uint16_t wf_ingest_map_get(uint16_t port)
{
	return __atomic_load_n(&wf_app.ingest_map[port], __ATOMIC_ACQUIRE);
}

/* An ingest_map entry: stream slot and track, 0 meaning none. */
static inline uint16_t wf_ingest_map_entry(unsigned stream, unsigned track)
{
	return (uint16_t)(stream * WF_MAX_TRACKS + track + 1);
}

/* The stream slot and track of a non-zero entry. */
static inline unsigned wf_ingest_map_stream(uint16_t v)
{
	return (v - 1u) / WF_MAX_TRACKS;
}

static inline unsigned wf_ingest_map_track(uint16_t v)
{
	return (v - 1u) % WF_MAX_TRACKS;
}

/* NTP time now, from the TSC (no syscall on workers). */
uint64_t wf_ntp_now(uint64_t tsc);

/* Publishes webrtc.nack and the retransmission and replay budgets to the
 * workers (at start, and on SIGHUP: they read them at every request). */
void wf_budgets_apply(const struct wf_config_webrtc *r);

#endif
