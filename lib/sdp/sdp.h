/* sdp.h: parsing a WHEP offer (RFC 8866 syntax, JSEP/WebRTC attributes) and
 * a trickle-ICE SDP fragment (RFC 8840), with hard limits on every size.
 *
 * The offer is parsed into one caller-owned struct wf_sdp_offer that holds
 * a private copy of the body; every string the struct points to (mid,
 * encoding names, fmtp parameters, ICE credentials ...) lives inside that
 * copy, NUL-terminated, and stays valid as long as the struct does.  There is
 * no heap allocation; the struct is large (about 100 KiB): allocate it once
 * (heap or static), not on a thread's stack.
 *
 * After a successful parse every media section already carries the
 * effective transport values: a session-level a=ice-ufrag, a=ice-pwd,
 * a=fingerprint, a=setup or direction attribute is copied into each media
 * section that does not set its own (RFC 8866 §5.13, RFC 8839 §5.4).
 *
 * Functions return 0 on success or a negative WF_SDP_E_* value; when an
 * error struct is given, its reason holds a sentence meant for the 400
 * body of the HTTP answer ("media 1 (video): no fingerprint").
 */
#ifndef WF_SDP_H
#define WF_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits.  Exceeding any is an error that names the limit. */
#define WF_SDP_MAX_BODY		65536	/* bytes of an offer */
#define WF_SDP_MAX_LINES	4096	/* lines of an offer */
#define WF_SDP_MAX_LINE		1024	/* bytes of one line (attribute length) */
#define WF_SDP_MAX_MEDIA	16	/* m= sections */
#define WF_SDP_MAX_FORMATS	64	/* formats on one m= line */
#define WF_SDP_MAX_EXTMAP	32	/* a=extmap per media section */
#define WF_SDP_MAX_BUNDLE	WF_SDP_MAX_MEDIA	/* mids in a=group:BUNDLE */
#define WF_SDP_MAX_MID		32	/* bytes of a mid */
#define WF_SDP_UFRAG_MIN	4	/* RFC 8839 §5.4 */
#define WF_SDP_UFRAG_MAX	256
#define WF_SDP_PWD_MIN		22
#define WF_SDP_PWD_MAX		256
#define WF_SDP_FP_LEN		32	/* sha-256 */
#define WF_SDP_FRAG_MAX_BODY	16384	/* bytes of a trickle-ice-sdpfrag */
#define WF_SDP_FRAG_MAX_CAND	16	/* candidates kept from a fragment */
#define WF_SDP_REASON_LEN	192

/* Errors (X-macro: the enum and the generic text wf_sdp_strerror gives). */
#define WF_SDP_ERRORS(_) \
	_(BAD_PARAM,        "invalid argument") \
	_(TOO_LARGE,        "body larger than the limit") \
	_(TOO_MANY_LINES,   "too many lines") \
	_(LINE_TOO_LONG,    "line longer than the limit") \
	_(TOO_MANY_MEDIA,   "too many m= sections") \
	_(TOO_MANY_FORMATS, "too many formats on an m= line") \
	_(TOO_MANY_EXTMAP,  "too many a=extmap lines in a media section") \
	_(TOO_MANY_CANDIDATES, "too many candidates") \
	_(NUL_BYTE,         "NUL byte in the body") \
	_(BAD_LINE,         "line is not <letter>=<value>") \
	_(BAD_VERSION,      "first line is not v=0") \
	_(MISSING_LINE,     "a required line is missing") \
	_(BAD_ORIGIN,       "malformed o= line") \
	_(BAD_TIMING,       "malformed t= line") \
	_(BAD_MEDIA,        "malformed m= line") \
	_(BAD_ATTRIBUTE,    "malformed attribute") \
	_(BAD_PT,           "payload type is not a number from 0 to 127") \
	_(DUPLICATE,        "attribute given twice") \
	_(DUPLICATE_MID,    "two media sections share a mid") \
	_(NO_MEDIA,         "offer has no m= line") \
	_(NO_MID,           "media section has no mid") \
	_(NO_ICE,           "no ICE credentials") \
	_(BAD_ICE,          "malformed ICE credentials") \
	_(NO_FINGERPRINT,   "no sha-256 fingerprint") \
	_(BAD_FINGERPRINT,  "malformed fingerprint") \
	_(BAD_SETUP,        "unusable a=setup") \
	_(BAD_BUNDLE,       "unusable BUNDLE group") \
	_(BAD_CANDIDATE,    "malformed candidate") \
	_(NO_CODEC,         "no compatible payload type") \
	_(NOTHING_ACCEPTED, "no media section can be accepted") \
	_(NO_ROOM,          "output buffer too small") \
	_(NOT_ACCEPTABLE,   "offer cannot carry the stream's tracks") \
	_(BAD_DIRECTION,    "media direction unusable in this role")

enum wf_sdp_error_code {
	WF_SDP_OK = 0,
#define WF_SDP_ENUM_(n, s) WF_SDP_E_##n,
	WF_SDP_ERRORS(WF_SDP_ENUM_)
#undef WF_SDP_ENUM_
	WF_SDP_E_COUNT
};

/* Detail of a failure: code is the positive WF_SDP_E_* value, line the
 * 1-based line of the body it was found on (0: not tied to one line). */
struct wf_sdp_error {
	int code;
	unsigned line;
	char reason[WF_SDP_REASON_LEN];
};

enum wf_sdp_kind {
	WF_SDP_KIND_AUDIO = 0,
	WF_SDP_KIND_VIDEO,
	WF_SDP_KIND_APPLICATION,
	WF_SDP_KIND_OTHER
};

/* Direction attributes, RFC 8866 §6.7.  NONE: not given. */
enum wf_sdp_dir {
	WF_SDP_DIR_NONE = 0,
	WF_SDP_DIR_SENDRECV,
	WF_SDP_DIR_SENDONLY,
	WF_SDP_DIR_RECVONLY,
	WF_SDP_DIR_INACTIVE
};

/* a=setup, RFC 4145 §4 / RFC 8842.  NONE: not given. */
enum wf_sdp_setup {
	WF_SDP_SETUP_NONE = 0,
	WF_SDP_SETUP_ACTPASS,
	WF_SDP_SETUP_ACTIVE,
	WF_SDP_SETUP_PASSIVE,
	WF_SDP_SETUP_HOLDCONN
};

/* rtcp-fb kinds we recognise (RFC 4585 §4.2, RFC 5104 §7.1); others are
 * ignored. */
#define WF_SDP_FB_NACK		0x01	/* a=rtcp-fb:PT nack */
#define WF_SDP_FB_PLI		0x02	/* a=rtcp-fb:PT nack pli */
#define WF_SDP_FB_FIR		0x04	/* a=rtcp-fb:PT ccm fir */
#define WF_SDP_FB_TRANSPORT_CC	0x08	/* not used by whepfan */
#define WF_SDP_FB_REMB		0x10	/* goog-remb: answered to a WHIP publisher */

/* One payload type of an m= line with what a=rtpmap, a=fmtp and a=rtcp-fb
 * said about it.  name is NULL when the offer had no a=rtpmap for it (a
 * static payload type, RFC 3551). */
struct wf_sdp_format {
	const char *name;	/* encoding name as written, e.g. "H264" */
	const char *fmtp;	/* raw format parameters, or NULL */
	uint32_t clock_rate;	/* 0 when unknown */
	uint16_t channels;	/* 0 when not given */
	uint8_t pt;
	uint8_t fb;		/* WF_SDP_FB_* given for this PT */
};

struct wf_sdp_extmap {
	uint16_t id;
	const char *uri;
};

struct wf_sdp_media {
	enum wf_sdp_kind kind;
	const char *kind_name;	/* media token of the m= line ("audio") */
	const char *proto;	/* transport protocol token */
	const char *first_fmt;	/* first format token (echoed when rejected) */
	uint16_t port;
	bool proto_ok;		/* proto is UDP/TLS/RTP/SAVPF */
	bool bundle_only;	/* a=bundle-only (RFC 8843 §6) */
	bool rtcp_mux;
	bool rtcp_rsize;
	bool end_of_candidates;
	bool has_fingerprint;	/* a sha-256 one */
	enum wf_sdp_dir dir;	/* effective (session default applied) */
	enum wf_sdp_setup setup;
	uint8_t fb_all;		/* WF_SDP_FB_* from a=rtcp-fb:* */
	bool has_ssrc;		/* an a=ssrc line was given */
	uint32_t ssrc;		/* the first a=ssrc's id (RFC 5576 §4.1): the
				 * primary SSRC a sender will use */
	const char *mid;	/* NULL if none */
	const char *ice_ufrag;	/* effective */
	const char *ice_pwd;
	uint8_t fingerprint[WF_SDP_FP_LEN];
	unsigned ncandidates;
	unsigned nformats;
	unsigned nextmap;
	struct wf_sdp_format formats[WF_SDP_MAX_FORMATS];
	struct wf_sdp_extmap extmap[WF_SDP_MAX_EXTMAP];
};

struct wf_sdp_offer {
	uint64_t sess_id;		/* o= sess-id */
	uint64_t sess_version;
	bool ice_lite;			/* the offerer is ICE-lite */
	bool trickle;			/* a=ice-options has "trickle" */
	unsigned nlines;
	unsigned nbundle;
	const char *bundle[WF_SDP_MAX_BUNDLE];	/* mids of a=group:BUNDLE */
	unsigned nmedia;
	struct wf_sdp_media media[WF_SDP_MAX_MEDIA];
	/* Session-level defaults as given (also applied to the media). */
	const char *ice_ufrag;
	const char *ice_pwd;
	bool has_fingerprint;
	uint8_t fingerprint[WF_SDP_FP_LEN];
	enum wf_sdp_setup setup;
	enum wf_sdp_dir dir;
	char buf[WF_SDP_MAX_BODY + 1];	/* private copy the pointers point into */
};

/* A candidate line's fields (RFC 8839 §5.1). */
struct wf_sdp_candidate {
	char foundation[33];
	char transport[16];	/* "udp", "tcp", ... as written */
	char address[256];	/* IP literal or FQDN (mDNS ".local" included) */
	char type[16];		/* "host", "srflx", "prflx", "relay" */
	uint32_t priority;
	uint16_t component;
	uint16_t port;
};

/* A parsed application/trickle-ice-sdpfrag body (RFC 8840 §4.3.1). */
struct wf_sdp_frag {
	bool has_ufrag;
	bool has_pwd;
	bool end_of_candidates;
	char ufrag[WF_SDP_UFRAG_MAX + 1];
	char pwd[WF_SDP_PWD_MAX + 1];
	char mid[WF_SDP_MAX_MID + 1];	/* first a=mid seen, "" if none */
	unsigned ncandidates;		/* all seen; the first WF_SDP_FRAG_MAX_CAND kept */
	struct wf_sdp_candidate cand[WF_SDP_FRAG_MAX_CAND];
};

/* Returns the generic text of an error code (0 or +-WF_SDP_E_*). */
const char *wf_sdp_strerror(int code);
const char *wf_sdp_kind_name(enum wf_sdp_kind k);
const char *wf_sdp_dir_name(enum wf_sdp_dir d);

/* Parses an SDP offer of len bytes (CRLF or LF line ends; need not be
 * NUL-terminated) into o, which the call fully overwrites.  Checks syntax,
 * the limits above, and what whepfan needs of each usable media section
 * (port not 0 or a=bundle-only, proto UDP/TLS/RTP/SAVPF): a mid, ICE
 * credentials, a sha-256 fingerprint and an a=setup other than passive or
 * holdconn.  Media sections with another proto or port 0 are kept (proto_ok
 * false / port 0) so the answer can reject them in place.  Returns 0 or
 * -WF_SDP_E_*; err (may be NULL) receives the reason. */
int wf_sdp_offer_parse(struct wf_sdp_offer *o, const char *body, size_t len,
		       struct wf_sdp_error *err);

/* The same checks for any session description, without the offer-only
 * DTLS role check: used to read back our own answers. */
int wf_sdp_parse(struct wf_sdp_offer *o, const char *body, size_t len,
		 struct wf_sdp_error *err);

/* True when media section m is one whepfan may answer with media: an RTP
 * proto it speaks and a port that is not 0 (or bundle-only). */
bool wf_sdp_media_usable(const struct wf_sdp_media *m);

/* Finds the format with payload type pt in m, or NULL. */
const struct wf_sdp_format *wf_sdp_media_format(const struct wf_sdp_media *m, unsigned pt);

/* Reads parameter key (case-insensitive) of an fmtp parameter string
 * "k1=v1;k2=v2" (RFC 8866 §6.15; spaces around ';' allowed).  Copies the
 * value (NUL-terminated) into val.  Returns the value's length, -ENOENT when
 * absent (or fmtp is NULL), -ENOSPC when it does not fit in cap. */
int wf_sdp_fmtp_get(const char *fmtp, const char *key, char *val, size_t cap);
/* The same for a decimal value: 0, -ENOENT, or -EINVAL (not a number that
 * fits in 32 bits). */
int wf_sdp_fmtp_get_u32(const char *fmtp, const char *key, uint32_t *out);
/* How many elements of fmtp name key, read as wf_sdp_fmtp_get reads keys,
 * with a value or bare: more than one and readers differ on which counts. */
unsigned wf_sdp_fmtp_count(const char *fmtp, const char *key);

/* Parses the value of an a=candidate attribute (the text after
 * "candidate:") into c.  Checks the syntax of RFC 8839 §5.1 up to the
 * candidate type; extensions after it are ignored.  Returns 0 or
 * -WF_SDP_E_BAD_CANDIDATE. */
int wf_sdp_candidate_parse(const char *s, struct wf_sdp_candidate *c);

/* Parses a trickle-ice-sdpfrag body (RFC 8840 §4.3.1, as a WHIP/WHEP
 * PATCH carries it): a=ice-ufrag, a=ice-pwd, a=candidate,
 * a=end-of-candidates, a=mid, a=ice-options, a=group and m= lines; other
 * lines are ignored.  Every candidate must be well-formed.  Returns 0 or
 * -WF_SDP_E_*; err (may be NULL) receives the reason. */
int wf_sdp_frag_parse(struct wf_sdp_frag *f, const char *body, size_t len,
		      struct wf_sdp_error *err);

#endif
