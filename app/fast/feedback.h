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

/* Sends sender reports to the viewers due (RFC 3550 §6.4.1). */
void wf_feedback_sr_timer(struct wf_lcore *lc, uint64_t now);

#endif
