/* figs.c: a viewer's figures seen from another thread (figs.h). */
#include "core/figs.h"

#include <errno.h>
#include <string.h>

#include "core/lcore.h"
#include "core/pub.h"

/* Removing a viewer bumps its slot's gen before any later viewer writes
 * the slot (apply.c), so a gen unchanged around the copy means the slot's
 * figures were ours.  The worker changes a viewer's gen and cell number
 * and moves cells only inside a write of members_sc, so a count even and
 * unchanged around the copy means the cell read was the viewer's.  The
 * tables live as long as the worker. */
int wf_viewer_figs(unsigned w, uint32_t slot, uint16_t gen, struct wf_viewer_figs *out)
{
	const struct wf_lcore *lc = wf_lcore_get(w);
	const struct wf_viewer_out *vo;
	const struct wf_viewer *v;
	unsigned tries;
	uint32_t sn, pos;

	if (!lc || slot >= lc->n_slots)
		return -ENOENT;
	v = &lc->viewers[slot];
	for (tries = 1; tries <= WF_PUB_READ_TRIES; tries++) {
		if (tries > 1)
			wf_pub_backoff(tries - 1);
		sn = rte_seqcount_read_begin(&lc->members_sc);
		if (sn & 1)
			continue;	/* a move under way: its end is near */
		/* acquire: pairs with del_viewer()'s release fence (apply.c) */
		if (__atomic_load_n(&v->gen, __ATOMIC_ACQUIRE) != gen ||
		    !__atomic_load_n(&v->in_use, __ATOMIC_RELAXED)) {
			if (rte_seqcount_read_retry(&lc->members_sc, sn))
				continue;	/* changed as we looked: look again */
			return -ENOENT;
		}
		pos = __atomic_load_n(&v->pos, __ATOMIC_RELAXED);
		if (pos >= lc->n_slots)
			continue;	/* only mid-change: read_retry fails */
		vo = &lc->member_out[pos];
		out->pkts = vo->pkts_out;
		out->bytes = vo->bytes_out;
		memcpy(out->trk, vo->trk, sizeof(out->trk));
		out->resend_budget = v->retx.tokens;
		memcpy(out->fb, v->fb, sizeof(out->fb));
		/* the copies above are done before gen is read again */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&v->gen, __ATOMIC_RELAXED) != gen)
			return -ENOENT;
		if (!rte_seqcount_read_retry(&lc->members_sc, sn))
			return 0;
	}
	return -EBUSY;
}
