/* feedback.h: RTCP from viewers, on the viewer's lcore: SRTCP unprotect,
 * receiver reports (loss, jitter, RTT), generic NACK answered from the
 * stream's shared history, PLI/FIR answered with a key-frame replay. */
#ifndef WF_FEEDBACK_H
#define WF_FEEDBACK_H

#include "lcore.h"

/* Most sequence numbers one RTCP packet may have retransmitted. */
#define WF_NACK_MAX_PER_PACKET	64
/* A viewer's PLI/FIR is answered at most this often. */
#define WF_PLI_MIN_INTERVAL_MS	500

/* Handles one classified frame from viewer slot/gen (takes m). */
void wf_feedback_packet(struct wf_lcore *lc, struct rte_mbuf *m, uint32_t slot, uint16_t gen);

/* Sends sender reports to the viewers due (RFC 3550 §6.4.1). */
void wf_feedback_sr_timer(struct wf_lcore *lc, uint64_t now);

#endif
