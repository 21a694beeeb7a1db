/* dtls.c: DTLS-SRTP contexts and sessions over the datagram BIO.
 *
 * The session is a small state machine around one SSL:
 *   HANDSHAKING --(Finished, fingerprint ok, profile, keys)--> CONNECTED
 *   HANDSHAKING/CONNECTED --(close_notify sent or received)--> CLOSED
 *   HANDSHAKING/CONNECTED --(fatal alert, bad peer, timeout)--> FAILED
 * CLOSED and FAILED are final: later datagrams are ignored.
 *
 * Every OpenSSL I/O call is preceded by ERR_clear_error(): SSL_get_error()
 * reads the thread's error queue, which other sessions share.
 */
#include "dtls/dtls.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "dtls/dgram.h"
#include "dtls/record.h"

/* RFC 5764 §4.2 */
#define SRTP_EXPORTER_LABEL	"EXTRACTOR-dtls_srtp"
/* DTLS 1.2 with AEAD suites only: ECDSA first (our certificate), RSA for a
 * loaded RSA certificate.  RFC 8827 §6.5 requires
 * TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256; browsers offer all of these. */
#define CIPHER_LIST \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:" \
	"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-RSA-CHACHA20-POLY1305"
/* ECDHE groups (RFC 8422 §5.1.1); browsers send X25519 and P-256 shares. */
#define GROUP_LIST		"X25519:P-256:P-384"
#define RTX_INITIAL_MS		1000	/* RFC 6347 §4.2.4.1 */
#define RTX_MAX_MS		60000	/* RFC 6347 §4.2.4.1 */
#define RTX_LIMIT_MS		600000	/* keeps microseconds in 32 bits */
/* OpenSSL 3.0 reports a timer with under 15 ms left as expired already
 * (dtls1_get_timeout), so shorter ones would retransmit in a loop. */
#define RTX_MIN_MS		20
/* SSL_read() calls per input datagram: each consumes at least one record
 * of at least 13 header bytes, so a WF_DTLS_MAX_DATAGRAM datagram holds
 * fewer than this. */
#define READ_LOOP_MAX		256
#define ALERT_TEXT_LEN		96
/* HMAC-SHA256(cookie_key, peer identity) truncated: 128 bits are
 * unguessable and keep the HelloVerifyRequest small; <= DTLS1_COOKIE_LENGTH */
#define COOKIE_LEN		16
#define COOKIE_KEY_LEN		32

/* The DTLS record header (RFC 6347 §4.1): type, version, epoch, sequence
 * number, length. */
#define REC_HDR_LEN		13
#define REC_CT_CCS		20	/* RFC 5246 §6.2.1 ContentType */
#define REC_CT_ALERT		21
#define REC_CT_HANDSHAKE	22
#define REC_CT_APP_DATA		23
#define DTLS12_MAJOR		0xfe	/* { 254, 253 }: DTLS 1.2 */
#define DTLS12_MINOR		0xfd
/* Without renegotiation the read epoch is 1 from the peer's Finished on. */
#define CONNECTED_EPOCH		1
#define HS_HDR_LEN		12	/* RFC 6347 §4.2.2 handshake header */
#define HS_CLIENT_HELLO		1
#define ALERT_LEN		2	/* RFC 5246 §7.2: level, description */
#define HELLO_RANDOM_LEN	32
/* Where a ClientHello's cookie ends at the latest, from the body's start:
 * client_version 2, random 32, session_id<0..32>, cookie<0..255> (RFC
 * 6347 §4.2.1).  A fragment starting there or beyond cannot touch it. */
#define HELLO_COOKIE_END_MAX	(2 + HELLO_RANDOM_LEN + 1 + 32 + 1 + 255)

/* Our preference when the options name none (design: GCM is one pass). */
static const enum wf_srtp_profile default_profiles[] = {
	WF_SRTP_AEAD_AES_128_GCM, WF_SRTP_AEAD_AES_256_GCM,
	WF_SRTP_AES128_CM_SHA1_80, WF_SRTP_AES128_CM_SHA1_32,
};

struct wf_dtls_ctx {
	SSL_CTX *ssl_ctx;
	enum wf_dtls_role role;
	uint16_t mtu;
	uint32_t rtx_initial_us;
	uint32_t rtx_max_us;
	uint8_t rtx_limit;	/* retransmissions per flight */
	uint32_t settle_ms;	/* connected this long: OpenSSL's SSL is freed */
	const char *cipher_list;	/* NULL: CIPHER_LIST (only while configuring) */
	bool hello_verify;
	unsigned nprofiles;		/* 0 with no_srtp */
	uint16_t profile_ids[WF_SRTP_PROFILE_COUNT];	/* preference order */
};

struct wf_dtls {
	SSL *ssl;
	const struct wf_dtls_ctx *ctx;
	struct wf_dgram q;
	enum wf_dtls_state state;
	bool have_keys;
	bool hello_seen;	/* server: a ClientHello-shaped datagram arrived */
	bool cookie_ok;		/* cookie holds the current peer's (HMAC done) */
	bool peer_verified;	/* a ClientHello echoed the current peer's cookie */
	bool fatal_alert_read;	/* the peer's fatal alert arrived in this input */
	bool deaf;		/* connected, but OpenSSL can no longer read */
	bool settled;		/* the SSL is freed: rec holds the record keys */
	uint8_t rec_overhead;	/* record bytes beyond the plaintext, once connected */
	uint64_t connected_ms;	/* monotonic, when the handshake completed */
	uint64_t w_seq_next;	/* our next epoch-1 sequence number (settle) */
	struct wf_dtls_rec rec;
	uint8_t flight_retransmits;	/* of the flight in flight */
	uint8_t cookie[COOKIE_LEN];	/* HMAC(cookie_key, peer_id), truncated */
	uint8_t cookie_key[COOKIE_KEY_LEN];	/* random per session */
	uint8_t peer_id[WF_DTLS_PEER_ID_MAX];	/* wf_dtls_set_peer() */
	uint8_t peer_id_len;
	uint8_t expected_fp[WF_DTLS_FP_LEN];
	struct wf_dtls_keys keys;
	struct wf_dtls_stats stats;
	char peer_alert[ALERT_TEXT_LEN];	/* last fatal alert received */
	char reason[WF_DTLS_REASON_LEN];
};

static const char *const state_names[] = {
	[WF_DTLS_HANDSHAKING] = "handshaking",
	[WF_DTLS_CONNECTED] = "connected",
	[WF_DTLS_CLOSED] = "closed",
	[WF_DTLS_FAILED] = "failed",
};

const char *wf_dtls_state_name(enum wf_dtls_state s)
{
	if ((unsigned)s >= sizeof(state_names) / sizeof(state_names[0]))
		return "?";
	return state_names[s];
}

static unsigned rd16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Sets the reason unless one is already recorded (the first cause wins). */
static void set_reason(struct wf_dtls *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_reason(struct wf_dtls *d, const char *fmt, ...)
{
	va_list ap;

	if (d->reason[0])
		return;
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
}

static bool dtls_ended(const struct wf_dtls *d)
{
	return d->state == WF_DTLS_CLOSED || d->state == WF_DTLS_FAILED;
}

/* True when x's sha-256 digest is fp; compared in constant time. */
static bool fp_matches(X509 *x, const uint8_t fp[WF_DTLS_FP_LEN])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!x || X509_digest(x, EVP_sha256(), md, &n) != 1 || n != WF_DTLS_FP_LEN)
		return false;
	return CRYPTO_memcmp(md, fp, WF_DTLS_FP_LEN) == 0;
}

/* use_srtp ------------------------------------------------------------- */

int wf_dtls_use_srtp_pick(const uint8_t *ext, size_t len, const uint16_t *ours, unsigned nours)
{
	size_t plen, i;
	unsigned j;

	if (!ext || len < 2)
		return -EBADMSG;
	/* RFC 5764 §4.1.1: SRTPProtectionProfile SRTPProtectionProfiles<2..2^16-1> */
	plen = (size_t)ext[0] << 8 | ext[1];
	if (plen < 2 || plen % 2 || plen > len - 2)
		return -EBADMSG;
	/* opaque srtp_mki<0..255>, and nothing after it */
	if (len - 2 - plen < 1 || (size_t)ext[2 + plen] != len - 3 - plen)
		return -EBADMSG;
	for (j = 0; j < nours; j++)	/* ours first: the server's preference */
		for (i = 0; i < plen; i += 2)
			if (((uint16_t)ext[2 + i] << 8 | ext[3 + i]) == ours[j])
				return ours[j];
	return 0;
}

/* OpenSSL callbacks ---------------------------------------------------- */

/* Server, on each ClientHello: refuse one without a usable use_srtp
 * offer now, with an alert, rather than finish a handshake that yields no
 * keys (OpenSSL would just leave the extension out of its ServerHello). */
static int client_hello_cb(SSL *ssl, int *al, void *arg)
{
	const struct wf_dtls_ctx *ctx = arg;
	struct wf_dtls *d = SSL_get_app_data(ssl);
	const unsigned char *ext = NULL;
	size_t len = 0;
	int rc;

	if (!d || !ctx)
		return SSL_CLIENT_HELLO_ERROR;
	if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_use_srtp, &ext, &len)) {
		set_reason(d, "client offered no use_srtp extension (RFC 5764 §4.1.1)");
		*al = SSL_AD_HANDSHAKE_FAILURE;
		return SSL_CLIENT_HELLO_ERROR;
	}
	rc = wf_dtls_use_srtp_pick(ext, len, ctx->profile_ids, ctx->nprofiles);
	if (rc < 0) {
		set_reason(d, "malformed use_srtp extension in ClientHello");
		*al = SSL_AD_DECODE_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	if (rc == 0) {
		set_reason(d, "no SRTP protection profile in common with the client");
		*al = SSL_AD_HANDSHAKE_FAILURE;
		return SSL_CLIENT_HELLO_ERROR;
	}
	return SSL_CLIENT_HELLO_SUCCESS;
}

/* Server with hello_verify: the cookie of our HelloVerifyRequest (RFC
 * 6347 §4.2.1), HMAC-SHA256 of the peer's identity under the session's
 * random key (cookie_bind).  It goes only to the peer's address, and a
 * peer at another address has another cookie, so a ClientHello that
 * echoes it proves its sender receives at the current peer address.
 * The check is stateless: the cookie of the current peer is good whether
 * or not it went out since the last wf_dtls_set_peer() (a client whose
 * checks move the peer A -> B -> A between our HelloVerifyRequest and its
 * ClientHello still echoes A's cookie from A, and only A could have
 * received it).
 * Without a cookie (the HMAC failed) there is no HelloVerifyRequest:
 * wf_dtls_input() drops the ClientHello before it gets here. */
static int cookie_generate_cb(SSL *ssl, unsigned char *cookie, unsigned int *len)
{
	struct wf_dtls *d = SSL_get_app_data(ssl);

	if (!d || !d->cookie_ok)
		return 0;
	memcpy(cookie, d->cookie, COOKIE_LEN);
	*len = COOKIE_LEN;
	return 1;
}

static int cookie_verify_cb(SSL *ssl, const unsigned char *cookie, unsigned int len)
{
	struct wf_dtls *d = SSL_get_app_data(ssl);
	bool ok = d && d->cookie_ok && len == COOKIE_LEN &&
		  CRYPTO_memcmp(cookie, d->cookie, COOKIE_LEN) == 0;

	if (ok)
		d->peer_verified = true;
	return ok;
}

/* The chain is not validated: a WebRTC certificate is self-signed and its
 * identity is the fingerprint signalled in SDP (RFC 8122 §5, RFC 8827
 * §6.5).  Every call checks the leaf against the expected digest; any other
 * verification error (self-signed, expired, unknown issuer) is accepted. */
static int verify_cb(int preverify_ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct wf_dtls *d = ssl ? SSL_get_app_data(ssl) : NULL;

	(void)preverify_ok;
	if (!d)
		return 0;
	if (!fp_matches(X509_STORE_CTX_get0_cert(xs), d->expected_fp)) {
		set_reason(d, "peer certificate does not match the signalled sha-256 fingerprint");
		X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_REJECTED);	/* bad_certificate */
		return 0;
	}
	return 1;
}

/* Retransmission back-off: initial, then doubling up to the ctx maximum
 * (RFC 6347 §4.2.4.1).  prev_us is 0 when a flight is first sent: its
 * retransmissions are counted from there. */
static unsigned int timer_cb(SSL *ssl, unsigned int prev_us)
{
	struct wf_dtls *d = SSL_get_app_data(ssl);
	uint64_t next;

	if (!d)
		return RTX_INITIAL_MS * 1000u;
	if (prev_us == 0) {
		d->flight_retransmits = 0;
		return d->ctx->rtx_initial_us;
	}
	next = (uint64_t)prev_us * 2;
	return next > d->ctx->rtx_max_us ? d->ctx->rtx_max_us : (unsigned int)next;
}

/* Records fatal alerts from the peer for the failure reason. */
static void info_cb(const SSL *ssl, int where, int ret)
{
	struct wf_dtls *d;

	if ((where & SSL_CB_READ_ALERT) != SSL_CB_READ_ALERT)
		return;	/* not an alert, or one we wrote */
	d = SSL_get_app_data(ssl);
	if (!d || (ret >> 8) != SSL3_AL_FATAL)
		return;
	/* OpenSSL reports an alert only once its record authenticated (or,
	 * before the handshake's end, parsed in plaintext epoch 0) */
	d->fatal_alert_read = true;
	snprintf(d->peer_alert, sizeof(d->peer_alert), "peer sent fatal alert: %s",
		 SSL_alert_desc_string_long(ret));
}

/* Contexts -------------------------------------------------------------- */

/* Checks opts and copies them into ctx.  0 or -EINVAL. */
static int ctx_apply_opts(struct wf_dtls_ctx *ctx, const struct wf_dtls_ctx_opts *o)
{
	static const struct wf_dtls_ctx_opts defaults;
	const enum wf_srtp_profile *list = default_profiles;
	unsigned n = sizeof(default_profiles) / sizeof(default_profiles[0]);
	uint32_t ini, max;
	unsigned i, j;

	if (!o)
		o = &defaults;
	if (o->nprofiles) {
		if (!o->profiles || o->nprofiles > WF_SRTP_PROFILE_COUNT)
			return -EINVAL;
		list = o->profiles;
		n = o->nprofiles;
	}
	if (o->no_srtp)
		n = 0;
	for (i = 0; i < n; i++) {
		const struct wf_srtp_suite *s = wf_srtp_suite(list[i]);

		if (!s)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (ctx->profile_ids[j] == s->dtls_id)
				return -EINVAL;	/* listed twice */
		ctx->profile_ids[i] = s->dtls_id;
	}
	ctx->nprofiles = n;
	ctx->mtu = o->mtu ? o->mtu : WF_DTLS_DEFAULT_MTU;
	if (ctx->mtu < WF_DTLS_MIN_MTU || ctx->mtu > WF_DTLS_MAX_DATAGRAM)
		return -EINVAL;
	ini = o->retransmit_initial_ms ? o->retransmit_initial_ms : RTX_INITIAL_MS;
	max = o->retransmit_max_ms ? o->retransmit_max_ms : RTX_MAX_MS;
	if (ini < RTX_MIN_MS || max > RTX_LIMIT_MS || ini > max)
		return -EINVAL;
	if (o->retransmit_limit > WF_DTLS_MAX_RETRANSMITS)
		return -EINVAL;
	ctx->rtx_initial_us = ini * 1000u;
	ctx->rtx_max_us = max * 1000u;
	ctx->rtx_limit = o->retransmit_limit ? o->retransmit_limit : WF_DTLS_DEFAULT_RETRANSMITS;
	ctx->hello_verify = o->hello_verify && ctx->role == WF_DTLS_SERVER;
	ctx->settle_ms = o->settle_ms;
	ctx->cipher_list = o->cipher_list;
	return 0;
}

/* "SRTP_AEAD_AES_128_GCM:..." from the ctx's ids and the srtp suite table. */
static int ctx_profile_string(const struct wf_dtls_ctx *ctx, char *out, size_t cap)
{
	size_t used = 0;
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < ctx->nprofiles; i++) {
		const struct wf_srtp_suite *s =
			wf_srtp_suite((enum wf_srtp_profile)wf_srtp_profile_by_dtls_id(ctx->profile_ids[i]));
		int w;

		if (!s)
			return -EINVAL;
		w = snprintf(out + used, cap - used, "%s%s", i ? ":" : "", s->dtls_name);
		if (w < 0 || (size_t)w >= cap - used)
			return -EINVAL;
		used += (size_t)w;
	}
	return 0;
}

/* Everything OpenSSL is told about the protocol (see dtls.h). */
static int ctx_configure(struct wf_dtls_ctx *ctx, const struct wf_dtls_cert *cert)
{
	SSL_CTX *sc = ctx->ssl_ctx;
	char profiles[160];
	int mode;

	if (SSL_CTX_set_min_proto_version(sc, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(sc, DTLS1_2_VERSION) != 1)
		return -EIO;
	if (SSL_CTX_set_cipher_list(sc, CIPHER_LIST) != 1 ||
	    (ctx->cipher_list && SSL_CTX_set_cipher_list(sc, ctx->cipher_list) != 1) ||
	    SSL_CTX_set1_groups_list(sc, GROUP_LIST) != 1)
		return -EIO;
	/* No tickets and no session cache: a WebRTC session is one handshake
	 * with a fresh certificate check, never resumed.  No renegotiation:
	 * nothing needs it and it is attack surface.  NO_QUERY_MTU: there is
	 * no socket to ask, the MTU is ours (SSL_set_mtu per session). */
	SSL_CTX_set_options(sc, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
			    SSL_OP_NO_QUERY_MTU | SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_session_cache_mode(sc, SSL_SESS_CACHE_OFF);
	/* An idle session keeps no record buffers (about 34 KiB otherwise):
	 * a server holds thousands of sessions that read a datagram a minute. */
	SSL_CTX_set_mode(sc, SSL_MODE_RELEASE_BUFFERS);
	/* Cookie exchange (RFC 6347 §4.2.1).  An ICE check does not prove
	 * that its sender receives at its source address: the USERNAME and
	 * password come from the offer's answer, which anyone can get, so a
	 * spoofed check and then a spoofed ClientHello would make us send
	 * our flights (and their retransmissions) to a victim.  The
	 * HelloVerifyRequest is smaller than the ClientHello that asks for it
	 * and arms no timer. */
	if (ctx->hello_verify) {
		SSL_CTX_set_options(sc, SSL_OP_COOKIE_EXCHANGE);
		SSL_CTX_set_cookie_generate_cb(sc, cookie_generate_cb);
		SSL_CTX_set_cookie_verify_cb(sc, cookie_verify_cb);
	}
	if (SSL_CTX_use_certificate(sc, wf_dtls_cert_x509(cert)) != 1 ||
	    SSL_CTX_use_PrivateKey(sc, wf_dtls_cert_pkey(cert)) != 1 ||
	    SSL_CTX_check_private_key(sc) != 1)
		return -EIO;
	mode = SSL_VERIFY_PEER;
	if (ctx->role == WF_DTLS_SERVER) {
		/* RFC 8827 §6.5: both sides present certificates. */
		mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
		SSL_CTX_set_client_hello_cb(sc, client_hello_cb, ctx);
	}
	SSL_CTX_set_verify(sc, mode, verify_cb);
	if (ctx->nprofiles) {
		if (ctx_profile_string(ctx, profiles, sizeof(profiles)) < 0)
			return -EINVAL;
		/* Returns 0 on success, unlike most of OpenSSL. */
		if (SSL_CTX_set_tlsext_use_srtp(sc, profiles) != 0)
			return -EIO;
	}
	return 0;
}

struct wf_dtls_ctx *wf_dtls_ctx_create(enum wf_dtls_role role, const struct wf_dtls_cert *cert,
				       const struct wf_dtls_ctx_opts *opts)
{
	struct wf_dtls_ctx *ctx;
	int rc;

	if (!cert || (role != WF_DTLS_SERVER && role != WF_DTLS_CLIENT)) {
		errno = EINVAL;
		return NULL;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		errno = ENOMEM;
		return NULL;
	}
	ctx->role = role;
	rc = ctx_apply_opts(ctx, opts);
	if (rc == 0) {
		ctx->ssl_ctx = SSL_CTX_new(role == WF_DTLS_SERVER ? DTLS_server_method()
								  : DTLS_client_method());
		rc = ctx->ssl_ctx ? ctx_configure(ctx, cert) : -ENOMEM;
	}
	if (rc < 0) {
		ERR_clear_error();
		wf_dtls_ctx_free(ctx);
		errno = -rc;
		return NULL;
	}
	return ctx;
}

void wf_dtls_ctx_free(struct wf_dtls_ctx *ctx)
{
	if (!ctx)
		return;
	SSL_CTX_free(ctx->ssl_ctx);
	free(ctx);
}

/* Sessions -------------------------------------------------------------- */

/* Fails the session after an OpenSSL error; a recorded cause (ours, or
 * the peer's alert) is preferred over OpenSSL's own words.  -EPROTO. */
static int dtls_fail(struct wf_dtls *d, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	const char *why = e ? ERR_reason_error_string(e) : NULL;

	if (d->peer_alert[0])
		set_reason(d, "%s", d->peer_alert);
	else
		set_reason(d, "%s: %s", what, why ? why : "unknown error");
	ERR_clear_error();
	d->state = WF_DTLS_FAILED;
	return -EPROTO;
}

/* The peer said close_notify: answer with ours (RFC 5246 §7.2.1). */
static void dtls_peer_closed(struct wf_dtls *d)
{
	set_reason(d, "peer sent close_notify");
	d->state = WF_DTLS_CLOSED;
	ERR_clear_error();
	if (SSL_is_init_finished(d->ssl))
		SSL_shutdown(d->ssl);
	ERR_clear_error();
}

/* Maps an SSL_do_handshake/SSL_read result <= 0.  0 or -EPROTO. */
static int dtls_result(struct wf_dtls *d, int rc, const char *what)
{
	switch (SSL_get_error(d->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		dtls_peer_closed(d);
		return 0;
	default:
		return dtls_fail(d, what);
	}
}

/* After a completed handshake the keys are unusable unless something went
 * wrong; a late failure is ended with close_notify, the only alert the
 * public API can send once the handshake is over. */
static int dtls_fail_connected(struct wf_dtls *d, const char *reason)
{
	set_reason(d, "%s", reason);
	d->state = WF_DTLS_FAILED;
	ERR_clear_error();
	SSL_shutdown(d->ssl);
	ERR_clear_error();
	return -EPROTO;
}

/* The handshake is done: check the peer, take the profile and export the
 * SRTP keys (RFC 5764 §4.2).  0, or -EPROTO with the session failed. */
static int dtls_connected(struct wf_dtls *d)
{
	uint8_t km[2 * WF_SRTP_MAX_MASTER_LEN];
	const SRTP_PROTECTION_PROFILE *sp;
	const struct wf_srtp_suite *s;
	const uint8_t *ck, *sk, *cs, *ss;
	size_t kl, sl;
	int p;

	/* The verify callback already checked it; this holds even if a
	 * future OpenSSL skipped the callback. */
	if (!fp_matches(SSL_get0_peer_certificate(d->ssl), d->expected_fp))
		return dtls_fail_connected(d, "peer certificate missing or not matching the fingerprint");
	sp = SSL_get_selected_srtp_profile(d->ssl);
	if (!sp)
		return dtls_fail_connected(d, "no SRTP protection profile negotiated (RFC 5764 §4.1.1)");
	p = wf_srtp_profile_by_dtls_id((uint16_t)sp->id);
	s = p < 0 ? NULL : wf_srtp_suite((enum wf_srtp_profile)p);
	if (!s)
		return dtls_fail_connected(d, "negotiated SRTP profile is not supported");
	d->rec_overhead = (uint8_t)wf_dtls_rec_overhead(wf_dtls_rec_aead_of(d->ssl));
	if (!d->rec_overhead)
		return dtls_fail_connected(d, "negotiated cipher suite is not one of ours");
	kl = s->master_key_len;
	sl = s->master_salt_len;
	ERR_clear_error();
	if (SSL_export_keying_material(d->ssl, km, 2 * (kl + sl), SRTP_EXPORTER_LABEL,
				       strlen(SRTP_EXPORTER_LABEL), NULL, 0, 0) != 1) {
		OPENSSL_cleanse(km, sizeof(km));
		return dtls_fail_connected(d, "SRTP keying material export failed");
	}
	/* RFC 5764 §4.2: client_write_SRTP_master_key[kl] ||
	 * server_write_SRTP_master_key[kl] || client_write_SRTP_master_salt[sl]
	 * || server_write_SRTP_master_salt[sl] */
	ck = km;
	sk = km + kl;
	cs = km + 2 * kl;
	ss = km + 2 * kl + sl;
	d->keys.profile = (enum wf_srtp_profile)p;
	d->keys.key_len = (uint8_t)kl;
	d->keys.salt_len = (uint8_t)sl;
	if (d->ctx->role == WF_DTLS_SERVER) {
		memcpy(d->keys.local_key, sk, kl);
		memcpy(d->keys.local_salt, ss, sl);
		memcpy(d->keys.remote_key, ck, kl);
		memcpy(d->keys.remote_salt, cs, sl);
	} else {
		memcpy(d->keys.local_key, ck, kl);
		memcpy(d->keys.local_salt, cs, sl);
		memcpy(d->keys.remote_key, sk, kl);
		memcpy(d->keys.remote_salt, ss, sl);
	}
	OPENSSL_cleanse(km, sizeof(km));
	d->have_keys = true;
	d->state = WF_DTLS_CONNECTED;
	d->connected_ms = now_ms();
	return 0;
}

/* OpenSSL failed a read after the handshake with no authenticated alert
 * from the peer: what failed was a record anyone could have sent.  The SSL
 * is in its error state for good, but the SRTP keys are exported and
 * untouched, so the session lives on without DTLS (wf_dtls_input).  The
 * alert OpenSSL queued for the peer (output beyond keep datagrams) would
 * end the browser's side: it is never sent.  Returns 0. */
static int dtls_go_deaf(struct wf_dtls *d, unsigned keep)
{
	d->stats.read_failures++;
	d->deaf = true;
	wf_dgram_truncate(&d->q, keep);
	ERR_clear_error();
	return 0;
}

/* Reads and discards application data (WebRTC media goes over SRTP, and
 * whepfan offers no data channel), which also processes alerts and the
 * peer's retransmitted last flight (RFC 6347 §4.2.4).  0 or -EPROTO (the
 * peer's authenticated fatal alert). */
static int dtls_drain(struct wf_dtls *d)
{
	uint8_t buf[WF_DTLS_MAX_DATAGRAM];
	unsigned queued = d->q.count;
	int i, n;

	d->fatal_alert_read = false;
	for (i = 0; i < READ_LOOP_MAX && d->state == WF_DTLS_CONNECTED; i++) {
		ERR_clear_error();
		n = SSL_read(d->ssl, buf, sizeof(buf));
		if (n > 0) {
			d->stats.app_bytes_discarded += (uint64_t)n;
			continue;
		}
		switch (SSL_get_error(d->ssl, n)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			return 0;
		case SSL_ERROR_ZERO_RETURN:
			dtls_peer_closed(d);	/* authenticated close_notify */
			return 0;
		default:
			if (d->fatal_alert_read)
				return dtls_fail(d, "DTLS read failed");
			return dtls_go_deaf(d, queued);
		}
	}
	return 0;
}

/* Runs OpenSSL on whatever the BIO holds.  0 or -EPROTO. */
static int dtls_step(struct wf_dtls *d)
{
	int rc;

	if (d->state == WF_DTLS_HANDSHAKING) {
		ERR_clear_error();
		rc = SSL_do_handshake(d->ssl);
		if (rc <= 0)
			return dtls_result(d, rc, "DTLS handshake failed");
		rc = dtls_connected(d);
		if (rc < 0)
			return rc;
	}
	return dtls_drain(d);	/* records after Finished in the same datagram */
}

/* Every datagram OpenSSL writes for d (queued or not): our epoch-1
 * sequence numbers, so that records sealed after the SSL is freed carry
 * new ones (RFC 6347 §4.1; a repeated one would repeat a GCM nonce). */
static void output_seen(void *arg, const uint8_t *p, size_t len)
{
	struct wf_dtls *d = arg;
	size_t off = 0;

	while (len - off >= REC_HDR_LEN) {
		if (rd16(p + off + 3) == CONNECTED_EPOCH) {
			uint64_t seq = 0;
			unsigned i;

			for (i = 5; i < 11; i++)
				seq = seq << 8 | p[off + i];
			if (seq + 1 > d->w_seq_next)
				d->w_seq_next = seq + 1;
		}
		off += REC_HDR_LEN + rd16(p + off + 11);
		if (off > len)
			break;
	}
}

/* The cookie of the current peer identity: HMAC-SHA256(cookie_key,
 * peer_id), truncated to COOKIE_LEN.  When the HMAC fails there is no
 * cookie (cookie_ok false): ClientHellos are dropped rather than answered
 * with something that does not depend on the peer.  0 or -EIO. */
static int cookie_bind(struct wf_dtls *d)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	d->cookie_ok = HMAC(EVP_sha256(), d->cookie_key, COOKIE_KEY_LEN, d->peer_id,
			    d->peer_id_len, md, &n) != NULL && n >= COOKIE_LEN;
	if (d->cookie_ok)
		memcpy(d->cookie, md, COOKIE_LEN);
	else
		OPENSSL_cleanse(d->cookie, COOKIE_LEN);
	OPENSSL_cleanse(md, sizeof(md));
	ERR_clear_error();
	return d->cookie_ok ? 0 : -EIO;
}

int wf_dtls_set_peer(struct wf_dtls *d, const void *id, size_t len)
{
	if (!d || (!id && len) || len > WF_DTLS_PEER_ID_MAX)
		return -EINVAL;
	if (len == d->peer_id_len && (len == 0 || memcmp(id, d->peer_id, len) == 0) &&
	    d->cookie_ok)
		return 0;	/* the same peer: its cookie stands */
	if (len)
		memcpy(d->peer_id, id, len);
	d->peer_id_len = (uint8_t)len;
	/* a verification was for the old peer; its cookie is the old one */
	d->peer_verified = false;
	return cookie_bind(d);
}

bool wf_dtls_peer_verified(const struct wf_dtls *d)
{
	return d && d->peer_verified;
}

static struct wf_dtls *dtls_new(struct wf_dtls_ctx *ctx, const uint8_t *expected_fp,
				enum wf_dtls_role role)
{
	struct wf_dtls *d;
	BIO *bio;

	if (!ctx || !expected_fp || ctx->role != role) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	d->ctx = ctx;
	d->state = WF_DTLS_HANDSHAKING;
	memcpy(d->expected_fp, expected_fp, WF_DTLS_FP_LEN);
	wf_dgram_init(&d->q, ctx->mtu, WF_DTLS_OUT_QUEUE_MAX, WF_DTLS_MAX_DATAGRAM);
	d->q.on_write = output_seen;
	d->q.on_write_arg = d;
	d->ssl = RAND_bytes(d->cookie_key, COOKIE_KEY_LEN) == 1 ? SSL_new(ctx->ssl_ctx) : NULL;
	bio = d->ssl ? wf_dgram_bio_new(&d->q) : NULL;
	if (!bio) {
		SSL_free(d->ssl);
		free(d);
		ERR_clear_error();
		errno = ENOMEM;
		return NULL;
	}
	cookie_bind(d);		/* the empty identity until wf_dtls_set_peer() */
	SSL_set_bio(d->ssl, bio, bio);	/* one reference, owned by the SSL */
	SSL_set_app_data(d->ssl, d);
	SSL_set_info_callback(d->ssl, info_cb);
	DTLS_set_timer_cb(d->ssl, timer_cb);
	/* The UDP payload budget per datagram; NO_QUERY_MTU keeps it. */
	SSL_set_mtu(d->ssl, ctx->mtu);
	if (role == WF_DTLS_SERVER)
		SSL_set_accept_state(d->ssl);
	else
		SSL_set_connect_state(d->ssl);
	return d;
}

struct wf_dtls *wf_dtls_create(struct wf_dtls_ctx *ctx, const uint8_t expected_fp[WF_DTLS_FP_LEN])
{
	return dtls_new(ctx, expected_fp, WF_DTLS_SERVER);
}

struct wf_dtls *wf_dtls_create_client(struct wf_dtls_ctx *ctx,
				      const uint8_t expected_fp[WF_DTLS_FP_LEN])
{
	struct wf_dtls *d = dtls_new(ctx, expected_fp, WF_DTLS_CLIENT);

	if (!d)
		return NULL;
	/* Queues the ClientHello (and arms its retransmission timer). */
	if (dtls_step(d) < 0) {
		wf_dtls_free(d);
		errno = EIO;
		return NULL;
	}
	return d;
}

void wf_dtls_free(struct wf_dtls *d)
{
	if (!d)
		return;
	SSL_free(d->ssl);	/* frees the BIO, which leaves d->q alone */
	wf_dgram_clear(&d->q);
	OPENSSL_cleanse(&d->keys, sizeof(d->keys));
	wf_dtls_rec_wipe(&d->rec);
	OPENSSL_cleanse(d->cookie_key, sizeof(d->cookie_key));
	free(d);
}

/* True when pkt starts with a record that can carry the first fragment of
 * a ClientHello: handshake, DTLS version, epoch 0 (RFC 6347 §4.1), length
 * within the datagram, msg_type client_hello at fragment offset 0 (RFC
 * 6347 §4.2.2). */
static bool looks_like_client_hello(const uint8_t *p, size_t len)
{
	size_t rlen;

	if (len < 13 + 12 || p[0] != 22 || p[1] != 0xfe || p[3] != 0 || p[4] != 0)
		return false;
	rlen = (size_t)p[11] << 8 | p[12];
	if (rlen < 12 || rlen > len - 13)
		return false;
	return p[13] == HS_CLIENT_HELLO && p[19] == 0 && p[20] == 0 && p[21] == 0;
}

static size_t rd24(const uint8_t *p)
{
	return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
}

/* One ClientHello fragment h[HS_HDR_LEN + flen] (header included, whole
 * within its record): 0 when its cookie (RFC 6347 §4.2.1) is empty or the
 * current peer's (stateless, see cookie_generate_cb), -EBADMSG when it is another, or when it
 * cannot be checked here: a first fragment that does not hold the whole
 * cookie, or a later fragment that could overwrite it (OpenSSL reassembles
 * overlapping fragments by copying each over the last). */
static int hello_fragment_check(const struct wf_dtls *d, const uint8_t *h, size_t flen)
{
	const uint8_t *b = h + HS_HDR_LEN;
	size_t off = 2 + HELLO_RANDOM_LEN, clen;

	if (rd24(h + 6) != 0)
		return rd24(h + 6) >= HELLO_COOKIE_END_MAX ? 0 : -EBADMSG;
	if (off >= flen)
		return -EBADMSG;
	off += 1 + (size_t)b[off];	/* session_id */
	if (off >= flen)
		return -EBADMSG;
	clen = b[off++];
	if (clen == 0)
		return 0;	/* a first ClientHello: OpenSSL answers with ours */
	return clen == COOKIE_LEN && off + clen <= flen &&
	       CRYPTO_memcmp(b + off, d->cookie, COOKIE_LEN) == 0 ? 0 : -EBADMSG;
}

/* Server with hello_verify, handshaking: every ClientHello of the datagram
 * p[len], in any of its records and in any handshake fragment of a record
 * (RFC 6347 §4.2.2: a record may carry several), must pass
 * hello_fragment_check().  OpenSSL would fail the handshake on a wrong
 * cookie, so one spoofed datagram would end it, and a cookie echoed from
 * another address would get our flight sent there.  Returns 0, -EBADMSG
 * (a ClientHello not acceptable, or one running past its record), or -EIO
 * (a ClientHello, but no cookie to answer or check it with). */
static int hellos_acceptable(const struct wf_dtls *d, const uint8_t *p, size_t len)
{
	size_t off = 0, rlen, hoff, flen;
	const uint8_t *r;

	/* records past a short header or a length beyond the datagram are
	 * dropped by OpenSSL's record layer unread */
	while (len - off >= REC_HDR_LEN && (rlen = rd16(p + off + 11)) <= len - off - REC_HDR_LEN) {
		r = p + off + REC_HDR_LEN;
		off += REC_HDR_LEN + rlen;
		if (r[-REC_HDR_LEN] != REC_CT_HANDSHAKE || rd16(r - REC_HDR_LEN + 3) != 0)
			continue;	/* a ClientHello is plaintext: epoch 0 */
		for (hoff = 0; rlen - hoff >= HS_HDR_LEN; hoff += HS_HDR_LEN + flen) {
			flen = rd24(r + hoff + 9);
			if (r[hoff] != HS_CLIENT_HELLO) {
				if (flen > rlen - hoff - HS_HDR_LEN)
					break;
				continue;
			}
			if (flen > rlen - hoff - HS_HDR_LEN)
				return -EBADMSG;
			if (!d->cookie_ok)
				return -EIO;
			if (hello_fragment_check(d, r + hoff, flen) < 0)
				return -EBADMSG;
		}
	}
	return 0;
}

/* Whether a record of the connected session can possibly authenticate
 * (r points at its header, rlen is its length field, checked to lie within
 * the datagram).  An alert is exactly two bytes of plaintext, a handshake
 * message (the peer's retransmitted Finished) has its header.  Once
 * settled only alerts matter (the rest would be opened to be thrown
 * away): anything else is not worth an AEAD pass. */
static bool record_may_be_valid(const struct wf_dtls *d, const uint8_t *r, size_t rlen)
{
	size_t over = d->rec_overhead;

	if (r[1] != DTLS12_MAJOR || r[2] != DTLS12_MINOR || rd16(r + 3) != CONNECTED_EPOCH)
		return false;
	if (d->settled)
		return r[0] == REC_CT_ALERT && rlen == over + ALERT_LEN;
	switch (r[0]) {
	case REC_CT_ALERT:
		return rlen == over + ALERT_LEN;
	case REC_CT_HANDSHAKE:
		return rlen >= over + HS_HDR_LEN;
	case REC_CT_APP_DATA:
		return rlen >= over;
	default:	/* change_cipher_spec is epoch 0; nothing else exists */
		return false;
	}
}

/* Copies the records of pkt[len] that may be valid once connected into
 * out[WF_DTLS_MAX_DATAGRAM] and returns the bytes kept: at most
 * WF_DTLS_CONNECTED_RECORDS_MAX of them (WF_DTLS_SETTLED_RECORDS_MAX once
 * settled), so a datagram of forged records costs a bounded number of
 * authentication attempts.  The rest are counted in records_discarded
 * (RFC 6347 §4.1.2.7: discarded silently).  A record whose length runs
 * past the datagram ends the walk. */
static size_t keep_valid_records(struct wf_dtls *d, const uint8_t *pkt, size_t len,
				 uint8_t *out)
{
	unsigned max = d->settled ? WF_DTLS_SETTLED_RECORDS_MAX : WF_DTLS_CONNECTED_RECORDS_MAX;
	unsigned n = 0;
	size_t off = 0, kept = 0, rlen;

	while (off < len) {
		if (len - off < REC_HDR_LEN ||
		    (rlen = rd16(pkt + off + 11)) > len - off - REC_HDR_LEN) {
			d->stats.records_discarded++;
			break;
		}
		if (n < max && record_may_be_valid(d, pkt + off, rlen)) {
			memcpy(out + kept, pkt + off, REC_HDR_LEN + rlen);
			kept += REC_HDR_LEN + rlen;
			n++;
		} else {
			d->stats.records_discarded++;
		}
		off += REC_HDR_LEN + rlen;
	}
	return kept;
}

/* The session has been connected for settle_ms: OpenSSL's SSL (its record
 * buffers and handshake state, tens of KiB) is freed, and the records of
 * the rest of the session go through record.c.  Without the record keys
 * (cannot happen with our suites) the SSL stays. */
static void dtls_settle(struct wf_dtls *d)
{
	if (wf_dtls_rec_init(&d->rec, d->ssl, d->ctx->role == WF_DTLS_SERVER, d->w_seq_next) < 0) {
		d->connected_ms = UINT64_MAX / 2;	/* not again */
		return;
	}
	ERR_clear_error();
	SSL_free(d->ssl);
	d->ssl = NULL;
	d->settled = true;
	d->stats.settled = 1;
	d->deaf = false;	/* record.c has none of OpenSSL's failure paths */
}

/* Queues our close_notify (RFC 5246 §7.2.1) sealed by record.c. */
static void settled_close_notify(struct wf_dtls *d)
{
	static const uint8_t close_notify[ALERT_LEN] = { 1, 0 };	/* warning(1), close_notify(0) */
	uint8_t out[REC_HDR_LEN + 64];
	int n = wf_dtls_rec_seal(&d->rec, REC_CT_ALERT, close_notify, ALERT_LEN, out, sizeof(out));

	if (n > 0)
		wf_dgram_push(&d->q, out, (size_t)n);
}

/* One record of a settled session that passed keep_valid_records(): only
 * what authenticates counts (RFC 6347 §4.1.2.7).  0, -EBADMSG when it
 * does not authenticate (or is a replay: counted), -EPROTO on the peer's
 * fatal alert. */
static int settled_record(struct wf_dtls *d, const uint8_t *rec, size_t len)
{
	uint8_t pt[WF_DTLS_MAX_DATAGRAM], type = 0;
	int n;

	d->stats.records_opened++;
	n = wf_dtls_rec_open(&d->rec, rec, len, &type, pt, sizeof(pt));
	if (n < 0) {
		d->stats.records_discarded++;
		return -EBADMSG;
	}
	switch (type) {
	case REC_CT_ALERT:	/* RFC 5246 §7.2: level, description */
		if (n != ALERT_LEN)
			break;
		if (pt[0] == SSL3_AL_FATAL) {
			snprintf(d->peer_alert, sizeof(d->peer_alert), "peer sent fatal alert: %s",
				 SSL_alert_desc_string_long(pt[1]));
			set_reason(d, "%s", d->peer_alert);
			d->state = WF_DTLS_FAILED;
			return -EPROTO;
		}
		if (pt[0] == SSL3_AL_WARNING && pt[1] == SSL_AD_CLOSE_NOTIFY) {
			set_reason(d, "peer sent close_notify");
			d->state = WF_DTLS_CLOSED;
			settled_close_notify(d);
		}
		break;
	default:	/* only alerts get here (record_may_be_valid) */
		d->stats.ignored_in++;
		break;
	}
	return 0;
}

/* The records of one datagram of a settled session (already filtered).
 * The first that does not authenticate ends the datagram: a forger pays
 * for one AEAD pass, the rest is discarded unread.  0 or -EPROTO. */
static int settled_input(struct wf_dtls *d, const uint8_t *p, size_t len)
{
	size_t off = 0, rl;
	int rc = 0;

	while (rc == 0 && d->state == WF_DTLS_CONNECTED && len - off >= REC_HDR_LEN) {
		rl = REC_HDR_LEN + rd16(p + off + 11);
		rc = settled_record(d, p + off, rl);
		off += rl;
	}
	if (rc != -EBADMSG)
		return rc;
	for (; len - off >= REC_HDR_LEN; off += REC_HDR_LEN + rd16(p + off + 11))
		d->stats.records_discarded++;
	return 0;
}

int wf_dtls_input(struct wf_dtls *d, const uint8_t *pkt, size_t len)
{
	uint8_t kept[WF_DTLS_MAX_DATAGRAM];
	int rc;

	if (!d || !pkt || len == 0)
		return -EINVAL;
	if (len > WF_DTLS_MAX_DATAGRAM) {
		d->stats.oversize_in++;
		return -EMSGSIZE;
	}
	if (dtls_ended(d)) {
		d->stats.ignored_in++;
		return -ESHUTDOWN;
	}
	if (d->deaf) {
		d->stats.ignored_in++;
		return 0;
	}
	/* Until a ClientHello arrives, anything else is dropped here: OpenSSL
	 * would treat a stray plaintext record (a late packet of an earlier
	 * session on the same 5-tuple, say) as fatal to this one. */
	if (d->ctx->role == WF_DTLS_SERVER && !d->hello_seen) {
		if (!looks_like_client_hello(pkt, len)) {
			d->stats.ignored_in++;
			return 0;
		}
		d->hello_seen = true;
	}
	if (d->ctx->hello_verify && d->state == WF_DTLS_HANDSHAKING) {
		rc = hellos_acceptable(d, pkt, len);
		if (rc == -EIO)
			d->stats.cookie_failures++;
		else if (rc < 0)
			d->stats.bad_cookies++;
		if (rc < 0)
			return 0;
	}
	if (d->state == WF_DTLS_CONNECTED) {
		len = keep_valid_records(d, pkt, len, kept);
		if (!len)
			return 0;
		pkt = kept;
	}
	d->stats.datagrams_in++;
	if (d->settled)
		return settled_input(d, pkt, len);
	wf_dgram_set_input(&d->q, pkt, len);
	rc = dtls_step(d);
	wf_dgram_clear_input(&d->q);	/* pkt is the caller's again */
	return rc;
}

int wf_dtls_next_output(struct wf_dtls *d, uint8_t *buf, size_t cap)
{
	int n;

	if (!d || (!buf && cap))
		return -EINVAL;
	n = wf_dgram_pop(&d->q, buf, cap);
	if (n > 0)
		d->stats.datagrams_out++;
	return n;
}

unsigned wf_dtls_output_pending(const struct wf_dtls *d)
{
	return d ? d->q.count : 0;
}

int64_t wf_dtls_timeout_ms(const struct wf_dtls *d)
{
	struct timeval tv;

	if (d && d->state == WF_DTLS_CONNECTED && !d->settled && d->ctx->settle_ms) {
		uint64_t due = d->connected_ms + d->ctx->settle_ms, now = now_ms();

		return due > now ? (int64_t)(due - now) : 0;
	}
	if (!d || d->state != WF_DTLS_HANDSHAKING)
		return -1;
	if (DTLSv1_get_timeout(d->ssl, &tv) != 1)
		return -1;
	/* rounded up: firing early would find the timer not yet expired */
	return (int64_t)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
}

int wf_dtls_on_timer(struct wf_dtls *d)
{
	int rc;

	if (!d)
		return -EINVAL;
	if (dtls_ended(d))
		return -ESHUTDOWN;
	if (wf_dtls_timeout_ms(d) != 0)
		return 0;	/* no flight out, or not yet due */
	if (d->state == WF_DTLS_CONNECTED) {
		dtls_settle(d);
		return 0;
	}
	if (d->flight_retransmits >= d->ctx->rtx_limit) {
		d->peer_alert[0] = '\0';	/* the cause is the silence */
		set_reason(d, "DTLS handshake timed out: no answer to %u retransmissions",
			   (unsigned)d->flight_retransmits);
		return dtls_fail(d, "DTLS handshake timed out");
	}
	ERR_clear_error();
	rc = DTLSv1_handle_timeout(d->ssl);
	if (rc < 0) {
		d->peer_alert[0] = '\0';
		return dtls_fail(d, "DTLS handshake timed out");
	}
	if (rc > 0) {
		d->stats.retransmit_timeouts++;
		d->flight_retransmits++;
	}
	return 0;
}

int wf_dtls_close(struct wf_dtls *d)
{
	if (!d)
		return -EINVAL;
	if (dtls_ended(d))
		return -ESHUTDOWN;
	set_reason(d, "closed locally");
	d->state = WF_DTLS_CLOSED;
	if (d->settled) {
		settled_close_notify(d);
		return 0;
	}
	/* Mid-handshake OpenSSL sends nothing; the peer times out. */
	ERR_clear_error();
	if (SSL_is_init_finished(d->ssl))
		SSL_shutdown(d->ssl);
	ERR_clear_error();
	return 0;
}

enum wf_dtls_state wf_dtls_state(const struct wf_dtls *d)
{
	return d ? d->state : WF_DTLS_FAILED;
}

const char *wf_dtls_reason(const struct wf_dtls *d)
{
	return d ? d->reason : "no session";
}

int wf_dtls_get_keys(const struct wf_dtls *d, struct wf_dtls_keys *out)
{
	if (!d || !out)
		return -EINVAL;
	if (!d->have_keys || d->state == WF_DTLS_FAILED)
		return -ENOTCONN;
	*out = d->keys;
	return 0;
}

SSL *wf_dtls_ssl(const struct wf_dtls *d)
{
	return d ? d->ssl : NULL;
}

void wf_dtls_get_stats(const struct wf_dtls *d, struct wf_dtls_stats *out)
{
	if (!d || !out)
		return;
	*out = d->stats;
	out->out_dropped += d->q.dropped;
}
