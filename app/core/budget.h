/* budget.h: what a viewer may make whepfan send again (DESIGN.md,
 * "Budgets"): retransmissions for generic NACKs (RFC 4585 §6.2.1) and
 * key-frame replays for PLI (RFC 4585 §6.3.1) and FIR (RFC 5104 §4.3.1).
 *
 * Bytes: a viewer's retransmissions and the replays it asks for draw on one
 * token bucket in bytes (struct wf_retx_bucket, in the viewer), filled at a
 * share of the stream's measured bitrate (webrtc.nack_budget_pct) and
 * holding at most one second of that share.  A request is granted while
 * the balance is positive and charged what it costs when that is known; the
 * balance may fall below zero (a replay, a packet larger than estimated),
 * and the debt is repaid by refill before the next grant.  Over any stretch
 * of time a viewer is thus sent again at most its share, plus one second of
 * it, plus one grant.
 *
 * Repeats: a sequence number is resent to a viewer at most once per its
 * round-trip time.  The per-lcore table of struct wf_retx_seen remembers
 * recent resends, direct-mapped by (viewer slot, track, source sequence
 * number); a resend whose entry another takes over is forgotten, so a
 * collision can only let a resend through, never refuse one that was not
 * recent (as the punt buckets' table, police.h on main).
 *
 * Compounds: at most WF_NACK_MAX_FCI NACK FCIs of one RTCP compound are
 * served, however many NACK messages carry them (wf_nack_expand()).
 *
 * Plain C on integers: no DPDK, no heap, no clock of its own (the caller
 * passes TSC times and the TSC rate); testable without EAL
 * (tests/app/test_budget.c).  Per-lcore state, written by its worker only.
 */
#ifndef WF_BUDGET_H
#define WF_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#include "rtp/rtcp.h"

#define WF_NACK_MAX_FCI		32	/* NACK FCIs served per RTCP compound */
#define WF_RETX_RTT_DEFAULT_MS	100	/* repeat window before an RTT is known */
#define WF_RETX_RTT_MAX_MS	1000	/* a reported RTT is believed up to this */
#define WF_RETX_SEEN_BITS	11	/* 2,048 remembered resends per lcore (32 KiB) */
#define WF_RETX_SEEN_SLOTS	(1u << WF_RETX_SEEN_BITS)
#define WF_RETX_DEBT_MAX	(1 << 30)	/* the balance never goes below -this */

/* A viewer's bytes to send again.  Zeroed (a new viewer): full at the
 * first refill. */
struct wf_retx_bucket {
	uint64_t tsc;		/* last refill, 0 = never */
	int32_t tokens;		/* bytes; below 0 a debt */
	uint32_t pad_;
};

/* Bytes a second a viewer may be sent again: pct % of the stream's
 * bytes a second. */
static inline uint32_t wf_retx_rate(uint64_t stream_bytes_per_s, uint32_t pct)
{
	uint64_t r = stream_bytes_per_s * pct / 100;

	return r > INT32_MAX ? INT32_MAX : (uint32_t)r;
}

/* The rate (bytes a second) a measuring window of dt cycles (hz a second)
 * that carried bytes in pkts packets gives the viewers' budgets: 0 for a
 * window in which the source sent nothing, so a paused stream earns its
 * viewers nothing, however long it stays silent: a viewer keeps at most the
 * one second it had (wf_retx_bucket_refill), one that joins during the
 * pause starts with one second of the rate before it, once (the bound of
 * docs/configuration.md); prev when no time passed. */
static inline uint32_t wf_retx_window_rate(uint32_t prev, uint64_t bytes, uint64_t pkts,
					   uint64_t dt, uint64_t hz)
{
	uint64_t r;

	if (!dt)
		return prev;
	if (!pkts)
		return 0;
	r = bytes * hz / dt;
	return r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
}

/* The rate the budgets get again when a source resumes after a pause of
 * paused cycles: held (what was measured before the pause) when the pause
 * is within window (history_ms), else 0.  A viewer sees a packet lost just
 * before a pause only when the next packet comes, and its NACK must find a
 * budget while the history still holds the packet (the soak:
 * docs/reliability.md); after a longer pause those packets are gone and
 * the budgets start from what the source sends now. */
static inline uint32_t wf_retx_resume_rate(uint32_t held, uint64_t paused, uint64_t window)
{
	return paused <= window ? held : 0;
}

/* Adds what rate (bytes a second) earned since the last refill at TSC now
 * (hz cycles a second), up to one second of rate; a bucket never refilled
 * starts full.  Rate 0 (the source paused) earns nothing and leaves the
 * balance as it is: a viewer keeps at most the one second it had, however
 * long the pause. */
void wf_retx_bucket_refill(struct wf_retx_bucket *b, uint32_t rate, uint64_t now, uint64_t hz);

/* Whether a request may be granted: the balance is positive. */
static inline bool wf_retx_bucket_open(const struct wf_retx_bucket *b)
{
	return b->tokens > 0;
}

/* Charges bytes (negative: gives them back); the balance stays above
 * -WF_RETX_DEBT_MAX. */
void wf_retx_bucket_charge(struct wf_retx_bucket *b, int64_t bytes);

/* Key-frame replays of one stream: at most per_s a second with a burst of
 * as many, as GCRA (ITU-T I.371) on *tat, the theoretical arrival time in
 * TSC cycles (0 at first).  Whether one more may start at now; when it
 * may, *tat is charged. */
bool wf_replay_rate_admit(uint64_t *tat, uint32_t per_s, uint64_t now, uint64_t hz);

/* One remembered resend. */
struct wf_retx_seen {
	uint64_t tsc;		/* when it was asked for; 0 = empty */
	uint32_t who;		/* viewer slot << 1 | track */
	uint32_t ext;		/* source extended sequence number */
};

/* The repeat window of a viewer track in TSC cycles: its RTT (µs, 0 =
 * not known yet: WF_RETX_RTT_DEFAULT_MS), at most WF_RETX_RTT_MAX_MS. */
uint64_t wf_retx_window(uint32_t rtt_us, uint64_t hz);

/* Whether source packet ext of track who was resent (asked for) less than
 * window cycles before now. */
bool wf_retx_seen_recent(const struct wf_retx_seen tab[WF_RETX_SEEN_SLOTS], uint32_t who,
			 uint32_t ext, uint64_t now, uint64_t window);

/* Remembers that ext of track who is resent at now. */
void wf_retx_seen_mark(struct wf_retx_seen tab[WF_RETX_SEEN_SLOTS], uint32_t who, uint32_t ext,
		       uint64_t now);

/* The sequence numbers a parsed generic NACK (fb, from wf_rtcp_parse_nack)
 * asks for, FCI by FCI while the compound's allowance *fcis_left (at most
 * WF_NACK_MAX_FCI) lasts, each FCI served taking one: writes them to seqs
 * (room for WF_NACK_SEQS_MAX) and returns how many; the sequence numbers
 * of the FCIs past the allowance are added to *refused. */
#define WF_NACK_SEQS_MAX	(WF_NACK_MAX_FCI * WF_RTCP_NACK_FCI_MAX)
unsigned wf_nack_expand(const struct wf_rtcp_fb *fb, unsigned *fcis_left, uint16_t *seqs,
			uint64_t *refused);

#endif
