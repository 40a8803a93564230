"""The issue-8 Linux guest booted by QEMU itself, without Keel: the
baseline that bench/linux.py compares Keel against, and a check that the
guest (tools/linux_guest.sh) works before Keel is blamed for anything.

One boot covers the whole guest: init, uname/CPUs/memory, every module,
virtio-rng and virtio-console, the memory scanner of the isolation test, an ext4 file on virtio-blk that keeps its
checksum across `reboot -f`, and `poweroff -f` ending QEMU.
"""
import os
import shutil
import tempfile

from linux_guest import (ISO_PAGES, DirectQemu, check_boot_info, check_cpuinfo, disk_read,
                         disk_write, ensure_guest, iso_token, mem_counts, mem_put)

MEM_MB = 256


def test_boot_disk_reboot_poweroff():
    _, _, release = ensure_guest()
    work = tempfile.mkdtemp(prefix="keel-linux-direct-")
    disk = os.path.join(work, "disk.img")
    with open(disk, "wb") as f:
        f.truncate(64 << 20)
    with DirectQemu(work, mem=MEM_MB, cpus=2, disk=disk) as q:
        info = q.boot_info(120)
        check_boot_info(info, release, 2, MEM_MB)
        assert info["disks"] == ["vda"], "block devices: %s" % info["disks"]
        assert info["tsc"] and info["uptime"], "the init marker lacks tsc/uptime: %s" % info
        check_cpuinfo(q, 2)
        out, _ = q.run("cat /sys/class/misc/hw_random/rng_current; "
                       "dd if=/dev/hwrng bs=32 count=1 2>/dev/null | wc -c")
        assert out.split() == ["virtio_rng.0", "32"], "virtio-rng: %r" % out
        q.run("echo hello-hvc0 >/dev/hvc0")
        # memscan, which test_linux.py's isolation test relies on, finds a
        # token put in RAM and not one that never was.
        mine, never = iso_token(), iso_token()
        mem_put(q, mine)
        found, stray = mem_counts(q, mine, never)
        assert found >= ISO_PAGES, "memscan misses pages put in RAM"
        assert stray == 0, "memscan finds a token never put in RAM"
        digest = disk_write(q)

        # Still mounted, as at a hard reset: the synced file must be there.
        mark = len(q.buf)
        q.send("reboot -f")
        q.boot_info(120, start=mark)
        assert disk_read(q) == digest, "the file's checksum changed across a reboot"

        q.send("poweroff -f")
        assert q.wait_exit(60) == 0, "QEMU ended with %d" % q.proc.returncode
    with open(os.path.join(work, "hvc0.log")) as f:
        assert "hello-hvc0" in f.read(), "nothing written to hvc0 reached the host"
    shutil.rmtree(work, ignore_errors=True)
