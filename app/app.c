/* app.c: the global state (app.h). */
#include "app.h"

struct wf_app wf_app;

uint64_t wf_ntp_now(uint64_t tsc)
{
	return wf_app.start_ntp +
	       (uint64_t)(((unsigned __int128)(tsc - wf_app.start_tsc) << 32) / wf_app.tsc_hz);
}
