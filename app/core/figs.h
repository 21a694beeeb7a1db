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

#include <stdbool.h>
#include <stdint.h>

#include "core/viewer.h"

struct wf_viewer_figs {
	uint64_t pkts;
	uint64_t bytes;
	int32_t resend_budget;
	struct wf_viewer_track trk[WF_MAX_TRACKS];
	struct wf_viewer_fb fb[WF_MAX_TRACKS];
};

#define WF_VIEWER_FIGS_TRIES	8	/* members moved under each copy: give up */

/* Copies the figures of viewer (slot, gen) of worker w into *out; false
 * when the worker is not up, the slot does not hold that viewer before or
 * after the copy (not added yet, removed, reused), or members moved under
 * WF_VIEWER_FIGS_TRIES copies in a row. */
bool wf_viewer_figs(unsigned w, uint32_t slot, uint16_t gen, struct wf_viewer_figs *out);

#endif
