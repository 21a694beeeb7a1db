/* main.c: whepfan start-up and shutdown.
 *
 *   whepfan [EAL args] -- -c FILE [--check-config]
 *
 * EAL arguments come from the command line, or, when there are none, from
 * the file's dpdk.eal list.  The main lcore runs the slow path; every other
 * lcore is a worker (worker.c).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "core/app.h"
#include "core/log.h"
#include "setup.h"
#include "slow/mbufs.h"
#include "slow/slowpath.h"

static void on_signal(int sig)
{
	/* relaxed: the flags carry no data; atomic because this handler runs
	 * on whichever thread the kernel picked, the slow path reads them */
	if (sig == SIGHUP)
		__atomic_store_n(&wf_app.reload, true, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&wf_app.quit, true, __ATOMIC_RELAXED);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: whepfan [EAL args] -- -c FILE [--check-config]\n"
		   "  -c, --config FILE   the libconfig file (conf/whepfan.conf)\n"
		   "  --check-config      validate the file and exit (2 on errors)\n"
		   "EAL args, when none are given, come from the file's dpdk.eal.\n");
}

static void print_error(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s\n", msg);
}

/* Builds the EAL argv: argv[0], then the command line's EAL args if any,
 * else the configuration's.  Returns argc. */
static int eal_args(int n_cli, char **cli, const struct wf_config *cfg, char **out, int cap)
{
	int n = 0, i;

	out[n++] = cli[0];
	if (n_cli > 1) {
		for (i = 1; i < n_cli && n < cap - 1; i++)
			out[n++] = cli[i];
	} else {
		for (i = 0; i < (int)cfg->dpdk.n_eal && n < cap - 1; i++)
			out[n++] = (char *)cfg->dpdk.eal[i];
	}
	out[n] = NULL;
	return n;
}

struct args {
	const char *path;	/* --config */
	bool check;		/* --check-config */
	int dashdash;		/* argv index of "--", 0 when none */
	int n_eal_cli;		/* EAL's arguments from the command line, argv[0] too */
};

/* Our options, before "--" when there is one (EAL's follow it).  Returns
 * -1 to go on, else the exit status (help, a usage error). */
static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	memset(a, 0, sizeof(*a));
	a->dashdash = argc;
	for (opt = 1; opt < argc; opt++)
		if (!strcmp(argv[opt], "--")) {
			a->dashdash = opt;
			break;
		}
	if (a->dashdash == argc) {
		/* no "--": everything is ours (EAL args come from the file) */
		a->dashdash = 0;
		a->n_eal_cli = 1;
	} else {
		a->n_eal_cli = a->dashdash;
		argv[a->dashdash] = argv[0];
	}
	optind = 1;
	while ((opt = getopt_long(argc - a->dashdash, argv + a->dashdash, "c:h", opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'c':
			a->path = optarg;
			break;
		case 'C':
			a->check = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!a->path) {
		usage(stderr);
		return 2;
	}
	return -1;
}

/* --check-config: the file is valid and its histories fit the pool.
 * The exit status: 0, or 2. */
static int check_config(const struct wf_config *cfg, const char *path)
{
	char why[320];

	if (wf_mbufs_check(cfg, wf_mbufs_eal_workers(cfg), why, sizeof(why)) < 0) {
		fprintf(stderr, "%s: %s\n", path, why);
		return 2;
	}
	printf("%s: configuration is valid\n", path);
	return 0;
}

/* EAL, the workers and the slow path's loop until a signal stops it.
 * The exit status. */
static int run(struct wf_config *cfg, int n_eal_cli, char **argv)
{
	char *eal_argv[WF_CONF_MAX_EAL_ARGS + 2];
	int eal_argc, rc;

	/* dpdk.log_level first: an EAL --log-level=whepfan:LEVEL overrides it */
	rte_log_set_level(wf_logtype, (uint32_t)cfg->dpdk.log_level);
	eal_argc = eal_args(n_eal_cli, argv, cfg, eal_argv, (int)RTE_DIM(eal_argv));
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "whepfan: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);

	rc = wf_setup(cfg);
	if (rc == 0) {
		WF_LOG(INFO, "running: %u workers, %u streams\n", wf_app.n_workers, cfg->n_streams);
		wf_slow_run();
		WF_LOG(INFO, "stopping\n");
	} else {
		WF_LOG(ERR, "start-up failed: %s\n", strerror(rc < 0 ? -rc : rc));
	}
	wf_teardown();
	rte_eal_cleanup();
	return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct wf_config_diag diag = { .fn = print_error };
	struct wf_config *cfg;
	struct args a;
	int rc = parse_args(argc, argv, &a);

	if (rc >= 0)
		return rc;
	cfg = wf_config_create();
	if (!cfg) {
		fprintf(stderr, "whepfan: out of memory\n");
		return 1;
	}
	if (wf_config_load(cfg, a.path, &diag) != 0)
		rc = 2;
	else if (a.check)
		rc = check_config(cfg, a.path);
	else
		rc = run(cfg, a.n_eal_cli, argv);
	wf_config_free(cfg);
	return rc;
}
