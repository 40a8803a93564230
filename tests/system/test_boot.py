"""Issue 2: the USB image boots the way servers boot it and Keel comes up.

Each test boots build/keel.img and passes when the banner, the memory map,
the CPU's virtualization support and the four library lines appear on the
serial console in bounded time, and the screen shows the same log.
"""
from harness import (BOOT_LINES, LIBRARY_LINES, BootFailure, Bochs, Qemu,
                     check_boot, load_font)

SVM_LINE = r"svm: AMD-V revision \d+, \d+ ASIDs: NPT yes"
VMX_LINE = r"vmx: VT-x revision \S+: EPT yes .*VPID yes, unrestricted guest yes"
QEMU_TIMEOUT = 90
BOCHS_TIMEOUT = 300


def expect_all(m, *extra, timeout=QEMU_TIMEOUT):
    return check_boot(m.wait_for(BOOT_LINES + LIBRARY_LINES + list(extra), timeout))


def assert_screen_shows(lines, what, text):
    if not any(what in l for l in lines):
        raise BootFailure("screen does not show %r; screen:\n%s\nserial:\n%s"
                          % (what, "\n".join(lines), text))


def test_qemu_bios_ide():
    with Qemu("bios-ide") as m:
        # keel.dcui=off: the screen stays the log (no setup console).
        m.build_image("keel.dcui=off")
        m.start(firmware="bios", disk="ide")
        text = expect_all(m, SVM_LINE, r'boot: loader "GRUB[^"]*", BIOS',
                          r"console: VGA text 80x25", r"boot: ACPI RSDP")
        assert_screen_shows(m.vga_text(), "keel: boot complete", text)


def test_qemu_uefi_disk():
    with Qemu("uefi-disk") as m:
        m.build_image("keel.dcui=off")
        m.start(firmware="uefi", disk="ide")
        text = expect_all(m, SVM_LINE, r'boot: loader "GRUB[^"]*", UEFI',
                          r"console: framebuffer \d+x\d+x(24|32)", r"boot: ACPI RSDP 2\.0")
        assert_screen_shows(m.screen_text(load_font()), "keel: boot complete", text)


def test_qemu_usb_stick_bios():
    with Qemu("usb-bios") as m:
        m.copy_image()
        m.start(firmware="bios", disk="usb")
        expect_all(m, SVM_LINE, r", BIOS")


def test_qemu_usb_stick_uefi():
    with Qemu("usb-uefi") as m:
        m.copy_image()
        m.start(firmware="uefi", disk="usb")
        expect_all(m, SVM_LINE, r", UEFI")


def test_bochs_bios_vmx():
    with Bochs("bochs") as m:
        m.copy_image()
        m.start()
        expect_all(m, VMX_LINE, r", BIOS", timeout=BOCHS_TIMEOUT)


def test_unknown_cmdline_option_is_logged_and_ignored():
    with Qemu("cmdline") as m:
        m.build_image("keel.nosuch=1 quiet")
        m.start(firmware="bios", disk="ide")
        expect_all(m, r'cmdline: unknown option "keel\.nosuch=1" ignored',
                   r'cmdline "keel\.nosuch=1 quiet( keel\.serial=log)?"')
