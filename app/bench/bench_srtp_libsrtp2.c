/* bench_srtp_libsrtp2.c: the "libsrtp2" engines of the SRTP benchmark,
 * the check that every engine's output is real SRTP, and the publishers'
 * packets the unprotect direction receives.
 *
 * The protect engine does what Janus and most C media servers do per
 * viewer and packet: copy the plaintext packet into the viewer's buffer,
 * rewrite the header, srtp_protect() in place with the viewer's own
 * srtp_t session (one SSRC-specific policy per session).  The unprotect
 * engine: copy the packet off the wire, srtp_unprotect() in place with the
 * publisher's session (an SSRC-any-inbound template, its stream made on
 * the first packet).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "bench/bench_srtp_engine.h"
#include "bench/bench_util.h"

struct wf_bench_libsrtp2 {
	const struct wf_bench_fixture *f;
	srtp_t *sess;		/* [viewers] */
	uint16_t *seq;		/* [viewers]: next sequence number */
	unsigned next;
};

/* srtp_init() once per process; later calls are cheap and harmless. */
static int libsrtp2_init_once(char *err, size_t err_cap)
{
	static int done;
	srtp_err_status_t st;

	if (done) return 0;
	st = srtp_init();
	if (st != srtp_err_status_ok) {
		snprintf(err, err_cap, "srtp_init failed (%d)", (int)st);
		return -1;
	}
	done = 1;
	return 0;
}

/* Fills pol for one stream of profile p keyed with key||salt (which must
 * stay valid until srtp_create() returns). */
static void libsrtp2_policy(srtp_policy_t *pol, enum wf_srtp_profile p, uint8_t *key_salt,
			    srtp_ssrc_type_t type, uint32_t ssrc)
{
	memset(pol, 0, sizeof(*pol));
	switch (p) {
	case WF_SRTP_AES128_CM_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtp);
		break;
	case WF_SRTP_AES128_CM_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol->rtp);
		break;
	case WF_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtp);
		break;
	default:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol->rtp);
		break;
	}
	pol->rtcp = pol->rtp;
	/* RFC 5764 §4.1.2: the _32 profile keeps an 80-bit SRTCP tag. */
	if (p == WF_SRTP_AES128_CM_SHA1_32)
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtcp);
	pol->ssrc.type = type;
	pol->ssrc.value = ssrc;
	pol->key = key_salt;
	pol->window_size = 128;
	pol->allow_repeat_tx = 0;
	pol->next = NULL;
}

/* Creates a session with one stream for viewer vw (outbound: protect, or
 * inbound: unprotect).  Returns 0 or -1 with err set. */
static int libsrtp2_session(srtp_t *s, const struct wf_bench_fixture *f,
			    const struct wf_bench_viewer *vw, int inbound,
			    char *err, size_t err_cap)
{
	uint8_t key_salt[WF_SRTP_MAX_MASTER_LEN];
	const struct wf_srtp_suite *su = f->suite;
	srtp_policy_t pol;
	srtp_err_status_t st;

	memcpy(key_salt, vw->master_key, su->master_key_len);
	memcpy(key_salt + su->master_key_len, vw->master_salt, su->master_salt_len);
	libsrtp2_policy(&pol, f->profile, key_salt, inbound ? ssrc_any_inbound : ssrc_specific,
			vw->ssrc);
	st = srtp_create(s, &pol);
	memset(key_salt, 0, sizeof(key_salt));
	if (st != srtp_err_status_ok) {
		snprintf(err, err_cap, "srtp_create(%s) failed (%d)", su->name, (int)st);
		*s = NULL;
		return -1;
	}
	return 0;
}

static void libsrtp2_destroy(void *st)
{
	struct wf_bench_libsrtp2 *l = st;

	if (l == NULL) return;
	if (l->sess != NULL)
		for (unsigned v = 0; v < l->f->viewers; v++)
			if (l->sess[v] != NULL) srtp_dealloc(l->sess[v]);
	free(l->sess);
	free(l->seq);
	free(l);
}

static void *libsrtp2_create(const struct wf_bench_fixture *f, char *err, size_t err_cap)
{
	struct wf_bench_libsrtp2 *l;

	if (libsrtp2_init_once(err, err_cap) != 0) return NULL;
	l = calloc(1, sizeof(*l));
	if (l == NULL) goto nomem;
	l->f = f;
	l->sess = calloc(f->viewers, sizeof(*l->sess));
	l->seq = calloc(f->viewers, sizeof(*l->seq));
	if (l->sess == NULL || l->seq == NULL) goto nomem;
	for (unsigned v = 0; v < f->viewers; v++) {
		if (libsrtp2_session(&l->sess[v], f, &f->viewer[v], 0, err, err_cap) != 0) {
			libsrtp2_destroy(l);
			return NULL;
		}
		l->seq[v] = f->viewer[v].seq0;
	}
	return l;
nomem:
	snprintf(err, err_cap, "out of memory");
	libsrtp2_destroy(l);
	return NULL;
}

/* The timed loop: copy, rewrite, protect, one packet at a time.  libsrtp2
 * keeps each stream's ROC itself. */
static int libsrtp2_run(void *st, uint64_t n, char *err, size_t err_cap)
{
	struct wf_bench_libsrtp2 *l = st;
	const struct wf_bench_fixture *f = l->f;
	unsigned next = l->next;

	for (uint64_t i = 0; i < n; i++) {
		uint8_t *out = wf_bench_out(f, next);
		int len = (int)f->size;
		srtp_err_status_t s;

		memcpy(out, f->plain, f->size);
		wf_bench_write_header(out, f->plain, l->seq[next]++, f->viewer[next].ssrc);
		s = srtp_protect(l->sess[next], out, &len);
		if (s != srtp_err_status_ok) {
			snprintf(err, err_cap, "srtp_protect failed (%d)", (int)s);
			return -1;
		}
		f->out_len[next] = (uint16_t)len;
		if (++next == f->viewers) next = 0;
	}
	l->next = next;
	return 0;
}

const struct wf_bench_engine_ops wf_bench_engine_libsrtp2 = {
	.name = "libsrtp2",
	.create = libsrtp2_create,
	.run = libsrtp2_run,
	.destroy = libsrtp2_destroy,
};

/* ---- unprotect ------------------------------------------------------------ */

struct wf_bench_libsrtp2_rx {
	const struct wf_bench_fixture *f;
	srtp_t *sess;		/* [viewers]: inbound, SSRC-any */
	unsigned *k;		/* [viewers]: next packet on the wire */
	unsigned next;
};

static void libsrtp2_rx_destroy(void *st)
{
	struct wf_bench_libsrtp2_rx *l = st;

	if (l == NULL) return;
	if (l->sess != NULL)
		for (unsigned v = 0; v < l->f->viewers; v++)
			if (l->sess[v] != NULL) srtp_dealloc(l->sess[v]);
	free(l->sess);
	free(l->k);
	free(l);
}

static void *libsrtp2_rx_create(const struct wf_bench_fixture *f, char *err, size_t err_cap)
{
	struct wf_bench_libsrtp2_rx *l;

	if (libsrtp2_init_once(err, err_cap) != 0) return NULL;
	l = calloc(1, sizeof(*l));
	if (l == NULL) goto nomem;
	l->f = f;
	l->sess = calloc(f->viewers, sizeof(*l->sess));
	l->k = calloc(f->viewers, sizeof(*l->k));
	if (l->sess == NULL || l->k == NULL) goto nomem;
	for (unsigned v = 0; v < f->viewers; v++) {
		if (libsrtp2_session(&l->sess[v], f, &f->viewer[v], 1, err, err_cap) != 0) {
			libsrtp2_rx_destroy(l);
			return NULL;
		}
	}
	return l;
nomem:
	snprintf(err, err_cap, "out of memory");
	libsrtp2_rx_destroy(l);
	return NULL;
}

/* The timed loop: copy off the wire, unprotect, one packet at a time.  At
 * the end of the wire the SSRC's stream is removed; the next packet makes
 * a new one from the session's template (keys shared, no derivation). */
static int libsrtp2_rx_run(void *st, uint64_t n, char *err, size_t err_cap)
{
	struct wf_bench_libsrtp2_rx *l = st;
	const struct wf_bench_fixture *f = l->f;
	unsigned next = l->next;

	for (uint64_t i = 0; i < n; i++) {
		uint8_t *buf = wf_bench_out(f, next);
		int len = (int)f->wire_len;
		srtp_err_status_t s;

		if (l->k[next] == f->wire_depth) {
			l->k[next] = 0;
			(void)srtp_remove_stream(l->sess[next], htonl(f->viewer[next].ssrc));
		}
		memcpy(buf, wf_bench_wire(f, next, l->k[next]++), f->wire_len);
		s = srtp_unprotect(l->sess[next], buf, &len);
		if (s != srtp_err_status_ok) {
			snprintf(err, err_cap, "srtp_unprotect failed (%d)", (int)s);
			return -1;
		}
		f->out_len[next] = (uint16_t)len;
		if (++next == f->viewers) next = 0;
	}
	l->next = next;
	return 0;
}

const struct wf_bench_engine_ops wf_bench_engine_libsrtp2_rx = {
	.name = "libsrtp2",
	.create = libsrtp2_rx_create,
	.run = libsrtp2_rx_run,
	.destroy = libsrtp2_rx_destroy,
};

int wf_bench_wire_fill(const struct wf_bench_fixture *f, uint8_t *wire, char *err,
		       size_t err_cap)
{
	if (libsrtp2_init_once(err, err_cap) != 0) return -1;
	for (unsigned v = 0; v < f->viewers; v++) {
		const struct wf_bench_viewer *vw = &f->viewer[v];
		srtp_t tx;

		if (libsrtp2_session(&tx, f, vw, 0, err, err_cap) != 0) return -1;
		for (unsigned k = 0; k < f->wire_depth; k++) {
			uint8_t *pkt = wire + ((size_t)v * f->wire_depth + k) * f->stride;
			int len = (int)f->size;
			srtp_err_status_t s;

			memcpy(pkt, f->plain, f->size);
			wf_bench_write_header(pkt, f->plain, (uint16_t)(vw->seq0 + k), vw->ssrc);
			s = srtp_protect(tx, pkt, &len);
			if (s != srtp_err_status_ok || len != (int)f->wire_len) {
				snprintf(err, err_cap, "libsrtp2 sender: srtp_protect failed (%d, %d bytes)",
					 (int)s, len);
				srtp_dealloc(tx);
				return -1;
			}
		}
		srtp_dealloc(tx);
	}
	return 0;
}

struct wf_bench_verifier {
	const struct wf_bench_fixture *f;
	srtp_t *rx;		/* [viewers]: one receiver session each */
	uint8_t *pkt;		/* scratch: one packet */
	uint8_t *expect;	/* the expected plaintext */
};

void wf_bench_verifier_free(struct wf_bench_verifier *vf)
{
	if (vf == NULL) return;
	if (vf->rx != NULL)
		for (unsigned v = 0; v < vf->f->viewers; v++)
			if (vf->rx[v] != NULL) srtp_dealloc(vf->rx[v]);
	free(vf->rx);
	free(vf->pkt);
	free(vf->expect);
	free(vf);
}

struct wf_bench_verifier *wf_bench_verifier_create(const struct wf_bench_fixture *f,
						   char *err, size_t err_cap)
{
	struct wf_bench_verifier *vf;

	if (libsrtp2_init_once(err, err_cap) != 0) return NULL;
	vf = calloc(1, sizeof(*vf));
	if (vf == NULL) goto nomem;
	vf->f = f;
	vf->rx = calloc(f->viewers, sizeof(*vf->rx));
	vf->pkt = wf_bench_alloc(f->stride + SRTP_MAX_TRAILER_LEN);
	vf->expect = wf_bench_alloc(f->size);
	if (vf->rx == NULL || vf->pkt == NULL || vf->expect == NULL) goto nomem;
	for (unsigned v = 0; v < f->viewers; v++) {
		if (libsrtp2_session(&vf->rx[v], f, &f->viewer[v], 1, err, err_cap) != 0) {
			wf_bench_verifier_free(vf);
			return NULL;
		}
	}
	memcpy(vf->expect, f->plain, f->size);
	return vf;
nomem:
	snprintf(err, err_cap, "out of memory");
	wf_bench_verifier_free(vf);
	return NULL;
}

int wf_bench_verify_pass(struct wf_bench_verifier *vf, unsigned pass, const uint8_t *ref,
			 const uint16_t *ref_len, char *err, size_t err_cap)
{
	const struct wf_bench_fixture *f = vf->f;
	unsigned want_len = f->size + f->suite->rtp_tag_len;

	for (unsigned v = 0; v < f->viewers; v++) {
		const struct wf_bench_viewer *vw = &f->viewer[v];
		const uint8_t *got = wf_bench_out(f, v);
		unsigned got_len = f->out_len[v];
		srtp_err_status_t s;
		int len = (int)got_len;

		if (got_len != want_len) {
			snprintf(err, err_cap, "packet %u of viewer %u: protected length %u, want %u",
				 pass, v, got_len, want_len);
			return -1;
		}
		if (ref != NULL && (ref_len[v] != got_len ||
				    memcmp(ref + (size_t)v * f->stride, got, got_len) != 0)) {
			snprintf(err, err_cap, "packet %u of viewer %u differs from the first engine's",
				 pass, v);
			return -1;
		}
		memcpy(vf->pkt, got, got_len);
		s = srtp_unprotect(vf->rx[v], vf->pkt, &len);
		if (s != srtp_err_status_ok) {
			snprintf(err, err_cap, "packet %u of viewer %u: libsrtp2 srtp_unprotect failed (%d)",
				 pass, v, (int)s);
			return -1;
		}
		wf_bench_write_header(vf->expect, f->plain, (uint16_t)(vw->seq0 + pass), vw->ssrc);
		if (len != (int)f->size || memcmp(vf->pkt, vf->expect, f->size) != 0) {
			snprintf(err, err_cap, "packet %u of viewer %u: unprotected packet differs from the plaintext",
				 pass, v);
			return -1;
		}
	}
	return 0;
}
