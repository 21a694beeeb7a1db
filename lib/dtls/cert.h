/* cert.h: the DTLS certificate of whepfan and sha-256 fingerprints.
 *
 * WebRTC peers authenticate each other by certificate fingerprint, carried
 * in SDP (a=fingerprint, RFC 8122 §5), not by a CA: a self-signed
 * certificate generated at start is the normal case (RFC 8827 §6.5).  One
 * struct wf_dtls_cert serves every session; the SSL_CTXs built from it
 * (dtls.h) keep their own references, so it may be freed after that.
 */
#ifndef WF_DTLS_CERT_H
#define WF_DTLS_CERT_H

#include <stdint.h>

#include <openssl/types.h>

#define WF_DTLS_FP_LEN		32	/* sha-256 */
#define WF_DTLS_FP_STRLEN	(WF_DTLS_FP_LEN * 3)	/* "AB:..:EF" + NUL */

struct wf_dtls_cert;

/* Generates an ECDSA P-256 key and a self-signed X.509 v3 certificate (CN
 * "whepfan", random 63-bit serial, valid from 30 days ago to 30 days from
 * now, signed with ecdsa-with-SHA256).  NULL with errno ENOMEM/EIO. */
struct wf_dtls_cert *wf_dtls_cert_generate(void);

/* Loads a certificate (first PEM certificate of cert_path) and its private
 * key (key_path).  NULL with errno: the fopen() error (ENOENT, EACCES...),
 * EBADMSG when a file holds no readable PEM object, EKEYREJECTED when the
 * key does not belong to the certificate. */
struct wf_dtls_cert *wf_dtls_cert_load(const char *cert_path, const char *key_path);

void wf_dtls_cert_free(struct wf_dtls_cert *c);

/* The certificate's sha-256 fingerprint as SDP wants it (RFC 8122 §5):
 * "AB:CD:...", 95 characters of uppercase hex pairs. Owned by c. */
const char *wf_dtls_cert_fingerprint(const struct wf_dtls_cert *c);
/* The same 32 bytes, raw. */
void wf_dtls_cert_fingerprint_raw(const struct wf_dtls_cert *c, uint8_t fp[WF_DTLS_FP_LEN]);

/* Writes fp as "AB:CD:..." into out (WF_DTLS_FP_STRLEN bytes). */
void wf_dtls_fingerprint_format(const uint8_t fp[WF_DTLS_FP_LEN], char out[WF_DTLS_FP_STRLEN]);

/* Writes cert and key as PEM files (mode 0600 for the key), so a generated
 * certificate can be kept across restarts.  0 or -errno. */
int wf_dtls_cert_save(const struct wf_dtls_cert *c, const char *cert_path, const char *key_path);

/* The OpenSSL objects, for building an SSL_CTX (references stay c's). */
X509 *wf_dtls_cert_x509(const struct wf_dtls_cert *c);
EVP_PKEY *wf_dtls_cert_pkey(const struct wf_dtls_cert *c);

#endif
