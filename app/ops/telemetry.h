/* telemetry.h: DPDK telemetry commands under /whepfan/ (docs/telemetry.md),
 * registered at start-up, answered on DPDK's telemetry threads (one per
 * connected client, concurrently with each other and with every lcore)
 * from the per-lcore counters (summed when read) and from what the slow
 * path and the workers publish for them (pub.h). */
#ifndef WF_TELEMETRY_H
#define WF_TELEMETRY_H

#include "core/lcore.h"

/* Sums every worker's counters into *sum. */
void wf_counters_sum(struct wf_counters *sum);

/* Shuts the /whepfan/ commands (they answer null from now on) and waits
 * until none is running.  The first step of teardown: what they read may
 * be freed afterwards.  Call from the main lcore only. */
void wf_telemetry_close(void);

#endif
