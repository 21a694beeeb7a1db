/* test_telemetry_churn.c: DPDK telemetry against session churn and
 * reloads, end to end (issue 9).
 *
 * Runs the real whepfan (<build>/whepfan, found from argv[0]; under
 * `make asan` the sanitizer build) with two workers in a private network
 * namespace on net_tap, feeds two streams ("cam", and "flap" that SIGHUP
 * reloads remove and add again and again), and while the main thread
 * creates and ends WHEP sessions as fast as it can (offers that never do
 * ICE, offers deleted at once, sessions that do ICE only, sessions that
 * complete DTLS and become viewers and then lose consent), telemetry
 * threads hammer /whepfan/sessions, /whepfan/session,<id>, /whepfan/stats,
 * /whepfan/stream,<name>, /whepfan/streams, /whepfan/lcores and
 * /whepfan/info over persistent connections (DPDK answers each on a thread
 * of its own, concurrently with the slow path and with each other); one of
 * them chases each session while the main thread deletes it, and all ask
 * for what teardown frees while whepfan stops.
 * Every reply must be consistent (an id's reply names that id, states and
 * streams are real ones, a stream's reply names that stream, cam's packet
 * count never goes back; DPDK's own parameter mix-up excepted, see recent),
 * what the client did must show (ICE: "dtls" and our address; DTLS: "live"
 * on a worker; DELETE: gone at once; a reload: flap gone, then back with
 * its owner's track), whepfan must survive and stop with exit status 0
 * while the hammering goes on, and its log must hold no sanitizer report.
 * Only 198.18.0.0/15 (RFC 2544) and loopback are used; HTTP comes from
 * many 127/8 addresses so per-address admission limits do not throttle it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/e2e.h"
#include "rtp/rtp.h"
#include "common/e2e_http.h"
#include "dtls/cert.h"
#include "dtls/dtls.h"
#include "stun/stun.h"
#include "wf_test.h"

#define HTTP_PORT	8889
#define CAM_PORT	5004
#define FLAP_PORT	5010
#define SRC_PT		96
#define OFFER_PT	102
#define MAX_SESSIONS	48
#define OPEN_MAX	24		/* sessions the churn keeps at once */
#define CONSENT_S	5		/* the smallest webrtc.consent_timeout_s */
#define HAMMERS		3
#define CHASER		(HAMMERS - 1)	/* this one chases sessions being deleted */
#define HTTP_SOURCES	64		/* 127.0.0.10 ... 127.0.0.73 */
#define SLOW		WF_E2E_SLOW
#define CHURN_MS	(8000 * SLOW)
#define RELOAD_MS	(700 * SLOW)	/* flap goes or comes back this often */
#define SRC_PERIOD_US	5000
#define SRC_GOP		30
#define TEL_BUF		32768

#define now_us wf_e2e_now_us

/* ---- small utilities ----------------------------------------------------- */

/* the main thread's only (wf_e2e_rnd: one stream); the seed is printed */
#define rnd wf_e2e_rnd

static bool flag_get(const bool *f)
{
	return __atomic_load_n(f, __ATOMIC_ACQUIRE);
}

static void flag_set(bool *f)
{
	__atomic_store_n(f, true, __ATOMIC_RELEASE);
}

/* ---- the environment ------------------------------------------------------ */

static struct wf_e2e_proc wf = { .pid = 0 };

static struct {
	bool netns;
	bool ready;
	bool flap_present;		/* as the configuration says now */
	struct wf_dtls_cert *cert;	/* the browser's */
	struct wf_dtls_ctx *cctx;
	char fp[WF_DTLS_FP_STRLEN];
	/* threads */
	pthread_t src_th;
	bool src_started;
	bool stop;			/* threads leave their loops */
	bool stopping;			/* SIGTERM sent: lost connections are expected */
} env;

/* Writes the configuration: cam always, flap when with_flap. */
static int write_conf(bool with_flap)
{
	FILE *f = fopen(wf.conf, "w");

	if (!f)
		return -errno;
	wf_e2e_conf_dpdk(f, &wf, &(struct wf_e2e_dpdk){ .lcores = "(0-2)@(0-1)", .mbufs = 32767 });
	fprintf(f,
		"webrtc = { udp_port = %d; consent_timeout_s = %d; };\n"
		"http = { listen = \"127.0.0.1:%d\"; max_sessions = %d; };\n"
		"workers = { idle_sleep_us = 50; };\n"
		"streams = (\n"
		"  { name = \"cam\"; history_ms = 1000;\n"
		"    tracks = ( { kind = \"video\"; port = %d; codec = \"H264\"; payload_type = %d;\n"
		"                 fmtp = \"packetization-mode=1;profile-level-id=42e01f\"; } ); }%s\n",
		WF_E2E_WEBRTC_PORT, CONSENT_S, HTTP_PORT, MAX_SESSIONS, CAM_PORT,
		SRC_PT, with_flap ? "," : "");
	if (with_flap)
		fprintf(f,
			"  { name = \"flap\"; history_ms = 1000;\n"
			"    tracks = ( { kind = \"video\"; port = %d; codec = \"H264\";\n"
			"                 payload_type = %d;\n"
			"                 fmtp = \"packetization-mode=1;profile-level-id=42e01f\"; } ); }\n",
			FLAP_PORT, SRC_PT);
	fprintf(f, ");\n");
	return fclose(f) == 0 ? 0 : -errno;
}

/* ---- the source: H.264 single-NAL packets to both streams ---------------- */

static void *source_main(void *arg)
{
	int fd = wf_e2e_udp_socket(WF_E2E_KERN_ADDR, 5000);
	uint8_t pkt[12 + 200];
	uint32_t ssrc = 0x5eed0001, ts = 0;
	uint16_t seq = 1;
	unsigned i;

	(void)arg;
	if (fd < 0)
		return NULL;
	memset(pkt, 0xab, sizeof(pkt));
	while (!flag_get(&env.stop)) {
		struct sockaddr_in to = { .sin_family = AF_INET };

		pkt[0] = 0x80;
		pkt[1] = 0x80 | SRC_PT;	/* one packet per frame: marker */
		wf_rtp_wr16(pkt + 2, seq);
		wf_rtp_wr32(pkt + 4, ts);
		wf_rtp_wr32(pkt + 8, ssrc);
		pkt[12] = seq % SRC_GOP == 1 ? 0x65 : 0x41;	/* IDR, else non-IDR slice */
		inet_pton(AF_INET, WF_E2E_WF_ADDR, &to.sin_addr);
		for (i = 0; i < 2; i++) {
			to.sin_port = htons(i ? FLAP_PORT : CAM_PORT);
			sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to));
		}
		seq++;
		ts += 450;
		usleep(SRC_PERIOD_US);
	}
	close(fd);
	return NULL;
}

/* ---- telemetry replies ---------------------------------------------------- */

static bool tel_is_null(const char *js)
{
	return strstr(js, ": null}") || strstr(js, ":null}");
}

static bool is_session_id(const char *s, size_t n)
{
	size_t i;

	if (n != 32)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The ids of a /whepfan/sessions reply into ids[max][33]; how many, or -1
 * (with a message in *e) when the reply is not a list of session ids. */
static int tel_session_ids(const char *js, char (*ids)[33], int max, struct wf_e2e_errlog *e)
{
	const char *p = strchr(js, '['), *q;
	int n = 0;

	if (!p) {
		wf_e2e_errlog_add(e, "/whepfan/sessions: no list in %.120s", js);
		return -1;
	}
	for (p++; (p = strpbrk(p, "\"]")) && *p == '"'; p = q + 1) {
		q = strchr(p + 1, '"');
		if (!q || !is_session_id(p + 1, (size_t)(q - p - 1))) {
			wf_e2e_errlog_add(e, "/whepfan/sessions: \"%.40s\" is not a session id", p + 1);
			return -1;
		}
		if (n < max)
			snprintf(ids[n++], 33, "%.32s", p + 1);
	}
	return n;
}

static bool one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(v, *set))
			return true;
	return false;
}

/* DPDK's telemetry threads split each command with strtok(), which is not
 * reentrant (lib/telemetry, client_handler, up to DPDK 24.x): with clients
 * in parallel, a command may run with another client's parameter.  So a
 * reply for another session or stream is whepfan's fault only when no
 * other thread of ours sent that command lately.  Every command with a
 * parameter is noted here by the thread that sends it. */
#define RECENT		16	/* commands remembered per thread */
#define WHO_MAIN	HAMMERS	/* the main thread's index */

static struct {
	pthread_mutex_t lock;
	char cmd[HAMMERS + 1][RECENT][96];
	unsigned next[HAMMERS + 1];
} recent = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void recent_note(unsigned who, const char *cmd)
{
	pthread_mutex_lock(&recent.lock);
	snprintf(recent.cmd[who][recent.next[who]++ % RECENT], sizeof(recent.cmd[0][0]), "%s",
		 cmd);
	pthread_mutex_unlock(&recent.lock);
}

/* Whether a thread other than who sent cmd lately. */
static bool recent_other(unsigned who, const char *cmd)
{
	unsigned w, i;
	bool found = false;

	pthread_mutex_lock(&recent.lock);
	for (w = 0; w <= HAMMERS && !found; w++)
		for (i = 0; i < RECENT && w != who && !found; i++)
			found = !strcmp(recent.cmd[w][i], cmd);
	pthread_mutex_unlock(&recent.lock);
	return found;
}

enum reply { R_NULL, R_OURS, R_MIXUP };

/* Checks a /whepfan/session,<id> reply that thread who asked for: null
 * (ended meanwhile), that session with real values, or another one that
 * another thread asked for (DPDK's mix-up, above); anything else is an
 * error in *e. */
static enum reply tel_session_check(const char *js, const char *id, unsigned who,
				    struct wf_e2e_errlog *e)
{
	static const char *const states[] = { "ice", "dtls", "live", "closing", NULL };
	static const char *const streams[] = { "cam", "flap", NULL };
	char got[64], state[16], stream[32], peer[32], other[96];

	if (tel_is_null(js))
		return R_NULL;
	if (wf_e2e_json_str(js, "id", got, sizeof(got)) || strcmp(got, id)) {
		snprintf(other, sizeof(other), "/whepfan/session,%.40s", got);
		if (recent_other(who, other))
			return R_MIXUP;
		wf_e2e_errlog_add(e, "session,%s answered for \"%s\": %.300s", id, got, js);
		return R_NULL;
	}
	if (wf_e2e_json_str(js, "state", state, sizeof(state)) || !one_of(state, states) ||
	    wf_e2e_json_str(js, "stream", stream, sizeof(stream)) || !one_of(stream, streams) ||
	    wf_e2e_json_str(js, "peer", peer, sizeof(peer)) ||
	    (strcmp(peer, "0.0.0.0:0") && strncmp(peer, WF_E2E_KERN_ADDR ":", strlen(WF_E2E_KERN_ADDR) + 1))) {
		wf_e2e_errlog_add(e, "session,%s: wrong state, stream or peer: %.200s", id, js);
		return R_NULL;
	}
	if (!strcmp(state, "live") && wf_e2e_json_num(js, NULL, "worker") < 0)
		wf_e2e_errlog_add(e, "session,%s is live on no worker: %.200s", id, js);
	return R_OURS;
}

/* ---- the telemetry hammers ------------------------------------------------ */

struct hammer {
	pthread_t th;
	unsigned idx;
	bool started;
	unsigned long cmds, session_hits, stream_hits, flap_hits, lists, chased, mixups;
	long long cam_packets;		/* the last seen: never goes back */
	struct wf_e2e_errlog err;
	char buf[TEL_BUF];
	char ids[64][33];
};

static struct hammer hammers[HAMMERS];

/* One command on fd into h->buf; false when the connection is gone. */
static bool tel(struct hammer *h, int fd, const char *cmd)
{
	if (strchr(cmd, ','))
		recent_note(h->idx, cmd);
	if (wf_e2e_tel_cmd(fd, cmd, h->buf, sizeof(h->buf)) < 0) {
		if (!flag_get(&env.stopping))
			wf_e2e_errlog_add(&h->err, "telemetry %s: no answer while whepfan runs", cmd);
		return false;
	}
	h->cmds++;
	/* whepfan shuts its commands when it begins to stop: null for all */
	return !(flag_get(&env.stopping) && tel_is_null(h->buf));
}

static void count_session_reply(struct hammer *h, const char *id)
{
	enum reply r = tel_session_check(h->buf, id, h->idx, &h->err);

	h->session_hits += r == R_OURS;
	h->mixups += r == R_MIXUP;
}

/* A stream's reply: null, or that stream. */
static void check_stream(struct hammer *h, const char *name)
{
	char got[32];
	long long pk;

	if (tel_is_null(h->buf))
		return;
	if (wf_e2e_json_str(h->buf, "name", got, sizeof(got)) || strcmp(got, name)) {
		char other[96];

		snprintf(other, sizeof(other), "/whepfan/stream,%.60s", got);
		if (recent_other(h->idx, other))
			h->mixups++;	/* DPDK's, see recent */
		else
			wf_e2e_errlog_add(&h->err, "stream,%s answered for \"%s\"", name, got);
		return;
	}
	h->stream_hits++;
	if (!strcmp(name, "flap")) {
		h->flap_hits++;
		return;
	}
	pk = wf_e2e_json_num(h->buf, "video", "packets");
	if (pk >= 0 && pk < h->cam_packets)
		wf_e2e_errlog_add(&h->err, "stream,cam: packets went back from %lld to %lld",
			   h->cam_packets, pk);
	if (pk > h->cam_packets)
		h->cam_packets = pk;
}

/* One round: the sessions and a few of them, the streams, the totals. */
static bool hammer_round(struct hammer *h, int fd, unsigned round)
{
	static const char *const extra[] = { "/whepfan/stats", "/whepfan/streams",
					     "/whepfan/lcores", "/whepfan/info" };
	char cmd[96];
	int n, i;

	if (flag_get(&env.stopping)) {
		/* whepfan is stopping: what it frees now, these read */
		if (!tel(h, fd, round % 2 ? "/whepfan/info" : "/whepfan/sessions"))
			return false;
		if (!(round % 2))
			tel_session_ids(h->buf, h->ids, (int)(sizeof(h->ids) / sizeof(h->ids[0])),
					&h->err);
		return true;
	}
	if (!tel(h, fd, "/whepfan/sessions"))
		return false;
	h->lists++;
	n = tel_session_ids(h->buf, h->ids, (int)(sizeof(h->ids) / sizeof(h->ids[0])), &h->err);
	for (i = 0; i < n && i < 4; i++) {
		const char *id = h->ids[(round + (unsigned)i * 7) % (unsigned)n];

		snprintf(cmd, sizeof(cmd), "/whepfan/session,%s", id);
		if (!tel(h, fd, cmd))
			return false;
		count_session_reply(h, id);
	}
	if (!tel(h, fd, "/whepfan/stream,flap"))
		return false;
	check_stream(h, "flap");
	if (!tel(h, fd, "/whepfan/stream,cam"))
		return false;
	check_stream(h, "cam");
	if (!tel(h, fd, extra[round % 4]))
		return false;
	if (tel_is_null(h->buf) || !strchr(h->buf, '{'))
		wf_e2e_errlog_add(&h->err, "%s: %.120s", extra[round % 4], h->buf);
	return true;
}

/* The session the main thread is deleting now ("" when none): the chaser
 * asks for it again and again, so that its reads meet the free. */
static struct {
	pthread_mutex_t lock;
	char id[33];
} doomed = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void doomed_set(const char *id)
{
	pthread_mutex_lock(&doomed.lock);
	snprintf(doomed.id, sizeof(doomed.id), "%s", id);
	pthread_mutex_unlock(&doomed.lock);
}

/* The chaser's round: the doomed session while there is one, else an
 * ordinary round. */
static bool chase_round(struct hammer *h, int fd, unsigned round)
{
	char id[33], cmd[96];

	pthread_mutex_lock(&doomed.lock);
	memcpy(id, doomed.id, sizeof(id));
	pthread_mutex_unlock(&doomed.lock);
	if (!id[0])
		return hammer_round(h, fd, round);
	snprintf(cmd, sizeof(cmd), "/whepfan/session,%s", id);
	if (!tel(h, fd, cmd))
		return false;
	h->chased++;
	count_session_reply(h, id);
	return true;
}

static void *hammer_main(void *arg)
{
	struct hammer *h = arg;
	unsigned round = h->idx;
	int fd = wf_e2e_tel_connect(&wf);

	if (fd < 0) {
		wf_e2e_errlog_add(&h->err, "cannot connect to the telemetry socket");
		return NULL;
	}
	while (!flag_get(&env.stop) && (h->idx == CHASER ? chase_round(h, fd, round) :
					 hammer_round(h, fd, round)))
		round++;
	close(fd);
	return NULL;
}

/* ---- WHEP sessions as the churn drives them ------------------------------- */

enum sess_kind {
	K_NO_ICE,	/* an offer, nothing more: ends by DELETE or reload */
	K_ICE,		/* one ICE check: "dtls" with our address */
	K_LIVE,		/* ICE and DTLS: a viewer, until consent runs out */
	K_DELETED,	/* deleted right after its 201 */
	K_COUNT
};

struct sess {
	bool used;
	bool flap;
	bool live;
	char id[33];
	int sock;
	uint16_t port;
	char ufrag[9], pwd[25];		/* ours */
	char s_ufrag[64], s_pwd[64];	/* the server's */
	uint8_t s_fp[WF_DTLS_FP_LEN];
	struct wf_dtls *dtls;
};

static struct sess open_s[OPEN_MAX];

static struct {
	unsigned long posts, created, refused, deleted, gone, ice, live, reloads;
	unsigned long by_status[6];	/* 404 409 429 503 other */
	struct wf_e2e_errlog err;
	char tel[TEL_BUF];
} churn;

static void sess_close(struct sess *s)
{
	if (s->sock >= 0)
		close(s->sock);
	if (s->dtls)
		wf_dtls_free(s->dtls);
	memset(s, 0, sizeof(*s));
	s->sock = -1;
}

/* A browser's recvonly video offer (JSEP) with our ICE credentials. */
static size_t make_offer(const struct sess *s, char *out, size_t cap)
{
	int n = snprintf(out, cap,
		"v=0\r\no=- %u 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
		"a=group:BUNDLE 0\r\na=msid-semantic: WMS\r\n"
		"m=video 9 UDP/TLS/RTP/SAVPF %d\r\nc=IN IP4 0.0.0.0\r\n"
		"a=ice-ufrag:%s\r\na=ice-pwd:%s\r\na=fingerprint:sha-256 %s\r\n"
		"a=setup:actpass\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\n"
		"a=rtpmap:%d H264/90000\r\na=rtcp-fb:%d nack\r\na=rtcp-fb:%d nack pli\r\n"
		"a=fmtp:%d level-asymmetry-allowed=1;packetization-mode=1;"
		"profile-level-id=42e01f\r\n",
		rnd(), OFFER_PT, s->ufrag, s->pwd, env.fp, OFFER_PT, OFFER_PT, OFFER_PT, OFFER_PT);

	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* The value of SDP attribute a=name: (first one) into out[cap]. */
static int sdp_attr(const char *sdp, const char *name, char *out, size_t cap)
{
	char pat[48];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), "a=%s:", name);
	p = strstr(sdp, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	n = strcspn(p, "\r\n");
	snprintf(out, cap, "%.*s", (int)n, p);
	return 0;
}

/* The answer's ICE credentials and sha-256 fingerprint. */
static int read_answer(struct sess *s, const char *sdp)
{
	char fp[128];
	unsigned i, b;

	if (sdp_attr(sdp, "ice-ufrag", s->s_ufrag, sizeof(s->s_ufrag)) ||
	    sdp_attr(sdp, "ice-pwd", s->s_pwd, sizeof(s->s_pwd)) ||
	    sdp_attr(sdp, "fingerprint", fp, sizeof(fp)) || strncmp(fp, "sha-256 ", 8))
		return -1;
	for (i = 0; i < WF_DTLS_FP_LEN; i++) {
		if (sscanf(fp + 8 + 3 * i, "%2x", &b) != 1)
			return -1;
		s->s_fp[i] = (uint8_t)b;
	}
	return 0;
}

/* Requests to whepfan's HTTP server (tests/common/e2e_http.h). */
static const struct wf_e2e_http_to http_to = {
	.port = HTTP_PORT, .max_body = 65536, .timeout_ms = 5000, .slow = WF_E2E_SLOW,
};

/* POSTs an offer for stream from the next of HTTP_SOURCES addresses.
 * Returns the HTTP status (201: s filled), or -1. */
static int post_offer(struct sess *s, const char *stream)
{
	static char offer[4096];
	static struct wf_e2e_http_resp r;
	struct wf_e2e_http_to to = http_to;
	char src[32], path[64];
	const char *id;
	size_t n;

	memset(s, 0, sizeof(*s));
	s->sock = -1;
	wf_e2e_rnd_ice(s->ufrag, 8);
	wf_e2e_rnd_ice(s->pwd, 24);
	n = make_offer(s, offer, sizeof(offer));
	snprintf(src, sizeof(src), "127.0.0.%lu", 10 + churn.posts++ % HTTP_SOURCES);
	snprintf(path, sizeof(path), "/%s/whep", stream);
	to.src = src;
	if (!n || wf_e2e_http(&to, "POST", path, "Content-Type: application/sdp\r\n", offer, n,
			      &r) < 0)
		return -1;
	if (r.status != 201)
		return r.status;
	id = strrchr(r.location, '/');
	if (!id || !is_session_id(id + 1, strlen(id + 1)) || read_answer(s, r.body) < 0) {
		wf_e2e_errlog_add(&churn.err, "201 with Location \"%s\" or an answer we cannot read",
			   r.location);
		return -1;
	}
	snprintf(s->id, sizeof(s->id), "%s", id + 1);
	s->used = true;
	s->flap = !strcmp(stream, "flap");
	return 201;
}

/* DELETE; the HTTP status or -1. */
static int delete_session(const struct sess *s)
{
	static struct wf_e2e_http_resp r;
	char path[96];

	snprintf(path, sizeof(path), "/%s/whep/%s", s->flap ? "flap" : "cam", s->id);
	if (wf_e2e_http(&http_to, "DELETE", path, NULL, NULL, 0, &r) < 0)
		return -1;
	return r.status;
}

/* ---- ICE and DTLS from the session's own socket --------------------------- */

static void send_wf(const struct sess *s, const void *p, size_t n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(WF_E2E_WEBRTC_PORT) };

	inet_pton(AF_INET, WF_E2E_WF_ADDR, &to.sin_addr);
	sendto(s->sock, p, n, 0, (struct sockaddr *)&to, sizeof(to));
}

/* Waits up to ms for a datagram whose first byte is in [lo, hi]. */
static int recv_kind(const struct sess *s, uint8_t *buf, size_t cap, unsigned lo, unsigned hi,
		     unsigned ms)
{
	uint64_t end = now_us() + (uint64_t)ms * 1000;
	struct pollfd pf = { .fd = s->sock, .events = POLLIN };

	while (now_us() < end) {
		ssize_t n;

		if (poll(&pf, 1, 10) != 1)
			continue;
		n = recv(s->sock, buf, cap, 0);
		if (n > 0 && buf[0] >= lo && buf[0] <= hi)
			return (int)n;
	}
	return -1;
}

/* One check with USE-CANDIDATE (RFC 8445 §7.2.2) until a success answers. */
static int do_ice(struct sess *s)
{
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);
	uint8_t pkt[512], txid[WF_STUN_TXID_LEN];
	struct wf_stun_request_params rp = {
		.txid = txid, .remote_ufrag = s->s_ufrag, .local_ufrag = s->ufrag,
		.remote_pwd = s->s_pwd, .priority = 0x6e7f1eff, .controlling = true,
		.use_candidate = true,
	};
	unsigned tries, i;
	int n;

	s->sock = wf_e2e_udp_socket(WF_E2E_KERN_ADDR, 0);
	if (s->sock < 0 || getsockname(s->sock, (struct sockaddr *)&me, &ml) < 0)
		return -1;
	s->port = ntohs(me.sin_port);
	for (tries = 0; tries < 5; tries++) {
		struct wf_stun_msg msg;

		for (i = 0; i < sizeof(txid); i++)
			txid[i] = (uint8_t)rnd();
		rp.tie_breaker = (uint64_t)rnd() << 32 | rnd();
		n = wf_stun_build_binding_request(pkt, sizeof(pkt), &rp);
		if (n <= 0)
			return -1;
		send_wf(s, pkt, (size_t)n);
		n = recv_kind(s, pkt, sizeof(pkt), 0, 3, 300 * SLOW);
		if (n > 0 && wf_stun_parse(pkt, (size_t)n, &msg) == 0 &&
		    msg.type == WF_STUN_BINDING_SUCCESS && !memcmp(msg.txid, txid, sizeof(txid)))
			return 0;
	}
	return -1;
}

static void dtls_flush(struct sess *s)
{
	uint8_t buf[WF_DTLS_MAX_DATAGRAM];
	int n;

	while ((n = wf_dtls_next_output(s->dtls, buf, sizeof(buf))) > 0)
		send_wf(s, buf, (size_t)n);
}

/* The DTLS client handshake (whepfan is passive); 0 once connected. */
static int do_dtls(struct sess *s)
{
	uint64_t end = now_us() + 3000000ull * SLOW;
	uint8_t buf[WF_DTLS_MAX_DATAGRAM];

	s->dtls = wf_dtls_create_client(env.cctx, s->s_fp);
	if (!s->dtls)
		return -1;
	dtls_flush(s);
	while (wf_dtls_state(s->dtls) == WF_DTLS_HANDSHAKING && now_us() < end) {
		int n = recv_kind(s, buf, sizeof(buf), 20, 63, 20);

		if (n > 0)
			wf_dtls_input(s->dtls, buf, (size_t)n);
		else if (wf_dtls_timeout_ms(s->dtls) == 0)
			wf_dtls_on_timer(s->dtls);
		dtls_flush(s);
	}
	return wf_dtls_state(s->dtls) == WF_DTLS_CONNECTED ? 0 : -1;
}

/* The main thread's telemetry commands: reply in churn.tel. */
static int main_tel(const char *cmd)
{
	recent_note(WHO_MAIN, cmd);
	return wf_e2e_telemetry(&wf, cmd, churn.tel, sizeof(churn.tel));
}

/* Whether churn.tel answers for session id (else null, or DPDK's mix-up). */
static bool reply_is_for(const char *id)
{
	char got[64];

	return !wf_e2e_json_str(churn.tel, "id", got, sizeof(got)) && !strcmp(got, id);
}

/* /whepfan/session,<id> from the main thread until its state is want (up
 * to 1 s): the reply, or NULL (checked by the caller). */
static const char *tel_session_wait(const struct sess *s, const char *want)
{
	uint64_t end = now_us() + 1000000ull * SLOW;
	char cmd[96], state[16];

	snprintf(cmd, sizeof(cmd), "/whepfan/session,%s", s->id);
	do {
		if (main_tel(cmd) < 0)
			return NULL;
		if (reply_is_for(s->id) && !wf_e2e_json_str(churn.tel, "state", state, sizeof(state)) &&
		    !strcmp(state, want))
			return churn.tel;
		usleep(10000);
	} while (now_us() < end);
	return NULL;
}

/* What telemetry must show after ICE: "dtls", and our address as peer. */
static void check_after_ice(const struct sess *s)
{
	char peer[32], want[32];

	if (!tel_session_wait(s, "dtls")) {
		wf_e2e_errlog_add(&churn.err, "session %s: not \"dtls\" after ICE: %.200s", s->id,
			   churn.tel);
		return;
	}
	snprintf(want, sizeof(want), WF_E2E_KERN_ADDR ":%u", s->port);
	if (wf_e2e_json_str(churn.tel, "peer", peer, sizeof(peer)) || strcmp(peer, want))
		wf_e2e_errlog_add(&churn.err, "session %s: peer \"%s\", we are %s", s->id, peer, want);
}

/* After DTLS: "live" on a worker, with an SRTP profile. */
static void check_after_dtls(const struct sess *s)
{
	char profile[48];

	if (!tel_session_wait(s, "live")) {
		wf_e2e_errlog_add(&churn.err, "session %s: not \"live\" after DTLS: %.200s", s->id,
			   churn.tel);
		return;
	}
	if (wf_e2e_json_num(churn.tel, NULL, "worker") < 0 ||
	    wf_e2e_json_str(churn.tel, "profile", profile, sizeof(profile)) || !profile[0])
		wf_e2e_errlog_add(&churn.err, "session %s: live without worker or profile: %.200s",
			   s->id, churn.tel);
}

/* After a DELETE answered 200 (or 404): telemetry knows it no more. */
static void check_gone(const struct sess *s)
{
	char cmd[96];
	unsigned tries;

	snprintf(cmd, sizeof(cmd), "/whepfan/session,%s", s->id);
	for (tries = 0; tries < 8; tries++) {
		if (main_tel(cmd) < 0 || tel_is_null(churn.tel))
			return;
		if (reply_is_for(s->id))
			break;
	}
	wf_e2e_errlog_add(&churn.err, "session %s: still in telemetry after DELETE: %.200s",
			  s->id, churn.tel);
}

/* ---- the churn ------------------------------------------------------------- */

/* Ends open session i by DELETE: 200, or 404 when it ended on its own
 * (consent, reload); telemetry must not know it afterwards. */
static void end_one(unsigned i)
{
	struct sess *s = &open_s[i];
	int st;

	doomed_set(s->id);
	st = delete_session(s);

	if (st == 200)
		churn.deleted++;
	else if (st == 404)
		churn.gone++;
	else
		wf_e2e_errlog_add(&churn.err, "DELETE %s: status %d", s->id, st);
	check_gone(s);
	doomed_set("");
	sess_close(s);
}

static void count_refusal(int st, bool flap)
{
	static const int statuses[] = { 404, 409, 429, 503 };
	unsigned i;

	churn.refused++;
	for (i = 0; i < 4 && statuses[i] != st; i++)
		;
	churn.by_status[i]++;
	/* flap is refused while a reload has it away or its source is not
	 * latched yet; anything may meet a full table or, with admission
	 * limits, a busy address */
	if (i == 4 || (st == 404 && !flap))
		wf_e2e_errlog_add(&churn.err, "POST %s: status %d", flap ? "flap" : "cam", st);
}

/* One new session of kind k, kept in a free slot of open_s. */
static void new_session(enum sess_kind k)
{
	unsigned i;
	struct sess *s;
	bool flap = env.flap_present && rnd() % 3 == 0;
	int st;

	for (i = 0; i < OPEN_MAX && open_s[i].used; i++)
		;
	if (i == OPEN_MAX)
		end_one(i = rnd() % OPEN_MAX);
	s = &open_s[i];
	st = post_offer(s, flap ? "flap" : "cam");
	if (st != 201) {
		if (st > 0)
			count_refusal(st, flap);
		sess_close(s);
		return;
	}
	churn.created++;
	if (k == K_DELETED) {
		end_one(i);
		return;
	}
	if (k == K_NO_ICE)
		return;
	if (do_ice(s) < 0) {
		wf_e2e_errlog_add(&churn.err, "session %s: no answer to ICE", s->id);
		return;
	}
	churn.ice++;
	check_after_ice(s);
	if (k == K_LIVE && do_dtls(s) == 0) {
		churn.live++;
		s->live = true;
		check_after_dtls(s);
	} else if (k == K_LIVE) {
		wf_e2e_errlog_add(&churn.err, "session %s: DTLS did not connect", s->id);
	}
}

/* After a reload: /whepfan/stream,flap is null once flap is gone, and
 * names flap with its track, as its new owner published it, once back
 * (up to 2 s for whepfan to take the SIGHUP). */
static void check_flap_view(bool present)
{
	uint64_t end = now_us() + 2000000ull * SLOW;
	char name[32];

	do {
		if (main_tel("/whepfan/stream,flap") == 0 &&
		    (present ? !wf_e2e_json_str(churn.tel, "name", name, sizeof(name)) &&
				       !strcmp(name, "flap") && strstr(churn.tel, "\"video\"")
			     : tel_is_null(churn.tel)))
			return;
		usleep(10000);
	} while (now_us() < end);
	wf_e2e_errlog_add(&churn.err, "reload: flap %s, telemetry says %.200s",
		   present ? "back" : "removed", churn.tel);
}

/* SIGHUP with flap removed or back. */
static void toggle_flap(void)
{
	unsigned i;

	env.flap_present = !env.flap_present;
	if (write_conf(env.flap_present) < 0 || kill(wf.pid, SIGHUP) < 0) {
		wf_e2e_errlog_add(&churn.err, "cannot reload: %s", strerror(errno));
		return;
	}
	churn.reloads++;
	check_flap_view(env.flap_present);
	if (env.flap_present)
		return;
	/* the reload ends flap's sessions: their DELETEs may find them gone
	 * (404) or, before the reload ran, still there (200) */
	for (i = 0; i < OPEN_MAX; i++)
		if (open_s[i].used && open_s[i].flap)
			end_one(i);
}

/* ---- the checks ------------------------------------------------------------ */

static void network_namespace_is_private_with_loopback_up(void)
{
	WF_REQUIRE(geteuid() == 0 || !"needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN)");
	WF_REQUIRE(access("/dev/net/tun", R_OK | W_OK) == 0 || !"needs /dev/net/tun for net_tap");
	WF_REQUIRE(wf_e2e_enter_netns() == 0);
	env.netns = true;
}

static bool cam_accepts_offers(void)
{
	struct sess s;
	int st = post_offer(&s, "cam");

	if (st == 201 && delete_session(&s) != 200)
		st = -1;
	sess_close(&s);
	return st == 201;
}

static void whepfan_starts_with_two_workers_and_two_streams(void)
{
	uint64_t end;
	int rc;

	WF_REQUIRE(env.netns);
	WF_REQUIRE(wf_e2e_prepare(&wf, "wftel") == 0);
	env.flap_present = true;
	WF_REQUIRE(write_conf(true) == 0);
	printf("  whepfan %s/whepfan, config %s, EAL prefix %s, tap %s\n", wf.build, wf.conf,
	       wf.prefix, wf.iface);
	rc = wf_e2e_spawn(&wf, WF_E2E_KERN_ADDR "/24", 15000 * SLOW);
	WF_REQUIRE(rc != -ENOENT || !"build <build>/whepfan first");
	WF_REQUIRE(rc == 0 || !"whepfan did not start (log below)");
	env.cert = wf_dtls_cert_generate();
	WF_REQUIRE(env.cert != NULL);
	env.cctx = wf_dtls_ctx_create(WF_DTLS_CLIENT, env.cert, NULL);
	WF_REQUIRE(env.cctx != NULL);
	snprintf(env.fp, sizeof(env.fp), "%s", wf_dtls_cert_fingerprint(env.cert));
	WF_REQUIRE(pthread_create(&env.src_th, NULL, source_main, NULL) == 0);
	env.src_started = true;
	/* the source is latched when an offer is answered */
	end = now_us() + 10000000ull * SLOW;
	while (!cam_accepts_offers() && now_us() < end)
		usleep(100000);
	WF_REQUIRE(now_us() < end || !"cam never accepted an offer (log below)");
	env.ready = true;
}

static void telemetry_threads_connect(void)
{
	unsigned i;

	WF_REQUIRE(env.ready);
	for (i = 0; i < HAMMERS; i++) {
		hammers[i].idx = i;
		hammers[i].cam_packets = -1;
		WF_REQUIRE(pthread_create(&hammers[i].th, NULL, hammer_main, &hammers[i]) == 0);
		hammers[i].started = true;
	}
}

static void sessions_come_and_go_while_telemetry_reads_and_flap_reloads(void)
{
	uint64_t end = now_us() + (uint64_t)CHURN_MS * 1000, next_reload;
	unsigned n = 0;

	WF_REQUIRE(env.ready);
	next_reload = now_us() + (uint64_t)RELOAD_MS * 1000;
	while (now_us() < end && wf_e2e_alive(&wf)) {
		new_session((enum sess_kind)(n++ % K_COUNT));
		if (now_us() >= next_reload) {
			toggle_flap();
			next_reload = now_us() + (uint64_t)RELOAD_MS * 1000;
		}
	}
	WF_CHECK(wf_e2e_alive(&wf) || !"whepfan died during the churn (log below)");
	printf("  %lu offers: %lu sessions (%lu deleted, %lu already gone), %lu refused "
	       "(404 %lu, 409 %lu, 429 %lu, 503 %lu); %lu did ICE, %lu went live; %lu reloads\n",
	       churn.posts, churn.created, churn.deleted, churn.gone, churn.refused,
	       churn.by_status[0], churn.by_status[1], churn.by_status[2], churn.by_status[3],
	       churn.ice, churn.live, churn.reloads);
	WF_E2E_CHECK_ERRLOG(&churn.err);
	WF_CHECK(churn.created >= 100);
	WF_CHECK(churn.live >= 5);
	WF_CHECK(churn.reloads >= 4);
}

static void sigterm_while_telemetry_reads_exits_0(void)
{
	int status = 0;
	unsigned i;

	WF_REQUIRE(env.ready);
	for (i = 0; i < OPEN_MAX; i++)
		if (open_s[i].used)
			sess_close(&open_s[i]);
	flag_set(&env.stopping);	/* the hammers go on while whepfan stops */
	WF_REQUIRE(wf_e2e_alive(&wf));
	WF_REQUIRE(wf_e2e_stop(&wf, 20000 * SLOW, &status) == 0);
	WF_CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "whepfan exit status 0x%x",
		  status);
}

static void every_telemetry_reply_was_consistent(void)
{
	unsigned long cmds = 0, hits = 0, streams = 0, flap = 0, mixups = 0;
	unsigned i;

	flag_set(&env.stop);
	for (i = 0; i < HAMMERS; i++) {
		if (!hammers[i].started)
			continue;
		pthread_join(hammers[i].th, NULL);
		hammers[i].started = false;
		if (hammers[i].err.n)
			printf("  telemetry thread %u:\n", i);
		WF_E2E_CHECK_ERRLOG(&hammers[i].err);
		cmds += hammers[i].cmds;
		hits += hammers[i].session_hits;
		streams += hammers[i].stream_hits;
		flap += hammers[i].flap_hits;
		mixups += hammers[i].mixups;
	}
	printf("  telemetry: %lu commands from %d threads, %lu session replies, %lu stream "
	       "replies (%lu of flap), %lu asked for sessions being deleted; %lu replies for "
	       "another client's parameter (DPDK's strtok)\n", cmds, HAMMERS, hits, streams, flap,
	       hammers[CHASER].chased, mixups);
	WF_CHECK(cmds >= 1000);
	WF_CHECK(hammers[CHASER].chased >= 100);
	WF_CHECK(hits >= 100);
	WF_CHECK(flap >= 10);
}

/* The first lines of a sanitizer report in the log, if any. */
static void whepfan_log_has_no_sanitizer_report(void)
{
	FILE *f = fopen(wf.log, "r");
	char line[512];
	unsigned shown = 0;
	bool found = false;

	WF_REQUIRE(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "ERROR: AddressSanitizer") || strstr(line, "runtime error:") ||
		    strstr(line, "ERROR: LeakSanitizer"))
			found = true;
		if (found && shown++ < 40)
			printf("  | %s", line);
	}
	fclose(f);
	WF_CHECK(!found);
}

static void on_alarm(int sig)
{
	(void)sig;
	/* async-signal-safe: no stdio */
	static const char msg[] = "test_telemetry_churn: timed out\n";

	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	if (wf.pid > 0)
		kill(wf.pid, SIGKILL);
	_exit(2);
}

static void cleanup(void)
{
	flag_set(&env.stop);
	wf_e2e_cleanup(&wf);
}

int main(int argc, char **argv)
{
	unsigned i;
	int rc;

	wf_test_init(argc, argv);
	wf_e2e_find_build(&wf, argv[0]);
	printf("# end-to-end: telemetry during session churn and reloads, %s/whepfan (seed %llu)\n",
	       wf.build, (unsigned long long)wf_e2e_seed_from_clock());
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm(120 * SLOW);
	atexit(cleanup);
	for (i = 0; i < OPEN_MAX; i++)
		open_s[i].sock = -1;

	WF_RUN(network_namespace_is_private_with_loopback_up);
	WF_RUN(whepfan_starts_with_two_workers_and_two_streams);
	WF_RUN(telemetry_threads_connect);
	WF_RUN(sessions_come_and_go_while_telemetry_reads_and_flap_reloads);
	WF_RUN(sigterm_while_telemetry_reads_exits_0);
	WF_RUN(every_telemetry_reply_was_consistent);
	WF_RUN(whepfan_log_has_no_sanitizer_report);

	if (wf_test.failed)
		wf_e2e_print_log(&wf);
	flag_set(&env.stop);
	if (env.src_started)
		pthread_join(env.src_th, NULL);
	for (i = 0; i < OPEN_MAX; i++)
		if (open_s[i].used)
			sess_close(&open_s[i]);
	wf_dtls_ctx_free(env.cctx);
	wf_dtls_cert_free(env.cert);
	rc = wf_test_done();
	cleanup();
	return rc;
}
