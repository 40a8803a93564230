"""Issue 5: Keel as a cloud VM on virtio (docs/virtio.md).

- Booted from a modern virtio-blk disk (SeaBIOS boots it), Keel finds the
  disk, its capacity and the GPT partitions of its own image; a second,
  scratch virtio disk gets a pattern written, flushed and read back
  (keel.blktest), and the host finds the pattern in the file.
- A modern virtio-net on QEMU user networking gets slirp's ARP reply.
- A transitional virtio-net (1af4:1000, QEMU's default) is driven through
  its modern interface; a legacy-only one is refused with a clear line.
"""
import os
import re

from harness import BootFailure, Qemu, blktest_line, check_blktest

TIMEOUT = 150
DONE = r"^selftest: \d+ passed, 0 failed$"
NET = ["-netdev", "user,id=n0"]


def must(text, patterns):
    for p in patterns:
        if not re.search(p, text, re.M):
            raise BootFailure("no line matching %r:\n%s" % (p, text[-4000:]))


def start_with_scratch(m, blkdebug_cfg=None):
    """Boot from the image on virtio-blk with a 64 MiB scratch virtio disk
    (vblk1), optionally behind QEMU's blkdebug error injection."""
    scratch = os.path.join(m.dir, "scratch.img")
    with open(scratch, "wb") as f:
        f.truncate(64 << 20)
    drive = "file=%s,format=raw,if=none,id=s" % scratch
    if blkdebug_cfg:
        cfg = os.path.join(m.dir, "blkdebug.cfg")
        with open(cfg, "w") as f:
            f.write(blkdebug_cfg)
        drive = ("file=blkdebug:%s:%s,format=raw,if=none,id=s,"
                 "rerror=report,werror=report" % (cfg, scratch))
    m.start(firmware="bios", disk="virtio",
            extra=["-nic", "none", "-drive", drive,
                   "-device", "virtio-blk-pci,drive=s,disable-legacy=on"])
    return scratch


def test_virtio_blk_boot_and_scratch():
    with Qemu("virtio-blk") as m:
        m.build_image("keel.blktest=vblk1")
        scratch = start_with_scratch(m)
        text = m.wait_for([blktest_line("vblk1")], TIMEOUT)
        must(text, [
            r"^vblk0: virtio-blk 1af4:1042, 30 MiB, 512-byte blocks, write cache \(flush\), queue \d+, MSI-X$",
            r"^blk: vblk0: 61440 sectors of 512 bytes",
            r"^vblk1: virtio-blk 1af4:1042, 64 MiB",
            r"^blk: vblk0: GPT, 3 partition\(s\): BIOS-BOOT KEEL-BOOT KEEL-CONFIG$",
            r"^blk: boot device vblk0, config partition vblk0p3 \(8 MiB\)$",
            r"^gpt: vblk1: no protective MBR; not a GPT disk$",
        ])
        if re.search(r"virtio: .*device wrote a bad|vblk\d: .*(reset|I/O error)", text):
            raise BootFailure("virtio-blk errors on a healthy disk:\n" + text)
        m.stop()
        check_blktest(scratch)


def test_virtio_net_arp_modern():
    with Qemu("virtio-net") as m:
        m.build_image("keel.selftest")
        m.start(firmware="bios", disk="ide",
                extra=NET + ["-device", "virtio-net-pci,netdev=n0,disable-legacy=on,mac=52:54:00:aa:bb:cc"])
        text = m.wait_exit([DONE], TIMEOUT)
        must(text, [
            r"^vmnic0: virtio-net 1af4:1041 \(MSI-X, mrg_rxbuf, ctrl\), MAC 52:54:00:aa:bb:cc, MTU 1500$",
            r"^vmnic0: link up",
            r"^virtio-net: ARP reply from 10\.0\.2\.2 is-at 52:55:0a:00:02:02 \(vmnic0: [1-5] sent, [1-9]\d* received, [1-9]\d* irqs\)$",
            r"^selftest: PASS virtio_net_arp$",
        ])


def test_virtio_net_transitional_and_legacy_only():
    # QEMU's default virtio-net-pci is transitional (1000 with modern
    # capabilities); disable-modern=on makes a legacy-only device that
    # must be refused, not half-driven.
    with Qemu("virtio-net-trans") as m:
        m.build_image("keel.selftest")
        m.start(firmware="bios", disk="ide",
                extra=NET + ["-device", "virtio-net-pci,netdev=n0",
                             "-netdev", "user,id=n1",
                             "-device", "virtio-net-pci,netdev=n1,disable-modern=on"])
        text = m.wait_exit([DONE], TIMEOUT)
        must(text, [
            r"^vmnic0: virtio-net 1af4:1000 \(MSI-X",
            r"^vnet1: 1af4:1000 is a legacy-only virtio device \(no virtio 1\.x capabilities\): not supported",
            r"^virtio-net: ARP reply from 10\.0\.2\.2 is-at 52:55:0a:00:02:02",
        ])
        if re.search(r"^vmnic1:", text, re.M):
            raise BootFailure("the legacy-only device was registered:\n" + text)


def test_virtio_blk_io_error_reported():
    # QEMU's blkdebug fails every read of the scratch disk with EIO: the
    # request status must come back as an error the caller sees (-EIO),
    # logged, with the rest of Keel carrying on.
    with Qemu("virtio-blk-eio") as m:
        m.build_image("keel.blktest=vblk1")
        start_with_scratch(m, '[inject-error]\nevent = "read_aio"\nerrno = "5"\n')
        text = m.wait_for([r"^blktest: vblk1: I/O error -5$", r"keel: boot complete"], TIMEOUT)
        must(text, [
            r"^vblk1: I/O error \(type 0, sector 0, status 0x1\)$",
            r"^blk: vblk1: partition table refused \(-5\)",
            r"^blk: boot device vblk0, config partition vblk0p3",
        ])
        if re.search(r"vblk\d: .*(resetting|no answer)", text):
            raise BootFailure("an I/O error was taken for a dead device:\n" + text)


def test_virtio_net_link_follows_cable():
    # The operator pulls the virtual cable (QEMU set_link): the config
    # interrupt tells the driver, which reports link down, then up again.
    with Qemu("virtio-net-link") as m:
        m.copy_image()
        m.start(firmware="bios", disk="ide",
                extra=NET + ["-device", "virtio-net-pci,netdev=n0,disable-legacy=on"])
        m.wait_for([r"^vmnic0: link up", r"keel: boot complete"], TIMEOUT)
        m.monitor("set_link n0 off")
        m.wait_for([r"^vmnic0: link down$"], 20)
        m.monitor("set_link n0 on")
        text = m.wait_for([r"^vmnic0: link down$\n(.*\n)*vmnic0: link up"], 20)
        if len(re.findall(r"^vmnic0: link up", text, re.M)) != 2:
            raise BootFailure("link up not reported twice:\n" + text)
