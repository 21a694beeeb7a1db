/* driver.c: the regression runner of a fuzz target, built without libFuzzer.
 *
 * Feeds every file of the target's corpus (tests/fuzz/corpus/<t>/ for a
 * binary named test_fuzz_<t>, relative to the top of the tree, where
 * scripts/run-tests.sh runs; or the directories and files given as
 * arguments) to LLVMFuzzerTestOneInput() once, in name order,
 * and prints "# <binary>: N passed, 0 failed" (tests/wf_test.h's format).
 * An input that crashes or trips a WF_FUZZ_CHECK aborts the process: the
 * signal handler names the file first, and run-tests.sh counts a binary
 * without its summary line as failed.  A missing or empty corpus fails.
 */
#include "fuzz/fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static char g_current[4096];
static const int g_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
static struct sigaction g_old[sizeof(g_signals) / sizeof(g_signals[0])];

/* Names the input, then hands the signal to whoever had it before (a
 * sanitizer's handler prints its report), or to the default action. */
static void on_fatal(int sig, siginfo_t *info, void *ctx)
{
	static const char pre[] = "fuzz driver: fatal signal on input ";
	size_t i;

	(void)!write(2, pre, sizeof(pre) - 1);
	(void)!write(2, g_current, strnlen(g_current, sizeof(g_current)));
	(void)!write(2, "\n", 1);
	for (i = 0; i < sizeof(g_signals) / sizeof(g_signals[0]); i++) {
		if (g_signals[i] != sig)
			continue;
		if ((g_old[i].sa_flags & SA_SIGINFO) && g_old[i].sa_sigaction) {
			g_old[i].sa_sigaction(sig, info, ctx);
			return;
		}
		if (g_old[i].sa_handler != SIG_DFL && g_old[i].sa_handler != SIG_IGN) {
			g_old[i].sa_handler(sig);
			return;
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_fatal(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(g_signals) / sizeof(g_signals[0]); i++)
		sigaction(g_signals[i], &sa, &g_old[i]);
}

/* Runs one file.  Returns 0 or -errno when it cannot be read. */
static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -EIO;
	}
	/* An exact-size heap copy, so ASan sees a read one past the input. */
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	snprintf(g_current, sizeof(g_current), "%s", path);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

/* Runs a file, or every regular file of a directory in name order.
 * Returns the number of inputs run, or -errno. */
static int run_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	char sub[4096];
	int i, n, done = 0, rc = 0;

	if (stat(path, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return run_file(path) == 0 ? 1 : -EIO;
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		if (rc == 0 && names[i]->d_name[0] != '.') {
			snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
			if (stat(sub, &st) == 0 && S_ISREG(st.st_mode)) {
				rc = run_file(sub);
				done++;
			}
		}
		free(names[i]);
	}
	free(names);
	return rc < 0 ? rc : done;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int iargc = argc, i, n, npaths = argc > 1 ? argc - 1 : 1, total = 0, failed = 0;
	char **iargv = argv, corpus[256];

	snprintf(corpus, sizeof(corpus), "tests/fuzz/corpus/%s",
		 strncmp(name, "test_fuzz_", 10) == 0 ? name + 10 : name);
	catch_fatal();
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&iargc, &iargv);
	for (i = 0; i < npaths; i++) {
		const char *path = argc > 1 ? argv[i + 1] : corpus;

		n = run_path(path);
		if (n <= 0) {
			fprintf(stderr, "%s: %s: %s\n", name, path,
				n == 0 ? "no inputs" : strerror(-n));
			failed++;
		} else {
			total += n;
		}
	}
	printf("# %s: %d passed, %d failed\n", name, total, failed);
	return failed ? 1 : 0;
}
