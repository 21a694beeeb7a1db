/* fuzz_conf.c: fuzz target 7, the configuration loader and the reload diff.
 *
 * Input: libconfig text.  A line "%%" splits it into the running
 * configuration and the one a SIGHUP reload reads; without it the running
 * one is a minimal valid file.  Each part is written to an anonymous memory
 * file (memfd, read back through /proc/self/fd: nothing is left on disk
 * even when a run aborts) and loaded with wf_config_load(), errors collected as
 * --check-config collects them; when both load, wf_config_diff() compares
 * them both ways.  A configuration that loads is dumped with its secrets
 * (wf_config_dump, --check-config -v) and loaded again.
 * Checks: diagnostics stay within their buffer; the diff of a configuration
 * with itself, and with its own dump loaded again, is empty; additions one
 * way are removals the other way.
 * libconfig 1.5 (Debian 12) leaks a string token its parser discards on a
 * syntax error (the text `""` alone leaks; hyperrealm/libconfig issue 142,
 * fixed in 1.7 by a bison %destructor): LeakSanitizer is told to ignore
 * allocations of its scanner (libconfig_yylex, strbuf_append: token
 * strings) and nothing else, so a configuration our code forgets to free
 * is still reported.  A failed
 * reload loses at most the size of the file's strings; the operator alone
 * can trigger it.
 * Inputs with "@include" are skipped: the file's author is the operator,
 * and an include of a device or FIFO would only measure the file system.
 */
#include "fuzz/fuzz.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/diff.h"
#include "conf/dump.h"

static const char g_minimal[] =
	"ports = ( { name = \"net_tap0\"; address = \"198.18.0.1/24\"; } );\n"
	"streams = ( { name = \"cam1\";\n"
	"  tracks = ( { kind = \"video\"; port = 5004; codec = \"H264\";\n"
	"    payload_type = 96; } ); } );\n";

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

static int g_fd[3];
static char g_path[3][64];
static struct wf_config *g_cfg[3];
static char g_diag_buf[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned i;

	(void)argc;
	(void)argv;
	for (i = 0; i < 3; i++) {
		g_fd[i] = memfd_create("wf-fuzz-conf", MFD_CLOEXEC);
		g_cfg[i] = wf_config_create();
		if (g_fd[i] < 0 || !g_cfg[i]) {
			perror("fuzz_conf: memfd_create");
			exit(1);
		}
		snprintf(g_path[i], sizeof(g_path[i]), "/proc/self/fd/%d", g_fd[i]);
	}
	return 0;
}

static int write_file(unsigned i, const void *p, size_t n)
{
	if (ftruncate(g_fd[i], 0) != 0 || pwrite(g_fd[i], p, n, 0) != (ssize_t)n)
		return -EIO;
	return 0;
}

/* Loads text into g_cfg[i]; returns what wf_config_load() returned. */
static int load(unsigned i, const void *text, size_t n)
{
	struct wf_config_diag diag = { .buf = g_diag_buf, .buf_size = sizeof(g_diag_buf) };
	int rc;

	if (write_file(i, text, n) != 0)
		return -EIO;
	rc = wf_config_load(g_cfg[i], g_path[i], &diag);
	WF_FUZZ_CHECK(diag.buf_used < sizeof(g_diag_buf));
	WF_FUZZ_CHECK(strnlen(g_diag_buf, sizeof(g_diag_buf)) < sizeof(g_diag_buf));
	WF_FUZZ_CHECK(rc == 0 || diag.n_errors > 0 || rc == -ENOMEM);
	return rc;
}

static void check_diff(const struct wf_config *a, const struct wf_config *b)
{
	static struct wf_config_diff d, e;
	int n = wf_config_diff(a, b, &d), m = wf_config_diff(b, a, &e);

	WF_FUZZ_CHECK(n >= 0 && m >= 0);
	WF_FUZZ_CHECK(d.n_added == e.n_removed && d.n_removed == e.n_added);
	WF_FUZZ_CHECK(d.n_changed == e.n_changed && d.groups == e.groups);
	WF_FUZZ_CHECK((unsigned)n == d.n_added + d.n_removed + d.n_changed);
}

/* Dumps g_cfg[i] with its secrets, loads the dump, compares. */
static void round_trip(unsigned i)
{
	static struct wf_config_diff d;
	FILE *f = fopen(g_path[2], "w");
	int rc;

	if (!f)
		return;
	rc = wf_config_dump(g_cfg[i], f, WF_CONF_DUMP_SECRETS);
	if (fclose(f) != 0 || rc != 0)
		return;
	rc = wf_config_load(g_cfg[2], g_path[2], NULL);
	if (rc != 0) {
		fprintf(stderr, "a dumped configuration does not load again\n");
		WF_FUZZ_CHECK(rc == 0);
	}
	WF_FUZZ_CHECK(wf_config_diff(g_cfg[i], g_cfg[2], &d) == 0);
	WF_FUZZ_CHECK(d.groups == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wf_config_diff d;
	const uint8_t *sep = NULL, *newp = data;
	size_t newn = size, i;
	int ro, rn;

	if (size > 65536 || memmem(data, size, "@include", 8))
		return 0;
	for (i = 0; i + 3 <= size; i++)
		if (data[i] == '%' && data[i + 1] == '%' && (i == 0 || data[i - 1] == '\n') &&
		    (i + 2 == size || data[i + 2] == '\n')) {
			sep = data + i;
			break;
		}
	if (sep) {
		ro = load(0, data, (size_t)(sep - data));
		newp = sep + 2;
		newn = size - (size_t)(newp - data);
	} else {
		ro = load(0, g_minimal, sizeof(g_minimal) - 1);
		if (ro != 0)
			fprintf(stderr, "the built-in configuration does not load: %s\n",
				g_diag_buf);
		WF_FUZZ_CHECK(ro == 0);
	}
	rn = load(1, newp, newn);
	if (rn == 0) {
		WF_FUZZ_CHECK(wf_config_diff(g_cfg[1], g_cfg[1], &d) == 0 && d.groups == 0);
		round_trip(1);
	}
	if (ro == 0 && rn == 0)
		check_diff(g_cfg[0], g_cfg[1]);
	return 0;
}
