/* publisher.h: a WHIP publisher (RFC 9725) as its stream's owner lcore
 * keeps it.
 *
 * A stream with ingest = "whip" has at most one publisher.  The slow path
 * negotiates it (SDP, ICE-lite, DTLS-SRTP: app/whep), then hands this
 * struct, keys included, to the stream's owner with WF_CTRL_SET_PUBLISHER
 * and adds the publisher's 5-tuple to the peer table with
 * wf_peer_publisher_value() (peer.h); WF_CTRL_DEL_PUBLISHER takes it back
 * after the peer entry is gone.  In between only the owner reads or writes
 * it: the publisher's SRTP is unprotected there, in bursts, and enters the
 * stream's history as plain RTP would (ingest.c); what the owner sends the
 * publisher (SRTCP: receiver reports, NACK, PLI, bandwidth) leaves from
 * there too.  gen tells this publisher's packets (peer values, handoff
 * items) from an earlier one's of the same stream.
 */
#ifndef WF_PUBLISHER_H
#define WF_PUBLISHER_H

#include <stdint.h>

#include "core/app.h"
#include "srtp/srtp.h"

struct wf_publisher {
	/* toward the publisher: Ethernet + IPv4 + UDP template (its MAC, our
	 * WebRTC port), as a viewer's (registry.h wf_registry_template) */
	uint8_t hdr[WF_L2L3L4_LEN];
	uint16_t ip_csum_base;
	uint16_t port_idx;	/* index in wf_app.ports */
	uint32_t addr;		/* the publisher's IPv4 and UDP port, host order */
	uint16_t udp_port;
	uint16_t gen;		/* 1.., never 0 */
	uint16_t stream;
	uint8_t n_tracks;	/* the stream's tracks */
	/* the payload type the publisher sends on each track; track t is
	 * received when on[t] (its media section was accepted) */
	uint8_t pt[WF_MAX_TRACKS];
	uint8_t on[WF_MAX_TRACKS];
	uint32_t ssrc_out;	/* our SSRC as the sender of RTCP feedback */
	uint64_t session_id;	/* low 64 bits of the WHIP session id */
	/* RFC 5764 §4.2: the publisher is the DTLS client, we the server */
	struct wf_srtp_keys srtp_in;	/* SRTP the publisher sends */
	struct wf_srtp_keys srtcp_in;	/* SRTCP the publisher sends */
	struct wf_srtp_keys srtcp_out;	/* SRTCP we send it */
};

/* Wipes the keys of publisher p. */
static inline void wf_publisher_keys_wipe(struct wf_publisher *p)
{
	wf_srtp_keys_wipe(&p->srtp_in);
	wf_srtp_keys_wipe(&p->srtcp_in);
	wf_srtp_keys_wipe(&p->srtcp_out);
}

#endif
