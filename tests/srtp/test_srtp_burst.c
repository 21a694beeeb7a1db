/* test_srtp_burst.c: wf_srtp_protect_burst, the fan-out path.
 *
 * Every burst size 1..32, and 64, 65, 100 across WF_SRTP_BURST_MAX; each
 * job a different viewer (own keys, SSRC, SEQ, ROC, header length), one
 * shared payload, outputs fenced by guard bytes; same-profile and mixed
 * bursts.  Each output must equal libsrtp2's srtp_protect of that viewer's
 * packet (its ROC set with srtp_set_stream_roc).
 */
#include "srtp_testlib.h"

#include <stdlib.h>

#define GUARD		32
#define GUARD_BYTE	0xa5
#define SLACK_BYTE	0x5a

struct slot {
	struct t_viewer v;
	uint8_t buf[GUARD + 1600 + GUARD];
	uint8_t plain[1600];	/* the viewer's whole RTP packet, for the oracle */
	size_t plain_len;
};

static bool all_bytes(const uint8_t *p, size_t n, uint8_t b)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != b)
			return false;
	return true;
}

/* Runs one burst of n jobs; profile < 0 mixes all four.  short_job: index
 * of a job given one byte too little room (or -1). */
static void run_burst(unsigned n, int profile, size_t plen, int short_job, uint64_t seed)
{
	struct wf_srtp_engine *e = t_engine();
	struct slot *s = calloc(n, sizeof(*s));
	struct wf_srtp_job *jobs = calloc(n, sizeof(*jobs));
	uint8_t payload[1400];
	unsigned i, ok;

	WF_REQUIRE(e && s && jobs && plen <= sizeof(payload));
	t_fill(&seed, payload, plen);
	for (i = 0; i < n; i++) {
		enum wf_srtp_profile p = profile < 0 ? t_profiles[(i * 7 + seed) % 4] : (enum wf_srtp_profile)profile;
		struct t_rtp h = { .ssrc = 0xa0000000u + i, .seq = (uint16_t)t_rand(&seed),
				   .ts = (uint32_t)t_rand(&seed), .pt = 96, .csrcs = i % 3,
				   .ext_words = i % 4 == 3 ? 1 : -1, .padding = false };
		struct wf_srtp_job *j = &jobs[i];
		size_t hl, need;

		WF_REQUIRE(t_viewer_init(&s[i].v, e, p, &seed) == 0);
		memset(s[i].buf, SLACK_BYTE, sizeof(s[i].buf));
		memset(s[i].buf, GUARD_BYTE, GUARD);
		hl = t_rtp_header(s[i].buf + GUARD, &h);
		s[i].plain_len = t_rtp_packet(s[i].plain, &h, payload, plen);
		need = hl + plen + t_rtp_tag(p);
		j->keys = &s[i].v.rtp;
		j->payload = payload;
		j->out = s[i].buf + GUARD;
		j->roc = (uint32_t)(t_rand(&seed) & 7);
		j->hdr_len = (uint16_t)hl;
		j->payload_len = (uint16_t)plen;
		j->out_cap = (uint16_t)((int)i == short_job ? need - 1 : need + (i & 1) * 5);
		j->status = 12345;
		memset(s[i].buf + GUARD + j->out_cap, GUARD_BYTE, GUARD);
	}
	ok = wf_srtp_protect_burst(e, jobs, n);
	WF_CHECKF(ok == n - (short_job >= 0), "burst %u: %u succeeded", n, ok);
	for (i = 0; i < n; i++) {
		struct wf_srtp_job *j = &jobs[i];
		enum wf_srtp_profile p = s[i].v.p;
		size_t need = j->hdr_len + plen + t_rtp_tag(p);
		uint8_t want[1700];
		int wlen = (int)s[i].plain_len;
		srtp_t tx;

		WF_CHECKF(all_bytes(s[i].buf, GUARD, GUARD_BYTE), "burst %u job %u: guard before overwritten", n, i);
		WF_CHECKF(all_bytes(j->out + j->out_cap, GUARD, GUARD_BYTE),
			  "burst %u job %u: guard after overwritten", n, i);
		if ((int)i == short_job) {
			WF_CHECKF(j->status == -WF_SRTP_E_NO_ROOM, "burst %u job %u: status %d", n, i, j->status);
			WF_CHECKF(all_bytes(j->out + j->hdr_len, j->out_cap - j->hdr_len, SLACK_BYTE),
				  "burst %u job %u: refused job wrote into its buffer", n, i);
			continue;
		}
		WF_CHECKF(j->status == 0, "burst %u job %u (%s): status %d (%s)", n, i, t_pname(p),
			  j->status, wf_srtp_strerror(j->status));
		WF_CHECKF(j->out_len == need, "burst %u job %u: out_len %u want %zu", n, i, j->out_len, need);
		WF_CHECKF(all_bytes(j->out + need, j->out_cap - need, SLACK_BYTE),
			  "burst %u job %u: wrote past out_len", n, i);
		tx = t_oracle(p, s[i].v.mk, s[i].v.ms, 0xa0000000u + i);
		WF_REQUIRE(tx);
		WF_REQUIRE(srtp_set_stream_roc(tx, 0xa0000000u + i, j->roc) == srtp_err_status_ok);
		memcpy(want, s[i].plain, s[i].plain_len);
		WF_REQUIRE(srtp_protect(tx, want, &wlen) == srtp_err_status_ok);
		srtp_dealloc(tx);
		if (j->status == 0 && memcmp(j->out, want, need) != 0) {
			wf_test_fail(__FILE__, __LINE__, "burst %u job %u (%s, roc %u, hdr %u): bytes differ from libsrtp2",
				     n, i, t_pname(p), j->roc, j->hdr_len);
			wf_test_hexdump("ours", j->out, need);
			wf_test_hexdump("libsrtp", want, need);
		}
	}
	free(jobs);
	free(s);
	wf_srtp_engine_free(e);
}

static const unsigned big_bursts[] = { 63, 64, 65, 100, 129 };

static void burst_every_size_matches_libsrtp2_for_each_profile(void)
{
	unsigned pi, n, b;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		for (n = 1; n <= 32; n++)
			run_burst(n, (int)t_profiles[pi], 1200, -1, 0xb0000 + n * 8 + pi);
		for (b = 0; b < sizeof(big_bursts) / sizeof(big_bursts[0]); b++)
			run_burst(big_bursts[b], (int)t_profiles[pi], 1200, -1, 0xb1000 + b * 8 + pi);
	}
}

static void burst_of_mixed_profiles_matches_libsrtp2(void)
{
	unsigned n, b;

	for (n = 1; n <= 32; n++)
		run_burst(n, -1, 333, -1, 0xc0000 + n);
	for (b = 0; b < sizeof(big_bursts) / sizeof(big_bursts[0]); b++)
		run_burst(big_bursts[b], -1, 1201, -1, 0xc1000 + b);
}

static void burst_handles_payloads_of_0_to_64_and_odd_sizes(void)
{
	size_t plen;

	for (plen = 0; plen <= 64; plen++)
		run_burst(5, -1, plen, -1, 0xd0000 + plen);
	for (plen = 65; plen <= 1400; plen += 111)
		run_burst(9, -1, plen, -1, 0xd1000 + plen);
}

static void burst_job_without_room_fails_alone(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		run_burst(8, (int)t_profiles[pi], 500, 3, 0xe0000 + pi);
		run_burst(1, (int)t_profiles[pi], 500, 0, 0xe1000 + pi);
		run_burst(70, (int)t_profiles[pi], 100, 66, 0xe2000 + pi);
	}
	run_burst(16, -1, 200, 15, 0xe3000);
	run_burst(16, -1, 200, 0, 0xe3001);
}

/* STYLE.md: a vector runs single and at every burst size 1..32.  The same
 * viewer in every job must give the same bytes as wf_srtp_protect. */
static void burst_of_one_viewer_equals_single_protect_at_every_size(void)
{
	struct wf_srtp_engine *e = t_engine();
	uint64_t seed = 0xf00d;
	unsigned pi, n, i;

	WF_REQUIRE(e);
	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		static uint8_t outs[32][GUARD + 200 + GUARD];
		struct wf_srtp_job jobs[32];
		struct t_viewer v;
		struct t_rtp h = { .ssrc = 0x5501a0b2, .seq = 0xf17b, .ts = 0x8041f8d3, .pt = 64, .ext_words = -1 };
		uint8_t single[256];
		const uint8_t *payload = (const uint8_t *)"Gallia est omnis divisa in partes tres";
		size_t len, out_len = 0, tag = t_rtp_tag(t_profiles[pi]);

		WF_REQUIRE(t_viewer_init(&v, e, t_profiles[pi], &seed) == 0);
		len = t_rtp_packet(single, &h, payload, 38);
		WF_REQUIRE(wf_srtp_protect(e, &v.rtp, 0, single, len, sizeof(single), &out_len) == 0);
		for (n = 1; n <= 32; n++) {
			memset(jobs, 0, sizeof(jobs));
			for (i = 0; i < n; i++) {
				memset(outs[i], GUARD_BYTE, sizeof(outs[i]));
				t_rtp_header(outs[i] + GUARD, &h);
				jobs[i] = (struct wf_srtp_job){ .keys = &v.rtp, .payload = payload,
					.out = outs[i] + GUARD, .roc = 0, .hdr_len = 12,
					.payload_len = 38, .out_cap = (uint16_t)(12 + 38 + tag) };
			}
			WF_CHECK_EQ(wf_srtp_protect_burst(e, jobs, n), n);
			for (i = 0; i < n; i++) {
				WF_CHECK_EQ(jobs[i].out_len, out_len);
				WF_CHECKF(memcmp(jobs[i].out, single, out_len) == 0, "%s burst %u job %u differs",
					  t_pname(v.p), n, i);
				WF_CHECK(all_bytes(outs[i], GUARD, GUARD_BYTE));
				WF_CHECK(all_bytes(outs[i] + GUARD + out_len, GUARD, GUARD_BYTE));
			}
		}
	}
	wf_srtp_engine_free(e);
}

static void burst_of_zero_jobs_does_nothing(void)
{
	struct wf_srtp_engine *e = t_engine();
	struct wf_srtp_job j = { 0 };

	WF_REQUIRE(e);
	WF_CHECK_EQ(wf_srtp_protect_burst(e, &j, 0), 0);
	wf_srtp_engine_free(e);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(burst_every_size_matches_libsrtp2_for_each_profile);
	WF_RUN(burst_of_mixed_profiles_matches_libsrtp2);
	WF_RUN(burst_handles_payloads_of_0_to_64_and_odd_sizes);
	WF_RUN(burst_job_without_room_fails_alone);
	WF_RUN(burst_of_one_viewer_equals_single_protect_at_every_size);
	WF_RUN(burst_of_zero_jobs_does_nothing);
	return wf_test_done();
}
