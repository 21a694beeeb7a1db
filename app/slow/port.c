/* port.c: DPDK port set-up (port.h). */
#include "slow/port.h"

#include <errno.h>

#include <rte_ethdev.h>

#include "core/log.h"


/* The device's configuration: RSS over UDP when it can and there are
 * several queues, IPv4 checksums checked by the device when it can. */
static void port_conf(const struct rte_eth_dev_info *info, uint16_t nrxq, struct rte_eth_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	if (nrxq > 1 && (info->flow_type_rss_offloads & RTE_ETH_RSS_UDP)) {
		conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf->rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_UDP & info->flow_type_rss_offloads;
	}
	if (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM)
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	/* no RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE: viewers' copies and history
	 * packets differ in refcount */
}

/* One rx and one tx queue per worker. */
static int queues_setup(uint16_t pid, const char *name, uint16_t nq, uint16_t nrxd,
			uint16_t ntxd)
{
	uint16_t q;
	int rc;

	for (q = 0; q < nq; q++) {
		rc = rte_eth_rx_queue_setup(pid, q, nrxd, rte_eth_dev_socket_id(pid), NULL,
					    wf_app.rx_pool);
		if (rc) {
			WF_LOG(ERR, "port %s: rx queue %u: %s\n", name, q, rte_strerror(-rc));
			return rc;
		}
	}
	for (q = 0; q < nq; q++) {
		rc = rte_eth_tx_queue_setup(pid, q, ntxd, rte_eth_dev_socket_id(pid), NULL);
		if (rc) {
			WF_LOG(ERR, "port %s: tx queue %u: %s\n", name, q, rte_strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int port_init(struct wf_port *wp, const struct wf_config_port *cp, unsigned n_workers)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t pid, nq = (uint16_t)n_workers;
	uint16_t nrxd = WF_RX_DESC, ntxd = WF_TX_DESC;
	int rc;

	if (rte_eth_dev_get_port_by_name(cp->name, &pid) != 0) {
		WF_LOG(ERR, "port %s: no such DPDK device (add it with --vdev or bind a PCI NIC)\n",
		       cp->name);
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(pid, &info);
	if (rc)
		return rc;
	if (nq > info.max_rx_queues || nq > info.max_tx_queues) {
		WF_LOG(ERR, "port %s: needs %u rx and %u tx queues, device has %u and %u\n",
		       cp->name, nq, nq, info.max_rx_queues, info.max_tx_queues);
		return -ENOTSUP;
	}
	port_conf(&info, nq, &conf);
	rc = rte_eth_dev_configure(pid, nq, nq, &conf);
	if (rc) {
		WF_LOG(ERR, "port %s: configure: %s\n", cp->name, rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nrxd, &ntxd);
	if (!rc)
		rc = queues_setup(pid, cp->name, nq, nrxd, ntxd);
	if (rc)
		return rc;
	rc = rte_eth_dev_start(pid);
	if (rc) {
		WF_LOG(ERR, "port %s: start: %s\n", cp->name, rte_strerror(-rc));
		return rc;
	}
	rte_eth_macaddr_get(pid, &wp->mac);
	wp->port_id = pid;
	wp->nb_txd = ntxd;
	/* -ENOTSUP (net_tap, net_null): congestion is seen from short bursts */
	wp->tx_desc_status = rte_eth_tx_descriptor_status(pid, 0, 0) >= 0;
	wp->addr = cp->addr;
	wp->netmask = cp->netmask;
	wp->gateway = cp->gateway;
	wp->has_gateway = cp->has_gateway;
	snprintf(wp->name, sizeof(wp->name), "%s", cp->name);
	WF_LOG(INFO, "port %s: dpdk port %u, " RTE_ETHER_ADDR_PRT_FMT ", %u.%u.%u.%u/%u, %u queues\n",
	       cp->name, pid, RTE_ETHER_ADDR_BYTES(&wp->mac), cp->addr >> 24, (cp->addr >> 16) & 255,
	       (cp->addr >> 8) & 255, cp->addr & 255, cp->prefix_len, nq);
	return 0;
}

int wf_ports_init(const struct wf_config *cfg, unsigned n_workers)
{
	unsigned i;
	int rc;

	for (i = 0; i < cfg->n_ports; i++) {
		rc = port_init(&wf_app.ports[i], &cfg->ports[i], n_workers);
		if (rc)
			return rc;
		wf_app.n_ports = i + 1;
	}
	return 0;
}

void wf_ports_close(void)
{
	unsigned i;

	for (i = 0; i < wf_app.n_ports; i++) {
		rte_eth_dev_stop(wf_app.ports[i].port_id);
		rte_eth_dev_close(wf_app.ports[i].port_id);
	}
	wf_app.n_ports = 0;
}
