/* sdp_answer.c: writing the SDP answer into a caller's buffer. */
#include "sdp/sdp_answer.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A bounded writer: once something does not fit, it stops and remembers. */
struct wbuf {
	char *p;
	size_t cap;
	size_t len;
	bool full;
};

__attribute__((format(printf, 2, 3)))
static void wb_printf(struct wbuf *w, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (w->full)
		return;
	room = w->cap - w->len;
	va_start(ap, fmt);
	n = vsnprintf(w->p + w->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		w->full = true;
		w->p[w->len] = '\0';	/* drop the partial line */
		return;
	}
	w->len += (size_t)n;
}

/* Printable ASCII without blanks: safe inside an SDP line. */
static bool safe_token(const char *s, size_t max)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; *s; s++, n++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f || n >= max)
			return false;
	return n > 0;
}

static bool ice_token(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; *s; s++, n++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '/') || n >= max)
			return false;
	}
	return n >= min;
}

static bool params_ok(const struct wf_sdp_answer_params *p)
{
	if (!safe_token(p->addr, 64) || strspn(p->addr, "0123456789abcdefABCDEF.:") != strlen(p->addr))
		return false;
	if (!p->port)
		return false;
	if (!ice_token(p->ice_ufrag, WF_SDP_UFRAG_MIN, WF_SDP_UFRAG_MAX) ||
	    !ice_token(p->ice_pwd, WF_SDP_PWD_MIN, WF_SDP_PWD_MAX))
		return false;
	if (!safe_token(p->stream_id, 64) || !safe_token(p->cname, 64))
		return false;
	if ((!p->tracks && p->ntracks) || p->ntracks > WF_SDP_MAX_MEDIA)
		return false;
	if (p->role != WF_SDP_ROLE_WHEP && p->role != WF_SDP_ROLE_WHIP)
		return false;
	for (unsigned i = 0; p->role == WF_SDP_ROLE_WHEP && i < p->ntracks; i++)
		if (!safe_token(p->tracks[i].track_id, 64))
			return false;
	return true;
}

static void write_fingerprint(struct wbuf *w, const uint8_t fp[WF_SDP_FP_LEN])
{
	wb_printf(w, "a=fingerprint:sha-256 ");
	for (int i = 0; i < WF_SDP_FP_LEN; i++)
		wb_printf(w, "%02X%s", fp[i], i + 1 < WF_SDP_FP_LEN ? ":" : "\r\n");
}

static void write_rejected(struct wbuf *w, const struct wf_sdp_media *med, const char *ipv)
{
	/* RFC 3264 §6: port 0, at least one format; RFC 8843 §7.3.3: not bundled. */
	wb_printf(w, "m=%s 0 %s %s\r\n", med->kind_name, med->proto,
		  med->first_fmt ? med->first_fmt : "0");
	wb_printf(w, "c=IN %s 0.0.0.0\r\n", ipv);
	if (med->mid)
		wb_printf(w, "a=mid:%s\r\n", med->mid);
	wb_printf(w, "a=inactive\r\n");
}

static void write_accepted(struct wbuf *w, const struct wf_sdp_media *med,
			   const struct wf_sdp_match *mm, const struct wf_sdp_answer_params *p,
			   const char *ipv)
{
	const struct wf_sdp_format *f = wf_sdp_media_format(med, mm->pt);
	const struct wf_sdp_track *t = &p->tracks[mm->track];

	wb_printf(w, "m=%s %u UDP/TLS/RTP/SAVPF %u\r\n", med->kind_name, p->port, mm->pt);
	wb_printf(w, "c=IN %s %s\r\n", ipv, p->addr);
	wb_printf(w, "a=mid:%s\r\n", med->mid);
	wb_printf(w, "a=%s\r\n", wf_sdp_dir_name(mm->dir));
	wb_printf(w, "a=rtcp-mux\r\n");
	if (med->rtcp_rsize)	/* RFC 5506 §5: only when offered */
		wb_printf(w, "a=rtcp-rsize\r\n");
	wb_printf(w, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", p->ice_ufrag, p->ice_pwd);
	write_fingerprint(w, p->fingerprint);
	wb_printf(w, "a=setup:passive\r\n");	/* RFC 8842 §5.3: we are the DTLS server */
	if (f && f->channels > 1)
		wb_printf(w, "a=rtpmap:%u %s/%u/%u\r\n", mm->pt, f->name, f->clock_rate, f->channels);
	else if (f)
		wb_printf(w, "a=rtpmap:%u %s/%u\r\n", mm->pt, f->name, f->clock_rate);
	if (mm->fmtp[0])	/* WHEP: what we send; WHIP: what we read in the offer */
		wb_printf(w, "a=fmtp:%u %s\r\n", mm->pt, mm->fmtp);
	if (mm->fb & WF_SDP_FB_NACK)
		wb_printf(w, "a=rtcp-fb:%u nack\r\n", mm->pt);
	if (mm->fb & WF_SDP_FB_PLI)
		wb_printf(w, "a=rtcp-fb:%u nack pli\r\n", mm->pt);
	if (mm->fb & WF_SDP_FB_FIR)
		wb_printf(w, "a=rtcp-fb:%u ccm fir\r\n", mm->pt);
	if (mm->fb & WF_SDP_FB_REMB)	/* WHIP only (sdp_match.h) */
		wb_printf(w, "a=rtcp-fb:%u goog-remb\r\n", mm->pt);
	if (mm->dir == WF_SDP_DIR_SENDONLY) {	/* WHEP: what we send (RFC 8830) */
		wb_printf(w, "a=msid:%s %s\r\n", p->stream_id, t->track_id);
		wb_printf(w, "a=ssrc:%u cname:%s\r\n", t->ssrc, p->cname);
	}
	/* RFC 8839 §5.1; priority: type preference 126, local 65535, component 1. */
	wb_printf(w, "a=candidate:1 1 udp 2130706431 %s %u typ host\r\n", p->addr, p->port);
	wb_printf(w, "a=end-of-candidates\r\n");
}

int wf_sdp_answer_build(const struct wf_sdp_offer *o, const struct wf_sdp_answer_params *p,
			struct wf_sdp_match m[WF_SDP_MAX_MEDIA], char *buf, size_t cap,
			size_t *len, struct wf_sdp_error *err)
{
	struct wf_sdp_match local[WF_SDP_MAX_MEDIA];
	struct wbuf w = { .p = buf, .cap = cap };
	const char *ipv;
	int rc;

	if (err) {
		err->code = 0;
		err->line = 0;
		err->reason[0] = '\0';
	}
	if (buf && cap)
		buf[0] = '\0';
	if (!o || !p || !buf || !cap || !len || !params_ok(p)) {
		if (err) {
			err->code = WF_SDP_E_BAD_PARAM;
			snprintf(err->reason, sizeof(err->reason), "bad answer parameters");
		}
		return -WF_SDP_E_BAD_PARAM;
	}
	if (!m)
		m = local;
	rc = wf_sdp_match_role(p->role, o, p->tracks, p->ntracks, p->allow_partial, m, err);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; p->no_nack && i < o->nmedia; i++)
		m[i].fb &= (uint8_t)~WF_SDP_FB_NACK;	/* "nack pli" is PLI, kept */
	ipv = strchr(p->addr, ':') ? "IP6" : "IP4";

	/* RFC 8866 §5: v, o, s, t in this order. */
	wb_printf(&w, "v=0\r\no=- %llu 2 IN %s %s\r\ns=-\r\nt=0 0\r\n",
		  (unsigned long long)p->session_id, ipv, p->addr);
	if (o->nbundle) {
		wb_printf(&w, "a=group:BUNDLE");
		for (unsigned i = 0; i < o->nmedia; i++)
			if (m[i].accepted)
				wb_printf(&w, " %s", o->media[i].mid);
		wb_printf(&w, "\r\n");
	}
	wb_printf(&w, "a=ice-lite\r\n");	/* RFC 8839 §5.3 */
	wb_printf(&w, "a=msid-semantic:WMS %s\r\n", p->stream_id);
	for (unsigned i = 0; i < o->nmedia; i++) {
		if (m[i].accepted)
			write_accepted(&w, &o->media[i], &m[i], p, ipv);
		else
			write_rejected(&w, &o->media[i], ipv);
	}
	if (w.full) {
		buf[0] = '\0';
		if (err) {
			err->code = WF_SDP_E_NO_ROOM;
			snprintf(err->reason, sizeof(err->reason), "answer does not fit in %zu bytes", cap);
		}
		return -WF_SDP_E_NO_ROOM;
	}
	*len = w.len;
	return 0;
}
