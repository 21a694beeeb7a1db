/* sdp.c: the offer parser, fmtp and candidate helpers, and the
 * trickle-ice-sdpfrag parser.
 *
 * The body is copied into the offer's own buffer and cut in place: each line
 * end and each token separator becomes a NUL, so every parsed string is a
 * pointer into that buffer.  Lines are dispatched by type letter, and a=
 * lines through one table of short handlers.
 */
#include "sdp/sdp.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const wf_sdp_error_text[WF_SDP_E_COUNT] = {
	[WF_SDP_OK] = "ok",
#define WF_SDP_TEXT_(n, s) [WF_SDP_E_##n] = s,
	WF_SDP_ERRORS(WF_SDP_TEXT_)
#undef WF_SDP_TEXT_
};

const char *wf_sdp_strerror(int code)
{
	if (code < 0)
		code = -code;
	if (code >= WF_SDP_E_COUNT)
		return "unknown SDP error";
	return wf_sdp_error_text[code];
}

const char *wf_sdp_kind_name(enum wf_sdp_kind k)
{
	switch (k) {
	case WF_SDP_KIND_AUDIO: return "audio";
	case WF_SDP_KIND_VIDEO: return "video";
	case WF_SDP_KIND_APPLICATION: return "application";
	default: return "other";
	}
}

const char *wf_sdp_dir_name(enum wf_sdp_dir d)
{
	switch (d) {
	case WF_SDP_DIR_SENDRECV: return "sendrecv";
	case WF_SDP_DIR_SENDONLY: return "sendonly";
	case WF_SDP_DIR_RECVONLY: return "recvonly";
	case WF_SDP_DIR_INACTIVE: return "inactive";
	default: return "none";
	}
}

/* Records an error and returns -code.  line 0: not tied to a line. */
__attribute__((format(printf, 4, 5)))
static int sdp_fail(struct wf_sdp_error *err, int code, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!err)
		return -code;
	err->code = code;
	err->line = line;
	if (line)
		n = snprintf(err->reason, sizeof(err->reason), "line %u: ", line);
	if (n < 0 || (size_t)n >= sizeof(err->reason))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(err->reason + n, sizeof(err->reason) - (size_t)n, fmt, ap);
	va_end(ap);
	return -code;
}

/* ---- small lexical helpers ---- */

/* Splits the next blank-separated token off *p (in place); NULL if none. */
static char *sdp_tok(char **p)
{
	char *s = *p;
	char *t;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s) {
		*p = s;
		return NULL;
	}
	t = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return t;
}

/* Skips blanks; returns the rest (may be ""). */
static char *sdp_rest(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Decimal digits only, no sign or blanks, value <= max. */
static int sdp_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		d = (unsigned)(*s - '0');
		if (v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int sdp_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int rc = sdp_u64(s, max, &v);

	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

/* ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4). */
static bool sdp_ice_chars(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	for (; *s; s++, n++) {
		if (!isalnum((unsigned char)*s) && *s != '+' && *s != '/')
			return false;
		if (n >= max)
			return false;
	}
	return n >= min;
}

/* token-char of RFC 8866 §9: visible ASCII except a few separators. */
static bool sdp_token(const char *s, size_t max)
{
	size_t n = 0;

	for (; *s; s++, n++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", c))
			return false;
		if (n >= max)
			return false;
	}
	return n > 0;
}

static int sdp_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ---- line iteration ---- */

struct sdp_lines {
	char *p;
	char *end;		/* *end is a NUL written by the caller */
	unsigned lineno;
	unsigned max_lines;
};

/* Cuts the next non-empty line (CRLF or LF end) and NUL-terminates it.
 * Returns 1 with *line set, 0 at the end, or a negative error. */
static int sdp_next_line(struct sdp_lines *it, char **line, struct wf_sdp_error *err)
{
	for (;;) {
		char *s = it->p;
		char *nl, *e;

		if (s >= it->end)
			return 0;
		nl = memchr(s, '\n', (size_t)(it->end - s));
		e = nl ? nl : it->end;
		it->p = nl ? nl + 1 : it->end;
		if (++it->lineno > it->max_lines)
			return sdp_fail(err, WF_SDP_E_TOO_MANY_LINES, 0,
					"more than %u lines", it->max_lines);
		if (e > s && e[-1] == '\r')
			e--;
		if ((size_t)(e - s) > WF_SDP_MAX_LINE)
			return sdp_fail(err, WF_SDP_E_LINE_TOO_LONG, it->lineno,
					"line longer than %d bytes", WF_SDP_MAX_LINE);
		*e = '\0';
		if (memchr(s, '\r', (size_t)(e - s)))
			return sdp_fail(err, WF_SDP_E_BAD_LINE, it->lineno, "CR inside a line");
		if (e == s)
			continue;	/* tolerate blank lines */
		if (!(*s >= 'a' && *s <= 'z') || s[1] != '=')
			return sdp_fail(err, WF_SDP_E_BAD_LINE, it->lineno,
					"line is not <letter>=<value>");
		*line = s;
		return 1;
	}
}

/* ---- the offer parser ---- */

struct sdp_ctx {
	struct wf_sdp_offer *o;
	struct wf_sdp_media *m;		/* current media section, NULL at session level */
	bool m_rtp;			/* current media's formats are RTP payload types */
	bool seen_o, seen_s, seen_t;
	bool sess_fp_seen;		/* a sha-256 fingerprint at session level */
	unsigned lineno;
	struct wf_sdp_error *err;
};

#define SDP_FAIL(c, code, ...) sdp_fail((c)->err, WF_SDP_E_##code, (c)->lineno, __VA_ARGS__)

static struct wf_sdp_format *sdp_find_format(struct wf_sdp_media *m, unsigned pt)
{
	for (unsigned i = 0; i < m->nformats; i++)
		if (m->formats[i].pt == pt)
			return &m->formats[i];
	return NULL;
}

const struct wf_sdp_format *wf_sdp_media_format(const struct wf_sdp_media *m, unsigned pt)
{
	if (!m)
		return NULL;
	for (unsigned i = 0; i < m->nformats; i++)
		if (m->formats[i].pt == pt)
			return &m->formats[i];
	return NULL;
}

bool wf_sdp_media_usable(const struct wf_sdp_media *m)
{
	return m && m->proto_ok && (m->port != 0 || m->bundle_only);
}

/* Parses a payload type (0..127, RFC 3550 §5.1: 7 bits). */
static int sdp_pt(struct sdp_ctx *c, const char *s, const char *what, unsigned *pt)
{
	uint32_t v;

	if (!s || sdp_u32(s, 127, &v) != 0)
		return SDP_FAIL(c, BAD_PT, "%s: payload type \"%.16s\" is not a number from 0 to 127",
				what, s ? s : "");
	*pt = v;
	return 0;
}

/* v=0 is checked by the caller; o=<user> <sess-id> <version> <nettype>
 * <addrtype> <address> (RFC 8866 §5.2). */
static int sdp_line_o(struct sdp_ctx *c, char *v)
{
	char *tk[6];

	for (int i = 0; i < 6; i++)
		tk[i] = sdp_tok(&v);
	if (!tk[5])
		return SDP_FAIL(c, BAD_ORIGIN, "o= needs 6 fields");
	if (sdp_u64(tk[1], UINT64_MAX, &c->o->sess_id) != 0 ||
	    sdp_u64(tk[2], UINT64_MAX, &c->o->sess_version) != 0)
		return SDP_FAIL(c, BAD_ORIGIN, "o= session id and version must be numbers");
	c->seen_o = true;
	return 0;
}

/* t=<start> <stop> (RFC 8866 §5.9). */
static int sdp_line_t(struct sdp_ctx *c, char *v)
{
	char *a = sdp_tok(&v), *b = sdp_tok(&v);
	uint64_t x;

	if (!a || !b || sdp_u64(a, UINT64_MAX, &x) || sdp_u64(b, UINT64_MAX, &x))
		return SDP_FAIL(c, BAD_TIMING, "t= needs two numbers");
	c->seen_t = true;
	return 0;
}

/* m=<media> <port>[/<n>] <proto> <fmt> ... (RFC 8866 §5.14). */
static int sdp_line_m(struct sdp_ctx *c, char *v)
{
	struct wf_sdp_offer *o = c->o;
	struct wf_sdp_media *m;
	char *kind, *port, *proto, *fmt, *slash;
	uint32_t p, n;
	unsigned idx = o->nmedia;

	if (o->nmedia >= WF_SDP_MAX_MEDIA)
		return SDP_FAIL(c, TOO_MANY_MEDIA, "more than %d m= sections", WF_SDP_MAX_MEDIA);
	m = &o->media[o->nmedia++];
	memset(m, 0, sizeof(*m));
	c->m = m;
	kind = sdp_tok(&v);
	port = sdp_tok(&v);
	proto = sdp_tok(&v);
	if (!kind || !port || !proto)
		return SDP_FAIL(c, BAD_MEDIA, "media %u: m= needs <media> <port> <proto> <fmt>", idx);
	if (!sdp_token(kind, 32))
		return SDP_FAIL(c, BAD_MEDIA, "media %u: bad media type", idx);
	slash = strchr(port, '/');
	if (slash) {
		*slash = '\0';
		if (sdp_u32(slash + 1, 65535, &n) != 0)
			return SDP_FAIL(c, BAD_MEDIA, "media %u: bad port count", idx);
	}
	if (sdp_u32(port, 65535, &p) != 0)
		return SDP_FAIL(c, BAD_MEDIA, "media %u: port is not a number from 0 to 65535", idx);
	m->port = (uint16_t)p;
	m->kind_name = kind;
	m->proto = proto;
	if (strcmp(kind, "audio") == 0)
		m->kind = WF_SDP_KIND_AUDIO;
	else if (strcmp(kind, "video") == 0)
		m->kind = WF_SDP_KIND_VIDEO;
	else if (strcmp(kind, "application") == 0)
		m->kind = WF_SDP_KIND_APPLICATION;
	else
		m->kind = WF_SDP_KIND_OTHER;
	m->proto_ok = strcasecmp(proto, "UDP/TLS/RTP/SAVPF") == 0;
	/* RTP profiles list payload types (RFC 8866 §5.14); others (SCTP) do not. */
	c->m_rtp = strstr(proto, "RTP/") != NULL;

	unsigned count = 0;

	while ((fmt = sdp_tok(&v)) != NULL) {
		if (count++ >= WF_SDP_MAX_FORMATS)
			return SDP_FAIL(c, TOO_MANY_FORMATS, "media %u: more than %d formats",
					idx, WF_SDP_MAX_FORMATS);
		if (!m->first_fmt)
			m->first_fmt = fmt;
		if (!c->m_rtp)
			continue;
		unsigned pt = 0;
		int rc = sdp_pt(c, fmt, "m=", &pt);

		if (rc)
			return rc;
		if (sdp_find_format(m, pt))
			return SDP_FAIL(c, BAD_MEDIA, "media %u: payload type %u listed twice", idx, pt);
		m->formats[m->nformats++].pt = (uint8_t)pt;
	}
	if (!count)
		return SDP_FAIL(c, BAD_MEDIA, "media %u: m= line has no format", idx);
	return 0;
}

/* ---- attribute handlers: 0 or negative error; val is the text after ':' ---- */

static int sdp_a_group(struct sdp_ctx *c, char *v)
{
	struct wf_sdp_offer *o = c->o;
	char *sem = sdp_tok(&v), *mid;

	if (c->m)
		return 0;	/* session-level only (RFC 5888 §5) */
	if (!sem)
		return SDP_FAIL(c, BAD_ATTRIBUTE, "a=group without semantics");
	if (strcmp(sem, "BUNDLE") != 0)
		return 0;
	if (o->nbundle)
		return SDP_FAIL(c, BAD_BUNDLE, "more than one BUNDLE group");
	while ((mid = sdp_tok(&v)) != NULL) {
		if (o->nbundle >= WF_SDP_MAX_BUNDLE)
			return SDP_FAIL(c, TOO_MANY_MEDIA, "a=group:BUNDLE lists more than %d mids",
					WF_SDP_MAX_BUNDLE);
		if (!sdp_token(mid, WF_SDP_MAX_MID))
			return SDP_FAIL(c, BAD_BUNDLE, "a=group:BUNDLE has a bad mid");
		for (unsigned i = 0; i < o->nbundle; i++)
			if (strcmp(o->bundle[i], mid) == 0)
				return SDP_FAIL(c, BAD_BUNDLE, "a=group:BUNDLE lists mid \"%s\" twice", mid);
		o->bundle[o->nbundle++] = mid;
	}
	if (!o->nbundle)
		return SDP_FAIL(c, BAD_BUNDLE, "a=group:BUNDLE lists no mid");
	return 0;
}

/* a=ice-ufrag or a=ice-pwd (RFC 8839 §5.4) into *dst: once per level,
 * min to max ice-chars. */
static int sdp_ice_cred(struct sdp_ctx *c, char *v, const char **dst, const char *attr,
			int min, int max)
{
	if (*dst)
		return SDP_FAIL(c, DUPLICATE, "a=%s given twice", attr);
	if (!sdp_ice_chars(v, min, max))
		return SDP_FAIL(c, BAD_ICE, "a=%s must be %d to %d ice-chars", attr, min, max);
	*dst = v;
	return 0;
}

static int sdp_a_ufrag(struct sdp_ctx *c, char *v)
{
	return sdp_ice_cred(c, v, c->m ? &c->m->ice_ufrag : &c->o->ice_ufrag, "ice-ufrag",
			    WF_SDP_UFRAG_MIN, WF_SDP_UFRAG_MAX);
}

static int sdp_a_pwd(struct sdp_ctx *c, char *v)
{
	return sdp_ice_cred(c, v, c->m ? &c->m->ice_pwd : &c->o->ice_pwd, "ice-pwd",
			    WF_SDP_PWD_MIN, WF_SDP_PWD_MAX);
}

static int sdp_a_ice_options(struct sdp_ctx *c, char *v)
{
	char *t;

	while ((t = sdp_tok(&v)) != NULL)
		if (strcmp(t, "trickle") == 0)
			c->o->trickle = true;
	return 0;
}

static int sdp_a_ice_lite(struct sdp_ctx *c, char *v)
{
	(void)v;
	if (!c->m)
		c->o->ice_lite = true;
	return 0;
}

/* Decodes "AB:CD:...": exactly n colon-separated hex pairs (RFC 8122 §5). */
static int sdp_colon_hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = sdp_hexval((unsigned char)s[0]);
		int lo = hi < 0 ? -1 : sdp_hexval((unsigned char)s[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i + 1 < n) {
			if (*s != ':')
				return *s ? -EINVAL : -EMSGSIZE;
			s++;
		}
	}
	return *s ? -EMSGSIZE : 0;
}

/* a=fingerprint:<hash-func> <colon-hex> (RFC 8122 §5).  Only sha-256 is
 * kept; other hash functions are allowed and ignored. */
static int sdp_a_fingerprint(struct sdp_ctx *c, char *v)
{
	char *alg = sdp_tok(&v), *hex = sdp_tok(&v);
	bool *has = c->m ? &c->m->has_fingerprint : &c->o->has_fingerprint;
	uint8_t *dst = c->m ? c->m->fingerprint : c->o->fingerprint;
	int rc;

	if (!alg || !hex)
		return SDP_FAIL(c, BAD_FINGERPRINT, "a=fingerprint needs <hash-function> <hex>");
	if (strcasecmp(alg, "sha-256") != 0)
		return 0;
	if (*has)
		return SDP_FAIL(c, DUPLICATE, "a=fingerprint:sha-256 given twice");
	rc = sdp_colon_hex(hex, dst, WF_SDP_FP_LEN);
	if (rc == -EMSGSIZE)
		return SDP_FAIL(c, BAD_FINGERPRINT, "a=fingerprint:sha-256 is not %d bytes",
				WF_SDP_FP_LEN);
	if (rc)
		return SDP_FAIL(c, BAD_FINGERPRINT, "a=fingerprint:sha-256 is not colon-separated hex");
	*has = true;
	return 0;
}

static int sdp_a_setup(struct sdp_ctx *c, char *v)
{
	enum wf_sdp_setup *dst = c->m ? &c->m->setup : &c->o->setup;
	enum wf_sdp_setup s;

	if (strcmp(v, "actpass") == 0)
		s = WF_SDP_SETUP_ACTPASS;
	else if (strcmp(v, "active") == 0)
		s = WF_SDP_SETUP_ACTIVE;
	else if (strcmp(v, "passive") == 0)
		s = WF_SDP_SETUP_PASSIVE;
	else if (strcmp(v, "holdconn") == 0)
		s = WF_SDP_SETUP_HOLDCONN;
	else
		return SDP_FAIL(c, BAD_SETUP, "a=setup must be actpass, active, passive or holdconn");
	if (*dst)
		return SDP_FAIL(c, DUPLICATE, "a=setup given twice");
	*dst = s;
	return 0;
}

static int sdp_set_dir(struct sdp_ctx *c, enum wf_sdp_dir d)
{
	enum wf_sdp_dir *dst = c->m ? &c->m->dir : &c->o->dir;

	if (*dst)
		return SDP_FAIL(c, DUPLICATE, "more than one direction attribute");
	*dst = d;
	return 0;
}

static int sdp_a_sendrecv(struct sdp_ctx *c, char *v) { (void)v; return sdp_set_dir(c, WF_SDP_DIR_SENDRECV); }
static int sdp_a_sendonly(struct sdp_ctx *c, char *v) { (void)v; return sdp_set_dir(c, WF_SDP_DIR_SENDONLY); }
static int sdp_a_recvonly(struct sdp_ctx *c, char *v) { (void)v; return sdp_set_dir(c, WF_SDP_DIR_RECVONLY); }
static int sdp_a_inactive(struct sdp_ctx *c, char *v) { (void)v; return sdp_set_dir(c, WF_SDP_DIR_INACTIVE); }

static int sdp_a_mid(struct sdp_ctx *c, char *v)
{
	if (!c->m)
		return 0;
	if (c->m->mid)
		return SDP_FAIL(c, DUPLICATE, "a=mid given twice in one media section");
	if (!sdp_token(v, WF_SDP_MAX_MID))
		return SDP_FAIL(c, BAD_ATTRIBUTE, "a=mid must be a token of 1 to %d bytes",
				WF_SDP_MAX_MID);
	c->m->mid = v;
	return 0;
}

static int sdp_a_rtcp_mux(struct sdp_ctx *c, char *v) { (void)v; if (c->m) c->m->rtcp_mux = true; return 0; }
static int sdp_a_rtcp_rsize(struct sdp_ctx *c, char *v) { (void)v; if (c->m) c->m->rtcp_rsize = true; return 0; }
static int sdp_a_bundle_only(struct sdp_ctx *c, char *v) { (void)v; if (c->m) c->m->bundle_only = true; return 0; }
static int sdp_a_eoc(struct sdp_ctx *c, char *v) { (void)v; if (c->m) c->m->end_of_candidates = true; return 0; }

/* a=rtpmap:<pt> <name>/<clock>[/<channels>] (RFC 8866 §6.6). */
static int sdp_a_rtpmap(struct sdp_ctx *c, char *v)
{
	char *pts = sdp_tok(&v), *enc = sdp_tok(&v), *clock, *chan;
	struct wf_sdp_format *f;
	uint32_t rate, ch = 0;
	unsigned pt = 0;
	int rc;

	if (!c->m || !c->m_rtp)
		return 0;
	if (!pts || !enc)
		return SDP_FAIL(c, BAD_ATTRIBUTE, "a=rtpmap needs <pt> <name>/<clock rate>");
	rc = sdp_pt(c, pts, "a=rtpmap", &pt);
	if (rc)
		return rc;
	clock = strchr(enc, '/');
	if (!clock || clock == enc)
		return SDP_FAIL(c, BAD_ATTRIBUTE, "a=rtpmap:%u needs <name>/<clock rate>", pt);
	*clock++ = '\0';
	chan = strchr(clock, '/');
	if (chan)
		*chan++ = '\0';
	if (sdp_u32(clock, UINT32_MAX, &rate) != 0 || rate == 0)
		return SDP_FAIL(c, BAD_ATTRIBUTE, "a=rtpmap:%u: bad clock rate", pt);
	if (chan && (sdp_u32(chan, 255, &ch) != 0 || ch == 0))
		return SDP_FAIL(c, BAD_ATTRIBUTE, "a=rtpmap:%u: bad channel count", pt);
	if (!sdp_token(enc, 64))
		return SDP_FAIL(c, BAD_ATTRIBUTE, "a=rtpmap:%u: bad encoding name", pt);
	f = sdp_find_format(c->m, pt);
	if (!f)
		return 0;	/* not on the m= line: ignored (RFC 8866 §6.6) */
	if (f->name)
		return SDP_FAIL(c, DUPLICATE, "a=rtpmap:%u given twice", pt);
	f->name = enc;
	f->clock_rate = rate;
	f->channels = (uint16_t)ch;
	return 0;
}

/* a=fmtp:<pt> <parameters> (RFC 8866 §6.15). */
static int sdp_a_fmtp(struct sdp_ctx *c, char *v)
{
	char *pts = sdp_tok(&v), *params;
	struct wf_sdp_format *f;
	unsigned pt = 0;
	int rc;

	if (!c->m || !c->m_rtp)
		return 0;
	if (!pts)
		return SDP_FAIL(c, BAD_ATTRIBUTE, "a=fmtp needs <pt> <parameters>");
	rc = sdp_pt(c, pts, "a=fmtp", &pt);
	if (rc)
		return rc;
	params = sdp_rest(v);
	if (!*params)
		return SDP_FAIL(c, BAD_ATTRIBUTE, "a=fmtp:%u has no parameters", pt);
	f = sdp_find_format(c->m, pt);
	if (!f)
		return 0;	/* not on the m= line: ignored */
	if (f->fmtp)
		return SDP_FAIL(c, DUPLICATE, "a=fmtp:%u given twice", pt);
	f->fmtp = params;
	return 0;
}

/* a=rtcp-fb:<pt|*> <type> [<subtype>] (RFC 4585 §4.2). */
static int sdp_a_rtcp_fb(struct sdp_ctx *c, char *v)
{
	char *pts = sdp_tok(&v), *type = sdp_tok(&v), *sub = sdp_tok(&v);
	struct wf_sdp_format *f = NULL;
	uint8_t bit = 0;
	unsigned pt = 0;
	int rc;

	if (!c->m || !c->m_rtp)
		return 0;
	if (!pts || !type)
		return SDP_FAIL(c, BAD_ATTRIBUTE, "a=rtcp-fb needs <pt> <type>");
	if (strcmp(pts, "*") != 0) {
		rc = sdp_pt(c, pts, "a=rtcp-fb", &pt);
		if (rc)
			return rc;
		f = sdp_find_format(c->m, pt);
		if (!f)
			return 0;
	}
	if (strcmp(type, "nack") == 0)
		bit = !sub ? WF_SDP_FB_NACK : strcmp(sub, "pli") == 0 ? WF_SDP_FB_PLI : 0;
	else if (strcmp(type, "ccm") == 0 && sub && strcmp(sub, "fir") == 0)
		bit = WF_SDP_FB_FIR;
	else if (strcmp(type, "transport-cc") == 0)
		bit = WF_SDP_FB_TRANSPORT_CC;
	else if (strcmp(type, "goog-remb") == 0)
		bit = WF_SDP_FB_REMB;
	if (f)
		f->fb |= bit;
	else
		c->m->fb_all |= bit;
	return 0;
}

/* a=extmap:<id>[/<direction>] <uri> [<attributes>] (RFC 8285 §7). */
static int sdp_a_extmap(struct sdp_ctx *c, char *v)
{
	char *ids = sdp_tok(&v), *uri = sdp_tok(&v), *dir;
	struct wf_sdp_media *m = c->m;
	uint32_t id;

	if (!m)
		return 0;
	if (!ids || !uri)
		return SDP_FAIL(c, BAD_ATTRIBUTE, "a=extmap needs <id> <uri>");
	dir = strchr(ids, '/');
	if (dir) {
		*dir++ = '\0';
		if (strcmp(dir, "sendrecv") && strcmp(dir, "sendonly") &&
		    strcmp(dir, "recvonly") && strcmp(dir, "inactive"))
			return SDP_FAIL(c, BAD_ATTRIBUTE, "a=extmap: bad direction");
	}
	if (sdp_u32(ids, 255, &id) != 0 || id == 0)
		return SDP_FAIL(c, BAD_ATTRIBUTE, "a=extmap id must be 1 to 255");
	if (m->nextmap >= WF_SDP_MAX_EXTMAP)
		return SDP_FAIL(c, TOO_MANY_EXTMAP, "more than %d a=extmap in one media section",
				WF_SDP_MAX_EXTMAP);
	for (unsigned i = 0; i < m->nextmap; i++)
		if (m->extmap[i].id == id)
			return SDP_FAIL(c, DUPLICATE, "a=extmap id %u given twice", (unsigned)id);
	m->extmap[m->nextmap].id = (uint16_t)id;
	m->extmap[m->nextmap].uri = uri;
	m->nextmap++;
	return 0;
}

/* a=ssrc:<ssrc-id> <attribute>[:<value>] (RFC 5576 §4.1): only the first
 * id of a media section is kept (browsers list the primary SSRC first, its
 * RTX one after).  A malformed id is ignored, as unknown attributes are:
 * whepfan needs it only from a publisher, and then only as a hint. */
static int sdp_a_ssrc(struct sdp_ctx *c, char *v)
{
	char *id = sdp_tok(&v);
	uint32_t ssrc;

	if (!c->m || c->m->has_ssrc || !id || sdp_u32(id, UINT32_MAX, &ssrc) != 0)
		return 0;
	c->m->ssrc = ssrc;
	c->m->has_ssrc = true;
	return 0;
}

static int sdp_a_candidate(struct sdp_ctx *c, char *v)
{
	struct wf_sdp_candidate cand;

	if (!c->m)
		return 0;
	if (wf_sdp_candidate_parse(v, &cand) != 0)
		return SDP_FAIL(c, BAD_CANDIDATE, "media %u: malformed a=candidate",
				c->o->nmedia - 1);
	c->m->ncandidates++;
	return 0;
}

struct sdp_attr {
	const char *name;
	int (*fn)(struct sdp_ctx *c, char *val);
};

static const struct sdp_attr sdp_attrs[] = {
	{ "group",		sdp_a_group },
	{ "ice-ufrag",		sdp_a_ufrag },
	{ "ice-pwd",		sdp_a_pwd },
	{ "ice-options",	sdp_a_ice_options },
	{ "ice-lite",		sdp_a_ice_lite },
	{ "fingerprint",	sdp_a_fingerprint },
	{ "setup",		sdp_a_setup },
	{ "sendrecv",		sdp_a_sendrecv },
	{ "sendonly",		sdp_a_sendonly },
	{ "recvonly",		sdp_a_recvonly },
	{ "inactive",		sdp_a_inactive },
	{ "mid",		sdp_a_mid },
	{ "rtcp-mux",		sdp_a_rtcp_mux },
	{ "rtcp-rsize",		sdp_a_rtcp_rsize },
	{ "bundle-only",	sdp_a_bundle_only },
	{ "end-of-candidates",	sdp_a_eoc },
	{ "rtpmap",		sdp_a_rtpmap },
	{ "fmtp",		sdp_a_fmtp },
	{ "rtcp-fb",		sdp_a_rtcp_fb },
	{ "extmap",		sdp_a_extmap },
	{ "candidate",		sdp_a_candidate },
	{ "ssrc",		sdp_a_ssrc },
};

static int sdp_line_a(struct sdp_ctx *c, char *v)
{
	char *colon = strchr(v, ':');
	char *val = "";

	if (colon) {
		*colon = '\0';
		val = colon + 1;
	}
	if (!*v)
		return SDP_FAIL(c, BAD_ATTRIBUTE, "attribute without a name");
	for (size_t i = 0; i < sizeof(sdp_attrs) / sizeof(sdp_attrs[0]); i++)
		if (strcmp(v, sdp_attrs[i].name) == 0)
			return sdp_attrs[i].fn(c, val);
	return 0;	/* unknown attributes are ignored (RFC 8866 §5.13) */
}

static int sdp_dispatch(struct sdp_ctx *c, char *line)
{
	char *v = line + 2;

	switch (line[0]) {
	case 'v':
		return SDP_FAIL(c, BAD_VERSION, "v= may only be the first line");
	case 'o':
		if (c->m || c->seen_o)
			return SDP_FAIL(c, BAD_ORIGIN, "o= must appear once, before m=");
		return sdp_line_o(c, v);
	case 's':
		if (c->m || c->seen_s)
			return SDP_FAIL(c, BAD_LINE, "s= must appear once, before m=");
		c->seen_s = true;
		return 0;
	case 't':
		if (c->m)
			return SDP_FAIL(c, BAD_TIMING, "t= after m=");
		return sdp_line_t(c, v);
	case 'm':
		if (!c->seen_o || !c->seen_s)
			return SDP_FAIL(c, MISSING_LINE, "m= before o= and s=");
		return sdp_line_m(c, v);
	case 'a':
		return sdp_line_a(c, v);
	default:
		return 0;	/* c=, b=, i=, k= ...: not needed by whepfan */
	}
}

/* Fills static payload types the offer left without a=rtpmap (RFC 3551 §6). */
static void sdp_static_pts(struct wf_sdp_media *m)
{
	for (unsigned i = 0; i < m->nformats; i++) {
		struct wf_sdp_format *f = &m->formats[i];

		if (f->name)
			continue;
		if (f->pt == 0)
			f->name = "PCMU";
		else if (f->pt == 8)
			f->name = "PCMA";
		else if (f->pt == 9)
			f->name = "G722";
		else
			continue;
		f->clock_rate = 8000;
		f->channels = 1;
	}
}

/* Applies session defaults and checks what a usable media section needs. */
static int sdp_finish(struct sdp_ctx *c, bool offer)
{
	struct wf_sdp_offer *o = c->o;
	struct wf_sdp_error *err = c->err;
	bool any_ufrag = false, any_pwd = false, any_fp = false;

	if (!c->seen_o)
		return sdp_fail(err, WF_SDP_E_MISSING_LINE, 0, "offer has no o= line");
	if (!c->seen_s)
		return sdp_fail(err, WF_SDP_E_MISSING_LINE, 0, "offer has no s= line");
	if (!o->nmedia)
		return sdp_fail(err, WF_SDP_E_NO_MEDIA, 0, "offer has no m= line");

	for (unsigned i = 0; i < o->nmedia; i++) {
		struct wf_sdp_media *m = &o->media[i];

		if (!m->ice_ufrag)
			m->ice_ufrag = o->ice_ufrag;
		if (!m->ice_pwd)
			m->ice_pwd = o->ice_pwd;
		if (!m->has_fingerprint && o->has_fingerprint) {
			memcpy(m->fingerprint, o->fingerprint, WF_SDP_FP_LEN);
			m->has_fingerprint = true;
		}
		if (!m->setup)
			m->setup = o->setup;
		if (!m->dir)
			m->dir = o->dir ? o->dir : WF_SDP_DIR_SENDRECV;	/* RFC 8866 §6.7 */
		sdp_static_pts(m);
		for (unsigned j = 0; j < i; j++)
			if (m->mid && o->media[j].mid && strcmp(m->mid, o->media[j].mid) == 0)
				return sdp_fail(err, WF_SDP_E_DUPLICATE_MID, 0,
						"media %u and media %u both have mid \"%s\"", j, i, m->mid);
		if (wf_sdp_media_usable(m)) {
			any_ufrag |= m->ice_ufrag != NULL;
			any_pwd |= m->ice_pwd != NULL;
			any_fp |= m->has_fingerprint;
		}
	}
	for (unsigned b = 0; b < o->nbundle; b++) {
		bool found = false;

		for (unsigned i = 0; i < o->nmedia && !found; i++)
			found = o->media[i].mid && strcmp(o->media[i].mid, o->bundle[b]) == 0;
		if (!found)
			return sdp_fail(err, WF_SDP_E_BAD_BUNDLE, 0,
					"a=group:BUNDLE names mid \"%s\" that no media section has",
					o->bundle[b]);
	}
	for (unsigned i = 0; i < o->nmedia; i++) {
		struct wf_sdp_media *m = &o->media[i];
		const char *k = m->kind_name;

		if (!wf_sdp_media_usable(m))
			continue;
		if (!m->mid)
			return sdp_fail(err, WF_SDP_E_NO_MID, 0, "media %u (%s): no mid", i, k);
		if (!any_ufrag)
			return sdp_fail(err, WF_SDP_E_NO_ICE, 0, "offer has no ice-ufrag");
		if (!any_pwd)
			return sdp_fail(err, WF_SDP_E_NO_ICE, 0, "offer has no ice-pwd");
		if (!any_fp)
			return sdp_fail(err, WF_SDP_E_NO_FINGERPRINT, 0, "offer has no sha-256 fingerprint");
		if (!m->ice_ufrag)
			return sdp_fail(err, WF_SDP_E_NO_ICE, 0, "media %u (%s): no ice-ufrag", i, k);
		if (!m->ice_pwd)
			return sdp_fail(err, WF_SDP_E_NO_ICE, 0, "media %u (%s): no ice-pwd", i, k);
		if (!m->has_fingerprint)
			return sdp_fail(err, WF_SDP_E_NO_FINGERPRINT, 0,
					"media %u (%s): no sha-256 fingerprint", i, k);
		/* RFC 8842 §5.2: we answer passive, so the offerer must be able to
		 * take the DTLS client role. */
		if (offer && (m->setup == WF_SDP_SETUP_PASSIVE || m->setup == WF_SDP_SETUP_HOLDCONN))
			return sdp_fail(err, WF_SDP_E_BAD_SETUP, 0,
					"media %u (%s): a=setup:%s, but whepfan is always the DTLS server; offer actpass or active",
					i, k, m->setup == WF_SDP_SETUP_PASSIVE ? "passive" : "holdconn");
	}
	return 0;
}

/* What both parsers check of a body before reading it (err cleared
 * first): something to fill (have), a body, at most max bytes, no NUL.
 * 0 or the error. */
static int sdp_body_check(bool have, const char *body, size_t len, size_t max, const char *what,
			  struct wf_sdp_error *err)
{
	if (err) {
		err->code = 0;
		err->line = 0;
		err->reason[0] = '\0';
	}
	if (!have || (!body && len))
		return sdp_fail(err, WF_SDP_E_BAD_PARAM, 0, "no %s", what);
	if (len > max)
		return sdp_fail(err, WF_SDP_E_TOO_LARGE, 0, "%s larger than %zu bytes", what, max);
	if (len && memchr(body, '\0', len))
		return sdp_fail(err, WF_SDP_E_NUL_BYTE, 0, "NUL byte in the %s", what);
	return 0;
}

static int sdp_parse(struct wf_sdp_offer *o, const char *body, size_t len, bool offer,
		     struct wf_sdp_error *err)
{
	struct sdp_ctx c = { .o = o, .err = err };
	struct sdp_lines it;
	char *line;
	int rc;

	rc = sdp_body_check(o != NULL, body, len, WF_SDP_MAX_BODY, "offer", err);
	if (rc)
		return rc;
	/* Only the fields before buf are reset: buf is overwritten below. */
	memset(o, 0, offsetof(struct wf_sdp_offer, buf));
	if (len)
		memcpy(o->buf, body, len);
	o->buf[len] = '\0';
	it = (struct sdp_lines){ .p = o->buf, .end = o->buf + len, .max_lines = WF_SDP_MAX_LINES };

	rc = sdp_next_line(&it, &line, err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return sdp_fail(err, WF_SDP_E_BAD_VERSION, 0, "empty offer");
	if (strcmp(line, "v=0") != 0)	/* RFC 8866 §5.1 */
		return sdp_fail(err, WF_SDP_E_BAD_VERSION, it.lineno, "first line is not v=0");
	while ((rc = sdp_next_line(&it, &line, err)) > 0) {
		c.lineno = it.lineno;
		rc = sdp_dispatch(&c, line);
		if (rc)
			return rc;
	}
	if (rc < 0)
		return rc;
	o->nlines = it.lineno;
	return sdp_finish(&c, offer);
}

int wf_sdp_offer_parse(struct wf_sdp_offer *o, const char *body, size_t len,
		       struct wf_sdp_error *err)
{
	return sdp_parse(o, body, len, true, err);
}

int wf_sdp_parse(struct wf_sdp_offer *o, const char *body, size_t len,
		 struct wf_sdp_error *err)
{
	return sdp_parse(o, body, len, false, err);
}

/* ---- fmtp parameters ---- */

/* The next element of fmtp from *p whose key is key (case-insensitive,
 * spaces around it and empty elements skipped), with or without a value:
 * its start, *end (its ';' or the NUL) and *eq (its '=' or NULL); *p moves
 * past it.  NULL when no element is left. */
static const char *fmtp_next(const char **p, const char *key, size_t klen, const char **end,
			     const char **eq)
{
	const char *f = *p;

	while (*f) {
		const char *e, *q, *k_end;

		while (*f == ' ' || *f == ';')
			f++;
		e = strchr(f, ';');
		if (!e)
			e = f + strlen(f);
		q = memchr(f, '=', (size_t)(e - f));
		for (k_end = q ? q : e; k_end > f && k_end[-1] == ' '; k_end--)
			;
		if ((size_t)(k_end - f) == klen && strncasecmp(f, key, klen) == 0) {
			*p = e;
			*end = e;
			*eq = q;
			return f;
		}
		f = e;
	}
	*p = f;
	return NULL;
}

int wf_sdp_fmtp_get(const char *fmtp, const char *key, char *val, size_t cap)
{
	const char *end, *eq;
	size_t klen;

	if (!fmtp || !key)
		return -ENOENT;
	klen = strlen(key);
	while (fmtp_next(&fmtp, key, klen, &end, &eq)) {
		const char *v, *v_end = end;
		size_t n;

		if (!eq)
			continue;	/* a bare key has no value to read */
		for (v = eq + 1; *v == ' ' && v < v_end; v++)
			;
		while (v_end > v && v_end[-1] == ' ')
			v_end--;
		n = (size_t)(v_end - v);
		if (!val || n >= cap)
			return -ENOSPC;
		memcpy(val, v, n);
		val[n] = '\0';
		return (int)n;
	}
	return -ENOENT;
}

unsigned wf_sdp_fmtp_count(const char *fmtp, const char *key)
{
	const char *end, *eq;
	unsigned n = 0;
	size_t klen;

	if (!fmtp || !key)
		return 0;
	klen = strlen(key);
	while (fmtp_next(&fmtp, key, klen, &end, &eq))
		n++;
	return n;
}

int wf_sdp_fmtp_get_u32(const char *fmtp, const char *key, uint32_t *out)
{
	char v[16];
	int rc = wf_sdp_fmtp_get(fmtp, key, v, sizeof(v));

	if (rc == -ENOSPC)
		return -EINVAL;
	if (rc < 0)
		return rc;
	if (sdp_u32(v, UINT32_MAX, out) != 0)
		return -EINVAL;
	return 0;
}

/* ---- candidates ---- */

/* Next blank-separated token of a const string: start and length. */
static size_t sdp_ctok(const char **p, const char **start)
{
	const char *s = *p;
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	*start = s;
	while (s[n] && s[n] != ' ' && s[n] != '\t')
		n++;
	*p = s + n;
	return n;
}

/* Copies a token of n bytes into dst (cap bytes) if it fits and every byte
 * passes ok(); false otherwise. */
static bool sdp_copy_tok(char *dst, size_t cap, const char *s, size_t n, int (*ok)(int))
{
	if (n == 0 || n >= cap)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!ok((unsigned char)s[i]))
			return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

static int sdp_is_ice_char(int ch) { return isalnum(ch) || ch == '+' || ch == '/'; }
static int sdp_is_addr_char(int ch) { return isalnum(ch) || ch == '.' || ch == ':' || ch == '-' || ch == '_' || ch == '%'; }
static int sdp_is_word_char(int ch) { return isalnum(ch) || ch == '-' || ch == '_'; }

static bool sdp_num_tok(const char *s, size_t n, uint32_t max, uint32_t *out)
{
	char tmp[12];

	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return sdp_u32(tmp, max, out) == 0;
}

/* RFC 8839 §5.1: foundation component transport priority address port
 * "typ" type [extensions]. */
int wf_sdp_candidate_parse(const char *s, struct wf_sdp_candidate *c)
{
	const char *t;
	size_t n;
	uint32_t v;

	if (!s || !c)
		return -WF_SDP_E_BAD_PARAM;
	memset(c, 0, sizeof(*c));
	n = sdp_ctok(&s, &t);
	if (!sdp_copy_tok(c->foundation, sizeof(c->foundation), t, n, sdp_is_ice_char))
		return -WF_SDP_E_BAD_CANDIDATE;
	n = sdp_ctok(&s, &t);
	if (!sdp_num_tok(t, n, 256, &v) || v == 0)
		return -WF_SDP_E_BAD_CANDIDATE;
	c->component = (uint16_t)v;
	n = sdp_ctok(&s, &t);
	if (!sdp_copy_tok(c->transport, sizeof(c->transport), t, n, sdp_is_word_char))
		return -WF_SDP_E_BAD_CANDIDATE;
	n = sdp_ctok(&s, &t);
	if (!sdp_num_tok(t, n, UINT32_MAX, &c->priority))
		return -WF_SDP_E_BAD_CANDIDATE;
	n = sdp_ctok(&s, &t);
	if (!sdp_copy_tok(c->address, sizeof(c->address), t, n, sdp_is_addr_char))
		return -WF_SDP_E_BAD_CANDIDATE;
	n = sdp_ctok(&s, &t);
	if (!sdp_num_tok(t, n, 65535, &v))
		return -WF_SDP_E_BAD_CANDIDATE;
	c->port = (uint16_t)v;
	n = sdp_ctok(&s, &t);
	if (n != 3 || memcmp(t, "typ", 3) != 0)
		return -WF_SDP_E_BAD_CANDIDATE;
	n = sdp_ctok(&s, &t);
	if (!sdp_copy_tok(c->type, sizeof(c->type), t, n, sdp_is_word_char))
		return -WF_SDP_E_BAD_CANDIDATE;
	return 0;
}

/* ---- trickle-ice-sdpfrag ---- */

/* Stores an ICE credential from a fragment; a second, different value is
 * an error (one ICE session per PATCH, RFC 8840 §4.4). */
static int sdp_frag_cred(char *dst, size_t cap, bool *has, const char *v, size_t min,
			 size_t max, const char *what, unsigned line, struct wf_sdp_error *err)
{
	if (!sdp_ice_chars(v, min, max))
		return sdp_fail(err, WF_SDP_E_BAD_ICE, line, "a=%s must be %zu to %zu ice-chars",
				what, min, max);
	if (*has) {
		if (strcmp(dst, v) != 0)
			return sdp_fail(err, WF_SDP_E_BAD_ICE, line, "two different a=%s", what);
		return 0;
	}
	snprintf(dst, cap, "%s", v);
	*has = true;
	return 0;
}

static int sdp_frag_attr(struct wf_sdp_frag *f, char *name, unsigned line,
			 struct wf_sdp_error *err)
{
	char *colon = strchr(name, ':');
	char *v = "";

	if (colon) {
		*colon = '\0';
		v = colon + 1;
	}
	if (strcmp(name, "ice-ufrag") == 0)
		return sdp_frag_cred(f->ufrag, sizeof(f->ufrag), &f->has_ufrag, v,
				     WF_SDP_UFRAG_MIN, WF_SDP_UFRAG_MAX, "ice-ufrag", line, err);
	if (strcmp(name, "ice-pwd") == 0)
		return sdp_frag_cred(f->pwd, sizeof(f->pwd), &f->has_pwd, v,
				     WF_SDP_PWD_MIN, WF_SDP_PWD_MAX, "ice-pwd", line, err);
	if (strcmp(name, "end-of-candidates") == 0) {
		f->end_of_candidates = true;
		return 0;
	}
	if (strcmp(name, "mid") == 0) {
		if (!sdp_token(v, WF_SDP_MAX_MID))
			return sdp_fail(err, WF_SDP_E_BAD_ATTRIBUTE, line, "bad a=mid");
		if (!f->mid[0])
			snprintf(f->mid, sizeof(f->mid), "%s", v);
		return 0;
	}
	if (strcmp(name, "candidate") == 0) {
		struct wf_sdp_candidate cand;

		if (wf_sdp_candidate_parse(v, &cand) != 0)
			return sdp_fail(err, WF_SDP_E_BAD_CANDIDATE, line, "malformed a=candidate");
		if (f->ncandidates >= 16 * WF_SDP_FRAG_MAX_CAND)
			return sdp_fail(err, WF_SDP_E_TOO_MANY_CANDIDATES, line,
					"more than %d candidates", 16 * WF_SDP_FRAG_MAX_CAND);
		if (f->ncandidates < WF_SDP_FRAG_MAX_CAND)
			f->cand[f->ncandidates] = cand;
		f->ncandidates++;
		return 0;
	}
	return 0;	/* ice-options, group and others: nothing to do */
}

int wf_sdp_frag_parse(struct wf_sdp_frag *f, const char *body, size_t len,
		      struct wf_sdp_error *err)
{
	char buf[WF_SDP_FRAG_MAX_BODY + 1];
	struct sdp_lines it;
	unsigned nlines = 0;
	char *line;
	int rc;

	rc = sdp_body_check(f != NULL, body, len, WF_SDP_FRAG_MAX_BODY, "fragment", err);
	if (rc)
		return rc;
	memset(f, 0, sizeof(*f));
	if (len)
		memcpy(buf, body, len);
	buf[len] = '\0';
	it = (struct sdp_lines){ .p = buf, .end = buf + len, .max_lines = WF_SDP_MAX_LINES };
	while ((rc = sdp_next_line(&it, &line, err)) > 0) {
		nlines++;
		if (line[0] != 'a')
			continue;	/* m= lines only delimit sections here */
		rc = sdp_frag_attr(f, line + 2, it.lineno, err);
		if (rc)
			return rc;
	}
	if (rc < 0)
		return rc;
	if (!nlines)
		return sdp_fail(err, WF_SDP_E_MISSING_LINE, 0, "empty fragment");
	return 0;
}
