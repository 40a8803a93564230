#!/usr/bin/python3
"""Config-store figures: the latency of one durable SQLite commit through
Keel's block VFS (store/store_vfs.c), per disk controller, under QEMU.

Keel boots with `keel.storebench=N` (store/store_powertest.c): it formats
the store on the image's own KEEL-CONFIG partition (a private copy of the
image), then commits N one-row transactions (synchronous=FULL,
journal_mode=DELETE: journal write, flush, size record, flush, database
pages, flush, journal deletion, flush) and prints the average, minimum
and maximum latency in microseconds and the average in TSC ticks, then
powers off. With `--icount` QEMU runs -icount shift=0, where TSC ticks
are instructions (wall-clock microseconds then mean little). Prints
figures; never fails on a number.
Usage: bench/store.py [--icount] [N]   (after ./build.sh)
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from harness import Qemu  # noqa: E402

LINE = (r"storebench: (\d+) commits: (\d+) us average \(min (\d+), max (\d+)\), "
        r"(\d+) TSC ticks average")


def run(disk, n, icount):
    with Qemu("bench-store-%s" % disk) as m:
        m.build_image("keel.storebench=%d" % n)
        extra = ["-nic", "none"] + (["-icount", "shift=0"] if icount else [])
        m.start(disk=disk, extra=extra)
        text = m.wait_exit([r"storebench: done"], 600)
    f = re.search(LINE, text)
    if not f:
        print("%-6s no figures:" % disk)
        print("\n".join(l for l in text.splitlines() if "storebench" in l))
        return
    print("%-6s %s commits: %6s us average (min %s, max %s), %s %s per commit"
          % (disk, f.group(1), f.group(2), f.group(3), f.group(4), f.group(5),
             "instructions" if icount else "TSC ticks"))


def main():
    args = sys.argv[1:]
    icount = "--icount" in args
    nums = [a for a in args if a.isdigit()]
    n = int(nums[0]) if nums else 200
    for disk in ("ahci", "nvme", "virtio", "usb"):
        run(disk, n, icount)


if __name__ == "__main__":
    main()
