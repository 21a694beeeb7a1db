/* setup.h: building the appliance from a configuration (after EAL init):
 * workers, mempools, rings, ports, the viewer registry, streams and static
 * outputs; and taking it all down. */
#ifndef WF_SETUP_H
#define WF_SETUP_H

#include "conf/conf.h"

/* The fast-path half of wf_setup(): worker lcores, the SRTP engines'
 * arch, the packet and control pools, per-lcore state and rings, the
 * handoff rings, the ports and the viewer registry (peer table).  Nothing
 * is launched and no socket is opened: a harness that plays the workers
 * itself (tests/fuzz/fuzz_worker.c) builds real worker state with it.
 * Returns 0 or -errno with the reason logged; wf_teardown() follows. */
int wf_setup_workers(struct wf_config *cfg);

/* Builds everything and launches the workers.  Returns 0 or -errno with
 * the reason logged.  wf_teardown() must follow either way. */
int wf_setup(struct wf_config *cfg);

/* Launches wf_worker_main() on every worker lcore (wf_setup() does; the
 * bench again after wf_workers_stop()).  0 or the first launch's -errno. */
int wf_workers_start(void);

/* Stops the workers (each flushes what it holds) and waits for them. */
void wf_workers_stop(void);

/* Removes viewers and streams, stops the workers and the ports. */
void wf_teardown(void);

#endif
