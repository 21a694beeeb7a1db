/* rtp_source.h: the RTP source of the end-to-end tests, and the receiver's
 * check of what arrives against what it sent.
 *
 * A source has up to WF_RTP_SRC_MAX_TRACKS tracks, each paced in real time
 * by wf_rtp_src_tick() and sent over the track's UDP socket to whepfan's
 * ingest ports:
 *   - video: H.264 frames: every gop-th frame a key frame (STAP-A with
 *     SPS and PPS, then an IDR slice in three FU-A fragments, RFC 6184
 *     §5.7.1, §5.8), the others one non-IDR slice (or, sliced, one to
 *     three FU-A fragments);
 *   - audio: one Opus-sized random payload per period;
 *   - with header_options, some packets carry the RTP header's optional
 *     parts (RFC 3550 §5.1): video packets n % 5 == 2 a one-byte-form
 *     header extension (RFC 8285), audio packets n % 7 == 3 a CSRC and
 *     n % 4 == 1 four bytes of padding.
 * Every payload ends in a 4-byte tag, track << 24 | index, where index is
 * the packet's place in the track's record (struct wf_rtp_sent: a copy of
 * the payload, sequence number, timestamp, marker, key frame, send time).
 * A receiver reads the tag to find what was sent and checks the packet
 * byte for byte (struct wf_rtp_check).
 *
 * Randomness comes from wf_e2e_rnd() (the test's seed).  Not thread-safe.
 */
#ifndef WF_TESTS_RTP_SOURCE_H
#define WF_TESTS_RTP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/e2e.h"

#define WF_RTP_SRC_MAX_TRACKS	2
#define WF_RTP_SRC_MAX_DPORTS	4	/* ingest ports one track feeds */

/* One packet as sent. */
struct wf_rtp_sent {
	uint8_t *pl;		/* payload as sent (malloc'd) */
	uint16_t pl_len;
	uint16_t seq;
	uint32_t ts;
	uint64_t t_us;		/* wf_e2e_now_us() when sent */
	uint8_t marker;
	uint8_t padded;		/* pl ends with padding (its last byte counts it) */
	uint8_t kf;		/* first packet of a key frame */
};

/* What a track is; the caller fills it, wf_rtp_src_init() copies it. */
struct wf_rtp_src_track_conf {
	const char *name;	/* "video", "audio": for messages */
	bool video;		/* H.264 frames, else audio */
	uint8_t pt;
	uint32_t ssrc;
	uint16_t seq;		/* first sequence number */
	uint32_t ts;		/* first timestamp */
	uint32_t ts_step;	/* per frame */
	uint64_t period_us;	/* between frames */
	uint32_t clock;		/* RTP clock rate (for the caller's arithmetic) */
	unsigned gop;		/* video: a key frame every gop frames (0: 30) */
	bool sliced;		/* video: non-key frames in 1-3 slices */
	bool header_options;	/* CSRC, extension, padding on some packets */
	int fd;			/* UDP socket the track sends from */
	uint16_t dports[WF_RTP_SRC_MAX_DPORTS];	/* ingest ports; 0 ends the list */
};

struct wf_rtp_src_track {
	struct wf_rtp_src_track_conf conf;
	uint16_t seq;		/* next to send */
	uint32_t ts;
	uint64_t next_us;	/* next frame due */
	unsigned frame;		/* frames sent */
	unsigned n;		/* packets sent = next tag index */
	int last_kf_tag;	/* the newest key frame's first packet, -1: none */
	int wrap_tag;		/* the packet whose seq wrapped to 0, -1: none */
	unsigned cap;		/* entries in s */
	struct wf_rtp_sent *s;
};

struct wf_rtp_src {
	uint32_t dst;		/* whepfan's address, network order */
	bool running;		/* wf_rtp_src_tick() sends only while set */
	/* when set, each packet goes here instead of to the track's ingest
	 * ports (a WHIP publisher protects and sends it, whep_client.h);
	 * pkt has room for cap bytes */
	void (*send)(void *arg, unsigned t, uint8_t *pkt, size_t len, size_t cap);
	void *send_arg;
	unsigned n_tracks;
	struct wf_rtp_src_track trk[WF_RTP_SRC_MAX_TRACKS];
};

/* Sets up a stopped source of n tracks sending to dst (an IPv4 address
 * string) and recording up to cap packets per track: once a track's record
 * is nearly full it stops sending.  0, -EINVAL or -ENOMEM.  The caller
 * owns the sockets in the confs. */
int wf_rtp_src_init(struct wf_rtp_src *src, const char *dst,
		    const struct wf_rtp_src_track_conf *trk, unsigned n, unsigned cap);

/* The pair most tests feed a stream: track 0 H.264 video at fps frames
 * per second with a key frame every second, track 1 Opus at aps packets
 * per second, SSRCs, first sequence numbers and timestamps from
 * wf_e2e_rnd(). */
struct wf_rtp_src_av {
	int video_fd, audio_fd;		/* the sockets they send from */
	uint8_t video_pt, audio_pt;
	uint16_t video_ports[WF_RTP_SRC_MAX_DPORTS];	/* 0 ends the list */
	uint16_t audio_port;
	unsigned fps;		/* 0: 30 */
	unsigned aps;		/* 0: 50 */
};

/* wf_rtp_src_init() for that pair.  The same returns. */
int wf_rtp_src_init_av(struct wf_rtp_src *src, const char *dst, const struct wf_rtp_src_av *av,
		       unsigned cap);

/* Frees the records (not the sockets). */
void wf_rtp_src_free(struct wf_rtp_src *src);

/* Sends every frame that is due while src->running (a late call sends the
 * frames it missed at once). */
void wf_rtp_src_tick(struct wf_rtp_src *src);

/* The packet of track t with tag index tag, or NULL when none was sent. */
const struct wf_rtp_sent *wf_rtp_src_sent(const struct wf_rtp_src *src, unsigned t,
					  uint32_t tag);

/* The newest packet of track t sent before t_us, or -1. */
int wf_rtp_src_last_before(const struct wf_rtp_src *src, unsigned t, uint64_t t_us);

/* ---- the receiver's check ------------------------------------------------- */

/* One receiver's view of one track, checked on arrival. */
struct wf_rtp_check {
	bool have;		/* a packet was accepted */
	uint32_t ssrc;		/* of the first packet */
	uint16_t last_seq;	/* highest sequence number */
	int first_tag, last_tag;
	unsigned n_rtp;		/* packets accepted, retransmissions too */
	unsigned n_retx;	/* of them: sequence numbers seen before */
	unsigned retx_cap;	/* entries in retx_of (the source's cap) */
	/* set by the receiver before the first packet when it lost the
	 * track's start (packets it could not decrypt yet): the first packet
	 * need not begin a key frame */
	bool start_anywhere;
	int32_t tag_of_seq[65536];	/* -1: never seen */
	uint8_t *retx_of;	/* per tag: times it came again (255 at most) */
};

/* A check for a receiver of src (~260 KiB), or NULL with errno ENOMEM. */
struct wf_rtp_check *wf_rtp_check_new(const struct wf_rtp_src *src);
void wf_rtp_check_free(struct wf_rtp_check *k);

/* Checks one decrypted RTP packet p[0..len) of track t against what src
 * sent, the packet's SSRC and payload type already matched by the caller:
 * header byte 0x80 (no padding, extension or CSRC), a tag naming a packet
 * sent, the same payload, timestamp and marker; a track starts at a key
 * frame (video; unless start_anywhere); after that every new sequence number follows the last
 * with the next packet sent (no loss, no reordering), and a sequence
 * number seen before carries the same packet (a retransmission).  Failures
 * go to err, prefixed with who; returns whether the packet was accepted
 * (counted). */
bool wf_rtp_check_packet(struct wf_rtp_check *k, const struct wf_rtp_src *src, unsigned t,
			 const char *who, const uint8_t *p, int len, struct wf_e2e_errlog *err);

#endif
