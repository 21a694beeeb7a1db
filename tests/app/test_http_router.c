/* test_http_router.c: the WHEP/HTTP router (app/whep/http_router.c) called
 * directly, without a socket: requests are a method, a URL, a header list
 * and a body handed over in pieces; the session layer is a fake whose
 * answers each test sets.  test_http.c drives the same router through
 * libmicrohttpd. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wf_test.h"

#include "whep/admission.h"
#include "whep/http_router.h"
#include "conf/conf.h"

#define FAKE_ID		"0123456789abcdef0123456789abcdef"
#define FAKE_ANSWER	"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
#define OFFER		"v=0\r\no=- 42 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
#define FRAG		"a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
#define SDP_CT		"application/sdp"
#define FRAG_CT		"application/trickle-ice-sdpfrag"

static struct wf_config *cfg;

/* ---- the fake session layer ---------------------------------------------- */

static struct {
	int status;		/* the next offer's, patch's and delete's answer */
	unsigned retry_after;	/* the offer's */
	const char *answer;	/* the offer's answer (NULL: FAKE_ANSWER) */
	unsigned offers, patches, dels;
	enum wf_session_role role;	/* the last call's */
} fake;

static void fake_offer(enum wf_session_role role, const char *stream, uint64_t client,
		       const char *offer, size_t len, char *answer, size_t cap,
		       struct wf_whep_result *r)
{
	fake.role = role;
	(void)stream;
	(void)client;
	(void)offer;
	(void)len;
	fake.offers++;
	r->status = fake.status;
	r->retry_after = fake.retry_after;
	if (fake.status != 201)
		return;
	snprintf(r->id, sizeof(r->id), "%s", FAKE_ID);
	r->answer_len = strlen(fake.answer ? fake.answer : FAKE_ANSWER);
	if (r->answer_len <= cap)
		memcpy(answer, fake.answer ? fake.answer : FAKE_ANSWER, r->answer_len);
}

static int fake_patch(enum wf_session_role role, const char *stream, const char *id,
		      const char *frag, size_t len, char *reason, size_t reason_cap)
{
	fake.role = role;
	(void)stream;
	(void)id;
	(void)frag;
	(void)len;
	(void)reason;
	(void)reason_cap;
	fake.patches++;
	return fake.status;
}

static int fake_del(enum wf_session_role role, const char *stream, const char *id)
{
	fake.role = role;
	(void)stream;
	(void)id;
	fake.dels++;
	return fake.status;
}

static char *fake_metrics(size_t *len)
{
	char *t = strdup("whepfan_up 1\n");

	if (t)
		*len = strlen(t);
	return t;
}

static const struct wf_http_ops ops = {
	.offer = fake_offer, .patch = fake_patch, .del = fake_del, .metrics = fake_metrics,
};

/* ---- requests ------------------------------------------------------------- */

struct hdrs {
	const char *kv[8][2];
	unsigned n;
};

static void each_header(void *hctx, wf_http_header_fn fn, void *arg)
{
	const struct hdrs *h = hctx;
	unsigned i;

	for (i = 0; i < h->n; i++)
		fn(arg, h->kv[i][0], h->kv[i][1]);
}

/* The Authorization header of the next requests (NULL: none). */
static const char *auth;

/* The reply to method url with Content-Type ctype (NULL: none) and body
 * (NULL: none) in pieces of piece bytes (0: at once), copied to *out
 * before the request ends. */
static void ask(const char *method, const char *url, const char *ctype, const char *body,
		size_t piece, struct wf_http_reply *out)
{
	struct hdrs h = { .n = 0 };
	struct wf_http_request in = {
		.method = method, .url = url, .peer = 0xc0000201,
		.each_header = each_header, .hctx = &h,
	};
	const struct wf_http_reply *rp;
	struct wf_http_req *r;
	size_t len = body ? strlen(body) : 0, off, n;

	if (ctype) {
		h.kv[h.n][0] = "Content-Type";
		h.kv[h.n++][1] = ctype;
	}
	if (auth) {
		h.kv[h.n][0] = "Authorization";
		h.kv[h.n++][1] = auth;
	}
	memset(out, 0, sizeof(*out));
	r = wf_http_begin(&in);
	WF_REQUIRE(r != NULL);
	rp = wf_http_answered(r);
	for (off = 0; !rp && off < len; off += n) {
		n = piece && piece < len - off ? piece : len - off;
		WF_CHECK_EQ(wf_http_body(r, body + off, n), 0);
	}
	if (!rp)
		rp = wf_http_finish(r);
	*out = *rp;
	out->body = NULL;	/* freed with the request */
	wf_http_end(r);
}

static bool start(void)
{
	auth = NULL;
	memset(&fake, 0, sizeof(fake));
	fake.status = 201;
	wf_http_router_fini();
	return wf_http_router_init(cfg, &ops) == 0;
}

static struct wf_http_reply rp;

/* ---- tests ------------------------------------------------------------------ */

static void router_serves_whep_post_without_a_socket(void)
{
	const char *v;

	WF_REQUIRE(start());
	ask("POST", "/cam1/whep", SDP_CT, OFFER, 5, &rp);
	WF_CHECK_EQ(rp.status, 201);
	WF_CHECK((v = wf_http_reply_header(&rp, "Location")) && !strcmp(v, "/cam1/whep/" FAKE_ID));
	WF_CHECK_EQ(rp.len, strlen(FAKE_ANSWER));
	WF_CHECK_EQ(fake.offers, 1);
}

static void router_refuses_on_the_headers_before_any_body(void)
{
	struct hdrs h = { .kv = { { "Content-Type", SDP_CT }, { "Content-Length", "999999" } },
			  .n = 2 };
	struct wf_http_request in = {
		.method = "POST", .url = "/cam1/whep", .peer = 0xc0000201,
		.each_header = each_header, .hctx = &h,
	};
	struct wf_http_req *r;

	WF_REQUIRE(start());
	r = wf_http_begin(&in);
	WF_REQUIRE(r != NULL);
	WF_CHECK(wf_http_answered(r) && wf_http_answered(r)->status == 413);
	wf_http_end(r);
	WF_CHECK_EQ(fake.offers, 0);
}

static void router_limits_a_body_arriving_in_pieces_to_max_body(void)
{
	char *big = malloc(cfg->http.max_body + 2);

	WF_REQUIRE(big != NULL);
	WF_REQUIRE(start());
	memset(big, 'a', cfg->http.max_body + 1);
	big[cfg->http.max_body + 1] = '\0';
	ask("POST", "/cam1/whep", SDP_CT, big, 1000, &rp);
	WF_CHECK_EQ(rp.status, 413);
	WF_CHECK_EQ(fake.offers, 0);
	free(big);
}

static void router_405_lists_allowed_methods(void)
{
	const char *v;

	WF_REQUIRE(start());
	ask("GET", "/cam1/whep", NULL, NULL, 0, &rp);
	WF_CHECK_EQ(rp.status, 405);
	WF_CHECK((v = wf_http_reply_header(&rp, "Allow")) && !strcmp(v, "POST, OPTIONS"));
	ask("BREW", "/metrics", NULL, NULL, 0, &rp);
	WF_CHECK_EQ(rp.status, 405);
	WF_CHECK((v = wf_http_reply_header(&rp, "Allow")) && !strcmp(v, "GET, HEAD"));
}

/* Found by fuzz_http (corpus/http/crash-post-503-without-retry-after): a
 * 429 or 503 from the session layer without a time went out without
 * Retry-After, and the player and WHEP clients retried at once. */
static void router_post_429_and_503_always_carry_retry_after(void)
{
	const char *v;

	WF_REQUIRE(start());
	fake.status = 503;
	fake.retry_after = 0;
	ask("POST", "/cam1/whep", SDP_CT, OFFER, 0, &rp);
	WF_CHECK_EQ(rp.status, 503);
	WF_CHECK((v = wf_http_reply_header(&rp, "Retry-After")) && !strcmp(v, "1"));
	fake.status = 429;
	ask("POST", "/cam1/whep", SDP_CT, OFFER, 0, &rp);
	WF_CHECK_EQ(rp.status, 429);
	WF_CHECK((v = wf_http_reply_header(&rp, "Retry-After")) && !strcmp(v, "1"));
	fake.status = 503;
	fake.retry_after = 7;	/* the session layer's own time wins */
	ask("POST", "/cam1/whep", SDP_CT, OFFER, 0, &rp);
	WF_CHECK((v = wf_http_reply_header(&rp, "Retry-After")) && !strcmp(v, "7"));
	fake.status = 409;
	fake.retry_after = 0;	/* not a 429/503: none added */
	ask("POST", "/cam1/whep", SDP_CT, OFFER, 0, &rp);
	WF_CHECK_EQ(rp.status, 409);
	WF_CHECK(!wf_http_reply_header(&rp, "Retry-After"));
}

/* Found by fuzz_http (corpus/http/crash-patch-503-without-retry-after):
 * PATCH passed the session layer's 429/503 on without Retry-After. */
static void router_patch_429_and_503_carry_retry_after(void)
{
	const char *v;

	WF_REQUIRE(start());
	fake.status = 503;
	ask("PATCH", "/cam1/whep/" FAKE_ID, FRAG_CT, FRAG, 0, &rp);
	WF_CHECK_EQ(rp.status, 503);
	WF_CHECK((v = wf_http_reply_header(&rp, "Retry-After")) && !strcmp(v, "1"));
	fake.status = 429;
	ask("PATCH", "/cam1/whep/" FAKE_ID, FRAG_CT, FRAG, 0, &rp);
	WF_CHECK_EQ(rp.status, 429);
	WF_CHECK(wf_http_reply_header(&rp, "Retry-After") != NULL);
	WF_CHECK_EQ(fake.patches, 2);
}

/* A 201's body (the SDP answer) lives until wf_http_end(), as the header
 * says, even when another POST finishes first: an adapter that sends it
 * later must not hand one viewer another's ICE credentials (attacker
 * review of the router split: the answer sat in a buffer every POST
 * shared). */
static void router_201_answer_lives_until_its_request_ends(void)
{
	struct hdrs h = { .kv = { { "Content-Type", SDP_CT } }, .n = 1 };
	struct wf_http_request in = {
		.method = "POST", .url = "/cam1/whep", .peer = 0xc0000201,
		.each_header = each_header, .hctx = &h,
	};
	static const char answer_a[] = "v=0\r\no=- A 1 IN IP4 198.18.0.1\r\n";
	static const char answer_b[] = "v=0\r\no=- B 1 IN IP4 198.18.0.2\r\n";
	struct wf_http_req *a, *b;
	const struct wf_http_reply *ra, *rb;

	WF_REQUIRE(start());
	a = wf_http_begin(&in);
	b = wf_http_begin(&in);
	WF_REQUIRE(a && b && !wf_http_answered(a) && !wf_http_answered(b));
	WF_CHECK_EQ(wf_http_body(a, OFFER, strlen(OFFER)), 0);
	WF_CHECK_EQ(wf_http_body(b, OFFER, strlen(OFFER)), 0);
	fake.answer = answer_a;
	ra = wf_http_finish(a);
	fake.answer = answer_b;
	rb = wf_http_finish(b);
	WF_CHECK_EQ(ra->status, 201);
	WF_CHECK_EQ(rb->status, 201);
	WF_CHECK(ra->len == strlen(answer_a) && memcmp(ra->body, answer_a, ra->len) == 0);
	WF_CHECK(rb->len == strlen(answer_b) && memcmp(rb->body, answer_b, rb->len) == 0);
	wf_http_end(b);
	WF_CHECK(memcmp(ra->body, answer_a, ra->len) == 0);
	wf_http_end(a);
}

/* Only the routes that read a body (POST of an offer, PATCH of a
 * fragment) take one: a GET, DELETE or OPTIONS announcing a body is
 * refused at its headers, before memory is set aside for it. */
static void router_refuses_a_body_where_no_route_reads_one(void)
{
	static const struct { const char *method, *url, *name, *value; unsigned want; } cases[] = {
		{ "GET", "/", "Content-Length", "10", 413 },
		{ "GET", "/metrics", "Transfer-Encoding", "chunked", 413 },
		{ "DELETE", "/cam1/whep/" FAKE_ID, "Content-Length", "4096", 413 },
		{ "OPTIONS", "/cam1/whep", "Content-Length", "1", 413 },
		{ "DELETE", "/cam1/whep/" FAKE_ID, "Content-Length", "0", 200 },
		{ "GET", "/", "Content-Length", "0", 200 },
	};
	size_t i;

	WF_REQUIRE(start());
	fake.status = 200;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hdrs h = { .kv = { { cases[i].name, cases[i].value } }, .n = 1 };
		struct wf_http_request in = {
			.method = cases[i].method, .url = cases[i].url, .peer = 0xc0000201,
			.each_header = each_header, .hctx = &h,
		};
		struct wf_http_req *r = wf_http_begin(&in);
		const struct wf_http_reply *got;

		WF_REQUIRE(r != NULL);
		got = wf_http_answered(r);
		if (cases[i].want == 413)
			WF_CHECKF(got && got->status == 413, "case %zu: %s %s %s: %u", i,
				  cases[i].method, cases[i].url, cases[i].name, got ? got->status : 0);
		else
			WF_CHECKF(!got && wf_http_finish(r)->status == cases[i].want,
				  "case %zu: %s %s refused on its headers", i, cases[i].method,
				  cases[i].url);
		wf_http_end(r);
	}
	WF_CHECK_EQ(fake.dels, 1);
}

/* A 401 the session layer chose passes through with the challenge RFC
 * 9110 requires (found by fuzz target 8 in its hour-long run: the router
 * added WWW-Authenticate only to its own token refusals). */
static void router_401_from_the_session_layer_carries_a_challenge(void)
{
	WF_REQUIRE(start());
	fake.status = 401;
	ask("POST", "/cam1/whep", SDP_CT, OFFER, 0, &rp);
	WF_CHECK_EQ(rp.status, 401);
	WF_CHECK(wf_http_reply_header(&rp, "WWW-Authenticate") != NULL);
	ask("PATCH", "/cam1/whep/" FAKE_ID, FRAG_CT, FRAG, 0, &rp);
	WF_CHECK_EQ(rp.status, 401);
	WF_CHECK(wf_http_reply_header(&rp, "WWW-Authenticate") != NULL);
}

static void router_init_refuses_missing_ops_and_a_second_init(void)
{
	struct wf_http_ops partial = ops;

	WF_REQUIRE(start());
	WF_CHECK_EQ(wf_http_router_init(cfg, &ops), -EALREADY);
	wf_http_router_fini();
	wf_http_router_fini();
	partial.metrics = NULL;
	WF_CHECK_EQ(wf_http_router_init(cfg, &partial), -EINVAL);
	WF_CHECK_EQ(wf_http_router_init(NULL, &ops), -EINVAL);
	WF_CHECK(wf_http_begin(&(struct wf_http_request){ .method = "GET", .url = "/",
							  .each_header = each_header }) == NULL);
}

/* ---- WHIP ---- */

#define N_OF(a)	(sizeof(a) / sizeof((a)[0]))

static bool header_is(const char *name, const char *want)
{
	const char *v = wf_http_reply_header(&rp, name);

	return v && !strcmp(v, want);
}

/* RFC 9725: POST /<stream>/whip with the publish token is the session
 * layer's in the publisher's role; DELETE, PATCH and OPTIONS as WHEP's. */
static void router_whip_routes_serve_a_publisher(void)
{
	const char *v;

	WF_REQUIRE(start());
	auth = "Bearer pub-s3cret";
	ask("POST", "/pub/whip", SDP_CT, OFFER, 7, &rp);
	WF_CHECK_EQ(rp.status, 201);
	WF_CHECK(header_is("Location", "/pub/whip/" FAKE_ID));
	WF_CHECK(header_is("Content-Type", SDP_CT));
	WF_CHECK(fake.offers == 1 && fake.role == WF_SESSION_PUBLISHER);
	fake.status = 204;
	ask("PATCH", "/pub/whip/" FAKE_ID, FRAG_CT, FRAG, 0, &rp);
	WF_CHECK_EQ(rp.status, 204);
	WF_CHECK(fake.patches == 1 && fake.role == WF_SESSION_PUBLISHER);
	fake.status = 200;
	ask("DELETE", "/pub/whip/" FAKE_ID, NULL, NULL, 0, &rp);
	WF_CHECK_EQ(rp.status, 200);
	WF_CHECK(fake.dels == 1 && fake.role == WF_SESSION_PUBLISHER);
	fake.status = 404;
	ask("DELETE", "/pub/whip/" FAKE_ID, NULL, NULL, 0, &rp);
	WF_CHECK_EQ(rp.status, 404);
	/* OPTIONS needs no token: a browser's preflight carries none */
	auth = NULL;
	ask("OPTIONS", "/pub/whip", NULL, NULL, 0, &rp);
	WF_CHECK_EQ(rp.status, 204);
	WF_CHECK(header_is("Accept-Post", SDP_CT));
	WF_CHECK((v = wf_http_reply_header(&rp, "Allow")) && strstr(v, "POST") &&
		 strstr(v, "OPTIONS"));
	WF_CHECK(header_is("Access-Control-Allow-Origin", "*"));
	WF_CHECK((v = wf_http_reply_header(&rp, "Access-Control-Allow-Headers")) &&
		 strstr(v, "Authorization"));
	WF_CHECK((v = wf_http_reply_header(&rp, "Access-Control-Expose-Headers")) &&
		 strstr(v, "Location") && strstr(v, "ETag"));
	ask("OPTIONS", "/pub/whip/" FAKE_ID, NULL, NULL, 0, &rp);
	WF_CHECK_EQ(rp.status, 204);
	WF_CHECK(header_is("Accept-Patch", FRAG_CT));
	WF_CHECK((v = wf_http_reply_header(&rp, "Allow")) && strstr(v, "DELETE") &&
		 strstr(v, "PATCH") && !strstr(v, "POST"));
	/* the viewers' routes stay the viewers' */
	fake.status = 201;
	ask("POST", "/cam1/whep", SDP_CT, OFFER, 0, &rp);
	WF_CHECK(rp.status == 201 && fake.role == WF_SESSION_VIEWER);
	WF_CHECK(header_is("Location", "/cam1/whep/" FAKE_ID));
}

/* The publish token, never the viewers' token, lets a publisher in; a
 * stream without publish_token lets nobody in; one with publish_token =
 * "" lets anyone; an RTP stream takes no publisher.  None of it reaches
 * the session layer. */
/* GET /<stream>/publish: the publisher page of a WHIP stream, with the
 * pages' security headers and no token asked (it is typed into the page);
 * 404 for an RTP stream and an unknown one. */
static void router_serves_the_publisher_page_of_whip_streams_only(void)
{
	WF_REQUIRE(start());
	ask("GET", "/pub/publish", NULL, NULL, 0, &rp);
	WF_CHECK_EQ(rp.status, 200);
	WF_CHECK(header_is("Content-Type", "text/html; charset=utf-8"));
	WF_CHECK(header_is("Content-Security-Policy", "default-src 'self' 'unsafe-inline'"));
	ask("GET", "/cam1/publish", NULL, NULL, 0, &rp);
	WF_CHECK_EQ(rp.status, 404);
	ask("GET", "/nosuch/publish", NULL, NULL, 0, &rp);
	WF_CHECK_EQ(rp.status, 404);
	ask("POST", "/pub/publish", SDP_CT, OFFER, 0, &rp);
	WF_CHECK_EQ(rp.status, 405);
}

static void router_whip_needs_the_publish_token(void)
{
	static const struct {
		const char *url, *auth;
		unsigned want;
		bool invalid;	/* error="invalid_token" in the challenge */
	} cases[] = {
		{ "/pub/whip", NULL, 401, false },
		{ "/pub/whip", "Bearer wrong", 401, true },
		{ "/pub/whip", "Bearer pub-s3cre", 401, true },
		{ "/pub/whip", "Bearer pub-s3cret2", 401, true },
		{ "/pub/whip", "Bearer viewers", 401, true },	/* the viewers' token */
		{ "/pub/whip", "Basic pub-s3cret", 401, false },
		{ "/pub/whip", "Bearer", 401, false },
		{ "/closed/whip", NULL, 401, false },
		{ "/closed/whip", "Bearer pub-s3cret", 401, true },
		{ "/closed/whip", "Bearer x", 401, true },
		{ "/cam1/whip", "Bearer pub-s3cret", 404, false },
		{ "/nosuch/whip", "Bearer pub-s3cret", 404, false },
	};
	size_t i;

	WF_REQUIRE(start());
	for (i = 0; i < N_OF(cases); i++) {
		auth = cases[i].auth;
		ask("POST", cases[i].url, SDP_CT, OFFER, 0, &rp);
		WF_CHECKF(rp.status == cases[i].want, "case %zu: %s %s: %u", i, cases[i].url,
			  cases[i].auth ? cases[i].auth : "(none)", rp.status);
		if (cases[i].want == 401)
			WF_CHECKF(header_is("WWW-Authenticate", cases[i].invalid ?
					    "Bearer realm=\"whepfan\", error=\"invalid_token\"" :
					    "Bearer realm=\"whepfan\""), "case %zu: challenge", i);
		if (strcmp(cases[i].url, "/pub/whip"))
			continue;
		ask("DELETE", "/pub/whip/" FAKE_ID, NULL, NULL, 0, &rp);
		WF_CHECKF(rp.status == 401, "case %zu: DELETE %u", i, rp.status);
	}
	WF_CHECK_EQ(fake.offers + fake.dels + fake.patches, 0);
	/* the publish token is not the viewers' either */
	auth = "Bearer pub-s3cret";
	ask("POST", "/pub/whep", SDP_CT, OFFER, 0, &rp);
	WF_CHECK_EQ(rp.status, 401);
	WF_CHECK_EQ(fake.offers, 0);
	/* publish_token = "": anyone */
	auth = NULL;
	ask("POST", "/open/whip", SDP_CT, OFFER, 0, &rp);
	WF_CHECK(rp.status == 201 && fake.offers == 1 && fake.role == WF_SESSION_PUBLISHER);
}

/* A WHIP request is held to what a WHEP one is: Content-Type, body
 * limits, the path's names, and the session layer's refusals pass
 * through with their reason (406 for an offer without the stream's
 * codec, 409 for a second publisher). */
static void router_whip_refuses_hostile_requests_as_whep_does(void)
{
	static const char *const bad_paths[] = {
		"/pub/whip/", "/pub/whip/0123456789ABCDEF0123456789ABCDEF",
		"/pub/whip/0123456789abcdef0123456789abcde", "/pub/whip/" FAKE_ID "/x",
		"/pub//whip", "/pub/whip//" FAKE_ID, "/pub/WHIP", "/p.b/whip",
	};
	char *big = malloc(cfg->http.max_body + 2);
	struct hdrs h = { .kv = { { "Content-Type", SDP_CT }, { "Content-Length", "999999" },
				  { "Authorization", "Bearer pub-s3cret" } }, .n = 3 };
	struct wf_http_request in = {
		.method = "POST", .url = "/pub/whip", .peer = 0xc0000201,
		.each_header = each_header, .hctx = &h,
	};
	struct wf_http_req *r;
	size_t i;

	WF_REQUIRE(big != NULL);
	WF_REQUIRE(start());
	auth = "Bearer pub-s3cret";
	ask("POST", "/pub/whip", "text/plain", OFFER, 0, &rp);
	WF_CHECK_EQ(rp.status, 415);
	ask("POST", "/pub/whip", NULL, OFFER, 0, &rp);
	WF_CHECK_EQ(rp.status, 415);
	ask("POST", "/pub/whip", "application/sdpx", OFFER, 0, &rp);
	WF_CHECK_EQ(rp.status, 415);
	ask("POST", "/pub/whip", SDP_CT, "", 0, &rp);
	WF_CHECK_EQ(rp.status, 400);
	memset(big, 'v', cfg->http.max_body + 1);
	big[cfg->http.max_body + 1] = '\0';
	ask("POST", "/pub/whip", SDP_CT, big, 999, &rp);
	WF_CHECK_EQ(rp.status, 413);
	free(big);
	r = wf_http_begin(&in);
	WF_REQUIRE(r != NULL);
	WF_CHECK(wf_http_answered(r) && wf_http_answered(r)->status == 413);
	wf_http_end(r);
	ask("GET", "/pub/whip", NULL, NULL, 0, &rp);
	WF_CHECK_EQ(rp.status, 405);
	WF_CHECK(wf_http_reply_header(&rp, "Allow") != NULL);
	ask("PUT", "/pub/whip/" FAKE_ID, SDP_CT, OFFER, 0, &rp);
	WF_CHECK_EQ(rp.status, 405);
	ask("PATCH", "/pub/whip/" FAKE_ID, SDP_CT, FRAG, 0, &rp);
	WF_CHECK_EQ(rp.status, 415);
	for (i = 0; i < N_OF(bad_paths); i++) {
		ask("DELETE", bad_paths[i], NULL, NULL, 0, &rp);
		WF_CHECKF(rp.status == 404, "DELETE %s: %u", bad_paths[i], rp.status);
		ask("POST", bad_paths[i], SDP_CT, OFFER, 0, &rp);
		WF_CHECKF(rp.status == 404 || rp.status == 405, "POST %s: %u", bad_paths[i],
			  rp.status);
	}
	WF_CHECK_EQ(fake.offers + fake.dels + fake.patches, 0);
	fake.status = 406;
	ask("POST", "/pub/whip", SDP_CT, OFFER, 0, &rp);
	WF_CHECK_EQ(rp.status, 406);
	WF_CHECK(rp.len > 1);
	fake.status = 409;
	ask("POST", "/pub/whip", SDP_CT, OFFER, 0, &rp);
	WF_CHECK_EQ(rp.status, 409);
	WF_CHECK_EQ(fake.offers, 2);
}

/* A WHIP POST costs what a WHEP one does: one POST budget per client
 * address serves both. */
static void router_whip_and_whep_posts_share_one_budget(void)
{
	uint32_t rate = cfg->http.post_rate_per_ip, burst = cfg->http.post_burst_per_ip;

	cfg->http.post_rate_per_ip = 1;
	cfg->http.post_burst_per_ip = 2;
	WF_REQUIRE(start());
	ask("POST", "/cam1/whep", SDP_CT, OFFER, 0, &rp);
	WF_CHECK_EQ(rp.status, 201);
	auth = "Bearer pub-s3cret";
	ask("POST", "/pub/whip", SDP_CT, OFFER, 0, &rp);
	WF_CHECK_EQ(rp.status, 201);
	ask("POST", "/pub/whip", SDP_CT, OFFER, 0, &rp);
	WF_CHECK_EQ(rp.status, 429);
	WF_CHECK(wf_http_reply_header(&rp, "Retry-After") != NULL);
	auth = NULL;
	ask("POST", "/cam1/whep", SDP_CT, OFFER, 0, &rp);
	WF_CHECK_EQ(rp.status, 429);
	WF_CHECK_EQ(fake.offers, 2);
	cfg->http.post_rate_per_ip = rate;
	cfg->http.post_burst_per_ip = burst;
}

int main(int argc, char **argv)
{
	struct wf_config_stream *st;

	wf_test_init(argc, argv);
	cfg = wf_config_create();
	if (!cfg) {
		fprintf(stderr, "no memory for the configuration\n");
		return 1;
	}
	cfg->http.max_body = 4096;
	cfg->http.post_rate_per_ip = 1000000;
	cfg->http.post_burst_per_ip = 1000000;
	st = &cfg->streams[cfg->n_streams++];
	snprintf(st->name, sizeof(st->name), "cam1");
	snprintf(cfg->http.cors_origin, sizeof(cfg->http.cors_origin), "*");
	st = &cfg->streams[cfg->n_streams++];
	snprintf(st->name, sizeof(st->name), "pub");
	st->ingest = WF_CONF_INGEST_WHIP;
	st->publish = WF_CONF_PUBLISH_BEARER;
	snprintf(st->token, sizeof(st->token), "viewers");
	snprintf(st->publish_token, sizeof(st->publish_token), "pub-s3cret");
	st = &cfg->streams[cfg->n_streams++];
	snprintf(st->name, sizeof(st->name), "open");
	st->ingest = WF_CONF_INGEST_WHIP;
	st->publish = WF_CONF_PUBLISH_OPEN;
	st = &cfg->streams[cfg->n_streams++];
	snprintf(st->name, sizeof(st->name), "closed");
	st->ingest = WF_CONF_INGEST_WHIP;
	st->publish = WF_CONF_PUBLISH_NONE;

	WF_RUN(router_serves_whep_post_without_a_socket);
	WF_RUN(router_refuses_on_the_headers_before_any_body);
	WF_RUN(router_limits_a_body_arriving_in_pieces_to_max_body);
	WF_RUN(router_405_lists_allowed_methods);
	WF_RUN(router_post_429_and_503_always_carry_retry_after);
	WF_RUN(router_patch_429_and_503_carry_retry_after);
	WF_RUN(router_201_answer_lives_until_its_request_ends);
	WF_RUN(router_refuses_a_body_where_no_route_reads_one);
	WF_RUN(router_401_from_the_session_layer_carries_a_challenge);
	WF_RUN(router_init_refuses_missing_ops_and_a_second_init);
	WF_RUN(router_whip_routes_serve_a_publisher);
	WF_RUN(router_serves_the_publisher_page_of_whip_streams_only);
	WF_RUN(router_whip_needs_the_publish_token);
	WF_RUN(router_whip_refuses_hostile_requests_as_whep_does);
	WF_RUN(router_whip_and_whep_posts_share_one_budget);

	wf_http_router_fini();
	wf_config_free(cfg);
	return wf_test_done();
}
