"""Issue 3: the core kernel under the memory and CPU counts a host has.

Each test boots with keel.selftest and passes when every in-image
self-test passes (allocator stress, threads across CPUs, SIMD state,
timers, IPIs), all CPUs come online, the frame allocator reports the RAM
the machine has, and the machine powers itself off.
"""
import re

from harness import Qemu

DONE = r"^selftest: (\d+) passed, 0 failed$"
CORE_TESTS = ("pmm_stress", "heap_stress", "thread_pingpong", "sleep_accuracy",
              "preemption", "simd_preserved", "ipi_call_all", "fair_share",
              "migration")


def boot_selftest(name, mem_mib, cpus, firmware="bios", machine=None):
    with Qemu(name) as m:
        m.build_image("keel.selftest")
        extra = ["-smp", str(cpus)] + (["-machine", machine] if machine else [])
        m.start(firmware=firmware, disk="ide", mem=mem_mib, extra=extra)
        text = m.wait_exit([DONE, r"^smp: %d CPUs online" % cpus,
                            r"^power: powering off$"], 240)
        for t in CORE_TESTS:
            if not re.search(r"^selftest: PASS %s$" % t, text, re.M):
                m.fail("self-test %s did not pass" % t, text)
        ram = int(re.search(r"^pmm: (\d+) MiB RAM", text, re.M).group(1))
        # Firmware keeps a little; more than 10% missing is a parsing bug.
        if not 0.9 * mem_mib <= ram <= mem_mib:
            m.fail("pmm reports %d MiB of a %d MiB machine" % (ram, mem_mib), text)
        return text


def test_selftest_128m_1cpu_bios():
    boot_selftest("core-128m", 128, 1)


def test_selftest_2g_4cpu_uefi():
    boot_selftest("core-2g", 2048, 4, firmware="uefi")


def test_selftest_6g_4cpu_bios_q35():
    # 6 GiB puts RAM above the 4 GiB PCI hole: the direct map and the
    # allocator must cover both sides.
    text = boot_selftest("core-6g", 6144, 4, machine="q35")
    if not re.search(r"^mem: \[0x0000000100000000-0x[0-9a-f]+\] available", text, re.M):
        raise AssertionError("no RAM above 4 GiB in the memory map:\n" + text)
