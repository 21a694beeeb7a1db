/* streams.h: streams and their owners, set up by the slow path. */
#ifndef WF_STREAMS_H
#define WF_STREAMS_H

#include "conf/conf.h"

/* Activates every stream of cfg: picks an owner worker (round robin),
 * allocates its history, hands it to the owner, maps its ingest ports
 * (RTP on each track's port, the source's RTCP on port + 1 when that port
 * is free).  Returns 0 or -errno. */
int wf_streams_start(const struct wf_config *cfg);

/* Takes every stream back from its owner and frees its history. */
void wf_streams_stop(void);

/* Index of the stream named name, or -1. */
int wf_stream_index(const char *name);

#endif
