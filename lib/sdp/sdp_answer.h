/* sdp_answer.h: the SDP answer whepfan returns to a WHEP or WHIP offer.
 *
 * whepfan is ICE-lite (RFC 8445 §2.5), the DTLS server (a=setup:passive,
 * RFC 8842 §5.3), bundles everything on one transport (RFC 8843) and
 * multiplexes RTCP (RFC 8858).  To a WHEP viewer it only sends (sendonly,
 * with a=msid and a=ssrc); from a WHIP publisher it only receives
 * (recvonly, no msid or ssrc: it sends no media).  Each m= section of the
 * offer gets one in the answer, in the same order: accepted ones carry
 * exactly one payload type (the offer's number), rejected ones have port 0
 * and are left out of the BUNDLE group (RFC 8843 §7.3.3, RFC 8829
 * §5.3.1).
 */
#ifndef WF_SDP_ANSWER_H
#define WF_SDP_ANSWER_H

#include "sdp/sdp.h"
#include "sdp/sdp_match.h"

struct wf_sdp_answer_params {
	uint64_t session_id;		/* o= sess-id: random per session */
	const char *addr;		/* our IPv4 or IPv6 literal (c=, o=, candidate) */
	uint16_t port;			/* our ICE/media UDP port */
	const char *ice_ufrag;		/* ours, ice-chars (RFC 8839 §5.4) */
	const char *ice_pwd;
	uint8_t fingerprint[WF_SDP_FP_LEN];	/* sha-256 of our certificate */
	const char *stream_id;		/* msid stream part (token) */
	const char *cname;		/* RTCP CNAME (token) */
	enum wf_sdp_role role;		/* WHEP (0, a viewer) or WHIP (a publisher) */
	const struct wf_sdp_track *tracks;	/* track_id is only read for WHEP */
	unsigned ntracks;
	bool allow_partial;		/* see wf_sdp_match() */
	bool no_nack;			/* offer no generic NACK (RFC 4585 §6.2.1:
					 * webrtc.nack = false); PLI and FIR stay.
					 * WHIP: whepfan will not ask for resends */
};

/* Matches the offer (wf_sdp_match_role in p->role) and writes the answer into buf (cap
 * bytes, always NUL-terminated when cap > 0); *len receives its length
 * without the NUL.  m (may be NULL) receives the per-section decisions, so
 * the caller learns each track's payload type, RTX and feedback (WHIP:
 * wf_sdp_publish_tracks() turns them into what the publisher sends).
 * Strings in p must be tokens (no blanks, CR or LF): anything else is
 * -WF_SDP_E_BAD_PARAM, so a stream name can never inject SDP lines.
 * Returns 0, -WF_SDP_E_NO_ROOM when cap is too small, or the errors of
 * wf_sdp_match(); err (may be NULL) receives the reason. */
int wf_sdp_answer_build(const struct wf_sdp_offer *o, const struct wf_sdp_answer_params *p,
			struct wf_sdp_match m[WF_SDP_MAX_MEDIA], char *buf, size_t cap,
			size_t *len, struct wf_sdp_error *err);

#endif
