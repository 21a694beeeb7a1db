/* registry.h: the slow path's view of viewers: which worker and slot each
 * one has, placement (least-loaded worker), the peer address table that
 * routes viewers' RTCP to their lcore, and the streams' fan-out masks.
 * The slow path is the only writer of all of it. */
#ifndef WF_REGISTRY_H
#define WF_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>

#include "core/ctrl.h"
#include "core/viewer.h"

/* Peer-table entries sized per viewer slot (room for the hash to stay
 * well below full). */
#define WF_REGISTRY_PEERS_PER_SLOT 2

/* Sets up slots_per_worker slots on every worker, and the peer table.
 * 0, -EINVAL (no slots, more than WF_PEER_SLOT_MAX, or a worker count the
 * peer value cannot hold), -ENOMEM or the hash's -errno. */
int wf_registry_init(uint32_t slots_per_worker);

/* Chooses a worker and a free slot for a new viewer: 0 or -ENOSPC. */
int wf_registry_place(unsigned *worker, uint32_t *slot, uint16_t *gen);

/* Fills a viewer's Ethernet/IPv4/UDP template (in vo, what its copies
 * read) towards dst_ip:dst_port through port_idx, to dst_mac, from our
 * WebRTC port, and its address in v. */
void wf_registry_template(struct wf_viewer *v, struct wf_viewer_out *vo, unsigned port_idx,
			  const struct rte_ether_addr *dst_mac, uint32_t dst_ip, uint16_t dst_port);

/* Sends viewer v, with vo what its copies read and write and srtp_out
 * their SRTP key (NULL for a plain RTP output), to worker/slot and routes its address there, with
 * tag, the wf_peer_tag() of its session's ufrag (classify.h: only checks
 * that name it are the viewer's own punts).  The caller still wipes its
 * keys; the message's copies are wiped by the worker, or here when it was
 * not sent.  On error the slot is released.
 * Returns 0, -EINVAL (worker, slot or tag out of range), -EBUSY (slot
 * taken), -ENOBUFS (control pool empty: nothing sent, try again) or the
 * peer table's or control ring's -errno. */
int wf_registry_add(unsigned worker, uint32_t slot, uint16_t gen, uint32_t tag,
		    const struct wf_viewer *v, const struct wf_viewer_out *vo,
		    const struct wf_srtp_keys *srtp_out);

/* Removes a viewer: its address stops routing at once (unless a newer
 * viewer took the same address), the slot is released when the worker
 * confirms.  A removal that cannot be sent now (control pool empty, ring
 * full) is sent by wf_registry_poll(), never dropped.  Returns 0 or
 * -ENOENT (no such viewer, or already being removed). */
int wf_registry_remove(unsigned worker, uint32_t slot, uint16_t gen);

/* The viewer's peer moved (ICE path validated on a new address): its
 * address routes to it from now on and the worker gets the new template
 * (sent now or by wf_registry_poll()).  0, -ENOENT, or the peer table's
 * -errno (the old address no longer routes then either). */
int wf_registry_move(unsigned worker, uint32_t slot, uint16_t gen, unsigned port_idx,
		     const struct rte_ether_addr *dst_mac, uint32_t dst_ip, uint16_t dst_port);

/* ---- WHIP publishers (publisher.h) ----
 * A stream's publisher goes to its owner (wf_app.streams[].owner) with
 * WF_CTRL_SET_PUBLISHER; only when the owner took it does its 5-tuple
 * route there (wf_peer_publisher_value(), with tag as for a viewer), and
 * done(stream, gen, 0) runs; a refusal runs done(stream, gen, -errno)
 * and leaves nothing.  Ending takes the route away first, then sends
 * WF_CTRL_DEL_PUBLISHER (now or from wf_registry_poll(), never dropped).
 * The registry keeps a copy of the publisher (keys too, wiped when it
 * ends) to send the owner its new template when the pair moves. */
typedef void (*wf_registry_pub_fn)(unsigned stream, uint16_t gen, int status);

/* Fills p's Ethernet/IPv4/UDP template as wf_registry_template() does a
 * viewer's. */
void wf_registry_publisher_template(struct wf_publisher *p, unsigned port_idx,
				    const struct rte_ether_addr *dst_mac, uint32_t dst_ip,
				    uint16_t dst_port);

/* Sends publisher p (p->stream, p->gen: 1..) to its stream's owner.
 * Returns 0, -EINVAL (stream or tag out of range, gen 0), -EBUSY (the
 * stream has a publisher: end it first), -ENOMEM, or -ENOBUFS (control
 * pool or ring full, or the last publisher's removal still waits:
 * nothing sent, try again). */
int wf_registry_publisher_set(const struct wf_publisher *p, uint32_t tag, wf_registry_pub_fn done);

/* The publisher of stream, generation gen, moved (a validated new
 * address, or a new next hop): its route follows at once when the owner
 * has it, and the owner gets it again with the new template (sent now or
 * by wf_registry_poll()).  0, -ENOENT, or the peer table's -errno. */
int wf_registry_publisher_move(unsigned stream, uint16_t gen, unsigned port_idx,
			       const struct rte_ether_addr *dst_mac, uint32_t dst_ip,
			       uint16_t dst_port);

/* Ends the publisher of stream, generation gen: its route goes at once,
 * DEL_PUBLISHER follows.  0 or -ENOENT. */
int wf_registry_publisher_del(unsigned stream, uint16_t gen);

/* The generation of stream's publisher the owner took and its 5-tuple
 * routes to, or 0. */
uint16_t wf_registry_publisher_live(unsigned stream);

/* Sends the messages that found the control pool or a ring full; call it
 * every turn of the slow-path loop.  Returns how many went out. */
unsigned wf_registry_poll(void);


struct wf_registry_stats {
	uint64_t ctrl_busy;	/* sends that found the pool or a ring full */
	uint64_t ctrl_retried;	/* of those, sent later by wf_registry_poll() */
	uint64_t ctrl_pending;	/* waiting now */
};

void wf_registry_stats(struct wf_registry_stats *out);

/* Viewers of stream slot (being added, live or being removed), anywhere. */
unsigned wf_registry_stream_viewers(unsigned stream);

/* Viewers placed (including those being added), per worker and in all. */
unsigned wf_registry_count(int worker);

/* Bytes of the registry's own record per viewer slot (memory accounting:
 * whepfan-bench fanout); the peer table adds WF_REGISTRY_PEERS_PER_SLOT
 * entries per slot. */
size_t wf_registry_slot_bytes(void);

#endif
