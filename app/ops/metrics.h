/* metrics.h: Prometheus text exposition (format 0.0.4) of whepfan's
 * figures for GET /metrics: the same counters telemetry gives, with
 * labels lcore, reason, stream and track. */
#ifndef WF_METRICS_H
#define WF_METRICS_H

#include <stddef.h>

/* The whole text in a heap buffer (the caller frees it), or NULL. */
char *wf_metrics_text(size_t *len);

#endif
