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

#define WF_VERSION		"0.1.0"
#define WF_MAX_WORKERS		16
#define WF_MAX_PORTS		WF_CONF_MAX_PORTS
#define WF_MAX_STREAMS		WF_CONF_MAX_STREAMS
#define WF_MAX_TRACKS		WF_CONF_MAX_TRACKS
#define WF_BURST		32
#define WF_HANDOFF_RING_SIZE	4096	/* items between two workers */
#define WF_PUNT_RING_SIZE	1024	/* packets from one worker to the slow path */
#define WF_CTRL_RING_SIZE	1024	/* control messages to one worker */
#define WF_MBUF_PRIV_SIZE	RTE_ALIGN(sizeof(struct wf_mbuf_meta), RTE_MBUF_PRIV_ALIGN)
#define WF_L2L3L4_LEN		(14 + 20 + 8)	/* Ethernet + IPv4 + UDP */

/* Immutable facts about an ingested RTP packet, written once by the
 * stream's owner lcore before the mbuf is shared (refcount) with others. */
struct wf_mbuf_meta {
	uint64_t rx_tsc;	/* arrival */
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
	uint16_t gen;		/* viewer slot generation */
	uint8_t stream;
	uint8_t kind;		/* WF_ITEM_* */
	uint8_t track;
	uint8_t flags;		/* WF_ITEM_F_* */
	uint8_t src;		/* sending worker index */
	uint8_t pad_;
};

enum wf_item_kind {
	WF_ITEM_INGEST = 1,	/* raw packet for a stream's owner */
	WF_ITEM_FROM_VIEWER,	/* raw SRTCP/RTCP for the viewer's lcore */
	WF_ITEM_MEDIA,		/* history packet to fan out to local viewers */
	WF_ITEM_RETX,		/* history packet for one viewer (NACK, replay) */
	WF_ITEM_REQ_RETX,	/* viewer lcore asks the owner for ext of track */
	WF_ITEM_REQ_REPLAY,	/* viewer lcore asks for the last key frame onward */
};
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

/* A stream as every lcore sees it.  Written by the slow path only while
 * the stream is inactive (before WF_STREAM_ACTIVE is published). */
struct wf_stream {
	char name[WF_CONF_NAME_LEN + 1];
	volatile uint8_t active;
	uint8_t owner;		/* worker index holding its history */
	uint8_t n_tracks;
	struct {
		uint8_t kind;	/* enum wf_conf_kind */
		uint8_t codec;	/* enum wf_conf_codec */
		uint8_t pt;	/* source payload type */
		uint32_t clock_rate;
		uint16_t port;
	} tracks[WF_MAX_TRACKS];
	struct wf_src_clock clock[WF_MAX_TRACKS];
	uint32_t history_ms;
	/* fan-out: bit w set when worker w has viewers of this stream.
	 * Written by the slow path, read by the owner. */
	volatile uint32_t fanout_mask;
	/* the source over the last second, per track: written by the owner
	 * (wf_ingest_timer), read by viewers' lcores for their budgets
	 * (budget.h); aligned 32-bit stores */
	volatile uint32_t rate_bytes[WF_MAX_TRACKS];	/* RTP bytes a second */
	volatile uint32_t pkt_bytes[WF_MAX_TRACKS];	/* mean RTP packet */
};

/* The global state. */
struct wf_app {
	struct wf_config *cfg;
	struct rte_mempool *pool;	/* packets */
	struct rte_mempool *ctrl_pool;	/* control messages */
	unsigned n_workers;
	unsigned worker_lcore[WF_MAX_WORKERS];
	int worker_of_lcore[RTE_MAX_LCORE];
	struct wf_lcore *lc[WF_MAX_WORKERS];
	unsigned n_ports;
	struct wf_port ports[WF_MAX_PORTS];
	struct wf_stream streams[WF_MAX_STREAMS];
	/* UDP port -> ingest track: 0 = none, else stream * 2 + track + 1.
	 * Written by the slow path, read by workers (16-bit stores). */
	uint16_t ingest_map[65536];
	struct rte_ring *handoff[WF_MAX_WORKERS][WF_MAX_WORKERS];	/* [from][to] */
	struct rte_hash *peers;		/* viewer 5-tuple -> worker/slot */
	struct rte_rcu_qsbr *qsbr;
	enum wf_srtp_arch srtp_arch[WF_SRTP_PROFILE_COUNT];
	uint64_t tsc_hz;
	uint64_t start_tsc;
	uint64_t start_ntp;		/* NTP time at start_tsc */
	uint64_t start_unix_ns;
	uint64_t sr_interval_tsc;	/* webrtc.rtcp_sr_interval_ms */
	uint16_t webrtc_port;		/* webrtc.udp_port */
	uint32_t idle_sleep_us;
	/* webrtc.nack and the budgets (budget.h): written by the slow path at
	 * start and on SIGHUP (wf_budgets_apply), read by workers at every
	 * request (aligned 32-bit stores) */
	volatile uint32_t nack;		/* 0: NACKs are counted, not served */
	volatile uint32_t nack_budget_pct;
	volatile uint32_t replay_max_packets;
	volatile uint32_t replay_per_stream_per_s;
	volatile bool stop;		/* workers leave their loop */
	volatile bool quit;		/* the slow path leaves its loop (signal) */
	volatile bool reload;		/* SIGHUP: read the configuration again */
};

extern struct wf_app wf_app;

/* NTP time now, from the TSC (no syscall on workers). */
uint64_t wf_ntp_now(uint64_t tsc);

#endif
