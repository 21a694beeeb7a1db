/* stun.h: STUN (RFC 8489, RFC 5389) for an ICE-lite agent (RFC 8445 §2.5).
 *
 * whepfan answers browsers' STUN Binding requests on its one WebRTC UDP
 * port.  This library parses and checks those requests, and builds the
 * answers (and, for the load-testing client, the requests).
 *
 * Everything here is a pure function over byte buffers: no heap, no global
 * state, no syscalls, safe to call from any thread.  A parsed message keeps
 * offsets into the caller's packet, never pointers, so struct wf_stun_msg can
 * be copied.  No function reads past the length or writes past the capacity
 * it is given; the parser accepts at most WF_STUN_MAX_MESSAGE bytes and
 * WF_STUN_MAX_ATTRS attributes, so its work is bounded on hostile input.
 *
 * Functions return 0 (or a length) on success and a negative WF_STUN_E_*
 * value on failure; wf_stun_strerror() names it.  HMAC-SHA1 comes from
 * OpenSSL (HMAC()); tags are compared with CRYPTO_memcmp().
 *
 * The server's whole job is two calls:
 *
 *	struct wf_stun_binding b;
 *	int rc = wf_stun_check_binding_request(pkt, len, ufrag, pwd, &b);
 *	int n  = wf_stun_answer_binding(out, cap, rc, &b, pwd, &peer_addr);
 *	if (n > 0) send out[0..n) back to the peer; n == 0: drop silently.
 */
#ifndef WF_STUN_H
#define WF_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WF_STUN_HEADER_LEN	20
#define WF_STUN_MAGIC_COOKIE	0x2112A442u	/* RFC 8489 §5 */
#define WF_STUN_TXID_LEN	12		/* 96 bits, RFC 8489 §5 */
#define WF_STUN_FINGERPRINT_XOR	0x5354554eu	/* RFC 8489 §14.7 */
#define WF_STUN_HMAC_SHA1_LEN	20		/* MESSAGE-INTEGRITY, §14.5 */
#define WF_STUN_MI_ATTR_LEN	(4 + WF_STUN_HMAC_SHA1_LEN)
#define WF_STUN_FP_ATTR_LEN	8

/* Largest message accepted or built: more than any UDP payload on an
 * Ethernet MTU (1472 bytes); a browser's Binding request is about 100. */
#define WF_STUN_MAX_MESSAGE	1500
/* Most attributes a message may have (a browser sends under ten). */
#define WF_STUN_MAX_ATTRS	32
/* Distinct unknown comprehension-required types remembered for a 420. */
#define WF_STUN_MAX_UNKNOWN	8
/* USERNAME value: "fewer than 509 bytes", RFC 8489 §14.3. */
#define WF_STUN_MAX_USERNAME	508
/* ice-ufrag: 4 to 256 ice-chars, RFC 8839 §5.4 (we accept 1 to 256). */
#define WF_ICE_UFRAG_MAX	256
/* ERROR-CODE reason phrase: fewer than 128 characters, §14.8. */
#define WF_STUN_MAX_REASON	127

/* Message classes, RFC 8489 §5 (the C1 C0 bits). */
enum wf_stun_class {
	WF_STUN_CLASS_REQUEST = 0,
	WF_STUN_CLASS_INDICATION = 1,
	WF_STUN_CLASS_SUCCESS = 2,
	WF_STUN_CLASS_ERROR = 3,
};

#define WF_STUN_METHOD_BINDING	0x001

/* Message types of the Binding method. */
#define WF_STUN_BINDING_REQUEST		0x0001
#define WF_STUN_BINDING_INDICATION	0x0011
#define WF_STUN_BINDING_SUCCESS		0x0101
#define WF_STUN_BINDING_ERROR		0x0111

/* Attribute types this library knows (RFC 8489 §18.3, RFC 8445 §16.1). */
#define WF_STUN_ATTR_MAPPED_ADDRESS		0x0001
#define WF_STUN_ATTR_USERNAME			0x0006
#define WF_STUN_ATTR_MESSAGE_INTEGRITY		0x0008
#define WF_STUN_ATTR_ERROR_CODE			0x0009
#define WF_STUN_ATTR_UNKNOWN_ATTRIBUTES		0x000A
#define WF_STUN_ATTR_REALM			0x0014
#define WF_STUN_ATTR_NONCE			0x0015
#define WF_STUN_ATTR_MESSAGE_INTEGRITY_SHA256	0x001C
#define WF_STUN_ATTR_PASSWORD_ALGORITHM		0x001D
#define WF_STUN_ATTR_USERHASH			0x001E
#define WF_STUN_ATTR_XOR_MAPPED_ADDRESS		0x0020
#define WF_STUN_ATTR_PRIORITY			0x0024
#define WF_STUN_ATTR_USE_CANDIDATE		0x0025
#define WF_STUN_ATTR_PASSWORD_ALGORITHMS	0x8002
#define WF_STUN_ATTR_ALTERNATE_DOMAIN		0x8003
#define WF_STUN_ATTR_SOFTWARE			0x8022
#define WF_STUN_ATTR_ALTERNATE_SERVER		0x8023
#define WF_STUN_ATTR_FINGERPRINT		0x8028
#define WF_STUN_ATTR_ICE_CONTROLLED		0x8029
#define WF_STUN_ATTR_ICE_CONTROLLING		0x802A

/* Errors and check results, with the reason each names (X-macro). */
#define WF_STUN_ERRORS(_) \
	_(TOO_SHORT,       "shorter than the 20-byte STUN header") \
	_(NOT_STUN,        "first two bits are not zero: not STUN") \
	_(BAD_COOKIE,      "magic cookie is not 0x2112A442") \
	_(TOO_LONG,        "message longer than WF_STUN_MAX_MESSAGE") \
	_(BAD_LENGTH,      "header length not a multiple of 4 or not the bytes that follow") \
	_(ATTR_TRUNCATED,  "attribute runs past the end of the message") \
	_(ATTR_BAD_LEN,    "attribute length invalid for its type") \
	_(TOO_MANY_ATTRS,  "more attributes than WF_STUN_MAX_ATTRS") \
	_(FINGERPRINT_NOT_LAST, "FINGERPRINT is not the last attribute") \
	_(NOT_BINDING_REQUEST, "not a Binding request") \
	_(NO_FINGERPRINT,  "no FINGERPRINT attribute") \
	_(BAD_FINGERPRINT, "FINGERPRINT does not match the message") \
	_(NO_USERNAME,     "no USERNAME attribute") \
	_(NO_INTEGRITY,    "no MESSAGE-INTEGRITY attribute") \
	_(BAD_USERNAME,    "USERNAME is not \"ufrag:ufrag\" of valid ice-chars") \
	_(USERNAME_MISMATCH, "USERNAME does not start with our ufrag") \
	_(INTEGRITY_MISMATCH, "MESSAGE-INTEGRITY does not match (wrong password or altered)") \
	_(UNKNOWN_ATTRS,   "unknown comprehension-required attributes (answer 420)") \
	_(NO_PRIORITY,     "no PRIORITY attribute (RFC 8445 §7.1.1)") \
	_(ROLE_CONFLICT,   "peer claims the controlled role (answer 487)") \
	_(BAD_ATTR,        "attribute value is malformed") \
	_(NOT_FOUND,       "attribute not present") \
	_(NO_ROOM,         "output buffer too small") \
	_(BAD_PARAM,       "invalid argument")

enum wf_stun_error {
	WF_STUN_OK = 0,
#define WF_STUN_ENUM_(n, s) WF_STUN_E_##n,
	WF_STUN_ERRORS(WF_STUN_ENUM_)
#undef WF_STUN_ENUM_
	WF_STUN_E_COUNT
};

/* Names an error: takes 0 or -WF_STUN_E_* (or the positive value). */
const char *wf_stun_strerror(int err);

/* Flags a parse raises without failing. */
#define WF_STUN_F_IGNORED_AFTER_MI	0x1u	/* attributes after MESSAGE-INTEGRITY(-SHA256) ignored, §14.5 */
#define WF_STUN_F_DUPLICATE		0x2u	/* a repeated attribute ignored (first wins) */
#define WF_STUN_F_UNKNOWN_OVERFLOW	0x4u	/* more unknown types than WF_STUN_MAX_UNKNOWN */

/* Where an attribute sits: off is the offset of its 4-byte header from the
 * start of the message (0 = absent; the value is at off + 4), len the
 * value's length without padding. */
struct wf_stun_attr_pos {
	uint16_t off;
	uint16_t len;
};

/* A parsed message.  Offsets refer to the packet that was parsed. */
struct wf_stun_msg {
	uint16_t type;		/* 14-bit message type */
	uint16_t method;	/* 12-bit method, WF_STUN_METHOD_* */
	uint8_t cls;		/* enum wf_stun_class */
	uint16_t len;		/* whole message, header included */
	uint8_t txid[WF_STUN_TXID_LEN];
	uint32_t flags;		/* WF_STUN_F_* */
	uint16_t attr_count;	/* every attribute seen, ignored ones too */

	struct wf_stun_attr_pos username;
	struct wf_stun_attr_pos integrity;		/* MESSAGE-INTEGRITY */
	struct wf_stun_attr_pos integrity_sha256;	/* noted, not verified */
	struct wf_stun_attr_pos fingerprint;
	struct wf_stun_attr_pos xor_mapped;
	struct wf_stun_attr_pos error_code;
	struct wf_stun_attr_pos software;
	struct wf_stun_attr_pos realm;
	struct wf_stun_attr_pos nonce;

	bool has_priority;
	bool use_candidate;
	bool has_controlling;
	bool has_controlled;
	uint32_t priority;		/* PRIORITY, RFC 8445 §7.1.1 */
	uint64_t controlling_tb;	/* ICE-CONTROLLING tie-breaker, §7.1.3 */
	uint64_t controlled_tb;		/* ICE-CONTROLLED tie-breaker */

	/* Comprehension-required types (0x0000-0x7FFF) not understood, before
	 * MESSAGE-INTEGRITY; n_unknown counts the distinct ones listed. */
	uint16_t n_unknown;
	uint16_t unknown[WF_STUN_MAX_UNKNOWN];
};

/* A transport address as XOR-MAPPED-ADDRESS carries it. */
#define WF_STUN_AF_IPV4	0x01
#define WF_STUN_AF_IPV6	0x02
struct wf_stun_addr {
	uint8_t family;		/* WF_STUN_AF_IPV4 or WF_STUN_AF_IPV6 */
	uint16_t port;		/* host byte order */
	uint8_t addr[16];	/* network byte order; IPv4 uses addr[0..3] */
};

/* Parses a STUN message of len bytes (RFC 8489 §5, §14): header checks
 * (first two bits zero, magic cookie, length a multiple of 4 and equal to
 * the bytes after the header), then every attribute with 4-byte padding.
 * Records the attributes above (first occurrence wins), checks their
 * lengths, enforces that FINGERPRINT is last and ignores (and flags) what
 * follows MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and
 * FINGERPRINT.  Unknown comprehension-required attributes do not fail the
 * parse: they are listed in msg->unknown for a 420 answer.
 * Returns 0 or -WF_STUN_E_TOO_SHORT, NOT_STUN, BAD_COOKIE, TOO_LONG,
 * BAD_LENGTH, ATTR_TRUNCATED, ATTR_BAD_LEN, TOO_MANY_ATTRS,
 * FINGERPRINT_NOT_LAST, BAD_PARAM.  msg is always written; its header
 * fields (type, txid...) are valid once the header checks passed. */
int wf_stun_parse(const uint8_t *pkt, size_t len, struct wf_stun_msg *msg);

/* True when the first bytes look like STUN (RFC 7983 first byte 0-3, the
 * magic cookie, a length that fits): a cheap pre-filter for a classifier. */
bool wf_stun_looks_like(const uint8_t *pkt, size_t len);

/* Checks MESSAGE-INTEGRITY (RFC 8489 §14.5): HMAC-SHA1 keyed with key over
 * the message up to the attribute, with the header length set to end at
 * it.  For ICE's short-term credential the key is the password as given
 * (ICE passwords are ASCII: SASLprep is the identity); for a long-term
 * credential the caller passes MD5(user ":" realm ":" password).  Constant
 * time comparison.  pkt and msg are what wf_stun_parse() saw.
 * Returns 0, -WF_STUN_E_NO_INTEGRITY or -WF_STUN_E_INTEGRITY_MISMATCH. */
int wf_stun_verify_integrity(const uint8_t *pkt, const struct wf_stun_msg *msg,
			     const void *key, size_t key_len);

/* Checks FINGERPRINT (RFC 8489 §14.7): CRC-32 of the message before the
 * attribute XOR 0x5354554e.  Returns 0, -WF_STUN_E_NO_FINGERPRINT or
 * -WF_STUN_E_BAD_FINGERPRINT. */
int wf_stun_verify_fingerprint(const uint8_t *pkt, const struct wf_stun_msg *msg);

/* Decodes XOR-MAPPED-ADDRESS (RFC 8489 §14.2).  Returns 0,
 * -WF_STUN_E_NOT_FOUND or -WF_STUN_E_BAD_ATTR (family and length disagree). */
int wf_stun_xor_mapped_address(const uint8_t *pkt, const struct wf_stun_msg *msg,
			       struct wf_stun_addr *out);

/* Decodes ERROR-CODE (RFC 8489 §14.8): *code is class * 100 + number;
 * *reason points into pkt (not NUL-terminated), *reason_len its length.
 * Returns 0, -WF_STUN_E_NOT_FOUND or -WF_STUN_E_BAD_ATTR. */
int wf_stun_error_code(const uint8_t *pkt, const struct wf_stun_msg *msg,
		       int *code, const char **reason, size_t *reason_len);

/* The reason phrase of a STUN error code (RFC 8489 §14.8, RFC 8445
 * §7.3.1.1): 300, 400 "Bad Request", 401 "Unauthorized", 403,
 * 420 "Unknown Attribute", 438, 487 "Role Conflict", 500; NULL otherwise. */
const char *wf_stun_error_reason(int code);

/* The two halves of an ICE USERNAME, pointing into the caller's bytes. */
struct wf_ice_username {
	const char *local;	/* before the colon: the receiver's ufrag */
	size_t local_len;
	const char *remote;	/* after it: the sender's ufrag */
	size_t remote_len;
};

/* Splits USERNAME "local:remote" (RFC 8445 §7.2.2: in a request we receive
 * it is "our_ufrag:their_ufrag").  Each half must be 1..WF_ICE_UFRAG_MAX
 * ice-chars (ALPHA / DIGIT / "+" / "/", RFC 8839 §5.4) and there must be
 * exactly one colon.  Returns 0 or -WF_STUN_E_BAD_USERNAME. */
int wf_ice_username_split(const uint8_t *user, size_t len, struct wf_ice_username *out);

/* For a worker's classifier (no password, no HMAC): if pkt[0..len) is a
 * well-formed STUN Binding request header (first bits zero, the magic
 * cookie, a length that is a multiple of 4 and exactly the bytes after the
 * header) whose attributes, walked with bounds checks (at most
 * WF_STUN_MAX_ATTRS of them, up to and including USERNAME), hold a
 * USERNAME "local:remote", points *ufrag at its local part (RFC 8445
 * §7.2.2: the receiver's ufrag, ours) and sets *ufrag_len (1 to
 * WF_ICE_UFRAG_MAX ice-chars).  Nothing is authenticated: the result says
 * only which session the sender names, never that it may speak for it.
 * Returns 0, -WF_STUN_E_TOO_SHORT, NOT_STUN, BAD_COOKIE, TOO_LONG,
 * BAD_LENGTH, NOT_BINDING_REQUEST, ATTR_TRUNCATED, TOO_MANY_ATTRS,
 * NO_USERNAME, BAD_USERNAME or BAD_PARAM. */
int wf_stun_peek_local_ufrag(const uint8_t *pkt, size_t len, const uint8_t **ufrag,
			     size_t *ufrag_len);

/* What wf_stun_check_binding_request() learnt.  txid and msg are valid
 * whenever the header parsed (even when the check failed later), so an
 * error answer can be built. */
struct wf_stun_binding {
	struct wf_stun_msg msg;
	char remote_ufrag[WF_ICE_UFRAG_MAX + 1];	/* NUL-terminated */
	uint32_t priority;
	bool use_candidate;
	bool controlling;	/* peer sent ICE-CONTROLLING */
	uint64_t tie_breaker;	/* its ICE-CONTROLLING (or -CONTROLLED) value */
	bool authenticated;	/* MESSAGE-INTEGRITY verified with our password */
	uint16_t error_code;	/* STUN error to answer with; 0: success or drop */
};

/* Everything an ICE-lite server checks on a packet, in RFC order
 * (RFC 8489 §6.3, §9.1.3; RFC 8445 §7.3): parse; a Binding request;
 * FINGERPRINT present and right; USERNAME and MESSAGE-INTEGRITY present;
 * USERNAME "our_ufrag:their_ufrag"; MESSAGE-INTEGRITY under our_pwd; no
 * unknown comprehension-required attribute; PRIORITY present; the peer is
 * controlling (a lite agent is always controlled, RFC 8445 §6.1.1, so a
 * peer claiming ICE-CONTROLLED gets 487 and switches, §7.3.1.1).
 * Returns 0 (out holds remote ufrag, priority, use_candidate, tie-breaker,
 * txid) or a negative WF_STUN_E_* naming the first check that failed;
 * out->error_code then says which STUN error to answer (400, 401, 420,
 * 487) or 0 to drop silently (not STUN, malformed, bad fingerprint). */
int wf_stun_check_binding_request(const uint8_t *pkt, size_t len,
				  const char *our_ufrag, const char *our_pwd,
				  struct wf_stun_binding *out);

/* Builds the answer to a request checked by wf_stun_check_binding_request()
 * that returned rc: the success response with XOR-MAPPED-ADDRESS of
 * peer (rc == 0), or the error response out->error_code names, with
 * MESSAGE-INTEGRITY only if the request authenticated (RFC 8489 §9.1.3).
 * Returns the length written, 0 when nothing must be sent, or -err. */
int wf_stun_answer_binding(uint8_t *out, size_t cap, int rc,
			   const struct wf_stun_binding *b, const char *our_pwd,
			   const struct wf_stun_addr *peer);

/* Builds a Binding success response (RFC 8489 §6.3.1.1, RFC 8445 §7.3.1):
 * XOR-MAPPED-ADDRESS of mapped, MESSAGE-INTEGRITY keyed with pwd,
 * FINGERPRINT.  Returns the length or -WF_STUN_E_NO_ROOM / BAD_PARAM. */
int wf_stun_build_binding_success(uint8_t *out, size_t cap,
				  const uint8_t txid[WF_STUN_TXID_LEN],
				  const struct wf_stun_addr *mapped, const char *pwd);

/* Builds a Binding error response with ERROR-CODE code (300..699) and its
 * reason phrase (wf_stun_error_reason(), or "Error" for others); for 420,
 * UNKNOWN-ATTRIBUTES listing n_unknown types (at least one required).
 * MESSAGE-INTEGRITY when pwd is not NULL (never for a 400/401 that answers
 * a failed authentication, RFC 8489 §9.1.3), then FINGERPRINT.
 * Returns the length or -WF_STUN_E_NO_ROOM / BAD_PARAM. */
int wf_stun_build_binding_error(uint8_t *out, size_t cap,
				const uint8_t txid[WF_STUN_TXID_LEN], int code,
				const uint16_t *unknown, size_t n_unknown,
				const char *pwd);

/* What a Binding request from a full (browser-like) agent carries. */
struct wf_stun_request_params {
	const uint8_t *txid;		/* WF_STUN_TXID_LEN bytes, random */
	const char *remote_ufrag;	/* the answering agent's ufrag, first */
	const char *local_ufrag;	/* ours, after the colon */
	const char *remote_pwd;		/* key of MESSAGE-INTEGRITY */
	uint32_t priority;
	uint64_t tie_breaker;
	bool controlling;		/* ICE-CONTROLLING, else ICE-CONTROLLED */
	bool use_candidate;
};

/* Builds a Binding request (RFC 8445 §7.2.2): USERNAME
 * "remote_ufrag:local_ufrag", PRIORITY, ICE-CONTROLLING or ICE-CONTROLLED
 * with the tie-breaker, USE-CANDIDATE if asked, MESSAGE-INTEGRITY,
 * FINGERPRINT.  Returns the length or -WF_STUN_E_NO_ROOM / BAD_PARAM. */
int wf_stun_build_binding_request(uint8_t *out, size_t cap,
				  const struct wf_stun_request_params *p);

#endif
