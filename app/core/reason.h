/* reason.h: the one shape of every list of reasons (drop.h, refusal.h,
 * slow/frame.h, the handoff kinds in app.h): an X-macro _(SYM, name,
 * "text") whose entries give an enum from 0, and the names and texts
 * below, in the list's order, looked up with wf_reason_pick().
 */
#ifndef WF_REASON_H
#define WF_REASON_H

#define WF_REASON_NAME(sym, name, text) #name,
#define WF_REASON_TEXT(sym, name, text) text,

/* tab[i] of an n-entry table, or "unknown". */
static inline const char *wf_reason_pick(const char *const *tab, unsigned n, unsigned i)
{
	return i < n ? tab[i] : "unknown";
}

#endif
