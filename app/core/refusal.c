/* refusal.c: names and texts of the refusal reasons (refusal.h). */
#include "core/refusal.h"

#include "core/reason.h"

WF_REASON_TABLES(wf_refusal, enum wf_refusal, WF_REFUSALS, WF_REFUSAL_COUNT)
