/* streams.c: stream set-up on the slow path (streams.h). */
#include "streams.h"

#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "app.h"
#include "history.h"
#include "log.h"
#include "slowpath.h"

static struct wf_stream_state *state_create(const struct wf_config_stream *cs, unsigned id)
{
	struct wf_stream_state *st = rte_zmalloc("wf_stream", sizeof(*st), RTE_CACHE_LINE_SIZE);
	unsigned t;

	if (!st)
		return NULL;
	st->id = (uint16_t)id;
	st->n_tracks = (uint8_t)cs->n_tracks;
	for (t = 0; t < cs->n_tracks; t++) {
		uint32_t n = wf_history_slots_for(cs->tracks[t].kind, cs->history_ms);
		struct wf_track_state *ts = &st->t[t];

		ts->slots = rte_zmalloc("wf_history", sizeof(*ts->slots) * n, RTE_CACHE_LINE_SIZE);
		if (!ts->slots)
			goto fail;
		ts->mask = n - 1;
		ts->window_tsc = wf_app.tsc_hz / 1000 * cs->history_ms;
	}
	return st;
fail:
	for (t = 0; t < cs->n_tracks; t++)
		rte_free(st->t[t].slots);
	rte_free(st);
	return NULL;
}

static void state_free(struct wf_stream_state *st)
{
	unsigned t;

	if (!st)
		return;
	for (t = 0; t < st->n_tracks; t++)
		rte_free(st->t[t].slots);
	rte_free(st);
}

int wf_streams_start(const struct wf_config *cfg)
{
	unsigned i, t;

	for (i = 0; i < cfg->n_streams; i++) {
		const struct wf_config_stream *cs = &cfg->streams[i];
		struct wf_stream *s = &wf_app.streams[i];
		struct wf_ctrl_msg *msg;
		struct wf_stream_state *st;
		int rc;

		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", cs->name);
		s->owner = (uint8_t)(i % wf_app.n_workers);
		s->n_tracks = (uint8_t)cs->n_tracks;
		s->history_ms = cs->history_ms;
		for (t = 0; t < cs->n_tracks; t++) {
			s->tracks[t].kind = (uint8_t)cs->tracks[t].kind;
			s->tracks[t].codec = (uint8_t)cs->tracks[t].codec;
			s->tracks[t].pt = cs->tracks[t].payload_type;
			s->tracks[t].clock_rate = cs->tracks[t].clock_rate;
			s->tracks[t].port = cs->tracks[t].port;
			rte_seqlock_init(&s->clock[t].lock);
		}
		st = state_create(cs, i);
		msg = st ? wf_ctrl_alloc(WF_CTRL_ADD_STREAM) : NULL;
		if (!msg) {
			state_free(st);
			WF_LOG(ERR, "stream %s: out of memory for its history\n", cs->name);
			return -ENOMEM;
		}
		msg->stream = (uint16_t)i;
		msg->state = st;
		rc = wf_ctrl_call(s->owner, msg);
		if (rc) {
			WF_LOG(ERR, "stream %s: worker %u refused it: %s\n", cs->name, s->owner,
			       strerror(-rc));
			if (rc != -ETIMEDOUT) {
				wf_ctrl_free(msg);
				state_free(st);
			}
			return rc;
		}
		wf_ctrl_free(msg);
		for (t = 0; t < cs->n_tracks; t++) {
			uint16_t port = cs->tracks[t].port;
			uint16_t val = (uint16_t)(i * 2 + t + 1);

			wf_app.ingest_map[port] = val;
		}
		/* the source's RTCP, RFC 3550 §11: the next port, when free */
		for (t = 0; t < cs->n_tracks; t++) {
			uint16_t rtcp = (uint16_t)(cs->tracks[t].port + 1);

			if (rtcp && !wf_app.ingest_map[rtcp] && rtcp != wf_app.webrtc_port)
				wf_app.ingest_map[rtcp] = (uint16_t)(i * 2 + t + 1);
		}
		s->active = 1;
		WF_LOG(INFO, "stream %s: owner worker %u, %u tracks\n", cs->name, s->owner,
		       cs->n_tracks);
	}
	return 0;
}

void wf_streams_stop(void)
{
	unsigned i;

	memset(wf_app.ingest_map, 0, sizeof(wf_app.ingest_map));
	for (i = 0; i < WF_MAX_STREAMS; i++) {
		struct wf_stream *s = &wf_app.streams[i];
		struct wf_ctrl_msg *msg;

		if (!s->active)
			continue;
		s->active = 0;
		msg = wf_ctrl_alloc(WF_CTRL_DEL_STREAM);
		if (!msg)
			continue;
		msg->stream = (uint16_t)i;
		if (wf_ctrl_call(s->owner, msg) == 0) {
			state_free(msg->state);
			wf_ctrl_free(msg);
		}
	}
}

int wf_stream_index(const char *name)
{
	unsigned i;

	for (i = 0; i < WF_MAX_STREAMS; i++)
		if (wf_app.streams[i].active && !strcmp(wf_app.streams[i].name, name))
			return (int)i;
	return -1;
}
