"""Issue 8: the stock Debian kernel (linux-image-amd64 of bookworm) as a
Keel guest, driven through the management endpoint as a user would.

The guest is tools/linux_guest.sh's: the packaged kernel untouched and a
busybox initramfs with the virtio modules whose /init reports uname, CPUs,
MemTotal and the clocksource, then gives a shell on ttyS0 (the VM's COM1,
read with vm.console.read, typed with vm.console.write). The same guest
passes tests/system/test_linux_direct.py under plain QEMU, so a failure
here is Keel's.

- two VMs at once (1 and 2 vCPUs, different RAM and disks): each boots to
  init with its own configuration in uname, /proc/cpuinfo (all online) and
  /proc/meminfo, and sees only its own disk and memory (a token each puts
  in its RAM is found by a scan of its own RAM, never of the other's);
  TSC is each one's clocksource and its clock keeps the host's time;
- a virtio-blk disk from the datastore: an ext4 file's checksum survives
  vm.reset and the guest's `reboot -f`; the host log shows the reset;
  `poweroff -f` stops the VM ("guest powered off" in vm.info and the log);
- under Bochs (VT-x/EPT), the two VMs at once with the same checks
  (less RAM, no clock check), then the disk checksum across the 2-vCPU
  VM's `reboot -f`, and poweroff (gated by BOCHS_READY, see below).

LINUX_READY: the lead flips it to True once the issue-8 pieces are merged
and Linux boots in Keel (until then these tests are not collected, so the
suite does not fail on them; KEEL_LINUX=1 runs them anyway).
"""
import os
import time

from linux_guest import (ISO_PAGES, check_boot_info, check_clock, check_cpuinfo,
                         clock_sample, disk_read, disk_write, iso_token, mem_counts, mem_put)
from linux_keel import CMDLINE, KeelHost

LINUX_READY = True
TWO_VCPUS = int(os.environ.get("KEEL_LINUX_TWO_VCPUS", "2"))

# quiet: every byte on COM1 is a VM exit; the kernel's messages would
# cost minutes under nested emulation (drop it to see them).
TEST_CMDLINE = CMDLINE + " quiet"
# Nested TCG: Keel under QEMU runs the guest's every instruction through
# the emulated SVM; the Debian kernel takes minutes, not seconds, to init.
BOOT_TIMEOUT = 900


def two_vms(host, timeout, vcpus=(1, TWO_VCPUS), mems=(256, 384), clock=True):
    """Two VMs at once ("one" and "two": @vcpus, @mems MiB of RAM, disks of
    32 and 48 MiB): each boots with its own configuration and sees only its
    own disk and memory; with @clock, each one's clock keeps the host's
    time. Returns the two consoles, booted."""
    disk_mbs = (32, 48)
    cons = []
    for name, cpus, mem, disk_mb in zip(("one", "two"), vcpus, mems, disk_mbs):
        host.disk(name + ".img", disk_mb)
        # A VM with 2 vCPUs: Linux brings its AP up through INIT/SIPI and
        # the real-mode trampoline.
        cons.append(host.linux_vm(name, vcpus=cpus, memory_mb=mem, disks=[name + ".img"],
                                  cmdline=TEST_CMDLINE))
    one, two = cons
    t0 = time.monotonic()
    clocks = {}
    for con, cpus, mem, disk_mb in zip(cons, vcpus, mems, disk_mbs):
        info = con.boot_info(timeout)
        clocks[con.name] = clock_sample(con)
        check_boot_info(info, host.release, cpus, mem)
        assert info["disks"] == ["vda"], "%s: block devices %s" % (con.name, info["disks"])
        check_cpuinfo(con, cpus)
        out, _ = con.run("sed -n 's/^MemTotal: *//p' /proc/meminfo; cat /sys/block/vda/size")
        memtotal, sectors = out.split()[0], out.split()[-1]
        assert int(memtotal) == info["memtotal_kb"], out
        assert int(sectors) == disk_mb * 2048, \
            "%s: vda has %s sectors, its disk is %d MiB" % (con.name, sectors, disk_mb)
    t1 = time.monotonic()
    # Each puts its own token in its RAM; a scan of all its RAM
    # (/proc/kcore) finds its own and never the other's.
    tokens = {one.name: iso_token(), two.name: iso_token()}
    for con in cons:
        mem_put(con, tokens[con.name])
    for con, other in ((one, two), (two, one)):
        own, others = mem_counts(con, tokens[con.name], tokens[other.name])
        assert own >= ISO_PAGES, "%s: its own token is not in its RAM" % con.name
        assert others == 0, "%s: sees %s's memory" % (con.name, other.name)
    t2 = time.monotonic()
    # Each writes its own token at the start of its raw disk; neither
    # finds the other's.
    for con in cons:
        con.run("echo keel-token-%s | dd of=/dev/vda conv=fsync 2>/dev/null" % con.name)
    for con, other in ((one, two), (two, one)):
        out, _ = con.run("head -c 4096 /dev/vda | grep -c keel-token-%s; "
                         "head -c 4096 /dev/vda | grep -c keel-token-%s"
                         % (con.name, other.name), check=False)
        assert out.split() == ["1", "0"], \
            "%s: own/other token counts on its disk: %r" % (con.name, out)
    print("two VMs: booted and configuration checked %.0f s after vm.start, RAM "
          "scans %.0f s, disk checks %.0f s" % (t1 - t0, t2 - t1, time.monotonic() - t2),
          flush=True)
    # Over the test's length each guest's clock kept the host's time.
    if clock:
        for con in cons:
            check_clock(clocks[con.name], clock_sample(con))
    return cons


def disk_power(host, timeout):
    host.disk("root.img", 64)
    con = host.linux_vm("deb", vcpus=1, memory_mb=256, disks=["root.img"],
                        cmdline=TEST_CMDLINE)
    con.boot_info(timeout)
    digest = disk_write(con)

    # vm.reset: a hard reset, the disk's synced file survives.
    mark = len(con.buf)
    host.rpc.call("vm.reset", name="deb")
    con.boot_info(timeout, start=mark)
    assert disk_read(con) == digest, "the file's checksum changed across vm.reset"

    # reboot -f in the guest: Keel resets the VM, the host log says so.
    con.run("umount /mnt")
    mark, log_mark = len(con.buf), host.log_mark()
    con.send("reboot -f")
    con.boot_info(timeout, start=mark)
    host.wait_log(r"^vmm: deb: guest reset \(", 60, log_mark)
    assert con.state() == "running", con.info()
    assert disk_read(con) == digest, "the file's checksum changed across reboot -f"

    # poweroff -f: the VM stops, vm.info and the log say why.
    log_mark = host.log_mark()
    con.send("poweroff -f")
    host.wait_log(r"^vmm: deb: guest powered off \(", 120, log_mark)
    info = con.info()
    assert info["state"] == "stopped" and info["stop_reason"] == "guest powered off", info


def test_two_linux_vms_svm():
    with KeelHost("linux-two", mem=2048, cpus=2) as host:
        two_vms(host, BOOT_TIMEOUT)


def test_linux_disk_and_power_svm():
    with KeelHost("linux-power", mem=1024, cpus=2) as host:
        disk_power(host, BOOT_TIMEOUT)


# Under Bochs (VT-x/EPT) the Keel host is set up as under QEMU: Keel
# reads keel.cfg and keeps its store on its IDE boot disk (drivers/ata.c,
# PIO), the datastore is the secondary channel's IDE disk, the endpoint
# is reached through the e1000 and slirp's hostfwd; Bochs runs at ips
# 100 M so Keel's clock keeps near the wall's (linux_keel.py). Figures
# are in docs/linux-guest.md "Bochs". The SVM tests' five Linux boots
# are too many for the suite under Bochs, so one test does the issue's
# checks in three: two VMs at once (1 and 2 vCPUs, less RAM than under
# QEMU so the RAM scans stay short), then the 2-vCPU one's disk checksum
# across its `reboot -f`, and poweroff. Bochs' clock follows its
# instruction count, not the wall, so the clock check is QEMU's alone.
# BOCHS_READY gates it like LINUX_READY (KEEL_LINUX_BOCHS=1 runs it
# anyway).
BOCHS_READY = True
# A hang costs the suite this much; a normal run is about 9 min.
BOCHS_BOOT_TIMEOUT = 900


def bochs_two_vms(host, timeout):
    t0 = time.monotonic()
    one, two = two_vms(host, timeout, vcpus=(1, 2), mems=(128, 192), clock=False)
    print("linux_vmx_bochs: two VMs booted and checked %.0f s after vm.create"
          % (time.monotonic() - t0), flush=True)
    # The 2-vCPU VM: a synced file on its datastore disk keeps its
    # checksum across the guest's `reboot -f` (the host log shows the
    # reset); poweroff stops it.
    one.send("poweroff -f")
    digest = disk_write(two, kib=128)
    two.run("umount /mnt")
    mark, log_mark = len(two.buf), host.log_mark()
    t1 = time.monotonic()
    two.send("reboot -f")
    info = two.boot_info(timeout, start=mark)
    print("linux_vmx_bochs: reboot -f to init %.0f s, guest uptime %s s"
          % (time.monotonic() - t1, info["uptime"]), flush=True)
    host.wait_log(r"^vmm: two: guest reset \(", 60, log_mark)
    check_cpuinfo(two, 2)
    assert disk_read(two) == digest, "the file's checksum changed across reboot -f"
    log_mark = host.log_mark()
    two.send("poweroff -f")
    host.wait_log(r"^vmm: two: guest powered off \(", 600, log_mark)
    assert two.info()["stop_reason"] == "guest powered off", two.info()
    assert one.info()["stop_reason"] == "guest powered off", one.info()


def test_linux_vmx_bochs():
    """Two VMs at once, then a reboot (see above for why not five boots)."""
    with KeelHost("linux-vmx", mem=768, cpus=2, bochs=True) as host:
        bochs_two_vms(host, BOCHS_BOOT_TIMEOUT)


for _n in [n for n in globals() if n.startswith("test_")]:
    if not (LINUX_READY or os.environ.get("KEEL_LINUX")) or \
            (_n.endswith("_bochs") and not (BOCHS_READY or os.environ.get("KEEL_LINUX_BOCHS"))):
        del globals()[_n]
