/* classify.h: the first stage of a worker: Ethernet, ARP, IPv4, ICMP, UDP,
 * then by UDP port: a stream's ingest port, or the single WebRTC port where
 * RFC 7983 demultiplexes by the first byte (STUN and DTLS to the slow path,
 * SRTP/SRTCP from a viewer's address that passed ICE to its lcore).
 * Every packet that goes nowhere is a counted drop. */
#ifndef WF_CLASSIFY_H
#define WF_CLASSIFY_H

#include "core/lcore.h"
#include "core/peer.h"

/* The punt class of STUN or DTLS p[0..len) on the WebRTC port: peer says
 * whether its 5-tuple is in the peer table, val is the value there.
 * WF_PUNT_PEER only for a Binding request whose USERNAME names the
 * viewer's session (its ufrag has the value's tag); WF_PUNT_NEW for
 * everything else. */
enum wf_punt_class wf_classify_punt_class(const uint8_t *p, unsigned len, bool peer,
					  const void *val);

/* Gives lc its table of viewers' buckets (lc->viewer_in, police.h) and
 * their rates.  0, or -ENOMEM. */
int wf_classify_init(struct wf_lcore *lc);

/* Classifies n received packets of port port_idx and sends each on its
 * way (ingest, feedback, punt, handoff) or drops it. */
void wf_classify_burst(struct wf_lcore *lc, unsigned port_idx, struct rte_mbuf **pkts, uint16_t n);

#endif
