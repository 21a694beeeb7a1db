/* e2e_whep.c: end-to-end test of WHEP with a real client (e2e_whep.h).
 *
 * Runs the real whepfan binary (<build>/whepfan, found from argv[0]) in a
 * private network namespace on a net_tap device, feeds it RTP from the
 * kernel side of the tap (198.18.0.2), and plays a browser against it:
 *   - HTTP over a plain socket to 127.0.0.1: POST an SDP offer (recvonly
 *     audio + video, BUNDLE, rtcp-mux, sha-256 fingerprint of our DTLS
 *     certificate) -> 201 with Location, ETag and an answer lib/sdp reads
 *     back (ice-lite, our host candidate, setup:passive, SSRCs, PTs);
 *     real browser offers; the refusals (401, 404, 400, 409, 413, 503);
 *   - ICE: STUN Binding requests from 198.18.0.2 (lib/stun) and the checked
 *     success responses;
 *   - DTLS client handshake (lib/dtls) on the same socket, keys exported,
 *     SRTP/SRTCP decrypted with libsrtp2: H.264 and Opus byte-identical to
 *     what the source sent, from a key frame, gap-free, with the SSRCs and
 *     payload types of the answer; SRs; a NACK is answered;
 *   - consent freshness kept with checks every second, and lost without
 *     them (RFC 7675); DELETE ends the session and its media;
 *   - nothing is ever sent to an address that has not passed a valid
 *     check: wrong MESSAGE-INTEGRITY and DTLS from strangers get no answer
 *     and are counted; a DTLS certificate that does not match the offer's
 *     fingerprint ends the session without media;
 *   - SIGTERM exits 0.
 * The browsers are tests/common/whep_client (one hub, a viewer per
 * browser); the source is tests/common/rtp_source.
 * Only 198.18.0.0/15 (RFC 2544 benchmarking) and loopback are used, inside
 * a namespace that vanishes with this process.  Every wait is bounded.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <srtp2/srtp.h>

#include "common/e2e.h"
#include "common/e2e_whep.h"
#include "common/rtp_source.h"
#include "common/whep_client.h"
#include "dtls/cert.h"
#include "dtls/dtls.h"
#include "wf_test.h"

#define HTTP_PORT	8889		/* on 127.0.0.1 of our own namespace */
#define LOCKED_PORT	5008		/* stream "locked": video only */
#define MAX_SESSIONS	3
#define MAX_BODY	16384
#define CONSENT_S	5		/* the smallest webrtc.consent_timeout_s */
#define SR_INTERVAL_MS	500
#define TOKEN		"s3cret"
#define MAX_SENT	8192		/* packets per track in one run */
#define N_CLIENTS	8
#define SLOW		WF_E2E_SLOW

#define CHECK_ERRLOG	WF_E2E_CHECK_ERRLOG

/* A client's failures seen on arrival, and SRTP before its keys. */
#define CHECK_CLIENT(c) do { \
	CHECK_ERRLOG(&(c)->err); \
	WF_CHECKF((c)->st.srtp_before_keys == 0, "%s: SRTP before the handshake completed " \
		  "(%u packets)", (c)->name, (c)->st.srtp_before_keys); \
} while (0)
#define now_us		wf_e2e_now_us
#define VIDEO		WF_WC_VIDEO

/* ---- the environment ------------------------------------------------------ */

static struct wf_e2e_proc wf = { .pid = 0 };

static struct {
	const char *lcores;		/* EAL --lcores */
	unsigned workers;		/* worker lcores it gives */
	bool netns;
	bool ready;			/* whepfan up, tap addressed */
	int src_sock[2];		/* video, audio source sockets */
	struct wf_rtp_src src;		/* RTP into whepfan */
	struct wf_wc_hub *hub;		/* the browsers */
	struct wf_dtls_cert *other_cert;	/* one the offers do not name */
	struct wf_dtls_ctx *other_ctx;
	struct wf_e2e_http_resp resp;	/* scratch */
} env = { .src_sock = { -1, -1 } };

static struct wf_wc *clients[N_CLIENTS];

static const char *trk_name(unsigned t)
{
	return env.src.trk[t].conf.name;
}

/* A browser on 198.18.0.2, port 40000 + its slot; media checked against
 * the source. */
static struct wf_wc *client_new(const char *name)
{
	unsigned i;

	for (i = 0; i < N_CLIENTS; i++) {
		struct wf_wc_opts o = { .name = name, .addr = WF_E2E_KERN_ADDR,
					.port = (uint16_t)(40000 + i),
					.media = WF_WC_MEDIA_VERIFY };

		if (clients[i])
			continue;
		clients[i] = wf_wc_create(env.hub, &o);
		return clients[i];
	}
	return NULL;
}

static void client_free(struct wf_wc *c)
{
	unsigned i;

	for (i = 0; i < N_CLIENTS; i++)
		if (c && clients[i] == c) {
			wf_wc_free(c);
			clients[i] = NULL;
		}
}

/* POSTs the client's offer to stream; on 201 the answer's faults are
 * failures of the running test.  The HTTP status, or < 0. */
static int client_post(struct wf_wc *c, const char *stream, const char *auth,
		       struct wf_e2e_http_resp *r)
{
	int rc = wf_wc_post(c, stream, auth, r);

	CHECK_ERRLOG(&c->answer_err);
	c->answer_err.n = 0;
	return rc;
}

static int http_req(const char *method, const char *path, const char *extra, const char *body,
		    size_t len, struct wf_e2e_http_resp *r)
{
	return wf_wc_http(env.hub, NULL, method, path, extra, body, len, r);
}

/* Runs the source and every client for ms. */
static void pump(unsigned ms)
{
	wf_wc_pump(env.hub, ms, NULL, NULL);
}

static void src_tick(void *arg)
{
	wf_rtp_src_tick(arg);
}

static bool ice_answered(void *arg)
{
	return ((struct wf_wc *)arg)->st.stun_ok > 0;
}

static bool dtls_settled(void *arg)
{
	struct wf_wc *c = arg;

	return c->dtls && wf_dtls_state(c->dtls) != WF_DTLS_HANDSHAKING;
}

static bool media_both(void *arg)
{
	return wf_wc_media_both(arg, 5);
}

/* ---- telemetry ----------------------------------------------------------- */

static long long stat_of(const char *section, const char *key)
{
	return wf_e2e_stat(&wf, "/whepfan/stats", section, key);
}

/* Polls stat (section, key) until it equals want, up to ms; the last value. */
static long long stat_wait(const char *section, const char *key, long long want, unsigned ms)
{
	uint64_t end = now_us() + (uint64_t)ms * 1000;
	long long v;

	for (;;) {
		v = stat_of(section, key);
		if (v == want || v < 0 || now_us() >= end)
			return v;
		pump(100);
	}
}

/* ---- the checks ---------------------------------------------------------- */

static struct wf_wc *main_c;	/* the viewer that stays until the end */
static struct wf_wc *nat_c;	/* the viewer that moved to a new address */

static void network_namespace_is_private_with_loopback_up(void)
{
	WF_REQUIRE(wf_e2e_enter_test_netns() == 0);
	env.netns = true;
}

static void whepfan_starts_with_two_streams_and_a_token(void)
{
	FILE *f;
	int rc;

	WF_REQUIRE(env.netns);
	WF_REQUIRE(wf_e2e_prepare(&wf, "wfwhep") == 0);
	f = fopen(wf.conf, "w");
	WF_REQUIRE(f != NULL);
	wf_e2e_conf_dpdk(f, &wf, &(struct wf_e2e_dpdk){ .lcores = env.lcores, .mbufs = 32767 });
	fprintf(f,
		"webrtc = { udp_port = %d; rtcp_sr_interval_ms = %d; consent_timeout_s = %d; };\n"
		"http = { listen = \"127.0.0.1:%d\"; max_sessions = %d; max_body = %d;\n"
		/* every browser's HTTP comes from 127.0.0.1: max_sessions is
		 * what this test reaches (503), not a per-address cap */
		"         cors_origin = \"\"; max_sessions_per_ip = 0; };\n"
		"streams = (\n"
		"  { name = \"cam\"; history_ms = 3000;\n"
		"    tracks = (\n"
		WF_E2E_AV_TRACKS "\n"
		"    ); },\n"
		"  { name = \"locked\"; token = \"" TOKEN "\"; history_ms = 1000;\n"
		"    tracks = (\n"
		"      { kind = \"video\"; port = %d; codec = \"H264\"; payload_type = %d;\n"
		"        fmtp = \"packetization-mode=1;profile-level-id=42e01f\"; }\n"
		"    ); }\n"
		");\n",
		WF_E2E_WEBRTC_PORT, SR_INTERVAL_MS, CONSENT_S, HTTP_PORT,
		MAX_SESSIONS,
		MAX_BODY, LOCKED_PORT,
		WF_E2E_SRC_VIDEO_PT);
	WF_REQUIRE(fclose(f) == 0);
	printf("  whepfan %s/whepfan, config %s, EAL prefix %s, tap %s\n", wf.build, wf.conf,
	       wf.prefix, wf.iface);
	rc = wf_e2e_spawn(&wf, WF_E2E_KERN_ADDR "/24", 15000 * SLOW);
	WF_REQUIRE(rc != -ENOENT || !"build <build>/whepfan first");
	WF_REQUIRE(rc == 0 || !"whepfan did not start (log below)");
	/* video also feeds the "locked" stream */
	WF_REQUIRE(wf_e2e_av_source(&env.src, env.src_sock,
				    &(struct wf_rtp_src_av){ .video_ports = { LOCKED_PORT } },
				    MAX_SENT) == 0);
	/* the browsers, with the certificate their offers name, and another */
	env.hub = wf_wc_hub_create(&(struct wf_wc_hub_conf){
		.http_addr = "127.0.0.1", .http_port = HTTP_PORT, .ice_addr = WF_E2E_WF_ADDR,
		.ice_port = WF_E2E_WEBRTC_PORT, .http_max_body = MAX_BODY, .video_pt = WF_E2E_OFFER_VIDEO_PT,
		.audio_pt = WF_E2E_OFFER_AUDIO_PT, .src = &env.src, .max_clients = N_CLIENTS,
		.tick = src_tick, .tick_arg = &env.src });
	env.other_cert = wf_dtls_cert_generate();
	WF_REQUIRE(env.hub && env.other_cert);
	env.other_ctx = wf_dtls_ctx_create(WF_DTLS_CLIENT, env.other_cert, NULL);
	WF_REQUIRE(env.other_ctx);
	env.ready = true;
}

static bool http_up(void)
{
	struct wf_e2e_http_resp r;

	return http_req("GET", "/", NULL, NULL, 0, &r) == 0 && r.status == 200;
}

static void offer_before_the_source_is_live_gets_409_with_retry_after(void)
{
	struct wf_wc *c;
	struct wf_e2e_http_resp r;
	uint64_t end = now_us() + 10000000ull * SLOW;

	WF_REQUIRE(env.ready);
	while (!http_up() && now_us() < end)
		usleep(50000);
	WF_REQUIRE(http_up() || !"HTTP does not answer");
	c = client_new("early");
	WF_REQUIRE(c != NULL);
	WF_CHECK_EQ(client_post(c, "cam", NULL, &r), 409);
	WF_CHECKF(atoi(r.retry_after) > 0, "Retry-After \"%s\"", r.retry_after);
	client_free(c);
	/* the source starts; the streams are live a few packets later */
	env.src.running = true;
	pump(300);
}

static void post_offer_is_answered_201_with_location_etag_and_sdp(void)
{
	struct wf_e2e_http_resp r;
	int st;

	WF_REQUIRE(env.ready && env.src.running);
	main_c = client_new("main");
	WF_REQUIRE(main_c != NULL);
	st = client_post(main_c, "cam", NULL, &r);
	if (st != 201)
		printf("  POST /cam/whep: %d %s\n", r.status, r.body);
	WF_REQUIRE(st == 201);
	printf("  session %s, server ufrag %s, SSRC video 0x%08x audio 0x%08x\n", main_c->id,
	       main_c->s_ufrag, main_c->trk[VIDEO].ssrc, main_c->trk[WF_WC_AUDIO].ssrc);
}

static void ice_check_gets_an_authenticated_success_with_our_address(void)
{
	struct wf_wc *c = main_c;

	WF_REQUIRE(c && c->trk[VIDEO].ssrc);
	wf_wc_send_check(c, true, c->s_pwd);
	wf_wc_pump(env.hub, 1000 * SLOW, ice_answered, c);
	CHECK_ERRLOG(&c->ice_err);
	WF_CHECK_EQ(c->st.stun_ok, 1);
	/* no SRTP yet: DTLS has not happened */
	WF_CHECK(!c->trk[0].have && !c->trk[1].have);
}

static void dtls_handshake_completes_and_media_decrypts_with_the_exported_keys(void)
{
	struct wf_wc *c = main_c;

	WF_REQUIRE(c && c->st.stun_ok);
	WF_REQUIRE(wf_wc_dtls_start(c, NULL) == 0);
	wf_wc_pump(env.hub, 5000 * SLOW, dtls_settled, c);
	WF_REQUIRE(wf_dtls_state(c->dtls) == WF_DTLS_CONNECTED ||
		   !printf("  DTLS: %s\n", wf_dtls_reason(c->dtls)));
	WF_REQUIRE(c->keyed);
	printf("  DTLS connected, %s\n", wf_srtp_suite(c->profile)->name);
	wf_wc_set_keepalive(c, true);
	wf_wc_pump(env.hub, 3000 * SLOW, media_both, c);
	WF_REQUIRE(media_both(c) || !"no media within 3 s of the handshake");
	WF_CHECKF(env.src.trk[0].s[c->trk[0].chk->first_tag].kf,
		  "first video packet %d is not a key frame", c->trk[0].chk->first_tag);
	WF_CHECK_EQ(stat_of(NULL, "viewers"), 1);
	WF_CHECK_EQ(stat_of(NULL, "sessions"), 1);
}

static void media_is_in_order_byte_identical_with_the_answers_ssrcs_and_pts(void)
{
	struct wf_wc *c = main_c;
	unsigned t;

	WF_REQUIRE(c && c->keyed);
	pump(1500);
	for (t = 0; t < 2; t++) {
		CHECK_ERRLOG(&c->trk[t].err);
		WF_CHECKF(c->trk[t].n_rtp >= (t ? 50u : 30u), "%s: %u packets in 1.5 s",
			  trk_name(t), c->trk[t].n_rtp);
	}
	CHECK_CLIENT(c);
	WF_CHECKF(c->trk[0].n_sr >= 2 && c->trk[1].n_sr >= 2, "SRs: video %u audio %u",
		  c->trk[0].n_sr, c->trk[1].n_sr);
}

/* Anyone who spoofs the viewer's address can send DTLS to whepfan: a
 * record that cannot authenticate (here an epoch-1 alert shorter than the
 * AEAD overhead, which OpenSSL 3.0.19 fails the connection on) is
 * discarded and counted; the viewer keeps receiving. */
static void spoofed_short_dtls_alert_from_the_viewers_address_changes_nothing(void)
{
	struct wf_wc *c = main_c;
	uint8_t pkt[35];
	unsigned before_rtp, i;
	long long discarded;

	WF_REQUIRE(c && c->keyed);
	discarded = stat_of("webrtc", "dtls_records_discarded");
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 21;			/* alert (RFC 5246 §6.2.1) */
	pkt[1] = 0xfe;			/* DTLS 1.2 */
	pkt[2] = 0xfd;
	pkt[4] = 1;			/* epoch 1 */
	pkt[10] = 45;
	pkt[12] = 22;			/* length: 22 < 8 + 16 */
	for (i = 13; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)wf_e2e_rnd();
	wf_wc_send_raw(c, pkt, sizeof(pkt));
	pump(300 * SLOW);
	before_rtp = c->trk[0].n_rtp;
	pump(1000 * SLOW);
	WF_CHECKF(c->trk[0].n_rtp >= before_rtp + 20, "video packets %u -> %u after the datagram",
		  before_rtp, c->trk[0].n_rtp);
	WF_CHECK_EQ(stat_of("webrtc", "dtls_records_discarded") - discarded, 1);
	WF_CHECK_EQ(stat_of("webrtc", "dtls_read_failures"), 0);
	WF_CHECK_EQ(stat_of(NULL, "viewers"), 1);
	WF_CHECK_EQ(stat_of(NULL, "sessions"), 1);
	WF_CHECK(wf_dtls_state(c->dtls) == WF_DTLS_CONNECTED);	/* no alert reached us */
	CHECK_ERRLOG(&c->trk[0].err);
}

/* RFC 4585 §6.2.1 generic NACK in SRTCP with the client's key. */
static void srtcp_nack_is_answered_with_the_same_packet(void)
{
	struct wf_wc *c = main_c;
	struct wf_rtp_check *rt;
	uint16_t seqs[2];
	int tags[2], k;

	WF_REQUIRE(c && c->keyed);
	rt = c->trk[VIDEO].chk;
	seqs[0] = (uint16_t)(rt->last_seq - 8);
	seqs[1] = (uint16_t)(seqs[0] + 1);
	tags[0] = rt->tag_of_seq[seqs[0]];
	tags[1] = rt->tag_of_seq[seqs[1]];
	WF_REQUIRE(tags[0] >= 0 && tags[1] >= 0);
	/* RR without blocks, NACK of seqs[0] with BLP 0x0001 (seqs[1]) */
	WF_REQUIRE(wf_wc_send_nack(c, VIDEO, seqs, 2) == 0);
	pump(600 * SLOW);
	for (k = 0; k < 2; k++)
		WF_CHECKF(rt->retx_of[tags[k]] == 1, "packet %d (seq %u) retransmitted %u times",
			  tags[k], seqs[k], rt->retx_of[tags[k]]);
	CHECK_ERRLOG(&c->trk[VIDEO].err);	/* the retransmissions matched the originals */
}

static bool answered_nothing(struct wf_wc *c, unsigned ms)
{
	unsigned before = c->st.dgrams;

	pump(ms);
	return c->st.dgrams == before;
}

static void check_with_wrong_integrity_from_another_port_gets_no_answer(void)
{
	struct wf_wc *x;
	long long before, after;
	unsigned v0;

	WF_REQUIRE(main_c && main_c->keyed);
	x = client_new("stranger");
	WF_REQUIRE(x != NULL);
	/* the main session's ufrags, a wrong password */
	snprintf(x->s_ufrag, sizeof(x->s_ufrag), "%s", main_c->s_ufrag);
	snprintf(x->ufrag, sizeof(x->ufrag), "%s", main_c->ufrag);
	before = stat_of("webrtc", "stun_rejected");
	wf_wc_send_check(x, true, "this-is-not-the-password");
	wf_wc_send_check(x, false, "this-is-not-the-password");
	v0 = main_c->trk[0].n_rtp;
	WF_CHECK(answered_nothing(x, 500 * SLOW));
	after = stat_of("webrtc", "stun_rejected");
	WF_CHECKF(after - before == 2, "stun_rejected %lld -> %lld, want +2", before, after);
	/* and the session's address did not move */
	WF_CHECKF(main_c->trk[0].n_rtp > v0 + 5, "main: %u video packets meanwhile",
		  main_c->trk[0].n_rtp - v0);
	client_free(x);
}

static void dtls_client_hello_from_an_address_without_ice_gets_no_answer(void)
{
	struct wf_wc *x;
	long long before, after;

	WF_REQUIRE(main_c && main_c->keyed);
	x = client_new("no-ice");
	WF_REQUIRE(x != NULL);
	before = stat_of("webrtc", "dtls_unverified");
	memcpy(x->s_fp, main_c->s_fp, sizeof(x->s_fp));
	WF_REQUIRE(wf_wc_dtls_start(x, NULL) == 0);
	WF_CHECK(answered_nothing(x, 1200 * SLOW));	/* a retransmission or two too */
	after = stat_of("webrtc", "dtls_unverified");
	WF_CHECKF(after - before >= 1, "dtls_unverified %lld -> %lld", before, after);
	WF_CHECK(wf_dtls_state(x->dtls) == WF_DTLS_HANDSHAKING);
	client_free(x);
}

static void certificate_not_matching_the_offers_fingerprint_ends_the_session(void)
{
	struct wf_wc *c;
	struct wf_e2e_http_resp r;
	long long before, after;
	enum wf_dtls_state st;

	WF_REQUIRE(main_c && main_c->keyed);
	c = client_new("bad-cert");
	WF_REQUIRE(c != NULL);
	WF_REQUIRE(client_post(c, "cam", NULL, &r) == 201);
	before = stat_of("webrtc", "dtls_failed");
	/* the offer named env.cert; the handshake uses another certificate */
	st = wf_wc_connect(c, env.other_ctx);
	WF_CHECKF(c->st.stun_ok >= 1, "ICE: %u answers", c->st.stun_ok);
	WF_CHECKF(st != WF_DTLS_CONNECTED, "DTLS %s", wf_dtls_state_name(st));
	pump(1000 * SLOW);
	WF_CHECK(!c->trk[0].have && !c->trk[1].have && !c->keyed);
	after = stat_of("webrtc", "dtls_failed");
	WF_CHECKF(after == before + 1, "dtls_failed %lld -> %lld", before, after);
	WF_CHECK_EQ(stat_wait(NULL, "sessions", 1, 1000 * SLOW), 1);
	WF_CHECK_EQ(http_req("DELETE", c->location, NULL, NULL, 0, &r), 0);
	WF_CHECK_EQ(r.status, 404);
	printf("  client saw DTLS %s (%s)\n", wf_dtls_state_name(st),
	       c->dtls ? wf_dtls_reason(c->dtls) : "");
	client_free(c);
}

static void session_without_consent_checks_stops_after_consent_timeout(void)
{
	struct wf_wc *c;
	struct wf_e2e_http_resp r;
	enum wf_dtls_state st;
	uint64_t t_check, end;
	double gap;

	WF_REQUIRE(main_c && main_c->keyed);
	c = client_new("no-consent");
	WF_REQUIRE(c != NULL);
	WF_REQUIRE(client_post(c, "cam", NULL, &r) == 201);
	st = wf_wc_connect(c, wf_wc_hub_dtls_ctx(env.hub));
	WF_REQUIRE(st == WF_DTLS_CONNECTED);
	t_check = c->st.last_check_us;	/* the last check it sends */
	wf_wc_pump(env.hub, 3000 * SLOW, media_both, c);
	WF_REQUIRE(media_both(c));
	WF_CHECK_EQ(stat_of(NULL, "viewers"), 2);
	/* no more checks: consent ends CONSENT_S after the last one */
	end = t_check + (CONSENT_S + 3) * 1000000ull * SLOW;
	while (now_us() < end && now_us() - c->st.last_media_us < 1500000)
		pump(100);
	gap = (double)(c->st.last_media_us - t_check) / 1e6;
	printf("  media stopped %.2f s after the last check (consent_timeout_s %d)\n", gap,
	       CONSENT_S);
	WF_CHECKF(gap >= CONSENT_S - 0.5 && gap <= CONSENT_S + 1.5 * SLOW,
		  "media stopped %.2f s after the last check", gap);
	WF_CHECK_EQ(stat_wait(NULL, "viewers", 1, 1000 * SLOW), 1);
	WF_CHECK_EQ(http_req("DELETE", c->location, NULL, NULL, 0, &r), 0);
	WF_CHECK_EQ(r.status, 404);
	CHECK_CLIENT(c);
	CHECK_ERRLOG(&c->trk[0].err);
	CHECK_ERRLOG(&c->trk[1].err);
	client_free(c);
}

static void consent_checks_every_second_keep_the_main_session_alive(void)
{
	struct wf_wc *c = main_c;
	unsigned v0;

	WF_REQUIRE(c && c->keyed);
	WF_CHECKF(now_us() - c->st.first_media_us > (CONSENT_S + 1) * 1000000ull,
		  "main has been live only %.1f s", (double)(now_us() - c->st.first_media_us) / 1e6);
	v0 = c->trk[0].n_rtp;
	pump(500);
	WF_CHECKF(c->trk[0].n_rtp > v0 + 5, "main: %u video packets in 500 ms",
		  c->trk[0].n_rtp - v0);
	WF_CHECKF(c->st.stun_ok + 1 >= c->st.stun_sent, "consent checks: %u sent, %u answered",
		  c->st.stun_sent, c->st.stun_ok);
	CHECK_ERRLOG(&c->ice_err);
}

static void chromium_offer_is_answered_and_firefox_without_h264_is_refused(void)
{
	static char sdp[65536];
	struct wf_e2e_http_resp r;
	char path[512];
	FILE *f;
	size_t n;

	WF_REQUIRE(env.ready && env.src.running);
	f = fopen("tests/vectors/sdp/chromium-156-recvonly-offer.sdp", "rb");
	WF_REQUIRE(f != NULL || !"run from the source tree (tests/vectors)");
	n = fread(sdp, 1, sizeof(sdp), f);
	fclose(f);
	WF_REQUIRE(wf_wc_http_post_offer(env.hub, NULL, "cam", NULL, sdp, n, &r) == 0);
	WF_CHECKF(r.status == 201, "Chromium offer: %d %s", r.status, r.body);
	WF_CHECK(strstr(r.body, "a=ice-lite") != NULL);
	WF_CHECK(strstr(r.body, "H264") != NULL && strstr(r.body, "opus") != NULL);
	snprintf(path, sizeof(path), "%s", r.location);
	if (r.status == 201) {
		WF_CHECK_EQ(http_req("DELETE", path, NULL, NULL, 0, &r), 0);
		WF_CHECK_EQ(r.status, 200);
	}
	f = fopen("tests/vectors/sdp/firefox-esr-153-recvonly-offer.sdp", "rb");
	WF_REQUIRE(f != NULL);
	n = fread(sdp, 1, sizeof(sdp), f);
	fclose(f);
	WF_REQUIRE(wf_wc_http_post_offer(env.hub, NULL, "cam", NULL, sdp, n, &r) == 0);
	WF_CHECK_EQ(r.status, 400);
	WF_CHECKF(strstr(r.body, "H264") != NULL, "reason: %s", r.body);
	printf("  Firefox: %d %s", r.status, r.body);
}

static void refusals_have_clear_statuses_and_reasons(void)
{
	static char big[MAX_BODY + 4096];
	struct wf_wc *c;
	struct wf_e2e_http_resp r;
	char offer[8192];
	size_t n;

	WF_REQUIRE(env.ready && env.src.running);
	c = client_new("refused");
	WF_REQUIRE(c != NULL);
	n = wf_wc_offer(c, offer, sizeof(offer));
	/* a stream with a token: none, a wrong one, the right one */
	WF_REQUIRE(wf_wc_http_post_offer(env.hub, NULL, "locked", NULL, offer, n, &r) == 0);
	WF_CHECK_EQ(r.status, 401);
	WF_CHECK(!strncmp(r.www_auth, "Bearer", 6));
	WF_REQUIRE(wf_wc_http_post_offer(env.hub, NULL, "locked", "wrong", offer, n, &r) == 0);
	WF_CHECK_EQ(r.status, 401);
	WF_REQUIRE(wf_wc_http_post_offer(env.hub, NULL, "locked", TOKEN, offer, n, &r) == 0);
	WF_CHECKF(r.status == 201, "locked with the token: %d %s", r.status, r.body);
	if (r.status == 201) {
		char loc[256];

		snprintf(loc, sizeof(loc), "%s", r.location);
		WF_CHECK(!strncmp(loc, "/locked/whep/", 13));
		/* the audio section is refused in place: the stream has none */
		WF_CHECK(strstr(r.body, "m=audio 0 ") != NULL);
		WF_CHECK_EQ(http_req("DELETE", loc, NULL, NULL, 0, &r), 0);
		WF_CHECK_EQ(r.status, 401);	/* DELETE needs the token too */
		WF_CHECK_EQ(http_req("DELETE", loc, "Authorization: Bearer " TOKEN "\r\n", NULL, 0,
				     &r), 0);
		WF_CHECK_EQ(r.status, 200);
	}
	/* unknown stream */
	WF_REQUIRE(wf_wc_http_post_offer(env.hub, NULL, "nosuch", NULL, offer, n, &r) == 0);
	WF_CHECK_EQ(r.status, 404);
	/* garbage */
	WF_REQUIRE(wf_wc_http_post_offer(env.hub, NULL, "cam", NULL, "hello, I am no SDP\r\n", 20,
					 &r) == 0);
	WF_CHECK_EQ(r.status, 400);
	WF_CHECKF(r.body_len > 5, "reason \"%s\"", r.body);
	printf("  garbage: %s", r.body);
	/* an offer without a fingerprint */
	{
		char *fp = strstr(offer, "a=fingerprint"), nofp[8192];
		size_t k = 0;
		const char *p;

		WF_REQUIRE(fp);
		for (p = offer; *p; ) {
			const char *e = strstr(p, "\r\n");
			size_t len = e ? (size_t)(e - p) + 2 : strlen(p);

			if (strncmp(p, "a=fingerprint", 13)) {
				memcpy(nofp + k, p, len);
				k += len;
			}
			p += len;
		}
		WF_REQUIRE(wf_wc_http_post_offer(env.hub, NULL, "cam", NULL, nofp, k, &r) == 0);
		WF_CHECK_EQ(r.status, 400);
		WF_CHECKF(strstr(r.body, "fingerprint") != NULL, "reason \"%s\"", r.body);
	}
	/* over http.max_body */
	memset(big, 'a', sizeof(big));
	memcpy(big, "v=0\r\n", 5);
	WF_REQUIRE(wf_wc_http_post_offer(env.hub, NULL, "cam", NULL, big, sizeof(big), &r) == 0);
	WF_CHECK_EQ(r.status, 413);
	/* the wrong Content-Type */
	WF_REQUIRE(http_req("POST", "/cam/whep", "Content-Type: text/plain\r\n", offer, n, &r) == 0);
	WF_CHECK_EQ(r.status, 415);
	WF_CHECK_EQ(stat_of(NULL, "sessions"), 0);
	client_free(c);
}

static void max_sessions_gives_503_with_retry_after_and_serving_goes_on(void)
{
	struct wf_wc *extra[MAX_SESSIONS];
	struct wf_e2e_http_resp r;
	unsigned i, k;

	WF_REQUIRE(main_c && main_c->keyed);
	for (k = 0; k + 1 < MAX_SESSIONS; k++) {
		extra[k] = client_new("extra");
		WF_REQUIRE(extra[k] != NULL);
		WF_CHECK_EQ(client_post(extra[k], "cam", NULL, &r), 201);
	}
	WF_CHECK_EQ(stat_of(NULL, "sessions"), MAX_SESSIONS);
	extra[k] = client_new("one-too-many");
	WF_REQUIRE(extra[k] != NULL);
	WF_CHECK_EQ(client_post(extra[k], "cam", NULL, &r), 503);
	WF_CHECKF(atoi(r.retry_after) > 0, "Retry-After \"%s\"", r.retry_after);
	for (i = 0; i + 1 < MAX_SESSIONS; i++) {
		WF_CHECK_EQ(http_req("DELETE", extra[i]->location, NULL, NULL, 0, &r), 0);
		WF_CHECK_EQ(r.status, 200);
		client_free(extra[i]);
	}
	/* room again: a new session is created and connects */
	WF_CHECK_EQ(client_post(extra[k], "cam", NULL, &r), 201);
	if (r.status == 201) {
		WF_CHECK(wf_wc_connect(extra[k], wf_wc_hub_dtls_ctx(env.hub)) == WF_DTLS_CONNECTED);
		wf_wc_pump(env.hub, 2000 * SLOW, media_both, extra[k]);
		WF_CHECK(media_both(extra[k]));
		WF_CHECK_EQ(http_req("DELETE", extra[k]->location, NULL, NULL, 0, &r), 0);
		WF_CHECK_EQ(r.status, 200);
		CHECK_CLIENT(extra[k]);
	}
	client_free(extra[k]);
	WF_CHECK_EQ(stat_wait(NULL, "sessions", 1, 1000 * SLOW), 1);
}

/* The worker whepfan placed session c's viewer on (telemetry), or -1. */
static long long worker_of(const struct wf_wc *c)
{
	static char js[8192];
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "/whepfan/session,%s", c->id);
	if (wf_e2e_telemetry(&wf, cmd, js, sizeof(js)) < 0)
		return -1;
	return wf_e2e_json_num(js, NULL, "worker");
}

/* /metrics' ingest-to-wire histogram of one worker (lcore): the buckets
 * rise, +Inf is the count; the count and the mean in seconds. */
static long long latency_metrics(const char *body, const char *lcore, double *mean_s)
{
	char pat[96];
	const char *p = body;
	long long last = 0, inf = -1, count = -1;
	double sum = -1;

	snprintf(pat, sizeof(pat), "whepfan_ingest_to_wire_seconds_bucket{lcore=\"%s\",le=\"", lcore);
	while ((p = strstr(p, pat)) != NULL) {
		const char *q = strstr(p, "} ");
		long long n;

		if (!q)
			return -1;
		n = atoll(q + 2);
		WF_CHECKF(n >= last, "lcore %s: a bucket below the one before it", lcore);
		last = n;
		if (!strncmp(p + strlen(pat), "+Inf", 4))
			inf = n;
		p = q;
	}
	snprintf(pat, sizeof(pat), "whepfan_ingest_to_wire_seconds_count{lcore=\"%s\"} ", lcore);
	if ((p = strstr(body, pat)) != NULL)
		count = atoll(p + strlen(pat));
	snprintf(pat, sizeof(pat), "whepfan_ingest_to_wire_seconds_sum{lcore=\"%s\"} ", lcore);
	if ((p = strstr(body, pat)) != NULL)
		sum = atof(p + strlen(pat));
	WF_CHECKF(inf == count, "lcore %s: +Inf %lld, count %lld", lcore, inf, count);
	*mean_s = count > 0 ? sum / (double)count : 0;
	return count;
}

/* Each worker that sent media reports its ingest-to-wire latency: in
 * /whepfan/lcores as quantiles in ns, in /metrics as a histogram. */
static void workers_report_their_ingest_to_wire_latency(void)
{
	static char js[16384];
	static struct wf_e2e_http_resp r;
	long long packets = 0;
	unsigned w;

	WF_REQUIRE(main_c && main_c->keyed);
	pump(300);
	WF_REQUIRE(wf_e2e_telemetry(&wf, "/whepfan/lcores", js, sizeof(js)) == 0);
	WF_REQUIRE(http_req("GET", "/metrics", NULL, NULL, 0, &r) == 0 && r.status == 200);
	for (w = 0; w < env.workers; w++) {
		char name[16], lcore[16];
		long long n, p50, p99, p999, max, m;
		double mean = 0;

		snprintf(name, sizeof(name), "worker%u", w % 100);
		n = wf_e2e_json_num(js, name, "packets");
		p50 = wf_e2e_json_num(js, name, "p50");
		p99 = wf_e2e_json_num(js, name, "p99");
		p999 = wf_e2e_json_num(js, name, "p999");
		max = wf_e2e_json_num(js, name, "max");
		snprintf(lcore, sizeof(lcore), "%lld", wf_e2e_json_num(js, name, "lcore"));
		m = latency_metrics(r.body, lcore, &mean);
		printf("  worker %u: %lld copies, p50 %lld ns, p99 %lld, p99.9 %lld, max %lld; "
		       "/metrics %lld, mean %.1f us\n", w, n, p50, p99, p999, max, m, mean * 1e6);
		WF_CHECK(n >= 0 && m >= 0);
		/* scraped after telemetry: never fewer */
		WF_CHECKF(m >= n, "worker %u: /metrics %lld < telemetry %lld", w, m, n);
		if (n <= 0)
			continue;
		packets += n;
		WF_CHECK(p50 > 0 && p50 <= p99 && p99 <= p999 && p999 <= max);
		WF_CHECKF(p99 < 1000000000, "worker %u: p99 %lld ns", w, p99);
		WF_CHECK(mean > 0 && mean < 1);
	}
	WF_CHECKF(packets >= 80, "%lld copies timed", packets);
}

/* Viewers each worker holds (telemetry /whepfan/lcores), summed. */
static long long viewers_on_workers(long long *per, unsigned n)
{
	static char js[16384];
	long long sum = 0;
	char name[16];
	unsigned w;

	if (wf_e2e_telemetry(&wf, "/whepfan/lcores", js, sizeof(js)) < 0)
		return -1;
	for (w = 0; w < n; w++) {
		snprintf(name, sizeof(name), "worker%u", w % 100);
		per[w] = wf_e2e_json_num(js, name, "viewers");
		sum += per[w];
	}
	return sum;
}

/* A live viewer: posted, connected, its media flowing. */
static struct wf_wc *live_viewer(const char *name)
{
	struct wf_wc *c = client_new(name);
	struct wf_e2e_http_resp r;

	if (!c || client_post(c, "cam", NULL, &r) != 201 ||
	    wf_wc_connect(c, wf_wc_hub_dtls_ctx(env.hub)) != WF_DTLS_CONNECTED) {
		client_free(c);
		return NULL;
	}
	wf_wc_set_keepalive(c, true);
	wf_wc_pump(env.hub, 3000 * SLOW, media_both, c);
	return c;
}

/* NAT rebinding (RFC 8445 §7.3.1.5 for a lite agent): the browser's
 * mapping changes; its next check with USE-CANDIDATE comes from the new
 * address; whepfan probes that address, the browser answers, and media,
 * DTLS and consent follow it. */
static void a_new_address_that_answers_our_probe_takes_the_session(void)
{
	struct wf_wc *c;
	uint16_t old_port;
	uint64_t t0;
	long long moves;

	WF_REQUIRE(stat_wait(NULL, "sessions", 1, 1000 * SLOW) == 1);	/* main */
	c = live_viewer("nat");
	WF_REQUIRE(c && media_both(c));
	moves = stat_of("webrtc", "ice_moves");
	old_port = c->port;
	WF_REQUIRE(wf_wc_rebind(c, WF_E2E_KERN_ADDR, 0) == 0);
	t0 = now_us();
	wf_wc_send_check(c, true, NULL);
	pump(1000 * SLOW);
	printf("  rebinding %s:%u -> :%u: %u probe(s) answered, media %.0f ms after the move\n",
	       WF_E2E_KERN_ADDR, old_port, c->port, c->st.probes,
	       c->st.last_media_us > t0 ? (double)(c->st.last_media_us - t0) / 1e3 : -1.0);
	WF_CHECK(c->st.probes >= 1);
	WF_CHECK_EQ(stat_of("webrtc", "ice_moves") - moves, 1);
	WF_CHECKF(c->st.last_media_us > t0 + 200000 && now_us() - c->st.last_media_us < 300000ull * SLOW,
		  "media did not follow the session to its new address");
	CHECK_CLIENT(c);
	nat_c = c;
}

/* Once moved, consent comes only from answers to whepfan's own Binding
 * requests (incoming checks prove only the password): the rebound viewer,
 * which answers them, keeps its media past consent_timeout_s. */
static void a_moved_session_keeps_consent_by_answering_our_checks(void)
{
	struct wf_wc *c = nat_c;
	long long sent = stat_of("webrtc", "consent_checks_sent");
	long long answers = stat_of("webrtc", "consent_answers");
	uint64_t t0 = now_us();

	WF_REQUIRE(c && c->keyed);
	pump((CONSENT_S + 2) * 1000 * SLOW);
	printf("  moved viewer after %d s: consent checks sent +%lld, answered +%lld, "
	       "last media %.0f ms ago\n", CONSENT_S + 2,
	       stat_of("webrtc", "consent_checks_sent") - sent,
	       stat_of("webrtc", "consent_answers") - answers,
	       (double)(now_us() - c->st.last_media_us) / 1e3);
	WF_CHECK(stat_of("webrtc", "consent_answers") - answers >= 1);
	WF_CHECKF(c->st.last_media_us > t0 && now_us() - c->st.last_media_us < 300000ull * SLOW,
		  "the moved session lost its media");
	CHECK_CLIENT(c);
}

/* Anyone can spoof a check from another address with the session's
 * credentials (they know none but their own; here the test lends them):
 * the probe goes unanswered and nothing moves. */
static void a_check_from_an_address_that_never_answers_moves_nothing(void)
{
	struct wf_wc *c = nat_c, *spoof;
	long long moves, probes;
	uint64_t t0;

	WF_REQUIRE(c && c->keyed);
	spoof = wf_wc_create(env.hub, &(struct wf_wc_opts){
		.name = "spoof", .addr = WF_E2E_KERN_ADDR, .ignore_probes = true,
		.media = WF_WC_MEDIA_COUNT });
	WF_REQUIRE(spoof != NULL);
	memcpy(spoof->ufrag, c->ufrag, sizeof(spoof->ufrag));
	memcpy(spoof->s_ufrag, c->s_ufrag, sizeof(spoof->s_ufrag));
	memcpy(spoof->s_pwd, c->s_pwd, sizeof(spoof->s_pwd));
	moves = stat_of("webrtc", "ice_moves");
	probes = stat_of("webrtc", "ice_probes");
	pump(600);	/* past the probe interval */
	t0 = now_us();
	wf_wc_send_check(spoof, true, NULL);
	pump(1500 * SLOW);
	WF_CHECK(spoof->st.probes_ignored >= 1);
	WF_CHECK_EQ(stat_of("webrtc", "ice_probes") - probes, 1);
	WF_CHECK_EQ(stat_of("webrtc", "ice_moves"), moves);
	/* what it got: the answer to its check (as large as the check) and
	 * the probe, no media */
	WF_CHECKF(spoof->st.dgrams <= spoof->st.probes_ignored + 1 && !spoof->st.first_media_us,
		  "the spoofed address got %u datagrams, %u of them probes", spoof->st.dgrams,
		  spoof->st.probes_ignored);
	WF_CHECKF(c->st.last_media_us > t0 + 1000000, "the session's media stopped");
	wf_wc_free(spoof);
	WF_CHECK_EQ(http_req("DELETE", c->location, NULL, NULL, 0, &env.resp), 0);
	client_free(c);
	nat_c = NULL;
}

/* Viewers of one stream on every worker, ended in each of the six orders
 * of three: after each end the others keep their media, and each worker's
 * count follows (a reply matched to the wrong worker, or a removal lost,
 * leaves one black or one behind). */
static void viewers_on_every_worker_end_in_every_order(void)
{
	static const unsigned orders[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};
	long long per[2], w;
	unsigned o, i, j, k, seen;

	WF_REQUIRE(stat_wait(NULL, "sessions", 0, 2000 * SLOW) == 0);
	for (o = 0; o < 6; o++) {
		struct wf_wc *v[3];
		bool gone[3] = { false, false, false };

		for (i = 0; i < 3; i++) {
			v[i] = live_viewer("order");
			WF_REQUIRE(v[i] && media_both(v[i]));
		}
		for (i = 0, seen = 0; i < 3; i++) {
			w = worker_of(v[i]);
			WF_CHECK(w >= 0 && w < (long long)env.workers);
			if (w >= 0 && w < 32)
				seen |= 1u << w;
		}
		WF_CHECKF(seen == (1u << env.workers) - 1, "viewers on workers 0x%x", seen);
		WF_CHECK_EQ(viewers_on_workers(per, env.workers), 3);
		for (i = 0; i < 3; i++) {
			uint64_t t_del;

			k = orders[o][i];
			WF_CHECK_EQ(http_req("DELETE", v[k]->location, NULL, NULL, 0, &env.resp), 0);
			WF_CHECK_EQ(env.resp.status, 200);
			gone[k] = true;
			wf_wc_set_keepalive(v[k], false);
			t_del = now_us();
			pump(700 * SLOW);
			for (j = 0; j < 3; j++)
				WF_CHECKF(gone[j] || v[j]->st.last_media_us > t_del + 300000,
					  "order %u%u%u: viewer %u went black when %u ended", orders[o][0],
					  orders[o][1], orders[o][2], j, k);
			WF_CHECK_EQ(stat_wait(NULL, "viewers", 2 - i, 1000 * SLOW), 2 - i);
			WF_CHECK_EQ(viewers_on_workers(per, env.workers), 2 - i);
		}
		for (i = 0; i < 3; i++) {
			CHECK_CLIENT(v[i]);
			client_free(v[i]);
		}
	}
	WF_CHECK_EQ(stat_of(NULL, "sessions"), 0);
	WF_CHECK_EQ(viewers_on_workers(per, env.workers), 0);
}

static void delete_ends_the_session_media_stops_and_a_second_delete_is_404(void)
{
	struct wf_wc *c = main_c;
	struct wf_e2e_http_resp r;
	uint64_t t_del;
	int last_sent, t;

	WF_REQUIRE(c && c->keyed);
	pump(300);
	t_del = now_us();
	WF_REQUIRE(http_req("DELETE", c->location, NULL, NULL, 0, &r) == 0);
	WF_CHECK_EQ(r.status, 200);
	wf_wc_set_keepalive(c, false);
	pump(1500 * SLOW);
	WF_CHECKF(c->st.last_media_us < t_del + 300000ull * SLOW,
		  "media still arrived %.0f ms after DELETE",
		  ((double)c->st.last_media_us - (double)t_del) / 1e3);
	WF_CHECKF(wf_dtls_state(c->dtls) == WF_DTLS_CLOSED, "client DTLS %s (close_notify?)",
		  wf_dtls_state_name(wf_dtls_state(c->dtls)));
	WF_CHECK_EQ(stat_wait(NULL, "viewers", 0, 1000 * SLOW), 0);
	WF_CHECK_EQ(stat_of(NULL, "sessions"), 0);
	WF_CHECK_EQ(http_req("DELETE", c->location, NULL, NULL, 0, &r), 0);
	WF_CHECK_EQ(r.status, 404);
	/* up to the DELETE every packet came, in order (checked on arrival) */
	for (t = 0; t < 2; t++) {
		last_sent = wf_rtp_src_last_before(&env.src, (unsigned)t, t_del - 100000);
		CHECK_ERRLOG(&c->trk[t].err);
		WF_CHECKF(c->trk[t].chk->last_tag >= last_sent,
			  "%s: last packet received %d, sent %d 100 ms before DELETE", trk_name(t),
			  c->trk[t].chk->last_tag, last_sent);
		printf("  main %s: %u packets (%u retransmitted), packets %d..%d, SSRC 0x%08x, %u SRs\n",
		       trk_name(t), c->trk[t].n_rtp, c->trk[t].n_retx, c->trk[t].chk->first_tag,
		       c->trk[t].chk->last_tag, c->trk[t].chk->ssrc, c->trk[t].n_sr);
	}
	CHECK_CLIENT(c);
	CHECK_ERRLOG(&c->ice_err);
}

static void sigterm_stops_whepfan_with_exit_status_0(void)
{
	WF_REQUIRE(wf.pid > 0);
	env.src.running = false;
	wf_e2e_check_sigterm(&wf, 10000 * SLOW);
}

int wf_e2e_whep_run(int argc, char **argv, const char *lcores, unsigned workers)
{
	uint64_t seed;
	int rc;

	wf_test_init(argc, argv);
	env.lcores = lcores;
	env.workers = workers;
	wf_e2e_find_build(&wf, argv[0]);
	seed = wf_e2e_seed_from_clock();
	printf("# end-to-end: WHEP through %s/whepfan, lcores %s, %u worker(s) (seed %llu)\n",
	       wf.build, lcores, workers, (unsigned long long)seed);
	wf_e2e_guard(&wf, 90 * SLOW);

	WF_RUN(network_namespace_is_private_with_loopback_up);
	WF_RUN(whepfan_starts_with_two_streams_and_a_token);
	WF_RUN(offer_before_the_source_is_live_gets_409_with_retry_after);
	WF_RUN(chromium_offer_is_answered_and_firefox_without_h264_is_refused);
	WF_RUN(refusals_have_clear_statuses_and_reasons);
	WF_RUN(post_offer_is_answered_201_with_location_etag_and_sdp);
	WF_RUN(ice_check_gets_an_authenticated_success_with_our_address);
	WF_RUN(dtls_handshake_completes_and_media_decrypts_with_the_exported_keys);
	WF_RUN(media_is_in_order_byte_identical_with_the_answers_ssrcs_and_pts);
	WF_RUN(workers_report_their_ingest_to_wire_latency);
	WF_RUN(spoofed_short_dtls_alert_from_the_viewers_address_changes_nothing);
	WF_RUN(srtcp_nack_is_answered_with_the_same_packet);
	WF_RUN(check_with_wrong_integrity_from_another_port_gets_no_answer);
	WF_RUN(dtls_client_hello_from_an_address_without_ice_gets_no_answer);
	WF_RUN(certificate_not_matching_the_offers_fingerprint_ends_the_session);
	WF_RUN(session_without_consent_checks_stops_after_consent_timeout);
	WF_RUN(consent_checks_every_second_keep_the_main_session_alive);
	WF_RUN(max_sessions_gives_503_with_retry_after_and_serving_goes_on);
	WF_RUN(a_new_address_that_answers_our_probe_takes_the_session);
	WF_RUN(a_moved_session_keeps_consent_by_answering_our_checks);
	WF_RUN(a_check_from_an_address_that_never_answers_moves_nothing);
	WF_RUN(delete_ends_the_session_media_stops_and_a_second_delete_is_404);
	WF_RUN(viewers_on_every_worker_end_in_every_order);
	WF_RUN(sigterm_stops_whepfan_with_exit_status_0);

	if (wf_test.failed)
		wf_e2e_print_log(&wf);
	wf_wc_hub_free(env.hub);	/* and the clients still on it */
	wf_dtls_ctx_free(env.other_ctx);
	wf_dtls_cert_free(env.other_cert);
	wf_e2e_av_source_free(&env.src, env.src_sock);
	rc = wf_test_done();
	wf_e2e_cleanup(&wf);
	return rc;
}
