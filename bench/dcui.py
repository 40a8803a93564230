#!/usr/bin/python3
"""Setup console figures: power-on to the first console screen (the
wizard on a new host, the status screen on a configured one).

Prints figures; never fails on a number. Instructions are counted with
QEMU `-icount shift=0`, where the guest TSC advances one tick per
instruction: the `TSC ticks since entry` of the line
`firstboot: ... up after N ms (T TSC ticks since entry)` is the number of
instructions from Keel's entry to the screen being drawn. Wall time is
from starting QEMU (BIOS, USB stick or AHCI disk, e1000) to that line.

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


def first_screen(m, icount, disk, skip=0):
    t0 = time.monotonic()
    m.start(disk=disk, serial_in=True, extra=["-icount", "shift=0"] if icount else [])
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


CHANGED = r"firstboot: network change stored in (\d+) us, applied in (\d+) us"


def change_network(m):
    """F2, log in, Configure Management Network: DHCP -> static. Keys are
    typed blind (the screen is on VGA only with keel.serial=log)."""
    for keys in (b"\x1bOQ", b"Keel-Bench1\r", b"\x1b[1~\r",
                 b" \r10.0.2.20\r255.255.255.0\r10.0.2.2\r\r\r\r\r\r", b"y"):
        m.send_serial(keys)
        time.sleep(1.5)
    deadline = time.monotonic() + 60
    while not re.search(CHANGED, m.log()):
        if time.monotonic() > deadline:
            m.fail("the network change did not happen", m.log())
        time.sleep(0.3)
    stored, applied = re.search(CHANGED, m.log()).groups()
    print("settings change (F2 network DHCP -> static): stored durably in %.1f ms, "
          "active in lwIP %.1f ms later (TCG wall)" % (int(stored) / 1000, int(applied) / 1000))


def main():
    # The product boots from a USB stick (the store waits for the xHCI
    # enumeration); AHCI shows the same path without USB's start-up.
    for icount, disk in ((False, "usb"), (False, "ahci"), (True, "ahci")):
        mode = "-icount shift=0" if icount else "TCG"
        with Qemu("bench-dcui") as m:
            # keel.serial=log: the log line is readable while the screen is up.
            m.build_image("")
            what, wall, ticks = first_screen(m, icount, disk)
            print("%s, %s, first boot: %s after %.2f s wall, %d %s"
                  % (disk, mode, what, wall, ticks,
                     "instructions" if icount else "TSC ticks"))
            run_wizard(m)
            time.sleep(1)
            m.stop()
            skip = len(m.log())
            what, wall, ticks = first_screen(m, icount, disk, skip)
            print("%s, %s, configured host: %s after %.2f s wall, %d %s"
                  % (disk, mode, what, wall, ticks,
                     "instructions" if icount else "TSC ticks"))
            if not icount and disk == "ahci":
                change_network(m)


main()
