/* streams.h: streams and their owners, set up by the slow path.
 *
 * A stream lives in a slot of wf_app.streams[], found by name; slots are
 * stable while the stream exists (a reload does not move them) and are
 * reused only once no viewer of the old stream is left anywhere. */
#ifndef WF_STREAMS_H
#define WF_STREAMS_H

#include <stdint.h>

#include "core/app.h"
#include "core/stream_state.h"
#include "conf/conf.h"

/* Starts one stream: a free slot, an owner worker (the one owning the
 * fewest streams), its history handed to the owner in a control message
 * (ctrlq.h).  When the owner's reply comes (the event loop's next passes)
 * the stream is active: its ingest ports map to it (RTP on each track's
 * port, the source's RTCP on port + 1 when that port is free) and
 * telemetry shows it.  A message that finds no room (the control pool
 * or the owner's ring full) waits for wf_streams_poll().  A WHIP
 * stream maps no port: its publisher's packets reach the owner through
 * the peer table (registry.h).  Returns the slot or -errno (no free
 * slot, no memory for the history). */
int wf_stream_start(const struct wf_config_stream *cs);

/* Stops stream slot: its ingest ports stop mapping at once, and its
 * owner gives the history back (freed when the reply comes; the slot is
 * free then).  A stream still starting stops once started.  Its viewers
 * must be gone or going. */
void wf_stream_stop(unsigned slot);

/* How long setup and teardown wait for the workers (below). */
#define WF_STREAMS_WAIT_MS	1000

/* A poller of the event loop (ev.h): sends the starts and stops that
 * found no room, as soon as there is; returns how many it sent. */
unsigned wf_streams_poll(void);

/* Before the event loop runs: starts every stream of cfg and waits for the
 * owners to take them.  0 or -errno. */
int wf_streams_start(const struct wf_config *cfg);

/* After the event loop: stops every stream and waits for the owners to
 * give them back. */
void wf_streams_stop(void);

/* Slot of the stream named name, started or starting (not one stopping),
 * or -1.  The slow path's. */
int wf_stream_index(const char *name);

/* For any thread: track t of the stream in slot as its owner published
 * it (every 10 ms, history.h) for this very start of the slot, into *out.
 * 0, -ENOENT (no stream, no such track, nothing published for this start
 * yet) or -EBUSY (a writer kept the record busy).  Never a pointer into
 * the owner's state, which a stop frees. */
int wf_stream_track(unsigned slot, unsigned t, struct wf_track_view *out);

/* Which start of slot holds it now (started, starting or stopping), 0
 * while the slot is free: what is attached to a slot (an output) keeps
 * it to notice that its stream is gone and the slot serves another. */
uint32_t wf_stream_gen(unsigned slot);

/* Applies cs's sources and source_timeout_ms to the stream in slot
 * (started or starting): the owner sees the new table from its next packet on.  Waits for
 * the workers' quiescent states (microseconds) so the table it replaced
 * is free to be written by the next call. */
void wf_stream_set_sources(unsigned slot, const struct wf_config_stream *cs);

/* Stream slot's publisher is asked for cs->max_bitrate_kbps from its
 * owner's next receiver report on (a reload's WF_CONF_STREAM_BITRATE). */
void wf_stream_set_bitrate(unsigned slot, const struct wf_config_stream *cs);

/* A stream as telemetry shows it: the slow path publishes a copy (pub.h)
 * when the stream starts and clears it when it stops; its tracks' figures
 * are what the owner publishes with the same gen (history.h). */
struct wf_stream_view {
	char name[WF_CONF_NAME_LEN + 1];	/* "" = no stream in the slot */
	uint32_t gen;			/* this start of the slot, never 0 */
	uint8_t owner;			/* worker index */
	uint8_t n_tracks;
	uint8_t whip;			/* ingest = "whip" */
	uint8_t kind[WF_MAX_TRACKS];	/* enum wf_conf_kind */
};

/* For any thread (telemetry).  The stream published in slot into *out:
 * 0, -ENOENT (none), -EBUSY (rewritten all the time the reader tried). */
int wf_stream_view(unsigned slot, struct wf_stream_view *out);

/* The slot of the published stream named name (its view in *out), or
 * -ENOENT. */
int wf_stream_view_find(const char *name, struct wf_stream_view *out);

#endif
