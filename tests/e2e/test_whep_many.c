/* test_whep_many.c: thousands of live WHEP sessions at once against whepfan
 * with two worker lcores, from one process (tests/common/whep_client).
 *
 * whepfan runs on net_tap in a private network namespace with one stream
 * (H.264 + Opus from tests/common/rtp_source, WF_WHEP_MANY_FPS frames and
 * packets per second, default 10) and "(0-2)@(0-1)" lcores (the main
 * lcore and two workers floating on two CPUs).  Then:
 *   - N viewers (WF_WHEP_MANY, default 2000) come up: POST, ICE with
 *     USE-CANDIDATE, DTLS, SRTP, with at most WF_WHEP_MANY_WINDOW
 *     (default 64) between their answer and their keys so the slow path is
 *     not swamped, spread over WF_WHEP_MANY_ADDRS (default 8) source
 *     addresses 198.18.0.2, .3, ... on the tap's kernel side (UDP and HTTP
 *     from the same address, as a browser behind its own address would);
 *   - telemetry shows every one live (sessions, viewers, each worker's
 *     own count, both workers used); every viewer receives media; a sample
 *     decrypts it and checks it byte for byte against the source;
 *   - whepfan's VmRSS before the sessions and with all live, and the
 *     growth per live session (slow path and worker together) are printed,
 *     with the time each phase took;
 *   - all end in the same moment: a third by DELETE, a third by
 *     close_notify, a third by going silent (consent expires); sessions,
 *     viewers and each worker's viewers return to 0; a new viewer still
 *     connects; SIGTERM exits 0.
 * Viewers left on a worker after their sessions ended fail it (issue 9:
 * replies matched to the wrong worker, removals lost when the control
 * pool ran dry).
 * When whepfan has the per-address admission settings
 * (http.max_pending_per_ip, http.max_sessions_per_ip, http.post_rate_per_ip,
 * http.post_burst_per_ip;
 * checked with --check-config) the test raises them so they do not pace
 * the bring-up; a 409, 429 or 503 is retried after its Retry-After anyway.
 * Only 198.18.0.0/15 and loopback are used, inside a namespace that
 * vanishes with this process.  Every wait is bounded.
 */
#include <errno.h>
#include <limits.h>
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
#include "common/rtp_source.h"
#include "common/whep_client.h"
#include "wf_test.h"

#define LCORES		"(0-2)@(0-1)"	/* main lcore and two workers on two CPUs */
#define WORKERS		2
#define HTTP_PORT	8889
#define CONSENT_S	10		/* webrtc.consent_timeout_s */
#define SETTLE_S	2		/* dtls.settle_s: live sessions leave OpenSSL */
/* Issue 9's budget: 24 KiB per live session on the slow path, 4 KiB on
 * the worker. */
#define MAX_BYTES_PER_SESSION	((24 + 4) * 1024)
#define KEEPALIVE_MS	2000		/* viewers' consent checks */
#define MAX_SENT	65536		/* source packets recorded per track */
#define DEFAULT_N	2000
#define DEFAULT_ADDRS	8
#define MAX_ADDRS	64
#define DEFAULT_WINDOW	64
#define SAMPLES		40		/* viewers that decrypt and check their media */
/* Frames per second of each track (video frames, audio packets): 10 keeps
 * 2,000 viewers at ~21 packets/s each, ~42,000 packets/s through net_tap
 * (at 30 fps video and 50 audio packets/s, 2,000 viewers need ~170,000,
 * more than two shared vCPUs give net_tap: see the report in the log) */
#define DEFAULT_FPS	10
#define HANDSHAKE_US	(20000000ull * WF_E2E_SLOW)	/* one viewer's POST to keys */
#define SLOW		WF_E2E_SLOW

#define now_us		wf_e2e_now_us

static struct wf_e2e_proc wf = { .pid = 0 };

static struct {
	bool netns;
	bool ready;			/* whepfan up, addresses, hub */
	bool admission;			/* whepfan has the per-address settings */
	bool no_stream;			/* write_conf() leaves the stream out */
	unsigned n, n_addrs, window, fps;
	char addr[MAX_ADDRS][16];
	int src_sock[2];
	struct wf_rtp_src src;
	struct wf_wc_hub *hub;
	struct wf_wc **c;		/* env.n viewers, NULL until created */
	char (*names)[16];		/* theirs */
	unsigned live;			/* viewers with keys */
	long rss_before_kb, rss_live_kb;
	uint64_t t_bringup_us;
} env = { .src_sock = { -1, -1 } };

/* ---- small helpers ----------------------------------------------------------- */

/* An unsigned setting from the environment in [lo, hi], else def. */
static unsigned env_uint(const char *name, unsigned def, unsigned lo, unsigned hi)
{
	const char *s = getenv(name);
	unsigned long v;
	char *end;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi) {
		printf("  %s=\"%s\": want %u-%u, using %u\n", name, s, lo, hi, def);
		return def;
	}
	return (unsigned)v;
}

static void src_tick(void *arg)
{
	wf_rtp_src_tick(arg);
}

static void pump(unsigned ms)
{
	wf_wc_pump(env.hub, ms, NULL, NULL);
}

static long long stat_of(const char *section, const char *key)
{
	return wf_e2e_stat(&wf, "/whepfan/stats", section, key);
}

/* Viewers worker w holds by its own count (/whepfan/lcores). */
static long long worker_viewers(unsigned w)
{
	char name[16];

	snprintf(name, sizeof(name), "worker%u", w);
	return wf_e2e_stat(&wf, "/whepfan/lcores", name, "viewers");
}

/* No session, no viewer, and no worker holds one. */
static bool counts_are_zero(void)
{
	unsigned w;

	if (stat_of(NULL, "sessions") != 0 || stat_of(NULL, "viewers") != 0)
		return false;
	for (w = 0; w < WORKERS; w++)
		if (worker_viewers(w) != 0)
			return false;
	return true;
}

/* whepfan's counters as they are, for whoever reads a failure. */
static void print_stats(void)
{
	static char js[65536];

	if (wf_e2e_telemetry(&wf, "/whepfan/stats", js, sizeof(js)) == 0)
		printf("  /whepfan/stats: %s\n", js);
}

static void print_rss(const char *what, long kb)
{
	printf("  whepfan VmRSS %s: %ld KiB (%.1f MiB)\n", what, kb, (double)kb / 1024);
}

/* ---- whepfan --------------------------------------------------------------------- */

/* Writes the configuration; with the per-address admission settings when
 * admission is set. */
static int write_conf(bool admission)
{
	FILE *f = fopen(wf.conf, "w");

	if (!f)
		return -errno;
	wf_e2e_conf_dpdk(f, &wf, &(struct wf_e2e_dpdk){ .lcores = LCORES, .mem_mb = 1024, .mbufs = 32767 });
	fprintf(f,
		"webrtc = { udp_port = %d; consent_timeout_s = %d; };\n"
		"dtls = { settle_s = %d; };\n"
		"http = { listen = \"127.0.0.1:%d\"; max_sessions = %u; cors_origin = \"\";\n",
		WF_E2E_WEBRTC_PORT, CONSENT_S, SETTLE_S, HTTP_PORT, env.n + 16);
	/* the limits one address may use: the whole window, and POSTs as
	 * fast as the test makes them */
	if (admission)
		fprintf(f, "  max_pending_per_ip = %u; max_sessions_per_ip = 0;\n"
			"  post_rate_per_ip = %u; post_burst_per_ip = %u;\n", env.window, env.n, env.n);
	if (env.no_stream) {
		fprintf(f, "};\nstreams = ( );\n");
		return fclose(f) == 0 ? 0 : -EIO;
	}
	fprintf(f,
		"};\n"
		"streams = (\n"
		"  { name = \"cam\"; history_ms = 1000;\n"
		"    tracks = (\n"
		WF_E2E_AV_TRACKS "\n"
		"    ); }\n"
		");\n");
	return fclose(f) == 0 ? 0 : -EIO;
}

/* Whether whepfan accepts the configuration as written (--check-config). */
static bool conf_valid(void)
{
	return wf_e2e_sh("%s/whepfan -- -c %s --check-config >/dev/null 2>&1", wf.build,
			 wf.conf) == 0;
}

/* ---- the checks ------------------------------------------------------------------- */

static void network_namespace_is_private_with_loopback_up(void)
{
	WF_REQUIRE(wf_e2e_enter_test_netns() == 0);
	env.netns = true;
}

static void whepfan_starts_with_two_workers_and_room_for_every_session(void)
{
	unsigned i;
	int rc;

	WF_REQUIRE(env.netns);
	WF_REQUIRE(wf_e2e_prepare(&wf, "wfmany") == 0);
	WF_REQUIRE(write_conf(true) == 0);
	env.admission = conf_valid();
	if (!env.admission)
		WF_REQUIRE(write_conf(false) == 0 && conf_valid());
	printf("  %u viewers from %u addresses, %u handshakes at a time, %u video frames and "
	       "audio packets per second; per-address admission settings %s\n", env.n,
	       env.n_addrs, env.window, env.fps,
	       env.admission ? "raised to the window" : "not in this whepfan");
	rc = wf_e2e_spawn(&wf, WF_E2E_KERN_ADDR "/24", 15000 * SLOW);
	WF_REQUIRE(rc != -ENOENT || !"build <build>/whepfan first");
	WF_REQUIRE(rc == 0 || !"whepfan did not start (log below)");
	for (i = 0; i < env.n_addrs; i++) {
		snprintf(env.addr[i], sizeof(env.addr[i]), "198.18.0.%u", 2 + i);
		if (i)
			WF_REQUIRE(wf_e2e_sh("ip addr add %s/24 dev %s", env.addr[i], wf.iface) == 0);
	}
	WF_REQUIRE(wf_e2e_av_source(&env.src, env.src_sock,
				    &(struct wf_rtp_src_av){ .fps = env.fps, .aps = env.fps },
				    MAX_SENT) == 0);
	env.hub = wf_wc_hub_create(&(struct wf_wc_hub_conf){
		.http_addr = "127.0.0.1", .http_port = HTTP_PORT, .ice_addr = WF_E2E_WF_ADDR,
		.ice_port = WF_E2E_WEBRTC_PORT, .video_pt = WF_E2E_OFFER_VIDEO_PT, .audio_pt = WF_E2E_OFFER_AUDIO_PT,
		.src = &env.src, .max_clients = env.n + 16, .tick = src_tick,
		.tick_arg = &env.src });
	WF_REQUIRE(env.hub != NULL || !"hub: cannot raise RLIMIT_NOFILE or no memory");
	env.c = calloc(env.n, sizeof(*env.c));
	env.names = calloc(env.n, sizeof(*env.names));
	WF_REQUIRE(env.c && env.names);
	env.ready = true;
}

static bool http_up(void)
{
	struct wf_e2e_http_resp r;

	return wf_wc_http(env.hub, NULL, "GET", "/", NULL, NULL, 0, &r) == 0 && r.status == 200;
}

/* A second's worth of packets on both tracks. */
static bool media_flows(void *arg)
{
	return wf_wc_media_both(arg, env.fps);
}

/* One viewer through the whole path before the crowd: whepfan's one-time
 * allocations (OpenSSL, HTTP, hash tables) happen before the baseline. */
static void a_first_viewer_gets_media_then_the_baseline_is_taken(void)
{
	struct wf_wc_opts o = { .name = "first", .addr = WF_E2E_KERN_ADDR, .http_addr = WF_E2E_KERN_ADDR,
				.media = WF_WC_MEDIA_VERIFY };
	uint64_t end = now_us() + 10000000ull * SLOW;
	struct wf_wc *c;
	int st = 409;

	WF_REQUIRE(env.ready);
	while (!http_up() && now_us() < end)
		usleep(50000);
	WF_REQUIRE(http_up() || !"HTTP does not answer");
	env.src.running = true;
	c = wf_wc_create(env.hub, &o);
	WF_REQUIRE(c != NULL);
	while (now_us() < end && (st = wf_wc_post(c, "cam", NULL, NULL)) == 409)
		pump(100);	/* the stream is live a few packets after the source starts */
	WF_E2E_CHECK_ERRLOG(&c->answer_err);
	WF_CHECK_EQ(st, 201);
	if (st == 201) {
		WF_CHECK(wf_wc_connect(c, NULL) == WF_DTLS_CONNECTED);
		wf_wc_pump(env.hub, 3000 * SLOW, media_flows, c);
		WF_CHECK(media_flows(c));
		WF_CHECK_EQ(wf_wc_delete(c, NULL, NULL), 200);
		WF_E2E_CHECK_ERRLOG(&c->err);
		WF_E2E_CHECK_ERRLOG(&c->trk[0].err);
	}
	wf_wc_free(c);
	pump(1500);	/* history filled, the session freed */
	env.rss_before_kb = wf_e2e_vmrss_kb(wf.pid);
	print_rss("before the sessions", env.rss_before_kb);
	WF_CHECK(env.rss_before_kb > 0);
	WF_CHECK_EQ(stat_of(NULL, "sessions"), 0);
}

/* Viewer i: its address, every (n / SAMPLES)th decrypts and checks, all
 * keep consent. */
static struct wf_wc *viewer_new(unsigned i)
{
	unsigned step = env.n / SAMPLES ? env.n / SAMPLES : 1;
	struct wf_wc_opts o = {
		.name = env.names[i], .addr = env.addr[i % env.n_addrs],
		.http_addr = env.addr[i % env.n_addrs], .keepalive_ms = KEEPALIVE_MS,
		/* as a browser keeps checking: 10 s */
		.connect_tries = 20, .connect_retry_ms = 500,
		.media = i % step == 0 ? WF_WC_MEDIA_VERIFY : WF_WC_MEDIA_COUNT,
	};

	snprintf(env.names[i], sizeof(env.names[i]), "viewer%u", i);
	return wf_wc_create(env.hub, &o);
}

/* The bring-up: viewers in flight between their POST and their keys. */
struct flight {
	unsigned idx[4096];
	uint64_t t_post[4096];
	unsigned n;
};

struct bringup {
	unsigned next, failed, retries;
	uint64_t post_us, retry_at;
	uint64_t connect_max_us, connect_sum_us;
	struct wf_e2e_errlog err;
};

/* POSTs viewer env.c[b->next]'s offer; 1 when it is in flight, 0 when
 * whepfan asked to come back later, -1 when it failed. */
static int post_next(struct bringup *b, struct flight *f)
{
	static struct wf_e2e_http_resp r;
	unsigned i = b->next;
	uint64_t t0 = now_us();
	int st;

	if (!env.c[i])
		env.c[i] = viewer_new(i);
	if (!env.c[i]) {
		wf_e2e_errlog_add(&b->err, "viewer %u: %s", i, strerror(errno));
		return -1;
	}
	st = wf_wc_post(env.c[i], "cam", NULL, &r);
	b->post_us += now_us() - t0;
	if (st == 201) {
		wf_wc_connect_start(env.c[i], NULL, true);
		f->idx[f->n] = i;
		f->t_post[f->n++] = now_us();
		return 1;
	}
	if (st == 409 || st == 429 || st == 503) {
		/* come back after Retry-After (at least 100 ms) */
		b->retries++;
		b->retry_at = now_us() + (atoi(r.retry_after) > 0 ?
					  (uint64_t)atoi(r.retry_after) * 1000000 : 100000);
		return 0;
	}
	wf_e2e_errlog_add(&b->err, "viewer %u: POST %d %.80s%s", i, st, r.body,
			  env.c[i]->answer_err.n ? env.c[i]->answer_err.msg[0] : "");
	return -1;
}

/* Takes the viewers that got their keys, or failed, out of the flight. */
static void reap(struct bringup *b, struct flight *f)
{
	uint64_t now = now_us();
	unsigned k = 0;

	while (k < f->n) {
		struct wf_wc *c = env.c[f->idx[k]];
		enum wf_dtls_state ds = wf_wc_dtls_state(c);
		bool gave_up = !c->connect_ctx && !c->dtls;	/* no ICE answer */

		if (c->keyed) {
			env.live++;
			b->connect_sum_us += c->st.connect_us;
			if (c->st.connect_us > b->connect_max_us)
				b->connect_max_us = c->st.connect_us;
		} else if (gave_up || ds == WF_DTLS_FAILED || ds == WF_DTLS_CLOSED ||
			   now - f->t_post[k] > HANDSHAKE_US) {
			b->failed++;
			wf_e2e_errlog_add(&b->err, "%s (%s): %s after %.1f s, %u checks answered",
					  c->name, c->id, gave_up ? "no ICE answer" :
					  wf_dtls_state_name(ds), (double)(now - f->t_post[k]) / 1e6,
					  c->st.stun_ok);
		} else {
			k++;
			continue;
		}
		f->idx[k] = f->idx[f->n - 1];
		f->t_post[k] = f->t_post[--f->n];
	}
}

static void every_viewer_comes_up_live_through_the_window(void)
{
	static struct flight f;
	struct bringup b = { 0 };
	uint64_t t0 = now_us(), deadline = t0 + 240000000ull * SLOW, last_print = t0;

	WF_REQUIRE(env.ready && env.rss_before_kb > 0);
	while (env.live + b.failed < env.n && now_us() < deadline) {
		while (f.n < env.window && b.next < env.n && now_us() >= b.retry_at) {
			int rc = post_next(&b, &f);

			if (rc == 0)
				break;
			b.failed += rc < 0;
			b.next++;
		}
		pump(2);
		reap(&b, &f);
		if (now_us() - last_print >= 5000000) {
			last_print = now_us();
			printf("  %5.1f s: %u live, %u in flight, %u posted\n",
			       (double)(last_print - t0) / 1e6, env.live, f.n, b.next);
		}
	}
	env.t_bringup_us = now_us() - t0;
	printf("  %u of %u live in %.1f s (%.0f per second); POSTs took %.1f s in all "
	       "(%.2f ms each), %u came back later\n", env.live, env.n,
	       (double)env.t_bringup_us / 1e6, env.live / ((double)env.t_bringup_us / 1e6),
	       (double)b.post_us / 1e6, (double)b.post_us / 1e3 / (b.next ? b.next : 1), b.retries);
	printf("  answer to keys (ICE + DTLS): %.0f ms on average, %.0f ms at most\n",
	       env.live ? (double)b.connect_sum_us / 1e3 / env.live : 0.0,
	       (double)b.connect_max_us / 1e3);
	WF_E2E_CHECK_ERRLOG(&b.err);
	WF_CHECK_EQ(env.live, env.n);
	WF_CHECK_EQ(b.failed, 0);
	if (env.live != env.n)
		print_stats();
}

static void telemetry_shows_every_session_live_on_both_workers(void)
{
	long long v[WORKERS];
	unsigned w;

	WF_REQUIRE(env.live == env.n);
	pump(200);
	WF_CHECK_EQ(stat_of(NULL, "sessions"), env.n);
	WF_CHECK_EQ(stat_of(NULL, "viewers"), env.n);
	WF_CHECK_EQ(stat_of("webrtc", "sessions_live"), env.n + 1);	/* and the first */
	for (w = 0; w < WORKERS; w++)
		v[w] = worker_viewers(w);
	printf("  viewers per worker: %lld, %lld; DTLS retransmissions %lld, slow-path frames "
	       "dropped on a full worker ring %lld\n", v[0], v[1],
	       stat_of("webrtc", "dtls_retransmits"), stat_of("slow_path", "tx_full"));
	WF_CHECK_EQ(v[0] + v[1], env.n);
	WF_CHECKF(v[0] > 0 && v[1] > 0, "viewers per worker %lld, %lld", v[0], v[1]);
}

static void media_reaches_every_viewer_and_the_sample_checks_byte_for_byte(void)
{
	unsigned *before = calloc(env.n, sizeof(*before));
	unsigned i, silent = 0, sample = 0, worst = UINT_MAX, early = 0, early_pkts = 0;
	uint64_t pkts = 0;

	WF_REQUIRE(env.live == env.n && before);
	for (i = 0; i < env.n; i++)
		before[i] = env.c[i]->trk[0].n_rtp + env.c[i]->trk[1].n_rtp;
	pump(2000);
	for (i = 0; i < env.n; i++) {
		struct wf_wc *c = env.c[i];
		unsigned got = c->trk[0].n_rtp + c->trk[1].n_rtp - before[i];

		silent += !got;
		early += c->st.srtp_before_keys > 0;
		early_pkts += c->st.srtp_before_keys;
		if (got < worst)
			worst = got;
		pkts += got;
		WF_E2E_CHECK_ERRLOG(&c->answer_err);
		WF_E2E_CHECK_ERRLOG(&c->err);
		WF_E2E_CHECK_ERRLOG(&c->ice_err);
		if (c->opts.media != WF_WC_MEDIA_VERIFY)
			continue;
		sample++;
		WF_E2E_CHECK_ERRLOG(&c->trk[0].err);
		WF_E2E_CHECK_ERRLOG(&c->trk[1].err);
		WF_CHECKF(c->trk[0].chk->n_rtp > 0 && c->trk[1].chk->n_rtp > 0 &&
			  c->trk[0].n_sr && c->trk[1].n_sr, "%s: %u video, %u audio checked, SRs %u %u",
			  c->name, c->trk[0].chk->n_rtp, c->trk[1].chk->n_rtp, c->trk[0].n_sr,
			  c->trk[1].n_sr);
	}
	printf("  in 2 s: %llu packets to %u viewers (%.0f per second, the fewest %u), "
	       "%u viewers checked byte for byte\n", (unsigned long long)pkts, env.n,
	       (double)pkts / 2, worst, sample);
	/* whepfan sends the handshake's last flight before the viewer's first
	 * packet, even when the flight waits in the worker's ring behind
	 * others (worker.c: control()): a browser would drop SRTP that comes
	 * before its keys and wait for the next key frame */
	printf("  %u viewers got SRTP before their handshake completed (%u packets)\n", early,
	       early_pkts);
	WF_CHECK_EQ(early, 0);
	WF_CHECKF(silent == 0, "%u viewers got no media in 2 s", silent);
	if (silent || wf_test.cur_failures)
		print_stats();
	WF_CHECK(sample >= 1);
	free(before);
}

static void memory_per_live_session_is_printed(void)
{
	double per;

	uint64_t t0 = now_us();
	long long settled = 0;

	WF_REQUIRE(env.live == env.n && env.rss_before_kb > 0);
	/* every live session's DTLS leaves OpenSSL after dtls.settle_s, and
	 * whepfan gives the freed heap back (session.c: heap_trim) */
	while (now_us() - t0 < (SETTLE_S + 10) * 1000000ull * SLOW) {
		settled = stat_of("webrtc", "dtls_settled");
		if (settled >= env.n)
			break;
		pump(250);
	}
	pump(1500);
	WF_CHECKF(settled >= env.n, "%lld of %u sessions settled", settled, env.n);
	env.rss_live_kb = wf_e2e_vmrss_kb(wf.pid);
	WF_REQUIRE(env.rss_live_kb > 0);
	per = (double)(env.rss_live_kb - env.rss_before_kb) * 1024 / env.n;
	print_rss("with every session live", env.rss_live_kb);
	printf("  slow-path + worker memory per live session: %.0f bytes (%.1f KiB), "
	       "%u sessions, %lld settled\n", per, per / 1024, env.n, settled);
#ifndef __SANITIZE_ADDRESS__	/* ASan's redzones and quarantine say nothing of ours */
	WF_CHECKF(per <= MAX_BYTES_PER_SESSION, "%.0f bytes per live session (budget %d)", per,
		  MAX_BYTES_PER_SESSION);
#endif
}

/* The close_notify answering a DELETE or consent expiry reached c. */
static bool saw_close(const struct wf_wc *c)
{
	return wf_wc_dtls_state(c) == WF_DTLS_CLOSED;
}

static void all_sessions_end_at_once_and_the_counts_return_to_zero(void)
{
	unsigned i, n_del = 0, del_fail = 0, closed[3] = { 0, 0, 0 };
	long long left, on_worker[WORKERS];
	uint64_t t0, t_sent, end;

	WF_REQUIRE(env.live == env.n);
	t0 = now_us();
	/* a third falls silent and a third sends close_notify in the same
	 * moment; a third is DELETEd right after */
	for (i = 0; i < env.n; i++)
		if (i % 3 == 0)
			wf_wc_set_keepalive(env.c[i], false);
		else if (i % 3 == 1)
			wf_wc_close_notify(env.c[i]);
	for (i = 2; i < env.n; i += 3, n_del++)
		del_fail += wf_wc_delete(env.c[i], NULL, NULL) != 200;
	t_sent = now_us();
	printf("  silence and close_notify at once, %u DELETEs in %.2f s\n", n_del,
	       (double)(t_sent - t0) / 1e6);
	WF_CHECKF(del_fail == 0, "%u DELETEs not answered 200", del_fail);
	end = t0 + (CONSENT_S + 6) * 1000000ull * SLOW;
	while (now_us() < end && !counts_are_zero()) {
		if (stat_of(NULL, "sessions") == 0 && now_us() > t0 + (CONSENT_S + 2) * 1000000ull)
			break;	/* every session is gone: nothing more will end */
		pump(250);
	}
	printf("  %.1f s after the end began (consent_timeout_s %d): %lld sessions, %lld "
	       "viewers\n", (double)(now_us() - t0) / 1e6, CONSENT_S, stat_of(NULL, "sessions"),
	       stat_of(NULL, "viewers"));
	WF_CHECK_EQ(stat_of(NULL, "sessions"), 0);
	left = stat_of(NULL, "viewers");
	for (i = 0; i < WORKERS; i++)
		on_worker[i] = worker_viewers(i);
	WF_CHECKF(!left && !on_worker[0] && !on_worker[1],
		  "every session ended but the workers keep %lld and %lld viewers (%lld counted)",
		  on_worker[0], on_worker[1], left);

	pump(500);	/* the last close_notify in flight */
	for (i = 0; i < env.n; i++)
		closed[i % 3] += saw_close(env.c[i]);
	printf("  close_notify from whepfan reached %u of the silent, %u of the DELETEd "
	       "viewers\n", closed[0], closed[2]);
}

static void a_new_viewer_connects_after_the_mass_end(void)
{
	struct wf_wc_opts o = { .name = "after", .addr = WF_E2E_KERN_ADDR, .http_addr = WF_E2E_KERN_ADDR,
				.media = WF_WC_MEDIA_VERIFY };
	struct wf_wc *c;

	WF_REQUIRE(env.ready);
	c = wf_wc_create(env.hub, &o);
	WF_REQUIRE(c != NULL);
	WF_CHECK_EQ(wf_wc_post(c, "cam", NULL, NULL), 201);
	WF_E2E_CHECK_ERRLOG(&c->answer_err);
	WF_CHECK(wf_wc_connect(c, NULL) == WF_DTLS_CONNECTED);
	wf_wc_pump(env.hub, 3000 * SLOW, media_flows, c);
	WF_CHECK(media_flows(c));
	WF_CHECK_EQ(stat_of(NULL, "viewers"), 1);
	WF_E2E_CHECK_ERRLOG(&c->trk[0].err);
	WF_E2E_CHECK_ERRLOG(&c->trk[1].err);
	wf_wc_free(c);
}

/* All of them again, then a reload removes the stream: every session and
 * viewer ends in the same tick, four times as many removals as the
 * control-message pool holds (511): those that find it empty wait and go
 * when it refills (registry.c); none is lost. */
static void a_reload_removing_the_stream_ends_every_session_in_one_tick(void)
{
	static char js[65536];
	uint64_t t0, end;
	unsigned i;

	WF_REQUIRE(env.ready);
	for (i = 0; i < env.n; i++) {
		wf_wc_free(env.c[i]);
		env.c[i] = NULL;
	}
	env.live = 0;
	every_viewer_comes_up_live_through_the_window();
	WF_REQUIRE(env.live == env.n);
	env.no_stream = true;
	WF_REQUIRE(write_conf(env.admission) == 0);
	t0 = now_us();
	WF_REQUIRE(kill(wf.pid, SIGHUP) == 0);
	end = t0 + 10000000ull * SLOW;
	while (now_us() < end && !counts_are_zero())
		pump(100);
	WF_REQUIRE(wf_e2e_telemetry(&wf, "/whepfan/stats", js, sizeof(js)) == 0);
	printf("  reload removing the stream: %u sessions ended, counts 0 after %.2f s; "
	       "control messages that waited for room: %lld\n", env.n,
	       (double)(now_us() - t0) / 1e6, wf_e2e_json_num(js, "slow_path", "ctrl_retried"));
	WF_CHECK(counts_are_zero());
	WF_CHECK_EQ(stat_of(NULL, "sessions"), 0);
	WF_CHECK_EQ(stat_of(NULL, "viewers"), 0);
	WF_CHECK_EQ(worker_viewers(0) + worker_viewers(1), 0);
}

static void sigterm_stops_whepfan_with_exit_status_0(void)
{
	WF_REQUIRE(wf.pid > 0);
	env.src.running = false;
	wf_e2e_check_sigterm(&wf, 15000 * SLOW);
}

int main(int argc, char **argv)
{
	uint64_t seed, t0 = now_us();
	int rc;

	wf_test_init(argc, argv);
	wf_e2e_find_build(&wf, argv[0]);
	env.n = env_uint("WF_WHEP_MANY", DEFAULT_N, 3, 100000);
	env.n_addrs = env_uint("WF_WHEP_MANY_ADDRS", DEFAULT_ADDRS, 1, MAX_ADDRS);
	env.window = env_uint("WF_WHEP_MANY_WINDOW", DEFAULT_WINDOW, 1, 4096);
	env.fps = env_uint("WF_WHEP_MANY_FPS", DEFAULT_FPS, 1, 50);
	seed = wf_e2e_seed_from_clock();
	printf("# end-to-end: %u live WHEP sessions through %s/whepfan (seed %llu)\n", env.n,
	       wf.build, (unsigned long long)seed);
	wf_e2e_guard(&wf, 300 * SLOW);

	WF_RUN(network_namespace_is_private_with_loopback_up);
	WF_RUN(whepfan_starts_with_two_workers_and_room_for_every_session);
	WF_RUN(a_first_viewer_gets_media_then_the_baseline_is_taken);
	WF_RUN(every_viewer_comes_up_live_through_the_window);
	WF_RUN(telemetry_shows_every_session_live_on_both_workers);
	WF_RUN(media_reaches_every_viewer_and_the_sample_checks_byte_for_byte);
	WF_RUN(memory_per_live_session_is_printed);
	WF_RUN(all_sessions_end_at_once_and_the_counts_return_to_zero);
	WF_RUN(a_new_viewer_connects_after_the_mass_end);
	WF_RUN(a_reload_removing_the_stream_ends_every_session_in_one_tick);
	WF_RUN(sigterm_stops_whepfan_with_exit_status_0);

	if (wf_test.failed)
		wf_e2e_print_log(&wf);
	wf_wc_hub_free(env.hub);
	free(env.c);
	free(env.names);
	wf_e2e_av_source_free(&env.src, env.src_sock);
	printf("  %.1f s in all\n", (double)(now_us() - t0) / 1e6);
	rc = wf_test_done();
	wf_e2e_cleanup(&wf);
	return rc;
}
