/* drop.c: names and texts of the drop reasons (drop.h). */
#include "core/drop.h"

static const char *const names[WF_DROP_COUNT] = {
#define WF_DROP_NAME_(sym, name, text) [WF_DROP_##sym] = #name,
	WF_DROPS(WF_DROP_NAME_)
#undef WF_DROP_NAME_
};

static const char *const texts[WF_DROP_COUNT] = {
#define WF_DROP_TEXT_(sym, name, text) [WF_DROP_##sym] = text,
	WF_DROPS(WF_DROP_TEXT_)
#undef WF_DROP_TEXT_
};

const char *wf_drop_name(enum wf_drop d)
{
	return (unsigned)d < WF_DROP_COUNT ? names[d] : "unknown";
}

const char *wf_drop_text(enum wf_drop d)
{
	return (unsigned)d < WF_DROP_COUNT ? texts[d] : "unknown";
}
