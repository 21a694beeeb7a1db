/* session.h: WHEP and WHIP sessions on the slow path.
 *
 * A session is a browser viewer negotiated over WHEP, or a publisher over
 * WHIP (RFC 9725): SDP offer/answer (lib/sdp), ICE-lite (lib/stun),
 * DTLS-SRTP (lib/dtls).  When DTLS completes a viewer's session becomes a
 * viewer on a worker (registry.h) — the same state and fast path as a
 * static output — and a publisher's goes to its stream's owner
 * (publisher.h).  Everything here runs on the slow path.
 */
#ifndef WF_SESSION_H
#define WF_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "conf/conf.h"

#define WF_SESSION_ID_LEN	32	/* 128 random bits as lowercase hex */
#define WF_SESSION_REASON_LEN	256

/* Who a session is: a WHEP viewer or a WHIP publisher (one per stream,
 * pending or live). */
enum wf_session_role {
	WF_SESSION_VIEWER = 0,
	WF_SESSION_PUBLISHER,
};

/* What a WHEP or WHIP request produced, for the HTTP layer. */
struct wf_whep_result {
	int status;			/* HTTP status code */
	char id[WF_SESSION_ID_LEN + 1];	/* the new session (POST, 201) */
	char reason[WF_SESSION_REASON_LEN];	/* body of a refusal */
	unsigned retry_after;		/* seconds for 409/429/503, 0 = none */
	size_t answer_len;		/* bytes of SDP answer written (201) */
};

/* Sets up the DTLS certificate (generated, or dtls.certificate/private_key)
 * and the session table.  Returns 0 or -errno with the reason logged. */
int wf_session_init(const struct wf_config *cfg);

/* Ends every session (DTLS close_notify, viewer removed) and frees all,
 * the copies telemetry reads included: after wf_telemetry_close(). */
void wf_session_fini(void);

/* POST /<stream>/whep (role VIEWER) or /<stream>/whip (PUBLISHER) from
 * client (a client key, xff.h: the TCP peer or the address a trusted
 * proxy forwarded for): a new session from an SDP offer of len bytes.
 * Writes the answer into answer[cap] and fills *r: 201 with id and
 * answer_len; 404 unknown stream (or, WHIP, a stream with ingest "rtp");
 * 409 + retry_after when the stream has no source yet (a WHIP stream: no
 * live publisher), or, WHIP, has a publisher already (pending or live);
 * 429 + retry_after when client already has http.max_sessions_per_ip
 * sessions, or http.max_pending_per_ip sessions not through ICE + DTLS;
 * 406 with the reason for a publisher's offer without the stream's
 * codecs, 400 with the reason for another offer we cannot answer; 503 +
 * retry_after when max_sessions is reached.  A created session counts for
 * client (admission.h) until it is freed, and as pending until it goes
 * live.  The bearer tokens, the content type and the POST rate are the
 * HTTP layer's to check. */
void wf_session_offer(enum wf_session_role role, const char *stream, uint64_t client,
		      const char *offer, size_t len, char *answer, size_t cap,
		      struct wf_whep_result *r);

/* DELETE /<stream>/whep/<id> or /whip/<id>: 200 when the session of that
 * role existed (it ends at once: consent revoked, DTLS close_notify,
 * viewer or publisher removed), else 404. */
int wf_session_delete(enum wf_session_role role, const char *stream, const char *id);

/* PATCH /<stream>/whep/<id> or /whip/<id> with an
 * application/trickle-ice-sdpfrag body: 204 when the fragment is valid
 * (an ICE-lite server needs no remote candidates), 400 with reason, 404
 * unknown session (or one of the other role); ETag mismatches are not
 * checked. */
int wf_session_patch(enum wf_session_role role, const char *stream, const char *id,
		     const char *frag, size_t len, char *reason, size_t reason_cap);

/* The ETag of a session (for the 201 response), or NULL. */
const char *wf_session_etag(const char *id);

/* Packets punted by the workers: STUN (ICE checks) and DTLS records for the
 * WebRTC port (takes m). */
void wf_session_input(unsigned port_idx, struct rte_mbuf *m);

/* Each session has one timer in the event loop (slow/ev.h), armed for
 * its nearest deadline: DTLS retransmission, the handshake deadline
 * (webrtc.handshake_timeout_s), the next consent check and consent
 * expiry (RFC 7675).  wf_session_init() needs the loop and room in it for
 * http.max_sessions timers and its own one.  This arms every session
 * again after a reload changed webrtc.handshake_timeout_s. */
void wf_session_rearm(void);

/* Ends every session of stream slot, its publisher's too (a reload
 * removed or changed it). */
void wf_session_end_stream(unsigned slot);

/* Ends the publisher of stream slot, pending or live (a reload changed
 * its publish_token: the old token is revoked, and so is whoever holds
 * the stream with it). */
void wf_session_end_publisher(unsigned slot);

/* Sessions that exist (any state). */
unsigned wf_session_count(void);

/* Counters of the session layer since start: name (telemetry "webrtc",
 * /metrics whepfan_webrtc_<name>_total) and help text. */
#define WF_SESSION_COUNTERS(_) \
	_(sessions_created, "WHEP offers answered with 201") \
	_(sessions_live, "Sessions that completed ICE and DTLS and became viewers") \
	_(publishers_live, "WHIP sessions that completed ICE and DTLS and whose stream's owner took them") \
	_(publishers_refused, "WHIP sessions whose stream's owner refused them (ended)") \
	_(sessions_ended, "Sessions freed, for any reason") \
	_(stun_rejected, "STUN not for a session or not authenticated: not answered") \
	_(dtls_unverified, "DTLS from an address that passed no ICE check: dropped") \
	_(dtls_failed, "DTLS handshakes failed (fingerprint, alert, timeout)") \
	_(dtls_retransmits, "DTLS handshake flights retransmitted") \
	_(dtls_bad_cookies, "ClientHellos with a cookie that is not the peer address's: discarded") \
	_(dtls_cookie_failures, "ClientHellos dropped: the peer address's cookie could not be computed") \
	_(dtls_records_discarded, "DTLS records after the handshake that cannot authenticate: discarded") \
	_(dtls_read_failures, "DTLS reads failed with no alert from the peer: session kept, DTLS ignored") \
	_(dtls_settled, "Live sessions whose DTLS left OpenSSL after dtls.settle_s (memory freed)") \
	_(ice_probes, "Path-validation probes sent to a new address of a selected pair") \
	_(ice_moves, "Selected pairs moved to a validated new address (NAT rebinding)") \
	_(ice_mac_moves, "Selected pairs whose next hop's MAC changed (from an authenticated check)") \
	_(consent_checks_sent, "Consent checks (Binding requests) sent to a moved pair, to its peer") \
	_(consent_answers, "Authenticated answers from the peer to consent checks") \
	_(ice_addr_taken, "Valid checks from an address another session has: not learned, not answered")

struct wf_session_stats {
#define WF_SESSION_FIELD_(name, help) uint64_t name;
	WF_SESSION_COUNTERS(WF_SESSION_FIELD_)
#undef WF_SESSION_FIELD_
};

/* Copies the counters into *out. */
void wf_session_stats(struct wf_session_stats *out);

/* A session as telemetry shows it: the slow path publishes a copy at
 * every change (created, peer learned or moved, consent, live, closing;
 * cleared when it ends), one per session table index; the telemetry
 * threads read the copies (pub.h), never the sessions.  Plain data: the
 * pointers point to static text. */
struct wf_session_info {
	char id[WF_SESSION_ID_LEN + 1];	/* first: "" = no session */
	char stream[WF_CONF_NAME_LEN + 1];
	const char *state;	/* "ice", "dtls", "live", "closing" */
	const char *role;	/* "whep" (a viewer), "whip" (a publisher) */
	uint32_t peer_addr;	/* host order; 0 before ICE */
	uint16_t peer_port;
	int worker;		/* -1 until live; a publisher's: its stream's owner */
	uint32_t slot;		/* a publisher's: its stream's slot */
	uint16_t gen;		/* a publisher's: its generation (publisher.h) */
	uint64_t created_tsc;
	uint64_t consent_tsc;	/* the last valid ICE check; 0 = none */
	const char *profile;	/* SRTP profile once live, else "" */
};

/* For any thread (telemetry).  The number of session table indexes (0
 * before wf_session_init). */
unsigned wf_session_view_cap(void);

/* The session published at table index i into *out: 0, -ENOENT (none),
 * -EBUSY (rewritten all the time the reader tried). */
int wf_session_view(unsigned i, struct wf_session_info *out);

/* The published session with id into *out: 0 or -ENOENT. */
int wf_session_info(const char *id, struct wf_session_info *out);

#endif
