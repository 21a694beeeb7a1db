/* frame.h: what the slow path sends and counts.  Its frames leave
 * through a worker's transmit queue (the worker owns the queue; the slow
 * path hands frames over on the worker's slow_tx ring): ARP and ICMP
 * replies, STUN and DTLS to viewers.  The counters are the slow path's
 * (one writer: the main lcore; telemetry and /metrics read them).
 */
#ifndef WF_FRAME_H
#define WF_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "core/counters.h"
#include "core/reason.h"

/* Slow-path drop reasons (counted, never silent). */
#define WF_SLOW_DROPS(_) \
	_(ARP_SHORT,    arp_short,    "ARP frame too short") \
	_(ARP_BAD,      arp_bad,      "ARP not Ethernet/IPv4 or unknown operation") \
	_(ARP_NOT_OURS, arp_not_ours, "ARP for another address") \
	_(ICMP_BAD,     icmp_bad,     "ICMP too short or bad checksum") \
	_(ICMP_OTHER,   icmp_other,   "ICMP other than echo request") \
	_(PUNT_OTHER,   punt_other,   "punted packet nobody handles yet") \
	_(TX_FULL,      tx_full,      "ring to the transmitting worker full") \
	_(TX_POOL,      tx_pool,      "frame to send not from the transmit pool (a bug)") \
	_(TX_NOMBUF,    tx_nombuf,    "no transmit mbuf for a reply")

#define WF_SLOW_ENUM_(sym, name, text) WF_SLOW_##sym,
enum wf_slow_drop { WF_SLOW_DROPS(WF_SLOW_ENUM_) WF_SLOW_DROP_COUNT };
#undef WF_SLOW_ENUM_
WF_REASON_LOOKUPS(wf_slow_drop, enum wf_slow_drop)

/* The slow path's scalar counters (name, help): the struct's fields, the
 * slow_path dictionary of /whepfan/stats and whepfan_slow_path_<name>_total. */
#define WF_SLOW_COUNTERS(_) \
	_(punted_in, "Packets taken from the workers' punt rings.") \
	_(arp_in,    "ARP frames taken in.") \
	_(arp_moves, "Known neighbours whose MAC changed (ARP for us or an announcement).") \
	_(icmp_echo, "ICMP echo requests answered.") \
	_(webrtc_in, "STUN and DTLS datagrams taken in.") \
	_(tx_pkts,   "Frames handed to a worker to transmit.") \
	_(ctrl_sent, "Control messages sent to workers.") \
	_(loop_lags, "Slow-path loop passes that started over 50 ms (WF_SLOW_LAG_MS) after the one before.")

struct wf_slow_counters {
#define WF_SLOW_FIELD_(name, help) uint64_t name;
	WF_SLOW_COUNTERS(WF_SLOW_FIELD_)
#undef WF_SLOW_FIELD_
	/* the loop's lag: the longest time between the starts of two passes
	 * (work and nap; the nap is 0.5 ms), a gauge; loop_lags counts the
	 * passes that started more than WF_SLOW_LAG_MS after the one before
	 * (HTTP answers, ICE checks and DTLS flights waited that long) */
	uint64_t loop_max_us;
	uint64_t drop[WF_SLOW_DROP_COUNT];
};

/* The scalar counters as a list (name, help, offset in the struct). */
extern const struct wf_counter_info wf_slow_counter_list[];
extern const unsigned wf_slow_counter_count;

#define WF_SLOW_LAG_MS 50

extern struct wf_slow_counters wf_slow_counters;

/* The value of one listed counter. */
static inline uint64_t wf_slow_counter(const struct wf_counter_info *ci)
{
	return wf_u64_at(&wf_slow_counters, ci->off);
}

/* Transmits m on port_idx through worker 0's queue (takes m). */
void wf_slow_tx(unsigned port_idx, struct rte_mbuf *m);
/* The same through worker's queue. */
void wf_slow_tx_via(unsigned worker, unsigned port_idx, struct rte_mbuf *m);

/* Builds an Ethernet/IPv4/UDP frame around payload and transmits it on
 * port_idx to dst_mac / dst_ip:dst_port from our address and src_port.
 * Returns 0 or -errno (counted). */
int wf_slow_send_udp(unsigned port_idx, const struct rte_ether_addr *dst_mac, uint32_t dst_ip,
		     uint16_t dst_port, uint16_t src_port, const void *payload, size_t len);

/* The same through worker's queue instead of worker 0's: a frame that must
 * leave before the media a control message to that worker starts (the
 * DTLS flight that completes a handshake, before the viewer is added). */
int wf_slow_send_udp_via(unsigned worker, unsigned port_idx, const struct rte_ether_addr *dst_mac,
			 uint32_t dst_ip, uint16_t dst_port, uint16_t src_port,
			 const void *payload, size_t len);

/* Counts and frees. */
void wf_slow_drop_pkt(struct rte_mbuf *m, enum wf_slow_drop why);

#endif
