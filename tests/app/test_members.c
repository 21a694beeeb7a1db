/* test_members.c: a worker's dense lists of each stream's viewers
 * (lc->members, app/fast/apply.c), which the fan-out walks.  Viewers come
 * and go in a random order over streams at both ends of the range; after
 * every message each stream's range holds exactly its viewers, the ranges
 * follow each other without a gap, and each viewer knows its cell; each
 * cell's key (lc->member_keys) and copies' state (lc->member_out) are its
 * viewer's, cells past the last range hold neither, every change of the
 * cells is inside a write of members_sc (what telemetry checks), and no
 * message goes back with a key in it; refused and stale messages leave
 * them as they were, and a peer change takes only the new destination.
 * EAL runs with --no-huge and no devices; the test is worker 0. */
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "wf_test.h"

#include "core/app.h"
#include "core/ctrl.h"
#include "core/lcore.h"
#include "fast/apply.h"

#define SLOTS	64
static const uint16_t streams[] = { 0, 1, 7, 200, WF_MAX_STREAMS - 1 };
#define N_STREAMS	(sizeof(streams) / sizeof(streams[0]))

static struct wf_lcore *lc;
static int model[SLOTS];	/* the stream of each slot's viewer, -1: free */
static uint16_t gen[SLOTS];
static struct wf_viewer_out want_out[SLOTS];	/* each slot's viewer's cell state */

static bool setup(void)
{
	char *args[] = { "test_members", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
			 "--log-level", "error", "--file-prefix", "wftmb" };
	unsigned i;

	if (rte_eal_init((int)RTE_DIM(args), args) < 0)
		return false;
	wf_app.tsc_hz = rte_get_tsc_hz();
	wf_app.n_workers = 1;
	lc = rte_zmalloc("tmb_lc", sizeof(*lc), RTE_CACHE_LINE_SIZE);
	if (!lc)
		return false;
	lc->n_slots = SLOTS;
	lc->viewers = rte_zmalloc("tmb_viewers", sizeof(*lc->viewers) * SLOTS, RTE_CACHE_LINE_SIZE);
	lc->members = rte_zmalloc("tmb_members", sizeof(*lc->members) * SLOTS, 0);
	lc->member_out = rte_zmalloc("tmb_out", sizeof(*lc->member_out) * SLOTS, 0);
	lc->member_keys = rte_zmalloc("tmb_keys", sizeof(*lc->member_keys) * SLOTS,
				      RTE_CACHE_LINE_SIZE);
	lc->reply = rte_ring_create("tmb_reply", 64, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	wf_app.lc[0] = lc;
	for (i = 0; i < SLOTS; i++)
		model[i] = -1;
	return lc->viewers && lc->members && lc->member_out && lc->member_keys && lc->reply;
}

/* What the viewer in slot under generation g sends its copies with: bytes
 * and figures no other slot or generation has (its tracks off). */
static void out_of(uint32_t slot, uint16_t g, struct wf_viewer_out *o)
{
	unsigned i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < sizeof(o->hdr); i++)
		o->hdr[i] = (uint8_t)(slot + 31u * g + i);
	o->ip_csum_base = (uint16_t)(slot * 7 + g);
	o->port_idx = (uint16_t)(g & 3);
	o->srtp = 1;
	o->pkts_out = (uint64_t)slot << 32 | g;
	o->bytes_out = ~o->pkts_out;
	o->trk[0].ssrc = slot << 16 | g;
	o->trk[1].next_index = (uint64_t)g << 16 | slot;
}

/* The key the viewer in slot under generation g is added with: bytes no
 * other slot or generation has (the test never derives a real one). */
static void key_of(uint32_t slot, uint16_t g, struct wf_srtp_keys *k)
{
	unsigned i;

	for (i = 0; i < sizeof(k->opaque); i++)
		k->opaque[i] = (uint8_t)(1 + slot + 67u * g + 13u * (i % 7));
	memcpy(k->opaque, &slot, sizeof(slot));
	memcpy(k->opaque + sizeof(slot), &g, sizeof(g));
}

static bool is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

/* Applies one message and takes its reply; returns its status.  Whatever
 * the status, the reply carries no key. */
static int send_msg(struct wf_ctrl_msg *msg)
{
	void *r;

	wf_ctrl_apply(lc, &msg, 1);
	WF_CHECK(rte_ring_dequeue(lc->reply, &r) == 0 && r == msg);
	if (msg->type == WF_CTRL_ADD_VIEWER || msg->type == WF_CTRL_DEL_VIEWER)
		WF_CHECKF(is_zero(&msg->srtp_out, sizeof(msg->srtp_out)) &&
			  is_zero(&msg->viewer.srtcp_out, sizeof(msg->viewer.srtcp_out)) &&
			  is_zero(&msg->viewer.srtcp_in, sizeof(msg->viewer.srtcp_in)),
			  "message %u for slot %u came back with a key", msg->type, msg->slot);
	return msg->status;
}

/* The one message the test sends at a time, cleared for type. */
static struct wf_ctrl_msg *msg_for(uint32_t type, uint32_t slot, uint16_t g)
{
	static struct wf_ctrl_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.type = type;
	msg.slot = slot;
	msg.gen = g;
	return &msg;
}

/* The generation the worker expects of slot (0 beyond the table). */
static uint16_t gen_of(uint32_t slot)
{
	return slot < SLOTS ? gen[slot] : 0;
}

static int add(uint32_t slot, uint16_t stream)
{
	struct wf_ctrl_msg *msg = msg_for(WF_CTRL_ADD_VIEWER, slot, gen_of(slot));

	msg->viewer.stream = stream;	/* its tracks are off: no replay to ask */
	msg->viewer.gen = msg->gen;
	out_of(slot, msg->gen, &msg->out);
	key_of(slot, msg->gen, &msg->srtp_out);
	key_of(slot, (uint16_t)~msg->gen, &msg->viewer.srtcp_out);
	key_of(slot, (uint16_t)~msg->gen, &msg->viewer.srtcp_in);
	return send_msg(msg);
}

static int del_gen(uint32_t slot, uint16_t g)
{
	return send_msg(msg_for(WF_CTRL_DEL_VIEWER, slot, g));
}

static int del(uint32_t slot)
{
	return del_gen(slot, gen_of(slot));
}

/* add and del, accepted, with the model following. */
/* add and del, accepted, with the model following; each changes the
 * cells inside one write of members_sc. */
static void added(uint32_t slot, uint16_t stream)
{
	uint32_t sn = lc->members_sc.sn;

	WF_CHECK_EQ(add(slot, stream), 0);
	WF_CHECK_EQ(lc->members_sc.sn, sn + 2);
	model[slot] = stream;
	out_of(slot, gen[slot], &want_out[slot]);
}

static void removed(uint32_t slot)
{
	uint32_t sn = lc->members_sc.sn;

	WF_CHECK_EQ(del(slot), 0);
	WF_CHECK_EQ(lc->members_sc.sn, sn + 2);
	gen[slot]++;
	model[slot] = -1;
}

/* Every stream's range against the model; false at the first difference. */
static bool members_match(void)
{
	unsigned want[WF_MAX_STREAMS] = { 0 }, s, i;
	uint32_t next = 0;

	for (i = 0; i < SLOTS; i++)
		if (model[i] >= 0)
			want[model[i]]++;
	for (s = 0; s < WF_MAX_STREAMS; s++) {
		if (s >= lc->members_top) {	/* no range: never had a viewer */
			if (want[s] || lc->count[s]) {
				WF_CHECKF(0, "stream %u above the top %u: %u members, %u wanted", s,
					  lc->members_top, lc->count[s], want[s]);
				return false;
			}
			continue;
		}
		if (lc->first[s] != next) {
			WF_CHECKF(0, "stream %u starts at %u, not %u", s, lc->first[s], next);
			return false;
		}
		if (lc->count[s] != want[s]) {
			WF_CHECKF(0, "stream %u: %u members, not %u", s, lc->count[s], want[s]);
			return false;
		}
		for (i = lc->first[s]; i < lc->first[s] + lc->count[s]; i++) {
			uint32_t slot = lc->members[i];
			struct wf_srtp_keys k;

			if (slot >= SLOTS || model[slot] != (int)s || lc->viewers[slot].pos != i) {
				WF_CHECKF(0, "stream %u, cell %u: slot %u", s, i, slot);
				return false;
			}
			key_of(slot, gen[slot], &k);
			if (memcmp(&k, &lc->member_keys[i], sizeof(k))) {
				WF_CHECKF(0, "stream %u, cell %u: not slot %u's key", s, i, slot);
				return false;
			}
			if (memcmp(&want_out[slot], &lc->member_out[i], sizeof(want_out[slot]))) {
				WF_CHECKF(0, "stream %u, cell %u: not slot %u's copies' state", s,
					  i, slot);
				return false;
			}
		}
		next += lc->count[s];
	}
	WF_CHECK_EQ(next, lc->n_viewers);
	for (i = next; i < SLOTS; i++)
		if (!is_zero(&lc->member_keys[i], sizeof(lc->member_keys[i])) ||
		    !is_zero(&lc->member_out[i], sizeof(lc->member_out[i]))) {
			WF_CHECKF(0, "cell %u past the last range holds a key or a viewer", i);
			return false;
		}
	WF_CHECKF(!(lc->members_sc.sn & 1), "members_sc left odd: %u", lc->members_sc.sn);
	return true;
}

static void each_stream_holds_its_viewers_through_random_churn(void)
{
	unsigned step, live = 0;

	srand(13);
	for (step = 0; step < 4000; step++) {
		uint32_t slot = (uint32_t)rand() % SLOTS;

		if (model[slot] < 0) {
			added(slot, streams[(unsigned)rand() % N_STREAMS]);
			live++;
		} else {
			removed(slot);
			live--;
		}
		if (!members_match()) {
			WF_CHECKF(0, "after step %u", step);
			return;
		}
	}
	WF_CHECK(live > 0);
}

static void a_full_table_and_an_empty_one(void)
{
	uint32_t slot;

	for (slot = 0; slot < SLOTS; slot++)
		if (model[slot] < 0)
			added(slot, streams[slot % N_STREAMS]);
	WF_CHECK(members_match());
	WF_CHECK_EQ(lc->n_viewers, SLOTS);
	/* a viewer already there, and one removed twice: refused, no change */
	WF_CHECK(add(5, 0) != 0);
	removed(5);
	WF_CHECK(del(5) != 0);
	WF_CHECK(members_match());
	for (slot = 0; slot < SLOTS; slot++)
		if (model[slot] >= 0)
			removed(slot);
	WF_CHECK(members_match());
	WF_CHECK_EQ(lc->n_viewers, 0);
}

/* A new destination for slot's viewer (another generation's template),
 * with a stream, a cell and copies' figures that are not the peer's to
 * change: the worker takes only the template, its checksum and port. */
static void set_peer(uint32_t slot, uint16_t stream, uint32_t pos)
{
	struct wf_ctrl_msg *msg = msg_for(WF_CTRL_SET_PEER, slot, gen_of(slot));
	struct wf_viewer_out *w = &want_out[slot];

	msg->viewer.stream = stream;
	msg->viewer.pos = pos;
	out_of(slot, (uint16_t)(gen_of(slot) + 1001), &msg->out);
	WF_CHECK_EQ(send_msg(msg), 0);
	memcpy(w->hdr, msg->out.hdr, sizeof(w->hdr));
	w->ip_csum_base = msg->out.ip_csum_base;
	w->port_idx = msg->out.port_idx;
}

/* Messages the worker refuses or that carry a viewer's fields it must not
 * take leave every range as it was. */
static void refused_and_foreign_messages_change_nothing(void)
{
	uint32_t slot;

	for (slot = 0; slot < 12; slot++)
		added(slot, streams[slot % N_STREAMS]);
	WF_CHECK(members_match());
	/* a stream beyond the table, a slot beyond the table */
	WF_CHECK(add(20, WF_MAX_STREAMS) != 0);
	WF_CHECK(members_match());
	WF_CHECK(add(SLOTS, 0) != 0);
	WF_CHECK(add(UINT32_MAX, 0) != 0);
	WF_CHECK(members_match());
	/* a removal under the slot's previous generation (a stale message) */
	WF_CHECK(del_gen(3, (uint16_t)(gen[3] - 1)) != 0);
	WF_CHECK(del(SLOTS) != 0);
	WF_CHECK(members_match());
	/* a peer change names another stream and cell: both are the worker's */
	set_peer(4, 0, 0);
	set_peer(7, WF_MAX_STREAMS - 1, SLOTS - 1);
	WF_CHECK(members_match());
	removed(4);
	removed(7);
	WF_CHECK(members_match());
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	if (!setup()) {
		WF_CHECKF(0, "set-up: EAL and the worker's tables");
		return wf_test_done();
	}
	WF_RUN(each_stream_holds_its_viewers_through_random_churn);
	WF_RUN(a_full_table_and_an_empty_one);
	WF_RUN(refused_and_foreign_messages_change_nothing);
	return wf_test_done();
}
