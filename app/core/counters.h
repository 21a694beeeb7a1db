/* counters.h: a worker's counters, each declared once.
 *
 * WF_COUNTERS lists the scalar ones (name, help text); it gives the
 * fields of struct wf_counters, the entries of the /whepfan/stats and
 * /whepfan/lcores dictionaries, and the Prometheus counters
 * whepfan_<name>_total{lcore}.  The counters kept by reason (drops,
 * refusals, punt classes, handoff kinds, RTP and SRTP errors) are arrays
 * beside them, each exported through one struct wf_reason_set: its
 * dictionary, its metric and label, and the names of its entries.
 * Telemetry and /metrics walk these two lists and nothing else, so a
 * counter added here shows in both (app/ops/).
 *
 * Plain writes by the worker that owns them, summed by readers: no atomics
 * per packet (docs/architecture.md "Who owns what").
 */
#ifndef WF_COUNTERS_H
#define WF_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "core/drop.h"
#include "core/police.h"
#include "core/refusal.h"
#include "rtp/rtp.h"
#include "srtp/srtp.h"

#define WF_COUNTERS(_) \
	_(rx_pkts,        "Packets received by the worker.") \
	_(rx_bytes,       "Bytes received by the worker.") \
	_(ingest_pkts,    "RTP packets accepted from sources into a stream's history.") \
	_(ingest_bytes,   "RTP bytes accepted from sources.") \
	_(ingest_rtcp,    "RTCP packets from sources taken in (a WHIP publisher's authenticated).") \
	_(whip_srtp,      "SRTP packets from WHIP publishers authenticated (then ingested as RTP).") \
	_(whip_bursts,    "Unprotect bursts of WHIP publishers' SRTP (one a poll at most, unless full; and one for each packet of a track whose SSRC is not named yet).") \
	_(whip_rr_tx,     "RTCP receiver reports sent to WHIP publishers.") \
	_(whip_remb_tx,   "REMB messages (the stream's max_bitrate_kbps) sent to WHIP publishers.") \
	_(whip_nack_tx,   "Generic NACKs sent to WHIP publishers for gaps in their sequence numbers.") \
	_(whip_nack_seqs, "Sequence numbers those NACKs asked for.") \
	_(whip_nack_limited, "Sequence numbers missed from WHIP publishers not NACKed (the per-track rate).") \
	_(whip_pli_tx,    "PLIs sent to WHIP publishers (a viewer waits, no key frame cached).") \
	_(whip_pli_limited, "PLIs to WHIP publishers not sent (one per track per 500 ms).") \
	_(viewer_rtcp,    "RTCP packets from viewers taken in (parsed; authenticated unless a plain output's).") \
	_(tx_pkts,        "Packets transmitted (media, feedback and the slow path's frames).") \
	_(tx_bytes,       "Bytes transmitted.") \
	_(egress_pkts,    "Media packets sent to viewers.") \
	_(egress_bytes,   "Media bytes sent to viewers.") \
	_(retransmits,    "Packets retransmitted for NACKs.") \
	_(replays,        "Key-frame replays asked for (new viewers, PLI, FIR).") \
	_(replay_pkts,    "Packets sent in key-frame replays.") \
	_(nack_rx,        "Sequence numbers NACKed by viewers.") \
	_(pli_rx,         "PLI and FIR received from viewers.") \
	_(rr_rx,          "RTCP receiver reports received from viewers.") \
	_(sr_tx,          "RTCP sender reports sent.") \
	_(punted,         "Packets handed to the slow path (ARP, STUN, DTLS, ICMP).") \
	_(viewer_spilled, "Packets from a viewer's 5-tuple over its own bucket let on within the worker's spill bucket (police.h).") \
	_(peer_unmatched, "STUN/DTLS from a viewer's 5-tuple that was not a Binding request naming its session: policed as a new address's.") \
	_(slow_tx,        "Frames transmitted for the slow path.") \
	_(handoff_out,    "Items handed to other workers.") \
	_(handoff_in,     "Items taken from other workers.") \
	_(ctrl_msgs,      "Control messages from the slow path applied.") \
	_(ctrl_failed,    "Control messages the worker could not apply (answered with an error).") \
	_(polls,          "Polls of the worker's loop.") \
	_(busy_polls,     "Polls that found work.") \
	_(busy_cycles,    "TSC cycles spent in polls that found work.") \
	_(work_pkts,      "Packets and items handled by the polls that found work.")

struct wf_counters {
#define WF_COUNTER_FIELD_(name, help) uint64_t name;
	WF_COUNTERS(WF_COUNTER_FIELD_)
#undef WF_COUNTER_FIELD_
	uint64_t punted_class[WF_PUNT_CLASS_COUNT];	/* of punted, by class (police.h) */
	uint64_t handoff_in_kind[WF_ITEM_KIND_COUNT];	/* of handoff_in, by kind (app.h) */
	uint64_t drop[WF_DROP_COUNT];
	uint64_t refused[WF_REFUSAL_COUNT];	/* requests not served, by reason */
	uint64_t rtp_err[WF_RTP_ERR_COUNT];
	uint64_t srtp_err[WF_SRTP_E_COUNT];
} __rte_cache_aligned;

/* One scalar counter: its name and help, and where it is in its struct
 * (struct wf_counters here; the slow path's, slow/frame.h). */
struct wf_counter_info {
	const char *name;
	const char *help;
	size_t off;
};

extern const struct wf_counter_info wf_counter_list[];
extern const unsigned wf_counter_count;

/* One set of counters kept by reason: the array at off in struct
 * wf_counters, entries first..count-1 (an error list's 0 is "no error"),
 * named by name(i); shown as the telemetry dictionary key and as
 * whepfan_<key>_total{lcore,<label>}. */
struct wf_reason_set {
	const char *key;
	const char *label;
	const char *help;
	size_t off;
	unsigned first, count;
	const char *(*name)(unsigned i);
};

extern const struct wf_reason_set wf_reason_sets[];
extern const unsigned wf_reason_set_count;

/* The uint64_t at off in the struct at base. */
static inline uint64_t wf_u64_at(const void *base, size_t off)
{
	return *(const uint64_t *)((const uint8_t *)base + off);
}

static inline uint64_t wf_counter_at(const struct wf_counters *c, size_t off)
{
	return wf_u64_at(c, off);
}

static inline uint64_t wf_reason_at(const struct wf_counters *c, const struct wf_reason_set *rs,
				    unsigned i)
{
	return wf_counter_at(c, rs->off + i * sizeof(uint64_t));
}

#endif
