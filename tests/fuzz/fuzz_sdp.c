/* fuzz_sdp.c: fuzz target 2, a WHEP offer as app/whep/session.c handles it.
 *
 * Input: one flags byte, then the offer body.  The flags pick the stream
 * the viewer asks for (one of eight track sets: H.264 of two profiles and
 * both packetization modes, VP8, VP9, AV1, opus, PCMU, PCMA), allow_partial,
 * webrtc.nack and the answer buffer's capacity.  The target parses the
 * offer (wf_sdp_offer_parse, and wf_sdp_parse), reads the fmtp parameters
 * the matcher reads, matches and builds the answer, takes the remote
 * credentials, and parses the same bytes as a trickle PATCH fragment.
 * Checks: an answer fits its buffer, is NUL-terminated at its length and
 * parses back with our own parser with one section per offered section;
 * a chosen payload type is one the offer has.  The same offer is then
 * answered in the WHIP role (a publisher's): the same checks, accepted
 * sections answered recvonly, what wf_sdp_publish_tracks() keeps, and the
 * reason writers at small capacities.
 */
#include "fuzz/fuzz.h"

#include "sdp/sdp.h"
#include "sdp/sdp_answer.h"
#include "sdp/sdp_match.h"

#define T_OPUS	{ .codec = WF_CODEC_OPUS, .channels = 2, .ssrc = 0x11111111, .track_id = "a0" }
#define T_H264(pm, a, b, c) { .codec = WF_CODEC_H264, .h264_packetization_mode = pm, \
			      .h264_plid = { a, b, c }, .ssrc = 0x22222222, .track_id = "v0" }

static const struct wf_sdp_track g_sets[8][2] = {
	{ T_OPUS, T_H264(1, 0x42, 0xe0, 0x1f) },
	{ T_OPUS, { .codec = WF_CODEC_VP8, .ssrc = 0x33333333, .track_id = "v0" } },
	{ T_H264(0, 0x64, 0x00, 0x28), T_OPUS },
	{ { .codec = WF_CODEC_VP9, .profile = 2, .ssrc = 0x44, .track_id = "v0" },
	  { .codec = WF_CODEC_PCMU, .ssrc = 0x55, .track_id = "a0" } },
	{ { .codec = WF_CODEC_AV1, .ssrc = 0x66, .track_id = "v0" }, T_OPUS },
	{ T_OPUS, T_OPUS },
	{ { .codec = WF_CODEC_VP8, .ssrc = 0x77, .track_id = "v0" },
	  { .codec = WF_CODEC_VP9, .ssrc = 0x78, .track_id = "v1" } },
	{ { .codec = WF_CODEC_PCMA, .clock_rate = 8000, .ssrc = 0x88, .track_id = "a0" },
	  T_H264(1, 0x4d, 0x00, 0x1f) },
};

static const size_t g_caps[4] = { 16384, 2048, 512, 64 };

static struct wf_sdp_offer g_offer;
static struct wf_sdp_offer g_back;
static struct wf_sdp_frag g_frag;
static char g_answer[16384];

/* The fmtp reads of the matcher, on every format the offer lists. */
static void read_fmtp(const struct wf_sdp_offer *o)
{
	static const char *const keys[] = { "profile-level-id", "packetization-mode",
					    "level-asymmetry-allowed", "profile-id", "profile",
					    "apt", "minptime" };
	unsigned i, j, k;
	char val[64];
	uint32_t u;
	int n;

	for (i = 0; i < o->nmedia; i++) {
		const struct wf_sdp_media *m = &o->media[i];

		(void)wf_sdp_media_usable(m);
		for (j = 0; j < m->nformats; j++) {
			const char *f = m->formats[j].fmtp;

			WF_FUZZ_CHECK(wf_sdp_media_format(m, m->formats[j].pt) != NULL);
			for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
				n = wf_sdp_fmtp_get(f, keys[k], val, sizeof(val));
				WF_FUZZ_CHECK(n < 0 || (size_t)n == strlen(val));
				(void)wf_sdp_fmtp_get_u32(f, keys[k], &u);
			}
			if (wf_sdp_fmtp_get(f, "profile-level-id", val, sizeof(val)) >= 0) {
				uint8_t plid[3];

				if (wf_h264_plid_parse(val, plid) == 0)
					(void)wf_h264_profile_of(plid);
			}
		}
	}
}

static struct wf_sdp_publish g_pub[2];

/* The parsed g_offer answered as a WHIP publisher's. */
static void whip(struct wf_sdp_answer_params *ap, size_t cap, uint8_t flags)
{
	struct wf_sdp_match m[WF_SDP_MAX_MEDIA];
	struct wf_sdp_error err;
	char small[8];
	size_t alen = 0;
	unsigned i;
	int rc, n;

	ap->role = WF_SDP_ROLE_WHIP;
	memset(m, 0, sizeof(m));
	rc = wf_sdp_answer_build(&g_offer, ap, m, g_answer, cap, &alen, &err);
	WF_FUZZ_CHECK(strnlen(err.reason, sizeof(err.reason)) < sizeof(err.reason));
	for (i = 0; i < g_offer.nmedia; i++) {
		(void)wf_sdp_media_codecs(&g_offer.media[i], (flags & 1) ? "H264" : NULL, small,
					  (flags >> 1) % sizeof(small));
		WF_FUZZ_CHECK(!((flags >> 1) % sizeof(small)) ||
			      strnlen(small, sizeof(small)) < (flags >> 1) % sizeof(small));
	}
	if (rc != 0)
		return;
	WF_FUZZ_CHECK(alen < cap);
	WF_FUZZ_CHECK(g_answer[alen] == '\0' && strlen(g_answer) == alen);
	rc = wf_sdp_parse(&g_back, g_answer, alen, &err);
	if (rc != 0)
		fprintf(stderr, "WHIP answer does not parse back: %s (line %u)\n%s\n",
			err.reason, err.line, g_answer);
	WF_FUZZ_CHECK(rc == 0);
	WF_FUZZ_CHECK(g_back.nmedia == g_offer.nmedia);
	for (i = 0; i < g_offer.nmedia; i++) {
		if (!m[i].accepted)
			continue;
		WF_FUZZ_CHECK(wf_sdp_media_format(&g_offer.media[i], m[i].pt));
		WF_FUZZ_CHECK(m[i].dir == WF_SDP_DIR_RECVONLY && m[i].rtx_pt == -1);
		WF_FUZZ_CHECK(g_back.media[i].dir == WF_SDP_DIR_RECVONLY);
	}
	n = wf_sdp_publish_tracks(&g_offer, m, ap->ntracks, g_pub);
	WF_FUZZ_CHECK(n >= 1 && n <= (int)ap->ntracks);
	for (i = 0; i < ap->ntracks; i++) {
		struct wf_sdp_track v;

		if (g_pub[i].set)
			WF_FUZZ_CHECK(wf_sdp_track_from_publish(&ap->tracks[i], &g_pub[i], &v) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t fp[WF_SDP_FP_LEN] = { 0xde, 0xad, 0xbe, 0xef, [31] = 0xff };
	struct wf_sdp_match m[WF_SDP_MAX_MEDIA];
	struct wf_sdp_answer_params ap;
	struct wf_sdp_remote rem;
	struct wf_sdp_error err;
	const char *body;
	char *copy;
	size_t len, alen = 0, cap;
	uint8_t flags;
	unsigned i;
	int rc;

	if (size < 1)
		return 0;
	flags = data[0];
	len = size - 1;
	/* Exact-size copy, not NUL-terminated, as the HTTP layer hands it. */
	copy = malloc(len ? len : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, len);
	body = copy;

	(void)wf_sdp_frag_parse(&g_frag, body, len, &err);
	(void)wf_sdp_parse(&g_offer, body, len, &err);
	rc = wf_sdp_offer_parse(&g_offer, body, len, &err);
	if (rc < 0) {
		WF_FUZZ_CHECK(strnlen(err.reason, sizeof(err.reason)) < sizeof(err.reason));
		free(copy);
		return 0;
	}
	WF_FUZZ_CHECK(g_offer.nmedia <= WF_SDP_MAX_MEDIA);
	read_fmtp(&g_offer);
	(void)wf_sdp_remote_creds(&g_offer, NULL, &rem);

	memset(&ap, 0, sizeof(ap));
	ap.session_id = 4242424242ULL;
	ap.addr = "198.18.0.1";
	ap.port = 8189;
	ap.ice_ufrag = "wfUf";
	ap.ice_pwd = "whepfanwhepfanwhepfan22";
	memcpy(ap.fingerprint, fp, sizeof(fp));
	ap.stream_id = "cam1";
	ap.cname = "0123456789abcdef0123456789abcdef";
	ap.tracks = g_sets[flags & 7];
	ap.ntracks = (flags & 0x40) ? 1 : 2;
	ap.allow_partial = flags & 0x08;
	ap.no_nack = flags & 0x10;
	cap = g_caps[(flags >> 5) & 1 ? ((flags >> 6) & 3) : 0];
	memset(m, 0, sizeof(m));
	rc = wf_sdp_answer_build(&g_offer, &ap, m, g_answer, cap, &alen, &err);
	if (rc == 0) {
		WF_FUZZ_CHECK(alen < cap);
		WF_FUZZ_CHECK(g_answer[alen] == '\0' && strlen(g_answer) == alen);
		rc = wf_sdp_parse(&g_back, g_answer, alen, &err);
		if (rc != 0)
			fprintf(stderr, "answer does not parse back: %s (line %u)\n%s\n",
				err.reason, err.line, g_answer);
		WF_FUZZ_CHECK(rc == 0);
		WF_FUZZ_CHECK(g_back.nmedia == g_offer.nmedia);
		for (i = 0; i < g_offer.nmedia; i++)
			if (m[i].accepted)
				WF_FUZZ_CHECK(wf_sdp_media_format(&g_offer.media[i], m[i].pt));
		(void)wf_sdp_remote_creds(&g_offer, m, &rem);
	}
	whip(&ap, cap, flags);
	free(copy);
	return 0;
}
