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
	enum wf_sdp_dir dir;	/* our direction: SENDONLY or INACTIVE */
	char fmtp[96];		/* answer's fmtp parameters for pt, "" if none */
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
