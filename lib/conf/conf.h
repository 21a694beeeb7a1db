/* conf.h: whepfan's configuration, loaded from one libconfig file.
 *
 * wf_config_load() reads the file with libconfig, walks it with one keyword
 * table per group (conf.c) and fills a struct wf_config of plain C values:
 * fixed-size strings and arrays with the limits below, no pointers, so the
 * struct can be copied by value (memcpy) and its parts copied into DPDK
 * structures by the application.  docs/configuration.md lists every key.
 *
 * Errors are collected, not fatal: every problem found is reported as
 *     file:line: setting.path: what was expected
 * e.g. "conf/whepfan.conf:42: webrtc.udp_port: 70000 is not a UDP port
 * (1-65535)", up to a limit, through struct wf_config_diag.  Secrets
 * (stream and publish tokens, SRTP keys) are never echoed in messages.
 *
 * wf_config_load() builds the configuration in a private buffer and copies
 * it over *cfg only when it is valid; on any error *cfg is left exactly as
 * it was.  A reload (SIGHUP) parses into a scratch the application keeps
 * from its start (wf_config_parse), so no reload allocates a configuration;
 * wf_config_diff() (diff.h) then tells which streams were added, removed or
 * changed.
 *
 * Nothing here exits, panics or keeps global state; the functions are
 * reentrant (libconfig keeps its state in the config_t).
 */
#ifndef WF_CONF_H
#define WF_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srtp/srtp.h"

/* Limits.  A *_LEN is the longest string accepted, without the NUL. */
#define WF_CONF_MAX_EAL_ARGS	64
#define WF_CONF_EAL_ARG_LEN	255
#define WF_CONF_MAX_PORTS	8
#define WF_CONF_MAX_STREAMS	256
#define WF_CONF_MAX_TRACKS	2	/* one per kind (first version) */
#define WF_CONF_MAX_OUTPUTS	64	/* static outputs per stream */
#define WF_CONF_MAX_SOURCES	16	/* streams[].sources networks */
#define WF_CONF_NAME_LEN	63	/* stream and port names */
#define WF_CONF_TOKEN_LEN	255
#define WF_CONF_FMTP_LEN	255
#define WF_CONF_ORIGIN_LEN	255	/* http.cors_origin */
#define WF_CONF_PATH_LEN	1023	/* file paths */
#define WF_CONF_MAX_PROXIES	16	/* http.trusted_proxies */

/* Defaults (docs/configuration.md). */
#define WF_CONF_DEF_MBUFS		65535
#define WF_CONF_DEF_UDP_PORT		8189
#define WF_CONF_DEF_SR_INTERVAL_MS	1000
#define WF_CONF_DEF_CONSENT_S		30	/* RFC 7675 §5.1 */
#define WF_CONF_DEF_NACK_BUDGET_PCT	30	/* of the stream's bitrate */
#define WF_CONF_DEF_REPLAY_MAX_PACKETS	1000	/* packets in one key-frame replay */
#define WF_CONF_DEF_REPLAY_PER_STREAM_S	20	/* replays a second per stream */
#define WF_CONF_DEF_HTTP_ADDR		0x7f000001u	/* 127.0.0.1 */
#define WF_CONF_DEF_HTTP_PORT		8889
#define WF_CONF_DEF_MAX_SESSIONS	10000
#define WF_CONF_DEF_MAX_BODY		65536
#define WF_CONF_DEF_IDLE_SLEEP_US	50
#define WF_CONF_DEF_HISTORY_MS		3000
#define WF_CONF_DEF_SOURCE_TIMEOUT_MS	3000
#define WF_CONF_DEF_HISTORY_MBUFS	2048	/* per stream, all tracks */
#define WF_CONF_DEF_DTLS_SETTLE_S	10
#define WF_CONF_DEF_HANDSHAKE_S		10	/* ICE + DTLS must be done by then */
#define WF_CONF_DEF_PENDING_PER_IP	16	/* sessions in ICE/DTLS per address */
#define WF_CONF_DEF_SESSIONS_PER_IP	64	/* sessions of any state per address */
#define WF_CONF_DEF_V6_PREFIX		48	/* an IPv6 client counts by its /48 */
#define WF_CONF_DEF_POST_RATE		10	/* POSTs per second per address */
#define WF_CONF_DEF_POST_BURST		20
#define WF_CONF_DEF_REQUEST_S		10	/* whole request, headers and body */
#define WF_CONF_DEF_MAX_BITRATE_KBPS	2500	/* a WHIP publisher's target, 720p30 H.264 */
#define WF_CONF_MIN_BITRATE_KBPS	100
#define WF_CONF_MAX_BITRATE_KBPS	50000

/* Log levels: the same numbers as DPDK's RTE_LOG_* (1 = emergency ...
 * 8 = debug), so the application can pass them to rte_log_set_global_level. */
enum wf_conf_log_level {
	WF_CONF_LOG_EMERG = 1,
	WF_CONF_LOG_ALERT,
	WF_CONF_LOG_CRIT,
	WF_CONF_LOG_ERR,
	WF_CONF_LOG_WARNING,
	WF_CONF_LOG_NOTICE,
	WF_CONF_LOG_INFO,
	WF_CONF_LOG_DEBUG,
};

enum wf_conf_kind { WF_CONF_VIDEO = 0, WF_CONF_AUDIO, WF_CONF_KIND_COUNT };

/* How a stream's media comes in (streams[].ingest). */
enum wf_conf_ingest {
	WF_CONF_INGEST_RTP = 0,	/* plain RTP on its tracks' UDP ports (the default) */
	WF_CONF_INGEST_WHIP,	/* a WHIP publisher (RFC 9725) on webrtc.udp_port */
	WF_CONF_INGEST_COUNT
};

/* Who may publish a WHIP stream (streams[].publish_token).  "No key" and
 * "an empty key" differ on purpose: nobody publishes by accident. */
enum wf_conf_publish {
	WF_CONF_PUBLISH_NONE = 0,	/* no publish_token: every WHIP POST gets 401 */
	WF_CONF_PUBLISH_BEARER,		/* publish_token = "...": that bearer token */
	WF_CONF_PUBLISH_OPEN,		/* publish_token = "": anyone may publish */
};

enum wf_conf_codec {
	WF_CONF_H264 = 0,
	WF_CONF_VP8,
	WF_CONF_VP9,
	WF_CONF_AV1,
	WF_CONF_OPUS,
	WF_CONF_PCMU,
	WF_CONF_PCMA,
	WF_CONF_CODEC_COUNT
};

/* One row of the codec table: the SDP encoding name and what RTP fixes. */
struct wf_conf_codec_info {
	enum wf_conf_codec codec;
	const char *name;	/* rtpmap encoding name, e.g. "H264", "opus" */
	enum wf_conf_kind kind;
	uint32_t clock_rate;	/* the only rate its RTP payload format allows */
	uint8_t channels;	/* 0 for video */
	int16_t static_pt;	/* RFC 3551 static payload type, or -1 */
};

/* Range of dynamic payload types (RFC 3551 §6); 72-76 would clash with RTCP
 * packet types under rtcp-mux (RFC 5761 §4) and are outside it. */
#define WF_CONF_PT_DYNAMIC_MIN	96
#define WF_CONF_PT_DYNAMIC_MAX	127

struct wf_config_dpdk {
	unsigned n_eal;
	char eal[WF_CONF_MAX_EAL_ARGS][WF_CONF_EAL_ARG_LEN + 1];
	uint32_t mbufs;			/* mempool size */
	enum wf_conf_log_level log_level;
};

/* IPv4 addresses are in host byte order throughout. */
struct wf_config_port {
	char name[WF_CONF_NAME_LEN + 1];	/* DPDK device name, e.g. "net_tap0" */
	uint32_t addr;
	uint8_t prefix_len;		/* 1-32 */
	uint32_t netmask;		/* derived from prefix_len */
	bool has_gateway;
	uint32_t gateway;		/* inside addr/prefix_len */
};

struct wf_config_webrtc {
	uint16_t udp_port;
	uint32_t rtcp_sr_interval_ms;
	bool nack;
	/* retransmission and replay budgets (docs/configuration.md); with
	 * nack they apply on SIGHUP (WF_CONF_DIFF_BUDGETS) */
	uint32_t nack_budget_pct;	/* a viewer's resends: % of the stream's bitrate */
	uint32_t replay_max_packets;	/* longest key-frame replay */
	uint32_t replay_per_stream_per_s;
	bool has_announce;
	uint32_t announce;		/* public address for 1:1 NAT */
	uint32_t consent_timeout_s;
	uint32_t handshake_timeout_s;	/* offer answered -> ICE + DTLS done */
};

/* An IPv4 network: addr/prefix_len (a bare address is /32), host bits
 * zero. */
struct wf_conf_cidr {
	uint32_t addr;
	uint32_t mask;			/* derived from prefix_len */
	uint8_t prefix_len;		/* 1-32 */
};

struct wf_config_http {
	uint32_t listen_addr;
	uint16_t listen_port;
	char cors_origin[WF_CONF_ORIGIN_LEN + 1];	/* "" = no CORS headers */
	uint32_t max_sessions;
	uint32_t max_body;
	/* admission per client address (docs/configuration.md) */
	uint32_t max_pending_per_ip;	/* sessions not yet through ICE + DTLS */
	uint32_t max_sessions_per_ip;	/* sessions of any state, 0 = no cap */
	uint32_t post_rate_per_ip;	/* POST token bucket: tokens per second */
	uint32_t post_burst_per_ip;	/* and its depth */
	uint32_t request_timeout_s;	/* whole request (headers + body) */
	uint32_t ipv6_prefix_len;	/* an IPv6 client counts by this prefix (32-64) */
	unsigned n_trusted_proxies;	/* X-Forwarded-For believed from these */
	struct wf_conf_cidr trusted_proxies[WF_CONF_MAX_PROXIES];
};

/* Both empty: an ECDSA P-256 certificate is generated at start. */
struct wf_config_dtls {
	char certificate[WF_CONF_PATH_LEN + 1];
	char private_key[WF_CONF_PATH_LEN + 1];
	/* connected this long, a session's DTLS leaves OpenSSL (lib/dtls
	 * record.h): tens of KiB freed per live session */
	uint32_t settle_s;
};

struct wf_config_srtp {
	bool measure;			/* engine = "measure": wf_srtp_arch_measure() */
	enum wf_srtp_arch arch;		/* otherwise this manager for every profile */
};

struct wf_config_workers {
	uint32_t idle_sleep_us;		/* 0 = pure busy polling */
};

struct wf_config_track {
	enum wf_conf_kind kind;
	enum wf_conf_codec codec;
	uint16_t port;			/* UDP ingest port on the DPDK ports; 0 for WHIP */
	uint8_t payload_type;		/* 0 for WHIP: the publisher's offer picks it */
	uint32_t clock_rate;
	uint8_t channels;		/* audio; 0 for video */
	char fmtp[WF_CONF_FMTP_LEN + 1];
};

/* A static output: the stream relayed to addr:port as plain RTP, or as
 * SRTP when srtp is set (SDES-style master key || salt). */
struct wf_config_output {
	uint32_t addr;
	uint16_t port;
	bool srtp;
	enum wf_srtp_profile profile;
	uint8_t key_len;		/* master_key_len + master_salt_len */
	uint8_t key[WF_SRTP_MAX_MASTER_LEN];	/* master key, then master salt */
};

struct wf_config_stream {
	char name[WF_CONF_NAME_LEN + 1];	/* [A-Za-z0-9_-]{1,63}, unique */
	enum wf_conf_ingest ingest;
	uint32_t history_ms;
	uint32_t history_mbufs;	/* the most packets its history may hold */
	/* who may send its RTP and RTCP; none = anyone (unsafe on a shared
	 * network: docs/configuration.md).  RTP ingest only: a WHIP stream
	 * has no sources and a source_timeout_ms of 0 */
	unsigned n_sources;
	struct wf_conf_cidr sources[WF_CONF_MAX_SOURCES];
	/* silence after which another allowed source may take over */
	uint32_t source_timeout_ms;
	char token[WF_CONF_TOKEN_LEN + 1];	/* "" = no bearer token needed */
	/* WHIP only (RTP streams: NONE, "" and 0) */
	enum wf_conf_publish publish;
	char publish_token[WF_CONF_TOKEN_LEN + 1];	/* set when publish is BEARER */
	uint32_t max_bitrate_kbps;	/* what the publisher is asked to send at most */
	unsigned n_tracks;
	struct wf_config_track tracks[WF_CONF_MAX_TRACKS];
	unsigned n_outputs;
	struct wf_config_output outputs[WF_CONF_MAX_OUTPUTS];
};

struct wf_config {
	char path[WF_CONF_PATH_LEN + 1];	/* the file it was loaded from */
	struct wf_config_dpdk dpdk;
	unsigned n_ports;
	struct wf_config_port ports[WF_CONF_MAX_PORTS];
	struct wf_config_webrtc webrtc;
	struct wf_config_http http;
	struct wf_config_dtls dtls;
	struct wf_config_srtp srtp;
	struct wf_config_workers workers;
	unsigned n_streams;
	struct wf_config_stream streams[WF_CONF_MAX_STREAMS];
};

/* Where errors go.  Each message is one line without '\n'
 * ("file:line: path: text").  fn, if set, is called once per message; buf,
 * if set, receives the messages separated by '\n', truncated to buf_size
 * and always NUL-terminated.  At most max_errors messages are delivered
 * (0 means WF_CONF_MAX_ERRORS), then one "N more errors" line; n_errors
 * counts all errors found. */
typedef void (*wf_config_error_fn)(void *arg, const char *msg);

#define WF_CONF_MAX_ERRORS	20
#define WF_CONF_MSG_LEN		400	/* longest message delivered */

struct wf_config_diag {
	wf_config_error_fn fn;
	void *arg;
	char *buf;
	size_t buf_size;
	unsigned max_errors;
	/* out */
	unsigned n_errors;
	size_t buf_used;
};

/* Fills *cfg with the defaults of every setting and no ports or streams. */
void wf_config_defaults(struct wf_config *cfg);

/* Returns a heap configuration holding the defaults, or NULL with errno
 * set (ENOMEM).  The struct is about 1.3 MB: keep it off the stack. */
struct wf_config *wf_config_create(void);

/* Wipes the secrets (tokens, publish tokens, SRTP keys) and frees cfg.
 * NULL is allowed. */
void wf_config_free(struct wf_config *cfg);

/* Loads and validates the libconfig file at path into *cfg.  Returns 0 on
 * success (*cfg replaced), -EINVAL when the file cannot be read or is not
 * valid (*cfg untouched, errors delivered through diag, which may be NULL),
 * -ENOMEM when the scratch copy cannot be allocated. */
int wf_config_load(struct wf_config *cfg, const char *path, struct wf_config_diag *diag);

/* wf_config_load() without the scratch copy, for a caller that keeps its
 * own (a reload: no megabytes allocated while running): the defaults,
 * then the file at path, into *cfg (path may be cfg->path).  0 when
 * valid; -EINVAL otherwise, and *cfg is then a partial configuration the
 * caller must not use.  *cfg holds the file's secrets (tokens, keys): a
 * caller that keeps it wipes it (explicit_bzero) once done with it. */
int wf_config_parse(struct wf_config *cfg, const char *path, struct wf_config_diag *diag);

/* The codec table; NULL when c is out of range. */
const struct wf_conf_codec_info *wf_conf_codec(enum wf_conf_codec c);
/* Codec by SDP encoding name, case-insensitive (RFC 4855 §3): the codec
 * or -EINVAL. */
int wf_conf_codec_by_name(const char *name);
const char *wf_conf_kind_name(enum wf_conf_kind k);	/* "video", "audio" */
const char *wf_conf_ingest_name(enum wf_conf_ingest i);	/* "rtp", "whip" */
const char *wf_conf_log_level_name(enum wf_conf_log_level l);
/* "auto", "measure", "sse", "avx2", "avx512" for cfg->srtp. */
const char *wf_conf_srtp_engine_name(const struct wf_config_srtp *s);

/* Whether addr (host order) is inside one of the n networks of nets. */
bool wf_conf_cidr_match(const struct wf_conf_cidr *nets, unsigned n, uint32_t addr);

/* The stream named name, or NULL. */
const struct wf_config_stream *wf_config_stream_find(const struct wf_config *cfg,
						     const char *name);

#endif
