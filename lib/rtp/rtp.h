/* rtp.h: RTP header parsing (RFC 3550 §5.1), RTP/RTCP demultiplexing
 * (RFC 5761 §4), sequence-number arithmetic and receiver-side source
 * statistics (RFC 3550 Appendix A.1, A.3, A.8).
 *
 * Pure functions on byte buffers: no heap, no DPDK, no locks, no syscalls.
 * Every parser reads only inside the length it is given and answers hostile
 * input with a negative error from the WF_RTP_ERRORS list below, never with
 * an out-of-bounds access.  wf_rtp_parse() is inline: the fast path calls it
 * once per ingested packet.
 *
 * The error list is shared with rtcp.h and keyframe.h so the application can
 * keep one per-lcore drop counter array indexed by enum wf_rtp_err.
 */
#ifndef WF_RTP_RTP_H
#define WF_RTP_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Drop reasons: enum name, counter name (telemetry, /metrics), text. */
#define WF_RTP_ERRORS(_) \
	_(RTP_TOO_SHORT,     rtp_too_short,     "RTP shorter than its header") \
	_(RTP_TOO_LONG,      rtp_too_long,      "RTP longer than a UDP datagram") \
	_(RTP_BAD_VERSION,   rtp_bad_version,   "RTP version is not 2") \
	_(RTP_CSRC_TRUNC,    rtp_csrc_trunc,    "RTP CSRC list runs past the packet") \
	_(RTP_EXT_TRUNC,     rtp_ext_trunc,     "RTP header extension runs past the packet") \
	_(RTP_BAD_PADDING,   rtp_bad_padding,   "RTP padding count is zero or exceeds the payload") \
	_(RTCP_TOO_SHORT,    rtcp_too_short,    "RTCP shorter than its common header") \
	_(RTCP_BAD_VERSION,  rtcp_bad_version,  "RTCP version is not 2") \
	_(RTCP_BAD_LENGTH,   rtcp_bad_length,   "RTCP length word points past the packet") \
	_(RTCP_BAD_PADDING,  rtcp_bad_padding,  "RTCP padding count is zero or exceeds the packet") \
	_(RTCP_TRUNCATED,    rtcp_truncated,    "RTCP packet too short for its type and count") \
	_(RTCP_WRONG_TYPE,   rtcp_wrong_type,   "RTCP packet is not of the type asked for") \
	_(RTCP_NO_ROOM,      rtcp_no_room,      "RTCP output buffer too small") \
	_(RTCP_BAD_PARAM,    rtcp_bad_param,    "RTCP builder argument out of range") \
	_(H264_TRUNCATED,    h264_truncated,    "H.264 payload or NAL unit runs past the packet") \
	_(H264_BAD_FU,       h264_bad_fu,       "H.264 FU header has both start and end bits") \
	_(VP8_TRUNCATED,     vp8_truncated,     "VP8 payload descriptor runs past the packet") \
	_(VP9_TRUNCATED,     vp9_truncated,     "VP9 payload descriptor runs past the packet") \
	_(VP9_BAD_DESC,      vp9_bad_desc,      "VP9 payload descriptor is malformed") \
	_(AV1_TRUNCATED,     av1_truncated,     "AV1 aggregation header or OBU runs past the packet") \
	_(AV1_BAD_HEADER,    av1_bad_header,    "AV1 aggregation header is contradictory") \
	_(BAD_CODEC,         bad_codec,         "unknown codec")

/* Functions return 0 (or a count) on success and -WF_<NAME> on failure. */
enum wf_rtp_err {
	WF_RTP_OK = 0,
#define WF_RTP_ERR_ENUM_(sym, name, text) WF_##sym,
	WF_RTP_ERRORS(WF_RTP_ERR_ENUM_)
#undef WF_RTP_ERR_ENUM_
	WF_RTP_ERR_COUNT
};

/* Counter name of an error ("rtp_too_short"); takes e or -e.  "ok" for 0,
 * "unknown" outside the list. */
const char *wf_rtp_err_name(int err);
/* Human text of an error; takes e or -e. */
const char *wf_rtp_strerror(int err);

#define WF_RTP_VERSION		2
#define WF_RTP_FIXED_LEN	12	/* RFC 3550 §5.1 fixed header */
#define WF_RTP_MAX_LEN		65535	/* larger cannot come from one UDP datagram */

/* What wf_rtp_parse() learns about one RTP packet.  Offsets count from the
 * first byte of the packet.  ext_* are zero when there is no extension. */
struct wf_rtp_hdr {
	uint32_t timestamp;
	uint32_t ssrc;
	uint16_t seq;
	uint8_t pt;		/* payload type, 7 bits */
	uint8_t marker;		/* 0 or 1 */
	uint8_t cc;		/* CSRC count; CSRCs start at offset 12 */
	uint8_t pad_len;	/* padding bytes at the end (count byte included) */
	uint16_t hdr_len;	/* fixed + CSRC + extension = payload offset */
	uint16_t payload_len;	/* payload bytes, padding excluded */
	uint16_t ext_profile;	/* "defined by profile" word: 0xBEDE one-byte
				 * form, 0x100x two-byte form (RFC 8285 §4) */
	uint16_t ext_off;	/* offset of extension data (after its 4-byte header) */
	uint16_t ext_len;	/* extension data bytes (length word × 4) */
};

static inline uint16_t wf_rtp_rd16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t wf_rtp_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void wf_rtp_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wf_rtp_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Parses and validates the RTP header of the len bytes at p into *h.
 * Checks, in order: fixed header present, version 2, the CSRC list and the
 * header extension (RFC 3550 §5.3.1; RFC 8285 one- and two-byte forms are
 * taken as opaque data of length word × 4 bytes) inside the packet, and,
 * when the P bit is set, a padding count of at least 1 that fits in what
 * follows the header.  Returns 0, or -WF_RTP_TOO_SHORT, -WF_RTP_TOO_LONG,
 * -WF_RTP_BAD_VERSION, -WF_RTP_CSRC_TRUNC, -WF_RTP_EXT_TRUNC or
 * -WF_RTP_BAD_PADDING; *h is unspecified after an error. */
static inline int wf_rtp_parse(const uint8_t *p, size_t len, struct wf_rtp_hdr *h)
{
	size_t off, pad = 0;
	uint8_t b0;

	if (len < WF_RTP_FIXED_LEN) return -WF_RTP_TOO_SHORT;
	if (len > WF_RTP_MAX_LEN) return -WF_RTP_TOO_LONG;
	b0 = p[0];
	if ((b0 >> 6) != WF_RTP_VERSION) return -WF_RTP_BAD_VERSION;
	h->cc = b0 & 0x0f;
	h->marker = p[1] >> 7;
	h->pt = p[1] & 0x7f;
	h->seq = wf_rtp_rd16(p + 2);
	h->timestamp = wf_rtp_rd32(p + 4);
	h->ssrc = wf_rtp_rd32(p + 8);
	off = WF_RTP_FIXED_LEN + 4u * h->cc;	/* RFC 3550 §5.1: CSRC list */
	if (off > len) return -WF_RTP_CSRC_TRUNC;
	h->ext_profile = 0;
	h->ext_off = 0;
	h->ext_len = 0;
	if (b0 & 0x10) {			/* X bit, RFC 3550 §5.3.1 */
		size_t ext_len;

		if (off + 4 > len) return -WF_RTP_EXT_TRUNC;
		ext_len = 4u * wf_rtp_rd16(p + off + 2);
		if (ext_len > len - off - 4) return -WF_RTP_EXT_TRUNC;
		h->ext_profile = wf_rtp_rd16(p + off);
		h->ext_off = (uint16_t)(off + 4);
		h->ext_len = (uint16_t)ext_len;
		off += 4 + ext_len;
	}
	if (b0 & 0x20) {			/* P bit, RFC 3550 §5.1 */
		/* The last octet counts the padding, itself included. */
		pad = p[len - 1];
		if (pad == 0 || pad > len - off) return -WF_RTP_BAD_PADDING;
	}
	h->pad_len = (uint8_t)pad;
	h->hdr_len = (uint16_t)off;
	h->payload_len = (uint16_t)(len - off - pad);
	return 0;
}

/* RFC 5761 §4: with RTP and RTCP on one port, a packet whose second byte's
 * low 7 bits (the RTP payload-type position) are 64..95 is RTCP (packet
 * types 192..223).  Needs len >= 2; a shorter packet is not RTCP.  Callers
 * first check the first byte is 128..191 (RFC 7983). */
static inline bool wf_rtp_is_rtcp(const uint8_t *p, size_t len)
{
	uint8_t pt;

	if (len < 2) return false;
	pt = p[1] & 0x7f;
	return pt >= 64 && pt <= 95;
}

/* ---- Sequence numbers ---------------------------------------------------- */

/* Signed distance a - b on the 16-bit circle, in [-32768, 32767]. */
static inline int16_t wf_seq_diff(uint16_t a, uint16_t b)
{
	return (int16_t)(uint16_t)(a - b);
}

/* a comes before b (RFC 1982 serial-number order on 16 bits).  For
 * a == b + 32768 the order is undefined; this says a < b. */
static inline bool wf_seq_lt(uint16_t a, uint16_t b)
{
	return wf_seq_diff(a, b) < 0;
}

static inline bool wf_seq_gt(uint16_t a, uint16_t b)
{
	return wf_seq_diff(a, b) > 0;
}

/* Extends a 16-bit sequence number to the 64-bit value nearest to ref (a
 * previous extended value): the cycle count is ref's, plus or minus one
 * when seq crossed a wrap.  A value that would fall before 0 is returned in
 * cycle 0.  Use the low 48 bits as an SRTP packet index (RFC 3711 §3.3.1:
 * ROC << 16 | SEQ) and the low 32 as RFC 3550's extended highest seq. */
static inline uint64_t wf_seq_extend(uint64_t ref, uint16_t seq)
{
	int16_t d = wf_seq_diff(seq, (uint16_t)ref);

	if (d < 0 && (uint64_t)(-(int32_t)d) > ref)
		return seq;
	return ref + (uint64_t)(int64_t)d;
}

/* The same on 32 bits (16-bit cycle count, RFC 3550 §6.4.1); a value past
 * 2^32 wraps. */
static inline uint32_t wf_seq_extend32(uint32_t ref, uint16_t seq)
{
	return (uint32_t)wf_seq_extend(ref, seq);
}

/* ---- Source statistics (RFC 3550 Appendix A) ----------------------------- */

#define WF_RTP_MAX_DROPOUT	3000	/* RFC 3550 A.1 */
#define WF_RTP_MAX_MISORDER	100
#define WF_RTP_MIN_SEQUENTIAL	2

/* Receiver state for one source.  Plain memory; one writer. */
struct wf_rtp_source {
	uint32_t cycles;		/* seq wraps << 16 */
	uint32_t base_seq;		/* first seq counted */
	uint32_t bad_seq;		/* last 'bad' seq + 1 (A.1) */
	uint32_t probation;		/* sequential packets still needed */
	uint32_t received;		/* packets counted */
	uint32_t expected_prior;	/* at the last report (A.3) */
	uint32_t received_prior;
	uint32_t transit;		/* relative transit of the last packet (A.8) */
	uint32_t jitter;		/* interarrival jitter × 16 (A.8) */
	uint16_t max_seq;		/* highest seq seen */
	bool have_transit;
};

/* Loss figures for one report block (RFC 3550 §6.4.1, A.3). */
struct wf_rtp_loss {
	uint32_t ext_highest_seq;	/* cycles + max_seq */
	uint32_t expected;		/* since the start */
	int32_t cumulative_lost;	/* clamped to 24-bit signed */
	uint8_t fraction_lost;		/* since the previous report, 1/256 units */
	uint32_t jitter;		/* in timestamp units */
};

/* Starts statistics for a source first heard with sequence number seq
 * (RFC 3550 A.1): the source is on probation until MIN_SEQUENTIAL packets
 * in sequence arrived.  Call wf_rtp_source_update_seq() for every packet,
 * the first one included. */
void wf_rtp_source_init(struct wf_rtp_source *s, uint16_t seq);

/* RFC 3550 A.1 update_seq: accounts one packet's sequence number.  Returns
 * true when the packet counts as valid (in sequence, a small gap, reordered,
 * a duplicate, or the second of two packets after a large jump, which
 * restarts the statistics); false while on probation or for a first packet
 * after a large jump. */
bool wf_rtp_source_update_seq(struct wf_rtp_source *s, uint16_t seq);

/* RFC 3550 A.8: updates the interarrival jitter from one packet's RTP
 * timestamp and its arrival time converted to the same clock rate.  The
 * first call only records the transit time. */
void wf_rtp_source_update_jitter(struct wf_rtp_source *s, uint32_t rtp_ts,
				 uint32_t arrival);

/* RFC 3550 A.3: fills *out for a report block and starts a new reporting
 * interval (fraction lost is measured between two calls). */
void wf_rtp_source_report(struct wf_rtp_source *s, struct wf_rtp_loss *out);

#endif
