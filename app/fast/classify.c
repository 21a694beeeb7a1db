/* classify.c: the first stage of a worker (classify.h). */
#include "fast/classify.h"

#include <errno.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "core/arp_rule.h"
#include "fast/feedback.h"
#include "fast/handoff.h"
#include "fast/ingest.h"
#include "fast/whip.h"
#include "stun/stun.h"

/* The drop of each punt class over its source's rate, and over the
 * class's rate on this worker (police.h). */
static const enum wf_drop policed[WF_PUNT_CLASS_COUNT] = {
	[WF_PUNT_ARP] = WF_DROP_POLICE_ARP,
	[WF_PUNT_PEER] = WF_DROP_POLICE_PEER,
	[WF_PUNT_NEW] = WF_DROP_POLICE_NEW,
	[WF_PUNT_ICMP] = WF_DROP_POLICE_ICMP,
};
static const enum wf_drop policed_all[WF_PUNT_CLASS_COUNT] = {
	[WF_PUNT_ARP] = WF_DROP_POLICE_ARP_ALL,
	[WF_PUNT_PEER] = WF_DROP_POLICE_PEER_ALL,
	[WF_PUNT_NEW] = WF_DROP_POLICE_NEW_ALL,
	[WF_PUNT_ICMP] = WF_DROP_POLICE_ICMP_ALL,
};

/* Hands m to the slow path if its class and source are within their
 * rates: ARP and viewers' packets on the priority ring, the rest on the
 * bulk ring. */
static void punt(struct wf_lcore *lc, struct rte_mbuf *m, enum wf_punt_class c, uint64_t src)
{
	bool prio = c == WF_PUNT_ARP || c == WF_PUNT_PEER;

	switch (wf_police_check(&lc->police, c, src, rte_rdtsc())) {
	case WF_POLICE_PASS:
		break;
	case WF_POLICE_OVER_SOURCE:
		wf_drop(lc, m, policed[c]);
		return;
	default:
		wf_drop(lc, m, policed_all[c]);
		return;
	}
	if (rte_ring_enqueue(prio ? lc->punt_prio : lc->punt, m) != 0) {
		wf_drop(lc, m, prio ? WF_DROP_PUNT_PRIO_FULL : WF_DROP_PUNT_FULL);
		return;
	}
	lc->c.punted++;
	lc->c.punted_class[c]++;
}

/* ARP for our address, and announcements from our subnet, are punted
 * (core/arp_rule.h); malformed ARP and ARP for other hosts are dropped
 * here, so a flood of them costs the slow path nothing. */
static void arp_in(struct wf_lcore *lc, const struct wf_port *port, struct rte_mbuf *m)
{
	const struct rte_arp_hdr *arp;

	if (rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) + sizeof(*arp)) {
		wf_drop(lc, m, WF_DROP_ARP_NOT_OURS);
		return;
	}
	arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, sizeof(struct rte_ether_hdr));
	if (!wf_arp_well_formed(arp) || !wf_arp_for_port(arp, port)) {
		wf_drop(lc, m, WF_DROP_ARP_NOT_OURS);
		return;
	}
	punt(lc, m, WF_PUNT_ARP, rte_be_to_cpu_32(arp->arp_data.arp_sip));
}

/* Whether p[0..len), from the 5-tuple of the peer whose table value is
 * val, is that viewer's own consent check: a STUN Binding request whose
 * USERNAME's local half (our ufrag for the session, RFC 8445 §7.2.2) has
 * the tag stored for the viewer.  Not authenticated (workers hold no
 * passwords): it keeps a spoofer who knows the viewer's address but not
 * its ufrag out of the viewer's room.  Anything else from that 5-tuple
 * (other STUN, DTLS, which after the handshake is only alerts and
 * retransmitted flights) is policed as a new address's.  A static
 * output's receiver has WF_PEER_NO_TAG, which no ufrag hashes to. */
static bool own_check(const uint8_t *p, unsigned len, const void *val)
{
	const uint8_t *ufrag;
	size_t n;

	if (len == 0 || p[0] > 3 || wf_stun_peek_local_ufrag(p, len, &ufrag, &n) != 0)
		return false;
	return wf_peer_tag(ufrag, n) == wf_peer_value_tag(val);
}

enum wf_punt_class wf_classify_punt_class(const uint8_t *p, unsigned len, bool peer,
					  const void *val)
{
	return peer && own_check(p, len, val) ? WF_PUNT_PEER : WF_PUNT_NEW;
}

/* SRTP or SRTCP from a WHIP publisher (slot: its stream) goes to the
 * stream's owner: with RSS its 5-tuple may land on any worker. */
static void publisher_in(struct wf_lcore *lc, struct rte_mbuf *m, unsigned owner, uint32_t sid,
			 uint16_t gen)
{
	struct wf_item it = { .kind = WF_ITEM_PUBLISHER, .m = m, .gen = gen };

	if (sid >= WF_MAX_STREAMS) {	/* not a value the slow path writes */
		wf_drop(lc, m, WF_DROP_PUBLISHER_GONE);
		return;
	}
	wf_meta(m)->rx_tsc = lc->rx_tsc;	/* ingest-to-wire starts here */
	if (owner == lc->idx) {
		wf_whip_packet(lc, m, sid, gen);
		return;
	}
	it.stream = (uint8_t)sid;
	wf_handoff_wire(lc, WF_WIRE_SOURCE, owner, &it);
}

int wf_classify_init(struct wf_lcore *lc)
{
	lc->viewer_in = rte_zmalloc_socket("wf_viewer_in",
					   sizeof(*lc->viewer_in) << WF_VIEWER_IN_BITS,
					   RTE_CACHE_LINE_SIZE, (int)rte_lcore_to_socket_id(lc->lcore_id));
	if (!lc->viewer_in)
		return -ENOMEM;
	wf_gcra_set(&lc->viewer_in_rate, rte_get_tsc_hz(), WF_VIEWER_IN_RATE, WF_VIEWER_IN_BURST);
	wf_gcra_set(&lc->viewer_spill_rate, rte_get_tsc_hz(), WF_VIEWER_SPILL_RATE,
		    WF_VIEWER_SPILL_BURST);
	lc->viewer_spill_tat = 0;
	return 0;
}

/* Whether what the viewer in slot (generation gen) of worker sends may go
 * on to its worker, here or over a wire ring, before that worker checks
 * it: within the viewer's bucket, or over it within this worker's spill
 * bucket (police.h). */
static bool viewer_in_admit(struct wf_lcore *lc, unsigned worker, uint32_t slot, uint16_t gen)
{
	uint64_t key = 1ull << 63 | (uint64_t)worker << 40 | (uint64_t)gen << 24 | slot;
	struct wf_viewer_in *set, *b = NULL, *quiet = NULL;
	unsigned i;

	set = &lc->viewer_in[wf_police_hash(&lc->police, key,
					    WF_VIEWER_IN_BITS - WF_VIEWER_IN_WAY_BITS)
			     << WF_VIEWER_IN_WAY_BITS];
	for (i = 0; i < 1u << WF_VIEWER_IN_WAY_BITS && !b; i++) {
		if (set[i].key == key)
			b = &set[i];
		else if (!quiet && set[i].tat <= lc->rx_tsc)
			quiet = &set[i];
	}
	/* another viewer's way is taken with a full bucket once that one's is
	 * full again (quiet); with every way busy, the first is shared (a
	 * fresh one each time would let alternating viewers through
	 * unbounded: police.c) */
	if (!b && quiet) {
		quiet->key = key;
		quiet->tat = 0;
		b = quiet;
	}
	if (!b)
		b = &set[0];
	if (wf_gcra_admit(&lc->viewer_in_rate, &b->tat, lc->rx_tsc))
		return true;
	if (!wf_gcra_admit(&lc->viewer_spill_rate, &lc->viewer_spill_tat, lc->rx_tsc))
		return false;
	lc->c.viewer_spilled++;
	return true;
}

/* The WebRTC port: RFC 7983 §7 demultiplexing by the first byte. */
static void webrtc(struct wf_lcore *lc, unsigned port_idx, struct rte_mbuf *m,
		   const struct rte_ipv4_hdr *ip, const struct rte_udp_hdr *udp, unsigned len)
{
	const uint8_t *p = (const uint8_t *)(udp + 1);
	struct wf_peer_key key;
	void *val = NULL;
	unsigned worker;
	uint32_t slot;
	uint16_t gen;

	if (len == 0) {
		wf_drop(lc, m, WF_DROP_WEBRTC_BAD_BYTE);
		return;
	}
	memset(&key, 0, sizeof(key));
	key.addr = rte_be_to_cpu_32(ip->src_addr);
	key.port = rte_be_to_cpu_16(udp->src_port);
	key.port_idx = (uint16_t)port_idx;
	if (p[0] <= 3 || (p[0] >= 20 && p[0] <= 63)) {	/* STUN, DTLS */
		bool peer = rte_hash_lookup_data(wf_app.peers, &key, &val) >= 0;

		if (wf_classify_punt_class(p, len, peer, val) == WF_PUNT_PEER) {
			punt(lc, m, WF_PUNT_PEER, (uint64_t)key.addr << 16 | key.port);
			return;
		}
		lc->c.peer_unmatched += peer;
		punt(lc, m, WF_PUNT_NEW, key.addr);
		return;
	}
	if (p[0] < 128 || p[0] > 191) {
		wf_drop(lc, m, WF_DROP_WEBRTC_BAD_BYTE);
		return;
	}
	if (rte_hash_lookup_data(wf_app.peers, &key, &val) < 0) {
		wf_drop(lc, m, WF_DROP_WEBRTC_UNKNOWN);
		return;
	}
	wf_peer_decode(val, &worker, &slot, &gen);
	if (wf_peer_is_publisher(val)) {
		publisher_in(lc, m, worker, slot, gen);
		return;
	}
	/* a worker or slot out of range is not a value the slow path writes */
	if (worker >= wf_app.n_workers || slot >= lc->n_slots) {
		wf_drop(lc, m, WF_DROP_VIEWER_GONE);
		return;
	}
	if (!viewer_in_admit(lc, worker, slot, gen)) {
		wf_drop(lc, m, WF_DROP_POLICE_SRTCP);
		return;
	}
	if (worker == lc->idx) {
		wf_feedback_packet(lc, m, slot, gen);
	} else {
		struct wf_item it = { .kind = WF_ITEM_FROM_VIEWER, .m = m, .viewer = slot, .gen = gen };

		wf_handoff_wire(lc, WF_WIRE_VIEWER, worker, &it);
	}
}

static void udp_in(struct wf_lcore *lc, unsigned port_idx, struct rte_mbuf *m,
		   const struct rte_ipv4_hdr *ip, unsigned ip_payload)
{
	const struct rte_udp_hdr *udp;
	unsigned ulen, dport;
	uint16_t map;

	if (ip_payload < sizeof(*udp)) {
		wf_drop(lc, m, WF_DROP_UDP_BAD_LENGTH);
		return;
	}
	udp = (const struct rte_udp_hdr *)((const uint8_t *)ip + m->l3_len);
	ulen = rte_be_to_cpu_16(udp->dgram_len);
	if (ulen < sizeof(*udp) || ulen > ip_payload) {
		wf_drop(lc, m, WF_DROP_UDP_BAD_LENGTH);
		return;
	}
	m->l4_len = sizeof(*udp);
	dport = rte_be_to_cpu_16(udp->dst_port);
	if (dport == wf_app.webrtc_port) {
		webrtc(lc, port_idx, m, ip, udp, ulen - (unsigned)sizeof(*udp));
		return;
	}
	map = wf_ingest_map_get(dport);	/* acquire: the stream's owner below is set */
	if (!map) {
		wf_drop(lc, m, WF_DROP_UDP_NO_PORT);
		return;
	}
	wf_meta(m)->rx_tsc = lc->rx_tsc;	/* ingest-to-wire starts here */
	{
		unsigned owner = wf_app.streams[wf_ingest_map_stream(map)].owner;
		struct wf_item it = { .kind = WF_ITEM_INGEST, .m = m };
		enum wf_drop why;

		if (owner == lc->idx) {
			wf_ingest_one(lc, m);
			return;
		}
		why = wf_ingest_screen(map, rte_be_to_cpu_32(ip->src_addr),
				       rte_be_to_cpu_16(udp->src_port));
		if (why != WF_DROP_COUNT) {
			wf_drop(lc, m, why);
			return;
		}
		wf_handoff_wire(lc, WF_WIRE_SOURCE, owner, &it);
	}
}

/* The IPv4 header ip of frame m (frame bytes, after an Ethernet header):
 * version, header and total length within the frame, checksum, not a
 * fragment, to addr; the frame's Ethernet padding trimmed.  WF_DROP_COUNT
 * when it passes (*ihl, *tot: header and datagram lengths), else why to
 * drop it. */
static inline enum wf_drop ipv4_check(struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
				      unsigned frame, uint32_t addr, unsigned *ihl, unsigned *tot)
{
	unsigned hl, len;

	if (frame < RTE_ETHER_HDR_LEN + sizeof(*ip))
		return WF_DROP_RUNT;
	hl = (ip->version_ihl & 0x0f) * 4u;
	if ((ip->version_ihl >> 4) != 4 || hl < sizeof(*ip) || RTE_ETHER_HDR_LEN + hl > frame)
		return WF_DROP_IP_BAD_HEADER;
	len = rte_be_to_cpu_16(ip->total_length);
	if (len < hl || RTE_ETHER_HDR_LEN + len > frame)
		return WF_DROP_IP_BAD_LENGTH;
	/* Ethernet padding of short frames is not part of the datagram */
	rte_pktmbuf_trim(m, (uint16_t)(frame - RTE_ETHER_HDR_LEN - len));
	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
	    ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
	     rte_raw_cksum(ip, hl) != 0xffff))
		return WF_DROP_IP_BAD_CHECKSUM;
	if (rte_be_to_cpu_16(ip->fragment_offset) & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return WF_DROP_IP_FRAGMENT;
	if (rte_be_to_cpu_32(ip->dst_addr) != addr)
		return WF_DROP_IP_NOT_OURS;
	*ihl = hl;
	*tot = len;
	return WF_DROP_COUNT;
}

static void classify_one(struct wf_lcore *lc, unsigned port_idx, struct rte_mbuf *m)
{
	const struct wf_port *port = &wf_app.ports[port_idx];
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;
	unsigned frame = rte_pktmbuf_data_len(m), ihl, tot;
	enum wf_drop why;
	uint16_t et;

	lc->c.rx_pkts++;
	lc->c.rx_bytes += m->pkt_len;
	if (m->nb_segs != 1 || frame < sizeof(*eth)) {
		wf_drop(lc, m, WF_DROP_RUNT);
		return;
	}
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (!rte_is_same_ether_addr(&eth->dst_addr, &port->mac) &&
	    !rte_is_broadcast_ether_addr(&eth->dst_addr)) {
		wf_drop(lc, m, WF_DROP_NOT_FOR_US);
		return;
	}
	et = rte_be_to_cpu_16(eth->ether_type);
	m->l2_len = sizeof(*eth);
	if (et == RTE_ETHER_TYPE_ARP) {
		arp_in(lc, port, m);
		return;
	}
	if (et != RTE_ETHER_TYPE_IPV4) {
		wf_drop(lc, m, WF_DROP_ETHERTYPE);
		return;
	}
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	why = ipv4_check(m, ip, frame, port->addr, &ihl, &tot);
	if (why != WF_DROP_COUNT) {
		wf_drop(lc, m, why);
		return;
	}
	m->l3_len = ihl;
	switch (ip->next_proto_id) {
	case IPPROTO_UDP:
		udp_in(lc, port_idx, m, ip, tot - ihl);
		return;
	case IPPROTO_ICMP:
		punt(lc, m, WF_PUNT_ICMP, rte_be_to_cpu_32(ip->src_addr));
		return;
	default:
		wf_drop(lc, m, WF_DROP_IP_PROTOCOL);
		return;
	}
}

/* The most of a frame prefetch_frame() fetches: an MTU-sized frame. */
#define PREFETCH_FRAME_MAX	1536

/* Fetches all of m's frame (its first segment, up to PREFETCH_FRAME_MAX):
 * called a packet ahead, while that packet's copies are made.  Media's
 * payload is read by every copy's cipher, and the first one would
 * otherwise wait on each line from wherever the frame was written (the
 * last level cache after a NIC's DMA, another core's cache). */
static inline void prefetch_frame(const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	unsigned off, len = RTE_MIN((unsigned)m->data_len, (unsigned)PREFETCH_FRAME_MAX);

	for (off = 0; off < len; off += RTE_CACHE_LINE_SIZE)
		rte_prefetch0(d + off);
}

void wf_classify_burst(struct wf_lcore *lc, unsigned port_idx, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	lc->rx_tsc = rte_rdtsc();	/* the burst's arrival, for every packet in it */
	/* every mbuf's lines at once, so their misses overlap instead of
	 * stalling one packet at a time: the header's two (the next packet's
	 * data fetch below reads buf_addr, classify writes l2_len and l3_len;
	 * whoever filled the mbuf, a PMD's refill or another core, may hold
	 * them) and the metadata ingest writes (a receive buffer comes back
	 * from a history, seconds cold) */
	for (i = 0; i < n; i++) {
		rte_prefetch0(pkts[i]);
		rte_prefetch0(RTE_PTR_ADD(pkts[i], RTE_CACHE_LINE_SIZE));
		rte_prefetch0(wf_meta(pkts[i]));
	}
	for (i = 0; i < n; i++) {
		if (i + 1 < n)
			prefetch_frame(pkts[i + 1]);
		classify_one(lc, port_idx, pkts[i]);
	}
	wf_ingest_flush(lc);
}
