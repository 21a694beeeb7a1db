/* test_police.c: the punt buckets (app/core/police.c) with a made-up clock. */
#include "wf_test.h"

#include "core/police.h"
#include "fast/classify.h"
#include "stun/stun.h"

#define HZ	1000000000ull	/* a TSC of 1 GHz: one cycle a nanosecond */
#define SEC	HZ

static struct wf_police p;

/* How many of n packets of class c from key at time now get through. */
static unsigned admitted(enum wf_punt_class c, uint64_t key, uint64_t now, unsigned n)
{
	unsigned i, ok = 0;

	for (i = 0; i < n; i++)
		ok += wf_police_admit(&p, c, key, now);
	return ok;
}

static void a_source_gets_its_burst_then_its_rate(void)
{
	uint64_t t = 10 * SEC;
	unsigned i, ok = 0;

	wf_police_init(&p, HZ);
	/* ICMP: 10 a second, burst 10 */
	WF_CHECK_EQ(admitted(WF_PUNT_ICMP, 0xc6120002, t, 50), 10);
	/* a second later, 10 more; at the rate, every one */
	WF_CHECK_EQ(admitted(WF_PUNT_ICMP, 0xc6120002, t + SEC, 50), 10);
	for (i = 0; i < 100; i++)
		ok += wf_police_admit(&p, WF_PUNT_ICMP, 0xc6120002, t + 2 * SEC + i * (SEC / 10));
	WF_CHECK_EQ(ok, 100);
}

static void one_sources_flood_leaves_another_sources_checks_alone(void)
{
	uint64_t t = 10 * SEC, step = SEC / 1000;
	unsigned i, flood = 0, good = 0;

	wf_police_init(&p, HZ);
	/* viewers' 5-tuples: one floods at 100,000/s
	 * for a second, another sends its consent check every 100 ms */
	for (i = 0; i < 1000; i++) {
		flood += admitted(WF_PUNT_PEER, 0xc61200021f90ull, t + i * step, 100);
		if (i % 100 == 0)
			good += wf_police_admit(&p, WF_PUNT_PEER, 0xc61200021f91ull, t + i * step);
	}
	WF_CHECK_EQ(good, 10);
	WF_CHECKF(flood <= 100 + 64, "flood let through %u", flood);
}

static void the_class_bucket_caps_many_sources(void)
{
	uint64_t t = 10 * SEC;
	unsigned src, ok = 0;

	wf_police_init(&p, HZ);
	/* 5,000 new addresses, 10 packets each in one instant: the class
	 * lets its burst (2,000) through */
	for (src = 0; src < 5000; src++)
		ok += admitted(WF_PUNT_NEW, 0x0a000000u + src, t, 10);
	WF_CHECK_EQ(ok, 2000);
}

static void a_refused_packet_charges_nothing(void)
{
	uint64_t t = 10 * SEC;

	wf_police_init(&p, HZ);
	/* empty the ARP class bucket (burst 200) with 20 sources of 10 */
	for (unsigned s = 0; s < 20; s++)
		WF_CHECK_EQ(admitted(WF_PUNT_ARP, 0xc6120100u + s, t, 10), 10);
	/* a fresh source is refused by the class bucket: its own bucket
	 * stays full, so when the class refills it gets its whole burst */
	WF_CHECK_EQ(admitted(WF_PUNT_ARP, 0xc6120200u, t, 5), 0);
	WF_CHECK_EQ(admitted(WF_PUNT_ARP, 0xc6120200u, t + SEC, 30), 20);
}

/* A key on the same slot as a (another than a). */
static uint64_t slot_mate(uint64_t a)
{
	uint64_t b;

	for (b = a + 1;; b++)
		if (wf_police_slot_of(&p, a) == wf_police_slot_of(&p, b))
			return b;
}

/* Two sources of one client that fall on one slot and alternate at a
 * high rate get one source's rate between them, not a fresh bucket at
 * every packet (attacker review: 22,000/s through a 100/s bucket). */
static void sources_alternating_on_one_slot_share_its_bucket(void)
{
	uint64_t t = 10 * SEC, a = 0xc61200029c40ull, b;
	unsigned i, ok = 0;

	wf_police_init(&p, HZ);
	b = slot_mate(a);
	for (i = 0; i < 100000; i++)	/* 100,000/s for a second */
		ok += wf_police_admit(&p, WF_PUNT_PEER, i % 2 ? b : a, t + i * (SEC / 100000));
	WF_CHECKF(ok <= 100 + 64, "two sources on one slot let through %u", ok);
	/* the slots are keyed by a random seed: another worker's differ */
	{
		static struct wf_police q;
		unsigned same = 0;

		wf_police_init(&q, HZ);
		for (i = 0; i < 64; i++)
			same += wf_police_slot_of(&q, a + i) == wf_police_slot_of(&p, a + i);
		WF_CHECK(same < 32);
	}
}

/* A slot whose source has been quiet (its bucket full again) is another
 * source's at once, with a full bucket. */
static void a_quiet_sources_slot_is_taken_fresh(void)
{
	uint64_t t = 10 * SEC, a = 1, b;

	wf_police_init(&p, HZ);
	b = slot_mate(a);
	WF_CHECK_EQ(admitted(WF_PUNT_PEER, a, t, 10), 10);
	WF_CHECK_EQ(admitted(WF_PUNT_PEER, b, t + SEC, 64), 64);
}

#define SRV_UFRAG	"Srv0ufrg"	/* whepfan's ufrag of the viewer's session */
#define VIEWER_ADDR	0xc6120002u	/* 198.18.0.2 */
#define VIEWER_PORT	40000u

/* A browser's check to whepfan naming server ufrag su, into out. */
static int check_naming(const char *su, uint8_t *out, size_t cap)
{
	static const uint8_t txid[WF_STUN_TXID_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	struct wf_stun_request_params rp = {
		.txid = txid, .remote_ufrag = su, .local_ufrag = "brws",
		.remote_pwd = "serverpassword0123456789", .priority = 1,
		.tie_breaker = 7, .controlling = true,
	};

	return wf_stun_build_binding_request(out, cap, &rp);
}

static void the_peer_class_has_a_bound_on_each_worker(void)
{
	uint64_t t = 10 * SEC;
	unsigned src, ok = 0, over_class = 0;

	wf_police_init(&p, HZ);
	/* 5,000 viewers' 5-tuples, 10 checks each in one instant: the class
	 * lets its burst (2,000) through, and says which bucket refused */
	for (src = 0; src < 5000; src++) {
		unsigned i;

		for (i = 0; i < 10; i++) {
			enum wf_police_verdict v = wf_police_check(&p, WF_PUNT_PEER,
				(uint64_t)(0xc6130000u + src) << 16 | 5000, t);

			ok += v == WF_POLICE_PASS;
			over_class += v == WF_POLICE_OVER_CLASS;
		}
	}
	WF_CHECK_EQ(ok, 2000);
	WF_CHECK_EQ(over_class, 48000);
	/* one source past its own burst is refused by its own bucket */
	wf_police_init(&p, HZ);
	WF_CHECK_EQ(admitted(WF_PUNT_PEER, 42, t, 64), 64);
	WF_CHECK_EQ(wf_police_check(&p, WF_PUNT_PEER, 42, t), WF_POLICE_OVER_SOURCE);
	/* at the class rate, 20,000 a second go on */
	wf_police_init(&p, HZ);
	for (src = 0, ok = 0; src < 40000; src++)
		ok += wf_police_admit(&p, WF_PUNT_PEER, 1000 + src % 5000, t + src * (SEC / 20000));
	WF_CHECKF(ok >= 39990, "%u of 40000 at 20,000/s", ok);
}

static void only_a_check_naming_the_viewers_session_is_peer(void)
{
	uint8_t b[512], junk[64];
	void *val = wf_peer_value(1, 5, 3, wf_peer_tag(SRV_UFRAG, strlen(SRV_UFRAG)));
	void *output = wf_peer_value(1, 6, 3, WF_PEER_NO_TAG);
	int n = check_naming(SRV_UFRAG, b, sizeof(b)), m, k;

	WF_REQUIRE(n > 0);
	WF_CHECK_EQ(wf_classify_punt_class(b, (unsigned)n, true, val), WF_PUNT_PEER);
	/* not a viewer's 5-tuple; a static output's receiver (no ICE) */
	WF_CHECK_EQ(wf_classify_punt_class(b, (unsigned)n, false, NULL), WF_PUNT_NEW);
	WF_CHECK_EQ(wf_classify_punt_class(b, (unsigned)n, true, output), WF_PUNT_NEW);
	/* every truncation of the check */
	for (k = 0; k < n; k++)
		WF_CHECKF(wf_classify_punt_class(b, (unsigned)k, true, val) == WF_PUNT_NEW,
			  "truncated to %d", k);
	/* another session's ufrag, or one off by a letter */
	m = check_naming("Srv0ufrh", b, sizeof(b));
	WF_CHECK_EQ(wf_classify_punt_class(b, (unsigned)m, true, val), WF_PUNT_NEW);
	m = check_naming("Srv0ufr", b, sizeof(b));
	WF_CHECK_EQ(wf_classify_punt_class(b, (unsigned)m, true, val), WF_PUNT_NEW);
	/* the right ufrag in a message that is not a Binding request */
	m = check_naming(SRV_UFRAG, b, sizeof(b));
	b[1] = 0x11;	/* indication */
	WF_CHECK_EQ(wf_classify_punt_class(b, (unsigned)m, true, val), WF_PUNT_NEW);
	/* DTLS from the viewer's 5-tuple (after the handshake: alerts and
	 * retransmitted flights) is not a consent check */
	memset(junk, 0xab, sizeof(junk));
	junk[0] = 22;
	junk[1] = 0xfe;
	junk[2] = 0xfd;
	WF_CHECK_EQ(wf_classify_punt_class(junk, sizeof(junk), true, val), WF_PUNT_NEW);
	junk[0] = 0;
	WF_CHECK_EQ(wf_classify_punt_class(junk, sizeof(junk), true, val), WF_PUNT_NEW);
	WF_CHECK_EQ(wf_classify_punt_class(junk, 0, true, val), WF_PUNT_NEW);
}

/* F3: a spoofer sends 8,000 junk datagrams a second from a viewer's own
 * 5-tuple (STUN naming random ufrags, DTLS-looking bytes) for 10 s while
 * the viewer sends its consent check once a second.  Classified and
 * policed as a worker does, every check gets through; with everything
 * from the 5-tuple in the viewer's room (as before the ufrag tag), the
 * flood takes its bucket and nearly every check is lost. */
static void spoofed_junk_from_a_viewers_5tuple_leaves_its_checks_alone(void)
{
	uint8_t good[512], junk[512];
	void *val = wf_peer_value(0, 9, 2, wf_peer_tag(SRV_UFRAG, strlen(SRV_UFRAG)));
	uint64_t t0 = 10 * SEC, step = SEC / 8000, peer_key = (uint64_t)VIEWER_ADDR << 16 | VIEWER_PORT;
	int n = check_naming(SRV_UFRAG, good, sizeof(good)), jn = 0;
	unsigned i, checks = 0, junk_in = 0, junk_peer = 0, old_checks = 0;
	uint32_t r = 99;

	WF_REQUIRE(n > 0);
	wf_police_init(&p, HZ);
	for (i = 0; i < 80000; i++) {
		uint64_t now = t0 + i * step;
		char u[9];
		enum wf_punt_class c;

		r = r * 1103515245u + 12345u;
		if (i % 2) {
			snprintf(u, sizeof(u), "%08x", r);
			jn = check_naming(u, junk, sizeof(junk));
		} else {
			memset(junk, (int)(r >> 16), 100);
			junk[0] = (uint8_t)(20 + (r >> 8) % 44);
			jn = 100;
		}
		c = wf_classify_punt_class(junk, (unsigned)jn, true, val);
		junk_peer += c == WF_PUNT_PEER;
		junk_in += wf_police_admit(&p, c, c == WF_PUNT_PEER ? peer_key : VIEWER_ADDR, now);
		if (i % 8000 == 4000) {
			c = wf_classify_punt_class(good, (unsigned)n, true, val);
			checks += c == WF_PUNT_PEER &&
				  wf_police_admit(&p, c, peer_key, now);
		}
	}
	WF_CHECK_EQ(junk_peer, 0);
	WF_CHECK_EQ(checks, 10);
	WF_CHECKF(junk_in <= 200 * 10 + 100, "junk let through: %u", junk_in);
	/* the same traffic all in the viewer's room */
	wf_police_init(&p, HZ);
	for (i = 0; i < 80000; i++) {
		uint64_t now = t0 + i * step;

		wf_police_admit(&p, WF_PUNT_PEER, peer_key, now);
		if (i % 8000 == 4000)
			old_checks += wf_police_admit(&p, WF_PUNT_PEER, peer_key, now);
	}
	WF_CHECKF(old_checks <= 2, "without the tag %u of 10 checks got through", old_checks);
	printf("# 80,000 junk at 8,000/s from the viewer's 5-tuple: checks %u/10 through "
	       "(%u/10 without the tag), junk punted %u\n", checks, old_checks, junk_in);
}

/* A viewer's bucket (police.h): its burst at once, then its rate; a fresh
 * bucket (0) is full. */
static void a_viewers_bucket_gives_its_burst_then_its_rate(void)
{
	struct wf_gcra g;
	uint64_t tat = 0, t = 10 * SEC;
	unsigned i, ok = 0;

	wf_gcra_set(&g, HZ, WF_VIEWER_IN_RATE, WF_VIEWER_IN_BURST);
	for (i = 0; i < 1000; i++)
		ok += wf_gcra_admit(&g, &tat, t);
	WF_CHECK_EQ(ok, WF_VIEWER_IN_BURST);
	/* a tenth of a second later, a tenth of a second's rate is back */
	for (i = 0, ok = 0; i < 1000; i++)
		ok += wf_gcra_admit(&g, &tat, t + SEC / 10);
	WF_CHECK_EQ(ok, WF_VIEWER_IN_RATE / 10);
	/* a second later, a full bucket, no more */
	for (i = 0, ok = 0; i < 1000; i++)
		ok += wf_gcra_admit(&g, &tat, t + 2 * SEC);
	WF_CHECK_EQ(ok, WF_VIEWER_IN_BURST);
	/* evenly at the rate, every packet passes */
	for (i = 0, ok = 0; i < 2 * WF_VIEWER_IN_RATE; i++)
		ok += wf_gcra_admit(&g, &tat, t + 10 * SEC + i * (SEC / WF_VIEWER_IN_RATE));
	WF_CHECK_EQ(ok, 2 * WF_VIEWER_IN_RATE);
	tat = 0;
	for (i = 0, ok = 0; i < 1000; i++)
		ok += wf_gcra_admit(&g, &tat, t + 10 * SEC);
	WF_CHECK_EQ(ok, WF_VIEWER_IN_BURST);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(a_source_gets_its_burst_then_its_rate);
	WF_RUN(one_sources_flood_leaves_another_sources_checks_alone);
	WF_RUN(the_class_bucket_caps_many_sources);
	WF_RUN(a_refused_packet_charges_nothing);
	WF_RUN(sources_alternating_on_one_slot_share_its_bucket);
	WF_RUN(a_quiet_sources_slot_is_taken_fresh);
	WF_RUN(the_peer_class_has_a_bound_on_each_worker);
	WF_RUN(only_a_check_naming_the_viewers_session_is_peer);
	WF_RUN(spoofed_junk_from_a_viewers_5tuple_leaves_its_checks_alone);
	WF_RUN(a_viewers_bucket_gives_its_burst_then_its_rate);
	return wf_test_done();
}
