/* arp.c: ARP on the slow path (arp.h). */
#include "slow/arp.h"

#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>

#include "core/app.h"
#include "core/arp_rule.h"
#include "slow/frame.h"

struct arp_entry {
	uint32_t ip;
	uint16_t port_idx;
	bool valid;
	struct rte_ether_addr mac;
	uint64_t asked_tsc;	/* last request we sent */
	uint64_t learned_tsc;
};

static struct arp_entry cache[WF_ARP_ENTRIES];
static uint64_t generation;	/* known neighbours' MAC changes */

static struct arp_entry *find(unsigned port_idx, uint32_t ip, bool create)
{
	struct arp_entry *free_e = NULL, *oldest = &cache[0];
	unsigned i;

	for (i = 0; i < WF_ARP_ENTRIES; i++) {
		struct arp_entry *e = &cache[i];

		if (e->ip == ip && e->port_idx == port_idx && (e->valid || e->asked_tsc))
			return e;
		if (!e->valid && !e->asked_tsc && !free_e)
			free_e = e;
		if (e->learned_tsc < oldest->learned_tsc)
			oldest = e;
	}
	if (!create)
		return NULL;
	if (!free_e)
		free_e = oldest;	/* full: replace the stalest */
	memset(free_e, 0, sizeof(*free_e));
	free_e->ip = ip;
	free_e->port_idx = (uint16_t)port_idx;
	return free_e;
}

/* ip is at mac: an entry is made (create) or only updated (RFC 826's
 * merge: what a neighbour says about itself is taken for an address we
 * know, a new entry only from ARP for us).  A new MAC for a known address
 * is taken as is: static outputs follow it at their next tick
 * (outputs.c). */
static void learn(unsigned port_idx, uint32_t ip, const struct rte_ether_addr *mac, bool create)
{
	struct arp_entry *e = find(port_idx, ip, create);

	if (!e || (!create && !e->valid))
		return;
	if (e->valid && !rte_is_same_ether_addr(&e->mac, mac)) {
		wf_slow_counters.arp_moves++;
		generation++;
	}
	rte_ether_addr_copy(mac, &e->mac);
	e->valid = true;
	e->learned_tsc = rte_rdtsc();
}

/* Builds an ARP packet (request or reply) in a new mbuf. */
static struct rte_mbuf *arp_build(unsigned port_idx, uint16_t op, const struct rte_ether_addr *tha,
				  uint32_t tip)
{
	const struct wf_port *p = &wf_app.ports[port_idx];
	struct rte_mbuf *m = rte_pktmbuf_alloc(wf_app.tx_pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (!m)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	if (op == RTE_ARP_OP_REQUEST)
		memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	else
		rte_ether_addr_copy(tha, &eth->dst_addr);
	rte_ether_addr_copy(&p->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&p->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = rte_cpu_to_be_32(p->addr);
	if (op == RTE_ARP_OP_REQUEST)
		memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	else
		rte_ether_addr_copy(tha, &arp->arp_data.arp_tha);
	arp->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	return m;
}

void wf_arp_input(unsigned port_idx, struct rte_mbuf *m)
{
	const struct wf_port *p = &wf_app.ports[port_idx];
	const struct rte_arp_hdr *arp;
	uint32_t sip, tip;
	uint16_t op;

	if (rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) + sizeof(*arp)) {
		wf_slow_drop_pkt(m, WF_SLOW_ARP_SHORT);
		return;
	}
	arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, sizeof(struct rte_ether_hdr));
	op = rte_be_to_cpu_16(arp->arp_opcode);
	sip = rte_be_to_cpu_32(arp->arp_data.arp_sip);
	tip = rte_be_to_cpu_32(arp->arp_data.arp_tip);
	if (!wf_arp_well_formed(arp)) {
		wf_slow_drop_pkt(m, WF_SLOW_ARP_BAD);
		return;
	}
	if (!wf_arp_for_port(arp, p)) {
		wf_slow_drop_pkt(m, WF_SLOW_ARP_NOT_OURS);
		return;
	}
	/* RFC 826: the sender is on-link and talking to us: learn it; an
	 * announcement (RFC 5227 §3) only updates a neighbour we know */
	if (sip && (sip & p->netmask) == (p->addr & p->netmask) &&
	    rte_is_unicast_ether_addr(&arp->arp_data.arp_sha))
		learn(port_idx, sip, &arp->arp_data.arp_sha, tip == p->addr);
	if (tip != p->addr) {
		rte_pktmbuf_free(m);
		return;
	}
	if (op == RTE_ARP_OP_REQUEST) {
		struct rte_mbuf *r = arp_build(port_idx, RTE_ARP_OP_REPLY, &arp->arp_data.arp_sha, sip);

		if (r)
			wf_slow_tx(port_idx, r);
	}
	rte_pktmbuf_free(m);
}

bool wf_arp_next_hop(unsigned port_idx, uint32_t dst, uint32_t *hop)
{
	const struct wf_port *p = &wf_app.ports[port_idx];

	if ((dst & p->netmask) == (p->addr & p->netmask)) {
		*hop = dst;
		return true;
	}
	if (!p->has_gateway)
		return false;
	*hop = p->gateway;
	return true;
}

bool wf_arp_lookup(unsigned port_idx, uint32_t ip, struct rte_ether_addr *mac)
{
	const struct arp_entry *e = find(port_idx, ip, false);

	if (!e || !e->valid)
		return false;
	rte_ether_addr_copy(&e->mac, mac);
	return true;
}

uint64_t wf_arp_generation(void)
{
	return generation;
}

bool wf_arp_resolve(unsigned port_idx, uint32_t ip, struct rte_ether_addr *mac)
{
	struct arp_entry *e = find(port_idx, ip, true);
	uint64_t now = rte_rdtsc();

	if (e->valid) {
		rte_ether_addr_copy(&e->mac, mac);
		return true;
	}
	if (!e->asked_tsc || now - e->asked_tsc > rte_get_tsc_hz()) {
		struct rte_mbuf *r = arp_build(port_idx, RTE_ARP_OP_REQUEST, NULL, ip);

		e->asked_tsc = now;
		if (r)
			wf_slow_tx(port_idx, r);
	}
	return false;
}
