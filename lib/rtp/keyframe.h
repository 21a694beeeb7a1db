/* keyframe.h: key-frame and frame-start detection on RTP video payloads.
 *
 * Ingest marks where a viewer may start decoding.  These functions read the
 * RTP payload (after wf_rtp_parse(): header, extension and padding already
 * stripped) of one packet and say whether it starts a key frame and whether
 * it starts a frame.  They read only inside len; a malformed payload is a
 * negative -WF_* error of rtp.h (count it, drop or keep the packet as
 * policy says).
 *
 *  - H.264, RFC 6184: single NAL unit, STAP-A/STAP-B (every aggregated NAL
 *    unit's size is checked), FU-A/FU-B.  A key frame starts at an SPS (7)
 *    or an IDR slice (5): SPS first because a decoder needs it before the
 *    IDR.  With SPS, PPS and IDR in separate packets, two packets of one
 *    access unit report a key-frame start; the caller keeps the first per
 *    RTP timestamp.  MTAP (26, 27) is neither.
 *  - VP8, RFC 7741 §4.2-4.3: descriptor with X, I (7- or 15-bit PictureID),
 *    L, T/K; a key frame is S = 1, PID = 0 and the frame header's P bit 0.
 *  - VP9, RFC 9628 §4.2: flags I P L F B E V Z, PictureID, layer indices
 *    (TL0PICIDX in non-flexible mode), up to 3 P_DIFF (flexible mode) and the
 *    scalability structure; a key frame is B = 1, P = 0 and spatial layer 0.
 *  - AV1, "RTP Payload Format for AV1" §4.4: aggregation header Z Y W N;
 *    N = 1 (first packet of a coded video sequence) is a key-frame start.
 *    Every OBU element length is checked.
 */
#ifndef WF_RTP_KEYFRAME_H
#define WF_RTP_KEYFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtp/rtp.h"

enum wf_kf_codec {
	WF_KF_H264 = 0,
	WF_KF_VP8,
	WF_KF_VP9,
	WF_KF_AV1,
	WF_KF_CODEC_COUNT
};

/* The answer of wf_keyframe_detect() when it is not an error. */
enum wf_keyframe {
	WF_KEYFRAME_NO = 0,	/* not the start of a key frame */
	WF_KEYFRAME_START = 1,	/* first packet of a key frame */
};

/* What one payload tells about frame boundaries. */
struct wf_video_info {
	bool keyframe_start;	/* first packet of a key frame (see above) */
	bool frame_start;	/* first packet of a frame: H.264: an AUD, SEI,
				 * SPS or PPS, or a slice with first_mb_in_slice
				 * 0; VP8: S = 1, PID = 0; VP9: B = 1 and SID 0;
				 * AV1: Z = 0 and a sequence header, temporal
				 * delimiter, frame header or frame OBU first */
};

/* Parses the payload of one RTP packet of codec c.  Returns 0 with *vi
 * filled, or a negative -WF_* error (-WF_BAD_CODEC for an unknown codec). */
int wf_video_parse(enum wf_kf_codec c, const uint8_t *payload, size_t len,
		   struct wf_video_info *vi);

/* WF_KEYFRAME_START, WF_KEYFRAME_NO, or a negative -WF_* error. */
int wf_keyframe_detect(enum wf_kf_codec c, const uint8_t *payload, size_t len);

/* The per-codec parsers behind wf_video_parse(). */
int wf_h264_parse(const uint8_t *p, size_t len, struct wf_video_info *vi);
int wf_vp8_parse(const uint8_t *p, size_t len, struct wf_video_info *vi);
int wf_vp9_parse(const uint8_t *p, size_t len, struct wf_video_info *vi);
int wf_av1_parse(const uint8_t *p, size_t len, struct wf_video_info *vi);

#endif
