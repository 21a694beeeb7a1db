/* test_ev.c: the slow path's event loop (app/slow/ev.c): timers fire in
 * the order of their deadlines whatever the order of arming, moving and
 * stopping; the heap's room is what wf_ev_init() gave; a file event runs
 * its function; pollers run every pass and a pass with work does not
 * sleep; an idle pass sleeps until the nearest deadline, not longer.
 * EAL (for the TSC's rate) runs with --no-huge and no devices. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>

#include "wf_test.h"

#include "slow/ev.h"

#define N_TIMERS	512

struct item {
	struct wf_ev_timer t;
	unsigned id;
};

static struct item items[N_TIMERS];
static unsigned fired[N_TIMERS * 4], n_fired;
static uint64_t fired_when[N_TIMERS * 4];

static void on_fire(struct wf_ev_timer *t, uint64_t now)
{
	struct item *it = container_of(t, struct item, t);

	(void)now;
	if (n_fired < RTE_DIM(fired)) {
		fired_when[n_fired] = t->when;
		fired[n_fired++] = it->id;
	}
}

static uint64_t rnd(void)
{
	return (uint64_t)random() << 31 ^ (uint64_t)random();
}

static void reset(unsigned cap)
{
	unsigned i;

	WF_REQUIRE(wf_ev_init(cap) == 0);
	for (i = 0; i < N_TIMERS; i++) {
		wf_ev_timer_init(&items[i].t, on_fire);
		items[i].id = i;
	}
	n_fired = 0;
}

/* Random arms, moves and stops; all deadlines in the past, so one pass
 * fires every armed timer: each once, in the order of their deadlines. */
static void timers_fire_in_deadline_order_after_any_arms_moves_and_stops(void)
{
	uint64_t base = rte_rdtsc() - 10 * rte_get_tsc_hz();
	bool armed[N_TIMERS] = { false };
	unsigned i, k, n_armed = 0, seen[N_TIMERS] = { 0 };
	struct wf_ev_stats st;

	srandom(7);
	reset(N_TIMERS);
	for (k = 0; k < 20000; k++) {
		i = (unsigned)(rnd() % N_TIMERS);
		if (rnd() % 4 == 0) {
			wf_ev_timer_stop(&items[i].t);
			armed[i] = false;
		} else {
			WF_CHECK_EQ(wf_ev_timer_arm(&items[i].t, base + rnd() % 1000000), 0);
			armed[i] = true;
		}
	}
	for (i = 0; i < N_TIMERS; i++) {
		WF_CHECK_EQ(wf_ev_timer_armed(&items[i].t), armed[i]);
		n_armed += armed[i];
	}
	wf_ev_get_stats(&st);
	WF_CHECK_EQ(st.armed, n_armed);
	WF_CHECK_EQ(wf_ev_pass(0), n_armed);
	WF_CHECK_EQ(n_fired, n_armed);
	for (k = 0; k < n_fired; k++) {
		seen[fired[k]]++;
		WF_CHECKF(armed[fired[k]], "timer %u fired, but it was stopped", fired[k]);
		if (k)
			WF_CHECKF(fired_when[k - 1] <= fired_when[k],
				  "timer %u (%lu) fired after one due later (%lu)", fired[k],
				  fired_when[k], fired_when[k - 1]);
	}
	for (i = 0; i < N_TIMERS; i++) {
		WF_CHECKF(seen[i] == (armed[i] ? 1u : 0u), "timer %u fired %u times", i, seen[i]);
		WF_CHECK(!wf_ev_timer_armed(&items[i].t));
	}
	wf_ev_fini();
}

static void a_timer_not_yet_due_does_not_fire(void)
{
	reset(4);
	WF_CHECK_EQ(wf_ev_timer_arm(&items[0].t, rte_rdtsc() + 60 * rte_get_tsc_hz()), 0);
	WF_CHECK_EQ(wf_ev_timer_arm(&items[1].t, rte_rdtsc() - 1), 0);
	wf_ev_pass(0);
	WF_CHECK_EQ(n_fired, 1u);
	WF_CHECK_EQ(fired[0], 1u);
	WF_CHECK(wf_ev_timer_armed(&items[0].t));
	/* moved into the past: fires */
	WF_CHECK_EQ(wf_ev_timer_arm(&items[0].t, rte_rdtsc() - 1), 0);
	wf_ev_pass(0);
	WF_CHECK_EQ(n_fired, 2u);
	wf_ev_fini();
	WF_CHECK(!wf_ev_timer_armed(&items[0].t));
}

static void arming_beyond_the_room_is_refused_and_counted(void)
{
	struct wf_ev_stats st;

	reset(2);
	WF_CHECK_EQ(wf_ev_timer_arm(&items[0].t, 1), 0);
	WF_CHECK_EQ(wf_ev_timer_arm(&items[1].t, 2), 0);
	WF_CHECK_EQ(wf_ev_timer_arm(&items[2].t, 3), -ENOSPC);
	WF_CHECK(!wf_ev_timer_armed(&items[2].t));
	/* moving an armed one needs no room */
	WF_CHECK_EQ(wf_ev_timer_arm(&items[1].t, 0), 0);
	wf_ev_get_stats(&st);
	WF_CHECK_EQ(st.arm_full, 1u);
	WF_CHECK_EQ(st.armed, 2u);
	wf_ev_fini();
}

static struct wf_ev_timer again;
static unsigned again_n;

static void rearm_in_the_past(struct wf_ev_timer *t, uint64_t now)
{
	again_n++;
	wf_ev_timer_arm(t, now - 1);
}

/* A timer that arms itself for the past in its callback does not hold
 * the pass: it fires again on the next pass. */
static void a_timer_rearmed_in_its_callback_waits_for_the_next_pass(void)
{
	reset(4);
	wf_ev_timer_init(&again, rearm_in_the_past);
	again_n = 0;
	WF_CHECK_EQ(wf_ev_timer_arm(&again, 0), 0);
	wf_ev_pass(0);
	WF_CHECK_EQ(again_n, 1u);
	wf_ev_pass(0);
	WF_CHECK_EQ(again_n, 2u);
	wf_ev_fini();
}

static int pipe_fds[2];
static unsigned file_runs;

static void on_readable(void *arg)
{
	char c;

	WF_CHECK(arg == pipe_fds);
	file_runs++;
	if (read(pipe_fds[0], &c, 1) != 1)
		WF_CHECK(!"the pipe had no byte");
}

static void a_readable_file_runs_its_function(void)
{
	reset(4);
	WF_REQUIRE(pipe(pipe_fds) == 0);
	WF_CHECK_EQ(wf_ev_file_add(pipe_fds[0], on_readable, pipe_fds), 0);
	WF_CHECK_EQ(wf_ev_file_add(-1, on_readable, NULL), -EINVAL);
	file_runs = 0;
	wf_ev_pass(0);
	WF_CHECK_EQ(file_runs, 0u);
	WF_CHECK(write(pipe_fds[1], "x", 1) == 1);
	wf_ev_pass(0);
	WF_CHECK_EQ(file_runs, 1u);
	wf_ev_pass(0);
	WF_CHECK_EQ(file_runs, 1u);	/* read: no longer readable */
	wf_ev_file_del(pipe_fds[0]);
	WF_CHECK(write(pipe_fds[1], "y", 1) == 1);
	wf_ev_pass(0);
	WF_CHECK_EQ(file_runs, 1u);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	wf_ev_fini();
}

static unsigned poll_calls, poll_work;

static unsigned poller(void)
{
	poll_calls++;
	return poll_work;
}

/* A pass whose pollers found work does not sleep; one that found none
 * naps, at most WF_EV_NAP_US while there are pollers. */
static void pollers_run_every_pass_and_work_skips_the_nap(void)
{
	struct wf_ev_stats st;
	uint64_t t0;
	unsigned i;

	reset(4);
	WF_CHECK_EQ(wf_ev_poller_add(poller), 0);
	poll_calls = 0;
	poll_work = 3;
	for (i = 0; i < 5; i++)
		WF_CHECK_EQ(wf_ev_pass(1000000), 3u);
	wf_ev_get_stats(&st);
	WF_CHECK_EQ(poll_calls, 5u);
	WF_CHECK_EQ(st.naps, 0u);
	poll_work = 0;
	t0 = rte_rdtsc();
	for (i = 0; i < 5; i++)
		wf_ev_pass(1000000);
	wf_ev_get_stats(&st);
	WF_CHECK_EQ(st.naps, 5u);
	/* five naps of at most 500 µs, not of the second asked for (a
	 * generous bound: the machine may be slow, not 1 s slow) */
	WF_CHECK((rte_rdtsc() - t0) < rte_get_tsc_hz() / 2);
	for (i = 0; i < WF_EV_MAX_POLLERS - 1; i++)
		WF_CHECK_EQ(wf_ev_poller_add(poller), 0);
	WF_CHECK_EQ(wf_ev_poller_add(poller), -ENOSPC);
	wf_ev_fini();
}

/* With no poller, an idle pass sleeps until the nearest deadline: the
 * timer fires on time, not after the longest nap. */
static void an_idle_pass_sleeps_until_the_nearest_deadline(void)
{
	uint64_t hz = rte_get_tsc_hz(), t0 = rte_rdtsc();
	unsigned passes = 0;

	reset(4);
	WF_CHECK_EQ(wf_ev_timer_arm(&items[0].t, t0 + hz / 100), 0);	/* 10 ms */
	while (!n_fired && passes < 100) {
		wf_ev_pass(1000000);
		passes++;
	}
	WF_CHECK_EQ(n_fired, 1u);
	WF_CHECK(rte_rdtsc() - t0 >= hz / 100);
	/* 10 ms, not the 1 s a pass may sleep at most (generous bound) */
	WF_CHECK(rte_rdtsc() - t0 < hz / 2);
	WF_CHECKF(passes <= 3, "%u passes for one deadline", passes);
	wf_ev_fini();
}

int main(int argc, char **argv)
{
	char *args[] = { "test_ev", "--no-huge", "-m", "32", "--no-pci", "--no-shconf",
			 "--log-level", "error", "--file-prefix", "wftev" };

	wf_test_init(argc, argv);
	if (rte_eal_init((int)RTE_DIM(args), args) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	WF_RUN(timers_fire_in_deadline_order_after_any_arms_moves_and_stops);
	WF_RUN(a_timer_not_yet_due_does_not_fire);
	WF_RUN(arming_beyond_the_room_is_refused_and_counted);
	WF_RUN(a_timer_rearmed_in_its_callback_waits_for_the_next_pass);
	WF_RUN(a_readable_file_runs_its_function);
	WF_RUN(pollers_run_every_pass_and_work_skips_the_nap);
	WF_RUN(an_idle_pass_sleeps_until_the_nearest_deadline);
	rte_eal_cleanup();
	return wf_test_done();
}
