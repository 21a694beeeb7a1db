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
#include "slow/streams.h"
#include "whep/admission.h"
#include "whep/http_conn.h"
#include "whep/session.h"

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
	unsigned k, i, w;

	for (k = 0; k < wf_counter_count; k++) {
		const struct wf_counter_info *ci = &wf_counter_list[k];

		counter(f, ci->name, ci->help);
		for (w = 0; w < wf_app.n_workers; w++)
			fprintf(f, "whepfan_%s_total{lcore=\"%u\"} %lu\n", ci->name,
				wf_app.lc[w]->lcore_id, wf_counter_at(&wf_app.lc[w]->c, ci->off));
	}
	for (k = 0; k < wf_reason_set_count; k++) {
		const struct wf_reason_set *rs = &wf_reason_sets[k];

		counter(f, rs->key, rs->help);
		for (w = 0; w < wf_app.n_workers; w++)
			for (i = rs->first; i < rs->count; i++)
				fprintf(f, "whepfan_%s_total{lcore=\"%u\",%s=\"%s\"} %lu\n",
					rs->key, wf_app.lc[w]->lcore_id, rs->label, rs->name(i),
					wf_reason_at(&wf_app.lc[w]->c, rs, i));
	}
	gauge(f, "lcore_viewers", "Viewers on each worker lcore.");
	for (w = 0; w < wf_app.n_workers; w++)
		fprintf(f, "whepfan_lcore_viewers{lcore=\"%u\"} %u\n", wf_app.lc[w]->lcore_id,
			wf_app.lc[w]->n_viewers);
}

/* Ingest-to-wire latency per worker, as a Prometheus histogram: each
 * bucket counts the packets whose latency bucket (core/latency.h, 12.5 %
 * wide) lies wholly at or below le. */
static void latency(FILE *f)
{
	static const double le[] = { 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4,
				     1e-3, 2e-3, 5e-3, 1e-2, 5e-2, 0.1 };
	static struct wf_lat_hist h;	/* 4 KB: the slow path's one thread */
	unsigned w, i;

	fprintf(f, "# HELP whepfan_ingest_to_wire_seconds Media packets from the RX burst that "
		"brought their source packet to the TX burst that sent them.\n"
		"# TYPE whepfan_ingest_to_wire_seconds histogram\n");
	for (w = 0; w < wf_app.n_workers; w++) {
		unsigned id = wf_app.lc[w]->lcore_id;
		uint64_t all;

		wf_lat_read(&h, &wf_app.lc[w]->lat, NULL);
		all = wf_lat_total(&h);
		for (i = 0; i < RTE_DIM(le); i++)
			fprintf(f, "whepfan_ingest_to_wire_seconds_bucket{lcore=\"%u\",le=\"%g\"} %lu\n",
				id, le[i], wf_lat_at_most(&h, (uint64_t)(le[i] * (double)wf_app.tsc_hz)));
		fprintf(f, "whepfan_ingest_to_wire_seconds_bucket{lcore=\"%u\",le=\"+Inf\"} %lu\n"
			"whepfan_ingest_to_wire_seconds_sum{lcore=\"%u\"} %.9f\n"
			"whepfan_ingest_to_wire_seconds_count{lcore=\"%u\"} %lu\n", id, all, id,
			(double)h.sum / (double)wf_app.tsc_hz, id, all);
	}
}

/* What a line of a track shows: the uint64_t at off of its view, or
 * (off WF_TRACK_LOST) its loss, (WF_TRACK_KF_S) its key-frame interval. */
#define WF_TRACK_LOST	SIZE_MAX
#define WF_TRACK_KF_S	(SIZE_MAX - 1)

/* One line per active stream and track (WHIP streams only when whip): a
 * figure of the track as its owner published it (never its state, which a
 * stop frees). */
static void stream_lines(FILE *f, const char *name, size_t off, bool whip)
{
	static const char *const kinds[] = { "video", "audio" };
	unsigned s, t;

	for (s = 0; s < WF_MAX_STREAMS; s++) {
		const struct wf_stream *st = &wf_app.streams[s];
		struct wf_track_view tv;

		if (!wf_stream_is_active(st) || (whip && !st->whip))
			continue;
		for (t = 0; t < st->n_tracks && t < WF_MAX_TRACKS; t++) {
			if (wf_stream_track(s, t, &tv) != 0)
				continue;
			fprintf(f, "whepfan_%s{stream=\"%s\",track=\"%s\"} ", name, st->name,
				kinds[st->tracks[t].kind & 1]);
			if (off == WF_TRACK_LOST)
				fprintf(f, "%d\n", tv.latched ? tv.lost : 0);
			else if (off == WF_TRACK_KF_S)
				fprintf(f, "%.3f\n", (double)tv.kf_interval_tsc / (double)wf_app.tsc_hz);
			else
				fprintf(f, "%lu\n", *(const uint64_t *)((const uint8_t *)&tv + off));
		}
	}
}

static void stream_tracks(FILE *f, const char *name, size_t off)
{
	stream_lines(f, name, off, false);
}

static void streams(FILE *f)
{
	unsigned s;

	counter(f, "stream_packets", "RTP packets ingested per stream and track.");
	stream_tracks(f, "stream_packets_total", offsetof(struct wf_track_view, packets));
	counter(f, "stream_bytes", "RTP bytes ingested per stream and track.");
	stream_tracks(f, "stream_bytes_total", offsetof(struct wf_track_view, bytes));
	gauge(f, "stream_bitrate_bps", "Ingest bitrate per stream and track over the last second.");
	stream_tracks(f, "stream_bitrate_bps", offsetof(struct wf_track_view, bitrate_bps));
	counter(f, "stream_keyframes", "Key frames ingested per stream and track.");
	stream_tracks(f, "stream_keyframes_total", offsetof(struct wf_track_view, keyframes));
	gauge(f, "stream_keyframe_interval_seconds", "Time between a track's last two key frames.");
	stream_tracks(f, "stream_keyframe_interval_seconds", WF_TRACK_KF_S);
	gauge(f, "stream_lost", "Packets of the current source never received (RFC 3550 "
	      "cumulative loss: after NACK repair for a WHIP publisher).");
	stream_tracks(f, "stream_lost", WF_TRACK_LOST);
	counter(f, "stream_missing", "Packets a WHIP publisher's track missed on arrival "
		"(loss before NACK repair).");
	stream_lines(f, "stream_missing_total", offsetof(struct wf_track_view, missing), true);
	counter(f, "stream_nacked", "Packets asked again of a WHIP publisher (generic NACK).");
	stream_lines(f, "stream_nacked_total", offsetof(struct wf_track_view, nacked), true);
	gauge(f, "stream_publisher_generation", "The WHIP stream's live publisher (its "
	      "generation), 0 while none.");
	for (s = 0; s < WF_MAX_STREAMS; s++) {
		struct wf_track_view tv;

		if (!wf_stream_is_active(&wf_app.streams[s]) || !wf_app.streams[s].whip)
			continue;
		fprintf(f, "whepfan_stream_publisher_generation{stream=\"%s\"} %u\n",
			wf_app.streams[s].name,
			wf_stream_track(s, 0, &tv) == 0 ? tv.publisher_gen : 0);
	}
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
	latency(f);
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
	for (d = 0; d < wf_slow_counter_count; d++) {
		const struct wf_counter_info *ci = &wf_slow_counter_list[d];
		char name[64];

		snprintf(name, sizeof(name), "slow_path_%s", ci->name);
		counter(f, name, ci->help);
		fprintf(f, "whepfan_%s_total %lu\n", name, wf_slow_counter(ci));
	}
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
