/* test_dtls_handshake.c: DTLS-SRTP handshakes between our server and our
 * client, in memory: profiles, exported keys against libsrtp2, fingerprint
 * checks, loss and retransmission, close_notify. */
#include <srtp2/srtp.h>

#include "dtls_testlib.h"
#include "srtp/srtp.h"

static struct t_pair tp;

static const enum wf_srtp_profile all_profiles[] = {
	WF_SRTP_AES128_CM_SHA1_80, WF_SRTP_AES128_CM_SHA1_32,
	WF_SRTP_AEAD_AES_128_GCM, WF_SRTP_AEAD_AES_256_GCM,
};

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void dtls_handshake_completes_for_each_srtp_profile(void)
{
	unsigned i;

	for (i = 0; i < 4; i++) {
		enum wf_srtp_profile p = all_profiles[i];
		const struct wf_srtp_suite *s = wf_srtp_suite(p);
		struct wf_dtls_ctx_opts co = { .profiles = &p, .nprofiles = 1 };
		struct wf_dtls_keys sk, ck;

		WF_REQUIRE(s);
		WF_REQUIRE(t_pair_init(&tp, NULL, &co));
		WF_CHECKF(t_handshake(&tp), "%s: server %s (%s), client %s (%s)", s->name,
			  wf_dtls_state_name(wf_dtls_state(tp.srv)), wf_dtls_reason(tp.srv),
			  wf_dtls_state_name(wf_dtls_state(tp.cli)), wf_dtls_reason(tp.cli));
		WF_CHECK_EQ(wf_dtls_get_keys(tp.srv, &sk), 0);
		WF_CHECK_EQ(wf_dtls_get_keys(tp.cli, &ck), 0);
		WF_CHECK_EQ(sk.profile, p);
		WF_CHECK_EQ(ck.profile, p);
		WF_CHECK_EQ(sk.key_len, s->master_key_len);
		WF_CHECK_EQ(sk.salt_len, s->master_salt_len);
		WF_CHECK_EQ(ck.key_len, s->master_key_len);
		WF_CHECK_EQ(ck.salt_len, s->master_salt_len);
		/* mirrored: what one side sends with, the other receives with */
		WF_CHECK_MEM(ck.local_key, sk.remote_key, s->master_key_len);
		WF_CHECK_MEM(ck.local_salt, sk.remote_salt, s->master_salt_len);
		WF_CHECK_MEM(ck.remote_key, sk.local_key, s->master_key_len);
		WF_CHECK_MEM(ck.remote_salt, sk.local_salt, s->master_salt_len);
		WF_CHECK(memcmp(sk.local_key, sk.remote_key, s->master_key_len) != 0);
		WF_CHECK(!all_zero(sk.local_key, s->master_key_len));
		WF_CHECK(!all_zero(sk.remote_salt, s->master_salt_len));
		WF_CHECK_EQ(wf_dtls_reason(tp.srv)[0], '\0');
		t_pair_free(&tp);
	}
}

static void dtls_server_picks_its_own_preference_among_offered_profiles(void)
{
	static const enum wf_srtp_profile offer[] = {
		WF_SRTP_AES128_CM_SHA1_80, WF_SRTP_AEAD_AES_256_GCM,
	};
	struct wf_dtls_ctx_opts co = { .profiles = offer, .nprofiles = 2 };
	struct wf_dtls_keys k;

	/* the browser's default offer: everything -> AEAD_AES_128_GCM */
	WF_REQUIRE(t_pair_init(&tp, NULL, NULL));
	WF_CHECK(t_handshake(&tp));
	WF_CHECK_EQ(wf_dtls_get_keys(tp.srv, &k), 0);
	WF_CHECK_EQ(k.profile, WF_SRTP_AEAD_AES_128_GCM);
	t_pair_free(&tp);

	/* client prefers CM_80, the server's order puts GCM-256 first */
	WF_REQUIRE(t_pair_init(&tp, NULL, &co));
	WF_CHECK(t_handshake(&tp));
	WF_CHECK_EQ(wf_dtls_get_keys(tp.cli, &k), 0);
	WF_CHECK_EQ(k.profile, WF_SRTP_AEAD_AES_256_GCM);
	t_pair_free(&tp);
}

static void dtls_every_datagram_is_whole_records_within_the_mtu(void)
{
	static const uint16_t mtus[] = { 256, 300, 576, 1200 };
	unsigned i, j;

	for (i = 0; i < sizeof(mtus) / sizeof(mtus[0]); i++) {
		struct wf_dtls_ctx_opts o = { .mtu = mtus[i] };

		WF_REQUIRE(t_pair_init(&tp, &o, &o));
		WF_CHECKF(t_handshake(&tp), "mtu %u: %s / %s", mtus[i],
			  wf_dtls_reason(tp.srv), wf_dtls_reason(tp.cli));
		WF_CHECKF(tp.max_len <= mtus[i], "mtu %u: datagram of %u", mtus[i], tp.max_len);
		for (j = 0; j < tp.to_srv.n; j++)
			WF_CHECK(t_whole_records(tp.to_srv.pkt[j], tp.to_srv.len[j]));
		for (j = 0; j < tp.to_cli.n; j++)
			WF_CHECK(t_whole_records(tp.to_cli.pkt[j], tp.to_cli.len[j]));
		/* a small MTU splits the flights into more datagrams */
		if (mtus[i] == 256)
			WF_CHECK(tp.to_cli.n >= 3);
		t_pair_free(&tp);
	}
}

/* libsrtp2 session for one direction with master key || salt. */
static srtp_t oracle(enum wf_srtp_profile p, const uint8_t *key, const uint8_t *salt,
		     size_t kl, size_t sl, bool inbound)
{
	srtp_policy_t pol;
	uint8_t ks[WF_SRTP_MAX_MASTER_LEN];
	srtp_t s = NULL;

	memset(&pol, 0, sizeof(pol));
	switch (p) {
	case WF_SRTP_AES128_CM_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		break;
	case WF_SRTP_AES128_CM_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
		break;
	case WF_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		break;
	default:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol.rtp);
		break;
	}
	/* RFC 5764 §4.1.2: SRTCP keeps the 80-bit tag with _32 */
	if (p == WF_SRTP_AES128_CM_SHA1_32)
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	else
		pol.rtcp = pol.rtp;
	memcpy(ks, key, kl);
	memcpy(ks + kl, salt, sl);
	pol.key = ks;
	pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	pol.window_size = 128;
	if (srtp_create(&s, &pol) != srtp_err_status_ok)
		return NULL;
	return s;
}

static size_t rtp_packet(uint8_t *p, uint16_t seq, size_t payload)
{
	size_t i;

	p[0] = 0x80;
	p[1] = 96;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	memcpy(p + 4, "\x00\x01\x02\x03\xca\xfe\xba\xbe", 8);	/* ts, ssrc */
	for (i = 0; i < payload; i++)
		p[12 + i] = (uint8_t)(i * 7 + seq);
	return 12 + payload;
}

static void dtls_exported_keys_interoperate_with_libsrtp2(void)
{
	struct wf_srtp_engine *e = wf_srtp_engine_create(NULL);
	unsigned i;

	WF_REQUIRE(e);
	WF_REQUIRE(srtp_init() == srtp_err_status_ok);
	for (i = 0; i < 4; i++) {
		enum wf_srtp_profile p = all_profiles[i];
		struct wf_dtls_ctx_opts co = { .profiles = &p, .nprofiles = 1 };
		struct wf_srtp_keys tx, rx;
		struct wf_srtp_replay rp = { 0 };
		struct wf_dtls_keys sk, ck;
		uint8_t pkt[1500], want[1500];
		size_t len, out_len = 0;
		int n;
		srtp_t cli_in = NULL, cli_out = NULL;

		WF_REQUIRE(t_pair_init(&tp, NULL, &co));
		WF_REQUIRE(t_handshake(&tp));
		WF_REQUIRE(wf_dtls_get_keys(tp.srv, &sk) == 0 && wf_dtls_get_keys(tp.cli, &ck) == 0);

		/* server -> viewer: lib/srtp protects, libsrtp2 unprotects with
		 * the client's view of the keys */
		WF_CHECK_EQ(wf_srtp_keys_derive(e, &tx, p, WF_SRTP_KIND_RTP, sk.local_key, sk.key_len,
						sk.local_salt, sk.salt_len), 0);
		cli_in = oracle(p, ck.remote_key, ck.remote_salt, ck.key_len, ck.salt_len, true);
		WF_CHECK(cli_in != NULL);
		len = rtp_packet(pkt, 4242, 200);
		memcpy(want, pkt, len);
		WF_CHECK_EQ(wf_srtp_protect(e, &tx, 0, pkt, len, sizeof(pkt), &out_len), 0);
		n = (int)out_len;
		if (cli_in)
			WF_CHECKF(srtp_unprotect(cli_in, pkt, &n) == srtp_err_status_ok,
				  "profile %d: libsrtp2 refused our packet", (int)p);
		WF_CHECK_EQ(n, (int)len);
		WF_CHECK_MEM(pkt, want, len);

		/* viewer -> server: libsrtp2 protects with the client's local
		 * keys, lib/srtp unprotects with the server's remote keys */
		WF_CHECK_EQ(wf_srtp_keys_derive(e, &rx, p, WF_SRTP_KIND_RTP, sk.remote_key, sk.key_len,
						sk.remote_salt, sk.salt_len), 0);
		cli_out = oracle(p, ck.local_key, ck.local_salt, ck.key_len, ck.salt_len, false);
		WF_CHECK(cli_out != NULL);
		len = rtp_packet(pkt, 7, 333);
		memcpy(want, pkt, len);
		n = (int)len;
		if (cli_out)
			WF_CHECK(srtp_protect(cli_out, pkt, &n) == srtp_err_status_ok);
		WF_CHECK_EQ(wf_srtp_unprotect(e, &rx, &rp, pkt, (size_t)n, &out_len, NULL), 0);
		WF_CHECK_EQ(out_len, len);
		WF_CHECK_MEM(pkt, want, len);

		/* the two directions really use different keys */
		len = rtp_packet(pkt, 8, 100);
		WF_CHECK_EQ(wf_srtp_protect(e, &tx, 0, pkt, len, sizeof(pkt), &out_len), 0);
		WF_CHECK(wf_srtp_unprotect(e, &rx, &rp, pkt, out_len, &out_len, NULL) ==
			 -WF_SRTP_E_AUTH_FAIL);

		if (cli_in)
			srtp_dealloc(cli_in);
		if (cli_out)
			srtp_dealloc(cli_out);
		wf_srtp_keys_wipe(&tx);
		wf_srtp_keys_wipe(&rx);
		t_pair_free(&tp);
	}
	srtp_shutdown();
	wf_srtp_engine_free(e);
}

static void dtls_server_fails_on_client_fingerprint_mismatch_and_client_sees_alert(void)
{
	struct wf_dtls_keys k;
	uint8_t wrong[WF_DTLS_FP_LEN];

	WF_REQUIRE(t_pair_init(&tp, NULL, NULL));
	memcpy(wrong, tp.cfp, sizeof(wrong));
	wrong[31] ^= 0x01;
	wf_dtls_free(tp.srv);
	tp.srv = wf_dtls_create(tp.sctx, wrong);
	WF_REQUIRE(tp.srv);
	WF_CHECK(!t_handshake(&tp));
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_FAILED);
	WF_CHECKF(strstr(wf_dtls_reason(tp.srv), "fingerprint") != NULL, "reason: %s",
		  wf_dtls_reason(tp.srv));
	WF_CHECK_EQ(wf_dtls_state(tp.cli), WF_DTLS_FAILED);
	WF_CHECKF(strstr(wf_dtls_reason(tp.cli), "bad certificate") != NULL, "reason: %s",
		  wf_dtls_reason(tp.cli));
	WF_CHECK_EQ(wf_dtls_get_keys(tp.srv, &k), -ENOTCONN);
	WF_CHECK_EQ(wf_dtls_get_keys(tp.cli, &k), -ENOTCONN);
	t_pair_free(&tp);
}

static void dtls_client_fails_on_server_fingerprint_mismatch(void)
{
	uint8_t wrong[WF_DTLS_FP_LEN];

	WF_REQUIRE(t_pair_init(&tp, NULL, NULL));
	memcpy(wrong, tp.sfp, sizeof(wrong));
	wrong[0] ^= 0x80;
	wf_dtls_free(tp.cli);
	tp.cli = wf_dtls_create_client(tp.cctx, wrong);
	WF_REQUIRE(tp.cli);
	WF_CHECK(!t_handshake(&tp));
	WF_CHECK_EQ(wf_dtls_state(tp.cli), WF_DTLS_FAILED);
	WF_CHECKF(strstr(wf_dtls_reason(tp.cli), "fingerprint") != NULL, "reason: %s",
		  wf_dtls_reason(tp.cli));
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_FAILED);
	WF_CHECKF(strstr(wf_dtls_reason(tp.srv), "bad certificate") != NULL, "reason: %s",
		  wf_dtls_reason(tp.srv));
	t_pair_free(&tp);
}

static void dtls_client_without_use_srtp_is_refused_with_an_alert(void)
{
	struct wf_dtls_ctx_opts co = { .no_srtp = true };

	WF_REQUIRE(t_pair_init(&tp, NULL, &co));
	WF_CHECK(!t_handshake(&tp));
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_FAILED);
	WF_CHECKF(strstr(wf_dtls_reason(tp.srv), "use_srtp") != NULL, "reason: %s",
		  wf_dtls_reason(tp.srv));
	WF_CHECK_EQ(wf_dtls_state(tp.cli), WF_DTLS_FAILED);
	WF_CHECKF(strstr(wf_dtls_reason(tp.cli), "handshake failure") != NULL, "reason: %s",
		  wf_dtls_reason(tp.cli));
	t_pair_free(&tp);
}

static void dtls_no_common_srtp_profile_is_refused(void)
{
	enum wf_srtp_profile sp = WF_SRTP_AEAD_AES_128_GCM, cp = WF_SRTP_AES128_CM_SHA1_80;
	struct wf_dtls_ctx_opts so = { .profiles = &sp, .nprofiles = 1 };
	struct wf_dtls_ctx_opts co = { .profiles = &cp, .nprofiles = 1 };

	WF_REQUIRE(t_pair_init(&tp, &so, &co));
	WF_CHECK(!t_handshake(&tp));
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_FAILED);
	WF_CHECKF(strstr(wf_dtls_reason(tp.srv), "in common") != NULL, "reason: %s",
		  wf_dtls_reason(tp.srv));
	WF_CHECK_EQ(wf_dtls_state(tp.cli), WF_DTLS_FAILED);
	t_pair_free(&tp);
}

static const struct wf_dtls_ctx_opts fast_rtx = {
	.retransmit_initial_ms = 20, .retransmit_max_ms = 40,
};

static void dtls_lost_client_hello_is_retransmitted_on_timer(void)
{
	struct wf_dtls_stats st;
	int64_t ms;

	WF_REQUIRE(t_pair_init(&tp, &fast_rtx, &fast_rtx));
	WF_CHECK_EQ(wf_dtls_timeout_ms(tp.srv), -1);	/* nothing sent yet */
	ms = wf_dtls_timeout_ms(tp.cli);
	WF_CHECKF(ms >= 0 && ms <= 20, "client timer %lld ms", (long long)ms);
	WF_CHECK_EQ(t_pump_one(&tp, tp.cli, tp.srv, &tp.to_srv, true), 1);	/* lost */
	WF_CHECK_EQ(wf_dtls_on_timer(tp.cli), 0);	/* early: nothing to do */
	WF_CHECK(t_fire_timer(tp.cli));
	WF_CHECK_EQ(wf_dtls_output_pending(tp.cli), 1);
	WF_CHECK(t_handshake(&tp));
	wf_dtls_get_stats(tp.cli, &st);
	WF_CHECK(st.retransmit_timeouts >= 1);
	t_pair_free(&tp);
}

static void dtls_lost_server_flight_is_retransmitted_on_timer(void)
{
	unsigned lost;

	WF_REQUIRE(t_pair_init(&tp, &fast_rtx, &fast_rtx));
	t_pump_one(&tp, tp.cli, tp.srv, &tp.to_srv, false);
	lost = t_pump_one(&tp, tp.srv, tp.cli, &tp.to_cli, true);
	WF_CHECK(lost >= 1);
	WF_CHECK(wf_dtls_timeout_ms(tp.srv) >= 0);
	WF_CHECK(t_fire_timer(tp.srv));
	/* OpenSSL resends each message of the flight in its own datagram */
	WF_CHECK(wf_dtls_output_pending(tp.srv) >= lost);
	WF_CHECK(t_handshake(&tp));
	t_pair_free(&tp);
}

static void dtls_lost_server_finished_is_resent_when_client_retransmits(void)
{
	struct wf_dtls_keys sk, ck;

	WF_REQUIRE(t_pair_init(&tp, &fast_rtx, &fast_rtx));
	t_pump_one(&tp, tp.cli, tp.srv, &tp.to_srv, false);	/* ClientHello */
	t_pump_one(&tp, tp.srv, tp.cli, &tp.to_cli, false);	/* ServerHello..Done */
	t_pump_one(&tp, tp.cli, tp.srv, &tp.to_srv, false);	/* Cert..Finished */
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CONNECTED);
	WF_CHECK(t_pump_one(&tp, tp.srv, tp.cli, &tp.to_cli, true) >= 1);	/* lost */
	WF_CHECK_EQ(wf_dtls_state(tp.cli), WF_DTLS_HANDSHAKING);
	/* the client's timer resends its flight; the connected server answers
	 * with its last flight again (RFC 6347 §4.2.4) */
	WF_CHECK(t_fire_timer(tp.cli));
	WF_CHECK(t_handshake(&tp));
	WF_CHECK_EQ(wf_dtls_get_keys(tp.srv, &sk), 0);
	WF_CHECK_EQ(wf_dtls_get_keys(tp.cli, &ck), 0);
	WF_CHECK_MEM(ck.remote_key, sk.local_key, sk.key_len);
	t_pair_free(&tp);
}

static void dtls_handshake_gives_up_after_repeated_silence(void)
{
	struct wf_dtls_ctx_opts o = { .retransmit_initial_ms = 20, .retransmit_max_ms = 20 };
	int i;

	WF_REQUIRE(t_pair_init(&tp, &o, &o));
	for (i = 0; i < 100 && !t_ended(tp.cli); i++) {
		t_pump_one(&tp, tp.cli, tp.srv, &tp.to_srv, true);	/* all lost */
		WF_REQUIRE(t_fire_timer(tp.cli));
	}
	WF_CHECK_EQ(wf_dtls_state(tp.cli), WF_DTLS_FAILED);
	WF_CHECKF(strstr(wf_dtls_reason(tp.cli), "timed out") != NULL, "reason: %s",
		  wf_dtls_reason(tp.cli));
	WF_CHECK(i > 2);
	WF_CHECK_EQ(wf_dtls_timeout_ms(tp.cli), -1);
	WF_CHECK_EQ(wf_dtls_on_timer(tp.cli), -ESHUTDOWN);
	t_pair_free(&tp);
}

static void dtls_close_notify_from_server_closes_client(void)
{
	struct wf_dtls_keys k;
	uint8_t buf[WF_DTLS_MAX_DATAGRAM];
	int n;

	WF_REQUIRE(t_pair_init(&tp, NULL, NULL));
	WF_REQUIRE(t_handshake(&tp));
	WF_CHECK_EQ(wf_dtls_close(tp.srv), 0);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CLOSED);
	WF_CHECK_EQ(wf_dtls_close(tp.srv), -ESHUTDOWN);
	n = wf_dtls_next_output(tp.srv, buf, sizeof(buf));
	WF_REQUIRE(n > 0);
	WF_CHECK_EQ(buf[0], 21);	/* an alert record */
	WF_CHECK_EQ(wf_dtls_input(tp.cli, buf, (size_t)n), 0);
	WF_CHECK_EQ(wf_dtls_state(tp.cli), WF_DTLS_CLOSED);
	WF_CHECKF(strstr(wf_dtls_reason(tp.cli), "close_notify") != NULL, "reason: %s",
		  wf_dtls_reason(tp.cli));
	/* the client answers with its own close_notify, which the closed
	 * server ignores */
	n = wf_dtls_next_output(tp.cli, buf, sizeof(buf));
	WF_CHECK(n > 0);
	if (n > 0)
		WF_CHECK_EQ(wf_dtls_input(tp.srv, buf, (size_t)n), -ESHUTDOWN);
	/* keys of a session that ran stay readable for the teardown */
	WF_CHECK_EQ(wf_dtls_get_keys(tp.cli, &k), 0);
	t_pair_free(&tp);
}

static void dtls_close_notify_from_client_closes_server(void)
{
	WF_REQUIRE(t_pair_init(&tp, NULL, NULL));
	WF_REQUIRE(t_handshake(&tp));
	WF_CHECK_EQ(wf_dtls_close(tp.cli), 0);
	t_pump(&tp);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CLOSED);
	WF_CHECKF(strstr(wf_dtls_reason(tp.srv), "close_notify") != NULL, "reason: %s",
		  wf_dtls_reason(tp.srv));
	WF_CHECK_EQ(wf_dtls_state(tp.cli), WF_DTLS_CLOSED);
	WF_CHECK_EQ(wf_dtls_timeout_ms(tp.srv), -1);
	t_pair_free(&tp);
}

static void dtls_close_during_handshake_ends_quietly(void)
{
	WF_REQUIRE(t_pair_init(&tp, NULL, NULL));
	t_pump_one(&tp, tp.cli, tp.srv, &tp.to_srv, false);
	WF_CHECK_EQ(wf_dtls_close(tp.srv), 0);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CLOSED);
	WF_CHECK_EQ(wf_dtls_on_timer(tp.srv), -ESHUTDOWN);
	t_pump(&tp);
	WF_CHECK_EQ(wf_dtls_state(tp.srv), WF_DTLS_CLOSED);
	t_pair_free(&tp);
}

static void dtls_sessions_share_one_ctx(void)
{
	struct wf_dtls *more[8];
	struct wf_dtls_keys a, b;
	unsigned i;

	WF_REQUIRE(t_pair_init(&tp, NULL, NULL));
	for (i = 0; i < 8; i++)
		more[i] = wf_dtls_create(tp.sctx, tp.cfp);
	WF_CHECK(t_handshake(&tp));
	WF_CHECK_EQ(wf_dtls_get_keys(tp.srv, &a), 0);
	/* a second handshake on the same contexts yields fresh keys */
	wf_dtls_free(tp.srv);
	wf_dtls_free(tp.cli);
	tp.srv = wf_dtls_create(tp.sctx, tp.cfp);
	tp.cli = wf_dtls_create_client(tp.cctx, tp.sfp);
	WF_REQUIRE(tp.srv && tp.cli);
	WF_CHECK(t_handshake(&tp));
	WF_CHECK_EQ(wf_dtls_get_keys(tp.srv, &b), 0);
	WF_CHECK(memcmp(a.local_key, b.local_key, a.key_len) != 0);
	for (i = 0; i < 8; i++) {
		WF_CHECK(more[i] != NULL);
		WF_CHECK_EQ(wf_dtls_state(more[i]), WF_DTLS_HANDSHAKING);
		WF_CHECK_EQ(wf_dtls_output_pending(more[i]), 0);
		wf_dtls_free(more[i]);
	}
	t_pair_free(&tp);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(dtls_handshake_completes_for_each_srtp_profile);
	WF_RUN(dtls_server_picks_its_own_preference_among_offered_profiles);
	WF_RUN(dtls_every_datagram_is_whole_records_within_the_mtu);
	WF_RUN(dtls_exported_keys_interoperate_with_libsrtp2);
	WF_RUN(dtls_server_fails_on_client_fingerprint_mismatch_and_client_sees_alert);
	WF_RUN(dtls_client_fails_on_server_fingerprint_mismatch);
	WF_RUN(dtls_client_without_use_srtp_is_refused_with_an_alert);
	WF_RUN(dtls_no_common_srtp_profile_is_refused);
	WF_RUN(dtls_lost_client_hello_is_retransmitted_on_timer);
	WF_RUN(dtls_lost_server_flight_is_retransmitted_on_timer);
	WF_RUN(dtls_lost_server_finished_is_resent_when_client_retransmits);
	WF_RUN(dtls_handshake_gives_up_after_repeated_silence);
	WF_RUN(dtls_close_notify_from_server_closes_client);
	WF_RUN(dtls_close_notify_from_client_closes_server);
	WF_RUN(dtls_close_during_handshake_ends_quietly);
	WF_RUN(dtls_sessions_share_one_ctx);
	return wf_test_done();
}
