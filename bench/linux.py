#!/usr/bin/python3
"""Issue 8: time from power-on (or VM start) to the Linux guest's init.

The guest is tools/linux_guest.sh's (the stock Debian kernel, a busybox
initramfs); its /init prints `KEEL-GUEST-INIT tsc=N uptime=U idle=I` first
thing. Figures:

- direct: the same kernel and initramfs booted by QEMU itself (TCG, no
  Keel), the baseline. Wall time from starting QEMU to the marker; and
  under `-icount shift=0` the guest TSC at the marker, which counts one
  tick per instruction executed and one per nanosecond the CPU idles
  (QEMU's virtual clock), so instructions = tsc - idle (the kernel's idle
  time from /proc/uptime; its 10 ms resolution is 10 M ticks).
- keel: the same guest in a Keel VM on QEMU (SVM/NPT), from vm.start
  returning to the marker on vm.console.read: wall time, and under
  -icount the VM's run time by Keel's clock (virtual ns = instructions +
  idle, comparable with the direct TSC figure); exits by reason and per
  second, Keel's memory per VM (measured from host.stats, and vm.stats'
  estimate), virtio-blk dd. The VM's TSC starts near 0 at vm.start, so
  under -icount its value at the marker is the instructions (and idle
  ns) the host spent from VM start to init, Keel's exits included.

Prints figures; never fails on a number.
Usage: bench/linux.py [--direct-only] [--cpus N] [--mem MB]
"""
import argparse
import os
import sys
import shutil
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from linux_guest import INIT_MARKER, DirectQemu, blk_throughput, ensure_guest  # noqa: E402

DISK_MB = 64


def direct(icount, cpus, mem):
    """Boot under plain QEMU; returns (wall s to the marker, init info)."""
    work = tempfile.mkdtemp(prefix="keel-bench-linux-")
    disk = os.path.join(work, "disk.img")
    with open(disk, "wb") as f:
        f.truncate(DISK_MB << 20)
    with DirectQemu(work, mem=mem, cpus=cpus, icount=icount, reboot=False, disk=disk) as q:
        q.wait_for(INIT_MARKER, 600)
        wall = time.monotonic() - q.t0
        info = q.boot_info(120)
        if not icount:
            print("linux: QEMU direct: virtio-blk in the guest (dd, 32 MiB): write %.1f MiB/s, "
                  "read %.1f MiB/s" % blk_throughput(q), flush=True)
    shutil.rmtree(work, ignore_errors=True)
    return wall, info


def keel_side(icount, cpus, mem):
    """The same guest in a Keel VM: (wall s from vm.start to the marker,
    init info)."""
    from linux_keel import KeelHost  # the endpoint client, only needed here
    with KeelHost("bench-linux", mem=max(1024, mem * 2), cpus=max(2, cpus),
                  icount=icount) as host:
        host.disk("bench.img", DISK_MB)
        con = host.linux_vm("bench", vcpus=cpus, memory_mb=mem, disks=["bench.img"],
                            start=False)
        con.poll_interval = 2.0
        before = host.rpc.call("host.stats")["memory"]
        t0 = time.monotonic()
        host.rpc.call("vm.start", name="bench")
        con.wait_for(INIT_MARKER, 3600)
        wall = time.monotonic() - t0
        st = host.rpc.call("vm.stats", name="bench")
        after = host.rpc.call("host.stats")["memory"]
        run_ms = con.info()["run_ms"]
        if icount:
            # Keel's clock under -icount shift=0 is QEMU's virtual clock:
            # 1 ns per instruction (or ns idle), as the direct TSC figure.
            print("linux: keel: VM start to init %.2f G virtual ns (instructions + idle, "
                  "vm.info run_ms, 2 s of polling granularity)" % (run_ms / 1e3), flush=True)
        info = con.boot_info(600)
        exits = st.get("exits") or {}
        print("linux: keel: exits to init by reason (per second of boot): %s"
              % ", ".join("%s %d (%.0f/s)" % (k, v, v / wall) for k, v in sorted(exits.items())
                          if isinstance(v, int) and v), flush=True)
        mem_st = st["memory"]
        # Measured: host pages taken since vm.start, less the guest RAM
        # backed and the heap's growth, plus what malloc handed out (the
        # heap never shrinks, so its growth is not all this VM's).
        taken = before["free_bytes"] - after["free_bytes"]
        heap = (after["heap_used_bytes"] - before["heap_used_bytes"]) - \
            (after["heap_bytes"] - before["heap_bytes"])
        measured = taken + heap - mem_st["guest_backed_bytes"]
        print("linux: keel: memory beyond the guest's RAM at init: %d KiB measured "
              "(host.stats before/after), %d KiB by vm.stats' estimate; guest RAM backed "
              "%d of %d MiB" % (measured >> 10, mem_st["overhead_bytes"] >> 10,
                                 mem_st["guest_backed_bytes"] >> 20, mem_st["guest_bytes"] >> 20),
              flush=True)
        if not icount:
            print("linux: keel: virtio-blk in the guest (dd, 32 MiB): write %.1f MiB/s, "
                  "read %.1f MiB/s" % blk_throughput(con), flush=True)
    return wall, info


def bochs_image(path, work):
    """A BIOS disk whose GRUB boots the guest's kernel and initrd (Bochs
    cannot load a kernel by itself): image/mkimage.py's layout and GRUB,
    with the linux module and a grub.cfg of our own."""
    sys.path.insert(0, os.path.join(ROOT, "image"))
    import mkimage as mk
    for mods in mk.GRUB_TARGETS.values():
        if "linux" not in mods:
            mods.append("linux")
    vmlinuz, initrd, _ = ensure_guest()
    os.makedirs(work, exist_ok=True)
    core, efi = mk.grub_images(work)
    cfg = os.path.join(work, "grub.cfg")
    with open(cfg, "w") as f:
        f.write("set timeout=0\nlinux /vmlinuz console=ttyS0 panic=-1\n"
                "initrd /initrd.img\nboot\n")
    esp = mk.boot_partition(work, {"/EFI/BOOT/BOOTX64.EFI": efi, "/boot/grub/grub.cfg": cfg,
                                   "/vmlinuz": vmlinuz, "/initrd.img": initrd})
    with open(path, "wb") as f:
        f.truncate(mk.IMAGE_SIZE)
    sg = ["sgdisk", "--clear", "--disk-guid=" + mk.DISK_GUID]
    for num, name, typ, start, size, guid in mk.PARTITIONS:
        sg += ["--new=%d:%d:%d" % (num, start // mk.SECTOR, (start + size) // mk.SECTOR - 1),
               "--typecode=%d:%s" % (num, typ), "--change-name=%d:%s" % (num, name),
               "--partition-guid=%d:%s" % (num, guid)]
    mk.run(*sg, path)
    with open(path, "r+b") as img:
        mk.patch_bios_boot(img, core)
        img.seek(mk.ESP[3])
        with open(esp, "rb") as f:
            img.write(f.read())


def bochs_direct(mem):
    """The guest under plain Bochs 2.7 (the harness's configuration, via
    GRUB): wall seconds from start to the marker and the TSC there (Bochs'
    TSC advances about one tick per instruction, EMULATORS.md)."""
    import re
    from harness import Bochs
    with Bochs("bench-linux-bochs") as m:
        bochs_image(m.image, os.path.join(m.dir, "work"))
        t0 = time.monotonic()
        m.start(mem=mem)
        text = m.wait_for([INIT_MARKER], 3600)
        wall = time.monotonic() - t0
        tsc = int(re.search(INIT_MARKER, text).group(1) or 0)
    return wall, tsc


def report(what, wall, info, icount):
    line = "linux: %s: init after %.1f s wall" % (what, wall)
    if icount and info["tsc"] is not None:
        ins = info["tsc"] - int((info["idle"] or 0) * 1e9)
        line += (", guest TSC %.2f G ticks = %.2f G instructions + %.2f s idle "
                 "(QEMU -icount shift=0)" % (info["tsc"] / 1e9, ins / 1e9, info["idle"]))
    print(line + "; clocksource %s, %d CPU(s), MemTotal %d kB"
          % (info["clocksource"], info["cpus"], info["memtotal_kb"]), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--direct-only", action="store_true",
                    help="only the baseline (until Linux boots in Keel)")
    ap.add_argument("--bochs", action="store_true",
                    help="also the guest under plain Bochs (slow: minutes)")
    ap.add_argument("--cpus", type=int, default=1)
    ap.add_argument("--mem", type=int, default=256, help="guest RAM, MiB")
    a = ap.parse_args()
    _, _, release = ensure_guest()
    print("linux: guest %s, initrd %d KiB, %d vCPU(s), %d MiB"
          % (release, os.path.getsize(os.path.join(ROOT, "build", "linux", "initrd.img")) >> 10,
             a.cpus, a.mem))
    if a.bochs:
        wall, tsc = bochs_direct(a.mem)
        print("linux: Bochs direct (GRUB): init after %.1f s wall, TSC %.2f G (~instructions "
              "since power-on), %.1f M instructions/s" % (wall, tsc / 1e9, tsc / wall / 1e6),
              flush=True)
    for icount in (False, True):
        wall, info = direct(icount, a.cpus, a.mem)
        report("QEMU direct%s" % (" -icount" if icount else ""), wall, info, icount)
        base = (wall, info)
        if a.direct_only:
            continue
        wall, info = keel_side(icount, a.cpus, a.mem)
        report("Keel on QEMU%s" % (" -icount" if icount else ""), wall, info, icount)
        print("linux: Keel/direct wall ratio %.1f" % (wall / base[0]))


if __name__ == "__main__":
    main()
