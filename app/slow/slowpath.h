/* slowpath.h: the main lcore's loop: packets punted by the workers (ARP,
 * ICMP echo; STUN and DTLS for WebRTC sessions), replies to control
 * messages (ctrlq.h), the configuration reload on SIGHUP, as pollers of
 * the event loop (ev.h), where the other subsystems register their own
 * timers and sockets.  What it sends leaves through a worker (frame.h).
 */
#ifndef WF_SLOWPATH_H
#define WF_SLOWPATH_H

/* Registers the slow path's pollers with the event loop (ev.h): the
 * loop's lag, the punt rings, control replies, the registry's queued
 * messages, SIGHUP.  0 or -errno. */
int wf_slow_init(void);

/* Runs the event loop until wf_app.quit (SIGINT, SIGTERM). */
void wf_slow_run(void);

#endif
