/* workers.h: playing whepfan's workers in a test whose worker lcores are
 * never launched (fuzz_worker, test_handoff): the test runs each worker's
 * control step itself, and a thread runs them while the slow path's
 * wf_streams_start() waits for the workers' answers.  Header only: the
 * fuzz targets do not link the test library. */
#ifndef WF_TEST_WORKERS_H
#define WF_TEST_WORKERS_H

#include <pthread.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "core/app.h"
#include "core/lcore.h"
#include "fast/apply.h"
#include "slow/streams.h"

/* Applies the control messages waiting for worker w, as its loop does. */
static inline void wf_play_control(unsigned w)
{
	struct wf_ctrl_msg *msgs[8];
	unsigned n;

	while ((n = wf_ctrl_take(wf_app.lc[w], msgs, RTE_DIM(msgs))) > 0)
		wf_ctrl_apply(wf_app.lc[w], msgs, n);
}

static inline void *wf_play_control_loop(void *stop)
{
	unsigned w;

	while (!__atomic_load_n((bool *)stop, __ATOMIC_ACQUIRE))
		for (w = 0; w < wf_app.n_workers; w++)
			wf_play_control(w);
	return NULL;
}

/* wf_streams_start(cfg) with the workers' control steps played meanwhile:
 * its result, or -1 when the thread could not start. */
static inline int wf_play_streams_start(const struct wf_config *cfg)
{
	bool stop = false;
	pthread_t th;
	int rc;

	if (pthread_create(&th, NULL, wf_play_control_loop, &stop) != 0)
		return -1;
	rc = wf_streams_start(cfg);
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	return rc;
}

/* The MAC address the tests' peers send from. */
#define WF_PLAY_PEER_MAC	{ { 0x02, 0, 0, 0, 0, 0x01 } }

/* Ethernet + IPv4 + UDP from src:sport to our address on port_idx, port
 * dport, around payload[0..len).  Returns the frame length, 0 if too big. */
static inline size_t wf_play_udp_frame(uint8_t *buf, size_t cap, unsigned port_idx, uint32_t src,
				       uint16_t sport, uint16_t dport, const uint8_t *payload,
				       size_t len)
{
	static const struct rte_ether_addr peer = WF_PLAY_PEER_MAC;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	if (cap < WF_L2L3L4_LEN || len > cap - WF_L2L3L4_LEN || len > 1500 - 28)
		return 0;
	memset(buf, 0, WF_L2L3L4_LEN);
	rte_ether_addr_copy(&wf_app.ports[port_idx].mac, &eth->dst_addr);
	rte_ether_addr_copy(&peer, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(28 + len));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(wf_app.ports[port_idx].addr);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + len));
	memcpy(udp + 1, payload, len);
	return WF_L2L3L4_LEN + len;
}

#endif
