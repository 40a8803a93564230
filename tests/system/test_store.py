"""Issue 6: the config store at boot, its power-loss safety, the cost of a
root login.

The store logs what it found on the config partition (open, missing or
damaged) and the boot carries on either way; the in-image self-test
hashes and verifies a password with the configured PBKDF2 iteration count
and reports what one console login costs under emulation.

Power loss (test_power_loss): one disk image, booted again and again with
`keel.storetest` (store/store_powertest.c), which opens config.db through
the block VFS, prints `storetest: verify gen=G integrity=ok
consistent=yes` for what the previous boot left, then rewrites all 64
rows (a few KiB each, so a commit spans dozens of pages) to the next
generation forever, printing `storetest: committed N` after each COMMIT
returns. Each run is killed with SIGKILL (a power cut for the guest: what
QEMU has not written to the image file is gone) at a random moment 0-2 s
after its first commit. The next boot must open the store, pass
integrity_check, find all rows of one generation, and that generation
must be the last one the killed run printed, or the next one (the commit
in flight when the power went). The runs rotate between the AHCI, NVMe,
virtio-blk and IDE drivers, so each driver's flush is part of the chain.
Set KEEL_STORE_SEED to replay a run.
"""
import os
import random
import re
import subprocess
import time

from harness import Qemu

RUNS = 24
DISKS = ["ahci", "nvme", "virtio", "ide"]
VERIFY = r"storetest: verify (?:gen=(\d+) integrity=ok consistent=yes|FAILED.*)"
COMMITTED = r"storetest: committed (\d+)\n"


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
        if not re.search(r"^store: open on ahci\d+p3 \(schema v\d+", text, re.M):
            m.fail("the store did not open on the AHCI disk's config partition", text)


def test_store_in_memory_without_config_partition():
    # A stick whose KEEL-CONFIG partition is gone (deleted from the GPT):
    # Keel boots from it and keeps its settings in memory.
    with Qemu("store_memory") as m:
        img = m.build_image("")
        subprocess.run(["sgdisk", "--delete=3", img], check=True, capture_output=True)
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
                            r"^store: PBKDF2-HMAC-SHA256 x \d+ in \d+ us; a login at \d+ "
                            r"iterations costs about \d+ ms$"], 400)
        print(re.search(r"^store: PBKDF2.*$", text, re.M).group(0))


def test_power_loss():
    seed = int(os.environ.get("KEEL_STORE_SEED", time.time_ns() % 100000))
    rng = random.Random(seed)
    landed = 0
    with Qemu("store-powerloss") as m:
        m.build_image("keel.storetest")
        last = None  # the last generation the previous run saw committed
        for run in range(RUNS):
            disk = DISKS[run % len(DISKS)]
            where = "seed %d, run %d on %s" % (seed, run, disk)
            # A stale log would satisfy wait_for before QEMU reopens it.
            if os.path.exists(m.serial):
                os.unlink(m.serial)
            m.start(disk=disk, extra=["-nic", "none"])
            text = m.wait_for([r"storetest: verify", r"storetest: (committed|stopped)"], 60)
            v = re.search(VERIFY, text)
            if not v or v.group(1) is None:
                m.fail("%s: the store did not verify after a power cut" % where, text)
            gen = int(v.group(1))
            if last is None and gen != 0:
                m.fail("%s: a fresh store holds generation %d" % (where, gen), text)
            if last is not None and gen not in (last, last + 1):
                m.fail("%s: generation %d after the previous run committed %d: "
                       "a committed transaction was lost or a future one appeared"
                       % (where, gen, last), text)
            if last is not None and gen == last + 1:
                landed += 1
            if "storetest: stopped" in text:
                m.fail("%s: the writer stopped" % where, text)
            time.sleep(rng.uniform(0, 2.0))
            m.stop()
            commits = [int(n) for n in re.findall(COMMITTED, m.log())]
            if not commits or commits[0] != gen + 1:
                m.fail("%s: commits %s after verifying %d" % (where, commits[:3], gen), m.log())
            last = commits[-1]
    print("store power loss: %d kills (seed %d), the commit in flight landed %d times"
          % (RUNS, seed, landed))
