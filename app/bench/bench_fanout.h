/* bench_fanout.h: the `whepfan-bench fanout` subcommand.
 *
 * Runs the real appliance (wf_setup(): ports, workers, registry, streams)
 * on virtual devices: one stream ingested through a net_ring port whose rx
 * ring the benchmark keeps filled with RTP frames, N viewers with their own
 * SRTP keys behind a net_null port (its tx frees and counts).  Measures the
 * egress packets/s per worker lcore next to the crypto-only ceiling of
 * lib/srtp on the same machine in the same run, the memory one viewer
 * costs, and the bytes the stream's shared history holds.
 */
#ifndef WF_BENCH_FANOUT_H
#define WF_BENCH_FANOUT_H

#include <stdio.h>

/* Runs the benchmark; argv[0] is "fanout".  Prints one JSON object
 * (--json) or a summary on stdout; DPDK's and the app's logs go to
 * stderr.  Returns the exit status: 0, 1 (start-up failed or packets were
 * dropped), 2 (usage error). */
int wf_bench_fanout_main(int argc, char **argv);

/* Prints the subcommand's options. */
void wf_bench_fanout_usage(FILE *out);

#endif
