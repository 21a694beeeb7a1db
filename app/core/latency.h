/* latency.h: a worker's ingest-to-wire latency, as a histogram of TSC
 * cycles from a packet's arrival (the RX burst that brought it, or the
 * source packet a copy was made of) to the TX burst that hands it to the
 * NIC.
 *
 * Buckets are logarithmic with eight steps per power of two (values below
 * 16 cycles exact), so a quantile read from them is within 12.5 % of the
 * true one: 496 buckets cover every uint64_t.  Only the worker writes its
 * histogram; readers (telemetry, /metrics, the benchmark) read each 64-bit
 * count whole and may see one packet counted in a bucket and not yet in
 * sum.
 */
#ifndef WF_LATENCY_H
#define WF_LATENCY_H

#include <stdint.h>

#define WF_LAT_EXACT	16			/* values below: a bucket each */
#define WF_LAT_STEPS	8			/* buckets per power of two above */
#define WF_LAT_BUCKETS	(WF_LAT_EXACT + (64 - 4) * WF_LAT_STEPS)

struct wf_lat_hist {
	uint64_t n[WF_LAT_BUCKETS];	/* their total is the packets counted */
	uint64_t sum;		/* cycles */
	uint64_t max;		/* cycles */
};

static inline unsigned wf_lat_bucket(uint64_t cycles)
{
	unsigned e;

	if (cycles < WF_LAT_EXACT)
		return (unsigned)cycles;
	e = 63u - (unsigned)__builtin_clzll(cycles);	/* >= 4 */
	return WF_LAT_EXACT + (e - 4) * WF_LAT_STEPS + (unsigned)((cycles >> (e - 3)) & 7);
}

static inline void wf_lat_add(struct wf_lat_hist *h, uint64_t cycles)
{
	h->n[wf_lat_bucket(cycles)]++;
	h->sum += cycles;
	if (cycles > h->max)
		h->max = cycles;
}

/* The largest value bucket b holds (cycles). */
uint64_t wf_lat_bucket_high(unsigned b);

/* *out = a copy of *h read field by field (relaxed: another lcore may be
 * writing it), or, with base, what was added since base was copied. */
void wf_lat_read(struct wf_lat_hist *out, const struct wf_lat_hist *h,
		 const struct wf_lat_hist *base);

/* The packets h counts (all its buckets). */
uint64_t wf_lat_total(const struct wf_lat_hist *h);

/* out += h */
void wf_lat_merge(struct wf_lat_hist *out, const struct wf_lat_hist *h);

/* The q-quantile (0 < q <= 1) in cycles: the high end of the bucket that
 * holds it (never below the truth, at most 12.5 % above it), capped at
 * max; 0 for an empty histogram. */
uint64_t wf_lat_quantile(const struct wf_lat_hist *h, double q);

/* Packets at or below `cycles` (whole buckets only: a bucket that straddles
 * the bound is left out, as for a Prometheus bucket "le"). */
uint64_t wf_lat_at_most(const struct wf_lat_hist *h, uint64_t cycles);

#endif
