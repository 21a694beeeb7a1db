/* budget.c: retransmission budgets, repeats and FCI caps (budget.h). */
#include "core/budget.h"

#include <string.h>

void wf_retx_bucket_refill(struct wf_retx_bucket *b, uint32_t rate, uint64_t now, uint64_t hz)
{
	uint64_t dt;
	int64_t t;

	if (b->tsc && now < b->tsc)
		return;		/* a time from before the last refill */
	dt = b->tsc ? now - b->tsc : hz;
	if (dt > hz)
		dt = hz;	/* the bucket holds one second of its rate */
	if (!rate && b->tsc) {
		/* a pause: nothing earned, and the balance kept (a loss seen
		 * at its start or in a replay during it is still repaired) */
		b->tsc = now ? now : 1;
		return;
	}
	b->tsc = now ? now : 1;
	/* rate < 2^31 and dt <= hz (a few 10^9): the product fits 64 bits */
	t = (int64_t)b->tokens + (int64_t)((uint64_t)rate * dt / hz);
	b->tokens = (int32_t)(t > (int64_t)rate ? (int64_t)rate : t);
}

void wf_retx_bucket_charge(struct wf_retx_bucket *b, int64_t bytes)
{
	int64_t t = (int64_t)b->tokens - bytes;

	if (t < -WF_RETX_DEBT_MAX)
		t = -WF_RETX_DEBT_MAX;
	if (t > INT32_MAX)
		t = INT32_MAX;
	b->tokens = (int32_t)t;
}

bool wf_replay_rate_admit(uint64_t *tat, uint32_t per_s, uint64_t now, uint64_t hz)
{
	uint64_t interval = hz / (per_s ? per_s : 1), tolerance = interval * (per_s ? per_s - 1 : 0);

	if (*tat > now + tolerance)
		return false;
	*tat = (*tat > now ? *tat : now) + interval;
	return true;
}

uint64_t wf_retx_window(uint32_t rtt_us, uint64_t hz)
{
	uint64_t us = rtt_us ? rtt_us : WF_RETX_RTT_DEFAULT_MS * 1000u;

	if (us > WF_RETX_RTT_MAX_MS * 1000u)
		us = WF_RETX_RTT_MAX_MS * 1000u;
	return hz / 1000000 * us + hz % 1000000 * us / 1000000;
}

/* Fibonacci hashing of (who, ext) onto the table. */
static inline uint32_t seen_slot(uint32_t who, uint32_t ext)
{
	uint64_t k = (uint64_t)who << 32 | ext;

	return (uint32_t)((k * 0x9e3779b97f4a7c15ull) >> (64 - WF_RETX_SEEN_BITS));
}

bool wf_retx_seen_recent(const struct wf_retx_seen tab[WF_RETX_SEEN_SLOTS], uint32_t who,
			 uint32_t ext, uint64_t now, uint64_t window)
{
	const struct wf_retx_seen *e = &tab[seen_slot(who, ext)];

	return e->tsc && e->who == who && e->ext == ext && now >= e->tsc && now - e->tsc < window;
}

void wf_retx_seen_mark(struct wf_retx_seen tab[WF_RETX_SEEN_SLOTS], uint32_t who, uint32_t ext,
		       uint64_t now)
{
	struct wf_retx_seen *e = &tab[seen_slot(who, ext)];

	e->tsc = now ? now : 1;
	e->who = who;
	e->ext = ext;
}

unsigned wf_nack_expand(const struct wf_rtcp_fb *fb, unsigned *fcis_left, uint16_t *seqs,
			uint64_t *refused)
{
	uint16_t one[WF_RTCP_NACK_FCI_MAX];
	unsigned n = 0, off, k;

	for (off = 0; off + 4 <= fb->fci_len; off += 4) {
		k = wf_rtcp_nack_fci(fb->fci + off, one);
		if (!*fcis_left) {
			*refused += k;
			continue;
		}
		(*fcis_left)--;
		memcpy(seqs + n, one, k * sizeof(one[0]));
		n += k;
	}
	return n;
}
