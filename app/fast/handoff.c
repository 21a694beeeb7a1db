/* handoff.c: rings between workers (handoff.h): the sending side; the
 * worker loop takes the items in (worker.c). */
#include "fast/handoff.h"

void wf_handoff_flush_to(struct wf_lcore *lc, unsigned to)
{
	unsigned n = lc->nho[to], done, i;

	done = rte_ring_enqueue_burst_elem(wf_app.handoff[lc->idx][to], lc->ho[to],
					   sizeof(struct wf_item), n, NULL);
	lc->c.handoff_out += done;
	for (i = done; i < n; i++) {
		lc->c.drop[WF_DROP_HANDOFF_FULL]++;
		if (lc->ho[to][i].m)
			rte_pktmbuf_free(lc->ho[to][i].m);
	}
	lc->nho[to] = 0;
}
