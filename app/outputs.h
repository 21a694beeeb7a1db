/* outputs.h: static outputs from the configuration: viewers configured in
 * the file instead of negotiated over WHEP, on the same fast path.  Each
 * waits for ARP to resolve its next hop, then becomes a viewer. */
#ifndef WF_OUTPUTS_H
#define WF_OUTPUTS_H

#include "conf/conf.h"

int wf_outputs_init(const struct wf_config *cfg);
/* Activates outputs whose next hop resolved (called every 100 ms). */
void wf_outputs_tick(void);
/* Removes every output's viewer. */
void wf_outputs_stop(void);
/* Outputs configured / active. */
unsigned wf_outputs_count(bool active_only);

#endif
