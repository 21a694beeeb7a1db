/* sdp_match.h: choosing, for each m= section of a parsed offer, the offer's
 * payload type that carries one of the stream's tracks.
 *
 * whepfan never transcodes: a track is sent as it arrives, so the offer
 * must contain a payload type whose codec and parameters can decode it.
 * The offer's own payload type numbers are used (Chromium's H.264 is not
 * 96).  Matching rules:
 *  - names compare case-insensitively, clock rates must be equal, opus is
 *    always opus/48000/2 in SDP (RFC 7587 §7);
 *  - H.264 (RFC 6184 §8.1, §8.2.2): packetization-mode must be equal
 *    (absent = 0); the profile of the offered profile-level-id (absent =
 *    42000a) must be the source's profile, or failing that one whose
 *    decoders also decode the source's (a Constrained Baseline stream is a
 *    valid Baseline, Main and High stream, H.264 Annex A.2); the level: with
 *    level-asymmetry-allowed=1 in the offer we send at the source's level
 *    and say so in the answer; without it, the source's level must not
 *    exceed the offered one;
 *  - VP9 profile-id and AV1 profile (absent = 0) must equal the source's.
 * Among the compatible payload types the offer's order (its preference)
 * decides, exact H.264 profile matches first.
 *
 * WHIP (RFC 9725): the offerer is a publisher whose media whepfan receives
 * and fans out unchanged, so the question turns around: is the stream the
 * publisher will send one the configured track allows, i.e. one every
 * viewer that can take the configured track can decode?
 *  - the publisher's media sections must be sendonly or sendrecv; a
 *    recvonly or inactive section of a kind the stream carries fails the
 *    offer (WF_SDP_E_BAD_DIRECTION);
 *  - H.264: packetization-mode=1 only (the configured track must say 1
 *    too), the offered profile must be one a decoder of the configured
 *    profile decodes (wf_h264_profile_decodes(configured, offered)), and
 *    the offered level must not exceed the configured one (the answer
 *    repeats the offer's fmtp, so the offered level is the highest the
 *    publisher may send, with or without level-asymmetry-allowed);
 *  - VP9 profile-id and AV1 profile (absent = 0) equal the configured
 *    track's; opus is opus/48000/2; VP8 has no parameters;
 *  - the offer's payload type number is kept; its fmtp is read (a list
 *    longer than WF_SDP_FMTP_MAX - 1 bytes, or naming a key twice, is
 *    not taken) and the answer's is written from what was read, never
 *    copied: H.264 level-asymmetry-allowed, packetization-mode and
 *    profile-level-id, VP9 profile-id, AV1 profile, opus minptime,
 *    useinbandfec and stereo; nothing else (capabilities, bitrates), with the
 *    rtcp-fb whepfan sends a publisher, where offered: nack, nack pli, ccm
 *    fir, and goog-remb (the stream's max_bitrate_kbps as the encoder's
 *    ceiling, with receiver reports for its loss-based estimate); not
 *    transport-cc (whepfan does not generate it; a browser told to expect
 *    it would hold its send rate waiting for feedback) and no RTX: without RTX a browser resends a lost packet in its original
 *    payload type and SSRC, an ordinary packet of the track, while RTX
 *    (RFC 4588) would need a second SSRC and unwrapping in ingest;
 *  - every configured track must get a section: a track whose kind has no
 *    usable section, or whose section has no acceptable payload type,
 *    fails the offer with WF_SDP_E_NOT_ACCEPTABLE (the HTTP layer answers
 *    406) and a reason naming what the stream carries and what was
 *    offered.  Sections of kinds the stream lacks are rejected in place.
 */
#ifndef WF_SDP_MATCH_H
#define WF_SDP_MATCH_H

#include "sdp/sdp.h"

enum wf_codec {
	WF_CODEC_NONE = 0,
	WF_CODEC_H264,
	WF_CODEC_VP8,
	WF_CODEC_VP9,
	WF_CODEC_AV1,
	WF_CODEC_OPUS,
	WF_CODEC_PCMU,
	WF_CODEC_PCMA,
	WF_CODEC_COUNT
};

/* H.264 profiles as RFC 6184 §8.1 / H.264 Annex A tell them apart by
 * profile_idc and the constraint flags of profile-iop. */
enum wf_h264_profile {
	WF_H264_UNKNOWN = 0,
	WF_H264_CONSTRAINED_BASELINE,
	WF_H264_BASELINE,
	WF_H264_MAIN,
	WF_H264_EXTENDED,
	WF_H264_HIGH,
	WF_H264_CONSTRAINED_HIGH,
	WF_H264_HIGH10,
	WF_H264_HIGH422,
	WF_H264_HIGH444,
	WF_H264_CAVLC444
};

/* Who sent the offer.  WHEP: a viewer; whepfan answers sendonly and picks
 * the viewer's payload type that decodes the track.  WHIP: a publisher;
 * whepfan answers recvonly and takes the publisher's payload type that the
 * track allows. */
enum wf_sdp_role {
	WF_SDP_ROLE_WHEP = 0,
	WF_SDP_ROLE_WHIP
};

/* Bytes of an fmtp parameter string kept from a WHIP offer, with its NUL
 * (a stream's configured fmtp holds 255 bytes too). */
#define WF_SDP_FMTP_MAX	256

/* One track of the stream being served. */
struct wf_sdp_track {
	enum wf_codec codec;
	uint32_t clock_rate;	/* 0: the codec's usual rate */
	uint8_t channels;	/* audio; 0: 1 (opus: 2 in SDP regardless) */
	uint8_t h264_packetization_mode;	/* 0 or 1 */
	uint8_t h264_plid[3];	/* profile_idc, profile-iop, level_idc of the source */
	uint8_t profile;	/* VP9 profile-id / AV1 profile of the source */
	uint32_t ssrc;		/* the SSRC this viewer will see */
	const char *track_id;	/* msid track part (token) */
};

/* What was decided for one m= section. */
struct wf_sdp_match {
	bool accepted;		/* answered with media (port != 0) */
	bool hard_fail;		/* the stream has this kind but cannot serve it */
	int8_t track;		/* index into the tracks, -1 if none */
	uint8_t pt;		/* chosen payload type (accepted only) */
	int16_t rtx_pt;		/* the offer's RTX PT with apt=pt, -1 if none */
	uint8_t fb;		/* WF_SDP_FB_NACK|PLI|FIR the offer allows for pt */
	enum wf_sdp_dir dir;	/* ours: SENDONLY (WHEP), RECVONLY (WHIP) or INACTIVE */
	char fmtp[96];		/* answer's fmtp parameters for pt, "" if none;
				 * WHIP: written from what was read in the
				 * offer's (also wf_sdp_publish.fmtp) */
	char reason[WF_SDP_REASON_LEN];	/* why rejected, "" if accepted */
};

const char *wf_codec_name(enum wf_codec c);		/* "H264", "opus", ... */
enum wf_sdp_kind wf_codec_kind(enum wf_codec c);
uint32_t wf_codec_clock(enum wf_codec c);		/* usual clock rate */

/* Parses six hex digits into plid.  Returns 0 or -EINVAL. */
int wf_h264_plid_parse(const char *hex, uint8_t plid[3]);
/* Classifies a profile-level-id (RFC 6184 §8.1 table). */
enum wf_h264_profile wf_h264_profile_of(const uint8_t plid[3]);
/* True when a decoder of profile dec also decodes a stream of profile src. */
bool wf_h264_profile_decodes(enum wf_h264_profile dec, enum wf_h264_profile src);
/* Whether level_idc (the third byte of profile-level-id) is one of the
 * levels of H.264 Table A-1: 1b as 9, then 1 to 6.2. */
bool wf_sdp_h264_level_valid(uint8_t level_idc);

/* Matches every m= section of o against the n tracks t (each track serves
 * at most one recvonly/sendrecv section; the first free track of the kind
 * is taken).  m[i] receives the decision for o->media[i].  A section is
 * rejected (port 0) when it is unusable, of a kind the stream lacks, a
 * second section of a kind whose tracks are taken, outside the offer's
 * BUNDLE group, without rtcp-mux, or without a compatible payload type.
 * Unless allow_partial, a section the stream should fill but cannot
 * (hard_fail: no compatible codec, no rtcp-mux, not bundled) fails the
 * whole offer, so a viewer never gets a silent black picture.  Returns the
 * number of accepted sections (> 0), or -WF_SDP_E_NO_CODEC,
 * -WF_SDP_E_BAD_BUNDLE or -WF_SDP_E_NOTHING_ACCEPTED with err's reason
 * naming why ("media 1 (video): offer has no H264 payload type compatible
 * with packetization-mode=1 profile-level-id=42e01f"). */
int wf_sdp_match(const struct wf_sdp_offer *o, const struct wf_sdp_track *t, unsigned n,
		 bool allow_partial, struct wf_sdp_match m[WF_SDP_MAX_MEDIA],
		 struct wf_sdp_error *err);

/* The same in a given role: wf_sdp_match() is
 * wf_sdp_match_role(WF_SDP_ROLE_WHEP, ...).  In the WHIP role a section is
 * accepted RECVONLY for the first free track of its kind when the offer
 * sends (sendonly/sendrecv), and the result carries the offer's payload
 * type, the fmtp written from what was read in it (above) and the rtcp-fb
 * whepfan honours; rtx_pt is always
 * -1.  Unless allow_partial, a section that should feed a track but cannot
 * (no acceptable payload type: -WF_SDP_E_NOT_ACCEPTABLE; recvonly or
 * inactive: -WF_SDP_E_BAD_DIRECTION; bundle or rtcp-mux:
 * -WF_SDP_E_BAD_BUNDLE), or a configured track without a section
 * (-WF_SDP_E_NOT_ACCEPTABLE), fails the offer.  Returns the number of
 * accepted sections or the negative error, with err's reason, e.g.
 * "media 1 (video): stream carries H264 42e01f pm 1; offer has H264 640c1f
 * pm 0 (102), VP8 (96)". */
int wf_sdp_match_role(enum wf_sdp_role role, const struct wf_sdp_offer *o,
		      const struct wf_sdp_track *t, unsigned n, bool allow_partial,
		      struct wf_sdp_match m[WF_SDP_MAX_MEDIA], struct wf_sdp_error *err);

/* Writes into buf (cap bytes; nothing when cap is 0, always NUL-terminated
 * otherwise) the media formats of section m for a reason text, those named
 * first (case-insensitive, may be NULL) before the others, in offer order:
 * "H264 42e01f pm 1 (108), VP8 (96), opus/48000/2 (111)".  rtx, red,
 * ulpfec, flexfec, CN and telephone-event are left out.  A list that does
 * not fit is cut and ends with "..." (when cap >= 4).  Returns the length
 * of the whole list (as snprintf does); a result >= cap means it was cut. */
size_t wf_sdp_media_codecs(const struct wf_sdp_media *m, const char *first, char *buf,
			   size_t cap);

/* Describes a configured track the same way ("H264 42e01f pm 1", "VP9
 * profile 0", "opus/48000/2"); same buffer contract and result. */
size_t wf_sdp_track_describe(const struct wf_sdp_track *t, char *buf, size_t cap);

/* What a WHIP publisher will send on one configured track, as negotiated:
 * what viewers' answers and the ingest path need. */
struct wf_sdp_publish {
	bool set;		/* the track has a section */
	uint8_t media;		/* index of the offer's section */
	uint8_t pt;		/* the publisher's payload type */
	uint8_t fb;		/* WF_SDP_FB_NACK|PLI|FIR agreed */
	uint8_t channels;	/* as its rtpmap says (opus: 2), 0 if not given */
	uint32_t clock_rate;
	bool has_ssrc;
	uint32_t ssrc;		/* the section's first a=ssrc, a demux hint */
	char fmtp[WF_SDP_FMTP_MAX];	/* as read in the offer (sdp_match.c), "" if none */
};

/* Fills p[0..n-1] (one per configured track) from the decisions m of a
 * wf_sdp_match_role(WF_SDP_ROLE_WHIP, o, ...) that succeeded.  Returns the
 * number of tracks set, or -WF_SDP_E_BAD_PARAM. */
int wf_sdp_publish_tracks(const struct wf_sdp_offer *o,
			  const struct wf_sdp_match m[WF_SDP_MAX_MEDIA], unsigned n,
			  struct wf_sdp_publish *p);

/* Turns configured track t into the track a viewer's (WHEP) answer must
 * match once a publisher has negotiated p: the same codec, the
 * publisher's clock rate, and its H.264 packetization-mode and
 * profile-level-id or VP9/AV1 profile as its fmtp states them (absent
 * values take their RFC defaults).  SSRC and track id stay t's.  Returns 0
 * or -WF_SDP_E_BAD_PARAM (p not set, or an fmtp value that does not parse). */
int wf_sdp_track_from_publish(const struct wf_sdp_track *t, const struct wf_sdp_publish *p,
			      struct wf_sdp_track *out);

/* The browser's transport credentials, for the ICE and DTLS layers. */
struct wf_sdp_remote {
	char ufrag[WF_SDP_UFRAG_MAX + 1];
	char pwd[WF_SDP_PWD_MAX + 1];
	uint8_t fingerprint[WF_SDP_FP_LEN];	/* sha-256 of its DTLS certificate */
	enum wf_sdp_setup setup;
	unsigned media;		/* index of the section they came from */
};

/* Copies the credentials of the BUNDLE transport: those of the first
 * accepted section in m (RFC 8843 §7.3: the tagged section's transport
 * applies to the group), or with m NULL of the first usable section.
 * Returns 0 or -WF_SDP_E_NO_ICE when there is none. */
int wf_sdp_remote_creds(const struct wf_sdp_offer *o, const struct wf_sdp_match *m,
			struct wf_sdp_remote *r);

#endif
