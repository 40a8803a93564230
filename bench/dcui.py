#!/usr/bin/python3
"""Setup console figures: power-on to the first console screen (the
wizard on a new host, the status screen on a configured one).

Prints figures; never fails on a number. Instructions are counted with
QEMU `-icount shift=0`, where the guest TSC advances one tick per
instruction: the `TSC ticks since entry` of the line
`firstboot: ... up after N ms (T TSC ticks since entry)` is the number of
instructions from Keel's entry to the screen being drawn. Wall time is
from starting QEMU (BIOS, IDE disk, e1000) to that line.

The configured-host figure boots the disk the wizard wrote a second
time; it needs the real config store (with a RAM store the second boot
shows the wizard again, and the script says so).
Usage: bench/dcui.py   (after ./build.sh)
"""
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from harness import Qemu  # noqa: E402
from vt100_screen import screen_of  # noqa: E402

UP = r"firstboot: (setup wizard|status screen) up after (\d+) ms \((\d+) TSC ticks since entry\)"


def first_screen(m, icount, skip=0):
    t0 = time.monotonic()
    m.start(serial_in=True, extra=["-icount", "shift=0"] if icount else [])
    deadline = t0 + 180
    while True:
        found = re.findall(UP, m.log()[skip:])
        if found:
            what, ms, ticks = found[0]
            return what, time.monotonic() - t0, int(ticks)
        if time.monotonic() > deadline:
            m.fail("no console screen after 180 s", m.log())
        time.sleep(0.05)


def run_wizard(m):
    # keel.serial=log: the screen is on VGA only, keys still come in on serial.
    m.send_serial(b"Keel-Bench1\rKeel-Bench1\r")
    time.sleep(1)
    m.send_serial(b"\r\r\r\r\r\r")
    time.sleep(1)
    m.send_serial(b"y")
    deadline = time.monotonic() + 120
    while "firstboot: host configured by console" not in m.log():
        if time.monotonic() > deadline:
            m.fail("wizard did not finish", m.log())
        time.sleep(0.3)


def main():
    for icount in (False, True):
        with Qemu("bench-dcui") as m:
            # keel.serial=log: the log line is readable while the screen is up.
            m.build_image("")
            what, wall, ticks = first_screen(m, icount)
            print("first boot (%s): %s after %.2f s wall, %d %s"
                  % ("-icount shift=0" if icount else "TCG", what, wall, ticks,
                     "instructions" if icount else "TSC ticks"))
            run_wizard(m)
            time.sleep(1)
            m.stop()
            skip = len(m.log())
            what, wall, ticks = first_screen(m, icount, skip)
            print("second boot (%s): %s after %.2f s wall, %d %s%s"
                  % ("-icount shift=0" if icount else "TCG", what, wall, ticks,
                     "instructions" if icount else "TSC ticks",
                     "" if what == "status screen" else
                     "  (no persistent store on this build: wizard again)"))


main()
