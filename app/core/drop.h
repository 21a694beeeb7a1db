/* drop.h: every reason a worker drops a packet, as one X-macro list that
 * gives the enum, the counter names telemetry and /metrics print, and the
 * text (STYLE.md, after VPP's foreach_..._error).  The errors of lib/rtp
 * (wf_rtp_err) and lib/srtp (wf_srtp_error) are counted in arrays of their
 * own, next to these, under their own names.  Requests a worker declines
 * to serve (NACK, PLI, FIR) are not drops: refusal.h lists them; nor are
 * control messages a worker cannot apply (counters.h: ctrl_failed). */
#ifndef WF_DROP_H
#define WF_DROP_H

#include "core/reason.h"

#define WF_DROPS(_) \
	_(RUNT,             runt,             "frame shorter than its Ethernet header") \
	_(ETHERTYPE,        ethertype,        "neither IPv4 nor ARP (IPv6 is not served)") \
	_(NOT_FOR_US,       not_for_us,       "Ethernet destination is not our MAC or broadcast") \
	_(IP_BAD_HEADER,    ip_bad_header,    "IPv4 version or header length invalid") \
	_(IP_BAD_LENGTH,    ip_bad_length,    "IPv4 total length disagrees with the frame") \
	_(IP_BAD_CHECKSUM,  ip_bad_checksum,  "IPv4 header checksum wrong") \
	_(IP_FRAGMENT,      ip_fragment,      "IPv4 fragment (not reassembled)") \
	_(IP_NOT_OURS,      ip_not_ours,      "IPv4 destination is not our address") \
	_(IP_PROTOCOL,      ip_protocol,      "IPv4 protocol is neither UDP nor ICMP") \
	_(UDP_BAD_LENGTH,   udp_bad_length,   "UDP length disagrees with the IPv4 length") \
	_(UDP_NO_PORT,      udp_no_port,      "no stream or WebRTC service on this UDP port") \
	_(WEBRTC_BAD_BYTE,  webrtc_bad_byte,  "WebRTC port: first byte is not STUN, DTLS or SRTP (RFC 7983)") \
	_(WEBRTC_UNKNOWN,   webrtc_unknown,   "WebRTC port: SRTP/SRTCP from an address that passed no ICE check") \
	_(WEBRTC_NOT_RTCP,  webrtc_not_rtcp,  "WebRTC port: RTP from a viewer (viewers only send RTCP)") \
	_(PUNT_FULL,        punt_full,        "slow-path bulk punt ring full (new sessions' STUN/DTLS, ICMP)") \
	_(PUNT_PRIO_FULL,   punt_prio_full,   "slow-path priority punt ring full (ARP, viewers' STUN/DTLS)") \
	_(POLICE_ARP,       police_arp,       "ARP over its source's rate") \
	_(POLICE_PEER,      police_peer,      "a viewer's consent checks over its 5-tuple's rate") \
	_(POLICE_NEW,       police_new,       "STUN/DTLS (new sessions, or not a viewer's own check) over its address's rate") \
	_(POLICE_ICMP,      police_icmp,      "ICMP over its source's rate") \
	_(POLICE_SRTCP,     police_srtcp,     "a viewer's SRTCP over its rate (police.h), where it arrived") \
	_(POLICE_ARP_ALL,   police_arp_all,   "ARP over the class's rate on this worker") \
	_(POLICE_PEER_ALL,  police_peer_all,  "viewers' consent checks over the class's rate on this worker") \
	_(POLICE_NEW_ALL,   police_new_all,   "STUN/DTLS (new sessions, or not a viewer's own check) over the class's rate on this worker") \
	_(POLICE_ICMP_ALL,  police_icmp_all,  "ICMP over the class's rate on this worker") \
	_(ARP_NOT_OURS,     arp_not_ours,     "ARP malformed, or for another address") \
	_(HANDOFF_FULL,     handoff_full,     "ring to another worker full") \
	_(WIRE_SOURCE_FULL, wire_source_full, "ring of sources' and publishers' packets to the stream's owner full") \
	_(WIRE_VIEWER_FULL, wire_viewer_full, "ring of viewers' packets to the viewer's worker full") \
	_(HANDOFF_KIND,     handoff_kind,     "item from another worker of no known kind") \
	_(INGEST_NO_STREAM, ingest_no_stream, "ingest port belongs to no active stream") \
	_(INGEST_BAD_RTP,   ingest_bad_rtp,   "RTP from the source failed validation (see rtp counters)") \
	_(INGEST_PT,        ingest_pt,        "RTP payload type is not the track's") \
	_(INGEST_SSRC,      ingest_ssrc,      "RTP from a second SSRC while the latched source is live") \
	_(INGEST_OLD,       ingest_old,       "RTP older than the history or a duplicate") \
	_(INGEST_RTCP,      ingest_rtcp,      "RTCP from the source could not be used") \
	_(INGEST_SOURCE,    ingest_source,    "RTP (RTCP too, on a worker not the owner) from an address other than the latched source while it is live") \
	_(INGEST_FOREIGN,   ingest_foreign_source, "RTP/RTCP from an address outside the stream's sources") \
	_(INGEST_RTCP_SOURCE, ingest_rtcp_source, "RTCP not from the latched source's address or SSRC") \
	_(PUBLISHER_GONE,   publisher_gone,   "SRTP/SRTCP for a WHIP publisher that is gone (none now, or an earlier one)") \
	_(WHIP_UNPROTECT,   whip_unprotect,   "SRTP from a WHIP publisher failed unprotect: tag, replay, malformed (see srtp counters)") \
	_(WHIP_PT,          whip_pt,          "SRTP from a WHIP publisher of a payload type no track receives") \
	_(WHIP_SSRC,        whip_ssrc,        "SRTP from a WHIP publisher under a second SSRC on a track") \
	_(WHIP_SRTCP,       whip_srtcp,       "SRTCP from a WHIP publisher failed unprotect (see srtp counters)") \
	_(WHIP_FB_BUILD,    whip_fb_build,    "feedback to a WHIP publisher that did not fit its mbuf (not sent)") \
	_(VIEWER_GONE,      viewer_gone,      "packet for a viewer that was removed") \
	_(SRTCP_UNPROTECT,  srtcp_unprotect,  "SRTCP from a viewer failed unprotect (see srtp counters)") \
	_(RTCP_PARSE,       rtcp_parse,       "RTCP from a viewer failed to parse (see rtp counters)") \
	_(MBUF_ALLOC,       mbuf_alloc,       "no mbuf for a viewer's copy") \
	_(PROTECT,          protect,          "SRTP protect failed (see srtp counters)") \
	_(TX_FULL,          tx_full,          "transmit queue full") \
	_(NO_ROUTE,         no_route,         "no MAC address for the destination yet") \
	_(SLOW_TX_PORT,     slow_tx_port,     "frame from the slow path for a port this worker does not have") \
	_(SR_BUILD,         sr_build,         "sender report that did not fit its mbuf (not sent)")

#define WF_DROP_ENUM_(sym, name, text) WF_DROP_##sym,
enum wf_drop { WF_DROPS(WF_DROP_ENUM_) WF_DROP_COUNT };
#undef WF_DROP_ENUM_
WF_REASON_LOOKUPS(wf_drop, enum wf_drop)

#endif
