/* ctrlq.c: control messages to the workers and their replies (ctrlq.h). */
#include "slow/ctrlq.h"

#include <errno.h>
#include <string.h>

#include <rte_mempool.h>
#include <rte_ring.h>

#include "core/app.h"
#include "core/lcore.h"
#include "slow/frame.h"

static unsigned outstanding;	/* sent, reply not yet taken */

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

int wf_ctrl_send(unsigned worker, struct wf_ctrl_msg *msg, wf_ctrl_done_fn done)
{
	msg->done = done;
	if (rte_ring_enqueue(wf_app.lc[worker]->ctrl, msg) != 0)
		return -ENOBUFS;
	wf_slow_counters.ctrl_sent++;
	outstanding++;
	return 0;
}

static unsigned drain(unsigned w)
{
	void *msgs[16];
	unsigned n, i;

	n = rte_ring_dequeue_burst(wf_app.lc[w]->reply, msgs, RTE_DIM(msgs), NULL);
	for (i = 0; i < n; i++) {
		struct wf_ctrl_msg *msg = msgs[i];

		outstanding--;
		if (msg->done)
			msg->done(msg);
		wf_ctrl_free(msg);
	}
	return n;
}

unsigned wf_ctrl_replies(void)
{
	unsigned w, n = 0;

	for (w = 0; w < wf_app.n_workers; w++)
		n += drain(w);
	return n;
}

unsigned wf_ctrl_outstanding(void)
{
	return outstanding;
}
