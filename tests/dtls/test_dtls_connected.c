/* test_dtls_connected.c: what a connected session does with records that
 * anyone who spoofs the peer's address can send (RFC 6347 §4.1.2.7: a
 * record that does not authenticate is discarded silently), with records
 * forged with the peer's own keys (only those may end a session), the
 * cookie exchange and the bound on retransmissions. */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/ssl.h>

#include "dtls_testlib.h"

#define REC_HDR		13
#define GCM_OVERHEAD	24	/* explicit nonce 8 + tag 16 (RFC 5288 §3) */

static struct t_pair tp;

/* Connected pair; the client's close_notify must still end the server. */
static bool connect_pair(const struct wf_dtls_ctx_opts *sopts)
{
	return t_pair_init(&tp, sopts, NULL) && t_handshake(&tp);
}

static bool close_from_client_ends_server(void)
{
	t_pump(&tp);
	if (wf_dtls_close(tp.cli) != 0)
		return false;
	t_pump(&tp);
	return wf_dtls_state(tp.srv) == WF_DTLS_CLOSED;
}

static size_t record(uint8_t *p, uint8_t type, uint16_t version, uint16_t epoch, uint64_t seq,
		     size_t body, uint64_t *rng)
{
	size_t i;

	p[0] = type;
	p[1] = (uint8_t)(version >> 8);
	p[2] = (uint8_t)version;
	p[3] = (uint8_t)(epoch >> 8);
	p[4] = (uint8_t)epoch;
	for (i = 0; i < 6; i++)
		p[5 + i] = (uint8_t)(seq >> (40 - 8 * i));
	p[11] = (uint8_t)(body >> 8);
	p[12] = (uint8_t)body;
	for (i = 0; i < body; i++)
		p[REC_HDR + i] = (uint8_t)(t_rand(rng) >> 56);
	return REC_HDR + body;
}

static void dtls_short_alert_after_connect_is_discarded(void)
{
	struct wf_dtls_keys before, after;
	struct wf_dtls_stats st;
	uint64_t rng = 45;
	uint8_t pkt[64];
	size_t n;

	WF_REQUIRE(connect_pair(NULL));
	WF_REQUIRE(wf_dtls_get_keys(tp.srv, &before) == 0);
	/* the datagram that ended a viewer with libssl3 3.0.19: an alert,
	 * DTLS 1.2, epoch 1, 22 bytes of body (under the AEAD overhead) */
	n = record(pkt, 21, 0xfefd, 1, 45, 22, &rng);
	WF_CHECK_EQ(n, 35);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), 0);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CONNECTED);
	WF_CHECK_EQ(wf_dtls_output_pending(tp.srv), 0);	/* no alert to the peer */
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.records_discarded, 1);
	WF_CHECK_EQ(st.read_failures, 0);
	WF_CHECK_EQ(wf_dtls_get_keys(tp.srv, &after), 0);
	WF_CHECK_MEM(&before, &after, sizeof(before));
	WF_CHECK(close_from_client_ends_server());
	t_pair_free(&tp);
}

/* Every content type, epoch, version and length around the boundaries,
 * with random bodies: none may end the session, make it answer, or reach
 * an OpenSSL failure; the peer's close_notify still works afterwards. */
static void dtls_noise_of_every_kind_after_connect_is_discarded_without_a_reply(void)
{
	static const uint16_t epochs[] = { 0, 1, 2, 0xffff };
	static const uint16_t versions[] = { 0xfefd, 0xfeff, 0x0303, 0xfefc };
	static const size_t lens[] = {
		0, 1, 2, GCM_OVERHEAD - 1, GCM_OVERHEAD, GCM_OVERHEAD + 1, GCM_OVERHEAD + 2,
		GCM_OVERHEAD + 3, GCM_OVERHEAD + 11, GCM_OVERHEAD + 12, GCM_OVERHEAD + 13, 100, 1400,
	};
	struct wf_dtls_stats st;
	uint8_t pkt[WF_DTLS_MAX_DATAGRAM];
	uint64_t rng = 0xdead, seq = 1000;
	unsigned type, e, v, l, bad = 0;
	size_t n;

	WF_REQUIRE(connect_pair(NULL));
	for (type = 0; type < 256; type++)
		for (e = 0; e < (sizeof(epochs) / sizeof(epochs[0])); e++)
			for (v = 0; v < (sizeof(versions) / sizeof(versions[0])); v++)
				for (l = 0; l < (sizeof(lens) / sizeof(lens[0])); l++) {
					n = record(pkt, (uint8_t)type, versions[v], epochs[e], seq++,
						   lens[l], &rng);
					wf_dtls_input(tp.srv, pkt, n);
					bad += wf_dtls_state(tp.srv) != WF_DTLS_CONNECTED ||
					       wf_dtls_output_pending(tp.srv) != 0;
				}
	WF_CHECK_EQ(bad, 0);
	/* several records per datagram: good-looking, short, truncated
	 * header, length past the end */
	for (l = 0; l < 200; l++) {
		n = record(pkt, 23, 0xfefd, 1, seq++, 40, &rng);
		n += record(pkt + n, 21, 0xfefd, 1, seq++, l % 30, &rng);
		n += record(pkt + n, 22, 0xfefd, 1, seq++, 60, &rng);
		if (l % 3 == 1)
			n += 7;		/* a header cut short */
		if (l % 3 == 2)
			pkt[n - 60 - 1] = 90;	/* the last one claims 90 bytes */
		wf_dtls_input(tp.srv, pkt, n);
		bad += wf_dtls_state(tp.srv) != WF_DTLS_CONNECTED ||
		       wf_dtls_output_pending(tp.srv) != 0;
	}
	WF_CHECK_EQ(bad, 0);
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.read_failures, 0);
	WF_CHECK(st.records_discarded > 50000);
	WF_CHECK(close_from_client_ends_server());
	t_pair_free(&tp);
}

/* ---- records forged with the client's own keys ----------------------------- */

struct forge {
	uint8_t key[16];	/* client_write_key */
	uint8_t iv[4];		/* client_write_IV (the GCM salt) */
};

/* The client's record keys from the TLS 1.2 key block (RFC 5246 §6.3):
 * AES-128-GCM has no MAC keys, 16-byte keys and 4-byte IVs. */
static bool forge_init(struct forge *f, struct wf_dtls *cli)
{
	SSL *ssl = wf_dtls_ssl(cli);
	uint8_t master[48], seed[13 + 64], block[40];
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
	EVP_KDF_CTX *kc = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM prm[4];
	size_t mlen;
	bool ok;

	if (!ssl || !kc ||
	    SSL_CIPHER_get_cipher_nid(SSL_get_current_cipher(ssl)) != NID_aes_128_gcm) {
		EVP_KDF_CTX_free(kc);
		EVP_KDF_free(kdf);
		return false;
	}
	mlen = SSL_SESSION_get_master_key(SSL_get_session(ssl), master, sizeof(master));
	memcpy(seed, "key expansion", 13);
	SSL_get_server_random(ssl, seed + 13, 32);
	SSL_get_client_random(ssl, seed + 45, 32);
	prm[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	prm[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, master, mlen);
	prm[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, sizeof(seed));
	prm[3] = OSSL_PARAM_construct_end();
	ok = mlen == sizeof(master) && EVP_KDF_derive(kc, block, sizeof(block), prm) == 1;
	memcpy(f->key, block, 16);
	memcpy(f->iv, block + 32, 4);
	EVP_KDF_CTX_free(kc);
	EVP_KDF_free(kdf);
	return ok;
}

/* An epoch-1 record of type with plaintext pt[n], sealed as the client
 * would (RFC 5288 §3: nonce = IV || explicit; RFC 6347 §4.1.2.1: the
 * sequence number in the AAD is epoch || seq48).  Returns its length. */
static size_t forge_record(const struct forge *f, uint8_t type, uint64_t seq, const uint8_t *pt,
			   size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t nonce[12], aad[13];
	uint64_t rng = 1;
	int len = 0, fin = 0;

	record(out, type, 0xfefd, 1, seq, 8 + n + 16, &rng);
	memcpy(nonce, f->iv, 4);
	memcpy(nonce + 4, out + 3, 8);	/* explicit nonce: epoch || seq */
	memcpy(out + REC_HDR, nonce + 4, 8);
	memcpy(aad, out + 3, 8);
	aad[8] = type;
	aad[9] = 0xfe;
	aad[10] = 0xfd;
	aad[11] = (uint8_t)(n >> 8);
	aad[12] = (uint8_t)n;
	if (!c || EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, f->key, nonce) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &len, aad, sizeof(aad)) != 1 ||
	    EVP_EncryptUpdate(c, out + REC_HDR + 8, &len, pt, (int)n) != 1 ||
	    EVP_EncryptFinal_ex(c, out + REC_HDR + 8 + len, &fin) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + REC_HDR + 8 + n) != 1) {
		EVP_CIPHER_CTX_free(c);
		return 0;
	}
	EVP_CIPHER_CTX_free(c);
	return REC_HDR + 8 + n + 16;
}

static void dtls_forged_records_prove_the_forge_and_bad_keys_are_discarded(void)
{
	static const uint8_t hello[] = "application data";
	struct wf_dtls_stats st;
	struct forge f;
	uint8_t pkt[256];
	size_t n;

	WF_REQUIRE(connect_pair(NULL));
	WF_REQUIRE(forge_init(&f, tp.cli));
	/* an authenticated application-data record is read (and discarded);
	 * sequence numbers stay within the replay window (RFC 6347 §4.1.2.6)
	 * of the client's own, so its close_notify is still accepted */
	n = forge_record(&f, 23, 10, hello, sizeof(hello), pkt);
	WF_REQUIRE(n > 0);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), 0);
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.app_bytes_discarded, sizeof(hello));
	/* with one key bit wrong it does not authenticate: gone, silently */
	f.key[0] ^= 1;
	n = forge_record(&f, 23, 11, hello, sizeof(hello), pkt);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), 0);
	/* and a close_notify sealed with the wrong key ends nothing */
	n = forge_record(&f, 21, 12, (const uint8_t *)"\x01\x00", 2, pkt);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), 0);
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.app_bytes_discarded, sizeof(hello));
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CONNECTED);
	WF_CHECK_EQ(st.read_failures, 0);
	WF_CHECK(close_from_client_ends_server());
	t_pair_free(&tp);
}

static void dtls_authenticated_fatal_alert_ends_the_session(void)
{
	struct forge f;
	uint8_t pkt[128];
	size_t n;

	WF_REQUIRE(connect_pair(NULL));
	WF_REQUIRE(forge_init(&f, tp.cli));
	/* fatal(2) handshake_failure(40), RFC 5246 §7.2 */
	n = forge_record(&f, 21, 600, (const uint8_t *)"\x02\x28", 2, pkt);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), -EPROTO);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_FAILED);
	WF_CHECKF(strstr(wf_dtls_reason(tp.srv), "fatal alert") != NULL, "reason: %s",
		  wf_dtls_reason(tp.srv));
	t_pair_free(&tp);
}

/* An authenticated record OpenSSL fails on without an alert from the peer
 * (an alert of unknown level, RFC 5246 §7.2): the session stays up, deaf,
 * and the alert OpenSSL would send never leaves. */
static void dtls_read_failure_without_an_alert_leaves_the_session_up_and_quiet(void)
{
	struct wf_dtls_keys before, after;
	struct wf_dtls_stats st;
	struct forge f;
	uint8_t pkt[128];
	size_t n;

	WF_REQUIRE(connect_pair(NULL));
	WF_REQUIRE(wf_dtls_get_keys(tp.srv, &before) == 0);
	WF_REQUIRE(forge_init(&f, tp.cli));
	n = forge_record(&f, 21, 700, (const uint8_t *)"\x07\x00", 2, pkt);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), 0);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CONNECTED);
	WF_CHECK_EQ(wf_dtls_output_pending(tp.srv), 0);
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.read_failures, 1);
	WF_CHECK_EQ(wf_dtls_get_keys(tp.srv, &after), 0);
	WF_CHECK_MEM(&before, &after, sizeof(before));
	/* deaf from now on: even the peer's close_notify is ignored */
	t_pump(&tp);
	WF_CHECK_EQ(wf_dtls_close(tp.cli), 0);
	t_pump(&tp);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CONNECTED);
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK(st.ignored_in >= 1);
	/* a local close ends it without sending anything */
	WF_CHECK_EQ(wf_dtls_close(tp.srv), 0);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CLOSED);
	WF_CHECK_EQ(wf_dtls_output_pending(tp.srv), 0);
	t_pair_free(&tp);
}

/* ---- the cookie exchange ------------------------------------------------------ */

static const struct wf_dtls_ctx_opts verify_opts = { .hello_verify = true };

/* Offset of the ClientHello cookie's length byte (after the record and
 * handshake headers, client_version, random and session_id). */
static size_t cookie_off(const uint8_t *p)
{
	return REC_HDR + 12 + 2 + 32 + 1 + p[REC_HDR + 12 + 2 + 32];
}

static void dtls_hello_verify_answers_small_and_arms_no_timer(void)
{
	uint8_t hello[WF_DTLS_MAX_DATAGRAM], hvr[WF_DTLS_MAX_DATAGRAM], buf[WF_DTLS_MAX_DATAGRAM];
	struct wf_dtls_stats st;
	int hn, vn;

	WF_REQUIRE(t_pair_init(&tp, &verify_opts, NULL));
	hn = wf_dtls_next_output(tp.cli, hello, sizeof(hello));
	WF_REQUIRE(hn > 0);
	WF_CHECK_EQ(hello[cookie_off(hello)], 0);	/* the first has no cookie */
	WF_CHECK_EQ(wf_dtls_input(tp.srv, hello, (size_t)hn), 0);
	WF_CHECK_EQ(wf_dtls_output_pending(tp.srv), 1);
	vn = wf_dtls_next_output(tp.srv, hvr, sizeof(hvr));
	WF_CHECKF(vn > 0 && vn < hn, "HelloVerifyRequest %d bytes for a %d-byte ClientHello", vn, hn);
	WF_CHECK_EQ(hvr[REC_HDR], 3);	/* hello_verify_request (RFC 6347 §4.3.2) */
	WF_CHECK_EQ(wf_dtls_timeout_ms(tp.srv), -1);	/* nothing to retransmit */
	/* a spoofed sender never sees the cookie: repeating the ClientHello
	 * gets at most the same small answer, never a flight */
	WF_CHECK_EQ(wf_dtls_input(tp.srv, hello, (size_t)hn), 0);
	WF_CHECK(wf_dtls_output_pending(tp.srv) <= 1);
	WF_CHECK(wf_dtls_next_output(tp.srv, buf, sizeof(buf)) <= vn);
	WF_CHECK_EQ(wf_dtls_timeout_ms(tp.srv), -1);
	/* the real client echoes it and the handshake completes */
	WF_CHECK_EQ(wf_dtls_input(tp.cli, hvr, (size_t)vn), 0);
	WF_CHECK(t_handshake(&tp));
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.bad_cookies, 0);
	t_pair_free(&tp);
}

static void dtls_client_hello_with_a_wrong_cookie_is_discarded(void)
{
	uint8_t pkt[WF_DTLS_MAX_DATAGRAM];
	struct wf_dtls_stats st;
	struct t_pair other;
	size_t c;
	int n;

	WF_REQUIRE(t_pair_init(&tp, &verify_opts, NULL));
	t_pump_one(&tp, tp.cli, tp.srv, &tp.to_srv, false);	/* ClientHello */
	t_pump_one(&tp, tp.srv, tp.cli, &tp.to_cli, false);	/* HelloVerifyRequest */
	n = wf_dtls_next_output(tp.cli, pkt, sizeof(pkt));	/* ClientHello + cookie */
	WF_REQUIRE(n > 0);
	c = cookie_off(pkt);
	WF_REQUIRE(pkt[c] > 0 && c + 1 + pkt[c] <= (size_t)n);
	/* to another server, which sent no cookie: discarded, no answer */
	WF_REQUIRE(t_pair_init(&other, &verify_opts, NULL));
	WF_CHECK_EQ(wf_dtls_input(other.srv, pkt, (size_t)n), 0);
	WF_CHECK_EQ(wf_dtls_state(other.srv), WF_DTLS_HANDSHAKING);
	WF_CHECK_EQ(wf_dtls_output_pending(other.srv), 0);
	wf_dtls_get_stats(other.srv, &st);
	WF_CHECK_EQ(st.bad_cookies, 1);
	t_pair_free(&other);
	/* one cookie byte wrong: discarded; cut short: dropped by the record
	 * layer; then the real one completes the handshake */
	pkt[c + 1] ^= 0x55;
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, (size_t)n), 0);
	pkt[c + 1] ^= 0x55;
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, c + 4), 0);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_HANDSHAKING);
	WF_CHECK_EQ(wf_dtls_output_pending(tp.srv), 0);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, (size_t)n), 0);
	WF_CHECK(t_handshake(&tp));
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.bad_cookies, 1);
	t_pair_free(&tp);
}

/* ---- retransmission ------------------------------------------------------------ */

static void dtls_server_flight_is_retransmitted_a_bounded_number_of_times(void)
{
	static const struct wf_dtls_ctx_opts o = {
		.retransmit_initial_ms = 20, .retransmit_max_ms = 40, .retransmit_limit = 3,
	};
	uint8_t buf[WF_DTLS_MAX_DATAGRAM];
	struct wf_dtls_stats st;
	size_t flight = 0, sent = 0;
	unsigned round;
	int n;

	WF_REQUIRE(t_pair_init(&tp, &o, NULL));
	t_pump_one(&tp, tp.cli, tp.srv, &tp.to_srv, false);
	while ((n = wf_dtls_next_output(tp.srv, buf, sizeof(buf))) > 0)
		flight += (size_t)n;	/* lost on the way */
	WF_REQUIRE(flight > 0);
	for (round = 0; round < 20 && wf_dtls_state(tp.srv) == WF_DTLS_HANDSHAKING; round++) {
		if (!t_fire_timer(tp.srv))
			break;
		while ((n = wf_dtls_next_output(tp.srv, buf, sizeof(buf))) > 0)
			sent += (size_t)n;
	}
	printf("  flight %zu bytes, %zu bytes retransmitted before giving up\n", flight, sent);
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.retransmit_timeouts, 3);
	/* each retransmission is the flight again, a record header more per
	 * message (OpenSSL resends message by message) */
	WF_CHECK(sent >= 3 * flight && sent <= 3 * (flight + 8 * REC_HDR));
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_FAILED);
	WF_CHECKF(strstr(wf_dtls_reason(tp.srv), "3 retransmissions") != NULL, "reason: %s",
		  wf_dtls_reason(tp.srv));
	WF_CHECK_EQ(wf_dtls_timeout_ms(tp.srv), -1);
	t_pair_free(&tp);
}

static void dtls_connected_sessions_have_no_retransmission_timer(void)
{
	uint8_t buf[WF_DTLS_MAX_DATAGRAM];

	WF_REQUIRE(connect_pair(NULL));
	WF_CHECK_EQ(wf_dtls_timeout_ms(tp.srv), -1);
	WF_CHECK_EQ(wf_dtls_timeout_ms(tp.cli), -1);
	WF_CHECK_EQ(wf_dtls_on_timer(tp.srv), 0);
	WF_CHECK_EQ(wf_dtls_next_output(tp.srv, buf, sizeof(buf)), 0);
	t_pair_free(&tp);
}

static void dtls_retransmit_limit_is_checked(void)
{
	struct wf_dtls_cert *cert = wf_dtls_cert_generate();
	struct wf_dtls_ctx_opts o = { .retransmit_limit = WF_DTLS_MAX_RETRANSMITS + 1 };
	struct wf_dtls_ctx *ctx;

	WF_REQUIRE(cert);
	ctx = wf_dtls_ctx_create(WF_DTLS_SERVER, cert, &o);
	WF_CHECK(ctx == NULL && errno == EINVAL);
	o.retransmit_limit = WF_DTLS_MAX_RETRANSMITS;
	ctx = wf_dtls_ctx_create(WF_DTLS_SERVER, cert, &o);
	WF_CHECK(ctx != NULL);
	wf_dtls_ctx_free(ctx);
	wf_dtls_cert_free(cert);
}

/* A viewer slower than its retransmission timer (a loaded machine) reads
 * the server's last flight only after queuing its own last flight again
 * (RFC 6347 §4.2.4).  The connected server takes the repeated flight and
 * stays up, and the viewer's close_notify behind it ends the session, with
 * or without HelloVerifyRequest and once the server settled (record.c
 * reads the repeat).  Fuzz target 6 once sent the first datagram queued
 * after wf_dtls_close() as the close_notify: it was the repeated flight. */
static void dtls_close_notify_behind_a_retransmitted_client_flight_ends_the_server(void)
{
	static const struct wf_dtls_ctx_opts copts = { .retransmit_initial_ms = 20 };
	static const struct wf_dtls_ctx_opts sopts[] = {
		{ .hello_verify = false }, { .hello_verify = true }, { .settle_ms = 1 } };
	unsigned i, round;

	for (i = 0; i < sizeof(sopts) / sizeof(sopts[0]); i++) {
		WF_REQUIRE(t_pair_init(&tp, &sopts[i], &copts));
		for (round = 0; round < 16 && wf_dtls_state(tp.srv) != WF_DTLS_CONNECTED; round++) {
			t_pump_one(&tp, tp.cli, tp.srv, &tp.to_srv, false);
			if (wf_dtls_state(tp.srv) != WF_DTLS_CONNECTED)
				t_pump_one(&tp, tp.srv, tp.cli, &tp.to_cli, false);
		}
		WF_REQUIRE(wf_dtls_state(tp.srv) == WF_DTLS_CONNECTED);
		t_sleep_ms(40);	/* the client's 20 ms timer expires */
		t_pump_one(&tp, tp.srv, tp.cli, &tp.to_cli, false);
		WF_REQUIRE(wf_dtls_state(tp.cli) == WF_DTLS_CONNECTED);
		WF_CHECK(wf_dtls_output_pending(tp.cli) > 0);	/* its flight again */
		if (sopts[i].settle_ms) {
			t_sleep_ms(2);
			WF_CHECK_EQ(wf_dtls_on_timer(tp.srv), 0);
			WF_CHECK(wf_dtls_ssl(tp.srv) == NULL);
		}
		WF_CHECK_EQ(wf_dtls_close(tp.cli), 0);
		WF_CHECK(wf_dtls_output_pending(tp.cli) > 1);
		t_pump(&tp);
		WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CLOSED);
		WF_CHECK(strcmp(wf_dtls_reason(tp.srv), "peer sent close_notify") == 0);
		t_pair_free(&tp);
	}
}

/* ---- settled sessions: OpenSSL's SSL freed, records through record.c ---- */

#define SETTLE_MS	20

/* A connected pair whose server (suite pinned by ciphers, NULL: ours)
 * settles; true when it did. */
static bool settled_pair(const char *ciphers)
{
	struct wf_dtls_ctx_opts so = { .settle_ms = SETTLE_MS, .cipher_list = ciphers };
	int64_t ms;

	if (!t_pair_init(&tp, &so, NULL) || !t_handshake(&tp))
		return false;
	t_pump(&tp);
	ms = wf_dtls_timeout_ms(tp.srv);
	if (ms < 0 || ms > SETTLE_MS)
		return false;
	t_sleep_ms(ms + 1);
	return wf_dtls_on_timer(tp.srv) == 0 && wf_dtls_ssl(tp.srv) == NULL &&
	       wf_dtls_timeout_ms(tp.srv) == -1;
}

/* Each AEAD suite: the client's (OpenSSL's) close_notify is opened by
 * record.c, and our sealed answer is accepted by OpenSSL: both ends
 * closed cleanly, the keys unchanged. */
static void dtls_settled_session_closes_cleanly_with_every_suite(void)
{
	static const char *const suites[] = {
		"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
		"ECDHE-ECDSA-CHACHA20-POLY1305",
	};
	struct wf_dtls_keys before, after;
	unsigned i;

	for (i = 0; i < 3; i++) {
		WF_REQUIRE(settled_pair(suites[i]));
		WF_CHECKF(strcmp(SSL_CIPHER_get_name(SSL_get_current_cipher(wf_dtls_ssl(tp.cli))),
				 suites[i]) == 0, "%s", suites[i]);
		WF_REQUIRE(wf_dtls_get_keys(tp.srv, &before) == 0);
		WF_CHECK_EQ(wf_dtls_close(tp.cli), 0);
		t_pump(&tp);
		WF_CHECKF(wf_dtls_state(tp.srv) == WF_DTLS_CLOSED, "%s: server %s (%s)", suites[i],
			  wf_dtls_state_name(wf_dtls_state(tp.srv)), wf_dtls_reason(tp.srv));
		WF_CHECK(strstr(wf_dtls_reason(tp.srv), "close_notify") != NULL);
		WF_CHECK_EQ(wf_dtls_get_keys(tp.srv, &after), 0);
		WF_CHECK_MEM(&before, &after, sizeof(before));
		t_pair_free(&tp);
		/* and the other way: our close_notify, sealed after settling,
		 * ends OpenSSL's side */
		WF_REQUIRE(settled_pair(suites[i]));
		WF_CHECK_EQ(wf_dtls_close(tp.srv), 0);
		t_pump(&tp);
		WF_CHECKF(wf_dtls_state(tp.cli) == WF_DTLS_CLOSED, "%s: client %s (%s)", suites[i],
			  wf_dtls_state_name(wf_dtls_state(tp.cli)), wf_dtls_reason(tp.cli));
		t_pair_free(&tp);
	}
}

static void dtls_settled_session_discards_what_does_not_authenticate(void)
{
	static const uint8_t data[] = "application data";
	struct wf_dtls_stats st, before;
	uint8_t pkt[256];
	uint64_t rng = 99;
	struct forge f;
	size_t n;
	unsigned i;

	WF_REQUIRE(t_pair_init(&tp, &(struct wf_dtls_ctx_opts){ .settle_ms = SETTLE_MS }, NULL));
	WF_REQUIRE(t_handshake(&tp));
	WF_REQUIRE(forge_init(&f, tp.cli));	/* before it settles: the client's keys */
	t_sleep_ms(SETTLE_MS + 1);
	WF_REQUIRE(wf_dtls_on_timer(tp.srv) == 0 && wf_dtls_ssl(tp.srv) == NULL);
	/* noise of every type, and the 35-byte short alert */
	for (i = 0; i < 2000; i++) {
		n = record(pkt, (uint8_t)(20 + i % 5), 0xfefd, (uint16_t)(i % 3), 2000 + i,
			   i % 3 == 1 ? 22 : 24 + i % 100, &rng);
		wf_dtls_input(tp.srv, pkt, n);
	}
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CONNECTED);
	WF_CHECK_EQ(wf_dtls_output_pending(tp.srv), 0);
	/* application data, even with the client's keys, is not worth an
	 * AEAD pass once settled: discarded unopened */
	wf_dtls_get_stats(tp.srv, &before);
	n = forge_record(&f, 23, 9, data, sizeof(data), pkt);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), 0);
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.records_opened, before.records_opened);
	WF_CHECK_EQ(st.records_discarded, before.records_discarded + 1);
	WF_CHECK_EQ(st.app_bytes_discarded, 0);
	/* an alert with the client's keys is read (a warning: ignored), its
	 * replay is not */
	n = forge_record(&f, 21, 10, (const uint8_t *)"\x01\x5a", 2, pkt);	/* user_canceled */
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), 0);
	wf_dtls_get_stats(tp.srv, &before);
	WF_CHECK_EQ(before.records_opened, st.records_opened + 1);
	WF_CHECK_EQ(before.records_discarded, st.records_discarded);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), 0);
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.records_discarded, before.records_discarded + 1);
	/* an alert of unknown level: ignored (no deaf state any more) */
	n = forge_record(&f, 21, 11, (const uint8_t *)"\x07\x00", 2, pkt);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), 0);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CONNECTED);
	/* a close_notify with one key bit wrong ends nothing */
	f.key[3] ^= 0x10;
	n = forge_record(&f, 21, 12, (const uint8_t *)"\x01\x00", 2, pkt);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), 0);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CONNECTED);
	f.key[3] ^= 0x10;
	/* the peer's authenticated fatal alert does */
	n = forge_record(&f, 21, 13, (const uint8_t *)"\x02\x28", 2, pkt);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), -EPROTO);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_FAILED);
	WF_CHECK(strstr(wf_dtls_reason(tp.srv), "fatal alert") != NULL);
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.read_failures, 0);
	t_pair_free(&tp);
}

/* ---- the cookie is bound to the peer's address (F1) and every ClientHello
 * of a datagram is checked (F4) ------------------------------------------- */

#define HVR_COOKIE	(REC_HDR + 12 + 2)	/* HelloVerifyRequest: its cookie's length */

/* The next datagram of from, which must be there, into buf; its length. */
static size_t next_dgram(struct wf_dtls *from, uint8_t *buf)
{
	int n = wf_dtls_next_output(from, buf, WF_DTLS_MAX_DATAGRAM);

	return n > 0 ? (size_t)n : 0;
}

/* The ClientHello p[n] (one record, one fragment) with its cookie taken
 * out, in place; its new length. */
static size_t strip_cookie(uint8_t *p, size_t n)
{
	size_t c = cookie_off(p), k = p[c];
	size_t rl = ((size_t)p[11] << 8 | p[12]) - k, ml = rl - 12;

	memmove(p + c + 1, p + c + 1 + k, n - c - 1 - k);
	p[c] = 0;
	p[11] = (uint8_t)(rl >> 8);
	p[12] = (uint8_t)rl;
	p[REC_HDR + 1] = p[REC_HDR + 9] = 0;
	p[REC_HDR + 2] = p[REC_HDR + 10] = (uint8_t)(ml >> 8);
	p[REC_HDR + 3] = p[REC_HDR + 11] = (uint8_t)ml;
	return n - k;
}

static void dtls_cookie_is_bound_to_the_peer_address(void)
{
	static const uint8_t a[8] = { 198, 18, 0, 2, 0x9c, 0x40, 0, 0 };
	static const uint8_t b[8] = { 198, 18, 0, 3, 0x9c, 0x40, 0, 0 };
	uint8_t ch1[WF_DTLS_MAX_DATAGRAM], ch2_a[WF_DTLS_MAX_DATAGRAM];
	uint8_t hvr_a[WF_DTLS_MAX_DATAGRAM], hvr_b[WF_DTLS_MAX_DATAGRAM];
	uint8_t big[WF_DTLS_PEER_ID_MAX + 1] = { 0 };
	size_t n1, n2, va, vb;
	struct wf_dtls_stats st;

	WF_REQUIRE(t_pair_init(&tp, &verify_opts, NULL));
	WF_CHECK_EQ(wf_dtls_set_peer(NULL, a, sizeof(a)), -EINVAL);
	WF_CHECK_EQ(wf_dtls_set_peer(tp.srv, NULL, 1), -EINVAL);
	WF_CHECK_EQ(wf_dtls_set_peer(tp.srv, big, sizeof(big)), -EINVAL);
	WF_CHECK(!wf_dtls_peer_verified(NULL));
	/* the peer is at a: its cookie comes in the HelloVerifyRequest */
	WF_REQUIRE(wf_dtls_set_peer(tp.srv, a, sizeof(a)) == 0);
	n1 = next_dgram(tp.cli, ch1);
	WF_REQUIRE(n1 > 0);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, ch1, n1), 0);
	va = next_dgram(tp.srv, hvr_a);
	WF_REQUIRE(va > HVR_COOKIE && hvr_a[HVR_COOKIE] == 16);
	WF_CHECK_EQ(wf_dtls_input(tp.cli, hvr_a, va), 0);
	n2 = next_dgram(tp.cli, ch2_a);	/* the ClientHello with a's cookie */
	WF_REQUIRE(n2 > 0);
	WF_CHECK(!wf_dtls_peer_verified(tp.srv));
	/* the peer moved to b (a spoofed check from b, say): a's cookie,
	 * echoed from b, gets nothing */
	WF_REQUIRE(wf_dtls_set_peer(tp.srv, b, sizeof(b)) == 0);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, ch2_a, n2), 0);
	WF_CHECK_EQ(wf_dtls_output_pending(tp.srv), 0);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_HANDSHAKING);
	WF_CHECK_EQ(wf_dtls_timeout_ms(tp.srv), -1);	/* no flight, no timer */
	WF_CHECK(!wf_dtls_peer_verified(tp.srv));
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.bad_cookies, 1);
	/* setting the same peer again changes nothing: a's cookie stays
	 * refused, b's stays good */
	WF_REQUIRE(wf_dtls_set_peer(tp.srv, b, sizeof(b)) == 0);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, ch2_a, n2), 0);
	WF_CHECK_EQ(wf_dtls_output_pending(tp.srv), 0);
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.bad_cookies, 2);
	/* the same ClientHello without a cookie gets b's, another one */
	n2 = strip_cookie(ch2_a, n2);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, ch2_a, n2), 0);
	vb = next_dgram(tp.srv, hvr_b);
	WF_REQUIRE(vb == va && hvr_b[HVR_COOKIE] == 16);
	WF_CHECK(memcmp(hvr_a + HVR_COOKIE + 1, hvr_b + HVR_COOKIE + 1, 16) != 0);
	t_pair_free(&tp);
	/* a client really at b echoes b's cookie: verified, and connects */
	WF_REQUIRE(t_pair_init(&tp, &verify_opts, NULL));
	WF_REQUIRE(wf_dtls_set_peer(tp.srv, b, sizeof(b)) == 0);
	t_pump_one(&tp, tp.cli, tp.srv, &tp.to_srv, false);	/* ClientHello */
	t_pump_one(&tp, tp.srv, tp.cli, &tp.to_cli, false);	/* b's cookie */
	WF_CHECK(!wf_dtls_peer_verified(tp.srv));
	t_pump_one(&tp, tp.cli, tp.srv, &tp.to_srv, false);	/* echoed */
	WF_CHECK(wf_dtls_peer_verified(tp.srv));
	WF_CHECK(t_handshake(&tp));
	/* another peer: no longer verified */
	WF_CHECK_EQ(wf_dtls_set_peer(tp.srv, a, sizeof(a)), 0);
	WF_CHECK(!wf_dtls_peer_verified(tp.srv));
	t_pair_free(&tp);
}

/* R1: a client with two candidates whose checks move the peer a -> b -> a
 * between our HelloVerifyRequest (to a) and its ClientHello (from a):
 * a's cookie is still a's, so it is accepted statelessly and the
 * handshake completes; the verification counts for a only. */
static void dtls_cookie_survives_a_round_trip_of_the_peer(void)
{
	static const uint8_t a[8] = { 198, 18, 0, 2, 0x9c, 0x40, 0, 0 };
	static const uint8_t b[8] = { 198, 18, 0, 3, 0x9c, 0x40, 0, 0 };
	struct wf_dtls_stats st;

	WF_REQUIRE(t_pair_init(&tp, &verify_opts, NULL));
	WF_REQUIRE(wf_dtls_set_peer(tp.srv, a, sizeof(a)) == 0);
	t_pump_one(&tp, tp.cli, tp.srv, &tp.to_srv, false);	/* ClientHello */
	t_pump_one(&tp, tp.srv, tp.cli, &tp.to_cli, false);	/* a's cookie */
	WF_REQUIRE(wf_dtls_set_peer(tp.srv, b, sizeof(b)) == 0);
	WF_REQUIRE(wf_dtls_set_peer(tp.srv, a, sizeof(a)) == 0);
	t_pump_one(&tp, tp.cli, tp.srv, &tp.to_srv, false);	/* echoed from a */
	WF_CHECK(wf_dtls_peer_verified(tp.srv));
	/* the same identity again keeps the verification */
	WF_REQUIRE(wf_dtls_set_peer(tp.srv, a, sizeof(a)) == 0);
	WF_CHECK(wf_dtls_peer_verified(tp.srv));
	WF_CHECK(t_handshake(&tp));
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.bad_cookies, 0);
	/* a verification for a does not count for b */
	WF_REQUIRE(wf_dtls_set_peer(tp.srv, b, sizeof(b)) == 0);
	WF_CHECK(!wf_dtls_peer_verified(tp.srv));
	t_pair_free(&tp);
}

/* A ClientHello record with the cookie byte at off flipped: a copy of
 * rec[len] into out; its length. */
static size_t bad_cookie_copy(const uint8_t *rec, size_t len, uint8_t *out)
{
	size_t c = cookie_off(rec);

	memcpy(out, rec, len);
	if (out[c] > 0)
		out[c + 1] ^= 0x5a;
	return len;
}

/* One epoch-0 handshake record holding a fragment of a ClientHello: the
 * first flen bytes of body from offset off of a message of msg_len. */
static size_t hello_fragment(uint8_t *out, const uint8_t *body, size_t msg_len, size_t off,
			     size_t flen)
{
	uint64_t rng = 7;
	size_t n = record(out, 22, 0xfefd, 0, 1, 12 + flen, &rng);

	out[REC_HDR] = 1;	/* client_hello */
	out[REC_HDR + 1] = (uint8_t)(msg_len >> 16);
	out[REC_HDR + 2] = (uint8_t)(msg_len >> 8);
	out[REC_HDR + 3] = (uint8_t)msg_len;
	out[REC_HDR + 4] = 0;
	out[REC_HDR + 5] = 1;	/* message_seq */
	out[REC_HDR + 6] = (uint8_t)(off >> 16);
	out[REC_HDR + 7] = (uint8_t)(off >> 8);
	out[REC_HDR + 8] = (uint8_t)off;
	out[REC_HDR + 9] = (uint8_t)(flen >> 16);
	out[REC_HDR + 10] = (uint8_t)(flen >> 8);
	out[REC_HDR + 11] = (uint8_t)flen;
	memcpy(out + REC_HDR + 12, body + off, flen);
	return n;
}

static void expect_dropped(const char *what, const uint8_t *p, size_t n, uint64_t *bad)
{
	struct wf_dtls_stats st;

	WF_CHECK_EQ(wf_dtls_input(tp.srv, p, n), 0);
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECKF(st.bad_cookies == *bad + 1, "%s: bad_cookies %llu, want %llu", what,
		  (unsigned long long)st.bad_cookies, (unsigned long long)*bad + 1);
	WF_CHECKF(wf_dtls_state(tp.srv) == WF_DTLS_HANDSHAKING &&
		  wf_dtls_output_pending(tp.srv) == 0, "%s: the server answered or failed", what);
	*bad = st.bad_cookies;
}

static void dtls_every_client_hello_of_a_datagram_has_its_cookie_checked(void)
{
	uint8_t ch1[WF_DTLS_MAX_DATAGRAM], ch2[WF_DTLS_MAX_DATAGRAM], bad[WF_DTLS_MAX_DATAGRAM];
	uint8_t pkt[2 * WF_DTLS_MAX_DATAGRAM], sink[WF_DTLS_MAX_DATAGRAM];
	size_t n1, n2, nb, n, cut, body_len;
	struct wf_dtls_stats st;
	uint64_t nbad = 0;
	unsigned fails = 0, off;

	WF_REQUIRE(t_pair_init(&tp, &verify_opts, NULL));
	n1 = next_dgram(tp.cli, ch1);
	WF_REQUIRE(n1 > 0 && n1 < 600);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, ch1, n1), 0);	/* sends the cookie */
	WF_REQUIRE(t_pump_one(&tp, tp.srv, tp.cli, &tp.to_cli, false) == 1);
	n2 = next_dgram(tp.cli, ch2);	/* echoes it */
	WF_REQUIRE(n2 > 0 && n2 < 600 && ch2[cookie_off(ch2)] == 16);
	nb = bad_cookie_copy(ch2, n2, bad);
	/* a first ClientHello (acceptable), then one with a wrong cookie:
	 * OpenSSL would fail the handshake on the second */
	memcpy(pkt, ch1, n1);
	memcpy(pkt + n1, bad, nb);
	expect_dropped("ClientHello, then a wrong cookie", pkt, n1 + nb, &nbad);
	/* the right cookie, then a wrong one */
	memcpy(pkt, ch2, n2);
	memcpy(pkt + n2, bad, nb);
	expect_dropped("right cookie, then a wrong one", pkt, n2 + nb, &nbad);
	/* a ClientHello behind a record of another type and epoch */
	n = record(pkt, 21, 0xfefd, 0, 3, 2, &(uint64_t){ 5 });
	memcpy(pkt + n, bad, nb);
	expect_dropped("behind an alert", pkt, n + nb, &nbad);
	/* two handshake fragments in one record: another message, then the
	 * bad ClientHello */
	memcpy(pkt, bad, nb);
	memmove(pkt + REC_HDR + 12 + 4, pkt + REC_HDR, nb - REC_HDR);
	memset(pkt + REC_HDR, 0, 12 + 4);
	pkt[REC_HDR] = 11;	/* certificate, 4 bytes of fragment */
	pkt[REC_HDR + 3] = 4;
	pkt[REC_HDR + 11] = 4;
	pkt[11] = (uint8_t)((nb - REC_HDR + 16) >> 8);
	pkt[12] = (uint8_t)(nb - REC_HDR + 16);
	expect_dropped("second fragment of a record", pkt, nb + 16, &nbad);
	/* a ClientHello fragment running past its record */
	memcpy(pkt, ch1, n1);
	pkt[REC_HDR + 11] = (uint8_t)(pkt[REC_HDR + 11] + 1);
	expect_dropped("fragment past its record", pkt, n1, &nbad);
	/* fragments: a first one cut before its cookie ends, a later one that
	 * could overwrite it */
	body_len = n2 - REC_HDR - 12;
	n = hello_fragment(pkt, ch2 + REC_HDR + 12, body_len, 0, (size_t)cookie_off(ch2) - REC_HDR - 12 + 8);
	expect_dropped("first fragment without the whole cookie", pkt, n, &nbad);
	for (off = 1; off < 323 && off < body_len; off += 37) {
		n = hello_fragment(pkt, ch2 + REC_HDR + 12, body_len, off, body_len - off);
		expect_dropped("later fragment over the cookie", pkt, n, &nbad);
	}
	/* every truncation of (first ClientHello, wrong cookie): dropped,
	 * answered with a cookie, or ignored, never a failure */
	memcpy(pkt, ch1, n1);
	memcpy(pkt + n1, bad, nb);
	for (cut = 1; cut <= n1 + nb; cut++) {
		wf_dtls_input(tp.srv, pkt, cut);
		fails += wf_dtls_state(tp.srv) != WF_DTLS_HANDSHAKING;
		while (wf_dtls_next_output(tp.srv, sink, sizeof(sink)) > 0)
			;
	}
	WF_CHECK_EQ(fails, 0);
	WF_CHECK(!wf_dtls_peer_verified(tp.srv));
	/* and the real one still completes the handshake */
	WF_CHECK_EQ(wf_dtls_input(tp.srv, ch2, n2), 0);
	WF_CHECK(wf_dtls_peer_verified(tp.srv));
	WF_CHECK(t_handshake(&tp));
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.cookie_failures, 0);
	printf("  %llu datagrams with a bad ClientHello dropped\n",
	       (unsigned long long)st.bad_cookies);
	t_pair_free(&tp);
}

/* ---- a datagram of forged records costs a bounded number of attempts (F5) */

/* count records of type with plaintext pt[2] and sequence numbers from
 * seq, sealed with f, back to back into out; their length. */
static size_t forged_datagram(const struct forge *f, uint8_t type, uint64_t seq, const char *pt,
			      unsigned count, uint8_t *out)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < count && n + 64 <= WF_DTLS_MAX_DATAGRAM; i++)
		n += forge_record(f, type, seq + i, (const uint8_t *)pt, 2, out + n);
	return n;
}

static void dtls_a_datagram_of_forged_records_costs_at_most_the_limit(void)
{
	uint8_t pkt[WF_DTLS_MAX_DATAGRAM];
	struct wf_dtls_stats st, before;
	struct forge f, bad;
	uint64_t rng = 3;
	size_t n;
	unsigned i;

	/* connected, OpenSSL reading: at most 8 records of a datagram reach it */
	WF_REQUIRE(connect_pair(NULL));
	for (n = 0, i = 0; i < 40; i++)
		n += record(pkt + n, 23, 0xfefd, 1, 100 + i, 30, &rng);
	wf_dtls_get_stats(tp.srv, &before);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), 0);
	wf_dtls_get_stats(tp.srv, &st);
	printf("  connected: 40 records, %llu discarded before OpenSSL\n",
	       (unsigned long long)(st.records_discarded - before.records_discarded));
	WF_CHECK_EQ(st.records_discarded - before.records_discarded,
		    40 - WF_DTLS_CONNECTED_RECORDS_MAX);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CONNECTED);
	WF_CHECK_EQ(wf_dtls_output_pending(tp.srv), 0);
	WF_CHECK(close_from_client_ends_server());
	t_pair_free(&tp);

	/* settled: alerts only, at most 2 opened, the first failure ends it */
	WF_REQUIRE(t_pair_init(&tp, &(struct wf_dtls_ctx_opts){ .settle_ms = SETTLE_MS }, NULL));
	WF_REQUIRE(t_handshake(&tp));
	WF_REQUIRE(forge_init(&f, tp.cli));
	bad = f;
	bad.key[0] ^= 1;
	t_sleep_ms(SETTLE_MS + 1);
	WF_REQUIRE(wf_dtls_on_timer(tp.srv) == 0 && wf_dtls_ssl(tp.srv) == NULL);
	/* 52 forged close_notify alerts in one datagram */
	n = forged_datagram(&bad, 21, 20, "\x01\x00", 100, pkt);
	wf_dtls_get_stats(tp.srv, &before);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), 0);
	wf_dtls_get_stats(tp.srv, &st);
	printf("  settled: %zu bytes of forged alerts, %llu AEAD passes\n", n,
	       (unsigned long long)(st.records_opened - before.records_opened));
	WF_CHECK_EQ(st.records_opened - before.records_opened, 1);
	WF_CHECK_EQ(st.records_discarded - before.records_discarded, n / 39);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CONNECTED);
	WF_CHECK_EQ(wf_dtls_output_pending(tp.srv), 0);
	/* application data and handshake records are not opened at all */
	n = forged_datagram(&f, 23, 20, "ab", 50, pkt);
	n += forged_datagram(&f, 22, 70, "ab", 2, pkt + n);
	wf_dtls_get_stats(tp.srv, &before);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), 0);
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.records_opened, before.records_opened);
	/* three authentic warnings: two opened, the third discarded unread */
	n = forged_datagram(&f, 21, 30, "\x01\x5a", 3, pkt);
	wf_dtls_get_stats(tp.srv, &before);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), 0);
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.records_opened - before.records_opened, WF_DTLS_SETTLED_RECORDS_MAX);
	WF_CHECK_EQ(st.records_discarded - before.records_discarded, 1);
	/* an authentic warning, then forged ones: two passes */
	n = forged_datagram(&f, 21, 40, "\x01\x5a", 1, pkt);
	n += forged_datagram(&bad, 21, 41, "\x01\x00", 10, pkt + n);
	wf_dtls_get_stats(tp.srv, &before);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, pkt, n), 0);
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.records_opened - before.records_opened, 2);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CONNECTED);
	WF_CHECK_EQ(st.read_failures, 0);
	/* the peer's real close_notify still ends it */
	WF_CHECK(close_from_client_ends_server());
	t_pair_free(&tp);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(dtls_short_alert_after_connect_is_discarded);
	WF_RUN(dtls_noise_of_every_kind_after_connect_is_discarded_without_a_reply);
	WF_RUN(dtls_forged_records_prove_the_forge_and_bad_keys_are_discarded);
	WF_RUN(dtls_authenticated_fatal_alert_ends_the_session);
	WF_RUN(dtls_read_failure_without_an_alert_leaves_the_session_up_and_quiet);
	WF_RUN(dtls_hello_verify_answers_small_and_arms_no_timer);
	WF_RUN(dtls_client_hello_with_a_wrong_cookie_is_discarded);
	WF_RUN(dtls_server_flight_is_retransmitted_a_bounded_number_of_times);
	WF_RUN(dtls_connected_sessions_have_no_retransmission_timer);
	WF_RUN(dtls_retransmit_limit_is_checked);
	WF_RUN(dtls_close_notify_behind_a_retransmitted_client_flight_ends_the_server);
	WF_RUN(dtls_settled_session_closes_cleanly_with_every_suite);
	WF_RUN(dtls_settled_session_discards_what_does_not_authenticate);
	WF_RUN(dtls_cookie_is_bound_to_the_peer_address);
	WF_RUN(dtls_cookie_survives_a_round_trip_of_the_peer);
	WF_RUN(dtls_every_client_hello_of_a_datagram_has_its_cookie_checked);
	WF_RUN(dtls_a_datagram_of_forged_records_costs_at_most_the_limit);
	return wf_test_done();
}
