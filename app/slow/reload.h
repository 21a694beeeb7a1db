/* reload.h: SIGHUP: read the configuration file again and apply what
 * changed in the streams without dropping viewers of unchanged streams. */
#ifndef WF_RELOAD_H
#define WF_RELOAD_H

#include "conf/conf.h"

/* Loads cfg->path again.  A file with errors is refused (each error
 * logged) and the running configuration stays.  Otherwise: removed
 * streams end (their sessions and outputs too); added streams start;
 * streams whose tracks or history changed restart (their viewers end);
 * changed outputs are replaced; tokens apply to the next request.  Other
 * groups (dpdk, ports, webrtc, http, dtls, srtp, workers) need a restart:
 * a change there is logged and not applied.  Returns 0 when applied,
 * -EINVAL when refused, -ENOMEM without wf_reload_init(). */
int wf_reload(struct wf_config *cfg);

/* The scratch a reload parses into, taken once at start (0 or -ENOMEM)
 * and given back at the end: a reload allocates no configuration. */
int wf_reload_init(void);
void wf_reload_fini(void);

#endif
