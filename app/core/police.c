/* police.c: per-source and per-class punt buckets (police.h). */
#include "core/police.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>

#define GOLDEN64	0x9e3779b97f4a7c15ull	/* Fibonacci hashing (Knuth) */

const char *wf_punt_class_name(enum wf_punt_class c)
{
	static const char *const names[WF_PUNT_CLASS_COUNT] = {
		[WF_PUNT_ARP] = "arp", [WF_PUNT_PEER] = "peer",
		[WF_PUNT_NEW] = "new", [WF_PUNT_ICMP] = "icmp",
	};

	return (unsigned)c < WF_PUNT_CLASS_COUNT ? names[c] : "?";
}

void wf_gcra_set(struct wf_gcra *g, uint64_t hz, unsigned rate, unsigned burst)
{
	g->interval = rate ? hz / rate : 0;
	g->tolerance = rate && burst > 1 ? (uint64_t)(burst - 1) * g->interval : 0;
}

void wf_police_init(struct wf_police *p, uint64_t hz)
{
	memset(p, 0, sizeof(*p));
#define WF_POLICE_SET_(cls, rate, burst, all_rate, all_burst) \
	wf_gcra_set(&p->src[WF_PUNT_##cls], hz, rate, burst); \
	wf_gcra_set(&p->all[WF_PUNT_##cls], hz, all_rate, all_burst);
	WF_POLICE_RATES(WF_POLICE_SET_)
#undef WF_POLICE_SET_
	/* a secret hash key, so sources cannot be chosen to share a slot */
	if (getrandom(&p->seed, sizeof(p->seed), GRND_NONBLOCK) != (ssize_t)sizeof(p->seed)) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		p->seed = ((uint64_t)ts.tv_nsec << 32 ^ (uint64_t)ts.tv_sec ^ (uintptr_t)p) * GOLDEN64;
	}
}

unsigned wf_police_hash(const struct wf_police *p, uint64_t key, unsigned bits)
{
	uint64_t x = (key ^ p->seed) * GOLDEN64;

	x ^= x >> 29;
	return (unsigned)((x * 0xbf58476d1ce4e5b9ull) >> (64 - bits));
}

unsigned wf_police_slot_of(const struct wf_police *p, uint64_t key)
{
	return wf_police_hash(p, key, WF_POLICE_SLOT_BITS);
}

/* GCRA: the theoretical arrival time of the next conforming packet; a
 * packet conforms when it is at most tolerance early.  Returns the TAT to
 * store if it conforms, 0 if not. */
static inline uint64_t gcra(const struct wf_gcra *g, uint64_t tat, uint64_t now)
{
	uint64_t t = tat > now ? tat : now;

	if (t - now > g->tolerance)
		return 0;
	return t + g->interval;
}

bool wf_gcra_admit(const struct wf_gcra *g, uint64_t *tat, uint64_t now)
{
	uint64_t next = gcra(g, *tat, now);

	if (!next)
		return false;
	*tat = next;
	return true;
}

enum wf_police_verdict wf_police_check(struct wf_police *p, enum wf_punt_class c, uint64_t key,
				       uint64_t now)
{
	struct wf_police_slot *s = &p->slot[c][wf_police_slot_of(p, key)];
	uint64_t src_tat, all_tat = 0;

	/* Another source's slot: taken fresh when that source's bucket is
	 * full again (it has been quiet), shared while it is not.  Taking
	 * it fresh every time gave two sources that alternate on one slot
	 * a full bucket at every packet: no limit at all (attacker review:
	 * 22,000/s through a 100/s bucket from two sessions of one client). */
	if (s->key != key && s->tat <= now) {
		s->key = key;
		s->tat = now;
	}
	src_tat = gcra(&p->src[c], s->tat, now);
	if (!src_tat)
		return WF_POLICE_OVER_SOURCE;
	if (p->all[c].interval) {
		all_tat = gcra(&p->all[c], p->all_tat[c], now);
		if (!all_tat)
			return WF_POLICE_OVER_CLASS;
		p->all_tat[c] = all_tat;
	}
	s->tat = src_tat;
	return WF_POLICE_PASS;
}
