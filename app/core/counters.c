/* counters.c: the lists telemetry and /metrics walk (counters.h). */
#include "core/counters.h"

#define WF_COUNTER_INFO_(field, text) { #field, text, offsetof(struct wf_counters, field) },
const struct wf_counter_info wf_counter_list[] = {
	WF_COUNTERS(WF_COUNTER_INFO_)
};
#undef WF_COUNTER_INFO_
const unsigned wf_counter_count = RTE_DIM(wf_counter_list);

static const char *drop_name(unsigned i)
{
	return wf_drop_name((enum wf_drop)i);
}

static const char *refusal_name(unsigned i)
{
	return wf_refusal_name((enum wf_refusal)i);
}

static const char *punt_class_name(unsigned i)
{
	return wf_punt_class_name((enum wf_punt_class)i);
}

static const char *rtp_err_name(unsigned i)
{
	return wf_rtp_err_name((int)i);
}

static const char *srtp_err_name(unsigned i)
{
	return wf_srtp_err_name((int)i);
}

#define SET(key_, label_, help_, field, first_, count_, name_) \
	{ .key = key_, .label = label_, .help = help_, \
	  .off = offsetof(struct wf_counters, field), .first = first_, .count = count_, \
	  .name = name_ }
const struct wf_reason_set wf_reason_sets[] = {
	SET("drops", "reason", "Packets dropped by workers, by reason (app/core/drop.h).",
	    drop, 0, WF_DROP_COUNT, drop_name),
	SET("refusals", "reason",
	    "Viewers' requests (NACK, PLI, FIR) not served, by reason (app/core/refusal.h).",
	    refused, 0, WF_REFUSAL_COUNT, refusal_name),
	SET("punted_by_class", "class",
	    "Packets handed to the slow path, by punt class (app/core/police.h).",
	    punted_class, 0, WF_PUNT_CLASS_COUNT, punt_class_name),
	SET("handoff_in_kinds", "kind",
	    "Items taken from other workers, by kind (app/core/app.h).",
	    handoff_in_kind, 1, WF_ITEM_KIND_COUNT, wf_item_kind_name),
	SET("rtp_errors", "reason", "RTP/RTCP validation errors, by reason (lib/rtp).",
	    rtp_err, 1, WF_RTP_ERR_COUNT, rtp_err_name),
	SET("srtp_errors", "reason", "SRTP/SRTCP errors, by reason (lib/srtp).",
	    srtp_err, 1, WF_SRTP_E_COUNT, srtp_err_name),
};
#undef SET
const unsigned wf_reason_set_count = RTE_DIM(wf_reason_sets);
