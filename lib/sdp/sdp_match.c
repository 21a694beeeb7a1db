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

/* ---- per-format compatibility ---- */

enum { FIT_NONE = 0, FIT_DECODES = 1, FIT_EXACT = 2 };

/* How well offered format f carries track t; writes the answer's fmtp
 * parameters into fmtp (cap bytes) when it fits. */
static int format_fit(const struct wf_sdp_format *f, const struct wf_sdp_track *t,
		      char *fmtp, size_t cap)
{
	uint32_t clock = t->clock_rate ? t->clock_rate : wf_codec_clock(t->codec);
	uint32_t v;

	fmtp[0] = '\0';
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
	case WF_CODEC_AV1: {
		const char *key = t->codec == WF_CODEC_VP9 ? "profile-id" : "profile";
		int rc = wf_sdp_fmtp_get_u32(f->fmtp, key, &v);

		if (rc == -ENOENT)
			v = 0;	/* absent: profile 0 */
		else if (rc)
			return FIT_NONE;
		if (v != t->profile)
			return FIT_NONE;
		snprintf(fmtp, cap, "%s=%u", key, t->profile);
		return FIT_EXACT;
	}
	case WF_CODEC_H264: {
		uint8_t plid[3] = { 0x42, 0x00, 0x0a };	/* RFC 6184 §8.1 default */
		char hex[16];
		uint32_t pm = 0, asym = 0;
		enum wf_h264_profile op, sp;
		int rc, fit;

		rc = wf_sdp_fmtp_get_u32(f->fmtp, "packetization-mode", &pm);
		if ((rc && rc != -ENOENT) || pm != t->h264_packetization_mode)
			return FIT_NONE;
		rc = wf_sdp_fmtp_get(f->fmtp, "profile-level-id", hex, sizeof(hex));
		if (rc >= 0 && wf_h264_plid_parse(hex, plid) != 0)
			return FIT_NONE;
		if (rc < 0 && rc != -ENOENT)
			return FIT_NONE;
		rc = wf_sdp_fmtp_get_u32(f->fmtp, "level-asymmetry-allowed", &asym);
		if (rc && rc != -ENOENT)
			return FIT_NONE;
		op = wf_h264_profile_of(plid);
		sp = wf_h264_profile_of(t->h264_plid);
		if (op == sp && op != WF_H264_UNKNOWN)
			fit = FIT_EXACT;
		else if (wf_h264_profile_decodes(op, sp))
			fit = FIT_DECODES;
		else
			return FIT_NONE;
		/* RFC 6184 §8.2.2: without level asymmetry one level applies to
		 * both directions and must not exceed the offered one. */
		if (asym != 1 && h264_level_rank(t->h264_plid) > h264_level_rank(plid))
			return FIT_NONE;
		/* The answer keeps the offer's profile (its profile_idc and
		 * profile-iop) and states the level we send. */
		snprintf(fmtp, cap, "level-asymmetry-allowed=1;packetization-mode=%u;"
			 "profile-level-id=%02x%02x%02x", (unsigned)pm, plid[0], plid[1],
			 t->h264_plid[2]);
		return fit;
	}
	default:
		return FIT_NONE;
	}
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
static bool choose_pt(const struct wf_sdp_media *med, const struct wf_sdp_track *t,
		      struct wf_sdp_match *mm)
{
	int best = -1, best_fit = FIT_NONE;
	char fmtp[sizeof(mm->fmtp)];

	for (unsigned i = 0; i < med->nformats; i++) {
		int fit = format_fit(&med->formats[i], t, fmtp, sizeof(fmtp));

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
	mm->rtx_pt = find_rtx(med, f->pt, f->clock_rate);
	mm->fb = (uint8_t)((f->fb | med->fb_all) & (WF_SDP_FB_NACK | WF_SDP_FB_PLI | WF_SDP_FB_FIR));
	return true;
}

int wf_sdp_match(const struct wf_sdp_offer *o, const struct wf_sdp_track *t, unsigned n,
		 bool allow_partial, struct wf_sdp_match m[WF_SDP_MAX_MEDIA],
		 struct wf_sdp_error *err)
{
	bool used[WF_SDP_MAX_MEDIA] = { false };
	int code[WF_SDP_MAX_MEDIA] = { 0 };
	int accepted = 0;

	if (err) {
		err->code = 0;
		err->line = 0;
		err->reason[0] = '\0';
	}
	if (!o || !m || (!t && n) || n > WF_SDP_MAX_MEDIA || o->nmedia > WF_SDP_MAX_MEDIA) {
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
		/* We only send: recvonly or sendrecv get our track; sendonly or
		 * inactive offers are answered inactive (RFC 3264 §6.1). */
		active = med->dir == WF_SDP_DIR_RECVONLY || med->dir == WF_SDP_DIR_SENDRECV;
		ti = active ? freej : first;
		if (ti < 0) {
			set_reason(mm, "media %u (%s): every %s track is already sent in an earlier section",
				   i, k, k);
			continue;
		}
		mm->hard_fail = active;
		if (o->nbundle && !in_bundle(o, med->mid)) {
			set_reason(mm, "media %u (%s): not in the BUNDLE group; whepfan sends all media on one transport",
				   i, k);
			code[i] = WF_SDP_E_BAD_BUNDLE;
			continue;
		}
		if (!med->rtcp_mux) {
			set_reason(mm, "media %u (%s): no a=rtcp-mux; whepfan multiplexes RTP and RTCP (RFC 8858)",
				   i, k);
			code[i] = WF_SDP_E_BAD_BUNDLE;
			continue;
		}
		if (!choose_pt(med, &t[ti], mm)) {
			track_describe(&t[ti], need, sizeof(need));
			set_reason(mm, "media %u (%s): offer has no %s", i, k, need);
			code[i] = WF_SDP_E_NO_CODEC;
			continue;
		}
		mm->hard_fail = false;
		mm->accepted = true;
		mm->track = (int8_t)ti;
		if (active) {
			used[ti] = true;
			mm->dir = WF_SDP_DIR_SENDONLY;
		}
		accepted++;
	}
	for (unsigned i = 0; i < o->nmedia; i++) {
		if (!m[i].hard_fail || (allow_partial && accepted))
			continue;
		if (err) {
			err->code = code[i];
			snprintf(err->reason, sizeof(err->reason), "%s", m[i].reason);
		}
		return -code[i];
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
				 "offer has no BUNDLE group; whepfan sends all media on one transport");
		}
		return -WF_SDP_E_BAD_BUNDLE;
	}
	return accepted;
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
