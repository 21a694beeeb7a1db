/* test_conf.c: the configuration loader, its errors, dump and diff.
 *
 * Runs from the top of the tree (scripts/run-tests.sh does): vectors are
 * read from tests/vectors/conf/, the example from conf/whepfan.conf.
 * Hostile files are generated in a private temporary directory.
 */
#include "wf_test.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/diff.h"
#include "conf/dump.h"

#define VEC "tests/vectors/conf/"
#define MAX_MSGS 32

struct msgs {
	unsigned n;
	char m[MAX_MSGS][WF_CONF_MSG_LEN];
};

static char tmpdir[64];

static void collect(void *arg, const char *msg)
{
	struct msgs *ms = arg;

	if (ms->n < MAX_MSGS)
		snprintf(ms->m[ms->n], sizeof(ms->m[0]), "%s", msg);
	ms->n++;
}

/* Loads path into cfg, messages into ms; returns the loader's result. */
static int load(struct wf_config *cfg, const char *path, struct msgs *ms, unsigned *n_errors)
{
	struct wf_config_diag d = { .fn = collect, .arg = ms };
	int rc;

	memset(ms, 0, sizeof(*ms));
	rc = wf_config_load(cfg, path, &d);
	if (n_errors)
		*n_errors = d.n_errors;
	return rc;
}

static void print_msgs(const struct msgs *ms)
{
	unsigned i;

	for (i = 0; i < ms->n && i < MAX_MSGS; i++)
		printf("    | %s\n", ms->m[i]);
}

/* The index of the message starting with prefix and containing text, or -1. */
static int find_msg(const struct msgs *ms, const char *prefix, const char *text)
{
	unsigned i;

	for (i = 0; i < ms->n && i < MAX_MSGS; i++)
		if (strncmp(ms->m[i], prefix, strlen(prefix)) == 0 && strstr(ms->m[i], text))
			return (int)i;
	return -1;
}

/* Loads a bad vector: expects -EINVAL, exactly `count` errors, one of them
 * "VEC/file:line: path: ..." containing text. */
static void expect_error(const char *file, unsigned count, unsigned line, const char *path,
			 const char *text)
{
	struct wf_config *cfg = wf_config_create();
	struct msgs ms;
	char fpath[256], prefix[320];
	unsigned n = 0;

	WF_REQUIRE(cfg);
	snprintf(fpath, sizeof(fpath), VEC "bad/%s", file);
	snprintf(prefix, sizeof(prefix), "%s:%u: %s: ", fpath, line, path);
	WF_CHECK_EQ(load(cfg, fpath, &ms, &n), -EINVAL);
	WF_CHECK_EQ(n, count);
	WF_CHECK_EQ(ms.n, count);
	WF_CHECKF(find_msg(&ms, prefix, text) >= 0, "no message \"%s...%s\"", prefix, text);
	if (find_msg(&ms, prefix, text) < 0 || n != count)
		print_msgs(&ms);
	wf_config_free(cfg);
}

static const char *write_tmp(const char *name, const char *text, size_t len)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	if (fwrite(text, 1, len, f) != len) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	return path;
}

/* ------------------------------------------------------------------ */

static void conf_example_file_loads_without_errors(void)
{
	struct wf_config *cfg = wf_config_create();
	const struct wf_config_stream *st;
	struct msgs ms;
	unsigned n = 99;

	WF_REQUIRE(cfg);
	WF_CHECK_EQ(load(cfg, "conf/whepfan.conf", &ms, &n), 0);
	WF_CHECK_EQ(n, 0);
	if (n)
		print_msgs(&ms);
	WF_CHECK_EQ(cfg->dpdk.n_eal, 8);
	WF_CHECK(strcmp(cfg->dpdk.eal[0], "--no-huge") == 0);
	WF_CHECK(strcmp(cfg->dpdk.eal[7], "net_tap0,iface=wf0") == 0);
	WF_CHECK_EQ(cfg->n_ports, 1);
	WF_CHECK(strcmp(cfg->ports[0].name, "net_tap0") == 0);
	WF_CHECK_EQ(cfg->ports[0].addr, 0xc6120001u);	/* 198.18.0.1 */
	WF_CHECK_EQ(cfg->ports[0].prefix_len, 24);
	WF_CHECK_EQ(cfg->ports[0].netmask, 0xffffff00u);
	WF_CHECK(cfg->ports[0].has_gateway);
	WF_CHECK_EQ(cfg->ports[0].gateway, 0xc61200feu);
	WF_CHECK_EQ(cfg->webrtc.udp_port, 8189);
	WF_CHECK(!cfg->webrtc.has_announce);
	WF_CHECK(cfg->dtls.certificate[0] == '\0');
	WF_CHECK_EQ(cfg->n_streams, 1);
	st = wf_config_stream_find(cfg, "test");
	WF_REQUIRE(st);
	WF_CHECK_EQ(st->n_tracks, 2);
	WF_CHECK_EQ(st->tracks[0].kind, WF_CONF_VIDEO);
	WF_CHECK_EQ(st->tracks[0].codec, WF_CONF_H264);
	WF_CHECK_EQ(st->tracks[0].port, 5004);
	WF_CHECK_EQ(st->tracks[0].payload_type, 96);
	WF_CHECK(strcmp(st->tracks[0].fmtp, "packetization-mode=1;profile-level-id=42e01f") == 0);
	WF_CHECK_EQ(st->tracks[1].codec, WF_CONF_OPUS);
	WF_CHECK_EQ(st->tracks[1].port, 5006);
	WF_CHECK_EQ(st->tracks[1].payload_type, 111);
	WF_CHECK_EQ(st->tracks[1].clock_rate, 48000);
	WF_CHECK_EQ(st->tracks[1].channels, 2);
	WF_CHECK_EQ(st->n_outputs, 0);
	WF_CHECK(strcmp(cfg->path, "conf/whepfan.conf") == 0);
	wf_config_free(cfg);
}

static void conf_minimal_file_gets_every_default(void)
{
	struct wf_config *cfg = wf_config_create();
	struct msgs ms;
	unsigned n = 99;

	WF_REQUIRE(cfg);
	WF_CHECK_EQ(load(cfg, VEC "good/minimal.conf", &ms, &n), 0);
	WF_CHECK_EQ(n, 0);
	WF_CHECK_EQ(cfg->dpdk.n_eal, 0);
	WF_CHECK_EQ(cfg->dpdk.mbufs, WF_CONF_DEF_MBUFS);
	WF_CHECK_EQ(cfg->dpdk.log_level, WF_CONF_LOG_INFO);
	WF_CHECK(!cfg->ports[0].has_gateway);
	WF_CHECK_EQ(cfg->webrtc.udp_port, 8189);
	WF_CHECK_EQ(cfg->webrtc.rtcp_sr_interval_ms, 1000);
	WF_CHECK(cfg->webrtc.nack);
	WF_CHECK_EQ(cfg->webrtc.nack_budget_pct, 30);
	WF_CHECK_EQ(cfg->webrtc.replay_max_packets, 1000);
	WF_CHECK_EQ(cfg->webrtc.replay_per_stream_per_s, 20);
	WF_CHECK_EQ(cfg->webrtc.consent_timeout_s, 30);
	WF_CHECK_EQ(cfg->http.listen_addr, 0x7f000001u);
	WF_CHECK_EQ(cfg->http.listen_port, 8889);
	WF_CHECK(strcmp(cfg->http.cors_origin, "*") == 0);
	WF_CHECK_EQ(cfg->http.max_sessions, 10000);
	WF_CHECK_EQ(cfg->http.max_body, 65536);
	WF_CHECK_EQ(cfg->webrtc.handshake_timeout_s, 10);
	WF_CHECK_EQ(cfg->http.max_pending_per_ip, 16);
	WF_CHECK_EQ(cfg->http.max_sessions_per_ip, 64);
	WF_CHECK_EQ(cfg->http.post_rate_per_ip, 10);
	WF_CHECK_EQ(cfg->http.post_burst_per_ip, 20);
	WF_CHECK_EQ(cfg->http.request_timeout_s, 10);
	WF_CHECK_EQ(cfg->http.ipv6_prefix_len, 48);
	WF_CHECK_EQ(cfg->http.n_trusted_proxies, 0);
	WF_CHECK(!cfg->srtp.measure);
	WF_CHECK_EQ(cfg->srtp.arch, WF_SRTP_ARCH_AUTO);
	WF_CHECK_EQ(cfg->workers.idle_sleep_us, 50);
	WF_CHECK_EQ(cfg->n_streams, 0);
	wf_config_free(cfg);
}

static void conf_full_file_sets_every_value(void)
{
	struct wf_config *cfg = wf_config_create();
	const struct wf_config_stream *st;
	struct msgs ms;
	unsigned n = 99, i;

	WF_REQUIRE(cfg);
	WF_CHECK_EQ(load(cfg, VEC "good/full.conf", &ms, &n), 0);
	WF_CHECK_EQ(n, 0);
	if (n)
		print_msgs(&ms);
	WF_CHECK_EQ(cfg->dpdk.mbufs, 8191);
	WF_CHECK_EQ(cfg->dpdk.log_level, WF_CONF_LOG_DEBUG);
	WF_CHECK_EQ(cfg->n_ports, 2);
	WF_CHECK_EQ(cfg->ports[1].prefix_len, 31);
	WF_CHECK_EQ(cfg->webrtc.udp_port, 9000);
	WF_CHECK(!cfg->webrtc.nack);
	WF_CHECK(cfg->webrtc.has_announce);
	WF_CHECK_EQ(cfg->webrtc.announce, 0xcb007107u);	/* 203.0.113.7 */
	WF_CHECK_EQ(cfg->http.listen_addr, 0);
	WF_CHECK_EQ(cfg->http.listen_port, 8080);
	WF_CHECK_EQ(cfg->webrtc.handshake_timeout_s, 4);
	WF_CHECK_EQ(cfg->http.max_pending_per_ip, 3);
	WF_CHECK_EQ(cfg->http.max_sessions_per_ip, 100);
	WF_CHECK_EQ(cfg->http.post_rate_per_ip, 2);
	WF_CHECK_EQ(cfg->http.post_burst_per_ip, 5);
	WF_CHECK_EQ(cfg->http.request_timeout_s, 7);
	WF_REQUIRE(cfg->http.n_trusted_proxies == 2);
	WF_CHECK_EQ(cfg->http.trusted_proxies[0].addr, 0x0a000000u);
	WF_CHECK_EQ(cfg->http.trusted_proxies[0].prefix_len, 8);
	WF_CHECK_EQ(cfg->http.trusted_proxies[0].mask, 0xff000000u);
	WF_CHECK_EQ(cfg->http.trusted_proxies[1].addr, 0xc0000207u);	/* bare: /32 */
	WF_CHECK_EQ(cfg->http.trusted_proxies[1].prefix_len, 32);
	WF_CHECK(wf_conf_cidr_match(cfg->http.trusted_proxies, 2, 0x0a7f0001u));
	WF_CHECK(wf_conf_cidr_match(cfg->http.trusted_proxies, 2, 0xc0000207u));
	WF_CHECK(!wf_conf_cidr_match(cfg->http.trusted_proxies, 2, 0xc0000208u));
	WF_CHECK(!wf_conf_cidr_match(cfg->http.trusted_proxies, 2, 0x0b000000u));
	WF_CHECK(!wf_conf_cidr_match(cfg->http.trusted_proxies, 0, 0x0a000001u));
	WF_CHECK(strcmp(cfg->dtls.private_key, "/etc/whepfan/key.pem") == 0);
	WF_CHECK(cfg->srtp.measure);
	WF_CHECK_EQ(cfg->workers.idle_sleep_us, 0);
	WF_REQUIRE(cfg->n_streams == 2);
	st = &cfg->streams[0];
	WF_CHECK(strcmp(st->token, "s3cr3t.token") == 0);
	WF_CHECK_EQ(st->history_ms, 5000);
	WF_REQUIRE(st->n_sources == 2);
	WF_CHECK_EQ(st->sources[0].addr, 0xc6120002u);	/* a bare address is /32 */
	WF_CHECK_EQ(st->sources[0].mask, 0xffffffffu);
	WF_CHECK_EQ(st->sources[1].addr, 0x0a140000u);
	WF_CHECK_EQ(st->sources[1].prefix_len, 16);
	WF_CHECK_EQ(st->source_timeout_ms, 1500);
	WF_CHECK_EQ(st->tracks[0].codec, WF_CONF_VP8);	/* "vp8": case-insensitive */
	WF_CHECK_EQ(st->tracks[0].clock_rate, 90000);
	WF_CHECK_EQ(st->tracks[0].channels, 0);
	WF_REQUIRE(st->n_outputs == 3);
	WF_CHECK(st->outputs[0].srtp);
	WF_CHECK_EQ(st->outputs[0].profile, WF_SRTP_AES128_CM_SHA1_80);
	WF_CHECK_EQ(st->outputs[0].key_len, 30);
	for (i = 0; i < 30; i++)
		WF_CHECK_EQ(st->outputs[0].key[i], i);
	WF_CHECK_EQ(st->outputs[1].profile, WF_SRTP_AEAD_AES_256_GCM);
	WF_CHECK_EQ(st->outputs[1].key_len, 44);
	WF_CHECK(!st->outputs[2].srtp);
	WF_CHECK_EQ(st->outputs[2].port, 6002);
	st = &cfg->streams[1];
	WF_CHECK_EQ(st->tracks[0].codec, WF_CONF_PCMA);
	WF_CHECK_EQ(st->tracks[0].payload_type, 8);	/* static PT default */
	WF_CHECK_EQ(st->tracks[0].clock_rate, 8000);
	WF_CHECK_EQ(st->tracks[0].channels, 1);
	WF_CHECK_EQ(st->history_ms, WF_CONF_DEF_HISTORY_MS);
	WF_CHECK_EQ(st->n_sources, 0);	/* anyone: the default */
	WF_CHECK_EQ(st->source_timeout_ms, WF_CONF_DEF_SOURCE_TIMEOUT_MS);
	wf_config_free(cfg);
}

/* ---- one test per kind of error, with its exact line ---- */

static void conf_unknown_key_is_reported_with_a_suggestion(void)
{
	expect_error("unknown_key.conf", 1, 4, "webrtc.udp_prot",
		     "unknown setting (did you mean \"udp_port\"?)");
}

static void conf_wrong_type_is_reported(void)
{
	expect_error("wrong_type.conf", 1, 3, "webrtc.udp_port", "expected an integer, got a string");
}

static void conf_out_of_range_port_is_reported_exactly(void)
{
	struct wf_config *cfg = wf_config_create();
	struct msgs ms;

	WF_REQUIRE(cfg);
	WF_CHECK_EQ(load(cfg, VEC "bad/port_range.conf", &ms, NULL), -EINVAL);
	WF_REQUIRE(ms.n == 1);
	WF_CHECK(strcmp(ms.m[0], VEC "bad/port_range.conf:5: webrtc.udp_port: "
			"70000 is not a UDP port (1-65535)") == 0);
	wf_config_free(cfg);
}

static void conf_duplicate_stream_name_is_reported(void)
{
	expect_error("dup_stream.conf", 1, 8, "streams[1].name", "\"cam\" is already streams[0]");
}

static void conf_reserved_stream_name_is_reported(void)
{
	expect_error("reserved_name.conf", 1, 5, "streams[0].name",
		     "is reserved (GET /metrics serves Prometheus)");
}

static void conf_duplicate_ingest_port_is_reported(void)
{
	expect_error("dup_ingest_port.conf", 1, 12, "streams[1].tracks[0].port",
		     "5006 is already the ingest port of streams[0].tracks[1]");
}

static void conf_bad_cidr_is_reported(void)
{
	expect_error("bad_cidr.conf", 1, 5, "ports[0].address", "is not an IPv4 address with a prefix");
}

static void conf_bad_sources_are_reported_each(void)
{
	expect_error("bad_sources.conf", 4, 10, "streams[0].sources[0]",
		     "has host bits set (the network is 10.0.0.0/24)");
	expect_error("bad_sources.conf", 4, 11, "streams[0].sources[1]", "is not an IPv4 network");
	expect_error("bad_sources.conf", 4, 12, "streams[0].sources[2]", "expected a string");
	expect_error("bad_sources.conf", 4, 14, "streams[0].source_timeout_ms", "is out of range");
}

static void conf_gateway_outside_subnet_is_reported(void)
{
	expect_error("gateway_outside.conf", 1, 6, "ports[0].gateway",
		     "10.0.1.254 is outside the subnet 10.0.0.0/24");
}

static void conf_bad_base64_key_is_reported_without_echoing_it(void)
{
	struct wf_config *cfg = wf_config_create();
	struct msgs ms;

	expect_error("bad_base64.conf", 1, 8, "streams[0].outputs[0].srtp_key", "is not valid base64");
	WF_REQUIRE(cfg);
	load(cfg, VEC "bad/bad_base64.conf", &ms, NULL);
	WF_CHECK(ms.n == 1 && !strstr(ms.m[0], "AAECAw"));	/* a secret stays secret */
	wf_config_free(cfg);
}

static void conf_key_of_wrong_length_for_profile_is_reported(void)
{
	expect_error("key_length.conf", 1, 9, "streams[0].outputs[0].srtp_key",
		     "decodes to 30 bytes; AEAD_AES_128_GCM needs 28");
}

static void conf_unknown_srtp_profile_is_reported(void)
{
	expect_error("unknown_profile.conf", 1, 8, "streams[0].outputs[0].srtp_profile",
		     "\"AES_CM_256_HMAC_SHA1_80\" is not an SRTP profile (one of: "
		     "AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32, AEAD_AES_128_GCM, "
		     "AEAD_AES_256_GCM)");
}

static void conf_unknown_codec_is_reported(void)
{
	expect_error("unknown_codec.conf", 1, 7, "streams[0].tracks[0].codec",
		     "\"H265\" is not one of: H264, VP8, VP9, AV1, opus, PCMU, PCMA");
}

static void conf_syntax_error_carries_libconfig_line(void)
{
	expect_error("syntax.conf", 1, 4, "syntax error", "unexpected token");
}

static void conf_missing_required_setting_is_reported(void)
{
	expect_error("missing.conf", 1, 6, "streams[0].tracks[0].port", "missing (required");
}

static void conf_codec_of_other_kind_and_second_track_of_a_kind_are_reported(void)
{
	expect_error("kind_codec.conf", 2, 6, "streams[0].tracks[0].codec",
		     "opus is an audio codec, not video");
	expect_error("kind_codec.conf", 2, 10, "streams[1].tracks[1].kind",
		     "a second audio track");
}

static void conf_too_many_tracks_is_reported(void)
{
	expect_error("too_many_tracks.conf", 1, 5, "streams[0].tracks", "3 tracks; at most 2");
}

/* Loads a bad vector expecting count errors, and checks that each of the
 * n (line, path, text) triples is among them. */
struct want_msg {
	unsigned line;
	const char *path;
	const char *text;
};

static void expect_errors(const char *file, unsigned count, const struct want_msg *w, unsigned n)
{
	struct wf_config *cfg = wf_config_create();
	struct msgs ms;
	char fpath[256], prefix[320];
	unsigned i, n_err = 0;
	bool all = true;

	WF_REQUIRE(cfg);
	snprintf(fpath, sizeof(fpath), VEC "bad/%s", file);
	WF_CHECK_EQ(load(cfg, fpath, &ms, &n_err), -EINVAL);
	WF_CHECK_EQ(n_err, count);
	for (i = 0; i < n; i++) {
		snprintf(prefix, sizeof(prefix), "%s:%u: %s: ", fpath, w[i].line, w[i].path);
		WF_CHECKF(find_msg(&ms, prefix, w[i].text) >= 0, "no message \"%s...%s\"", prefix,
			  w[i].text);
		all = all && find_msg(&ms, prefix, w[i].text) >= 0;
	}
	if (!all || n_err != count)
		print_msgs(&ms);
	wf_config_free(cfg);
}

static void conf_admission_settings_out_of_range_are_reported(void)
{
	static const struct want_msg w[] = {
		{ 4, "http.max_pending_per_ip", "0 is out of range (1-1000000)" },
		{ 5, "http.post_rate_per_ip", "0 is out of range (1-1000000)" },
		{ 6, "http.post_burst_per_ip", "1000001 is out of range (1-1000000)" },
		{ 7, "http.request_timeout_s", "301 is out of range (1-300)" },
		{ 8, "http.max_sessions_per_ip", "1000001 is out of range (0-1000000)" },
		{ 10, "webrtc.handshake_timeout_s", "1 is out of range (2-120)" },
	};

	expect_errors("admission_range.conf", 6, w, sizeof(w) / sizeof(w[0]));
}

/* Loads "ports ...; http = { <http> };" from a file of its own: 0 or
 * -EINVAL, the messages in *ms. */
static int load_http(const char *http, struct wf_config *cfg, struct msgs *ms)
{
	char text[512];
	const char *p;
	int n = snprintf(text, sizeof(text),
			 "ports = ( { name = \"p0\"; address = \"10.0.0.1/24\"; } );\n"
			 "http = { %s };\n", http);

	p = write_tmp("http.conf", text, (size_t)n);
	return p ? load(cfg, p, ms, NULL) : -EIO;
}

/* F2: http.max_sessions_per_ip: 0-1000000, at most max_sessions (0 = no
 * cap); unset, 64 or max_sessions when that is lower. */
static void conf_sessions_per_ip_defaults_down_and_may_not_pass_max_sessions(void)
{
	struct wf_config *cfg = wf_config_create();
	struct msgs ms;

	WF_REQUIRE(cfg);
	WF_CHECK_EQ(load_http("max_sessions = 10;", cfg, &ms), 0);
	WF_CHECK_EQ(cfg->http.max_sessions_per_ip, 10);
	WF_CHECK_EQ(load_http("max_sessions = 64;", cfg, &ms), 0);
	WF_CHECK_EQ(cfg->http.max_sessions_per_ip, 64);
	WF_CHECK_EQ(load_http("max_sessions = 65;", cfg, &ms), 0);
	WF_CHECK_EQ(cfg->http.max_sessions_per_ip, 64);
	WF_CHECK_EQ(load_http("max_body = 2048;", cfg, &ms), 0);
	WF_CHECK_EQ(cfg->http.max_sessions_per_ip, 64);
	WF_CHECK_EQ(load_http("max_sessions = 3; max_sessions_per_ip = 0;", cfg, &ms), 0);
	WF_CHECK_EQ(cfg->http.max_sessions_per_ip, 0);
	WF_CHECK_EQ(load_http("max_sessions = 3; max_sessions_per_ip = 3;", cfg, &ms), 0);
	WF_CHECK_EQ(cfg->http.max_sessions_per_ip, 3);
	/* http.ipv6_prefix_len: 32-64 */
	WF_CHECK_EQ(load_http("ipv6_prefix_len = 56;", cfg, &ms), 0);
	WF_CHECK_EQ(cfg->http.ipv6_prefix_len, 56);
	WF_CHECK(load_http("ipv6_prefix_len = 65;", cfg, &ms) < 0);
	WF_CHECK(load_http("ipv6_prefix_len = 31;", cfg, &ms) < 0);
	WF_CHECK_EQ(load_http("max_sessions_per_ip = 10000;", cfg, &ms), 0);
	WF_CHECK_EQ(cfg->http.max_sessions_per_ip, 10000);
	WF_CHECK_EQ(load_http("max_sessions_per_ip = 10001;", cfg, &ms), -EINVAL);
	WF_CHECK(ms.n == 1 && strstr(ms.m[0], "http.max_sessions_per_ip: 10001 is more than "
				     "max_sessions (10000)"));
	WF_CHECK_EQ(load_http("max_sessions_per_ip = -1;", cfg, &ms), -EINVAL);
	WF_CHECK(ms.n == 1 && strstr(ms.m[0], "-1 is out of range (0-1000000)"));
	wf_config_free(cfg);
	expect_error("sessions_per_ip.conf", 1, 5, "http.max_sessions_per_ip",
		     "401 is more than max_sessions (400): at most max_sessions, or 0 for no "
		     "per-address cap");
}

static void conf_malformed_trusted_proxies_are_reported_one_by_one(void)
{
	static const struct want_msg w[] = {
		{ 5, "http.trusted_proxies[0]", "\"10.0.0.1/8\" has host bits set (the network "
		  "is 10.0.0.0/8)" },
		{ 6, "http.trusted_proxies[1]", "\"10.0.0.0/33\" is not an IPv4 network" },
		{ 7, "http.trusted_proxies[2]", "\"10.0.0.0/0\" is not an IPv4 network" },
		{ 8, "http.trusted_proxies[3]", "\"fe80::/10\" is not an IPv4 network" },
		{ 9, "http.trusted_proxies[4]", "\"10.0.0.0/ 8\" is not an IPv4 network" },
		{ 10, "http.trusted_proxies[5]", "expected a string, got an integer" },
	};
	static const struct want_msg many[] = {
		{ 4, "http.trusted_proxies", "17 networks; at most 16 are supported" },
	};

	expect_errors("trusted_proxies.conf", 6, w, sizeof(w) / sizeof(w[0]));
	expect_errors("too_many_proxies.conf", 1, many, 1);
	expect_error("wrong_type_proxies.conf", 1, 3, "http.trusted_proxies",
		     "expected an array [ ... ] of strings, got a string");
}

static void conf_integer_wider_than_32_bits_is_not_truncated(void)
{
	expect_error("wide_int.conf", 1, 4, "webrtc.udp_port", "does not fit in 32 bits");
}

static void conf_several_errors_are_reported_together(void)
{
	const char *f = "several.conf";

	expect_error(f, 5, 4, "webrtc.udp_port", "0 is not a UDP port (1-65535)");
	expect_error(f, 5, 5, "webrtc.nack", "expected a boolean (true or false), got an integer");
	expect_error(f, 5, 7, "http.listen", "\"localhost:80\" is not an IPv4 address and TCP port");
	expect_error(f, 5, 8, "workers.idle_sleep", "did you mean \"idle_sleep_us\"");
	expect_error(f, 5, 10, "streams[0].name", "may only hold letters, digits");
}

static void conf_missing_file_is_an_error_not_a_crash(void)
{
	struct wf_config *cfg = wf_config_create();
	struct msgs ms;

	WF_REQUIRE(cfg);
	WF_CHECK_EQ(load(cfg, VEC "bad/no_such_file.conf", &ms, NULL), -EINVAL);
	WF_CHECK_EQ(ms.n, 1);
	WF_CHECK(find_msg(&ms, VEC "bad/no_such_file.conf: cannot read file", "") == 0);
	WF_CHECK_EQ(wf_config_load(cfg, VEC "bad/no_such_file.conf", NULL), -EINVAL);
	WF_CHECK_EQ(wf_config_load(NULL, "x", NULL), -EINVAL);
	WF_CHECK_EQ(wf_config_load(cfg, NULL, NULL), -EINVAL);
	wf_config_free(cfg);
}

/* ---- reload ---- */

static void conf_reload_keeps_the_old_config_on_error(void)
{
	struct wf_config *cfg = wf_config_create(), *snap = wf_config_create();
	struct msgs ms;

	WF_REQUIRE(cfg && snap);
	WF_REQUIRE(load(cfg, "conf/whepfan.conf", &ms, NULL) == 0);
	memcpy(snap, cfg, sizeof(*cfg));
	/* a file that gets far (ports and webrtc fine) before its error */
	WF_CHECK_EQ(load(cfg, VEC "bad/dup_ingest_port.conf", &ms, NULL), -EINVAL);
	WF_CHECK(memcmp(cfg, snap, sizeof(*cfg)) == 0);
	WF_CHECK_EQ(load(cfg, VEC "bad/syntax.conf", &ms, NULL), -EINVAL);
	WF_CHECK(memcmp(cfg, snap, sizeof(*cfg)) == 0);
	/* and a good file does replace it */
	WF_CHECK_EQ(load(cfg, VEC "good/full.conf", &ms, NULL), 0);
	WF_CHECK_EQ(cfg->webrtc.udp_port, 9000);
	WF_CHECK(memcmp(cfg, snap, sizeof(*cfg)) != 0);
	wf_config_free(cfg);
	wf_config_free(snap);
}

/* A reload parses into a scratch it keeps (wf_config_parse): the second
 * file must not inherit what the first set and it leaves out, and a
 * valid parse into it equals a fresh wf_config_load. */
static void conf_parse_into_a_used_scratch_starts_from_the_defaults(void)
{
	struct wf_config *scratch = wf_config_create(), *fresh = wf_config_create();
	struct wf_config_diag diag = { 0 };

	WF_REQUIRE(scratch && fresh);
	WF_CHECK_EQ(wf_config_parse(scratch, VEC "good/full.conf", &diag), 0);
	WF_CHECK_EQ(scratch->webrtc.udp_port, 9000);
	WF_CHECK_EQ(wf_config_parse(scratch, VEC "bad/syntax.conf", &diag), -EINVAL);
	WF_CHECK(diag.n_errors > 0);
	WF_CHECK_EQ(wf_config_parse(scratch, "conf/whepfan.conf", &diag), 0);
	WF_CHECK_EQ(diag.n_errors, 0);
	WF_CHECK_EQ(wf_config_load(fresh, "conf/whepfan.conf", NULL), 0);
	WF_CHECK(memcmp(scratch, fresh, sizeof(*fresh)) == 0);
	/* its own path, as a reload of the running file passes it (the
	 * defaults clear that path before the file is read) */
	WF_CHECK_EQ(wf_config_parse(scratch, scratch->path, &diag), 0);
	WF_CHECK_EQ(diag.n_errors, 0);
	WF_CHECK(memcmp(scratch, fresh, sizeof(*fresh)) == 0);
	WF_CHECK_EQ(wf_config_parse(NULL, "conf/whepfan.conf", NULL), -EINVAL);
	WF_CHECK_EQ(wf_config_parse(scratch, NULL, NULL), -EINVAL);
	wf_config_free(scratch);
	wf_config_free(fresh);
}

/* ---- diff ---- */

static void conf_diff_reports_added_removed_and_changed_streams(void)
{
	struct wf_config *a = wf_config_create(), *b = wf_config_create();
	struct wf_config_diff *d = malloc(sizeof(*d));
	struct msgs ms;

	WF_REQUIRE(a && b && d);
	WF_REQUIRE(load(a, VEC "good/full.conf", &ms, NULL) == 0);
	memcpy(b, a, sizeof(*a));
	WF_CHECK_EQ(wf_config_diff(a, b, d), 0);
	WF_CHECK_EQ(d->groups, 0);
	/* radio_2 renamed: one removed, one added; cam-1 gets a new token and
	 * loses an output; the WebRTC port moves */
	snprintf(b->streams[1].name, sizeof(b->streams[1].name), "radio_3");
	snprintf(b->streams[0].token, sizeof(b->streams[0].token), "other");
	b->streams[0].n_outputs = 2;
	b->webrtc.udp_port = 9001;
	WF_CHECK_EQ(wf_config_diff(a, b, d), 3);
	WF_CHECK_EQ(d->n_removed, 1);
	WF_CHECK_EQ(d->removed[0], 1);
	WF_CHECK_EQ(d->n_added, 1);
	WF_CHECK_EQ(d->added[0], 1);
	WF_REQUIRE(d->n_changed == 1);
	WF_CHECK_EQ(d->changed[0].old_idx, 0);
	WF_CHECK_EQ(d->changed[0].new_idx, 0);
	WF_CHECK_EQ(d->changed[0].what, WF_CONF_STREAM_TOKEN | WF_CONF_STREAM_OUTPUTS);
	WF_CHECK_EQ(d->groups, WF_CONF_DIFF_WEBRTC);
	/* a key byte alone is a change; order of streams is not */
	memcpy(b, a, sizeof(*a));
	b->streams[0].outputs[1].key[43] ^= 1;
	WF_CHECK_EQ(wf_config_diff(a, b, d), 1);
	WF_CHECK_EQ(d->changed[0].what, WF_CONF_STREAM_OUTPUTS);
	memcpy(b, a, sizeof(*a));
	b->streams[0] = a->streams[1];
	b->streams[1] = a->streams[0];
	WF_CHECK_EQ(wf_config_diff(a, b, d), 0);
	/* a track change */
	b->streams[0].tracks[0].payload_type = 0;
	WF_CHECK_EQ(wf_config_diff(a, b, d), 1);
	WF_CHECK_EQ(d->changed[0].old_idx, 1);
	WF_CHECK_EQ(d->changed[0].new_idx, 0);
	WF_CHECK_EQ(d->changed[0].what, WF_CONF_STREAM_TRACKS);
	/* sources apply live: their own bit */
	memcpy(b, a, sizeof(*a));
	b->streams[0].sources[1].prefix_len = 24;
	b->streams[0].sources[1].mask = 0xffffff00u;
	WF_CHECK_EQ(wf_config_diff(a, b, d), 1);
	WF_CHECK_EQ(d->changed[0].what, WF_CONF_STREAM_SOURCES);
	b->streams[0] = a->streams[0];
	b->streams[0].source_timeout_ms = 3000;
	WF_CHECK_EQ(wf_config_diff(a, b, d), 1);
	WF_CHECK_EQ(d->changed[0].what, WF_CONF_STREAM_SOURCES);
	WF_CHECK_EQ(wf_config_diff(NULL, b, d), -EINVAL);
	/* the admission settings have a bit of their own (applied on reload),
	 * apart from the http and webrtc groups (restart) */
	memcpy(b, a, sizeof(*a));
	b->webrtc.handshake_timeout_s++;
	WF_CHECK_EQ(wf_config_diff(a, b, d), 0);
	WF_CHECK_EQ(d->groups, WF_CONF_DIFF_ADMISSION);
	memcpy(b, a, sizeof(*a));
	b->http.max_sessions_per_ip = 0;
	wf_config_diff(a, b, d);
	WF_CHECK_EQ(d->groups, WF_CONF_DIFF_ADMISSION);
	memcpy(b, a, sizeof(*a));
	b->http.trusted_proxies[1].prefix_len = 31;
	wf_config_diff(a, b, d);
	WF_CHECK_EQ(d->groups, WF_CONF_DIFF_ADMISSION);
	b->http.max_body++;
	wf_config_diff(a, b, d);
	WF_CHECK_EQ(d->groups, WF_CONF_DIFF_ADMISSION | WF_CONF_DIFF_HTTP);
	free(d);
	wf_config_free(a);
	wf_config_free(b);
}

/* ---- dump ---- */

static void conf_dump_with_secrets_loads_back_identical(void)
{
	struct wf_config *a = wf_config_create(), *b = wf_config_create();
	struct wf_config_diff *d = malloc(sizeof(*d));
	const char *files[] = { "conf/whepfan.conf", VEC "good/full.conf", VEC "good/minimal.conf",
				VEC "good/whip.conf" };
	char path[128];
	struct msgs ms;
	unsigned i;

	WF_REQUIRE(a && b && d);
	snprintf(path, sizeof(path), "%s/dump.conf", tmpdir);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f;

		WF_REQUIRE(load(a, files[i], &ms, NULL) == 0);
		f = fopen(path, "w");
		WF_REQUIRE(f);
		WF_CHECK_EQ(wf_config_dump(a, f, WF_CONF_DUMP_SECRETS), 0);
		fclose(f);
		WF_CHECKF(load(b, path, &ms, NULL) == 0, "dump of %s does not load", files[i]);
		if (ms.n)
			print_msgs(&ms);
		WF_CHECK_EQ(wf_config_diff(a, b, d), 0);
		WF_CHECK_EQ(d->groups, 0);
	}
	free(d);
	wf_config_free(a);
	wf_config_free(b);
}

/* What wf_config_dump() writes (secrets redacted) for the file at path,
 * loaded into a; NULL after a failed check.  The caller frees it. */
static char *dump_loaded(struct wf_config *a, const char *path, size_t *len)
{
	char *buf = NULL;
	struct msgs ms;
	FILE *f;

	if (load(a, path, &ms, NULL) != 0 || !(f = open_memstream(&buf, len))) {
		WF_CHECKF(0, "%s: not loaded or no stream", path);
		return NULL;
	}
	WF_CHECK_EQ(wf_config_dump(a, f, 0), 0);
	fclose(f);
	return buf;
}

static void conf_dump_hides_secrets_by_default(void)
{
	struct wf_config *a = wf_config_create();
	char *buf = NULL;
	size_t len = 0;
	struct msgs ms;

	WF_REQUIRE(a);
	buf = dump_loaded(a, VEC "good/full.conf", &len);
	WF_REQUIRE(buf);
	WF_CHECK(strstr(buf, "s3cr3t") == NULL);
	WF_CHECK(strstr(buf, "AAECAw") == NULL);
	WF_CHECK(strstr(buf, "srtp_key = \"<redacted>\";") != NULL);
	WF_CHECK(strstr(buf, "udp_port = 9000;") != NULL);
	/* and a redacted dump is refused rather than loaded without keys */
	{
		const char *p = write_tmp("redacted.conf", buf, len);

		WF_REQUIRE(p);
		WF_CHECK_EQ(load(a, p, &ms, NULL), -EINVAL);
		WF_CHECK(ms.n == 3);	/* token and two keys */
	}
	WF_CHECK_EQ(wf_config_dump(NULL, stdout, 0), -EINVAL);
	free(buf);
	wf_config_free(a);
}

/* ---- retransmission and replay budgets ---- */

static void conf_budgets_load_dump_and_diff_apart_from_webrtc(void)
{
	struct wf_config *a = wf_config_create(), *b = wf_config_create();
	struct wf_config_diff *d = malloc(sizeof(*d));
	char path[128];
	struct msgs ms;
	FILE *f;

	WF_REQUIRE(a && b && d);
	WF_REQUIRE(load(a, VEC "good/budgets.conf", &ms, NULL) == 0);
	WF_CHECK(!a->webrtc.nack);
	WF_CHECK_EQ(a->webrtc.nack_budget_pct, 12);
	WF_CHECK_EQ(a->webrtc.replay_max_packets, 300);
	WF_CHECK_EQ(a->webrtc.replay_per_stream_per_s, 5);
	/* the dump loads back the same values */
	snprintf(path, sizeof(path), "%s/budgets.conf", tmpdir);
	f = fopen(path, "w");
	WF_REQUIRE(f);
	WF_CHECK_EQ(wf_config_dump(a, f, WF_CONF_DUMP_SECRETS), 0);
	fclose(f);
	WF_REQUIRE(load(b, path, &ms, NULL) == 0);
	WF_CHECK_EQ(wf_config_diff(a, b, d), 0);
	WF_CHECK_EQ(d->groups, 0);
	/* each budget is its own bit (applied on reload), not webrtc's */
	b->webrtc.nack = true;
	wf_config_diff(a, b, d);
	WF_CHECK_EQ(d->groups, WF_CONF_DIFF_BUDGETS);
	memcpy(b, a, sizeof(*a));
	b->webrtc.nack_budget_pct = 13;
	wf_config_diff(a, b, d);
	WF_CHECK_EQ(d->groups, WF_CONF_DIFF_BUDGETS);
	b->webrtc.replay_max_packets = 301;
	b->webrtc.replay_per_stream_per_s = 6;
	b->webrtc.udp_port = 9001;
	wf_config_diff(a, b, d);
	WF_CHECK_EQ(d->groups, WF_CONF_DIFF_BUDGETS | WF_CONF_DIFF_WEBRTC);
	free(d);
	wf_config_free(a);
	wf_config_free(b);
}

static void conf_budgets_out_of_range_are_reported_with_their_lines(void)
{
	expect_error("budgets_range.conf", 3, 4, "webrtc.nack_budget_pct",
		     "0 is out of range (1-100)");
	expect_error("budgets_range.conf", 3, 5, "webrtc.replay_max_packets",
		     "15 is out of range (16-65536)");
	expect_error("budgets_range.conf", 3, 6, "webrtc.replay_per_stream_per_s",
		     "10001 is out of range (1-10000)");
}

/* ---- WHIP ingest (issue 14) ---- */

static void conf_whip_file_sets_ingest_publish_token_and_bitrate(void)
{
	struct wf_config *cfg = wf_config_create();
	const struct wf_config_stream *st;
	struct msgs ms;
	unsigned n = 99;

	WF_REQUIRE(cfg);
	WF_CHECK_EQ(load(cfg, VEC "good/whip.conf", &ms, &n), 0);
	WF_CHECK_EQ(n, 0);
	if (n)
		print_msgs(&ms);
	WF_REQUIRE(cfg->n_streams == 4);
	st = wf_config_stream_find(cfg, "cam-1");
	WF_REQUIRE(st);
	WF_CHECK_EQ(st->ingest, WF_CONF_INGEST_WHIP);
	WF_CHECK_EQ(st->publish, WF_CONF_PUBLISH_BEARER);
	WF_CHECK(strcmp(st->publish_token, "publisher-token~1==") == 0);
	WF_CHECK(strcmp(st->token, "viewers.token") == 0);
	WF_CHECK_EQ(st->max_bitrate_kbps, 6000);
	WF_CHECK_EQ(st->history_ms, 2000);
	WF_REQUIRE(st->n_tracks == 2);
	WF_CHECK_EQ(st->tracks[0].codec, WF_CONF_H264);
	WF_CHECK_EQ(st->tracks[0].port, 0);
	WF_CHECK_EQ(st->tracks[0].payload_type, 0);	/* the publisher's offer picks it */
	WF_CHECK_EQ(st->tracks[0].clock_rate, 90000);
	WF_CHECK(strcmp(st->tracks[0].fmtp, "packetization-mode=1;profile-level-id=42e01f") == 0);
	WF_CHECK_EQ(st->tracks[1].codec, WF_CONF_OPUS);
	WF_CHECK_EQ(st->tracks[1].clock_rate, 48000);
	WF_CHECK_EQ(st->tracks[1].channels, 2);
	WF_CHECK_EQ(st->n_sources, 0);
	WF_CHECK_EQ(st->source_timeout_ms, 0);	/* RTP only */
	WF_CHECK_EQ(st->n_outputs, 1);		/* a WHIP stream may be relayed */
	st = wf_config_stream_find(cfg, "open");	/* ingest = "WHIP": any case */
	WF_REQUIRE(st);
	WF_CHECK_EQ(st->ingest, WF_CONF_INGEST_WHIP);
	WF_CHECK_EQ(st->publish, WF_CONF_PUBLISH_OPEN);
	WF_CHECK_EQ(st->publish_token[0], '\0');
	WF_CHECK_EQ(st->max_bitrate_kbps, WF_CONF_DEF_MAX_BITRATE_KBPS);
	st = wf_config_stream_find(cfg, "closed");
	WF_REQUIRE(st);
	WF_CHECK_EQ(st->publish, WF_CONF_PUBLISH_NONE);
	WF_CHECK_EQ(st->tracks[0].codec, WF_CONF_PCMU);
	WF_CHECK_EQ(st->tracks[0].payload_type, 0);
	WF_CHECK_EQ(st->tracks[0].clock_rate, 8000);
	st = wf_config_stream_find(cfg, "rtp-beside");
	WF_REQUIRE(st);
	WF_CHECK_EQ(st->ingest, WF_CONF_INGEST_RTP);
	WF_CHECK_EQ(st->publish, WF_CONF_PUBLISH_NONE);
	WF_CHECK_EQ(st->max_bitrate_kbps, 0);	/* WHIP only */
	WF_CHECK_EQ(st->tracks[0].port, 5004);
	WF_CHECK_EQ(st->source_timeout_ms, WF_CONF_DEF_SOURCE_TIMEOUT_MS);
	WF_CHECK(strcmp(wf_conf_ingest_name(WF_CONF_INGEST_WHIP), "whip") == 0);
	WF_CHECK(wf_conf_ingest_name(WF_CONF_INGEST_COUNT) == NULL);
	wf_config_free(cfg);
}

static void conf_ingest_other_than_rtp_or_whip_is_reported_alone(void)
{
	static const struct want_msg w[] = {
		{ 5, "streams[0].ingest", "\"srt\" is not one of: rtp, whip" },
		{ 7, "streams[1].ingest", "expected a string, got an integer" },
	};

	/* 2: no follow-on error about a port missing or given */
	expect_errors("ingest_value.conf", 2, w, sizeof(w) / sizeof(w[0]));
}

static void conf_whip_stream_refuses_ports_payload_types_and_sources(void)
{
	static const struct want_msg w[] = {
		{ 10, "streams[0].tracks[0].port", "not used with ingest = \"whip\": the "
		  "publisher's media arrives on webrtc.udp_port (8189)" },
		{ 11, "streams[0].tracks[0].payload_type", "not used with ingest = \"whip\"" },
		{ 6, "streams[0].sources", "only with ingest = \"rtp\" (this stream's is \"whip\")" },
		{ 7, "streams[0].source_timeout_ms", "only with ingest = \"rtp\"" },
	};

	expect_errors("whip_rtp_settings.conf", 4, w, sizeof(w) / sizeof(w[0]));
}

static void conf_whip_h264_tracks_need_mode_1_and_a_readable_profile(void)
{
	static const struct want_msg w[] = {
		{ 9, "streams[0].tracks[0].fmtp", "needs packetization-mode=1 with ingest = \"whip\"" },
		{ 10, "streams[1].tracks[0].fmtp", "needs packetization-mode=1 with ingest = \"whip\"" },
		{ 11, "streams[2].tracks[0].fmtp", "profile-level-id is not six hex digits" },
		{ 12, "streams[3].tracks[0].fmtp", "packetization-mode is given twice" },
		{ 13, "streams[4].tracks[0].fmtp", "profile-level-id is not six hex digits" },
		{ 14, "streams[5].tracks[0].fmtp", "profile-level-id 42e0ff names no H.264 level" },
		{ 15, "streams[6].tracks[0].fmtp", "profile-level-id is given twice" },
	};

	/* 7: stream d (keys in other case, spaces around them) is right */
	expect_errors("whip_h264.conf", 7, w, sizeof(w) / sizeof(w[0]));
}

/* No message holds any of the secrets */
static void check_no_secret_in(const char *file, const char *const *secrets, unsigned n)
{
	struct wf_config *cfg = wf_config_create();
	char fpath[256];
	struct msgs ms;
	unsigned i, j;

	WF_REQUIRE(cfg);
	snprintf(fpath, sizeof(fpath), VEC "bad/%s", file);
	WF_CHECK_EQ(load(cfg, fpath, &ms, NULL), -EINVAL);
	WF_CHECK(ms.n > 0);
	for (i = 0; i < ms.n && i < MAX_MSGS; i++)
		for (j = 0; j < n; j++)
			WF_CHECKF(!strstr(ms.m[i], secrets[j]), "\"%s\" in: %s", secrets[j], ms.m[i]);
	wf_config_free(cfg);
}

static void conf_rtp_stream_refuses_publish_token_and_bitrate(void)
{
	static const struct want_msg w[] = {
		{ 5, "streams[0].publish_token", "only with ingest = \"whip\" (this stream's is "
		  "\"rtp\"): an RTP source is let in by its address (sources), not by a token" },
		{ 6, "streams[0].max_bitrate_kbps", "only with ingest = \"whip\"" },
	};
	static const char *const secrets[] = { "not.for.rtp" };

	expect_errors("publish_on_rtp.conf", 2, w, sizeof(w) / sizeof(w[0]));
	check_no_secret_in("publish_on_rtp.conf", secrets, 1);
}

static void conf_bad_publish_tokens_and_bitrates_are_reported_without_echo(void)
{
	static const struct want_msg w[] = {
		{ 7, "streams[0].publish_token", "is too long (256 characters; at most 255)" },
		{ 10, "streams[1].publish_token", "may only hold letters, digits and -._~+/" },
		{ 13, "streams[2].publish_token", "is the same as token: every viewer could publish" },
		{ 16, "streams[3].publish_token", "expected a string, got an integer" },
		{ 19, "streams[4].max_bitrate_kbps", "99 is out of range (100-50000)" },
		{ 22, "streams[5].max_bitrate_kbps", "50001 is out of range (100-50000)" },
		{ 25, "streams[6].max_bitrate_kbps", "expected an integer, got a string" },
	};
	static const char *const secrets[] = { "aaaaaaaa", "pub lish", "shared.Secret", "1234" };

	expect_errors("publish_token.conf", 7, w, sizeof(w) / sizeof(w[0]));
	check_no_secret_in("publish_token.conf", secrets, 4);
}

/* Loads one stream "{ name = "s"; <body> }" from a file of its own: 0
 * or -EINVAL, the messages in *ms. */
static int load_stream(const char *body, struct wf_config *cfg, struct msgs *ms)
{
	static char text[1024];
	const char *p;
	int n = snprintf(text, sizeof(text), "ports = ( { name = \"p0\"; address = \"10.0.0.1/24\"; "
			 "} );\nstreams = ( { name = \"s\"; %s } );\n", body);

	if (n < 0 || (size_t)n >= sizeof(text))
		return -E2BIG;
	p = write_tmp("stream.conf", text, (size_t)n);
	return p ? load(cfg, p, ms, NULL) : -EIO;
}

#define WHIP_AUDIO	"tracks = ( { kind = \"audio\"; codec = \"opus\"; } );"

static void conf_publish_token_absent_empty_and_given_differ(void)
{
	struct wf_config *cfg = wf_config_create();
	char body[640], tok[300];
	struct msgs ms;

	WF_REQUIRE(cfg);
	WF_CHECK_EQ(load_stream("ingest = \"whip\"; " WHIP_AUDIO, cfg, &ms), 0);
	WF_CHECK_EQ(cfg->streams[0].publish, WF_CONF_PUBLISH_NONE);
	WF_CHECK_EQ(load_stream("ingest = \"whip\"; publish_token = \"\"; " WHIP_AUDIO, cfg, &ms), 0);
	WF_CHECK_EQ(cfg->streams[0].publish, WF_CONF_PUBLISH_OPEN);
	WF_CHECK_EQ(load_stream("ingest = \"whip\"; publish_token = \"p\"; " WHIP_AUDIO, cfg, &ms), 0);
	WF_CHECK_EQ(cfg->streams[0].publish, WF_CONF_PUBLISH_BEARER);
	WF_CHECK(strcmp(cfg->streams[0].publish_token, "p") == 0);
	/* '=' only at the end (RFC 6750 §2.1), as for token */
	WF_CHECK_EQ(load_stream("ingest = \"whip\"; publish_token = \"Zm9v+/==\"; " WHIP_AUDIO, cfg,
				&ms), 0);
	WF_CHECK_EQ(load_stream("ingest = \"whip\"; publish_token = \"ab=c\"; " WHIP_AUDIO, cfg, &ms),
		    -EINVAL);
	WF_CHECK(ms.n == 1 && strstr(ms.m[0], "publish_token: may only hold") && !strstr(ms.m[0],
									"ab=c"));
	WF_CHECK_EQ(load_stream("ingest = \"whip\"; publish_token = \"a\\x01b\"; " WHIP_AUDIO, cfg,
				&ms), -EINVAL);
	WF_CHECK(ms.n == 1 && strstr(ms.m[0], "publish_token: holds a control character at offset 1"));
	/* the longest accepted, one more */
	memset(tok, 'k', WF_CONF_TOKEN_LEN);
	tok[WF_CONF_TOKEN_LEN] = '\0';
	snprintf(body, sizeof(body), "ingest = \"whip\"; publish_token = \"%s\"; %s", tok, WHIP_AUDIO);
	WF_CHECK_EQ(load_stream(body, cfg, &ms), 0);
	WF_CHECK_EQ(strlen(cfg->streams[0].publish_token), WF_CONF_TOKEN_LEN);
	snprintf(body, sizeof(body), "ingest = \"whip\"; publish_token = \"%sk\"; %s", tok,
		 WHIP_AUDIO);
	WF_CHECK_EQ(load_stream(body, cfg, &ms), -EINVAL);
	WF_CHECK(ms.n == 1 && strstr(ms.m[0], "is too long (256 characters; at most 255)"));
	/* the viewers' token may be set or not; only the same value is refused */
	WF_CHECK_EQ(load_stream("ingest = \"whip\"; token = \"v\"; publish_token = \"\"; "
				WHIP_AUDIO, cfg, &ms), 0);
	WF_CHECK_EQ(load_stream("ingest = \"whip\"; token = \"v\"; publish_token = \"V\"; "
				WHIP_AUDIO, cfg, &ms), 0);
	WF_CHECK_EQ(load_stream("ingest = \"whip\"; token = \"v\"; publish_token = \"v\"; "
				WHIP_AUDIO, cfg, &ms), -EINVAL);
	/* bitrate bounds and default */
	WF_CHECK_EQ(load_stream("ingest = \"whip\"; max_bitrate_kbps = 100; " WHIP_AUDIO, cfg, &ms), 0);
	WF_CHECK_EQ(cfg->streams[0].max_bitrate_kbps, 100);
	WF_CHECK_EQ(load_stream("ingest = \"whip\"; max_bitrate_kbps = 50000; " WHIP_AUDIO, cfg, &ms),
		    0);
	WF_CHECK_EQ(cfg->streams[0].max_bitrate_kbps, 50000);
	WF_CHECK_EQ(load_stream("ingest = \"whip\"; max_bitrate_kbps = -1; " WHIP_AUDIO, cfg, &ms),
		    -EINVAL);
	WF_CHECK_EQ(load_stream("ingest = \"whip\"; " WHIP_AUDIO, cfg, &ms), 0);
	WF_CHECK_EQ(cfg->streams[0].max_bitrate_kbps, 2500);
	/* ingest written out as rtp, in any case, still needs its ports */
	WF_CHECK_EQ(load_stream("ingest = \"Rtp\"; " WHIP_AUDIO, cfg, &ms), -EINVAL);
	WF_CHECK(ms.n == 1 && strstr(ms.m[0], "streams[0].tracks[0].port: missing (required"));
	WF_CHECK_EQ(load_stream("ingest = \"RTP\"; tracks = ( { kind = \"audio\"; codec = \"PCMU\"; "
				"port = 5000; } );", cfg, &ms), 0);
	WF_CHECK_EQ(cfg->streams[0].ingest, WF_CONF_INGEST_RTP);
	/* a WHIP track still needs kind and codec, matching, as an RTP one */
	WF_CHECK_EQ(load_stream("ingest = \"whip\"; tracks = ( { kind = \"video\"; codec = \"opus\"; "
				"} );", cfg, &ms), -EINVAL);
	WF_CHECK(ms.n == 1 && strstr(ms.m[0], "opus is an audio codec, not video"));
	WF_CHECK_EQ(load_stream("ingest = \"whip\"; tracks = ( { kind = \"video\"; } );", cfg, &ms),
		    -EINVAL);
	WF_CHECK(ms.n == 1 && strstr(ms.m[0], "tracks[0].codec: missing (required"));
	wf_config_free(cfg);
}

/* A WHIP stream's tracks take no ingest port, so none can clash with an
 * RTP stream's port or with webrtc.udp_port */
static void conf_whip_tracks_hold_no_port_to_clash_with(void)
{
	struct wf_config *cfg = wf_config_create();
	struct msgs ms;
	const char *p;
	static const char text[] =
		"ports = ( { name = \"p0\"; address = \"10.0.0.1/24\"; } );\n"
		"streams = (\n"
		"  { name = \"w1\"; ingest = \"whip\"; tracks = ( { kind = \"audio\"; codec = \"opus\"; "
		"} ); },\n"
		"  { name = \"w2\"; ingest = \"whip\"; tracks = ( { kind = \"audio\"; codec = \"opus\"; "
		"} ); },\n"
		"  { name = \"r\"; tracks = ( { kind = \"audio\"; codec = \"PCMU\"; port = 5000; } ); }\n"
		");\n";

	WF_REQUIRE(cfg);
	p = write_tmp("whip_ports.conf", text, sizeof(text) - 1);
	WF_REQUIRE(p);
	WF_CHECK_EQ(load(cfg, p, &ms, NULL), 0);
	if (ms.n)
		print_msgs(&ms);
	wf_config_free(cfg);
}

static void conf_whip_dump_hides_the_publish_token_and_keeps_the_empty_one(void)
{
	struct wf_config *a = wf_config_create();
	char *buf = NULL;
	size_t len = 0;
	struct msgs ms;

	WF_REQUIRE(a);
	buf = dump_loaded(a, VEC "good/whip.conf", &len);
	WF_REQUIRE(buf);
	WF_CHECK(strstr(buf, "publisher-token") == NULL);
	WF_CHECK(strstr(buf, "viewers.token") == NULL);
	WF_CHECK(strstr(buf, "publish_token = \"<redacted>\";") != NULL);
	WF_CHECK(strstr(buf, "publish_token = \"\";") != NULL);	/* "open": not a secret */
	WF_CHECK(strstr(buf, "ingest = \"whip\";") != NULL);
	WF_CHECK(strstr(buf, "ingest = \"rtp\";") != NULL);
	WF_CHECK(strstr(buf, "max_bitrate_kbps = 6000;") != NULL);
	{
		const char *p = write_tmp("redacted_whip.conf", buf, len);

		WF_REQUIRE(p);
		WF_CHECK_EQ(load(a, p, &ms, NULL), -EINVAL);
		WF_CHECK(ms.n == 2);	/* token and publish_token of cam-1 */
		WF_CHECK(find_msg(&ms, p, "streams[0].publish_token: may only hold") >= 0);
	}
	free(buf);
	wf_config_free(a);
}

/* A stream that changes ingest restarts; its publish token and bitrate
 * apply to the running stream, as the viewers' token does. */
static void conf_diff_restarts_on_ingest_and_applies_publish_settings_live(void)
{
	struct wf_config *a = wf_config_create(), *b = wf_config_create();
	struct wf_config_diff *d = malloc(sizeof(*d));
	struct wf_config_stream *s;
	struct msgs ms;

	WF_REQUIRE(a && b && d);
	WF_REQUIRE(load(a, VEC "good/whip.conf", &ms, NULL) == 0);
	memcpy(b, a, sizeof(*a));
	s = &b->streams[0];
	snprintf(s->publish_token, sizeof(s->publish_token), "another");
	WF_CHECK_EQ(wf_config_diff(a, b, d), 1);
	WF_CHECK_EQ(d->changed[0].what, WF_CONF_STREAM_PUBLISH);
	WF_CHECK(!(d->changed[0].what & WF_CONF_STREAM_RESTART));
	/* given or not, empty or not: the same bit */
	memcpy(b, a, sizeof(*a));
	b->streams[1].publish = WF_CONF_PUBLISH_NONE;	/* "open": publish_token = "" removed */
	WF_CHECK_EQ(wf_config_diff(a, b, d), 1);
	WF_CHECK_EQ(d->changed[0].old_idx, 1);
	WF_CHECK_EQ(d->changed[0].what, WF_CONF_STREAM_PUBLISH);
	memcpy(b, a, sizeof(*a));
	b->streams[0].max_bitrate_kbps = 2500;
	WF_CHECK_EQ(wf_config_diff(a, b, d), 1);
	WF_CHECK_EQ(d->changed[0].what, WF_CONF_STREAM_BITRATE);
	WF_CHECK(!(d->changed[0].what & WF_CONF_STREAM_RESTART));
	memcpy(b, a, sizeof(*a));
	b->streams[0].token[0] = '\0';
	WF_CHECK_EQ(wf_config_diff(a, b, d), 1);
	WF_CHECK_EQ(d->changed[0].what, WF_CONF_STREAM_TOKEN);
	WF_CHECK(!(d->changed[0].what & WF_CONF_STREAM_RESTART));
	/* the ingest alone, then as a reload does it: cam-1 RTP in full.conf */
	memcpy(b, a, sizeof(*a));
	b->streams[2].ingest = WF_CONF_INGEST_RTP;
	WF_CHECK_EQ(wf_config_diff(a, b, d), 1);
	WF_CHECK_EQ(d->changed[0].what, WF_CONF_STREAM_INGEST);
	WF_CHECK(d->changed[0].what & WF_CONF_STREAM_RESTART);
	WF_REQUIRE(load(b, VEC "good/full.conf", &ms, NULL) == 0);
	wf_config_diff(b, a, d);
	WF_REQUIRE(d->n_changed == 1);
	WF_CHECK(strcmp(a->streams[d->changed[0].new_idx].name, "cam-1") == 0);
	WF_CHECK(d->changed[0].what & WF_CONF_STREAM_INGEST);
	WF_CHECK(d->changed[0].what & WF_CONF_STREAM_PUBLISH);
	WF_CHECK(d->changed[0].what & WF_CONF_STREAM_BITRATE);
	free(d);
	wf_config_free(a);
	wf_config_free(b);
}

/* ---- hostile input ---- */

static const char *ports_line = "ports = ( { name = \"p0\"; address = \"10.0.0.1/24\"; } );\n";

static void conf_one_mib_string_is_refused_briefly(void)
{
	size_t big = 1 << 20, len;
	char *text = malloc(2 * big + 1024);
	struct wf_config *cfg = wf_config_create();
	const char *p;
	struct msgs ms;
	unsigned n;

	WF_REQUIRE(text && cfg);
	len = (size_t)sprintf(text, "%sstreams = ( { name = \"", ports_line);
	memset(text + len, 'a', big);
	len += big;
	len += (size_t)sprintf(text + len, "\";\n tracks = ( { kind = \"audio\"; port = 5000; "
			       "codec = \"PCMU\"; } ); } );\n");
	p = write_tmp("big_string.conf", text, len);
	WF_REQUIRE(p);
	WF_CHECK_EQ(load(cfg, p, &ms, &n), -EINVAL);
	WF_CHECK_EQ(n, 1);
	WF_CHECK(ms.n == 1 && strstr(ms.m[0], ":2: streams[0].name: is too long (1048576 characters"));
	/* the same size as an SRTP key and as an unknown setting's value */
	len = (size_t)sprintf(text, "%sstreams = ( { name = \"s\"; tracks = ( { kind = \"audio\"; "
			      "port = 5000; codec = \"PCMU\"; } );\n outputs = ( { address = "
			      "\"10.0.0.2:5\"; srtp_profile = \"AEAD_AES_128_GCM\"; srtp_key = \"",
			      ports_line);
	memset(text + len, 'A', big);
	len += big;
	len += (size_t)sprintf(text + len, "\"; } ); } );\nfoo = \"");
	memset(text + len, 'b', big);
	len += big;
	len += (size_t)sprintf(text + len, "\";\n");
	p = write_tmp("big_key.conf", text, len);
	WF_REQUIRE(p);
	WF_CHECK_EQ(load(cfg, p, &ms, &n), -EINVAL);
	WF_CHECK_EQ(n, 2);
	WF_CHECK(find_msg(&ms, p, "srtp_key: decodes to more than 46 bytes") >= 0);
	WF_CHECK(find_msg(&ms, p, "foo: unknown setting") >= 0);
	free(text);
	wf_config_free(cfg);
}

/* depth levels of "x = {" ... "};" inside a known group and at the top */
static void conf_deeply_nested_groups_are_refused_not_recursed(void)
{
	static const unsigned depths[] = { 200, 5000, 200000 };
	struct wf_config *cfg = wf_config_create();
	unsigned i;

	WF_REQUIRE(cfg);
	for (i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
		size_t cap = strlen(ports_line) + depths[i] * 10 + 64, len, k;
		char *text = malloc(cap);
		const char *p;
		struct msgs ms;
		unsigned n;
		int rc;

		WF_REQUIRE(text);
		len = (size_t)sprintf(text, "%swebrtc = {\n", ports_line);
		for (k = 0; k < depths[i]; k++)
			len += (size_t)sprintf(text + len, "x={");
		for (k = 0; k < depths[i]; k++)
			len += (size_t)sprintf(text + len, "};");
		len += (size_t)sprintf(text + len, "\n};\n");
		p = write_tmp("nested.conf", text, len);
		WF_REQUIRE(p);
		rc = load(cfg, p, &ms, &n);
		WF_CHECK_EQ(rc, -EINVAL);
		WF_CHECK_EQ(n, 1);
		/* libconfig's parser stack gives out first, or our walk stops at
		 * the first unknown name */
		WF_CHECKF(find_msg(&ms, p, "webrtc.x: unknown setting") >= 0 ||
			  find_msg(&ms, p, "syntax error") >= 0, "depth %u", depths[i]);
		free(text);
	}
	wf_config_free(cfg);
}

static void conf_ten_thousand_streams_hit_the_limit(void)
{
	const unsigned n_streams = 10000;
	size_t cap = n_streams * 128 + 256, len;
	char *text = malloc(cap);
	struct wf_config *cfg = wf_config_create();
	const char *p;
	struct msgs ms;
	unsigned i, n;

	WF_REQUIRE(text && cfg);
	len = (size_t)sprintf(text, "%sstreams = (\n", ports_line);
	for (i = 0; i < n_streams; i++)
		len += (size_t)sprintf(text + len, "%s{ name = \"s%u\"; tracks = ( { kind = \"audio\"; "
				       "port = %u; codec = \"PCMU\"; } ); }\n", i ? "," : "", i,
				       10000 + i);
	len += (size_t)sprintf(text + len, ");\n");
	p = write_tmp("many.conf", text, len);
	WF_REQUIRE(p);
	WF_CHECK_EQ(load(cfg, p, &ms, &n), -EINVAL);
	WF_CHECK_EQ(n, 1);
	WF_CHECK(find_msg(&ms, p, ":2: streams: 10000 streams; at most 256 are supported") >= 0);
	free(text);
	wf_config_free(cfg);
}

static void conf_error_flood_is_capped_and_buffer_stays_bounded(void)
{
	char *text = malloc(300 * 32 + 256), buf[200], sentinel[16];
	struct wf_config *cfg = wf_config_create();
	struct wf_config_diag d = { .buf = buf, .buf_size = sizeof(buf), .max_errors = 5 };
	struct msgs ms;
	size_t len;
	unsigned i, n;
	const char *p;

	WF_REQUIRE(text && cfg);
	len = (size_t)sprintf(text, "%s", ports_line);
	for (i = 0; i < 300; i++)
		len += (size_t)sprintf(text + len, "unknown_%u = %u;\n", i, i);
	p = write_tmp("flood.conf", text, len);
	WF_REQUIRE(p);
	WF_CHECK_EQ(load(cfg, p, &ms, &n), -EINVAL);
	WF_CHECK_EQ(n, 300);
	WF_CHECK_EQ(ms.n, WF_CONF_MAX_ERRORS + 1);
	WF_CHECK(find_msg(&ms, p, ": 280 more errors not shown") >= 0);
	/* a small buffer: filled, cut, NUL-terminated, nothing beyond it */
	memset(sentinel, 0x5a, sizeof(sentinel));
	WF_CHECK_EQ(wf_config_load(cfg, p, &d), -EINVAL);
	WF_CHECK_EQ(d.n_errors, 300);
	WF_CHECK(d.buf_used < sizeof(buf));
	WF_CHECK_EQ(strlen(buf), d.buf_used);
	WF_CHECK(strncmp(buf, p, strlen(p)) == 0);
	/* room to spare: exactly max_errors lines plus the summary */
	{
		char big[8192];
		unsigned lines = 0;
		const char *c;

		d.buf = big;
		d.buf_size = sizeof(big);
		WF_CHECK_EQ(wf_config_load(cfg, p, &d), -EINVAL);
		for (c = big; *c; c++)
			lines += *c == '\n';
		WF_CHECK_EQ(lines, 6);
		WF_CHECK(strstr(big, "295 more errors not shown\n") != NULL);
	}
	free(text);
	wf_config_free(cfg);
}

/* Every prefix of file: valid or refused with a message, never a crash,
 * and a refused load leaves the config alone. */
static void every_truncation_is_handled(const char *file)
{
	struct wf_config *cfg = wf_config_create(), *snap = wf_config_create();
	char *text = NULL;
	size_t len = 0, cut;
	unsigned ok = 0, bad = 0;
	FILE *f = fopen(file, "r");

	WF_REQUIRE(cfg && snap && f);
	text = malloc(1 << 16);
	WF_REQUIRE(text);
	len = fread(text, 1, 1 << 16, f);
	fclose(f);
	WF_REQUIRE(len > 0 && len < (1 << 16));
	memcpy(snap, cfg, sizeof(*cfg));
	for (cut = 0; cut < len; cut++) {
		const char *p = write_tmp("cut.conf", text, cut);
		struct wf_config_diag d = { 0 };
		int rc;

		WF_REQUIRE(p);
		rc = wf_config_load(cfg, p, &d);
		if (rc == 0) {
			ok++;
			WF_CHECK_EQ(d.n_errors, 0);
			memcpy(cfg, snap, sizeof(*cfg));
		} else {
			bad++;
			WF_CHECK_EQ(rc, -EINVAL);
			WF_CHECK(d.n_errors > 0);
			WF_CHECK(memcmp(cfg, snap, sizeof(*cfg)) == 0);
		}
	}
	WF_CHECK(bad > 0);
	WF_CHECK(ok > 0);	/* e.g. cut right after the ports list */
	free(text);
	wf_config_free(cfg);
	wf_config_free(snap);
}

static void conf_every_truncation_of_the_example_is_handled(void)
{
	every_truncation_is_handled("conf/whepfan.conf");
}

/* Cut inside a publish token, a WHIP track or between streams */
static void conf_every_truncation_of_the_whip_file_is_handled(void)
{
	every_truncation_is_handled(VEC "good/whip.conf");
}

static void conf_codec_table_and_lookups_agree(void)
{
	unsigned c;

	for (c = 0; c < WF_CONF_CODEC_COUNT; c++) {
		const struct wf_conf_codec_info *ci = wf_conf_codec((enum wf_conf_codec)c);

		WF_REQUIRE(ci);
		WF_CHECK_EQ(ci->codec, c);
		WF_CHECK_EQ(wf_conf_codec_by_name(ci->name), (int)c);
		WF_CHECK(ci->kind == WF_CONF_VIDEO ? ci->clock_rate == 90000 : ci->channels > 0);
	}
	WF_CHECK_EQ(wf_conf_codec_by_name("h264"), WF_CONF_H264);
	WF_CHECK_EQ(wf_conf_codec_by_name("OPUS"), WF_CONF_OPUS);
	WF_CHECK_EQ(wf_conf_codec_by_name("H265"), -EINVAL);
	WF_CHECK_EQ(wf_conf_codec_by_name(NULL), -EINVAL);
	WF_CHECK(wf_conf_codec(WF_CONF_CODEC_COUNT) == NULL);
	WF_CHECK(strcmp(wf_conf_kind_name(WF_CONF_AUDIO), "audio") == 0);
	WF_CHECK(strcmp(wf_conf_log_level_name(WF_CONF_LOG_WARNING), "warning") == 0);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/wf-test-conf-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	WF_RUN(conf_example_file_loads_without_errors);
	WF_RUN(conf_minimal_file_gets_every_default);
	WF_RUN(conf_full_file_sets_every_value);
	WF_RUN(conf_unknown_key_is_reported_with_a_suggestion);
	WF_RUN(conf_wrong_type_is_reported);
	WF_RUN(conf_out_of_range_port_is_reported_exactly);
	WF_RUN(conf_duplicate_stream_name_is_reported);
	WF_RUN(conf_reserved_stream_name_is_reported);
	WF_RUN(conf_duplicate_ingest_port_is_reported);
	WF_RUN(conf_bad_cidr_is_reported);
	WF_RUN(conf_bad_sources_are_reported_each);
	WF_RUN(conf_gateway_outside_subnet_is_reported);
	WF_RUN(conf_bad_base64_key_is_reported_without_echoing_it);
	WF_RUN(conf_key_of_wrong_length_for_profile_is_reported);
	WF_RUN(conf_unknown_srtp_profile_is_reported);
	WF_RUN(conf_unknown_codec_is_reported);
	WF_RUN(conf_syntax_error_carries_libconfig_line);
	WF_RUN(conf_missing_required_setting_is_reported);
	WF_RUN(conf_codec_of_other_kind_and_second_track_of_a_kind_are_reported);
	WF_RUN(conf_too_many_tracks_is_reported);
	WF_RUN(conf_admission_settings_out_of_range_are_reported);
	WF_RUN(conf_sessions_per_ip_defaults_down_and_may_not_pass_max_sessions);
	WF_RUN(conf_malformed_trusted_proxies_are_reported_one_by_one);
	WF_RUN(conf_integer_wider_than_32_bits_is_not_truncated);
	WF_RUN(conf_several_errors_are_reported_together);
	WF_RUN(conf_missing_file_is_an_error_not_a_crash);
	WF_RUN(conf_reload_keeps_the_old_config_on_error);
	WF_RUN(conf_parse_into_a_used_scratch_starts_from_the_defaults);
	WF_RUN(conf_diff_reports_added_removed_and_changed_streams);
	WF_RUN(conf_dump_with_secrets_loads_back_identical);
	WF_RUN(conf_dump_hides_secrets_by_default);
	WF_RUN(conf_budgets_load_dump_and_diff_apart_from_webrtc);
	WF_RUN(conf_budgets_out_of_range_are_reported_with_their_lines);
	WF_RUN(conf_whip_file_sets_ingest_publish_token_and_bitrate);
	WF_RUN(conf_ingest_other_than_rtp_or_whip_is_reported_alone);
	WF_RUN(conf_whip_stream_refuses_ports_payload_types_and_sources);
	WF_RUN(conf_whip_h264_tracks_need_mode_1_and_a_readable_profile);
	WF_RUN(conf_rtp_stream_refuses_publish_token_and_bitrate);
	WF_RUN(conf_bad_publish_tokens_and_bitrates_are_reported_without_echo);
	WF_RUN(conf_publish_token_absent_empty_and_given_differ);
	WF_RUN(conf_whip_tracks_hold_no_port_to_clash_with);
	WF_RUN(conf_whip_dump_hides_the_publish_token_and_keeps_the_empty_one);
	WF_RUN(conf_diff_restarts_on_ingest_and_applies_publish_settings_live);
	WF_RUN(conf_one_mib_string_is_refused_briefly);
	WF_RUN(conf_deeply_nested_groups_are_refused_not_recursed);
	WF_RUN(conf_ten_thousand_streams_hit_the_limit);
	WF_RUN(conf_error_flood_is_capped_and_buffer_stays_bounded);
	WF_RUN(conf_every_truncation_of_the_example_is_handled);
	WF_RUN(conf_every_truncation_of_the_whip_file_is_handled);
	WF_RUN(conf_codec_table_and_lookups_agree);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmpdir);
	}
	return wf_test_done();
}
