/* test_hostile_clients.c: end to end, one client cannot take the server (issue 9).
 *
 * Runs the real whepfan binary (<build>/whepfan, found from argv[0]) in a
 * private network namespace on a net_tap device, with a stream fed with
 * Opus RTP from the kernel side of the tap (198.18.0.2) so that offers are
 * answered, and the default admission limits (10 POSTs/s, burst 20, 16
 * pending sessions per address) with webrtc.handshake_timeout_s = 2:
 *   - a flood: 5,000 WHEP POSTs from 127.0.0.2 (all of 127/8 is local in
 *     the namespace) that never start ICE, 1,000 a second on 4
 *     connections at a time: that address gets 429 with Retry-After (rate
 *     and pending cap), while 127.0.0.3 POSTs (and DELETEs) every 200 ms
 *     and gets 201 within 1 s each time; whepfan's resident memory stays
 *     bounded; after the deadline no session is left;
 *   - slowloris: 600 connections from 127.0.1.1-10 (60 each: under the
 *     per-address limit; more than the 512 connection slots) sending one
 *     header byte a second, reconnecting when closed: a new client gets
 *     the player page within 5 s.
 * Every figure is printed.  Only 198.18.0.0/15 (RFC 2544) and loopback are
 * used, inside a namespace that vanishes with this process; every wait is
 * bounded and every thread, socket and file is gone at the end.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/e2e.h"
#include "rtp/rtp.h"
#include "common/e2e_http.h"
#include "wf_test.h"

#define HTTP_PORT	8889
#define AUDIO_PT	111
#define MAX_SESSIONS	64
#define MAX_BODY	16384
#define HANDSHAKE_S	2		/* the smallest webrtc.handshake_timeout_s */
#define RATE		10		/* the defaults, written out: the checks use them */
#define BURST		20
#define MAX_PENDING	16
#define ATTACKER	"127.0.0.2"
#define GOOD		"127.0.0.3"
#define N_FLOOD		5000
#define FLOOD_THREADS	4
#define FLOOD_PER_S	1000
#define GOOD_EVERY_MS	200
#define GOOD_MAX_MS	1000		/* the second address's 201 within */
#define RSS_GROWTH_KB	(16 * 1024)	/* 5,000 sessions would be far more */
#define N_SLOW		600
#define SLOW_ADDRS	10
#define SLOW_WARMUP_MS	2000
#define N_PROBES	5
#define PAGE_MAX_MS	5000		/* the player page within */
#define RTP_EVERY_MS	20
#define SLOW		WF_E2E_SLOW

#define now_us wf_e2e_now_us

static struct wf_e2e_proc wf = { .pid = 0 };

static struct {
	bool netns;
	bool ready;		/* whepfan up and the stream live */
	char tel[65536];
} env;

/* An audio-only offer as a browser makes it; the fingerprint names a
 * certificate nobody has: these sessions never connect. */
static const char offer[] =
	"v=0\r\n"
	"o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"t=0 0\r\n"
	"a=group:BUNDLE 0\r\n"
	"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
	"c=IN IP4 0.0.0.0\r\n"
	"a=rtcp:9 IN IP4 0.0.0.0\r\n"
	"a=ice-ufrag:fl0d\r\n"
	"a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
	"a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
	"00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n"
	"a=setup:actpass\r\n"
	"a=mid:0\r\n"
	"a=recvonly\r\n"
	"a=rtcp-mux\r\n"
	"a=rtpmap:111 opus/48000/2\r\n";

static int post_offer(const char *src, struct wf_e2e_http_resp *r)
{
	const struct wf_e2e_http_to to = {
		.src = src, .port = HTTP_PORT, .max_body = MAX_BODY, .timeout_ms = 5000 * SLOW,
		.slow = SLOW,
	};

	return wf_e2e_http(&to, "POST", "/cam/whep", "Content-Type: application/sdp\r\n", offer,
			   sizeof(offer) - 1, r);
}

static int request(const char *src, const char *method, const char *path,
		   struct wf_e2e_http_resp *r)
{
	const struct wf_e2e_http_to to = {
		.src = src, .port = HTTP_PORT, .max_body = MAX_BODY, .timeout_ms = 10000 * SLOW,
		.slow = SLOW,
	};

	return wf_e2e_http(&to, method, path, NULL, NULL, 0, r);
}

/* A figure of /whepfan/stats (section NULL: top level), -1 when unreadable. */
static long long stat_of(const char *section, const char *key)
{
	if (wf_e2e_telemetry(&wf, "/whepfan/stats", env.tel, sizeof(env.tel)) < 0)
		return -1;
	return wf_e2e_json_num(env.tel, section, key);
}

static void sleep_ms(unsigned ms)
{
	usleep(ms * 1000u);
}

/* ---- the source: Opus RTP every 20 ms, on a thread of its own ------------- */

static struct {
	pthread_t th;
	bool started;
	volatile bool stop;
} feeder;

static void *feed(void *arg)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(WF_E2E_AUDIO_PORT) };
	int fd = wf_e2e_udp_socket(WF_E2E_KERN_ADDR, 0);
	uint8_t pkt[12 + 80];
	uint16_t seq = 1;
	uint32_t ts = 0;

	(void)arg;
	if (fd < 0)
		return NULL;
	inet_pton(AF_INET, WF_E2E_WF_ADDR, &to.sin_addr);
	memset(pkt, 0x5a, sizeof(pkt));
	while (!feeder.stop) {
		pkt[0] = 0x80;
		pkt[1] = AUDIO_PT;
		wf_rtp_wr16(pkt + 2, seq++);
		wf_rtp_wr32(pkt + 4, ts);
		wf_rtp_wr32(pkt + 8, 0x0badcafe);
		ts += 960;
		sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to));
		sleep_ms(RTP_EVERY_MS);
	}
	close(fd);
	return NULL;
}

/* ---- the checks ---------------------------------------------------------- */

static void network_namespace_is_private_with_loopback_up(void)
{
	env.netns = wf_e2e_enter_test_netns() == 0;
}

static void whepfan_starts_and_its_stream_goes_live(void)
{
	struct wf_e2e_http_resp r;
	char loc[sizeof(r.location)];
	uint64_t end;
	FILE *f;
	int rc;

	WF_REQUIRE(env.netns);
	f = wf_e2e_conf_open(&wf, "wfadm", WF_E2E_WF_ADDR "/24");
	WF_REQUIRE(f != NULL);
	fprintf(f,
		"webrtc = { handshake_timeout_s = %d; };\n"
		"http = { listen = \"127.0.0.1:%d\"; max_sessions = %d; max_body = %d;\n"
		"         post_rate_per_ip = %d; post_burst_per_ip = %d;\n"
		"         max_pending_per_ip = %d; };\n"
		"streams = ( { name = \"cam\";\n"
		"  tracks = ( { kind = \"audio\"; port = %d; codec = \"opus\"; payload_type = %d; } );\n"
		"} );\n",
		HANDSHAKE_S, HTTP_PORT, MAX_SESSIONS, MAX_BODY, RATE, BURST,
		MAX_PENDING, WF_E2E_AUDIO_PORT, AUDIO_PT);
	WF_REQUIRE(fclose(f) == 0);
	rc = wf_e2e_spawn(&wf, WF_E2E_KERN_ADDR "/24", 15000 * SLOW);
	WF_REQUIRE(rc != -ENOENT || !"build <build>/whepfan first");
	WF_REQUIRE(rc == 0 || !"whepfan did not start (log below)");
	WF_REQUIRE(pthread_create(&feeder.th, NULL, feed, NULL) == 0);
	feeder.started = true;
	/* 409 until the source is latched; then one session, deleted */
	end = now_us() + 15000000ull * SLOW;
	do {
		sleep_ms(100);
		post_offer(GOOD, &r);
	} while (r.status != 201 && now_us() < end);
	WF_REQUIRE(r.status == 201 || !"no 201 for the first offer");
	snprintf(loc, sizeof(loc), "%s", r.location);
	WF_CHECK_EQ(request(GOOD, "DELETE", loc, &r), 0);
	WF_CHECK_EQ(r.status, 200);
	env.ready = true;
}

/* The flood's tally, added to by its threads. */
static struct {
	uint64_t t0_us;
	unsigned n_201, n_429_rate, n_429_pending, n_other, n_no_retry;
	volatile unsigned threads_left;
} fl;

static void *flood(void *arg)
{
	unsigned i, k = (unsigned)(uintptr_t)arg;
	struct wf_e2e_http_resp *r = malloc(sizeof(*r));

	for (i = k; r && i < N_FLOOD; i += FLOOD_THREADS) {
		uint64_t at = fl.t0_us + (uint64_t)i * 1000000u / FLOOD_PER_S;
		unsigned *n = &fl.n_other;

		while (now_us() < at)
			usleep(200);
		post_offer(ATTACKER, r);
		if (r->status == 201)
			n = &fl.n_201;
		else if (r->status == 429 && strstr(r->body, "post_rate_per_ip"))
			n = &fl.n_429_rate;
		else if (r->status == 429 && strstr(r->body, "max_pending_per_ip"))
			n = &fl.n_429_pending;
		__atomic_fetch_add(n, 1, __ATOMIC_RELAXED);
		if (r->status == 429 && atoi(r->retry_after) < 1)
			__atomic_fetch_add(&fl.n_no_retry, 1, __ATOMIC_RELAXED);
	}
	free(r);
	__atomic_fetch_sub(&fl.threads_left, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* What the second address saw while the flood ran. */
struct good_run {
	unsigned posts, n_201, deletes_ok;
	uint64_t worst_us;
	long long max_sessions;
	long rss_peak_kb;
};

/* One POST and DELETE from GOOD, timed; the figures into *g. */
static void good_round(struct good_run *g, struct wf_e2e_http_resp *r)
{
	char loc[sizeof(r->location)];
	uint64_t t = now_us(), dt;
	long long sessions;
	long rss;

	post_offer(GOOD, r);
	dt = now_us() - t;
	g->posts++;
	g->worst_us = dt > g->worst_us ? dt : g->worst_us;
	if (r->status == 201) {
		g->n_201++;
		snprintf(loc, sizeof(loc), "%s", r->location);
		if (request(GOOD, "DELETE", loc, r) == 0 && r->status == 200)
			g->deletes_ok++;
	}
	sessions = stat_of(NULL, "sessions");
	g->max_sessions = sessions > g->max_sessions ? sessions : g->max_sessions;
	rss = wf_e2e_vmrss_kb(wf.pid);
	g->rss_peak_kb = rss > g->rss_peak_kb ? rss : g->rss_peak_kb;
}

/* Runs the flood's threads and, until they are done, the second
 * address's rounds into *g.  Returns the flood's seconds (0: its threads
 * could not all start). */
static double run_flood(struct good_run *g)
{
	struct wf_e2e_http_resp *r = malloc(sizeof(*r));
	pthread_t th[FLOOD_THREADS];
	unsigned k, n_threads = 0;

	fl.t0_us = now_us() + 100000;
	fl.threads_left = FLOOD_THREADS;
	for (k = 0; k < FLOOD_THREADS; k++)
		if (pthread_create(&th[n_threads], NULL, flood, (void *)(uintptr_t)k) == 0)
			n_threads++;
	__atomic_fetch_sub(&fl.threads_left, FLOOD_THREADS - n_threads, __ATOMIC_RELEASE);
	while (__atomic_load_n(&fl.threads_left, __ATOMIC_ACQUIRE) > 0) {
		if (r)
			good_round(g, r);
		sleep_ms(GOOD_EVERY_MS);
	}
	for (k = 0; k < n_threads; k++)
		pthread_join(th[k], NULL);
	free(r);
	return n_threads == FLOOD_THREADS ? (double)(now_us() - fl.t0_us) / 1e6 : 0;
}

static void post_flood_gets_429_while_another_address_gets_201_and_memory_stays_bounded(void)
{
	struct good_run g = { .posts = 0 };
	long rss_before, rss_after;
	unsigned n_429, n_pending;
	double flood_s;

	WF_REQUIRE(env.ready);
	rss_before = wf_e2e_vmrss_kb(wf.pid);
	g.rss_peak_kb = rss_before;
	flood_s = run_flood(&g);
	WF_REQUIRE(flood_s > 0);
	n_429 = fl.n_429_rate + fl.n_429_pending;
	printf("  flood from " ATTACKER ": %u POSTs in %.1f s: %u x 201, %u x 429 (%u rate, %u "
	       "pending), %u other\n", N_FLOOD, flood_s, fl.n_201, n_429, fl.n_429_rate,
	       fl.n_429_pending, fl.n_other);
	printf("  " GOOD " meanwhile: %u of %u POSTs 201 (and deleted: %u), worst %.1f ms; "
	       "sessions at most %lld\n", g.n_201, g.posts, g.deletes_ok, g.worst_us / 1e3,
	       g.max_sessions);
	WF_CHECK_EQ(fl.n_201 + n_429, N_FLOOD);
	WF_CHECK_EQ(fl.n_other, 0);
	WF_CHECK_EQ(fl.n_no_retry, 0);
	WF_CHECK(fl.n_429_rate > 0 && fl.n_429_pending > 0);
	/* what the token bucket lets through at most */
	WF_CHECKF(fl.n_201 <= BURST + RATE * (flood_s + 1), "%u x 201 in %.1f s", fl.n_201,
		  flood_s);
	WF_CHECK(g.posts >= 5);
	WF_CHECK_EQ(g.n_201, g.posts);
	WF_CHECK_EQ(g.deletes_ok, g.n_201);
	WF_CHECKF(g.worst_us < GOOD_MAX_MS * 1000ull * SLOW, "worst 201 after %.1f ms",
		  g.worst_us / 1e3);
	/* the pending cap: the attacker's sessions and the one being deleted */
	WF_CHECKF(g.max_sessions <= MAX_PENDING + 1, "%lld sessions at once", g.max_sessions);
	/* every pending session is gone after the deadline */
	sleep_ms((HANDSHAKE_S * 1000 + 1500) * SLOW);
	WF_CHECK_EQ(stat_of(NULL, "sessions"), 0);
	WF_CHECK_EQ(stat_of("admission", "addresses_pending"), 0);
	n_pending = (unsigned)stat_of("admission", "handshake_timeout");
	WF_CHECKF(n_pending >= fl.n_201, "%u sessions timed out, %u created", n_pending, fl.n_201);
	WF_CHECK(stat_of("admission", "post_rate") >= fl.n_429_rate);
	WF_CHECK(stat_of("admission", "pending") >= fl.n_429_pending);
	rss_after = wf_e2e_vmrss_kb(wf.pid);
	printf("  whepfan VmRSS: %ld KiB before, %ld KiB at most during, %ld KiB after "
	       "(%u handshake timeouts)\n", rss_before, g.rss_peak_kb, rss_after, n_pending);
	WF_CHECK(rss_before > 0 && rss_after > 0);
#ifdef __SANITIZE_ADDRESS__
	printf("  (VmRSS not checked under AddressSanitizer: its quarantine keeps freed memory)\n");
#else
	WF_CHECKF(g.rss_peak_kb - rss_before < RSS_GROWTH_KB, "VmRSS grew by %ld KiB",
		  g.rss_peak_kb - rss_before);
#endif
}

/* ---- slowloris -------------------------------------------------------------- */

static const char slow_head[] = "GET /cam/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";

struct slow_conn {
	int fd;
	size_t sent;		/* bytes of the endless request so far */
	uint64_t next_us;	/* the next byte */
};

static struct {
	struct slow_conn c[N_SLOW];
	pthread_t th;
	bool started;
	volatile bool stop;
	unsigned connects, sends;
} sl;

/* A non-blocking connection from 127.0.1.(1 + i / 60) to the server. */
static int slow_connect(unsigned i)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(HTTP_PORT) };
	struct sockaddr_in src = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	src.sin_addr.s_addr = htonl(0x7f000101u + i / (N_SLOW / SLOW_ADDRS));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
	    (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	sl.connects++;
	return fd;
}

/* Connection i: one more byte when its second has come; a new
 * connection when the server closed it (the attack goes on). */
static void slow_step(unsigned i, uint64_t now)
{
	struct slow_conn *c = &sl.c[i];
	char b, in[512];
	ssize_t n;

	if (c->fd >= 0) {
		n = recv(c->fd, in, sizeof(in), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
			close(c->fd);
			c->fd = -1;
		}
	}
	if (c->fd < 0) {
		c->fd = slow_connect(i);
		c->sent = 0;
	}
	if (c->fd < 0 || now < c->next_us)
		return;
	b = c->sent < sizeof(slow_head) - 1 ? slow_head[c->sent] : 'a';
	if (send(c->fd, &b, 1, MSG_NOSIGNAL) == 1) {
		c->sent++;
		sl.sends++;
	}
	c->next_us = now + 1000000;
}

static void *slowloris(void *arg)
{
	uint64_t t0 = now_us();
	unsigned i;

	(void)arg;
	for (i = 0; i < N_SLOW; i++) {
		sl.c[i].fd = -1;
		sl.c[i].next_us = t0 + (uint64_t)i * 1000000u / N_SLOW;	/* spread over 1 s */
	}
	while (!sl.stop) {
		uint64_t now = now_us();

		for (i = 0; i < N_SLOW; i++)
			slow_step(i, now);
		sleep_ms(10);
	}
	for (i = 0; i < N_SLOW; i++)
		if (sl.c[i].fd >= 0)
			close(sl.c[i].fd);
	return NULL;
}

/* The descriptors N_SLOW connections and their reconnects need. */
static bool enough_descriptors(void)
{
	struct rlimit rl;
	rlim_t want = 4 * N_SLOW;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return false;
	if (rl.rlim_cur < want && rl.rlim_max >= want) {
		rl.rlim_cur = want;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur >= want;
}

static void slow_header_bytes_on_600_connections_leave_the_player_page_served(void)
{
	struct wf_e2e_http_resp *r = malloc(sizeof(*r));
	uint64_t worst = 0;
	unsigned p, n_200 = 0;
	long long evicted;

	WF_REQUIRE(r);
	if (!env.ready || !enough_descriptors()) {
		free(r);
		WF_REQUIRE(env.ready);
		WF_REQUIRE(!"not enough descriptors");
	}
	WF_REQUIRE(pthread_create(&sl.th, NULL, slowloris, NULL) == 0);
	sl.started = true;
	sleep_ms(SLOW_WARMUP_MS);
	for (p = 0; p < N_PROBES; p++) {
		uint64_t t = now_us(), dt;

		request(GOOD, "GET", "/cam/", r);
		dt = now_us() - t;
		worst = dt > worst ? dt : worst;
		if (r->status == 200 && strstr(r->body, "<video"))
			n_200++;
		sleep_ms(500);
	}
	evicted = stat_of("admission", "conn_evicted");
	printf("  slowloris: %u connections from %u addresses (%u made, %u bytes sent); the "
	       "player page %u of %u times, worst %.1f ms; %lld connections evicted, %lld open\n",
	       N_SLOW, SLOW_ADDRS, sl.connects, sl.sends, n_200, N_PROBES, worst / 1e3, evicted,
	       stat_of("admission", "http_connections"));
	sl.stop = true;
	pthread_join(sl.th, NULL);
	sl.started = false;
	WF_CHECK_EQ(n_200, N_PROBES);
	WF_CHECKF(worst < PAGE_MAX_MS * 1000ull * SLOW, "worst page after %.1f ms", worst / 1e3);
	/* the attack was over the limit: slots were taken back */
	WF_CHECK(evicted > 0);
	WF_CHECK(sl.connects > N_SLOW);
	free(r);
}

static void sigterm_stops_whepfan_with_exit_status_0(void)
{
	wf_e2e_check_sigterm(&wf, 10000 * SLOW);
}

int main(int argc, char **argv)
{
	int rc;

	wf_e2e_begin(&wf, argc, argv, 120 * SLOW, "hostile clients");

	WF_RUN(network_namespace_is_private_with_loopback_up);
	WF_RUN(whepfan_starts_and_its_stream_goes_live);
	WF_RUN(post_flood_gets_429_while_another_address_gets_201_and_memory_stays_bounded);
	WF_RUN(slow_header_bytes_on_600_connections_leave_the_player_page_served);
	if (sl.started) {
		sl.stop = true;
		pthread_join(sl.th, NULL);
	}
	WF_RUN(sigterm_stops_whepfan_with_exit_status_0);

	feeder.stop = true;
	if (feeder.started)
		pthread_join(feeder.th, NULL);
	if (wf_test.failed)
		wf_e2e_print_log(&wf);
	rc = wf_test_done();
	wf_e2e_cleanup(&wf);
	return rc;
}
