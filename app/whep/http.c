/* http.c: the WHEP/HTTP server (http.h): the libmicrohttpd adapter of the
 * router (http_router.h).
 *
 * libmicrohttpd calls on_request() several times per request: once when the
 * headers are in (wf_http_begin(): a refusal on the headers is queued at
 * once and costs no body), once per piece of body (wf_http_body()), and
 * once at the end (wf_http_finish()); on_completed() ends the request
 * (wf_http_end()).  A router reply becomes a libmicrohttpd response
 * (reply_send()); a reply of status 0 closes the connection.
 *
 * Connections are watched from accept to close (http_conn.h): on_accept()
 * limits them per address, on_connection() and on_completed() tell
 * http_conn.c when they open, finish a request and close, and
 * wf_http_run() enforces the request deadline and the reserve of free
 * slots before each MHD_run().
 *
 * The event loop (slow/ev.h) runs it when libmicrohttpd's epoll descriptor
 * is readable, and at the latest TICK_MS after the last run (sooner when
 * libmicrohttpd asks: MHD_get_timeout()).
 */
#include "whep/http.h"
#include "ops/metrics.h"
#include "whep/http_router.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include <rte_cycles.h>

#include "core/log.h"
#include "slow/ev.h"
#include "whep/admission.h"
#include "whep/http_conn.h"

#define CLOSE_LOG_MS		10000	/* connections closed by us: one line per 10 s */
#define TICK_MS			100	/* the longest wait between two runs */

static struct {
	struct MHD_Daemon *d;
	const struct wf_config *cfg;
	struct wf_ev_timer timer;
} http;

/* A run of the server, then its timer for the next one. */
static void http_pass(void)
{
	MHD_UNSIGNED_LONG_LONG ms = TICK_MS;

	wf_http_run();
	if (!http.d)
		return;
	if (MHD_get_timeout(http.d, &ms) != MHD_YES || ms > TICK_MS)
		ms = TICK_MS;
	wf_ev_timer_arm(&http.timer, rte_rdtsc() + ms * rte_get_tsc_hz() / 1000);
}

static void on_ready(void *arg)
{
	(void)arg;
	http_pass();
}

static void on_timer(struct wf_ev_timer *t, uint64_t now)
{
	(void)t;
	(void)now;
	http_pass();
}

/* Queues the router's reply rp on c.  Returns MHD_NO (the connection
 * closes) for a reply of status 0 or when memory runs out. */
static enum MHD_Result reply_send(struct MHD_Connection *c, const struct wf_http_reply *rp)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	unsigned i;

	if (!rp || rp->status == 0)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(rp->len, (void *)(rp->body ? rp->body : ""),
					       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	for (i = 0; i < rp->n_headers; i++)
		MHD_add_response_header(resp, rp->h[i].name, rp->h[i].value);
	ret = MHD_queue_response(c, rp->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

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

struct each_header {
	wf_http_header_fn fn;
	void *arg;
};

static enum MHD_Result header_cb(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	struct each_header *e = cls;

	(void)kind;
	e->fn(e->arg, key, value);
	return MHD_YES;
}

/* The router's header accessor: every header of connection hctx, in the
 * order libmicrohttpd keeps them (the order they came). */
static void each_header(void *hctx, wf_http_header_fn fn, void *arg)
{
	struct each_header e = { .fn = fn, .arg = arg };

	MHD_get_connection_values(hctx, MHD_HEADER_KIND, header_cb, &e);
}

static bool trusted_proxy(uint32_t a)
{
	const struct wf_config_http *h = &http.cfg->http;

	return wf_conf_cidr_match(h->trusted_proxies, h->n_trusted_proxies, a);
}

/* The headers are in: the router routes and checks them.  A refusal is
 * queued at once (the body is never read); else *ctx holds the request. */
static enum MHD_Result begin(struct MHD_Connection *c, const char *url, const char *method,
			     void **ctx)
{
	struct wf_http_request in = {
		.method = method, .url = url, .peer = peer_addr(c),
		.each_header = each_header, .hctx = c,
	};
	const struct wf_http_reply *rp;
	struct wf_http_req *r = wf_http_begin(&in);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	rp = wf_http_answered(r);
	if (!rp) {
		*ctx = r;
		return MHD_YES;
	}
	ret = reply_send(c, rp);
	wf_http_end(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **ctx)
{
	struct wf_http_req *r = *ctx;
	int rc;

	(void)cls;
	(void)version;
	if (!r)
		return begin(c, url, method, ctx);
	if (*upload_size) {
		rc = wf_http_body(r, upload_data, *upload_size);
		*upload_size = 0;
		return rc < 0 ? MHD_NO : MHD_YES;
	}
	return reply_send(c, wf_http_finish(r));
}

/* The request ended (answered, or the connection closes): the next
 * request's deadline starts now. */
static void on_completed(void *cls, struct MHD_Connection *c, void **ctx,
			 enum MHD_RequestTerminationCode why)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	(void)cls;
	(void)why;
	if (ci)
		wf_http_conn_request_done(ci->socket_context, wf_adm_now_ms());
	wf_http_end(*ctx);
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
		.metrics = wf_metrics_text,
	};
	struct wf_http_ops o;
	struct sockaddr_in sa;
	char addr[INET_ADDRSTRLEN];
	int err;

	if (http.d)
		return -EALREADY;
	if (!cfg)
		return -EINVAL;
	o = ops ? *ops : session_ops;
	if (!o.metrics)
		o.metrics = wf_metrics_text;
	err = wf_http_router_init(cfg, &o);
	if (err)
		return err;
	http.cfg = cfg;
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
		wf_http_router_fini();
		return -err;
	}
	wf_ev_timer_init(&http.timer, on_timer);
	err = wf_ev_file_add(wf_http_fd(), on_ready, NULL);
	if (!err)
		err = wf_ev_timer_arm(&http.timer, rte_rdtsc());
	if (err) {
		WF_LOG(ERR, "http: cannot join the event loop: %s\n", strerror(-err));
		wf_http_fini();
		return err;
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
	wf_ev_timer_stop(&http.timer);
	wf_ev_file_del(wf_http_fd());
	MHD_stop_daemon(http.d);
	http.d = NULL;
	http.cfg = NULL;
	wf_http_conn_reset();
	wf_http_router_fini();
}
