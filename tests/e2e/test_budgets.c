/* test_budgets.c: end-to-end test of the retransmission and replay budgets
 * (issue 10): no viewer can make whepfan send it much more than the stream,
 * and no viewer's abuse costs another viewer a packet.
 *
 * Runs the real whepfan binary (<build>/whepfan, found from argv[0]) with
 * one worker lcore in a private network namespace on a net_tap device.  The
 * kernel side of the tap (198.18.0.2) is the source of one H.264 stream
 * (about 0.8 Mbit/s, a key frame every second) and four static SRTP outputs
 * of it, all on that worker:
 *   - "nack": sends 100 maximal NACK compounds a second (RFC 4585 §6.2.1),
 *     each asking again for every recent packet, for 10 s;
 *   - "pli": sends 100 PLIs a second (RFC 4585 §6.3.1) for 10 s;
 *   - "good": a well-behaved viewer (receiver reports only);
 *   - "bystander": another well-behaved viewer.
 * Each flood's figure is the bytes the abusive viewer received over the
 * bytes "good" received in the same 10 s (at most 1.5); every viewer that
 * does not flood must receive every packet the source sent, gap-free and in
 * order.  Then webrtc.nack = false is set by SIGHUP: NACKs are counted and
 * not served.  Refusals are read by reason over the telemetry socket.
 * Only 198.18.0.0/15 (RFC 2544 benchmarking) and loopback are used, inside
 * a namespace that vanishes with this process.  Every wait is bounded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <srtp2/srtp.h>

#include "common/e2e.h"
#include "rtp/rtcp.h"
#include "wf_test.h"

#define VIDEO_PT	96
#define OUT_PORT0	6000		/* viewer i receives on OUT_PORT0 + 2 i */
#define HISTORY_MS	3000
#define FPS		30
#define GOP_FRAMES	30		/* a key frame every second */
#define KF_FRAGMENTS	12		/* FU-A fragments of an IDR */
#define P_FRAGMENTS	3		/* of other frames */
#define FLOOD_S		10
#define FLOOD_PER_S	100		/* compounds a second */
#define RATIO_MAX	1.5
#define RTCP_ROOM	1400		/* RTCP bytes of a maximal compound */
#define SLOW		WF_E2E_SLOW

enum { V_NACK, V_PLI, V_GOOD, V_BYSTANDER, N_VIEWERS };

/* ---- the source ----------------------------------------------------------- */

static struct {
	int sock;
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	unsigned frame;
	uint32_t n;		/* packets sent: the next packet's tag */
	uint64_t next_us;
	bool running;
	uint64_t bytes;
} src = { .sock = -1 };

/* Sends one RTP packet whose payload is hdr (hlen bytes), random bytes up
 * to len, and the packet's tag (its index) in the last 4 bytes. */
static void src_send(const uint8_t *hdr, size_t hlen, size_t len, bool marker)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(WF_E2E_VIDEO_PORT) };
	uint8_t p[1500];
	size_t i;

	p[0] = 0x80;
	p[1] = (uint8_t)((marker ? 0x80 : 0) | VIDEO_PT);
	wf_rtp_wr16(p + 2, src.seq++);
	wf_rtp_wr32(p + 4, src.ts);
	wf_rtp_wr32(p + 8, src.ssrc);
	memcpy(p + 12, hdr, hlen);
	for (i = 12 + hlen; i < 12 + len - 4; i++)
		p[i] = (uint8_t)wf_e2e_rnd();
	wf_rtp_wr32(p + 12 + len - 4, src.n++);
	inet_pton(AF_INET, WF_E2E_WF_ADDR, &to.sin_addr);
	sendto(src.sock, p, 12 + len, 0, (struct sockaddr *)&to, sizeof(to));
	src.bytes += 12 + len;
}

/* One frame: a key frame is a STAP-A with SPS and PPS (RFC 6184 §5.7.1),
 * then the IDR in FU-A fragments (§5.8); other frames a non-IDR slice in
 * FU-A fragments. */
static void src_frame(void)
{
	static const uint8_t stap[] = { 0x78, 0, 4, 0x67, 0x42, 0xe0, 0x1f, 0, 3, 0x68, 0xce, 0x3c };
	bool key = src.frame % GOP_FRAMES == 0;
	unsigned n = key ? KF_FRAGMENTS : P_FRAGMENTS, i;

	if (key)
		src_send(stap, sizeof(stap), sizeof(stap) + 4, false);
	for (i = 0; i < n; i++) {
		uint8_t fu[3] = { key ? 0x7c : 0x5c,
				  (uint8_t)((i == 0 ? 0x80 : 0) | (i == n - 1 ? 0x40 : 0) |
					    (key ? 5 : 1)),
				  0x88 };	/* first_mb_in_slice = 0 */

		src_send(fu, sizeof(fu), key ? 1100 : 700 + wf_e2e_rnd() % 400, i == n - 1);
	}
	src.frame++;
	src.ts += 90000 / FPS;
}

static void src_tick(void)
{
	uint64_t t = wf_e2e_now_us();

	if (!src.running)
		return;
	if (!src.next_us)
		src.next_us = t;
	while (src.next_us <= t) {
		src_frame();
		src.next_us += 1000000 / FPS;
	}
}

/* ---- the viewers ---------------------------------------------------------- */

struct viewer {
	const char *name;
	uint16_t port;
	uint8_t key[28];	/* AEAD_AES_128_GCM master key || salt */
	uint32_t my_ssrc;
	int sock;
	srtp_t rx;		/* SRTP from whepfan (only viewers that do not flood) */
	srtp_t tx;		/* our SRTCP */
	bool check;		/* decrypt and check every packet */
	bool have;
	uint32_t ssrc;		/* whepfan's SSRC towards us */
	uint16_t last_seq;	/* highest sequence number received */
	int64_t last_tag;	/* the source packet it carried */
	uint64_t pkts, bytes;	/* every datagram from whepfan, SRTCP included */
	uint64_t repeats;	/* RTP with a sequence number seen before */
	uint64_t gaps;		/* live packets missing (checked viewers) */
	uint64_t misordered;
	uint64_t undecryptable;
};

static struct viewer views[N_VIEWERS];
static struct wf_e2e_proc wf = { .pid = 0 };
static char tel[1 << 17];
static bool live;

static void policy(struct viewer *v, srtp_policy_t *p, bool inbound)
{
	memset(p, 0, sizeof(*p));
	srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtp);
	srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtcp);
	p->ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	p->key = v->key;
	p->window_size = 1024;
}

/* A checked viewer's RTP: the next sequence number must carry the next
 * source packet (a replay after joining starts at a key frame and runs on
 * to the live packets, so tags are consecutive too). */
static void on_rtp(struct viewer *v, uint8_t *p, int len)
{
	uint16_t seq = wf_rtp_rd16(p + 2);
	int64_t tag;

	if (v->have && (int16_t)(uint16_t)(seq - v->last_seq) <= 0) {
		v->repeats++;
		return;
	}
	if (!v->check) {
		v->have = true;
		v->last_seq = seq;
		return;
	}
	if (srtp_unprotect(v->rx, p, &len) != srtp_err_status_ok || len < 16) {
		v->undecryptable++;
		return;
	}
	tag = wf_rtp_rd32(p + len - 4);
	if (v->have) {
		v->gaps += (uint16_t)(seq - v->last_seq - 1);
		if (tag != v->last_tag + 1)
			v->misordered++;
	}
	v->have = true;
	v->ssrc = wf_rtp_rd32(p + 8);
	v->last_seq = seq;
	v->last_tag = tag;
}

static void drain(struct viewer *v)
{
	uint8_t buf[2048];
	int n;

	while ((n = (int)recv(v->sock, buf, sizeof(buf) - SRTP_MAX_TRAILER_LEN,
			      MSG_DONTWAIT)) > 0) {
		v->pkts++;
		v->bytes += (unsigned)n;
		if (n >= 12 && !wf_rtp_is_rtcp(buf, (size_t)n)) {
			if (!v->have)
				v->ssrc = wf_rtp_rd32(buf + 8);
			on_rtp(v, buf, n);
		}
	}
}

/* Runs the source and the viewers for ms milliseconds, calling each() (if
 * given) every millisecond or so. */
static void pump(unsigned ms, void (*each)(void))
{
	uint64_t end = wf_e2e_now_us() + (uint64_t)ms * 1000;
	struct pollfd pf[N_VIEWERS];
	unsigned i;

	while (wf_e2e_now_us() < end) {
		src_tick();
		for (i = 0; i < N_VIEWERS; i++)
			pf[i] = (struct pollfd){ .fd = views[i].sock, .events = POLLIN };
		poll(pf, N_VIEWERS, 1);
		for (i = 0; i < N_VIEWERS; i++)
			drain(&views[i]);
		if (each)
			each();
	}
}

/* Protects the RTCP compound in buf and sends it from viewer v. */
static int send_srtcp(struct viewer *v, uint8_t *buf, int len)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(WF_E2E_WEBRTC_PORT) };

	if (srtp_protect_rtcp(v->tx, buf, &len) != srtp_err_status_ok)
		return -1;
	inet_pton(AF_INET, WF_E2E_WF_ADDR, &to.sin_addr);
	return sendto(v->sock, buf, (size_t)len, 0, (struct sockaddr *)&to, sizeof(to)) == len ?
	       0 : -1;
}

/* A maximal NACK compound: an RR, then as many generic NACKs as fit in
 * RTCP_ROOM bytes, each naming 64 sequence numbers (4 FCIs), cycling over
 * every sequence number of the last two seconds (all still in the
 * HISTORY_MS history): "everything recent", asked again and again. */
static int nack_compound(const struct viewer *v, uint8_t *buf)
{
	unsigned window = (HISTORY_MS / 1000 - 1) * FPS * (P_FRAGMENTS + 1), k, i;
	uint16_t seqs[64], first;
	int len, n;

	first = (uint16_t)(v->last_seq - window + 1);
	len = wf_rtcp_build_rr(buf, RTCP_ROOM, v->my_ssrc, NULL, 0);
	for (k = 0; len > 0; k++) {
		for (i = 0; i < 64; i++)
			seqs[i] = (uint16_t)(first + (k * 64 + i) % window);
		n = wf_rtcp_build_nack(buf + len, RTCP_ROOM - (size_t)len, v->my_ssrc, v->ssrc,
				       seqs, 64);
		if (n < 0)
			break;
		len += n;
	}
	return len;
}

static int pli_compound(const struct viewer *v, uint8_t *buf)
{
	int len = wf_rtcp_build_rr(buf, RTCP_ROOM, v->my_ssrc, NULL, 0);

	return len + wf_rtcp_build_pli(buf + len, RTCP_ROOM - (size_t)len, v->my_ssrc, v->ssrc);
}

/* ---- telemetry ------------------------------------------------------------ */

static long long stat_of(const char *section, const char *key)
{
	if (wf_e2e_telemetry(&wf, "/whepfan/stats", tel, sizeof(tel)) != 0)
		return -1;
	return wf_e2e_json_num(tel, section, key);
}

/* ---- the floods ----------------------------------------------------------- */

static struct {
	struct viewer *who;
	int (*build)(const struct viewer *, uint8_t *);
	uint64_t next_us;
	unsigned sent;
} flood;

/* Sends the compounds due: FLOOD_PER_S a second on average, a late
 * pump (a busy machine) catching up. */
static void flood_tick(void)
{
	uint8_t buf[1600];
	int len;

	while (flood.who && wf_e2e_now_us() >= flood.next_us) {
		flood.next_us += 1000000 / FLOOD_PER_S;
		len = flood.build(flood.who, buf);
		if (len > 0 && send_srtcp(flood.who, buf, len) == 0)
			flood.sent++;
	}
}

/* Well-behaved viewers report every second (RFC 3550 §6.2). */
static void report_tick(void)
{
	static uint64_t next;
	uint8_t buf[64];
	unsigned i;

	flood_tick();
	if (wf_e2e_now_us() < next)
		return;
	next = wf_e2e_now_us() + 1000000;
	for (i = 0; i < N_VIEWERS; i++)
		if (&views[i] != flood.who)
			send_srtcp(&views[i], buf, wf_rtcp_build_rr(buf, sizeof(buf),
								    views[i].my_ssrc, NULL, 0));
}

/* Runs viewer who's flood for FLOOD_S seconds; returns the ratio of the
 * bytes it received to those "good" received meanwhile, and checks that
 * every viewer that does not flood lost nothing. */
static double run_flood(struct viewer *who, int (*build)(const struct viewer *, uint8_t *),
			const char *what)
{
	uint64_t b0[N_VIEWERS], t0;
	unsigned i, k;
	double ratio, secs;

	uint32_t last;

	for (i = 0; i < N_VIEWERS; i++) {
		views[i].gaps = views[i].misordered = 0;
		b0[i] = views[i].bytes;
	}
	flood = (typeof(flood)){ .who = who, .build = build, .next_us = wf_e2e_now_us() };
	t0 = wf_e2e_now_us();
	pump(FLOOD_S * 1000, report_tick);
	flood.who = NULL;
	secs = (double)(wf_e2e_now_us() - t0) / 1e6;
	pump(300, report_tick);	/* what was in flight */
	ratio = (double)(who->bytes - b0[who - views]) /
		(double)(views[V_GOOD].bytes - b0[V_GOOD]);
	/* every packet sent during the flood reaches the others (a loaded
	 * machine may deliver it late) */
	last = src.n - 1;
	for (k = 0; k < 30 * SLOW && !(views[V_GOOD].last_tag >= last &&
				       views[V_BYSTANDER].last_tag >= last); k++)
		pump(100, report_tick);
	printf("  %s: %u compounds in %.1f s; %s received %llu bytes, good %llu bytes: "
	       "%.2f x (at most %.1f x)\n", what, flood.sent, secs, who->name,
	       (unsigned long long)(who->bytes - b0[who - views]),
	       (unsigned long long)(views[V_GOOD].bytes - b0[V_GOOD]), ratio, RATIO_MAX);
	WF_CHECKF(flood.sent >= FLOOD_S * FLOOD_PER_S * 9 / 10, "%u compounds sent", flood.sent);
	for (i = 0; i < N_VIEWERS; i++) {
		if (!views[i].check)
			continue;
		printf("  %s: %llu bytes, %llu packets missing, %llu out of order\n", views[i].name,
		       (unsigned long long)(views[i].bytes - b0[i]),
		       (unsigned long long)views[i].gaps, (unsigned long long)views[i].misordered);
		WF_CHECKF(views[i].gaps == 0 && views[i].misordered == 0,
			  "%s lost %llu packets (%llu out of order) during the %s", views[i].name,
			  (unsigned long long)views[i].gaps,
			  (unsigned long long)views[i].misordered, what);
		WF_CHECKF(views[i].last_tag >= last, "%s: last packet %lld, sent %u", views[i].name,
			  (long long)views[i].last_tag, last);
	}
	return ratio;
}

/* ---- the checks ------------------------------------------------------------ */

static void network_namespace_is_private_with_loopback_up(void)
{
	wf_e2e_enter_test_netns();
}

/* The configuration, with webrtc.nack as given. */
static int write_conf(bool nack)
{
	static const char *const names[N_VIEWERS] = { "nack", "pli", "good", "bystander" };
	FILE *f = fopen(wf.conf, "w");
	char b64[N_VIEWERS][48];
	unsigned i;

	if (!f)
		return -errno;
	for (i = 0; i < N_VIEWERS; i++) {
		static const char a[] =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		unsigned k, o = 0;

		views[i].name = names[i];
		/* RFC 4648 §4: 28 bytes -> 40 characters, one '=' */
		for (k = 0; k < 27; k += 3) {
			uint32_t w = (uint32_t)views[i].key[k] << 16 |
				     (uint32_t)views[i].key[k + 1] << 8 | views[i].key[k + 2];

			b64[i][o++] = a[w >> 18];
			b64[i][o++] = a[(w >> 12) & 63];
			b64[i][o++] = a[(w >> 6) & 63];
			b64[i][o++] = a[w & 63];
		}
		b64[i][o++] = a[views[i].key[27] >> 2];
		b64[i][o++] = a[(views[i].key[27] & 3) << 4];
		b64[i][o++] = '=';
		b64[i][o++] = '=';
		b64[i][o] = '\0';
	}
	wf_e2e_conf_dpdk(f, &wf, &(struct wf_e2e_dpdk){ .lcores = "0-1", .mbufs = 8191 });
	fprintf(f,
		"webrtc = { udp_port = %d; nack = %s; };\n"
		"streams = ( {\n"
		"  name = \"test\";\n"
		"  history_ms = %d;\n"
		"  tracks = ( { kind = \"video\"; port = %d; codec = \"H264\"; payload_type = %d;\n"
		"      fmtp = \"packetization-mode=1;profile-level-id=42e01f\"; } );\n"
		"  outputs = (\n",
		WF_E2E_WEBRTC_PORT, nack ? "true" : "false", HISTORY_MS, WF_E2E_VIDEO_PORT,
		VIDEO_PT);
	for (i = 0; i < N_VIEWERS; i++)
		fprintf(f, "    { address = \"" WF_E2E_KERN_ADDR ":%u\"; srtp_profile = \"AEAD_AES_128_GCM\";"
			" srtp_key = \"%s\"; }%s\n", views[i].port, b64[i],
			i + 1 < N_VIEWERS ? "," : "");
	fprintf(f, "  );\n} );\n");
	return fclose(f) == 0 ? 0 : -errno;
}

static void whepfan_starts_with_four_outputs_on_one_worker(void)
{
	srtp_policy_t p;
	unsigned i, k;
	int rc;

	WF_REQUIRE(wf_e2e_prepare(&wf, "wfbud") == 0);
	for (i = 0; i < N_VIEWERS; i++) {
		struct viewer *v = &views[i];

		v->port = (uint16_t)(OUT_PORT0 + 2 * i);
		for (k = 0; k < sizeof(v->key); k++)
			v->key[k] = (uint8_t)wf_e2e_rnd();
		v->my_ssrc = wf_e2e_rnd() | 0x10;
		v->check = i == V_GOOD || i == V_BYSTANDER;
		policy(v, &p, true);
		WF_REQUIRE(srtp_create(&v->rx, &p) == srtp_err_status_ok);
		policy(v, &p, false);
		WF_REQUIRE(srtp_create(&v->tx, &p) == srtp_err_status_ok);
	}
	WF_REQUIRE(write_conf(true) == 0);
	rc = wf_e2e_spawn(&wf, WF_E2E_KERN_ADDR "/24", 15000 * SLOW);
	WF_REQUIRE(rc == 0 || !"whepfan did not start (see its log)");
	for (i = 0; i < N_VIEWERS; i++) {
		views[i].sock = wf_e2e_udp_socket(WF_E2E_KERN_ADDR, views[i].port);
		WF_REQUIRE(views[i].sock >= 0);
	}
	src.sock = wf_e2e_udp_socket(WF_E2E_KERN_ADDR, 5000);
	src.ssrc = wf_e2e_rnd() | 1;
	src.seq = (uint16_t)wf_e2e_rnd();
	src.ts = wf_e2e_rnd();
	WF_REQUIRE(src.sock >= 0);
	/* outputs resolve ARP with no traffic, then go active; telemetry is
	 * read once whepfan says it runs (start-up builds its tables) */
	for (k = 0; k < 300 * SLOW && !(wf_e2e_log_has(wf.log, "whepfan: running:") &&
					stat_of(NULL, "outputs_active") == N_VIEWERS); k++)
		usleep(50000);
	WF_REQUIRE(stat_of(NULL, "outputs_active") == N_VIEWERS);
}

static bool all_have(void)
{
	unsigned i;

	for (i = 0; i < N_VIEWERS; i++)
		if (!views[i].have)
			return false;
	return true;
}

static void every_output_receives_the_stream(void)
{
	unsigned k;

	WF_REQUIRE(wf.pid > 0);
	src.running = true;
	for (k = 0; k < 100 * SLOW && !all_have(); k++)
		pump(100, report_tick);
	WF_REQUIRE(all_have());
	pump(2000, report_tick);	/* a second key frame: the rates are measured */
	WF_CHECK(views[V_GOOD].gaps == 0 && views[V_BYSTANDER].gaps == 0);
	live = true;
}

static void nack_flood_gets_at_most_1_5_times_the_stream_and_others_lose_nothing(void)
{
	double r;

	WF_REQUIRE(live);
	r = run_flood(&views[V_NACK], nack_compound, "NACK flood");
	WF_CHECKF(r <= RATIO_MAX, "the NACK flood got %.2f x the bytes of a well-behaved viewer",
		  r);
	WF_CHECK(wf_e2e_alive(&wf));
}

static void pli_flood_gets_at_most_1_5_times_the_stream_and_others_lose_nothing(void)
{
	double r;

	WF_REQUIRE(live);
	r = run_flood(&views[V_PLI], pli_compound, "PLI flood");
	WF_CHECKF(r <= RATIO_MAX, "the PLI flood got %.2f x the bytes of a well-behaved viewer", r);
	WF_CHECK(wf_e2e_alive(&wf));
}

/* Protects the RR of sender ssrc with session s into buf: its length. */
static int protected_rr(srtp_t s, uint32_t ssrc, uint8_t *buf)
{
	int len = wf_rtcp_build_rr(buf, 64, ssrc, NULL, 0);

	return srtp_protect_rtcp(s, buf, &len) == srtp_err_status_ok ? len : -1;
}

static void send_raw(struct viewer *v, const uint8_t *buf, int len)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(WF_E2E_WEBRTC_PORT) };

	inet_pton(AF_INET, WF_E2E_WF_ADDR, &to.sin_addr);
	sendto(v->sock, buf, (size_t)len, 0, (struct sockaddr *)&to, sizeof(to));
}

/* RFC 3711 §3.3.2: SRTCP is checked against its sender's replay window
 * only once it authenticates, and only then may it change a window.  The
 * viewer uses all four windows whepfan keeps (four sender SSRCs); forged
 * packets (bad tags) from its address naming other SSRCs must not reset
 * any, so an old packet of each real sender replayed afterwards is
 * refused. */
static void srtcp_replay_window_survives_forged_sender_ssrcs(void)
{
	struct viewer *v = &views[V_BYSTANDER];
	long long bad0, bad1, auth0, auth1;
	uint8_t old[4][64], buf[64];
	int old_len[4], len;
	srtp_policy_t p;
	srtp_t other;
	unsigned k;

	WF_REQUIRE(live);
	policy(v, &p, false);
	WF_REQUIRE(srtp_create(&other, &p) == srtp_err_status_ok);
	/* an RR of the viewer's own SSRC and of three more real senders,
	 * each kept to be replayed later */
	for (k = 0; k < 4; k++) {
		old_len[k] = protected_rr(k ? other : v->tx, v->my_ssrc + k, old[k]);
		WF_REQUIRE(old_len[k] > 0);
		send_raw(v, old[k], old_len[k]);
	}
	pump(300, report_tick);
	auth0 = stat_of("srtp_errors", "auth_fail");
	bad0 = stat_of("srtp_errors", "replay") + stat_of("srtp_errors", "too_old");
	/* forged: eight new SSRCs, every residue of 4 twice, tags broken */
	for (k = 0; k < 8; k++) {
		len = protected_rr(other, v->my_ssrc + 16 + k, buf);
		WF_REQUIRE(len > 12);
		buf[len - 5] ^= 1;	/* GCM: the tag is before the E+index word */
		send_raw(v, buf, len);
	}
	pump(300, report_tick);
	for (k = 0; k < 4; k++)
		send_raw(v, old[k], old_len[k]);
	pump(300, report_tick);
	auth1 = stat_of("srtp_errors", "auth_fail");
	bad1 = stat_of("srtp_errors", "replay") + stat_of("srtp_errors", "too_old");
	printf("  8 forged SRTCP packets: auth_fail +%lld; 4 old RRs replayed: replay/too_old "
	       "+%lld\n", auth1 - auth0, bad1 - bad0);
	WF_CHECK_EQ(auth1 - auth0, 8);
	WF_CHECK_EQ(bad1 - bad0, 4);
	srtp_dealloc(other);
}

/* Every refusal is counted by reason, none of them is a packet drop, and
 * no ring or queue overflowed. */
static void refusals_are_counted_by_reason_and_nothing_overflowed(void)
{
	static const char *const reasons[] = {
		"nack_fci_cap", "nack_repeat", "nack_budget", "replay_viewer_rate",
	};
	unsigned i;

	WF_REQUIRE(live);
	WF_REQUIRE(wf_e2e_telemetry(&wf, "/whepfan/stats", tel, sizeof(tel)) == 0);
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		long long n = wf_e2e_json_num(tel, "refusals", reasons[i]);

		printf("  refusals.%s = %lld\n", reasons[i], n);
		WF_CHECKF(n > 0, "refusals.%s = %lld, want > 0", reasons[i], n);
	}
	{
		const char *p = strstr(tel, "\"refusals\"");
		const char *e = p ? strchr(p, '}') : NULL;

		if (p && e)
			printf("  %.*s}\n", (int)(e - p), p);
	}
	printf("  retransmits %lld, replays %lld, replay_pkts %lld\n",
	       wf_e2e_json_num(tel, NULL, "retransmits"), wf_e2e_json_num(tel, NULL, "replays"),
	       wf_e2e_json_num(tel, NULL, "replay_pkts"));
	WF_CHECK_EQ(wf_e2e_json_num(tel, "drops", "tx_full"), 0);
	WF_CHECK_EQ(wf_e2e_json_num(tel, "drops", "mbuf_alloc"), 0);
	WF_CHECK(wf_e2e_json_num(tel, NULL, "retransmits") > 0);
}

/* webrtc.nack = false (SIGHUP): NACKs are counted, nothing is resent. */
static void nack_off_by_reload_counts_nacks_and_serves_none(void)
{
	struct viewer *v = &views[V_GOOD];
	uint8_t buf[256];
	uint16_t seqs[8];
	long long off0, off1, nack0, nack1;
	uint64_t rep0;
	unsigned k;
	int len;

	WF_REQUIRE(live);
	WF_REQUIRE(write_conf(false) == 0);
	WF_REQUIRE(kill(wf.pid, SIGHUP) == 0);
	pump(1000 * SLOW, report_tick);
	off0 = stat_of("refusals", "nack_off");
	nack0 = stat_of(NULL, "nack_rx");
	rep0 = v->repeats;
	for (k = 0; k < 8; k++)
		seqs[k] = (uint16_t)(v->last_seq - 20 + k);
	len = wf_rtcp_build_rr(buf, sizeof(buf), v->my_ssrc, NULL, 0);
	len += wf_rtcp_build_nack(buf + len, sizeof(buf) - (size_t)len, v->my_ssrc, v->ssrc,
				  seqs, 8);
	WF_REQUIRE(send_srtcp(v, buf, len) == 0);
	pump(500, report_tick);
	off1 = stat_of("refusals", "nack_off");
	nack1 = stat_of(NULL, "nack_rx");
	printf("  nack = false: 8 NACKed, nack_rx %lld -> %lld, refusals.nack_off %lld -> %lld, "
	       "%llu resent\n", nack0, nack1, off0, off1,
	       (unsigned long long)(v->repeats - rep0));
	WF_CHECK_EQ(nack1 - nack0, 8);
	WF_CHECK_EQ(off1 - off0, 8);
	WF_CHECK_EQ(v->repeats - rep0, 0);
}

static void sigterm_stops_whepfan_and_every_mbuf_is_back(void)
{
	long long n;

	WF_REQUIRE(wf.pid > 0);
	src.running = false;
	wf_e2e_check_sigterm(&wf, 10000 * SLOW);
	n = wf_e2e_log_number(wf.log, "mbufs in use after teardown: ");
	WF_CHECKF(n == 0, "whepfan logged %lld mbufs in use after teardown (-1: no line)", n);
}

int main(int argc, char **argv)
{
	unsigned i;
	int rc;

	wf_e2e_begin(&wf, argc, argv, 90 * SLOW, "retransmission and replay budgets");
	for (i = 0; i < N_VIEWERS; i++)
		views[i].sock = -1;
	if (srtp_init() != srtp_err_status_ok) {
		printf("libsrtp2 init failed\n");
		return 1;
	}
	WF_RUN(network_namespace_is_private_with_loopback_up);
	WF_RUN(whepfan_starts_with_four_outputs_on_one_worker);
	WF_RUN(every_output_receives_the_stream);
	WF_RUN(srtcp_replay_window_survives_forged_sender_ssrcs);
	WF_RUN(nack_flood_gets_at_most_1_5_times_the_stream_and_others_lose_nothing);
	WF_RUN(pli_flood_gets_at_most_1_5_times_the_stream_and_others_lose_nothing);
	WF_RUN(refusals_are_counted_by_reason_and_nothing_overflowed);
	WF_RUN(nack_off_by_reload_counts_nacks_and_serves_none);
	WF_RUN(sigterm_stops_whepfan_and_every_mbuf_is_back);

	if (wf_test.failed)
		wf_e2e_print_log(&wf);
	for (i = 0; i < N_VIEWERS; i++) {
		if (views[i].rx)
			srtp_dealloc(views[i].rx);
		if (views[i].tx)
			srtp_dealloc(views[i].tx);
		if (views[i].sock >= 0)
			close(views[i].sock);
	}
	if (src.sock >= 0)
		close(src.sock);
	srtp_shutdown();
	rc = wf_test_done();
	wf_e2e_cleanup(&wf);
	return rc;
}
