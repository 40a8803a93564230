"""Issue 7: a VM end to end over the real endpoint, as a script would run
one (tests/system/keel_rpc.py: Python's own TLS and HTTP).

A host set up by keel.cfg boots from AHCI with a blank NVMe disk beside
it. Over HTTPS: log in, format the datastore, upload the test guest
build/guests/g_console.bin, create a VM that boots it with a command
line, start it, read its banner from the console, type a line and read
the echo in capitals, check vm.stats, stop it (its output stays),
destroy it; the audit log in the host log names the caller and the VM.
"""
import base64
import hashlib
import os
import re
import time

from harness import BUILD, Qemu, free_port
from keel_rpc import Rpc, RpcError, wait_listening

CFG = 'vmaccepteula\nrootpw "Passw0rd!"\nnetwork --bootproto=dhcp --hostname=keel-vm.lab\n'


def console_until(r, name, cursor, needle, timeout=60):
    """Follow the console from @cursor until @needle shows up in what
    came since; returns (text, next cursor)."""
    text = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        res = r.call("vm.console.read", name=name, cursor=cursor)
        assert res["lost"] == 0 and res["encoding"] == "text", res
        text += res["data"]
        cursor = res["cursor"]
        if needle in text:
            return text, cursor
        time.sleep(0.2)
    raise AssertionError("console of %s never showed %r; it showed %r" % (name, needle, text))


def test_vm_over_https():
    port = free_port()
    with Qemu("vmm-https") as m:
        cfg = os.path.join(m.dir, "keel.cfg")
        with open(cfg, "w") as f:
            f.write(CFG)
        ds = os.path.join(m.dir, "ds.img")
        with open(ds, "wb") as f:
            f.truncate(64 << 20)
        m.build_image("", files={"keel.cfg": cfg})
        m.start(firmware="bios", disk="ahci", extra=[
            "-smp", "2", "-nic", "user,model=e1000,hostfwd=tcp:127.0.0.1:%d-:443" % port,
            "-drive", "file=%s,format=raw,if=none,id=ds" % ds,
            "-device", "nvme,serial=ds0,drive=ds"])
        tp = wait_listening(port, 180)
        r = Rpc(port, thumbprint=tp)
        r.login("Passw0rd!")

        disk = [d for d in r.call("datastore.disks")["disks"] if d["formattable"]][0]
        r.call("datastore.format", disk=disk["name"], label="vms")
        with open(os.path.join(BUILD, "guests", "g_console.bin"), "rb") as f:
            guest = f.read()
        r.call("datastore.upload", name="g_console.bin", offset=0, size=len(guest),
               sha256=hashlib.sha256(guest).hexdigest(),
               data=base64.b64encode(guest).decode(), done=True)

        try:
            r.call("vm.create", name="web1", memory_mb=32, kernel="nope.bin")
            raise AssertionError("a missing kernel was accepted")
        except RpcError as e:
            assert e.code == -32010 and "nope.bin" in e.message, e
        vm = r.call("vm.create", name="web1", vcpus=2, memory_mb=32, kernel="g_console.bin",
                    cmdline="over https")
        assert vm["state"] == "stopped" and vm["vcpus"] == 2 and vm["initrd"] is None, vm
        assert [v["name"] for v in r.call("vm.list")["vms"]] == ["web1"]

        assert r.call("vm.start", name="web1")["state"] == "running"
        text, cur = console_until(r, "web1", 0, "type a line")
        assert "g_console: cmdline: over https\r\n" in text, text
        assert "memory 32 MiB, vCPUs 2" in text, text
        assert r.call("vm.console.write", name="web1", data="hello from https\r")["written"] == 17
        text, cur = console_until(r, "web1", cur, "HELLO FROM HTTPS\r\n")

        st = r.call("vm.stats", name="web1")
        assert st["state"] == "running" and st["exits"]["io"] > 0, st
        assert st["memory"]["guest_bytes"] == 32 << 20 and st["memory"]["overhead_bytes"] > 0, st

        assert r.call("vm.stop", name="web1")["state"] == "stopped"
        info = r.call("vm.info", name="web1")
        assert info["stop_reason"].startswith("stopped by root@"), info
        old = r.call("vm.console.read", name="web1", cursor=0)
        assert "HELLO FROM HTTPS" in old["data"], old
        try:
            r.call("vm.stop", name="web1")
            raise AssertionError("stopping a stopped VM was accepted")
        except RpcError as e:
            assert e.code == -32012, e
        assert r.call("vm.destroy", name="web1")["state"] == "destroyed"
        assert r.call("vm.list")["vms"] == []

        log = m.log()
        for what in ("vm.create web1: ok", "vm.start web1: ok", "vm.stop web1: ok",
                     "vm.destroy web1: ok", 'vm.stop web1: VM "web1" is not running'):
            if not re.search(r"^rpc: root@10\.0\.2\.2: %s$" % re.escape(what), log, re.M):
                m.fail("no audit line for %s" % what, log)
