/* bench_main.c: whepfan-bench, the benchmark tool.  Dispatches to one
 * subcommand per table row; a new benchmark is a new row and its own file.
 *
 *   whepfan-bench --help
 *   whepfan-bench srtp --json [--size 1200] ...
 *   whepfan-bench fanout --json [--viewers 1000] ...
 *
 * Exit status: 0 success, 1 the benchmark failed, 2 usage error.
 */
#include <stdio.h>
#include <string.h>

#include "bench/bench_fanout.h"
#include "bench/bench_srtp.h"

struct wf_bench_cmd {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);	/* argv[0] is the subcommand */
	void (*usage)(FILE *out);
};

static const struct wf_bench_cmd wf_bench_cmds[] = {
	{ "srtp", "SRTP fan-out protect (or ingest unprotect): whepfan vs libsrtp2 vs OpenSSL per packet",
	  wf_bench_srtp_main, wf_bench_srtp_usage },
	{ "fanout", "the real fast path on net_ring/net_null: egress per lcore vs crypto ceiling",
	  wf_bench_fanout_main, wf_bench_fanout_usage },
};

#define WF_BENCH_NCMDS (sizeof(wf_bench_cmds) / sizeof(wf_bench_cmds[0]))

static void wf_bench_help(FILE *out)
{
	fprintf(out, "usage: whepfan-bench <subcommand> [options]\n"
		     "       whepfan-bench <subcommand> --help\n\nsubcommands:\n");
	for (size_t i = 0; i < WF_BENCH_NCMDS; i++)
		fprintf(out, "  %-8s %s\n", wf_bench_cmds[i].name, wf_bench_cmds[i].summary);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "whepfan-bench: missing subcommand (try --help)\n");
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		wf_bench_help(stdout);
		return 0;
	}
	for (size_t i = 0; i < WF_BENCH_NCMDS; i++) {
		const struct wf_bench_cmd *c = &wf_bench_cmds[i];

		if (strcmp(argv[1], c->name) != 0) continue;
		for (int a = 2; a < argc; a++) {
			if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
				c->usage(stdout);
				return 0;
			}
		}
		return c->main(argc - 1, argv + 1);
	}
	fprintf(stderr, "whepfan-bench: unknown subcommand '%s' (try --help)\n", argv[1]);
	return 2;
}
