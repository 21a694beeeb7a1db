/* diff.c: configuration differences by stream name (see diff.h).
 *
 * Fields are compared one by one, never with memcmp over a struct: padding
 * and the bytes after a string's NUL carry no meaning.
 */
#include "conf/diff.h"

#include <errno.h>
#include <string.h>

#define NE(a, b, f)	((a)->f != (b)->f)

static bool dpdk_differs(const struct wf_config_dpdk *a, const struct wf_config_dpdk *b)
{
	unsigned i;

	if (NE(a, b, n_eal) || NE(a, b, mbufs) || NE(a, b, log_level))
		return true;
	for (i = 0; i < a->n_eal && i < WF_CONF_MAX_EAL_ARGS; i++)
		if (strcmp(a->eal[i], b->eal[i]) != 0)
			return true;
	return false;
}

static bool ports_differ(const struct wf_config *a, const struct wf_config *b)
{
	unsigned i;

	if (NE(a, b, n_ports))
		return true;
	for (i = 0; i < a->n_ports && i < WF_CONF_MAX_PORTS; i++) {
		const struct wf_config_port *p = &a->ports[i], *q = &b->ports[i];

		if (strcmp(p->name, q->name) != 0 || NE(p, q, addr) || NE(p, q, prefix_len) ||
		    NE(p, q, has_gateway) || (p->has_gateway && NE(p, q, gateway)))
			return true;
	}
	return false;
}

/* The retransmission and replay budgets (WF_CONF_DIFF_BUDGETS): workers
 * read them at every request, so a reload can apply them. */
static bool budgets_differ(const struct wf_config_webrtc *a, const struct wf_config_webrtc *b)
{
	return NE(a, b, nack) || NE(a, b, nack_budget_pct) || NE(a, b, replay_max_packets) ||
	       NE(a, b, replay_per_stream_per_s);
}

static bool webrtc_differs(const struct wf_config_webrtc *a, const struct wf_config_webrtc *b)
{
	return NE(a, b, udp_port) || NE(a, b, rtcp_sr_interval_ms) ||
	       NE(a, b, has_announce) || (a->has_announce && NE(a, b, announce)) ||
	       NE(a, b, consent_timeout_s);
}

/* The admission settings (WF_CONF_DIFF_ADMISSION): read at every request
 * and every session tick, so a reload can apply them. */
static bool admission_differs(const struct wf_config *a, const struct wf_config *b)
{
	const struct wf_config_http *h = &a->http, *k = &b->http;
	unsigned i;

	if (NE(&a->webrtc, &b->webrtc, handshake_timeout_s) || NE(h, k, max_pending_per_ip) ||
	    NE(h, k, max_sessions_per_ip) ||
	    NE(h, k, post_rate_per_ip) || NE(h, k, post_burst_per_ip) ||
	    NE(h, k, request_timeout_s) || NE(h, k, ipv6_prefix_len) || NE(h, k, n_trusted_proxies))
		return true;
	for (i = 0; i < h->n_trusted_proxies && i < WF_CONF_MAX_PROXIES; i++)
		if (NE(&h->trusted_proxies[i], &k->trusted_proxies[i], addr) ||
		    NE(&h->trusted_proxies[i], &k->trusted_proxies[i], prefix_len))
			return true;
	return false;
}

static bool http_differs(const struct wf_config_http *a, const struct wf_config_http *b)
{
	return NE(a, b, listen_addr) || NE(a, b, listen_port) ||
	       strcmp(a->cors_origin, b->cors_origin) != 0 || NE(a, b, max_sessions) ||
	       NE(a, b, max_body);
}

static bool track_differs(const struct wf_config_track *a, const struct wf_config_track *b)
{
	return NE(a, b, kind) || NE(a, b, codec) || NE(a, b, port) || NE(a, b, payload_type) ||
	       NE(a, b, clock_rate) || NE(a, b, channels) || strcmp(a->fmtp, b->fmtp) != 0;
}

static bool output_differs(const struct wf_config_output *a, const struct wf_config_output *b)
{
	if (NE(a, b, addr) || NE(a, b, port) || NE(a, b, srtp))
		return true;
	if (!a->srtp)
		return false;
	return NE(a, b, profile) || NE(a, b, key_len) ||
	       memcmp(a->key, b->key, a->key_len < sizeof(a->key) ? a->key_len : sizeof(a->key)) != 0;
}

/* Which parts of stream a differ from b: 0 when they are the same. */
static uint32_t stream_changes(const struct wf_config_stream *a, const struct wf_config_stream *b)
{
	uint32_t what = 0;
	unsigned i;

	if (NE(a, b, history_ms) || NE(a, b, history_mbufs))
		what |= WF_CONF_STREAM_HISTORY;
	if (strcmp(a->token, b->token) != 0)
		what |= WF_CONF_STREAM_TOKEN;
	if (NE(a, b, ingest))
		what |= WF_CONF_STREAM_INGEST;
	if (NE(a, b, publish) || strcmp(a->publish_token, b->publish_token) != 0)
		what |= WF_CONF_STREAM_PUBLISH;
	if (NE(a, b, max_bitrate_kbps))
		what |= WF_CONF_STREAM_BITRATE;
	if (NE(a, b, n_sources) || NE(a, b, source_timeout_ms) ||
	    memcmp(a->sources, b->sources, sizeof(a->sources[0]) * a->n_sources) != 0)
		what |= WF_CONF_STREAM_SOURCES;
	if (NE(a, b, n_tracks))
		what |= WF_CONF_STREAM_TRACKS;
	for (i = 0; !(what & WF_CONF_STREAM_TRACKS) && i < a->n_tracks && i < WF_CONF_MAX_TRACKS; i++)
		if (track_differs(&a->tracks[i], &b->tracks[i]))
			what |= WF_CONF_STREAM_TRACKS;
	if (NE(a, b, n_outputs))
		what |= WF_CONF_STREAM_OUTPUTS;
	for (i = 0; !(what & WF_CONF_STREAM_OUTPUTS) && i < a->n_outputs && i < WF_CONF_MAX_OUTPUTS;
	     i++)
		if (output_differs(&a->outputs[i], &b->outputs[i]))
			what |= WF_CONF_STREAM_OUTPUTS;
	return what;
}

static int find_stream(const struct wf_config *cfg, const char *name)
{
	unsigned i;

	for (i = 0; i < cfg->n_streams && i < WF_CONF_MAX_STREAMS; i++)
		if (strcmp(cfg->streams[i].name, name) == 0)
			return (int)i;
	return -1;
}

static uint32_t group_changes(const struct wf_config *a, const struct wf_config *b)
{
	uint32_t g = 0;

	if (dpdk_differs(&a->dpdk, &b->dpdk))
		g |= WF_CONF_DIFF_DPDK;
	if (ports_differ(a, b))
		g |= WF_CONF_DIFF_PORTS;
	if (webrtc_differs(&a->webrtc, &b->webrtc))
		g |= WF_CONF_DIFF_WEBRTC;
	if (http_differs(&a->http, &b->http))
		g |= WF_CONF_DIFF_HTTP;
	if (admission_differs(a, b))
		g |= WF_CONF_DIFF_ADMISSION;
	if (strcmp(a->dtls.certificate, b->dtls.certificate) != 0 ||
	    strcmp(a->dtls.private_key, b->dtls.private_key) != 0 || NE(&a->dtls, &b->dtls, settle_s))
		g |= WF_CONF_DIFF_DTLS;
	if (NE(&a->srtp, &b->srtp, measure) || NE(&a->srtp, &b->srtp, arch))
		g |= WF_CONF_DIFF_SRTP;
	if (NE(&a->workers, &b->workers, idle_sleep_us))
		g |= WF_CONF_DIFF_WORKERS;
	if (budgets_differ(&a->webrtc, &b->webrtc))
		g |= WF_CONF_DIFF_BUDGETS;
	return g;
}

int wf_config_diff(const struct wf_config *old_cfg, const struct wf_config *new_cfg,
		   struct wf_config_diff *d)
{
	unsigned i;

	if (!old_cfg || !new_cfg || !d)
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	d->groups = group_changes(old_cfg, new_cfg);
	for (i = 0; i < old_cfg->n_streams && i < WF_CONF_MAX_STREAMS; i++) {
		int j = find_stream(new_cfg, old_cfg->streams[i].name);
		uint32_t what;

		if (j < 0) {
			d->removed[d->n_removed++] = (uint16_t)i;
			continue;
		}
		what = stream_changes(&old_cfg->streams[i], &new_cfg->streams[j]);
		if (what)
			d->changed[d->n_changed++] = (struct wf_config_stream_change){
				.old_idx = (uint16_t)i, .new_idx = (uint16_t)j, .what = what };
	}
	for (i = 0; i < new_cfg->n_streams && i < WF_CONF_MAX_STREAMS; i++)
		if (find_stream(old_cfg, new_cfg->streams[i].name) < 0)
			d->added[d->n_added++] = (uint16_t)i;
	return (int)(d->n_added + d->n_removed + d->n_changed);
}
