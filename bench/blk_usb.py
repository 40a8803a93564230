#!/usr/bin/python3
"""USB mass-storage figures: Keel's sequential write/read throughput and
flush latency on a scratch usb-storage disk behind qemu-xhci (QEMU TCG),
and the host's own figures on the same file, for a ratio.

Keel runs its in-image routine (keel.usbbench=usb1, drivers/
usb_storage_test.c): 16 MiB written in 64 KiB requests then flushed,
read back, then 20 single-sector write + SYNCHRONIZE CACHE rounds.
The host does the same with os.pwrite/os.pread/os.fsync on the file.
Prints figures; never fails on a number.
Usage: bench/blk_usb.py   (after ./build.sh)
"""
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from harness import Qemu  # noqa: E402

MIB = 1 << 20
BYTES, CHUNK, FLUSHES = 16 * MIB, 64 << 10, 20
LINE = (r"usbbench: usb1: write (\d+) KiB/s, read (\d+) KiB/s, flush (\d+) us")


def keel(path_holder):
    with Qemu("bench-usb") as m:
        m.build_image("keel.usbbench=usb1")
        path = os.path.join(m.dir, "scratch.img")
        with open(path, "wb") as f:
            f.truncate(32 * MIB)
        m.start(firmware="bios", disk="usb",
                extra=["-nic", "none",
                       "-drive", "file=%s,format=raw,if=none,id=scratch" % path,
                       "-device", "usb-storage,bus=xhci.0,drive=scratch"])
        text = m.wait_for([LINE], 300)
        w, r, fl = (int(x) for x in re.search(LINE, text).groups())
        m.stop()
        path_holder.append(host(path))
        return w, r, fl


def host(path):
    buf = b"\x5a" * CHUNK
    fd = os.open(path, os.O_RDWR)
    try:
        t = time.monotonic()
        for off in range(0, BYTES, CHUNK):
            os.pwrite(fd, buf, off)
        os.fsync(fd)
        tw = time.monotonic() - t
        t = time.monotonic()
        for off in range(0, BYTES, CHUNK):
            os.pread(fd, CHUNK, off)
        tr = time.monotonic() - t
        tf = 0.0
        for i in range(FLUSHES):
            os.pwrite(fd, buf[:512], i * 512)
            t = time.monotonic()
            os.fsync(fd)
            tf += time.monotonic() - t
    finally:
        os.close(fd)
    kib = BYTES / 1024
    return kib / tw, kib / tr, tf / FLUSHES * 1e6


def main():
    hosts = []
    w, r, fl = keel(hosts)
    hw, hr, hf = hosts[0]
    print("usb-storage (qemu-xhci, QEMU TCG): write %d KiB/s, read %d KiB/s, "
          "flush %d us" % (w, r, fl))
    print("host, same file: write %d KiB/s, read %d KiB/s, fsync %d us"
          % (hw, hr, hf))
    print("ratio keel/host: write %.3f, read %.3f, flush latency x%.1f"
          % (w / hw, r / hr, fl / hf if hf else 0))


main()
