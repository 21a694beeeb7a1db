/* handoff.h: items between workers, on one SPSC ring per (from, to) pair.
 * Items are buffered per destination and enqueued in bursts; an item the
 * ring cannot take is a counted drop (its packet reference is released). */
#ifndef WF_HANDOFF_H
#define WF_HANDOFF_H

#include "core/lcore.h"

void wf_handoff_flush_to(struct wf_lcore *lc, unsigned to);

static inline void wf_handoff_flush(struct wf_lcore *lc)
{
	unsigned w;

	for (w = 0; w < wf_app.n_workers; w++)
		if (lc->nho[w])
			wf_handoff_flush_to(lc, w);
}

/* Queues an item for worker to (the item's packet reference goes with it). */
static inline void wf_handoff(struct wf_lcore *lc, unsigned to, const struct wf_item *it)
{
	lc->ho[to][lc->nho[to]] = *it;
	lc->ho[to][lc->nho[to]].src = (uint8_t)lc->idx;
	if (++lc->nho[to] == WF_BURST)
		wf_handoff_flush_to(lc, to);
}

/* Whether the ring to worker to is over half full, counting the items
 * buffered for it here: resends and replays yield to live media then. */
static inline bool wf_handoff_busy(const struct wf_lcore *lc, unsigned to)
{
	return rte_ring_count(wf_app.handoff[lc->idx][to]) + lc->nho[to] >
	       WF_HANDOFF_RING_SIZE / 2;
}

#endif
