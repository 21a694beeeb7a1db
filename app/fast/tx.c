/* tx.c: transmit buffers (tx.h). */
#include "fast/tx.h"

#include <rte_ethdev.h>

void wf_tx_flush_port(struct wf_lcore *lc, unsigned port_idx)
{
	uint16_t n = lc->ntx[port_idx], sent, i;
	uint16_t port_id = wf_app.ports[port_idx].port_id;
	struct rte_mbuf **pkts = lc->tx[port_idx];
	uint64_t bytes = 0;

	/* lengths are read before the PMD may free the mbufs */
	for (i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	sent = rte_eth_tx_burst(port_id, (uint16_t)lc->idx, pkts, n);
	if (sent < n)	/* one retry: the queue may have drained meanwhile */
		sent += rte_eth_tx_burst(port_id, (uint16_t)lc->idx, pkts + sent, n - sent);
	for (i = sent; i < n; i++) {
		bytes -= pkts[i]->pkt_len;
		wf_drop(lc, pkts[i], WF_DROP_TX_FULL);
	}
	lc->c.tx_pkts += sent;
	lc->c.tx_bytes += bytes;
	lc->ntx[port_idx] = 0;
	lc->tx_short[port_idx] = sent < n;
}
