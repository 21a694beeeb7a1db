/* handoff.h: items between workers, on SPSC rings, two per (from, to)
 * pair (app.h):
 *  - the handoff ring: what the workers make themselves (a stream's media
 *    for the viewers on another worker, resends, requests to an owner),
 *    at the rate of the sources the owners took in and within the viewers'
 *    budgets;
 *  - the wire ring: packets received here for another worker (a stream's
 *    source or WHIP publisher for its owner, a viewer's RTCP for the
 *    viewer's worker), before any check only that worker can make.
 * Anyone may send the second kind, as fast as the NIC takes it; apart,
 * such a flood fills only its own ring, and the other worker's media and
 * requests still pass.  Items are buffered per destination and enqueued
 * in bursts; an item a ring cannot take is a counted drop (handoff_full,
 * wire_full; its packet reference is released). */
#ifndef WF_HANDOFF_H
#define WF_HANDOFF_H

#include "core/lcore.h"

/* Creates both rings of every pair of wf_app.n_workers workers, sized by
 * wf_handoff_ring_size() and wf_wire_ring_size(): 0 or -rte_errno. */
int wf_handoff_rings_create(void);

void wf_handoff_flush_to(struct wf_lcore *lc, unsigned to);
void wf_wire_flush_to(struct wf_lcore *lc, unsigned to);

static inline void wf_handoff_flush(struct wf_lcore *lc)
{
	unsigned w;

	for (w = 0; w < wf_app.n_workers; w++) {
		if (lc->nho[w])
			wf_handoff_flush_to(lc, w);
		if (lc->nwo[w])
			wf_wire_flush_to(lc, w);
	}
}

/* Queues one of our own items for worker to (the item's packet reference
 * goes with it). */
static inline void wf_handoff(struct wf_lcore *lc, unsigned to, const struct wf_item *it)
{
	lc->ho[to][lc->nho[to]] = *it;
	lc->ho[to][lc->nho[to]].src = (uint8_t)lc->idx;
	if (++lc->nho[to] == WF_BURST)
		wf_handoff_flush_to(lc, to);
}

/* Queues a packet received here for worker to (it->m goes with it). */
static inline void wf_handoff_wire(struct wf_lcore *lc, unsigned to, const struct wf_item *it)
{
	lc->wo[to][lc->nwo[to]] = *it;
	lc->wo[to][lc->nwo[to]].src = (uint8_t)lc->idx;
	if (++lc->nwo[to] == WF_BURST)
		wf_wire_flush_to(lc, to);
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
