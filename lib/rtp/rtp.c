/* rtp.c: error names and RTP source statistics (RFC 3550 Appendix A). */
#include "rtp/rtp.h"

static const char *const wf_rtp_err_names[WF_RTP_ERR_COUNT] = {
	[WF_RTP_OK] = "ok",
#define WF_RTP_ERR_NAME_(sym, name, text) [WF_##sym] = #name,
	WF_RTP_ERRORS(WF_RTP_ERR_NAME_)
#undef WF_RTP_ERR_NAME_
};

static const char *const wf_rtp_err_texts[WF_RTP_ERR_COUNT] = {
	[WF_RTP_OK] = "no error",
#define WF_RTP_ERR_TEXT_(sym, name, text) [WF_##sym] = text,
	WF_RTP_ERRORS(WF_RTP_ERR_TEXT_)
#undef WF_RTP_ERR_TEXT_
};

static int wf_rtp_err_index(int err)
{
	if (err < 0) err = -err;
	if (err >= WF_RTP_ERR_COUNT) return -1;
	return err;
}

const char *wf_rtp_err_name(int err)
{
	int i = wf_rtp_err_index(err);

	return i < 0 ? "unknown" : wf_rtp_err_names[i];
}

const char *wf_rtp_strerror(int err)
{
	int i = wf_rtp_err_index(err);

	return i < 0 ? "unknown error" : wf_rtp_err_texts[i];
}

/* RFC 3550 A.1 init_seq: (re)starts counting at seq. */
static void wf_rtp_source_restart(struct wf_rtp_source *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = 0x10000u + 1;	/* never equal to a 16-bit seq */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
}

void wf_rtp_source_init(struct wf_rtp_source *s, uint16_t seq)
{
	wf_rtp_source_restart(s, seq);
	/* RFC 3550 A.1: the first packet must then be max_seq + 1. */
	s->max_seq = (uint16_t)(seq - 1);
	s->probation = WF_RTP_MIN_SEQUENTIAL;
	s->transit = 0;
	s->jitter = 0;
	s->have_transit = false;
}

bool wf_rtp_source_update_seq(struct wf_rtp_source *s, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - s->max_seq);

	if (s->probation) {
		/* RFC 3550 A.1: MIN_SEQUENTIAL packets in a row validate the
		 * source; the comparison is on 16 bits so 65535 -> 0 counts. */
		if (seq == (uint16_t)(s->max_seq + 1)) {
			s->probation--;
			s->max_seq = seq;
			if (s->probation == 0) {
				wf_rtp_source_restart(s, seq);
				s->received++;
				return true;
			}
		} else {
			s->probation = WF_RTP_MIN_SEQUENTIAL - 1;
			s->max_seq = seq;
		}
		return false;
	}
	if (udelta < WF_RTP_MAX_DROPOUT) {
		/* In order, with a permissible gap. */
		if (seq < s->max_seq)
			s->cycles += 0x10000u;
		s->max_seq = seq;
	} else if (udelta <= 0x10000u - WF_RTP_MAX_MISORDER) {
		/* A very large jump: restart only if the next packet follows
		 * it (the sender restarted), else ignore it. */
		if (seq != s->bad_seq) {
			s->bad_seq = (uint32_t)(uint16_t)(seq + 1);
			return false;
		}
		wf_rtp_source_restart(s, seq);
	}
	/* else: duplicate or reordered packet, counted (A.1). */
	s->received++;
	return true;
}

void wf_rtp_source_update_jitter(struct wf_rtp_source *s, uint32_t rtp_ts,
				 uint32_t arrival)
{
	/* RFC 3550 A.8: J += (|D| - J) / 16, kept scaled by 16. */
	uint32_t transit = arrival - rtp_ts;
	int32_t d;
	uint32_t ad;

	if (!s->have_transit) {
		s->transit = transit;
		s->have_transit = true;
		return;
	}
	d = (int32_t)(transit - s->transit);
	s->transit = transit;
	ad = d < 0 ? (uint32_t)0 - (uint32_t)d : (uint32_t)d;
	s->jitter += ad - ((s->jitter + 8) >> 4);
}

void wf_rtp_source_report(struct wf_rtp_source *s, struct wf_rtp_loss *out)
{
	uint32_t ext_max = s->cycles + s->max_seq;
	uint32_t expected, exp_int, rcv_int;
	int64_t lost, lost_int;

	/* RFC 3550 A.3 */
	expected = ext_max - s->base_seq + 1;
	lost = (int64_t)expected - (int64_t)s->received;
	if (s->probation) {
		/* Nothing validated yet: report nothing lost. */
		expected = 0;
		lost = 0;
	}
	if (lost > 0x7fffff) lost = 0x7fffff;		/* 24-bit signed field */
	if (lost < -0x800000) lost = -0x800000;
	exp_int = expected - s->expected_prior;
	rcv_int = s->received - s->received_prior;
	s->expected_prior = expected;
	s->received_prior = s->received;
	lost_int = (int64_t)exp_int - (int64_t)rcv_int;
	out->ext_highest_seq = ext_max;
	out->expected = expected;
	out->cumulative_lost = (int32_t)lost;
	if (exp_int == 0 || lost_int <= 0)
		out->fraction_lost = 0;
	else if ((uint64_t)lost_int >= exp_int)
		out->fraction_lost = 255;	/* all lost: 256/256 does not fit */
	else
		out->fraction_lost = (uint8_t)(((uint64_t)lost_int << 8) / exp_int);
	out->jitter = s->jitter >> 4;
}
