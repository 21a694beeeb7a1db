/* fuzz_worker.c: fuzz target 9, the workers' classify -> ingest -> history
 * -> fan-out -> feedback -> handoff -> tx path on whole Ethernet frames.
 *
 * Set-up, once (LLVMFuzzerInitialize): EAL with --no-huge, two net_null
 * ports and two worker lcores that are never launched; wf_setup_workers()
 * builds the pools, the per-lcore state, the rings, the ports and the
 * viewer registry as whepfan does; wf_streams_start() starts four streams
 * (H264 + Opus, VP8, VP9 + PCMU, AV1 with a source network), owned by the
 * two workers in turn, while a helper thread applies the workers' control
 * messages.  From then on this thread plays both workers, one after the other, with
 * their own functions: control messages (wf_ctrl_take/apply, apply.h), rx bursts
 * into wf_classify_burst(), then wf_worker_poll_tail() (handoff items,
 * replays, timers, resends, handoff and tx flushes: the frames leave on
 * net_null).  It also plays the slow path: frames punted are consumed,
 * control replies drained (wf_ctrl_replies).
 *
 * Each input starts from the same state: four viewers, one per stream
 * (view_stream), alternately on both workers and both ports, are added
 * through the registry with real SRTP keys (each a different profile), as
 * a session that finished DTLS is (session.c go_live); their joins ask for
 * replays.  After the input they are removed the same way and each
 * stream's history goes back to its owner empty (WF_CTRL_DEL_STREAM, then
 * ADD_STREAM), with the source's rate of the second before set to
 * SRC_RATE_BYTES (the owner measures it over 100 ms at least, longer than
 * an input), so viewers' NACKs have a budget.  Time is the TSC's: pacing,
 * policing and timers run as they do on a worker.
 *
 * Input: records of a byte op, a 16-bit length and that many bytes, at
 * most MAX_FRAMES of them.  op bits 0-1 say what the bytes are:
 *   0 a whole Ethernet frame, as is;
 *   1 a UDP payload from the source 198.18.0.2 to ingest port sel (the
 *     RTP and RTCP ports of the streams, table ingest_ports);
 *   2 a UDP payload from viewer sel & 3 to the WebRTC port (STUN, DTLS,
 *     SRTCP or anything else, unprotected by us); with sel & 4, the viewer
 *     first leaves and joins again (through the registry, after a poll),
 *     so its joining replay finds the history the input has built;
 *   3 a plain RTCP compound from viewer sel & 3 that the harness protects
 *     with the viewer's SRTCP key, so it authenticates and reaches the
 *     feedback parsers (RR, NACK, PLI, FIR...).
 * sel is bits 2-4; bit 5: received on worker 1's queue (else 0); bit 6:
 * a raw frame arrives on port 1 (built frames arrive on their sender's
 * port); bit 7: the poll runs after this frame (it also runs when a burst
 * is full, and at the end).
 *
 * Checks, besides the sanitizers: every frame received is counted once,
 * as RTP into a history, RTCP taken in (ingest_rtcp, viewer_rtcp), punted,
 * or a drop of a reason a received frame can have; no counter of either
 * worker goes backwards; no frame is lost between workers (handoff_full);
 * and once the viewers are gone and the histories emptied, the mbufs in
 * use are back to what they were before the input (no leak).
 * WF_FUZZ_TRACE=1 in the environment prints the counters each input moved.
 */
#include "fuzz/fuzz.h"

#include <inttypes.h>
#include <sched.h>
#include <stddef.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "common/workers.h"
#include "core/app.h"
#include "core/lcore.h"
#include "fast/apply.h"
#include "fast/classify.h"
#include "fast/worker.h"
#include "setup.h"
#include "slow/ctrlq.h"
#include "slow/registry.h"
#include "slow/streams.h"

/* An IPv4 address in host order (DPDK's RTE_IPV4 shifts an int: UB for
 * a first byte above 127). */
#define IP4(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define MAX_FRAMES	64
#define N_VIEWERS	4
#define N_STREAMS	4
#define SRC_ADDR	IP4(198, 18, 0, 2)
#define SRC_RATE_BYTES	125000	/* the sources' rate the budgets start from */
#define SETTLE_POLLS	64	/* polls after an input until no item is in flight */

#define OP_KIND(op)	((op) & 3)
#define OP_SEL(op)	(((op) >> 2) & 7)
#define OP_WORKER1	0x20
#define OP_PORT1	0x40
#define OP_POLL		0x80

enum { K_RAW, K_INGEST, K_VIEWER, K_SRTCP };

/* Where the source sends: every stream's RTP ports and the RTCP ports
 * beside them (RFC 3550 §11), see config(). */
static const uint16_t ingest_ports[8] = { 5004, 5005, 5006, 5010, 5020, 5022, 5030, 5031 };

/* The stream each viewer watches: placement alternates the workers and
 * the owners alternate too, so two viewers are on their stream's owner and
 * two get its media through the handoff rings. */
static const unsigned view_stream[N_VIEWERS] = { 0, 2, 1, 3 };

static const struct rte_ether_addr peer_mac = WF_PLAY_PEER_MAC;

struct viewer {
	unsigned worker;
	uint32_t slot;
	uint16_t gen;
	uint16_t port_idx;
	uint32_t addr;
	uint16_t udp_port;
	enum wf_srtp_profile profile;
	uint8_t key[32], salt[14];	/* the viewer's (client's) master key */
	struct wf_srtp_keys srtcp;	/* what it protects its RTCP with */
	uint32_t srtcp_index;
};

static struct wf_config *cfg;
static struct viewer viewers[N_VIEWERS];
static struct wf_srtp_engine *engine;	/* the viewers' side */
static uint64_t timer_tsc;
static unsigned mbufs_baseline, tx_mbufs_baseline;
static bool ready;
static bool trace;	/* WF_FUZZ_TRACE set: counters that moved, per input */

/* ---- the configuration --------------------------------------------------- */

static void track(struct wf_config_stream *cs, enum wf_conf_kind kind, enum wf_conf_codec codec,
		  uint16_t port, uint8_t pt, uint32_t rate)
{
	struct wf_config_track *t = &cs->tracks[cs->n_tracks++];

	t->kind = kind;
	t->codec = codec;
	t->port = port;
	t->payload_type = pt;
	t->clock_rate = rate;
	t->channels = kind == WF_CONF_AUDIO ? 1 : 0;
}

static struct wf_config_stream *stream(const char *name)
{
	struct wf_config_stream *cs = &cfg->streams[cfg->n_streams++];

	snprintf(cs->name, sizeof(cs->name), "%s", name);
	cs->history_ms = 1000;
	cs->history_mbufs = 256;
	cs->source_timeout_ms = 2000;
	return cs;
}

static void port(const char *name, uint32_t addr)
{
	struct wf_config_port *p = &cfg->ports[cfg->n_ports++];

	snprintf(p->name, sizeof(p->name), "%s", name);
	p->addr = addr;
	p->prefix_len = 24;
	p->netmask = 0xffffff00u;
}

static void config(void)
{
	struct wf_config_stream *cs;

	cfg = wf_config_create();
	WF_FUZZ_CHECK(cfg);
	cfg->dpdk.mbufs = 8191;
	cfg->http.max_sessions = 16;
	port("net_null0", IP4(198, 18, 0, 1));
	port("net_null1", IP4(198, 19, 0, 1));
	cs = stream("h264");
	track(cs, WF_CONF_VIDEO, WF_CONF_H264, 5004, 96, 90000);
	track(cs, WF_CONF_AUDIO, WF_CONF_OPUS, 5006, 111, 48000);
	cs = stream("vp8");
	track(cs, WF_CONF_VIDEO, WF_CONF_VP8, 5010, 97, 90000);
	cs = stream("vp9");
	track(cs, WF_CONF_VIDEO, WF_CONF_VP9, 5020, 98, 90000);
	track(cs, WF_CONF_AUDIO, WF_CONF_PCMU, 5022, 0, 8000);
	cs = stream("av1");
	track(cs, WF_CONF_VIDEO, WF_CONF_AV1, 5030, 45, 90000);
	cs->n_sources = 1;
	cs->sources[0] = (struct wf_conf_cidr){ .addr = IP4(198, 18, 0, 0),
						.mask = 0xffffff00u, .prefix_len = 24 };
}

/* ---- playing the workers and the slow path ------------------------------ */

/* What the slow path does with punted frames here: takes them. */
static void slow_path(void)
{
	struct rte_mbuf *pkts[WF_BURST];
	unsigned w, n;

	for (w = 0; w < wf_app.n_workers; w++) {
		while ((n = rte_ring_dequeue_burst(wf_app.lc[w]->punt, (void **)pkts, WF_BURST,
						   NULL)) > 0)
			rte_pktmbuf_free_bulk(pkts, n);
		while ((n = rte_ring_dequeue_burst(wf_app.lc[w]->punt_prio, (void **)pkts,
						   WF_BURST, NULL)) > 0)
			rte_pktmbuf_free_bulk(pkts, n);
	}
	wf_ctrl_replies();
}

/* One poll of every worker: control, the bursts each port gave it, the
 * rest of the loop (worker.c); then the slow path's turn. */
static void poll_all(struct rte_mbuf *rx[][WF_MAX_PORTS][WF_BURST],
		     uint16_t nrx[][WF_MAX_PORTS])
{
	unsigned w, p;

	for (w = 0; w < wf_app.n_workers; w++) {
		struct wf_lcore *lc = wf_app.lc[w];

		wf_play_control(w);
		for (p = 0; rx && p < wf_app.n_ports; p++) {
			if (!nrx[w][p])
				continue;
			wf_classify_burst(lc, p, rx[w][p], nrx[w][p]);
			nrx[w][p] = 0;
		}
		wf_worker_poll_tail(lc, timer_tsc, 0);
	}
	slow_path();
}

static bool wire_in_flight(unsigned a, unsigned b)
{
	unsigned k;

	for (k = 0; k < WF_WIRE_KINDS; k++)
		if (rte_ring_count(wf_app.wire[k][a][b]) || wf_app.lc[a]->nwo[k][b])
			return true;
	return false;
}

static bool in_flight(void)
{
	unsigned a, b;

	for (a = 0; a < wf_app.n_workers; a++)
		for (b = 0; b < wf_app.n_workers; b++)
			if (a != b && (rte_ring_count(wf_app.handoff[a][b]) || wf_app.lc[a]->nho[b] ||
				       wire_in_flight(a, b)))
				return true;
	return false;
}

/* Polls until no item travels between the workers (replays still paced
 * stay with their owner). */
static void settle(void)
{
	unsigned i;

	for (i = 0; i < SETTLE_POLLS; i++) {
		poll_all(NULL, NULL);
		if (!in_flight())
			break;
	}
}

/* The reply to stream_renew()'s last message (ctrlq.h's done). */
static struct {
	bool done;
	int status;
	struct wf_stream_state *state;
} renew_reply;

static void renew_done(struct wf_ctrl_msg *msg)
{
	renew_reply.done = true;
	renew_reply.status = msg->status;
	renew_reply.state = msg->state;
}

/* Sends msg to worker w, plays w's control step and takes the reply. */
static void renew_step(unsigned w, struct wf_ctrl_msg *msg)
{
	memset(&renew_reply, 0, sizeof(renew_reply));
	WF_FUZZ_CHECK(wf_ctrl_send(w, msg, renew_done) == 0);
	wf_play_control(w);
	wf_ctrl_replies();
	WF_FUZZ_CHECK(renew_reply.done && renew_reply.status == 0);
}

/* Stream slot's owner gives its state back (history freed, replays
 * forgotten) and takes it again fresh, as a stream stopped and started
 * again would be, through the same two control messages. */
static void stream_renew(unsigned sid)
{
	struct wf_stream *s = &wf_app.streams[sid];
	struct wf_ctrl_msg *msg = wf_ctrl_alloc(WF_CTRL_DEL_STREAM);
	struct wf_stream_state *st;
	unsigned t;

	WF_FUZZ_CHECK(msg);
	msg->stream = (uint16_t)sid;
	renew_step(s->owner, msg);
	st = renew_reply.state;
	for (t = 0; t < st->n_tracks; t++) {
		struct wf_track_state *ts = &st->t[t];
		struct wf_track_state fresh = { .slots = ts->slots, .mask = ts->mask,
						.window_tsc = ts->window_tsc };

		*ts = fresh;
		rte_seqlock_write_lock(&s->clock[t].lock);
		s->clock[t].have_sr = false;
		rte_seqlock_write_unlock(&s->clock[t].lock);
		/* as if the source had sent 1 Mbit/s the second before (the
		 * owner measures it over 100 ms at least, longer than an
		 * input): viewers' NACKs get a budget to draw on */
		__atomic_store_n(&s->rate_bytes[t], SRC_RATE_BYTES, __ATOMIC_RELAXED);
		__atomic_store_n(&s->pkt_bytes[t], 1000, __ATOMIC_RELAXED);
	}
	st->replay_tat = 0;
	msg = wf_ctrl_alloc(WF_CTRL_ADD_STREAM);
	WF_FUZZ_CHECK(msg);
	msg->stream = (uint16_t)sid;
	msg->state = st;
	renew_step(s->owner, msg);
}

/* ---- viewers ------------------------------------------------------------- */

static void viewer_keys(struct viewer *vw, unsigned i)
{
	const struct wf_srtp_suite *su;
	unsigned k;

	vw->profile = (enum wf_srtp_profile)(i % WF_SRTP_PROFILE_COUNT);
	su = wf_srtp_suite(vw->profile);
	for (k = 0; k < sizeof(vw->key); k++)
		vw->key[k] = (uint8_t)(0x40 + i * 16 + k);
	for (k = 0; k < sizeof(vw->salt); k++)
		vw->salt[k] = (uint8_t)(0xa0 + i * 16 + k);
	WF_FUZZ_CHECK(wf_srtp_keys_derive(engine, &vw->srtcp, vw->profile, WF_SRTP_KIND_RTCP,
					  vw->key, su->master_key_len, vw->salt,
					  su->master_salt_len) == 0);
}

/* Viewer i joins stream view_stream[i]: placed, keyed and added as session.c's
 * make_viewer() and go_live() do (we are the DTLS server: we send with
 * our keys, receive with the viewer's). */
static void viewer_add(unsigned i)
{
	static struct wf_viewer v;	/* 2.5 KiB: off the stack */
	static struct wf_viewer_out vo;
	static struct wf_srtp_keys srtp_out;
	struct viewer *vw = &viewers[i];
	const struct wf_srtp_suite *su = wf_srtp_suite(vw->profile);
	const struct wf_stream *s = &wf_app.streams[view_stream[i]];
	uint8_t our_key[32], our_salt[14];
	char ufrag[8];
	unsigned t;

	memset(our_key, 0x11 * (i + 1), sizeof(our_key));
	memset(our_salt, 0x22 * (i + 1), sizeof(our_salt));
	WF_FUZZ_CHECK(wf_registry_place(&vw->worker, &vw->slot, &vw->gen) == 0);
	memset(&v, 0, sizeof(v));
	memset(&vo, 0, sizeof(vo));
	v.stream = (uint16_t)view_stream[i];
	vo.srtp = 1;
	v.cname_hash = 0x5eed0000u + i;
	wf_registry_template(&v, &vo, vw->port_idx, &peer_mac, vw->addr, vw->udp_port);
	WF_FUZZ_CHECK(wf_srtp_keys_derive(wf_app.lc[vw->worker]->srtp, &srtp_out, vw->profile,
					  WF_SRTP_KIND_RTP, our_key, su->master_key_len, our_salt,
					  su->master_salt_len) == 0);
	WF_FUZZ_CHECK(wf_srtp_keys_derive(wf_app.lc[vw->worker]->srtp, &v.srtcp_out, vw->profile,
					  WF_SRTP_KIND_RTCP, our_key, su->master_key_len, our_salt,
					  su->master_salt_len) == 0);
	WF_FUZZ_CHECK(wf_srtp_keys_derive(wf_app.lc[vw->worker]->srtp, &v.srtcp_in, vw->profile,
					  WF_SRTP_KIND_RTCP, vw->key, su->master_key_len, vw->salt,
					  su->master_salt_len) == 0);
	for (t = 0; t < s->n_tracks; t++) {
		vo.trk[t].state = WF_VT_WAIT;
		vo.trk[t].pt = s->tracks[t].pt;
		vo.trk[t].ssrc = 0x10000000u + i * 16 + t;
		vo.trk[t].next_index = 1000 + i;
	}
	snprintf(ufrag, sizeof(ufrag), "fzv%u", i);
	WF_FUZZ_CHECK(wf_registry_add(vw->worker, vw->slot, vw->gen,
				      wf_peer_tag(ufrag, strlen(ufrag)), &v, &vo, &srtp_out) == 0);
	wf_viewer_keys_wipe(&v, &srtp_out);
	vw->srtcp_index = 0;
}

static void viewers_add(void)
{
	unsigned i;

	for (i = 0; i < N_VIEWERS; i++)
		viewer_add(i);
	settle();
}

/* Viewer i leaves and joins again, once nothing travels between the
 * workers (the frames before have been polled). */
static void viewer_rejoin(struct rte_mbuf *rx[][WF_MAX_PORTS][WF_BURST],
			  uint16_t nrx[][WF_MAX_PORTS], unsigned i)
{
	poll_all(rx, nrx);
	settle();
	WF_FUZZ_CHECK(wf_registry_remove(viewers[i].worker, viewers[i].slot,
					 viewers[i].gen) == 0);
	settle();
	viewer_add(i);
	settle();
}

static void viewers_remove(void)
{
	unsigned i;

	for (i = 0; i < N_VIEWERS; i++)
		WF_FUZZ_CHECK(wf_registry_remove(viewers[i].worker, viewers[i].slot,
						 viewers[i].gen) == 0);
	settle();
	WF_FUZZ_CHECK(wf_registry_count(-1) == 0);
}

/* ---- frames -------------------------------------------------------------- */

/* An mbuf holding frame[0..len) as a NIC delivers it, or NULL (too big). */
static struct rte_mbuf *frame_mbuf(const uint8_t *frame, size_t len, unsigned port_idx)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(wf_app.rx_pool);
	char *d;

	WF_FUZZ_CHECK(m);
	d = rte_pktmbuf_append(m, (uint16_t)len);
	if (!d && len) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (len)
		memcpy(d, frame, len);
	m->port = (uint16_t)port_idx;
	return m;
}

/* The frame record op/bytes stands for, into buf; *port_idx: where it
 * arrives.  Returns its length (0: nothing to send). */
static size_t build(uint8_t op, const uint8_t *p, size_t len, uint8_t *buf, size_t cap,
		    unsigned *port_idx)
{
	uint8_t plain[1500];
	struct viewer *vw = &viewers[OP_SEL(op) & 3];
	uint16_t dport;
	size_t out;

	switch (OP_KIND(op)) {
	case K_RAW:
		*port_idx = op & OP_PORT1 ? 1 : 0;
		if (len > cap)
			len = cap;
		memcpy(buf, p, len);
		return len;
	case K_INGEST:
		*port_idx = 0;
		dport = ingest_ports[OP_SEL(op)];
		return wf_play_udp_frame(buf, cap, 0, SRC_ADDR, (uint16_t)(dport + 2000), dport, p, len);
	case K_VIEWER:
		*port_idx = vw->port_idx;
		return wf_play_udp_frame(buf, cap, vw->port_idx, vw->addr, vw->udp_port,
					 wf_app.webrtc_port, p, len);
	default:	/* K_SRTCP */
		*port_idx = vw->port_idx;
		if (len < 8 || len > sizeof(plain) - 64)
			return 0;
		memcpy(plain, p, len);
		if (wf_srtcp_protect(engine, &vw->srtcp, &vw->srtcp_index, plain, len,
				     sizeof(plain), &out) != 0)
			return 0;
		return wf_play_udp_frame(buf, cap, vw->port_idx, vw->addr, vw->udp_port,
					 wf_app.webrtc_port, plain, out);
	}
}

/* ---- accounting ---------------------------------------------------------- */

/* Whether drop d can be the end of a received frame; the others are
 * viewers' copies (mbuf_alloc, protect, tx_full, no_route), sender
 * reports (sr_build) or the slow path's frames (slow_tx_port).  viewer_gone is both: a frame from a viewer that left
 * while it travelled to the viewer's worker, or a replay packet for one;
 * here only the second happens (a viewer leaves when no frame travels,
 * and its address stops routing to it at once), so it is not a frame's. */
static bool frame_drop(unsigned d)
{
	switch (d) {
	case WF_DROP_VIEWER_GONE:
	case WF_DROP_MBUF_ALLOC:
	case WF_DROP_PROTECT:
	case WF_DROP_TX_FULL:
	case WF_DROP_NO_ROUTE:
	case WF_DROP_SR_BUILD:
	case WF_DROP_SLOW_TX_PORT:
		return false;
	default:
		return true;
	}
}

struct tally {
	uint64_t rx;		/* frames received */
	uint64_t ends;		/* frames that went somewhere, or dropped */
	uint64_t handoff_full;
	uint64_t wire_full;
};

static void tally(struct tally *t, struct wf_counters snap[WF_MAX_WORKERS])
{
	unsigned w, d;

	memset(t, 0, sizeof(*t));
	for (w = 0; w < wf_app.n_workers; w++) {
		const struct wf_counters *c = &wf_app.lc[w]->c;

		t->rx += c->rx_pkts;
		t->ends += c->ingest_pkts + c->ingest_rtcp + c->viewer_rtcp + c->punted;
		for (d = 0; d < WF_DROP_COUNT; d++)
			if (frame_drop(d))
				t->ends += c->drop[d];
		t->handoff_full += c->drop[WF_DROP_HANDOFF_FULL];
		t->wire_full += c->drop[WF_DROP_WIRE_SOURCE_FULL] + c->drop[WF_DROP_WIRE_VIEWER_FULL];
		if (snap) {
			const uint64_t *now = (const uint64_t *)c, *then = (const uint64_t *)&snap[w];
			size_t i;

			/* every counter only grows */
			for (i = 0; i < sizeof(*c) / sizeof(uint64_t); i++)
				WF_FUZZ_CHECK(now[i] >= then[i]);
			snap[w] = *c;
		}
	}
}

/* The name of the counter at byte offset off of struct wf_counters. */
static const char *counter_name(size_t off)
{
#define F(f) { offsetof(struct wf_counters, f), #f }
	static const struct { size_t off; const char *name; } fields[] = {
		F(rx_pkts), F(rx_bytes), F(ingest_pkts), F(ingest_bytes), F(ingest_rtcp),
		F(viewer_rtcp), F(tx_pkts), F(tx_bytes), F(egress_pkts), F(egress_bytes),
		F(retransmits), F(replays), F(replay_pkts), F(nack_rx), F(pli_rx), F(rr_rx),
		F(sr_tx), F(punted), F(peer_unmatched), F(slow_tx), F(handoff_out),
		F(handoff_in), F(ctrl_msgs), F(busy_polls), F(work_pkts),
	};
#undef F
	static char buf[48];
	size_t i;

	for (i = 0; i < RTE_DIM(fields); i++)
		if (fields[i].off == off)
			return fields[i].name;
#define IN(f) (off >= offsetof(struct wf_counters, f) && \
	       off < offsetof(struct wf_counters, f) + sizeof(((struct wf_counters *)0)->f))
#define AT(f) ((off - offsetof(struct wf_counters, f)) / sizeof(uint64_t))
	if (IN(drop))
		return wf_drop_name((enum wf_drop)AT(drop));
	if (IN(refused))
		snprintf(buf, sizeof(buf), "refused.%s", wf_refusal_name((enum wf_refusal)AT(refused)));
	else if (IN(rtp_err))
		snprintf(buf, sizeof(buf), "rtp_err[%zu]", AT(rtp_err));
	else if (IN(srtp_err))
		snprintf(buf, sizeof(buf), "srtp_err.%s", wf_srtp_err_name(-(int)AT(srtp_err)));
	else
		snprintf(buf, sizeof(buf), "@%zu", off);
#undef IN
#undef AT
	return buf;
}

/* Prints the counters of both workers that moved since snap (seeing
 * which paths a seed reaches). */
static void trace_input(unsigned frames, const struct wf_counters snap[WF_MAX_WORKERS])
{
	unsigned w, i;

	fprintf(stderr, "frames %u:", frames);
	for (w = 0; w < wf_app.n_workers; w++) {
		const uint64_t *now = (const uint64_t *)&wf_app.lc[w]->c;
		const uint64_t *then = (const uint64_t *)&snap[w];

		for (i = 0; i < sizeof(struct wf_counters) / sizeof(uint64_t); i++)
			if (now[i] != then[i] && i * 8 != offsetof(struct wf_counters, polls) &&
			    i * 8 != offsetof(struct wf_counters, busy_cycles))
				fprintf(stderr, " w%u.%s+%" PRIu64, w, counter_name(i * 8),
					now[i] - then[i]);
	}
	fprintf(stderr, "\n");
}

/* At exit: the SRTP engines are heap memory (ipsec-mb's managers) whose
 * only pointers live in EAL memory, which LeakSanitizer does not scan. */
static void engines_free(void)
{
	unsigned w;

	for (w = 0; w < wf_app.n_workers; w++) {
		wf_srtp_engine_free(wf_app.lc[w]->srtp);
		wf_app.lc[w]->srtp = NULL;
	}
	wf_srtp_engine_free(engine);
	engine = NULL;
}

/* ---- libFuzzer ----------------------------------------------------------- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[32], lcores[64];
	char *args[] = { "fuzz_worker", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
			 "--no-telemetry", "--lcores", lcores, "--log-level", "error",
			 "--vdev", "net_null0", "--vdev", "net_null1", "--file-prefix", prefix };
	unsigned i, cpu = 0;
	cpu_set_t cpus;

	(void)argc;
	(void)argv;
	trace = getenv("WF_FUZZ_TRACE") != NULL;
	/* three lcores (main and two workers, never launched) on one CPU we
	 * may run on; a process of its own in EAL's files */
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
		while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &cpus))
			cpu++;
	snprintf(lcores, sizeof(lcores), "0@%u,1@%u,2@%u", cpu, cpu, cpu);
	snprintf(prefix, sizeof(prefix), "wffw%d", (int)getpid());
	WF_FUZZ_CHECK(rte_eal_init((int)RTE_DIM(args), args) >= 0);
	config();
	WF_FUZZ_CHECK(wf_setup_workers(cfg) == 0);
	atexit(engines_free);
	WF_FUZZ_CHECK(wf_app.n_workers == 2);
	timer_tsc = wf_app.tsc_hz / 100;
	engine = wf_srtp_engine_create(wf_app.srtp_arch);
	WF_FUZZ_CHECK(engine);
	WF_FUZZ_CHECK(wf_play_streams_start(cfg) == 0);
	for (i = 0; i < N_STREAMS; i++)
		WF_FUZZ_CHECK(wf_stream_is_active(&wf_app.streams[i]));
	WF_FUZZ_CHECK(wf_app.streams[0].owner != wf_app.streams[1].owner);
	for (i = 0; i < N_VIEWERS; i++) {
		struct viewer *vw = &viewers[i];

		vw->port_idx = (uint16_t)(i & 1);
		vw->addr = wf_app.ports[vw->port_idx].addr + 20 + i;
		vw->udp_port = (uint16_t)(50000 + i);
		viewer_keys(vw, i);
	}
	for (i = 0; i < N_STREAMS; i++)
		stream_renew(i);
	settle();
	mbufs_baseline = rte_mempool_in_use_count(wf_app.rx_pool);
	tx_mbufs_baseline = rte_mempool_in_use_count(wf_app.tx_pool);
	ready = true;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rte_mbuf *rx[WF_MAX_WORKERS][WF_MAX_PORTS][WF_BURST];
	static uint16_t nrx[WF_MAX_WORKERS][WF_MAX_PORTS];
	static struct wf_counters snap[WF_MAX_WORKERS];
	static uint8_t buf[2048];
	struct tally before, after;
	struct wf_fuzz_in in;
	unsigned frames = 0, i;

	if (!ready)
		return 0;
	viewers_add();
	tally(&before, snap);
	wf_fuzz_in_init(&in, data, size);
	while (wf_fuzz_left(&in) && frames < MAX_FRAMES) {
		uint8_t op = wf_fuzz_u8(&in);
		size_t len, flen;
		const uint8_t *p = wf_fuzz_chunk(&in, &len);
		unsigned port_idx = 0, w = op & OP_WORKER1 ? 1 : 0;
		struct rte_mbuf *m;

		if (OP_KIND(op) == K_VIEWER && OP_SEL(op) & 4)
			viewer_rejoin(rx, nrx, OP_SEL(op) & 3);
		flen = build(op, p, len, buf, sizeof(buf), &port_idx);
		if (!flen && OP_KIND(op) != K_RAW)
			continue;
		m = frame_mbuf(buf, flen, port_idx);
		if (!m)
			continue;
		frames++;
		rx[w][port_idx][nrx[w][port_idx]++] = m;
		if (op & OP_POLL || nrx[w][port_idx] == WF_BURST)
			poll_all(rx, nrx);
	}
	poll_all(rx, nrx);
	settle();
	if (trace)
		trace_input(frames, snap);
	tally(&after, snap);
	WF_FUZZ_CHECK(after.rx - before.rx == frames);
	WF_FUZZ_CHECK(after.ends - before.ends == frames);
	WF_FUZZ_CHECK(after.handoff_full == before.handoff_full);
	WF_FUZZ_CHECK(after.wire_full == before.wire_full);

	viewers_remove();
	for (i = 0; i < N_STREAMS; i++)
		stream_renew(i);
	settle();
	tally(&after, snap);
	WF_FUZZ_CHECK(rte_mempool_in_use_count(wf_app.rx_pool) == mbufs_baseline);
	WF_FUZZ_CHECK(rte_mempool_in_use_count(wf_app.tx_pool) == tx_mbufs_baseline);
	return 0;
}
