"""Issue 7: the host.* methods over the real endpoint, as a script would
use them (tests/system/keel_rpc.py, Python's own TLS and HTTP).

A host set up by keel.cfg boots with an e1000 on user networking and a
port forward to 443. host.info reports what QEMU gave it and the
thumbprint the TLS handshake showed; host.logs tails and long-polls;
a batch and a notification get the right HTTP answers;
host.cert.regenerate's thumbprint is what the next connection sees;
host.network.set is stored (and survives the restart host.reboot
causes); host.shutdown powers the host off. Needs mgmt/server.c (branch
"server") for the endpoint.
"""
import json
import os
import re
import time

from harness import Qemu, free_port
from keel_rpc import Rpc, RpcError, wait_listening

CFG = 'vmaccepteula\nrootpw "Passw0rd!"\nnetwork --bootproto=dhcp --hostname=keel-rpc.lab\n'
TP = re.compile(r"^(?:[0-9A-F]{2}:){31}[0-9A-F]{2}$")


def boot(m, port):
    m.start(firmware="bios", disk="ahci", extra=[
        "-smp", "2", "-nic", "user,model=e1000,hostfwd=tcp:127.0.0.1:%d-:443" % port])
    return wait_listening(port, 180)


def test_host_methods_over_https():
    port = free_port()
    with Qemu("rpc-host") as m:
        cfg = os.path.join(m.dir, "keel.cfg")
        with open(cfg, "w") as f:
            f.write(CFG)
        m.build_image("", files={"keel.cfg": cfg})
        tp = boot(m, port)
        r = Rpc(port, thumbprint=tp)
        r.login("Passw0rd!")

        info = r.call("host.info")
        assert info["cpu"]["cores"] == 2, info
        assert info["cpu"]["backend"] in ("vmx", "svm"), info
        assert info["thumbprint"] == tp and TP.match(tp), info
        assert info["hostname"] == "keel-rpc.lab" and info["store"]["state"] == "ok", info
        assert 0 < info["memory"]["free_bytes"] <= info["memory"]["total_bytes"], info
        stats = r.call("host.stats")
        assert len(stats["cpu"]["cpus"]) == 2 and stats["vms"]["running"] == 0, stats
        assert stats["nics"][0]["rx_packets"] > 0, stats

        tail = r.call("host.logs", max=3)
        assert len(tail["lines"]) == 3, tail
        assert tail["lines"][-1]["seq"] == tail["cursor"] - 1, tail
        t0 = time.monotonic()
        idle = r.call("host.logs", cursor=tail["cursor"], wait_ms=1500)
        waited = time.monotonic() - t0
        assert idle["lines"] or waited >= 1.2, (idle, waited)

        st, _, body = r.post(b'[{"jsonrpc":"2.0","method":"host.info","id":1},'
                             b'{"jsonrpc":"2.0","method":"host.stats"},'
                             b'{"jsonrpc":"2.0","method":"nope","id":"x"}]')
        answers = json.loads(body)
        assert st == 200 and [a["id"] for a in answers] == [1, "x"], body
        assert answers[1]["error"]["code"] == -32601, body
        st, _, body = r.post(b'{"jsonrpc":"2.0","method":"host.stats"}')
        assert st == 204 and body == b"", (st, body)

        new = r.call("host.cert.regenerate")["thumbprint"]
        assert TP.match(new) and new != tp, new
        assert Rpc(port).thumbprint == new  # the next connection serves it

        try:
            r.call("host.network.set", vlan=4095)
            raise AssertionError("vlan 4095 accepted")
        except RpcError as e:
            assert e.code == -32602 and "params.vlan" in e.message, e
        res = r.call("host.network.set", dns=["10.0.2.3"])
        assert res["dns"] == ["10.0.2.3"] and res["apply_in_ms"] == 500, res
        time.sleep(3)  # applied after the answer: this connection dropped
        token = r.token
        r = Rpc(port, thumbprint=new)
        r.token = token

        res = r.call("host.reboot")
        assert res == {"in_ms": 500, "vms_running": 0}, res
        m.wait_exit([r"host: restarting as asked over the management endpoint",
                     r"rpc: root@10\.0\.2\.2: host\.reboot: ok"], 60)
        assert boot(m, port) == new
        r = Rpc(port, thumbprint=new)
        r.login("Passw0rd!")
        net = r.call("host.network.get")
        assert net["dns"] == ["10.0.2.3"] and net["source"] == "store", net
        assert r.call("host.shutdown") == {"in_ms": 500, "vms_running": 0}
        m.wait_exit([r"host: powering off as asked over the management endpoint",
                     r"rpc: root@10\.0\.2\.2: host\.shutdown: ok"], 60)
