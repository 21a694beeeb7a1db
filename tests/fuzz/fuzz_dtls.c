/* fuzz_dtls.c: fuzz target 6, DTLS datagrams from a hostile peer.
 *
 * Input: a flags byte, then datagrams (16-bit length, bytes).
 *  - bit 0 set: the server session first completes a real handshake with
 *    an in-memory client (lib/dtls's own client role, the load client's
 *    code), then takes the datagrams as a connected session: records that
 *    do not authenticate must leave it CONNECTED (dtls.h: only an
 *    authenticated close_notify or fatal alert ends it).  With bit 3 the
 *    client's genuine close_notify record is sent after them, XORed with
 *    a mask (a 16-bit length and bytes right after the flags): unchanged
 *    it closes the session, changed it must not.
 *  - bit 0 clear: the datagrams reach a session still in its handshake;
 *    with bit 2 the real client's ClientHello goes first and the real
 *    flights keep flowing between the hostile datagrams, so they land in
 *    every handshake state.
 *  - bit 1: the server answers with a HelloVerifyRequest cookie first.
 *  - bit 4 (with bit 0): the session settles before the datagrams arrive
 *    (settle_ms 1: OpenSSL's SSL is freed and lib/dtls's own record layer,
 *    record.c, reads what comes, the close_notify included).
 *  - bits 5-6: the client offers only AES-128-GCM, AES-256-GCM or
 *    ChaCha20-Poly1305 (0: all), so each AEAD of the record layer is used.
 * Checks, besides the sanitizers: wf_dtls_input returns only its
 * documented values; output datagrams fit the MTU; keys are readable once
 * connected and never before.
 */
#include "fuzz/fuzz.h"

#include <errno.h>
#include <time.h>

#include "dtls/cert.h"
#include "dtls/dtls.h"

#define MAX_DATAGRAMS	16
#define F_CONNECTED	0x01
#define F_HELLO_VERIFY	0x02
#define F_REAL_CLIENT	0x04
#define F_CLOSE_NOTIFY	0x08
#define F_SETTLE	0x10
#define CIPHER_OF(f)	(((f) >> 5) & 3)
/* lib/dtls's longest retransmission timer: none comes due within one
 * input however slowly it runs (a loaded machine, nice 19), so what an
 * input does never depends on the wall clock. */
#define RTX_MS		600000

static struct wf_dtls_cert *g_scert, *g_ccert;
/* Server contexts by [hello_verify | settle << 1], clients by cipher. */
static struct wf_dtls_ctx *g_sctx[4], *g_cctx[4];
static uint8_t g_sfp[WF_DTLS_FP_LEN], g_cfp[WF_DTLS_FP_LEN];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const ciphers[4] = {
		NULL, "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
		"ECDHE-ECDSA-CHACHA20-POLY1305" };
	struct wf_dtls_ctx_opts so, co;
	unsigned i;

	(void)argc;
	(void)argv;
	g_scert = wf_dtls_cert_generate();
	g_ccert = wf_dtls_cert_generate();
	if (!g_scert || !g_ccert)
		exit(1);
	wf_dtls_cert_fingerprint_raw(g_scert, g_sfp);
	wf_dtls_cert_fingerprint_raw(g_ccert, g_cfp);
	for (i = 0; i < 4; i++) {
		memset(&so, 0, sizeof(so));
		so.hello_verify = i & 1;
		so.settle_ms = (i & 2) ? 1 : 0;
		so.retransmit_initial_ms = RTX_MS;
		so.retransmit_max_ms = RTX_MS;
		memset(&co, 0, sizeof(co));
		co.cipher_list = ciphers[i];
		co.retransmit_initial_ms = RTX_MS;
		co.retransmit_max_ms = RTX_MS;
		g_sctx[i] = wf_dtls_ctx_create(WF_DTLS_SERVER, g_scert, &so);
		g_cctx[i] = wf_dtls_ctx_create(WF_DTLS_CLIENT, g_ccert, &co);
		if (!g_sctx[i] || !g_cctx[i])
			exit(1);
	}
	return 0;
}

/* Waits for a connected session with settle_ms 1 to settle. */
static void settle(struct wf_dtls *srv)
{
	const struct timespec ms = { .tv_nsec = 1000000 };
	struct wf_dtls_stats st;
	unsigned i;

	for (i = 0; i < 50; i++) {
		nanosleep(&ms, NULL);
		(void)wf_dtls_on_timer(srv);
		wf_dtls_get_stats(srv, &st);
		if (st.settled)
			return;
	}
	WF_FUZZ_CHECK(st.settled);
}

static void check_input_rc(int rc)
{
	WF_FUZZ_CHECK(rc == 0 || rc == -EPROTO || rc == -ESHUTDOWN || rc == -EMSGSIZE ||
		      rc == -EINVAL);
}

/* Moves every queued datagram of from to to (to NULL: dropped). */
static void pump(struct wf_dtls *from, struct wf_dtls *to)
{
	uint8_t buf[WF_DTLS_MAX_DATAGRAM];
	int n;

	while ((n = wf_dtls_next_output(from, buf, sizeof(buf))) > 0) {
		WF_FUZZ_CHECK(n <= WF_DTLS_DEFAULT_MTU);
		if (to)
			check_input_rc(wf_dtls_input(to, buf, (size_t)n));
	}
	WF_FUZZ_CHECK(n == 0);
}

/* Runs the real handshake until both sides are connected and nothing is
 * left queued either way: a client whose timer expired before the
 * server's last flight reached it has its own last flight queued again
 * (RFC 6347 §4.2.4), and that goes to the server before anything the
 * client sends later, as on a wire. */
static bool handshake(struct wf_dtls *srv, struct wf_dtls *cli)
{
	unsigned round;

	for (round = 0; round < 16; round++) {
		pump(cli, srv);
		pump(srv, cli);
		if (wf_dtls_state(srv) == WF_DTLS_CONNECTED &&
		    wf_dtls_state(cli) == WF_DTLS_CONNECTED &&
		    !wf_dtls_output_pending(cli) && !wf_dtls_output_pending(srv))
			return true;
	}
	return false;
}

/* The client's close_notify, XORed with mask.  Returns whether the record
 * went out unchanged. */
static bool send_close_notify(struct wf_dtls *srv, struct wf_dtls *cli, const uint8_t *mask,
			      size_t mask_len)
{
	uint8_t rec[WF_DTLS_MAX_DATAGRAM];
	bool changed = false;
	int n, i;

	if (wf_dtls_close(cli) != 0)
		return false;
	/* the record sent is the close_notify, not something queued before */
	WF_FUZZ_CHECK(wf_dtls_output_pending(cli) == 1);
	n = wf_dtls_next_output(cli, rec, sizeof(rec));
	if (n <= 0)
		return false;
	for (i = 0; i < n && (size_t)i < mask_len; i++) {
		rec[i] ^= mask[i];
		changed |= mask[i] != 0;
	}
	check_input_rc(wf_dtls_input(srv, rec, (size_t)n));
	return !changed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wf_dtls *srv, *cli = NULL;
	struct wf_dtls_stats st;
	struct wf_dtls_keys keys;
	struct wf_fuzz_in in;
	const uint8_t *mask = NULL;
	size_t mask_len = 0;
	bool connected = false;
	uint8_t flags;
	unsigned i;

	wf_fuzz_in_init(&in, data, size);
	flags = wf_fuzz_u8(&in);
	if (flags & F_CLOSE_NOTIFY)
		mask = wf_fuzz_chunk(&in, &mask_len);
	srv = wf_dtls_create(g_sctx[((flags & F_HELLO_VERIFY) ? 1 : 0) |
				     ((flags & (F_SETTLE | F_CONNECTED)) ==
				      (F_SETTLE | F_CONNECTED) ? 2 : 0)], g_cfp);
	if (!srv)
		return 0;
	WF_FUZZ_CHECK(wf_dtls_get_keys(srv, &keys) == -ENOTCONN);
	if (flags & (F_CONNECTED | F_REAL_CLIENT)) {
		cli = wf_dtls_create_client(g_cctx[CIPHER_OF(flags)], g_sfp);
		if (!cli) {
			wf_dtls_free(srv);
			return 0;
		}
	}
	if (flags & F_CONNECTED) {
		connected = handshake(srv, cli);
		WF_FUZZ_CHECK(connected);
		WF_FUZZ_CHECK(wf_dtls_get_keys(srv, &keys) == 0);
		if (flags & F_SETTLE)
			settle(srv);
	} else if (flags & F_REAL_CLIENT) {
		pump(cli, srv);
	}
	for (i = 0; i < MAX_DATAGRAMS && wf_fuzz_left(&in) > 0; i++) {
		size_t len;
		const uint8_t *p = wf_fuzz_chunk(&in, &len);
		uint8_t *dgram = malloc(len ? len : 1);
		int rc;

		if (!dgram)
			break;
		memcpy(dgram, p, len);
		rc = wf_dtls_input(srv, dgram, len);
		free(dgram);
		check_input_rc(rc);
		if (connected)
			WF_FUZZ_CHECK(wf_dtls_state(srv) == WF_DTLS_CONNECTED);
		if (cli && !connected) {
			/* The real handshake goes on around the hostile datagram. */
			pump(srv, cli);
			pump(cli, srv);
		} else {
			pump(srv, NULL);
		}
		(void)wf_dtls_on_timer(srv);
	}
	if (connected && (flags & F_CLOSE_NOTIFY)) {
		bool genuine = send_close_notify(srv, cli, mask, mask_len);

		WF_FUZZ_CHECK(wf_dtls_state(srv) == (genuine ? WF_DTLS_CLOSED : WF_DTLS_CONNECTED));
	}
	if (wf_dtls_state(srv) == WF_DTLS_CONNECTED)
		WF_FUZZ_CHECK(wf_dtls_get_keys(srv, &keys) == 0);
	(void)wf_dtls_reason(srv);
	wf_dtls_get_stats(srv, &st);
	(void)wf_dtls_close(srv);
	pump(srv, NULL);
	wf_dtls_free(srv);
	wf_dtls_free(cli);
	return 0;
}
