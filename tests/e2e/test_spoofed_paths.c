/* test_spoofed_paths.c: no viewer can make whepfan send its media or DTLS
 * flights to an address that never asked for them, or take another
 * viewer's address (docs/architecture.md, "What a check may move").
 *
 * The attacker is a WHEP client like any other: it POSTs an offer, so it
 * knows its own session's ICE credentials, and it can send UDP with any
 * source address (wf_e2e_spoof_udp, a raw socket).  "X" is an address that
 * never asked for anything: a socket that only counts what reaches it.
 *   1. hijack before selection: ICE and the cookie exchange from its own
 *      address A, then a check with USE-CANDIDATE and its last flight
 *      from X: nothing reaches X (no media, no DTLS); once live at A,
 *      more spoofed checks from X move nothing either;
 *   2. cookie replay: the cookie of A, echoed in a ClientHello from X
 *      after a spoofed check from X: no flight reaches X;
 *   3. a spoofed check from a real viewer's address, between its ICE and
 *      its DTLS: the viewer's handshake and media are unaffected (and a
 *      live viewer's address cannot be taken either);
 *   4. NAT rebinding: a viewer that moves to a new address still moves,
 *      although an attacker's session learned that address before and
 *      another probes it at the same moment;
 *   5. a live viewer keeps its media throughout;
 *   6. an honest client with two candidates, whose checks move its
 *      session's peer A -> B -> A before its ClientHello, connects;
 *   7. a third party X that answered one probe (the attacker copied its
 *      ICE credentials) is not kept receiving media by checks spoofed
 *      from X: after a move, consent needs answers to our own checks;
 *   8. the viewers' next hop takes a new MAC: a live viewer's next check
 *      moves its media there (the same address: no probe).
 * Figures are printed ("datagrams at X: ...").  Only 198.18.0.0/15 and
 * loopback are used, inside a namespace that vanishes with this process.
 */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/e2e.h"
#include "common/rtp_source.h"
#include "common/whep_client.h"
#include "dtls/dtls.h"
#include "wf_test.h"

#define HTTP_PORT	8889
#define MAX_SESSIONS	16
#define MAX_SENT	16384
#define SLOW		WF_E2E_SLOW
#define N_SINKS		4
#define N_ATT		7

#define now_us		wf_e2e_now_us

/* An address that never asked for anything: what reaches it, by kind
 * (RFC 7983: first byte 0-3 STUN, 20-63 DTLS, 128-191 RTP/RTCP). */
struct sink {
	int fd;
	uint16_t port;
	unsigned stun, dtls, media, other;
};

/* An attacker: a WHEP session of its own (offer from a hub whose
 * certificate is not the viewers'), driven by hand from address A. */
struct att {
	const char *name;
	struct wf_wc *wc;	/* for the POST and the session's credentials */
	int fd;			/* A */
	uint16_t port;
	struct wf_dtls *dtls;	/* its DTLS client, fed from A */
	unsigned stun_in, dtls_in, media_in;
	/* the datagrams att_flush() sent last, to send again */
	unsigned n_last;
	size_t last_len[8];
	uint8_t last[8][WF_DTLS_MAX_DATAGRAM];
};

static struct wf_e2e_proc wf = { .pid = 0 };

static struct {
	bool netns, ready;
	int src_sock[2];
	struct wf_rtp_src src;
	struct wf_wc_hub *hub;		/* the viewers */
	struct wf_wc_hub *ahub;		/* the attackers' offers: another certificate */
	struct sink x[N_SINKS];
	struct att a[N_ATT];
	struct wf_wc *victim;		/* live from the start to the end */
	uint64_t victim_t0;
	unsigned victim_rtp0;
} env = { .src_sock = { -1, -1 } };

/* ---- plumbing ------------------------------------------------------------- */

static void src_tick(void *arg)
{
	wf_rtp_src_tick(arg);
}

static void sink_count(struct sink *k, const uint8_t *p, ssize_t n)
{
	if (n <= 0)
		return;
	if (p[0] <= 3)
		k->stun++;
	else if (p[0] >= 20 && p[0] <= 63)
		k->dtls++;
	else if (p[0] >= 128 && p[0] <= 191)
		k->media++;
	else
		k->other++;
}

/* What reached the attackers' own addresses: DTLS goes to their clients
 * (their output stays queued: the test sends it, from A or elsewhere). */
static void drain(void)
{
	uint8_t buf[2048];
	unsigned i;
	ssize_t n;

	for (i = 0; i < N_SINKS; i++)
		while (env.x[i].fd >= 0 &&
		       (n = recv(env.x[i].fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			sink_count(&env.x[i], buf, n);
	for (i = 0; i < N_ATT; i++) {
		struct att *a = &env.a[i];

		while (a->fd >= 0 && (n = recv(a->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			if (buf[0] <= 3) {
				a->stun_in++;
			} else if (buf[0] >= 20 && buf[0] <= 63) {
				a->dtls_in++;
				if (a->dtls)
					wf_dtls_input(a->dtls, buf, (size_t)n);
			} else {
				a->media_in++;
			}
		}
	}
}

/* Runs the source, the viewers and the counting sockets for ms. */
static void run(unsigned ms)
{
	uint64_t end = now_us() + (uint64_t)ms * 1000;

	do {
		wf_wc_pump(env.hub, 20, NULL, NULL);
		drain();
	} while (now_us() < end);
}

static long long stat_of(const char *section, const char *key)
{
	return wf_e2e_stat(&wf, "/whepfan/stats", section, key);
}

static const char *sink_text(const struct sink *k)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%u (STUN %u, DTLS %u, media %u, other %u)",
		 k->stun + k->dtls + k->media + k->other, k->stun, k->dtls, k->media, k->other);
	return buf;
}

static struct sink *sink_new(unsigned i, uint16_t port)
{
	struct sink *k = &env.x[i];

	k->port = port;
	k->fd = wf_e2e_udp_socket(WF_E2E_KERN_ADDR, port);
	return k->fd >= 0 ? k : NULL;
}

/* ---- the attacker ----------------------------------------------------------- */

static struct att *att_new(unsigned i, const char *name, uint16_t port)
{
	struct att *a = &env.a[i];
	struct wf_wc_opts o = { .name = name, .addr = WF_E2E_KERN_ADDR, .media = WF_WC_MEDIA_COUNT };

	a->name = name;
	a->port = port;
	a->wc = wf_wc_create(env.ahub, &o);
	a->fd = wf_e2e_udp_socket(WF_E2E_KERN_ADDR, port);
	if (!a->wc || a->fd < 0 || wf_wc_post(a->wc, "cam", NULL, NULL) != 201)
		return NULL;
	return a;
}

/* Sends p[n] to whepfan's WebRTC port from A (from_port 0) or, spoofed,
 * from WF_E2E_KERN_ADDR:from_port. */
static int att_send(struct att *a, uint16_t from_port, const void *p, size_t n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(WF_E2E_WEBRTC_PORT) };

	if (from_port)
		return wf_e2e_spoof_udp(WF_E2E_KERN_ADDR, from_port, WF_E2E_WF_ADDR, WF_E2E_WEBRTC_PORT, p, n);
	inet_pton(AF_INET, WF_E2E_WF_ADDR, &to.sin_addr);
	return sendto(a->fd, p, n, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)n ? 0 : -errno;
}

/* A valid check of the attacker's own session, from A or spoofed. */
static int att_check(struct att *a, uint16_t from_port, bool use_candidate)
{
	uint8_t pkt[512];
	int n = wf_wc_build_check(a->wc, use_candidate, NULL, pkt, sizeof(pkt));

	return n < 0 ? n : att_send(a, from_port, pkt, (size_t)n);
}

/* Sends every datagram its DTLS client has queued, from A or spoofed,
 * and keeps them (a->last); how many. */
static unsigned att_flush(struct att *a, uint16_t from_port)
{
	unsigned k = 0;
	int n;

	while (k < 8 && (n = wf_dtls_next_output(a->dtls, a->last[k], WF_DTLS_MAX_DATAGRAM)) > 0) {
		a->last_len[k] = (size_t)n;
		att_send(a, from_port, a->last[k], (size_t)n);
		k++;
	}
	a->n_last = k;
	return k;
}

/* Sends the datagrams of the last att_flush() again, from A or spoofed. */
static void att_resend(struct att *a, uint16_t from_port)
{
	unsigned k;

	for (k = 0; k < a->n_last; k++)
		att_send(a, from_port, a->last[k], a->last_len[k]);
}

/* Runs until the attacker's DTLS client has output queued (up to ms). */
static bool att_wait_output(struct att *a, unsigned ms)
{
	uint64_t end = now_us() + (uint64_t)ms * 1000;

	while (wf_dtls_output_pending(a->dtls) == 0 && now_us() < end)
		run(20);
	return wf_dtls_output_pending(a->dtls) > 0;
}

/* ICE from A (USE-CANDIDATE as asked), then the cookie exchange from A:
 * the ClientHello with A's cookie is left queued in its client. */
static bool att_until_cookie(struct att *a, bool use_candidate)
{
	unsigned stun = a->stun_in;
	uint64_t end;

	att_check(a, 0, use_candidate);
	/* the answer to the check, within a second (an ASan build on a busy
	 * machine once took over the 200 ms this waited) */
	end = now_us() + 1000ull * 1000 * SLOW;
	while (a->stun_in == stun && now_us() < end)
		run(20);
	if (a->stun_in == stun)
		return false;
	a->dtls = wf_dtls_create_client(wf_wc_hub_dtls_ctx(env.ahub), a->wc->s_fp);
	if (!a->dtls)
		return false;
	att_flush(a, 0);	/* ClientHello, no cookie */
	return att_wait_output(a, 1000 * SLOW);	/* ... echoing the cookie */
}

/* ---- viewers ---------------------------------------------------------------- */

static bool media_both(void *arg)
{
	return wf_wc_media_both(arg, 5);
}

static bool ice_answered(void *arg)
{
	return ((struct wf_wc *)arg)->st.stun_ok > 0;
}

static bool dtls_done(void *arg)
{
	struct wf_wc *c = arg;

	return c->dtls && wf_dtls_state(c->dtls) != WF_DTLS_HANDSHAKING;
}

static struct wf_wc *viewer_new(const char *name, uint16_t port)
{
	struct wf_wc_opts o = { .name = name, .addr = WF_E2E_KERN_ADDR, .port = port,
				.media = WF_WC_MEDIA_DECRYPT };
	struct wf_wc *c = wf_wc_create(env.hub, &o);

	if (c && wf_wc_post(c, "cam", NULL, NULL) != 201) {
		wf_wc_free(c);
		return NULL;
	}
	return c;
}

/* The viewer's peer port as whepfan's telemetry shows it, or -1. */
static long long peer_port_of(const struct wf_wc *c)
{
	static char js[8192];
	char cmd[96], peer[64];
	const char *colon;

	snprintf(cmd, sizeof(cmd), "/whepfan/session,%s", c->id);
	if (wf_e2e_telemetry(&wf, cmd, js, sizeof(js)) < 0 ||
	    wf_e2e_json_str(js, "peer", peer, sizeof(peer)) < 0 || !(colon = strrchr(peer, ':')))
		return -1;
	return atoll(colon + 1);
}

/* Video packets of c within ms of now (running everything). */
static unsigned media_within(struct wf_wc *c, unsigned ms)
{
	unsigned before = c->trk[WF_WC_VIDEO].n_rtp;

	run(ms);
	return c->trk[WF_WC_VIDEO].n_rtp - before;
}

/* ---- the checks ---------------------------------------------------------------- */

static void network_namespace_is_private_with_loopback_up(void)
{
	WF_REQUIRE(wf_e2e_enter_test_netns() == 0);
	env.netns = true;
	/* the spoofing helper sends only within 198.18.0.0/15 */
	WF_CHECK_EQ(wf_e2e_spoof_udp(WF_E2E_KERN_ADDR, 1000, "192.0.2.1", 53, "x", 1), -EPERM);
	WF_CHECK_EQ(wf_e2e_spoof_udp("192.0.2.1", 1000, WF_E2E_WF_ADDR, 53, "x", 1), -EPERM);
	WF_CHECK_EQ(wf_e2e_spoof_udp(WF_E2E_KERN_ADDR, 1000, "198.20.0.1", 53, "x", 1), -EPERM);
	WF_CHECK_EQ(wf_e2e_spoof_udp(WF_E2E_KERN_ADDR, 1000, "not an address", 53, "x", 1), -EINVAL);
}

static void whepfan_starts_and_a_victim_viewer_gets_media(void)
{
	uint64_t end;
	FILE *f;
	int rc;

	WF_REQUIRE(env.netns);
	WF_REQUIRE(wf_e2e_prepare(&wf, "wfspoof") == 0);
	f = fopen(wf.conf, "w");
	WF_REQUIRE(f != NULL);
	wf_e2e_conf_dpdk(f, &wf, &(struct wf_e2e_dpdk){ .lcores = "0-1", .mbufs = 16383 });
	fprintf(f,
		"webrtc = { udp_port = %d; consent_timeout_s = 10; };\n"
		"http = { listen = \"127.0.0.1:%d\"; max_sessions = %d; max_pending_per_ip = %d;\n"
		"         post_burst_per_ip = 64; cors_origin = \"\"; };\n"
		"streams = (\n"
		"  { name = \"cam\"; history_ms = 2000;\n"
		"    tracks = (\n"
		WF_E2E_AV_TRACKS "\n"
		"    ); }\n"
		");\n",
		WF_E2E_WEBRTC_PORT, HTTP_PORT, MAX_SESSIONS, MAX_SESSIONS);
	WF_REQUIRE(fclose(f) == 0);
	rc = wf_e2e_spawn(&wf, WF_E2E_KERN_ADDR "/24", 15000 * SLOW);
	WF_REQUIRE(rc != -ENOENT || !"build <build>/whepfan first");
	WF_REQUIRE(rc == 0 || !"whepfan did not start (log below)");
	WF_REQUIRE(wf_e2e_av_source(&env.src, env.src_sock, NULL, MAX_SENT) == 0);
	env.hub = wf_wc_hub_create(&(struct wf_wc_hub_conf){
		.http_addr = "127.0.0.1", .http_port = HTTP_PORT, .ice_addr = WF_E2E_WF_ADDR,
		.ice_port = WF_E2E_WEBRTC_PORT, .video_pt = 102, .audio_pt = 109, .src = &env.src,
		.max_clients = 16, .tick = src_tick, .tick_arg = &env.src });
	env.ahub = wf_wc_hub_create(&(struct wf_wc_hub_conf){
		.http_addr = "127.0.0.1", .http_port = HTTP_PORT, .ice_addr = WF_E2E_WF_ADDR,
		.ice_port = WF_E2E_WEBRTC_PORT, .video_pt = 102, .audio_pt = 109, .max_clients = 16 });
	WF_REQUIRE(env.hub && env.ahub);
	env.src.running = true;
	/* HTTP up and the stream live (409 until its first packets) */
	for (end = now_us() + 10000000ull * SLOW; !env.victim && now_us() < end; ) {
		run(200);
		env.victim = viewer_new("victim", 40001);
	}
	WF_REQUIRE(env.victim != NULL);
	env.ready = true;
	WF_REQUIRE(wf_wc_connect(env.victim, NULL) == WF_DTLS_CONNECTED);
	wf_wc_set_keepalive(env.victim, true);
	wf_wc_pump(env.hub, 3000 * SLOW, media_both, env.victim);
	WF_REQUIRE(media_both(env.victim));
	env.victim_t0 = now_us();
	env.victim_rtp0 = env.victim->trk[WF_WC_VIDEO].n_rtp;
}

/* 1. The attacker does ICE (no USE-CANDIDATE) and the cookie exchange from
 * A, gets our flight at A, then sends a check with USE-CANDIDATE and its
 * own last flight with X's source: were the session to move, X would get
 * our last flight and the media. */
static void spoofed_checks_and_flight_from_x_bring_nothing_to_x(void)
{
	struct sink *x = sink_new(0, 41001);
	struct att *a = att_new(0, "hijacker", 42001);
	unsigned sent;

	WF_REQUIRE(env.ready && x && a);
	WF_REQUIRE(att_until_cookie(a, false));
	att_flush(a, 0);	/* the ClientHello with A's cookie, from A */
	/* our flight reaches A; the client's last flight is left queued */
	WF_REQUIRE(att_wait_output(a, 2000 * SLOW));
	run(200);
	WF_CHECKF(a->dtls_in >= 2, "our flight at A: %u datagrams", a->dtls_in);
	/* before selection: a check with USE-CANDIDATE from X, then the
	 * flight from X */
	att_check(a, x->port, true);
	run(100);
	sent = att_flush(a, x->port);
	run(3000 * SLOW);
	printf("  1. before selection, %u datagram(s) of the attacker's flight from X: "
	       "datagrams at X: %s\n", sent, sink_text(x));
	WF_CHECKF(x->media == 0, "media reflected to X: %u packets", x->media);
	WF_CHECKF(x->dtls == 0, "DTLS to X: %u datagrams", x->dtls);
	WF_CHECKF(x->stun <= 2, "STUN to X: %u (an answer to the check, a probe)", x->stun);
	/* the same flight from A: live there, as a viewer would be, and
	 * selected; then checks with USE-CANDIDATE from X */
	att_check(a, 0, true);
	run(100);
	att_resend(a, 0);
	run(1500 * SLOW);
	printf("  1. the attacker's own session, live at A: %u media packets there\n",
	       a->media_in);
	WF_CHECK(a->media_in > 0);
	x->stun = x->dtls = x->media = x->other = 0;
	for (sent = 0; sent < 3; sent++) {
		att_check(a, 0, false);		/* consent */
		att_check(a, x->port, true);
		run(700);
	}
	run(1000);
	printf("  1. after selection, 3 checks with USE-CANDIDATE from X: datagrams at X: %s\n",
	       sink_text(x));
	WF_CHECKF(x->media == 0 && x->dtls == 0, "X got media %u, DTLS %u", x->media, x->dtls);
	WF_CHECKF(x->stun <= 6, "STUN to X: %u (an answer per check, a probe each)", x->stun);
}

/* 2. The attacker gets A's cookie, moves its session to X with a spoofed
 * check (it is not pinned yet: no cookie was echoed), then echoes A's
 * cookie from X. */
static void a_cookie_from_a_echoed_from_x_gets_no_flight_to_x(void)
{
	struct sink *x = sink_new(1, 41002);
	struct att *a = att_new(1, "replayer", 42002);
	long long bad = stat_of("webrtc", "dtls_bad_cookies");

	WF_REQUIRE(env.ready && x && a);
	WF_REQUIRE(att_until_cookie(a, false));
	att_check(a, x->port, true);	/* the session's peer is now X */
	run(100);
	att_flush(a, x->port);		/* the ClientHello with A's cookie, from X */
	run(4000 * SLOW);		/* room for retransmissions at 1 and 3 s */
	printf("  2. A's cookie echoed from X: datagrams at X: %s; dtls_bad_cookies +%lld\n",
	       sink_text(x), stat_of("webrtc", "dtls_bad_cookies") - bad);
	WF_CHECKF(x->dtls == 0, "our flight reached X: %u datagrams", x->dtls);
	WF_CHECK(x->media == 0);
	WF_CHECKF(x->stun <= 1, "STUN to X: %u (the answer to the check)", x->stun);
	WF_CHECK_EQ(stat_of("webrtc", "dtls_bad_cookies") - bad, 1);
}

/* 3. A viewer's ICE check is answered; before its DTLS starts, an
 * attacker's session sends a check of its own from the viewer's address.
 * The viewer's handshake goes on with its own session. */
static void a_spoofed_check_from_a_viewers_address_takes_nothing(void)
{
	struct wf_wc *w = viewer_new("w", 40002);
	struct att *a = att_new(2, "squatter", 42003);
	long long taken = stat_of("webrtc", "ice_addr_taken");
	unsigned n;

	WF_REQUIRE(env.ready && w && a);
	wf_wc_send_check(w, true, NULL);
	wf_wc_pump(env.hub, 1000 * SLOW, ice_answered, w);
	WF_REQUIRE(w->st.stun_ok == 1);
	att_check(a, w->port, false);		/* from w's address */
	att_check(a, env.victim->port, false);	/* and from the live victim's */
	run(200);
	WF_REQUIRE(wf_wc_dtls_start(w, NULL) == 0);
	wf_wc_pump(env.hub, 5000 * SLOW, dtls_done, w);
	printf("  3. viewer's DTLS after a spoofed check from its address: %s%s%s; "
	       "ice_addr_taken +%lld\n", wf_dtls_state_name(wf_wc_dtls_state(w)),
	       wf_wc_dtls_state(w) == WF_DTLS_CONNECTED ? "" : " - ",
	       wf_wc_dtls_state(w) == WF_DTLS_CONNECTED ? "" : wf_dtls_reason(w->dtls),
	       stat_of("webrtc", "ice_addr_taken") - taken);
	WF_CHECK(wf_wc_dtls_state(w) == WF_DTLS_CONNECTED);
	WF_CHECK_EQ(stat_of("webrtc", "ice_addr_taken") - taken, 2);
	wf_wc_set_keepalive(w, true);
	n = media_within(w, 1500 * SLOW);
	printf("  3. its video packets in 1.5 s: %u\n", n);
	WF_CHECKF(n >= 20, "the viewer's media: %u packets in 1.5 s", n);
	WF_CHECK_EQ(w->st.srtp_errors, 0);
	wf_wc_delete(w, NULL, NULL);
	wf_wc_free(w);
}

/* 4. A viewer's NAT mapping changes to P2.  An attacker's session learned
 * P2 before (a stale owner of the address), and another attacker's
 * selected session sends a check with USE-CANDIDATE from P2 right after
 * the viewer's: both probe P2, only the viewer's probe is answered, and
 * the viewer's session moves. */
static void a_nat_rebinding_moves_although_others_claimed_the_address(void)
{
	const uint16_t p2 = 40013;
	struct wf_wc *n = viewer_new("nat", 40003);
	struct att *stale = att_new(3, "stale", 42004), *prober = att_new(4, "prober", 42005);
	long long moves, taken;
	unsigned got;
	uint64_t t0;

	WF_REQUIRE(env.ready && n && stale && prober);
	WF_REQUIRE(wf_wc_connect(n, NULL) == WF_DTLS_CONNECTED);
	wf_wc_set_keepalive(n, true);
	wf_wc_pump(env.hub, 3000 * SLOW, media_both, n);
	WF_REQUIRE(media_both(n));
	/* the prober: selected and pinned at its own address */
	WF_REQUIRE(att_until_cookie(prober, true));
	att_flush(prober, 0);
	/* the stale owner: learned P2 with a spoofed check */
	att_check(stale, p2, false);
	run(600);	/* past the probe interval */
	moves = stat_of("webrtc", "ice_moves");
	taken = stat_of("webrtc", "ice_addr_taken");
	WF_REQUIRE(wf_wc_rebind(n, WF_E2E_KERN_ADDR, p2) == 0);
	t0 = now_us();
	wf_wc_send_check(n, true, NULL);
	att_check(prober, p2, true);	/* its probe to P2 goes out after the viewer's */
	run(1500 * SLOW);
	got = media_within(n, 1000);
	printf("  4. rebinding to :%u: ice_moves +%lld, probes answered %u, peer port %lld, "
	       "video packets in 1 s after: %u\n", p2, stat_of("webrtc", "ice_moves") - moves,
	       n->st.probes, peer_port_of(n), got);
	WF_CHECK_EQ(stat_of("webrtc", "ice_moves") - moves, 1);
	WF_CHECK_EQ(peer_port_of(n), p2);
	WF_CHECKF(got >= 15 && n->st.last_media_us > t0, "media at the new address: %u", got);
	/* the stale owner cannot take it back */
	att_check(stale, p2, false);
	run(200);
	WF_CHECK_EQ(stat_of("webrtc", "ice_addr_taken") - taken, 1);
	WF_CHECK_EQ(peer_port_of(n), p2);
	wf_wc_delete(n, NULL, NULL);
	wf_wc_free(n);
}

/* 5. The victim's media never stopped. */
static void the_victim_kept_its_media_throughout(void)
{
	struct wf_wc *v = env.victim;
	double secs;
	unsigned got;

	WF_REQUIRE(v && v->keyed);
	run(300);
	secs = (double)(now_us() - env.victim_t0) / 1e6;
	got = v->trk[WF_WC_VIDEO].n_rtp - env.victim_rtp0;
	printf("  5. victim: %u video packets in %.1f s, last %.0f ms ago, %u SRTP errors\n", got,
	       secs, (double)(now_us() - v->st.last_media_us) / 1e3, v->st.srtp_errors);
	WF_CHECKF(now_us() - v->st.last_media_us < 300000ull * SLOW, "the victim's media stopped");
	WF_CHECKF(got >= (unsigned)(secs * 15), "victim: %u video packets in %.1f s", got, secs);
	WF_CHECK_EQ(v->st.srtp_errors, 0);
	WF_CHECK_EQ(wf_wc_dtls_state(v), WF_DTLS_CONNECTED);
}

/* The victim's video packets before its check; whether 10 more came. */
static unsigned video_mark;

static bool video_again(void *arg)
{
	const struct wf_wc *v = arg;

	return v->trk[WF_WC_VIDEO].n_rtp >= video_mark + 10;
}

/* 8. The viewers' next hop takes a new MAC (a gateway that failed over):
 * until a check comes through it, whepfan's frames go to the old MAC and
 * the kernel drops them; the viewer's next authenticated check moves its
 * media to the new MAC, without a probe (the address is the same). */
static void a_live_viewer_follows_its_next_hops_new_mac(void)
{
	struct wf_wc *v = env.victim;
	long long moves = stat_of("webrtc", "ice_mac_moves");
	unsigned before, i;

	WF_REQUIRE(v && v->keyed && moves >= 0);
	wf_wc_set_keepalive(v, false);	/* its checks come when the test says */
	run(200);
	WF_REQUIRE(wf_e2e_sh("ip link set dev %s address 02:00:5e:10:00:78", wf.iface) == 0);
	run(300);	/* what was in flight is gone */
	before = v->trk[WF_WC_VIDEO].n_rtp;
	run(700);
	printf("  8. victim: %u video packets in 0.7 s with whepfan sending to the old MAC\n",
	       v->trk[WF_WC_VIDEO].n_rtp - before);
	WF_CHECKF(v->trk[WF_WC_VIDEO].n_rtp - before <= 1,
		  "media reached the viewer through the old MAC: the test proves nothing");
	video_mark = v->trk[WF_WC_VIDEO].n_rtp;
	WF_REQUIRE(wf_wc_send_check(v, false, NULL) == 0);
	wf_wc_pump(env.hub, 2000 * SLOW, video_again, v);
	WF_CHECKF(video_again(v), "no media 2 s after a check through the new MAC");
	WF_CHECK(wf_e2e_log_has(wf.log, "next hop now at 02:00:5E:10:00:78"));
	WF_CHECK_EQ(stat_of("webrtc", "ice_mac_moves"), moves + 1);

	/* checks through two MACs in turn, ten in 0.6 s: the session follows
	 * once a second at most (MAC_FOLLOW_MS), not once a check, so a
	 * flapping path costs its worker one control message a second */
	moves = stat_of("webrtc", "ice_mac_moves");
	for (i = 0; i < 10; i++) {
		WF_REQUIRE(wf_e2e_sh("ip link set dev %s address 02:00:5e:10:00:%02x", wf.iface,
				     0x79 + (i & 1)) == 0);
		WF_REQUIRE(wf_wc_send_check(v, false, NULL) == 0);
		run(60);
	}
	printf("  8. ten checks through two MACs in turn: %lld moves\n",
	       stat_of("webrtc", "ice_mac_moves") - moves);
	WF_CHECK(stat_of("webrtc", "ice_mac_moves") - moves <= 1);
	wf_wc_set_keepalive(v, true);
}

static void sigterm_stops_whepfan_with_exit_status_0(void)
{
	WF_REQUIRE(wf.pid > 0);
	env.src.running = false;
	wf_e2e_check_sigterm(&wf, 10000 * SLOW);
}

/* Drive the client's DTLS (timers too) for ms, sending from A, or until
 * it is connected: longer, and the session (which gets no consent checks
 * here) would expire and close it (seen under ASan, where SLOW stretches
 * ms past webrtc.consent_timeout_s). */
static void client_run(struct att *a, unsigned ms)
{
	uint64_t end = now_us() + (uint64_t)ms * 1000;

	while (now_us() < end && wf_dtls_state(a->dtls) != WF_DTLS_CONNECTED) {
		run(20);
		if (wf_dtls_timeout_ms(a->dtls) == 0)
			wf_dtls_on_timer(a->dtls);
		att_flush(a, 0);
	}
}

/* 6. An honest client with two candidates A and B (two interfaces): a
 * check from B arrives between our HelloVerifyRequest (to A) and its
 * nomination of A, so the unselected session's peer goes A -> B -> A;
 * its ClientHello echoes A's cookie from A and must connect (the cookie
 * is checked against the current address, statelessly).  Before the fix
 * every retransmission was dropped as dtls_bad_cookies. */
static void a_client_with_two_candidates_connects(void)
{
	struct sink *b = sink_new(2, 41006);	/* the client's own second socket */
	struct att *a = att_new(5, "two-cand", 42006);
	long long bad = stat_of("webrtc", "dtls_bad_cookies");

	WF_REQUIRE(env.ready && a && b);
	WF_REQUIRE(att_until_cookie(a, false));	/* check from A, HVR to A */
	att_check(a, b->port, false);		/* a check on pair B */
	run(100);
	att_check(a, 0, true);			/* nominates A */
	run(100);
	client_run(a, 6000 * SLOW);		/* ClientHello(cookie of A) from A */
	run(500);				/* media, to A only */
	printf("  6. two candidates: client DTLS %s, datagrams from whepfan at A %u, "
	       "at B %s, dtls_bad_cookies +%lld\n",
	       wf_dtls_state_name(wf_dtls_state(a->dtls)), a->dtls_in, sink_text(b),
	       stat_of("webrtc", "dtls_bad_cookies") - bad);
	WF_CHECKF(wf_dtls_state(a->dtls) == WF_DTLS_CONNECTED, "handshake never completes");
	WF_CHECKF(b->dtls == 0 && b->media == 0, "B got DTLS %u, media %u", b->dtls, b->media);
}

/* 7. X: a full ICE agent of a third party (an SFU, a browser) at which the
 * attacker holds a session of its own, credentials U2/P2: it answers a
 * Binding request for U2 with MESSAGE-INTEGRITY under P2 (RFC 8445 §7.3)
 * once, and sends nothing else.  The attacker's offer carries U2/P2, so
 * its session moves to X after one spoofed check; its later checks
 * spoofed from X prove only that it knows P2: media to X must stop
 * within consent_timeout_s (10 s) of the move, and the session end. */
#define U2 "thrdPrty"
#define P2 "ThirdPartyPassword012345"
#define DEPUTY_RUN_US	(20000000ull * SLOW)
#define DEPUTY_MAX_US	(13000000ull * SLOW)	/* consent_timeout_s + margin */

static void a_third_party_that_answered_one_probe_loses_its_media(void)
{
	struct sink *x = sink_new(3, 41007);
	struct att *a = &env.a[6];
	struct wf_wc_opts o = { .name = "deputy", .addr = WF_E2E_KERN_ADDR, .media = WF_WC_MEDIA_COUNT };
	uint8_t buf[2048], out[512];
	unsigned answered = 0, media = 0, checks = 0;
	uint64_t t_move = 0, t_last = 0, end, next_check = 0;
	long long moves = stat_of("webrtc", "ice_moves");
	long long sent = stat_of("webrtc", "consent_checks_sent");
	ssize_t n;

	WF_REQUIRE(env.ready && x);
	a->name = "deputy";
	a->port = 42007;
	a->wc = wf_wc_create(env.ahub, &o);
	a->fd = wf_e2e_udp_socket(WF_E2E_KERN_ADDR, a->port);
	WF_REQUIRE(a->wc && a->fd >= 0);
	snprintf(a->wc->ufrag, sizeof(a->wc->ufrag), "%s", U2);
	snprintf(a->wc->pwd, sizeof(a->wc->pwd), "%s", P2);
	WF_REQUIRE(wf_wc_post(a->wc, "cam", NULL, NULL) == 201);
	WF_REQUIRE(att_until_cookie(a, true));	/* live at A, selected, pinned */
	att_flush(a, 0);
	WF_REQUIRE(att_wait_output(a, 2000 * SLOW));
	att_flush(a, 0);
	run(1000);
	WF_REQUIRE(a->media_in > 0);
	att_check(a, x->port, true);	/* one spoofed check from X: a probe to X */
	for (end = now_us() + DEPUTY_RUN_US; now_us() < end; ) {
		wf_wc_pump(env.hub, 20, NULL, NULL);
		while ((n = recv(x->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			struct wf_stun_msg m;
			struct sockaddr_in to = { .sin_family = AF_INET,
						  .sin_port = htons(WF_E2E_WEBRTC_PORT) };
			struct wf_stun_addr mapped = { .family = WF_STUN_AF_IPV4, .port = WF_E2E_WEBRTC_PORT,
						       .addr = { 198, 18, 0, 1 } };
			int k;

			if (buf[0] >= 128 && buf[0] <= 191) {
				media++;
				if (!t_move)
					t_move = now_us();
				t_last = now_us();
				continue;
			}
			if (buf[0] > 3 || answered || wf_stun_parse(buf, (size_t)n, &m) < 0 ||
			    m.cls != WF_STUN_CLASS_REQUEST ||
			    wf_stun_verify_integrity(buf, &m, P2, strlen(P2)) != 0)
				continue;	/* X answers once */
			k = wf_stun_build_binding_success(out, sizeof(out), m.txid, &mapped, P2);
			inet_pton(AF_INET, WF_E2E_WF_ADDR, &to.sin_addr);
			if (k > 0 && sendto(x->fd, out, (size_t)k, 0, (struct sockaddr *)&to,
					    sizeof(to)) == k)
				answered++;
		}
		drain();
		if (t_move && now_us() >= next_check) {
			att_check(a, x->port, false);	/* "consent" spoofed from X */
			checks++;
			next_check = now_us() + 2000000ull;
		}
	}
	printf("  7. X answered %u Binding request(s); media at X %u packets over %.1f s, "
	       "%u spoofed checks from X; ice_moves +%lld, consent_checks_sent +%lld\n",
	       answered, media, t_move ? (double)(t_last - t_move) / 1e6 : 0.0, checks,
	       stat_of("webrtc", "ice_moves") - moves,
	       stat_of("webrtc", "consent_checks_sent") - sent);
	WF_CHECKF(answered == 1 && t_move, "the move to X did not happen: the test tests nothing");
	WF_CHECKF(t_last - t_move <= DEPUTY_MAX_US, "media to X for %.1f s",
		  (double)(t_last - t_move) / 1e6);
	WF_CHECK(stat_of("webrtc", "consent_checks_sent") - sent >= 1);
}

int main(int argc, char **argv)
{
	unsigned i;
	int rc;

	for (i = 0; i < N_SINKS; i++)
		env.x[i].fd = -1;
	for (i = 0; i < N_ATT; i++)
		env.a[i].fd = -1;
	wf_e2e_begin(&wf, argc, argv, 120 * SLOW, "spoofed paths");

	WF_RUN(network_namespace_is_private_with_loopback_up);
	WF_RUN(whepfan_starts_and_a_victim_viewer_gets_media);
	WF_RUN(spoofed_checks_and_flight_from_x_bring_nothing_to_x);
	WF_RUN(a_cookie_from_a_echoed_from_x_gets_no_flight_to_x);
	WF_RUN(a_spoofed_check_from_a_viewers_address_takes_nothing);
	WF_RUN(a_nat_rebinding_moves_although_others_claimed_the_address);
	WF_RUN(the_victim_kept_its_media_throughout);
	WF_RUN(a_client_with_two_candidates_connects);
	WF_RUN(a_third_party_that_answered_one_probe_loses_its_media);
	WF_RUN(a_live_viewer_follows_its_next_hops_new_mac);
	WF_RUN(sigterm_stops_whepfan_with_exit_status_0);

	if (wf_test.failed)
		wf_e2e_print_log(&wf);
	for (i = 0; i < N_ATT; i++) {
		wf_dtls_free(env.a[i].dtls);
		if (env.a[i].fd >= 0)
			close(env.a[i].fd);
	}
	for (i = 0; i < N_SINKS; i++)
		if (env.x[i].fd >= 0)
			close(env.x[i].fd);
	wf_wc_hub_free(env.hub);
	wf_wc_hub_free(env.ahub);
	wf_e2e_av_source_free(&env.src, env.src_sock);
	rc = wf_test_done();
	wf_e2e_cleanup(&wf);
	return rc;
}
