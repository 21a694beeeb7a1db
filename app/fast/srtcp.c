/* srtcp.c: SRTCP from a peer (srtcp.h). */
#include "fast/srtcp.h"

#include "rtp/rtp.h"

int wf_srtcp_rx(struct wf_srtp_engine *e, const struct wf_srtp_keys *k,
		struct wf_srtcp_peer *peers, unsigned n, uint8_t *p, size_t len, size_t *plain)
{
	uint32_t ssrc = wf_rtp_rd32(p + 4);
	struct wf_srtp_replay r = { 0 };
	struct wf_srtcp_peer *q = NULL;
	unsigned i;
	int rc;

	for (i = 0; i < n; i++) {
		if ((peers[i].top & WF_SRTCP_PEER_USED) && peers[i].ssrc == ssrc) {
			q = &peers[i];
			r.top = q->top & ~WF_SRTCP_PEER_USED;
			r.window[0] = q->window;
			r.started = true;
			break;
		}
	}
	rc = wf_srtcp_unprotect(e, k, &r, p, len, plain);
	if (rc < 0)
		return rc;
	if (!q) {
		/* a new sender SSRC of this (authenticated) peer: a free
		 * window, else one of its other SSRCs' */
		q = &peers[ssrc % n];
		for (i = 0; i < n; i++)
			if (!(peers[i].top & WF_SRTCP_PEER_USED)) {
				q = &peers[i];
				break;
			}
		q->ssrc = ssrc;
	}
	q->top = (uint32_t)r.top | WF_SRTCP_PEER_USED;	/* SRTCP index: 31 bits */
	q->window = r.window[0];	/* 64 wide: the default size */
	return 0;
}
