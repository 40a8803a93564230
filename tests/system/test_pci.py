"""Issue 5: PCI host devices are enumerated and listed at boot.

Boots the image with an e1000, a virtio-net and an AHCI controller on the
i440fx machine (no MCFG: configuration mechanism #1 on ports 0xcf8/0xcfc)
and on q35 (MCFG: ECAM), and checks the lspci-style lines docs/pci.md
describes.
"""
import re

from harness import BootFailure, Qemu

DEVICES = ["-device", "e1000", "-device", "virtio-net-pci", "-device", "ahci"]
TIMEOUT = 90


def boot(name, extra):
    with Qemu(name) as m:
        m.copy_image()
        m.start(firmware="bios", disk="ide", extra=extra + DEVICES)
        return m.wait_for([r"keel: boot complete", r"pci: \d+ functions found"], TIMEOUT)


def check_devices(text):
    for pat in [r"pci: 00:\w\w\.0 \[0200\] 8086:100e rev 03 Ethernet controller \(driver e1000\)",
                r"pci: 00:\w\w\.0 \[0200\] 1af4:1000 rev 00 Ethernet controller \(driver virtio_net\)",
                r"pci: 00:\w\w\.0 \[0106\] 8086:2922 rev 02 SATA controller \(driver ahci\)",
                r"pci: 00:00\.0 \[0600\] 8086:\w{4} rev \w\w Host bridge",
                r"pci:   BAR0 mem32 0x[0-9a-f]+ size 0x20000\n"]:
        if not re.search(pat, text, re.M):
            raise BootFailure("no line matching %r:\n%s" % (pat, text))
    if re.search(r"pci: .*(nonsense|loops|unusable|unknown)", text):
        raise BootFailure("QEMU's devices were reported as bad:\n" + text)


def test_pci_i440fx_legacy_ports():
    text = boot("pci-i440fx", [])
    if not re.search(r"pci: config access via ports 0xcf8/0xcfc", text):
        raise BootFailure("i440fx did not use mechanism #1:\n" + text)
    check_devices(text)
    # The PIIX3 is multifunction: its IDE function 1 is found.
    if not re.search(r"pci: 00:01\.1 \[0101\] 8086:7010", text):
        raise BootFailure("multifunction PIIX3 IDE missing:\n" + text)


def test_pci_q35_ecam():
    text = boot("pci-q35", ["-machine", "q35"])
    if not re.search(r"pci: config access via ECAM \(MCFG\)", text):
        raise BootFailure("q35 did not use ECAM:\n" + text)
    check_devices(text)


def test_pci_behind_bridge():
    # A device behind a PCI-to-PCI bridge is found on the secondary bus.
    text = boot("pci-bridge", ["-device", "pci-bridge,id=br1,chassis_nr=1",
                               "-device", "e1000,bus=br1,addr=3"])
    if not re.search(r"pci: 0[1-9a-f]:03\.0 \[0200\] 8086:100e", text):
        raise BootFailure("e1000 behind the bridge missing:\n" + text)
