/* e2e_http.h: a plain HTTP/1.1 client for the end-to-end tests: one
 * request per connection (Connection: close), from a chosen source
 * address, with every wait bounded.  Used by tests/e2e/test_whep and
 * test_hostile_clients. */
#ifndef WF_TESTS_E2E_HTTP_H
#define WF_TESTS_E2E_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct wf_e2e_http_resp {
	int status;		/* -1: no response */
	char location[256];
	char etag[128];
	char ctype[128];
	char retry_after[32];
	char www_auth[160];
	char body[16384];
	size_t body_len;	/* what fits in body */
};

/* Where requests go: 127.0.0.1:port, from src ("127.0.0.3"; NULL: the
 * kernel's choice).  A body over max_body goes only after the headers
 * were answered or 1 s (times slow) passed: a server that refuses on the
 * headers answers without reading it.  timeout_ms bounds the whole
 * exchange. */
struct wf_e2e_http_to {
	const char *src;
	uint16_t port;
	size_t max_body;
	unsigned timeout_ms;
	unsigned slow;		/* WF_E2E_SLOW */
};

/* Fills *r from the raw response buf (NUL-terminated, got bytes; its
 * header block is cut at its end).  0, or -1 when it is not a response. */
int wf_e2e_http_parse(char *buf, size_t got, struct wf_e2e_http_resp *r);

/* Sends "method path" with the header lines extra (each ending in CRLF,
 * or NULL) and len bytes of body, and reads the whole response into *r.
 * Returns 0, or -1 when no response could be read. */
int wf_e2e_http(const struct wf_e2e_http_to *to, const char *method, const char *path,
		const char *extra, const char *body, size_t len, struct wf_e2e_http_resp *r);

/* The value of header name in the header block hdr (CRLF lines), copied
 * into out[cap]; "" when absent. */
void wf_e2e_header_of(const char *hdr, const char *name, char *out, size_t cap);

#endif
