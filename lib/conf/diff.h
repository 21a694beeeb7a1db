/* diff.h: what changed between two configurations (SIGHUP reload).
 *
 * Streams are matched by name: a name only in the new configuration is
 * added, only in the old one removed, in both with any setting different
 * changed (with which parts changed, so a token change need not drop
 * viewers).  The other groups are compared whole and reported as a bit
 * mask; the application decides which it can apply without a restart
 * (whepfan: streams and WF_CONF_DIFF_ADMISSION, app/slow/reload.c).
 */
#ifndef WF_CONF_DIFF_H
#define WF_CONF_DIFF_H

#include <stdint.h>

#include "conf/conf.h"

/* Groups other than streams that differ (wf_config_diff.groups). */
enum wf_conf_group_bit {
	/* webrtc.nack, nack_budget_pct, replay_max_packets and
	 * replay_per_stream_per_s: not part of the webrtc bit, as they can
	 * change without a restart */
	WF_CONF_DIFF_BUDGETS = 1u << 8,
	WF_CONF_DIFF_DPDK = 1u << 0,
	WF_CONF_DIFF_PORTS = 1u << 1,
	WF_CONF_DIFF_WEBRTC = 1u << 2,
	WF_CONF_DIFF_HTTP = 1u << 3,
	WF_CONF_DIFF_DTLS = 1u << 4,
	WF_CONF_DIFF_SRTP = 1u << 5,
	WF_CONF_DIFF_WORKERS = 1u << 6,
	/* webrtc.handshake_timeout_s and http's per-address admission keys
	 * (max_pending_per_ip, max_sessions_per_ip, post_rate_per_ip, post_burst_per_ip,
	 * request_timeout_s, trusted_proxies): not part of the webrtc and
	 * http bits, as they can change without a restart */
	WF_CONF_DIFF_ADMISSION = 1u << 7,
};

/* Parts of a changed stream (wf_config_stream_change.what). */
enum wf_conf_stream_bit {
	WF_CONF_STREAM_HISTORY = 1u << 0,
	WF_CONF_STREAM_TOKEN = 1u << 1,
	WF_CONF_STREAM_TRACKS = 1u << 2,	/* any track setting, or their number */
	WF_CONF_STREAM_OUTPUTS = 1u << 3,
	WF_CONF_STREAM_SOURCES = 1u << 4,	/* sources, source_timeout_ms */
	WF_CONF_STREAM_INGEST = 1u << 5,	/* rtp <-> whip */
	/* publish_token: given or not, empty or not, its value; read at
	 * every request, and the publisher already in (pending or live) is
	 * ended: a token changed is a token revoked */
	WF_CONF_STREAM_PUBLISH = 1u << 6,
	WF_CONF_STREAM_BITRATE = 1u << 7,	/* max_bitrate_kbps */
};

/* The parts whose change restarts the stream (its viewers reconnect); the
 * others apply to the running stream. */
#define WF_CONF_STREAM_RESTART \
	(WF_CONF_STREAM_HISTORY | WF_CONF_STREAM_TRACKS | WF_CONF_STREAM_INGEST)

struct wf_config_stream_change {
	uint16_t old_idx;	/* in old->streams */
	uint16_t new_idx;	/* in new->streams */
	uint32_t what;		/* enum wf_conf_stream_bit */
};

struct wf_config_diff {
	uint32_t groups;	/* enum wf_conf_group_bit */
	unsigned n_added, n_removed, n_changed;
	uint16_t added[WF_CONF_MAX_STREAMS];	/* indices in new->streams */
	uint16_t removed[WF_CONF_MAX_STREAMS];	/* indices in old->streams */
	struct wf_config_stream_change changed[WF_CONF_MAX_STREAMS];
};

/* Fills *d with the differences from old_cfg to new_cfg (both valid, as
 * wf_config_load() leaves them).  Returns the number of stream changes
 * (added + removed + changed), or -EINVAL for a NULL argument. */
int wf_config_diff(const struct wf_config *old_cfg, const struct wf_config *new_cfg,
		   struct wf_config_diff *d);

#endif
