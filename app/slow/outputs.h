/* outputs.h: static outputs from the configuration: viewers configured in
 * the file instead of negotiated over WHEP, on the same fast path.  Each
 * waits for ARP to resolve its next hop, then becomes a viewer. */
#ifndef WF_OUTPUTS_H
#define WF_OUTPUTS_H

#include "conf/conf.h"

/* Prepares the outputs of every active stream of cfg, and a timer in the
 * event loop (ev.h) that activates those whose next hop resolved and has
 * them follow a next hop's new MAC, every 100 ms.  0 or -errno. */
int wf_outputs_init(const struct wf_config *cfg);
/* Adds the outputs of stream slot from its configuration (copied). */
int wf_outputs_add(unsigned slot, const struct wf_config_stream *cs);
/* Removes the outputs of stream slot (their viewers go). */
void wf_outputs_remove(unsigned slot);
/* Removes every output's viewer. */
void wf_outputs_stop(void);
/* Outputs configured / active; any thread may ask (telemetry). */
unsigned wf_outputs_count(bool active_only);

#endif
