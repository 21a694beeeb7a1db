/* tx.h: a worker's transmit stage: per-port buffers flushed in bursts on
 * the worker's own queue; what the queue does not take after a retry is a
 * counted drop (tx_full). */
#ifndef WF_TX_H
#define WF_TX_H

#include <rte_ethdev.h>

#include "core/lcore.h"

void wf_tx_flush_port(struct wf_lcore *lc, unsigned port_idx);

static inline void wf_tx_flush(struct wf_lcore *lc)
{
	unsigned p;

	for (p = 0; p < wf_app.n_ports; p++)
		if (lc->ntx[p])
			wf_tx_flush_port(lc, p);
}

/* Whether the worker's transmit queue on port_idx is over half full: the
 * descriptor half a ring ahead still waits for the NIC, where the PMD
 * reports descriptor status; else the last burst found the queue full.
 * Resends yield to live media then (budget.h). */
static inline bool wf_tx_congested(const struct wf_lcore *lc, unsigned port_idx)
{
	const struct wf_port *p = &wf_app.ports[port_idx];

	if (lc->tx_short[port_idx])
		return true;
	return p->tx_desc_status &&
	       rte_eth_tx_descriptor_status(p->port_id, (uint16_t)lc->idx, p->nb_txd / 2) ==
	       RTE_ETH_TX_DESC_FULL;
}

/* Queues m for port_idx (takes the reference). */
static inline void wf_tx(struct wf_lcore *lc, unsigned port_idx, struct rte_mbuf *m)
{
	lc->tx[port_idx][lc->ntx[port_idx]++] = m;
	if (lc->ntx[port_idx] == WF_TXBUF)
		wf_tx_flush_port(lc, port_idx);
}

#endif
