/* bench_srtp.h: the `whepfan-bench srtp` subcommand.
 *
 * Measures the fan-out case: one plaintext RTP packet protected into one
 * SRTP copy per viewer, each viewer with its own keys, SSRC and sequence,
 * by three engines in the same run: whepfan (wf_srtp_protect_burst),
 * libsrtp2 (srtp_protect per packet, as Janus does) and OpenSSL per packet
 * (pre-keyed contexts: the best a non-batched C server does).  With
 * --direction unprotect, the ingest case: publishers' SRTP packets
 * unprotected in place by whepfan (wf_srtp_unprotect_burst, and
 * wf_srtp_unprotect per packet), libsrtp2 and OpenSSL.
 */
#ifndef WF_BENCH_SRTP_H
#define WF_BENCH_SRTP_H

#include <stdio.h>

/* Runs the benchmark; argv[0] is "srtp".  Prints one JSON object (--json)
 * or a table on stdout, errors on stderr.  Returns the exit status: 0,
 * 1 (an engine failed its check or could not start), 2 (usage error). */
int wf_bench_srtp_main(int argc, char **argv);

/* Prints the subcommand's options. */
void wf_bench_srtp_usage(FILE *out);

#endif
