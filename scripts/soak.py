#!/usr/bin/env python3
"""soak.py: the soak's sampler, plot and verdict (run by scripts/soak.sh).

Every --interval seconds (10) for --seconds: whepfan's VmRSS (/proc), and
from its DPDK telemetry socket (/var/run/dpdk/<prefix>/dpdk_telemetry.v2,
docs/telemetry.md) mbufs in use (each the median of 5 reads 0.1 s apart:
what stays, not packets in flight or a reload's parse), sessions, viewers, each worker's viewers,
egress packets/s, drops and refusals by reason; from the load tool's last
stats line (--load-log) live viewers, joins, leaves, loss seen by the
viewers, repaired and unrepaired.  Writes <out>/soak.csv as it goes, then
<out>/soak.svg (plain SVG written here: no plotting library) and
<out>/summary.txt, and checks:
  - RSS and mbufs in use: the level is the median of the samples from 60 s
    to 120 s; every later sample lies within +-1 % of it (for mbufs, but
    for samples within SOURCE_SETTLE_S of a source restart: the histories
    empty with the source and fill again; they are counted and plotted);
    With --asan (the sanitizer build) RSS is reported only: ASan's
    quarantine holds freed memory until it is full;
  - no loss the viewers saw stayed unrepaired (NACK repaired all of it),
    every repair was the very packet dropped (wrong_repairs 0; at most
    UNCHECKED_MAX of them without a digest to match), every SRTP packet
    the viewers got authenticated (auth_fail 0) and carried the answer's
    payload type and SSRC (rejected 0), also in the load tool's line
    SETTLE_S after the last sample;
  - every viewer that POSTed got its keys (join_failed 0: a POST that
    failed or a handshake that did not end within 20 s; the load tool
    keeps checking ICE for 8.7 s, as a browser would), none took longer
    than JOIN_MAX_S from POST to keys, and none was still joining that
    long at the end;
  - no join was refused but around a source restart (409 while the stream
    has no source), and joins and leaves went on in every CHURN_WINDOW_S;
  - whepfan's sessions followed the viewers: never LIVE_SLACK fewer than
    the live ones, never EXTRA_SLACK more than the live and joining ones;
  - every column a rule reads has values (a renamed key fails, it does
    not silence the rule);
  - viewers were live, joined and left (the load really ran).
Reported, not judged: joins slower than 1 s and the longest, the slow
path's lag (its loop_max_us and loop_lags, docs/telemetry.md) and the
machine's CPU steal time (/proc/stat), which tell a stall of whepfan's slow
path from one of the whole machine.
Exit status 0 when every criterion held, 1 otherwise.  Standard library
only.
"""
import argparse
import json
import os
import socket
import statistics
import sys
import time

LEVEL_FROM, LEVEL_TO = 60.0, 120.0
TOLERANCE = 0.01
MBUF_READS, MBUF_GAP_S = 5, 0.1
# a stream's history (history_ms 3 s in soak.conf.in) refills this long
# after its source is back
SOURCE_SETTLE_S = 6


class Telemetry:
    """One connection to DPDK's telemetry socket (SOCK_SEQPACKET, v2)."""

    def __init__(self, prefix):
        path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.settimeout(5)
        self.s.connect(path)
        self.s.recv(1 << 16)  # the greeting

    def cmd(self, c):
        self.s.send(c.encode())
        reply = json.loads(self.s.recv(1 << 20).decode())
        return reply.get(c)

    def close(self):
        self.s.close()


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def tap_dropped(pid):
    """Packets the kernel dropped on their way into whepfan: the tap's
    transmit drops in whepfan's network namespace (/proc/PID/net/dev),
    where its queue overflowed because whepfan did not read in time.
    whepfan cannot count these itself (net_tap reports no rx_missed),
    and one of them in a handshake costs a DTLS retransmission (1 s)."""
    try:
        with open("/proc/%d/net/dev" % pid) as f:
            lines = f.readlines()[2:]
    except OSError:
        return None
    total = 0
    for line in lines:
        name, _, fields = line.partition(":")
        fields = fields.split()
        if name.strip() != "lo" and len(fields) >= 12:
            try:
                total += int(fields[11])
            except ValueError:
                return None
    return total


# What every stats line of the load tool carries: a line without all of
# them (one being written) is not read.
LOAD_KEYS = ("t", "live", "joins", "leaves", "delete", "close_notify", "vanish", "join_refused",
             "join_failed", "rtp", "sim_dropped", "loss_seen", "repaired", "unrepaired",
             "nacks", "nack_seqs", "hostile", "restarts", "wrong_repairs", "auth_fail",
             "unchecked", "rejected", "slow_joins", "join_max_ms", "joining", "joining_max_ms",
             "src_up", "src_change_s")
# keys that are not whole numbers (the rest are stored as int)
LOAD_FLOATS = ("t", "src_change_s", "join_max_ms", "joining_max_ms")
# The load tool gives a gap up as unrepaired 2 s after it saw it
# (UNREPAIRED_US) and writes a line every 2 s: its line from SETTLE_S after
# the last sample judges what was still open then.
SETTLE_S = 5
# Repairs of a loss on the way (not dropped by the viewer) have no digest
# to match; more than this share of the repairs unchecked means the check
# is not working.
UNCHECKED_MAX = 0.10
# whepfan's sessions may exceed the load tool's live viewers by those
# joining and those vanished whose consent has not expired yet; fewer
# sessions than live viewers by more than this means whepfan ended
# sessions the viewers still use (the tool's line is up to 2 s old).
LIVE_SLACK = 20
# and more sessions than live and joining viewers by more than this means
# sessions that outlive their viewers (a leak in the session table): the
# vanished viewers' sessions wait for consent_timeout_s (10 s, a third of
# the 3 a second churn: about 10) and those leaving by DELETE or
# close_notify end at once
EXTRA_SLACK = 60
# a join (POST to keys) slower than this, or a viewer still joining this
# long in the last line, fails (three times as long in the ASan build)
JOIN_MAX_S = 5.0
# joins and leaves must go on: in every window this long after the ramp
CHURN_WINDOW_S = 30


def last_load_line(path):
    """The load tool's newest complete stats line as a dict of numbers ({}
    if none)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 4096))
            lines = f.read().decode(errors="replace").splitlines()
    except OSError:
        return {}
    for line in reversed(lines):
        try:
            d = {k: float(v) for k, v in (kv.split("=", 1) for kv in line.split())}
        except ValueError:
            continue
        if all(k in d for k in LOAD_KEYS):
            return d
    return {}


def steal_s():
    """Seconds the hypervisor ran something else while this machine's CPUs
    wanted to run (/proc/stat, all CPUs): a stall of the whole machine
    shows here, one of whepfan's slow path only in its loop_lags."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
        return round(int(fields[8]) / os.sysconf("SC_CLK_TCK"), 2)
    except (OSError, IndexError, ValueError):
        return None


def connect(prefix, pid, wait_s):
    end = time.monotonic() + wait_s
    while True:
        try:
            return Telemetry(prefix)
        except OSError:
            if time.monotonic() > end or rss_kb(pid) is None:
                raise
            time.sleep(0.5)


def sample(tel, pid, load_log, t0, prev):
    """One row: {column: number}."""
    start = time.monotonic()
    stats = tel.cmd("/whepfan/stats") or {}
    # mbufs in use and RSS: the median of MBUF_READS reads MBUF_GAP_S
    # apart.  Packets in flight (a burst in the rx and tx queues) come and
    # go within milliseconds and move one read; a leaked or hoarded mbuf
    # or page stays in every read.
    in_use, rss = [], []
    for i in range(MBUF_READS):
        if i:
            time.sleep(MBUF_GAP_S)
        kb = rss_kb(pid)
        if kb is not None:
            rss.append(kb)
        info = tel.cmd("/whepfan/info") or {}
        if info.get("mbufs_in_use") is not None:
            in_use.append(info["mbufs_in_use"])
    lcores = tel.cmd("/whepfan/lcores") or {}
    load = last_load_line(load_log)
    now = time.monotonic()
    row = {
        "t_s": round(now - t0, 1),
        "mono": round(start, 3),
        "rss_kb": statistics.median_low(rss) if rss else None,
        "mbufs_in_use": statistics.median_low(in_use) if in_use else None,
        "sessions": stats.get("sessions"),
        "viewers": stats.get("viewers"),
    }
    for w in sorted(k for k in lcores if k.startswith("worker")):
        row["viewers_" + w] = lcores[w].get("viewers")
    egress = stats.get("egress_pkts", stats.get("egress"))
    row["egress_pkts"] = egress
    row["egress_pps"] = None
    if prev and egress is not None and prev.get("egress_pkts") is not None:
        dt = now - t0 - prev["t_s"]
        row["egress_pps"] = round((egress - prev["egress_pkts"]) / dt) if dt > 0 else None
    for k in LOAD_KEYS:
        if k not in LOAD_FLOATS:
            row["load_" + k] = int(load[k]) if k in load else None
    row["load_join_max_ms"] = load.get("join_max_ms")
    row["load_joining_max_ms"] = load.get("joining_max_ms")
    row["steal_s"] = steal_s()
    row["load_t"] = load.get("t")
    row["load_src_change_s"] = load.get("src_change_s")
    ports = stats.get("ports") or {}
    for k in ("rx_missed", "rx_nombuf", "rx_errors", "tx_errors"):
        row["port_" + k] = sum(p.get(k, 0) for p in ports.values())
    row["tap_dropped"] = tap_dropped(pid)
    drops = stats.get("drops") or {}
    row["drops_total"] = sum(drops.values())
    for k in sorted(drops):
        row["drop_" + k] = drops[k]
    for k, v in sorted((stats.get("refusals") or {}).items()):
        row["refusal_" + k] = v
    for k, v in sorted((stats.get("slow_path") or {}).items()):
        row["slow_" + k] = v
    return row


# ---- the plot ------------------------------------------------------------------

PANEL_W, PANEL_H, MARGIN_L, MARGIN_T, COLS = 560, 230, 70, 40, 2
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
          "#7f7f7f"]


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def panel(x0, y0, title, ts, series, band=None, marks=()):
    """One chart: series is [(name, [value or None])]; band (lo, hi) shaded;
    a dashed vertical line at each time in marks."""
    w, h = PANEL_W - MARGIN_L - 20, PANEL_H - MARGIN_T - 30
    vals = [v for _, ys in series for v in ys if v is not None]
    if band:
        vals += list(band)
    lo, hi = (min(vals), max(vals)) if vals else (0, 1)
    if hi == lo:
        hi, lo = hi + 1, lo - 1 if lo > 0 else 0
    pad = (hi - lo) * 0.05
    lo, hi = lo - pad, hi + pad
    tmax = max(ts[-1], 1) if ts else 1
    ox, oy = x0 + MARGIN_L, y0 + MARGIN_T

    def px(t):
        return ox + w * t / tmax

    def py(v):
        return oy + h - h * (v - lo) / (hi - lo)

    out = ['<text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>'
           % (x0 + 10, y0 + 18, esc(title)),
           '<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>'
           % (ox, oy, w, h)]
    if band:
        out.append('<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="#2ca02c" '
                   'fill-opacity="0.12"/>' % (ox, py(band[1]), w, py(band[0]) - py(band[1])))
    for t in marks:
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#888" '
                   'stroke-dasharray="4,3"/>' % (px(t), oy, px(t), oy + h))
    for i in range(5):
        v = lo + (hi - lo) * i / 4
        out.append('<text x="%d" y="%.1f" font-size="10" text-anchor="end">%s</text>'
                   % (ox - 4, py(v) + 3, "%.6g" % v))
    for i in range(5):
        t = tmax * i / 4
        out.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%d s</text>'
                   % (px(t), oy + h + 14, t))
    lx, ly = ox + 6, oy + 12
    for k, (name, ys) in enumerate(series):
        pts = " ".join("%.1f,%.1f" % (px(t), py(v)) for t, v in zip(ts, ys) if v is not None)
        color = COLORS[k % len(COLORS)]
        if pts:
            out.append('<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>'
                       % (color, pts))
        if lx + 6 * len(name) > ox + w:
            lx, ly = ox + 6, ly + 12
        out.append('<text x="%d" y="%d" font-size="10" fill="%s">%s</text>'
                   % (lx, ly, color, esc(name)))
        lx += 6 * len(name) + 14
    return out


def per_interval(rows, key):
    """Differences of a cumulative column between samples."""
    out, prev = [], None
    for r in rows:
        v = r.get(key)
        out.append(None if v is None or prev is None else v - prev)
        prev = v
    return out


def plot(rows, path, levels, title):
    ts = [r["t_s"] for r in rows]
    col = lambda k: [r.get(k) for r in rows]
    workers = sorted(k for k in rows[-1] if k.startswith("viewers_worker"))
    drop_keys = [k for k in rows[-1] if k.startswith("drop_") and rows[-1][k]]
    drop_keys.sort(key=lambda k: -rows[-1][k])
    band = lambda k: (levels[k] * (1 - TOLERANCE), levels[k] * (1 + TOLERANCE)) \
        if levels.get(k) else None
    rss_mib = [None if v is None else v / 1024 for v in col("rss_kb")]
    rss_band = band("rss_kb")
    panels = [
        ("whepfan RSS (MiB; band: level +-1 %)", [("VmRSS", rss_mib)],
         (rss_band[0] / 1024, rss_band[1] / 1024) if rss_band else None),
        ("mbufs in use (band: level +-1 %)", [("in use", col("mbufs_in_use"))],
         band("mbufs_in_use")),
        ("sessions and live viewers", [("sessions", col("sessions")),
                                       ("viewers (whepfan)", col("viewers")),
                                       ("live (load tool)", col("load_live"))], None),
        ("viewers per worker", [(w[len("viewers_"):], col(w)) for w in workers], None),
        ("egress packets/s", [("egress", col("egress_pps"))], None),
        ("loss seen by the viewers per 10 s; unrepaired in all: %s"
         % rows[-1].get("load_unrepaired"),
         [("seen", per_interval(rows, "load_loss_seen")),
          ("repaired", per_interval(rows, "load_repaired"))], None),
        ("drops by reason (per 10 s)",
         [(k[len("drop_"):], per_interval(rows, k)) for k in drop_keys[:8]]
         or [("none", [0 for _ in rows])], None),
        ("joins and leaves (per 10 s)", [("joins", per_interval(rows, "load_joins")),
                                         ("leaves", per_interval(rows, "load_leaves"))], None),
    ]
    n_rows = (len(panels) + COLS - 1) // COLS
    width, height = COLS * PANEL_W, n_rows * PANEL_H + 40
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="24" font-size="16">%s</text>' % esc(title)]
    restarts = [r["t_s"] for r, d in zip(rows, per_interval(rows, "load_restarts")) if d]
    for i, (ttl, series, b) in enumerate(panels):
        out += panel((i % COLS) * PANEL_W, 40 + (i // COLS) * PANEL_H, ttl, ts, series, b,
                     restarts)
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


# ---- the verdict ------------------------------------------------------------------


def source_events(load_log):
    """CLOCK_MONOTONIC times the sources fell silent or came back, from
    every line of the load tool's log."""
    events = set()
    try:
        with open(load_log) as f:
            for line in f:
                for kv in line.split():
                    if kv.startswith("src_change_mono="):
                        events.add(float(kv.split("=", 1)[1]))
    except (OSError, ValueError):
        pass
    return sorted(events)


def source_changing(r, events):
    """Whether the sample was taken less than SOURCE_SETTLE_S after the
    sources fell silent or came back (or 1 s before: the sample's reads
    take half a second)."""
    m = r.get("mono")
    if m is None:
        return False
    # (a silence, SRC_SILENCE_US in the load tool, is shorter than that)
    return any(e - 1 <= m <= e + SOURCE_SETTLE_S for e in events)

def settle(load_log, after_t, limit_s=15):
    """The load tool's first line SETTLE_S after its line at the last
    sample (load time after_t), waited for up to limit_s; None if none."""
    end = time.monotonic() + limit_s
    while after_t is not None and time.monotonic() < end:
        d = last_load_line(load_log)
        if d and d["t"] >= after_t + SETTLE_S:
            return d
        time.sleep(0.5)
    return None


def verdict(rows, events, asan=False, final=None):
    """(lines of figures, failures, levels).  asan: RSS is reported, not
    held to its level (ASan's quarantine keeps up to 256 MiB of freed
    memory, and its shadow grows with it).  final: the load tool's line
    from settle(), judged with the rows."""
    lines, fails, levels = [], [], {}
    for key, unit in (("rss_kb", "KiB"), ("mbufs_in_use", "mbufs")):
        held = not (asan and key == "rss_kb")
        base = [r[key] for r in rows if LEVEL_FROM <= r["t_s"] <= LEVEL_TO and r[key] is not None]
        later = [(r["t_s"], r[key]) for r in rows if r["t_s"] > LEVEL_TO]
        skipped = 0
        if key == "mbufs_in_use":
            # the streams' histories empty while their source is silent and
            # fill again when it is back: not a level to hold then
            keep = [tv for tv, r in zip(later, [r for r in rows if r["t_s"] > LEVEL_TO])
                    if not source_changing(r, events)]
            skipped = len(later) - len(keep)
            later = keep
        if not base or not later:
            fails.append("%s: too few samples for a level and a check" % key)
            continue
        level = statistics.median(base)
        if not level:
            fails.append("%s: level 0 (median of %d samples at %d-%d s)"
                         % (key, len(base), LEVEL_FROM, LEVEL_TO))
            continue
        levels[key] = level
        missing = [t for t, v in later if v is None]
        vals = [v for _, v in later if v is not None]
        dev = max(abs(v - level) / level for v in vals) if level else float("inf")
        worst = max(later, key=lambda tv: abs(tv[1] - level) if tv[1] is not None else 0)
        lines.append("%s: level %.0f %s (median of %d samples at %d-%d s); after %d s: "
                     "min %.0f, max %.0f, largest deviation %+.2f %% at %.0f s, end %.0f%s"
                     % (key, level, unit, len(base), LEVEL_FROM, LEVEL_TO, LEVEL_TO,
                        min(vals), max(vals), 100 * (worst[1] - level) / level, worst[0],
                        vals[-1], "; %d samples within %d s of a source restart not held "
                        "to it" % (skipped, SOURCE_SETTLE_S) if skipped else ""))
        if missing:
            fails.append("%s: no value at %s s" % (key, missing[:5]))
        if not held:
            lines[-1] += " (ASan build: not held to the level)"
        elif dev > TOLERANCE:
            fails.append("%s: %+.2f %% from its level (more than %.0f %%)"
                         % (key, 100 * (worst[1] - level) / level, 100 * TOLERANCE))
    last = rows[-1]
    g = lambda k: last.get(k) if last.get(k) is not None else 0
    lines.append("viewers: live at the end %d (load tool), sessions %d; joins %d, leaves %d "
                 "(DELETE %d, close_notify %d, vanished %d), joins refused %d, failed %d"
                 % (g("load_live"), g("sessions"), g("load_joins"), g("load_leaves"),
                    g("load_delete"), g("load_close_notify"), g("load_vanish"),
                    g("load_join_refused"), g("load_join_failed")))
    lines.append("joins: %d took over 1 s from POST to keys, the longest %.0f ms; slow path: "
                 "longest time between two passes %.1f ms, %d passes over 50 ms late; "
                 "CPU steal during the run %.2f s"
                 % (g("load_slow_joins"), last.get("load_join_max_ms") or 0,
                    g("slow_loop_max_us") / 1e3, g("slow_loop_lags"),
                    (g("steal_s") - (rows[0].get("steal_s") or 0))))
    lines.append("media: %d SRTP packets at the viewers, %d dropped on purpose; loss seen %d, "
                 "repaired by NACK %d, unrepaired %d; %d NACKs for %d sequence numbers;"
                 " repairs not the packet dropped %d, SRTP that did not authenticate %d"
                 % (g("load_rtp"), g("load_sim_dropped"), g("load_loss_seen"),
                    g("load_repaired"), g("load_unrepaired"), g("load_nacks"),
                    g("load_nack_seqs"), g("load_wrong_repairs"), g("load_auth_fail")))
    lines.append("source restarts %d, hostile datagrams sent %d, egress at the end %s packets/s;"
                 " port: %d missed on receive, %d no mbuf; %d dropped by the kernel's tap"
                 " before whepfan read them"
                 % (g("load_restarts"), g("load_hostile"), last.get("egress_pps"),
                    g("port_rx_missed"), g("port_rx_nombuf"), g("tap_dropped")))
    nz = lambda p: ", ".join("%s %d" % (k[len(p):], v) for k, v in sorted(last.items())
                             if k.startswith(p) and v) or "none"
    lines.append("drops by reason: " + nz("drop_"))
    lines.append("refusals by reason: " + nz("refusal_"))
    final = final or {}
    most = lambda key: max([(r.get("load_" + key) or 0) for r in rows] + [final.get(key, 0)])
    if final:
        lines.append("load tool %.0f s after the last sample: loss seen %d, repaired %d (%d"
                     " without a digest to match), unrepaired %d, wrong repairs %d, SRTP not"
                     " authenticated %d, RTP rejected %d"
                     % (final["t"] - (last.get("load_t") or 0), final["loss_seen"],
                        final["repaired"], final["unchecked"], final["unrepaired"],
                        final["wrong_repairs"], final["auth_fail"], final["rejected"]))
    else:
        fails.append("the load tool wrote no line %d s after the last sample" % SETTLE_S)
    if most("join_failed"):
        fails.append("%d viewers could not join (no keys 20 s after the POST, or the POST"
                     " failed: load.err says how far each got)" % most("join_failed"))
    if most("unrepaired"):
        fails.append("viewers saw %d packets lost that NACK did not repair" % most("unrepaired"))
    for key, what in (("wrong_repairs", "resent packets that were not the packet lost"),
                      ("auth_fail", "SRTP packets that did not authenticate"),
                      ("rejected", "RTP packets of another payload type or SSRC than the"
                                   " answer's")):
        if most(key):
            fails.append("viewers got %d %s" % (most(key), what))
    repaired = most("repaired")
    if most("sim_dropped") and most("unchecked") > UNCHECKED_MAX * repaired:
        fails.append("%d of %d repairs had no digest to match (more than %.0f %%): the check of"
                     " what was resent did not work" % (most("unchecked"), repaired,
                                                       100 * UNCHECKED_MAX))
    # the load ran to the end: its stats line moved on at every sample
    stale = [r["t_s"] for p, r in zip(rows, rows[1:])
             if r.get("load_t") is None or p.get("load_t") is not None and r["load_t"] <= p["load_t"]]
    if "load_t" in last and stale:
        fails.append("the load tool's figures did not move on at %d samples (first at %.0f s):"
                     " it stopped or hung" % (len(stale), stale[0]))
    # the columns the rules below read: a rule must not go quiet because
    # a name changed (telemetry, the load tool's line)
    for key in ("sessions", "load_live", "load_joining", "load_joins", "load_leaves",
                "load_join_refused", "load_join_max_ms"):
        if all(r.get(key) is None for r in rows if r["t_s"] > LEVEL_FROM):
            fails.append("%s: no value in any sample after %d s" % (key, LEVEL_FROM))
    extra = [r["t_s"] for r in rows if r["t_s"] > LEVEL_FROM and r.get("sessions") is not None
             and r.get("load_live") is not None and
             r["sessions"] > r["load_live"] + (r.get("load_joining") or 0) + EXTRA_SLACK]
    if extra:
        fails.append("whepfan had more sessions than the load tool's live and joining viewers"
                     " (by more than %d) at %d samples (first at %.0f s): sessions outlive"
                     " their viewers" % (EXTRA_SLACK, len(extra), extra[0]))
    join_limit = JOIN_MAX_S * (3 if asan else 1)
    slowest = max([r.get("load_join_max_ms") or 0 for r in rows] + [final.get("join_max_ms", 0)])
    if slowest > join_limit * 1000:
        fails.append("a join took %.1f s from POST to keys (more than %.0f s; load.err says"
                     " where each slow join spent its time)" % (slowest / 1e3, join_limit))
    if final.get("joining_max_ms", 0) > join_limit * 1000:
        fails.append("a viewer was still joining %.1f s after its POST at the end (more than"
                     " %.0f s)" % (final["joining_max_ms"] / 1e3, join_limit))
    # churn goes on: joins and leaves in every CHURN_WINDOW_S after the ramp
    after = [r for r in rows if r["t_s"] > LEVEL_FROM]
    for key in ("load_joins", "load_leaves"):
        for i, r in enumerate(after):
            back = [p for p in after[:i] if r["t_s"] - p["t_s"] >= CHURN_WINDOW_S]
            if back and r.get(key) is not None and back[-1].get(key) is not None \
                    and r[key] <= back[-1][key]:
                fails.append("no %s between %.0f and %.0f s: the churn stopped"
                             % (key[len("load_"):], back[-1]["t_s"], r["t_s"]))
                break
    # joins refused (409: the stream had no source; 429/503: admission) only
    # around a source restart
    refused = [r["t_s"] for p, r in zip(rows, rows[1:])
               if (r.get("load_join_refused") or 0) > (p.get("load_join_refused") or 0)
               and not any(p.get("mono", 0) - SOURCE_SETTLE_S <= e <= r.get("mono", 0) + 1
                           for e in events)]
    if refused:
        fails.append("joins refused away from any source restart at %d samples (first at"
                     " %.0f s)" % (len(refused), refused[0]))
    lost = [r["t_s"] for r in rows if r["t_s"] > LEVEL_FROM and r.get("sessions") is not None
            and r.get("load_live") is not None and r["sessions"] + LIVE_SLACK < r["load_live"]]
    if lost:
        fails.append("whepfan had fewer sessions than the load tool's live viewers (by more than"
                     " %d) at %d samples (first at %.0f s)" % (LIVE_SLACK, len(lost), lost[0]))
    # a slow leak within the tolerance shows as a slope: reported
    pts = [(r["t_s"], r["rss_kb"]) for r in rows if r["t_s"] > LEVEL_TO and r.get("rss_kb")]
    if len(pts) > 2 and levels.get("rss_kb"):
        mt = sum(t for t, _ in pts) / len(pts)
        mv = sum(v for _, v in pts) / len(pts)
        den = sum((t - mt) ** 2 for t, _ in pts)
        if den:
            slope = sum((t - mt) * (v - mv) for t, v in pts) / den
            lines.append("rss_kb: trend after %d s %+.0f KiB an hour (%+.2f %% of the level),"
                         " a least-squares fit" % (LEVEL_TO, slope * 3600,
                                                   100 * slope * 3600 / levels["rss_kb"]))
    if not g("load_live") or not g("load_leaves") or not g("load_joins"):
        fails.append("the load did not run: live %d, joins %d, leaves %d"
                     % (g("load_live"), g("load_joins"), g("load_leaves")))
    return lines, fails, levels


def write_csv(path, rows):
    cols = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    with open(path, "w") as f:
        f.write(",".join(cols) + "\n")
        for r in rows:
            f.write(",".join("" if r.get(k) is None else str(r[k]) for k in cols) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--prefix", required=True, help="whepfan's EAL file prefix")
    ap.add_argument("--load-log", required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--interval", type=float, default=10)
    ap.add_argument("--out", default="build/soak")
    ap.add_argument("--asan", action="store_true",
                    help="the sanitizer build: RSS is reported, not held to its level")
    a = ap.parse_args()

    t0 = time.monotonic()
    tel = connect(a.prefix, a.pid, 60)
    rows, fails = [], []
    csv_path = os.path.join(a.out, "soak.csv")
    next_t = t0 + a.interval
    while True:
        time.sleep(max(0, next_t - time.monotonic()))
        if rss_kb(a.pid) is None:
            fails.append("whepfan (pid %d) is gone at %.0f s" % (a.pid, time.monotonic() - t0))
            break
        try:
            rows.append(sample(tel, a.pid, a.load_log, t0, rows[-1] if rows else None))
        except (OSError, ValueError) as e:
            fails.append("telemetry failed at %.0f s: %s" % (time.monotonic() - t0, e))
            break
        write_csv(csv_path, rows)
        r = rows[-1]
        print("soak: %5.0f s  RSS %s KiB  mbufs %s  sessions %s  live %s  egress %s/s  "
              "loss seen %s unrepaired %s" % (r["t_s"], r["rss_kb"], r["mbufs_in_use"],
                                              r["sessions"], r["load_live"], r["egress_pps"],
                                              r["load_loss_seen"], r["load_unrepaired"]),
              flush=True)
        if time.monotonic() - t0 >= a.seconds:
            break
        next_t += a.interval
    tel.close()
    if not rows:
        print("soak: FAIL no samples: " + "; ".join(fails))
        return 1
    final = settle(a.load_log, rows[-1].get("load_t"))
    lines, more, levels = verdict(rows, source_events(a.load_log), a.asan, final)
    fails += more
    title = "whepfan soak, %d s, %s (dashed: source restarts)" % (
        rows[-1]["t_s"], time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    plot(rows, os.path.join(a.out, "soak.svg"), levels, title)
    report = lines + ["FAIL " + f for f in fails] + ["verdict: %s" % ("FAIL" if fails else "PASS")]
    with open(os.path.join(a.out, "summary.txt"), "w") as f:
        f.write("\n".join(report) + "\n")
    for line in report:
        print("soak: " + line)
    print("soak: %s, %s, %s" % (csv_path, os.path.join(a.out, "soak.svg"),
                                os.path.join(a.out, "summary.txt")))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
