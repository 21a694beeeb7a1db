/* portstats.c: rte_eth_stats for telemetry and /metrics (portstats.h).
 * ethdev's counters are read with rte_eth_stats_get(), which drivers
 * serve from their own counters: safe from the telemetry thread and the
 * slow path while the workers run (DPDK's /ethdev/stats does the same). */
#include "ops/portstats.h"

#include <inttypes.h>
#include <stddef.h>

#include <rte_ethdev.h>

#include "core/app.h"

/* The totals: name, field, help. */
#define WF_PORT_STATS(_) \
	_(rx_packets, ipackets, "Packets the port received.") \
	_(tx_packets, opackets, "Packets the port transmitted.") \
	_(rx_bytes, ibytes, "Bytes the port received.") \
	_(tx_bytes, obytes, "Bytes the port transmitted.") \
	_(rx_missed, imissed, "Packets the port dropped: its receive ring was full.") \
	_(rx_errors, ierrors, "Erroneous packets the port received.") \
	_(tx_errors, oerrors, "Packets the port failed to transmit.") \
	_(rx_nombuf, rx_nombuf, "Packets the port dropped: no mbuf to receive into.")

/* Queues reported: the workers' (one per worker), within ethdev's limit. */
static unsigned queues(void)
{
	return RTE_MIN(wf_app.n_workers, (unsigned)RTE_ETHDEV_QUEUE_STAT_CNTRS);
}

static struct rte_tel_data *queue_array(const uint64_t *v, unsigned n)
{
	struct rte_tel_data *a = rte_tel_data_alloc();
	unsigned q;

	if (!a)
		return NULL;
	rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
	for (q = 0; q < n; q++)
		rte_tel_data_add_array_u64(a, v[q]);
	return a;
}

void wf_portstats_telemetry(struct rte_tel_data *d)
{
	struct rte_tel_data *ports = rte_tel_data_alloc();
	unsigned i;

	if (!ports)
		return;
	rte_tel_data_start_dict(ports);
	for (i = 0; i < wf_app.n_ports; i++) {
		struct rte_tel_data *p = rte_tel_data_alloc(), *a;
		struct rte_eth_stats st;

		if (!p)
			break;
		rte_tel_data_start_dict(p);
		if (rte_eth_stats_get(wf_app.ports[i].port_id, &st) == 0) {
#define WF_PORT_TEL_(nm, field, help) rte_tel_data_add_dict_u64(p, #nm, st.field);
			WF_PORT_STATS(WF_PORT_TEL_)
#undef WF_PORT_TEL_
			if ((a = queue_array(st.q_ipackets, queues())))
				rte_tel_data_add_dict_container(p, "rx_queue_packets", a, 0);
			if ((a = queue_array(st.q_opackets, queues())))
				rte_tel_data_add_dict_container(p, "tx_queue_packets", a, 0);
			if ((a = queue_array(st.q_errors, queues())))
				rte_tel_data_add_dict_container(p, "queue_errors", a, 0);
		}
		rte_tel_data_add_dict_container(ports, wf_app.ports[i].name, p, 0);
	}
	rte_tel_data_add_dict_container(d, "ports", ports, 0);
}

/* One per-queue counter (the u64 array at off in struct rte_eth_stats) of
 * every port whose stats were read. */
static void queue_metric(FILE *f, const char *name, const char *help,
			 const struct rte_eth_stats *st, const bool *ok, size_t off)
{
	unsigned i, q;

	fprintf(f, "# HELP whepfan_port_queue_%s_total %s\n"
		"# TYPE whepfan_port_queue_%s_total counter\n", name, help, name);
	for (i = 0; i < wf_app.n_ports; i++) {
		const uint64_t *v = (const uint64_t *)((const uint8_t *)&st[i] + off);

		for (q = 0; ok[i] && q < queues(); q++)
			fprintf(f, "whepfan_port_queue_%s_total{port=\"%s\",queue=\"%u\"} %" PRIu64
				"\n", name, wf_app.ports[i].name, q, v[q]);
	}
}

void wf_portstats_metrics(FILE *f)
{
	struct rte_eth_stats st[WF_MAX_PORTS];
	bool ok[WF_MAX_PORTS];
	unsigned i;

	for (i = 0; i < wf_app.n_ports; i++)
		ok[i] = rte_eth_stats_get(wf_app.ports[i].port_id, &st[i]) == 0;
#define WF_PORT_PROM_(nm, field, help) \
	fprintf(f, "# HELP whepfan_port_" #nm "_total " help "\n" \
		"# TYPE whepfan_port_" #nm "_total counter\n"); \
	for (i = 0; i < wf_app.n_ports; i++) \
		if (ok[i]) \
			fprintf(f, "whepfan_port_" #nm "_total{port=\"%s\"} %" PRIu64 "\n", \
				wf_app.ports[i].name, st[i].field);
	WF_PORT_STATS(WF_PORT_PROM_)
#undef WF_PORT_PROM_
	queue_metric(f, "rx_packets", "Packets received per queue (queue n is worker n's).", st, ok,
		     offsetof(struct rte_eth_stats, q_ipackets));
	queue_metric(f, "errors", "Receive errors per queue.", st, ok,
		     offsetof(struct rte_eth_stats, q_errors));
}
