/* test_whep_client.c: tests/common/whep_client on its own, against a peer
 * the test plays on loopback (no whepfan, no namespace, no root): the
 * offer, ICE checks and their answers, whepfan's Binding requests (path
 * validation) answered, refused or ignored, and thousands of viewers in
 * one process: each datagram reaches its own viewer, each viewer's
 * consent checks leave on time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/e2e.h"
#include "common/whep_client.h"
#include "sdp/sdp.h"
#include "stun/stun.h"
#include "wf_test.h"

#define LO		"127.0.0.1"
#define VIDEO_PT	102
#define AUDIO_PT	109
#define SERVER_UFRAG	"SrvUfrag"
#define SERVER_PWD	"server-password-22-chars+"
#define MANY		3000	/* more than the usual soft descriptor limit */

static struct {
	int srv;			/* the peer: "whepfan's" WebRTC socket */
	struct sockaddr_in srv_addr;
	struct wf_wc_hub *hub;
	struct wf_sdp_offer sdp;
	uint8_t buf[2048];
} env = { .srv = -1 };

/* Waits up to ms for a datagram on the peer's socket: its length (and its
 * source in *from), or -1. */
static int srv_recv(unsigned ms, struct sockaddr_in *from)
{
	struct pollfd pf = { .fd = env.srv, .events = POLLIN };
	socklen_t fl = sizeof(*from);

	if (poll(&pf, 1, (int)ms) != 1)
		return -1;
	return (int)recvfrom(env.srv, env.buf, sizeof(env.buf), 0, (struct sockaddr *)from, &fl);
}

static void srv_send(const struct wf_wc *c, const void *p, size_t n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(c->port),
				  .sin_addr.s_addr = c->addr };

	sendto(env.srv, p, n, 0, (struct sockaddr *)&to, sizeof(to));
}

/* A viewer on loopback whose answer the test fills in. */
static struct wf_wc *viewer(const char *name, bool ignore_probes)
{
	struct wf_wc_opts o = { .name = name, .addr = LO, .ignore_probes = ignore_probes };
	struct wf_wc *c = wf_wc_create(env.hub, &o);

	if (c) {
		snprintf(c->s_ufrag, sizeof(c->s_ufrag), "%s", SERVER_UFRAG);
		snprintf(c->s_pwd, sizeof(c->s_pwd), "%s", SERVER_PWD);
	}
	return c;
}

/* whepfan's path-validation probe: USERNAME "client:server", keyed with
 * the client's password (pwd), as a controlled (lite) agent. */
static int probe(const struct wf_wc *c, const char *pwd, uint8_t txid[WF_STUN_TXID_LEN])
{
	struct wf_stun_request_params rp = {
		.txid = txid, .remote_ufrag = c->ufrag, .local_ufrag = SERVER_UFRAG,
		.remote_pwd = pwd, .priority = 0x7e7f00ff, .tie_breaker = 42,
	};
	uint8_t pkt[512];
	int n;

	wf_e2e_rnd_fill(txid, WF_STUN_TXID_LEN);
	n = wf_stun_build_binding_request(pkt, sizeof(pkt), &rp);
	if (n > 0)
		srv_send(c, pkt, (size_t)n);
	return n;
}

static void setup_a_hub_against_a_loopback_peer(void)
{
	socklen_t sl = sizeof(env.srv_addr);

	env.srv = wf_e2e_udp_socket(LO, 0);
	WF_REQUIRE(env.srv >= 0);
	WF_REQUIRE(getsockname(env.srv, (struct sockaddr *)&env.srv_addr, &sl) == 0);
	env.hub = wf_wc_hub_create(&(struct wf_wc_hub_conf){
		.http_addr = LO, .http_port = 9, .ice_addr = LO,
		.ice_port = ntohs(env.srv_addr.sin_port), .video_pt = VIDEO_PT,
		.audio_pt = AUDIO_PT, .max_clients = MANY + 8 });
	WF_REQUIRE(env.hub != NULL);
}

static void offer_is_a_browsers_recvonly_offer_with_our_credentials(void)
{
	struct wf_wc *c = viewer("offer", false);
	struct wf_sdp_error err;
	char offer[8192];
	size_t n;
	unsigned i;

	WF_REQUIRE(c != NULL);
	n = wf_wc_offer(c, offer, sizeof(offer));
	WF_REQUIRE(n > 0);
	WF_REQUIRE(wf_sdp_parse(&env.sdp, offer, n, &err) == 0 || !printf("  %s\n", err.reason));
	WF_CHECK_EQ(env.sdp.nmedia, 2);
	WF_CHECK(env.sdp.media[0].kind == WF_SDP_KIND_AUDIO);
	WF_CHECK(env.sdp.media[1].kind == WF_SDP_KIND_VIDEO);
	WF_CHECK_EQ(env.sdp.media[0].formats[0].pt, AUDIO_PT);
	WF_CHECK_EQ(env.sdp.media[1].formats[0].pt, VIDEO_PT);
	for (i = 0; i < env.sdp.nmedia && i < 2; i++) {
		const struct wf_sdp_media *m = &env.sdp.media[i];

		WF_CHECK(m->dir == WF_SDP_DIR_RECVONLY && m->rtcp_mux && m->has_fingerprint);
		WF_CHECK(m->ice_ufrag && !strcmp(m->ice_ufrag, c->ufrag));
		WF_CHECK(m->ice_pwd && !strcmp(m->ice_pwd, c->pwd));
	}
	WF_CHECK(strstr(offer, wf_wc_hub_fingerprint(env.hub)) != NULL);
	WF_CHECK_EQ(wf_wc_offer(c, offer, 100), 0);	/* too small: nothing */
	wf_wc_free(c);
}

static void check_is_authenticated_and_its_answer_counted(void)
{
	struct wf_wc *c = viewer("check", false);
	struct wf_stun_binding b;
	struct wf_stun_addr peer = { .family = WF_STUN_AF_IPV4 };
	struct sockaddr_in from;
	uint8_t out[512];
	int n, rc;

	WF_REQUIRE(c != NULL);
	WF_REQUIRE(wf_wc_send_check(c, true, NULL) == 0);
	n = srv_recv(1000, &from);
	WF_REQUIRE(n > 0);
	rc = wf_stun_check_binding_request(env.buf, (size_t)n, SERVER_UFRAG, SERVER_PWD, &b);
	WF_CHECKF(rc == 0, "check: %s", wf_stun_strerror(rc));
	WF_CHECK(b.use_candidate && b.controlling && !strcmp(b.remote_ufrag, c->ufrag));
	WF_CHECK_EQ(ntohs(from.sin_port), c->port);
	/* the answer, then the same answer again (a transaction answered twice
	 * still counts: a retransmitted check), then one for nothing we sent */
	peer.port = ntohs(from.sin_port);
	memcpy(peer.addr, &from.sin_addr, 4);
	n = wf_stun_answer_binding(out, sizeof(out), rc, &b, SERVER_PWD, &peer);
	WF_REQUIRE(n > 0);
	srv_send(c, out, (size_t)n);
	wf_wc_pump(env.hub, 100, NULL, NULL);
	WF_CHECK_EQ(c->st.stun_ok, 1);
	WF_CHECK_EQ(c->ice_err.n, 0);
	out[8] ^= 1;	/* the transaction id: not one of ours (and MI broken) */
	srv_send(c, out, (size_t)n);
	wf_wc_pump(env.hub, 100, NULL, NULL);
	WF_CHECK_EQ(c->st.stun_ok, 1);
	WF_CHECK_EQ(c->ice_err.n, 1);
	wf_wc_free(c);
}

static void servers_binding_request_is_answered_with_our_password_and_its_address(void)
{
	struct wf_wc *c = viewer("probed", false);
	uint8_t txid[WF_STUN_TXID_LEN];
	struct sockaddr_in from;
	struct wf_stun_msg msg;
	struct wf_stun_addr a;
	int n;

	WF_REQUIRE(c != NULL);
	WF_REQUIRE(probe(c, c->pwd, txid) > 0);
	wf_wc_pump(env.hub, 100, NULL, NULL);
	n = srv_recv(1000, &from);
	WF_REQUIRE(n > 0);
	WF_CHECK_EQ(c->st.probes, 1);
	WF_REQUIRE(wf_stun_parse(env.buf, (size_t)n, &msg) == 0);
	WF_CHECK_EQ(msg.type, WF_STUN_BINDING_SUCCESS);
	WF_CHECK_MEM(msg.txid, txid, WF_STUN_TXID_LEN);
	WF_CHECK_EQ(wf_stun_verify_integrity(env.buf, &msg, c->pwd, strlen(c->pwd)), 0);
	WF_CHECK_EQ(wf_stun_verify_fingerprint(env.buf, &msg), 0);
	WF_REQUIRE(wf_stun_xor_mapped_address(env.buf, &msg, &a) == 0);
	WF_CHECK_EQ(a.port, ntohs(env.srv_addr.sin_port));
	WF_CHECK(!memcmp(a.addr, &env.srv_addr.sin_addr, 4));
	WF_CHECK_EQ(ntohs(from.sin_port), c->port);
	WF_CHECK_EQ(c->ice_err.n, 0);
	wf_wc_free(c);
}

static void binding_request_with_the_wrong_password_gets_no_answer(void)
{
	struct wf_wc *c = viewer("wrong-pwd", false);
	uint8_t txid[WF_STUN_TXID_LEN];
	struct sockaddr_in from;

	WF_REQUIRE(c != NULL);
	WF_REQUIRE(probe(c, SERVER_PWD, txid) > 0);	/* keyed with the server's own */
	wf_wc_pump(env.hub, 100, NULL, NULL);
	WF_CHECK(srv_recv(200, &from) < 0);
	WF_CHECK_EQ(c->st.probes, 0);
	WF_CHECK_EQ(c->st.probes_bad, 1);
	WF_CHECK_EQ(c->ice_err.n, 1);
	wf_wc_free(c);
}

static void a_viewer_that_ignores_probes_counts_them_and_stays_silent(void)
{
	struct wf_wc *c = viewer("spoofed", true);
	uint8_t txid[WF_STUN_TXID_LEN];
	struct sockaddr_in from;

	WF_REQUIRE(c != NULL);
	WF_REQUIRE(probe(c, c->pwd, txid) > 0);
	WF_REQUIRE(probe(c, c->pwd, txid) > 0);
	wf_wc_pump(env.hub, 100, NULL, NULL);
	WF_CHECK(srv_recv(200, &from) < 0);
	WF_CHECK_EQ(c->st.probes_ignored, 2);
	WF_CHECK_EQ(c->st.probes, 0);
	wf_wc_free(c);
}

/* Thousands of viewers in one hub: one probe to each is answered by that
 * viewer once (the epoll event carries its viewer), and consent checks
 * every 100 ms leave on time from every one (the timer heap). */
static void thousands_of_viewers_each_get_their_own_datagrams_and_timers(void)
{
	static struct wf_wc *v[MANY];
	uint8_t txid[WF_STUN_TXID_LEN];
	struct sockaddr_in from;
	unsigned i, answered = 0, wrong = 0, lo = ~0u, hi = 0;
	uint64_t t0;
	char name[] = "many";

	for (i = 0; i < MANY; i++) {
		struct wf_wc_opts o = { .name = name, .addr = LO, .keepalive_ms = 100 };

		v[i] = wf_wc_create(env.hub, &o);
		WF_REQUIRE(v[i] != NULL || !printf("  viewer %u: %s\n", i, strerror(errno)));
		snprintf(v[i]->s_ufrag, sizeof(v[i]->s_ufrag), "%s", SERVER_UFRAG);
		snprintf(v[i]->s_pwd, sizeof(v[i]->s_pwd), "%s", SERVER_PWD);
	}
	WF_CHECK_EQ(wf_wc_hub_count(env.hub), MANY);
	for (i = 0; i < MANY; i++) {
		probe(v[i], v[i]->pwd, txid);
		if (i % 256 == 255)
			wf_wc_pump(env.hub, 5, NULL, NULL);	/* within socket buffers */
	}
	wf_wc_pump(env.hub, 300, NULL, NULL);
	for (i = 0; i < MANY; i++) {
		answered += v[i]->st.probes == 1;
		wrong += v[i]->ice_err.n;
	}
	WF_CHECK_EQ(answered, MANY);
	WF_CHECK_EQ(wrong, 0);
	while (srv_recv(0, &from) > 0)
		;
	/* consent checks: ~10 per viewer per second */
	for (i = 0; i < MANY; i++)
		wf_wc_set_keepalive(v[i], true);
	t0 = wf_e2e_now_us();
	for (i = 0; i < 10; i++) {
		wf_wc_pump(env.hub, 100, NULL, NULL);
		while (srv_recv(0, &from) > 0)
			;
	}
	for (i = 0; i < MANY; i++) {
		if (v[i]->st.stun_sent < lo)
			lo = v[i]->st.stun_sent;
		if (v[i]->st.stun_sent > hi)
			hi = v[i]->st.stun_sent;
	}
	printf("  %u viewers, %.2f s: %u to %u consent checks each\n", MANY,
	       (double)(wf_e2e_now_us() - t0) / 1e6, lo, hi);
	WF_CHECKF(lo >= 8 && hi <= 12, "consent checks per viewer %u..%u, want about 10", lo, hi);
	for (i = 0; i < MANY; i++)
		wf_wc_free(v[i]);
	WF_CHECK_EQ(wf_wc_hub_count(env.hub), 0);
}

int main(int argc, char **argv)
{
	int rc;

	wf_test_init(argc, argv);
	wf_e2e_seed((uint64_t)time(NULL) ^ (uint64_t)getpid() << 32);
	WF_RUN(setup_a_hub_against_a_loopback_peer);
	WF_RUN(offer_is_a_browsers_recvonly_offer_with_our_credentials);
	WF_RUN(check_is_authenticated_and_its_answer_counted);
	WF_RUN(servers_binding_request_is_answered_with_our_password_and_its_address);
	WF_RUN(binding_request_with_the_wrong_password_gets_no_answer);
	WF_RUN(a_viewer_that_ignores_probes_counts_them_and_stays_silent);
	WF_RUN(thousands_of_viewers_each_get_their_own_datagrams_and_timers);
	wf_wc_hub_free(env.hub);
	if (env.srv >= 0)
		close(env.srv);
	rc = wf_test_done();
	return rc;
}
