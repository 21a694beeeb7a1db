/* dump.c: the effective configuration as a libconfig file (see dump.h). */
#include "conf/dump.h"

#include <errno.h>
#include <string.h>

#include "conf/base64.h"
#include "conf/text.h"

#define WF_REDACTED	"<redacted>"

/* Writes s as a libconfig string literal.  The loader keeps control
 * characters out of every string, so only '"' and '\\' need escapes. */
static void put_string(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putc('\\', f);
		putc(*s, f);
	}
	putc('"', f);
}

static void put_key_string(FILE *f, const char *indent, const char *key, const char *v)
{
	fprintf(f, "%s%s = ", indent, key);
	put_string(f, v);
	fputs(";\n", f);
}

static void put_addr_port(FILE *f, const char *indent, const char *key, uint32_t a, uint16_t port)
{
	char ip[16];

	wf_text_ipv4_fmt(a, ip);
	fprintf(f, "%s%s = \"%s:%u\";\n", indent, key, ip, port);
}

static void dump_dpdk(const struct wf_config_dpdk *d, FILE *f)
{
	unsigned i;

	fputs("dpdk = {\n  eal = [", f);
	for (i = 0; i < d->n_eal && i < WF_CONF_MAX_EAL_ARGS; i++) {
		fputs(i ? ", " : " ", f);
		put_string(f, d->eal[i]);
	}
	fprintf(f, " ];\n  mbufs = %u;\n", d->mbufs);
	put_key_string(f, "  ", "log_level", wf_conf_log_level_name(d->log_level) ?
		       wf_conf_log_level_name(d->log_level) : "info");
	fputs("};\n", f);
}

static void dump_ports(const struct wf_config *cfg, FILE *f)
{
	unsigned i;

	fputs("ports = (", f);
	for (i = 0; i < cfg->n_ports && i < WF_CONF_MAX_PORTS; i++) {
		const struct wf_config_port *p = &cfg->ports[i];
		char ip[16];

		fputs(i ? ",\n  {\n" : "\n  {\n", f);
		put_key_string(f, "    ", "name", p->name);
		wf_text_ipv4_fmt(p->addr, ip);
		fprintf(f, "    address = \"%s/%u\";\n", ip, p->prefix_len);
		if (p->has_gateway) {
			wf_text_ipv4_fmt(p->gateway, ip);
			fprintf(f, "    gateway = \"%s\";\n", ip);
		}
		fputs("  }", f);
	}
	fputs("\n);\n", f);
}

static void dump_proxies(const struct wf_config_http *h, FILE *f)
{
	unsigned i;

	fputs("  trusted_proxies = [", f);
	for (i = 0; i < h->n_trusted_proxies && i < WF_CONF_MAX_PROXIES; i++) {
		char ip[16];

		wf_text_ipv4_fmt(h->trusted_proxies[i].addr, ip);
		fprintf(f, "%s\"%s/%u\"", i ? ", " : " ", ip, h->trusted_proxies[i].prefix_len);
	}
	fputs(" ];\n", f);
}

static void dump_services(const struct wf_config *cfg, FILE *f)
{
	const struct wf_config_webrtc *r = &cfg->webrtc;
	const struct wf_config_http *h = &cfg->http;
	char ip[16] = "";

	if (r->has_announce)
		wf_text_ipv4_fmt(r->announce, ip);
	fprintf(f, "webrtc = {\n  udp_port = %u;\n  rtcp_sr_interval_ms = %u;\n"
		"  nack = %s;\n  nack_budget_pct = %u;\n  replay_max_packets = %u;\n"
		"  replay_per_stream_per_s = %u;\n  announce = \"%s\";\n  consent_timeout_s = %u;\n"
		"  handshake_timeout_s = %u;\n};\n",
		r->udp_port, r->rtcp_sr_interval_ms, r->nack ? "true" : "false", r->nack_budget_pct,
		r->replay_max_packets, r->replay_per_stream_per_s, ip, r->consent_timeout_s,
		r->handshake_timeout_s);
	fputs("http = {\n", f);
	put_addr_port(f, "  ", "listen", h->listen_addr, h->listen_port);
	put_key_string(f, "  ", "cors_origin", h->cors_origin);
	fprintf(f, "  max_sessions = %u;\n  max_body = %u;\n", h->max_sessions, h->max_body);
	fprintf(f, "  max_pending_per_ip = %u;\n  max_sessions_per_ip = %u;\n"
		"  post_rate_per_ip = %u;\n  post_burst_per_ip = %u;\n  request_timeout_s = %u;\n"
		"  ipv6_prefix_len = %u;\n",
		h->max_pending_per_ip, h->max_sessions_per_ip, h->post_rate_per_ip,
		h->post_burst_per_ip, h->request_timeout_s, h->ipv6_prefix_len);
	dump_proxies(h, f);
	fputs("};\n", f);
	fputs("dtls = {\n", f);
	if (cfg->dtls.certificate[0]) {
		put_key_string(f, "  ", "certificate", cfg->dtls.certificate);
		put_key_string(f, "  ", "private_key", cfg->dtls.private_key);
	} else {
		fputs("  # no certificate: one is generated at start\n", f);
	}
	fprintf(f, "  settle_s = %u;\n};\n", cfg->dtls.settle_s);
	fputs("srtp = {\n", f);
	put_key_string(f, "  ", "engine", wf_conf_srtp_engine_name(&cfg->srtp) ?
		       wf_conf_srtp_engine_name(&cfg->srtp) : "auto");
	fprintf(f, "};\nworkers = {\n  idle_sleep_us = %u;\n};\n", cfg->workers.idle_sleep_us);
}

/* A WHIP track has no port and no payload type (the loader refuses them). */
static void dump_track(const struct wf_config_track *t, enum wf_conf_ingest ingest, FILE *f)
{
	const struct wf_conf_codec_info *ci = wf_conf_codec(t->codec);

	fputs("        {\n", f);
	put_key_string(f, "          ", "kind", wf_conf_kind_name(t->kind) ?
		       wf_conf_kind_name(t->kind) : "?");
	put_key_string(f, "          ", "codec", ci ? ci->name : "?");
	if (ingest == WF_CONF_INGEST_RTP)
		fprintf(f, "          port = %u;\n          payload_type = %u;\n", t->port,
			t->payload_type);
	fprintf(f, "          clock_rate = %u;\n", t->clock_rate);
	if (t->kind == WF_CONF_AUDIO)
		fprintf(f, "          channels = %u;\n", t->channels);
	put_key_string(f, "          ", "fmtp", t->fmtp);
	fputs("        }", f);
}

static void dump_output(const struct wf_config_output *o, FILE *f, unsigned flags)
{
	const struct wf_srtp_suite *su = o->srtp ? wf_srtp_suite(o->profile) : NULL;

	fputs("        {\n", f);
	put_addr_port(f, "          ", "address", o->addr, o->port);
	if (su) {
		char b64[WF_BASE64_ENC_LEN(WF_SRTP_MAX_MASTER_LEN) + 1];

		put_key_string(f, "          ", "srtp_profile", su->name);
		if (!(flags & WF_CONF_DUMP_SECRETS) ||
		    wf_base64_encode(o->key, o->key_len, b64, sizeof(b64)) != 0)
			snprintf(b64, sizeof(b64), "%s", WF_REDACTED);
		put_key_string(f, "          ", "srtp_key", b64);
		explicit_bzero(b64, sizeof(b64));
	}
	fputs("        }", f);
}

static void dump_sources(const struct wf_config_stream *st, FILE *f)
{
	unsigned i;

	fputs("    sources = [", f);
	for (i = 0; i < st->n_sources && i < WF_CONF_MAX_SOURCES; i++) {
		char a[16];

		wf_text_ipv4_fmt(st->sources[i].addr, a);
		fprintf(f, "%s\"%s/%u\"", i ? ", " : " ", a, st->sources[i].prefix_len);
	}
	fprintf(f, "%s];\n    source_timeout_ms = %u;\n", st->n_sources ? " " : "",
		st->source_timeout_ms);
}

/* A WHIP stream's publisher: the token is a secret like the viewers' one;
 * "" (anyone may publish) is not. */
static void dump_publish(const struct wf_config_stream *st, FILE *f, unsigned flags)
{
	switch (st->publish) {
	case WF_CONF_PUBLISH_BEARER:
		put_key_string(f, "    ", "publish_token",
			       flags & WF_CONF_DUMP_SECRETS ? st->publish_token : WF_REDACTED);
		break;
	case WF_CONF_PUBLISH_OPEN:
		fputs("    publish_token = \"\";  # anyone may publish\n", f);
		break;
	default:
		fputs("    # no publish_token: every WHIP publisher is refused (401)\n", f);
		break;
	}
	fprintf(f, "    max_bitrate_kbps = %u;\n", st->max_bitrate_kbps);
}

static void dump_stream(const struct wf_config_stream *st, FILE *f, unsigned flags)
{
	unsigned i;

	fputs("  {\n", f);
	put_key_string(f, "    ", "name", st->name);
	put_key_string(f, "    ", "ingest", wf_conf_ingest_name(st->ingest) ?
		       wf_conf_ingest_name(st->ingest) : "?");
	fprintf(f, "    history_ms = %u;\n    history_mbufs = %u;\n", st->history_ms,
		st->history_mbufs);
	if (st->ingest == WF_CONF_INGEST_RTP)
		dump_sources(st, f);
	if (st->token[0])
		put_key_string(f, "    ", "token",
			       flags & WF_CONF_DUMP_SECRETS ? st->token : WF_REDACTED);
	if (st->ingest == WF_CONF_INGEST_WHIP)
		dump_publish(st, f, flags);
	fputs("    tracks = (\n", f);
	for (i = 0; i < st->n_tracks && i < WF_CONF_MAX_TRACKS; i++) {
		fputs(i ? ",\n" : "", f);
		dump_track(&st->tracks[i], st->ingest, f);
	}
	fputs("\n    );\n    outputs = (", f);
	for (i = 0; i < st->n_outputs && i < WF_CONF_MAX_OUTPUTS; i++) {
		fputs(i ? ",\n" : "\n", f);
		dump_output(&st->outputs[i], f, flags);
	}
	fputs(st->n_outputs ? "\n    );\n  }" : " );\n  }", f);
}

int wf_config_dump(const struct wf_config *cfg, FILE *f, unsigned flags)
{
	unsigned i;

	if (!cfg || !f)
		return -EINVAL;
	fprintf(f, "# whepfan effective configuration");
	if (cfg->path[0])
		fprintf(f, " (from %s)", cfg->path);
	fputs("\n", f);
	dump_dpdk(&cfg->dpdk, f);
	dump_ports(cfg, f);
	dump_services(cfg, f);
	fputs("streams = (", f);
	for (i = 0; i < cfg->n_streams && i < WF_CONF_MAX_STREAMS; i++) {
		fputs(i ? ",\n" : "\n", f);
		dump_stream(&cfg->streams[i], f, flags);
	}
	fputs(cfg->n_streams ? "\n);\n" : " );\n", f);
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}
