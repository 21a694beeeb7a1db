/* test_tx.c: when a worker's transmit buffer goes out (app/fast/tx.h):
 * a burst at once, less than a burst after the drain time, everything
 * after a poll without work, and nothing that is empty. */
#include "wf_test.h"

#include "fast/tx.h"

#define DRAIN 2000	/* TSC ticks: 20 us at 100 MHz */

static void an_empty_buffer_never_goes(void)
{
	WF_CHECK(!wf_tx_due(0, 0, 0, DRAIN, false));
	WF_CHECK(!wf_tx_due(0, 0, 10 * DRAIN, DRAIN, false));
	WF_CHECK(!wf_tx_due(0, 0, 0, DRAIN, true));
}

static void a_burst_goes_at_once(void)
{
	WF_CHECK(wf_tx_due(WF_BURST, 1000, 1000, DRAIN, false));
	WF_CHECK(wf_tx_due(WF_BURST + 1, 1000, 1000, DRAIN, false));
	WF_CHECK(!wf_tx_due(WF_BURST - 1, 1000, 1000, DRAIN, false));
}

/* The bound on the wait the latency histogram sees: less than a burst
 * waits for more until the drain time has passed, and no longer. */
static void less_than_a_burst_waits_the_drain_time_and_no_longer(void)
{
	uint64_t since = 5000;

	WF_CHECK(!wf_tx_due(1, since, since, DRAIN, false));
	WF_CHECK(!wf_tx_due(1, since, since + DRAIN - 1, DRAIN, false));
	WF_CHECK(wf_tx_due(1, since, since + DRAIN, DRAIN, false));
	WF_CHECK(wf_tx_due(WF_BURST - 1, since, since + DRAIN, DRAIN, false));
	/* the TSC's wrap does not hold a buffer back */
	since = UINT64_MAX - 10;
	WF_CHECK(!wf_tx_due(1, since, since + 5, DRAIN, false));
	WF_CHECK(wf_tx_due(1, since, since + DRAIN, DRAIN, false));
}

static void a_poll_without_work_sends_what_waits(void)
{
	WF_CHECK(wf_tx_due(1, 5000, 5000, DRAIN, true));
}

/* A drain time of 0 (the fuzz target's) sends at the end of every poll. */
static void a_drain_time_of_zero_waits_for_nothing(void)
{
	WF_CHECK(wf_tx_due(1, 5000, 5000, 0, false));
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(an_empty_buffer_never_goes);
	WF_RUN(a_burst_goes_at_once);
	WF_RUN(less_than_a_burst_waits_the_drain_time_and_no_longer);
	WF_RUN(a_poll_without_work_sends_what_waits);
	WF_RUN(a_drain_time_of_zero_waits_for_nothing);
	return wf_test_done();
}
