/* history.h: a stream's shared packet history, held by its owner lcore.
 *
 * One ring of reference-counted mbufs per track, indexed by the source's
 * extended sequence number, bounded by a packet count (the ring size) and
 * a time window (history_ms).  Every viewer's retransmission and key-frame
 * replay reads from here: memory grows with streams, not with viewers.
 * The ring also is the key-frame cache: time-based eviction stops at the
 * newest key frame's first packet, so a new viewer always finds one.
 */
#ifndef WF_HISTORY_H
#define WF_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "core/stream_state.h"

/* The stored packet with ext seq ext, or NULL. */
static inline struct rte_mbuf *wf_history_get(const struct wf_track_state *t, uint32_t ext)
{
	const struct wf_history_slot *s = &t->slots[ext & t->mask];

	return s->m && s->ext == ext ? s->m : NULL;
}

/* Stores m (taking the caller's reference) under ext, and forgets the
 * key-frame cache when its first packet leaves the ring.  *evicted gets
 * what the slot held (the caller's reference to free), or NULL.  Returns
 * false (m untouched, *evicted NULL) when ext is a duplicate, also of a
 * packet evicted since (its number went out under the viewers' indexes). */
bool wf_history_put(struct wf_track_state *t, struct rte_mbuf *m, uint32_t ext,
		    struct rte_mbuf **evicted);

/* Frees packets older than the time window, never past the newest key
 * frame; returns how many were freed. */
unsigned wf_history_evict(struct wf_track_state *t, uint64_t now_tsc);

/* Frees everything (stream removal). */
void wf_history_clear(struct wf_track_state *t);

/* Bytes of mbuf data the track's history holds now. */
uint64_t wf_history_bytes(const struct wf_track_state *t);

#endif
