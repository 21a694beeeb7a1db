/* refusal.c: names and texts of the refusal reasons (refusal.h). */
#include "core/refusal.h"

#include "core/reason.h"

static const char *const names[WF_REFUSAL_COUNT] = { WF_REFUSALS(WF_REASON_NAME) };
static const char *const texts[WF_REFUSAL_COUNT] = { WF_REFUSALS(WF_REASON_TEXT) };

const char *wf_refusal_name(enum wf_refusal r)
{
	return wf_reason_pick(names, WF_REFUSAL_COUNT, (unsigned)r);
}

const char *wf_refusal_text(enum wf_refusal r)
{
	return wf_reason_pick(texts, WF_REFUSAL_COUNT, (unsigned)r);
}
