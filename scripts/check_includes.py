#!/usr/bin/env python3
"""check_includes.py: the include rule of docs/architecture.md.

usage: scripts/check_includes.py [--report] [TOP]

Reads every .c and .h under TOP/app and TOP/lib (TOP: the project, by
default this script's parent folder), resolves each #include "..." the way
the compiler does with the Makefile's flags (the including file's folder,
then -Iapp, then -Ilib) and checks:
  - lib/ never includes app/;
  - app/core/ includes only app/core/ and lib/;
  - app/fast/ includes only app/core/, app/fast/ and lib/;
  - app/slow/, app/whep/ and app/ops/ never include app/fast/;
  - no include cycle among app/'s modules (a module is x.c with x.h: a.c
    including b.h and b.c including a.h is a cycle).
app/main.c, app/setup.* (the composition root) and app/bench/ may include
any room.  Every breach is printed as FILE:LINE: #include "X": RULE, and
the exit status is 1 when there is one; --report prints the same and
exits 0 (to see what a move must still fix).  Standard library only.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
# room: the rooms its files may include (None: any)
MAY_INCLUDE = {
    "core": {"core"},
    "fast": {"core", "fast"},
    "slow": {"core", "slow", "whep", "ops"},
    "whep": {"core", "slow", "whep", "ops"},
    "ops": {"core", "slow", "whep", "ops"},
}


def room(rel):
    """'lib', an app room ('core', 'fast', ...), 'root' (app/'s own files
    and app/bench/: the composition root and the benchmark) or None."""
    parts = rel.split("/")
    if parts[0] == "lib":
        return "lib"
    if parts[0] != "app":
        return None
    if len(parts) == 2 or parts[1] == "bench":
        return "root"
    return parts[1]


def sources(top):
    for base in ("app", "lib"):
        for d, _, files in os.walk(os.path.join(top, base)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(d, f), top)


def resolve(top, rel, name):
    """The project file an include names (relative to top), or None (a
    system or generated header)."""
    for base in (os.path.dirname(rel), "app", "lib"):
        cand = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(os.path.join(top, cand)):
            return cand
    return None


def edges(top):
    """(including file, line number, include text, included file)."""
    out = []
    for rel in sorted(sources(top)):
        with open(os.path.join(top, rel), encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if m:
                    target = resolve(top, rel, m.group(1))
                    if target:
                        out.append((rel, n, m.group(1), target))
    return out


def rule_breaches(es):
    out = []
    for rel, n, text, target in es:
        src, dst = room(rel), room(target)
        if src == "lib" and dst != "lib":
            out.append((rel, n, text, "lib/ never includes app/"))
        elif src in MAY_INCLUDE and dst not in ("lib",) and dst not in MAY_INCLUDE[src]:
            allowed = ", ".join("app/%s/" % r for r in sorted(MAY_INCLUDE[src]))
            out.append((rel, n, text, "app/%s/ includes only lib/ and %s" % (src, allowed)))
    return out


def module(rel):
    return os.path.splitext(rel)[0]


def cycles(es):
    """Strongly connected sets of more than one app/ module (Tarjan)."""
    graph = {}
    for rel, _, _, target in es:
        if rel.startswith("app/") and target.startswith("app/"):
            a, b = module(rel), module(target)
            graph.setdefault(a, set())
            graph.setdefault(b, set())
            if a != b:
                graph[a].add(b)
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        # iterative, so a long chain of modules cannot overflow Python's stack
        work = [(v, iter(sorted(graph[v])))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == node:
                            break
                    if len(comp) > 1:
                        found.append(sorted(comp))
            elif nxt not in index:
                index[nxt] = low[nxt] = counter[0]
                counter[0] += 1
                stack.append(nxt)
                on.add(nxt)
                work.append((nxt, iter(sorted(graph[nxt]))))
            elif nxt in on:
                low[node] = min(low[node], index[nxt])

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def main(argv):
    report = "--report" in argv
    args = [a for a in argv if a != "--report"]
    if len(args) > 1 or any(a.startswith("-") for a in args):
        print(__doc__.strip().split("\n")[2], file=sys.stderr)
        return 2
    top = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    es = edges(top)
    bad = 0
    for rel, n, text, why in rule_breaches(es):
        print('%s:%d: #include "%s": %s' % (rel, n, text, why))
        bad += 1
    for comp in cycles(es):
        members = set(comp)
        print("include cycle among %d modules: %s" % (len(comp), " ".join(comp)))
        for rel, n, text, target in es:
            if module(rel) in members and module(target) in members \
                    and module(rel) != module(target):
                print('%s:%d: #include "%s": part of the cycle' % (rel, n, text))
        bad += 1
    print("check_includes: %d files, %d includes, %d breaches%s"
          % (len({e[0] for e in es}), len(es), bad, " (report only)" if report else ""))
    return 1 if bad and not report else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
