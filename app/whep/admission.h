/* admission.h: per client address admission for WHEP (the slow path).
 *
 * One client address must not be able to take the server.  For every
 * address that talks to us this keeps, in a table of fixed size:
 *   - a token bucket for WHEP POSTs (http.post_rate_per_ip tokens per
 *     second, at most http.post_burst_per_ip): a POST without a token is
 *     refused with 429 before its body is read;
 *   - the number of its sessions, whatever their state: the session layer
 *     adds one when a POST creates a session and removes it when the
 *     session is freed, whatever ends it; at http.max_sessions_per_ip
 *     (0: no cap) a POST is refused with 429 (F2: a client that completes
 *     its handshakes could otherwise take all of http.max_sessions);
 *   - of them, the number that have not completed ICE + DTLS ("pending"):
 *     removed when the session goes live or ends before that; at
 *     http.max_pending_per_ip a POST is refused with 429.
 * An address is a client key (xff.h): an IPv4 address, or an IPv6 /64.
 *
 * Bounded memory: the table has a fixed number of entries, chosen by its
 * owner at wf_adm_init() (whepfan: http.max_sessions + WF_ADM_SPARE, so the
 * entries that hold sessions, at most one per session, can never fill
 * it).  An entry that holds sessions is never given up (pinned): its count
 * must still be there when the session is freed.  The others are kept in
 * order of last use; a new address takes a free entry, else the one of the
 * address seen least recently (counted as table_evictions).  That address
 * merely starts again with a full bucket: an attacker with many addresses
 * gains at most a burst per address per round of the table, and the
 * global http.max_sessions still holds.  Buckets are found through a hash
 * keyed with a random seed, so addresses cannot be chosen to collide.
 *
 * Everything here runs on the slow path; nothing locks.  The counters
 * (wf_adm_counters) are read racily by telemetry, as every counter is.
 */
#ifndef WF_ADMISSION_H
#define WF_ADMISSION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/reason.h"

#define WF_ADM_SPARE	4096	/* entries beyond max_sessions: addresses without sessions */

/* What admission counts: refusals and closes by reason, and the table's
 * own events.  One list gives the enum, the names telemetry and /metrics
 * print, and the texts. */
#define WF_ADM_EVENTS(_) \
	_(RATE,        post_rate,         "429: POSTs from the address over http.post_rate_per_ip") \
	_(PENDING,     pending,           "429: the address has http.max_pending_per_ip sessions in ICE/DTLS") \
	_(SESSIONS,    sessions,          "429: the address has http.max_sessions_per_ip sessions (any state)") \
	_(FULL,        full,              "503: http.max_sessions sessions exist") \
	_(TABLE_FULL,  table_full,        "503: every table entry holds sessions") \
	_(DEADLINE,    request_deadline,  "connection closed: request not complete in http.request_timeout_s") \
	_(EVICTED,     conn_evicted,      "connection closed: oldest unfinished request, connection slots short") \
	_(PER_IP,      conn_per_ip,       "connection refused: too many connections from one address") \
	_(HANDSHAKE,   handshake_timeout, "session ended: ICE + DTLS not done in webrtc.handshake_timeout_s") \
	_(XFF_BAD,     xff_malformed,     "400: X-Forwarded-For from a trusted proxy unreadable (app/whep/xff.h)") \
	_(TABLE_EVICT, table_evictions,   "entry of the least recently seen idle address reused")

#define WF_ADM_ENUM_(sym, name, text) WF_ADM_##sym,
enum wf_adm_event { WF_ADM_EVENTS(WF_ADM_ENUM_) WF_ADM_EVENT_COUNT };
#undef WF_ADM_ENUM_
/* wf_adm_event_name(): the event's counter name ("post_rate"), or "unknown";
 * wf_adm_event_text(): its text. */
WF_REASON_LOOKUPS(wf_adm_event, enum wf_adm_event)

/* The reasons of the three 429s, as HTTP bodies say them. */
#define WF_ADM_RATE_TEXT	"too many requests from this address (http.post_rate_per_ip)"
#define WF_ADM_PENDING_TEXT	"too many sessions of this address are still connecting " \
				"(http.max_pending_per_ip)"
#define WF_ADM_SESSIONS_TEXT	"too many sessions of this address (http.max_sessions_per_ip)"

struct wf_adm_counters {
	uint64_t n[WF_ADM_EVENT_COUNT];
};

/* Since start, for the process (telemetry "admission", /metrics). */
extern struct wf_adm_counters wf_adm_counters;

/* Counts one event. */
void wf_adm_count(enum wf_adm_event ev);

struct wf_adm_entry;

/* A table.  The caller owns the struct (static storage suits: its fields
 * stay readable after wf_adm_fini()); the fields are admission.c's. */
struct wf_adm {
	struct wf_adm_entry *e;		/* cap entries */
	uint32_t *bucket;		/* mask + 1 chain heads */
	uint32_t cap, mask;
	uint32_t used;			/* entries holding an address */
	uint32_t pinned;		/* of them, with sessions (addresses_with_sessions) */
	uint32_t pending_addrs;		/* of those, with pending sessions */
	uint32_t free_head;		/* unused entries */
	uint32_t newest, oldest;	/* entries without sessions, by last use */
	uint64_t seed[2];		/* hash key */
};

/* The table the HTTP server and the session layer share (http.c
 * initializes it at wf_http_init_ops() and finishes it at wf_http_fini()). */
extern struct wf_adm wf_admission;

/* The limits in force (read from the configuration at every call, so a
 * reload applies at once). */
struct wf_adm_limits {
	uint32_t rate;			/* POST tokens per second, >= 1 */
	uint32_t burst;			/* bucket depth, >= 1 */
	uint32_t max_pending;		/* pending sessions per address */
	uint32_t pending_retry_s;	/* Retry-After when at max_pending */
	uint32_t max_sessions;		/* sessions per address, 0 = no cap */
	uint32_t sessions_retry_s;	/* Retry-After when at max_sessions */
};

struct wf_config;

/* The limits of cfg (http.post_rate_per_ip, post_burst_per_ip,
 * max_pending_per_ip, max_sessions_per_ip; Retry-After at the pending
 * cap: webrtc.handshake_timeout_s, by when a pending session has gone; at
 * the sessions cap: webrtc.consent_timeout_s, by when a session whose
 * viewer left without a DELETE has gone). */
void wf_adm_limits_of(const struct wf_config *cfg, struct wf_adm_limits *l);

/* CLOCK_MONOTONIC in milliseconds: the clock the table is given. */
uint64_t wf_adm_now_ms(void);

/* Sets t up with cap entries (1 or more), all free, and a random hash key.
 * Returns 0, -EINVAL or -ENOMEM (t then holds no memory). */
int wf_adm_init(struct wf_adm *t, uint32_t cap);

/* Frees t's memory; t then admits nothing (a finished or zeroed table
 * refuses with -ENOSPC and forgets nothing it never had).  Safe twice. */
void wf_adm_fini(struct wf_adm *t);

/* A POST from client key (xff.h) at now_ms (a monotonic clock): takes a
 * token from the address's bucket, then checks its sessions.  Returns 0
 * (admitted), -EAGAIN (no token: *retry_s = seconds until one is back),
 * -EDQUOT (l->max_sessions sessions: *retry_s = l->sessions_retry_s),
 * -EBUSY (l->max_pending sessions pending: *retry_s = l->pending_retry_s)
 * or -ENOSPC (no entry for the address; *retry_s = 1).  Every refusal is
 * counted. */
int wf_adm_post(struct wf_adm *t, uint64_t key, const struct wf_adm_limits *l, uint64_t now_ms,
		unsigned *retry_s);

/* Whether key may have one more session, without taking anything: 0,
 * -EDQUOT (sessions cap) or -EBUSY (pending cap); refusals are counted. */
int wf_adm_room(struct wf_adm *t, uint64_t key, const struct wf_adm_limits *l);

/* A session of key was created: one more session, and pending (an
 * address new to the table gets an entry with a full bucket).  Returns
 * 0, -EDQUOT (already l->max_sessions), -EBUSY (already l->max_pending):
 * nothing changes, or -ENOSPC (no entry); refusals are counted. */
int wf_adm_session_add(struct wf_adm *t, uint64_t key, const struct wf_adm_limits *l,
		       uint64_t now_ms);

/* A pending session of key went live: one fewer pending, the session
 * still counts.  Returns 0 or -ENOENT (key has none pending: a caller's
 * bookkeeping error). */
int wf_adm_session_live(struct wf_adm *t, uint64_t key);

/* A session of key was freed (pending: it had not gone live).  Returns 0
 * or -ENOENT (key has no such session: a caller's bookkeeping error,
 * nothing changes). */
int wf_adm_session_del(struct wf_adm *t, uint64_t key, bool pending);

/* Pending sessions of key, and all its sessions (0 when unknown). */
uint32_t wf_adm_pending(const struct wf_adm *t, uint64_t key);
uint32_t wf_adm_sessions(const struct wf_adm *t, uint64_t key);

#endif
