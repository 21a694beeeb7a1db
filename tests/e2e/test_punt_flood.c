/* test_punt_flood.c: end to end, a flood of punts cannot take a viewer's
 * consent (finding F3).
 *
 * Runs the real whepfan (<build>/whepfan) with one worker in a private
 * network namespace on net_tap, with webrtc.consent_timeout_s = 5 (the
 * smallest), a stream fed from the kernel side of the tap (198.18.0.2) and
 * one live viewer there (tests/common/whep_client, consent checks every
 * 500 ms).  Frames are written raw (AF_PACKET on the tap) by a second
 * thread while the viewer runs:
 *   1. spoofed junk from the viewer's own 5-tuple, 8,000 a second for 7 s
 *      (longer than the consent timeout): STUN Binding requests naming
 *      ufrags that are not the session's, STUN-looking garbage and
 *      DTLS-looking records.  Before the ufrag tag this was all classed as
 *      the viewer's (PEER) and took its bucket: the viewer's checks were
 *      lost and it was torn down after the consent timeout;
 *   2. STUN and ICMP echo from many spoofed sources in 198.18.0.0/15 (off
 *      the tap's /24), as fast as the thread can write, for 7 s, while the
 *      kernel forgets whepfan's MAC three times and must resolve it again.
 * Each phase: every consent check answered (the last may be in flight),
 * no gap in the viewer's media over GAP_MAX_MS, the viewer still there at
 * the end; ARP resolved again each time within ARP_MAX_MS.  The figures
 * (checks answered/sent, largest media gap, flood rate, punts by class and
 * drops) are printed.  Only 198.18.0.0/15 and loopback are used, inside a
 * namespace that vanishes with this process; every wait is bounded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/e2e.h"
#include "common/rtp_source.h"
#include "common/whep_client.h"
#include "rtp/rtp.h"
#include "stun/stun.h"
#include "wf_test.h"

#define HTTP_PORT	8889
#define VIEWER_PORT	40000
#define CONSENT_S	5		/* the smallest webrtc.consent_timeout_s */
#define KEEPALIVE_MS	500		/* the viewer's consent checks */
#define FLOOD_MS	7000		/* each phase: longer than the consent timeout */
#define SPOOF_PPS	8000
/* The many-source flood: 1.5 times the NEW class's budget on a worker and
 * 60 times ICMP's.  Unpaced (WF_PUNT_FLOOD_PPS=0) the sending thread
 * writes 90,000 to 290,000 frames a second here, and on a machine of two
 * shared CPUs it takes the CPU whepfan's worker needs to read the tap:
 * frames, consent checks among them, are then lost before whepfan's
 * classifier, which says nothing about the punt path. */
#define MANY_PPS	30000
#define GAP_MAX_MS	400		/* largest media gap allowed (video is 30 fps) */
#define ARP_MAX_MS	1000		/* ARP resolved again within */
#define ARP_ROUNDS	3
#define N_STUN		64		/* prebuilt junk Binding requests */
#define BATCH		32
#define MAX_SENT	8192
#define SLOW		WF_E2E_SLOW

#define now_us wf_e2e_now_us

static struct wf_e2e_proc wf = { .pid = 0 };

static struct {
	bool netns, ready, live;
	int src_sock[2];
	int pkt_sock;
	int ifindex;
	uint8_t wf_mac[6], kern_mac[6];
	struct wf_rtp_src src;
	struct wf_wc_hub *hub;
	struct wf_wc *c;
	uint8_t stun[N_STUN][128];	/* Binding requests naming other ufrags */
	int stun_len[N_STUN];
} env = { .src_sock = { -1, -1 }, .pkt_sock = -1 };

/* ---- raw frames ------------------------------------------------------------ */

/* Ethernet + IPv4 header from src (host order) to whepfan, protocol proto,
 * l4 bytes after it; returns the frame's length. */
static size_t frame_ip(uint8_t *f, uint32_t src, uint8_t proto, size_t l4)
{
	uint8_t *ip = f + 14;

	memcpy(f, env.wf_mac, 6);
	memcpy(f + 6, env.kern_mac, 6);
	wf_rtp_wr16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	wf_rtp_wr16(ip + 2, (uint16_t)(20 + l4));
	ip[8] = 64;
	ip[9] = proto;
	ip[12] = (uint8_t)(src >> 24);
	ip[13] = (uint8_t)(src >> 16);
	ip[14] = (uint8_t)(src >> 8);
	ip[15] = (uint8_t)src;
	inet_pton(AF_INET, WF_E2E_WF_ADDR, ip + 16);
	wf_rtp_wr16(ip + 10, wf_e2e_inet_csum(ip, 20));
	return 14 + 20 + l4;
}

/* A UDP datagram from src:sport to whepfan's WebRTC port (checksum 0:
 * none, RFC 768). */
static size_t frame_udp(uint8_t *f, uint32_t src, uint16_t sport, const uint8_t *p, size_t n)
{
	uint8_t *udp = f + 34;

	wf_rtp_wr16(udp, sport);
	wf_rtp_wr16(udp + 2, WF_E2E_WEBRTC_PORT);
	wf_rtp_wr16(udp + 4, (uint16_t)(8 + n));
	wf_rtp_wr16(udp + 6, 0);
	memcpy(udp + 8, p, n);
	return frame_ip(f, src, IPPROTO_UDP, 8 + n);
}

/* An ICMP echo request (RFC 792) from src. */
static size_t frame_icmp(uint8_t *f, uint32_t src, uint16_t seq)
{
	uint8_t *icmp = f + 34;

	memset(icmp, 0, 40);
	icmp[0] = 8;
	wf_rtp_wr16(icmp + 4, 0x5046);
	wf_rtp_wr16(icmp + 6, seq);
	memset(icmp + 8, 0x5a, 32);
	wf_rtp_wr16(icmp + 2, wf_e2e_inet_csum(icmp, 40));
	return frame_ip(f, src, IPPROTO_ICMP, 40);
}

/* The flood thread's own generator (xorshift64*): the test's
 * (wf_e2e_rnd) belongs to the main thread. */
static uint64_t flood_rng = 0x9e3779b97f4a7c15ull;

static uint32_t frnd(void)
{
	flood_rng ^= flood_rng >> 12;
	flood_rng ^= flood_rng << 25;
	flood_rng ^= flood_rng >> 27;
	return (uint32_t)((flood_rng * 0x2545f4914f6cdd1dull) >> 32);
}

static void frnd_fill(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)frnd();
}

/* Junk from the viewer's own 5-tuple, by k: a Binding request naming
 * another session, STUN-looking garbage, a DTLS application-data record
 * of epoch 1 that cannot authenticate. */
static size_t spoof_frame(uint8_t *f, uint32_t k, uint32_t viewer)
{
	uint8_t p[128];

	switch (k % 3) {
	case 0:
		return frame_udp(f, viewer, VIEWER_PORT, env.stun[k / 3 % N_STUN],
				 (size_t)env.stun_len[k / 3 % N_STUN]);
	case 1:
		frnd_fill(p, 60);
		p[0] &= 3;
		return frame_udp(f, viewer, VIEWER_PORT, p, 60);
	default:
		frnd_fill(p, 80);
		p[0] = 23;		/* application_data (RFC 6347 §4.1) */
		p[1] = 0xfe;
		p[2] = 0xfd;
		p[3] = 0;
		p[4] = 1;		/* epoch 1 */
		wf_rtp_wr16(p + 11, 67);
		return frame_udp(f, viewer, VIEWER_PORT, p, 80);
	}
}

/* A source in 198.18.0.0/15 off the tap's /24 (198.18.0.0/24): whepfan
 * has no route back, nothing it could answer leaves the tap. */
static uint32_t many_source(uint32_t r)
{
	uint32_t a = 0xc6120000u | (r & 0x1ffff);

	return (a & 0xffffff00u) == 0xc6120000u ? a | 0x100 : a;
}

/* Many sources: a junk Binding request or an ICMP echo, by k. */
static size_t many_frame(uint8_t *f, uint32_t k)
{
	uint32_t r = frnd();

	if (k % 2)
		return frame_icmp(f, many_source(r), (uint16_t)k);
	return frame_udp(f, many_source(r), (uint16_t)(1024 + (r >> 17) % 60000),
			 env.stun[k / 2 % N_STUN], (size_t)env.stun_len[k / 2 % N_STUN]);
}

/* ---- the flood thread ------------------------------------------------------ */

struct flood {
	bool many;		/* many sources (else the viewer's 5-tuple) */
	unsigned pps;		/* 0: as fast as it can */
	unsigned ms;
	uint32_t viewer;	/* the viewer's address, host order */
	volatile bool stop;
	uint64_t sent, t0_us, t1_us;
};

static void *flood_main(void *arg)
{
	static uint8_t frames[BATCH][256];
	struct flood *fl = arg;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = env.ifindex,
				   .sll_halen = 6 };
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	uint64_t end, k = 0;
	unsigned i;

	memcpy(sll.sll_addr, env.wf_mac, 6);
	memset(msg, 0, sizeof(msg));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = frames[i];
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
		msg[i].msg_hdr.msg_name = &sll;
		msg[i].msg_hdr.msg_namelen = sizeof(sll);
	}
	flood_rng = (flood_rng ^ wf_e2e_now_us() << 1) | 1;
	fl->t0_us = now_us();
	end = fl->t0_us + fl->ms * 1000ull;
	while (!fl->stop) {
		uint64_t now = now_us();
		unsigned n = BATCH;
		int sent;

		if (now >= end)
			break;
		if (fl->pps) {
			/* paced: what is due by now, at most a batch */
			uint64_t due = (now - fl->t0_us) * fl->pps / 1000000;

			if (due <= fl->sent) {
				usleep(200);
				continue;
			}
			if (due - fl->sent < n)
				n = (unsigned)(due - fl->sent);
		}
		for (i = 0; i < n; i++, k++)
			iov[i].iov_len = fl->many ? many_frame(frames[i], (uint32_t)k) :
				spoof_frame(frames[i], (uint32_t)k, fl->viewer);
		sent = sendmmsg(env.pkt_sock, msg, n, 0);
		if (sent > 0)
			fl->sent += (unsigned)sent;
		else if (!fl->pps)
			usleep(50);	/* ENOBUFS: the tap is full */
	}
	fl->t1_us = now_us();
	return NULL;
}

/* ---- the viewer ------------------------------------------------------------ */

/* The viewer's media as the flood goes on. */
static struct {
	unsigned last_n;
	uint64_t last_us, max_gap_us;
} watch;

static unsigned media_count(void)
{
	return env.c->trk[0].n_rtp + env.c->trk[1].n_rtp;
}

/* Called by the pump after every round: notes media arrivals and the
 * largest gap between them. */
static bool watch_media(void *arg)
{
	unsigned n = media_count();
	uint64_t now = now_us();

	(void)arg;
	if (n != watch.last_n) {
		if (watch.last_us && now - watch.last_us > watch.max_gap_us)
			watch.max_gap_us = now - watch.last_us;
		watch.last_n = n;
		watch.last_us = now;
	}
	return false;
}

static void watch_start(void)
{
	watch.last_n = media_count();
	watch.last_us = now_us();
	watch.max_gap_us = 0;
}

/* The gap up to now counts too (media that stopped for good). */
static uint64_t watch_gap(void)
{
	uint64_t now = now_us();

	return now - watch.last_us > watch.max_gap_us ? now - watch.last_us : watch.max_gap_us;
}

static void pump(unsigned ms)
{
	wf_wc_pump(env.hub, ms, watch_media, NULL);
}

static void src_tick(void *arg)
{
	wf_rtp_src_tick(arg);
}

static bool media_both(void *arg)
{
	return wf_wc_media_both(arg, 5);
}

static bool http_up(void)
{
	struct wf_e2e_http_resp r;

	return wf_wc_http(env.hub, NULL, "GET", "/", NULL, NULL, 0, &r) == 0 && r.status == 200;
}

/* ---- telemetry ------------------------------------------------------------- */

static char tel[65536];

static long long num(const char *section, const char *key)
{
	return wf_e2e_json_num(tel, section, key);
}

/* Prints the punt figures of /whepfan/stats; false when unreadable. */
static bool print_punts(const char *when)
{
	if (wf_e2e_telemetry(&wf, "/whepfan/stats", tel, sizeof(tel)) != 0)
		return false;
	printf("  %s: punted by class: arp %lld, peer %lld, new %lld, icmp %lld; "
	       "peer_unmatched %lld\n", when, num("punted_by_class", "arp"),
	       num("punted_by_class", "peer"), num("punted_by_class", "new"),
	       num("punted_by_class", "icmp"), num(NULL, "peer_unmatched"));
	printf("  %s: drops police_peer %lld, police_peer_all %lld, police_new %lld, "
	       "police_new_all %lld, police_icmp %lld, police_icmp_all %lld, punt_full %lld, "
	       "punt_prio_full %lld\n", when, num("drops", "police_peer"),
	       num("drops", "police_peer_all"), num("drops", "police_new"),
	       num("drops", "police_new_all"), num("drops", "police_icmp"),
	       num("drops", "police_icmp_all"), num("drops", "punt_full"),
	       num("drops", "punt_prio_full"));
	return true;
}

/* Prints where an ARP answer (or a frame to the kernel) could have been
 * lost: the ARP class's policing, the slow path's transmit ring and
 * pool, the worker's transmit queue, the slow loop's worst pause, and
 * what the kernel dropped of what whepfan wrote to it. */
static void print_arp_path(const char *when)
{
	printf("  %s: arp in %lld; drops police_arp %lld, police_arp_all %lld, tx_full %lld, "
	       "no_route %lld; slow path tx_full %lld, tx_nombuf %lld, loop_max_us %lld; "
	       "the kernel dropped %lld of whepfan's frames\n", when,
	       num("slow_path", "arp_in"), num("drops", "police_arp"),
	       num("drops", "police_arp_all"), num("drops", "tx_full"), num("drops", "no_route"),
	       num("slow_path", "tx_full"), num("slow_path", "tx_nombuf"),
	       num("slow_path", "loop_max_us"), wf_e2e_iface_rx_dropped(wf.iface));
}

/* ---- the checks ------------------------------------------------------------ */

static void whepfan_starts_and_a_viewer_goes_live(void)
{
	struct ifreq ifr;
	uint64_t end;
	FILE *f;
	int rc, i;

	WF_REQUIRE(wf_e2e_enter_test_netns() == 0);
	env.netns = true;
	WF_REQUIRE(wf_e2e_prepare(&wf, "wfpunt") == 0);
	f = fopen(wf.conf, "w");
	WF_REQUIRE(f != NULL);
	wf_e2e_conf_dpdk(f, &wf, &(struct wf_e2e_dpdk){ .lcores = "0-1", .mbufs = 16383 });
	fprintf(f,
		"webrtc = { udp_port = %d; consent_timeout_s = %d; };\n"
		"http = { listen = \"127.0.0.1:%d\"; max_sessions = 4; };\n"
		"streams = (\n"
		"  { name = \"cam\";\n"
		"    tracks = (\n"
		WF_E2E_AV_TRACKS "\n"
		"    ); }\n"
		");\n",
		WF_E2E_WEBRTC_PORT, CONSENT_S, HTTP_PORT);
	WF_REQUIRE(fclose(f) == 0);
	rc = wf_e2e_spawn(&wf, WF_E2E_KERN_ADDR "/24", 15000 * SLOW);
	WF_REQUIRE(rc != -ENOENT || !"build <build>/whepfan first");
	WF_REQUIRE(rc == 0 || !"whepfan did not start (log below)");
	env.ifindex = (int)if_nametoindex(wf.iface);
	WF_REQUIRE(env.ifindex > 0);
	env.pkt_sock = socket(AF_PACKET, SOCK_RAW, 0);	/* send only */
	WF_REQUIRE(env.pkt_sock >= 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", wf.iface);
	WF_REQUIRE(ioctl(env.pkt_sock, SIOCGIFHWADDR, &ifr) == 0);
	memcpy(env.kern_mac, ifr.ifr_hwaddr.sa_data, 6);
	WF_REQUIRE(wf_e2e_av_source(&env.src, env.src_sock, NULL, MAX_SENT) == 0);
	env.hub = wf_wc_hub_create(&(struct wf_wc_hub_conf){
		.http_addr = "127.0.0.1", .http_port = HTTP_PORT, .ice_addr = WF_E2E_WF_ADDR,
		.ice_port = WF_E2E_WEBRTC_PORT, .video_pt = 102, .audio_pt = 109, .max_clients = 4,
		.tick = src_tick, .tick_arg = &env.src });
	WF_REQUIRE(env.hub != NULL);
	end = now_us() + 10000000ull * SLOW;
	while (!http_up() && now_us() < end)
		usleep(50000);
	WF_REQUIRE(http_up() || !"HTTP does not answer");
	env.src.running = true;
	wf_wc_pump(env.hub, 500, NULL, NULL);
	env.c = wf_wc_create(env.hub, &(struct wf_wc_opts){ .name = "viewer", .addr = WF_E2E_KERN_ADDR,
		.port = VIEWER_PORT, .media = WF_WC_MEDIA_DECRYPT, .keepalive_ms = KEEPALIVE_MS });
	WF_REQUIRE(env.c != NULL);
	WF_REQUIRE(wf_wc_post(env.c, "cam", NULL, NULL) == 201);
	WF_REQUIRE(wf_wc_connect(env.c, NULL) == WF_DTLS_CONNECTED);
	wf_wc_set_keepalive(env.c, true);
	wf_wc_pump(env.hub, 3000 * SLOW, media_both, env.c);
	WF_REQUIRE(media_both(env.c) || !"no media within 3 s of the handshake");
	WF_REQUIRE(wf_e2e_arp_lookup(WF_E2E_WF_ADDR, env.wf_mac));
	/* junk checks: well-formed Binding requests naming ufrags that are
	 * not the session's (whepfan's ufrag is in env.c->s_ufrag) */
	for (i = 0; i < N_STUN; i++) {
		uint8_t txid[WF_STUN_TXID_LEN];
		char u[9];

		wf_e2e_rnd_fill(txid, sizeof(txid));
		do
			wf_e2e_rnd_ice(u, 8);
		while (!strcmp(u, env.c->s_ufrag));
		env.stun_len[i] = wf_stun_build_binding_request(env.stun[i], sizeof(env.stun[i]),
			&(struct wf_stun_request_params){ .txid = txid, .remote_ufrag = u,
				.local_ufrag = env.c->ufrag, .remote_pwd = "not-the-password-at-all",
				.priority = 1, .tie_breaker = wf_e2e_rnd(), .controlling = true });
		WF_REQUIRE(env.stun_len[i] > 0);
	}
	printf("  viewer live at " WF_E2E_KERN_ADDR ":%d, server ufrag %s\n", VIEWER_PORT,
	       env.c->s_ufrag);
	env.live = true;
}

/* Runs flood fl for its time while the viewer goes on (and, when arp is
 * set, the kernel forgets whepfan's MAC ARP_ROUNDS times); then checks
 * and prints the viewer's figures. */
static void run_phase(const char *what, struct flood *fl, bool arp)
{
	unsigned sent0 = env.c->st.stun_sent, ok0 = env.c->st.stun_ok, sent, ok;
	long long peer0 = -1, peer_drops0 = -1, peer, peer_drops;
	unsigned arp_done = 0, arp_next_ms = FLOOD_MS / (ARP_ROUNDS + 1);
	uint64_t t0, arp_t0 = 0, arp_worst = 0;
	pthread_t th;
	double secs;

	long long rx0, rx, drop0, drop;

	WF_REQUIRE(env.live);
	rx0 = wf_e2e_stat(&wf, "/whepfan/stats", NULL, "rx_pkts");
	if (wf_e2e_telemetry(&wf, "/whepfan/stats", tel, sizeof(tel)) == 0) {
		peer0 = num("punted_by_class", "peer");
		peer_drops0 = num("drops", "police_peer") + num("drops", "police_peer_all") +
			      num("drops", "punt_prio_full");
	}
	drop0 = wf_e2e_iface_tx_dropped(wf.iface);
	watch_start();
	t0 = now_us();
	WF_REQUIRE(pthread_create(&th, NULL, flood_main, fl) == 0);
	while (now_us() - t0 < fl->ms * 1000ull) {
		pump(20);
		if (!arp)
			continue;
		if (arp_t0) {
			uint8_t mac[6];

			if (wf_e2e_arp_lookup(WF_E2E_WF_ADDR, mac)) {
				if (now_us() - arp_t0 > arp_worst)
					arp_worst = now_us() - arp_t0;
				arp_t0 = 0;
				arp_done++;
			} else if (now_us() - arp_t0 > ARP_MAX_MS * 1000ull * SLOW) {
				arp_worst = now_us() - arp_t0;
				arp_t0 = 0;	/* counted as not done */
			}
		} else if (arp_done < ARP_ROUNDS && now_us() - t0 >= arp_next_ms * 1000ull) {
			int fd = socket(AF_INET, SOCK_DGRAM, 0);
			struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };

			arp_next_ms += FLOOD_MS / (ARP_ROUNDS + 1);
			wf_e2e_sh("ip neigh del " WF_E2E_WF_ADDR " dev %s 2>/dev/null", wf.iface);
			arp_t0 = now_us();
			/* a datagram to whepfan makes the kernel ask again */
			inet_pton(AF_INET, WF_E2E_WF_ADDR, &to.sin_addr);
			if (fd >= 0) {
				sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to));
				close(fd);
			}
		}
	}
	fl->stop = true;
	pthread_join(th, NULL);
	pump(300);	/* the last check's answer */
	rx = wf_e2e_stat(&wf, "/whepfan/stats", NULL, "rx_pkts") - rx0;
	drop = wf_e2e_iface_tx_dropped(wf.iface) - drop0;
	sent = env.c->st.stun_sent - sent0;
	ok = env.c->st.stun_ok - ok0;
	secs = (double)(fl->t1_us - fl->t0_us) / 1e6;
	printf("  %s: %llu frames in %.1f s (%.0f/s); consent checks answered %u/%u; "
	       "largest media gap %.0f ms\n", what, (unsigned long long)fl->sent, secs,
	       secs > 0 ? (double)fl->sent / secs : 0.0, ok, sent, (double)watch_gap() / 1000);
	printf("  %s: whepfan received %lld frames, the tap dropped %lld\n", what, rx, drop);
	if (arp)
		printf("  %s: ARP resolved again %u/%d times, slowest %.0f ms\n", what, arp_done,
		       ARP_ROUNDS, (double)arp_worst / 1000);
	print_punts(what);
	if (arp)
		print_arp_path(what);
	/* every check that reached the worker went to the viewer's room and
	 * was answered; none was shed there */
	peer = num("punted_by_class", "peer") - peer0;
	peer_drops = num("drops", "police_peer") + num("drops", "police_peer_all") +
		     num("drops", "punt_prio_full") - peer_drops0;
	WF_CHECKF(peer0 >= 0 && peer == (long long)ok, "checks punted as the viewer's: %lld, "
		  "answered %u", peer, ok);
	WF_CHECKF(peer_drops0 >= 0 && peer_drops == 0, "viewers' punts shed: %lld", peer_drops);
	WF_CHECKF(sent >= fl->ms / KEEPALIVE_MS - 1, "only %u checks sent", sent);
	WF_CHECKF(ok + 1 >= sent, "%u of %u consent checks answered", ok, sent);
	WF_CHECKF(watch_gap() <= GAP_MAX_MS * 1000ull * SLOW, "a media gap of %.0f ms",
		  (double)watch_gap() / 1000);
	if (arp)
		WF_CHECKF(arp_done == ARP_ROUNDS, "ARP resolved again %u of %d times", arp_done,
			  ARP_ROUNDS);
	if (fl->pps)
		WF_CHECKF(fl->sent >= (uint64_t)fl->pps * fl->ms / 1000 * 9 / 10,
			  "the flood sent %llu", (unsigned long long)fl->sent);
	/* the session is still there, and still a viewer */
	WF_CHECK_EQ(wf_e2e_stat(&wf, "/whepfan/stats", NULL, "viewers"), 1);
	WF_CHECK_EQ(wf_e2e_stat(&wf, "/whepfan/stats", NULL, "sessions"), 1);
}

static void spoofed_junk_from_the_viewers_5tuple_leaves_its_consent_and_media(void)
{
	struct flood fl = { .many = false, .pps = SPOOF_PPS, .ms = FLOOD_MS };
	long long unmatched, peer;

	WF_REQUIRE(env.live);
	inet_pton(AF_INET, WF_E2E_KERN_ADDR, &fl.viewer);
	fl.viewer = ntohl(fl.viewer);
	run_phase("spoofed 5-tuple", &fl, false);
	/* the junk went to the new-address class; the viewer's own checks
	 * (about 2 a second) to its room */
	unmatched = num(NULL, "peer_unmatched");
	peer = num("punted_by_class", "peer");
	WF_CHECKF(unmatched >= (long long)fl.sent * 9 / 10, "peer_unmatched %lld of %llu junk",
		  unmatched, (unsigned long long)fl.sent);
	WF_CHECKF(peer >= FLOOD_MS / KEEPALIVE_MS && peer < 100, "punted peer %lld", peer);
}

static void a_many_source_stun_and_icmp_flood_leaves_consent_media_and_arp(void)
{
	const char *e = getenv("WF_PUNT_FLOOD_PPS");
	struct flood fl = { .many = true, .pps = e ? (unsigned)atoi(e) : MANY_PPS, .ms = FLOOD_MS };

	WF_REQUIRE(env.live);
	run_phase("many sources", &fl, true);
	WF_CHECKF(fl.sent >= 100000, "the flood sent only %llu frames",
		  (unsigned long long)fl.sent);
}

static void sigterm_stops_whepfan_with_exit_status_0(void)
{
	WF_REQUIRE(env.netns);
	wf_e2e_check_sigterm(&wf, 5000 * SLOW);
}

int main(int argc, char **argv)
{
	int rc;

	wf_e2e_begin(&wf, argc, argv, 60 * SLOW, "punt floods");

	WF_RUN(whepfan_starts_and_a_viewer_goes_live);
	WF_RUN(spoofed_junk_from_the_viewers_5tuple_leaves_its_consent_and_media);
	WF_RUN(a_many_source_stun_and_icmp_flood_leaves_consent_media_and_arp);
	WF_RUN(sigterm_stops_whepfan_with_exit_status_0);

	if (wf_test.failed)
		wf_e2e_print_log(&wf);
	wf_wc_hub_free(env.hub);
	if (env.pkt_sock >= 0)
		close(env.pkt_sock);
	wf_e2e_av_source_free(&env.src, env.src_sock);
	rc = wf_test_done();
	wf_e2e_cleanup(&wf);
	return rc;
}
