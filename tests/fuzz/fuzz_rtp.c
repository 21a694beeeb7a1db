/* fuzz_rtp.c: fuzz target 3, RTP ingest as app/fast/ingest.c does it.
 *
 * Input: a sequence of packets, each a 16-bit length then its bytes, plus
 * a 16-bit arrival-time step before each.  Every packet goes through the
 * header parse and the RFC 5761 RTP/RTCP split; a valid one updates the
 * source's sequence and jitter statistics, and its payload (copied to an
 * exact-size block, so ASan sees any read past it) runs through frame and
 * key-frame detection for every video codec whepfan accepts (H.264, VP8,
 * VP9, AV1).  Checks: header, payload and padding add up to the packet;
 * wf_keyframe_detect agrees with wf_video_parse; the loss report is sane.
 */
#include "fuzz/fuzz.h"

#include "rtp/keyframe.h"
#include "rtp/rtp.h"

#define MAX_PACKETS 64

static void detect(const uint8_t *payload, size_t len)
{
	struct wf_video_info vi;
	unsigned c;
	int rc, kf;

	for (c = 0; c < WF_KF_CODEC_COUNT; c++) {
		rc = wf_video_parse((enum wf_kf_codec)c, payload, len, &vi);
		kf = wf_keyframe_detect((enum wf_kf_codec)c, payload, len);
		WF_FUZZ_CHECK((rc < 0) == (kf < 0));
		if (rc == 0) {
			WF_FUZZ_CHECK(kf == (vi.keyframe_start ? WF_KEYFRAME_START : WF_KEYFRAME_NO));
		}
	}
	WF_FUZZ_CHECK(wf_video_parse(WF_KF_CODEC_COUNT, payload, len, &vi) < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wf_rtp_source src;
	struct wf_rtp_loss loss;
	struct wf_fuzz_in in;
	struct wf_rtp_hdr h;
	bool started = false;
	uint32_t arrival = 0;
	uint64_t ext = 0;
	unsigned n;

	wf_fuzz_in_init(&in, data, size);
	for (n = 0; n < MAX_PACKETS && wf_fuzz_left(&in) > 0; n++) {
		const uint8_t *p;
		uint8_t *pkt, *payload;
		size_t len;

		arrival += wf_fuzz_u16(&in);
		p = wf_fuzz_chunk(&in, &len);
		pkt = malloc(len ? len : 1);
		if (!pkt)
			return 0;
		memcpy(pkt, p, len);
		(void)wf_rtp_is_rtcp(pkt, len);
		if (wf_rtp_parse(pkt, len, &h) == 0) {
			WF_FUZZ_CHECK((size_t)h.hdr_len + h.payload_len + h.pad_len == len);
			WF_FUZZ_CHECK(h.ext_off + (size_t)h.ext_len <= h.hdr_len);
			if (!started) {
				wf_rtp_source_init(&src, h.seq);
				ext = h.seq;
				started = true;
			}
			(void)wf_rtp_source_update_seq(&src, h.seq);
			wf_rtp_source_update_jitter(&src, h.timestamp, arrival);
			ext = wf_seq_extend(ext, h.seq);
			WF_FUZZ_CHECK((uint16_t)ext == h.seq);
			payload = malloc(h.payload_len ? h.payload_len : 1);
			if (!payload) {
				free(pkt);
				return 0;
			}
			memcpy(payload, pkt + h.hdr_len, h.payload_len);
			detect(payload, h.payload_len);
			free(payload);
		}
		free(pkt);
	}
	if (started) {
		wf_rtp_source_report(&src, &loss);
		WF_FUZZ_CHECK(loss.cumulative_lost >= -(1 << 23) && loss.cumulative_lost < (1 << 23));
	}
	return 0;
}
