/* srtp.h: SRTP and SRTCP (RFC 3711, RFC 7714) on Intel ipsec-mb, in bursts.
 *
 * The fan-out case is the one this library is shaped for: one plaintext RTP
 * packet becomes N viewers' SRTP packets, each under the viewer's own keys.
 * The caller writes each viewer's RTP header into that viewer's output
 * buffer; wf_srtp_protect_burst() then writes the ciphertext of the shared
 * payload after it, out of place, and appends the tag.  The copy per viewer
 * *is* the encryption: nothing is copied twice.
 *
 * Objects:
 *  - struct wf_srtp_engine: one per thread (per lcore).  Holds the ipsec-mb
 *    managers and job scratch.  Not thread-safe; never shared.
 *  - struct wf_srtp_keys: session keys derived from one master key and salt
 *    for one of SRTP or SRTCP, for one direction.  Plain memory, no pointers
 *    to free, safe to embed in a viewer's state and to copy by value between
 *    threads (the slow path derives, a worker uses).
 *  - struct wf_srtp_replay: the receiver's state for one SSRC: rollover
 *    counter estimation and the replay window (SRTP), or the SRTCP index
 *    window.
 *
 * The sender keeps its own packet index (ROC << 16 | SEQ, RFC 3711 §3.3.1)
 * and SRTCP index and passes them in: a fan-out worker already tracks each
 * viewer's sequence number, so it owns the ROC too.
 *
 * Functions return 0 (or a count) on success and a negative WF_SRTP_E_*
 * value on failure; wf_srtp_strerror() names it.  No function reads or
 * writes outside the lengths and capacities it is given.
 */
#ifndef WF_SRTP_H
#define WF_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The protection profiles, by their RFC 5764 / RFC 7714 names. */
enum wf_srtp_profile {
	WF_SRTP_AES128_CM_SHA1_80 = 0,	/* AES_CM_128_HMAC_SHA1_80 */
	WF_SRTP_AES128_CM_SHA1_32,	/* AES_CM_128_HMAC_SHA1_32 */
	WF_SRTP_AEAD_AES_128_GCM,	/* AEAD_AES_128_GCM */
	WF_SRTP_AEAD_AES_256_GCM,	/* AEAD_AES_256_GCM */
	WF_SRTP_PROFILE_COUNT
};

/* One row of the cipher-suite table (see wf_srtp_suites in srtp.c). */
struct wf_srtp_suite {
	enum wf_srtp_profile profile;
	const char *name;	/* SDES / RFC name, e.g. "AEAD_AES_128_GCM" */
	const char *dtls_name;	/* OpenSSL use_srtp name, e.g. "SRTP_AEAD_AES_128_GCM" */
	uint16_t dtls_id;	/* SRTPProtectionProfile, RFC 5764 §4.1.2, RFC 7714 §14.2 */
	uint8_t master_key_len;	/* bytes */
	uint8_t master_salt_len;
	uint8_t rtp_tag_len;	/* bytes appended to an SRTP packet */
	uint8_t rtcp_tag_len;	/* bytes of tag in an SRTCP packet (not the index) */
	bool aead;		/* AES-GCM: one pass, tag over AAD + ciphertext */
};

#define WF_SRTP_MAX_MASTER_KEY	32
#define WF_SRTP_MAX_MASTER_SALT	14
#define WF_SRTP_MAX_MASTER_LEN	(WF_SRTP_MAX_MASTER_KEY + WF_SRTP_MAX_MASTER_SALT)
/* Most bytes protection adds: SRTP tag 16 (GCM); SRTCP index 4 + tag 16. */
#define WF_SRTP_MAX_TRAILER	16
#define WF_SRTCP_MAX_TRAILER	20
#define WF_RTP_MIN_HEADER	12
#define WF_RTCP_MIN_HEADER	8

/* Errors, with the reason each names (X-macro: enum and strings). */
#define WF_SRTP_ERRORS(_) \
	_(TOO_SHORT,     "packet shorter than its header and tag") \
	_(BAD_VERSION,   "RTP/RTCP version is not 2") \
	_(BAD_HEADER,    "header (CSRC list or extension) runs past the packet") \
	_(AUTH_FAIL,     "authentication tag does not match") \
	_(REPLAY,        "packet index already received (replay)") \
	_(TOO_OLD,       "packet index older than the replay window") \
	_(UNKNOWN_SSRC,  "no context for this SSRC") \
	_(NO_ROOM,       "output buffer too small") \
	_(TOO_LONG,      "packet longer than the library accepts") \
	_(INDEX_LIMIT,   "packet index exhausted; a new master key is needed") \
	_(BAD_PARAM,     "invalid argument (profile, key length or state)") \
	_(CRYPTO,        "the crypto library refused the job")

enum wf_srtp_error {
	WF_SRTP_OK = 0,
#define WF_SRTP_ENUM_(n, s) WF_SRTP_E_##n,
	WF_SRTP_ERRORS(WF_SRTP_ENUM_)
#undef WF_SRTP_ENUM_
	WF_SRTP_E_COUNT
};

/* Largest packet accepted (an Ethernet MTU's worth is far below it). */
#define WF_SRTP_MAX_PACKET	4096

/* ipsec-mb "architecture manager" choice. */
enum wf_srtp_arch {
	WF_SRTP_ARCH_AUTO = 0,	/* ipsec-mb's own pick (init_mb_mgr_auto) */
	WF_SRTP_ARCH_SSE,
	WF_SRTP_ARCH_AVX2,
	WF_SRTP_ARCH_AVX512,
	WF_SRTP_ARCH_COUNT
};

/* Session keys for SRTP or SRTCP of one direction.  Layout is private to
 * srtp.c; the size is fixed so callers can embed it.  64-byte aligned. */
struct wf_srtp_keys {
	uint8_t opaque[1152];
} __attribute__((aligned(64)));

/* The first bytes of a wf_srtp_keys a job reads: its checks and salt,
 * then the AES round keys (the GHASH tables follow). */
#define WF_SRTP_KEYS_HEAD 320

/* Starts loading the head of k into the cache ahead of a job that uses
 * it: a fan-out visits one viewer's keys after another, too many for the
 * CPU's cache and in an order its prefetcher cannot guess.  Fetching the
 * whole key (17 lines) measured slower with 1,000 viewers: the loads
 * queue up behind the copy's own (docs/performance.md). */
static inline void wf_srtp_keys_prefetch(const struct wf_srtp_keys *k)
{
	unsigned off;

	for (off = 0; off < WF_SRTP_KEYS_HEAD; off += 64)
		__builtin_prefetch(k->opaque + off, 0, 3);
}

/* What the keys are for: RFC 3711 §4.3.1 uses different labels. */
enum wf_srtp_kind { WF_SRTP_KIND_RTP = 0, WF_SRTP_KIND_RTCP = 1 };

/* Receiver state for one SSRC (SRTP) or one sender (SRTCP).  Its replay
 * window spans WF_SRTP_REPLAY_WINDOW (64) indexes below top, RFC 3711's
 * minimum, unless the receiver set size before the first packet: a
 * multiple of 64 up to WF_SRTP_REPLAY_WINDOW_MAX.  A publisher's tracks
 * take the most: a packet resent after a NACK arrives a round trip late,
 * behind a key frame's burst of newer ones (browsers' receivers use 1,024
 * too).  Zeroed, it is a fresh state of 64. */
#define WF_SRTP_REPLAY_WINDOW		64
#define WF_SRTP_REPLAY_WINDOW_MAX	1024
struct wf_srtp_replay {
	uint64_t top;		/* highest authenticated index (48-bit SRTP, 31-bit SRTCP) */
	/* bit i % 64 of word i / 64 set: index top - i received */
	uint64_t window[WF_SRTP_REPLAY_WINDOW_MAX / 64];
	uint16_t size;		/* indexes the window spans; 0: WF_SRTP_REPLAY_WINDOW */
	bool started;
};

/* One viewer's copy in a protect burst.  The caller has written the RTP
 * header (hdr_len bytes, already rewritten for this viewer) at out[0].  The
 * engine writes the encrypted payload at out[hdr_len] and the tag after it.
 * payload may be shared by every job of a burst. */
struct wf_srtp_job {
	const struct wf_srtp_keys *keys;	/* WF_SRTP_KIND_RTP keys */
	const uint8_t *payload;
	uint8_t *out;
	uint32_t roc;		/* sender's rollover counter for this packet */
	uint16_t hdr_len;
	uint16_t payload_len;
	uint16_t out_cap;	/* bytes writable at out */
	/* results */
	uint16_t out_len;	/* hdr_len + payload_len + tag */
	int16_t status;		/* 0 or -WF_SRTP_E_* */
};

/* Largest burst one call takes; longer arrays are processed in chunks. */
#define WF_SRTP_BURST_MAX	64

/* One received SRTP packet in an unprotect burst (the ingest case: a
 * publisher's packets, unprotected in place).  Jobs of one burst may share
 * a replay state: packets of one SSRC, in the order they arrived. */
struct wf_srtp_rx_job {
	const struct wf_srtp_keys *keys;	/* WF_SRTP_KIND_RTP keys */
	struct wf_srtp_replay *replay;		/* receiver state of the packet's SSRC */
	uint8_t *pkt;		/* the SRTP packet; its payload is decrypted in place */
	uint16_t len;		/* bytes at pkt, tag included */
	/* results */
	uint16_t out_len;	/* plaintext length (header + payload); 0 on failure */
	int16_t status;		/* 0 or -WF_SRTP_E_* */
	uint64_t index;		/* 48-bit packet index, ROC << 16 | SEQ; 0 on failure */
};

struct wf_srtp_engine;

/* Suite table lookups: NULL / -WF_SRTP_E_BAD_PARAM when unknown. */
const struct wf_srtp_suite *wf_srtp_suite(enum wf_srtp_profile p);
int wf_srtp_profile_by_name(const char *name);	/* SDES or DTLS name */
int wf_srtp_profile_by_dtls_id(uint16_t id);
const char *wf_srtp_strerror(int err);		/* takes 0 or -WF_SRTP_E_* */
/* Counter name of an error: "auth_fail", "replay"...; "ok" for 0. */
const char *wf_srtp_err_name(int err);
const char *wf_srtp_arch_name(enum wf_srtp_arch a);
int wf_srtp_arch_by_name(const char *name);	/* "auto", "sse", "avx2", "avx512" */
bool wf_srtp_arch_supported(enum wf_srtp_arch a);

/* Creates an engine.  arch[p] names the manager used for profile p; NULL
 * means WF_SRTP_ARCH_AUTO for all.  Returns NULL with errno set (ENOTSUP
 * when an arch is not supported by this CPU, ENOMEM). */
struct wf_srtp_engine *wf_srtp_engine_create(const enum wf_srtp_arch arch[WF_SRTP_PROFILE_COUNT]);
void wf_srtp_engine_free(struct wf_srtp_engine *e);
/* The arch actually used for profile p (AUTO resolved to what ipsec-mb chose). */
enum wf_srtp_arch wf_srtp_engine_arch(const struct wf_srtp_engine *e, enum wf_srtp_profile p);

/* Measures each supported arch on 1200-byte fan-out bursts of profile p and
 * writes the fastest to best[p], for every profile.  Takes a few ms. */
int wf_srtp_arch_measure(enum wf_srtp_arch best[WF_SRTP_PROFILE_COUNT]);

/* Derives session keys (RFC 3711 §4.3 AES-CM PRF, key derivation rate 0;
 * RFC 7714 §11 for GCM) from a master key and salt of the profile's
 * lengths.  The keys only work with engines whose arch for this profile is
 * the same as e's (GCM key tables are arch-specific).  Returns 0 or
 * -WF_SRTP_E_BAD_PARAM. */
int wf_srtp_keys_derive(struct wf_srtp_engine *e, struct wf_srtp_keys *k,
			enum wf_srtp_profile p, enum wf_srtp_kind kind,
			const uint8_t *master_key, size_t key_len,
			const uint8_t *master_salt, size_t salt_len);
/* Zeroes key material. */
void wf_srtp_keys_wipe(struct wf_srtp_keys *k);
enum wf_srtp_profile wf_srtp_keys_profile(const struct wf_srtp_keys *k);

/* Protects n jobs (any n; internally WF_SRTP_BURST_MAX at a time), each
 * job with its own keys (profiles may be mixed; same-profile runs are
 * submitted together).  Sets each job's status and out_len.  Returns the
 * number of jobs that succeeded. */
unsigned wf_srtp_protect_burst(struct wf_srtp_engine *e, struct wf_srtp_job *jobs, unsigned n);

/* Single-packet sender APIs, in place: pkt holds len bytes of RTP (RTCP)
 * and has room for cap bytes.  *out_len receives the protected length.
 * SRTP: the packet index is (roc << 16 | seq from the header).
 * SRTCP: *index is the sender's SRTCP index, used then incremented (RFC
 * 3711 §3.4 starts it at 0; libsrtp2 starts at 1: either is valid);
 * -WF_SRTP_E_INDEX_LIMIT past 2^31 - 1 (RFC 3711 §3.4).  Returns 0 or -err. */
int wf_srtp_protect(struct wf_srtp_engine *e, const struct wf_srtp_keys *k,
		    uint32_t roc, uint8_t *pkt, size_t len, size_t cap, size_t *out_len);
int wf_srtcp_protect(struct wf_srtp_engine *e, const struct wf_srtp_keys *k,
		     uint32_t *index, uint8_t *pkt, size_t len, size_t cap, size_t *out_len);

/* Receiver APIs, in place.  The tag is checked (in constant time) before
 * anything in the packet is trusted; the replay state r is only updated
 * after the packet authenticated.  *out_len receives the plaintext length.
 * SRTP: the ROC is estimated from r (RFC 3711 §3.3.1); *index_out, if not
 * NULL, receives the 48-bit packet index.  SRTCP: a packet whose E bit is
 * clear was sent unencrypted (RFC 3711 §3.4 allows it); it is accepted when
 * its tag verifies and returned as is.  Returns 0 or -err. */
int wf_srtp_unprotect(struct wf_srtp_engine *e, const struct wf_srtp_keys *k,
		      struct wf_srtp_replay *r, uint8_t *pkt, size_t len,
		      size_t *out_len, uint64_t *index_out);
int wf_srtcp_unprotect(struct wf_srtp_engine *e, const struct wf_srtp_keys *k,
		       struct wf_srtp_replay *r, uint8_t *pkt, size_t len,
		       size_t *out_len);

/* Unprotects n received SRTP packets (any n; WF_SRTP_BURST_MAX at a time),
 * in place, profiles mixed, jobs sharing replay states or not.  Each job
 * gets exactly the status, plaintext, out_len and index that
 * wf_srtp_unprotect() would give if the jobs were passed to it one by one
 * in array order, and the replay states end as they would: a packet's ROC
 * is estimated from its state as the earlier authentic packets of the
 * burst leave it; a repeat within the burst is a replay; a packet that
 * fails (a forged tag) changes no state and leaves its bytes as they came.
 * The tags of the AES-CM packets are computed in one ipsec-mb burst per
 * profile, then checked in constant time before anything else; how the
 * ROC and window are handled inside a burst: docs/architecture.md.  No
 * allocation, locks or logs.  Returns the number of jobs that succeeded.
 *
 * The jobs' packets must not overlap (pkt[0, len) of one job inside
 * another's): the AES-CM tags are computed for all jobs before any is
 * settled, so two jobs on one buffer (a retry with a second key, say) need
 * two calls.  Two exceptions to "as one by one": a packet whose cipher
 * ipsec-mb refused after its tag verified (it does not refuse well-formed
 * jobs) fails with -WF_SRTP_E_CRYPTO yet its index stays received; and a
 * packet after a forged one of the same state whose index estimate the
 * forgery moved is hashed again alone, so a spoofed packet costs the
 * genuine ones after it the burst's speed (at most one more HMAC each),
 * never their verdict. */
unsigned wf_srtp_unprotect_burst(struct wf_srtp_engine *e, struct wf_srtp_rx_job *jobs,
				 unsigned n);

/* Parses the RTP header length (fixed header, CSRCs, extension): returns
 * the header length or -WF_SRTP_E_TOO_SHORT/BAD_VERSION/BAD_HEADER. */
int wf_srtp_rtp_header_len(const uint8_t *pkt, size_t len);

#endif
