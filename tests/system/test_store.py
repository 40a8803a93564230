"""Issue 6: the config store at boot and the cost of a root login.

The store logs what it found on the config partition (open, missing or
damaged) and the boot carries on either way; the in-image self-test
hashes and verifies a password with the configured PBKDF2 iteration count
and reports what one console login costs under emulation.
"""
import re

from harness import Qemu

STORE_LINE = (r"^store: (open on \S+ \(schema v\d+, \d+ KiB\)"
              r"|no config partition; settings kept in memory only"
              r"|config partition damaged: .+)$")


def test_store_reports_its_state_and_boot_goes_on():
    with Qemu("store_state") as m:
        m.build_image("")
        m.start(firmware="bios", disk="ahci")
        # The store waits for the partition in its own thread: the line
        # comes after the rest of the boot, not instead of it.
        text = m.wait_for([STORE_LINE], 90)
        if re.search(r"^store: no config partition", text, re.M):
            m.fail("the config partition on the AHCI disk was not used", text)


def test_store_in_memory_without_config_partition():
    # Keel has no IDE driver: booted from IDE, no config partition is found.
    with Qemu("store_memory") as m:
        m.build_image("")
        m.start(firmware="bios", disk="ide")
        m.wait_for([r"^store: no config partition; settings kept in memory only$"], 90)


def test_store_left_to_the_power_loss_test():
    with Qemu("store_storetest") as m:
        m.build_image("keel.storetest")
        m.start(firmware="bios", disk="ide")
        text = m.wait_for([r"^store: keel.storetest: the config partition is left to the test$"], 90)
        if re.search(STORE_LINE, text, re.M):
            m.fail("the store opened the partition under keel.storetest", text)


def test_pbkdf2_login_cost():
    with Qemu("store_pw_cost") as m:
        m.build_image("keel.selftest")
        m.start(firmware="bios", disk="ide")
        text = m.wait_exit([r"^selftest: PASS store_pw_cost$",
                            r"^store: PBKDF2-HMAC-SHA256 x \d+: hash \d+ ms, verify \d+ ms$"], 400)
        print(re.search(r"^store: PBKDF2.*$", text, re.M).group(0))
