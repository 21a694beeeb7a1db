/* fuzz_http.c: fuzz target 8, the WHEP/HTTP router (app/whep/http_router.c) as
 * the libmicrohttpd adapter (app/whep/http.c) drives it, without a socket.
 *
 * Input: text, a sequence of requests separated by lines "%%".  Within a
 * request, lines starting with '@' set options for the rest of the run:
 *     @token=T      stream "cam1" needs bearer token T ("@token=": none)
 *     @live=0|1     cam1 has a source (else the session layer says 409)
 *     @max=N        the session table holds N sessions (503 when full)
 *     @rate=N @burst=N @pending=N @per_ip=N
 *                   http.post_rate_per_ip, post_burst_per_ip,
 *                   max_pending_per_ip, max_sessions_per_ip
 *     @maxbody=N    http.max_body
 *     @chunk=N      the body arrives in pieces of N bytes (0: at once)
 *     @peer=A.B.C.D the TCP peer
 *     @trust=CIDR   one more trusted proxy (X-Forwarded-For believed)
 *     @cors=ORIGIN  http.cors_origin
 *     @fail=S       the next session call (offer, patch, delete) answers
 *                   status S with no reason and no Retry-After
 *     @v6prefix=N   http.ipv6_prefix_len
 * then the request line ("METHOD URL [VERSION]"), header lines
 * ("Name: value"), a blank line and the body (the rest).  A Content-Length
 * is honoured as libmicrohttpd would: a malformed one never reaches the
 * router (libmicrohttpd answers it), a shorter body is a request aborted
 * mid-body (wf_http_end() without wf_http_finish()), a longer one is cut.
 *
 * The session layer is a fake with a table of @max sessions that behaves
 * as session.c does: 404/409/503/429 (wf_adm_room(), wf_adm_session_add())
 * with their Retry-After, 400 for an offer lib/sdp refuses, 201 with an id
 * and ETag; PATCH parses the fragment with lib/sdp (204/400/404); DELETE
 * frees the session and its admission count (200/404).
 *
 * WHIP: streams "pub" (publish_token pub-s3cret) and "open" (publish_token
 * ""), the same session layer in the publisher's role.
 *
 * Checks on every reply: a status the router may give (its own, or a
 * 4xx/5xx of the session layer's); the headers its
 * status requires (Location, ETag and an SDP body on 201, Allow on 405 and
 * on OPTIONS' 204, Retry-After on 429 and 503, WWW-Authenticate on 401,
 * Location on 301, CORS on every reply when configured); no header value
 * with a control byte and no Content-Length of our own (libmicrohttpd
 * writes it from the body's length); an empty body on 204, a non-empty one
 * on every refusal; a text body of one line within WF_HTTP_TEXT_MAX, an
 * answer within WF_HTTP_ANSWER_MAX.  After the run: every session freed
 * leaves no address pinned in the admission table, the fake table's count
 * matches its slots, and the router finishes (LeakSanitizer sees the rest).
 */
#include "fuzz/fuzz.h"

#include <errno.h>
#include <stdbool.h>
#include <strings.h>

#include "whep/admission.h"
#include "whep/http_router.h"
#include "conf/conf.h"
#include "conf/text.h"
#include "sdp/sdp.h"

#define MAX_HEADERS	64
#define MAX_SESSIONS	8		/* the fake table's slots */
#define PAGE_MAX	(256 * 1024)	/* a page or /metrics */
#define ANSWER		"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"

struct hdr {
	const char *name, *value;
};

struct fake_session {
	bool used;
	char id[WF_SESSION_ID_LEN + 1];
	char etag[16];
	char stream[WF_CONF_NAME_LEN + 1];
	uint64_t client;
	enum wf_session_role role;	/* WHEP's viewer or WHIP's publisher */
};

static struct wf_config *g_cfg;
static struct wf_config_http g_http_defaults;
static struct wf_sdp_offer g_offer;
static struct wf_sdp_frag g_frag;

static struct {
	struct fake_session s[MAX_SESSIONS];
	unsigned count, cap;
	unsigned next_id;
	bool live;
	int fail;		/* status of the next session call, 0: none */
} fake;

/* ---- the fake session layer ---------------------------------------------- */

static struct fake_session *fake_find(const char *id)
{
	unsigned i;

	for (i = 0; i < MAX_SESSIONS; i++)
		if (fake.s[i].used && !strcmp(fake.s[i].id, id))
			return &fake.s[i];
	return NULL;
}

static void fake_free(struct fake_session *s)
{
	WF_FUZZ_CHECK(wf_adm_session_del(&wf_admission, s->client, true) == 0);
	s->used = false;
	fake.count--;
}

/* Takes @fail: true (and *status) when the call is to fail. */
static bool fake_failing(int *status)
{
	if (!fake.fail)
		return false;
	*status = fake.fail;
	fake.fail = 0;
	return true;
}

static void refuse(struct wf_whep_result *r, int status, unsigned retry, const char *reason)
{
	r->status = status;
	r->retry_after = retry;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
}

static void fake_offer(enum wf_session_role role, const char *stream, uint64_t client,
		       const char *offer, size_t len, char *answer, size_t cap,
		       struct wf_whep_result *r)
{
	struct wf_adm_limits lim;
	struct wf_sdp_error err;
	struct fake_session *s = NULL;
	unsigned i;
	int rc;

	/* the router hands over a body of len bytes, NUL-terminated */
	WF_FUZZ_CHECK(len > 0 && offer[len] == '\0');
	memset(r, 0, sizeof(*r));
	wf_adm_limits_of(g_cfg, &lim);
	if (fake_failing(&r->status))
		return;
	if (!wf_config_stream_find(g_cfg, stream)) {
		refuse(r, 404, 0, "no stream");
		return;
	}
	if (!fake.live) {
		refuse(r, 409, 2, "stream has no source yet (not live)");
		return;
	}
	for (i = 0; i < fake.cap && !s; i++)
		if (!fake.s[i].used)
			s = &fake.s[i];
	if (!s) {
		wf_adm_count(WF_ADM_FULL);
		refuse(r, 503, 10, "too many sessions (http.max_sessions)");
		return;
	}
	rc = wf_adm_room(&wf_admission, client, &lim);
	if (rc < 0) {
		refuse(r, 429, rc == -EDQUOT ? lim.sessions_retry_s : lim.pending_retry_s,
		       rc == -EDQUOT ? WF_ADM_SESSIONS_TEXT : WF_ADM_PENDING_TEXT);
		return;
	}
	if (wf_sdp_offer_parse(&g_offer, offer, len, &err) < 0) {
		refuse(r, 400, 0, err.reason);
		return;
	}
	rc = wf_adm_session_add(&wf_admission, client, &lim, wf_adm_now_ms());
	if (rc < 0) {
		refuse(r, rc == -ENOSPC ? 503 : 429, 1, "admission");
		return;
	}
	memset(s, 0, sizeof(*s));
	s->used = true;
	snprintf(s->id, sizeof(s->id), "%032x", ++fake.next_id);
	snprintf(s->etag, sizeof(s->etag), "\"%08x\"", fake.next_id);
	snprintf(s->stream, sizeof(s->stream), "%s", stream);
	s->client = client;
	s->role = role;
	fake.count++;
	WF_FUZZ_CHECK(cap >= sizeof(ANSWER));
	memcpy(answer, ANSWER, sizeof(ANSWER) - 1);
	r->answer_len = sizeof(ANSWER) - 1;
	r->status = 201;
	memcpy(r->id, s->id, sizeof(r->id));
}

static int fake_del(enum wf_session_role role, const char *stream, const char *id)
{
	struct fake_session *s = fake_find(id);
	int status;

	if (fake_failing(&status))
		return status;
	if (!s || s->role != role || strcmp(s->stream, stream))
		return 404;
	fake_free(s);
	return 200;
}

static int fake_patch(enum wf_session_role role, const char *stream, const char *id,
		      const char *frag, size_t len, char *reason, size_t reason_cap)
{
	struct fake_session *s = fake_find(id);
	struct wf_sdp_error err;
	int status;

	WF_FUZZ_CHECK(frag[len] == '\0');
	if (fake_failing(&status))
		return status;
	if (!s || s->role != role || strcmp(s->stream, stream))
		return 404;
	if (wf_sdp_frag_parse(&g_frag, frag, len, &err) < 0) {
		snprintf(reason, reason_cap, "bad fragment: %s", err.reason);
		return 400;
	}
	return 204;
}

static const char *fake_etag(const char *id)
{
	struct fake_session *s = fake_find(id);

	return s ? s->etag : NULL;
}

static char *fake_metrics(size_t *len)
{
	char *t = malloc(128);

	if (!t)
		return NULL;
	*len = (size_t)snprintf(t, 128, "whepfan_sessions %u\n", fake.count);
	return t;
}

static const struct wf_http_ops g_ops = {
	.offer = fake_offer, .del = fake_del, .patch = fake_patch, .etag = fake_etag,
	.metrics = fake_metrics,
};

/* ---- one request ----------------------------------------------------------- */

struct request {
	struct hdr h[MAX_HEADERS];
	unsigned n;
};

static void each_header(void *hctx, wf_http_header_fn fn, void *arg)
{
	const struct request *rq = hctx;
	unsigned i;

	for (i = 0; i < rq->n; i++)
		fn(arg, rq->h[i].name, rq->h[i].value);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool is_text(const struct wf_http_reply *rp)
{
	const char *ct = wf_http_reply_header(rp, "Content-Type");

	return ct && !strcmp(ct, "text/plain; charset=utf-8");
}

/* Whether http.cors_origin goes into replies: printable, 1-256 bytes (an
 * origin that could split a header is left out, and so is CORS). */
static bool origin_safe(const char *o)
{
	size_t n = strlen(o), i;

	for (i = 0; i < n; i++)
		if (o[i] < 0x20 || o[i] > 0x7e)
			return false;
	return n > 0 && n <= 257;
}

/* What must hold of every reply, whatever the request. */
static void check_reply(const struct wf_http_reply *rp, const char *method)
{
	static const unsigned known[] = { 200, 201, 204, 301, 400, 401, 404, 405, 406, 409,
					  413, 415, 429, 500, 501, 503 };
	const char *origin = g_cfg->http.cors_origin;
	const char *v;
	bool ok = false;
	unsigned i;
	size_t j;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ok |= rp->status == known[i];
	/* or a refusal the session layer chose (passed through when 4xx/5xx) */
	WF_FUZZ_CHECK(ok || (rp->status >= 400 && rp->status <= 599));
	WF_FUZZ_CHECK(rp->n_headers <= WF_HTTP_REPLY_HEADERS);
	for (i = 0; i < rp->n_headers; i++) {
		WF_FUZZ_CHECK(rp->h[i].name && rp->h[i].name[0]);
		WF_FUZZ_CHECK(strcasecmp(rp->h[i].name, "Content-Length") != 0);
		WF_FUZZ_CHECK(rp->h[i].value[0]);
		for (v = rp->h[i].value; *v; v++)
			WF_FUZZ_CHECK(*v >= 0x20 && *v <= 0x7e);
	}
	WF_FUZZ_CHECK(rp->len == 0 || rp->body);
	WF_FUZZ_CHECK(rp->len <= PAGE_MAX);
	if (origin_safe(origin))
		WF_FUZZ_CHECK((v = wf_http_reply_header(rp, "Access-Control-Allow-Origin")) &&
			      !strcmp(v, origin));
	WF_FUZZ_CHECK(wf_http_reply_header(rp, "X-Content-Type-Options"));
	if (is_text(rp)) {
		/* one line, no control byte: nothing from the request splits it */
		WF_FUZZ_CHECK(rp->len >= 1 && rp->len <= WF_HTTP_TEXT_MAX);
		WF_FUZZ_CHECK(rp->body[rp->len - 1] == '\n');
		for (j = 0; j + 1 < rp->len; j++)
			WF_FUZZ_CHECK((unsigned char)rp->body[j] >= 0x20 && rp->body[j] != 0x7f);
	}
	if (rp->status >= 400)
		WF_FUZZ_CHECK(rp->len > 0 && is_text(rp));
	switch (rp->status) {
	case 201:
		WF_FUZZ_CHECK(!strcmp(method, "POST"));
		v = wf_http_reply_header(rp, "Location");
		WF_FUZZ_CHECK(v && !strncmp(v, "/", 1) &&
			      (strstr(v, "/whep/") || strstr(v, "/whip/")));
		/* a publisher's session is under /whip/, a viewer's under /whep/ */
		WF_FUZZ_CHECK(fake_find(strrchr(v, '/') + 1));
		WF_FUZZ_CHECK(fake_find(strrchr(v, '/') + 1)->role ==
			      (strstr(v, "/whip/") ? WF_SESSION_PUBLISHER : WF_SESSION_VIEWER));
		WF_FUZZ_CHECK(wf_http_reply_header(rp, "ETag"));
		v = wf_http_reply_header(rp, "Content-Type");
		WF_FUZZ_CHECK(v && !strcmp(v, "application/sdp"));
		WF_FUZZ_CHECK(rp->len > 0 && rp->len <= WF_HTTP_ANSWER_MAX);
		break;
	case 204:
		WF_FUZZ_CHECK(rp->len == 0);
		if (!strcmp(method, "OPTIONS"))
			WF_FUZZ_CHECK(wf_http_reply_header(rp, "Allow"));
		break;
	case 301:
		WF_FUZZ_CHECK(wf_http_reply_header(rp, "Location"));
		break;
	case 401:
		v = wf_http_reply_header(rp, "WWW-Authenticate");
		WF_FUZZ_CHECK(v && !strncmp(v, "Bearer ", 7));
		break;
	case 405:
		v = wf_http_reply_header(rp, "Allow");
		WF_FUZZ_CHECK(v && v[0]);
		break;
	case 429:
	case 503:
		v = wf_http_reply_header(rp, "Retry-After");
		WF_FUZZ_CHECK(v && all_digits(v) && strcmp(v, "0"));
		break;
	default:
		break;
	}
}

/* Content-Length as libmicrohttpd reads it: -1 none, -2 malformed. */
static long long content_length(const struct request *rq)
{
	unsigned i;

	for (i = 0; i < rq->n; i++) {
		const char *v = rq->h[i].value;
		unsigned long long n = 0;

		if (strcasecmp(rq->h[i].name, "Content-Length"))
			continue;
		if (!all_digits(v) || strlen(v) > 18)
			return -2;
		while (*v)
			n = n * 10 + (unsigned)(*v++ - '0');
		return (long long)n;
	}
	return -1;
}

/* Feeds one request (its text in s, NUL-terminated, writable) to the
 * router as http.c does, then checks the reply. */
static void run_request(char *s, size_t len, size_t chunk, uint32_t peer)
{
	struct wf_http_request in = { .peer = peer, .each_header = each_header };
	struct request rq = { .n = 0 };
	const struct wf_http_reply *rp;
	struct wf_http_req *r;
	char *line, *end, *sp, *body;
	size_t body_len, off, n;
	long long cl;

	/* the request line */
	end = memchr(s, '\n', len);
	if (end)
		*end = '\0';
	line = s;
	if (end && end > s && end[-1] == '\r')
		end[-1] = '\0';
	sp = strchr(line, ' ');
	if (!sp || sp == line)
		return;	/* libmicrohttpd answers 400 itself */
	*sp = '\0';
	in.method = line;
	in.url = sp + 1;
	sp = strchr(sp + 1, ' ');
	if (sp)
		*sp = '\0';
	/* headers up to a blank line */
	body = end ? end + 1 : s + len;
	while (body < s + len) {
		char *colon;

		line = body;
		end = memchr(line, '\n', (size_t)(s + len - line));
		if (end)
			*end = '\0';
		body = end ? end + 1 : s + len;
		if (end && end > line && end[-1] == '\r')
			end[-1] = '\0';
		if (!line[0])
			break;
		colon = strchr(line, ':');
		if (!colon || rq.n == MAX_HEADERS)
			continue;
		*colon = '\0';
		colon++;
		colon += strspn(colon, " \t");
		rq.h[rq.n].name = line;
		rq.h[rq.n].value = colon;
		rq.n++;
	}
	body_len = (size_t)(s + len - body);
	cl = content_length(&rq);
	if (cl == -2)
		return;	/* libmicrohttpd refuses it with 400 */
	in.hctx = &rq;

	r = wf_http_begin(&in);
	WF_FUZZ_CHECK(r != NULL);
	rp = wf_http_answered(r);
	if (rp) {
		check_reply(rp, in.method);
		wf_http_end(r);
		return;
	}
	if (cl >= 0 && (unsigned long long)cl > body_len) {
		/* the rest never comes: the connection times out */
		if (body_len && wf_http_body(r, body, body_len) == 0)
			WF_FUZZ_CHECK(wf_http_answered(r) == NULL);
		wf_http_end(r);
		return;
	}
	if (cl >= 0)
		body_len = (size_t)cl;
	for (off = 0; off < body_len; off += n) {
		n = chunk && chunk < body_len - off ? chunk : body_len - off;
		if (wf_http_body(r, body + off, n) < 0) {
			/* over WF_HTTP_DISCARD_MAX: closed without an answer */
			wf_http_end(r);
			return;
		}
	}
	rp = wf_http_finish(r);
	check_reply(rp, in.method);
	if (rp->status == 413)
		WF_FUZZ_CHECK(body_len > g_cfg->http.max_body);
	WF_FUZZ_CHECK(wf_http_finish(r) == rp);
	wf_http_end(r);
}

/* ---- options and the run ----------------------------------------------------- */

static unsigned opt_u32(const char *v, unsigned max)
{
	uint32_t n = 0;

	return wf_text_u32(v, strlen(v), max, &n) == 0 ? n : 0;
}

struct run {
	size_t chunk;
	uint32_t peer;
};

static void set_option(struct run *run, const char *opt)
{
	struct wf_config_http *h = &g_cfg->http;
	struct wf_config_stream *cam1 = &g_cfg->streams[0];
	const char *v = strchr(opt, '=');
	char key[16];
	size_t k;

	if (!v || (k = (size_t)(v - opt)) >= sizeof(key))
		return;
	memcpy(key, opt, k);
	key[k] = '\0';
	v++;
	if (!strcmp(key, "token"))
		snprintf(cam1->token, sizeof(cam1->token), "%s", v);
	else if (!strcmp(key, "live"))
		fake.live = opt_u32(v, 1);
	else if (!strcmp(key, "max"))
		fake.cap = opt_u32(v, MAX_SESSIONS);
	else if (!strcmp(key, "rate"))
		h->post_rate_per_ip = opt_u32(v, 1000000) ? opt_u32(v, 1000000) : 1;
	else if (!strcmp(key, "burst"))
		h->post_burst_per_ip = opt_u32(v, 1000000) ? opt_u32(v, 1000000) : 1;
	else if (!strcmp(key, "pending"))
		h->max_pending_per_ip = opt_u32(v, 1000000) ? opt_u32(v, 1000000) : 1;
	else if (!strcmp(key, "per_ip"))
		h->max_sessions_per_ip = opt_u32(v, 1000000);
	else if (!strcmp(key, "maxbody"))
		h->max_body = opt_u32(v, 1 << 20);
	else if (!strcmp(key, "chunk"))
		run->chunk = opt_u32(v, 1 << 20);
	else if (!strcmp(key, "peer"))
		(void)wf_text_ipv4(v, strlen(v), &run->peer);
	else if (!strcmp(key, "trust") && h->n_trusted_proxies < WF_CONF_MAX_PROXIES) {
		struct wf_conf_cidr *c = &h->trusted_proxies[h->n_trusted_proxies];
		uint32_t a;
		uint8_t plen;

		if (wf_text_cidr4(v, &a, &plen) == 0 && plen >= 1 && plen <= 32) {
			c->prefix_len = plen;
			c->mask = plen == 32 ? 0xffffffffu : ~(0xffffffffu >> plen);
			c->addr = a & c->mask;
			h->n_trusted_proxies++;
		}
	} else if (!strcmp(key, "cors"))
		snprintf(h->cors_origin, sizeof(h->cors_origin), "%s", v);
	else if (!strcmp(key, "fail"))
		fake.fail = (int)opt_u32(v, 999) == 201 ? 500 : (int)opt_u32(v, 999);
	else if (!strcmp(key, "v6prefix"))
		h->ipv6_prefix_len = opt_u32(v, 64) >= 32 ? opt_u32(v, 64) : 32;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct wf_config_stream *st;

	(void)argc;
	(void)argv;
	g_cfg = wf_config_create();
	if (!g_cfg)
		abort();
	g_cfg->http.max_sessions = MAX_SESSIONS;
	g_http_defaults = g_cfg->http;
	st = &g_cfg->streams[g_cfg->n_streams++];
	snprintf(st->name, sizeof(st->name), "cam1");
	st = &g_cfg->streams[g_cfg->n_streams++];
	snprintf(st->name, sizeof(st->name), "secret");
	snprintf(st->token, sizeof(st->token), "s3cret");
	/* WHIP: a publish token, and one that lets anyone publish */
	st = &g_cfg->streams[g_cfg->n_streams++];
	snprintf(st->name, sizeof(st->name), "pub");
	st->ingest = WF_CONF_INGEST_WHIP;
	st->publish = WF_CONF_PUBLISH_BEARER;
	snprintf(st->publish_token, sizeof(st->publish_token), "pub-s3cret");
	st = &g_cfg->streams[g_cfg->n_streams++];
	snprintf(st->name, sizeof(st->name), "open");
	st->ingest = WF_CONF_INGEST_WHIP;
	st->publish = WF_CONF_PUBLISH_OPEN;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run run = { .chunk = 0, .peer = 0xc0000201 };	/* 192.0.2.1 */
	char *text, *p, *next, *end;
	unsigned i, used;

	if (!g_cfg)
		LLVMFuzzerInitialize(NULL, NULL);
	g_cfg->http = g_http_defaults;
	g_cfg->http.post_rate_per_ip = 1000000;
	g_cfg->http.post_burst_per_ip = 1000000;
	g_cfg->streams[0].token[0] = '\0';
	memset(&fake, 0, sizeof(fake));
	fake.cap = MAX_SESSIONS;
	fake.live = true;
	WF_FUZZ_CHECK(wf_http_router_init(g_cfg, &g_ops) == 0);

	text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	end = text + size;
	for (p = text; p < end; p = next) {
		char *sep = NULL, *q;

		/* this request runs up to a line "%%" */
		for (q = p; q < end; q++) {
			if ((q == text || q[-1] == '\n') && q + 2 <= end && q[0] == '%' &&
			    q[1] == '%' && (q + 2 == end || q[2] == '\n' || q[2] == '\r')) {
				sep = q;
				break;
			}
		}
		next = sep ? memchr(sep, '\n', (size_t)(end - sep)) : NULL;
		next = next ? next + 1 : end;
		if (sep)
			*sep = '\0';
		q = sep ? sep : end;
		/* its leading option lines */
		while (p < q && *p == '@') {
			char *nl = memchr(p, '\n', (size_t)(q - p));

			if (nl)
				*nl = '\0';
			if (nl && nl > p && nl[-1] == '\r')
				nl[-1] = '\0';
			set_option(&run, p + 1);
			p = nl ? nl + 1 : q;
		}
		if (p < q)
			run_request(p, (size_t)(q - p), run.chunk, run.peer);
		for (i = 0, used = 0; i < MAX_SESSIONS; i++)
			used += fake.s[i].used;
		WF_FUZZ_CHECK(used == fake.count && fake.count <= MAX_SESSIONS);
	}
	free(text);

	/* the sessions end (as their viewers leave): no address stays pinned */
	for (i = 0; i < MAX_SESSIONS; i++)
		if (fake.s[i].used)
			fake_free(&fake.s[i]);
	WF_FUZZ_CHECK(fake.count == 0);
	WF_FUZZ_CHECK(wf_admission.pinned == 0 && wf_admission.pending_addrs == 0);
	wf_http_router_fini();
	return 0;
}
