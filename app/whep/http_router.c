/* http_router.c: the WHEP/WHIP/HTTP router (http_router.h).
 *
 * wf_http_begin() routes a request and checks its headers (framing, the
 * POST's admission for its client address, stream, token, Content-Type
 * and Content-Length), so a refusal costs no body.  WHIP (RFC 9725)
 * has the same routes under /whip, a publisher's POST the same
 * admission as a viewer's, and streams[].publish_token for its token; wf_http_body() keeps
 * the body up to http.max_body; wf_http_finish() runs the route's
 * handler.  Every reply goes through finish_reply(), which adds the CORS
 * and security headers.  Nothing from the request reaches a header or a
 * reason unchecked: URL parameters are validated whole by the route
 * patterns ({stream}, {id}) and texts are stripped of control bytes.
 *
 * Admission (admission.h): the client is the TCP peer, or what a trusted
 * proxy says in X-Forwarded-For (client_of(), xff.h: IPv4 or an IPv6 /64).
 */
#include "whep/http_router.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/log.h"
#include "whep/admission.h"
#include "whep/player.h"
#include "whep/xff.h"
#include "conf/text.h"

#define ALLOW_MAX		64	/* "GET, HEAD, POST, ..." */
#define XFF_LOG_MS		1000	/* at most one log line per second */
#define RETRY_DEFAULT_S		1	/* Retry-After of a 429/503 that gave none */

static const char cors_methods[] = "OPTIONS, POST, PATCH, DELETE";
static const char cors_headers[] = "Authorization, Content-Type, If-Match";
static const char cors_expose[] = "Location, ETag, Link";
static const char html_csp[] = "default-src 'self' 'unsafe-inline'";
static const char ctype_sdp[] = "application/sdp";
static const char ctype_frag[] = "application/trickle-ice-sdpfrag";
static const char ctype_text[] = "text/plain; charset=utf-8";
static const char ctype_html[] = "text/html; charset=utf-8";
static const char ctype_metrics[] = "text/plain; version=0.0.4; charset=utf-8";

/* URL parameters of a request, valid by construction (match()). */
struct params {
	char stream[WF_CONF_NAME_LEN + 1];
	char id[WF_SESSION_ID_LEN + 1];
};

typedef void (*route_fn)(struct wf_http_req *r);

/* Route flags: what wf_http_begin() checks before any body is read. */
#define R_STREAM	0x1	/* {stream} must be configured, else 404 */
#define R_AUTH		0x2	/* the stream's bearer token, when it has one */
#define R_ADMIT		0x4	/* per-address POST rate, session caps (admission.h) */
#define R_WHIP		0x8	/* WHIP: the publisher's role and publish_token */

struct route {
	const char *method;	/* "GET" also serves HEAD */
	const char *pattern;	/* literal text, {stream} and {id} segments */
	unsigned flags;		/* R_* */
	const char *ctype;	/* required Content-Type of the body, or NULL */
	route_fn fn;
};

/* One request in progress. */
struct wf_http_req {
	const struct wf_http_request *in;	/* during wf_http_begin() only */
	const struct route *route;
	struct params p;
	uint64_t client;	/* POST: the client key admission counts (xff.h) */
	char *body;		/* NUL-terminated, len bytes */
	size_t len, cap;
	bool too_big;
	size_t discarded;
	bool answered;		/* reply is final */
	char *heap;		/* reply body to free (a page, /metrics, an answer) */
	char text[WF_HTTP_TEXT_MAX];
	struct wf_http_reply reply;
};

static struct {
	bool up;
	const struct wf_config *cfg;
	struct wf_http_ops ops;
	char answer[WF_HTTP_ANSWER_MAX];
} router;

static void get_index(struct wf_http_req *r);
static void get_metrics(struct wf_http_req *r);
static void get_redirect(struct wf_http_req *r);
static void get_player(struct wf_http_req *r);
static void get_publish(struct wf_http_req *r);
static void post_offer(struct wf_http_req *r);
static void patch_session(struct wf_http_req *r);
static void delete_session(struct wf_http_req *r);
static void options_session(struct wf_http_req *r);

/* The first row whose pattern and method match serves the request; a
 * pattern that matches with no row of the method is a 405 listing the
 * methods of the rows it matches.  Literal rows go above {stream} rows. */
static const struct route routes[] = {
	{ "GET",     "/",                   0,                           NULL,       get_index },
	{ "GET",     "/metrics",            0,                           NULL,       get_metrics },
	{ "GET",     "/{stream}",           R_STREAM,                    NULL,       get_redirect },
	{ "GET",     "/{stream}/",          R_STREAM,                    NULL,       get_player },
	{ "GET",     "/{stream}/publish",   R_STREAM,                    NULL,       get_publish },
	{ "POST",    "/{stream}/whep",      R_ADMIT | R_STREAM | R_AUTH, ctype_sdp,  post_offer },
	{ "OPTIONS", "/{stream}/whep",      0,                           NULL,       options_session },
	{ "PATCH",   "/{stream}/whep/{id}", R_STREAM | R_AUTH,           ctype_frag, patch_session },
	{ "DELETE",  "/{stream}/whep/{id}", R_STREAM | R_AUTH,           NULL,       delete_session },
	{ "OPTIONS", "/{stream}/whep/{id}", 0,                           NULL,       options_session },
	{ "POST",    "/{stream}/whip",      R_ADMIT | R_STREAM | R_WHIP, ctype_sdp,  post_offer },
	{ "OPTIONS", "/{stream}/whip",      R_WHIP,                      NULL,       options_session },
	{ "PATCH",   "/{stream}/whip/{id}", R_STREAM | R_WHIP,           ctype_frag, patch_session },
	{ "DELETE",  "/{stream}/whip/{id}", R_STREAM | R_WHIP,           NULL,       delete_session },
	{ "OPTIONS", "/{stream}/whip/{id}", R_WHIP,                      NULL,       options_session },
};

/* The session role and URL segment of r's route. */
static enum wf_session_role role_of(const struct wf_http_req *r)
{
	return r->route->flags & R_WHIP ? WF_SESSION_PUBLISHER : WF_SESSION_VIEWER;
}

static const char *segment_of(const struct wf_http_req *r)
{
	return r->route->flags & R_WHIP ? "whip" : "whep";
}

/* ---- validation ---------------------------------------------------------- */

static bool is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

/* [A-Za-z0-9_-]{1,63}, the names conf.c accepts. */
static bool valid_stream(const char *s, size_t n)
{
	size_t i;

	if (n < 1 || n > WF_CONF_NAME_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!is_name_char(s[i]))
			return false;
	return true;
}

/* 32 lowercase hex digits (session.h). */
static bool valid_id(const char *s, size_t n)
{
	size_t i;

	if (n != WF_SESSION_ID_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Printable ASCII only, so a value from elsewhere cannot split a header. */
static bool safe_header_value(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (*s < 0x20 || *s > 0x7e || n > 256)
			return false;
	return n > 0;
}

/* Matches url against pattern, filling *p.  A parameter is a whole
 * segment (up to the next '/') and must be valid as a whole; anything else
 * must be equal byte for byte.  Never reads past url's NUL. */
static bool match(const char *pattern, const char *url, struct params *p)
{
	while (*pattern) {
		if (*pattern == '{') {
			size_t n = strcspn(url, "/");

			if (!strncmp(pattern, "{stream}", 8)) {
				if (!valid_stream(url, n))
					return false;
				memcpy(p->stream, url, n);
				p->stream[n] = '\0';
				pattern += 8;
			} else if (!strncmp(pattern, "{id}", 4)) {
				if (!valid_id(url, n))
					return false;
				memcpy(p->id, url, n);
				p->id[n] = '\0';
				pattern += 4;
			} else {
				return false;	/* a typo in the table */
			}
			url += n;
			continue;
		}
		if (*pattern != *url)
			return false;
		pattern++;
		url++;
	}
	return *url == '\0';
}

static bool method_is(const struct route *r, const char *method)
{
	return !strcmp(r->method, method) ||
	       (!strcmp(r->method, "GET") && !strcmp(method, "HEAD"));
}

static const struct route *route_find(const char *method, const char *url, struct params *p)
{
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (method_is(&routes[i], method) && match(routes[i].pattern, url, p))
			return &routes[i];
	return NULL;
}

/* The methods of every row whose pattern matches url ("GET, HEAD" for a
 * GET row), comma-separated into allow[ALLOW_MAX]; returns how many rows. */
static unsigned allow_for(const char *url, char *allow)
{
	struct params p;
	unsigned n = 0;
	size_t i;

	allow[0] = '\0';
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const char *m = routes[i].method;

		if (!match(routes[i].pattern, url, &p))
			continue;
		n++;
		if (strstr(allow, m))
			continue;
		if (allow[0])
			strncat(allow, ", ", ALLOW_MAX - strlen(allow) - 1);
		strncat(allow, m, ALLOW_MAX - strlen(allow) - 1);
		if (!strcmp(m, "GET"))
			strncat(allow, ", HEAD", ALLOW_MAX - strlen(allow) - 1);
	}
	return n;
}

/* ---- replies ------------------------------------------------------------- */

/* Adds a header to r's reply; a value too long for the reply is cut (none
 * of ours is: every one from elsewhere passed safe_header_value()). */
static void add_header(struct wf_http_req *r, const char *name, const char *value)
{
	struct wf_http_reply *rp = &r->reply;

	if (rp->n_headers >= WF_HTTP_REPLY_HEADERS)
		return;
	rp->h[rp->n_headers].name = name;
	snprintf(rp->h[rp->n_headers].value, sizeof(rp->h[0].value), "%s", value);
	rp->n_headers++;
}

enum { RESP_PLAIN = 0, RESP_HTML = 1 };	/* finish_reply() kinds */

/* Makes r's reply final with status: adds the headers every answer
 * carries (CORS when http.cors_origin is set, nosniff, no-store; a page's
 * CSP and Referrer-Policy). */
static void finish_reply(struct wf_http_req *r, unsigned status, unsigned kind)
{
	const char *origin = router.cfg->http.cors_origin;

	r->reply.status = status;
	r->answered = true;
	/* RFC 9110 §15.5.2: a 401 carries the challenge, whoever chose it
	 * (a session layer's refusal passes through as it comes) */
	if (status == 401 && !wf_http_reply_header(&r->reply, "WWW-Authenticate"))
		add_header(r, "WWW-Authenticate", "Bearer realm=\"whepfan\"");
	if (origin[0] && safe_header_value(origin)) {
		add_header(r, "Access-Control-Allow-Origin", origin);
		add_header(r, "Access-Control-Allow-Methods", cors_methods);
		add_header(r, "Access-Control-Allow-Headers", cors_headers);
		add_header(r, "Access-Control-Expose-Headers", cors_expose);
	}
	add_header(r, "X-Content-Type-Options", "nosniff");
	add_header(r, "Cache-Control", "no-store");
	if (kind == RESP_HTML) {
		add_header(r, "Content-Security-Policy", html_csp);
		/* the player's URL may carry ?token= */
		add_header(r, "Referrer-Policy", "no-referrer");
	}
}

/* No answer: the connection is closed (out of memory). */
static void reply_close(struct wf_http_req *r)
{
	r->reply.status = 0;
	r->reply.n_headers = 0;
	r->reply.body = NULL;
	r->reply.len = 0;
	r->answered = true;
}

/* Sets r's reply body to a text/plain line: fmt formatted, every control
 * byte (CR, LF, NUL...) made a space, then one '\n'. */
__attribute__((format(printf, 2, 3)))
static void set_text(struct wf_http_req *r, const char *fmt, ...)
{
	char *buf = r->text;
	size_t cap = sizeof(r->text);
	va_list ap;
	size_t i, n;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, cap - 1, fmt, ap);
	va_end(ap);
	n = len < 0 ? 0 : (size_t)len < cap - 1 ? (size_t)len : cap - 2;
	for (i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = ' ';
	buf[n++] = '\n';
	r->reply.body = buf;
	r->reply.len = n;
	add_header(r, "Content-Type", ctype_text);
}

#define reply_text(r, status, ...) do { \
	set_text((r), __VA_ARGS__); \
	finish_reply((r), (status), RESP_PLAIN); \
} while (0)

/* A heap body (a page, /metrics) of len bytes with its Content-Type;
 * r frees it at wf_http_end(). */
static void reply_heap(struct wf_http_req *r, char *body, size_t len, const char *ctype,
		       unsigned kind)
{
	r->heap = body;
	r->reply.body = body;
	r->reply.len = len;
	add_header(r, "Content-Type", ctype);
	finish_reply(r, 200, kind);
}

static const char *status_text(unsigned status)
{
	switch (status) {
	case 400: return "bad request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not found";
	case 406: return "the offer has none of the stream's codecs";
	case 409: return "the stream has no source yet";
	case 413: return "body too large";
	case 415: return "unsupported media type";
	case 429: return "too many requests";
	case 503: return "no room for another session";
	default: return "error";
	}
}

/* A refusal: status, reason as the one-line body, and Retry-After
 * (RFC 9110 §10.2.3) when secs is not 0.  A 429 (RFC 6585 §4) or 503
 * (RFC 9110 §15.6.4) always says when to come back, RETRY_DEFAULT_S when
 * its source gave no time: the player and WHEP clients wait as it says
 * rather than retrying at once. */
static void reply_retry(struct wf_http_req *r, unsigned status, unsigned secs,
			const char *reason)
{
	char v[16];

	if (!secs && (status == 429 || status == 503))
		secs = RETRY_DEFAULT_S;
	set_text(r, "%s", reason);
	if (secs) {
		snprintf(v, sizeof(v), "%u", secs);
		add_header(r, "Retry-After", v);
	}
	finish_reply(r, status, RESP_PLAIN);
}

/* ---- the request's headers ------------------------------------------------- */

struct first_value {
	const char *name;
	const char *value;
};

static void find_first(void *arg, const char *name, const char *value)
{
	struct first_value *f = arg;

	if (!f->value && value && !strcasecmp(name, f->name))
		f->value = value;
}

/* The first value of header name (case-insensitive), or NULL. */
static const char *header(const struct wf_http_req *r, const char *name)
{
	struct first_value f = { .name = name, .value = NULL };

	r->in->each_header(r->in->hctx, find_first, &f);
	return f.value;
}

/* Whether the Content-Type's media type is want (case-insensitive, RFC
 * 9110 §8.3.1; parameters after ';' are ignored). */
static bool content_type_is(const struct wf_http_req *r, const char *want)
{
	const char *v = header(r, "Content-Type");
	size_t n = strlen(want);

	if (!v)
		return false;
	v += strspn(v, " \t");
	if (strncasecmp(v, want, n))
		return false;
	v += n;
	v += strspn(v, " \t");
	return *v == '\0' || *v == ';';
}

/* Compares a and b in time independent of their contents and lengths:
 * both are hashed and the digests compared with CRYPTO_memcmp. */
static bool secret_equal(const char *a, size_t a_len, const char *b, size_t b_len)
{
	unsigned char da[EVP_MAX_MD_SIZE], db[EVP_MAX_MD_SIZE];
	unsigned la = 0, lb = 0;

	if (!EVP_Digest(a, a_len, da, &la, EVP_sha256(), NULL) ||
	    !EVP_Digest(b, b_len, db, &lb, EVP_sha256(), NULL) || la != lb)
		return false;
	return CRYPTO_memcmp(da, db, la) == 0;
}

/* The bearer token of "Authorization: Bearer <token>" (RFC 6750 §2.1; the
 * scheme is case-insensitive, RFC 9110 §11.1): checked against token. */
static bool bearer_ok(const struct wf_http_req *r, const char *token, bool *given)
{
	const char *v = header(r, "Authorization");
	size_t n;

	*given = false;
	if (!v)
		return false;
	v += strspn(v, " \t");
	if (strncasecmp(v, "Bearer", 6) || (v[6] != ' ' && v[6] != '\t'))
		return false;
	v += 6;
	v += strspn(v, " \t");
	n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	*given = n > 0;
	return secret_equal(v, n, token, strlen(token));
}

/* Content-Length as a number, or -1 when absent (chunked) or unreadable
 * (libmicrohttpd refuses a malformed one before we see it). */
static long long content_length(const struct wf_http_req *r)
{
	const char *v = header(r, "Content-Length");
	unsigned long long n;
	char *end;

	if (!v || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end != '\0' || n > (unsigned long long)INT64_MAX)
		return errno == ERANGE ? INT64_MAX : -1;
	return (long long)n;
}

struct framing {
	unsigned content_length;	/* Content-Length headers */
	unsigned transfer_encoding;	/* Transfer-Encoding headers */
	bool chunked;			/* the (last) one is exactly "chunked" */
	bool bad_name;			/* a name that is not a token, or a folded framing one */
};

/* RFC 9110 §5.6.2 tchar. */
static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static void count_framing(void *arg, const char *name, const char *value)
{
	struct framing *f = arg;
	const char *s;

	/* libmicrohttpd 0.9.75 keeps "Content-Length : 5" as a header named
	 * "Content-Length " and glues an obs-fold line to the name
	 * ("Content-Length:\r\n 5" -> "Content-Length5"): neither it nor we
	 * would see a length a proxy in front may honour (RFC 9112 §5.1, §5.2) */
	for (s = name; *s; s++)
		if (!is_tchar((unsigned char)*s))
			f->bad_name = true;
	if (!*name || (!strncasecmp(name, "Content-Length", 14) && name[14]) ||
	    (!strncasecmp(name, "Transfer-Encoding", 17) && name[17]))
		f->bad_name = true;
	if (!strcasecmp(name, "Content-Length")) {
		f->content_length++;
	} else if (!strcasecmp(name, "Transfer-Encoding")) {
		f->transfer_encoding++;
		f->chunked = value && !strcasecmp(value, "chunked");
	}
}

/* The status that refuses an ambiguous body length, or 0.  libmicrohttpd
 * takes the first Content-Length, and chunked over Content-Length; a proxy
 * in front may pick the other one (request smuggling), so both are
 * refused: RFC 9112 §6.3 (items 3 and 5), §6.1 (unknown coding: 501). */
static unsigned framing_refusal(const struct wf_http_req *r)
{
	struct framing f = { 0 };

	r->in->each_header(r->in->hctx, count_framing, &f);
	if (f.bad_name || f.content_length > 1 || (f.content_length && f.transfer_encoding) ||
	    f.transfer_encoding > 1)
		return 400;
	if (f.transfer_encoding && !f.chunked)
		return 501;
	return 0;
}

/* X-Forwarded-For header lines of a request, in order. */
struct xff {
	const char *v[WF_XFF_MAX_LINES];
	unsigned n;
	bool too_many;
};

static void collect_xff(void *arg, const char *name, const char *value)
{
	struct xff *x = arg;

	if (strcasecmp(name, "X-Forwarded-For"))
		return;
	if (x->n < WF_XFF_MAX_LINES && value)
		x->v[x->n++] = value;
	else
		x->too_many = true;
}

/* The client key (xff.h) admission counts for r: its TCP peer, unless
 * that is a trusted proxy (http.trusted_proxies) that sent
 * X-Forwarded-For, read by wf_xff_client().  Returns 0 with *client, or
 * -EINVAL when a trusted proxy's header cannot be read: counted
 * (xff_malformed), logged at most once a second, and the caller refuses
 * the request with 400 (falling back to the proxy's address would put
 * every client in one bucket). */
static int client_of(const struct wf_http_req *r, uint64_t *client)
{
	static uint64_t logged_ms;
	const struct wf_config_http *h = &router.cfg->http;
	uint32_t peer = r->in->peer;
	struct xff x = { .n = 0 };
	char ip[16];
	uint64_t now;
	int rc;

	*client = wf_xff_key_v4(peer);
	if (!h->n_trusted_proxies ||
	    !wf_conf_cidr_match(h->trusted_proxies, h->n_trusted_proxies, peer))
		return 0;	/* never believed from others */
	r->in->each_header(r->in->hctx, collect_xff, &x);
	if (x.n == 0 && !x.too_many)
		return 0;	/* the proxy's own request */
	rc = x.too_many ? -E2BIG : wf_xff_client(x.v, x.n, h->trusted_proxies,
						 h->n_trusted_proxies, client);
	if (rc == 0) {
		*client = wf_xff_key_prefix(*client, h->ipv6_prefix_len);
		return 0;
	}
	wf_adm_count(WF_ADM_XFF_BAD);
	now = wf_adm_now_ms();
	if (now - logged_ms >= XFF_LOG_MS) {
		logged_ms = now;
		wf_text_ipv4_fmt(peer, ip);
		WF_LOG(NOTICE, "http: X-Forwarded-For from trusted proxy %s %s: refused with 400\n",
		       ip, rc == -E2BIG ? "too long" : "not readable");
	}
	return -EINVAL;
}

/* A POST's admission (admission.h), on the headers: true when client may
 * go on; else r is answered with the 429 (or 503). */
static bool admit_post(struct wf_http_req *r, uint64_t client)
{
	struct wf_adm_limits l;
	unsigned retry = 1;
	int rc;

	wf_adm_limits_of(router.cfg, &l);
	rc = wf_adm_post(&wf_admission, client, &l, wf_adm_now_ms(), &retry);
	if (rc == 0)
		return true;
	if (rc == -EAGAIN)
		reply_retry(r, 429, retry, WF_ADM_RATE_TEXT);
	else if (rc == -EBUSY)
		reply_retry(r, 429, retry, WF_ADM_PENDING_TEXT);
	else if (rc == -EDQUOT)
		reply_retry(r, 429, retry, WF_ADM_SESSIONS_TEXT);
	else
		reply_retry(r, 503, retry, "no room to track this address");
	return false;
}

/* ---- handlers ------------------------------------------------------------ */

static void get_index(struct wf_http_req *r)
{
	size_t len;
	char *page = wf_player_index(router.cfg, &len);

	if (!page) {
		reply_text(r, 500, "out of memory");
		return;
	}
	reply_heap(r, page, len, ctype_html, RESP_HTML);
}

/* Prometheus text exposition (ops.metrics: metrics.c). */
static void get_metrics(struct wf_http_req *r)
{
	size_t len = 0;
	char *text = router.ops.metrics(&len);

	if (!text) {
		reply_text(r, 500, "out of memory");
		return;
	}
	reply_heap(r, text, len, ctype_metrics, RESP_PLAIN);
}

static void get_redirect(struct wf_http_req *r)
{
	char where[WF_CONF_NAME_LEN + 3];

	set_text(r, "moved to /%s/", r->p.stream);
	snprintf(where, sizeof(where), "/%s/", r->p.stream);
	add_header(r, "Location", where);
	finish_reply(r, 301, RESP_PLAIN);
}

static void get_player(struct wf_http_req *r)
{
	size_t len;
	char *page = wf_player_page(r->p.stream, &len);

	if (!page) {
		reply_text(r, 500, "out of memory");
		return;
	}
	reply_heap(r, page, len, ctype_html, RESP_HTML);
}

/* The publisher page of a WHIP stream.  It needs no token: the user types
 * the publish token into it, and POST /<stream>/whip checks it. */
static void get_publish(struct wf_http_req *r)
{
	const struct wf_config_stream *st = wf_config_stream_find(router.cfg, r->p.stream);
	size_t len;
	char *page;

	if (!st || st->ingest != WF_CONF_INGEST_WHIP) {
		reply_text(r, 404, "stream %s takes no publisher (ingest = \"%s\")", r->p.stream,
			   st ? wf_conf_ingest_name(st->ingest) : "?");
		return;
	}
	page = wf_publish_page(r->p.stream, &len);
	if (!page) {
		reply_text(r, 500, "out of memory");
		return;
	}
	reply_heap(r, page, len, ctype_html, RESP_HTML);
}

/* 201 Created (draft-ietf-wish-whep §4.2): the answer, the session's URL
 * in Location and its ETag. */
static void created(struct wf_http_req *r, const struct wf_whep_result *res)
{
	char where[WF_CONF_NAME_LEN + WF_SESSION_ID_LEN + 8];
	const char *etag;

	if (!valid_id(res->id, strnlen(res->id, sizeof(res->id))) || res->answer_len == 0 ||
	    res->answer_len > sizeof(router.answer)) {
		WF_LOG(ERR, "http: the session layer returned 201 without a valid id or answer\n");
		reply_text(r, 500, "internal error: no valid session");
		return;
	}
	/* the answer buffer is every POST's: the reply keeps its own copy,
	 * which lives until wf_http_end() as the header promises */
	r->heap = malloc(res->answer_len);
	if (!r->heap) {
		reply_retry(r, 503, 1, "out of memory");
		return;
	}
	memcpy(r->heap, router.answer, res->answer_len);
	r->reply.body = r->heap;
	r->reply.len = res->answer_len;
	snprintf(where, sizeof(where), "/%s/%s/%s", r->p.stream, segment_of(r), res->id);
	add_header(r, "Location", where);
	add_header(r, "Content-Type", ctype_sdp);
	etag = router.ops.etag ? router.ops.etag(res->id) : NULL;
	if (etag && safe_header_value(etag))
		add_header(r, "ETag", etag);
	finish_reply(r, 201, RESP_PLAIN);
}

/* A refusal from the session layer: its status (4xx/5xx, else 500), its
 * reason as the body, Retry-After when it gave one (and always on a 429
 * or 503: reply_retry()). */
static void refused(struct wf_http_req *r, int status, unsigned retry_after,
		    const char *reason)
{
	unsigned st = status >= 400 && status <= 599 ? (unsigned)status : 500;

	reply_retry(r, st, retry_after, reason[0] ? reason : status_text(st));
}

static void post_offer(struct wf_http_req *r)
{
	struct wf_whep_result res;

	if (r->len == 0) {
		reply_text(r, 400, "the body must be an SDP offer");
		return;
	}
	memset(&res, 0, sizeof(res));
	router.ops.offer(role_of(r), r->p.stream, r->client, r->body, r->len, router.answer,
			 sizeof(router.answer), &res);
	if (res.status == 201) {
		created(r, &res);
		return;
	}
	res.reason[sizeof(res.reason) - 1] = '\0';
	refused(r, res.status, res.retry_after, res.reason);
}

static void patch_session(struct wf_http_req *r)
{
	char reason[WF_SESSION_REASON_LEN] = "";
	int status;

	status = router.ops.patch(role_of(r), r->p.stream, r->p.id, r->body ? r->body : "",
				  r->len, reason, sizeof(reason));
	reason[sizeof(reason) - 1] = '\0';
	if (status == 204) {
		finish_reply(r, 204, RESP_PLAIN);
		return;
	}
	if (status == 404) {
		reply_text(r, 404, "no session %s on stream %s", r->p.id, r->p.stream);
		return;
	}
	refused(r, status, 0, reason);
}

static void delete_session(struct wf_http_req *r)
{
	int status = router.ops.del(role_of(r), r->p.stream, r->p.id);

	if (status == 200)
		reply_text(r, 200, "session %s ended", r->p.id);
	else if (status == 404)
		reply_text(r, 404, "no session %s on stream %s", r->p.id, r->p.stream);
	else
		reply_text(r, 500, "could not end session %s", r->p.id);
}

/* OPTIONS (draft-ietf-wish-whep §4.1, RFC 9725 §4.1 and the CORS
 * preflight): any valid stream name gets 204, so a browser on another
 * origin sees the POST's real answer (404 ...) rather than a failed
 * preflight. */
static void options_session(struct wf_http_req *r)
{
	char url[WF_CONF_NAME_LEN + WF_SESSION_ID_LEN + 8];
	char allow[ALLOW_MAX];

	if (r->p.id[0]) {
		snprintf(url, sizeof(url), "/%s/%s/%s", r->p.stream, segment_of(r), r->p.id);
		allow_for(url, allow);
		add_header(r, "Accept-Patch", ctype_frag);
	} else {
		snprintf(url, sizeof(url), "/%s/%s", r->p.stream, segment_of(r));
		allow_for(url, allow);
		add_header(r, "Accept-Post", ctype_sdp);
	}
	add_header(r, "Allow", allow);
	if (router.cfg->http.cors_origin[0])
		add_header(r, "Access-Control-Max-Age", "86400");
	finish_reply(r, 204, RESP_PLAIN);
}

/* No row serves method on url: 405 with Allow when the URL has rows for
 * other methods, else 404. */
static void no_route(struct wf_http_req *r, const char *url)
{
	char allow[ALLOW_MAX];

	if (!allow_for(url, allow)) {
		reply_text(r, 404, "not found");
		return;
	}
	set_text(r, "method not allowed here (allowed: %s)", allow);
	add_header(r, "Allow", allow);
	finish_reply(r, 405, RESP_PLAIN);
}

/* ---- the request's life ------------------------------------------------- */

/* 401 with the challenge of RFC 6750 §3 (invalid_token when one was
 * given) and why as the body. */
static void unauthorized(struct wf_http_req *r, bool given, const char *why)
{
	set_text(r, "%s", why);
	add_header(r, "WWW-Authenticate", given ?
		   "Bearer realm=\"whepfan\", error=\"invalid_token\"" :
		   "Bearer realm=\"whepfan\"");
	finish_reply(r, 401, RESP_PLAIN);
}

/* A WHIP request's stream and token (streams[].publish_token, compared
 * in constant time as the viewers' token is): true when it may go on,
 * else r is answered: 404 for a stream that takes no publisher, 401
 * without the publish token (always when the stream has none: nobody
 * publishes by accident). */
static bool publisher_ok(struct wf_http_req *r, const struct wf_config_stream *st)
{
	bool given = false;

	if (st->ingest != WF_CONF_INGEST_WHIP) {
		reply_text(r, 404, "stream %s takes no publisher (ingest = \"%s\")", st->name,
			   wf_conf_ingest_name(st->ingest));
		return false;
	}
	switch (st->publish) {
	case WF_CONF_PUBLISH_OPEN:
		return true;
	case WF_CONF_PUBLISH_BEARER:
		if (bearer_ok(r, st->publish_token, &given))
			return true;
		unauthorized(r, given, given ? "wrong publish token" :
			     "publishing to this stream needs its publish token");
		return false;
	default:
		given = header(r, "Authorization") != NULL;
		unauthorized(r, given, "this stream takes no publisher: it has no publish_token");
		return false;
	}
}

/* The checks of wf_http_begin(): either answers r at once (the body is
 * never read) or sets it up for the body. */
static void check_headers(struct wf_http_req *r)
{
	const struct wf_http_request *in = r->in;
	const struct wf_config_stream *st = NULL;
	const struct route *route;
	long long length;
	bool given;

	switch (framing_refusal(r)) {
	case 400:
		reply_text(r, 400, "ambiguous body length (Content-Length, Transfer-Encoding)");
		return;
	case 501:
		reply_text(r, 501, "only the chunked transfer coding is supported");
		return;
	default:
		break;
	}
	route = route_find(in->method, in->url, &r->p);
	if (!route) {
		no_route(r, in->url);
		return;
	}
	/* before anything costly (a token check, the body): admission */
	if ((route->flags & R_ADMIT) && client_of(r, &r->client) < 0) {
		reply_text(r, 400, "X-Forwarded-For from the proxy cannot be read");
		return;
	}
	if ((route->flags & R_ADMIT) && !admit_post(r, r->client))
		return;
	if (route->flags & R_STREAM) {
		st = wf_config_stream_find(router.cfg, r->p.stream);
		if (!st) {
			reply_text(r, 404, "no stream named %s", r->p.stream);
			return;
		}
	}
	if ((route->flags & R_AUTH) && st && st->token[0] && !bearer_ok(r, st->token, &given)) {
		unauthorized(r, given, given ? "wrong bearer token" :
			     "this stream needs a bearer token");
		return;
	}
	if ((route->flags & R_WHIP) && st && !publisher_ok(r, st))
		return;
	if (route->ctype && !content_type_is(r, route->ctype)) {
		reply_text(r, 415, "Content-Type must be %s", route->ctype);
		return;
	}
	length = content_length(r);
	/* a body only where a route reads one (an offer, a trickle fragment):
	 * elsewhere it would hold up to http.max_body per connection for
	 * nothing, before any admission (attacker review of the router) */
	if (!route->ctype && (length > 0 || header(r, "Transfer-Encoding"))) {
		reply_text(r, 413, "this request takes no body");
		return;
	}
	if (length > (long long)router.cfg->http.max_body) {
		reply_text(r, 413, "the body is over %u bytes", router.cfg->http.max_body);
		return;
	}
	r->route = route;
	if (length > 0) {
		r->cap = (size_t)length + 1;
		r->body = malloc(r->cap);
		if (!r->body)
			reply_close(r);
	}
}

struct wf_http_req *wf_http_begin(const struct wf_http_request *in)
{
	struct wf_http_req *r;

	if (!router.up || !in || !in->method || !in->url || !in->each_header)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->in = in;
	check_headers(r);
	r->in = NULL;
	return r;
}

const struct wf_http_reply *wf_http_answered(const struct wf_http_req *r)
{
	return r && r->answered ? &r->reply : NULL;
}

int wf_http_body(struct wf_http_req *r, const char *data, size_t n)
{
	size_t max = router.cfg->http.max_body;

	if (r->answered || n == 0)
		return 0;
	if (r->too_big) {
		r->discarded += n;
		return r->discarded > WF_HTTP_DISCARD_MAX ? -E2BIG : 0;
	}
	if (n > max - r->len) {
		r->too_big = true;
		r->discarded = r->len + n;
		free(r->body);
		r->body = NULL;
		r->len = r->cap = 0;
		return 0;
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 1024;
		char *body;

		while (cap < r->len + n + 1)
			cap *= 2;
		if (cap > max + 1)
			cap = max + 1;
		body = realloc(r->body, cap);
		if (!body)
			return -ENOMEM;
		r->body = body;
		r->cap = cap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return 0;
}

const struct wf_http_reply *wf_http_finish(struct wf_http_req *r)
{
	if (r->answered)
		return &r->reply;
	if (r->too_big)
		reply_text(r, 413, "the body is over %u bytes", router.cfg->http.max_body);
	else
		r->route->fn(r);
	return &r->reply;
}

void wf_http_end(struct wf_http_req *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->heap);
	free(r);
}

const char *wf_http_reply_header(const struct wf_http_reply *rp, const char *name)
{
	unsigned i;

	for (i = 0; i < rp->n_headers; i++)
		if (!strcasecmp(rp->h[i].name, name))
			return rp->h[i].value;
	return NULL;
}

/* ---- the router ---------------------------------------------------------- */

int wf_http_router_init(const struct wf_config *cfg, const struct wf_http_ops *ops)
{
	int err;

	if (router.up)
		return -EALREADY;
	if (!cfg || !ops || !ops->offer || !ops->del || !ops->patch || !ops->metrics)
		return -EINVAL;
	err = wf_adm_init(&wf_admission, cfg->http.max_sessions + WF_ADM_SPARE);
	if (err) {
		WF_LOG(ERR, "http: no memory for the admission table: %s\n", strerror(-err));
		return err;
	}
	router.cfg = cfg;
	router.ops = *ops;
	router.up = true;
	return 0;
}

void wf_http_router_fini(void)
{
	if (!router.up)
		return;
	router.up = false;
	router.cfg = NULL;
	wf_adm_fini(&wf_admission);
}
