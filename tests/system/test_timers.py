"""Issue 3, interrupt controllers and timers (docs/timers.md).

What an operator reads on the console: which local APIC mode and timer the
host runs, every IOAPIC masked, the 8259s masked, and what the TSC was
calibrated against. Under keel.selftest the image then proves the LAPIC
timer fires on time (measured by the HPET too), disarms, delivers a
self-IPI, and that nothing unrouted is unmasked. QEMU TCG offers neither
x2APIC nor TSC-deadline, Bochs's Skylake-X both, so each path runs.
"""
import re

from harness import Bochs, Qemu

QEMU_TIMEOUT = 120
BOCHS_TIMEOUT = 400

# The self-tests drivers/pic.c and drivers/timer_selftest.c register.
SELFTESTS = ["pic_masked", "lapic_timer", "lapic_timer_disarm",
             "lapic_ipi_self", "ioapic_masked", "tsc_vs_hpet"]
SELFTEST_DONE = r"^selftest: \d+ passed, \d+ failed"

# QEMU's i440FX (SeaBIOS and OVMF build the same MADT and HPET table).
QEMU_LINES = [
    r"^hpet: 0xfed00000 100\.000 MHz \(period 10000000 fs\), 64-bit, 3 timers",
    r"^ioapic: 0xfec00000 id 0 version 0x20 GSI 0-23, all masked",
    r"^ioapic: ISA overrides: 0->2 5->5 level 9->9 level",
    r"^lapic: xAPIC mode at 0xfee00000, id 0, .*timer one-shot",
    r"^pic: 8259 pair on vectors 32-47, all lines masked",
    r"^time: TSC \d+\.\d{3} MHz \(HPET\)",
    r"^lapic: timer one-shot, \d+\.\d{3} MHz \(bus/16\), vector 240",
]
BOCHS_LINES = [
    r"^hpet: 0xfed00000 100\.000 MHz",
    r"^ioapic: 0xfec00000 id \d+ version 0x11 GSI 0-23, all masked",
    r"^lapic: x2APIC mode, id 0, .*timer TSC-deadline",
    r"^pic: 8259 pair on vectors 32-47, all lines masked",
    r"^time: TSC \d+\.\d{3} MHz \(HPET\)",
    r"^lapic: timer TSC-deadline, vector 240",
]


def expect_selftests(m, text):
    """Each of the timer self-tests ran and passed (others are not ours)."""
    for name in SELFTESTS:
        if not re.search(r"^selftest: PASS %s$" % name, text, re.M):
            m.fail("self-test %s did not pass" % name, text)


def mhz(m, text, pattern):
    found = re.search(pattern, text, re.M)
    if not found:
        m.fail("no line matching %s" % pattern, text)
    return float(found.group(1))


def test_qemu_bios_selftest_smp1():
    with Qemu("timers-bios") as m:
        m.build_image("keel.selftest")
        m.start(firmware="bios", extra=["-smp", "1"])
        text = m.wait_for(QEMU_LINES + [SELFTEST_DONE], QEMU_TIMEOUT)
        expect_selftests(m, text)
        # Under QEMU the TSC is the host's: the HPET measures it, and
        # three rounds of 10 ms agree.
        spread = int(re.search(r"^time: TSC .* spread (\d+) ppm", text,
                               re.M).group(1))
        if spread > 5000:
            m.fail("calibration rounds disagree by %d ppm" % spread, text)


def test_qemu_uefi_selftest_smp4():
    with Qemu("timers-uefi") as m:
        m.build_image("keel.selftest")
        m.start(firmware="uefi", extra=["-smp", "4"])
        text = m.wait_for(QEMU_LINES + [r"^smp: 4 CPUs online", SELFTEST_DONE],
                          QEMU_TIMEOUT)
        expect_selftests(m, text)


def test_qemu_icount_calibration_is_exact():
    """With -icount shift=0 the TSC, HPET and LAPIC clocks all derive from
    one 1 GHz virtual clock: the calibration must find exactly that."""
    with Qemu("timers-icount") as m:
        m.copy_image()
        m.start(firmware="bios", extra=["-smp", "1", "-icount", "shift=0"])
        text = m.wait_for(QEMU_LINES + [r"keel: boot complete"], QEMU_TIMEOUT)
        tsc = mhz(m, text, r"^time: TSC (\d+\.\d+) MHz")
        lapic = mhz(m, text, r"^lapic: timer one-shot, (\d+\.\d+) MHz")
        if abs(tsc - 1000.0) > 1.0:
            m.fail("TSC %.3f MHz, want 1000 (+-0.1%%)" % tsc, text)
        if abs(lapic - 62.5) > 0.0625:
            m.fail("LAPIC timer %.3f MHz, want 62.5 (+-0.1%%)" % lapic, text)


def test_qemu_without_hpet_uses_pm_timer():
    with Qemu("timers-nohpet") as m:
        m.copy_image()
        m.start(firmware="bios", extra=["-smp", "1", "-machine", "hpet=off"])
        text = m.wait_for([r"^time: TSC \d+\.\d{3} MHz \(ACPI PM timer\)",
                           r"^lapic: timer one-shot", r"keel: boot complete"],
                          QEMU_TIMEOUT)
        if re.search(r"^hpet:", text, re.M):
            m.fail("an HPET was reported although QEMU has none", text)


def test_qemu_without_acpi_falls_back():
    """No ACPI tables: the LAPIC address comes from IA32_APIC_BASE, the
    TSC is measured with PIT channel 2, there is no IOAPIC to program."""
    with Qemu("timers-noacpi") as m:
        m.copy_image()
        m.start(firmware="bios", extra=["-smp", "1", "-no-acpi"])
        m.wait_for([r"^lapic: xAPIC mode at 0xfee00000, id 0",
                    r"^pic: 8259 pair on vectors 32-47, all lines masked",
                    r"^ioapic: none in the MADT",
                    r"^time: TSC \d+\.\d{3} MHz \(PIT\)",
                    r"^lapic: timer one-shot, \d+\.\d{3} MHz",
                    r"keel: boot complete"], QEMU_TIMEOUT)


def test_bochs_x2apic_tsc_deadline_selftest_2cpus():
    """The second CPU enters x2APIC mode itself (INIT leaves it in xAPIC
    mode) and gets its own TSC-deadline timer."""
    with Bochs("timers-bochs") as m:
        m.build_image("keel.selftest")
        m.start(cpus=2)
        text = m.wait_for(BOCHS_LINES + [r"^smp: 2 CPUs online", SELFTEST_DONE],
                          BOCHS_TIMEOUT)
        expect_selftests(m, text)
