/* bench_srtp_whepfan.c: the "whepfan" engines of the SRTP benchmark.
 *
 * Protect, what the fan-out stage does: for a burst of viewers, write each
 * viewer's RTP header into its output buffer, fill one wf_srtp_job per
 * viewer (all pointing at the one shared plaintext payload) and submit the
 * burst with wf_srtp_protect_burst(), which encrypts out of place and
 * appends tags.
 *
 * Unprotect, what ingest does with a publisher's packets: the burst
 * engine fills one wf_srtp_rx_job per received packet and submits them
 * with wf_srtp_unprotect_burst(); the single engine calls
 * wf_srtp_unprotect() per packet.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_srtp_engine.h"
#include "bench/bench_util.h"

struct wf_bench_whepfan {
	const struct wf_bench_fixture *f;
	struct wf_srtp_engine *engine;
	struct wf_srtp_keys *keys;	/* [viewers], 64-byte aligned */
	uint16_t *seq;			/* [viewers]: next sequence number */
	uint32_t *roc;			/* [viewers]: its rollover counter */
	struct wf_srtp_job *jobs;	/* [burst] */
	unsigned *job_viewer;		/* [burst]: whose job it is */
	unsigned next;			/* next viewer to serve */
};

static void whepfan_destroy(void *st)
{
	struct wf_bench_whepfan *w = st;

	if (w == NULL) return;
	if (w->keys != NULL)
		for (unsigned v = 0; v < w->f->viewers; v++) wf_srtp_keys_wipe(&w->keys[v]);
	wf_srtp_engine_free(w->engine);
	free(w->keys);
	free(w->seq);
	free(w->roc);
	free(w->jobs);
	free(w->job_viewer);
	free(w);
}

/* Creates an ipsec-mb engine with the fixture's arch for its profile in
 * *engine and derives every viewer's SRTP session keys into keys[]: 0, or
 * -1 with the reason in err (the caller frees what was made). */
static int engine_and_keys(const struct wf_bench_fixture *f, struct wf_srtp_engine **engine,
			   struct wf_srtp_keys *keys, char *err, size_t err_cap)
{
	enum wf_srtp_arch arch[WF_SRTP_PROFILE_COUNT];
	int rc;

	for (int p = 0; p < WF_SRTP_PROFILE_COUNT; p++) arch[p] = f->arch;
	*engine = wf_srtp_engine_create(arch);
	if (*engine == NULL) {
		snprintf(err, err_cap, "wf_srtp_engine_create(%s): %s",
			 wf_srtp_arch_name(f->arch), strerror(errno));
		return -1;
	}
	for (unsigned v = 0; v < f->viewers; v++) {
		const struct wf_bench_viewer *vw = &f->viewer[v];

		rc = wf_srtp_keys_derive(*engine, &keys[v], f->profile, WF_SRTP_KIND_RTP,
					 vw->master_key, f->suite->master_key_len,
					 vw->master_salt, f->suite->master_salt_len);
		if (rc != 0) {
			snprintf(err, err_cap, "wf_srtp_keys_derive: %s", wf_srtp_strerror(rc));
			return -1;
		}
	}
	return 0;
}

/* Creates the ipsec-mb engine with the fixture's arch for its profile and
 * derives every viewer's SRTP session keys. */
static void *whepfan_create(const struct wf_bench_fixture *f, char *err, size_t err_cap)
{
	struct wf_bench_whepfan *w;

	w = calloc(1, sizeof(*w));
	if (w == NULL) goto nomem;
	w->f = f;
	w->keys = wf_bench_alloc((size_t)f->viewers * sizeof(*w->keys));
	w->seq = calloc(f->viewers, sizeof(*w->seq));
	w->roc = calloc(f->viewers, sizeof(*w->roc));
	w->jobs = wf_bench_alloc((size_t)f->burst * sizeof(*w->jobs));
	w->job_viewer = calloc(f->burst, sizeof(*w->job_viewer));
	if (w->keys == NULL || w->seq == NULL || w->roc == NULL || w->jobs == NULL ||
	    w->job_viewer == NULL)
		goto nomem;

	if (engine_and_keys(f, &w->engine, w->keys, err, err_cap)) {
		whepfan_destroy(w);
		return NULL;
	}
	for (unsigned v = 0; v < f->viewers; v++)
		w->seq[v] = f->viewer[v].seq0;
	return w;
nomem:
	snprintf(err, err_cap, "out of memory");
	whepfan_destroy(w);
	return NULL;
}

/* The timed loop: bursts of f->burst viewers (the last one shorter when n
 * is not a multiple), header writes included. */
static int whepfan_run(void *st, uint64_t n, char *err, size_t err_cap)
{
	struct wf_bench_whepfan *w = st;
	const struct wf_bench_fixture *f = w->f;
	const uint8_t *payload = f->plain + WF_RTP_MIN_HEADER;
	unsigned next = w->next;

	while (n > 0) {
		unsigned cnt = n < f->burst ? (unsigned)n : f->burst;
		unsigned ok;

		for (unsigned j = 0; j < cnt; j++) {
			struct wf_srtp_job *job = &w->jobs[j];
			uint8_t *out = wf_bench_out(f, next);

			wf_bench_write_header(out, f->plain, w->seq[next], f->viewer[next].ssrc);
			job->keys = &w->keys[next];
			job->payload = payload;
			job->out = out;
			job->roc = w->roc[next];
			job->hdr_len = WF_RTP_MIN_HEADER;
			job->payload_len = (uint16_t)f->payload_len;
			job->out_cap = (uint16_t)f->stride;
			w->job_viewer[j] = next;
			wf_bench_seq_next(&w->seq[next], &w->roc[next]);
			if (++next == f->viewers) next = 0;
		}
		ok = wf_srtp_protect_burst(w->engine, w->jobs, cnt);
		if (ok != cnt) {
			for (unsigned j = 0; j < cnt; j++) {
				if (w->jobs[j].status == 0) continue;
				snprintf(err, err_cap, "wf_srtp_protect_burst: job %u of %u: %s",
					 j, cnt, wf_srtp_strerror(w->jobs[j].status));
				return -1;
			}
			snprintf(err, err_cap, "wf_srtp_protect_burst returned %u of %u", ok, cnt);
			return -1;
		}
		/* The fan-out reads each length to build the frame: so do we. */
		for (unsigned j = 0; j < cnt; j++)
			f->out_len[w->job_viewer[j]] = w->jobs[j].out_len;
		n -= cnt;
	}
	w->next = next;
	return 0;
}

const struct wf_bench_engine_ops wf_bench_engine_whepfan = {
	.name = "whepfan",
	.create = whepfan_create,
	.run = whepfan_run,
	.destroy = whepfan_destroy,
};

/* ---- unprotect ------------------------------------------------------------ */

struct wf_bench_whepfan_rx {
	const struct wf_bench_fixture *f;
	bool burst;			/* wf_srtp_unprotect_burst, else one by one */
	struct wf_srtp_engine *engine;
	struct wf_srtp_keys *keys;	/* [viewers], 64-byte aligned */
	struct wf_srtp_replay *replay;	/* [viewers] */
	unsigned *k;			/* [viewers]: next packet on the wire */
	struct wf_srtp_rx_job *jobs;	/* [burst] */
	unsigned *job_viewer;		/* [burst] */
	unsigned next;
};

static void whepfan_rx_destroy(void *st)
{
	struct wf_bench_whepfan_rx *w = st;

	if (w == NULL) return;
	if (w->keys != NULL)
		for (unsigned v = 0; v < w->f->viewers; v++) wf_srtp_keys_wipe(&w->keys[v]);
	wf_srtp_engine_free(w->engine);
	free(w->keys);
	free(w->replay);
	free(w->k);
	free(w->jobs);
	free(w->job_viewer);
	free(w);
}

static void *whepfan_rx_create_as(const struct wf_bench_fixture *f, bool burst, char *err,
				  size_t err_cap)
{
	struct wf_bench_whepfan_rx *w;

	w = calloc(1, sizeof(*w));
	if (w == NULL) goto nomem;
	w->f = f;
	w->burst = burst;
	w->keys = wf_bench_alloc((size_t)f->viewers * sizeof(*w->keys));
	w->replay = calloc(f->viewers, sizeof(*w->replay));
	w->k = calloc(f->viewers, sizeof(*w->k));
	w->jobs = wf_bench_alloc((size_t)f->burst * sizeof(*w->jobs));
	w->job_viewer = calloc(f->burst, sizeof(*w->job_viewer));
	if (w->keys == NULL || w->replay == NULL || w->k == NULL || w->jobs == NULL ||
	    w->job_viewer == NULL)
		goto nomem;
	if (engine_and_keys(f, &w->engine, w->keys, err, err_cap)) {
		whepfan_rx_destroy(w);
		return NULL;
	}
	return w;
nomem:
	snprintf(err, err_cap, "out of memory");
	whepfan_rx_destroy(w);
	return NULL;
}

static void *whepfan_rx_create(const struct wf_bench_fixture *f, char *err, size_t err_cap)
{
	return whepfan_rx_create_as(f, true, err, err_cap);
}

static void *whepfan_rx_single_create(const struct wf_bench_fixture *f, char *err, size_t err_cap)
{
	return whepfan_rx_create_as(f, false, err, err_cap);
}

/* Viewer v's next packet copied from the wire into its buffer; returns
 * the buffer.  At the end of the wire the receiver forgets the SSRC. */
static uint8_t *whepfan_rx_take(struct wf_bench_whepfan_rx *w, unsigned v)
{
	const struct wf_bench_fixture *f = w->f;
	uint8_t *buf = wf_bench_out(f, v);

	if (w->k[v] == f->wire_depth) {
		w->k[v] = 0;
		w->replay[v] = (struct wf_srtp_replay){ 0 };
	}
	memcpy(buf, wf_bench_wire(f, v, w->k[v]++), f->wire_len);
	return buf;
}

/* The timed loop: bursts of f->burst packets, viewers in turn. */
static int whepfan_rx_run_burst(struct wf_bench_whepfan_rx *w, uint64_t n, char *err,
				size_t err_cap)
{
	const struct wf_bench_fixture *f = w->f;
	unsigned next = w->next;

	while (n > 0) {
		unsigned cnt = n < f->burst ? (unsigned)n : f->burst;

		for (unsigned j = 0; j < cnt; j++) {
			struct wf_srtp_rx_job *job = &w->jobs[j];

			job->keys = &w->keys[next];
			job->replay = &w->replay[next];
			job->pkt = whepfan_rx_take(w, next);
			job->len = (uint16_t)f->wire_len;
			w->job_viewer[j] = next;
			if (++next == f->viewers) next = 0;
		}
		if (wf_srtp_unprotect_burst(w->engine, w->jobs, cnt) != cnt) {
			for (unsigned j = 0; j < cnt; j++) {
				if (w->jobs[j].status == 0) continue;
				snprintf(err, err_cap, "wf_srtp_unprotect_burst: job %u of %u: %s",
					 j, cnt, wf_srtp_strerror(w->jobs[j].status));
				return -1;
			}
			snprintf(err, err_cap, "wf_srtp_unprotect_burst: a job failed");
			return -1;
		}
		for (unsigned j = 0; j < cnt; j++)
			f->out_len[w->job_viewer[j]] = w->jobs[j].out_len;
		n -= cnt;
	}
	w->next = next;
	return 0;
}

static int whepfan_rx_run(void *st, uint64_t n, char *err, size_t err_cap)
{
	struct wf_bench_whepfan_rx *w = st;
	const struct wf_bench_fixture *f = w->f;
	unsigned next = w->next;

	if (w->burst) return whepfan_rx_run_burst(w, n, err, err_cap);
	for (uint64_t i = 0; i < n; i++) {
		uint8_t *buf = whepfan_rx_take(w, next);
		size_t out_len = 0;
		int rc = wf_srtp_unprotect(w->engine, &w->keys[next], &w->replay[next], buf,
					   f->wire_len, &out_len, NULL);

		if (rc != 0) {
			snprintf(err, err_cap, "wf_srtp_unprotect: %s", wf_srtp_strerror(rc));
			return -1;
		}
		f->out_len[next] = (uint16_t)out_len;
		if (++next == f->viewers) next = 0;
	}
	w->next = next;
	return 0;
}

const struct wf_bench_engine_ops wf_bench_engine_whepfan_rx = {
	.name = "whepfan",
	.create = whepfan_rx_create,
	.run = whepfan_rx_run,
	.destroy = whepfan_rx_destroy,
};

const struct wf_bench_engine_ops wf_bench_engine_whepfan_rx_single = {
	.name = "whepfan-single",
	.create = whepfan_rx_single_create,
	.run = whepfan_rx_run,
	.destroy = whepfan_rx_destroy,
};
