"""Issue 2, bad input to the build: it stops with one clear line.

A wrong pinned version and a missing tool are what a newcomer or a CI
machine meets first; each must name what is wrong and how to fix it.
"""
import os
import shutil
import subprocess
import tempfile

from harness import BUILD, ROOT, BootFailure


def run_in_copy(mutate, cmd, env=None):
    """Run CMD in a scratch copy of the repo's build scripts."""
    tmp = tempfile.mkdtemp(prefix="keel-build-")
    try:
        for d in ("tools", "image", "net", "mgmt", "store"):
            shutil.copytree(os.path.join(ROOT, d), os.path.join(tmp, d))
        mutate(tmp)
        p = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, BUILD=os.path.join(tmp, "build"), **(env or {})))
        return p
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def expect_one_clear_line(p, *words):
    err = p.stderr.strip().splitlines()
    if p.returncode == 0 or not err or not all(w in err[-1] for w in words):
        raise BootFailure("expected a failure naming %s, got exit %d:\nstdout: %s\nstderr: %s"
                          % (words, p.returncode, p.stdout[-2000:], p.stderr[-2000:]))


def pin(key, value):
    def mutate(tmp):
        path = os.path.join(tmp, "tools", "versions")
        text = open(path).read()
        old = [l for l in text.splitlines() if l.startswith(key + "=")][0]
        open(path, "w").write(text.replace(old, "%s=%s" % (key, value)))
    return mutate


def test_deps_refuses_a_newlib_that_is_not_the_pinned_one():
    p = run_in_copy(pin("NEWLIB_DEB", "3.3.0-9"), ["bash", "tools/deps.sh"])
    expect_one_clear_line(p, "newlib-source", "Keel pins 3.3.0-9", "tools/versions")


def test_deps_refuses_a_source_package_that_is_not_the_pinned_one():
    p = run_in_copy(pin("LWIP_DEB", "2.1.2-1"), ["bash", "tools/deps.sh"])
    expect_one_clear_line(p, "lwip is 2.1.3+dfsg1-2 in the archive", "Keel pins 2.1.2-1",
                          "tools/versions")


def test_image_builder_names_a_missing_tool():
    p = run_in_copy(lambda tmp: None,
                    ["/usr/bin/python3", "image/mkimage.py", "--elf",
                     os.path.join(BUILD, "keel.elf"), "--out", "x.img", "--work", "w"],
                    env={"PATH": "/nonexistent"})
    expect_one_clear_line(p, "not found", "./build.sh deps")
