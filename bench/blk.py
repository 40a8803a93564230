#!/usr/bin/python3
"""Block figures: sequential read/write throughput and flush latency of
Keel's AHCI, NVMe, virtio-blk and USB mass-storage drivers under QEMU,
against the host on the same file.

Keel boots from the image with `keel.blkbench=DISK` naming a second, scratch
disk this script creates (32 MiB, raw); the in-image routine
(drivers/blk_bench.c) writes and reads 16 MiB in 256 KiB requests, times 20
one-sector write + flush pairs, prints `blkbench:` lines and powers off.
The host figure is this script writing and reading the same backing file
in 256 KiB chunks with an fsync, so `ratio` is Keel-in-QEMU over host
(the host read comes from its page cache: an upper bound). Prints figures;
never fails on a number. `--icount` runs QEMU with -icount shift=0 (TSC
ticks are then instructions; wall-clock MB/s mean little).
Usage: bench/blk.py [--icount]   (after ./build.sh)
"""
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from harness import Qemu  # noqa: E402

SIZE = 32 << 20
BYTES = 16 << 20
CHUNK = 256 << 10
SEQ = r"blkbench: (\S+): sequential (write|read) (\d+) KiB in (\d+) us = (\d+) MB/s \((\d+) TSC ticks\)"
FLUSH = r"blkbench: \S+: flush after a 1-sector write: (\d+) us, (\d+) TSC ticks"


def scratch_extra(disk, path):
    """QEMU arguments for the scratch disk next to the boot disk, and the
    name Keel gives it."""
    drive = ["-drive", "file=%s,format=raw,if=none,id=scratch" % path]
    return {
        "ahci": (drive + ["-device", "ide-hd,drive=scratch,bus=ahci.1"], "ahci1"),
        "nvme": (drive + ["-device", "nvme,serial=scratch1,drive=scratch"], "nvme1n1"),
        "virtio": (drive + ["-device", "virtio-blk-pci,drive=scratch,disable-legacy=on"],
                   "vblk1"),
        "usb": (drive + ["-device", "usb-storage,bus=xhci.0,drive=scratch"], "usb1"),
    }[disk]


def host_figures(path):
    data = bytes((i * 7 + 1) & 0xff for i in range(CHUNK))
    t0 = time.monotonic()
    with open(path, "r+b") as f:
        for off in range(0, BYTES, CHUNK):
            f.write(data)
        f.flush()
        os.fsync(f.fileno())
    w = BYTES / (time.monotonic() - t0) / 1e6
    t0 = time.monotonic()
    with open(path, "rb") as f:
        while f.read(CHUNK):
            pass
    r = SIZE / (time.monotonic() - t0) / 1e6
    t0 = time.monotonic()
    with open(path, "r+b") as f:
        for i in range(20):
            f.write(data[:512])
            f.flush()
            os.fsync(f.fileno())
    fl = (time.monotonic() - t0) / 20 * 1e6
    return {"write": w, "read": r, "flush_us": fl}


def run(disk, icount):
    with Qemu("bench-blk-%s" % disk) as m:
        scratch = os.path.join(m.dir, "scratch.img")
        with open(scratch, "wb") as f:
            f.truncate(SIZE)
        extra, name = scratch_extra(disk, scratch)
        if icount:
            extra += ["-icount", "shift=0"]
        m.build_image("keel.blkbench=" + name)
        m.start(disk=disk, extra=extra)
        text = m.wait_exit([r"blkbench: done"], 600)
        seq = {g[1]: g for g in re.findall(SEQ, text)}
        fl = re.search(FLUSH, text)
        host = host_figures(scratch)
    if "write" not in seq or "read" not in seq or not fl:
        print("%-6s no figures (see the blkbench lines):" % disk)
        print("\n".join(l for l in text.splitlines() if "blkbench" in l))
        return
    for kind in ("write", "read"):
        mbps = int(seq[kind][4])
        print("%-6s %-16s sequential %-5s %6d MB/s (%d TSC ticks); host %7.0f MB/s; ratio %.3f"
              % (disk, name, kind, mbps, int(seq[kind][5]), host[kind],
                 mbps / host[kind] if host[kind] else 0))
    print("%-6s %-16s flush latency  %6s us (%s TSC ticks); host fsync %.0f us"
          % (disk, name, fl.group(1), fl.group(2), host["flush_us"]))


def main():
    icount = "--icount" in sys.argv[1:]
    for disk in ("ahci", "nvme", "virtio", "usb"):
        run(disk, icount)


if __name__ == "__main__":
    main()
