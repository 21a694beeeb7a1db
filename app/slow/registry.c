/* registry.c: viewer placement and routing on the slow path (registry.h).
 *
 * A slot's life, as the slow path sees it:
 *   FREE --add sent--> ADDING --worker: ok--> LIVE
 *   ADDING/LIVE --remove--> DEL_WANTED --sent--> DELETING --worker--> FREE
 *   ADDING --worker: refused--> FREE
 * A message that cannot be sent (control pool empty, ring full) is never
 * forgotten: DEL_WANTED and a wanted move stay on the pending list and
 * are sent again by wf_registry_poll(), so a burst of removals (2,000
 * sessions losing consent in one tick) leaves no viewer behind on any
 * worker.  Replies name the worker that answered (msg->worker): slot
 * numbers and generations repeat across workers.
 */
#include "slow/registry.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include "core/app.h"
#include "core/lcore.h"
#include "core/log.h"
#include "core/peer.h"
#include "slow/ctrlq.h"

enum slot_state {
	SLOT_FREE = 0,
	SLOT_ADDING,		/* ADD_VIEWER sent, no answer yet */
	SLOT_LIVE,
	SLOT_DEL_WANTED,	/* to be removed; DEL_VIEWER not sent yet */
	SLOT_DELETING,		/* DEL_VIEWER sent */
};

/* A new destination waiting to be sent (SET_PEER). */
struct slot_move {
	uint8_t hdr[WF_L2L3L4_LEN];
	uint16_t ip_csum_base;
	uint16_t port_idx;
	uint32_t addr;
	uint16_t udp_port;
};

struct slot_info {
	uint16_t gen;
	uint8_t state;		/* enum slot_state */
	uint8_t move_wanted;	/* move holds a destination to send */
	uint8_t pending;	/* on the pending list */
	uint16_t stream;
	uint32_t tag;		/* its session's ufrag tag (classify.h) */
	struct wf_peer_key key;	/* routed to this slot while we own it */
	struct slot_move move;
};
/* a viewer's bytes are budgeted to the byte (lcore.h) */
_Static_assert(sizeof(struct slot_info) <= WF_REGISTRY_SLOT_BYTES_MAX,
	       "the registry's slot outgrew its share of a viewer's budget");

enum pub_state {
	PUB_NONE = 0,
	PUB_SETTING,		/* SET_PUBLISHER sent, no answer yet */
	PUB_LIVE,		/* the owner took it: its 5-tuple routes there */
};

/* A stream's WHIP publisher, as the registry sees it. */
struct pub_info {
	struct wf_publisher *p;	/* a copy, keys too, while not PUB_NONE */
	wf_registry_pub_fn done;
	uint32_t tag;
	uint16_t gen;
	uint16_t del_gen;	/* DEL_PUBLISHER(del_gen) still to send; 0: none */
	uint8_t state;		/* enum pub_state */
	uint8_t set_wanted;	/* the copy (a move) still to send */
	uint8_t resent;		/* a copy went while PUB_SETTING: a refusal of the
				 * first may be followed by the owner taking it */
	uint8_t owed;		/* counted in reg.pub_owed */
	uint8_t owner;		/* the stream's owner when it was set */
	struct wf_peer_key key;
};

/* A slot with something left to send. */
struct pending {
	uint16_t worker;
	uint32_t slot;
};

static struct {
	uint32_t slots;
	struct slot_info *info[WF_MAX_WORKERS];
	uint32_t free_hint[WF_MAX_WORKERS];
	unsigned count[WF_MAX_WORKERS];
	unsigned per_stream[WF_MAX_STREAMS][WF_MAX_WORKERS];
	/* FIFO of slots with a message to send again; a slot is on it at
	 * most once, so n_workers * slots entries always suffice */
	struct pending *pend;
	uint32_t pend_cap, pend_head, pend_len;
	struct wf_registry_stats stats;
	struct pub_info pub[WF_MAX_STREAMS];
	unsigned pub_owed;	/* publishers with a message to send again */
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

	/* the peer value has 24 bits for the slot, 4 for the worker */
	if (slots_per_worker == 0 || slots_per_worker > WF_PEER_SLOT_MAX ||
	    wf_app.n_workers == 0 || wf_app.n_workers > WF_MAX_WORKERS)
		return -EINVAL;
	reg.slots = slots_per_worker;
	for (w = 0; w < wf_app.n_workers; w++) {
		reg.info[w] = calloc(slots_per_worker, sizeof(struct slot_info));
		if (!reg.info[w])
			return -ENOMEM;
	}
	reg.pend_cap = slots_per_worker * wf_app.n_workers;
	reg.pend = calloc(reg.pend_cap ? reg.pend_cap : 1, sizeof(*reg.pend));
	if (!reg.pend)
		return -ENOMEM;
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

		if (reg.info[best][s].state == SLOT_FREE && !reg.info[best][s].pending) {
			reg.free_hint[best] = s + 1;
			*worker = best;
			*slot = s;
			*gen = (uint16_t)(reg.info[best][s].gen + 1);
			return 0;
		}
	}
	return -ENOSPC;
}

/* The template's parts in a move record (the worker copies them whole). */
static void template_fill(uint8_t hdr[WF_L2L3L4_LEN], uint16_t *csum_base, unsigned port_idx,
			  const struct rte_ether_addr *dst_mac, uint32_t dst_ip, uint16_t dst_port)
{
	const struct wf_port *p = &wf_app.ports[port_idx];
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)hdr;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	memset(hdr, 0, WF_L2L3L4_LEN);
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
	*csum_base = (uint16_t)rte_raw_cksum(ip, sizeof(*ip));
	udp->src_port = rte_cpu_to_be_16(wf_app.webrtc_port);
	udp->dst_port = rte_cpu_to_be_16(dst_port);
}

void wf_registry_template(struct wf_viewer *v, struct wf_viewer_out *vo, unsigned port_idx,
			  const struct rte_ether_addr *dst_mac, uint32_t dst_ip, uint16_t dst_port)
{
	template_fill(vo->hdr, &vo->ip_csum_base, port_idx, dst_mac, dst_ip, dst_port);
	vo->port_idx = (uint16_t)port_idx;
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
	/* release: the ADD_VIEWER message is queued before the owner sees the
	 * bit (ingest.c, acquire); the ring carries the viewer itself */
	__atomic_store_n(&wf_app.streams[stream].fanout_mask, mask, __ATOMIC_RELEASE);
}

/* Routes si's key to (worker, slot, gen), replacing whatever it routed to
 * (a reconnecting client's newer session wins the 5-tuple). */
static int route_add(const struct slot_info *si, unsigned worker, uint32_t slot)
{
	return rte_hash_add_key_data(wf_app.peers, &si->key, wf_peer_value(worker, slot, si->gen, si->tag));
}

/* Stops routing si's key, but only while it still routes to this slot:
 * a newer session on the same 5-tuple keeps its entry. */
static void route_del(const struct slot_info *si, unsigned worker, uint32_t slot)
{
	void *v;

	if (rte_hash_lookup_data(wf_app.peers, &si->key, &v) >= 0 &&
	    v == wf_peer_value(worker, slot, si->gen, si->tag))
		rte_hash_del_key(wf_app.peers, &si->key);
}

static void release(unsigned w, uint32_t slot)
{
	struct slot_info *si = &reg.info[w][slot];

	if (si->state == SLOT_FREE)
		return;
	si->state = SLOT_FREE;
	si->move_wanted = 0;
	reg.count[w]--;
	reg.per_stream[si->stream][w]--;
	set_mask(si->stream);
}

/* A worker's reply to an asynchronous message (msg->worker says which
 * worker answered). */
static void reply(struct wf_ctrl_msg *msg)
{
	unsigned w = msg->worker;
	struct slot_info *si;

	if (w >= wf_app.n_workers || msg->slot >= reg.slots)
		return;
	si = &reg.info[w][msg->slot];
	if (si->gen != msg->gen)
		return;
	switch (msg->type) {
	case WF_CTRL_ADD_VIEWER:
		if (msg->status == 0) {
			if (si->state == SLOT_ADDING)
				si->state = SLOT_LIVE;
			break;
		}
		WF_LOG(ERR, "worker %u refused viewer slot %u: %s\n", w, msg->slot,
		       strerror(-msg->status));
		/* a removal already sent comes back too and releases it */
		if (si->state == SLOT_ADDING || si->state == SLOT_DEL_WANTED) {
			route_del(si, w, msg->slot);
			release(w, msg->slot);
		}
		break;
	case WF_CTRL_DEL_VIEWER:
		if (si->state == SLOT_DELETING)
			release(w, msg->slot);
		break;
	default:
		break;
	}
}

int wf_registry_add(unsigned worker, uint32_t slot, uint16_t gen, uint32_t tag,
		    const struct wf_viewer *v, const struct wf_viewer_out *vo,
		    const struct wf_srtp_keys *srtp_out)
{
	struct slot_info *si;
	struct wf_ctrl_msg *msg;
	int rc;

	if (worker >= wf_app.n_workers || slot >= reg.slots || tag > WF_PEER_TAG_MASK)
		return -EINVAL;
	si = &reg.info[worker][slot];
	if (si->state != SLOT_FREE || si->pending)
		return -EBUSY;
	msg = wf_ctrl_alloc(WF_CTRL_ADD_VIEWER);
	if (!msg) {
		reg.stats.ctrl_busy++;
		return -ENOBUFS;	/* nothing sent: the caller tries again */
	}
	msg->slot = slot;
	msg->gen = gen;
	msg->viewer = *v;
	msg->out = *vo;
	if (srtp_out)
		msg->srtp_out = *srtp_out;
	si->state = SLOT_ADDING;
	si->gen = gen;
	si->tag = tag;
	si->stream = v->stream;
	memset(&si->key, 0, sizeof(si->key));
	si->key.addr = v->addr;
	si->key.port = v->udp_port;
	si->key.port_idx = vo->port_idx;
	reg.count[worker]++;
	reg.per_stream[v->stream][worker]++;
	rc = route_add(si, worker, slot);
	if (rc == 0)
		rc = wf_ctrl_send(worker, msg, reply);
	if (rc < 0) {
		route_del(si, worker, slot);
		release(worker, slot);
		wf_viewer_keys_wipe(&msg->viewer, &msg->srtp_out);
		wf_ctrl_free(msg);
		if (rc == -ENOBUFS)
			reg.stats.ctrl_busy++;
		return rc;
	}
	set_mask(v->stream);
	return 0;
}

static void pend_push(unsigned worker, uint32_t slot)
{
	struct slot_info *si = &reg.info[worker][slot];

	if (si->pending)
		return;
	si->pending = 1;
	reg.pend[(reg.pend_head + reg.pend_len) % reg.pend_cap] =
		(struct pending){ .worker = (uint16_t)worker, .slot = slot };
	reg.pend_len++;
}

/* Sends what slot still owes its worker: the removal, else a move.
 * 0 when nothing is left to send, -ENOBUFS to try again later. */
static int flush_slot(unsigned worker, uint32_t slot)
{
	struct slot_info *si = &reg.info[worker][slot];
	struct wf_ctrl_msg *msg;
	int rc;

	if (si->state != SLOT_DEL_WANTED && !(si->state == SLOT_LIVE && si->move_wanted) &&
	    !(si->state == SLOT_ADDING && si->move_wanted))
		return 0;
	msg = wf_ctrl_alloc(si->state == SLOT_DEL_WANTED ? WF_CTRL_DEL_VIEWER : WF_CTRL_SET_PEER);
	if (!msg)
		return -ENOBUFS;
	msg->slot = slot;
	msg->gen = si->gen;
	if (msg->type == WF_CTRL_SET_PEER) {
		memcpy(msg->out.hdr, si->move.hdr, sizeof(msg->out.hdr));
		msg->out.ip_csum_base = si->move.ip_csum_base;
		msg->out.port_idx = si->move.port_idx;
		msg->viewer.addr = si->move.addr;
		msg->viewer.udp_port = si->move.udp_port;
	}
	rc = wf_ctrl_send(worker, msg, reply);
	if (rc < 0) {
		wf_ctrl_free(msg);
		return rc;
	}
	if (msg->type == WF_CTRL_DEL_VIEWER)
		si->state = SLOT_DELETING;
	else
		si->move_wanted = 0;
	return 0;
}

/* Sends now, or queues for wf_registry_poll(). */
static void flush_or_queue(unsigned worker, uint32_t slot)
{
	if (reg.info[worker][slot].pending || flush_slot(worker, slot) < 0) {
		reg.stats.ctrl_busy++;
		pend_push(worker, slot);
	}
}

/* ---- WHIP publishers ---------------------------------------------------- */

void wf_registry_publisher_template(struct wf_publisher *p, unsigned port_idx,
				    const struct rte_ether_addr *dst_mac, uint32_t dst_ip,
				    uint16_t dst_port)
{
	template_fill(p->hdr, &p->ip_csum_base, port_idx, dst_mac, dst_ip, dst_port);
	p->port_idx = (uint16_t)port_idx;
	p->addr = dst_ip;
	p->udp_port = dst_port;
}

static void *pub_value(const struct pub_info *pi, unsigned stream)
{
	return wf_peer_publisher_value(pi->owner, stream, pi->gen, pi->tag);
}

static int pub_route_add(const struct pub_info *pi, unsigned stream)
{
	return rte_hash_add_key_data(wf_app.peers, &pi->key, pub_value(pi, stream));
}

/* Only while the key routes to this publisher (a newer session may have
 * taken the 5-tuple). */
static void pub_route_del(const struct pub_info *pi, unsigned stream)
{
	void *v;

	if (rte_hash_lookup_data(wf_app.peers, &pi->key, &v) >= 0 && v == pub_value(pi, stream))
		rte_hash_del_key(wf_app.peers, &pi->key);
}

/* Forgets the publisher (its keys wiped); a DEL owed stays owed. */
static void pub_clear(struct pub_info *pi)
{
	if (pi->p) {
		wf_publisher_keys_wipe(pi->p);
		free(pi->p);
		pi->p = NULL;
	}
	pi->state = PUB_NONE;
	pi->set_wanted = 0;
}

static void pub_reply(struct wf_ctrl_msg *msg);

/* Sends what the publisher of stream owes its owner: a removal, then
 * the copy again (a move).  0 when nothing is left, -ENOBUFS. */
static int pub_flush(unsigned stream)
{
	struct pub_info *pi = &reg.pub[stream];
	struct wf_ctrl_msg *msg;

	if (pi->del_gen) {
		msg = wf_ctrl_alloc(WF_CTRL_DEL_PUBLISHER);
		if (!msg)
			return -ENOBUFS;
		msg->stream = (uint16_t)stream;
		msg->gen = pi->del_gen;
		if (wf_ctrl_send(pi->owner, msg, NULL) < 0) {
			wf_ctrl_free(msg);
			return -ENOBUFS;
		}
		pi->del_gen = 0;
	}
	if (pi->set_wanted && pi->state != PUB_NONE) {
		msg = wf_ctrl_alloc(WF_CTRL_SET_PUBLISHER);
		if (!msg)
			return -ENOBUFS;
		msg->stream = (uint16_t)stream;
		msg->gen = pi->gen;
		msg->publisher = *pi->p;
		if (wf_ctrl_send(pi->owner, msg, pub_reply) < 0) {
			wf_publisher_keys_wipe(&msg->publisher);
			wf_ctrl_free(msg);
			return -ENOBUFS;
		}
		pi->set_wanted = 0;
		if (pi->state == PUB_SETTING)
			pi->resent = 1;
	}
	return 0;
}

static void pub_flush_or_queue(unsigned stream)
{
	struct pub_info *pi = &reg.pub[stream];

	if (!pi->owed && pub_flush(stream) == 0)
		return;
	reg.stats.ctrl_busy++;
	if (!pi->owed) {
		pi->owed = 1;
		reg.pub_owed++;
	}
}

/* The owner's answer to SET_PUBLISHER.  One for a publisher ended since
 * changes nothing: its DEL_PUBLISHER follows on the same ring. */
static void pub_reply(struct wf_ctrl_msg *msg)
{
	unsigned stream = msg->stream;
	struct pub_info *pi;
	wf_registry_pub_fn done;
	uint16_t gen = msg->gen;
	uint8_t resent;
	int rc;

	wf_publisher_keys_wipe(&msg->publisher);
	if (stream >= WF_MAX_STREAMS)
		return;
	pi = &reg.pub[stream];
	if (pi->state == PUB_NONE || pi->gen != gen)
		return;
	done = pi->done;
	if (msg->status == 0 && pi->state == PUB_LIVE)
		return;	/* a move's copy */
	if (msg->status) {
		WF_LOG(ERR, "stream %s: worker %u refused its publisher: %s\n",
		       wf_app.streams[stream].name, msg->worker, strerror(-msg->status));
		if (pi->state == PUB_LIVE)
			return;	/* a move's copy: the owner keeps the last one */
		resent = pi->resent;
		pub_clear(pi);
		if (resent) {
			/* a later copy of this gen may be taken: the owner
			 * drops it by gen (nothing when it has none) */
			pi->del_gen = gen;
			pub_flush_or_queue(stream);
		}
		if (done)
			done(stream, gen, msg->status);
		return;
	}
	rc = pub_route_add(pi, stream);
	if (rc < 0) {
		/* the owner has it, nothing routes to it: take it back */
		WF_LOG(ERR, "stream %s: no peer entry for its publisher: %s\n",
		       wf_app.streams[stream].name, strerror(-rc));
		wf_registry_publisher_del(stream, gen);
		if (done)
			done(stream, gen, rc);
		return;
	}
	pi->state = PUB_LIVE;
	if (done)
		done(stream, gen, 0);
}

int wf_registry_publisher_set(const struct wf_publisher *p, uint32_t tag, wf_registry_pub_fn done)
{
	struct pub_info *pi;
	struct wf_ctrl_msg *msg;
	unsigned owner;

	if (p->stream >= WF_MAX_STREAMS || !p->gen || tag > WF_PEER_TAG_MASK)
		return -EINVAL;
	pi = &reg.pub[p->stream];
	owner = wf_app.streams[p->stream].owner;
	if (pi->state != PUB_NONE)
		return -EBUSY;
	if (owner >= wf_app.n_workers)
		return -EINVAL;
	/* the last one's removal goes first: the owner drops it by gen */
	if (pi->del_gen && pub_flush(p->stream) < 0) {
		reg.stats.ctrl_busy++;
		return -ENOBUFS;
	}
	pi->p = aligned_alloc(_Alignof(struct wf_publisher), sizeof(struct wf_publisher));
	if (!pi->p)
		return -ENOMEM;
	msg = wf_ctrl_alloc(WF_CTRL_SET_PUBLISHER);
	if (msg) {
		msg->stream = p->stream;
		msg->gen = p->gen;
		msg->publisher = *p;
	}
	if (!msg || wf_ctrl_send(owner, msg, pub_reply) < 0) {
		if (msg) {
			wf_publisher_keys_wipe(&msg->publisher);
			wf_ctrl_free(msg);
		}
		free(pi->p);
		pi->p = NULL;
		reg.stats.ctrl_busy++;
		return -ENOBUFS;
	}
	*pi->p = *p;
	pi->done = done;
	pi->tag = tag;
	pi->gen = p->gen;
	pi->owner = (uint8_t)owner;
	pi->state = PUB_SETTING;
	pi->set_wanted = 0;
	pi->resent = 0;
	memset(&pi->key, 0, sizeof(pi->key));
	pi->key.addr = p->addr;
	pi->key.port = p->udp_port;
	pi->key.port_idx = p->port_idx;
	return 0;
}

/* The publisher of stream with generation gen, or NULL. */
static struct pub_info *pub_find(unsigned stream, uint16_t gen)
{
	struct pub_info *pi = stream < WF_MAX_STREAMS ? &reg.pub[stream] : NULL;

	return pi && pi->state != PUB_NONE && pi->gen == gen ? pi : NULL;
}

int wf_registry_publisher_move(unsigned stream, uint16_t gen, unsigned port_idx,
			       const struct rte_ether_addr *dst_mac, uint32_t dst_ip,
			       uint16_t dst_port)
{
	struct pub_info *pi = pub_find(stream, gen);
	int rc = 0;

	if (!pi)
		return -ENOENT;
	if (pi->state == PUB_LIVE)
		pub_route_del(pi, stream);
	pi->key.addr = dst_ip;
	pi->key.port = dst_port;
	pi->key.port_idx = (uint16_t)port_idx;
	if (pi->state == PUB_LIVE)
		rc = pub_route_add(pi, stream);
	wf_registry_publisher_template(pi->p, port_idx, dst_mac, dst_ip, dst_port);
	/* the same gen again: the owner replaces its copy */
	pi->set_wanted = 1;
	pub_flush_or_queue(stream);
	return rc < 0 ? rc : 0;
}

int wf_registry_publisher_del(unsigned stream, uint16_t gen)
{
	struct pub_info *pi = pub_find(stream, gen);

	if (!pi)
		return -ENOENT;
	/* its 5-tuple stops routing before the owner lets it go */
	if (pi->state == PUB_LIVE)
		pub_route_del(pi, stream);
	pub_clear(pi);
	pi->del_gen = gen;
	pub_flush_or_queue(stream);
	return 0;
}

uint16_t wf_registry_publisher_live(unsigned stream)
{
	if (stream >= WF_MAX_STREAMS || reg.pub[stream].state != PUB_LIVE)
		return 0;
	return reg.pub[stream].gen;
}

/* Sends what publishers still owe their owners. */
static unsigned pub_poll(void)
{
	unsigned st, sent = 0;

	for (st = 0; reg.pub_owed && st < WF_MAX_STREAMS; st++) {
		struct pub_info *pi = &reg.pub[st];

		if (!pi->owed)
			continue;
		if (pub_flush(st) < 0)
			break;	/* still full: next turn */
		pi->owed = 0;
		reg.pub_owed--;
		reg.stats.ctrl_retried++;
		sent++;
	}
	return sent;
}

unsigned wf_registry_poll(void)
{
	unsigned sent = pub_poll();

	while (reg.pend_len) {
		struct pending p = reg.pend[reg.pend_head];

		if (flush_slot(p.worker, p.slot) < 0)
			break;	/* the pool or ring is still full: next turn */
		reg.info[p.worker][p.slot].pending = 0;
		reg.pend_head = (reg.pend_head + 1) % reg.pend_cap;
		reg.pend_len--;
		reg.stats.ctrl_retried++;
		sent++;
	}
	return sent;
}

int wf_registry_remove(unsigned worker, uint32_t slot, uint16_t gen)
{
	struct slot_info *si;

	if (worker >= wf_app.n_workers || slot >= reg.slots)
		return -ENOENT;
	si = &reg.info[worker][slot];
	if (si->gen != gen || (si->state != SLOT_ADDING && si->state != SLOT_LIVE))
		return -ENOENT;
	route_del(si, worker, slot);	/* its address stops routing at once */
	si->state = SLOT_DEL_WANTED;
	flush_or_queue(worker, slot);
	return 0;
}

int wf_registry_move(unsigned worker, uint32_t slot, uint16_t gen, unsigned port_idx,
		     const struct rte_ether_addr *dst_mac, uint32_t dst_ip, uint16_t dst_port)
{
	struct slot_info *si;
	int rc;

	if (worker >= wf_app.n_workers || slot >= reg.slots)
		return -ENOENT;
	si = &reg.info[worker][slot];
	if (si->gen != gen || (si->state != SLOT_ADDING && si->state != SLOT_LIVE))
		return -ENOENT;
	route_del(si, worker, slot);
	si->key.addr = dst_ip;
	si->key.port = dst_port;
	si->key.port_idx = (uint16_t)port_idx;
	rc = route_add(si, worker, slot);
	template_fill(si->move.hdr, &si->move.ip_csum_base, port_idx, dst_mac, dst_ip, dst_port);
	si->move.port_idx = (uint16_t)port_idx;
	si->move.addr = dst_ip;
	si->move.udp_port = dst_port;
	si->move_wanted = 1;
	flush_or_queue(worker, slot);
	return rc < 0 ? rc : 0;
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

void wf_registry_stats(struct wf_registry_stats *out)
{
	*out = reg.stats;
	out->ctrl_pending = reg.pend_len + reg.pub_owed;
}
