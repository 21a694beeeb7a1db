/* test_police.c: the punt buckets (app/police.c) with a made-up clock. */
#include "wf_test.h"

#include "police.h"

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
	/* viewers' 5-tuples (no aggregate bucket): one floods at 100,000/s
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

static void sources_sharing_a_slot_are_never_refused_for_it(void)
{
	uint64_t t = 10 * SEC, a = 1, b;
	unsigned i, ok = 0;

	wf_police_init(&p, HZ);
	/* find a key on the same slot as a */
	for (b = 2;; b++)
		if (((a * 0x9e3779b97f4a7c15ull) >> (64 - WF_POLICE_SLOT_BITS)) ==
		    ((b * 0x9e3779b97f4a7c15ull) >> (64 - WF_POLICE_SLOT_BITS)))
			break;
	for (i = 0; i < 20; i++) {
		ok += wf_police_admit(&p, WF_PUNT_PEER, a, t + i);
		ok += wf_police_admit(&p, WF_PUNT_PEER, b, t + i);
	}
	WF_CHECK_EQ(ok, 40);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(a_source_gets_its_burst_then_its_rate);
	WF_RUN(one_sources_flood_leaves_another_sources_checks_alone);
	WF_RUN(the_class_bucket_caps_many_sources);
	WF_RUN(a_refused_packet_charges_nothing);
	WF_RUN(sources_sharing_a_slot_are_never_refused_for_it);
	return wf_test_done();
}
