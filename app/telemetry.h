/* telemetry.h: DPDK telemetry commands under /whepfan/ (docs/telemetry.md),
 * registered at start-up, answered on DPDK's telemetry thread from the
 * per-lcore counters (summed when read). */
#ifndef WF_TELEMETRY_H
#define WF_TELEMETRY_H

#include "lcore.h"

/* Sums every worker's counters into *sum. */
void wf_counters_sum(struct wf_counters *sum);

#endif
