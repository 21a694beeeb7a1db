/* slowpath.h: the main lcore's loop: packets punted by the workers (ARP,
 * ICMP echo; STUN and DTLS for WebRTC sessions), replies to control
 * messages (ctrlq.h), timers (static outputs' ARP, housekeeping), the
 * configuration reload on SIGHUP.  Linux sockets (HTTP) join the same
 * loop.  What it sends leaves through a worker (frame.h).
 */
#ifndef WF_SLOWPATH_H
#define WF_SLOWPATH_H

/* Runs the loop until wf_app.quit (SIGINT, SIGTERM). */
void wf_slow_run(void);

#endif
