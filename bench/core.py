#!/usr/bin/python3
"""Core-kernel figures (issue 3); prints, never fails on a number.

Boots keel.selftest under QEMU with 4 CPUs, once with -icount shift=0 (the
TSC counts instructions: figures in instructions) and once without (wall
time), and prints the time from Keel's first instruction to
`smp: 4 CPUs online`, frame allocation and free cost, thread ping-pong
across CPUs and a cross-CPU call.
Usage: bench/core.py   (after ./build.sh)
"""
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from harness import Qemu  # noqa: E402

FIGURES = [
    ("smp", r"^smp: 4 CPUs online \((\d+) TSC ticks since entry\)"),
    ("pmm", r"^bench: pmm (\d+) ticks per alloc, (\d+) per free"),
    ("pingpong", r"^bench: thread ping-pong CPU 0 <-> CPU 1: (\d+) ns per round trip"),
    ("call", r"^bench: cross-CPU call to 3 CPUs: (\d+) ticks"),
]


def run(icount):
    with Qemu("bench-core") as m:
        m.build_image("keel.selftest")
        t0 = time.monotonic()
        m.start(firmware="bios", disk="ide", mem=1024,
                extra=["-smp", "4"] + (["-icount", "shift=0"] if icount else []))
        text = m.wait_for([r"^smp: 4 CPUs online"], 120)
        t_smp = time.monotonic() - t0
        text = m.wait_exit([r"^selftest: \d+ passed"], 300)
        got = {k: re.search(p, text, re.M).groups() for k, p in FIGURES}
        return t_smp, got


def main():
    t_smp, ins = run(icount=True)
    print("smp: 4 CPUs online after %s instructions (%.1f M) from Keel's first "
          "instruction" % (ins["smp"][0], int(ins["smp"][0]) / 1e6))
    print("pmm: %s instructions per frame allocation, %s per free (4 KiB and "
          "2 MiB mixed, 1 CPU)" % ins["pmm"])
    print("ipi: cross-CPU call to 3 CPUs and back: %s instructions" % ins["call"])
    t_smp, wall = run(icount=False)
    print("smp: 4 CPUs online %.2f s wall after QEMU start (TCG, SeaBIOS, GRUB "
          "included)" % t_smp)
    print("threads: ping-pong between CPU 0 and CPU 1: %s ns per round trip "
          "(TCG wall clock)" % wall["pingpong"])


main()
