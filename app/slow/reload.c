/* reload.c: configuration reload on SIGHUP (reload.h). */
#include "slow/reload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "core/app.h"
#include "core/log.h"
#include "slow/mbufs.h"
#include "slow/outputs.h"
#include "slow/streams.h"
#include "whep/session.h"
#include "conf/diff.h"

static void log_error(void *arg, const char *msg)
{
	(void)arg;
	WF_LOG(ERR, "reload: %s\n", msg);
}

/* Ends stream name: sessions, outputs, then the stream itself. */
static void end_stream(const char *name)
{
	int slot = wf_stream_index(name);

	if (slot < 0)
		return;
	wf_session_end_stream((unsigned)slot);
	wf_outputs_remove((unsigned)slot);
	wf_stream_stop((unsigned)slot);
}

static int begin_stream(const struct wf_config_stream *cs)
{
	int slot = wf_stream_start(cs);

	if (slot < 0)
		return slot;
	return wf_outputs_add((unsigned)slot, cs);
}

/* The admission settings take effect at once: http.c reads them at every
 * request and session.c at every tick (conf/diff.h). */
static void apply_admission(struct wf_config *cfg, const struct wf_config *nc)
{
	struct wf_config_http *h = &cfg->http;

	cfg->webrtc.handshake_timeout_s = nc->webrtc.handshake_timeout_s;
	h->max_pending_per_ip = nc->http.max_pending_per_ip;
	/* the running max_sessions bounds it (a new one needs a restart) */
	h->max_sessions_per_ip = nc->http.max_sessions_per_ip < h->max_sessions ?
				 nc->http.max_sessions_per_ip : h->max_sessions;
	h->post_rate_per_ip = nc->http.post_rate_per_ip;
	h->post_burst_per_ip = nc->http.post_burst_per_ip;
	h->request_timeout_s = nc->http.request_timeout_s;
	h->ipv6_prefix_len = nc->http.ipv6_prefix_len;
	h->n_trusted_proxies = nc->http.n_trusted_proxies;
	memcpy(h->trusted_proxies, nc->http.trusted_proxies, sizeof(h->trusted_proxies));
	wf_session_rearm();	/* the new handshake deadline */
	WF_LOG(INFO, "reload: admission settings applied (handshake %u s, %u pending, %u sessions "
	       "and %u POST/s burst %u per address, request %u s, %u trusted proxies)\n",
	       cfg->webrtc.handshake_timeout_s, h->max_pending_per_ip, h->max_sessions_per_ip,
	       h->post_rate_per_ip,
	       h->post_burst_per_ip, h->request_timeout_s, h->n_trusted_proxies);
}

/* The new configuration and its differences, kept from wf_reload_init()
 * to wf_reload_fini() and written in full at every reload: the same pages
 * each time, resident from the start, so a reload moves neither the heap
 * nor the resident size (a fresh 1.3 MB a reload stayed in glibc's heap
 * for seconds, +2.5 MB in the 60-minute soak of afd6118). */
static struct {
	struct wf_config *nc;
	struct wf_config_diff *d;
} scratch;

int wf_reload_init(void)
{
	if (scratch.nc)
		return 0;
	scratch.nc = malloc(sizeof(*scratch.nc));
	scratch.d = malloc(sizeof(*scratch.d));
	if (!scratch.nc || !scratch.d) {
		wf_reload_fini();
		return -ENOMEM;
	}
	/* every page written now, so resident from the start (not a memset
	 * the compiler may fold into a calloc that writes nothing) */
	explicit_bzero(scratch.nc, sizeof(*scratch.nc));
	explicit_bzero(scratch.d, sizeof(*scratch.d));
	return 0;
}

void wf_reload_fini(void)
{
	wf_config_free(scratch.nc);
	free(scratch.d);
	scratch.nc = NULL;
	scratch.d = NULL;
}

/* Parses the file into nc and checks that its histories fit the running
 * pool.  0, or -errno with the reason logged. */
static int parse_new(const struct wf_config *cfg, struct wf_config *nc)
{
	struct wf_config_diag diag = { .fn = log_error };
	char why[320];

	if (wf_config_parse(nc, cfg->path, &diag) != 0) {
		WF_LOG(ERR, "reload: %s refused (%u errors); the running configuration stays\n",
		       cfg->path, diag.n_errors);
		return -EINVAL;
	}
	/* dpdk.mbufs is the running one: the histories must fit beside the
	 * reserve with the new streams */
	nc->dpdk.mbufs = cfg->dpdk.mbufs;
	if (wf_mbufs_check(nc, wf_app.n_workers, why, sizeof(why)) < 0) {
		WF_LOG(ERR, "reload: %s refused: %s; the running configuration stays\n", cfg->path,
		       why);
		return -ENOSPC;
	}
	return 0;
}

/* What goes: removed streams, changed ones that must restart, and the
 * outputs of those whose outputs changed (cfg: the running streams). */
static void end_streams(const struct wf_config *cfg, const struct wf_config_diff *d)
{
	unsigned i;

	for (i = 0; i < d->n_removed; i++)
		end_stream(cfg->streams[d->removed[i]].name);
	for (i = 0; i < d->n_changed; i++) {
		const struct wf_config_stream_change *c = &d->changed[i];

		if (c->what & WF_CONF_STREAM_RESTART)
			end_stream(cfg->streams[c->old_idx].name);
		else if (c->what & WF_CONF_STREAM_OUTPUTS) {
			int slot = wf_stream_index(cfg->streams[c->old_idx].name);

			if (slot >= 0)
				wf_outputs_remove((unsigned)slot);
		}
	}
}

/* webrtc.nack and the budgets: workers read them at every request. */
static void apply_budgets(struct wf_config *cfg, const struct wf_config *nc)
{
	struct wf_config_webrtc *r = &cfg->webrtc;

	r->nack = nc->webrtc.nack;
	r->nack_budget_pct = nc->webrtc.nack_budget_pct;
	r->replay_max_packets = nc->webrtc.replay_max_packets;
	r->replay_per_stream_per_s = nc->webrtc.replay_per_stream_per_s;
	wf_budgets_apply(r);
	WF_LOG(INFO, "reload: nack %s, budget %u %%, replays of at most %u packets, "
	       "%u a second per stream\n", r->nack ? "on" : "off", r->nack_budget_pct,
	       r->replay_max_packets, r->replay_per_stream_per_s);
}

/* The changes a running stream takes in place, for every changed stream
 * whatever else fails: a revoked publish_token ends its publisher first,
 * then the new rate and the new sources. */
static void change_streams(const struct wf_config *cfg, const struct wf_config_diff *d)
{
	unsigned i;

	for (i = 0; i < d->n_changed; i++) {
		const struct wf_config_stream_change *c = &d->changed[i];
		const struct wf_config_stream *cs = &cfg->streams[c->new_idx];
		int slot = wf_stream_index(cs->name);

		if ((c->what & WF_CONF_STREAM_RESTART) || slot < 0)
			continue;
		if (c->what & WF_CONF_STREAM_PUBLISH)
			wf_session_end_publisher((unsigned)slot);
		if (c->what & WF_CONF_STREAM_BITRATE)
			wf_stream_set_bitrate((unsigned)slot, cs);
		if (c->what & WF_CONF_STREAM_SOURCES)
			wf_stream_set_sources((unsigned)slot, cs);
	}
}

/* What comes: added streams, changed ones restarted, new outputs (cfg:
 * the new streams).  Each is tried whatever failed before it: 0 or the
 * first error. */
static int begin_streams(const struct wf_config *cfg, const struct wf_config_diff *d)
{
	unsigned i;
	int rc = 0, r;

	for (i = 0; i < d->n_added; i++) {
		r = begin_stream(&cfg->streams[d->added[i]]);
		rc = rc ? rc : r;
	}
	for (i = 0; i < d->n_changed; i++) {
		const struct wf_config_stream_change *c = &d->changed[i];
		const struct wf_config_stream *cs = &cfg->streams[c->new_idx];
		int slot = wf_stream_index(cs->name);

		if (c->what & WF_CONF_STREAM_RESTART)
			r = begin_stream(cs);
		else if ((c->what & WF_CONF_STREAM_OUTPUTS) && slot >= 0)
			r = wf_outputs_add((unsigned)slot, cs);
		else
			r = 0;
		rc = rc ? rc : r;
	}
	return rc;
}

int wf_reload(struct wf_config *cfg)
{
	static const char *const groups[] = {
		"dpdk", "ports", "webrtc", "http", "dtls", "srtp", "workers",
	};
	struct wf_config_diff *d = scratch.d;
	struct wf_config *nc = scratch.nc;
	uint64_t t0 = rte_get_tsc_cycles();
	unsigned i;
	int rc;

	if (!nc) {
		WF_LOG(ERR, "reload: %s not read: no scratch configuration (wf_reload_init)\n",
		       cfg->path);
		return -ENOMEM;
	}
	rc = parse_new(cfg, nc);
	if (rc)
		goto out;
	wf_config_diff(cfg, nc, d);
	for (i = 0; i < RTE_DIM(groups); i++)
		if (d->groups & (1u << i))
			WF_LOG(WARNING, "reload: %s changed: needs a restart, not applied\n", groups[i]);
	if (d->groups & WF_CONF_DIFF_ADMISSION)
		apply_admission(cfg, nc);
	end_streams(cfg, d);
	if (d->groups & WF_CONF_DIFF_BUDGETS)
		apply_budgets(cfg, nc);
	/* the new streams list replaces the old one; other groups stay */
	cfg->n_streams = nc->n_streams;
	memcpy(cfg->streams, nc->streams, sizeof(cfg->streams));
	change_streams(cfg, d);
	rc = begin_streams(cfg, d);
	if (rc)
		WF_LOG(ERR, "reload: applying failed part way: %s\n", strerror(-rc));
	else
		WF_LOG(INFO, "reload: %s applied in %.1f ms: %u streams added, %u removed, "
		       "%u changed\n", cfg->path,
		       (double)(rte_get_tsc_cycles() - t0) * 1e3 / (double)rte_get_tsc_hz(),
		       d->n_added, d->n_removed, d->n_changed);
out:
	explicit_bzero(nc, sizeof(*nc));	/* tokens and SRTP keys */
	return rc;
}
