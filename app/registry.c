/* registry.c: viewer placement and routing on the slow path (registry.h). */
#include "registry.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include "app.h"
#include "classify.h"
#include "lcore.h"
#include "log.h"
#include "slowpath.h"

struct slot_info {
	uint16_t gen;
	uint8_t used;		/* 1 while added or being added/removed */
	uint16_t stream;
	uint16_t port_idx;
	uint32_t next_hop;
	struct wf_peer_key key;
};

static struct {
	uint32_t slots;
	struct slot_info *info[WF_MAX_WORKERS];
	uint32_t free_hint[WF_MAX_WORKERS];
	unsigned count[WF_MAX_WORKERS];
	unsigned per_stream[WF_MAX_STREAMS][WF_MAX_WORKERS];
} reg;

int wf_registry_init(uint32_t slots_per_worker)
{
	struct rte_hash_parameters hp = {
		.name = "wf_peers",
		.entries = (uint32_t)RTE_MAX(slots_per_worker * wf_app.n_workers *
					     WF_REGISTRY_PEERS_PER_SLOT, 1024u),
		.key_len = sizeof(struct wf_peer_key),
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct rte_hash_rcu_config rcu = {
		.v = wf_app.qsbr,
		.mode = RTE_HASH_QSBR_MODE_DQ,
	};
	unsigned w;

	reg.slots = slots_per_worker;
	for (w = 0; w < wf_app.n_workers; w++) {
		reg.info[w] = calloc(slots_per_worker, sizeof(struct slot_info));
		if (!reg.info[w])
			return -ENOMEM;
	}
	wf_app.peers = rte_hash_create(&hp);
	if (!wf_app.peers)
		return -rte_errno;
	if (rte_hash_rcu_qsbr_add(wf_app.peers, &rcu) != 0)
		return -rte_errno;
	return 0;
}

int wf_registry_place(unsigned *worker, uint32_t *slot, uint16_t *gen)
{
	unsigned w, best = UINT32_MAX;
	uint32_t i;

	for (w = 0; w < wf_app.n_workers; w++)
		if (reg.count[w] < reg.slots && (best == UINT32_MAX || reg.count[w] < reg.count[best]))
			best = w;
	if (best == UINT32_MAX)
		return -ENOSPC;
	for (i = 0; i < reg.slots; i++) {
		uint32_t s = (reg.free_hint[best] + i) % reg.slots;

		if (!reg.info[best][s].used) {
			reg.free_hint[best] = s + 1;
			*worker = best;
			*slot = s;
			*gen = (uint16_t)(reg.info[best][s].gen + 1);
			return 0;
		}
	}
	return -ENOSPC;
}

void wf_registry_template(struct wf_viewer *v, unsigned port_idx,
			  const struct rte_ether_addr *dst_mac, uint32_t dst_ip, uint16_t dst_port)
{
	const struct wf_port *p = &wf_app.ports[port_idx];
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)v->hdr;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint32_t sum;

	memset(v->hdr, 0, sizeof(v->hdr));
	rte_ether_addr_copy(dst_mac, &eth->dst_addr);
	rte_ether_addr_copy(&p->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(p->addr);
	ip->dst_addr = rte_cpu_to_be_32(dst_ip);
	/* the one's complement sum with total length and checksum 0; the
	 * worker adds the length (fanout.c, RFC 1624) */
	sum = rte_raw_cksum(ip, sizeof(*ip));
	v->ip_csum_base = (uint16_t)sum;
	udp->src_port = rte_cpu_to_be_16(wf_app.webrtc_port);
	udp->dst_port = rte_cpu_to_be_16(dst_port);
	v->port_idx = (uint16_t)port_idx;
	v->addr = dst_ip;
	v->udp_port = dst_port;
}

static void set_mask(uint16_t stream)
{
	uint32_t mask = 0;
	unsigned w;

	for (w = 0; w < wf_app.n_workers; w++)
		if (reg.per_stream[stream][w])
			mask |= 1u << w;
	wf_app.streams[stream].fanout_mask = mask;
}

static void release(unsigned w, uint32_t slot)
{
	struct slot_info *si = &reg.info[w][slot];

	if (!si->used)
		return;
	si->used = 0;
	reg.count[w]--;
	reg.per_stream[si->stream][w]--;
	set_mask(si->stream);
}

int wf_registry_add(unsigned worker, uint32_t slot, uint16_t gen, const struct wf_viewer *v)
{
	struct slot_info *si = &reg.info[worker][slot];
	struct wf_ctrl_msg *msg;
	int rc;

	if (si->used)
		return -EBUSY;
	msg = wf_ctrl_alloc(WF_CTRL_ADD_VIEWER);
	if (!msg)
		return -ENOBUFS;
	msg->slot = slot;
	msg->gen = gen;
	msg->viewer = *v;
	si->used = 1;
	si->gen = gen;
	si->stream = v->stream;
	si->port_idx = v->port_idx;
	memset(&si->key, 0, sizeof(si->key));
	si->key.addr = v->addr;
	si->key.port = v->udp_port;
	si->key.port_idx = v->port_idx;
	reg.count[worker]++;
	reg.per_stream[v->stream][worker]++;
	rc = rte_hash_add_key_data(wf_app.peers, &si->key, wf_peer_value(worker, slot, gen));
	if (rc < 0) {
		release(worker, slot);
		wf_ctrl_free(msg);
		return rc;
	}
	rc = wf_ctrl_send(worker, msg);
	if (rc < 0) {
		rte_hash_del_key(wf_app.peers, &si->key);
		release(worker, slot);
		wf_ctrl_free(msg);
		return rc;
	}
	set_mask(v->stream);
	return 0;
}

int wf_registry_remove(unsigned worker, uint32_t slot, uint16_t gen)
{
	struct slot_info *si;
	struct wf_ctrl_msg *msg;

	if (worker >= wf_app.n_workers || slot >= reg.slots)
		return -ENOENT;
	si = &reg.info[worker][slot];
	if (!si->used || si->gen != gen)
		return -ENOENT;
	rte_hash_del_key(wf_app.peers, &si->key);
	msg = wf_ctrl_alloc(WF_CTRL_DEL_VIEWER);
	if (!msg)
		return -ENOBUFS;
	msg->slot = slot;
	msg->gen = gen;
	return wf_ctrl_send(worker, msg);
}

void wf_registry_reply(struct wf_ctrl_msg *msg)
{
	unsigned w;

	/* which worker answered: find the slot by its message */
	for (w = 0; w < wf_app.n_workers; w++) {
		struct slot_info *si;

		if (msg->slot >= reg.slots)
			break;
		si = &reg.info[w][msg->slot];
		if (!si->used || si->gen != msg->gen)
			continue;
		if (msg->type == WF_CTRL_ADD_VIEWER && msg->status != 0) {
			WF_LOG(ERR, "worker %u refused viewer slot %u: %s\n", w, msg->slot,
			       strerror(-msg->status));
			rte_hash_del_key(wf_app.peers, &si->key);
			release(w, msg->slot);
		} else if (msg->type == WF_CTRL_DEL_VIEWER) {
			release(w, msg->slot);
		}
		return;
	}
}

void wf_registry_route_changed(unsigned port_idx, uint32_t ip, const struct rte_ether_addr *mac)
{
	(void)port_idx;
	(void)ip;
	(void)mac;
	/* static outputs re-resolve on their own tick; WHEP viewers learn their
	 * MAC from the STUN packets (issue 5) */
}

unsigned wf_registry_count(int worker)
{
	unsigned w, n = 0;

	if (worker >= 0)
		return (unsigned)worker < wf_app.n_workers ? reg.count[worker] : 0;
	for (w = 0; w < wf_app.n_workers; w++)
		n += reg.count[w];
	return n;
}

size_t wf_registry_slot_bytes(void)
{
	return sizeof(struct slot_info);
}

unsigned wf_registry_stream_viewers(unsigned stream)
{
	unsigned w, n = 0;

	if (stream >= WF_MAX_STREAMS)
		return 0;
	for (w = 0; w < wf_app.n_workers; w++)
		n += reg.per_stream[stream][w];
	return n;
}
