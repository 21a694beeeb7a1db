/* handoff.h: items between workers, on SPSC rings, three per (from, to)
 * pair (app.h):
 *  - the handoff ring: what the workers make themselves (a stream's media
 *    for the viewers on another worker, resends, requests to an owner),
 *    at the rate of the sources the owners took in and within the viewers'
 *    budgets;
 *  - two wire rings: packets received here for another worker, before
 *    any check only that worker can make: from a stream's source or WHIP
 *    publisher for its owner (WF_WIRE_SOURCE), from a viewer for the
 *    viewer's worker (WF_WIRE_VIEWER).
 * Anyone may send what the wire rings carry, as fast as the NIC takes it;
 * apart, such a flood fills only its own ring: the other worker's media
 * and requests still pass, and what viewers send (anyone can be one)
 * does not crowd out the sources.  Items are buffered per destination and
 * enqueued in bursts; an item a ring cannot take is a counted drop
 * (handoff_full, wire_source_full, wire_viewer_full; its packet reference
 * is released). */
#ifndef WF_HANDOFF_H
#define WF_HANDOFF_H

#include "core/lcore.h"

/* Creates the rings of every pair of wf_app.n_workers workers, sized by
 * wf_handoff_ring_size() and wf_wire_ring_size(): 0 or -rte_errno. */
int wf_handoff_rings_create(void);

void wf_handoff_flush_to(struct wf_lcore *lc, unsigned to);
void wf_wire_flush_to(struct wf_lcore *lc, enum wf_wire kind, unsigned to);

static inline void wf_handoff_flush(struct wf_lcore *lc)
{
	unsigned w;

	for (w = 0; w < wf_app.n_workers; w++) {
		if (lc->nho[w])
			wf_handoff_flush_to(lc, w);
		if (lc->nwo[WF_WIRE_SOURCE][w])
			wf_wire_flush_to(lc, WF_WIRE_SOURCE, w);
		if (lc->nwo[WF_WIRE_VIEWER][w])
			wf_wire_flush_to(lc, WF_WIRE_VIEWER, w);
	}
}

/* Puts it, from worker src, in buffer buf of *n items: whether the
 * buffer is full now. */
static inline bool wf_handoff_buffer(struct wf_item *buf, uint16_t *n, const struct wf_item *it,
				     unsigned src)
{
	buf[*n] = *it;
	buf[*n].src = (uint8_t)src;
	return ++*n == WF_BURST;
}

/* Queues one of our own items for worker to (the item's packet reference
 * goes with it). */
static inline void wf_handoff(struct wf_lcore *lc, unsigned to, const struct wf_item *it)
{
	if (wf_handoff_buffer(lc->ho[to], &lc->nho[to], it, lc->idx))
		wf_handoff_flush_to(lc, to);
}

/* Queues a packet received here for worker to on its kind's wire ring
 * (it->m goes with it). */
static inline void wf_handoff_wire(struct wf_lcore *lc, enum wf_wire kind, unsigned to,
				   const struct wf_item *it)
{
	if (wf_handoff_buffer(lc->wo[kind][to], &lc->nwo[kind][to], it, lc->idx))
		wf_wire_flush_to(lc, kind, to);
}

/* Whether the handoff ring to worker to is over half full, counting the
 * items buffered for it here: resends and replays yield to live media
 * then. */
static inline bool wf_handoff_busy(const struct wf_lcore *lc, unsigned to)
{
	return rte_ring_count(wf_app.handoff[lc->idx][to]) + lc->nho[to] >
	       wf_app.handoff_cap / 2;
}

#endif
