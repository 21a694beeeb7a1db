/* rtcp.h: RTCP compound packets (RFC 3550 §6), feedback messages (RFC 4585,
 * RFC 5104) and NTP timestamps (RFC 3550 §4, §6.4.1).
 *
 * Parsing: wf_rtcp_next() walks a compound packet one sub-packet at a time,
 * checking each one's version, length word and padding; the typed parsers
 * (SR, RR, SDES CNAME, BYE, generic NACK, PLI, FIR) then read one sub-packet
 * and check its count against its length.  wf_rtcp_classify() names every
 * sub-packet, including the feedback the fast path skips (REMB, transport-
 * wide CC, ...), so they can be counted.
 *
 * Building: each builder writes one sub-packet into a caller buffer of cap
 * bytes and returns its length, or -WF_RTCP_NO_ROOM / -WF_RTCP_BAD_PARAM
 * (then nothing useful was written).  A compound packet is built by calling
 * builders one after the other on the rest of the buffer (RFC 3550 §6.1: an
 * SR or RR first, then an SDES with the CNAME).
 *
 * Errors are the -WF_* values of enum wf_rtp_err (rtp.h).  No heap, no
 * state; all reads stay inside the given lengths.
 */
#ifndef WF_RTP_RTCP_H
#define WF_RTP_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "rtp/rtp.h"

/* Packet types, RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611. */
#define WF_RTCP_SR	200
#define WF_RTCP_RR	201
#define WF_RTCP_SDES	202
#define WF_RTCP_BYE	203
#define WF_RTCP_APP	204
#define WF_RTCP_RTPFB	205
#define WF_RTCP_PSFB	206
#define WF_RTCP_XR	207

/* Feedback message types (FMT). */
#define WF_RTCP_FMT_NACK	1	/* RTPFB, RFC 4585 §6.2.1 */
#define WF_RTCP_FMT_TWCC	15	/* RTPFB, draft-holmer-rmcat-transport-wide-cc */
#define WF_RTCP_FMT_PLI		1	/* PSFB, RFC 4585 §6.3.1 */
#define WF_RTCP_FMT_FIR		4	/* PSFB, RFC 5104 §4.3.1 */
#define WF_RTCP_FMT_AFB		15	/* PSFB application layer FB (REMB) */

#define WF_RTCP_HDR_LEN		4	/* V P count, PT, length */
#define WF_RTCP_REPORT_LEN	24	/* one report block, RFC 3550 §6.4.1 */
#define WF_RTCP_SENDER_INFO_LEN	20
#define WF_RTCP_MAX_REPORTS	31	/* 5-bit RC */
#define WF_RTCP_SDES_CNAME	1

/* Every sub-packet kind the application counts. */
#define WF_RTCP_KINDS(_) \
	_(SR, sr) _(RR, rr) _(SDES, sdes) _(BYE, bye) _(APP, app) \
	_(NACK, nack) _(TWCC, twcc) _(RTPFB_OTHER, rtpfb_other) \
	_(PLI, pli) _(FIR, fir) _(REMB, remb) _(PSFB_OTHER, psfb_other) \
	_(XR, xr) _(UNKNOWN, unknown)

enum wf_rtcp_kind {
#define WF_RTCP_KIND_ENUM_(sym, name) WF_RTCP_KIND_##sym,
	WF_RTCP_KINDS(WF_RTCP_KIND_ENUM_)
#undef WF_RTCP_KIND_ENUM_
	WF_RTCP_KIND_COUNT
};

/* Counter name of a kind ("nack"), "unknown" out of range. */
const char *wf_rtcp_kind_name(enum wf_rtcp_kind k);

/* A cursor over a compound packet; set up with wf_rtcp_iter_init(). */
struct wf_rtcp_iter {
	const uint8_t *p;
	size_t len;
	size_t off;
};

/* One sub-packet, as wf_rtcp_next() found it. */
struct wf_rtcp_pkt {
	const uint8_t *p;	/* its first header byte */
	const uint8_t *body;	/* p + 4 */
	uint32_t len;		/* bytes, header and padding included: (length + 1) × 4 */
	uint32_t body_len;	/* bytes after the header, padding excluded */
	uint8_t pt;		/* packet type */
	uint8_t count;		/* RC, SC or FMT: the 5-bit field */
	uint8_t pad_len;	/* padding bytes (P bit), 0 if none */
};

static inline void wf_rtcp_iter_init(struct wf_rtcp_iter *it, const uint8_t *p,
				     size_t len)
{
	it->p = p;
	it->len = len;
	it->off = 0;
}

/* Reads the next sub-packet of a compound packet into *pkt (RFC 3550 §6.1,
 * A.2): version 2, length word within what is left, padding count (P bit)
 * non-zero and within the sub-packet.  Returns 1 with *pkt filled, 0 at the
 * end, or -WF_RTCP_TOO_SHORT (under 4 bytes left), -WF_RTCP_BAD_VERSION,
 * -WF_RTCP_BAD_LENGTH or -WF_RTCP_BAD_PADDING; after an error the iterator
 * is at the end.  An empty packet has no sub-packets (0 at once). */
int wf_rtcp_next(struct wf_rtcp_iter *it, struct wf_rtcp_pkt *pkt);

/* Walks a whole compound packet: returns the number of sub-packets (at
 * least 1) or the first error; an empty packet is -WF_RTCP_TOO_SHORT.  It
 * does not require an SR or RR first: reduced-size RTCP (RFC 5506), which
 * browsers negotiate, sends feedback alone. */
int wf_rtcp_validate(const uint8_t *p, size_t len);

/* What a sub-packet is (packet type, FMT, and "REMB" for PSFB AFB). */
enum wf_rtcp_kind wf_rtcp_classify(const struct wf_rtcp_pkt *pkt);

/* ---- Reports -------------------------------------------------------------- */

/* Sender info of an SR (RFC 3550 §6.4.1). */
struct wf_rtcp_sender_info {
	uint64_t ntp;		/* 32.32 fixed point seconds since 1900 */
	uint32_t rtp_ts;
	uint32_t packet_count;
	uint32_t octet_count;
};

/* One report block (RFC 3550 §6.4.1). */
struct wf_rtcp_report {
	uint32_t ssrc;
	uint8_t fraction_lost;
	int32_t cumulative_lost;	/* signed 24-bit on the wire */
	uint32_t ext_highest_seq;
	uint32_t jitter;
	uint32_t lsr;			/* middle 32 bits of the last SR's NTP */
	uint32_t dlsr;			/* 1/65536 s since that SR */
};

/* An SR or RR: reporter SSRC, sender info (SR only), and rc report blocks
 * at blocks (read them with wf_rtcp_report_block()). */
struct wf_rtcp_rpt {
	uint32_t ssrc;
	bool is_sr;
	struct wf_rtcp_sender_info si;	/* zero for an RR */
	uint8_t rc;
	const uint8_t *blocks;
};

/* Parses an SR (type 200) or RR (type 201): the body must hold the SSRC,
 * the sender info for an SR, and RC report blocks (profile extensions may
 * follow and are ignored).  Returns 0, -WF_RTCP_WRONG_TYPE or
 * -WF_RTCP_TRUNCATED. */
int wf_rtcp_parse_report(const struct wf_rtcp_pkt *pkt, struct wf_rtcp_rpt *r);

/* Decodes report block i (< r->rc) of a parsed SR/RR. */
void wf_rtcp_report_block(const struct wf_rtcp_rpt *r, unsigned i,
			  struct wf_rtcp_report *out);

/* SDES (RFC 3550 §6.5): checks every chunk and item lies inside the packet
 * and finds the first CNAME.  Returns 1 with *ssrc, *cname (not NUL
 * terminated, points into the packet) and *cname_len set, 0 when no chunk
 * carries a CNAME, or -WF_RTCP_WRONG_TYPE / -WF_RTCP_TRUNCATED. */
int wf_rtcp_parse_sdes_cname(const struct wf_rtcp_pkt *pkt, uint32_t *ssrc,
			     const uint8_t **cname, uint8_t *cname_len);

/* BYE (RFC 3550 §6.6): sc SSRCs at ssrcs, then an optional reason. */
struct wf_rtcp_bye {
	uint8_t sc;
	const uint8_t *ssrcs;		/* sc × 4 bytes, read with wf_rtp_rd32 */
	const uint8_t *reason;		/* NULL if none */
	uint8_t reason_len;
};

/* Returns 0, -WF_RTCP_WRONG_TYPE or -WF_RTCP_TRUNCATED. */
int wf_rtcp_parse_bye(const struct wf_rtcp_pkt *pkt, struct wf_rtcp_bye *b);

/* ---- Feedback (RFC 4585 §6.1) --------------------------------------------- */

struct wf_rtcp_fb {
	uint32_t sender_ssrc;
	uint32_t media_ssrc;
	uint8_t fmt;
	const uint8_t *fci;		/* feedback control information */
	uint32_t fci_len;
};

/* Reads the common header of an RTPFB or PSFB message.  Returns 0,
 * -WF_RTCP_WRONG_TYPE or -WF_RTCP_TRUNCATED. */
int wf_rtcp_parse_fb(const struct wf_rtcp_pkt *pkt, struct wf_rtcp_fb *fb);

/* Generic NACK (RFC 4585 §6.2.1): fills *fb and writes the lost sequence
 * numbers of every PID+BLP pair, in FCI order, to seqs[0..cap).  Returns the
 * number of sequence numbers the message names, which is more than cap when
 * seqs was too small (the rest were not written), or -WF_RTCP_WRONG_TYPE /
 * -WF_RTCP_TRUNCATED (no FCI, or a length not a multiple of 4). */
int wf_rtcp_parse_nack(const struct wf_rtcp_pkt *pkt, struct wf_rtcp_fb *fb,
		       uint16_t *seqs, size_t cap);

/* The sequence numbers one generic NACK FCI (4 bytes at fci: PID, BLP)
 * names, PID first: writes 1 to 17 of them to seqs and returns how many. */
#define WF_RTCP_NACK_FCI_MAX	17
unsigned wf_rtcp_nack_fci(const uint8_t *fci, uint16_t seqs[WF_RTCP_NACK_FCI_MAX]);

/* PLI (RFC 4585 §6.3.1): fills *fb (no FCI).  Returns 0 or an error. */
int wf_rtcp_parse_pli(const struct wf_rtcp_pkt *pkt, struct wf_rtcp_fb *fb);

/* One FIR request (RFC 5104 §4.3.1.1). */
struct wf_rtcp_fir_entry {
	uint32_t ssrc;		/* the media sender asked for a decoder refresh */
	uint8_t seq;		/* command sequence number */
};

/* FIR (RFC 5104 §4.3.1): fills *fb and writes up to cap FCI entries.
 * Returns the number of entries in the message (may exceed cap), or
 * -WF_RTCP_WRONG_TYPE / -WF_RTCP_TRUNCATED. */
int wf_rtcp_parse_fir(const struct wf_rtcp_pkt *pkt, struct wf_rtcp_fb *fb,
		      struct wf_rtcp_fir_entry *entries, size_t cap);

/* REMB (draft-alvestrand-rmcat-remb-03 §2.2), an application layer
 * feedback message: the receiver's estimate of the total bitrate it can
 * take for the SSRCs it names. */
struct wf_rtcp_remb {
	uint32_t sender_ssrc;
	uint64_t bitrate_bps;	/* mantissa << exponent; UINT64_MAX past 2^64 */
};

/* Reads a REMB: fills *r and writes up to cap SSRCs.  Returns the number
 * of SSRCs the message names (may exceed cap), or -WF_RTCP_WRONG_TYPE (not
 * PSFB FMT 15 with the "REMB" identifier), -WF_RTCP_TRUNCATED (an FCI
 * shorter than its SSRC count says, or longer). */
int wf_rtcp_parse_remb(const struct wf_rtcp_pkt *pkt, struct wf_rtcp_remb *r,
		       uint32_t *ssrcs, size_t cap);

/* ---- Builders ------------------------------------------------------------- */

/* SR with n (0..31) report blocks: 28 + 24 n bytes. */
int wf_rtcp_build_sr(uint8_t *buf, size_t cap, uint32_t ssrc,
		     const struct wf_rtcp_sender_info *si,
		     const struct wf_rtcp_report *rb, unsigned n);

/* RR with n (0..31) report blocks: 8 + 24 n bytes. */
int wf_rtcp_build_rr(uint8_t *buf, size_t cap, uint32_t ssrc,
		     const struct wf_rtcp_report *rb, unsigned n);

/* SDES with one chunk holding the CNAME (1..255 bytes, RFC 3550 §6.5.1). */
int wf_rtcp_build_sdes_cname(uint8_t *buf, size_t cap, uint32_t ssrc,
			     const char *cname, size_t cname_len);

/* Generic NACK for the n (>= 1) sequence numbers at seqs.  Each number
 * either sets a BLP bit of the current FCI (1..16 after its PID) or starts
 * a new FCI, so a list in ascending order (wrap allowed) packs tightest; any
 * order is correct, repeats of the current PID are folded. */
int wf_rtcp_build_nack(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
		       uint32_t media_ssrc, const uint16_t *seqs, size_t n);

/* PLI: 12 bytes. */
int wf_rtcp_build_pli(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
		      uint32_t media_ssrc);

/* FIR with n (>= 1) entries; the media SSRC field is 0 (RFC 5104
 * §4.3.1.2). */
int wf_rtcp_build_fir(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
		      const struct wf_rtcp_fir_entry *e, size_t n);

/* REMB for the n (1..255) SSRCs at ssrcs: bitrate_bps as an 18-bit
 * mantissa and a 6-bit exponent, rounded down (never more than asked).
 * 20 + 4 n bytes. */
int wf_rtcp_build_remb(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint64_t bitrate_bps,
		       const uint32_t *ssrcs, size_t n);

/* ---- NTP time (RFC 3550 §4) ----------------------------------------------- */

#define WF_NTP_UNIX_OFFSET	2208988800u	/* 1900-01-01 to 1970-01-01, s */

/* 64-bit NTP timestamp (32.32 seconds since 1900) of a Unix time in ns,
 * rounded to the nearest fraction; wraps in 2036 like NTP era 1. */
uint64_t wf_ntp_from_ns(uint64_t unix_ns);

/* The same from a CLOCK_REALTIME timespec (tv_nsec in 0..999999999). */
uint64_t wf_ntp_from_timespec(const struct timespec *ts);

/* Unix ns of an NTP timestamp; seconds below the Unix epoch are taken as
 * NTP era 1 (after 2036-02-07). */
uint64_t wf_ntp_to_ns(uint64_t ntp);

/* Middle 32 bits: the LSR form (RFC 3550 §6.4.1), 1/65536 s units. */
static inline uint32_t wf_ntp_mid32(uint64_t ntp)
{
	return (uint32_t)(ntp >> 16);
}

/* A duration in ns as 1/65536 s units (DLSR), saturating at 2^32 - 1. */
uint32_t wf_ntp_short_from_ns(uint64_t ns);

/* 1/65536 s units to µs, rounded. */
static inline uint64_t wf_ntp_short_to_us(uint32_t v)
{
	return ((uint64_t)v * 1000000u + 32768u) >> 16;
}

/* Round-trip time from a report block (RFC 3550 §6.4.1): now_mid32 is the
 * arrival time of the RR in the middle-32 form.  Writes A - LSR - DLSR in
 * 1/65536 s to *rtt.  Returns 0, -ENODATA when lsr is 0 (no SR received
 * yet), or -ERANGE when the result would be negative (clock or report
 * error). */
int wf_rtcp_rtt(uint32_t now_mid32, uint32_t lsr, uint32_t dlsr, uint32_t *rtt);

#endif
