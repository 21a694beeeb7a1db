/* bench_util.h: small helpers shared by the benchmark subcommands: clocks,
 * strict number parsing, aligned buffers, random bytes, the CPU's name.
 * Nothing here is on a timed path except the two clock reads.
 */
#ifndef WF_BENCH_UTIL_H
#define WF_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

/* CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t wf_bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Time-stamp counter ticks (constant rate on every x86 CPU this runs on:
 * "TSC cycles", not core cycles when turbo or a hypervisor changes the
 * clock); 0 where there is no TSC. */
static inline uint64_t wf_bench_tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __rdtsc();
#else
	return 0;
#endif
}

/* Parses a whole decimal string into [min, max].  Returns 0 or -EINVAL
 * (empty, trailing characters, sign, out of range). */
int wf_bench_parse_ulong(const char *s, unsigned long min, unsigned long max,
			 unsigned long *out);

/* Allocates size bytes aligned to 64, zeroed.  NULL with errno on failure;
 * free() releases it. */
void *wf_bench_alloc(size_t size);

/* Fills buf with n random bytes (OpenSSL's DRBG).  Returns 0 or -EIO. */
int wf_bench_random(void *buf, size_t n);

/* Writes the CPU's "model name" from /proc/cpuinfo (or "unknown") into
 * buf, NUL-terminated, with characters JSON would need escaped replaced. */
void wf_bench_cpu_model(char *buf, size_t cap);

#endif
