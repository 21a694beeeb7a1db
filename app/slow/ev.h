/* ev.h: the slow path's event loop, in the manner of Redis's ae.c.  Each
 * subsystem registers what wakes it, and the loop sleeps until the
 * nearest of them:
 *
 * - file events: a descriptor that is readable (epoll, level-triggered):
 *   the HTTP server's;
 * - timers: a deadline in TSC cycles, kept in the owner's own struct
 *   (struct wf_ev_timer) and ordered in a binary heap whose room is taken
 *   at wf_ev_init(), so arming one never allocates: each session's next
 *   deadline (DTLS retransmission, consent, handshake), the outputs' ARP,
 *   HTTP's request deadlines;
 * - pollers: the rings the workers fill (punted packets, control
 *   replies), which cannot wake a sleeping thread (a worker makes no
 *   syscall): called on every pass; while there are any, the loop sleeps
 *   at most WF_EV_NAP_US, and not at all after a pass that found work.
 *
 * Waiting for a worker is a completion callback (ctrlq.h), never a spin
 * inside the loop.  One thread (the main lcore) uses all of this. */
#ifndef WF_EV_H
#define WF_EV_H

#include <stdbool.h>
#include <stdint.h>

/* The longest nap while pollers are registered: the latency a punted
 * packet (an ICE check, a DTLS flight, ARP) may wait on an idle loop. */
#define WF_EV_NAP_US	500

struct wf_ev_timer;

/* Called once its deadline has passed (now: the TSC of this pass); the
 * timer is disarmed before the call and may be armed again in it. */
typedef void (*wf_ev_timer_fn)(struct wf_ev_timer *t, uint64_t now);

/* Embedded in its owner (container_of finds the owner). */
struct wf_ev_timer {
	uint64_t when;		/* TSC */
	uint32_t pos;		/* index in the heap + 1; 0: not armed */
	wf_ev_timer_fn fn;
};

/* Returns the work it did (0: nothing waiting). */
typedef unsigned (*wf_ev_poll_fn)(void);
typedef void (*wf_ev_file_fn)(void *arg);

/* Room for max_timers armed at once.  0 or -errno (log written). */
int wf_ev_init(unsigned max_timers);
void wf_ev_fini(void);

/* fn(arg) runs when fd is readable.  0 or -errno. */
int wf_ev_file_add(int fd, wf_ev_file_fn fn, void *arg);
void wf_ev_file_del(int fd);

/* fn runs on every pass, in the order added (at most WF_EV_MAX_POLLERS). */
#define WF_EV_MAX_POLLERS	8
int wf_ev_poller_add(wf_ev_poll_fn fn);

static inline void wf_ev_timer_init(struct wf_ev_timer *t, wf_ev_timer_fn fn)
{
	t->when = 0;
	t->pos = 0;
	t->fn = fn;
}

static inline bool wf_ev_timer_armed(const struct wf_ev_timer *t)
{
	return t->pos != 0;
}

/* Arms t for when (TSC), or moves it there when armed.  -ENOSPC when
 * max_timers are armed already (counted: wf_ev_stats). */
int wf_ev_timer_arm(struct wf_ev_timer *t, uint64_t when);

/* Disarms t (nothing when it is not armed). */
void wf_ev_timer_stop(struct wf_ev_timer *t);

/* Runs passes until *quit (read relaxed: it carries no data). */
void wf_ev_run(const bool *quit);

/* One pass: pollers, due timers, ready files; then, when the pass found
 * nothing to do, a nap until the nearest deadline, an event or, with
 * pollers, WF_EV_NAP_US, whichever comes first (max_nap_us bounds it
 * further).  Returns the work done (pollers' work + timers + files). */
unsigned wf_ev_pass(unsigned max_nap_us);

struct wf_ev_stats {
	uint64_t passes;
	uint64_t naps;
	uint64_t timers_fired;
	uint64_t files_ready;
	uint64_t arm_full;	/* arms refused: no room (a bug: room is sized) */
	unsigned armed;		/* timers armed now */
};
void wf_ev_get_stats(struct wf_ev_stats *out);

#endif
