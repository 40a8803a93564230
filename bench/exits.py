#!/usr/bin/python3
"""VM-exit round trips (issue 4), measured from inside the test guests.

AMD-V/NPT runs under QEMU -icount shift=0, where the guest TSC counts
instructions at every nesting level: the figures are instructions. VT-x/EPT
runs under Bochs, whose TSC advances about one tick per instruction.
Each figure covers the whole round trip: guest instruction, exit, Keel's
dispatch and handler, and the re-entry. Prints; never fails on a number.
Usage: bench/exits.py (after ./build.sh)
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from harness import Bochs, Qemu  # noqa: E402

BASIC = r"^bench: (\S+) round trip: CPUID (\d+) ticks, port write (\d+) ticks"
APIC = r"^bench: (\S+) round trip: LAPIC EOI (\d+) ticks, TSC-deadline re-arm (\d+) ticks"
MMIO = (r"^bench: (\S+) round trip: MMIO write (\d+) ticks, stage-2 fault "
        r"backing 2 MiB (\d+) ticks")


def report(text, unit):
    name, cpuid, io = re.search(BASIC, text, re.M).groups()
    _, mmio, s2 = re.search(MMIO, text, re.M).groups()
    print("%s: CPUID %s, port write %s, MMIO write (emulated) %s, stage-2 "
          "fault backing 2 MiB %s %s per round trip" % (name, cpuid, io, mmio, s2, unit))
    m = re.search(APIC, text, re.M)
    if m:
        print("%s: x2APIC EOI (WRMSR) %s, TSC-deadline re-arm (WRMSR) %s %s "
              "per round trip" % (m.group(1), m.group(2), m.group(3), unit))


with Qemu("bench-exits") as m:
    m.build_image("keel.selftest")
    m.start(firmware="bios", disk="ide", extra=["-icount", "shift=0"])
    report(m.wait_exit([BASIC, MMIO, APIC], 300), "instructions (QEMU -icount)")

with Bochs("bench-exits") as m:
    m.build_image("keel.selftest")
    m.start()
    report(m.wait_exit([BASIC, MMIO, APIC], 300), "Bochs TSC ticks (~instructions)")
