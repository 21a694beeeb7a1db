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

/* The network every end-to-end test builds (198.18.0.0/15: a tap of its
 * own in a private namespace) and the test stream they configure. */
#define WF_E2E_WF_ADDR		"198.18.0.1"	/* whepfan's port */
#define WF_E2E_KERN_ADDR	"198.18.0.2"	/* the tap's kernel side: sources, viewers */
#define WF_E2E_WEBRTC_PORT	8189		/* webrtc.udp_port */
#define WF_E2E_VIDEO_PORT	5004		/* the stream's ingest ports */
#define WF_E2E_AUDIO_PORT	5006
#define WF_E2E_SRC_VIDEO_PT	96		/* payload types the source sends */
#define WF_E2E_SRC_AUDIO_PT	111
#define WF_E2E_OFFER_VIDEO_PT	102		/* and the viewers offer */
#define WF_E2E_OFFER_AUDIO_PT	109
/* The tap's queue toward whepfan (its kernel default is 500 frames: 17 ms
 * of a 30,000 frames a second flood).  On a machine of two shared CPUs
 * the worker can be off its CPU longer than that; the frames the kernel
 * then drops, a consent check or an ARP request among them, never reach
 * whepfan and say nothing about it.  A NIC's receive ring is whepfan's
 * own setting (dpdk.rx_descriptors). */
#define WF_E2E_TAP_QLEN		16384

#define WF_E2E_STR_(x)	#x
#define WF_E2E_STR(x)	WF_E2E_STR_(x)

/* The test stream's two tracks in libconfig (the inside of a tracks list):
 * H.264 and Opus from the source on the ports and payload types above. */
#define WF_E2E_AV_TRACKS \
	"  { kind = \"video\"; port = " WF_E2E_STR(WF_E2E_VIDEO_PORT) "; codec = \"H264\"; " \
	"payload_type = " WF_E2E_STR(WF_E2E_SRC_VIDEO_PT) ";\n" \
	"    fmtp = \"packetization-mode=1;profile-level-id=42e01f\"; },\n" \
	"  { kind = \"audio\"; port = " WF_E2E_STR(WF_E2E_AUDIO_PORT) "; codec = \"opus\"; " \
	"payload_type = " WF_E2E_STR(WF_E2E_SRC_AUDIO_PT) "; }"

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

/* CLOCK_MONOTONIC in microseconds. */
uint64_t wf_e2e_now_us(void);

/* Runs a shell command (formatted); returns system()'s status. */
int wf_e2e_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A UDP socket bound to addr:port (port 0: an ephemeral port of its own;
 * a given port with SO_REUSEADDR) with a 4 MiB receive buffer; the
 * descriptor or -1 with errno set. */
int wf_e2e_udp_socket(const char *addr, uint16_t port);

/* Sends payload[len] as one UDP datagram from src:sport to dst:dport
 * (dotted quads, host-order ports) through a raw socket (IP_HDRINCL), so
 * its source is whatever the test says: a spoofed address, as an attacker
 * on the internet can send.  Both addresses must lie in 198.18.0.0/15
 * (RFC 2544, the tests' namespaces): anything else is refused.  Needs
 * CAP_NET_RAW.  0, -EPERM (an address outside 198.18.0.0/15), -EINVAL
 * (not an address, payload too long) or -errno of socket/sendto. */
int wf_e2e_spoof_udp(const char *src, uint16_t sport, const char *dst, uint16_t dport,
		     const void *payload, size_t len);

/* <build>/tests/e2e/<test> -> <build> into p->build (else $WF_BUILD, else
 * "build"). */
void wf_e2e_find_build(struct wf_e2e_proc *p, const char *argv0);

/* Moves this process into a new network namespace and brings lo up.
 * 0 or -errno. */
int wf_e2e_enter_netns(void);

/* Creates the temp dir and fills conf, log, prefix ("<tag><pid>") and
 * iface.  0 or -errno. */
int wf_e2e_prepare(struct wf_e2e_proc *p, const char *tag);

/* The dpdk group of a test's configuration: EAL without hugepages on
 * p's tap and file prefix; 0 or NULL fields take the defaults. */
struct wf_e2e_dpdk {
	const char *lcores;	/* --lcores; NULL: "0-1" */
	unsigned mem_mb;	/* -m; 0: 512 */
	unsigned mbufs;		/* dpdk.mbufs; 0: 8191 */
};

/* Writes to f the part of a configuration every net_tap test shares: the
 * dpdk group (d) and one port at WF_E2E_WF_ADDR/24. */
void wf_e2e_conf_dpdk(FILE *f, const struct wf_e2e_proc *p, const struct wf_e2e_dpdk *d);

/* RFC 1071 Internet checksum of n bytes (IPv4 and ICMP headers). */
uint16_t wf_e2e_inet_csum(const void *data, size_t n);

struct wf_rtp_src;
struct wf_rtp_src_av;

/* The test stream's source: UDP sockets on WF_E2E_KERN_ADDR ports 5000
 * (video) and 5002 (audio) into fds, and src (rtp_source.h) sending H.264
 * to WF_E2E_VIDEO_PORT and Opus to WF_E2E_AUDIO_PORT at WF_E2E_WF_ADDR
 * with the source payload types.  From av (NULL: none) only the rates
 * and any video ports besides WF_E2E_VIDEO_PORT.  0, or -1 (sockets that
 * opened are in fds). */
int wf_e2e_av_source(struct wf_rtp_src *src, int fds[2], const struct wf_rtp_src_av *av,
		     unsigned cap);

/* Closes what wf_e2e_av_source() opened (fds below 0 are not open) and
 * frees src's records. */
void wf_e2e_av_source_free(struct wf_rtp_src *src, int fds[2]);

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

/* Prints the whepfan log, indented. */
void wf_e2e_print_log(const struct wf_e2e_proc *p);

/* Whether the whepfan log at path has a line containing text. */
bool wf_e2e_log_has(const char *path, const char *text);

/* The number right after pat on the last line of the log at path that
 * holds pat ("mbufs in use after teardown: "); -1 when no line does. */
long long wf_e2e_log_number(const char *path, const char *pat);

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

/* The string value of the first "key": "..." in js into out[cap]
 * (escapes are not decoded): 0, or -1 when missing or not a string. */
int wf_e2e_json_str(const char *js, const char *key, char *out, size_t cap);

/* Reads the kernel's neighbour entry for ip (learned from whepfan's ARP). */
bool wf_e2e_arp_lookup(const char *ip, uint8_t mac[6]);

/* ---- checks every end-to-end test makes ------------------------------------ */

/* Root and /dev/net/tun, then a private network namespace with lo up
 * (wf_e2e_enter_netns).  0, or -1 after reporting what is missing as a
 * failed check of the running test. */
int wf_e2e_enter_test_netns(void);

/* Leaves nothing behind whatever happens: p is cleaned up at exit, and when
 * the run takes longer than seconds (SIGALRM) whepfan is killed and the
 * process exits with status 2.  SIGPIPE is ignored.  One p per process. */
void wf_e2e_guard(struct wf_e2e_proc *p, unsigned seconds);

/* The start of an end-to-end test's main(): the test framework, the build
 * directory, the test randomness seeded from the clock, the line
 * "# end-to-end: <what> through <build>/whepfan (seed N)" and the guard of
 * guard_s seconds.  Returns the seed. */
uint64_t wf_e2e_begin(struct wf_e2e_proc *p, int argc, char **argv, unsigned guard_s,
		      const char *what);

/* Stops whepfan with SIGTERM: it must exit with status 0 within timeout_ms
 * (failed checks of the running test otherwise). */
void wf_e2e_check_sigterm(struct wf_e2e_proc *p, unsigned timeout_ms);

/* The figure (section, key) of telemetry command cmd ("/whepfan/stats");
 * -1, after a failed check of the running test, when there is none. */
long long wf_e2e_stat(const struct wf_e2e_proc *p, const char *cmd, const char *section,
		      const char *key);

/* VmRSS of process pid from /proc/<pid>/status, in KiB; -1 when unreadable. */
long wf_e2e_vmrss_kb(pid_t pid);

/* Packets this network namespace's kernel dropped on their way: the
 * transmit drops of interface iface (for a tap: frames the kernel had for
 * the DPDK side and could not queue), its receive drops (frames the DPDK
 * side wrote that the kernel dropped), both from /proc/self/net/dev; and
 * the datagrams the UDP socket bound to port dropped, its receive buffer
 * full (/proc/self/net/udp).  -1 when unreadable. */
long long wf_e2e_iface_tx_dropped(const char *iface);
long long wf_e2e_iface_rx_dropped(const char *iface);
long long wf_e2e_udp_socket_drops(uint16_t port);

/* The resident KiB of the mappings of process pid whose /proc/<pid>/smaps
 * line names name (a path part: "nohuge" for DPDK's --no-huge memory), all
 * summed; -1 when unreadable. */
long wf_e2e_smaps_rss_kb(pid_t pid, const char *name);

/* Raises this process's RLIMIT_NOFILE to at least n descriptors (the hard
 * limit too when allowed: root).  0, or -errno when n cannot be had. */
int wf_e2e_raise_nofile(unsigned n);

/* ---- test randomness ------------------------------------------------------ */

/* xorshift64* (one stream for the whole process): a run is reproduced from
 * the seed the test prints.  Not for keys: only for test data. */
void wf_e2e_seed(uint64_t seed);
/* Seeds from the clock and the process id; returns the seed to print. */
uint64_t wf_e2e_seed_from_clock(void);
uint32_t wf_e2e_rnd(void);
void wf_e2e_rnd_fill(uint8_t *p, size_t n);
/* n random ice-chars (RFC 8839 §5.4) into out[n + 1], NUL-terminated. */
void wf_e2e_rnd_ice(char *out, size_t n);

/* ---- failure lists -------------------------------------------------------- */

/* Checks made on arrival (in a receive loop, not inside a test function)
 * keep their messages here; the test that owns the object reports them
 * with WF_E2E_CHECK_ERRLOG.  Bounded: the first WF_E2E_MAX_ERRS are kept,
 * the rest only counted. */
#define WF_E2E_MAX_ERRS	6
struct wf_e2e_errlog {
	unsigned n;
	char msg[WF_E2E_MAX_ERRS][160];
};

void wf_e2e_errlog_add(struct wf_e2e_errlog *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Reports every message of e as a failed check of the running test
 * (wf_test_fail() at file:line). */
void wf_e2e_errlog_report(const struct wf_e2e_errlog *e, const char *file, int line);
#define WF_E2E_CHECK_ERRLOG(e) wf_e2e_errlog_report((e), __FILE__, __LINE__)

#endif
