/* e2e_static.c: the end-to-end test of static outputs, shared by
 * tests/e2e/test_static_output (one worker) and test_static_output_2w (two
 * workers: the cross-lcore paths) (e2e_static.h).
 *
 * Runs the real whepfan binary (<build>/whepfan, found from argv[0]) in a
 * private network namespace on a net_tap device.  The kernel side of the
 * tap (198.18.0.2) is the stream's source and the outputs' receiver, with
 * plain sockets and libsrtp2 as the reference SRTP implementation:
 *   - H.264 (key frames as STAP-A SPS/PPS + FU-A IDR, a sequence wrap,
 *     header extensions) and Opus (CSRCs, padding) go in on 5004/5006;
 *   - two static outputs, AEAD_AES_128_GCM to :6000 and
 *     AES_CM_128_HMAC_SHA1_80 to :6002, must relay every packet sent after
 *     they went live, in order, byte-identical, with our SSRC and gap-free
 *     sequence numbers;
 *   - SRTCP NACK (RFC 4585 §6.2.1) and PLI (§6.3.1) from the outputs'
 *     addresses are answered from the shared history;
 *   - SRTCP sender reports carry a sane NTP/RTP mapping and exact counts;
 *   - ICMP echo is answered; a burst of hostile frames is dropped and
 *     counted (read over the DPDK telemetry socket); SIGTERM exits 0.
 * Only 198.18.0.0/15 (RFC 2544 benchmarking) and loopback are used, inside
 * a namespace that vanishes with this process.  Every wait is bounded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <srtp2/srtp.h>

#include "common/e2e.h"
#include "common/e2e_static.h"
#include "common/rtp_source.h"
#include "rtp/rtp.h"
#include "wf_test.h"

#define VIDEO_PT	96
#define AUDIO_PT	111
#define JUNK_PORT	7000		/* a kernel-side port that is no output */
#define FOREIGN_ADDR	"198.18.0.3"	/* a stranger outside the stream's sources */
#define ALLOWED_ADDR	"198.18.0.4"	/* inside them, but never the latched source */
#define STRANGER_US	10000		/* a stranger's packet every 10 ms */
#define N_OUT		2
#define MAX_SENT	4096		/* packets per track in one run */
#define SR_INTERVAL_MS	200
#define GOP_FRAMES	30		/* a key frame every second at 30 fps */
#define SLOW		WF_E2E_SLOW

/* tests/common's helpers under the short names this file uses */
#define now_us		wf_e2e_now_us
#define rnd		wf_e2e_rnd
#define rnd_fill	wf_e2e_rnd_fill
#define wr16		wf_rtp_wr16
#define wr32		wf_rtp_wr32
#define rd16		wf_rtp_rd16
#define rd32		wf_rtp_rd32
#define errlog_add	wf_e2e_errlog_add
#define sh		wf_e2e_sh
#define udp_socket	wf_e2e_udp_socket
#define arp_lookup	wf_e2e_arp_lookup
#define json_num	wf_e2e_json_num
#define CHECK_ERRLOG	WF_E2E_CHECK_ERRLOG

/* ---- small utilities ----------------------------------------------------- */

/* RFC 4648 §4 base64, padded. */
static void base64(const uint8_t *in, size_t n, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
		out[o++] = a[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

/* ---- the environment ------------------------------------------------------ */

static struct {
	bool netns;
	bool ready;			/* whepfan up, tap addressed */
	bool outputs_up;		/* both outputs active (telemetry) */
	bool live;			/* both outputs delivered */
	struct wf_e2e_proc proc;	/* whepfan, its files, its tap */
	const char *lcores;		/* EAL -l */
	unsigned workers;		/* worker lcores that gives */
	long long mbufs_base;		/* mbufs in use before the source starts */
	long long tx_mbufs_base;	/* transmit pool's, likewise */
	uint8_t wf_mac[6];
	uint8_t kern_mac[6];
	int src_sock[2];		/* video, audio source sockets */
	int junk_sock;			/* 198.18.0.2:7000 */
	int icmp_sock;
	int pkt_sock;			/* AF_PACKET on the tap */
	uint64_t t_live;
	unsigned ping_id, ping_replies;
	/* strangers sending RTP and SRs to the video ingest port */
	struct stranger {
		int sock;
		uint32_t ssrc;
		uint16_t seq;
		uint32_t ts;
		unsigned rtp, sr;	/* sent */
		bool on;
	} strg[2];			/* FOREIGN_ADDR, ALLOWED_ADDR */
	uint64_t strangers_next_us;
} env = { .src_sock = { -1, -1 }, .junk_sock = -1, .icmp_sock = -1, .pkt_sock = -1 };

/* ---- the source ----------------------------------------------------------- */

/* tests/common/rtp_source: H.264 with slices and Opus, the header's
 * optional parts, sequence numbers that wrap after the outputs go live. */
static struct wf_rtp_src source;
static struct wf_rtp_src_track *const src = source.trk;
static int32_t sr_offset[2];		/* RTP offset our own SR announced */
static uint64_t sr_sent_us[2];		/* when (0: none) */

static int src_init(void)
{
	/* the video sequence wraps 65535 -> 0 about 2.5 s in, the audio one
	 * about 3 s in: after the outputs went live; sockets come later */
	return wf_rtp_src_init(&source, WF_E2E_WF_ADDR, (struct wf_rtp_src_track_conf[]){
		{ .name = "video", .video = true, .pt = VIDEO_PT, .dports = { WF_E2E_VIDEO_PORT },
		  .ssrc = rnd() | 1, .seq = (uint16_t)(65536 - 150), .ts = rnd(), .clock = 90000,
		  .ts_step = 3000, .period_us = 33333, .gop = GOP_FRAMES, .sliced = true,
		  .header_options = true, .fd = -1 },
		{ .name = "audio", .pt = AUDIO_PT, .dports = { WF_E2E_AUDIO_PORT }, .ssrc = rnd() | 2,
		  .seq = (uint16_t)(65536 - 150), .ts = rnd(), .clock = 48000, .ts_step = 960,
		  .period_us = 20000, .header_options = true, .fd = -1 } }, 2, MAX_SENT);
}

/* ---- the outputs' receiver ----------------------------------------------- */

struct rx_trk {
	bool have;
	uint32_t ssrc;
	uint16_t last_seq;
	int last_tag;
	int first_tag;
	int max_tag;
	unsigned n_rtp;		/* every RTP packet (retransmissions too) */
	uint64_t octets;	/* their payload octets, padding excluded */
	unsigned n_retx;
	unsigned replays;	/* key frame replays after a PLI */
	bool pli_pending;
	int pli_min_tag;	/* the replay must start at this key frame or later */
	int pli_max_tag;	/* the highest packet received when the PLI went */
	unsigned kf_twice;	/* replays of a key frame sent live after the PLI */
	bool pli_multi;		/* the PLI may see a live and a replayed start */
	int replay_tag;		/* where the last replay started */
	uint16_t replay_seq;
	uint64_t first_us;
	int32_t tag_of_seq[65536];
	uint8_t retx_of[MAX_SENT];
	struct wf_e2e_errlog err;
};

struct out_ctx {
	const char *name;
	bool gcm;
	uint16_t port;
	uint8_t key[30];
	size_t key_len;
	int sock;
	srtp_t rx;		/* SRTP and SRTCP from whepfan */
	srtp_t tx;		/* our SRTCP (same master key, RFC 4568) */
	uint32_t my_ssrc;
	struct rx_trk trk[2];
	unsigned n_sr;
	unsigned sr_per_trk[2];
	unsigned sr_after_src_sr[2];	/* checked against the source's SR */
	unsigned n_srtcp_other;
	struct wf_e2e_errlog sr_err;
	struct wf_e2e_errlog misc_err;	/* undecryptable, unknown packets */
};

static struct out_ctx outs[N_OUT];

static int srtp_policy_for(struct out_ctx *o, srtp_policy_t *p, bool inbound)
{
	memset(p, 0, sizeof(*p));
	if (o->gcm) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtcp);
	} else {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
	}
	p->ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	p->key = o->key;
	p->window_size = 1024;
	return 0;
}

/* Decrypts a retransmission (same SRTP index as a packet already seen,
 * which o->rx refuses as a replay) in a session of its own. */
static srtp_err_status_t unprotect_again(struct out_ctx *o, uint8_t *buf, int *len)
{
	srtp_policy_t p;
	srtp_t s;
	srtp_err_status_t st;

	srtp_policy_for(o, &p, true);
	if (srtp_create(&s, &p) != srtp_err_status_ok)
		return srtp_err_status_fail;
	st = srtp_unprotect(s, buf, len);
	srtp_dealloc(s);
	return st;
}

static void on_rtp(struct out_ctx *o, const uint8_t *p, int len)
{
	unsigned t, tag_t, tag;
	struct rx_trk *rt;
	const struct wf_rtp_sent *s;
	uint16_t seq;
	int pad = 0, plen, k;
	uint32_t ssrc;

	if (len < 12 + 4) {
		errlog_add(&o->misc_err, "%s: RTP of %d bytes", o->name, len);
		return;
	}
	if ((p[1] & 0x7f) == VIDEO_PT)
		t = 0;
	else if ((p[1] & 0x7f) == AUDIO_PT)
		t = 1;
	else {
		errlog_add(&o->misc_err, "%s: RTP with payload type %u", o->name, p[1] & 0x7f);
		return;
	}
	rt = &o->trk[t];
	seq = rd16(p + 2);
	ssrc = rd32(p + 8);
	if (p[0] & 0x20)
		pad = p[len - 1];
	plen = len - 12;
	if ((p[0] & 0xdf) != 0x80 || pad > plen - 4) {
		errlog_add(&rt->err, "%s %s seq %u: header byte 0x%02x (want V=2, no X, no CC), pad %d",
			   o->name, src[t].conf.name, seq, p[0], pad);
		return;
	}
	tag = rd32(p + len - pad - 4);
	tag_t = tag >> 24;
	tag &= 0xffffff;
	if (tag_t != t || tag >= src[t].n) {
		errlog_add(&rt->err, "%s %s seq %u: payload tag 0x%08x names no packet we sent",
			   o->name, src[t].conf.name, seq, rd32(p + len - pad - 4));
		return;
	}
	s = &src[t].s[tag];
	if (plen != s->pl_len || memcmp(p + 12, s->pl, (size_t)plen) != 0)
		errlog_add(&rt->err, "%s %s packet %u: payload differs (%d bytes, sent %u)",
			   o->name, src[t].conf.name, tag, plen, s->pl_len);
	if (rd32(p + 4) != s->ts)
		errlog_add(&rt->err, "%s %s packet %u: timestamp %u, sent %u", o->name,
			   src[t].conf.name, tag, rd32(p + 4), s->ts);
	if ((p[1] >> 7) != s->marker || !!(p[0] & 0x20) != s->padded)
		errlog_add(&rt->err, "%s %s packet %u: marker/padding bits differ", o->name,
			   src[t].conf.name, tag);
	if (!rt->have) {
		rt->have = true;
		rt->ssrc = ssrc;
		rt->first_tag = (int)tag;
		rt->last_tag = (int)tag;
		rt->max_tag = (int)tag;
		rt->last_seq = seq;
		rt->first_us = now_us();
		for (k = 0; k < 65536; k++)
			rt->tag_of_seq[k] = -1;
		rt->tag_of_seq[seq] = (int32_t)tag;
		if (t == 0 && !s->kf)
			errlog_add(&rt->err, "%s video starts at packet %u, not at a key frame",
				   o->name, tag);
		if (ssrc == src[t].conf.ssrc)
			errlog_add(&rt->err, "%s %s: the source's SSRC was not rewritten", o->name,
				   src[t].conf.name);
		goto count;
	}
	if (ssrc != rt->ssrc) {
		errlog_add(&rt->err, "%s %s: SSRC 0x%08x changed to 0x%08x", o->name, src[t].conf.name,
			   rt->ssrc, ssrc);
		return;
	}
	if ((int16_t)(uint16_t)(seq - rt->last_seq) <= 0) {
		/* a sequence number seen before: must be a retransmission */
		if (rt->tag_of_seq[seq] != (int32_t)tag)
			errlog_add(&rt->err, "%s %s seq %u: repeated with packet %u, first was %d",
				   o->name, src[t].conf.name, seq, tag, rt->tag_of_seq[seq]);
		rt->n_retx++;
		if (rt->retx_of[tag] < 255)
			rt->retx_of[tag]++;
		goto count;
	}
	if (seq != (uint16_t)(rt->last_seq + 1))
		errlog_add(&rt->err, "%s %s: sequence gap %u -> %u", o->name, src[t].conf.name,
			   rt->last_seq, seq);
	if (t == 0 && rt->pli_pending && s->kf && (int)tag >= rt->pli_min_tag &&
	    (int)tag <= rt->max_tag + 1) {
		/* a key frame start after a PLI: replayed from the cache (a
		 * jump back), or the next live one (in order, or resumed at
		 * after a pause) */
		if ((int)tag <= rt->last_tag && (int)tag > rt->pli_max_tag)
			rt->kf_twice++;	/* it came live after the PLI, then replayed */
		rt->pli_pending = rt->pli_multi;
		rt->replays++;
		rt->replay_tag = (int)tag;
		rt->replay_seq = seq;
	} else if ((int)tag != rt->last_tag + 1) {
		errlog_add(&rt->err, "%s %s seq %u: packet %u follows %d (lost or reordered)",
			   o->name, src[t].conf.name, seq, tag, rt->last_tag);
	}
	rt->last_seq = seq;
	rt->last_tag = (int)tag;
	if ((int)tag > rt->max_tag)
		rt->max_tag = (int)tag;
	rt->tag_of_seq[seq] = (int32_t)tag;
count:
	rt->n_rtp++;
	rt->octets += (unsigned)(plen - pad);
}

static uint64_t ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec + 2208988800u) << 32 |
	       (((uint64_t)ts.tv_nsec << 32) / 1000000000u);
}

/* RFC 3550 §6.4.1: a sender report from whepfan, checked on arrival. */
static void on_rtcp(struct out_ctx *o, const uint8_t *p, int len)
{
	unsigned t;
	const struct rx_trk *rt;
	const struct wf_rtp_src_track *st;
	uint32_t ssrc, rtp, exp, pkts, octets;
	uint64_t ntp, wall;
	double dt, tol;
	int64_t ntp_diff_ms;

	if (len < 28 || p[1] != 200) {
		o->n_srtcp_other++;
		return;
	}
	o->n_sr++;
	if ((p[0] & 0xc0) != 0x80 || (rd16(p + 2) + 1u) * 4 > (unsigned)len) {
		errlog_add(&o->sr_err, "%s: malformed SR header", o->name);
		return;
	}
	ssrc = rd32(p + 4);
	for (t = 0; t < 2; t++)
		if (o->trk[t].have && o->trk[t].ssrc == ssrc)
			break;
	if (t == 2) {
		errlog_add(&o->sr_err, "%s: SR from SSRC 0x%08x, none of our tracks", o->name, ssrc);
		return;
	}
	o->sr_per_trk[t]++;
	rt = &o->trk[t];
	st = &src[t];
	ntp = (uint64_t)rd32(p + 8) << 32 | rd32(p + 12);
	rtp = rd32(p + 16);
	pkts = rd32(p + 20);
	octets = rd32(p + 24);
	wall = ntp_now();
	ntp_diff_ms = (int64_t)(((__int128)(int64_t)(ntp - wall) * 1000) >> 32);
	if (ntp_diff_ms > 2000 || ntp_diff_ms < -2000)
		errlog_add(&o->sr_err, "%s %s SR: NTP time %+lld ms from the wall clock", o->name,
			   st->conf.name, (long long)ntp_diff_ms);
	/* RTP time now by our own clock: the last packet sent plus time since */
	if (st->n) {
		const struct wf_rtp_sent *last = &st->s[st->n - 1];

		uint64_t t_now = now_us();
		bool check = true;

		dt = (double)(t_now - last->t_us) / 1e6;
		exp = last->ts + (uint32_t)(dt * st->conf.clock);
		tol = 0.25 * st->conf.clock;
		if (sr_sent_us[t]) {
			/* the source's SR moved the mapping; skip the SRs in flight */
			exp += (uint32_t)sr_offset[t];
			check = t_now > sr_sent_us[t] + 50000;
			if (check)
				o->sr_after_src_sr[t]++;
		}
		if (check && ((double)(int32_t)(rtp - exp) > tol || (double)(int32_t)(rtp - exp) < -tol))
			errlog_add(&o->sr_err, "%s %s SR: RTP time %u is %+.0f ms from ours (%u)",
				   o->name, st->conf.name, rtp,
				   (double)(int32_t)(rtp - exp) * 1000.0 / st->conf.clock, exp);
	}
	/* every packet counted was sent before the SR, on this socket */
	if (pkts != rt->n_rtp || octets != (uint32_t)rt->octets)
		errlog_add(&o->sr_err, "%s %s SR: %u packets, %u octets; received %u, %llu",
			   o->name, st->conf.name, pkts, octets, rt->n_rtp,
			   (unsigned long long)rt->octets);
}

static void rx_drain(struct out_ctx *o)
{
	uint8_t buf[2048];
	struct sockaddr_in from;
	socklen_t fl;
	int n;

	for (;;) {
		srtp_err_status_t st;
		uint8_t copy[2048];
		bool rtcp;

		fl = sizeof(from);
		n = (int)recvfrom(o->sock, buf, sizeof(buf) - SRTP_MAX_TRAILER_LEN, MSG_DONTWAIT,
				  (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		if (from.sin_addr.s_addr != inet_addr(WF_E2E_WF_ADDR) ||
		    ntohs(from.sin_port) != WF_E2E_WEBRTC_PORT) {
			errlog_add(&o->misc_err, "%s: datagram from %s:%u", o->name,
				   inet_ntoa(from.sin_addr), ntohs(from.sin_port));
			continue;
		}
		rtcp = n >= 2 && (buf[1] & 0x7f) >= 64 && (buf[1] & 0x7f) <= 95;	/* RFC 5761 §4 */
		if (rtcp) {
			st = srtp_unprotect_rtcp(o->rx, buf, &n);
			if (st != srtp_err_status_ok) {
				errlog_add(&o->misc_err, "%s: SRTCP unprotect failed (%d)", o->name, st);
				continue;
			}
			on_rtcp(o, buf, n);
			continue;
		}
		memcpy(copy, buf, (size_t)n);
		st = srtp_unprotect(o->rx, buf, &n);
		if (st == srtp_err_status_replay_fail || st == srtp_err_status_replay_old) {
			memcpy(buf, copy, (size_t)n);
			st = unprotect_again(o, buf, &n);
		}
		if (st != srtp_err_status_ok) {
			errlog_add(&o->misc_err, "%s: SRTP unprotect failed (%d) seq %u", o->name, st,
				   rd16(copy + 2));
			continue;
		}
		on_rtp(o, buf, n);
	}
}

static void icmp_drain(void)
{
	uint8_t buf[1600];
	int n;

	while ((n = (int)recv(env.icmp_sock, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		unsigned ihl = (buf[0] & 15) * 4u;

		if ((unsigned)n >= ihl + 8 && buf[ihl] == 0 && rd16(buf + ihl + 4) == env.ping_id &&
		    !memcmp(buf + 12, (uint8_t[]){ 198, 18, 0, 1 }, 4))
			env.ping_replies++;
	}
}

/* Runs the source and the receivers for up to ms milliseconds, or until
 * done() (when given) is true. */
static void send_udp(int fd, uint16_t port, const void *p, size_t n);

/* The strangers that are on send their next packet when it is due: RTP
 * on the video ingest port with their own SSRC, and every tenth time a
 * sender report claiming a wall clock 1,000 s off. */
static void strangers_tick(void)
{
	uint64_t t = now_us();
	uint8_t p[240];
	unsigned i;

	if (t < env.strangers_next_us)
		return;
	env.strangers_next_us = t + STRANGER_US;
	for (i = 0; i < 2; i++) {
		struct stranger *s = &env.strg[i];

		if (!s->on || s->sock < 0)
			continue;
		memset(p, 0xee, sizeof(p));
		p[0] = 0x80;
		p[1] = 0x80 | VIDEO_PT;
		wr16(p + 2, s->seq++);
		wr32(p + 4, s->ts += 3000);
		wr32(p + 8, s->ssrc);
		send_udp(s->sock, WF_E2E_VIDEO_PORT, p, sizeof(p));
		s->rtp++;
		if (s->rtp % 10)
			continue;
		p[1] = 200;	/* SR, RFC 3550 §6.4.1 */
		wr16(p + 2, 6);
		wr32(p + 8, (uint32_t)((ntp_now() >> 32) + 1000));
		wr32(p + 16, s->ts);
		send_udp(s->sock, WF_E2E_VIDEO_PORT + 1, p, 28);
		s->sr++;
	}
}

static void pump(unsigned ms, bool (*done)(void))
{
	uint64_t end = now_us() + (uint64_t)ms * 1000;
	struct pollfd pf[N_OUT + 1];
	unsigned i;

	while (now_us() < end) {
		wf_rtp_src_tick(&source);
		strangers_tick();
		for (i = 0; i < N_OUT; i++)
			pf[i] = (struct pollfd){ .fd = outs[i].sock, .events = POLLIN };
		pf[N_OUT] = (struct pollfd){ .fd = env.icmp_sock, .events = POLLIN };
		poll(pf, N_OUT + 1, 2);
		for (i = 0; i < N_OUT; i++)
			rx_drain(&outs[i]);
		if (env.icmp_sock >= 0)
			icmp_drain();
		if (done && done())
			return;
	}
}

static void send_udp(int fd, uint16_t port, const void *p, size_t n);

/* ---- RTCP we send (RFC 3550 §6.4.2, RFC 4585 §6.1) ---------------------- */

static size_t rtcp_rr(uint8_t *p, uint32_t ssrc)
{
	p[0] = 0x80;	/* V=2, RC=0 */
	p[1] = 201;
	wr16(p + 2, 1);
	wr32(p + 4, ssrc);
	return 8;
}

static size_t rtcp_nack(uint8_t *p, uint32_t ssrc, uint32_t media, uint16_t pid, uint16_t blp)
{
	p[0] = 0x81;	/* FMT 1: generic NACK */
	p[1] = 205;
	wr16(p + 2, 3);
	wr32(p + 4, ssrc);
	wr32(p + 8, media);
	wr16(p + 12, pid);
	wr16(p + 14, blp);
	return 16;
}

static size_t rtcp_pli(uint8_t *p, uint32_t ssrc, uint32_t media)
{
	p[0] = 0x81;	/* FMT 1: PLI */
	p[1] = 206;
	wr16(p + 2, 2);
	wr32(p + 4, ssrc);
	wr32(p + 8, media);
	return 12;
}

/* Protects the compound packet in buf (len bytes) and sends it from the
 * output's address to whepfan's WebRTC port; corrupt flips a tag bit. */
static int send_srtcp(struct out_ctx *o, uint8_t *buf, size_t len, bool corrupt)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(WF_E2E_WEBRTC_PORT) };
	int n = (int)len;

	if (srtp_protect_rtcp(o->tx, buf, &n) != srtp_err_status_ok)
		return -1;
	/* the tag: last for AES-CM; before the E+index word for GCM (RFC 7714 §9) */
	if (corrupt)
		buf[o->gcm ? n - 5 : n - 1] ^= 0x01;
	inet_pton(AF_INET, WF_E2E_WF_ADDR, &to.sin_addr);
	return sendto(o->sock, buf, (size_t)n, 0, (struct sockaddr *)&to, sizeof(to)) == n ? 0 : -1;
}

/* ---- telemetry ------------------------------------------------------------ */

/* Telemetry command cmd to whepfan; the reply into buf.  0 or -errno. */
static int telemetry(const char *cmd, char *buf, size_t cap)
{
	return wf_e2e_telemetry(&env.proc, cmd, buf, cap);
}

/* ---- the checks ------------------------------------------------------------ */

static void network_namespace_is_private_with_loopback_up(void)
{
	WF_REQUIRE(wf_e2e_enter_test_netns() == 0);
	env.netns = true;
}

static void whepfan_starts_and_creates_its_tap_interface(void)
{
	struct wf_e2e_proc *p = &env.proc;
	char b64[2][64];
	FILE *f;
	unsigned i;
	int rc;

	WF_REQUIRE(env.netns);
	WF_REQUIRE(wf_e2e_prepare(p, "wfe2e") == 0);

	for (i = 0; i < N_OUT; i++) {
		struct out_ctx *o = &outs[i];

		o->name = i == 0 ? "gcm:6000" : "aes_cm:6002";
		o->gcm = i == 0;
		o->port = (uint16_t)(6000 + 2 * i);
		o->key_len = o->gcm ? 28 : 30;
		rnd_fill(o->key, o->key_len);
		base64(o->key, o->key_len, b64[i]);
		o->my_ssrc = rnd() | 0x10;
	}
	f = fopen(p->conf, "w");
	WF_REQUIRE(f != NULL);
	wf_e2e_conf_dpdk(f, p, &(struct wf_e2e_dpdk){ .lcores = env.lcores, .mbufs = 32767 });
	fprintf(f,
		"webrtc = { udp_port = %d; rtcp_sr_interval_ms = %d; };\n"
		"streams = ( {\n"
		"  name = \"test\";\n"
		"  history_ms = 3000;\n"
		"  sources = [ \"" WF_E2E_KERN_ADDR "\", \"" ALLOWED_ADDR "/32\" ];\n"
		"  source_timeout_ms = 3000;\n"
		"  tracks = (\n"
		"    { kind = \"video\"; port = %d; codec = \"H264\"; payload_type = %d;\n"
		"      fmtp = \"packetization-mode=1;profile-level-id=42e01f\"; },\n"
		"    { kind = \"audio\"; port = %d; codec = \"opus\"; payload_type = %d; }\n"
		"  );\n"
		"  outputs = (\n"
		"    { address = \"" WF_E2E_KERN_ADDR ":6000\"; srtp_profile = \"AEAD_AES_128_GCM\";\n"
		"      srtp_key = \"%s\"; },\n"
		"    { address = \"" WF_E2E_KERN_ADDR ":6002\"; srtp_profile = \"AES_CM_128_HMAC_SHA1_80\";\n"
		"      srtp_key = \"%s\"; }\n"
		"  );\n"
		"} );\n",
		WF_E2E_WEBRTC_PORT, SR_INTERVAL_MS, WF_E2E_VIDEO_PORT, VIDEO_PT,
		WF_E2E_AUDIO_PORT, AUDIO_PT, b64[0], b64[1]);
	WF_REQUIRE(fclose(f) == 0);
	printf("  whepfan %s/whepfan, config %s, EAL prefix %s, tap %s\n", p->build, p->conf,
	       p->prefix, p->iface);
	/* DPDK creates the tap during EAL init (bounded wait) */
	rc = wf_e2e_spawn(p, WF_E2E_KERN_ADDR "/24", 15000 * SLOW);
	WF_REQUIRE(rc != -ENOENT || !"build <build>/whepfan first");
	WF_REQUIRE(rc != -ECHILD || !"whepfan exited during start-up");
	WF_REQUIRE(rc == 0 || !"tap interface did not appear or could not be addressed");
	WF_REQUIRE(sh("ip addr add " FOREIGN_ADDR "/24 dev %s && ip addr add " ALLOWED_ADDR
		      "/24 dev %s", p->iface, p->iface) == 0);
	env.strg[0] = (struct stranger){ .sock = udp_socket(FOREIGN_ADDR, 5000), .ssrc = rnd() };
	env.strg[1] = (struct stranger){ .sock = udp_socket(ALLOWED_ADDR, 5000), .ssrc = rnd() };
	WF_REQUIRE(env.strg[0].sock >= 0 && env.strg[1].sock >= 0);
	/* sockets: the source, the outputs' receivers, junk, ICMP, raw frames */
	env.src_sock[0] = udp_socket(WF_E2E_KERN_ADDR, 5000);
	env.src_sock[1] = udp_socket(WF_E2E_KERN_ADDR, 5002);
	env.junk_sock = udp_socket(WF_E2E_KERN_ADDR, JUNK_PORT);
	WF_REQUIRE(env.src_sock[0] >= 0 && env.src_sock[1] >= 0 && env.junk_sock >= 0);
	src[0].conf.fd = env.src_sock[0];
	src[1].conf.fd = env.src_sock[1];
	for (i = 0; i < N_OUT; i++) {
		srtp_policy_t pol;

		outs[i].sock = udp_socket(WF_E2E_KERN_ADDR, outs[i].port);
		WF_REQUIRE(outs[i].sock >= 0);
		srtp_policy_for(&outs[i], &pol, true);
		WF_REQUIRE(srtp_create(&outs[i].rx, &pol) == srtp_err_status_ok);
		srtp_policy_for(&outs[i], &pol, false);
		WF_REQUIRE(srtp_create(&outs[i].tx, &pol) == srtp_err_status_ok);
	}
	env.icmp_sock = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	env.pkt_sock = socket(AF_PACKET, SOCK_RAW, 0)	/* send only */;
	WF_CHECK(env.icmp_sock >= 0);
	WF_CHECK(env.pkt_sock >= 0);
	env.ready = true;
}

static bool outputs_delivered(void)
{
	unsigned i;

	for (i = 0; i < N_OUT; i++)
		if (!outs[i].trk[0].have || !outs[i].trk[1].have)
			return false;
	return true;
}

static char tel_buf[65536];

/* Whether both outputs are active (telemetry), at most every 50 ms; only
 * once whepfan says it runs (its telemetry handlers read tables that
 * start-up is still building). */
static bool outputs_active(void)
{
	static uint64_t last;

	if (now_us() < last + 50000)
		return false;
	last = now_us();
	env.outputs_up = wf_e2e_log_has(env.proc.log, "whepfan: running:") &&
			 telemetry("/whepfan/stats", tel_buf, sizeof(tel_buf)) == 0 &&
			 json_num(tel_buf, NULL, "outputs_active") == N_OUT;
	return env.outputs_up;
}

static void both_outputs_go_live_after_arp_starting_at_a_key_frame(void)
{
	uint64_t t0 = now_us();
	unsigned i;

	WF_REQUIRE(env.ready);
	/* the outputs resolve ARP and go active with no traffic; then the
	 * mbufs in use (receive rings, nothing else) are the baseline */
	pump(10000 * SLOW, outputs_active);
	WF_REQUIRE(env.outputs_up || !"outputs not active 10 s after start");
	WF_REQUIRE(telemetry("/whepfan/info", tel_buf, sizeof(tel_buf)) == 0);
	env.mbufs_base = json_num(tel_buf, NULL, "mbufs_in_use");
	env.tx_mbufs_base = json_num(tel_buf, NULL, "tx_mbufs_in_use");
	WF_CHECK(env.mbufs_base >= 0 && env.tx_mbufs_base >= 0);
	printf("  mbufs in use before the source starts: %lld of %lld\n", env.mbufs_base,
	       json_num(tel_buf, NULL, "mbufs_total"));
	/* a stranger outside the stream's sources sends first, and goes on
	 * while the source starts: it must own nothing */
	env.strg[0].on = true;
	pump(300, NULL);
	source.running = true;
	pump(10000 * SLOW, outputs_delivered);
	WF_REQUIRE(outputs_delivered());
	env.t_live = now_us();
	env.live = true;
	env.strg[0].on = false;
	printf("  outputs live %.0f ms after the source started\n", (double)(env.t_live - t0) / 1e3);
	for (i = 0; i < N_OUT; i++) {
		const struct out_ctx *o = &outs[i];

		WF_CHECKF(src[0].s[o->trk[0].first_tag].kf,
			  "%s: first video packet %d is not a key frame start", o->name,
			  o->trk[0].first_tag);
		WF_CHECK(o->trk[0].ssrc != src[0].conf.ssrc && o->trk[1].ssrc != src[1].conf.ssrc);
		WF_CHECK(o->trk[0].ssrc != o->trk[1].ssrc);
	}
	WF_CHECK(outs[0].trk[0].ssrc != outs[1].trk[0].ssrc);
	WF_CHECK(arp_lookup(WF_E2E_WF_ADDR, env.wf_mac));
}

static bool ping_answered(void)
{
	return env.ping_replies > 0;
}

static void icmp_echo_to_the_port_address_is_answered(void)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t p[64];

	WF_REQUIRE(env.live && env.icmp_sock >= 0);
	env.ping_id = (uint16_t)rnd();
	memset(p, 0, sizeof(p));
	p[0] = 8;	/* RFC 792 echo request */
	wr16(p + 4, (uint16_t)env.ping_id);
	wr16(p + 6, 1);
	memcpy(p + 8, "whepfan e2e ping", 16);
	wr16(p + 2, wf_e2e_inet_csum(p, sizeof(p)));
	inet_pton(AF_INET, WF_E2E_WF_ADDR, &to.sin_addr);
	WF_REQUIRE(sendto(env.icmp_sock, p, sizeof(p), 0, (struct sockaddr *)&to, sizeof(to)) ==
		   (ssize_t)sizeof(p));
	pump(2000 * SLOW, ping_answered);
	WF_CHECK_EQ(env.ping_replies, 1);
}

/* NACKs (RFC 4585 §6.2.1) two packets received a little while ago on
 * output o's video and checks both come back, same seq, same payload. */
static void nack_recent(struct out_ctx *o)
{
	struct rx_trk *rt = &o->trk[0];
	uint8_t buf[256];
	size_t len;
	uint16_t seq;
	int tags[2], k;

	WF_REQUIRE(env.live);
	pump(300, NULL);
	seq = (uint16_t)(rt->last_seq - 8);
	tags[0] = rt->tag_of_seq[seq];
	tags[1] = rt->tag_of_seq[(uint16_t)(seq + 1)];
	WF_REQUIRE(tags[0] >= 0 && tags[1] >= 0);
	WF_REQUIRE(!rt->retx_of[tags[0]] && !rt->retx_of[tags[1]]);
	len = rtcp_rr(buf, o->my_ssrc);
	len += rtcp_nack(buf + len, o->my_ssrc, rt->ssrc, seq, 0x0001);	/* seq, seq + 1 */
	WF_REQUIRE(send_srtcp(o, buf, len, false) == 0);
	pump(500 * SLOW, NULL);
	for (k = 0; k < 2; k++)
		WF_CHECKF(rt->retx_of[tags[k]] == 1,
			  "%s: packet %d (seq %u) retransmitted %u times, want 1", o->name, tags[k],
			  (unsigned)(uint16_t)(seq + k), rt->retx_of[tags[k]]);
	CHECK_ERRLOG(&rt->err);	/* the retransmissions matched the originals */
}

static void nack_is_answered_from_history_on_the_gcm_output(void)
{
	nack_recent(&outs[0]);
}

static void nack_is_answered_from_history_on_the_aes_cm_output(void)
{
	nack_recent(&outs[1]);
}

static long long stat_of(const char *js, const char *section, const char *key)
{
	long long v = json_num(js, section, key);

	if (v < 0)
		wf_test_fail(__FILE__, __LINE__, "telemetry: no \"%s\" in %s", key,
			     section ? section : "stats");
	return v;
}

static char tel_before[65536], tel_after[65536];

static void nack_outside_the_history_is_counted_and_not_answered(void)
{
	struct out_ctx *o = &outs[0];
	struct rx_trk *rt = &o->trk[0];
	uint8_t buf[256];
	size_t len;
	uint16_t seq = 0;
	int tag = -1, k;
	long long miss0, miss1;

	WF_REQUIRE(env.live);
	/* history_ms is 3000: wait until the first packets after going live
	 * are 3.5 s old (key frames since then bound the cache) */
	while (now_us() < env.t_live + 4000000)
		pump(50, NULL);
	for (k = 0; k < 65536; k++) {
		int32_t tg = rt->tag_of_seq[k];

		if (tg >= 0 && !rt->retx_of[tg] && src[0].s[tg].t_us < env.t_live + 300000 &&
		    tg > rt->first_tag + 5) {
			seq = (uint16_t)k;
			tag = tg;
			break;
		}
	}
	WF_REQUIRE(tag >= 0);
	WF_REQUIRE(telemetry("/whepfan/stats", tel_before, sizeof(tel_before)) == 0);
	miss0 = stat_of(tel_before, "refusals", "nack_miss");
	len = rtcp_nack(buf, o->my_ssrc, rt->ssrc, seq, 0);
	/* and one for a sequence number this output never sent */
	len += rtcp_nack(buf + len, o->my_ssrc, rt->ssrc, (uint16_t)(rt->last_seq + 20000), 0xffff);
	WF_REQUIRE(send_srtcp(o, buf, len, false) == 0);
	pump(400 * SLOW, NULL);
	WF_CHECKF(rt->retx_of[tag] == 0, "packet %d (seq %u, %.1f s old) was retransmitted", tag,
		  seq, (double)(now_us() - src[0].s[tag].t_us) / 1e6);
	WF_REQUIRE(telemetry("/whepfan/stats", tel_after, sizeof(tel_after)) == 0);
	miss1 = stat_of(tel_after, "refusals", "nack_miss");
	WF_CHECKF(miss1 == miss0 + 1, "nack_miss %lld -> %lld, want +1", miss0, miss1);
	WF_CHECK(waitpid(env.proc.pid, NULL, WNOHANG) == 0);	/* still running */
	CHECK_ERRLOG(&rt->err);
}

/* A PLI (RFC 4585 §6.3.1) from output o: the cached key frame is replayed
 * to o alone, right after what it had, with gap-free sequence numbers. */
static void pli_replay(struct out_ctx *o)
{
	struct rx_trk *rt = &o->trk[0];
	uint8_t buf[64];
	size_t len;
	unsigned replays0 = rt->replays, others0[N_OUT], i;
	uint16_t seq_before;

	WF_REQUIRE(env.live);
	for (i = 0; i < N_OUT; i++)
		others0[i] = outs[i].trk[0].replays + outs[i].trk[1].replays;
	rt->pli_pending = true;
	rt->pli_min_tag = src[0].last_kf_tag;
	rt->pli_max_tag = rt->max_tag;
	seq_before = rt->last_seq;
	len = rtcp_rr(buf, o->my_ssrc);
	len += rtcp_pli(buf + len, o->my_ssrc, rt->ssrc);
	WF_REQUIRE(send_srtcp(o, buf, len, false) == 0);
	pump(600 * SLOW, NULL);
	WF_CHECKF(rt->replays == replays0 + 1, "%s: replays %u, want %u", o->name, rt->replays,
		  replays0 + 1);
	if (rt->replays == replays0 + 1) {
		const struct wf_rtp_sent *s = &src[0].s[rt->replay_tag];

		/* RFC 6184 §5.7.1: the replay starts with the STAP-A holding the SPS */
		WF_CHECK((s->pl[0] & 0x1f) == 24 && (s->pl[3] & 0x1f) == 7);
		WF_CHECK(rt->replay_tag == src[0].last_kf_tag || rt->replay_tag == rt->pli_min_tag);
		WF_CHECK((int16_t)(uint16_t)(rt->replay_seq - seq_before) >= 1);
		printf("  %s: replay of packet %d (key frame) as seq %u, after seq %u\n", o->name,
		       rt->replay_tag, rt->replay_seq, seq_before);
	}
	rt->pli_pending = false;
	/* the other output saw nothing of it */
	for (i = 0; i < N_OUT; i++)
		if (&outs[i] != o)
			WF_CHECK(outs[i].trk[0].replays + outs[i].trk[1].replays == others0[i]);
	CHECK_ERRLOG(&rt->err);	/* sequence gap-free through the replay */
}

static void pli_replays_the_cached_key_frame_with_gap_free_sequence_numbers(void)
{
	pli_replay(&outs[0]);
}

static void pli_on_the_second_output_replays_to_it_alone(void)
{
	pli_replay(&outs[1]);
}

/* The source's key frame and, right behind it, a PLI: on two workers the
 * request and the key frame cross on the handoff rings in either order.
 * The viewer must get a key frame start for each PLI, in order and gap-free
 * (the relay checks): the live one, or a replay, or both.  Both is right
 * when the PLI was handled after the key frame went out, and wasted when
 * the viewer was already waiting for the replay (a stale answer); how often
 * a key frame came live and then again as the replay is printed. */
static void pli_race(struct out_ctx *o)
{
	struct rx_trk *rt = &o->trk[0];
	uint8_t buf[64];
	size_t len;
	unsigned round, replays0, twice0 = rt->kf_twice;
	uint64_t deadline;

	WF_REQUIRE(env.live);
	rt->pli_multi = true;
	for (round = 0; round < 3; round++) {
		/* a viewer gets a replay at most once a second: the key
		 * frames are 1 s apart, and a refused PLI still sees the
		 * live key frame sent right before it */
		deadline = now_us() + 2500000;
		while (!(src[0].frame % GOP_FRAMES == 0 && now_us() + 3000 >= src[0].next_us) &&
		       now_us() < deadline)
			pump(1, NULL);
		WF_REQUIRE(src[0].frame % GOP_FRAMES == 0);
		replays0 = rt->replays;
		rt->pli_pending = true;
		rt->pli_min_tag = src[0].last_kf_tag;
		rt->pli_max_tag = (int)src[0].n - 1;
		src[0].next_us = now_us();
		wf_rtp_src_tick(&source);	/* the key frame, then right behind it the PLI */
		len = rtcp_rr(buf, o->my_ssrc);
		len += rtcp_pli(buf + len, o->my_ssrc, rt->ssrc);
		WF_REQUIRE(send_srtcp(o, buf, len, false) == 0);
		pump(700, NULL);	/* less than a GOP: the next key frame is no start */
		WF_CHECKF(rt->replays >= replays0 + 1 && rt->replays <= replays0 + 2,
			  "%s round %u: %u key frame starts, want 1 or 2", o->name, round,
			  rt->replays - replays0);
		rt->pli_pending = false;
	}
	rt->pli_multi = false;
	printf("  %s: a key frame came live and again as the replay in %u of 3 rounds\n",
	       o->name, rt->kf_twice - twice0);
	CHECK_ERRLOG(&rt->err);
}

static void pli_racing_a_live_key_frame_on_the_first_output_starts_it_once(void)
{
	pli_race(&outs[0]);
}

static void pli_racing_a_live_key_frame_on_the_second_output_starts_it_once(void)
{
	pli_race(&outs[1]);
}

/* RFC 3550 §6.4.1: the audio source sends an SR (on port + 1, §11) whose
 * RTP time runs 1 s ahead of its packets' timestamps: the outputs' SRs
 * must follow the source's mapping (DESIGN.md: lip sync across tracks). */
static void source_sender_report_sets_the_outputs_rtp_clock(void)
{
	struct wf_rtp_src_track *st = &src[1];
	uint8_t p[28];
	uint64_t ntp = ntp_now();
	const struct wf_rtp_sent *last;
	unsigned i;

	WF_REQUIRE(env.live && st->n);
	last = &st->s[st->n - 1];
	sr_offset[1] = (int32_t)st->conf.clock;
	p[0] = 0x80;
	p[1] = 200;
	wr16(p + 2, 6);
	wr32(p + 4, st->conf.ssrc);
	wr32(p + 8, (uint32_t)(ntp >> 32));
	wr32(p + 12, (uint32_t)ntp);
	wr32(p + 16, last->ts + (uint32_t)((double)(now_us() - last->t_us) / 1e6 * st->conf.clock) +
		     (uint32_t)sr_offset[1]);
	wr32(p + 20, st->n);
	wr32(p + 24, st->n * 100);
	sr_sent_us[1] = now_us();
	send_udp(env.src_sock[1], WF_E2E_AUDIO_PORT + 1, p, sizeof(p));
	pump(800, NULL);
	for (i = 0; i < N_OUT; i++) {
		WF_CHECKF(outs[i].sr_after_src_sr[1] >= 2, "%s: %u audio SRs after the source's",
			  outs[i].name, outs[i].sr_after_src_sr[1]);
		CHECK_ERRLOG(&outs[i].sr_err);	/* RTP time 1 s ahead, within 250 ms */
	}
}

/* The source stops for ms, its RTP clock running on (a real encoder's
 * does), then resumes where its clock is. */
static void src_gap(unsigned ms)
{
	uint64_t t0 = now_us(), dt;
	unsigned i;

	source.running = false;
	pump(ms, NULL);
	dt = now_us() - t0;
	for (i = 0; i < source.n_tracks; i++) {
		struct wf_rtp_src_track *t = &source.trk[i];

		t->ts += (uint32_t)(dt * t->conf.clock / 1000000);
		t->next_us = 0;	/* the next pump sends from now */
	}
	source.running = true;
}

/* With streams[].sources set, RTP and sender reports from a stranger
 * outside them, before the source started (both_outputs_go_live...) and
 * during a 1.5 s gap in the source's stream, and from an allowed address
 * that is not the latched source during that gap (shorter than
 * source_timeout_ms, 3 s), change nothing the outputs receive: the later
 * checks find every packet byte for byte and every SR's clock right. */
static void strangers_before_the_source_and_in_a_gap_change_nothing(void)
{
	static const char *const names[] = {
		"ingest_foreign_source", "ingest_ssrc", "ingest_rtcp_source", "ingest_source",
	};
	long long was[4], now[4], allowed;
	unsigned i, sent;

	WF_REQUIRE(env.live);
	WF_REQUIRE(telemetry("/whepfan/stats", tel_buf, sizeof(tel_buf)) == 0);
	for (i = 0; i < 4; i++)
		was[i] = json_num(tel_buf, "drops", names[i]);
	env.strg[0].on = env.strg[1].on = true;
	src_gap(1500);
	env.strg[0].on = env.strg[1].on = false;
	pump(1000 * SLOW, NULL);
	WF_REQUIRE(telemetry("/whepfan/stats", tel_buf, sizeof(tel_buf)) == 0);
	for (i = 0; i < 4; i++)
		now[i] = json_num(tel_buf, "drops", names[i]);
	printf("  stranger %s: %u RTP + %u SRs in all, %lld dropped as foreign\n", FOREIGN_ADDR,
	       env.strg[0].rtp, env.strg[0].sr, now[0]);
	printf("  allowed %s in the gap: %u RTP + %u SRs, %lld + %lld + %lld dropped (ssrc, rtcp, "
	       "source)\n", ALLOWED_ADDR, env.strg[1].rtp, env.strg[1].sr, now[1] - was[1],
	       now[2] - was[2], now[3] - was[3]);
	/* every datagram of theirs counted (the tap may lose a few); the
	 * owner drops the allowed address's RTP for its SSRC and its SRs for
	 * their source, a worker that is not the owner drops both where they
	 * land, as not the live source's (wf_ingest_screen) */
	WF_CHECK(now[0] <= env.strg[0].rtp + env.strg[0].sr &&
		 now[0] >= (env.strg[0].rtp + env.strg[0].sr) * 95 / 100);
	allowed = now[1] - was[1] + now[2] - was[2] + now[3] - was[3];
	sent = env.strg[1].rtp + env.strg[1].sr;
	WF_CHECK(allowed <= sent && allowed >= sent * 95 / 100);
	if (env.workers == 1) {
		WF_CHECK(now[1] - was[1] <= env.strg[1].rtp &&
			 now[1] - was[1] >= env.strg[1].rtp * 95 / 100);
		WF_CHECK(now[2] - was[2] <= env.strg[1].sr &&
			 now[2] - was[2] >= env.strg[1].sr * 9 / 10);
	}
	for (i = 0; i < N_OUT; i++) {
		CHECK_ERRLOG(&outs[i].sr_err);
		CHECK_ERRLOG(&outs[i].misc_err);
		CHECK_ERRLOG(&outs[i].trk[0].err);
	}
}

/* The worker whepfan's log says output port went active on, or -1. */
static int output_worker(uint16_t port)
{
	FILE *f = fopen(env.proc.log, "r");
	char line[512], pat[64];
	const char *p;
	int w = -1;

	if (!f)
		return -1;
	snprintf(pat, sizeof(pat), WF_E2E_KERN_ADDR ":%u active on worker ", port);
	while (fgets(line, sizeof(line), f))
		if ((p = strstr(line, pat)) != NULL)
			w = atoi(p + strlen(pat));
	fclose(f);
	return w;
}

/* Telemetry figure key of worker w in /whepfan/lcores reply js. */
static long long worker_num(const char *js, unsigned w, const char *key)
{
	char name[16];

	snprintf(name, sizeof(name), "worker%u", w);
	return json_num(js, name, key);
}

static void outputs_are_spread_over_the_workers_and_one_owns_the_stream(void)
{
	long long owner, viewers[2] = { 0, 0 };
	int w[N_OUT];
	unsigned i, cross = 0;

	WF_REQUIRE(env.live);
	WF_REQUIRE(telemetry("/whepfan/stream,test", tel_buf, sizeof(tel_buf)) == 0);
	owner = json_num(tel_buf, NULL, "owner_worker");
	WF_REQUIRE(owner >= 0 && owner < (long long)env.workers);
	WF_REQUIRE(telemetry("/whepfan/lcores", tel_buf, sizeof(tel_buf)) == 0);
	WF_CHECK(worker_num(tel_buf, env.workers - 1, "viewers") >= 0);
	WF_CHECK(worker_num(tel_buf, env.workers, "viewers") < 0);	/* no more workers */
	for (i = 0; i < env.workers && i < 2; i++)
		viewers[i] = worker_num(tel_buf, i, "viewers");
	for (i = 0; i < N_OUT; i++) {
		w[i] = output_worker(outs[i].port);
		WF_CHECKF(w[i] >= 0 && w[i] < (int)env.workers, "%s: on worker %d", outs[i].name,
			  w[i]);
		cross += w[i] != owner;
	}
	printf("  stream owned by worker %lld; %s on worker %d, %s on worker %d; viewers per "
	       "worker %lld, %lld\n", owner, outs[0].name, w[0], outs[1].name, w[1], viewers[0],
	       viewers[1]);
	if (env.workers == 1) {
		WF_CHECK_EQ(viewers[0], N_OUT);
		return;
	}
	/* least loaded placement: one output per worker, so one of them is
	 * served across the handoff rings */
	WF_CHECK_EQ(viewers[0], 1);
	WF_CHECK_EQ(viewers[1], 1);
	WF_CHECK(w[0] != w[1]);
	WF_CHECK_EQ(cross, 1);
}

/* ---- hostile input --------------------------------------------------------- */

static void send_udp(int fd, uint16_t port, const void *p, size_t n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, WF_E2E_WF_ADDR, &to.sin_addr);
	sendto(fd, p, n, 0, (struct sockaddr *)&to, sizeof(to));
}

/* Sends an Ethernet frame from the kernel side's MAC to dst (NULL:
 * whepfan's MAC) with the n bytes at l3 after the header.  Returns 0. */
static int send_frame(const uint8_t *dst, uint16_t ethertype, const uint8_t *l3, size_t n)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = env.proc.ifindex,
				   .sll_halen = 6 };
	uint8_t f[1600];

	memcpy(f, dst ? dst : env.wf_mac, 6);
	memcpy(f + 6, env.kern_mac, 6);
	wr16(f + 12, ethertype);
	memcpy(f + 14, l3, n);
	memcpy(sll.sll_addr, f, 6);
	return sendto(env.pkt_sock, f, 14 + n, 0, (struct sockaddr *)&sll, sizeof(sll)) ==
	       (ssize_t)(14 + n) ? 0 : -1;
}

/* IPv4 + UDP to whepfan's port dport with a payload of plen bytes;
 * returns the length.  frag: the fragment field (host order). */
static size_t ip_udp(uint8_t *p, uint16_t dport, size_t plen, uint16_t frag, uint8_t proto)
{
	memset(p, 0, 28 + plen);
	p[0] = 0x45;
	wr16(p + 2, (uint16_t)(28 + plen));
	wr16(p + 4, (uint16_t)rnd());
	wr16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	inet_pton(AF_INET, WF_E2E_KERN_ADDR, p + 12);
	inet_pton(AF_INET, WF_E2E_WF_ADDR, p + 16);
	wr16(p + 10, wf_e2e_inet_csum(p, 20));
	wr16(p + 20, JUNK_PORT);
	wr16(p + 22, dport);
	wr16(p + 24, (uint16_t)(8 + plen));
	rnd_fill(p + 28, plen);
	if (plen)
		p[28] = 0x80;
	if (plen > 1)
		p[29] = VIDEO_PT;
	return 28 + plen;
}

static void refresh_ip_csum(uint8_t *p)
{
	wr16(p + 10, 0);
	wr16(p + 10, wf_e2e_inet_csum(p, (p[0] & 15) * 4u));
}

static void hostile_frames_and_datagrams_are_dropped_and_counted(void)
{
	static const struct { const char *section, *name; long long min; } want[] = {
		{ "drops", "ethertype", 1 },	{ "drops", "not_for_us", 1 },
		{ "drops", "ip_bad_header", 2 },	{ "drops", "ip_bad_length", 1 },
		{ "drops", "ip_bad_checksum", 1 },	{ "drops", "ip_fragment", 4 },
		{ "drops", "ip_not_ours", 1 },	{ "drops", "ip_protocol", 1 },
		{ "drops", "udp_bad_length", 2 },	{ "drops", "udp_no_port", 3 },
		{ "drops", "ingest_bad_rtp", 8 },	{ "drops", "ingest_pt", 1 },
		{ "drops", "ingest_source", 1 },	{ "drops", "ingest_ssrc", 1 },
		{ "drops", "webrtc_bad_byte", 145 },	{ "drops", "webrtc_unknown", 64 },
		{ "drops", "webrtc_not_rtcp", 1 },	{ "drops", "srtcp_unprotect", 3 },
		{ "rtp_errors", "rtp_too_short", 2 },	{ "rtp_errors", "rtp_bad_version", 2 },
		{ "rtp_errors", "rtp_csrc_trunc", 1 },	{ "rtp_errors", "rtp_ext_trunc", 1 },
		{ "rtp_errors", "rtp_bad_padding", 2 },	{ "srtp_errors", "auth_fail", 2 },
		{ "srtp_errors", "too_short", 1 },	{ NULL, "punted", 48 },
		{ "slow_path", "icmp_echo", 0 },
	};
	static const uint8_t other_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	uint8_t p[1600], m[1600];
	struct out_ctx *o = &outs[0];
	size_t n;
	unsigned i;
	int big = 3000, pmtu = IP_PMTUDISC_DONT;

	WF_REQUIRE(env.live && env.pkt_sock >= 0);
	WF_REQUIRE(arp_lookup(WF_E2E_WF_ADDR, env.wf_mac));
	{
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		struct ifreq ifr;

		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", env.proc.iface);
		WF_REQUIRE(fd >= 0 && ioctl(fd, SIOCGIFHWADDR, &ifr) == 0);
		memcpy(env.kern_mac, ifr.ifr_hwaddr.sa_data, 6);
		close(fd);
	}
	WF_REQUIRE(telemetry("/whepfan/stats", tel_before, sizeof(tel_before)) == 0);

	/* RTP ingest: runts, non-RTP, version 1, CSRC and extension past the
	 * end, bad padding, wrong PT, from the source's own sockets (what
	 * another port sends while the source is live, a worker that is not
	 * the owner drops as not the source's before it is parsed:
	 * wf_ingest_screen); then a second address, a second SSRC */
	send_udp(env.src_sock[0], WF_E2E_VIDEO_PORT, "", 0);
	send_udp(env.src_sock[0], WF_E2E_VIDEO_PORT, "\x80\x60\x00\x01\x00", 5);
	memset(m, 0, sizeof(m));
	m[0] = 0x00; m[1] = VIDEO_PT;				/* version 0 */
	send_udp(env.src_sock[0], WF_E2E_VIDEO_PORT, m, 40);
	m[0] = 0x40;						/* version 1 */
	send_udp(env.src_sock[0], WF_E2E_VIDEO_PORT, m, 40);
	m[0] = 0x8f;						/* 15 CSRCs in 20 bytes */
	send_udp(env.src_sock[0], WF_E2E_VIDEO_PORT, m, 20);
	m[0] = 0x90; wr16(m + 14, 0x4000);			/* extension of 64 KiB */
	send_udp(env.src_sock[0], WF_E2E_VIDEO_PORT, m, 24);
	m[0] = 0xa0; m[39] = 0;					/* padding count 0 */
	send_udp(env.src_sock[1], WF_E2E_AUDIO_PORT, m, 40);
	m[39] = 200;						/* padding past the header */
	send_udp(env.src_sock[1], WF_E2E_AUDIO_PORT, m, 40);
	memset(m, 0, 64);
	m[0] = 0x80; m[1] = 97;					/* PT 97 on the video port */
	wr32(m + 8, src[0].conf.ssrc);
	send_udp(env.src_sock[0], WF_E2E_VIDEO_PORT, m, 40);
	m[1] = VIDEO_PT;					/* right PT, other address */
	send_udp(env.junk_sock, WF_E2E_VIDEO_PORT, m, 40);
	m[1] = AUDIO_PT;					/* the source's socket, other SSRC */
	wr32(m + 8, src[1].conf.ssrc ^ 0x5555);
	send_udp(env.src_sock[1], WF_E2E_AUDIO_PORT, m, 40);
	/* nobody's UDP ports */
	send_udp(env.junk_sock, 5010, m, 40);	/* 5005, 5007: RTCP */
	send_udp(env.junk_sock, 9999, m, 40);
	send_udp(env.junk_sock, 1, m, 40);
	/* a datagram the kernel must fragment (DF off): >= 2 fragments */
	setsockopt(env.junk_sock, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
	{
		uint8_t *b = calloc(1, (size_t)big);

		if (b) {
			b[0] = 0x80;
			b[1] = VIDEO_PT;
			send_udp(env.junk_sock, WF_E2E_VIDEO_PORT, b, (size_t)big);
			free(b);
		}
	}
	/* the WebRTC port: every first byte (RFC 7983) from an unknown address */
	for (i = 0; i < 256; i++) {
		size_t len = 20 + rnd() % 80;

		rnd_fill(m, len);
		m[0] = (uint8_t)i;
		send_udp(env.junk_sock, WF_E2E_WEBRTC_PORT, m, len);
		if (i % 32 == 31)
			pump(5, NULL);	/* keep the tap queue short */
	}
	send_udp(env.junk_sock, WF_E2E_WEBRTC_PORT, "", 0);
	/* from the output's address: bad SRTCP tag, RTP, a runt "SRTCP" */
	for (i = 0; i < N_OUT; i++) {
		n = rtcp_rr(m, outs[i].my_ssrc);
		WF_CHECK(send_srtcp(&outs[i], m, n, true) == 0);
	}
	m[0] = 0x80; m[1] = VIDEO_PT;
	send_udp(o->sock, WF_E2E_WEBRTC_PORT, m, 60);
	send_udp(o->sock, WF_E2E_WEBRTC_PORT, "\x80\xc9\x00\x01", 4);
	pump(5, NULL);

	/* raw frames (AF_PACKET on the tap): layer 2 and 3 damage */
	WF_CHECK(send_frame(NULL, 0x86dd, p, 60) == 0);			/* IPv6 */
	n = ip_udp(p, WF_E2E_VIDEO_PORT, 20, 0, IPPROTO_UDP);
	WF_CHECK(send_frame(other_mac, 0x0800, p, n) == 0);		/* not our MAC */
	memcpy(m, p, n); m[0] = 0x65; refresh_ip_csum(m);		/* version 6 */
	WF_CHECK(send_frame(NULL, 0x0800, m, n) == 0);
	memcpy(m, p, n); m[0] = 0x43;					/* IHL 3 */
	WF_CHECK(send_frame(NULL, 0x0800, m, n) == 0);
	memcpy(m, p, n); wr16(m + 2, 1000); refresh_ip_csum(m);		/* longer than the frame */
	WF_CHECK(send_frame(NULL, 0x0800, m, n) == 0);
	memcpy(m, p, n); m[10] ^= 0x55;					/* checksum */
	WF_CHECK(send_frame(NULL, 0x0800, m, n) == 0);
	n = ip_udp(p, WF_E2E_VIDEO_PORT, 40, 0x2000, IPPROTO_UDP);		/* MF */
	WF_CHECK(send_frame(NULL, 0x0800, p, n) == 0);
	n = ip_udp(p, WF_E2E_VIDEO_PORT, 40, 0x0005, IPPROTO_UDP);		/* offset 40 */
	WF_CHECK(send_frame(NULL, 0x0800, p, n) == 0);
	n = ip_udp(p, WF_E2E_VIDEO_PORT, 20, 0, IPPROTO_UDP);
	inet_pton(AF_INET, "198.18.0.3", p + 16); refresh_ip_csum(p);	/* not our address */
	WF_CHECK(send_frame(NULL, 0x0800, p, n) == 0);
	n = ip_udp(p, WF_E2E_VIDEO_PORT, 20, 0, IPPROTO_TCP);			/* TCP */
	WF_CHECK(send_frame(NULL, 0x0800, p, n) == 0);
	n = ip_udp(p, WF_E2E_VIDEO_PORT, 20, 0, IPPROTO_UDP);
	wr16(p + 24, 200);						/* UDP longer than IP */
	WF_CHECK(send_frame(NULL, 0x0800, p, n) == 0);
	n = ip_udp(p, WF_E2E_VIDEO_PORT, 0, 0, IPPROTO_UDP);
	wr16(p + 2, 24); refresh_ip_csum(p);				/* 4 bytes of UDP */
	WF_CHECK(send_frame(NULL, 0x0800, p, 24) == 0);

	pump(500 * SLOW, NULL);
	WF_REQUIRE(waitpid(env.proc.pid, NULL, WNOHANG) == 0 || !"whepfan died");
	WF_REQUIRE(telemetry("/whepfan/stats", tel_after, sizeof(tel_after)) == 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		long long a = stat_of(tel_before, want[i].section, want[i].name);
		long long b = stat_of(tel_after, want[i].section, want[i].name);

		if (want[i].min == 0) {
			WF_CHECKF(b >= 1, "%s: %lld, want >= 1", want[i].name, b);
			continue;
		}
		WF_CHECKF(b - a >= want[i].min, "%s.%s moved by %lld, want >= %lld",
			  want[i].section ? want[i].section : "stats", want[i].name, b - a,
			  want[i].min);
	}
	WF_CHECK_EQ(stat_of(tel_after, NULL, "outputs_active"), 2);
	WF_CHECK(stat_of(tel_after, NULL, "rr_rx") >= 3);
	WF_CHECK(stat_of(tel_after, NULL, "retransmits") >= 4);
	WF_CHECK(stat_of(tel_after, NULL, "sr_tx") >= 4);
}

static void stream_still_flows_after_the_hostile_burst(void)
{
	unsigned i, t, before[N_OUT][2];

	WF_REQUIRE(env.live);
	for (i = 0; i < N_OUT; i++)
		for (t = 0; t < 2; t++)
			before[i][t] = outs[i].trk[t].n_rtp;
	pump(600, NULL);
	for (i = 0; i < N_OUT; i++)
		for (t = 0; t < 2; t++)
			WF_CHECKF(outs[i].trk[t].n_rtp >= before[i][t] + 10,
				  "%s %s: %u packets in 600 ms", outs[i].name, src[t].conf.name,
				  outs[i].trk[t].n_rtp - before[i][t]);
	/* and stop the source: the outputs drain */
	source.running = false;
	pump(500 * SLOW, NULL);
}

/* A gratuitous ARP (RFC 5227 §3 announcement) for ip from mac. */
static int gratuitous_arp(const char *ip, const uint8_t mac[6])
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t a[28];

	wr16(a, 1);		/* Ethernet */
	wr16(a + 2, 0x0800);	/* IPv4 */
	a[4] = 6, a[5] = 4;
	wr16(a + 6, 1);		/* request */
	memcpy(a + 8, mac, 6);
	inet_pton(AF_INET, ip, a + 14);
	memset(a + 18, 0, 6);
	inet_pton(AF_INET, ip, a + 24);
	return send_frame(bcast, 0x0806, a, sizeof(a));
}

static unsigned out_rtp_seen[N_OUT];

/* Whether every output got 20 more RTP packets since out_rtp_seen. */
static bool outputs_deliver_again(void)
{
	unsigned i;

	for (i = 0; i < N_OUT; i++)
		if (outs[i].trk[0].n_rtp + outs[i].trk[1].n_rtp < out_rtp_seen[i] + 20)
			return false;
	return true;
}

/* The kernel side takes mac and announces it; both outputs must deliver
 * again within 3 s: the kernel drops frames to any other MAC, so only a
 * whepfan that followed the new MAC gets packets through. */
static bool outputs_follow_mac(const uint8_t mac[6])
{
	unsigned i;

	if (sh("ip link set dev %s address %02x:%02x:%02x:%02x:%02x:%02x", env.proc.iface, mac[0],
	       mac[1], mac[2], mac[3], mac[4], mac[5]) != 0)
		return false;
	memcpy(env.kern_mac, mac, 6);
	pump(200, NULL);	/* what was in flight to the old MAC is gone */
	for (i = 0; i < N_OUT; i++)
		out_rtp_seen[i] = outs[i].trk[0].n_rtp + outs[i].trk[1].n_rtp;
	if (gratuitous_arp(WF_E2E_KERN_ADDR, mac) != 0)
		return false;
	pump(3000 * SLOW, outputs_deliver_again);
	return outputs_deliver_again();
}

static void outputs_follow_a_next_hop_whose_mac_changed(void)
{
	static const uint8_t moved[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x77 };
	uint8_t home[6];

	WF_REQUIRE(env.live && env.pkt_sock >= 0);
	memcpy(home, env.kern_mac, 6);
	WF_REQUIRE(home[0] || home[1] || home[2] || home[3] || home[4] || home[5]);
	source.running = true;	/* the test before stopped it */
	pump(300, NULL);
	WF_CHECK(outputs_follow_mac(moved));
	WF_CHECK(wf_e2e_log_has(env.proc.log, "next hop now at 02:00:5E:10:00:77"));
	WF_CHECK(outputs_follow_mac(home));
	/* and stop the source again: the outputs drain */
	source.running = false;
	pump(500 * SLOW, NULL);
}

/* With the source stopped and its history window (3 s) past, the mbufs in
 * use are the baseline plus the key-frame cache: the video history from
 * its newest key frame on (audio ages out entirely).  A reference lost on
 * any path (handoff, NACK, replay, drop) would stay above it. */
static void mbufs_in_use_return_to_the_baseline_plus_the_key_frame_cache(void)
{
	uint64_t until = now_us() + 3300000;
	long long in_use, video, audio, held;

	WF_REQUIRE(env.live && !source.running && env.mbufs_base >= 0);
	if (src[0].n && src[0].s[src[0].n - 1].t_us + 3300000 > now_us())
		until = src[0].s[src[0].n - 1].t_us + 3300000;
	while (now_us() < until)
		pump(50, NULL);
	WF_REQUIRE(telemetry("/whepfan/stream,test", tel_buf, sizeof(tel_buf)) == 0);
	video = json_num(tel_buf, "video", "history_packets");
	audio = json_num(tel_buf, "audio", "history_packets");
	WF_REQUIRE(video >= 1 && audio >= 0);
	WF_REQUIRE(telemetry("/whepfan/info", tel_buf, sizeof(tel_buf)) == 0);
	in_use = json_num(tel_buf, NULL, "mbufs_in_use");
	/* the key frame cache: from the last key frame to the last packet */
	held = (long long)src[0].n - src[0].last_kf_tag;
	printf("  mbufs in use: %lld (baseline %lld, video history %lld packets, audio %lld, "
	       "last key frame + %lld)\n", in_use, env.mbufs_base, video, audio, held);
	WF_CHECK_EQ(video, held);
	WF_CHECKF(in_use == env.mbufs_base + held, "mbufs in use %lld, want %lld + %lld",
		  in_use, env.mbufs_base, held);
}

/* The transmit pool holds nothing at rest: every copy, retransmission,
 * RTCP packet and slow-path frame went out or was dropped.  A sender's
 * report may be between its making and its burst when telemetry reads
 * (20 us at most), so the count gets three reads. */
static void the_transmit_pool_returns_to_its_baseline(void)
{
	long long in_use = -1;
	int i;

	WF_REQUIRE(env.live && !source.running && env.tx_mbufs_base >= 0);
	for (i = 0; i < 3 && in_use != env.tx_mbufs_base; i++) {
		if (i)
			pump(20, NULL);
		WF_REQUIRE(telemetry("/whepfan/info", tel_buf, sizeof(tel_buf)) == 0);
		in_use = json_num(tel_buf, NULL, "tx_mbufs_in_use");
	}
	WF_CHECKF(in_use == env.tx_mbufs_base, "transmit mbufs in use %lld, baseline %lld",
		  in_use, env.tx_mbufs_base);
}

/* Telemetry figure key of handoff kind k, summed over the workers. */
static long long kind_sum(const char *js, const char *kind)
{
	long long sum = 0, v;
	unsigned w;
	char name[32];

	for (w = 0; w < env.workers; w++) {
		const char *p;

		snprintf(name, sizeof(name), "\"worker%u\"", w);
		p = strstr(js, name);
		if (!p || (v = json_num(p, "handoff_in_kinds", kind)) < 0)
			return -1;
		sum += v;
	}
	return sum;
}

/* In the two-worker run the cross-lcore paths carried traffic (media by
 * reference, NACK and replay requests and their answers, ingest from the
 * other worker's queue), no handoff ring ever overflowed, and every item
 * sent was received.  Viewers' RTCP (from_viewer) is only printed: the tap
 * steers a flow to the queue that last sent its reverse (the tun flow
 * table, symmetric hash), which is the viewer's own worker. */
static void handoff_rings_carried_the_cross_worker_traffic_without_loss(void)
{
	static const char *const kinds[] = {
		"media", "retx", "req_retx", "req_replay", "ingest", "from_viewer",
	};
	long long in0, in1, out0, out1, k[6];
	uint8_t m[40];
	unsigned i;

	WF_REQUIRE(env.live);
	/* RTP on the video port from 16 more flows, with a payload type that
	 * is not the track's (dropped by the owner, and cannot latch as a new
	 * source): the kernel spreads them over both queues */
	memset(m, 0, sizeof(m));
	m[0] = 0x80;
	m[1] = 97;
	for (i = 0; i < 16; i++) {
		int fd = udp_socket(WF_E2E_KERN_ADDR, 0);

		if (fd < 0)
			continue;
		send_udp(fd, WF_E2E_VIDEO_PORT, m, sizeof(m));
		close(fd);
	}
	pump(200 * SLOW, NULL);
	WF_REQUIRE(telemetry("/whepfan/lcores", tel_buf, sizeof(tel_buf)) == 0);
	in0 = worker_num(tel_buf, 0, "handoff_in");
	out0 = worker_num(tel_buf, 0, "handoff_out");
	if (env.workers == 1) {
		WF_CHECK_EQ(in0, 0);
		WF_CHECK_EQ(out0, 0);
		return;
	}
	in1 = worker_num(tel_buf, 1, "handoff_in");
	out1 = worker_num(tel_buf, 1, "handoff_out");
	for (i = 0; i < 6; i++)
		k[i] = kind_sum(tel_buf, kinds[i]);
	printf("  handoff: worker 0 sent %lld, received %lld; worker 1 sent %lld, received %lld\n"
	       "  items received: media %lld, retx %lld, req_retx %lld, req_replay %lld, ingest "
	       "%lld, from_viewer %lld\n", out0, in0, out1, in1, k[0], k[1], k[2], k[3], k[4],
	       k[5]);
	WF_CHECK_EQ(worker_num(tel_buf, 0, "handoff_full"), 0);
	WF_CHECK_EQ(worker_num(tel_buf, 1, "handoff_full"), 0);
	WF_CHECK(out0 > 300 && in1 == out0);
	WF_CHECK(out1 >= 3 && in0 == out1);
	for (i = 0; i < 5; i++)
		WF_CHECKF(k[i] > 0, "no %s item crossed between the workers", kinds[i]);
	WF_CHECK_EQ(k[0] + k[1] + k[2] + k[3] + k[4] + k[5], in0 + in1);
}

/* Every packet sent after the output went live (from its first key
 * frame), in order, byte-identical; our SSRC; seq +1; PT; timestamps. */
static void relayed_in_order(struct out_ctx *o)
{
	unsigned t;

	WF_REQUIRE(env.live);
	for (t = 0; t < 2; t++) {
		const struct rx_trk *rt = &o->trk[t];

		CHECK_ERRLOG(&rt->err);
		WF_CHECKF(rt->last_tag == (int)src[t].n - 1, "%s %s: last packet received %d of %u",
			  o->name, src[t].conf.name, rt->last_tag, src[t].n);
		WF_CHECKF(rt->n_rtp > 100, "%s %s: only %u packets", o->name, src[t].conf.name, rt->n_rtp);
		printf("  %s %s: %u packets (%u retransmitted), packets %d..%d of %u, SSRC 0x%08x\n",
		       o->name, src[t].conf.name, rt->n_rtp, rt->n_retx, rt->first_tag, rt->last_tag,
		       src[t].n, rt->ssrc);
	}
	CHECK_ERRLOG(&o->misc_err);
}

static void gcm_output_relays_every_packet_in_order_byte_identical(void)
{
	relayed_in_order(&outs[0]);
}

static void aes_cm_output_relays_every_packet_in_order_byte_identical(void)
{
	relayed_in_order(&outs[1]);
}

static void source_sequence_wrap_is_invisible_to_the_outputs(void)
{
	unsigned i, t;

	WF_REQUIRE(env.live);
	for (t = 0; t < 2; t++) {
		WF_REQUIRE(src[t].wrap_tag > 0);
		for (i = 0; i < N_OUT; i++)
			WF_CHECKF(outs[i].trk[t].first_tag < src[t].wrap_tag &&
				  outs[i].trk[t].last_tag > src[t].wrap_tag,
				  "%s %s: the wrap (packet %d) is outside %d..%d", outs[i].name,
				  src[t].conf.name, src[t].wrap_tag, outs[i].trk[t].first_tag,
				  outs[i].trk[t].last_tag);
	}
	/* gaps or reordering across the wrap would be in the relay checks */
}

static void sender_reports_carry_our_ssrc_wall_clock_and_exact_counts(void)
{
	unsigned i, t;
	double secs;

	WF_REQUIRE(env.live);
	secs = (double)(now_us() - env.t_live) / 1e6;
	for (i = 0; i < N_OUT; i++) {
		CHECK_ERRLOG(&outs[i].sr_err);
		for (t = 0; t < 2; t++)
			/* every 200 ms per track; allow for start-up and drain */
			WF_CHECKF(outs[i].sr_per_trk[t] >= (unsigned)(secs * 1000 / SR_INTERVAL_MS / 2),
				  "%s %s: %u SRs in %.1f s", outs[i].name, src[t].conf.name,
				  outs[i].sr_per_trk[t], secs);
		printf("  %s: %u SRs (video %u, audio %u) in %.1f s\n", outs[i].name, outs[i].n_sr,
		       outs[i].sr_per_trk[0], outs[i].sr_per_trk[1], secs);
	}
}

static void sigterm_stops_whepfan_with_exit_status_0(void)
{
	WF_REQUIRE(env.proc.pid > 0);
	wf_e2e_check_sigterm(&env.proc, 10000 * SLOW);
}

/* After streams, viewers, rings and ports are gone, every mbuf is back. */
static void every_mbuf_is_back_in_the_pool_after_exit(void)
{
	long long n = wf_e2e_log_number(env.proc.log, "mbufs in use after teardown: ");

	WF_CHECKF(n == 0, "whepfan logged %lld mbufs in use after teardown (-1: no line)", n);
}

int wf_e2e_static_run(int argc, char **argv, const char *lcores, unsigned workers)
{
	uint64_t seed;
	unsigned i;
	int rc;

	wf_test_init(argc, argv);
	env.lcores = lcores;
	env.workers = workers;
	wf_e2e_find_build(&env.proc, argv[0]);
	seed = wf_e2e_seed_from_clock();
	printf("# end-to-end: static outputs through %s/whepfan, lcores %s, %u worker(s) "
	       "(seed %llu)\n", env.proc.build, lcores, workers, (unsigned long long)seed);
	wf_e2e_guard(&env.proc, 55 * SLOW);
	if (srtp_init() != srtp_err_status_ok) {
		printf("libsrtp2 init failed\n");
		return 1;
	}
	if (src_init() < 0) {
		printf("RTP source: out of memory\n");
		return 1;
	}

	WF_RUN(network_namespace_is_private_with_loopback_up);
	WF_RUN(whepfan_starts_and_creates_its_tap_interface);
	WF_RUN(both_outputs_go_live_after_arp_starting_at_a_key_frame);
	WF_RUN(outputs_are_spread_over_the_workers_and_one_owns_the_stream);
	WF_RUN(icmp_echo_to_the_port_address_is_answered);
	WF_RUN(nack_is_answered_from_history_on_the_gcm_output);
	WF_RUN(nack_is_answered_from_history_on_the_aes_cm_output);
	WF_RUN(nack_outside_the_history_is_counted_and_not_answered);
	WF_RUN(pli_replays_the_cached_key_frame_with_gap_free_sequence_numbers);
	WF_RUN(pli_on_the_second_output_replays_to_it_alone);
	WF_RUN(pli_racing_a_live_key_frame_on_the_first_output_starts_it_once);
	WF_RUN(pli_racing_a_live_key_frame_on_the_second_output_starts_it_once);
	WF_RUN(source_sender_report_sets_the_outputs_rtp_clock);
	WF_RUN(strangers_before_the_source_and_in_a_gap_change_nothing);
	WF_RUN(hostile_frames_and_datagrams_are_dropped_and_counted);
	WF_RUN(stream_still_flows_after_the_hostile_burst);
	WF_RUN(handoff_rings_carried_the_cross_worker_traffic_without_loss);
	WF_RUN(gcm_output_relays_every_packet_in_order_byte_identical);
	WF_RUN(aes_cm_output_relays_every_packet_in_order_byte_identical);
	WF_RUN(source_sequence_wrap_is_invisible_to_the_outputs);
	WF_RUN(sender_reports_carry_our_ssrc_wall_clock_and_exact_counts);
	WF_RUN(outputs_follow_a_next_hop_whose_mac_changed);
	WF_RUN(mbufs_in_use_return_to_the_baseline_plus_the_key_frame_cache);
	WF_RUN(the_transmit_pool_returns_to_its_baseline);
	WF_RUN(sigterm_stops_whepfan_with_exit_status_0);
	WF_RUN(every_mbuf_is_back_in_the_pool_after_exit);

	if (wf_test.failed) {
		/* a loss the kernel counted is outside whepfan: the tap's queue
		 * toward it, or an output's socket (this process starved) */
		printf("  kernel drops: tap %s %lld", env.proc.iface,
		       wf_e2e_iface_tx_dropped(env.proc.iface));
		for (i = 0; i < N_OUT; i++)
			printf(", %s socket %lld", outs[i].name, wf_e2e_udp_socket_drops(outs[i].port));
		printf("\n");
		wf_e2e_print_log(&env.proc);
	}
	for (i = 0; i < N_OUT; i++) {
		if (outs[i].rx)
			srtp_dealloc(outs[i].rx);
		if (outs[i].tx)
			srtp_dealloc(outs[i].tx);
	}
	wf_rtp_src_free(&source);
	srtp_shutdown();
	rc = wf_test_done();
	wf_e2e_cleanup(&env.proc);
	return rc;
}
