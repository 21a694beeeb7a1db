/* srtcp.h: SRTCP from a peer (a viewer, feedback.c; a WHIP publisher,
 * whip.c), unprotected with a replay window per sender SSRC. */
#ifndef WF_SRTCP_H
#define WF_SRTCP_H

#include <stddef.h>
#include <stdint.h>

#include "core/viewer.h"
#include "srtp/srtp.h"

/* Unprotects SRTCP from a peer in place (*plain: its length then) with
 * its keys k and the replay windows of its sender SSRCs, peers[0..n) (a
 * viewer's, or a WHIP publisher's).  The window of the packet's sender
 * SSRC is chosen only after the packet authenticates: a forged packet
 * naming a known SSRC, or a new one, cannot reset a window (RFC 3711
 * §3.3.2: the replay list is updated only after authentication).  len
 * is at least WF_RTCP_MIN_HEADER.  Returns 0 or -WF_SRTP_E_*. */
int wf_srtcp_rx(struct wf_srtp_engine *e, const struct wf_srtp_keys *k,
		struct wf_srtcp_peer *peers, unsigned n, uint8_t *p, size_t len, size_t *plain);

#endif
