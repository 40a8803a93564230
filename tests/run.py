#!/usr/bin/python3
"""Run every Keel test and end with one line: `N passed, N failed`.

Unit tests are host binaries in build/tests/unit (one PASS/FAIL line per
test case); system tests are the test_* functions in tests/system/test_*.py,
each booting the real image. Two at a time: the machine has two cores and
each emulator keeps one busy. `tests/run.py PATTERN` runs matching tests.
"""
import concurrent.futures
import glob
import importlib.util
import os
import subprocess
import sys
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
sys.path.insert(0, os.path.join(ROOT, "tests", "client"))

# The slowest first, so the two workers finish together.
SLOW_FIRST = ["bochs"]


def unit_tests():
    results = []
    for binary in sorted(glob.glob(os.path.join(BUILD, "tests", "unit", "test_*"))):
        name = os.path.basename(binary)
        # A binary whose source is gone is stale build output, not a test.
        if not os.path.exists(os.path.join(ROOT, "tests", "unit", name + ".c")):
            continue
        t0 = time.monotonic()
        p = subprocess.run([binary], capture_output=True, text=True, timeout=120)
        detail = []
        seen = 0
        for line in p.stdout.splitlines():
            if line.startswith(("PASS ", "FAIL ")):
                seen += 1
                results.append((line[:4] == "PASS", "unit/%s/%s" % (name, line[5:]),
                                time.monotonic() - t0, "\n".join(detail)))
                detail = []
            elif not line.startswith("RUN "):
                detail.append("    " + line)
        # A crash (sanitizer, signal) fails the test it was running.
        if p.returncode != 0 and (seen == 0 or results[-1][0]):
            results.append((False, "unit/%s (exit %d)" % (name, p.returncode),
                            time.monotonic() - t0, p.stdout[-2000:] + p.stderr[-4000:]))
    return results


def system_tests():
    """tests/system (boot the image) and tests/client (keelctl against
    local TLS servers, no emulator), named by their folder."""
    tests = []
    for kind in ("system", "client"):
        for path in sorted(glob.glob(os.path.join(ROOT, "tests", kind, "test_*.py"))):
            spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            for attr in dir(mod):
                if attr.startswith("test_") and callable(getattr(mod, attr)):
                    tests.append(("%s/%s/%s" % (kind, mod.__name__, attr[5:]),
                                  getattr(mod, attr)))
    tests.sort(key=lambda t: not any(s in t[0] for s in SLOW_FIRST))
    return tests


def emulator_fault(msg):
    """Why a failure is QEMU's, not Keel's, or None (docs/hv.md, "QEMU
    7.2's SVM"): its TCG triple-faulted Keel itself right after a #VMEXIT
    with Keel's page tables intact, or a Linux guest under its SVM died of
    a triple fault (the same spurious page-walk failure, in the guest)."""
    import harness
    made = harness.machines_made(reset=True)
    for m in made:
        if isinstance(m, harness.Qemu) and m.host_triple_fault():
            return "QEMU triple-faulted the host (files in %s)" % m.dir
    if "stop reason: triple fault" in msg and any(isinstance(m, harness.Qemu) for m in made):
        return "a guest triple-faulted under QEMU's SVM"
    return None


def run_one(name, fn, retry=True):
    """Run one test; a failure the emulator caused runs it once more, and
    says so (the first failure's details stay in the output)."""
    t0 = time.monotonic()
    try:
        import harness
        harness.machines_made(reset=True)
    except ImportError:
        pass
    try:
        fn()
        return True, name, time.monotonic() - t0, ""
    except Exception as e:  # any exception fails only this test
        msg = str(e) if isinstance(e, AssertionError) else traceback.format_exc()
        detail = "    " + msg.replace("\n", "\n    ")
    why = emulator_fault(msg)
    if why and retry:
        print("RETRY %s: emulator fault: %s\n%s" % (name, why, detail), flush=True)
        ok, _, secs, detail = run_one(name, fn, retry=False)
        return ok, name + " (retried: emulator fault)", time.monotonic() - t0, detail
    return False, name, time.monotonic() - t0, detail


def report(result):
    ok, name, secs, detail = result
    print("%s %s (%.1fs)" % ("PASS" if ok else "FAIL", name, secs), flush=True)
    if not ok and detail:
        print(detail, flush=True)


def main():
    pattern = sys.argv[1] if len(sys.argv) > 1 else ""
    results = []
    for r in unit_tests():
        if pattern in r[1]:
            report(r)
            results.append(r)
    tests = [t for t in system_tests() if pattern in t[0]]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(run_one, name, fn) for name, fn in tests]
        for f in concurrent.futures.as_completed(futures):
            report(f.result())
            results.append(f.result())
    passed = sum(1 for r in results if r[0])
    failed = len(results) - passed
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
