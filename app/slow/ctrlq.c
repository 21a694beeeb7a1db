/* ctrlq.c: control messages to the workers and their replies (ctrlq.h).
 *
 * msg->cookie is the slow path's own: 0 an asynchronous message (its
 * done runs on the reply), 1 a call waiting for its reply, 2 answered. */
#include "slow/ctrlq.h"

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "core/app.h"
#include "core/lcore.h"
#include "slow/frame.h"

struct wf_ctrl_msg *wf_ctrl_alloc(uint32_t type)
{
	void *p;

	if (rte_mempool_get(wf_app.ctrl_pool, &p) != 0)
		return NULL;
	memset(p, 0, sizeof(struct wf_ctrl_msg));
	((struct wf_ctrl_msg *)p)->type = type;
	return p;
}

void wf_ctrl_free(struct wf_ctrl_msg *msg)
{
	rte_mempool_put(wf_app.ctrl_pool, msg);
}

static int enqueue(unsigned worker, struct wf_ctrl_msg *msg)
{
	if (rte_ring_enqueue(wf_app.lc[worker]->ctrl, msg) != 0)
		return -ENOBUFS;
	wf_slow_counters.ctrl_sent++;
	return 0;
}

int wf_ctrl_send(unsigned worker, struct wf_ctrl_msg *msg, wf_ctrl_done_fn done)
{
	msg->cookie = 0;
	msg->done = done;
	return enqueue(worker, msg);
}

static unsigned drain(unsigned w)
{
	void *msgs[16];
	unsigned n, i;

	n = rte_ring_dequeue_burst(wf_app.lc[w]->reply, msgs, RTE_DIM(msgs), NULL);
	for (i = 0; i < n; i++) {
		struct wf_ctrl_msg *msg = msgs[i];

		if (msg->cookie == 1) {
			msg->cookie = 2;	/* answered: the call takes it */
			continue;
		}
		if (msg->done)
			msg->done(msg);
		wf_ctrl_free(msg);
	}
	return n;
}

void wf_ctrl_replies(void)
{
	unsigned w;

	for (w = 0; w < wf_app.n_workers; w++)
		drain(w);
}

int wf_ctrl_call(unsigned worker, struct wf_ctrl_msg *msg)
{
	uint64_t deadline = rte_rdtsc() + rte_get_tsc_hz();
	int rc;

	msg->cookie = 1;
	msg->done = NULL;
	if ((rc = enqueue(worker, msg)) < 0)
		return rc;
	while (msg->cookie != 2) {
		drain(worker);
		if (msg->cookie == 2)
			break;
		if (rte_rdtsc() > deadline) {
			/* the worker still holds it: freed when it comes back */
			msg->cookie = 0;
			return -ETIMEDOUT;
		}
		rte_pause();
	}
	return msg->status;
}
