/* whep_client.h: a WHEP viewer in C, for the end-to-end tests and the load
 * tool: what a browser does against whepfan, one UDP socket per viewer.
 * With opts.publish the same client is a WHIP publisher (RFC 9725): it
 * offers sendonly to /<stream>/whip, checks a recvonly answer, and sends
 * SRTP protected with its own key (wf_wc_send_rtp); ICE, DTLS (it is the
 * client either way) and SRTCP are the viewer's.
 *
 *   HTTP       POST an SDP offer (recvonly audio + video, BUNDLE, rtcp-mux,
 *              the sha-256 fingerprint of the hub's DTLS certificate) to
 *              /<stream>/whep, read the answer (lib/sdp), DELETE.
 *   ICE        STUN Binding requests with USE-CANDIDATE or without (RFC 8445
 *              §7.2.2, we are controlling), their success responses checked
 *              (transaction, MESSAGE-INTEGRITY, FINGERPRINT, our address);
 *              consent checks every keepalive period (RFC 7675); Binding
 *              requests from whepfan (path validation) answered or ignored.
 *   DTLS       client handshake through lib/dtls on the same socket,
 *              close_notify.
 *   SRTP       libsrtp2 sessions from the exported keys (RFC 5764 §4.2):
 *              media counted, decrypted, or checked against the test's
 *              RTP source (rtp_source.h); SRTCP RR, NACK, PLI sent.
 *
 * A hub (struct wf_wc_hub) holds what the viewers share: whepfan's
 * addresses, the DTLS client context, one epoll set and a timer heap.
 * wf_wc_pump() runs them all in the calling thread: an epoll event carries
 * its viewer (no lookup), due timers come off a binary heap, so one process
 * keeps thousands of viewers with no per-viewer thread and nothing that
 * walks every viewer per event.  The hub raises RLIMIT_NOFILE for them.
 *
 * Viewers are single-threaded objects of their hub.  Failures seen on
 * arrival (a packet that is not what it must be) go to the viewer's
 * failure lists (struct wf_e2e_errlog), which a test reports with
 * WF_E2E_CHECK_ERRLOG; figures go to counters the caller reads.
 *
 * Only for test networks: whepfan in a private namespace (e2e.h).
 * Constructors return a pointer or NULL with errno set; other functions
 * return 0 (or an HTTP status, or a length) or -errno.
 */
#ifndef WF_TESTS_WHEP_CLIENT_H
#define WF_TESTS_WHEP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <srtp2/srtp.h>

#include "common/e2e.h"
#include "common/e2e_http.h"
#include "common/rtp_source.h"
#include "dtls/dtls.h"
#include "rtp/rtp.h"
#include "sdp/sdp.h"
#include "stun/stun.h"

#define WF_WC_VIDEO	0	/* track indexes: the source's order */
#define WF_WC_AUDIO	1
#define WF_WC_TRACKS	2
#define WF_WC_TXIDS	8	/* transactions remembered for responses */

/* ---- the hub ---------------------------------------------------------------- */

struct wf_wc;

struct wf_wc_hub_conf {
	const char *http_addr;		/* whepfan's HTTP listen address */
	uint16_t http_port;
	const char *ice_addr;		/* whepfan's WebRTC address: the answer's candidate */
	uint16_t ice_port;
	/* http.max_body of whepfan: a larger body goes only after the headers
	 * were not refused at once (0: always sent) */
	size_t http_max_body;
	uint8_t video_pt, audio_pt;	/* the offer's payload types */
	const struct wf_rtp_src *src;	/* for WF_WC_MEDIA_VERIFY (else NULL) */
	unsigned max_clients;		/* RLIMIT_NOFILE is raised for this many */
	/* run once per pump loop, before waiting (the RTP source's tick) */
	void (*tick)(void *arg);
	void *tick_arg;
	/* called with every SRTP packet that reaches a keyed viewer, its RTP
	 * header still in the clear, before the viewer looks at it: false
	 * drops it as if it were lost on the way (the load tool's simulated
	 * loss, repaired by NACK); NULL: every packet is kept */
	bool (*rtp_filter)(struct wf_wc *c, const uint8_t *p, int len, void *arg);
	void *rtp_filter_arg;
	/* called with every RTP packet a viewer keeps, once the answer's
	 * payload type and SSRC matched (and, with WF_WC_MEDIA_VERIFY, the
	 * source check passed): decrypted and authenticated, unless media is
	 * WF_WC_MEDIA_COUNT (then as it came); t is WF_WC_VIDEO or
	 * WF_WC_AUDIO.  NULL: none */
	void (*rtp_seen)(struct wf_wc *c, unsigned t, const uint8_t *p, int len, void *arg);
	void *rtp_seen_arg;
};

struct wf_wc_hub;

/* A hub: generates the viewers' DTLS certificate (ECDSA P-256) and client
 * context; the first hub initialises libsrtp2 (the last one freed shuts it
 * down).  NULL with errno EINVAL (bad address), EMFILE (descriptor limit
 * not raised), ENOMEM or EIO (OpenSSL, libsrtp2). */
struct wf_wc_hub *wf_wc_hub_create(const struct wf_wc_hub_conf *conf);

/* Frees every viewer still on the hub, then the hub. */
void wf_wc_hub_free(struct wf_wc_hub *h);

/* The DTLS client context whose certificate the offers name, and its
 * fingerprint ("AB:CD:..."). */
struct wf_dtls_ctx *wf_wc_hub_dtls_ctx(const struct wf_wc_hub *h);
const char *wf_wc_hub_fingerprint(const struct wf_wc_hub *h);

/* Viewers on the hub. */
unsigned wf_wc_hub_count(const struct wf_wc_hub *h);

/* Runs the hub for up to ms milliseconds or until done(arg) is true
 * (checked after every round; done may be NULL): the tick, every viewer's
 * datagrams, DTLS retransmission timers, connection attempts, consent
 * checks and receiver reports when due. */
void wf_wc_pump(struct wf_wc_hub *h, unsigned ms, bool (*done)(void *arg), void *arg);

/* ---- HTTP (one request per connection) ------------------------------------- */

/* Sends method path to whepfan's HTTP from local address src (NULL: any)
 * and reads the whole response (bounded wait, 5 s × WF_E2E_SLOW).  extra:
 * more header lines, each ending in CRLF, or NULL.  0 (r->status holds
 * the status) or -EIO. */
int wf_wc_http(struct wf_wc_hub *h, const char *src, const char *method, const char *path,
	       const char *extra, const void *body, size_t len, struct wf_e2e_http_resp *r);

/* POSTs sdp[0..len) as an offer (Content-Type: application/sdp, a
 * bearer token when token is not NULL) to /<stream>/whep from local address
 * src (NULL: any).  As wf_wc_http. */
int wf_wc_http_post_offer(struct wf_wc_hub *h, const char *src, const char *stream,
			  const char *token, const char *sdp, size_t len,
			  struct wf_e2e_http_resp *r);

/* The same to path ("/<stream>/whip" for a publisher's offer). */
int wf_wc_http_post_sdp(struct wf_wc_hub *h, const char *src, const char *path,
			const char *token, const char *sdp, size_t len,
			struct wf_e2e_http_resp *r);

/* ---- viewers ---------------------------------------------------------------- */

enum wf_wc_media {
	WF_WC_MEDIA_COUNT = 0,	/* count SRTP packets and bytes from their clear headers */
	WF_WC_MEDIA_DECRYPT,	/* decrypt and authenticate every packet */
	WF_WC_MEDIA_VERIFY,	/* decrypt and check each against the hub's source */
};

struct wf_wc_opts {
	const char *name;		/* for messages (kept, not copied) */
	const char *addr;		/* local address of the UDP socket */
	uint16_t port;			/* 0: ephemeral */
	const char *http_addr;		/* local address of HTTP requests (NULL: any) */
	enum wf_wc_media media;
	bool ignore_probes;		/* leave whepfan's Binding requests unanswered */
	unsigned keepalive_ms;		/* consent check period once on (0: 1000) */
	unsigned connect_tries;		/* checks with USE-CANDIDATE until one is
					 * answered (0: 5) ... */
	unsigned connect_retry_ms;	/* ... this far apart (0: 300 × WF_E2E_SLOW) */
	unsigned rr_ms;			/* receiver reports while live (0: none) */
	unsigned dtls_loss_pct;		/* DTLS datagrams lost on purpose, each way */
	/* a WHIP publisher: offers sendonly (with ssrc[] as a=ssrc, 0: none),
	 * POSTs to /<stream>/whip, sends media with wf_wc_send_rtp() */
	bool publish;
	uint32_t ssrc[WF_WC_TRACKS];
	uint8_t video_pt, audio_pt;	/* the offer's payload types (0: the hub's) */
	/* a publisher's packets lost on purpose before sending (kept: a NACK
	 * from whepfan has them sent then), per cent */
	unsigned publish_loss_pct;
};

/* One track as the viewer sees it. */
struct wf_wc_track {
	uint32_t ssrc;			/* from the answer's a=ssrc */
	uint8_t pt;			/* from the answer */
	bool have;			/* an RTP packet arrived */
	uint16_t max_seq;		/* newest sequence number */
	unsigned n_rtp;			/* packets (retransmissions too) */
	unsigned n_retx;		/* of them: not newer than the newest */
	uint64_t bytes;			/* their UDP payload bytes */
	unsigned n_sr;			/* sender reports from the track's SSRC */
	struct wf_rtp_source rs;	/* RFC 3550 A.1 statistics (loss, RR) */
	struct wf_rtp_check *chk;	/* WF_WC_MEDIA_VERIFY */
	struct wf_e2e_errlog err;	/* this track's media failures */
};

/* Counters of one viewer. */
struct wf_wc_stats {
	unsigned dgrams;		/* every datagram received */
	unsigned stun_sent, stun_ok;	/* our checks, their valid answers */
	unsigned probes;		/* whepfan's Binding requests answered */
	unsigned probes_ignored;	/* ... left unanswered (ignore_probes) */
	unsigned probes_bad;		/* ... that did not check out */
	unsigned dtls_in;		/* DTLS datagrams */
	unsigned dtls_out;		/* DTLS datagrams sent */
	unsigned dtls_timeouts;		/* handshake timers that fired (a flight again) */
	unsigned dtls_lost;		/* datagrams dropped by opts.dtls_loss_pct */
	unsigned srtcp_other;		/* SRTCP that is not an SR */
	unsigned srtp_errors;		/* failed to unprotect */
	/* RTP that unprotected (or, counted only, came) but was refused: too
	 * short, not version 2, a payload type or SSRC not the answer's, or
	 * (WF_WC_MEDIA_VERIFY) not what the source sent */
	unsigned rtp_rejected;
	/* SRTP or SRTCP before our keys: whepfan queues the flight that ends
	 * the handshake before the viewer's first packet, so this counts the
	 * times that order broke (or the flight was lost) */
	unsigned srtp_before_keys;
	unsigned rtcp_sent;		/* SRTCP compounds we sent */
	unsigned rtp_sent;		/* SRTP packets we sent (a publisher) */
	/* a publisher's: packets lost on purpose (publish_loss_pct), sent
	 * again for a NACK, asked for but no longer kept; whepfan's feedback */
	unsigned pub_dropped, pub_resent, pub_unknown;
	unsigned nack_in, nack_seqs_in, rr_in, pli_in, remb_in;
	uint64_t remb_bps;		/* the last REMB's bitrate */
	uint64_t first_media_us, last_media_us;	/* SRTP or SRTCP arrival */
	uint64_t last_check_us;		/* our last Binding request */
	uint64_t connect_us;		/* time from wf_wc_connect_start to keyed */
	uint64_t ice_us;		/* ... to the first answered check */
};

struct wf_wc {
	/* identity (read-only for callers, but for the ICE fields a test may
	 * set to play a stranger) */
	const char *name;
	int sock;
	uint32_t addr;			/* local, network order */
	uint16_t port;			/* local, host order */
	char ufrag[9], pwd[25];		/* ours */
	char s_ufrag[WF_SDP_UFRAG_MAX + 1];	/* the server's, from the answer */
	char s_pwd[WF_SDP_PWD_MAX + 1];
	uint8_t s_fp[WF_DTLS_FP_LEN];	/* the server's certificate fingerprint */
	char stream[64];
	char location[256];		/* from the 201 */
	char id[40];			/* the session id at its end */
	uint32_t my_ssrc;		/* our SSRC for SRTCP */
	struct wf_wc_opts opts;
	void *user;			/* the caller's; never touched here */
	/* state */
	struct wf_dtls *dtls;
	bool keyed;			/* SRTP sessions ready */
	bool keepalive;			/* consent checks on */
	enum wf_srtp_profile profile;
	struct wf_wc_track trk[WF_WC_TRACKS];
	struct wf_wc_stats st;
	struct wf_e2e_errlog answer_err;	/* the answer was not what it must be */
	struct wf_e2e_errlog ice_err;	/* STUN from whepfan */
	struct wf_e2e_errlog err;	/* anything else */
	/* private */
	struct wf_wc_hub *hub;
	struct wf_wc *prev, *next;	/* on the hub */
	int heap_idx;			/* in the hub's timer heap, -1: none */
	uint64_t due_us;		/* its key */
	struct wf_dtls_ctx *connect_ctx;	/* wf_wc_connect_start: pending */
	bool connect_keepalive;		/* consent checks once keyed */
	unsigned connect_tries;
	uint64_t connect_t0_us, connect_next_us, next_rr_us;
	uint8_t txid[WF_WC_TXIDS][WF_STUN_TXID_LEN];
	unsigned n_txid;
	uint8_t rkey[WF_SRTP_MAX_MASTER_LEN], lkey[WF_SRTP_MAX_MASTER_LEN];
	srtp_t rx, tx;
	uint32_t lsr;			/* middle of the last SR's NTP time (RFC 3550 §6.4.1) */
	uint64_t lsr_us;		/* when it came */
	struct wf_wc_sent *sent;	/* a publisher's last packets, as sent (SRTP) */
};

/* A viewer on hub h with a UDP socket bound to opts->addr:opts->port and
 * random ICE credentials and SSRC.  NULL with errno EADDRINUSE (bind
 * failed), EMFILE, EINVAL or ENOMEM. */
struct wf_wc *wf_wc_create(struct wf_wc_hub *h, const struct wf_wc_opts *opts);

/* A NAT rebinding: the viewer's socket is replaced by one bound to
 * addr:port (port 0: ephemeral) and the old one closed, so what whepfan
 * sends to the old address is lost; ICE, DTLS and SRTP state stay.  The
 * next checks (wf_wc_send_check, keepalive) come from the new address.
 * 0 or -errno. */
int wf_wc_rebind(struct wf_wc *c, const char *addr, uint16_t port);

/* Closes the socket and frees everything, sending nothing (see
 * wf_wc_close_notify and wf_wc_delete for polite ends).  NULL is a no-op. */
void wf_wc_free(struct wf_wc *c);

/* Our offer into out[cap]: what a browser's recvonly transceivers give
 * (JSEP): audio then video (a publisher: sendonly).  Its length, or 0
 * when cap is too small. */
size_t wf_wc_offer(const struct wf_wc *c, char *out, size_t cap);

/* POSTs our offer to /<stream>/whep (a publisher: /whip; with
 * "Authorization: Bearer <token>" when token is not NULL) into r (NULL: a
 * scratch of the hub's).  On 201 reads the answer: Location, the server's
 * ICE credentials, fingerprint, SSRCs and payload types; what the answer
 * gets wrong (anything a WHEP answer from whepfan to this offer must
 * have: Content-Type, ETag, Location /<stream>/whep/<32 hex>, ice-lite,
 * two m= sections in the offer's order, setup:passive, rtcp-mux,
 * sendonly, our payload types, H264 and opus, a host candidate at the
 * hub's ICE address and port, distinct SSRCs; a publisher's: /whip/ in
 * Location, recvonly, no SSRC) goes to c->answer_err.  Returns the HTTP status,
 * -EPROTO when a 201's answer cannot be used, -EIO without a response. */
int wf_wc_post(struct wf_wc *c, const char *stream, const char *token,
	       struct wf_e2e_http_resp *r);

/* DELETE of the session's Location (token as for the POST; r may be
 * NULL).  Returns the HTTP status or -EIO; -ENOTCONN when never answered. */
int wf_wc_delete(struct wf_wc *c, const char *token, struct wf_e2e_http_resp *r);

/* Sends a Binding request to whepfan with USE-CANDIDATE or without, its
 * MESSAGE-INTEGRITY keyed with pwd (NULL: the server's password from the
 * answer).  0, or -EINVAL when it cannot be built (no answer yet). */
int wf_wc_send_check(struct wf_wc *c, bool use_candidate, const char *pwd);

/* The Binding request wf_wc_send_check() would send, into out[cap] and
 * not sent (a test sends it from elsewhere, a spoofed source say): its
 * length, or -EINVAL (no answer yet, cap too small). */
int wf_wc_build_check(struct wf_wc *c, bool use_candidate, const char *pwd, uint8_t *out,
		      size_t cap);

/* Starts the DTLS handshake with ctx (NULL: the hub's): the ClientHello
 * leaves at once, the rest is driven by wf_wc_pump.  0, -EALREADY, or
 * -errno from lib/dtls. */
int wf_wc_dtls_start(struct wf_wc *c, struct wf_dtls_ctx *ctx);

/* Connects without waiting: a check with USE-CANDIDATE now and every
 * connect_retry_ms until one is answered (connect_tries), then the DTLS
 * handshake
 * with ctx (NULL: the hub's); consent checks start once keyed when
 * keepalive is set.  0 or -EINVAL (no answer read yet). */
int wf_wc_connect_start(struct wf_wc *c, struct wf_dtls_ctx *ctx, bool keepalive);

/* Connects and waits (pumping the hub): ICE, then DTLS until it settles.
 * Returns the DTLS state reached (WF_DTLS_FAILED also when ICE got no
 * answer). */
enum wf_dtls_state wf_wc_connect(struct wf_wc *c, struct wf_dtls_ctx *ctx);

/* Consent checks every keepalive period (RFC 7675), on or off. */
void wf_wc_set_keepalive(struct wf_wc *c, bool on);

/* Ends DTLS politely: close_notify (RFC 5246 §7.2.1), consent checks off.
 * 0 or -ESHUTDOWN (no handshake running or done). */
int wf_wc_close_notify(struct wf_wc *c);

/* The DTLS state, WF_DTLS_HANDSHAKING before any handshake started. */
enum wf_dtls_state wf_wc_dtls_state(const struct wf_wc *c);

/* Protects the RTCP compound in buf[0..len) with our SRTCP key in place
 * (buf needs SRTP_MAX_TRAILER_LEN more bytes) and sends it.  0, -ENOTCONN
 * (not keyed), -EIO. */
int wf_wc_send_srtcp(struct wf_wc *c, uint8_t *buf, size_t len);

/* SRTCP RR (RFC 3550 §6.4.2) with a report block per track that has
 * media (cumulative loss, extended highest sequence, LSR/DLSR). */
int wf_wc_send_rr(struct wf_wc *c);

/* SRTCP RR (no blocks) + generic NACK (RFC 4585 §6.2.1) for n sequence
 * numbers of track t. */
int wf_wc_send_nack(struct wf_wc *c, unsigned t, const uint16_t *seqs, size_t n);

/* SRTCP RR (no blocks) + PLI (RFC 4585 §6.3.1) for the video track. */
int wf_wc_send_pli(struct wf_wc *c);

/* A publisher: protects the RTP packet in buf[0..len) in place with our
 * SRTP key (cap: room in buf, at least len + SRTP_MAX_TRAILER_LEN) and
 * sends it.  0, -ENOTCONN (not keyed), -ENOSPC, -EIO. */
int wf_wc_send_rtp(struct wf_wc *c, uint8_t *buf, size_t len, size_t cap);

/* Sends p[0..n) as is from our socket to whepfan's WebRTC port. */
int wf_wc_send_raw(struct wf_wc *c, const void *p, size_t n);

/* RFC 3550 A.3 cumulative loss of track t: expected minus received since
 * the first packet (a retransmission that repairs a loss counts as
 * received; duplicates lower it). */
long wf_wc_lost(const struct wf_wc *c, unsigned t);

/* Decrypts and authenticates a copy of the SRTP packet p[0..len) into
 * out (room for len bytes) with c's keys, without moving c's replay
 * window: what a packet the rtp_filter drops was.  The rollover counter
 * is the one c's session would guess (RFC 3711 §3.3.1) from its counter
 * for the SSRC and the track's newest sequence number.  The plaintext's
 * length, or -EAGAIN (no keys yet, or media only counted), -EINVAL (too
 * short or too long), -EBADMSG (it does not authenticate). */
int wf_wc_unprotect_copy(struct wf_wc *c, const uint8_t *p, int len, uint8_t *out);

/* Both tracks got at least n RTP packets. */
bool wf_wc_media_both(const struct wf_wc *c, unsigned n);

#endif
