/* test_latency.c: the ingest-to-wire histogram (app/core/latency.h):
 * buckets, quantiles within their 12.5 % and the reads telemetry, /metrics
 * and the benchmark make. */
#include "wf_test.h"

#include <string.h>

#include "core/latency.h"

static struct wf_lat_hist h, base, d;

static void every_value_lands_in_a_bucket_that_holds_it(void)
{
	static const uint64_t v[] = { 0, 1, 15, 16, 17, 18, 31, 32, 33, 1000, 4095, 4096,
				      123456789, 1ull << 40, (1ull << 63) - 1, 1ull << 63,
				      UINT64_MAX };
	unsigned i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unsigned b = wf_lat_bucket(v[i]);

		WF_CHECKF(b < WF_LAT_BUCKETS, "%llu: bucket %u", (unsigned long long)v[i], b);
		WF_CHECKF(wf_lat_bucket_high(b) >= v[i], "%llu: high %llu", (unsigned long long)v[i],
			  (unsigned long long)wf_lat_bucket_high(b));
		WF_CHECKF(b == 0 || wf_lat_bucket_high(b - 1) < v[i], "%llu: below bucket %u",
			  (unsigned long long)v[i], b);
	}
	WF_CHECK_EQ(wf_lat_bucket(UINT64_MAX), WF_LAT_BUCKETS - 1);
}

/* The high end of each bucket is at most 12.5 % above its low end (values
 * of 16 and up), so a quantile read from it is no further off. */
static void buckets_are_at_most_an_eighth_wide(void)
{
	unsigned b;

	for (b = WF_LAT_EXACT + 1; b < WF_LAT_BUCKETS - 1; b++) {
		uint64_t lo = wf_lat_bucket_high(b - 1) + 1, hi = wf_lat_bucket_high(b);

		WF_CHECKF(hi > lo && (double)(hi - lo + 1) <= (double)lo / 8 + 1e-9,
			  "bucket %u: %llu..%llu", b, (unsigned long long)lo, (unsigned long long)hi);
	}
}

static void quantiles_are_never_below_the_truth_and_within_an_eighth(void)
{
	uint64_t i, q;

	memset(&h, 0, sizeof(h));
	for (i = 1; i <= 100000; i++)
		wf_lat_add(&h, i * 10);	/* 10 .. 1,000,000 */
	WF_CHECK_EQ(wf_lat_total(&h), 100000);
	WF_CHECK_EQ(h.max, 1000000);
	q = wf_lat_quantile(&h, 0.5);
	WF_CHECKF(q >= 500000 && q <= 500000 * 9 / 8, "p50 %llu", (unsigned long long)q);
	q = wf_lat_quantile(&h, 0.99);
	WF_CHECKF(q >= 990000 && q <= 990000 * 9 / 8, "p99 %llu", (unsigned long long)q);
	/* the top quantile is capped at the largest value seen */
	WF_CHECK_EQ(wf_lat_quantile(&h, 1.0), 1000000);
	memset(&d, 0, sizeof(d));
	WF_CHECK_EQ(wf_lat_quantile(&d, 0.99), 0);
}

/* One slow packet in a thousand shows at p99.9, not at p99. */
static void a_rare_outlier_moves_only_the_high_quantiles(void)
{
	unsigned i;

	memset(&h, 0, sizeof(h));
	for (i = 0; i < 999; i++)
		wf_lat_add(&h, 2000);
	wf_lat_add(&h, 900000);
	WF_CHECK(wf_lat_quantile(&h, 0.99) <= 2000 * 9 / 8);
	WF_CHECK(wf_lat_quantile(&h, 0.9995) >= 900000);
	WF_CHECK_EQ(h.max, 900000);
}

/* What the benchmark and a scrape read: counts since a copy, and the
 * packets at or below a bound (a bucket across the bound left out). */
static void reads_subtract_a_base_and_count_whole_buckets(void)
{
	unsigned i;

	memset(&h, 0, sizeof(h));
	for (i = 0; i < 10; i++)
		wf_lat_add(&h, 100);
	wf_lat_read(&base, &h, NULL);
	for (i = 0; i < 5; i++)
		wf_lat_add(&h, 5000);
	wf_lat_read(&d, &h, &base);
	WF_CHECK_EQ(wf_lat_total(&d), 5);
	WF_CHECK_EQ(d.sum, 25000);
	WF_CHECK_EQ(d.n[wf_lat_bucket(100)], 0);
	WF_CHECK_EQ(d.n[wf_lat_bucket(5000)], 5);
	WF_CHECK_EQ(wf_lat_at_most(&h, UINT64_MAX), 15);
	WF_CHECK_EQ(wf_lat_at_most(&h, 4000), 10);
	/* 5000's bucket reaches above 5000: not wholly at or below it */
	WF_CHECK_EQ(wf_lat_at_most(&h, 5000), 10);
	WF_CHECK_EQ(wf_lat_at_most(&h, wf_lat_bucket_high(wf_lat_bucket(5000))), 15);
	wf_lat_merge(&d, &base);
	WF_CHECK_EQ(wf_lat_total(&d), 15);
	WF_CHECK_EQ(d.n[wf_lat_bucket(100)], 10);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(every_value_lands_in_a_bucket_that_holds_it);
	WF_RUN(buckets_are_at_most_an_eighth_wide);
	WF_RUN(quantiles_are_never_below_the_truth_and_within_an_eighth);
	WF_RUN(a_rare_outlier_moves_only_the_high_quantiles);
	WF_RUN(reads_subtract_a_base_and_count_whole_buckets);
	return wf_test_done();
}
