/* http_conn.c: the HTTP server's connection slots (http_conn.h).
 *
 * Records live in one array; the unused ones on a stack of free indices;
 * the open ones (not being shut down) on a doubly linked list from the
 * oldest request start to the newest.  A request start only ever moves a
 * record to the newest end (times only grow), so the list stays sorted.
 */
#include "whep/http_conn.h"

#include <stddef.h>
#include <sys/socket.h>

#include "whep/admission.h"

#define NONE	UINT16_MAX

struct wf_http_conn {
	uint64_t since_ms;	/* the current request began */
	int fd;
	uint32_t peer;
	uint16_t older, newer;	/* in the age list */
	bool used;
	bool closing;		/* shut down, libmicrohttpd has yet to close it */
};

static struct {
	struct wf_http_conn c[WF_HTTP_CONN_MAX];
	uint16_t free_idx[WF_HTTP_CONN_MAX];
	unsigned n_free;
	unsigned n_open;	/* on the age list */
	uint16_t oldest, newest;
} T;

void wf_http_conn_reset(void)
{
	unsigned i;

	for (i = 0; i < WF_HTTP_CONN_MAX; i++) {
		T.c[i] = (struct wf_http_conn){ .fd = -1, .older = NONE, .newer = NONE };
		T.free_idx[i] = (uint16_t)(WF_HTTP_CONN_MAX - 1 - i);
	}
	T.n_free = WF_HTTP_CONN_MAX;
	T.n_open = 0;
	T.oldest = T.newest = NONE;
}

static uint16_t idx_of(const struct wf_http_conn *cn)
{
	return (uint16_t)(cn - T.c);
}

static void age_unlink(struct wf_http_conn *cn)
{
	if (cn->newer != NONE)
		T.c[cn->newer].older = cn->older;
	else
		T.newest = cn->older;
	if (cn->older != NONE)
		T.c[cn->older].newer = cn->newer;
	else
		T.oldest = cn->newer;
	cn->older = cn->newer = NONE;
}

static void age_push_newest(struct wf_http_conn *cn)
{
	uint16_t i = idx_of(cn);

	cn->newer = NONE;
	cn->older = T.newest;
	if (T.newest != NONE)
		T.c[T.newest].newer = i;
	else
		T.oldest = i;
	T.newest = i;
}

bool wf_http_conn_admit(uint32_t peer, bool trusted)
{
	unsigned n = 0, i;

	if (trusted)
		return true;
	for (i = T.oldest; i != NONE && n < WF_HTTP_CONN_PER_IP; i = T.c[i].newer)
		if (T.c[i].peer == peer)
			n++;
	if (n < WF_HTTP_CONN_PER_IP)
		return true;
	wf_adm_count(WF_ADM_PER_IP);
	return false;
}

struct wf_http_conn *wf_http_conn_opened(int fd, uint32_t peer, uint64_t now_ms)
{
	struct wf_http_conn *cn;

	if (T.n_free == 0) {
		/* cannot happen with libmicrohttpd's limit at WF_HTTP_CONN_MAX;
		 * a connection we cannot watch is not kept */
		shutdown(fd, SHUT_RDWR);
		wf_adm_count(WF_ADM_EVICTED);
		return NULL;
	}
	cn = &T.c[T.free_idx[--T.n_free]];
	*cn = (struct wf_http_conn){ .since_ms = now_ms, .fd = fd, .peer = peer, .used = true };
	age_push_newest(cn);
	T.n_open++;
	return cn;
}

void wf_http_conn_request_done(struct wf_http_conn *cn, uint64_t now_ms)
{
	if (!cn || cn->closing)
		return;
	cn->since_ms = now_ms;
	age_unlink(cn);
	age_push_newest(cn);
}

void wf_http_conn_closed(struct wf_http_conn *cn)
{
	if (!cn || !cn->used)
		return;
	if (!cn->closing) {
		age_unlink(cn);
		T.n_open--;
	}
	*cn = (struct wf_http_conn){ .fd = -1, .older = NONE, .newer = NONE };
	T.free_idx[T.n_free++] = idx_of(cn);
}

/* Shuts cn down for reason why (counted); libmicrohttpd closes it. */
static void shut(struct wf_http_conn *cn, enum wf_adm_event why)
{
	shutdown(cn->fd, SHUT_RDWR);
	cn->closing = true;
	age_unlink(cn);
	T.n_open--;
	wf_adm_count(why);
}

unsigned wf_http_conn_enforce(uint64_t now_ms, uint64_t timeout_ms)
{
	unsigned n = 0;

	while (T.oldest != NONE && now_ms >= T.c[T.oldest].since_ms &&
	       now_ms - T.c[T.oldest].since_ms >= timeout_ms) {
		shut(&T.c[T.oldest], WF_ADM_DEADLINE);
		n++;
	}
	while (T.oldest != NONE && T.n_open > WF_HTTP_CONN_MAX - WF_HTTP_CONN_RESERVE) {
		shut(&T.c[T.oldest], WF_ADM_EVICTED);
		n++;
	}
	return n;
}

unsigned wf_http_conn_open_count(void)
{
	return T.n_open;
}
