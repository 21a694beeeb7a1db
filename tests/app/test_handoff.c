/* test_handoff.c: what a flood of packets received for another worker can
 * cost (fast/handoff.h, fast/classify.c, wf_ingest_screen()).
 *
 * A world as whepfan builds it (wf_setup_workers(), wf_streams_start()):
 * EAL with --no-huge, one net_null port, two worker lcores never
 * launched, whose functions this thread plays (control messages, RX bursts
 * into wf_classify_burst(), wf_worker_poll_tail()).  Stream "a" is owned
 * by one worker, stream "b" by the other; the source of "a" sends from
 * 198.18.0.0/24 only.  The flood arrives on the worker that does not own
 * "a", as RSS would put an attacker's 5-tuples.
 */
#include <inttypes.h>
#include <sched.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_hash.h>
#include <rte_mbuf.h>

#include "common/workers.h"
#include "wf_test.h"

#include "core/app.h"
#include "core/lcore.h"
#include "core/peer.h"
#include "core/police.h"
#include "fast/classify.h"
#include "fast/ingest.h"
#include "fast/worker.h"
#include "setup.h"

#define IP4(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define PORT_A		5004
#define PORT_B		5010
#define SRC		IP4(198, 18, 0, 2)
#define SRC_PORT	6000
#define TIMEOUT_MS	100	/* streams[].source_timeout_ms */

static struct wf_config *cfg;
static unsigned sid_a, sid_b;	/* stream slots */
static unsigned owner_a, other;	/* "a"'s owner, and the worker that is not */
static struct rte_mbuf *rx[WF_MAX_WORKERS][WF_BURST];
static unsigned nrx[WF_MAX_WORKERS];
static uint64_t timer_tsc;

/* ---- playing the workers --------------------------------------------------- */

/* Worker w classifies what it received, then ends its poll. */
static void poll_worker(unsigned w)
{
	struct wf_lcore *lc = wf_app.lc[w];

	wf_play_control(w);
	if (nrx[w])
		wf_classify_burst(lc, 0, rx[w], (uint16_t)nrx[w]);
	nrx[w] = 0;
	wf_worker_poll_tail(lc, timer_tsc, 0);
}

/* Worker w runs its timers in its next poll. */
static void timers_due(unsigned w)
{
	wf_app.lc[w]->next_timer_tsc = 0;
}

/* An RTP packet of payload type 96 (or an RTCP SR) from src:sport to our
 * dport arrives on worker w (its burst is classified when full). */
static void rtp_on(unsigned w, uint32_t src, uint16_t sport, uint16_t dport, uint16_t seq,
		   bool rtcp)
{
	uint8_t p[112] = { 0x80 }, frame[WF_L2L3L4_LEN + sizeof(p)];
	struct rte_mbuf *m;
	uint8_t *d;
	size_t len;

	if (rtcp) {	/* a sender report without report blocks */
		p[1] = 200;
		p[3] = 6;
	} else {
		p[1] = 96;
		p[2] = (uint8_t)(seq >> 8);
		p[3] = (uint8_t)seq;
		p[7] = (uint8_t)seq;	/* timestamp */
		p[11] = 0x55;		/* SSRC */
		p[12] = 0x41;		/* an H.264 slice, not a key frame */
	}
	len = wf_play_udp_frame(frame, sizeof(frame), 0, src, sport, dport, p,
				rtcp ? 28 : sizeof(p));
	m = rte_pktmbuf_alloc(wf_app.rx_pool);
	WF_REQUIRE(m);
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	WF_REQUIRE(d);
	memcpy(d, frame, len);
	m->port = 0;
	rx[w][nrx[w]++] = m;
	if (nrx[w] == WF_BURST) {
		wf_classify_burst(wf_app.lc[w], 0, rx[w], WF_BURST);
		nrx[w] = 0;
	}
}

static uint64_t drops(unsigned w, enum wf_drop why)
{
	return wf_app.lc[w]->c.drop[why];
}

/* Every worker polls until nothing travels between them. */
static void settle(void)
{
	unsigned i, w;

	for (i = 0; i < 64; i++)
		for (w = 0; w < wf_app.n_workers; w++)
			poll_worker(w);
}

/* ---- the tests ------------------------------------------------------------- */

/* Packets received for "a"'s owner fill only the ring such packets take:
 * the media of "b", which its owner hands to the viewers' worker (here
 * "a"'s owner, which is busy and does not poll), all passes; what the
 * flood holds of the receive pool is that ring and a buffer, which the
 * reserve counts (mbufs.c). */
static void a_flood_for_another_worker_leaves_the_workers_own_items_alone(void)
{
	struct wf_stream *b = &wf_app.streams[sid_b];
	struct rte_ring *ring = wf_app.wire[WF_WIRE_SOURCE][other][owner_a];
	uint64_t full0 = drops(other, WF_DROP_WIRE_SOURCE_FULL), out0 = wf_app.lc[other]->c.handoff_out;
	uint64_t media0 = wf_app.lc[owner_a]->c.handoff_in_kind[WF_ITEM_MEDIA];
	unsigned base = rte_mempool_in_use_count(wf_app.rx_pool), i, held;
	unsigned cap = rte_ring_get_capacity(ring);

	__atomic_store_n(&b->fanout_mask, 1u << owner_a, __ATOMIC_RELEASE);
	for (i = 0; i < 8192; i++) {
		rtp_on(other, IP4(198, 18, 0, 100 + i % 50), (uint16_t)(40000 + i), PORT_A,
		       (uint16_t)i, false);
		if (i % 128 == 0)
			rtp_on(other, SRC, SRC_PORT, PORT_B, (uint16_t)(100 + i / 128), false);
		if (i % 256 == 255)
			poll_worker(other);	/* "a"'s owner does not poll */
	}
	poll_worker(other);
	WF_CHECK_EQ(drops(other, WF_DROP_HANDOFF_FULL), 0);
	WF_CHECK_EQ(drops(other, WF_DROP_WIRE_SOURCE_FULL) - full0, 8192 - cap);
	WF_CHECK_EQ(rte_ring_count(ring), cap);
	WF_CHECK_EQ(wf_app.lc[other]->c.handoff_out - out0, cap + 64);
	held = rte_mempool_in_use_count(wf_app.rx_pool) - base;
	WF_CHECKF(held <= cap + WF_BURST + 64, "%u packets held", held);

	settle();
	WF_CHECK_EQ(wf_app.lc[owner_a]->c.handoff_in_kind[WF_ITEM_MEDIA] - media0, 64);
	WF_CHECK_EQ(rte_ring_count(ring), 0);
	__atomic_store_n(&b->fanout_mask, 0, __ATOMIC_RELEASE);
}

/* "a"'s source (SRC:SRC_PORT) latched and live, its owner's timer run. */
static void source_live(uint16_t seq)
{
	unsigned i;

	usleep((TIMEOUT_MS + 20) * 1000);	/* whoever "a" latched before is not live */
	for (i = 0; i < 4; i++)
		rtp_on(owner_a, SRC, SRC_PORT, PORT_A, (uint16_t)(seq + i), false);
	timers_due(owner_a);
	settle();
}

/* While "a"'s source is live, what other addresses (or the source's
 * address from another port) send to "a"'s ports is dropped on the worker
 * that received it, and never reaches the owner; the source's own packets
 * (RTP, and RTCP from the port beside) pass.  Once it has been silent for
 * the timeout, a new source may take over through any worker. */
static void a_live_sources_impostors_are_dropped_where_they_arrive(void)
{
	struct wf_lcore *o = wf_app.lc[other];
	const struct wf_track_state *ts = &wf_app.lc[owner_a]->owned[sid_a]->t[0];
	uint64_t out0, src0, foreign0, pkts0 = ts->pkts;
	unsigned i;

	source_live(1000);
	WF_REQUIRE(ts->latched && ts->src_addr == SRC && ts->src_port == SRC_PORT);
	WF_CHECK_EQ(__atomic_load_n(&wf_app.streams[sid_a].live_src[0], __ATOMIC_RELAXED),
		    WF_LIVE_SOURCE(SRC, SRC_PORT));

	out0 = o->c.handoff_out;
	src0 = drops(other, WF_DROP_INGEST_SOURCE);
	foreign0 = drops(other, WF_DROP_INGEST_FOREIGN);
	for (i = 0; i < 100; i++) {
		rtp_on(other, SRC + 1, SRC_PORT, PORT_A, (uint16_t)(2000 + i), false);
		rtp_on(other, SRC, SRC_PORT + 2, PORT_A, (uint16_t)(2000 + i), false);
		rtp_on(other, SRC + 1, SRC_PORT + 1, PORT_A + 1, 0, true);
		rtp_on(other, IP4(198, 19, 0, 2), SRC_PORT, PORT_A, (uint16_t)(2000 + i), false);
	}
	poll_worker(other);
	WF_CHECK_EQ(o->c.handoff_out - out0, 0);
	WF_CHECK_EQ(drops(other, WF_DROP_INGEST_SOURCE) - src0, 300);
	WF_CHECK_EQ(drops(other, WF_DROP_INGEST_FOREIGN) - foreign0, 100);

	/* the source itself, through the other worker: RTP and its RTCP */
	rtp_on(other, SRC, SRC_PORT, PORT_A, 1004, false);
	rtp_on(other, SRC, SRC_PORT + 1, PORT_A + 1, 0, true);
	poll_worker(other);
	WF_CHECK_EQ(o->c.handoff_out - out0, 2);
	settle();
	WF_CHECK_EQ(ts->pkts - pkts0, 5);	/* 1000..1004 */

	/* silent for the timeout: the owner's timer takes the hint back */
	usleep((TIMEOUT_MS + 20) * 1000);
	timers_due(owner_a);
	settle();
	WF_CHECK_EQ(__atomic_load_n(&wf_app.streams[sid_a].live_src[0], __ATOMIC_RELAXED), 0);
	rtp_on(other, SRC + 1, SRC_PORT, PORT_A, 3000, false);
	settle();
	WF_CHECK_EQ(o->c.handoff_out - out0, 3);
	WF_CHECK(ts->latched && ts->src_addr == SRC + 1);
}

/* A viewer of "a" at addr:port, on "a"'s owner, in slot (generation gen). */
static struct wf_peer_key viewer_gen_at(uint32_t addr, uint16_t port, uint32_t slot, uint16_t gen)
{
	struct wf_peer_key k;

	memset(&k, 0, sizeof(k));
	k.addr = addr;
	k.port = port;
	WF_CHECK(rte_hash_add_key_data(wf_app.peers, &k,
				       wf_peer_value(owner_a, slot, gen, WF_PEER_NO_TAG)) == 0);
	return k;
}

static struct wf_peer_key viewer_at(uint32_t addr, uint16_t port, uint32_t slot)
{
	return viewer_gen_at(addr, port, slot, 1);
}

/* Worker w receives n packets from k at rate a second (0: at once),
 * both workers polling every burst (a poll takes a burst from each other
 * worker's ring of a kind). */
static void viewer_sends(unsigned w, const struct wf_peer_key *k, unsigned n, unsigned rate)
{
	uint64_t next = rte_rdtsc(), step = rate ? wf_app.tsc_hz / rate : 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		uint64_t now;

		while ((now = rte_rdtsc()) < next)
			rte_pause();
		/* after a stall (the machine is shared), on from now: never
		 * a catching-up burst */
		next = (now - next > wf_app.tsc_hz / 1000 ? now : next) + step;
		rtp_on(w, k->addr, k->port, wf_app.webrtc_port, (uint16_t)i, false);
		if (i % WF_BURST == WF_BURST - 1) {
			poll_worker(w);
			poll_worker(1 - w);
		}
	}
	poll_worker(w);
}

/* The set of the viewer in slot of "a"'s owner (generation gen) in worker
 * w's table of viewers' buckets (classify.c). */
static unsigned bucket_set(unsigned w, uint32_t slot, uint16_t gen)
{
	uint64_t key = 1ull << 63 | (uint64_t)owner_a << 40 | (uint64_t)gen << 24 | slot;

	return wf_police_hash(&wf_app.lc[w]->police, key,
			      WF_VIEWER_IN_BITS - WF_VIEWER_IN_WAY_BITS);
}

/* A viewer sending as fast as it can gets its own bucket's worth to its
 * worker (250 at once, 500 a second) and the receiving worker's spill
 * bucket's (5,000 at once, 50,000 a second: police.h), wherever it
 * arrives.  Another viewer, whose key falls on the flooder's set of the
 * table, keeps a bucket of its own with the spill bucket empty. */
static void a_viewers_flood_is_policed_in_its_own_bucket_where_it_arrives(void)
{
	struct wf_lcore *o = wf_app.lc[other];
	uint16_t gen2 = 1;
	struct wf_peer_key k1 = viewer_at(IP4(198, 18, 0, 50), 50000, 1), k2;
	uint64_t out0 = o->c.handoff_out, pol0 = drops(other, WF_DROP_POLICE_SRTCP);
	uint64_t full0 = drops(other, WF_DROP_WIRE_VIEWER_FULL), spill0 = o->c.viewer_spilled;
	uint64_t in0 = wf_app.lc[owner_a]->c.handoff_in_kind[WF_ITEM_FROM_VIEWER];
	uint64_t t0 = rte_rdtsc(), passed, most, refill;

	while (gen2 < UINT16_MAX && bucket_set(other, 2, gen2) != bucket_set(other, 1, 1))
		gen2++;	/* one in 4,096 */
	WF_REQUIRE(bucket_set(other, 2, gen2) == bucket_set(other, 1, 1));
	k2 = viewer_gen_at(IP4(198, 18, 0, 51), 50001, 2, gen2);
	viewer_sends(other, &k1, 20000, 0);
	passed = o->c.handoff_out - out0;
	refill = 1 + (WF_VIEWER_IN_RATE + WF_VIEWER_SPILL_RATE) * (rte_rdtsc() - t0) / wf_app.tsc_hz;
	most = WF_VIEWER_IN_BURST + WF_VIEWER_SPILL_BURST + refill;
	WF_CHECKF(passed >= WF_VIEWER_IN_BURST + WF_VIEWER_SPILL_BURST && passed <= most,
		  "%" PRIu64 " passed, at most %" PRIu64, passed, most);
	WF_CHECK_EQ(drops(other, WF_DROP_POLICE_SRTCP) - pol0, 20000 - passed);
	WF_CHECK(o->c.viewer_spilled - spill0 + WF_VIEWER_IN_BURST <= passed);
	WF_CHECK(o->c.viewer_spilled - spill0 + WF_VIEWER_IN_BURST + refill >= passed);

	/* the other viewer, the flood just over */
	viewer_sends(other, &k2, 40, 0);
	WF_CHECK_EQ(o->c.handoff_out - out0 - passed, 40);
	WF_CHECK_EQ(drops(other, WF_DROP_POLICE_SRTCP) - pol0, 20000 - passed);
	WF_CHECK_EQ(drops(other, WF_DROP_WIRE_VIEWER_FULL) - full0, 0);
	settle();
	WF_CHECK_EQ(wf_app.lc[owner_a]->c.handoff_in_kind[WF_ITEM_FROM_VIEWER] - in0, passed + 40);
	rte_hash_del_key(wf_app.peers, &k1);
	rte_hash_del_key(wf_app.peers, &k2);
}

/* Someone spoofing a viewer's 5-tuple shares the viewer's bucket (it is
 * checked before authentication), but under the spill rate everything
 * goes on, the viewer's own RTCP with it: 20,000 spoofed packets a second
 * for a third of a second, and the viewer's ten RTCP packets meanwhile. */
static void a_spoofer_under_the_spill_rate_leaves_the_viewers_packets_alone(void)
{
	struct wf_lcore *o = wf_app.lc[other];
	struct wf_peer_key k = viewer_at(IP4(198, 18, 0, 52), 50002, 3);
	uint64_t out0 = o->c.handoff_out, pol0 = drops(other, WF_DROP_POLICE_SRTCP);
	unsigned i;

	usleep(200 * 1000);	/* the spill bucket full again */
	for (i = 0; i < 10; i++)
		viewer_sends(other, &k, 667, 20000);	/* the spoofer, then the viewer */
	WF_CHECK_EQ(drops(other, WF_DROP_POLICE_SRTCP) - pol0, 0);
	WF_CHECK_EQ(o->c.handoff_out - out0, 6670);
	settle();
	rte_hash_del_key(wf_app.peers, &k);
}

/* What viewers send (anyone can be one) takes a ring of its own: six
 * viewers of "a"'s owner, each within its bucket, fill theirs from the
 * other worker while the owner is busy, and every packet "a"'s source
 * sends through the other worker meanwhile reaches the owner. */
static void viewers_floods_do_not_crowd_out_a_source(void)
{
	const struct wf_track_state *ts = &wf_app.lc[owner_a]->owned[sid_a]->t[0];
	uint64_t vfull0 = drops(other, WF_DROP_WIRE_VIEWER_FULL);
	uint64_t sfull0 = drops(other, WF_DROP_WIRE_SOURCE_FULL), pkts0;
	struct wf_peer_key k[6];
	unsigned i, v;

	source_live(5000);
	pkts0 = ts->pkts;
	for (v = 0; v < 6; v++)
		k[v] = viewer_at(IP4(198, 18, 0, 60 + v), (uint16_t)(50010 + v), 4 + v);
	for (i = 0; i < 250; i++) {
		for (v = 0; v < 6; v++)
			rtp_on(other, k[v].addr, k[v].port, wf_app.webrtc_port, (uint16_t)i, false);
		if (i % 10 == 0)
			rtp_on(other, SRC, SRC_PORT, PORT_A, (uint16_t)(5004 + i / 10), false);
		if (i % 40 == 39)
			poll_worker(other);	/* "a"'s owner does not poll */
	}
	poll_worker(other);
	WF_CHECK(drops(other, WF_DROP_WIRE_VIEWER_FULL) - vfull0 > 0);
	WF_CHECK_EQ(drops(other, WF_DROP_WIRE_SOURCE_FULL) - sfull0, 0);
	settle();
	WF_CHECK_EQ(ts->pkts - pkts0, 25);
	for (v = 0; v < 6; v++)
		rte_hash_del_key(wf_app.peers, &k[v]);
}

/* ---- set-up ---------------------------------------------------------------- */

static void track(struct wf_config_stream *cs, uint16_t port)
{
	struct wf_config_track *t = &cs->tracks[cs->n_tracks++];

	t->kind = WF_CONF_VIDEO;
	t->codec = WF_CONF_H264;
	t->port = port;
	t->payload_type = 96;
	t->clock_rate = 90000;
}

static struct wf_config_stream *stream(const char *name, uint16_t port)
{
	struct wf_config_stream *cs = &cfg->streams[cfg->n_streams++];

	snprintf(cs->name, sizeof(cs->name), "%s", name);
	cs->history_ms = 1000;
	cs->history_mbufs = 256;
	cs->source_timeout_ms = TIMEOUT_MS;
	track(cs, port);
	return cs;
}

static bool setup(void)
{
	char prefix[32], lcores[64];
	char *args[] = { "test_handoff", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
			 "--no-telemetry", "--lcores", lcores, "--log-level", "error",
			 "--vdev", "net_null0", "--file-prefix", prefix };
	struct wf_config_stream *cs;
	struct wf_config_port *p;
	unsigned cpu = 0, s;
	cpu_set_t cpus;

	/* three lcores (main and two workers, never launched) on one CPU */
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
		while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &cpus))
			cpu++;
	snprintf(lcores, sizeof(lcores), "0@%u,1@%u,2@%u", cpu, cpu, cpu);
	snprintf(prefix, sizeof(prefix), "wfho%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(args), args) < 0)
		return false;
	cfg = wf_config_create();
	if (!cfg)
		return false;
	cfg->dpdk.mbufs = 32767;
	cfg->http.max_sessions = 16;
	p = &cfg->ports[cfg->n_ports++];
	snprintf(p->name, sizeof(p->name), "net_null0");
	p->addr = IP4(198, 18, 0, 1);
	p->prefix_len = 24;
	p->netmask = 0xffffff00u;
	cs = stream("a", PORT_A);
	cs->n_sources = 1;
	cs->sources[0] = (struct wf_conf_cidr){ .addr = IP4(198, 18, 0, 0), .mask = 0xffffff00u,
						.prefix_len = 24 };
	stream("b", PORT_B);
	if (wf_setup_workers(cfg) != 0 || wf_app.n_workers != 2)
		return false;
	timer_tsc = wf_app.tsc_hz / 100;
	if (wf_play_streams_start(cfg) != 0)
		return false;
	for (s = 0; s < WF_MAX_STREAMS; s++) {
		if (!wf_stream_is_active(&wf_app.streams[s]))
			continue;
		if (!strcmp(wf_app.streams[s].name, "a"))
			sid_a = s;
		else
			sid_b = s;
	}
	owner_a = wf_app.streams[sid_a].owner;
	other = 1 - owner_a;
	return wf_app.streams[sid_b].owner == other;
}

int main(int argc, char **argv)
{
	unsigned w;

	wf_test_init(argc, argv);
	if (!setup()) {
		fprintf(stderr, "test_handoff: set-up failed\n");
		return 1;
	}
	WF_RUN(a_flood_for_another_worker_leaves_the_workers_own_items_alone);
	WF_RUN(a_live_sources_impostors_are_dropped_where_they_arrive);
	WF_RUN(a_viewers_flood_is_policed_in_its_own_bucket_where_it_arrives);
	WF_RUN(a_spoofer_under_the_spill_rate_leaves_the_viewers_packets_alone);
	WF_RUN(viewers_floods_do_not_crowd_out_a_source);
	for (w = 0; w < wf_app.n_workers; w++) {
		wf_srtp_engine_free(wf_app.lc[w]->srtp);
		wf_app.lc[w]->srtp = NULL;
	}
	return wf_test_done();
}
