"""Issue 3: the core kernel under the memory and CPU counts a host has.

Each test boots with keel.selftest and passes when every in-image
self-test passes (allocator stress, threads across CPUs, SIMD state,
timers, IPIs), all CPUs come online, the frame allocator reports the RAM
the machine has, and the machine powers itself off.
"""
import re
import time

from harness import Qemu

DONE = r"^selftest: (\d+) passed, 0 failed$"
CORE_TESTS = ("pmm_stress", "heap_stress", "thread_pingpong", "sleep_accuracy",
              "preemption", "simd_preserved", "ipi_call_all", "fair_share",
              "migration", "wait_timeout")


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


def crash_report(how, cpus):
    with Qemu("crash-" + how) as m:
        m.build_image("keel.crash=" + how)
        m.start(firmware="bios", disk="ide", extra=["-smp", str(cpus)])
        # wait_for gives up at the first PANIC line; here the whole report
        # is what we wait for, so poll the log directly.
        deadline = time.monotonic() + 60
        text = m.log()
        while not re.search(r"^PANIC: system halted$", text, re.M) and \
                time.monotonic() < deadline:
            time.sleep(0.2)
            text = m.log()
        if not re.search(r"^PANIC: system halted$", text, re.M):
            m.fail("no complete panic report", text)
        time.sleep(1)  # the NMI reaches the other CPUs
        return m, text, stopped_cpus(m)


def stopped_cpus(m):
    """CPUs halted with interrupts off (cli; hlt), the way panic stops them.
    An idle CPU also sits in HLT, but with RFLAGS.IF set."""
    regs = m.monitor("info registers -a")
    return sum(1 for rfl, hlt in re.findall(r"RFL=([0-9a-f]+) .*HLT=(\d)", regs)
               if hlt == "1" and not int(rfl, 16) & 0x200)


def test_page_fault_in_hypervisor_reports_and_halts_all_cpus():
    m, text, cpus = crash_report("pagefault", 4)
    for want in (r"^PANIC: CPU exception 14 \(#PF page fault\) error 0x2$",
                 r"^  rip ffffffff8[0-9a-f]+ cs 0008 rflags [0-9a-f]+ cr2 000000000dead000$",
                 r"^  rax [0-9a-f]{16} rbx", r"^  r12 [0-9a-f]{16}",
                 r"^    ffffffff8[0-9a-f]+ crashtest_page_fault\+0x",
                 r"^    ffffffff8[0-9a-f]+ init_run_level\+0x"):
        if not re.search(want, text, re.M):
            m.fail("panic report lacks %s" % want, text)
    if cpus != 4:
        m.fail("%d of 4 CPUs stopped after the panic" % cpus, text)


def test_panic_reports_reason_and_backtrace():
    m, text, cpus = crash_report("panic", 2)
    if not re.search(r"^PANIC: crashtest: keel\.crash=panic$", text, re.M) or \
            not re.search(r"^    ffffffff8[0-9a-f]+ crashtest\+0x", text, re.M):
        m.fail("panic report lacks the reason or the backtrace", text)
    if cpus != 2:
        m.fail("%d of 2 CPUs stopped after the panic" % cpus, text)
