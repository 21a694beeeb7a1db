/* bench_fanout.c: `whepfan-bench fanout`, the real fast path on virtual
 * devices (bench_fanout.h).
 *
 * One process, in this order:
 *  1. EAL on --no-huge memory with two vdevs: net_ring0 for ingest (with no
 *     arguments the PMD creates rings ETH_RXTX<q>_net_ring0 that are both
 *     rx and tx queue q; the benchmark is the producer of queue 0, the
 *     stream owner's) and net_null0,no-rx=1 for egress (tx frees and
 *     counts; rx returns nothing, so polling it costs the workers little).
 *  2. wf_setup() with a configuration built here: the two ports, --streams
 *     H.264 streams (ingest ports 5004, 5006, ...), no static outputs.  The
 *     main lcore plays the slow path.
 *  3. N viewers added as the slow path adds a WHEP session: wf_registry_
 *     place/template/add, a fixed MAC (no ARP behind net_null), keys
 *     derived from random master keys as outputs.c derives them.
 *  4. History probe: PROBE_PKTS packets at PROBE_PPS, then the bytes the
 *     stream's history holds and the packet mempool's in-use count.
 *  5. Warm-up, then --seconds of fan-out in CHUNKS chunks with the ingest
 *     ring kept full; the workers' own counters are read around each.
 *     Before every chunk and after the last, with the ring drained, a
 *     slice of the crypto ceiling: wf_srtp_protect_burst() alone, on the
 *     first worker's lcore (the workers stop for it and start again), so
 *     the fan-out and its ceiling run on the same CPU.  Interleaving makes
 *     a noisy shared machine slow both alike; the ceiling is the median
 *     slice.
 *  6. With --load: the source paced at that share of the ingest rate the
 *     chunks measured, for the ingest-to-wire latency at that load (the
 *     workers' histograms, core/latency.h, read around the phase).
 *  7. Viewers removed; teardown.
 */
#include "bench/bench_fanout.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "bench/bench_util.h"
#include "core/app.h"
#include "core/lcore.h"
#include "core/viewer.h"
#include "fast/classify.h"
#include "fast/fanout.h"
#include "fast/history.h"
#include "setup.h"
#include "slow/ctrlq.h"
#include "slow/mbufs.h"
#include "slow/port.h"
#include "slow/registry.h"
#include "rtp/rtp.h"

#define IN_PORT_IDX	0		/* net_ring0 in wf_app.ports */
#define OUT_PORT_IDX	1		/* net_null0 */
#define IN_DEV		"net_ring0"
#define IN_RING		"ETH_RXTX0_" IN_DEV	/* rx queue 0 (rte_eth_ring.c) */
#define OUT_DEV		"net_null0"
#define IN_ADDR		0x0a000001u	/* 10.0.0.1/24: our ingest address */
#define SRC_ADDR	0x0a000002u	/* the synthetic source */
#define OUT_ADDR	0x0a010001u	/* 10.1.0.1/16: viewers are 10.1.x.y */
#define SRC_PORT	5000
#define INGEST_PORT	5004		/* stream s: INGEST_PORT + 2 s */
#define SRC_SSRC	0x5eed5eedu	/* stream s: SRC_SSRC + s */
#define PT		96
#define CLOCK_RATE	90000
#define FRAME_TICKS	(CLOCK_RATE / 30)	/* 30 frames/s */
#define HISTORY_MS	3000		/* WF_CONF_DEF_HISTORY_MS */
#define MBUFS_BASE	16384		/* reserve and ring; plus the
					 * histories (WF_CONF_DEF_HISTORY_MBUFS a stream) */
#define MAX_SIZE	1456		/* RTP bytes: 1500 - IPv4 - UDP - 16-byte tag */
#define MIN_SIZE	16		/* RTP header + FU-A header + a little */
#define MAX_VIEWERS	65536		/* all streams' */
#define MAX_STREAMS	256
#define LOAD_S		2		/* seconds of the --load phase */
#define PROBE_PKTS	500		/* history probe: fixed for every viewer count */
#define PROBE_PPS	1000
#define FILL_MIN	256		/* refill the ingest ring when this much is free */
#define CEILING_BURST	32
#define WAIT_S		10		/* longest wait for the workers to catch up */
#define CHUNKS		5		/* fan-out chunks, crypto slices between */
#define HASH_SLOTS_A	32768		/* peer-table slope measured between these */
#define HASH_SLOTS_B	65536

struct fanout_opts {
	bool json, verbose;
	bool huge;			/* hugepages (set up by the user), not --no-huge */
	bool floor;			/* the copy floor's slices next to the ceiling's */
	unsigned viewers, streams, size, workers, per_frame, kf_every;
	double seconds, warmup;
	double load;			/* % of the measured ingest rate; 0: no phase */
	double stream_kbps;		/* pace each stream (RTP kbit/s); 0: ring full */
	enum wf_srtp_profile profile;
	int arch;			/* enum wf_srtp_arch, or -1: measure */
};

/* Where each viewer went (for its removal). */
struct viewer_ref {
	unsigned worker;
	uint32_t slot;
	uint16_t gen;
};

/* The synthetic sources: n_streams cameras sending H.264 in FU-A
 * fragments, per_frame packets per frame, a key frame (IDR) every kf_every
 * packets, interleaved packet by packet on the ingest ring. */
struct source {
	struct rte_ring *ring;
	uint16_t port_id;
	unsigned frame_len;		/* Ethernet frame bytes */
	unsigned per_frame, kf_every, n_streams;
	uint64_t made;			/* packets enqueued so far, all streams */
	uint16_t seq0[MAX_STREAMS];
	uint32_t ts0[MAX_STREAMS];
	uint8_t frame[WF_L2L3L4_LEN + MAX_SIZE];
};

/* Ingest-to-wire latency over a phase, all workers (TSC cycles). */
struct lat_phase {
	struct wf_lat_hist h;
	double ingest_pps, egress_pps;	/* what the phase carried */
	double load_pct;		/* of the measured ingest rate */
};

/* One worker's counters at one moment; run_ns is the CPU time its thread
 * got (other processes on a shared machine take the rest). */
struct wsnap {
	uint64_t egress_pkts, egress_bytes, tx_pkts, ingest_pkts, busy_cycles, work_pkts, run_ns;
};

struct snap {
	uint64_t tsc;
	uint64_t null_opackets;
	struct wsnap w[WF_MAX_WORKERS];
};

/* lib/srtp alone: bursts of 32 jobs over n_keys viewers' keys.  With
 * --floor also the copy floor: the same bursts written into fresh mbufs
 * with a header template (tmpl: Ethernet, IPv4, UDP, RTP). */
struct ceiling {
	struct wf_srtp_engine *e;
	struct wf_srtp_keys *keys;	/* [n_keys] */
	unsigned n_keys, next;
	uint8_t *payload;
	uint8_t *out;			/* [CEILING_BURST] * stride */
	size_t stride;
	struct wf_srtp_job jobs[CEILING_BURST];
	struct wf_srtp_job fjobs[CEILING_BURST];
	uint8_t tmpl[WF_L2L3L4_LEN + WF_RTP_FIXED_LEN];
	uint16_t csum_base;		/* tmpl's IPv4 sum with total length 0 */
	uint16_t fseq;
};

struct results {
	char cpu[128];
	enum wf_srtp_arch arch;
	unsigned lcore_cpu[WF_MAX_WORKERS + 1];
	bool oversubscribed;
	double ceiling[CHUNKS + 1];	/* pkt/s of each slice, wall clock */
	double ceiling_cpu[CHUNKS + 1];	/* pkt per second of CPU time */
	double floor_cpu[CHUNKS + 1];	/* --floor: the copy floor's, likewise */
	int worker_tid[WF_MAX_WORKERS];
	double dt;			/* measured seconds, all chunks */
	struct snap d;			/* counter increments over the chunks */
	uint64_t viewers_live;
	uint64_t history_bytes, history_pkts, mbufs_in_use;
	uint64_t history_bytes_end, history_pkts_end;
	size_t viewer_bytes, registry_bytes;
	double peer_bytes_per_slot, peer_bytes_this_size;
	uint64_t drop[WF_DROP_COUNT];
	uint64_t srtp_err[WF_SRTP_E_COUNT];
	uint64_t rtp_err[WF_RTP_ERR_COUNT];
	uint64_t slots_total;
	unsigned worker_viewers[WF_MAX_WORKERS];
	uint64_t stream_egress[MAX_STREAMS];	/* its viewers' packets, whole run */
	struct lat_phase lat_max;		/* the measured chunks (ring full) */
	struct lat_phase lat_load;		/* --load */
};

void wf_bench_fanout_usage(FILE *out)
{
	fprintf(out,
		"usage: whepfan-bench fanout [--json] [--viewers N] [--streams S] [--size BYTES]\n"
		"                            [--profile NAME] [--seconds S] [--warmup S]\n"
		"                            [--workers N] [--frame-packets N]\n"
		"                            [--keyframe-packets N] [--load PCT]\n"
		"                            [--stream-kbps KBPS] [--huge] [--floor]\n"
		"                            [--arch auto|sse|avx2|avx512|measure] [--verbose]\n\n"
		"Runs whepfan's own workers (wf_setup) on DPDK virtual devices: --streams (1)\n"
		"H.264 streams, each from its own source (ingest port, SSRC), their packets\n"
		"interleaved on net_ring0, whose rx ring this tool keeps full of RTP packets\n"
		"of --size bytes (default 1200) (or paces at --stream-kbps of RTP a stream),\n"
		"each stream fanned out to --viewers (1000) SRTP viewers of --profile\n"
		"(AEAD_AES_128_GCM) behind net_null0 (--streams x --viewers in all).\n"
		"After --warmup (1) s, egress is measured for --seconds (5) on --workers (1)\n"
		"worker lcores in %d chunks, next to the crypto-only ceiling of lib/srtp\n"
		"(bursts of %d viewers' keys on the first worker's lcore, in slices\n"
		"between the chunks while the workers stop; the median slice).  Also reports\n"
		"the memory per viewer and the bytes held by the stream's history after a\n"
		"fixed probe of %d packets.  Frames are --frame-packets (8) FU-A packets, a\n"
		"key frame every --keyframe-packets (240).  --arch picks ipsec-mb's code\n"
		"path (default auto, as conf/whepfan.conf).  Needs root.  --json prints one\n"
		"JSON object; logs go to stderr (--verbose: DPDK info logs too).\n"
		"Ingest-to-wire latency (RX burst to TX burst, per packet) is reported for\n"
		"the measured chunks and, with --load PCT, for %d s with the sources paced\n"
		"at PCT %% of the ingest rate the chunks reached.  Memory is --no-huge (4 KiB\n"
		"pages) unless --huge: 2 MiB hugepages the user has reserved and mounted, as\n"
		"a production whepfan uses.  --floor adds the copy floor to each slice: the\n"
		"ceiling's bursts written into fresh mbufs of the transmit pool behind a\n"
		"header template, lengths set, the burst freed in bulk (what any copy costs\n"
		"on top of its cipher, with no viewer, history or transmit queue).\n",
		CHUNKS, CEILING_BURST, PROBE_PKTS, LOAD_S);
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "whepfan-bench fanout: %s%s%s%s; try 'whepfan-bench fanout --help'\n",
		what, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
	return 2;
}

/* A number in min..max (NaN never is). */
static int parse_num(const char *val, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(val, &end);
	if (errno || end == val || *end || !(*out >= min) || !(*out <= max))
		return -EINVAL;
	return 0;
}

/* Parses argv (argv[0] is "fanout") into o.  Returns 0 or the exit status
 * 2 after printing a one-line error. */
static int parse_opts(int argc, char **argv, struct fanout_opts *o)
{
	static const char *const with_value[] = {
		"--viewers", "--size", "--profile", "--seconds", "--warmup", "--workers",
		"--frame-packets", "--keyframe-packets", "--arch", "--streams", "--load",
		"--stream-kbps",
	};
	int i;

	*o = (struct fanout_opts){ .viewers = 1000, .streams = 1, .size = 1200, .workers = 1, .per_frame = 8,
				   .kf_every = 240, .seconds = 5, .warmup = 1,
				   .profile = WF_SRTP_AEAD_AES_128_GCM, .arch = WF_SRTP_ARCH_AUTO };
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i], *val;
		unsigned long n;
		bool known = false;
		size_t k;

		if (!strcmp(opt, "--huge")) {
			o->huge = true;
			continue;
		}
		if (!strcmp(opt, "--floor")) {
			o->floor = true;
			continue;
		}
		if (!strcmp(opt, "--json")) {
			o->json = true;
			continue;
		}
		if (!strcmp(opt, "--verbose")) {
			o->verbose = true;
			continue;
		}
		for (k = 0; k < RTE_DIM(with_value); k++)
			known |= !strcmp(opt, with_value[k]);
		if (!known)
			return usage_error("unknown option", opt);
		if (i + 1 >= argc)
			return usage_error("missing value after", opt);
		val = argv[++i];
		if (!strcmp(opt, "--viewers")) {
			if (wf_bench_parse_ulong(val, 1, MAX_VIEWERS, &n))
				return usage_error("--viewers wants 1..65536, not", val);
			o->viewers = (unsigned)n;
		} else if (!strcmp(opt, "--streams")) {
			if (wf_bench_parse_ulong(val, 1, MAX_STREAMS, &n))
				return usage_error("--streams wants 1..256, not", val);
			o->streams = (unsigned)n;
		} else if (!strcmp(opt, "--load")) {
			if (parse_num(val, 1, 100, &o->load))
				return usage_error("--load wants a percentage in 1..100, not", val);
		} else if (!strcmp(opt, "--stream-kbps")) {
			if (parse_num(val, 1, 1e6, &o->stream_kbps))
				return usage_error("--stream-kbps wants 1..1000000, not", val);
		} else if (!strcmp(opt, "--size")) {
			if (wf_bench_parse_ulong(val, MIN_SIZE, MAX_SIZE, &n))
				return usage_error("--size wants 16..1456 RTP bytes, not", val);
			o->size = (unsigned)n;
		} else if (!strcmp(opt, "--workers")) {
			if (wf_bench_parse_ulong(val, 1, 8, &n))
				return usage_error("--workers wants 1..8, not", val);
			o->workers = (unsigned)n;
		} else if (!strcmp(opt, "--frame-packets")) {
			if (wf_bench_parse_ulong(val, 1, 1000, &n))
				return usage_error("--frame-packets wants 1..1000, not", val);
			o->per_frame = (unsigned)n;
		} else if (!strcmp(opt, "--keyframe-packets")) {
			if (wf_bench_parse_ulong(val, 1, 1000000, &n))
				return usage_error("--keyframe-packets wants 1..1000000, not", val);
			o->kf_every = (unsigned)n;
		} else if (!strcmp(opt, "--seconds")) {
			if (parse_num(val, 0.1, 3600, &o->seconds))
				return usage_error("--seconds wants a number in 0.1..3600, not", val);
		} else if (!strcmp(opt, "--warmup")) {
			if (parse_num(val, 0, 3600, &o->warmup))
				return usage_error("--warmup wants a number in 0..3600, not", val);
		} else if (!strcmp(opt, "--profile")) {
			int p = wf_srtp_profile_by_name(val);

			if (p < 0)
				return usage_error("unknown profile", val);
			o->profile = (enum wf_srtp_profile)p;
		} else {
			o->arch = strcmp(val, "measure") ? wf_srtp_arch_by_name(val) : -1;
			if (strcmp(val, "measure") && o->arch < 0)
				return usage_error("--arch wants auto|sse|avx2|avx512|measure, not", val);
		}
	}
	if (o->kf_every % o->per_frame)
		return usage_error("--keyframe-packets must be a multiple of --frame-packets", NULL);
	if ((uint64_t)o->viewers * o->streams > MAX_VIEWERS)
		return usage_error("--streams x --viewers must be at most 65536", NULL);
	return 0;
}

/* The Linux thread id of EAL lcore lcore_id (its thread is named
 * "rte-worker-<id>"), or -1. */
static int lcore_tid(unsigned lcore_id)
{
	char want[32], path[300], name[64];
	struct dirent *de;
	DIR *d = opendir("/proc/self/task");
	int tid = -1;

	if (!d)
		return -1;
	snprintf(want, sizeof(want), "rte-worker-%u", lcore_id);
	while (tid < 0 && (de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f)) {
			name[strcspn(name, "\n")] = '\0';
			if (!strcmp(name, want))
				tid = atoi(de->d_name);
		}
		fclose(f);
	}
	closedir(d);
	return tid;
}

/* Nanoseconds thread tid has spent on a CPU (schedstat's first field), or
 * 0 when unknown. */
static uint64_t thread_run_ns(int tid)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;

	if (tid < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

static uint64_t self_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void snap_take(struct snap *s, const int *tids)
{
	struct rte_eth_stats st;
	unsigned w;

	memset(s, 0, sizeof(*s));
	if (rte_eth_stats_get(wf_app.ports[OUT_PORT_IDX].port_id, &st) == 0)
		s->null_opackets = st.opackets;
	for (w = 0; w < wf_app.n_workers; w++) {
		const struct wf_counters *c = &wf_app.lc[w]->c;

		s->w[w] = (struct wsnap){
			.egress_pkts = rd(&c->egress_pkts), .egress_bytes = rd(&c->egress_bytes),
			.tx_pkts = rd(&c->tx_pkts), .ingest_pkts = rd(&c->ingest_pkts),
			.busy_cycles = rd(&c->busy_cycles), .work_pkts = rd(&c->work_pkts),
			.run_ns = tids ? thread_run_ns(tids[w]) : 0,
		};
	}
	s->tsc = rte_rdtsc();
}

/* Adds the increments from a to b to acc. */
static void snap_add(struct snap *acc, const struct snap *a, const struct snap *b)
{
	unsigned w;

	acc->tsc += b->tsc - a->tsc;
	acc->null_opackets += b->null_opackets - a->null_opackets;
	for (w = 0; w < wf_app.n_workers; w++) {
		struct wsnap *x = &acc->w[w];
		const struct wsnap *p = &a->w[w], *q = &b->w[w];

		x->egress_pkts += q->egress_pkts - p->egress_pkts;
		x->egress_bytes += q->egress_bytes - p->egress_bytes;
		x->tx_pkts += q->tx_pkts - p->tx_pkts;
		x->ingest_pkts += q->ingest_pkts - p->ingest_pkts;
		x->busy_cycles += q->busy_cycles - p->busy_cycles;
		x->work_pkts += q->work_pkts - p->work_pkts;
		x->run_ns += q->run_ns - p->run_ns;
	}
}

static uint64_t snap_sum(const struct snap *s, size_t field_off)
{
	uint64_t n = 0;
	unsigned w;

	for (w = 0; w < wf_app.n_workers; w++)
		n += *(const uint64_t *)((const uint8_t *)&s->w[w] + field_off);
	return n;
}
#define SNAP_SUM(s, f) snap_sum((s), offsetof(struct wsnap, f))

/* ---- start-up ------------------------------------------------------------ */

/* The receive pool: the reserve and the ingest ring (the copies come from
 * the transmit pool, wf_mbufs_tx()),
 * plus every stream's history at its default bound (as a configuration
 * file would give it). */
static unsigned bench_mbufs(const struct fanout_opts *o)
{
	return MBUFS_BASE + o->streams * WF_CONF_DEF_HISTORY_MBUFS;
}


/* EAL arguments: lcore i runs on the i-th allowed CPU (round robin, so
 * --workers beyond the CPUs share them: r->oversubscribed). */
static int eal_start(const struct fanout_opts *o, struct results *r)
{
	static char mem[16], prefix[32], lcores[256];
	char *argv[32];
	int argc = 0, cpus[CPU_SETSIZE], n_cpus = 0, c, len = 0;
	unsigned l;
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return -errno;
	for (c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			cpus[n_cpus++] = c;
	if (!n_cpus)
		return -ENODEV;
	for (l = 0; l <= o->workers; l++) {
		r->lcore_cpu[l] = (unsigned)cpus[l % (unsigned)n_cpus];
		len += snprintf(lcores + len, sizeof(lcores) - (size_t)len, "%s%u@%u", l ? "," : "",
				l, r->lcore_cpu[l]);
	}
	r->oversubscribed = o->workers + 1 > (unsigned)n_cpus;
	/* mbufs (~2.4 KB each), viewers and their control messages (~12 KB
	 * each, with slack), peer tables measured up to HASH_SLOTS_B slots */
	snprintf(mem, sizeof(mem), "%u", 128 + 64 + bench_mbufs(o) / 250 +
		 wf_mbufs_tx(2, o->workers, WF_TX_DESC) / 250 + o->viewers * o->streams / 80);
	snprintf(prefix, sizeof(prefix), "wfbench%d", (int)getpid());
	argv[argc++] = (char *)"whepfan-bench";
	/* --in-memory: hugepages without files left in the hugetlbfs mount */
	argv[argc++] = (char *)(o->huge ? "--in-memory" : "--no-huge");
	argv[argc++] = (char *)"-m";
	argv[argc++] = mem;
	argv[argc++] = (char *)"--no-pci";
	argv[argc++] = (char *)"--no-shconf";
	argv[argc++] = (char *)"--no-telemetry";
	argv[argc++] = (char *)"--file-prefix";
	argv[argc++] = prefix;
	argv[argc++] = (char *)"--lcores";
	argv[argc++] = lcores;
	argv[argc++] = (char *)"--vdev";
	argv[argc++] = (char *)IN_DEV;
	argv[argc++] = (char *)"--vdev";
	argv[argc++] = (char *)OUT_DEV ",no-rx=1";
	argv[argc++] = (char *)"--log-level";
	argv[argc++] = (char *)(o->verbose ? "info" : "warning");
	argv[argc] = NULL;
	/* DPDK's console log writes to stdout: keep stdout for the results */
	rte_openlog_stream(stderr);
	if (rte_eal_init(argc, argv) < 0)
		return -rte_errno;
	return 0;
}

static void config_port(struct wf_config_port *p, const char *name, uint32_t addr, uint8_t prefix)
{
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->addr = addr;
	p->prefix_len = prefix;
	p->netmask = prefix ? ~0u << (32 - prefix) : 0;
}

/* The configuration whepfan would load for this benchmark, built here. */
static struct wf_config *config_make(const struct fanout_opts *o)
{
	struct wf_config *cfg = wf_config_create();
	struct wf_config_stream *s;
	struct wf_config_track *t;
	unsigned i;

	if (!cfg)
		return NULL;
	cfg->dpdk.mbufs = bench_mbufs(o);
	cfg->dpdk.log_level = o->verbose ? WF_CONF_LOG_INFO : WF_CONF_LOG_WARNING;
	cfg->n_ports = 2;
	config_port(&cfg->ports[IN_PORT_IDX], IN_DEV, IN_ADDR, 24);
	config_port(&cfg->ports[OUT_PORT_IDX], OUT_DEV, OUT_ADDR, 16);
	cfg->http.max_sessions = o->viewers * o->streams;
	cfg->srtp.measure = o->arch < 0;
	cfg->srtp.arch = o->arch < 0 ? WF_SRTP_ARCH_AUTO : (enum wf_srtp_arch)o->arch;
	cfg->n_streams = o->streams;
	for (i = 0; i < o->streams; i++) {
		s = &cfg->streams[i];
		snprintf(s->name, sizeof(s->name), "bench%u", i);
		s->history_ms = HISTORY_MS;
		s->history_mbufs = WF_CONF_DEF_HISTORY_MBUFS;
		s->source_timeout_ms = WF_CONF_DEF_SOURCE_TIMEOUT_MS;
		s->n_tracks = 1;
		t = &s->tracks[0];
		t->kind = WF_CONF_VIDEO;
		t->codec = WF_CONF_H264;
		t->port = (uint16_t)(INGEST_PORT + 2 * i);
		t->payload_type = PT;
		t->clock_rate = CLOCK_RATE;
		snprintf(t->fmtp, sizeof(t->fmtp), "packetization-mode=1;profile-level-id=42e01f");
	}
	return cfg;
}

/* ---- viewers ------------------------------------------------------------- */

/* Fills v as a WHEP session of profile p to 10.1.x.y (index i) watching
 * stream, with random master keys, as outputs.c's make_viewer() does for
 * SRTP. */
static const struct rte_ether_addr viewer_mac = {
	.addr_bytes = { 0x02, 0, 0, 0xbe, 0xec, 0x01 }
};

static int viewer_make(struct wf_viewer *v, struct wf_viewer_out *vo,
		       struct wf_srtp_keys *srtp_out, struct wf_srtp_engine *e,
		       enum wf_srtp_profile p, unsigned i, unsigned stream)
{
	const struct wf_srtp_suite *su = wf_srtp_suite(p);
	uint8_t master[WF_SRTP_MAX_MASTER_LEN];
	uint32_t ip = (OUT_ADDR & 0xffff0000u) + 2 + i;
	int rc;

	memset(v, 0, sizeof(*v));
	memset(vo, 0, sizeof(*vo));
	v->stream = (uint16_t)stream;
	vo->srtp = 1;
	v->cname_hash = (uint32_t)rte_rand();
	wf_registry_template(v, vo, OUT_PORT_IDX, &viewer_mac, ip, (uint16_t)(50000 + i % 10000));
	if (wf_bench_random(master, sizeof(master)))
		return -EIO;
	rc = wf_srtp_keys_derive(e, srtp_out, p, WF_SRTP_KIND_RTP, master,
				 su->master_key_len, master + su->master_key_len,
				 su->master_salt_len);
	if (!rc)
		rc = wf_srtp_keys_derive(e, &v->srtcp_out, p, WF_SRTP_KIND_RTCP, master,
					 su->master_key_len, master + su->master_key_len,
					 su->master_salt_len);
	explicit_bzero(master, sizeof(master));
	if (rc)
		return -EINVAL;
	v->srtcp_in = v->srtcp_out;
	vo->trk[0].state = WF_VT_WAIT;
	vo->trk[0].pt = PT;
	vo->trk[0].ssrc = (uint32_t)rte_rand();
	vo->trk[0].next_index = rte_rand() & 0x7fff;	/* RFC 3550 §5.1 */
	return 0;
}

static unsigned viewers_on_workers(void)
{
	unsigned w, n = 0;

	for (w = 0; w < wf_app.n_workers; w++)
		n += __atomic_load_n(&wf_app.lc[w]->n_viewers, __ATOMIC_RELAXED);
	return n;
}

/* Waits (playing the slow path: sending what the registry queued and
 * draining control replies) until the workers hold want viewers.  Returns
 * 0 or -ETIMEDOUT. */
static int viewers_wait(unsigned want)
{
	uint64_t end = rte_rdtsc() + WAIT_S * wf_app.tsc_hz;

	while (viewers_on_workers() != want) {
		wf_registry_poll();
		wf_ctrl_replies();
		if (rte_rdtsc() > end)
			return -ETIMEDOUT;
		rte_delay_us_sleep(100);
	}
	wf_ctrl_replies();
	return 0;
}

/* Adds o->viewers viewers to each stream through the registry, as the slow
 * path does (viewer i watches stream i % streams); refs receives where each
 * went.  Returns 0 or -errno after printing why. */
static int viewers_add(const struct fanout_opts *o, struct viewer_ref *refs)
{
	static struct wf_viewer v;	/* ~2.5 KB: not on the stack */
	static struct wf_viewer_out vo;
	static struct wf_srtp_keys srtp_out;
	struct wf_srtp_engine *e = wf_srtp_engine_create(wf_app.srtp_arch);
	unsigned i, total = o->viewers * o->streams;
	int rc = 0;

	if (!e)
		return -errno;
	for (i = 0; i < total && !rc; i++) {
		uint64_t end = rte_rdtsc() + WAIT_S * wf_app.tsc_hz;

		rc = viewer_make(&v, &vo, &srtp_out, e, o->profile, i, i % o->streams);
		while (!rc) {
			struct viewer_ref *r = &refs[i];

			rc = wf_registry_place(&r->worker, &r->slot, &r->gen);
			if (!rc)
				rc = wf_registry_add(r->worker, r->slot, r->gen, WF_PEER_NO_TAG, &v,
						     &vo, &srtp_out);
			if (rc != -ENOBUFS || rte_rdtsc() > end)
				break;
			/* control pool or ring full: let the workers catch up */
			wf_ctrl_replies();
			rte_delay_us_sleep(100);
			rc = 0;
		}
		if (rc)
			fprintf(stderr, "whepfan-bench fanout: viewer %u: %s\n", i, strerror(-rc));
	}
	wf_viewer_keys_wipe(&v, &srtp_out);
	wf_srtp_engine_free(e);
	if (rc)
		return rc;
	rc = viewers_wait(total);
	if (rc)
		fprintf(stderr, "whepfan-bench fanout: the workers took %u of %u viewers\n",
			viewers_on_workers(), total);
	return rc;
}

/* Removes the n viewers in refs (their keys are wiped by the workers).
 * A removal the control ring cannot take now waits in the registry's
 * queue, which viewers_wait() sends as the workers drain. */
static void viewers_remove(const struct viewer_ref *refs, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (wf_registry_remove(refs[i].worker, refs[i].slot, refs[i].gen))
			fprintf(stderr, "whepfan-bench fanout: viewer %u was not found to remove\n", i);
	if (viewers_wait(0))
		fprintf(stderr, "whepfan-bench fanout: %u viewers were not removed\n",
			viewers_on_workers());
}

/* Viewers live; each stream's viewers' packets added to egress[]. */
static uint64_t viewers_live(uint64_t *egress)
{
	uint64_t n = 0;
	unsigned w;
	uint32_t s;

	for (w = 0; w < wf_app.n_workers; w++) {
		const struct wf_lcore *lc = wf_app.lc[w];

		for (s = 0; s < lc->slot_hwm; s++) {
			const struct wf_viewer *v = &lc->viewers[s];
			const struct wf_viewer_out *vo;

			if (!v->in_use)
				continue;
			vo = wf_viewer_out(lc, v);
			n += vo->trk[0].state == WF_VT_LIVE;
			if (v->stream < MAX_STREAMS)
				egress[v->stream] += vo->pkts_out;
		}
	}
	return n;
}

/* ---- the synthetic source ------------------------------------------------ */

/* Builds the frame template: Ethernet to the ingest port's MAC, IPv4 with
 * its checksum, UDP (checksum 0: optional over IPv4, RFC 768), RTP. */
static int source_init(struct source *src, const struct fanout_opts *o)
{
	const struct wf_port *port = &wf_app.ports[IN_PORT_IDX];
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)src->frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint8_t *rtp = (uint8_t *)(udp + 1);
	static const struct rte_ether_addr src_mac = {
		.addr_bytes = { 0x02, 0, 0, 0x50, 0x00, 0x01 } };
	unsigned i;

	memset(src, 0, sizeof(*src));
	src->ring = rte_ring_lookup(IN_RING);
	if (!src->ring)
		return -ENOENT;
	src->port_id = port->port_id;
	src->per_frame = o->per_frame;
	src->kf_every = o->kf_every;
	src->n_streams = o->streams;
	src->frame_len = WF_L2L3L4_LEN + o->size;
	for (i = 0; i < o->streams; i++) {
		src->seq0[i] = (uint16_t)rte_rand();
		src->ts0[i] = (uint32_t)rte_rand();
	}
	rte_ether_addr_copy(&port->mac, &eth->dst_addr);
	rte_ether_addr_copy(&src_mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*udp) + o->size));
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(SRC_ADDR);
	ip->dst_addr = rte_cpu_to_be_32(IN_ADDR);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(SRC_PORT);
	udp->dst_port = rte_cpu_to_be_16(INGEST_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + o->size));
	rtp[0] = 0x80;				/* RFC 3550 §5.1: V=2 */
	rtp[1] = PT;
	wf_rtp_wr32(rtp + 8, SRC_SSRC);
	if (wf_bench_random(rtp + WF_RTP_FIXED_LEN, o->size - WF_RTP_FIXED_LEN))
		return -EIO;
	rtp[WF_RTP_FIXED_LEN] = 0x7c;		/* RFC 6184 §5.8: FU-A, NRI 3 */
	rtp[WF_RTP_FIXED_LEN + 2] = 0x88;	/* slice: first_mb_in_slice 0 */
	return 0;
}

/* Writes packet number n of all the sources into m: packet k = n / S of
 * stream n % S (the cameras take turns). */
static void source_packet(const struct source *src, struct rte_mbuf *m, uint64_t n)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *), *rtp = d + WF_L2L3L4_LEN;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(rtp - WF_UDP_LEN);
	unsigned s = (unsigned)(n % src->n_streams);
	uint64_t k = n / src->n_streams;
	uint64_t frame = k / src->per_frame;
	unsigned pos = (unsigned)(k % src->per_frame);
	bool key = k % src->kf_every < src->per_frame;
	bool last = pos == src->per_frame - 1;

	rte_memcpy(d, src->frame, src->frame_len);
	udp->dst_port = rte_cpu_to_be_16((uint16_t)(INGEST_PORT + 2 * s));
	rtp[1] = (uint8_t)((last ? 0x80 : 0) | PT);	/* marker: last packet of a frame */
	wf_rtp_wr16(rtp + 2, (uint16_t)(src->seq0[s] + k));
	wf_rtp_wr32(rtp + 4, (uint32_t)(src->ts0[s] + frame * FRAME_TICKS));
	wf_rtp_wr32(rtp + 8, SRC_SSRC + s);
	if (src->per_frame == 1) {
		/* RFC 6184 §5.6: a single NAL unit, IDR (5) or non-IDR (1) slice */
		rtp[WF_RTP_FIXED_LEN] = key ? 0x65 : 0x41;
		rtp[WF_RTP_FIXED_LEN + 1] = 0x88;
	} else {
		/* FU header, RFC 6184 §5.8: S, E, NAL type IDR (5) or non-IDR (1) */
		rtp[WF_RTP_FIXED_LEN + 1] = (uint8_t)((pos == 0 ? 0x80 : 0) | (last ? 0x40 : 0) |
						      (key ? 5 : 1));
	}
	m->data_len = (uint16_t)src->frame_len;
	m->pkt_len = src->frame_len;
	m->port = src->port_id;
}

/* Enqueues up to max packets (never more than the ring has room for).
 * Returns how many, or -ENOBUFS when the mempool had none. */
static int source_fill(struct source *src, unsigned max)
{
	struct rte_mbuf *m[FILL_MIN];
	unsigned n = rte_ring_free_count(src->ring), i, done;

	if (n > max)
		n = max;
	if (n > FILL_MIN)
		n = FILL_MIN;
	if (!n)
		return 0;
	if (rte_pktmbuf_alloc_bulk(wf_app.rx_pool, m, n))
		return -ENOBUFS;
	for (i = 0; i < n; i++)
		source_packet(src, m[i], src->made + i);
	done = rte_ring_enqueue_burst(src->ring, (void **)m, n, NULL);
	for (i = done; i < n; i++)
		rte_pktmbuf_free(m[i]);
	src->made += done;
	return (int)done;
}

/* With several workers the owner hands every packet to the others: true
 * while a handoff ring has less room than the packets waiting for the
 * owner in the ingest ring and the add more would need.  Feeding no faster
 * than the slowest drains keeps the run free of handoff_full drops; a real
 * source is paced by its bitrate anyway. */
static bool handoff_lagging(const struct source *src, unsigned add)
{
	unsigned waiting = rte_ring_count(src->ring) + add, o, w;

	for (o = 0; o < wf_app.n_workers; o++)
		for (w = 0; w < wf_app.n_workers; w++)
			if (w != o && rte_ring_free_count(wf_app.handoff[o][w]) < waiting)
				return true;
	return false;
}

/* Keeps the ring full until the TSC reaches end. */
static void source_run(struct source *src, uint64_t end)
{
	while (rte_rdtsc() < end) {
		if (rte_ring_free_count(src->ring) >= FILL_MIN && !handoff_lagging(src, FILL_MIN) &&
		    source_fill(src, FILL_MIN) > 0)
			continue;
		wf_ctrl_replies();
		rte_delay_us_sleep(100);
	}
}

/* Paces the sources at pps packets a second (all streams) until the TSC
 * reaches end, spinning: each packet is enqueued when it is due (a sleep
 * would send them in clumps whose wait in the ring the RX timestamp does
 * not see, but whose processing would inflate the latency). */
static void source_rate(struct source *src, double pps, uint64_t end)
{
	uint64_t t0 = rte_rdtsc(), first = src->made, now;

	while ((now = rte_rdtsc()) < end) {
		uint64_t due = (uint64_t)((double)(now - t0) * pps / (double)wf_app.tsc_hz) + 1;

		if (due > src->made - first && !handoff_lagging(src, 8))
			source_fill(src, (unsigned)RTE_MIN(due - (src->made - first), 8u));
		else
			rte_pause();
	}
}

/* Sends n packets at pps packets per second. */
static void source_paced(struct source *src, uint64_t n, uint64_t pps)
{
	uint64_t t0 = rte_rdtsc(), first = src->made;

	while (src->made - first < n) {
		uint64_t due = (rte_rdtsc() - t0) * pps / wf_app.tsc_hz + 1;

		if (due > n)
			due = n;
		if (due > src->made - first && source_fill(src, (unsigned)(due - (src->made - first))) > 0)
			continue;
		rte_delay_us_sleep(200);
	}
}

/* Waits until the workers have taken every packet made and stopped
 * sending.  Returns 0 or -ETIMEDOUT. */
static int source_drain(const struct source *src)
{
	uint64_t end = rte_rdtsc() + WAIT_S * wf_app.tsc_hz, last = UINT64_MAX;
	unsigned quiet = 0;
	struct snap s;

	while (quiet < 3) {
		uint64_t work;

		if (rte_rdtsc() > end)
			return -ETIMEDOUT;
		rte_delay_us_sleep(20000);
		wf_ctrl_replies();
		snap_take(&s, NULL);
		work = SNAP_SUM(&s, work_pkts);
		quiet = rte_ring_count(src->ring) == 0 && work == last ? quiet + 1 : 0;
		last = work;
	}
	return 0;
}

/* ---- measurements -------------------------------------------------------- */

static void ceiling_free(struct ceiling *c)
{
	unsigned i;

	if (c->keys)
		for (i = 0; i < c->n_keys; i++)
			wf_srtp_keys_wipe(&c->keys[i]);
	wf_srtp_engine_free(c->e);
	free(c->keys);
	free(c->payload);
	free(c->out);
	memset(c, 0, sizeof(*c));
}

/* The copy floor's headers: a viewer's Ethernet/IPv4/UDP template and
 * its checksum base, as the registry makes them for viewer 0, then an RTP
 * header whose sequence number each copy rewrites. */
static void floor_template(struct ceiling *c)
{
	struct wf_viewer_out vo;
	struct wf_viewer v;
	uint8_t *rtp = c->tmpl + WF_L2L3L4_LEN;

	memset(&v, 0, sizeof(v));
	memset(&vo, 0, sizeof(vo));
	wf_registry_template(&v, &vo, OUT_PORT_IDX, &viewer_mac, (OUT_ADDR & 0xffff0000u) + 2,
			     50000);
	memcpy(c->tmpl, vo.hdr, WF_L2L3L4_LEN);
	c->csum_base = vo.ip_csum_base;
	memset(rtp, 0, WF_RTP_FIXED_LEN);
	rtp[0] = 0x80;
	rtp[1] = PT;
	wf_rtp_wr32(rtp + 8, 0x2000);
}

/* Keys for max(all viewers, 32) viewers (the same working set as the
 * fan-out), one shared payload, 32 output buffers with RTP headers. */
static int ceiling_init(struct ceiling *c, const struct fanout_opts *o)
{
	const struct wf_srtp_suite *su = wf_srtp_suite(o->profile);
	uint8_t master[WF_SRTP_MAX_MASTER_LEN];
	unsigned i;

	memset(c, 0, sizeof(*c));
	c->n_keys = o->viewers * o->streams;
	if (c->n_keys < CEILING_BURST)
		c->n_keys = CEILING_BURST;
	c->stride = RTE_ALIGN(o->size + WF_SRTP_MAX_TRAILER, 64);
	c->e = wf_srtp_engine_create(wf_app.srtp_arch);
	c->keys = wf_bench_alloc(sizeof(*c->keys) * c->n_keys);
	c->payload = wf_bench_alloc(o->size);
	c->out = wf_bench_alloc(c->stride * CEILING_BURST);
	if (!c->e || !c->keys || !c->payload || !c->out)
		return -ENOMEM;
	if (wf_bench_random(c->payload, o->size))
		return -EIO;
	for (i = 0; i < c->n_keys; i++) {
		int rc;

		if (wf_bench_random(master, sizeof(master)))
			return -EIO;
		rc = wf_srtp_keys_derive(c->e, &c->keys[i], o->profile, WF_SRTP_KIND_RTP, master,
					 su->master_key_len, master + su->master_key_len,
					 su->master_salt_len);
		if (rc)
			return -EINVAL;
	}
	explicit_bzero(master, sizeof(master));
	floor_template(c);
	for (i = 0; i < CEILING_BURST; i++) {
		uint8_t *h = c->out + c->stride * i;

		h[0] = 0x80;
		h[1] = PT;
		wf_rtp_wr16(h + 2, (uint16_t)i);
		wf_rtp_wr32(h + 8, 0x1000 + i);
		c->jobs[i] = (struct wf_srtp_job){
			.payload = c->payload + WF_RTP_FIXED_LEN, .out = h,
			.hdr_len = WF_RTP_FIXED_LEN,
			.payload_len = (uint16_t)(o->size - WF_RTP_FIXED_LEN),
			.out_cap = (uint16_t)c->stride,
		};
	}
	return 0;
}

/* Protects bursts of 32 viewers' copies for about seconds; returns the
 * rate in packets/s of wall-clock time and sets *per_cpu_s to packets per
 * second of this thread's CPU time; -1 when a job failed. */
static double ceiling_run(struct ceiling *c, double seconds, double *per_cpu_s)
{
	uint64_t cpu0 = self_cpu_ns(), t0 = rte_rdtsc(), n = 0, now, cpu;
	uint64_t want = (uint64_t)(seconds * (double)wf_app.tsc_hz);

	do {
		unsigned k, j;

		for (k = 0; k < 64; k++) {
			for (j = 0; j < CEILING_BURST; j++) {
				c->jobs[j].keys = &c->keys[c->next];
				if (++c->next == c->n_keys)
					c->next = 0;
			}
			if (wf_srtp_protect_burst(c->e, c->jobs, CEILING_BURST) != CEILING_BURST)
				return -1;
		}
		n += 64 * CEILING_BURST;
		now = rte_rdtsc();
	} while (now - t0 < want);
	cpu = self_cpu_ns() - cpu0;
	*per_cpu_s = (double)n * 1e9 / (double)(cpu ? cpu : 1);
	return (double)n * (double)wf_app.tsc_hz / (double)(now - t0);
}

/* The copy floor for about seconds: what any copy costs on top of its
 * cipher.  The ceiling's bursts of 32 jobs, each job's output a fresh mbuf
 * of the transmit pool (one bulk allocation a burst) behind the header
 * template, its lengths and IPv4 checksum set after, the burst freed in
 * bulk: no viewer, batch, history or transmit queue, and a bulk free where
 * a PMD frees one by one, so a lower bound.  Rates as ceiling_run(); -1
 * when an allocation or a job failed. */
static double floor_run(struct ceiling *c, const struct fanout_opts *o, double seconds,
			double *per_cpu_s)
{
	uint64_t cpu0 = self_cpu_ns(), t0 = rte_rdtsc(), n = 0, now, cpu;
	uint64_t want = (uint64_t)(seconds * (double)wf_app.tsc_hz);
	uint16_t plen = (uint16_t)(o->size - WF_RTP_FIXED_LEN);

	do {
		unsigned k, j;

		for (k = 0; k < 64; k++) {
			struct rte_mbuf *m[CEILING_BURST];

			if (rte_pktmbuf_alloc_bulk(wf_app.tx_pool, m, CEILING_BURST))
				return -1;
			for (j = 0; j < CEILING_BURST; j++) {
				uint8_t *d = rte_pktmbuf_mtod(m[j], uint8_t *);

				rte_memcpy(d, c->tmpl, sizeof(c->tmpl));
				wf_rtp_wr16(d + WF_L2L3L4_LEN + 2, c->fseq++);
				c->fjobs[j] = (struct wf_srtp_job){
					.keys = &c->keys[c->next], .payload = c->payload + WF_RTP_FIXED_LEN,
					.out = d + WF_L2L3L4_LEN, .hdr_len = WF_RTP_FIXED_LEN,
					.payload_len = plen,
					.out_cap = (uint16_t)(rte_pktmbuf_tailroom(m[j]) - WF_L2L3L4_LEN),
				};
				if (++c->next == c->n_keys)
					c->next = 0;
			}
			if (wf_srtp_protect_burst(c->e, c->fjobs, CEILING_BURST) != CEILING_BURST) {
				rte_pktmbuf_free_bulk(m, CEILING_BURST);
				return -1;
			}
			for (j = 0; j < CEILING_BURST; j++)
				wf_l4_finish(c->csum_base, m[j], c->fjobs[j].out_len);
			rte_pktmbuf_free_bulk(m, CEILING_BURST);
		}
		n += 64 * CEILING_BURST;
		now = rte_rdtsc();
	} while (now - t0 < want);
	cpu = self_cpu_ns() - cpu0;
	*per_cpu_s = (double)n * 1e9 / (double)(cpu ? cpu : 1);
	return (double)n * (double)wf_app.tsc_hz / (double)(now - t0);
}

/* Bytes of heap an rte_hash set up as the registry's peer table takes for
 * slots viewer slots (the same parameters as registry.c). */
static long peer_table_bytes(uint32_t slots)
{
	struct rte_hash_parameters hp = {
		.name = "wfb_peer_probe",
		.entries = RTE_MAX(slots * WF_REGISTRY_PEERS_PER_SLOT, 1024u),
		.key_len = sizeof(struct wf_peer_key),
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct rte_hash_rcu_config rcu = { .v = wf_app.qsbr, .mode = RTE_HASH_QSBR_MODE_DQ };
	struct rte_malloc_socket_stats a, b;
	struct rte_hash *h;

	if (rte_malloc_get_socket_stats(hp.socket_id, &a))
		return -1;
	h = rte_hash_create(&hp);
	if (!h)
		return -1;
	if (rte_hash_rcu_qsbr_add(h, &rcu)) {
		rte_hash_free(h);
		return -1;
	}
	if (rte_malloc_get_socket_stats(hp.socket_id, &b))
		b = a;
	rte_hash_free(h);
	return (long)(b.heap_allocsz_bytes - a.heap_allocsz_bytes);
}

/* What one more viewer slot costs (see docs/performance.md). */
static void memory_per_viewer(struct results *r)
{
	long a = peer_table_bytes(HASH_SLOTS_A), b = peer_table_bytes(HASH_SLOTS_B);
	long here = peer_table_bytes((uint32_t)r->slots_total);

	r->viewer_bytes = WF_LCORE_SLOT_BYTES;	/* the viewer, its member cell and key */
	r->registry_bytes = wf_registry_slot_bytes();
	r->peer_bytes_per_slot = a < 0 || b < 0 ? -1 :
				 (double)(b - a) / (HASH_SLOTS_B - HASH_SLOTS_A);
	r->peer_bytes_this_size = here < 0 ? -1 : (double)here / (double)r->slots_total;
}

static uint64_t bytes_per_viewer(const struct results *r)
{
	return r->viewer_bytes + r->registry_bytes +
	       (uint64_t)(r->peer_bytes_per_slot > 0 ? r->peer_bytes_per_slot + 0.5 : 0);
}

/* Bytes and packets in the streams' histories (the owners' state; read
 * while the owners are idle). */
static void history_read(uint64_t *bytes, uint64_t *pkts)
{
	unsigned s, t;
	uint32_t i;

	*bytes = *pkts = 0;
	for (s = 0; s < WF_MAX_STREAMS; s++) {
		unsigned owner = wf_app.streams[s].owner;
		const struct wf_stream_state *st =
			owner < wf_app.n_workers ? wf_app.lc[owner]->owned[s] : NULL;

		for (t = 0; st && t < st->n_tracks; t++) {
			const struct wf_track_state *ts = &st->t[t];

			*bytes += wf_history_bytes(ts);
			for (i = 0; ts->slots && i <= ts->mask; i++)
				*pkts += ts->slots[i].m != NULL;
		}
	}
}

static void errors_sum(struct results *r)
{
	unsigned w, i;

	for (w = 0; w < wf_app.n_workers; w++) {
		const struct wf_counters *c = &wf_app.lc[w]->c;

		for (i = 0; i < WF_DROP_COUNT; i++)
			r->drop[i] += rd(&c->drop[i]);
		for (i = 0; i < WF_SRTP_E_COUNT; i++)
			r->srtp_err[i] += rd(&c->srtp_err[i]);
		for (i = 0; i < WF_RTP_ERR_COUNT; i++)
			r->rtp_err[i] += rd(&c->rtp_err[i]);
	}
}

static uint64_t drops_total(const struct results *r)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < WF_DROP_COUNT; i++)
		n += r->drop[i];
	return n;
}

/* ---- output -------------------------------------------------------------- */

/* The headline figures.  Rates "per CPU second" divide by the CPU time
 * the thread really got (schedstat; CLOCK_THREAD_CPUTIME_ID for the main
 * lcore): on a machine shared with other processes the wall-clock rates
 * measure the sharing, these measure the code.  Both equal on a dedicated
 * core, where a polling worker is on its CPU all the time. */
struct figures {
	double egress_pps, egress_gbps, ingest_pps, per_lcore_pps;
	double cpu_share;		/* worker CPU time / wall time */
	double per_cpu_s;		/* egress packets per worker CPU second */
	double ceiling, ceiling_min, ceiling_max;	/* wall: median, extremes */
	double ceiling_cpu;		/* per CPU second: median */
	double floor_cpu;		/* --floor: the copy floor's, median; else 0 */
	double ratio, ratio_wall;
	unsigned frame_bytes;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of the CHUNKS + 1 slices (an even count: the middle two's mean);
 * the extremes when min/max are not NULL. */
static double slices_median(const double *v, double *min, double *max)
{
	double sorted[CHUNKS + 1];

	memcpy(sorted, v, sizeof(sorted));
	qsort(sorted, CHUNKS + 1, sizeof(sorted[0]), cmp_double);
	if (min)
		*min = sorted[0];
	if (max)
		*max = sorted[CHUNKS];
	return (sorted[CHUNKS / 2] + sorted[(CHUNKS + 1) / 2]) / 2;
}

static void figures_of(const struct fanout_opts *o, const struct results *r, struct figures *f)
{
	uint64_t pkts = SNAP_SUM(&r->d, egress_pkts);
	uint64_t bytes = SNAP_SUM(&r->d, egress_bytes);
	uint64_t in = SNAP_SUM(&r->d, ingest_pkts);
	uint64_t run_ns = SNAP_SUM(&r->d, run_ns);

	f->egress_pps = (double)pkts / r->dt;
	f->egress_gbps = (double)bytes * 8 / r->dt / 1e9;
	f->ingest_pps = (double)in / r->dt;
	f->per_lcore_pps = f->egress_pps / o->workers;
	f->cpu_share = (double)run_ns / 1e9 / (r->dt * o->workers);
	f->per_cpu_s = run_ns ? (double)pkts * 1e9 / (double)run_ns : f->per_lcore_pps;
	f->ceiling = slices_median(r->ceiling, &f->ceiling_min, &f->ceiling_max);
	f->ceiling_cpu = slices_median(r->ceiling_cpu, NULL, NULL);
	f->floor_cpu = o->floor ? slices_median(r->floor_cpu, NULL, NULL) : 0;
	f->ratio_wall = f->ceiling > 0 ? f->per_lcore_pps / f->ceiling : 0;
	f->ratio = f->ceiling_cpu > 0 ? f->per_cpu_s / f->ceiling_cpu : 0;
	f->frame_bytes = WF_L2L3L4_LEN + o->size + wf_srtp_suite(o->profile)->rtp_tag_len;
}

static bool run_ok(const struct fanout_opts *o, const struct results *r, const struct figures *f)
{
	return drops_total(r) == 0 && r->viewers_live == (uint64_t)o->viewers * o->streams &&
	       f->egress_pps > 0;
}

/* The figures of a latency phase, in microseconds. */
struct lat_figures {
	uint64_t packets;
	double p50, p99, p999, max, mean;
};

static double cycles_us(uint64_t c)
{
	return (double)c * 1e6 / (double)wf_app.tsc_hz;
}

static void lat_figures_of(const struct wf_lat_hist *h, struct lat_figures *f)
{
	f->packets = wf_lat_total(h);
	f->p50 = cycles_us(wf_lat_quantile(h, 0.5));
	f->p99 = cycles_us(wf_lat_quantile(h, 0.99));
	f->p999 = cycles_us(wf_lat_quantile(h, 0.999));
	f->max = cycles_us(wf_lat_quantile(h, 1.0));
	f->mean = f->packets ? cycles_us(h->sum) / (double)f->packets : 0;
}

/* Each stream's viewers' packets over the whole run: least, most, mean. */
static void stream_egress_spread(const struct fanout_opts *o, const struct results *r,
				 uint64_t *min, uint64_t *max, double *mean)
{
	uint64_t sum = 0;
	unsigned s;

	*min = UINT64_MAX;
	*max = 0;
	for (s = 0; s < o->streams; s++) {
		*min = RTE_MIN(*min, r->stream_egress[s]);
		*max = RTE_MAX(*max, r->stream_egress[s]);
		sum += r->stream_egress[s];
	}
	*mean = (double)sum / o->streams;
}

static void print_json_lat(const char *name, const struct lat_phase *p, bool last)
{
	struct lat_figures f;

	lat_figures_of(&p->h, &f);
	printf("\"%s\":{\"load_pct\":%.0f,\"ingest_pps\":%.0f,\"egress_pps\":%.0f,"
	       "\"packets\":%" PRIu64 ",\"p50\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f,"
	       "\"mean\":%.1f}%s", name, p->load_pct, p->ingest_pps, p->egress_pps, f.packets,
	       f.p50, f.p99, f.p999, f.max, f.mean, last ? "" : ",");
}

/* The streams' part and the latency (microseconds, per packet copy). */
static void print_json_streams(const struct fanout_opts *o, const struct results *r)
{
	uint64_t min, max;
	double mean;

	stream_egress_spread(o, r, &min, &max, &mean);
	printf("\"memory\":\"%s\",\"streams\":%u,\"viewers_total\":%u,\"stream_kbps\":%g,"
	       "\"stream_egress_pkts\":{\"min\":%" PRIu64 ",\"max\":%" PRIu64 ",\"mean\":%.0f},"
	       "\"latency_us\":{", o->huge ? "hugepages" : "no-huge", o->streams,
	       o->viewers * o->streams, o->stream_kbps, min, max,
	       mean);
	print_json_lat("measured", &r->lat_max, !o->load);
	if (o->load)
		print_json_lat("at_load", &r->lat_load, true);
	printf("},");
}

static void print_json(const struct fanout_opts *o, const struct results *r)
{
	struct figures f;
	unsigned w, i;
	bool first = true;

	figures_of(o, r, &f);
	printf("{\"bench\":\"fanout\",\"cpu\":\"%s\",\"viewers\":%u,\"profile\":\"%s\","
	       "\"arch\":\"%s\",\"size\":%u,\"frame_bytes\":%u,\"seconds\":%g,\"warmup\":%g,"
	       "\"worker_lcores\":%u,\"oversubscribed\":%s,",
	       r->cpu, o->viewers, wf_srtp_suite(o->profile)->name, wf_srtp_arch_name(r->arch),
	       o->size, f.frame_bytes, o->seconds, o->warmup, o->workers,
	       r->oversubscribed ? "true" : "false");
	print_json_streams(o, r);
	printf("\"ingest_pps\":%.0f,\"egress_pps\":%.0f,\"egress_gbps\":%.3f,"
	       "\"egress_pps_per_lcore\":%.0f,\"worker_cpu_share\":%.3f,"
	       "\"egress_pps_per_cpu_s\":%.0f,\"crypto_ceiling_pps\":%.0f,"
	       "\"crypto_ceiling_pps_min\":%.0f,\"crypto_ceiling_pps_max\":%.0f,"
	       "\"crypto_ceiling_per_cpu_s\":%.0f,\"crypto_ceiling_slices\":%d,"
	       "\"crypto_ceiling_cpu\":%u,\"ratio\":%.3f,\"ratio_wall\":%.3f,",
	       f.ingest_pps, f.egress_pps, f.egress_gbps, f.per_lcore_pps, f.cpu_share,
	       f.per_cpu_s, f.ceiling, f.ceiling_min, f.ceiling_max, f.ceiling_cpu, CHUNKS + 1,
	       r->lcore_cpu[wf_app.worker_lcore[0]], f.ratio, f.ratio_wall);
	if (o->floor && f.floor_cpu > 0 && f.ceiling_cpu > 0)
		printf("\"copy_floor_per_cpu_s\":%.0f,\"floor_to_ceiling\":%.3f,"
		       "\"ratio_to_floor\":%.3f,", f.floor_cpu, f.floor_cpu / f.ceiling_cpu,
		       f.per_cpu_s / f.floor_cpu);
	printf("\"bytes_per_viewer\":%" PRIu64 ",\"bytes_per_viewer_parts\":{\"viewer\":%zu,"
	       "\"registry\":%zu,\"peer_table\":%.1f,\"peer_table_at_this_size\":%.1f},",
	       bytes_per_viewer(r), r->viewer_bytes, r->registry_bytes, r->peer_bytes_per_slot,
	       r->peer_bytes_this_size);
	printf("\"history_bytes\":%" PRIu64 ",\"history_packets\":%" PRIu64 ","
	       "\"mbufs_in_use\":%" PRIu64 ",\"history_bytes_end\":%" PRIu64 ","
	       "\"history_packets_end\":%" PRIu64 ",\"viewers_live\":%" PRIu64 ",",
	       r->history_bytes, r->history_pkts, r->mbufs_in_use, r->history_bytes_end,
	       r->history_pkts_end, r->viewers_live);
	printf("\"null_tx_pps\":%.0f,\"per_lcore\":[",
	       (double)r->d.null_opackets / r->dt);
	for (w = 0; w < wf_app.n_workers; w++) {
		uint64_t pk = r->d.w[w].egress_pkts, cyc = r->d.w[w].busy_cycles;

		printf("%s{\"lcore\":%u,\"cpu\":%u,\"viewers\":%u,\"egress_pps\":%.0f,"
		       "\"busy_pct\":%.1f,\"tsc_per_pkt\":%.0f}",
		       w ? "," : "", wf_app.worker_lcore[w], r->lcore_cpu[wf_app.worker_lcore[w]],
		       r->worker_viewers[w], (double)pk / r->dt,
		       100.0 * (double)cyc / (r->dt * (double)wf_app.tsc_hz),
		       pk ? (double)cyc / (double)pk : 0.0);
	}
	printf("],\"drops\":{");
	for (i = 0; i < WF_DROP_COUNT; i++) {
		if (!r->drop[i])
			continue;
		printf("%s\"%s\":%" PRIu64, first ? "" : ",", wf_drop_name(i), r->drop[i]);
		first = false;
	}
	printf("},\"srtp_errors\":{");
	first = true;
	for (i = 1; i < WF_SRTP_E_COUNT; i++) {
		if (!r->srtp_err[i])
			continue;
		printf("%s\"%s\":%" PRIu64, first ? "" : ",", wf_srtp_strerror(-(int)i), r->srtp_err[i]);
		first = false;
	}
	printf("},\"rtp_errors\":{");
	first = true;
	for (i = 1; i < WF_RTP_ERR_COUNT; i++) {
		if (!r->rtp_err[i])
			continue;
		printf("%s\"%s\":%" PRIu64, first ? "" : ",", wf_rtp_err_name((int)i), r->rtp_err[i]);
		first = false;
	}
	printf("},\"ok\":%s}\n", run_ok(o, r, &f) ? "true" : "false");
}

static void print_summary_lat(const char *name, const struct lat_phase *p)
{
	struct lat_figures f;

	lat_figures_of(&p->h, &f);
	printf("  %-17s p50 %.1f us, p99 %.1f, p99.9 %.1f, max %.1f (%" PRIu64 " copies; %.0f %% "
	       "load, %.0f pkt/s in)\n", name, f.p50, f.p99, f.p999, f.max, f.packets, p->load_pct,
	       p->ingest_pps);
}

static void print_summary(const struct fanout_opts *o, const struct results *r)
{
	struct figures f;
	unsigned w, i;

	figures_of(o, r, &f);
	printf("fan-out: %u stream%s -> %u viewers each, %s (ipsec-mb %s), %u-byte RTP "
	       "(%u-byte frames)\n"
	       "cpu: %s; %u worker lcore%s%s; %g s measured after %g s warm-up\n\n",
	       o->streams, o->streams > 1 ? "s" : "", o->viewers, wf_srtp_suite(o->profile)->name, wf_srtp_arch_name(r->arch), o->size,
	       f.frame_bytes, r->cpu, o->workers, o->workers > 1 ? "s" : "",
	       r->oversubscribed ? " (more lcores than CPUs)" : "", o->seconds, o->warmup);
	printf("  ingest            %12.0f pkt/s\n", f.ingest_pps);
	printf("  egress            %12.0f pkt/s  %.3f Gbit/s\n", f.egress_pps, f.egress_gbps);
	printf("  per worker lcore  %12.0f pkt/s  (on its CPU %.0f %% of the time)\n",
	       f.per_lcore_pps, 100 * f.cpu_share);
	printf("  crypto ceiling    %12.0f pkt/s  (median of %d slices, %.0f..%.0f, on CPU %u)\n",
	       f.ceiling, CHUNKS + 1, f.ceiling_min, f.ceiling_max,
	       r->lcore_cpu[wf_app.worker_lcore[0]]);
	printf("  per CPU second    %12.0f pkt    fan-out, %.0f crypto alone\n", f.per_cpu_s,
	       f.ceiling_cpu);
	printf("  ratio             %12.3f        (per CPU second; wall clock %.3f; target >= 0.7)\n",
	       f.ratio, f.ratio_wall);
	if (o->floor && f.floor_cpu > 0 && f.ceiling_cpu > 0)
		printf("  copy floor        %12.0f pkt    per CPU second: %.3f of the ceiling; the "
		       "fan-out %.3f of it\n", f.floor_cpu, f.floor_cpu / f.ceiling_cpu,
		       f.per_cpu_s / f.floor_cpu);
	for (w = 0; w < wf_app.n_workers; w++) {
		uint64_t pk = r->d.w[w].egress_pkts, cyc = r->d.w[w].busy_cycles;

		printf("  worker %u (lcore %u): %u viewers, %.0f pkt/s, busy %.1f %%, %.0f TSC/pkt\n",
		       w, wf_app.worker_lcore[w], r->worker_viewers[w], (double)pk / r->dt,
		       100.0 * (double)cyc / (r->dt * (double)wf_app.tsc_hz),
		       pk ? (double)cyc / (double)pk : 0.0);
	}
	printf("\n  bytes per viewer  %12" PRIu64 "        (viewer, member cell and key %zu + registry %zu"
	       " + peer table %.1f;"
	       " target <= 4096)\n", bytes_per_viewer(r), r->viewer_bytes, r->registry_bytes,
	       r->peer_bytes_per_slot);
	printf("  history           %12" PRIu64 " bytes  in %" PRIu64 " packets after the %d-packet"
	       " probe; mbufs in use %" PRIu64 "\n", r->history_bytes, r->history_pkts, PROBE_PKTS,
	       r->mbufs_in_use);
	printf("  history at end    %12" PRIu64 " bytes  in %" PRIu64 " packets (rate-dependent)\n",
	       r->history_bytes_end, r->history_pkts_end);
	printf("  viewers live      %12" PRIu64 " of %u\n", r->viewers_live, o->viewers * o->streams);
	print_summary_lat("latency measured", &r->lat_max);
	if (o->load)
		print_summary_lat("latency at load", &r->lat_load);
	for (i = 0; i < WF_DROP_COUNT; i++)
		if (r->drop[i])
			printf("  DROP %-16s %" PRIu64 " (%s)\n", wf_drop_name(i), r->drop[i],
			       wf_drop_text(i));
	printf("\n%s\n", run_ok(o, r, &f) ? "ok" : "NOT OK: drops, viewers not live or no egress");
}

/* ---- the run ------------------------------------------------------------- */

/* All workers' latency histograms added up (read while they run). */
static void lat_take(struct wf_lat_hist *sum)
{
	static struct wf_lat_hist h;
	unsigned w;

	memset(sum, 0, sizeof(*sum));
	for (w = 0; w < wf_app.n_workers; w++) {
		wf_lat_read(&h, &wf_app.lc[w]->lat, NULL);
		wf_lat_merge(sum, &h);
	}
}

/* acc += what the histograms gained from a to b. */
static void lat_gain(struct wf_lat_hist *acc, const struct wf_lat_hist *a,
		     const struct wf_lat_hist *b)
{
	static struct wf_lat_hist d;

	wf_lat_read(&d, b, a);
	wf_lat_merge(acc, &d);
}

/* Feeds the chunks until end: the ring kept full, or each stream paced at
 * --stream-kbps. */
static void source_feed(const struct fanout_opts *o, struct source *src, uint64_t end)
{
	if (o->stream_kbps > 0)
		source_rate(src, o->stream_kbps * 1000 / 8 / o->size * o->streams, end);
	else
		source_run(src, end);
}

/* A slice of the ceiling (and with --floor of the copy floor), run on a
 * worker's lcore. */
struct slice {
	struct ceiling *c;
	const struct fanout_opts *o;
	double seconds;
	double ceiling, ceiling_cpu, floor_cpu;	/* as ceiling_run(), floor_run() */
};

static int slice_main(void *arg)
{
	struct slice *s = arg;

	s->ceiling = ceiling_run(s->c, s->seconds, &s->ceiling_cpu);
	if (s->ceiling >= 0 && s->o->floor && floor_run(s->c, s->o, s->seconds, &s->floor_cpu) < 0)
		s->floor_cpu = -1;
	return 0;
}

/* Runs slice s on the first worker's lcore, the CPU whose fan-out the
 * chunks measure (on the main lcore's CPU it measured 4-7 % apart on one
 * machine, both ways: docs/performance.md): the workers stop (the ring is
 * drained: they are idle), the slice runs, they start again.  0 or the
 * launch's -errno. */
static int slice_on_worker(struct slice *s)
{
	unsigned lcore = wf_app.worker_lcore[0];
	int rc, start;

	wf_workers_stop();
	rc = rte_eal_remote_launch(slice_main, s, lcore);
	if (!rc)
		rte_eal_wait_lcore(lcore);
	start = wf_workers_start();
	return rc ? rc : start;
}

/* The measured chunks with the crypto ceiling's slices between them. */
static int measure_chunks(const struct fanout_opts *o, struct results *r, struct source *src,
			  struct ceiling *c)
{
	static struct wf_lat_hist la, lb;
	double slice_s = o->seconds / (2 * (CHUNKS + 1));
	unsigned w, k;
	int rc = 0;

	for (k = 0; k <= CHUNKS && !rc; k++) {
		struct slice s = { .c = c, .o = o, .seconds = slice_s };
		struct snap a, b;

		rc = slice_on_worker(&s);
		if (rc) {
			fprintf(stderr, "whepfan-bench fanout: restarting the workers: %s\n",
				strerror(-rc));
			return rc;
		}
		r->ceiling[k] = s.ceiling;
		r->ceiling_cpu[k] = s.ceiling_cpu;
		r->floor_cpu[k] = s.floor_cpu;
		if (r->ceiling[k] < 0) {
			fprintf(stderr, "whepfan-bench fanout: wf_srtp_protect_burst failed a job\n");
			return -EIO;
		}
		if (o->floor && r->floor_cpu[k] < 0) {
			fprintf(stderr, "whepfan-bench fanout: the copy floor lacked mbufs or failed "
				"a job\n");
			return -EIO;
		}
		if (k == CHUNKS)
			break;
		/* the first chunk after the warm-up, the others after a short
		 * refill of the ring */
		source_feed(o, src, rte_rdtsc() + (uint64_t)((k ? 0.05 : o->warmup) *
							     (double)wf_app.tsc_hz));
		lat_take(&la);
		snap_take(&a, r->worker_tid);
		source_feed(o, src, a.tsc + (uint64_t)(o->seconds / CHUNKS * (double)wf_app.tsc_hz));
		snap_take(&b, r->worker_tid);
		lat_take(&lb);
		snap_add(&r->d, &a, &b);
		lat_gain(&r->lat_max.h, &la, &lb);
		if (k == CHUNKS - 1) {
			r->viewers_live = viewers_live(r->stream_egress);
			for (w = 0; w < wf_app.n_workers; w++)
				r->worker_viewers[w] = wf_app.lc[w]->n_viewers;
		}
		rc = source_drain(src);
		if (rc)
			fprintf(stderr, "whepfan-bench fanout: the workers did not drain the ring\n");
	}
	r->dt = (double)r->d.tsc / (double)wf_app.tsc_hz;
	r->lat_max.ingest_pps = (double)SNAP_SUM(&r->d, ingest_pkts) / r->dt;
	r->lat_max.egress_pps = (double)SNAP_SUM(&r->d, egress_pkts) / r->dt;
	r->lat_max.load_pct = 100;
	return rc;
}

/* --load: the sources paced at o->load % of the ingest rate the chunks
 * reached, for LOAD_S seconds after a short settling. */
static int measure_load(const struct fanout_opts *o, struct results *r, struct source *src)
{
	static struct wf_lat_hist la, lb;
	double pps = r->lat_max.ingest_pps * o->load / 100;
	struct snap a, b, d = { 0 };
	double dt;

	source_rate(src, pps, rte_rdtsc() + wf_app.tsc_hz / 5);
	lat_take(&la);
	snap_take(&a, NULL);
	source_rate(src, pps, a.tsc + LOAD_S * wf_app.tsc_hz);
	snap_take(&b, NULL);
	lat_take(&lb);
	snap_add(&d, &a, &b);
	lat_gain(&r->lat_load.h, &la, &lb);
	dt = (double)d.tsc / (double)wf_app.tsc_hz;
	r->lat_load.ingest_pps = (double)SNAP_SUM(&d, ingest_pkts) / dt;
	r->lat_load.egress_pps = (double)SNAP_SUM(&d, egress_pkts) / dt;
	r->lat_load.load_pct = o->load;
	if (source_drain(src)) {
		fprintf(stderr, "whepfan-bench fanout: the workers did not drain the ring\n");
		return -ETIMEDOUT;
	}
	return 0;
}

/* Everything between wf_setup() and wf_teardown().  Returns 0 or -errno
 * after printing why. */
static int bench_run(const struct fanout_opts *o, struct results *r, struct viewer_ref *refs)
{
	struct source src;
	struct ceiling c;
	unsigned w;
	int rc;

	for (w = 0; w < wf_app.n_workers; w++) {
		r->slots_total += wf_app.lc[w]->n_slots;
		r->worker_tid[w] = lcore_tid(wf_app.worker_lcore[w]);
	}
	rc = source_init(&src, o);
	if (rc) {
		fprintf(stderr, "whepfan-bench fanout: no ingest ring %s: %s\n", IN_RING, strerror(-rc));
		return rc;
	}
	rc = ceiling_init(&c, o);
	if (rc) {
		fprintf(stderr, "whepfan-bench fanout: crypto ceiling set-up: %s\n", strerror(-rc));
		ceiling_free(&c);
		return rc;
	}
	r->arch = wf_srtp_engine_arch(c.e, o->profile);
	memory_per_viewer(r);
	rc = viewers_add(o, refs);
	if (rc)
		goto out;

	/* the history probe: the same packets at the same rate for any N */
	source_paced(&src, PROBE_PKTS, PROBE_PPS);
	rc = source_drain(&src);
	if (rc) {
		fprintf(stderr, "whepfan-bench fanout: the workers did not take the probe\n");
		goto out;
	}
	history_read(&r->history_bytes, &r->history_pkts);
	r->mbufs_in_use = rte_mempool_in_use_count(wf_app.rx_pool);

	rc = measure_chunks(o, r, &src, &c);
	if (!rc && o->load > 0)
		rc = measure_load(o, r, &src);
	history_read(&r->history_bytes_end, &r->history_pkts_end);
out:
	ceiling_free(&c);
	viewers_remove(refs, o->viewers * o->streams);
	errors_sum(r);
	return rc;
}

/* EAL leaves its (empty, with --no-shconf) runtime directory behind:
 * remove ours so repeated runs do not pile them up. */
static void runtime_dir_remove(void)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	char dir[300];

	if (geteuid() == 0 || !base)
		base = geteuid() == 0 ? "/var/run" : "/tmp";
	snprintf(dir, sizeof(dir), "%s/dpdk/wfbench%d", base, (int)getpid());
	rmdir(dir);
}

int wf_bench_fanout_main(int argc, char **argv)
{
	struct fanout_opts o;
	struct results *r;
	struct viewer_ref *refs;
	struct wf_config *cfg;
	bool ok;
	int rc = parse_opts(argc, argv, &o);

	if (rc)
		return rc;
	if (geteuid() != 0)
		fprintf(stderr, "whepfan-bench fanout: not root: DPDK may fail to start\n");
	r = calloc(1, sizeof(*r));
	refs = calloc((size_t)o.viewers * o.streams, sizeof(*refs));
	cfg = config_make(&o);
	if (!r || !refs || !cfg) {
		fprintf(stderr, "whepfan-bench fanout: out of memory\n");
		rc = 1;
		goto free;
	}
	wf_bench_cpu_model(r->cpu, sizeof(r->cpu));
	rc = eal_start(&o, r);
	if (rc) {
		fprintf(stderr, "whepfan-bench fanout: EAL init failed: %s\n", rte_strerror(-rc));
		rc = 1;
		goto free;
	}
	rc = wf_setup(cfg);
	if (rc)
		fprintf(stderr, "whepfan-bench fanout: wf_setup: %s\n", strerror(-rc));
	else
		rc = bench_run(&o, r, refs);
	wf_teardown();
	if (!rc) {
		struct figures f;

		figures_of(&o, r, &f);
		ok = run_ok(&o, r, &f);
		if (o.json)
			print_json(&o, r);
		else
			print_summary(&o, r);
		rc = ok ? 0 : 1;
	} else {
		rc = 1;
	}
	rte_eal_cleanup();
	runtime_dir_remove();
free:
	wf_config_free(cfg);
	free(refs);
	free(r);
	return rc;
}
