"""Drive build/keelctl from Python tests (tests/client, and the system
tests' end-to-end flow): non-interactive, the host pinned by thumbprint,
the password from the environment, its files in a directory of the
test's own.

    kc = Keelctl(port, thumbprint=tp, password="...", workdir=m.dir)
    kc.json("login")                       # once: PBKDF2 is slow under TCG
    kc.json("datastore", "upload", path)   # -> the parsed --json result
    kc.run("vm", "start", "c1", expect=0)  # -> CompletedProcess
    out = kc.run("vm", "console", "c1", "--no-follow").stdout
"""
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEELCTL = os.path.join(ROOT, os.environ.get("BUILD", "build"), "keelctl")


class KeelctlError(Exception):
    """keelctl exited non-zero: .code (the exit code, keelctl(1)),
    .rpc (the server's {"code", "message"} when it answered an error)."""

    def __init__(self, args, code, stderr, rpc=None):
        super().__init__("keelctl %s: exit %d: %s" % (" ".join(args), code,
                                                       stderr.strip()))
        self.code, self.stderr, self.rpc = code, stderr, rpc


class Keelctl:
    def __init__(self, port, host="127.0.0.1", thumbprint=None, password=None,
                 workdir=None, timeout=300, user="root"):
        self.host, self.port, self.user = host, port, user
        self.thumbprint, self.password, self.timeout = thumbprint, password, timeout
        self.dir = os.path.join(workdir or ".", "keelctl")

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("KEELCTL_")}
        env.update(KEELCTL_HOST="%s:%d" % (self.host, self.port),
                   KEELCTL_USER=self.user, KEELCTL_DIR=self.dir)
        if self.thumbprint:
            env["KEELCTL_THUMBPRINT"] = self.thumbprint
        if self.password is not None:
            env["KEELCTL_PASSWORD"] = self.password
        return env

    def run(self, *args, expect=None, input=None, binary=False):
        """Run keelctl; with @expect, assert its exit code."""
        p = subprocess.run([KEELCTL, *args], env=self.env(), input=input,
                           capture_output=True, text=not binary,
                           timeout=self.timeout,
                           stdin=None if input is not None else subprocess.DEVNULL)
        if expect is not None and p.returncode != expect:
            raise AssertionError("keelctl %s: exit %d, expected %d\n%s%s" % (
                " ".join(args), p.returncode, expect, p.stdout, p.stderr))
        return p

    def json(self, *args):
        """The command's --json result, parsed; KeelctlError on failure."""
        p = self.run("--json", *args)
        if p.returncode:
            rpc = None
            try:
                rpc = json.loads(p.stdout)["error"]
            except (ValueError, KeyError, TypeError):
                pass
            raise KeelctlError(args, p.returncode, p.stderr, rpc)
        return json.loads(p.stdout) if p.stdout.strip() else None
