/* ctrlq.h: the slow path's side of the control rings (ctrl.h): it
 * sends a worker control messages and takes their replies.  A message
 * sent asynchronously names what to do with its reply (done, called from
 * wf_ctrl_replies(), after which the message goes back to the pool); a
 * call waits for its own reply.
 */
#ifndef WF_CTRLQ_H
#define WF_CTRLQ_H

#include <stdint.h>

#include "core/ctrl.h"

/* What the sender does with the worker's reply to an asynchronous
 * message (msg->status, msg->worker set by the worker); the message is
 * freed after it returns. */
typedef void (*wf_ctrl_done_fn)(struct wf_ctrl_msg *msg);

/* alloc: NULL when the pool is empty.  send: queues msg for worker
 * (asynchronous: done(msg) runs when the reply is taken; done may be
 * NULL), -ENOBUFS when the ring is full (msg stays the caller's).  call:
 * sends and waits for this message's reply (up to 1 s), taking other
 * replies meanwhile; returns the worker's status, or -ETIMEDOUT (the
 * worker still holds msg: it is freed when it comes back, not by the
 * caller), or -ENOBUFS (msg stays the caller's). */
struct wf_ctrl_msg *wf_ctrl_alloc(uint32_t type);
int wf_ctrl_send(unsigned worker, struct wf_ctrl_msg *msg, wf_ctrl_done_fn done);
int wf_ctrl_call(unsigned worker, struct wf_ctrl_msg *msg);
void wf_ctrl_free(struct wf_ctrl_msg *msg);

/* Takes the replies waiting on every worker's reply ring. */
void wf_ctrl_replies(void);

#endif
