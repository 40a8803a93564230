"""Issue 7: every RPC method the image registers is documented in
docs/api.md (a heading and an example request), and the reference names
no method the image lacks. The registered list is read from the sources
(RPC_METHOD lines), the same table the kernel links into its
rpc_methods section; in-image self-test methods are excluded.
"""
import glob
import os
import re

from harness import ROOT, BootFailure

REGISTER = re.compile(r'RPC_METHOD\(\s*\w+\s*,\s*"([a-z0-9_.]+)"')


def registered():
    names = set()
    for path in glob.glob(os.path.join(ROOT, "mgmt", "*.c")):
        if "selftest" in path or "bench" in path:
            continue
        with open(path) as f:
            names.update(REGISTER.findall(f.read()))
    return names


def test_every_method_documented():
    with open(os.path.join(ROOT, "docs", "api.md")) as f:
        doc = f.read()
    names = registered()
    if len(names) < 25:
        raise BootFailure("only %d RPC_METHOD registrations found: %s" % (len(names), names))
    headings = set()
    for h in re.findall(r"^### (.+)$", doc, re.M):
        headings.update(re.findall(r"[a-z]+(?:\.[a-z0-9_]+)+", h))
    examples = set(re.findall(r'"method":\s*"([a-z0-9_.]+)"', doc))
    missing = sorted(n for n in names if n not in headings)
    no_example = sorted(n for n in names if n not in examples)
    unknown = sorted(n for n in headings | examples if n not in names
                     and not n.startswith(("no.such", "docs.", "mgmt.")))
    if missing or no_example or unknown:
        raise BootFailure("docs/api.md: no section for %s; no example request for %s; "
                          "documents methods the image lacks: %s"
                          % (missing, no_example, unknown))
