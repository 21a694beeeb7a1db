/* peer.h: the viewers' address table (wf_app.peers, an rte_hash the slow
 * path writes, registry.c, and every worker reads lock-free, classify.c):
 * its key, and the one 64-bit word stored for a peer.
 */
#ifndef WF_PEER_H
#define WF_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/app.h"

/* The key of the viewers' address table (wf_app.peers). */
struct wf_peer_key {
	uint32_t addr;		/* host order */
	uint16_t port;
	uint16_t port_idx;
};

/* The value stored for a peer (one 64-bit word, read lock-free by every
 * worker): from the top, the tag of the viewer's session (20 bits), its
 * worker (4), generation (16), kind (1: a viewer, or a WHIP publisher) and
 * slot (23).  A publisher's worker is its stream's owner, its slot the
 * stream's id and its generation the publisher's (publisher.h).  The tag is a hash of the
 * session's own ICE ufrag (ours, the local half of the USERNAME its
 * checks carry, RFC 8445 §7.2.2): a worker classes a packet from a
 * viewer's 5-tuple as that viewer's (WF_PUNT_PEER) only when it is a
 * Binding request naming that ufrag, so a spoofer who knows the address
 * but not the ufrag lands in WF_PUNT_NEW (police.h). */
#define WF_PEER_TAG_BITS	20
#define WF_PEER_WORKER_BITS	4
#define WF_PEER_GEN_BITS	16
#define WF_PEER_KIND_BITS	1
#define WF_PEER_SLOT_BITS	23
#define WF_PEER_SLOT_MAX	(1u << WF_PEER_SLOT_BITS)	/* slots per worker */
#define WF_PEER_TAG_MASK	((1u << WF_PEER_TAG_BITS) - 1)

_Static_assert(WF_PEER_TAG_BITS + WF_PEER_WORKER_BITS + WF_PEER_GEN_BITS +
	       WF_PEER_KIND_BITS + WF_PEER_SLOT_BITS <= 64 && sizeof(void *) >= sizeof(uint64_t),
	       "a peer value must fit the hash's data pointer");
_Static_assert(WF_MAX_WORKERS <= (1u << WF_PEER_WORKER_BITS),
	       "the peer value has 4 bits for the worker");
_Static_assert(WF_PEER_GEN_BITS == 16, "generations are uint16_t");

#define WF_PEER_SLOT_SHIFT	0
#define WF_PEER_KIND_SHIFT	(WF_PEER_SLOT_SHIFT + WF_PEER_SLOT_BITS)
#define WF_PEER_GEN_SHIFT	(WF_PEER_KIND_SHIFT + WF_PEER_KIND_BITS)
#define WF_PEER_WORKER_SHIFT	(WF_PEER_GEN_SHIFT + WF_PEER_GEN_BITS)
#define WF_PEER_TAG_SHIFT	(WF_PEER_WORKER_SHIFT + WF_PEER_WORKER_BITS)

/* The tag of a peer with no ICE session (a static output's receiver):
 * no packet's ufrag has it, so nothing from its address is WF_PUNT_PEER. */
#define WF_PEER_NO_TAG		0u

/* The tag of a ufrag: 20 bits of a hash of its bytes (FNV-1a, folded).
 * Not a secret and not a MAC: it only tells a check for this session
 * from a guess, which matches one time in 2^20. */
static inline uint32_t wf_peer_tag(const void *ufrag, size_t len)
{
	const uint8_t *p = ufrag;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	h = (h ^ h >> WF_PEER_TAG_BITS) & WF_PEER_TAG_MASK;
	return h ? h : 1;	/* WF_PEER_NO_TAG is never a ufrag's */
}

/* worker < WF_MAX_WORKERS and slot < WF_PEER_SLOT_MAX (the registry
 * checks both); tag is cut to its 20 bits. */
static inline void *wf_peer_value(unsigned worker, uint32_t slot, uint16_t gen, uint32_t tag)
{
	return (void *)(uintptr_t)((uint64_t)(tag & WF_PEER_TAG_MASK) << WF_PEER_TAG_SHIFT |
				   (uint64_t)worker << WF_PEER_WORKER_SHIFT |
				   (uint64_t)gen << WF_PEER_GEN_SHIFT |
				   (uint64_t)(slot & (WF_PEER_SLOT_MAX - 1)) << WF_PEER_SLOT_SHIFT);
}

/* The value of the WHIP publisher of stream sid, owned by worker owner,
 * publisher generation gen, whose session's ufrag has tag. */
static inline void *wf_peer_publisher_value(unsigned owner, unsigned sid, uint16_t gen,
					    uint32_t tag)
{
	return (void *)((uintptr_t)wf_peer_value(owner, sid, gen, tag) |
			(uintptr_t)1 << WF_PEER_KIND_SHIFT);
}

/* Whether v is a publisher's (wf_peer_decode() then gives its stream's
 * owner, the stream id as the slot, and the publisher's generation). */
static inline bool wf_peer_is_publisher(const void *v)
{
	return (uint64_t)(uintptr_t)v >> WF_PEER_KIND_SHIFT & 1;
}

static inline void wf_peer_decode(const void *v, unsigned *worker, uint32_t *slot, uint16_t *gen)
{
	uint64_t x = (uint64_t)(uintptr_t)v;

	*worker = (unsigned)(x >> WF_PEER_WORKER_SHIFT) & ((1u << WF_PEER_WORKER_BITS) - 1);
	*gen = (uint16_t)(x >> WF_PEER_GEN_SHIFT);
	*slot = (uint32_t)(x >> WF_PEER_SLOT_SHIFT) & (WF_PEER_SLOT_MAX - 1);
}

static inline uint32_t wf_peer_value_tag(const void *v)
{
	return (uint32_t)((uint64_t)(uintptr_t)v >> WF_PEER_TAG_SHIFT) & WF_PEER_TAG_MASK;
}

#endif
