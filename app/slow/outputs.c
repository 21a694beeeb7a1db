/* outputs.c: static outputs (outputs.h). */
#include "slow/outputs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_random.h>

#include <openssl/crypto.h>

#include "core/app.h"
#include "core/log.h"
#include "core/peer.h"
#include "core/viewer.h"
#include "slow/arp.h"
#include "slow/ev.h"
#include "slow/registry.h"
#include "slow/streams.h"

struct output {
	bool used;
	uint16_t stream;
	uint32_t stream_gen;	/* wf_stream_gen() of its stream when added */
	struct wf_config_output cfg;	/* a copy: reloads replace the file's */
	bool active;
	bool warned;
	struct rte_ether_addr mac;	/* the next hop's, while active */
	uint64_t arp_gen;		/* wf_arp_generation() when mac was looked at */
	uint64_t follow_tsc;		/* when it last followed a new MAC */
	unsigned worker;
	uint32_t slot;
	uint16_t gen;
};

static struct output *outs;
static unsigned n_outs;
static struct wf_srtp_engine *engine;	/* derives keys; same managers as workers */

static unsigned cap_outs;
/* what wf_outputs_count() tells: kept here because a telemetry thread may
 * ask while a reload reallocates outs */
static unsigned n_used, n_active;

#define TICK_MS	100	/* how often outputs look at ARP */

static struct wf_ev_timer tick_timer;
static void tick(struct wf_ev_timer *t, uint64_t now);

int wf_outputs_init(const struct wf_config *cfg)
{
	unsigned s;
	int rc;

	cap_outs = WF_CONF_MAX_STREAMS * 4;
	outs = calloc(cap_outs, sizeof(*outs));
	engine = wf_srtp_engine_create(wf_app.srtp_arch);
	if (!outs || !engine)
		return -ENOMEM;
	n_outs = n_used = n_active = 0;
	wf_ev_timer_init(&tick_timer, tick);
	if (wf_ev_timer_arm(&tick_timer, rte_rdtsc()) < 0)
		return -ENOSPC;
	for (s = 0; s < cfg->n_streams; s++) {
		int slot = wf_stream_index(cfg->streams[s].name);

		if (slot < 0)
			continue;
		rc = wf_outputs_add((unsigned)slot, &cfg->streams[s]);
		if (rc)
			return rc;
	}
	return 0;
}

int wf_outputs_add(unsigned slot, const struct wf_config_stream *cs)
{
	unsigned o, i;

	for (o = 0; o < cs->n_outputs; o++) {
		for (i = 0; i < cap_outs && outs[i].used; i++)
			;
		if (i == cap_outs) {
			struct output *bigger = realloc(outs, sizeof(*outs) * cap_outs * 2);

			if (!bigger)
				return -ENOMEM;
			memset(bigger + cap_outs, 0, sizeof(*outs) * cap_outs);
			outs = bigger;
			cap_outs *= 2;
		}
		memset(&outs[i], 0, sizeof(outs[i]));
		outs[i].used = true;
		n_used++;
		outs[i].stream = (uint16_t)slot;
		outs[i].stream_gen = wf_stream_gen(slot);
		outs[i].cfg = cs->outputs[o];
		if (i >= n_outs)
			n_outs = i + 1;
	}
	return 0;
}

static void output_drop(struct output *o)
{
	if (o->active)
		wf_registry_remove(o->worker, o->slot, o->gen);
	n_used--;
	n_active -= o->active;
	OPENSSL_cleanse(&o->cfg, sizeof(o->cfg));
	memset(o, 0, sizeof(*o));
}

void wf_outputs_remove(unsigned slot)
{
	unsigned i;

	for (i = 0; i < n_outs; i++)
		if (outs[i].used && outs[i].stream == slot)
			output_drop(&outs[i]);
}

/* Fills viewer v for output o through port_idx to mac, vo with what its
 * copies read and write and srtp_out with their SRTP key (zero for plain
 * RTP). */
static int make_viewer(struct wf_viewer *v, struct wf_viewer_out *vo,
		       struct wf_srtp_keys *srtp_out, const struct output *o, unsigned port_idx,
		       const struct rte_ether_addr *mac)
{
	const struct wf_config_output *co = &o->cfg;
	const struct wf_stream *s = &wf_app.streams[o->stream];
	unsigned t;

	memset(v, 0, sizeof(*v));
	memset(vo, 0, sizeof(*vo));
	memset(srtp_out, 0, sizeof(*srtp_out));
	v->stream = o->stream;
	vo->srtp = co->srtp;
	v->cname_hash = (uint32_t)rte_rand();
	wf_registry_template(v, vo, port_idx, mac, co->addr, co->port);
	if (co->srtp) {
		const struct wf_srtp_suite *su = wf_srtp_suite(co->profile);
		const uint8_t *k = co->key, *salt = co->key + su->master_key_len;
		int rc;

		/* RFC 4568 SDES: one master key for SRTP and SRTCP; each side
		 * uses it for what it sends, with its own SSRCs */
		rc = wf_srtp_keys_derive(engine, srtp_out, co->profile, WF_SRTP_KIND_RTP, k,
					 su->master_key_len, salt, su->master_salt_len);
		if (!rc)
			rc = wf_srtp_keys_derive(engine, &v->srtcp_out, co->profile, WF_SRTP_KIND_RTCP,
						 k, su->master_key_len, salt, su->master_salt_len);
		if (!rc)
			v->srtcp_in = v->srtcp_out;
		if (rc) {
			wf_viewer_keys_wipe(v, srtp_out);
			return -EINVAL;
		}
	}
	for (t = 0; t < s->n_tracks; t++) {
		struct wf_viewer_track *vt = &vo->trk[t];

		vt->state = WF_VT_WAIT;
		vt->pt = s->tracks[t].pt;
		vt->ssrc = (uint32_t)rte_rand();
		/* RFC 3550 §5.1: the first sequence number is random */
		vt->next_index = rte_rand() & 0x7fff;
	}
	return 0;
}

/* An active output's next hop answered ARP with another MAC (a gateway
 * that failed over, a receiver replaced): its worker gets the new header.
 * Looked at only when a known neighbour's MAC changed, and followed at
 * most once a second (a neighbour flipping between two MACs costs one
 * control message a second per output). */
static void follow_next_hop(struct output *o)
{
	uint64_t gen = wf_arp_generation(), now = rte_rdtsc();
	struct rte_ether_addr mac;
	uint32_t hop;
	int rc;

	if (gen == o->arp_gen || (o->follow_tsc && now - o->follow_tsc < wf_app.tsc_hz))
		return;
	o->arp_gen = gen;
	if (!wf_arp_next_hop(0, o->cfg.addr, &hop) || !wf_arp_lookup(0, hop, &mac) ||
	    rte_is_same_ether_addr(&mac, &o->mac))
		return;
	o->follow_tsc = now;
	rc = wf_registry_move(o->worker, o->slot, o->gen, 0, &mac, o->cfg.addr, o->cfg.port);
	if (rc) {
		WF_LOG(ERR, "output %u.%u.%u.%u: cannot follow its next hop's new MAC: %s\n",
		       o->cfg.addr >> 24, (o->cfg.addr >> 16) & 255, (o->cfg.addr >> 8) & 255,
		       o->cfg.addr & 255, strerror(-rc));
		return;
	}
	rte_ether_addr_copy(&mac, &o->mac);
	WF_LOG(NOTICE, "output %u.%u.%u.%u: next hop now at " RTE_ETHER_ADDR_PRT_FMT "\n",
	       o->cfg.addr >> 24, (o->cfg.addr >> 16) & 255, (o->cfg.addr >> 8) & 255,
	       o->cfg.addr & 255, RTE_ETHER_ADDR_BYTES(&mac));
}

/* Every TICK_MS: activates outputs whose next hop resolved, and has
 * active ones follow a next hop's new MAC. */
static void tick(struct wf_ev_timer *t, uint64_t now)
{
	static struct wf_viewer v;	/* 2.5 KiB: not on the stack */
	static struct wf_viewer_out vo;
	static struct wf_srtp_keys srtp_out;
	unsigned i;

	wf_ev_timer_arm(t, now + TICK_MS * wf_app.tsc_hz / 1000);
	for (i = 0; i < n_outs; i++) {
		struct output *o = &outs[i];
		struct rte_ether_addr mac;
		uint32_t hop;
		int rc;

		if (o->used && wf_stream_gen(o->stream) != o->stream_gen) {
			/* its stream is gone (an owner refused it) and the slot
			 * free or another's: never another stream's output */
			WF_LOG(NOTICE, "output %u.%u.%u.%u:%u: its stream is gone, removed\n",
			       o->cfg.addr >> 24, (o->cfg.addr >> 16) & 255,
			       (o->cfg.addr >> 8) & 255, o->cfg.addr & 255, o->cfg.port);
			output_drop(o);
			continue;
		}
		if (o->used && o->active) {
			follow_next_hop(o);
			continue;
		}
		if (!o->used || !wf_stream_is_active(&wf_app.streams[o->stream]))
			continue;
		/* the first port whose subnet or gateway reaches it */
		if (!wf_arp_next_hop(0, o->cfg.addr, &hop)) {
			if (!o->warned)
				WF_LOG(ERR, "output %u.%u.%u.%u: no route (not on-link, no gateway)\n",
				       o->cfg.addr >> 24, (o->cfg.addr >> 16) & 255,
				       (o->cfg.addr >> 8) & 255, o->cfg.addr & 255);
			o->warned = true;
			continue;
		}
		if (!wf_arp_resolve(0, hop, &mac))
			continue;
		if (make_viewer(&v, &vo, &srtp_out, o, 0, &mac) < 0)
			continue;
		rc = wf_registry_place(&o->worker, &o->slot, &o->gen);
		if (!rc)
			rc = wf_registry_add(o->worker, o->slot, o->gen, WF_PEER_NO_TAG, &v, &vo,
					     &srtp_out);
		wf_viewer_keys_wipe(&v, &srtp_out);
		if (rc) {
			WF_LOG(ERR, "output: cannot add viewer: %s\n", strerror(-rc));
			continue;
		}
		o->active = true;
		rte_ether_addr_copy(&mac, &o->mac);
		o->arp_gen = wf_arp_generation();
		n_active++;
		WF_LOG(INFO, "stream %s: output %u.%u.%u.%u:%u active on worker %u\n",
		       wf_app.streams[o->stream].name, o->cfg.addr >> 24, (o->cfg.addr >> 16) & 255,
		       (o->cfg.addr >> 8) & 255, o->cfg.addr & 255, o->cfg.port, o->worker);
	}
}

void wf_outputs_stop(void)
{
	unsigned i;

	wf_ev_timer_stop(&tick_timer);
	for (i = 0; outs && i < n_outs; i++)
		if (outs[i].used)
			wf_outputs_remove(outs[i].stream);
	wf_srtp_engine_free(engine);
	engine = NULL;
	free(outs);
	outs = NULL;
	n_outs = 0;
}

unsigned wf_outputs_count(bool active_only)
{
	/* plain reads of the slow path's counters, not of outs */
	return active_only ? n_active : n_used;
}
