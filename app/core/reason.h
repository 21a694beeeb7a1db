/* reason.h: the one shape of every list of reasons (drop.h, refusal.h,
 * slow/frame.h, whep/admission.h, the handoff kinds in app.h): an X-macro
 * _(SYM, name, "text") whose entries give an enum from 0, and the names
 * and texts, in the list's order.
 *
 * A list's header says
 *	#define WF_DROP_ENUM_(sym, name, text) WF_DROP_##sym,
 *	enum wf_drop { WF_DROPS(WF_DROP_ENUM_) WF_DROP_COUNT };
 *	#undef WF_DROP_ENUM_
 *	WF_REASON_LOOKUPS(wf_drop, enum wf_drop)
 * and its .c file WF_REASON_TABLES(wf_drop, enum wf_drop, WF_DROPS, WF_DROP_COUNT).
 * The enum's entry macro is the list's own: it pastes sym unexpanded (a
 * shared one would expand it first, and a symbol such as IP_PROTOCOL that
 * a system header defines would become a number).
 */
#ifndef WF_REASON_H
#define WF_REASON_H

#define WF_REASON_NAME(sym, name, text) #name,
#define WF_REASON_TEXT(sym, name, text) text,

/* fn_name() and fn_text(): the entry's name and text, "unknown" past the end. */
#define WF_REASON_LOOKUPS(fn, type) \
	const char *fn##_name(type r); \
	const char *fn##_text(type r);

#define WF_REASON_TABLES(fn, type, list, count) \
	static const char *const fn##_names_[count] = { list(WF_REASON_NAME) }; \
	static const char *const fn##_texts_[count] = { list(WF_REASON_TEXT) }; \
	const char *fn##_name(type r) { return wf_reason_pick(fn##_names_, count, (unsigned)r); } \
	const char *fn##_text(type r) { return wf_reason_pick(fn##_texts_, count, (unsigned)r); }

/* tab[i] of an n-entry table, or "unknown". */
static inline const char *wf_reason_pick(const char *const *tab, unsigned n, unsigned i)
{
	return i < n ? tab[i] : "unknown";
}

#endif
