/* refusal.h: every reason a worker does not serve a viewer's request
 * (NACK, PLI, FIR), as one X-macro list that gives the enum, the counter
 * names telemetry and /metrics print, and the text (as drop.h does for
 * drops).
 *
 * Refusals are not drops: no packet is lost, whepfan declines to send one
 * again (DESIGN.md, "Budgets").  They are counted apart so that an
 * operator's alert on drops does not fire because a viewer asks too much,
 * and a flood of requests shows as what it is.  NACK reasons count
 * sequence numbers; fb_unknown_ssrc counts feedback messages; the others
 * count PLI/FIR requests (a viewer joining asks for a replay too). */
#ifndef WF_REFUSAL_H
#define WF_REFUSAL_H

#include "core/reason.h"

#define WF_REFUSALS(_) \
	_(FB_UNKNOWN_SSRC,    fb_unknown_ssrc,    "NACK, PLI or FIR for a media SSRC we do not send to this viewer") \
	_(NACK_OFF,           nack_off,           "NACK while webrtc.nack is false (counted, not served)") \
	_(NACK_NOT_LIVE,      nack_not_live,      "NACK for a track waiting for a key frame (nothing sent under its numbers)") \
	_(NACK_UNSENT,        nack_unsent,        "NACKed sequence number this viewer was never sent (or sent before a replay)") \
	_(NACK_FCI_CAP,       nack_fci_cap,       "NACKed in an FCI past the first 32 of its RTCP compound") \
	_(NACK_REPEAT,        nack_repeat,        "NACKed again within the viewer's RTT of its resend") \
	_(NACK_SHED,          nack_shed,          "resend shed: ring to the stream's owner or transmit queue over half full") \
	_(NACK_BUDGET,        nack_budget,        "viewer's retransmission budget spent (webrtc.nack_budget_pct)") \
	_(NACK_MISS,          nack_miss,          "NACKed packet no longer in the history") \
	_(PLI_AUDIO,          pli_audio,          "PLI/FIR for an audio track (nothing to refresh)") \
	_(REPLAY_PENDING,     replay_pending,     "PLI/FIR while a key frame is already on its way") \
	_(REPLAY_VIEWER_RATE, replay_viewer_rate, "PLI/FIR within a second of the viewer's last replay") \
	_(REPLAY_BUDGET,      replay_budget,      "PLI/FIR with the viewer's retransmission budget spent") \
	_(REPLAY_STREAM_RATE, replay_stream_rate, "replays of the stream over webrtc.replay_per_stream_per_s") \
	_(REPLAY_TOO_LONG,    replay_too_long,    "over webrtc.replay_max_packets from the cached key frame to now") \
	_(REPLAY_NO_KEYFRAME, replay_no_keyframe, "no key frame in the history: the viewer starts at the next live one") \
	_(REPLAY_BUSY,        replay_busy,        "the owner already paces as many replays as it can hold") \
	_(REPLAY_ABORTED,     replay_aborted,     "replay given up (its packets left the history, or it ran out of time)")

#define WF_REFUSE_ENUM_(sym, name, text) WF_REFUSE_##sym,
enum wf_refusal { WF_REFUSALS(WF_REFUSE_ENUM_) WF_REFUSAL_COUNT };
#undef WF_REFUSE_ENUM_
WF_REASON_LOOKUPS(wf_refusal, enum wf_refusal)

#endif
