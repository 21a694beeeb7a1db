/* mbufs.c: the packet pool's shares (mbufs.h). */
#include "slow/mbufs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/app.h"
#include "core/lcore.h"
#include "core/stream_state.h"
#include "slow/port.h"

#define MIN_RING	64	/* the smallest history ring of a track */

uint32_t wf_mbufs_reserve(unsigned n_ports, unsigned n_workers)
{
	/* every receive queue's descriptors hold an mbuf each; a worker's
	 * two punt rings may be full of received frames the slow path has
	 * not taken yet; within a poll a worker holds a WHIP unprotect batch
	 * and the packets the histories let go until they are freed together
	 * (lc->evicted); each lcore's cache (the workers' and the slow
	 * path's) holds up to its flush threshold; and between two workers
	 * the three rings may be full and their buffers too (handoff.h):
	 * received packets on the wire rings, media the histories may have
	 * let go since on the handoff ring */
	uint32_t pairs = n_workers * (n_workers - 1);
	uint32_t pair = wf_handoff_ring_size(n_workers) - 1 +
			wf_wire_ring_size(WF_WIRE_SOURCE, n_workers) - 1 +
			wf_wire_ring_size(WF_WIRE_VIEWER, n_workers) - 1 + 3 * WF_BURST;

	return (uint32_t)(n_ports * n_workers * WF_RX_DESC + n_workers * 2 * (WF_PUNT_RING_SIZE - 1) +
			  n_workers * (WF_SRTP_BURST_MAX + WF_EVICT_BATCH) +
			  (n_workers + 1) * WF_MBUF_CACHE_HELD + pairs * pair + WF_MBUFS_SLACK);
}

uint32_t wf_mbufs_tx_need(unsigned n_ports, unsigned n_workers, unsigned n_txd)
{
	/* a worker's: what its transmit queues may hold until the NIC is
	 * done, its transmit buffers, a protect batch and its spare copies,
	 * and the frames the slow path queued for it */
	uint32_t worker = n_ports * (n_txd + WF_TXBUF) + 2 * WF_BURST + (WF_PUNT_RING_SIZE - 1);

	return n_workers * worker + (n_workers + 1) * WF_MBUF_CACHE_HELD + WF_MBUFS_SLACK;
}

uint32_t wf_mbufs_tx(unsigned n_ports, unsigned n_workers, unsigned n_txd)
{
	uint32_t n = wf_mbufs_tx_need(n_ports, n_workers, n_txd), size = 1;

	while (size - 1 < n)	/* 2^k - 1: what a ring-backed mempool fits best */
		size *= 2;
	return size - 1;
}

static uint32_t pow2_floor(uint32_t v)
{
	uint32_t p = MIN_RING;

	while (p * 2 <= v)
		p *= 2;
	return p;
}

uint32_t wf_mbufs_rings(const struct wf_config_stream *cs, uint32_t rings[WF_CONF_MAX_TRACKS])
{
	uint32_t left = cs->history_mbufs, sum = 0;
	unsigned t, pass;

	/* audio first (half of what is left at most), then video */
	for (pass = 0; pass < 2; pass++) {
		for (t = 0; t < cs->n_tracks && t < WF_CONF_MAX_TRACKS; t++) {
			unsigned kind = cs->tracks[t].kind;
			uint32_t need, cap;

			if ((pass == 0) != (kind == WF_CONF_AUDIO))
				continue;
			need = wf_history_slots_for(kind, cs->history_ms);
			cap = pow2_floor(kind == WF_CONF_AUDIO ? left / 2 : left);
			rings[t] = need < cap ? need : cap;
			left = left > rings[t] ? left - rings[t] : 0;
			sum += rings[t];
		}
	}
	return sum;
}

int wf_mbufs_check(const struct wf_config *cfg, unsigned n_workers, char *msg, size_t cap)
{
	uint32_t rings[WF_CONF_MAX_TRACKS], reserve, history = 0;
	unsigned s;

	reserve = wf_mbufs_reserve(cfg->n_ports, n_workers);
	for (s = 0; s < cfg->n_streams; s++)
		history += wf_mbufs_rings(&cfg->streams[s], rings);
	if ((uint64_t)reserve + history <= cfg->dpdk.mbufs)
		return 0;
	snprintf(msg, cap, "dpdk.mbufs = %u is too small: the streams' histories may hold %u "
		 "mbufs (streams[].history_mbufs) and the receive reserve of %u port(s) "
		 "x %u worker(s) takes %u; raise dpdk.mbufs to at least %u or lower "
		 "history_mbufs", cfg->dpdk.mbufs, history, cfg->n_ports, n_workers, reserve,
		 reserve + history);
	return -ENOSPC;
}

/* Lcores in an EAL list "0-3", "1,3", "(0-2)@(0-1)", "1@2": the ids before
 * each '@' (ranges counted whole). */
static unsigned lcores_in(const char *s)
{
	unsigned n = 0;

	while (*s) {
		char *end;
		long a, b;

		if (*s == '@') {	/* the CPU set: skip to the next element */
			while (*s && *s != ',')
				s += *s == '(' ? strcspn(s, ")") : 1;
			continue;
		}
		if (*s < '0' || *s > '9') {
			s++;
			continue;
		}
		a = strtol(s, &end, 10);
		b = a;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		n += b >= a ? (unsigned)(b - a + 1) : 1;
		s = end;
	}
	return n;
}

unsigned wf_mbufs_eal_workers(const struct wf_config *cfg)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned i, n = 0;

	for (i = 0; i < cfg->dpdk.n_eal; i++) {
		const char *a = cfg->dpdk.eal[i], *next = i + 1 < cfg->dpdk.n_eal ?
							cfg->dpdk.eal[i + 1] : "";

		if (!strcmp(a, "-l") || !strcmp(a, "--lcores"))
			n = lcores_in(next);
		else if (!strncmp(a, "--lcores=", 9))
			n = lcores_in(a + 9);
		else if (!strcmp(a, "-c"))
			n = (unsigned)__builtin_popcountll(strtoull(next, NULL, 16));
	}
	if (!n)
		n = cpus > 0 ? (unsigned)cpus : 1;
	return n > 1 ? n - 1 : 1;
}
