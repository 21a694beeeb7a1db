/* setup.c: building the appliance between EAL init and the slow-path loop,
 * and taking it down again (setup.h).  Shared by whepfan and the
 * benchmark, which runs the same code on virtual devices. */
#include "setup.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "core/app.h"
#include "core/ctrl.h"
#include "core/lcore.h"
#include "core/log.h"
#include "fast/classify.h"
#include "fast/handoff.h"
#include "fast/worker.h"
#include "ops/telemetry.h"
#include "slow/ctrlq.h"
#include "slow/ev.h"
#include "slow/mbufs.h"
#include "slow/outputs.h"
#include "slow/port.h"
#include "slow/registry.h"
#include "slow/reload.h"
#include "slow/slowpath.h"
#include "slow/streams.h"
#include "whep/http.h"
#include "whep/session.h"
#include "rtp/rtcp.h"

/* Timers of the event loop besides the sessions' (HTTP, outputs, heap
 * trim: one each): room to spare. */
#define SUBSYSTEM_TIMERS	64

static bool workers_launched;

static void lcore_free(struct wf_lcore *lc)
{
	rte_free(lc->viewers);
	rte_free(lc->members);
	rte_free(lc->member_out);
	rte_free(lc->member_keys);
	rte_free(lc->viewer_in);
	rte_ring_free(lc->ctrl);
	rte_ring_free(lc->reply);
	rte_ring_free(lc->punt);
	rte_ring_free(lc->punt_prio);
	rte_ring_free(lc->slow_tx);
	wf_srtp_engine_free(lc->srtp);
	rte_free(lc);
}

/* Creates the per-lcore state of worker w on lcore lcore_id and publishes
 * it in wf_app.lc[w] once complete (nothing on failure). */
static int lcore_create(unsigned w, unsigned lcore_id, uint32_t slots)
{
	struct wf_lcore *lc;
	char name[RTE_RING_NAMESIZE];
	int socket = (int)rte_lcore_to_socket_id(lcore_id);

	lc = rte_zmalloc_socket("wf_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE, socket);
	if (!lc)
		return -ENOMEM;
	lc->idx = w;
	lc->lcore_id = lcore_id;
	lc->n_slots = slots;
	lc->viewers = rte_zmalloc_socket("wf_viewers", sizeof(struct wf_viewer) * slots,
					 RTE_CACHE_LINE_SIZE, socket);
	/* every page now: slots are used next-fit, so churn would otherwise
	 * grow RSS by a page a slot until each slot had had a viewer once */
	if (lc->viewers)
		explicit_bzero(lc->viewers, sizeof(struct wf_viewer) * slots);
	lc->members = rte_zmalloc_socket("wf_members", sizeof(*lc->members) * slots,
					 RTE_CACHE_LINE_SIZE, socket);
	/* members are dense from cell 0: these pages fill as viewers come */
	lc->member_out = rte_zmalloc_socket("wf_member_out", sizeof(*lc->member_out) * slots,
					    RTE_CACHE_LINE_SIZE, socket);
	lc->member_keys = rte_zmalloc_socket("wf_member_keys", sizeof(*lc->member_keys) * slots,
					     RTE_CACHE_LINE_SIZE, socket);
	rte_seqcount_init(&lc->members_sc);
	snprintf(name, sizeof(name), "wf_ctrl%u", w);
	lc->ctrl = rte_ring_create(name, WF_CTRL_RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "wf_reply%u", w);
	lc->reply = rte_ring_create(name, WF_CTRL_RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "wf_punt%u", w);
	lc->punt = rte_ring_create(name, WF_PUNT_RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "wf_puntp%u", w);
	lc->punt_prio = rte_ring_create(name, WF_PUNT_RING_SIZE, socket,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "wf_stx%u", w);
	lc->slow_tx = rte_ring_create(name, WF_PUNT_RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	lc->srtp = wf_srtp_engine_create(wf_app.srtp_arch);
	wf_police_init(&lc->police, rte_get_tsc_hz());
	if (wf_classify_init(lc) != 0 || !lc->viewers || !lc->members || !lc->member_out ||
	    !lc->member_keys || !lc->ctrl || !lc->reply || !lc->punt || !lc->punt_prio ||
	    !lc->slow_tx || !lc->srtp) {
		lcore_free(lc);
		return -ENOMEM;
	}
	/* release: the telemetry threads (wf_lcore_get, acquire) see it whole */
	__atomic_store_n(&wf_app.lc[w], lc, __ATOMIC_RELEASE);
	return 0;
}

static int srtp_choose(const struct wf_config *cfg)
{
	unsigned p;

	if (cfg->srtp.measure)
		return wf_srtp_arch_measure(wf_app.srtp_arch) ? -EIO : 0;
	if (!wf_srtp_arch_supported(cfg->srtp.arch)) {
		WF_LOG(ERR, "srtp.engine: %s is not supported by this CPU\n",
		       wf_srtp_arch_name(cfg->srtp.arch));
		return -ENOTSUP;
	}
	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++)
		wf_app.srtp_arch[p] = cfg->srtp.arch;
	return 0;
}

/* A packet pool of n mbufs, or NULL after saying why. */
static struct rte_mempool *pool_make(const char *name, unsigned n)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create(name, n, WF_MBUF_CACHE,
							 (uint16_t)WF_MBUF_PRIV_SIZE,
							 RTE_MBUF_DEFAULT_BUF_SIZE,
							 (int)rte_socket_id());

	if (!mp)
		WF_LOG(ERR, "cannot create %u mbufs for %s: %s (more memory: -m, or hugepages)\n",
		       n, name, rte_strerror(rte_errno));
	return mp;
}

/* The receive pool, in wf_app.rx_pool (app.h): before the ports, whose
 * receive queues take from it. */
static int rx_pool_create(const struct wf_config *cfg)
{
	struct rte_mempool *rx = pool_make("wf_rx", cfg->dpdk.mbufs);

	if (!rx)
		return -ENOMEM;
	/* release: the telemetry threads (/whepfan/info, acquire) see it whole */
	__atomic_store_n(&wf_app.rx_pool, rx, __ATOMIC_RELEASE);
	return 0;
}

/* The transmit pool, in wf_app.tx_pool: after the ports, whose transmit
 * queues may have been given more descriptors than WF_TX_DESC. */
static int tx_pool_create(void)
{
	unsigned p, n_txd = WF_TX_DESC;
	struct rte_mempool *tx;

	for (p = 0; p < wf_app.n_ports; p++)
		n_txd = RTE_MAX(n_txd, (unsigned)wf_app.ports[p].nb_txd);
	tx = pool_make("wf_tx", wf_mbufs_tx(wf_app.n_ports, wf_app.n_workers, n_txd));
	if (!tx)
		return -ENOMEM;
	__atomic_store_n(&wf_app.tx_pool, tx, __ATOMIC_RELEASE);
	return 0;
}

int wf_setup_workers(struct wf_config *cfg)
{
	struct timespec ts;
	unsigned lcore, w = 0, n_outputs = 0, s, p;
	uint32_t slots;
	size_t qsz;
	int rc;

	wf_app.cfg = cfg;
	wf_app.tsc_hz = rte_get_tsc_hz();
	clock_gettime(CLOCK_REALTIME, &ts);
	wf_app.start_tsc = rte_rdtsc();
	wf_app.start_ntp = wf_ntp_from_timespec(&ts);
	wf_app.sr_interval_tsc = wf_app.tsc_hz / 1000 * cfg->webrtc.rtcp_sr_interval_ms;
	wf_app.webrtc_port = cfg->webrtc.udp_port;
	wf_app.idle_sleep_us = cfg->workers.idle_sleep_us;
	wf_budgets_apply(&cfg->webrtc);

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (w == WF_MAX_WORKERS)
			break;
		wf_app.worker_lcore[w++] = lcore;
	}
	wf_app.n_workers = w;
	if (!w) {
		WF_LOG(ERR, "no worker lcore: give EAL at least two lcores (e.g. -l 0-1)\n");
		return -EINVAL;
	}
	rc = srtp_choose(cfg);
	if (rc)
		return rc;
	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++)
		WF_LOG(INFO, "srtp %s: ipsec-mb %s manager\n", wf_srtp_suite(p)->name,
		       wf_srtp_arch_name(wf_app.srtp_arch[p]));

	rc = rx_pool_create(cfg);
	if (rc)
		return rc;
	wf_app.ctrl_pool = rte_mempool_create("wf_ctrl", 511, sizeof(struct wf_ctrl_msg), 0, 0,
					      NULL, NULL, NULL, NULL, (int)rte_socket_id(),
					      RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET);
	qsz = rte_rcu_qsbr_get_memsize(wf_app.n_workers);
	wf_app.qsbr = rte_zmalloc("wf_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (!wf_app.ctrl_pool || !wf_app.qsbr || rte_rcu_qsbr_init(wf_app.qsbr, wf_app.n_workers))
		return -ENOMEM;

	for (s = 0; s < cfg->n_streams; s++)
		n_outputs += cfg->streams[s].n_outputs;
	slots = (cfg->http.max_sessions + n_outputs + wf_app.n_workers - 1) / wf_app.n_workers + 16;
	for (w = 0; w < wf_app.n_workers; w++) {
		rc = lcore_create(w, wf_app.worker_lcore[w], slots);
		if (rc) {
			WF_LOG(ERR, "worker %u: out of memory for %u viewer slots\n", w, slots);
			return rc;
		}
	}
	rc = wf_handoff_rings_create();
	if (rc)
		return rc;
	rc = wf_ports_init(cfg, wf_app.n_workers);
	if (!rc)
		rc = tx_pool_create();
	if (rc)
		return rc;
	return wf_registry_init(slots);
}

int wf_setup(struct wf_config *cfg)
{
	char why[320];
	int rc;

	rc = wf_setup_workers(cfg);
	rc = rc ? rc : wf_workers_start();
	if (rc)
		return rc;
	rc = wf_mbufs_check(cfg, wf_app.n_workers, why, sizeof(why));
	if (rc) {
		WF_LOG(ERR, "%s\n", why);
		return rc;
	}
	/* a timer for each session and a few of the subsystems' own */
	rc = wf_ev_init(cfg->http.max_sessions + SUBSYSTEM_TIMERS);
	if (rc)
		return rc;
	rc = wf_slow_init();
	if (rc)
		return rc;
	rc = wf_streams_start(cfg);
	if (rc)
		return rc;
	rc = wf_session_init(cfg);
	if (rc)
		return rc;
	rc = wf_http_init(cfg);
	if (rc)
		return rc;
	rc = wf_reload_init();
	if (rc)
		return rc;
	return wf_outputs_init(cfg);
}

/* Frees the packets of the *n items buffered in buf, and empties it. */
static void buffer_drain(struct wf_item *buf, uint16_t *n)
{
	unsigned i;

	for (i = 0; i < *n; i++)
		rte_pktmbuf_free(buf[i].m);	/* NULL-safe */
	*n = 0;
}

/* Frees the packets of the items on ring r (NULL: none). */
static void ring_drain(struct rte_ring *r)
{
	struct wf_item items[WF_BURST];
	unsigned n, i;

	while (r && (n = rte_ring_dequeue_burst_elem(r, items, sizeof(items[0]), WF_BURST,
						     NULL)) > 0)
		for (i = 0; i < n; i++)
			rte_pktmbuf_free(items[i].m);	/* NULL-safe */
}

/* Frees the mbufs still in flight once the workers have stopped: handoff
 * items buffered or queued between workers, frames on the punt and slow_tx
 * rings.  Only called with no worker running. */
static void drain_in_flight(void)
{
	unsigned a, b, k, n;

	for (a = 0; a < wf_app.n_workers; a++) {
		struct wf_lcore *lc = wf_app.lc[a];
		struct rte_mbuf *pkts[WF_BURST];

		if (!lc)
			continue;
		for (b = 0; b < wf_app.n_workers; b++) {
			buffer_drain(lc->ho[b], &lc->nho[b]);
			ring_drain(wf_app.handoff[a][b]);
			for (k = 0; k < WF_WIRE_KINDS; k++) {
				buffer_drain(lc->wo[k][b], &lc->nwo[k][b]);
				ring_drain(wf_app.wire[k][a][b]);
			}
		}
		while (lc->punt && (n = rte_ring_dequeue_burst(lc->punt, (void **)pkts, WF_BURST,
							       NULL)) > 0)
			rte_pktmbuf_free_bulk(pkts, n);
		while (lc->punt_prio && (n = rte_ring_dequeue_burst(lc->punt_prio, (void **)pkts,
								    WF_BURST, NULL)) > 0)
			rte_pktmbuf_free_bulk(pkts, n);
		while (lc->slow_tx && (n = rte_ring_dequeue_burst(lc->slow_tx, (void **)pkts,
								  WF_BURST, NULL)) > 0)
			rte_pktmbuf_free_bulk(pkts, n);
	}
}

int wf_workers_start(void)
{
	unsigned w;
	int rc;

	/* relaxed: stop carries no data; the launch orders what they read */
	__atomic_store_n(&wf_app.stop, false, __ATOMIC_RELAXED);
	for (w = 0; w < wf_app.n_workers; w++) {
		rc = rte_eal_remote_launch(wf_worker_main, wf_app.lc[w], wf_app.worker_lcore[w]);
		if (rc)
			return rc;
		workers_launched = true;
	}
	return 0;
}

void wf_workers_stop(void)
{
	/* relaxed: stop carries no data; rte_eal_mp_wait_lcore() joins them */
	__atomic_store_n(&wf_app.stop, true, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	workers_launched = false;
}

void wf_teardown(void)
{
	unsigned w;

	/* nothing the telemetry threads read is freed before they are out */
	wf_telemetry_close();
	wf_reload_fini();
	/* viewers and streams go back while the workers still run */
	wf_http_fini();
	wf_session_fini();
	wf_outputs_stop();
	wf_ctrl_replies();
	if (workers_launched)
		wf_streams_stop();
	wf_ev_fini();
	wf_workers_stop();
	drain_in_flight();
	wf_ports_close();
	if (wf_app.rx_pool && wf_app.tx_pool) {
		/* the streams' histories went with wf_streams_stop(), the
		 * rings with the ports: anything left is a leaked reference */
		unsigned rx = rte_mempool_in_use_count(wf_app.rx_pool);
		unsigned tx = rte_mempool_in_use_count(wf_app.tx_pool);

		WF_LOG(INFO, "mbufs in use after teardown: %u of %u (receive %u, transmit %u)\n",
		       rx + tx, wf_app.rx_pool->size + wf_app.tx_pool->size, rx, tx);
	}
	for (w = 0; w < wf_app.n_workers; w++)
		if (wf_app.lc[w])
			wf_srtp_engine_free(wf_app.lc[w]->srtp);
}
