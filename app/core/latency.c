/* latency.c: reading latency histograms (latency.h). */
#include "core/latency.h"

#include <string.h>

uint64_t wf_lat_bucket_high(unsigned b)
{
	unsigned e, sub;

	if (b < WF_LAT_EXACT)
		return b;
	if (b >= WF_LAT_BUCKETS - 1)
		return UINT64_MAX;
	e = (b - WF_LAT_EXACT) / WF_LAT_STEPS + 4;
	sub = (b - WF_LAT_EXACT) % WF_LAT_STEPS;
	return ((uint64_t)(WF_LAT_STEPS + sub + 1) << (e - 3)) - 1;
}

static uint64_t rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void wf_lat_read(struct wf_lat_hist *out, const struct wf_lat_hist *h,
		 const struct wf_lat_hist *base)
{
	unsigned b;

	for (b = 0; b < WF_LAT_BUCKETS; b++)
		out->n[b] = rd(&h->n[b]) - (base ? base->n[b] : 0);
	out->sum = rd(&h->sum) - (base ? base->sum : 0);
	/* the maximum of an interval is not kept: the whole run's is given */
	out->max = rd(&h->max);
}

void wf_lat_merge(struct wf_lat_hist *out, const struct wf_lat_hist *h)
{
	unsigned b;

	for (b = 0; b < WF_LAT_BUCKETS; b++)
		out->n[b] += h->n[b];
	out->sum += h->sum;
	if (h->max > out->max)
		out->max = h->max;
}

uint64_t wf_lat_total(const struct wf_lat_hist *h)
{
	uint64_t n = 0;
	unsigned b;

	for (b = 0; b < WF_LAT_BUCKETS; b++)
		n += h->n[b];
	return n;
}

uint64_t wf_lat_quantile(const struct wf_lat_hist *h, double q)
{
	uint64_t total = wf_lat_total(h), want, seen = 0;
	unsigned b;

	if (!total)
		return 0;
	want = (uint64_t)(q * (double)total + 0.999999);
	if (want < 1)
		want = 1;
	if (want > total)
		want = total;
	for (b = 0; b < WF_LAT_BUCKETS; b++) {
		seen += h->n[b];
		if (seen >= want) {
			uint64_t hi = wf_lat_bucket_high(b);

			return h->max && hi > h->max ? h->max : hi;
		}
	}
	return h->max;
}

uint64_t wf_lat_at_most(const struct wf_lat_hist *h, uint64_t cycles)
{
	uint64_t n = 0;
	unsigned b;

	for (b = 0; b < WF_LAT_BUCKETS && wf_lat_bucket_high(b) <= cycles; b++)
		n += h->n[b];
	return n;
}
