/* keyframe.c: key-frame and frame-start detection on RTP video payloads. */
#include "rtp/keyframe.h"

/* ---- H.264, RFC 6184 ----------------------------------------------------- */

#define WF_H264_SLICE	1
#define WF_H264_IDR	5
#define WF_H264_SEI	6
#define WF_H264_SPS	7
#define WF_H264_PPS	8
#define WF_H264_AUD	9
#define WF_H264_STAP_A	24
#define WF_H264_STAP_B	25
#define WF_H264_FU_A	28
#define WF_H264_FU_B	29

/* Accounts one NAL unit of type `type` whose bytes after the NAL header are
 * rest[0..rest_len).  `first` is whether it is the first NAL unit the packet
 * starts (frame start is judged on that one only). */
static void wf_h264_nal(struct wf_video_info *vi, uint8_t type, bool first,
			const uint8_t *rest, size_t rest_len)
{
	if (type == WF_H264_IDR || type == WF_H264_SPS)
		vi->keyframe_start = true;
	if (!first) return;
	switch (type) {
	case WF_H264_AUD:
	case WF_H264_SPS:
	case WF_H264_PPS:
	case WF_H264_SEI:
		/* H.264 §7.4.1.2.3: these begin a new access unit. */
		vi->frame_start = true;
		break;
	case WF_H264_SLICE:
	case WF_H264_IDR:
		/* first_mb_in_slice is ue(v) first in the slice header; the
		 * value 0 (first slice of the picture) codes as a lone 1 bit. */
		vi->frame_start = rest_len > 0 && (rest[0] & 0x80);
		break;
	default:
		break;
	}
}

/* STAP-A/B (RFC 6184 §5.7.1): from off on, 16-bit size + NAL unit, to the
 * end.  Every size is checked even once a key frame is seen, so a damaged
 * aggregate is always reported. */
static int wf_h264_stap(const uint8_t *p, size_t len, size_t off,
			struct wf_video_info *vi)
{
	bool first = true;

	if (off >= len) return -WF_H264_TRUNCATED;	/* no NAL unit at all */
	while (off < len) {
		size_t size;

		if (len - off < 2) return -WF_H264_TRUNCATED;
		size = wf_rtp_rd16(p + off);
		off += 2;
		if (size == 0 || size > len - off) return -WF_H264_TRUNCATED;
		wf_h264_nal(vi, p[off] & 0x1f, first, p + off + 1, size - 1);
		first = false;
		off += size;
	}
	return 0;
}

int wf_h264_parse(const uint8_t *p, size_t len, struct wf_video_info *vi)
{
	uint8_t type;

	vi->keyframe_start = false;
	vi->frame_start = false;
	if (len < 1) return -WF_H264_TRUNCATED;
	type = p[0] & 0x1f;				/* RFC 6184 §5.3 */
	if (type >= 1 && type <= 23) {			/* single NAL unit */
		wf_h264_nal(vi, type, true, p + 1, len - 1);
		return 0;
	}
	switch (type) {
	case WF_H264_STAP_A:
		return wf_h264_stap(p, len, 1, vi);
	case WF_H264_STAP_B:				/* 16-bit DON first */
		if (len < 3) return -WF_H264_TRUNCATED;
		return wf_h264_stap(p, len, 3, vi);
	case WF_H264_FU_A:
	case WF_H264_FU_B: {
		/* RFC 6184 §5.8: FU indicator, FU header S E R Type, (DON). */
		size_t hdr = type == WF_H264_FU_A ? 2 : 4;
		uint8_t fu;

		if (len < hdr) return -WF_H264_TRUNCATED;
		fu = p[1];
		if ((fu & 0xc0) == 0xc0) return -WF_H264_BAD_FU;
		if (fu & 0x80)
			wf_h264_nal(vi, fu & 0x1f, true, p + hdr, len - hdr);
		return 0;
	}
	default:
		return 0;	/* MTAP, reserved: neither */
	}
}

/* ---- VP8, RFC 7741 §4.2 -------------------------------------------------- */

int wf_vp8_parse(const uint8_t *p, size_t len, struct wf_video_info *vi)
{
	size_t off = 1;
	uint8_t b0;

	vi->keyframe_start = false;
	vi->frame_start = false;
	if (len < 1) return -WF_VP8_TRUNCATED;
	b0 = p[0];					/* X R N S R PID */
	if (b0 & 0x80) {
		uint8_t x;

		if (off >= len) return -WF_VP8_TRUNCATED;
		x = p[off++];				/* I L T K RSV */
		if (x & 0x80) {				/* PictureID, M bit: 15 bits */
			if (off >= len) return -WF_VP8_TRUNCATED;
			off += (p[off] & 0x80) ? 2 : 1;
		}
		if (x & 0x40) off++;			/* TL0PICIDX */
		if (x & 0x30) off++;			/* TID Y KEYIDX */
	}
	/* A packet carries at least one byte of VP8 payload. */
	if (off >= len) return -WF_VP8_TRUNCATED;
	if ((b0 & 0x10) && (b0 & 0x07) == 0) {
		/* RFC 7741 §4.3: frame tag; P (bit 0) is 0 on a key frame. */
		vi->frame_start = true;
		vi->keyframe_start = !(p[off] & 0x01);
	}
	return 0;
}

/* ---- VP9, RFC 9628 §4.2 -------------------------------------------------- */

int wf_vp9_parse(const uint8_t *p, size_t len, struct wf_video_info *vi)
{
	size_t off = 1;
	uint8_t b0, sid = 0;

	vi->keyframe_start = false;
	vi->frame_start = false;
	if (len < 1) return -WF_VP9_TRUNCATED;
	b0 = p[0];					/* I P L F B E V Z */
	if (b0 & 0x80) {				/* PictureID */
		if (off >= len) return -WF_VP9_TRUNCATED;
		off += (p[off] & 0x80) ? 2 : 1;
	}
	if (b0 & 0x20) {				/* TID U SID D */
		if (off >= len) return -WF_VP9_TRUNCATED;
		sid = (p[off] >> 1) & 0x07;
		off++;
		if (!(b0 & 0x10)) off++;		/* TL0PICIDX, non-flexible */
	}
	if ((b0 & 0x10) && (b0 & 0x40)) {		/* P_DIFF list, flexible */
		unsigned i;

		for (i = 0;; i++) {
			if (i == 3) return -WF_VP9_BAD_DESC;	/* at most 3 */
			if (off >= len) return -WF_VP9_TRUNCATED;
			if (!(p[off++] & 0x01)) break;	/* N: another follows */
		}
	}
	if (b0 & 0x02) {				/* scalability structure */
		uint8_t ss, n_s;

		if (off >= len) return -WF_VP9_TRUNCATED;
		ss = p[off++];				/* N_S Y G RES */
		n_s = (uint8_t)((ss >> 5) + 1);
		if (ss & 0x10) {			/* WIDTH, HEIGHT per layer */
			if (len - off < 4u * n_s) return -WF_VP9_TRUNCATED;
			off += 4u * n_s;
		}
		if (ss & 0x08) {			/* picture group */
			unsigned n_g, i;

			if (off >= len) return -WF_VP9_TRUNCATED;
			n_g = p[off++];
			for (i = 0; i < n_g; i++) {
				unsigned r;

				if (off >= len) return -WF_VP9_TRUNCATED;
				r = (p[off++] >> 2) & 0x03;	/* TID U R RES */
				if (len - off < r) return -WF_VP9_TRUNCATED;
				off += r;
			}
		}
	}
	if (off >= len) return -WF_VP9_TRUNCATED;	/* no VP9 payload */
	if ((b0 & 0x08) && sid == 0) {
		/* RFC 9628 §4.2: B starts a frame; P = 0 means no inter-picture
		 * prediction, which at spatial layer 0 is a key frame. */
		vi->frame_start = true;
		vi->keyframe_start = !(b0 & 0x40);
	}
	return 0;
}

/* ---- AV1, RTP payload format §4.4 ---------------------------------------- */

/* Reads an LEB128 value (AV1 §4.10.5, at most 8 bytes) at p[*off..len).
 * Returns 0 or -1 when it runs past len or past 8 bytes. */
static int wf_leb128(const uint8_t *p, size_t len, size_t *off, uint64_t *v)
{
	unsigned i;

	*v = 0;
	for (i = 0; i < 8; i++) {
		uint8_t b;

		if (*off >= len) return -1;
		b = p[(*off)++];
		*v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) return 0;
	}
	return -1;
}

#define WF_AV1_OBU_SEQ_HDR	1
#define WF_AV1_OBU_TD		2
#define WF_AV1_OBU_FRAME_HDR	3
#define WF_AV1_OBU_FRAME	6

int wf_av1_parse(const uint8_t *p, size_t len, struct wf_video_info *vi)
{
	uint8_t agg;
	unsigned w, i;
	size_t off = 1;

	vi->keyframe_start = false;
	vi->frame_start = false;
	if (len < 2) return -WF_AV1_TRUNCATED;
	agg = p[0];					/* Z Y W W N - - - */
	w = (agg >> 4) & 0x03;
	/* A new coded video sequence cannot begin with a continuation. */
	if ((agg & 0x88) == 0x88) return -WF_AV1_BAD_HEADER;
	for (i = 0; off < len;) {
		uint64_t size;
		size_t start;

		i++;					/* elements read so far */
		if (w == 0 || i < w) {			/* element with a length */
			if (wf_leb128(p, len, &off, &size)) return -WF_AV1_TRUNCATED;
			if (size > len - off) return -WF_AV1_TRUNCATED;
		} else {
			size = len - off;		/* last of W: the rest */
		}
		start = off;
		off += (size_t)size;
		if (i == 1 && !(agg & 0x80) && size > 0) {
			/* OBU header: forbidden bit, type (4 bits), ... */
			uint8_t type = (p[start] >> 3) & 0x0f;

			if (p[start] & 0x80) return -WF_AV1_BAD_HEADER;
			vi->frame_start = type == WF_AV1_OBU_SEQ_HDR ||
					  type == WF_AV1_OBU_TD ||
					  type == WF_AV1_OBU_FRAME_HDR ||
					  type == WF_AV1_OBU_FRAME;
		}
		if (w != 0 && i == w) break;
	}
	/* W says how many elements there are; fewer is a cut packet. */
	if (w != 0 && i != w) return -WF_AV1_TRUNCATED;
	vi->keyframe_start = (agg & 0x08) != 0;		/* N bit */
	return 0;
}

/* ---- Dispatch ------------------------------------------------------------ */

int wf_video_parse(enum wf_kf_codec c, const uint8_t *payload, size_t len,
		   struct wf_video_info *vi)
{
	switch (c) {
	case WF_KF_H264: return wf_h264_parse(payload, len, vi);
	case WF_KF_VP8: return wf_vp8_parse(payload, len, vi);
	case WF_KF_VP9: return wf_vp9_parse(payload, len, vi);
	case WF_KF_AV1: return wf_av1_parse(payload, len, vi);
	default:
		vi->keyframe_start = false;
		vi->frame_start = false;
		return -WF_BAD_CODEC;
	}
}

int wf_keyframe_detect(enum wf_kf_codec c, const uint8_t *payload, size_t len)
{
	struct wf_video_info vi;
	int rc = wf_video_parse(c, payload, len, &vi);

	if (rc < 0) return rc;
	return vi.keyframe_start ? WF_KEYFRAME_START : WF_KEYFRAME_NO;
}
