/* test_mbufs.c: how the packet pools are sized and shared (app/slow/mbufs.c):
 * history rings within streams[].history_mbufs, the receive reserve, the
 * check and its numbers, the transmit pool, the workers EAL arguments ask for. */
#include "wf_test.h"

#include <inttypes.h>

#include <rte_common.h>

#include "core/app.h"
#include "slow/mbufs.h"
#include "slow/port.h"

static struct wf_config cfg;

static void stream(struct wf_config_stream *st, uint32_t history_ms, uint32_t mbufs, bool audio)
{
	memset(st, 0, sizeof(*st));
	st->history_ms = history_ms;
	st->history_mbufs = mbufs;
	st->n_tracks = audio ? 2 : 1;
	st->tracks[0].kind = WF_CONF_VIDEO;
	st->tracks[1].kind = WF_CONF_AUDIO;
}

static void rings_stay_within_the_streams_budget(void)
{
	static const uint32_t budgets[] = { 128, 300, 1024, 2048, 5000, 65536 };
	static const uint32_t windows[] = { 100, 1000, 3000, 60000 };
	uint32_t rings[WF_CONF_MAX_TRACKS];
	struct wf_config_stream st;
	unsigned b, w;

	for (b = 0; b < 6; b++)
		for (w = 0; w < 4; w++) {
			uint32_t sum;

			stream(&st, windows[w], budgets[b], true);
			sum = wf_mbufs_rings(&st, rings);
			WF_CHECKF(sum <= budgets[b] || budgets[b] < 128, "%u ms, %u mbufs: %u",
				  windows[w], budgets[b], sum);
			WF_CHECK_EQ(sum, rings[0] + rings[1]);
			WF_CHECK(rings[0] >= 64 && !(rings[0] & (rings[0] - 1)));
			WF_CHECK(rings[1] >= 64 && !(rings[1] & (rings[1] - 1)));
		}
	/* the default: 3 s of audio (512), video takes the rest (1024) */
	stream(&st, 3000, 2048, true);
	WF_CHECK_EQ(wf_mbufs_rings(&st, rings), 1536);
	WF_CHECK_EQ(rings[1], 512);
	WF_CHECK_EQ(rings[0], 1024);
	/* video alone, a short window: what the window needs */
	stream(&st, 100, 65536, false);
	WF_CHECK_EQ(wf_mbufs_rings(&st, rings), 512);
}

/* Every item between two workers may hold a received packet: the reserve
 * counts the three rings of every pair full, and their buffers; what one
 * worker may have waiting from all the others stays about the same as
 * workers are added, so the reserve grows with the workers, not their
 * square, down to a ring's least size, which holds several bursts. */
static void the_reserve_counts_every_pairs_rings_full(void)
{
	unsigned n;

	WF_CHECK_EQ(wf_handoff_ring_size(1), WF_HANDOFF_RING_MIN);
	for (n = 2; n <= WF_MAX_WORKERS; n++) {
		unsigned ho = wf_handoff_ring_size(n), ws = wf_wire_ring_size(WF_WIRE_SOURCE, n);
		unsigned wv = wf_wire_ring_size(WF_WIRE_VIEWER, n);
		uint32_t pairs = (uint32_t)(wf_mbufs_reserve(1, n) - wf_mbufs_reserve(1, 1)) -
				 (n - 1) * (1024 + 2 * 1023 + 64 + 16 + 384);

		WF_CHECKF(!(ho & (ho - 1)) && !(ws & (ws - 1)) && !(wv & (wv - 1)), "%u: %u %u %u",
			  n, ho, ws, wv);
		WF_CHECKF(ho >= WF_HANDOFF_RING_MIN && ws >= WF_WIRE_RING_MIN &&
			  wv >= WF_WIRE_RING_MIN && WF_WIRE_RING_MIN >= 4 * WF_BURST,
			  "%u: %u %u %u", n, ho, ws, wv);
		WF_CHECKF((n - 1) * ho <= RTE_MAX((unsigned)WF_HANDOFF_ITEMS,
						  (n - 1) * WF_HANDOFF_RING_MIN), "%u: %u", n, ho);
		WF_CHECKF((n - 1) * ws <= RTE_MAX((unsigned)WF_WIRE_SOURCE_ITEMS,
						  (n - 1) * WF_WIRE_RING_MIN), "%u: %u", n, ws);
		WF_CHECKF((n - 1) * wv <= RTE_MAX((unsigned)WF_WIRE_VIEWER_ITEMS,
						  (n - 1) * WF_WIRE_RING_MIN), "%u: %u", n, wv);
		WF_CHECKF(pairs == n * (n - 1) * (ho - 1 + ws - 1 + wv - 1 + 3 * WF_BURST),
			  "%u workers: %" PRIu32, n, pairs);
	}
	WF_CHECK_EQ(wf_handoff_ring_size(2), 4096);
	WF_CHECK_EQ(wf_wire_ring_size(WF_WIRE_SOURCE, 2), 1024);
	WF_CHECK_EQ(wf_wire_ring_size(WF_WIRE_VIEWER, 2), 512);
	WF_CHECK_EQ(wf_handoff_ring_size(16), 1024);
	WF_CHECK_EQ(wf_wire_ring_size(WF_WIRE_VIEWER, 16), 128);
}

static void the_check_refuses_histories_that_do_not_fit_with_the_numbers(void)
{
	char msg[320];
	uint32_t reserve = wf_mbufs_reserve(1, 2);

	/* receive rings, two punt rings a worker, a WHIP batch and the
	 * held evictions a worker, caches at their flush threshold, both
	 * rings and buffers of the two pairs of workers: the transmit side
	 * has its own pool */
	WF_CHECK_EQ(reserve, 2 * 1024 + 2 * 2 * 1023 + 2 * (64 + 16) + 3 * 384 +
			     2 * (4095 + 1023 + 511 + 3 * 32) + 512);
	memset(&cfg, 0, sizeof(cfg));
	cfg.n_ports = 1;
	cfg.n_streams = 2;
	stream(&cfg.streams[0], 3000, 2048, true);
	stream(&cfg.streams[1], 3000, 2048, true);
	cfg.dpdk.mbufs = reserve + 2 * 1536;
	WF_CHECK_EQ(wf_mbufs_check(&cfg, 2, msg, sizeof(msg)), 0);
	cfg.dpdk.mbufs--;
	WF_CHECK_EQ(wf_mbufs_check(&cfg, 2, msg, sizeof(msg)), -ENOSPC);
	WF_CHECKF(strstr(msg, "at least 22486") != NULL, "%s", msg);
	WF_CHECKF(strstr(msg, "3072") != NULL, "%s", msg);
}

/* The transmit pool holds what may wait at once: every transmit queue
 * full, each worker's transmit buffers, protect batch, spare copies and
 * slow-path ring full, every lcore's cache at its flush threshold (1.5 x
 * its size), and the slack; its size is that rounded up to 2^k - 1. */
static void the_transmit_pool_covers_its_queues_caches_and_buffers(void)
{
	static const unsigned cases[][3] = {
		{ 1, 1, 1024 }, { 1, 2, 1024 }, { 2, 1, 1024 }, { 4, 8, 4096 }, { 8, 16, 512 },
	};
	unsigned i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		unsigned ports = cases[i][0], workers = cases[i][1], txd = cases[i][2];
		uint64_t queues = (uint64_t)ports * workers * txd;
		uint64_t buffers = (uint64_t)ports * workers * 64 + workers * 2 * 32;
		uint64_t slow = (uint64_t)workers * 1023;
		uint64_t caches = (uint64_t)(workers + 1) * 384;
		uint64_t need = queues + buffers + slow + caches + 512;
		uint32_t n = wf_mbufs_tx(ports, workers, txd);

		WF_CHECKF(wf_mbufs_tx_need(ports, workers, txd) == need,
			  "%u ports, %u workers, %u descriptors: %u, want %" PRIu64, ports, workers,
			  txd, wf_mbufs_tx_need(ports, workers, txd), need);
		WF_CHECKF(n >= need && ((n + 1) & n) == 0 && n / 2 < need,
			  "%u ports, %u workers: size %u for a need of %" PRIu64, ports, workers, n,
			  need);
	}
}

static void workers_come_from_the_eal_arguments(void)
{
	static const struct { const char *a, *b; unsigned want; } cases[] = {
		{ "-l", "0-1", 1 }, { "-l", "0-3", 3 }, { "--lcores", "(0-2)@(0-1)", 2 },
		{ "--lcores", "0,1@1,2@(0,1)", 2 }, { "-c", "0xf", 3 }, { "-l", "5", 1 },
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&cfg, 0, sizeof(cfg));
		snprintf(cfg.dpdk.eal[0], sizeof(cfg.dpdk.eal[0]), "--no-huge");
		snprintf(cfg.dpdk.eal[1], sizeof(cfg.dpdk.eal[1]), "%s", cases[i].a);
		snprintf(cfg.dpdk.eal[2], sizeof(cfg.dpdk.eal[2]), "%s", cases[i].b);
		cfg.dpdk.n_eal = 3;
		WF_CHECKF(wf_mbufs_eal_workers(&cfg) == cases[i].want, "%s %s: %u", cases[i].a,
			  cases[i].b, wf_mbufs_eal_workers(&cfg));
	}
	memset(&cfg, 0, sizeof(cfg));
	WF_CHECK(wf_mbufs_eal_workers(&cfg) >= 1);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(rings_stay_within_the_streams_budget);
	WF_RUN(the_reserve_counts_every_pairs_rings_full);
	WF_RUN(the_check_refuses_histories_that_do_not_fit_with_the_numbers);
	WF_RUN(the_transmit_pool_covers_its_queues_caches_and_buffers);
	WF_RUN(workers_come_from_the_eal_arguments);
	return wf_test_done();
}
