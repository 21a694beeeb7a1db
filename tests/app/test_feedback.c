/* test_feedback.c: RTCP packets a worker takes in, from a viewer
 * (app/fast/feedback.c, SRTCP under the viewer's key) and from a stream's
 * source (app/fast/ingest.c), are each counted once: taken in (viewer_rtcp,
 * ingest_rtcp) or dropped for one reason, whatever the messages inside.
 * Found by fuzz target 9 (tests/fuzz/fuzz_worker.c), whose check that
 * every received frame is counted once failed.  Then what NACKs get around
 * a key-frame replay and a source's pause (the soak, docs/reliability.md),
 * and that a source packet number never goes out twice with other content
 * (the attacker review).  EAL runs with --no-huge and no devices; the test
 * is worker 0, its viewer is in slot 0. */
#include <rte_eal.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "wf_test.h"

#include "core/app.h"
#include "core/ctrl.h"
#include "core/lcore.h"
#include "fast/apply.h"
#include "fast/fanout.h"
#include "fast/feedback.h"
#include "fast/history.h"
#include "fast/ingest.h"
#include "rtp/rtp.h"

/* An IPv4 address in host order (DPDK's RTE_IPV4 shifts an int: UB for
 * a first byte above 127). */
#define IP4(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define VIEWER_ADDR	IP4(198, 18, 0, 20)
#define VIEWER_PORT	50000
#define OUR_SSRC	0x10000000u	/* our SSRC towards the viewer */
#define SRC_ADDR	IP4(198, 18, 0, 2)
#define SRC_PORT	7004
#define SRC_SSRC	0x1111u
#define RTCP_PORT	5005		/* the source's RTCP: stream 0, track 0 */

static struct wf_lcore *lc;
static struct wf_srtp_engine *engine;
static struct wf_srtp_keys viewer_key;	/* what the viewer protects with */
static uint32_t viewer_index;
static struct wf_stream_state *st;

static bool setup(void)
{
	char *args[] = { "test_feedback", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
			 "--log-level", "error", "--file-prefix", "wftfb" };
	static const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static const uint8_t salt[14] = { 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33 };
	struct wf_viewer *v;

	if (rte_eal_init((int)RTE_DIM(args), args) < 0)
		return false;
	wf_app.tsc_hz = rte_get_tsc_hz();
	wf_app.n_workers = 1;
	wf_app.rx_pool = rte_pktmbuf_pool_create("tfb_rx", 1023, 0, (uint16_t)WF_MBUF_PRIV_SIZE,
						 RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	wf_app.tx_pool = rte_pktmbuf_pool_create("tfb_tx", 1023, 0, (uint16_t)WF_MBUF_PRIV_SIZE,
						 RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	lc = rte_zmalloc("tfb_lc", sizeof(*lc), RTE_CACHE_LINE_SIZE);
	engine = wf_srtp_engine_create(NULL);
	if (!wf_app.rx_pool || !wf_app.tx_pool || !lc || !engine)
		return false;
	lc->srtp = wf_srtp_engine_create(NULL);
	lc->n_slots = 4;
	lc->viewers = rte_zmalloc("tfb_viewers", sizeof(*lc->viewers) * lc->n_slots,
				  RTE_CACHE_LINE_SIZE);
	lc->members = rte_zmalloc("tfb_members", sizeof(*lc->members) * lc->n_slots, 0);
	lc->member_out = rte_zmalloc("tfb_out", sizeof(*lc->member_out) * lc->n_slots, 0);
	lc->member_keys = rte_zmalloc("tfb_keys", sizeof(*lc->member_keys) * lc->n_slots,
				      RTE_CACHE_LINE_SIZE);
	if (!lc->srtp || !lc->viewers || !lc->members || !lc->member_out || !lc->member_keys)
		return false;
	wf_app.lc[0] = lc;
	wf_app.streams[0].n_tracks = 1;
	wf_app.streams[0].tracks[0].kind = WF_CONF_VIDEO;
	wf_app.streams[0].tracks[0].pt = 96;
	wf_app.streams[0].tracks[0].clock_rate = 90000;
	wf_app.streams[0].tracks[0].port = RTCP_PORT - 1;

	/* the viewer: live, its SRTCP received under its own key */
	v = &lc->viewers[0];
	v->in_use = 1;
	v->gen = 1;
	v->addr = VIEWER_ADDR;
	v->udp_port = VIEWER_PORT;
	lc->member_out[0].srtp = 1;	/* its member cell: v->pos is 0 */
	lc->member_out[0].trk[0].state = WF_VT_LIVE;
	lc->member_out[0].trk[0].ssrc = OUR_SSRC;
	lc->slot_hwm = 1;
	if (wf_srtp_keys_derive(lc->srtp, &v->srtcp_in, WF_SRTP_AES128_CM_SHA1_80,
				WF_SRTP_KIND_RTCP, key, 16, salt, 14) != 0 ||
	    wf_srtp_keys_derive(engine, &viewer_key, WF_SRTP_AES128_CM_SHA1_80,
				WF_SRTP_KIND_RTCP, key, 16, salt, 14) != 0)
		return false;

	/* stream 0, owned here, its source latched */
	st = rte_zmalloc("tfb_st", sizeof(*st), RTE_CACHE_LINE_SIZE);
	if (!st)
		return false;
	st->n_tracks = 1;
	st->t[0].latched = true;
	st->t[0].ssrc = SRC_SSRC;
	st->t[0].src_addr = SRC_ADDR;
	st->t[0].src_port = SRC_PORT;
	lc->owned[0] = st;
	rte_seqlock_init(&wf_app.streams[0].clock[0].lock);
	wf_app.ingest_map[RTCP_PORT] = 1;	/* stream 0 * 2 + track 0 + 1 */
	wf_app.streams[0].active = 1;
	return true;
}

/* A classified frame (l2_len, l3_len and its arrival set, as
 * wf_classify_burst leaves it) from src:sport to dport carrying
 * payload[0..len). */
static struct rte_mbuf *frame(uint32_t src, uint16_t sport, uint16_t dport, const uint8_t *payload,
			      size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(wf_app.rx_pool);
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint8_t *d;

	if (!m)
		return NULL;
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(WF_L2L3L4_LEN + len));
	memset(d, 0, WF_L2L3L4_LEN);
	ip = (struct rte_ipv4_hdr *)(d + 14);
	udp = (struct rte_udp_hdr *)(ip + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(28 + len));
	ip->src_addr = rte_cpu_to_be_32(src);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + len));
	memcpy(udp + 1, payload, len);
	m->l2_len = 14;
	m->l3_len = 20;
	wf_meta(m)->rx_tsc = rte_rdtsc();
	return m;
}

/* The viewer sends compound p[0..len), protected under its key. */
static void from_viewer(const uint8_t *p, size_t len)
{
	uint8_t buf[512];
	size_t out;
	struct rte_mbuf *m;

	WF_REQUIRE(len <= sizeof(buf) - 64);
	memcpy(buf, p, len);
	WF_REQUIRE(wf_srtcp_protect(engine, &viewer_key, &viewer_index, buf, len, sizeof(buf),
				    &out) == 0);
	m = frame(VIEWER_ADDR, VIEWER_PORT, 8189, buf, out);
	WF_REQUIRE(m);
	wf_feedback_packet(lc, m, 0, 1);
}

static void from_source(uint16_t sport, const uint8_t *p, size_t len)
{
	struct rte_mbuf *m = frame(SRC_ADDR, sport, RTCP_PORT, p, len);

	WF_REQUIRE(m);
	wf_ingest_one(lc, m);
	wf_ingest_flush(lc);	/* as the burst's end does */
}

/* RTCP header (RFC 3550 §6.4.1) of a packet of words 32-bit words. */
static void hdr(uint8_t *p, uint8_t count, uint8_t pt, uint16_t words)
{
	p[0] = (uint8_t)(0x80 | count);
	p[1] = pt;
	wf_rtp_wr16(p + 2, (uint16_t)(words - 1));
}

static uint64_t drops(void)
{
	uint64_t n = 0;
	unsigned d;

	for (d = 0; d < WF_DROP_COUNT; d++)
		n += lc->c.drop[d];
	return n;
}

static void reset(void)
{
	memset(&lc->c, 0, sizeof(lc->c));
}

static void a_viewers_sdes_only_compound_is_counted_taken_in(void)
{
	uint8_t p[16] = { 0 };

	reset();
	hdr(p, 1, 202, 4);		/* SDES, one chunk: CNAME "vw" */
	wf_rtp_wr32(p + 4, 0xabc);
	p[8] = 1;
	p[9] = 2;
	p[10] = 'v';
	p[11] = 'w';
	from_viewer(p, sizeof(p));
	WF_CHECK_EQ(lc->c.viewer_rtcp, 1);
	WF_CHECK_EQ(drops(), 0);
}

static void a_viewers_receiver_report_is_counted_once(void)
{
	uint8_t p[32] = { 0 };

	reset();
	hdr(p, 1, 201, 8);		/* RR with one block about our SSRC */
	wf_rtp_wr32(p + 4, 0xabc);
	wf_rtp_wr32(p + 8, OUR_SSRC);
	from_viewer(p, sizeof(p));
	WF_CHECK_EQ(lc->c.rr_rx, 1);
	WF_CHECK_EQ(lc->c.viewer_rtcp, 1);
	WF_CHECK_EQ(drops(), 0);
}

/* Two malformed messages in one packet: two rtp errors, one packet taken
 * in (it parsed to its end), no drop (each message was one before). */
static void malformed_messages_of_a_viewers_compound_are_not_packet_drops(void)
{
	uint8_t p[16] = { 0 };

	reset();
	hdr(p, 3, 201, 2);		/* RR claiming 3 blocks in 4 bytes */
	wf_rtp_wr32(p + 4, 0xabc);
	hdr(p + 8, 1, 205, 2);		/* NACK without its media SSRC */
	wf_rtp_wr32(p + 12, 0xabc);
	from_viewer(p, sizeof(p));
	WF_CHECK_EQ(lc->c.viewer_rtcp, 1);
	WF_CHECK_EQ(lc->c.drop[WF_DROP_RTCP_PARSE], 0);
	WF_CHECK_EQ(drops(), 0);
}

static void a_viewers_compound_that_stops_parsing_is_one_drop(void)
{
	uint8_t p[36] = { 0 };

	reset();
	hdr(p, 1, 201, 8);
	wf_rtp_wr32(p + 4, 0xabc);
	wf_rtp_wr32(p + 8, OUR_SSRC);
	hdr(p + 32, 0, 201, 8);		/* says 32 bytes, 4 are left */
	from_viewer(p, sizeof(p));
	WF_CHECK_EQ(lc->c.rr_rx, 1);	/* the report before was used */
	WF_CHECK_EQ(lc->c.viewer_rtcp, 0);
	WF_CHECK_EQ(lc->c.drop[WF_DROP_RTCP_PARSE], 1);
	WF_CHECK_EQ(drops(), 1);
}

static void a_forged_viewer_packet_is_one_drop(void)
{
	uint8_t p[8 + 4 + 10] = { 0 };
	struct rte_mbuf *m;

	reset();
	hdr(p, 0, 201, 2);
	wf_rtp_wr32(p + 4, 0xabc);
	p[8] = 0x80;			/* E bit, index 1, a tag of zeros */
	p[11] = 1;
	m = frame(VIEWER_ADDR, VIEWER_PORT, 8189, p, sizeof(p));
	WF_REQUIRE(m);
	wf_feedback_packet(lc, m, 0, 1);
	WF_CHECK_EQ(lc->c.viewer_rtcp, 0);
	WF_CHECK_EQ(lc->c.drop[WF_DROP_SRTCP_UNPROTECT], 1);
	WF_CHECK_EQ(drops(), 1);
}

/* A sender report (RFC 3550 §6.4.1) of ssrc, len bytes of it. */
static size_t sender_report(uint8_t *p, uint32_t ssrc)
{
	memset(p, 0, 28);
	hdr(p, 0, 200, 7);
	wf_rtp_wr32(p + 4, ssrc);
	wf_rtp_wr32(p + 8, 0xe0000000u);	/* NTP seconds */
	wf_rtp_wr32(p + 16, 90000);		/* RTP time */
	return 28;
}

static void a_sources_sender_report_is_taken_in_once(void)
{
	uint8_t p[28];

	reset();
	wf_app.streams[0].clock[0].have_sr = false;
	from_source(SRC_PORT + 1, p, sender_report(p, SRC_SSRC));
	WF_CHECK_EQ(lc->c.ingest_rtcp, 1);
	WF_CHECK_EQ(drops(), 0);
	WF_CHECK(wf_app.streams[0].clock[0].have_sr);
}

/* An SR naming another SSRC: not used, and the packet is one drop (it was
 * counted taken in and dropped both). */
static void a_sources_report_of_another_ssrc_is_one_drop(void)
{
	uint8_t p[28];

	reset();
	wf_app.streams[0].clock[0].have_sr = false;
	from_source(SRC_PORT + 1, p, sender_report(p, 0x9999));
	WF_CHECK_EQ(lc->c.ingest_rtcp, 0);
	WF_CHECK_EQ(lc->c.drop[WF_DROP_INGEST_RTCP_SOURCE], 1);
	WF_CHECK_EQ(drops(), 1);
	WF_CHECK(!wf_app.streams[0].clock[0].have_sr);
}

static void a_sources_truncated_compound_is_one_drop(void)
{
	uint8_t p[28];

	reset();
	sender_report(p, SRC_SSRC);
	from_source(SRC_PORT, p, 18);
	WF_CHECK_EQ(lc->c.ingest_rtcp, 0);
	WF_CHECK_EQ(lc->c.drop[WF_DROP_INGEST_RTCP], 1);
	WF_CHECK_EQ(drops(), 1);
}

/* ---- NACKs around a replay and a pause (the soak: docs/reliability.md) -- */

/* The viewer's track 0 in state, sent indexes [0, sent) from source ext
 * 0x10000, its budget never refilled (a new viewer); the stream's source
 * at rate bytes a second, or paused after held. */
static void viewer_track(enum wf_vt_state state, uint64_t sent, uint32_t rate, uint32_t held)
{
	struct wf_viewer *v = &lc->viewers[0];
	struct wf_viewer_track *vt = &wf_viewer_out(lc, v)->trk[0];

	vt->state = (uint8_t)state;
	vt->next_index = sent;
	vt->idx_base = 0;
	vt->src_base = 0x10000;
	v->retx = (struct wf_retx_bucket){ 0 };
	memset(lc->seen, 0, sizeof(lc->seen));
	wf_app.streams[0].rate_bytes[0] = rate;
	wf_app.streams[0].held_bytes[0] = held;
	wf_app.nack = 1;
	wf_app.nack_budget_pct = 100;
}

static void viewer_track_back(void)
{
	viewer_track(WF_VT_LIVE, 0, 0, 0);
	wf_app.nack = 0;
	wf_app.nack_budget_pct = 0;
}

/* The viewer NACKs seq (an empty RR, then a generic NACK of one FCI). */
static void nack(uint16_t seq)
{
	uint8_t p[24] = { 0 };

	hdr(p, 0, 201, 2);
	wf_rtp_wr32(p + 4, 0xabc);
	hdr(p + 8, 1, 205, 4);
	wf_rtp_wr32(p + 12, 0xabc);
	wf_rtp_wr32(p + 16, OUR_SSRC);
	wf_rtp_wr16(p + 20, seq);
	from_viewer(p, sizeof(p));
}

/* A replayed packet the viewer lost is asked for while the replay goes
 * on: the NACK reaches the owner's history (empty here: a miss), it is not
 * refused as "not live"; once the replay ends the source may have resumed
 * and the replayed key frame left the history. */
static void a_nack_during_a_replay_reaches_the_history(void)
{
	reset();
	viewer_track(WF_VT_REPLAY, 10, 30000, 0);
	nack(5);
	WF_CHECK_EQ(lc->c.refused[WF_REFUSE_NACK_NOT_LIVE], 0);
	WF_CHECK_EQ(lc->c.refused[WF_REFUSE_NACK_MISS], 1);
	/* waiting for a key frame, nothing was sent under these numbers */
	reset();
	viewer_track(WF_VT_WAIT, 10, 30000, 0);
	nack(5);
	WF_CHECK_EQ(lc->c.refused[WF_REFUSE_NACK_NOT_LIVE], 1);
	WF_CHECK_EQ(lc->c.refused[WF_REFUSE_NACK_MISS], 0);
	viewer_track_back();
}

/* A viewer that joins while the source pauses is replayed the cached key
 * frame; its first budget is the second before the pause (held_bytes), so
 * what it loses of the replay is repaired.  Without a held rate (a pause
 * longer than history_ms, or a source that never sent) it gets nothing. */
static void a_viewer_joining_during_a_pause_starts_with_the_held_rate(void)
{
	reset();
	viewer_track(WF_VT_REPLAY, 10, 0, 30000);
	nack(5);
	WF_CHECK_EQ(lc->c.refused[WF_REFUSE_NACK_BUDGET], 0);
	WF_CHECK_EQ(lc->c.refused[WF_REFUSE_NACK_MISS], 1);
	reset();
	viewer_track(WF_VT_REPLAY, 10, 0, 0);
	nack(5);
	WF_CHECK_EQ(lc->c.refused[WF_REFUSE_NACK_BUDGET], 1);
	WF_CHECK_EQ(lc->c.refused[WF_REFUSE_NACK_MISS], 0);
	viewer_track_back();
}

/* The held rate is a first fill only: a viewer whose bucket was filled
 * before the pause earns nothing from it. */
static void the_held_rate_does_not_refill_a_viewer_of_before_the_pause(void)
{
	struct wf_viewer *v = &lc->viewers[0];

	reset();
	viewer_track(WF_VT_LIVE, 10, 0, 30000);
	v->retx = (struct wf_retx_bucket){ .tsc = rte_get_tsc_cycles() - wf_app.tsc_hz, .tokens = 0 };
	nack(5);
	WF_CHECK_EQ(lc->c.refused[WF_REFUSE_NACK_BUDGET], 1);
	WF_CHECK_EQ(v->retx.tokens, 0);
	viewer_track_back();
}

/* The owner publishes the rate before a pause (held_bytes) while the
 * pause is within history_ms; a source that resumes gets its rate back and
 * the held rate goes. */
static void the_owner_publishes_the_held_rate_for_history_ms_of_pause(void)
{
	struct wf_track_state *ts = &st->t[0];
	struct wf_stream *s = &wf_app.streams[0];
	const uint64_t hz = wf_app.tsc_hz, t0 = 1000 * hz;
	struct wf_track_state saved = *ts;

	/* a second with no packets after one of 30,000 bytes */
	ts->window_tsc = 3 * hz;
	ts->rate_tsc = t0;
	ts->pkts = ts->rate_pkts = 100;
	ts->bytes = ts->rate_bytes = 100000;
	ts->bitrate_bps = 240000;
	ts->held_rate = 0;
	s->rate_bytes[0] = 30000;
	s->held_bytes[0] = 0;
	wf_ingest_timer(lc, t0 + hz);
	WF_CHECK_EQ(s->rate_bytes[0], 0);
	WF_CHECK_EQ(s->held_bytes[0], 30000);
	wf_ingest_timer(lc, t0 + 3 * hz);		/* paused for history_ms */
	WF_CHECK_EQ(s->held_bytes[0], 30000);
	wf_ingest_timer(lc, t0 + 3 * hz + 1);	/* longer: the packets are gone */
	WF_CHECK_EQ(s->held_bytes[0], 0);
	WF_CHECK_EQ(ts->held_rate, 0);
	ts->pkts++;				/* and a resume gets nothing back */
	wf_ingest_timer(lc, t0 + 4 * hz);
	WF_CHECK_EQ(s->rate_bytes[0], 0);

	/* a pause that ends within history_ms */
	ts->rate_tsc = t0;
	ts->rate_pkts = ts->pkts;
	ts->rate_bytes = ts->bytes;
	s->rate_bytes[0] = 30000;
	wf_ingest_timer(lc, t0 + hz);
	WF_CHECK_EQ(s->held_bytes[0], 30000);
	ts->pkts++;
	wf_ingest_timer(lc, t0 + 2 * hz);
	WF_CHECK_EQ(s->rate_bytes[0], 30000);
	WF_CHECK_EQ(s->held_bytes[0], 0);

	*ts = saved;
	s->rate_bytes[0] = 0;
	s->held_bytes[0] = 0;
}

/* A burst after a pause longer than history_ms (or a new source's first
 * packets) is published from 100 ms on as bytes so far a second, never as
 * more than was sent: measured over its 100 ms it gave every viewer's
 * bucket ten times the burst (the attacker review of the soak). */
static void a_burst_after_a_long_pause_gives_no_more_than_itself(void)
{
	struct wf_track_state *ts = &st->t[0];
	struct wf_stream *s = &wf_app.streams[0];
	const uint64_t hz = wf_app.tsc_hz, t0 = 5000 * hz;
	struct wf_track_state saved = *ts;

	ts->have_any = false;
	ts->window_tsc = 3 * hz;
	ts->rate_tsc = 0;
	ts->held_rate = 0;
	ts->bitrate_bps = 0;
	ts->silent_tsc = t0 - 100 * hz;
	ts->pkts = ts->rate_pkts = 100;
	ts->bytes = ts->rate_bytes = 100000;
	s->rate_bytes[0] = 0;
	ts->pkts += 10;			/* 10 packets, 10,000 bytes at once */
	ts->bytes += 10000;
	wf_ingest_timer(lc, t0);
	WF_CHECK_EQ(s->rate_bytes[0], 0);
	wf_ingest_timer(lc, t0 + hz / 10);
	WF_CHECK_EQ(s->rate_bytes[0], 10000);
	wf_ingest_timer(lc, t0 + hz);	/* the full second */
	WF_CHECK_EQ(s->rate_bytes[0], 10000);
	*ts = saved;
	s->rate_bytes[0] = 0;
	s->held_bytes[0] = 0;
}

/* ---- media through the history (the viewer gets SRTP) ------------------ */

#define RTP_PORT	(RTCP_PORT - 1)

/* The viewer's outbound SRTP, a 1,024-packet history of 1 s, the viewer
 * fanned out to from stream 0. */
static const uint8_t media_key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t media_salt[14] = { 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33 };

static void media_setup(void)
{
	struct wf_viewer *v = &lc->viewers[0];
	struct wf_track_state *ts = &st->t[0];

	if (ts->slots)
		return;
	WF_REQUIRE(wf_srtp_keys_derive(lc->srtp, &lc->member_keys[0], WF_SRTP_AES128_CM_SHA1_80,
				       WF_SRTP_KIND_RTP, media_key, 16, media_salt, 14) == 0);
	ts->slots = rte_zmalloc("tfb_slots", sizeof(*ts->slots) * 1024, RTE_CACHE_LINE_SIZE);
	WF_REQUIRE(ts->slots);
	ts->mask = 1023;
	ts->window_tsc = wf_app.tsc_hz;
	ts->latched = false;
	ts->have_any = false;
	wf_app.ingest_map[RTP_PORT] = 1;
	wf_app.streams[0].fanout_mask = 1;
	lc->members[0] = 0;	/* stream 0's one member, slot 0 */
	v->pos = 0;
	lc->first[0] = 0;
	lc->count[0] = 1;
	lc->members_top = 1;
}

/* The source sends RTP seq, its payload bytes fill. */
static void rtp_from_source(uint16_t seq, uint8_t fill)
{
	uint8_t p[12 + 32];
	struct rte_mbuf *m;

	memset(p, fill, sizeof(p));
	p[0] = 0x80;
	p[1] = 96;
	wf_rtp_wr16(p + 2, seq);
	wf_rtp_wr32(p + 4, 1000u * seq);
	wf_rtp_wr32(p + 8, SRC_SSRC);
	m = frame(SRC_ADDR, SRC_PORT, RTP_PORT, p, sizeof(p));
	WF_REQUIRE(m);
	wf_ingest_one(lc, m);
	wf_ingest_flush(lc);	/* as the burst's end does */
}

/* What went out on port 0 (the RTP after the UDP header), copied to
 * out[0..max), freed; how many. */
static unsigned sent(uint8_t out[][128], unsigned *lens, unsigned max)
{
	unsigned i, n;

	wf_fanout_flush(lc);
	n = lc->ntx[0];
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = lc->tx[0][i];
		unsigned l = m->pkt_len - WF_L2L3L4_LEN;

		if (i < max) {
			memcpy(out[i], rte_pktmbuf_mtod_offset(m, uint8_t *, WF_L2L3L4_LEN),
			       l < 128 ? l : 128);
			lens[i] = l;
		}
		rte_pktmbuf_free(m);
	}
	lc->ntx[0] = 0;
	return n;
}

/* The viewer live from the source's next packet, which it gets under
 * index idx; the stream's rate for the resend budget. */
static void live_from_next_packet(uint64_t idx, uint32_t rate)
{
	struct wf_viewer_track *vt = &wf_viewer_out(lc, &lc->viewers[0])->trk[0];
	uint32_t newest = st->t[0].newest;

	viewer_track(WF_VT_LIVE, idx, rate, 0);
	vt->src_base = newest + 1;
	vt->idx_base = idx;
	vt->last_ext = newest;
}

/* A NACK during a replay is answered and sent under the index asked for
 * (on_nack and nack_answer both let it through). */
static void a_nack_during_a_replay_is_answered_under_its_index(void)
{
	struct wf_viewer *v = &lc->viewers[0];
	uint8_t out[16][128];
	unsigned lens[16], i;

	media_setup();
	reset();
	wf_viewer_out(lc, v)->trk[0].state = WF_VT_WAIT;	/* held, not sent */
	for (i = 0; i < 10; i++)
		rtp_from_source((uint16_t)(2000 + i), 0xaa);
	WF_CHECK_EQ(sent(out, lens, 16), 0);
	/* replaying from the packet of seq 2000 under indexes from 500 */
	viewer_track(WF_VT_REPLAY, 510, 30000, 0);
	wf_viewer_out(lc, v)->trk[0].src_base = 0x10000 + 2000;
	wf_viewer_out(lc, v)->trk[0].idx_base = 500;
	v->fb[0].replay_tsc = rte_rdtsc();
	nack(505);
	WF_CHECK_EQ(lc->c.retransmits, 1);
	WF_CHECK_EQ(lc->c.refused[WF_REFUSE_NACK_NOT_LIVE], 0);
	WF_CHECK_EQ(sent(out, lens, 16), 1);
	WF_CHECK_EQ(wf_rtp_rd16(out[0] + 2), 505);
	viewer_track_back();
}

/* A source packet number sent, evicted by time, and sent again with other
 * content (by the source, or by whoever spoofs it) is a duplicate: under
 * the viewer's index it had, it would reuse the SRTP keystream. */
static void a_packet_number_is_never_sent_twice_with_other_content(void)
{
	struct wf_track_state *ts = &st->t[0];
	uint8_t out[16][128], again[4][128];
	unsigned lens[16], lens2[4], i;

	media_setup();
	reset();
	live_from_next_packet(1000, 0);
	for (i = 0; i < 5; i++)
		rtp_from_source((uint16_t)(2010 + i), 0x11);
	WF_CHECK_EQ(sent(out, lens, 16), 5);
	ts->window_tsc = 1;			/* history_ms passes: evicted */
	wf_history_evict(ts, rte_rdtsc() + 10);
	WF_CHECK(!wf_history_get(ts, ts->newest - 4));
	rtp_from_source(2010, 0x22);
	WF_CHECK_EQ(sent(again, lens2, 4), 0);
	WF_CHECK_EQ(lc->c.drop[WF_DROP_INGEST_OLD], 1);
	rtp_from_source(2015, 0x33);		/* the next one goes on */
	WF_CHECK_EQ(sent(again, lens2, 4), 1);
	ts->window_tsc = wf_app.tsc_hz;
	wf_history_clear(ts);
	viewer_track_back();
}

/* The copies of several source packets wait in one batch and leave in one
 * protect burst when the poll ends (wf_fanout_flush); live copies carry
 * their source's arrival for the latency histogram, a NACK's answer none
 * (its source arrived long before: it would read as latency). */
static void a_polls_copies_share_one_burst_and_carry_their_arrival(void)
{
	struct wf_track_state *ts = &st->t[0];
	uint8_t out[16][128];
	unsigned lens[16], i;
	uint64_t t0 = rte_rdtsc();
	uint16_t again;

	media_setup();
	reset();
	live_from_next_packet(3000, 30000);
	for (i = 0; i < 3; i++)
		rtp_from_source((uint16_t)(2100 + i), 0x44);
	WF_CHECK_EQ(lc->batch.n, 3);
	WF_CHECK_EQ(lc->batch.n_src, 3);
	WF_CHECK_EQ(lc->ntx[0], 0);
	wf_fanout_flush(lc);
	WF_CHECK_EQ(lc->batch.n, 0);
	WF_REQUIRE(lc->ntx[0] == 3);
	for (i = 0; i < 3; i++)
		WF_CHECK(lc->tx_rx_tsc[0][i] >= t0 && lc->tx_rx_tsc[0][i] <= rte_rdtsc());
	WF_CHECK_EQ(sent(out, lens, 16), 3);
	again = wf_rtp_rd16(out[1] + 2);
	nack(again);
	WF_CHECK_EQ(lc->c.retransmits, 1);
	wf_fanout_flush(lc);
	WF_REQUIRE(lc->ntx[0] == 1);
	WF_CHECK_EQ(lc->tx_rx_tsc[0][0], 0);
	WF_CHECK_EQ(sent(out, lens, 16), 1);
	WF_CHECK_EQ(wf_rtp_rd16(out[0] + 2), again);
	wf_history_clear(ts);
	viewer_track_back();
}

/* A batched copy holds its source packet: the history may let it go
 * (evicted, cleared, overwritten) before the batch is sent, and the copy
 * must still read it, not a freed mbuf the pool hands out again. */
static void a_batched_copy_holds_its_source_packet(void)
{
	struct wf_track_state *ts = &st->t[0];
	uint8_t out[16][128];
	unsigned lens[16], rx, tx;
	struct rte_mbuf *m;

	media_setup();
	reset();
	live_from_next_packet(4000, 0);
	rx = rte_mempool_in_use_count(wf_app.rx_pool);
	tx = rte_mempool_in_use_count(wf_app.tx_pool);
	rtp_from_source(2200, 0x55);
	m = wf_history_get(ts, ts->newest);
	WF_REQUIRE(m != NULL);
	WF_CHECK_EQ(rte_mbuf_refcnt_read(m), 2);	/* the history's and the batch's */
	wf_history_clear(ts);
	WF_CHECK_EQ(rte_mbuf_refcnt_read(m), 1);
	WF_CHECK_EQ(rte_mempool_in_use_count(wf_app.rx_pool), rx + 1);	/* m */
	WF_CHECK_EQ(rte_mempool_in_use_count(wf_app.tx_pool), tx + 1);	/* its copy */
	WF_CHECK_EQ(sent(out, lens, 16), 1);
	WF_CHECK_EQ(rte_mempool_in_use_count(wf_app.rx_pool), rx);
	WF_CHECK_EQ(rte_mempool_in_use_count(wf_app.tx_pool), tx);
	viewer_track_back();
}

/* A control message that removes a viewer (or moves it, or reuses its
 * slot) comes after the batch has left: a batched job names its viewer by
 * slot and reads its keys, which the removal wipes. */
static void a_viewers_removal_waits_for_its_batched_copies(void)
{
	static struct wf_ctrl_msg msg;
	struct wf_ctrl_msg *msgs[1] = { &msg }, *back = NULL;
	struct wf_viewer *v = &lc->viewers[0];
	struct wf_track_state *ts = &st->t[0];
	uint8_t out[16][128];
	unsigned lens[16];

	media_setup();
	reset();
	live_from_next_packet(5000, 0);
	if (!lc->reply)
		lc->reply = rte_ring_create("tfb_reply", 16, SOCKET_ID_ANY,
					    RING_F_SP_ENQ | RING_F_SC_DEQ);
	WF_REQUIRE(lc->reply != NULL);
	rtp_from_source(2500, 0x66);
	WF_REQUIRE(lc->batch.n == 1);
	msg = (struct wf_ctrl_msg){ .type = WF_CTRL_DEL_VIEWER, .slot = 0, .gen = v->gen };
	wf_ctrl_apply(lc, msgs, 1);
	WF_CHECK_EQ(msg.status, 0);
	WF_CHECK_EQ(lc->batch.n, 0);	/* protected before the keys were wiped */
	WF_CHECK_EQ(lc->c.drop[WF_DROP_PROTECT], 0);
	WF_CHECK_EQ(sent(out, lens, 16), 1);
	WF_CHECK_EQ(rte_ring_dequeue(lc->reply, (void **)&back), 0);
	WF_CHECK(back == &msg);
	wf_history_clear(ts);
}

/* A removal moves another member of the stream into the removed one's
 * cell, its key with it (apply.c): the copies batched before the move, the
 * copies after it and a NACK's answer (which finds the key through the
 * viewer's new cell) are all under the moved viewer's own key, and the
 * cell it left holds no key. */
static void a_moved_viewers_copies_keep_its_key_and_state(void)
{
	static const uint8_t other_key[16] = { 0xee };
	static struct wf_ctrl_msg msg;
	struct wf_ctrl_msg *msgs[1] = { &msg }, *back = NULL;
	struct wf_viewer *v = &lc->viewers[0], *w = &lc->viewers[1];
	struct wf_srtp_keys mine;
	struct wf_srtp_replay replay = { 0 }, replay2 = { 0 };
	struct wf_track_state *ts = &st->t[0];
	uint8_t out[16][128], zero[sizeof(lc->member_keys[0])] = { 0 };
	unsigned lens[16], i, n;
	uint64_t index[2] = { 0, 0 };
	size_t plain;

	media_setup();
	reset();
	WF_REQUIRE(wf_srtp_keys_derive(engine, &mine, WF_SRTP_AES128_CM_SHA1_80, WF_SRTP_KIND_RTP,
				       media_key, 16, media_salt, 14) == 0);
	if (!lc->reply)
		lc->reply = rte_ring_create("tfb_reply", 16, SOCKET_ID_ANY,
					    RING_F_SP_ENQ | RING_F_SC_DEQ);
	WF_REQUIRE(lc->reply != NULL);
	/* slot 1, waiting for a key frame, in cell 0 under another key; our
	 * viewer (slot 0) in cell 1, its copies' state with it */
	memset(w, 0, sizeof(*w));
	w->in_use = 1;
	w->gen = 1;
	lc->member_out[1] = lc->member_out[0];
	memset(&lc->member_out[0], 0, sizeof(lc->member_out[0]));
	lc->member_out[0].srtp = 1;
	lc->member_out[0].trk[0].state = WF_VT_WAIT;
	lc->member_out[0].trk[0].ssrc = OUR_SSRC + 1;
	WF_REQUIRE(wf_srtp_keys_derive(lc->srtp, &lc->member_keys[1], WF_SRTP_AES128_CM_SHA1_80,
				       WF_SRTP_KIND_RTP, media_key, 16, media_salt, 14) == 0);
	WF_REQUIRE(wf_srtp_keys_derive(lc->srtp, &lc->member_keys[0], WF_SRTP_AES128_CM_SHA1_80,
				       WF_SRTP_KIND_RTP, other_key, 16, media_salt, 14) == 0);
	lc->members[0] = 1;
	w->pos = 0;
	lc->members[1] = 0;
	v->pos = 1;
	lc->count[0] = 2;
	lc->n_viewers = 2;
	live_from_next_packet(6000, 30000);

	rtp_from_source(2400, 0x77);	/* batched, under cell 1 */
	WF_REQUIRE(lc->batch.n == 1);
	msg = (struct wf_ctrl_msg){ .type = WF_CTRL_DEL_VIEWER, .slot = 1, .gen = w->gen };
	wf_ctrl_apply(lc, msgs, 1);
	WF_CHECK_EQ(msg.status, 0);
	WF_CHECK_EQ(rte_ring_dequeue(lc->reply, (void **)&back), 0);
	WF_CHECK_EQ(v->pos, 0);
	WF_CHECK_EQ(lc->members[0], 0);
	WF_CHECK(memcmp(&lc->member_keys[1], zero, sizeof(zero)) == 0);
	WF_CHECK(memcmp(&lc->member_out[1], zero, sizeof(lc->member_out[1])) == 0);
	rtp_from_source(2401, 0x78);	/* under cell 0 */
	n = sent(out, lens, 16);
	WF_CHECK_EQ(n, 2);
	for (i = 0; i < n && i < 2; i++)
		WF_CHECKF(wf_srtp_unprotect(engine, &mine, &replay, out[i], lens[i], &plain,
					    &index[i]) == 0 && wf_rtp_rd32(out[i] + 8) == OUR_SSRC,
			  "copy %u not under its viewer's key and SSRC", i);
	WF_CHECK_EQ(index[1], index[0] + 1);
	nack((uint16_t)index[0]);	/* the answer finds the key in cell 0 */
	WF_CHECK_EQ(lc->c.retransmits, 1);
	WF_CHECK_EQ(sent(out, lens, 16), 1);
	WF_CHECK(wf_srtp_unprotect(engine, &mine, &replay2, out[0], lens[0], &plain, NULL) == 0);
	WF_CHECK_EQ(lc->c.drop[WF_DROP_PROTECT], 0);
	wf_srtp_keys_wipe(&mine);
	wf_history_clear(ts);
	viewer_track_back();
}

static void no_packet_is_left_behind(void)
{
	WF_CHECK_EQ(rte_mempool_in_use_count(wf_app.rx_pool), 0);
	WF_CHECK_EQ(rte_mempool_in_use_count(wf_app.tx_pool), 0);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	if (!setup()) {
		printf("# test_feedback: EAL, pool or keys set-up failed\n");
		return 1;
	}
	WF_RUN(a_viewers_sdes_only_compound_is_counted_taken_in);
	WF_RUN(a_viewers_receiver_report_is_counted_once);
	WF_RUN(malformed_messages_of_a_viewers_compound_are_not_packet_drops);
	WF_RUN(a_viewers_compound_that_stops_parsing_is_one_drop);
	WF_RUN(a_forged_viewer_packet_is_one_drop);
	WF_RUN(a_sources_sender_report_is_taken_in_once);
	WF_RUN(a_sources_report_of_another_ssrc_is_one_drop);
	WF_RUN(a_sources_truncated_compound_is_one_drop);
	WF_RUN(a_nack_during_a_replay_reaches_the_history);
	WF_RUN(a_viewer_joining_during_a_pause_starts_with_the_held_rate);
	WF_RUN(the_held_rate_does_not_refill_a_viewer_of_before_the_pause);
	WF_RUN(the_owner_publishes_the_held_rate_for_history_ms_of_pause);
	WF_RUN(a_burst_after_a_long_pause_gives_no_more_than_itself);
	WF_RUN(a_nack_during_a_replay_is_answered_under_its_index);
	WF_RUN(a_packet_number_is_never_sent_twice_with_other_content);
	WF_RUN(a_polls_copies_share_one_burst_and_carry_their_arrival);
	WF_RUN(a_batched_copy_holds_its_source_packet);
	WF_RUN(a_moved_viewers_copies_keep_its_key_and_state);
	WF_RUN(a_viewers_removal_waits_for_its_batched_copies);
	WF_RUN(no_packet_is_left_behind);
	/* heap memory whose pointer lives in EAL memory (LeakSanitizer does
	 * not scan it) */
	wf_srtp_engine_free(lc->srtp);
	wf_srtp_engine_free(engine);
	return wf_test_done();
}
