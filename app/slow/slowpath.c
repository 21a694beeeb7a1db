/* slowpath.c: the main lcore's loop (slowpath.h). */
#include "slow/slowpath.h"

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "core/app.h"
#include "core/lcore.h"
#include "core/log.h"
#include "slow/arp.h"
#include "slow/ctrlq.h"
#include "slow/ev.h"
#include "slow/frame.h"
#include "slow/registry.h"
#include "slow/reload.h"
#include "slow/streams.h"
#include "whep/session.h"

/* ICMP echo request -> reply (RFC 792), in a copy from the transmit pool:
 * the request's buffer is the receive pool's (mbufs.h). */
static void icmp_input(unsigned port_idx, struct rte_mbuf *req)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(req, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_icmp_hdr *icmp;
	unsigned ihl = req->l3_len, len = rte_be_to_cpu_16(ip->total_length) - ihl;
	struct rte_mbuf *m;
	uint32_t tmp, sum;

	if (len < sizeof(*icmp) || rte_raw_cksum((uint8_t *)ip + ihl, len) != 0xffff) {
		wf_slow_drop_pkt(req, WF_SLOW_ICMP_BAD);
		return;
	}
	icmp = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0) {
		wf_slow_drop_pkt(req, WF_SLOW_ICMP_OTHER);
		return;
	}
	m = rte_pktmbuf_copy(req, wf_app.tx_pool, 0, UINT32_MAX);
	if (!m) {
		wf_slow_drop_pkt(req, WF_SLOW_TX_NOMBUF);
		return;
	}
	rte_pktmbuf_free(req);
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	icmp = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&wf_app.ports[port_idx].mac, &eth->src_addr);
	tmp = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tmp;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	sum = rte_raw_cksum(icmp, len);
	icmp->icmp_cksum = (uint16_t)~sum;
	if (icmp->icmp_cksum == 0)
		icmp->icmp_cksum = 0xffff;
	m->ol_flags = 0;
	wf_slow_counters.icmp_echo++;
	wf_slow_tx(port_idx, m);
}

static unsigned port_idx_of(uint16_t port_id)
{
	unsigned i;

	for (i = 0; i < wf_app.n_ports; i++)
		if (wf_app.ports[i].port_id == port_id)
			return i;
	return 0;
}

static void punt_input(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	unsigned port_idx = port_idx_of(m->port);

	wf_slow_counters.punted_in++;
	if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
		wf_slow_counters.arp_in++;
		wf_arp_input(port_idx, m);
		return;
	}
	if (((const struct rte_ipv4_hdr *)(eth + 1))->next_proto_id == IPPROTO_ICMP) {
		icmp_input(port_idx, m);
		return;
	}
	/* STUN and DTLS on the WebRTC port (classify.c let nothing else by) */
	wf_slow_counters.webrtc_in++;
	wf_session_input(port_idx, m);
}

/* Handles up to max packets from ring r (pkts: WF_BURST of scratch). */
static unsigned punt_drain(struct rte_ring *r, struct rte_mbuf **pkts, unsigned max)
{
	unsigned done = 0, n, i;

	while (done < max) {
		n = rte_ring_dequeue_burst(r, (void **)pkts, RTE_MIN((unsigned)WF_BURST, max - done),
					   NULL);
		for (i = 0; i < n; i++)
			punt_input(pkts[i]);
		done += n;
		if (n < WF_BURST)
			break;
	}
	return done;
}

/* ---- the loop's pollers (ev.h) ----------------------------------------------- */

/* Times the pass that starts at now against the one before (frame.h). */
static void loop_lag(uint64_t now, uint64_t *last, uint64_t hz)
{
	/* (a TSC read on another CPU may lag: no negative gap) */
	uint64_t us = *last && now > *last ? (now - *last) * 1000000 / hz : 0;

	*last = now;
	if (us > wf_slow_counters.loop_max_us)
		wf_slow_counters.loop_max_us = us;
	if (us > WF_SLOW_LAG_MS * 1000)
		wf_slow_counters.loop_lags++;
}

/* The first poller of every pass: it measures the pass, does no work. */
static unsigned lag_poll(void)
{
	static uint64_t last_pass;

	loop_lag(rte_rdtsc(), &last_pass, wf_app.tsc_hz);
	return 0;
}

/* The priority rings first (ARP, viewers' consent checks: police.h), all
 * of them; then a burst of each bulk ring. */
static unsigned punt_poll(void)
{
	struct rte_mbuf *pkts[WF_BURST];
	unsigned w, work = 0;

	for (w = 0; w < wf_app.n_workers; w++)
		work += punt_drain(wf_app.lc[w]->punt_prio, pkts, WF_PUNT_RING_SIZE);
	for (w = 0; w < wf_app.n_workers; w++)
		work += punt_drain(wf_app.lc[w]->punt, pkts, WF_BURST);
	return work;
}

/* SIGHUP (main.c's handler sets the flag). */
static unsigned reload_poll(void)
{
	/* relaxed, one exchange: a SIGHUP between a test and a clear would be
	 * lost; one during wf_reload() runs it again */
	if (!__atomic_exchange_n(&wf_app.reload, false, __ATOMIC_RELAXED))
		return 0;
	wf_reload(wf_app.cfg);
	return 1;
}

int wf_slow_init(void)
{
	int rc = 0;

	rc = rc ? rc : wf_ev_poller_add(lag_poll);
	rc = rc ? rc : wf_ev_poller_add(punt_poll);
	rc = rc ? rc : wf_ev_poller_add(wf_ctrl_replies);
	/* streams before viewers: a reload's starts take the pool's room
	 * before the queue of viewers' messages does */
	rc = rc ? rc : wf_ev_poller_add(wf_streams_poll);
	rc = rc ? rc : wf_ev_poller_add(wf_registry_poll);
	rc = rc ? rc : wf_ev_poller_add(reload_poll);
	if (rc)
		WF_LOG(ERR, "slow path: cannot register its pollers: %s\n", strerror(-rc));
	return rc;
}

void wf_slow_run(void)
{
	/* quit: main.c's signal handler */
	wf_ev_run(&wf_app.quit);
}
