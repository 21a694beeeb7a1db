/* drop.c: names and texts of the drop reasons (drop.h). */
#include "core/drop.h"

#include "core/reason.h"

WF_REASON_TABLES(wf_drop, enum wf_drop, WF_DROPS, WF_DROP_COUNT)
