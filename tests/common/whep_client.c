/* whep_client.c: a WHEP viewer for tests and load (whep_client.h). */
#include "common/whep_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/e2e_http.h"
#include "dtls/cert.h"
#include "rtp/rtcp.h"

#define RX_BATCH	16		/* datagrams per recvmmsg */
#define RX_ROUNDS	4		/* batches per readable event: others get a turn */
#define RX_BUF		2048
#define EVENTS		64
#define PUMP_WAIT_MS	2		/* the tick runs at least this often */
#define CONNECT_TRIES	5
#define CONNECT_RETRY_MS (300 * WF_E2E_SLOW)
#define KEEPALIVE_MS	1000
#define HTTP_WAIT_US	(5000000ull * WF_E2E_SLOW)
#define OFFER_MAX	8192
#define PRFLX_PRIORITY	0x6e7f1eff	/* a prflx priority (RFC 8445 §5.1.2) */
#define NO_DUE		UINT64_MAX

struct wf_wc_hub {
	struct wf_wc_hub_conf conf;
	struct sockaddr_in ice;		/* whepfan's WebRTC address */
	struct sockaddr_in http;
	int ep;				/* epoll: one entry per viewer, data.ptr = viewer */
	bool srtp;			/* counted in srtp_users */
	struct wf_dtls_cert *cert;
	struct wf_dtls_ctx *ctx;
	char fp[WF_DTLS_FP_STRLEN];
	struct wf_wc *head;		/* every viewer */
	unsigned count;
	struct wf_wc **heap;		/* viewers with a timer, by due_us */
	unsigned heap_n, heap_cap;
	struct wf_sdp_offer *answer;	/* ~100 KiB parse scratch */
	struct wf_e2e_http_resp resp;	/* scratch for callers that pass none */
	char offer[OFFER_MAX];
	char http_buf[65536];
	/* recvmmsg */
	uint8_t rx[RX_BATCH][RX_BUF];
	struct mmsghdr msgs[RX_BATCH];
	struct iovec iov[RX_BATCH];
	struct sockaddr_in from[RX_BATCH];
};

/* libsrtp2 is initialised by the first hub and shut down by the last. */
static unsigned srtp_users;

/* ---- the timer heap ---------------------------------------------------------
 * A binary min-heap of the viewers that have something due (a connection
 * retry, a DTLS retransmission, a consent check, an RR): O(log n) per
 * change, the earliest at heap[0]. */

static void heap_set(struct wf_wc_hub *h, unsigned i, struct wf_wc *c)
{
	h->heap[i] = c;
	c->heap_idx = (int)i;
}

static void heap_up(struct wf_wc_hub *h, unsigned i)
{
	struct wf_wc *c = h->heap[i];

	while (i > 0 && h->heap[(i - 1) / 2]->due_us > c->due_us) {
		heap_set(h, i, h->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(h, i, c);
}

static void heap_down(struct wf_wc_hub *h, unsigned i)
{
	struct wf_wc *c = h->heap[i];

	for (;;) {
		unsigned l = 2 * i + 1, m = l;

		if (l >= h->heap_n)
			break;
		if (l + 1 < h->heap_n && h->heap[l + 1]->due_us < h->heap[l]->due_us)
			m = l + 1;
		if (h->heap[m]->due_us >= c->due_us)
			break;
		heap_set(h, i, h->heap[m]);
		i = m;
	}
	heap_set(h, i, c);
}

static void heap_remove(struct wf_wc_hub *h, struct wf_wc *c)
{
	unsigned i = (unsigned)c->heap_idx;
	struct wf_wc *last;

	if (c->heap_idx < 0)
		return;
	c->heap_idx = -1;
	last = h->heap[--h->heap_n];
	if (last == c)
		return;
	heap_set(h, i, last);
	heap_up(h, i);
	heap_down(h, (unsigned)last->heap_idx);
}

static int heap_insert(struct wf_wc_hub *h, struct wf_wc *c)
{
	if (h->heap_n == h->heap_cap) {
		unsigned cap = h->heap_cap ? h->heap_cap * 2 : 64;
		struct wf_wc **p = realloc(h->heap, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		h->heap = p;
		h->heap_cap = cap;
	}
	heap_set(h, h->heap_n++, c);
	heap_up(h, (unsigned)c->heap_idx);
	return 0;
}

/* When the viewer next needs its timers run (NO_DUE: never). */
static uint64_t next_due(const struct wf_wc *c, uint64_t now)
{
	uint64_t due = NO_DUE;
	int64_t ms;

	if (c->connect_ctx && !c->dtls)
		due = c->connect_next_us;
	if (c->dtls && wf_dtls_state(c->dtls) == WF_DTLS_HANDSHAKING &&
	    (ms = wf_dtls_timeout_ms(c->dtls)) >= 0 && now + (uint64_t)ms * 1000 < due)
		due = now + (uint64_t)ms * 1000;
	if (c->keepalive && c->st.last_check_us + c->opts.keepalive_ms * 1000ull < due)
		due = c->st.last_check_us + c->opts.keepalive_ms * 1000ull;
	if (c->opts.rr_ms && c->keyed && c->next_rr_us < due)
		due = c->next_rr_us;
	return due;
}

static void reschedule(struct wf_wc *c)
{
	struct wf_wc_hub *h = c->hub;
	uint64_t due = next_due(c, wf_e2e_now_us()), old = c->due_us;

	if (due == NO_DUE) {
		heap_remove(h, c);
		return;
	}
	c->due_us = due;
	if (c->heap_idx < 0) {
		if (heap_insert(h, c) < 0)
			wf_e2e_errlog_add(&c->err, "%s: no memory for its timer", c->name);
	} else if (due < old) {
		heap_up(h, (unsigned)c->heap_idx);
	} else if (due > old) {
		heap_down(h, (unsigned)c->heap_idx);
	}
}

/* ---- the hub ---------------------------------------------------------------- */

static int set_addr(struct sockaddr_in *sa, const char *addr, uint16_t port)
{
	*sa = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port) };
	return inet_pton(AF_INET, addr ? addr : "0.0.0.0", &sa->sin_addr) == 1 ? 0 : -EINVAL;
}

struct wf_wc_hub *wf_wc_hub_create(const struct wf_wc_hub_conf *conf)
{
	struct wf_wc_hub *h = calloc(1, sizeof(*h));
	unsigned i;
	int rc;

	if (!h)
		return NULL;
	h->conf = *conf;
	h->ep = -1;
	rc = set_addr(&h->ice, conf->ice_addr, conf->ice_port);
	rc = rc ? rc : set_addr(&h->http, conf->http_addr, conf->http_port);
	/* a socket per viewer, and some for HTTP, telemetry, the source */
	if (!rc && wf_e2e_raise_nofile(conf->max_clients + 256) < 0)
		rc = -EMFILE;
	if (rc)
		goto fail;
	rc = -ENOMEM;
	h->answer = malloc(sizeof(*h->answer));
	h->ep = epoll_create1(EPOLL_CLOEXEC);
	if (!h->answer || h->ep < 0)
		goto fail;
	rc = -EIO;
	if (srtp_users++ == 0 && srtp_init() != srtp_err_status_ok)
		goto fail;
	h->srtp = true;
	h->cert = wf_dtls_cert_generate();
	h->ctx = h->cert ? wf_dtls_ctx_create(WF_DTLS_CLIENT, h->cert, NULL) : NULL;
	if (!h->ctx)
		goto fail;
	snprintf(h->fp, sizeof(h->fp), "%s", wf_dtls_cert_fingerprint(h->cert));
	for (i = 0; i < RX_BATCH; i++) {
		h->iov[i] = (struct iovec){ .iov_base = h->rx[i],
					    .iov_len = RX_BUF - SRTP_MAX_TRAILER_LEN };
		h->msgs[i].msg_hdr = (struct msghdr){ .msg_name = &h->from[i],
						      .msg_iov = &h->iov[i], .msg_iovlen = 1 };
	}
	return h;
fail:
	wf_wc_hub_free(h);
	errno = -rc;
	return NULL;
}

void wf_wc_hub_free(struct wf_wc_hub *h)
{
	if (!h)
		return;
	while (h->head)
		wf_wc_free(h->head);
	if (h->ep >= 0)
		close(h->ep);
	wf_dtls_ctx_free(h->ctx);
	wf_dtls_cert_free(h->cert);
	if (h->srtp && --srtp_users == 0)
		srtp_shutdown();
	free(h->answer);
	free(h->heap);
	free(h);
}

struct wf_dtls_ctx *wf_wc_hub_dtls_ctx(const struct wf_wc_hub *h)
{
	return h->ctx;
}

const char *wf_wc_hub_fingerprint(const struct wf_wc_hub *h)
{
	return h->fp;
}

unsigned wf_wc_hub_count(const struct wf_wc_hub *h)
{
	return h->count;
}

/* ---- HTTP ---------------------------------------------------------------------- */

/* A TCP connection to whepfan's HTTP from src (NULL: any), or -1. */
static int http_connect(const struct wf_wc_hub *h, const char *src)
{
	struct sockaddr_in from;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (src && (set_addr(&from, src, 0) < 0 ||
		    bind(fd, (struct sockaddr *)&from, sizeof(from)) < 0))
		goto fail;
	if (connect(fd, (const struct sockaddr *)&h->http, sizeof(h->http)) < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* Reads the response of fd into r (the whole of it, bounded). */
static int http_read(struct wf_wc_hub *h, int fd, struct wf_e2e_http_resp *r)
{
	char *buf = h->http_buf;
	uint64_t deadline = wf_e2e_now_us() + HTTP_WAIT_US;
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	size_t got = 0;

	while (got < sizeof(h->http_buf) - 1 && wf_e2e_now_us() < deadline) {
		ssize_t n;

		if (poll(&pf, 1, 100) != 1)
			continue;
		n = recv(fd, buf + got, sizeof(h->http_buf) - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return wf_e2e_http_parse(buf, got, r) == 0 ? 0 : -EIO;
}

int wf_wc_http(struct wf_wc_hub *h, const char *src, const char *method, const char *path,
	       const char *extra, const void *body, size_t len, struct wf_e2e_http_resp *r)
{
	char head[1024], host[INET_ADDRSTRLEN];
	struct pollfd pf;
	int fd, hn, rc;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	fd = http_connect(h, src);
	if (fd < 0)
		return -EIO;
	inet_ntop(AF_INET, &h->http.sin_addr, host, sizeof(host));
	hn = snprintf(head, sizeof(head),
		      "%s %s HTTP/1.1\r\nHost: %s:%u\r\nConnection: close\r\n%s"
		      "Content-Length: %zu\r\n\r\n", method, path, host, ntohs(h->http.sin_port),
		      extra ? extra : "", len);
	if (hn < 0 || (size_t)hn >= sizeof(head) ||
	    send(fd, head, (size_t)hn, MSG_NOSIGNAL) != hn)
		goto fail;
	pf = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (h->conf.http_max_body && len > h->conf.http_max_body &&
	    poll(&pf, 1, 1000 * WF_E2E_SLOW) == 1) {
		/* refused on the headers: read the answer */
	} else if (len && send(fd, body, len, MSG_NOSIGNAL) != (ssize_t)len) {
		goto fail;
	}
	rc = http_read(h, fd, r);
	close(fd);
	return rc;
fail:
	close(fd);
	return -EIO;
}

int wf_wc_http_post_offer(struct wf_wc_hub *h, const char *src, const char *stream,
			  const char *token, const char *sdp, size_t len,
			  struct wf_e2e_http_resp *r)
{
	char path[128];

	snprintf(path, sizeof(path), "/%s/whep", stream);
	return wf_wc_http_post_sdp(h, src, path, token, sdp, len, r);
}

int wf_wc_http_post_sdp(struct wf_wc_hub *h, const char *src, const char *path,
			const char *token, const char *sdp, size_t len,
			struct wf_e2e_http_resp *r)
{
	char extra[384];

	snprintf(extra, sizeof(extra), "Content-Type: application/sdp\r\n%s%s%s",
		 token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "");
	return wf_wc_http(h, src, "POST", path, extra, sdp, len, r);
}

/* ---- viewers ------------------------------------------------------------------- */

int wf_wc_rebind(struct wf_wc *c, const char *addr, uint16_t port)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = wf_e2e_udp_socket(addr, port), err;

	if (fd < 0)
		return -EADDRINUSE;
	if (getsockname(fd, (struct sockaddr *)&sa, &sl) < 0 ||
	    epoll_ctl(c->hub->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	epoll_ctl(c->hub->ep, EPOLL_CTL_DEL, c->sock, NULL);
	close(c->sock);
	c->sock = fd;
	c->addr = sa.sin_addr.s_addr;
	c->port = ntohs(sa.sin_port);
	return 0;
}

struct wf_wc *wf_wc_create(struct wf_wc_hub *h, const struct wf_wc_opts *opts)
{
	struct wf_wc *c = calloc(1, sizeof(*c));
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct epoll_event ev;
	int err = ENOMEM;

	if (!c)
		goto fail;
	c->hub = h;
	c->opts = *opts;
	c->name = opts->name ? opts->name : "viewer";
	if (!c->opts.keepalive_ms)
		c->opts.keepalive_ms = KEEPALIVE_MS;
	if (!c->opts.connect_tries)
		c->opts.connect_tries = CONNECT_TRIES;
	if (!c->opts.connect_retry_ms)
		c->opts.connect_retry_ms = CONNECT_RETRY_MS;
	c->heap_idx = -1;
	c->sock = wf_e2e_udp_socket(opts->addr ? opts->addr : "0.0.0.0", opts->port);
	if (c->sock < 0) {
		err = errno == EMFILE || errno == ENFILE ? errno : EADDRINUSE;
		goto fail;
	}
	if (getsockname(c->sock, (struct sockaddr *)&sa, &sl) < 0)
		goto fail_errno;
	c->addr = sa.sin_addr.s_addr;
	c->port = ntohs(sa.sin_port);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.ptr = c };
	if (epoll_ctl(h->ep, EPOLL_CTL_ADD, c->sock, &ev) < 0)
		goto fail_errno;
	if (opts->media == WF_WC_MEDIA_VERIFY) {
		if (!h->conf.src) {
			err = EINVAL;
			goto fail;
		}
		c->trk[WF_WC_VIDEO].chk = wf_rtp_check_new(h->conf.src);
		c->trk[WF_WC_AUDIO].chk = wf_rtp_check_new(h->conf.src);
		if (!c->trk[WF_WC_VIDEO].chk || !c->trk[WF_WC_AUDIO].chk)
			goto fail;
	}
	wf_e2e_rnd_ice(c->ufrag, 8);
	wf_e2e_rnd_ice(c->pwd, 24);
	c->my_ssrc = wf_e2e_rnd() | 1;
	c->next = h->head;
	if (h->head)
		h->head->prev = c;
	h->head = c;
	h->count++;
	return c;
fail_errno:
	err = errno;
fail:
	if (c) {
		if (c->sock >= 0)
			close(c->sock);
		wf_rtp_check_free(c->trk[WF_WC_VIDEO].chk);
		wf_rtp_check_free(c->trk[WF_WC_AUDIO].chk);
		free(c);
	}
	errno = err;
	return NULL;
}

void wf_wc_free(struct wf_wc *c)
{
	struct wf_wc_hub *h;
	unsigned t;

	if (!c)
		return;
	h = c->hub;
	heap_remove(h, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		h->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	h->count--;
	close(c->sock);	/* leaves the epoll set with it */
	if (c->dtls)
		wf_dtls_free(c->dtls);
	if (c->rx)
		srtp_dealloc(c->rx);
	if (c->tx)
		srtp_dealloc(c->tx);
	for (t = 0; t < WF_WC_TRACKS; t++)
		wf_rtp_check_free(c->trk[t].chk);
	free(c->sent);
	memset(c->rkey, 0, sizeof(c->rkey));
	memset(c->lkey, 0, sizeof(c->lkey));
	free(c);
}

/* Appends formatted text to out[cap] at *len; false once it does not fit. */
static bool put(char *out, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool put(char *out, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= cap)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(out + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *len) {
		*len = cap;
		return false;
	}
	*len += (size_t)n;
	return true;
}

/* One m= section of our offer: the transport lines every section carries
 * (BUNDLE, RFC 8843: one transport), recvonly (a publisher: sendonly,
 * with its SSRC for track t). */
static void offer_section(const struct wf_wc *c, char *out, size_t cap, size_t *len,
			  const char *kind, int pt, unsigned mid, unsigned t)
{
	put(out, cap, len,
	    "m=%s 9 UDP/TLS/RTP/SAVPF %d\r\n"
	    "c=IN IP4 0.0.0.0\r\n"
	    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
	    "a=ice-ufrag:%s\r\n"
	    "a=ice-pwd:%s\r\n"
	    "a=ice-options:trickle\r\n"
	    "a=fingerprint:sha-256 %s\r\n"
	    "a=setup:actpass\r\n"
	    "a=mid:%u\r\n"
	    "a=%s\r\n"
	    "a=rtcp-mux\r\n",
	    kind, pt, c->ufrag, c->pwd, c->hub->fp, mid,
	    c->opts.publish ? "sendonly" : "recvonly");
	if (c->opts.publish && c->opts.ssrc[t])
		put(out, cap, len, "a=ssrc:%u cname:%s\r\n", c->opts.ssrc[t], c->ufrag);
}

/* The payload types c offers: its own, else the hub's. */
static uint8_t offer_pt(const struct wf_wc *c, unsigned t)
{
	if (t == WF_WC_VIDEO)
		return c->opts.video_pt ? c->opts.video_pt : c->hub->conf.video_pt;
	return c->opts.audio_pt ? c->opts.audio_pt : c->hub->conf.audio_pt;
}

size_t wf_wc_offer(const struct wf_wc *c, char *out, size_t cap)
{
	int a = offer_pt(c, WF_WC_AUDIO), v = offer_pt(c, WF_WC_VIDEO);
	size_t len = 0;

	put(out, cap, &len,
	    "v=0\r\n"
	    "o=- %u 2 IN IP4 127.0.0.1\r\n"
	    "s=-\r\n"
	    "t=0 0\r\n"
	    "a=group:BUNDLE 0 1\r\n"
	    "a=msid-semantic: WMS\r\n", wf_e2e_rnd());
	offer_section(c, out, cap, &len, "audio", a, 0, WF_WC_AUDIO);
	put(out, cap, &len,
	    "a=rtpmap:%d opus/48000/2\r\n"
	    "a=fmtp:%d minptime=10;useinbandfec=1\r\n", a, a);
	offer_section(c, out, cap, &len, "video", v, 1, WF_WC_VIDEO);
	put(out, cap, &len,
	    "a=rtcp-rsize\r\n"
	    "a=rtpmap:%d H264/90000\r\n"
	    "a=rtcp-fb:%d nack\r\n"
	    "a=rtcp-fb:%d nack pli\r\n"
	    "a=fmtp:%d level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n",
	    v, v, v, v);
	return len < cap ? len : 0;
}

/* ---- the answer ------------------------------------------------------------------ */

/* Location "/<stream>/whep/<32 lowercase hex>" (a publisher: /whip/):
 * keeps it and the id. */
static bool answer_location(struct wf_wc *c, const struct wf_e2e_http_resp *r)
{
	char want[96];
	const char *id = strrchr(r->location, '/');
	int n = snprintf(want, sizeof(want), "/%s/%s/", c->stream,
			 c->opts.publish ? "whip" : "whep");

	if (strncmp(r->location, want, (size_t)n))
		wf_e2e_errlog_add(&c->answer_err, "%s: Location \"%s\"", c->name, r->location);
	if (!id || strlen(id + 1) != 32 || strspn(id + 1, "0123456789abcdef") != 32) {
		wf_e2e_errlog_add(&c->answer_err, "%s: Location \"%s\" has no 32-hex id", c->name,
				  r->location);
		return false;
	}
	snprintf(c->location, sizeof(c->location), "%s", r->location);
	snprintf(c->id, sizeof(c->id), "%s", id + 1);
	return true;
}

/* The m= sections: what whepfan answers to our offer (RFC 8829 §5.3,
 * RFC 8842 §5: a passive DTLS server; WHEP: sendonly, WHIP: recvonly). */
static void answer_media(struct wf_wc *c, const struct wf_sdp_offer *a)
{
	unsigned i;

	if (!a->ice_lite)
		wf_e2e_errlog_add(&c->answer_err, "%s: answer is not a=ice-lite", c->name);
	if (a->nmedia != 2)
		wf_e2e_errlog_add(&c->answer_err, "%s: %u m= sections in the answer, offered 2",
				  c->name, a->nmedia);
	for (i = 0; i < a->nmedia && i < 2; i++) {
		const struct wf_sdp_media *md = &a->media[i];

		if (md->setup != WF_SDP_SETUP_PASSIVE)
			wf_e2e_errlog_add(&c->answer_err, "%s media %u: setup %d", c->name, i,
					  md->setup);
		if (!md->rtcp_mux || !md->has_fingerprint || md->nformats < 1)
			wf_e2e_errlog_add(&c->answer_err, "%s media %u: rtcp-mux %d, fingerprint %d, "
					  "%u formats", c->name, i, md->rtcp_mux, md->has_fingerprint,
					  md->nformats);
		if (md->dir != (c->opts.publish ? WF_SDP_DIR_RECVONLY : WF_SDP_DIR_SENDONLY))
			wf_e2e_errlog_add(&c->answer_err, "%s media %u: direction %s", c->name, i,
					  wf_sdp_dir_name(md->dir));
	}
}

/* Our codecs with our payload types: audio first, as offered. */
static void answer_codecs(struct wf_wc *c, const struct wf_sdp_offer *a)
{
	const char *vname = a->media[1].formats[0].name, *aname = a->media[0].formats[0].name;

	if (a->media[0].kind != WF_SDP_KIND_AUDIO || a->media[1].kind != WF_SDP_KIND_VIDEO)
		wf_e2e_errlog_add(&c->answer_err, "%s: m= sections not audio, video", c->name);
	c->trk[WF_WC_AUDIO].pt = a->media[0].formats[0].pt;
	c->trk[WF_WC_VIDEO].pt = a->media[1].formats[0].pt;
	if (c->trk[WF_WC_VIDEO].pt != offer_pt(c, WF_WC_VIDEO) ||
	    c->trk[WF_WC_AUDIO].pt != offer_pt(c, WF_WC_AUDIO))
		wf_e2e_errlog_add(&c->answer_err, "%s: answer PTs video %u audio %u, offered %u and %u",
				  c->name, c->trk[WF_WC_VIDEO].pt, c->trk[WF_WC_AUDIO].pt,
				  offer_pt(c, WF_WC_VIDEO), offer_pt(c, WF_WC_AUDIO));
	if (!vname || strcasecmp(vname, "H264") || !aname || strcasecmp(aname, "opus"))
		wf_e2e_errlog_add(&c->answer_err, "%s: codecs %s and %s, want H264 and opus", c->name,
				  vname ? vname : "-", aname ? aname : "-");
}

/* a=ssrc and a=candidate, per m= section (lib/sdp keeps neither). */
static void answer_lines(struct wf_wc *c, const char *body)
{
	const struct wf_wc_hub *h = c->hub;
	char want[INET_ADDRSTRLEN];
	unsigned m = 0, ncand = 0;
	bool cand_ok = false;
	const char *p;

	inet_ntop(AF_INET, &h->ice.sin_addr, want, sizeof(want));
	for (p = body; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		unsigned ssrc, port, comp;
		char addr[64], typ[16], proto[8];

		if (!strncmp(p, "m=", 2))
			m++;
		/* m=1 audio, m=2 video */
		if (m >= 1 && m <= 2 && sscanf(p, "a=ssrc:%u ", &ssrc) == 1 &&
		    !c->trk[m == 1 ? WF_WC_AUDIO : WF_WC_VIDEO].ssrc)
			c->trk[m == 1 ? WF_WC_AUDIO : WF_WC_VIDEO].ssrc = ssrc;
		if (sscanf(p, "a=candidate:%*s %u %7s %*u %63s %u typ %15s", &comp, proto, addr, &port,
			   typ) == 5) {
			ncand++;
			if (comp == 1 && !strcasecmp(proto, "udp") && !strcmp(addr, want) &&
			    port == ntohs(h->ice.sin_port) && !strcmp(typ, "host"))
				cand_ok = true;
		}
	}
	if (!cand_ok)
		wf_e2e_errlog_add(&c->answer_err, "%s: no host candidate %s %u udp (%u candidates)",
				  c->name, want, ntohs(h->ice.sin_port), ncand);
}

/* Reads a 201's answer into c; returns whether the viewer can go on. */
static bool read_answer(struct wf_wc *c, const struct wf_e2e_http_resp *r)
{
	struct wf_sdp_offer *a = c->hub->answer;
	struct wf_sdp_error err;
	struct wf_wc_track *v = &c->trk[WF_WC_VIDEO], *au = &c->trk[WF_WC_AUDIO];

	if (strcmp(r->ctype, "application/sdp"))
		wf_e2e_errlog_add(&c->answer_err, "%s: Content-Type \"%s\"", c->name, r->ctype);
	if (!r->etag[0])
		wf_e2e_errlog_add(&c->answer_err, "%s: no ETag", c->name);
	if (!answer_location(c, r))
		return false;
	if (wf_sdp_parse(a, r->body, r->body_len, &err) < 0) {
		wf_e2e_errlog_add(&c->answer_err, "%s: answer does not parse: %s", c->name,
				  err.reason);
		return false;
	}
	answer_media(c, a);
	if (a->nmedia != 2 || !a->media[0].ice_ufrag || !a->media[0].ice_pwd)
		return false;
	snprintf(c->s_ufrag, sizeof(c->s_ufrag), "%s", a->media[0].ice_ufrag);
	snprintf(c->s_pwd, sizeof(c->s_pwd), "%s", a->media[0].ice_pwd);
	memcpy(c->s_fp, a->media[0].fingerprint, sizeof(c->s_fp));
	answer_codecs(c, a);
	answer_lines(c, r->body);
	if (c->opts.publish) {
		/* RFC 9725: whepfan sends a publisher no media, so no a=ssrc */
		if (v->ssrc || au->ssrc)
			wf_e2e_errlog_add(&c->answer_err, "%s: a=ssrc in a WHIP answer", c->name);
		return true;
	}
	if (!v->ssrc || !au->ssrc || v->ssrc == au->ssrc)
		wf_e2e_errlog_add(&c->answer_err, "%s: a=ssrc video %u audio %u", c->name, v->ssrc,
				  au->ssrc);
	return v->ssrc && au->ssrc;
}

int wf_wc_post(struct wf_wc *c, const char *stream, const char *token,
	       struct wf_e2e_http_resp *r)
{
	struct wf_wc_hub *h = c->hub;
	size_t n = wf_wc_offer(c, h->offer, sizeof(h->offer));
	char path[128];

	if (!r)
		r = &h->resp;
	snprintf(c->stream, sizeof(c->stream), "%s", stream);
	snprintf(path, sizeof(path), "/%s/%s", stream, c->opts.publish ? "whip" : "whep");
	if (!n || wf_wc_http_post_sdp(h, c->opts.http_addr, path, token, h->offer, n, r) < 0)
		return -EIO;
	if (r->status == 201 && !read_answer(c, r))
		return -EPROTO;
	return r->status;
}

int wf_wc_delete(struct wf_wc *c, const char *token, struct wf_e2e_http_resp *r)
{
	char extra[300];

	if (!c->location[0])
		return -ENOTCONN;
	if (!r)
		r = &c->hub->resp;
	snprintf(extra, sizeof(extra), "%s%s%s", token ? "Authorization: Bearer " : "",
		 token ? token : "", token ? "\r\n" : "");
	if (wf_wc_http(c->hub, c->opts.http_addr, "DELETE", c->location, extra, NULL, 0, r) < 0)
		return -EIO;
	return r->status;
}

/* ---- sending ------------------------------------------------------------------------ */

int wf_wc_send_raw(struct wf_wc *c, const void *p, size_t n)
{
	const struct sockaddr_in *to = &c->hub->ice;

	if (sendto(c->sock, p, n, 0, (const struct sockaddr *)to, sizeof(*to)) != (ssize_t)n)
		return -errno;
	return 0;
}

int wf_wc_build_check(struct wf_wc *c, bool use_candidate, const char *pwd, uint8_t *out,
		      size_t cap)
{
	struct wf_stun_request_params rp;
	uint8_t *txid = c->txid[c->n_txid++ % WF_WC_TXIDS];
	int n;

	wf_e2e_rnd_fill(txid, WF_STUN_TXID_LEN);
	memset(&rp, 0, sizeof(rp));
	rp.txid = txid;
	rp.remote_ufrag = c->s_ufrag;
	rp.local_ufrag = c->ufrag;
	rp.remote_pwd = pwd ? pwd : c->s_pwd;
	rp.priority = PRFLX_PRIORITY;
	rp.tie_breaker = (uint64_t)wf_e2e_rnd() << 32 | wf_e2e_rnd();
	rp.controlling = true;
	rp.use_candidate = use_candidate;
	n = wf_stun_build_binding_request(out, cap, &rp);
	if (n <= 0) {
		wf_e2e_errlog_add(&c->ice_err, "%s: cannot build a Binding request: %s", c->name,
				  wf_stun_strerror(n));
		return -EINVAL;
	}
	return n;
}

int wf_wc_send_check(struct wf_wc *c, bool use_candidate, const char *pwd)
{
	uint8_t pkt[512];
	int n = wf_wc_build_check(c, use_candidate, pwd, pkt, sizeof(pkt));

	if (n < 0)
		return n;
	wf_wc_send_raw(c, pkt, (size_t)n);
	c->st.stun_sent++;
	c->st.last_check_us = wf_e2e_now_us();
	reschedule(c);
	return 0;
}

/* Whether this DTLS datagram is lost on purpose (opts.dtls_loss_pct). */
static bool dtls_lost(struct wf_wc *c)
{
	if (!c->opts.dtls_loss_pct || wf_e2e_rnd() % 100 >= c->opts.dtls_loss_pct)
		return false;
	c->st.dtls_lost++;
	return true;
}

static void dtls_flush(struct wf_wc *c)
{
	uint8_t buf[WF_DTLS_MAX_DATAGRAM];
	int n;

	while (c->dtls && (n = wf_dtls_next_output(c->dtls, buf, sizeof(buf))) > 0) {
		c->st.dtls_out++;
		if (!dtls_lost(c))
			wf_wc_send_raw(c, buf, (size_t)n);
	}
}

int wf_wc_dtls_start(struct wf_wc *c, struct wf_dtls_ctx *ctx)
{
	if (c->dtls)
		return -EALREADY;
	c->dtls = wf_dtls_create_client(ctx ? ctx : c->hub->ctx, c->s_fp);
	if (!c->dtls)
		return -errno;
	dtls_flush(c);
	reschedule(c);
	return 0;
}

int wf_wc_connect_start(struct wf_wc *c, struct wf_dtls_ctx *ctx, bool keepalive)
{
	if (!c->s_ufrag[0])
		return -EINVAL;
	c->connect_ctx = ctx ? ctx : c->hub->ctx;
	c->connect_tries = 0;
	c->connect_t0_us = c->connect_next_us = wf_e2e_now_us();
	c->connect_keepalive = keepalive;
	reschedule(c);
	return 0;
}

static bool ice_settled(void *arg)
{
	const struct wf_wc *c = arg;

	return c->st.stun_ok > 0 || !c->connect_ctx;
}

static bool dtls_settled(void *arg)
{
	const struct wf_wc *c = arg;

	return c->dtls && wf_dtls_state(c->dtls) != WF_DTLS_HANDSHAKING;
}

enum wf_dtls_state wf_wc_connect(struct wf_wc *c, struct wf_dtls_ctx *ctx)
{
	if (wf_wc_connect_start(c, ctx, false) < 0)
		return WF_DTLS_FAILED;
	wf_wc_pump(c->hub, c->opts.connect_tries * c->opts.connect_retry_ms + 100, ice_settled, c);
	if (!c->st.stun_ok)
		return WF_DTLS_FAILED;
	wf_wc_pump(c->hub, 5000 * WF_E2E_SLOW, dtls_settled, c);
	return wf_wc_dtls_state(c);
}

void wf_wc_set_keepalive(struct wf_wc *c, bool on)
{
	c->keepalive = on;
	c->connect_keepalive = false;
	reschedule(c);
}

int wf_wc_close_notify(struct wf_wc *c)
{
	int rc;

	c->keepalive = false;
	c->connect_keepalive = false;
	c->connect_ctx = NULL;
	if (!c->dtls)
		return -ESHUTDOWN;
	rc = wf_dtls_close(c->dtls);
	dtls_flush(c);
	reschedule(c);
	return rc;
}

enum wf_dtls_state wf_wc_dtls_state(const struct wf_wc *c)
{
	return c->dtls ? wf_dtls_state(c->dtls) : WF_DTLS_HANDSHAKING;
}

int wf_wc_send_srtcp(struct wf_wc *c, uint8_t *buf, size_t len)
{
	int n = (int)len;

	if (!c->tx)
		return -ENOTCONN;
	if (srtp_protect_rtcp(c->tx, buf, &n) != srtp_err_status_ok)
		return -EIO;
	c->st.rtcp_sent++;
	return wf_wc_send_raw(c, buf, (size_t)n);
}

/* A publisher's last packets as protected, by sequence number: a NACK
 * has them sent again, the same bytes (RFC 4585 without RTX: the
 * packet's index is new to whepfan, which never received it). */
#define WF_WC_SENT		512
#define WF_WC_SENT_MAX		1500
struct wf_wc_sent {
	struct {
		uint32_t ssrc;
		uint16_t seq, len;	/* len 0: empty */
		uint8_t pkt[WF_WC_SENT_MAX];
	} e[WF_WC_SENT];
};

int wf_wc_send_rtp(struct wf_wc *c, uint8_t *buf, size_t len, size_t cap)
{
	int n = (int)len;

	if (!c->tx || !c->keyed)
		return -ENOTCONN;
	if (len + SRTP_MAX_TRAILER_LEN > cap || len < 12)
		return -ENOSPC;
	if (srtp_protect(c->tx, buf, &n) != srtp_err_status_ok)
		return -EIO;
	c->st.rtp_sent++;
	if (c->opts.publish && !c->sent)
		c->sent = calloc(1, sizeof(*c->sent));
	if (c->sent && (size_t)n <= WF_WC_SENT_MAX) {
		uint16_t seq = wf_rtp_rd16(buf + 2);
		unsigned i = seq % WF_WC_SENT;

		c->sent->e[i].ssrc = wf_rtp_rd32(buf + 8);
		c->sent->e[i].seq = seq;
		c->sent->e[i].len = (uint16_t)n;
		memcpy(c->sent->e[i].pkt, buf, (size_t)n);
	}
	/* lost on the way, as if: a multiplicative hash of the count spreads
	 * the losses evenly, key frames' packets among them */
	if (c->opts.publish_loss_pct &&
	    (c->st.rtp_sent * 2654435761u >> 8) % 100 < c->opts.publish_loss_pct) {
		c->st.pub_dropped++;
		return n;
	}
	return wf_wc_send_raw(c, buf, (size_t)n);
}

/* A NACK from whepfan: each packet it names is sent again if still kept. */
static void publisher_nack(struct wf_wc *c, const struct wf_rtcp_pkt *pkt)
{
	uint16_t seqs[64];
	struct wf_rtcp_fb fb;
	int n = wf_rtcp_parse_nack(pkt, &fb, seqs, 64), i;

	if (n < 0) {
		wf_e2e_errlog_add(&c->err, "%s: a NACK that does not parse (%d)", c->name, n);
		return;
	}
	c->st.nack_in++;
	for (i = 0; i < n && i < 64; i++) {
		unsigned k = seqs[i] % WF_WC_SENT;

		c->st.nack_seqs_in++;
		if (!c->sent || !c->sent->e[k].len || c->sent->e[k].seq != seqs[i] ||
		    c->sent->e[k].ssrc != fb.media_ssrc) {
			c->st.pub_unknown++;
			continue;
		}
		if (wf_wc_send_raw(c, c->sent->e[k].pkt, c->sent->e[k].len) >= 0)
			c->st.pub_resent++;
	}
}

/* whepfan's feedback to a publisher (decrypted SRTCP): receiver reports,
 * NACK (sent again), PLI and REMB (counted). */
static void publisher_feedback(struct wf_wc *c, const uint8_t *p, int len)
{
	struct wf_rtcp_iter it;
	struct wf_rtcp_pkt pkt;
	struct wf_rtcp_remb remb;
	struct wf_rtcp_fb fb;
	uint32_t ssrcs[4];
	int rc;

	wf_rtcp_iter_init(&it, p, (size_t)len);
	while ((rc = wf_rtcp_next(&it, &pkt)) > 0) {
		if (pkt.pt == WF_RTCP_RR)
			c->st.rr_in++;
		else if (pkt.pt == WF_RTCP_RTPFB && pkt.count == WF_RTCP_FMT_NACK)
			publisher_nack(c, &pkt);
		else if (wf_rtcp_parse_pli(&pkt, &fb) == 0)
			c->st.pli_in++;
		else if (wf_rtcp_parse_remb(&pkt, &remb, ssrcs, 4) > 0) {
			c->st.remb_in++;
			c->st.remb_bps = remb.bitrate_bps;
		}
	}
	if (rc < 0)
		wf_e2e_errlog_add(&c->err, "%s: whepfan's SRTCP does not parse (%d)", c->name, rc);
}

int wf_wc_send_rr(struct wf_wc *c)
{
	struct wf_rtcp_report rb[WF_WC_TRACKS];
	uint8_t buf[256 + SRTP_MAX_TRAILER_LEN];
	uint64_t now = wf_e2e_now_us();
	unsigned t, n = 0;
	int len;

	for (t = 0; t < WF_WC_TRACKS; t++) {
		struct wf_wc_track *tr = &c->trk[t];
		struct wf_rtp_loss loss;

		if (!tr->have)
			continue;
		wf_rtp_source_report(&tr->rs, &loss);
		rb[n] = (struct wf_rtcp_report){
			.ssrc = tr->ssrc, .fraction_lost = loss.fraction_lost,
			.cumulative_lost = loss.cumulative_lost,
			.ext_highest_seq = loss.ext_highest_seq, .jitter = loss.jitter,
			.lsr = c->lsr,
			/* RFC 3550 §6.4.1: units of 1/65536 s */
			.dlsr = c->lsr ? (uint32_t)((now - c->lsr_us) * 65536 / 1000000) : 0,
		};
		n++;
	}
	len = wf_rtcp_build_rr(buf, sizeof(buf) - SRTP_MAX_TRAILER_LEN, c->my_ssrc, rb, n);
	if (len < 0)
		return -EINVAL;
	return wf_wc_send_srtcp(c, buf, (size_t)len);
}

/* An empty RR then one feedback message built by fb (RFC 4585 §3.1: a
 * compound starts with a report). */
static int send_feedback(struct wf_wc *c, uint8_t *buf, size_t cap, int fb_len)
{
	int rr;

	if (fb_len < 0)
		return -EINVAL;
	rr = wf_rtcp_build_rr(buf, cap, c->my_ssrc, NULL, 0);
	if (rr < 0)
		return -EINVAL;
	return wf_wc_send_srtcp(c, buf, (size_t)(rr + fb_len));
}

int wf_wc_send_nack(struct wf_wc *c, unsigned t, const uint16_t *seqs, size_t n)
{
	uint8_t buf[512 + SRTP_MAX_TRAILER_LEN];
	size_t cap = sizeof(buf) - SRTP_MAX_TRAILER_LEN;

	if (t >= WF_WC_TRACKS)
		return -EINVAL;
	return send_feedback(c, buf, cap, wf_rtcp_build_nack(buf + 8, cap - 8, c->my_ssrc,
							     c->trk[t].ssrc, seqs, n));
}

int wf_wc_send_pli(struct wf_wc *c)
{
	uint8_t buf[64 + SRTP_MAX_TRAILER_LEN];
	size_t cap = sizeof(buf) - SRTP_MAX_TRAILER_LEN;

	return send_feedback(c, buf, cap, wf_rtcp_build_pli(buf + 8, cap - 8, c->my_ssrc,
							    c->trk[WF_WC_VIDEO].ssrc));
}

long wf_wc_lost(const struct wf_wc *c, unsigned t)
{
	const struct wf_rtp_source *rs;

	if (t >= WF_WC_TRACKS || !c->trk[t].have || c->trk[t].rs.probation)
		return 0;
	rs = &c->trk[t].rs;
	return (long)(rs->cycles + rs->max_seq - rs->base_seq + 1) - (long)rs->received;
}

bool wf_wc_media_both(const struct wf_wc *c, unsigned n)
{
	return c->trk[WF_WC_VIDEO].n_rtp >= n && c->trk[WF_WC_AUDIO].n_rtp >= n;
}

/* ---- receiving: STUN ------------------------------------------------------------- */

/* A success response to one of our checks: MI under the server's
 * password, FINGERPRINT, and our address (RFC 8445 §7.2.5.2). */
static void on_stun_response(struct wf_wc *c, const uint8_t *p, const struct wf_stun_msg *msg)
{
	struct wf_stun_addr a;
	unsigned i;
	int rc;

	if (msg->type != WF_STUN_BINDING_SUCCESS) {
		wf_e2e_errlog_add(&c->ice_err, "%s: STUN type 0x%04x, want a Binding success",
				  c->name, msg->type);
		return;
	}
	for (i = 0; i < WF_WC_TXIDS && i < c->n_txid; i++)
		if (!memcmp(msg->txid, c->txid[i], WF_STUN_TXID_LEN))
			break;
	if (i == WF_WC_TXIDS || i == c->n_txid) {
		wf_e2e_errlog_add(&c->ice_err, "%s: success for a transaction we did not start",
				  c->name);
		return;
	}
	if ((rc = wf_stun_verify_integrity(p, msg, c->s_pwd, strlen(c->s_pwd))) < 0 ||
	    (rc = wf_stun_verify_fingerprint(p, msg)) < 0 ||
	    (rc = wf_stun_xor_mapped_address(p, msg, &a)) < 0) {
		wf_e2e_errlog_add(&c->ice_err, "%s: Binding success: %s", c->name,
				  wf_stun_strerror(rc));
		return;
	}
	if (a.family != WF_STUN_AF_IPV4 || a.port != c->port || memcmp(a.addr, &c->addr, 4)) {
		char want[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &c->addr, want, sizeof(want));
		wf_e2e_errlog_add(&c->ice_err, "%s: XOR-MAPPED-ADDRESS %u.%u.%u.%u:%u, want %s:%u",
				  c->name, a.addr[0], a.addr[1], a.addr[2], a.addr[3], a.port, want,
				  c->port);
		return;
	}
	if (!c->st.stun_ok++ && c->connect_t0_us)
		c->st.ice_us = wf_e2e_now_us() - c->connect_t0_us;
	if (c->connect_ctx && !c->dtls) {
		int err = wf_wc_dtls_start(c, c->connect_ctx);

		if (err < 0)
			wf_e2e_errlog_add(&c->err, "%s: DTLS client: %s", c->name, strerror(-err));
		c->connect_ctx = NULL;	/* ICE is done: the handshake goes on alone */
	}
}

/* Checks whepfan's Binding request (a path-validation probe): USERNAME
 * "our_ufrag:its_ufrag", MESSAGE-INTEGRITY under our password (RFC 8445
 * §7.2.2), FINGERPRINT.  0 or the failed check's -WF_STUN_E_*. */
static int probe_check(const struct wf_wc *c, const uint8_t *p, const struct wf_stun_msg *msg)
{
	struct wf_ice_username un;
	int rc;

	if ((rc = wf_stun_verify_fingerprint(p, msg)) < 0)
		return rc;
	if (!msg->username.off)
		return -WF_STUN_E_NO_USERNAME;
	if ((rc = wf_ice_username_split(p + msg->username.off + 4, msg->username.len, &un)) < 0)
		return rc;
	if (un.local_len != strlen(c->ufrag) || memcmp(un.local, c->ufrag, un.local_len) ||
	    un.remote_len != strlen(c->s_ufrag) || memcmp(un.remote, c->s_ufrag, un.remote_len))
		return -WF_STUN_E_USERNAME_MISMATCH;
	return wf_stun_verify_integrity(p, msg, c->pwd, strlen(c->pwd));
}

/* A Binding request from whepfan: answered with XOR-MAPPED-ADDRESS of its
 * source, MESSAGE-INTEGRITY under our password and FINGERPRINT (RFC 8489
 * §6.3.1.1), unless the viewer plays one that never answers. */
static void on_stun_request(struct wf_wc *c, const uint8_t *p, const struct wf_stun_msg *msg,
			    const struct sockaddr_in *from)
{
	struct wf_stun_addr mapped = { .family = WF_STUN_AF_IPV4 };
	uint8_t out[256];
	int rc, n;

	if (c->opts.ignore_probes) {
		c->st.probes_ignored++;
		return;
	}
	rc = probe_check(c, p, msg);
	if (rc < 0) {
		c->st.probes_bad++;
		wf_e2e_errlog_add(&c->ice_err, "%s: Binding request from whepfan: %s", c->name,
				  wf_stun_strerror(rc));
		return;
	}
	mapped.port = ntohs(from->sin_port);
	memcpy(mapped.addr, &from->sin_addr, 4);
	n = wf_stun_build_binding_success(out, sizeof(out), msg->txid, &mapped, c->pwd);
	if (n <= 0 || sendto(c->sock, out, (size_t)n, 0, (const struct sockaddr *)from,
			     sizeof(*from)) != n) {
		wf_e2e_errlog_add(&c->ice_err, "%s: cannot answer a Binding request", c->name);
		return;
	}
	c->st.probes++;
}

static void on_stun(struct wf_wc *c, const uint8_t *p, size_t n, const struct sockaddr_in *from)
{
	struct wf_stun_msg msg;
	int rc = wf_stun_parse(p, n, &msg);

	if (rc < 0) {
		wf_e2e_errlog_add(&c->ice_err, "%s: STUN from whepfan does not parse: %s", c->name,
				  wf_stun_strerror(rc));
		return;
	}
	if (msg.type == WF_STUN_BINDING_REQUEST)
		on_stun_request(c, p, &msg, from);
	else
		on_stun_response(c, p, &msg);
}

/* ---- receiving: DTLS and SRTP --------------------------------------------------- */

/* libsrtp2 policy for profile with master key||salt k (RFC 5764 §4.1.2,
 * RFC 7714 §14.2: the _32 profile keeps an 80-bit SRTCP tag). */
static void policy_for(enum wf_srtp_profile prof, uint8_t *k, bool inbound, srtp_policy_t *p)
{
	memset(p, 0, sizeof(*p));
	switch (prof) {
	case WF_SRTP_AES128_CM_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
		break;
	case WF_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtcp);
		break;
	case WF_SRTP_AEAD_AES_256_GCM:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtcp);
		break;
	default:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
		break;
	}
	p->ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	p->key = k;
	p->window_size = 1024;
}

/* The handshake is done: SRTP sessions from the exported keys.  The
 * viewer receives with the server's key (remote) and protects its SRTCP
 * with its own (local), RFC 5764 §4.2.  No receive session when media
 * is only counted. */
static void client_keyed(struct wf_wc *c)
{
	struct wf_dtls_keys k;
	srtp_policy_t p;
	uint64_t now = wf_e2e_now_us();

	if (wf_dtls_get_keys(c->dtls, &k) < 0) {
		wf_e2e_errlog_add(&c->err, "%s: connected but no keys", c->name);
		return;
	}
	c->profile = k.profile;
	memcpy(c->rkey, k.remote_key, k.key_len);
	memcpy(c->rkey + k.key_len, k.remote_salt, k.salt_len);
	memcpy(c->lkey, k.local_key, k.key_len);
	memcpy(c->lkey + k.key_len, k.local_salt, k.salt_len);
	memset(&k, 0, sizeof(k));
	policy_for(c->profile, c->rkey, true, &p);
	if (c->opts.media != WF_WC_MEDIA_COUNT && srtp_create(&c->rx, &p) != srtp_err_status_ok)
		wf_e2e_errlog_add(&c->err, "%s: srtp_create rx failed", c->name);
	policy_for(c->profile, c->lkey, false, &p);
	if (srtp_create(&c->tx, &p) != srtp_err_status_ok)
		wf_e2e_errlog_add(&c->err, "%s: srtp_create tx failed", c->name);
	c->keyed = c->tx && (c->rx || c->opts.media == WF_WC_MEDIA_COUNT);
	if (!c->keyed)
		return;
	if (c->connect_t0_us)
		c->st.connect_us = now - c->connect_t0_us;
	if (c->connect_keepalive)
		c->keepalive = true;
	c->next_rr_us = now + c->opts.rr_ms * 1000ull;
}

static void on_dtls(struct wf_wc *c, const uint8_t *p, size_t n)
{
	c->st.dtls_in++;
	if (!c->dtls || dtls_lost(c))
		return;
	wf_dtls_input(c->dtls, p, n);
	dtls_flush(c);
	if (!c->keyed && wf_dtls_state(c->dtls) == WF_DTLS_CONNECTED)
		client_keyed(c);
}

/* One try of unprotect_fresh: a session of its own for the packet's SSRC
 * at rollover counter roc. */
static srtp_err_status_t unprotect_at(struct wf_wc *c, uint32_t roc, uint8_t *buf, int *len)
{
	uint32_t ssrc = wf_rtp_rd32(buf + 8);
	srtp_policy_t p;
	srtp_t s;
	srtp_err_status_t st;

	policy_for(c->profile, c->rkey, true, &p);
	p.ssrc.type = ssrc_specific;
	p.ssrc.value = ssrc;
	if (srtp_create(&s, &p) != srtp_err_status_ok)
		return srtp_err_status_fail;
	st = srtp_set_stream_roc(s, ssrc, roc);
	if (st == srtp_err_status_ok)
		st = srtp_unprotect(s, buf, len);
	srtp_dealloc(s);
	return st;
}

/* The rollover counter RFC 3711 §3.3.1 guesses for the packet in buf
 * from the viewer's session: its counter for the SSRC, and the newest
 * sequence number of the track that carries the payload type. */
static uint32_t roc_guess(struct wf_wc *c, const uint8_t *buf)
{
	uint8_t pt = buf[1] & 0x7f;
	uint16_t seq = wf_rtp_rd16(buf + 2), s_l;
	uint32_t roc;
	unsigned t;

	if (!c->rx || srtp_get_stream_roc(c->rx, wf_rtp_rd32(buf + 8), &roc) != srtp_err_status_ok)
		return 0;	/* no packet yet: a fresh session's guess */
	for (t = 0; t < WF_WC_TRACKS; t++)
		if (c->trk[t].have && c->trk[t].pt == pt)
			break;
	if (t == WF_WC_TRACKS)
		return roc;
	s_l = c->trk[t].max_seq;
	if (s_l < 32768)
		return seq - s_l > 32768 && roc > 0 ? roc - 1 : roc;
	return s_l - 32768 > seq ? roc + 1 : roc;
}

/* Unprotects buf[0..*len) (at least an RTP header) in a session of its
 * own, so the viewer's replay window neither refuses it nor moves: a
 * retransmission has an SRTP index already seen, a packet the filter
 * drops must not count as received.  A fresh session would take rollover
 * counter 0; this one is given the counter the viewer's own session would
 * guess (roc_guess), and only that.  buf holds the plaintext when the
 * answer is srtp_err_status_ok, else it is as it came (an AEAD failure
 * may leave it half decrypted: it is restored). */
static srtp_err_status_t unprotect_fresh(struct wf_wc *c, uint8_t *buf, int *len)
{
	uint8_t orig[RX_BUF];
	srtp_err_status_t st;
	int wire = *len;

	if (wire > RX_BUF || wire < WF_RTP_FIXED_LEN)
		return srtp_err_status_bad_param;
	memcpy(orig, buf, (size_t)wire);
	st = unprotect_at(c, roc_guess(c, buf), buf, len);
	if (st != srtp_err_status_ok) {
		memcpy(buf, orig, (size_t)wire);
		*len = wire;
	}
	return st;
}

int wf_wc_unprotect_copy(struct wf_wc *c, const uint8_t *p, int len, uint8_t *out)
{
	if (!c->keyed || !c->rx)
		return -EAGAIN;
	if (len < WF_RTP_FIXED_LEN || len > RX_BUF)
		return -EINVAL;
	memcpy(out, p, (size_t)len);
	return unprotect_fresh(c, out, &len) == srtp_err_status_ok ? len : -EBADMSG;
}

/* One RTP packet (decrypted, or with only its clear header read when
 * media is counted): the track by payload type, the answer's SSRC, the
 * source check, the figures. */
static void on_rtp(struct wf_wc *c, const uint8_t *p, int len, int wire_len)
{
	const struct wf_rtp_src *src = c->hub->conf.src;
	struct wf_wc_track *tr;
	uint16_t seq;
	uint32_t ssrc;
	unsigned t;

	if (len < WF_RTP_FIXED_LEN + 4 || (p[0] & 0xf0) != 0x80) {
		c->st.rtp_rejected++;
		wf_e2e_errlog_add(&c->err, "%s: RTP of %d bytes, first byte 0x%02x", c->name, len,
				  p[0]);
		return;
	}
	if ((p[1] & 0x7f) == c->trk[WF_WC_VIDEO].pt) {
		t = WF_WC_VIDEO;
	} else if ((p[1] & 0x7f) == c->trk[WF_WC_AUDIO].pt) {
		t = WF_WC_AUDIO;
	} else {
		c->st.rtp_rejected++;
		wf_e2e_errlog_add(&c->err, "%s: RTP with payload type %u, negotiated %u and %u",
				  c->name, p[1] & 0x7f, c->trk[WF_WC_VIDEO].pt, c->trk[WF_WC_AUDIO].pt);
		return;
	}
	tr = &c->trk[t];
	seq = wf_rtp_rd16(p + 2);
	ssrc = wf_rtp_rd32(p + 8);
	if (ssrc != tr->ssrc) {
		c->st.rtp_rejected++;
		wf_e2e_errlog_add(&tr->err, "%s track %u: SSRC 0x%08x, the answer said 0x%08x",
				  c->name, t, ssrc, tr->ssrc);
		return;
	}
	if (tr->chk && !tr->chk->have)
		tr->chk->start_anywhere = c->st.srtp_before_keys > 0;	/* its start is lost */
	if (tr->chk && !wf_rtp_check_packet(tr->chk, src, t, c->name, p, len, &tr->err)) {
		c->st.rtp_rejected++;
		return;
	}
	if (!tr->have) {
		tr->have = true;
		tr->max_seq = seq;
		wf_rtp_source_init(&tr->rs, seq);
	} else if (!wf_seq_gt(seq, tr->max_seq)) {
		tr->n_retx++;
	} else {
		tr->max_seq = seq;
	}
	wf_rtp_source_update_seq(&tr->rs, seq);
	tr->n_rtp++;
	tr->bytes += (unsigned)wire_len;
	if (c->hub->conf.rtp_seen)
		c->hub->conf.rtp_seen(c, t, p, len, c->hub->conf.rtp_seen_arg);
}

/* RFC 3550 §6.4.1: a sender report (its first 8 bytes are in the clear,
 * so a viewer that only counts still attributes it). */
static void on_srtcp(struct wf_wc *c, const uint8_t *p, int len, bool decrypted)
{
	uint32_t ssrc;
	unsigned t;

	if (len < 28 || p[1] != WF_RTCP_SR) {
		c->st.srtcp_other++;
		return;
	}
	ssrc = wf_rtp_rd32(p + 4);
	for (t = 0; t < WF_WC_TRACKS; t++)
		if (ssrc == c->trk[t].ssrc)
			break;
	if (t == WF_WC_TRACKS) {
		wf_e2e_errlog_add(&c->err, "%s: SR from SSRC 0x%08x, none of the answer's", c->name,
				  ssrc);
		return;
	}
	c->trk[t].n_sr++;
	if (decrypted) {
		c->lsr = wf_rtp_rd32(p + 10);	/* the middle 32 bits of the NTP time */
		c->lsr_us = wf_e2e_now_us();
	}
}

/* SRTP or SRTCP (RFC 5761 §4: RTCP packet types 64-95 after the marker). */
static void on_media(struct wf_wc *c, uint8_t *buf, int n)
{
	uint8_t copy[RX_BUF];
	srtp_err_status_t st;
	int wire = n;

	if (!c->keyed) {
		c->st.srtp_before_keys++;	/* undecryptable: dropped, as a browser does */
		return;
	}
	c->st.last_media_us = wf_e2e_now_us();
	if (!c->st.first_media_us)
		c->st.first_media_us = c->st.last_media_us;
	if ((buf[1] & 0x7f) >= 64 && (buf[1] & 0x7f) <= 95) {
		if (!c->rx) {
			on_srtcp(c, buf, n, false);
			return;
		}
		st = srtp_unprotect_rtcp(c->rx, buf, &n);
		if (st != srtp_err_status_ok) {
			c->st.srtp_errors++;
			wf_e2e_errlog_add(&c->err, "%s: SRTCP unprotect failed (%d)", c->name, st);
			return;
		}
		if (c->opts.publish)
			publisher_feedback(c, buf, n);
		else
			on_srtcp(c, buf, n, true);
		return;
	}
	if (c->hub->conf.rtp_filter &&
	    !c->hub->conf.rtp_filter(c, buf, n, c->hub->conf.rtp_filter_arg))
		return;
	if (!c->rx) {
		on_rtp(c, buf, n, wire);
		return;
	}
	memcpy(copy, buf, (size_t)n);
	st = srtp_unprotect(c->rx, buf, &n);
	if (st == srtp_err_status_replay_fail || st == srtp_err_status_replay_old) {
		memcpy(buf, copy, (size_t)wire);
		n = wire;
		st = unprotect_fresh(c, buf, &n);
	}
	if (st != srtp_err_status_ok) {
		c->st.srtp_errors++;
		wf_e2e_errlog_add(&c->err, "%s: SRTP unprotect failed (%d) seq %u", c->name, st,
				  wf_rtp_rd16(copy + 2));
		return;
	}
	on_rtp(c, buf, n, wire);
}

/* One datagram, by its first byte (RFC 7983): STUN, DTLS or SRTP. */
static void on_datagram(struct wf_wc *c, uint8_t *buf, int n, const struct sockaddr_in *from)
{
	const struct sockaddr_in *ice = &c->hub->ice;

	c->st.dgrams++;
	if (from->sin_addr.s_addr != ice->sin_addr.s_addr || from->sin_port != ice->sin_port) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &from->sin_addr, a, sizeof(a));
		wf_e2e_errlog_add(&c->err, "%s: datagram from %s:%u", c->name, a,
				  ntohs(from->sin_port));
		return;
	}
	if (n > 0 && buf[0] <= 3)
		on_stun(c, buf, (size_t)n, from);
	else if (n > 0 && buf[0] >= 20 && buf[0] <= 63)
		on_dtls(c, buf, (size_t)n);
	else if (n < 2 || buf[0] < 128 || buf[0] > 191)
		wf_e2e_errlog_add(&c->err, "%s: datagram with first byte 0x%02x", c->name,
				  n > 0 ? buf[0] : 0);
	else
		on_media(c, buf, n);
}

/* What waits on the viewer's socket, a few batches at a time (the epoll
 * set is level-triggered: the rest comes in the next round). */
static void client_drain(struct wf_wc *c)
{
	struct wf_wc_hub *h = c->hub;
	unsigned r;
	int n, i;

	for (r = 0; r < RX_ROUNDS; r++) {
		for (i = 0; i < RX_BATCH; i++)
			h->msgs[i].msg_hdr.msg_namelen = sizeof(h->from[i]);
		n = recvmmsg(c->sock, h->msgs, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (i = 0; i < n; i++)
			on_datagram(c, h->rx[i], (int)h->msgs[i].msg_len, &h->from[i]);
		if (n < RX_BATCH)
			return;
	}
}

/* ---- the loop ---------------------------------------------------------------------- */

/* Whatever is due for c at now. */
static void client_timers(struct wf_wc *c, uint64_t now)
{
	if (c->connect_ctx && !c->dtls && now >= c->connect_next_us) {
		if (c->connect_tries < c->opts.connect_tries) {
			c->connect_tries++;
			c->connect_next_us = now + c->opts.connect_retry_ms * 1000ull;
			wf_wc_send_check(c, true, NULL);
		} else {
			c->connect_ctx = NULL;	/* no answer: given up */
		}
	}
	if (c->dtls && wf_dtls_state(c->dtls) == WF_DTLS_HANDSHAKING &&
	    wf_dtls_timeout_ms(c->dtls) == 0) {
		c->st.dtls_timeouts++;
		wf_dtls_on_timer(c->dtls);
		dtls_flush(c);
	}
	/* (a check sent above moved last_check_us past now) */
	if (c->keepalive && now >= c->st.last_check_us + c->opts.keepalive_ms * 1000ull)
		wf_wc_send_check(c, false, NULL);	/* RFC 7675 consent */
	if (c->opts.rr_ms && c->keyed && now >= c->next_rr_us) {
		c->next_rr_us = now + c->opts.rr_ms * 1000ull;
		wf_wc_send_rr(c);
	}
}

/* Runs the timers that are due; each viewer at most once per round. */
static void run_timers(struct wf_wc_hub *h)
{
	uint64_t now = wf_e2e_now_us();
	unsigned k, n = h->heap_n;

	for (k = 0; k < n && h->heap_n && h->heap[0]->due_us <= now; k++) {
		struct wf_wc *c = h->heap[0];

		client_timers(c, now);
		reschedule(c);
		if (c->heap_idx == 0 && c->due_us <= now) {
			/* nothing moved it (a DTLS timer that did not re-arm yet):
			 * look again a millisecond later */
			c->due_us = now + 1000;
			heap_down(h, 0);
		}
	}
}

void wf_wc_pump(struct wf_wc_hub *h, unsigned ms, bool (*done)(void *arg), void *arg)
{
	uint64_t end = wf_e2e_now_us() + (uint64_t)ms * 1000;
	struct epoll_event ev[EVENTS];
	uint64_t now;

	while ((now = wf_e2e_now_us()) < end) {
		int wait = PUMP_WAIT_MS, n, i;

		if (h->conf.tick)
			h->conf.tick(h->conf.tick_arg);
		if (h->heap_n && h->heap[0]->due_us < now + PUMP_WAIT_MS * 1000ull)
			wait = h->heap[0]->due_us <= now ? 0 :
			       (int)((h->heap[0]->due_us - now + 999) / 1000);
		n = epoll_wait(h->ep, ev, EVENTS, wait);
		for (i = 0; i < n; i++) {
			struct wf_wc *c = ev[i].data.ptr;

			client_drain(c);
			reschedule(c);
		}
		run_timers(h);
		if (done && done(arg))
			return;
	}
}
