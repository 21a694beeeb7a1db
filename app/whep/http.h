/* http.h: the WHEP/HTTP server of the slow path (libmicrohttpd).
 *
 * MediaMTX-compatible URLs (draft-ietf-wish-whep; WHIP, its twin, is
 * RFC 9725):
 *     POST    /<stream>/whep          SDP offer -> 201 + Location + answer
 *     PATCH   /<stream>/whep/<id>     trickle ICE fragment -> 204
 *     DELETE  /<stream>/whep/<id>     ends the session -> 200
 *     OPTIONS /<stream>/whep[/<id>]   Accept-Post / CORS preflight -> 204
 *     GET     /<stream>/              the web player (player.h)
 *     GET     /<stream>               301 to /<stream>/
 *     GET     /                       the list of streams
 * Routes are rows of one table in http_router.c, which routes and checks
 * requests without a socket (http_router.h); http.c is its libmicrohttpd
 * adapter.  The daemon runs in libmicrohttpd's
 * external epoll mode: no thread of its own; wf_http_init() registers
 * wf_http_fd() and a timer with the slow path's event loop (slow/ev.h,
 * which must be initialised first), which call wf_http_run().  One server
 * per process.
 */
#ifndef WF_HTTP_H
#define WF_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "whep/http_ops.h"
#include "conf/conf.h"

/* Limits of the server (besides http.max_body, http.request_timeout_s and
 * the connection limits of http_conn.h). */
#define WF_HTTP_TIMEOUT_S	10	/* idle connection */
#define WF_HTTP_CONN_MEMORY	(32 * 1024)	/* request line + headers */

/* Starts the server on cfg->http.listen_addr:listen_port (port 0: an
 * ephemeral port, see wf_http_port()) with the real session layer, and
 * sets up wf_admission (admission.h) with http.max_sessions + WF_ADM_SPARE
 * entries.  cfg must outlive the server (a reload rewrites it in place:
 * streams, tokens and the admission settings are read from it at every
 * request).  Returns 0, -EALREADY when a server runs, or -errno (bind
 * failure, no memory, ...) with the reason logged. */
int wf_http_init(const struct wf_config *cfg);

/* The same with the session layer ops (NULL: session.h's functions);
 * *ops is copied. */
int wf_http_init_ops(const struct wf_config *cfg, const struct wf_http_ops *ops);

/* The epoll descriptor to wait on (readable when a connection or the
 * listening socket needs work), or -1 when no server runs. */
int wf_http_fd(void);

/* Does all pending work without blocking: closes connections past the
 * request deadline or over the reserve (http_conn.h), accepts, reads,
 * answers, closes idle connections.  Call it at every turn of the loop
 * (no-op without a server): the deadlines are as punctual as the loop. */
void wf_http_run(void);

/* Connections libmicrohttpd holds (open, or shut down and not yet
 * closed), 0 when no server runs. */
unsigned wf_http_connections(void);

/* The TCP port the server listens on (host order), 0 when none runs. */
uint16_t wf_http_port(void);

/* Closes every connection and the listening socket, and finishes
 * wf_admission.  Safe to call twice. */
void wf_http_fini(void);

#endif
