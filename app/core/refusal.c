/* refusal.c: names and texts of the refusal reasons (refusal.h). */
#include "core/refusal.h"

static const char *const names[WF_REFUSAL_COUNT] = {
#define WF_REFUSAL_NAME_(sym, name, text) [WF_REFUSE_##sym] = #name,
	WF_REFUSALS(WF_REFUSAL_NAME_)
#undef WF_REFUSAL_NAME_
};

static const char *const texts[WF_REFUSAL_COUNT] = {
#define WF_REFUSAL_TEXT_(sym, name, text) [WF_REFUSE_##sym] = text,
	WF_REFUSALS(WF_REFUSAL_TEXT_)
#undef WF_REFUSAL_TEXT_
};

const char *wf_refusal_name(enum wf_refusal r)
{
	return (unsigned)r < WF_REFUSAL_COUNT ? names[r] : "unknown";
}

const char *wf_refusal_text(enum wf_refusal r)
{
	return (unsigned)r < WF_REFUSAL_COUNT ? texts[r] : "unknown";
}
