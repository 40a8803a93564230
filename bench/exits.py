#!/usr/bin/python3
"""VM-exit round trips (issue 4): instructions per CPUID and per port write
from inside a test guest, on AMD-V/NPT under QEMU -icount shift=0, where
the guest TSC counts instructions at every nesting level. Prints figures;
never fails on a number. The VT-x/EPT figure comes from Bochs
(tests/system/test_vmx.py logs it). Usage: bench/exits.py (after ./build.sh)
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from harness import Qemu  # noqa: E402

with Qemu("bench-exits") as m:
    m.build_image("keel.selftest")
    m.start(firmware="bios", disk="ide", extra=["-icount", "shift=0"])
    text = m.wait_exit([r"^bench: AMD-V round trip"], 300)
    cpuid, io = re.search(r"^bench: AMD-V round trip: CPUID (\d+) ticks, "
                          r"port write (\d+) ticks", text, re.M).groups()
    print("svm: CPUID exit round trip %s instructions (guest rdtsc under "
          "-icount)" % cpuid)
    print("svm: port-write exit round trip %s instructions" % io)
