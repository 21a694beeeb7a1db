/* test_rss_churn.c: whepfan's RSS does not grow with session churn
 * (issue 11, found by the soak).
 *
 * The registry hands out viewer slots next-fit (a hint that moves on), so
 * churn walks each worker's viewer table from one end to the other.  A
 * table whose pages were first touched when a slot was first used made RSS
 * grow by ~4 KiB a new slot until every slot had had a viewer once: with
 * the soak's http.max_sessions = 2000 that is ~7.5 MiB, reached after
 * several minutes of churn, indistinguishable from a leak.  Here whepfan
 * (one worker, room for 1000 sessions) serves one stream; after a warm-up,
 * CYCLES rounds of BATCH viewers each connect (ICE, DTLS, media) and leave
 * by DELETE, so CYCLES × BATCH slots are used for the first time; the
 * resident part of whepfan's DPDK memory (the --no-huge memfd: viewer
 * tables, peer table, mempools) may grow by at most MAX_GROWTH_KB over
 * them.  Its whole VmRSS is printed but not checked: the slow path's heap
 * and code pages settle only after hundreds more sessions (the soak checks
 * it).  Only 198.18.0.0/15 and loopback are used, in a namespace of this
 * process's own.
 */
#include <stdio.h>

#include "common/e2e.h"
#include "common/rtp_source.h"
#include "common/whep_client.h"
#include "wf_test.h"

#define HTTP_PORT	18895
#define MAX_SESSIONS	1000
#define BATCH		8		/* viewers up at once */
#define WARMUP		4		/* rounds before the baseline */
#define CYCLES		30		/* rounds measured: 240 slots used anew */
#define MAX_GROWTH_KB	256		/* one slot is ~4 KiB: 240 would be ~900 KiB */
#define DPDK_MEM	"nohuge"	/* smaps name of DPDK's --no-huge memory */
#define MAX_SENT	65536
#define SLOW		WF_E2E_SLOW

static struct wf_e2e_proc wf = { .pid = 0 };

static struct {
	bool ready;
	int src_fd[2];
	struct wf_rtp_src src;
	struct wf_wc_hub *hub;
	unsigned connected, deleted;
} env = { .src_fd = { -1, -1 } };

static void src_tick(void *arg)
{
	wf_rtp_src_tick(arg);
}

static void whepfan_starts_with_room_for_a_thousand_sessions(void)
{
	FILE *f;

	WF_REQUIRE(wf_e2e_enter_test_netns() == 0);
	f = wf_e2e_conf_open(&wf, "wfrss", WF_E2E_WF_ADDR "/24");
	WF_REQUIRE(f != NULL);
	fprintf(f,
		"webrtc = { udp_port = %d; };\n"
		"http = { listen = \"127.0.0.1:%d\"; max_sessions = %d; cors_origin = \"\";\n"
		"  post_rate_per_ip = 1000; post_burst_per_ip = 1000; };\n"
		"streams = ( { name = \"cam\"; tracks = (\n"
		WF_E2E_AV_TRACKS " ); } );\n",
		WF_E2E_WEBRTC_PORT, HTTP_PORT, MAX_SESSIONS);
	WF_REQUIRE(fclose(f) == 0);
	WF_REQUIRE(wf_e2e_spawn(&wf, WF_E2E_KERN_ADDR "/24", 15000 * SLOW) == 0);
	WF_REQUIRE(wf_e2e_av_source(&env.src, env.src_fd, &(struct wf_rtp_src_av){ .fps = 10, .aps = 10 },
				    MAX_SENT) == 0);
	env.src.running = true;
	env.hub = wf_wc_hub_create(&(struct wf_wc_hub_conf){
		.http_addr = "127.0.0.1", .http_port = HTTP_PORT, .ice_addr = WF_E2E_WF_ADDR,
		.ice_port = WF_E2E_WEBRTC_PORT, .video_pt = WF_E2E_OFFER_VIDEO_PT, .audio_pt = WF_E2E_OFFER_AUDIO_PT,
		.max_clients = BATCH + 16, .tick = src_tick, .tick_arg = &env.src });
	WF_REQUIRE(env.hub != NULL);
	env.ready = true;
}

static bool batch_has_media(void *arg)
{
	struct wf_wc **c = arg;
	unsigned i;

	for (i = 0; i < BATCH; i++)
		if (c[i] && !wf_wc_media_both(c[i], 2))
			return false;
	return true;
}

/* BATCH viewers connect and get media, then all leave by DELETE. */
static void round_of_viewers(void)
{
	struct wf_wc *c[BATCH] = { NULL };
	uint64_t end = wf_e2e_now_us() + 5000000ull * SLOW;
	unsigned i;
	int st;

	for (i = 0; i < BATCH; i++) {
		c[i] = wf_wc_create(env.hub, &(struct wf_wc_opts){ .addr = WF_E2E_KERN_ADDR });
		if (!c[i])
			continue;
		/* 409 until the stream has its first packets */
		while ((st = wf_wc_post(c[i], "cam", NULL, NULL)) == 409 && wf_e2e_now_us() < end)
			wf_wc_pump(env.hub, 100, NULL, NULL);
		if (st != 201 || wf_wc_connect_start(c[i], NULL, true) < 0) {
			wf_wc_free(c[i]);
			c[i] = NULL;
		}
	}
	wf_wc_pump(env.hub, 5000 * SLOW, batch_has_media, c);
	for (i = 0; i < BATCH; i++) {
		if (!c[i])
			continue;
		env.connected += wf_wc_media_both(c[i], 2);
		env.deleted += wf_wc_delete(c[i], NULL, NULL) == 200;
		wf_wc_free(c[i]);
	}
}

static void rss_stays_level_while_churn_walks_the_viewer_table(void)
{
	long rss0, rss1, dpdk0, dpdk1;
	unsigned r, want = CYCLES * BATCH;

	WF_REQUIRE(env.ready);
	for (r = 0; r < WARMUP; r++)
		round_of_viewers();
	wf_wc_pump(env.hub, 500, NULL, NULL);
	rss0 = wf_e2e_vmrss_kb(wf.pid);
	dpdk0 = wf_e2e_smaps_rss_kb(wf.pid, DPDK_MEM);
	env.connected = env.deleted = 0;
	for (r = 0; r < CYCLES; r++)
		round_of_viewers();
	wf_wc_pump(env.hub, 500, NULL, NULL);
	rss1 = wf_e2e_vmrss_kb(wf.pid);
	dpdk1 = wf_e2e_smaps_rss_kb(wf.pid, DPDK_MEM);
	printf("  %u sessions connected and deleted (of %u): DPDK memory resident %ld -> %ld KiB "
	       "(%+ld KiB, at most %+d); whepfan VmRSS %ld -> %ld KiB (%+ld)\n", env.connected,
	       want, dpdk0, dpdk1, dpdk1 - dpdk0, MAX_GROWTH_KB, rss0, rss1, rss1 - rss0);
	WF_REQUIRE(rss0 > 0 && rss1 > 0 && dpdk0 > 0 && dpdk1 > 0);
	/* the churn really used new slots */
	WF_CHECKF(env.connected >= want * 9 / 10, "%u of %u viewers got media", env.connected,
		  want);
	WF_CHECK_EQ(env.deleted, env.connected);
	WF_CHECKF(dpdk1 - dpdk0 <= MAX_GROWTH_KB, "DPDK memory grew by %ld KiB", dpdk1 - dpdk0);
	WF_CHECK_EQ(wf_e2e_stat(&wf, "/whepfan/stats", NULL, "sessions"), 0);
}

static void sigterm_stops_whepfan_with_exit_status_0(void)
{
	wf_e2e_check_sigterm(&wf, 10000 * SLOW);
}

int main(int argc, char **argv)
{
	wf_e2e_begin(&wf, argc, argv, 180 * SLOW, "RSS under session churn");
	WF_RUN(whepfan_starts_with_room_for_a_thousand_sessions);
	WF_RUN(rss_stays_level_while_churn_walks_the_viewer_table);
	WF_RUN(sigterm_stops_whepfan_with_exit_status_0);
	if (wf_test.failed)
		wf_e2e_print_log(&wf);
	wf_wc_hub_free(env.hub);
	wf_e2e_av_source_free(&env.src, env.src_fd);
	return wf_test_done();
}
