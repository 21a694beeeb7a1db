/* http.c: the WHEP/HTTP server (http.h).
 *
 * libmicrohttpd calls on_request() several times per request: once when the
 * headers are in (begin(): route, the POST's admission for its client
 * address, stream, token, Content-Type and Content-Length are checked
 * there, so a refusal costs no body), once per piece of body (absorb():
 * kept up to http.max_body), and once at the end (the route's handler).
 * Every answer goes through send_response(), which adds the CORS and
 * security headers.  Nothing from the request reaches a header or a reason
 * unchecked: URL parameters are validated whole by the route patterns
 * ({stream}, {id}) and texts are stripped of control bytes.
 *
 * Admission (admission.h): the client is the TCP peer, or what a trusted
 * proxy says in X-Forwarded-For (client_of(), xff.h: IPv4 or an IPv6 /64).
 * Connections are watched from accept to close (http_conn.h): on_accept()
 * limits them per address, on_connection() and on_completed() tell
 * http_conn.c when they open, finish a request and close, and
 * wf_http_run() enforces the request deadline and the reserve of free
 * slots before each MHD_run().
 */
#include "http.h"
#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "admission.h"
#include "http_conn.h"
#include "log.h"
#include "player.h"
#include "xff.h"
#include "conf/text.h"

/* Body bytes we read and throw away after http.max_body before closing the
 * connection without an answer (a chunked body has no length up front). */
#define DISCARD_MAX		(1024 * 1024)
#define TEXT_MAX		512	/* a text/plain refusal */
#define ALLOW_MAX		64	/* "GET, HEAD, POST, ..." */
#define XFF_LOG_MS		1000	/* at most one log line per second */
#define CLOSE_LOG_MS		10000	/* connections closed by us: one line per 10 s */

static const char cors_methods[] = "OPTIONS, POST, PATCH, DELETE";
static const char cors_headers[] = "Authorization, Content-Type, If-Match";
static const char cors_expose[] = "Location, ETag, Link";
static const char html_csp[] = "default-src 'self' 'unsafe-inline'";
static const char ctype_sdp[] = "application/sdp";
static const char ctype_frag[] = "application/trickle-ice-sdpfrag";
static const char ctype_text[] = "text/plain; charset=utf-8";
static const char ctype_html[] = "text/html; charset=utf-8";

/* URL parameters of a request, valid by construction (match()). */
struct params {
	char stream[WF_CONF_NAME_LEN + 1];
	char id[WF_SESSION_ID_LEN + 1];
};

struct req;
typedef enum MHD_Result (*route_fn)(struct MHD_Connection *c, struct req *rq);

/* Route flags: what begin() checks before any body is read. */
#define R_STREAM	0x1	/* {stream} must be configured, else 404 */
#define R_AUTH		0x2	/* the stream's bearer token, when it has one */
#define R_ADMIT		0x4	/* per-address POST rate, session caps (admission.h) */

struct route {
	const char *method;	/* "GET" also serves HEAD */
	const char *pattern;	/* literal text, {stream} and {id} segments */
	unsigned flags;		/* R_* */
	const char *ctype;	/* required Content-Type of the body, or NULL */
	route_fn fn;
};

/* One request in progress (libmicrohttpd's per-request pointer). */
struct req {
	const struct route *route;
	struct params p;
	uint64_t client;	/* POST: the client key admission counts (xff.h) */
	char *body;		/* NUL-terminated, len bytes */
	size_t len, cap;
	bool too_big;
	size_t discarded;
};

static struct {
	struct MHD_Daemon *d;
	const struct wf_config *cfg;
	struct wf_http_ops ops;
	char answer[WF_HTTP_ANSWER_MAX];
} http;

static enum MHD_Result get_index(struct MHD_Connection *c, struct req *rq);
static enum MHD_Result get_metrics(struct MHD_Connection *c, struct req *rq);
static enum MHD_Result get_redirect(struct MHD_Connection *c, struct req *rq);
static enum MHD_Result get_player(struct MHD_Connection *c, struct req *rq);
static enum MHD_Result post_offer(struct MHD_Connection *c, struct req *rq);
static enum MHD_Result patch_session(struct MHD_Connection *c, struct req *rq);
static enum MHD_Result delete_session(struct MHD_Connection *c, struct req *rq);
static enum MHD_Result options_whep(struct MHD_Connection *c, struct req *rq);

/* The first row whose pattern and method match serves the request; a
 * pattern that matches with no row of the method is a 405 listing the
 * methods of the rows it matches.  Literal rows go above {stream} rows
 * (issue 6 adds { "GET", "/metrics", 0, NULL, get_metrics } first). */
static const struct route routes[] = {
	{ "GET",     "/",                   0,                           NULL,       get_index },
	{ "GET",     "/metrics",            0,                           NULL,       get_metrics },
	{ "GET",     "/{stream}",           R_STREAM,                    NULL,       get_redirect },
	{ "GET",     "/{stream}/",          R_STREAM,                    NULL,       get_player },
	{ "POST",    "/{stream}/whep",      R_ADMIT | R_STREAM | R_AUTH, ctype_sdp,  post_offer },
	{ "OPTIONS", "/{stream}/whep",      0,                           NULL,       options_whep },
	{ "PATCH",   "/{stream}/whep/{id}", R_STREAM | R_AUTH,           ctype_frag, patch_session },
	{ "DELETE",  "/{stream}/whep/{id}", R_STREAM | R_AUTH,           NULL,       delete_session },
	{ "OPTIONS", "/{stream}/whep/{id}", 0,                           NULL,       options_whep },
};

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

/* ---- responses ----------------------------------------------------------- */

enum { RESP_PLAIN = 0, RESP_HTML = 1 };	/* send_response() kinds */

/* Adds the headers every answer carries, queues resp with status and
 * drops our reference.  resp NULL (out of memory): the connection closes. */
static enum MHD_Result send_response(struct MHD_Connection *c, unsigned status,
				     struct MHD_Response *resp, unsigned kind)
{
	const char *origin = http.cfg->http.cors_origin;
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	if (origin[0] && safe_header_value(origin)) {
		MHD_add_response_header(resp, "Access-Control-Allow-Origin", origin);
		MHD_add_response_header(resp, "Access-Control-Allow-Methods", cors_methods);
		MHD_add_response_header(resp, "Access-Control-Allow-Headers", cors_headers);
		MHD_add_response_header(resp, "Access-Control-Expose-Headers", cors_expose);
	}
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (kind == RESP_HTML) {
		MHD_add_response_header(resp, "Content-Security-Policy", html_csp);
		/* the player's URL may carry ?token= */
		MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	}
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static struct MHD_Response *empty_response(void)
{
	return MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
}

/* A text/plain response of one line: fmt formatted, every control byte
 * (CR, LF, NUL...) made a space, then one '\n'. */
__attribute__((format(printf, 1, 2)))
static struct MHD_Response *text_response(const char *fmt, ...)
{
	struct MHD_Response *resp;
	char buf[TEXT_MAX];
	va_list ap;
	size_t i, n;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	n = len < 0 ? 0 : (size_t)len < sizeof(buf) - 1 ? (size_t)len : sizeof(buf) - 2;
	for (i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = ' ';
	buf[n++] = '\n';
	resp = MHD_create_response_from_buffer(n, buf, MHD_RESPMEM_MUST_COPY);
	if (resp)
		MHD_add_response_header(resp, "Content-Type", ctype_text);
	return resp;
}

#define reply_text(c, status, ...) send_response((c), (status), text_response(__VA_ARGS__), RESP_PLAIN)

static const char *status_text(unsigned status)
{
	switch (status) {
	case 400: return "bad request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not found";
	case 409: return "the stream has no source yet";
	case 413: return "body too large";
	case 415: return "unsupported media type";
	case 429: return "too many requests";
	case 503: return "no room for another session";
	default: return "error";
	}
}

/* ---- the request's headers ------------------------------------------------- */

/* Whether the Content-Type's media type is want (case-insensitive, RFC
 * 9110 §8.3.1; parameters after ';' are ignored). */
static bool content_type_is(struct MHD_Connection *c, const char *want)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
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
static bool bearer_ok(struct MHD_Connection *c, const char *token, bool *given)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
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
static long long content_length(struct MHD_Connection *c)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
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
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct framing *f = cls;

	(void)kind;
	if (!strcasecmp(key, "Content-Length")) {
		f->content_length++;
	} else if (!strcasecmp(key, "Transfer-Encoding")) {
		f->transfer_encoding++;
		f->chunked = value && !strcasecmp(value, "chunked");
	}
	return MHD_YES;
}

/* The status that refuses an ambiguous body length, or 0.  libmicrohttpd
 * takes the first Content-Length, and chunked over Content-Length; a proxy
 * in front may pick the other one (request smuggling), so both are
 * refused: RFC 9112 §6.3 (items 3 and 5), §6.1 (unknown coding: 501). */
static unsigned framing_refusal(struct MHD_Connection *c)
{
	struct framing f = { 0 };

	MHD_get_connection_values(c, MHD_HEADER_KIND, count_framing, &f);
	if (f.content_length > 1 || (f.content_length && f.transfer_encoding) ||
	    f.transfer_encoding > 1)
		return 400;
	if (f.transfer_encoding && !f.chunked)
		return 501;
	return 0;
}

/* ---- handlers ------------------------------------------------------------ */

static enum MHD_Result get_index(struct MHD_Connection *c, struct req *rq)
{
	struct MHD_Response *resp;
	size_t len;
	char *page;

	(void)rq;
	page = wf_player_index(http.cfg, &len);
	if (!page)
		return reply_text(c, 500, "out of memory");
	resp = MHD_create_response_from_buffer(len, page, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(page);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", ctype_html);
	return send_response(c, 200, resp, RESP_HTML);
}

/* Prometheus text exposition (metrics.c). */
static enum MHD_Result get_metrics(struct MHD_Connection *c, struct req *rq)
{
	struct MHD_Response *resp;
	size_t len = 0;
	char *text;

	(void)rq;
	text = wf_metrics_text(&len);
	if (!text)
		return reply_text(c, 500, "out of memory");
	resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	return send_response(c, 200, resp, RESP_PLAIN);
}

static enum MHD_Result get_redirect(struct MHD_Connection *c, struct req *rq)
{
	struct MHD_Response *resp = text_response("moved to /%s/", rq->p.stream);
	char where[WF_CONF_NAME_LEN + 3];

	if (!resp)
		return MHD_NO;
	snprintf(where, sizeof(where), "/%s/", rq->p.stream);
	MHD_add_response_header(resp, "Location", where);
	return send_response(c, 301, resp, RESP_PLAIN);
}

static enum MHD_Result get_player(struct MHD_Connection *c, struct req *rq)
{
	struct MHD_Response *resp;
	size_t len;
	char *page;

	page = wf_player_page(rq->p.stream, &len);
	if (!page)
		return reply_text(c, 500, "out of memory");
	resp = MHD_create_response_from_buffer(len, page, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(page);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", ctype_html);
	return send_response(c, 200, resp, RESP_HTML);
}

/* 201 Created (draft-ietf-wish-whep §4.2): the answer, the session's URL
 * in Location and its ETag. */
static enum MHD_Result created(struct MHD_Connection *c, struct req *rq,
			       const struct wf_whep_result *r)
{
	char where[WF_CONF_NAME_LEN + WF_SESSION_ID_LEN + 8];
	struct MHD_Response *resp;
	const char *etag;

	if (!valid_id(r->id, strnlen(r->id, sizeof(r->id))) || r->answer_len == 0 ||
	    r->answer_len > sizeof(http.answer)) {
		WF_LOG(ERR, "http: the session layer returned 201 without a valid id or answer\n");
		return reply_text(c, 500, "internal error: no valid session");
	}
	resp = MHD_create_response_from_buffer(r->answer_len, http.answer, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	snprintf(where, sizeof(where), "/%s/whep/%s", rq->p.stream, r->id);
	MHD_add_response_header(resp, "Location", where);
	MHD_add_response_header(resp, "Content-Type", ctype_sdp);
	etag = http.ops.etag ? http.ops.etag(r->id) : NULL;
	if (etag && safe_header_value(etag))
		MHD_add_response_header(resp, "ETag", etag);
	return send_response(c, 201, resp, RESP_PLAIN);
}

/* A refusal: status, reason as the one-line body, and Retry-After
 * (RFC 9110 §10.2.3) when secs is not 0. */
static enum MHD_Result reply_retry(struct MHD_Connection *c, unsigned status, unsigned secs,
				   const char *reason)
{
	struct MHD_Response *resp = text_response("%s", reason);
	char v[16];

	if (!resp)
		return MHD_NO;
	if (secs) {
		snprintf(v, sizeof(v), "%u", secs);
		MHD_add_response_header(resp, "Retry-After", v);
	}
	return send_response(c, status, resp, RESP_PLAIN);
}

/* A refusal from the session layer: its status (4xx/5xx, else 500), its
 * reason as the body, Retry-After when it gave one. */
static enum MHD_Result refused(struct MHD_Connection *c, struct wf_whep_result *r)
{
	unsigned status = r->status >= 400 && r->status <= 599 ? (unsigned)r->status : 500;

	r->reason[sizeof(r->reason) - 1] = '\0';
	return reply_retry(c, status, r->retry_after,
			   r->reason[0] ? r->reason : status_text(status));
}

static enum MHD_Result post_offer(struct MHD_Connection *c, struct req *rq)
{
	struct wf_whep_result r;

	if (rq->len == 0)
		return reply_text(c, 400, "the body must be an SDP offer");
	memset(&r, 0, sizeof(r));
	http.ops.offer(rq->p.stream, rq->client, rq->body, rq->len, http.answer,
		       sizeof(http.answer), &r);
	if (r.status == 201)
		return created(c, rq, &r);
	return refused(c, &r);
}

static enum MHD_Result patch_session(struct MHD_Connection *c, struct req *rq)
{
	char reason[WF_SESSION_REASON_LEN] = "";
	int status;

	status = http.ops.patch(rq->p.stream, rq->p.id, rq->body ? rq->body : "", rq->len,
				reason, sizeof(reason));
	reason[sizeof(reason) - 1] = '\0';
	if (status == 204)
		return send_response(c, 204, empty_response(), RESP_PLAIN);
	if (status == 404)
		return reply_text(c, 404, "no session %s on stream %s", rq->p.id, rq->p.stream);
	if (status < 400 || status > 599)
		status = 500;
	return reply_text(c, (unsigned)status, "%s", reason[0] ? reason : status_text((unsigned)status));
}

static enum MHD_Result delete_session(struct MHD_Connection *c, struct req *rq)
{
	int status = http.ops.del(rq->p.stream, rq->p.id);

	if (status == 200)
		return reply_text(c, 200, "session %s ended", rq->p.id);
	if (status == 404)
		return reply_text(c, 404, "no session %s on stream %s", rq->p.id, rq->p.stream);
	return reply_text(c, 500, "could not end session %s", rq->p.id);
}

/* OPTIONS (draft-ietf-wish-whep §4.1 and the CORS preflight): any valid
 * stream name gets 204, so a browser on another origin sees the POST's
 * real answer (404 ...) rather than a failed preflight. */
static enum MHD_Result options_whep(struct MHD_Connection *c, struct req *rq)
{
	struct MHD_Response *resp = empty_response();
	char allow[ALLOW_MAX];

	if (!resp)
		return MHD_NO;
	if (rq->p.id[0]) {
		char url[WF_CONF_NAME_LEN + WF_SESSION_ID_LEN + 8];

		snprintf(url, sizeof(url), "/%s/whep/%s", rq->p.stream, rq->p.id);
		allow_for(url, allow);
		MHD_add_response_header(resp, "Accept-Patch", ctype_frag);
	} else {
		char url[WF_CONF_NAME_LEN + 8];

		snprintf(url, sizeof(url), "/%s/whep", rq->p.stream);
		allow_for(url, allow);
		MHD_add_response_header(resp, "Accept-Post", ctype_sdp);
	}
	MHD_add_response_header(resp, "Allow", allow);
	if (http.cfg->http.cors_origin[0])
		MHD_add_response_header(resp, "Access-Control-Max-Age", "86400");
	return send_response(c, 204, resp, RESP_PLAIN);
}

/* ---- the request's life ------------------------------------------------- */

/* The TCP peer of c, host order (0 when not IPv4: we listen on IPv4 only). */
static uint32_t peer_addr(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr_in *sin;

	if (!ci || !ci->client_addr || ci->client_addr->sa_family != AF_INET)
		return 0;
	sin = (const struct sockaddr_in *)(const void *)ci->client_addr;
	return ntohl(sin->sin_addr.s_addr);
}

/* X-Forwarded-For header lines of a request, in order. */
struct xff {
	const char *v[WF_XFF_MAX_LINES];
	unsigned n;
	bool too_many;
};

static enum MHD_Result collect_xff(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct xff *x = cls;

	(void)kind;
	if (strcasecmp(key, "X-Forwarded-For"))
		return MHD_YES;
	if (x->n < WF_XFF_MAX_LINES && value)
		x->v[x->n++] = value;
	else
		x->too_many = true;
	return MHD_YES;
}

static bool trusted_proxy(uint32_t a)
{
	const struct wf_config_http *h = &http.cfg->http;

	return wf_conf_cidr_match(h->trusted_proxies, h->n_trusted_proxies, a);
}

/* The client key (xff.h) admission counts for a request from TCP peer
 * (IPv4, host order): the peer, unless it is a trusted proxy
 * (http.trusted_proxies) that sent X-Forwarded-For, read by
 * wf_xff_client().  Returns 0 with *client, or -EINVAL when a trusted
 * proxy's header cannot be read: counted (xff_malformed), logged at most
 * once a second, and the caller refuses the request with 400 (falling
 * back to the proxy's address would put every client in one bucket). */
static int client_of(struct MHD_Connection *c, uint32_t peer, uint64_t *client)
{
	static uint64_t logged_ms;
	const struct wf_config_http *h = &http.cfg->http;
	struct xff x = { .n = 0 };
	char ip[INET_ADDRSTRLEN];
	uint64_t now;
	int rc;

	*client = wf_xff_key_v4(peer);
	if (!h->n_trusted_proxies || !trusted_proxy(peer))
		return 0;	/* never believed from others */
	MHD_get_connection_values(c, MHD_HEADER_KIND, collect_xff, &x);
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
 * go on; else the 429 (or 503) is queued and *ret is its result. */
static bool admit_post(struct MHD_Connection *c, uint64_t client, enum MHD_Result *ret)
{
	struct wf_adm_limits l;
	unsigned retry = 1;
	int rc;

	wf_adm_limits_of(http.cfg, &l);
	rc = wf_adm_post(&wf_admission, client, &l, wf_adm_now_ms(), &retry);
	if (rc == 0)
		return true;
	if (rc == -EAGAIN)
		*ret = reply_retry(c, 429, retry, WF_ADM_RATE_TEXT);
	else if (rc == -EBUSY)
		*ret = reply_retry(c, 429, retry, WF_ADM_PENDING_TEXT);
	else if (rc == -EDQUOT)
		*ret = reply_retry(c, 429, retry, WF_ADM_SESSIONS_TEXT);
	else
		*ret = reply_retry(c, 503, retry, "no room to track this address");
	return false;
}

/* No row serves method on url: 405 with Allow when the URL has rows for
 * other methods, else 404. */
static enum MHD_Result no_route(struct MHD_Connection *c, const char *url)
{
	struct MHD_Response *resp;
	char allow[ALLOW_MAX];

	if (!allow_for(url, allow))
		return reply_text(c, 404, "not found");
	resp = text_response("method not allowed here (allowed: %s)", allow);
	if (resp)
		MHD_add_response_header(resp, "Allow", allow);
	return send_response(c, 405, resp, RESP_PLAIN);
}

/* The headers are in: route and check them.  Either queues a refusal at
 * once (the body is never read) or sets up *ctx for the body. */
static enum MHD_Result begin(struct MHD_Connection *c, const char *url, const char *method,
			     void **ctx)
{
	const struct wf_config_stream *st = NULL;
	const struct route *route;
	struct params p;
	enum MHD_Result ret;
	long long length;
	uint64_t client = 0;
	struct req *rq;
	bool given;

	switch (framing_refusal(c)) {
	case 400:
		return reply_text(c, 400, "ambiguous body length (Content-Length, Transfer-Encoding)");
	case 501:
		return reply_text(c, 501, "only the chunked transfer coding is supported");
	default:
		break;
	}
	memset(&p, 0, sizeof(p));
	route = route_find(method, url, &p);
	if (!route)
		return no_route(c, url);
	/* before anything costly (a token check, the body): admission */
	if ((route->flags & R_ADMIT) && client_of(c, peer_addr(c), &client) < 0)
		return reply_text(c, 400, "X-Forwarded-For from the proxy cannot be read");
	if ((route->flags & R_ADMIT) && !admit_post(c, client, &ret))
		return ret;
	if (route->flags & R_STREAM) {
		st = wf_config_stream_find(http.cfg, p.stream);
		if (!st)
			return reply_text(c, 404, "no stream named %s", p.stream);
	}
	if ((route->flags & R_AUTH) && st && st->token[0] && !bearer_ok(c, st->token, &given)) {
		struct MHD_Response *resp = text_response(given ? "wrong bearer token" :
							  "this stream needs a bearer token");

		/* RFC 6750 §3 */
		if (resp)
			MHD_add_response_header(resp, "WWW-Authenticate", given ?
						"Bearer realm=\"whepfan\", error=\"invalid_token\"" :
						"Bearer realm=\"whepfan\"");
		return send_response(c, 401, resp, RESP_PLAIN);
	}
	if (route->ctype && !content_type_is(c, route->ctype))
		return reply_text(c, 415, "Content-Type must be %s", route->ctype);
	length = content_length(c);
	if (length > (long long)http.cfg->http.max_body)
		return reply_text(c, 413, "the body is over %u bytes", http.cfg->http.max_body);

	rq = calloc(1, sizeof(*rq));
	if (!rq)
		return MHD_NO;
	rq->route = route;
	rq->p = p;
	rq->client = client;
	if (length > 0) {
		rq->cap = (size_t)length + 1;
		rq->body = malloc(rq->cap);
		if (!rq->body) {
			free(rq);
			return MHD_NO;
		}
	}
	*ctx = rq;
	return MHD_YES;
}

/* A piece of body: kept while the total fits in http.max_body, then
 * counted and thrown away until the request ends (413), or the connection
 * closes past DISCARD_MAX. */
static enum MHD_Result absorb(struct req *rq, const char *data, size_t n)
{
	size_t max = http.cfg->http.max_body;

	if (rq->too_big) {
		rq->discarded += n;
		return rq->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
	}
	if (n > max - rq->len) {
		rq->too_big = true;
		rq->discarded = rq->len + n;
		free(rq->body);
		rq->body = NULL;
		rq->len = rq->cap = 0;
		return MHD_YES;
	}
	if (rq->len + n + 1 > rq->cap) {
		size_t cap = rq->cap ? rq->cap : 1024;
		char *body;

		while (cap < rq->len + n + 1)
			cap *= 2;
		if (cap > max + 1)
			cap = max + 1;
		body = realloc(rq->body, cap);
		if (!body)
			return MHD_NO;
		rq->body = body;
		rq->cap = cap;
	}
	memcpy(rq->body + rq->len, data, n);
	rq->len += n;
	rq->body[rq->len] = '\0';
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **ctx)
{
	struct req *rq = *ctx;
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	if (!rq)
		return begin(c, url, method, ctx);
	if (*upload_size) {
		ret = absorb(rq, upload_data, *upload_size);
		*upload_size = 0;
		return ret;
	}
	if (rq->too_big)
		return reply_text(c, 413, "the body is over %u bytes", http.cfg->http.max_body);
	return rq->route->fn(c, rq);
}

/* The request ended (answered, or the connection closes): the next
 * request's deadline starts now. */
static void on_completed(void *cls, struct MHD_Connection *c, void **ctx,
			 enum MHD_RequestTerminationCode why)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct req *rq = *ctx;

	(void)cls;
	(void)why;
	if (ci)
		wf_http_conn_request_done(ci->socket_context, wf_adm_now_ms());
	if (!rq)
		return;
	free(rq->body);
	free(rq);
	*ctx = NULL;
}

/* MHD_OPTION_NOTIFY_CONNECTION: every connection is watched (http_conn.h)
 * from its start; *socket_ctx holds its record. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode toe)
{
	const union MHD_ConnectionInfo *ci;

	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		wf_http_conn_closed(*socket_ctx);
		*socket_ctx = NULL;
		return;
	}
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	*socket_ctx = ci ? wf_http_conn_opened(ci->connect_fd, peer_addr(c), wf_adm_now_ms()) :
			   NULL;
}

/* The accept policy: at most WF_HTTP_CONN_PER_IP connections from one
 * address, trusted proxies excepted (they carry many clients). */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *sa, socklen_t len)
{
	uint32_t peer;

	(void)cls;
	if (!sa || sa->sa_family != AF_INET || len < (socklen_t)sizeof(struct sockaddr_in))
		return MHD_NO;
	peer = ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);
	return wf_http_conn_admit(peer, trusted_proxy(peer)) ? MHD_YES : MHD_NO;
}

/* URLs are taken as they come: names and ids never need %-escapes, and
 * decoding them would only let %00, %0d%0a or %2f into a name. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	rte_vlog(RTE_LOG_DEBUG, wf_logtype, fmt, ap);
}

/* ---- the server ---------------------------------------------------------- */

int wf_http_init_ops(const struct wf_config *cfg, const struct wf_http_ops *ops)
{
	static const struct wf_http_ops session_ops = {
		.offer = wf_session_offer,
		.del = wf_session_delete,
		.patch = wf_session_patch,
		.etag = wf_session_etag,
	};
	struct sockaddr_in sa;
	char addr[INET_ADDRSTRLEN];
	int err;

	if (http.d)
		return -EALREADY;
	if (!cfg)
		return -EINVAL;
	ops = ops ? ops : &session_ops;
	if (!ops->offer || !ops->del || !ops->patch)
		return -EINVAL;
	err = wf_adm_init(&wf_admission, cfg->http.max_sessions + WF_ADM_SPARE);
	if (err) {
		WF_LOG(ERR, "http: no memory for the admission table: %s\n", strerror(-err));
		return err;
	}
	http.cfg = cfg;
	http.ops = *ops;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(cfg->http.listen_port);
	sa.sin_addr.s_addr = htonl(cfg->http.listen_addr);
	inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof(addr));
	errno = 0;
	/* external epoll mode: no thread, the slow path drives it */
	wf_http_conn_reset();
	http.d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, cfg->http.listen_port,
				  on_accept, NULL, on_request, NULL,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)WF_HTTP_CONN_MAX,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WF_HTTP_TIMEOUT_S,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WF_HTTP_CONN_MEMORY,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				  MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
				  MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				  MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
				  MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
				  MHD_OPTION_END);
	if (!http.d) {
		err = errno ? errno : EADDRNOTAVAIL;
		WF_LOG(ERR, "http: cannot listen on %s:%u: %s\n", addr,
		       (unsigned)cfg->http.listen_port, strerror(err));
		wf_adm_fini(&wf_admission);
		return -err;
	}
	WF_LOG(INFO, "http: listening on %s:%u\n", addr, (unsigned)wf_http_port());
	return 0;
}

int wf_http_init(const struct wf_config *cfg)
{
	return wf_http_init_ops(cfg, NULL);
}

int wf_http_fd(void)
{
	const union MHD_DaemonInfo *info;

	if (!http.d)
		return -1;
	info = MHD_get_daemon_info(http.d, MHD_DAEMON_INFO_EPOLL_FD);
	return info ? info->epoll_fd : -1;
}

/* Tells the operator, at most every CLOSE_LOG_MS, that connections are
 * being closed by the deadline or for want of slots (counted either way). */
static void log_closes(uint64_t now)
{
	static uint64_t logged_ms, deadline_before, evicted_before;
	uint64_t deadline = wf_adm_counters.n[WF_ADM_DEADLINE];
	uint64_t evicted = wf_adm_counters.n[WF_ADM_EVICTED];

	if (now - logged_ms < CLOSE_LOG_MS)
		return;
	logged_ms = now;
	WF_LOG(NOTICE, "http: closed %lu connections past http.request_timeout_s and %lu "
	       "oldest unfinished ones for want of slots (since the last such line)\n",
	       deadline - deadline_before, evicted - evicted_before);
	deadline_before = deadline;
	evicted_before = evicted;
}

void wf_http_run(void)
{
	uint64_t now;

	if (!http.d)
		return;
	now = wf_adm_now_ms();
	/* before MHD_run(): the hang-ups it sees are closed in the same run */
	if (wf_http_conn_enforce(now, (uint64_t)http.cfg->http.request_timeout_s * 1000))
		log_closes(now);
	MHD_run(http.d);
}

unsigned wf_http_connections(void)
{
	const union MHD_DaemonInfo *info;

	if (!http.d)
		return 0;
	info = MHD_get_daemon_info(http.d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	return info ? info->num_connections : 0;
}

uint16_t wf_http_port(void)
{
	const union MHD_DaemonInfo *info;

	if (!http.d)
		return 0;
	info = MHD_get_daemon_info(http.d, MHD_DAEMON_INFO_BIND_PORT);
	return info ? info->port : 0;
}

void wf_http_fini(void)
{
	if (!http.d)
		return;
	MHD_stop_daemon(http.d);
	http.d = NULL;
	http.cfg = NULL;
	wf_http_conn_reset();
	wf_adm_fini(&wf_admission);
}
