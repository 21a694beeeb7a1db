/* apply.h: a worker applies the slow path's control messages (ctrl.h)
 * between bursts: viewers and streams added, moved and removed, each
 * answered on the worker's reply ring (the slow path's side: ctrlq.h).
 */
#ifndef WF_APPLY_H
#define WF_APPLY_H

#include "core/ctrl.h"

struct wf_lcore;

/* Takes up to max messages waiting on lc's ctrl ring into msgs; returns
 * how many.  The dequeue orders everything the slow path did before it
 * sent them (frames it queued on slow_tx, say) before what follows. */
unsigned wf_ctrl_take(struct wf_lcore *lc, struct wf_ctrl_msg **msgs, unsigned max);

/* Applies n taken messages and answers each on the reply ring. */
void wf_ctrl_apply(struct wf_lcore *lc, struct wf_ctrl_msg **msgs, unsigned n);

#endif
