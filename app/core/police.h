/* police.h: what a worker lets through to the slow path (DESIGN.md,
 * "Budgets").  The slow path is one thread: a flood of junk STUN or ICMP
 * must not crowd out the consent checks that keep every viewer alive, nor
 * ARP.  So a worker sorts what it punts into two rooms:
 *  - the priority ring: ARP for our address and neighbours' announcements
 *    (classify.c), and a live viewer's consent
 *    checks (RFC 7675): a STUN Binding request from the viewer's own
 *    5-tuple whose USERNAME names the viewer's session (the ufrag tag of
 *    classify.h, since anyone can spoof an address);
 *  - the bulk ring: everything else punted: STUN from other addresses (new
 *    sessions) and whatever else comes from a viewer's 5-tuple (other
 *    STUN, DTLS), and ICMP echo.
 * Before either, each packet passes two token buckets of its class: one
 * per source (the address, or for viewers the 5-tuple) and one for the
 * whole class on this worker.  Buckets are GCRA (a theoretical arrival
 * time per bucket, ITU-T I.371): one 64-bit word, no division per packet.
 * The per-source buckets sit in a direct-mapped table: a source that
 * lands on another's slot takes it over with a fresh bucket, so a
 * collision can only ever let a packet through, never shed an innocent
 * source's.  Per-lcore state, written by its worker only: no locks.
 */
#ifndef WF_POLICE_H
#define WF_POLICE_H

#include <stdbool.h>
#include <stdint.h>

enum wf_punt_class {
	WF_PUNT_ARP = 0,	/* ARP for our address, announcements from our subnet */
	WF_PUNT_PEER,		/* a Binding request naming the viewer of its 5-tuple */
	WF_PUNT_NEW,		/* other STUN, DTLS (any address) */
	WF_PUNT_ICMP,		/* ICMP (echo) */
	WF_PUNT_CLASS_COUNT
};

/* Packets per second and burst of each class: per source, and in all on
 * one worker (0 = no aggregate bucket).  Consent checks come about once a
 * second per viewer, a browser's first checks some 20 a second per
 * candidate pair, a DTLS flight a handful of datagrams.  PEER's aggregate
 * (20,000/s, a second's checks of 20,000 viewers) bounds what even checks
 * that name a real session (an attacker who saw a ufrag) can cost. */
#define WF_POLICE_RATES(_) \
	_(ARP,  20,  20, 1000,  200) \
	_(PEER, 100, 64, 20000, 2000) \
	_(NEW,  200, 100, 20000, 2000) \
	_(ICMP, 10,  10, 500,   100)

#define WF_POLICE_SLOT_BITS	10	/* per-source buckets per class */
#define WF_POLICE_SLOTS		(1u << WF_POLICE_SLOT_BITS)

struct wf_police_slot {
	uint64_t key;
	uint64_t tat;		/* theoretical arrival time, TSC */
};

struct wf_gcra {
	uint64_t interval;	/* TSC cycles per packet at the rate */
	uint64_t tolerance;	/* (burst - 1) * interval */
};

struct wf_police {
	uint64_t seed;		/* slot hash key, random (wf_police_init()) */
	struct wf_gcra src[WF_PUNT_CLASS_COUNT];
	struct wf_gcra all[WF_PUNT_CLASS_COUNT];
	uint64_t all_tat[WF_PUNT_CLASS_COUNT];
	struct wf_police_slot slot[WF_PUNT_CLASS_COUNT][WF_POLICE_SLOTS];
};

/* What one viewer may send that reaches its worker (its SRTCP, or
 * anything with RTP's first byte from its 5-tuple), checked where it
 * arrives before it goes to the viewer's worker (classify.c): a browser
 * sends a compound every second or so and its NACKs and PLIs as losses
 * come, a few tens a second at worst.  The bucket is the viewer's own
 * (its worker, slot and generation), in a fixed table of each receiving
 * worker (WF_VIEWER_IN_BITS: memory per worker, not per viewer), four ways
 * to a set: a viewer takes a way of its set that is free or whose bucket
 * is full (quiet), and shares one only when all four are busy.
 * But whoever spoofs the viewer's 5-tuple draws on it too (it is checked
 * before the packet is authenticated), so what is over it may still go
 * on within a spill bucket of each receiving worker: while that is not
 * empty, a spoofer sheds none of the viewer's own RTCP, and spoofers and
 * floods together cost a worker at most that many failed authentications
 * a second (some 15 ms of a core at HMAC-SHA1's 300 ns).  The spill
 * bucket is the worker's: a flood from any viewer's 5-tuple that lands
 * here can empty it (docs/architecture.md, "Packets for another worker"). */
#define WF_VIEWER_IN_BITS	14	/* 16,384 entries, 256 KiB a worker */
#define WF_VIEWER_IN_WAY_BITS	2	/* four ways to a set */
#define WF_VIEWER_IN_RATE	500
#define WF_VIEWER_IN_BURST	250
#define WF_VIEWER_SPILL_RATE	50000
#define WF_VIEWER_SPILL_BURST	5000

/* Sets g to rate packets a second with burst, for a TSC of hz. */
void wf_gcra_set(struct wf_gcra *g, uint64_t hz, unsigned rate, unsigned burst);

/* Whether a packet at TSC now conforms to g with theoretical arrival time
 * *tat (0: a full bucket); when it does, *tat moves on. */
bool wf_gcra_admit(const struct wf_gcra *g, uint64_t *tat, uint64_t now);

/* The class's name in telemetry and /metrics ("arp", "peer", "new",
 * "icmp"); "?" out of range. */
const char *wf_punt_class_name(enum wf_punt_class c);

/* Sets the buckets from WF_POLICE_RATES for a TSC of hz cycles a second,
 * all full. */
void wf_police_init(struct wf_police *p, uint64_t hz);

/* key's entry in a table of 2^bits (1 to 63), keyed by p's random seed. */
unsigned wf_police_hash(const struct wf_police *p, uint64_t key, unsigned bits);

/* The per-source slot key falls on (keyed by p's random seed).  Sources
 * on one slot share its bucket while it is not full (police.c). */
unsigned wf_police_slot_of(const struct wf_police *p, uint64_t key);

enum wf_police_verdict {
	WF_POLICE_PASS = 0,
	WF_POLICE_OVER_SOURCE,	/* its source's bucket is empty */
	WF_POLICE_OVER_CLASS,	/* the class's bucket on this worker is empty */
};

/* Whether a packet of class c from source key may go on at TSC now; when
 * it may, both its buckets are charged.  A packet refused by either bucket
 * charges neither.  Says which bucket refused it. */
enum wf_police_verdict wf_police_check(struct wf_police *p, enum wf_punt_class c, uint64_t key,
				       uint64_t now);

/* wf_police_check() == WF_POLICE_PASS. */
static inline bool wf_police_admit(struct wf_police *p, enum wf_punt_class c, uint64_t key,
				   uint64_t now)
{
	return wf_police_check(p, c, key, now) == WF_POLICE_PASS;
}

#endif
