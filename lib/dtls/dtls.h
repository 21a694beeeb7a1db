/* dtls.h: DTLS-SRTP (RFC 5764, RFC 8827) over OpenSSL, without sockets.
 *
 * whepfan is always the DTLS server (a=setup:passive).  Datagrams arrive from
 * the workers' punt ring and leave through a worker's TX queue, so OpenSSL
 * never sees a socket: each session's SSL reads and writes a small in-memory
 * datagram BIO.  One wf_dtls_input() call is one received UDP payload; each
 * wf_dtls_next_output() result is exactly one UDP payload to send, never
 * longer than the configured MTU.
 *
 * Objects:
 *  - struct wf_dtls_cert: our key pair and self-signed certificate (generated
 *    or loaded from PEM), with its sha-256 fingerprint for the SDP answer.
 *  - struct wf_dtls_ctx: one SSL_CTX built once per role (server, or client
 *    for tests and the load client): DTLS 1.2 only, ECDHE + AEAD suites,
 *    use_srtp with the profiles lib/srtp supports, client certificate
 *    required, no tickets, no resumption, no renegotiation.
 *  - struct wf_dtls: one per WebRTC session.  Holds the peer's expected
 *    fingerprint (from the offer's a=fingerprint, RFC 8122 §5), the SSL and
 *    the queue of datagrams waiting to be sent.
 *
 * Identity comes from the fingerprint, not from a CA: the certificate chain
 * is not validated, but the peer's leaf certificate must hash to the
 * expected sha-256 fingerprint (compared in constant time) or the handshake
 * fails with a bad_certificate alert (RFC 8827 §6.5, RFC 5763 §5).
 *
 * Not thread-safe per session; distinct sessions may live on distinct
 * threads.  A ctx must outlive its sessions; a cert may be freed once the
 * ctx is built (the SSL_CTX keeps its own references).
 *
 * Constructors return a pointer, or NULL with errno set.  Other functions
 * return 0 (or a length) on success and -errno on failure.
 */
#ifndef WF_DTLS_H
#define WF_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "dtls/cert.h"
#include "srtp/srtp.h"

/* Largest datagram accepted by wf_dtls_input(): an IPv4 UDP payload on a
 * 1500-byte Ethernet MTU is 1472 bytes; anything longer is not ours. */
#define WF_DTLS_MAX_DATAGRAM	2048
#define WF_DTLS_DEFAULT_MTU	1200	/* UDP payload bytes, WebRTC's usual */
#define WF_DTLS_MIN_MTU		256	/* below this OpenSSL cannot fragment */
/* Datagrams queued for sending before new ones are dropped (as if lost on
 * the wire: the peer's retransmission recovers them). */
#define WF_DTLS_OUT_QUEUE_MAX	32
#define WF_DTLS_REASON_LEN	160
/* Retransmissions per flight (RFC 6347 §4.2.4 leaves the number open):
 * with the 1 s initial timer, 3 are sent within 7 s and the handshake
 * fails at 15 s.  OpenSSL's own limit is 12. */
#define WF_DTLS_DEFAULT_RETRANSMITS	3
#define WF_DTLS_MAX_RETRANSMITS		12
/* Longest peer identity wf_dtls_set_peer() takes (the session layer's is
 * an 8-byte address, port and port index). */
#define WF_DTLS_PEER_ID_MAX	32
/* Records of one datagram handed on once connected: to OpenSSL before the
 * session settles, to record.c (one AEAD pass each, alerts only) after.
 * A browser puts at most a few records in a datagram; the rest of a
 * datagram full of forged records is discarded unread. */
#define WF_DTLS_CONNECTED_RECORDS_MAX	8
#define WF_DTLS_SETTLED_RECORDS_MAX	2

enum wf_dtls_role { WF_DTLS_SERVER = 0, WF_DTLS_CLIENT };

enum wf_dtls_state {
	WF_DTLS_HANDSHAKING = 0,
	WF_DTLS_CONNECTED,	/* handshake done, fingerprint checked, keys ready */
	WF_DTLS_CLOSED,		/* close_notify sent or received */
	WF_DTLS_FAILED,		/* see wf_dtls_reason() */
};

/* SRTP master keys for one session (RFC 5764 §4.2).  local = the keys this
 * side protects with (server_write_* on the server, client_write_* on a
 * client); remote = the keys the peer protects with. */
struct wf_dtls_keys {
	enum wf_srtp_profile profile;
	uint8_t local_key[WF_SRTP_MAX_MASTER_KEY];
	uint8_t local_salt[WF_SRTP_MAX_MASTER_SALT];
	uint8_t remote_key[WF_SRTP_MAX_MASTER_KEY];
	uint8_t remote_salt[WF_SRTP_MAX_MASTER_SALT];
	uint8_t key_len;	/* bytes used of *_key */
	uint8_t salt_len;	/* bytes used of *_salt */
};

/* Counters of one session (for telemetry and tests). */
struct wf_dtls_stats {
	uint64_t datagrams_in;		/* accepted by wf_dtls_input() */
	uint64_t datagrams_out;		/* handed out by wf_dtls_next_output() */
	uint64_t oversize_in;		/* refused: longer than WF_DTLS_MAX_DATAGRAM */
	uint64_t ignored_in;		/* after closed/failed, or before a ClientHello */
	uint64_t out_dropped;		/* queue full, too long, or caller's buffer too small */
	uint64_t app_bytes_discarded;	/* application data from the peer */
	uint64_t retransmit_timeouts;	/* timer expiries handled */
	/* After the handshake: records that cannot be valid (wrong epoch,
	 * content type or version, shorter than the cipher's overhead, past
	 * the datagram's end), discarded before OpenSSL sees them. */
	uint64_t records_discarded;
	/* Datagrams with a ClientHello carrying a cookie that is not the one
	 * for the current peer (wf_dtls_set_peer), or one we cannot check
	 * (fragmented over the cookie): discarded before OpenSSL sees them. */
	uint64_t bad_cookies;
	/* ClientHellos dropped because the peer's cookie could not be
	 * computed (HMAC failed): no HelloVerifyRequest rather than a
	 * constant cookie. */
	uint64_t cookie_failures;
	/* Settled: records whose authentication was tried (one AEAD pass
	 * each; at most WF_DTLS_SETTLED_RECORDS_MAX per datagram). */
	uint64_t records_opened;
	/* After the handshake: SSL_read failed with no authenticated alert.
	 * The session stays up (its SRTP keys are unaffected) but can no
	 * longer read DTLS (see wf_dtls_input). */
	uint64_t read_failures;
	/* 1 once the session settled (struct wf_dtls_ctx_opts.settle_ms) */
	uint64_t settled;
};

/* Options of a ctx; a zeroed struct (or NULL) means the defaults. */
struct wf_dtls_ctx_opts {
	/* SRTP profiles offered (client) or accepted (server), most preferred
	 * first; nprofiles 0 = AEAD_AES_128_GCM, AEAD_AES_256_GCM,
	 * AES128_CM_SHA1_80, AES128_CM_SHA1_32. */
	const enum wf_srtp_profile *profiles;
	unsigned nprofiles;
	bool no_srtp;			/* client: offer no use_srtp at all (tests) */
	uint16_t mtu;			/* UDP payload bytes; 0 = WF_DTLS_DEFAULT_MTU */
	uint32_t retransmit_initial_ms;	/* 0 = 1000 (RFC 6347 §4.2.4.1); >= 20 */
	uint32_t retransmit_max_ms;	/* 0 = 60000 (RFC 6347 §4.2.4.1); <= 600000 */
	/* Retransmissions of one flight before the handshake gives up;
	 * 0 = WF_DTLS_DEFAULT_RETRANSMITS, at most WF_DTLS_MAX_RETRANSMITS. */
	uint8_t retransmit_limit;
	/* Server: answer a ClientHello without our cookie with a
	 * HelloVerifyRequest (RFC 6347 §4.2.1) before sending any flight. */
	bool hello_verify;
	/* Connected this long, a session frees OpenSSL's SSL (tens of KiB:
	 * OpenSSL 3.0 keeps DTLS record buffers for good) and reads and
	 * writes its few remaining records itself (record.h): the peer's
	 * alerts and our close_notify.  The peer must have its last flight
	 * by then (a late retransmission of its Finished is ignored).  It
	 * happens in wf_dtls_on_timer() (wf_dtls_timeout_ms() says when).
	 * 0 = never. */
	uint32_t settle_ms;
	/* OpenSSL cipher list, a subset of lib/dtls's AEAD suites (tests pin
	 * one suite with it); NULL = all of them. */
	const char *cipher_list;
};

struct wf_dtls_ctx;
struct wf_dtls;

/* Contexts ------------------------------------------------------------ */

/* Builds the SSL_CTX of one role around cert (see the file comment).
 * NULL with errno EINVAL (bad option: unknown profile, MTU out of range),
 * ENOMEM or EIO (OpenSSL refused a setting). */
struct wf_dtls_ctx *wf_dtls_ctx_create(enum wf_dtls_role role, const struct wf_dtls_cert *cert,
				       const struct wf_dtls_ctx_opts *opts);
void wf_dtls_ctx_free(struct wf_dtls_ctx *ctx);

/* Sessions ------------------------------------------------------------ */

/* A server session (ctx of role WF_DTLS_SERVER) that waits for the peer's
 * ClientHello; expected_fp is the sha-256 of the peer's certificate from
 * the offer.  NULL with errno EINVAL (wrong role, NULL argument), ENOMEM. */
struct wf_dtls *wf_dtls_create(struct wf_dtls_ctx *ctx, const uint8_t expected_fp[WF_DTLS_FP_LEN]);

/* A client session (ctx of role WF_DTLS_CLIENT): the ClientHello is queued
 * at once, ready for wf_dtls_next_output().  Same errors. */
struct wf_dtls *wf_dtls_create_client(struct wf_dtls_ctx *ctx,
				      const uint8_t expected_fp[WF_DTLS_FP_LEN]);

/* Server: the identity of the address the session's datagrams come from
 * and go to (the session layer's peer address and port), id[len], len <=
 * WF_DTLS_PEER_ID_MAX; call it before the first datagram and whenever the
 * peer address changes.  The HelloVerifyRequest cookie (RFC 6347 §4.2.1)
 * is HMAC-SHA256(a random key of the session, identity), truncated, so a
 * cookie obtained at one address is refused at another: a ClientHello
 * echoing it from a spoofed source gets no flight.  A new identity also
 * forgets that a cookie was sent and verified.  The same identity again
 * changes nothing.  Before any call the identity is empty.  0, -EINVAL
 * (NULL session, or id NULL with len > 0, or len too long), -EIO (the HMAC
 * failed: until a later call succeeds, ClientHellos are dropped and
 * counted in cookie_failures, never answered with a constant cookie). */
int wf_dtls_set_peer(struct wf_dtls *d, const void *id, size_t len);

/* Server with hello_verify: whether a ClientHello carrying the valid cookie
 * of the current peer identity was seen (the peer proved it receives at
 * its address).  False again after wf_dtls_set_peer() changes it. */
bool wf_dtls_peer_verified(const struct wf_dtls *d);

/* Frees the session and wipes its keys.  Sends nothing: call
 * wf_dtls_close() and drain the output first for a polite end. */
void wf_dtls_free(struct wf_dtls *d);

/* Feeds one received datagram (len bytes; not kept after the call).
 * Drives the handshake, or after it reads and discards application data
 * and watches for close_notify and alerts.  Replies, if any, are queued for
 * wf_dtls_next_output().
 *
 * Anyone who spoofs the peer's address can send us datagrams, so:
 *  - a server drops everything but a ClientHello until one arrives, and
 *    any datagram holding a ClientHello (in any of its records) whose
 *    cookie is not the one we sent to the current peer;
 *  - once CONNECTED, a record that does not authenticate is discarded
 *    silently (RFC 6347 §4.1.2.7): records that cannot be valid (epoch
 *    other than 1, a content type other than alert, handshake or
 *    application data, another version, shorter than the negotiated
 *    cipher's overhead) never reach OpenSSL, and should OpenSSL still fail
 *    a read without having received an authenticated alert, the failure
 *    is counted (read_failures), whatever OpenSSL queued in answer is
 *    thrown away, and the session stays CONNECTED but deaf: later
 *    datagrams are ignored, so it ends by consent expiry or locally.
 *    Only an authenticated close_notify (CLOSED) or fatal alert (FAILED)
 *    ends a connected session.  At most WF_DTLS_CONNECTED_RECORDS_MAX
 *    records of a datagram reach OpenSSL;
 *  - once settled, only alert records are opened, at most
 *    WF_DTLS_SETTLED_RECORDS_MAX per datagram, and the first that does
 *    not authenticate ends the datagram (counted, session unchanged).
 * During the handshake OpenSSL treats a malformed plaintext handshake
 * record as fatal (the session fails, with the reason); the handshake is
 * short and bounded by the caller's deadline.
 * Returns 0 when the datagram was consumed (check wf_dtls_state(): it may
 * now be CONNECTED or CLOSED), -EPROTO when the session failed on it,
 * -ESHUTDOWN when the session had already ended (datagram ignored),
 * -EMSGSIZE when it is longer than WF_DTLS_MAX_DATAGRAM (dropped, state
 * unchanged), -EINVAL on a NULL or empty datagram. */
int wf_dtls_input(struct wf_dtls *d, const uint8_t *pkt, size_t len);

/* Takes the next queued datagram: copies it to buf and returns its length,
 * 0 when nothing is queued, -EMSGSIZE when cap is smaller than it (the
 * datagram is dropped and counted, as if lost).  cap >= the ctx's MTU
 * always suffices. */
int wf_dtls_next_output(struct wf_dtls *d, uint8_t *buf, size_t cap);

/* Datagrams waiting in the output queue. */
unsigned wf_dtls_output_pending(const struct wf_dtls *d);

/* Milliseconds until wf_dtls_on_timer() should run (0: now), or -1 when no
 * retransmission timer is armed (RFC 6347 §4.2.4).  Only a handshake in
 * progress has one. */
int64_t wf_dtls_timeout_ms(const struct wf_dtls *d);

/* Retransmits the last flight if its timer has expired (queued output).
 * Returns 0, or -EPROTO when the handshake gave up (the flight went
 * unanswered after retransmit_limit retransmissions) and the session
 * failed, -ESHUTDOWN when it had already ended.  Does nothing once the
 * handshake is over. */
int wf_dtls_on_timer(struct wf_dtls *d);

/* Ends the session: queues close_notify (RFC 5246 §7.2.1) if the handshake
 * had completed, and moves to CLOSED.  0, or -ESHUTDOWN if already ended. */
int wf_dtls_close(struct wf_dtls *d);

enum wf_dtls_state wf_dtls_state(const struct wf_dtls *d);
const char *wf_dtls_state_name(enum wf_dtls_state s);
/* Why the session failed or closed ("" while handshaking/connected). */
const char *wf_dtls_reason(const struct wf_dtls *d);

/* Copies the SRTP keys once CONNECTED (they stay readable after a later
 * close).  0, or -ENOTCONN before the handshake completed or after it
 * failed. */
int wf_dtls_get_keys(const struct wf_dtls *d, struct wf_dtls_keys *out);

void wf_dtls_get_stats(const struct wf_dtls *d, struct wf_dtls_stats *out);

/* The OpenSSL session underneath, for tests that forge records with a
 * session's own keys.  Driving I/O through it breaks the session. */
SSL *wf_dtls_ssl(const struct wf_dtls *d);

/* Parses the body of a ClientHello use_srtp extension (RFC 5764 §4.1.1:
 * a 2-byte length, an even, non-empty list of 2-byte profile ids, a 1-byte
 * MKI length and the MKI, nothing after) and returns the first id of
 * ours[0..nours) that the list contains, 0 when none does, -EBADMSG when
 * the body is malformed.  The server runs it on every ClientHello so that
 * a browser without a common profile gets a handshake_failure alert. */
int wf_dtls_use_srtp_pick(const uint8_t *ext, size_t len, const uint16_t *ours, unsigned nours);

#endif
