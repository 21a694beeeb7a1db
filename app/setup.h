/* setup.h: building the appliance from a configuration (after EAL init):
 * workers, mempools, rings, ports, the viewer registry, streams and static
 * outputs; and taking it all down. */
#ifndef WF_SETUP_H
#define WF_SETUP_H

#include "conf/conf.h"

/* Builds everything and launches the workers.  Returns 0 or -errno with
 * the reason logged.  wf_teardown() must follow either way. */
int wf_setup(struct wf_config *cfg);

/* Publishes webrtc.nack and the retransmission and replay budgets to the
 * workers (at start, and on SIGHUP: they read them at every request). */
void wf_budgets_apply(const struct wf_config_webrtc *r);

/* Removes viewers and streams, stops the workers and the ports. */
void wf_teardown(void);

#endif
