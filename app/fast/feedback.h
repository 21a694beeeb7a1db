/* feedback.h: RTCP from viewers, on the viewer's lcore: SRTCP unprotect,
 * receiver reports (loss, jitter, RTT), generic NACK answered from the
 * stream's shared history, PLI/FIR answered with a key-frame replay; both
 * within the viewer's budgets (budget.h), every request not served counted
 * by reason (refusal.h). */
#ifndef WF_FEEDBACK_H
#define WF_FEEDBACK_H

#include "core/lcore.h"

/* A viewer gets at most one key-frame replay this often (its joining
 * replay included). */
#define WF_REPLAY_VIEWER_INTERVAL_MS	1000

/* Handles one classified frame from viewer slot/gen (takes m). */
void wf_feedback_packet(struct wf_lcore *lc, struct rte_mbuf *m, uint32_t slot, uint16_t gen);

/* Unprotects SRTCP from a peer in place (*plain: its length then) with
 * its keys k and the replay windows of its sender SSRCs, peers[0..n) (a
 * viewer's, or a WHIP publisher's).  The window of the packet's sender
 * SSRC is chosen only after the packet authenticates: a forged packet
 * naming a known SSRC, or a new one, cannot reset a window (RFC 3711
 * §3.3.2: the replay list is updated only after authentication).  len
 * is at least WF_RTCP_MIN_HEADER.  Returns 0 or -WF_SRTP_E_*. */
int wf_srtcp_rx(struct wf_srtp_engine *e, const struct wf_srtp_keys *k,
		struct wf_srtcp_peer *peers, unsigned n, uint8_t *p, size_t len, size_t *plain);

/* Sends sender reports to the viewers due (RFC 3550 §6.4.1). */
void wf_feedback_sr_timer(struct wf_lcore *lc, uint64_t now);

#endif
