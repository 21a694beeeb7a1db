/* test_admission.c: the per-address admission table (app/whep/admission.c)
 * alone: token bucket refill and burst, Retry-After, the pending and
 * sessions caps, the table's bound and which entry it gives up.  Time is a number the
 * tests move by hand, so nothing here depends on the machine's speed. */
#include <errno.h>
#include <stdbool.h>

#include "wf_test.h"

#include "whep/admission.h"

#define A1	0xc6120001u	/* 198.18.0.1 */
#define A2	0xc6120002u
#define T0	1000000u	/* ms: any start */

static struct wf_adm t;
static const struct wf_adm_limits lim = {
	.rate = 10, .burst = 20, .max_pending = 16, .pending_retry_s = 10,
	.max_sessions = 64, .sessions_retry_s = 30,
};

static uint64_t ev(enum wf_adm_event e)
{
	return wf_adm_counters.n[e];
}

/* How many POSTs from addr are admitted at time now before the first
 * refusal (at most max). */
static unsigned admitted(uint64_t addr, const struct wf_adm_limits *l, uint64_t now, unsigned max)
{
	unsigned n = 0, retry;

	while (n < max && wf_adm_post(&t, addr, l, now, &retry) == 0)
		n++;
	return n;
}

static void bucket_admits_a_burst_then_refuses_with_retry_after(void)
{
	uint64_t rate_before = ev(WF_ADM_RATE);
	unsigned retry = 0;

	WF_REQUIRE(wf_adm_init(&t, 64) == 0);
	WF_CHECK_EQ(admitted(A1, &lim, T0, 100), 20);
	WF_CHECK_EQ(wf_adm_post(&t, A1, &lim, T0, &retry), -EAGAIN);
	WF_CHECK_EQ(retry, 1);	/* a token is back in 100 ms: "1" second */
	WF_CHECK_EQ(ev(WF_ADM_RATE), rate_before + 2);
	/* another address has a bucket of its own */
	WF_CHECK_EQ(admitted(A2, &lim, T0, 100), 20);
	wf_adm_fini(&t);
}

static void bucket_refills_at_the_rate_and_never_past_the_burst(void)
{
	unsigned retry;

	WF_REQUIRE(wf_adm_init(&t, 64) == 0);
	WF_CHECK_EQ(admitted(A1, &lim, T0, 100), 20);
	/* 10 per second: one every 100 ms, none before */
	WF_CHECK_EQ(wf_adm_post(&t, A1, &lim, T0 + 99, &retry), -EAGAIN);
	WF_CHECK_EQ(admitted(A1, &lim, T0 + 100, 100), 1);
	WF_CHECK_EQ(admitted(A1, &lim, T0 + 1100, 100), 10);
	/* partial tokens are kept: 50 ms + 50 ms make one */
	WF_CHECK_EQ(admitted(A1, &lim, T0 + 1150, 100), 0);
	WF_CHECK_EQ(admitted(A1, &lim, T0 + 1200, 100), 1);
	/* an hour idle: a full bucket, no more (and no overflow) */
	WF_CHECK_EQ(admitted(A1, &lim, T0 + 3600000, 100), 20);
	WF_CHECK_EQ(admitted(A1, &lim, UINT64_MAX / 2, 100), 20);
	/* a clock that goes back earns nothing */
	WF_CHECK_EQ(admitted(A1, &lim, T0, 100), 0);
	wf_adm_fini(&t);
}

static void lowered_burst_applies_at_once(void)
{
	struct wf_adm_limits small = lim;

	WF_REQUIRE(wf_adm_init(&t, 64) == 0);
	WF_CHECK_EQ(admitted(A1, &lim, T0, 1), 1);	/* 19 left */
	small.burst = 3;
	WF_CHECK_EQ(admitted(A1, &small, T0, 100), 3);
	small.rate = 1000;	/* a token per ms */
	WF_CHECK_EQ(admitted(A1, &small, T0 + 2, 100), 2);
	small.rate = 0;
	WF_CHECK_EQ(admitted(A1, &small, T0 + 10, 100), 0);	/* -EINVAL, no division by 0 */
	wf_adm_fini(&t);
}

static void pending_cap_refuses_posts_until_a_session_goes_live(void)
{
	struct wf_adm_limits l = lim;
	uint64_t pend_before = ev(WF_ADM_PENDING);
	unsigned i, retry = 0;

	l.burst = 1000;
	WF_REQUIRE(wf_adm_init(&t, 64) == 0);
	for (i = 0; i < 16; i++) {
		WF_CHECK_EQ(wf_adm_post(&t, A1, &l, T0, &retry), 0);
		WF_CHECK_EQ(wf_adm_session_add(&t, A1, &l, T0), 0);
	}
	WF_CHECK_EQ(wf_adm_pending(&t, A1), 16);
	WF_CHECK_EQ(wf_adm_post(&t, A1, &l, T0, &retry), -EBUSY);
	WF_CHECK_EQ(retry, 10);
	/* the session layer's own check at creation */
	WF_CHECK_EQ(wf_adm_session_add(&t, A1, &l, T0), -EBUSY);
	WF_CHECK_EQ(wf_adm_pending(&t, A1), 16);
	WF_CHECK_EQ(ev(WF_ADM_PENDING), pend_before + 2);
	/* another address is not held back */
	WF_CHECK_EQ(wf_adm_post(&t, A2, &l, T0, &retry), 0);
	/* one goes live: room for one more */
	WF_CHECK_EQ(wf_adm_session_live(&t, A1), 0);
	WF_CHECK_EQ(wf_adm_post(&t, A1, &l, T0, &retry), 0);
	WF_CHECK_EQ(wf_adm_session_add(&t, A1, &l, T0), 0);
	/* a lowered cap applies to the next POST */
	l.max_pending = 4;
	WF_CHECK_EQ(wf_adm_post(&t, A1, &l, T0, &retry), -EBUSY);
	for (i = 0; i < 16; i++)
		WF_CHECK_EQ(wf_adm_session_live(&t, A1), 0);
	/* bookkeeping errors are reported, not wrapped around */
	WF_CHECK_EQ(wf_adm_session_live(&t, A1), -ENOENT);
	WF_CHECK_EQ(wf_adm_session_live(&t, 0x01020304u), -ENOENT);
	WF_CHECK_EQ(wf_adm_pending(&t, A1), 0);
	WF_CHECK_EQ(wf_adm_sessions(&t, A1), 17);
	wf_adm_fini(&t);
}

static void full_table_gives_up_the_least_recently_seen_idle_address(void)
{
	uint64_t evict_before = ev(WF_ADM_TABLE_EVICT);
	unsigned retry;
	uint32_t a;

	WF_REQUIRE(wf_adm_init(&t, 8) == 0);
	for (a = 1; a <= 8; a++)
		WF_CHECK_EQ(admitted(a, &lim, T0, 20), 20);	/* buckets empty */
	WF_CHECK_EQ(t.used, 8);
	/* address 1 is seen again (refused, but seen): 2 is now the oldest */
	WF_CHECK_EQ(wf_adm_post(&t, 1, &lim, T0, &retry), -EAGAIN);
	WF_CHECK_EQ(admitted(9, &lim, T0, 1), 1);
	WF_CHECK_EQ(ev(WF_ADM_TABLE_EVICT), evict_before + 1);
	WF_CHECK_EQ(t.used, 8);
	/* 1 kept its (empty) bucket; 2 lost its entry and starts full */
	WF_CHECK_EQ(admitted(1, &lim, T0, 20), 0);
	WF_CHECK_EQ(admitted(2, &lim, T0, 100), 20);
	wf_adm_fini(&t);
}

/* F2: sessions that went live no longer count as pending, but every one
 * of them counts against http.max_sessions_per_ip until it is freed. */
static void sessions_cap_counts_live_sessions_until_they_are_freed(void)
{
	struct wf_adm_limits l = lim;
	uint64_t sess_before = ev(WF_ADM_SESSIONS);
	unsigned i, retry = 0;

	l.burst = 1000;
	l.max_pending = 2;
	l.max_sessions = 5;
	WF_REQUIRE(wf_adm_init(&t, 64) == 0);
	for (i = 0; i < 5; i++) {	/* each completes its handshake */
		WF_CHECK_EQ(wf_adm_post(&t, A1, &l, T0, &retry), 0);
		WF_CHECK_EQ(wf_adm_session_add(&t, A1, &l, T0), 0);
		WF_CHECK_EQ(wf_adm_session_live(&t, A1), 0);
	}
	WF_CHECK_EQ(wf_adm_pending(&t, A1), 0);
	WF_CHECK_EQ(wf_adm_sessions(&t, A1), 5);
	WF_CHECK_EQ(t.pinned, 1);
	WF_CHECK_EQ(t.pending_addrs, 0);
	/* the POST on its headers, the session layer's two checks */
	WF_CHECK_EQ(wf_adm_post(&t, A1, &l, T0, &retry), -EDQUOT);
	WF_CHECK_EQ(retry, 30);
	WF_CHECK_EQ(wf_adm_room(&t, A1, &l), -EDQUOT);
	WF_CHECK_EQ(wf_adm_session_add(&t, A1, &l, T0), -EDQUOT);
	WF_CHECK_EQ(wf_adm_sessions(&t, A1), 5);
	WF_CHECK_EQ(ev(WF_ADM_SESSIONS), sess_before + 3);
	/* another address is not held back */
	WF_CHECK_EQ(wf_adm_post(&t, A2, &l, T0, &retry), 0);
	WF_CHECK_EQ(wf_adm_session_add(&t, A2, &l, T0), 0);
	WF_CHECK_EQ(t.pinned, 2);
	/* one is freed (DELETE, consent, reload...): room for one more */
	WF_CHECK_EQ(wf_adm_session_del(&t, A1, false), 0);
	WF_CHECK_EQ(wf_adm_post(&t, A1, &l, T0, &retry), 0);
	WF_CHECK_EQ(wf_adm_session_add(&t, A1, &l, T0), 0);
	WF_CHECK_EQ(wf_adm_sessions(&t, A1), 5);
	WF_CHECK_EQ(wf_adm_pending(&t, A1), 1);
	/* all freed: nothing held, the gauges back to 0 */
	WF_CHECK_EQ(wf_adm_session_del(&t, A1, true), 0);
	for (i = 0; i < 4; i++)
		WF_CHECK_EQ(wf_adm_session_del(&t, A1, false), 0);
	WF_CHECK_EQ(wf_adm_session_del(&t, A2, true), 0);
	WF_CHECK_EQ(t.pinned, 0);
	WF_CHECK_EQ(t.pending_addrs, 0);
	WF_CHECK_EQ(wf_adm_sessions(&t, A1), 0);
	wf_adm_fini(&t);
}

static void sessions_cap_zero_is_off_and_a_lowered_cap_applies_at_once(void)
{
	struct wf_adm_limits l = lim;
	unsigned i, retry;

	l.burst = 1000;
	l.max_sessions = 0;
	WF_REQUIRE(wf_adm_init(&t, 64) == 0);
	for (i = 0; i < 200; i++) {
		WF_CHECK_EQ(wf_adm_session_add(&t, A1, &l, T0), 0);
		WF_CHECK_EQ(wf_adm_session_live(&t, A1), 0);
	}
	WF_CHECK_EQ(wf_adm_post(&t, A1, &l, T0, &retry), 0);
	/* a reload lowers it under what the address holds: nothing ends,
	 * nothing new until it is under the cap */
	l.max_sessions = 100;
	WF_CHECK_EQ(wf_adm_post(&t, A1, &l, T0, &retry), -EDQUOT);
	for (i = 0; i < 101; i++)
		WF_CHECK_EQ(wf_adm_session_del(&t, A1, false), 0);
	WF_CHECK_EQ(wf_adm_post(&t, A1, &l, T0, &retry), 0);
	/* at both caps, the sessions cap is the reason given */
	l.max_sessions = 99;
	l.max_pending = 0;
	WF_CHECK_EQ(wf_adm_room(&t, A1, &l), -EDQUOT);
	l.max_sessions = 100;
	WF_CHECK_EQ(wf_adm_room(&t, A1, &l), -EBUSY);
	wf_adm_fini(&t);
}

/* A caller's mistakes are refused and change nothing. */
static void freeing_a_session_keeps_the_counts_exact(void)
{
	WF_REQUIRE(wf_adm_init(&t, 8) == 0);
	WF_CHECK_EQ(wf_adm_session_add(&t, A1, &lim, T0), 0);
	/* a pending session cannot be freed as a live one */
	WF_CHECK_EQ(wf_adm_session_del(&t, A1, false), -ENOENT);
	WF_CHECK_EQ(wf_adm_sessions(&t, A1), 1);
	WF_CHECK_EQ(wf_adm_session_live(&t, A1), 0);
	/* nor a live one as pending */
	WF_CHECK_EQ(wf_adm_session_del(&t, A1, true), -ENOENT);
	WF_CHECK_EQ(wf_adm_session_del(&t, A1, false), 0);
	WF_CHECK_EQ(wf_adm_session_del(&t, A1, false), -ENOENT);
	WF_CHECK_EQ(wf_adm_session_del(&t, A2, false), -ENOENT);
	WF_CHECK_EQ(t.pinned, 0);
	/* an address without sessions is an ordinary entry again */
	WF_CHECK_EQ(t.used, 1);
	wf_adm_fini(&t);
}

/* Client keys above 32 bits (IPv6 /64s, xff.h) are entries of their own,
 * also when their low half equals an IPv4 address. */
static void ipv6_keys_are_addresses_of_their_own(void)
{
	const uint64_t v6 = 0x20010db800010002ull, v6_low = 0x20010db800000000ull | A1;
	struct wf_adm_limits l = lim;
	unsigned retry;

	l.max_sessions = 1;
	WF_REQUIRE(wf_adm_init(&t, 64) == 0);
	WF_CHECK_EQ(wf_adm_session_add(&t, v6, &l, T0), 0);
	WF_CHECK_EQ(wf_adm_post(&t, v6, &l, T0, &retry), -EDQUOT);
	WF_CHECK_EQ(wf_adm_post(&t, v6_low, &l, T0, &retry), 0);
	WF_CHECK_EQ(wf_adm_post(&t, A1, &l, T0, &retry), 0);
	WF_CHECK_EQ(wf_adm_session_add(&t, A1, &l, T0), 0);
	WF_CHECK_EQ(wf_adm_sessions(&t, v6), 1);
	WF_CHECK_EQ(wf_adm_sessions(&t, v6_low), 0);
	WF_CHECK_EQ(wf_adm_sessions(&t, A1), 1);
	WF_CHECK_EQ(wf_adm_session_del(&t, v6, true), 0);
	WF_CHECK_EQ(wf_adm_sessions(&t, A1), 1);
	wf_adm_fini(&t);
}

static void addresses_with_sessions_are_never_given_up(void)
{
	uint64_t full_before = ev(WF_ADM_TABLE_FULL);
	unsigned retry;
	uint32_t a;

	WF_REQUIRE(wf_adm_init(&t, 8) == 0);
	for (a = 1; a <= 8; a++)
		WF_CHECK_EQ(wf_adm_session_add(&t, a, &lim, T0), 0);
	WF_CHECK_EQ(t.pinned, 8);
	WF_CHECK_EQ(t.pending_addrs, 8);
	/* live sessions pin their entry too: their count must outlive them */
	for (a = 1; a <= 4; a++)
		WF_CHECK_EQ(wf_adm_session_live(&t, a), 0);
	WF_CHECK_EQ(t.pinned, 8);
	WF_CHECK_EQ(t.pending_addrs, 4);
	/* no entry can be reused: refused, counted, nothing lost */
	WF_CHECK_EQ(wf_adm_post(&t, 9, &lim, T0, &retry), -ENOSPC);
	WF_CHECK_EQ(wf_adm_session_add(&t, 9, &lim, T0), -ENOSPC);
	WF_CHECK_EQ(ev(WF_ADM_TABLE_FULL), full_before + 2);
	for (a = 1; a <= 8; a++)
		WF_CHECK_EQ(wf_adm_sessions(&t, a), 1);
	/* 3's live session ends: its entry is the only one that can be reused */
	WF_CHECK_EQ(wf_adm_session_del(&t, 3, false), 0);
	WF_CHECK_EQ(t.pinned, 7);
	WF_CHECK_EQ(wf_adm_post(&t, 9, &lim, T0, &retry), 0);
	WF_CHECK_EQ(wf_adm_session_add(&t, 9, &lim, T0), 0);
	for (a = 1; a <= 8; a++)
		WF_CHECK_EQ(wf_adm_sessions(&t, a), a == 3 ? 0 : 1);
	WF_CHECK_EQ(wf_adm_session_del(&t, 3, false), -ENOENT);
	wf_adm_fini(&t);
}

/* 200,000 addresses through a table of 64: it never grows, every
 * address with pending sessions keeps its count, the rest keep coming and
 * going. */
static void address_flood_stays_bounded_and_keeps_pending_counts(void)
{
	const uint32_t pinned[] = { 0x0a000001u, 0x0a000002u, 0xc0a80001u, 0x7f000002u };
	unsigned i, retry, refused = 0;
	uint32_t a;

	WF_REQUIRE(wf_adm_init(&t, 64) == 0);
	for (i = 0; i < 4; i++) {
		WF_CHECK_EQ(wf_adm_session_add(&t, pinned[i], &lim, T0), 0);
		WF_CHECK_EQ(wf_adm_session_add(&t, pinned[i], &lim, T0), 0);
		WF_CHECK_EQ(wf_adm_session_live(&t, pinned[i]), 0);
	}
	for (a = 0; a < 200000; a++)
		if (wf_adm_post(&t, 0x64000000u + a * 2654435761u, &lim, T0 + a, &retry) != 0)
			refused++;
	WF_CHECK_EQ(refused, 0);
	WF_CHECK_EQ(t.used, 64);
	WF_CHECK_EQ(t.pinned, 4);
	for (i = 0; i < 4; i++) {
		WF_CHECK_EQ(wf_adm_pending(&t, pinned[i]), 1);
		WF_CHECK_EQ(wf_adm_sessions(&t, pinned[i]), 2);
	}
	wf_adm_fini(&t);
}

static void finished_or_unset_table_refuses_and_forgets_nothing(void)
{
	struct wf_adm zero = { 0 };
	unsigned retry = 0;

	WF_CHECK_EQ(wf_adm_init(&t, 0), -EINVAL);
	WF_CHECK_EQ(wf_adm_init(NULL, 8), -EINVAL);
	WF_CHECK_EQ(wf_adm_post(&zero, A1, &lim, T0, &retry), -ENOSPC);
	WF_CHECK_EQ(retry, 1);
	WF_CHECK_EQ(wf_adm_session_add(&zero, A1, &lim, T0), -ENOSPC);
	WF_CHECK_EQ(wf_adm_session_live(&zero, A1), -ENOENT);
	WF_CHECK_EQ(wf_adm_session_del(&zero, A1, true), -ENOENT);
	WF_CHECK_EQ(wf_adm_pending(&zero, A1), 0);
	WF_CHECK_EQ(wf_adm_sessions(&zero, A1), 0);
	WF_CHECK_EQ(wf_adm_room(&zero, A1, &lim), 0);
	WF_REQUIRE(wf_adm_init(&t, 4) == 0);
	WF_CHECK_EQ(wf_adm_session_add(&t, A1, &lim, T0), 0);
	wf_adm_fini(&t);
	wf_adm_fini(&t);	/* twice is harmless */
	WF_CHECK_EQ(wf_adm_session_live(&t, A1), -ENOENT);
	WF_CHECK_EQ(wf_adm_session_del(&t, A1, true), -ENOENT);
	WF_CHECK_EQ(wf_adm_post(&t, A1, &lim, T0, &retry), -ENOSPC);
}

static void event_names_come_from_one_list(void)
{
	WF_CHECK(!strcmp(wf_adm_event_name(WF_ADM_RATE), "post_rate"));
	WF_CHECK(!strcmp(wf_adm_event_name(WF_ADM_DEADLINE), "request_deadline"));
	WF_CHECK(!strcmp(wf_adm_event_name(WF_ADM_TABLE_EVICT), "table_evictions"));
	WF_CHECK(!strcmp(wf_adm_event_name(WF_ADM_SESSIONS), "sessions"));
	WF_CHECK(!strcmp(wf_adm_event_name(WF_ADM_XFF_BAD), "xff_malformed"));
	WF_CHECK(!strcmp(wf_adm_event_name(WF_ADM_EVENT_COUNT), "unknown"));
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(bucket_admits_a_burst_then_refuses_with_retry_after);
	WF_RUN(bucket_refills_at_the_rate_and_never_past_the_burst);
	WF_RUN(lowered_burst_applies_at_once);
	WF_RUN(pending_cap_refuses_posts_until_a_session_goes_live);
	WF_RUN(full_table_gives_up_the_least_recently_seen_idle_address);
	WF_RUN(sessions_cap_counts_live_sessions_until_they_are_freed);
	WF_RUN(sessions_cap_zero_is_off_and_a_lowered_cap_applies_at_once);
	WF_RUN(freeing_a_session_keeps_the_counts_exact);
	WF_RUN(ipv6_keys_are_addresses_of_their_own);
	WF_RUN(addresses_with_sessions_are_never_given_up);
	WF_RUN(address_flood_stays_bounded_and_keeps_pending_counts);
	WF_RUN(finished_or_unset_table_refuses_and_forgets_nothing);
	WF_RUN(event_names_come_from_one_list);
	return wf_test_done();
}
