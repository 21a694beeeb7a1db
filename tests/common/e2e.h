/* e2e.h: helpers for the end-to-end tests (tests/e2e/) that run the real
 * whepfan binary in a private network namespace on a net_tap device.
 *
 * A test enters its own namespace (wf_e2e_enter_netns), prepares a
 * temporary directory with wf_e2e_prepare (config path, log path, EAL file
 * prefix and tap name filled in), writes its configuration to p->conf,
 * starts whepfan with wf_e2e_spawn (bounded wait for the tap), talks to it
 * over plain sockets and the DPDK telemetry socket, and stops it with
 * wf_e2e_stop.  wf_e2e_cleanup kills what is left and removes the files.
 * Only loopback and the tap (198.18.0.0/15, RFC 2544) are ever used.
 */
#ifndef WF_TESTS_E2E_H
#define WF_TESTS_E2E_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#ifdef __SANITIZE_ADDRESS__
#define WF_E2E_SLOW 3		/* sanitizer builds start and run slower */
#else
#define WF_E2E_SLOW 1
#endif

/* One whepfan process and its files. */
struct wf_e2e_proc {
	char build[PATH_MAX];		/* the build directory (whepfan inside) */
	char dir[PATH_MAX];		/* temp dir: config and log */
	char conf[PATH_MAX + 32];
	char log[PATH_MAX + 32];
	char prefix[32];		/* EAL file prefix */
	char iface[IFNAMSIZ];		/* the tap interface DPDK creates */
	pid_t pid;			/* 0 when not running */
	int ifindex;
};

static inline void wf_e2e_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wf_e2e_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint16_t wf_e2e_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t wf_e2e_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* CLOCK_MONOTONIC in microseconds. */
uint64_t wf_e2e_now_us(void);

/* xorshift64*: the next pseudo-random number from *state (print the seed
 * for a run to be repeatable). */
uint32_t wf_e2e_rand32(uint64_t *state);

/* n random ice-chars (RFC 8839 §5.4) from *state into out, NUL-terminated. */
void wf_e2e_rand_ice(uint64_t *state, char *out, size_t n);

#define WF_E2E_ERRS	8	/* messages an errlog keeps (it counts all) */

/* Failures a thread saw, reported later by the main thread (the wf_test
 * harness is not thread-safe). */
struct wf_e2e_errlog {
	unsigned n;
	char msg[WF_E2E_ERRS][200];
};

void wf_e2e_errlog_add(struct wf_e2e_errlog *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Each kept message as a test failure "who: message", then how many more. */
void wf_e2e_errlog_report(const struct wf_e2e_errlog *e, const char *who);

/* Runs a shell command (formatted); returns system()'s status. */
int wf_e2e_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A UDP socket bound to addr:port (port 0: any) with a 4 MiB receive
 * buffer; the descriptor or -1. */
int wf_e2e_udp_socket(const char *addr, uint16_t port);

/* <build>/tests/e2e/<test> -> <build> into p->build (else $WF_BUILD, else
 * "build"). */
void wf_e2e_find_build(struct wf_e2e_proc *p, const char *argv0);

/* Moves this process into a new network namespace and brings lo up.
 * 0 or -errno. */
int wf_e2e_enter_netns(void);

/* The same after checking what a net_tap test needs (root, /dev/net/tun);
 * records a test failure saying what is missing.  Whether it worked. */
bool wf_e2e_enter_private_netns(void);

/* Creates the temp dir and fills conf, log, prefix ("<tag><pid>") and
 * iface.  0 or -errno. */
int wf_e2e_prepare(struct wf_e2e_proc *p, const char *tag);

/* wf_e2e_prepare(p, tag), then opens p->conf for writing with the part of
 * a configuration every net_tap test shares already in it: the dpdk group
 * (no hugepages, 512 MB, lcores 0-1, 8191 mbufs, p's EAL file prefix and
 * tap) and one port with address cidr ("198.18.0.1/24").  The caller adds
 * its groups and fcloses it.  NULL with errno set on failure. */
FILE *wf_e2e_conf_open(struct wf_e2e_proc *p, const char *tag, const char *cidr);

/* Starts <build>/whepfan -- -c <conf> with stdout/stderr to the log and
 * waits up to timeout_ms for the tap interface; then gives the kernel side
 * kern_cidr ("198.18.0.2/24") and brings it up.  0, -ENOENT (no binary),
 * -ECHILD (whepfan exited), -ETIMEDOUT (no tap), -EIO (ip failed). */
int wf_e2e_spawn(struct wf_e2e_proc *p, const char *kern_cidr, unsigned timeout_ms);

/* Whether whepfan is still running. */
bool wf_e2e_alive(struct wf_e2e_proc *p);

/* Sends SIGTERM and waits up to timeout_ms: 0 with *status (waitpid's),
 * -ETIMEDOUT (still running), -ESRCH (not running). */
int wf_e2e_stop(struct wf_e2e_proc *p, unsigned timeout_ms, int *status);

/* Kills whepfan if it runs, removes the temp dir and the EAL run dir.
 * Async-signal-unsafe; call from atexit or the end of main. */
void wf_e2e_cleanup(struct wf_e2e_proc *p);

/* A watchdog for a test that runs p: after seconds, SIGALRM kills p's
 * whepfan, says so naming test, and exits 2.  Also makes the process call
 * wf_e2e_cleanup(p) at exit and ignore SIGPIPE.  One per process. */
void wf_e2e_watchdog(struct wf_e2e_proc *p, const char *test, unsigned seconds);

/* Stops p with SIGTERM and records a test failure (wf_test.h) unless it
 * exits with status 0 within timeout_ms. */
void wf_e2e_check_clean_exit(struct wf_e2e_proc *p, unsigned timeout_ms);

/* Prints the whepfan log, indented. */
void wf_e2e_print_log(const struct wf_e2e_proc *p);

/* Runs telemetry command cmd (e.g. "/whepfan/stats") over the DPDK
 * telemetry socket of p and writes the JSON reply, NUL-terminated, into
 * buf[cap].  0 or -EIO. */
int wf_e2e_telemetry(const struct wf_e2e_proc *p, const char *cmd, char *buf, size_t cap);

/* A persistent connection to the DPDK telemetry socket of p, its greeting
 * read: the descriptor, or -errno. */
int wf_e2e_tel_connect(const struct wf_e2e_proc *p);

/* Runs telemetry command cmd on connection fd and writes the JSON reply,
 * NUL-terminated, into buf[cap].  0 or -EIO. */
int wf_e2e_tel_cmd(int fd, const char *cmd, char *buf, size_t cap);

/* The non-negative number after "key": inside the object "section": {...}
 * (anywhere when section is NULL); -1 when missing. */
long long wf_e2e_json_num(const char *js, const char *section, const char *key);

/* The resident set size of process pid in KiB (VmRSS in
 * /proc/<pid>/status), or -1. */
long wf_e2e_vmrss_kb(pid_t pid);

/* The string value of the first "key": "..." in js into out[cap]
 * (escapes are not decoded): 0, or -1 when missing or not a string. */
int wf_e2e_json_str(const char *js, const char *key, char *out, size_t cap);

/* Reads the kernel's neighbour entry for ip (learned from whepfan's ARP). */
bool wf_e2e_arp_lookup(const char *ip, uint8_t mac[6]);

#endif
