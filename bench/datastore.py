#!/usr/bin/python3
"""Datastore figures: write, verify and read throughput of the datastore
on NVMe, virtio-blk and AHCI under QEMU, in the datastore layer itself
and through the datastore.upload/download RPC methods (rpc_handle: JSON
parse, base64, the datastore; the TLS and HTTP of the endpoint are not
included).

Keel boots from the image with `keel.dsbench=DISK` naming a second disk
this script creates (96 MiB, raw); mgmt/rpc_ds_bench.c formats it and
moves 32 MiB each way in 1 MiB chunks, prints `dsbench:` lines and powers
off. `--icount` runs QEMU with -icount shift=0: TSC ticks per MiB are then
instructions per MiB (MB/s then mean little). Prints figures; never fails
on a number. Usage: bench/datastore.py [--icount] [nvme|virtio|ahci ...]
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from harness import Qemu  # noqa: E402

SIZE = 96 << 20
LINE = r"dsbench: (ds write|ds verify|ds read|rpc upload|rpc download) (\d+) MiB in (\d+) us = (\d+) MB/s, (\d+) TSC ticks per MiB"

SECOND = {
    "nvme": ("nvme0n1", "ahci", ["-device", "nvme,serial=bench,drive=ds"]),
    "virtio": ("vblk0", "ahci", ["-device", "virtio-blk-pci,drive=ds,disable-legacy=on"]),
    "ahci": ("ahci0", "nvme", ["-device", "ahci,id=ahci2", "-device",
                               "ide-hd,drive=ds,bus=ahci2.0"]),
}


def run(kind, icount):
    dev, boot, args = SECOND[kind]
    with Qemu("bench-ds-%s" % kind) as m:
        path = os.path.join(m.dir, "datastore.img")
        with open(path, "wb") as f:
            f.truncate(SIZE)
        extra = ["-smp", "2", "-drive", "file=%s,format=raw,if=none,id=ds" % path] + args
        if icount:
            extra += ["-icount", "shift=0"]
        m.build_image("keel.dsbench=" + dev)
        m.start(disk=boot, extra=extra)
        text = m.wait_exit([r"dsbench: done"], 900)
    rows = re.findall(LINE, text)
    if len(rows) != 5:
        print("%-7s no figures (see the dsbench lines):" % kind)
        print("\n".join(l for l in text.splitlines() if "dsbench" in l))
        return
    for what, mib, us, mbps, ticks in rows:
        print("%-7s %-8s %-13s %4s MB/s  %12s ticks/MiB%s"
              % (kind, dev, what, mbps, ticks, " (instructions)" if icount else ""))


def main():
    args = sys.argv[1:]
    icount = "--icount" in args
    kinds = [a for a in args if a in SECOND] or ["nvme", "virtio", "ahci"]
    for k in kinds:
        run(k, icount)


if __name__ == "__main__":
    main()
