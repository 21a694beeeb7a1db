/* e2e.c: helpers for the end-to-end tests (e2e.h). */
#include "common/e2e.h"
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

uint64_t wf_e2e_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint32_t wf_e2e_rand32(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return (uint32_t)((*state * 2685821657736338717ull) >> 32);
}

void wf_e2e_rand_ice(uint64_t *state, char *out, size_t n)
{
	static const char ice[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = ice[wf_e2e_rand32(state) & 63];
	out[n] = '\0';
}

void wf_e2e_errlog_add(struct wf_e2e_errlog *e, const char *fmt, ...)
{
	va_list ap;

	if (e->n < WF_E2E_ERRS) {
		va_start(ap, fmt);
		vsnprintf(e->msg[e->n], sizeof(e->msg[0]), fmt, ap);
		va_end(ap);
	}
	e->n++;
}

void wf_e2e_errlog_report(const struct wf_e2e_errlog *e, const char *who)
{
	unsigned i;

	for (i = 0; i < e->n && i < WF_E2E_ERRS; i++)
		wf_test_fail(__FILE__, __LINE__, "%s: %s", who, e->msg[i]);
	if (e->n > WF_E2E_ERRS)
		wf_test_fail(__FILE__, __LINE__, "%s: ... %u more", who, e->n - WF_E2E_ERRS);
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
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	inet_pton(AF_INET, addr, &sa.sin_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
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
	if (wf_e2e_sh("ip addr add %s dev %s && ip link set %s up", kern_cidr, p->iface,
		      p->iface) != 0)
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

/* The value of header name in the CRLF header block hdr into out[cap]
 * ("" when absent). */
static void http_header(const char *hdr, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);
	const char *p = hdr;

	out[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL) {
		const char *v, *e;

		p += 2;
		if (strncasecmp(p, name, n) || p[n] != ':')
			continue;
		v = p + n + 1 + strspn(p + n + 1, " \t");
		e = strstr(v, "\r\n");
		snprintf(out, cap, "%.*s", (int)(e ? e - v : (long)strlen(v)), v);
		return;
	}
}

/* Reads from fd until the peer closes, up to cap - 1 bytes or deadline. */
static size_t http_read_all(int fd, char *buf, size_t cap, uint64_t deadline)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	size_t got = 0;

	while (got < cap - 1 && wf_e2e_now_us() < deadline) {
		ssize_t n;

		if (poll(&pf, 1, 100) != 1)
			continue;
		n = recv(fd, buf + got, cap - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return got;
}

int wf_e2e_http(const char *src, uint16_t port, const char *method, const char *path,
		const char *extra, const char *body, size_t len, struct wf_e2e_http_resp *r)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_in from = { .sin_family = AF_INET };
	char head[1024], *eoh;
	size_t got;
	int fd, hn;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	if (src && (inet_pton(AF_INET, src, &from.sin_addr) != 1 ||
		    bind(fd, (struct sockaddr *)&from, sizeof(from)) < 0))
		goto fail;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	hn = snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
		      "Connection: close\r\n%sContent-Length: %zu\r\n\r\n", method, path, port,
		      extra ? extra : "", len);
	if (hn < 0 || (size_t)hn >= sizeof(head) ||
	    send(fd, head, (size_t)hn, MSG_NOSIGNAL) != hn ||
	    (len && send(fd, body, len, MSG_NOSIGNAL) != (ssize_t)len))
		goto fail;
	got = http_read_all(fd, r->raw, sizeof(r->raw),
			    wf_e2e_now_us() + 5000000ull * WF_E2E_SLOW);
	close(fd);
	eoh = strstr(r->raw, "\r\n\r\n");
	if (sscanf(r->raw, "HTTP/1.%*d %d", &r->status) != 1 || !eoh)
		return -EIO;
	eoh[2] = '\0';	/* the headers keep their last CRLF */
	http_header(r->raw, "Location", r->location, sizeof(r->location));
	r->body = eoh + 4;
	r->body_len = got - (size_t)(r->body - r->raw);
	return 0;
fail:
	close(fd);
	return -EIO;
}
