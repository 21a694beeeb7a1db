/* test_figs.c: a viewer's figures as telemetry reads them from another
 * thread (app/core/figs.c) while its worker adds and removes viewers, whose
 * member cells move (app/fast/apply.c).  Every viewer's cell carries its
 * own slot and generation in its SSRC and packet count; a copy that
 * answers for (slot, gen) with anything else is another viewer's figures
 * under this one's name.  Eight viewers of two streams stay, eight come
 * and go between the streams, while a second thread reads all sixteen
 * without pause; then, with the worker still, each present viewer is read
 * whole and each removed one not at all; and a worker stuck mid-move makes
 * figures busy, not gone.  EAL runs with --no-huge and no devices; the
 * test is worker 0.  On one CPU the threads would seldom meet: the race
 * part asserts that copies of the coming and going viewers were read, so
 * it cannot pass for lack of readers. */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "wf_test.h"

#include "core/app.h"
#include "core/ctrl.h"
#include "core/figs.h"
#include "core/lcore.h"
#include "fast/apply.h"

#define SLOTS	16
#define STABLE	8		/* slots 0..7 stay; 8..15 come and go */
#define ROUNDS	20000		/* churn rounds: each adds and removes eight */

static struct wf_lcore *lc;
static uint16_t gen[SLOTS];	/* what the slow path would ask for: atomics */
static bool stop;

static struct {
	uint64_t reads, answered, churned, wrong;	/* churned: answered of slots 8.. */
	uint32_t first_slot, first_ssrc;
	uint16_t first_gen;
} seen;

static bool setup(void)
{
	char *args[] = { "test_figs", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
			 "--log-level", "error", "--file-prefix", "wftfg" };

	if (rte_eal_init((int)RTE_DIM(args), args) < 0)
		return false;
	wf_app.tsc_hz = rte_get_tsc_hz();
	wf_app.n_workers = 1;
	lc = rte_zmalloc("tfg_lc", sizeof(*lc), RTE_CACHE_LINE_SIZE);
	if (!lc)
		return false;
	lc->n_slots = SLOTS;
	lc->viewers = rte_zmalloc("tfg_viewers", sizeof(*lc->viewers) * SLOTS, RTE_CACHE_LINE_SIZE);
	lc->members = rte_zmalloc("tfg_members", sizeof(*lc->members) * SLOTS, 0);
	lc->member_out = rte_zmalloc("tfg_out", sizeof(*lc->member_out) * SLOTS, 0);
	lc->member_keys = rte_zmalloc("tfg_keys", sizeof(*lc->member_keys) * SLOTS,
				      RTE_CACHE_LINE_SIZE);
	lc->reply = rte_ring_create("tfg_reply", 64, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	rte_seqcount_init(&lc->members_sc);
	/* release: the reader (wf_lcore_get, acquire) sees it whole */
	__atomic_store_n(&wf_app.lc[0], lc, __ATOMIC_RELEASE);
	return lc->viewers && lc->members && lc->member_out && lc->member_keys && lc->reply;
}

static uint32_t ssrc_of(uint32_t slot, uint16_t g)
{
	return slot << 16 | g;
}

/* Applies one message as the worker does; returns its status. */
static int apply_one(struct wf_ctrl_msg *msg)
{
	void *r;

	wf_ctrl_apply(lc, &msg, 1);
	WF_CHECK(rte_ring_dequeue(lc->reply, &r) == 0 && r == msg);
	return msg->status;
}

/* Adds slot's viewer of its current generation to stream (its tracks off:
 * no replay to ask), its figures naming it. */
static void add(uint32_t slot, uint16_t stream)
{
	static struct wf_ctrl_msg msg;
	uint16_t g = __atomic_load_n(&gen[slot], __ATOMIC_RELAXED);

	memset(&msg, 0, sizeof(msg));
	msg.type = WF_CTRL_ADD_VIEWER;
	msg.slot = slot;
	msg.gen = g;
	msg.viewer.stream = stream;
	msg.viewer.fb[0].nacks = ssrc_of(slot, g);	/* its slot's figures */
	msg.out.srtp = 1;
	msg.out.pkts_out = (uint64_t)slot << 32 | g;	/* its cell's */
	msg.out.bytes_out = ~msg.out.pkts_out;
	msg.out.trk[0].ssrc = ssrc_of(slot, g);
	msg.out.trk[1].ssrc = ssrc_of(slot, g);
	WF_CHECK_EQ(apply_one(&msg), 0);
}

/* Removes slot's viewer; the slow path asks for the next one's figures
 * from then on. */
static void del(uint32_t slot)
{
	static struct wf_ctrl_msg msg;
	uint16_t g = __atomic_load_n(&gen[slot], __ATOMIC_RELAXED);

	memset(&msg, 0, sizeof(msg));
	msg.type = WF_CTRL_DEL_VIEWER;
	msg.slot = slot;
	msg.gen = g;
	WF_CHECK_EQ(apply_one(&msg), 0);
	__atomic_store_n(&gen[slot], (uint16_t)(g + 1), __ATOMIC_RELAXED);
}

/* Whether figures answered for (slot, g) are that viewer's. */
static bool figs_are(const struct wf_viewer_figs *f, uint32_t slot, uint16_t g)
{
	return f->trk[0].ssrc == ssrc_of(slot, g) && f->trk[1].ssrc == ssrc_of(slot, g) &&
	       f->pkts == ((uint64_t)slot << 32 | g) && f->bytes == ~f->pkts &&
	       f->fb[0].nacks == ssrc_of(slot, g);
}

/* Telemetry: asks for every slot's current viewer until told to stop. */
static void *reader(void *arg)
{
	struct wf_viewer_figs f;
	uint32_t slot = 0;

	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		uint16_t g = __atomic_load_n(&gen[slot], __ATOMIC_RELAXED);

		seen.reads++;
		if (wf_viewer_figs(0, slot, g, &f) == 0) {
			seen.answered++;
			seen.churned += slot >= STABLE;
			if (!figs_are(&f, slot, g) && !seen.wrong++) {
				seen.first_slot = slot;
				seen.first_gen = g;
				seen.first_ssrc = f.trk[0].ssrc;
			}
		}
		slot = (slot + 1) % SLOTS;
	}
	return NULL;
}

static void figures_read_during_churn_are_the_viewers_own(void)
{
	pthread_t th;
	unsigned r, i;

	for (i = 0; i < STABLE; i++)
		add(i, (uint16_t)(i & 1));
	WF_REQUIRE(pthread_create(&th, NULL, reader, NULL) == 0);
	for (r = 0; r < ROUNDS; r++) {
		/* both streams' ranges move: the churning viewers alternate
		 * between stream 0 (below) and stream 1 (above the stable) */
		for (i = STABLE; i < SLOTS; i++)
			add(i, (uint16_t)((i + r) & 1));
		for (i = STABLE; i < SLOTS; i++)
			del(i);
	}
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	printf("# %u churn rounds; %lu reads, %lu answered (%lu of coming and going viewers), "
	       "%lu with another viewer's figures\n", ROUNDS, (unsigned long)seen.reads,
	       (unsigned long)seen.answered, (unsigned long)seen.churned,
	       (unsigned long)seen.wrong);
	WF_CHECKF(!seen.wrong, "asked for slot %u gen %u, got ssrc %#x (slot %u gen %u)",
		  seen.first_slot, seen.first_gen, seen.first_ssrc, seen.first_ssrc >> 16,
		  seen.first_ssrc & 0xffff);
	WF_CHECKF(seen.churned > 1000, "only %lu copies of coming and going viewers read",
		  (unsigned long)seen.churned);
}

static void a_still_worker_answers_for_present_viewers_only(void)
{
	struct wf_viewer_figs f;
	uint32_t slot;

	for (slot = STABLE; slot < SLOTS; slot += 2)
		add(slot, 1);
	for (slot = 0; slot < SLOTS; slot++) {
		uint16_t g = gen[slot];
		bool present = slot < STABLE || !(slot & 1);

		WF_CHECKF(wf_viewer_figs(0, slot, g, &f) == (present ? 0 : -ENOENT), "slot %u",
			  slot);
		if (present)
			WF_CHECKF(figs_are(&f, slot, g), "slot %u: another viewer's figures", slot);
		WF_CHECK_EQ(wf_viewer_figs(0, slot, (uint16_t)(g - 1), &f), -ENOENT);
	}
	WF_CHECK_EQ(wf_viewer_figs(0, SLOTS, 0, &f), -ENOENT);
	WF_CHECK_EQ(wf_viewer_figs(1, 0, gen[0], &f), -ENOENT);	/* no such worker */
	for (slot = STABLE; slot < SLOTS; slot += 2)
		del(slot);
}

/* A worker that stays mid-move (preempted in a write of members_sc): a
 * present viewer's figures are busy, not gone, and the reader gives up. */
static void figures_a_move_keeps_busy_are_busy_not_gone(void)
{
	struct wf_viewer_figs f;

	lc->members_sc.sn++;	/* odd: a write under way */
	WF_CHECK_EQ(wf_viewer_figs(0, 0, gen[0], &f), -EBUSY);
	lc->members_sc.sn++;
	WF_CHECK_EQ(wf_viewer_figs(0, 0, gen[0], &f), 0);
	WF_CHECK(figs_are(&f, 0, gen[0]));
}

int main(int argc, char **argv)
{
	wf_test_init(argc, argv);
	if (!setup()) {
		WF_CHECKF(0, "set-up: EAL and the worker's tables");
		return wf_test_done();
	}
	WF_RUN(figures_read_during_churn_are_the_viewers_own);
	WF_RUN(a_still_worker_answers_for_present_viewers_only);
	WF_RUN(figures_a_move_keeps_busy_are_busy_not_gone);
	return wf_test_done();
}
