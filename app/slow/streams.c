/* streams.c: stream set-up on the slow path (streams.h). */
#include "slow/streams.h"

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "core/app.h"
#include "core/lcore.h"
#include "core/log.h"
#include "core/pub.h"
#include "core/stream_state.h"
#include "slow/ctrlq.h"
#include "slow/mbufs.h"
#include "slow/registry.h"

/* What telemetry reads of each slot (streams.h); static, never freed. */
static struct {
	rte_seqcount_t sc;
	struct wf_stream_view v;
} views[WF_MAX_STREAMS];

static uint32_t last_gen;	/* the slow path's: the last stream start */

/* Publishes slot's stream (s NULL: clears the slot). */
static void view_publish(unsigned slot, const struct wf_stream *s, uint32_t gen)
{
	struct wf_stream_view v;
	unsigned t;

	memset(&v, 0, sizeof(v));
	if (s) {
		memcpy(v.name, s->name, sizeof(v.name));
		v.gen = gen;
		v.owner = s->owner;
		v.n_tracks = s->n_tracks;
		v.whip = s->whip;
		for (t = 0; t < s->n_tracks && t < WF_MAX_TRACKS; t++)
			v.kind[t] = s->tracks[t].kind;
	}
	wf_pub_write(&views[slot].sc, &views[slot].v, &v, sizeof(v));
}

int wf_stream_view(unsigned slot, struct wf_stream_view *out)
{
	if (slot >= WF_MAX_STREAMS)
		return -ENOENT;
	if (!wf_pub_read(&views[slot].sc, &views[slot].v, out, sizeof(*out)))
		return -EBUSY;
	return out->name[0] ? 0 : -ENOENT;
}

int wf_stream_track(unsigned slot, unsigned t, struct wf_track_view *out)
{
	struct wf_stream_view sv;
	const struct wf_lcore *owner;
	int rc = wf_stream_view(slot, &sv);

	if (rc)
		return rc;
	owner = wf_lcore_get(sv.owner);
	if (!owner || t >= sv.n_tracks || t >= WF_MAX_TRACKS)
		return -ENOENT;
	if (!wf_pub_read(&owner->tel[slot][t].sc, &owner->tel[slot][t].v, out, sizeof(*out)))
		return -EBUSY;
	return out->stream_gen == sv.gen ? 0 : -ENOENT;
}

int wf_stream_view_find(const char *name, struct wf_stream_view *out)
{
	unsigned i;

	for (i = 0; i < WF_MAX_STREAMS; i++)
		if (wf_stream_view(i, out) == 0 && !strcmp(out->name, name))
			return (int)i;
	return -ENOENT;
}

/* ingest_map entries: only this file writes them, workers read them with
 * wf_ingest_map_get() (acquire). */
static void map_set(uint16_t port, uint16_t v)
{
	/* release: the stream's descriptor (its owner) and the owner's state
	 * are in place before a worker routes a packet by this entry */
	__atomic_store_n(&wf_app.ingest_map[port], v, __ATOMIC_RELEASE);
}

static void map_clear(uint16_t port)
{
	/* relaxed: a 0 publishes nothing (the worker drops the packet) */
	__atomic_store_n(&wf_app.ingest_map[port], 0, __ATOMIC_RELAXED);
}

static struct wf_stream_state *state_create(const struct wf_config_stream *cs, unsigned id,
					    uint32_t gen)
{
	struct wf_stream_state *st = rte_zmalloc("wf_stream", sizeof(*st), RTE_CACHE_LINE_SIZE);
	uint32_t rings[WF_CONF_MAX_TRACKS];
	unsigned t;

	if (!st)
		return NULL;
	st->id = (uint16_t)id;
	st->gen = gen;
	st->n_tracks = (uint8_t)cs->n_tracks;
	wf_mbufs_rings(cs, rings);
	for (t = 0; t < cs->n_tracks; t++) {
		uint32_t n = rings[t];
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

/* The slow path's own state of each slot, apart from wf_app.streams[]
 * (which workers read): a start and a stop are control messages to the
 * owner, and the slot changes state when the owner's reply comes. */
enum slot_state {
	SLOT_FREE,
	SLOT_STARTING,	/* ADD_STREAM sent, or waiting to be sent */
	SLOT_ACTIVE,
	SLOT_STOPPING,	/* DEL_STREAM sent, or waiting to be sent */
};

/* A control message that finds no room (the control pool empty: a reload
 * that ends hundreds of sessions takes it for a moment; or the owner's
 * ring full) waits in its slot, and wf_streams_poll(), a poller of the
 * loop that runs before the registry's, sends it as soon as there is room:
 * no timer (the loop's room does not depend on how many streams wait),
 * and no queue of viewers' messages goes ahead of a stream's. */
static unsigned n_unsent;	/* slots whose message waits */

static struct slot {
	uint8_t state;
	bool stop_wanted;	/* stopped while starting: stops when started */
	bool unsent;		/* its ADD_STREAM or DEL_STREAM waits (n_unsent) */
	uint32_t gen;		/* this start of the slot; 0 while free */
	struct wf_stream_state *st;	/* the history, until ADD_STREAM is sent */
} slots[WF_MAX_STREAMS];

static bool slot_started(unsigned i)
{
	return slots[i].state == SLOT_STARTING || slots[i].state == SLOT_ACTIVE;
}

static void set_unsent(unsigned i, bool unsent)
{
	n_unsent = n_unsent - slots[i].unsent + unsent;
	slots[i].unsent = unsent;
}

static void slot_free(unsigned i)
{
	set_unsent(i, false);
	memset(&slots[i], 0, sizeof(slots[i]));
}

/* Worker owning the fewest streams, started or starting. */
static unsigned least_loaded_owner(void)
{
	unsigned owned[WF_MAX_WORKERS] = { 0 }, i, best = 0;

	for (i = 0; i < WF_MAX_STREAMS; i++)
		if (slot_started(i))
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
		if (slots[i].state == SLOT_FREE && !wf_registry_stream_viewers(i))
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

static void stream_added(struct wf_ctrl_msg *msg);
static void stream_deleted(struct wf_ctrl_msg *msg);

/* Sends the owner of slot the message its state calls for: ADD_STREAM
 * with the history while starting, DEL_STREAM while stopping.  Without
 * room it waits for wf_streams_poll().  True when sent. */
static bool send_ctrl(unsigned slot)
{
	struct slot *sl = &slots[slot];
	bool add = sl->state == SLOT_STARTING;
	struct wf_ctrl_msg *msg = wf_ctrl_alloc(add ? WF_CTRL_ADD_STREAM : WF_CTRL_DEL_STREAM);

	if (msg) {
		msg->stream = (uint16_t)slot;
		msg->state = add ? sl->st : NULL;
		if (wf_ctrl_send(wf_app.streams[slot].owner, msg,
				 add ? stream_added : stream_deleted) == 0) {
			set_unsent(slot, false);
			sl->st = NULL;	/* the owner's now; the reply brings it back */
			return true;
		}
		wf_ctrl_free(msg);
	}
	set_unsent(slot, true);
	return false;
}

unsigned wf_streams_poll(void)
{
	unsigned i, sent = 0;

	for (i = 0; n_unsent && i < WF_MAX_STREAMS; i++)
		if (slots[i].unsent && send_ctrl(i))
			sent++;
	return sent;
}

/* The owner gave the stream's state back: the slot is free (for a new
 * stream once its viewers are gone, free_slot()). */
static void stream_deleted(struct wf_ctrl_msg *msg)
{
	unsigned slot = msg->stream;

	if (msg->status == 0)
		state_free(msg->state);
	else
		WF_LOG(ERR, "stream %s: worker %u could not give it back: %s\n",
		       wf_app.streams[slot].name, msg->worker, strerror(-msg->status));
	slot_free(slot);
	WF_LOG(INFO, "stream %s: stopped\n", wf_app.streams[slot].name);
}

/* The owner took the stream's state: its ports map to it, it is active. */
static void stream_added(struct wf_ctrl_msg *msg)
{
	unsigned slot = msg->stream, t;
	struct wf_stream *s = &wf_app.streams[slot];

	if (msg->status) {
		WF_LOG(ERR, "stream %s: worker %u refused it: %s\n", s->name, s->owner,
		       strerror(-msg->status));
		state_free(msg->state);
		slot_free(slot);
		return;
	}
	if (slots[slot].stop_wanted) {
		slots[slot].state = SLOT_STOPPING;
		send_ctrl(slot);
		return;
	}
	/* a WHIP stream's tracks have no port (0): its media comes from its
	 * publisher on the WebRTC port, routed by the peer table */
	for (t = 0; t < s->n_tracks; t++)
		if (s->tracks[t].port)
			map_set(s->tracks[t].port, wf_ingest_map_entry(slot, t));
	/* the source's RTCP, RFC 3550 §11: the next port, when free */
	for (t = 0; t < s->n_tracks; t++) {
		uint16_t rtcp = (uint16_t)(s->tracks[t].port + 1);

		if (s->tracks[t].port && rtcp && !wf_app.ingest_map[rtcp] && rtcp != wf_app.webrtc_port)
			map_set(rtcp, wf_ingest_map_entry(slot, t));
	}
	/* release: the descriptor is complete before a worker that reads
	 * active (wf_stream_is_active, acquire) looks at it */
	__atomic_store_n(&s->active, 1, __ATOMIC_RELEASE);
	slots[slot].state = SLOT_ACTIVE;
	view_publish(slot, s, msg->state->gen);
	WF_LOG(INFO, "stream %s: slot %u, owner worker %u, %u tracks\n", s->name, slot, s->owner,
	       s->n_tracks);
}

int wf_stream_start(const struct wf_config_stream *cs)
{
	struct wf_stream_state *st;
	struct wf_stream *s;
	unsigned t;
	int slot;

	slot = free_slot();
	if (slot < 0) {
		WF_LOG(ERR, "stream %s: no free stream slot\n", cs->name);
		return slot;
	}
	s = &wf_app.streams[slot];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", cs->name);
	s->owner = (uint8_t)least_loaded_owner();
	s->n_tracks = (uint8_t)cs->n_tracks;
	s->whip = cs->ingest == WF_CONF_INGEST_WHIP;
	s->history_ms = cs->history_ms;
	s->max_bitrate_bps = cs->max_bitrate_kbps * 1000u;
	sources_fill(&s->src_tab[0], cs);
	for (t = 0; t < cs->n_tracks; t++) {
		s->tracks[t].kind = (uint8_t)cs->tracks[t].kind;
		s->tracks[t].codec = (uint8_t)cs->tracks[t].codec;
		s->tracks[t].pt = cs->tracks[t].payload_type;
		s->tracks[t].clock_rate = cs->tracks[t].clock_rate;
		s->tracks[t].port = cs->tracks[t].port;
		rte_seqlock_init(&s->clock[t].lock);
	}
	if (++last_gen == 0)
		last_gen = 1;	/* 0 means "nothing published" */
	st = state_create(cs, (unsigned)slot, last_gen);
	if (!st) {
		WF_LOG(ERR, "stream %s: out of memory for its history\n", cs->name);
		return -ENOMEM;
	}
	slots[slot] = (struct slot){ .state = SLOT_STARTING, .gen = last_gen, .st = st };
	send_ctrl((unsigned)slot);
	return slot;
}

void wf_stream_stop(unsigned slot)
{
	struct wf_stream *s;
	unsigned p;

	if (slot >= WF_MAX_STREAMS)
		return;
	s = &wf_app.streams[slot];
	if (slots[slot].state == SLOT_STARTING && slots[slot].unsent) {
		state_free(slots[slot].st);	/* never sent: the owner never had it */
		slot_free(slot);
		return;
	}
	if (slots[slot].state == SLOT_STARTING) {
		slots[slot].stop_wanted = true;	/* stream_added() stops it */
		return;
	}
	if (slots[slot].state != SLOT_ACTIVE)
		return;
	/* relaxed: a 0 publishes nothing; a worker that still sees 1 uses
	 * the state it owns until DEL_STREAM takes it back */
	__atomic_store_n(&s->active, 0, __ATOMIC_RELAXED);
	view_publish(slot, NULL, 0);
	for (p = 0; p < RTE_DIM(wf_app.ingest_map); p++) {
		uint16_t v = wf_app.ingest_map[p];

		if (v && wf_ingest_map_stream(v) == slot)
			map_clear((uint16_t)p);
	}
	slots[slot].state = SLOT_STOPPING;
	send_ctrl(slot);
}

/* Before and after the event loop: sends what waits for room and takes
 * the owners' replies until nothing waits or is outstanding, or
 * timeout_ms passed (-ETIMEDOUT). */
static int settle(unsigned timeout_ms)
{
	uint64_t deadline = rte_rdtsc() + wf_app.tsc_hz / 1000 * timeout_ms;

	for (;;) {
		wf_streams_poll();
		wf_ctrl_replies();
		if (!n_unsent && !wf_ctrl_outstanding())
			return 0;
		if (rte_rdtsc() > deadline)
			return -ETIMEDOUT;
		rte_pause();
	}
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
	rc = settle(WF_STREAMS_WAIT_MS);
	for (i = 0; !rc && i < cfg->n_streams; i++) {
		int slot = wf_stream_index(cfg->streams[i].name);

		if (slot < 0 || slots[slot].state != SLOT_ACTIVE)
			rc = -EIO;	/* refused: logged by stream_added() */
	}
	if (rc == -ETIMEDOUT)
		WF_LOG(ERR, "streams: the workers did not take them in %u ms\n",
		       WF_STREAMS_WAIT_MS);
	return rc;
}

void wf_streams_stop(void)
{
	unsigned i;

	for (i = 0; i < WF_MAX_STREAMS; i++)
		wf_stream_stop(i);
	if (settle(WF_STREAMS_WAIT_MS) < 0)
		WF_LOG(ERR, "streams: the workers did not give them back in %u ms\n",
		       WF_STREAMS_WAIT_MS);
}

void wf_stream_set_sources(unsigned slot, const struct wf_config_stream *cs)
{
	struct wf_stream *s;
	uint8_t next;

	if (slot >= WF_MAX_STREAMS || !slot_started(slot))
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

void wf_stream_set_bitrate(unsigned slot, const struct wf_config_stream *cs)
{
	if (slot >= WF_MAX_STREAMS || !slot_started(slot))
		return;
	/* the owner's next report to the publisher asks for it */
	__atomic_store_n(&wf_app.streams[slot].max_bitrate_bps, cs->max_bitrate_kbps * 1000u,
			 __ATOMIC_RELAXED);
	WF_LOG(INFO, "stream %s: the publisher is asked for at most %u kbit/s\n",
	       wf_app.streams[slot].name, cs->max_bitrate_kbps);
}

uint32_t wf_stream_gen(unsigned slot)
{
	return slot < WF_MAX_STREAMS ? slots[slot].gen : 0;
}

int wf_stream_index(const char *name)
{
	unsigned i;

	for (i = 0; i < WF_MAX_STREAMS; i++)
		if (slot_started(i) && !slots[i].stop_wanted &&
		    !strcmp(wf_app.streams[i].name, name))
			return (int)i;
	return -1;
}
