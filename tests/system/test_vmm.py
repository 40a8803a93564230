"""Issue 7: the VM manager and its vm.* methods, in the image.

keel.vmmtest (mgmt/vmm_selftest.c) drives vm.create/list/info/start/
stop/reset/destroy/autostart/stats and vm.console.read/write through the
JSON-RPC dispatcher, with the test guest tests/guests/g_console.S as the
kernel: the guest's banner with its command line and initrd arrives on
the console ring, a line written to its COM1 comes back in capitals,
heartbeats keep coming, a reset boots it again with the ring kept, a
stopped VM's output stays readable, and bad kernels and limits are
refused with the documented codes. The autostart test boots twice from
one disk: the VM created with autostart in the first boot runs by itself
in the second.
"""
import os
import re

from harness import Qemu, Bochs

VMMTEST_TIMEOUT = 300


def check_steps(m, text, steps):
    if re.search(r"^vmmtest: FAIL", text, re.M):
        m.fail("a vmmtest step failed", text)
    for s in steps:
        if not re.search(r"^vmmtest: PASS %s$" % s, text, re.M):
            m.fail("vmmtest step %s did not pass" % s, text)


FLOW = ["create_bzimage_truncated", "create_empty_kernel", "create_oversized_kernel",
        "create_missing_kernel", "create_kernel_uploading", "create_initrd_too_big",
        "create_more_memory_than_host", "create", "start_twice_at_once",
        "banner_with_cmdline", "initrd_handed_over", "echo", "heartbeat", "stats",
        "consoles_apart", "crash_stops_alone", "crash_output_kept",
        "crashed_restarts", "reset", "ring_survives_reset", "stop", "info_after_stop",
        "console_after_stop", "destroy", "info_destroyed", "audited"]


def test_vmm_flow_svm():
    with Qemu("vmm-svm") as m:
        m.build_image("keel.vmmtest")
        m.start(disk="ahci", extra=["-smp", "2", "-nic", "none"])
        text = m.wait_exit([r"^vmmtest: \d+ passed, 0 failed$",
                            r"^hv: using AMD-V with NPT$"], VMMTEST_TIMEOUT)
        check_steps(m, text, FLOW)
        # The guest's own output stays off the host log.
        if re.search(r"g_console: heartbeat", text):
            m.fail("guest console output leaked into the host log", text)


def test_vmm_autostart_svm():
    with Qemu("vmm-autostart") as m:
        m.build_image("keel.vmmtest=autostart")
        m.start(disk="ahci", extra=["-nic", "none"])
        text = m.wait_exit([r"^vmmtest: 1 passed, 0 failed$"], VMMTEST_TIMEOUT)
        check_steps(m, text, ["autostart_create"])
        # Same disk, same store: the next boot starts auto1 by itself.
        os.truncate(m.serial, 0)
        m.start(disk="ahci", extra=["-nic", "none"])
        text = m.wait_exit([r"^vmmtest: 3 passed, 0 failed$",
                            r"^vmm: 1 VMs in the inventory$",
                            r"^vmm: auto1 started by autostart "],
                           VMMTEST_TIMEOUT)
        check_steps(m, text, ["autostart_kept", "autostart_runs", "autostart_destroy"])


def test_vmm_datastore_svm():
    """The kernel comes from the real datastore on a second disk (NVMe):
    formatted and filled through datastore.*, then booted; once the file
    is deleted, vm.start says so and vm.info keeps the reason. A virtual
    disk made by datastore.create is given to the VM (vm.info lists it),
    refused for delete while the VM runs and deleted once it stopped;
    datastore.create and vm.create's disks refuse bad input."""
    with Qemu("vmm-ds") as m:
        m.build_image("keel.vmmtest=datastore")
        ds = os.path.join(m.dir, "ds.img")
        with open(ds, "wb") as f:
            f.truncate(64 << 20)
        m.start(disk="ahci", extra=["-nic", "none", "-smp", "2",
                                    "-drive", "file=%s,format=raw,if=none,id=ds" % ds,
                                    "-device", "nvme,serial=ds0,drive=ds"])
        text = m.wait_exit([r"^vmmtest: \d+ passed, 0 failed$"], VMMTEST_TIMEOUT)
        check_steps(m, text, ["ds_none_yet", "ds_disk_found", "ds_format", "ds_upload",
                              "disk_create", "disk_create_zero", "disk_create_too_big",
                              "disk_create_taken", "vm_disk_missing", "vm_disk_not_a_disk",
                              "vm_disk_twice", "vm_disk_five", "vm_disk_kernel",
                              "ds_create", "ds_info_disks", "ds_start", "ds_disk_in_use",
                              "ds_banner", "power_guest_reset", "power_reset_disk_reopened",
                              "power_reset_loop_stops", "power_loop_disk_closed",
                              "power_guest_poweroff", "power_restart",
                              "ds_stop", "ds_disk_free", "ds_delete",
                              "ds_start_without_kernel", "ds_reason_kept", "ds_destroy"])


def test_vmm_flow_vmx_bochs():
    with Bochs("vmm-vmx") as m:
        m.build_image("keel.vmmtest")
        m.start(cpus=2)
        text = m.wait_exit([r"^vmmtest: \d+ passed, 0 failed$",
                            r"^hv: using VT-x with EPT$"], 1500)
        check_steps(m, text, [s for s in FLOW if s != "heartbeat"])
