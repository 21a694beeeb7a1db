/* test_srtp_unprotect_burst.c: wf_srtp_unprotect_burst, the ingest path.
 *
 * Every burst runs twice: through wf_srtp_unprotect_burst() and, on a copy
 * of its packets and replay states, through wf_srtp_unprotect() one job at
 * a time in array order.  Statuses, lengths, indexes, every byte of every
 * packet and the final replay states must be the same (srtp.h's contract),
 * and every accepted packet must be the plaintext it was made from.  Each
 * test also checks the statuses it expects, so a fault shared by both
 * paths is caught too.  libsrtp2 is the oracle for the packets' bytes and
 * its verdicts on forged and repeated packets.
 */
#include "srtp_testlib.h"

#include <stdlib.h>

#define MAXJ		200
#define BUF		(WF_SRTP_MAX_PACKET + 64)
#define NSTREAM		8
#define PLAIN_MAX	1500

/* A sender: one SSRC under one viewer's keys. */
struct stream {
	struct t_viewer v;
	uint32_t ssrc;
};

/* A burst under construction and the state of both receivers. */
struct harness {
	struct wf_srtp_engine *e;
	uint64_t seed;
	struct stream s[NSTREAM];
	struct wf_srtp_replay rb[NSTREAM];	/* the burst's receiver states */
	struct wf_srtp_replay rs[NSTREAM];	/* wf_srtp_unprotect's */
	unsigned n;
	struct wf_srtp_rx_job jobs[MAXJ];
	int who[MAXJ];			/* stream of job i, -1: its own state */
	size_t plain_len[MAXJ];		/* 0: no plaintext to compare with */
	uint64_t want_idx[MAXJ];
};

static uint8_t buf_b[MAXJ][BUF], buf_s[MAXJ][BUF], orig[MAXJ][BUF];
static uint8_t plain[MAXJ][PLAIN_MAX];
static struct wf_srtp_replay lone_b[MAXJ], lone_s[MAXJ];

/* Whether two replay states are the same: top, size, started, and every
 * word of the window (the widest there is). */
static bool replay_eq(const struct wf_srtp_replay *a, const struct wf_srtp_replay *b)
{
	return a->top == b->top && a->size == b->size && a->started == b->started &&
	       memcmp(a->window, b->window, sizeof(a->window)) == 0;
}

static struct harness *h_new(uint64_t seed)
{
	struct harness *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->seed = seed;
	h->e = t_engine();
	if (!h->e) {
		free(h);
		return NULL;
	}
	return h;
}

static void h_free(struct harness *h)
{
	if (!h)
		return;
	wf_srtp_engine_free(h->e);
	free(h);
}

static int h_stream(struct harness *h, unsigned k, enum wf_srtp_profile p)
{
	h->s[k].ssrc = 0x5eed0000u + k * 0x1111u;
	memset(&h->rb[k], 0, sizeof(h->rb[k]));
	memset(&h->rs[k], 0, sizeof(h->rs[k]));
	/* odd streams have the widest window (a publisher's), even ones 64 */
	h->rb[k].size = h->rs[k].size = k % 2 ? WF_SRTP_REPLAY_WINDOW_MAX : 0;
	return t_viewer_init(&h->s[k].v, h->e, p, &h->seed);
}

/* Both receivers of stream k start as if index top had been received. */
static void h_start(struct harness *h, unsigned k, uint64_t top)
{
	h->rb[k] = (struct wf_srtp_replay){ .top = top, .window = { 1 }, .size = h->rb[k].size,
					    .started = true };
	h->rs[k] = h->rb[k];
}

/* Appends a job: stream k's packet of 48-bit index idx with plen bytes of
 * payload (protected by our sender, proven against libsrtp2 elsewhere). */
static unsigned h_add(struct harness *h, unsigned k, uint64_t idx, size_t plen)
{
	struct t_rtp r = { .ssrc = h->s[k].ssrc, .seq = (uint16_t)idx, .ts = (uint32_t)idx * 3000,
			   .pt = 96, .csrcs = (unsigned)(idx % 3), .ext_words = idx % 5 == 1 ? 2 : -1 };
	uint8_t payload[PLAIN_MAX];
	unsigned i = h->n++;
	size_t len, out_len = 0;

	t_fill(&h->seed, payload, plen);
	len = t_rtp_packet(plain[i], &r, payload, plen);
	memcpy(buf_b[i], plain[i], len);
	if (wf_srtp_protect(h->e, &h->s[k].v.rtp, (uint32_t)(idx >> 16), buf_b[i], len, BUF,
			    &out_len) != 0)
		wf_test_fail(__FILE__, __LINE__, "wf_srtp_protect of index %llx failed",
			     (unsigned long long)idx);
	h->plain_len[i] = len;
	h->want_idx[i] = idx;
	h->who[i] = (int)k;
	h->jobs[i] = (struct wf_srtp_rx_job){ .keys = &h->s[k].v.rtp, .replay = &h->rb[k],
					      .pkt = buf_b[i], .len = (uint16_t)out_len,
					      .status = 12345, .out_len = 999, .index = 7 };
	return i;
}

/* Appends a copy of job j (a repeated packet, or one to forge). */
static unsigned h_copy(struct harness *h, unsigned j)
{
	unsigned i = h->n++;

	memcpy(buf_b[i], buf_b[j], BUF);
	memcpy(plain[i], plain[j], h->plain_len[j]);
	h->plain_len[i] = h->plain_len[j];
	h->want_idx[i] = h->want_idx[j];
	h->who[i] = h->who[j];
	h->jobs[i] = h->jobs[j];
	h->jobs[i].pkt = buf_b[i];
	return i;
}

/* Job j's tag (or any byte at off from its end, 1 = last) gets a bit flipped. */
static void h_forge(struct harness *h, unsigned j, unsigned off_from_end)
{
	buf_b[j][h->jobs[j].len - off_from_end] ^= 0x01;
	h->plain_len[j] = 0;
}

static const char *h_st(int st)
{
	return wf_srtp_err_name(st);
}

/* Runs the burst and the one-by-one reference and compares them; the
 * burst is then emptied.  Returns how many jobs the burst accepted. */
static unsigned h_run(struct harness *h, const char *what)
{
	struct wf_srtp_replay *rs_of[MAXJ];
	unsigned i, ok, ok_s = 0, n = h->n, k;

	for (i = 0; i < n; i++) {
		memcpy(orig[i], buf_b[i], BUF);
		memcpy(buf_s[i], buf_b[i], BUF);
		if (h->who[i] >= 0) {
			rs_of[i] = &h->rs[h->who[i]];
		} else {	/* a job with a state of its own */
			lone_s[i] = lone_b[i];
			rs_of[i] = &lone_s[i];
		}
	}
	ok = wf_srtp_unprotect_burst(h->e, h->jobs, n);
	for (i = 0; i < n; i++) {
		const struct wf_srtp_rx_job *j = &h->jobs[i];
		size_t out_len = 0;
		uint64_t idx = 0;
		int rc;

		rc = wf_srtp_unprotect(h->e, j->keys, rs_of[i], j->pkt ? buf_s[i] : NULL, j->len,
				       &out_len, &idx);
		ok_s += rc == 0;
		WF_CHECKF(j->status == rc, "%s: job %u of %u: burst %s, one by one %s", what, i, n,
			  h_st(j->status), h_st(rc));
		WF_CHECKF(j->out_len == (rc ? 0 : out_len), "%s: job %u: out_len %u, want %zu",
			  what, i, j->out_len, rc ? 0 : out_len);
		WF_CHECKF(j->index == (rc ? 0 : idx), "%s: job %u: index %llx, want %llx", what, i,
			  (unsigned long long)j->index, (unsigned long long)(rc ? 0 : idx));
		if (memcmp(buf_b[i], buf_s[i], BUF) != 0)
			wf_test_fail(__FILE__, __LINE__, "%s: job %u (%s): bytes differ from wf_srtp_unprotect's",
				     what, i, h_st(j->status));
		if (j->status == 0 && h->plain_len[i]) {
			WF_CHECKF(j->out_len == h->plain_len[i] && memcmp(buf_b[i], plain[i], j->out_len) == 0,
				  "%s: job %u: accepted but not the plaintext", what, i);
			WF_CHECKF(j->index == h->want_idx[i], "%s: job %u: index %llx, sent as %llx",
				  what, i, (unsigned long long)j->index,
				  (unsigned long long)h->want_idx[i]);
		}
		/* A refused packet is left as it came. */
		if (j->status != 0 && memcmp(buf_b[i], orig[i], BUF) != 0)
			wf_test_fail(__FILE__, __LINE__, "%s: job %u refused (%s) but its bytes changed",
				     what, i, h_st(j->status));
	}
	WF_CHECKF(ok == ok_s, "%s: burst accepted %u, one by one %u", what, ok, ok_s);
	for (k = 0; k < NSTREAM; k++)
		WF_CHECKF(replay_eq(&h->rb[k], &h->rs[k]),
			  "%s: stream %u: replay state top %llx window %llx, want top %llx window %llx",
			  what, k, (unsigned long long)h->rb[k].top, (unsigned long long)h->rb[k].window[0],
			  (unsigned long long)h->rs[k].top, (unsigned long long)h->rs[k].window[0]);
	for (i = 0; i < n; i++)
		if (h->who[i] < 0)
			WF_CHECKF(replay_eq(&lone_b[i], &lone_s[i]), "%s: job %u: own state differs",
				  what, i);
	h->n = 0;
	return ok;
}

static int h_status(const struct harness *h, unsigned i)
{
	return h->jobs[i].status;
}

/* ---- the tests ------------------------------------------------------------ */

/* libsrtp2 sends (its own ROC, across a wrap); bursts of every size 1..32
 * and 64, 65, 100, with pairs swapped and, from 4 jobs on, a forged copy
 * of the burst's last packet first and a repeat of an earlier one (inside
 * both windows: ours is 64, libsrtp2's 128) last:
 * our verdicts and plaintexts must be libsrtp2's receiver's. */
static void unprotect_burst_matches_libsrtp2_for_each_profile(void)
{
	static const unsigned big[] = { 64, 65, 100 };
	static uint8_t theirs[MAXJ][BUF];
	unsigned pi, b, i;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct harness *h = h_new(0x0e1000 + pi);
		enum wf_srtp_profile p = t_profiles[pi];
		struct wf_srtp_rx_job jobs[MAXJ];
		unsigned src[MAXJ];
		uint16_t seq = 65000;
		uint32_t roc = 0;
		srtp_t tx, rx;

		WF_REQUIRE(h && h_stream(h, 0, p) == 0);
		tx = t_oracle(p, h->s[0].v.mk, h->s[0].v.ms, h->s[0].ssrc);
		rx = t_oracle(p, h->s[0].v.mk, h->s[0].v.ms, h->s[0].ssrc);
		WF_REQUIRE(tx && rx);
		for (b = 0; b < 32 + 3; b++) {
			unsigned n = b < 32 ? b + 1 : big[b - 32], sent = n >= 4 ? n - 2 : n, nj = 0;
			char what[64];
			unsigned ok;

			for (i = 0; i < sent; i++) {
				struct t_rtp r = { .ssrc = h->s[0].ssrc, .seq = seq, .ts = seq * 90u,
						   .pt = 111, .csrcs = i % 2, .ext_words = i % 3 ? -1 : 1 };
				uint8_t payload[400];
				size_t plen = 40 + i * 7 % 360;
				int olen;

				t_fill(&h->seed, payload, plen);
				olen = (int)t_rtp_packet(plain[i], &r, payload, plen);
				h->plain_len[i] = (size_t)olen;
				memcpy(buf_b[i], plain[i], (size_t)olen);
				WF_REQUIRE(srtp_protect(tx, buf_b[i], &olen) == srtp_err_status_ok);
				h->want_idx[i] = (uint64_t)roc << 16 | seq;
				h->jobs[i] = (struct wf_srtp_rx_job){ .keys = &h->s[0].v.rtp,
					.replay = &h->rb[0], .pkt = buf_b[i], .len = (uint16_t)olen };
				if (++seq == 0)
					roc++;
			}
			h->n = sent;
			if (n >= 4) {
				unsigned f = h_copy(h, sent - 1), d = h_copy(h, sent >= 3 ? sent - 3 : 0);

				h_forge(h, f, 1);
				src[nj++] = f;
				for (i = 0; i < sent; i++)
					src[nj++] = (i ^ 1u) < sent ? i ^ 1u : i;	/* pairs swapped */
				src[nj++] = d;
			} else {
				for (i = 0; i < sent; i++)
					src[nj++] = (i ^ 1u) < sent ? i ^ 1u : i;
			}
			for (i = 0; i < nj; i++) {
				jobs[i] = h->jobs[src[i]];
				memcpy(theirs[i], jobs[i].pkt, jobs[i].len);
			}
			snprintf(what, sizeof(what), "%s burst %u", t_pname(p), n);
			ok = wf_srtp_unprotect_burst(h->e, jobs, nj);
			WF_CHECKF(ok == sent, "%s: %u accepted, want %u", what, ok, sent);
			for (i = 0; i < nj; i++) {
				struct wf_srtp_rx_job *j = &jobs[i];
				int olen = (int)j->len, want;
				srtp_err_status_t st = srtp_unprotect(rx, theirs[i], &olen);

				want = st == srtp_err_status_ok ? 0 :
				       st == srtp_err_status_auth_fail ? -WF_SRTP_E_AUTH_FAIL :
				       st == srtp_err_status_replay_fail ? -WF_SRTP_E_REPLAY : -9999;
				WF_CHECKF(j->status == want, "%s job %u: ours %s, libsrtp2 %d", what, i,
					  h_st(j->status), (int)st);
				if (j->status || st != srtp_err_status_ok)
					continue;
				WF_CHECKF(j->out_len == (unsigned)olen && memcmp(j->pkt, theirs[i], (size_t)olen) == 0,
					  "%s job %u: plaintext differs from libsrtp2's", what, i);
				WF_CHECKF(j->out_len == h->plain_len[src[i]] &&
					  memcmp(j->pkt, plain[src[i]], j->out_len) == 0,
					  "%s job %u: not the packet sent", what, i);
				WF_CHECK_EQ(j->index, h->want_idx[src[i]]);
			}
			h->n = 0;
		}
		WF_CHECK_EQ(roc, 1);
		srtp_dealloc(tx);
		srtp_dealloc(rx);
		h_free(h);
	}
}

/* protect_burst → unprotect_burst: every burst size 1..32 and 64, 65,
 * 100, 129, each job another publisher (profile, keys, SSRC, ROC, header),
 * its receiver joined at its ROC (RFC 3711 §3.3.1: signalled). */
static void unprotect_burst_round_trips_protect_burst_of_mixed_profiles(void)
{
	static const unsigned big[] = { 64, 65, 100, 129 };
	static uint8_t payload[1200];
	static struct wf_srtp_keys keys[MAXJ];
	struct wf_srtp_engine *e = t_engine();
	struct wf_srtp_job tx[MAXJ];
	struct wf_srtp_rx_job rx[MAXJ];
	struct wf_srtp_replay r[MAXJ];
	uint64_t seed = 0x0e2000;
	unsigned b, i;

	WF_REQUIRE(e);
	for (b = 0; b < 32 + 4; b++) {
		unsigned n = b < 32 ? b + 1 : big[b - 32];
		size_t plen = (b * 37) % sizeof(payload);

		t_fill(&seed, payload, plen);
		for (i = 0; i < n; i++) {
			enum wf_srtp_profile p = t_profiles[t_rand(&seed) % 4];
			struct t_rtp h = { .ssrc = 0xa0000000u + i, .seq = (uint16_t)t_rand(&seed),
					   .ts = i, .pt = 96, .csrcs = i % 4,
					   .ext_words = i % 3 == 2 ? (int)(i % 7) : -1 };
			uint8_t mk[32], ms[14];
			size_t hl;

			t_fill(&seed, mk, sizeof(mk));
			t_fill(&seed, ms, sizeof(ms));
			WF_REQUIRE(t_derive(e, &keys[i], p, WF_SRTP_KIND_RTP, mk, ms) == 0);
			hl = t_rtp_header(buf_b[i], &h);
			t_rtp_packet(plain[i], &h, payload, plen);
			tx[i] = (struct wf_srtp_job){ .keys = &keys[i], .payload = payload,
				.out = buf_b[i], .roc = (uint32_t)(t_rand(&seed) & 0xffff),
				.hdr_len = (uint16_t)hl, .payload_len = (uint16_t)plen, .out_cap = BUF };
			/* the receiver last saw the packet before this one */
			r[i] = (struct wf_srtp_replay){ .top = ((uint64_t)tx[i].roc << 16 | h.seq) - 1,
							.window = { 1 }, .started = true };
		}
		WF_CHECK_EQ(wf_srtp_protect_burst(e, tx, n), n);
		for (i = 0; i < n; i++)
			rx[i] = (struct wf_srtp_rx_job){ .keys = &keys[i], .replay = &r[i],
							 .pkt = buf_b[i], .len = tx[i].out_len };
		WF_CHECKF(wf_srtp_unprotect_burst(e, rx, n) == n, "burst %u", n);
		for (i = 0; i < n; i++) {
			uint64_t idx = (uint64_t)tx[i].roc << 16 | (uint16_t)(plain[i][2] << 8 | plain[i][3]);

			WF_CHECKF(rx[i].status == 0, "burst %u job %u (%s): %s", n, i,
				  t_pname(wf_srtp_keys_profile(&keys[i])), h_st(rx[i].status));
			WF_CHECK_EQ(rx[i].out_len, tx[i].hdr_len + plen);
			WF_CHECK_EQ(rx[i].index, idx);
			WF_CHECK_EQ(r[i].top, idx);
			WF_CHECKF(memcmp(buf_b[i], plain[i], tx[i].hdr_len + plen) == 0,
				  "burst %u job %u: not the plaintext", n, i);
		}
	}
	for (i = 0; i < MAXJ; i++)
		wf_srtp_keys_wipe(&keys[i]);
	wf_srtp_engine_free(e);
}

/* 16 packets of one SSRC, the 8th with its last tag byte (or a payload
 * byte) flipped: it alone fails, it moves neither top nor window, and the
 * genuine 8th, sent later, is accepted. */
static void forged_tag_in_the_middle_fails_alone_and_marks_nothing(void)
{
	unsigned pi, where;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		for (where = 0; where < 3; where++) {
			struct harness *h = h_new(0x0e3000 + pi * 4 + where);
			uint64_t base = (uint64_t)3 << 16 | 100;
			unsigned i, keep;
			char what[64];

			WF_REQUIRE(h && h_stream(h, 0, t_profiles[pi]) == 0);
			h_start(h, 0, base - 1);
			for (i = 0; i < 16; i++)
				h_add(h, 0, base + i, 200);
			keep = h_copy(h, 7);
			h->n--;	/* the genuine 8th kept aside in buf_b[keep] */
			/* last tag byte, first tag byte, a payload byte */
			h_forge(h, 7, where == 0 ? 1 : where == 1 ? t_rtp_tag(t_profiles[pi]) : 50);
			snprintf(what, sizeof(what), "%s forged at %u", t_pname(t_profiles[pi]), where);
			WF_CHECK_EQ(h_run(h, what), 15);
			for (i = 0; i < 16; i++)
				WF_CHECKF(h_status(h, i) == (i == 7 ? -WF_SRTP_E_AUTH_FAIL : 0),
					  "%s: job %u: %s", what, i, h_st(h_status(h, i)));
			WF_CHECK_EQ(h->rb[0].top, base + 15);
			WF_CHECKF(!(h->rb[0].window[0] & (1ull << 8)), "%s: window marks the forged packet", what);
			/* the genuine one, in a later burst */
			memmove(&h->jobs[0], &h->jobs[keep], sizeof(h->jobs[0]));
			memcpy(buf_b[0], buf_b[keep], BUF);
			memcpy(plain[0], plain[keep], h->plain_len[keep]);
			h->plain_len[0] = h->plain_len[keep];
			h->want_idx[0] = h->want_idx[keep];
			h->who[0] = 0;
			h->jobs[0].pkt = buf_b[0];
			h->n = 1;
			WF_CHECK_EQ(h_run(h, what), 1);
			WF_CHECK_EQ(h_status(h, 0), 0);
			WF_CHECK_EQ(h->rb[0].window[0], 0x1ffffull);	/* base - 1 .. base + 15 */
			h_free(h);
		}
	}
}

/* A forged packet whose provisional place in the window would change a
 * later genuine packet's estimate (srtp.c "unprotect burst": the redo):
 *  - it comes first on a new SSRC with SEQ 60000: the genuine SEQ 100 after
 *    it would be taken as ROC 1; it must be ROC 0;
 *  - it is 32768 ahead of top: a late genuine packet just below top would
 *    be taken as ROC + 1;
 *  - it repeats the SEQ of a genuine packet after it: that one would be a
 *    replay.
 * Every genuine packet is accepted with its index. */
static void forged_packet_does_not_change_later_packets_roc_or_verdict(void)
{
	unsigned pi, i;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		enum wf_srtp_profile p = t_profiles[pi];
		struct harness *h = h_new(0x0e4000 + pi);
		uint64_t top = (uint64_t)7 << 16 | 1000;
		char what[64];
		unsigned f;

		WF_REQUIRE(h && h_stream(h, 0, p) == 0 && h_stream(h, 1, p) == 0 &&
			   h_stream(h, 2, p) == 0);
		snprintf(what, sizeof(what), "%s new SSRC", t_pname(p));
		h_forge(h, h_add(h, 0, 60000, 80), 1);
		for (i = 0; i < 10; i++)
			h_add(h, 0, 100 + i, 80);
		WF_CHECK_EQ(h_run(h, what), 10);
		WF_CHECK_EQ(h->rb[0].top, 109);

		snprintf(what, sizeof(what), "%s 32768 ahead", t_pname(p));
		h_start(h, 1, top);
		h_forge(h, h_add(h, 1, top + 32768, 80), 2);
		h_add(h, 1, top - 1, 80);
		h_add(h, 1, top - 2, 80);
		h_add(h, 1, top + 1, 80);
		WF_CHECK_EQ(h_run(h, what), 3);
		WF_CHECK_EQ(h->rb[1].top, top + 1);

		snprintf(what, sizeof(what), "%s same SEQ", t_pname(p));
		h_start(h, 2, top);
		h_add(h, 2, top + 1, 80);
		f = h_add(h, 2, top + 2, 80);
		h_copy(h, f);
		h_forge(h, f, 1);		/* forged first, genuine after */
		h_copy(h, f + 1);		/* and the genuine one again: a replay */
		h_add(h, 2, top + 3, 80);
		WF_CHECK_EQ(h_run(h, what), 3);
		WF_CHECK_EQ(h_status(h, f), -WF_SRTP_E_AUTH_FAIL);
		WF_CHECK_EQ(h_status(h, f + 1), 0);
		WF_CHECK_EQ(h_status(h, f + 2), -WF_SRTP_E_REPLAY);
		WF_CHECK_EQ(h->rb[2].top, top + 3);
		h_free(h);
	}
}

/* [a b a c b] → ok ok replay ok replay, the repeats not decrypted; then
 * [c a] → replay replay. */
static void repeats_within_and_across_bursts_are_replays(void)
{
	unsigned pi;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct harness *h = h_new(0x0e5000 + pi);
		unsigned a, b, c;
		char what[64];

		WF_REQUIRE(h && h_stream(h, 0, t_profiles[pi]) == 0);
		snprintf(what, sizeof(what), "%s repeats", t_pname(t_profiles[pi]));
		a = h_add(h, 0, 500, 300);
		b = h_add(h, 0, 501, 300);
		h_copy(h, a);
		c = h_add(h, 0, 502, 300);
		h_copy(h, b);
		WF_CHECK_EQ(h_run(h, what), 3);
		WF_CHECK_EQ(h_status(h, 0), 0);
		WF_CHECK_EQ(h_status(h, 1), 0);
		WF_CHECK_EQ(h_status(h, 2), -WF_SRTP_E_REPLAY);
		WF_CHECK_EQ(h_status(h, 3), 0);
		WF_CHECK_EQ(h_status(h, 4), -WF_SRTP_E_REPLAY);
		/* the same packets again, as they came off the wire */
		memcpy(buf_b[0], orig[c], BUF);
		memcpy(buf_b[1], orig[a], BUF);
		h->jobs[0].len = h->jobs[c].len;
		h->jobs[1].len = h->jobs[a].len;
		h->jobs[0].pkt = buf_b[0];
		h->jobs[1].pkt = buf_b[1];
		h->plain_len[0] = h->plain_len[1] = 0;
		h->n = 2;
		WF_CHECK_EQ(h_run(h, what), 0);
		WF_CHECK_EQ(h_status(h, 0), -WF_SRTP_E_REPLAY);
		WF_CHECK_EQ(h_status(h, 1), -WF_SRTP_E_REPLAY);
		WF_CHECK_EQ(h->rb[0].top, 502);
		h_free(h);
	}
}

/* 64 packets in a shuffled order in one burst, all accepted; then one the
 * window still holds (a replay), one never received inside it (accepted)
 * and one just out of it (too old). */
static void reordering_within_the_window_is_accepted_and_older_is_too_old(void)
{
	unsigned pi, i;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct harness *h = h_new(0x0e6000 + pi);
		uint64_t base = (uint64_t)1 << 16 | 40000;
		unsigned order[WF_SRTP_BURST_MAX];
		char what[64];

		WF_REQUIRE(h && h_stream(h, 0, t_profiles[pi]) == 0);
		snprintf(what, sizeof(what), "%s shuffled", t_pname(t_profiles[pi]));
		h_start(h, 0, base - 1);
		for (i = 0; i < WF_SRTP_BURST_MAX; i++)
			order[i] = i;
		for (i = WF_SRTP_BURST_MAX - 1; i > 0; i--) {
			unsigned j = (unsigned)(t_rand(&h->seed) % (i + 1)), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (i = 0; i < WF_SRTP_BURST_MAX; i++)
			if (order[i] != 3)	/* base + 3 never arrives */
				h_add(h, 0, base + order[i], 60);
		WF_CHECK_EQ(h_run(h, what), WF_SRTP_BURST_MAX - 1);
		WF_CHECK_EQ(h->rb[0].top, base + 63);
		h_add(h, 0, base + 10, 60);
		h_add(h, 0, base + 3, 60);
		h_add(h, 0, base - 1, 60);	/* 64 behind top */
		h_add(h, 0, base + 0, 60);	/* 63 behind, received */
		WF_CHECK_EQ(h_run(h, what), 1);
		WF_CHECK_EQ(h_status(h, 0), -WF_SRTP_E_REPLAY);
		WF_CHECK_EQ(h_status(h, 1), 0);
		WF_CHECK_EQ(h_status(h, 2), -WF_SRTP_E_TOO_OLD);
		WF_CHECK_EQ(h_status(h, 3), -WF_SRTP_E_REPLAY);
		h_free(h);
	}
}

/* SEQ 65530 → 5 inside one burst, shuffled across the wrap, and a burst
 * that ends at 65535 followed by one that starts at 0. */
static void rollover_inside_a_burst_and_across_bursts(void)
{
	static const uint16_t mixed[] = { 65534, 0, 65535, 2, 1, 65533 };
	unsigned pi, i;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct harness *h = h_new(0x0e7000 + pi);
		uint64_t roc4 = (uint64_t)4 << 16;
		char what[64];

		WF_REQUIRE(h && h_stream(h, 0, t_profiles[pi]) == 0 && h_stream(h, 1, t_profiles[pi]) == 0);
		snprintf(what, sizeof(what), "%s wrap in a burst", t_pname(t_profiles[pi]));
		h_start(h, 0, roc4 | 65529);
		for (i = 0; i < 12; i++)
			h_add(h, 0, (roc4 | 65530) + i, 100);
		WF_CHECK_EQ(h_run(h, what), 12);
		WF_CHECK_EQ(h->rb[0].top, (uint64_t)5 << 16 | 5);

		snprintf(what, sizeof(what), "%s shuffled wrap", t_pname(t_profiles[pi]));
		h_start(h, 1, roc4 | 65532);
		for (i = 0; i < sizeof(mixed) / sizeof(mixed[0]); i++)
			h_add(h, 1, (mixed[i] < 100 ? roc4 + 0x10000 : roc4) | mixed[i], 100);
		WF_CHECK_EQ(h_run(h, what), 6);
		WF_CHECK_EQ(h->rb[1].top, (uint64_t)5 << 16 | 2);

		snprintf(what, sizeof(what), "%s wrap between bursts", t_pname(t_profiles[pi]));
		h_start(h, 0, (uint64_t)9 << 16 | 65500);
		for (i = 65501; i <= 65535; i++)
			h_add(h, 0, (uint64_t)9 << 16 | i, 100);
		WF_CHECK_EQ(h_run(h, what), 35);
		for (i = 0; i < 30; i++)
			h_add(h, 0, (uint64_t)10 << 16 | i, 100);
		h_add(h, 0, (uint64_t)9 << 16 | 65535, 100);	/* a repeat from before */
		WF_CHECK_EQ(h_run(h, what), 30);
		WF_CHECK_EQ(h_status(h, 30), -WF_SRTP_E_REPLAY);
		WF_CHECK_EQ(h->rb[0].top, (uint64_t)10 << 16 | 29);
		h_free(h);
	}
}

/* Bad jobs among good ones: each gets its own status, nothing else
 * changes; and every truncation of a packet gets wf_srtp_unprotect's. */
static void malformed_jobs_fail_alone_with_their_own_status(void)
{
	unsigned pi, i;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		enum wf_srtp_profile p = t_profiles[pi];
		struct harness *h = h_new(0x0e8000 + pi);
		size_t tag = t_rtp_tag(p);
		struct { unsigned job; int want; } bad[16];
		unsigned nb = 0, j, len;
		char what[64];

		WF_REQUIRE(h && h_stream(h, 0, p) == 0 && h_stream(h, 1, p) == 0);
		snprintf(what, sizeof(what), "%s malformed", t_pname(p));
		for (i = 0; i < 24; i++) {
			j = h_add(h, 0, 1000 + i, 100);
			if (i % 2 == 0)
				continue;	/* the good ones */
			h->plain_len[j] = 0;
			switch (i / 2) {
			case 0: h->jobs[j].len = 11; bad[nb].want = -WF_SRTP_E_TOO_SHORT; break;
			case 1: h->jobs[j].len = 0; bad[nb].want = -WF_SRTP_E_TOO_SHORT; break;
			case 2: buf_b[j][0] = (uint8_t)((buf_b[j][0] & 0x3f) | 0x40);
				bad[nb].want = -WF_SRTP_E_BAD_VERSION; break;
			case 3: buf_b[j][0] |= 0x0f; h->jobs[j].len = 12 + 4 * 14;	/* CSRCs past the end */
				bad[nb].want = -WF_SRTP_E_BAD_HEADER; break;
			case 4: buf_b[j][0] = (uint8_t)((buf_b[j][0] & 0xf0) | 0x10);	/* X, extension length */
				buf_b[j][14] = 0xff; buf_b[j][15] = 0xff;
				bad[nb].want = -WF_SRTP_E_BAD_HEADER; break;
			case 5: h->jobs[j].len = (uint16_t)(wf_srtp_rtp_header_len(buf_b[j], h->jobs[j].len) + tag - 1);
				bad[nb].want = -WF_SRTP_E_TOO_SHORT; break;
			case 6: h->jobs[j].len = WF_SRTP_MAX_PACKET + 1; bad[nb].want = -WF_SRTP_E_TOO_LONG; break;
			case 7: h->jobs[j].len = 65535; bad[nb].want = -WF_SRTP_E_TOO_LONG; break;
			case 8: h->jobs[j].keys = NULL; bad[nb].want = -WF_SRTP_E_BAD_PARAM; break;
			case 9: h->jobs[j].keys = &h->s[0].v.rtcp; bad[nb].want = -WF_SRTP_E_BAD_PARAM; break;
			case 10: h->jobs[j].pkt = NULL; bad[nb].want = -WF_SRTP_E_BAD_PARAM; break;
			default: h->jobs[j].replay = NULL; bad[nb].want = -WF_SRTP_E_BAD_PARAM; break;
			}
			bad[nb++].job = j;
		}
		{
			unsigned ok, n = h->n;

			for (i = 0; i < n; i++)
				memcpy(orig[i], buf_b[i], BUF);
			ok = wf_srtp_unprotect_burst(h->e, h->jobs, n);
			WF_CHECK_EQ(ok, 12);
			for (i = 0; i < nb; i++) {
				j = bad[i].job;
				WF_CHECKF(h_status(h, j) == bad[i].want, "%s: bad job %u: %s, want %s", what, j,
					  h_st(h_status(h, j)), h_st(bad[i].want));
				WF_CHECK_EQ(h->jobs[j].out_len, 0);
				WF_CHECK_EQ(h->jobs[j].index, 0);
				WF_CHECKF(memcmp(buf_b[j], orig[j], BUF) == 0, "%s: bad job %u changed", what, j);
			}
			for (i = 0; i < n; i += 2) {
				WF_CHECKF(h_status(h, i) == 0, "%s: good job %u: %s", what, i, h_st(h_status(h, i)));
				WF_CHECK(h->jobs[i].out_len == h->plain_len[i] &&
					 memcmp(buf_b[i], plain[i], h->plain_len[i]) == 0);
			}
			WF_CHECK_EQ(h->rb[0].top, 1022);
			WF_CHECK_EQ(h->rb[0].window[0], 0x555555ull);	/* 1000, 1002, ... 1022 */
			h->rs[0] = h->rb[0];
			h->n = 0;
		}
		/* every truncation of one packet, one job per length, each with a
		 * fresh state of its own */
		snprintf(what, sizeof(what), "%s truncations", t_pname(p));
		j = h_add(h, 1, 77, 40);
		len = h->jobs[j].len;
		memcpy(orig[MAXJ - 1], buf_b[j], BUF);
		h->n = 0;
		for (i = 0; i <= len + 1; i++) {
			unsigned k = h->n++;

			memcpy(buf_b[k], orig[MAXJ - 1], BUF);
			h->jobs[k] = (struct wf_srtp_rx_job){ .keys = &h->s[1].v.rtp, .replay = &lone_b[k],
							      .pkt = buf_b[k], .len = (uint16_t)i };
			lone_b[k] = (struct wf_srtp_replay){ 0 };
			h->who[k] = -1;
			h->plain_len[k] = 0;
		}
		WF_CHECK_EQ(h_run(h, what), 1);	/* only the whole packet */
		h_free(h);
	}
}

/* Random bursts of every shape: streams of all profiles, some SSRCs
 * sharing a state, sizes 0..130; packets new, late, repeated, far ahead,
 * too old, forged in tag, payload or header, truncated.  The burst must
 * equal one-by-one unprotect every time. */
static void random_bursts_equal_unprotect_one_by_one(void)
{
	struct harness *h = h_new(0x0e9000);
	uint64_t next[NSTREAM];
	unsigned k, b, i;
	unsigned accepted = 0;

	WF_REQUIRE(h);
	for (k = 0; k < NSTREAM; k++) {
		WF_REQUIRE(h_stream(h, k, t_profiles[k % 4]) == 0);
		next[k] = k < 4 ? 65400 + k * 10 : (uint64_t)k << 16 | (k * 8191);
		if (k >= 4)
			h_start(h, k, next[k] - 1);
	}
	for (b = 0; b < 400; b++) {
		unsigned n = b % 7 == 6 ? 100 + (unsigned)(t_rand(&h->seed) % 31) :
			     (unsigned)(t_rand(&h->seed) % 40);
		char what[64];

		for (i = 0; i < n; i++) {
			unsigned what_kind = (unsigned)(t_rand(&h->seed) % 100), j;
			uint64_t idx;

			k = (unsigned)(t_rand(&h->seed) % 3);	/* runs of few streams */
			k = (k + b) % NSTREAM;
			if (what_kind < 55) {
				idx = next[k]++;
			} else if (what_kind < 70) {
				uint64_t back = t_rand(&h->seed) % 80;

				idx = next[k] > back + 1 ? next[k] - 1 - back : next[k]++;
			} else if (what_kind < 75) {
				/* far ahead, genuine, inside what RFC 3711 §3.3.1 can tell */
				idx = next[k] + 1 + t_rand(&h->seed) % 30000;
				next[k] = idx + 1;
			} else if (what_kind < 80 && i > 0) {
				h_copy(h, (unsigned)(t_rand(&h->seed) % i));
				continue;
			} else if (what_kind < 95) {
				idx = what_kind < 88 ? next[k] + t_rand(&h->seed) % 3 :
						       next[k] + t_rand(&h->seed) % 65536;
				j = h_add(h, k, idx, t_rand(&h->seed) % 300);
				h_forge(h, j, 1 + (unsigned)(t_rand(&h->seed) % (h->jobs[j].len - 1)));
				continue;
			} else {
				j = h_add(h, k, next[k]++, t_rand(&h->seed) % 300);
				h->jobs[j].len = (uint16_t)(t_rand(&h->seed) % h->jobs[j].len);
				h->plain_len[j] = 0;
				continue;
			}
			h_add(h, k, idx, t_rand(&h->seed) % 300);
		}
		snprintf(what, sizeof(what), "random burst %u (%u jobs)", b, n);
		accepted += h_run(h, what);
	}
	WF_CHECKF(accepted > 1000, "only %u accepted: the test tests too little", accepted);
	h_free(h);
}

/* n = 0 touches nothing; one job; and WF_SRTP_BURST_MAX, one more, twice
 * and more of one SSRC in order. */
static void burst_sizes_0_1_max_and_more(void)
{
	static const unsigned sizes[] = { 1, WF_SRTP_BURST_MAX - 1, WF_SRTP_BURST_MAX,
					   WF_SRTP_BURST_MAX + 1, 2 * WF_SRTP_BURST_MAX,
					   2 * WF_SRTP_BURST_MAX + 3, MAXJ };
	unsigned pi, s, i;

	for (pi = 0; pi < WF_SRTP_PROFILE_COUNT; pi++) {
		struct harness *h = h_new(0x0ea000 + pi);
		uint64_t idx = 65536 - 70;
		char what[64];

		WF_REQUIRE(h && h_stream(h, 0, t_profiles[pi]) == 0);
		h_add(h, 0, idx, 10);
		h->jobs[0].status = 77;
		WF_CHECK_EQ(wf_srtp_unprotect_burst(h->e, h->jobs, 0), 0);
		WF_CHECK_EQ(h->jobs[0].status, 77);
		WF_CHECK(!h->rb[0].started);
		h->jobs[0].status = 0;
		h->jobs[0].out_len = 99;
		WF_CHECK_EQ(wf_srtp_unprotect_burst(NULL, h->jobs, 1), 0);
		/* no engine: each job says so, none keeps an old result */
		WF_CHECK_EQ(h->jobs[0].status, -WF_SRTP_E_BAD_PARAM);
		WF_CHECK_EQ(h->jobs[0].out_len, 0);
		WF_CHECK_EQ(wf_srtp_unprotect_burst(h->e, NULL, 1), 0);
		h->n = 0;
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			snprintf(what, sizeof(what), "%s %u in order", t_pname(t_profiles[pi]), sizes[s]);
			for (i = 0; i < sizes[s]; i++)
				h_add(h, 0, idx++, 64 + i % 50);
			WF_CHECK_EQ(h_run(h, what), sizes[s]);
			WF_CHECK_EQ(h->rb[0].top, idx - 1);
		}
		h_free(h);
	}
}

/* 48 SSRCs, 4 packets each, interleaved (A B C ... A B C ...) in one call
 * of 192 jobs: every chunk finds its states among many, each a few times,
 * and must give what one-by-one unprotect gives. */
static void many_ssrcs_interleaved_in_one_burst(void)
{
	enum { NS = 48, PER = 4, N = NS * PER };
	static struct wf_srtp_keys keys[NS];
	static struct wf_srtp_replay rb[NS], rs[NS];
	struct wf_srtp_engine *e = t_engine();
	struct wf_srtp_rx_job jobs[N];
	uint64_t seed = 0x0eb000;
	unsigned i, ok;

	WF_REQUIRE(e);
	for (i = 0; i < NS; i++) {
		uint8_t mk[32], ms[14];

		t_fill(&seed, mk, sizeof(mk));
		t_fill(&seed, ms, sizeof(ms));
		WF_REQUIRE(t_derive(e, &keys[i], t_profiles[i % 4], WF_SRTP_KIND_RTP, mk, ms) == 0);
		rb[i] = rs[i] = (struct wf_srtp_replay){ 0 };
	}
	for (i = 0; i < N; i++) {
		unsigned k = i % NS;
		struct t_rtp h = { .ssrc = 0xb0000000u + k, .seq = (uint16_t)(65534 + i / NS),
				   .pt = 96, .ext_words = -1 };
		size_t len, out_len = 0;
		uint8_t payload[64];

		t_fill(&seed, payload, sizeof(payload));
		len = t_rtp_packet(plain[i], &h, payload, sizeof(payload));
		memcpy(buf_b[i], plain[i], len);
		WF_REQUIRE(wf_srtp_protect(e, &keys[k], i / NS + 65534 > 65535, buf_b[i], len, BUF,
					   &out_len) == 0);
		if (i == N / 2)		/* and one forged among them */
			buf_b[i][out_len - 1] ^= 0x80;
		memcpy(buf_s[i], buf_b[i], BUF);
		jobs[i] = (struct wf_srtp_rx_job){ .keys = &keys[k], .replay = &rb[k], .pkt = buf_b[i],
						   .len = (uint16_t)out_len };
	}
	ok = wf_srtp_unprotect_burst(e, jobs, N);
	WF_CHECK_EQ(ok, N - 1);
	for (i = 0; i < N; i++) {
		size_t out_len = 0;
		uint64_t idx = 0;
		int rc = wf_srtp_unprotect(e, jobs[i].keys, &rs[i % NS], buf_s[i], jobs[i].len,
					   &out_len, &idx);

		WF_CHECKF(jobs[i].status == rc, "job %u: burst %s, one by one %s", i,
			  h_st(jobs[i].status), h_st(rc));
		WF_CHECK_EQ(jobs[i].index, rc ? 0 : idx);
		WF_CHECKF(memcmp(buf_b[i], buf_s[i], BUF) == 0, "job %u: bytes differ", i);
		WF_CHECK(rc != 0 || memcmp(buf_b[i], plain[i], out_len) == 0);
	}
	for (i = 0; i < NS; i++)
		WF_CHECKF(replay_eq(&rb[i], &rs[i]),
			  "state %u differs", i);
	WF_CHECK_EQ(rb[0].top, (uint64_t)1 << 16 | 1);
	for (i = 0; i < NS; i++)
		wf_srtp_keys_wipe(&keys[i]);
	wf_srtp_engine_free(e);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(unprotect_burst_matches_libsrtp2_for_each_profile);
	WF_RUN(unprotect_burst_round_trips_protect_burst_of_mixed_profiles);
	WF_RUN(forged_tag_in_the_middle_fails_alone_and_marks_nothing);
	WF_RUN(forged_packet_does_not_change_later_packets_roc_or_verdict);
	WF_RUN(repeats_within_and_across_bursts_are_replays);
	WF_RUN(reordering_within_the_window_is_accepted_and_older_is_too_old);
	WF_RUN(rollover_inside_a_burst_and_across_bursts);
	WF_RUN(malformed_jobs_fail_alone_with_their_own_status);
	WF_RUN(random_bursts_equal_unprotect_one_by_one);
	WF_RUN(burst_sizes_0_1_max_and_more);
	WF_RUN(many_ssrcs_interleaved_in_one_burst);
	return wf_test_done();
}
