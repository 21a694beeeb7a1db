/* test_sessions_per_ip.c: end to end, one address cannot hold more than
 * http.max_sessions_per_ip sessions, live or pending (F2), and clients
 * behind a trusted proxy are counted by what it forwards, IPv6 ones by
 * their /48 (http.ipv6_prefix_len's default; F8).
 *
 * Runs the real whepfan binary (<build>/whepfan, found from argv[0]) in a
 * private network namespace on a net_tap device with one stream (H.264 +
 * Opus from tests/common/rtp_source on the tap's kernel side, 198.18.0.2)
 * and http.max_sessions_per_ip = 4, max_pending_per_ip = 2,
 * trusted_proxies = [ "127.0.0.9" ].  The browsers are
 * tests/common/whep_client viewers (real ICE, DTLS, SRTP) whose HTTP
 * comes from 127.0.0.2 or 127.0.0.3 (all of 127/8 is local in the
 * namespace):
 *   - 127.0.0.2 brings 3 sessions live and leaves a 4th pending (under the
 *     pending cap): its 5th POST is 429 "sessions" with Retry-After
 *     (webrtc.consent_timeout_s), counted in admission.sessions;
 *   - 127.0.0.3 still gets 201 meanwhile; addresses_with_sessions counts
 *     both addresses;
 *   - a DELETE lets 127.0.0.2 create again; its sessions then end every
 *     way (DELETE, consent expiry, the handshake deadline) and the gauge
 *     goes back to 0, the counts with it (a new POST is admitted);
 *   - through the proxy: two addresses of one IPv6 /48 share its pending
 *     cap, the next /48 does not, an entry the client prepends does not
 *     choose the bucket, and a header that cannot be read is 400
 *     (xff_malformed);
 *   - a SIGHUP that removes the stream ends 127.0.0.2's live sessions: the
 *     gauge goes back to 0;
 *   - SIGTERM exits 0.
 * Only 198.18.0.0/15 and loopback are used (the IPv6 addresses are
 * documentation prefixes inside an HTTP header, never sent to), inside a
 * namespace that vanishes with this process.  Every wait is bounded.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/e2e.h"
#include "common/rtp_source.h"
#include "common/whep_client.h"
#include "wf_test.h"

#define HTTP_PORT	8889
#define MAX_SESSIONS	16
#define PER_IP		4		/* http.max_sessions_per_ip */
#define MAX_PENDING	2		/* http.max_pending_per_ip */
#define CONSENT_S	5		/* the smallest webrtc.consent_timeout_s */
#define HANDSHAKE_S	3
#define MAX_SENT	8192
#define N_VIEWERS	8
#define ONE		"127.0.0.2"	/* the address that reaches its cap */
#define TWO		"127.0.0.3"
#define PROXY		"127.0.0.9"	/* trusted */
#define SLOW		WF_E2E_SLOW

#define now_us		wf_e2e_now_us

static struct wf_e2e_proc wf = { .pid = 0 };

static struct {
	bool netns;
	bool ready;			/* whepfan up, the stream live */
	int src_sock[2];
	struct wf_rtp_src src;
	struct wf_wc_hub *hub;
	struct wf_wc *v[N_VIEWERS];
	struct wf_e2e_http_resp r;	/* scratch */
	char offer[8192];		/* for the proxy's requests */
	size_t offer_len;
} env = { .src_sock = { -1, -1 } };

/* ---- helpers ----------------------------------------------------------------- */

static void src_tick(void *arg)
{
	wf_rtp_src_tick(arg);
}

static void pump(unsigned ms)
{
	wf_wc_pump(env.hub, ms, NULL, NULL);
}

static long long adm(const char *key)
{
	return wf_e2e_stat(&wf, "/whepfan/stats", "admission", key);
}

static long long sessions(void)
{
	return wf_e2e_stat(&wf, "/whepfan/stats", NULL, "sessions");
}

/* Polls admission figure key (section "admission"; NULL key: sessions)
 * until it equals want, up to ms, pumping the viewers; the last value. */
static long long wait_for(const char *key, long long want, unsigned ms)
{
	uint64_t end = now_us() + (uint64_t)ms * 1000;
	long long v;

	for (;;) {
		v = key ? adm(key) : sessions();
		if (v == want || v < 0 || now_us() >= end)
			return v;
		pump(100);
	}
}

/* Viewer i: UDP from 198.18.0.2:41000+i, HTTP from http_addr. */
static struct wf_wc *viewer(unsigned i, const char *http_addr)
{
	struct wf_wc_opts o = { .name = http_addr, .addr = WF_E2E_KERN_ADDR,
				.port = (uint16_t)(41000 + i), .http_addr = http_addr };

	if (env.v[i])
		wf_wc_free(env.v[i]);
	env.v[i] = wf_wc_create(env.hub, &o);
	return env.v[i];
}

static bool connected_live(struct wf_wc *c)
{
	if (wf_wc_connect(c, wf_wc_hub_dtls_ctx(env.hub)) != WF_DTLS_CONNECTED)
		return false;
	wf_wc_set_keepalive(c, true);
	return c->keyed;
}

/* POST of our offer through the proxy with X-Forwarded-For xff into
 * env.r: the status. */
static int post_via_proxy(const char *xff)
{
	char extra[512];

	snprintf(extra, sizeof(extra), "Content-Type: application/sdp\r\n"
		 "X-Forwarded-For: %s\r\n", xff);
	if (wf_wc_http(env.hub, PROXY, "POST", "/cam/whep", extra, env.offer, env.offer_len,
		       &env.r) < 0)
		return -1;
	return env.r.status;
}

static int delete_via_proxy(const char *location)
{
	if (wf_wc_http(env.hub, PROXY, "DELETE", location, NULL, NULL, 0, &env.r) < 0)
		return -1;
	return env.r.status;
}

/* ---- the checks -------------------------------------------------------------- */

static void network_namespace_is_private_with_loopback_up(void)
{
	env.netns = wf_e2e_enter_test_netns() == 0;
	WF_REQUIRE(env.netns);
}

static void whepfan_starts_and_its_stream_goes_live(void)
{
	struct wf_wc *c;
	uint64_t end;
	FILE *f;
	int rc;

	WF_REQUIRE(env.netns);
	f = wf_e2e_conf_open(&wf, "wfperip", WF_E2E_WF_ADDR "/24");
	WF_REQUIRE(f != NULL);
	fprintf(f,
		"webrtc = { udp_port = %d; consent_timeout_s = %d; handshake_timeout_s = %d; };\n"
		"http = { listen = \"127.0.0.1:%d\"; max_sessions = %d; cors_origin = \"\";\n"
		"         max_sessions_per_ip = %d; max_pending_per_ip = %d;\n"
		"         post_rate_per_ip = 100; post_burst_per_ip = 100;\n"
		"         trusted_proxies = [ \"" PROXY "\" ]; };\n"
		"streams = ( { name = \"cam\"; history_ms = 1000;\n"
		"  tracks = (\n"
		WF_E2E_AV_TRACKS "\n"
		"  ); } );\n",
		WF_E2E_WEBRTC_PORT, CONSENT_S, HANDSHAKE_S, HTTP_PORT, MAX_SESSIONS, PER_IP, MAX_PENDING);
	WF_REQUIRE(fclose(f) == 0);
	rc = wf_e2e_spawn(&wf, WF_E2E_KERN_ADDR "/24", 15000 * SLOW);
	WF_REQUIRE(rc != -ENOENT || !"build <build>/whepfan first");
	WF_REQUIRE(rc == 0 || !"whepfan did not start (log below)");
	WF_REQUIRE(wf_e2e_av_source(&env.src, env.src_sock, NULL, MAX_SENT) == 0);
	env.hub = wf_wc_hub_create(&(struct wf_wc_hub_conf){
		.http_addr = "127.0.0.1", .http_port = HTTP_PORT, .ice_addr = WF_E2E_WF_ADDR,
		.ice_port = WF_E2E_WEBRTC_PORT, .video_pt = WF_E2E_OFFER_VIDEO_PT, .audio_pt = WF_E2E_OFFER_AUDIO_PT,
		.max_clients = N_VIEWERS + 4, .tick = src_tick, .tick_arg = &env.src });
	WF_REQUIRE(env.hub != NULL);
	env.src.running = true;
	/* 409 (or no answer) until HTTP is up and the source is latched */
	c = viewer(0, TWO);
	WF_REQUIRE(c != NULL);
	end = now_us() + 15000000ull * SLOW;
	while (wf_wc_post(c, "cam", NULL, &env.r) != 201 && now_us() < end)
		pump(200);
	WF_REQUIRE(env.r.status == 201 || !"no 201 for the first offer");
	env.offer_len = wf_wc_offer(c, env.offer, sizeof(env.offer));
	WF_REQUIRE(env.offer_len > 0);
	WF_CHECK_EQ(wf_wc_delete(c, NULL, &env.r), 200);
	WF_CHECK_EQ(adm("addresses_with_sessions"), 0);
	env.ready = true;
}

/* F2: live sessions no longer count as pending; every session counts
 * against http.max_sessions_per_ip. */
static void one_address_at_max_sessions_per_ip_live_or_pending_gets_429_sessions(void)
{
	long long refused = adm("sessions");
	unsigned i;
	int st;

	WF_REQUIRE(env.ready);
	for (i = 0; i < PER_IP - 1; i++) {
		WF_REQUIRE(viewer(i, ONE));
		WF_REQUIRE(wf_wc_post(env.v[i], "cam", NULL, &env.r) == 201);
		WF_REQUIRE(connected_live(env.v[i]) || !"a viewer did not connect");
	}
	WF_CHECK_EQ(wait_for("addresses_pending", 0, 2000 * SLOW), 0);
	WF_CHECK_EQ(adm("addresses_with_sessions"), 1);
	/* one more, pending: under the pending cap, at the sessions cap */
	WF_REQUIRE(viewer(PER_IP - 1, ONE));
	WF_CHECK_EQ(wf_wc_post(env.v[PER_IP - 1], "cam", NULL, &env.r), 201);
	WF_CHECK_EQ(sessions(), PER_IP);
	WF_REQUIRE(viewer(PER_IP, ONE));
	st = wf_wc_post(env.v[PER_IP], "cam", NULL, &env.r);
	printf("  %u sessions of " ONE " (%u live, 1 pending); the next POST: %d %s", PER_IP,
	       PER_IP - 1, env.r.status, env.r.body);
	WF_CHECK_EQ(st, 429);
	WF_CHECKF(atoi(env.r.retry_after) == CONSENT_S, "Retry-After \"%s\"", env.r.retry_after);
	WF_CHECK(strstr(env.r.body, "http.max_sessions_per_ip") != NULL);
	WF_CHECK_EQ(adm("sessions"), refused + 1);
	WF_CHECK_EQ(sessions(), PER_IP);
	WF_CHECK_EQ(adm("addresses_with_sessions"), 1);
	WF_CHECK_EQ(adm("addresses_pending"), 1);
}

static void another_address_still_gets_201(void)
{
	struct wf_wc *c;

	WF_REQUIRE(env.ready && env.v[0] && env.v[0]->keyed);
	c = viewer(PER_IP + 1, TWO);
	WF_REQUIRE(c != NULL);
	WF_CHECK_EQ(wf_wc_post(c, "cam", NULL, &env.r), 201);
	WF_CHECK_EQ(adm("addresses_with_sessions"), 2);
	WF_CHECK_EQ(wf_wc_delete(c, NULL, &env.r), 200);
	WF_CHECK_EQ(adm("addresses_with_sessions"), 1);
}

/* Whatever ends a session (DELETE, consent expiry, the handshake
 * deadline) gives its place back. */
static void freed_sessions_give_their_place_back_and_the_gauge_returns_to_0(void)
{
	struct wf_wc *c = env.v[PER_IP];
	long long left;

	WF_REQUIRE(env.ready && c && env.v[0] && env.v[0]->keyed);
	WF_CHECK_EQ(wf_wc_delete(env.v[0], NULL, &env.r), 200);
	wf_wc_set_keepalive(env.v[0], false);
	WF_CHECK_EQ(wf_wc_post(c, "cam", NULL, &env.r), 201);	/* 4 again: 2 live, 2 pending */
	WF_CHECK_EQ(sessions(), PER_IP);
	WF_CHECK_EQ(wf_wc_post(env.v[0], "cam", NULL, &env.r), 429);
	/* v[1]: DELETE; v[2]: goes silent (consent); v[3], v[4]: pending
	 * past the deadline */
	WF_CHECK_EQ(wf_wc_delete(env.v[1], NULL, &env.r), 200);
	wf_wc_set_keepalive(env.v[1], false);
	wf_wc_set_keepalive(env.v[2], false);
	left = wait_for("addresses_with_sessions", 0, (CONSENT_S + HANDSHAKE_S + 3) * 1000 * SLOW);
	printf("  after DELETE, consent expiry and the handshake deadline: %lld sessions, "
	       "%lld addresses with sessions, %lld handshake timeouts\n", sessions(), left,
	       adm("handshake_timeout"));
	WF_CHECK_EQ(left, 0);
	WF_CHECK_EQ(sessions(), 0);
	WF_CHECK_EQ(adm("addresses_pending"), 0);
	WF_CHECK(adm("handshake_timeout") >= 2);
	/* nothing was left over: the address has its whole allowance */
	WF_REQUIRE(viewer(0, ONE));
	WF_CHECK_EQ(wf_wc_post(env.v[0], "cam", NULL, &env.r), 201);
	WF_CHECK_EQ(adm("addresses_with_sessions"), 1);
	WF_CHECK_EQ(wf_wc_delete(env.v[0], NULL, &env.r), 200);
	WF_CHECK_EQ(adm("addresses_with_sessions"), 0);
}

/* F8 through a trusted proxy: IPv6 clients count by their /48, the
 * rightmost untrusted entry is the client, an unreadable header is 400. */
static void clients_behind_the_proxy_count_by_what_it_forwards(void)
{
	char loc[3][256];
	long long bad = adm("xff_malformed");
	int st[6];

	WF_REQUIRE(env.ready);
	st[0] = post_via_proxy("2001:db8:1:2::a");
	snprintf(loc[0], sizeof(loc[0]), "%s", env.r.location);
	st[1] = post_via_proxy("[2001:db8:1:2::b]:40123");
	snprintf(loc[1], sizeof(loc[1]), "%s", env.r.location);
	/* the /48 (http.ipv6_prefix_len) is at max_pending_per_ip: another
	 * host of it, in another /64, is refused */
	st[2] = post_via_proxy("2001:db8:1:77:dead:beef:0:1");
	/* a prepended entry does not choose the bucket */
	st[3] = post_via_proxy("2001:db8:2::5, 2001:db8:1:2::c");
	/* the next /48 is a client of its own, and not the proxy either */
	st[4] = post_via_proxy("2001:db8:2::5");
	snprintf(loc[2], sizeof(loc[2]), "%s", env.r.location);
	st[5] = post_via_proxy("198.51.100.7, not-an-address");
	printf("  via " PROXY ": /48 a: %d %d, third host %d, prepended %d; /48 b: %d; "
	       "malformed %d\n", st[0], st[1], st[2], st[3], st[4], st[5]);
	WF_CHECK_EQ(st[0], 201);
	WF_CHECK_EQ(st[1], 201);
	WF_CHECK_EQ(st[2], 429);
	WF_CHECK_EQ(st[3], 429);
	WF_CHECK_EQ(st[4], 201);
	WF_CHECK_EQ(st[5], 400);
	WF_CHECK_EQ(adm("xff_malformed"), bad + 1);
	WF_CHECK_EQ(adm("addresses_with_sessions"), 2);
	WF_CHECK_EQ(adm("addresses_pending"), 2);
	WF_CHECK_EQ(delete_via_proxy(loc[0]), 200);
	WF_CHECK_EQ(delete_via_proxy(loc[1]), 200);
	WF_CHECK_EQ(delete_via_proxy(loc[2]), 200);
	WF_CHECK_EQ(adm("addresses_with_sessions"), 0);
	WF_CHECK_EQ(sessions(), 0);
}

/* The configuration without its streams (what follows "streams = ("
 * dropped).  0 or -errno. */
static int write_conf_without_streams(void)
{
	static char text[8192];
	FILE *f = fopen(wf.conf, "r");
	size_t n;
	char *cut;

	if (!f)
		return -errno;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	cut = strstr(text, "streams = (");
	if (!cut)
		return -EINVAL;
	*cut = '\0';
	f = fopen(wf.conf, "w");
	if (!f)
		return -errno;
	fprintf(f, "%sstreams = ( );\n", text);
	return fclose(f) == 0 ? 0 : -EIO;
}

/* A reload that removes the stream ends its sessions: they leave the
 * per-address count like any other end. */
static void reload_removing_the_stream_gives_the_places_back(void)
{
	unsigned i;

	WF_REQUIRE(env.ready);
	for (i = 0; i < 2; i++) {
		WF_REQUIRE(viewer(i, ONE));
		WF_REQUIRE(wf_wc_post(env.v[i], "cam", NULL, &env.r) == 201);
		WF_REQUIRE(connected_live(env.v[i]) || !"a viewer did not connect");
	}
	WF_CHECK_EQ(adm("addresses_with_sessions"), 1);
	WF_REQUIRE(write_conf_without_streams() == 0);
	WF_REQUIRE(kill(wf.pid, SIGHUP) == 0);
	WF_CHECK_EQ(wait_for(NULL, 0, 3000 * SLOW), 0);
	WF_CHECK_EQ(adm("addresses_with_sessions"), 0);
	WF_CHECK_EQ(adm("addresses_pending"), 0);
	for (i = 0; i < 2; i++)
		wf_wc_set_keepalive(env.v[i], false);
}

static void sigterm_stops_whepfan_with_exit_status_0(void)
{
	wf_e2e_check_sigterm(&wf, 10000 * SLOW);
}

int main(int argc, char **argv)
{
	int rc;

	wf_e2e_begin(&wf, argc, argv, 120 * SLOW, "sessions per address");

	WF_RUN(network_namespace_is_private_with_loopback_up);
	WF_RUN(whepfan_starts_and_its_stream_goes_live);
	WF_RUN(one_address_at_max_sessions_per_ip_live_or_pending_gets_429_sessions);
	WF_RUN(another_address_still_gets_201);
	WF_RUN(freed_sessions_give_their_place_back_and_the_gauge_returns_to_0);
	WF_RUN(clients_behind_the_proxy_count_by_what_it_forwards);
	WF_RUN(reload_removing_the_stream_gives_the_places_back);
	WF_RUN(sigterm_stops_whepfan_with_exit_status_0);

	wf_wc_hub_free(env.hub);	/* and the viewers still on it */
	wf_e2e_av_source_free(&env.src, env.src_sock);
	if (wf_test.failed)
		wf_e2e_print_log(&wf);
	rc = wf_test_done();
	wf_e2e_cleanup(&wf);
	return rc;
}
