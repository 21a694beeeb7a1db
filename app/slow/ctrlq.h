/* ctrlq.h: the slow path's side of the control rings (ctrl.h): it
 * sends a worker control messages and takes their replies.  Every
 * message is asynchronous: it names what to do with its reply (done,
 * called from wf_ctrl_replies(), a poller of the event loop, after which
 * the message goes back to the pool).  Nothing in the loop waits for a
 * worker; setup and teardown, before and after the loop, take replies
 * until none is outstanding (streams.c).
 */
#ifndef WF_CTRLQ_H
#define WF_CTRLQ_H

#include <stdint.h>

#include "core/ctrl.h"

/* What the sender does with the worker's reply (msg->status, msg->worker
 * set by the worker); the message is freed after it returns. */
typedef void (*wf_ctrl_done_fn)(struct wf_ctrl_msg *msg);

/* alloc: NULL when the pool is empty.  send: queues msg for worker; done(msg)
 * runs when the reply is taken (done may be NULL); -ENOBUFS when the ring
 * is full (msg stays the caller's). */
struct wf_ctrl_msg *wf_ctrl_alloc(uint32_t type);
int wf_ctrl_send(unsigned worker, struct wf_ctrl_msg *msg, wf_ctrl_done_fn done);
void wf_ctrl_free(struct wf_ctrl_msg *msg);

/* Takes the replies waiting on every worker's reply ring; returns how
 * many (a poller of the event loop, ev.h). */
unsigned wf_ctrl_replies(void);

/* Messages sent whose reply has not been taken. */
unsigned wf_ctrl_outstanding(void);

#endif
