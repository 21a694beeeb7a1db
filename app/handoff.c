/* handoff.c: rings between workers (handoff.h). */
#include "handoff.h"

#include "fanout.h"
#include "feedback.h"
#include "ingest.h"
#include "request.h"

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

static void handle(struct wf_lcore *lc, struct wf_item *it)
{
	lc->c.handoff_in_kind[it->kind & 7]++;
	switch (it->kind) {
	case WF_ITEM_INGEST:
		wf_ingest_one(lc, it->m);
		break;
	case WF_ITEM_FROM_VIEWER:
		wf_feedback_packet(lc, it->m, it->viewer, it->gen);
		break;
	case WF_ITEM_MEDIA:
		wf_fanout_packet(lc, it->m);
		rte_pktmbuf_free(it->m);	/* the reference the owner gave us */
		break;
	case WF_ITEM_RETX:
		wf_fanout_item(lc, it);	/* takes the item's reference */
		break;
	case WF_ITEM_REQ_RETX:
	case WF_ITEM_REQ_REPLAY:
		wf_request_serve(lc, it);
		break;
	default:
		if (it->m)
			rte_pktmbuf_free(it->m);
		lc->c.drop[WF_DROP_CTRL]++;
		break;
	}
}

unsigned wf_handoff_poll(struct wf_lcore *lc, unsigned max)
{
	struct wf_item items[WF_BURST];
	unsigned w, total = 0;

	for (w = 0; w < wf_app.n_workers && total < max; w++) {
		unsigned n, i;

		if (w == lc->idx)
			continue;
		n = rte_ring_dequeue_burst_elem(wf_app.handoff[w][lc->idx], items,
						sizeof(struct wf_item), WF_BURST, NULL);
		for (i = 0; i < n; i++)
			handle(lc, &items[i]);
		total += n;
	}
	lc->c.handoff_in += total;
	return total;
}
