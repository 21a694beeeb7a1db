/* classify.h: the first stage of a worker: Ethernet, ARP, IPv4, ICMP, UDP,
 * then by UDP port: a stream's ingest port, or the single WebRTC port where
 * RFC 7983 demultiplexes by the first byte (STUN and DTLS to the slow path,
 * SRTP/SRTCP from a viewer's address that passed ICE to its lcore).
 * Every packet that goes nowhere is a counted drop. */
#ifndef WF_CLASSIFY_H
#define WF_CLASSIFY_H

#include "lcore.h"

/* The key of the viewers' address table (wf_app.peers). */
struct wf_peer_key {
	uint32_t addr;		/* host order */
	uint16_t port;
	uint16_t port_idx;
};

/* The value stored for a peer: worker, slot and generation. */
static inline void *wf_peer_value(unsigned worker, uint32_t slot, uint16_t gen)
{
	return (void *)(uintptr_t)((uint64_t)worker << 40 | (uint64_t)gen << 24 | slot);
}

static inline void wf_peer_decode(const void *v, unsigned *worker, uint32_t *slot, uint16_t *gen)
{
	uint64_t x = (uint64_t)(uintptr_t)v;

	*worker = (unsigned)(x >> 40);
	*gen = (uint16_t)(x >> 24);
	*slot = (uint32_t)(x & 0xffffff);
}

/* Classifies n received packets of port port_idx and sends each on its
 * way (ingest, feedback, punt, handoff) or drops it. */
void wf_classify_burst(struct wf_lcore *lc, unsigned port_idx, struct rte_mbuf **pkts, uint16_t n);

#endif
