/* bench_srtp_engine.h: what the SRTP benchmark's engines share: the fixture
 * (the source packet, the viewers, their output buffers) and the interface
 * each engine implements.  Internal to app/bench.
 *
 * Every engine protects the same packet for the same viewers under the same
 * master keys, SSRCs and starting sequence numbers, so the first packet of
 * each viewer must come out byte-identical from all three engines: the
 * benchmark checks that (and that libsrtp2 unprotects it) before timing.
 */
#ifndef WF_BENCH_SRTP_ENGINE_H
#define WF_BENCH_SRTP_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "srtp/srtp.h"

/* One viewer as the fan-out sees it. */
struct wf_bench_viewer {
	uint8_t master_key[WF_SRTP_MAX_MASTER_KEY];
	uint8_t master_salt[WF_SRTP_MAX_MASTER_SALT];
	uint32_t ssrc;
	uint16_t seq0;		/* sequence number of its first packet; ROC 0 */
};

struct wf_bench_fixture {
	enum wf_srtp_profile profile;
	const struct wf_srtp_suite *suite;
	enum wf_srtp_arch arch;		/* whepfan's manager for this profile */
	unsigned size;			/* plaintext RTP packet bytes */
	unsigned payload_len;		/* size - WF_RTP_MIN_HEADER */
	unsigned viewers;
	unsigned burst;
	const uint8_t *plain;		/* the source packet (64-byte aligned) */
	const struct wf_bench_viewer *viewer;	/* [viewers] */
	uint8_t *out;			/* viewer v's buffer: out + v * stride */
	size_t stride;			/* >= size + trailer, multiple of 64 */
	uint16_t *out_len;		/* [viewers]: last protected length */
	/* The unprotect direction: what the publishers sent.  Each viewer (a
	 * publisher's SSRC) has wire_depth SRTP packets, sequence numbers
	 * seq0, seq0 + 1, ..., protected by libsrtp2, each wire_len bytes;
	 * NULL when protecting. */
	const uint8_t *wire;
	unsigned wire_depth;
	unsigned wire_len;
};

static inline uint8_t *wf_bench_out(const struct wf_bench_fixture *f, unsigned v)
{
	return f->out + (size_t)v * f->stride;
}

/* Viewer v's k-th SRTP packet on the wire (unprotect direction). */
static inline const uint8_t *wf_bench_wire(const struct wf_bench_fixture *f, unsigned v,
					   unsigned k)
{
	return f->wire + ((size_t)v * f->wire_depth + k) * f->stride;
}

/* Writes viewer's RTP header at out: the source header with this viewer's
 * sequence number and SSRC (RFC 3550 §5.1), as the fan-out rewrites it. */
static inline void wf_bench_write_header(uint8_t *out, const uint8_t *src,
					 uint16_t seq, uint32_t ssrc)
{
	memcpy(out, src, WF_RTP_MIN_HEADER);
	out[2] = (uint8_t)(seq >> 8);
	out[3] = (uint8_t)seq;
	out[8] = (uint8_t)(ssrc >> 24);
	out[9] = (uint8_t)(ssrc >> 16);
	out[10] = (uint8_t)(ssrc >> 8);
	out[11] = (uint8_t)ssrc;
}

/* An engine.  create() sets up per-viewer state (keys, contexts) with every
 * viewer at its seq0, or returns NULL after writing why into err.  run()
 * protects n packets, viewers taken in turn (0, 1, ..., viewers-1, 0, ...,
 * continuing where the last call stopped), each into its viewer's buffer,
 * setting out_len[v]; it allocates nothing.  Returns 0, or -1 when a packet
 * failed (then err says why). */
struct wf_bench_engine_ops {
	const char *name;
	void *(*create)(const struct wf_bench_fixture *f, char *err, size_t err_cap);
	int (*run)(void *st, uint64_t n, char *err, size_t err_cap);
	void (*destroy)(void *st);
};

extern const struct wf_bench_engine_ops wf_bench_engine_whepfan;
extern const struct wf_bench_engine_ops wf_bench_engine_libsrtp2;
extern const struct wf_bench_engine_ops wf_bench_engine_openssl;

/* The unprotect direction (the ingest case).  run() takes each viewer's
 * next packet from the wire (wf_bench_wire, k = 0, 1, ...), copies it
 * into the viewer's buffer as a NIC would, unprotects it there in place
 * and sets out_len[v] to the plaintext length.  After wire_depth packets
 * a viewer starts again at k = 0 and its receiver forgets the SSRC (its
 * replay state starts anew: the same packets would be replays), each
 * engine the cheapest way it has.  Every engine checks the replay window
 * and estimates the ROC (RFC 3711 §3.3). */
extern const struct wf_bench_engine_ops wf_bench_engine_whepfan_rx;
extern const struct wf_bench_engine_ops wf_bench_engine_whepfan_rx_single;
extern const struct wf_bench_engine_ops wf_bench_engine_libsrtp2_rx;
extern const struct wf_bench_engine_ops wf_bench_engine_openssl_rx;

/* Fills the fixture's wire (its buffer, wire_depth and wire_len set by the
 * caller) with every viewer's packets, protected by a libsrtp2 sender per
 * viewer: the source packet with the viewer's SSRC and sequence numbers.
 * Returns 0 or -1 with err set. */
int wf_bench_wire_fill(const struct wf_bench_fixture *f, uint8_t *wire, char *err,
		       size_t err_cap);

/* The next (seq, roc) after a packet with seq: the ROC counts wraps of the
 * 16-bit sequence number (RFC 3711 §3.3.1). */
static inline void wf_bench_seq_next(uint16_t *seq, uint32_t *roc)
{
	if (++*seq == 0) ++*roc;
}

/* The check every engine passes before it is timed: a libsrtp2 receiver
 * per viewer (SSRC-any-inbound session under the viewer's master key).
 * After an engine, fresh from create(), has run f->viewers packets `pass`
 * times before (pass 0, 1, ...), wf_bench_verify_pass() checks that every
 * viewer's buffer holds its packet number `pass` at the right length, that
 * libsrtp2 unprotects it to the expected plaintext (sequence seq0 + pass;
 * the ROC follows a wrap), and, when ref is not NULL, that it is byte for
 * byte the same as ref's copy (another engine's output of the same pass,
 * laid out as f->out with lengths ref_len).  Returns 0 or -1 with err set. */
struct wf_bench_verifier;
struct wf_bench_verifier *wf_bench_verifier_create(const struct wf_bench_fixture *f,
						   char *err, size_t err_cap);
int wf_bench_verify_pass(struct wf_bench_verifier *vf, unsigned pass, const uint8_t *ref,
			 const uint16_t *ref_len, char *err, size_t err_cap);
void wf_bench_verifier_free(struct wf_bench_verifier *vf);

#endif
