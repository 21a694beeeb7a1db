/* arp_rule.h: which ARP whepfan reads, one rule for the workers (that
 * punt it, fast/classify.c) and the slow path (that answers and learns,
 * slow/arp.c).
 */
#ifndef WF_ARP_RULE_H
#define WF_ARP_RULE_H

#include <stdbool.h>

#include <rte_arp.h>
#include <rte_byteorder.h>

#include "core/app.h"

/* An Ethernet/IPv4 ARP request or reply (RFC 826): the only kind read. */
static inline bool wf_arp_well_formed(const struct rte_arp_hdr *arp)
{
	uint16_t op = rte_be_to_cpu_16(arp->arp_opcode);

	return rte_be_to_cpu_16(arp->arp_hardware) == RTE_ARP_HRD_ETHER &&
	       rte_be_to_cpu_16(arp->arp_protocol) == RTE_ETHER_TYPE_IPV4 &&
	       arp->arp_hlen == RTE_ETHER_ADDR_LEN && arp->arp_plen == 4 &&
	       (op == RTE_ARP_OP_REQUEST || op == RTE_ARP_OP_REPLY);
}

/* ARP for port's address, or an announcement (sender and target address
 * the same, RFC 5227 §3: a gratuitous ARP, as a gateway sends when it
 * fails over) from port's subnet, which may tell a known neighbour's new
 * MAC. */
static inline bool wf_arp_for_port(const struct rte_arp_hdr *arp, const struct wf_port *port)
{
	uint32_t sip = rte_be_to_cpu_32(arp->arp_data.arp_sip);
	uint32_t tip = rte_be_to_cpu_32(arp->arp_data.arp_tip);

	return tip == port->addr ||
	       (sip == tip && sip && (sip & port->netmask) == (port->addr & port->netmask));
}

#endif
