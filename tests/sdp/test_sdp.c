/* test_sdp.c: the offer parser, fmtp and candidate helpers and the
 * trickle-ice-sdpfrag parser, on real browser offers and hostile input. */
#include "wf_test.h"

#include <errno.h>

#include "sdp/sdp.h"
#include "sdp/sdp_answer.h"
#include "sdp_testutil.h"

static struct wf_sdp_offer g_offer;	/* ~100 KiB: not on the stack */
static struct wf_sdp_error g_err;

/* Chromium's and Firefox's sha-256 fingerprints, as printed in the files. */
static const char *const CHROMIUM_FP =
	"27E3537FE1A39D3388D2E5B274776B4BB87D84BABB796C626BB7FCBBDABE9B4B";
static const char *const FIREFOX_FP =
	"141DCD0A5E03F1457048AC50D846408535 26E108C3DAACF746A36ADE74BBD6B4";

static int parse_str(const char *s)
{
	return wf_sdp_offer_parse(&g_offer, s, strlen(s), &g_err);
}

/* Parses the Chromium offer after one edit; the edit must apply. */
static int parse_edited(const char *file, const char *from, const char *to, int all)
{
	size_t len;
	char *base = sdp_load(file, &len);
	char *ed;
	int rc;

	if (!base)
		return 9999;
	ed = sdp_replace(base, from, to, all);
	free(base);
	if (!ed)
		return 9998;
	rc = parse_str(ed);
	free(ed);
	return rc;
}

static void sdp_chromium_offer_parses_mids_pts_and_fingerprint(void)
{
	size_t len;
	char *s = sdp_load(SDP_CHROMIUM, &len);
	uint8_t fp[32];
	const struct wf_sdp_media *a, *v;
	const struct wf_sdp_format *f;
	char val[32];

	WF_REQUIRE(s);
	WF_CHECK_EQ(wf_sdp_offer_parse(&g_offer, s, len, &g_err), 0);
	free(s);
	WF_CHECKF(g_err.code == 0, "%s", g_err.reason);
	WF_REQUIRE(g_offer.nmedia == 2);
	WF_CHECK_EQ(g_offer.nbundle, 2);
	WF_CHECK(strcmp(g_offer.bundle[0], "0") == 0 && strcmp(g_offer.bundle[1], "1") == 0);
	WF_CHECK(g_offer.trickle);
	WF_CHECK(!g_offer.ice_lite);
	WF_CHECK(g_offer.sess_id == 3711776168035478471ULL);
	a = &g_offer.media[0];
	v = &g_offer.media[1];
	WF_CHECK_EQ(a->kind, WF_SDP_KIND_AUDIO);
	WF_CHECK_EQ(v->kind, WF_SDP_KIND_VIDEO);
	WF_CHECK(strcmp(a->mid, "0") == 0 && strcmp(v->mid, "1") == 0);
	WF_CHECK(a->proto_ok && v->proto_ok);
	WF_CHECK_EQ(a->port, 9);
	WF_CHECK_EQ(a->dir, WF_SDP_DIR_RECVONLY);
	WF_CHECK_EQ(v->dir, WF_SDP_DIR_RECVONLY);
	WF_CHECK_EQ(a->setup, WF_SDP_SETUP_ACTPASS);
	WF_CHECK(a->rtcp_mux && a->rtcp_rsize && v->rtcp_mux && v->rtcp_rsize);
	WF_CHECK(strcmp(a->ice_ufrag, "gDO1") == 0);
	WF_CHECK(strcmp(v->ice_pwd, "Cdo5dy+vzCdsy9F4J6U4v0jW") == 0);
	WF_REQUIRE(wf_test_unhex(CHROMIUM_FP, fp, sizeof(fp)) == 32);
	WF_CHECK(a->has_fingerprint && v->has_fingerprint);
	WF_CHECK_MEM(a->fingerprint, fp, 32);
	WF_CHECK_MEM(v->fingerprint, fp, 32);
	WF_CHECK_EQ(a->nformats, 8);
	WF_CHECK_EQ(v->nformats, 34);
	WF_CHECK_EQ(a->nextmap, 4);
	WF_CHECK_EQ(v->nextmap, 11);
	WF_CHECK_EQ(a->ncandidates, 0);
	WF_CHECK_EQ(a->formats[0].pt, 111);
	f = wf_sdp_media_format(a, 111);
	WF_REQUIRE(f && f->name);
	WF_CHECK(strcmp(f->name, "opus") == 0 && f->clock_rate == 48000 && f->channels == 2);
	WF_CHECK(wf_sdp_fmtp_get(f->fmtp, "useinbandfec", val, sizeof(val)) == 1 && strcmp(val, "1") == 0);
	WF_CHECK_EQ(f->fb, WF_SDP_FB_TRANSPORT_CC);
	f = wf_sdp_media_format(a, 0);
	WF_REQUIRE(f && f->name);
	WF_CHECK(strcmp(f->name, "PCMU") == 0 && f->clock_rate == 8000);
	f = wf_sdp_media_format(v, 96);
	WF_REQUIRE(f && f->name);
	WF_CHECK(strcmp(f->name, "VP8") == 0 && f->clock_rate == 90000 && f->fmtp == NULL);
	WF_CHECK_EQ(f->fb, WF_SDP_FB_NACK | WF_SDP_FB_PLI | WF_SDP_FB_FIR |
			   WF_SDP_FB_TRANSPORT_CC | WF_SDP_FB_REMB);
	f = wf_sdp_media_format(v, 108);
	WF_REQUIRE(f && f->name);
	WF_CHECK(strcmp(f->name, "H264") == 0);
	WF_CHECK(wf_sdp_fmtp_get(f->fmtp, "profile-level-id", val, sizeof(val)) == 6 &&
		 strcmp(val, "42e01f") == 0);
	f = wf_sdp_media_format(v, 49);
	WF_REQUIRE(f && f->name);
	WF_CHECK(strcmp(f->name, "flexfec-03") == 0);
	WF_CHECK(wf_sdp_media_format(v, 50) == NULL);
}

static void sdp_firefox_offer_applies_session_level_defaults(void)
{
	size_t len;
	char *s = sdp_load(SDP_FIREFOX, &len);
	uint8_t fp[32];
	const struct wf_sdp_media *a, *v;
	const struct wf_sdp_format *f;
	uint32_t apt = 0;

	WF_REQUIRE(s);
	WF_CHECK_EQ(wf_sdp_offer_parse(&g_offer, s, len, &g_err), 0);
	free(s);
	WF_CHECKF(g_err.code == 0, "%s", g_err.reason);
	WF_REQUIRE(g_offer.nmedia == 2);
	a = &g_offer.media[0];
	v = &g_offer.media[1];
	WF_CHECK(g_offer.has_fingerprint);
	WF_CHECK_EQ(g_offer.dir, WF_SDP_DIR_SENDRECV);
	/* media-level recvonly wins over the session's sendrecv */
	WF_CHECK_EQ(a->dir, WF_SDP_DIR_RECVONLY);
	WF_CHECK_EQ(v->dir, WF_SDP_DIR_RECVONLY);
	WF_REQUIRE(wf_test_unhex(FIREFOX_FP, fp, sizeof(fp)) == 32);
	WF_CHECK(a->has_fingerprint);
	WF_CHECK_MEM(a->fingerprint, fp, 32);
	WF_CHECK_MEM(v->fingerprint, fp, 32);
	WF_CHECK(strcmp(a->ice_ufrag, "8e662b90") == 0);
	WF_CHECK(!a->rtcp_rsize && v->rtcp_rsize);
	WF_CHECK_EQ(a->nformats, 5);
	WF_CHECK_EQ(v->nformats, 9);
	WF_CHECK_EQ(a->formats[0].pt, 109);
	f = wf_sdp_media_format(a, 9);
	WF_REQUIRE(f && f->name);
	WF_CHECK(strcmp(f->name, "G722") == 0 && f->channels == 1);
	f = wf_sdp_media_format(v, 120);
	WF_REQUIRE(f && f->name);
	WF_CHECK(strcmp(f->name, "VP8") == 0);
	WF_CHECK_EQ(f->fb, WF_SDP_FB_NACK | WF_SDP_FB_PLI | WF_SDP_FB_FIR |
			   WF_SDP_FB_TRANSPORT_CC | WF_SDP_FB_REMB);
	f = wf_sdp_media_format(v, 124);
	WF_REQUIRE(f && f->name);
	WF_CHECK(strcmp(f->name, "rtx") == 0);
	WF_CHECK(wf_sdp_fmtp_get_u32(f->fmtp, "apt", &apt) == 0 && apt == 120);
	for (unsigned i = 0; i < v->nformats; i++)
		WF_CHECK(!v->formats[i].name || strcasecmp(v->formats[i].name, "H264") != 0);
	WF_CHECK_EQ(a->nextmap, 4);
	WF_CHECK_EQ(a->extmap[1].id, 2);
}

static void sdp_lf_line_endings_parse_like_crlf(void)
{
	size_t len;
	char *s = sdp_load(SDP_CHROMIUM, &len);
	char *lf;

	WF_REQUIRE(s);
	lf = sdp_replace(s, "\r\n", "\n", 1);
	free(s);
	WF_REQUIRE(lf);
	WF_CHECK_EQ(parse_str(lf), 0);
	free(lf);
	WF_CHECK_EQ(g_offer.nmedia, 2);
	WF_CHECK_EQ(g_offer.media[1].nformats, 34);
	WF_CHECK(strcmp(g_offer.media[0].ice_pwd, "Cdo5dy+vzCdsy9F4J6U4v0jW") == 0);
}

/* Every prefix of an offer: an error with a reason, or a parse whose
 * strings all lie inside the struct's buffer.  The prefix is a fresh
 * allocation of exactly that size, so ASan sees any read past it. */
static void truncations_of(const char *file)
{
	size_t len, ok = 0;
	char *s = sdp_load(file, &len);

	WF_REQUIRE(s);
	for (size_t n = 0; n < len; n++) {
		char *p = malloc(n ? n : 1);
		int rc;

		WF_REQUIRE(p);
		memcpy(p, s, n);
		rc = wf_sdp_offer_parse(&g_offer, p, n, &g_err);
		free(p);
		if (rc == 0) {
			ok++;
			WF_CHECK(g_offer.nmedia >= 1);
		} else {
			WF_CHECKF(rc < 0 && g_err.code == -rc && g_err.reason[0],
				  "len %zu: rc %d reason \"%s\"", n, rc, g_err.reason);
		}
	}
	/* Cuts inside the last media section's format attributes still leave
	 * a complete offer; cuts before the first m= line never do. */
	WF_CHECK(ok > 0);
	WF_CHECK_EQ(wf_sdp_offer_parse(&g_offer, s, (size_t)(strstr(s, "m=") - s), &g_err),
		    -WF_SDP_E_NO_MEDIA);
	free(s);
}

static void sdp_every_truncation_of_chromium_offer_is_safe(void)
{
	truncations_of(SDP_CHROMIUM);
}

static void sdp_every_truncation_of_firefox_offer_is_safe(void)
{
	truncations_of(SDP_FIREFOX);
}

static void sdp_oversized_body_is_refused(void)
{
	size_t n = WF_SDP_MAX_BODY + 1;
	char *s = malloc(n);

	WF_REQUIRE(s);
	memset(s, 'x', n);
	memcpy(s, "v=0\r\n", 5);
	WF_CHECK_EQ(wf_sdp_offer_parse(&g_offer, s, n, &g_err), -WF_SDP_E_TOO_LARGE);
	WF_CHECK(strstr(g_err.reason, "65536") != NULL);
	free(s);
}

/* Builds a valid session header followed by count copies of line. */
static char *repeat_lines(const char *head, const char *line, unsigned count)
{
	size_t hl = strlen(head), ll = strlen(line);
	char *s = malloc(hl + ll * count + 1), *w;

	if (!s)
		return NULL;
	memcpy(s, head, hl);
	w = s + hl;
	for (unsigned i = 0; i < count; i++, w += ll)
		memcpy(w, line, ll);
	*w = '\0';
	return s;
}

static const char *const HEAD = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

static void sdp_thousand_m_lines_are_refused(void)
{
	char *s = repeat_lines(HEAD, "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n", 1000);

	WF_REQUIRE(s);
	WF_CHECK_EQ(parse_str(s), -WF_SDP_E_TOO_MANY_MEDIA);
	WF_CHECKF(strstr(g_err.reason, "more than 16 m= sections") != NULL, "%s", g_err.reason);
	WF_CHECK_EQ(g_err.line, 4 + 17);
	free(s);
}

static void sdp_too_many_lines_and_long_lines_are_refused(void)
{
	char *s = repeat_lines(HEAD, "a=x\r\n", 5000);
	char line[WF_SDP_MAX_LINE + 16];

	WF_REQUIRE(s);
	WF_CHECK_EQ(parse_str(s), -WF_SDP_E_TOO_MANY_LINES);
	WF_CHECK(strstr(g_err.reason, "4096") != NULL);
	free(s);

	memset(line, 'a', sizeof(line));
	memcpy(line, "a=", 2);
	memcpy(line + WF_SDP_MAX_LINE + 1, "\r\n", 3);	/* a line of MAX+1 bytes */
	s = repeat_lines(HEAD, line, 1);
	WF_REQUIRE(s);
	WF_CHECK_EQ(parse_str(s), -WF_SDP_E_LINE_TOO_LONG);
	WF_CHECK_EQ(g_err.line, 5);
	free(s);
	line[WF_SDP_MAX_LINE] = '\r';	/* exactly MAX bytes: fine (then no m= line) */
	line[WF_SDP_MAX_LINE + 1] = '\n';
	line[WF_SDP_MAX_LINE + 2] = '\0';
	s = repeat_lines(HEAD, line, 1);
	WF_REQUIRE(s);
	WF_CHECK_EQ(parse_str(s), -WF_SDP_E_NO_MEDIA);
	free(s);
}

static void sdp_too_many_formats_or_extmaps_are_refused(void)
{
	char m[512] = "m=video 9 UDP/TLS/RTP/SAVPF";
	char *s;

	for (int i = 0; i < 65; i++)
		snprintf(m + strlen(m), sizeof(m) - strlen(m), " %d", i);
	strcat(m, "\r\n");
	s = repeat_lines(HEAD, m, 1);
	WF_REQUIRE(s);
	WF_CHECK_EQ(parse_str(s), -WF_SDP_E_TOO_MANY_FORMATS);
	WF_CHECK(strstr(g_err.reason, "64 formats") != NULL);
	free(s);

	char ext[64];
	char *big = malloc(8192);

	WF_REQUIRE(big);
	snprintf(big, 8192, "%sm=video 9 UDP/TLS/RTP/SAVPF 96\r\n", HEAD);
	for (int i = 1; i <= 33; i++) {
		snprintf(ext, sizeof(ext), "a=extmap:%d urn:x:%d\r\n", i, i);
		strcat(big, ext);
	}
	WF_CHECK_EQ(parse_str(big), -WF_SDP_E_TOO_MANY_EXTMAP);
	free(big);
}

static void sdp_huge_payload_types_are_refused(void)
{
	static const char *const bad[] = {
		"UDP/TLS/RTP/SAVPF 111 63", "UDP/TLS/RTP/SAVPF 128 63",
		"UDP/TLS/RTP/SAVPF 99999999999999999999999 63", "UDP/TLS/RTP/SAVPF -1 63",
		"UDP/TLS/RTP/SAVPF 4294967407 63", "UDP/TLS/RTP/SAVPF 0x6f 63",
	};

	for (size_t i = 1; i < sizeof(bad) / sizeof(bad[0]); i++) {
		WF_CHECKF(parse_edited(SDP_CHROMIUM, bad[0], bad[i], 0) == -WF_SDP_E_BAD_PT,
			  "%s: %s", bad[i], g_err.reason);
		WF_CHECK_EQ(g_err.line, 8);
	}
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=rtpmap:111 ", "a=rtpmap:4294967407 ", 0),
		    -WF_SDP_E_BAD_PT);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=rtcp-fb:111 ", "a=rtcp-fb:1111 ", 0),
		    -WF_SDP_E_BAD_PT);
	/* a PT listed twice on one m= line */
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "SAVPF 111 63", "SAVPF 111 111", 0),
		    -WF_SDP_E_BAD_MEDIA);
}

static void sdp_rtpmap_with_missing_fields_is_refused(void)
{
	static const char *const bad[] = {
		"a=rtpmap:111\r\n", "a=rtpmap:111 opus\r\n", "a=rtpmap:111 opus/\r\n",
		"a=rtpmap:111 /48000/2\r\n", "a=rtpmap:111 opus/48000/0\r\n",
		"a=rtpmap:111 opus/48k/2\r\n", "a=rtpmap:111 opus/0\r\n",
		"a=rtpmap: opus/48000/2\r\n", "a=rtpmap:\r\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse_edited(SDP_CHROMIUM, "a=rtpmap:111 opus/48000/2\r\n", bad[i], 0);

		WF_CHECKF(rc == -WF_SDP_E_BAD_ATTRIBUTE || rc == -WF_SDP_E_BAD_PT,
			  "%s -> %d %s", bad[i], rc, g_err.reason);
		WF_CHECK_EQ(g_err.line, 25);
		WF_CHECK(strstr(g_err.reason, "rtpmap") != NULL);
	}
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=rtpmap:0 PCMU/8000\r\n",
				 "a=rtpmap:0 PCMU/8000\r\na=rtpmap:0 PCMA/8000\r\n", 0),
		    -WF_SDP_E_DUPLICATE);
}

static void sdp_fingerprint_with_bad_hex_or_length_is_refused(void)
{
	static const char *const good =
		"sha-256 27:E3:53:7F:E1:A3:9D:33:88:D2:E5:B2:74:77:6B:4B:B8:7D:84:BA:BB:79:6C:62:6B:B7:FC:BB:DA:BE:9B:4B";
	static const char *const bad[] = {
		"sha-256 ZZ:E3:53:7F:E1:A3:9D:33:88:D2:E5:B2:74:77:6B:4B:B8:7D:84:BA:BB:79:6C:62:6B:B7:FC:BB:DA:BE:9B:4B",
		"sha-256 27:E3:53:7F:E1:A3:9D:33:88:D2:E5:B2:74:77:6B:4B:B8:7D:84:BA:BB:79:6C:62:6B:B7:FC:BB:DA:BE:9B",
		"sha-256 27:E3:53:7F:E1:A3:9D:33:88:D2:E5:B2:74:77:6B:4B:B8:7D:84:BA:BB:79:6C:62:6B:B7:FC:BB:DA:BE:9B:4B:00",
		"sha-256 27E3537FE1A39D3388D2E5B274776B4BB87D84BABB796C626BB7FCBBDABE9B4B",
		"sha-256 27:E3:53:7F:E1:A3:9D:33:88:D2:E5:B2:74:77:6B:4B:B8:7D:84:BA:BB:79:6C:62:6B:B7:FC:BB:DA:BE:9B:4B:",
		"sha-256 2:7E3:53:7F:E1:A3:9D:33:88:D2:E5:B2:74:77:6B:4B:B8:7D:84:BA:BB:79:6C:62:6B:B7:FC:BB:DA:BE:9B:4B",
		"sha-256",
		"sha-256 ",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse_edited(SDP_CHROMIUM, good, bad[i], 0);

		WF_CHECKF(rc == -WF_SDP_E_BAD_FINGERPRINT, "case %zu: %d %s", i, rc, g_err.reason);
		WF_CHECK_EQ(g_err.line, 14);
	}
	/* lower-case hex and an upper-case hash name are fine (RFC 8122 §5) */
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, good,
				 "SHA-256 27:e3:53:7f:e1:a3:9d:33:88:d2:e5:b2:74:77:6b:4b:b8:7d:84:ba:bb:79:6c:62:6b:b7:fc:bb:da:be:9b:4b",
				 1), 0);
	/* only a sha-1 fingerprint: no usable one */
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, good, "sha-1 27:E3:53:7F:E1:A3:9D:33:88:D2:E5:B2:74:77:6B:4B:B8:7D:84:BA", 1),
		    -WF_SDP_E_NO_FINGERPRINT);
	WF_CHECKF(strcmp(g_err.reason, "offer has no sha-256 fingerprint") == 0, "%s", g_err.reason);
}

static void sdp_lines_without_equals_are_refused(void)
{
	static const char *const bad[] = { "garbage\r\n", "a:foo\r\n", "=x\r\n", "A=b\r\n", "a\r\n", "1=2\r\n" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=extmap-allow-mixed\r\n", bad[i], 0),
			    -WF_SDP_E_BAD_LINE);
		WF_CHECK_EQ(g_err.line, 6);
	}
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "v=0\r\n", "v=1\r\n", 0), -WF_SDP_E_BAD_VERSION);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "s=-\r\n", "v=0\r\n", 0), -WF_SDP_E_BAD_VERSION);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=mid:0\r\n", "a=mid:0\rx\r\n", 0), -WF_SDP_E_BAD_LINE);
	WF_CHECK_EQ(parse_str(""), -WF_SDP_E_BAD_VERSION);
	WF_CHECK_EQ(parse_str("\r\n\r\n"), -WF_SDP_E_BAD_VERSION);
}

static void sdp_nul_bytes_are_refused(void)
{
	size_t len;
	char *s = sdp_load(SDP_CHROMIUM, &len);

	WF_REQUIRE(s);
	for (size_t at = 0; at < len; at += 97) {
		char keep = s[at];

		s[at] = '\0';
		WF_CHECK_EQ(wf_sdp_offer_parse(&g_offer, s, len, &g_err), -WF_SDP_E_NUL_BYTE);
		s[at] = keep;
	}
	WF_CHECK_EQ(wf_sdp_offer_parse(&g_offer, s, len, &g_err), 0);
	free(s);
}

static void sdp_attributes_for_unlisted_pt_are_ignored(void)
{
	const struct wf_sdp_format *f;

	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=fmtp:111 minptime=10;useinbandfec=1\r\n",
				 "a=fmtp:50 apt=111\r\na=rtpmap:51 evil/1\r\na=rtcp-fb:52 nack\r\n"
				 "a=fmtp:111 minptime=10;useinbandfec=1\r\n", 0), 0);
	WF_CHECK(wf_sdp_media_format(&g_offer.media[0], 50) == NULL);
	WF_CHECK(wf_sdp_media_format(&g_offer.media[0], 51) == NULL);
	f = wf_sdp_media_format(&g_offer.media[0], 111);
	WF_REQUIRE(f);
	WF_CHECK(strcmp(f->fmtp, "minptime=10;useinbandfec=1") == 0);
	/* a second fmtp for a listed PT is ambiguous */
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=fmtp:63 111/111\r\n",
				 "a=fmtp:63 111/111\r\na=fmtp:63 111\r\n", 0), -WF_SDP_E_DUPLICATE);
}

static void sdp_duplicated_mids_are_refused(void)
{
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=mid:1\r\n", "a=mid:0\r\n", 0), -WF_SDP_E_DUPLICATE_MID);
	WF_CHECKF(strstr(g_err.reason, "media 0 and media 1 both have mid \"0\"") != NULL, "%s", g_err.reason);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=mid:1\r\n", "a=mid:1\r\na=mid:2\r\n", 0), -WF_SDP_E_DUPLICATE);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 7", 0),
		    -WF_SDP_E_BAD_BUNDLE);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 0", 0),
		    -WF_SDP_E_BAD_BUNDLE);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=mid:1\r\n", "", 0), -WF_SDP_E_BAD_BUNDLE);
}

static void sdp_missing_transport_attributes_are_named(void)
{
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=ice-ufrag:gDO1\r\n", "", 1), -WF_SDP_E_NO_ICE);
	WF_CHECKF(strcmp(g_err.reason, "offer has no ice-ufrag") == 0, "%s", g_err.reason);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=ice-pwd:Cdo5dy+vzCdsy9F4J6U4v0jW\r\n", "", 1),
		    -WF_SDP_E_NO_ICE);
	WF_CHECKF(strcmp(g_err.reason, "offer has no ice-pwd") == 0, "%s", g_err.reason);

	/* remove only the video section's fingerprint: the second occurrence */
	size_t len;
	char *s = sdp_load(SDP_CHROMIUM, &len);
	char *second, *eol;

	WF_REQUIRE(s);
	second = strstr(strstr(s, "a=fingerprint") + 1, "a=fingerprint");
	WF_REQUIRE(second);
	eol = strstr(second, "\r\n");
	memmove(second, eol + 2, strlen(eol + 2) + 1);
	WF_CHECK_EQ(parse_str(s), -WF_SDP_E_NO_FINGERPRINT);
	WF_CHECKF(strcmp(g_err.reason, "media 1 (video): no sha-256 fingerprint") == 0, "%s", g_err.reason);
	free(s);

	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=mid:1\r\n", "", 0), -WF_SDP_E_BAD_BUNDLE);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=ice-ufrag:gDO1\r\n", "a=ice-ufrag:g\r\n", 0),
		    -WF_SDP_E_BAD_ICE);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=ice-pwd:Cdo5dy+vzCdsy9F4J6U4v0jW", "a=ice-pwd:short", 0),
		    -WF_SDP_E_BAD_ICE);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=ice-ufrag:gDO1\r\n", "a=ice-ufrag:gD O1\r\n", 0),
		    -WF_SDP_E_BAD_ICE);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=setup:actpass", "a=setup:passive", 1), -WF_SDP_E_BAD_SETUP);
	WF_CHECKF(strstr(g_err.reason, "media 0 (audio): a=setup:passive") != NULL, "%s", g_err.reason);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=setup:actpass", "a=setup:bogus", 0), -WF_SDP_E_BAD_SETUP);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=setup:actpass", "a=setup:active", 1), 0);
}

static void sdp_media_other_than_srtp_is_kept_for_rejection(void)
{
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=rtpmap:49 flexfec-03/90000\r\n",
				 "a=rtpmap:49 flexfec-03/90000\r\n"
				 "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
				 "a=mid:2\r\na=sctp-port:5000\r\n", 0), 0);
	WF_REQUIRE(g_offer.nmedia == 3);
	WF_CHECK_EQ(g_offer.media[2].kind, WF_SDP_KIND_APPLICATION);
	WF_CHECK(!g_offer.media[2].proto_ok);
	WF_CHECK(!wf_sdp_media_usable(&g_offer.media[2]));
	WF_CHECK(strcmp(g_offer.media[2].first_fmt, "webrtc-datachannel") == 0);
	WF_CHECK_EQ(g_offer.media[2].nformats, 0);
	/* a disabled (port 0) section needs no transport attributes */
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=rtpmap:49 flexfec-03/90000\r\n",
				 "a=rtpmap:49 flexfec-03/90000\r\nm=video 0 RTP/AVP 31\r\n", 0), 0);
	WF_CHECK_EQ(g_offer.media[2].port, 0);
	WF_CHECK_EQ(g_offer.media[2].formats[0].pt, 31);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "m=video 9 UDP", "m=video 70000 UDP", 0), -WF_SDP_E_BAD_MEDIA);
	/* RFC 8843 §6: port 0 with a=bundle-only is still a live section */
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "m=video 9 UDP/TLS/RTP/SAVPF 96 ", "m=video 0 UDP/TLS/RTP/SAVPF 96 ", 0), 0);
	WF_CHECK(!wf_sdp_media_usable(&g_offer.media[1]));
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=mid:1\r\n", "a=mid:1\r\na=bundle-only\r\n", 0), 0);
	WF_CHECK(g_offer.media[1].bundle_only && wf_sdp_media_usable(&g_offer.media[1]));
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 35 36 37 38 102 103 104 107 108 109 114 115 116 117 39 40 41 42 43 44 45 46 47 48 118 119 120 49",
				 "m=video 9 UDP/TLS/RTP/SAVPF", 0), -WF_SDP_E_BAD_MEDIA);
}

static void sdp_fmtp_helpers_read_keys_and_refuse_overflow(void)
{
	const char *p = "level-asymmetry-allowed=1;packetization-mode=1; Profile-Level-Id = 42e01f ;x";
	char v[8];
	uint32_t u = 7;

	WF_CHECK_EQ(wf_sdp_fmtp_get(p, "packetization-mode", v, sizeof(v)), 1);
	WF_CHECK(strcmp(v, "1") == 0);
	WF_CHECK_EQ(wf_sdp_fmtp_get(p, "profile-level-id", v, sizeof(v)), 6);
	WF_CHECK(strcmp(v, "42e01f") == 0);
	WF_CHECK_EQ(wf_sdp_fmtp_get(p, "profile-level-id", v, 6), -ENOSPC);
	WF_CHECK_EQ(wf_sdp_fmtp_get(p, "mode", v, sizeof(v)), -ENOENT);
	WF_CHECK_EQ(wf_sdp_fmtp_get(p, "x", v, sizeof(v)), -ENOENT);
	WF_CHECK_EQ(wf_sdp_fmtp_get(NULL, "x", v, sizeof(v)), -ENOENT);
	WF_CHECK_EQ(wf_sdp_fmtp_get_u32(p, "level-asymmetry-allowed", &u), 0);
	WF_CHECK_EQ(u, 1);
	WF_CHECK_EQ(wf_sdp_fmtp_get_u32(p, "profile-level-id", &u), -EINVAL);
	WF_CHECK_EQ(wf_sdp_fmtp_get_u32("apt=99999999999", "apt", &u), -EINVAL);
	WF_CHECK_EQ(wf_sdp_fmtp_get_u32("apt=4294967295", "apt", &u), 0);
	WF_CHECK(u == 4294967295u);
	WF_CHECK_EQ(wf_sdp_fmtp_get_u32("apt=", "apt", &u), -EINVAL);
}

static void sdp_candidates_parse_including_mdns_and_refuse_garbage(void)
{
	struct wf_sdp_candidate c;
	static const char *const bad[] = {
		"", "1", "1 1 udp 2122260223 192.0.2.1 61764 host",
		"1 1 udp 2122260223 192.0.2.1 70000 typ host",
		"1 1 udp 4294967296 192.0.2.1 1 typ host",
		"1 0 udp 1 192.0.2.1 1 typ host",
		"1 1 udp 1 192.0.2.1 1 typ",
		"1 1 udp 1 192.0.2.1 1 type host",
		"f\"o 1 udp 1 192.0.2.1 1 typ host",
		"1 1 udp 1 192.0.2.1<x 1 typ host",
	};

	WF_CHECK_EQ(wf_sdp_candidate_parse("1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1", &c), 0);
	WF_CHECK(strcmp(c.address, "192.0.2.1") == 0 && c.port == 61764 && c.priority == 2122260223u);
	WF_CHECK(strcmp(c.type, "host") == 0 && strcmp(c.transport, "udp") == 0 && c.component == 1);
	WF_CHECK_EQ(wf_sdp_candidate_parse("2 1 UDP 2122194687 6d6c3a8b-2f5e-4c11-9a1e-1f6f7f3e6a10.local 51234 typ host", &c), 0);
	WF_CHECK(strstr(c.address, ".local") != NULL);
	WF_CHECK_EQ(wf_sdp_candidate_parse("3 1 tcp 1518280447 2001:db8::1 9 typ host tcptype active", &c), 0);
	WF_CHECK(strcmp(c.address, "2001:db8::1") == 0 && c.port == 9);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		WF_CHECKF(wf_sdp_candidate_parse(bad[i], &c) == -WF_SDP_E_BAD_CANDIDATE, "%s", bad[i]);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=mid:1\r\n",
				 "a=mid:1\r\na=candidate:1 1 udp 2122260223 192.0.2.1 61764 typ host\r\n"
				 "a=end-of-candidates\r\n", 0), 0);
	WF_CHECK_EQ(g_offer.media[1].ncandidates, 1);
	WF_CHECK(g_offer.media[1].end_of_candidates);
	WF_CHECK_EQ(parse_edited(SDP_CHROMIUM, "a=mid:1\r\n", "a=mid:1\r\na=candidate:1 1 udp\r\n", 0),
		    -WF_SDP_E_BAD_CANDIDATE);
}

/* The PATCH body of RFC 9725 §4.3.1 (WHIP; WHEP uses the same format). */
static const char *const FRAG =
	"a=ice-options:trickle ice2\r\n"
	"a=group:BUNDLE 0 1\r\n"
	"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
	"a=mid:0\r\n"
	"a=ice-ufrag:EsAw\r\n"
	"a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
	"a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1\r\n"
	"a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host generation 0 ufrag EsAw network-id 2\r\n"
	"a=candidate:473322822 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0 ufrag EsAw network-id 1\r\n"
	"a=end-of-candidates\r\n";

static void sdp_trickle_fragment_parses(void)
{
	struct wf_sdp_frag f;

	WF_CHECK_EQ(wf_sdp_frag_parse(&f, FRAG, strlen(FRAG), &g_err), 0);
	WF_CHECK(f.has_ufrag && strcmp(f.ufrag, "EsAw") == 0);
	WF_CHECK(f.has_pwd && strcmp(f.pwd, "P2uYro0UCOQ4zxjKXaWCBui1") == 0);
	WF_CHECK_EQ(f.ncandidates, 3);
	WF_CHECK(f.end_of_candidates);
	WF_CHECK(strcmp(f.mid, "0") == 0);
	WF_CHECK(strcmp(f.cand[1].address, "198.51.100.2") == 0 && f.cand[1].port == 61765);
	WF_CHECK(strcmp(f.cand[2].transport, "tcp") == 0);
	WF_CHECK_EQ(wf_sdp_frag_parse(&f, "a=end-of-candidates\n", 20, &g_err), 0);
	WF_CHECK(f.end_of_candidates && !f.has_ufrag && f.ncandidates == 0);
}

static void sdp_trickle_fragment_refuses_bad_input(void)
{
	struct wf_sdp_frag f;
	char *s;
	size_t n;

	s = sdp_replace(FRAG, "61765 typ host", "61765 host", 0);
	WF_REQUIRE(s);
	WF_CHECK_EQ(wf_sdp_frag_parse(&f, s, strlen(s), &g_err), -WF_SDP_E_BAD_CANDIDATE);
	WF_CHECK_EQ(g_err.line, 8);
	free(s);
	s = sdp_replace(FRAG, "a=end-of-candidates", "a=ice-ufrag:Other", 0);
	WF_REQUIRE(s);
	WF_CHECK_EQ(wf_sdp_frag_parse(&f, s, strlen(s), &g_err), -WF_SDP_E_BAD_ICE);
	free(s);
	s = sdp_replace(FRAG, "a=mid:0", "mid:0", 0);
	WF_REQUIRE(s);
	WF_CHECK_EQ(wf_sdp_frag_parse(&f, s, strlen(s), &g_err), -WF_SDP_E_BAD_LINE);
	free(s);
	WF_CHECK_EQ(wf_sdp_frag_parse(&f, "a=mid:0\0\r\n", 10, &g_err), -WF_SDP_E_NUL_BYTE);
	WF_CHECK_EQ(wf_sdp_frag_parse(&f, "", 0, &g_err), -WF_SDP_E_MISSING_LINE);
	n = WF_SDP_FRAG_MAX_BODY + 1;
	s = malloc(n);
	WF_REQUIRE(s);
	memset(s, 'a', n);
	WF_CHECK_EQ(wf_sdp_frag_parse(&f, s, n, &g_err), -WF_SDP_E_TOO_LARGE);
	free(s);
	s = repeat_lines("", "a=candidate:1 1 udp 1 192.0.2.1 1 typ host\r\n", 300);
	WF_REQUIRE(s);
	WF_CHECK_EQ(wf_sdp_frag_parse(&f, s, strlen(s), &g_err), -WF_SDP_E_TOO_MANY_CANDIDATES);
	free(s);
	/* every truncation: a result, never a crash */
	for (size_t len = 0; len < strlen(FRAG); len++) {
		char *p = malloc(len ? len : 1);
		int rc;

		WF_REQUIRE(p);
		memcpy(p, FRAG, len);
		rc = wf_sdp_frag_parse(&f, p, len, &g_err);
		WF_CHECKF(rc == 0 || (rc < 0 && g_err.reason[0]), "len %zu", len);
		free(p);
	}
}

/* Deterministic mutations of the real offer (byte flips, inserted
 * separators, deleted spans): every outcome is a result, never a crash. */
static void sdp_mutated_offers_never_crash(void)
{
	size_t len;
	char *s = sdp_load(SDP_CHROMIUM, &len);
	uint32_t x = 0x12345678u;
	static const char pick[] = " :/=;\r\n\t0123456789abcdefxyz*-.";
	unsigned ok = 0, failed = 0;

	WF_REQUIRE(s);
	for (int iter = 0; iter < 3000; iter++) {
		char *p = malloc(len);

		WF_REQUIRE(p);
		memcpy(p, s, len);
		for (int k = 0; k < 4; k++) {
			x = x * 1664525u + 1013904223u;
			size_t at = (x >> 8) % len;

			x = x * 1664525u + 1013904223u;
			if (x & 0x80000000u)
				p[at] = pick[(x >> 8) % (sizeof(pick) - 1)];
			else
				p[at] = (char)(x >> 16);
		}
		int rc = wf_sdp_offer_parse(&g_offer, p, len, &g_err);

		if (rc == 0) {
			/* whatever parsed must also match and answer safely */
			static char ans[8192];
			struct wf_sdp_track t[2] = {
				{ .codec = WF_CODEC_OPUS, .ssrc = 1, .track_id = "a" },
				{ .codec = WF_CODEC_H264, .h264_packetization_mode = 1,
				  .h264_plid = { 0x42, 0xe0, 0x1f }, .ssrc = 2, .track_id = "v" },
			};
			struct wf_sdp_answer_params ap = {
				.addr = "192.0.2.1", .port = 9, .ice_ufrag = "abcd",
				.ice_pwd = "0123456789012345678901", .stream_id = "s",
				.cname = "c", .tracks = t, .ntracks = 2,
			};
			size_t alen = 0;
			int arc = wf_sdp_answer_build(&g_offer, &ap, NULL, ans, sizeof(ans), &alen, &g_err);

			WF_CHECK(arc == 0 ? strlen(ans) == alen : g_err.reason[0] != '\0');
			ok++;
		}
		else if (g_err.reason[0])
			failed++;
		free(p);
	}
	WF_CHECK_EQ(ok + failed, 3000);
	WF_CHECK(ok > 0 && failed > 0);	/* the mutations reach both outcomes */
	free(s);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(sdp_chromium_offer_parses_mids_pts_and_fingerprint);
	WF_RUN(sdp_firefox_offer_applies_session_level_defaults);
	WF_RUN(sdp_lf_line_endings_parse_like_crlf);
	WF_RUN(sdp_every_truncation_of_chromium_offer_is_safe);
	WF_RUN(sdp_every_truncation_of_firefox_offer_is_safe);
	WF_RUN(sdp_oversized_body_is_refused);
	WF_RUN(sdp_thousand_m_lines_are_refused);
	WF_RUN(sdp_too_many_lines_and_long_lines_are_refused);
	WF_RUN(sdp_too_many_formats_or_extmaps_are_refused);
	WF_RUN(sdp_huge_payload_types_are_refused);
	WF_RUN(sdp_rtpmap_with_missing_fields_is_refused);
	WF_RUN(sdp_fingerprint_with_bad_hex_or_length_is_refused);
	WF_RUN(sdp_lines_without_equals_are_refused);
	WF_RUN(sdp_nul_bytes_are_refused);
	WF_RUN(sdp_attributes_for_unlisted_pt_are_ignored);
	WF_RUN(sdp_duplicated_mids_are_refused);
	WF_RUN(sdp_missing_transport_attributes_are_named);
	WF_RUN(sdp_media_other_than_srtp_is_kept_for_rejection);
	WF_RUN(sdp_fmtp_helpers_read_keys_and_refuse_overflow);
	WF_RUN(sdp_candidates_parse_including_mdns_and_refuse_garbage);
	WF_RUN(sdp_trickle_fragment_parses);
	WF_RUN(sdp_trickle_fragment_refuses_bad_input);
	WF_RUN(sdp_mutated_offers_never_crash);
	return wf_test_done();
}
