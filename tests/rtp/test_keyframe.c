/* test_keyframe.c: key-frame and frame-start detection for H.264, VP8, VP9
 * and AV1 RTP payloads built here the way encoders packetize them. */
#include "rtp/keyframe.h"
#include "rtp_testlib.h"

/* Parses a heap copy of exactly len bytes. */
static int vparse(enum wf_kf_codec c, const uint8_t *p, size_t len, struct wf_video_info *vi)
{
	uint8_t *q = t_exact(p, len);
	int rc = wf_video_parse(c, q, len, vi);

	free(q);
	return rc;
}

/* Expects rc 0 and the two flags. */
#define CHECK_VI(c, p, len, kf, fs) do { \
	struct wf_video_info vi_; \
	int rc_ = vparse((c), (p), (len), &vi_); \
	WF_CHECK_EQ(rc_, 0); \
	WF_CHECK_EQ(vi_.keyframe_start, (kf)); \
	WF_CHECK_EQ(vi_.frame_start, (fs)); \
} while (0)

#define CHECK_ERR(c, p, len, err) do { \
	struct wf_video_info vi_; \
	WF_CHECK_EQ(vparse((c), (p), (len), &vi_), -(err)); \
} while (0)

/* ---- H.264 --------------------------------------------------------------- */

/* NAL units as an encoder writes them (header byte, then RBSP start). */
static const uint8_t sps[] = { 0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8 };
static const uint8_t pps[] = { 0x68, 0xce, 0x3c, 0x80 };
static const uint8_t idr[] = { 0x65, 0x88, 0x84, 0x00, 0x33, 0xff, 0xfe, 0xf6 };
static const uint8_t slice0[] = { 0x41, 0x9a, 0x21, 0x6c };	/* first_mb 0 */
static const uint8_t slice1[] = { 0x41, 0x40, 0x21, 0x6c };	/* first_mb > 0 */
static const uint8_t sei[] = { 0x06, 0x05, 0x02, 0x11, 0x22, 0x80 };

/* Appends a 16-bit size and the NAL unit at off; returns the new off. */
static size_t stap_add(uint8_t *buf, size_t off, const uint8_t *nal, size_t n)
{
	wf_rtp_wr16(buf + off, (uint16_t)n);
	memcpy(buf + off + 2, nal, n);
	return off + 2 + n;
}

static void h264_single_nal_units_give_keyframe_and_frame_starts(void)
{
	CHECK_VI(WF_KF_H264, idr, sizeof(idr), true, true);
	CHECK_VI(WF_KF_H264, sps, sizeof(sps), true, true);
	CHECK_VI(WF_KF_H264, pps, sizeof(pps), false, true);
	CHECK_VI(WF_KF_H264, sei, sizeof(sei), false, true);
	CHECK_VI(WF_KF_H264, slice0, sizeof(slice0), false, true);
	CHECK_VI(WF_KF_H264, slice1, sizeof(slice1), false, false);
	CHECK_VI(WF_KF_H264, idr, 1, true, false);	/* header only */
	WF_CHECK_EQ(wf_keyframe_detect(WF_KF_H264, idr, sizeof(idr)), WF_KEYFRAME_START);
	WF_CHECK_EQ(wf_keyframe_detect(WF_KF_H264, slice0, sizeof(slice0)), WF_KEYFRAME_NO);
	CHECK_ERR(WF_KF_H264, idr, 0, WF_H264_TRUNCATED);
}

static void h264_stap_a_with_sps_pps_idr_is_a_keyframe_start(void)
{
	uint8_t buf[64];
	size_t off = 1, b_sps, b_pps, full, cut;

	buf[0] = 0x78;					/* NRI 3, type 24 */
	b_sps = off = stap_add(buf, off, sps, sizeof(sps));
	b_pps = off = stap_add(buf, off, pps, sizeof(pps));
	full = stap_add(buf, off, idr, sizeof(idr));
	CHECK_VI(WF_KF_H264, buf, full, true, true);
	/* Cut anywhere: valid only on a NAL boundary (SPS still inside). */
	for (cut = 0; cut < full; cut++) {
		struct wf_video_info vi;
		int rc = vparse(WF_KF_H264, buf, cut, &vi);

		if (cut == b_sps || cut == b_pps)
			WF_CHECKF(rc == 0 && vi.keyframe_start, "cut %zu", cut);
		else
			WF_CHECKF(rc == -WF_H264_TRUNCATED, "cut %zu rc %d", cut, rc);
	}
}

static void h264_stap_a_idr_after_sei_is_found(void)
{
	uint8_t buf[64];
	size_t off = 1;

	buf[0] = 0x78;
	off = stap_add(buf, off, sei, sizeof(sei));
	off = stap_add(buf, off, slice0, sizeof(slice0));
	CHECK_VI(WF_KF_H264, buf, off, false, true);	/* no IDR or SPS */
	off = 1;
	off = stap_add(buf, off, slice1, sizeof(slice1));
	off = stap_add(buf, off, idr, sizeof(idr));	/* keyframe, not a start */
	CHECK_VI(WF_KF_H264, buf, off, true, false);
}

static void h264_stap_sizes_past_the_end_or_zero_are_rejected(void)
{
	uint8_t buf[64];
	size_t off = 1, full;

	buf[0] = 0x78;
	off = stap_add(buf, off, sps, sizeof(sps));
	full = stap_add(buf, off, idr, sizeof(idr));
	wf_rtp_wr16(buf + off, 0xffff);			/* second size: past the end */
	CHECK_ERR(WF_KF_H264, buf, full, WF_H264_TRUNCATED);
	wf_rtp_wr16(buf + off, (uint16_t)(sizeof(idr) + 1));	/* one byte past */
	CHECK_ERR(WF_KF_H264, buf, full, WF_H264_TRUNCATED);
	wf_rtp_wr16(buf + off, 0);				/* empty NAL unit */
	CHECK_ERR(WF_KF_H264, buf, full, WF_H264_TRUNCATED);
	wf_rtp_wr16(buf + off, sizeof(idr));
	CHECK_VI(WF_KF_H264, buf, full, true, true);
	CHECK_ERR(WF_KF_H264, buf, 1, WF_H264_TRUNCATED);	/* no NAL at all */
}

static void h264_stap_b_skips_its_don(void)
{
	uint8_t buf[64];
	size_t off = 3;

	buf[0] = 0x79;					/* type 25 */
	wf_rtp_wr16(buf + 1, 0x1234);			/* DON */
	off = stap_add(buf, off, idr, sizeof(idr));
	CHECK_VI(WF_KF_H264, buf, off, true, true);
	CHECK_ERR(WF_KF_H264, buf, 2, WF_H264_TRUNCATED);
	CHECK_ERR(WF_KF_H264, buf, 3, WF_H264_TRUNCATED);
}

static void h264_fu_a_start_middle_end(void)
{
	/* An IDR split in three FU-A packets (RFC 6184 §5.8). */
	uint8_t start[] = { 0x7c, 0x85, 0x88, 0x84, 0x00 };
	uint8_t middle[] = { 0x7c, 0x05, 0x33, 0xff };
	uint8_t end[] = { 0x7c, 0x45, 0xfe, 0xf6 };
	uint8_t bad[] = { 0x7c, 0xc5, 0x88 };
	uint8_t p_start[] = { 0x5c, 0x81, 0x9a, 0x21 };	/* non-IDR slice */
	uint8_t p_next[] = { 0x5c, 0x81, 0x40, 0x21 };	/* its second slice */
	uint8_t fu_b[] = { 0x7d, 0x85, 0x00, 0x01, 0x88 };	/* FU-B with DON */

	CHECK_VI(WF_KF_H264, start, sizeof(start), true, true);
	CHECK_VI(WF_KF_H264, middle, sizeof(middle), false, false);
	CHECK_VI(WF_KF_H264, end, sizeof(end), false, false);
	CHECK_ERR(WF_KF_H264, bad, sizeof(bad), WF_H264_BAD_FU);
	CHECK_VI(WF_KF_H264, p_start, sizeof(p_start), false, true);
	CHECK_VI(WF_KF_H264, p_next, sizeof(p_next), false, false);
	CHECK_VI(WF_KF_H264, start, 2, true, false);	/* empty FU payload */
	CHECK_ERR(WF_KF_H264, start, 1, WF_H264_TRUNCATED);
	CHECK_VI(WF_KF_H264, fu_b, sizeof(fu_b), true, true);
	CHECK_ERR(WF_KF_H264, fu_b, 3, WF_H264_TRUNCATED);
}

static void h264_reserved_and_mtap_types_are_neither(void)
{
	static const uint8_t types[] = { 0, 26, 27, 30, 31 };
	uint8_t p[4] = { 0, 0x80, 0, 0 };
	size_t i;

	for (i = 0; i < sizeof(types); i++) {
		p[0] = (uint8_t)(0x60 | types[i]);
		CHECK_VI(WF_KF_H264, p, sizeof(p), false, false);
	}
}

/* ---- VP8 ----------------------------------------------------------------- */

/* Start of a VP8 key frame: frame tag (P = 0), start code, 640x480. */
static const uint8_t vp8_key[] = { 0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01 };
static const uint8_t vp8_inter[] = { 0x31, 0x0b, 0x00, 0x11, 0x22 };

/* Descriptor desc[0..dn) followed by the frame data. */
static size_t vp8_pkt(uint8_t *buf, const uint8_t *desc, size_t dn,
		      const uint8_t *frame, size_t fn)
{
	memcpy(buf, desc, dn);
	memcpy(buf + dn, frame, fn);
	return dn + fn;
}

static void vp8_keyframe_and_interframe_with_every_descriptor_shape(void)
{
	static const struct { uint8_t d[6]; size_t n; } descs[] = {
		{ { 0x10 }, 1 },					/* S, PID 0 */
		{ { 0x90, 0x80, 0x12 }, 3 },				/* 7-bit PictureID */
		{ { 0x90, 0x80, 0x81, 0x23 }, 4 },			/* 15-bit PictureID */
		{ { 0x90, 0xf0, 0x81, 0x23, 0x05, 0x40 }, 6 },		/* I L T K */
		{ { 0x90, 0x40, 0x07 }, 3 },				/* L only */
		{ { 0x90, 0x10, 0x20 }, 3 },				/* K only */
		{ { 0x90, 0x00 }, 2 },					/* X, nothing */
	};
	uint8_t buf[32];
	size_t i, n, cut;

	for (i = 0; i < sizeof(descs) / sizeof(descs[0]); i++) {
		n = vp8_pkt(buf, descs[i].d, descs[i].n, vp8_key, sizeof(vp8_key));
		CHECK_VI(WF_KF_VP8, buf, n, true, true);
		/* Every cut inside the descriptor (or with no VP8 byte). */
		for (cut = 0; cut <= descs[i].n; cut++)
			CHECK_ERR(WF_KF_VP8, buf, cut, WF_VP8_TRUNCATED);
		CHECK_VI(WF_KF_VP8, buf, descs[i].n + 1, true, true);

		n = vp8_pkt(buf, descs[i].d, descs[i].n, vp8_inter, sizeof(vp8_inter));
		CHECK_VI(WF_KF_VP8, buf, n, false, true);

		/* Not the start of partition 0: neither. */
		buf[0] = (uint8_t)(descs[i].d[0] & ~0x10);
		CHECK_VI(WF_KF_VP8, buf, n, false, false);
		buf[0] = (uint8_t)(descs[i].d[0] | 0x01);	/* S, PID 1 */
		CHECK_VI(WF_KF_VP8, buf, n, false, false);
	}
}

/* ---- VP9 ----------------------------------------------------------------- */

static const uint8_t vp9_frame[] = { 0x82, 0x49, 0x83, 0x42, 0x00 };

static void vp9_non_flexible_keyframe_with_scalability_structure(void)
{
	/* I L B E V, 15-bit PictureID, layer byte SID 0, TL0PICIDX, SS with
	 * one layer 1280x720 and a picture group of 2 (second refers back 1). */
	uint8_t desc[] = { 0xae, 0x80, 0x01, 0x00, 0x05,
			   0x18, 0x05, 0x00, 0x02, 0xd0, 0x02, 0x00, 0x24, 0x01 };
	uint8_t buf[64];
	size_t n, cut;

	memcpy(buf, desc, sizeof(desc));
	memcpy(buf + sizeof(desc), vp9_frame, sizeof(vp9_frame));
	n = sizeof(desc) + sizeof(vp9_frame);
	CHECK_VI(WF_KF_VP9, buf, n, true, true);
	WF_CHECK_EQ(wf_keyframe_detect(WF_KF_VP9, buf, n), WF_KEYFRAME_START);
	for (cut = 0; cut <= sizeof(desc); cut++)
		CHECK_ERR(WF_KF_VP9, buf, cut, WF_VP9_TRUNCATED);
	/* The same frame predicted from an earlier one (P = 1). */
	buf[0] |= 0x40;
	CHECK_VI(WF_KF_VP9, buf, n, false, true);
	/* Spatial layer 1 of a key picture: neither. */
	buf[0] &= (uint8_t)~0x40;
	buf[3] = 0x02;					/* SID 1 */
	CHECK_VI(WF_KF_VP9, buf, n, false, false);
	/* Not the beginning of the frame (B = 0). */
	buf[3] = 0x00;
	buf[0] &= (uint8_t)~0x08;
	CHECK_VI(WF_KF_VP9, buf, n, false, false);
	/* SS with N_G past the end. */
	memcpy(buf, desc, sizeof(desc));
	buf[10] = 200;
	CHECK_ERR(WF_KF_VP9, buf, n, WF_VP9_TRUNCATED);
}

static void vp9_flexible_mode_reads_p_diffs(void)
{
	/* I P L F B, 7-bit PictureID, layer byte, two P_DIFFs (N on the first). */
	uint8_t inter[] = { 0xf8, 0x12, 0x00, 0x03, 0x04, 0x86, 0x00, 0x01 };
	/* I L F B (P = 0): key frame, no P_DIFF, no TL0PICIDX. */
	uint8_t key[] = { 0xb8, 0x12, 0x00, 0x82, 0x49 };
	uint8_t four[] = { 0xf8, 0x12, 0x00, 0x03, 0x05, 0x07, 0x08, 0x86 };
	uint8_t bare[] = { 0x08, 0x82 };		/* B only */
	size_t cut;

	CHECK_VI(WF_KF_VP9, inter, sizeof(inter), false, true);
	for (cut = 0; cut <= 5; cut++)
		CHECK_ERR(WF_KF_VP9, inter, cut, WF_VP9_TRUNCATED);
	CHECK_VI(WF_KF_VP9, key, sizeof(key), true, true);
	CHECK_ERR(WF_KF_VP9, four, sizeof(four), WF_VP9_BAD_DESC);
	CHECK_VI(WF_KF_VP9, bare, sizeof(bare), true, true);
	CHECK_ERR(WF_KF_VP9, bare, 1, WF_VP9_TRUNCATED);
}

/* ---- AV1 ----------------------------------------------------------------- */

static void av1_n_bit_marks_a_new_coded_video_sequence(void)
{
	/* W = 2, N: sequence header OBU (5 bytes, with length) then a frame
	 * OBU taking the rest. */
	uint8_t key[] = { 0x28, 0x05, 0x08, 0x00, 0x00, 0x00, 0x2a,
			  0x30, 0x10, 0x20, 0x30 };
	/* W = 0: every element has a length. */
	uint8_t w0[] = { 0x08, 0x03, 0x08, 0x01, 0x02, 0x02, 0x30, 0x07 };
	uint8_t inter[] = { 0x10, 0x30, 0x01, 0x02 };	/* W = 1, frame OBU */
	uint8_t cont[] = { 0x90, 0x30, 0x01, 0x02 };	/* Z: continuation */
	uint8_t tail[] = { 0x50, 0x30, 0x01 };		/* Y: will continue */
	size_t cut, boundary = 1 + 1 + 5 + 1;

	CHECK_VI(WF_KF_AV1, key, sizeof(key), true, true);
	for (cut = 0; cut < sizeof(key); cut++) {
		struct wf_video_info vi;
		int rc = vparse(WF_KF_AV1, key, cut, &vi);

		if (cut >= boundary)
			WF_CHECKF(rc == 0 && vi.keyframe_start, "cut %zu", cut);
		else
			WF_CHECKF(rc == -WF_AV1_TRUNCATED, "cut %zu rc %d", cut, rc);
	}
	CHECK_VI(WF_KF_AV1, w0, sizeof(w0), true, true);
	CHECK_ERR(WF_KF_AV1, w0, sizeof(w0) - 1, WF_AV1_TRUNCATED);
	CHECK_VI(WF_KF_AV1, inter, sizeof(inter), false, true);
	CHECK_VI(WF_KF_AV1, cont, sizeof(cont), false, false);
	CHECK_VI(WF_KF_AV1, tail, sizeof(tail), false, true);
}

static void av1_hostile_aggregation_headers_are_rejected(void)
{
	uint8_t nz[] = { 0x98, 0x30, 0x01 };			/* N with Z */
	uint8_t w3[] = { 0x38, 0x01, 0x08, 0x01, 0x30 };	/* W = 3, 2 elements */
	uint8_t big[] = { 0x08, 0x80, 0x80, 0x01, 0x08 };	/* length 16384 */
	uint8_t leb9[] = { 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x08 };
	uint8_t forbidden[] = { 0x10, 0xb0, 0x01 };		/* OBU forbidden bit */
	uint8_t zero[] = { 0x00, 0x00, 0x00 };			/* W = 0, empty OBUs */

	CHECK_ERR(WF_KF_AV1, nz, sizeof(nz), WF_AV1_BAD_HEADER);
	CHECK_ERR(WF_KF_AV1, w3, sizeof(w3), WF_AV1_TRUNCATED);
	CHECK_ERR(WF_KF_AV1, big, sizeof(big), WF_AV1_TRUNCATED);
	CHECK_ERR(WF_KF_AV1, leb9, sizeof(leb9), WF_AV1_TRUNCATED);
	CHECK_ERR(WF_KF_AV1, forbidden, sizeof(forbidden), WF_AV1_BAD_HEADER);
	CHECK_ERR(WF_KF_AV1, nz, 1, WF_AV1_TRUNCATED);
	CHECK_VI(WF_KF_AV1, zero, sizeof(zero), false, false);
}

/* ---- All codecs ---------------------------------------------------------- */

static void every_codec_survives_random_payloads(void)
{
	/* No expected answer, only the contract: 0 or a listed error, and
	 * ASan watching every read. */
	uint64_t seed = 1234;
	unsigned i, c;

	for (i = 0; i < 20000; i++) {
		uint8_t buf[40];
		size_t n = t_rand(&seed) % sizeof(buf), k;

		for (k = 0; k < n; k++) buf[k] = (uint8_t)t_rand(&seed);
		for (c = 0; c < WF_KF_CODEC_COUNT; c++) {
			struct wf_video_info vi;
			int rc = vparse((enum wf_kf_codec)c, buf, n, &vi);

			WF_REQUIRE(rc <= 0 && rc > -WF_RTP_ERR_COUNT);
		}
	}
}

static void unknown_codec_is_an_error(void)
{
	struct wf_video_info vi;

	WF_CHECK_EQ(wf_keyframe_detect(WF_KF_CODEC_COUNT, idr, sizeof(idr)), -WF_BAD_CODEC);
	WF_CHECK_EQ(wf_video_parse((enum wf_kf_codec)99, idr, sizeof(idr), &vi), -WF_BAD_CODEC);
	WF_CHECK(!vi.keyframe_start && !vi.frame_start);
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	WF_RUN(h264_single_nal_units_give_keyframe_and_frame_starts);
	WF_RUN(h264_stap_a_with_sps_pps_idr_is_a_keyframe_start);
	WF_RUN(h264_stap_a_idr_after_sei_is_found);
	WF_RUN(h264_stap_sizes_past_the_end_or_zero_are_rejected);
	WF_RUN(h264_stap_b_skips_its_don);
	WF_RUN(h264_fu_a_start_middle_end);
	WF_RUN(h264_reserved_and_mtap_types_are_neither);
	WF_RUN(vp8_keyframe_and_interframe_with_every_descriptor_shape);
	WF_RUN(vp9_non_flexible_keyframe_with_scalability_structure);
	WF_RUN(vp9_flexible_mode_reads_p_diffs);
	WF_RUN(av1_n_bit_marks_a_new_coded_video_sequence);
	WF_RUN(av1_hostile_aggregation_headers_are_rejected);
	WF_RUN(every_codec_survives_random_payloads);
	WF_RUN(unknown_codec_is_an_error);
	return wf_test_done();
}
