/* portstats.h: the NICs' own counters (rte_eth_stats) for telemetry and
 * /metrics: what the ports drop before a worker sees a packet (no mbuf
 * for RX, missed for a full ring, errors) is counted nowhere else. */
#ifndef WF_PORTSTATS_H
#define WF_PORTSTATS_H

#include <stdio.h>

#include <rte_telemetry.h>

/* Adds a "ports" dictionary to d: one per configured port, with its
 * totals and per-queue packets and errors. */
void wf_portstats_telemetry(struct rte_tel_data *d);

/* Writes the same as Prometheus counters to f. */
void wf_portstats_metrics(FILE *f);

#endif
