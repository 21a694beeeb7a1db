#!/usr/bin/env python3
"""test_soak_verdict.py: scripts/soak.py's verdict on made-up samples.

A soak takes minutes and its failures are rare, so the verdict's rules are
checked here on rows built to break one rule each: a steady run passes,
and every fault is caught and named.  Run by scripts/run-tests.sh (make
test); ends with the line "# test_soak_verdict: N passed, N failed".
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "soak", os.path.join(HERE, "..", "..", "scripts", "soak.py"))
soak = importlib.util.module_from_spec(spec)
spec.loader.exec_module(soak)

RSS, MBUFS, LIVE = 100000, 2000, 300


def steady(seconds=600):
    """Rows of a run where everything held: the load moved on at every
    sample, every gap was repaired, whepfan kept its level."""
    rows = []
    for i, t in enumerate(range(10, seconds + 1, 10)):
        r = {"t_s": float(t), "mono": 1000.0 + t, "rss_kb": RSS, "mbufs_in_use": MBUFS,
             "sessions": LIVE + 8, "viewers": LIVE + 8, "steal_s": 1.0,
             "slow_loop_max_us": 2000, "slow_loop_lags": 0, "load_join_max_ms": 40.0}
        for k in soak.LOAD_KEYS:
            if k not in soak.LOAD_FLOATS:
                r["load_" + k] = 0
        r["load_joining_max_ms"] = 0.0
        r.update({"load_live": LIVE, "load_joins": LIVE + 30 * i, "load_leaves": 30 * i,
                  "load_sim_dropped": 100 * i, "load_loss_seen": 100 * i,
                  "load_repaired": 100 * i, "load_t": t - 0.2, "load_src_up": 1})
        rows.append(r)
    return rows


def final_of(rows):
    last = rows[-1]
    d = {k: float(last.get("load_" + k) or 0) for k in soak.LOAD_KEYS}
    d["t"] = last["load_t"] + soak.SETTLE_S
    return d


passed = failed = 0


def check(name, rows, want_fail=None, final=None, events=(), asan=False):
    """The verdict on rows: no failure (want_fail None), or one naming
    want_fail."""
    global passed, failed
    _, fails, _ = soak.verdict(rows, list(events), asan, final or final_of(rows))
    ok = not fails if want_fail is None else any(want_fail in f for f in fails)
    if ok:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL %s: wanted %s, got %s" % (name, want_fail or "no failure", fails))


def at(rows, t):
    return next(r for r in rows if r["t_s"] == t)


check("a steady run passes", steady())

rows = steady()
at(rows, 300)["rss_kb"] = RSS * 0.985
check("an RSS sample 1.5 % under the level fails", rows, "rss_kb")

rows = steady()
for r in rows:
    r["rss_kb"] = RSS + (r["t_s"] - 120) * 5 if r["t_s"] > 120 else RSS
check("RSS growing past 1 % fails", rows, "rss_kb")

rows = steady()
for r in rows:
    r["rss_kb"] = RSS * 1.3 if r["t_s"] > 120 else RSS
check("ASan: RSS is reported, not held", rows, asan=True)

rows = steady()
at(rows, 400)["mbufs_in_use"] = MBUFS + 50
check("mbufs 2.5 % over the level fails", rows, "mbufs_in_use")

rows = steady()
at(rows, 400)["mbufs_in_use"] = MBUFS - 400
check("mbufs low right after a source restart are not held to the level", rows,
      events=[at(rows, 400)["mono"] - 2])

rows = steady()
for r in rows[30:]:
    r["load_join_failed"] = 1
check("one viewer that could not join fails", rows, "could not join")

rows = steady()
fin = final_of(rows)
fin["join_failed"] = 1
check("a failed join in the load tool's last line fails", rows, "could not join", final=fin)

rows = steady()
for r in rows[40:]:
    r["load_unrepaired"] = 2
check("loss NACK did not repair fails", rows, "did not repair")

rows = steady()
fin = final_of(rows)
fin["wrong_repairs"] = 1
check("a repair that was not the packet dropped fails", rows, "not the packet lost", final=fin)

rows = steady()
for r in rows[10:]:
    r["load_auth_fail"] = 3
check("SRTP that did not authenticate fails", rows, "did not authenticate")

rows = steady()
for r in rows[10:]:
    r["load_rejected"] = 1
check("RTP of another payload type or SSRC fails", rows, "another payload type")

rows = steady()
fin = final_of(rows)
fin["unchecked"] = fin["repaired"] * 0.2
check("repairs without a digest over 10 % fail", rows, "no digest to match", final=fin)

rows = steady()
at(rows, 350)["load_t"] = at(rows, 340)["load_t"]
check("a load tool that stopped moving fails", rows, "did not move on")

rows = steady()
at(rows, 200)["sessions"] = LIVE - 50
check("fewer sessions than live viewers fails", rows, "fewer sessions")

rows = steady()
_, fails, _ = soak.verdict(rows, [], False, None)
if any("no line" in f for f in fails):
    passed += 1
    print("ok   no line from the load tool after the last sample fails")
else:
    failed += 1
    print("FAIL no line from the load tool after the last sample: got %s" % fails)

rows = steady()
for r in rows[20:]:
    r["sessions"] = LIVE + 100
check("sessions outliving their viewers fail", rows, "outlive")

rows = steady()
for r in rows[30:]:
    r["load_join_refused"] = 5
check("joins refused away from a source restart fail", rows, "refused away")

rows = steady()
for r in rows[30:]:
    r["load_join_refused"] = 5
check("joins refused at a source restart pass", rows, events=[rows[30]["mono"] - 3])

rows = steady()
for r in rows[30:]:
    r["load_joins"] = rows[30]["load_joins"]
check("joins that stop (the churn frozen) fail", rows, "no joins between")

rows = steady()
for r in rows[30:]:
    r["load_leaves"] = rows[30]["load_leaves"]
check("leaves that stop fail", rows, "no leaves between")

rows = steady()
for r in rows[30:]:
    r["load_join_max_ms"] = 6000.0
check("a join slower than 5 s fails", rows, "a join took 6.0 s")
check("ASan: a join of 6 s passes", rows, asan=True)

rows = steady()
fin = final_of(rows)
fin["joining_max_ms"] = 7000.0
check("a viewer still joining 7 s at the end fails", rows, "still joining", final=fin)

rows = steady()
for r in rows:
    r["sessions"] = None
check("a column with no value fails (a rule must not go quiet)", rows, "sessions: no value")

rows = steady()
for r in rows:
    r["rss_kb"] = None
check("RSS with no value fails", rows, "rss_kb")

rows = steady()
fin = final_of(rows)
fin["unchecked"] = fin["repaired"] * 0.12
check("repairs without a digest at 12 % fail", rows, "no digest to match", final=fin)
fin["unchecked"] = fin["repaired"] * 0.08
check("repairs without a digest at 8 % pass", rows, final=fin)

rows = steady()
at(rows, 400)["mbufs_in_use"] = MBUFS + 50
check("mbufs over the level away from a source restart fail, with restarts elsewhere", rows,
      "mbufs_in_use", events=[at(rows, 200)["mono"]])

rows = steady()
for r in rows:
    r["mbufs_in_use"] = 0
check("a level of 0 fails and does not crash", rows, "level 0")

rows = steady()
at(rows, 300)["load_wrong_repairs"] = 1
check("a fault seen in one middle sample only fails", rows, "not the packet lost")

check("no viewer live at the end fails", [dict(r, load_live=0) for r in steady()],
      "the load did not run")
check("no leaves at all fail", [dict(r, load_leaves=0) for r in steady()],
      "the load did not run")

# the sampler: RSS and mbufs are each the median of 5 reads 0.1 s apart,
# so a reload's parse (milliseconds, one read) is not a sample, and a
# value that stays is
class FakeTelemetry:
    def __init__(self, mbufs):
        self.mbufs = list(mbufs)

    def cmd(self, c):
        if c == "/whepfan/info":
            return {"mbufs_in_use": self.mbufs.pop(0)}
        return {}


def sampled(rss_reads, mbuf_reads):
    reads = list(rss_reads)
    real_rss, real_sleep = soak.rss_kb, soak.time.sleep
    soak.rss_kb = lambda pid: reads.pop(0)
    soak.time.sleep = lambda s: None
    try:
        return soak.sample(FakeTelemetry(mbuf_reads), 1, "/nonexistent", 0.0, None)
    finally:
        soak.rss_kb, soak.time.sleep = real_rss, real_sleep


row = sampled([RSS + 2500, RSS, RSS, RSS, RSS], [MBUFS + 40, MBUFS, MBUFS, MBUFS, MBUFS])
result_ok = row["rss_kb"] == RSS and row["mbufs_in_use"] == MBUFS
row = sampled([RSS] + [RSS + 2500] * 3 + [RSS], [MBUFS] + [MBUFS + 40] * 3 + [MBUFS])
result_ok = result_ok and row["rss_kb"] == RSS + 2500 and row["mbufs_in_use"] == MBUFS + 40
if result_ok:
    passed += 1
    print("ok   a one-read transient is not a sample, a value that stays is")
else:
    failed += 1
    print("FAIL the sampler's median of reads: got %s" % row)

check("no viewers joined or left fails", [dict(r, load_joins=0, load_leaves=0)
                                          for r in steady()], "the load did not run")

print("# test_soak_verdict: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
