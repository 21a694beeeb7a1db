/* worker.c: the worker loop.
 *
 *   control messages -> rx burst per port -> classify -> ingest / feedback
 *   -> handoff items from other workers -> WHIP publishers' SRTP unprotected
 *   and ingested (whip.h) -> replays due (request.h)
 *   -> SRTP batch flushed (fanout.h) -> timers (SRs, history)
 *   -> handoff flushed -> tx buffers due flushed (tx.h)
 *
 * Nothing here allocates from the heap, locks, logs per packet or makes a
 * syscall; an idle worker may sleep briefly (workers.idle_sleep_us).
 */
#include "fast/worker.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_rcu_qsbr.h>

#include "core/lcore.h"
#include "fast/apply.h"
#include "fast/classify.h"
#include "fast/fanout.h"
#include "fast/feedback.h"
#include "fast/handoff.h"
#include "fast/ingest.h"
#include "fast/request.h"
#include "fast/tx.h"
#include "fast/whip.h"

#define WF_TIMER_MS		10	/* SR and history timers */
#define WF_CTRL_PER_POLL	8	/* control messages applied per loop */
#define WF_IDLE_POLLS		256	/* empty polls before a pause */

/* Frames the slow path asked us to send (ARP, ICMP, STUN, DTLS). */
static unsigned slow_tx(struct wf_lcore *lc)
{
	struct rte_mbuf *pkts[WF_BURST];
	unsigned n, i;

	n = rte_ring_dequeue_burst(lc->slow_tx, (void **)pkts, WF_BURST, NULL);
	for (i = 0; i < n; i++) {
		unsigned port_idx = pkts[i]->port;

		if (port_idx >= wf_app.n_ports) {
			wf_drop(lc, pkts[i], WF_DROP_SLOW_TX_PORT);
			continue;
		}
		wf_tx(lc, port_idx, pkts[i]);
	}
	lc->c.slow_tx += n;
	return n;
}

/* Control messages, each after every frame the slow path queued before it:
 * the DTLS flight that completes a handshake is queued before the message
 * that adds the viewer, and must leave before the viewer's first (replayed)
 * SRTP packet, or the browser drops that packet and waits for the next key
 * frame (RFC 5764 §4.1: keys come from the finished handshake).  slow_tx()
 * alone sends a burst per loop, which a busy slow path can outrun. */
static unsigned control(struct wf_lcore *lc)
{
	struct wf_ctrl_msg *msgs[WF_CTRL_PER_POLL];
	unsigned n = wf_ctrl_take(lc, msgs, RTE_DIM(msgs)), round;

	if (!n)
		return 0;
	for (round = 0; round <= WF_PUNT_RING_SIZE / WF_BURST; round++)
		if (slow_tx(lc) < WF_BURST)
			break;
	wf_ctrl_apply(lc, msgs, n);
	return n;
}

/* One item from another worker, by its kind. */
static void handoff_item(struct wf_lcore *lc, struct wf_item *it)
{
	if (it->kind < WF_ITEM_KIND_COUNT)
		lc->c.handoff_in_kind[it->kind]++;
	switch (it->kind) {
	case WF_ITEM_INGEST:
		wf_ingest_one(lc, it->m);
		break;
	case WF_ITEM_FROM_VIEWER:
		wf_feedback_packet(lc, it->m, it->viewer, it->gen);
		break;
	case WF_ITEM_MEDIA:
		wf_fanout_packet(lc, it->m);
		rte_pktmbuf_free(it->m);	/* the reference the owner gave us */
		break;
	case WF_ITEM_RETX:
		wf_fanout_item(lc, it);	/* takes the item's reference */
		break;
	case WF_ITEM_REQ_RETX:
	case WF_ITEM_REQ_REPLAY:
		wf_request_serve(lc, it);
		break;
	case WF_ITEM_PUBLISHER:
		wf_whip_packet(lc, it->m, it->stream, it->gen);
		break;
	default:
		if (it->m)
			rte_pktmbuf_free(it->m);
		lc->c.drop[WF_DROP_HANDOFF_KIND]++;
		break;
	}
}

/* Handles up to max items from every other worker's ring to us in
 * rings[from][to] (a burst from each at most), from worker first on, so
 * that no worker's ring waits behind the others' every poll; returns how
 * many. */
static unsigned handoff_poll(struct wf_lcore *lc, struct rte_ring *rings[][WF_MAX_WORKERS],
			     unsigned first, unsigned max)
{
	struct wf_item items[WF_BURST];
	unsigned k, total = 0;

	for (k = 0; k < wf_app.n_workers && total < max; k++) {
		unsigned w = (first + k) % wf_app.n_workers, n, i;

		if (w == lc->idx)
			continue;
		n = rte_ring_dequeue_burst_elem(rings[w][lc->idx], items, sizeof(struct wf_item),
						WF_BURST, NULL);
		for (i = 0; i < n; i++)
			handoff_item(lc, &items[i]);
		total += n;
	}
	lc->c.handoff_in += total;
	return total;
}

unsigned wf_worker_poll_tail(struct wf_lcore *lc, uint64_t timer_tsc, unsigned rx_work)
{
	unsigned first = lc->ho_first + 1 < wf_app.n_workers ? lc->ho_first + 1 : 0, work;
	uint64_t now;

	/* each kind of ring its own share of the poll: a flood of packets
	 * received for us elsewhere does not hold up the workers' items, nor
	 * viewers' the sources' */
	lc->ho_first = first;
	work = handoff_poll(lc, wf_app.handoff, first, 4 * WF_BURST) +
	       handoff_poll(lc, wf_app.wire[WF_WIRE_SOURCE], first, 4 * WF_BURST) +
	       handoff_poll(lc, wf_app.wire[WF_WIRE_VIEWER], first, 4 * WF_BURST);

	/* the poll's publisher packets, received and handed over, in one
	 * unprotect burst; their copies join the fan-out batch below */
	wf_whip_flush(lc);
	wf_ingest_flush(lc);	/* what the handoff's and publishers' packets evicted */
	now = rte_rdtsc();

	if (lc->n_replays)
		wf_replay_poll(lc, now);
	/* before the timers: a sender report counts the copies it follows */
	wf_fanout_flush(lc);
	if (now >= lc->next_timer_tsc) {
		lc->next_timer_tsc = now + timer_tsc;
		wf_feedback_sr_timer(lc, now);
		wf_ingest_timer(lc, now);
		wf_whip_timer(lc, now);
	}
	wf_handoff_flush(lc);
	wf_tx_drain(lc, now, !(work + rx_work));
	return work;
}

int wf_worker_main(void *arg)
{
	struct wf_lcore *lc = arg;
	struct rte_mbuf *pkts[WF_BURST];
	uint64_t timer_tsc = wf_app.tsc_hz / 1000 * WF_TIMER_MS;
	unsigned qsbr_id = lc->idx;

	rte_rcu_qsbr_thread_register(wf_app.qsbr, qsbr_id);
	rte_rcu_qsbr_thread_online(wf_app.qsbr, qsbr_id);
	lc->next_timer_tsc = rte_rdtsc() + timer_tsc;
	lc->tx_drain_tsc = wf_app.tsc_hz / 1000000 * WF_TX_DRAIN_US;

	/* relaxed: stop carries no data; rte_eal_mp_wait_lcore() joins us */
	while (!__atomic_load_n(&wf_app.stop, __ATOMIC_RELAXED)) {
		uint64_t t0 = rte_rdtsc();
		unsigned work = 0, p;

		lc->poll_tsc = t0;
		work += slow_tx(lc);
		work += control(lc);
		for (p = 0; p < wf_app.n_ports; p++) {
			uint16_t n = rte_eth_rx_burst(wf_app.ports[p].port_id, (uint16_t)lc->idx,
						      pkts, WF_BURST);

			if (!n)
				continue;
			wf_classify_burst(lc, p, pkts, n);
			work += n;
		}
		work += wf_worker_poll_tail(lc, timer_tsc, work);
		rte_rcu_qsbr_quiescent(wf_app.qsbr, qsbr_id);

		lc->c.polls++;
		if (work) {
			lc->c.busy_polls++;
			lc->c.busy_cycles += rte_rdtsc() - t0;
			lc->c.work_pkts += work;
			lc->idle_polls = 0;
		} else if (wf_app.idle_sleep_us && ++lc->idle_polls >= WF_IDLE_POLLS) {
			/* DESIGN.md rule 6: an idle worker backs off */
			rte_delay_us_sleep(wf_app.idle_sleep_us);
		}
	}
	wf_whip_flush(lc);
	wf_ingest_flush(lc);
	wf_fanout_flush(lc);
	wf_tx_flush(lc);
	rte_rcu_qsbr_thread_offline(wf_app.qsbr, qsbr_id);
	rte_rcu_qsbr_thread_unregister(wf_app.qsbr, qsbr_id);
	return 0;
}
