/* figs.h: a viewer's figures as a thread other than its worker sees them
 * (telemetry's /whepfan/session).
 *
 * The worker writes them as plain counters, in two places: its slot of the
 * viewer table (what its reports say, its resend budget) and its member
 * cell (what its copies count), which moves when viewers come and go
 * (apply.c).  A reader copies them between checks that the slot still
 * holds the viewer it asked for and that no member moved meanwhile.
 */
#ifndef WF_FIGS_H
#define WF_FIGS_H

#include <stdint.h>

#include "core/viewer.h"

struct wf_viewer_figs {
	uint64_t pkts;
	uint64_t bytes;
	int32_t resend_budget;
	struct wf_viewer_track trk[WF_MAX_TRACKS];
	struct wf_viewer_fb fb[WF_MAX_TRACKS];
};

/* Copies the figures of viewer (slot, gen) of worker w into *out.  A copy
 * that a move overlapped is taken again, pausing, and yielding the CPU
 * every WF_PUB_YIELD_EVERY tries (pub.h: readers are telemetry threads,
 * never workers), up to WF_PUB_READ_TRIES.  Returns 0, -ENOENT when the
 * worker is not up or the slot does not hold that viewer (not added yet,
 * removed, reused), or -EBUSY when members kept moving (viewers churning
 * on that worker): the figures exist but could not be read now. */
int wf_viewer_figs(unsigned w, uint32_t slot, uint16_t gen, struct wf_viewer_figs *out);

#endif
