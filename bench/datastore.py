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
instructions per MiB (MB/s then mean little).

`--https` measures the whole path instead: a host set up by keel.cfg with
a blank NVMe disk, and this script as the client over QEMU's user
networking (tests/system/keel_rpc.py: TLS, HTTP keep-alive, JSON-RPC),
uploading and downloading 32 MiB in 1 MiB chunks; wall-clock MB/s and
per-call latency, the final verify included.

Prints figures; never fails on a number.
Usage: bench/datastore.py [--icount | --https] [nvme|virtio|ahci ...]
"""
import base64
import hashlib
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from harness import Qemu, free_port  # noqa: E402
from keel_rpc import Rpc, wait_listening  # noqa: E402

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


def https():
    port = free_port()
    chunk = bytes((i * 131 + (i >> 12) * 17) & 0xff for i in range(1 << 20))
    n = 32
    sha = hashlib.sha256(chunk * n).hexdigest()
    data = base64.b64encode(chunk).decode()
    with Qemu("bench-ds-https") as m:
        cfg = os.path.join(m.dir, "keel.cfg")
        with open(cfg, "w") as f:
            f.write('vmaccepteula\nrootpw "Passw0rd!"\n'
                    'network --bootproto=dhcp --hostname=bench.lab\n')
        path = os.path.join(m.dir, "datastore.img")
        with open(path, "wb") as f:
            f.truncate(SIZE)
        m.build_image("", files={"keel.cfg": cfg})
        m.start(disk="ahci", extra=[
            "-smp", "2", "-nic", "user,model=e1000,hostfwd=tcp:127.0.0.1:%d-:443" % port,
            "-drive", "file=%s,format=raw,if=none,id=ds" % path,
            "-device", "nvme,serial=bench,drive=ds"])
        r = Rpc(port, thumbprint=wait_listening(port, 180), timeout=60)
        r.login("Passw0rd!")
        r.call("datastore.format", disk="nvme0n1", label="bench")
        lat = []
        try:
            t0 = time.monotonic()
            for i in range(n):
                p = {"name": "bench.bin", "offset": i << 20, "data": data}
                if i == 0:
                    p.update(size=n << 20, sha256=sha)
                if i == n - 1:
                    p["done"] = True
                t = time.monotonic()
                what = "upload chunk %d" % i
                res = r.call("datastore.upload", **p)
                lat.append(time.monotonic() - t)
            up = time.monotonic() - t0
            assert res["complete"], res
            t0 = time.monotonic()
            for i in range(n):
                what = "download chunk %d" % i
                res = r.call("datastore.download", name="bench.bin", offset=i << 20)
                assert len(res["data"]) == len(data)
            down = time.monotonic() - t0
        except (OSError, TimeoutError) as e:
            # Seen on the shared machine: the endpoint stops reading a
            # request now and then (the call never reaches rpc_handle).
            print("https   nvme0n1  %s: no answer in 60 s (%s); the host's last lines:"
                  % (what, e.__class__.__name__))
            print("\n".join(m.log().splitlines()[-5:]))
            return
        finally:
            m.stop()
    mid = sorted(lat[:-1])
    print("https   nvme0n1  upload   %5.1f MB/s (32 MiB, 1 MiB chunks; a chunk %.0f ms "
          "median, the last with the verify %.0f ms)"
          % (n * 1.048576 / up, mid[len(mid) // 2] * 1000, lat[-1] * 1000))
    print("https   nvme0n1  download %5.1f MB/s" % (n * 1.048576 / down))


def main():
    args = sys.argv[1:]
    if "--https" in args:
        https()
        return
    icount = "--icount" in args
    kinds = [a for a in args if a in SECOND] or ["nvme", "virtio", "ahci"]
    for k in kinds:
        run(k, icount)


if __name__ == "__main__":
    main()
