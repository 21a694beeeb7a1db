/* record.h: DTLS 1.2 records of a connected session without OpenSSL's SSL.
 *
 * OpenSSL 3.0 keeps a DTLS session's record buffers and handshake state
 * for the life of the SSL (SSL_MODE_RELEASE_BUFFERS is ignored for DTLS):
 * some 70 KiB per session, against a few hundred bytes of SRTP state on a
 * worker.  Once a session has settled (connected long enough for the peer
 * to have retransmitted its last flight if ours was lost), lib/dtls frees
 * the SSL and keeps only what a connected WebRTC session still needs of
 * DTLS: opening the peer's records (its alerts: close_notify, fatal) and
 * sealing our close_notify.  That is the record keys from the TLS 1.2 key
 * block (RFC 5246 §6.3), the AEAD of the negotiated suite (AES-GCM, RFC
 * 5288 §3; ChaCha20-Poly1305, RFC 7905 §2), a replay window (RFC 6347
 * §4.1.2.6) and our write sequence number.  Epoch 1 only: whepfan never
 * renegotiates.
 *
 * Internal to lib/dtls (dtls.c); tested through it.
 */
#ifndef WF_DTLS_RECORD_H
#define WF_DTLS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#define WF_DTLS_REC_HDR		13	/* RFC 6347 §4.1 record header */
#define WF_DTLS_REC_KEY_MAX	32
#define WF_DTLS_REC_IV_MAX	12

enum wf_dtls_aead {
	WF_DTLS_AEAD_NONE = 0,
	WF_DTLS_AEAD_AES_128_GCM,
	WF_DTLS_AEAD_AES_256_GCM,
	WF_DTLS_AEAD_CHACHA20_POLY1305,
};

struct wf_dtls_rec {
	uint8_t aead;		/* enum wf_dtls_aead */
	uint8_t key_len;
	uint8_t iv_len;		/* 4 (GCM salt) or 12 (ChaCha20) */
	uint8_t overhead;	/* record bytes beyond the plaintext */
	uint8_t rkey[WF_DTLS_REC_KEY_MAX], riv[WF_DTLS_REC_IV_MAX];	/* the peer's */
	uint8_t wkey[WF_DTLS_REC_KEY_MAX], wiv[WF_DTLS_REC_IV_MAX];	/* ours */
	uint64_t r_top;		/* highest authenticated sequence number */
	uint64_t r_window;	/* bit i set: r_top - i was seen */
	bool r_any;
	uint64_t w_seq;		/* our next sequence number in epoch 1 */
};

/* The AEAD of the suite ssl negotiated (WF_DTLS_AEAD_NONE for any other). */
enum wf_dtls_aead wf_dtls_rec_aead_of(const SSL *ssl);

/* Record bytes an AEAD adds to the plaintext (0 for NONE). */
unsigned wf_dtls_rec_overhead(enum wf_dtls_aead a);

/* Derives the keys of ssl's connected session (we are the server when
 * server is set) into r, our next write sequence number being w_seq.
 * 0, or -ENOTSUP (not an AEAD suite of ours), -EIO (OpenSSL refused). */
int wf_dtls_rec_init(struct wf_dtls_rec *r, const SSL *ssl, bool server, uint64_t w_seq);

/* Opens one epoch-1 record rec[len] (header included, length field equal
 * to len - header): writes the plaintext to out[cap], its content type to
 * *type and returns its length; -EBADMSG when it does not authenticate,
 * is a replay or is malformed (nothing changes then).  The replay window
 * moves only for a record that authenticates. */
int wf_dtls_rec_open(struct wf_dtls_rec *r, const uint8_t *rec, size_t len, uint8_t *type,
		     uint8_t *out, size_t cap);

/* Seals pt[n] as one epoch-1 record of type into out[cap]; returns its
 * length or -EMSGSIZE / -EIO. */
int wf_dtls_rec_seal(struct wf_dtls_rec *r, uint8_t type, const uint8_t *pt, size_t n,
		     uint8_t *out, size_t cap);

/* Wipes the keys. */
void wf_dtls_rec_wipe(struct wf_dtls_rec *r);

#endif
