/* pub.h: records one thread publishes and other threads copy.
 *
 * A published record is a struct next to an rte_seqcount_t.  Its one
 * writer (the slow path for sessions and streams, a worker for the tracks
 * it owns) rewrites it whole between write_begin and write_end: no lock,
 * no waiting, no syscall, so workers may publish too.  A reader (DPDK's
 * telemetry threads) copies it and keeps the copy only when no write
 * overlapped; it never follows a pointer into the writer's own state, so
 * the writer may free that state at any time.  A record lives as long as
 * the process, or until wf_telemetry_close() (telemetry.h) shut readers
 * out.  docs/architecture.md, "Who owns what".
 */
#ifndef WF_PUB_H
#define WF_PUB_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <rte_pause.h>
#include <rte_seqcount.h>

/* Copies before a reader gives up on a record a writer keeps busy (the
 * writer was preempted mid-write): a telemetry reply then omits it. */
#define WF_PUB_READ_TRIES	1024
#define WF_PUB_YIELD_EVERY	64	/* failed copies between sched_yield() */

/* The one writer: rec (n bytes) becomes src. */
static inline void wf_pub_write(rte_seqcount_t *sc, void *rec, const void *src, size_t n)
{
	rte_seqcount_write_begin(sc);
	memcpy(rec, src, n);
	rte_seqcount_write_end(sc);
}

/* A reader's wait after its copy number failed (from 1) of a record a
 * write overlapped: a pause, and the CPU yielded every WF_PUB_YIELD_EVERY
 * failures (readers are telemetry threads, never workers). */
static inline void wf_pub_backoff(unsigned failed)
{
	if (failed % WF_PUB_YIELD_EVERY == 0)
		sched_yield();
	else
		rte_pause();
}

/* A reader: copies rec (n bytes) into dst, consistent as one write left
 * it.  false when a writer kept it busy for WF_PUB_READ_TRIES copies. */
static inline bool wf_pub_read(const rte_seqcount_t *sc, const void *rec, void *dst, size_t n)
{
	unsigned tries;

	for (tries = 1; tries <= WF_PUB_READ_TRIES; tries++) {
		uint32_t sn = rte_seqcount_read_begin(sc);

		memcpy(dst, rec, n);
		if (!rte_seqcount_read_retry(sc, sn))
			return true;
		wf_pub_backoff(tries);
	}
	return false;
}

#endif
