/* test_whep.c: end-to-end test of WHEP with a real client (issue 5).
 *
 * Runs the real whepfan binary (<build>/whepfan, found from argv[0]) in a
 * private network namespace on a net_tap device, feeds it RTP from the
 * kernel side of the tap (198.18.0.2), and plays a browser against it:
 *   - HTTP over a plain socket to 127.0.0.1: POST an SDP offer (recvonly
 *     audio + video, BUNDLE, rtcp-mux, sha-256 fingerprint of our DTLS
 *     certificate) -> 201 with Location, ETag and an answer lib/sdp reads
 *     back (ice-lite, our host candidate, setup:passive, SSRCs, PTs);
 *     real browser offers; the refusals (401, 404, 400, 409, 413, 503);
 *   - ICE: STUN Binding requests from 198.18.0.2 (lib/stun) and the checked
 *     success responses;
 *   - DTLS client handshake (lib/dtls) on the same socket, keys exported,
 *     SRTP/SRTCP decrypted with libsrtp2: H.264 and Opus byte-identical to
 *     what the source sent, from a key frame, gap-free, with the SSRCs and
 *     payload types of the answer; SRs; a NACK is answered;
 *   - consent freshness kept with checks every second, and lost without
 *     them (RFC 7675); DELETE ends the session and its media;
 *   - nothing is ever sent to an address that has not passed a valid
 *     check: wrong MESSAGE-INTEGRITY and DTLS from strangers get no answer
 *     and are counted; a DTLS certificate that does not match the offer's
 *     fingerprint ends the session without media;
 *   - SIGTERM exits 0.
 * Only 198.18.0.0/15 (RFC 2544 benchmarking) and loopback are used, inside
 * a namespace that vanishes with this process.  Every wait is bounded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <srtp2/srtp.h>

#include "common/e2e.h"
#include "common/e2e_http.h"
#include "dtls/cert.h"
#include "dtls/dtls.h"
#include "sdp/sdp.h"
#include "stun/stun.h"
#include "wf_test.h"

#define WF_ADDR		"198.18.0.1"	/* whepfan's port */
#define KERN_ADDR	"198.18.0.2"	/* the kernel side: source and browsers */
#define WEBRTC_PORT	8189
#define HTTP_PORT	8889		/* on 127.0.0.1 of our own namespace */
#define VIDEO_PORT	5004		/* stream "cam" */
#define AUDIO_PORT	5006
#define LOCKED_PORT	5008		/* stream "locked": video only */
#define SRC_VIDEO_PT	96
#define SRC_AUDIO_PT	111
#define OFFER_VIDEO_PT	102		/* the viewer's numbers differ from the source's */
#define OFFER_AUDIO_PT	109
#define MAX_SESSIONS	3
#define MAX_BODY	16384
#define CONSENT_S	5		/* the smallest webrtc.consent_timeout_s */
#define SR_INTERVAL_MS	500
#define TOKEN		"s3cret"
#define MAX_SENT	8192		/* packets per track in one run */
#define GOP_FRAMES	30
#define MAX_ERRS	6
#define N_CLIENTS	8
#define SLOW		WF_E2E_SLOW

#define wr16 wf_e2e_wr16
#define wr32 wf_e2e_wr32
#define rd16 wf_e2e_rd16
#define rd32 wf_e2e_rd32
#define now_us wf_e2e_now_us

/* ---- small utilities ----------------------------------------------------- */

static uint64_t rng_state;

/* xorshift64*: deterministic from the printed seed */
static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

static void rnd_fill(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

/* n random ice-chars (RFC 8839 §5.4), NUL-terminated. */
static void rnd_ice(char *out, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = a[rnd() & 63];
	out[n] = '\0';
}

/* A bounded list of failure messages, printed by the check that owns it. */
struct errlog {
	unsigned n;
	char msg[MAX_ERRS][160];
};

static void errlog_add(struct errlog *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void errlog_add(struct errlog *e, const char *fmt, ...)
{
	va_list ap;

	if (e->n < MAX_ERRS) {
		va_start(ap, fmt);
		vsnprintf(e->msg[e->n], sizeof(e->msg[0]), fmt, ap);
		va_end(ap);
	}
	e->n++;
}

#define CHECK_ERRLOG(e) do { \
	unsigned i_; \
	for (i_ = 0; i_ < (e)->n && i_ < MAX_ERRS; i_++) \
		wf_test_fail(__FILE__, __LINE__, "%s", (e)->msg[i_]); \
	if ((e)->n > MAX_ERRS) \
		wf_test_fail(__FILE__, __LINE__, "... %u more", (e)->n - MAX_ERRS); \
} while (0)

/* ---- the environment ------------------------------------------------------ */

static struct wf_e2e_proc wf = { .pid = 0 };

static struct {
	bool netns;
	bool ready;			/* whepfan up, tap addressed */
	int src_sock[2];		/* video, audio source sockets */
	struct wf_dtls_cert *cert;	/* the browser's certificate */
	struct wf_dtls_cert *other_cert;	/* one the offer does not name */
	struct wf_dtls_ctx *cctx, *other_ctx;
	char fp[WF_DTLS_FP_STRLEN];	/* of cert, for offers */
	char tel[65536];
} env = { .src_sock = { -1, -1 } };

/* ---- the source (RTP into whepfan) ---------------------------------------- */

struct sent {
	uint8_t *pl;		/* payload as sent */
	uint16_t pl_len;
	uint16_t seq;
	uint32_t ts;
	uint64_t t_us;
	uint8_t marker;
	uint8_t kf;		/* first packet of a key frame */
};

struct src_track {
	const char *name;
	bool video;
	uint8_t pt;
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	uint32_t ts_step;
	uint64_t period_us;
	uint64_t next_us;
	unsigned frame;
	unsigned n;
	struct sent s[MAX_SENT];
};

static struct src_track src[2];
static bool src_running;

static void send_to_wf(int fd, uint16_t port, const void *p, size_t n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, WF_ADDR, &to.sin_addr);
	sendto(fd, p, n, 0, (struct sockaddr *)&to, sizeof(to));
}

/* One RTP packet of track t; the last 4 bytes of body get the tag (track
 * << 24 | index).  Video also goes to the "locked" stream. */
static void src_packet(unsigned t, uint8_t *body, size_t blen, bool marker, bool kf)
{
	struct src_track *st = &src[t];
	struct sent *s;
	uint8_t pkt[1500];

	if (st->n >= MAX_SENT)
		return;
	wr32(body + blen - 4, (uint32_t)t << 24 | st->n);
	pkt[0] = 0x80;
	pkt[1] = (uint8_t)((marker ? 0x80 : 0) | st->pt);
	wr16(pkt + 2, st->seq);
	wr32(pkt + 4, st->ts);
	wr32(pkt + 8, st->ssrc);
	memcpy(pkt + 12, body, blen);
	s = &st->s[st->n];
	s->pl = malloc(blen);
	if (!s->pl)
		return;
	memcpy(s->pl, body, blen);
	s->pl_len = (uint16_t)blen;
	s->seq = st->seq;
	s->ts = st->ts;
	s->marker = marker;
	s->kf = kf;
	s->t_us = now_us();
	send_to_wf(env.src_sock[t], st->video ? VIDEO_PORT : AUDIO_PORT, pkt, 12 + blen);
	if (st->video)
		send_to_wf(env.src_sock[t], LOCKED_PORT, pkt, 12 + blen);
	st->n++;
	st->seq++;
}

/* A 30 fps H.264 frame: key frames are STAP-A (SPS, PPS) then an IDR in
 * FU-A fragments (RFC 6184 §5.7.1, §5.8); others one non-IDR slice. */
static void src_video_frame(void)
{
	uint8_t b[1300];
	bool key = src[0].frame % GOP_FRAMES == 0;
	unsigned n, i;

	if (key) {
		b[0] = 0x78;			/* STAP-A */
		wr16(b + 1, 12);
		b[3] = 0x67;			/* SPS */
		rnd_fill(b + 4, 11);
		wr16(b + 15, 8);
		b[17] = 0x68;			/* PPS */
		rnd_fill(b + 18, 7);
		src_packet(0, b, 25, false, true);
		n = 3;
		for (i = 0; i < n; i++) {
			size_t len = 300 + rnd() % 900;

			b[0] = 0x7c;		/* FU indicator: NRI 3, type 28 */
			b[1] = (uint8_t)((i == 0 ? 0x80 : 0) | (i == n - 1 ? 0x40 : 0) | 5);
			rnd_fill(b + 2, len - 2);
			b[2] |= 0x80;		/* first_mb_in_slice = 0 */
			src_packet(0, b, len, i == n - 1, false);
		}
	} else {
		size_t len = 100 + rnd() % 1000;

		rnd_fill(b, len);
		b[0] = 0x41;			/* single NAL, non-IDR slice */
		b[1] |= 0x80;
		src_packet(0, b, len, true, false);
	}
	src[0].frame++;
	src[0].ts += src[0].ts_step;
}

static void src_audio_frame(void)
{
	uint8_t b[200];
	size_t len = 60 + rnd() % 100;

	rnd_fill(b, len);
	src_packet(1, b, len, src[1].frame == 0, false);
	src[1].frame++;
	src[1].ts += src[1].ts_step;
}

static void src_tick(void)
{
	uint64_t t = now_us();
	unsigned i;

	if (!src_running)
		return;
	for (i = 0; i < 2; i++) {
		if (!src[i].next_us)
			src[i].next_us = t;
		while (src[i].next_us <= t && src[i].n + 8 < MAX_SENT) {
			if (src[i].video)
				src_video_frame();
			else
				src_audio_frame();
			src[i].next_us += src[i].period_us;
		}
	}
}

/* The newest packet of track t sent before time t_us, or -1. */
static int src_last_before(unsigned t, uint64_t t_us)
{
	int k;

	for (k = (int)src[t].n - 1; k >= 0; k--)
		if (src[t].s[k].t_us < t_us)
			return k;
	return -1;
}

/* ---- HTTP (a plain socket, one request per connection) --------------------- */

/* One request per connection to our own namespace's 127.0.0.1
 * (tests/common/e2e_http.h). */
static int http_req(const char *method, const char *path, const char *extra, const char *body,
		    size_t len, struct wf_e2e_http_resp *r)
{
	static const struct wf_e2e_http_to to = {
		.port = HTTP_PORT, .max_body = MAX_BODY, .timeout_ms = 5000 * SLOW, .slow = SLOW,
	};

	return wf_e2e_http(&to, method, path, extra, body, len, r);
}

static int http_post_offer(const char *stream, const char *auth, const char *sdp, size_t len,
			   struct wf_e2e_http_resp *r)
{
	char path[128], extra[256];

	snprintf(path, sizeof(path), "/%s/whep", stream);
	snprintf(extra, sizeof(extra), "Content-Type: application/sdp\r\n%s%s%s",
		 auth ? "Authorization: Bearer " : "", auth ? auth : "", auth ? "\r\n" : "");
	return http_req("POST", path, extra, sdp, len, r);
}

/* ---- a browser ------------------------------------------------------------- */

struct rx_trk {
	bool have;
	uint32_t ssrc;
	uint16_t last_seq;
	int first_tag, last_tag;
	unsigned n_rtp, n_retx;
	int32_t tag_of_seq[65536];
	uint8_t retx_of[MAX_SENT];
	struct errlog err;
};

struct client {
	const char *name;
	bool used;
	int sock;
	uint16_t port;
	char ufrag[9], pwd[25];			/* ours */
	char s_ufrag[WF_SDP_UFRAG_MAX + 1];	/* the server's */
	char s_pwd[WF_SDP_PWD_MAX + 1];
	uint8_t s_fp[WF_DTLS_FP_LEN];
	char location[256];
	char id[40];
	/* from the answer: [0] video, [1] audio */
	uint32_t ssrc[2];
	uint8_t pt[2];
	/* ICE */
	uint8_t txid[8][WF_STUN_TXID_LEN];
	unsigned n_txid;
	unsigned stun_sent, stun_ok;
	uint64_t last_check_us;
	bool keepalive;
	struct errlog ice_err;
	/* DTLS and SRTP */
	struct wf_dtls *dtls;
	bool keyed;
	enum wf_srtp_profile profile;
	uint8_t rkey[WF_SRTP_MAX_MASTER_LEN], lkey[WF_SRTP_MAX_MASTER_LEN];
	srtp_t rx, tx;
	uint32_t my_ssrc;
	/* what arrived */
	unsigned n_dgrams, n_dtls_in, n_sr[2], n_srtcp_other;
	uint64_t first_media_us, last_media_us;
	struct rx_trk trk[2];
	struct errlog err;
};

static struct client clients[N_CLIENTS];

static struct client *client_new(const char *name)
{
	unsigned i;

	for (i = 0; i < N_CLIENTS; i++) {
		struct client *c = &clients[i];

		if (c->used)
			continue;
		memset(c, 0, sizeof(*c));
		c->used = true;
		c->name = name;
		c->port = (uint16_t)(40000 + i);
		c->sock = wf_e2e_udp_socket(KERN_ADDR, c->port);
		if (c->sock < 0) {
			c->used = false;
			return NULL;
		}
		rnd_ice(c->ufrag, 8);
		rnd_ice(c->pwd, 24);
		c->my_ssrc = rnd() | 1;
		return c;
	}
	return NULL;
}

static void client_free(struct client *c)
{
	if (!c || !c->used)
		return;
	if (c->sock >= 0)
		close(c->sock);
	if (c->dtls)
		wf_dtls_free(c->dtls);
	if (c->rx)
		srtp_dealloc(c->rx);
	if (c->tx)
		srtp_dealloc(c->tx);
	c->used = false;
	c->dtls = NULL;
	c->rx = c->tx = NULL;
}

static void send_to_ice(struct client *c, const void *p, size_t n)
{
	send_to_wf(c->sock, WEBRTC_PORT, p, n);
}

/* Our offer: what a browser's recvonly transceivers produce (JSEP). */
static size_t make_offer(const struct client *c, char *out, size_t cap)
{
	int n = snprintf(out, cap,
		"v=0\r\n"
		"o=- %u 2 IN IP4 127.0.0.1\r\n"
		"s=-\r\n"
		"t=0 0\r\n"
		"a=group:BUNDLE 0 1\r\n"
		"a=msid-semantic: WMS\r\n"
		"m=audio 9 UDP/TLS/RTP/SAVPF %d\r\n"
		"c=IN IP4 0.0.0.0\r\n"
		"a=rtcp:9 IN IP4 0.0.0.0\r\n"
		"a=ice-ufrag:%s\r\n"
		"a=ice-pwd:%s\r\n"
		"a=ice-options:trickle\r\n"
		"a=fingerprint:sha-256 %s\r\n"
		"a=setup:actpass\r\n"
		"a=mid:0\r\n"
		"a=recvonly\r\n"
		"a=rtcp-mux\r\n"
		"a=rtpmap:%d opus/48000/2\r\n"
		"a=fmtp:%d minptime=10;useinbandfec=1\r\n"
		"m=video 9 UDP/TLS/RTP/SAVPF %d\r\n"
		"c=IN IP4 0.0.0.0\r\n"
		"a=rtcp:9 IN IP4 0.0.0.0\r\n"
		"a=ice-ufrag:%s\r\n"
		"a=ice-pwd:%s\r\n"
		"a=ice-options:trickle\r\n"
		"a=fingerprint:sha-256 %s\r\n"
		"a=setup:actpass\r\n"
		"a=mid:1\r\n"
		"a=recvonly\r\n"
		"a=rtcp-mux\r\n"
		"a=rtcp-rsize\r\n"
		"a=rtpmap:%d H264/90000\r\n"
		"a=rtcp-fb:%d nack\r\n"
		"a=rtcp-fb:%d nack pli\r\n"
		"a=fmtp:%d level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n",
		rnd(), OFFER_AUDIO_PT, c->ufrag, c->pwd, env.fp, OFFER_AUDIO_PT, OFFER_AUDIO_PT,
		OFFER_VIDEO_PT, c->ufrag, c->pwd, env.fp, OFFER_VIDEO_PT, OFFER_VIDEO_PT,
		OFFER_VIDEO_PT, OFFER_VIDEO_PT);

	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

static struct wf_sdp_offer answer_sdp;	/* ~100 KiB */

/* Reads the answer: lib/sdp for the structure and credentials, the text
 * for a=ssrc and a=candidate (lib/sdp keeps neither).  Failed checks are
 * reported; returns whether the client can go on. */
static bool read_answer(struct client *c, const struct wf_e2e_http_resp *r)
{
	struct wf_sdp_error err;
	const char *p, *id;
	unsigned m = 0, i, ncand = 0;
	bool cand_ok = false;

	WF_CHECKF(!strcmp(r->ctype, "application/sdp"), "%s: Content-Type \"%s\"", c->name,
		  r->ctype);
	WF_CHECKF(r->etag[0] != '\0', "%s: no ETag", c->name);
	id = strrchr(r->location, '/');
	WF_CHECKF(!strncmp(r->location, "/cam/whep/", 10) || !strncmp(r->location, "/locked/whep/", 13),
		  "%s: Location \"%s\"", c->name, r->location);
	if (!id || strlen(id + 1) != 32 || strspn(id + 1, "0123456789abcdef") != 32) {
		wf_test_fail(__FILE__, __LINE__, "%s: Location \"%s\" has no 32-hex id", c->name,
			     r->location);
		return false;
	}
	snprintf(c->location, sizeof(c->location), "%s", r->location);
	snprintf(c->id, sizeof(c->id), "%s", id + 1);
	if (wf_sdp_parse(&answer_sdp, r->body, r->body_len, &err) < 0) {
		wf_test_fail(__FILE__, __LINE__, "%s: answer does not parse: %s", c->name, err.reason);
		return false;
	}
	WF_CHECK(answer_sdp.ice_lite);
	WF_CHECKF(answer_sdp.nmedia == 2, "%s: %u m= sections in the answer, offered 2", c->name,
		  answer_sdp.nmedia);
	for (i = 0; i < answer_sdp.nmedia && i < 2; i++) {
		const struct wf_sdp_media *md = &answer_sdp.media[i];

		WF_CHECKF(md->setup == WF_SDP_SETUP_PASSIVE, "media %u: setup %d", i, md->setup);
		WF_CHECK(md->rtcp_mux);
		WF_CHECK(md->has_fingerprint);
		WF_CHECKF(md->dir == WF_SDP_DIR_SENDONLY, "media %u: direction %s", i,
			  wf_sdp_dir_name(md->dir));
		WF_CHECK(md->nformats >= 1);
	}
	if (answer_sdp.nmedia != 2 || !answer_sdp.media[0].ice_ufrag || !answer_sdp.media[0].ice_pwd)
		return false;
	WF_CHECK(answer_sdp.media[0].kind == WF_SDP_KIND_AUDIO &&
		 answer_sdp.media[1].kind == WF_SDP_KIND_VIDEO);
	snprintf(c->s_ufrag, sizeof(c->s_ufrag), "%s", answer_sdp.media[0].ice_ufrag);
	snprintf(c->s_pwd, sizeof(c->s_pwd), "%s", answer_sdp.media[0].ice_pwd);
	memcpy(c->s_fp, answer_sdp.media[0].fingerprint, sizeof(c->s_fp));
	c->pt[1] = answer_sdp.media[0].formats[0].pt;
	c->pt[0] = answer_sdp.media[1].formats[0].pt;
	WF_CHECKF(c->pt[0] == OFFER_VIDEO_PT && c->pt[1] == OFFER_AUDIO_PT,
		  "%s: answer PTs video %u audio %u, offered %d and %d", c->name, c->pt[0], c->pt[1],
		  OFFER_VIDEO_PT, OFFER_AUDIO_PT);
	WF_CHECK(answer_sdp.media[1].formats[0].name &&
		 !strcasecmp(answer_sdp.media[1].formats[0].name, "H264"));
	WF_CHECK(answer_sdp.media[0].formats[0].name &&
		 !strcasecmp(answer_sdp.media[0].formats[0].name, "opus"));
	/* a=ssrc and a=candidate, per m= section */
	for (p = r->body; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		unsigned ssrc, port, comp;
		char addr[64], typ[16], proto[8];

		if (!strncmp(p, "m=", 2))
			m++;
		if (m >= 1 && m <= 2 && sscanf(p, "a=ssrc:%u ", &ssrc) == 1 && !c->ssrc[2 - m])
			c->ssrc[2 - m] = ssrc;	/* m=1 audio -> [1], m=2 video -> [0] */
		if (sscanf(p, "a=candidate:%*s %u %7s %*u %63s %u typ %15s", &comp, proto, addr, &port,
			   typ) == 5) {
			ncand++;
			if (comp == 1 && !strcasecmp(proto, "udp") && !strcmp(addr, WF_ADDR) &&
			    port == WEBRTC_PORT && !strcmp(typ, "host"))
				cand_ok = true;
		}
	}
	WF_CHECKF(cand_ok, "%s: no host candidate " WF_ADDR " %d udp (%u candidates)", c->name,
		  WEBRTC_PORT, ncand);
	WF_CHECKF(c->ssrc[0] && c->ssrc[1] && c->ssrc[0] != c->ssrc[1],
		  "%s: a=ssrc video %u audio %u", c->name, c->ssrc[0], c->ssrc[1]);
	return c->ssrc[0] && c->ssrc[1];
}

/* POST the client's offer to stream; on 201 reads the answer. */
static int client_post(struct client *c, const char *stream, const char *auth,
		       struct wf_e2e_http_resp *r)
{
	static char offer[8192];
	size_t n = make_offer(c, offer, sizeof(offer));

	if (!n || http_post_offer(stream, auth, offer, n, r) < 0)
		return -1;
	if (r->status == 201 && !read_answer(c, r))
		return -1;
	return r->status;
}

/* A Binding request to whepfan (RFC 8445 §7.2.2, we are controlling);
 * pwd: the key of MESSAGE-INTEGRITY (the server's password, or a wrong
 * one).  The txid is remembered for the response. */
static void send_check(struct client *c, bool use_candidate, const char *pwd)
{
	struct wf_stun_request_params rp;
	uint8_t pkt[512], *txid = c->txid[c->n_txid++ % 8];
	int n;

	rnd_fill(txid, WF_STUN_TXID_LEN);
	memset(&rp, 0, sizeof(rp));
	rp.txid = txid;
	rp.remote_ufrag = c->s_ufrag;
	rp.local_ufrag = c->ufrag;
	rp.remote_pwd = pwd;
	rp.priority = 0x6e7f1eff;	/* a prflx priority (RFC 8445 §5.1.2) */
	rp.tie_breaker = (uint64_t)rnd() << 32 | rnd();
	rp.controlling = true;
	rp.use_candidate = use_candidate;
	n = wf_stun_build_binding_request(pkt, sizeof(pkt), &rp);
	if (n <= 0) {
		errlog_add(&c->ice_err, "%s: cannot build a Binding request: %s", c->name,
			   wf_stun_strerror(n));
		return;
	}
	send_to_ice(c, pkt, (size_t)n);
	c->stun_sent++;
	c->last_check_us = now_us();
}

/* A STUN message from whepfan: must answer one of our checks, with MI under
 * the server's password, FINGERPRINT and our address (RFC 8445 §7.3.1). */
static void on_stun(struct client *c, const uint8_t *p, size_t n)
{
	struct wf_stun_msg msg;
	struct wf_stun_addr a;
	uint8_t want[4] = { 198, 18, 0, 2 };
	unsigned i;
	int rc;

	rc = wf_stun_parse(p, n, &msg);
	if (rc < 0) {
		errlog_add(&c->ice_err, "%s: STUN from whepfan does not parse: %s", c->name,
			   wf_stun_strerror(rc));
		return;
	}
	if (msg.type != WF_STUN_BINDING_SUCCESS) {
		errlog_add(&c->ice_err, "%s: STUN type 0x%04x, want a Binding success", c->name,
			   msg.type);
		return;
	}
	for (i = 0; i < 8 && i < c->n_txid; i++)
		if (!memcmp(msg.txid, c->txid[i], WF_STUN_TXID_LEN))
			break;
	if (i == 8 || i == c->n_txid) {
		errlog_add(&c->ice_err, "%s: success for a transaction we did not start", c->name);
		return;
	}
	if ((rc = wf_stun_verify_integrity(p, &msg, c->s_pwd, strlen(c->s_pwd))) < 0 ||
	    (rc = wf_stun_verify_fingerprint(p, &msg)) < 0 ||
	    (rc = wf_stun_xor_mapped_address(p, &msg, &a)) < 0) {
		errlog_add(&c->ice_err, "%s: Binding success: %s", c->name, wf_stun_strerror(rc));
		return;
	}
	if (a.family != WF_STUN_AF_IPV4 || a.port != c->port || memcmp(a.addr, want, 4)) {
		errlog_add(&c->ice_err, "%s: XOR-MAPPED-ADDRESS %u.%u.%u.%u:%u, want " KERN_ADDR ":%u",
			   c->name, a.addr[0], a.addr[1], a.addr[2], a.addr[3], a.port, c->port);
		return;
	}
	c->stun_ok++;
}

static void dtls_flush(struct client *c)
{
	uint8_t buf[WF_DTLS_MAX_DATAGRAM];
	int n;

	while (c->dtls && (n = wf_dtls_next_output(c->dtls, buf, sizeof(buf))) > 0)
		send_to_ice(c, buf, (size_t)n);
}

/* libsrtp2 policy for profile with master key||salt k (RFC 5764 §4.1.2,
 * RFC 7714 §14.2: the _32 profile keeps an 80-bit SRTCP tag). */
static void policy_for(enum wf_srtp_profile prof, uint8_t *k, bool inbound, srtp_policy_t *p)
{
	memset(p, 0, sizeof(*p));
	switch (prof) {
	case WF_SRTP_AES128_CM_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
		break;
	case WF_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtcp);
		break;
	case WF_SRTP_AEAD_AES_256_GCM:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtcp);
		break;
	default:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
		break;
	}
	p->ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	p->key = k;
	p->window_size = 1024;
}

/* The handshake is done: SRTP sessions from the exported keys.  The
 * client receives with the server's key (remote) and protects its SRTCP
 * with its own (local), RFC 5764 §4.2. */
static void client_keyed(struct client *c)
{
	struct wf_dtls_keys k;
	srtp_policy_t p;

	if (wf_dtls_get_keys(c->dtls, &k) < 0) {
		errlog_add(&c->err, "%s: connected but no keys", c->name);
		return;
	}
	c->profile = k.profile;
	memcpy(c->rkey, k.remote_key, k.key_len);
	memcpy(c->rkey + k.key_len, k.remote_salt, k.salt_len);
	memcpy(c->lkey, k.local_key, k.key_len);
	memcpy(c->lkey + k.key_len, k.local_salt, k.salt_len);
	policy_for(k.profile, c->rkey, true, &p);
	if (srtp_create(&c->rx, &p) != srtp_err_status_ok)
		errlog_add(&c->err, "%s: srtp_create rx failed", c->name);
	policy_for(k.profile, c->lkey, false, &p);
	if (srtp_create(&c->tx, &p) != srtp_err_status_ok)
		errlog_add(&c->err, "%s: srtp_create tx failed", c->name);
	c->keyed = c->rx && c->tx;
}

static void on_dtls(struct client *c, const uint8_t *p, size_t n)
{
	c->n_dtls_in++;
	if (!c->dtls)
		return;
	wf_dtls_input(c->dtls, p, n);
	dtls_flush(c);
	if (!c->keyed && wf_dtls_state(c->dtls) == WF_DTLS_CONNECTED)
		client_keyed(c);
}

/* A retransmission has an SRTP index already seen: libsrtp2's replay
 * window refuses it, so it is decrypted in a session of its own. */
static srtp_err_status_t unprotect_again(struct client *c, uint8_t *buf, int *len)
{
	srtp_policy_t p;
	srtp_t s;
	srtp_err_status_t st;

	policy_for(c->profile, c->rkey, true, &p);
	if (srtp_create(&s, &p) != srtp_err_status_ok)
		return srtp_err_status_fail;
	st = srtp_unprotect(s, buf, len);
	srtp_dealloc(s);
	return st;
}

static void on_rtp(struct client *c, const uint8_t *p, int len)
{
	unsigned t, tag_t, tag;
	struct rx_trk *rt;
	const struct sent *s;
	uint16_t seq;
	uint32_t ssrc;
	int plen, k;

	if (len < 12 + 4 || (p[0] & 0xf0) != 0x80) {
		errlog_add(&c->err, "%s: RTP of %d bytes, first byte 0x%02x", c->name, len, p[0]);
		return;
	}
	if ((p[1] & 0x7f) == c->pt[0])
		t = 0;
	else if ((p[1] & 0x7f) == c->pt[1])
		t = 1;
	else {
		errlog_add(&c->err, "%s: RTP with payload type %u, negotiated %u and %u", c->name,
			   p[1] & 0x7f, c->pt[0], c->pt[1]);
		return;
	}
	rt = &c->trk[t];
	seq = rd16(p + 2);
	ssrc = rd32(p + 8);
	plen = len - 12;
	if (p[0] != 0x80) {
		errlog_add(&rt->err, "%s %s seq %u: header byte 0x%02x, want 0x80", c->name,
			   src[t].name, seq, p[0]);
		return;
	}
	if (ssrc != c->ssrc[t]) {
		errlog_add(&rt->err, "%s %s: SSRC 0x%08x, the answer said 0x%08x", c->name,
			   src[t].name, ssrc, c->ssrc[t]);
		return;
	}
	tag = rd32(p + len - 4);
	tag_t = tag >> 24;
	tag &= 0xffffff;
	if (tag_t != t || tag >= src[t].n) {
		errlog_add(&rt->err, "%s %s seq %u: payload tag 0x%08x names no packet we sent",
			   c->name, src[t].name, seq, rd32(p + len - 4));
		return;
	}
	s = &src[t].s[tag];
	if (plen != s->pl_len || memcmp(p + 12, s->pl, (size_t)plen) != 0)
		errlog_add(&rt->err, "%s %s packet %u: payload differs (%d bytes, sent %u)", c->name,
			   src[t].name, tag, plen, s->pl_len);
	if (rd32(p + 4) != s->ts || (p[1] >> 7) != s->marker)
		errlog_add(&rt->err, "%s %s packet %u: timestamp or marker differ", c->name,
			   src[t].name, tag);
	if (!rt->have) {
		rt->have = true;
		rt->ssrc = ssrc;
		rt->first_tag = rt->last_tag = (int)tag;
		rt->last_seq = seq;
		for (k = 0; k < 65536; k++)
			rt->tag_of_seq[k] = -1;
		rt->tag_of_seq[seq] = (int32_t)tag;
		if (t == 0 && !s->kf)
			errlog_add(&rt->err, "%s video starts at packet %u, not at a key frame",
				   c->name, tag);
		goto count;
	}
	if ((int16_t)(uint16_t)(seq - rt->last_seq) <= 0) {
		/* seen before: must be a retransmission of the same packet */
		if (rt->tag_of_seq[seq] != (int32_t)tag)
			errlog_add(&rt->err, "%s %s seq %u: repeated with packet %u, first was %d",
				   c->name, src[t].name, seq, tag, rt->tag_of_seq[seq]);
		rt->n_retx++;
		if (rt->retx_of[tag] < 255)
			rt->retx_of[tag]++;
		goto count;
	}
	if (seq != (uint16_t)(rt->last_seq + 1))
		errlog_add(&rt->err, "%s %s: sequence gap %u -> %u", c->name, src[t].name,
			   rt->last_seq, seq);
	if ((int)tag != rt->last_tag + 1)
		errlog_add(&rt->err, "%s %s seq %u: packet %u follows %d (lost or reordered)", c->name,
			   src[t].name, seq, tag, rt->last_tag);
	rt->last_seq = seq;
	rt->last_tag = (int)tag;
	rt->tag_of_seq[seq] = (int32_t)tag;
count:
	rt->n_rtp++;
}

static void on_srtcp(struct client *c, const uint8_t *p, int len)
{
	uint32_t ssrc;

	if (len < 28 || p[1] != 200) {
		c->n_srtcp_other++;
		return;
	}
	ssrc = rd32(p + 4);
	if (ssrc == c->ssrc[0])
		c->n_sr[0]++;
	else if (ssrc == c->ssrc[1])
		c->n_sr[1]++;
	else
		errlog_add(&c->err, "%s: SR from SSRC 0x%08x, none of the answer's", c->name, ssrc);
}

/* Everything waiting on the client's socket, by first byte (RFC 7983). */
static void client_drain(struct client *c)
{
	uint8_t buf[2048], copy[2048];
	struct sockaddr_in from;
	socklen_t fl;
	int n;

	for (;;) {
		srtp_err_status_t st;

		fl = sizeof(from);
		n = (int)recvfrom(c->sock, buf, sizeof(buf) - SRTP_MAX_TRAILER_LEN, MSG_DONTWAIT,
				  (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		c->n_dgrams++;
		if (from.sin_addr.s_addr != inet_addr(WF_ADDR) ||
		    ntohs(from.sin_port) != WEBRTC_PORT) {
			errlog_add(&c->err, "%s: datagram from %s:%u", c->name,
				   inet_ntoa(from.sin_addr), ntohs(from.sin_port));
			continue;
		}
		if (n > 0 && buf[0] <= 3) {
			on_stun(c, buf, (size_t)n);
			continue;
		}
		if (n > 0 && buf[0] >= 20 && buf[0] <= 63) {
			on_dtls(c, buf, (size_t)n);
			continue;
		}
		if (n < 2 || buf[0] < 128 || buf[0] > 191) {
			errlog_add(&c->err, "%s: datagram with first byte 0x%02x", c->name, buf[0]);
			continue;
		}
		if (!c->keyed) {
			errlog_add(&c->err, "%s: SRTP before the handshake completed", c->name);
			continue;
		}
		c->last_media_us = now_us();
		if (!c->first_media_us)
			c->first_media_us = c->last_media_us;
		if ((buf[1] & 0x7f) >= 64 && (buf[1] & 0x7f) <= 95) {	/* RFC 5761 §4 */
			st = srtp_unprotect_rtcp(c->rx, buf, &n);
			if (st != srtp_err_status_ok)
				errlog_add(&c->err, "%s: SRTCP unprotect failed (%d)", c->name, st);
			else
				on_srtcp(c, buf, n);
			continue;
		}
		memcpy(copy, buf, (size_t)n);
		st = srtp_unprotect(c->rx, buf, &n);
		if (st == srtp_err_status_replay_fail || st == srtp_err_status_replay_old) {
			memcpy(buf, copy, (size_t)n);
			st = unprotect_again(c, buf, &n);
		}
		if (st != srtp_err_status_ok) {
			errlog_add(&c->err, "%s: SRTP unprotect failed (%d) seq %u", c->name, st,
				   rd16(copy + 2));
			continue;
		}
		on_rtp(c, buf, n);
	}
}

/* Runs the source, every client (datagrams, DTLS timers, consent checks
 * every second for those that keep it) for up to ms, or until done(). */
static void pump(unsigned ms, bool (*done)(void))
{
	uint64_t end = now_us() + (uint64_t)ms * 1000;
	struct pollfd pf[N_CLIENTS];
	unsigned i, n;

	while (now_us() < end) {
		src_tick();
		for (i = n = 0; i < N_CLIENTS; i++)
			if (clients[i].used)
				pf[n++] = (struct pollfd){ .fd = clients[i].sock, .events = POLLIN };
		poll(pf, n, 2);
		for (i = 0; i < N_CLIENTS; i++) {
			struct client *c = &clients[i];

			if (!c->used)
				continue;
			client_drain(c);
			if (c->dtls && wf_dtls_state(c->dtls) == WF_DTLS_HANDSHAKING &&
			    wf_dtls_timeout_ms(c->dtls) == 0) {
				wf_dtls_on_timer(c->dtls);
				dtls_flush(c);
			}
			if (c->keepalive && now_us() - c->last_check_us >= 1000000)
				send_check(c, false, c->s_pwd);	/* RFC 7675 consent */
		}
		if (done && done())
			return;
	}
}

static struct client *waiting;	/* the client done() functions look at */

static bool ice_answered(void)
{
	return waiting->stun_ok > 0;
}

static bool dtls_settled(void)
{
	return waiting->dtls && wf_dtls_state(waiting->dtls) != WF_DTLS_HANDSHAKING;
}

static bool media_both(void)
{
	return waiting->trk[0].n_rtp >= 5 && waiting->trk[1].n_rtp >= 5;
}

/* ICE (one check with USE-CANDIDATE, answered), then the DTLS handshake
 * with certificate ctx (env.cctx: the one the offer names).  Returns the
 * DTLS state reached. */
static enum wf_dtls_state client_connect(struct client *c, struct wf_dtls_ctx *ctx)
{
	unsigned tries;

	waiting = c;
	for (tries = 0; tries < 5 && !c->stun_ok; tries++) {
		send_check(c, true, c->s_pwd);
		pump(300 * SLOW, ice_answered);
	}
	if (!c->stun_ok)
		return WF_DTLS_FAILED;
	c->dtls = wf_dtls_create_client(ctx, c->s_fp);
	if (!c->dtls)
		return WF_DTLS_FAILED;
	dtls_flush(c);
	pump(5000 * SLOW, dtls_settled);
	return wf_dtls_state(c->dtls);
}

/* ---- telemetry ----------------------------------------------------------- */

static long long stat_of(const char *section, const char *key)
{
	long long v;

	if (wf_e2e_telemetry(&wf, "/whepfan/stats", env.tel, sizeof(env.tel)) < 0) {
		wf_test_fail(__FILE__, __LINE__, "telemetry: /whepfan/stats failed");
		return -1;
	}
	v = wf_e2e_json_num(env.tel, section, key);
	if (v < 0)
		wf_test_fail(__FILE__, __LINE__, "telemetry: no \"%s\" in %s", key,
			     section ? section : "stats");
	return v;
}

/* Polls stat (section, key) until it equals want, up to ms; the last value. */
static long long stat_wait(const char *section, const char *key, long long want, unsigned ms)
{
	uint64_t end = now_us() + (uint64_t)ms * 1000;
	long long v;

	for (;;) {
		v = stat_of(section, key);
		if (v == want || v < 0 || now_us() >= end)
			return v;
		pump(100, NULL);
	}
}

/* ---- the checks ---------------------------------------------------------- */

static struct client *main_c;	/* the viewer that stays until the end */

static void network_namespace_is_private_with_loopback_up(void)
{
	env.netns = wf_e2e_enter_private_netns();
}

static void whepfan_starts_with_two_streams_and_a_token(void)
{
	FILE *f;
	int rc;

	WF_REQUIRE(env.netns);
	f = wf_e2e_conf_open(&wf, "wfwhep", WF_ADDR "/24");
	WF_REQUIRE(f != NULL);
	fprintf(f,
		"webrtc = { udp_port = %d; rtcp_sr_interval_ms = %d; consent_timeout_s = %d; };\n"
		"http = { listen = \"127.0.0.1:%d\"; max_sessions = %d; max_body = %d;\n"
		"         cors_origin = \"\"; };\n"
		"streams = (\n"
		"  { name = \"cam\"; history_ms = 3000;\n"
		"    tracks = (\n"
		"      { kind = \"video\"; port = %d; codec = \"H264\"; payload_type = %d;\n"
		"        fmtp = \"packetization-mode=1;profile-level-id=42e01f\"; },\n"
		"      { kind = \"audio\"; port = %d; codec = \"opus\"; payload_type = %d; }\n"
		"    ); },\n"
		"  { name = \"locked\"; token = \"" TOKEN "\"; history_ms = 1000;\n"
		"    tracks = (\n"
		"      { kind = \"video\"; port = %d; codec = \"H264\"; payload_type = %d;\n"
		"        fmtp = \"packetization-mode=1;profile-level-id=42e01f\"; }\n"
		"    ); }\n"
		");\n",
		WEBRTC_PORT, SR_INTERVAL_MS, CONSENT_S, HTTP_PORT, MAX_SESSIONS,
		MAX_BODY, VIDEO_PORT, SRC_VIDEO_PT, AUDIO_PORT, SRC_AUDIO_PT, LOCKED_PORT,
		SRC_VIDEO_PT);
	WF_REQUIRE(fclose(f) == 0);
	printf("  whepfan %s/whepfan, config %s, EAL prefix %s, tap %s\n", wf.build, wf.conf,
	       wf.prefix, wf.iface);
	rc = wf_e2e_spawn(&wf, KERN_ADDR "/24", 15000 * SLOW);
	WF_REQUIRE(rc != -ENOENT || !"build <build>/whepfan first");
	WF_REQUIRE(rc == 0 || !"whepfan did not start (log below)");
	env.src_sock[0] = wf_e2e_udp_socket(KERN_ADDR, 5000);
	env.src_sock[1] = wf_e2e_udp_socket(KERN_ADDR, 5002);
	WF_REQUIRE(env.src_sock[0] >= 0 && env.src_sock[1] >= 0);
	/* the browser's certificates */
	env.cert = wf_dtls_cert_generate();
	env.other_cert = wf_dtls_cert_generate();
	WF_REQUIRE(env.cert && env.other_cert);
	env.cctx = wf_dtls_ctx_create(WF_DTLS_CLIENT, env.cert, NULL);
	env.other_ctx = wf_dtls_ctx_create(WF_DTLS_CLIENT, env.other_cert, NULL);
	WF_REQUIRE(env.cctx && env.other_ctx);
	snprintf(env.fp, sizeof(env.fp), "%s", wf_dtls_cert_fingerprint(env.cert));
	env.ready = true;
}

static bool http_up(void)
{
	struct wf_e2e_http_resp r;

	return http_req("GET", "/", NULL, NULL, 0, &r) == 0 && r.status == 200;
}

static void offer_before_the_source_is_live_gets_409_with_retry_after(void)
{
	struct client *c;
	struct wf_e2e_http_resp r;
	uint64_t end = now_us() + 10000000ull * SLOW;

	WF_REQUIRE(env.ready);
	while (!http_up() && now_us() < end)
		usleep(50000);
	WF_REQUIRE(http_up() || !"HTTP does not answer");
	c = client_new("early");
	WF_REQUIRE(c != NULL);
	WF_CHECK_EQ(client_post(c, "cam", NULL, &r), 409);
	WF_CHECKF(atoi(r.retry_after) > 0, "Retry-After \"%s\"", r.retry_after);
	client_free(c);
	/* the source starts; the streams are live a few packets later */
	src_running = true;
	pump(300, NULL);
}

static void post_offer_is_answered_201_with_location_etag_and_sdp(void)
{
	struct wf_e2e_http_resp r;
	int st;

	WF_REQUIRE(env.ready && src_running);
	main_c = client_new("main");
	WF_REQUIRE(main_c != NULL);
	st = client_post(main_c, "cam", NULL, &r);
	if (st != 201)
		printf("  POST /cam/whep: %d %s\n", r.status, r.body);
	WF_REQUIRE(st == 201);
	printf("  session %s, server ufrag %s, SSRC video 0x%08x audio 0x%08x\n", main_c->id,
	       main_c->s_ufrag, main_c->ssrc[0], main_c->ssrc[1]);
}

static void ice_check_gets_an_authenticated_success_with_our_address(void)
{
	struct client *c = main_c;

	WF_REQUIRE(c && c->ssrc[0]);
	waiting = c;
	send_check(c, true, c->s_pwd);
	pump(1000 * SLOW, ice_answered);
	CHECK_ERRLOG(&c->ice_err);
	WF_CHECK_EQ(c->stun_ok, 1);
	/* no SRTP yet: DTLS has not happened */
	WF_CHECK(!c->trk[0].have && !c->trk[1].have);
}

static void dtls_handshake_completes_and_media_decrypts_with_the_exported_keys(void)
{
	struct client *c = main_c;

	WF_REQUIRE(c && c->stun_ok);
	waiting = c;
	c->dtls = wf_dtls_create_client(env.cctx, c->s_fp);
	WF_REQUIRE(c->dtls != NULL);
	dtls_flush(c);
	pump(5000 * SLOW, dtls_settled);
	WF_REQUIRE(wf_dtls_state(c->dtls) == WF_DTLS_CONNECTED ||
		   !printf("  DTLS: %s\n", wf_dtls_reason(c->dtls)));
	WF_REQUIRE(c->keyed);
	printf("  DTLS connected, %s\n", wf_srtp_suite(c->profile)->name);
	c->keepalive = true;
	pump(3000 * SLOW, media_both);
	WF_REQUIRE(media_both() || !"no media within 3 s of the handshake");
	WF_CHECKF(src[0].s[c->trk[0].first_tag].kf, "first video packet %d is not a key frame",
		  c->trk[0].first_tag);
	WF_CHECK_EQ(stat_of(NULL, "viewers"), 1);
	WF_CHECK_EQ(stat_of(NULL, "sessions"), 1);
}

static void media_is_in_order_byte_identical_with_the_answers_ssrcs_and_pts(void)
{
	struct client *c = main_c;
	unsigned t;

	WF_REQUIRE(c && c->keyed);
	pump(1500, NULL);
	for (t = 0; t < 2; t++) {
		CHECK_ERRLOG(&c->trk[t].err);
		WF_CHECKF(c->trk[t].n_rtp >= (t ? 50u : 30u), "%s: %u packets in 1.5 s",
			  src[t].name, c->trk[t].n_rtp);
	}
	CHECK_ERRLOG(&c->err);
	WF_CHECKF(c->n_sr[0] >= 2 && c->n_sr[1] >= 2, "SRs: video %u audio %u", c->n_sr[0],
		  c->n_sr[1]);
}

/* Anyone who spoofs the viewer's address can send DTLS to whepfan: a
 * record that cannot authenticate (here an epoch-1 alert shorter than the
 * AEAD overhead, which OpenSSL 3.0.19 fails the connection on) is
 * discarded and counted; the viewer keeps receiving. */
static void spoofed_short_dtls_alert_from_the_viewers_address_changes_nothing(void)
{
	struct client *c = main_c;
	uint8_t pkt[35];
	unsigned before_rtp, i;
	long long discarded;

	WF_REQUIRE(c && c->keyed);
	discarded = stat_of("webrtc", "dtls_records_discarded");
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 21;			/* alert (RFC 5246 §6.2.1) */
	pkt[1] = 0xfe;			/* DTLS 1.2 */
	pkt[2] = 0xfd;
	pkt[4] = 1;			/* epoch 1 */
	pkt[10] = 45;
	pkt[12] = 22;			/* length: 22 < 8 + 16 */
	for (i = 13; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)rnd();
	send_to_ice(c, pkt, sizeof(pkt));
	pump(300 * SLOW, NULL);
	before_rtp = c->trk[0].n_rtp;
	pump(1000 * SLOW, NULL);
	WF_CHECKF(c->trk[0].n_rtp >= before_rtp + 20, "video packets %u -> %u after the datagram",
		  before_rtp, c->trk[0].n_rtp);
	WF_CHECK_EQ(stat_of("webrtc", "dtls_records_discarded") - discarded, 1);
	WF_CHECK_EQ(stat_of("webrtc", "dtls_read_failures"), 0);
	WF_CHECK_EQ(stat_of(NULL, "viewers"), 1);
	WF_CHECK_EQ(stat_of(NULL, "sessions"), 1);
	WF_CHECK(wf_dtls_state(c->dtls) == WF_DTLS_CONNECTED);	/* no alert reached us */
	CHECK_ERRLOG(&c->trk[0].err);
}

/* RFC 4585 §6.2.1 generic NACK in SRTCP with the client's key. */
static void srtcp_nack_is_answered_with_the_same_packet(void)
{
	struct client *c = main_c;
	struct rx_trk *rt;
	uint8_t buf[128];
	int n, tags[2], k;
	uint16_t seq;

	WF_REQUIRE(c && c->keyed);
	rt = &c->trk[0];
	seq = (uint16_t)(rt->last_seq - 8);
	tags[0] = rt->tag_of_seq[seq];
	tags[1] = rt->tag_of_seq[(uint16_t)(seq + 1)];
	WF_REQUIRE(tags[0] >= 0 && tags[1] >= 0);
	buf[0] = 0x80;			/* RR, no blocks */
	buf[1] = 201;
	wr16(buf + 2, 1);
	wr32(buf + 4, c->my_ssrc);
	buf[8] = 0x81;			/* FMT 1: generic NACK */
	buf[9] = 205;
	wr16(buf + 10, 3);
	wr32(buf + 12, c->my_ssrc);
	wr32(buf + 16, c->ssrc[0]);
	wr16(buf + 20, seq);
	wr16(buf + 22, 0x0001);		/* and seq + 1 */
	n = 24;
	WF_REQUIRE(srtp_protect_rtcp(c->tx, buf, &n) == srtp_err_status_ok);
	send_to_ice(c, buf, (size_t)n);
	pump(600 * SLOW, NULL);
	for (k = 0; k < 2; k++)
		WF_CHECKF(rt->retx_of[tags[k]] == 1, "packet %d (seq %u) retransmitted %u times",
			  tags[k], (unsigned)(uint16_t)(seq + k), rt->retx_of[tags[k]]);
	CHECK_ERRLOG(&rt->err);	/* the retransmissions matched the originals */
}

static bool answered_nothing(struct client *c, unsigned ms)
{
	unsigned before = c->n_dgrams;

	pump(ms, NULL);
	return c->n_dgrams == before;
}

static void check_with_wrong_integrity_from_another_port_gets_no_answer(void)
{
	struct client *x;
	long long before, after;
	unsigned v0;

	WF_REQUIRE(main_c && main_c->keyed);
	x = client_new("stranger");
	WF_REQUIRE(x != NULL);
	/* the main session's ufrags, a wrong password */
	snprintf(x->s_ufrag, sizeof(x->s_ufrag), "%s", main_c->s_ufrag);
	snprintf(x->ufrag, sizeof(x->ufrag), "%s", main_c->ufrag);
	before = stat_of("webrtc", "stun_rejected");
	send_check(x, true, "this-is-not-the-password");
	send_check(x, false, "this-is-not-the-password");
	v0 = main_c->trk[0].n_rtp;
	WF_CHECK(answered_nothing(x, 500 * SLOW));
	after = stat_of("webrtc", "stun_rejected");
	WF_CHECKF(after - before == 2, "stun_rejected %lld -> %lld, want +2", before, after);
	/* and the session's address did not move */
	WF_CHECKF(main_c->trk[0].n_rtp > v0 + 5, "main: %u video packets meanwhile",
		  main_c->trk[0].n_rtp - v0);
	client_free(x);
}

static void dtls_client_hello_from_an_address_without_ice_gets_no_answer(void)
{
	struct client *x;
	long long before, after;

	WF_REQUIRE(main_c && main_c->keyed);
	x = client_new("no-ice");
	WF_REQUIRE(x != NULL);
	before = stat_of("webrtc", "dtls_unverified");
	x->dtls = wf_dtls_create_client(env.cctx, main_c->s_fp);
	WF_REQUIRE(x->dtls != NULL);
	dtls_flush(x);
	WF_CHECK(answered_nothing(x, 1200 * SLOW));	/* a retransmission or two too */
	after = stat_of("webrtc", "dtls_unverified");
	WF_CHECKF(after - before >= 1, "dtls_unverified %lld -> %lld", before, after);
	WF_CHECK(wf_dtls_state(x->dtls) == WF_DTLS_HANDSHAKING);
	client_free(x);
}

static void certificate_not_matching_the_offers_fingerprint_ends_the_session(void)
{
	struct client *c;
	struct wf_e2e_http_resp r;
	long long before, after;
	enum wf_dtls_state st;

	WF_REQUIRE(main_c && main_c->keyed);
	c = client_new("bad-cert");
	WF_REQUIRE(c != NULL);
	WF_REQUIRE(client_post(c, "cam", NULL, &r) == 201);
	before = stat_of("webrtc", "dtls_failed");
	/* the offer named env.cert; the handshake uses another certificate */
	st = client_connect(c, env.other_ctx);
	WF_CHECKF(c->stun_ok >= 1, "ICE: %u answers", c->stun_ok);
	WF_CHECKF(st != WF_DTLS_CONNECTED, "DTLS %s", wf_dtls_state_name(st));
	pump(1000 * SLOW, NULL);
	WF_CHECK(!c->trk[0].have && !c->trk[1].have && !c->keyed);
	after = stat_of("webrtc", "dtls_failed");
	WF_CHECKF(after == before + 1, "dtls_failed %lld -> %lld", before, after);
	WF_CHECK_EQ(stat_wait(NULL, "sessions", 1, 1000 * SLOW), 1);
	WF_CHECK_EQ(http_req("DELETE", c->location, NULL, NULL, 0, &r), 0);
	WF_CHECK_EQ(r.status, 404);
	printf("  client saw DTLS %s (%s)\n", wf_dtls_state_name(st),
	       c->dtls ? wf_dtls_reason(c->dtls) : "");
	client_free(c);
}

static void session_without_consent_checks_stops_after_consent_timeout(void)
{
	struct client *c;
	struct wf_e2e_http_resp r;
	enum wf_dtls_state st;
	uint64_t t_check, end;
	double gap;

	WF_REQUIRE(main_c && main_c->keyed);
	c = client_new("no-consent");
	WF_REQUIRE(c != NULL);
	WF_REQUIRE(client_post(c, "cam", NULL, &r) == 201);
	st = client_connect(c, env.cctx);
	WF_REQUIRE(st == WF_DTLS_CONNECTED);
	t_check = c->last_check_us;	/* the last check it sends */
	waiting = c;
	pump(3000 * SLOW, media_both);
	WF_REQUIRE(media_both());
	WF_CHECK_EQ(stat_of(NULL, "viewers"), 2);
	/* no more checks: consent ends CONSENT_S after the last one */
	end = t_check + (CONSENT_S + 3) * 1000000ull * SLOW;
	while (now_us() < end && now_us() - c->last_media_us < 1500000)
		pump(100, NULL);
	gap = (double)(c->last_media_us - t_check) / 1e6;
	printf("  media stopped %.2f s after the last check (consent_timeout_s %d)\n", gap,
	       CONSENT_S);
	WF_CHECKF(gap >= CONSENT_S - 0.5 && gap <= CONSENT_S + 1.5 * SLOW,
		  "media stopped %.2f s after the last check", gap);
	WF_CHECK_EQ(stat_wait(NULL, "viewers", 1, 1000 * SLOW), 1);
	WF_CHECK_EQ(http_req("DELETE", c->location, NULL, NULL, 0, &r), 0);
	WF_CHECK_EQ(r.status, 404);
	CHECK_ERRLOG(&c->err);
	CHECK_ERRLOG(&c->trk[0].err);
	CHECK_ERRLOG(&c->trk[1].err);
	client_free(c);
}

static void consent_checks_every_second_keep_the_main_session_alive(void)
{
	struct client *c = main_c;
	unsigned v0;

	WF_REQUIRE(c && c->keyed);
	WF_CHECKF(now_us() - c->first_media_us > (CONSENT_S + 1) * 1000000ull,
		  "main has been live only %.1f s", (double)(now_us() - c->first_media_us) / 1e6);
	v0 = c->trk[0].n_rtp;
	pump(500, NULL);
	WF_CHECKF(c->trk[0].n_rtp > v0 + 5, "main: %u video packets in 500 ms",
		  c->trk[0].n_rtp - v0);
	WF_CHECKF(c->stun_ok + 1 >= c->stun_sent, "consent checks: %u sent, %u answered",
		  c->stun_sent, c->stun_ok);
	CHECK_ERRLOG(&c->ice_err);
}

static void chromium_offer_is_answered_and_firefox_without_h264_is_refused(void)
{
	static char sdp[65536];
	struct wf_e2e_http_resp r;
	char path[512];
	FILE *f;
	size_t n;

	WF_REQUIRE(env.ready && src_running);
	f = fopen("tests/vectors/sdp/chromium-156-recvonly-offer.sdp", "rb");
	WF_REQUIRE(f != NULL || !"run from the source tree (tests/vectors)");
	n = fread(sdp, 1, sizeof(sdp), f);
	fclose(f);
	WF_REQUIRE(http_post_offer("cam", NULL, sdp, n, &r) == 0);
	WF_CHECKF(r.status == 201, "Chromium offer: %d %s", r.status, r.body);
	WF_CHECK(strstr(r.body, "a=ice-lite") != NULL);
	WF_CHECK(strstr(r.body, "H264") != NULL && strstr(r.body, "opus") != NULL);
	snprintf(path, sizeof(path), "%s", r.location);
	if (r.status == 201) {
		WF_CHECK_EQ(http_req("DELETE", path, NULL, NULL, 0, &r), 0);
		WF_CHECK_EQ(r.status, 200);
	}
	f = fopen("tests/vectors/sdp/firefox-esr-153-recvonly-offer.sdp", "rb");
	WF_REQUIRE(f != NULL);
	n = fread(sdp, 1, sizeof(sdp), f);
	fclose(f);
	WF_REQUIRE(http_post_offer("cam", NULL, sdp, n, &r) == 0);
	WF_CHECK_EQ(r.status, 400);
	WF_CHECKF(strstr(r.body, "H264") != NULL, "reason: %s", r.body);
	printf("  Firefox: %d %s", r.status, r.body);
}

static void refusals_have_clear_statuses_and_reasons(void)
{
	static char big[MAX_BODY + 4096];
	struct client *c;
	struct wf_e2e_http_resp r;
	char offer[8192];
	size_t n;

	WF_REQUIRE(env.ready && src_running);
	c = client_new("refused");
	WF_REQUIRE(c != NULL);
	n = make_offer(c, offer, sizeof(offer));
	/* a stream with a token: none, a wrong one, the right one */
	WF_REQUIRE(http_post_offer("locked", NULL, offer, n, &r) == 0);
	WF_CHECK_EQ(r.status, 401);
	WF_CHECK(!strncmp(r.www_auth, "Bearer", 6));
	WF_REQUIRE(http_post_offer("locked", "wrong", offer, n, &r) == 0);
	WF_CHECK_EQ(r.status, 401);
	WF_REQUIRE(http_post_offer("locked", TOKEN, offer, n, &r) == 0);
	WF_CHECKF(r.status == 201, "locked with the token: %d %s", r.status, r.body);
	if (r.status == 201) {
		char loc[256];

		snprintf(loc, sizeof(loc), "%s", r.location);
		WF_CHECK(!strncmp(loc, "/locked/whep/", 13));
		/* the audio section is refused in place: the stream has none */
		WF_CHECK(strstr(r.body, "m=audio 0 ") != NULL);
		WF_CHECK_EQ(http_req("DELETE", loc, NULL, NULL, 0, &r), 0);
		WF_CHECK_EQ(r.status, 401);	/* DELETE needs the token too */
		WF_CHECK_EQ(http_req("DELETE", loc, "Authorization: Bearer " TOKEN "\r\n", NULL, 0,
				     &r), 0);
		WF_CHECK_EQ(r.status, 200);
	}
	/* unknown stream */
	WF_REQUIRE(http_post_offer("nosuch", NULL, offer, n, &r) == 0);
	WF_CHECK_EQ(r.status, 404);
	/* garbage */
	WF_REQUIRE(http_post_offer("cam", NULL, "hello, I am no SDP\r\n", 20, &r) == 0);
	WF_CHECK_EQ(r.status, 400);
	WF_CHECKF(r.body_len > 5, "reason \"%s\"", r.body);
	printf("  garbage: %s", r.body);
	/* an offer without a fingerprint */
	{
		char *fp = strstr(offer, "a=fingerprint"), nofp[8192];
		size_t k = 0;
		const char *p;

		WF_REQUIRE(fp);
		for (p = offer; *p; ) {
			const char *e = strstr(p, "\r\n");
			size_t len = e ? (size_t)(e - p) + 2 : strlen(p);

			if (strncmp(p, "a=fingerprint", 13)) {
				memcpy(nofp + k, p, len);
				k += len;
			}
			p += len;
		}
		WF_REQUIRE(http_post_offer("cam", NULL, nofp, k, &r) == 0);
		WF_CHECK_EQ(r.status, 400);
		WF_CHECKF(strstr(r.body, "fingerprint") != NULL, "reason \"%s\"", r.body);
	}
	/* over http.max_body */
	memset(big, 'a', sizeof(big));
	memcpy(big, "v=0\r\n", 5);
	WF_REQUIRE(http_post_offer("cam", NULL, big, sizeof(big), &r) == 0);
	WF_CHECK_EQ(r.status, 413);
	/* the wrong Content-Type */
	WF_REQUIRE(http_req("POST", "/cam/whep", "Content-Type: text/plain\r\n", offer, n, &r) == 0);
	WF_CHECK_EQ(r.status, 415);
	WF_CHECK_EQ(stat_of(NULL, "sessions"), 0);
	client_free(c);
}

static void max_sessions_gives_503_with_retry_after_and_serving_goes_on(void)
{
	struct client *extra[MAX_SESSIONS];
	struct wf_e2e_http_resp r;
	unsigned i, k;

	WF_REQUIRE(main_c && main_c->keyed);
	for (k = 0; k + 1 < MAX_SESSIONS; k++) {
		extra[k] = client_new("extra");
		WF_REQUIRE(extra[k] != NULL);
		WF_CHECK_EQ(client_post(extra[k], "cam", NULL, &r), 201);
	}
	WF_CHECK_EQ(stat_of(NULL, "sessions"), MAX_SESSIONS);
	extra[k] = client_new("one-too-many");
	WF_REQUIRE(extra[k] != NULL);
	WF_CHECK_EQ(client_post(extra[k], "cam", NULL, &r), 503);
	WF_CHECKF(atoi(r.retry_after) > 0, "Retry-After \"%s\"", r.retry_after);
	for (i = 0; i + 1 < MAX_SESSIONS; i++) {
		WF_CHECK_EQ(http_req("DELETE", extra[i]->location, NULL, NULL, 0, &r), 0);
		WF_CHECK_EQ(r.status, 200);
		client_free(extra[i]);
	}
	/* room again: a new session is created and connects */
	WF_CHECK_EQ(client_post(extra[k], "cam", NULL, &r), 201);
	if (r.status == 201) {
		WF_CHECK(client_connect(extra[k], env.cctx) == WF_DTLS_CONNECTED);
		waiting = extra[k];
		pump(2000 * SLOW, media_both);
		WF_CHECK(media_both());
		WF_CHECK_EQ(http_req("DELETE", extra[k]->location, NULL, NULL, 0, &r), 0);
		WF_CHECK_EQ(r.status, 200);
		CHECK_ERRLOG(&extra[k]->err);
	}
	client_free(extra[k]);
	WF_CHECK_EQ(stat_wait(NULL, "sessions", 1, 1000 * SLOW), 1);
}

static void delete_ends_the_session_media_stops_and_a_second_delete_is_404(void)
{
	struct client *c = main_c;
	struct wf_e2e_http_resp r;
	uint64_t t_del;
	int last_sent, t;

	WF_REQUIRE(c && c->keyed);
	pump(300, NULL);
	t_del = now_us();
	WF_REQUIRE(http_req("DELETE", c->location, NULL, NULL, 0, &r) == 0);
	WF_CHECK_EQ(r.status, 200);
	c->keepalive = false;
	pump(1500 * SLOW, NULL);
	WF_CHECKF(c->last_media_us < t_del + 300000ull * SLOW,
		  "media still arrived %.0f ms after DELETE",
		  ((double)c->last_media_us - (double)t_del) / 1e3);
	WF_CHECKF(wf_dtls_state(c->dtls) == WF_DTLS_CLOSED, "client DTLS %s (close_notify?)",
		  wf_dtls_state_name(wf_dtls_state(c->dtls)));
	WF_CHECK_EQ(stat_wait(NULL, "viewers", 0, 1000 * SLOW), 0);
	WF_CHECK_EQ(stat_of(NULL, "sessions"), 0);
	WF_CHECK_EQ(http_req("DELETE", c->location, NULL, NULL, 0, &r), 0);
	WF_CHECK_EQ(r.status, 404);
	/* up to the DELETE every packet came, in order (checked on arrival) */
	for (t = 0; t < 2; t++) {
		last_sent = src_last_before((unsigned)t, t_del - 100000);
		CHECK_ERRLOG(&c->trk[t].err);
		WF_CHECKF(c->trk[t].last_tag >= last_sent,
			  "%s: last packet received %d, sent %d 100 ms before DELETE", src[t].name,
			  c->trk[t].last_tag, last_sent);
		printf("  main %s: %u packets (%u retransmitted), packets %d..%d, SSRC 0x%08x, %u SRs\n",
		       src[t].name, c->trk[t].n_rtp, c->trk[t].n_retx, c->trk[t].first_tag,
		       c->trk[t].last_tag, c->trk[t].ssrc, c->n_sr[t]);
	}
	CHECK_ERRLOG(&c->err);
	CHECK_ERRLOG(&c->ice_err);
}

static void sigterm_stops_whepfan_with_exit_status_0(void)
{
	int status = 0, rc;

	WF_REQUIRE(wf.pid > 0);
	src_running = false;
	rc = wf_e2e_stop(&wf, 10000 * SLOW, &status);
	WF_REQUIRE(rc == 0 || !"whepfan did not exit after SIGTERM");
	WF_CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "whepfan: %s %d",
		  WIFEXITED(status) ? "exit status" : "killed by signal",
		  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

static void on_alarm(int sig)
{
	static const char msg[] = "test_whep: time limit reached, killing whepfan\n";

	(void)sig;
	if (wf.pid > 0)
		kill(wf.pid, SIGKILL);
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(2);
}

static void cleanup(void)
{
	wf_e2e_cleanup(&wf);
}

int main(int argc, char **argv)
{
	unsigned i, k;
	int rc;

	wf_test_init(argc, argv);
	wf_e2e_find_build(&wf, argv[0]);
	rng_state = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid() ^ 0x9e3779b97f4a7c15ull;
	printf("# end-to-end: WHEP through %s/whepfan (seed %llu)\n", wf.build,
	       (unsigned long long)rng_state);
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm(90 * SLOW);
	atexit(cleanup);
	if (srtp_init() != srtp_err_status_ok) {
		printf("libsrtp2 init failed\n");
		return 1;
	}
	src[0] = (struct src_track){ .name = "video", .video = true, .pt = SRC_VIDEO_PT,
		.ssrc = rnd() | 1, .seq = (uint16_t)rnd(), .ts = rnd(), .ts_step = 3000,
		.period_us = 33333 };
	src[1] = (struct src_track){ .name = "audio", .pt = SRC_AUDIO_PT, .ssrc = rnd() | 2,
		.seq = (uint16_t)rnd(), .ts = rnd(), .ts_step = 960, .period_us = 20000 };

	WF_RUN(network_namespace_is_private_with_loopback_up);
	WF_RUN(whepfan_starts_with_two_streams_and_a_token);
	WF_RUN(offer_before_the_source_is_live_gets_409_with_retry_after);
	WF_RUN(chromium_offer_is_answered_and_firefox_without_h264_is_refused);
	WF_RUN(refusals_have_clear_statuses_and_reasons);
	WF_RUN(post_offer_is_answered_201_with_location_etag_and_sdp);
	WF_RUN(ice_check_gets_an_authenticated_success_with_our_address);
	WF_RUN(dtls_handshake_completes_and_media_decrypts_with_the_exported_keys);
	WF_RUN(media_is_in_order_byte_identical_with_the_answers_ssrcs_and_pts);
	WF_RUN(spoofed_short_dtls_alert_from_the_viewers_address_changes_nothing);
	WF_RUN(srtcp_nack_is_answered_with_the_same_packet);
	WF_RUN(check_with_wrong_integrity_from_another_port_gets_no_answer);
	WF_RUN(dtls_client_hello_from_an_address_without_ice_gets_no_answer);
	WF_RUN(certificate_not_matching_the_offers_fingerprint_ends_the_session);
	WF_RUN(session_without_consent_checks_stops_after_consent_timeout);
	WF_RUN(consent_checks_every_second_keep_the_main_session_alive);
	WF_RUN(max_sessions_gives_503_with_retry_after_and_serving_goes_on);
	WF_RUN(delete_ends_the_session_media_stops_and_a_second_delete_is_404);
	WF_RUN(sigterm_stops_whepfan_with_exit_status_0);

	if (wf_test.failed)
		wf_e2e_print_log(&wf);
	for (i = 0; i < N_CLIENTS; i++)
		client_free(&clients[i]);
	wf_dtls_ctx_free(env.cctx);
	wf_dtls_ctx_free(env.other_ctx);
	wf_dtls_cert_free(env.cert);
	wf_dtls_cert_free(env.other_cert);
	for (i = 0; i < 2; i++) {
		if (env.src_sock[i] >= 0)
			close(env.src_sock[i]);
		for (k = 0; k < src[i].n; k++)
			free(src[i].s[k].pl);
	}
	srtp_shutdown();
	rc = wf_test_done();
	cleanup();
	return rc;
}
