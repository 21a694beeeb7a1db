/* dgram.h: an OpenSSL BIO that keeps datagram boundaries in memory.
 *
 * OpenSSL's memory BIO (BIO_s_mem) is a byte stream: records written in two
 * calls come out glued together, which breaks DTLS over anything but a
 * socket.  BIO_s_dgram_mem would do, but it arrived in OpenSSL 3.2 and
 * Debian 12 ships 3.0.  This BIO is the small part of it whepfan needs:
 *  - write side: every BIO_write() is one datagram, appended to a bounded
 *    queue (OpenSSL's DTLS code already packs records into MTU-sized writes
 *    through its buffering BIO and flushes once per datagram);
 *  - read side: one borrowed input datagram, returned whole by the next
 *    BIO_read() (truncated to the reader's buffer, like recvfrom()), then
 *    "would block" until the next one is set.
 * Control queries answer as a connected UDP socket of a fixed MTU would.
 */
#ifndef WF_DTLS_DGRAM_H
#define WF_DTLS_DGRAM_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

struct wf_dgram_node;

struct wf_dgram {
	struct wf_dgram_node *head, *tail;
	unsigned count;		/* datagrams queued */
	unsigned max_count;	/* queue bound; writes beyond it are dropped */
	size_t max_len;		/* longest datagram accepted either way */
	uint16_t mtu;		/* answered to BIO_CTRL_DGRAM_QUERY_MTU */
	const uint8_t *in;	/* borrowed input datagram, NULL when none */
	size_t in_len;
	uint64_t dropped;	/* writes dropped: queue full, too long, no memory */
	/* told of every datagram written, queued or dropped (NULL: nobody) */
	void (*on_write)(void *arg, const uint8_t *p, size_t len);
	void *on_write_arg;
};

/* Sets up an empty queue. */
void wf_dgram_init(struct wf_dgram *q, uint16_t mtu, unsigned max_count, size_t max_len);

/* A BIO over q (q must outlive it; BIO_free() does not touch q's queue).
 * NULL with errno ENOMEM. */
BIO *wf_dgram_bio_new(struct wf_dgram *q);

/* Lends one input datagram to the read side until wf_dgram_clear_input(). */
void wf_dgram_set_input(struct wf_dgram *q, const uint8_t *pkt, size_t len);
void wf_dgram_clear_input(struct wf_dgram *q);

/* Queues one datagram as a BIO write would (dropped and counted when the
 * queue is full or it is too long). */
void wf_dgram_push(struct wf_dgram *q, const uint8_t *p, size_t len);

/* Removes the oldest queued datagram: copies it to buf and returns its
 * length, 0 when the queue is empty, -EMSGSIZE when it does not fit in cap
 * (it is dropped and counted). */
int wf_dgram_pop(struct wf_dgram *q, uint8_t *buf, size_t cap);

/* Keeps the oldest keep queued datagrams and frees the rest (output that
 * must not be sent after all). */
void wf_dgram_truncate(struct wf_dgram *q, unsigned keep);

/* Frees every queued datagram. */
void wf_dgram_clear(struct wf_dgram *q);

#endif
