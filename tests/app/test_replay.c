/* test_replay.c: a stream owner's answers to viewers' requests
 * (app/fast/request.c) and its key-frame cache (app/fast/history.c).  The test is
 * worker 0, the stream's owner; the viewers are on worker 1, whose
 * handoff ring the test reads: a replay's chunks, their pacing and flags,
 * the chase of the live edge, the refusals.  EAL runs with --no-huge and
 * no devices. */
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "wf_test.h"

#include "core/app.h"
#include "core/lcore.h"
#include "fast/handoff.h"
#include "fast/history.h"
#include "fast/request.h"

#define SLOTS		1024	/* history ring of the video track */
#define VIEWER_LC	1	/* the viewers' worker */

static struct wf_lcore *lc;	/* worker 0: the owner */
static struct wf_stream_state *st;
static struct wf_track_state *ts;
static uint64_t us;		/* TSC cycles a microsecond */

/* What came out on the ring to the viewers' worker. */
struct seen {
	unsigned items, first, last, none;
	uint32_t first_ext, last_ext, prev_ext;
	bool in_order;
};

static bool setup(void)
{
	char *args[] = { "test_replay", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
			 "--log-level", "error", "--file-prefix", "wftrep" };

	if (rte_eal_init((int)RTE_DIM(args), args) < 0)
		return false;
	wf_app.tsc_hz = rte_get_tsc_hz();
	us = wf_app.tsc_hz / 1000000;
	wf_app.n_workers = 2;
	wf_app.replay_max_packets = 1000;
	wf_app.replay_per_stream_per_s = 20;
	wf_app.rx_pool = rte_pktmbuf_pool_create("trep_rx", 4095, 0, (uint16_t)WF_MBUF_PRIV_SIZE,
						 RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	wf_app.tx_pool = rte_pktmbuf_pool_create("trep_tx", 4095, 0, (uint16_t)WF_MBUF_PRIV_SIZE,
						 RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (wf_handoff_rings_create() != 0)
		return false;
	lc = rte_zmalloc("trep_lc", sizeof(*lc), RTE_CACHE_LINE_SIZE);
	st = rte_zmalloc("trep_st", sizeof(*st), RTE_CACHE_LINE_SIZE);
	if (!wf_app.rx_pool || !wf_app.tx_pool || !wf_app.handoff[0][VIEWER_LC] || !lc || !st)
		return false;
	st->n_tracks = 1;
	ts = &st->t[0];
	ts->slots = rte_zmalloc("trep_slots", sizeof(*ts->slots) * SLOTS, RTE_CACHE_LINE_SIZE);
	ts->mask = SLOTS - 1;
	ts->window_tsc = wf_app.tsc_hz * 3;
	lc->idx = 0;
	lc->owned[0] = st;
	wf_app.lc[0] = lc;
	return ts->slots != NULL;
}

/* Empties the history and the owner's replays; a fresh stream rate. */
static void reset(void)
{
	wf_history_clear(ts);
	lc->n_replays = 0;
	st->replay_tat = 0;
	memset(&lc->c, 0, sizeof(lc->c));
}

/* Ingests packet ext (a key frame's first packet when kf), as ingest.c
 * leaves it in the history. */
static void put(uint32_t ext, bool kf)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(wf_app.rx_pool), *old;

	WF_REQUIRE(m);
	wf_meta(m)->ext_seq = ext;
	wf_meta(m)->flags = kf ? WF_META_KEYFRAME : 0;
	wf_meta(m)->rx_tsc = rte_rdtsc();
	WF_REQUIRE(wf_history_put(ts, m, ext, &old));
	if (old)
		rte_pktmbuf_free(old);
	if (kf) {
		ts->last_kf = ext;
		ts->have_kf = true;
	}
}

static void put_range(uint32_t from, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		put(from + i, i == 0);
}

/* A request from viewer slot of worker VIEWER_LC. */
static void request(uint8_t kind, uint32_t slot, uint32_t ext)
{
	struct wf_item it = { .kind = kind, .viewer = slot, .gen = 7, .stream = 0, .track = 0,
			      .ext = ext, .src = VIEWER_LC };

	wf_request_serve(lc, &it);
}

/* A fresh history of n packets from key frame from, viewer 5's replay of
 * it asked for and its first chunk sent: returns that time. */
static uint64_t replay_of(uint32_t from, uint32_t n)
{
	uint64_t t;

	reset();
	put_range(from, n);
	request(WF_ITEM_REQ_REPLAY, 5, 0);
	t = rte_rdtsc();
	wf_replay_poll(lc, t);
	return t;
}

/* Takes what the owner sent to the viewers' worker off the ring. */
static void drain(struct seen *s)
{
	struct wf_item it;

	wf_handoff_flush(lc);
	while (rte_ring_dequeue_elem(wf_app.handoff[0][VIEWER_LC], &it, sizeof(it)) == 0) {
		uint32_t ext = it.m ? wf_meta(it.m)->ext_seq : 0;

		s->items++;
		if (it.flags & WF_ITEM_F_NONE) {
			s->none++;
			continue;
		}
		if (it.flags & WF_ITEM_F_FIRST) {
			s->first++;
			s->first_ext = ext;
			s->in_order = true;
		} else if (ext != s->prev_ext + 1) {
			s->in_order = false;
		}
		if (it.flags & WF_ITEM_F_LAST) {
			s->last++;
			s->last_ext = ext;
		}
		s->prev_ext = ext;
		rte_pktmbuf_free(it.m);
	}
}

static void history_forgets_the_key_frame_when_its_start_is_overwritten(void)
{
	reset();
	put_range(100, 50);
	WF_CHECK(ts->have_kf && ts->last_kf == 100);
	put_range(150 + 1, SLOTS - 60);	/* not yet past it: ring of SLOTS */
	ts->last_kf = 100;	/* put_range's own key frame is not the point here */
	WF_CHECK(ts->have_kf);
	put(100 + SLOTS, false);	/* overwrites ext 100's slot */
	WF_CHECK(!ts->have_kf);
	reset();
}

/* 100 packets from the key frame: chunks of WF_REPLAY_CHUNK, one every
 * WF_REPLAY_PACE_US, in order, FIRST on the key frame, LAST on the
 * newest. */
static void a_replay_is_paced_in_chunks_and_ends_on_the_newest(void)
{
	struct seen s = { 0 };
	uint64_t t = replay_of(1000, 100);
	unsigned polls = 0;

	drain(&s);
	WF_CHECK_EQ(s.items, WF_REPLAY_CHUNK);
	WF_CHECK_EQ(s.first, 1);
	WF_CHECK_EQ(s.first_ext, 1000);
	wf_replay_poll(lc, t + WF_REPLAY_PACE_US * us / 2);	/* not due yet */
	drain(&s);
	WF_CHECK_EQ(s.items, WF_REPLAY_CHUNK);
	while (lc->n_replays && polls++ < 10) {
		t += WF_REPLAY_PACE_US * us;
		wf_replay_poll(lc, t);
	}
	drain(&s);
	WF_CHECK_EQ(s.items, 100);
	WF_CHECK(s.in_order);
	WF_CHECK_EQ(s.last, 1);
	WF_CHECK_EQ(s.last_ext, 1099);
	WF_CHECK_EQ(polls, 3);	/* 100 = 32 + 32 + 32 + 4 */
	WF_CHECK_EQ(lc->n_replays, 0);
	reset();
}

/* Packets arriving during a replay are in it (the viewer skips them live):
 * the replay ends on the newest packet at its last chunk. */
static void a_replay_chases_the_packets_that_arrive_meanwhile(void)
{
	struct seen s = { 0 };
	uint64_t t = replay_of(2000, 40);
	unsigned polls = 0;

	put(2040, false);
	put(2041, false);
	put(2043, false);	/* 2042 lost on its way to us */
	while (lc->n_replays && polls++ < 10) {
		t += WF_REPLAY_PACE_US * us;
		wf_replay_poll(lc, t);
	}
	drain(&s);
	WF_CHECK_EQ(s.items, 43);
	WF_CHECK_EQ(s.last, 1);
	WF_CHECK_EQ(s.last_ext, 2043);
	reset();
}

static void a_replay_over_the_maximum_or_without_a_key_frame_is_refused(void)
{
	struct seen s = { 0 };

	reset();
	request(WF_ITEM_REQ_REPLAY, 5, 0);	/* nothing cached */
	WF_CHECK_EQ(lc->c.refused[WF_REFUSE_REPLAY_NO_KEYFRAME], 1);
	wf_app.replay_max_packets = 50;
	put_range(3000, 51);
	request(WF_ITEM_REQ_REPLAY, 5, 0);
	WF_CHECK_EQ(lc->c.refused[WF_REFUSE_REPLAY_TOO_LONG], 1);
	WF_CHECK_EQ(lc->n_replays, 0);
	drain(&s);
	WF_CHECK_EQ(s.items, 2);
	WF_CHECK_EQ(s.none, 2);	/* both answered: wait for a live key frame */
	wf_app.replay_max_packets = 51;
	request(WF_ITEM_REQ_REPLAY, 5, 0);
	WF_CHECK_EQ(lc->n_replays, 1);
	wf_app.replay_max_packets = 1000;
	reset();
}

/* webrtc.replay_per_stream_per_s (20): a burst of 20 at once, then the
 * rate; one viewer asking again replaces its replay. */
static void a_stream_starts_at_most_its_replays_a_second(void)
{
	struct seen s = { 0 };
	uint32_t v;

	reset();
	put_range(4000, 10);
	for (v = 0; v < 30; v++)
		request(WF_ITEM_REQ_REPLAY, v, 0);
	WF_CHECK_EQ(lc->n_replays, 20);
	WF_CHECK_EQ(lc->c.refused[WF_REFUSE_REPLAY_STREAM_RATE], 10);
	drain(&s);
	WF_CHECK_EQ(s.none, 10);
	/* the same viewer again: its replay is replaced, not added (refused
	 * here by the rate, as the burst is spent) */
	request(WF_ITEM_REQ_REPLAY, 3, 0);
	WF_CHECK_EQ(lc->n_replays, 20);
	reset();
}

/* Live media first: while the ring to the viewers' worker is over half
 * full, a replay waits. */
static void a_replay_waits_while_the_ring_is_over_half_full(void)
{
	struct wf_item filler = { .kind = WF_ITEM_REQ_RETX };
	struct seen s = { 0 };
	unsigned i;
	uint64_t t;

	reset();
	put_range(5000, 10);
	for (i = 0; i <= wf_app.handoff_cap / 2; i++)
		WF_REQUIRE(rte_ring_enqueue_elem(wf_app.handoff[0][VIEWER_LC], &filler,
						 sizeof(filler)) == 0);
	request(WF_ITEM_REQ_REPLAY, 5, 0);
	t = rte_rdtsc();
	wf_replay_poll(lc, t);
	WF_CHECK_EQ(rte_ring_count(wf_app.handoff[0][VIEWER_LC]), wf_app.handoff_cap / 2 + 1);
	WF_CHECK_EQ(lc->n_replays, 1);
	/* a NACK's answer is shed as well */
	request(WF_ITEM_REQ_RETX, 5, 5003);
	WF_CHECK_EQ(lc->c.refused[WF_REFUSE_NACK_SHED], 1);
	drain(&s);
	s = (struct seen){ 0 };
	wf_replay_poll(lc, t + WF_REPLAY_PACE_US * us);
	drain(&s);
	WF_CHECK_EQ(s.items, 10);
	WF_CHECK_EQ(s.last, 1);
	reset();
}

/* A replay whose next packet left the history (the ring wrapped) is given
 * up and its viewer told; one that a newer live key frame overtook before
 * it started is dropped silently (the viewer starts on that one). */
static void a_replay_that_lost_its_packets_or_was_overtaken_ends(void)
{
	struct seen s = { 0 };
	uint64_t t = replay_of(6000, 100);

	put_range(6100, SLOTS);	/* everything after the first chunk is gone */
	wf_replay_poll(lc, t + WF_REPLAY_PACE_US * us);
	drain(&s);
	WF_CHECK_EQ(s.items, WF_REPLAY_CHUNK + 1);
	WF_CHECK_EQ(s.none, 1);
	WF_CHECK_EQ(lc->c.refused[WF_REFUSE_REPLAY_ABORTED], 1);
	WF_CHECK_EQ(lc->n_replays, 0);

	reset();
	s = (struct seen){ 0 };
	put_range(7000, 20);
	request(WF_ITEM_REQ_REPLAY, 5, 0);
	put_range(7020, 5);	/* a new key frame, live, before the first chunk */
	wf_replay_poll(lc, rte_rdtsc());
	drain(&s);
	WF_CHECK_EQ(s.items, 0);
	WF_CHECK_EQ(lc->n_replays, 0);
	reset();
}

static void a_nack_is_answered_from_the_history_or_counted_as_missed(void)
{
	struct seen s = { 0 };

	reset();
	put_range(8000, 10);
	request(WF_ITEM_REQ_RETX, 5, 8004);
	request(WF_ITEM_REQ_RETX, 5, 7990);	/* before the history */
	request(WF_ITEM_REQ_RETX, 5, 8010);	/* not yet received */
	drain(&s);
	WF_CHECK_EQ(s.items, 1);
	WF_CHECK_EQ(s.prev_ext, 8004);
	WF_CHECK_EQ(lc->c.refused[WF_REFUSE_NACK_MISS], 2);
	reset();
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	if (!setup()) {
		printf("# test_replay: EAL or pool set-up failed\n");
		return 1;
	}
	WF_RUN(history_forgets_the_key_frame_when_its_start_is_overwritten);
	WF_RUN(a_replay_is_paced_in_chunks_and_ends_on_the_newest);
	WF_RUN(a_replay_chases_the_packets_that_arrive_meanwhile);
	WF_RUN(a_replay_over_the_maximum_or_without_a_key_frame_is_refused);
	WF_RUN(a_stream_starts_at_most_its_replays_a_second);
	WF_RUN(a_replay_waits_while_the_ring_is_over_half_full);
	WF_RUN(a_replay_that_lost_its_packets_or_was_overtaken_ends);
	WF_RUN(a_nack_is_answered_from_the_history_or_counted_as_missed);
	return wf_test_done();
}
