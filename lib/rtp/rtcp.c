/* rtcp.c: RTCP parse and build (RFC 3550 §6, RFC 4585, RFC 5104), NTP. */
#include "rtp/rtcp.h"

#include <errno.h>
#include <string.h>

static const char *const wf_rtcp_kind_names[WF_RTCP_KIND_COUNT] = {
#define WF_RTCP_KIND_NAME_(sym, name) [WF_RTCP_KIND_##sym] = #name,
	WF_RTCP_KINDS(WF_RTCP_KIND_NAME_)
#undef WF_RTCP_KIND_NAME_
};

const char *wf_rtcp_kind_name(enum wf_rtcp_kind k)
{
	if ((unsigned)k >= WF_RTCP_KIND_COUNT) return "unknown";
	return wf_rtcp_kind_names[k];
}

int wf_rtcp_next(struct wf_rtcp_iter *it, struct wf_rtcp_pkt *pkt)
{
	const uint8_t *p;
	size_t left, plen;
	int err;

	if (it->off >= it->len) return 0;
	left = it->len - it->off;
	p = it->p + it->off;
	if (left < WF_RTCP_HDR_LEN) { err = -WF_RTCP_TOO_SHORT; goto fail; }
	if ((p[0] >> 6) != 2) { err = -WF_RTCP_BAD_VERSION; goto fail; }
	/* RFC 3550 §6.4.1: length in 32-bit words minus one, header and
	 * padding included. */
	plen = 4u * ((size_t)wf_rtp_rd16(p + 2) + 1);
	if (plen > left) { err = -WF_RTCP_BAD_LENGTH; goto fail; }
	pkt->p = p;
	pkt->body = p + WF_RTCP_HDR_LEN;
	pkt->len = (uint32_t)plen;
	pkt->pt = p[1];
	pkt->count = p[0] & 0x1f;
	pkt->pad_len = 0;
	if (p[0] & 0x20) {
		/* RFC 3550 §6.4.1: the last octet counts the padding. */
		uint8_t pad = p[plen - 1];

		if (pad == 0 || pad > plen - WF_RTCP_HDR_LEN) {
			err = -WF_RTCP_BAD_PADDING;
			goto fail;
		}
		pkt->pad_len = pad;
	}
	pkt->body_len = (uint32_t)(plen - WF_RTCP_HDR_LEN - pkt->pad_len);
	it->off += plen;
	return 1;
fail:
	it->off = it->len;
	return err;
}

int wf_rtcp_validate(const uint8_t *p, size_t len)
{
	struct wf_rtcp_iter it;
	struct wf_rtcp_pkt pkt;
	int n = 0, rc;

	if (len == 0) return -WF_RTCP_TOO_SHORT;
	wf_rtcp_iter_init(&it, p, len);
	while ((rc = wf_rtcp_next(&it, &pkt)) > 0)
		n++;
	return rc < 0 ? rc : n;
}

enum wf_rtcp_kind wf_rtcp_classify(const struct wf_rtcp_pkt *pkt)
{
	switch (pkt->pt) {
	case WF_RTCP_SR: return WF_RTCP_KIND_SR;
	case WF_RTCP_RR: return WF_RTCP_KIND_RR;
	case WF_RTCP_SDES: return WF_RTCP_KIND_SDES;
	case WF_RTCP_BYE: return WF_RTCP_KIND_BYE;
	case WF_RTCP_APP: return WF_RTCP_KIND_APP;
	case WF_RTCP_XR: return WF_RTCP_KIND_XR;
	case WF_RTCP_RTPFB:
		if (pkt->count == WF_RTCP_FMT_NACK) return WF_RTCP_KIND_NACK;
		if (pkt->count == WF_RTCP_FMT_TWCC) return WF_RTCP_KIND_TWCC;
		return WF_RTCP_KIND_RTPFB_OTHER;
	case WF_RTCP_PSFB:
		if (pkt->count == WF_RTCP_FMT_PLI) return WF_RTCP_KIND_PLI;
		if (pkt->count == WF_RTCP_FMT_FIR) return WF_RTCP_KIND_FIR;
		/* draft-alvestrand-rmcat-remb §2.2: AFB whose FCI starts "REMB" */
		if (pkt->count == WF_RTCP_FMT_AFB && pkt->body_len >= 12 &&
		    memcmp(pkt->body + 8, "REMB", 4) == 0)
			return WF_RTCP_KIND_REMB;
		return WF_RTCP_KIND_PSFB_OTHER;
	default:
		return WF_RTCP_KIND_UNKNOWN;
	}
}

/* ---- Reports ------------------------------------------------------------- */

int wf_rtcp_parse_report(const struct wf_rtcp_pkt *pkt, struct wf_rtcp_rpt *r)
{
	const uint8_t *b = pkt->body;
	size_t need;

	if (pkt->pt != WF_RTCP_SR && pkt->pt != WF_RTCP_RR) return -WF_RTCP_WRONG_TYPE;
	r->is_sr = pkt->pt == WF_RTCP_SR;
	need = 4 + (r->is_sr ? WF_RTCP_SENDER_INFO_LEN : 0) +
	       (size_t)pkt->count * WF_RTCP_REPORT_LEN;
	if (pkt->body_len < need) return -WF_RTCP_TRUNCATED;
	r->ssrc = wf_rtp_rd32(b);
	r->rc = pkt->count;
	if (r->is_sr) {
		/* RFC 3550 §6.4.1 sender info */
		r->si.ntp = (uint64_t)wf_rtp_rd32(b + 4) << 32 | wf_rtp_rd32(b + 8);
		r->si.rtp_ts = wf_rtp_rd32(b + 12);
		r->si.packet_count = wf_rtp_rd32(b + 16);
		r->si.octet_count = wf_rtp_rd32(b + 20);
		r->blocks = b + 24;
	} else {
		memset(&r->si, 0, sizeof(r->si));
		r->blocks = b + 4;
	}
	return 0;
}

void wf_rtcp_report_block(const struct wf_rtcp_rpt *r, unsigned i,
			  struct wf_rtcp_report *out)
{
	const uint8_t *q = r->blocks + (size_t)i * WF_RTCP_REPORT_LEN;
	uint32_t lost = (uint32_t)q[5] << 16 | (uint32_t)q[6] << 8 | q[7];

	out->ssrc = wf_rtp_rd32(q);
	out->fraction_lost = q[4];
	/* Cumulative lost is a signed 24-bit value (RFC 3550 §6.4.1). */
	out->cumulative_lost = (lost & 0x800000u) ? (int32_t)lost - 0x1000000 : (int32_t)lost;
	out->ext_highest_seq = wf_rtp_rd32(q + 8);
	out->jitter = wf_rtp_rd32(q + 12);
	out->lsr = wf_rtp_rd32(q + 16);
	out->dlsr = wf_rtp_rd32(q + 20);
}

int wf_rtcp_parse_sdes_cname(const struct wf_rtcp_pkt *pkt, uint32_t *ssrc,
			     const uint8_t **cname, uint8_t *cname_len)
{
	const uint8_t *b = pkt->body;
	size_t len = pkt->body_len, off = 0;
	unsigned chunk;
	int found = 0;

	if (pkt->pt != WF_RTCP_SDES) return -WF_RTCP_WRONG_TYPE;
	for (chunk = 0; chunk < pkt->count; chunk++) {
		uint32_t chunk_ssrc;

		/* RFC 3550 §6.5: SSRC, items, a null item, then zero bytes up
		 * to the next 32-bit boundary. */
		if (len - off < 4) return -WF_RTCP_TRUNCATED;
		chunk_ssrc = wf_rtp_rd32(b + off);
		off += 4;
		for (;;) {
			uint8_t type, ilen;

			if (off >= len) return -WF_RTCP_TRUNCATED;
			type = b[off];
			if (type == 0) {
				off = (off + 4) & ~(size_t)3;
				if (off > len) return -WF_RTCP_TRUNCATED;
				break;
			}
			if (len - off < 2) return -WF_RTCP_TRUNCATED;
			ilen = b[off + 1];
			if (len - off - 2 < ilen) return -WF_RTCP_TRUNCATED;
			if (type == WF_RTCP_SDES_CNAME && !found) {
				*ssrc = chunk_ssrc;
				*cname = b + off + 2;
				*cname_len = ilen;
				found = 1;
			}
			off += 2u + ilen;
		}
	}
	return found;
}

int wf_rtcp_parse_bye(const struct wf_rtcp_pkt *pkt, struct wf_rtcp_bye *bye)
{
	size_t need = 4u * pkt->count;

	if (pkt->pt != WF_RTCP_BYE) return -WF_RTCP_WRONG_TYPE;
	if (pkt->body_len < need) return -WF_RTCP_TRUNCATED;
	bye->sc = pkt->count;
	bye->ssrcs = pkt->body;
	bye->reason = NULL;
	bye->reason_len = 0;
	if (pkt->body_len > need) {
		/* RFC 3550 §6.6: length octet, then the text. */
		uint8_t rlen = pkt->body[need];

		if (pkt->body_len - need - 1 < rlen) return -WF_RTCP_TRUNCATED;
		bye->reason = pkt->body + need + 1;
		bye->reason_len = rlen;
	}
	return 0;
}

/* ---- Feedback ------------------------------------------------------------ */

int wf_rtcp_parse_fb(const struct wf_rtcp_pkt *pkt, struct wf_rtcp_fb *fb)
{
	if (pkt->pt != WF_RTCP_RTPFB && pkt->pt != WF_RTCP_PSFB) return -WF_RTCP_WRONG_TYPE;
	if (pkt->body_len < 8) return -WF_RTCP_TRUNCATED;
	/* RFC 4585 §6.1 common packet format */
	fb->fmt = pkt->count;
	fb->sender_ssrc = wf_rtp_rd32(pkt->body);
	fb->media_ssrc = wf_rtp_rd32(pkt->body + 4);
	fb->fci = pkt->body + 8;
	fb->fci_len = pkt->body_len - 8;
	return 0;
}

int wf_rtcp_parse_nack(const struct wf_rtcp_pkt *pkt, struct wf_rtcp_fb *fb,
		       uint16_t *seqs, size_t cap)
{
	size_t n = 0, off;
	int rc;

	if (pkt->pt != WF_RTCP_RTPFB || pkt->count != WF_RTCP_FMT_NACK)
		return -WF_RTCP_WRONG_TYPE;
	rc = wf_rtcp_parse_fb(pkt, fb);
	if (rc) return rc;
	if (fb->fci_len == 0 || fb->fci_len % 4) return -WF_RTCP_TRUNCATED;
	for (off = 0; off < fb->fci_len; off += 4) {
		uint16_t one[WF_RTCP_NACK_FCI_MAX];
		unsigned k = wf_rtcp_nack_fci(fb->fci + off, one), i;

		for (i = 0; i < k; i++, n++)
			if (n < cap) seqs[n] = one[i];
	}
	/* At most 16383 FCIs × 17 in a 64 KiB packet: fits an int. */
	return (int)n;
}

unsigned wf_rtcp_nack_fci(const uint8_t *fci, uint16_t seqs[WF_RTCP_NACK_FCI_MAX])
{
	/* RFC 4585 §6.2.1: PID lost; BLP bit i set: PID + i + 1 lost. */
	uint16_t pid = wf_rtp_rd16(fci);
	uint32_t blp = wf_rtp_rd16(fci + 2);
	unsigned n = 0;

	seqs[n++] = pid;
	while (blp) {
		seqs[n++] = (uint16_t)(pid + (unsigned)__builtin_ctz(blp) + 1);
		blp &= blp - 1;
	}
	return n;
}

int wf_rtcp_parse_pli(const struct wf_rtcp_pkt *pkt, struct wf_rtcp_fb *fb)
{
	if (pkt->pt != WF_RTCP_PSFB || pkt->count != WF_RTCP_FMT_PLI)
		return -WF_RTCP_WRONG_TYPE;
	return wf_rtcp_parse_fb(pkt, fb);	/* RFC 4585 §6.3.1: no FCI */
}

int wf_rtcp_parse_fir(const struct wf_rtcp_pkt *pkt, struct wf_rtcp_fb *fb,
		      struct wf_rtcp_fir_entry *entries, size_t cap)
{
	size_t n, i;
	int rc;

	if (pkt->pt != WF_RTCP_PSFB || pkt->count != WF_RTCP_FMT_FIR)
		return -WF_RTCP_WRONG_TYPE;
	rc = wf_rtcp_parse_fb(pkt, fb);
	if (rc) return rc;
	/* RFC 5104 §4.3.1.1: SSRC, seq nr, 24 reserved bits per entry. */
	if (fb->fci_len == 0 || fb->fci_len % 8) return -WF_RTCP_TRUNCATED;
	n = fb->fci_len / 8;
	for (i = 0; i < n && i < cap; i++) {
		entries[i].ssrc = wf_rtp_rd32(fb->fci + 8 * i);
		entries[i].seq = fb->fci[8 * i + 4];
	}
	return (int)n;
}

/* The REMB identifier (draft-alvestrand-rmcat-remb-03 §2.2). */
static const uint8_t remb_id[4] = { 'R', 'E', 'M', 'B' };

int wf_rtcp_parse_remb(const struct wf_rtcp_pkt *pkt, struct wf_rtcp_remb *r,
		       uint32_t *ssrcs, size_t cap)
{
	struct wf_rtcp_fb fb;
	unsigned n, exp, i;
	uint32_t mant;
	int rc;

	if (pkt->pt != WF_RTCP_PSFB || pkt->count != WF_RTCP_FMT_AFB)
		return -WF_RTCP_WRONG_TYPE;
	rc = wf_rtcp_parse_fb(pkt, &fb);
	if (rc) return rc;
	if (fb.fci_len < 4 || memcmp(fb.fci, remb_id, 4) != 0)
		return -WF_RTCP_WRONG_TYPE;	/* another application's */
	if (fb.fci_len < 8) return -WF_RTCP_TRUNCATED;
	n = fb.fci[4];
	if (fb.fci_len != 8 + 4 * n) return -WF_RTCP_TRUNCATED;
	exp = fb.fci[5] >> 2;
	mant = (uint32_t)(fb.fci[5] & 3) << 16 | (uint32_t)fb.fci[6] << 8 | fb.fci[7];
	r->sender_ssrc = fb.sender_ssrc;
	/* 18 bits shifted by up to 63: past 64 bits it saturates */
	r->bitrate_bps = exp > 46 && mant >> (64 - exp) ? UINT64_MAX : (uint64_t)mant << exp;
	for (i = 0; i < n && i < cap; i++)
		ssrcs[i] = wf_rtp_rd32(fb.fci + 8 + 4 * i);
	return (int)n;
}

/* ---- Builders ------------------------------------------------------------ */

/* Writes the 4-byte common header for a packet of len bytes (a multiple of
 * 4, RFC 3550 §6.4.1). */
static void wf_rtcp_put_hdr(uint8_t *buf, uint8_t count, uint8_t pt, size_t len)
{
	buf[0] = (uint8_t)(0x80 | (count & 0x1f));
	buf[1] = pt;
	wf_rtp_wr16(buf + 2, (uint16_t)(len / 4 - 1));
}

static void wf_rtcp_put_report(uint8_t *q, const struct wf_rtcp_report *rb)
{
	int32_t lost = rb->cumulative_lost;

	if (lost > 0x7fffff) lost = 0x7fffff;
	if (lost < -0x800000) lost = -0x800000;
	wf_rtp_wr32(q, rb->ssrc);
	/* fraction (8 bits) then cumulative lost as 24-bit two's complement */
	wf_rtp_wr32(q + 4, (uint32_t)rb->fraction_lost << 24 |
			   ((uint32_t)lost & 0xffffffu));
	wf_rtp_wr32(q + 8, rb->ext_highest_seq);
	wf_rtp_wr32(q + 12, rb->jitter);
	wf_rtp_wr32(q + 16, rb->lsr);
	wf_rtp_wr32(q + 20, rb->dlsr);
}

int wf_rtcp_build_sr(uint8_t *buf, size_t cap, uint32_t ssrc,
		     const struct wf_rtcp_sender_info *si,
		     const struct wf_rtcp_report *rb, unsigned n)
{
	size_t len = 8 + WF_RTCP_SENDER_INFO_LEN + (size_t)n * WF_RTCP_REPORT_LEN;
	unsigned i;

	if (n > WF_RTCP_MAX_REPORTS || (n && !rb) || !si) return -WF_RTCP_BAD_PARAM;
	if (cap < len) return -WF_RTCP_NO_ROOM;
	wf_rtcp_put_hdr(buf, (uint8_t)n, WF_RTCP_SR, len);
	wf_rtp_wr32(buf + 4, ssrc);
	wf_rtp_wr32(buf + 8, (uint32_t)(si->ntp >> 32));
	wf_rtp_wr32(buf + 12, (uint32_t)si->ntp);
	wf_rtp_wr32(buf + 16, si->rtp_ts);
	wf_rtp_wr32(buf + 20, si->packet_count);
	wf_rtp_wr32(buf + 24, si->octet_count);
	for (i = 0; i < n; i++)
		wf_rtcp_put_report(buf + 28 + (size_t)i * WF_RTCP_REPORT_LEN, &rb[i]);
	return (int)len;
}

int wf_rtcp_build_rr(uint8_t *buf, size_t cap, uint32_t ssrc,
		     const struct wf_rtcp_report *rb, unsigned n)
{
	size_t len = 8 + (size_t)n * WF_RTCP_REPORT_LEN;
	unsigned i;

	if (n > WF_RTCP_MAX_REPORTS || (n && !rb)) return -WF_RTCP_BAD_PARAM;
	if (cap < len) return -WF_RTCP_NO_ROOM;
	wf_rtcp_put_hdr(buf, (uint8_t)n, WF_RTCP_RR, len);
	wf_rtp_wr32(buf + 4, ssrc);
	for (i = 0; i < n; i++)
		wf_rtcp_put_report(buf + 8 + (size_t)i * WF_RTCP_REPORT_LEN, &rb[i]);
	return (int)len;
}

int wf_rtcp_build_sdes_cname(uint8_t *buf, size_t cap, uint32_t ssrc,
			     const char *cname, size_t cname_len)
{
	/* header, SSRC, CNAME item, at least one null octet, then padding
	 * to 32 bits (RFC 3550 §6.5) */
	size_t items = 2 + cname_len + 1;
	size_t len = 8 + ((items + 3) & ~(size_t)3);

	if (!cname || cname_len == 0 || cname_len > 255) return -WF_RTCP_BAD_PARAM;
	if (cap < len) return -WF_RTCP_NO_ROOM;
	wf_rtcp_put_hdr(buf, 1, WF_RTCP_SDES, len);
	wf_rtp_wr32(buf + 4, ssrc);
	buf[8] = WF_RTCP_SDES_CNAME;
	buf[9] = (uint8_t)cname_len;
	memcpy(buf + 10, cname, cname_len);
	memset(buf + 10 + cname_len, 0, len - 10 - cname_len);
	return (int)len;
}

int wf_rtcp_build_nack(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
		       uint32_t media_ssrc, const uint16_t *seqs, size_t n)
{
	size_t len = 12, i;
	uint8_t *fci = NULL;
	uint16_t pid = 0, blp = 0;

	if (!seqs || n == 0) return -WF_RTCP_BAD_PARAM;
	if (cap < 12) return -WF_RTCP_NO_ROOM;
	for (i = 0; i < n; i++) {
		uint16_t d = (uint16_t)(seqs[i] - pid);

		if (fci && d == 0) continue;
		if (fci && d <= 16) {		/* RFC 4585 §6.2.1 BLP bit d-1 */
			blp |= (uint16_t)(1u << (d - 1));
			wf_rtp_wr16(fci + 2, blp);
			continue;
		}
		/* New FCI; the length word caps a packet at 65536 words. */
		if (len + 4 > 4u * 65536) return -WF_RTCP_BAD_PARAM;
		if (cap < len + 4) return -WF_RTCP_NO_ROOM;
		fci = buf + len;
		pid = seqs[i];
		blp = 0;
		wf_rtp_wr16(fci, pid);
		wf_rtp_wr16(fci + 2, 0);
		len += 4;
	}
	wf_rtcp_put_hdr(buf, WF_RTCP_FMT_NACK, WF_RTCP_RTPFB, len);
	wf_rtp_wr32(buf + 4, sender_ssrc);
	wf_rtp_wr32(buf + 8, media_ssrc);
	return (int)len;
}

int wf_rtcp_build_pli(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
		      uint32_t media_ssrc)
{
	if (cap < 12) return -WF_RTCP_NO_ROOM;
	wf_rtcp_put_hdr(buf, WF_RTCP_FMT_PLI, WF_RTCP_PSFB, 12);
	wf_rtp_wr32(buf + 4, sender_ssrc);
	wf_rtp_wr32(buf + 8, media_ssrc);
	return 12;
}

int wf_rtcp_build_fir(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
		      const struct wf_rtcp_fir_entry *e, size_t n)
{
	size_t len, i;

	if (!e || n == 0 || n > (4u * 65536 - 12) / 8) return -WF_RTCP_BAD_PARAM;
	len = 12 + 8 * n;
	if (cap < len) return -WF_RTCP_NO_ROOM;
	wf_rtcp_put_hdr(buf, WF_RTCP_FMT_FIR, WF_RTCP_PSFB, len);
	wf_rtp_wr32(buf + 4, sender_ssrc);
	wf_rtp_wr32(buf + 8, 0);		/* RFC 5104 §4.3.1.2 */
	for (i = 0; i < n; i++) {
		uint8_t *q = buf + 12 + 8 * i;

		wf_rtp_wr32(q, e[i].ssrc);
		wf_rtp_wr32(q + 4, (uint32_t)e[i].seq << 24);
	}
	return (int)len;
}

int wf_rtcp_build_remb(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint64_t bitrate_bps,
		       const uint32_t *ssrcs, size_t n)
{
	unsigned exp = 0;
	size_t len, i;

	if (!ssrcs || n == 0 || n > 255) return -WF_RTCP_BAD_PARAM;
	len = 20 + 4 * n;
	if (cap < len) return -WF_RTCP_NO_ROOM;
	while (bitrate_bps > 0x3ffff) {	/* rounded down: never more than asked */
		bitrate_bps >>= 1;
		exp++;
	}
	wf_rtcp_put_hdr(buf, WF_RTCP_FMT_AFB, WF_RTCP_PSFB, len);
	wf_rtp_wr32(buf + 4, sender_ssrc);
	wf_rtp_wr32(buf + 8, 0);		/* §2.2: the media source is 0 */
	memcpy(buf + 12, remb_id, 4);
	buf[16] = (uint8_t)n;
	buf[17] = (uint8_t)(exp << 2 | bitrate_bps >> 16);
	wf_rtp_wr16(buf + 18, (uint16_t)bitrate_bps);
	for (i = 0; i < n; i++)
		wf_rtp_wr32(buf + 20 + 4 * i, ssrcs[i]);
	return (int)len;
}

/* ---- NTP ----------------------------------------------------------------- */

#define WF_NS_PER_S 1000000000ull

uint64_t wf_ntp_from_ns(uint64_t unix_ns)
{
	uint64_t sec = unix_ns / WF_NS_PER_S + WF_NTP_UNIX_OFFSET;
	uint64_t ns = unix_ns % WF_NS_PER_S;
	/* ns × 2^32 < 2^62: no overflow; rounds to the nearest 2^-32 s. */
	uint64_t frac = ((ns << 32) + WF_NS_PER_S / 2) / WF_NS_PER_S;

	return (sec << 32) + frac;
}

uint64_t wf_ntp_from_timespec(const struct timespec *ts)
{
	return wf_ntp_from_ns((uint64_t)ts->tv_sec * WF_NS_PER_S + (uint64_t)ts->tv_nsec);
}

uint64_t wf_ntp_to_ns(uint64_t ntp)
{
	uint64_t sec = ntp >> 32;
	uint64_t frac = ntp & 0xffffffffu;

	if (sec < WF_NTP_UNIX_OFFSET)
		sec += 1ull << 32;		/* NTP era 1 */
	return (sec - WF_NTP_UNIX_OFFSET) * WF_NS_PER_S +
	       ((frac * WF_NS_PER_S + (1ull << 31)) >> 32);
}

uint32_t wf_ntp_short_from_ns(uint64_t ns)
{
	uint64_t s = ns / WF_NS_PER_S, rem = ns % WF_NS_PER_S;
	uint64_t v;

	if (s >= 65536) return UINT32_MAX;
	v = (s << 16) + ((rem << 16) + WF_NS_PER_S / 2) / WF_NS_PER_S;
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

int wf_rtcp_rtt(uint32_t now_mid32, uint32_t lsr, uint32_t dlsr, uint32_t *rtt)
{
	uint32_t elapsed = now_mid32 - lsr;

	if (lsr == 0) return -ENODATA;	/* RFC 3550 §6.4.1: no SR yet */
	/* Over half the 2^32 circle means "before the SR": a clock error. */
	if (elapsed >= 0x80000000u || dlsr > elapsed) return -ERANGE;
	*rtt = elapsed - dlsr;
	return 0;
}
