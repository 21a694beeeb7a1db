/* frame.c: frames out of the slow path, and its counters (frame.h). */
#include "slow/frame.h"

#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "core/app.h"
#include "core/lcore.h"
#include "core/reason.h"

struct wf_slow_counters wf_slow_counters;

#define WF_SLOW_INFO_(field, text) { #field, text, offsetof(struct wf_slow_counters, field) },
const struct wf_counter_info wf_slow_counter_list[] = {
	WF_SLOW_COUNTERS(WF_SLOW_INFO_)
};
#undef WF_SLOW_INFO_
const unsigned wf_slow_counter_count = RTE_DIM(wf_slow_counter_list);

WF_REASON_TABLES(wf_slow_drop, enum wf_slow_drop, WF_SLOW_DROPS, WF_SLOW_DROP_COUNT)

void wf_slow_drop_pkt(struct rte_mbuf *m, enum wf_slow_drop why)
{
	wf_slow_counters.drop[why]++;
	rte_pktmbuf_free(m);
}

void wf_slow_tx(unsigned port_idx, struct rte_mbuf *m)
{
	wf_slow_tx_via(0, port_idx, m);
}

void wf_slow_tx_via(unsigned worker, unsigned port_idx, struct rte_mbuf *m)
{
	/* whatever waits in a transmit queue is the transmit pool's: a
	 * received frame sent back would hold a receive buffer there, which
	 * the receive pool's reserve does not count (mbufs.h) */
	if (m->pool != wf_app.tx_pool) {
		wf_slow_drop_pkt(m, WF_SLOW_TX_POOL);
		return;
	}
	/* the worker transmits it on its own queue (one writer per queue) */
	m->port = (uint16_t)port_idx;
	if (worker >= wf_app.n_workers ||
	    rte_ring_enqueue(wf_app.lc[worker]->slow_tx, m) != 0) {
		wf_slow_drop_pkt(m, WF_SLOW_TX_FULL);
		return;
	}
	wf_slow_counters.tx_pkts++;
}

int wf_slow_send_udp(unsigned port_idx, const struct rte_ether_addr *dst_mac, uint32_t dst_ip,
		     uint16_t dst_port, uint16_t src_port, const void *payload, size_t len)
{
	return wf_slow_send_udp_via(0, port_idx, dst_mac, dst_ip, dst_port, src_port, payload, len);
}

int wf_slow_send_udp_via(unsigned worker, unsigned port_idx, const struct rte_ether_addr *dst_mac,
			 uint32_t dst_ip, uint16_t dst_port, uint16_t src_port,
			 const void *payload, size_t len)
{
	const struct wf_port *p = &wf_app.ports[port_idx];
	struct rte_mbuf *m = rte_pktmbuf_alloc(wf_app.tx_pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	if (!m)
		return -ENOMEM;
	if (len > (size_t)rte_pktmbuf_tailroom(m) - WF_L2L3L4_LEN) {
		rte_pktmbuf_free(m);
		return -EMSGSIZE;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(WF_L2L3L4_LEN + len));
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	udp = (struct rte_udp_hdr *)(ip + 1);
	rte_ether_addr_copy(dst_mac, &eth->dst_addr);
	rte_ether_addr_copy(&p->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(WF_IP4_LEN + WF_UDP_LEN + len));
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(p->addr);
	ip->dst_addr = rte_cpu_to_be_32(dst_ip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(src_port);
	udp->dst_port = rte_cpu_to_be_16(dst_port);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(WF_UDP_LEN + len));
	udp->dgram_cksum = 0;
	memcpy(udp + 1, payload, len);
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	wf_slow_tx_via(worker, port_idx, m);
	return 0;
}
