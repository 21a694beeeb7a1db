/* tx.c: transmit buffers (tx.h). */
#include "fast/tx.h"

#include <rte_ethdev.h>

void wf_tx_flush_port(struct wf_lcore *lc, unsigned port_idx)
{
	uint16_t n = lc->ntx[port_idx], sent, i;
	uint16_t port_id = wf_app.ports[port_idx].port_id;
	struct rte_mbuf **pkts = lc->tx[port_idx];
	const uint64_t *rx_tsc = lc->tx_rx_tsc[port_idx];
	uint64_t bytes = 0, now;

	/* lengths are read before the PMD may free the mbufs */
	for (i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	now = rte_rdtsc();
	sent = rte_eth_tx_burst(port_id, (uint16_t)lc->idx, pkts, n);
	if (sent < n)	/* one retry: the queue may have drained meanwhile */
		sent += rte_eth_tx_burst(port_id, (uint16_t)lc->idx, pkts + sent, n - sent);
	/* what the NIC took, from arrival to the burst that handed it over */
	for (i = 0; i < sent; i++)
		if (rx_tsc[i])
			wf_lat_add(&lc->lat, now > rx_tsc[i] ? now - rx_tsc[i] : 0);
	for (i = sent; i < n; i++) {
		bytes -= pkts[i]->pkt_len;
		wf_drop(lc, pkts[i], WF_DROP_TX_FULL);
	}
	lc->c.tx_pkts += sent;
	lc->c.tx_bytes += bytes;
	lc->ntx[port_idx] = 0;
	lc->tx_short[port_idx] = sent < n;
}
