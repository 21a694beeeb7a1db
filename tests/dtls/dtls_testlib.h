/* dtls_testlib.h: helpers shared by the tests/dtls/test_*.c binaries.
 *
 * Header-only (static inline), as tests/srtp/srtp_testlib.h: the Makefile
 * builds only test_*.c here.  A "pair" is a server and a client session
 * with their own certificates and contexts, each expecting the other's
 * fingerprint; t_pump() moves datagrams between them entirely in memory.
 */
#ifndef WF_TESTS_DTLS_TESTLIB_H
#define WF_TESTS_DTLS_TESTLIB_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "dtls/dtls.h"
#include "wf_test.h"

#define T_LOG_MAX	64

/* Datagrams seen on the wire in one direction. */
struct t_log {
	unsigned n;
	size_t len[T_LOG_MAX];
	uint8_t pkt[T_LOG_MAX][WF_DTLS_MAX_DATAGRAM];
};

struct t_pair {
	struct wf_dtls_cert *scert, *ccert;
	struct wf_dtls_ctx *sctx, *cctx;
	struct wf_dtls *srv, *cli;
	uint8_t sfp[WF_DTLS_FP_LEN], cfp[WF_DTLS_FP_LEN];
	struct t_log to_srv, to_cli;	/* everything delivered, for replays */
	unsigned max_len;		/* longest datagram seen */
};

static inline void t_sleep_ms(int64_t ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* xorshift64*: deterministic pseudo-random test data. */
static inline uint64_t t_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static inline void t_log_add(struct t_log *l, const uint8_t *p, size_t n)
{
	if (l->n >= T_LOG_MAX || n > WF_DTLS_MAX_DATAGRAM)
		return;
	memcpy(l->pkt[l->n], p, n);
	l->len[l->n++] = n;
}

/* Builds both sides; sopts/copts may be NULL.  false on any failure. */
static inline bool t_pair_init(struct t_pair *tp, const struct wf_dtls_ctx_opts *sopts,
			       const struct wf_dtls_ctx_opts *copts)
{
	memset(tp, 0, sizeof(*tp));
	tp->scert = wf_dtls_cert_generate();
	tp->ccert = wf_dtls_cert_generate();
	if (!tp->scert || !tp->ccert)
		return false;
	wf_dtls_cert_fingerprint_raw(tp->scert, tp->sfp);
	wf_dtls_cert_fingerprint_raw(tp->ccert, tp->cfp);
	tp->sctx = wf_dtls_ctx_create(WF_DTLS_SERVER, tp->scert, sopts);
	tp->cctx = wf_dtls_ctx_create(WF_DTLS_CLIENT, tp->ccert, copts);
	if (!tp->sctx || !tp->cctx)
		return false;
	tp->srv = wf_dtls_create(tp->sctx, tp->cfp);
	tp->cli = wf_dtls_create_client(tp->cctx, tp->sfp);
	return tp->srv && tp->cli;
}

static inline void t_pair_free(struct t_pair *tp)
{
	wf_dtls_free(tp->srv);
	wf_dtls_free(tp->cli);
	wf_dtls_ctx_free(tp->sctx);
	wf_dtls_ctx_free(tp->cctx);
	wf_dtls_cert_free(tp->scert);
	wf_dtls_cert_free(tp->ccert);
	memset(tp, 0, sizeof(*tp));
}

/* Moves every datagram queued at from into to; with drop set, they are
 * taken and lost instead.  Returns how many moved. */
static inline unsigned t_pump_one(struct t_pair *tp, struct wf_dtls *from, struct wf_dtls *to,
				  struct t_log *log, bool drop)
{
	uint8_t buf[WF_DTLS_MAX_DATAGRAM];
	unsigned moved = 0;
	int n;

	while ((n = wf_dtls_next_output(from, buf, sizeof(buf))) > 0) {
		moved++;
		if ((unsigned)n > tp->max_len)
			tp->max_len = (unsigned)n;
		if (drop)
			continue;
		t_log_add(log, buf, (size_t)n);
		wf_dtls_input(to, buf, (size_t)n);
	}
	return moved;
}

static inline unsigned t_pump(struct t_pair *tp)
{
	unsigned m = t_pump_one(tp, tp->cli, tp->srv, &tp->to_srv, false);

	return m + t_pump_one(tp, tp->srv, tp->cli, &tp->to_cli, false);
}

static inline bool t_ended(const struct wf_dtls *d)
{
	return wf_dtls_state(d) == WF_DTLS_CLOSED || wf_dtls_state(d) == WF_DTLS_FAILED;
}

/* Shuttles until nothing moves any more; true when both are connected. */
static inline bool t_handshake(struct t_pair *tp)
{
	int round;

	for (round = 0; round < 32; round++)
		if (t_pump(tp) == 0)
			break;
	return wf_dtls_state(tp->srv) == WF_DTLS_CONNECTED &&
	       wf_dtls_state(tp->cli) == WF_DTLS_CONNECTED;
}

/* Waits for d's retransmission timer and runs it; false if none armed. */
static inline bool t_fire_timer(struct wf_dtls *d)
{
	int64_t ms = wf_dtls_timeout_ms(d);

	if (ms < 0)
		return false;
	t_sleep_ms(ms + 1);
	wf_dtls_on_timer(d);
	return true;
}

/* True when p[0..n) is a whole number of DTLS records (RFC 6347 §4.1:
 * 13-byte header whose length field covers the rest exactly). */
static inline bool t_whole_records(const uint8_t *p, size_t n)
{
	size_t off = 0;

	while (off < n) {
		size_t len;

		if (n - off < 13)
			return false;
		len = (size_t)p[off + 11] << 8 | p[off + 12];
		if (len > n - off - 13)
			return false;
		off += 13 + len;
	}
	return n > 0;
}

#endif
