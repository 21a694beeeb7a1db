#!/usr/bin/env python3
"""test_check_includes.py: the include rule (scripts/check_includes.py).

The project's own tree must keep the rule; and the checker must catch each
kind of breach, shown on small made-up trees that break one rule each
(without those, a checker that found nothing would pass).  Run by
scripts/run-tests.sh (make test); ends with "# test_check_includes: N
passed, N failed".
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
CHECKER = os.path.join(TOP, "scripts", "check_includes.py")

passed = failed = 0
trees = []


def run(top, *flags):
    p = subprocess.run([sys.executable, CHECKER, *flags, top], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def result(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL %s\n%s" % (name, detail))


def tree(files):
    """A made-up project: {path: text}; every header gets a guard-free body."""
    top = tempfile.mkdtemp(prefix="wfinc")
    trees.append(top)
    for path, text in files.items():
        full = os.path.join(top, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)
    return top


def inc(*names):
    return "".join('#include "%s"\n' % n for n in names)


# a tree that keeps every rule: the base the cases below break
GOOD = {
    "lib/rtp/rtp.h": "",
    "lib/rtp/rtp.c": inc("rtp/rtp.h"),
    "app/core/app.h": inc("rtp/rtp.h"),
    "app/core/app.c": inc("core/app.h"),
    "app/fast/worker.h": inc("core/app.h"),
    "app/fast/worker.c": inc("fast/worker.h", "core/app.h", "rtp/rtp.h"),
    "app/slow/loop.h": "",
    "app/slow/loop.c": inc("slow/loop.h", "whep/http.h", "core/app.h"),
    "app/whep/http.h": inc("core/app.h"),
    "app/whep/http.c": inc("whep/http.h", "ops/metrics.h"),
    "app/ops/metrics.h": "",
    "app/ops/metrics.c": inc("ops/metrics.h", "core/app.h"),
    "app/main.c": inc("fast/worker.h", "slow/loop.h"),
    "app/bench/bench.c": inc("fast/worker.h"),
}


def case(name, changes, want):
    """The GOOD tree with changes applied must fail, naming want."""
    files = dict(GOOD)
    files.update(changes)
    rc, out = run(tree(files))
    result(name, rc == 1 and want in out, "exit %d, want %r in:\n%s" % (rc, want, out))


rc, out = run(TOP)
result("the project keeps the rule", rc == 0 and "0 breaches" in out, out)

rc, out = run(tree(GOOD))
result("a tree that keeps every rule passes", rc == 0, out)

case("lib/ including app/ is caught",
     {"lib/rtp/rtp.c": inc("rtp/rtp.h", "core/app.h")},
     'lib/rtp/rtp.c:2: #include "core/app.h": lib/ never includes app/')
case("core/ including fast/ is caught",
     {"app/core/app.c": inc("core/app.h", "fast/worker.h")},
     'app/core/app.c:2: #include "fast/worker.h": app/core/ includes only')
case("fast/ including slow/ is caught",
     {"app/fast/worker.c": inc("fast/worker.h", "slow/loop.h")},
     'app/fast/worker.c:2: #include "slow/loop.h": app/fast/ includes only')
case("slow/ including fast/ is caught",
     {"app/slow/loop.c": inc("slow/loop.h", "fast/worker.h")},
     'app/slow/loop.c:2: #include "fast/worker.h": app/slow/ includes only')
case("whep/ including fast/ is caught",
     {"app/whep/http.c": inc("whep/http.h", "fast/worker.h")},
     'app/whep/http.c:2: #include "fast/worker.h": app/whep/ includes only')
case("ops/ including fast/ is caught",
     {"app/ops/metrics.c": inc("ops/metrics.h", "fast/worker.h")},
     'app/ops/metrics.c:2: #include "fast/worker.h": app/ops/ includes only')
case("a room including the composition root is caught",
     {"app/setup.h": "", "app/slow/loop.c": inc("slow/loop.h", "setup.h")},
     'app/slow/loop.c:2: #include "setup.h": app/slow/ includes only')
case("a cycle between two modules of one room is caught",
     {"app/whep/http.c": inc("whep/http.h", "ops/metrics.h"),
      "app/ops/metrics.c": inc("ops/metrics.h", "whep/http.h")},
     "include cycle among 2 modules: app/ops/metrics app/whep/http")
case("a cycle through three modules is caught",
     {"app/slow/loop.h": inc("whep/http.h"),
      "app/whep/http.c": inc("whep/http.h", "ops/metrics.h"),
      "app/ops/metrics.h": inc("slow/loop.h")},
     "include cycle among 3 modules")

rc, out = run(tree(dict(GOOD, **{"app/core/app.c": inc("core/app.h", "fast/worker.h")})),
              "--report")
result("--report prints the breach and exits 0", rc == 0 and "fast/worker.h" in out, out)

for t in trees:
    shutil.rmtree(t, ignore_errors=True)
print("# test_check_includes: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
