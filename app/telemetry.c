/* telemetry.c: /whepfan/... telemetry commands (telemetry.h). */
#include "telemetry.h"

#include <string.h>

#include <rte_cycles.h>
#include <rte_mempool.h>
#include <rte_telemetry.h>

#include "history.h"
#include "outputs.h"
#include "registry.h"
#include "session.h"
#include "slowpath.h"

void wf_counters_sum(struct wf_counters *sum)
{
	unsigned w, i;

	memset(sum, 0, sizeof(*sum));
	for (w = 0; w < wf_app.n_workers; w++) {
		const uint64_t *src;
		uint64_t *dst = (uint64_t *)sum;

		/* telemetry answers from EAL init on: start-up may not have
		 * created every worker yet */
		if (!wf_app.lc[w])
			continue;
		src = (const uint64_t *)&wf_app.lc[w]->c;
		for (i = 0; i < sizeof(*sum) / sizeof(uint64_t); i++)
			dst[i] += src[i];
	}
}

/* Adds the counters of c (totals or one lcore) to dictionary d. */
static void add_counters(struct rte_tel_data *d, const struct wf_counters *c)
{
	struct rte_tel_data *drops = rte_tel_data_alloc();
	struct rte_tel_data *refused = rte_tel_data_alloc();
	struct rte_tel_data *rtp = rte_tel_data_alloc();
	struct rte_tel_data *srtp = rte_tel_data_alloc();
	struct rte_tel_data *kinds = rte_tel_data_alloc();
	static const char *const kind_names[8] = {
		[WF_ITEM_INGEST] = "ingest", [WF_ITEM_FROM_VIEWER] = "from_viewer",
		[WF_ITEM_MEDIA] = "media", [WF_ITEM_RETX] = "retx",
		[WF_ITEM_REQ_RETX] = "req_retx", [WF_ITEM_REQ_REPLAY] = "req_replay",
	};
	unsigned i;

#define U(name) rte_tel_data_add_dict_u64(d, #name, c->name)
	U(rx_pkts); U(rx_bytes); U(ingest_pkts); U(ingest_bytes); U(ingest_rtcp);
	U(tx_pkts); U(tx_bytes); U(egress_pkts); U(egress_bytes); U(retransmits);
	U(replays); U(replay_pkts); U(nack_rx); U(pli_rx); U(rr_rx); U(sr_tx); U(punted);
	U(slow_tx);
	U(handoff_out); U(handoff_in);
#undef U
	if (kinds) {
		/* handoff items received, by kind (anything else: drops.ctrl) */
		rte_tel_data_start_dict(kinds);
		for (i = 0; i < RTE_DIM(kind_names); i++)
			if (kind_names[i])
				rte_tel_data_add_dict_u64(kinds, kind_names[i], c->handoff_in_kind[i]);
		rte_tel_data_add_dict_container(d, "handoff_in_kinds", kinds, 0);
	}
	if (drops) {
		rte_tel_data_start_dict(drops);
		for (i = 0; i < WF_DROP_COUNT; i++)
			rte_tel_data_add_dict_u64(drops, wf_drop_name(i), c->drop[i]);
		rte_tel_data_add_dict_container(d, "drops", drops, 0);
	}
	if (refused) {
		/* viewers' requests not served, by reason (refusal.h) */
		rte_tel_data_start_dict(refused);
		for (i = 0; i < WF_REFUSAL_COUNT; i++)
			rte_tel_data_add_dict_u64(refused, wf_refusal_name(i), c->refused[i]);
		rte_tel_data_add_dict_container(d, "refusals", refused, 0);
	}
	if (rtp) {
		rte_tel_data_start_dict(rtp);
		for (i = 1; i < WF_RTP_ERR_COUNT; i++)
			rte_tel_data_add_dict_u64(rtp, wf_rtp_err_name((int)i), c->rtp_err[i]);
		rte_tel_data_add_dict_container(d, "rtp_errors", rtp, 0);
	}
	if (srtp) {
		rte_tel_data_start_dict(srtp);
		for (i = 1; i < WF_SRTP_E_COUNT; i++)
			rte_tel_data_add_dict_u64(srtp, wf_srtp_err_name((int)i), c->srtp_err[i]);
		rte_tel_data_add_dict_container(d, "srtp_errors", srtp, 0);
	}
}

static int cmd_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *archs = rte_tel_data_alloc();
	unsigned p;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "version", WF_VERSION);
	rte_tel_data_add_dict_u64(d, "uptime_s", (rte_rdtsc() - wf_app.start_tsc) / wf_app.tsc_hz);
	rte_tel_data_add_dict_int(d, "workers", (int)wf_app.n_workers);
	rte_tel_data_add_dict_int(d, "ports", (int)wf_app.n_ports);
	rte_tel_data_add_dict_string(d, "crypto_engine", "ipsec-mb");
	if (wf_app.pool) {
		/* what the receive rings, histories and packets in flight hold
		 * (mempool caches count as free): a leak shows as growth */
		rte_tel_data_add_dict_u64(d, "mbufs_total", wf_app.pool->size);
		rte_tel_data_add_dict_u64(d, "mbufs_in_use", rte_mempool_in_use_count(wf_app.pool));
	}
	if (archs) {
		rte_tel_data_start_dict(archs);
		for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++)
			rte_tel_data_add_dict_string(archs, wf_srtp_suite(p)->name,
				wf_srtp_arch_name(wf_app.n_workers ?
					wf_srtp_engine_arch(wf_app.lc[0]->srtp, p) : wf_app.srtp_arch[p]));
		rte_tel_data_add_dict_container(d, "ipsec_mb_manager", archs, 0);
	}
	return 0;
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
	if (slow) {
		rte_tel_data_start_dict(slow);
		rte_tel_data_add_dict_u64(slow, "punted_in", wf_slow_counters.punted_in);
		rte_tel_data_add_dict_u64(slow, "arp_in", wf_slow_counters.arp_in);
		rte_tel_data_add_dict_u64(slow, "icmp_echo", wf_slow_counters.icmp_echo);
		rte_tel_data_add_dict_u64(slow, "tx_pkts", wf_slow_counters.tx_pkts);
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
	return 0;
}

static int cmd_lcores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned w;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (w = 0; w < wf_app.n_workers; w++) {
		const struct wf_lcore *lc = wf_app.lc[w];
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
		snprintf(name, sizeof(name), "worker%u", w);
		rte_tel_data_add_dict_container(d, name, l, 0);
	}
	return 0;
}

static void add_stream(struct rte_tel_data *d, unsigned i)
{
	const struct wf_stream *s = &wf_app.streams[i];
	const struct wf_stream_state *st = wf_app.lc[s->owner]->owned[i];
	unsigned t;

	rte_tel_data_add_dict_string(d, "name", s->name);
	rte_tel_data_add_dict_int(d, "owner_worker", s->owner);
	{
		unsigned w, n = 0;

		for (w = 0; w < wf_app.n_workers; w++)
			n += wf_app.lc[w]->count[i];
		rte_tel_data_add_dict_u64(d, "viewers", n);
	}
	for (t = 0; st && t < st->n_tracks; t++) {
		const struct wf_track_state *ts = &st->t[t];
		struct rte_tel_data *td = rte_tel_data_alloc();
		uint64_t now = rte_rdtsc();

		if (!td)
			return;
		rte_tel_data_start_dict(td);
		rte_tel_data_add_dict_string(td, "kind", wf_conf_kind_name(s->tracks[t].kind));
		rte_tel_data_add_dict_u64(td, "source_ssrc", ts->ssrc);
		rte_tel_data_add_dict_u64(td, "packets", ts->pkts);
		rte_tel_data_add_dict_u64(td, "bytes", ts->bytes);
		rte_tel_data_add_dict_u64(td, "keyframes", ts->keyframes);
		rte_tel_data_add_dict_u64(td, "last_keyframe_age_ms",
					  ts->have_kf ? (now - ts->last_kf_tsc) * 1000 / wf_app.tsc_hz : 0);
		rte_tel_data_add_dict_u64(td, "jitter", ts->stats.jitter >> 4);
		/* RFC 3550 A.3: expected minus received since the source began */
		if (ts->latched) {
			uint32_t expected = ts->stats.cycles + ts->stats.max_seq - ts->stats.base_seq + 1;
			int64_t lost = (int64_t)expected - ts->stats.received;

			rte_tel_data_add_dict_int(td, "lost", (int)(lost < 0 ? 0 : lost));
		}
		rte_tel_data_add_dict_u64(td, "bitrate_bps", ts->bitrate_bps);
		rte_tel_data_add_dict_u64(td, "history_packets",
					  ts->have_any ? ts->newest - ts->oldest + 1 : 0);
		rte_tel_data_add_dict_container(d, wf_conf_kind_name(s->tracks[t].kind), td, 0);
	}
}

static int cmd_streams(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned i;

	(void)cmd;
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (i = 0; i < WF_MAX_STREAMS; i++)
		if (wf_app.streams[i].active)
			rte_tel_data_add_array_string(d, wf_app.streams[i].name);
	return 0;
}

static int cmd_stream(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned i;

	(void)cmd;
	if (!params)
		return -EINVAL;
	for (i = 0; i < WF_MAX_STREAMS; i++)
		if (wf_app.streams[i].active && !strcmp(wf_app.streams[i].name, params))
			break;
	if (i == WF_MAX_STREAMS)
		return -ENOENT;
	rte_tel_data_start_dict(d);
	add_stream(d, i);
	return 0;
}

static int cmd_sessions(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static char ids[RTE_TEL_MAX_ARRAY_ENTRIES][WF_SESSION_ID_LEN + 1];
	unsigned i, n;

	(void)cmd;
	(void)params;
	/* telemetry runs on its own thread; the table is the slow path's:
	 * a racy snapshot of ids is all this promises */
	n = wf_session_list(ids, RTE_DIM(ids));
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (i = 0; i < n; i++)
		rte_tel_data_add_array_string(d, ids[i]);
	return 0;
}

static int cmd_session(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct wf_session_info si;
	char addr[24];

	(void)cmd;
	if (!params || wf_session_info(params, &si) < 0)
		return -ENOENT;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "id", si.id);
	rte_tel_data_add_dict_string(d, "stream", si.stream);
	rte_tel_data_add_dict_string(d, "state", si.state);
	snprintf(addr, sizeof(addr), "%u.%u.%u.%u:%u", si.peer_addr >> 24, (si.peer_addr >> 16) & 255,
		 (si.peer_addr >> 8) & 255, si.peer_addr & 255, si.peer_port);
	rte_tel_data_add_dict_string(d, "peer", addr);
	rte_tel_data_add_dict_string(d, "profile", si.profile);
	rte_tel_data_add_dict_u64(d, "age_ms", si.age_ms);
	rte_tel_data_add_dict_u64(d, "consent_age_ms", si.consent_age_ms);
	rte_tel_data_add_dict_int(d, "worker", si.worker);
	if (si.worker >= 0 && (unsigned)si.worker < wf_app.n_workers &&
	    si.slot < wf_app.lc[si.worker]->n_slots) {
		const struct wf_viewer *v = &wf_app.lc[si.worker]->viewers[si.slot];
		unsigned t;

		rte_tel_data_add_dict_int(d, "lcore", (int)wf_app.lc[si.worker]->lcore_id);
		rte_tel_data_add_dict_u64(d, "packets", v->pkts_out);
		rte_tel_data_add_dict_u64(d, "bytes", v->bytes_out);
		/* what it may still be sent again, bytes (budget.h; < 0: a debt) */
		rte_tel_data_add_dict_int(d, "resend_budget", v->retx.tokens);
		for (t = 0; t < WF_MAX_TRACKS; t++) {
			const struct wf_viewer_track *vt = &v->trk[t];
			struct rte_tel_data *td;

			if (vt->state == WF_VT_OFF || !(td = rte_tel_data_alloc()))
				continue;
			rte_tel_data_start_dict(td);
			rte_tel_data_add_dict_u64(td, "ssrc", vt->ssrc);
			rte_tel_data_add_dict_u64(td, "packets", vt->packets);
			rte_tel_data_add_dict_u64(td, "nacks", vt->nacks);
			rte_tel_data_add_dict_u64(td, "retransmits", vt->retransmits);
			rte_tel_data_add_dict_u64(td, "plis", vt->plis);
			rte_tel_data_add_dict_u64(td, "rtt_us", vt->rtt_us);
			rte_tel_data_add_dict_u64(td, "fraction_lost", vt->rr_fraction);
			rte_tel_data_add_dict_int(td, "cumulative_lost", vt->rr_lost);
			rte_tel_data_add_dict_u64(td, "jitter", vt->rr_jitter);
			rte_tel_data_add_dict_container(d, t ? "track1" : "track0", td, 0);
		}
	}
	return 0;
}

RTE_INIT(wf_telemetry_register)
{
	rte_telemetry_register_cmd("/whepfan/info", cmd_info,
		"Returns version, uptime, workers, ports, the SRTP engine and mbufs in use. "
		"Takes no parameters");
	rte_telemetry_register_cmd("/whepfan/stats", cmd_stats,
		"Returns packet, viewer and drop totals (drops by reason). Takes no parameters");
	rte_telemetry_register_cmd("/whepfan/lcores", cmd_lcores,
		"Returns per worker: busy %, cycles per packet, counters, drops. Takes no parameters");
	rte_telemetry_register_cmd("/whepfan/streams", cmd_streams,
		"Returns the names of the active streams. Takes no parameters");
	rte_telemetry_register_cmd("/whepfan/stream", cmd_stream,
		"Returns one stream's source and history figures. Parameters: string stream");
	rte_telemetry_register_cmd("/whepfan/sessions", cmd_sessions,
		"Returns the ids of the WHEP sessions. Takes no parameters");
	rte_telemetry_register_cmd("/whepfan/session", cmd_session,
		"Returns one WHEP session: state, peer, lcore, profile, packets, NACKs, RTT, loss. "
		"Parameters: string id");
}
