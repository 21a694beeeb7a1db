/* http_ops.h: the session layer as the WHEP/HTTP router calls it
 * (http_router.h): session.h's functions in whepfan (http.c), fakes in
 * tests and the fuzz target.
 */
#ifndef WF_HTTP_OPS_H
#define WF_HTTP_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "whep/session.h"

#define WF_HTTP_ANSWER_MAX	(32 * 1024)	/* an SDP answer, the most offer() writes */

struct wf_http_ops {
	/* role: WHEP's viewer or WHIP's publisher (the route's); client: the
	 * client key admission counts (xff.h); see wf_session_offer() */
	void (*offer)(enum wf_session_role role, const char *stream, uint64_t client,
		      const char *offer, size_t len, char *answer, size_t cap,
		      struct wf_whep_result *r);
	int (*del)(enum wf_session_role role, const char *stream, const char *id);
	int (*patch)(enum wf_session_role role, const char *stream, const char *id,
		     const char *frag, size_t len, char *reason, size_t reason_cap);
	const char *(*etag)(const char *id);
	/* GET /metrics: the Prometheus text, a heap string of *len bytes
	 * the caller frees, or NULL (wf_metrics_text(), metrics.h; NULL at
	 * wf_http_init_ops(): that one) */
	char *(*metrics)(size_t *len);
};

#endif
