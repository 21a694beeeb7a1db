/* test_budget.c: a viewer's resend budget, the repeat table, the FCI cap
 * and the stream's replay rate (app/core/budget.h), with a made-up clock. */
#include "wf_test.h"

#include "core/budget.h"

#define HZ	1000000000ull	/* a TSC of 1 GHz: one cycle a nanosecond */
#define SEC	HZ
#define MS	(HZ / 1000)

static struct wf_retx_seen seen[WF_RETX_SEEN_SLOTS];

static void a_new_bucket_is_full_with_one_second_of_its_rate(void)
{
	struct wf_retx_bucket b = { 0 };

	WF_CHECK(!wf_retx_bucket_open(&b));
	wf_retx_bucket_refill(&b, 30000, 10 * SEC, HZ);
	WF_CHECK_EQ(b.tokens, 30000);
	WF_CHECK(wf_retx_bucket_open(&b));
	/* a long silence earns no more than one second */
	wf_retx_bucket_refill(&b, 30000, 100 * SEC, HZ);
	WF_CHECK_EQ(b.tokens, 30000);
}

static void the_rate_is_a_share_of_the_stream(void)
{
	WF_CHECK_EQ(wf_retx_rate(100000, 30), 30000);
	WF_CHECK_EQ(wf_retx_rate(100000, 100), 100000);
	WF_CHECK_EQ(wf_retx_rate(0, 30), 0);
	WF_CHECK_EQ(wf_retx_rate(1ull << 40, 100), INT32_MAX);
}

/* A silent window publishes 0: a stream that sends nothing has nothing
 * resent, however long the silence (attacker review of the soak's fix,
 * which kept the rate through a silence: a source that sent one second
 * and stopped left every viewer 30 % of that second to draw, every second,
 * for as long as it stayed silent).  The rate before a pause comes back
 * only when the source resumes within the history's window. */
static void a_silent_window_gives_nothing_and_a_prompt_resume_gets_the_rate_back(void)
{
	WF_CHECK_EQ(wf_retx_window_rate(0, 12000, 20, SEC, HZ), 12000);
	WF_CHECK_EQ(wf_retx_window_rate(12000, 6000, 10, SEC / 2, HZ), 12000);
	WF_CHECK_EQ(wf_retx_window_rate(12000, 3000, 5, SEC, HZ), 3000);	/* slower: believed */
	WF_CHECK_EQ(wf_retx_window_rate(12000, 0, 0, SEC, HZ), 0);	/* silent: nothing */
	WF_CHECK_EQ(wf_retx_window_rate(12000, 0, 0, 3 * SEC, HZ), 0);
	WF_CHECK_EQ(wf_retx_window_rate(12000, 1000, 1, 0, HZ), 12000);	/* no time: kept */
	WF_CHECK_EQ(wf_retx_window_rate(0, 1ull << 40, 1, SEC, HZ), UINT32_MAX);
	WF_CHECK_EQ(wf_retx_resume_rate(12000, 2 * SEC, 3 * SEC), 12000);	/* within history_ms */
	WF_CHECK_EQ(wf_retx_resume_rate(12000, 3 * SEC, 3 * SEC), 12000);
	WF_CHECK_EQ(wf_retx_resume_rate(12000, 3 * SEC + 1, 3 * SEC), 0);	/* the packets are gone */
	WF_CHECK_EQ(wf_retx_resume_rate(0, 0, 3 * SEC), 0);
}

/* A pause (rate 0) earns nothing and takes nothing: a loss the viewer sees
 * at the pause's start is repaired from what it had; a debt stays a debt.
 * Without this the bucket was cut to 0 at the first refill of the pause. */
static void a_pause_keeps_the_balance_and_earns_nothing(void)
{
	struct wf_retx_bucket b = { 0 };
	uint64_t t = 10 * SEC;

	wf_retx_bucket_refill(&b, 30000, t, HZ);
	wf_retx_bucket_charge(&b, 10000);
	wf_retx_bucket_refill(&b, 0, t + 2 * SEC, HZ);
	WF_CHECK_EQ(b.tokens, 20000);
	WF_CHECK(wf_retx_bucket_open(&b));
	wf_retx_bucket_refill(&b, 0, t + 600 * SEC, HZ);	/* however long */
	WF_CHECK_EQ(b.tokens, 20000);
	/* the source resumes: earned from then on, one second at most */
	wf_retx_bucket_refill(&b, 30000, t + 600 * SEC + SEC / 2, HZ);
	WF_CHECK_EQ(b.tokens, 30000);
	/* a debt is not forgiven by a pause */
	wf_retx_bucket_charge(&b, 50000);
	wf_retx_bucket_refill(&b, 0, t + 700 * SEC, HZ);
	WF_CHECK_EQ(b.tokens, -20000);
	/* a new bucket during a pause starts empty */
	b = (struct wf_retx_bucket){ 0 };
	wf_retx_bucket_refill(&b, 0, t, HZ);
	WF_CHECK(!wf_retx_bucket_open(&b));
}

/* Granted while positive; a grant may take it into debt, and nothing more
 * is granted until refill has paid the debt. */
static void a_debt_is_repaid_before_the_next_grant(void)
{
	struct wf_retx_bucket b = { 0 };
	uint64_t t = 10 * SEC;

	wf_retx_bucket_refill(&b, 30000, t, HZ);
	wf_retx_bucket_charge(&b, 80000);	/* a replay: 80 kB */
	WF_CHECK_EQ(b.tokens, -50000);
	WF_CHECK(!wf_retx_bucket_open(&b));
	wf_retx_bucket_refill(&b, 30000, t + SEC, HZ);
	WF_CHECK_EQ(b.tokens, -20000);
	WF_CHECK(!wf_retx_bucket_open(&b));
	wf_retx_bucket_refill(&b, 30000, t + 2 * SEC, HZ);
	WF_CHECK_EQ(b.tokens, 10000);
	WF_CHECK(wf_retx_bucket_open(&b));
	/* a refund of an estimate, and the floor */
	wf_retx_bucket_charge(&b, -500);
	WF_CHECK_EQ(b.tokens, 10500);
	wf_retx_bucket_charge(&b, 1ll << 40);
	WF_CHECK_EQ(b.tokens, -WF_RETX_DEBT_MAX);
	/* a time from before the last refill changes nothing */
	b.tokens = 5;
	wf_retx_bucket_refill(&b, 30000, t, HZ);
	WF_CHECK_EQ(b.tokens, 5);
}

/* What a viewer asking all the time gets over 10 s: its share for the
 * time, plus one second of it, plus at most one request. */
static void a_flood_gets_its_share_plus_one_second(void)
{
	struct wf_retx_bucket b = { 0 };
	uint64_t t = 10 * SEC, sent = 0;
	unsigned i;

	for (i = 0; i < 10000; i++, t += MS) {
		wf_retx_bucket_refill(&b, 30000, t, HZ);
		while (wf_retx_bucket_open(&b)) {
			wf_retx_bucket_charge(&b, 1200);
			sent += 1200;
		}
	}
	WF_CHECKF(sent >= 30000 * 10 && sent <= 30000 * 11 + 1200, "%llu bytes",
		  (unsigned long long)sent);
}

static void the_repeat_window_is_the_rtt_or_100_ms_at_most_1_s(void)
{
	WF_CHECK_EQ(wf_retx_window(0, HZ), 100 * MS);
	WF_CHECK_EQ(wf_retx_window(35000, HZ), 35 * MS);
	WF_CHECK_EQ(wf_retx_window(5000000, HZ), SEC);
	WF_CHECK_EQ(wf_retx_window(1, 3000000000ull), 3000);	/* a 3 GHz TSC */
}

/* RFC 4585 §6.2.1 says nothing of repeats; we resend a packet to a viewer
 * at most once per its RTT. */
static void a_resend_is_remembered_for_one_rtt_per_viewer_and_track(void)
{
	uint64_t t = 10 * SEC, w = 100 * MS;

	memset(seen, 0, sizeof(seen));
	WF_CHECK(!wf_retx_seen_recent(seen, 7 << 1, 1000, t, w));
	wf_retx_seen_mark(seen, 7 << 1, 1000, t);
	WF_CHECK(wf_retx_seen_recent(seen, 7 << 1, 1000, t + 99 * MS, w));
	WF_CHECK(!wf_retx_seen_recent(seen, 7 << 1, 1000, t + 100 * MS, w));
	/* another packet, track or viewer is not it */
	WF_CHECK(!wf_retx_seen_recent(seen, 7 << 1, 1001, t + MS, w));
	WF_CHECK(!wf_retx_seen_recent(seen, 7 << 1 | 1, 1000, t + MS, w));
	WF_CHECK(!wf_retx_seen_recent(seen, 8 << 1, 1000, t + MS, w));
	/* remembered again: the window starts over */
	wf_retx_seen_mark(seen, 7 << 1, 1000, t + 150 * MS);
	WF_CHECK(wf_retx_seen_recent(seen, 7 << 1, 1000, t + 200 * MS, w));
}

/* A collision forgets the older resend: it may be resent again, never is
 * an innocent resend refused. */
static void a_collision_only_ever_lets_a_resend_through(void)
{
	uint64_t t = 10 * SEC, w = SEC;
	unsigned ext, remembered = 0, wrong = 0;

	memset(seen, 0, sizeof(seen));
	for (ext = 0; ext < 3 * WF_RETX_SEEN_SLOTS; ext++)
		wf_retx_seen_mark(seen, 3 << 1, ext, t);
	for (ext = 0; ext < 3 * WF_RETX_SEEN_SLOTS; ext++) {
		remembered += wf_retx_seen_recent(seen, 3 << 1, ext, t, w);
		wrong += wf_retx_seen_recent(seen, 5 << 1, ext, t, w);
	}
	WF_CHECK(remembered > 0 && remembered <= WF_RETX_SEEN_SLOTS);
	WF_CHECK_EQ(wrong, 0);
	/* the table keeps the most recent resends of a burst the size of a
	 * compound's cap */
	memset(seen, 0, sizeof(seen));
	remembered = 0;
	for (ext = 0; ext < WF_NACK_SEQS_MAX; ext++)
		wf_retx_seen_mark(seen, 3 << 1, 5000 + ext, t);
	for (ext = 0; ext < WF_NACK_SEQS_MAX; ext++)
		remembered += wf_retx_seen_recent(seen, 3 << 1, 5000 + ext, t + MS, w);
	WF_CHECKF(remembered >= WF_NACK_SEQS_MAX * 9 / 10, "%u of %u remembered", remembered,
		  (unsigned)WF_NACK_SEQS_MAX);
}

/* A generic NACK of n FCIs (PID i * 100, BLP bits blp) at fci. */
static struct wf_rtcp_fb nack(uint8_t *fci, unsigned n, uint16_t blp)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		wf_rtp_wr16(fci + 4 * i, (uint16_t)(i * 100));
		wf_rtp_wr16(fci + 4 * i + 2, blp);
	}
	return (struct wf_rtcp_fb){ .fci = fci, .fci_len = 4 * n };
}

/* The FCI cap holds across the NACK messages of one compound; the
 * sequence numbers of the FCIs past it are counted, not served. */
static void fcis_past_the_compounds_cap_are_counted_not_served(void)
{
	static uint8_t fci[4 * 64];
	uint16_t seqs[WF_NACK_SEQS_MAX + 1];
	struct wf_rtcp_fb fb;
	unsigned left = WF_NACK_MAX_FCI, n, i;
	uint64_t refused = 0;

	/* first message: 20 FCIs of 17 */
	fb = nack(fci, 20, 0xffff);
	seqs[WF_NACK_SEQS_MAX] = 0x5a5a;
	n = wf_nack_expand(&fb, &left, seqs, &refused);
	WF_CHECK_EQ(n, 20 * 17);
	WF_CHECK_EQ(left, WF_NACK_MAX_FCI - 20);
	WF_CHECK_EQ(refused, 0);
	WF_CHECK_EQ(seqs[0], 0);
	WF_CHECK_EQ(seqs[16], 16);
	WF_CHECK_EQ(seqs[17], 100);
	/* second message: 20 FCIs of 2; 12 fit */
	fb = nack(fci, 20, 0x0001);
	n = wf_nack_expand(&fb, &left, seqs, &refused);
	WF_CHECK_EQ(n, 12 * 2);
	WF_CHECK_EQ(left, 0);
	WF_CHECK_EQ(refused, 8 * 2);
	/* a third: nothing */
	fb = nack(fci, 1, 0);
	WF_CHECK_EQ(wf_nack_expand(&fb, &left, seqs, &refused), 0);
	WF_CHECK_EQ(refused, 8 * 2 + 1);
	/* the most a compound can make us write fits the buffer */
	left = WF_NACK_MAX_FCI;
	fb = nack(fci, 64, 0xffff);
	n = wf_nack_expand(&fb, &left, seqs, &refused);
	WF_CHECK_EQ(n, WF_NACK_SEQS_MAX);
	WF_CHECK_EQ(seqs[WF_NACK_SEQS_MAX], 0x5a5a);
	for (i = 0; i < n; i++)
		WF_CHECK_EQ(seqs[i], (uint16_t)(i / 17 * 100 + i % 17));
}

static void a_streams_replays_are_limited_per_second_with_a_burst(void)
{
	uint64_t tat = 0, t = 10 * SEC;
	unsigned i, ok = 0;

	/* 20 a second: a burst of 20 at once, then one every 50 ms */
	for (i = 0; i < 100; i++)
		ok += wf_replay_rate_admit(&tat, 20, t, HZ);
	WF_CHECK_EQ(ok, 20);
	ok = 0;
	for (i = 1; i <= 1000; i++)
		ok += wf_replay_rate_admit(&tat, 20, t + i * MS, HZ);
	WF_CHECKF(ok == 20, "%u in the second after the burst", ok);
	/* a rate of 1: one, then one a second */
	tat = 0;
	WF_CHECK(wf_replay_rate_admit(&tat, 1, t, HZ));
	WF_CHECK(!wf_replay_rate_admit(&tat, 1, t + 999 * MS, HZ));
	WF_CHECK(wf_replay_rate_admit(&tat, 1, t + SEC, HZ));
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(a_new_bucket_is_full_with_one_second_of_its_rate);
	WF_RUN(the_rate_is_a_share_of_the_stream);
	WF_RUN(a_pause_keeps_the_balance_and_earns_nothing);
	WF_RUN(a_debt_is_repaid_before_the_next_grant);
	WF_RUN(a_flood_gets_its_share_plus_one_second);
	WF_RUN(the_repeat_window_is_the_rtt_or_100_ms_at_most_1_s);
	WF_RUN(a_resend_is_remembered_for_one_rtt_per_viewer_and_track);
	WF_RUN(a_silent_window_gives_nothing_and_a_prompt_resume_gets_the_rate_back);
	WF_RUN(a_collision_only_ever_lets_a_resend_through);
	WF_RUN(fcis_past_the_compounds_cap_are_counted_not_served);
	WF_RUN(a_streams_replays_are_limited_per_second_with_a_burst);
	return wf_test_done();
}
