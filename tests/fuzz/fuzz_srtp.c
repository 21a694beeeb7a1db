/* fuzz_srtp.c: fuzz target 5, SRTP and SRTCP unprotect as a worker runs it
 * on what viewers (SRTCP) and WHIP publishers (SRTP) send.
 *
 * Input: a header byte (bits 0-1: profile, bit 2: SRTCP, bit 3: master key
 * and salt from the input instead of fixed ones), then a sequence of
 * steps, each a mode byte and a 16-bit-length chunk.  Mode bit 0 clear: the
 * chunk is a hostile packet, unprotected as it is.  Set: the chunk is
 * plaintext the target first protects (with a rollover counter or SRTCP
 * index from the input), optionally alters one byte of (mode bit 1), then
 * unprotects, so inputs that authenticate reach the decryption, the ROC
 * estimation and the replay window.  One replay state per input, kept
 * across its steps as a viewer's is.  Mode bit 2: the chunk is instead the
 * payload of a fan-out burst (wf_srtp_protect_burst, as app/fast/fanout.c calls
 * it): up to 8 viewers' jobs of mixed profiles share it, each with an
 * output buffer of exactly what it needs or a little less; every copy made
 * must unprotect to the payload under its viewer's keys.
 * Checks: an untouched packet comes back byte for byte (or is refused as a
 * replay, too old, or under another ROC estimate); an altered one never
 * authenticates; lengths stay within their buffers; the first packet of a
 * stream under ROC 0 is always accepted.
 */
#include "fuzz/fuzz.h"

#include "srtp/srtp.h"

#define MAX_STEPS 32
#define MAX_JOBS 8

static struct wf_srtp_engine *g_eng;
static struct wf_srtp_keys g_keys[WF_SRTP_PROFILE_COUNT][2];
static struct wf_srtp_keys g_in_keys;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t key[WF_SRTP_MAX_MASTER_KEY] = {
		0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c,
		0x06, 0xde, 0x41, 0x39, 0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb,
		0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6, 0xc1, 0x73 };
	static const uint8_t salt[WF_SRTP_MAX_MASTER_SALT] = {
		0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a,
		0xab, 0xe6 };
	unsigned p, k;

	(void)argc;
	(void)argv;
	g_eng = wf_srtp_engine_create(NULL);
	if (!g_eng) {
		fprintf(stderr, "fuzz_srtp: no SRTP engine\n");
		exit(1);
	}
	for (p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
		const struct wf_srtp_suite *s = wf_srtp_suite((enum wf_srtp_profile)p);

		for (k = 0; k < 2; k++)
			if (wf_srtp_keys_derive(g_eng, &g_keys[p][k], (enum wf_srtp_profile)p,
						(enum wf_srtp_kind)k, key, s->master_key_len,
						salt, s->master_salt_len) != 0)
				exit(1);
	}
	return 0;
}

static int unprotect(const struct wf_srtp_keys *k, bool rtcp, struct wf_srtp_replay *r,
		     uint8_t *pkt, size_t len, size_t *out_len, uint64_t *index)
{
	*out_len = 0;
	*index = 0;
	if (rtcp)
		return wf_srtcp_unprotect(g_eng, k, r, pkt, len, out_len);
	return wf_srtp_unprotect(g_eng, k, r, pkt, len, out_len, index);
}

/* Protects the plaintext pt, alters it if asked, unprotects, checks. */
static void round_trip(const struct wf_srtp_keys *k, bool rtcp, struct wf_srtp_replay *r,
		       struct wf_fuzz_in *in, uint8_t mode, const uint8_t *pt, size_t len)
{
	size_t cap = len + WF_SRTCP_MAX_TRAILER, plen = 0, out_len;
	uint32_t roc = wf_fuzz_u8(in) & 3, index = wf_fuzz_u32(in) & 0x7fffffffu;
	uint16_t where = wf_fuzz_u16(in);
	uint8_t flip = wf_fuzz_u8(in), *buf, *pkt;
	bool fresh = !r->started, altered = false;
	uint64_t idx;
	int rc;

	buf = malloc(cap);
	if (!buf)
		return;
	memcpy(buf, pt, len);
	rc = rtcp ? wf_srtcp_protect(g_eng, k, &index, buf, len, cap, &plen)
		  : wf_srtp_protect(g_eng, k, roc, buf, len, cap, &plen);
	if (rc != 0) {
		free(buf);
		return;
	}
	WF_FUZZ_CHECK(plen > len && plen <= cap);
	if ((mode & 2) && flip) {
		buf[where % plen] ^= flip;
		altered = true;
	}
	pkt = malloc(plen);	/* exact size: the tag ends the block */
	if (!pkt) {
		free(buf);
		return;
	}
	memcpy(pkt, buf, plen);
	rc = unprotect(k, rtcp, r, pkt, plen, &out_len, &idx);
	if (altered) {
		/* The tag covers every byte (RFC 3711 §4.2, RFC 7714 §9.2,
		 * §17): a change never authenticates. */
		WF_FUZZ_CHECK(rc != 0);
	} else if (rc == 0) {
		WF_FUZZ_CHECK(out_len == len);
		WF_FUZZ_CHECK(memcmp(pkt, pt, len) == 0);
		if (!rtcp)
			WF_FUZZ_CHECK((uint16_t)idx == (uint16_t)(pt[2] << 8 | pt[3]));
	} else {
		WF_FUZZ_CHECK(rc == -WF_SRTP_E_REPLAY || rc == -WF_SRTP_E_TOO_OLD ||
			      rc == -WF_SRTP_E_AUTH_FAIL);
		WF_FUZZ_CHECK(!fresh || rtcp || roc != 0 || rc != -WF_SRTP_E_AUTH_FAIL);
	}
	free(pkt);
	free(buf);
}

/* One fan-out burst of the shared payload pl to up to MAX_JOBS viewers. */
static void burst(struct wf_fuzz_in *in, const uint8_t *pl, size_t len)
{
	struct wf_srtp_job jobs[MAX_JOBS];
	uint8_t *outs[MAX_JOBS];
	unsigned n = 1 + wf_fuzz_u8(in) % MAX_JOBS, i, ok;
	uint16_t seq = wf_fuzz_u16(in);

	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < n; i++) {
		uint8_t sel = wf_fuzz_u8(in);
		unsigned p = sel & 3;
		size_t need = WF_RTP_MIN_HEADER + len + wf_srtp_suite((enum wf_srtp_profile)p)->rtp_tag_len;
		size_t cap = (sel & 0x80) && need > (size_t)(sel & 0x0f) ? need - (sel & 0x0f) : need;

		outs[i] = malloc(cap);
		if (!outs[i]) {
			n = i;
			break;
		}
		/* This viewer's header: version 2, its PT, sequence and SSRC. */
		memset(outs[i], 0, WF_RTP_MIN_HEADER < cap ? WF_RTP_MIN_HEADER : cap);
		if (cap >= WF_RTP_MIN_HEADER) {
			outs[i][0] = 0x80;
			outs[i][1] = 96;
			outs[i][2] = (uint8_t)(seq >> 8);
			outs[i][3] = (uint8_t)seq;
			outs[i][11] = (uint8_t)i;
		}
		jobs[i].keys = &g_keys[p][WF_SRTP_KIND_RTP];
		jobs[i].payload = pl;
		jobs[i].out = outs[i];
		jobs[i].hdr_len = WF_RTP_MIN_HEADER;
		jobs[i].payload_len = (uint16_t)len;
		jobs[i].out_cap = (uint16_t)(cap > 0xffff ? 0xffff : cap);
	}
	ok = wf_srtp_protect_burst(g_eng, jobs, n);
	WF_FUZZ_CHECK(ok <= n);
	for (i = 0; i < n; i++) {
		size_t need = WF_RTP_MIN_HEADER + len +
			      wf_srtp_suite(wf_srtp_keys_profile(jobs[i].keys))->rtp_tag_len;
		struct wf_srtp_replay r = { 0 };
		size_t out_len;
		uint64_t idx;

		if (need > WF_SRTP_MAX_PACKET)
			WF_FUZZ_CHECK(jobs[i].status == -WF_SRTP_E_TOO_LONG);
		else if (need > jobs[i].out_cap)
			WF_FUZZ_CHECK(jobs[i].status == -WF_SRTP_E_NO_ROOM);
		else
			WF_FUZZ_CHECK(jobs[i].status == 0 && jobs[i].out_len == need);
		if (jobs[i].status == 0) {
			WF_FUZZ_CHECK(wf_srtp_unprotect(g_eng, jobs[i].keys, &r, outs[i], need,
							&out_len, &idx) == 0);
			WF_FUZZ_CHECK(out_len == WF_RTP_MIN_HEADER + len && (uint16_t)idx == seq);
			WF_FUZZ_CHECK(memcmp(outs[i] + WF_RTP_MIN_HEADER, pl, len) == 0);
		}
		free(outs[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wf_srtp_replay r = { 0 };
	const struct wf_srtp_keys *k;
	const struct wf_srtp_suite *s;
	struct wf_fuzz_in in;
	unsigned p, step;
	uint8_t hdr;
	bool rtcp;

	wf_fuzz_in_init(&in, data, size);
	hdr = wf_fuzz_u8(&in);
	p = hdr & 3;
	rtcp = hdr & 4;
	s = wf_srtp_suite((enum wf_srtp_profile)p);
	k = &g_keys[p][rtcp];
	if (hdr & 8) {
		size_t kl, sl;
		const uint8_t *key = wf_fuzz_bytes(&in, s->master_key_len, &kl);
		const uint8_t *salt = wf_fuzz_bytes(&in, s->master_salt_len, &sl);

		if (wf_srtp_keys_derive(g_eng, &g_in_keys, (enum wf_srtp_profile)p,
					rtcp ? WF_SRTP_KIND_RTCP : WF_SRTP_KIND_RTP,
					key, kl, salt, sl) != 0)
			return 0;
		k = &g_in_keys;
	}
	for (step = 0; step < MAX_STEPS && wf_fuzz_left(&in) > 0; step++) {
		uint8_t mode = wf_fuzz_u8(&in);
		size_t len, out_len;
		const uint8_t *chunk = wf_fuzz_chunk(&in, &len);
		uint8_t *pkt;
		uint64_t idx;
		int rc;

		if (mode & 4) {
			burst(&in, chunk, len);
			continue;
		}
		if (mode & 1) {
			round_trip(k, rtcp, &r, &in, mode, chunk, len);
			continue;
		}
		pkt = malloc(len ? len : 1);
		if (!pkt)
			return 0;
		memcpy(pkt, chunk, len);
		(void)wf_srtp_rtp_header_len(pkt, len);
		rc = unprotect(k, rtcp, &r, pkt, len, &out_len, &idx);
		if (rc == 0)
			WF_FUZZ_CHECK(out_len <= len);
		free(pkt);
	}
	return 0;
}
