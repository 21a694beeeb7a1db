/* app.c: the global state (app.h). */
#include "core/app.h"

#include "core/reason.h"

struct wf_app wf_app;

/* kind 0 is no kind: never sent */
static const char *const item_kind_names[WF_ITEM_KIND_COUNT] = {
	"none", WF_ITEM_KINDS(WF_REASON_NAME)
};

const char *wf_item_kind_name(unsigned kind)
{
	return wf_reason_pick(item_kind_names, WF_ITEM_KIND_COUNT, kind);
}

uint64_t wf_ntp_now(uint64_t tsc)
{
	return wf_app.start_ntp +
	       (uint64_t)(((unsigned __int128)(tsc - wf_app.start_tsc) << 32) / wf_app.tsc_hz);
}

void wf_budgets_apply(const struct wf_config_webrtc *r)
{
	/* relaxed: each a setting of its own, read at every request */
	__atomic_store_n(&wf_app.nack, r->nack, __ATOMIC_RELAXED);
	__atomic_store_n(&wf_app.nack_budget_pct, r->nack_budget_pct, __ATOMIC_RELAXED);
	__atomic_store_n(&wf_app.replay_max_packets, r->replay_max_packets, __ATOMIC_RELAXED);
	__atomic_store_n(&wf_app.replay_per_stream_per_s, r->replay_per_stream_per_s,
			 __ATOMIC_RELAXED);
}
