/* test_sdp_answer.c: codec matching and the answer, against the captured
 * Chromium and Firefox offers; every answer is read back with our parser. */
#include "wf_test.h"

#include "sdp/sdp.h"
#include "sdp/sdp_match.h"
#include "sdp/sdp_answer.h"
#include "sdp_testutil.h"

static struct wf_sdp_offer g_offer;
static struct wf_sdp_offer g_back;	/* the answer, parsed again */
static struct wf_sdp_error g_err;
static struct wf_sdp_match g_m[WF_SDP_MAX_MEDIA];
static char g_ans[8192];
static size_t g_len;

static const uint8_t OUR_FP[32] = {
	0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 0xff,
};

static struct wf_sdp_track t_opus = { .codec = WF_CODEC_OPUS, .channels = 2,
				      .ssrc = 0x11111111, .track_id = "audio0" };
static struct wf_sdp_track t_h264 = { .codec = WF_CODEC_H264, .h264_packetization_mode = 1,
				      .h264_plid = { 0x42, 0xe0, 0x1f },
				      .ssrc = 0x22222222, .track_id = "video0" };
static struct wf_sdp_track t_vp8 = { .codec = WF_CODEC_VP8, .ssrc = 0x33333333,
				     .track_id = "video0" };

static struct wf_sdp_answer_params params(const struct wf_sdp_track *t, unsigned n)
{
	struct wf_sdp_answer_params p = {
		.session_id = 4242424242ULL, .addr = "192.0.2.10", .port = 8189,
		.ice_ufrag = "wfUf", .ice_pwd = "whepfanwhepfanwhepfan22",
		.stream_id = "cam1", .cname = "whepfan", .tracks = t, .ntracks = n,
	};

	memcpy(p.fingerprint, OUR_FP, 32);
	return p;
}

static int load_offer(const char *file)
{
	size_t len;
	char *s = sdp_load(file, &len);
	int rc;

	if (!s)
		return 9999;
	rc = wf_sdp_offer_parse(&g_offer, s, len, &g_err);
	free(s);
	return rc;
}

static int load_edited(const char *file, const char *from, const char *to, int all)
{
	size_t len;
	char *s = sdp_load(file, &len), *e;
	int rc;

	if (!s)
		return 9999;
	e = sdp_replace(s, from, to, all);
	free(s);
	if (!e)
		return 9998;
	rc = wf_sdp_offer_parse(&g_offer, e, strlen(e), &g_err);
	free(e);
	return rc;
}

static int answer(const struct wf_sdp_track *t, unsigned n)
{
	struct wf_sdp_answer_params p = params(t, n);

	return wf_sdp_answer_build(&g_offer, &p, g_m, g_ans, sizeof(g_ans), &g_len, &g_err);
}

/* Reads the answer back and checks what every accepted section must say. */
static void check_answer_reads_back(unsigned want_accepted)
{
	unsigned accepted = 0;

	WF_CHECK_EQ(strlen(g_ans), g_len);
	WF_CHECKF(wf_sdp_parse(&g_back, g_ans, g_len, &g_err) == 0, "%s", g_err.reason);
	WF_CHECK(g_back.ice_lite);
	WF_CHECK_EQ(g_back.nmedia, g_offer.nmedia);
	WF_CHECK(strstr(g_ans, "\r\na=ice-lite\r\n") != NULL);
	/* a viewer's bandwidth estimates are nothing whepfan acts on: the
	 * browsers' offers (goog-remb, transport-cc) are not answered */
	WF_CHECK(strstr(g_ans, "goog-remb") == NULL);
	WF_CHECK(strstr(g_ans, "transport-cc") == NULL);
	for (unsigned i = 0; i < g_back.nmedia && i < g_offer.nmedia; i++) {
		const struct wf_sdp_media *b = &g_back.media[i];

		WF_CHECK(strcmp(b->kind_name, g_offer.media[i].kind_name) == 0);
		if (!g_m[i].accepted) {
			WF_CHECK_EQ(b->port, 0);
			for (unsigned k = 0; k < g_back.nbundle; k++)
				WF_CHECK(!b->mid || strcmp(g_back.bundle[k], b->mid) != 0);
			continue;
		}
		accepted++;
		WF_CHECK_EQ(b->port, 8189);
		WF_CHECK(strcmp(b->mid, g_offer.media[i].mid) == 0);
		WF_CHECK_EQ(b->setup, WF_SDP_SETUP_PASSIVE);
		WF_CHECK_EQ(b->dir, WF_SDP_DIR_SENDONLY);
		WF_CHECK_EQ(b->nformats, 1);
		WF_CHECK_EQ(b->formats[0].pt, g_m[i].pt);
		WF_CHECK(b->formats[0].name != NULL);
		WF_CHECK(b->rtcp_mux);
		WF_CHECK_EQ(b->rtcp_rsize, g_offer.media[i].rtcp_rsize);
		WF_CHECK_EQ(b->ncandidates, 1);
		WF_CHECK(b->end_of_candidates);
		WF_CHECK(strcmp(b->ice_ufrag, "wfUf") == 0);
		WF_CHECK(strcmp(b->ice_pwd, "whepfanwhepfanwhepfan22") == 0);
		WF_CHECK(b->has_fingerprint);
		WF_CHECK_MEM(b->fingerprint, OUR_FP, 32);
		WF_CHECK_EQ(b->formats[0].fb, g_m[i].fb);
		WF_CHECK(g_back.nbundle > 0);
	}
	WF_CHECK_EQ(accepted, want_accepted);
	WF_CHECK_EQ(g_back.nbundle, want_accepted);
	WF_CHECK(strstr(g_ans, "a=candidate:1 1 udp 2130706431 192.0.2.10 8189 typ host\r\n") != NULL);
}

static void answer_h264_opus_for_chromium_uses_chromium_pts(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_h264 };
	char fmtp[64];

	WF_REQUIRE(load_offer(SDP_CHROMIUM) == 0);
	WF_REQUIRE(answer(t, 2) == 0);
	WF_CHECK(g_m[0].accepted && g_m[1].accepted);
	WF_CHECK_EQ(g_m[0].pt, 111);
	WF_CHECK_EQ(g_m[0].track, 0);
	WF_CHECK_EQ(g_m[1].pt, 108);	/* 42e01f, packetization-mode=1 */
	WF_CHECK_EQ(g_m[1].track, 1);
	WF_CHECK_EQ(g_m[1].rtx_pt, 109);
	WF_CHECK_EQ(g_m[0].rtx_pt, -1);
	WF_CHECK_EQ(g_m[1].fb, WF_SDP_FB_NACK | WF_SDP_FB_PLI | WF_SDP_FB_FIR);
	WF_CHECK_EQ(g_m[0].fb, 0);
	check_answer_reads_back(2);
	WF_CHECK(strcmp(g_back.bundle[0], "0") == 0 && strcmp(g_back.bundle[1], "1") == 0);
	WF_CHECK(strcmp(g_back.media[1].formats[0].name, "H264") == 0);
	WF_CHECK(wf_sdp_fmtp_get(g_back.media[1].formats[0].fmtp, "profile-level-id", fmtp, sizeof(fmtp)) == 6 &&
		 strcmp(fmtp, "42e01f") == 0);
	WF_CHECK(wf_sdp_fmtp_get(g_back.media[1].formats[0].fmtp, "packetization-mode", fmtp, sizeof(fmtp)) == 1 &&
		 strcmp(fmtp, "1") == 0);
	WF_CHECK(wf_sdp_fmtp_get(g_back.media[1].formats[0].fmtp, "level-asymmetry-allowed", fmtp, sizeof(fmtp)) == 1);
	WF_CHECK(strcmp(g_back.media[0].formats[0].name, "opus") == 0);
	WF_CHECK_EQ(g_back.media[0].formats[0].channels, 2);
	WF_CHECK(strstr(g_ans, "a=msid:cam1 video0\r\n") != NULL);
	WF_CHECK(strstr(g_ans, "a=ssrc:572662306 cname:whepfan\r\n") != NULL);	/* 0x22222222 */
	WF_CHECK(strstr(g_ans, "a=ssrc:286331153 cname:whepfan\r\n") != NULL);	/* 0x11111111 */
	WF_CHECK(strstr(g_ans, "o=- 4242424242 2 IN IP4 192.0.2.10\r\n") != NULL);
	WF_CHECK(strncmp(g_ans, "v=0\r\n", 5) == 0);
}

/* webrtc.nack = false: the answer offers no generic NACK (RFC 4585
 * §4.2, §6.2.1), and still PLI ("nack pli", §6.3.1) and FIR (RFC 5104). */
static void answer_without_nack_keeps_pli_and_fir(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_h264 };
	struct wf_sdp_answer_params p = params(t, 2);

	WF_REQUIRE(load_offer(SDP_CHROMIUM) == 0);
	p.no_nack = true;
	WF_REQUIRE(wf_sdp_answer_build(&g_offer, &p, g_m, g_ans, sizeof(g_ans), &g_len, &g_err) == 0);
	WF_CHECK_EQ(g_m[1].fb, WF_SDP_FB_PLI | WF_SDP_FB_FIR);
	check_answer_reads_back(2);
	WF_CHECK(strstr(g_ans, "a=rtcp-fb:108 nack\r\n") == NULL);
	WF_CHECK(strstr(g_ans, "a=rtcp-fb:108 nack pli\r\n") != NULL);
	WF_CHECK(strstr(g_ans, "a=rtcp-fb:108 ccm fir\r\n") != NULL);
	/* and with NACK on, the line is there */
	WF_REQUIRE(answer(t, 2) == 0);
	WF_CHECK(strstr(g_ans, "a=rtcp-fb:108 nack\r\n") != NULL);
}

static void answer_vp8_opus_for_chromium_uses_chromium_pts(void)
{
	struct wf_sdp_track t[2] = { t_vp8, t_opus };	/* order of tracks does not matter */

	WF_REQUIRE(load_offer(SDP_CHROMIUM) == 0);
	WF_REQUIRE(answer(t, 2) == 0);
	WF_CHECK_EQ(g_m[0].pt, 111);
	WF_CHECK_EQ(g_m[0].track, 1);
	WF_CHECK_EQ(g_m[1].pt, 96);
	WF_CHECK_EQ(g_m[1].track, 0);
	WF_CHECK_EQ(g_m[1].rtx_pt, 97);
	check_answer_reads_back(2);
	WF_CHECK(strcmp(g_back.media[1].formats[0].name, "VP8") == 0);
	WF_CHECK(g_back.media[1].formats[0].fmtp == NULL);
}

static void answer_h264_for_firefox_is_refused_with_reason(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_h264 };
	struct wf_sdp_answer_params p = params(t, 2);

	WF_REQUIRE(load_offer(SDP_FIREFOX) == 0);
	WF_CHECK_EQ(answer(t, 2), -WF_SDP_E_NO_CODEC);
	WF_CHECKF(strcmp(g_err.reason, "media 1 (video): offer has no H264 payload type compatible "
			 "with packetization-mode=1 profile-level-id=42e01f") == 0, "%s", g_err.reason);
	WF_CHECK_EQ(g_ans[0], '\0');
	/* a caller that accepts audio alone gets it, video rejected in place */
	p.allow_partial = true;
	WF_REQUIRE(wf_sdp_answer_build(&g_offer, &p, g_m, g_ans, sizeof(g_ans), &g_len, &g_err) == 0);
	WF_CHECK(g_m[0].accepted && !g_m[1].accepted);
	WF_CHECK(strstr(g_m[1].reason, "no H264 payload type") != NULL);
	check_answer_reads_back(1);
	WF_CHECK(strstr(g_ans, "a=group:BUNDLE 0\r\n") != NULL);
	WF_CHECK(strstr(g_ans, "m=video 0 UDP/TLS/RTP/SAVPF 120\r\n") != NULL);
}

static void answer_vp8_opus_for_firefox_uses_firefox_pts(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_vp8 };

	WF_REQUIRE(load_offer(SDP_FIREFOX) == 0);
	WF_REQUIRE(answer(t, 2) == 0);
	WF_CHECK_EQ(g_m[0].pt, 109);
	WF_CHECK_EQ(g_m[1].pt, 120);
	WF_CHECK_EQ(g_m[1].rtx_pt, 124);
	WF_CHECK_EQ(g_m[1].fb, WF_SDP_FB_NACK | WF_SDP_FB_PLI | WF_SDP_FB_FIR);
	check_answer_reads_back(2);
	/* Firefox offers rtcp-rsize only for video */
	WF_CHECK(!g_back.media[0].rtcp_rsize && g_back.media[1].rtcp_rsize);
}

static void h264_profiles_are_classified_per_rfc6184(void)
{
	static const struct { const char *hex; enum wf_h264_profile p; } v[] = {
		{ "42e01f", WF_H264_CONSTRAINED_BASELINE }, { "42C02A", WF_H264_CONSTRAINED_BASELINE },
		{ "4de01f", WF_H264_CONSTRAINED_BASELINE }, { "58f01f", WF_H264_CONSTRAINED_BASELINE },
		{ "42001f", WF_H264_BASELINE }, { "58a01f", WF_H264_BASELINE },
		{ "4d001f", WF_H264_MAIN }, { "4d401f", WF_H264_MAIN }, { "58001f", WF_H264_EXTENDED },
		{ "64001f", WF_H264_HIGH }, { "640c1f", WF_H264_CONSTRAINED_HIGH },
		{ "6e001f", WF_H264_HIGH10 }, { "f4001f", WF_H264_HIGH444 }, { "11001f", WF_H264_UNKNOWN },
	};
	uint8_t plid[3];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		WF_REQUIRE(wf_h264_plid_parse(v[i].hex, plid) == 0);
		WF_CHECKF(wf_h264_profile_of(plid) == v[i].p, "%s", v[i].hex);
	}
	WF_CHECK(wf_h264_plid_parse("42e01", plid) < 0);
	WF_CHECK(wf_h264_plid_parse("42e01g", plid) < 0);
	WF_CHECK(wf_h264_plid_parse("42e01f0", plid) < 0);
	WF_CHECK(wf_h264_profile_decodes(WF_H264_MAIN, WF_H264_CONSTRAINED_BASELINE));
	WF_CHECK(wf_h264_profile_decodes(WF_H264_BASELINE, WF_H264_CONSTRAINED_BASELINE));
	WF_CHECK(!wf_h264_profile_decodes(WF_H264_CONSTRAINED_BASELINE, WF_H264_BASELINE));
	WF_CHECK(!wf_h264_profile_decodes(WF_H264_MAIN, WF_H264_BASELINE));
	WF_CHECK(!wf_h264_profile_decodes(WF_H264_MAIN, WF_H264_HIGH));
	WF_CHECK(wf_h264_profile_decodes(WF_H264_HIGH, WF_H264_MAIN));
}

/* Sends one H.264 source with the given parameters against the Chromium
 * offer; returns the chosen PT or the negative error. */
static int chromium_pt_for(uint8_t pm, uint8_t p0, uint8_t p1, uint8_t p2, char *fmtp, size_t cap)
{
	struct wf_sdp_track t = t_h264;
	int rc;

	t.h264_packetization_mode = pm;
	t.h264_plid[0] = p0;
	t.h264_plid[1] = p1;
	t.h264_plid[2] = p2;
	rc = wf_sdp_match(&g_offer, &t, 1, false, g_m, &g_err);
	if (rc < 0)
		return rc;
	snprintf(fmtp, cap, "%s", g_m[1].fmtp);
	return g_m[1].pt;
}

static void h264_matching_follows_mode_profile_and_level(void)
{
	char f[96];

	WF_REQUIRE(load_offer(SDP_CHROMIUM) == 0);
	WF_CHECK_EQ(chromium_pt_for(0, 0x42, 0xe0, 0x1f, f, sizeof(f)), 114);
	WF_CHECK_EQ(chromium_pt_for(1, 0x42, 0x00, 0x1f, f, sizeof(f)), 102);
	WF_CHECK_EQ(chromium_pt_for(1, 0x4d, 0x00, 0x1f, f, sizeof(f)), 116);
	WF_CHECK_EQ(chromium_pt_for(0, 0x4d, 0x00, 0x1f, f, sizeof(f)), 39);
	/* level 4.0 above the offered 3.1: allowed by level-asymmetry-allowed=1,
	 * and the answer states the level we send */
	WF_CHECK_EQ(chromium_pt_for(1, 0x42, 0xe0, 0x28, f, sizeof(f)), 108);
	WF_CHECKF(strcmp(f, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e028") == 0, "%s", f);
	/* Chromium offers no High profile, but High 4:4:4 decoders decode High */
	WF_CHECK_EQ(chromium_pt_for(1, 0x64, 0x00, 0x1f, f, sizeof(f)), 41);
	WF_CHECK(strstr(f, "profile-level-id=f4001f") != NULL);
	/* nothing offered decodes Extended */
	WF_CHECK_EQ(chromium_pt_for(1, 0x58, 0x00, 0x1f, f, sizeof(f)), -WF_SDP_E_NO_CODEC);
	WF_CHECK(strstr(g_err.reason, "profile-level-id=58001f") != NULL);
	WF_CHECK_EQ(chromium_pt_for(2, 0x42, 0xe0, 0x1f, f, sizeof(f)), -WF_SDP_E_NO_CODEC);

	/* without level asymmetry the offered level caps ours */
	WF_REQUIRE(load_edited(SDP_CHROMIUM, "level-asymmetry-allowed=1;", "", 1) == 0);
	WF_CHECK_EQ(chromium_pt_for(1, 0x42, 0xe0, 0x28, f, sizeof(f)), -WF_SDP_E_NO_CODEC);
	WF_CHECK_EQ(chromium_pt_for(1, 0x42, 0xe0, 0x1e, f, sizeof(f)), 108);
	WF_CHECK(strstr(f, "profile-level-id=42e01e") != NULL);

	/* with the Baseline PTs made unknown profiles, a Constrained Baseline
	 * source goes to the first profile that decodes it (Main, before
	 * High 4:4:4); the answer keeps the offered profile */
	WF_REQUIRE(load_edited(SDP_CHROMIUM, "profile-level-id=42", "profile-level-id=11", 1) == 0);
	WF_CHECK_EQ(chromium_pt_for(1, 0x42, 0xe0, 0x1f, f, sizeof(f)), 116);
	WF_CHECK(strstr(f, "profile-level-id=4d001f") != NULL);
}

static void other_codecs_match_by_name_clock_and_profile(void)
{
	struct wf_sdp_track t = { .codec = WF_CODEC_VP9, .profile = 2, .ssrc = 1, .track_id = "v" };

	WF_REQUIRE(load_offer(SDP_CHROMIUM) == 0);
	WF_CHECK(wf_sdp_match(&g_offer, &t, 1, false, g_m, &g_err) == 1);
	WF_CHECK_EQ(g_m[1].pt, 100);
	WF_CHECK_EQ(g_m[1].rtx_pt, 101);
	t.profile = 0;
	WF_CHECK(wf_sdp_match(&g_offer, &t, 1, false, g_m, &g_err) == 1);
	WF_CHECK_EQ(g_m[1].pt, 98);
	t.codec = WF_CODEC_AV1;
	t.profile = 1;
	WF_CHECK(wf_sdp_match(&g_offer, &t, 1, false, g_m, &g_err) == 1);
	WF_CHECK_EQ(g_m[1].pt, 47);
	t.codec = WF_CODEC_PCMA;
	t.profile = 0;
	WF_CHECK(wf_sdp_match(&g_offer, &t, 1, false, g_m, &g_err) == 1);
	WF_CHECK_EQ(g_m[0].pt, 8);
	WF_CHECK(!g_m[1].accepted);
	WF_CHECK(strstr(g_m[1].reason, "no video track") != NULL);
	/* Firefox's AV1 has no fmtp: profile 0 */
	WF_REQUIRE(load_offer(SDP_FIREFOX) == 0);
	t.codec = WF_CODEC_AV1;
	WF_CHECK(wf_sdp_match(&g_offer, &t, 1, false, g_m, &g_err) == 1);
	WF_CHECK_EQ(g_m[1].pt, 99);
	WF_CHECK_EQ(g_m[1].rtx_pt, 100);
}

static void video_only_stream_rejects_audio_and_bundles_the_rest(void)
{
	WF_REQUIRE(load_offer(SDP_CHROMIUM) == 0);
	WF_REQUIRE(answer(&t_vp8, 1) == 0);
	WF_CHECK(!g_m[0].accepted && g_m[1].accepted);
	check_answer_reads_back(1);
	WF_CHECK(strstr(g_ans, "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n") != NULL);
	WF_CHECK(strstr(g_ans, "a=group:BUNDLE 1\r\n") != NULL);
}

static void sendonly_offer_section_is_answered_inactive(void)
{
	size_t len;
	char *s = sdp_load(SDP_CHROMIUM, &len), *e, *second;
	struct wf_sdp_track t[2] = { t_opus, t_vp8 };

	WF_REQUIRE(s);
	second = strstr(strstr(s, "a=recvonly") + 1, "a=recvonly");
	WF_REQUIRE(second);
	memcpy(second, "a=sendonly", 10);
	e = s;
	WF_REQUIRE(wf_sdp_offer_parse(&g_offer, e, strlen(e), &g_err) == 0);
	free(s);
	WF_REQUIRE(answer(t, 2) == 0);
	WF_CHECK_EQ(g_m[1].dir, WF_SDP_DIR_INACTIVE);
	WF_CHECK(g_m[1].accepted);
	WF_CHECKF(wf_sdp_parse(&g_back, g_ans, g_len, &g_err) == 0, "%s", g_err.reason);
	WF_CHECK_EQ(g_back.media[1].dir, WF_SDP_DIR_INACTIVE);
	WF_CHECK(strstr(g_ans, "a=msid:cam1 video0") == NULL);
	WF_CHECK(strstr(g_ans, "a=msid:cam1 audio0") != NULL);
}

static void data_channel_and_extra_sections_are_rejected_in_place(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_vp8 };

	{
		size_t len;
		char *s = sdp_load(SDP_FIREFOX, &len), *a, *b;
		const char *extra =
			"m=video 9 UDP/TLS/RTP/SAVPF 120\r\nc=IN IP4 0.0.0.0\r\na=recvonly\r\na=mid:2\r\n"
			"a=rtpmap:120 VP8/90000\r\na=rtcp-mux\r\na=ice-ufrag:8e662b90\r\n"
			"a=ice-pwd:d1884a436229d0fe67d88a457a3efa00\r\n"
			"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:3\r\na=sctp-port:5000\r\n";

		WF_REQUIRE(s);
		a = sdp_replace(s, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2 3", 0);
		free(s);
		WF_REQUIRE(a);
		b = malloc(strlen(a) + strlen(extra) + 1);
		WF_REQUIRE(b);
		strcpy(b, a);
		strcat(b, extra);
		free(a);
		WF_CHECKF(wf_sdp_offer_parse(&g_offer, b, strlen(b), &g_err) == 0, "%s", g_err.reason);
		free(b);
	}
	WF_REQUIRE(answer(t, 2) == 0);
	WF_CHECK(g_m[0].accepted && g_m[1].accepted && !g_m[2].accepted && !g_m[3].accepted);
	WF_CHECK(strstr(g_m[2].reason, "already sent") != NULL);
	check_answer_reads_back(2);
	WF_CHECK(strstr(g_ans, "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n") != NULL);
	WF_CHECK(strstr(g_ans, "a=group:BUNDLE 0 1\r\n") != NULL);
}

static void offers_without_bundle_or_rtcp_mux_are_refused(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_vp8 };

	WF_REQUIRE(load_edited(SDP_CHROMIUM, "a=group:BUNDLE 0 1\r\n", "", 0) == 0);
	WF_CHECK_EQ(answer(t, 2), -WF_SDP_E_BAD_BUNDLE);
	WF_CHECK(strstr(g_err.reason, "no BUNDLE group") != NULL);
	WF_CHECK_EQ(answer(t, 1), 0);	/* one section needs no bundle */
	WF_REQUIRE(load_edited(SDP_CHROMIUM, "a=group:BUNDLE 0 1\r\n", "a=group:BUNDLE 0\r\n", 0) == 0);
	WF_CHECK_EQ(answer(t, 2), -WF_SDP_E_BAD_BUNDLE);
	WF_CHECK(strstr(g_err.reason, "media 1 (video): not in the BUNDLE group") != NULL);
	WF_REQUIRE(load_edited(SDP_CHROMIUM, "a=rtcp-mux\r\n", "", 1) == 0);
	WF_CHECK_EQ(answer(t, 2), -WF_SDP_E_BAD_BUNDLE);
	WF_CHECK(strstr(g_err.reason, "rtcp-mux") != NULL);
	WF_REQUIRE(load_offer(SDP_CHROMIUM) == 0);
	WF_CHECK_EQ(answer(t, 0), -WF_SDP_E_NOTHING_ACCEPTED);
	WF_CHECK(strstr(g_err.reason, "no audio track") != NULL);
}

static void answer_fits_its_buffer_exactly_or_says_no_room(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_h264 };
	struct wf_sdp_answer_params p = params(t, 2);
	WF_REQUIRE(load_offer(SDP_CHROMIUM) == 0);
	WF_REQUIRE(answer(t, 2) == 0);
	sdp_answer_fits_exactly(&g_offer, &p, g_ans, g_len);
}

static void answer_refuses_parameters_that_would_inject_lines(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_vp8 };
	struct wf_sdp_answer_params p;

	WF_REQUIRE(load_offer(SDP_CHROMIUM) == 0);
	p = params(t, 2);
	p.stream_id = "cam1\r\na=evil";
	WF_CHECK_EQ(wf_sdp_answer_build(&g_offer, &p, g_m, g_ans, sizeof(g_ans), &g_len, &g_err), -WF_SDP_E_BAD_PARAM);
	p = params(t, 2);
	p.cname = "a b";
	WF_CHECK_EQ(wf_sdp_answer_build(&g_offer, &p, g_m, g_ans, sizeof(g_ans), &g_len, &g_err), -WF_SDP_E_BAD_PARAM);
	p = params(t, 2);
	p.ice_ufrag = "abc";
	WF_CHECK_EQ(wf_sdp_answer_build(&g_offer, &p, g_m, g_ans, sizeof(g_ans), &g_len, &g_err), -WF_SDP_E_BAD_PARAM);
	p = params(t, 2);
	p.addr = "192.0.2.1 typ";
	WF_CHECK_EQ(wf_sdp_answer_build(&g_offer, &p, g_m, g_ans, sizeof(g_ans), &g_len, &g_err), -WF_SDP_E_BAD_PARAM);
	p = params(t, 2);
	p.port = 0;
	WF_CHECK_EQ(wf_sdp_answer_build(&g_offer, &p, g_m, g_ans, sizeof(g_ans), &g_len, &g_err), -WF_SDP_E_BAD_PARAM);
	p = params(t, 2);
	p.addr = "2001:db8::10";
	WF_CHECK_EQ(wf_sdp_answer_build(&g_offer, &p, g_m, g_ans, sizeof(g_ans), &g_len, &g_err), 0);
	WF_CHECK(strstr(g_ans, "c=IN IP6 2001:db8::10\r\n") != NULL);
}

static void remote_credentials_come_from_the_bundle_transport(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_vp8 };
	struct wf_sdp_remote r;
	uint8_t fp[32];

	WF_REQUIRE(load_offer(SDP_FIREFOX) == 0);
	WF_REQUIRE(answer(t, 2) == 0);
	WF_CHECK_EQ(wf_sdp_remote_creds(&g_offer, g_m, &r), 0);
	WF_CHECK(strcmp(r.ufrag, "8e662b90") == 0);
	WF_CHECK(strcmp(r.pwd, "d1884a436229d0fe67d88a457a3efa00") == 0);
	WF_CHECK_EQ(r.setup, WF_SDP_SETUP_ACTPASS);
	WF_CHECK_EQ(r.media, 0);
	WF_REQUIRE(wf_test_unhex("141DCD0A5E03F1457048AC50D84640853526E108C3DAACF746A36ADE74BBD6B4", fp, 32) == 32);
	WF_CHECK_MEM(r.fingerprint, fp, 32);
	/* video only: the transport is the video section's */
	WF_REQUIRE(load_offer(SDP_CHROMIUM) == 0);
	WF_REQUIRE(answer(&t_vp8, 1) == 0);
	WF_CHECK_EQ(wf_sdp_remote_creds(&g_offer, g_m, &r), 0);
	WF_CHECK_EQ(r.media, 1);
	WF_CHECK(strcmp(r.ufrag, "gDO1") == 0);
	WF_CHECK_EQ(wf_sdp_remote_creds(&g_offer, NULL, &r), 0);
	WF_CHECK_EQ(r.media, 0);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(answer_h264_opus_for_chromium_uses_chromium_pts);
	WF_RUN(answer_without_nack_keeps_pli_and_fir);
	WF_RUN(answer_vp8_opus_for_chromium_uses_chromium_pts);
	WF_RUN(answer_h264_for_firefox_is_refused_with_reason);
	WF_RUN(answer_vp8_opus_for_firefox_uses_firefox_pts);
	WF_RUN(h264_profiles_are_classified_per_rfc6184);
	WF_RUN(h264_matching_follows_mode_profile_and_level);
	WF_RUN(other_codecs_match_by_name_clock_and_profile);
	WF_RUN(video_only_stream_rejects_audio_and_bundles_the_rest);
	WF_RUN(sendonly_offer_section_is_answered_inactive);
	WF_RUN(data_channel_and_extra_sections_are_rejected_in_place);
	WF_RUN(offers_without_bundle_or_rtcp_mux_are_refused);
	WF_RUN(answer_fits_its_buffer_exactly_or_says_no_room);
	WF_RUN(answer_refuses_parameters_that_would_inject_lines);
	WF_RUN(remote_credentials_come_from_the_bundle_transport);
	return wf_test_done();
}
