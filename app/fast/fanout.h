/* fanout.h: a stream's packet becomes each viewer's copy.
 *
 * Encrypt-as-copy (DESIGN.md rule 4): each viewer's packet is a new mbuf
 * whose Ethernet/IPv4/UDP headers come from the viewer's template, whose
 * RTP header is rewritten (SSRC, payload type, gap-free sequence number),
 * and whose payload is written by AES out of place from the shared
 * plaintext.  The SRTP jobs of everything the worker sends in a poll
 * (live copies of every stream's packets, NACK answers, replay packets)
 * gather in one batch that goes to lib/srtp as one burst when it is full
 * and at the end of the poll (wf_fanout_flush), so a packet with few
 * viewers still shares a full burst with other packets and streams.
 */
#ifndef WF_FANOUT_H
#define WF_FANOUT_H

#include "core/lcore.h"

/* The size a resend of track t of stream s is charged before it is known
 * (budget.h): the source's mean packet over the last second. */
#define WF_RESEND_ESTIMATE_DEFAULT	1200	/* before the first second */

static inline uint32_t wf_resend_estimate(unsigned s, unsigned t)
{
	uint32_t b = __atomic_load_n(&wf_app.streams[s].pkt_bytes[t], __ATOMIC_RELAXED);

	return b ? b : WF_RESEND_ESTIMATE_DEFAULT;
}

/* Sends history packet m to this lcore's viewers of its stream (m stays
 * the caller's). */
void wf_fanout_packet(struct wf_lcore *lc, struct rte_mbuf *m);

/* Handles a WF_ITEM_RETX item: a NACK's answer or a replay packet for one
 * viewer, or a replay's end (WF_ITEM_F_NONE); takes it->m's reference. */
void wf_fanout_item(struct wf_lcore *lc, const struct wf_item *it);

/* Protects and queues for transmission the copies gathered so far. */
void wf_fanout_flush(struct wf_lcore *lc);

/* Whether a resend to viewer v must yield to live media: the ring to its
 * stream's owner or its transmit queue is over half full. */
bool wf_fanout_resend_shed(const struct wf_lcore *lc, const struct wf_viewer *v);

/* Finishes a packet whose Ethernet/IPv4/UDP header was copied from a
 * template: IPv4 and UDP lengths and the IPv4 checksum from ip_csum_base
 * (the template's with total length 0), for a payload of l4_payload bytes
 * after the UDP header. */
void wf_l4_finish(uint16_t ip_csum_base, struct rte_mbuf *out, unsigned l4_payload);

/* Finishes a viewer's packet (wf_l4_finish with the viewer's template). */
static inline void wf_fanout_finish(const struct wf_viewer_out *vo, struct rte_mbuf *out,
				    unsigned l4_payload)
{
	wf_l4_finish(vo->ip_csum_base, out, l4_payload);
}

#endif
