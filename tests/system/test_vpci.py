"""Issue 8: the VM's PCI bus (vdev/vpci.c) seen from inside a Keel VM.

keel.selftest runs tests/guests/g_pci.S (tests/guests/runner_pci.c): the
guest reads the host bridge's vendor/device through 0xcf8/0xcfc and
ECAM, finds an absent slot all ones, and sizes, enables and moves a
device's BAR. QEMU's TCG offers AMD-V with NPT, Bochs VT-x with EPT.
"""
import re

from harness import Bochs, Qemu

GUEST_LINE = (r"^guest: g_pci: bus probed, BAR sized and moved, "
              r"[1-9]\d* device accesses")


def test_svm_guest_pci():
    with Qemu("vpci-svm") as m:
        m.build_image("keel.selftest")
        m.start(firmware="bios", disk="ide", extra=["-net", "none"])
        text = m.wait_exit([r"^hv: using AMD-V with NPT$",
                            r"^selftest: \d+ passed, \d+ failed$"], 300)
        if not re.search(r"^selftest: PASS guest_pci$", text, re.M):
            m.fail("the PCI test guest did not pass", text)
        if not re.search(GUEST_LINE, text, re.M):
            m.fail("the guest's BAR accesses did not reach the device", text)


def test_vmx_guest_pci_bochs():
    with Bochs("vpci-vmx") as m:
        m.build_image("keel.selftest")
        m.start(cpus=1)
        text = m.wait_exit([r"^hv: using VT-x with EPT$",
                            r"^selftest: \d+ passed, \d+ failed$"], 420)
        if not re.search(r"^selftest: PASS guest_pci$", text, re.M):
            m.fail("the PCI test guest did not pass", text)
        if not re.search(GUEST_LINE, text, re.M):
            m.fail("the guest's BAR accesses did not reach the device", text)
