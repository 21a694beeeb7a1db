/* e2e_http.c: the end-to-end tests' HTTP client (e2e_http.h). */
#include "common/e2e_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/e2e.h"

#define HEAD_MAX	1024
#define HEADERS_ROOM	4096	/* response headers on top of the body */

void wf_e2e_header_of(const char *hdr, const char *name, char *out, size_t cap)
{
	const char *p = hdr;
	size_t n = strlen(name);

	out[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (!strncasecmp(p, name, n) && p[n] == ':') {
			const char *v = p + n + 1, *e;

			v += strspn(v, " \t");
			e = strstr(v, "\r\n");
			if (!e)
				e = v + strlen(v);
			snprintf(out, cap, "%.*s", (int)(e - v), v);
			return;
		}
	}
}

/* A TCP connection from to->src to 127.0.0.1:to->port, or -1. */
static int connect_to(const struct wf_e2e_http_to *to)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(to->port) };
	struct sockaddr_in src = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (to->src && (inet_pton(AF_INET, to->src, &src.sin_addr) != 1 ||
			bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)) {
		close(fd);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int wf_e2e_http_parse(char *buf, size_t got, struct wf_e2e_http_resp *r)
{
	char *eoh;

	if (sscanf(buf, "HTTP/1.%*d %d", &r->status) != 1)
		return -1;
	eoh = strstr(buf, "\r\n\r\n");
	if (!eoh)
		return -1;
	eoh[2] = '\0';	/* headers end with their CRLF */
	wf_e2e_header_of(buf, "Location", r->location, sizeof(r->location));
	wf_e2e_header_of(buf, "ETag", r->etag, sizeof(r->etag));
	wf_e2e_header_of(buf, "Content-Type", r->ctype, sizeof(r->ctype));
	wf_e2e_header_of(buf, "Retry-After", r->retry_after, sizeof(r->retry_after));
	wf_e2e_header_of(buf, "WWW-Authenticate", r->www_auth, sizeof(r->www_auth));
	r->body_len = got - (size_t)(eoh + 4 - buf);
	if (r->body_len >= sizeof(r->body))
		r->body_len = sizeof(r->body) - 1;
	memcpy(r->body, eoh + 4, r->body_len);
	r->body[r->body_len] = '\0';
	return 0;
}

int wf_e2e_http(const struct wf_e2e_http_to *to, const char *method, const char *path,
		const char *extra, const char *body, size_t len, struct wf_e2e_http_resp *r)
{
	char buf[sizeof(r->body) + HEADERS_ROOM], head[HEAD_MAX];
	uint64_t deadline = wf_e2e_now_us() + (uint64_t)to->timeout_ms * 1000;
	struct pollfd pf;
	size_t got = 0;
	int fd, hn;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	fd = connect_to(to);
	if (fd < 0)
		return -1;
	hn = snprintf(head, sizeof(head),
		      "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: close\r\n%s"
		      "Content-Length: %zu\r\n\r\n", method, path, (unsigned)to->port,
		      extra ? extra : "", len);
	if (hn < 0 || (size_t)hn >= sizeof(head) ||
	    send(fd, head, (size_t)hn, MSG_NOSIGNAL) != hn)
		goto fail;
	pf = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (len > to->max_body && poll(&pf, 1, 1000 * (int)(to->slow ? to->slow : 1)) == 1) {
		/* refused on the headers: read the answer */
	} else if (len && send(fd, body, len, MSG_NOSIGNAL) != (ssize_t)len) {
		goto fail;
	}
	while (got < sizeof(buf) - 1 && wf_e2e_now_us() < deadline) {
		ssize_t n;

		if (poll(&pf, 1, 100) != 1)
			continue;
		n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return wf_e2e_http_parse(buf, got, r);
fail:
	close(fd);
	return -1;
}
