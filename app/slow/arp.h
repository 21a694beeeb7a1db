/* arp.h: the ARP cache and ARP answers, on the slow path (its only
 * writer).  Requests for our addresses are answered; every ARP packet
 * addressed to us teaches the cache its sender (RFC 826). */
#ifndef WF_ARP_H
#define WF_ARP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#define WF_ARP_ENTRIES 256

/* Handles one ARP frame from port_idx (takes m). */
void wf_arp_input(unsigned port_idx, struct rte_mbuf *m);

/* The MAC for next hop ip on port_idx: true when known; otherwise an ARP
 * request goes out (at most once a second per address). */
bool wf_arp_resolve(unsigned port_idx, uint32_t ip, struct rte_ether_addr *mac);

/* The same without asking: true when known, nothing sent or created. */
bool wf_arp_lookup(unsigned port_idx, uint32_t ip, struct rte_ether_addr *mac);

/* A number that moves whenever a known neighbour's MAC changes: who
 * follows a next hop looks again only when it moved. */
uint64_t wf_arp_generation(void);

/* The next hop for destination dst on port_idx: dst itself when on-link,
 * the gateway otherwise; false when there is none. */
bool wf_arp_next_hop(unsigned port_idx, uint32_t dst, uint32_t *hop);

#endif
