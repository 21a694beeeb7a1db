/* fanout.h: a stream's packet becomes each viewer's copy.
 *
 * Encrypt-as-copy (DESIGN.md rule 4): each viewer's packet is a new mbuf
 * whose Ethernet/IPv4/UDP headers come from the viewer's template, whose
 * RTP header is rewritten (SSRC, payload type, gap-free sequence number),
 * and whose payload is written by AES out of place from the shared
 * plaintext.  The jobs of one source packet for all local viewers go to
 * lib/srtp as one burst.
 */
#ifndef WF_FANOUT_H
#define WF_FANOUT_H

#include "lcore.h"

/* Sends history packet m to this lcore's viewers of its stream (m stays
 * the caller's). */
void wf_fanout_packet(struct wf_lcore *lc, struct rte_mbuf *m);

/* Handles a WF_ITEM_RETX item: a retransmission or a replay packet for one
 * viewer (it->m stays the caller's). */
void wf_fanout_item(struct wf_lcore *lc, const struct wf_item *it);

/* The viewer in slot with generation gen, or NULL (counted viewer_gone). */
struct wf_viewer *wf_viewer_get(struct wf_lcore *lc, uint32_t slot, uint16_t gen);

/* Asks the stream's owner to replay track t from the last key frame to
 * viewer slot (the viewer waits for it). */
void wf_fanout_request_replay(struct wf_lcore *lc, struct wf_viewer *v, uint32_t slot,
			      unsigned t);

/* Asks the owner for source ext seq ext of track t for viewer slot. */
void wf_fanout_request_retx(struct wf_lcore *lc, struct wf_viewer *v, uint32_t slot,
			    unsigned t, uint32_t ext);

/* Finishes a viewer's packet: IPv4 and UDP lengths and checksum from the
 * template, for a payload of l4_payload bytes after the UDP header. */
void wf_fanout_finish(const struct wf_viewer *v, struct rte_mbuf *out, unsigned l4_payload);

#endif
