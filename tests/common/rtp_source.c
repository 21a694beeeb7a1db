/* rtp_source.c: the end-to-end tests' RTP source and receiver check
 * (rtp_source.h). */
#include "common/rtp_source.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rtp/rtp.h"

#define DEFAULT_GOP	30
#define REC_RESERVE	8	/* packets a frame may take: stop before the record is full */

int wf_rtp_src_init(struct wf_rtp_src *src, const char *dst,
		    const struct wf_rtp_src_track_conf *trk, unsigned n, unsigned cap)
{
	struct in_addr a;
	unsigned i;

	memset(src, 0, sizeof(*src));
	if (n > WF_RTP_SRC_MAX_TRACKS || cap <= REC_RESERVE || inet_pton(AF_INET, dst, &a) != 1)
		return -EINVAL;
	src->dst = a.s_addr;
	for (i = 0; i < n; i++) {
		struct wf_rtp_src_track *st = &src->trk[i];

		st->conf = trk[i];
		if (!st->conf.gop)
			st->conf.gop = DEFAULT_GOP;
		st->seq = trk[i].seq;
		st->ts = trk[i].ts;
		st->last_kf_tag = st->wrap_tag = -1;
		st->cap = cap;
		st->s = calloc(cap, sizeof(*st->s));
		src->n_tracks = i + 1;
		if (!st->s) {
			wf_rtp_src_free(src);
			return -ENOMEM;
		}
	}
	return 0;
}

int wf_rtp_src_init_av(struct wf_rtp_src *src, const char *dst, const struct wf_rtp_src_av *av,
		       unsigned cap)
{
	unsigned fps = av->fps ? av->fps : 30, aps = av->aps ? av->aps : 50;
	struct wf_rtp_src_track_conf t[2] = {
		{ .name = "video", .video = true, .pt = av->video_pt, .ts_step = 90000 / fps,
		  .period_us = 1000000 / fps, .clock = 90000, .gop = fps, .fd = av->video_fd },
		{ .name = "audio", .pt = av->audio_pt, .ts_step = 48000 / aps,
		  .period_us = 1000000 / aps, .clock = 48000, .fd = av->audio_fd,
		  .dports = { av->audio_port } },
	};
	unsigned i;

	memcpy(t[0].dports, av->video_ports, sizeof(t[0].dports));
	for (i = 0; i < 2; i++) {
		t[i].ssrc = wf_e2e_rnd() | (i + 1);
		t[i].seq = (uint16_t)wf_e2e_rnd();
		t[i].ts = wf_e2e_rnd();
	}
	return wf_rtp_src_init(src, dst, t, 2, cap);
}

void wf_rtp_src_free(struct wf_rtp_src *src)
{
	unsigned t, k;

	for (t = 0; t < src->n_tracks; t++) {
		struct wf_rtp_src_track *st = &src->trk[t];

		for (k = 0; st->s && k < st->n; k++)
			free(st->s[k].pl);
		free(st->s);
		st->s = NULL;
		st->n = 0;
	}
}

/* The optional header parts packet n of track st carries (rtp_source.h). */
static void header_options(const struct wf_rtp_src_track *st, bool *csrc, bool *ext, bool *pad)
{
	bool on = st->conf.header_options;

	*csrc = on && !st->conf.video && st->n % 7 == 3;
	*ext = on && st->conf.video && st->n % 5 == 2;
	*pad = on && !st->conf.video && st->n % 4 == 1;
}

/* One RTP packet of track t: the last 4 bytes of body get the tag. */
static void src_packet(struct wf_rtp_src *src, unsigned t, uint8_t *body, size_t blen,
		       bool marker, bool kf)
{
	struct wf_rtp_src_track *st = &src->trk[t];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = src->dst };
	size_t off = WF_RTP_FIXED_LEN, pad = 0;
	bool csrc, ext, padded;
	struct wf_rtp_sent *s;
	uint8_t pkt[1500];
	unsigned i;

	if (st->n >= st->cap)
		return;
	header_options(st, &csrc, &ext, &padded);
	wf_rtp_wr32(body + blen - 4, (uint32_t)t << 24 | st->n);
	pkt[0] = (uint8_t)(0x80 | (padded ? 0x20 : 0) | (ext ? 0x10 : 0) | (csrc ? 1 : 0));
	pkt[1] = (uint8_t)((marker ? 0x80 : 0) | st->conf.pt);
	wf_rtp_wr16(pkt + 2, st->seq);
	wf_rtp_wr32(pkt + 4, st->ts);
	wf_rtp_wr32(pkt + 8, st->conf.ssrc);
	if (csrc) {			/* one contributing source */
		wf_rtp_wr32(pkt + off, 0xc5c5c5c5);
		off += 4;
	}
	if (ext) {			/* RFC 8285 one-byte form, 1 word */
		wf_rtp_wr16(pkt + off, 0xbede);
		wf_rtp_wr16(pkt + off + 2, 1);
		pkt[off + 4] = 0x10;	/* id 1, len 1 */
		pkt[off + 5] = 0x42;
		pkt[off + 6] = 0;
		pkt[off + 7] = 0;
		off += 8;
	}
	memcpy(pkt + off, body, blen);
	if (padded) {			/* RFC 3550 §5.1: the last octet counts */
		pad = 4;
		memset(pkt + off + blen, 0, pad - 1);
		pkt[off + blen + pad - 1] = (uint8_t)pad;
	}
	s = &st->s[st->n];
	s->pl_len = (uint16_t)(blen + pad);
	s->pl = malloc(s->pl_len);
	if (!s->pl)
		return;
	memcpy(s->pl, pkt + off, s->pl_len);
	s->seq = st->seq;
	s->ts = st->ts;
	s->marker = marker;
	s->padded = padded;
	s->kf = kf;
	s->t_us = wf_e2e_now_us();
	if (kf)
		st->last_kf_tag = (int)st->n;
	if (st->seq == 0 && st->n)
		st->wrap_tag = (int)st->n;
	if (src->send)
		src->send(src->send_arg, t, pkt, off + s->pl_len, sizeof(pkt));
	for (i = 0; !src->send && i < WF_RTP_SRC_MAX_DPORTS && st->conf.dports[i]; i++) {
		to.sin_port = htons(st->conf.dports[i]);
		sendto(st->conf.fd, pkt, off + s->pl_len, 0, (struct sockaddr *)&to, sizeof(to));
	}
	st->n++;
	st->seq++;
}

/* A key frame is STAP-A (SPS, PPS) then an IDR in FU-A fragments
 * (RFC 6184 §5.7.1, §5.8); others one non-IDR slice, whole or (sliced)
 * in up to three FU-A fragments. */
static void src_video_frame(struct wf_rtp_src *src, unsigned t)
{
	struct wf_rtp_src_track *st = &src->trk[t];
	uint8_t b[1300];
	bool key = st->frame % st->conf.gop == 0;
	unsigned n, i;

	if (key) {
		b[0] = 0x78;			/* STAP-A */
		wf_rtp_wr16(b + 1, 12);
		b[3] = 0x67;			/* SPS */
		wf_e2e_rnd_fill(b + 4, 11);
		wf_rtp_wr16(b + 15, 8);
		b[17] = 0x68;			/* PPS */
		wf_e2e_rnd_fill(b + 18, 7);
		src_packet(src, t, b, 25, false, true);
		n = 3;
		for (i = 0; i < n; i++) {
			size_t len = 300 + wf_e2e_rnd() % 900;

			b[0] = 0x7c;		/* FU indicator: NRI 3, type 28 */
			b[1] = (uint8_t)((i == 0 ? 0x80 : 0) | (i == n - 1 ? 0x40 : 0) | 5);
			wf_e2e_rnd_fill(b + 2, len - 2);
			b[2] |= 0x80;		/* first_mb_in_slice = 0 */
			src_packet(src, t, b, len, i == n - 1, false);
		}
	} else {
		n = st->conf.sliced ? 1 + st->frame % 3 : 1;
		for (i = 0; i < n; i++) {
			size_t len = 100 + wf_e2e_rnd() % 1000;

			wf_e2e_rnd_fill(b, len);
			if (n == 1) {
				b[0] = 0x41;	/* single NAL, non-IDR slice */
				b[1] |= 0x80;
			} else {
				b[0] = 0x5c;	/* FU-A of a non-IDR slice */
				b[1] = (uint8_t)((i == 0 ? 0x80 : 0) | (i == n - 1 ? 0x40 : 0) | 1);
			}
			src_packet(src, t, b, len, i == n - 1, false);
		}
	}
	st->frame++;
	st->ts += st->conf.ts_step;
}

static void src_audio_frame(struct wf_rtp_src *src, unsigned t)
{
	struct wf_rtp_src_track *st = &src->trk[t];
	uint8_t b[200];
	size_t len = 60 + wf_e2e_rnd() % 100;

	wf_e2e_rnd_fill(b, len);
	src_packet(src, t, b, len, st->frame == 0, false);
	st->frame++;
	st->ts += st->conf.ts_step;
}

void wf_rtp_src_tick(struct wf_rtp_src *src)
{
	uint64_t now = wf_e2e_now_us();
	unsigned t;

	if (!src->running)
		return;
	for (t = 0; t < src->n_tracks; t++) {
		struct wf_rtp_src_track *st = &src->trk[t];

		if (!st->next_us)
			st->next_us = now;
		while (st->next_us <= now && st->n + REC_RESERVE < st->cap) {
			if (st->conf.video)
				src_video_frame(src, t);
			else
				src_audio_frame(src, t);
			st->next_us += st->conf.period_us;
		}
	}
}

const struct wf_rtp_sent *wf_rtp_src_sent(const struct wf_rtp_src *src, unsigned t,
					  uint32_t tag)
{
	if (t >= src->n_tracks || tag >= src->trk[t].n)
		return NULL;
	return &src->trk[t].s[tag];
}

int wf_rtp_src_last_before(const struct wf_rtp_src *src, unsigned t, uint64_t t_us)
{
	int k;

	if (t >= src->n_tracks)
		return -1;
	for (k = (int)src->trk[t].n - 1; k >= 0; k--)
		if (src->trk[t].s[k].t_us < t_us)
			return k;
	return -1;
}

/* ---- the receiver's check ------------------------------------------------- */

struct wf_rtp_check *wf_rtp_check_new(const struct wf_rtp_src *src)
{
	struct wf_rtp_check *k = calloc(1, sizeof(*k));
	unsigned cap = src->n_tracks ? src->trk[0].cap : 0, t;

	for (t = 1; t < src->n_tracks; t++)
		if (src->trk[t].cap > cap)
			cap = src->trk[t].cap;
	if (!k)
		return NULL;
	k->retx_of = calloc(cap ? cap : 1, 1);
	if (!k->retx_of) {
		free(k);
		errno = ENOMEM;
		return NULL;
	}
	k->retx_cap = cap;
	return k;
}

void wf_rtp_check_free(struct wf_rtp_check *k)
{
	if (!k)
		return;
	free(k->retx_of);
	free(k);
}

/* The first packet: where the track starts. */
static void check_first(struct wf_rtp_check *k, unsigned t, const char *who,
			const struct wf_rtp_sent *s, uint32_t tag, uint16_t seq, uint32_t ssrc,
			struct wf_e2e_errlog *err)
{
	unsigned i;

	k->have = true;
	k->ssrc = ssrc;
	k->first_tag = k->last_tag = (int)tag;
	k->last_seq = seq;
	for (i = 0; i < 65536; i++)
		k->tag_of_seq[i] = -1;
	k->tag_of_seq[seq] = (int32_t)tag;
	if (t == 0 && !s->kf && !k->start_anywhere)
		wf_e2e_errlog_add(err, "%s video starts at packet %u, not at a key frame", who,
				  tag);
}

bool wf_rtp_check_packet(struct wf_rtp_check *k, const struct wf_rtp_src *src, unsigned t,
			 const char *who, const uint8_t *p, int len, struct wf_e2e_errlog *err)
{
	const char *name = t < src->n_tracks ? src->trk[t].conf.name : "?";
	const struct wf_rtp_sent *s;
	uint32_t tag, tag_t;
	uint16_t seq;
	int plen = len - WF_RTP_FIXED_LEN;

	if (len < WF_RTP_FIXED_LEN + 4)
		return false;
	seq = wf_rtp_rd16(p + 2);
	if (p[0] != 0x80) {
		wf_e2e_errlog_add(err, "%s %s seq %u: header byte 0x%02x, want 0x80", who, name, seq,
				  p[0]);
		return false;
	}
	tag = wf_rtp_rd32(p + len - 4);
	tag_t = tag >> 24;
	tag &= 0xffffff;
	s = tag_t == t ? wf_rtp_src_sent(src, t, tag) : NULL;
	if (!s) {
		wf_e2e_errlog_add(err, "%s %s seq %u: payload tag 0x%08x names no packet we sent",
				  who, name, seq, wf_rtp_rd32(p + len - 4));
		return false;
	}
	if (plen != s->pl_len || memcmp(p + WF_RTP_FIXED_LEN, s->pl, (size_t)plen) != 0)
		wf_e2e_errlog_add(err, "%s %s packet %u: payload differs (%d bytes, sent %u)", who,
				  name, tag, plen, s->pl_len);
	if (wf_rtp_rd32(p + 4) != s->ts || (p[1] >> 7) != s->marker)
		wf_e2e_errlog_add(err, "%s %s packet %u: timestamp or marker differ", who, name, tag);
	if (!k->have) {
		check_first(k, t, who, s, tag, seq, wf_rtp_rd32(p + 8), err);
	} else if (!wf_seq_gt(seq, k->last_seq)) {
		/* seen before: must be a retransmission of the same packet */
		if (k->tag_of_seq[seq] != (int32_t)tag)
			wf_e2e_errlog_add(err, "%s %s seq %u: repeated with packet %u, first was %d",
					  who, name, seq, tag, k->tag_of_seq[seq]);
		k->n_retx++;
		if (tag < k->retx_cap && k->retx_of[tag] < 255)
			k->retx_of[tag]++;
	} else {
		if (seq != (uint16_t)(k->last_seq + 1))
			wf_e2e_errlog_add(err, "%s %s: sequence gap %u -> %u", who, name, k->last_seq,
					  seq);
		if ((int)tag != k->last_tag + 1)
			wf_e2e_errlog_add(err, "%s %s seq %u: packet %u follows %d (lost or reordered)",
					  who, name, seq, tag, k->last_tag);
		k->last_seq = seq;
		k->last_tag = (int)tag;
		k->tag_of_seq[seq] = (int32_t)tag;
	}
	k->n_rtp++;
	return true;
}
