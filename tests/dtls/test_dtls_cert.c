/* test_dtls_cert.c: certificate generation, PEM loading, fingerprints and
 * context options. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "dtls_testlib.h"

static char tmpdir[64];

static void path_in_tmp(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", tmpdir, name);
}

static bool write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok;
}

static size_t read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

static void dtls_fingerprint_format_is_uppercase_colon_hex(void)
{
	uint8_t fp[WF_DTLS_FP_LEN];
	char s[WF_DTLS_FP_STRLEN + 8];
	unsigned i;

	for (i = 0; i < WF_DTLS_FP_LEN; i++)
		fp[i] = (uint8_t)(i * 0x11 + 0x0a);
	memset(s, 'x', sizeof(s));
	wf_dtls_fingerprint_format(fp, s);
	WF_CHECK_EQ(strlen(s), 95);
	WF_CHECK_EQ(s[WF_DTLS_FP_STRLEN], 'x');	/* nothing written past the end */
	WF_CHECK(strncmp(s, "0A:1B:2C:3D:4E:5F:70:81:92:A3:B4:C5:D6:E7:F8:09:", 48) == 0);
	for (i = 0; i < WF_DTLS_FP_LEN; i++) {
		unsigned v = 0;

		WF_CHECK(i == 0 || s[3 * i - 1] == ':');
		WF_CHECK(sscanf(s + 3 * i, "%2X", &v) == 1 && v == fp[i]);
	}
	for (i = 0; s[i]; i++)
		WF_CHECK(s[i] == ':' || (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F'));
}

/* Independent oracle: the openssl command line prints the same string. */
static void dtls_fingerprint_matches_openssl_command_line(void)
{
	struct wf_dtls_cert *c = wf_dtls_cert_generate();
	char cert[128], key[128], cmd[400], line[256];
	FILE *p;

	WF_REQUIRE(c);
	path_in_tmp(cert, sizeof(cert), "fp_cert.pem");
	path_in_tmp(key, sizeof(key), "fp_key.pem");
	WF_REQUIRE(wf_dtls_cert_save(c, cert, key) == 0);
	snprintf(cmd, sizeof(cmd), "openssl x509 -noout -fingerprint -sha256 -in %s 2>/dev/null", cert);
	p = popen(cmd, "r");
	if (p) {
		if (fgets(line, sizeof(line), p)) {
			char *eq = strchr(line, '=');

			WF_REQUIRE(eq);
			eq[1 + strcspn(eq + 1, "\r\n")] = '\0';
			WF_CHECKF(strcmp(eq + 1, wf_dtls_cert_fingerprint(c)) == 0, "%s vs %s", eq + 1,
				  wf_dtls_cert_fingerprint(c));
		} else {
			printf("  (openssl command not found: oracle skipped)\n");
		}
		pclose(p);
	}
	unlink(cert);
	unlink(key);
	wf_dtls_cert_free(c);
}

static void dtls_generated_cert_is_p256_self_signed_and_current(void)
{
	struct wf_dtls_cert *a = wf_dtls_cert_generate(), *b = wf_dtls_cert_generate();
	char group[32] = "", cn[32] = "";
	size_t glen = 0;
	X509 *x;
	EVP_PKEY *k;

	WF_REQUIRE(a && b);
	x = wf_dtls_cert_x509(a);
	k = wf_dtls_cert_pkey(a);
	WF_CHECK_EQ(EVP_PKEY_get_base_id(k), EVP_PKEY_EC);
	WF_CHECK(EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof(group), &glen) == 1);
	WF_CHECKF(strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0, "group %s", group);
	WF_CHECK_EQ(X509_get_version(x), X509_VERSION_3);
	WF_CHECK(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn)) > 0);
	WF_CHECK(strcmp(cn, "whepfan") == 0);
	WF_CHECK_EQ(X509_check_issued(x, x), X509_V_OK);
	WF_CHECK_EQ(X509_verify(x, k), 1);
	WF_CHECK(X509_cmp_current_time(X509_get0_notBefore(x)) < 0);
	WF_CHECK(X509_cmp_current_time(X509_get0_notAfter(x)) > 0);
	WF_CHECK(ASN1_INTEGER_cmp(X509_get0_serialNumber(x),
				  X509_get0_serialNumber(wf_dtls_cert_x509(b))) != 0);
	WF_CHECK(strcmp(wf_dtls_cert_fingerprint(a), wf_dtls_cert_fingerprint(b)) != 0);
	wf_dtls_cert_free(a);
	wf_dtls_cert_free(b);
}

static void dtls_cert_loads_from_pem_and_serves_a_handshake(void)
{
	static struct t_pair tp;
	struct wf_dtls_cert *g = wf_dtls_cert_generate(), *l;
	struct wf_dtls_ctx *ctx;
	char cert[128], key[128];

	WF_REQUIRE(g);
	path_in_tmp(cert, sizeof(cert), "cert.pem");
	path_in_tmp(key, sizeof(key), "key.pem");
	WF_REQUIRE(wf_dtls_cert_save(g, cert, key) == 0);
	WF_CHECK_EQ(access(key, R_OK), 0);
	l = wf_dtls_cert_load(cert, key);
	WF_REQUIRE(l);
	WF_CHECK(strcmp(wf_dtls_cert_fingerprint(l), wf_dtls_cert_fingerprint(g)) == 0);

	/* the loaded certificate serves a real handshake */
	WF_REQUIRE(t_pair_init(&tp, NULL, NULL));
	ctx = wf_dtls_ctx_create(WF_DTLS_SERVER, l, NULL);
	WF_REQUIRE(ctx);
	wf_dtls_cert_free(l);	/* the ctx keeps its own references */
	wf_dtls_free(tp.srv);
	wf_dtls_free(tp.cli);
	tp.srv = wf_dtls_create(ctx, tp.cfp);
	wf_dtls_cert_fingerprint_raw(g, tp.sfp);
	tp.cli = wf_dtls_create_client(tp.cctx, tp.sfp);
	WF_REQUIRE(tp.srv && tp.cli);
	WF_CHECKF(t_handshake(&tp), "%s / %s", wf_dtls_reason(tp.srv), wf_dtls_reason(tp.cli));
	t_pair_free(&tp);
	wf_dtls_ctx_free(ctx);
	wf_dtls_cert_free(g);
	unlink(cert);
	unlink(key);
}

static void dtls_cert_load_rejects_a_key_of_another_cert(void)
{
	struct wf_dtls_cert *a = wf_dtls_cert_generate(), *b = wf_dtls_cert_generate();
	char ca[128], ka[128], cb[128], kb[128];

	WF_REQUIRE(a && b);
	path_in_tmp(ca, sizeof(ca), "a.pem");
	path_in_tmp(ka, sizeof(ka), "a.key");
	path_in_tmp(cb, sizeof(cb), "b.pem");
	path_in_tmp(kb, sizeof(kb), "b.key");
	WF_REQUIRE(wf_dtls_cert_save(a, ca, ka) == 0 && wf_dtls_cert_save(b, cb, kb) == 0);
	errno = 0;
	WF_CHECK(wf_dtls_cert_load(ca, kb) == NULL);
	WF_CHECK_EQ(errno, EKEYREJECTED);
	errno = 0;
	WF_CHECK(wf_dtls_cert_load(cb, ka) == NULL);
	WF_CHECK_EQ(errno, EKEYREJECTED);
	/* key and certificate swapped */
	errno = 0;
	WF_CHECK(wf_dtls_cert_load(ka, ca) == NULL);
	WF_CHECK_EQ(errno, EBADMSG);
	unlink(ca); unlink(ka); unlink(cb); unlink(kb);
	wf_dtls_cert_free(a);
	wf_dtls_cert_free(b);
}

static void dtls_cert_load_reports_missing_empty_and_garbage_files(void)
{
	struct wf_dtls_cert *g = wf_dtls_cert_generate();
	char cert[128], key[128], bad[128];

	WF_REQUIRE(g);
	path_in_tmp(cert, sizeof(cert), "ok.pem");
	path_in_tmp(key, sizeof(key), "ok.key");
	path_in_tmp(bad, sizeof(bad), "bad.pem");
	WF_REQUIRE(wf_dtls_cert_save(g, cert, key) == 0);
	errno = 0;
	WF_CHECK(wf_dtls_cert_load("/nonexistent/whepfan.pem", key) == NULL);
	WF_CHECK_EQ(errno, ENOENT);
	errno = 0;
	WF_CHECK(wf_dtls_cert_load(cert, "/nonexistent/whepfan.key") == NULL);
	WF_CHECK_EQ(errno, ENOENT);
	errno = 0;
	WF_CHECK(wf_dtls_cert_load(NULL, key) == NULL);
	WF_CHECK_EQ(errno, EINVAL);
	WF_REQUIRE(write_file(bad, "", 0));
	errno = 0;
	WF_CHECK(wf_dtls_cert_load(bad, key) == NULL);
	WF_CHECK_EQ(errno, EBADMSG);
	WF_REQUIRE(write_file(bad, "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", 58));
	errno = 0;
	WF_CHECK(wf_dtls_cert_load(bad, key) == NULL);
	WF_CHECK_EQ(errno, EBADMSG);
	errno = 0;
	WF_CHECK(wf_dtls_cert_load(cert, bad) == NULL);
	WF_CHECK_EQ(errno, EBADMSG);
	unlink(cert); unlink(key); unlink(bad);
	wf_dtls_cert_free(g);
}

/* Every truncation of a good PEM certificate and key is refused. */
static void dtls_cert_load_refuses_every_truncation(void)
{
	struct wf_dtls_cert *g = wf_dtls_cert_generate();
	static char pem[8192];
	char cert[128], key[128], cut[128];
	size_t n, len, failures = 0;
	int pass;

	WF_REQUIRE(g);
	path_in_tmp(cert, sizeof(cert), "t.pem");
	path_in_tmp(key, sizeof(key), "t.key");
	path_in_tmp(cut, sizeof(cut), "cut.pem");
	WF_REQUIRE(wf_dtls_cert_save(g, cert, key) == 0);
	for (pass = 0; pass < 2; pass++) {
		len = read_file(pass ? key : cert, pem, sizeof(pem));
		WF_REQUIRE(len > 100);
		/* the END line's own newline is optional for PEM readers */
		for (n = 0; n + 1 < len; n++) {
			struct wf_dtls_cert *l;

			WF_REQUIRE(write_file(cut, pem, n));
			l = pass ? wf_dtls_cert_load(cert, cut) : wf_dtls_cert_load(cut, key);
			if (l) {
				failures++;
				wf_dtls_cert_free(l);
			} else if (errno != EBADMSG) {
				failures++;
			}
		}
	}
	WF_CHECK_EQ(failures, 0);
	unlink(cert); unlink(key); unlink(cut);
	wf_dtls_cert_free(g);
}

static void dtls_ctx_rejects_bad_options_and_wrong_roles(void)
{
	struct wf_dtls_cert *c = wf_dtls_cert_generate();
	enum wf_srtp_profile dup[2] = { WF_SRTP_AEAD_AES_128_GCM, WF_SRTP_AEAD_AES_128_GCM };
	enum wf_srtp_profile unknown = (enum wf_srtp_profile)9;
	struct wf_dtls_ctx_opts bad[] = {
		{ .mtu = 100 },
		{ .mtu = WF_DTLS_MAX_DATAGRAM + 1 },
		{ .profiles = dup, .nprofiles = 2 },
		{ .profiles = &unknown, .nprofiles = 1 },
		{ .profiles = NULL, .nprofiles = 1 },
		{ .profiles = dup, .nprofiles = 5 },
		{ .retransmit_initial_ms = 5 },
		{ .retransmit_initial_ms = 2000, .retransmit_max_ms = 1000 },
		{ .retransmit_max_ms = 700000 },
	};
	struct wf_dtls_ctx *sctx, *cctx;
	uint8_t fp[WF_DTLS_FP_LEN] = { 0 };
	unsigned i;

	WF_REQUIRE(c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		WF_CHECKF(wf_dtls_ctx_create(WF_DTLS_SERVER, c, &bad[i]) == NULL, "option set %u", i);
		WF_CHECK_EQ(errno, EINVAL);
	}
	errno = 0;
	WF_CHECK(wf_dtls_ctx_create(WF_DTLS_SERVER, NULL, NULL) == NULL);
	WF_CHECK_EQ(errno, EINVAL);
	WF_CHECK(wf_dtls_ctx_create((enum wf_dtls_role)7, c, NULL) == NULL);
	sctx = wf_dtls_ctx_create(WF_DTLS_SERVER, c, NULL);
	cctx = wf_dtls_ctx_create(WF_DTLS_CLIENT, c, NULL);
	WF_REQUIRE(sctx && cctx);
	errno = 0;
	WF_CHECK(wf_dtls_create(cctx, fp) == NULL);
	WF_CHECK_EQ(errno, EINVAL);
	errno = 0;
	WF_CHECK(wf_dtls_create_client(sctx, fp) == NULL);
	WF_CHECK_EQ(errno, EINVAL);
	WF_CHECK(wf_dtls_create(sctx, NULL) == NULL);
	wf_dtls_ctx_free(sctx);
	wf_dtls_ctx_free(cctx);
	wf_dtls_ctx_free(NULL);
	wf_dtls_cert_free(c);
	wf_dtls_cert_free(NULL);
}

int main(int argc, char **argv)
{
	int rc;

	wf_test_init(argc, argv);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/wf-dtls-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	WF_RUN(dtls_fingerprint_format_is_uppercase_colon_hex);
	WF_RUN(dtls_fingerprint_matches_openssl_command_line);
	WF_RUN(dtls_generated_cert_is_p256_self_signed_and_current);
	WF_RUN(dtls_cert_loads_from_pem_and_serves_a_handshake);
	WF_RUN(dtls_cert_load_rejects_a_key_of_another_cert);
	WF_RUN(dtls_cert_load_reports_missing_empty_and_garbage_files);
	WF_RUN(dtls_cert_load_refuses_every_truncation);
	WF_RUN(dtls_ctx_rejects_bad_options_and_wrong_roles);
	rc = wf_test_done();
	rmdir(tmpdir);
	return rc;
}
