/* telemetry.c: /whepfan/... telemetry commands (telemetry.h). */
#include "ops/telemetry.h"

#include <stdbool.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mempool.h>
#include <rte_telemetry.h>

#include "core/figs.h"
#include "core/pub.h"
#include "core/stream_state.h"
#include "ops/portstats.h"
#include "slow/frame.h"
#include "slow/outputs.h"
#include "slow/registry.h"
#include "slow/streams.h"
#include "whep/admission.h"
#include "whep/http_conn.h"
#include "whep/session.h"

#define WF_TEL_CLOSE_POLL_US	100	/* wf_telemetry_close() looks this often */
#define WF_TEL_PARAM_MAX	128	/* longer parameters are cut (ids: 32, names: 63) */

/* Milliseconds since TSC time tsc (0 before start-up set the clock). */
static uint64_t ms_since(uint64_t tsc)
{
	uint64_t now = rte_rdtsc(), hz = wf_app.tsc_hz;

	return hz && now > tsc ? (now - tsc) * 1000 / hz : 0;
}

void wf_counters_sum(struct wf_counters *sum)
{
	unsigned w, i;

	memset(sum, 0, sizeof(*sum));
	for (w = 0; w < wf_app.n_workers; w++) {
		const struct wf_lcore *lc = wf_lcore_get(w);
		const uint64_t *src;
		uint64_t *dst = (uint64_t *)sum;

		/* telemetry answers from EAL init on: start-up may not have
		 * created every worker yet */
		if (!lc)
			continue;
		/* plain reads of the worker's own u64 counters: each is one
		 * aligned load, at worst a moment old */
		src = (const uint64_t *)&lc->c;
		for (i = 0; i < sizeof(*sum) / sizeof(uint64_t); i++)
			dst[i] += src[i];
	}
}

/* Adds the counters of c (totals or one lcore) to dictionary d: every
 * scalar counter, and a dictionary per reason set (counters.h). */
static void add_counters(struct rte_tel_data *d, const struct wf_counters *c)
{
	unsigned k, i;

	for (k = 0; k < wf_counter_count; k++)
		rte_tel_data_add_dict_u64(d, wf_counter_list[k].name,
					  wf_counter_at(c, wf_counter_list[k].off));
	for (k = 0; k < wf_reason_set_count; k++) {
		const struct wf_reason_set *rs = &wf_reason_sets[k];
		struct rte_tel_data *set = rte_tel_data_alloc();

		if (!set)
			continue;
		rte_tel_data_start_dict(set);
		for (i = rs->first; i < rs->count; i++)
			rte_tel_data_add_dict_u64(set, rs->name(i), wf_reason_at(c, rs, i));
		rte_tel_data_add_dict_container(d, rs->key, set, 0);
	}
}

static int cmd_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *archs = rte_tel_data_alloc();
	/* acquire: pair with the releases in setup.c (published whole) */
	const struct rte_mempool *rx = __atomic_load_n(&wf_app.rx_pool, __ATOMIC_ACQUIRE);
	const struct rte_mempool *tx = __atomic_load_n(&wf_app.tx_pool, __ATOMIC_ACQUIRE);
	const struct wf_lcore *lc0 = wf_lcore_get(0);
	unsigned p;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "version", WF_VERSION);
	rte_tel_data_add_dict_u64(d, "uptime_s", ms_since(wf_app.start_tsc) / 1000);
	rte_tel_data_add_dict_int(d, "workers", (int)wf_app.n_workers);
	rte_tel_data_add_dict_int(d, "ports", (int)wf_app.n_ports);
	rte_tel_data_add_dict_string(d, "crypto_engine", "ipsec-mb");
	if (rx) {
		/* what the receive rings, histories and packets in flight hold
		 * (mempool caches count as free): a leak shows as growth */
		rte_tel_data_add_dict_u64(d, "mbufs_total", rx->size);
		rte_tel_data_add_dict_u64(d, "mbufs_in_use", rte_mempool_in_use_count(rx));
	}
	if (tx) {
		/* what the transmit queues and the copies in flight hold */
		rte_tel_data_add_dict_u64(d, "tx_mbufs_total", tx->size);
		rte_tel_data_add_dict_u64(d, "tx_mbufs_in_use", rte_mempool_in_use_count(tx));
	}
	if (archs) {
		rte_tel_data_start_dict(archs);
		for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++)
			rte_tel_data_add_dict_string(archs, wf_srtp_suite(p)->name,
				wf_srtp_arch_name(lc0 ? wf_srtp_engine_arch(lc0->srtp, p) :
						 wf_app.srtp_arch[p]));
		rte_tel_data_add_dict_container(d, "ipsec_mb_manager", archs, 0);
	}
	return 0;
}

/* Admission refusals, closes and table events by reason (admission.h),
 * and the state they act on.  Only counters and gauges in static storage
 * are read: nothing the slow path frees. */
static void add_admission(struct rte_tel_data *d)
{
	struct rte_tel_data *a = rte_tel_data_alloc();
	unsigned i;

	if (!a)
		return;
	rte_tel_data_start_dict(a);
	for (i = 0; i < WF_ADM_EVENT_COUNT; i++)
		rte_tel_data_add_dict_u64(a, wf_adm_event_name(i), wf_adm_counters.n[i]);
	rte_tel_data_add_dict_u64(a, "http_connections", wf_http_conn_open_count());
	rte_tel_data_add_dict_u64(a, "addresses", wf_admission.used);
	rte_tel_data_add_dict_u64(a, "addresses_pending", wf_admission.pending_addrs);
	rte_tel_data_add_dict_u64(a, "addresses_with_sessions", wf_admission.pinned);
	rte_tel_data_add_dict_u64(a, "addresses_max", wf_admission.cap);
	rte_tel_data_add_dict_container(d, "admission", a, 0);
}

static int cmd_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct wf_counters sum;
	struct rte_tel_data *slow = rte_tel_data_alloc();
	struct rte_tel_data *web = rte_tel_data_alloc();
	struct wf_session_stats ss;
	struct wf_registry_stats rs;
	unsigned i;

	(void)cmd;
	(void)params;
	wf_counters_sum(&sum);
	wf_session_stats(&ss);
	wf_registry_stats(&rs);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "viewers", wf_registry_count(-1));
	rte_tel_data_add_dict_u64(d, "outputs_active", wf_outputs_count(true));
	rte_tel_data_add_dict_u64(d, "sessions", wf_session_count());
	add_counters(d, &sum);
	wf_portstats_telemetry(d);
	if (slow) {
		rte_tel_data_start_dict(slow);
		for (i = 0; i < wf_slow_counter_count; i++)
			rte_tel_data_add_dict_u64(slow, wf_slow_counter_list[i].name,
						  wf_slow_counter(&wf_slow_counter_list[i]));
		rte_tel_data_add_dict_u64(slow, "loop_max_us", wf_slow_counters.loop_max_us);
		rte_tel_data_add_dict_u64(slow, "ctrl_busy", rs.ctrl_busy);
		rte_tel_data_add_dict_u64(slow, "ctrl_retried", rs.ctrl_retried);
		rte_tel_data_add_dict_u64(slow, "ctrl_pending", rs.ctrl_pending);
		for (i = 0; i < WF_SLOW_DROP_COUNT; i++)
			rte_tel_data_add_dict_u64(slow, wf_slow_drop_name(i), wf_slow_counters.drop[i]);
		rte_tel_data_add_dict_container(d, "slow_path", slow, 0);
	}
	if (web) {
		rte_tel_data_start_dict(web);
#define WF_SESSION_TEL_(name, help) rte_tel_data_add_dict_u64(web, #name, ss.name);
		WF_SESSION_COUNTERS(WF_SESSION_TEL_)
#undef WF_SESSION_TEL_
		rte_tel_data_add_dict_container(d, "webrtc", web, 0);
	}
	add_admission(d);
	return 0;
}

/* The worker's ingest-to-wire latency since start, in nanoseconds: the
 * quantiles are the high ends of their buckets (core/latency.h). */
static int add_latency(struct rte_tel_data *l, const struct wf_lcore *lc)
{
	struct rte_tel_data *t = rte_tel_data_alloc();
	struct wf_lat_hist h;
	double ns = 1e9 / (double)wf_app.tsc_hz;
	uint64_t n;

	if (!t)
		return -ENOMEM;
	wf_lat_read(&h, &lc->lat, NULL);
	n = wf_lat_total(&h);
	rte_tel_data_start_dict(t);
	rte_tel_data_add_dict_u64(t, "packets", n);
	rte_tel_data_add_dict_u64(t, "p50", (uint64_t)((double)wf_lat_quantile(&h, 0.5) * ns));
	rte_tel_data_add_dict_u64(t, "p99", (uint64_t)((double)wf_lat_quantile(&h, 0.99) * ns));
	rte_tel_data_add_dict_u64(t, "p999", (uint64_t)((double)wf_lat_quantile(&h, 0.999) * ns));
	rte_tel_data_add_dict_u64(t, "max", (uint64_t)((double)h.max * ns));
	rte_tel_data_add_dict_u64(t, "mean", n ? (uint64_t)((double)h.sum * ns / (double)n) : 0);
	rte_tel_data_add_dict_container(l, "latency_ns", t, 0);
	return 0;
}

static int cmd_lcores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned w;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (w = 0; w < wf_app.n_workers; w++) {
		const struct wf_lcore *lc = wf_lcore_get(w);
		struct rte_tel_data *l;
		char name[32];

		if (!lc)
			continue;	/* not created yet (start-up) */
		l = rte_tel_data_alloc();
		if (!l)
			return -ENOMEM;
		rte_tel_data_start_dict(l);
		rte_tel_data_add_dict_int(l, "lcore", (int)lc->lcore_id);
		rte_tel_data_add_dict_u64(l, "viewers", lc->n_viewers);
		rte_tel_data_add_dict_u64(l, "busy_pct",
					  lc->c.polls ? lc->c.busy_polls * 100 / lc->c.polls : 0);
		rte_tel_data_add_dict_u64(l, "cycles_per_pkt",
					  lc->c.work_pkts ? lc->c.busy_cycles / lc->c.work_pkts : 0);
		add_counters(l, &lc->c);
		if (add_latency(l, lc)) {
			rte_tel_data_free(l);
			return -ENOMEM;
		}
		snprintf(name, sizeof(name), "worker%u", w);
		rte_tel_data_add_dict_container(d, name, l, 0);
	}
	return 0;
}

static void add_track(struct rte_tel_data *d, uint8_t kind, bool whip,
		      const struct wf_track_view *tv)
{
	struct rte_tel_data *td = rte_tel_data_alloc();

	if (!td)
		return;
	rte_tel_data_start_dict(td);
	rte_tel_data_add_dict_string(td, "kind", wf_conf_kind_name(kind));
	rte_tel_data_add_dict_u64(td, "source_ssrc", tv->ssrc);
	rte_tel_data_add_dict_u64(td, "packets", tv->packets);
	rte_tel_data_add_dict_u64(td, "bytes", tv->bytes);
	rte_tel_data_add_dict_u64(td, "keyframes", tv->keyframes);
	rte_tel_data_add_dict_u64(td, "last_keyframe_age_ms",
				  tv->last_kf_tsc ? ms_since(tv->last_kf_tsc) : 0);
	rte_tel_data_add_dict_u64(td, "jitter", tv->jitter);
	if (tv->latched)
		rte_tel_data_add_dict_int(td, "lost", tv->lost);
	rte_tel_data_add_dict_u64(td, "bitrate_bps", tv->bitrate_bps);
	rte_tel_data_add_dict_u64(td, "history_packets", tv->history_packets);
	rte_tel_data_add_dict_u64(td, "keyframe_interval_ms",
				  tv->kf_interval_tsc * 1000 / wf_app.tsc_hz);
	if (whip) {	/* loss before repair, and what was asked again */
		rte_tel_data_add_dict_u64(td, "missing", tv->missing);
		rte_tel_data_add_dict_u64(td, "nacked", tv->nacked);
	}
	rte_tel_data_add_dict_container(d, wf_conf_kind_name(kind), td, 0);
}

/* Stream slot i as published: the slow path's view sv, the viewers the
 * workers count, the tracks as the owner published them for this very
 * start of the slot (a reload frees the owner's state: never read). */
static void add_stream(struct rte_tel_data *d, unsigned i, const struct wf_stream_view *sv)
{
	unsigned w, t, n = 0;
	uint16_t publisher = 0;

	rte_tel_data_add_dict_string(d, "name", sv->name);
	rte_tel_data_add_dict_int(d, "owner_worker", sv->owner);
	for (w = 0; w < wf_app.n_workers; w++) {
		const struct wf_lcore *lc = wf_lcore_get(w);

		n += lc ? lc->count[i] : 0;	/* the worker's own u32 */
	}
	rte_tel_data_add_dict_u64(d, "viewers", n);
	for (t = 0; t < sv->n_tracks && t < WF_MAX_TRACKS; t++) {
		struct wf_track_view tv;

		/* a view of another start of the slot is not this stream's */
		if (wf_stream_track(i, t, &tv) == 0 && tv.stream_gen == sv->gen) {
			add_track(d, sv->kind[t], sv->whip, &tv);
			publisher = tv.publisher_gen;
		}
	}
	if (sv->whip) {
		rte_tel_data_add_dict_string(d, "ingest", "whip");
		/* the owner's: 0 while no publisher is live */
		rte_tel_data_add_dict_u64(d, "publisher_generation", publisher);
	}
}

static int cmd_streams(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct wf_stream_view sv;
	unsigned i;

	(void)cmd;
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (i = 0; i < WF_MAX_STREAMS; i++)
		if (wf_stream_view(i, &sv) == 0)
			rte_tel_data_add_array_string(d, sv.name);
	return 0;
}

static int cmd_stream(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct wf_stream_view sv;
	int i;

	(void)cmd;
	if (!params)
		return -EINVAL;
	i = wf_stream_view_find(params, &sv);
	if (i < 0)
		return -ENOENT;
	rte_tel_data_start_dict(d);
	add_stream(d, (unsigned)i, &sv);
	return 0;
}

static int cmd_sessions(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct wf_session_info si;
	unsigned i, n = 0, cap = wf_session_view_cap();

	(void)cmd;
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	/* the copies the slow path publishes (session.h): a session that ends
	 * meanwhile is listed or not, never read half freed */
	for (i = 0; i < cap && n < RTE_TEL_MAX_ARRAY_ENTRIES; i++)
		if (wf_session_view(i, &si) == 0) {
			rte_tel_data_add_array_string(d, si.id);
			n++;
		}
	return 0;
}

static void add_viewer_track(struct rte_tel_data *d, unsigned t, const struct wf_viewer_track *vt,
			     const struct wf_viewer_fb *fb)
{
	struct rte_tel_data *td;

	if (vt->state == WF_VT_OFF || !(td = rte_tel_data_alloc()))
		return;
	rte_tel_data_start_dict(td);
	rte_tel_data_add_dict_u64(td, "ssrc", vt->ssrc);
	rte_tel_data_add_dict_u64(td, "packets", vt->packets);
	rte_tel_data_add_dict_u64(td, "nacks", fb->nacks);
	rte_tel_data_add_dict_u64(td, "retransmits", fb->retransmits);
	rte_tel_data_add_dict_u64(td, "plis", fb->plis);
	rte_tel_data_add_dict_u64(td, "rtt_us", fb->rtt_us);
	rte_tel_data_add_dict_u64(td, "fraction_lost", fb->rr_fraction);
	rte_tel_data_add_dict_int(td, "cumulative_lost", fb->rr_lost);
	rte_tel_data_add_dict_u64(td, "jitter", fb->rr_jitter);
	rte_tel_data_add_dict_container(d, t ? "track1" : "track0", td, 0);
}

static int cmd_session(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct wf_session_info si;
	struct wf_viewer_figs vf;
	char addr[24];
	unsigned t;
	int rc;

	(void)cmd;
	/* the slow path's published copy (session.h), never its session */
	if (!params || wf_session_info(params, &si) < 0)
		return -ENOENT;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "id", si.id);
	rte_tel_data_add_dict_string(d, "stream", si.stream);
	rte_tel_data_add_dict_string(d, "state", si.state);
	rte_tel_data_add_dict_string(d, "role", si.role ? si.role : "whep");
	snprintf(addr, sizeof(addr), "%u.%u.%u.%u:%u", si.peer_addr >> 24, (si.peer_addr >> 16) & 255,
		 (si.peer_addr >> 8) & 255, si.peer_addr & 255, si.peer_port);
	rte_tel_data_add_dict_string(d, "peer", addr);
	rte_tel_data_add_dict_string(d, "profile", si.profile);
	rte_tel_data_add_dict_u64(d, "age_ms", ms_since(si.created_tsc));
	rte_tel_data_add_dict_u64(d, "consent_age_ms", si.consent_tsc ? ms_since(si.consent_tsc) : 0);
	rte_tel_data_add_dict_int(d, "worker", si.worker);
	if (si.role && !strcmp(si.role, "whip")) {
		/* a publisher: its stream's owner, generation (publisher.h) */
		rte_tel_data_add_dict_u64(d, "generation", si.gen);
		return 0;
	}
	if (si.worker < 0)
		return 0;
	rc = wf_viewer_figs((unsigned)si.worker, si.slot, si.gen, &vf);
	if (rc == -EBUSY)	/* viewers churning on its worker: not gone */
		rte_tel_data_add_dict_string(d, "figures", "busy");
	if (rc)
		return 0;
	rte_tel_data_add_dict_int(d, "lcore", (int)wf_app.worker_lcore[si.worker]);
	rte_tel_data_add_dict_u64(d, "packets", vf.pkts);
	rte_tel_data_add_dict_u64(d, "bytes", vf.bytes);
	/* what it may still be sent again, bytes (budget.h; < 0: a debt) */
	rte_tel_data_add_dict_int(d, "resend_budget", vf.resend_budget);
	for (t = 0; t < WF_MAX_TRACKS; t++)
		add_viewer_track(d, t, &vf.trk[t], &vf.fb[t]);
	return 0;
}

/* ---- the gate: telemetry answers until teardown begins ---------------------- */

static struct {
	uint32_t running;	/* commands being answered now */
	bool closed;
} gate;

/* A command may run.  Sequentially consistent, as wf_telemetry_close():
 * either it sees closed, or the closer sees it running (Dekker). */
static bool gate_enter(void)
{
	__atomic_add_fetch(&gate.running, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&gate.closed, __ATOMIC_SEQ_CST))
		return true;
	__atomic_sub_fetch(&gate.running, 1, __ATOMIC_RELEASE);
	return false;
}

static void gate_leave(void)
{
	/* release: this command's reads are done before the closer sees 0 */
	__atomic_sub_fetch(&gate.running, 1, __ATOMIC_RELEASE);
}

void wf_telemetry_close(void)
{
	__atomic_store_n(&gate.closed, true, __ATOMIC_SEQ_CST);
	/* acquire: pairs with gate_leave(); commands never block, the wait
	 * is short */
	while (__atomic_load_n(&gate.running, __ATOMIC_ACQUIRE))
		rte_delay_us_sleep(WF_TEL_CLOSE_POLL_US);
}

static const struct {
	const char *name;
	telemetry_cb fn;
	const char *help;
} cmds[] = {
	{ "/whepfan/info", cmd_info,
	  "Returns version, uptime, workers, ports, the SRTP engine and mbufs in use. "
	  "Takes no parameters" },
	{ "/whepfan/stats", cmd_stats,
	  "Returns packet, viewer and drop totals (drops by reason). Takes no parameters" },
	{ "/whepfan/lcores", cmd_lcores,
	  "Returns per worker: busy %, cycles per packet, counters, drops, ingest-to-wire "
	  "latency (ns). Takes no parameters" },
	{ "/whepfan/streams", cmd_streams,
	  "Returns the names of the active streams. Takes no parameters" },
	{ "/whepfan/stream", cmd_stream,
	  "Returns one stream's source and history figures. Parameters: string stream" },
	{ "/whepfan/sessions", cmd_sessions,
	  "Returns the ids of the WHEP and WHIP sessions. Takes no parameters" },
	{ "/whepfan/session", cmd_session,
	  "Returns one WHEP session: state, peer, lcore, profile, packets, NACKs, RTT, loss. "
	  "Parameters: string id" },
};

/* Every command goes through here: the table's handler, inside the gate,
 * with a bounded copy of its parameter.  DPDK splits a command with
 * strtok(), which is not reentrant: with clients in parallel, params may
 * point into another client's buffer, which that client's thread rewrites
 * (docs/telemetry.md). */
static int dispatch(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char p[WF_TEL_PARAM_MAX];
	unsigned i;
	int rc = -ENOENT;

	if (params) {
		size_t n = strnlen(params, sizeof(p) - 1);

		memcpy(p, params, n);
		p[n] = '\0';
	}
	if (!gate_enter())
		return -ESHUTDOWN;
	for (i = 0; i < RTE_DIM(cmds); i++)
		if (!strcmp(cmd, cmds[i].name)) {
			rc = cmds[i].fn(cmd, params ? p : NULL, d);
			break;
		}
	gate_leave();
	return rc;
}

RTE_INIT(wf_telemetry_register)
{
	unsigned i;

	for (i = 0; i < RTE_DIM(cmds); i++)
		rte_telemetry_register_cmd(cmds[i].name, dispatch, cmds[i].help);
}
