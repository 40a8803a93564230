"""Issue 4: test guests run on the backend this CPU has.

QEMU's TCG offers AMD-V with NPT (no VT-x); Bochs offers VT-x with EPT
(tests/system/test_vmx.py). Each test boots keel.selftest and checks that
every test guest passed on that backend and that the host powered off.
"""
import re

from harness import Qemu

GUESTS = ("guest_basic", "guest_modes", "guest_isolation", "guest_irq", "guest_mmio", "guest_smp",
          "guest_apic")


def run_guests(cpus, firmware="bios"):
    with Qemu("guests-svm") as m:
        m.build_image("keel.selftest")
        m.start(firmware=firmware, disk="ide", extra=["-smp", str(cpus)])
        text = m.wait_exit([r"^selftest: \d+ passed, 0 failed$",
                            r"^hv: using AMD-V with NPT$",
                            r"^hv: AMD-V enabled on every CPU$"], 240)
        for g in GUESTS:
            if not re.search(r"^selftest: PASS %s$" % g, text, re.M):
                m.fail("test guest %s did not pass" % g, text)
        if not re.search(r"^guest: g_basic: real mode guest alive$", text, re.M):
            m.fail("the guest's log line did not arrive", text)
        return text


def test_svm_guests_1cpu():
    run_guests(1)


def test_svm_guests_4cpus_uefi():
    run_guests(4, firmware="uefi")
