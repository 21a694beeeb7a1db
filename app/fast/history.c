/* history.c: the per-track ring of reference-counted mbufs (history.h). */
#include "fast/history.h"

#include <rte_prefetch.h>

#include "core/app.h"

/* ext seq numbers are compared on the 32-bit circle. */
static inline bool ext_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/* How far ahead the time window's eviction fetches: its steps are short,
 * one step ahead would not hide the miss. */
#define EVICT_AHEAD	4

/* Fetches the lines of the mbuf that slot s holds, if any: the two that
 * rte_pktmbuf_free() reads and writes, and the metadata.  A packet leaves
 * the history long after it came in, so its mbuf is cold; the time
 * window (a later evict step) frees in order, so a fetch ahead hides a
 * miss to memory per packet.  (A full ring's evictee goes back to ingest,
 * which fetches it and frees it later: ingest.c.) */
static inline void prefetch_evictee(const struct wf_history_slot *s)
{
	if (s->m) {
		rte_prefetch0(s->m);
		rte_prefetch0(RTE_PTR_ADD(s->m, RTE_CACHE_LINE_SIZE));
		rte_prefetch0(wf_meta(s->m));	/* the window's test reads rx_tsc */
	}
}

bool wf_history_put(struct wf_track_state *t, struct rte_mbuf *m, uint32_t ext,
		    struct rte_mbuf **evicted)
{
	struct wf_history_slot *s = &t->slots[ext & t->mask];

	*evicted = NULL;
	/* a packet stored before, even if evicted since: its number was
	 * sent under the viewers' SRTP indexes, and another packet under the
	 * same index would reuse the keystream (RFC 3711 §9.1) */
	if (s->used && s->ext == ext)
		return false;
	*evicted = s->m;
	s->m = m;
	s->ext = ext;
	s->used = 1;
	if (!t->have_any) {
		t->have_any = true;
		t->newest = ext;
		t->oldest = ext;
	} else if (ext_before(t->newest, ext)) {
		t->newest = ext;
	}
	if (ext_before(ext, t->oldest))
		t->oldest = ext;
	/* the ring holds mask + 1 packets at most */
	if (t->newest - t->oldest > t->mask)
		t->oldest = t->newest - t->mask;
	/* a key frame whose start was overwritten is cached no more: a
	 * replay from it would walk the whole gap and miss its start */
	if (t->have_kf && ext_before(t->last_kf, t->oldest))
		t->have_kf = false;
	/* the next puts' slots were last touched a ring's length ago: their
	 * line, before the next put tests it (the evictee itself is the
	 * caller's to fetch and free, ingest.c) */
	rte_prefetch0(&t->slots[(ext + 4) & t->mask]);
	return true;
}

unsigned wf_history_evict(struct wf_track_state *t, uint64_t now_tsc)
{
	unsigned freed = 0, steps = 0;

	while (t->have_any && !ext_before(t->newest, t->oldest) && steps++ < 512) {
		struct wf_history_slot *s = &t->slots[t->oldest & t->mask];

		if (t->have_kf && !ext_before(t->oldest, t->last_kf))
			break;	/* keep the key-frame cache */
		prefetch_evictee(&t->slots[(t->oldest + EVICT_AHEAD) & t->mask]);
		if (s->m && s->ext == t->oldest) {
			if (wf_meta(s->m)->rx_tsc + t->window_tsc > now_tsc)
				break;
			rte_pktmbuf_free(s->m);
			s->m = NULL;
			freed++;
		}
		if (t->oldest == t->newest)
			break;	/* keep the newest packet's place */
		t->oldest++;
	}
	return freed;
}

void wf_history_clear(struct wf_track_state *t)
{
	uint32_t i;

	if (!t->slots)
		return;
	for (i = 0; i <= t->mask; i++) {
		if (t->slots[i].m) {
			rte_pktmbuf_free(t->slots[i].m);
			t->slots[i].m = NULL;
		}
		t->slots[i].used = 0;
	}
	t->have_any = false;
	t->have_kf = false;
}

uint64_t wf_history_bytes(const struct wf_track_state *t)
{
	uint64_t b = 0;
	uint32_t i;

	if (!t->slots)
		return 0;
	for (i = 0; i <= t->mask; i++)
		if (t->slots[i].m)
			b += t->slots[i].m->buf_len;
	return b;
}
