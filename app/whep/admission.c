/* admission.c: per client address admission (admission.h).
 *
 * The table: cap entries in one array, a power-of-two array of chain heads
 * (an address's chain is picked by a keyed hash), a free list, and a
 * doubly linked list of the entries without sessions from the most to the
 * least recently used.  Entries with sessions are in no list: they cannot
 * be chosen for reuse.  Indices, not pointers: NONE ends
 * a chain or list.
 *
 * Tokens are counted in thousandths so that a rate of r tokens per second
 * is r thousandths per millisecond: refilling is one multiplication.
 */
#include "whep/admission.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "conf/conf.h"

#define NONE		UINT32_MAX
#define MILLI		1000u		/* thousandths of a token per token */
#define MS_PER_S	1000u

struct wf_adm_entry {
	uint64_t tokens;	/* thousandths of a token */
	uint64_t refill_ms;	/* tokens are up to date at this time */
	uint64_t key;		/* the client (xff.h) */
	uint32_t sessions;	/* any state */
	uint32_t pending;	/* of them, not through ICE + DTLS */
	uint32_t chain;		/* next in the hash chain, or in the free list */
	uint32_t newer, older;	/* use order (entries with sessions == 0) */
};

struct wf_adm_counters wf_adm_counters;
struct wf_adm wf_admission;

WF_REASON_TABLES(wf_adm_event, enum wf_adm_event, WF_ADM_EVENTS, WF_ADM_EVENT_COUNT)

void wf_adm_count(enum wf_adm_event ev)
{
	if ((unsigned)ev < WF_ADM_EVENT_COUNT)
		wf_adm_counters.n[ev]++;
}

void wf_adm_limits_of(const struct wf_config *cfg, struct wf_adm_limits *l)
{
	l->rate = cfg->http.post_rate_per_ip;
	l->burst = cfg->http.post_burst_per_ip;
	l->max_pending = cfg->http.max_pending_per_ip;
	l->pending_retry_s = cfg->webrtc.handshake_timeout_s;
	l->max_sessions = cfg->http.max_sessions_per_ip;
	l->sessions_retry_s = cfg->webrtc.consent_timeout_s;
}

uint64_t wf_adm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * MS_PER_S + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- the hash ------------------------------------------------------------- */

/* Two multiply-xorshift rounds keyed by the table's random seed: an
 * address's chain cannot be predicted, so chains stay short whatever
 * addresses an attacker holds. */
static uint32_t chain_of(const struct wf_adm *t, uint64_t key)
{
	uint64_t x = (key ^ t->seed[0]) * 0x9e3779b97f4a7c15ull;

	x ^= x >> 31;
	x = (x ^ t->seed[1]) * 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return (uint32_t)x & t->mask;
}

static void seed_init(struct wf_adm *t)
{
	struct timespec ts;

	if (getrandom(t->seed, sizeof(t->seed), GRND_NONBLOCK) == (ssize_t)sizeof(t->seed))
		return;
	/* no entropy yet (early boot): still unknown to a remote peer */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t->seed[0] = (uint64_t)ts.tv_nsec << 32 ^ (uint64_t)ts.tv_sec ^ (uintptr_t)t;
	t->seed[1] = t->seed[0] * 0x94d049bb133111ebull ^ (uintptr_t)t->e;
}

/* ---- lists ------------------------------------------------------------------ */

static void lru_unlink(struct wf_adm *t, uint32_t i)
{
	struct wf_adm_entry *e = &t->e[i];

	if (e->newer != NONE)
		t->e[e->newer].older = e->older;
	else
		t->newest = e->older;
	if (e->older != NONE)
		t->e[e->older].newer = e->newer;
	else
		t->oldest = e->newer;
	e->newer = e->older = NONE;
}

static void lru_push_newest(struct wf_adm *t, uint32_t i)
{
	struct wf_adm_entry *e = &t->e[i];

	e->newer = NONE;
	e->older = t->newest;
	if (t->newest != NONE)
		t->e[t->newest].newer = i;
	else
		t->oldest = i;
	t->newest = i;
}

/* Marks entry i just used: the newest of the list (entries with sessions
 * are in none). */
static void touch(struct wf_adm *t, uint32_t i)
{
	if (t->e[i].sessions || t->newest == i)
		return;
	lru_unlink(t, i);
	lru_push_newest(t, i);
}

static void chain_remove(struct wf_adm *t, uint32_t i)
{
	uint32_t *p = &t->bucket[chain_of(t, t->e[i].key)];

	while (*p != NONE && *p != i)
		p = &t->e[*p].chain;
	if (*p == i)
		*p = t->e[i].chain;
}

/* ---- entries --------------------------------------------------------------- */

static uint32_t find(const struct wf_adm *t, uint64_t key)
{
	uint32_t i;

	if (!t->e)
		return NONE;
	for (i = t->bucket[chain_of(t, key)]; i != NONE; i = t->e[i].chain)
		if (t->e[i].key == key)
			return i;
	return NONE;
}

/* An entry for a new address: a free one, else the least recently used
 * one without sessions (counted); NONE when every entry holds sessions. */
static uint32_t take_entry(struct wf_adm *t)
{
	uint32_t i = t->free_head;

	if (i != NONE) {
		t->free_head = t->e[i].chain;
		t->used++;
		return i;
	}
	i = t->oldest;
	if (i == NONE)
		return NONE;
	lru_unlink(t, i);
	chain_remove(t, i);
	wf_adm_count(WF_ADM_TABLE_EVICT);
	return i;
}

/* key's entry, created with a full bucket of burst tokens when it has
 * none, and marked used.  NONE when there is no room (counted). */
static uint32_t lookup(struct wf_adm *t, uint64_t key, uint32_t burst, uint64_t now_ms)
{
	uint32_t i = find(t, key), c;

	if (i != NONE) {
		touch(t, i);
		return i;
	}
	i = t->e ? take_entry(t) : NONE;
	if (i == NONE) {
		wf_adm_count(WF_ADM_TABLE_FULL);
		return NONE;
	}
	c = chain_of(t, key);
	t->e[i] = (struct wf_adm_entry){
		.tokens = (uint64_t)burst * MILLI, .refill_ms = now_ms, .key = key,
		.chain = t->bucket[c], .newer = NONE, .older = NONE,
	};
	t->bucket[c] = i;
	lru_push_newest(t, i);
	return i;
}

/* ---- the table --------------------------------------------------------------- */

int wf_adm_init(struct wf_adm *t, uint32_t cap)
{
	uint32_t n = 1, i;

	if (!t || cap == 0 || cap > UINT32_MAX / 4)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	while (n < cap)
		n <<= 1;
	t->e = calloc(cap, sizeof(*t->e));
	t->bucket = malloc(sizeof(*t->bucket) * n);
	if (!t->e || !t->bucket) {
		wf_adm_fini(t);
		return -ENOMEM;
	}
	t->cap = cap;
	t->mask = n - 1;
	memset(t->bucket, 0xff, sizeof(*t->bucket) * n);	/* NONE */
	for (i = 0; i < cap; i++)
		t->e[i].chain = i + 1 < cap ? i + 1 : NONE;
	t->free_head = 0;
	t->newest = t->oldest = NONE;
	seed_init(t);
	return 0;
}

void wf_adm_fini(struct wf_adm *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->bucket);
	t->e = NULL;
	t->bucket = NULL;
	t->cap = t->mask = t->used = t->pinned = t->pending_addrs = 0;
	t->free_head = t->newest = t->oldest = NONE;
}

/* Adds the tokens earned since e->refill_ms, up to burst. */
static void refill(struct wf_adm_entry *e, const struct wf_adm_limits *l, uint64_t now_ms)
{
	uint64_t full = (uint64_t)l->burst * MILLI;
	uint64_t elapsed = now_ms > e->refill_ms ? now_ms - e->refill_ms : 0;

	/* past the time to fill from empty, the bucket is full: no overflow */
	if (elapsed >= full / l->rate + 1)
		e->tokens = full;
	else
		e->tokens += elapsed * l->rate;
	if (e->tokens > full)
		e->tokens = full;	/* also a burst lowered by a reload */
	e->refill_ms = now_ms;
}

/* The caps of entry e (NULL: an address without sessions): 0, -EDQUOT
 * or -EBUSY, counted. */
static int caps(const struct wf_adm_entry *e, const struct wf_adm_limits *l)
{
	if (!e)
		return 0;
	if (l->max_sessions && e->sessions >= l->max_sessions) {
		wf_adm_count(WF_ADM_SESSIONS);
		return -EDQUOT;
	}
	if (e->pending >= l->max_pending) {
		wf_adm_count(WF_ADM_PENDING);
		return -EBUSY;
	}
	return 0;
}

int wf_adm_post(struct wf_adm *t, uint64_t key, const struct wf_adm_limits *l, uint64_t now_ms,
		unsigned *retry_s)
{
	struct wf_adm_entry *e;
	uint64_t wait_ms;
	uint32_t i;
	int rc;

	*retry_s = 1;
	if (!l->rate || !l->burst)
		return -EINVAL;
	i = lookup(t, key, l->burst, now_ms);
	if (i == NONE)
		return -ENOSPC;
	e = &t->e[i];
	refill(e, l, now_ms);
	if (e->tokens < MILLI) {
		wait_ms = (MILLI - e->tokens + l->rate - 1) / l->rate;
		*retry_s = (unsigned)((wait_ms + MS_PER_S - 1) / MS_PER_S);
		if (*retry_s == 0)
			*retry_s = 1;
		wf_adm_count(WF_ADM_RATE);
		return -EAGAIN;
	}
	e->tokens -= MILLI;
	rc = caps(e, l);
	if (rc == -EDQUOT)
		*retry_s = l->sessions_retry_s ? l->sessions_retry_s : 1;
	else if (rc == -EBUSY)
		*retry_s = l->pending_retry_s ? l->pending_retry_s : 1;
	return rc;
}

int wf_adm_room(struct wf_adm *t, uint64_t key, const struct wf_adm_limits *l)
{
	uint32_t i = find(t, key);

	return caps(i == NONE ? NULL : &t->e[i], l);
}

int wf_adm_session_add(struct wf_adm *t, uint64_t key, const struct wf_adm_limits *l,
		       uint64_t now_ms)
{
	struct wf_adm_entry *e;
	uint32_t i = lookup(t, key, l->burst, now_ms);
	int rc;

	if (i == NONE)
		return -ENOSPC;
	e = &t->e[i];
	rc = caps(e, l);
	if (rc)
		return rc;
	if (e->sessions++ == 0) {
		lru_unlink(t, i);	/* pinned: never reused while it has sessions */
		t->pinned++;
	}
	if (e->pending++ == 0)
		t->pending_addrs++;
	return 0;
}

int wf_adm_session_live(struct wf_adm *t, uint64_t key)
{
	uint32_t i = find(t, key);

	if (i == NONE || t->e[i].pending == 0)
		return -ENOENT;
	if (--t->e[i].pending == 0)
		t->pending_addrs--;
	return 0;
}

int wf_adm_session_del(struct wf_adm *t, uint64_t key, bool pending)
{
	struct wf_adm_entry *e;
	uint32_t i = find(t, key);

	if (i == NONE)
		return -ENOENT;
	e = &t->e[i];
	/* a pending one needs a pending count, a live one a session beyond them */
	if (pending ? e->pending == 0 : e->pending >= e->sessions)
		return -ENOENT;
	if (pending && --e->pending == 0)
		t->pending_addrs--;
	if (--e->sessions == 0) {
		lru_push_newest(t, i);
		t->pinned--;
	}
	return 0;
}

uint32_t wf_adm_pending(const struct wf_adm *t, uint64_t key)
{
	uint32_t i = find(t, key);

	return i == NONE ? 0 : t->e[i].pending;
}

uint32_t wf_adm_sessions(const struct wf_adm *t, uint64_t key)
{
	uint32_t i = find(t, key);

	return i == NONE ? 0 : t->e[i].sessions;
}
