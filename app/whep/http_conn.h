/* http_conn.h: the HTTP server's connection slots (the slow path).
 *
 * libmicrohttpd's own connection timeout only closes idle connections: a
 * client that sends one header byte a second keeps its connection, and
 * WF_HTTP_CONN_MAX such clients hold every slot.  At its connection
 * limit libmicrohttpd (0.9.75, external epoll) takes the listening socket
 * out of its epoll set: new clients wait in the kernel's accept queue
 * until a slot frees, however long that takes.  So http.c tells this
 * table of every connection (libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION,
 * the descriptor and the peer from MHD_get_connection_info()) and of every
 * finished request, and the slow-path loop calls wf_http_conn_enforce() at
 * every turn, which:
 *   - closes a connection whose current request is not complete
 *     http.request_timeout_s after it began (the connection was accepted,
 *     or its previous response was sent: keep-alive idle time counts),
 *     counted as request_deadline;
 *   - while more than WF_HTTP_CONN_MAX - WF_HTTP_CONN_RESERVE connections
 *     are open, closes the one whose request began longest ago (counted as
 *     conn_evicted), so that the limit is never reached and a new client
 *     is accepted and answered at once.
 * A connection is closed with shutdown(fd, SHUT_RDWR): libmicrohttpd owns
 * the descriptor, sees the hang-up (EPOLLHUP) at its next run, ends the
 * request and closes it itself, which we learn through
 * wf_http_conn_closed().  The descriptor stays valid until then.
 * wf_http_conn_admit() also limits the connections of one address
 * (WF_HTTP_CONN_PER_IP; counted as conn_per_ip): libmicrohttpd's own
 * per-address limit would also hold back a trusted reverse proxy, which
 * carries many clients' connections.
 *
 * The connections are kept in a fixed array in order of their request's
 * start, so finding the oldest is O(1).  Slow path only.
 */
#ifndef WF_HTTP_CONN_H
#define WF_HTTP_CONN_H

#include <stdbool.h>
#include <stdint.h>

#define WF_HTTP_CONN_MAX	512	/* libmicrohttpd's connection limit */
#define WF_HTTP_CONN_RESERVE	32	/* slots kept free by closing the oldest request */
#define WF_HTTP_CONN_PER_IP	64	/* connections from one address (not trusted proxies) */

struct wf_http_conn;

/* Forgets every connection (the server starts or stopped). */
void wf_http_conn_reset(void);

/* Whether a connection from peer (host order) may be accepted: fewer than
 * WF_HTTP_CONN_PER_IP open from it, or it is a trusted proxy.  A refusal
 * is counted. */
bool wf_http_conn_admit(uint32_t peer, bool trusted);

/* A connection was accepted: its descriptor, peer, and the time (ms,
 * monotonic).  Returns its record (NULL when every record is in use,
 * which the limits above rule out: the connection is then shut down). */
struct wf_http_conn *wf_http_conn_opened(int fd, uint32_t peer, uint64_t now_ms);

/* A request on cn was answered: the next one begins at now_ms.  NULL is
 * ignored. */
void wf_http_conn_request_done(struct wf_http_conn *cn, uint64_t now_ms);

/* libmicrohttpd closed cn (for any reason): its record is free.  NULL is
 * ignored. */
void wf_http_conn_closed(struct wf_http_conn *cn);

/* Applies the request deadline (timeout_ms) and keeps the reserve free,
 * as said above.  Returns how many connections it shut down. */
unsigned wf_http_conn_enforce(uint64_t now_ms, uint64_t timeout_ms);

/* Connections open and not being shut down. */
unsigned wf_http_conn_open_count(void);

#endif
