/* dgram.c: the datagram-preserving memory BIO (see dgram.h). */
#include "dtls/dgram.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>

/* IPv4 header + UDP header: what DTLS_set_link_mtu() would subtract. */
#define DGRAM_IPV4_UDP_OVERHEAD	28

struct wf_dgram_node {
	struct wf_dgram_node *next;
	size_t len;
	uint8_t data[];
};

static BIO_METHOD *dgram_method;
static pthread_once_t dgram_once = PTHREAD_ONCE_INIT;

void wf_dgram_init(struct wf_dgram *q, uint16_t mtu, unsigned max_count, size_t max_len)
{
	memset(q, 0, sizeof(*q));
	q->mtu = mtu;
	q->max_count = max_count;
	q->max_len = max_len;
}

void wf_dgram_set_input(struct wf_dgram *q, const uint8_t *pkt, size_t len)
{
	q->in = pkt;
	q->in_len = len;
}

void wf_dgram_clear_input(struct wf_dgram *q)
{
	q->in = NULL;
	q->in_len = 0;
}

int wf_dgram_pop(struct wf_dgram *q, uint8_t *buf, size_t cap)
{
	struct wf_dgram_node *n = q->head;
	int len;

	if (!n)
		return 0;
	q->head = n->next;
	if (!q->head)
		q->tail = NULL;
	q->count--;
	if (n->len > cap) {
		q->dropped++;
		free(n);
		return -EMSGSIZE;
	}
	memcpy(buf, n->data, n->len);
	len = (int)n->len;
	free(n);
	return len;
}

void wf_dgram_truncate(struct wf_dgram *q, unsigned keep)
{
	struct wf_dgram_node *n = q->head, *last = NULL, *next;
	unsigned i;

	if (keep >= q->count)
		return;
	for (i = 0; i < keep; i++) {
		last = n;
		n = n->next;
	}
	for (; n; n = next) {
		next = n->next;
		free(n);
	}
	if (last)
		last->next = NULL;
	else
		q->head = NULL;
	q->tail = last;
	q->count = keep;
}

void wf_dgram_clear(struct wf_dgram *q)
{
	struct wf_dgram_node *n, *next;

	for (n = q->head; n; n = next) {
		next = n->next;
		free(n);
	}
	q->head = q->tail = NULL;
	q->count = 0;
}

/* One BIO_write is one datagram.  A write that cannot be queued (queue
 * full, longer than max_len, no memory) is reported as written and dropped:
 * to DTLS that is a datagram lost on the wire, which its retransmission
 * timer repairs (RFC 6347 §4.2.4), whereas "would block" would stall the
 * handshake with the bytes stuck in OpenSSL's buffer. */
static int dgram_write(BIO *b, const char *data, int len)
{
	struct wf_dgram *q = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	if (!q || !data || len <= 0)
		return 0;
	wf_dgram_push(q, (const uint8_t *)data, (size_t)len);
	return len;
}

void wf_dgram_push(struct wf_dgram *q, const uint8_t *p, size_t len)
{
	struct wf_dgram_node *n;

	if (q->on_write)
		q->on_write(q->on_write_arg, p, len);
	if (q->count >= q->max_count || len > q->max_len) {
		q->dropped++;
		return;
	}
	n = malloc(sizeof(*n) + len);
	if (!n) {
		q->dropped++;
		return;
	}
	n->next = NULL;
	n->len = len;
	memcpy(n->data, p, len);
	if (q->tail)
		q->tail->next = n;
	else
		q->head = n;
	q->tail = n;
	q->count++;
}

/* Returns the lent datagram once, then "would block" (as a non-blocking
 * UDP socket with nothing to read). */
static int dgram_read(BIO *b, char *out, int len)
{
	struct wf_dgram *q = BIO_get_data(b);
	size_t n;

	BIO_clear_retry_flags(b);
	if (!q || !out || len <= 0)
		return 0;
	if (!q->in) {
		BIO_set_retry_read(b);
		return -1;
	}
	/* A datagram longer than the reader's buffer is truncated, as
	 * recvfrom() does; DTLS then discards the broken record. */
	n = q->in_len < (size_t)len ? q->in_len : (size_t)len;
	memcpy(out, q->in, n);
	wf_dgram_clear_input(q);
	return (int)n;
}

static long dgram_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct wf_dgram *q = BIO_get_data(b);

	(void)num;
	if (!q)
		return 0;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;	/* every write is already a whole datagram */
	case BIO_CTRL_PENDING:
		return q->in ? (long)q->in_len : 0;
	case BIO_CTRL_WPENDING:
		return 0;	/* nothing half-written */
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
	case BIO_CTRL_DGRAM_GET_MTU:
		return q->mtu;
	case BIO_CTRL_DGRAM_SET_MTU:
		return q->mtu;	/* fixed by the caller: the path is not probed */
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
		return DGRAM_IPV4_UDP_OVERHEAD;
	case BIO_CTRL_DGRAM_MTU_EXCEEDED:
		return 0;	/* no EMSGSIZE from a queue */
	case BIO_CTRL_DGRAM_SET_CONNECTED:
	case BIO_CTRL_DGRAM_CONNECT:
	case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
		return 1;	/* the caller owns the 5-tuple and the timer */
	case BIO_CTRL_DGRAM_GET_PEER:
		/* The peer's address lives with the caller (ICE); report an
		 * unspecified address, as an unconnected socket would. */
		if (ptr)
			BIO_ADDR_clear(ptr);
		return 0;
	default:
		return 0;
	}
}

static int dgram_create(BIO *b)
{
	BIO_set_init(b, 1);
	BIO_set_data(b, NULL);
	return 1;
}

static int dgram_destroy(BIO *b)
{
	if (!b)
		return 0;
	BIO_set_data(b, NULL);	/* the queue belongs to the session */
	return 1;
}

static void dgram_method_init(void)
{
	int type = BIO_get_new_index();
	BIO_METHOD *m;

	if (type < 0)
		return;
	m = BIO_meth_new(type | BIO_TYPE_SOURCE_SINK, "whepfan datagram queue");
	if (!m)
		return;
	if (!BIO_meth_set_write(m, dgram_write) || !BIO_meth_set_read(m, dgram_read) ||
	    !BIO_meth_set_ctrl(m, dgram_ctrl) || !BIO_meth_set_create(m, dgram_create) ||
	    !BIO_meth_set_destroy(m, dgram_destroy)) {
		BIO_meth_free(m);
		return;
	}
	/* Kept for the life of the process: one method serves every session. */
	dgram_method = m;
}

BIO *wf_dgram_bio_new(struct wf_dgram *q)
{
	BIO *b;

	if (pthread_once(&dgram_once, dgram_method_init) != 0 || !dgram_method) {
		errno = ENOMEM;
		return NULL;
	}
	b = BIO_new(dgram_method);
	if (!b) {
		errno = ENOMEM;
		return NULL;
	}
	BIO_set_data(b, q);
	return b;
}
