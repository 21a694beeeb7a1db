/* test_dtls_hostile.c: the use_srtp parser, the datagram BIO, and hostile
 * or unexpected input at every stage of a session. */
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "dtls/dgram.h"
#include "dtls_testlib.h"

static struct t_pair tp;

static const uint16_t ours[] = { 0x0007, 0x0008, 0x0001, 0x0002 };

static void dtls_use_srtp_pick_takes_our_preference(void)
{
	/* RFC 5764 §4.1.1: length 6, CM_80, GCM_256, CM_32, empty MKI */
	static const uint8_t ext[] = { 0, 6, 0, 1, 0, 8, 0, 2, 0 };
	static const uint8_t unknown[] = { 0, 4, 0, 5, 0xff, 0xff, 0 };
	static const uint8_t mki[] = { 0, 2, 0, 7, 3, 'a', 'b', 'c' };

	WF_CHECK_EQ(wf_dtls_use_srtp_pick(ext, sizeof(ext), ours, 4), 0x0008);
	WF_CHECK_EQ(wf_dtls_use_srtp_pick(ext, sizeof(ext), ours + 2, 2), 0x0001);
	WF_CHECK_EQ(wf_dtls_use_srtp_pick(unknown, sizeof(unknown), ours, 4), 0);
	WF_CHECK_EQ(wf_dtls_use_srtp_pick(mki, sizeof(mki), ours, 4), 0x0007);
	WF_CHECK_EQ(wf_dtls_use_srtp_pick(ext, sizeof(ext), ours, 0), 0);
}

static void dtls_use_srtp_pick_refuses_truncated_and_hostile_bodies(void)
{
	static const uint8_t good[] = { 0, 4, 0, 7, 0, 1, 2, 'x', 'y' };
	static const uint8_t odd[] = { 0, 3, 0, 7, 0, 0 };
	static const uint8_t empty_list[] = { 0, 0, 0 };
	static const uint8_t past_end[] = { 0xff, 0xfe, 0, 7, 0 };
	static const uint8_t mki_past_end[] = { 0, 2, 0, 7, 9, 1 };
	static const uint8_t no_mki[] = { 0, 2, 0, 7 };
	uint8_t trailing[sizeof(good) + 1];
	size_t n;

	WF_CHECK_EQ(wf_dtls_use_srtp_pick(good, sizeof(good), ours, 4), 0x0007);
	for (n = 0; n < sizeof(good); n++)
		WF_CHECKF(wf_dtls_use_srtp_pick(good, n, ours, 4) == -EBADMSG, "length %zu", n);
	memcpy(trailing, good, sizeof(good));
	trailing[sizeof(good)] = 0;
	WF_CHECK_EQ(wf_dtls_use_srtp_pick(trailing, sizeof(trailing), ours, 4), -EBADMSG);
	WF_CHECK_EQ(wf_dtls_use_srtp_pick(odd, sizeof(odd), ours, 4), -EBADMSG);
	WF_CHECK_EQ(wf_dtls_use_srtp_pick(empty_list, sizeof(empty_list), ours, 4), -EBADMSG);
	WF_CHECK_EQ(wf_dtls_use_srtp_pick(past_end, sizeof(past_end), ours, 4), -EBADMSG);
	WF_CHECK_EQ(wf_dtls_use_srtp_pick(mki_past_end, sizeof(mki_past_end), ours, 4), -EBADMSG);
	WF_CHECK_EQ(wf_dtls_use_srtp_pick(no_mki, sizeof(no_mki), ours, 4), -EBADMSG);
	WF_CHECK_EQ(wf_dtls_use_srtp_pick(NULL, 5, ours, 4), -EBADMSG);
}

static void dtls_dgram_bio_keeps_datagram_boundaries_and_bounds(void)
{
	struct wf_dgram q;
	uint8_t in[100], out[64];
	char rd[32];
	BIO *b;
	int i;

	wf_dgram_init(&q, 1200, 3, 50);
	b = wf_dgram_bio_new(&q);
	WF_REQUIRE(b);
	memset(in, 0xab, sizeof(in));
	/* two writes stay two datagrams */
	WF_CHECK_EQ(BIO_write(b, "hello", 5), 5);
	WF_CHECK_EQ(BIO_write(b, "world!", 6), 6);
	WF_CHECK_EQ(q.count, 2);
	WF_CHECK_EQ(BIO_ctrl(b, BIO_CTRL_DGRAM_QUERY_MTU, 0, NULL), 1200);
	WF_CHECK_EQ(BIO_ctrl(b, BIO_CTRL_WPENDING, 0, NULL), 0);
	WF_CHECK_EQ(BIO_flush(b), 1);
	/* too long, then queue full: reported written, dropped and counted */
	WF_CHECK_EQ(BIO_write(b, in, 51), 51);
	WF_CHECK_EQ(BIO_write(b, in, 50), 50);
	WF_CHECK_EQ(BIO_write(b, in, 10), 10);
	WF_CHECK_EQ(q.count, 3);
	WF_CHECK_EQ(q.dropped, 2);
	WF_CHECK_EQ(wf_dgram_pop(&q, out, sizeof(out)), 5);
	WF_CHECK_MEM(out, "hello", 5);
	WF_CHECK_EQ(wf_dgram_pop(&q, out, 3), -EMSGSIZE);	/* too small: dropped */
	WF_CHECK_EQ(wf_dgram_pop(&q, out, sizeof(out)), 50);
	WF_CHECK_EQ(wf_dgram_pop(&q, out, sizeof(out)), 0);
	WF_CHECK_EQ(q.dropped, 3);

	/* read side: nothing -> would block; one datagram per read, cut to
	 * the reader's buffer */
	WF_CHECK_EQ(BIO_read(b, rd, sizeof(rd)), -1);
	WF_CHECK(BIO_should_retry(b) && BIO_should_read(b));
	for (i = 0; i < 40; i++)
		in[i] = (uint8_t)i;
	wf_dgram_set_input(&q, in, 40);
	WF_CHECK_EQ(BIO_ctrl_pending(b), 40);
	WF_CHECK_EQ(BIO_read(b, rd, sizeof(rd)), (int)sizeof(rd));
	WF_CHECK_MEM(rd, in, sizeof(rd));
	WF_CHECK_EQ(BIO_read(b, rd, sizeof(rd)), -1);
	BIO_free(b);
	wf_dgram_clear(&q);
}

/* Feeds d len-byte copies of noise; returns false if a call misbehaved. */
static bool feed_noise(struct wf_dtls *d, uint64_t *seed, unsigned count)
{
	uint8_t pkt[WF_DTLS_MAX_DATAGRAM];
	unsigned i;
	size_t j;

	for (i = 0; i < count; i++) {
		size_t len = 1 + t_rand(seed) % 1500;
		int rc;

		for (j = 0; j < len; j++)
			pkt[j] = (uint8_t)(t_rand(seed) >> 56);
		if (i % 2 && len >= 13) {
			/* a plausible DTLS 1.2 record header (RFC 6347 §4.1) */
			pkt[0] = (uint8_t)(20 + i % 4);
			pkt[1] = 0xfe;
			pkt[2] = 0xfd;
			pkt[3] = 0;
			pkt[4] = (uint8_t)(i % 3 == 0);
			/* length right, or pointing 40 bytes past the end */
			pkt[11] = (uint8_t)((len - 13 + (i % 3 == 2 ? 40 : 0)) >> 8);
			pkt[12] = (uint8_t)(len - 13 + (i % 3 == 2 ? 40 : 0));
		}
		rc = wf_dtls_input(d, pkt, len);
		if (rc != 0 && rc != -EPROTO && rc != -ESHUTDOWN)
			return false;
	}
	return true;
}

static void check_oversize(struct wf_dtls *d)
{
	static uint8_t big[65536];
	enum wf_dtls_state before = wf_dtls_state(d);
	struct wf_dtls_stats st;

	WF_CHECK_EQ(wf_dtls_input(d, big, WF_DTLS_MAX_DATAGRAM + 1), -EMSGSIZE);
	WF_CHECK_EQ(wf_dtls_input(d, big, sizeof(big)), -EMSGSIZE);
	WF_CHECK_EQ(wf_dtls_input(d, big, 0), -EINVAL);
	WF_CHECK_EQ(wf_dtls_input(d, NULL, 10), -EINVAL);
	WF_CHECK_EQ(wf_dtls_state(d), before);
	wf_dtls_get_stats(d, &st);
	WF_CHECK(st.oversize_in >= 2);
}

static void dtls_noise_before_the_client_hello_is_dropped(void)
{
	uint8_t rec[64];
	struct wf_dtls_stats st;
	uint64_t seed = 0x1234;
	int type;

	WF_REQUIRE(t_pair_init(&tp, NULL, NULL));
	check_oversize(tp.srv);
	WF_CHECK(feed_noise(tp.srv, &seed, 400));
	/* well-formed epoch-0 records of every type but a ClientHello */
	for (type = 20; type <= 23; type++) {
		memset(rec, 0, sizeof(rec));
		rec[0] = (uint8_t)type;
		rec[1] = 0xfe;
		rec[2] = 0xfd;
		rec[12] = sizeof(rec) - 13;
		rec[13] = 2;	/* ServerHello, for the handshake one */
		WF_CHECK_EQ(wf_dtls_input(tp.srv, rec, sizeof(rec)), 0);
	}
	/* the server stays quiet and waiting */
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_HANDSHAKING);
	WF_CHECK_EQ(wf_dtls_output_pending(tp.srv), 0);
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK_EQ(st.ignored_in, 404);
	WF_CHECK_EQ(st.datagrams_in, 0);
	WF_CHECK(t_handshake(&tp));
	t_pair_free(&tp);

	/* a ClientHello-shaped record with a broken body fails the session,
	 * with a reason (the peer passed ICE: it is broken, not a stranger) */
	WF_REQUIRE(t_pair_init(&tp, NULL, NULL));
	memset(rec, 0xff, sizeof(rec));
	memcpy(rec, "\x16\xfe\xfd\x00\x00\x00\x00\x00\x00\x00\x00\x00\x33\x01", 14);
	memset(rec + 19, 0, 3);
	WF_CHECK_EQ(wf_dtls_input(tp.srv, rec, sizeof(rec)), -EPROTO);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_FAILED);
	WF_CHECK(wf_dtls_reason(tp.srv)[0] != '\0');
	t_pair_free(&tp);
}

/* Feeds every truncation of the datagram (a cut record is dropped by DTLS,
 * RFC 6347 §4.1.2.7), then the datagram itself. */
static void feed_truncations(struct wf_dtls *to, const uint8_t *pkt, size_t len, bool whole)
{
	size_t n;

	for (n = 1; n < len; n++) {
		int rc = wf_dtls_input(to, pkt, n);

		WF_CHECKF(rc == 0, "truncation %zu of %zu: %d (%s)", n, len, rc,
			  wf_dtls_reason(to));
	}
	if (whole)
		wf_dtls_input(to, pkt, len);
}

static void dtls_truncated_handshake_datagrams_are_dropped(void)
{
	uint8_t pkt[WF_DTLS_MAX_DATAGRAM];
	int len;

	WF_REQUIRE(t_pair_init(&tp, NULL, NULL));
	/* a truncated ClientHello gets no answer at all */
	len = wf_dtls_next_output(tp.cli, pkt, sizeof(pkt));
	WF_REQUIRE(len > 13);
	feed_truncations(tp.srv, pkt, (size_t)len, false);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_HANDSHAKING);
	WF_CHECK_EQ(wf_dtls_output_pending(tp.srv), 0);
	wf_dtls_input(tp.srv, pkt, (size_t)len);
	/* then every datagram of the handshake, each way, arrives first in
	 * every truncated form and then whole */
	while (!t_ended(tp.srv) && !t_ended(tp.cli) &&
	       (wf_dtls_output_pending(tp.srv) || wf_dtls_output_pending(tp.cli))) {
		struct wf_dtls *from = wf_dtls_output_pending(tp.srv) ? tp.srv : tp.cli;

		len = wf_dtls_next_output(from, pkt, sizeof(pkt));
		WF_REQUIRE(len > 0);
		feed_truncations(from == tp.srv ? tp.cli : tp.srv, pkt, (size_t)len, true);
	}
	/* a cut after a whole record may deliver that record early; the whole
	 * copy completes the flight */
	WF_CHECKF(t_handshake(&tp), "%s / %s", wf_dtls_reason(tp.srv), wf_dtls_reason(tp.cli));
	t_pair_free(&tp);
}

static void dtls_noise_mid_handshake_never_crashes(void)
{
	uint64_t seed = 0x5eed;
	int round;

	for (round = 0; round < 4; round++) {
		WF_REQUIRE(t_pair_init(&tp, NULL, NULL));
		t_pump_one(&tp, tp.cli, tp.srv, &tp.to_srv, false);
		if (round >= 2)
			t_pump_one(&tp, tp.srv, tp.cli, &tp.to_cli, false);
		WF_CHECK(feed_noise(round % 2 ? tp.cli : tp.srv, &seed, 300));
		check_oversize(tp.srv);
		t_handshake(&tp);
		/* either the noise was dropped and the handshake finished, or
		 * it broke one side, which then says why */
		if (wf_dtls_state(tp.srv) != WF_DTLS_CONNECTED)
			WF_CHECK(wf_dtls_reason(tp.srv)[0] || wf_dtls_state(tp.srv) == WF_DTLS_HANDSHAKING);
		if (wf_dtls_state(tp.cli) == WF_DTLS_FAILED)
			WF_CHECK(wf_dtls_reason(tp.cli)[0] != '\0');
		t_pair_free(&tp);
	}
}

static void dtls_noise_and_replays_after_connect_leave_the_session_up(void)
{
	struct wf_dtls_keys before, after;
	uint64_t seed = 0xc0ffee;
	unsigned i;

	WF_REQUIRE(t_pair_init(&tp, NULL, NULL));
	WF_REQUIRE(t_handshake(&tp));
	WF_REQUIRE(wf_dtls_get_keys(tp.srv, &before) == 0);
	WF_CHECK(feed_noise(tp.srv, &seed, 500));
	check_oversize(tp.srv);
	/* replayed handshake datagrams (old epoch, old sequence numbers) */
	for (i = 0; i < tp.to_srv.n; i++)
		wf_dtls_input(tp.srv, tp.to_srv.pkt[i], tp.to_srv.len[i]);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CONNECTED);
	WF_CHECK_EQ(wf_dtls_get_keys(tp.srv, &after), 0);
	WF_CHECK_MEM(&before, &after, sizeof(before));
	/* the session still closes cleanly afterwards */
	t_pump(&tp);
	WF_CHECK_EQ(wf_dtls_close(tp.cli), 0);
	t_pump(&tp);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CLOSED);
	t_pair_free(&tp);
}

static void dtls_records_after_close_or_failure_are_ignored(void)
{
	uint64_t seed = 7;
	uint8_t wrong[WF_DTLS_FP_LEN] = { 0 };
	struct wf_dtls_stats st;
	unsigned i;

	WF_REQUIRE(t_pair_init(&tp, NULL, NULL));
	WF_REQUIRE(t_handshake(&tp));
	WF_CHECK_EQ(wf_dtls_close(tp.srv), 0);
	WF_CHECK(feed_noise(tp.srv, &seed, 50));
	for (i = 0; i < tp.to_srv.n; i++)
		WF_CHECK_EQ(wf_dtls_input(tp.srv, tp.to_srv.pkt[i], tp.to_srv.len[i]), -ESHUTDOWN);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CLOSED);
	wf_dtls_get_stats(tp.srv, &st);
	WF_CHECK(st.ignored_in >= 50);
	t_pair_free(&tp);

	/* a failed server ignores the rest of the handshake */
	WF_REQUIRE(t_pair_init(&tp, NULL, NULL));
	wf_dtls_free(tp.srv);
	tp.srv = wf_dtls_create(tp.sctx, wrong);
	WF_REQUIRE(tp.srv);
	t_handshake(&tp);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_FAILED);
	WF_CHECK(feed_noise(tp.srv, &seed, 50));
	WF_CHECK_EQ(wf_dtls_input(tp.srv, tp.to_srv.pkt[0], tp.to_srv.len[0]), -ESHUTDOWN);
	WF_CHECK_EQ(wf_dtls_close(tp.srv), -ESHUTDOWN);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_FAILED);
	t_pair_free(&tp);
}

/* A bare OpenSSL DTLS client on the datagram BIO: lets the tests do what
 * our client API never does (send application data, send no certificate). */
struct raw_client {
	SSL_CTX *ctx;
	SSL *ssl;
	struct wf_dgram q;
};

static bool raw_client_init(struct raw_client *rc, const struct wf_dtls_cert *cert)
{
	BIO *b;

	memset(rc, 0, sizeof(*rc));
	wf_dgram_init(&rc->q, 1200, 32, WF_DTLS_MAX_DATAGRAM);
	rc->ctx = SSL_CTX_new(DTLS_client_method());
	if (!rc->ctx)
		return false;
	SSL_CTX_set_tlsext_use_srtp(rc->ctx, "SRTP_AEAD_AES_128_GCM");
	SSL_CTX_set_options(rc->ctx, SSL_OP_NO_QUERY_MTU);
	SSL_CTX_set_verify(rc->ctx, SSL_VERIFY_NONE, NULL);
	if (cert && (SSL_CTX_use_certificate(rc->ctx, wf_dtls_cert_x509(cert)) != 1 ||
		     SSL_CTX_use_PrivateKey(rc->ctx, wf_dtls_cert_pkey(cert)) != 1))
		return false;
	rc->ssl = SSL_new(rc->ctx);
	b = rc->ssl ? wf_dgram_bio_new(&rc->q) : NULL;
	if (!b)
		return false;
	SSL_set_bio(rc->ssl, b, b);
	SSL_set_mtu(rc->ssl, 1200);
	SSL_set_connect_state(rc->ssl);
	return true;
}

static void raw_client_free(struct raw_client *rc)
{
	SSL_free(rc->ssl);
	SSL_CTX_free(rc->ctx);
	wf_dgram_clear(&rc->q);
	ERR_clear_error();
}

/* Runs the raw client against srv until neither side has anything to say;
 * returns SSL_do_handshake's last result. */
static int raw_handshake(struct raw_client *rc, struct wf_dtls *srv)
{
	uint8_t pkt[WF_DTLS_MAX_DATAGRAM];
	int round, n, hs = 0;

	for (round = 0; round < 16; round++) {
		bool moved = false;

		hs = SSL_do_handshake(rc->ssl);
		while ((n = wf_dgram_pop(&rc->q, pkt, sizeof(pkt))) > 0) {
			wf_dtls_input(srv, pkt, (size_t)n);
			moved = true;
		}
		while ((n = wf_dtls_next_output(srv, pkt, sizeof(pkt))) > 0) {
			wf_dgram_set_input(&rc->q, pkt, (size_t)n);
			hs = SSL_do_handshake(rc->ssl);
			wf_dgram_clear_input(&rc->q);
			moved = true;
		}
		if (!moved)
			break;
	}
	return hs;
}

static void dtls_application_data_from_the_peer_is_discarded(void)
{
	struct wf_dtls_cert *sc = wf_dtls_cert_generate(), *cc = wf_dtls_cert_generate();
	struct wf_dtls_ctx *ctx = sc ? wf_dtls_ctx_create(WF_DTLS_SERVER, sc, NULL) : NULL;
	struct wf_dtls_stats st;
	struct raw_client rc;
	struct wf_dtls *srv;
	uint8_t fp[WF_DTLS_FP_LEN], pkt[WF_DTLS_MAX_DATAGRAM];
	char msg[300];
	int n, i;

	WF_REQUIRE(ctx && cc);
	wf_dtls_cert_fingerprint_raw(cc, fp);
	srv = wf_dtls_create(ctx, fp);
	WF_REQUIRE(srv);
	WF_REQUIRE(raw_client_init(&rc, cc));
	WF_CHECK_EQ(raw_handshake(&rc, srv), 1);
	WF_CHECK_EQ(wf_dtls_state(srv), WF_DTLS_CONNECTED);
	memset(msg, 'm', sizeof(msg));
	for (i = 0; i < 3; i++)
		WF_CHECK_EQ(SSL_write(rc.ssl, msg, sizeof(msg)), (int)sizeof(msg));
	while ((n = wf_dgram_pop(&rc.q, pkt, sizeof(pkt))) > 0)
		WF_CHECK_EQ(wf_dtls_input(srv, pkt, (size_t)n), 0);
	wf_dtls_get_stats(srv, &st);
	WF_CHECK_EQ(st.app_bytes_discarded, 3 * sizeof(msg));
	WF_CHECK_EQ(wf_dtls_state(srv), WF_DTLS_CONNECTED);
	WF_CHECK_EQ(wf_dtls_output_pending(srv), 0);
	/* a tampered application record is dropped silently (RFC 6347
	 * §4.1.2.7) and the session stays up */
	WF_CHECK_EQ(SSL_write(rc.ssl, msg, 10), 10);
	n = wf_dgram_pop(&rc.q, pkt, sizeof(pkt));
	WF_REQUIRE(n > 20);
	pkt[n - 1] ^= 1;
	WF_CHECK_EQ(wf_dtls_input(srv, pkt, (size_t)n), 0);
	wf_dtls_get_stats(srv, &st);
	WF_CHECK_EQ(st.app_bytes_discarded, 3 * sizeof(msg));
	WF_CHECK_EQ(wf_dtls_state(srv), WF_DTLS_CONNECTED);
	raw_client_free(&rc);
	wf_dtls_free(srv);
	wf_dtls_ctx_free(ctx);
	wf_dtls_cert_free(sc);
	wf_dtls_cert_free(cc);
}

static void dtls_server_requires_a_client_certificate(void)
{
	struct wf_dtls_cert *sc = wf_dtls_cert_generate();
	struct wf_dtls_ctx *ctx = sc ? wf_dtls_ctx_create(WF_DTLS_SERVER, sc, NULL) : NULL;
	struct raw_client rc;
	struct wf_dtls *srv;
	uint8_t fp[WF_DTLS_FP_LEN] = { 1 };

	WF_REQUIRE(ctx);
	srv = wf_dtls_create(ctx, fp);
	WF_REQUIRE(srv);
	WF_REQUIRE(raw_client_init(&rc, NULL));
	WF_CHECK(raw_handshake(&rc, srv) != 1);
	WF_CHECK_EQ(wf_dtls_state(srv), WF_DTLS_FAILED);
	WF_CHECKF(strstr(wf_dtls_reason(srv), "certificate") != NULL, "reason: %s",
		  wf_dtls_reason(srv));
	raw_client_free(&rc);
	wf_dtls_free(srv);
	wf_dtls_ctx_free(ctx);
	wf_dtls_cert_free(sc);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(dtls_use_srtp_pick_takes_our_preference);
	WF_RUN(dtls_use_srtp_pick_refuses_truncated_and_hostile_bodies);
	WF_RUN(dtls_dgram_bio_keeps_datagram_boundaries_and_bounds);
	WF_RUN(dtls_noise_before_the_client_hello_is_dropped);
	WF_RUN(dtls_truncated_handshake_datagrams_are_dropped);
	WF_RUN(dtls_noise_mid_handshake_never_crashes);
	WF_RUN(dtls_noise_and_replays_after_connect_leave_the_session_up);
	WF_RUN(dtls_records_after_close_or_failure_are_ignored);
	WF_RUN(dtls_application_data_from_the_peer_is_discarded);
	WF_RUN(dtls_server_requires_a_client_certificate);
	return wf_test_done();
}
