/* e2e.c: helpers for the end-to-end tests (e2e.h). */
#include "common/e2e.h"
#include "common/rtp_source.h"
#include "wf_test.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wf_test.h"

uint64_t wf_e2e_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int wf_e2e_sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

int wf_e2e_udp_socket(const char *addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1, big = 4 << 20;

	if (fd < 0)
		return -1;
	/* not for port 0: with SO_REUSEADDR on both, Linux may hand two UDP
	 * sockets the same ephemeral port, and one gets the other's datagrams */
	if (port)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	inet_pton(AF_INET, addr, &sa.sin_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* RFC 1071 one's-complement sum of p[n], continuing from sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t wf_e2e_inet_csum(const void *data, size_t n)
{
	return csum_fold(csum_add(0, data, n));
}

/* Whether a (network order) lies in 198.18.0.0/15. */
static bool in_test_net(uint32_t a)
{
	return (ntohl(a) & 0xfffe0000u) == 0xc6120000u;
}

int wf_e2e_spoof_udp(const char *src, uint16_t sport, const char *dst, uint16_t dport,
		     const void *payload, size_t len)
{
	uint8_t pkt[20 + 8 + 1472], pseudo[12];
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint32_t s, d, sum;
	size_t n = 20 + 8 + len;
	uint16_t c;
	int fd, rc = 0;

	if (!src || !dst || (!payload && len) || len > sizeof(pkt) - 28 ||
	    inet_pton(AF_INET, src, &s) != 1 || inet_pton(AF_INET, dst, &d) != 1)
		return -EINVAL;
	if (!in_test_net(s) || !in_test_net(d))
		return -EPERM;	/* only the tests' own network, never the internet */
	memset(pkt, 0, 28);
	pkt[0] = 0x45;				/* IPv4, 20-byte header */
	pkt[2] = (uint8_t)(n >> 8);
	pkt[3] = (uint8_t)n;
	pkt[6] = 0x40;				/* don't fragment */
	pkt[8] = 64;				/* TTL */
	pkt[9] = IPPROTO_UDP;
	memcpy(pkt + 12, &s, 4);
	memcpy(pkt + 16, &d, 4);
	c = csum_fold(csum_add(0, pkt, 20));
	pkt[10] = (uint8_t)(c >> 8);
	pkt[11] = (uint8_t)c;
	pkt[20] = (uint8_t)(sport >> 8);
	pkt[21] = (uint8_t)sport;
	pkt[22] = (uint8_t)(dport >> 8);
	pkt[23] = (uint8_t)dport;
	pkt[24] = (uint8_t)((8 + len) >> 8);
	pkt[25] = (uint8_t)(8 + len);
	if (len)
		memcpy(pkt + 28, payload, len);
	/* RFC 768: over the pseudo-header, the UDP header and the data */
	memcpy(pseudo, &s, 4);
	memcpy(pseudo + 4, &d, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_UDP;
	pseudo[10] = pkt[24];
	pseudo[11] = pkt[25];
	sum = csum_add(csum_add(0, pseudo, sizeof(pseudo)), pkt + 20, 8 + len);
	c = csum_fold(sum);
	if (c == 0)
		c = 0xffff;			/* 0 means "no checksum" */
	pkt[26] = (uint8_t)(c >> 8);
	pkt[27] = (uint8_t)c;
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);	/* IP_HDRINCL implied */
	if (fd < 0)
		return -errno;
	to.sin_addr.s_addr = d;
	if (sendto(fd, pkt, n, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)n)
		rc = -errno;
	close(fd);
	return rc;
}

void wf_e2e_find_build(struct wf_e2e_proc *p, const char *argv0)
{
	char path[PATH_MAX];
	const char *env_build = getenv("WF_BUILD");
	char *cut;

	if (realpath(argv0, path) && (cut = strstr(path, "/tests/e2e/")) != NULL) {
		*cut = '\0';
		snprintf(p->build, sizeof(p->build), "%s", path);
		return;
	}
	snprintf(p->build, sizeof(p->build), "%s", env_build ? env_build : "build");
}

int wf_e2e_enter_netns(void)
{
	if (unshare(CLONE_NEWNET) != 0)
		return -errno;
	return wf_e2e_sh("ip link set lo up") == 0 ? 0 : -EIO;
}

int wf_e2e_prepare(struct wf_e2e_proc *p, const char *tag)
{
	char tmpl[64];

	snprintf(tmpl, sizeof(tmpl), "/tmp/%s.XXXXXX", tag);
	if (!mkdtemp(tmpl))
		return -errno;
	snprintf(p->dir, sizeof(p->dir), "%s", tmpl);
	snprintf(p->conf, sizeof(p->conf), "%s/whepfan.conf", p->dir);
	snprintf(p->log, sizeof(p->log), "%s/whepfan.log", p->dir);
	snprintf(p->prefix, sizeof(p->prefix), "%s%d", tag, (int)getpid());
	snprintf(p->iface, sizeof(p->iface), "%.8s%d", tag, (int)getpid() % 1000000);
	return 0;
}

static void conf_dpdk(FILE *f, const struct wf_e2e_proc *p, const struct wf_e2e_dpdk *d,
		      const char *cidr)
{
	fprintf(f,
		"dpdk = {\n"
		"  eal = [ \"--no-huge\", \"-m\", \"%u\", \"--no-pci\", \"--lcores\", \"%s\",\n"
		"          \"--file-prefix\", \"%s\", \"--vdev\", \"net_tap0,iface=%s\" ];\n"
		"  mbufs = %u;\n"
		"};\n"
		"ports = ( { name = \"net_tap0\"; address = \"%s\"; } );\n",
		d->mem_mb ? d->mem_mb : 512, d->lcores ? d->lcores : "0-1", p->prefix, p->iface,
		d->mbufs ? d->mbufs : 8191, cidr);
}

void wf_e2e_conf_dpdk(FILE *f, const struct wf_e2e_proc *p, const struct wf_e2e_dpdk *d)
{
	conf_dpdk(f, p, d, WF_E2E_WF_ADDR "/24");
}

int wf_e2e_av_source(struct wf_rtp_src *src, int fds[2], const struct wf_rtp_src_av *av,
		     unsigned cap)
{
	struct wf_rtp_src_av a = {
		.video_pt = WF_E2E_SRC_VIDEO_PT, .video_ports = { WF_E2E_VIDEO_PORT },
		.audio_pt = WF_E2E_SRC_AUDIO_PT, .audio_port = WF_E2E_AUDIO_PORT,
	};
	unsigned i;

	fds[0] = wf_e2e_udp_socket(WF_E2E_KERN_ADDR, 5000);
	fds[1] = wf_e2e_udp_socket(WF_E2E_KERN_ADDR, 5002);
	if (fds[0] < 0 || fds[1] < 0)
		return -1;
	a.video_fd = fds[0];
	a.audio_fd = fds[1];
	if (av) {
		a.fps = av->fps;
		a.aps = av->aps;
		for (i = 0; i + 1 < WF_RTP_SRC_MAX_DPORTS && av->video_ports[i]; i++)
			a.video_ports[i + 1] = av->video_ports[i];
	}
	return wf_rtp_src_init_av(src, WF_E2E_WF_ADDR, &a, cap) == 0 ? 0 : -1;
}

void wf_e2e_av_source_free(struct wf_rtp_src *src, int fds[2])
{
	unsigned i;

	for (i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	wf_rtp_src_free(src);
}

FILE *wf_e2e_conf_open(struct wf_e2e_proc *p, const char *tag, const char *cidr)
{
	int rc = wf_e2e_prepare(p, tag);
	FILE *f;

	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	f = fopen(p->conf, "w");
	if (!f)
		return NULL;
	conf_dpdk(f, p, &(struct wf_e2e_dpdk){ 0 }, cidr);
	return f;
}

int wf_e2e_spawn(struct wf_e2e_proc *p, const char *kern_cidr, unsigned timeout_ms)
{
	char whepfan[PATH_MAX + 16];
	uint64_t deadline;
	int fd;

	snprintf(whepfan, sizeof(whepfan), "%s/whepfan", p->build);
	if (access(whepfan, X_OK) != 0)
		return -ENOENT;
	p->pid = fork();
	if (p->pid < 0) {
		p->pid = 0;
		return -errno;
	}
	if (p->pid == 0) {
		fd = open(p->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execl(whepfan, whepfan, "--", "-c", p->conf, (char *)NULL);
		_exit(127);
	}
	/* DPDK creates the tap during EAL init */
	deadline = wf_e2e_now_us() + (uint64_t)timeout_ms * 1000;
	while (!(p->ifindex = (int)if_nametoindex(p->iface)) && wf_e2e_now_us() < deadline) {
		if (waitpid(p->pid, NULL, WNOHANG) == p->pid) {
			p->pid = 0;
			return -ECHILD;
		}
		usleep(20000);
	}
	if (!p->ifindex)
		return -ETIMEDOUT;
	if (wf_e2e_sh("ip addr add %s dev %s && ip link set %s up txqueuelen %u", kern_cidr,
		      p->iface, p->iface, WF_E2E_TAP_QLEN) != 0)
		return -EIO;
	return 0;
}

bool wf_e2e_alive(struct wf_e2e_proc *p)
{
	if (p->pid <= 0)
		return false;
	if (waitpid(p->pid, NULL, WNOHANG) == p->pid) {
		p->pid = 0;
		return false;
	}
	return true;
}

int wf_e2e_stop(struct wf_e2e_proc *p, unsigned timeout_ms, int *status)
{
	uint64_t deadline;
	pid_t r = 0;

	if (p->pid <= 0 || kill(p->pid, SIGTERM) != 0)
		return -ESRCH;
	deadline = wf_e2e_now_us() + (uint64_t)timeout_ms * 1000;
	while (wf_e2e_now_us() < deadline && (r = waitpid(p->pid, status, WNOHANG)) == 0)
		usleep(20000);
	if (r != p->pid)
		return -ETIMEDOUT;
	p->pid = 0;
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void wf_e2e_cleanup(struct wf_e2e_proc *p)
{
	char run[PATH_MAX];

	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		p->pid = 0;
	}
	if (p->dir[0]) {
		nftw(p->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
		p->dir[0] = '\0';
	}
	if (p->prefix[0]) {
		snprintf(run, sizeof(run), "/var/run/dpdk/%s", p->prefix);
		nftw(run, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
		p->prefix[0] = '\0';
	}
}

void wf_e2e_print_log(const struct wf_e2e_proc *p)
{
	FILE *f = fopen(p->log, "r");
	char line[512];

	if (!f)
		return;
	printf("---- whepfan log (%s) ----\n", p->log);
	while (fgets(line, sizeof(line), f))
		printf("  | %s", line);
	printf("---- end of log ----\n");
	fclose(f);
}

/* The number right after pat on the last line holding it: -1 when that
 * line has no number there, -2 when no line holds pat. */
static long long log_scan(const char *path, const char *pat)
{
	FILE *f = fopen(path, "r");
	size_t len = strlen(pat);
	char line[512];
	const char *q;
	long long n = -2;

	if (!f)
		return -2;
	while (fgets(line, sizeof(line), f))
		if ((q = strstr(line, pat)) != NULL)
			n = q[len] >= '0' && q[len] <= '9' ? atoll(q + len) : -1;
	fclose(f);
	return n;
}

bool wf_e2e_log_has(const char *path, const char *text)
{
	return log_scan(path, text) != -2;
}

long long wf_e2e_log_number(const char *path, const char *pat)
{
	long long n = log_scan(path, pat);

	return n < 0 ? -1 : n;
}

int wf_e2e_tel_connect(const struct wf_e2e_proc *p)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pollfd pf;
	char greeting[1024];
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/var/run/dpdk/%s/dpdk_telemetry.v2",
		 p->prefix);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	pf = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&pf, 1, 2000 * WF_E2E_SLOW) != 1 || recv(fd, greeting, sizeof(greeting), 0) <= 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -EIO;
}

int wf_e2e_tel_cmd(int fd, const char *cmd, char *buf, size_t cap)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	size_t len = strlen(cmd);
	ssize_t n;

	if (cap < 2)
		return -EINVAL;
	if (send(fd, cmd, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -EIO;
	if (poll(&pf, 1, 2000 * WF_E2E_SLOW) != 1)
		return -EIO;
	n = recv(fd, buf, cap - 1, 0);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

int wf_e2e_telemetry(const struct wf_e2e_proc *p, const char *cmd, char *buf, size_t cap)
{
	int fd = wf_e2e_tel_connect(p), rc;

	if (fd < 0)
		return -EIO;
	rc = wf_e2e_tel_cmd(fd, cmd, buf, cap);
	close(fd);
	return rc;
}

long long wf_e2e_json_num(const char *js, const char *section, const char *key)
{
	const char *p = js, *end = js + strlen(js), *q;
	char pat[80];
	int depth = 0;

	if (section) {
		snprintf(pat, sizeof(pat), "\"%s\"", section);
		p = strstr(js, pat);
		if (!p)
			return -1;
		p = strchr(p, '{');
		if (!p)
			return -1;
		for (q = p; q < end; q++) {
			if (*q == '{')
				depth++;
			else if (*q == '}' && --depth == 0)
				break;
		}
		end = q;
	}
	snprintf(pat, sizeof(pat), "\"%s\"", key);
	q = memmem(p, (size_t)(end - p), pat, strlen(pat));
	if (!q)
		return -1;
	q += strlen(pat);
	while (*q == ' ' || *q == ':')
		q++;
	if (*q < '0' || *q > '9')
		return -1;
	return strtoll(q, NULL, 10);
}

int wf_e2e_json_str(const char *js, const char *key, char *out, size_t cap)
{
	char pat[80];
	const char *q, *e;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	q = strstr(js, pat);
	if (!q || !cap)
		return -1;
	q += strlen(pat);
	q += strspn(q, " :");
	if (*q != '"')
		return -1;
	e = strchr(++q, '"');
	if (!e)
		return -1;
	snprintf(out, cap, "%.*s", (int)(e - q), q);
	return 0;
}

bool wf_e2e_arp_lookup(const char *ip, uint8_t mac[6])
{
	FILE *f = fopen("/proc/net/arp", "r");
	char line[256], a[64], hw[64], dev[64];
	unsigned x[6], type, flags, i;
	bool ok = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s 0x%x 0x%x %63s %*s %63s", a, &type, &flags, hw, dev) == 5 &&
		    !strcmp(a, ip) && (flags & 2) &&
		    sscanf(hw, "%x:%x:%x:%x:%x:%x", &x[0], &x[1], &x[2], &x[3], &x[4], &x[5]) == 6) {
			for (i = 0; i < 6; i++)
				mac[i] = (uint8_t)x[i];
			ok = true;
		}
	fclose(f);
	return ok;
}

/* ---- checks every end-to-end test makes ------------------------------------ */

int wf_e2e_enter_test_netns(void)
{
	if (geteuid() != 0) {
		wf_test_fail(__FILE__, __LINE__, "needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN)");
		return -1;
	}
	if (access("/dev/net/tun", R_OK | W_OK) != 0) {
		wf_test_fail(__FILE__, __LINE__, "needs /dev/net/tun for net_tap");
		return -1;
	}
	if (wf_e2e_enter_netns() != 0) {
		wf_test_fail(__FILE__, __LINE__, "cannot enter a new network namespace");
		return -1;
	}
	return 0;
}

static struct wf_e2e_proc *guarded;

static void guard_alarm(int sig)
{
	static const char msg[] = ": time limit reached, killing whepfan\n";
	const char *name = wf_test.binary ? wf_test.binary : "test";

	(void)sig;
	if (guarded && guarded->pid > 0)
		kill(guarded->pid, SIGKILL);
	if (write(1, name, strlen(name)) < 0 || write(1, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(2);
}

static void guard_exit(void)
{
	if (guarded)
		wf_e2e_cleanup(guarded);
}

void wf_e2e_guard(struct wf_e2e_proc *p, unsigned seconds)
{
	guarded = p;
	signal(SIGALRM, guard_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm(seconds);
	atexit(guard_exit);
}

uint64_t wf_e2e_begin(struct wf_e2e_proc *p, int argc, char **argv, unsigned guard_s,
		      const char *what)
{
	uint64_t seed;

	wf_test_init(argc, argv);
	wf_e2e_find_build(p, argv[0]);
	seed = wf_e2e_seed_from_clock();
	printf("# end-to-end: %s through %s/whepfan (seed %llu)\n", what, p->build,
	       (unsigned long long)seed);
	wf_e2e_guard(p, guard_s);
	return seed;
}

void wf_e2e_check_sigterm(struct wf_e2e_proc *p, unsigned timeout_ms)
{
	int status = 0;

	if (wf_e2e_stop(p, timeout_ms, &status) != 0) {
		wf_test_fail(__FILE__, __LINE__, "whepfan did not exit after SIGTERM");
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		wf_test_fail(__FILE__, __LINE__, "whepfan: %s %d",
			     WIFEXITED(status) ? "exit status" : "killed by signal",
			     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

long long wf_e2e_stat(const struct wf_e2e_proc *p, const char *cmd, const char *section,
		      const char *key)
{
	static char js[65536];
	long long v;

	if (wf_e2e_telemetry(p, cmd, js, sizeof(js)) < 0) {
		wf_test_fail(__FILE__, __LINE__, "telemetry: %s failed", cmd);
		return -1;
	}
	v = wf_e2e_json_num(js, section, key);
	if (v < 0)
		wf_test_fail(__FILE__, __LINE__, "telemetry: no \"%s\" in %s%s%s", key, cmd,
			     section ? " " : "", section ? section : "");
	return v;
}

/* Column col of iface's line in /proc/self/net/dev (this namespace's). */
static long long iface_stat(const char *iface, unsigned col)
{
	char line[512];
	long long v = -1;
	size_t n = strlen(iface);
	FILE *f = fopen("/proc/self/net/dev", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		const char *p = line;
		unsigned long long c[12];

		while (*p == ' ')
			p++;
		if (strncmp(p, iface, n) != 0 || p[n] != ':')
			continue;
		/* rx: bytes packets errs drop fifo frame compressed multicast;
		 * tx: bytes packets errs drop */
		if (sscanf(p + n + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &c[8], &c[9],
			   &c[10], &c[11]) == 12)
			v = (long long)c[col];
		break;
	}
	fclose(f);
	return v;
}

long long wf_e2e_iface_tx_dropped(const char *iface)
{
	return iface_stat(iface, 11);
}

long long wf_e2e_iface_rx_dropped(const char *iface)
{
	return iface_stat(iface, 3);
}

long long wf_e2e_udp_socket_drops(uint16_t port)
{
	char line[512];
	long long v = -1;
	FILE *f = fopen("/proc/self/net/udp", "r");

	if (!f)
		return -1;
	/* "sl local_address rem_address st ... ref pointer drops", the local
	 * address as hex "AABBCCDD:PPPP" */
	while (fgets(line, sizeof(line), f)) {
		unsigned lport;
		const char *last;
		char *end;

		if (sscanf(line, " %*u: %*x:%x", &lport) != 1 || lport != port)
			continue;
		end = line + strlen(line);
		while (end > line && (end[-1] == '\n' || end[-1] == ' '))
			*--end = '\0';
		last = strrchr(line, ' ');
		v = last ? atoll(last + 1) : -1;
		break;
	}
	fclose(f);
	return v;
}

long wf_e2e_vmrss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

long wf_e2e_smaps_rss_kb(pid_t pid, const char *name)
{
	char path[64], line[512];
	bool match = false;
	long kb, sum = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t key = strcspn(line, " \t\n");

		if (key && line[key - 1] != ':')	/* "start-end perms offset dev inode path" */
			match = strstr(line, name) != NULL;
		else if (match && sscanf(line, "Rss: %ld kB", &kb) == 1)
			sum += kb;
	}
	fclose(f);
	return sum;
}

int wf_e2e_raise_nofile(unsigned n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -errno;
	if (rl.rlim_cur >= n)
		return 0;
	if (rl.rlim_max < n)
		rl.rlim_max = n;	/* needs CAP_SYS_RESOURCE */
	rl.rlim_cur = n;
	return setrlimit(RLIMIT_NOFILE, &rl) == 0 ? 0 : -errno;
}

/* ---- test randomness ------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

void wf_e2e_seed(uint64_t seed)
{
	rng_state = seed ? seed : 0x9e3779b97f4a7c15ull;	/* xorshift: never 0 */
}

uint64_t wf_e2e_seed_from_clock(void)
{
	uint64_t seed = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid() ^ 0x9e3779b97f4a7c15ull;

	wf_e2e_seed(seed);
	return seed;
}

uint32_t wf_e2e_rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

void wf_e2e_rnd_fill(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)wf_e2e_rnd();
}

void wf_e2e_rnd_ice(char *out, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = a[wf_e2e_rnd() & 63];
	out[n] = '\0';
}

/* ---- failure lists -------------------------------------------------------- */

void wf_e2e_errlog_add(struct wf_e2e_errlog *e, const char *fmt, ...)
{
	va_list ap;

	if (e->n < WF_E2E_MAX_ERRS) {
		va_start(ap, fmt);
		vsnprintf(e->msg[e->n], sizeof(e->msg[0]), fmt, ap);
		va_end(ap);
	}
	e->n++;
}

void wf_e2e_errlog_report(const struct wf_e2e_errlog *e, const char *file, int line)
{
	unsigned i;

	for (i = 0; i < e->n && i < WF_E2E_MAX_ERRS; i++)
		wf_test_fail(file, line, "%s", e->msg[i]);
	if (e->n > WF_E2E_MAX_ERRS)
		wf_test_fail(file, line, "... %u more", e->n - WF_E2E_MAX_ERRS);
}
