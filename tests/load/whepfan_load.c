/* whepfan_load.c: build/whepfan-load, real WHEP viewers against a whepfan
 * on a test network (the soak, scripts/soak.sh), from one process.
 *
 * whepfan runs with the configuration tests/load/soak.conf.in gives it:
 * address 198.18.0.1 (WebRTC port 8189, HTTP on 127.0.0.1:8889), two
 * streams "cam0" (ingest ports 5004 video, 5006 audio) and "cam1" (5008,
 * 5010) whose source is 198.18.0.2.  This tool, in the same network
 * namespace, runs:
 *   - the source of both streams (tests/common/rtp_source: H.264 and
 *     Opus) from 198.18.0.2; every -r seconds it goes silent for longer
 *     than the streams' source_timeout_ms and comes back as a new source
 *     (new SSRCs, sequence numbers and timestamps);
 *   - viewers (tests/common/whep_client: POST, ICE, DTLS, SRTP, consent
 *     checks, receiver reports) spread over -a addresses 198.18.0.2, .3,
 *     ... and both streams: -n of them are brought up (at most RAMP_PER_S
 *     joins a second), then -j a second leave and as many join, each
 *     leaving in turn by DELETE, by DTLS close_notify, or by vanishing
 *     (socket closed, nothing sent: its consent expires on whepfan);
 *   - loss: each viewer drops -l percent of the SRTP packets it receives
 *     before looking at them (the hub's rtp_filter), sees the gaps in the
 *     sequence numbers and asks for them with generic NACKs (RFC 4585
 *     §6.2.1), again every NACK_AGAIN_US; a gap not filled UNREPAIRED_US
 *     after it was seen is loss NACK could not repair.  Every packet a
 *     viewer keeps is decrypted and authenticated (libsrtp2); one it drops
 *     is decrypted from a copy (its replay window untouched) and its
 *     digest kept, so a repair must authenticate and be the very packet
 *     that was dropped (wrong_repairs, auth_fail; a repair of a loss on
 *     the way has no digest to match: unchecked); RTP that decrypts but
 *     has another payload type or SSRC than the answer's is rejected;
 *   - handshake loss (-D, default none): each viewer loses that percent
 *     of its DTLS datagrams each way, so the handshake must recover by
 *     retransmission;
 *   - hostile datagrams, -H a second, from 198.18.0.3 to whepfan's
 *     WebRTC and ingest ports: random bytes, and STUN, DTLS and RTP
 *     headers with random contents.
 * Every -i seconds it appends one line of counters (cumulative since the
 * start, name=value; src_up, src_change_s and src_change_mono: whether
 * the sources send, for how long they have or have not, and since when in
 * CLOCK_MONOTONIC seconds; slow_joins and join_max_ms: joins that took
 * over SLOW_JOIN_US from the POST to the keys, and the longest;
 * joining_max_ms: how long the oldest viewer still joining has waited)
 * to the stats file (-s, else stdout); scripts/soak.py reads the last.
 * Each slow join is described on stderr: where its time went.  Runs -d
 * seconds (0: until SIGINT or SIGTERM).
 *
 * Only 198.18.0.0/15 (RFC 2544) and loopback are ever addressed (fixed
 * here, not options).  Exit status 0, or 1 when the set-up failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/e2e.h"
#include "common/rtp_source.h"
#include "common/whep_client.h"
#include "rtp/rtp.h"

#define SRC_ADDR	"198.18.0.2"	/* the streams' source (soak.conf.in's sources) */
#define HOSTILE_ADDR	"198.18.0.3"
#define HTTP_ADDR	"127.0.0.1"
#define HTTP_PORT	8889
#define STREAMS		2
#define SRC_FPS		15		/* video frames a second (a key frame each second) */
#define SRC_APS		25		/* audio packets a second */
#define SRC_SILENCE_US	2500000ull	/* > the streams' source_timeout_ms */
#define SRC_RECORD	65536		/* packets recorded per track between restarts */
#define MAX_VIEWERS	4000
#define MAX_ADDRS	32
#define RAMP_PER_S	25		/* joins a second until -n are live */
#define JOIN_TIMEOUT_US	(20000000ull * WF_E2E_SLOW)	/* POST to keys */
/* ICE checks of a joining viewer, 300 ms apart, before it gives up: a
 * browser keeps checking for seconds (RFC 8445 §14.3 paces the checks, and
 * a transaction lasts 39.5 s, RFC 8489 §6.2.1), not 1.5 s; 8.7 s, within
 * soak.conf.in's handshake_timeout_s (10 s), after which whepfan would
 * not answer anyway.  Joins over SLOW_JOIN_US are counted (slow_joins)
 * and scripts/soak.py judges the slowest (join_max_ms). */
#define CONNECT_TRIES	30
#define SLOW_JOIN_US	1000000ull	/* a join slower than this is counted */
#define KEEPALIVE_MS	2000
#define RR_MS		2000
#define MISS_MAX	64		/* gaps a track remembers */
#define NACK_AGAIN_US	150000ull
#define UNREPAIRED_US	2000000ull	/* a gap this old is lost for good */
#define SWEEP_US	50000ull
#define PUMP_MS		20
#define MAX_REPORTS	20		/* failed joins, unrepaired gaps described on stderr */
#define DROPPED_RING	128		/* digests of dropped packets a track keeps (by seq) */

enum ending { END_DELETE, END_CLOSE_NOTIFY, END_VANISH, END_KINDS };
enum vstate { V_FREE, V_JOINING, V_LIVE };

/* A gap in a track's sequence numbers, asked for again until filled;
 * with the digest of the packet dropped there, when this viewer dropped
 * it (else the loss was on the way and only authentication is checked). */
struct miss {
	uint16_t seq;
	bool have_sum;
	uint64_t sum;
	uint64_t seen_us, nack_us;
};

/* A packet the loss filter dropped: its sequence number and digest. */
struct dropped {
	bool valid;
	uint16_t seq;
	uint64_t sum;
};

struct track_loss {
	bool have;
	uint16_t max_seq;
	unsigned n_miss;
	struct miss miss[MISS_MAX];
	struct dropped dropped[DROPPED_RING];	/* at seq % DROPPED_RING */
};

struct viewer {
	enum vstate state;
	struct wf_wc *c;
	uint64_t join_us, post_us;	/* when it POSTed; how long that took */
	char name[16];
	struct track_loss trk[WF_WC_TRACKS];
};

/* Figures since the start (the stats line). */
struct figures {
	uint64_t joins, join_refused, join_failed, leaves, ends[END_KINDS];
	uint64_t rtp, sim_dropped, loss_seen, repaired, unrepaired, nacks_sent, nack_seqs;
	uint64_t dups, hostile, restarts;
	/* joins whose POST and handshake took over SLOW_JOIN_US; the longest */
	uint64_t slow_joins, join_max_us;
	/* a repair that was not the packet dropped; SRTP that did not
	 * authenticate (kept or dropped; of viewers gone: auth_fail_gone) */
	uint64_t wrong_repairs, auth_fail_dropped, auth_fail_gone;
	/* repairs with no digest to match; RTP refused by the client (of
	 * viewers gone, and dropped ones of no track) */
	uint64_t unchecked, rejected_gone, rejected_dropped;
};

static struct {
	/* options */
	unsigned target, churn_per_s, loss_bp, restart_s, duration_s, n_addrs, hostile_per_s;
	unsigned dtls_loss_pct;		/* -D: DTLS datagrams each viewer loses, each way */
	unsigned interval_s;
	FILE *stats;
	/* state */
	char addr[MAX_ADDRS][16];
	int src_fd[STREAMS][2];
	struct wf_rtp_src src[STREAMS];
	uint64_t src_restart_us, src_silent_until_us;
	uint64_t src_change_us;		/* the sources last fell silent or came back */
	struct wf_wc_hub *hub;
	struct viewer v[MAX_VIEWERS];
	unsigned n_joining, n_live, next_name, next_ending;
	int hostile_fd;
	uint64_t t0_us, next_join_us, next_leave_us, next_hostile_us, next_sweep_us;
	uint64_t next_stats_us;
	struct figures f;
} g = { .hostile_fd = -1 };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* ---- options ----------------------------------------------------------------- */

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: whepfan-load [options]   (in whepfan's test namespace, soak.conf.in)\n"
		"  -n N   viewers to keep live (default 300, at most %u)\n"
		"  -j N   viewers leaving and joining per second once up (default 3)\n"
		"  -l P   percent of received packets each viewer drops and NACKs (default 2)\n"
		"  -D P   percent of DTLS datagrams each viewer loses, each way (default 0)\n"
		"  -r S   the source restarts every S seconds (default 240, 0: never)\n"
		"  -a N   viewer addresses 198.18.0.2 .. (default 8, at most %u)\n"
		"  -H N   hostile datagrams per second (default 5)\n"
		"  -i S   a stats line every S seconds (default 2)\n"
		"  -d S   run S seconds (default 0: until SIGINT/SIGTERM)\n"
		"  -s F   append the stats lines to F (default stdout)\n",
		MAX_VIEWERS - 64, MAX_ADDRS);
}

static int parse_args(int argc, char **argv)
{
	unsigned pct = 2;
	int o;

	g.target = 300, g.churn_per_s = 3, g.restart_s = 240, g.n_addrs = 8;
	g.hostile_per_s = 5, g.interval_s = 2, g.stats = stdout;
	while ((o = getopt(argc, argv, "n:j:l:D:r:a:H:i:d:s:h")) != -1) {
		int rc = 0;

		switch (o) {
		case 'n': rc = parse_uint(optarg, 1, MAX_VIEWERS - 64, &g.target); break;
		case 'j': rc = parse_uint(optarg, 0, 100, &g.churn_per_s); break;
		case 'l': rc = parse_uint(optarg, 0, 50, &pct); break;
		case 'D': rc = parse_uint(optarg, 0, 50, &g.dtls_loss_pct); break;
		case 'r': rc = parse_uint(optarg, 0, 86400, &g.restart_s); break;
		case 'a': rc = parse_uint(optarg, 1, MAX_ADDRS, &g.n_addrs); break;
		case 'H': rc = parse_uint(optarg, 0, 1000, &g.hostile_per_s); break;
		case 'i': rc = parse_uint(optarg, 1, 3600, &g.interval_s); break;
		case 'd': rc = parse_uint(optarg, 0, 7 * 86400, &g.duration_s); break;
		case 's':
			g.stats = fopen(optarg, "a");
			if (!g.stats) {
				fprintf(stderr, "whepfan-load: %s: %s\n", optarg, strerror(errno));
				return -errno;
			}
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
		if (rc) {
			fprintf(stderr, "whepfan-load: -%c %s: out of range\n", o, optarg);
			return rc;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -EINVAL;
	}
	g.loss_bp = pct * 100;
	return 0;
}

/* ---- the source ------------------------------------------------------------------ */

/* Stream s's source, stopped, with fresh SSRCs and sequence numbers. */
static int source_init(unsigned s)
{
	return wf_rtp_src_init_av(&g.src[s], WF_E2E_WF_ADDR, &(struct wf_rtp_src_av){
		.video_fd = g.src_fd[s][0], .audio_fd = g.src_fd[s][1],
		.video_pt = WF_E2E_SRC_VIDEO_PT, .audio_pt = WF_E2E_SRC_AUDIO_PT,
		.video_ports = { (uint16_t)(5004 + 4 * s) }, .audio_port = (uint16_t)(5006 + 4 * s),
			.fps = SRC_FPS, .aps = SRC_APS }, SRC_RECORD);
}

/* Every restart_s the sources fall silent; SRC_SILENCE_US later they come
 * back as new ones (their records start over, so memory stays bounded).  A
 * source whose record fills before that restarts too. */
static void source_tick(uint64_t now)
{
	unsigned s;

	if (g.src_silent_until_us) {
		if (now < g.src_silent_until_us)
			return;
		g.src_silent_until_us = 0;
		for (s = 0; s < STREAMS; s++) {
			wf_rtp_src_free(&g.src[s]);
			if (source_init(s) == 0)
				g.src[s].running = true;
			else
				fprintf(stderr, "whepfan-load: source %u: no memory\n", s);
		}
		g.f.restarts++;
		g.src_change_us = now;
		g.src_restart_us = g.restart_s ? now + g.restart_s * 1000000ull : UINT64_MAX;
	}
	for (s = 0; s < STREAMS; s++) {
		wf_rtp_src_tick(&g.src[s]);
		if (g.src[s].trk[0].n + 256 >= SRC_RECORD || g.src[s].trk[1].n + 256 >= SRC_RECORD)
			g.src_restart_us = now;
	}
	if (now >= g.src_restart_us) {
		for (s = 0; s < STREAMS; s++)
			g.src[s].running = false;
		g.src_silent_until_us = now + SRC_SILENCE_US;
		g.src_change_us = now;
	}
}

/* ---- loss and NACK ---------------------------------------------------------------- */

static void nack(struct viewer *v, unsigned t, const uint16_t *seqs, size_t n)
{
	if (n && wf_wc_send_nack(v->c, t, seqs, n) == 0) {
		g.f.nacks_sent++;
		g.f.nack_seqs += n;
	}
}

/* FNV-1a, 64 bits: a packet's digest (the packets are ours, not an
 * adversary's). */
static uint64_t digest(const uint8_t *p, int len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	int i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* A repair of m, the packet p[0..len): it must be the packet that was
 * dropped there. */
static void repaired(struct viewer *v, unsigned t, const struct miss *m, const uint8_t *p,
		     int len)
{
	if (!m->have_sum || m->sum == digest(p, len)) {
		g.f.repaired++;
		g.f.unchecked += !m->have_sum;
		return;
	}
	g.f.wrong_repairs++;
	if (g.f.wrong_repairs <= MAX_REPORTS)
		fprintf(stderr, "whepfan-load: %s %s seq %u: the resent packet is not the one"
			" dropped\n", v->name, t == WF_WC_VIDEO ? "video" : "audio", m->seq);
}

/* A packet p[0..len) that got through (decrypted and authenticated): a gap
 * before it is remembered and NACKed at once, a packet filling one is a
 * repair. */
static void track_seen(struct viewer *v, unsigned t, const uint8_t *p, int len, uint64_t now)
{
	uint16_t seq = wf_rtp_rd16(p + 2);
	struct track_loss *tl = &v->trk[t];
	uint16_t ask[MISS_MAX];
	size_t n_ask = 0;
	unsigned i;
	int d;

	if (!tl->have) {
		tl->have = true;
		tl->max_seq = seq;
		return;
	}
	d = wf_seq_diff(seq, tl->max_seq);
	if (d > 0) {
		for (i = 1; i < (unsigned)d; i++) {
			uint16_t s = (uint16_t)(tl->max_seq + i);
			struct dropped *dr = &tl->dropped[s % DROPPED_RING];
			bool known = dr->valid && dr->seq == s;

			g.f.loss_seen++;
			if (tl->n_miss == MISS_MAX) {
				g.f.unrepaired++;	/* more gaps than we track */
				continue;
			}
			tl->miss[tl->n_miss++] = (struct miss){ .seq = s, .have_sum = known,
				.sum = known ? dr->sum : 0, .seen_us = now, .nack_us = now };
			dr->valid = false;
			ask[n_ask++] = s;
		}
		tl->max_seq = seq;
		nack(v, t, ask, n_ask);
		return;
	}
	for (i = 0; i < tl->n_miss; i++) {
		if (tl->miss[i].seq == seq) {
			repaired(v, t, &tl->miss[i], p, len);
			tl->miss[i] = tl->miss[--tl->n_miss];
			return;
		}
	}
	g.f.dups++;
}

/* The digest of the packet dropped at seq: to the gap already open there
 * (it came late), else kept for the gap to come. */
static void dropped(struct track_loss *tl, uint16_t seq, uint64_t sum)
{
	unsigned i;

	for (i = 0; i < tl->n_miss; i++) {
		if (tl->miss[i].seq == seq) {
			tl->miss[i].have_sum = true;
			tl->miss[i].sum = sum;
			return;
		}
	}
	tl->dropped[seq % DROPPED_RING] = (struct dropped){ .valid = true, .seq = seq, .sum = sum };
}

/* The hub's rtp_filter: drops loss_bp / 10,000 of what arrives, keeping
 * the digest of what each was (decrypted from a copy). */
static bool on_rtp(struct wf_wc *c, const uint8_t *p, int len, void *arg)
{
	struct viewer *v = c->user;
	uint8_t clear[2048];
	unsigned t;
	int n;

	(void)arg;
	if (len < WF_RTP_FIXED_LEN || !v)
		return true;
	g.f.rtp++;
	if (wf_e2e_rnd() % 10000 >= g.loss_bp)
		return true;
	g.f.sim_dropped++;
	for (t = 0; t < WF_WC_TRACKS; t++)
		if ((p[1] & 0x7f) == c->trk[t].pt)
			break;
	n = len <= (int)sizeof(clear) ? wf_wc_unprotect_copy(c, p, len, clear) : -EINVAL;
	if (n < 0)
		g.f.auth_fail_dropped++;
	else if (t == WF_WC_TRACKS)
		g.f.rejected_dropped++;
	else
		dropped(&v->trk[t], wf_rtp_rd16(p + 2), digest(clear, n));
	return false;
}

/* The hub's rtp_seen: a packet kept, decrypted and authenticated. */
static void on_rtp_seen(struct wf_wc *c, unsigned t, const uint8_t *p, int len, void *arg)
{
	struct viewer *v = c->user;

	(void)arg;
	if (v && t < WF_WC_TRACKS)
		track_seen(v, t, p, len, wf_e2e_now_us());
}

/* Gaps still open: asked for again, or given up as unrepaired. */
static void sweep_track(struct viewer *v, unsigned t, uint64_t now)
{
	struct track_loss *tl = &v->trk[t];
	uint16_t ask[MISS_MAX];
	size_t n_ask = 0;
	unsigned i = 0;

	while (i < tl->n_miss) {
		struct miss *m = &tl->miss[i];

		if (now - m->seen_us >= UNREPAIRED_US) {
			g.f.unrepaired++;
			if (g.f.unrepaired <= MAX_REPORTS)
				fprintf(stderr,
					"whepfan-load: %s %s seq %u unrepaired: the gap seen %.3f s"
					" after joining, %.3f s after the sources last fell silent or"
					" came back, %s\n", v->name, t == WF_WC_VIDEO ? "video" : "audio",
					m->seq, (double)(int64_t)(m->seen_us - v->join_us) / 1e6,
					(double)(int64_t)(m->seen_us - g.src_change_us) / 1e6,
					g.src_silent_until_us ? "now silent" : "now sending");
			*m = tl->miss[--tl->n_miss];
			continue;
		}
		if (now - m->nack_us >= NACK_AGAIN_US) {
			m->nack_us = now;
			ask[n_ask++] = m->seq;
		}
		i++;
	}
	nack(v, t, ask, n_ask);
}

/* ---- viewers -------------------------------------------------------------------- */

static void viewer_release(struct viewer *v)
{
	if (v->state == V_JOINING)
		g.n_joining--;
	else if (v->state == V_LIVE)
		g.n_live--;
	g.f.auth_fail_gone += v->c->st.srtp_errors;
	g.f.rejected_gone += v->c->st.rtp_rejected;
	wf_wc_free(v->c);
	memset(v, 0, sizeof(*v));
}

/* Ends v the way its turn says: DELETE, close_notify, or nothing at all. */
static void viewer_end(struct viewer *v, enum ending e)
{
	switch (e) {
	case END_DELETE:
		wf_wc_delete(v->c, NULL, NULL);
		break;
	case END_CLOSE_NOTIFY:
		wf_wc_close_notify(v->c);
		break;
	default:
		break;
	}
	g.f.ends[e]++;
	g.f.leaves++;
	viewer_release(v);
}

/* A viewer slot in state st, from a random place on (NULL: none). */
static struct viewer *slot_in(enum vstate st)
{
	unsigned i, start = wf_e2e_rnd() % MAX_VIEWERS;

	for (i = 0; i < MAX_VIEWERS; i++) {
		struct viewer *v = &g.v[(start + i) % MAX_VIEWERS];

		if (v->state == st)
			return v;
	}
	return NULL;
}

/* A new viewer: POST, then connecting without waiting. */
static void viewer_join(uint64_t now)
{
	struct viewer *v = slot_in(V_FREE);
	unsigned k = g.next_name++;
	const char *addr = g.addr[k % g.n_addrs];
	char stream[8];
	uint64_t t0;
	int st;

	if (!v)
		return;
	snprintf(v->name, sizeof(v->name), "v%u", k);
	snprintf(stream, sizeof(stream), "cam%u", k % STREAMS);
	v->c = wf_wc_create(g.hub, &(struct wf_wc_opts){
		.name = v->name, .addr = addr, .http_addr = addr, .media = WF_WC_MEDIA_DECRYPT,
		.keepalive_ms = KEEPALIVE_MS, .rr_ms = RR_MS, .connect_tries = CONNECT_TRIES,
		.dtls_loss_pct = g.dtls_loss_pct });
	if (!v->c) {
		g.f.join_failed++;
		return;
	}
	v->c->user = v;
	t0 = wf_e2e_now_us();
	st = wf_wc_post(v->c, stream, NULL, NULL);
	if (st != 201 || wf_wc_connect_start(v->c, NULL, true) < 0) {
		if (st == 201)
			wf_wc_delete(v->c, NULL, NULL);
		if (st == 409 || st == 429 || st == 503) {
			g.f.join_refused++;	/* no stream (restart), admission */
		} else {
			g.f.join_failed++;
			if (g.f.join_failed <= MAX_REPORTS)
				fprintf(stderr, "whepfan-load: %s: POST answered %d\n", v->name, st);
		}
		wf_wc_free(v->c);
		memset(v, 0, sizeof(*v));
		return;
	}
	v->state = V_JOINING;
	v->join_us = now;
	v->post_us = wf_e2e_now_us() - t0;
	g.n_joining++;
	g.f.joins++;
}

/* Why the viewer's handshake failed (": reason"), or "". */
static const char *dtls_why(const struct wf_wc *c)
{
	static char why[160];

	if (!c->dtls || wf_dtls_state(c->dtls) != WF_DTLS_FAILED)
		return "";
	snprintf(why, sizeof(why), ": %s", wf_dtls_reason(c->dtls));
	return why;
}

/* Where a slow join spent its time, on stderr: its POST, ICE (to the
 * first answered check) and DTLS (to the keys), with the datagrams each
 * side sent, so a lost flight (a DTLS timer that fired) shows. */
static void slow_join_report(const struct viewer *v, uint64_t took, uint64_t now)
{
	const struct wf_wc_stats *st = &v->c->st;

	fprintf(stderr, "whepfan-load: t=%.1f %s: slow join, %.1f ms: POST %.1f ms, ICE %.1f ms"
		" (%u checks sent, %u answered), DTLS %.1f ms (%u datagrams out, %u in,"
		" %u lost on purpose, %u timers fired)\n", (double)(now - g.t0_us) / 1e6, v->name, (double)took / 1e3,
		(double)v->post_us / 1e3, (double)st->ice_us / 1e3, st->stun_sent, st->stun_ok,
		(double)(st->connect_us - st->ice_us) / 1e3, st->dtls_out, st->dtls_in,
		st->dtls_lost, st->dtls_timeouts);
}

/* Joins, leaves and the loss sweep, by their clocks. */
static void churn(uint64_t now)
{
	/* a viewer still joining counts: one slow join must not stop the
	 * churn (whepfan's sessions would fall while it waits) */
	bool ramped = g.n_live + g.n_joining >= g.target;
	unsigned i;

	if (g.churn_per_s && ramped && now >= g.next_leave_us) {
		struct viewer *v = slot_in(V_LIVE);

		g.next_leave_us = now + 1000000ull / g.churn_per_s;
		if (v) {
			viewer_end(v, (enum ending)g.next_ending);
			g.next_ending = (g.next_ending + 1) % END_KINDS;
		}
	}
	if (g.n_live + g.n_joining < g.target && now >= g.next_join_us) {
		g.next_join_us = now + 1000000ull / RAMP_PER_S;
		viewer_join(now);
	}
	if (now < g.next_sweep_us)
		return;
	g.next_sweep_us = now + SWEEP_US;
	for (i = 0; i < MAX_VIEWERS; i++) {
		struct viewer *v = &g.v[i];

		if (v->state == V_JOINING && v->c->keyed) {
			uint64_t took = v->post_us + v->c->st.connect_us;

			if (took > SLOW_JOIN_US && ++g.f.slow_joins <= MAX_REPORTS)
				slow_join_report(v, took, now);
			if (took > g.f.join_max_us)
				g.f.join_max_us = took;
			v->state = V_LIVE;
			g.n_joining--;
			g.n_live++;
		} else if (v->state == V_JOINING && now - v->join_us > JOIN_TIMEOUT_US) {
			g.f.join_failed++;
			if (g.f.join_failed <= MAX_REPORTS)
				fprintf(stderr, "whepfan-load: %s: no keys %u s after its POST (DTLS"
					" %s%s, %u DTLS datagrams in; checks sent %u, answered %u;"
					" whepfan's checks answered %u)\n", v->name,
					(unsigned)(JOIN_TIMEOUT_US / 1000000),
					wf_dtls_state_name(wf_wc_dtls_state(v->c)), dtls_why(v->c),
					v->c->st.dtls_in,
					v->c->st.stun_sent, v->c->st.stun_ok, v->c->st.probes);
			wf_wc_delete(v->c, NULL, NULL);
			viewer_release(v);
		} else if (v->state == V_LIVE) {
			sweep_track(v, WF_WC_VIDEO, now);
			sweep_track(v, WF_WC_AUDIO, now);
		}
	}
}

/* ---- hostile datagrams ----------------------------------------------------------- */

/* One datagram of a random kind to a random one of whepfan's ports. */
static void hostile_send(void)
{
	static const uint16_t ports[] = { WF_E2E_WEBRTC_PORT, 5004, 5006, 5008, 5010 };
	uint8_t b[1200];
	size_t len = 1 + wf_e2e_rnd() % sizeof(b);
	struct sockaddr_in to = { .sin_family = AF_INET };

	wf_e2e_rnd_fill(b, len);
	switch (wf_e2e_rnd() % 4) {
	case 0:		/* STUN: a Binding request header with random attributes */
		if (len < 20)
			len = 20;
		b[0] = 0x00, b[1] = 0x01;
		b[2] = (uint8_t)((len - 20) >> 8), b[3] = (uint8_t)(len - 20);
		b[4] = 0x21, b[5] = 0x12, b[6] = 0xa4, b[7] = 0x42;
		break;
	case 1:		/* DTLS: a handshake record header */
		if (len < 13)
			len = 13;
		b[0] = 22, b[1] = 0xfe, b[2] = 0xfd;
		break;
	case 2:		/* RTP: version 2, any payload type and SSRC */
		if (len < 12)
			len = 12;
		b[0] = 0x80;
		break;
	default:	/* anything */
		break;
	}
	to.sin_port = htons(ports[wf_e2e_rnd() % (sizeof(ports) / sizeof(ports[0]))]);
	inet_pton(AF_INET, WF_E2E_WF_ADDR, &to.sin_addr);
	if (sendto(g.hostile_fd, b, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len)
		g.f.hostile++;
}

/* ---- the stats line --------------------------------------------------------------- */

static void stats_line(uint64_t now)
{
	const struct figures *f = &g.f;
	uint64_t auth_fail = f->auth_fail_dropped + f->auth_fail_gone;
	uint64_t rejected = f->rejected_dropped + f->rejected_gone;
	uint64_t oldest_join = 0;
	unsigned i;

	for (i = 0; i < MAX_VIEWERS; i++) {
		if (g.v[i].state != V_FREE) {
			auth_fail += g.v[i].c->st.srtp_errors;
			rejected += g.v[i].c->st.rtp_rejected;
		}
		if (g.v[i].state == V_JOINING && now - g.v[i].join_us > oldest_join)
			oldest_join = now - g.v[i].join_us;
	}

	fprintf(g.stats,
		"t=%.1f live=%u joining=%u joins=%" PRIu64 " join_refused=%" PRIu64
		" join_failed=%" PRIu64 " leaves=%" PRIu64 " delete=%" PRIu64
		" close_notify=%" PRIu64 " vanish=%" PRIu64 " rtp=%" PRIu64
		" sim_dropped=%" PRIu64 " loss_seen=%" PRIu64 " repaired=%" PRIu64
		" unrepaired=%" PRIu64 " nacks=%" PRIu64 " nack_seqs=%" PRIu64 " dups=%" PRIu64
		" hostile=%" PRIu64 " restarts=%" PRIu64 " wrong_repairs=%" PRIu64
		" auth_fail=%" PRIu64 " unchecked=%" PRIu64 " rejected=%" PRIu64
		" slow_joins=%" PRIu64 " join_max_ms=%.1f joining_max_ms=%.1f"
		" src_up=%d src_change_s=%.1f src_change_mono=%.3f\n",
		(double)(now - g.t0_us) / 1e6, g.n_live, g.n_joining, f->joins, f->join_refused,
		f->join_failed, f->leaves, f->ends[END_DELETE], f->ends[END_CLOSE_NOTIFY],
		f->ends[END_VANISH], f->rtp, f->sim_dropped, f->loss_seen, f->repaired,
		f->unrepaired, f->nacks_sent, f->nack_seqs, f->dups, f->hostile, f->restarts,
		f->wrong_repairs, auth_fail, f->unchecked, rejected, f->slow_joins,
		(double)f->join_max_us / 1e3, (double)oldest_join / 1e3, !g.src_silent_until_us,
		(double)(now - g.src_change_us) / 1e6,
		(double)g.src_change_us / 1e6);
	fflush(g.stats);
}

/* The pump's tick: every clock of the tool. */
static void tick(void *arg)
{
	uint64_t now = wf_e2e_now_us();

	(void)arg;
	source_tick(now);
	if (g.hostile_per_s && now >= g.next_hostile_us) {
		g.next_hostile_us = now + 1000000ull / g.hostile_per_s;
		hostile_send();
	}
	if (now >= g.next_stats_us) {
		g.next_stats_us = now + g.interval_s * 1000000ull;
		stats_line(now);
	}
}

static bool stopping(void *arg)
{
	(void)arg;
	return stop || (g.duration_s && wf_e2e_now_us() - g.t0_us >= g.duration_s * 1000000ull);
}

/* ---- set-up --------------------------------------------------------------------- */

static int setup(void)
{
	unsigned s, i;

	for (i = 0; i < g.n_addrs; i++)
		snprintf(g.addr[i], sizeof(g.addr[i]), "198.18.0.%u", 2 + i);
	for (s = 0; s < STREAMS; s++) {
		g.src_fd[s][0] = wf_e2e_udp_socket(SRC_ADDR, (uint16_t)(5000 + 2 * s));
		g.src_fd[s][1] = wf_e2e_udp_socket(SRC_ADDR, (uint16_t)(5001 + 2 * s));
		if (g.src_fd[s][0] < 0 || g.src_fd[s][1] < 0 || source_init(s) < 0) {
			fprintf(stderr, "whepfan-load: source %u: %s (is %s on this namespace's tap?)\n",
				s, strerror(errno), SRC_ADDR);
			return -1;
		}
		g.src[s].running = true;
	}
	g.hostile_fd = wf_e2e_udp_socket(HOSTILE_ADDR, 0);
	if (g.hostile_fd < 0) {
		fprintf(stderr, "whepfan-load: %s: %s\n", HOSTILE_ADDR, strerror(errno));
		return -1;
	}
	g.hub = wf_wc_hub_create(&(struct wf_wc_hub_conf){
		.http_addr = HTTP_ADDR, .http_port = HTTP_PORT, .ice_addr = WF_E2E_WF_ADDR,
		.ice_port = WF_E2E_WEBRTC_PORT, .video_pt = WF_E2E_OFFER_VIDEO_PT, .audio_pt = WF_E2E_OFFER_AUDIO_PT,
		.max_clients = MAX_VIEWERS + 16, .tick = tick, .rtp_filter = on_rtp,
		.rtp_seen = on_rtp_seen });
	if (!g.hub) {
		fprintf(stderr, "whepfan-load: hub: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned i, s;

	if (parse_args(argc, argv) < 0)
		return 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "whepfan-load: seed %" PRIu64 "\n", wf_e2e_seed_from_clock());
	g.t0_us = wf_e2e_now_us();
	g.src_change_us = g.t0_us;
	g.src_restart_us = g.restart_s ? g.t0_us + g.restart_s * 1000000ull : UINT64_MAX;
	if (setup() < 0)
		return 1;
	while (!stopping(NULL)) {
		wf_wc_pump(g.hub, PUMP_MS, stopping, NULL);
		churn(wf_e2e_now_us());
	}
	stats_line(wf_e2e_now_us());
	for (i = 0; i < MAX_VIEWERS; i++)
		if (g.v[i].state != V_FREE)
			viewer_release(&g.v[i]);
	wf_wc_hub_free(g.hub);
	for (s = 0; s < STREAMS; s++) {
		wf_rtp_src_free(&g.src[s]);
		close(g.src_fd[s][0]);
		close(g.src_fd[s][1]);
	}
	close(g.hostile_fd);
	if (g.stats != stdout)
		fclose(g.stats);
	return 0;
}
