/* streams.c: stream set-up on the slow path (streams.h). */
#include "streams.h"

#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "app.h"
#include "history.h"
#include "log.h"
#include "registry.h"
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

/* Worker owning the fewest active streams. */
static unsigned least_loaded_owner(void)
{
	unsigned owned[WF_MAX_WORKERS] = { 0 }, i, best = 0;

	for (i = 0; i < WF_MAX_STREAMS; i++)
		if (wf_app.streams[i].active)
			owned[wf_app.streams[i].owner]++;
	for (i = 1; i < wf_app.n_workers; i++)
		if (owned[i] < owned[best])
			best = i;
	return best;
}

/* A slot that is free and no longer has viewers of an earlier stream. */
static int free_slot(void)
{
	unsigned i;

	for (i = 0; i < WF_MAX_STREAMS; i++)
		if (!wf_app.streams[i].active && !wf_registry_stream_viewers(i))
			return (int)i;
	return -ENOSPC;
}

/* The stream's source table from its configuration. */
static void sources_fill(struct wf_stream_sources *ss, const struct wf_config_stream *cs)
{
	unsigned i;

	memset(ss, 0, sizeof(*ss));
	ss->n = (uint8_t)cs->n_sources;
	ss->timeout_tsc = wf_app.tsc_hz / 1000 * cs->source_timeout_ms;
	for (i = 0; i < cs->n_sources && i < WF_CONF_MAX_SOURCES; i++) {
		ss->net[i].addr = cs->sources[i].addr;
		ss->net[i].mask = cs->sources[i].mask;
	}
}

int wf_stream_start(const struct wf_config_stream *cs)
{
	struct wf_ctrl_msg *msg;
	struct wf_stream_state *st;
	struct wf_stream *s;
	unsigned t;
	int slot = free_slot(), rc;

	if (slot < 0) {
		WF_LOG(ERR, "stream %s: no free stream slot\n", cs->name);
		return slot;
	}
	s = &wf_app.streams[slot];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", cs->name);
	s->owner = (uint8_t)least_loaded_owner();
	s->n_tracks = (uint8_t)cs->n_tracks;
	s->history_ms = cs->history_ms;
	sources_fill(&s->src_tab[0], cs);
	for (t = 0; t < cs->n_tracks; t++) {
		s->tracks[t].kind = (uint8_t)cs->tracks[t].kind;
		s->tracks[t].codec = (uint8_t)cs->tracks[t].codec;
		s->tracks[t].pt = cs->tracks[t].payload_type;
		s->tracks[t].clock_rate = cs->tracks[t].clock_rate;
		s->tracks[t].port = cs->tracks[t].port;
		rte_seqlock_init(&s->clock[t].lock);
	}
	st = state_create(cs, (unsigned)slot);
	msg = st ? wf_ctrl_alloc(WF_CTRL_ADD_STREAM) : NULL;
	if (!msg) {
		state_free(st);
		WF_LOG(ERR, "stream %s: out of memory for its history\n", cs->name);
		return -ENOMEM;
	}
	msg->stream = (uint16_t)slot;
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
	for (t = 0; t < cs->n_tracks; t++)
		wf_app.ingest_map[cs->tracks[t].port] = (uint16_t)(slot * 2 + t + 1);
	/* the source's RTCP, RFC 3550 §11: the next port, when free */
	for (t = 0; t < cs->n_tracks; t++) {
		uint16_t rtcp = (uint16_t)(cs->tracks[t].port + 1);

		if (rtcp && !wf_app.ingest_map[rtcp] && rtcp != wf_app.webrtc_port)
			wf_app.ingest_map[rtcp] = (uint16_t)(slot * 2 + t + 1);
	}
	s->active = 1;
	WF_LOG(INFO, "stream %s: slot %d, owner worker %u, %u tracks\n", cs->name, slot, s->owner,
	       cs->n_tracks);
	return slot;
}

void wf_stream_stop(unsigned slot)
{
	struct wf_stream *s = &wf_app.streams[slot];
	struct wf_ctrl_msg *msg;
	unsigned p, t;

	if (slot >= WF_MAX_STREAMS || !s->active)
		return;
	s->active = 0;
	for (p = 0; p < RTE_DIM(wf_app.ingest_map); p++) {
		uint16_t v = wf_app.ingest_map[p];

		for (t = 0; t < WF_MAX_TRACKS; t++)
			if (v == slot * 2 + t + 1)
				wf_app.ingest_map[p] = 0;
	}
	msg = wf_ctrl_alloc(WF_CTRL_DEL_STREAM);
	if (!msg)
		return;
	msg->stream = (uint16_t)slot;
	if (wf_ctrl_call(s->owner, msg) == 0) {
		state_free(msg->state);
		wf_ctrl_free(msg);
	}
	WF_LOG(INFO, "stream %s: stopped\n", s->name);
}

int wf_streams_start(const struct wf_config *cfg)
{
	unsigned i;
	int rc;

	for (i = 0; i < cfg->n_streams; i++) {
		rc = wf_stream_start(&cfg->streams[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void wf_streams_stop(void)
{
	unsigned i;

	for (i = 0; i < WF_MAX_STREAMS; i++)
		wf_stream_stop(i);
	memset(wf_app.ingest_map, 0, sizeof(wf_app.ingest_map));
}

void wf_stream_set_sources(unsigned slot, const struct wf_config_stream *cs)
{
	struct wf_stream *s;
	uint8_t next;

	if (slot >= WF_MAX_STREAMS || !wf_app.streams[slot].active)
		return;
	s = &wf_app.streams[slot];
	next = (uint8_t)(s->src_cur ^ 1);
	sources_fill(&s->src_tab[next], cs);
	/* the owner reads the table through src_cur (load-acquire) */
	__atomic_store_n(&s->src_cur, next, __ATOMIC_RELEASE);
	/* no worker still reads the old table once each has passed a
	 * quiescent state: the next call may write it */
	rte_rcu_qsbr_synchronize(wf_app.qsbr, RTE_QSBR_THRID_INVALID);
	WF_LOG(INFO, "stream %s: %u source networks, takeover after %u ms of silence\n",
	       s->name, cs->n_sources, cs->source_timeout_ms);
}

int wf_stream_index(const char *name)
{
	unsigned i;

	for (i = 0; i < WF_MAX_STREAMS; i++)
		if (wf_app.streams[i].active && !strcmp(wf_app.streams[i].name, name))
			return (int)i;
	return -1;
}
