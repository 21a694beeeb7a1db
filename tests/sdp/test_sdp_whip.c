/* test_sdp_whip.c: the WHIP role of matching and of the answer (RFC 9725):
 * the captured Chromium and Firefox offers turned into a publisher's
 * (sendonly, with a=ssrc), small hand-made offers for each refusal, and
 * hostile inputs.  Every answer is read back with our parser. */
#include "wf_test.h"

#include <errno.h>

#include "sdp/sdp.h"
#include "sdp/sdp_match.h"
#include "sdp/sdp_answer.h"
#include "sdp_testutil.h"

static struct wf_sdp_offer g_offer;
static struct wf_sdp_offer g_back;	/* the answer, parsed again */
static struct wf_sdp_error g_err;
static struct wf_sdp_match g_m[WF_SDP_MAX_MEDIA];
static struct wf_sdp_publish g_pub[WF_SDP_MAX_MEDIA];
static char g_ans[8192];
static size_t g_len;

static const uint8_t OUR_FP[32] = {
	0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 0xff,
};

static const struct wf_sdp_track t_opus = { .codec = WF_CODEC_OPUS, .channels = 2,
					    .ssrc = 0x11111111, .track_id = "audio0" };
static const struct wf_sdp_track t_h264 = { .codec = WF_CODEC_H264, .h264_packetization_mode = 1,
					    .h264_plid = { 0x42, 0xe0, 0x1f },
					    .ssrc = 0x22222222, .track_id = "video0" };
static const struct wf_sdp_track t_vp8 = { .codec = WF_CODEC_VP8, .ssrc = 0x33333333,
					   .track_id = "video0" };

static struct wf_sdp_answer_params params(const struct wf_sdp_track *t, unsigned n)
{
	struct wf_sdp_answer_params p = {
		.session_id = 4242424242ULL, .addr = "192.0.2.10", .port = 8189,
		.ice_ufrag = "wfUf", .ice_pwd = "whepfanwhepfanwhepfan22",
		.stream_id = "cam1", .cname = "whepfan", .tracks = t, .ntracks = n,
		.role = WF_SDP_ROLE_WHIP,
	};

	memcpy(p.fingerprint, OUR_FP, 32);
	return p;
}

/* A captured offer with the edits applied in order (from -> to, every
 * occurrence), parsed into g_offer. */
static int load_with(const char *file, const char *const *edits, unsigned nedits)
{
	size_t len;
	char *s = sdp_load(file, &len), *e;
	int rc;

	if (!s)
		return 9999;
	for (unsigned i = 0; i < nedits; i++) {
		e = sdp_replace(s, edits[2 * i], edits[2 * i + 1], 1);
		free(s);
		if (!e)
			return 9998;
		s = e;
	}
	rc = wf_sdp_offer_parse(&g_offer, s, strlen(s), &g_err);
	free(s);
	return rc;
}

/* What a WHIP page sends: the captured offer with its transceivers made
 * sendonly, and the SSRCs a sender announces (RFC 5576). */
static int load_publisher(const char *file)
{
	static const char *const ed[] = {
		"a=recvonly\r\n", "a=sendonly\r\n",
		"a=mid:0\r\n", "a=mid:0\r\na=msid:s1 a1\r\na=ssrc:1001 cname:pub\r\n",
		"a=mid:1\r\n", "a=mid:1\r\na=msid:s1 v1\r\na=ssrc:2002 cname:pub\r\na=ssrc:2003 cname:pub\r\n",
	};

	return load_with(file, ed, 3);
}

static int answer(const struct wf_sdp_track *t, unsigned n)
{
	struct wf_sdp_answer_params p = params(t, n);

	return wf_sdp_answer_build(&g_offer, &p, g_m, g_ans, sizeof(g_ans), &g_len, &g_err);
}

/* A small publisher offer: opus audio, and video with the given m= formats
 * and attribute lines. */
static int mini(const char *adir, const char *vpts, const char *vattrs)
{
	static char buf[WF_SDP_MAX_BODY];
	char fp[32 * 3];
	int n;

	for (int i = 0; i < 32; i++)
		snprintf(fp + 3 * i, 4, "%02X%s", i, i < 31 ? ":" : "");
	n = snprintf(buf, sizeof(buf),
		     "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
		     "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
		     "a=fingerprint:sha-256 %s\r\na=setup:actpass\r\n"
		     "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=%s\r\n"
		     "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"
		     "m=video 9 UDP/TLS/RTP/SAVPF %s\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=sendonly\r\n"
		     "a=rtcp-mux\r\n%s",
		     fp, adir, vpts, vattrs);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return 9997;
	return wf_sdp_offer_parse(&g_offer, buf, (size_t)n, &g_err);
}

static int match(const struct wf_sdp_track *t, unsigned n, bool partial)
{
	return wf_sdp_match_role(WF_SDP_ROLE_WHIP, &g_offer, t, n, partial, g_m, &g_err);
}

/* Reads the answer back and checks what every WHIP section must say. */
static void check_whip_answer(unsigned want_accepted)
{
	unsigned accepted = 0;

	WF_CHECK_EQ(strlen(g_ans), g_len);
	WF_CHECKF(wf_sdp_parse(&g_back, g_ans, g_len, &g_err) == 0, "%s", g_err.reason);
	WF_CHECK(g_back.ice_lite);
	WF_CHECK_EQ(g_back.nmedia, g_offer.nmedia);
	WF_CHECK(strstr(g_ans, "\r\na=ice-lite\r\n") != NULL);
	/* a receiver announces no stream of its own and no other feedback */
	WF_CHECK(strstr(g_ans, "a=sendonly") == NULL);
	WF_CHECK(strstr(g_ans, "a=msid:") == NULL);
	WF_CHECK(strstr(g_ans, "a=ssrc:") == NULL);
	WF_CHECK(strstr(g_ans, "rtx/") == NULL);
	WF_CHECK(strstr(g_ans, "transport-cc") == NULL);
	for (unsigned i = 0; i < g_back.nmedia && i < g_offer.nmedia; i++) {
		const struct wf_sdp_media *b = &g_back.media[i];
		const struct wf_sdp_format *of;

		WF_CHECK(strcmp(b->kind_name, g_offer.media[i].kind_name) == 0);
		if (!g_m[i].accepted) {
			WF_CHECK_EQ(b->port, 0);
			WF_CHECK_EQ(b->dir, WF_SDP_DIR_INACTIVE);
			for (unsigned k = 0; k < g_back.nbundle; k++)
				WF_CHECK(!b->mid || strcmp(g_back.bundle[k], b->mid) != 0);
			continue;
		}
		accepted++;
		of = wf_sdp_media_format(&g_offer.media[i], g_m[i].pt);
		WF_REQUIRE(of != NULL);
		WF_CHECK_EQ(b->port, 8189);
		WF_CHECK(strcmp(b->mid, g_offer.media[i].mid) == 0);
		WF_CHECK_EQ(b->setup, WF_SDP_SETUP_PASSIVE);
		WF_CHECK_EQ(b->dir, WF_SDP_DIR_RECVONLY);
		WF_CHECK_EQ(g_m[i].dir, WF_SDP_DIR_RECVONLY);
		WF_CHECK_EQ(b->nformats, 1);
		WF_CHECK_EQ(b->formats[0].pt, g_m[i].pt);
		WF_CHECK(b->formats[0].name && strcmp(b->formats[0].name, of->name) == 0);
		WF_CHECK_EQ(b->formats[0].clock_rate, of->clock_rate);
		WF_CHECK_EQ(b->formats[0].channels, of->channels);
		/* the fmtp whepfan read in the offer, written anew: never
		 * the publisher's text */
		WF_CHECK((!b->formats[0].fmtp && !g_m[i].fmtp[0]) ||
			 (b->formats[0].fmtp && strcmp(b->formats[0].fmtp, g_m[i].fmtp) == 0));
		WF_CHECK_EQ(g_m[i].rtx_pt, -1);
		WF_CHECK(b->rtcp_mux);
		WF_CHECK_EQ(b->rtcp_rsize, g_offer.media[i].rtcp_rsize);
		WF_CHECK_EQ(b->ncandidates, 1);
		WF_CHECK(b->end_of_candidates);
		WF_CHECK(strcmp(b->ice_ufrag, "wfUf") == 0);
		WF_CHECK(b->has_fingerprint);
		WF_CHECK_MEM(b->fingerprint, OUR_FP, 32);
		WF_CHECK_EQ(b->formats[0].fb, g_m[i].fb);
		/* goog-remb answered where offered for the format taken, only */
		WF_CHECK(!!(g_m[i].fb & WF_SDP_FB_REMB) ==
			 !!((of->fb | g_offer.media[i].fb_all) & WF_SDP_FB_REMB));
	}
	WF_CHECK_EQ(accepted, want_accepted);
	WF_CHECK_EQ(g_back.nbundle, want_accepted);
	WF_CHECK(strstr(g_ans, "a=candidate:1 1 udp 2130706431 192.0.2.10 8189 typ host\r\n") != NULL);
}

static void whip_chromium_h264_opus_is_answered_recvonly_with_its_pts_and_fmtp(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_h264 };

	WF_REQUIRE(load_publisher(SDP_CHROMIUM) == 0);
	WF_CHECK(g_offer.media[0].has_ssrc && g_offer.media[0].ssrc == 1001);
	WF_REQUIRE(answer(t, 2) == 0);
	WF_CHECK_EQ(g_m[0].pt, 111);
	WF_CHECK_EQ(g_m[0].track, 0);
	WF_CHECK_EQ(g_m[1].pt, 108);	/* 42e01f mode 1; 102 is Baseline, not Constrained */
	WF_CHECK_EQ(g_m[1].track, 1);
	WF_CHECK_EQ(g_m[1].fb, WF_SDP_FB_NACK | WF_SDP_FB_PLI | WF_SDP_FB_FIR | WF_SDP_FB_REMB);
	WF_CHECK_EQ(g_m[0].fb, 0);
	check_whip_answer(2);
	WF_CHECK(strstr(g_ans, "a=group:BUNDLE 0 1\r\n") != NULL);
	WF_CHECK(strstr(g_ans, "m=audio 8189 UDP/TLS/RTP/SAVPF 111\r\n") != NULL);
	WF_CHECK(strstr(g_ans, "m=video 8189 UDP/TLS/RTP/SAVPF 108\r\n") != NULL);
	WF_CHECK(strstr(g_ans, "a=rtpmap:108 H264/90000\r\n"
			"a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
			"a=rtcp-fb:108 nack\r\na=rtcp-fb:108 nack pli\r\na=rtcp-fb:108 ccm fir\r\n"
			"a=rtcp-fb:108 goog-remb\r\n") != NULL);
	WF_CHECK(strstr(g_ans, "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n") != NULL);
	WF_CHECK(strstr(g_ans, "a=recvonly\r\n") != NULL);
	WF_CHECK(strstr(g_ans, "a=setup:passive\r\n") != NULL);

	/* what viewers' answers and ingest take from it */
	WF_REQUIRE(wf_sdp_publish_tracks(&g_offer, g_m, 2, g_pub) == 2);
	WF_CHECK(g_pub[0].set && g_pub[0].media == 0 && g_pub[0].pt == 111);
	WF_CHECK_EQ(g_pub[0].clock_rate, 48000);
	WF_CHECK_EQ(g_pub[0].channels, 2);
	WF_CHECK(strcmp(g_pub[0].fmtp, "minptime=10;useinbandfec=1") == 0);
	WF_CHECK(g_pub[0].has_ssrc && g_pub[0].ssrc == 1001);
	WF_CHECK(g_pub[1].set && g_pub[1].media == 1 && g_pub[1].pt == 108);
	WF_CHECK_EQ(g_pub[1].clock_rate, 90000);
	WF_CHECK(strcmp(g_pub[1].fmtp, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f") == 0);
	WF_CHECK(g_pub[1].has_ssrc && g_pub[1].ssrc == 2002);	/* the first, not its RTX */
	WF_CHECK_EQ(g_pub[1].fb, WF_SDP_FB_NACK | WF_SDP_FB_PLI | WF_SDP_FB_FIR | WF_SDP_FB_REMB);
}

static void whip_chromium_vp8_opus_takes_pt_96(void)
{
	struct wf_sdp_track t[2] = { t_vp8, t_opus };

	WF_REQUIRE(load_publisher(SDP_CHROMIUM) == 0);
	WF_REQUIRE(answer(t, 2) == 0);
	WF_CHECK_EQ(g_m[0].pt, 111);
	WF_CHECK_EQ(g_m[0].track, 1);
	WF_CHECK_EQ(g_m[1].pt, 96);
	WF_CHECK_EQ(g_m[1].track, 0);
	check_whip_answer(2);
	WF_CHECK(strstr(g_ans, "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\n") != NULL);
	WF_CHECK(strstr(g_ans, "a=fmtp:96") == NULL);
}

static void whip_firefox_vp8_opus_keeps_firefox_pts_and_fmtp(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_vp8 };

	WF_REQUIRE(load_publisher(SDP_FIREFOX) == 0);
	WF_REQUIRE(answer(t, 2) == 0);
	WF_CHECK_EQ(g_m[0].pt, 109);
	WF_CHECK_EQ(g_m[1].pt, 120);
	check_whip_answer(2);
	/* what whepfan reads of Firefox's fmtp, no more (maxplaybackrate,
	 * max-fs and max-fr are not passed on) */
	WF_CHECK(strstr(g_ans, "a=fmtp:109 useinbandfec=1;stereo=1\r\n") != NULL);
	WF_CHECK(strstr(g_ans, "a=fmtp:120") == NULL);
	/* Firefox's session-level a=sendrecv is overridden per section */
	WF_CHECK(!g_back.media[0].rtcp_rsize && g_back.media[1].rtcp_rsize);
}

static void whip_firefox_without_h264_is_not_acceptable_with_reason(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_h264 };

	WF_REQUIRE(load_publisher(SDP_FIREFOX) == 0);
	WF_CHECK_EQ(answer(t, 2), -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECK_EQ(g_err.code, WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECKF(strcmp(g_err.reason, "media 1 (video): stream carries H264 42e01f pm 1; offer has "
			 "VP8 (120), VP9 profile 0 (121), AV1 profile 0 (99)") == 0, "%s", g_err.reason);
	WF_CHECK_EQ(g_ans[0], '\0');
	WF_CHECK(strcmp(wf_sdp_strerror(-WF_SDP_E_NOT_ACCEPTABLE), "offer cannot carry the stream's tracks") == 0);
}

/* Sends one H.264 offer line against a configured H.264 track. */
static int h264_offer(const char *fmtp, uint8_t pm, uint8_t p0, uint8_t p1, uint8_t p2)
{
	struct wf_sdp_track t[2] = { t_opus, t_h264 };
	char attrs[512];
	int rc;

	snprintf(attrs, sizeof(attrs), "a=rtpmap:96 VP8/90000\r\na=rtpmap:102 H264/90000\r\n"
		 "a=fmtp:102 %s\r\n", fmtp);
	rc = mini("sendonly", "96 102", attrs);
	if (rc)
		return 9000 + rc;
	t[1].h264_packetization_mode = pm;
	t[1].h264_plid[0] = p0;
	t[1].h264_plid[1] = p1;
	t[1].h264_plid[2] = p2;
	rc = match(t, 2, false);
	return rc < 0 ? rc : g_m[1].pt;
}

static void whip_h264_needs_mode_1_an_allowed_profile_and_level(void)
{
	/* the example */
	WF_CHECK_EQ(h264_offer("packetization-mode=0;profile-level-id=640c1f", 1, 0x42, 0xe0, 0x1f),
		    -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECKF(strcmp(g_err.reason, "media 1 (video): stream carries H264 42e01f pm 1; offer has "
			 "H264 640c1f pm 0 (102), VP8 (96)") == 0, "%s", g_err.reason);
	/* packetization-mode absent is 0 (RFC 6184 §8.1), 2 is interleaved */
	WF_CHECK_EQ(h264_offer("profile-level-id=42e01f", 1, 0x42, 0xe0, 0x1f), -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECK(strstr(g_err.reason, "H264 42e01f pm 0 (102)") != NULL);
	WF_CHECK_EQ(h264_offer("packetization-mode=2;profile-level-id=42e01f", 1, 0x42, 0xe0, 0x1f),
		    -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECK_EQ(h264_offer("packetization-mode=1;profile-level-id=42e01f", 1, 0x42, 0xe0, 0x1f), 102);
	/* a track configured for mode 0 takes no WHIP publisher */
	WF_CHECK_EQ(h264_offer("packetization-mode=1;profile-level-id=42e01f", 0, 0x42, 0xe0, 0x1f),
		    -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECK(strstr(g_err.reason, "stream carries H264 42e01f pm 0;") != NULL);
	/* profile-level-id absent is 42000a: Baseline, which a Constrained
	 * Baseline stream does not allow (FMO/ASO) */
	WF_CHECK_EQ(h264_offer("packetization-mode=1", 1, 0x42, 0xe0, 0x1f), -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECK(strstr(g_err.reason, "H264 42000a pm 1 (102)") != NULL);
	/* High from the publisher: not for a Constrained Baseline stream */
	WF_CHECK_EQ(h264_offer("packetization-mode=1;profile-level-id=64001f", 1, 0x42, 0xe0, 0x1f),
		    -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECK_EQ(h264_offer("packetization-mode=1;profile-level-id=4d001f", 1, 0x42, 0xe0, 0x1f),
		    -WF_SDP_E_NOT_ACCEPTABLE);
	/* ... but Constrained Baseline and Main are within a High stream */
	WF_CHECK_EQ(h264_offer("packetization-mode=1;profile-level-id=42e01f", 1, 0x64, 0x00, 0x1f), 102);
	WF_CHECK_EQ(h264_offer("packetization-mode=1;profile-level-id=4d001f", 1, 0x64, 0x00, 0x28), 102);
	WF_CHECK_EQ(h264_offer("packetization-mode=1;profile-level-id=640c1f", 1, 0x64, 0x00, 0x1f), 102);
	/* a level above the configured one is refused, with or without
	 * level-asymmetry-allowed (the answer repeats the offer's level) */
	WF_CHECK_EQ(h264_offer("packetization-mode=1;profile-level-id=42e028", 1, 0x42, 0xe0, 0x1f),
		    -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECK_EQ(h264_offer("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e028",
			       1, 0x42, 0xe0, 0x1f), -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECK_EQ(h264_offer("packetization-mode=1;profile-level-id=42e01e", 1, 0x42, 0xe0, 0x1f), 102);
	/* malformed values are refused, not guessed */
	WF_CHECK_EQ(h264_offer("packetization-mode=1;profile-level-id=42e01", 1, 0x42, 0xe0, 0x1f),
		    -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECK(strstr(g_err.reason, "H264 ? pm 1 (102)") != NULL);
	WF_CHECK_EQ(h264_offer("packetization-mode=x;profile-level-id=42e01f", 1, 0x42, 0xe0, 0x1f),
		    -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECK(strstr(g_err.reason, "H264 42e01f pm ? (102)") != NULL);
	/* a level_idc that is no level of H.264 Table A-1 (0, 14, 23, 63)
	 * is refused: viewers would be promised it */
	WF_CHECK_EQ(h264_offer("packetization-mode=1;profile-level-id=42e000", 1, 0x42, 0xe0, 0x1f),
		    -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECK_EQ(h264_offer("packetization-mode=1;profile-level-id=42e00e", 1, 0x42, 0xe0, 0x1f),
		    -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECK_EQ(h264_offer("packetization-mode=1;profile-level-id=42e017", 1, 0x42, 0xe0, 0x1f),
		    -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECK_EQ(h264_offer("packetization-mode=1;profile-level-id=42e03f", 1, 0x42, 0xe0, 0x40),
		    -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECK_EQ(h264_offer("packetization-mode=1;profile-level-id=42e009", 1, 0x42, 0xe0, 0x1f), 102);
	WF_CHECK_EQ(h264_offer("packetization-mode=1;profile-level-id=42e034", 1, 0x42, 0xe0, 0x34), 102);

	/* Chromium's publisher offer against High: its first mode-1 PT that a
	 * High decoder decodes, in offer order (102 is Baseline: no) */
	{
		struct wf_sdp_track t[2] = { t_opus, t_h264 };

		t[1].h264_plid[0] = 0x64;
		t[1].h264_plid[1] = 0x00;
		WF_REQUIRE(load_publisher(SDP_CHROMIUM) == 0);
		WF_CHECK_EQ(match(t, 2, false), 2);
		WF_CHECK_EQ(g_m[1].pt, 108);
		/* and High 4:4:4 is not allowed in a High stream */
		t[1].h264_plid[0] = 0xf4;
		WF_CHECK_EQ(match(t, 2, false), 2);
		WF_CHECK_EQ(g_m[1].pt, 41);	/* exact profile first */
	}
}

/* RFC 5761 §4: with rtcp-mux, payload types 64-95 would read as RTCP
 * (whepfan's demux, wf_rtp_is_rtcp, does): a publisher's codec offered
 * only there is not acceptable, and the next PT of it is taken. */
static void whip_payload_types_64_to_95_are_not_taken(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_vp8 };
	static const unsigned bad[] = { 64, 72, 77, 95 };
	char attrs[128], pts[16];
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(pts, sizeof(pts), "%u", bad[i]);
		snprintf(attrs, sizeof(attrs), "a=rtpmap:%u VP8/90000\r\n", bad[i]);
		WF_REQUIRE(mini("sendonly", pts, attrs) == 0);
		WF_CHECKF(match(t, 2, false) == -WF_SDP_E_NOT_ACCEPTABLE, "VP8 at PT %u", bad[i]);
	}
	WF_REQUIRE(mini("sendonly", "77 96", "a=rtpmap:77 VP8/90000\r\na=rtpmap:96 VP8/90000\r\n") == 0);
	WF_CHECK_EQ(match(t, 2, false), 2);
	WF_CHECK_EQ(g_m[1].pt, 96);
	/* and a viewer's offer (WHEP) likewise: Chromium's, its VP8 moved
	 * from 96 to 77 (no match), or to 63 (a match) */
	for (i = 0; i < 2; i++) {
		const char *pt = i ? "63" : "77";
		char mline[32], map[40];
		const char *ed[] = {
			"SAVPF 96 97 ", mline,
			"a=rtpmap:96 VP8/90000\r\n", map,
		};
		int rc;

		snprintf(mline, sizeof(mline), "SAVPF %s 97 ", pt);
		snprintf(map, sizeof(map), "a=rtpmap:%s VP8/90000\r\n", pt);
		WF_REQUIRE(load_with(SDP_CHROMIUM, ed, 2) == 0);
		rc = wf_sdp_match_role(WF_SDP_ROLE_WHEP, &g_offer, t, 2, false, g_m, &g_err);
		if (i) {
			WF_CHECK_EQ(rc, 2);
			WF_CHECK_EQ(g_m[1].pt, 63);
		} else {
			WF_CHECKF(rc < 0, "WHEP took VP8 at PT 77 (%d)", rc);
		}
	}
}

/* The answer's fmtp is written from what whepfan read, so what it checked
 * is what the publisher and viewers are told: a key named twice (readers
 * differ on which counts) is refused, and parameters whepfan does not
 * read (capabilities, bitrates) are not passed on. */
static void whip_fmtp_is_written_from_what_was_read(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_h264 };
	static const char *const twice[] = {
		"packetization-mode=1;profile-level-id=42e01f;profile-level-id=640034;packetization-mode=0",
		"PACKETIZATION-MODE=1;Profile-Level-Id=42e01f;profile-level-id=7a0034",
		"packetization-mode=1;profile-level-id=42e01f; packetization-mode =1",
	};

	for (unsigned i = 0; i < sizeof(twice) / sizeof(twice[0]); i++)
		WF_CHECKF(h264_offer(twice[i], 1, 0x42, 0xe0, 0x1f) == -WF_SDP_E_NOT_ACCEPTABLE,
			  "%s", twice[i]);
	WF_CHECK_EQ(h264_offer("Profile-Level-Id=42e00a;max-mbps=2073600;max-fs=139264;"
			       "x-google-max-bitrate=90000;PACKETIZATION-MODE=1", 1, 0x42, 0xe0, 0x1f), 102);
	WF_CHECK(strcmp(g_m[1].fmtp, "packetization-mode=1;profile-level-id=42e00a") == 0);
	WF_REQUIRE(answer(t, 2) == 0);
	WF_CHECK(strstr(g_ans, "a=fmtp:102 packetization-mode=1;profile-level-id=42e00a\r\n") != NULL);
	WF_CHECK(strstr(g_ans, "max-") == NULL && strstr(g_ans, "x-google") == NULL);
	WF_REQUIRE(wf_sdp_publish_tracks(&g_offer, g_m, 2, g_pub) == 2);
	WF_CHECK(strcmp(g_pub[1].fmtp, "packetization-mode=1;profile-level-id=42e00a") == 0);
	WF_CHECK(strcmp(g_pub[0].fmtp, "minptime=10;useinbandfec=1") == 0);
	/* opus values out of their range are left out, not written */
	{
		struct wf_sdp_track o[1] = { t_opus };
		const char *ed[] = {
			"a=recvonly\r\n", "a=sendonly\r\n",
			"a=fmtp:111 minptime=10;useinbandfec=1", "a=fmtp:111 stereo=7;useinbandfec=120;minptime=0;x=1;x=2",
		};

		WF_REQUIRE(load_with(SDP_CHROMIUM, ed, 2) == 0);
		WF_CHECK(match(o, 1, true) >= 1);
		WF_CHECK(strcmp(g_m[0].fmtp, "") == 0);
		ed[3] = "a=fmtp:111 stereo=1;useinbandfec=0;minptime=3";
		WF_REQUIRE(load_with(SDP_CHROMIUM, ed, 2) == 0);
		WF_CHECK(match(o, 1, true) >= 1);
		WF_CHECK(strcmp(g_m[0].fmtp, "minptime=3;useinbandfec=0;stereo=1") == 0);
		/* a key whepfan reads, named twice: not taken */
		ed[3] = "a=fmtp:111 minptime=10;MinPTime=20";
		WF_REQUIRE(load_with(SDP_CHROMIUM, ed, 2) == 0);
		WF_CHECK_EQ(match(o, 1, false), -WF_SDP_E_NOT_ACCEPTABLE);
	}
	/* level-asymmetry-allowed is kept as read */
	WF_CHECK_EQ(h264_offer("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
			       1, 0x42, 0xe0, 0x1f), 102);
	WF_CHECK(strcmp(g_m[1].fmtp, "level-asymmetry-allowed=1;packetization-mode=1;"
			"profile-level-id=42e01f") == 0);
}

static void whip_vp9_av1_and_opus_follow_profile_and_channels(void)
{
	struct wf_sdp_track t = { .codec = WF_CODEC_VP9, .profile = 2 };
	struct wf_sdp_track o = t_opus;

	WF_REQUIRE(load_publisher(SDP_CHROMIUM) == 0);
	WF_CHECK_EQ(match(&t, 1, false), 1);
	WF_CHECK_EQ(g_m[1].pt, 100);
	WF_CHECK_EQ(g_m[1].rtx_pt, -1);	/* 101 offered, not taken */
	t.profile = 0;
	WF_CHECK_EQ(match(&t, 1, false), 1);
	WF_CHECK_EQ(g_m[1].pt, 98);
	t.codec = WF_CODEC_AV1;
	t.profile = 1;
	WF_CHECK_EQ(match(&t, 1, false), 1);
	WF_CHECK_EQ(g_m[1].pt, 47);
	t.profile = 2;
	WF_CHECK_EQ(match(&t, 1, false), -WF_SDP_E_NOT_ACCEPTABLE);
	/* a long list is cut with "..." inside the reason */
	WF_CHECKF(strncmp(g_err.reason, "media 1 (video): stream carries AV1 profile 2; offer has "
			  "AV1 profile 0 (45), AV1 profile 1 (47), VP8 (96), VP9 profile 0 (98)", 120) == 0,
		  "%s", g_err.reason);
	WF_CHECK_EQ(strlen(g_err.reason), sizeof(g_err.reason) - 1);
	WF_CHECK(strcmp(g_err.reason + strlen(g_err.reason) - 3, "...") == 0);
	/* opus is opus/48000/2 only */
	WF_REQUIRE(load_with(SDP_CHROMIUM, (const char *const[]){ "a=recvonly", "a=sendonly",
			     "opus/48000/2", "opus/48000/1" }, 2) == 0);
	WF_CHECK_EQ(match(&o, 1, false), -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECKF(strcmp(g_err.reason, "media 0 (audio): stream carries opus/48000/2; offer has "
			 "opus/48000/1 (111), G722/8000 (9), PCMU/8000 (0), PCMA/8000 (8)") == 0,
		  "%s", g_err.reason);
}

static void whip_recvonly_or_inactive_offer_is_refused(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_h264 };

	WF_REQUIRE(load_with(SDP_CHROMIUM, NULL, 0) == 0);	/* a WHEP player's offer */
	WF_CHECK_EQ(answer(t, 2), -WF_SDP_E_BAD_DIRECTION);
	WF_CHECKF(strcmp(g_err.reason, "media 0 (audio): a=recvonly; a WHIP publisher must offer "
			 "sendonly or sendrecv media") == 0, "%s", g_err.reason);
	WF_CHECK_EQ(g_ans[0], '\0');
	/* one section recvonly is enough */
	WF_REQUIRE(mini("recvonly", "96", "a=rtpmap:96 VP8/90000\r\n") == 0);
	WF_CHECK_EQ(match((struct wf_sdp_track[]){ t_opus, t_vp8 }, 2, false), -WF_SDP_E_BAD_DIRECTION);
	WF_CHECK(strstr(g_err.reason, "media 0 (audio): a=recvonly;") != NULL);
	WF_REQUIRE(mini("inactive", "96", "a=rtpmap:96 VP8/90000\r\n") == 0);
	WF_CHECK_EQ(match((struct wf_sdp_track[]){ t_opus, t_vp8 }, 2, false), -WF_SDP_E_BAD_DIRECTION);
	WF_CHECK(strstr(g_err.reason, "media 0 (audio): a=inactive;") != NULL);
	/* the same offer to a video-only stream: audio is rejected in place */
	WF_CHECK_EQ(match(&t_vp8, 1, false), 1);
	WF_CHECK(!g_m[0].accepted && g_m[1].accepted);
	/* and the WHEP role still answers the recvonly offer as before */
	WF_REQUIRE(load_with(SDP_CHROMIUM, NULL, 0) == 0);
	WF_CHECK_EQ(wf_sdp_match_role(WF_SDP_ROLE_WHEP, &g_offer, t, 2, false, g_m, &g_err), 2);
	WF_CHECK_EQ(g_m[1].dir, WF_SDP_DIR_SENDONLY);
	WF_CHECK_EQ(g_m[1].rtx_pt, 109);
	WF_CHECK_EQ(wf_sdp_match_role((enum wf_sdp_role)7, &g_offer, t, 2, false, g_m, &g_err),
		    -WF_SDP_E_BAD_PARAM);
}

static void whip_sendrecv_offer_is_accepted_and_answered_recvonly(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_h264 };

	WF_REQUIRE(load_with(SDP_CHROMIUM, (const char *const[]){ "a=recvonly\r\n", "" }, 1) == 0);
	WF_CHECK_EQ(g_offer.media[0].dir, WF_SDP_DIR_SENDRECV);	/* RFC 8866 §6.7 default */
	WF_REQUIRE(answer(t, 2) == 0);
	check_whip_answer(2);
	WF_REQUIRE(load_with(SDP_FIREFOX, (const char *const[]){ "a=recvonly\r\n", "a=sendrecv\r\n" }, 1) == 0);
	WF_REQUIRE(answer((struct wf_sdp_track[]){ t_opus, t_vp8 }, 2) == 0);
	check_whip_answer(2);
}

static void whip_offer_without_a_configured_kind_is_not_acceptable(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_vp8 };
	struct wf_sdp_track two[3] = { t_opus, t_vp8, t_h264 };
	struct wf_sdp_answer_params p = params(t, 2);

	/* the audio section disabled (port 0): the stream's audio has no source */
	WF_REQUIRE(load_with(SDP_CHROMIUM, (const char *const[]){ "a=recvonly", "a=sendonly",
			     "m=audio 9 ", "m=audio 0 " }, 2) == 0);
	WF_CHECK_EQ(answer(t, 2), -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECKF(strcmp(g_err.reason, "audio: offer has no audio section for track 0; "
			 "stream carries opus/48000/2") == 0, "%s", g_err.reason);
	/* a caller that accepts a partial publisher gets video alone */
	p.allow_partial = true;
	WF_REQUIRE(wf_sdp_answer_build(&g_offer, &p, g_m, g_ans, sizeof(g_ans), &g_len, &g_err) == 0);
	check_whip_answer(1);
	WF_CHECK(strstr(g_ans, "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n") != NULL);
	WF_REQUIRE(wf_sdp_publish_tracks(&g_offer, g_m, 2, g_pub) == 1);
	WF_CHECK(!g_pub[0].set && g_pub[1].set && g_pub[1].pt == 96);
	/* two video tracks, one video section */
	WF_REQUIRE(load_publisher(SDP_CHROMIUM) == 0);
	WF_CHECK_EQ(match(two, 3, false), -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECKF(strcmp(g_err.reason, "video: offer has no video section for track 2; "
			 "stream carries H264 42e01f pm 1") == 0, "%s", g_err.reason);
	/* a video section the stream lacks is rejected in place */
	WF_CHECK_EQ(match(&t_opus, 1, false), 1);
	WF_CHECK(g_m[0].accepted && !g_m[1].accepted);
	WF_CHECK(strstr(g_m[1].reason, "the stream has no video track") != NULL);
}

static void whip_answer_honours_no_nack_and_fits_its_buffer_exactly(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_h264 };
	struct wf_sdp_answer_params p = params(t, 2);
	WF_REQUIRE(load_publisher(SDP_CHROMIUM) == 0);
	p.no_nack = true;
	WF_REQUIRE(wf_sdp_answer_build(&g_offer, &p, g_m, g_ans, sizeof(g_ans), &g_len, &g_err) == 0);
	WF_CHECK(strstr(g_ans, "a=rtcp-fb:108 nack\r\n") == NULL);
	WF_CHECK(strstr(g_ans, "a=rtcp-fb:108 nack pli\r\n") != NULL);
	p.no_nack = false;
	/* track ids are not read for WHIP: the answer names no track */
	t[0].track_id = NULL;
	t[1].track_id = "bad id";
	WF_REQUIRE(wf_sdp_answer_build(&g_offer, &p, g_m, g_ans, sizeof(g_ans), &g_len, &g_err) == 0);
	sdp_answer_fits_exactly(&g_offer, &p, g_ans, g_len);
	p.role = (enum wf_sdp_role)2;
	WF_CHECK_EQ(wf_sdp_answer_build(&g_offer, &p, g_m, g_ans, sizeof(g_ans), &g_len, &g_err),
		    -WF_SDP_E_BAD_PARAM);
}

/* Viewers are matched against what the publisher negotiated. */
static void whip_publisher_parameters_become_the_viewers_track(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_h264 }, v;
	struct wf_sdp_publish bad;

	t[1].h264_plid[0] = 0x64;	/* configured High, the publisher sends CB */
	t[1].h264_plid[1] = 0x00;
	WF_REQUIRE(load_publisher(SDP_CHROMIUM) == 0);
	WF_REQUIRE(match(t, 2, false) == 2);
	WF_REQUIRE(wf_sdp_publish_tracks(&g_offer, g_m, 2, g_pub) == 2);
	WF_REQUIRE(wf_sdp_track_from_publish(&t[1], &g_pub[1], &v) == 0);
	WF_CHECK_EQ(v.codec, WF_CODEC_H264);
	WF_CHECK_EQ(v.h264_packetization_mode, 1);
	WF_CHECK(v.h264_plid[0] == 0x42 && v.h264_plid[1] == 0xe0 && v.h264_plid[2] == 0x1f);
	WF_CHECK_EQ(v.ssrc, t[1].ssrc);
	WF_CHECK(strcmp(v.track_id, "video0") == 0);
	/* a viewer's Chromium takes it as 108, as for a configured 42e01f */
	WF_REQUIRE(load_with(SDP_CHROMIUM, NULL, 0) == 0);
	WF_CHECK_EQ(wf_sdp_match(&g_offer, &v, 1, false, g_m, &g_err), 1);
	WF_CHECK_EQ(g_m[1].pt, 108);
	/* VP9 profile from the fmtp; absent fmtp values take their defaults */
	memset(&bad, 0, sizeof(bad));
	bad.set = true;
	bad.clock_rate = 90000;
	WF_REQUIRE(wf_sdp_track_from_publish(&t[1], &bad, &v) == 0);
	WF_CHECK(v.h264_packetization_mode == 0 && v.h264_plid[0] == 0x42 && v.h264_plid[2] == 0x0a);
	snprintf(bad.fmtp, sizeof(bad.fmtp), "profile-id=2");
	WF_REQUIRE(wf_sdp_track_from_publish(&(struct wf_sdp_track){ .codec = WF_CODEC_VP9 }, &bad, &v) == 0);
	WF_CHECK_EQ(v.profile, 2);
	snprintf(bad.fmtp, sizeof(bad.fmtp), "profile-level-id=zz");
	WF_CHECK_EQ(wf_sdp_track_from_publish(&t[1], &bad, &v), -WF_SDP_E_BAD_PARAM);
	snprintf(bad.fmtp, sizeof(bad.fmtp), "packetization-mode=9");
	WF_CHECK_EQ(wf_sdp_track_from_publish(&t[1], &bad, &v), -WF_SDP_E_BAD_PARAM);
	bad.set = false;
	WF_CHECK_EQ(wf_sdp_track_from_publish(&t[1], &bad, &v), -WF_SDP_E_BAD_PARAM);
	WF_CHECK_EQ(wf_sdp_publish_tracks(NULL, g_m, 2, g_pub), -WF_SDP_E_BAD_PARAM);
}

/* ---- hostile inputs ---- */

static void whip_truncated_publisher_offers_never_break_the_answer(void)
{
	static const char *const ed[] = { "a=recvonly", "a=sendonly" };
	struct wf_sdp_track t[2] = { t_opus, t_h264 };
	struct wf_sdp_answer_params p = params(t, 2);
	size_t len, ok = 0;
	char *s = sdp_load(SDP_CHROMIUM, &len), *e;

	WF_REQUIRE(s);
	e = sdp_replace(s, ed[0], ed[1], 1);
	free(s);
	WF_REQUIRE(e);
	len = strlen(e);
	for (size_t n = 0; n <= len; n++) {
		int rc = wf_sdp_offer_parse(&g_offer, e, n, &g_err);

		if (rc)
			continue;
		p.allow_partial = n & 1;
		rc = wf_sdp_answer_build(&g_offer, &p, g_m, g_ans, sizeof(g_ans), &g_len, &g_err);
		WF_CHECK(strnlen(g_err.reason, sizeof(g_err.reason)) < sizeof(g_err.reason));
		if (rc) {
			WF_CHECKF(rc == -WF_SDP_E_NOT_ACCEPTABLE || rc == -WF_SDP_E_BAD_BUNDLE ||
				  rc == -WF_SDP_E_NOTHING_ACCEPTED, "n %zu rc %d", n, rc);
			continue;
		}
		ok++;
		WF_CHECKF(wf_sdp_parse(&g_back, g_ans, g_len, &g_err) == 0, "n %zu: %s", n, g_err.reason);
		WF_CHECK_EQ(g_back.nmedia, g_offer.nmedia);
		WF_CHECK(wf_sdp_publish_tracks(&g_offer, g_m, 2, g_pub) >= 1);
	}
	WF_CHECK(ok > 0);
	free(e);
}

static void whip_fmtp_is_read_up_to_255_bytes_and_never_copied(void)
{
	char attrs[2048], fmtp[1100];
	struct wf_sdp_track t[2] = { t_opus, t_h264 };
	static const char base[] = "packetization-mode=1;profile-level-id=42e01f;x=";

	for (size_t flen = sizeof(base) - 1; flen <= 1000; flen++) {
		int rc;

		memset(fmtp, 'a', flen);
		memcpy(fmtp, base, sizeof(base) - 1);
		fmtp[flen] = '\0';
		snprintf(attrs, sizeof(attrs), "a=rtpmap:102 H264/90000\r\na=fmtp:102 %s\r\n", fmtp);
		WF_REQUIRE(mini("sendonly", "102", attrs) == 0);
		rc = answer(t, 2);
		if (flen < WF_SDP_FMTP_MAX) {
			WF_CHECKF(rc == 0, "fmtp of %zu bytes: %d %s", flen, rc, g_err.reason);
			WF_REQUIRE(wf_sdp_publish_tracks(&g_offer, g_m, 2, g_pub) == 2);
			WF_CHECK(strcmp(g_pub[1].fmtp, "packetization-mode=1;profile-level-id=42e01f") == 0);
			WF_CHECK(strstr(g_ans, "a=fmtp:102 packetization-mode=1;profile-level-id=42e01f\r\n"));
			WF_CHECK(strstr(g_ans, ";x=") == NULL);
		} else {
			WF_CHECKF(rc == -WF_SDP_E_NOT_ACCEPTABLE, "fmtp of %zu bytes: %d", flen, rc);
			WF_CHECK(strnlen(g_err.reason, sizeof(g_err.reason)) < sizeof(g_err.reason));
		}
	}
	/* a line above the parser's limit is refused before matching */
	memset(fmtp, 'b', 1050);
	fmtp[1050] = '\0';
	snprintf(attrs, sizeof(attrs), "a=rtpmap:102 H264/90000\r\na=fmtp:102 %s\r\n", fmtp);
	WF_CHECK_EQ(mini("sendonly", "102", attrs), -WF_SDP_E_LINE_TOO_LONG);
}

static void whip_many_duplicate_and_out_of_range_payload_types(void)
{
	struct wf_sdp_track t[2] = { t_opus, t_h264 };
	char pts[64 * 4 + 8], attrs[64 * 40], *w;
	size_t off = 0;

	/* 64 formats (the limit): 63 VP8, the H.264 one last */
	w = pts;
	for (unsigned i = 0; i < 64; i++) {
		unsigned pt = i < 32 ? 96 + i : i - 32;	/* 96..127 then 0..31 */

		w += sprintf(w, "%s%u", i ? " " : "", pt);
		off += (size_t)snprintf(attrs + off, sizeof(attrs) - off, "a=rtpmap:%u %s/90000\r\n", pt,
					i == 63 ? "H264" : "VP8");
	}
	snprintf(attrs + off, sizeof(attrs) - off, "a=fmtp:31 packetization-mode=1;profile-level-id=42e01f\r\n");
	WF_REQUIRE(mini("sendonly", pts, attrs) == 0);
	WF_CHECK_EQ(g_offer.media[1].nformats, 64);
	WF_REQUIRE(answer(t, 2) == 0);
	WF_CHECK_EQ(g_m[1].pt, 31);
	check_whip_answer(2);
	/* to a VP8 stream, the first VP8 */
	WF_REQUIRE(answer((struct wf_sdp_track[]){ t_opus, t_vp8 }, 2) == 0);
	WF_CHECK_EQ(g_m[1].pt, 96);
	/* a 65th is refused by the parser */
	strcat(pts, " 32");
	WF_CHECK_EQ(mini("sendonly", pts, attrs), -WF_SDP_E_TOO_MANY_FORMATS);
	/* the reason of a refusal with 64 formats stays within its buffer */
	WF_REQUIRE(mini("sendonly", "96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113",
			"a=rtpmap:96 VP8/90000\r\n") == 0);
	WF_CHECK_EQ(answer(t, 2), -WF_SDP_E_NOT_ACCEPTABLE);
	WF_CHECK(strnlen(g_err.reason, sizeof(g_err.reason)) < sizeof(g_err.reason));
	WF_CHECKF(strstr(g_err.reason, "offer has VP8 (96), ? (97), ? (98)") != NULL, "%s", g_err.reason);
	/* duplicates and numbers out of range */
	WF_CHECK_EQ(mini("sendonly", "96 96", "a=rtpmap:96 VP8/90000\r\n"), -WF_SDP_E_BAD_MEDIA);
	WF_CHECK_EQ(mini("sendonly", "96", "a=rtpmap:96 VP8/90000\r\na=rtpmap:96 H264/90000\r\n"),
		    -WF_SDP_E_DUPLICATE);
	WF_CHECK_EQ(mini("sendonly", "96", "a=rtpmap:96 VP8/90000\r\na=fmtp:96 a=1\r\na=fmtp:96 a=2\r\n"),
		    -WF_SDP_E_DUPLICATE);
	WF_CHECK_EQ(mini("sendonly", "128", "a=rtpmap:128 VP8/90000\r\n"), -WF_SDP_E_BAD_PT);
	WF_CHECK_EQ(mini("sendonly", "96", "a=rtpmap:300 VP8/90000\r\n"), -WF_SDP_E_BAD_PT);
	WF_CHECK_EQ(mini("sendonly", "96", "a=rtpmap:96 VP8/90000\r\na=fmtp:-1 x=1\r\n"), -WF_SDP_E_BAD_PT);
	WF_CHECK_EQ(mini("sendonly", "4294967392", "a=rtpmap:96 VP8/90000\r\n"), -WF_SDP_E_BAD_PT);
	/* an rtpmap for a PT not on the m= line does not make it offered */
	WF_REQUIRE(mini("sendonly", "97", "a=rtpmap:96 VP8/90000\r\n") == 0);
	WF_CHECK_EQ(answer((struct wf_sdp_track[]){ t_opus, t_vp8 }, 2), -WF_SDP_E_NOT_ACCEPTABLE);
	/* malformed a=ssrc ids are ignored, the next one is kept */
	WF_REQUIRE(mini("sendonly", "96", "a=rtpmap:96 VP8/90000\r\na=ssrc:x cname:a\r\n"
			"a=ssrc:4294967296 cname:a\r\na=ssrc\r\na=ssrc:4294967295 cname:a\r\na=ssrc:7\r\n") == 0);
	WF_CHECK(g_offer.media[1].has_ssrc && g_offer.media[1].ssrc == 4294967295u);
	WF_CHECK(!g_offer.media[0].has_ssrc);
}

/* The bounded reason writers: every capacity from 0 up, guard bytes after
 * it untouched, always NUL-terminated, "..." when cut. */
static void whip_reason_writers_never_overflow_any_buffer(void)
{
	char full[1024], buf[1100];
	size_t need, got;

	WF_REQUIRE(load_publisher(SDP_CHROMIUM) == 0);
	need = wf_sdp_media_codecs(&g_offer.media[1], "H264", full, sizeof(full));
	WF_REQUIRE(need > 200 && need < sizeof(full));
	WF_CHECK_EQ(strlen(full), need);
	WF_CHECK(strncmp(full, "H264 42001f pm 1 (102), H264 42001f pm 0 (104), H264 42e01f pm 1 (108)", 70) == 0);
	WF_CHECK(strstr(full, "rtx") == NULL && strstr(full, "red") == NULL &&
		 strstr(full, "ulpfec") == NULL && strstr(full, "flexfec") == NULL);
	WF_CHECK(strstr(full, ", VP8 (96), ") != NULL);
	for (size_t cap = 0; cap <= need + 2; cap++) {
		memset(buf, 0x5a, sizeof(buf));
		got = wf_sdp_media_codecs(&g_offer.media[1], "H264", buf, cap);
		WF_CHECK_EQ(got, need);
		for (size_t k = cap; k < sizeof(buf); k++)
			if ((unsigned char)buf[k] != 0x5a) {
				WF_CHECKF(0, "cap %zu: byte %zu written", cap, k);
				break;
			}
		if (!cap)
			continue;
		WF_CHECK_EQ(strnlen(buf, cap), cap > need ? need : cap - 1);
		if (cap > need)
			WF_CHECK(strcmp(buf, full) == 0);
		else if (cap >= 4)
			WF_CHECKF(strncmp(buf, full, cap - 4) == 0 && strcmp(buf + cap - 4, "...") == 0,
				  "cap %zu: %s", cap, buf);
		else
			WF_CHECK(strncmp(buf, full, cap - 1) == 0);
	}
	/* size 1: an empty string; size 0 and NULL: nothing written */
	buf[0] = 'x';
	WF_CHECK_EQ(wf_sdp_media_codecs(&g_offer.media[0], NULL, buf, 1), strlen("opus/48000/2 (111), G722/8000 (9), PCMU/8000 (0), PCMA/8000 (8)"));
	WF_CHECK_EQ(buf[0], '\0');
	WF_CHECK(wf_sdp_media_codecs(&g_offer.media[0], NULL, NULL, 0) > 0);
	WF_CHECK(wf_sdp_media_codecs(&g_offer.media[0], NULL, NULL, 10) > 0);	/* NULL buffer: cap ignored */
	WF_CHECK_EQ(wf_sdp_media_codecs(NULL, NULL, buf, sizeof(buf)), 0);
	WF_CHECK_EQ(buf[0], '\0');
	WF_CHECK(wf_sdp_media_codecs(&g_offer.media[0], NULL, full, sizeof(full)) > 0);
	WF_CHECK(strcmp(full, "opus/48000/2 (111), G722/8000 (9), PCMU/8000 (0), PCMA/8000 (8)") == 0);

	need = wf_sdp_track_describe(&t_h264, full, sizeof(full));
	WF_CHECK(strcmp(full, "H264 42e01f pm 1") == 0);
	for (size_t cap = 0; cap <= need + 1; cap++) {
		memset(buf, 0x5a, sizeof(buf));
		WF_CHECK_EQ(wf_sdp_track_describe(&t_h264, buf, cap), need);
		WF_CHECK((unsigned char)buf[cap] == 0x5a);
		if (cap)
			WF_CHECK_EQ(strnlen(buf, cap), cap > need ? need : cap - 1);
	}
	WF_CHECK(wf_sdp_track_describe(&(struct wf_sdp_track){ .codec = WF_CODEC_PCMA }, full, sizeof(full)) == 9 &&
		 strcmp(full, "PCMA/8000") == 0);
	WF_CHECK(wf_sdp_track_describe(&(struct wf_sdp_track){ .codec = WF_CODEC_VP9, .profile = 2 }, full,
				       sizeof(full)) == 13 && strcmp(full, "VP9 profile 2") == 0);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(whip_chromium_h264_opus_is_answered_recvonly_with_its_pts_and_fmtp);
	WF_RUN(whip_chromium_vp8_opus_takes_pt_96);
	WF_RUN(whip_firefox_vp8_opus_keeps_firefox_pts_and_fmtp);
	WF_RUN(whip_firefox_without_h264_is_not_acceptable_with_reason);
	WF_RUN(whip_h264_needs_mode_1_an_allowed_profile_and_level);
	WF_RUN(whip_payload_types_64_to_95_are_not_taken);
	WF_RUN(whip_fmtp_is_written_from_what_was_read);
	WF_RUN(whip_vp9_av1_and_opus_follow_profile_and_channels);
	WF_RUN(whip_recvonly_or_inactive_offer_is_refused);
	WF_RUN(whip_sendrecv_offer_is_accepted_and_answered_recvonly);
	WF_RUN(whip_offer_without_a_configured_kind_is_not_acceptable);
	WF_RUN(whip_answer_honours_no_nack_and_fits_its_buffer_exactly);
	WF_RUN(whip_publisher_parameters_become_the_viewers_track);
	WF_RUN(whip_truncated_publisher_offers_never_break_the_answer);
	WF_RUN(whip_fmtp_is_read_up_to_255_bytes_and_never_copied);
	WF_RUN(whip_many_duplicate_and_out_of_range_payload_types);
	WF_RUN(whip_reason_writers_never_overflow_any_buffer);
	return wf_test_done();
}
