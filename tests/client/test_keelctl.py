"""keelctl against real TLS servers, as a user or a script drives it.

Trust on first use runs against `openssl s_server` with a throwaway
certificate (an independent TLS implementation); the commands run
against tests/client/fake_keel.py, a stand-in endpoint over Python's ssl
that records what keelctl sent. The end-to-end test against the real
Keel endpoint is tests/system/ (it boots the image).
"""
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time

import pexpect

from fake_keel import FakeKeel, make_cert

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEELCTL = os.path.join(ROOT, os.environ.get("BUILD", "build"), "keelctl")


@contextlib.contextmanager
def workdir():
    d = tempfile.mkdtemp(prefix="keelctl-test-")
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def env_for(d, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEELCTL_")}
    env.update(HOME=d, KEELCTL_DIR=os.path.join(d, "kc"))
    env.update({k: str(v) for k, v in extra.items()})
    return env


def keelctl(d, *args, env=None, input=None, timeout=60):
    """Run keelctl non-interactively (stdin is not a terminal)."""
    return subprocess.run([KEELCTL, *args], env=env or env_for(d),
                          input=input, capture_output=True, text=True,
                          timeout=timeout,
                          stdin=None if input is not None else subprocess.DEVNULL)


def check(p, code, *needles):
    assert p.returncode == code, "exit %d, wanted %d\nstdout: %s\nstderr: %s" % (
        p.returncode, code, p.stdout, p.stderr)
    for n in needles:
        assert n in p.stdout + p.stderr, "%r not in output:\n%s%s" % (
            n, p.stdout, p.stderr)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@contextlib.contextmanager
def s_server(crt, key, port):
    """openssl s_server answering like a web server (-www)."""
    p = subprocess.Popen(["openssl", "s_server", "-accept", "127.0.0.1:%d" % port,
                          "-cert", crt, "-key", key, "-www", "-tls1_2", "-quiet"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(
                    ("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.05)
        yield p
    finally:
        p.terminate()
        p.wait(timeout=10)


def test_tofu_openssl():
    """Unknown host: thumbprint shown, refused without a terminal, asked
    on one and recorded; then trusted silently; a new certificate on the
    same host:port is refused loudly naming the file and line."""
    with workdir() as d:
        crt, key, tp = make_cert(d, "a")
        crt2, key2, tp2 = make_cert(d, "b")
        port = free_port()
        kh = os.path.join(d, "kc", "known_hosts")
        args = ["--host", "127.0.0.1:%d" % port, "--timeout", "2"]
        with s_server(crt, key, port):
            p = keelctl(d, *args, "host", "info")
            check(p, 7, tp, "can't be established", "--thumbprint " + tp)
            assert not os.path.exists(kh)
            # Pinned: trusted; the server is no Keel host, so the
            # request fails later (timeout or not JSON-RPC), never 6/7.
            p = keelctl(d, *args, "--thumbprint", tp.lower().replace(":", ""),
                        "host", "info", env=env_for(d, KEELCTL_PASSWORD="x"))
            assert p.returncode == 2, p.stderr
            p = keelctl(d, *args, "--thumbprint", tp2, "host", "info")
            check(p, 6, "not the --thumbprint given")
            # On a terminal: asked; "n" refuses, "y" records.
            child = pexpect.spawn(KEELCTL, args + ["host", "info"], env=env_for(d),
                                  encoding="utf-8", timeout=20)
            child.expect(re.escape(tp))
            child.expect(r"Trust this host\? \[y/N\] ")
            child.sendline("n")
            child.expect(pexpect.EOF)
            child.close()
            assert child.exitstatus == 7
            assert not os.path.exists(kh)
            child = pexpect.spawn(KEELCTL, args + ["host", "info"],
                                  env=env_for(d), encoding="utf-8", timeout=20)
            child.expect(r"Trust this host\? \[y/N\] ")
            child.sendline("y")
            child.expect("Added 127.0.0.1:%d" % port)
            # Next it wants a password: the host was trusted first.
            child.expect("root@127.0.0.1:%d's password: " % port)
            child.sendintr()
            child.expect(pexpect.EOF)
            child.close()
            assert stat.S_IMODE(os.stat(kh).st_mode) == 0o600
            with open(kh) as f:
                assert f.read() == "127.0.0.1:%d %s\n" % (port, tp)
            # Known now: no question, straight to the (absent) password.
            p = keelctl(d, *args, "host", "info")
            check(p, 3, "not logged in")
            assert "authenticity" not in p.stderr
        with s_server(crt2, key2, port):
            p = keelctl(d, *args, "host", "info",
                        env=env_for(d, KEELCTL_PASSWORD="x"))
            check(p, 6, "REMOTE HOST IDENTIFICATION HAS CHANGED", tp2,
                  "%s line 1" % kh, "remove line 1 of %s" % kh)
            # --insecure: no check at all (and nothing recorded).
            p = keelctl(d, *args, "--insecure", "host", "info")
            check(p, 3)
            with open(kh) as f:
                assert tp2 not in f.read()


def test_connection_errors():
    with workdir() as d:
        port = free_port()  # nothing listens
        p = keelctl(d, "--host", "127.0.0.1", "--port", str(port), "vm", "ls")
        check(p, 2, "cannot connect to 127.0.0.1 port %d" % port)
        p = keelctl(d, "--host", "no-such-host.invalid", "vm", "ls")
        check(p, 2, "cannot resolve no-such-host.invalid")
        p = keelctl(d, "vm", "ls")
        check(p, 1, "no host")


def test_usage():
    with workdir() as d:
        check(keelctl(d, "--help"), 0, "vm console NAME", "Exit codes")
        check(keelctl(d, "vm", "create", "--help"), 0, "--kernel DSFILE")
        check(keelctl(d, "help", "datastore", "upload"), 0, "LOCAL [NAME]")
        check(keelctl(d, "--version"), 0, "keelctl ")
        check(keelctl(d), 1, "Usage")
        check(keelctl(d, "frobnicate"), 1, "unknown command 'frobnicate'")
        check(keelctl(d, "vm", "fly"), 1, "unknown command 'vm fly'")
        check(keelctl(d, "vm", "start"), 1, "missing argument")
        check(keelctl(d, "--host", "h", "vm", "start", "a", "b"), 1,
              "unexpected argument 'b'")
        check(keelctl(d, "--host", "h", "vm", "create", "x", "--kernel", "k"),
              1, "--memory MB is required")
        check(keelctl(d, "--host", "h", "login", "--password", "pw"), 1,
              "unknown option '--password'")
        check(keelctl(d, "--port", "99999", "vm", "ls"), 1, "bad port")


def fake_env(d, k, **extra):
    return env_for(d, KEELCTL_HOST="127.0.0.1:%d" % k.port,
                   KEELCTL_THUMBPRINT=k.thumbprint, **extra)


def test_login_session_cache():
    """One login, then commands reuse the cached token; a session the
    host ended is renewed with a password at hand, else exit 3."""
    with workdir() as d, FakeKeel(d) as k:
        env = fake_env(d, k)
        check(keelctl(d, "vm", "ls", env=env), 3, "not logged in", "keelctl login")
        check(keelctl(d, "login", env=fake_env(d, k, KEELCTL_PASSWORD="bad")),
              3, "wrong user name or password", "-32002")
        check(keelctl(d, "login", env=fake_env(d, k, KEELCTL_PASSWORD="secret")),
              0, "Logged in to 127.0.0.1:%d as root" % k.port, "30m")
        sess = os.path.join(d, "kc", "sessions")
        assert stat.S_IMODE(os.stat(sess).st_mode) == 0o600
        logins = k.logins
        check(keelctl(d, "vm", "ls", env=env), 0, "No VMs.")
        check(keelctl(d, "host", "info", env=env), 0, "esx-fake", "1h 02m")
        assert k.logins == logins
        # The host ended the session (reboot, logout elsewhere).
        k.tokens.clear()
        check(keelctl(d, "vm", "ls", env=env), 3, "keelctl login")
        pw = os.path.join(d, "pw")
        with open(pw, "w") as f:
            f.write("secret\n")
        os.chmod(pw, 0o600)
        k.tokens.clear()
        check(keelctl(d, "--password-file", pw, "vm", "ls", env=env), 0)
        assert k.logins == logins + 1  # renewed once, silently
        # --password-file beats KEELCTL_PASSWORD.
        check(keelctl(d, "--password-file", pw, "login",
                      env=fake_env(d, k, KEELCTL_PASSWORD="bad")), 0)
        # A password prompt on a terminal, without echo.
        child = pexpect.spawn(KEELCTL, ["login"], env=env, encoding="utf-8",
                              timeout=20)
        child.expect("root@127.0.0.1:%d's password: " % k.port)
        child.sendline("secret")
        child.expect("Logged in")
        child.expect(pexpect.EOF)
        assert "secret" not in child.before
        check(keelctl(d, "logout", env=env), 0)
        assert "session.logout" in k.methods()
        check(keelctl(d, "vm", "ls", env=env), 3)


def test_vm_commands():
    with workdir() as d, FakeKeel(d) as k:
        env = fake_env(d, k, KEELCTL_PASSWORD="secret")
        k.files["vmlinuz"] = {"size": 1, "sha256": "0" * 64,
                              "data": bytearray(b"x"), "complete": True}
        check(keelctl(d, "vm", "create", "web1", "--vcpus", "2", "--memory",
                      "256", "--kernel", "vmlinuz", "--cmdline",
                      "console=ttyS0 quiet", "--autostart", env=env),
              0, "VM web1 created")
        assert k.calls[-1] == ("vm.create", {
            "name": "web1", "vcpus": 2, "memory_mb": 256, "kernel": "vmlinuz",
            "cmdline": "console=ttyS0 quiet", "autostart": True})
        check(keelctl(d, "vm", "create", "web1", "--memory", "256",
                      "--kernel", "vmlinuz", env=env), 5, "exists", "-32011")
        check(keelctl(d, "vm", "create", "db", "--memory", "64", "--kernel",
                      "nope", env=env), 4, "no file nope")
        p = keelctl(d, "vm", "ls", env=env)
        check(p, 0)
        assert p.stdout.splitlines() == [
            "NAME  STATE    VCPUS     MEMORY  AUTOSTART  RUN TIME",
            "web1  stopped      2  256.0 MiB  yes              0s"]
        p = keelctl(d, "--json", "vm", "ls", env=env)
        check(p, 0)
        assert json.loads(p.stdout) == k.m_vm_list({}, None)
        check(keelctl(d, "vm", "start", "web1", env=env), 0, "VM web1 started")
        check(keelctl(d, "vm", "start", "web1", env=env), 5,
              "vm.start web1: web1 is already running (error -32012)")
        check(keelctl(d, "vm", "info", "web1", env=env), 0,
              "State:", "running", "Memory:", "256.0 MiB",
              "Command line: console=ttyS0 quiet")
        check(keelctl(d, "vm", "stats", "web1", env=env), 0,
              "Run time:        1m 05s", "Exits:           124",
              "Exits by reason:\n  I/O:   120\n  CPUID: 4",
              "Memory use:\n  Guest:        64.0 MiB")
        check(keelctl(d, "vm", "info", "web1", env=env), 0,
              "Run time:     1h 02m")
        check(keelctl(d, "vm", "destroy", "web1", env=env), 5, "stop web1 first")
        check(keelctl(d, "vm", "stop", "web1", env=env), 0, "VM web1 stopped")
        check(keelctl(d, "vm", "destroy", "web1", env=env), 0)
        p = keelctl(d, "--json", "vm", "info", "web1", env=env)
        check(p, 4, "no VM named web1")
        assert json.loads(p.stdout) == {"error": {"code": -32010,
                                                  "message": "no VM named web1"}}
        # One connection carried the whole command, login included.
        k.requests = 0
        k.tokens.clear()
        os.unlink(os.path.join(d, "kc", "sessions"))
        check(keelctl(d, "vm", "ls", env=env), 0)
        assert k.requests == 2


def test_host_commands():
    with workdir() as d, FakeKeel(d) as k:
        env = fake_env(d, k, KEELCTL_PASSWORD="secret")
        p = keelctl(d, "host", "info", env=env)
        check(p, 0, "Host:        esx-fake", "CPU:         QEMU Virtual CPU, 2 cores",
              "Backend:     VT-x with EPT",
              "Memory:      1.0 GiB, 600.0 MiB free", "Thumbprint:  " + k.thumbprint)
        p = keelctl(d, "host", "logs", "-n", "3", env=env)
        check(p, 0)
        assert p.stdout.splitlines() == ["[   10.500000] line 7",
                                         "[   12.000000] line 8",
                                         "[   13.500000] line 9"]
        assert k.calls[-1] == ("host.logs", {"max": 3})
        check(keelctl(d, "host", "logs", "-n", "0", env=env), 1)


def write_random(path, size):
    data = os.urandom(size)
    with open(path, "wb") as f:
        f.write(data)
    return hashlib.sha256(data).hexdigest()


def uploads(k):
    return [p for m, p in k.calls if m == "datastore.upload"]


def test_upload_download():
    with workdir() as d, FakeKeel(d) as k:
        env = fake_env(d, k, KEELCTL_PASSWORD="secret")
        src = os.path.join(d, "guest.bin")
        sha = write_random(src, 3 * 1024 * 1024 + 12345)
        p = keelctl(d, "datastore", "upload", src, "img/guest", env=env)
        check(p, 0, "Uploaded %s to img/guest" % src, sha)
        up = uploads(k)
        assert [u["offset"] for u in up] == [0, 1 << 20, 2 << 20, 3 << 20]
        assert up[0]["size"] == 3 * 1024 * 1024 + 12345 and up[0]["sha256"] == sha
        assert "size" not in up[1] and "done" not in up[2] and up[3]["done"] is True
        assert hashlib.sha256(k.files["img/guest"]["data"]).hexdigest() == sha
        # The same file again: nothing to send.
        check(keelctl(d, "datastore", "upload", src, "img/guest", env=env), 0,
              "already on the datastore")
        p = keelctl(d, "datastore", "ls", env=env)
        check(p, 0)
        assert p.stdout.splitlines() == [
            "NAME          SIZE  STATE     SHA-256",
            "img/guest  3.0 MiB  complete  %s" % sha[:12],
            "Datastore ds1 on nvme0n1: 900.0 MiB free of 1.0 GiB, 1 file."], p.stdout
        # Download: same bytes, no .part left behind.
        dst = os.path.join(d, "back.bin")
        check(keelctl(d, "datastore", "download", "img/guest", dst, env=env),
              0, "SHA-256 verified")
        with open(dst, "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == sha
        assert not os.path.exists(dst + ".part")
        # Damaged in transit: refused, the old file stays.
        k.corrupt_download = True
        with open(dst, "w") as f:
            f.write("old")
        check(keelctl(d, "datastore", "download", "img/guest", dst, env=env),
              5, "is not the host's", "nothing was written")
        with open(dst) as f:
            assert f.read() == "old"
        assert not os.path.exists(dst + ".part")
        k.corrupt_download = False
        # To stdout: the bytes, nothing else.
        p = subprocess.run([KEELCTL, "datastore", "download", "img/guest", "-"],
                           env=env, capture_output=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        assert p.returncode == 0 and hashlib.sha256(p.stdout).hexdigest() == sha
        check(keelctl(d, "datastore", "rm", "img/guest", env=env), 0, "Deleted")
        check(keelctl(d, "datastore", "rm", "img/guest", env=env), 4)
        check(keelctl(d, "datastore", "upload", os.path.join(d, "nope"), env=env),
              8, "No such file")
        # An empty file is a file.
        empty = os.path.join(d, "empty")
        open(empty, "w").close()
        check(keelctl(d, "datastore", "upload", empty, env=env), 0)
        assert k.files["empty"]["complete"]


def test_upload_resumes():
    """A connection that breaks mid-upload (before or after the host
    stored the chunk) is re-opened and the upload goes on from what the
    host has; a later run resumes a partial upload of the same file."""
    with workdir() as d, FakeKeel(d) as k:
        env = fake_env(d, k, KEELCTL_PASSWORD="secret")
        src = os.path.join(d, "guest.bin")
        sha = write_random(src, 4 * 1024 * 1024 + 1)
        k.drops = [("datastore.upload", 2, "after"), ("datastore.upload", 4, "before")]
        p = keelctl(d, "datastore", "upload", src, env=env)
        check(p, 0, "reconnecting", "Uploaded")
        assert hashlib.sha256(k.files["guest.bin"]["data"]).hexdigest() == sha
        offs = [u["offset"] for u in uploads(k)]
        # Chunk 2 landed but its answer was lost; chunk 4 never landed.
        assert offs == [0, 1 << 20, 2 << 20, 3 << 20, 3 << 20, 4 << 20], offs
        assert k.methods().count("datastore.upload.status") == 3  # start + 2
        # A partial upload left by an earlier run.
        k.drops = []
        f = k.files["guest.bin"]
        f["data"] = f["data"][:2 << 20]
        f["complete"] = False
        del k.calls[:]
        check(keelctl(d, "datastore", "upload", src, env=env), 0,
              "resuming the upload of guest.bin at 2097152 bytes")
        assert [u["offset"] for u in uploads(k)] == [2 << 20, 3 << 20, 4 << 20]
        assert k.files["guest.bin"]["complete"]
        # Other contents under the same name: refused, unless --force.
        sha2 = write_random(src, 100)
        check(keelctl(d, "datastore", "upload", src, env=env), 5,
              "already exists on the datastore (complete, with other contents)",
              "--force")
        check(keelctl(d, "datastore", "upload", "--force", src, env=env), 0)
        assert uploads(k)[-1]["overwrite"] is True
        assert k.files["guest.bin"]["sha256"] == sha2
        # The answer to the last chunk is lost: the status says complete,
        # nothing is sent again.
        del k.calls[:]
        k.drops = [("datastore.upload", 1, "after")]
        big = os.path.join(d, "big.bin")
        write_random(big, (1 << 20) + 5)
        check(keelctl(d, "datastore", "upload", big, env=env), 0, "Uploaded")
        assert [u["offset"] for u in uploads(k)] == [0, 1 << 20]
        assert k.files["big.bin"]["complete"]


def test_upload_checksum_failure():
    """Bytes damaged on the way: the host refuses the file (-32015), a
    second run says to remove it or use --force, and --force replaces it."""
    with workdir() as d, FakeKeel(d) as k:
        env = fake_env(d, k, KEELCTL_PASSWORD="secret")
        src = os.path.join(d, "f.bin")
        write_random(src, 3000)
        k.corrupt_upload = True
        check(keelctl(d, "datastore", "upload", src, env=env), 5,
              "SHA-256 mismatch", "-32015")
        check(keelctl(d, "datastore", "upload", src, env=env), 5,
              "already exists on the datastore (failed, with this file's SHA-256)",
              "keelctl datastore rm f.bin")
        check(keelctl(d, "datastore", "upload", src, "--force", env=env), 0)
        assert k.files["f.bin"]["complete"]


def test_datastore_disks_format():
    with workdir() as d, FakeKeel(d) as k:
        env = fake_env(d, k, KEELCTL_PASSWORD="secret")
        k.mounted = False
        p = keelctl(d, "datastore", "ls", env=env)
        check(p, 0, "No datastore is mounted", "keelctl datastore format DISK LABEL")
        check(keelctl(d, "vm", "create", "x", "--memory", "64", "--kernel",
                      "k", env=env), 5, "no datastore is mounted", "-32016")
        p = keelctl(d, "datastore", "disks", env=env)
        check(p, 0)
        assert p.stdout.splitlines() == [
            "DISK         SIZE  MODEL          DATASTORE  FORMAT  WHY",
            "sda      32.0 MiB  QEMU HARDDISK  -          no      the boot disk",
            "nvme0n1   1.0 GiB  -              -          yes"], p.stdout
        check(keelctl(d, "datastore", "format", "nvme0n1", "ds1", env=env), 0,
              "Formatted nvme0n1.", "Datastore ds1 on nvme0n1: 900.0 MiB free of 1.0 GiB, 0 files.")
        assert k.calls[-1] == ("datastore.format", {"disk": "nvme0n1", "label": "ds1"})
        check(keelctl(d, "datastore", "format", "nvme0n1", "ds1", env=env), 5,
              "force erases it")
        check(keelctl(d, "datastore", "format", "nvme0n1", "ds1", "--force",
                      env=env), 0)
        check(keelctl(d, "datastore", "format", "sdz", "x", env=env), 4)
        check(keelctl(d, "datastore", "format", "nvme0n1", env=env), 1,
              "missing argument")


def test_disks():
    """datastore mkdisk makes a disk; vm create --disk (repeatable, up to
    4) names them in order."""
    with workdir() as d, FakeKeel(d) as k:
        env = fake_env(d, k, KEELCTL_PASSWORD="secret")
        k.files["vmlinuz"] = {"size": 1, "sha256": "0" * 64,
                              "data": bytearray(b"x"), "complete": True}
        check(keelctl(d, "datastore", "mkdisk", "web/root.img", "256", env=env),
              0, "Disk web/root.img created (256 MiB).")
        assert k.calls[-1] == ("datastore.create",
                               {"name": "web/root.img", "size_mb": 256})
        check(keelctl(d, "datastore", "mkdisk", "web/root.img", "1", env=env),
              5, "the name is taken", "-32011")
        check(keelctl(d, "datastore", "mkdisk", "x", "0", env=env), 1, "SIZE_MB")
        check(keelctl(d, "datastore", "mkdisk", "x", "12k", env=env), 1, "SIZE_MB")
        check(keelctl(d, "datastore", "mkdisk", "x", env=env), 1, "missing argument")
        check(keelctl(d, "vm", "create", "web", "--memory", "64", "--kernel",
                      "vmlinuz", "--disk", "web/root.img", "--disk=web/data.img",
                      env=env), 0, "VM web created")
        assert k.calls[-1] == ("vm.create", {
            "name": "web", "vcpus": 1, "memory_mb": 64, "kernel": "vmlinuz",
            "disks": ["web/root.img", "web/data.img"]})
        check(keelctl(d, "vm", "info", "web", env=env), 0,
              "Disks:", "web/root.img,web/data.img")
        check(keelctl(d, "vm", "create", "w2", "--memory", "64", "--kernel",
                      "vmlinuz", "--disk", "a", "--disk", "b", "--disk", "c",
                      "--disk", "d", "--disk", "e", env=env), 1, "at most 4")
        check(keelctl(d, "vm", "create", "w2", "--memory", "64", "--kernel",
                      "vmlinuz", "--disk", env=env), 1, "--disk")


def test_progress_bar_on_terminal():
    with workdir() as d, FakeKeel(d) as k:
        env = fake_env(d, k, KEELCTL_PASSWORD="secret")
        src = os.path.join(d, "big.bin")
        write_random(src, 3 * 1024 * 1024)
        child = pexpect.spawn(KEELCTL, ["datastore", "upload", src], env=env,
                              encoding="utf-8", timeout=30, dimensions=(24, 100))
        child.expect(pexpect.EOF)
        out = child.before
        assert re.search(r"big\.bin 100% \[#+\] 3\.0 MiB/3\.0 MiB  [\d.]+ [KMG]iB/s  ETA 0:00", out), out
        # Not on a pipe: scripts see only the result line.
        p = keelctl(d, "datastore", "upload", src, "copy", env=env)
        check(p, 0)
        assert "%" not in p.stderr and p.stdout.startswith("Uploaded")


def test_console():
    with workdir() as d, FakeKeel(d) as k:
        env = fake_env(d, k, KEELCTL_PASSWORD="secret")
        k.files["k"] = {"size": 1, "sha256": "0" * 64, "data": bytearray(b"x"),
                        "complete": True}
        check(keelctl(d, "vm", "create", "g", "--memory", "64", "--kernel", "k",
                      env=env), 0)
        check(keelctl(d, "vm", "start", "g", env=env), 0)
        # --no-follow: what is buffered (over several reads), then exit.
        p = subprocess.run([KEELCTL, "vm", "console", "g", "--no-follow"],
                           env=env, capture_output=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        assert p.returncode == 0, p.stderr
        assert p.stdout == b"Booting fake guest\r\nlogin: ", p.stdout
        check(keelctl(d, "vm", "console", "nope", "--no-follow", env=env), 4)
        # Piped stdin: lines go to the guest; output is followed.
        proc = subprocess.Popen([KEELCTL, "vm", "console", "g"], env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        proc.stdin.write(b"root\nuname -a\n")
        proc.stdin.flush()
        deadline = time.time() + 20
        while time.time() < deadline and "echo:uname -a\n" not in k.console["g"]:
            time.sleep(0.1)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=10)
        assert k.console_writes == ["root\n", "uname -a\n"]
        assert out.decode().endswith("echo:root\necho:uname -a\n"), out
        # A terminal: keys go as typed, Ctrl-] quits, the terminal is restored.
        child = pexpect.spawn(KEELCTL, ["vm", "console", "g"], env=env,
                              encoding="utf-8", timeout=20)
        child.expect(r"Ctrl-\] quits")
        child.expect("echo:uname -a")
        child.send("ls")
        child.expect("echo:ls")
        child.send("\x1d")
        child.expect("console closed")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0


def test_docs_cover_every_command():
    """The man page and docs/keelctl.md name every command --help lists
    and every exit code keelctl uses."""
    with workdir() as d:
        helptext = keelctl(d, "--help").stdout
    cmds = re.findall(r"^  ((?:host |datastore |vm )?[a-z]+)\b", helptext, re.M)
    assert len(cmds) >= 20, cmds
    man = subprocess.run(["groff", "-man", "-Tascii", "-ww", "-P", "-cbou",
                          os.path.join(ROOT, "client", "keelctl.1")],
                         capture_output=True, text=True, check=True)
    assert man.stderr == "", man.stderr  # no groff warnings
    with open(os.path.join(ROOT, "docs", "keelctl.md")) as f:
        md = f.read()
    for c in cmds:
        assert c in man.stdout, "man page lacks %r" % c
        assert "`%s" % c in md, "docs/keelctl.md lacks %r" % c
    with open(os.path.join(ROOT, "client", "exitcode.h")) as f:
        codes = re.findall(r"#define KC_EXIT_\w+ (\d+)", f.read())
    for code in codes:
        assert re.search(r"^       %s\s" % code, man.stdout, re.M), code
        assert "| %s |" % code in md, code


def test_python_driver():
    """tests/client/keelctl_run.py, as the end-to-end system test uses it."""
    from keelctl_run import Keelctl, KeelctlError
    with workdir() as d, FakeKeel(d) as k:
        kc = Keelctl(k.port, thumbprint=k.thumbprint, password="secret", workdir=d)
        assert kc.json("login")["expires_in"] == 1800
        kc.password = None  # the cached session is enough now
        src = os.path.join(d, "g.bin")
        sha = write_random(src, 5000)
        up = kc.json("datastore", "upload", src)
        assert up["complete"] and up["sha256"] == sha
        vm = kc.json("vm", "create", "c1", "--memory", "16", "--kernel", "g.bin")
        assert vm["name"] == "c1"
        kc.run("vm", "start", "c1", expect=0)
        out = kc.run("vm", "console", "c1", "--no-follow", binary=True).stdout
        assert out == b"Booting fake guest\r\nlogin: "
        try:
            kc.json("vm", "info", "nope")
            assert False, "no error"
        except KeelctlError as e:
            assert e.code == 4 and e.rpc["code"] == -32010
