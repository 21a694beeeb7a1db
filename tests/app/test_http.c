/* test_http.c: the WHEP/HTTP server (app/whep/http.c) driven over loopback by a
 * hand-written HTTP client in the same thread, with a fake session layer
 * injected through struct wf_http_ops.  Every exchange pumps wf_http_run()
 * until the server closes the connection (requests say Connection: close),
 * with a deadline so a hung server fails the test instead of hanging it. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wf_test.h"

#include "core/counters.h"
#include "slow/ev.h"
#include "slow/frame.h"
#include "whep/admission.h"
#include "whep/http.h"
#include "whep/http_conn.h"
#include "whep/player.h"
#include "whep/xff.h"
#include "conf/conf.h"

#define FAKE_ID		"0123456789abcdef0123456789abcdef"
#define OTHER_ID	"fedcba9876543210fedcba9876543210"
#define FAKE_ANSWER	"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
#define FAKE_ETAG	"\"e-0123\""
#define MAX_BODY	4096
#define ORIGIN		"https://viewer.example"
#define OFFER		"v=0\r\no=- 42 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"

static struct wf_config *cfg;

/* ---- the fake session layer ---------------------------------------------- */

static struct {
	/* what the next offer returns */
	int status;
	unsigned retry_after;
	const char *reason;
	const char *id;		/* NULL: FAKE_ID */
	const char *etag;	/* NULL: FAKE_ETAG */
	int patch_status;
	const char *patch_reason;
	bool count_pending;	/* do what session.c does with wf_admission */
	/* what the server passed */
	unsigned offers, dels, patches;
	uint64_t client;
	char stream[128];
	char body[MAX_BODY + 1];
	size_t len;
	bool body_terminated;
} fake;

/* session.c's part of admission: the new session counts for client, and
 * is pending. */
static bool fake_pending_add(uint64_t client, struct wf_whep_result *r)
{
	struct wf_adm_limits l;
	int rc;

	wf_adm_limits_of(cfg, &l);
	rc = wf_adm_session_add(&wf_admission, client, &l, wf_adm_now_ms());
	if (rc == 0)
		return true;
	r->status = 429;
	r->retry_after = rc == -EDQUOT ? l.sessions_retry_s : l.pending_retry_s;
	snprintf(r->reason, sizeof(r->reason), "%s",
		 rc == -EDQUOT ? WF_ADM_SESSIONS_TEXT : WF_ADM_PENDING_TEXT);
	return false;
}

static void fake_offer(enum wf_session_role role, const char *stream, uint64_t client,
		       const char *offer, size_t len, char *answer, size_t cap,
		       struct wf_whep_result *r)
{
	(void)role;
	fake.offers++;
	fake.client = client;
	if (fake.count_pending && fake.status == 201 && !fake_pending_add(client, r))
		return;
	snprintf(fake.stream, sizeof(fake.stream), "%s", stream);
	fake.len = len;
	memcpy(fake.body, offer, len < sizeof(fake.body) ? len : sizeof(fake.body));
	fake.body_terminated = offer[len] == '\0';
	r->status = fake.status;
	r->retry_after = fake.retry_after;
	if (fake.reason)
		snprintf(r->reason, sizeof(r->reason), "%s", fake.reason);
	if (fake.status != 201)
		return;
	snprintf(r->id, sizeof(r->id), "%s", fake.id ? fake.id : FAKE_ID);
	r->answer_len = strlen(FAKE_ANSWER);
	if (r->answer_len <= cap)
		memcpy(answer, FAKE_ANSWER, r->answer_len);
}

static int fake_del(enum wf_session_role role, const char *stream, const char *id)
{
	(void)role;
	fake.dels++;
	snprintf(fake.stream, sizeof(fake.stream), "%s", stream);
	return strcmp(id, FAKE_ID) ? 404 : 200;
}

static int fake_patch(enum wf_session_role role, const char *stream, const char *id,
		      const char *frag, size_t len, char *reason, size_t reason_cap)
{
	(void)role;
	fake.patches++;
	snprintf(fake.stream, sizeof(fake.stream), "%s", stream);
	fake.len = len;
	memcpy(fake.body, frag, len < sizeof(fake.body) ? len : sizeof(fake.body));
	if (strcmp(id, FAKE_ID))
		return 404;
	if (fake.patch_reason)
		snprintf(reason, reason_cap, "%s", fake.patch_reason);
	return fake.patch_status;
}

static const char *fake_etag(const char *id)
{
	(void)id;
	return fake.etag ? fake.etag : FAKE_ETAG;
}

static const struct wf_http_ops fake_ops = {
	.offer = fake_offer, .del = fake_del, .patch = fake_patch, .etag = fake_etag,
};

/* ---- server and client --------------------------------------------------- */

static void add_stream(const char *name, const char *token)
{
	struct wf_config_stream *st = &cfg->streams[cfg->n_streams++];

	snprintf(st->name, sizeof(st->name), "%s", name);
	snprintf(st->token, sizeof(st->token), "%s", token);
}

/* The address our requests come from (bound before connecting; all of
 * 127/8 is loopback). */
static uint32_t client_addr = INADDR_LOOPBACK;

/* A fresh server on 127.0.0.1, an ephemeral port, CORS for origin ("" none),
 * per-address limits out of the way and the deadlines at their defaults
 * (tests that check them set them). */
static bool start(const char *origin)
{
	memset(&fake, 0, sizeof(fake));
	fake.status = 201;
	fake.patch_status = 204;
	client_addr = INADDR_LOOPBACK;
	wf_http_fini();
	cfg->http.post_rate_per_ip = 1000000;
	cfg->http.post_burst_per_ip = 1000000;
	cfg->http.max_pending_per_ip = 1000000;
	cfg->http.max_sessions_per_ip = 0;
	cfg->http.n_trusted_proxies = 0;
	cfg->http.request_timeout_s = WF_CONF_DEF_REQUEST_S;
	cfg->webrtc.handshake_timeout_s = WF_CONF_DEF_HANDSHAKE_S;
	snprintf(cfg->http.cors_origin, sizeof(cfg->http.cors_origin), "%s", origin);
	if (wf_http_init_ops(cfg, &fake_ops) != 0)
		return false;
	return wf_http_port() != 0 && wf_http_fd() >= 0;
}

struct resp {
	int status;		/* 0: no response */
	size_t len;
	char raw[256 * 1024];
	const char *body;	/* in raw */
	size_t body_len;
	size_t head_len;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A connection to the server from client_addr, non-blocking; -1 when
 * it cannot be made. */
static int conn_open(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct sockaddr_in src = { .sin_family = AF_INET };
	int fd;

	sa.sin_port = htons(wf_http_port());
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	src.sin_addr.s_addr = htonl(client_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* Parses the status line of r->raw and finds the body. */
static void resp_parse(struct resp *r)
{
	const char *end;

	r->raw[r->len] = '\0';
	if (r->len < 12 || strncmp(r->raw, "HTTP/1.", 7))
		return;
	r->status = atoi(r->raw + 9);
	end = strstr(r->raw, "\r\n\r\n");
	if (!end)
		return;
	r->head_len = (size_t)(end - r->raw) + 2;
	r->body = end + 4;
	r->body_len = r->len - (size_t)(r->body - r->raw);
}

/* Sends req (len bytes, may be 0) on fd and reads until the server closes
 * it (or 5 s pass), pumping the server; half-closes our side after
 * sending when shut_wr.  Closes fd and parses the response into *r. */
static void talk(int fd, const void *req, size_t len, struct resp *r, bool shut_wr)
{
	double deadline = now_s() + 5.0;
	size_t sent = 0;
	unsigned turns = 0;

	memset(r, 0, offsetof(struct resp, raw));
	while (now_s() < deadline) {
		bool idle = true;
		ssize_t n;

		if (sent < len) {
			n = send(fd, (const char *)req + sent, len - sent, MSG_NOSIGNAL);
			if (n > 0) {
				sent += (size_t)n;
				idle = false;
			} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
				sent = len;	/* the server stopped reading */
			}
		}
		wf_http_run();
		/* half-close only once the server has read everything:
		 * libmicrohttpd (edge-triggered epoll) misses a FIN that
		 * arrives together with the data and then waits for its
		 * idle timeout instead */
		if (shut_wr && sent == len && turns++ == 2)
			shutdown(fd, SHUT_WR);
		n = recv(fd, r->raw + r->len, sizeof(r->raw) - 1 - r->len, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			break;
		if (n > 0) {
			r->len += (size_t)n;
			idle = false;
		}
		if (r->len == sizeof(r->raw) - 1)
			break;
		if (idle)
			usleep(200);
	}
	close(fd);
	wf_http_run();	/* let the server see the close */
	resp_parse(r);
}

/* Sends req (len bytes) on a new connection and reads until the server
 * closes it (see talk()). */
static void exchange_ex(const void *req, size_t len, struct resp *r, bool shut_wr)
{
	int fd = conn_open();

	memset(r, 0, offsetof(struct resp, raw));
	r->raw[0] = '\0';
	if (fd >= 0)
		talk(fd, req, len, r, shut_wr);
}

static void exchange(const char *req, struct resp *r)
{
	exchange_ex(req, strlen(req), r, false);
}

/* The value of header name (first occurrence), copied into out; false
 * when absent. */
static bool header(const struct resp *r, const char *name, char *out, size_t cap)
{
	const char *p = r->raw, *end = r->raw + r->head_len;
	size_t n = strlen(name);

	while (p < end) {
		const char *eol = strstr(p, "\r\n");

		if (!eol || eol > end)
			break;
		if ((size_t)(eol - p) > n && !strncasecmp(p, name, n) && p[n] == ':') {
			const char *v = p + n + 1;
			size_t vl;

			v += strspn(v, " ");
			vl = (size_t)(eol - v);
			if (vl >= cap)
				vl = cap - 1;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return true;
		}
		p = eol + 2;
	}
	return false;
}

static bool has_header(const struct resp *r, const char *name)
{
	char v[512];

	return header(r, name, v, sizeof(v));
}

static bool header_is(const struct resp *r, const char *name, const char *want)
{
	char v[512];

	return header(r, name, v, sizeof(v)) && !strcmp(v, want);
}

static bool body_has(const struct resp *r, const char *text)
{
	return r->body && strstr(r->body, text) != NULL;
}

/* A POST of body to url with content type ctype and extra header lines. */
static void post(const char *url, const char *ctype, const char *extra, const char *body,
		 struct resp *r)
{
	static char req[16384];

	snprintf(req, sizeof(req),
		 "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
		 "%s%s%sContent-Length: %zu\r\n%s\r\n%s",
		 url, ctype ? "Content-Type: " : "", ctype ? ctype : "", ctype ? "\r\n" : "",
		 strlen(body), extra ? extra : "", body);
	exchange(req, r);
}

/* A request without a body. */
static void simple(const char *method, const char *url, const char *extra, struct resp *r)
{
	char req[4096];

	snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s\r\n",
		 method, url, extra ? extra : "");
	exchange(req, r);
}

/* The server still answers a plain request. */
static bool still_serving(void)
{
	static struct resp r;

	simple("GET", "/", NULL, &r);
	return r.status == 200 && body_has(&r, "cam1");
}

static struct resp r;	/* big: keep it off the stack */

/* ---- WHEP POST ----------------------------------------------------------- */

static void whep_post_returns_201_with_location_etag_answer_and_cors(void)
{
	WF_REQUIRE(start(ORIGIN));
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
	WF_CHECK(header_is(&r, "Location", "/cam1/whep/" FAKE_ID));
	WF_CHECK(header_is(&r, "ETag", FAKE_ETAG));
	WF_CHECK(header_is(&r, "Content-Type", "application/sdp"));
	WF_CHECK_EQ(r.body_len, strlen(FAKE_ANSWER));
	WF_CHECK(r.body && !strcmp(r.body, FAKE_ANSWER));
	WF_CHECK(header_is(&r, "Access-Control-Allow-Origin", ORIGIN));
	WF_CHECK(header_is(&r, "Access-Control-Allow-Methods", "OPTIONS, POST, PATCH, DELETE"));
	WF_CHECK(header_is(&r, "Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match"));
	WF_CHECK(header_is(&r, "Access-Control-Expose-Headers", "Location, ETag, Link"));
	/* the session layer got exactly the offer, NUL-terminated */
	WF_CHECK_EQ(fake.offers, 1);
	WF_CHECK(!strcmp(fake.stream, "cam1"));
	WF_CHECK_EQ(fake.len, strlen(OFFER));
	WF_CHECK_MEM(fake.body, OFFER, strlen(OFFER));
	WF_CHECK(fake.body_terminated);
}

static void whep_post_accepts_content_type_parameters_and_case(void)
{
	WF_REQUIRE(start(""));
	post("/cam1/whep", "Application/SDP; charset=utf-8", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
	post("/cam1/whep", "application/sdpx", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 415);
}

static void responses_have_no_cors_headers_without_cors_origin(void)
{
	WF_REQUIRE(start(""));
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
	WF_CHECK(!has_header(&r, "Access-Control-Allow-Origin"));
	WF_CHECK(!has_header(&r, "Access-Control-Allow-Methods"));
}

static void whep_post_with_wrong_or_missing_content_type_is_415(void)
{
	WF_REQUIRE(start(ORIGIN));
	post("/cam1/whep", "text/plain", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 415);
	WF_CHECK(body_has(&r, "application/sdp"));
	WF_CHECK(header_is(&r, "Access-Control-Allow-Origin", ORIGIN));
	post("/cam1/whep", NULL, NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 415);
	WF_CHECK_EQ(fake.offers, 0);
}

static void whep_post_needs_the_streams_bearer_token(void)
{
	char v[256];

	WF_REQUIRE(start(""));
	post("/secret/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 401);
	WF_CHECK(header(&r, "WWW-Authenticate", v, sizeof(v)) && !strncmp(v, "Bearer", 6));
	WF_CHECK(body_has(&r, "token"));
	post("/secret/whep", "application/sdp", "Authorization: Bearer s3cre\r\n", OFFER, &r);
	WF_CHECK_EQ(r.status, 401);
	WF_CHECK(header(&r, "WWW-Authenticate", v, sizeof(v)) && strstr(v, "invalid_token"));
	post("/secret/whep", "application/sdp", "Authorization: Bearer s3cret2\r\n", OFFER, &r);
	WF_CHECK_EQ(r.status, 401);
	post("/secret/whep", "application/sdp", "Authorization: Basic s3cret\r\n", OFFER, &r);
	WF_CHECK_EQ(r.status, 401);
	post("/secret/whep", "application/sdp", "Authorization: Bearer\r\n", OFFER, &r);
	WF_CHECK_EQ(r.status, 401);
	WF_CHECK_EQ(fake.offers, 0);
	post("/secret/whep", "application/sdp", "Authorization: Bearer s3cret\r\n", OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
	post("/secret/whep", "application/sdp", "Authorization: bearer   s3cret\r\n", OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
	WF_CHECK_EQ(fake.offers, 2);
	/* a token for one stream opens no other: cam1 has none and needs none */
	post("/cam1/whep", "application/sdp", "Authorization: Bearer whatever\r\n", OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
}

static void whep_post_to_unknown_stream_is_404(void)
{
	WF_REQUIRE(start(""));
	post("/nosuch/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 404);
	WF_CHECK(body_has(&r, "nosuch"));
	WF_CHECK_EQ(fake.offers, 0);
}

static void whep_post_passes_409_and_503_with_retry_after_through(void)
{
	WF_REQUIRE(start(ORIGIN));
	fake.status = 409;
	fake.retry_after = 3;
	fake.reason = "stream cam1 has no source yet";
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 409);
	WF_CHECK(header_is(&r, "Retry-After", "3"));
	WF_CHECK(body_has(&r, "no source yet"));
	WF_CHECK(header_is(&r, "Content-Type", "text/plain; charset=utf-8"));
	WF_CHECK(!has_header(&r, "Location"));
	fake.status = 503;
	fake.retry_after = 10;
	fake.reason = NULL;
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 503);
	WF_CHECK(header_is(&r, "Retry-After", "10"));
	WF_CHECK(r.body_len > 1);	/* a default reason */
	fake.status = 409;
	fake.retry_after = 0;
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 409);
	WF_CHECK(!has_header(&r, "Retry-After"));
}

static void whep_post_passes_400_reason_through_without_crlf(void)
{
	WF_REQUIRE(start(""));
	fake.status = 400;
	fake.reason = "offer has no H264\r\nX-Injected: yes\r\n\r\n<b>";
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 400);
	WF_CHECK(body_has(&r, "offer has no H264"));
	WF_CHECK(!has_header(&r, "X-Injected"));
	WF_CHECK(r.body && !strchr(r.body, '\r'));
	WF_CHECK(r.body && strchr(r.body, '\n') == r.body + r.body_len - 1);
}

static void whep_post_with_empty_body_is_400_without_session_call(void)
{
	WF_REQUIRE(start(""));
	post("/cam1/whep", "application/sdp", NULL, "", &r);
	WF_CHECK_EQ(r.status, 400);
	WF_CHECK_EQ(fake.offers, 0);
}

static void whep_post_with_bad_session_results_is_500_or_safe(void)
{
	WF_REQUIRE(start(""));
	fake.id = "not-an-id";
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 500);
	WF_CHECK(!has_header(&r, "Location"));
	fake.id = NULL;
	fake.status = 200;	/* not a refusal: answered as 500 */
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 500);
	fake.status = 201;
	fake.etag = "\"x\"\r\nX-Injected: yes";
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
	WF_CHECK(!has_header(&r, "ETag"));
	WF_CHECK(!has_header(&r, "X-Injected"));
}

/* ---- admission per address ------------------------------------------------ */

#define ADDR2	0x7f000002u	/* 127.0.0.2 */
#define ADDR3	0x7f000003u

static void whep_post_passes_the_tcp_peer_to_the_session_layer(void)
{
	WF_REQUIRE(start(""));
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
	WF_CHECK_EQ(fake.client, INADDR_LOOPBACK);
	client_addr = ADDR2;
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
	WF_CHECK_EQ(fake.client, ADDR2);
}

static void whep_post_over_the_rate_is_429_with_retry_after_before_the_body(void)
{
	char req[512];
	unsigned i;

	WF_REQUIRE(start(ORIGIN));
	cfg->http.post_rate_per_ip = 2;
	cfg->http.post_burst_per_ip = 3;
	client_addr = ADDR2;
	for (i = 0; i < 3; i++) {
		post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
		WF_CHECK_EQ(r.status, 201);
	}
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 429);
	WF_CHECK(header_is(&r, "Retry-After", "1"));
	WF_CHECK(body_has(&r, "http.post_rate_per_ip"));
	WF_CHECK(header_is(&r, "Access-Control-Allow-Origin", ORIGIN));
	/* refused on the headers: a promised body is never waited for */
	snprintf(req, sizeof(req), "POST /cam1/whep HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		 "Content-Type: application/sdp\r\nContent-Length: %u\r\n\r\n", MAX_BODY);
	exchange(req, &r);
	WF_CHECK_EQ(r.status, 429);
	WF_CHECK_EQ(fake.offers, 3);
	/* another address has its own bucket; other methods are not limited */
	client_addr = ADDR3;
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
	client_addr = ADDR2;
	for (i = 0; i < 10; i++) {
		simple("GET", "/cam1/", NULL, &r);
		WF_CHECK_EQ(r.status, 200);
	}
	simple("DELETE", "/cam1/whep/" FAKE_ID, NULL, &r);
	WF_CHECK_EQ(r.status, 200);
	/* 2 per second: a token is back after 500 ms */
	usleep(600 * 1000);
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
}

/* Every POST costs a token, whatever its fate: guessing a stream's
 * token or its name is rate-limited too. */
static void whep_post_rate_counts_refused_posts_as_well(void)
{
	unsigned i;

	WF_REQUIRE(start(""));
	cfg->http.post_rate_per_ip = 1;
	cfg->http.post_burst_per_ip = 4;
	post("/secret/whep", "application/sdp", "Authorization: Bearer guess1\r\n", OFFER, &r);
	WF_CHECK_EQ(r.status, 401);
	post("/secret/whep", "application/sdp", "Authorization: Bearer guess2\r\n", OFFER, &r);
	WF_CHECK_EQ(r.status, 401);
	post("/nosuch/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 404);
	post("/cam1/whep", "text/plain", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 415);
	for (i = 0; i < 3; i++) {
		post("/secret/whep", "application/sdp", "Authorization: Bearer s3cret\r\n", OFFER, &r);
		WF_CHECK_EQ(r.status, 429);
	}
	WF_CHECK_EQ(fake.offers, 0);
}

static void whep_post_over_the_pending_cap_is_429_until_a_session_goes_live(void)
{
	char v[32];

	WF_REQUIRE(start(""));
	fake.count_pending = true;
	cfg->http.max_pending_per_ip = 2;
	cfg->webrtc.handshake_timeout_s = 7;
	client_addr = ADDR2;
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
	WF_CHECK_EQ(wf_adm_pending(&wf_admission, ADDR2), 2);
	/* refused on the headers: the session layer is not called */
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 429);
	WF_CHECK(header(&r, "Retry-After", v, sizeof(v)) && !strcmp(v, "7"));
	WF_CHECK(body_has(&r, "http.max_pending_per_ip"));
	WF_CHECK_EQ(fake.offers, 2);
	/* the others are not held back by 127.0.0.2's sessions */
	client_addr = ADDR3;
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
	/* one of 127.0.0.2's sessions goes live */
	WF_CHECK_EQ(wf_adm_session_live(&wf_admission, ADDR2), 0);
	client_addr = ADDR2;
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
	WF_CHECK_EQ(wf_adm_pending(&wf_admission, ADDR2), 2);
}

/* Two POSTs from one address pass the check on their headers together;
 * the session layer's count at creation refuses the one too many. */
static void pending_cap_holds_for_posts_whose_headers_came_together(void)
{
	static struct resp r2;
	char head[256];
	int fd1, fd2, i, n;

	WF_REQUIRE(start(""));
	fake.count_pending = true;
	cfg->http.max_pending_per_ip = 1;
	client_addr = ADDR2;
	n = snprintf(head, sizeof(head), "POST /cam1/whep HTTP/1.1\r\nHost: x\r\n"
		     "Connection: close\r\nContent-Type: application/sdp\r\n"
		     "Content-Length: %zu\r\n\r\n", strlen(OFFER));
	fd1 = conn_open();
	fd2 = conn_open();
	WF_REQUIRE(fd1 >= 0 && fd2 >= 0);
	WF_CHECK_EQ(send(fd1, head, (size_t)n, MSG_NOSIGNAL), n);
	WF_CHECK_EQ(send(fd2, head, (size_t)n, MSG_NOSIGNAL), n);
	for (i = 0; i < 50; i++) {	/* both headers are read and checked */
		wf_http_run();
		usleep(1000);
	}
	talk(fd1, OFFER, strlen(OFFER), &r, false);
	talk(fd2, OFFER, strlen(OFFER), &r2, false);
	WF_CHECK_EQ(r.status, 201);
	WF_CHECK_EQ(r2.status, 429);
	WF_CHECK(header_is(&r2, "Retry-After", "10"));
	WF_CHECK(body_has(&r2, "http.max_pending_per_ip"));
	WF_CHECK_EQ(fake.offers, 2);
	WF_CHECK_EQ(wf_adm_pending(&wf_admission, ADDR2), 1);
}

/* ---- X-Forwarded-For ----------------------------------------------------- */

#define NET_TEN	0x0a000000u	/* 10.0.0.0/8: the proxies' own network */

/* 127.0.0.2 and 10.0.0.0/8 are trusted proxies; requests come from
 * 127.0.0.2 unless a test says otherwise. */
static bool start_behind_proxies(void)
{
	if (!start(""))
		return false;
	cfg->http.n_trusted_proxies = 2;
	cfg->http.trusted_proxies[0] = (struct wf_conf_cidr){ ADDR2, 0xffffffffu, 32 };
	cfg->http.trusted_proxies[1] = (struct wf_conf_cidr){ NET_TEN, 0xff000000u, 8 };
	client_addr = ADDR2;
	return true;
}

/* POSTs with the X-Forwarded-For lines xff; the client the session layer
 * got (0 unless 201). */
static uint64_t client_for(const char *xff)
{
	char extra[4096];

	snprintf(extra, sizeof(extra), "%s", xff);
	post("/cam1/whep", "application/sdp", extra, OFFER, &r);
	return r.status == 201 ? fake.client : 0;
}

static void forwarded_for_is_believed_from_a_trusted_proxy_rightmost_untrusted_first(void)
{
	uint64_t bad = wf_adm_counters.n[WF_ADM_XFF_BAD];

	WF_REQUIRE(start_behind_proxies());
	WF_CHECK_EQ(client_for("X-Forwarded-For: 198.51.100.7\r\n"), 0xc6336407u);
	/* 10.1.2.3 is a proxy hop of ours: the client is left of it */
	WF_CHECK_EQ(client_for("X-Forwarded-For: 203.0.113.9, 198.51.100.7,10.1.2.3\r\n"),
		    0xc6336407u);
	/* several lines are one list, in order */
	WF_CHECK_EQ(client_for("X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-For: 10.1.2.3\r\n"),
		    0xcb007109u);
	/* what the client wrote left of its address is never read */
	WF_CHECK_EQ(client_for("X-Forwarded-For: garbage, <script>, ::1, 198.51.100.7\r\n"),
		    0xc6336407u);
	/* empty elements are skipped; all trusted: the leftmost */
	WF_CHECK_EQ(client_for("X-Forwarded-For: 10.0.0.5, ,10.0.0.6,\r\n"), 0x0a000005u);
	/* the proxy's own request, without the header */
	WF_CHECK_EQ(client_for(""), ADDR2);
	WF_CHECK_EQ(wf_adm_counters.n[WF_ADM_XFF_BAD], bad);
}

static void forwarded_for_is_ignored_from_others(void)
{
	WF_REQUIRE(start_behind_proxies());
	client_addr = ADDR3;
	WF_CHECK_EQ(client_for("X-Forwarded-For: 198.51.100.7\r\n"), ADDR3);
	client_addr = INADDR_LOOPBACK;
	WF_CHECK_EQ(client_for("X-Forwarded-For: 10.0.0.1\r\n"), INADDR_LOOPBACK);
	/* and from nobody when no proxy is trusted */
	cfg->http.n_trusted_proxies = 0;
	client_addr = ADDR2;
	WF_CHECK_EQ(client_for("X-Forwarded-For: 198.51.100.7\r\n"), ADDR2);
}

/* F8: a header from a trusted proxy that cannot be read is a 400 (and
 * counted), never the proxy's own address: that would put every client
 * behind it in one bucket. */
static void forwarded_for_malformed_from_a_trusted_proxy_is_400(void)
{
	static const char *const bad[] = {
		"X-Forwarded-For: 198.51.100.7, not-an-address\r\n",
		"X-Forwarded-For: 2001:db8::1::2\r\n",
		"X-Forwarded-For: 198.51.100.7:0\r\n",
		"X-Forwarded-For: 198.51.100.07\r\n",
		"X-Forwarded-For: 198.51.100.256\r\n",
		"X-Forwarded-For: 198.51.100.7 10.0.0.1\r\n",
		"X-Forwarded-For: \r\n",
		"X-Forwarded-For: , ,\r\n",
	};
	uint64_t before = wf_adm_counters.n[WF_ADM_XFF_BAD];
	char many[2048];
	size_t i, n = 0;

	WF_REQUIRE(start_behind_proxies());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake.offers = 0;
		client_for(bad[i]);
		WF_CHECKF(r.status == 400 && fake.offers == 0, "%s: %d", bad[i], r.status);
		WF_CHECK(body_has(&r, "X-Forwarded-For"));
	}
	/* 33 trusted hops: more than are read */
	n += (size_t)snprintf(many + n, sizeof(many) - n, "X-Forwarded-For: 198.51.100.7");
	for (i = 0; i < 33; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, ", 10.0.0.%zu", i + 1);
	snprintf(many + n, sizeof(many) - n, "\r\n");
	client_for(many);
	WF_CHECK_EQ(r.status, 400);
	/* 9 header lines: more than are read */
	for (i = n = 0; i < 9; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "X-Forwarded-For: 10.0.0.1\r\n");
	client_for(many);
	WF_CHECK_EQ(r.status, 400);
	WF_CHECK_EQ(wf_adm_counters.n[WF_ADM_XFF_BAD], before + sizeof(bad) / sizeof(bad[0]) + 2);
	/* the proxy's own bucket was never charged for them */
	WF_CHECK_EQ(wf_adm_sessions(&wf_admission, ADDR2), 0);
}

/* F8: IPv6 clients behind the proxy count by their /64: one host cannot
 * escape its limits by rotating through its /64, and IPv6 clients do not
 * all share the proxy's bucket. */
static void forwarded_ipv6_clients_count_by_their_64(void)
{
	const uint64_t net_a = 0x20010db800010002ull, net_b = 0x20010db800010003ull;

	WF_REQUIRE(start_behind_proxies());
	fake.count_pending = true;
	cfg->http.max_pending_per_ip = 2;
	cfg->http.ipv6_prefix_len = 64;
	WF_CHECK_EQ(client_for("X-Forwarded-For: 2001:db8:1:2::a\r\n"), net_a);
	WF_CHECK_EQ(client_for("X-Forwarded-For: [2001:db8:1:2:ffff::1]:4711, 10.9.9.9\r\n"),
		    net_a);
	WF_CHECK_EQ(wf_adm_pending(&wf_admission, net_a), 2);
	/* another address of the same /64: the same bucket, refused */
	client_for("X-Forwarded-For: 2001:db8:1:2:dead:beef:0:1\r\n");
	WF_CHECK_EQ(r.status, 429);
	WF_CHECK(body_has(&r, "http.max_pending_per_ip"));
	/* a prepended entry does not choose the bucket: the rightmost does */
	client_for("X-Forwarded-For: 2001:db8:1:3::1, 2001:db8:1:2::b\r\n");
	WF_CHECK_EQ(r.status, 429);
	/* the next /64, an IPv4 client, and the proxy itself are not held back */
	WF_CHECK_EQ(client_for("X-Forwarded-For: 2001:db8:1:3::1\r\n"), net_b);
	WF_CHECK_EQ(client_for("X-Forwarded-For: ::ffff:198.51.100.7\r\n"), 0xc6336407u);
	WF_CHECK_EQ(client_for("X-Forwarded-For: fe80::1%eth0\r\n"), 0xfe80000000000000ull);
	WF_CHECK_EQ(client_for(""), ADDR2);
	WF_CHECK_EQ(wf_adm_pending(&wf_admission, ADDR2), 1);
}

/* http.ipv6_prefix_len (default 48): one holder of a /48 cannot take 65,536
 * /64s' worth of every per-address limit; another /48 is not held back. */
static void forwarded_ipv6_clients_count_by_their_48_by_default(void)
{
	const uint64_t net_a = 0x20010db800010000ull, net_b = 0x20010db800020000ull;
	char line[128];
	unsigned i, refused = 0;

	WF_REQUIRE(start_behind_proxies());
	cfg->http.ipv6_prefix_len = WF_CONF_DEF_V6_PREFIX;	/* test_conf: the default */
	fake.count_pending = true;
	cfg->http.max_pending_per_ip = 2;
	WF_CHECK_EQ(client_for("X-Forwarded-For: 2001:db8:1:2::a\r\n"), net_a);
	WF_CHECK_EQ(client_for("X-Forwarded-For: 2001:db8:1:ff00::1\r\n"), net_a);
	WF_CHECK_EQ(wf_adm_pending(&wf_admission, net_a), 2);
	/* every other /64 of the /48 is the same client */
	for (i = 0; i < 64; i++) {
		snprintf(line, sizeof(line), "X-Forwarded-For: 2001:db8:1:%x::1\r\n", 0x100 + i);
		client_for(line);
		refused += r.status == 429;
	}
	WF_CHECK_EQ(refused, 64);
	WF_CHECK_EQ(client_for("X-Forwarded-For: 2001:db8:2:2::1\r\n"), net_b);
	/* the cut keeps IPv4 clients and the ::/32 tag apart */
	WF_CHECK_EQ(wf_xff_key_prefix(0xc6336407u, 48), 0xc6336407u);
	WF_CHECK(!wf_xff_key_is_v4(wf_xff_key_prefix(wf_xff_key_v6((const uint8_t[16]){ 0, 0, 0, 0, 0, 1 }), 32)));
}

/* F2 through the server: the sessions cap refuses on the headers, with
 * its own reason and Retry-After (webrtc.consent_timeout_s). */
static void whep_post_over_the_sessions_cap_is_429_until_a_session_is_freed(void)
{
	uint64_t before = wf_adm_counters.n[WF_ADM_SESSIONS];
	char v[32];
	int i;

	WF_REQUIRE(start(""));
	fake.count_pending = true;
	cfg->http.max_sessions_per_ip = 3;
	cfg->webrtc.consent_timeout_s = 12;
	client_addr = ADDR2;
	for (i = 0; i < 3; i++) {
		post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
		WF_CHECK_EQ(r.status, 201);
		WF_CHECK_EQ(wf_adm_session_live(&wf_admission, ADDR2), 0);	/* went live */
	}
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 429);
	WF_CHECK(header(&r, "Retry-After", v, sizeof(v)) && !strcmp(v, "12"));
	WF_CHECK(body_has(&r, "http.max_sessions_per_ip"));
	WF_CHECK_EQ(fake.offers, 3);
	WF_CHECK_EQ(wf_adm_counters.n[WF_ADM_SESSIONS], before + 1);
	WF_CHECK_EQ(wf_admission.pinned, 1);
	client_addr = ADDR3;
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
	WF_CHECK_EQ(wf_admission.pinned, 2);
	/* one of 127.0.0.2's sessions is freed */
	WF_CHECK_EQ(wf_adm_session_del(&wf_admission, ADDR2, false), 0);
	client_addr = ADDR2;
	post("/cam1/whep", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 201);
	cfg->webrtc.consent_timeout_s = WF_CONF_DEF_CONSENT_S;
}

static void forwarded_client_has_its_own_rate_limit_behind_the_proxy(void)
{
	WF_REQUIRE(start_behind_proxies());
	cfg->http.post_rate_per_ip = 1;
	cfg->http.post_burst_per_ip = 2;
	WF_CHECK_EQ(client_for("X-Forwarded-For: 198.51.100.7\r\n"), 0xc6336407u);
	WF_CHECK_EQ(client_for("X-Forwarded-For: 198.51.100.7\r\n"), 0xc6336407u);
	client_for("X-Forwarded-For: 198.51.100.7\r\n");
	WF_CHECK_EQ(r.status, 429);
	/* another client behind the same proxy, and the proxy itself */
	WF_CHECK_EQ(client_for("X-Forwarded-For: 198.51.100.8\r\n"), 0xc6336408u);
	WF_CHECK_EQ(client_for(""), ADDR2);
}

/* ---- connection slots and the request deadline ----------------------------- */

/* Pumps the server for up to secs: true as soon as the server has closed
 * fd (EOF or reset), false when it is still open then.  Data the server
 * sends is read and thrown away. */
static bool closed_within(int fd, double secs)
{
	double end = now_s() + secs;
	char buf[4096];

	do {
		ssize_t n;

		wf_http_run();
		n = recv(fd, buf, sizeof(buf), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			return true;
		if (n < 0)
			usleep(500);
	} while (now_s() < end);
	return false;
}

/* Pumps until the server holds want connections (or 2 s pass). */
static unsigned settle(unsigned want)
{
	double end = now_s() + 2.0;

	while (wf_http_connections() != want && now_s() < end) {
		wf_http_run();
		usleep(500);
	}
	return wf_http_connections();
}

/* One byte of text every 100 ms on fd until the server closes it or
 * limit_s pass; returns the seconds it stayed open. */
static double trickle(int fd, const char *text, double limit_s)
{
	double t0 = now_s();
	size_t i = 0;

	while (now_s() - t0 < limit_s) {
		if (text[i] && send(fd, text + i, 1, MSG_NOSIGNAL) == 1)
			i++;
		if (closed_within(fd, 0.1))
			break;
	}
	return now_s() - t0;
}

static void request_deadline_closes_a_trickling_connection(void)
{
	static const char head[] = "GET /cam1/ HTTP/1.1\r\nHost: x\r\nX-Slow: 0123456789"
				   "0123456789012345678901234567890123456789\r\n\r\n";
	static const char post_head[] = "POST /cam1/whep HTTP/1.1\r\nHost: x\r\n"
					"Content-Type: application/sdp\r\nContent-Length: 100\r\n\r\n";
	uint64_t before = wf_adm_counters.n[WF_ADM_DEADLINE];
	double open_s;
	int fd;

	WF_REQUIRE(start(""));
	cfg->http.request_timeout_s = 1;
	/* headers one byte at a time: libmicrohttpd's idle timeout (10 s)
	 * never fires, the whole-request deadline does */
	fd = conn_open();
	WF_REQUIRE(fd >= 0);
	open_s = trickle(fd, head, 5.0);
	close(fd);
	WF_CHECKF(open_s > 0.95 && open_s < 3.0, "headers: closed after %.2f s", open_s);
	/* a body one byte at a time: the same, and no offer reaches the
	 * session layer */
	fd = conn_open();
	WF_REQUIRE(fd >= 0);
	WF_CHECK_EQ(send(fd, post_head, sizeof(post_head) - 1, MSG_NOSIGNAL),
		    (ssize_t)sizeof(post_head) - 1);
	open_s = trickle(fd, OFFER OFFER OFFER, 5.0);
	close(fd);
	WF_CHECKF(open_s > 0.95 && open_s < 3.0, "body: closed after %.2f s", open_s);
	WF_CHECK_EQ(fake.offers, 0);
	/* keep-alive: the idle time after an answer counts for the next request */
	fd = conn_open();
	WF_REQUIRE(fd >= 0);
	WF_CHECK_EQ(send(fd, head, sizeof(head) - 1, MSG_NOSIGNAL), (ssize_t)sizeof(head) - 1);
	open_s = trickle(fd, "", 5.0);
	close(fd);
	WF_CHECKF(open_s > 0.95 && open_s < 3.0, "keep-alive: closed after %.2f s", open_s);
	WF_CHECK_EQ(wf_adm_counters.n[WF_ADM_DEADLINE], before + 3);
	/* libmicrohttpd closed them itself (shutdown() in external epoll mode) */
	WF_CHECK_EQ(settle(0), 0);
	WF_CHECK_EQ(wf_http_conn_open_count(), 0);
	WF_CHECK(still_serving());
}

/* Raises the descriptor limit to what this test needs (client and server
 * ends of WF_HTTP_CONN_MAX connections in one process). */
static bool enough_descriptors(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return false;
	if (rl.rlim_cur < 4 * WF_HTTP_CONN_MAX && rl.rlim_max >= 4 * WF_HTTP_CONN_MAX) {
		rl.rlim_cur = 4 * WF_HTTP_CONN_MAX;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur >= 4 * WF_HTTP_CONN_MAX;
}

#define SLOW_CONNS	(WF_HTTP_CONN_MAX - 12)	/* past the reserve */
#define SLOW_ADDRS	10			/* under the per-address limit */

/* More unfinished requests than the reserve allows, from several
 * addresses: the oldest are closed, the limit is never reached, and a new
 * client is answered at once. */
static void connection_slots_running_short_close_the_oldest_unfinished_request(void)
{
	static int fds[SLOW_CONNS];
	uint64_t before = wf_adm_counters.n[WF_ADM_EVICTED];
	unsigned i, n_closed = 0, first_open = SLOW_CONNS;
	double t0;

	WF_REQUIRE(enough_descriptors());
	WF_REQUIRE(start(""));
	for (i = 0; i < SLOW_CONNS; i++) {
		client_addr = 0x7f000100u + i % SLOW_ADDRS;	/* 127.0.1.0-9 */
		fds[i] = conn_open();
		WF_REQUIRE(fds[i] >= 0);
		send(fds[i], "GET /cam1/ HTTP/1.1\r\nX-Slow: ", 29, MSG_NOSIGNAL);
		wf_http_run();
	}
	settle(WF_HTTP_CONN_MAX - WF_HTTP_CONN_RESERVE);
	WF_CHECK(wf_http_connections() <= WF_HTTP_CONN_MAX - WF_HTTP_CONN_RESERVE);
	WF_CHECK_EQ(wf_http_conn_open_count(), WF_HTTP_CONN_MAX - WF_HTTP_CONN_RESERVE);
	WF_CHECK_EQ(wf_adm_counters.n[WF_ADM_EVICTED],
		    before + SLOW_CONNS - (WF_HTTP_CONN_MAX - WF_HTTP_CONN_RESERVE));
	/* the closed ones are the oldest */
	for (i = 0; i < SLOW_CONNS; i++) {
		if (!closed_within(fds[i], 0))
			first_open = first_open < i ? first_open : i;
		else
			n_closed++;
	}
	WF_CHECK_EQ(n_closed, SLOW_CONNS - (WF_HTTP_CONN_MAX - WF_HTTP_CONN_RESERVE));
	WF_CHECK_EQ(first_open, n_closed);
	client_addr = INADDR_LOOPBACK;
	t0 = now_s();
	simple("GET", "/cam1/", NULL, &r);
	WF_CHECK_EQ(r.status, 200);
	WF_CHECKF(now_s() - t0 < 1.0, "a new client waited %.2f s", now_s() - t0);
	for (i = 0; i < SLOW_CONNS; i++)
		close(fds[i]);
	WF_CHECK_EQ(settle(0), 0);
	WF_CHECK_EQ(wf_http_conn_open_count(), 0);
}

static void connections_per_address_are_limited_except_for_trusted_proxies(void)
{
	static int fds[WF_HTTP_CONN_PER_IP + 8];
	uint64_t before = wf_adm_counters.n[WF_ADM_PER_IP];
	unsigned i;
	int extra;

	WF_REQUIRE(enough_descriptors());
	WF_REQUIRE(start_behind_proxies());
	client_addr = ADDR3;
	for (i = 0; i < WF_HTTP_CONN_PER_IP; i++) {
		fds[i] = conn_open();
		WF_REQUIRE(fds[i] >= 0);
	}
	WF_CHECK_EQ(settle(WF_HTTP_CONN_PER_IP), WF_HTTP_CONN_PER_IP);
	extra = conn_open();
	WF_REQUIRE(extra >= 0);
	WF_CHECK(closed_within(extra, 2.0));
	close(extra);
	WF_CHECK_EQ(wf_adm_counters.n[WF_ADM_PER_IP], before + 1);
	/* another address is not held back */
	client_addr = INADDR_LOOPBACK;
	WF_CHECK(still_serving());
	for (i = 0; i < WF_HTTP_CONN_PER_IP; i++)
		close(fds[i]);
	WF_CHECK_EQ(settle(0), 0);
	/* a trusted proxy carries many clients' connections */
	client_addr = ADDR2;
	for (i = 0; i < WF_HTTP_CONN_PER_IP + 8; i++) {
		fds[i] = conn_open();
		WF_REQUIRE(fds[i] >= 0);
	}
	WF_CHECK_EQ(settle(WF_HTTP_CONN_PER_IP + 8), WF_HTTP_CONN_PER_IP + 8);
	for (i = 0; i < WF_HTTP_CONN_PER_IP + 8; i++)
		WF_CHECK(!closed_within(fds[i], 0));
	for (i = 0; i < WF_HTTP_CONN_PER_IP + 8; i++)
		close(fds[i]);
	WF_CHECK_EQ(settle(0), 0);
	WF_CHECK_EQ(wf_adm_counters.n[WF_ADM_PER_IP], before + 1);
}

/* ---- bodies -------------------------------------------------------------- */

static void whep_post_body_of_max_body_is_accepted(void)
{
	char *body = malloc(MAX_BODY + 1);

	WF_REQUIRE(body);
	memset(body, 'a', MAX_BODY);
	body[MAX_BODY] = '\0';
	if (!start("")) {
		free(body);
		WF_REQUIRE(0);
	}
	post("/cam1/whep", "application/sdp", NULL, body, &r);
	WF_CHECK_EQ(r.status, 201);
	WF_CHECK_EQ(fake.len, MAX_BODY);
	free(body);
}

static void whep_post_content_length_over_max_body_is_413_before_the_body(void)
{
	char req[512];

	WF_REQUIRE(start(ORIGIN));
	snprintf(req, sizeof(req), "POST /cam1/whep HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		 "Content-Type: application/sdp\r\nContent-Length: %u\r\n\r\n", MAX_BODY + 1);
	exchange(req, &r);	/* no body sent: the answer must come anyway */
	WF_CHECK_EQ(r.status, 413);
	WF_CHECK(header_is(&r, "Access-Control-Allow-Origin", ORIGIN));
	snprintf(req, sizeof(req), "POST /cam1/whep HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		 "Content-Type: application/sdp\r\nContent-Length: 99999999999999999999999\r\n\r\n");
	exchange(req, &r);
	WF_CHECK(r.status == 413 || r.status == 400);
	WF_CHECK_EQ(fake.offers, 0);
	WF_CHECK(still_serving());
}

/* A chunked body of total bytes in chunks of chunk bytes. */
static char *chunked_request(size_t total, size_t chunk, size_t *len)
{
	size_t cap = total + total / chunk * 16 + 512, n, left;
	char *req = malloc(cap);

	if (!req)
		return NULL;
	n = (size_t)snprintf(req, cap, "POST /cam1/whep HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
			     "Content-Type: application/sdp\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (left = total; left; ) {
		size_t c = left < chunk ? left : chunk;

		n += (size_t)snprintf(req + n, cap - n, "%zx\r\n", c);
		memset(req + n, 'b', c);
		n += c;
		memcpy(req + n, "\r\n", 2);
		n += 2;
		left -= c;
	}
	n += (size_t)snprintf(req + n, cap - n, "0\r\n\r\n");
	*len = n;
	return req;
}

static void whep_post_chunked_body_is_limited_to_max_body(void)
{
	size_t len;
	char *req;

	WF_REQUIRE(start(""));
	req = chunked_request(MAX_BODY, 1000, &len);
	WF_REQUIRE(req);
	exchange_ex(req, len, &r, false);
	free(req);
	WF_CHECK_EQ(r.status, 201);
	WF_CHECK_EQ(fake.len, MAX_BODY);
	WF_CHECK_EQ(fake.offers, 1);

	req = chunked_request(MAX_BODY + 1, 1000, &len);
	WF_REQUIRE(req);
	exchange_ex(req, len, &r, false);
	free(req);
	WF_CHECK_EQ(r.status, 413);
	WF_CHECK_EQ(fake.offers, 1);

	/* far over: the server stops reading and closes */
	req = chunked_request(4 * 1024 * 1024, 65536, &len);
	WF_REQUIRE(req);
	exchange_ex(req, len, &r, false);
	free(req);
	WF_CHECK(r.status == 0 || r.status == 413);
	WF_CHECK_EQ(fake.offers, 1);
	WF_CHECK(still_serving());
}

/* Every truncation of a good request: the session layer never sees a
 * partial offer, and the server keeps serving. */
static void whep_post_truncated_at_every_length_never_reaches_the_session_layer(void)
{
	char req[1024];
	size_t n, cut;

	WF_REQUIRE(start(""));
	n = (size_t)snprintf(req, sizeof(req), "POST /cam1/whep HTTP/1.1\r\nHost: x\r\n"
			     "Connection: close\r\nContent-Type: application/sdp\r\n"
			     "Content-Length: %zu\r\n\r\n%s", strlen(OFFER), OFFER);
	for (cut = 0; cut < n; cut++) {
		exchange_ex(req, cut, &r, true);
		WF_CHECKF(r.status == 0 || (r.status >= 400 && r.status < 500),
			  "cut at %zu: status %d", cut, r.status);
	}
	WF_CHECK_EQ(fake.offers, 0);
	exchange_ex(req, n, &r, true);
	WF_CHECK_EQ(r.status, 201);
	WF_CHECK_EQ(fake.offers, 1);
	WF_CHECK_EQ(fake.len, strlen(OFFER));
}

/* ---- DELETE, PATCH, OPTIONS ---------------------------------------------- */

static void whep_delete_ends_a_session_and_404s_an_unknown_one(void)
{
	WF_REQUIRE(start(ORIGIN));
	simple("DELETE", "/cam1/whep/" FAKE_ID, NULL, &r);
	WF_CHECK_EQ(r.status, 200);
	WF_CHECK(header_is(&r, "Access-Control-Allow-Origin", ORIGIN));
	simple("DELETE", "/cam1/whep/" OTHER_ID, NULL, &r);
	WF_CHECK_EQ(r.status, 404);
	WF_CHECK(body_has(&r, OTHER_ID));
	WF_CHECK_EQ(fake.dels, 2);
	/* the token guards DELETE too */
	simple("DELETE", "/secret/whep/" FAKE_ID, NULL, &r);
	WF_CHECK_EQ(r.status, 401);
	WF_CHECK_EQ(fake.dels, 2);
	simple("DELETE", "/secret/whep/" FAKE_ID, "Authorization: Bearer s3cret\r\n", &r);
	WF_CHECK_EQ(r.status, 200);
	WF_CHECK(!strcmp(fake.stream, "secret"));
}

static void whep_patch_is_204_and_refuses_other_content_types(void)
{
	static const char frag[] = "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
				   "a=candidate:1 1 udp 1 127.0.0.1 5000 typ host\r\n";
	char req[1024];

	WF_REQUIRE(start(""));
	snprintf(req, sizeof(req), "PATCH /cam1/whep/%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		 "Content-Type: application/trickle-ice-sdpfrag\r\nIf-Match: *\r\n"
		 "Content-Length: %zu\r\n\r\n%s", FAKE_ID, strlen(frag), frag);
	exchange(req, &r);
	WF_CHECK_EQ(r.status, 204);
	WF_CHECK_EQ(fake.patches, 1);
	WF_CHECK_EQ(fake.len, strlen(frag));
	WF_CHECK_MEM(fake.body, frag, strlen(frag));

	snprintf(req, sizeof(req), "PATCH /cam1/whep/%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		 "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
		 FAKE_ID, strlen(frag), frag);
	exchange(req, &r);
	WF_CHECK_EQ(r.status, 415);
	WF_CHECK(body_has(&r, "application/trickle-ice-sdpfrag"));
	WF_CHECK_EQ(fake.patches, 1);

	fake.patch_status = 400;
	fake.patch_reason = "bad fragment\r\nX-Injected: 1";
	snprintf(req, sizeof(req), "PATCH /cam1/whep/%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		 "Content-Type: application/trickle-ice-sdpfrag\r\nContent-Length: 3\r\n\r\nxyz",
		 FAKE_ID);
	exchange(req, &r);
	WF_CHECK_EQ(r.status, 400);
	WF_CHECK(body_has(&r, "bad fragment"));
	WF_CHECK(!has_header(&r, "X-Injected"));

	snprintf(req, sizeof(req), "PATCH /cam1/whep/%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		 "Content-Type: application/trickle-ice-sdpfrag\r\nContent-Length: 3\r\n\r\nxyz",
		 OTHER_ID);
	exchange(req, &r);
	WF_CHECK_EQ(r.status, 404);
}

static void whep_options_answers_the_cors_preflight(void)
{
	char v[256];

	WF_REQUIRE(start(ORIGIN));
	simple("OPTIONS", "/cam1/whep",
	       "Origin: " ORIGIN "\r\nAccess-Control-Request-Method: POST\r\n"
	       "Access-Control-Request-Headers: authorization, content-type\r\n", &r);
	WF_CHECK_EQ(r.status, 204);
	WF_CHECK(header_is(&r, "Accept-Post", "application/sdp"));
	WF_CHECK(header(&r, "Allow", v, sizeof(v)) && strstr(v, "POST") && strstr(v, "OPTIONS"));
	WF_CHECK(header_is(&r, "Access-Control-Allow-Origin", ORIGIN));
	WF_CHECK(header_is(&r, "Access-Control-Allow-Methods", "OPTIONS, POST, PATCH, DELETE"));
	WF_CHECK(header_is(&r, "Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match"));
	WF_CHECK(header_is(&r, "Access-Control-Expose-Headers", "Location, ETag, Link"));
	WF_CHECK(has_header(&r, "Access-Control-Max-Age"));
	/* preflight needs no token, even on a stream that has one */
	simple("OPTIONS", "/secret/whep", NULL, &r);
	WF_CHECK_EQ(r.status, 204);
	simple("OPTIONS", "/cam1/whep/" FAKE_ID, NULL, &r);
	WF_CHECK_EQ(r.status, 204);
	WF_CHECK(header_is(&r, "Accept-Patch", "application/trickle-ice-sdpfrag"));
	WF_CHECK(header(&r, "Allow", v, sizeof(v)) && strstr(v, "PATCH") && strstr(v, "DELETE") &&
		 !strstr(v, "POST"));
	WF_CHECK_EQ(fake.offers + fake.dels + fake.patches, 0);
}

/* ---- pages --------------------------------------------------------------- */

static void player_page_is_served_with_security_headers(void)
{
	WF_REQUIRE(start(""));
	simple("GET", "/cam1/", NULL, &r);
	WF_CHECK_EQ(r.status, 200);
	WF_CHECK(header_is(&r, "Content-Type", "text/html; charset=utf-8"));
	WF_CHECK(header_is(&r, "Content-Security-Policy", "default-src 'self' 'unsafe-inline'"));
	WF_CHECK(header_is(&r, "X-Content-Type-Options", "nosniff"));
	WF_CHECK(body_has(&r, "<title>cam1 - whepfan</title>"));
	WF_CHECK(body_has(&r, "<video"));
	WF_CHECK(body_has(&r, "RTCPeerConnection"));
	WF_CHECK(body_has(&r, "\"whep\""));
	WF_CHECK(body_has(&r, "window.wf"));
	WF_CHECK(!body_has(&r, "{{stream}}"));
	WF_CHECK(!body_has(&r, "http://") && !body_has(&r, "https://"));	/* no external assets */
	simple("HEAD", "/cam1/", NULL, &r);
	WF_CHECK_EQ(r.status, 200);
	WF_CHECK_EQ(r.body_len, 0);
}

static void metrics_are_served_as_prometheus_text(void)
{
	WF_REQUIRE(start(""));
	wf_slow_counters.loop_max_us = 1234567;
	wf_slow_counters.loop_lags = 3;
	simple("GET", "/metrics", NULL, &r);
	wf_slow_counters.loop_max_us = wf_slow_counters.loop_lags = 0;
	WF_CHECK_EQ(r.status, 200);
	WF_CHECK(header_is(&r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8"));
	WF_CHECK(body_has(&r, "# TYPE whepfan_slow_path_loop_max_seconds gauge\n"
			  "whepfan_slow_path_loop_max_seconds 1.234567\n"));
	WF_CHECK(body_has(&r, "# TYPE whepfan_slow_path_loop_lags_total counter\n"
			  "whepfan_slow_path_loop_lags_total 3\n"));
	{
		/* every counter of the one lists (counters.h, frame.h) */
		char line[160];
		unsigned k;

		for (k = 0; k < wf_counter_count; k++) {
			snprintf(line, sizeof(line), "# TYPE whepfan_%s_total counter\n",
				 wf_counter_list[k].name);
			WF_CHECK(body_has(&r, line));
		}
		for (k = 0; k < wf_reason_set_count; k++) {
			snprintf(line, sizeof(line), "# TYPE whepfan_%s_total counter\n",
				 wf_reason_sets[k].key);
			WF_CHECK(body_has(&r, line));
		}
		for (k = 0; k < wf_slow_counter_count; k++) {
			snprintf(line, sizeof(line), "# TYPE whepfan_slow_path_%s_total counter\n",
				 wf_slow_counter_list[k].name);
			WF_CHECK(body_has(&r, line));
		}
		WF_CHECK(wf_counter_count >= 28 && wf_reason_set_count == 6);
	}
	WF_CHECK(body_has(&r, "# TYPE whepfan_viewers gauge\nwhepfan_viewers 0\n"));
	WF_CHECK(body_has(&r, "# TYPE whepfan_drops_total counter\n"));
	WF_CHECK(body_has(&r, "whepfan_slow_path_drops_total{reason=\"arp_bad\"} 0\n"));
	WF_CHECK(body_has(&r, "# TYPE whepfan_admission_total counter\n"));
	{
		char line[128];

		snprintf(line, sizeof(line), "whepfan_admission_total{reason=\"post_rate\"} %lu\n",
			 wf_adm_counters.n[WF_ADM_RATE]);
		WF_CHECK(body_has(&r, line));
		snprintf(line, sizeof(line), "whepfan_admission_total{reason=\"request_deadline\"} "
			 "%lu\n", wf_adm_counters.n[WF_ADM_DEADLINE]);
		WF_CHECK(body_has(&r, line));
	}
	WF_CHECK(body_has(&r, "whepfan_http_connections 1\n"));	/* this one */
	WF_CHECK(body_has(&r, "# TYPE whepfan_admission_addresses gauge\n"));
	{
		char line[128];

		snprintf(line, sizeof(line), "# TYPE whepfan_admission_addresses_with_sessions "
			 "gauge\nwhepfan_admission_addresses_with_sessions %u\n", wf_admission.pinned);
		WF_CHECK(body_has(&r, line));
		snprintf(line, sizeof(line), "whepfan_admission_total{reason=\"sessions\"} %lu\n",
			 wf_adm_counters.n[WF_ADM_SESSIONS]);
		WF_CHECK(body_has(&r, line));
	}
	simple("POST", "/metrics", NULL, &r);
	WF_CHECK(r.status == 405 || r.status == 404);
}

static void player_page_escapes_the_stream_name(void)
{
	size_t len = 0;
	char *page = wf_player_page("<img src=x onerror=alert(1)>&\"'", &len);

	WF_REQUIRE(page);
	WF_CHECK_EQ(len, strlen(page));
	WF_CHECK(strstr(page, "&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;") != NULL);
	WF_CHECK(strstr(page, "<img") == NULL);
	free(page);
}

/* The publisher page escapes the name as the player does, publishes to
 * "whip" beside it, and never reads the token from its URL (a token in a
 * URL ends up in histories, proxies' logs and Referer headers). */
static void publish_page_escapes_the_name_and_takes_no_token_from_its_url(void)
{
	size_t len = 0;
	char *page = wf_publish_page("<img src=x onerror=alert(1)>&\"'", &len);

	WF_REQUIRE(page);
	WF_CHECK_EQ(len, strlen(page));
	WF_CHECK(strstr(page, "&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;") != NULL);
	WF_CHECK(strstr(page, "<img") == NULL);
	WF_CHECK(strstr(page, "fetch(\"whip\"") != NULL);
	WF_CHECK(strstr(page, "type=\"password\"") != NULL);
	WF_CHECK(strstr(page, "location.search") == NULL);
	free(page);
}

static void player_page_of_unknown_stream_is_404(void)
{
	WF_REQUIRE(start(""));
	simple("GET", "/nosuch/", NULL, &r);
	WF_CHECK_EQ(r.status, 404);
	simple("GET", "/nosuch", NULL, &r);
	WF_CHECK_EQ(r.status, 404);
}

static void stream_without_slash_redirects_to_its_player(void)
{
	WF_REQUIRE(start(""));
	simple("GET", "/cam1", NULL, &r);
	WF_CHECK_EQ(r.status, 301);
	WF_CHECK(header_is(&r, "Location", "/cam1/"));
}

static void index_lists_the_configured_streams(void)
{
	WF_REQUIRE(start(""));
	simple("GET", "/", NULL, &r);
	WF_CHECK_EQ(r.status, 200);
	WF_CHECK(header_is(&r, "Content-Type", "text/html; charset=utf-8"));
	WF_CHECK(body_has(&r, "<a href=\"/cam1/\">cam1</a>"));
	WF_CHECK(body_has(&r, "<a href=\"/secret/\">secret</a>"));
	WF_CHECK(body_has(&r, "<a href=\"/cam_2-b/\">cam_2-b</a></li>"));
	/* a WHIP stream links its publisher page too */
	WF_CHECK(body_has(&r, "<a href=\"/live/\">live</a> (<a href=\"/live/publish\">publish</a>)"));
	simple("GET", "/live/publish", NULL, &r);
	WF_CHECK_EQ(r.status, 200);
	WF_CHECK(body_has(&r, "<title>Publish live - whepfan</title>"));
	simple("GET", "/cam1/publish", NULL, &r);
	WF_CHECK_EQ(r.status, 404);
}

/* ---- routing ------------------------------------------------------------- */

static void wrong_method_is_405_with_allow(void)
{
	char v[256];

	WF_REQUIRE(start(""));
	simple("GET", "/cam1/whep", NULL, &r);
	WF_CHECK_EQ(r.status, 405);
	WF_CHECK(header(&r, "Allow", v, sizeof(v)) && !strcmp(v, "POST, OPTIONS"));
	simple("PUT", "/cam1/whep/" FAKE_ID, NULL, &r);
	WF_CHECK_EQ(r.status, 405);
	WF_CHECK(header(&r, "Allow", v, sizeof(v)) && !strcmp(v, "PATCH, DELETE, OPTIONS"));
	simple("DELETE", "/cam1/", NULL, &r);
	WF_CHECK_EQ(r.status, 405);
	WF_CHECK(header(&r, "Allow", v, sizeof(v)) && !strcmp(v, "GET, HEAD"));
	post("/", "application/sdp", NULL, OFFER, &r);
	WF_CHECK_EQ(r.status, 405);
	WF_CHECK_EQ(fake.offers + fake.dels, 0);
}

static void unknown_paths_and_bad_names_or_ids_are_404(void)
{
	static const char *const urls[] = {
		"/cam1/whep/",
		"/cam1/whep/0123456789ABCDEF0123456789ABCDEF",	/* uppercase */
		"/cam1/whep/0123456789abcdef0123456789abcde",	/* 31 digits */
		"/cam1/whep/0123456789abcdef0123456789abcdef0",	/* 33 */
		"/cam1/whep/0123456789abcdef0123456789abcdeg",
		"/cam1/whep/" FAKE_ID "/x",
		"/cam1/whipp",			/* /cam1/whip is WHIP's */
		"/cam1/whip/",
		"/cam1/whip/0123456789abcdef0123456789abcde",
		"/cam1//whep",
		"//cam1/whep",
		"/cam1/player.html",
		"/cam%31/whep",			/* no %-decoding */
		"/c.m/whep",
		"/a234567890123456789012345678901234567890123456789012345678901234/whep",
	};
	size_t i;

	WF_REQUIRE(start(""));
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		simple("DELETE", urls[i], NULL, &r);
		WF_CHECKF(r.status == 404, "DELETE %s: %d", urls[i], r.status);
		simple("GET", urls[i], NULL, &r);
		WF_CHECKF(r.status == 404, "GET %s: %d", urls[i], r.status);
		WF_CHECKF(r.body_len > 1, "GET %s: no reason", urls[i]);
	}
	WF_CHECK_EQ(fake.offers + fake.dels + fake.patches, 0);
}

/* ---- hostile requests ---------------------------------------------------- */

/* Hostile requests.  want: the status expected; CLOSED_OR_4XX where
 * libmicrohttpd's own parser gives up on the request line and closes the
 * connection without an answer (our code never sees those). */
#define CLOSED_OR_4XX	-1

static void hostile_requests_get_4xx_and_the_server_keeps_serving(void)
{
	static const struct { const char *req; size_t len; int want; } reqs[] = {
#define R_(s, want) { s, sizeof(s) - 1, want }
#define H_ " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
#define POST_ "POST /cam1/whep" H_ "Content-Type: application/sdp\r\n"
		R_("GARBAGE\r\n\r\n", CLOSED_OR_4XX),
		R_("\x01\x02\x03 /" H_ "\r\n", 405),
		R_("GET / HTTP/9.9\r\nHost: x\r\n\r\n", 505),
		R_("GET /cam1/../secret/" H_ "\r\n", 404),
		R_("GET /../../etc/passwd" H_ "\r\n", 404),
		R_("GET /%2e%2e/secret/" H_ "\r\n", 404),
		R_("GET /cam1/..%2f..%2fsecret/" H_ "\r\n", 404),
		/* libmicrohttpd ends the URL at a raw NUL: what is left is
		 * an ordinary URL, served as such (here the redirect) */
		R_("GET /cam1\0/../../x/" H_ "\r\n", 301),
		R_("POST /cam1/whep/\0/x" H_ "\r\n", 404),
		R_("GET /cam1%00/" H_ "\r\n", 404),
		R_("GET /cam1%0d%0aX-Injected:%20yes/" H_ "\r\n", 404),
		R_("GET /cam1\rX-Injected: yes/" H_ "\r\n", CLOSED_OR_4XX),
		R_("GET /cam1\nX-Injected: yes/" H_ "\r\n", CLOSED_OR_4XX),
		R_("POST /cam1\r\nX-Injected: yes/whep" H_ "\r\n", CLOSED_OR_4XX),
		R_(POST_ "Content-Length: -5\r\n\r\n", CLOSED_OR_4XX),
		R_(POST_ "Content-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef", 400),
		R_(POST_ "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
		   "3\r\nabc\r\n0\r\n\r\n", 400),
		R_(POST_ "Transfer-Encoding: gzip\r\n\r\nabc", 501),
		R_(POST_ "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", CLOSED_OR_4XX),
#undef POST_
#undef H_
#undef R_
	};
	static char big[150 * 1024];
	size_t i, n;

	WF_REQUIRE(start(""));
	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		exchange_ex(reqs[i].req, reqs[i].len, &r, false);
		if (reqs[i].want == CLOSED_OR_4XX)
			WF_CHECKF(r.status == 0 || (r.status >= 400 && r.status < 500),
				  "request %zu: status %d", i, r.status);
		else
			WF_CHECKF(r.status == reqs[i].want, "request %zu: status %d, want %d",
				  i, r.status, reqs[i].want);
		WF_CHECKF(!has_header(&r, "X-Injected"), "request %zu: injected header", i);
		WF_CHECKF(still_serving(), "request %zu: server stopped serving", i);
	}
	/* a 100 KB header line */
	n = (size_t)snprintf(big, sizeof(big), "GET /cam1/ HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(big + n, 'a', 100 * 1024);
	n += 100 * 1024;
	n += (size_t)snprintf(big + n, sizeof(big) - n, "\r\nConnection: close\r\n\r\n");
	exchange_ex(big, n, &r, false);
	WF_CHECKF(r.status >= 400 && r.status < 500, "100 KB header: status %d", r.status);
	WF_CHECK(still_serving());
	/* a 100 KB URL */
	n = (size_t)snprintf(big, sizeof(big), "GET /");
	memset(big + n, 'a', 100 * 1024);
	n += 100 * 1024;
	n += (size_t)snprintf(big + n, sizeof(big) - n, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	exchange_ex(big, n, &r, false);
	WF_CHECKF(r.status >= 400 && r.status < 500, "100 KB URL: status %d", r.status);
	WF_CHECK(still_serving());
	WF_CHECK_EQ(fake.offers + fake.dels + fake.patches, 0);
}

static void keep_alive_serves_several_requests_on_one_connection(void)
{
	static const char two[] =
		"GET /cam1 HTTP/1.1\r\nHost: x\r\n\r\n"
		"POST /cam1/whep HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\n"
		"Content-Length: 3\r\n\r\nv=0"
		"DELETE /cam1/whep/" FAKE_ID " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

	WF_REQUIRE(start(""));
	exchange_ex(two, sizeof(two) - 1, &r, false);
	WF_CHECK_EQ(r.status, 301);
	WF_CHECK(strstr(r.raw, "HTTP/1.1 201") != NULL);
	WF_CHECK(strstr(r.raw, "HTTP/1.1 200") != NULL);
	WF_CHECK_EQ(fake.offers, 1);
	WF_CHECK_EQ(fake.dels, 1);
}

/* A framing header libmicrohttpd keeps under another name ("Content-Length :"
 * is a header named "Content-Length ", an obs-folded value is glued to the
 * name) frames nothing for it, so the body would be read as the next request
 * while a proxy in front that honours the spelling forwards it as a body
 * (RFC 9112 section 5.1: a server must reject whitespace before the colon).
 * One 400 that closes the connection; the smuggled request is never answered. */
static void framing_headers_under_other_names_are_refused(void)
{
#define SMUGGLED "GET /cam1 HTTP/1.1\r\nHost: x\r\n\r\n"
	static const char *const reqs[] = {
		"POST /cam1/whep HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\n"
		"Content-Length : 31\r\n\r\n" SMUGGLED,
		"GET / HTTP/1.1\r\nHost: x\r\nContent-Length\t: 31\r\n\r\n" SMUGGLED,
		"POST /cam1/whep HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\n"
		"Content-Length:\r\n 31\r\n\r\n" SMUGGLED,
		"POST /cam1/whep HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\n"
		"Transfer-Encoding : chunked\r\n\r\n1f\r\n" SMUGGLED "\r\n0\r\n\r\n",
		"POST /cam1/whep HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\n"
		"Transfer-Encoding:\r\n chunked\r\n\r\n1f\r\n" SMUGGLED "\r\n0\r\n\r\n",
	};
#undef SMUGGLED
	size_t i;

	WF_REQUIRE(start(""));
	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		exchange_ex(reqs[i], strlen(reqs[i]), &r, false);
		WF_CHECKF(r.status == 400, "request %zu: status %d", i, r.status);
		WF_CHECKF(strstr(r.raw, "HTTP/1.1 301") == NULL,
			  "request %zu: the smuggled request was answered", i);
		WF_CHECKF(still_serving(), "request %zu: server stopped serving", i);
	}
	WF_CHECK_EQ(fake.offers + fake.dels + fake.patches, 0);
}

static void server_refuses_a_second_start_and_stops_cleanly(void)
{
	uint16_t port;

	WF_REQUIRE(start(""));
	port = wf_http_port();
	WF_CHECK_EQ(wf_http_init_ops(cfg, &fake_ops), -EALREADY);
	WF_CHECK_EQ(wf_http_port(), port);
	wf_http_fini();
	WF_CHECK_EQ(wf_http_port(), 0);
	WF_CHECK_EQ(wf_http_fd(), -1);
	wf_http_run();	/* harmless without a server */
	wf_http_fini();
	WF_CHECK_EQ(wf_http_init_ops(NULL, &fake_ops), -EINVAL);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	cfg = wf_config_create();
	/* the server registers with the event loop; the tests run it by hand */
	if (!cfg || wf_ev_init(4) < 0) {
		fprintf(stderr, "no memory for the configuration\n");
		return 1;
	}
	cfg->http.listen_addr = INADDR_LOOPBACK;
	cfg->http.listen_port = 0;
	cfg->http.max_body = MAX_BODY;
	add_stream("cam1", "");
	add_stream("secret", "s3cret");
	add_stream("cam_2-b", "");
	add_stream("live", "");
	cfg->streams[cfg->n_streams - 1].ingest = WF_CONF_INGEST_WHIP;

	WF_RUN(whep_post_returns_201_with_location_etag_answer_and_cors);
	WF_RUN(whep_post_accepts_content_type_parameters_and_case);
	WF_RUN(responses_have_no_cors_headers_without_cors_origin);
	WF_RUN(whep_post_with_wrong_or_missing_content_type_is_415);
	WF_RUN(whep_post_needs_the_streams_bearer_token);
	WF_RUN(whep_post_to_unknown_stream_is_404);
	WF_RUN(whep_post_passes_409_and_503_with_retry_after_through);
	WF_RUN(whep_post_passes_400_reason_through_without_crlf);
	WF_RUN(whep_post_with_empty_body_is_400_without_session_call);
	WF_RUN(whep_post_with_bad_session_results_is_500_or_safe);
	WF_RUN(whep_post_passes_the_tcp_peer_to_the_session_layer);
	WF_RUN(whep_post_over_the_rate_is_429_with_retry_after_before_the_body);
	WF_RUN(whep_post_rate_counts_refused_posts_as_well);
	WF_RUN(whep_post_over_the_pending_cap_is_429_until_a_session_goes_live);
	WF_RUN(pending_cap_holds_for_posts_whose_headers_came_together);
	WF_RUN(forwarded_for_is_believed_from_a_trusted_proxy_rightmost_untrusted_first);
	WF_RUN(forwarded_for_is_ignored_from_others);
	WF_RUN(forwarded_for_malformed_from_a_trusted_proxy_is_400);
	WF_RUN(forwarded_ipv6_clients_count_by_their_64);
	WF_RUN(forwarded_ipv6_clients_count_by_their_48_by_default);
	WF_RUN(whep_post_over_the_sessions_cap_is_429_until_a_session_is_freed);
	WF_RUN(forwarded_client_has_its_own_rate_limit_behind_the_proxy);
	WF_RUN(request_deadline_closes_a_trickling_connection);
	WF_RUN(connection_slots_running_short_close_the_oldest_unfinished_request);
	WF_RUN(connections_per_address_are_limited_except_for_trusted_proxies);
	WF_RUN(whep_post_body_of_max_body_is_accepted);
	WF_RUN(whep_post_content_length_over_max_body_is_413_before_the_body);
	WF_RUN(whep_post_chunked_body_is_limited_to_max_body);
	WF_RUN(whep_post_truncated_at_every_length_never_reaches_the_session_layer);
	WF_RUN(whep_delete_ends_a_session_and_404s_an_unknown_one);
	WF_RUN(whep_patch_is_204_and_refuses_other_content_types);
	WF_RUN(whep_options_answers_the_cors_preflight);
	WF_RUN(player_page_is_served_with_security_headers);
	WF_RUN(player_page_escapes_the_stream_name);
	WF_RUN(publish_page_escapes_the_name_and_takes_no_token_from_its_url);
	WF_RUN(player_page_of_unknown_stream_is_404);
	WF_RUN(stream_without_slash_redirects_to_its_player);
	WF_RUN(index_lists_the_configured_streams);
	WF_RUN(wrong_method_is_405_with_allow);
	WF_RUN(unknown_paths_and_bad_names_or_ids_are_404);
	WF_RUN(metrics_are_served_as_prometheus_text);
	WF_RUN(hostile_requests_get_4xx_and_the_server_keeps_serving);
	WF_RUN(keep_alive_serves_several_requests_on_one_connection);
	WF_RUN(framing_headers_under_other_names_are_refused);
	WF_RUN(server_refuses_a_second_start_and_stops_cleanly);

	wf_http_fini();
	wf_config_free(cfg);
	return wf_test_done();
}
