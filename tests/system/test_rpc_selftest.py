"""Issue 7: JSON-RPC dispatch and the host.* methods inside the image.

keel.selftest runs mgmt/rpc_selftest.c: real request bodies through
rpc_handle() against the running kernel. host.info must report the
cores QEMU was given, host.cert.regenerate a thumbprint of 32 hex pairs
that host.info then shows and the audit log records, host.logs must
hand back a line logged while it waited, and bad requests get the
documented error codes. The TLS transport is not involved.
"""
import re

from harness import Qemu

DONE = r"^selftest: (\d+) passed, (\d+) failed$"
TESTS = ("rpc_dispatch", "rpc_host_info", "rpc_host_store", "rpc_host_logs")


def test_rpc_selftest():
    with Qemu("rpc-selftest") as m:
        m.build_image("keel.selftest")
        m.start(firmware="bios", disk="ide", extra=["-nic", "none", "-smp", "2"])
        text = m.wait_exit([DONE, r"^power: powering off$"], 240)
        for t in TESTS:
            if not re.search(r"^selftest: PASS %s$" % t, text, re.M):
                m.fail("self-test %s did not pass" % t, text)
        info = re.search(r"^rpc_selftest: host\.info: (\d+) cores, .* answered in (\d+) us$",
                         text, re.M)
        if not info or info.group(1) != "2":
            m.fail("host.info did not report the 2 cores QEMU has", text)
        tp = re.search(r"^rpc_selftest: host\.cert\.regenerate -> "
                       r"((?:[0-9A-F]{2}:){31}[0-9A-F]{2})$", text, re.M)
        if not tp:
            m.fail("no thumbprint-shaped answer from host.cert.regenerate", text)
        # The thumbprint the RPC answered is the one the TLS code logged.
        if not re.search(r"^tls: SHA-256 thumbprint %s$" % re.escape(tp.group(1)), text, re.M):
            m.fail("host.cert.regenerate answered another thumbprint than it stored", text)
