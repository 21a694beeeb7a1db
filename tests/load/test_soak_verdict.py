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
            if k not in ("t", "src_change_s", "join_max_ms"):
                r["load_" + k] = 0
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

check("no viewers joined or left fails", [dict(r, load_joins=0, load_leaves=0)
                                          for r in steady()], "the load did not run")

print("# test_soak_verdict: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
