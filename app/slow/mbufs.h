/* mbufs.h: how the packet pools are sized and the receive pool
 * (dpdk.mbufs) is shared.
 *
 * A stream's history holds its packets for retransmission and the key-frame
 * cache; a source that never sends a key frame (long GOP, intra refresh)
 * would keep every packet since the last one.  So each stream's history is
 * bounded in packets as well as in time (streams[].history_mbufs): its
 * tracks' rings together hold at most that many, and when a ring is full
 * the oldest packet goes (and with it the key-frame cache, once its first
 * packet is gone: viewers then wait for the next key frame).  What no
 * history may take is the reserve: the ports' receive rings, the workers'
 * punt rings, the per-lcore caches and some slack, so reception never
 * starves.  A configuration
 * whose histories do not fit beside the reserve is refused: by
 * --check-config, at start, and for a stream a reload adds.
 *
 * What whepfan writes and sends (viewers' copies, RTCP, the slow path's
 * frames) comes from a second pool, sized from the ports and workers
 * alone: nothing holds those packets longer than a transmit queue does,
 * and neither pool's users can starve the other's.
 */
#ifndef WF_MBUFS_H
#define WF_MBUFS_H

#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

#define WF_MBUFS_SLACK	512	/* packets in flight between rings and stages */
/* The most a per-lcore mempool cache holds: DPDK flushes it only past
 * 1.5 times its size. */
#define WF_MBUF_CACHE_HELD	(WF_MBUF_CACHE * 3 / 2)

/* Mbufs no history may hold with n_ports ports of n_workers queues. */
uint32_t wf_mbufs_reserve(unsigned n_ports, unsigned n_workers);

/* What the transmit pool must hold with n_ports ports of n_workers queues
 * of n_txd descriptors (the most any port was given), and its size: that,
 * rounded up to 2^k - 1. */
uint32_t wf_mbufs_tx_need(unsigned n_ports, unsigned n_workers, unsigned n_txd);
uint32_t wf_mbufs_tx(unsigned n_ports, unsigned n_workers, unsigned n_txd);

/* The ring size (a power of two) of each of cs's tracks: what history_ms
 * needs (history.h: wf_history_slots_for), within history_mbufs for all
 * of them, audio served first (it needs little), video taking the rest.
 * Returns their sum: the most packets the stream's history can hold. */
uint32_t wf_mbufs_rings(const struct wf_config_stream *cs, uint32_t rings[WF_CONF_MAX_TRACKS]);

/* Whether cfg's streams fit the pool with n_workers workers: 0, or -ENOSPC
 * with a sentence giving the numbers in msg[cap]. */
int wf_mbufs_check(const struct wf_config *cfg, unsigned n_workers, char *msg, size_t cap);

/* The workers cfg's EAL arguments (-l, --lcores, -c) ask for: the lcores
 * they name less the main one; without any, the online CPUs less one. */
unsigned wf_mbufs_eal_workers(const struct wf_config *cfg);

#endif
