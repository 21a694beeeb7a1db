/* tx.h: a worker's transmit stage: per-port buffers flushed in bursts on
 * the worker's own queue; what the queue does not take after a retry is a
 * counted drop (tx_full). */
#ifndef WF_TX_H
#define WF_TX_H

#include "lcore.h"

void wf_tx_flush_port(struct wf_lcore *lc, unsigned port_idx);

static inline void wf_tx_flush(struct wf_lcore *lc)
{
	unsigned p;

	for (p = 0; p < wf_app.n_ports; p++)
		if (lc->ntx[p])
			wf_tx_flush_port(lc, p);
}

/* Queues m for port_idx (takes the reference). */
static inline void wf_tx(struct wf_lcore *lc, unsigned port_idx, struct rte_mbuf *m)
{
	lc->tx[port_idx][lc->ntx[port_idx]++] = m;
	if (lc->ntx[port_idx] == WF_TXBUF)
		wf_tx_flush_port(lc, port_idx);
}

#endif
