/* stream_state.c: the sizing of a stream's history (stream_state.h). */
#include "core/stream_state.h"

#include "conf/conf.h"

uint32_t wf_history_slots_for(unsigned kind, uint32_t history_ms)
{
	/* video up to ~3 packets/ms (30 Mbit/s of 1200-byte packets), audio
	 * up to 0.1/ms (10 ms frames); at least 256, at most 65536 slots. */
	uint64_t want = kind == WF_CONF_VIDEO ? (uint64_t)history_ms * 3 : history_ms / 10 + 1;
	uint32_t n = 256;

	while (n < want && n < 65536)
		n <<= 1;
	return n;
}
