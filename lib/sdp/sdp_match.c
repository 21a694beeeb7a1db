/* sdp_match.c: codec matching of a parsed offer against a stream's tracks,
 * and the remote transport credentials. */
#include "sdp/sdp_match.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct wf_codec_info {
	const char *name;
	enum wf_sdp_kind kind;
	uint32_t clock;
};

static const struct wf_codec_info wf_codecs[WF_CODEC_COUNT] = {
	[WF_CODEC_NONE] = { "none", WF_SDP_KIND_OTHER, 0 },
	[WF_CODEC_H264] = { "H264", WF_SDP_KIND_VIDEO, 90000 },
	[WF_CODEC_VP8]  = { "VP8",  WF_SDP_KIND_VIDEO, 90000 },
	[WF_CODEC_VP9]  = { "VP9",  WF_SDP_KIND_VIDEO, 90000 },
	[WF_CODEC_AV1]  = { "AV1",  WF_SDP_KIND_VIDEO, 90000 },
	[WF_CODEC_OPUS] = { "opus", WF_SDP_KIND_AUDIO, 48000 },	/* RFC 7587 §7 */
	[WF_CODEC_PCMU] = { "PCMU", WF_SDP_KIND_AUDIO, 8000 },	/* RFC 3551 §6 */
	[WF_CODEC_PCMA] = { "PCMA", WF_SDP_KIND_AUDIO, 8000 },
};

const char *wf_codec_name(enum wf_codec c)
{
	return (unsigned)c < WF_CODEC_COUNT ? wf_codecs[c].name : "none";
}

enum wf_sdp_kind wf_codec_kind(enum wf_codec c)
{
	return (unsigned)c < WF_CODEC_COUNT ? wf_codecs[c].kind : WF_SDP_KIND_OTHER;
}

uint32_t wf_codec_clock(enum wf_codec c)
{
	return (unsigned)c < WF_CODEC_COUNT ? wf_codecs[c].clock : 0;
}

/* ---- H.264 profile-level-id (RFC 6184 §8.1) ---- */

int wf_h264_plid_parse(const char *hex, uint8_t plid[3])
{
	if (!hex || strlen(hex) != 6)
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		unsigned v = 0;

		for (int j = 0; j < 2; j++) {
			char ch = hex[2 * i + j];

			v <<= 4;
			if (ch >= '0' && ch <= '9')
				v |= (unsigned)(ch - '0');
			else if (ch >= 'a' && ch <= 'f')
				v |= (unsigned)(ch - 'a' + 10);
			else if (ch >= 'A' && ch <= 'F')
				v |= (unsigned)(ch - 'A' + 10);
			else
				return -EINVAL;
		}
		plid[i] = (uint8_t)v;
	}
	return 0;
}

/* profile-iop bits: constraint_set0..5_flag from the most significant bit. */
#define CS0 0x80
#define CS1 0x40
#define CS3 0x10
#define CS4 0x08
#define CS5 0x04

enum wf_h264_profile wf_h264_profile_of(const uint8_t p[3])
{
	uint8_t iop = p[1];

	switch (p[0]) {
	case 0x42:	/* Baseline; constraint_set1 makes it Constrained Baseline (A.2.1.1) */
		return (iop & CS1) ? WF_H264_CONSTRAINED_BASELINE : WF_H264_BASELINE;
	case 0x4d:	/* Main obeying Baseline constraints (cs0) is Constrained Baseline */
		return (iop & CS0) ? WF_H264_CONSTRAINED_BASELINE : WF_H264_MAIN;
	case 0x58:	/* Extended with cs0 is Baseline, with cs0+cs1 Constrained Baseline */
		if ((iop & CS0) && (iop & CS1))
			return WF_H264_CONSTRAINED_BASELINE;
		return (iop & CS0) ? WF_H264_BASELINE : WF_H264_EXTENDED;
	case 0x64:	/* High; cs4+cs5: Constrained High (A.2.4.2) */
		return ((iop & CS4) && (iop & CS5)) ? WF_H264_CONSTRAINED_HIGH : WF_H264_HIGH;
	case 0x6e:
		return WF_H264_HIGH10;
	case 0x7a:
		return WF_H264_HIGH422;
	case 0xf4:
		return WF_H264_HIGH444;
	case 0x2c:
		return WF_H264_CAVLC444;
	default:
		return WF_H264_UNKNOWN;
	}
}

bool wf_h264_profile_decodes(enum wf_h264_profile dec, enum wf_h264_profile src)
{
	if (dec == WF_H264_UNKNOWN || src == WF_H264_UNKNOWN)
		return false;
	if (dec == src)
		return true;
	switch (src) {
	case WF_H264_CONSTRAINED_BASELINE:	/* conforms to every profile but CAVLC 4:4:4 Intra */
		return dec != WF_H264_CAVLC444;
	case WF_H264_BASELINE:			/* FMO/ASO: only Extended decoders too */
		return dec == WF_H264_EXTENDED;
	case WF_H264_MAIN:
	case WF_H264_CONSTRAINED_HIGH:
		return dec == WF_H264_HIGH || dec == WF_H264_HIGH10 ||
		       dec == WF_H264_HIGH422 || dec == WF_H264_HIGH444;
	case WF_H264_HIGH:
		return dec == WF_H264_HIGH10 || dec == WF_H264_HIGH422 || dec == WF_H264_HIGH444;
	case WF_H264_HIGH10:
		return dec == WF_H264_HIGH422 || dec == WF_H264_HIGH444;
	case WF_H264_HIGH422:
		return dec == WF_H264_HIGH444;
	default:
		return false;
	}
}

/* Orders levels; level 1b (level_idc 9, or 11 with constraint_set3 in the
 * Baseline/Main/Extended profiles, A.3.1) sits between 1 and 1.1. */
static unsigned h264_level_rank(const uint8_t p[3])
{
	if (p[2] == 9)
		return 10 * 2 + 1;
	if (p[2] == 11 && (p[1] & CS3) && (p[0] == 0x42 || p[0] == 0x4d || p[0] == 0x58))
		return 10 * 2 + 1;
	return p[2] * 2u;
}

bool wf_sdp_h264_level_valid(uint8_t level_idc)
{
	switch (level_idc) {
	case 9: case 10: case 11: case 12: case 13: case 20: case 21: case 22:
	case 30: case 31: case 32: case 40: case 41: case 42: case 50: case 51:
	case 52: case 60: case 61: case 62:
		return true;
	default:
		return false;
	}
}

/* ---- per-format compatibility ---- */

enum { FIT_NONE = 0, FIT_DECODES = 1, FIT_EXACT = 2 };

/* How a stream of H.264 profile src suits decoders of profile dec: the
 * same known profile exactly; one every decoder of dec decodes (H.264
 * Annex A.2); or not at all. */
static int h264_profile_fit(enum wf_h264_profile dec, enum wf_h264_profile src)
{
	if (dec == src && dec != WF_H264_UNKNOWN)
		return FIT_EXACT;
	return wf_h264_profile_decodes(dec, src) ? FIT_DECODES : FIT_NONE;
}

/* The fmtp key of a VP9 or AV1 profile. */
static const char *profile_key(enum wf_codec c)
{
	return c == WF_CODEC_VP9 ? "profile-id" : "profile";
}

/* The VP9 or AV1 profile of format f into *v: 0 when given, 1 when absent
 * (profile 0), -1 when it does not parse. */
static int profile_read(const struct wf_sdp_format *f, enum wf_codec c, uint32_t *v)
{
	int rc = wf_sdp_fmtp_get_u32(f->fmtp, profile_key(c), v);

	if (rc == -ENOENT) {
		*v = 0;
		return 1;
	}
	return rc ? -1 : 0;
}

/* H.264 parameters of an offered fmtp (RFC 6184 §8.1; absent: mode 0,
 * profile-level-id 42000a, no level asymmetry): 0, or -1 when one is
 * there and does not parse. */
struct h264_fmtp {
	uint32_t pm, asym;
	uint8_t plid[3];
};

static int h264_fmtp_read(const char *fmtp, struct h264_fmtp *h)
{
	char hex[16];
	int rc;

	*h = (struct h264_fmtp){ .plid = { 0x42, 0x00, 0x0a } };
	rc = wf_sdp_fmtp_get_u32(fmtp, "packetization-mode", &h->pm);
	if (rc && rc != -ENOENT)
		return -1;
	rc = wf_sdp_fmtp_get(fmtp, "profile-level-id", hex, sizeof(hex));
	if ((rc >= 0 && wf_h264_plid_parse(hex, h->plid) != 0) || (rc < 0 && rc != -ENOENT))
		return -1;
	rc = wf_sdp_fmtp_get_u32(fmtp, "level-asymmetry-allowed", &h->asym);
	return rc && rc != -ENOENT ? -1 : 0;
}

/* RFC 5761 §4: with RTCP multiplexed on the media port (as whepfan always
 * does), payload types 64-95 would read as RTCP packet types 192-223. */
static bool pt_muxable(unsigned pt)
{
	return pt < 64 || pt > 95;
}

/* How well offered format f carries track t; writes the answer's fmtp
 * parameters into fmtp (cap bytes) when it fits. */
static int format_fit(const struct wf_sdp_format *f, const struct wf_sdp_track *t,
		      char *fmtp, size_t cap)
{
	uint32_t clock = t->clock_rate ? t->clock_rate : wf_codec_clock(t->codec);
	uint32_t v;

	fmtp[0] = '\0';
	if (!pt_muxable(f->pt))
		return FIT_NONE;
	if (!f->name || strcasecmp(f->name, wf_codec_name(t->codec)) != 0)
		return FIT_NONE;
	if (f->clock_rate != clock)
		return FIT_NONE;
	switch (t->codec) {
	case WF_CODEC_OPUS:
		if (f->channels != 2)	/* RFC 7587 §7: always /2 */
			return FIT_NONE;
		snprintf(fmtp, cap, "minptime=10;useinbandfec=1%s",
			 t->channels == 2 ? ";sprop-stereo=1" : "");
		return FIT_EXACT;
	case WF_CODEC_PCMU:
	case WF_CODEC_PCMA:
		return f->channels <= 1 ? FIT_EXACT : FIT_NONE;
	case WF_CODEC_VP8:
		return FIT_EXACT;
	case WF_CODEC_VP9:
	case WF_CODEC_AV1:
		if (profile_read(f, t->codec, &v) < 0 || v != t->profile)
			return FIT_NONE;
		snprintf(fmtp, cap, "%s=%u", profile_key(t->codec), t->profile);
		return FIT_EXACT;
	case WF_CODEC_H264: {
		struct h264_fmtp h;
		const uint8_t *plid = h.plid;
		int fit;

		if (h264_fmtp_read(f->fmtp, &h) || h.pm != t->h264_packetization_mode)
			return FIT_NONE;
		/* the viewer decodes what we send */
		fit = h264_profile_fit(wf_h264_profile_of(plid), wf_h264_profile_of(t->h264_plid));
		if (fit == FIT_NONE)
			return FIT_NONE;
		/* RFC 6184 §8.2.2: without level asymmetry one level applies to
		 * both directions and must not exceed the offered one. */
		if (h.asym != 1 && h264_level_rank(t->h264_plid) > h264_level_rank(plid))
			return FIT_NONE;
		/* The answer keeps the offer's profile (its profile_idc and
		 * profile-iop) and states the level we send. */
		snprintf(fmtp, cap, "level-asymmetry-allowed=1;packetization-mode=%u;"
			 "profile-level-id=%02x%02x%02x", (unsigned)h.pm, plid[0], plid[1],
			 t->h264_plid[2]);
		return fit;
	}
	default:
		return FIT_NONE;
	}
}

/* Whether an fmtp list names one of the keys whepfan reads for codec c
 * twice: readers disagree on which one counts (whepfan reads the first),
 * so a publisher's such list is not taken.  Linear: a handful of keys,
 * one pass each. */
static bool fmtp_key_twice(const char *fmtp, enum wf_codec c)
{
	static const char *const h264[] = { "packetization-mode", "profile-level-id",
					     "level-asymmetry-allowed" };
	static const char *const opus[] = { "minptime", "useinbandfec", "stereo" };
	static const char *const vp9[] = { "profile-id" }, *const av1[] = { "profile" };
	const char *const *keys = NULL;
	unsigned n = 0, i;

	switch (c) {
	case WF_CODEC_H264: keys = h264; n = 3; break;
	case WF_CODEC_OPUS: keys = opus; n = 3; break;
	case WF_CODEC_VP9: keys = vp9; n = 1; break;
	case WF_CODEC_AV1: keys = av1; n = 1; break;
	default: break;
	}
	for (i = 0; i < n; i++)
		if (wf_sdp_fmtp_count(fmtp, keys[i]) > 1)
			return true;
	return false;
}

/* Appends ";key=value" (no ';' first) to the answer's fmtp. */
static void fmtp_add(char *fmtp, size_t cap, const char *key, uint32_t v)
{
	size_t n = strlen(fmtp);

	snprintf(fmtp + n, cap - n, "%s%s=%u", n ? ";" : "", key, (unsigned)v);
}

/* How well a publisher's offered format f feeds track t; writes the
 * answer's fmtp (and what viewers are told of the publisher's stream)
 * into fmtp[cap] from the values read, never the offer's text: only the
 * parameters below, each as whepfan understood it. */
static int format_fit_whip(const struct wf_sdp_format *f, const struct wf_sdp_track *t,
			   char *fmtp, size_t cap)
{
	uint32_t clock = t->clock_rate ? t->clock_rate : wf_codec_clock(t->codec);
	int fit = FIT_EXACT;
	uint32_t v;

	fmtp[0] = '\0';
	if (!pt_muxable(f->pt))
		return FIT_NONE;
	if (!f->name || strcasecmp(f->name, wf_codec_name(t->codec)) != 0)
		return FIT_NONE;
	if (f->clock_rate != clock)
		return FIT_NONE;
	if (f->fmtp && (strlen(f->fmtp) >= WF_SDP_FMTP_MAX || fmtp_key_twice(f->fmtp, t->codec)))
		return FIT_NONE;	/* no codec's parameters are that long */
	switch (t->codec) {
	case WF_CODEC_OPUS: {
		/* RFC 7587 §6.1: minptime in ms (RFC 4566: 3-120 for opus'
		 * frames), the others flags; a value out of range is left out */
		static const struct { const char *key; uint32_t min, max; } keys[] = {
			{ "minptime", 3, 120 }, { "useinbandfec", 0, 1 }, { "stereo", 0, 1 },
		};

		if (f->channels != 2)	/* RFC 7587 §7 */
			return FIT_NONE;
		for (unsigned k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			int rc = wf_sdp_fmtp_get_u32(f->fmtp, keys[k].key, &v);

			if (rc == 0 && v >= keys[k].min && v <= keys[k].max)
				fmtp_add(fmtp, cap, keys[k].key, v);
			else if (rc != 0 && rc != -ENOENT)
				return FIT_NONE;
		}
		break;
	}
	case WF_CODEC_PCMU:
	case WF_CODEC_PCMA:
		if (f->channels > 1)
			return FIT_NONE;
		break;
	case WF_CODEC_VP8:
		break;
	case WF_CODEC_VP9:
	case WF_CODEC_AV1: {
		int rc = profile_read(f, t->codec, &v);

		if (rc < 0 || v != t->profile)
			return FIT_NONE;
		if (rc == 0)
			fmtp_add(fmtp, cap, profile_key(t->codec), v);
		break;
	}
	case WF_CODEC_H264: {
		struct h264_fmtp h;
		const uint8_t *plid = h.plid;

		/* Mode 1 only: the stream goes to viewers as it comes, and they are
		 * answered with the configured mode. */
		if (h264_fmtp_read(f->fmtp, &h) || h.pm != 1 || t->h264_packetization_mode != 1)
			return FIT_NONE;
		if (!wf_sdp_h264_level_valid(plid[2]))
			return FIT_NONE;	/* viewers would be promised a level that is none */
		/* Reversed from WHEP: every decoder of the configured profile must
		 * decode what the publisher sends. */
		fit = h264_profile_fit(wf_h264_profile_of(t->h264_plid), wf_h264_profile_of(plid));
		if (fit == FIT_NONE)
			return FIT_NONE;
		/* RFC 6184 §8.2.2: the answer repeats the offered level, so it is
		 * the highest the publisher may send; viewers were promised the
		 * configured one. */
		if (h264_level_rank(plid) > h264_level_rank(t->h264_plid))
			return FIT_NONE;
		snprintf(fmtp, cap, "%spacketization-mode=1;profile-level-id=%02x%02x%02x",
			 h.asym == 1 ? "level-asymmetry-allowed=1;" : "", plid[0], plid[1], plid[2]);
		break;
	}
	default:
		return FIT_NONE;
	}
	return fit;
}

/* ---- reason texts: bounded, cut with "..." ---- */

/* An appender that counts what it could not write, as snprintf does. */
struct rbuf {
	char *p;
	size_t cap;
	size_t len;	/* length of the whole text, written or not */
};

__attribute__((format(printf, 2, 3)))
static void rb_printf(struct rbuf *r, const char *fmt, ...)
{
	char *dst = NULL;
	size_t room = 0;
	va_list ap;
	int n;

	if (r->len < r->cap) {
		dst = r->p + r->len;
		room = r->cap - r->len;
	}
	va_start(ap, fmt);
	n = vsnprintf(dst, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->len += (size_t)n;
}

/* Ends r: a cut text gets "..." in its last bytes.  Returns r's length. */
static size_t rb_end(struct rbuf *r)
{
	if (r->cap >= 4 && r->len >= r->cap)
		memcpy(r->p + r->cap - 4, "...", 4);
	return r->len;
}

static struct rbuf rb_init(char *buf, size_t cap)
{
	if (buf && cap)
		buf[0] = '\0';
	return (struct rbuf){ .p = buf, .cap = buf ? cap : 0 };
}

/* Formats that carry no media of their own (RFC 4588, 2198, 5109, 8627,
 * 3389, 4733): left out of reason texts. */
static bool format_is_helper(const struct wf_sdp_format *f)
{
	static const char *const names[] = { "rtx", "red", "ulpfec", "flexfec", "flexfec-03",
					     "CN", "telephone-event" };

	for (size_t i = 0; f->name && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(f->name, names[i]) == 0)
			return true;
	return false;
}

static void rb_format(struct rbuf *r, const struct wf_sdp_format *f, enum wf_sdp_kind kind)
{
	char hex[16];
	uint32_t v = 0;
	int rc;

	if (!f->name) {
		rb_printf(r, "? (%u)", f->pt);
		return;
	}
	if (kind == WF_SDP_KIND_AUDIO)
		rb_printf(r, "%s/%u", f->name, f->clock_rate);
	else
		rb_printf(r, "%s", f->name);
	if (kind == WF_SDP_KIND_AUDIO && f->channels)
		rb_printf(r, "/%u", f->channels);
	if (kind != WF_SDP_KIND_AUDIO && f->clock_rate != 90000)
		rb_printf(r, "/%u", f->clock_rate);
	if (strcasecmp(f->name, "H264") == 0) {
		rc = wf_sdp_fmtp_get(f->fmtp, "profile-level-id", hex, sizeof(hex));
		rb_printf(r, " %s", rc == -ENOENT ? "42000a" : rc >= 0 && strlen(hex) == 6 ? hex : "?");
		rc = wf_sdp_fmtp_get_u32(f->fmtp, "packetization-mode", &v);
		if (rc == 0 || rc == -ENOENT)
			rb_printf(r, " pm %u", v);
		else
			rb_printf(r, " pm ?");
	} else if (strcasecmp(f->name, "VP9") == 0 || strcasecmp(f->name, "AV1") == 0) {
		rc = wf_sdp_fmtp_get_u32(f->fmtp, strcasecmp(f->name, "VP9") == 0 ?
					 "profile-id" : "profile", &v);
		if (rc == 0 || rc == -ENOENT)
			rb_printf(r, " profile %u", v);
		else
			rb_printf(r, " profile ?");
	}
	rb_printf(r, " (%u)", f->pt);
}

size_t wf_sdp_media_codecs(const struct wf_sdp_media *m, const char *first, char *buf,
			   size_t cap)
{
	struct rbuf r = rb_init(buf, cap);
	unsigned listed = 0;

	if (!m)
		return rb_end(&r);
	/* pass 0: the formats named first; pass 1: the others */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < m->nformats && i < WF_SDP_MAX_FORMATS; i++) {
			const struct wf_sdp_format *f = &m->formats[i];
			bool named = first && f->name && strcasecmp(f->name, first) == 0;

			if (format_is_helper(f) || named != (pass == 0))
				continue;
			if (listed++)
				rb_printf(&r, ", ");
			rb_format(&r, f, m->kind);
		}
	}
	return rb_end(&r);
}

size_t wf_sdp_track_describe(const struct wf_sdp_track *t, char *buf, size_t cap)
{
	struct rbuf r = rb_init(buf, cap);
	uint32_t clock;

	if (!t)
		return rb_end(&r);
	clock = t->clock_rate ? t->clock_rate : wf_codec_clock(t->codec);
	switch (t->codec) {
	case WF_CODEC_H264:
		rb_printf(&r, "H264 %02x%02x%02x pm %u", t->h264_plid[0], t->h264_plid[1],
			  t->h264_plid[2], t->h264_packetization_mode);
		break;
	case WF_CODEC_VP9:
	case WF_CODEC_AV1:
		rb_printf(&r, "%s profile %u", wf_codec_name(t->codec), t->profile);
		break;
	case WF_CODEC_OPUS:
		rb_printf(&r, "opus/48000/2");
		break;
	default:
		rb_printf(&r, "%s", wf_codec_name(t->codec));
		if (wf_codec_kind(t->codec) == WF_SDP_KIND_AUDIO)
			rb_printf(&r, "/%u", clock);
		break;
	}
	if (wf_codec_kind(t->codec) == WF_SDP_KIND_VIDEO && clock != 90000)
		rb_printf(&r, "/%u", clock);
	return rb_end(&r);
}

/* Describes the codec a track needs, for refusal reasons. */
static void track_describe(const struct wf_sdp_track *t, char *s, size_t cap)
{
	uint32_t clock = t->clock_rate ? t->clock_rate : wf_codec_clock(t->codec);

	switch (t->codec) {
	case WF_CODEC_H264:
		snprintf(s, cap, "H264 payload type compatible with packetization-mode=%u "
			 "profile-level-id=%02x%02x%02x", t->h264_packetization_mode,
			 t->h264_plid[0], t->h264_plid[1], t->h264_plid[2]);
		break;
	case WF_CODEC_VP9:
		snprintf(s, cap, "VP9/%u payload type with profile-id=%u", clock, t->profile);
		break;
	case WF_CODEC_AV1:
		snprintf(s, cap, "AV1/%u payload type with profile=%u", clock, t->profile);
		break;
	case WF_CODEC_OPUS:
		snprintf(s, cap, "opus/48000/2 payload type");
		break;
	default:
		snprintf(s, cap, "%s/%u payload type", wf_codec_name(t->codec), clock);
		break;
	}
}

/* Finds the offer's RTX payload type for pt (RFC 4588 §8.6: apt=pt). */
static int16_t find_rtx(const struct wf_sdp_media *m, uint8_t pt, uint32_t clock)
{
	for (unsigned i = 0; i < m->nformats; i++) {
		const struct wf_sdp_format *f = &m->formats[i];
		uint32_t apt;

		if (!f->name || strcasecmp(f->name, "rtx") != 0 || f->clock_rate != clock)
			continue;
		if (wf_sdp_fmtp_get_u32(f->fmtp, "apt", &apt) == 0 && apt == pt)
			return f->pt;
	}
	return -1;
}

__attribute__((format(printf, 2, 3)))
static void set_reason(struct wf_sdp_match *mm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(mm->reason, sizeof(mm->reason), fmt, ap);
	va_end(ap);
}

static bool in_bundle(const struct wf_sdp_offer *o, const char *mid)
{
	for (unsigned i = 0; mid && i < o->nbundle; i++)
		if (strcmp(o->bundle[i], mid) == 0)
			return true;
	return false;
}

/* Chooses the payload type of media section med for track t. */
static bool choose_pt(enum wf_sdp_role role, const struct wf_sdp_media *med,
		      const struct wf_sdp_track *t, struct wf_sdp_match *mm)
{
	int best = -1, best_fit = FIT_NONE;
	char fmtp[sizeof(mm->fmtp)];

	for (unsigned i = 0; i < med->nformats; i++) {
		int fit;

		fmtp[0] = '\0';
		fit = role == WF_SDP_ROLE_WHIP ? format_fit_whip(&med->formats[i], t, fmtp, sizeof(fmtp)) :
		      format_fit(&med->formats[i], t, fmtp, sizeof(fmtp));

		if (fit > best_fit) {	/* strictly better: offer order breaks ties */
			best_fit = fit;
			best = (int)i;
			memcpy(mm->fmtp, fmtp, sizeof(fmtp));
		}
	}
	if (best < 0)
		return false;
	const struct wf_sdp_format *f = &med->formats[best];

	mm->pt = f->pt;
	/* WHIP: no RTX (sdp_match.h), resends come in the original PT */
	mm->rtx_pt = role == WF_SDP_ROLE_WHIP ? -1 : find_rtx(med, f->pt, f->clock_rate);
	/* WHIP: REMB too, the publisher's encoder's ceiling (ingest's
	 * feedback); a viewer's REMB would tell whepfan nothing it acts on */
	mm->fb = (uint8_t)((f->fb | med->fb_all) & (WF_SDP_FB_NACK | WF_SDP_FB_PLI | WF_SDP_FB_FIR |
						      (role == WF_SDP_ROLE_WHIP ? WF_SDP_FB_REMB : 0)));
	return true;
}

/* The reason a WHIP section cannot feed track t: what the stream carries,
 * then what the section offers, cut with "..." to fit. */
static void whip_codec_reason(struct wf_sdp_match *mm, unsigned i, const struct wf_sdp_media *med,
			      const struct wf_sdp_track *t)
{
	struct rbuf r = rb_init(mm->reason, sizeof(mm->reason));
	char need[64], offered[WF_SDP_REASON_LEN];

	wf_sdp_track_describe(t, need, sizeof(need));
	rb_printf(&r, "media %u (%s): stream carries %s; ", i, med->kind_name, need);
	if (wf_sdp_media_codecs(med, wf_codec_name(t->codec), offered, sizeof(offered)))
		rb_printf(&r, "offer has %s", offered);
	else
		rb_printf(&r, "offer has no media format");
	rb_end(&r);
}

static void err_set(struct wf_sdp_error *err, int code, const char *reason)
{
	if (!err)
		return;
	err->code = code;
	snprintf(err->reason, sizeof(err->reason), "%s", reason);
}

int wf_sdp_match(const struct wf_sdp_offer *o, const struct wf_sdp_track *t, unsigned n,
		 bool allow_partial, struct wf_sdp_match m[WF_SDP_MAX_MEDIA],
		 struct wf_sdp_error *err)
{
	return wf_sdp_match_role(WF_SDP_ROLE_WHEP, o, t, n, allow_partial, m, err);
}

int wf_sdp_match_role(enum wf_sdp_role role, const struct wf_sdp_offer *o,
		      const struct wf_sdp_track *t, unsigned n, bool allow_partial,
		      struct wf_sdp_match m[WF_SDP_MAX_MEDIA], struct wf_sdp_error *err)
{
	bool whip = role == WF_SDP_ROLE_WHIP;
	bool used[WF_SDP_MAX_MEDIA] = { false };
	int code[WF_SDP_MAX_MEDIA] = { 0 };
	int accepted = 0;

	if (err) {
		err->code = 0;
		err->line = 0;
		err->reason[0] = '\0';
	}
	if (!o || !m || (!t && n) || n > WF_SDP_MAX_MEDIA || o->nmedia > WF_SDP_MAX_MEDIA ||
	    (role != WF_SDP_ROLE_WHEP && role != WF_SDP_ROLE_WHIP)) {
		if (err) {
			err->code = WF_SDP_E_BAD_PARAM;
			snprintf(err->reason, sizeof(err->reason), "bad arguments to wf_sdp_match");
		}
		return -WF_SDP_E_BAD_PARAM;
	}
	for (unsigned i = 0; i < o->nmedia; i++) {
		const struct wf_sdp_media *med = &o->media[i];
		struct wf_sdp_match *mm = &m[i];
		const char *k = med->kind_name;
		int first = -1, freej = -1, ti;
		bool active;
		char need[128];

		memset(mm, 0, sizeof(*mm));
		mm->track = -1;
		mm->rtx_pt = -1;
		mm->dir = WF_SDP_DIR_INACTIVE;
		if (!wf_sdp_media_usable(med)) {
			set_reason(mm, "media %u (%s): %s", i, k, med->proto_ok ?
				   "disabled by the offer (port 0)" : "transport is not UDP/TLS/RTP/SAVPF");
			continue;
		}
		for (unsigned j = 0; j < n; j++) {
			if (wf_codec_kind(t[j].codec) != med->kind)
				continue;
			if (first < 0)
				first = (int)j;
			if (!used[j] && freej < 0)
				freej = (int)j;
		}
		if (first < 0) {
			set_reason(mm, "media %u (%s): the stream has no %s track", i, k, k);
			continue;
		}
		if (whip) {
			/* RFC 9725 §4.2: a publisher sends.  What it would only
			 * receive, whepfan has nothing for. */
			active = med->dir == WF_SDP_DIR_SENDONLY || med->dir == WF_SDP_DIR_SENDRECV;
			if (!active) {
				set_reason(mm, "media %u (%s): a=%s; a WHIP publisher must offer sendonly or sendrecv media",
					   i, k, wf_sdp_dir_name(med->dir));
				mm->hard_fail = true;
				code[i] = WF_SDP_E_BAD_DIRECTION;
				continue;
			}
			ti = freej;
		} else {
			/* We only send: recvonly or sendrecv get our track; sendonly
			 * or inactive offers are answered inactive (RFC 3264 §6.1). */
			active = med->dir == WF_SDP_DIR_RECVONLY || med->dir == WF_SDP_DIR_SENDRECV;
			ti = active ? freej : first;
		}
		if (ti < 0) {
			set_reason(mm, "media %u (%s): every %s track is already %s in an earlier section",
				   i, k, k, whip ? "received" : "sent");
			continue;
		}
		mm->hard_fail = active;
		if (o->nbundle && !in_bundle(o, med->mid)) {
			set_reason(mm, "media %u (%s): not in the BUNDLE group; whepfan %s all media on one transport",
				   i, k, whip ? "receives" : "sends");
			code[i] = WF_SDP_E_BAD_BUNDLE;
			continue;
		}
		if (!med->rtcp_mux) {
			set_reason(mm, "media %u (%s): no a=rtcp-mux; whepfan multiplexes RTP and RTCP (RFC 8858)",
				   i, k);
			code[i] = WF_SDP_E_BAD_BUNDLE;
			continue;
		}
		if (!choose_pt(role, med, &t[ti], mm)) {
			if (whip) {
				whip_codec_reason(mm, i, med, &t[ti]);
				code[i] = WF_SDP_E_NOT_ACCEPTABLE;
			} else {
				track_describe(&t[ti], need, sizeof(need));
				set_reason(mm, "media %u (%s): offer has no %s", i, k, need);
				code[i] = WF_SDP_E_NO_CODEC;
			}
			continue;
		}
		mm->hard_fail = false;
		mm->accepted = true;
		mm->track = (int8_t)ti;
		if (active) {
			used[ti] = true;
			mm->dir = whip ? WF_SDP_DIR_RECVONLY : WF_SDP_DIR_SENDONLY;
		}
		accepted++;
	}
	for (unsigned i = 0; i < o->nmedia; i++) {
		if (!m[i].hard_fail || (allow_partial && accepted))
			continue;
		err_set(err, code[i], m[i].reason);
		return -code[i];
	}
	/* WHIP: the stream's every track must come from the publisher. */
	for (unsigned j = 0; whip && !(allow_partial && accepted) && j < n; j++) {
		const char *k = wf_sdp_kind_name(wf_codec_kind(t[j].codec));
		char need[64];

		if (used[j])
			continue;
		wf_sdp_track_describe(&t[j], need, sizeof(need));
		if (err) {
			struct rbuf r = rb_init(err->reason, sizeof(err->reason));

			err->code = WF_SDP_E_NOT_ACCEPTABLE;
			rb_printf(&r, "%s: offer has no %s section for track %u; stream carries %s",
				  k, k, j, need);
			rb_end(&r);
		}
		return -WF_SDP_E_NOT_ACCEPTABLE;
	}
	if (!accepted) {
		if (err) {
			err->code = WF_SDP_E_NOTHING_ACCEPTED;
			snprintf(err->reason, sizeof(err->reason), "no media section can be accepted: %.150s",
				 o->nmedia ? m[0].reason : "offer has no m= line");
		}
		return -WF_SDP_E_NOTHING_ACCEPTED;
	}
	if (!o->nbundle && accepted > 1) {
		if (err) {
			err->code = WF_SDP_E_BAD_BUNDLE;
			snprintf(err->reason, sizeof(err->reason),
				 "offer has no BUNDLE group; whepfan %s all media on one transport",
				 whip ? "receives" : "sends");
		}
		return -WF_SDP_E_BAD_BUNDLE;
	}
	return accepted;
}

int wf_sdp_publish_tracks(const struct wf_sdp_offer *o,
			  const struct wf_sdp_match m[WF_SDP_MAX_MEDIA], unsigned n,
			  struct wf_sdp_publish *p)
{
	int set = 0;

	if (!o || !m || (!p && n) || n > WF_SDP_MAX_MEDIA || o->nmedia > WF_SDP_MAX_MEDIA)
		return -WF_SDP_E_BAD_PARAM;
	if (n)
		memset(p, 0, n * sizeof(*p));
	for (unsigned i = 0; i < o->nmedia; i++) {
		const struct wf_sdp_media *med = &o->media[i];
		const struct wf_sdp_format *f;
		struct wf_sdp_publish *q;

		if (!m[i].accepted || m[i].dir != WF_SDP_DIR_RECVONLY || m[i].track < 0 ||
		    (unsigned)m[i].track >= n)
			continue;
		f = wf_sdp_media_format(med, m[i].pt);
		q = &p[m[i].track];
		if (!f || q->set)
			return -WF_SDP_E_BAD_PARAM;
		q->set = true;
		q->media = (uint8_t)i;
		q->pt = m[i].pt;
		q->fb = m[i].fb;
		q->channels = (uint8_t)f->channels;
		q->clock_rate = f->clock_rate;
		q->has_ssrc = med->has_ssrc;
		q->ssrc = med->ssrc;
		snprintf(q->fmtp, sizeof(q->fmtp), "%s", m[i].fmtp);	/* as read, not as written */
		set++;
	}
	return set;
}

int wf_sdp_track_from_publish(const struct wf_sdp_track *t, const struct wf_sdp_publish *p,
			      struct wf_sdp_track *out)
{
	const char *fmtp;
	uint32_t v = 0;
	int rc;

	if (!t || !p || !out || !p->set)
		return -WF_SDP_E_BAD_PARAM;
	fmtp = p->fmtp[0] ? p->fmtp : NULL;
	*out = *t;
	out->clock_rate = p->clock_rate;
	switch (t->codec) {
	case WF_CODEC_H264: {
		struct h264_fmtp h;

		if (h264_fmtp_read(fmtp, &h) || h.pm > 2)
			return -WF_SDP_E_BAD_PARAM;
		out->h264_packetization_mode = (uint8_t)h.pm;
		memcpy(out->h264_plid, h.plid, sizeof(h.plid));
		break;
	}
	case WF_CODEC_VP9:
	case WF_CODEC_AV1:
		rc = wf_sdp_fmtp_get_u32(fmtp, t->codec == WF_CODEC_VP9 ? "profile-id" : "profile", &v);
		if ((rc && rc != -ENOENT) || v > 255)
			return -WF_SDP_E_BAD_PARAM;
		out->profile = (uint8_t)v;
		break;
	default:
		break;
	}
	return 0;
}

int wf_sdp_remote_creds(const struct wf_sdp_offer *o, const struct wf_sdp_match *m,
			struct wf_sdp_remote *r)
{
	if (!o || !r)
		return -WF_SDP_E_BAD_PARAM;
	for (unsigned i = 0; i < o->nmedia && i < WF_SDP_MAX_MEDIA; i++) {
		const struct wf_sdp_media *med = &o->media[i];

		if (m ? !m[i].accepted : !wf_sdp_media_usable(med))
			continue;
		if (!med->ice_ufrag || !med->ice_pwd || !med->has_fingerprint)
			return -WF_SDP_E_NO_ICE;
		memset(r, 0, sizeof(*r));
		snprintf(r->ufrag, sizeof(r->ufrag), "%s", med->ice_ufrag);
		snprintf(r->pwd, sizeof(r->pwd), "%s", med->ice_pwd);
		memcpy(r->fingerprint, med->fingerprint, WF_SDP_FP_LEN);
		r->setup = med->setup;
		r->media = i;
		return 0;
	}
	return -WF_SDP_E_NO_ICE;
}
