#!/usr/bin/python3
"""virtio-blk figures: sequential write and read throughput and flush
latency as Keel's driver sees them under QEMU (TCG), next to the host
writing and reading the same file itself, for a ratio.

The in-image routine (drivers/virtio_blk_test.c, `keel.blkbench=vblk1`)
writes 32 MiB in 1 MiB requests and flushes, reads them back, then times
20 single-sector write + flush pairs. Prints figures; never fails on a
number. Usage: bench/blk_virtio.py   (after ./build.sh)
"""
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from harness import Qemu  # noqa: E402

MIB = 32
CHUNK = 1 << 20


def keel_figures():
    with Qemu("bench-vblk") as m:
        m.build_image("keel.blkbench=vblk1")
        scratch = os.path.join(m.dir, "scratch.img")
        with open(scratch, "wb") as f:
            f.truncate(64 << 20)
        m.start(firmware="bios", disk="virtio",
                extra=["-nic", "none",
                       "-drive", "file=%s,format=raw,if=none,id=s" % scratch,
                       "-device", "virtio-blk-pci,drive=s,disable-legacy=on"])
        text = m.wait_for([r"blkbench: done|blkbench: .*failed"], 300)
        if re.search(r"blkbench: .*failed", text):
            print("keel: bench failed:\n" + "\n".join(
                l for l in text.splitlines() if "blkbench" in l or "vblk" in l))
            return None
        w = int(re.search(r"seq write \d+ MiB: (\d+) KB/s", text).group(1))
        r = int(re.search(r"seq read \d+ MiB: (\d+) KB/s", text).group(1))
        f = re.search(r"flush latency us: avg (\d+) min (\d+) max (\d+)", text).groups()
        return w / 1000.0, r / 1000.0, [int(x) for x in f]


def host_figures(path):
    buf = bytes(range(256)) * (CHUNK // 256)
    t0 = time.monotonic()
    with open(path, "wb") as f:
        for _ in range(MIB):
            f.write(buf)
        f.flush()
        os.fsync(f.fileno())
    w = MIB * CHUNK / 1e6 / (time.monotonic() - t0)
    t0 = time.monotonic()
    with open(path, "rb") as f:
        while f.read(CHUNK):
            pass
    r = MIB * CHUNK / 1e6 / (time.monotonic() - t0)
    lat = []
    with open(path, "r+b") as f:
        for i in range(20):
            f.seek(i * 512)
            f.write(buf[:512])
            f.flush()
            t0 = time.monotonic()
            os.fsync(f.fileno())
            lat.append((time.monotonic() - t0) * 1e6)
    return w, r, sum(lat) / len(lat)


def main():
    k = keel_figures()
    hw, hr, hf = host_figures(os.path.join(ROOT, "build", "bench-blk-host.img"))
    os.unlink(os.path.join(ROOT, "build", "bench-blk-host.img"))
    print("host (python, same machine): seq write %.1f MB/s (with fsync), "
          "seq read %.1f MB/s (page cache), fsync %.0f us" % (hw, hr, hf))
    if not k:
        return
    kw, kr, (favg, fmin, fmax) = k
    print("keel virtio-blk (QEMU TCG, %d MiB, 1 MiB requests): seq write %.1f MB/s, "
          "seq read %.1f MB/s" % (MIB, kw, kr))
    print("keel virtio-blk flush latency: avg %d us, min %d us, max %d us"
          % (favg, fmin, fmax))
    print("ratio keel/host: write %.2f, read %.2f" % (kw / hw, kr / hr))


main()
