/* tx.h: a worker's transmit stage: per-port buffers flushed in bursts on
 * the worker's own queue; what the queue does not take after a retry is a
 * counted drop (tx_full).  As in DPDK's l3fwd, a buffer with less than a
 * burst waits for more for up to WF_TX_DRAIN_US (a NIC's doorbell and
 * descriptor writes are paid per burst), and goes at once when a poll
 * finds no work. */
#ifndef WF_TX_H
#define WF_TX_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>

#include "core/lcore.h"

#define WF_TX_DRAIN_US	20	/* the longest a packet waits for a fuller burst */

void wf_tx_flush_port(struct wf_lcore *lc, unsigned port_idx);

static inline void wf_tx_flush(struct wf_lcore *lc)
{
	unsigned p;

	for (p = 0; p < wf_app.n_ports; p++)
		if (lc->ntx[p])
			wf_tx_flush_port(lc, p);
}

/* Whether a buffer of n packets, the first of them queued at since, goes
 * out at the end of the poll at now: a burst's worth goes, one that has
 * waited drain_tsc goes, and after a poll without work (idle) all go. */
static inline bool wf_tx_due(uint16_t n, uint64_t since, uint64_t now, uint64_t drain_tsc,
			     bool idle)
{
	return n && (idle || n >= WF_BURST || now - since >= drain_tsc);
}

/* Flushes the buffers due at the end of a poll (wf_tx_due). */
static inline void wf_tx_drain(struct wf_lcore *lc, uint64_t now, bool idle)
{
	unsigned p;

	for (p = 0; p < wf_app.n_ports; p++)
		if (wf_tx_due(lc->ntx[p], lc->tx_since[p], now, lc->tx_drain_tsc, idle))
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

/* Queues m for port_idx (takes the reference); rx_tsc: the arrival of
 * the media packet m is a copy of, for the latency histogram, or 0. */
static inline void wf_tx_media(struct wf_lcore *lc, unsigned port_idx, struct rte_mbuf *m,
			       uint64_t rx_tsc)
{
	uint16_t n = lc->ntx[port_idx];

	if (!n)
		lc->tx_since[port_idx] = lc->poll_tsc;
	lc->tx[port_idx][n] = m;
	lc->tx_rx_tsc[port_idx][n] = rx_tsc;
	lc->ntx[port_idx] = ++n;
	if (n == WF_TXBUF)
		wf_tx_flush_port(lc, port_idx);
}

/* Queues m, not media (a frame of the slow path, a sender report). */
static inline void wf_tx(struct wf_lcore *lc, unsigned port_idx, struct rte_mbuf *m)
{
	wf_tx_media(lc, port_idx, m, 0);
}

#endif
