/* ev.c: the slow path's event loop (ev.h). */
#include "slow/ev.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "core/log.h"

#define MAX_FILES	8	/* descriptors registered at once */

struct file {
	int fd;			/* -1: free */
	wf_ev_file_fn fn;
	void *arg;
};

static struct {
	int epfd;
	struct wf_ev_timer **heap;	/* a min-heap on when */
	unsigned n, cap;
	wf_ev_poll_fn pollers[WF_EV_MAX_POLLERS];
	unsigned n_pollers;
	struct file files[MAX_FILES];
	uint64_t hz;
	struct wf_ev_stats stats;
} ev = { .epfd = -1 };

int wf_ev_init(unsigned max_timers)
{
	unsigned i;

	wf_ev_fini();
	ev.heap = calloc(max_timers ? max_timers : 1, sizeof(*ev.heap));
	ev.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!ev.heap || ev.epfd < 0) {
		WF_LOG(ERR, "event loop: %s\n", strerror(ev.heap ? errno : ENOMEM));
		wf_ev_fini();
		return -ENOMEM;
	}
	ev.cap = max_timers;
	ev.hz = rte_get_tsc_hz();
	for (i = 0; i < MAX_FILES; i++)
		ev.files[i].fd = -1;
	return 0;
}

void wf_ev_fini(void)
{
	unsigned i;

	/* the timers belong to their owners: they are only disarmed */
	for (i = 0; i < ev.n; i++)
		ev.heap[i]->pos = 0;
	free(ev.heap);
	if (ev.epfd >= 0)
		close(ev.epfd);
	memset(&ev, 0, sizeof(ev));
	ev.epfd = -1;
}

/* ---- files ----------------------------------------------------------------- */

int wf_ev_file_add(int fd, wf_ev_file_fn fn, void *arg)
{
	struct epoll_event e = { .events = EPOLLIN };
	unsigned i;

	for (i = 0; i < MAX_FILES && ev.files[i].fd >= 0; i++)
		;
	if (fd < 0 || ev.epfd < 0 || i == MAX_FILES)
		return -EINVAL;
	e.data.u32 = i;
	if (epoll_ctl(ev.epfd, EPOLL_CTL_ADD, fd, &e) < 0)
		return -errno;
	ev.files[i] = (struct file){ .fd = fd, .fn = fn, .arg = arg };
	return 0;
}

void wf_ev_file_del(int fd)
{
	unsigned i;

	for (i = 0; i < MAX_FILES; i++) {
		if (ev.files[i].fd != fd || fd < 0)
			continue;
		epoll_ctl(ev.epfd, EPOLL_CTL_DEL, fd, NULL);
		ev.files[i].fd = -1;
	}
}

/* Calls the ready files' functions; returns how many were. */
static unsigned files_run(void)
{
	struct epoll_event e[MAX_FILES];
	int n, i;

	if (ev.epfd < 0)
		return 0;
	n = epoll_wait(ev.epfd, e, MAX_FILES, 0);
	for (i = 0; i < n; i++) {
		struct file *f = &ev.files[e[i].data.u32 % MAX_FILES];

		if (f->fd >= 0)
			f->fn(f->arg);
	}
	n = n > 0 ? n : 0;
	ev.stats.files_ready += (unsigned)n;
	return (unsigned)n;
}

/* ---- pollers --------------------------------------------------------------- */

int wf_ev_poller_add(wf_ev_poll_fn fn)
{
	if (ev.n_pollers == WF_EV_MAX_POLLERS)
		return -ENOSPC;
	ev.pollers[ev.n_pollers++] = fn;
	return 0;
}

/* ---- timers: a binary min-heap, each timer knowing its place ---------------- */

static void heap_put(unsigned i, struct wf_ev_timer *t)
{
	ev.heap[i] = t;
	t->pos = i + 1;
}

static void sift_up(unsigned i)
{
	struct wf_ev_timer *t = ev.heap[i];

	while (i > 0 && ev.heap[(i - 1) / 2]->when > t->when) {
		heap_put(i, ev.heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_put(i, t);
}

static void sift_down(unsigned i)
{
	struct wf_ev_timer *t = ev.heap[i];

	for (;;) {
		unsigned c = 2 * i + 1;

		if (c >= ev.n)
			break;
		if (c + 1 < ev.n && ev.heap[c + 1]->when < ev.heap[c]->when)
			c++;
		if (ev.heap[c]->when >= t->when)
			break;
		heap_put(i, ev.heap[c]);
		i = c;
	}
	heap_put(i, t);
}

int wf_ev_timer_arm(struct wf_ev_timer *t, uint64_t when)
{
	unsigned i;

	if (t->pos) {
		i = t->pos - 1;
		t->when = when;
		sift_up(i);
		sift_down(t->pos - 1);
		return 0;
	}
	if (ev.n == ev.cap) {
		ev.stats.arm_full++;
		return -ENOSPC;
	}
	t->when = when;
	heap_put(ev.n++, t);
	sift_up(ev.n - 1);
	return 0;
}

void wf_ev_timer_stop(struct wf_ev_timer *t)
{
	unsigned i;
	struct wf_ev_timer *last;

	if (!t->pos)
		return;
	i = t->pos - 1;
	t->pos = 0;
	last = ev.heap[--ev.n];
	if (i == ev.n)
		return;
	heap_put(i, last);
	sift_up(i);
	sift_down(last->pos - 1);
}

/* Fires the timers due at now, including those armed for now or earlier
 * by the ones it fires, but at most as many as were armed when the pass
 * began: a callback that keeps arming its timer in the past cannot hold
 * the loop (the rest wait for the next pass). */
static unsigned timers_run(uint64_t now)
{
	unsigned fired = 0, budget = ev.n;

	while (ev.n && ev.heap[0]->when <= now && budget--) {
		struct wf_ev_timer *t = ev.heap[0];

		wf_ev_timer_stop(t);
		t->fn(t, now);
		fired++;
	}
	ev.stats.timers_fired += fired;
	return fired;
}

/* ---- the loop -------------------------------------------------------------- */

/* Sleeps until the nearest deadline, a file event, or max_us. */
static void nap(uint64_t now, unsigned max_us)
{
	uint64_t us = max_us;
	struct pollfd pfd = { .fd = ev.epfd, .events = POLLIN };
	struct timespec ts;

	if (ev.n) {
		uint64_t when = ev.heap[0]->when;
		uint64_t due = when > now && ev.hz ? (when - now) * 1000000 / ev.hz : 0;

		us = RTE_MIN(us, due);
	}
	if (ev.n_pollers)
		us = RTE_MIN(us, (uint64_t)WF_EV_NAP_US);
	if (!us)
		return;
	ts.tv_sec = (time_t)(us / 1000000);
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	ev.stats.naps++;
	ppoll(&pfd, ev.epfd >= 0 ? 1 : 0, &ts, NULL);
}

unsigned wf_ev_pass(unsigned max_nap_us)
{
	unsigned work = 0, i;

	ev.stats.passes++;
	for (i = 0; i < ev.n_pollers; i++)
		work += ev.pollers[i]();
	work += timers_run(rte_rdtsc());
	work += files_run();
	if (!work)
		nap(rte_rdtsc(), max_nap_us);
	return work;
}

void wf_ev_run(const bool *quit)
{
	while (!__atomic_load_n(quit, __ATOMIC_RELAXED))
		wf_ev_pass(1000000);
}

void wf_ev_get_stats(struct wf_ev_stats *out)
{
	*out = ev.stats;
	out->armed = ev.n;
}
