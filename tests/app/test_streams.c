/* test_streams.c: a stream's start and stop are control messages to its
 * owner, completed by the owner's reply (app/slow/streams.c): nothing
 * routes to a stream before its owner holds it, a stream stopped while
 * starting is stopped once started, a slot is not reused before the owner
 * gave the old stream back, and a start or a stop that finds no room (the
 * control pool empty, the owner's ring full) is sent by the loop's
 * poller once there is room.  The test plays both workers, answering as
 * wf_ctrl_apply() does.  EAL runs with --no-huge and no devices. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "wf_test.h"

#include "core/app.h"
#include "core/lcore.h"
#include "core/stream_state.h"
#include "slow/ctrlq.h"
#include "slow/ev.h"
#include "slow/registry.h"
#include "slow/streams.h"
#include "conf/conf.h"

#define N_WORKERS	2
#define POOL_SIZE	511

static struct wf_lcore lcs[N_WORKERS];
static struct wf_config *cfg;

static const char conf_text[] =
	"ports = ( { name = \"net_null0\"; address = \"198.18.0.1/24\"; } );\n"
	"streams = (\n"
	"  { name = \"a\"; history_ms = 500; tracks = (\n"
	"      { kind = \"video\"; port = 5004; codec = \"H264\"; payload_type = 96; } ); },\n"
	"  { name = \"b\"; history_ms = 500; tracks = (\n"
	"      { kind = \"audio\"; port = 5006; codec = \"opus\"; payload_type = 111; } ); },\n"
	"  { name = \"w\"; ingest = \"whip\"; history_ms = 500; tracks = (\n"
	"      { kind = \"audio\"; codec = \"opus\"; } ); }\n"
	");\n";

static void conf_error(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "test configuration: %s\n", msg);
}

static bool setup(void)
{
	char *args[] = { "test_streams", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
			 "--log-level", "error", "--file-prefix", "wftstr" };
	char path[] = "/tmp/wf_test_streams_XXXXXX";
	struct wf_config_diag diag = { .fn = conf_error };
	size_t qsz;
	unsigned w;
	int fd;

	if (rte_eal_init((int)RTE_DIM(args), args) < 0)
		return false;
	fd = mkstemp(path);
	if (fd < 0 || write(fd, conf_text, sizeof(conf_text) - 1) != sizeof(conf_text) - 1)
		return false;
	close(fd);
	cfg = wf_config_create();
	if (!cfg || wf_config_load(cfg, path, &diag) != 0) {
		unlink(path);
		return false;
	}
	unlink(path);
	wf_app.n_workers = N_WORKERS;
	wf_app.tsc_hz = rte_get_tsc_hz();
	wf_app.webrtc_port = 8189;
	for (w = 0; w < N_WORKERS; w++) {
		char name[32];

		lcs[w].idx = w;
		snprintf(name, sizeof(name), "tstr_ctrl%u", w);
		/* 4 places: the test fills one to see a stop wait for room */
		lcs[w].ctrl = rte_ring_create(name, 4, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "tstr_reply%u", w);
		lcs[w].reply = rte_ring_create(name, WF_CTRL_RING_SIZE, 0,
					       RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (!lcs[w].ctrl || !lcs[w].reply)
			return false;
		wf_app.lc[w] = &lcs[w];
	}
	wf_app.ctrl_pool = rte_mempool_create("tstr_ctrl", POOL_SIZE, sizeof(struct wf_ctrl_msg),
					      0, 0, NULL, NULL, NULL, NULL, 0, 0);
	qsz = rte_rcu_qsbr_get_memsize(N_WORKERS);
	wf_app.qsbr = rte_zmalloc("tstr_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (!wf_app.ctrl_pool || !wf_app.qsbr || rte_rcu_qsbr_init(wf_app.qsbr, N_WORKERS))
		return false;
	return wf_registry_init(64) == 0 && wf_ev_init(64) == 0 &&
	       wf_ev_poller_add(wf_streams_poll) == 0;
}

/* Worker w answers every waiting message as wf_ctrl_apply() does for
 * streams; returns how many. */
static unsigned worker_answers(unsigned w)
{
	void *m;
	unsigned n = 0;

	while (rte_ring_dequeue(lcs[w].ctrl, &m) == 0) {
		struct wf_ctrl_msg *msg = m;

		msg->worker = w;
		msg->status = 0;
		if (msg->type == WF_CTRL_ADD_STREAM) {
			if (lcs[w].owned[msg->stream])
				msg->status = -EINVAL;
			else
				lcs[w].owned[msg->stream] = msg->state;
		} else if (msg->type == WF_CTRL_DEL_STREAM) {
			msg->state = lcs[w].owned[msg->stream];
			msg->status = msg->state ? 0 : -ENOENT;
			lcs[w].owned[msg->stream] = NULL;
		}
		rte_ring_enqueue(lcs[w].reply, msg);
		n++;
	}
	return n;
}

static void answer_all(void)
{
	unsigned w;

	for (w = 0; w < N_WORKERS; w++)
		worker_answers(w);
	wf_ctrl_replies();
}

static const struct wf_config_stream *conf_stream(const char *name)
{
	return wf_config_stream_find(cfg, name);
}

static unsigned owner_of(int slot)
{
	return wf_app.streams[slot].owner;
}

static void a_stream_is_active_only_once_its_owner_holds_it(void)
{
	struct wf_stream_view v;
	int slot = wf_stream_start(conf_stream("a"));

	WF_REQUIRE(slot >= 0);
	/* sent, not answered: found by name, but nothing routes to it */
	WF_CHECK_EQ(wf_stream_index("a"), slot);
	WF_CHECK(!wf_stream_is_active(&wf_app.streams[slot]));
	WF_CHECK_EQ(wf_app.ingest_map[5004], 0);
	WF_CHECK_EQ(wf_stream_view((unsigned)slot, &v), -ENOENT);
	WF_CHECK_EQ(wf_ctrl_outstanding(), 1u);
	answer_all();
	WF_CHECK(lcs[owner_of(slot)].owned[slot] != NULL);
	WF_CHECK(wf_stream_is_active(&wf_app.streams[slot]));
	WF_CHECK(wf_app.ingest_map[5004] != 0);
	WF_CHECK_EQ(wf_ingest_map_stream(wf_app.ingest_map[5004]), (unsigned)slot);
	WF_CHECK_EQ(wf_stream_view((unsigned)slot, &v), 0);
	WF_CHECK_EQ(wf_ctrl_outstanding(), 0u);

	wf_stream_stop((unsigned)slot);
	/* at once: nothing routes to it, telemetry no longer shows it */
	WF_CHECK(!wf_stream_is_active(&wf_app.streams[slot]));
	WF_CHECK_EQ(wf_app.ingest_map[5004], 0);
	WF_CHECK_EQ(wf_stream_index("a"), -1);
	answer_all();
	WF_CHECK(lcs[owner_of(slot)].owned[slot] == NULL);
	WF_CHECK_EQ(wf_ctrl_outstanding(), 0u);
}

/* A WHIP stream starts like any other, but its tracks have no port: it
 * maps none (started, a port of 0 would own UDP ports 0 and 1). */
static void a_whip_stream_starts_and_maps_no_port(void)
{
	int slot;

	WF_REQUIRE(conf_stream("w") && conf_stream("w")->ingest == WF_CONF_INGEST_WHIP);
	slot = wf_stream_start(conf_stream("w"));
	WF_REQUIRE(slot >= 0);
	answer_all();
	WF_CHECK(wf_stream_is_active(&wf_app.streams[slot]));
	WF_CHECK_EQ(wf_stream_index("w"), slot);
	WF_CHECK_EQ(wf_app.ingest_map[0], 0);
	WF_CHECK_EQ(wf_app.ingest_map[1], 0);
	wf_stream_stop((unsigned)slot);
	answer_all();
	WF_CHECK_EQ(wf_stream_index("w"), -1);
	WF_CHECK_EQ(wf_ctrl_outstanding(), 0u);
}

static void a_stream_stopped_while_starting_stops_once_started(void)
{
	int slot = wf_stream_start(conf_stream("a"));

	WF_REQUIRE(slot >= 0);
	wf_stream_stop((unsigned)slot);
	WF_CHECK_EQ(wf_stream_index("a"), -1);
	answer_all();	/* the ADD's reply sends the DEL */
	WF_CHECK(!wf_stream_is_active(&wf_app.streams[slot]));
	WF_CHECK_EQ(wf_app.ingest_map[5004], 0);
	WF_CHECK_EQ(wf_ctrl_outstanding(), 1u);
	answer_all();
	WF_CHECK(lcs[owner_of(slot)].owned[slot] == NULL);
	WF_CHECK_EQ(wf_ctrl_outstanding(), 0u);
}

/* A stopping slot is not handed out again before the owner gave the old
 * stream back (two states for one slot on two workers). */
static void a_slot_is_reused_only_after_the_owner_gave_it_back(void)
{
	int a = wf_stream_start(conf_stream("a")), b;

	WF_REQUIRE(a >= 0);
	answer_all();
	wf_stream_stop((unsigned)a);
	b = wf_stream_start(conf_stream("b"));
	WF_CHECK(b >= 0 && b != a);
	answer_all();
	wf_stream_stop((unsigned)b);
	answer_all();
	b = wf_stream_start(conf_stream("b"));
	WF_CHECK_EQ(b, a);	/* free again: the first free slot */
	answer_all();
	wf_stream_stop((unsigned)b);
	answer_all();
}

/* Two streams started together go to two owners (the one starting counts). */
static void streams_starting_together_spread_over_the_workers(void)
{
	int a = wf_stream_start(conf_stream("a")), b = wf_stream_start(conf_stream("b"));

	WF_REQUIRE(a >= 0 && b >= 0);
	WF_CHECK(owner_of(a) != owner_of(b));
	answer_all();
	wf_stream_stop((unsigned)a);
	wf_stream_stop((unsigned)b);
	answer_all();
}

/* A DEL_STREAM that finds the owner's ring full is sent again by its
 * loop once there is room; the owner's state comes back and is freed. */
static void a_stop_that_finds_the_ring_full_is_sent_again(void)
{
	struct wf_ctrl_msg *fill[4];
	unsigned w, n = 0, i;
	int slot = wf_stream_start(conf_stream("a"));
	uint64_t t0;

	WF_REQUIRE(slot >= 0);
	answer_all();
	w = owner_of(slot);
	/* the ring holds 3: fill it with messages the worker ignores */
	while (n < RTE_DIM(fill) && (fill[n] = wf_ctrl_alloc(WF_CTRL_ADD_VIEWER + 100)) &&
	       rte_ring_enqueue(lcs[w].ctrl, fill[n]) == 0)
		n++;
	if (n < RTE_DIM(fill) && fill[n])
		wf_ctrl_free(fill[n]);
	wf_stream_stop((unsigned)slot);
	WF_CHECK_EQ(wf_ctrl_outstanding(), 0u);	/* not sent: no room */
	WF_CHECK(lcs[w].owned[slot] != NULL);
	/* room again: the loop's poller sends it */
	for (i = 0; i < n; i++) {
		void *m;

		if (rte_ring_dequeue(lcs[w].ctrl, &m) == 0)
			wf_ctrl_free(m);
	}
	t0 = rte_rdtsc();
	while (!wf_ctrl_outstanding() && rte_rdtsc() - t0 < rte_get_tsc_hz())
		wf_ev_pass(1000);
	WF_CHECK_EQ(wf_ctrl_outstanding(), 1u);
	answer_all();
	WF_CHECK(lcs[w].owned[slot] == NULL);
}

/* An owner that refuses the stream: the history is freed, the slot free. */
static void a_refused_start_frees_the_slot(void)
{
	struct wf_ctrl_msg *msg;
	unsigned w;
	void *m;
	int slot;

	slot = wf_stream_start(conf_stream("a"));
	WF_REQUIRE(slot >= 0);
	w = owner_of(slot);
	WF_REQUIRE(rte_ring_dequeue(lcs[w].ctrl, &m) == 0);
	msg = m;
	msg->worker = w;
	msg->status = -EINVAL;	/* as an owner that holds the slot already */
	rte_ring_enqueue(lcs[w].reply, msg);
	wf_ctrl_replies();
	WF_CHECK(!wf_stream_is_active(&wf_app.streams[slot]));
	WF_CHECK_EQ(wf_stream_index("a"), -1);
	WF_CHECK_EQ(wf_app.ingest_map[5004], 0);
	WF_CHECK_EQ(wf_stream_gen((unsigned)slot), 0u);	/* its outputs drop */
	WF_CHECK_EQ(wf_stream_start(conf_stream("a")), slot);	/* free again */
	answer_all();
	wf_stream_stop((unsigned)slot);
	answer_all();
}

/* Takes every message of the control pool (as a reload ending hundreds
 * of sessions does for a moment); returns how many. */
static unsigned pool_take_all(void **held, unsigned cap)
{
	unsigned n = 0;

	while (n < cap && rte_mempool_get(wf_app.ctrl_pool, &held[n]) == 0)
		n++;
	return n;
}

/* Runs the loop's passes until n messages are outstanding, or a second. */
static void passes_until_outstanding(unsigned n)
{
	uint64_t t0 = rte_rdtsc();

	while (wf_ctrl_outstanding() < n && rte_rdtsc() - t0 < rte_get_tsc_hz())
		wf_ev_pass(1000);
}

/* A start that finds the control pool empty is not lost (it was: -ENOMEM,
 * and a reload's changed stream vanished): it waits and goes once there
 * is room. */
static void a_start_that_finds_the_pool_empty_is_sent_later(void)
{
	void *held[POOL_SIZE + 1];
	unsigned n = pool_take_all(held, RTE_DIM(held));
	int slot = wf_stream_start(conf_stream("a"));

	WF_REQUIRE(slot >= 0);
	WF_CHECK_EQ(wf_stream_index("a"), slot);
	WF_CHECK_EQ(wf_ctrl_outstanding(), 0u);
	rte_mempool_put_bulk(wf_app.ctrl_pool, held, n);
	passes_until_outstanding(1);
	WF_CHECK_EQ(wf_ctrl_outstanding(), 1u);
	answer_all();
	WF_CHECK(wf_stream_is_active(&wf_app.streams[slot]));
	WF_CHECK(lcs[owner_of(slot)].owned[slot] != NULL);
	wf_stream_stop((unsigned)slot);
	answer_all();
	WF_CHECK(lcs[owner_of(slot)].owned[slot] == NULL);
}

/* A start stopped before its message could go frees the slot at once:
 * the owner never had it. */
static void a_start_stopped_before_it_was_sent_frees_the_slot(void)
{
	void *held[POOL_SIZE + 1];
	unsigned n = pool_take_all(held, RTE_DIM(held));
	int slot = wf_stream_start(conf_stream("a"));

	WF_REQUIRE(slot >= 0);
	wf_stream_stop((unsigned)slot);
	WF_CHECK_EQ(wf_stream_index("a"), -1);
	WF_CHECK_EQ(wf_stream_gen((unsigned)slot), 0u);
	rte_mempool_put_bulk(wf_app.ctrl_pool, held, n);
	passes_until_outstanding(1);
	WF_CHECK_EQ(wf_ctrl_outstanding(), 0u);	/* nothing was left to send */
	WF_CHECK_EQ(wf_stream_start(conf_stream("a")), slot);
	answer_all();
	wf_stream_stop((unsigned)slot);
	answer_all();
}

/* Stops of two streams that both find no room go once there is room,
 * whatever room the loop has for timers: they take none (with a timer a
 * slot, a loop with room for one lost the second stop and its slot for
 * good). */
static void stops_waiting_for_room_take_no_timer(void)
{
	void *held[POOL_SIZE + 1];
	int a, b;
	unsigned n;

	wf_ev_fini();
	WF_REQUIRE(wf_ev_init(1) == 0 && wf_ev_poller_add(wf_streams_poll) == 0);
	a = wf_stream_start(conf_stream("a"));
	b = wf_stream_start(conf_stream("b"));
	WF_REQUIRE(a >= 0 && b >= 0);
	answer_all();
	n = pool_take_all(held, RTE_DIM(held));
	wf_stream_stop((unsigned)a);
	wf_stream_stop((unsigned)b);
	rte_mempool_put_bulk(wf_app.ctrl_pool, held, n);
	passes_until_outstanding(2);
	WF_CHECK_EQ(wf_ctrl_outstanding(), 2u);
	answer_all();
	WF_CHECK(lcs[owner_of(a)].owned[a] == NULL);
	WF_CHECK(lcs[owner_of(b)].owned[b] == NULL);
	WF_CHECK_EQ(wf_stream_gen((unsigned)a), 0u);
	WF_CHECK_EQ(wf_stream_gen((unsigned)b), 0u);
	wf_ev_fini();
	WF_REQUIRE(wf_ev_init(64) == 0 && wf_ev_poller_add(wf_streams_poll) == 0);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	if (!setup()) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	WF_RUN(a_stream_is_active_only_once_its_owner_holds_it);
	WF_RUN(a_stream_stopped_while_starting_stops_once_started);
	WF_RUN(a_slot_is_reused_only_after_the_owner_gave_it_back);
	WF_RUN(streams_starting_together_spread_over_the_workers);
	WF_RUN(a_stop_that_finds_the_ring_full_is_sent_again);
	WF_RUN(a_refused_start_frees_the_slot);
	WF_RUN(a_start_that_finds_the_pool_empty_is_sent_later);
	WF_RUN(a_start_stopped_before_it_was_sent_frees_the_slot);
	WF_RUN(stops_waiting_for_room_take_no_timer);
	WF_RUN(a_whip_stream_starts_and_maps_no_port);
	wf_ev_fini();
	wf_config_free(cfg);
	rte_eal_cleanup();
	return wf_test_done();
}
