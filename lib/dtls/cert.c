/* cert.c: generating, loading and fingerprinting the DTLS certificate. */
#include "dtls/cert.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#define CERT_CN		"whepfan"
#define CERT_DAYS	30	/* validity either side of now */

struct wf_dtls_cert {
	X509 *x509;
	EVP_PKEY *pkey;
	uint8_t fp[WF_DTLS_FP_LEN];
	char fp_str[WF_DTLS_FP_STRLEN];
};

void wf_dtls_fingerprint_format(const uint8_t fp[WF_DTLS_FP_LEN], char out[WF_DTLS_FP_STRLEN])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	/* RFC 8122 §5: fingerprint = 2UHEX *(":" 2UHEX) */
	for (i = 0; i < WF_DTLS_FP_LEN; i++) {
		out[3 * i] = hex[fp[i] >> 4];
		out[3 * i + 1] = hex[fp[i] & 15];
		out[3 * i + 2] = i + 1 < WF_DTLS_FP_LEN ? ':' : '\0';
	}
}

/* Takes ownership of x509 and pkey (freed on failure too); computes the
 * fingerprint.  NULL with errno. */
static struct wf_dtls_cert *cert_wrap(X509 *x509, EVP_PKEY *pkey)
{
	struct wf_dtls_cert *c = calloc(1, sizeof(*c));
	unsigned int n = 0;

	if (!c || X509_digest(x509, EVP_sha256(), c->fp, &n) != 1 || n != WF_DTLS_FP_LEN) {
		errno = c ? EIO : ENOMEM;
		free(c);
		X509_free(x509);
		EVP_PKEY_free(pkey);
		return NULL;
	}
	c->x509 = x509;
	c->pkey = pkey;
	wf_dtls_fingerprint_format(c->fp, c->fp_str);
	return c;
}

/* A random positive serial of 63 bits (RFC 5280 §4.1.2.2: positive, at
 * most 20 octets; random so two generated certificates never collide). */
static int cert_set_serial(X509 *x)
{
	uint8_t r[8];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	r[0] &= 0x7f;
	r[0] |= 0x01;	/* never zero */
	bn = BN_bin2bn(r, sizeof(r), NULL);
	if (!bn)
		return -1;
	ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok ? 0 : -1;
}

struct wf_dtls_cert *wf_dtls_cert_generate(void)
{
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;

	if (!pkey || !x)
		goto fail;
	if (X509_set_version(x, X509_VERSION_3) != 1 || cert_set_serial(x) < 0)
		goto fail;
	if (!X509_gmtime_adj(X509_getm_notBefore(x), -(long)CERT_DAYS * 86400) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), (long)CERT_DAYS * 86400))
		goto fail;
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				       (const unsigned char *)CERT_CN, -1, -1, 0) != 1)
		goto fail;
	if (X509_set_issuer_name(x, name) != 1 || X509_set_pubkey(x, pkey) != 1)
		goto fail;
	if (X509_sign(x, pkey, EVP_sha256()) <= 0)
		goto fail;
	return cert_wrap(x, pkey);
fail:
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(pkey);
	errno = EIO;
	return NULL;
}

struct wf_dtls_cert *wf_dtls_cert_load(const char *cert_path, const char *key_path)
{
	X509 *x = NULL;
	EVP_PKEY *pkey = NULL;
	FILE *f;
	int err;

	if (!cert_path || !key_path) {
		errno = EINVAL;
		return NULL;
	}
	f = fopen(cert_path, "r");
	if (!f)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!x) {
		ERR_clear_error();
		errno = EBADMSG;
		return NULL;
	}
	f = fopen(key_path, "r");
	if (!f) {
		err = errno;
		X509_free(x);
		errno = err;
		return NULL;
	}
	/* No passphrase callback: an encrypted key fails here, not on a tty. */
	pkey = PEM_read_PrivateKey(f, NULL, NULL, (void *)"");
	fclose(f);
	if (!pkey) {
		ERR_clear_error();
		X509_free(x);
		errno = EBADMSG;
		return NULL;
	}
	if (X509_check_private_key(x, pkey) != 1) {
		ERR_clear_error();
		X509_free(x);
		EVP_PKEY_free(pkey);
		errno = EKEYREJECTED;
		return NULL;
	}
	return cert_wrap(x, pkey);
}

int wf_dtls_cert_save(const struct wf_dtls_cert *c, const char *cert_path, const char *key_path)
{
	FILE *f;
	int fd, ok;

	if (!c || !cert_path || !key_path)
		return -EINVAL;
	f = fopen(cert_path, "w");
	if (!f)
		return -errno;
	ok = PEM_write_X509(f, c->x509);
	if (fclose(f) != 0 || ok != 1)
		return -EIO;
	fd = open(key_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -EIO;
	}
	ok = PEM_write_PrivateKey(f, c->pkey, NULL, NULL, 0, NULL, NULL);
	if (fclose(f) != 0 || ok != 1)
		return -EIO;
	return 0;
}

void wf_dtls_cert_free(struct wf_dtls_cert *c)
{
	if (!c)
		return;
	X509_free(c->x509);
	EVP_PKEY_free(c->pkey);
	free(c);
}

const char *wf_dtls_cert_fingerprint(const struct wf_dtls_cert *c)
{
	return c->fp_str;
}

void wf_dtls_cert_fingerprint_raw(const struct wf_dtls_cert *c, uint8_t fp[WF_DTLS_FP_LEN])
{
	memcpy(fp, c->fp, WF_DTLS_FP_LEN);
}

X509 *wf_dtls_cert_x509(const struct wf_dtls_cert *c)
{
	return c->x509;
}

EVP_PKEY *wf_dtls_cert_pkey(const struct wf_dtls_cert *c)
{
	return c->pkey;
}
