/* metrics.c: Prometheus text for GET /metrics (metrics.h). */
#include "ops/metrics.h"

#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>

#include "core/app.h"
#include "core/lcore.h"
#include "core/stream_state.h"
#include "ops/portstats.h"
#include "slow/frame.h"
#include "slow/registry.h"
#include "whep/admission.h"
#include "whep/http_conn.h"
#include "whep/session.h"

/* One counter of struct wf_counters: name, help, offset. */
struct metric {
	const char *name;
	const char *help;
	size_t off;
};

#define M(field, help) { #field, help, offsetof(struct wf_counters, field) }
static const struct metric worker_metrics[] = {
	M(rx_pkts, "Packets received by the worker."),
	M(rx_bytes, "Bytes received by the worker."),
	M(ingest_pkts, "RTP packets accepted from sources."),
	M(ingest_bytes, "RTP bytes accepted from sources."),
	M(ingest_rtcp, "RTCP packets accepted from sources."),
	M(viewer_rtcp, "RTCP packets from viewers taken in (parsed; authenticated unless a plain output's)."),
	M(tx_pkts, "Packets transmitted."),
	M(tx_bytes, "Bytes transmitted."),
	M(egress_pkts, "Media packets sent to viewers."),
	M(egress_bytes, "Media bytes sent to viewers."),
	M(retransmits, "Packets retransmitted for NACKs."),
	M(replays, "Key-frame replays asked for (new viewers, PLI, FIR)."),
	M(replay_pkts, "Packets sent in key-frame replays."),
	M(nack_rx, "Sequence numbers NACKed by viewers."),
	M(pli_rx, "PLI and FIR received from viewers."),
	M(sr_tx, "RTCP sender reports sent."),
	M(punted, "Packets handed to the slow path (ARP, STUN, DTLS, ICMP)."),
	M(peer_unmatched, "STUN/DTLS from a viewer's 5-tuple that was not a Binding request "
	  "naming its session: policed as a new address's."),
	M(busy_cycles, "TSC cycles spent in polls that found work."),
};
#undef M

static void counter(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP whepfan_%s_total %s\n# TYPE whepfan_%s_total counter\n", name, help, name);
}

static void gauge(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP whepfan_%s %s\n# TYPE whepfan_%s gauge\n", name, help, name);
}

static void workers(FILE *f)
{
	unsigned i, w, d;

	for (i = 0; i < RTE_DIM(worker_metrics); i++) {
		counter(f, worker_metrics[i].name, worker_metrics[i].help);
		for (w = 0; w < wf_app.n_workers; w++) {
			const uint8_t *c = (const uint8_t *)&wf_app.lc[w]->c;

			fprintf(f, "whepfan_%s_total{lcore=\"%u\"} %lu\n", worker_metrics[i].name,
				wf_app.lc[w]->lcore_id,
				*(const uint64_t *)(c + worker_metrics[i].off));
		}
	}
	counter(f, "drops", "Packets dropped by workers, by reason (app/core/drop.h).");
	for (w = 0; w < wf_app.n_workers; w++)
		for (d = 0; d < WF_DROP_COUNT; d++)
			fprintf(f, "whepfan_drops_total{lcore=\"%u\",reason=\"%s\"} %lu\n",
				wf_app.lc[w]->lcore_id, wf_drop_name(d), wf_app.lc[w]->c.drop[d]);
	counter(f, "punted_by_class", "Packets handed to the slow path, by punt class "
		"(app/core/police.h).");
	for (w = 0; w < wf_app.n_workers; w++)
		for (d = 0; d < WF_PUNT_CLASS_COUNT; d++)
			fprintf(f, "whepfan_punted_by_class_total{lcore=\"%u\",class=\"%s\"} %lu\n",
				wf_app.lc[w]->lcore_id, wf_punt_class_name(d),
				wf_app.lc[w]->c.punted_class[d]);
	counter(f, "refusals", "Viewers' requests (NACK, PLI, FIR) not served, by reason "
		"(app/core/refusal.h).");
	for (w = 0; w < wf_app.n_workers; w++)
		for (d = 0; d < WF_REFUSAL_COUNT; d++)
			fprintf(f, "whepfan_refusals_total{lcore=\"%u\",reason=\"%s\"} %lu\n",
				wf_app.lc[w]->lcore_id, wf_refusal_name(d), wf_app.lc[w]->c.refused[d]);
	counter(f, "rtp_errors", "RTP/RTCP validation errors, by reason (lib/rtp).");
	for (w = 0; w < wf_app.n_workers; w++)
		for (d = 1; d < WF_RTP_ERR_COUNT; d++)
			fprintf(f, "whepfan_rtp_errors_total{lcore=\"%u\",reason=\"%s\"} %lu\n",
				wf_app.lc[w]->lcore_id, wf_rtp_err_name((int)d),
				wf_app.lc[w]->c.rtp_err[d]);
	counter(f, "srtp_errors", "SRTP/SRTCP errors, by reason (lib/srtp).");
	for (w = 0; w < wf_app.n_workers; w++)
		for (d = 1; d < WF_SRTP_E_COUNT; d++)
			fprintf(f, "whepfan_srtp_errors_total{lcore=\"%u\",reason=\"%s\"} %lu\n",
				wf_app.lc[w]->lcore_id, wf_srtp_err_name((int)d),
				wf_app.lc[w]->c.srtp_err[d]);
	gauge(f, "lcore_viewers", "Viewers on each worker lcore.");
	for (w = 0; w < wf_app.n_workers; w++)
		fprintf(f, "whepfan_lcore_viewers{lcore=\"%u\"} %u\n", wf_app.lc[w]->lcore_id,
			wf_app.lc[w]->n_viewers);
}

/* One line per active stream and track: the uint64_t at off of the
 * track's owner state. */
static void stream_tracks(FILE *f, const char *name, size_t off)
{
	static const char *const kinds[] = { "video", "audio" };
	unsigned s, t;

	for (s = 0; s < WF_MAX_STREAMS; s++) {
		const struct wf_stream *st = &wf_app.streams[s];
		const struct wf_stream_state *ss;

		if (!wf_stream_is_active(st))
			continue;
		ss = wf_app.lc[st->owner]->owned[s];
		for (t = 0; ss && t < ss->n_tracks; t++)
			fprintf(f, "whepfan_%s{stream=\"%s\",track=\"%s\"} %lu\n", name, st->name,
				kinds[st->tracks[t].kind & 1],
				*(const uint64_t *)((const uint8_t *)&ss->t[t] + off));
	}
}

static void streams(FILE *f)
{
	unsigned s;

	counter(f, "stream_packets", "RTP packets ingested per stream and track.");
	stream_tracks(f, "stream_packets_total", offsetof(struct wf_track_state, pkts));
	counter(f, "stream_bytes", "RTP bytes ingested per stream and track.");
	stream_tracks(f, "stream_bytes_total", offsetof(struct wf_track_state, bytes));
	gauge(f, "stream_viewers", "Viewers per stream.");
	for (s = 0; s < WF_MAX_STREAMS; s++) {
		unsigned w, n = 0;

		if (!wf_stream_is_active(&wf_app.streams[s]))
			continue;
		for (w = 0; w < wf_app.n_workers; w++)
			n += wf_app.lc[w]->count[s];
		fprintf(f, "whepfan_stream_viewers{stream=\"%s\"} %u\n", wf_app.streams[s].name, n);
	}
}

/* Control messages to workers that had to wait (registry.h). */
static void ctrl(FILE *f)
{
	struct wf_registry_stats rs;

	wf_registry_stats(&rs);
	counter(f, "ctrl_busy", "Control messages that found the pool or a worker's ring full.");
	fprintf(f, "whepfan_ctrl_busy_total %lu\n", rs.ctrl_busy);
	counter(f, "ctrl_retried", "Control messages sent later after finding the pool or ring full.");
	fprintf(f, "whepfan_ctrl_retried_total %lu\n", rs.ctrl_retried);
	gauge(f, "ctrl_pending", "Control messages waiting for room in the pool or a ring.");
	fprintf(f, "whepfan_ctrl_pending %lu\n", rs.ctrl_pending);
}

/* The session layer's counters (session.h). */
static void webrtc(FILE *f)
{
	struct wf_session_stats ss;

	wf_session_stats(&ss);
#define WF_SESSION_PROM_(name, help) \
	counter(f, "webrtc_" #name, help "."); \
	fprintf(f, "whepfan_webrtc_" #name "_total %lu\n", ss.name);
	WF_SESSION_COUNTERS(WF_SESSION_PROM_)
#undef WF_SESSION_PROM_
}

/* HTTP admission (admission.h): refusals, closes and table events by
 * reason, and the gauges they act on. */
static void admission(FILE *f)
{
	unsigned i;

	counter(f, "admission", "WHEP admission refusals, connections closed and address "
		"table events, by reason (app/whep/admission.h).");
	for (i = 0; i < WF_ADM_EVENT_COUNT; i++)
		fprintf(f, "whepfan_admission_total{reason=\"%s\"} %lu\n", wf_adm_event_name(i),
			wf_adm_counters.n[i]);
	gauge(f, "http_connections", "HTTP connections open.");
	fprintf(f, "whepfan_http_connections %u\n", wf_http_conn_open_count());
	gauge(f, "admission_addresses", "Client addresses in the admission table.");
	fprintf(f, "whepfan_admission_addresses %u\n", wf_admission.used);
	gauge(f, "admission_addresses_pending", "Client addresses with sessions in ICE/DTLS.");
	fprintf(f, "whepfan_admission_addresses_pending %u\n", wf_admission.pending_addrs);
	gauge(f, "admission_addresses_with_sessions", "Client addresses with sessions (any state).");
	fprintf(f, "whepfan_admission_addresses_with_sessions %u\n", wf_admission.pinned);
}

char *wf_metrics_text(size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	unsigned d;

	if (!f)
		return NULL;
	gauge(f, "uptime_seconds", "Seconds since start.");
	fprintf(f, "whepfan_uptime_seconds %lu\n",
		wf_app.tsc_hz ? (rte_rdtsc() - wf_app.start_tsc) / wf_app.tsc_hz : 0);
	gauge(f, "viewers", "Viewers placed on workers (WHEP sessions and static outputs).");
	fprintf(f, "whepfan_viewers %u\n", wf_registry_count(-1));
	gauge(f, "sessions", "WHEP sessions in any state.");
	fprintf(f, "whepfan_sessions %u\n", wf_session_count());
	workers(f);
	streams(f);
	webrtc(f);
	ctrl(f);
	wf_portstats_metrics(f);
	admission(f);
	gauge(f, "slow_path_loop_max_seconds",
	      "Longest time between two passes of the slow-path loop since start.");
	fprintf(f, "whepfan_slow_path_loop_max_seconds %.6f\n",
		(double)wf_slow_counters.loop_max_us / 1e6);
	counter(f, "slow_path_loop_lags", "Slow-path loop passes that started over "
		RTE_STR(WF_SLOW_LAG_MS) " ms after the one before.");
	fprintf(f, "whepfan_slow_path_loop_lags_total %lu\n", wf_slow_counters.loop_lags);
	counter(f, "slow_path_drops", "Packets dropped by the slow path, by reason.");
	for (d = 0; d < WF_SLOW_DROP_COUNT; d++)
		fprintf(f, "whepfan_slow_path_drops_total{reason=\"%s\"} %lu\n", wf_slow_drop_name(d),
			wf_slow_counters.drop[d]);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}
