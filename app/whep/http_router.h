/* http_router.h: the WHEP/HTTP router (the slow path), without a socket.
 *
 * The routes of http.h (POST/PATCH/DELETE/OPTIONS of WHEP, the player, the
 * list of streams, /metrics), the checks of a request's headers (framing,
 * route, admission of a POST, stream, bearer token, Content-Type,
 * Content-Length) and of its body (http.max_body, enforced as the body
 * arrives), and the reply (status, headers, body) with the headers every
 * reply carries (CORS, nosniff, no-store, CSP on pages).  http.c is the
 * libmicrohttpd adapter that turns its callbacks into the calls below and
 * the reply into a libmicrohttpd response; tests and the fuzz target
 * (tests/fuzz/fuzz_http.c) call them directly.
 *
 * A request's life:
 *     r = wf_http_begin(&in)          the request line and headers are in
 *     wf_http_answered(r)             non-NULL: refused on its headers; the
 *                                     body is not read, reply at once
 *     wf_http_body(r, data, n) ...    the body, in pieces of any size
 *     wf_http_finish(r)               the body is complete: the reply
 *     wf_http_end(r)                  answered or aborted: frees r
 * A reply of status 0 means: close the connection without an answer (out
 * of memory).  The reply and its body live until wf_http_end().
 *
 * One router per process: wf_http_router_init() sets it up with the
 * configuration and the session layer (struct wf_http_ops, http_ops.h) and
 * sets up wf_admission (admission.h); wf_http_router_fini() finishes it.
 */
#ifndef WF_HTTP_ROUTER_H
#define WF_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "whep/http_ops.h"

/* Bounds of a reply. */
#define WF_HTTP_REPLY_HEADERS	16	/* headers of one reply */
#define WF_HTTP_HEADER_VALUE	320	/* bytes of one value, NUL included */
#define WF_HTTP_TEXT_MAX	512	/* a text/plain refusal, '\n' included */

/* Body bytes read and thrown away after http.max_body before the
 * connection is closed without an answer (a chunked body has no length
 * up front). */
#define WF_HTTP_DISCARD_MAX	(1024 * 1024)

/* Called for each header of a request, in the order they came. */
typedef void (*wf_http_header_fn)(void *arg, const char *name, const char *value);

/* A request as the transport hands it over.  Strings are NUL-terminated
 * and stay valid until wf_http_begin() returns. */
struct wf_http_request {
	const char *method;	/* "GET", ... (case-sensitive, RFC 9110 §9.1) */
	const char *url;	/* the path, not %-decoded */
	uint32_t peer;		/* the TCP peer, IPv4 host order (0: other) */
	/* calls fn(arg, name, value) for every header (names as sent) */
	void (*each_header)(void *hctx, wf_http_header_fn fn, void *arg);
	void *hctx;
};

struct wf_http_header {
	const char *name;			/* a static string */
	char value[WF_HTTP_HEADER_VALUE];
};

struct wf_http_reply {
	unsigned status;	/* 0: close the connection, no answer */
	unsigned n_headers;
	struct wf_http_header h[WF_HTTP_REPLY_HEADERS];
	const char *body;	/* len bytes (not NUL-terminated), owned by the request */
	size_t len;
};

struct wf_http_req;

/* Sets the router up with cfg (read at every request: a reload rewrites it
 * in place) and ops (copied; offer, del, patch and metrics are required,
 * etag may be NULL), and wf_admission with http.max_sessions +
 * WF_ADM_SPARE entries.  Returns 0, -EALREADY (set up already), -EINVAL
 * or -ENOMEM. */
int wf_http_router_init(const struct wf_config *cfg, const struct wf_http_ops *ops);

/* Finishes wf_admission and forgets cfg and ops.  Requests not ended must
 * not be used after.  Safe to call twice. */
void wf_http_router_fini(void);

/* The request line and headers of a request are in: routes and checks
 * them.  Returns the request's state, which the caller hands to the
 * calls below and ends with wf_http_end(), or NULL (out of memory, or no
 * router): close the connection. */
struct wf_http_req *wf_http_begin(const struct wf_http_request *in);

/* The reply when r was refused on its headers (its body must not be
 * read), else NULL. */
const struct wf_http_reply *wf_http_answered(const struct wf_http_req *r);

/* n bytes of r's body: kept while the whole fits in http.max_body, then
 * counted and thrown away (the reply will be 413).  Returns 0, or -E2BIG
 * (over WF_HTTP_DISCARD_MAX thrown away) or -ENOMEM: close the
 * connection without an answer.  Ignored once r is answered. */
int wf_http_body(struct wf_http_req *r, const char *data, size_t n);

/* The body is complete: runs the route and returns the reply (valid
 * until wf_http_end()).  Called again, returns the same reply. */
const struct wf_http_reply *wf_http_finish(struct wf_http_req *r);

/* The request is done, answered or not: frees r and what its reply
 * holds.  NULL is ignored. */
void wf_http_end(struct wf_http_req *r);

/* The value of the reply's header name (case-insensitive), or NULL. */
const char *wf_http_reply_header(const struct wf_http_reply *rp, const char *name);

#endif
