/* bench_srtp.c: `whepfan-bench srtp`, the SRTP benchmark, in the fan-out
 * (protect) or the ingest (unprotect) direction.
 *
 * For each profile: build the fixture (one source packet, N viewers with
 * random master keys, SSRCs and sequence numbers; to unprotect, each
 * viewer's packets as libsrtp2 protected them), start every engine and
 * check its first two packets per viewer (bench_srtp_engine.h), warm it up
 * and size a round to take seconds / 3, then time 3 rounds of each engine,
 * interleaved and in rotating order so a noisy shared machine slows them
 * alike.  The figure reported is each engine's median round.
 */
#include "bench/bench_srtp.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_srtp_engine.h"
#include "bench/bench_util.h"

#define ROUNDS		3
#define MAX_ENGINES	4
#define CHECK_PASSES	2
/* Unprotect: packets on the wire in all, split among the viewers (at least
 * WIRE_MIN_DEPTH each); a receiver forgets its SSRC when it has had them
 * all (bench_srtp_engine.h). */
#define WIRE_PACKETS	4096
#define WIRE_MIN_DEPTH	16
/* Room after a packet: libsrtp2 may write SRTP_MAX_TRAILER_LEN (144). */
#define TRAILER_ROOM	256
/* A calibration run must last this long to be trusted. */
#define CALIBRATE_NS	50000000ull

/* The engines of each direction; the first is whepfan's burst API, the
 * one the others are compared with. */
struct direction {
	const char *name;
	int n;
	const struct wf_bench_engine_ops *engines[MAX_ENGINES];
};

static const struct direction directions[] = {
	{ "protect", 3, { &wf_bench_engine_whepfan, &wf_bench_engine_libsrtp2,
			  &wf_bench_engine_openssl } },
	{ "unprotect", 4, { &wf_bench_engine_whepfan_rx, &wf_bench_engine_whepfan_rx_single,
			    &wf_bench_engine_libsrtp2_rx, &wf_bench_engine_openssl_rx } },
};

struct srtp_opts {
	bool json;
	const struct direction *dir;
	unsigned size, viewers, burst;
	double seconds;
	int profile;		/* -1: every profile */
	int arch;		/* enum wf_srtp_arch, or -1: measure */
};

struct engine_result {
	bool ok;
	double pps, ns_per_pkt, tsc_per_pkt, spread_pct;
};

struct profile_result {
	bool run;
	enum wf_srtp_arch arch;
	struct engine_result e[MAX_ENGINES];
};

void wf_bench_srtp_usage(FILE *out)
{
	fprintf(out,
		"usage: whepfan-bench srtp [--json] [--size BYTES] [--viewers N] [--burst N]\n"
		"                          [--seconds S] [--profile NAME]\n"
		"                          [--arch auto|sse|avx2|avx512|measure]\n"
		"                          [--direction protect|unprotect]\n\n"
		"Protects one RTP packet of --size bytes (default 1200) for --viewers (64)\n"
		"viewers, each with its own keys, SSRC and sequence, with three engines:\n"
		"  whepfan   wf_srtp_protect_burst, --burst (32) viewers per call\n"
		"  libsrtp2  copy + srtp_protect per packet, one session per viewer\n"
		"  openssl   per packet with pre-keyed OpenSSL contexts\n"
		"--direction unprotect receives instead: --viewers publishers' SSRCs, each\n"
		"with its own keys, send SRTP packets of --size bytes of RTP (libsrtp2\n"
		"protects them once, before timing); each is copied off the wire and\n"
		"unprotected in place, with the replay window and ROC estimate, by\n"
		"  whepfan         wf_srtp_unprotect_burst, --burst packets per call\n"
		"  whepfan-single  wf_srtp_unprotect per packet\n"
		"  libsrtp2        srtp_unprotect per packet, one session per SSRC\n"
		"  openssl         per packet with pre-keyed OpenSSL contexts\n"
		"Each engine runs --seconds (3) in %d interleaved rounds; the median round\n"
		"is reported.  --profile limits the run to one profile (SDES or DTLS\n"
		"name); --arch picks ipsec-mb's code path for whepfan (default: measure\n"
		"the fastest per profile).  --json prints one JSON object.\n", ROUNDS);
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "whepfan-bench srtp: %s%s%s%s; try 'whepfan-bench srtp --help'\n", what,
		arg != NULL ? " '" : "", arg != NULL ? arg : "", arg != NULL ? "'" : "");
	return 2;
}

/* Parses argv (argv[0] is "srtp") into o.  Returns 0 or the exit status 2
 * after printing a one-line error. */
static int parse_opts(int argc, char **argv, struct srtp_opts *o)
{
	*o = (struct srtp_opts){ .dir = &directions[0], .size = 1200, .viewers = 64, .burst = 32,
				 .seconds = 3, .profile = -1, .arch = -1 };
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned long n;

		if (strcmp(opt, "--json") == 0) {
			o->json = true;
			continue;
		}
		if (strncmp(opt, "--", 2) != 0 ||
		    (strcmp(opt, "--size") && strcmp(opt, "--viewers") && strcmp(opt, "--burst") &&
		     strcmp(opt, "--seconds") && strcmp(opt, "--profile") && strcmp(opt, "--arch") &&
		     strcmp(opt, "--direction")))
			return usage_error("unknown option", opt);
		if (val == NULL) return usage_error("missing value after", opt);
		i++;
		if (strcmp(opt, "--size") == 0) {
			if (wf_bench_parse_ulong(val, WF_RTP_MIN_HEADER + 1,
						 WF_SRTP_MAX_PACKET - WF_SRTP_MAX_TRAILER, &n))
				return usage_error("--size wants 13..4080 bytes, not", val);
			o->size = (unsigned)n;
		} else if (strcmp(opt, "--viewers") == 0) {
			if (wf_bench_parse_ulong(val, 1, 65536, &n))
				return usage_error("--viewers wants 1..65536, not", val);
			o->viewers = (unsigned)n;
		} else if (strcmp(opt, "--burst") == 0) {
			if (wf_bench_parse_ulong(val, 1, 1024, &n))
				return usage_error("--burst wants 1..1024, not", val);
			o->burst = (unsigned)n;
		} else if (strcmp(opt, "--seconds") == 0) {
			char *end;

			errno = 0;
			o->seconds = strtod(val, &end);
			if (errno != 0 || end == val || *end != '\0' || !(o->seconds >= 0.01) ||
			    o->seconds > 3600)
				return usage_error("--seconds wants a number in 0.01..3600, not", val);
		} else if (strcmp(opt, "--direction") == 0) {
			if (strcmp(val, "protect") == 0) o->dir = &directions[0];
			else if (strcmp(val, "unprotect") == 0) o->dir = &directions[1];
			else return usage_error("--direction wants protect|unprotect, not", val);
		} else if (strcmp(opt, "--profile") == 0) {
			o->profile = wf_srtp_profile_by_name(val);
			if (o->profile < 0) return usage_error("unknown profile", val);
		} else {
			o->arch = strcmp(val, "measure") == 0 ? -1 : wf_srtp_arch_by_name(val);
			if (strcmp(val, "measure") != 0 && o->arch < 0)
				return usage_error("--arch wants auto|sse|avx2|avx512|measure, not", val);
		}
	}
	/* Two jobs of one burst must not share a viewer's output buffer. */
	if (o->burst > o->viewers) return usage_error("--burst must not exceed --viewers", NULL);
	return 0;
}

/* Resolves --arch into the manager whepfan uses for each profile.
 * Returns 0 or -1 after printing why. */
static int resolve_arch(int arch, enum wf_srtp_arch out[WF_SRTP_PROFILE_COUNT])
{
	enum wf_srtp_arch want[WF_SRTP_PROFILE_COUNT];
	struct wf_srtp_engine *e;
	int rc;

	if (arch < 0) {
		rc = wf_srtp_arch_measure(out);
		if (rc != 0) {
			fprintf(stderr, "whepfan-bench srtp: wf_srtp_arch_measure: %s\n", wf_srtp_strerror(rc));
			return -1;
		}
		return 0;
	}
	if (!wf_srtp_arch_supported((enum wf_srtp_arch)arch)) {
		fprintf(stderr, "whepfan-bench srtp: this CPU cannot run the %s code path\n",
			wf_srtp_arch_name((enum wf_srtp_arch)arch));
		return -1;
	}
	for (int p = 0; p < WF_SRTP_PROFILE_COUNT; p++) want[p] = (enum wf_srtp_arch)arch;
	e = wf_srtp_engine_create(want);
	if (e == NULL) {
		fprintf(stderr, "whepfan-bench srtp: wf_srtp_engine_create: %s\n", strerror(errno));
		return -1;
	}
	for (int p = 0; p < WF_SRTP_PROFILE_COUNT; p++)
		out[p] = wf_srtp_engine_arch(e, (enum wf_srtp_profile)p);
	wf_srtp_engine_free(e);
	return 0;
}

/* The buffers every profile reuses, allocated once. */
struct bench_buffers {
	uint8_t *plain;
	struct wf_bench_viewer *viewer;
	uint8_t *out;
	uint16_t *out_len;
	uint8_t *ref[CHECK_PASSES];	/* the first engine's outputs per check pass */
	uint16_t *ref_len[CHECK_PASSES];
	uint8_t *wire;			/* unprotect: every viewer's packets */
	unsigned wire_depth;
	size_t stride;
};

static void buffers_free(struct bench_buffers *b)
{
	free(b->plain);
	free(b->viewer);
	free(b->out);
	free(b->out_len);
	free(b->wire);
	for (int i = 0; i < CHECK_PASSES; i++) {
		free(b->ref[i]);
		free(b->ref_len[i]);
	}
}

static int buffers_alloc(struct bench_buffers *b, const struct srtp_opts *o)
{
	size_t all;

	memset(b, 0, sizeof(*b));
	b->stride = ((size_t)o->size + TRAILER_ROOM + 63) & ~(size_t)63;
	all = b->stride * o->viewers;
	b->plain = wf_bench_alloc(o->size);
	b->viewer = wf_bench_alloc(o->viewers * sizeof(*b->viewer));
	b->out = wf_bench_alloc(all);
	b->out_len = wf_bench_alloc(o->viewers * sizeof(*b->out_len));
	if (b->plain == NULL || b->viewer == NULL || b->out == NULL || b->out_len == NULL) return -1;
	for (int i = 0; i < CHECK_PASSES; i++) {
		b->ref[i] = wf_bench_alloc(all);
		b->ref_len[i] = wf_bench_alloc(o->viewers * sizeof(*b->ref_len[i]));
		if (b->ref[i] == NULL || b->ref_len[i] == NULL) return -1;
	}
	if (o->dir == &directions[1]) {
		b->wire_depth = (WIRE_PACKETS + o->viewers - 1) / o->viewers;
		if (b->wire_depth < WIRE_MIN_DEPTH) b->wire_depth = WIRE_MIN_DEPTH;
		b->wire = wf_bench_alloc(all * b->wire_depth);
		if (b->wire == NULL) return -1;
	}
	return 0;
}

/* Fills the fixture for profile p: a fresh random source packet (RTP
 * version 2, PT 96) and random keys, SSRCs and first sequence numbers;
 * viewer 0 starts at 65535 so the check crosses a ROC increment. */
static int fixture_init(struct wf_bench_fixture *f, struct bench_buffers *b,
			const struct srtp_opts *o, enum wf_srtp_profile p, enum wf_srtp_arch arch)
{
	*f = (struct wf_bench_fixture){
		.profile = p, .suite = wf_srtp_suite(p), .arch = arch, .size = o->size,
		.payload_len = o->size - WF_RTP_MIN_HEADER, .viewers = o->viewers,
		.burst = o->burst, .plain = b->plain, .viewer = b->viewer, .out = b->out,
		.stride = b->stride, .out_len = b->out_len,
	};
	if (f->suite == NULL) return -1;
	if (wf_bench_random(b->plain, o->size) != 0) return -1;
	b->plain[0] = 0x80;	/* RFC 3550 §5.1: V=2, no padding, extension or CSRC */
	b->plain[1] = 96;	/* M=0, a dynamic payload type */
	if (wf_bench_random(b->viewer, o->viewers * sizeof(*b->viewer)) != 0) return -1;
	b->viewer[0].seq0 = 0xffff;
	if (b->wire != NULL) {
		char err[256] = "";

		f->wire = b->wire;
		f->wire_depth = b->wire_depth;
		f->wire_len = o->size + f->suite->rtp_tag_len;
		if (wf_bench_wire_fill(f, b->wire, err, sizeof(err)) != 0) {
			fprintf(stderr, "whepfan-bench srtp: %s: %s\n", f->suite->name, err);
			return -1;
		}
	}
	return 0;
}

/* The unprotect direction's check after pass `pass`: every viewer's buffer
 * holds its packet number `pass` as plaintext (sequence seq0 + pass), at
 * the plaintext's length.  expect: scratch of f->size bytes.  0 or -1. */
static int verify_plaintext(const struct wf_bench_fixture *f, unsigned pass, uint8_t *expect,
			    char *err, size_t err_cap)
{
	memcpy(expect, f->plain, f->size);
	for (unsigned v = 0; v < f->viewers; v++) {
		const struct wf_bench_viewer *vw = &f->viewer[v];

		wf_bench_write_header(expect, f->plain, (uint16_t)(vw->seq0 + pass), vw->ssrc);
		if (f->out_len[v] != f->size) {
			snprintf(err, err_cap, "packet %u of SSRC %u: plaintext length %u, want %u",
				 pass, v, f->out_len[v], f->size);
			return -1;
		}
		if (memcmp(wf_bench_out(f, v), expect, f->size) != 0) {
			snprintf(err, err_cap, "packet %u of SSRC %u: not the plaintext sent", pass, v);
			return -1;
		}
	}
	return 0;
}

/* Starts engine ops on f and checks CHECK_PASSES packets per viewer; the
 * first engine checked (ref_ok false) stores its outputs as the reference
 * for the others.  Returns the engine state, or NULL after printing why. */
static void *engine_start(const struct wf_bench_engine_ops *ops, const struct wf_bench_fixture *f,
			  struct bench_buffers *b, bool *ref_ok)
{
	char err[256] = "";
	struct wf_bench_verifier *vf;
	void *st;

	st = ops->create(f, err, sizeof(err));
	if (st == NULL) goto fail;
	if (f->wire != NULL) {	/* unprotect: the plaintext is the check */
		for (unsigned pass = 0; pass < CHECK_PASSES; pass++)
			if (ops->run(st, f->viewers, err, sizeof(err)) != 0 ||
			    verify_plaintext(f, pass, b->ref[0], err, sizeof(err)) != 0)
				goto fail;
		return st;
	}
	vf = wf_bench_verifier_create(f, err, sizeof(err));
	if (vf == NULL) goto fail;
	for (unsigned pass = 0; pass < CHECK_PASSES; pass++) {
		int rc = ops->run(st, f->viewers, err, sizeof(err));

		if (rc == 0)
			rc = wf_bench_verify_pass(vf, pass, *ref_ok ? b->ref[pass] : NULL,
						  b->ref_len[pass], err, sizeof(err));
		if (rc != 0) {
			wf_bench_verifier_free(vf);
			goto fail;
		}
		if (!*ref_ok) {
			memcpy(b->ref[pass], b->out, b->stride * f->viewers);
			memcpy(b->ref_len[pass], b->out_len, f->viewers * sizeof(*b->out_len));
		}
	}
	wf_bench_verifier_free(vf);
	*ref_ok = true;
	return st;
fail:
	fprintf(stderr, "whepfan-bench srtp: %s %s: %s\n", f->suite->name, ops->name, err);
	if (st != NULL) ops->destroy(st);
	return NULL;
}

/* Warms the engine up and returns how many packets (a multiple of the
 * burst) take about round_ns, or 0 after printing why a run failed. */
static uint64_t engine_calibrate(const struct wf_bench_engine_ops *ops, void *st,
				 const struct wf_bench_fixture *f, double round_ns)
{
	char err[256] = "";
	uint64_t n = f->burst, t;
	double want;

	for (;;) {
		t = wf_bench_now_ns();
		if (ops->run(st, n, err, sizeof(err)) != 0) {
			fprintf(stderr, "whepfan-bench srtp: %s %s: %s\n", f->suite->name, ops->name, err);
			return 0;
		}
		t = wf_bench_now_ns() - t;
		if (t >= CALIBRATE_NS || n > (UINT64_MAX >> 2)) break;
		n *= t < CALIBRATE_NS / 8 ? 8 : 2;
	}
	want = (double)n * round_ns / (double)(t ? t : 1);
	n = ((uint64_t)want + f->burst - 1) / f->burst * f->burst;
	return n < f->burst ? f->burst : n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Runs one profile: start and check every engine, then ROUNDS timed
 * rounds of each.  Returns 0, or -1 when an engine failed (its result is
 * left out; the others still run). */
static int run_profile(const struct srtp_opts *o, struct bench_buffers *b, enum wf_srtp_profile p,
		       enum wf_srtp_arch arch, struct profile_result *r)
{
	const struct wf_bench_engine_ops *const *engines = o->dir->engines;
	const int nengines = o->dir->n;
	struct wf_bench_fixture f;
	void *st[MAX_ENGINES] = { NULL };
	uint64_t count[MAX_ENGINES] = { 0 };
	double pps[MAX_ENGINES][ROUNDS], tsc[MAX_ENGINES][ROUNDS];
	double round_ns = o->seconds * 1e9 / ROUNDS;
	bool ref_ok = false;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->run = true;
	r->arch = arch;
	if (fixture_init(&f, b, o, p, arch) != 0) {
		fprintf(stderr, "whepfan-bench srtp: %s: cannot set up the fixture\n", wf_srtp_suite(p)->name);
		return -1;
	}
	for (int e = 0; e < nengines; e++) {
		st[e] = engine_start(engines[e], &f, b, &ref_ok);
		if (st[e] != NULL) count[e] = engine_calibrate(engines[e], st[e], &f, round_ns);
		if (count[e] == 0) rc = -1;
	}
	for (int round = 0; round < ROUNDS; round++) {
		for (int k = 0; k < nengines; k++) {
			int e = (k + round) % nengines;
			char err[256] = "";
			uint64_t t0, c0, t1, c1;

			if (count[e] == 0) continue;
			t0 = wf_bench_now_ns();
			c0 = wf_bench_tsc();
			if (engines[e]->run(st[e], count[e], err, sizeof(err)) != 0) {
				fprintf(stderr, "whepfan-bench srtp: %s %s: %s\n", f.suite->name,
					engines[e]->name, err);
				count[e] = 0;
				rc = -1;
				continue;
			}
			c1 = wf_bench_tsc();
			t1 = wf_bench_now_ns();
			pps[e][round] = (double)count[e] * 1e9 / (double)(t1 > t0 ? t1 - t0 : 1);
			tsc[e][round] = (double)(c1 - c0) / (double)count[e];
		}
	}
	for (int e = 0; e < nengines; e++) {
		struct engine_result *er = &r->e[e];
		double sorted[ROUNDS];
		int mid = ROUNDS / 2;

		if (st[e] != NULL) engines[e]->destroy(st[e]);
		if (count[e] == 0) continue;
		memcpy(sorted, pps[e], sizeof(sorted));
		qsort(sorted, ROUNDS, sizeof(sorted[0]), cmp_double);
		er->ok = true;
		er->pps = sorted[mid];
		er->ns_per_pkt = 1e9 / er->pps;
		er->spread_pct = 100.0 * (sorted[ROUNDS - 1] - sorted[0]) / er->pps;
		for (int i = 0; i < ROUNDS; i++)
			if (pps[e][i] == er->pps) er->tsc_per_pkt = tsc[e][i];
	}
	return rc;
}

static double gbps(const struct engine_result *er, enum wf_srtp_profile p, unsigned size)
{
	return er->pps * (double)(size + wf_srtp_suite(p)->rtp_tag_len) * 8 / 1e9;
}

/* whepfan's rate over engine e's, or NAN when either is missing. */
static double ratio(const struct profile_result *r, int e)
{
	if (!r->e[0].ok || !r->e[e].ok) return NAN;
	return r->e[0].pps / r->e[e].pps;
}

static void print_json_ratio(double x)
{
	if (isnan(x)) printf("null");
	else printf("%.2f", x);
}

/* The JSON key of a ratio: "vs_" and the engine's name, '-' as '_'. */
static void print_json_ratio_key(const char *engine)
{
	printf("\"vs_");
	for (const char *c = engine; *c != '\0'; c++) putchar(*c == '-' ? '_' : *c);
	printf("\":");
}

static void print_json(const struct srtp_opts *o, const char *cpu, const struct profile_result *res)
{
	const struct wf_bench_engine_ops *const *engines = o->dir->engines;
	bool first = true;

	printf("{\"bench\":\"srtp\",\"direction\":\"%s\",\"size\":%u,\"burst\":%u,"
	       "\"viewers\":%u,\"seconds\":%g,\"rounds\":%d,\"statistic\":\"median\","
	       "\"cpu\":\"%s\",\"arch\":{",
	       o->dir->name, o->size, o->burst, o->viewers, o->seconds, ROUNDS, cpu);
	for (int p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
		if (!res[p].run) continue;
		printf("%s\"%s\":\"%s\"", first ? "" : ",", wf_srtp_suite(p)->name,
		       wf_srtp_arch_name(res[p].arch));
		first = false;
	}
	printf("},\"results\":[");
	first = true;
	for (int p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
		for (int e = 0; e < o->dir->n; e++) {
			const struct engine_result *er = &res[p].e[e];

			if (!res[p].run || !er->ok) continue;
			printf("%s{\"profile\":\"%s\",\"engine\":\"%s\",\"pps\":%.0f,\"gbps\":%.3f,"
			       "\"ns_per_pkt\":%.1f,\"tsc_per_pkt\":%.0f,\"spread_pct\":%.1f}",
			       first ? "" : ",", wf_srtp_suite(p)->name, engines[e]->name, er->pps,
			       gbps(er, p, o->size), er->ns_per_pkt, er->tsc_per_pkt, er->spread_pct);
			first = false;
		}
	}
	printf("],\"ratios\":{");
	first = true;
	for (int p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
		if (!res[p].run) continue;
		printf("%s\"%s\":{", first ? "" : ",", wf_srtp_suite(p)->name);
		for (int e = 1; e < o->dir->n; e++) {
			if (e > 1) putchar(',');
			print_json_ratio_key(engines[e]->name);
			print_json_ratio(ratio(&res[p], e));
		}
		printf("}");
		first = false;
	}
	printf("}}\n");
}

static void print_table(const struct srtp_opts *o, const char *cpu, const struct profile_result *res)
{
	const struct wf_bench_engine_ops *const *engines = o->dir->engines;

	if (o->dir == &directions[0])
		printf("SRTP fan-out: %u-byte RTP packets to %u viewers, burst %u, %g s per engine,\n",
		       o->size, o->viewers, o->burst, o->seconds);
	else
		printf("SRTP ingest: %u-byte RTP packets from %u SSRCs unprotected, burst %u, %g s per engine,\n",
		       o->size, o->viewers, o->burst, o->seconds);
	printf("median of %d interleaved rounds (spread = (max - min) / median)\ncpu: %s\n\n",
	       ROUNDS, cpu);
	printf("%-24s %-14s %-6s %9s %8s %8s %8s %7s\n", "profile", "engine", "arch", "Mpkt/s",
	       "Gbit/s", "ns/pkt", "TSC/pkt", "spread");
	for (int p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
		if (!res[p].run) continue;
		for (int e = 0; e < o->dir->n; e++) {
			const struct engine_result *er = &res[p].e[e];
			const char *name = e == 0 ? wf_srtp_suite(p)->name : "";
			const char *arch = e == 0 ? wf_srtp_arch_name(res[p].arch) : "";

			if (!er->ok) {
				printf("%-24s %-14s %-6s %9s\n", name, engines[e]->name, arch, "failed");
				continue;
			}
			printf("%-24s %-14s %-6s %9.3f %8.2f %8.1f %8.0f %6.1f%%\n", name,
			       engines[e]->name, arch, er->pps / 1e6, gbps(er, p, o->size),
			       er->ns_per_pkt, er->tsc_per_pkt, er->spread_pct);
		}
	}
	printf("\n%-24s", "whepfan speed-up");
	for (int e = 1; e < o->dir->n; e++) {
		char col[32];

		snprintf(col, sizeof(col), "vs %s", engines[e]->name);
		printf(" %17s", col);
	}
	printf("\n");
	for (int p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
		if (!res[p].run) continue;
		printf("%-24s", wf_srtp_suite(p)->name);
		for (int e = 1; e < o->dir->n; e++) {
			double x = ratio(&res[p], e);

			if (isnan(x)) printf(" %17s", "n/a");
			else printf(" %16.2fx", x);
		}
		printf("\n");
	}
}

int wf_bench_srtp_main(int argc, char **argv)
{
	struct srtp_opts o;
	struct bench_buffers b;
	struct profile_result res[WF_SRTP_PROFILE_COUNT];
	enum wf_srtp_arch arch[WF_SRTP_PROFILE_COUNT];
	char cpu[128];
	int rc = parse_opts(argc, argv, &o);

	if (rc != 0) return rc;
	if (resolve_arch(o.arch, arch) != 0) return 1;
	if (buffers_alloc(&b, &o) != 0) {
		fprintf(stderr, "whepfan-bench srtp: out of memory\n");
		buffers_free(&b);
		return 1;
	}
	wf_bench_cpu_model(cpu, sizeof(cpu));
	memset(res, 0, sizeof(res));
	for (int p = 0; p < WF_SRTP_PROFILE_COUNT; p++) {
		if (o.profile >= 0 && p != o.profile) continue;
		if (run_profile(&o, &b, (enum wf_srtp_profile)p, arch[p], &res[p]) != 0) rc = 1;
	}
	buffers_free(&b);
	if (o.json) print_json(&o, cpu, res);
	else print_table(&o, cpu, res);
	return rc;
}
