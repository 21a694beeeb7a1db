/* drop.c: names and texts of the drop reasons (drop.h). */
#include "core/drop.h"

#include "core/reason.h"

static const char *const names[WF_DROP_COUNT] = { WF_DROPS(WF_REASON_NAME) };
static const char *const texts[WF_DROP_COUNT] = { WF_DROPS(WF_REASON_TEXT) };

const char *wf_drop_name(enum wf_drop d)
{
	return wf_reason_pick(names, WF_DROP_COUNT, (unsigned)d);
}

const char *wf_drop_text(enum wf_drop d)
{
	return wf_reason_pick(texts, WF_DROP_COUNT, (unsigned)d);
}
