/* worker.h: the worker lcore's loop (run to completion, poll mode). */
#ifndef WF_WORKER_H
#define WF_WORKER_H

#include <stdint.h>

struct wf_lcore;

/* The lcore entry point; arg is the struct wf_lcore *. */
int wf_worker_main(void *arg);

/* One poll's work after its receive bursts (rx_work: what the poll did so
 * far): items from other workers, replays due, the SRTP batch, the SR and
 * history timers every timer_tsc cycles, then the handoff buffers and the
 * transmit buffers due (all of them when the poll found no work: tx.h).
 * Returns the items taken from other workers.  The loop calls it; so does
 * the worker fuzz target, which plays the workers on one thread. */
unsigned wf_worker_poll_tail(struct wf_lcore *lc, uint64_t timer_tsc, unsigned rx_work);

#endif
