/* handoff.c: rings between workers (handoff.h): the rings, and the
 * sending side; the worker loop takes the items in (worker.c). */
#include "fast/handoff.h"

#include <stdio.h>

#include <rte_errno.h>

static struct rte_ring *ring_create(const char *kind, unsigned a, unsigned b, unsigned size)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "wf_%s%u_%u", kind, a, b);
	return rte_ring_create_elem(name, sizeof(struct wf_item), size, (int)rte_socket_id(),
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
}

int wf_handoff_rings_create(void)
{
	unsigned n = wf_app.n_workers, a, b;
	struct rte_ring *(*src)[WF_MAX_WORKERS] = wf_app.wire[WF_WIRE_SOURCE];
	struct rte_ring *(*viewer)[WF_MAX_WORKERS] = wf_app.wire[WF_WIRE_VIEWER];

	wf_app.handoff_cap = wf_handoff_ring_size(n) - 1;
	for (a = 0; a < n; a++)
		for (b = 0; b < n; b++) {
			if (a == b)
				continue;
			wf_app.handoff[a][b] = ring_create("ho", a, b, wf_handoff_ring_size(n));
			src[a][b] = ring_create("ws", a, b, wf_wire_ring_size(WF_WIRE_SOURCE, n));
			viewer[a][b] = ring_create("wv", a, b, wf_wire_ring_size(WF_WIRE_VIEWER, n));
			if (!wf_app.handoff[a][b] || !src[a][b] || !viewer[a][b])
				return -rte_errno;
		}
	return 0;
}

/* Enqueues buf[0..n) on r; what it cannot take is dropped for why. */
static void flush(struct wf_lcore *lc, struct rte_ring *r, struct wf_item *buf, unsigned n,
		  enum wf_drop why)
{
	unsigned done = rte_ring_enqueue_burst_elem(r, buf, sizeof(struct wf_item), n, NULL), i;

	lc->c.handoff_out += done;
	for (i = done; i < n; i++) {
		lc->c.drop[why]++;
		if (buf[i].m)
			rte_pktmbuf_free(buf[i].m);
	}
}

void wf_handoff_flush_to(struct wf_lcore *lc, unsigned to)
{
	flush(lc, wf_app.handoff[lc->idx][to], lc->ho[to], lc->nho[to], WF_DROP_HANDOFF_FULL);
	lc->nho[to] = 0;
}

void wf_wire_flush_to(struct wf_lcore *lc, enum wf_wire kind, unsigned to)
{
	flush(lc, wf_app.wire[kind][lc->idx][to], lc->wo[kind][to], lc->nwo[kind][to],
	      kind == WF_WIRE_SOURCE ? WF_DROP_WIRE_SOURCE_FULL : WF_DROP_WIRE_VIEWER_FULL);
	lc->nwo[kind][to] = 0;
}
