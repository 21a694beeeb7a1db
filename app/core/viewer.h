/* viewer.h: one viewer's state on its worker lcore.
 *
 * A viewer is a static output from the configuration or a WHEP session;
 * both are this struct, on the same fast path.  It lives in its lcore's
 * viewer table, written only by that lcore (the slow path sends a control
 * message to add or remove one).  Everything a viewer costs is here and
 * in its lcore's member cell (lcore.h: its place in the stream's list,
 * what its copies read and write and its SRTP key, kept in the order the
 * fan-out walks): the stream's history is shared, nothing is kept per
 * viewer.
 */
#ifndef WF_VIEWER_H
#define WF_VIEWER_H

#include <stdint.h>

#include "core/app.h"
#include "core/budget.h"
#include "srtp/srtp.h"

enum wf_vt_state {
	WF_VT_OFF = 0,		/* track not negotiated */
	WF_VT_WAIT,		/* waiting for a key frame (live or replayed) */
	WF_VT_REPLAY,		/* replay from the history under way */
	WF_VT_LIVE,
};

/* One track as this viewer receives it: what every copy reads and writes
 * (the track's half of the viewer's member cell, struct wf_viewer_out). */
struct wf_viewer_track {
	uint64_t next_index;	/* next SRTP index to send (ROC << 16 | SEQ) */
	uint64_t idx_base;	/* viewer index of source ext seq src_base */
	uint64_t last_tsc;	/* arrival of the packet carrying last_rtp_ts */
	uint32_t src_base;
	uint32_t last_ext;	/* highest source ext seq sent */
	uint32_t last_rtp_ts;
	uint32_t ssrc;		/* our SSRC towards the viewer */
	uint32_t packets;	/* RFC 3550 sender's packet and octet counts */
	uint32_t octets;
	uint8_t pt;		/* payload type towards the viewer */
	uint8_t state;		/* enum wf_vt_state */
	uint8_t replay;		/* WF_VT_REPLAY_* */
};

/* One track as the viewer's reports and requests describe it: what RTCP
 * reads and writes (struct wf_viewer). */
struct wf_viewer_fb {
	uint64_t replay_tsc;	/* last key-frame replay asked for (join, PLI, FIR) */
	uint32_t rr_jitter;	/* from the viewer's receiver reports */
	uint32_t rr_ext_highest;
	int32_t rr_lost;
	uint32_t rtt_us;
	uint32_t nacks;		/* sequence numbers NACKed */
	uint32_t retransmits;
	uint32_t plis;		/* PLI + FIR */
	uint8_t rr_fraction;
};
#define WF_VT_REPLAY_ASKED	0x01	/* a replay request awaits its answer */
#define WF_VT_REPLAY_CHARGED	0x02	/* its packets draw on the viewer's budget */

/* Whether what vt was sent maps to source packets (src_base, idx_base),
 * so a NACK can be answered: live, or in a replay (whose packets a viewer
 * may lose, and must get back while the history holds them). */
static inline bool wf_vt_mapped(const struct wf_viewer_track *vt)
{
	return vt->state == WF_VT_LIVE || vt->state == WF_VT_REPLAY;
}

#define WF_VIEWER_SRTCP_PEERS 4	/* peer SSRCs with an SRTCP replay window */

/* The SRTCP replay window of one peer SSRC, in 16 bytes: the SRTCP index
 * is 31 bits (RFC 3711 §3.4), so top's high bit says the entry is used. */
struct wf_srtcp_peer {
	uint32_t ssrc;
	uint32_t top;		/* WF_SRTCP_PEER_USED | highest index received */
	uint64_t window;	/* bit i: index top - i received */
};
#define WF_SRTCP_PEER_USED	0x80000000u

/* What each of a viewer's copies reads and writes, in its member cell
 * (lcore.h: lc->member_out[v->pos]), where a stream's cells follow one
 * another in the order the fan-out walks them, beside their SRTP keys:
 * the walk reads one run of memory, not a line or two of each 2.5 KiB
 * viewer (docs/performance.md).  A membership change moves it with its
 * cell; on the worker, reach it through wf_viewer_out(). */
struct wf_viewer_out {
	uint8_t hdr[WF_L2L3L4_LEN];	/* Ethernet + IPv4 + UDP template */
	uint16_t ip_csum_base;		/* IPv4 checksum of hdr with total length 0 */
	uint16_t port_idx;		/* index in wf_app.ports */
	uint8_t srtp;			/* 0: plain RTP relay output */
	uint64_t pkts_out;
	uint64_t bytes_out;
	struct wf_viewer_track trk[WF_MAX_TRACKS];
};

/* The rest of a viewer, in its slot of the viewer table: who it is, the
 * keys for RTCP, what its reports say and its timers. */
struct wf_viewer {
	uint16_t gen;			/* slot generation, bumped on reuse */
	uint16_t stream;
	uint8_t in_use;
	uint32_t pos;			/* its member cell: index in this lcore's members[] */
	struct wf_viewer_fb fb[WF_MAX_TRACKS];
	struct wf_srtp_keys srtcp_out;	/* SRTCP we send (sender reports) */
	struct wf_srtp_keys srtcp_in;	/* SRTCP the viewer sends */
	struct wf_srtcp_peer srtcp_rx[WF_VIEWER_SRTCP_PEERS];
	uint32_t addr;			/* viewer's IPv4 and UDP port, host order */
	uint16_t udp_port;
	uint32_t srtcp_index;		/* our next SRTCP index */
	uint32_t cname_hash;
	uint64_t next_sr_tsc;
	uint64_t created_tsc;
	uint64_t session_id;		/* low 64 bits of the WHEP session id, 0 = static */
	struct wf_retx_bucket retx;	/* what it may be sent again (budget.h) */
} __rte_cache_aligned;

/* Wipes the keys of viewer v and srtp_out, the SRTP key of its copies
 * (NULL: none here; on its worker it lives in the member cell, lcore.h). */
static inline void wf_viewer_keys_wipe(struct wf_viewer *v, struct wf_srtp_keys *srtp_out)
{
	wf_srtp_keys_wipe(srtp_out);
	wf_srtp_keys_wipe(&v->srtcp_out);
	wf_srtp_keys_wipe(&v->srtcp_in);
}

#endif
