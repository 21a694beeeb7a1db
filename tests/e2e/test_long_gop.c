/* test_long_gop.c: a stream cannot take the packet pool (issue 10).
 *
 * Runs the real whepfan (<build>/whepfan) with one worker and the default
 * dpdk.mbufs in a private network namespace on net_tap, with two streams
 * from the kernel side of the tap (198.18.0.2):
 *   - "normal": H.264 at 30 fps, a key frame every second (tests/common
 *     rtp_source), relayed as plain RTP to 198.18.0.2:6000 where every
 *     packet is checked against the source: in order, gap-free, byte for
 *     byte;
 *   - "longgop": 1,000 packets a second of H.264 with one key frame at the
 *     start and none after (a long GOP, intra refresh), relayed to :6010.
 * For LONG_GOP_S (60 s; WF_LONG_GOP_S to change) the mbufs in use, sampled
 * every second, must stay within the receive rings' baseline plus the two
 * streams' history budgets (streams[].history_mbufs) and the slack; the
 * normal stream's receiver must lose nothing.  Without the budget the long
 * GOP's history keeps every packet since its key frame (its time window
 * stops at the key-frame cache) until the pool is empty.
 * Only 198.18.0.0/15 and loopback are used.  Every wait is bounded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/e2e.h"
#include "common/rtp_source.h"
#include "rtp/rtp.h"
#include "wf_test.h"

#define NORMAL_PORT	5004
#define LONG_PORT	5010
#define NORMAL_OUT	6000
#define LONG_OUT	6010
#define VIDEO_PT	96
#define LONG_PPS	1000		/* the long GOP's packets a second */
#define LONG_PAYLOAD	1000
#define LONG_CATCHUP_US	20000	/* at most this much backlog sent at once */
#define LONG_GOP_S	60
#define HISTORY_MBUFS	2048		/* the default streams[].history_mbufs */
#define SLACK		512		/* app/slow/mbufs.h WF_MBUFS_SLACK */
#define MAX_SENT	16384		/* packets the normal source records */
#define SLOW		WF_E2E_SLOW

static struct wf_e2e_proc wf = { .pid = 0 };

static struct {
	bool ready;
	int src_fd, long_fd, out_fd, long_out_fd;
	struct wf_rtp_src src;
	struct wf_rtp_check *chk;
	struct wf_e2e_errlog err;
	unsigned got, long_got;
	uint16_t long_seq;
	uint32_t long_ts, long_ssrc;
	uint64_t long_next_us;
	unsigned long_sent;
	long long mbufs_base, mbufs_max;
	long long tap_drops0, sock_drops0;	/* the kernel's, at the sources' start */
} env = { .src_fd = -1, .long_fd = -1, .out_fd = -1, .long_out_fd = -1 };

static void send_to(int fd, uint16_t port, const void *p, size_t n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, WF_E2E_WF_ADDR, &to.sin_addr);
	sendto(fd, p, n, 0, (struct sockaddr *)&to, sizeof(to));
}

/* The long GOP's packets that are due: an IDR first (RFC 6184 single NAL,
 * type 5), then non-IDR slices (type 1) only, a frame every 33 packets. */
static void long_tick(void)
{
	uint8_t p[12 + LONG_PAYLOAD];
	uint64_t now = wf_e2e_now_us();

	if (!env.long_next_us)
		env.long_next_us = now;
	/* a test starved of CPU does not catch up in one burst: thousands of
	 * packets at once overflow the tap's and whepfan's receive queues, and
	 * the normal stream's packets with them (seen on a loaded machine) */
	if ((int64_t)(now - env.long_next_us) > LONG_CATCHUP_US)
		env.long_next_us = now - LONG_CATCHUP_US;
	while (env.long_next_us <= now) {
		bool end = env.long_sent % 33 == 32;

		memset(p, 0xab, sizeof(p));
		p[0] = 0x80;
		p[1] = (uint8_t)((end ? 0x80 : 0) | VIDEO_PT);
		wf_rtp_wr16(p + 2, env.long_seq++);
		wf_rtp_wr32(p + 4, env.long_ts);
		wf_rtp_wr32(p + 8, env.long_ssrc);
		p[12] = env.long_sent == 0 ? 0x65 : 0x41;	/* IDR, then non-IDR */
		send_to(env.long_fd, LONG_PORT, p, sizeof(p));
		if (end)
			env.long_ts += 3000;
		env.long_sent++;
		env.long_next_us += 1000000 / LONG_PPS;
	}
}

static void drain(void)
{
	uint8_t buf[2048];
	ssize_t n;

	while ((n = recv(env.out_fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		if (!wf_rtp_is_rtcp(buf, (size_t)n))	/* sender reports come too */
			env.got += wf_rtp_check_packet(env.chk, &env.src, 0, "normal", buf,
						       (int)n, &env.err);
	while (recv(env.long_out_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		env.long_got++;
}

static void pump(unsigned ms)
{
	uint64_t end = wf_e2e_now_us() + (uint64_t)ms * 1000;
	struct pollfd pf[2] = { { .fd = env.out_fd, .events = POLLIN },
				{ .fd = env.long_out_fd, .events = POLLIN } };

	while (wf_e2e_now_us() < end) {
		wf_rtp_src_tick(&env.src);
		if (env.long_fd >= 0 && env.long_ssrc)
			long_tick();
		poll(pf, 2, 1);
		drain();
	}
}

/* The normal stream loses nothing.  When it does, the kernel's counts
 * say where: the tap's queue toward whepfan (whepfan did not read fast
 * enough, or the sources sent too much at once) or the receiving socket's
 * buffer (this process starved of CPU); neither moving puts the loss
 * inside whepfan. */
static void the_normal_stream_loses_nothing(void)
{
	unsigned sent = env.src.trk[0].n;
	long long tap = wf_e2e_iface_tx_dropped(wf.iface) - env.tap_drops0;
	long long sock = wf_e2e_udp_socket_drops(NORMAL_OUT) - env.sock_drops0;

	if (env.err.n || env.got + 10 < sent)
		printf("  normal stream: %u of %u packets; the kernel dropped %lld on the tap "
		       "toward whepfan and %lld at the receiving socket\n", env.got, sent, tap, sock);
	WF_E2E_CHECK_ERRLOG(&env.err);
	/* every packet but those still in flight when the source stopped */
	WF_CHECKF(env.got + 10 >= sent, "normal: %u of %u packets", env.got, sent);
}

static long long mbufs_in_use(void)
{
	return wf_e2e_stat(&wf, "/whepfan/info", NULL, "mbufs_in_use");
}

static void whepfan_starts_with_a_normal_and_a_long_gop_stream(void)
{
	FILE *f;

	WF_REQUIRE(wf_e2e_enter_test_netns() == 0);
	WF_REQUIRE(wf_e2e_prepare(&wf, "wfgop") == 0);
	f = fopen(wf.conf, "w");
	WF_REQUIRE(f != NULL);
	/* dpdk.mbufs and history_mbufs: the defaults */
	fprintf(f,
		"dpdk = { eal = [ \"--no-huge\", \"-m\", \"512\", \"--no-pci\", \"-l\", \"0-1\",\n"
		"  \"--file-prefix\", \"%s\", \"--vdev\", \"net_tap0,iface=%s\" ]; };\n"
		"ports = ( { name = \"net_tap0\"; address = \"" WF_E2E_WF_ADDR "/24\"; } );\n"
		"http = { listen = \"127.0.0.1:18893\"; };\n"
		"streams = (\n"
		"  { name = \"normal\"; tracks = ( { kind = \"video\"; port = %d; codec = \"H264\";\n"
		"      payload_type = %d; fmtp = \"packetization-mode=1;profile-level-id=42e01f\"; } );\n"
		"    outputs = ( { address = \"" WF_E2E_KERN_ADDR ":%d\"; } ); },\n"
		"  { name = \"longgop\"; tracks = ( { kind = \"video\"; port = %d; codec = \"H264\";\n"
		"      payload_type = %d; fmtp = \"packetization-mode=1;profile-level-id=42e01f\"; } );\n"
		"    outputs = ( { address = \"" WF_E2E_KERN_ADDR ":%d\"; } ); }\n"
		");\n", wf.prefix, wf.iface, NORMAL_PORT, VIDEO_PT, NORMAL_OUT, LONG_PORT, VIDEO_PT,
		LONG_OUT);
	WF_REQUIRE(fclose(f) == 0);
	WF_REQUIRE(wf_e2e_spawn(&wf, WF_E2E_KERN_ADDR "/24", 15000 * SLOW) == 0);
	env.src_fd = wf_e2e_udp_socket(WF_E2E_KERN_ADDR, 5000);
	env.long_fd = wf_e2e_udp_socket(WF_E2E_KERN_ADDR, 5002);
	env.out_fd = wf_e2e_udp_socket(WF_E2E_KERN_ADDR, NORMAL_OUT);
	env.long_out_fd = wf_e2e_udp_socket(WF_E2E_KERN_ADDR, LONG_OUT);
	WF_REQUIRE(env.src_fd >= 0 && env.long_fd >= 0 && env.out_fd >= 0 && env.long_out_fd >= 0);
	WF_REQUIRE(wf_rtp_src_init(&env.src, WF_E2E_WF_ADDR, (struct wf_rtp_src_track_conf[]){
		{ .name = "video", .video = true, .pt = VIDEO_PT, .dports = { NORMAL_PORT },
		  .ssrc = wf_e2e_rnd() | 1, .seq = (uint16_t)wf_e2e_rnd(), .ts = wf_e2e_rnd(),
		  .clock = 90000, .ts_step = 3000, .period_us = 33333, .gop = 30, .sliced = true,
		  .fd = env.src_fd } }, 1, MAX_SENT) == 0);
	env.chk = wf_rtp_check_new(&env.src);
	WF_REQUIRE(env.chk != NULL);
	env.ready = true;
}

static void mbufs_stay_within_the_budgets_and_the_normal_stream_loses_nothing(void)
{
	unsigned secs = 0, duration;
	const char *d = getenv("WF_LONG_GOP_S");
	long long budget;

	WF_REQUIRE(env.ready);
	duration = d && atoi(d) > 0 ? (unsigned)atoi(d) : LONG_GOP_S;
	pump(1500 * SLOW);	/* the outputs resolve ARP and go active */
	env.mbufs_base = mbufs_in_use();
	WF_REQUIRE(env.mbufs_base > 0);
	budget = env.mbufs_base + 2 * HISTORY_MBUFS + SLACK;
	env.tap_drops0 = wf_e2e_iface_tx_dropped(wf.iface);
	env.sock_drops0 = wf_e2e_udp_socket_drops(NORMAL_OUT);
	WF_REQUIRE(env.tap_drops0 >= 0 && env.sock_drops0 >= 0);
	env.src.running = true;
	env.long_ssrc = wf_e2e_rnd() | 1;
	while (secs < duration) {
		long long m;

		pump(1000);
		secs++;
		m = mbufs_in_use();
		if (m > env.mbufs_max)
			env.mbufs_max = m;
		if (secs % 15 == 0)
			printf("  %3u s: %lld mbufs in use (most %lld, budget %lld); normal %u packets, "
			       "long GOP %u sent, %u relayed\n", secs, m, env.mbufs_max, budget, env.got,
			       env.long_sent, env.long_got);
	}
	env.src.running = false;
	pump(300);
	printf("  %u s: mbufs in use at most %lld (%lld before the sources: the receive rings), "
	       "budget %lld; normal stream %u of %u packets relayed in order\n", duration,
	       env.mbufs_max, env.mbufs_base, budget, env.got, env.src.trk[0].n);
	WF_CHECKF(env.mbufs_max <= budget, "%lld mbufs in use, budget %lld", env.mbufs_max, budget);
	the_normal_stream_loses_nothing();
	WF_CHECK(env.long_got > env.long_sent / 2);
	WF_CHECK_EQ(wf_e2e_stat(&wf, "/whepfan/stats", "drops", "mbuf_alloc"), 0);
	WF_CHECK_EQ(wf_e2e_stat(&wf, "/whepfan/stats", "net_tap0", "rx_nombuf"), 0);
}

static void sigterm_stops_whepfan_with_exit_status_0(void)
{
	wf_e2e_check_sigterm(&wf, 10000 * SLOW);
}

int main(int argc, char **argv)
{
	wf_e2e_begin(&wf, argc, argv, (LONG_GOP_S + 60) * SLOW,
		     "a long-GOP stream next to a normal one");
	WF_RUN(whepfan_starts_with_a_normal_and_a_long_gop_stream);
	WF_RUN(mbufs_stay_within_the_budgets_and_the_normal_stream_loses_nothing);
	WF_RUN(sigterm_stops_whepfan_with_exit_status_0);
	if (wf_test.failed)
		wf_e2e_print_log(&wf);
	wf_rtp_check_free(env.chk);
	wf_rtp_src_free(&env.src);
	return wf_test_done();
}
