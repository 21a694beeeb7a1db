/* session.c: WHEP and WHIP sessions on the slow path (session.h).
 *
 * Life of a session:
 *   offer answered (201)  ->  ICE: a Binding request that passes USERNAME,
 *   MESSAGE-INTEGRITY and FINGERPRINT teaches us the browser's address
 *   (peer-reflexive: offers with only mDNS candidates or none work) and is
 *   answered; USE-CANDIDATE selects it  ->  DTLS (we are passive) from that
 *   address only, its cookie bound to that address (a ClientHello echoing
 *   it pins the session there)  ->  handshake done, certificate matches the
 *   offer's fingerprint: the SRTP keys go to a worker as a new viewer  ->  consent
 *   (RFC 7675): no valid check for consent_timeout_s, or DELETE, or a DTLS
 *   close/alert: the viewer is removed and the session freed.
 * A WHIP publisher's session (role WF_SESSION_PUBLISHER) lives the same
 * life and differs in three places: its answer (lib/sdp's WHIP role,
 * recvonly), going live (its keys go to its stream's owner, publisher.h:
 * go_live_publisher(); the final DTLS flight leaves only once the owner
 * took them and its 5-tuple routes there, so its first SRTP packet, a
 * key frame, is not lost) and its end (the route first, then the owner's
 * copy: wf_registry_publisher_del()).  A stream has at most one, pending
 * or live (S.publisher): a second POST is 409, whoever sends it.
 * Nothing is sent to an address that has not passed a valid check, and no
 * DTLS flight or media to one that has not shown it receives there (a
 * check proves knowledge of the password, which the offer's author has,
 * not the source address): see "What a check may move" in
 * docs/architecture.md.
 */
#include "whep/session.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_udp.h>

#include "core/app.h"
#include "core/lcore.h"
#include "core/log.h"
#include "core/peer.h"
#include "core/pub.h"
#include "core/publisher.h"
#include "slow/ev.h"
#include "slow/frame.h"
#include "slow/registry.h"
#include "slow/streams.h"
#include "whep/admission.h"
#include "dtls/cert.h"
#include "dtls/dtls.h"
#include "sdp/sdp.h"
#include "sdp/sdp_answer.h"
#include "sdp/sdp_match.h"
#include "stun/stun.h"

#define UFRAG_LEN	8
#define PWD_LEN		24	/* RFC 8839 §5.4: at least 22 ice-chars */
#define DTLS_MAX_DGRAM	1500
#define STUN_OUT_MAX	512	/* our Binding answers and probes */
#define TRIM_SESSIONS	64	/* settled or ended sessions between heap trims */
/* Path validation: at most one probe per session this often, so a probe
 * answers at most one check and costs what the check did. */
#define PROBE_INTERVAL_MS 500
#define MAC_FOLLOW_MS	1000	/* a session follows a new next-hop MAC at most this often */
#define CONSENT_MIN_MS 1000	/* the shortest interval between consent checks */
#define LIVE_RETRY_MS	100	/* a viewer whose control message found no room */
#define TRIM_EVERY_MS	1000	/* heap_trim() looks this often */
/* PRIORITY of our probe (RFC 8445 §5.1.2.1): a host candidate's. */
#define PROBE_PRIORITY	(126u << 24 | 65535u << 8 | 255u)

enum sess_state {
	S_WAIT_ICE = 0,		/* answer sent, no valid check yet */
	S_DTLS,			/* a valid check: DTLS from that address */
	S_LIVE,			/* a viewer on a worker */
	S_CLOSING,
};

struct session {
	char id[WF_SESSION_ID_LEN + 1];
	uint8_t role;		/* enum wf_session_role */
	char etag[24];
	/* hash keys are read a word at a time (rte_jhash): keep them aligned */
	_Alignas(8) char ufrag[UFRAG_LEN + 1];
	char pwd[PWD_LEN + 1];
	unsigned idx;		/* in S.tab */
	uint16_t stream;
	uint8_t state;
	bool selected;		/* USE-CANDIDATE seen for the peer address */
	/* DTLS saw the peer echo the cookie bound to its address: the peer
	 * receives there.  From then on, as once selected, only a validated
	 * path (start_probe) moves it. */
	bool pinned;
	bool have_peer;
	bool addr_indexed;
	bool placed;		/* our viewer is on a worker: remove it on free */
	bool live_retry;	/* keys ready, the viewer could not be sent yet */
	uint64_t live_retry_tsc;	/* when to try again (TSC) */
	bool probing;		/* a path-validation probe awaits its answer */
	/* the pair moved (move_pair): consent comes only from answers to our
	 * own consent checks, no longer from incoming checks */
	bool moved;
	bool consent_out;	/* a consent check awaits its answer */
	bool counted;		/* counted for client in wf_admission */
	bool pending;		/* and as pending there */
	uint64_t client;	/* the HTTP client that created it (xff.h key) */
	struct wf_peer_key peer;	/* the browser's address (port_idx too) */
	struct rte_ether_addr peer_mac;	/* next hop: the checks' source MAC */
	/* a new address that sent a valid check with USE-CANDIDATE once the
	 * pair was selected: the pair moves there when it answers our probe */
	struct wf_peer_key probe;
	struct rte_ether_addr probe_mac;
	_Alignas(8) uint8_t probe_txid[WF_STUN_TXID_LEN];	/* S.by_probe key */
	uint64_t probe_tsc;
	uint64_t mac_tsc;	/* when it last followed a new next-hop MAC */
	_Alignas(8) uint8_t consent_txid[WF_STUN_TXID_LEN];	/* S.by_probe key */
	uint64_t consent_next_tsc;	/* when the next consent check goes */
	uint8_t remote_fp[32];
	char r_ufrag[WF_SDP_UFRAG_MAX + 1];	/* the browser's ICE credentials */
	char r_pwd[WF_SDP_PWD_MAX + 1];
	struct wf_dtls *dtls;
	/* the session's next deadline (session_deadline()) */
	struct wf_ev_timer timer;
	uint64_t created_tsc;
	uint64_t consent_tsc;	/* last valid check from the peer */
	/* what the viewer will get */
	unsigned n_tracks;
	uint8_t pt[WF_MAX_TRACKS];
	bool track_on[WF_MAX_TRACKS];
	uint32_t ssrc[WF_MAX_TRACKS];
	uint32_t cname_hash;
	/* the viewer, once live; a publisher: its stream's owner, the
	 * stream's slot and its generation (publisher.h), from when its
	 * keys were sent (placed) */
	enum wf_srtp_profile profile;
	unsigned worker;
	uint32_t slot;
	uint16_t gen;
	/* a publisher: what it will send on each track, as negotiated */
	struct wf_sdp_publish *pubt;	/* WF_MAX_TRACKS, NULL for a viewer */
};

static struct {
	struct session **tab;	/* max_sessions entries */
	unsigned cap;
	unsigned count;
	struct rte_hash *by_id;		/* 16-byte id -> index */
	struct rte_hash *by_ufrag;	/* 8-byte ufrag -> index */
	struct rte_hash *by_addr;	/* struct wf_peer_key -> index */
	/* transaction id of a path-validation probe -> index: keyed by what
	 * only the probed address saw, so sessions probing one address do
	 * not collide */
	struct rte_hash *by_probe;
	struct wf_dtls_cert *cert;
	struct wf_dtls_ctx *dtls_ctx;
	uint8_t fingerprint[WF_DTLS_FP_LEN];
	struct wf_sdp_offer *offer;	/* ~100 KiB scratch, one offer at a time */
	struct wf_srtp_engine *srtp;	/* derives viewers' keys */
	const struct wf_config *cfg;
	uint64_t consent_tsc;
	struct wf_session_stats stats;
	uint64_t trimmed_at;	/* dtls_settled + sessions_ended at the last trim */
	struct wf_ev_timer trim_timer;
	/* per stream slot: its publisher's table index + 1 (pending or
	 * live), 0 for none; the last publisher generation given */
	unsigned publisher[WF_MAX_STREAMS];
	uint16_t pub_gen[WF_MAX_STREAMS];
} S;

/* One session as the telemetry threads see it (session.h), at its S.tab
 * index: the slow path rewrites it whenever the session changes, a
 * telemetry thread copies it (pub.h) and never touches struct session. */
struct session_pub {
	rte_seqcount_t sc;
	struct wf_session_info v;	/* v.id[0] == '\0': no session there */
};

/* Outside S (wf_session_fini clears S).  Published with release once
 * allocated; freed only after wf_telemetry_close(). */
static struct {
	struct session_pub *tab;
	unsigned cap;
} pub;

static int pub_init(unsigned cap);
static void heap_trim(struct wf_ev_timer *t, uint64_t now);
static void session_due(struct wf_ev_timer *t, uint64_t now);
static int session_arm(struct session *s);
static void pub_fini(void);
static void publish(const struct session *s);
static void unpublish(unsigned idx);

/* ---- small helpers -------------------------------------------------------- */

static const char ice_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* n random ice-chars (RFC 8839 §5.4) into out, NUL-terminated. */
static int random_ice(char *out, size_t n)
{
	uint8_t r[64];
	size_t i;

	if (n > sizeof(r) || RAND_bytes(r, (int)n) != 1)
		return -EIO;
	for (i = 0; i < n; i++)
		out[i] = ice_chars[r[i] & 63];
	out[n] = '\0';
	return 0;
}

static int hex_id(const char *id, uint8_t out[16])
{
	unsigned i;

	if (!id || strlen(id) != WF_SESSION_ID_LEN)
		return -EINVAL;
	/* lowercase hex only: the ids we hand out */
	for (i = 0; i < WF_SESSION_ID_LEN; i++) {
		char c = id[i];
		unsigned v = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
			     c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) : 16;

		if (v > 15)
			return -EINVAL;
		out[i / 2] = (uint8_t)(i & 1 ? out[i / 2] << 4 | v : v);
	}
	return 0;
}

static struct session *find_id(const char *id)
{
	_Alignas(8) uint8_t key[16];
	void *v;

	if (hex_id(id, key) < 0 || rte_hash_lookup_data(S.by_id, key, &v) < 0)
		return NULL;
	return S.tab[(uintptr_t)v];
}

static struct session *find_ufrag(const char *ufrag, size_t len)
{
	_Alignas(8) char key[UFRAG_LEN];
	void *v;

	if (len != UFRAG_LEN)
		return NULL;
	memcpy(key, ufrag, UFRAG_LEN);
	if (rte_hash_lookup_data(S.by_ufrag, key, &v) < 0)
		return NULL;
	return S.tab[(uintptr_t)v];
}

static struct session *find_key(struct rte_hash *h, const struct wf_peer_key *k)
{
	void *v;

	if (rte_hash_lookup_data(h, k, &v) < 0)
		return NULL;
	return S.tab[(uintptr_t)v];
}

static struct session *find_addr(const struct wf_peer_key *k)
{
	return find_key(S.by_addr, k);
}

/* Deletes k from h only while it names session idx: an entry another
 * session took (move_pair) stays. */
static void del_own_key(struct rte_hash *h, const void *k, unsigned idx)
{
	void *v;

	if (rte_hash_lookup_data(h, k, &v) >= 0 && (uintptr_t)v == idx)
		rte_hash_del_key(h, k);
}

/* ---- set-up ------------------------------------------------------------------ */

static struct rte_hash *hash_create(const char *name, uint32_t entries, uint32_t key_len)
{
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = entries < 64 ? 64 : entries,
		.key_len = key_len,
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
	};

	return rte_hash_create(&hp);
}

int wf_session_init(const struct wf_config *cfg)
{
	const char *cert = cfg->dtls.certificate[0] ? cfg->dtls.certificate : NULL;
	const char *key = cfg->dtls.private_key[0] ? cfg->dtls.private_key : NULL;

	S.cfg = cfg;
	S.cap = cfg->http.max_sessions;
	S.tab = calloc(S.cap, sizeof(*S.tab));
	S.offer = malloc(sizeof(*S.offer));
	S.by_id = hash_create("wf_sess_id", S.cap * 2, 16);
	S.by_ufrag = hash_create("wf_sess_ufrag", S.cap * 2, UFRAG_LEN);
	S.by_addr = hash_create("wf_sess_addr", S.cap * 2, sizeof(struct wf_peer_key));
	S.by_probe = hash_create("wf_sess_probe", S.cap * 2, WF_STUN_TXID_LEN);
	S.srtp = wf_srtp_engine_create(wf_app.srtp_arch);
	if (!S.tab || !S.offer || !S.by_id || !S.by_ufrag || !S.by_addr || !S.by_probe || !S.srtp)
		return -ENOMEM;
	if (!pub.tab && pub_init(S.cap) < 0)
		return -ENOMEM;
	S.cert = cert ? wf_dtls_cert_load(cert, key) : wf_dtls_cert_generate();
	if (!S.cert) {
		WF_LOG(ERR, "DTLS: cannot %s the certificate%s%s: %s\n",
		       cert ? "load" : "generate", cert ? " " : "", cert ? cert : "", strerror(errno));
		return -EINVAL;
	}
	/* cookie exchange: an ICE check does not prove its sender receives
	 * at its address (docs/dtls.md) */
	S.dtls_ctx = wf_dtls_ctx_create(WF_DTLS_SERVER, S.cert,
					&(struct wf_dtls_ctx_opts){
						.hello_verify = true,
						.settle_ms = cfg->dtls.settle_s * 1000,
					});
	if (!S.dtls_ctx) {
		WF_LOG(ERR, "DTLS: cannot create the context: %s\n", strerror(errno));
		return -EINVAL;
	}
	wf_dtls_cert_fingerprint_raw(S.cert, S.fingerprint);
	S.consent_tsc = wf_app.tsc_hz * cfg->webrtc.consent_timeout_s;
	wf_ev_timer_init(&S.trim_timer, heap_trim);
	if (wf_ev_timer_arm(&S.trim_timer, rte_rdtsc() + TRIM_EVERY_MS * wf_app.tsc_hz / 1000) < 0)
		return -ENOSPC;
	WF_LOG(INFO, "DTLS certificate fingerprint sha-256 %s\n", wf_dtls_cert_fingerprint(S.cert));
	return 0;
}

/* ---- ending a session --------------------------------------------------------- */

static void send_dtls_output(struct session *s);

/* The session no longer waits for ICE + DTLS: its client's count goes down. */
static void pending_done(struct session *s)
{
	if (!s->pending)
		return;
	s->pending = false;
	if (wf_adm_session_live(&wf_admission, s->client) < 0)
		WF_LOG(DEBUG, "session %s: no pending count for its client\n", s->id);
}

/* The session is freed: its client's counts go down, whatever ended it. */
static void admission_done(struct session *s)
{
	if (!s->counted)
		return;
	s->counted = false;
	if (wf_adm_session_del(&wf_admission, s->client, s->pending) < 0)
		WF_LOG(DEBUG, "session %s: no session count for its client\n", s->id);
	s->pending = false;
}

static void session_free(struct session *s)
{
	unsigned idx = s->idx;
	_Alignas(8) uint8_t key[16];

	admission_done(s);
	wf_ev_timer_stop(&s->timer);

	/* not by state: a DTLS close or alert makes a live session S_CLOSING */
	if (s->placed && s->role == WF_SESSION_PUBLISHER)
		wf_registry_publisher_del(s->stream, s->gen);	/* the route first */
	else if (s->placed)
		wf_registry_remove(s->worker, s->slot, s->gen);
	if (s->role == WF_SESSION_PUBLISHER && S.publisher[s->stream] == idx + 1) {
		S.publisher[s->stream] = 0;
		WF_LOG(INFO, "session %s: publisher of stream %s gone\n", s->id,
		       wf_app.streams[s->stream].name);
	}
	if (s->dtls) {
		if (s->have_peer) {
			wf_dtls_close(s->dtls);	/* close_notify */
			send_dtls_output(s);
		}
		wf_dtls_free(s->dtls);
	}
	if (!hex_id(s->id, key))
		rte_hash_del_key(S.by_id, key);
	rte_hash_del_key(S.by_ufrag, s->ufrag);
	if (s->addr_indexed)
		del_own_key(S.by_addr, &s->peer, idx);
	if (s->probing)
		del_own_key(S.by_probe, s->probe_txid, idx);
	if (s->consent_out)
		del_own_key(S.by_probe, s->consent_txid, idx);
	unpublish(idx);
	S.tab[idx] = NULL;
	free(s->pubt);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
	S.count--;
	S.stats.sessions_ended++;
}

void wf_session_fini(void)
{
	unsigned i;

	for (i = 0; S.tab && i < S.cap; i++)
		if (S.tab[i])
			session_free(S.tab[i]);
	wf_ev_timer_stop(&S.trim_timer);
	pub_fini();	/* after wf_telemetry_close(): nobody reads it */
	free(S.tab);
	free(S.offer);
	rte_hash_free(S.by_id);
	rte_hash_free(S.by_ufrag);
	rte_hash_free(S.by_addr);
	rte_hash_free(S.by_probe);
	wf_srtp_engine_free(S.srtp);
	wf_dtls_ctx_free(S.dtls_ctx);
	wf_dtls_cert_free(S.cert);
	memset(&S, 0, sizeof(S));
}

/* ---- the offer ------------------------------------------------------------------- */

static enum wf_codec sdp_codec(uint8_t conf_codec)
{
	switch (conf_codec) {
	case WF_CONF_H264: return WF_CODEC_H264;
	case WF_CONF_VP8: return WF_CODEC_VP8;
	case WF_CONF_VP9: return WF_CODEC_VP9;
	case WF_CONF_AV1: return WF_CODEC_AV1;
	case WF_CONF_OPUS: return WF_CODEC_OPUS;
	case WF_CONF_PCMU: return WF_CODEC_PCMU;
	case WF_CONF_PCMA: return WF_CODEC_PCMA;
	default: return WF_CODEC_NONE;
	}
}

/* The stream's tracks as lib/sdp wants them. */
static void sdp_tracks(const struct wf_config_stream *cs, const struct session *s,
		       struct wf_sdp_track *t, char ids[][16])
{
	unsigned i;

	for (i = 0; i < cs->n_tracks; i++) {
		const struct wf_config_track *ct = &cs->tracks[i];
		uint32_t mode = 1;
		char plid[16];

		memset(&t[i], 0, sizeof(t[i]));
		t[i].codec = sdp_codec((uint8_t)ct->codec);
		t[i].clock_rate = ct->clock_rate;
		t[i].channels = ct->channels;
		t[i].ssrc = s->ssrc[i];
		snprintf(ids[i], 16, "%s", wf_conf_kind_name(ct->kind));
		t[i].track_id = ids[i];
		if (ct->codec == WF_CONF_H264) {
			if (wf_sdp_fmtp_get_u32(ct->fmtp, "packetization-mode", &mode) < 0)
				mode = 1;
			t[i].h264_packetization_mode = (uint8_t)mode;
			if (wf_sdp_fmtp_get(ct->fmtp, "profile-level-id", plid, sizeof(plid)) < 0 ||
			    wf_h264_plid_parse(plid, t[i].h264_plid) < 0)
				wf_h264_plid_parse("42e01f", t[i].h264_plid);
		}
	}
}

/* Has the stream a source yet (packets in the last 5 s, as its owner
 * published them)? */
static bool stream_live(unsigned sid)
{
	struct wf_track_view tv;
	unsigned t;

	/* the time read after the view: never before its last packet */
	for (t = 0; t < WF_MAX_TRACKS; t++)
		if (wf_stream_track(sid, t, &tv) == 0 && tv.latched &&
		    rte_rdtsc() - tv.last_rx_tsc < 5 * wf_app.tsc_hz)
			return true;
	return false;
}

static void refuse(struct wf_whep_result *r, int status, unsigned retry, const char *fmt,
		   const char *arg)
{
	r->status = status;
	r->retry_after = retry;
	snprintf(r->reason, sizeof(r->reason), fmt, arg);
}

/* The live publisher of WHIP stream sid (its owner took it), or NULL. */
static const struct session *live_publisher(unsigned sid)
{
	unsigned i = sid < WF_MAX_STREAMS ? S.publisher[sid] : 0;
	const struct session *p = i ? S.tab[i - 1] : NULL;

	if (!p || p->state != S_LIVE || wf_registry_publisher_live(sid) != p->gen)
		return NULL;
	return p;
}

/* A viewer of a WHIP stream is answered with what its publisher sends
 * (lib/sdp: wf_sdp_track_from_publish): the publisher's clock rate,
 * H.264 profile and mode, VP9/AV1 profile, not the configured ones. */
static void publisher_tracks(unsigned sid, struct wf_sdp_track *t, unsigned n)
{
	const struct session *p = live_publisher(sid);
	struct wf_sdp_track out;
	unsigned i;

	for (i = 0; p && i < n; i++)
		if (p->pubt[i].set && wf_sdp_track_from_publish(&t[i], &p->pubt[i], &out) == 0)
			t[i] = out;
}

/* Fills *r with the 429 of admission refusal rc (-EDQUOT or -EBUSY) or
 * the 503 of another (no room in the table). */
static void refuse_admission(struct wf_whep_result *r, int rc, const struct wf_adm_limits *l)
{
	if (rc == -EDQUOT)
		refuse(r, 429, l->sessions_retry_s, "%s", WF_ADM_SESSIONS_TEXT);
	else if (rc == -EBUSY)
		refuse(r, 429, l->pending_retry_s, "%s", WF_ADM_PENDING_TEXT);
	else
		refuse(r, 503, 1, "%s", "no room to track this address's sessions");
}

/* The new session s counts for client, and as pending.  0, or -errno
 * with *r filled (429 at a cap, 503 when the table has no room). */
static int admission_start(struct session *s, uint64_t client, const struct wf_adm_limits *l,
			   struct wf_whep_result *r)
{
	int rc = wf_adm_session_add(&wf_admission, client, l, wf_adm_now_ms());

	if (rc < 0) {
		refuse_admission(r, rc, l);
		return rc;
	}
	s->client = client;
	s->counted = true;
	s->pending = true;
	return 0;
}

/* Slots of the session table kept for publishers: one for each WHIP
 * stream that takes one (its publish_token set, or "") and has none
 * now, at most cap - 1.  Viewers leave them free, so viewers of other
 * streams cannot fill http.max_sessions and keep a stream's publisher
 * out once it left (a live one holds its own slot). */
static unsigned publisher_room(unsigned cap)
{
	unsigned i, n = 0;
	int sid;

	for (i = 0; i < S.cfg->n_streams; i++) {
		const struct wf_config_stream *cs = &S.cfg->streams[i];

		if (cs->ingest != WF_CONF_INGEST_WHIP || cs->publish == WF_CONF_PUBLISH_NONE)
			continue;
		sid = wf_stream_index(cs->name);
		if (sid >= 0 && !S.publisher[sid])
			n++;
	}
	return n < cap ? n : cap - 1;
}

/* Whether an offer for stream from client may be taken at all, before
 * it is parsed: the stream exists and has a source (a viewer), or takes
 * a publisher and has none (a publisher), the table has room, the client
 * is within its limits.  The stream's slot and a free table slot, or -1
 * with *r the refusal. */
static int offer_room(enum wf_session_role role, const struct wf_config_stream *cs,
		      const char *stream, uint64_t client, const struct wf_adm_limits *lim,
		      unsigned *slot, struct wf_whep_result *r)
{
	int sid = wf_stream_index(stream), rc;
	unsigned i, room;
	bool whip;

	if (!cs || sid < 0) {
		refuse(r, 404, 0, "no stream named %s", stream);
		return -1;
	}
	whip = cs->ingest == WF_CONF_INGEST_WHIP;
	if (role == WF_SESSION_PUBLISHER && !whip) {
		refuse(r, 404, 0, "stream %s takes no publisher (ingest = \"rtp\")", stream);
		return -1;
	}
	/* one publisher per stream, pending or live: a second POST, token
	 * or not, neither ends nor replaces it */
	if (role == WF_SESSION_PUBLISHER && S.publisher[sid]) {
		/* a publisher that crashed comes back to its own session until
		 * consent or the handshake deadline ends it: a hint when to try */
		refuse(r, 409, 2, "stream %s has a publisher already", stream);
		return -1;
	}
	if (role == WF_SESSION_VIEWER && whip && !live_publisher((unsigned)sid)) {
		refuse(r, 409, 2, "stream %s has no publisher yet (not live)", stream);
		return -1;
	}
	if (role == WF_SESSION_VIEWER && !whip && !stream_live((unsigned)sid)) {
		refuse(r, 409, 2, "stream %s has no source yet (not live)", stream);
		return -1;
	}
	/* a viewer leaves the publishers' slots free (publisher_room()) */
	room = S.cap - (role == WF_SESSION_VIEWER ? publisher_room(S.cap) : 0);
	for (i = 0; S.count < room && i < S.cap && S.tab[i]; i++)
		;
	if (S.count >= room || i == S.cap) {
		wf_adm_count(WF_ADM_FULL);
		refuse(r, 503, 10, "%s", "too many sessions (http.max_sessions)");
		return -1;
	}
	/* admission_start() is the authoritative check */
	rc = wf_adm_room(&wf_admission, client, lim);
	if (rc < 0) {
		refuse_admission(r, rc, lim);
		return -1;
	}
	*slot = i;
	return sid;
}

/* A new session of stream sid with random ICE credentials, id (its bytes
 * in idb), SSRCs and CNAME, or NULL with *r the refusal. */
static struct session *session_new(enum wf_session_role role, int sid,
				   const struct wf_config_stream *cs, uint8_t idb[16],
				   struct wf_whep_result *r)
{
	struct session *s = calloc(1, sizeof(*s));
	unsigned i;

	if (s && role == WF_SESSION_PUBLISHER) {
		s->pubt = calloc(WF_MAX_TRACKS, sizeof(*s->pubt));
		if (!s->pubt) {
			free(s);
			s = NULL;
		}
	}
	if (!s) {
		refuse(r, 503, 1, "%s", "out of memory");
		return NULL;
	}
	s->role = (uint8_t)role;
	s->stream = (uint16_t)sid;
	s->n_tracks = cs->n_tracks;
	if (random_ice(s->ufrag, UFRAG_LEN) || random_ice(s->pwd, PWD_LEN) ||
	    RAND_bytes(idb, 16) != 1 || RAND_bytes((uint8_t *)s->ssrc, sizeof(s->ssrc)) != 1 ||
	    RAND_bytes((uint8_t *)&s->cname_hash, sizeof(s->cname_hash)) != 1) {
		free(s->pubt);
		free(s);
		refuse(r, 503, 1, "%s", "no randomness");
		return NULL;
	}
	for (i = 0; i < 16; i++)
		snprintf(s->id + 2 * i, 3, "%02x", idb[i]);
	snprintf(s->etag, sizeof(s->etag), "\"%08x\"", s->cname_hash);
	return s;
}

/* The SDP answer to the parsed offer (S.offer) into answer, and what the
 * session takes from the offer: the browser's credentials and
 * fingerprint, the tracks it accepted and their payload types (a
 * publisher: what it will send, s->pubt).  0, or -1 with *r the refusal:
 * 406 for a publisher's offer without the stream's codecs
 * (WF_SDP_E_NOT_ACCEPTABLE), else 400. */
static int answer_offer(struct session *s, const struct wf_config_stream *cs, char *answer,
			size_t cap, struct wf_whep_result *r)
{
	struct wf_sdp_track tracks[WF_MAX_TRACKS];
	char track_ids[WF_MAX_TRACKS][16];
	struct wf_sdp_match m[WF_SDP_MAX_MEDIA];
	struct wf_sdp_answer_params ap;
	struct wf_sdp_remote remote;
	struct wf_sdp_error err;
	char addr[16];
	uint32_t a;
	unsigned i;
	int rc;

	sdp_tracks(cs, s, tracks, track_ids);
	if (s->role == WF_SESSION_VIEWER && cs->ingest == WF_CONF_INGEST_WHIP)
		publisher_tracks(s->stream, tracks, cs->n_tracks);
	a = S.cfg->webrtc.has_announce ? S.cfg->webrtc.announce : wf_app.ports[0].addr;
	snprintf(addr, sizeof(addr), "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
		 a & 255);
	memset(&ap, 0, sizeof(ap));
	ap.session_id = ((uint64_t)s->cname_hash << 20) ^ s->ssrc[0];
	ap.addr = addr;
	ap.port = wf_app.webrtc_port;
	ap.ice_ufrag = s->ufrag;
	ap.ice_pwd = s->pwd;
	memcpy(ap.fingerprint, S.fingerprint, sizeof(ap.fingerprint));
	ap.stream_id = cs->name;
	ap.cname = s->id;
	ap.tracks = tracks;
	ap.ntracks = cs->n_tracks;
	ap.allow_partial = false;
	ap.no_nack = !S.cfg->webrtc.nack;	/* NACKs would be counted, not served */
	ap.role = s->role == WF_SESSION_PUBLISHER ? WF_SDP_ROLE_WHIP : WF_SDP_ROLE_WHEP;
	rc = wf_sdp_answer_build(S.offer, &ap, m, answer, cap, &r->answer_len, &err);
	if (rc < 0) {
		/* RFC 9725 §4.2: an offer whose codecs we cannot take is 406 */
		refuse(r, rc == -WF_SDP_E_NOT_ACCEPTABLE ? 406 : 400, 0, "%s", err.reason);
		return -1;
	}
	if (s->role == WF_SESSION_PUBLISHER &&
	    wf_sdp_publish_tracks(S.offer, m, cs->n_tracks, s->pubt) < 0) {
		refuse(r, 400, 0, "%s", "the offer's tracks cannot be read back");
		return -1;
	}
	if (wf_sdp_remote_creds(S.offer, m, &remote) < 0) {
		refuse(r, 400, 0, "%s", "offer has no ICE credentials or fingerprint");
		return -1;
	}
	memcpy(s->remote_fp, remote.fingerprint, sizeof(s->remote_fp));
	memcpy(s->r_ufrag, remote.ufrag, sizeof(s->r_ufrag));
	memcpy(s->r_pwd, remote.pwd, sizeof(s->r_pwd));
	for (i = 0; i < WF_SDP_MAX_MEDIA && i < S.offer->nmedia; i++) {
		if (!m[i].accepted || m[i].track < 0 || (unsigned)m[i].track >= cs->n_tracks)
			continue;
		s->track_on[m[i].track] = true;
		s->pt[m[i].track] = m[i].pt;
	}
	return 0;
}

/* Puts s in the table at slot, indexed by id and ufrag, counted for its
 * client, its timer armed.  0, or -1 with *r the refusal (s freed). */
static int session_enter(struct session *s, unsigned slot, const uint8_t idb[16],
			 uint64_t client, const struct wf_adm_limits *lim,
			 struct wf_whep_result *r)
{
	_Alignas(8) uint8_t key[16];

	memcpy(key, idb, sizeof(key));
	s->created_tsc = rte_rdtsc();
	wf_ev_timer_init(&s->timer, session_due);
	s->idx = slot;
	S.tab[slot] = s;
	S.count++;
	if (rte_hash_add_key_data(S.by_id, key, (void *)(uintptr_t)slot) < 0 ||
	    rte_hash_add_key_data(S.by_ufrag, s->ufrag, (void *)(uintptr_t)slot) < 0) {
		session_free(s);
		refuse(r, 503, 1, "%s", "session table full");
		return -1;
	}
	if (admission_start(s, client, lim, r) < 0) {
		session_free(s);
		return -1;
	}
	if (session_arm(s) < 0) {
		session_free(s);
		refuse(r, 503, 1, "%s", "no room for the session's timer");
		return -1;
	}
	S.stats.sessions_created++;
	publish(s);
	return 0;
}

void wf_session_offer(enum wf_session_role role, const char *stream, uint64_t client,
		      const char *offer, size_t len, char *answer, size_t cap,
		      struct wf_whep_result *r)
{
	const struct wf_config_stream *cs = wf_config_stream_find(S.cfg, stream);
	struct wf_adm_limits lim;
	struct wf_sdp_error err;
	struct session *s;
	_Alignas(8) uint8_t idb[16];
	unsigned slot;
	int sid;

	memset(r, 0, sizeof(*r));
	wf_adm_limits_of(S.cfg, &lim);
	sid = offer_room(role, cs, stream, client, &lim, &slot, r);
	if (sid < 0)
		return;
	if (wf_sdp_offer_parse(S.offer, offer, len, &err) < 0) {
		refuse(r, 400, 0, "bad SDP offer: %s", err.reason);
		return;
	}
	s = session_new(role, sid, cs, idb, r);
	if (!s)
		return;
	if (answer_offer(s, cs, answer, cap, r) < 0) {
		free(s->pubt);
		free(s);
		return;
	}
	s->dtls = wf_dtls_create(S.dtls_ctx, s->remote_fp);
	if (!s->dtls) {
		free(s->pubt);
		free(s);
		refuse(r, 503, 1, "%s", "cannot create a DTLS session");
		return;
	}
	if (session_enter(s, slot, idb, client, &lim, r) < 0)
		return;
	if (role == WF_SESSION_PUBLISHER)
		S.publisher[sid] = slot + 1;
	r->status = 201;
	memcpy(r->id, s->id, sizeof(r->id));
}

const char *wf_session_etag(const char *id)
{
	struct session *s = find_id(id);

	return s ? s->etag : NULL;
}

int wf_session_delete(enum wf_session_role role, const char *stream, const char *id)
{
	struct session *s = find_id(id);

	if (!s || s->role != role || strcmp(wf_app.streams[s->stream].name, stream))
		return 404;
	session_free(s);
	return 200;
}

int wf_session_patch(enum wf_session_role role, const char *stream, const char *id,
		     const char *frag, size_t len, char *reason, size_t reason_cap)
{
	struct session *s = find_id(id);
	struct wf_sdp_frag f;
	struct wf_sdp_error err;

	if (!s || s->role != role || strcmp(wf_app.streams[s->stream].name, stream)) {
		snprintf(reason, reason_cap, "no such session");
		return 404;
	}
	if (wf_sdp_frag_parse(&f, frag, len, &err) < 0) {
		snprintf(reason, reason_cap, "bad trickle-ice-sdpfrag: %s", err.reason);
		return 400;
	}
	/* ICE-lite: remote candidates are not needed, the checks tell */
	return 204;
}

void wf_session_end_stream(unsigned slot)
{
	unsigned i;

	for (i = 0; S.tab && i < S.cap; i++)
		if (S.tab[i] && S.tab[i]->stream == slot)
			session_free(S.tab[i]);
}

void wf_session_end_publisher(unsigned slot)
{
	unsigned i;

	for (i = 0; S.tab && i < S.cap; i++)
		if (S.tab[i] && S.tab[i]->stream == slot &&
		    S.tab[i]->role == WF_SESSION_PUBLISHER) {
			WF_LOG(INFO, "session %s: publisher ended: its publish_token changed\n",
			       S.tab[i]->id);
			session_free(S.tab[i]);
		}
}

unsigned wf_session_count(void)
{
	return S.count;
}

void wf_session_stats(struct wf_session_stats *out)
{
	*out = S.stats;
}

/* ---- packets ---------------------------------------------------------------------- */

/* Sends payload to the session's peer from our WebRTC port. */
/* Through the viewer's worker once it has one: its DTLS records and its
 * media then leave through one queue, in order. */
static void send_to_peer(const struct session *s, const uint8_t *payload, size_t len)
{
	wf_slow_send_udp_via(s->placed ? s->worker : 0, s->peer.port_idx, &s->peer_mac,
			     s->peer.addr, s->peer.port, wf_app.webrtc_port, payload, len);
}

static void send_dtls_output(struct session *s)
{
	uint8_t buf[DTLS_MAX_DGRAM];
	int n;

	while ((n = wf_dtls_next_output(s->dtls, buf, sizeof(buf))) > 0)
		send_to_peer(s, buf, (size_t)n);
}

/* SRTP or SRTCP (kind) keys into *out from the DTLS export's master key
 * and salt: ours (local) or the peer's.  0 or -errno. */
static int derive(const struct wf_dtls_keys *k, bool local, enum wf_srtp_kind kind,
		  struct wf_srtp_keys *out)
{
	return wf_srtp_keys_derive(S.srtp, out, k->profile, kind,
				   local ? k->local_key : k->remote_key, k->key_len,
				   local ? k->local_salt : k->remote_salt, k->salt_len);
}

/* The viewer of session s into *v, its RTCP keys included, what its
 * copies read and write into *vo and their SRTP key into *srtp_out. */
static int make_viewer(const struct session *s, const struct wf_dtls_keys *k, struct wf_viewer *v,
		       struct wf_viewer_out *vo, struct wf_srtp_keys *srtp_out)
{
	const struct wf_stream *st = &wf_app.streams[s->stream];
	unsigned t;
	int rc;

	memset(v, 0, sizeof(*v));
	memset(vo, 0, sizeof(*vo));
	v->stream = s->stream;
	vo->srtp = 1;
	v->cname_hash = s->cname_hash;
	wf_registry_template(v, vo, s->peer.port_idx, &s->peer_mac, s->peer.addr, s->peer.port);
	/* RFC 5764 §4.2: we are the server; we send with the server key and
	 * receive with the client's */
	rc = derive(k, true, WF_SRTP_KIND_RTP, srtp_out);
	rc = rc ? rc : derive(k, true, WF_SRTP_KIND_RTCP, &v->srtcp_out);
	rc = rc ? rc : derive(k, false, WF_SRTP_KIND_RTCP, &v->srtcp_in);
	for (t = 0; t < st->n_tracks; t++) {
		if (!s->track_on[t])
			continue;
		vo->trk[t].state = WF_VT_WAIT;
		vo->trk[t].pt = s->pt[t];
		vo->trk[t].ssrc = s->ssrc[t];
		vo->trk[t].next_index = s->ssrc[t] & 0x7fff;	/* random first seq */
	}
	return rc;
}

/* DTLS is done: the session becomes a viewer on a worker.  When the
 * control pool or the worker's ring is full (a burst of sessions going
 * live at once) it stays keyed and tries again LIVE_RETRY_MS later
 * (live_retry_tsc, its timer). */
static void go_live_viewer(struct session *s)
{
	static struct wf_viewer v;	/* 2.5 KiB: off the stack */
	static struct wf_viewer_out vo;
	static struct wf_srtp_keys srtp_out;
	struct wf_dtls_keys k = { 0 };
	enum wf_srtp_profile profile;
	int rc;

	rc = wf_dtls_get_keys(s->dtls, &k);
	profile = k.profile;
	rc = rc ? rc : make_viewer(s, &k, &v, &vo, &srtp_out);
	if (!rc && !s->placed)
		rc = wf_registry_place(&s->worker, &s->slot, &s->gen);
	if (!rc) {
		/* the handshake's last flight leaves through the viewer's worker
		 * before the message that adds the viewer: the browser has its
		 * keys before the first (replayed) SRTP packet (worker.c polls
		 * the slow path's frames before control messages) */
		s->placed = true;
		send_dtls_output(s);
		rc = wf_registry_add(s->worker, s->slot, s->gen,
				     wf_peer_tag(s->ufrag, strlen(s->ufrag)), &v, &vo, &srtp_out);
	}
	wf_viewer_keys_wipe(&v, &srtp_out);
	OPENSSL_cleanse(&k, sizeof(k));
	if (rc == -ENOBUFS) {
		s->placed = false;	/* nothing reached the worker */
		s->live_retry = true;
		s->live_retry_tsc = rte_rdtsc() + LIVE_RETRY_MS * wf_app.tsc_hz / 1000;
		return;
	}
	s->live_retry = false;
	if (rc) {
		WF_LOG(ERR, "session %s: no room for the viewer: %s\n", s->id, strerror(-rc));
		s->placed = false;
		s->state = S_CLOSING;
		publish(s);
		return;
	}
	s->state = S_LIVE;
	s->profile = profile;
	publish(s);
	S.stats.sessions_live++;
	pending_done(s);
	WF_LOG(INFO, "session %s: live on worker %u (%s)\n", s->id, s->worker,
	       wf_srtp_suite(s->profile)->name);
}

/* The publisher of session s, keys included, into *p (publisher.h). */
static int make_publisher(const struct session *s, const struct wf_dtls_keys *k,
			  struct wf_publisher *p)
{
	uint8_t idb[16];
	unsigned t;
	int rc;

	memset(p, 0, sizeof(*p));
	wf_registry_publisher_template(p, s->peer.port_idx, &s->peer_mac, s->peer.addr,
				       s->peer.port);
	p->gen = s->gen;
	p->stream = s->stream;
	p->n_tracks = (uint8_t)s->n_tracks;
	for (t = 0; t < s->n_tracks && t < WF_MAX_TRACKS; t++) {
		p->on[t] = s->pubt[t].set;
		p->pt[t] = s->pubt[t].pt;
	}
	/* the low 64 bits of the id, read as one 128-bit number */
	if (hex_id(s->id, idb) == 0)
		for (t = 8; t < 16; t++)
			p->session_id = p->session_id << 8 | idb[t];
	if (RAND_bytes((uint8_t *)&p->ssrc_out, sizeof(p->ssrc_out)) != 1)
		return -EIO;
	/* RFC 5764 §4.2: the publisher is the DTLS client: what it sends is
	 * protected with the client's (remote) key, what we send it with
	 * ours (make_viewer the other way round) */
	rc = derive(k, false, WF_SRTP_KIND_RTP, &p->srtp_in);
	rc = rc ? rc : derive(k, false, WF_SRTP_KIND_RTCP, &p->srtcp_in);
	return rc ? rc : derive(k, true, WF_SRTP_KIND_RTCP, &p->srtcp_out);
}

/* The owner's answer for the publisher of stream, generation gen
 * (registry.h): live, with the final DTLS flight sent now that its
 * 5-tuple routes to the owner; or refused, and the session ends. */
static void publisher_taken(unsigned stream, uint16_t gen, int status)
{
	unsigned i = stream < WF_MAX_STREAMS ? S.publisher[stream] : 0;
	struct session *s = i ? S.tab[i - 1] : NULL;

	if (!s || s->gen != gen || !s->placed || s->state != S_DTLS)
		return;	/* ended meanwhile: its removal is on its way */
	if (status) {
		S.stats.publishers_refused++;
		WF_LOG(ERR, "session %s: the owner of stream %s refused the publisher: %s\n", s->id,
		       wf_app.streams[stream].name, strerror(-status));
		s->placed = false;	/* the owner has nothing of it */
		s->state = S_CLOSING;
		publish(s);
		session_arm(s);
		return;
	}
	/* the handshake's last flight: from now on the publisher sends SRTP,
	 * and its first packet (a key frame) finds its route */
	send_dtls_output(s);
	s->state = S_LIVE;
	publish(s);
	S.stats.publishers_live++;
	pending_done(s);
	session_arm(s);
	WF_LOG(INFO, "session %s: publisher of stream %s live on worker %u, generation %u (%s)\n",
	       s->id, wf_app.streams[stream].name, s->worker, s->gen,
	       wf_srtp_suite(s->profile)->name);
}

/* DTLS is done: the publisher's keys go to its stream's owner
 * (publisher_taken() has the answer).  A full control pool or ring
 * retries as a viewer does. */
static void go_live_publisher(struct session *s)
{
	static struct wf_publisher p;	/* keys: off the stack */
	struct wf_dtls_keys k = { 0 };
	int rc;

	if (s->placed)
		return;	/* sent: the owner's answer decides */
	if (!s->gen) {
		if (++S.pub_gen[s->stream] == 0)
			S.pub_gen[s->stream] = 1;	/* 1.., never 0 */
		s->gen = S.pub_gen[s->stream];
	}
	rc = wf_dtls_get_keys(s->dtls, &k);
	s->profile = k.profile;
	rc = rc ? rc : make_publisher(s, &k, &p);
	rc = rc ? rc : wf_registry_publisher_set(&p, wf_peer_tag(s->ufrag, strlen(s->ufrag)),
						 publisher_taken);
	wf_publisher_keys_wipe(&p);
	OPENSSL_cleanse(&k, sizeof(k));
	if (rc == -ENOBUFS) {
		s->live_retry = true;
		s->live_retry_tsc = rte_rdtsc() + LIVE_RETRY_MS * wf_app.tsc_hz / 1000;
		return;
	}
	s->live_retry = false;
	if (rc) {
		WF_LOG(ERR, "session %s: the publisher cannot be sent to its owner: %s\n", s->id,
		       strerror(-rc));
		s->state = S_CLOSING;
		publish(s);
		return;
	}
	s->placed = true;
	s->worker = wf_app.streams[s->stream].owner;
	s->slot = s->stream;
}

static void go_live(struct session *s)
{
	if (s->role == WF_SESSION_PUBLISHER)
		go_live_publisher(s);
	else
		go_live_viewer(s);
}

/* The worker of s's viewer or publisher learns its new destination
 * (s->peer through mac).  0, or the registry's -errno. */
static int peer_moved(const struct session *s, const struct rte_ether_addr *mac)
{
	if (!s->placed)
		return 0;
	if (s->role == WF_SESSION_PUBLISHER)
		return wf_registry_publisher_move(s->stream, s->gen, s->peer.port_idx, mac,
						  s->peer.addr, s->peer.port);
	return wf_registry_move(s->worker, s->slot, s->gen, s->peer.port_idx, mac, s->peer.addr,
				s->peer.port);
}

/* Sends a STUN message to k from our WebRTC port. */
static void stun_send(const struct wf_peer_key *k, const struct rte_ether_addr *mac,
		      const uint8_t *p, size_t n)
{
	wf_slow_send_udp(k->port_idx, mac, k->addr, k->port, wf_app.webrtc_port, p, n);
}

/* The session's DTLS cookie is bound to its peer address (docs/dtls.md):
 * called whenever s->peer changes, so a cookie obtained at one address is
 * refused at another. */
static void dtls_bind(struct session *s)
{
	if (wf_dtls_set_peer(s->dtls, &s->peer, sizeof(s->peer)) < 0)
		WF_LOG(NOTICE, "session %s: no DTLS cookie for the new peer address: "
		       "its ClientHellos are dropped\n", s->id);
}

/* Indexes s->peer in S.by_addr for s.  When another session held it, it
 * no longer does, and no longer has a peer: only a validated path
 * (move_pair) comes here with an address another session has, and the
 * other's later checks from there are refused (learn_peer). */
static void index_peer(struct session *s)
{
	struct session *o = find_addr(&s->peer);

	if (o && o != s) {
		o->addr_indexed = false;
		o->have_peer = false;
		rte_hash_del_key(S.by_addr, &s->peer);
		publish(o);
	}
	s->addr_indexed = rte_hash_add_key_data(S.by_addr, &s->peer,
						(void *)(uintptr_t)s->idx) == 0;
}

static void stop_probe(struct session *s)
{
	if (s->probing)
		del_own_key(S.by_probe, s->probe_txid, s->idx);
	s->probing = false;
}

static void stop_consent_check(struct session *s)
{
	if (s->consent_out)
		del_own_key(S.by_probe, s->consent_txid, s->idx);
	s->consent_out = false;
}

/* The next consent check of a moved session: a quarter of
 * webrtc.consent_timeout_s, minus up to a quarter of that at random
 * (RFC 7675 §5.1 asks for jitter), at least CONSENT_MIN_MS. */
static void consent_schedule(struct session *s, uint64_t now)
{
	uint64_t q = S.consent_tsc / 4, min = CONSENT_MIN_MS * wf_app.tsc_hz / 1000;
	uint32_t r = 0;

	if (RAND_bytes((uint8_t *)&r, sizeof(r)) != 1)
		r = 0;
	q -= q / 4 * (r % 1024) / 1024;
	s->consent_next_tsc = now + (q < min ? min : q);
}

/* A moved session's consent check (RFC 7675 §5.1): a Binding request to
 * the peer with a fresh random transaction id; only its success answer
 * from the peer address, authenticated with the browser's password,
 * refreshes consent (stun_response).  An incoming check proves only
 * knowledge of the password, which the offer's author chose: after a
 * move, a third party that answered one probe could otherwise be kept
 * receiving media by checks spoofed from its address.  One outstanding
 * per session: a new one replaces the last. */
static void consent_check(struct session *s, uint64_t now)
{
	struct wf_stun_request_params rp = { 0 };
	uint8_t out[STUN_OUT_MAX];
	uint64_t tie;
	int n;

	consent_schedule(s, now);
	stop_consent_check(s);
	if (RAND_bytes(s->consent_txid, sizeof(s->consent_txid)) != 1 ||
	    RAND_bytes((uint8_t *)&tie, sizeof(tie)) != 1)
		return;
	rp.txid = s->consent_txid;
	rp.remote_ufrag = s->r_ufrag;
	rp.local_ufrag = s->ufrag;
	rp.remote_pwd = s->r_pwd;
	rp.priority = PROBE_PRIORITY;
	rp.tie_breaker = tie;
	rp.controlling = false;
	n = wf_stun_build_binding_request(out, sizeof(out), &rp);
	if (n <= 0)
		return;
	s->consent_out = rte_hash_add_key_data(S.by_probe, s->consent_txid,
					       (void *)(uintptr_t)s->idx) == 0;
	if (!s->consent_out)
		return;
	S.stats.consent_checks_sent++;
	stun_send(&s->peer, &s->peer_mac, out, (size_t)n);
}

/* The selected pair moves to s->probe, which answered our probe: media,
 * DTLS and consent follow it (RFC 8445 §7.3.1.5, RFC 7675).  The address
 * proved that it receives our packets and holds the session's
 * credentials: it is taken from a session that had it (a stale mapping:
 * the NAT gave it to this browser now). */
static void move_pair(struct session *s, const struct rte_ether_addr *mac)
{
	unsigned idx = s->idx;

	if (s->addr_indexed)
		del_own_key(S.by_addr, &s->peer, idx);
	stop_probe(s);
	s->peer = s->probe;
	s->have_peer = true;	/* a contested first address proven (learn_peer) */
	if (s->state == S_WAIT_ICE)
		s->state = S_DTLS;
	rte_ether_addr_copy(mac, &s->peer_mac);
	index_peer(s);
	dtls_bind(s);
	s->consent_tsc = rte_rdtsc();
	/* from now on consent only from answers to our own checks */
	s->moved = true;
	stop_consent_check(s);
	consent_schedule(s, s->consent_tsc);
	session_arm(s);
	publish(s);
	peer_moved(s, &s->peer_mac);
	S.stats.ice_moves++;
	WF_LOG(INFO, "session %s: path moved to %u.%u.%u.%u:%u\n", s->id, s->peer.addr >> 24,
	       (s->peer.addr >> 16) & 255, (s->peer.addr >> 8) & 255, s->peer.addr & 255,
	       s->peer.port);
}

/* An authenticated check from the selected address came through another
 * next hop (a gateway that failed over, a router replaced): media and
 * DTLS go to its MAC from now on, once a second at most.  The address does
 * not change, so nothing is proved or taken: only a sender on whepfan's
 * segment chooses a source MAC (a session's first one is its choice as
 * well), and stun_input() takes no check from a group MAC. */
static void follow_mac(struct session *s, const struct rte_ether_addr *mac)
{
	uint64_t now = rte_rdtsc();

	/* one move a second: checks alternating between two MACs cost one
	 * control message a second, not one per check */
	if (s->mac_tsc && now - s->mac_tsc < MAC_FOLLOW_MS * wf_app.tsc_hz / 1000)
		return;
	s->mac_tsc = now;
	if (peer_moved(s, mac) < 0)
		return;	/* media stays where it went, and DTLS with it */
	rte_ether_addr_copy(mac, &s->peer_mac);
	S.stats.ice_mac_moves++;
	WF_LOG(INFO, "session %s: next hop now at " RTE_ETHER_ADDR_PRT_FMT "\n", s->id,
	       RTE_ETHER_ADDR_BYTES(mac));
}

/* A valid check with USE-CANDIDATE came from k, not the peer address of a
 * selected or pinned session.  A check proves knowledge of the session's
 * password, not that its sender receives at k (anyone can spoof a source
 * address, and the offer's author knows the password): so before the
 * pair moves, a Binding request with a fresh transaction id goes to k and
 * only a success answer from k, with that transaction id and
 * authenticated with the browser's password, moves it (return
 * routability, as QUIC's path validation, RFC 9000 §8.2).  One probe per
 * PROBE_INTERVAL_MS per session. */
static void start_probe(struct session *s, const struct wf_peer_key *k,
			const struct rte_ether_addr *mac)
{
	struct wf_stun_request_params rp = { 0 };
	uint64_t now = rte_rdtsc(), tie;
	uint8_t out[STUN_OUT_MAX];
	int n;

	if (s->probe_tsc && now - s->probe_tsc < PROBE_INTERVAL_MS * wf_app.tsc_hz / 1000)
		return;
	stop_probe(s);
	if (RAND_bytes(s->probe_txid, sizeof(s->probe_txid)) != 1 ||
	    RAND_bytes((uint8_t *)&tie, sizeof(tie)) != 1)
		return;
	rp.txid = s->probe_txid;
	rp.remote_ufrag = s->r_ufrag;
	rp.local_ufrag = s->ufrag;
	rp.remote_pwd = s->r_pwd;
	rp.priority = PROBE_PRIORITY;
	rp.tie_breaker = tie;
	rp.controlling = false;	/* a lite agent is controlled (RFC 8445 §6.1.1) */
	n = wf_stun_build_binding_request(out, sizeof(out), &rp);
	if (n <= 0)
		return;
	s->probe = *k;
	rte_ether_addr_copy(mac, &s->probe_mac);
	s->probe_tsc = now;
	/* add, not update: 96 random bits do not collide */
	s->probing = rte_hash_add_key_data(S.by_probe, s->probe_txid,
					   (void *)(uintptr_t)s->idx) == 0;
	if (!s->probing)
		return;
	S.stats.ice_probes++;
	stun_send(k, mac, out, (size_t)n);
}

/* A STUN response on the WebRTC port: the answer to a probe (found by its
 * transaction id, and only from the address probed), or nothing of ours. */
static void stun_response(const struct rte_ether_hdr *eth, const struct wf_peer_key *k,
			  const uint8_t *p, const struct wf_stun_msg *msg)
{
	_Alignas(8) uint8_t txid[WF_STUN_TXID_LEN];
	struct session *s;
	void *v;

	memcpy(txid, msg->txid, sizeof(txid));
	s = rte_hash_lookup_data(S.by_probe, txid, &v) < 0 ? NULL : S.tab[(uintptr_t)v];
	if (s && s->consent_out &&
	    CRYPTO_memcmp(msg->txid, s->consent_txid, WF_STUN_TXID_LEN) == 0) {
		if (!s->have_peer || memcmp(k, &s->peer, sizeof(*k)) != 0 ||
		    msg->cls != WF_STUN_CLASS_SUCCESS || msg->method != WF_STUN_METHOD_BINDING ||
		    wf_stun_verify_integrity(p, msg, s->r_pwd, strlen(s->r_pwd)) != 0) {
			S.stats.stun_rejected++;
			return;
		}
		stop_consent_check(s);
		s->consent_tsc = rte_rdtsc();	/* RFC 7675: our check answered */
		S.stats.consent_answers++;
		publish(s);
		return;
	}
	if (!s || !s->probing || memcmp(k, &s->probe, sizeof(*k)) != 0 ||
	    msg->cls != WF_STUN_CLASS_SUCCESS || msg->method != WF_STUN_METHOD_BINDING ||
	    CRYPTO_memcmp(msg->txid, s->probe_txid, WF_STUN_TXID_LEN) != 0 ||
	    wf_stun_verify_integrity(p, msg, s->r_pwd, strlen(s->r_pwd)) != 0) {
		S.stats.stun_rejected++;
		return;
	}
	move_pair(s, &eth->src_addr);
}

/* A valid check from k.  Before the session is selected or pinned it
 * teaches the session its peer (peer-reflexive: offers with only mDNS
 * candidates or none work), unless another session has k (one session
 * cannot take or void another's address: counted, -EADDRINUSE, and the
 * check goes unanswered, but s probes k, and an answer to the probe
 * takes k from whoever holds it: move_pair()); each move rebinds the
 * DTLS cookie to the new address.  After that only a
 * validated path moves it (start_probe).  0 or -EADDRINUSE. */
static int learn_peer(struct session *s, const struct wf_peer_key *k,
		      const struct rte_ether_addr *mac, bool use_candidate)
{
	bool same = s->have_peer && memcmp(k, &s->peer, sizeof(*k)) == 0;
	struct session *o;

	if (s->selected || s->pinned) {
		if (!same && use_candidate)
			start_probe(s, k, mac);
		else if (same && use_candidate)
			s->selected = true;
		if (same && !rte_is_same_ether_addr(mac, &s->peer_mac))
			follow_mac(s, mac);
		return 0;
	}
	if (!same) {
		o = find_addr(k);
		if (o && o != s) {
			S.stats.ice_addr_taken++;
			/* a check proves only knowledge of s's password (a
			 * squatter's, spoofed, proves as much for o): our own
			 * check to k, answered with the password of s's offer,
			 * proves s's agent is there, and move_pair() takes k */
			start_probe(s, k, mac);
			return -EADDRINUSE;
		}
		if (s->addr_indexed)
			del_own_key(S.by_addr, &s->peer, s->idx);
		s->peer = *k;
		s->have_peer = true;
		s->addr_indexed = rte_hash_add_key_data(S.by_addr, &s->peer,
							(void *)(uintptr_t)s->idx) == 0;
		dtls_bind(s);
	}
	rte_ether_addr_copy(mac, &s->peer_mac);
	if (use_candidate)
		s->selected = true;
	if (s->state == S_WAIT_ICE)
		s->state = S_DTLS;
	return 0;
}

/* A STUN packet on the WebRTC port (RFC 8445 §7.3, lite side). */
static void stun_input(unsigned port_idx, const struct rte_ether_hdr *eth, uint32_t src,
		       uint16_t sport, const uint8_t *p, size_t len)
{
	struct wf_peer_key k = { .addr = src, .port = sport, .port_idx = (uint16_t)port_idx };
	struct wf_stun_binding b;
	struct wf_stun_msg msg;
	struct wf_ice_username un;
	struct wf_stun_addr peer;
	struct session *s;
	uint8_t out[STUN_OUT_MAX];
	int rc, n;

	/* a group source MAC is no host's (IEEE 802: the I/G bit): a next hop
	 * we would send a viewer's media to must not be one */
	if (!rte_is_unicast_ether_addr(&eth->src_addr)) {
		S.stats.stun_rejected++;
		return;
	}
	if (wf_stun_parse(p, len, &msg) < 0) {
		S.stats.stun_rejected++;
		return;
	}
	if (msg.cls == WF_STUN_CLASS_SUCCESS || msg.cls == WF_STUN_CLASS_ERROR) {
		stun_response(eth, &k, p, &msg);
		return;
	}
	if (!msg.username.off ||
	    wf_ice_username_split(p + msg.username.off + 4, msg.username.len, &un) < 0 ||
	    !(s = find_ufrag(un.local, un.local_len))) {
		S.stats.stun_rejected++;
		return;	/* not ours: no answer to unverified addresses */
	}
	rc = wf_stun_check_binding_request(p, len, s->ufrag, s->pwd, &b);
	if (!b.authenticated) {
		S.stats.stun_rejected++;
		return;
	}
	memset(&peer, 0, sizeof(peer));
	peer.family = WF_STUN_AF_IPV4;
	peer.port = sport;
	peer.addr[0] = (uint8_t)(src >> 24);
	peer.addr[1] = (uint8_t)(src >> 16);
	peer.addr[2] = (uint8_t)(src >> 8);
	peer.addr[3] = (uint8_t)src;
	if (rc == 0 && learn_peer(s, &k, &eth->src_addr, b.use_candidate) < 0)
		return;	/* another session's address: not ours to answer */
	/* RFC 7675 consent; once moved, only from our own checks */
	if (rc == 0 && !s->moved && s->have_peer && s->peer.addr == src && s->peer.port == sport)
		s->consent_tsc = rte_rdtsc();
	if (rc == 0) {
		publish(s);	/* what learn_peer() and consent changed */
		session_arm(s);	/* a peer: DTLS and consent deadlines */
	}
	n = wf_stun_answer_binding(out, sizeof(out), rc, &b, s->pwd, &peer);
	if (n > 0)
		stun_send(&k, &eth->src_addr, out, (size_t)n);
}

/* Adds what s's DTLS counted since *before to the layer's totals. */
static void dtls_account(const struct session *s, const struct wf_dtls_stats *before)
{
	struct wf_dtls_stats now;

	wf_dtls_get_stats(s->dtls, &now);
	S.stats.dtls_retransmits += now.retransmit_timeouts - before->retransmit_timeouts;
	S.stats.dtls_bad_cookies += now.bad_cookies - before->bad_cookies;
	S.stats.dtls_cookie_failures += now.cookie_failures - before->cookie_failures;
	S.stats.dtls_records_discarded += now.records_discarded - before->records_discarded;
	S.stats.dtls_read_failures += now.read_failures - before->read_failures;
	S.stats.dtls_settled += now.settled - before->settled;
	if (now.read_failures != before->read_failures)
		WF_LOG(NOTICE, "session %s: a DTLS read failed with no alert from the peer: "
		       "the session stays, its DTLS is ignored from now on\n", s->id);
}

static void dtls_input(unsigned port_idx, uint32_t src, uint16_t sport, const uint8_t *p,
		       size_t len)
{
	struct wf_peer_key k = { .addr = src, .port = sport, .port_idx = (uint16_t)port_idx };
	struct session *s = find_addr(&k);
	struct wf_dtls_stats before;

	if (!s || s->state == S_CLOSING) {
		S.stats.dtls_unverified++;
		return;	/* DTLS only from an address that passed ICE */
	}
	wf_dtls_get_stats(s->dtls, &before);
	wf_dtls_input(s->dtls, p, len);
	dtls_account(s, &before);
	/* the peer echoed the cookie of its address: it receives there */
	if (!s->pinned && wf_dtls_peer_verified(s->dtls))
		s->pinned = true;
	if (wf_dtls_state(s->dtls) != WF_DTLS_CONNECTED || s->state != S_DTLS)
		send_dtls_output(s);	/* go_live() sends the final flight itself */
	switch (wf_dtls_state(s->dtls)) {
	case WF_DTLS_CONNECTED:
		/* a session waiting for room retries at its own time
		 * (live_retry_tsc), not at the peer's datagrams' rate */
		if (s->state == S_DTLS && !s->live_retry)
			go_live(s);
		break;
	case WF_DTLS_CLOSED:
	case WF_DTLS_FAILED:
		if (wf_dtls_state(s->dtls) == WF_DTLS_FAILED) {
			S.stats.dtls_failed++;
			WF_LOG(NOTICE, "session %s: DTLS failed: %s\n", s->id,
			       wf_dtls_reason(s->dtls));
		}
		s->state = S_CLOSING;
		publish(s);
		break;
	default:
		break;
	}
	session_arm(s);	/* a flight sent: its retransmission is due */
}

void wf_session_input(unsigned port_idx, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	const struct rte_udp_hdr *udp =
		(const struct rte_udp_hdr *)((const uint8_t *)ip + m->l3_len);
	const uint8_t *p = (const uint8_t *)(udp + 1);
	size_t len = rte_be_to_cpu_16(udp->dgram_len) - sizeof(*udp);
	uint32_t src = rte_be_to_cpu_32(ip->src_addr);
	uint16_t sport = rte_be_to_cpu_16(udp->src_port);

	if (S.tab && len > 0) {
		if (p[0] <= 3)
			stun_input(port_idx, eth, src, sport, p, len);
		else
			dtls_input(port_idx, src, sport, p, len);
	}
	rte_pktmbuf_free(m);
}

/* ---- timers (ev.h) ------------------------------------------------------------- */

/* Gives the heap freed by settled and ended sessions back to the system
 * (glibc keeps it otherwise: a burst of handshakes, some 70 KiB each,
 * would stay in RSS for good), once TRIM_SESSIONS have settled or ended
 * since the last trim; looks every TRIM_EVERY_MS. */
static void heap_trim(struct wf_ev_timer *t, uint64_t now)
{
	uint64_t done = S.stats.dtls_settled + S.stats.sessions_ended;

	wf_ev_timer_arm(t, now + TRIM_EVERY_MS * wf_app.tsc_hz / 1000);
	if (done - S.trimmed_at < TRIM_SESSIONS)
		return;
	S.trimmed_at = done;
	malloc_trim(0);
}

/* webrtc.handshake_timeout_s, read at every use: a reload applies at once
 * (wf_session_rearm()). */
static uint64_t handshake_tsc(void)
{
	return S.cfg ? S.cfg->webrtc.handshake_timeout_s * wf_app.tsc_hz : 0;
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* When something is next due for s: what session_step() does at that
 * time.  A deadline that comes early costs a look; one that comes late
 * would keep a session or a retransmission waiting, so every change that
 * brings one nearer arms the timer again (session_arm). */
static uint64_t session_deadline(const struct session *s, uint64_t now)
{
	uint64_t when = UINT64_MAX;
	int64_t ms;

	if (s->state == S_CLOSING)
		return now;
	if (s->live_retry)
		when = s->live_retry_tsc;
	if (s->state != S_LIVE)
		when = earliest(when, s->created_tsc + handshake_tsc());
	if (s->state == S_LIVE && s->moved && s->have_peer)
		when = earliest(when, s->consent_next_tsc);
	if (s->state == S_LIVE)
		when = earliest(when, s->consent_tsc + S.consent_tsc);
	if (s->have_peer && (s->state == S_DTLS || s->state == S_LIVE) &&
	    (ms = wf_dtls_timeout_ms(s->dtls)) >= 0)
		when = earliest(when, now + (uint64_t)ms * wf_app.tsc_hz / 1000);
	return when;
}

/* 0, or -ENOSPC: the loop has room for every session (setup.c), so only
 * a bug makes it fail; a session is refused rather than kept unwatched. */
static int session_arm(struct session *s)
{
	return wf_ev_timer_arm(&s->timer, session_deadline(s, rte_rdtsc()));
}

/* What is due for s at now.  Returns false when s was freed. */
static bool session_step(struct session *s, uint64_t now)
{
	if (s->state == S_CLOSING) {
		session_free(s);
		return false;
	}
	if (s->live_retry && now >= s->live_retry_tsc)
		go_live(s);
	/* (deadlines compared as sums: a time taken after now is not past) */
	if (s->state != S_LIVE && now >= s->created_tsc + handshake_tsc()) {
		/* webrtc.handshake_timeout_s: the slot and the client's
		 * pending count are freed */
		WF_LOG(DEBUG, "session %s: ICE + DTLS not done in %u s, dropped\n", s->id,
		       S.cfg->webrtc.handshake_timeout_s);
		wf_adm_count(WF_ADM_HANDSHAKE);
		session_free(s);
		return false;
	}
	if (s->state == S_LIVE && s->moved && s->have_peer && now >= s->consent_next_tsc)
		consent_check(s, now);
	if (s->state == S_LIVE && now >= s->consent_tsc + S.consent_tsc) {
		/* RFC 7675 §5.1: consent expired: stop sending */
		WF_LOG(NOTICE, "session %s: consent expired\n", s->id);
		session_free(s);
		return false;
	}
	/* DTLS retransmissions while handshaking; once live, the moment its
	 * DTLS leaves OpenSSL (dtls.settle_s) */
	if (s->have_peer && (s->state == S_DTLS || s->state == S_LIVE) &&
	    wf_dtls_timeout_ms(s->dtls) == 0) {
		struct wf_dtls_stats before;

		wf_dtls_get_stats(s->dtls, &before);
		wf_dtls_on_timer(s->dtls);
		dtls_account(s, &before);
		send_dtls_output(s);
		if (wf_dtls_state(s->dtls) == WF_DTLS_FAILED) {
			S.stats.dtls_failed++;
			WF_LOG(NOTICE, "session %s: %s\n", s->id, wf_dtls_reason(s->dtls));
			s->state = S_CLOSING;
			publish(s);
		}
	}
	return true;
}

static void session_due(struct wf_ev_timer *t, uint64_t now)
{
	struct session *s = container_of(t, struct session, timer);
	uint64_t floor = now + wf_app.tsc_hz / 1000;
	uint64_t when;

	if (!session_step(s, now))
		return;
	/* at least 1 ms on (but a closing session at once): a deadline that
	 * a step did not move cannot make the loop spin */
	when = session_deadline(s, now);
	wf_ev_timer_arm(t, s->state == S_CLOSING || when > floor ? when : floor);
}

void wf_session_rearm(void)
{
	unsigned i;

	for (i = 0; S.tab && i < S.cap; i++)
		if (S.tab[i])
			session_arm(S.tab[i]);
}

/* ---- what telemetry sees ----------------------------------------------------------- */

static int pub_init(unsigned cap)
{
	struct session_pub *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	pub.cap = cap;
	/* release: readers (acquire) see the zeroed table and its cap */
	__atomic_store_n(&pub.tab, t, __ATOMIC_RELEASE);
	return 0;
}

static void pub_fini(void)
{
	free(pub.tab);
	pub.tab = NULL;
	pub.cap = 0;
}

static void publish(const struct session *s)
{
	static const char *const names[] = {
		[S_WAIT_ICE] = "ice", [S_DTLS] = "dtls", [S_LIVE] = "live", [S_CLOSING] = "closing",
	};
	struct wf_session_info v;

	memset(&v, 0, sizeof(v));
	memcpy(v.id, s->id, sizeof(v.id));
	snprintf(v.stream, sizeof(v.stream), "%s", wf_app.streams[s->stream].name);
	v.state = names[s->state];
	v.role = s->role == WF_SESSION_PUBLISHER ? "whip" : "whep";
	v.peer_addr = s->have_peer ? s->peer.addr : 0;
	v.peer_port = s->have_peer ? s->peer.port : 0;
	v.worker = s->state == S_LIVE ? (int)s->worker : -1;
	v.slot = s->slot;
	v.gen = s->gen;
	v.created_tsc = s->created_tsc;
	v.consent_tsc = s->consent_tsc;
	v.profile = s->state == S_LIVE ? wf_srtp_suite(s->profile)->name : "";
	wf_pub_write(&pub.tab[s->idx].sc, &pub.tab[s->idx].v, &v, sizeof(v));
}

static void unpublish(unsigned idx)
{
	static const struct wf_session_info none;

	wf_pub_write(&pub.tab[idx].sc, &pub.tab[idx].v, &none, sizeof(none));
}

unsigned wf_session_view_cap(void)
{
	/* acquire: pairs with pub_init(); cap was stored before */
	return __atomic_load_n(&pub.tab, __ATOMIC_ACQUIRE) ? pub.cap : 0;
}

int wf_session_view(unsigned i, struct wf_session_info *out)
{
	const struct session_pub *t = __atomic_load_n(&pub.tab, __ATOMIC_ACQUIRE);

	if (!t || i >= pub.cap)
		return -ENOENT;
	if (!wf_pub_read(&t[i].sc, &t[i].v, out, sizeof(*out)))
		return -EBUSY;
	return out->id[0] ? 0 : -ENOENT;
}

int wf_session_info(const char *id, struct wf_session_info *out)
{
	const struct session_pub *t = __atomic_load_n(&pub.tab, __ATOMIC_ACQUIRE);
	char got[WF_SESSION_ID_LEN + 1];
	unsigned i;

	if (!t || !id || strlen(id) != WF_SESSION_ID_LEN)
		return -ENOENT;
	for (i = 0; i < pub.cap; i++) {
		/* the id first (it leads the record), the whole view on a match */
		if (!wf_pub_read(&t[i].sc, &t[i].v.id, got, sizeof(got)) || strcmp(got, id))
			continue;
		if (wf_session_view(i, out) == 0 && !strcmp(out->id, id))
			return 0;
	}
	return -ENOENT;
}
